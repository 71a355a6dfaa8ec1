//! The gateway's configuration: a TOML file (`--config`), or flags for the one-provider
//! case. Everything is checked before the gateway starts or a reload is applied: a file
//! with any error is refused whole, with every error found and its line.

use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::{HeaderName, Method, Uri};
use jwt_core::Algorithm;
use jwt_core_tower::{KeyCachePolicy, SenderConstraint};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// The checked configuration of a gateway.
#[derive(Debug, Clone)]
pub struct Config {
    /// Addresses to serve on (forward-auth endpoint, proxy, health and metrics).
    pub listen: Vec<SocketAddr>,
    /// Reverse-proxy mode: authenticated requests are sent here. Without it, forward-auth
    /// mode: only the auth endpoint, health and metrics are served.
    pub upstream: Option<Uri>,
    /// The forward-auth endpoint and the headers a proxy names the original request with.
    pub forward_auth: ForwardAuth,
    /// The trusted token issuers.
    pub providers: Vec<ProviderConfig>,
    /// Access rules by path prefix and method, the longest matching prefix first.
    pub routes: Vec<Route>,
    /// What a request no route matches needs.
    pub unmatched: Unmatched,
    /// Claims of accepted tokens passed on as headers: `(claim, header)`.
    pub claim_headers: Vec<(String, HeaderName)>,
    /// Verified tokens kept (0: the cache is off).
    pub token_cache: u64,
    /// DPoP proofs remembered for the replay check without `[redis]`: each is kept while it
    /// could be accepted (about five minutes), and a proof that finds the store full is
    /// refused (503), so this bounds the sustained DPoP request rate of one replica.
    pub dpop_replay_capacity: usize,
    /// Peers whose forwarded-request headers are believed (forward-auth headers,
    /// `X-Forwarded-*`, `Client-Cert`, `X-Request-Id`).
    pub trusted_proxies: Vec<IpAddr>,
    /// The scheme and authority clients use (`https://api.example`), which DPoP proofs name.
    pub public_origin: Option<String>,
    /// The `realm` of the challenges.
    pub realm: Option<String>,
    /// HTTPS on the listeners.
    pub tls: Option<TlsFiles>,
    /// Reverse-proxy timeouts.
    pub proxy: ProxySettings,
    /// Log format and level.
    pub log: LogSettings,
    /// How long SIGTERM waits for requests in flight before it closes what is left.
    pub drain_timeout: Duration,
    /// The Redis a fleet of replicas shares (DPoP replay store); without it each replica
    /// keeps its own state in memory.
    pub redis: Option<RedisSettings>,
    /// How a replica keeps the fleet's revocations (`[revocation]`; with a single `[redis]`).
    pub revocation: crate::fleet::RevocationSettings,
}

/// The fleet's Redis (`[redis]`, `--redis`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// `redis://` or `rediss://` URLs: the server, or a cluster's seed nodes.
    pub urls: Vec<String>,
    /// A Redis Cluster (keys spread over its masters by slot).
    pub cluster: bool,
    /// How long one operation may take before it counts as failed (default 250 ms).
    pub timeout: Duration,
    /// What every key the gateway writes starts with (default `jwt-gateway:`), so that
    /// fleets or environments can share one Redis.
    pub key_prefix: String,
}

/// The forward-auth endpoint.
#[derive(Debug, Clone)]
pub struct ForwardAuth {
    /// Its path (`/auth`); Envoy's `ext_authz` appends the original path to it.
    pub path: String,
    /// The header naming the original request's URI (nginx: `X-Original-URI`).
    pub original_uri_header: HeaderName,
    /// The header naming the original request's method (nginx: `X-Original-Method`).
    pub original_method_header: HeaderName,
}

/// One token issuer.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Its issuer identifier (`iss`).
    pub issuer: String,
    /// Where its keys come from.
    pub keys: Keys,
    /// The audiences its tokens must name (one of them).
    pub audiences: Vec<String>,
    /// The algorithms its published keys without `alg` may verify.
    pub algorithms: Vec<Algorithm>,
    /// Which validation profile its tokens get.
    pub profile: Profile,
    /// Bearer, DPoP, or either.
    pub sender_constraint: SenderConstraint,
    /// DPoP proofs must carry the gateway's nonce.
    pub dpop_nonce: bool,
    /// Clock leeway in seconds, if not the default.
    pub leeway: Option<u64>,
    /// RFC 7662 introspection of opaque tokens.
    pub introspection: Option<Introspection>,
    /// How long its key sets are used, and past their lifetime while it is unreachable
    /// (`[provider.key_cache]`; `/readyz` answers 503 past `max_stale`).
    pub key_cache: KeyCachePolicy,
}

/// Where a provider's keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    /// OpenID Connect discovery (then RFC 8414) from the issuer.
    Discover,
    /// A JWK Set URL, refreshed as its cache headers say.
    JwksUri(String),
    /// A JWK Set file, read at start and at each reload.
    JwksFile(PathBuf),
}

/// The validation profile of a provider's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// RFC 9068 access tokens (`typ` `at+jwt`, `iss`, `aud`, `exp`, `iat`, `sub`, `jti`,
    /// `client_id`).
    AccessToken,
    /// Any JWT with `iss`, `aud` and `exp` (providers that do not issue RFC 9068 tokens).
    Jwt,
}

/// RFC 7662 introspection credentials and options.
#[derive(Clone)]
pub struct Introspection {
    /// The gateway's client id at the provider.
    pub client_id: String,
    /// Its secret, read from a file or the environment (never from argv or the config).
    pub client_secret: String,
    /// The endpoint, if discovery does not name it.
    pub endpoint: Option<String>,
    /// The prefix of the provider's opaque tokens.
    pub token_prefix: Option<String>,
}

impl std::fmt::Debug for Introspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspection")
            .field("client_id", &self.client_id)
            .field("endpoint", &self.endpoint)
            .field("token_prefix", &self.token_prefix)
            .finish_non_exhaustive()
    }
}

