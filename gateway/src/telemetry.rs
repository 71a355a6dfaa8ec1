//! Prometheus metrics (`/metrics`) and logs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use jwt_core_tower::{KeySetState, KeySetStatus, MetricsSnapshot};
use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;

use crate::config::{LogFormat, LogSettings};
use crate::fleet::RevocationStatus;

/// How a request ended, the `outcome` label of `jwt_gateway_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A valid token met the route's rules.
    Accepted,
    /// An anonymous route: no token checked.
    Anonymous,
    /// 401: no token, or one that is not valid.
    Unauthenticated,
    /// 400: a malformed request (or a forward-auth call from an untrusted peer).
    InvalidRequest,
    /// 403: the token lacks a scope or claim, or the route is denied.
    Forbidden,
    /// 503: keys or introspection unavailable.
    Unavailable,
    /// 502: the upstream could not be reached or failed.
    UpstreamError,
    /// 504: the upstream did not answer in time.
    UpstreamTimeout,
    /// Health, readiness and metrics endpoints, and unknown paths.
    Other,
}

impl Outcome {
    /// How many outcomes there are (the counters of one route).
    const COUNT: usize = Outcome::Other as usize + 1;

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Anonymous => "anonymous",
            Outcome::Unauthenticated => "unauthenticated",
            Outcome::InvalidRequest => "invalid_request",
            Outcome::Forbidden => "forbidden",
            Outcome::Unavailable => "unavailable",
            Outcome::UpstreamError => "upstream_error",
            Outcome::UpstreamTimeout => "upstream_timeout",
            Outcome::Other => "other",
        }
    }

    /// The outcome of an authentication answer's status.
    pub fn of_status(status: u16) -> Outcome {
        match status {
            200..=399 => Outcome::Accepted,
            400 => Outcome::InvalidRequest,
            401 => Outcome::Unauthenticated,
            403 => Outcome::Forbidden,
            503 => Outcome::Unavailable,
            _ => Outcome::Other,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    outcome: &'static str,
}

/// A route's series of `jwt_gateway_requests_total`, one per outcome, each looked up in the
/// family the first time it is counted and kept: counting a request then touches one
/// atomic, without making the label set (a `String`) and hashing it every time. Made with
/// the configuration, so a reload's routes count on in the same series.
#[derive(Debug)]
pub struct RouteCounters {
    name: String,
    by_outcome: [OnceLock<Counter>; Outcome::COUNT],
}

impl RouteCounters {
    /// The counters of the route named `name` (`unmatched` for requests no route covers).
    pub fn new(name: &str) -> RouteCounters {
        RouteCounters {
            name: name.to_owned(),
            by_outcome: Default::default(),
        }
    }

    /// The route's name, its `route` label.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KeySetLabels {
    provider: String,
    state: &'static str,
}

/// The upper bounds of the Redis latency buckets (seconds): a loopback answer takes tens of
/// microseconds, one across a data centre about a millisecond, and the default timeout is
/// 250 ms.
const LATENCY_BOUNDS: [f64; 11] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];

/// Durations counted into the Redis latency buckets with atomics, where no registry is at
/// hand (the Redis connection of one configuration); shown by [`Telemetry::fleet`].
#[derive(Debug, Default)]
pub struct Latency {
    /// Per bucket, the last one past every bound.
    buckets: [AtomicU64; LATENCY_BOUNDS.len() + 1],
    sum_nanos: AtomicU64,
}

/// What a [`Latency`] counted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LatencySnapshot {
    buckets: [u64; LATENCY_BOUNDS.len() + 1],
    sum_nanos: u64,
}

