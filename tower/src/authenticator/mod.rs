//! The shared verifier behind the layer: its providers, the verified-token cache, the
//! introspection cache and the counters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue};
use jwt_core::json::{self, Value};
use jwt_core::{RegisteredClaims, bearer};
use moka::Expiry;
use moka::sync::Cache;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tracing::{Instrument, debug, trace, warn};

use crate::discovery::discover;
use crate::fetch::{FetchError, Fetcher, HttpLimits};
use crate::keys::ProviderKeys;
use crate::metrics::{Metrics, MetricsSnapshot, bump};
use crate::provider::{Introspection, KeysFrom, Provider};
use crate::refusal::Refusal;

/// What the layer puts in the request's extensions for an accepted token: the typed claims,
/// the scopes granted and the issuer. Cheap to clone.
///
/// ```
/// # async fn handler(axum_request: http::Request<()>) {
/// use jwt_core_tower::Verified;
/// #[derive(serde::Deserialize)]
/// struct Claims { sub: String }
/// if let Some(verified) = axum_request.extensions().get::<Verified<Claims>>() {
///     println!("{} from {}", verified.claims().sub, verified.issuer());
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct Verified<T> {
    claims: Arc<T>,
    scopes: Arc<str>,
    issuer: Arc<str>,
    introspected: bool,
    forwarded: Arc<[(HeaderName, HeaderValue)]>,
}

impl<T> Clone for Verified<T> {
    fn clone(&self) -> Self {
        Verified {
            claims: Arc::clone(&self.claims),
            scopes: Arc::clone(&self.scopes),
            issuer: Arc::clone(&self.issuer),
            introspected: self.introspected,
            forwarded: Arc::clone(&self.forwarded),
        }
    }
}

impl<T> Verified<T> {
    /// The token's claims (for an opaque token: the introspection answer), as the
    /// application's type.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The granted scopes (`scope`, or `scp` joined with spaces), space-delimited.
    pub fn scopes(&self) -> jwt_core::scope::Scopes<'_> {
        jwt_core::scope::Scopes::Delimited(&self.scopes)
    }

    /// The issuer of the provider that accepted the token.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The granted scopes as one shared string (for [`GrantedScopes`](crate::GrantedScopes)).
    pub(crate) fn scopes_text(&self) -> Arc<str> {
        Arc::clone(&self.scopes)
    }

    /// Whether the token was opaque and accepted by RFC 7662 introspection.
    pub fn introspected(&self) -> bool {
        self.introspected
    }

    /// The request headers made from claims ([`AuthenticatorBuilder::forward_claim`]).
    pub fn forwarded_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.forwarded
    }
}