/// An access rule.
#[derive(Debug, Clone)]
pub struct Route {
    /// Its name in metrics and logs (its prefix unless named).
    pub name: String,
    /// The path prefix it covers, on segment boundaries (`/orders` covers `/orders/1`,
    /// not `/ordersx`).
    pub prefix: String,
    /// The methods it covers; empty for all.
    pub methods: Vec<Method>,
    /// What it requires.
    pub access: Access,
}

/// What a route requires.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Nothing: no token is checked, no claim header is set.
    Anonymous,
    /// A valid token, with every scope of `all_scopes`, one of `any_scope` (if any), and
    /// each claim equal to its value (or, for an array claim, containing it).
    Token {
        /// Scopes the token must all have.
        all_scopes: Vec<String>,
        /// Scopes the token must have one of (empty: no such rule).
        any_scope: Vec<String>,
        /// Claims the token must carry with these values.
        claims: Vec<(String, serde_json::Value)>,
    },
    /// Refused (403) whatever the token.
    Deny,
}

/// What a request no route matches needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// A valid token, nothing more.
    Authenticate,
    /// Refused (403).
    Deny,
}

/// TLS certificate files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain (PEM).
    pub certificate: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// CAs whose client certificates are asked for (optional for clients), for
    /// certificate-bound tokens (RFC 8705).
    pub client_ca: Option<PathBuf>,
}

/// Reverse-proxy timeouts, and whom an `https` upstream must be certified by.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// Connecting to the upstream (502 past it).
    pub connect_timeout: Duration,
    /// From sending the request to the upstream's response head (504 past it).
    pub response_timeout: Duration,
    /// The CA certificates (PEM) an `https` upstream's certificate must chain to, instead
    /// of the system's.
    pub upstream_ca: Option<PathBuf>,
}

/// Log settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// Text or JSON lines.
    pub format: LogFormat,
    /// The least severe level written.
    pub level: tracing::Level,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable text.
    Text,
    /// One JSON object a line.
    Json,
}

/// The flags of the one-provider case, turned into a [`Config`] by [`Config::from_flags`].
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// The issuer (discovery starts here).
    pub issuer: String,
    /// Audiences tokens must name one of.
    pub audiences: Vec<String>,
    /// Scopes every route requires.
    pub scopes: Vec<String>,
    /// Addresses to listen on (default `127.0.0.1:8080`).
    pub listen: Vec<String>,
    /// Reverse-proxy mode to this URL.
    pub upstream: Option<String>,
    /// The forward-auth path (default `/auth`).
    pub auth_path: Option<String>,
    /// `claim=header` pairs.
    pub claim_headers: Vec<String>,
    /// Token cache capacity (default 10,000).
    pub token_cache: Option<u64>,
    /// Trusted proxies (default loopback).
    pub trusted_proxies: Vec<String>,
    /// JSON logs.
    pub log_json: bool,
    /// The fleet's Redis URLs (`--redis`); several are a cluster's seed nodes.
    pub redis: Vec<String>,
    /// The Redis is a cluster (`--redis-cluster`).
    pub redis_cluster: bool,
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line and column, when it points into a file.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a configuration: none of it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, if the configuration came from one.
    pub file: Option<PathBuf>,
    /// The problems, in the order of the file.
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "flags".to_string(), |f| f.display().to_string());
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match problem.position {
                Some((line, column)) => write!(f, "{file}:{line}:{column}: {}", problem.message)?,
                None => write!(f, "{file}: {}", problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Defaults.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_AUTH_PATH: &str = "/auth";
const DEFAULT_TOKEN_CACHE: u64 = 10_000;
/// About 80 MB of proofs: 3,300 DPoP requests/s per replica, sustained, within the
/// five-minute window a proof is remembered for.
const DEFAULT_DPOP_REPLAY_CAPACITY: usize = 1_000_000;
const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// Collects problems with their byte spans; turned into lines at the end.
struct Problems {
    found: Vec<(Option<Range<usize>>, String)>,
}

impl Problems {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.found.push((Some(span), message.into()));
    }

    fn toml(&mut self, error: &toml::de::Error) {
        self.found
            .push((error.span(), error.message().trim_end().to_string()));
    }
}

// The raw shapes of the file's sections, as serde reads them; checked into `Config`.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForwardAuth {
    path: Option<Spanned<String>>,
    original_uri_header: Option<Spanned<String>>,
    original_method_header: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    issuer: Spanned<String>,
    jwks_uri: Option<Spanned<String>>,
    jwks_file: Option<Spanned<String>>,
    #[serde(default)]
    audiences: Vec<Spanned<String>>,
    #[serde(default)]
    algorithms: Vec<Spanned<String>>,
    profile: Option<Spanned<String>>,
    dpop: Option<Spanned<String>>,
    #[serde(default)]
    dpop_nonce: bool,
    leeway: Option<u64>,
    introspection: Option<Spanned<RawIntrospection>>,
    key_cache: Option<RawKeyCache>,
}

