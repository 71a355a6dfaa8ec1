//! Prometheus metrics (`/metrics`) and logs.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use jwt_core_tower::{KeySetState, KeySetStatus, MetricsSnapshot};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::config::{LogFormat, LogSettings};

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

/// The gateway's metrics.
pub struct Telemetry {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    verification: Histogram,
    token_cache: Family<ResultLabels, Counter>,
    key_fetches: Family<ResultLabels, Counter>,
    key_sets_installed: Counter,
    introspections: Counter,
    dpop: Family<ResultLabels, Counter>,
    reloads: Family<ResultLabels, Counter>,
    providers: Gauge,
    config_loaded: Gauge<f64, std::sync::atomic::AtomicU64>,
    key_set_age: Family<ProviderLabels, Gauge<f64, AtomicU64>>,
    key_set_keys: Family<ProviderLabels, Gauge>,
    key_set_state: Family<KeySetLabels, Gauge>,
    connections: Counter,
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
        Telemetry {
            registry,
            requests,
            verification,
            token_cache,
            key_fetches,
            key_sets_installed,
            introspections,
            dpop,
            reloads,
            providers,
            config_loaded,
            key_set_age,
            key_set_keys,
            key_set_state,
            connections,
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