/// Why an authenticator could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// No provider was configured.
    NoProvider,
    /// Two providers have the same issuer.
    DuplicateIssuer(String),
    /// A header name given to [`AuthenticatorBuilder::forward_claim`] is not valid.
    InvalidHeaderName(String),
    /// These providers (their issuers) introspect opaque tokens and nothing chooses
    /// between them: an opaque token would be disclosed to each. Give all but one a
    /// [`Provider::opaque_token_prefix`], or opt in to
    /// [`AuthenticatorBuilder::introspect_in_turn`].
    AmbiguousIntrospection(Vec<String>),
    /// The [`Provider::opaque_token_prefix`]es of these two providers (their issuers)
    /// overlap: one starts with the other, so a token could belong to either.
    OverlappingTokenPrefixes(String, String),
    /// The provider's metadata or keys could not be had.
    Provider {
        /// The provider's issuer.
        issuer: String,
        /// What went wrong.
        error: FetchError,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::NoProvider => f.write_str("no provider configured"),
            BuildError::DuplicateIssuer(issuer) => write!(f, "issuer {issuer} configured twice"),
            BuildError::InvalidHeaderName(name) => write!(f, "{name:?} is not a header name"),
            BuildError::AmbiguousIntrospection(issuers) => write!(
                f,
                "providers {} all introspect opaque tokens: give all but one an opaque token \
                 prefix, or opt in to introspecting in turn (every opaque token is then sent \
                 to each of them)",
                issuers.join(", ")
            ),
            BuildError::OverlappingTokenPrefixes(first, second) => write!(
                f,
                "the opaque token prefixes of {first} and {second} overlap: a token could \
                 belong to either"
            ),
            BuildError::Provider { issuer, error } => write!(f, "provider {issuer}: {error}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Configures an [`Authenticator`].
#[derive(Debug)]
pub struct AuthenticatorBuilder<T> {
    providers: Vec<Provider>,
    token_cache: u64,
    forward: Vec<(String, String)>,
    realm: Option<String>,
    clock: fn() -> u64,
    http: HttpLimits,
    introspect_in_turn: bool,
    _claims: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + Sync + 'static> AuthenticatorBuilder<T> {
    /// Trusts `provider` too. A token goes to the provider its `iss` names, and is checked
    /// with that provider's keys and rules alone.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Keeps up to `capacity` verified tokens, keyed by the SHA-256 of the whole token, so a
    /// client reusing its token is not verified again. A hit is re-checked against the clock
    /// (it never outlives `exp`), and entries die when their provider's key set changes.
    /// Off (zero) by default.
    pub fn token_cache(mut self, capacity: u64) -> Self {
        self.token_cache = capacity;
        self
    }

    /// Adds the claim `claim` of accepted tokens to the request as header `header` (for an
    /// upstream service). Strings are copied, numbers and booleans written as JSON; an array
    /// of those is a comma-separated list (RFC 9110 section 5.6.1) whose elements are had
    /// back exactly by splitting at commas, so `["user","admin"]` is `user,admin` and
    /// `["user,admin"]`, which would read the same, is not forwarded: an array is left out
    /// whole when an element is empty, contains a comma or a double quote, or begins or
    /// ends with a space. A value with a character a header cannot carry safely (control
    /// characters, non-ASCII) is left out too. A string claim is one value, commas
    /// included: read as a list only a header made from an array claim.
    ///
    /// The client's own copy of `header` is always removed, so it cannot be forged; so are
    /// headers whose names differ from it only by `_` for `-` (`x_user` beside `x-user`),
    /// which many servers take for the same header.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder()
    ///     .forward_claim("sub", "x-user")
    ///     .forward_claim("roles", "x-roles");
    /// # let _ = builder;
    /// ```
    pub fn forward_claim(mut self, claim: &str, header: &str) -> Self {
        self.forward.push((claim.to_string(), header.to_string()));
        self
    }

    /// Sends an opaque token that no [`Provider::opaque_token_prefix`] claims to every
    /// provider introspecting without a prefix, in the order configured, until one says it
    /// is active.
    ///
    /// This discloses each such token to every one of those providers: any of them can
    /// keep and replay the tokens of the others. Use it only when they are one trust
    /// domain. Without it an opaque token goes to one provider only, and
    /// [`build`](Self::build) refuses a configuration where that one is not determined
    /// ([`BuildError::AmbiguousIntrospection`]).
    ///
    /// ```
    /// use jwt_core_tower::{Authenticator, Provider};
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// // Two realms of one identity service, which may see each other's tokens.
    /// let builder = Authenticator::<Claims>::builder()
    ///     .provider(Provider::discover("https://idp.example/staff").introspection("gw", "s1"))
    ///     .provider(Provider::discover("https://idp.example/customers").introspection("gw", "s2"))
    ///     .introspect_in_turn();
    /// # let _ = builder;
    /// ```
    pub fn introspect_in_turn(mut self) -> Self {
        self.introspect_in_turn = true;
        self
    }

    /// The `realm` of the `WWW-Authenticate` challenges.
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = Some(realm.to_string());
        self
    }

    /// The clock (Unix seconds) tokens are checked against. Default [`jwt_core::now`].
    pub fn clock(mut self, clock: fn() -> u64) -> Self {
        self.clock = clock;
        self
    }

    /// Limits on the requests made to providers.
    pub fn http_limits(mut self, limits: HttpLimits) -> Self {
        self.http = limits;
        self
    }

    /// Discovers each provider and fetches its keys, then starts the background refreshes
    /// (it must run inside a tokio runtime). A provider that cannot be reached now is a
    /// configuration error; once running, outages are absorbed as [`KeyCachePolicy`]
    /// says.
    ///
    /// [`KeyCachePolicy`]: crate::KeyCachePolicy
    ///
    /// # Errors
    /// [`BuildError`] for the first provider that cannot be set up.
    pub async fn build(self) -> Result<Authenticator<T>, BuildError> {
        if self.providers.is_empty() {
            return Err(BuildError::NoProvider);
        }
        one_introspector_per_token(&self.providers, self.introspect_in_turn)?;
        let metrics = Arc::new(Metrics::default());
        let fetcher = Fetcher::new(self.http).map_err(|error| BuildError::Provider {
            issuer: String::new(),
            error,
        })?;
        let mut forward = Vec::new();
        for (claim, header) in self.forward {
            let name = HeaderName::try_from(header.as_str())
                .map_err(|_| BuildError::InvalidHeaderName(header.clone()))?;
            forward.push((claim, name));
        }
        let mut providers: Vec<ProviderState> = Vec::new();
        for provider in self.providers {
            if providers.iter().any(|p| p.config.issuer == provider.issuer) {
                return Err(BuildError::DuplicateIssuer(provider.issuer));
            }
            let failed = |error| BuildError::Provider {
                issuer: provider.issuer.clone(),
                error,
            };
            let issuer = provider.issuer.as_str();
            let mut introspection_endpoint = provider
                .introspection
                .as_ref()
                .and_then(|i| i.endpoint.clone());
            let keys = match &provider.keys {
                KeysFrom::Document(document) => Arc::new(
                    ProviderKeys::fixed(issuer, document, fetcher.clone(), metrics.clone())
                        .map_err(failed)?,
                ),
                KeysFrom::JwksUri(uri) => ProviderKeys::remote(
                    issuer,
                    uri,
                    provider.key_cache,
                    fetcher.clone(),
                    metrics.clone(),
                )
                .await
                .map_err(failed)?,
                KeysFrom::Discovery => {
                    let metadata = discover(&fetcher, issuer).await.map_err(failed)?;
                    if introspection_endpoint.is_none() {
                        introspection_endpoint = metadata.introspection_endpoint;
                    }
                    ProviderKeys::remote(
                        issuer,
                        &metadata.jwks_uri,
                        provider.key_cache,
                        fetcher.clone(),
                        metrics.clone(),
                    )
                    .await
                    .map_err(failed)?
                }
            };
            let introspection_endpoint = match (&provider.introspection, introspection_endpoint) {
                (Some(_), None) => {
                    return Err(failed(FetchError::Invalid(
                        "introspection configured but no endpoint known".into(),
                    )));
                }
                (Some(_), Some(endpoint)) => Some(endpoint),
                (None, _) => None,
            };
            providers.push(ProviderState {
                issuer: Arc::from(issuer),
                keys,
                introspection_endpoint,
                config: provider,
            });
        }
        let token_cache = (self.token_cache > 0).then(|| {
            Cache::builder()
                .max_capacity(self.token_cache)
                .expire_after(UntilExpiry)
                .build()
        });
        let introspection_cache = Cache::builder()
            .max_capacity(10_000)
            .expire_after(UntilExpiry)
            .build();
        Ok(Authenticator {
            inner: Arc::new(Inner {
                providers,
                token_cache,
                introspection_cache,
                forward,
                realm: self.realm,
                clock: self.clock,
                fetcher,
                metrics,
                introspect_in_turn: self.introspect_in_turn,
            }),
        })
    }
}

/// Verifies bearer tokens for a set of trusted providers: the engine of
/// [`JwtAuthLayer`](crate::JwtAuthLayer), usable on its own (gRPC interceptors, custom
/// middleware). Cheap to clone; clones share keys, caches and counters.
///
/// `T` is the application's claims type, filled from the verified claims (or from the
/// introspection answer for an opaque token).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use jwt_core_tower::{Authenticator, Provider};
/// #[derive(serde::Deserialize)]
/// struct Claims { sub: String, scope: String }
/// let auth = Authenticator::<Claims>::builder()
///     .provider(Provider::discover("https://idp.example").audience("https://api.example"))
///     .token_cache(10_000)
///     .build()
///     .await?;
/// let verified = auth.authenticate(Some("Bearer eyJ...")).await?;
/// println!("hello {}", verified.claims().sub);
/// # Ok(())
/// # }
/// ```
pub struct Authenticator<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Authenticator<T> {
    fn clone(&self) -> Self {
        Authenticator {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> std::fmt::Debug for Authenticator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field(
                "issuers",
                &self
                    .inner
                    .providers
                    .iter()
                    .map(|p| &p.issuer)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

struct Inner<T> {
    providers: Vec<ProviderState>,
    token_cache: Option<Cache<[u8; 32], Arc<Entry<T>>>>,
    introspection_cache: Cache<[u8; 32], Arc<Entry<T>>>,
    forward: Vec<(String, HeaderName)>,
    realm: Option<String>,
    clock: fn() -> u64,
    fetcher: Fetcher,
    metrics: Arc<Metrics>,
    introspect_in_turn: bool,
}

struct ProviderState {
    issuer: Arc<str>,
    keys: Arc<ProviderKeys>,
    introspection_endpoint: Option<String>,
    config: Provider,
}

/// A cached answer: the claims JSON (re-checked against the clock on every hit) and what
/// was made of it; `verified` is `None` for a cached "not active" introspection answer.
struct Entry<T> {
    provider: usize,
    /// The key set generation a JWS was verified with; `None` for introspection answers.
    generation: Option<u64>,
    json: Box<[u8]>,
    verified: Option<Verified<T>>,
    /// Until when the entry may be used at all (its `exp`, or the introspection TTL).
    ttl: Duration,
}

/// Entries expire with their token.
struct UntilExpiry;

impl<T> Expiry<[u8; 32], Arc<Entry<T>>> for UntilExpiry {
    fn expire_after_create(
        &self,
        _key: &[u8; 32],
        value: &Arc<Entry<T>>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The members of accepted claims the authenticator reads itself besides the registered
/// ones: `scope`, `scp` and the forwarded claims, found in one pass over the claims' JSON.
struct OwnMembers<'a> {
    scope: Option<Value<'a>>,
    scp: Option<Value<'a>>,
    /// The value of each [`forward_claim`](AuthenticatorBuilder::forward_claim), in the
    /// order configured.
    forwarded: Vec<Option<Value<'a>>>,
}

impl<'a> OwnMembers<'a> {
    /// Reads the members of `json` named `scope`, `scp` or in `forward`.
    fn read(json: &'a [u8], forward: &[(String, HeaderName)]) -> Result<Self, jwt_core::Error> {
        #[cfg(test)]
        tests::count_claims_read();
        let mut members = OwnMembers {
            scope: None,
            scp: None,
            forwarded: vec![None; forward.len()],
        };
        json::parse_object(json, |name, value| {
            if name == "scope" {
                members.scope = Some(value);
            } else if name == "scp" {
                members.scp = Some(value);
            }
            for ((claim, _), slot) in forward.iter().zip(&mut members.forwarded) {
                if name == claim.as_str() {
                    *slot = Some(value);
                }
            }
            Ok(())
        })?;
        Ok(members)
    }

    /// The granted scopes, space-delimited: `scope`, else `scp` (one string, or an array of
    /// strings joined with spaces); `None` when either is there with another type (`null`
    /// is absent).
    fn scopes(&self) -> Option<String> {
        let scp = match self.scp {
            None | Some(Value::Null) => None,
            Some(Value::String(scp)) => Some(unescaped(scp)),
            Some(Value::Array(list)) => {
                let mut scopes = Vec::new();
                json::for_each_element(list, |element| match element {
                    Value::String(scope) => {
                        scopes.push(unescaped(scope));
                        Ok(())
                    }
                    _ => Err(jwt_core::Error::ClaimsTypeMismatch),
                })
                .ok()?;
                Some(scopes.join(" "))
            }
            Some(_) => return None,
        };
        match self.scope {
            None | Some(Value::Null) => Some(scp.unwrap_or_default()),
            Some(Value::String(scope)) => Some(unescaped(scope)),
            Some(_) => None,
        }
    }
}

/// A JSON string's text, unescaped.
fn unescaped(text: jwt_core::JsonStr<'_>) -> String {
    match text.as_str() {
        Some(plain) => plain.to_owned(),
        None => text.chars().collect(),
    }
}

impl<T> Authenticator<T> {
    /// Starts a configuration.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder().token_cache(1000);
    /// # let _ = builder;
    /// ```
    pub fn builder() -> AuthenticatorBuilder<T> {
        AuthenticatorBuilder {
            providers: Vec::new(),
            token_cache: 0,
            forward: Vec::new(),
            realm: None,
            clock: jwt_core::now,
            http: HttpLimits::default(),
            introspect_in_turn: false,
            _claims: std::marker::PhantomData,
        }
    }

    /// The counters so far.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot()
    }

    /// The realm of the challenges, if configured.
    pub fn realm(&self) -> Option<&str> {
        self.inner.realm.as_deref()
    }

    /// Whether claims are forwarded as headers at all.
    pub(crate) fn forwards_claims(&self) -> bool {
        !self.inner.forward.is_empty()
    }

    /// Whether `name` is a header [`forward_claim`](AuthenticatorBuilder::forward_claim)
    /// sets, or one an upstream could take for it: the same but for `_` and `-`, which
    /// many servers treat alike (CGI and its descendants turn both into `_`). Names are
    /// lowercase already.
    pub(crate) fn is_forwarded_name(&self, name: &HeaderName) -> bool {
        let dash = |b: u8| if b == b'_' { b'-' } else { b };
        let (name, len) = (name.as_str().as_bytes(), name.as_str().len());
        self.inner.forward.iter().any(|(_, forwarded)| {
            let forwarded = forwarded.as_str().as_bytes();
            forwarded.len() == len
                && forwarded
                    .iter()
                    .zip(name)
                    .all(|(&a, &b)| dash(a) == dash(b))
        })
    }

    pub(crate) fn count_refusal(&self) {
        bump(&self.inner.metrics.refused);
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Authenticator<T> {
    /// Checks an `Authorization` header value (RFC 6750 section 2.1) and its token.
    ///
    /// # Errors
    /// The [`Refusal`] to answer with.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Verified<T>, Refusal> {
        let outcome = match bearer::token_from_authorization(authorization) {
            Ok(token) => self.verify(token).await,
            Err(e) => Err(Refusal::from(e)),
        };
        match &outcome {
            Ok(_) => bump(&self.inner.metrics.accepted),
            Err(refusal) => {
                bump(&self.inner.metrics.refused);
                debug!(%refusal, "bearer token refused");
            }
        }
        outcome
    }

    /// Checks a bearer token: a JWS with the keys of the provider its `iss` names, anything
    /// else by introspection at the one provider configured for it (see
    /// [`Provider::opaque_token_prefix`]; several in turn only with
    /// [`introspect_in_turn`](AuthenticatorBuilder::introspect_in_turn)).
    ///
    /// # Errors
    /// The [`Refusal`] to answer with.
    pub async fn verify(&self, token: &str) -> Result<Verified<T>, Refusal> {
        // Three segments (two dots): a JWS. `split` finds the dots with `memchr`.
        if token.split('.').count() == 3 {
            self.verify_jws(token).await
        } else {
            self.introspect(token).await
        }
    }

    async fn verify_jws(&self, token: &str) -> Result<Verified<T>, Refusal> {
        let inner = &self.inner;
        let now = (inner.clock)();
        let digest = inner.token_cache.as_ref().map(|_| token_digest(token));
        if let (Some(cache), Some(digest)) = (&inner.token_cache, &digest) {
            if let Some(entry) = cache.get(digest) {
                let keys = inner.providers.get(entry.provider).map(|p| &p.keys);
                let current = keys.is_some_and(|k| Some(k.generation()) == entry.generation);
                // A set past its staleness bound verifies nothing, cached or not: the token
                // is answered as a miss (503 while the provider stays down), and the entry
                // is kept for when the set is usable again.
                if current && keys.is_some_and(|k| k.usable_now()) {
                    bump(&inner.metrics.token_cache_hits);
                    trace!("verified-token cache hit");
                    return self.recheck(&entry, now);
                }
                if !current {
                    cache.invalidate(digest);
                    debug!("verified-token cache entry dropped: its key set was replaced");
                }
            }
            bump(&inner.metrics.token_cache_misses);
            trace!("verified-token cache miss");
        }
        let index = self.provider_for(token)?;
        let provider = inner.providers.get(index).ok_or(Refusal::UnknownIssuer)?;
        let mut snapshot = provider
            .keys
            .usable()
            .await
            .ok_or(Refusal::KeysUnavailable)?;
        let mut buf = vec![0u8; 2 * token.len()];
        let claims = loop {
            let set = snapshot.set.as_ref().ok_or(Refusal::KeysUnavailable)?;
            let outcome = provider.config.with_validation(false, |policy| {
                set.verify_claims(token, policy, now, &mut buf)
            });
            match outcome {
                Err(jwt_core::Error::UnknownKey) => {
                    match provider.keys.after_unknown_kid(&snapshot).await {
                        Some(newer) => snapshot = newer,
                        None => return Err(Refusal::Token(jwt_core::Error::UnknownKey)),
                    }
                }
                Err(e) => return Err(Refusal::Token(e)),
                Ok(claims) => break claims,
            }
        };
        let (verified, ttl) = self.accepted(index, &claims, false, now)?;
        if let (Some(cache), Some(digest)) = (&inner.token_cache, digest) {
            let entry = Entry {
                provider: index,
                generation: Some(snapshot.generation),
                json: claims.json().into(),
                verified: Some(verified.clone()),
                ttl,
            };
            cache.insert(digest, Arc::new(entry));
        }
        Ok(verified)
    }

    /// A cached answer, checked again against the clock and the provider's rules.
    fn recheck(&self, entry: &Entry<T>, now: u64) -> Result<Verified<T>, Refusal> {
        let provider = self
            .inner
            .providers
            .get(entry.provider)
            .ok_or(Refusal::UnknownIssuer)?;
        let verified = entry.verified.clone().ok_or(Refusal::NotActive)?;
        match provider
            .config
            .with_validation(entry.generation.is_none(), |policy| {
                policy.validate(&entry.json, now)
            }) {
            Ok(()) => Ok(verified),
            Err(e) if entry.generation.is_none() => {
                debug!(error = %e, "introspected token no longer valid");
                Err(Refusal::NotActive)
            }
            Err(e) => Err(Refusal::Token(e)),
        }
    }

    /// Chooses the provider by the token's `iss`, read before verification (verification
    /// then binds the provider's keys to that issuer). With one provider there is no choice.
    fn provider_for(&self, token: &str) -> Result<usize, Refusal> {
        if self.inner.providers.len() == 1 {
            return Ok(0);
        }
        let payload = token.split('.').nth(1).unwrap_or_default();
        let mut decoded = vec![0u8; payload.len()];
        let len = jwt_core::base64url::decode(payload.as_bytes(), &mut decoded)
            .map_err(Refusal::Token)?;
        #[cfg(test)]
        tests::count_claims_read();
        let mut chosen = None;
        json::parse_object(decoded.get(..len).unwrap_or_default(), |name, value| {
            if name == "iss" {
                if let Value::String(iss) = value {
                    chosen = self.inner.providers.iter().position(|p| iss == *p.issuer);
                }
            }
            Ok(())
        })
        .map_err(Refusal::Token)?;
        chosen.ok_or(Refusal::UnknownIssuer)
    }

    /// The [`Verified`] for claims a provider accepted, and how long it may be cached. The
    /// claims' JSON is read once as `T` and once for the members the authenticator needs
    /// beyond the registered claims it is handed.
    fn accepted(
        &self,
        provider: usize,
        claims: &RegisteredClaims<'_>,
        introspected: bool,
        now: u64,
    ) -> Result<(Verified<T>, Duration), Refusal> {
        let mismatch = || Refusal::Token(jwt_core::Error::ClaimsTypeMismatch);
        let typed: T = serde_json::from_slice(claims.json()).map_err(|_| mismatch())?;
        let members =
            OwnMembers::read(claims.json(), &self.inner.forward).map_err(|_| mismatch())?;
        let scopes = members.scopes().ok_or_else(mismatch)?;
        let ttl = claims.expires_at().map_or(Duration::ZERO, |exp| {
            Duration::from_secs(exp.floor().saturating_sub(now))
        });
        let issuer = self
            .inner
            .providers
            .get(provider)
            .map_or_else(|| Arc::from(""), |p| Arc::clone(&p.issuer));
        let verified = Verified {
            claims: Arc::new(typed),
            scopes: Arc::from(scopes),
            issuer,
            introspected,
            forwarded: self.forwarded(&members).into(),
        };
        Ok((verified, ttl))
    }

    /// The configured claims as header values, where a header can carry them safely.
    fn forwarded(&self, members: &OwnMembers<'_>) -> Vec<(HeaderName, HeaderValue)> {
        self.inner
            .forward
            .iter()
            .zip(&members.forwarded)
            .filter_map(|((_, name), value)| {
                let value = header_text((*value)?)?;
                let value = HeaderValue::from_str(&value).ok()?;
                Some((name.clone(), value))
            })
            .collect()
    }

    /// The providers an opaque token may be disclosed to, with their introspection settings
    /// and endpoints: the one whose [`Provider::opaque_token_prefix`] the token has, else the
    /// one introspecting without a prefix, or with
    /// [`introspect_in_turn`](AuthenticatorBuilder::introspect_in_turn) each of those in turn.
    fn introspectors_for<'a>(
        &'a self,
        token: &'a str,
    ) -> impl Iterator<Item = (usize, &'a ProviderState, &'a Introspection, &'a str)> {
        let introspecting = self.inner.providers.iter().enumerate();
        let introspecting = introspecting.filter_map(|(index, provider)| {
            let settings = provider.config.introspection.as_ref()?;
            let endpoint = provider.introspection_endpoint.as_deref()?;
            Some((index, provider, settings, endpoint))
        });
        fn prefix(provider: &ProviderState) -> Option<&str> {
            provider.config.opaque_token_prefix.as_deref()
        }
        let claimed = introspecting
            .clone()
            .find(|(_, p, _, _)| prefix(p).is_some_and(|prefix| token.starts_with(prefix)));
        // `build` allows one provider without a prefix unless in turn was chosen; `take`
        // keeps that promise here too.
        let asked = if self.inner.introspect_in_turn {
            usize::MAX
        } else {
            1
        };
        let unclaimed = introspecting
            .filter(move |(_, p, _, _)| claimed.is_none() && prefix(p).is_none())
            .take(asked);
        claimed.into_iter().chain(unclaimed)
    }

    /// RFC 7662: asks the provider chosen for the token ([`introspectors_for`]); it must say
    /// the token is active and a bearer token, and the answer must satisfy its rules.
    ///
    /// [`introspectors_for`]: Self::introspectors_for
    async fn introspect(&self, token: &str) -> Result<Verified<T>, Refusal> {
        let inner = &self.inner;
        let now = (inner.clock)();
        let digest = token_digest(token);
        if let Some(entry) = inner.introspection_cache.get(&digest) {
            bump(&inner.metrics.introspection_cache_hits);
            trace!("introspection cache hit");
            return self.recheck(&entry, now);
        }
        // A JWS is not what this is, and no provider that could be asked claims it.
        let introspects = inner
            .providers
            .iter()
            .any(|p| p.config.introspection.is_some());
        let mut outcome = Err(if introspects {
            Refusal::UnknownIssuer
        } else {
            Refusal::Token(jwt_core::Error::Malformed)
        });
        for (index, provider, settings, endpoint) in self.introspectors_for(token) {
            bump(&inner.metrics.introspections);
            let form = [("token", token), ("token_type_hint", "access_token")];
            let answer = match inner
                .fetcher
                .post_form(
                    endpoint,
                    &settings.client_id,
                    &settings.client_secret,
                    &form,
                )
                .instrument(tracing::debug_span!("introspection", issuer = %provider.issuer))
                .await
            {
                Ok(answer) => answer,
                Err(e) => {
                    warn!(issuer = %provider.issuer, error = %e, "introspection failed");
                    outcome = Err(Refusal::IntrospectionUnavailable);
                    continue;
                }
            };
            let cached = |verified: Option<Verified<T>>, ttl: Duration| {
                let entry = Entry {
                    provider: index,
                    generation: None,
                    json: answer.clone().into_boxed_slice(),
                    verified,
                    ttl: ttl.min(settings.cache_ttl),
                };
                if !entry.ttl.is_zero() {
                    inner.introspection_cache.insert(digest, Arc::new(entry));
                }
            };
            let claims = RegisteredClaims::parse(&answer)
                .ok()
                .filter(|claims| is_active_bearer(claims, &provider.issuer));
            let Some(claims) = claims else {
                cached(None, settings.cache_ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            };
            if let Err(e) = provider
                .config
                .with_validation(true, |policy| policy.validate(&answer, now))
            {
                debug!(issuer = %provider.issuer, error = %e, "introspection answer refused");
                cached(None, settings.cache_ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            }
            let (verified, ttl) = self.accepted(index, &claims, true, now)?;
            cached(Some(verified.clone()), ttl);
            return Ok(verified);
        }
        outcome
    }
}

/// Whether an introspection answer says `"active": true`, names this issuer if it names
/// one, and is for a bearer token. A token bound to a key carries the key's confirmation
/// `cnf` in its answer (RFC 7800; RFC 8705 section 3.2, RFC 9449 section 6.2), and is
/// usable only with a proof of possession of that key (RFC 9449 section 7.1, RFC 8705
/// section 3), which this crate does not check: as a bearer token it is refused. (A `cnf`
/// that is not an object, `null` included, is already refused when the answer is read.)
fn is_active_bearer(answer: &RegisteredClaims<'_>, issuer: &str) -> bool {
    matches!(answer.member("active"), Ok(Some(Value::Bool(true))))
        && answer.confirmation().is_none()
        && answer.issuer().is_none_or(|iss| iss == issuer)
}

/// Checks that each opaque token has one provider to go to (see
/// [`Authenticator::introspectors_for`]): at most one provider introspecting without a
/// prefix unless `in_turn`, and no prefix starting with another.
fn one_introspector_per_token(providers: &[Provider], in_turn: bool) -> Result<(), BuildError> {
    let introspecting = || providers.iter().filter(|p| p.introspection.is_some());
    let unprefixed: Vec<String> = introspecting()
        .filter(|p| p.opaque_token_prefix.is_none())
        .map(|p| p.issuer.clone())
        .collect();
    if unprefixed.len() > 1 && !in_turn {
        return Err(BuildError::AmbiguousIntrospection(unprefixed));
    }
    let prefixed: Vec<(&str, &str)> = introspecting()
        .filter_map(|p| Some((p.issuer.as_str(), p.opaque_token_prefix.as_deref()?)))
        .collect();
    for (i, (issuer, prefix)) in prefixed.iter().enumerate() {
        for (other_issuer, other) in prefixed.iter().skip(i + 1) {
            if prefix.starts_with(other) || other.starts_with(prefix) {
                return Err(BuildError::OverlappingTokenPrefixes(
                    (*issuer).to_string(),
                    (*other_issuer).to_string(),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `text` can be an element of a comma-separated header list and be read back as
/// itself: not empty (list parsers drop empty elements), no comma (it would split), no
/// double quote (quoted-string parsers would unquote it), no space at either end (parsers
/// trim it, RFC 9110 section 5.6.1).
fn list_element(text: &str) -> bool {
    !text.is_empty() && !text.contains([',', '"']) && !text.starts_with(' ') && !text.ends_with(' ')
}

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A claim value as header text: strings as they are (unescaped), numbers and booleans as
/// JSON (numbers as `serde_json` writes them), arrays of those joined with commas when
/// splitting at commas gives each element back exactly (see [`list_element`]); `None` for
/// anything else or any character outside visible ASCII and space (which rules out CR/LF
/// header injection).
fn header_text(value: Value<'_>) -> Option<String> {
    let text = match value {
        Value::String(s) => unescaped(s),
        Value::Number(n) => n.parse::<serde_json::Number>().ok()?.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            let mut texts = Vec::new();
            json::for_each_element(items, |item| {
                let text = match item {
                    Value::Array(_) | Value::Object(_) | Value::Null => None,
                    scalar => header_text(scalar).filter(|text| list_element(text)),
                };
                texts.push(text.ok_or(jwt_core::Error::Json)?);
                Ok(())
            })
            .ok()?;
            texts.join(",")
        }
        _ => return None,
    };
    text.bytes()
        .all(|b| b == b' ' || b.is_ascii_graphic())
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `header_text` of `value`, read as the authenticator reads a claim.
    fn text_of(value: serde_json::Value) -> Option<String> {
        let claims = json!({ "claim": value }).to_string();
        let mut text = None;
        json::parse_object(claims.as_bytes(), |_, value| {
            text = header_text(value);
            Ok(())
        })
        .unwrap();
        text
    }

    thread_local! {
        /// Passes the authenticator has made over claims itself on this thread, beside the
        /// core's verification and the application type's deserialization.
        static CLAIMS_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    pub(super) fn count_claims_read() {
        CLAIMS_READS.with(|reads| reads.set(reads.get() + 1));
    }

    /// Whether the authenticator takes `answer` for an active bearer token's.
    fn is_active_answer(answer: &[u8], issuer: &str) -> bool {
        RegisteredClaims::parse(answer).is_ok_and(|claims| is_active_bearer(&claims, issuer))
    }

    #[test]
    fn claims_become_header_text_only_when_safe() {
        assert_eq!(text_of(json!("alice")).as_deref(), Some("alice"));
        assert_eq!(text_of(json!(42)).as_deref(), Some("42"));
        assert_eq!(text_of(json!(true)).as_deref(), Some("true"));
        assert_eq!(text_of(json!(["a", 1])).as_deref(), Some("a,1"));
        assert_eq!(text_of(json!("a\r\nx-admin: 1")), None);
        assert_eq!(text_of(json!("tab\there")), None);
        assert_eq!(text_of(json!("café")), None);
        assert_eq!(text_of(json!(["ok", "bad\n"])), None);
        assert_eq!(text_of(json!({"a": 1})), None);
        assert_eq!(text_of(json!(null)), None);
        assert_eq!(text_of(json!([["nested"]])), None);
    }

    #[test]
    fn forwarded_lists_split_back_into_their_elements() {
        let roles = text_of;
        assert_eq!(
            roles(json!(["user", "admin"])).as_deref(),
            Some("user,admin")
        );
        assert_eq!(roles(json!(["user,admin"])), None);
        assert_eq!(roles(json!(["user", "a,b"])), None);
        assert_eq!(roles(json!(["a", ""])), None);
        assert_eq!(roles(json!(["user", " admin"])), None);
        assert_eq!(roles(json!(["admin "])), None);
        assert_eq!(roles(json!(["\"admin\""])), None);
        assert_eq!(
            roles(json!(["team lead", 7, false])).as_deref(),
            Some("team lead,7,false")
        );
        assert_eq!(roles(json!([])).as_deref(), Some(""));
        // A string is one value, its commas included.
        assert_eq!(roles(json!("Doe, Jane")).as_deref(), Some("Doe, Jane"));
    }

    #[test]
    fn only_active_answers_from_the_provider_count() {
        let issuer = "https://idp.example";
        assert!(is_active_answer(br#"{"active":true}"#, issuer));
        assert!(is_active_answer(
            br#"{"active":true,"iss":"https://idp.example"}"#,
            issuer
        ));
        assert!(!is_active_answer(
            br#"{"active":true,"iss":"https://other.example"}"#,
            issuer
        ));
        assert!(!is_active_answer(br#"{"active":false}"#, issuer));
        assert!(!is_active_answer(br#"{"active":"true"}"#, issuer));
        assert!(!is_active_answer(br#"{}"#, issuer));
        assert!(!is_active_answer(b"not json", issuer));
    }

    #[test]
    fn answers_for_tokens_bound_to_a_key_are_not_bearer_answers() {
        let issuer = "https://idp.example";
        for bound in [
            r#"{"active":true,"token_type":"DPoP","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#,
            r#"{"active":true,"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#,
            r#"{"cnf":{"kid":"k1"},"active":true,"iss":"https://idp.example"}"#,
            r#"{"active":true,"cnf":{}}"#,
            r#"{"active":true,"cnf":null}"#,
            r#"{"active":true,"cnf":"jkt"}"#,
        ] {
            assert!(!is_active_answer(bound.as_bytes(), issuer), "{bound}");
        }
        assert!(is_active_answer(
            br#"{"active":true,"token_type":"Bearer"}"#,
            issuer
        ));
    }

    fn introspecting(issuer: &str, prefix: &str) -> Provider {
        Provider::discover(issuer)
            .introspection("gateway", "secret")
            .opaque_token_prefix(prefix)
    }

    #[test]
    fn each_opaque_token_has_one_provider_unless_in_turn_is_chosen() {
        let (a, b, c) = (
            "https://a.example",
            "https://b.example",
            "https://c.example",
        );
        let check = one_introspector_per_token;
        // One introspecting provider; the others only verify JWTs.
        let one = [introspecting(a, ""), Provider::discover(b)];
        assert_eq!(check(&one, false), Ok(()));
        // Two without a prefix: refused, unless in turn is chosen.
        let two = [introspecting(a, ""), introspecting(b, "")];
        assert_eq!(
            check(&two, false),
            Err(BuildError::AmbiguousIntrospection(vec![a.into(), b.into()]))
        );
        assert_eq!(check(&two, true), Ok(()));
        // Prefixes choose; one provider may take the tokens no prefix claims.
        let prefixed = [
            introspecting(a, "a_"),
            introspecting(b, "b_"),
            introspecting(c, ""),
        ];
        assert_eq!(check(&prefixed, false), Ok(()));
        // A prefix that starts another could claim that provider's tokens.
        for (first, second) in [("at_", "at_x"), ("at_x", "at_"), ("same", "same")] {
            let overlapping = [introspecting(a, first), introspecting(b, second)];
            assert_eq!(
                check(&overlapping, true),
                Err(BuildError::OverlappingTokenPrefixes(a.into(), b.into())),
                "{first} {second}"
            );
        }
    }

    #[test]
    fn scopes_are_scope_else_scp_and_other_types_are_refused() {
        let scopes = |claims: &str| OwnMembers::read(claims.as_bytes(), &[]).unwrap().scopes();
        for (claims, expected) in [
            (r#"{"scope":"a b"}"#, "a b"),
            (r#"{"scope":"a","scp":["b"]}"#, "a"),
            (r#"{"scp":"a b"}"#, "a b"),
            (r#"{"scp":["a","b c"]}"#, "a b c"),
            (r#"{"scp":[]}"#, ""),
            (r#"{"scope":null,"scp":["a"]}"#, "a"),
            (r#"{"scope":null,"scp":null}"#, ""),
            (r#"{"sub":"x"}"#, ""),
            (r#"{"scope":"a\u0020b\/c"}"#, "a b/c"),
            (r#"{"scp":["\u0061"]}"#, "a"),
        ] {
            assert_eq!(scopes(claims).as_deref(), Some(expected), "{claims}");
        }
        for claims in [
            r#"{"scope":5}"#,
            r#"{"scope":["a"]}"#,
            r#"{"scope":"a","scp":7}"#,
            r#"{"scope":true,"scp":"a"}"#,
            r#"{"scp":["a",1]}"#,
            r#"{"scp":[null]}"#,
            r#"{"scp":{"a":"b"}}"#,
        ] {
            assert_eq!(scopes(claims), None, "{claims}");
        }
    }

    #[test]
    fn forwarded_numbers_are_written_as_serde_json_writes_them() {
        for number in [
            "42",
            "-7",
            "-0",
            "1.50",
            "1e2",
            "1E+2",
            "0.1",
            "1e-7",
            "12345678901234567890",
            "-9223372036854775809",
            "123456789012345678901234567890",
        ] {
            let claims = format!(r#"{{"n":{number}}}"#);
            let members = OwnMembers::read(
                claims.as_bytes(),
                &[("n".into(), HeaderName::from_static("x-n"))],
            )
            .unwrap();
            let expected = serde_json::from_str::<serde_json::Value>(number)
                .unwrap()
                .to_string();
            assert_eq!(
                header_text(members.forwarded[0].unwrap()),
                Some(expected),
                "{number}"
            );
        }
        // Beyond what serde_json holds: not forwarded.
        let members = OwnMembers::read(
            br#"{"n":1e400}"#,
            &[("n".into(), HeaderName::from_static("x-n"))],
        )
        .unwrap();
        assert_eq!(header_text(members.forwarded[0].unwrap()), None);
    }

    /// Claims that count their deserializations (only this test deserializes them).
    struct Counted;

    static DESERIALIZED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    impl<'de> serde::Deserialize<'de> for Counted {
        fn deserialize<D: serde::Deserializer<'de>>(claims: D) -> Result<Self, D::Error> {
            DESERIALIZED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            serde::de::IgnoredAny::deserialize(claims).map(|_| Counted)
        }
    }

    /// A cache miss reads the verified claims once as the application's type and once for
    /// the authenticator's own members (scopes and forwarded claims together); a hit reads
    /// them neither way. With several providers, choosing one by `iss` is one read more.
    /// (The counts are per thread: the test runs on one.)
    #[tokio::test(flavor = "current_thread")]
    async fn claims_are_read_once_per_miss_and_not_on_a_hit() {
        use jwt_core::{HeaderFields, Hs256Key, Jwk};
        const JWK: &str = r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}"#;
        let (issuer, other) = ("https://idp.example", "https://other.example");
        let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
        let key = Hs256Key::from_jwk(&Jwk::parse(JWK.as_bytes()).unwrap()).unwrap();
        let token = |sub: &str| {
            let claims = json!({
                "iss": issuer, "sub": sub, "exp": jwt_core::now() + 300,
                "scp": ["orders:read", "orders:write"], "roles": ["user", "admin"],
            });
            jwt_core::sign_to_string(&key, &HeaderFields::new().kid("k"), &claims).unwrap()
        };
        let build = |providers: &[&str]| {
            let mut builder = Authenticator::<Counted>::builder()
                .token_cache(100)
                .forward_claim("sub", "x-user")
                .forward_claim("roles", "x-roles");
            for issuer in providers {
                builder = builder.provider(Provider::with_jwks(issuer, jwks.as_bytes()).jwt());
            }
            builder.build()
        };
        let reads = || {
            (
                DESERIALIZED.load(std::sync::atomic::Ordering::SeqCst),
                CLAIMS_READS.get(),
            )
        };

        let auth = build(&[issuer]).await.unwrap();
        let alice = token("alice");
        let verified = auth.verify(&alice).await.unwrap();
        assert_eq!(reads(), (1, 1), "a miss");
        assert_eq!(&*verified.scopes_text(), "orders:read orders:write");
        let headers: Vec<_> = verified
            .forwarded_headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(headers, [("x-user", "alice"), ("x-roles", "user,admin")]);
        for _ in 0..3 {
            auth.verify(&alice).await.unwrap();
        }
        assert_eq!(auth.metrics().token_cache_hits, 3);
        assert_eq!(reads(), (1, 1), "three hits");
        auth.verify(&token("bob")).await.unwrap();
        assert_eq!(reads(), (2, 2), "another miss");

        let routed = build(&[other, issuer]).await.unwrap();
        routed.verify(&alice).await.unwrap();
        assert_eq!(reads(), (3, 4), "a miss choosing its provider");
        routed.verify(&alice).await.unwrap();
        assert_eq!(reads(), (3, 4), "a hit");
    }
}
