//! The fleet's key sets: each provider's JWK Set document, as one replica fetched it, and
//! the short lock that makes one replica of the fleet fetch it per interval.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jwt_core_tower::{ExchangeError, ExchangeFuture, KeySetExchange, SharedKeySet};
use serde::{Deserialize, Serialize};

use super::Redis;

/// A [`KeySetExchange`] in Redis, shared by every replica that names the same Redis (and
/// key prefix). For each `jwks_uri`, two keys in one hash slot (the URI is their hash tag,
/// so a Redis Cluster keeps them on one node):
///
/// - `<prefix>jwks:{<jwks_uri>}:set`: the document with its `ETag`, when it was fetched
///   and the provider's `max-age`, in one value, expiring a minute after the set's
///   lifetime; written by a script (one `EVAL` on this key) only when the value held was
///   fetched earlier (or is stamped ahead of the writer's clock, or unreadable), so a slow
///   fetch never overwrites a newer one;
/// - `<prefix>jwks:{<jwks_uri>}:lock`: `SET ... NX PX <interval>`, the fleet's fetch lock.
///
/// When Redis cannot be reached or does not answer within the timeout, each operation
/// fails and the replica fetches on its own under its own rate limit: no request is
/// refused for it.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use jwt_gateway::fleet::{Redis, RedisKeySetExchange};
/// let settings = jwt_gateway::config::RedisSettings {
///     urls: vec!["redis://127.0.0.1:6379".into()],
///     cluster: false,
///     timeout: std::time::Duration::from_millis(250),
///     key_prefix: "jwt-gateway:".into(),
/// };
/// let auth = jwt_core_tower::Authenticator::<serde_json::Value>::builder()
///     .provider(jwt_core_tower::Provider::discover("https://idp.example"))
///     .key_set_exchange(RedisKeySetExchange::new(Redis::new(&settings)?))
///     .build()
///     .await?;
/// # let _ = auth; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisKeySetExchange {
    redis: Redis,
}

/// How long a document is kept past its lifetime: replicas ignore it by then anyway (they
/// count its age), so this only covers clocks that differ a little.
const MARGIN: Duration = Duration::from_secs(60);

/// Writes ARGV[1] to KEYS[1] for ARGV[4] ms unless the value held was fetched at or after
/// ARGV[2] (Unix ms) and not after ARGV[3] (the writer's clock plus the tolerance). The
/// header's JSON escapes quotes inside strings, so the pattern only finds the real field.
const PUBLISH_IF_NEWER: &str = r#"
local held = redis.call('GET', KEYS[1])
if held then
  local stamp = tonumber(string.match(held, '"fetched_at_ms":(%d+)'))
  if stamp and stamp >= tonumber(ARGV[2]) and stamp <= tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return 1
"#;

/// What is stored before the document, as one line of JSON.
#[derive(Serialize, Deserialize)]
struct Header {
    etag: Option<String>,
    /// Unix time, in milliseconds.
    fetched_at_ms: u64,
    max_age_s: Option<u64>,
}

impl RedisKeySetExchange {
    /// The exchange on `redis`.
    pub fn new(redis: Redis) -> Self {
        RedisKeySetExchange { redis }
    }

    /// The key of `jwks_uri`'s `part` (`set`, `lock`).
    fn key(&self, jwks_uri: &str, part: &str) -> Vec<u8> {
        self.redis
            .key(format!("jwks:{{{jwks_uri}}}:{part}").as_bytes())
    }

