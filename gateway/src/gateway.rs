//! One configuration in force: its authenticator (providers discovered, keys loaded), its
//! routes, and how a request is answered: health, readiness, metrics, forward-auth, or
//! the reverse proxy.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ConnectInfo;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use jwt_core_tower::{
    Authenticator, BuildError, ClientCertificate, GrantedScopes, Provider, Refusal,
    SecureConnection, Verified,
};
use tower::{Layer, ServiceExt};
use tracing::{info, warn};

use crate::config::{Access, Config, Keys, Profile, Unmatched};
use crate::original::{normalized, original};
use crate::proxy::Upstream;
use crate::telemetry::{Outcome, RouteCounters, Telemetry};

/// The claims of an accepted token, as the gateway reads them (route claim rules).
pub type Claims = serde_json::Map<String, serde_json::Value>;

/// Response bodies: streamed from the upstream, or small and whole.
pub type Body = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// Errors of streamed bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A small whole body.
pub fn full(text: impl Into<Bytes>) -> Body {
    Full::new(text.into()).map_err(|e| match e {}).boxed()
}

/// No body (zero-sized: boxing it allocates nothing).
pub fn empty() -> Body {
    http_body_util::Empty::new().map_err(|e| match e {}).boxed()
}

/// The connection a request came on.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The peer's address.
    pub peer: SocketAddr,
    /// Whether it is TLS.
    pub tls: bool,
    /// The verified client certificate of a TLS connection, if it presented one.
    pub certificate: Option<ClientCertificate>,
}

/// A configuration in force.
pub struct Gateway {
    /// The configuration.
    pub config: Config,
    /// Its authenticator.
    pub auth: Authenticator<Claims>,
    /// The fleet's revocations and, through them, its Redis (`[redis]`).
    fleet: Option<Arc<crate::fleet::Revocations>>,
    /// The generation that started `fleet` (kept by the reloads that carry it over): its
    /// counters go on across them.
    fleet_generation: u64,
    /// Counts configurations applied, for the metrics.
    pub generation: u64,
    pub(crate) upstream: Option<Upstream>,
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
    /// `config.routes` as requests are answered, in the same order.
    routes: Vec<Arc<Prepared>>,
    /// What a request no route covers gets.
    unmatched: Arc<Prepared>,
    /// The claim headers' names, for the answers of forward-auth.
    claim_headers: Arc<[HeaderName]>,
}

/// A route as requests are answered, worked out once per configuration so that answering
/// a request copies none of its rules: what it requires and its counters.
pub(crate) struct Prepared {
    pub(crate) counters: RouteCounters,
    rule: Rule,
}

/// What a route requires, ready to check.
enum Rule {
    Anonymous,
    Deny,
    Token(Arc<Rules>),
}

