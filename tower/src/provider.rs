//! One trusted token issuer: where its keys come from, what its tokens must satisfy, how its
//! keys are cached, and optionally how its opaque tokens are introspected.

use std::time::Duration;

use jwt_core::{Algorithm, Claim, Confirmation, Validation};

/// How the provider's keys are found.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum KeysFrom {
    /// OpenID Connect Discovery, then RFC 8414 metadata, then its `jwks_uri`.
    Discovery,
    /// This JWK Set URL.
    JwksUri(String),
    /// This JWK Set document, never refreshed.
    Document(Vec<u8>),
}

/// A configured document may hold HS256 secrets: its length is all `Debug` shows.
impl std::fmt::Debug for KeysFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeysFrom::Discovery => f.write_str("Discovery"),
            KeysFrom::JwksUri(uri) => f.debug_tuple("JwksUri").field(uri).finish(),
            KeysFrom::Document(document) => write!(f, "Document({} bytes)", document.len()),
        }
    }
}

/// The claims profile tokens are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    AccessToken,
    Jwt,
}

/// How long a fetched key set is used, and what happens when it cannot be refreshed.
///
/// ```
/// use std::time::Duration;
/// use jwt_core_tower::KeyCachePolicy;
/// let policy = KeyCachePolicy { max_stale: Duration::from_secs(600), ..KeyCachePolicy::default() };
/// assert_eq!(policy.min_age, Duration::from_secs(300));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCachePolicy {
    /// Shortest time a key set is kept before it is refetched, whatever the provider's
    /// `Cache-Control: max-age` says (also used when it says nothing). Default 5 minutes.
    pub min_age: Duration,
    /// Longest time a key set is kept before it is refetched. Default 24 hours.
    pub max_age: Duration,
    /// A token naming a `kid` the set does not have forces a refetch at most this often.
    /// After a failed fetch, the provider is asked again no sooner than this (and a second),
    /// whatever the request rate and whatever triggers the attempt. Default 30 seconds.
    pub forced_refresh_interval: Duration,
    /// While the provider cannot be reached, its last key set is still used for this long
    /// past its expiry (stale-if-error); after that its tokens are refused, those in the
    /// verified-token cache too. Default 1 hour.
    pub max_stale: Duration,
}

impl Default for KeyCachePolicy {
    fn default() -> Self {
        KeyCachePolicy {
            min_age: Duration::from_secs(5 * 60),
            max_age: Duration::from_secs(24 * 60 * 60),
            forced_refresh_interval: Duration::from_secs(30),
            max_stale: Duration::from_secs(60 * 60),
        }
    }
}

impl KeyCachePolicy {
    /// The provider's `max-age`, clamped to the configured bounds.
    pub(crate) fn lifetime(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.min_age)
            .clamp(self.min_age, self.max_age.max(self.min_age))
    }
}

/// How a provider's tokens may be presented: as bearer tokens (RFC 6750), as DPoP-bound
/// tokens with a proof of possession (RFC 9449), or either.
///
/// A token bound to a key (`cnf`) is never accepted as a bearer token, whatever this says;
/// this chooses which presentations a provider's tokens may use at all.
///
/// ```
/// use jwt_core_tower::{Provider, SenderConstraint};
/// let provider = Provider::discover("https://idp.example").sender_constraint(SenderConstraint::Dpop);
/// # let _ = provider;
/// assert_eq!(SenderConstraint::default(), SenderConstraint::BearerOrDpop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SenderConstraint {
    /// `Authorization: Bearer` for bearer tokens and `Authorization: DPoP` with a `DPoP`
    /// proof for DPoP-bound ones (the default).
    #[default]
    BearerOrDpop,
    /// Only `Authorization: DPoP` with a proof: bearer tokens of this provider are refused.
    Dpop,
    /// Only `Authorization: Bearer`: DPoP requests for this provider's tokens are refused
    /// (and so are its DPoP-bound tokens, which are not bearer tokens).
    Bearer,
}

impl SenderConstraint {
    /// Whether tokens may come as bearer tokens.
    pub(crate) fn allows_bearer(self) -> bool {
        self != SenderConstraint::Dpop
    }