/// `[provider.key_cache]`, in seconds: jwt-core-tower's `KeyCachePolicy`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyCache {
    min_age_s: Option<u64>,
    max_age_s: Option<u64>,
    refetch_interval_s: Option<u64>,
    max_stale_s: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntrospection {
    client_id: String,
    client_secret_file: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    token_prefix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    name: Option<String>,
    prefix: Spanned<String>,
    #[serde(default)]
    methods: Vec<Spanned<String>>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    any_scope: Vec<String>,
    #[serde(default)]
    claims: toml::Table,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    deny: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    certificate: Spanned<String>,
    key: Spanned<String>,
    client_ca: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProxy {
    connect_timeout_ms: Option<u64>,
    response_timeout_ms: Option<u64>,
    upstream_ca: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedis {
    url: Option<Spanned<String>>,
    #[serde(default)]
    urls: Vec<Spanned<String>>,
    #[serde(default)]
    cluster: bool,
    timeout_ms: Option<Spanned<u64>>,
    key_prefix: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevocation {
    max_staleness_ms: Option<Spanned<u64>>,
    policy: Option<Spanned<String>>,
    rescan_ms: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    format: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    ///
    /// # Errors
    /// Every problem found, with its line, or the file being unreadable.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: Some(path.to_path_buf()),
            problems: vec![Problem {
                position: None,
                message: e.to_string(),
            }],
        })?;
        Config::parse(&text, path.parent()).map_err(|mut e| {
            e.file = Some(path.to_path_buf());
            e
        })
    }

    /// Checks the TOML configuration `text`; relative file names in it are taken from
    /// `base` (the configuration file's directory).
    ///
    /// ```
    /// let config = jwt_gateway::Config::parse(r#"
    /// [[provider]]
    /// issuer = "https://idp.example"
    /// audiences = ["https://api.example"]
    ///
    /// [[route]]
    /// prefix = "/orders"
    /// methods = ["GET"]
    /// scopes = ["orders:read"]
    /// "#, None).unwrap();
    /// assert_eq!(config.routes[0].prefix, "/orders");
    ///
    /// let error = jwt_gateway::Config::parse("[[provider]]\nissuer = 5\n", None).unwrap_err();
    /// assert_eq!(error.problems[0].position.map(|(line, _)| line), Some(2));
    /// ```
    ///
    /// # Errors
    /// Every problem found, each with its line and column.
    pub fn parse(text: &str, base: Option<&Path>) -> Result<Config, ConfigError> {
        let mut problems = Problems { found: Vec::new() };
        let config = read(text, base, &mut problems);
        match config {
            Some(config) if problems.found.is_empty() => Ok(config),
            _ => {
                let mut found = problems.found;
                found.sort_by_key(|(span, _)| span.as_ref().map_or(0, |s| s.start));
                Err(ConfigError {
                    file: None,
                    problems: found
                        .into_iter()
                        .map(|(span, message)| Problem {
                            position: span.map(|s| line_and_column(text, s.start)),
                            message,
                        })
                        .collect(),
                })
            }
        }
    }

    /// The configuration of the one-provider case.
    ///
    /// ```
    /// let config = jwt_gateway::Config::from_flags(jwt_gateway::config::Flags {
    ///     issuer: "https://idp.example".into(),
    ///     audiences: vec!["https://api.example".into()],
    ///     scopes: vec!["orders:read".into()],
    ///     ..Default::default()
    /// }).unwrap();
    /// assert_eq!(config.forward_auth.path, "/auth");
    /// ```
    ///
    /// # Errors
    /// Every problem found.
    pub fn from_flags(flags: Flags) -> Result<Config, ConfigError> {
        // The same checks as a file's: the flags are written as the file they stand for.
        let mut text = String::new();
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        let list = |items: &[String]| {
            let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
            format!("[{}]", items.join(", "))
        };
        let listen = if flags.listen.is_empty() {
            vec![DEFAULT_LISTEN.to_string()]
        } else {
            flags.listen.clone()
        };
        text.push_str(&format!("listen = {}\n", list(&listen)));
        if let Some(upstream) = &flags.upstream {
            text.push_str(&format!("upstream = {}\n", quoted(upstream)));
        }
        if !flags.trusted_proxies.is_empty() {
            text.push_str(&format!(
                "trusted_proxies = {}\n",
                list(&flags.trusted_proxies)
            ));
        }
        if let Some(capacity) = flags.token_cache {
            text.push_str(&format!("token_cache = {capacity}\n"));
        }
        if flags.log_json {
            text.push_str("[log]\nformat = \"json\"\n");
        }
        if let Some(path) = &flags.auth_path {
            text.push_str(&format!("[forward_auth]\npath = {}\n", quoted(path)));
        }
        if !flags.redis.is_empty() || flags.redis_cluster {
            text.push_str(&format!(
                "[redis]\nurls = {}\ncluster = {}\n",
                list(&flags.redis),
                flags.redis_cluster
            ));
        }
        if !flags.claim_headers.is_empty() {
            text.push_str("[claim_headers]\n");
            for pair in &flags.claim_headers {
                let (claim, header) = pair.split_once('=').unwrap_or((pair, ""));
                text.push_str(&format!("{} = {}\n", quoted(claim), quoted(header)));
            }
        }
        text.push_str(&format!(
            "[[provider]]\nissuer = {}\naudiences = {}\n",
            quoted(&flags.issuer),
            list(&flags.audiences)
        ));
        if !flags.scopes.is_empty() {
            text.push_str(&format!(
                "[[route]]\nprefix = \"/\"\nscopes = {}\n",
                list(&flags.scopes)
            ));
        }
        Config::parse(&text, None).map_err(|e| ConfigError {
            file: None,
            problems: e
                .problems
                .into_iter()
                .map(|p| Problem {
                    position: None,
                    message: p.message,
                })
                .collect(),
        })
    }

    /// The route covering `method` on `path` (a normalized path), if any: the longest
    /// prefix, among routes naming the method or none.
    pub fn route(&self, method: &Method, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|route| route.methods.is_empty() || route.methods.contains(method))
            .filter(|route| covers(&route.prefix, path))
            .max_by_key(|route| (route.prefix.len(), !route.methods.is_empty()))
    }
}

/// Whether `prefix` covers `path` on a segment boundary.
fn covers(prefix: &str, path: &str) -> bool {
    match path.strip_prefix(prefix) {
        None => false,
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Deserializes one section, recording its error.
fn section<T: serde::de::DeserializeOwned>(
    value: &Spanned<DeValue<'_>>,
    problems: &mut Problems,
) -> Option<T> {
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(section) => Some(section),
        Err(error) => {
            problems.toml(&error);
            None
        }
    }
}

/// Each table of an array of tables (`[[provider]]`), or an error at `value`.
fn tables<'v, 'i>(
    value: &'v Spanned<DeValue<'i>>,
    name: &str,
    problems: &mut Problems,
) -> &'v [Spanned<DeValue<'i>>] {
    match value.get_ref().as_array() {
        Some(items) => items,
        None => {
            problems.at(
                value.span(),
                format!("`{name}` is a list of tables: [[{name}]]"),
            );
            &[]
        }
    }
}

