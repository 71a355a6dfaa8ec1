//! Revocations the fleet shares through Redis: a token by its `jti` (until its `exp`), or
//! every token issued to a `sub` or a `client_id` before a time.
//!
//! Each revocation is a key, so it survives restarts and expires by itself:
//! `<prefix>{revoked}:jti:<jti>` holding the token's `exp` and expiring then, and
//! `<prefix>{revoked}:sub:<sub>` / `<prefix>{revoked}:client_id:<id>` holding the cut-off
//! (unix seconds; tokens issued before it are refused) and expiring after the longest token
//! lifetime the writer names. Each key's name is also in the sorted set
//! `<prefix>{revoked}:index`, scored by the key's expiry (unix ms), written with the key in
//! one script, which also drops the members expired by Redis's clock. Each write is
//! announced on the channel `<prefix>revocations`.
//!
//! A replica never asks Redis per request: it keeps every revocation in memory, loaded by a
//! full scan of the index (pages of its live members, then their keys: a cost in
//! revocations, whatever else the same Redis holds, such as the DPoP replay keys) when its
//! subscription to the channel is made (at start and after
//! every reconnect), kept current by the announcements, and scanned again every
//! [`RevocationSettings::rescan_period`] while subscribed (an announcement can be lost: its
//! PUBLISH timing out after the SET). While the subscription is down
//! the last synced set is used for [`RevocationSettings::max_staleness`], then the
//! configured [`StalePolicy`].
//!
//! One code path serves one Redis and a Redis Cluster. The hash tag `{revoked}` puts every
//! revocation key and the index in one slot, so the script and the scan each run on the one
//! master owning it (routed there by the cluster client by the key they name). A PUBLISH reaches
//! every node of a cluster, so the subscription is made at any node: the first seed that
//! answers, the next one after it fails.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis::RedisError;
use tracing::{info, warn};

use super::Redis;
use crate::config::RedisSettings;

/// What a replica does when its revocation set is older than its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StalePolicy {
    /// Keep checking against the last synced set (the default: a Redis outage then does not
    /// become an outage of every service behind the fleet; revocations made during the
    /// outage reach the replicas when the subscription is back).
    #[default]
    ServeStale,
    /// Refuse every token with 503 until the set is synced again.
    FailClosed,
}

/// How a replica keeps its revocation set (`[revocation]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationSettings {
    /// How long the last synced set is used while the subscription is down (default 30 s).
    pub max_staleness: Duration,
    /// What happens after that.
    pub policy: StalePolicy,
    /// How often the keys are scanned again while the subscription is up, so that a
    /// revocation whose announcement was lost (written, then the PUBLISH timed out) is
    /// still seen; `None`: half of `max_staleness`, at most 30 s.
    pub rescan: Option<Duration>,
}

impl RevocationSettings {
    /// The period of the rescans: [`rescan`](Self::rescan), or half of
    /// [`max_staleness`](Self::max_staleness) at most 30 s; never below 100 ms.
    ///
    /// ```
    /// use std::time::Duration;
    /// use jwt_gateway::fleet::RevocationSettings;
    ///
    /// assert_eq!(RevocationSettings::default().rescan_period(), Duration::from_secs(15));
    /// let long = RevocationSettings {
    ///     max_staleness: Duration::from_secs(600),
    ///     ..RevocationSettings::default()
    /// };
    /// assert_eq!(long.rescan_period(), Duration::from_secs(30));
    /// ```
    pub fn rescan_period(&self) -> Duration {
        self.rescan
            .unwrap_or_else(|| (self.max_staleness / 2).min(Duration::from_secs(30)))
            .max(Duration::from_millis(100))
    }
}

impl Default for RevocationSettings {
    fn default() -> Self {
        RevocationSettings {
            max_staleness: Duration::from_secs(30),
            policy: StalePolicy::ServeStale,
            rescan: None,
        }
    }
}

/// What is revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The token with this `jti`, until `until` (its `exp`, unix seconds).
    Jti {
        /// The token's `jti`.
        jti: String,
        /// Its `exp`.
        until: u64,
    },
    /// Every token whose `sub` is `sub` issued (`iat`) before `before` (unix seconds).
    Subject {
        /// The subject.
        sub: String,
        /// The cut-off.
        before: u64,
    },
    /// Every token whose `client_id` is `client_id` issued before `before`.
    Client {
        /// The client.
        client_id: String,
        /// The cut-off.
        before: u64,
    },
}