impl Latency {
    /// Counts one operation that took `took`.
    pub fn record(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = LATENCY_BOUNDS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(LATENCY_BOUNDS.len());
        if let Some(count) = self.buckets.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts so far.
    pub fn snapshot(&self) -> LatencySnapshot {
        LatencySnapshot {
            buckets: std::array::from_fn(|i| {
                self.buckets
                    .get(i)
                    .map_or(0, |count| count.load(Ordering::Relaxed))
            }),
            sum_nanos: self.sum_nanos.load(Ordering::Relaxed),
        }
    }
}

impl LatencySnapshot {
    /// Operations counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// A histogram of the Redis latency whose counts are added from [`LatencySnapshot`]s, so it
/// goes on across reloads (each makes its own Redis connection).
#[derive(Debug, Clone, Default)]
struct CarriedLatency(std::sync::Arc<Mutex<LatencySnapshot>>);

impl CarriedLatency {
    fn add(&self, now: &LatencySnapshot, before: &LatencySnapshot) {
        let Ok(mut total) = self.0.lock() else {
            return;
        };
        for ((total, now), before) in total
            .buckets
            .iter_mut()
            .zip(now.buckets)
            .zip(before.buckets)
        {
            *total = total.saturating_add(now.saturating_sub(before));
        }
        total.sum_nanos = total
            .sum_nanos
            .saturating_add(now.sum_nanos.saturating_sub(before.sum_nanos));
    }
}

impl TypedMetric for CarriedLatency {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for CarriedLatency {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let total = self.0.lock().map(|total| *total).unwrap_or_default();
        // Per bucket; the encoder adds them up, and `f64::MAX` is written `+Inf`.
        let buckets: Vec<(f64, u64)> = LATENCY_BOUNDS
            .iter()
            .copied()
            .chain([f64::MAX])
            .zip(total.buckets)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let sum = total.sum_nanos as f64 / 1e9;
        encoder.encode_histogram::<NoLabelSet>(sum, total.count(), &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

/// A gauge without labels shown only while it means something (with `[redis]`).
#[derive(Debug, Clone, Default)]
struct OptionalGauge(std::sync::Arc<Mutex<Option<f64>>>);

impl OptionalGauge {
    fn set(&self, value: Option<f64>) {
        if let Ok(mut shown) = self.0.lock() {
            *shown = value;
        }
    }

    fn get(&self) -> Option<f64> {
        self.0.lock().ok().and_then(|shown| *shown)
    }
}

impl TypedMetric for OptionalGauge {
    const TYPE: MetricType = MetricType::Gauge;
}

impl EncodeMetric for OptionalGauge {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_gauge(&self.get().unwrap_or_default())
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }

    fn is_empty(&self) -> bool {
        self.get().is_none()
    }
}

/// The fleet's state of the configuration in force, as `/metrics` shows it.
#[derive(Debug, Clone)]
pub struct FleetStatus {
    /// Whether Redis answered the last operation (the revocations' heartbeat asks every
    /// second).
    pub redis_up: bool,
    /// Redis operations that failed or timed out.
    pub redis_failures: u64,
    /// How long Redis operations took.
    pub redis_latency: LatencySnapshot,
    /// The revocation set.
    pub revocations: RevocationStatus,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// The fleet's counters as last shown, to add what a connection counted since.
#[derive(Debug, Default)]
struct FleetCounted {
    generation: u64,
    failures: u64,
    latency: LatencySnapshot,
    syncs: u64,
    sync_failures: u64,
    rescans: u64,
    unreadable: u64,
}

/// The gateway's metrics.
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    verification: Histogram,
    token_cache: Family<ResultLabels, Counter>,
    key_fetches: Family<ResultLabels, Counter>,
    key_sets_installed: Counter,
    key_set_exchange: Family<ResultLabels, Counter>,
    introspections: Counter,
    dpop: Family<ResultLabels, Counter>,
    reloads: Family<ResultLabels, Counter>,
    providers: Gauge,
    config_loaded: Gauge<f64, std::sync::atomic::AtomicU64>,
    key_set_age: Family<ProviderLabels, Gauge<f64, AtomicU64>>,
    key_set_keys: Family<ProviderLabels, Gauge>,
    key_set_state: Family<KeySetLabels, Gauge>,
    connections: Counter,
    redis_up: OptionalGauge,
    redis_failures: Counter,
    redis_latency: CarriedLatency,
    revocations: Family<KindLabels, Gauge>,
    revocations_stale: OptionalGauge,
    revocations_past_bound: OptionalGauge,
    revocation_syncs: Family<ResultLabels, Counter>,
    revocation_keys_skipped: Counter,
    fleet_counted: Mutex<FleetCounted>,
    /// Requests refused before a route was chosen (label `none`).
    no_route: RouteCounters,
    /// The generation of the authenticator counted last, and its counters then.
    flushed: Mutex<(u64, MetricsSnapshot)>,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Telemetry { .. }")
    }
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry::new()
    }
}

impl Telemetry {
    /// Registers every metric.
    pub fn new() -> Telemetry {
        let mut registry = Registry::with_prefix("jwt_gateway");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests by route (its name, or unmatched) and outcome",
            requests.clone(),
        );
        // 50 µs .. ~100 ms: a cache hit is microseconds, an RSA verification well under a
        // millisecond, an introspection or key fetch tens of milliseconds.
        let verification = Histogram::new([
            0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        ]);
        registry.register_with_unit(
            "verification_duration",
            "Time to authenticate a request (token, proof, rules)",
            prometheus_client::registry::Unit::Seconds,
            verification.clone(),
        );
        let token_cache = Family::<ResultLabels, Counter>::default();
        registry.register(
            "token_cache",
            "Verified-token cache lookups by result (hit, miss)",
            token_cache.clone(),
        );
        let key_fetches = Family::<ResultLabels, Counter>::default();
        registry.register(
            "key_fetches",
            "JWK Set requests to providers by result (ok, not_modified, error)",
            key_fetches.clone(),
        );
        let key_sets_installed = Counter::default();
        registry.register(
            "key_sets_installed",
            "Provider key sets installed (the first fetch, then each change)",
            key_sets_installed.clone(),
        );
        let key_set_exchange = Family::<ResultLabels, Counter>::default();
        registry.register(
            "key_set_exchange",
            "Key fetching shared through the fleet's Redis, by result: from_fleet (a set \
             another replica fetched, installed without asking the provider), lock_lost (a \
             fetch left to the replica holding the fleet's lock), error (Redis failed: this \
             replica fetched under its own rate limit)",
            key_set_exchange.clone(),
        );
        let introspections = Counter::default();
        registry.register(
            "introspections",
            "RFC 7662 introspection requests sent",
            introspections.clone(),
        );
        let dpop = Family::<ResultLabels, Counter>::default();
        registry.register(
            "dpop_requests",
            "DPoP requests by result (accepted, refused, replayed)",
            dpop.clone(),
        );
        let reloads = Family::<ResultLabels, Counter>::default();
        registry.register(
            "config_reloads",
            "Configuration reloads by result (ok, error)",
            reloads.clone(),
        );
        let providers = Gauge::default();
        registry.register(
            "providers",
            "Providers of the configuration in force, each with its keys loaded",
            providers.clone(),
        );
        let config_loaded = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "config_loaded_timestamp_seconds",
            "When the configuration in force was applied (Unix time)",
            config_loaded.clone(),
        );
        let key_set_age = Family::<ProviderLabels, Gauge<f64, AtomicU64>>::default();
        registry.register_with_unit(
            "key_set_age",
            "How long ago each provider's key set in use was fetched or confirmed by it",
            prometheus_client::registry::Unit::Seconds,
            key_set_age.clone(),
        );
        let key_set_keys = Family::<ProviderLabels, Gauge>::default();
        registry.register(
            "key_set_keys",
            "The keys of each provider's key set in use",
            key_set_keys.clone(),
        );
        let key_set_state = Family::<KeySetLabels, Gauge>::default();
        registry.register(
            "key_set_state",
            "1 for the state of each provider's key set (fresh, stale, unusable), 0 for the others",
            key_set_state.clone(),
        );
        let connections = Counter::default();
        registry.register(
            "connections",
            "TCP connections accepted (a proxy keeping its connections alive opens few)",
            connections.clone(),
        );
        let redis_up = OptionalGauge::default();
        registry.register(
            "redis_up",
            "1 while the fleet's Redis answers (every second at least), 0 while it does not; \
             absent without [redis]",
            redis_up.clone(),
        );
        let redis_failures = Counter::default();
        registry.register(
            "redis_operation_failures",
            "Redis operations that failed or timed out (DPoP proofs then refused with 503)",
            redis_failures.clone(),
        );
        let redis_latency = CarriedLatency::default();
        registry.register_with_unit(
            "redis_operation_duration",
            "Time of each Redis operation (a DPoP proof's SET, a revocation scan, a heartbeat), \
             failed ones included",
            prometheus_client::registry::Unit::Seconds,
            redis_latency.clone(),
        );
        let revocations = Family::<KindLabels, Gauge>::default();
        registry.register(
            "revocations",
            "Revocations the replica holds in memory, by kind (jti, sub, client_id)",
            revocations.clone(),
        );
        let revocations_stale = OptionalGauge::default();
        registry.register_with_unit(
            "revocations_stale",
            "How long the revocation set has gone without its subscription (0 while synced)",
            prometheus_client::registry::Unit::Seconds,
            revocations_stale.clone(),
        );
        let revocations_past_bound = OptionalGauge::default();
        registry.register(
            "revocations_past_staleness_bound",
            "1 while the revocation set is stale past [revocation] max_staleness_ms (with \
             policy fail_closed every token is then refused), else 0",
            revocations_past_bound.clone(),
        );
        let revocation_syncs = Family::<ResultLabels, Counter>::default();
        registry.register(
            "revocation_syncs",
            "Full loads of the revocation set by result: ok (at start and after every \
             reconnect), error (an attempt that failed; retried with back-off), rescan (a \
             periodic rescan while subscribed)",
            revocation_syncs.clone(),
        );
        let revocation_keys_skipped = Counter::default();
        registry.register(
            "revocation_keys_skipped",
            "Keys under {revoked}: that a scan skipped because their name or value is not a \
             revocation's (counted at every scan that meets them)",
            revocation_keys_skipped.clone(),
        );
        Telemetry {
            registry,
            requests,
            verification,
            token_cache,
            key_fetches,
            key_sets_installed,
            key_set_exchange,
            introspections,
            dpop,
            reloads,
            providers,
            config_loaded,
            key_set_age,
            key_set_keys,
            key_set_state,
            connections,
            redis_up,
            redis_failures,
            redis_latency,
            revocations,
            revocations_stale,
            revocations_past_bound,
            revocation_syncs,
            revocation_keys_skipped,
            fleet_counted: Mutex::new(FleetCounted::default()),
            no_route: RouteCounters::new("none"),
            flushed: Mutex::new((0, MetricsSnapshot::default())),
        }
    }