    async fn read_set(&self, jwks_uri: &str) -> Result<Option<SharedKeySet>, ExchangeError> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.key(jwks_uri, "set"));
        let value: Option<Vec<u8>> = self.redis.query(&cmd).await.map_err(unavailable)?;
        value.map(|value| decode(&value)).transpose()
    }

    async fn claim_fetch(&self, jwks_uri: &str, hold: Duration) -> Result<bool, ExchangeError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(jwks_uri, "lock"))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis(hold));
        match self.redis.query::<redis::Value>(&cmd).await {
            Ok(redis::Value::Nil) => Ok(false),
            Ok(redis::Value::Okay) => Ok(true),
            Ok(redis::Value::SimpleString(s)) if s == "OK" => Ok(true),
            Ok(other) => Err(ExchangeError::Unavailable(format!(
                "unexpected answer to SET NX: {other:?}"
            ))),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn publish_set(
        &self,
        jwks_uri: &str,
        set: SharedKeySet,
        lifetime: Duration,
    ) -> Result<(), ExchangeError> {
        let newest_kept = unix_millis(
            SystemTime::now()
                .checked_add(SharedKeySet::CLOCK_TOLERANCE)
                .unwrap_or_else(SystemTime::now),
        );
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(PUBLISH_IF_NEWER)
            .arg(1)
            .arg(self.key(jwks_uri, "set"))
            .arg(encode(&set))
            .arg(unix_millis(set.fetched_at))
            .arg(newest_kept)
            .arg(millis(lifetime.saturating_add(MARGIN)));
        self.redis
            .query::<redis::Value>(&cmd)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}

impl KeySetExchange for RedisKeySetExchange {
    fn read<'a>(&'a self, jwks_uri: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>> {
        Box::pin(self.read_set(jwks_uri))
    }

    fn claim<'a>(&'a self, jwks_uri: &'a str, hold: Duration) -> ExchangeFuture<'a, bool> {
        Box::pin(self.claim_fetch(jwks_uri, hold))
    }

    fn publish<'a>(
        &'a self,
        jwks_uri: &'a str,
        set: SharedKeySet,
        lifetime: Duration,
    ) -> ExchangeFuture<'a, ()> {
        Box::pin(self.publish_set(jwks_uri, set, lifetime))
    }
}

fn unavailable(e: redis::RedisError) -> ExchangeError {
    ExchangeError::Unavailable(e.to_string())
}

/// `duration` in milliseconds for `PX`: rounded up, at least 1 (Redis refuses 0).
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos().div_ceil(1_000_000))
        .unwrap_or(u64::MAX)
        .clamp(1, i64::MAX as u64)
}

/// `at` in milliseconds since the Unix epoch (0 before it). Lua numbers are doubles, exact
/// to 2^53 ms (about 285,000 years).
fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// The header line, a newline, the document (which is kept as the provider sent it).
fn encode(set: &SharedKeySet) -> Vec<u8> {
    let header = Header {
        etag: set.etag.clone(),
        fetched_at_ms: unix_millis(set.fetched_at),
        max_age_s: set.max_age.map(|age| age.as_secs()),
    };
    // A struct of strings and numbers always serializes; JSON escapes any newline in it.
    let mut value = serde_json::to_vec(&header).unwrap_or_default();
    value.push(b'\n');
    value.extend_from_slice(&set.document);
    value
}

fn decode(value: &[u8]) -> Result<SharedKeySet, ExchangeError> {
    let invalid = |why: &str| ExchangeError::Invalid(why.to_string());
    let newline = value
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| invalid("no header line"))?;
    let (header, document) = value.split_at(newline);
    let header: Header =
        serde_json::from_slice(header).map_err(|e| invalid(&format!("header: {e}")))?;
    let document = document.get(1..).unwrap_or_default().to_vec();
    let fetched_at = UNIX_EPOCH
        .checked_add(Duration::from_millis(header.fetched_at_ms))
        .ok_or_else(|| invalid("fetched_at out of range"))?;
    Ok(SharedKeySet::new(
        document,
        header.etag,
        fetched_at,
        header.max_age_s.map(Duration::from_secs),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_read_back_as_it_was_published_and_garbage_is_refused() {
        let fetched_at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let set = SharedKeySet::new(
            b"{\"keys\":[]}\n".to_vec(),
            Some("W/\"a\nb\"".into()),
            fetched_at,
            Some(Duration::from_secs(600)),
        );
        assert_eq!(decode(&encode(&set)), Ok(set));
        let bare = SharedKeySet::new(Vec::new(), None, fetched_at, None);
        assert_eq!(decode(&encode(&bare)), Ok(bare));
        for garbage in [&b""[..], b"{\"keys\":[]}", b"not json\n{}", b"{}\n{}"] {
            assert!(
                matches!(decode(garbage), Err(ExchangeError::Invalid(_))),
                "{garbage:?}"
            );
        }
    }
}
