//! State a fleet of gateway replicas shares through Redis (`--redis`, `[redis]`): the DPoP
//! replay store, so a proof accepted by one replica is refused by every other, and the
//! revocations ([`revocation`]), which every replica keeps in memory, and the providers'
//! key sets ([`RedisKeySetExchange`]), fetched by one replica per interval for all.
//!
//! Every Redis operation is bounded by the configured timeout and fails closed: a proof
//! whose `jti` could not be recorded is refused (503), never accepted (key fetching falls
//! back to each replica's own rate limit instead, refusing nothing). The connection is
//! made on first use and remade after a failure (with back-off), so a replica recovers by
//! itself when Redis comes back.

mod keys;
mod replay;
pub mod revocation;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use redis::aio::ConnectionLike;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue, RedisError};

pub use keys::RedisKeySetExchange;
pub use replay::RedisReplayStore;
pub use revocation::{
    Revocation, RevocationSettings, RevocationStatus, Revocations, StalePolicy, Verdict,
};

use crate::config::RedisSettings;

/// A connection to the fleet's Redis (one server, or a cluster), cheap to clone: every
/// clone shares one connection.
#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    target: Target,
    timeout: Duration,
    prefix: Vec<u8>,
    /// Whether the last operation succeeded (`/readyz`, metrics).
    available: AtomicBool,
    /// Operations that failed or timed out.
    failures: AtomicU64,
    /// How long operations took (metrics).
    latency: crate::telemetry::Latency,
    /// What it was made from (the revocations' subscription connects by it).
    settings: RedisSettings,
}

enum Target {
    /// One server (or a replicated primary): redis-rs's manager reconnects by itself.
    Single(ConnectionManager),
    /// A cluster: connected on first use, the slot map refreshed by the client.
    Cluster(Box<Cluster>),
}

struct Cluster {
    client: ClusterClient,
    connection: ArcSwapOption<ClusterConnection>,
    /// One connection attempt at a time.
    connecting: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("cluster", &matches!(self.inner.target, Target::Cluster(_)))
            .field("available", &self.available())
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A connection to what `settings` names; nothing is sent until the first operation.
    /// Needs a Tokio runtime.
    ///
    /// # Errors
    /// A URL the client refuses (the configuration checks them first).
    pub fn new(settings: &RedisSettings) -> Result<Redis, RedisError> {
        let timeout = settings.timeout;
        let target = if settings.cluster {
            let client = ClusterClient::builder(settings.urls.clone())
                .connection_timeout(timeout)
                .response_timeout(timeout)
                // Redirections (MOVED, ASK) and a node's failover are retried inside the
                // operation's own deadline.
                .retries(2)
                .min_retry_wait(10)
                .max_retry_wait(100)
                .build()?;
            Target::Cluster(Box::new(Cluster {
                client,
                connection: ArcSwapOption::empty(),
                connecting: tokio::sync::Mutex::new(()),
            }))
        } else {
            let url = settings.urls.first().map_or("", String::as_str);
            let client = redis::Client::open(url)?;
            // A lost connection is remade on the next operation: a few quick attempts,
            // then the next operation tries again, so a request never waits past its
            // timeout and the connection comes back once Redis does.
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout))
                .set_number_of_retries(2)
                .set_min_delay(Duration::from_millis(50))
                .set_max_delay(Duration::from_secs(1));
            Target::Single(ConnectionManager::new_lazy_with_config(client, config)?)
        };
        Ok(Redis {
            inner: Arc::new(Inner {
                target,
                timeout,
                prefix: settings.key_prefix.as_bytes().to_vec(),
                available: AtomicBool::new(true),
                failures: AtomicU64::new(0),
                latency: crate::telemetry::Latency::default(),
                settings: settings.clone(),
            }),
        })
    }

    /// Whether the last operation succeeded.
    pub fn available(&self) -> bool {
        self.inner.available.load(Ordering::Relaxed)
    }

    /// Operations that failed or timed out since start.
    pub fn failures(&self) -> u64 {
        self.inner.failures.load(Ordering::Relaxed)
    }

    /// How long its operations took, failed ones included.
    pub fn latency(&self) -> &crate::telemetry::Latency {
        &self.inner.latency
    }

    /// The settings it was made from.
    pub fn settings(&self) -> &RedisSettings {
        &self.inner.settings
    }

    /// `name` under the configured key prefix.
    pub(crate) fn key(&self, name: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.inner.prefix.len() + name.len());
        key.extend_from_slice(&self.inner.prefix);
        key.extend_from_slice(name);
        key
    }

    /// Sends `cmd` and reads its answer, within the timeout.
    ///
    /// # Errors
    /// Redis's error, or a timeout (as an I/O error), or no connection.
    pub async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<T, RedisError> {
        self.query_routed(cmd, None).await
    }

    /// Sends `cmd`, which names no key, to the node holding `key` (in a cluster the master
    /// of its slot: a SCAN of the keys under one hash tag), and reads its answer.
    ///
    /// # Errors
    /// As [`query`](Self::query).
    pub async fn query_at<T: FromRedisValue>(
        &self,
        key: &[u8],
        cmd: &Cmd,
    ) -> Result<T, RedisError> {
        self.query_routed(cmd, Some(key)).await
    }

    async fn query_routed<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        key: Option<&[u8]>,
    ) -> Result<T, RedisError> {
        let started = std::time::Instant::now();
        let answer = tokio::time::timeout(self.inner.timeout, self.send(cmd, key)).await;
        self.inner.latency.record(started.elapsed());
        let answer = answer.unwrap_or_else(|_| {
            Err(RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no answer from Redis within the timeout",
            )))
        });
        let ok = answer.is_ok();
        self.inner.available.store(ok, Ordering::Relaxed);
        if !ok {
            self.inner.failures.fetch_add(1, Ordering::Relaxed);
        }
        answer.and_then(|value| T::from_redis_value(value).map_err(RedisError::from))
    }

    async fn send(&self, cmd: &Cmd, key: Option<&[u8]>) -> Result<redis::Value, RedisError> {
        match &self.inner.target {
            Target::Single(manager) => manager.clone().send_packed_command(cmd).await,
            Target::Cluster(cluster) => {
                let Cluster {
                    client,
                    connection,
                    connecting,
                } = &**cluster;
                let current = match connection.load_full() {
                    Some(current) => current,
                    None => {
                        let _one = connecting.lock().await;
                        match connection.load_full() {
                            Some(current) => current,
                            None => {
                                let made = Arc::new(client.get_async_connection().await?);
                                connection.store(Some(Arc::clone(&made)));
                                made
                            }
                        }
                    }
                };
                let mut current = ClusterConnection::clone(&current);
                match key {
                    Some(key) => {
                        use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo};
                        let node = Route::with_key(key, redis::cluster_routing::SlotAddr::Master);
                        let routing =
                            RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(node));
                        current.route_command(cmd.clone(), routing).await
                    }
                    None => current.req_packed_command(cmd).await,
                }
            }
        }
    }
}