fn read(text: &str, base: Option<&Path>, problems: &mut Problems) -> Option<Config> {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(error) => {
            problems.toml(&error);
            return None;
        }
    };
    let mut config = Config {
        listen: Vec::new(),
        upstream: None,
        forward_auth: ForwardAuth {
            path: DEFAULT_AUTH_PATH.into(),
            original_uri_header: HeaderName::from_static("x-original-uri"),
            original_method_header: HeaderName::from_static("x-original-method"),
        },
        providers: Vec::new(),
        routes: Vec::new(),
        unmatched: Unmatched::Authenticate,
        claim_headers: Vec::new(),
        token_cache: DEFAULT_TOKEN_CACHE,
        dpop_replay_capacity: DEFAULT_DPOP_REPLAY_CAPACITY,
        trusted_proxies: vec![
            IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ],
        public_origin: None,
        realm: None,
        tls: None,
        proxy: ProxySettings {
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(60),
            upstream_ca: None,
        },
        log: LogSettings {
            format: LogFormat::Text,
            level: tracing::Level::INFO,
        },
        drain_timeout: Duration::from_secs(30),
        redis: None,
        revocation: crate::fleet::RevocationSettings::default(),
    };
    let file = |name: &Spanned<String>| -> PathBuf {
        let path = PathBuf::from(name.get_ref());
        match base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path,
        }
    };
    let mut providers_span = None;
    let mut revocation_span = None;
    for (key, value) in root.get_ref().iter() {
        let span = key.span();
        match &**key.get_ref() {
            "listen" => {
                // One address, or a list of them.
                let listen: Option<Vec<Spanned<String>>> = match value.get_ref().as_str() {
                    Some(_) => section::<Spanned<String>>(value, problems).map(|one| vec![one]),
                    None => section(value, problems),
                };
                for address in listen.unwrap_or_default() {
                    match address.get_ref().parse::<SocketAddr>() {
                        Ok(address) => config.listen.push(address),
                        Err(_) => problems.at(
                            address.span(),
                            format!("{:?} is not an address:port", address.get_ref()),
                        ),
                    }
                }
            }
            "upstream" => {
                if let Some(upstream) = section::<Spanned<String>>(value, problems) {
                    // http:// or https:// (certified by [proxy] upstream_ca or the system).
                    config.upstream = checked_url(&upstream, problems, false);
                }
            }
            "public_origin" => {
                if let Some(origin) = section::<Spanned<String>>(value, problems) {
                    let uri = checked_url(&origin, problems, false);
                    if uri.is_some_and(|u| u.path() != "/" || origin.get_ref().ends_with('/')) {
                        problems.at(
                            origin.span(),
                            "a public origin is a scheme and authority, without a path",
                        );
                    }
                    config.public_origin = Some(origin.into_inner());
                }
            }
            "realm" => {
                if let Some(realm) = section::<Spanned<String>>(value, problems) {
                    if realm.get_ref().contains(['"', '\\']) || !visible(realm.get_ref()) {
                        problems.at(realm.span(), "a realm is printable ASCII without quotes");
                    }
                    config.realm = Some(realm.into_inner());
                }
            }
            "token_cache" => {
                if let Some(capacity) = section::<u64>(value, problems) {
                    config.token_cache = capacity;
                }
            }
            "dpop_replay_capacity" => {
                if let Some(capacity) = section::<Spanned<usize>>(value, problems) {
                    if *capacity.get_ref() == 0 {
                        problems.at(capacity.span(), "dpop_replay_capacity must be at least 1");
                    }
                    config.dpop_replay_capacity = capacity.into_inner();
                }
            }
            "drain_timeout_ms" => {
                if let Some(ms) = section::<u64>(value, problems) {
                    config.drain_timeout = Duration::from_millis(ms);
                }
            }
            "unmatched" => {
                if let Some(unmatched) = section::<Spanned<String>>(value, problems) {
                    config.unmatched = match unmatched.get_ref().as_str() {
                        "authenticate" => Unmatched::Authenticate,
                        "deny" => Unmatched::Deny,
                        _ => {
                            problems.at(
                                unmatched.span(),
                                "unmatched is \"authenticate\" or \"deny\"",
                            );
                            Unmatched::Deny
                        }
                    };
                }
            }
            "trusted_proxies" => {
                if let Some(proxies) = section::<Vec<Spanned<String>>>(value, problems) {
                    config.trusted_proxies.clear();
                    for proxy in proxies {
                        match proxy.get_ref().parse::<IpAddr>() {
                            Ok(ip) => config.trusted_proxies.push(ip),
                            Err(_) => problems.at(
                                proxy.span(),
                                format!("{:?} is not an IP address", proxy.get_ref()),
                            ),
                        }
                    }
                }
            }
            "forward_auth" => {
                if let Some(raw) = section::<RawForwardAuth>(value, problems) {
                    if let Some(path) = raw.path {
                        let valid = path.get_ref().starts_with('/')
                            && path.get_ref().len() > 1
                            && !path.get_ref().ends_with('/')
                            && path.get_ref().parse::<http::uri::PathAndQuery>().is_ok()
                            && !path.get_ref().contains(['?', '#']);
                        if !valid {
                            problems.at(
                                path.span(),
                                "the forward-auth path is an absolute path like \"/auth\", not ending in /",
                            );
                        }
                        config.forward_auth.path = path.into_inner();
                    }
                    if let Some(name) = raw.original_uri_header {
                        if let Some(name) = header_name(&name, problems) {
                            config.forward_auth.original_uri_header = name;
                        }
                    }
                    if let Some(name) = raw.original_method_header {
                        if let Some(name) = header_name(&name, problems) {
                            config.forward_auth.original_method_header = name;
                        }
                    }
                }
            }
            "claim_headers" => {
                if let Some(pairs) =
                    section::<std::collections::BTreeMap<String, Spanned<String>>>(value, problems)
                {
                    for (claim, header) in pairs {
                        if let Some(name) = header_name(&header, problems) {
                            if reserved_header(&name) {
                                problems.at(
                                    header.span(),
                                    format!(
                                        "{name} cannot carry a claim: the gateway or HTTP uses it"
                                    ),
                                );
                            } else if config.claim_headers.iter().any(|(_, n)| *n == name) {
                                problems.at(
                                    header.span(),
                                    format!("header {name} is set from two claims"),
                                );
                            } else {
                                config.claim_headers.push((claim, name));
                            }
                        }
                    }
                }
            }
            "tls" => {
                if let Some(raw) = section::<RawTls>(value, problems) {
                    let readable = |name: &Spanned<String>, problems: &mut Problems| {
                        let path = file(name);
                        if let Err(e) = std::fs::metadata(&path) {
                            problems.at(name.span(), format!("{}: {e}", path.display()));
                        }
                        path
                    };
                    config.tls = Some(TlsFiles {
                        certificate: readable(&raw.certificate, problems),
                        key: readable(&raw.key, problems),
                        client_ca: raw.client_ca.map(|ca| readable(&ca, problems)),
                    });
                }
            }
            "proxy" => {
                if let Some(raw) = section::<RawProxy>(value, problems) {
                    if let Some(ms) = raw.connect_timeout_ms {
                        config.proxy.connect_timeout = Duration::from_millis(ms);
                    }
                    if let Some(ms) = raw.response_timeout_ms {
                        config.proxy.response_timeout = Duration::from_millis(ms);
                    }
                    if let Some(name) = raw.upstream_ca {
                        let path = file(&name);
                        if let Err(e) = std::fs::metadata(&path) {
                            problems.at(name.span(), format!("{}: {e}", path.display()));
                        }
                        config.proxy.upstream_ca = Some(path);
                    }
                }
            }
            "redis" => {
                if let Some(raw) = section::<RawRedis>(value, problems) {
                    config.redis = redis(raw, span.clone(), problems);
                }
            }
            "revocation" => {
                revocation_span = Some(span.clone());
                if let Some(raw) = section::<RawRevocation>(value, problems) {
                    if let Some(ms) = raw.max_staleness_ms {
                        if *ms.get_ref() > 86_400_000 {
                            problems.at(ms.span(), "max_staleness_ms is at most 86400000");
                        }
                        config.revocation.max_staleness = Duration::from_millis(*ms.get_ref());
                    }
                    if let Some(ms) = raw.rescan_ms {
                        if !(100..=86_400_000).contains(ms.get_ref()) {
                            problems.at(ms.span(), "rescan_ms is from 100 to 86400000");
                        }
                        config.revocation.rescan = Some(Duration::from_millis(*ms.get_ref()));
                    }
                    if let Some(policy) = raw.policy {
                        config.revocation.policy = match policy.get_ref().as_str() {
                            "serve_stale" => crate::fleet::StalePolicy::ServeStale,
                            "fail_closed" => crate::fleet::StalePolicy::FailClosed,
                            _ => {
                                problems.at(
                                    policy.span(),
                                    "the policy is \"serve_stale\" or \"fail_closed\"",
                                );
                                crate::fleet::StalePolicy::ServeStale
                            }
                        };
                    }
                }
            }
            "log" => {
                if let Some(raw) = section::<RawLog>(value, problems) {
                    if let Some(format) = raw.format {
                        config.log.format = match format.get_ref().as_str() {
                            "text" => LogFormat::Text,
                            "json" => LogFormat::Json,
                            _ => {
                                problems
                                    .at(format.span(), "the log format is \"text\" or \"json\"");
                                LogFormat::Text
                            }
                        };
                    }
                    if let Some(level) = raw.level {
                        match level.get_ref().parse() {
                            Ok(parsed) => config.log.level = parsed,
                            Err(_) => problems.at(
                                level.span(),
                                "the log level is error, warn, info, debug or trace",
                            ),
                        }
                    }
                }
            }
            "provider" => {
                providers_span = Some(span.clone());
                for table in tables(value, "provider", problems) {
                    if let Some(raw) = section::<RawProvider>(table, problems) {
                        if let Some(provider) = provider(raw, &file, problems) {
                            config.providers.push(provider);
                        }
                    }
                }
            }
            "route" => {
                for table in tables(value, "route", problems) {
                    if let Some(raw) = section::<RawRoute>(table, problems) {
                        if let Some(route) = route(raw, table.span(), problems) {
                            if config
                                .routes
                                .iter()
                                .any(|r| r.prefix == route.prefix && r.methods == route.methods)
                            {
                                problems.at(
                                    table.span(),
                                    format!(
                                        "a route for {} with these methods is already configured",
                                        route.prefix
                                    ),
                                );
                            }
                            config.routes.push(route);
                        }
                    }
                }
            }
            other => problems.at(span, format!("unknown key `{other}`")),
        }
    }
    // Revocations live in the fleet's Redis (one server or a cluster).
    if let Some(span) = revocation_span {
        if config.redis.is_none() {
            problems.at(
                span,
                "[revocation] needs a [redis] table: the revocations are kept in Redis",
            );
        }
    }
    if config.providers.is_empty() && providers_span.is_none() {
        problems
            .found
            .push((None, "no [[provider]] configured".into()));
    }
    let mut issuers: Vec<&str> = config.providers.iter().map(|p| p.issuer.as_str()).collect();
    issuers.sort_unstable();
    if let Some(pair) = issuers.windows(2).find(|pair| pair.first() == pair.get(1)) {
        problems.at(
            providers_span.clone().unwrap_or(0..0),
            format!(
                "issuer {} is configured twice",
                pair.first().copied().unwrap_or_default()
            ),
        );
    }
    if config.listen.is_empty() {
        config.listen.push(DEFAULT_LISTEN.parse().ok()?);
    }
    let fa = &config.forward_auth.path;
    if config
        .routes
        .iter()
        .any(|r| config.upstream.is_some() && covers(fa, &r.prefix))
    {
        // A route under the auth endpoint could never be proxied: it would be answered as
        // a forward-auth request.
        problems.found.push((
            None,
            format!("in proxy mode no route may lie under the forward-auth path {fa}"),
        ));
    }
    Some(config)
}