impl Prepared {
    fn new(
        name: &str,
        access: &Access,
        realm: Option<&str>,
        revocations: Option<&Arc<crate::fleet::Revocations>>,
    ) -> Prepared {
        let rule = match access {
            Access::Anonymous => Rule::Anonymous,
            Access::Deny => Rule::Deny,
            Access::Token {
                all_scopes,
                any_scope,
                claims,
            } => Rule::Token(Arc::new(Rules {
                all_scopes: all_scopes.clone(),
                all_joined: all_scopes.join(" "),
                any_scope: any_scope.clone(),
                any_joined: any_scope.join(" "),
                claims: claims.clone(),
                realm: realm.map(str::to_owned),
                revocations: revocations.cloned(),
            })),
        };
        Prepared {
            counters: RouteCounters::new(name),
            rule,
        }
    }
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("generation", &self.generation)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Why a configuration could not be put in force.
#[derive(Debug)]
pub enum StartError {
    /// A provider could not be set up (discovery or keys), or the authenticator refused the
    /// combination.
    Build(BuildError),
    /// A file (keys, TLS) could not be read or used.
    File(String),
    /// A listen address could not be bound.
    Bind(SocketAddr, std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Build(e) => write!(f, "{e}"),
            StartError::File(e) => f.write_str(e),
            StartError::Bind(address, e) => write!(f, "cannot listen on {address}: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

impl Gateway {
    /// Builds everything `config` needs: each provider discovered and its keys fetched,
    /// TLS files read. Nothing is in force until this has succeeded. With `previous` (a
    /// reload), its fleet's Redis connection and revocation set are carried over when
    /// `[redis]` and `[revocation]` are unchanged: a reload while Redis is down keeps the
    /// revocations held and how long they have been stale.
    ///
    /// # Errors
    /// The first provider or file that cannot be set up.
    pub async fn build(
        config: Config,
        generation: u64,
        previous: Option<&Gateway>,
    ) -> Result<Gateway, StartError> {
        let carried = previous
            .filter(|old| {
                old.config.redis == config.redis && old.config.revocation == config.revocation
            })
            .and_then(|old| Some((Arc::clone(old.fleet.as_ref()?), old.fleet_generation)));
        let mut builder = Authenticator::<Claims>::builder()
            .token_cache(config.token_cache)
            .trusted_proxies(config.trusted_proxies.iter().copied());
        if let Some(realm) = &config.realm {
            builder = builder.realm(realm);
        }
        if let Some(origin) = &config.public_origin {
            builder = builder.public_origin(origin);
        }
        for (claim, header) in &config.claim_headers {
            builder = builder.forward_claim(claim, header.as_str());
        }
        let redis = match &carried {
            Some((fleet, _)) => Ok(Some(fleet.redis().clone())),
            None => config
                .redis
                .as_ref()
                .map(crate::fleet::Redis::new)
                .transpose(),
        };
        let redis = redis.map_err(|e| StartError::File(format!("redis: {e}")))?;
        if let Some(redis) = &redis {
            // The fleet's key sets: one replica fetches per interval, the others use its set.
            let keys = crate::fleet::RedisKeySetExchange::new(redis.clone());
            builder = builder.key_set_exchange(keys);
            // The fleet's replay store: a DPoP proof is accepted once by all the replicas.
            builder = builder.replay_store(crate::fleet::RedisReplayStore::new(redis.clone()));
        } else {
            let store = jwt_core_tower::MemoryReplayStore::new(config.dpop_replay_capacity);
            builder = builder.replay_store(store);
        }
        for p in &config.providers {
            let mut provider = match &p.keys {
                Keys::Discover => Provider::discover(&p.issuer),
                Keys::JwksUri(uri) => Provider::with_jwks_uri(&p.issuer, uri),
                Keys::JwksFile(path) => {
                    let document = std::fs::read(path)
                        .map_err(|e| StartError::File(format!("{}: {e}", path.display())))?;
                    Provider::with_jwks(&p.issuer, &document)
                }
            };
            for audience in &p.audiences {
                provider = provider.audience(audience);
            }
            if p.profile == Profile::Jwt {
                provider = provider.jwt();
            }
            if !p.algorithms.is_empty() {
                provider = provider.assume_algorithms(&p.algorithms);
            }
            provider = provider
                .sender_constraint(p.sender_constraint)
                .key_cache(p.key_cache);
            if p.dpop_nonce {
                provider = provider.require_dpop_nonce();
            }
            if let Some(leeway) = p.leeway {
                provider = provider.leeway(leeway);
            }
            if let Some(introspection) = &p.introspection {
                provider =
                    provider.introspection(&introspection.client_id, &introspection.client_secret);
                if let Some(endpoint) = &introspection.endpoint {
                    provider = provider.introspection_endpoint(endpoint);
                }
                if let Some(prefix) = &introspection.token_prefix {
                    provider = provider.opaque_token_prefix(prefix);
                }
            }
            builder = builder.provider(provider);
        }
        let tls = match &config.tls {
            Some(files) => Some(crate::server::tls_acceptor(files).map_err(StartError::File)?),
            None => None,
        };
        let upstream = config
            .upstream
            .as_ref()
            .map(|uri| Upstream::new(uri.clone(), &config.proxy))
            .transpose()
            .map_err(|e| StartError::File(format!("upstream: {e}")))?;
        let auth = builder.build().await.map_err(StartError::Build)?;
        // The fleet's revocations, kept in memory; followed on the replay store's connection,
        // whose heartbeat then also says how Redis is (`/readyz`, `/metrics`).
        let fleet_generation = carried.as_ref().map_or(generation, |(_, started)| *started);
        let revocations = match (carried, &redis) {
            (Some((fleet, _)), _) => Some(fleet),
            (None, Some(redis)) => Some(Arc::new(
                crate::fleet::Revocations::start(redis, config.revocation)
                    .await
                    .map_err(|e| StartError::File(format!("redis: {e}")))?,
            )),
            (None, None) => None,
        };
        let fleet = revocations.clone();
        let revocations = revocations.as_ref();
        let realm = config.realm.as_deref();
        let routes = config
            .routes
            .iter()
            .map(|route| {
                Arc::new(Prepared::new(
                    &route.name,
                    &route.access,
                    realm,
                    revocations,
                ))
            })
            .collect();
        let unmatched = match config.unmatched {
            Unmatched::Authenticate => Access::Token {
                all_scopes: Vec::new(),
                any_scope: Vec::new(),
                claims: Vec::new(),
            },
            Unmatched::Deny => Access::Deny,
        };
        let unmatched = Arc::new(Prepared::new("unmatched", &unmatched, realm, revocations));
        let claim_headers = config
            .claim_headers
            .iter()
            .map(|(_, name)| name.clone())
            .collect();
        Ok(Gateway {
            config,
            auth,
            fleet,
            fleet_generation,
            generation,
            upstream,
            tls,
            routes,
            unmatched,
            claim_headers,
        })
    }

    /// Whether `peer` is a trusted proxy.
    pub fn trusts(&self, peer: &SocketAddr) -> bool {
        self.config.trusted_proxies.contains(&peer.ip())
    }

    /// The route covering `method` on the normalized `path`, or the unmatched one.
    fn route(&self, method: &Method, path: &str) -> &Arc<Prepared> {
        self.config
            .route(method, path)
            .and_then(|route| {
                let index = self
                    .config
                    .routes
                    .iter()
                    .position(|r| std::ptr::eq(r, route))?;
                self.routes.get(index)
            })
            .unwrap_or(&self.unmatched)
    }

    /// Whether `name` is a claim header, or one an upstream could take for it (`_` for `-`).
    fn is_claim_header(&self, name: &HeaderName) -> bool {
        let dashed = |s: &str| s.replace('_', "-");
        let name = dashed(name.as_str());
        self.config
            .claim_headers
            .iter()
            .any(|(_, header)| dashed(header.as_str()) == name)
    }

    /// Removes a client's copies of the claim headers.
    fn strip_claim_headers(&self, headers: &mut HeaderMap) {
        if self.config.claim_headers.is_empty() {
            return;
        }
        let forged: Vec<HeaderName> = headers
            .keys()
            .filter(|name| self.is_claim_header(name))
            .cloned()
            .collect();
        for name in forged {
            headers.remove(name);
        }
    }
}

/// What handling a request produced, for the access log and metrics.
pub(crate) struct Handled {
    pub(crate) response: Response<Body>,
    /// `None` when it was refused before a route was chosen.
    pub(crate) route: Option<Arc<Prepared>>,
    pub(crate) outcome: Outcome,
}

fn status(code: StatusCode, text: &'static str) -> Response<Body> {
    let body = if text.is_empty() { empty() } else { full(text) };
    let mut response = Response::new(body);
    *response.status_mut() = code;
    response
}

/// The request id header, made at compile time.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of a request: the client's `X-Request-Id` when it is short plain text, else a new
/// one.
pub(crate) fn request_id(headers: &HeaderMap) -> HeaderValue {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    if let Some(id) = headers.get(X_REQUEST_ID) {
        let plain = id.len() <= 128
            && !id.is_empty()
            && id
                .as_bytes()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if plain {
            return id.clone();
        }
    }
    let seed = *SEED.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        hasher.finish()
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // Written on the stack: 16 + 1 + at most 16 hex digits.
    let mut id = [0u8; 33];
    let mut rest = &mut id[..];
    let _ = std::io::Write::write_fmt(&mut rest, format_args!("{seed:016x}-{n:08x}"));
    let len = 33 - rest.len();
    id.get(..len)
        .and_then(|id| HeaderValue::from_bytes(id).ok())
        .unwrap_or_else(|| HeaderValue::from_static("0"))
}

/// `/readyz` while serving, one line for each part that is not well:
///
/// - 503 when the replica refuses every token: a provider without a usable key set (past
///   its `max_stale`: `no usable keys: <issuers>`), or revocations stale past their bound
///   with `policy = "fail_closed"`;
/// - 200 `degraded` when it serves with a part missing: Redis unreachable (DPoP proofs
///   refused with 503, bearer tokens accepted) or revocations stale. Every replica shares
///   the one Redis, so taking them out of rotation for it would turn a partial outage into
///   a whole one;
/// - 200 `ready` otherwise.
fn readiness(gateway: &Gateway) -> Response<Body> {
    let mut refusing = Vec::new();
    let mut degraded = Vec::new();
    let unusable: Vec<String> = gateway
        .auth
        .key_sets()
        .into_iter()
        .filter(|set| !set.usable())
        .map(|set| set.issuer)
        .collect();
    if !unusable.is_empty() {
        refusing.push(format!("no usable keys: {}", unusable.join(" ")));
    }
    if let Some(fleet) = &gateway.fleet {
        if !fleet.redis().available() {
            degraded.push("redis: unavailable: DPoP proofs refused (503)".to_owned());
        }
        let revocations = fleet.status();
        if let Some(stale) = revocations.stale_for {
            let (stale, bound) = (stale.as_secs_f64(), revocations.max_staleness.as_secs_f64());
            if revocations.refusing {
                refusing.push(format!(
                    "revocations: stale for {stale:.1} s, past their bound of {bound:.1} s: \
                     every token refused (503)"
                ));
            } else if revocations.past_bound {
                degraded.push(format!(
                    "revocations: stale for {stale:.1} s, past their bound of {bound:.1} s: \
                     checked against the last synced set (serve_stale)"
                ));
            } else {
                degraded.push(format!(
                    "revocations: stale for {stale:.1} s (bound {bound:.1} s)"
                ));
            }
        }
    }
    let (code, mut body) = match (refusing.is_empty(), degraded.is_empty()) {
        (true, true) => return status(StatusCode::OK, "ready\n"),
        (true, false) => (StatusCode::OK, String::from("degraded\n")),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, String::new()),
    };
    for line in refusing.iter().chain(&degraded) {
        body.push_str(line);
        body.push('\n');
    }
    let mut response = Response::new(full(body));
    *response.status_mut() = code;
    response
}

/// The fleet's state for `/metrics`; `None` without `[redis]`.
fn fleet_status(gateway: &Gateway) -> Option<crate::telemetry::FleetStatus> {
    let fleet = gateway.fleet.as_ref()?;
    let redis = fleet.redis();
    Some(crate::telemetry::FleetStatus {
        redis_up: redis.available(),
        redis_failures: redis.failures(),
        redis_latency: redis.latency().snapshot(),
        revocations: fleet.status(),
    })
}

/// Answers `request` with the configuration `gateway`. `request_id` goes upstream in proxy
/// mode.
pub(crate) async fn handle(
    gateway: Arc<Gateway>,
    telemetry: &Telemetry,
    ready: bool,
    connection: &Connection,
    mut request: Request<hyper::body::Incoming>,
    request_id: &HeaderValue,
) -> Handled {
    let other = |response| Handled {
        response,
        route: None,
        outcome: Outcome::Other,
    };
    let path = request.uri().path();
    match path {
        "/healthz" => return other(status(StatusCode::OK, "ok\n")),
        "/readyz" if !ready => {
            return other(status(StatusCode::SERVICE_UNAVAILABLE, "draining\n"));
        }
        "/readyz" => return other(readiness(&gateway)),
        "/metrics" => {
            telemetry.flush(gateway.generation, gateway.auth.metrics());
            telemetry.key_sets(&gateway.auth.key_sets());
            telemetry.fleet(gateway.fleet_generation, fleet_status(&gateway).as_ref());
            let mut response = Response::new(full(telemetry.encode()));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            return other(response);
        }
        _ => {}
    }
    let endpoint = &gateway.config.forward_auth.path;
    let forward_auth = path
        .strip_prefix(endpoint.as_str())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if forward_auth {
        let (parts, _) = request.into_parts();
        return forward_auth_answer(&gateway, telemetry, connection, parts).await;
    }
    if gateway.upstream.is_none() {
        return other(status(StatusCode::NOT_FOUND, "not found\n"));
    }
    let normalized = match normalized(request.uri().path()) {
        Ok(path) => path,
        Err(why) => {
            info!(%why, "path refused");
            return Handled {
                response: status(StatusCode::BAD_REQUEST, "bad path\n"),
                route: None,
                outcome: Outcome::InvalidRequest,
            };
        }
    };
    let route = Arc::clone(gateway.route(request.method(), &normalized));
    let extensions = request.extensions_mut();
    extensions.insert(ConnectInfo(connection.peer));
    if connection.tls {
        extensions.insert(SecureConnection);
    }
    if let Some(certificate) = &connection.certificate {
        extensions.insert(certificate.clone());
    }
    request
        .headers_mut()
        .insert(X_REQUEST_ID, request_id.clone());
    let proxy = {
        let gateway = Arc::clone(&gateway);
        let connection = connection.clone();
        move |request: Request<hyper::body::Incoming>| {
            let gateway = Arc::clone(&gateway);
            let connection = connection.clone();
            async move {
                match &gateway.upstream {
                    Some(upstream) => upstream.forward(&gateway, &connection, request).await,
                    None => (status(StatusCode::NOT_FOUND, "not found\n"), None),
                }
            }
        }
    };
    let rules = match &route.rule {
        Rule::Deny => {
            return Handled {
                response: status(StatusCode::FORBIDDEN, "forbidden\n"),
                route: Some(route),
                outcome: Outcome::Forbidden,
            };
        }
        Rule::Anonymous => {
            gateway.strip_claim_headers(request.headers_mut());
            // Only the trusted proxy's `Client-Cert` means anything upstream.
            if !gateway.trusts(&connection.peer) {
                request.headers_mut().remove("client-cert");
            }
            let (response, failure) = proxy(request).await;
            return Handled {
                response,
                route: Some(route),
                outcome: failure.unwrap_or(Outcome::Anonymous),
            };
        }
        Rule::Token(rules) => Arc::clone(rules),
    };
    let started = Instant::now();
    let failure = Arc::new(std::sync::Mutex::new(None));
    let inner = {
        let failure = Arc::clone(&failure);
        tower::service_fn(move |request: Request<hyper::body::Incoming>| {
            let (rules, proxy, failure) = (Arc::clone(&rules), proxy.clone(), Arc::clone(&failure));
            async move {
                if let Err(refused) = rules.check(&request) {
                    return Ok::<_, Infallible>(*refused);
                }
                let (response, outcome) = proxy(request).await;
                if let Ok(mut failure) = failure.lock() {
                    *failure = outcome;
                }
                Ok(response)
            }
        })
    };
    let response = gateway
        .auth
        .layer()
        .layer(inner)
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    telemetry.verification(started.elapsed());
    let proxied = failure.lock().ok().and_then(|mut f| f.take());
    let outcome = proxied.unwrap_or_else(|| Outcome::of_status(response.status().as_u16()));
    Handled {
        response,
        route: Some(route),
        outcome,
    }
}

/// A route's rules on an accepted token, with the scope lists of its challenges written
/// once.
struct Rules {
    all_scopes: Vec<String>,
    all_joined: String,
    any_scope: Vec<String>,
    any_joined: String,
    claims: Vec<(String, serde_json::Value)>,
    realm: Option<String>,
    /// The fleet's revocations (`[redis]`).
    revocations: Option<Arc<crate::fleet::Revocations>>,
}

impl Rules {
    /// The 403 answer if the accepted token in `request`'s extensions does not meet the
    /// rules, in the challenge of the scheme the request used (`Bearer`, or `DPoP` with the
    /// proof algorithms: RFC 9449 section 7.1).
    fn check<B>(&self, request: &Request<B>) -> Result<(), Box<Response<Body>>> {
        let granted = request.extensions().get::<GrantedScopes>();
        let has = |scope: &String| granted.is_some_and(|g| g.scopes().contains(scope));
        let refused = |scope: Option<&str>| {
            let realm = self.realm.as_deref();
            Box::new(match granted {
                Some(granted) => granted.refusal_response(Refusal::InsufficientScope, realm, scope),
                None => Refusal::InsufficientScope.response(realm, scope),
            })
        };
        // A revoked token is no longer valid: 401 `invalid_token`, as an inactive one.
        if let Some(revocations) = &self.revocations {
            let claims = request.extensions().get::<Verified<Claims>>();
            let verdict = claims.map_or(crate::fleet::Verdict::Allowed, |verified| {
                revocations.check(verified.claims())
            });
            match verdict {
                crate::fleet::Verdict::Allowed => {}
                crate::fleet::Verdict::Revoked => {
                    let realm = self.realm.as_deref();
                    return Err(Box::new(match granted {
                        Some(granted) => granted.refusal_response(Refusal::NotActive, realm, None),
                        None => Refusal::NotActive.response(realm, None),
                    }));
                }
                crate::fleet::Verdict::Unavailable => {
                    return Err(Box::new(status(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "revocations unavailable\n",
                    )));
                }
            }
        }
        if !self.all_scopes.iter().all(has) {
            return Err(refused(Some(&self.all_joined)));
        }
        if !self.any_scope.is_empty() && !self.any_scope.iter().any(has) {
            return Err(refused(Some(&self.any_joined)));
        }
        if self.claims.is_empty() {
            return Ok(());
        }
        let claims = request
            .extensions()
            .get::<Verified<Claims>>()
            .map(|v| v.claims());
        let meets =
            |(name, value): &(String, serde_json::Value)| match claims.and_then(|c| c.get(name)) {
                Some(serde_json::Value::Array(items)) => items.contains(value),
                Some(claim) => claim == value,
                None => false,
            };
        if !self.claims.iter().all(meets) {
            return Err(refused(None));
        }
        Ok(())
    }
}

/// Answers a forward-auth call: 200 with the claim headers, or the refusal.
async fn forward_auth_answer(
    gateway: &Gateway,
    telemetry: &Telemetry,
    connection: &Connection,
    parts: http::request::Parts,
) -> Handled {
    let invalid = |why: &str, route: Option<Arc<Prepared>>| {
        info!(%why, "forward-auth request refused");
        let mut response = Refusal::InvalidRequest.response(gateway.config.realm.as_deref(), None);
        *response.status_mut() = StatusCode::BAD_REQUEST;
        Handled {
            response,
            route,
            outcome: Outcome::InvalidRequest,
        }
    };
    // Only a trusted proxy says what the original request was.
    if !gateway.trusts(&connection.peer) {
        warn!(peer = %connection.peer.ip(), "forward-auth call from a peer not in trusted_proxies");
        return invalid("peer not trusted", None);
    }
    let original = match original(&parts, &gateway.config.forward_auth) {
        Ok(original) => original,
        Err(why) => return invalid(&why, None),
    };
    let path = match normalized(original.path()) {
        Ok(path) => path,
        Err(why) => return invalid(why, None),
    };
    let route = Arc::clone(gateway.route(&original.method, &path));
    let rules = match &route.rule {
        Rule::Anonymous => {
            let mut response = status(StatusCode::OK, "");
            for name in gateway.claim_headers.iter() {
                response
                    .headers_mut()
                    .insert(name.clone(), HeaderValue::from_static(""));
            }
            return Handled {
                response,
                route: Some(route),
                outcome: Outcome::Anonymous,
            };
        }
        Rule::Deny => {
            return Handled {
                response: status(StatusCode::FORBIDDEN, ""),
                route: Some(route),
                outcome: Outcome::Forbidden,
            };
        }
        Rule::Token(rules) => Arc::clone(rules),
    };
    // The original request, rebuilt for the layer: its URL is the one the proxy named (the
    // URI a DPoP proof must name), so proxy headers saying otherwise are dropped.
    let method = original.method.clone();
    let Some(uri) = original.into_uri() else {
        return invalid("the original URL", Some(route));
    };
    let mut rebuilt = Request::new(());
    *rebuilt.method_mut() = method;
    *rebuilt.uri_mut() = uri;
    let mut headers = parts.headers;
    for name in [
        http::header::FORWARDED,
        crate::original::X_FORWARDED_PROTO,
        crate::original::X_FORWARDED_HOST,
        http::header::HOST,
    ] {
        headers.remove(name);
    }
    *rebuilt.headers_mut() = headers;
    rebuilt
        .extensions_mut()
        .insert(ConnectInfo(connection.peer));
    let claim_headers = Arc::clone(&gateway.claim_headers);
    let inner = tower::service_fn(move |request: Request<()>| {
        let (rules, claim_headers) = (Arc::clone(&rules), Arc::clone(&claim_headers));
        async move {
            if let Err(refused) = rules.check(&request) {
                return Ok::<_, Infallible>(*refused);
            }
            // The layer removed the client's copies and set the accepted token's claims.
            // Every claim header is answered, empty when the token has no such claim: a
            // proxy that copies the answer's headers over the client's (Envoy, Traefik,
            // Caddy) then leaves no forged copy in place.
            let mut response = status(StatusCode::OK, "");
            for name in claim_headers.iter() {
                let value = request.headers().get(name).cloned();
                let value = value.unwrap_or_else(|| HeaderValue::from_static(""));
                response.headers_mut().insert(name.clone(), value);
            }
            Ok(response)
        }
    });
    let started = Instant::now();
    let response = gateway
        .auth
        .layer()
        .layer(inner)
        .oneshot(rebuilt)
        .await
        .unwrap_or_else(|e| match e {});
    telemetry.verification(started.elapsed());
    let outcome = Outcome::of_status(response.status().as_u16());
    Handled {
        response: one_challenge_field(response),
        route: Some(route),
        outcome,
    }
}

/// The answer with its challenges in one `WWW-Authenticate` field, comma-separated (RFC
/// 9110 section 11.6.1): proxies that copy one field of an auth answer (nginx before 1.23)
/// pass them all, the one carrying the error first.
fn one_challenge_field(mut response: Response<Body>) -> Response<Body> {
    let headers = response.headers_mut();
    if headers
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .count()
        > 1
    {
        let joined: Vec<&str> = headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if let Ok(value) = HeaderValue::from_str(&joined.join(", ")) {
            headers.insert(http::header::WWW_AUTHENTICATE, value);
        }
    }
    response
}
