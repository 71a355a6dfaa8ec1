//! Configuring an authenticator, and setting up its providers.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;
use jwt_core::Algorithm;
use jwt_core::dpop::Policy;
use moka::sync::Cache;
use serde::de::DeserializeOwned;

use super::dpop::{DpopSettings, Nonces};
use super::{Authenticator, Inner, ProviderState, UntilExpiry};
use crate::discovery::discover;
use crate::fetch::{FetchError, Fetcher, HttpLimits};
use crate::key_exchange::KeySetExchange;
use crate::keys::ProviderKeys;
use crate::metrics::Metrics;
use crate::provider::{KeysFrom, Provider};
use crate::replay::{MemoryReplayStore, ReplayStore};

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
    /// The public origin given to [`AuthenticatorBuilder::public_origin`] is not a scheme
    /// and an authority (`https://api.example`).
    InvalidPublicOrigin(String),
    /// No secret for the DPoP nonces could be had from the system's random source.
    NoRandomness,
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
            BuildError::InvalidPublicOrigin(origin) => {
                write!(f, "{origin:?} is not an origin (scheme://host[:port])")
            }
            BuildError::NoRandomness => f.write_str("the system's random source failed"),
            BuildError::Provider { issuer, error } => write!(f, "provider {issuer}: {error}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Configures an [`Authenticator`].
pub struct AuthenticatorBuilder<T> {
    providers: Vec<Provider>,
    token_cache: u64,
    forward: Vec<(String, String)>,
    realm: Option<String>,
    clock: fn() -> u64,
    http: HttpLimits,
    introspect_in_turn: bool,
    dpop_algorithms: Vec<Algorithm>,
    dpop_max_age: u64,
    dpop_max_future: u64,
    replay_store: Option<Arc<dyn ReplayStore>>,
    key_set_exchange: Option<Arc<dyn KeySetExchange>>,
    nonce_lifetime: Duration,
    public_origin: Option<String>,
    trusted_proxies: Vec<IpAddr>,
    _claims: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for AuthenticatorBuilder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticatorBuilder")
            .field("providers", &self.providers)
            .field("token_cache", &self.token_cache)
            .field("realm", &self.realm)
            .field("public_origin", &self.public_origin)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

/// Unexpired DPoP `jti`s the default replay store holds.
const REPLAY_STORE_CAPACITY: usize = 100_000;

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
            dpop_algorithms: Policy::ASYMMETRIC.to_vec(),
            dpop_max_age: Policy::new().window() - 60,
            dpop_max_future: 60,
            replay_store: None,
            key_set_exchange: None,
            nonce_lifetime: Duration::from_secs(300),
            public_origin: None,
            trusted_proxies: Vec::new(),
            _claims: std::marker::PhantomData,
        }
    }
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

    /// The algorithms DPoP proofs may be signed with (RFC 9449 section 4.3); the challenges
    /// name them in `algs`. Every asymmetric algorithm by default; HMAC is never accepted.
    /// An RSA key in a proof may have at most 4096 bits: the key comes with the proof, from
    /// anyone, and a larger one costs more to check than any curve (an 8192-bit one about
    /// 7 times a 4096-bit one). Leave the RSA algorithms out to take EC and EdDSA proofs
    /// alone, as node-oidc-provider does by default (ES256 and EdDSA).
    ///
    /// ```
    /// use jwt_core::Algorithm;
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder()
    ///     .dpop_algorithms(&[Algorithm::Es256, Algorithm::EdDsa]);
    /// # let _ = builder;
    /// ```
    pub fn dpop_algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.dpop_algorithms = algorithms.to_vec();
        self
    }

    /// How old a DPoP proof's `iat` may be, and how far ahead of the clock: 300 s and 60 s
    /// by default. A proof's `jti` is remembered for as long as the proof could be accepted.
    pub fn dpop_proof_age(mut self, max_age: Duration, max_future: Duration) -> Self {
        self.dpop_max_age = max_age.as_secs();
        self.dpop_max_future = max_future.as_secs();
        self
    }

    /// Where the `jti`s of accepted DPoP proofs are kept, so each proof is accepted once.
    /// By default a [`MemoryReplayStore`] of 100,000 keys, for one process: a fleet of
    /// gateways needs one store they share.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder()
    ///     .replay_store(jwt_core_tower::MemoryReplayStore::new(1_000_000));
    /// # let _ = builder;
    /// ```
    pub fn replay_store(mut self, store: impl ReplayStore) -> Self {
        self.replay_store = Some(Arc::new(store));
        self
    }

    /// Shares the providers' fetched key sets with the other replicas of a fleet through
    /// `exchange` (see [`KeySetExchange`]): a refresh or an unknown-`kid` refetch then
    /// happens once per [forced-refresh interval](crate::KeyCachePolicy) for the whole
    /// fleet, and a replica uses what another fetched without asking the provider. When the
    /// exchange fails, each replica fetches on its own as without one. None by default.
    ///
    /// ```
    /// use jwt_core_tower::{Authenticator, MemoryKeySetExchange, Provider};
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let jwks = br#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}"#;
    /// let exchange = MemoryKeySetExchange::new();
    /// let auth = Authenticator::<Claims>::builder()
    ///     .provider(Provider::with_jwks("https://idp.example", jwks))
    ///     .key_set_exchange(exchange.clone())
    ///     .build()
    ///     .await?;
    /// assert_eq!(auth.metrics().key_sets_from_fleet, 0, "a configured document is not shared");
    /// # Ok(())
    /// # }
    /// ```
    pub fn key_set_exchange(mut self, exchange: impl KeySetExchange) -> Self {
        self.key_set_exchange = Some(Arc::new(exchange));
        self
    }

    /// How long each DPoP server nonce is handed out (for providers that
    /// [`require_dpop_nonce`](Provider::require_dpop_nonce)); the previous one is still
    /// accepted for as long. Default 5 minutes.
    pub fn dpop_nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.nonce_lifetime = lifetime;
        self
    }

    /// The scheme and authority clients use to reach this service
    /// (`https://api.example`), which DPoP proofs name in their `htu`. Without it, they are
    /// those of the request: the connection's scheme (`https` with a
    /// [`SecureConnection`](crate::SecureConnection) extension, else `http`) and its `Host`
    /// header, or what a [trusted proxy](Self::trusted_proxies) forwarded.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder()
    ///     .public_origin("https://api.example");
    /// # let _ = builder;
    /// ```
    pub fn public_origin(mut self, origin: &str) -> Self {
        self.public_origin = Some(origin.to_string());
        self
    }

    /// The proxies whose `Forwarded` (`proto`, `host`) or `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` headers say which URI the client used, for DPoP proofs: only
    /// requests whose peer (axum's `ConnectInfo<SocketAddr>`) is one of them are read so;
    /// from anyone else those headers are ignored, since a client could write them. The
    /// last value of each is used: the one the trusted proxy added. Their RFC 9440
    /// `Client-Cert` header is the client certificate of a certificate-bound token
    /// ([`ClientCertificate`](crate::ClientCertificate)); from anyone else it is removed.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Claims { sub: String }
    /// let builder = jwt_core_tower::Authenticator::<Claims>::builder()
    ///     .trusted_proxies(["10.0.0.2".parse().unwrap()]);
    /// # let _ = builder;
    /// ```
    pub fn trusted_proxies(mut self, proxies: impl IntoIterator<Item = IpAddr>) -> Self {
        self.trusted_proxies = proxies.into_iter().collect();
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
        let public_origin = match self.public_origin {
            Some(origin) => Some(checked_origin(&origin)?),
            None => None,
        };
        let dpop = DpopSettings {
            offers_bearer: self
                .providers
                .iter()
                .any(|p| p.sender_constraint.allows_bearer()),
            offers_dpop: self
                .providers
                .iter()
                .any(|p| p.sender_constraint.allows_dpop()),
            algorithms: self.dpop_algorithms.into(),
            max_age: self.dpop_max_age,
            max_future: self.dpop_max_future,
            replay: self
                .replay_store
                .unwrap_or_else(|| Arc::new(MemoryReplayStore::new(REPLAY_STORE_CAPACITY))),
            nonces: Nonces::new(self.nonce_lifetime).map_err(|_| BuildError::NoRandomness)?,
            public_origin,
            trusted_proxies: self.trusted_proxies,
        };
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
                    ProviderKeys::fixed(
                        issuer,
                        document,
                        &provider.assumed_algorithms,
                        fetcher.clone(),
                        metrics.clone(),
                    )
                    .map_err(failed)?,
                ),
                KeysFrom::JwksUri(uri) => ProviderKeys::remote(
                    issuer,
                    uri,
                    provider.key_cache,
                    &provider.assumed_algorithms,
                    fetcher.clone(),
                    metrics.clone(),
                    self.key_set_exchange.clone(),
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
                        &provider.assumed_algorithms,
                        fetcher.clone(),
                        metrics.clone(),
                        self.key_set_exchange.clone(),
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
                dpop,
            }),
        })
    }
}

/// A public origin as `scheme://authority`, without a trailing slash.
fn checked_origin(origin: &str) -> Result<String, BuildError> {
    let invalid = || BuildError::InvalidPublicOrigin(origin.to_string());
    let uri: http::Uri = origin.parse().map_err(|_| invalid())?;
    match (uri.scheme_str(), uri.authority(), uri.path()) {
        (Some(scheme @ ("http" | "https")), Some(authority), "" | "/") if uri.query().is_none() => {
            Ok(format!("{scheme}://{authority}"))
        }
        _ => Err(invalid()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