impl Revocation {
    /// The kind, its time and its name: the key's middle part, the value, the key's end.
    fn parts(&self) -> (&'static str, u64, &str) {
        match self {
            Revocation::Jti { jti, until } => ("jti", *until, jti),
            Revocation::Subject { sub, before } => ("sub", *before, sub),
            Revocation::Client { client_id, before } => ("client_id", *before, client_id),
        }
    }

    /// `kind time name`: an announcement on the channel.
    fn announcement(&self) -> String {
        let (kind, time, name) = self.parts();
        format!("{kind} {time} {name}")
    }

    fn parse(kind: &str, time: u64, name: &str) -> Option<Revocation> {
        let name = name.to_owned();
        match kind {
            "jti" => Some(Revocation::Jti {
                jti: name,
                until: time,
            }),
            "sub" => Some(Revocation::Subject {
                sub: name,
                before: time,
            }),
            "client_id" => Some(Revocation::Client {
                client_id: name,
                before: time,
            }),
            _ => None,
        }
    }
}

/// Every revocation key's middle part: its hash tag keeps them in one slot of a cluster.
const REVOKED: &str = "{revoked}:";
/// The sorted set of the revocation keys' names scored by their expiry (unix ms), so a
/// load reads the revocations without walking every key of the node.
const INDEX: &str = "{revoked}:index";
const CHANNEL: &[u8] = b"revocations";
/// How many members of the index a load reads per page (and its keys per MGET).
const PAGE: usize = 1000;

/// KEYS[1] the revocation, KEYS[2] the index; ARGV[1] the value, ARGV[2] its expiry (unix
/// ms). One script, so no key lives without its member. Members are pruned by Redis's own
/// clock, the one that expires their keys: never a member whose key still lives.
const WRITE_REVOCATION: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', now))
return 1
";

/// Now, in unix milliseconds.
fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// Writes `revocation` into the fleet's Redis (one server or a cluster) and announces it;
/// how many replicas' subscriptions received the announcement (in a cluster, those made at
/// the node that took the PUBLISH: the others hear it through the cluster). A cut-off
/// (`sub`, `client_id`) is kept `cutoff_ttl`, the longest lifetime of the tokens it must
/// refuse.
///
/// # Errors
/// Redis's error (or timeout), or a `jti` whose `until` has passed (nothing to revoke, as
/// [`std::io::ErrorKind::InvalidInput`]).
pub async fn revoke(
    settings: &RedisSettings,
    revocation: &Revocation,
    cutoff_ttl: Duration,
) -> Result<u64, RedisError> {
    let redis = Redis::new(settings)?;
    let (kind, time, name) = revocation.parts();
    let expires_at = match revocation {
        Revocation::Jti { until, .. } => {
            if *until <= jwt_core::now() {
                return Err(RedisError::from(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the token has expired already: nothing to revoke",
                )));
            }
            until.saturating_mul(1000)
        }
        _ => now_millis().saturating_add(
            u64::try_from(cutoff_ttl.as_millis())
                .unwrap_or(u64::MAX)
                .max(1),
        ),
    }
    // Redis's bound for an expiry; scores stay exact doubles (below 2^53) for any real date.
    .min(i64::MAX as u64 / 2);
    let mut write = redis::cmd("EVAL");
    write
        .arg(WRITE_REVOCATION)
        .arg(2)
        .arg(redis.key(format!("{REVOKED}{kind}:{name}").as_bytes()))
        .arg(redis.key(INDEX.as_bytes()))
        .arg(time)
        .arg(expires_at);
    redis.query::<redis::Value>(&write).await?;
    let mut publish = redis::cmd("PUBLISH");
    publish
        .arg(redis.key(CHANNEL))
        .arg(revocation.announcement());
    redis.query::<u64>(&publish).await
}

/// The revocations a replica knows.
#[derive(Debug, Default)]
struct Set {
    /// `jti` → its `exp`.
    jti: HashMap<String, u64>,
    /// `sub` → the cut-off.
    sub: HashMap<String, u64>,
    /// `client_id` → the cut-off.
    client_id: HashMap<String, u64>,
}

