//! The fleet's DPoP replay store: one Redis key per proof, set only if absent, expiring
//! when the proof could no longer be accepted.

use std::time::Duration;

use jwt_core_tower::{Freshness, ReplayFuture, ReplayKey, ReplayStore, StoreError};

use super::Redis;

/// A [`ReplayStore`] in Redis, shared by every replica that names the same Redis (and key
/// prefix): `SET <prefix>dpop:<key> 1 NX PX <ttl>`, one atomic operation per proof. In a
/// cluster each proof is one key, so it needs no hash tag: the key's slot picks its node.
///
/// Fails closed: when Redis cannot be reached or does not answer within the timeout, the
/// answer is [`StoreError::Unavailable`] and the authenticator refuses the proof (503).
#[derive(Debug, Clone)]
pub struct RedisReplayStore {
    redis: Redis,
}

/// The key's middle part: what the key holds.
const DPOP: &[u8] = b"dpop:";

impl RedisReplayStore {
    /// The store on `redis`.
    pub fn new(redis: Redis) -> Self {
        RedisReplayStore { redis }
    }

    async fn check(&self, key: ReplayKey, ttl: Duration) -> Result<Freshness, StoreError> {
        // The 32 bytes as they are: Redis keys are binary, and the key is a hash already.
        let mut name = Vec::with_capacity(DPOP.len() + key.len());
        name.extend_from_slice(DPOP);
        name.extend_from_slice(&key);
        // A key is kept at least `ttl` (rounded up to the millisecond, and never 0, which
        // Redis refuses).
        let millis = u64::try_from(ttl.as_nanos().div_ceil(1_000_000))
            .unwrap_or(u64::MAX)
            .clamp(1, i64::MAX as u64);
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.redis.key(&name))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis);
        match self.redis.query::<redis::Value>(&cmd).await {
            Ok(redis::Value::Nil) => Ok(Freshness::Replayed),
            Ok(redis::Value::Okay) => Ok(Freshness::Fresh),
            Ok(redis::Value::SimpleString(s)) if s == "OK" => Ok(Freshness::Fresh),
            Ok(other) => Err(StoreError::Unavailable(format!(
                "unexpected answer to SET NX: {other:?}"
            ))),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }
}

impl ReplayStore for RedisReplayStore {
    fn check_and_remember(&self, key: ReplayKey, ttl: Duration) -> ReplayFuture<'_> {
        Box::pin(self.check(key, ttl))
    }
}