    /// Whether tokens may come with a DPoP proof.
    pub(crate) fn allows_dpop(self) -> bool {
        self != SenderConstraint::Bearer
    }
}

/// What a request proved it holds, for tokens bound to a key (`cnf`, RFC 7800).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Binding<'a> {
    /// A DPoP proof's key: the token must be bound to it (RFC 9449 section 7.2).
    Required(Confirmation<'a>),
    /// A TLS client certificate's thumbprint: a token with `cnf` must be bound to it, one
    /// without is a bearer token (RFC 8705 section 3).
    Certificate(&'a str),
}

/// RFC 7662 introspection settings of a provider.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Introspection {
    /// The endpoint; `None` takes it from the provider's metadata.
    pub(crate) endpoint: Option<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    /// How long an answer is reused (never past the token's `exp`).
    pub(crate) cache_ttl: Duration,
}

impl std::fmt::Debug for Introspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("cache_ttl", &self.cache_ttl)
            .finish_non_exhaustive()
    }
}

/// A trusted issuer: its identifier, the audiences its tokens must name, where its keys
/// come from and how they are cached.
///
/// Tokens are checked against the RFC 9068 access-token profile by default (`typ` `at+jwt`,
/// `iss`, `aud`, `exp`, `iat`, `sub`, `jti` and `client_id`); [`jwt`](Self::jwt) relaxes it to
/// `iss`, `aud` and `exp`, and [`refine`](Self::refine) adds rules.
///
/// ```
/// use jwt_core_tower::Provider;
/// let provider = Provider::discover("https://idp.example")
///     .audience("https://api.example")
///     .refine(|policy| policy.leeway(30));
/// assert_eq!(provider.issuer(), "https://idp.example");
/// ```
#[derive(Debug, Clone)]
pub struct Provider {
    pub(crate) issuer: String,
    pub(crate) audiences: Vec<String>,
    pub(crate) keys: KeysFrom,
    profile: Profile,
    refine: for<'a> fn(Validation<'a>) -> Validation<'a>,
    pub(crate) leeway: u64,
    pub(crate) key_cache: KeyCachePolicy,
    /// What keys published without `alg` verify, beside their type's default.
    pub(crate) assumed_algorithms: Vec<Algorithm>,
    pub(crate) introspection: Option<Introspection>,
    /// Opaque tokens starting with this go to this provider's introspection, and no other.
    pub(crate) opaque_token_prefix: Option<String>,
    pub(crate) sender_constraint: SenderConstraint,
    /// Whether DPoP proofs for this provider's tokens must carry the gateway's nonce.
    pub(crate) dpop_nonce: bool,
}

impl Provider {
    fn new(issuer: &str, keys: KeysFrom) -> Self {
        Provider {
            issuer: issuer.to_string(),
            audiences: Vec::new(),
            keys,
            profile: Profile::AccessToken,
            refine: |policy| policy,
            leeway: jwt_core::DEFAULT_LEEWAY,
            key_cache: KeyCachePolicy::default(),
            assumed_algorithms: Vec::new(),
            introspection: None,
            opaque_token_prefix: None,
            sender_constraint: SenderConstraint::default(),
            dpop_nonce: false,
        }
    }

    /// A provider found by discovery from its issuer identifier (OpenID Connect Discovery,
    /// falling back to RFC 8414), whose JWK Set is fetched from the `jwks_uri` it
    /// publishes. The issuer must be `https` (or `http` to a loopback address).
    pub fn discover(issuer: &str) -> Self {
        Provider::new(issuer, KeysFrom::Discovery)
    }

    /// A provider whose JWK Set is fetched from `jwks_uri`, without discovery.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::with_jwks_uri(
    ///     "https://idp.example",
    ///     "https://idp.example/keys",
    /// );
    /// # let _ = provider;
    /// ```
    pub fn with_jwks_uri(issuer: &str, jwks_uri: &str) -> Self {
        Provider::new(issuer, KeysFrom::JwksUri(jwks_uri.to_string()))
    }

