//! The shared verifier behind the layer: its providers, the verified-token cache, the
//! introspection cache and the counters. `builder` configures it, `jws` checks JWS tokens,
//! `introspect` asks a provider about opaque ones, and `accepted` makes the `Verified` of
//! `verified` from the claims either accepts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderName;
use jwt_core::{Confirmation, bearer};
use moka::Expiry;
use moka::sync::Cache;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tracing::debug;

use crate::fetch::Fetcher;
use crate::key_sets::KeySetStatus;
use crate::keys::ProviderKeys;
use crate::metrics::{Metrics, MetricsSnapshot, bump};
use crate::provider::{Binding, Provider};
use crate::refusal::{Refusal, Scheme};

mod accepted;
mod builder;
mod certificate;
mod dpop;
mod introspect;
mod jws;
mod verified;

pub use builder::{AuthenticatorBuilder, BuildError};
pub use certificate::ClientCertificate;
pub use dpop::SecureConnection;
pub(crate) use dpop::{Admitted, Presentation};
pub use verified::Verified;

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
    dpop: dpop::DpopSettings,
}

/// How the request presented its token: the scheme; with DPoP the thumbprint of the key its
/// proof was verified with, which a bound token's `cnf` must name; and the thumbprint of the
/// client certificate of its TLS connection, if it had one.
pub(crate) struct Presented<'a> {
    scheme: Scheme,
    confirmed: Option<&'a str>,
    certificate: Option<&'a str>,
}

impl Presented<'_> {
    const BEARER: Presented<'static> = Presented {
        scheme: Scheme::Bearer,
        confirmed: None,
        certificate: None,
    };

    /// What the request proved for a token bound to a key: a DPoP proof's key, which the
    /// token must be bound to; else a client certificate, which a token with `cnf` must be
    /// bound to while one without stays a bearer token (RFC 8705 section 3).
    fn binding(&self) -> Option<Binding<'_>> {
        match (self.confirmed, self.certificate) {
            (Some(key), _) => Some(Binding::Required(Confirmation::JwkThumbprint(key))),
            (None, Some(certificate)) => Some(Binding::Certificate(certificate)),
            (None, None) => None,
        }
    }

    /// Whether `provider` takes tokens presented this way.
    fn allowed_by(&self, provider: &Provider) -> bool {
        match self.scheme {
            Scheme::Bearer => provider.sender_constraint.allows_bearer(),
            Scheme::Dpop => provider.sender_constraint.allows_dpop(),
        }
    }
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

impl<T> Authenticator<T> {
    /// The counters so far.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot()
    }

    /// Each provider's key set now, in the order the providers were configured: its keys,
    /// whether it verifies tokens (fresh, stale, unusable), how old it is and how its last
    /// fetch ended. For metrics and readiness checks; see [`KeySetStatus`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use jwt_core_tower::{Authenticator, Provider};
    /// let auth = Authenticator::<serde_json::Value>::builder()
    ///     .provider(Provider::with_jwks("https://a.example", br#"{"keys":[]}"#))
    ///     .provider(Provider::with_jwks("https://b.example", br#"{"keys":[]}"#))
    ///     .build()
    ///     .await?;
    /// let issuers: Vec<_> = auth.key_sets().into_iter().map(|set| set.issuer).collect();
    /// assert_eq!(issuers, ["https://a.example", "https://b.example"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn key_sets(&self) -> Vec<KeySetStatus> {
        self.inner
            .providers
            .iter()
            .map(|p| p.keys.status())
            .collect()
    }

    /// The realm of the challenges, if configured.
    pub fn realm(&self) -> Option<&str> {
        self.inner.realm.as_deref()
    }

    /// The algorithms DPoP proofs may be signed with.
    pub(crate) fn dpop_algorithms(&self) -> Arc<[jwt_core::Algorithm]> {
        Arc::clone(&self.inner.dpop.algorithms)
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

    /// Counts a request refused before its token was looked at.
    pub(crate) fn count_refusal(&self, used: Option<Scheme>) {
        bump(&self.inner.metrics.refused);
        if used == Some(Scheme::Dpop) {
            bump(&self.inner.metrics.dpop_refused);
        }
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

    /// Checks a token as the request presented it (as a bearer token, or with a DPoP proof),
    /// and counts the outcome.
    pub(crate) async fn authenticate_presented(
        &self,
        presentation: Presentation<'_>,
    ) -> Result<Admitted<T>, Refusal> {
        let outcome = self.check_presented(presentation).await;
        match &outcome {
            Ok(_) => bump(&self.inner.metrics.accepted),
            Err(refusal) => {
                bump(&self.inner.metrics.refused);
                debug!(%refusal, "token refused");
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
        self.verify_presented(token, &Presented::BEARER).await
    }

    /// Checks a token presented as `presented` says.
    async fn verify_presented(
        &self,
        token: &str,
        presented: &Presented<'_>,
    ) -> Result<Verified<T>, Refusal> {
        // Three segments (two dots): a JWS. `split` finds the dots with `memchr`.
        if token.split('.').count() == 3 {
            self.verify_jws(token, presented).await
        } else {
            self.introspect(token, presented).await
        }
    }

    /// A cached answer, checked again against the clock, the provider's rules and the way
    /// it is presented now (a token bound to a key needs that key's proof on every use).
    fn recheck(
        &self,
        entry: &Entry<T>,
        now: u64,
        presented: &Presented<'_>,
    ) -> Result<Verified<T>, Refusal> {
        let provider = self
            .inner
            .providers
            .get(entry.provider)
            .ok_or(Refusal::UnknownIssuer)?;
        let verified = entry.verified.clone().ok_or(Refusal::NotActive)?;
        if !presented.allowed_by(&provider.config) {
            return Err(Refusal::SchemeNotAllowed);
        }
        let binding = presented.binding();
        match provider
            .config
            .with_validation(entry.generation.is_none(), binding, |policy| {
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
}

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    thread_local! {
        /// Passes the authenticator has made over claims itself on this thread, beside the
        /// core's verification and the application type's deserialization.
        static CLAIMS_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    pub(super) fn count_claims_read() {
        CLAIMS_READS.with(|reads| reads.set(reads.get() + 1));
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