/// The checked `[redis]` table.
fn redis(raw: RawRedis, span: Range<usize>, problems: &mut Problems) -> Option<RedisSettings> {
    let mut urls = Vec::new();
    for url in raw.url.into_iter().chain(raw.urls) {
        let valid = (url.get_ref().starts_with("redis://")
            || url.get_ref().starts_with("rediss://"))
            && redis::IntoConnectionInfo::into_connection_info(url.get_ref().as_str()).is_ok();
        if !valid {
            problems.at(
                url.span(),
                format!("{:?} is not a redis:// or rediss:// URL", url.get_ref()),
            );
        }
        urls.push(url.into_inner());
    }
    if urls.is_empty() {
        problems.at(span.clone(), "[redis] needs its url (or a cluster's urls)");
    }
    if urls.len() > 1 && !raw.cluster {
        problems.at(
            span,
            "several Redis urls are a cluster's seed nodes: set cluster = true",
        );
    }
    let timeout = match raw.timeout_ms {
        Some(ms) if *ms.get_ref() == 0 || *ms.get_ref() > 60_000 => {
            problems.at(ms.span(), "timeout_ms is between 1 and 60000");
            DEFAULT_REDIS_TIMEOUT
        }
        Some(ms) => Duration::from_millis(*ms.get_ref()),
        None => DEFAULT_REDIS_TIMEOUT,
    };
    // A brace in the prefix would make Redis Cluster hash it instead of the gateway's own
    // hash tags, which keep each group of keys (the revocations, a key set and its lock)
    // in one slot.
    if let Some(prefix) = &raw.key_prefix {
        if prefix.get_ref().contains(['{', '}']) {
            problems.at(prefix.span(), "key_prefix may not contain { or }");
        }
    }
    Some(RedisSettings {
        urls,
        cluster: raw.cluster,
        timeout,
        key_prefix: raw
            .key_prefix
            .map_or_else(|| "jwt-gateway:".into(), Spanned::into_inner),
    })
}