    /// A provider whose keys are this JWK Set document, never fetched or refreshed (keys
    /// from a file, air-gapped deployments, tests).
    ///
    /// ```
    /// let jwks = br#"{"keys":[]}"#;
    /// let provider = jwt_core_tower::Provider::with_jwks("https://idp.example", jwks);
    /// # let _ = provider;
    /// ```
    pub fn with_jwks(issuer: &str, jwks: &[u8]) -> Self {
        Provider::new(issuer, KeysFrom::Document(jwks.to_vec()))
    }

    /// Adds an audience: tokens must name one of the provider's audiences in `aud`.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example")
    ///     .audience("https://api.example")
    ///     .audience("https://admin.example");
    /// # let _ = provider;
    /// ```
    pub fn audience(mut self, audience: &str) -> Self {
        self.audiences.push(audience.to_string());
        self
    }

    /// Checks tokens as plain JWTs: `iss`, `aud` (when audiences are configured) and `exp`,
    /// any `typ`, instead of the RFC 9068 access-token profile.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example").jwt();
    /// # let _ = provider;
    /// ```
    pub fn jwt(mut self) -> Self {
        self.profile = Profile::Jwt;
        self
    }

    /// Adds rules to the profile's [`Validation`]: more required claims, a subject,
    /// `max_age`, a token length limit... Set the leeway with [`leeway`](Self::leeway), which
    /// introspected tokens use too.
    ///
    /// ```
    /// use jwt_core::Claim;
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example")
    ///     .refine(|policy| policy.require(Claim::Nbf).max_age(3600));
    /// # let _ = provider;
    /// ```
    pub fn refine(mut self, refine: for<'a> fn(Validation<'a>) -> Validation<'a>) -> Self {
        self.refine = refine;
        self
    }

    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (at most
    /// [`jwt_core::MAX_LEEWAY`]). Default [`jwt_core::DEFAULT_LEEWAY`].
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example").leeway(5);
    /// # let _ = provider;
    /// ```
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds.min(jwt_core::MAX_LEEWAY);
        self
    }

    /// How the provider's key set is cached and refreshed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use jwt_core_tower::{KeyCachePolicy, Provider};
    /// let provider = Provider::discover("https://idp.example").key_cache(KeyCachePolicy {
    ///     forced_refresh_interval: Duration::from_secs(60),
    ///     ..KeyCachePolicy::default()
    /// });
    /// # let _ = provider;
    /// ```
    pub fn key_cache(mut self, policy: KeyCachePolicy) -> Self {
        self.key_cache = policy;
        self
    }

    /// The algorithms the provider's keys that name no `alg` verify
    /// ([`KeySet::parse_assuming`](jwt_core::KeySet::parse_assuming)).
    ///
    /// A JWK without `alg` verifies only its key type's default algorithm: RS256 for an RSA
    /// key, the curve's one algorithm for an EC or OKP key. Some providers publish RSA keys
    /// without `alg` (Microsoft Entra ID; node-oidc-provider, whose one RSA key may sign
    /// PS256 .. RS512), so their PS256 or RS384 tokens are refused until those algorithms
    /// are listed here. The list replaces the default for every key type it names: list
    /// RS256 too to keep accepting RS256 tokens. Keys that name their `alg` keep it, and a
    /// token's header never widens what a key verifies.
    ///
    /// ```
    /// use jwt_core::Algorithm;
    /// let provider = jwt_core_tower::Provider::discover("https://login.example")
    ///     .assume_algorithms(&[Algorithm::Rs256, Algorithm::Ps256]);
    /// # let _ = provider;
    /// ```
    pub fn assume_algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.assumed_algorithms = algorithms.to_vec();
        self
    }

    /// Checks bearer tokens that are not JWS (opaque access tokens) with RFC 7662 token
    /// introspection at the endpoint the provider's metadata names, authenticating as this
    /// client (HTTP Basic). Answers are reused for 30 seconds at most
    /// ([`introspection_cache_ttl`](Self::introspection_cache_ttl)), never past `exp`.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example")
    ///     .introspection("gateway", "s3cret");
    /// # let _ = provider;
    /// ```
    pub fn introspection(mut self, client_id: &str, client_secret: &str) -> Self {
        let endpoint = self.introspection.take().and_then(|i| i.endpoint);
        self.introspection = Some(Introspection {
            endpoint,
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            cache_ttl: Duration::from_secs(30),
        });
        self
    }

    /// The introspection endpoint, for providers whose metadata does not name one (set the
    /// client with [`introspection`](Self::introspection) too).
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::with_jwks_uri("https://idp.example", "https://idp.example/keys")
    ///     .introspection("gateway", "s3cret")
    ///     .introspection_endpoint("https://idp.example/introspect");
    /// # let _ = provider;
    /// ```
    pub fn introspection_endpoint(mut self, endpoint: &str) -> Self {
        if let Some(introspection) = &mut self.introspection {
            introspection.endpoint = Some(endpoint.to_string());
        } else {
            self.introspection = Some(Introspection {
                endpoint: Some(endpoint.to_string()),
                client_id: String::new(),
                client_secret: String::new(),
                cache_ttl: Duration::from_secs(30),
            });
        }
        self
    }

    /// How long an introspection answer is reused; zero asks the provider every time.
    ///
    /// ```
    /// use std::time::Duration;
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example")
    ///     .introspection("gateway", "s3cret")
    ///     .introspection_cache_ttl(Duration::from_secs(5));
    /// # let _ = provider;
    /// ```
    pub fn introspection_cache_ttl(mut self, ttl: Duration) -> Self {
        if let Some(introspection) = &mut self.introspection {
            introspection.cache_ttl = ttl;
        }
        self
    }

    /// The opaque tokens this provider introspects: those starting with `prefix` (many
    /// providers mark their tokens, e.g. `ory_at_`, `gho_`), and only this provider sees
    /// them. Opaque tokens are sent to one provider only: with several providers
    /// introspecting, all but one must have a prefix, or
    /// [`build`](crate::AuthenticatorBuilder::build) fails (see
    /// [`introspect_in_turn`](crate::AuthenticatorBuilder::introspect_in_turn)). An empty
    /// prefix is no prefix.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example")
    ///     .introspection("gateway", "s3cret")
    ///     .opaque_token_prefix("idp_at_");
    /// # let _ = provider;
    /// ```
    pub fn opaque_token_prefix(mut self, prefix: &str) -> Self {
        self.opaque_token_prefix = (!prefix.is_empty()).then(|| prefix.to_string());
        self
    }

    /// How this provider's tokens may be presented (see [`SenderConstraint`]): bearer and
    /// DPoP by default.
    ///
    /// ```
    /// use jwt_core_tower::{Provider, SenderConstraint};
    /// // FAPI 2.0: sender-constrained tokens only.
    /// let provider = Provider::discover("https://idp.example").sender_constraint(SenderConstraint::Dpop);
    /// # let _ = provider;
    /// ```
    pub fn sender_constraint(mut self, constraint: SenderConstraint) -> Self {
        self.sender_constraint = constraint;
        self
    }

    /// Requires DPoP proofs for this provider's tokens to carry the gateway's current
    /// server nonce (RFC 9449 section 9): a proof without it is refused with 401
    /// `use_dpop_nonce` and a `DPoP-Nonce` header naming the nonce to use. Nonces are
    /// stateless: a keyed hash of the time, rotating every
    /// [`dpop_nonce_lifetime`](crate::AuthenticatorBuilder::dpop_nonce_lifetime), the
    /// current and the previous one accepted.
    ///
    /// ```
    /// let provider = jwt_core_tower::Provider::discover("https://idp.example").require_dpop_nonce();
    /// # let _ = provider;
    /// ```
    pub fn require_dpop_nonce(mut self) -> Self {
        self.dpop_nonce = true;
        self
    }

    /// The issuer identifier.
    ///
    /// ```
    /// assert_eq!(jwt_core_tower::Provider::discover("https://a.example").issuer(), "https://a.example");
    /// ```
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Calls `f` with the [`Validation`] for this provider's JWTs (the issuer is bound by its
    /// key set as well) or, with `introspected`, for its introspection answers: RFC 7662
    /// makes every member but `active` optional, so those are held to `iss`, `aud` and the
    /// time claims, with `exp` required so no answer is reused without end. `binding` is
    /// what the request proved it holds (its DPoP proof's key, its TLS client certificate),
    /// which a token bound to a key must name; without it such tokens are refused.
    pub(crate) fn with_validation<R>(
        &self,
        introspected: bool,
        binding: Option<Binding<'_>>,
        f: impl FnOnce(&Validation<'_>) -> R,
    ) -> R {
        let issuers = [self.issuer.as_str()];
        // Most APIs have an audience or two: those are borrowed without an allocation.
        let mut few = [""; 4];
        let many: Vec<&str>;
        let audiences: &[&str] = match few.get_mut(..self.audiences.len()) {
            Some(slots) => {
                for (slot, audience) in slots.iter_mut().zip(&self.audiences) {
                    *slot = audience;
                }
                slots
            }
            None => {
                many = self.audiences.iter().map(String::as_str).collect();
                &many
            }
        };
        fn plain<'a>(v: Validation<'a>, audiences: &[&str]) -> Validation<'a> {
            if audiences.is_empty() {
                v
            } else {
                v.require(Claim::Aud)
            }
        }
        let policy = match (introspected, self.profile) {
            (false, Profile::AccessToken) => {
                (self.refine)(Validation::access_token(&issuers, audiences).leeway(self.leeway))
            }
            (false, Profile::Jwt) => (self.refine)(plain(
                Validation::new()
                    .issuers(&issuers)
                    .audiences(audiences)
                    .require(Claim::Iss)
                    .leeway(self.leeway),
                audiences,
            )),
            (true, _) => plain(
                Validation::new()
                    .issuers(&issuers)
                    .audiences(audiences)
                    .leeway(self.leeway),
                audiences,
            ),
        };
        match binding {
            Some(Binding::Required(confirmed)) => f(&policy.confirmed(confirmed)),
            Some(Binding::Certificate(thumbprint)) => f(&policy.client_certificate(thumbprint)),
            None => f(&policy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_holds_no_key_material_or_client_secret() {
        let jwks = br#"{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}"#;
        let provider = Provider::with_jwks("https://idp.example", jwks)
            .introspection("gateway", "client-secret-value");
        let shown = format!("{provider:?}");
        assert!(
            shown.contains(&format!("Document({} bytes)", jwks.len())),
            "{shown}"
        );
        assert!(
            !shown.contains("c2VjcmV0") && !shown.contains("client-secret-value"),
            "{shown}"
        );
    }

    /// An Entra-shaped key set (RSA keys without `alg`) verifies RS256 alone; with
    /// [`Provider::assume_algorithms`] the listed algorithms, and only those.
    #[tokio::test(flavor = "current_thread")]
    async fn keys_without_alg_verify_the_assumed_algorithms_only() {
        use jwt_core::{
            Error, HeaderFields, Ps256PrivateKey, Ps384PrivateKey, Rs256PrivateKey, SigningKey,
        };

        use crate::{Authenticator, Refusal};

        let issuer = "https://login.example/tenant/v2.0";
        let jwks = include_bytes!("../../tests/data/jwks/azure_ad.json");
        let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
        fn token(key: &impl SigningKey, issuer: &str) -> String {
            let claims = serde_json::json!({ "iss": issuer, "exp": jwt_core::now() + 300 });
            let header = HeaderFields::new().kid("azure-current");
            jwt_core::sign_to_string(key, &header, &claims).unwrap()
        }
        let rs256 = token(&Rs256PrivateKey::from_pkcs1_der(der).unwrap(), issuer);
        let ps256 = token(&Ps256PrivateKey::from_pkcs1_der(der).unwrap(), issuer);
        let ps384 = token(&Ps384PrivateKey::from_pkcs1_der(der).unwrap(), issuer);
        let tokens = [rs256.as_str(), &ps256, &ps384];
        let outcomes = async |assumed: &[Algorithm]| {
            let mut provider = Provider::with_jwks(issuer, jwks).jwt();
            if !assumed.is_empty() {
                provider = provider.assume_algorithms(assumed);
            }
            let auth = Authenticator::<serde_json::Value>::builder()
                .provider(provider)
                .build()
                .await
                .unwrap();
            let mut outcomes = Vec::new();
            for token in tokens {
                outcomes.push(auth.verify(token).await.map(|_| ()));
            }
            outcomes
        };
        let unknown = Err(Refusal::Token(Error::UnknownKey));
        assert_eq!(outcomes(&[]).await, [Ok(()), unknown, unknown]);
        assert_eq!(
            outcomes(&[Algorithm::Rs256, Algorithm::Ps256]).await,
            [Ok(()), Ok(()), unknown]
        );
        // The list replaces the default: RS256 is no longer assumed.
        assert_eq!(
            outcomes(&[Algorithm::Ps256, Algorithm::Ps384]).await,
            [unknown, Ok(()), Ok(())]
        );
    }

    #[test]
    fn max_age_is_clamped_to_the_policy() {
        let policy = KeyCachePolicy {
            min_age: Duration::from_secs(10),
            max_age: Duration::from_secs(100),
            ..KeyCachePolicy::default()
        };
        let secs = |age: Option<u64>| policy.lifetime(age.map(Duration::from_secs)).as_secs();
        assert_eq!(secs(None), 10);
        assert_eq!(secs(Some(0)), 10);
        assert_eq!(secs(Some(50)), 50);
        assert_eq!(secs(Some(1_000_000)), 100);
    }

    #[test]
    fn profiles_check_what_they_say() {
        let claims = br#"{"iss":"https://idp.example","aud":"api","sub":"s","client_id":"c",
            "jti":"j","iat":1000,"exp":2000}"#;
        let access = Provider::discover("https://idp.example").audience("api");
        assert_eq!(
            access.with_validation(false, None, |v| v.validate(claims, 1500)),
            Ok(())
        );
        let no_client = br#"{"iss":"https://idp.example","aud":"api","exp":2000}"#;
        assert_eq!(
            access.with_validation(false, None, |v| v.validate(no_client, 1500)),
            Err(jwt_core::Error::MissingClaim(Claim::Iat))
        );
        let jwt = Provider::discover("https://idp.example")
            .audience("api")
            .jwt();
        assert_eq!(
            jwt.with_validation(false, None, |v| v.validate(no_client, 1500)),
            Ok(())
        );
        let other_aud = br#"{"iss":"https://idp.example","aud":"other","exp":2000}"#;
        assert_eq!(
            jwt.with_validation(false, None, |v| v.validate(other_aud, 1500)),
            Err(jwt_core::Error::InvalidAudience)
        );
        let strict = jwt.clone().leeway(0).refine(|v| v.require(Claim::Sub));
        assert_eq!(
            strict.with_validation(false, None, |v| v.validate(no_client, 1500)),
            Err(jwt_core::Error::MissingClaim(Claim::Sub))
        );
        let answer = br#"{"active":true,"iss":"https://idp.example","aud":"api","exp":2000}"#;
        assert_eq!(
            strict.with_validation(true, None, |v| v.validate(answer, 1999)),
            Ok(())
        );
        assert_eq!(
            strict.with_validation(true, None, |v| v.validate(answer, 2000)),
            Err(jwt_core::Error::Expired)
        );
        let other_issuer = br#"{"active":true,"iss":"https://x.example","aud":"api","exp":2000}"#;
        assert_eq!(
            strict.with_validation(true, None, |v| v.validate(other_issuer, 1999)),
            Err(jwt_core::Error::InvalidIssuer)
        );
        let with_sub = br#"{"iss":"https://idp.example","aud":"api","sub":"s","exp":2000}"#;
        assert_eq!(
            strict.with_validation(false, None, |v| v.validate(with_sub, 1999)),
            Ok(())
        );
        assert_eq!(
            strict.with_validation(false, None, |v| v.validate(with_sub, 2000)),
            Err(jwt_core::Error::Expired)
        );
    }
}