    /// Counts a request of `route` (`None`: refused before a route was chosen).
    pub fn request(&self, route: Option<&RouteCounters>, outcome: Outcome) {
        let route = route.unwrap_or(&self.no_route);
        let Some(slot) = route.by_outcome.get(outcome as usize) else {
            return;
        };
        slot.get_or_init(|| {
            self.requests
                .get_or_create(&RequestLabels {
                    route: route.name.clone(),
                    outcome: outcome.label(),
                })
                .clone()
        })
        .inc();
    }

    /// Counts a connection accepted.
    pub fn connection(&self) {
        self.connections.inc();
    }

    /// Records how long an authentication took.
    pub fn verification(&self, took: Duration) {
        self.verification.observe(took.as_secs_f64());
    }

    /// Counts a reload.
    pub fn reload(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.reloads.get_or_create(&ResultLabels { result }).inc();
    }

    /// A configuration generation was put in force.
    pub fn applied(&self, providers: usize) {
        self.providers
            .set(i64::try_from(providers).unwrap_or(i64::MAX));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        self.config_loaded.set(now.as_secs_f64());
    }

    /// Adds what the authenticator of `generation` counted since the last call (a new
    /// generation starts from zero).
    pub fn flush(&self, generation: u64, now: MetricsSnapshot) {
        let Ok(mut flushed) = self.flushed.lock() else {
            return;
        };
        let before = if flushed.0 == generation {
            flushed.1
        } else {
            MetricsSnapshot::default()
        };
        let delta = |now: u64, before: u64| now.saturating_sub(before);
        let add = |family: &Family<ResultLabels, Counter>, result: &'static str, n: u64| {
            if n > 0 {
                family.get_or_create(&ResultLabels { result }).inc_by(n);
            }
        };
        add(
            &self.token_cache,
            "hit",
            delta(now.token_cache_hits, before.token_cache_hits),
        );
        add(
            &self.token_cache,
            "miss",
            delta(now.token_cache_misses, before.token_cache_misses),
        );
        let fetches = delta(now.key_fetches, before.key_fetches);
        let errors = delta(now.key_fetch_errors, before.key_fetch_errors);
        let not_modified = delta(now.keys_not_modified, before.keys_not_modified);
        add(&self.key_fetches, "error", errors);
        add(&self.key_fetches, "not_modified", not_modified);
        add(
            &self.key_fetches,
            "ok",
            fetches.saturating_sub(errors).saturating_sub(not_modified),
        );
        self.key_sets_installed
            .inc_by(delta(now.key_sets_installed, before.key_sets_installed));
        for (result, now, before) in [
            (
                "from_fleet",
                now.key_sets_from_fleet,
                before.key_sets_from_fleet,
            ),
            (
                "lock_lost",
                now.key_fetch_locks_lost,
                before.key_fetch_locks_lost,
            ),
            ("error", now.key_exchange_errors, before.key_exchange_errors),
        ] {
            add(&self.key_set_exchange, result, delta(now, before));
        }
        self.introspections
            .inc_by(delta(now.introspections, before.introspections));
        add(
            &self.dpop,
            "accepted",
            delta(now.dpop_accepted, before.dpop_accepted),
        );
        add(
            &self.dpop,
            "refused",
            delta(now.dpop_refused, before.dpop_refused),
        );
        add(
            &self.dpop,
            "replayed",
            delta(now.dpop_replays, before.dpop_replays),
        );
        *flushed = (generation, now);
    }

    /// Sets the key set gauges to `sets`, the providers in force (those of an older
    /// configuration go).
    pub fn key_sets(&self, sets: &[KeySetStatus]) {
        self.key_set_age.clear();
        self.key_set_keys.clear();
        self.key_set_state.clear();
        for set in sets {
            let provider = ProviderLabels {
                provider: set.issuer.clone(),
            };
            if let Some(age) = set.age {
                self.key_set_age
                    .get_or_create(&provider)
                    .set(age.as_secs_f64());
            }
            self.key_set_keys
                .get_or_create(&provider)
                .set(i64::try_from(set.keys).unwrap_or(i64::MAX));
            for (state, label) in [
                (KeySetState::Fresh, "fresh"),
                (KeySetState::Stale, "stale"),
                (KeySetState::Unusable, "unusable"),
            ] {
                let labels = KeySetLabels {
                    provider: set.issuer.clone(),
                    state: label,
                };
                self.key_set_state
                    .get_or_create(&labels)
                    .set(i64::from(set.state == state));
            }
        }
    }

    /// Shows the fleet's state of the configuration `generation` (`None`: no `[redis]`, its
    /// gauges go); its counters go on from what an earlier configuration's connection
    /// counted.
    pub fn fleet(&self, generation: u64, status: Option<&FleetStatus>) {
        self.revocations.clear();
        let Some(status) = status else {
            self.redis_up.set(None);
            self.revocations_stale.set(None);
            self.revocations_past_bound.set(None);
            return;
        };
        let flag = |on: bool| Some(if on { 1.0 } else { 0.0 });
        self.redis_up.set(flag(status.redis_up));
        let set = &status.revocations;
        for (kind, count) in [
            ("jti", set.jti),
            ("sub", set.sub),
            ("client_id", set.client_id),
        ] {
            self.revocations
                .get_or_create(&KindLabels { kind })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        self.revocations_stale
            .set(Some(set.stale_for.map_or(0.0, |stale| stale.as_secs_f64())));
        self.revocations_past_bound.set(flag(set.past_bound));
        let Ok(mut counted) = self.fleet_counted.lock() else {
            return;
        };
        if counted.generation != generation {
            *counted = FleetCounted {
                generation,
                ..FleetCounted::default()
            };
        }
        self.redis_failures
            .inc_by(status.redis_failures.saturating_sub(counted.failures));
        self.redis_latency
            .add(&status.redis_latency, &counted.latency);
        let add = |result: &'static str, now: u64, before: u64| {
            if now > before {
                self.revocation_syncs
                    .get_or_create(&ResultLabels { result })
                    .inc_by(now - before);
            }
        };
        add("ok", set.syncs, counted.syncs);
        add("error", set.sync_failures, counted.sync_failures);
        add("rescan", set.rescans, counted.rescans);
        self.revocation_keys_skipped
            .inc_by(set.unreadable.saturating_sub(counted.unreadable));
        *counted = FleetCounted {
            generation,
            failures: status.redis_failures,
            latency: status.redis_latency,
            syncs: set.syncs,
            sync_failures: set.sync_failures,
            rescans: set.rescans,
            unreadable: set.unreadable,
        };
    }

    /// The metrics in Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Starts the log: text or JSON lines on stderr, from `settings.level` up. The gateway
/// never logs a token, a proof, a secret or a query string.
pub fn init_logs(settings: LogSettings) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(settings.level)
        .with_ansi(false);
    let _ = match settings.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