impl Set {
    fn insert(&mut self, revocation: Revocation) {
        let later = |map: &mut HashMap<String, u64>, name: String, time: u64| {
            let entry = map.entry(name).or_insert(time);
            *entry = (*entry).max(time);
        };
        match revocation {
            Revocation::Jti { jti, until } => {
                later(&mut self.jti, jti, until);
                // Expired ones are dropped as the set doubles: it holds the live ones (and
                // at most as many expired), however long the subscription lasts.
                if self.jti.len().is_power_of_two() && self.jti.len() >= 1024 {
                    let now = jwt_core::now();
                    self.jti.retain(|_, exp| *exp >= now);
                }
            }
            Revocation::Subject { sub, before } => later(&mut self.sub, sub, before),
            Revocation::Client { client_id, before } => {
                later(&mut self.client_id, client_id, before);
            }
        }
    }

    /// Takes in what a scan of the keys found: every `jti` found is added and the expired
    /// ones dropped (one still valid is kept even if the scan missed it); the cut-offs are
    /// the scan's, since a cut-off written before the scan began is in it unless its key
    /// expired (one announced during the scan is applied after this).
    fn merge(&mut self, scan: Set) {
        let now = jwt_core::now();
        for (jti, until) in scan.jti {
            let entry = self.jti.entry(jti).or_insert(until);
            *entry = (*entry).max(until);
        }
        self.jti.retain(|_, exp| *exp >= now);
        self.sub = scan.sub;
        self.client_id = scan.client_id;
    }
}

/// A token's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not revoked (as far as the set knows).
    Allowed,
    /// Revoked: 401 `invalid_token`.
    Revoked,
    /// The set is past its staleness bound and the policy fails closed: 503.
    Unavailable,
}

struct State {
    set: RwLock<Set>,
    /// When the subscription went down (or the replica started, until its first sync);
    /// `None` while it is up and the set synced.
    down_since: Mutex<Option<Instant>>,
    settings: RevocationSettings,
    /// Full loads of the set.
    syncs: AtomicU64,
    /// Attempts to subscribe and load that failed.
    sync_failures: AtomicU64,
    /// Rescans while subscribed that completed.
    rescans: AtomicU64,
    /// Keys under `{revoked}:` that scans skipped: a name or value that is not a
    /// revocation's.
    unreadable: AtomicU64,
}

/// A replica's revocation set as `/readyz` and `/metrics` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevocationStatus {
    /// Revoked `jti`s held (expired ones included until the set drops them).
    pub jti: usize,
    /// Subjects with a cut-off.
    pub sub: usize,
    /// Clients with a cut-off.
    pub client_id: usize,
    /// How long the set has gone without its subscription (since start, before the first
    /// sync); `None` while it is synced.
    pub stale_for: Option<Duration>,
    /// Whether `stale_for` is past [`RevocationSettings::max_staleness`].
    pub past_bound: bool,
    /// Whether every token is refused (503) for it: past the bound with
    /// [`StalePolicy::FailClosed`].
    pub refusing: bool,
    /// Full loads of the set so far: the first, then one after every reconnect.
    pub syncs: u64,
    /// Attempts to subscribe and load that failed (each retried with back-off).
    pub sync_failures: u64,
    /// Rescans of the keys while subscribed that completed.
    pub rescans: u64,
    /// Keys under `{revoked}:` skipped by the scans because their name or value is not a
    /// revocation's (counted at every scan that meets them).
    pub unreadable: u64,
    /// The configured bound.
    pub max_staleness: Duration,
}

/// A replica's revocation set, kept current by a task that ends when this is dropped.
///
/// ```
/// use std::time::Duration;
/// use jwt_gateway::config::RedisSettings;
/// use jwt_gateway::fleet::{Redis, RevocationSettings, Revocations, Verdict};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // No Redis listens there: the set stays empty and, with the default policy
/// // (serve_stale), tokens are checked against it.
/// let redis = Redis::new(&RedisSettings {
///     urls: vec!["redis://127.0.0.1:1".into()],
///     cluster: false,
///     timeout: Duration::from_millis(20),
///     key_prefix: "jwt-gateway:".into(),
/// })
/// .unwrap();
/// let revocations = Revocations::start(&redis, RevocationSettings::default()).await.unwrap();
/// assert!(!revocations.synced());
/// let claims = serde_json::json!({"jti": "a", "sub": "alice", "iat": 1});
/// assert_eq!(revocations.check(claims.as_object().unwrap()), Verdict::Allowed);
/// let status = revocations.status();
/// assert!(status.stale_for.is_some() && !status.refusing);
/// # });
/// ```
pub struct Revocations {
    state: Arc<State>,
    redis: Redis,
    /// Keeps the set current.
    task: tokio::task::JoinHandle<()>,
    /// Asks Redis every second on the shared connection, so that [`Redis::available`] says
    /// how Redis is even while no request needs it.
    heartbeat: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revocations")
            .field("synced", &self.synced())
            .finish_non_exhaustive()
    }
}