/// Headers a claim may not be written to: those HTTP or the gateway gives a meaning.
fn reserved_header(name: &HeaderName) -> bool {
    const RESERVED: [&str; 19] = [
        "authorization",
        "dpop",
        "host",
        "connection",
        "content-length",
        "content-type",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "keep-alive",
        "proxy-connection",
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "cookie",
        "client-cert",
        "x-request-id",
    ];
    RESERVED.contains(&name.as_str())
        || name.as_str().starts_with("x-original-")
        || name.as_str().starts_with("x-forwarded-")
}

fn visible(text: &str) -> bool {
    text.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

fn header_name(name: &Spanned<String>, problems: &mut Problems) -> Option<HeaderName> {
    match HeaderName::from_bytes(name.get_ref().as_bytes()) {
        Ok(parsed) => Some(parsed),
        Err(_) => {
            problems.at(
                name.span(),
                format!("{:?} is not a header name", name.get_ref()),
            );
            None
        }
    }
}

/// An absolute `http`/`https` URL.
fn checked_url(url: &Spanned<String>, problems: &mut Problems, path_ok: bool) -> Option<Uri> {
    let _ = path_ok;
    match url.get_ref().parse::<Uri>() {
        Ok(uri)
            if matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && uri.query().is_none() =>
        {
            Some(uri)
        }
        _ => {
            problems.at(
                url.span(),
                format!("{:?} is not an http(s) URL without a query", url.get_ref()),
            );
            None
        }
    }
}

fn provider(
    raw: RawProvider,
    file: &dyn Fn(&Spanned<String>) -> PathBuf,
    problems: &mut Problems,
) -> Option<ProviderConfig> {
    let before = problems.found.len();
    let issuer = raw.issuer;
    if issuer.get_ref().parse::<Uri>().map_or(true, |u| {
        !matches!(u.scheme_str(), Some("http" | "https")) || u.authority().is_none()
    }) {
        problems.at(
            issuer.span(),
            format!("issuer {:?} is not an http(s) URL", issuer.get_ref()),
        );
    }
    let keys = match (raw.jwks_uri, raw.jwks_file) {
        (Some(uri), Some(file)) => {
            problems.at(
                file.span(),
                "jwks_uri and jwks_file are two sources of keys: give one",
            );
            let _ = uri;
            Keys::Discover
        }
        (Some(uri), None) => {
            checked_url(&uri, problems, true);
            Keys::JwksUri(uri.into_inner())
        }
        (None, Some(name)) => {
            let path = file(&name);
            if let Err(e) = std::fs::read(&path) {
                problems.at(name.span(), format!("{}: {e}", path.display()));
            }
            Keys::JwksFile(path)
        }
        (None, None) => Keys::Discover,
    };
    let profile = match raw.profile.as_ref().map(|p| p.get_ref().as_str()) {
        None | Some("access_token") => Profile::AccessToken,
        Some("jwt") => Profile::Jwt,
        Some(_) => {
            let span = raw.profile.as_ref().map_or(0..0, Spanned::span);
            problems.at(span, "profile is \"access_token\" (RFC 9068) or \"jwt\"");
            Profile::AccessToken
        }
    };
    if raw.audiences.is_empty() {
        problems.at(
            issuer.span(),
            "audiences: the provider needs at least one audience (this gateway's identifier)",
        );
    }
    let sender_constraint = match raw.dpop.as_ref().map(|d| d.get_ref().as_str()) {
        None | Some("allowed") => SenderConstraint::BearerOrDpop,
        Some("required") => SenderConstraint::Dpop,
        Some("refused") => SenderConstraint::Bearer,
        Some(_) => {
            let span = raw.dpop.as_ref().map_or(0..0, Spanned::span);
            problems.at(span, "dpop is \"allowed\", \"required\" or \"refused\"");
            SenderConstraint::BearerOrDpop
        }
    };
    let mut algorithms = Vec::new();
    for name in &raw.algorithms {
        match Algorithm::from_name(name.get_ref()) {
            Some(alg) => algorithms.push(alg),
            None => problems.at(
                name.span(),
                format!("{:?} is not a JWS algorithm", name.get_ref()),
            ),
        }
    }
    let introspection = raw.introspection.map(|spanned| {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let secret = match (&raw.client_secret_file, &raw.client_secret_env) {
            (Some(name), None) => {
                let path = file(name);
                match std::fs::read_to_string(&path) {
                    Ok(secret) => secret.trim_end_matches(['\r', '\n']).to_string(),
                    Err(e) => {
                        problems.at(name.span(), format!("{}: {e}", path.display()));
                        String::new()
                    }
                }
            }
            (None, Some(variable)) => match std::env::var(variable.get_ref()) {
                Ok(secret) => secret,
                Err(_) => {
                    problems.at(
                        variable.span(),
                        format!("environment variable {} is not set", variable.get_ref()),
                    );
                    String::new()
                }
            },
            _ => {
                problems.at(
                    span.clone(),
                    "introspection needs one of client_secret_file and client_secret_env \
                     (a secret is never written in the configuration)",
                );
                String::new()
            }
        };
        if secret.is_empty() && problems.found.len() == before {
            problems.at(span, "the introspection secret is empty");
        }
        if let Some(endpoint) = &raw.endpoint {
            checked_url(endpoint, problems, true);
        }
        Introspection {
            client_id: raw.client_id,
            client_secret: secret,
            endpoint: raw.endpoint.map(Spanned::into_inner),
            token_prefix: raw.token_prefix,
        }
    });
    let mut key_cache = KeyCachePolicy::default();
    if let Some(raw) = raw.key_cache {
        let seconds = |s: Option<u64>, default: Duration| s.map_or(default, Duration::from_secs);
        key_cache.min_age = seconds(raw.min_age_s, key_cache.min_age);
        key_cache.max_age = seconds(raw.max_age_s, key_cache.max_age);
        key_cache.forced_refresh_interval =
            seconds(raw.refetch_interval_s, key_cache.forced_refresh_interval);
        key_cache.max_stale = seconds(raw.max_stale_s, key_cache.max_stale);
    }
    Some(ProviderConfig {
        issuer: issuer.into_inner(),
        keys,
        audiences: raw.audiences.into_iter().map(Spanned::into_inner).collect(),
        algorithms,
        profile,
        sender_constraint,
        dpop_nonce: raw.dpop_nonce,
        leeway: raw.leeway,
        introspection,
        key_cache,
    })
}

fn route(raw: RawRoute, span: Range<usize>, problems: &mut Problems) -> Option<Route> {
    let prefix = raw.prefix;
    if !prefix.get_ref().starts_with('/')
        || prefix.get_ref().contains(['?', '#', '%'])
        || prefix.get_ref().split('/').any(|s| s == "." || s == "..")
        || prefix.get_ref().contains("//")
    {
        problems.at(
            prefix.span(),
            "a route prefix is a normalized absolute path (\"/orders\"), without query, %, . or ..",
        );
    }
    let mut methods = Vec::new();
    for method in &raw.methods {
        match Method::from_bytes(method.get_ref().to_ascii_uppercase().as_bytes()) {
            Ok(m) => methods.push(m),
            Err(_) => problems.at(
                method.span(),
                format!("{:?} is not a method", method.get_ref()),
            ),
        }
    }
    let rules = !raw.scopes.is_empty() || !raw.any_scope.is_empty() || !raw.claims.is_empty();
    let access = match (raw.anonymous, raw.deny) {
        (true, true) => {
            problems.at(span, "a route is anonymous or deny, not both");
            Access::Deny
        }
        (true, false) if rules => {
            problems.at(
                span,
                "an anonymous route checks no token: it cannot require scopes or claims",
            );
            Access::Anonymous
        }
        (true, false) => Access::Anonymous,
        (false, true) => Access::Deny,
        (false, false) => {
            let mut claims = Vec::new();
            for (name, value) in raw.claims {
                let json = match value {
                    toml::Value::String(s) => serde_json::Value::String(s),
                    toml::Value::Integer(i) => serde_json::Value::from(i),
                    toml::Value::Boolean(b) => serde_json::Value::Bool(b),
                    _ => {
                        problems.at(
                            span.clone(),
                            format!(
                                "claim {name}: only strings, integers and booleans are compared"
                            ),
                        );
                        continue;
                    }
                };
                claims.push((name, json));
            }
            Access::Token {
                all_scopes: raw.scopes,
                any_scope: raw.any_scope,
                claims,
            }
        }
    };
    let prefix = prefix.into_inner();
    Some(Route {
        name: raw.name.unwrap_or_else(|| prefix.clone()),
        prefix,
        methods,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(usize, String)> {
        Config::parse(text, None)
            .unwrap_err()
            .problems
            .into_iter()
            .map(|p| (p.position.map_or(0, |(line, _)| line), p.message))
            .collect()
    }

    const PROVIDER: &str =
        "[[provider]]\nissuer = \"https://idp.example\"\naudiences = [\"urn:api\"]\n";

    #[test]
    fn every_error_is_reported_with_its_line() {
        let text = format!(
            "listen = \"nowhere\"\ntrusted_proxies = [\"10.0.0.1\", \"ten\"]\n{PROVIDER}\
             [[route]]\nprefix = \"orders\"\nmethods = [\"G ET\"]\n\
             [[route]]\nprefix = \"/a\"\nanonymous = true\nscopes = [\"x\"]\n\
             [claim_headers]\nsub = \"x user\"\n[log]\nformat = \"xml\"\n"
        );
        let found = problems(&text);
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 7, 8, 9, 14, 16], "{found:#?}");
    }

    #[test]
    fn a_type_error_in_one_section_does_not_hide_the_others() {
        let text = "[[provider]]\nissuer = 5\n[[provider]]\nissuer = \"https://b\"\naudiences = [\"a\"]\nalgorithms = [\"XS256\"]\n[nonsense]\n";
        let lines: Vec<usize> = problems(text).iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 6, 7]);
    }

    #[test]
    fn secrets_come_from_the_environment_or_a_file_never_the_config() {
        let text = format!(
            "{PROVIDER}[provider.introspection]\nclient_id = \"gw\"\nclient_secret = \"s\"\n"
        );
        assert!(
            problems(&text)[0].1.contains("client_secret"),
            "{:?}",
            problems(&text)
        );
        let text = format!(
            "{PROVIDER}[provider.introspection]\nclient_id = \"gw\"\nclient_secret_env = \"JWT_GATEWAY_TEST_UNSET_VARIABLE\"\n"
        );
        assert_eq!(problems(&text)[0].0, 6);
    }

    #[test]
    fn routes_match_on_segments_longest_prefix_first() {
        let text = format!(
            "{PROVIDER}[[route]]\nprefix = \"/\"\nanonymous = true\n\
             [[route]]\nprefix = \"/orders\"\nscopes = [\"r\"]\n\
             [[route]]\nprefix = \"/orders\"\nmethods = [\"post\"]\nscopes = [\"w\"]\n\
             [[route]]\nprefix = \"/static/\"\ndeny = true\n"
        );
        let config = Config::parse(&text, None).unwrap();
        let name = |method: Method, path: &str| {
            config
                .route(&method, path)
                .map(|r| (r.prefix.as_str(), r.methods.len()))
        };
        assert_eq!(name(Method::GET, "/orders/1"), Some(("/orders", 0)));
        assert_eq!(name(Method::POST, "/orders"), Some(("/orders", 1)));
        assert_eq!(name(Method::GET, "/ordersx"), Some(("/", 0)));
        assert_eq!(name(Method::GET, "/static/a.css"), Some(("/static/", 0)));
        assert_eq!(name(Method::GET, "/static"), Some(("/", 0)));
    }

    #[test]
    fn the_dpop_replay_capacity_is_at_least_one() {
        let parsed = |text: &str| Config::parse(&format!("{text}{PROVIDER}"), None);
        assert_eq!(parsed("").unwrap().dpop_replay_capacity, 1_000_000);
        assert_eq!(
            parsed("dpop_replay_capacity = 5\n")
                .unwrap()
                .dpop_replay_capacity,
            5
        );
        let refused = problems(&format!("dpop_replay_capacity = 0\n{PROVIDER}"));
        assert_eq!(
            refused.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [1]
        );
    }

    #[test]
    fn the_redis_table_is_checked() {
        let config = Config::parse(
            &format!("{PROVIDER}[redis]\nurl = \"redis://127.0.0.1:6379\"\ntimeout_ms = 100\n"),
            None,
        )
        .unwrap();
        let redis = config.redis.unwrap();
        assert_eq!(redis.urls, ["redis://127.0.0.1:6379"]);
        assert!(!redis.cluster);
        assert_eq!(redis.timeout, Duration::from_millis(100));
        assert_eq!(redis.key_prefix, "jwt-gateway:");
        assert!(Config::parse(PROVIDER, None).unwrap().redis.is_none());
        let lines = |text: &str| -> Vec<usize> {
            problems(&format!("{PROVIDER}{text}"))
                .into_iter()
                .map(|(line, _)| line)
                .collect()
        };
        // Not a Redis URL; several seeds without cluster; no URL; a zero timeout.
        assert_eq!(lines("[redis]\nurl = \"http://x\"\n"), [5]);
        assert_eq!(
            lines("[redis]\nurls = [\"redis://a:1\", \"redis://b:1\"]\n"),
            [4]
        );
        assert_eq!(lines("[redis]\ncluster = true\n"), [4]);
        assert_eq!(
            lines("[redis]\nurl = \"redis://a:1\"\ntimeout_ms = 0\n"),
            [6]
        );
        // A prefix with a hash tag of its own.
        assert_eq!(
            lines("[redis]\nurl = \"redis://a:1\"\nkey_prefix = \"{a}:\"\n"),
            [6]
        );
        let flags = Config::from_flags(Flags {
            issuer: "http://127.0.0.1:9".into(),
            audiences: vec!["urn:a".into()],
            redis: vec!["rediss://a:1".into(), "rediss://b:1".into()],
            redis_cluster: true,
            ..Flags::default()
        })
        .unwrap();
        let redis = flags.redis.unwrap();
        assert!(redis.cluster);
        assert_eq!(redis.urls.len(), 2);
    }

    #[test]
    fn flags_make_the_one_provider_configuration() {
        let config = Config::from_flags(Flags {
            issuer: "http://127.0.0.1:9".into(),
            audiences: vec!["urn:a".into()],
            scopes: vec!["a".into(), "b".into()],
            claim_headers: vec!["sub=x-user".into()],
            upstream: Some("http://127.0.0.1:10".into()),
            ..Flags::default()
        })
        .unwrap();
        assert_eq!(config.listen, ["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(
            config.claim_headers,
            [("sub".to_string(), HeaderName::from_static("x-user"))]
        );
        assert_eq!(
            config.routes[0].access,
            Access::Token {
                all_scopes: vec!["a".into(), "b".into()],
                any_scope: vec![],
                claims: vec![]
            }
        );
        let error = Config::from_flags(Flags {
            issuer: "not a url".into(),
            ..Flags::default()
        })
        .unwrap_err();
        assert_eq!(error.problems.len(), 2, "{error}");
    }
}