impl Drop for Revocations {
    fn drop(&mut self) {
        self.task.abort();
        self.heartbeat.abort();
    }
}

impl Revocations {
    /// Follows the revocations in `redis` (one server or a cluster): subscribes, loads
    /// them, and keeps them current from then on; waits for the first load at most four
    /// Redis timeouts (then the set fills when Redis answers). Needs a Tokio runtime.
    ///
    /// # Errors
    /// A URL the client refuses.
    pub async fn start(
        redis: &Redis,
        settings: RevocationSettings,
    ) -> Result<Revocations, RedisError> {
        let nodes = redis
            .settings()
            .urls
            .iter()
            .map(|url| redis::Client::open(url.as_str()))
            .collect::<Result<Vec<_>, _>>()?;
        let state = Arc::new(State {
            set: RwLock::new(Set::default()),
            down_since: Mutex::new(Some(Instant::now())),
            settings,
            syncs: AtomicU64::new(0),
            sync_failures: AtomicU64::new(0),
            rescans: AtomicU64::new(0),
            unreadable: AtomicU64::new(0),
        });
        let task = tokio::spawn(follow(redis.clone(), nodes, Arc::clone(&state)));
        let heartbeat = tokio::spawn(heartbeat(redis.clone()));
        let revocations = Revocations {
            state,
            redis: redis.clone(),
            task,
            heartbeat,
        };
        let bound = redis.settings().timeout * 4;
        let started = Instant::now();
        while !revocations.synced() && started.elapsed() < bound {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(revocations)
    }

    /// The connection it scans and asks by.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    /// Whether every token is refused: stale past the bound with [`StalePolicy::FailClosed`].
    fn refusing(&self) -> bool {
        let settings = &self.state.settings;
        settings.policy == StalePolicy::FailClosed
            && self
                .state
                .down_since
                .lock()
                .ok()
                .and_then(|down| *down)
                .is_some_and(|since| since.elapsed() > settings.max_staleness)
    }

    /// The set's size, staleness and syncs.
    pub fn status(&self) -> RevocationStatus {
        let stale_for = self
            .state
            .down_since
            .lock()
            .map_or(Some(Duration::MAX), |down| {
                down.map(|since| since.elapsed())
            });
        let max_staleness = self.state.settings.max_staleness;
        let past_bound = stale_for.is_some_and(|stale| stale > max_staleness);
        let (jti, sub, client_id) = self.state.set.read().map_or((0, 0, 0), |set| {
            (set.jti.len(), set.sub.len(), set.client_id.len())
        });
        RevocationStatus {
            jti,
            sub,
            client_id,
            stale_for,
            past_bound,
            refusing: past_bound && self.state.settings.policy == StalePolicy::FailClosed,
            syncs: self.state.syncs.load(Ordering::Relaxed),
            sync_failures: self.state.sync_failures.load(Ordering::Relaxed),
            rescans: self.state.rescans.load(Ordering::Relaxed),
            unreadable: self.state.unreadable.load(Ordering::Relaxed),
            max_staleness,
        }
    }

    /// Whether the set is synced and its subscription up.
    pub fn synced(&self) -> bool {
        self.state
            .down_since
            .lock()
            .map(|down| down.is_none())
            .unwrap_or(false)
    }

    /// The verdict on a verified token's claims: a local lookup of its `jti`, and of its
    /// `sub` and `client_id` against their cut-offs with its `iat` (a token without `iat`
    /// is refused when its subject or client has a cut-off: it cannot show it came after).
    pub fn check(&self, claims: &serde_json::Map<String, serde_json::Value>) -> Verdict {
        if self.refusing() {
            return Verdict::Unavailable;
        }
        let Ok(set) = self.state.set.read() else {
            return Verdict::Unavailable;
        };
        let text = |name: &str| claims.get(name).and_then(serde_json::Value::as_str);
        let iat = claims.get("iat").and_then(serde_json::Value::as_u64);
        if let Some(jti) = text("jti") {
            if set.jti.get(jti).is_some_and(|&exp| exp >= jwt_core::now()) {
                return Verdict::Revoked;
            }
        }
        let cut = |map: &HashMap<String, u64>, name: &str| {
            text(name)
                .and_then(|value| map.get(value))
                .is_some_and(|&before| iat.is_none_or(|iat| iat < before))
        };
        if cut(&set.sub, "sub") || cut(&set.client_id, "client_id") {
            return Verdict::Revoked;
        }
        Verdict::Allowed
    }
}

/// Asks Redis every second on the shared connection (a cluster's every master): its
/// answer, or its failure, is what [`Redis::available`] and the metrics say.
async fn heartbeat(redis: Redis) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let _ = redis.query::<redis::Value>(&redis::cmd("PING")).await;
    }
}

/// Keeps `state` current: subscribe, scan, apply announcements; again after a reconnect,
/// at the next of `nodes` (a cluster's seeds) after a failure.
async fn follow(redis: Redis, nodes: Vec<redis::Client>, state: Arc<State>) {
    let mut pause = Duration::from_millis(50);
    let mut next = 0;
    loop {
        let syncs = state.syncs.load(Ordering::Relaxed);
        let result = match nodes.get(next % nodes.len().max(1)) {
            Some(node) => subscription(&redis, node, &state).await,
            None => return,
        };
        match result {
            Ok(()) => warn!("revocations: the subscription ended; resyncing"),
            Err(e) => {
                warn!(error = %e, "revocations: cannot sync; retrying");
                next = next.wrapping_add(1);
            }
        }
        let synced = state.syncs.load(Ordering::Relaxed) != syncs;
        if synced {
            // A subscription that synced and then ended starts the back-off over.
            pause = Duration::from_millis(50);
        } else {
            state.sync_failures.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut down) = state.down_since.lock() {
            down.get_or_insert_with(Instant::now);
        }
        // The shared connection's state follows at once, not at the next heartbeat.
        let _ = redis.query::<redis::Value>(&redis::cmd("PING")).await;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// One subscription at `node`: made, then the full scan, then announcements until it
/// drops.
async fn subscription(
    redis: &Redis,
    node: &redis::Client,
    state: &State,
) -> Result<(), RedisError> {
    let timeout = redis.settings().timeout;
    let timed_out = || {
        RedisError::from(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer from Redis within the timeout",
        ))
    };
    let mut pubsub = tokio::time::timeout(timeout, node.get_async_pubsub())
        .await
        .map_err(|_| timed_out())??;
    tokio::time::timeout(timeout, pubsub.subscribe(redis.key(CHANNEL)))
        .await
        .map_err(|_| timed_out())??;
    // Subscribed first, scanned second: a revocation written meanwhile is in one or both.
    let scan = tokio::time::timeout(timeout * 20, full_scan(redis, state))
        .await
        .map_err(|_| timed_out())??;
    let count = scan.jti.len() + scan.sub.len() + scan.client_id.len();
    if let Ok(mut set) = state.set.write() {
        set.merge(scan);
    }
    state.syncs.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut down) = state.down_since.lock() {
        *down = None;
    }
    info!(revocations = count, "revocations synced");
    // A PING every second: a connection that went silent (no reset, as after a network
    // partition) counts as down within a second and the timeout.
    let (mut sink, mut messages) = pubsub.split();
    let mut heartbeat = tokio::time::interval(Duration::from_secs(1));
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let period = state.settings.rescan_period();
    let mut rescan = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    rescan.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            message = messages.next() => {
                let Some(message) = message else {
                    return Ok(());
                };
                apply(state, &message);
            }
            _ = heartbeat.tick() => {
                tokio::time::timeout(timeout, sink.ping::<redis::Value>())
                    .await
                    .map_err(|_| timed_out())??;
            }
            _ = rescan.tick() => {
                // Announcements arriving meanwhile wait in the subscription and are
                // applied after the merge.
                match tokio::time::timeout(timeout * 20, full_scan(redis, state)).await {
                    Ok(Ok(scan)) => {
                        if let Ok(mut set) = state.set.write() {
                            set.merge(scan);
                        }
                        state.rescans.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Err(e)) => warn!(error = %e, "revocations: rescan failed"),
                    Err(_) => warn!("revocations: rescan timed out"),
                }
            }
        }
    }
}

/// Applies an announcement (`kind time name`) to the set.
fn apply(state: &State, message: &redis::Msg) {
    let Ok(text) = message.get_payload::<String>() else {
        return;
    };
    let mut parts = text.splitn(3, ' ');
    let parsed = match (parts.next(), parts.next(), parts.next()) {
        (Some(kind), Some(time), Some(name)) => time
            .parse()
            .ok()
            .and_then(|time| Revocation::parse(kind, time, name)),
        _ => None,
    };
    match parsed {
        Some(revocation) => {
            info!(revocation = %text, "revocation received");
            if let Ok(mut set) = state.set.write() {
                set.insert(revocation);
            }
        }
        None => warn!(announcement = %text, "revocations: announcement not understood"),
    }
}

/// Every revocation: pages of the index's live members (by score, from now), then MGET of
/// each page's keys. A member whose key is gone (expired, deleted) is passed over; a key
/// whose name or value is not a revocation's is skipped (warned, counted in `state`): one
/// bad key must not stop the fleet from syncing the others.
async fn full_scan(redis: &Redis, state: &State) -> Result<Set, RedisError> {
    let head = format!("{}{REVOKED}", redis.settings().key_prefix);
    let index = redis.key(INDEX.as_bytes());
    let mut set = Set::default();
    // Paged by score, not by offset: a prune between two pages (it removes the lowest
    // scores) would shift offsets and pass members over. `seen` members at score `from`
    // were read already.
    let mut from = now_millis();
    let mut seen = 0usize;
    loop {
        let mut page = redis::cmd("ZRANGEBYSCORE");
        page.arg(&index)
            .arg(from)
            .arg("+inf")
            .arg("WITHSCORES")
            .arg("LIMIT")
            .arg(seen)
            .arg(PAGE);
        // Names as bytes: one that is not UTF-8 is skipped below, not an error of the load.
        let members: Vec<(Vec<u8>, f64)> = redis.query(&page).await?;
        let mut keys = Vec::with_capacity(members.len());
        for (key, _) in &members {
            if key.starts_with(head.as_bytes()) {
                keys.push(key.as_slice());
            } else {
                skipped(state, key);
            }
        }
        if !keys.is_empty() {
            let values: Vec<redis::Value> = redis.query(redis::cmd("MGET").arg(&keys)).await?;
            for (key, value) in keys.iter().zip(values) {
                if value == redis::Value::Nil {
                    continue;
                }
                match read_entry(&head, key, &value) {
                    Some(revocation) => set.insert(revocation),
                    None => skipped(state, key),
                }
            }
        }
        let Some(&(_, last)) = members.last() else {
            return Ok(set);
        };
        if members.len() < PAGE {
            return Ok(set);
        }
        // Scores are whole milliseconds written by `revoke`; anything else is floored.
        let last = if last.is_finite() && last > 0.0 {
            last as u64
        } else {
            0
        };
        let at_last = members
            .iter()
            .rev()
            .take_while(|(_, score)| (*score as u64) == last)
            .count();
        if last == from {
            seen = seen.saturating_add(at_last);
        } else {
            from = last;
            seen = at_last;
        }
    }
}

fn skipped(state: &State, key: &[u8]) {
    state.unreadable.fetch_add(1, Ordering::Relaxed);
    warn!(
        key = %String::from_utf8_lossy(key),
        "revocations: a key that is not a revocation skipped"
    );
}

/// The revocation a key under `head` and its value stand for, if they are one.
fn read_entry(head: &str, key: &[u8], value: &redis::Value) -> Option<Revocation> {
    let rest = std::str::from_utf8(key).ok()?.strip_prefix(head)?;
    let (kind, name) = rest.split_once(':')?;
    let time = match value {
        redis::Value::BulkString(bytes) => std::str::from_utf8(bytes).ok()?.parse().ok()?,
        redis::Value::Int(n) => u64::try_from(*n).ok()?,
        _ => return None,
    };
    Revocation::parse(kind, time, name)
}
