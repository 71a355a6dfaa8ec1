//! What each provider's key set is now, read for monitoring and readiness:
//! [`Authenticator::key_sets`](crate::Authenticator::key_sets).

use std::time::Duration;

/// Whether a provider's key set verifies tokens now, by its
/// [`KeyCachePolicy`](crate::KeyCachePolicy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySetState {
    /// Within its lifetime (or a configured document, which does not expire).
    Fresh,
    /// Past its lifetime and not yet replaced or confirmed (the provider could not be
    /// reached, or the refetch is under way), within `max_stale`: still used.
    Stale,
    /// Past `max_stale` (or never had): the provider's tokens are refused with 503.
    Unusable,
}

/// How the last request for a provider's key set ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFetchResult {
    /// A set was fetched (the same as before or a new one).
    Fetched,
    /// The provider answered 304 Not Modified: the set in use is current.
    NotModified,
    /// The request failed (transport, status, size or an unusable document): the set in
    /// use, if any, stays.
    Failed,
}

/// One provider's key set at the moment [`Authenticator::key_sets`](crate::Authenticator::key_sets)
/// was called.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use jwt_core_tower::{Authenticator, KeySetState, Provider};
/// let jwks = br#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}"#;
/// let auth = Authenticator::<serde_json::Value>::builder()
///     .provider(Provider::with_jwks("https://idp.example", jwks))
///     .build()
///     .await?;
/// let status = &auth.key_sets()[0];
/// assert_eq!(status.issuer, "https://idp.example");
/// assert_eq!((status.keys, status.state), (1, KeySetState::Fresh));
/// assert!(status.age.is_some_and(|age| age.as_secs() < 60));
/// assert_eq!(status.last_fetch, None, "a configured document is never fetched");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySetStatus {
    /// The provider's issuer.
    pub issuer: String,
    /// The keys of the set in use (0 without one).
    pub keys: usize,
    /// Whether the set verifies tokens now.
    pub state: KeySetState,
    /// How long ago the set in use was fetched, or last confirmed by the provider (304, or
    /// the same document again); for a configured document, how long ago it was read.
    /// `None` without a set.
    pub age: Option<Duration>,
    /// How long ago the set in use was installed: fetched first, or changed last.
    pub installed: Option<Duration>,
    /// How the last request to the provider's `jwks_uri` ended; `None` for a configured
    /// document.
    pub last_fetch: Option<KeyFetchResult>,
}

impl KeySetStatus {
    /// Whether the provider's tokens can be verified now (fresh, or stale within
    /// `max_stale`): what a readiness check asks of every provider.
    ///
    /// ```
    /// # fn f(auth: &jwt_core_tower::Authenticator<serde_json::Value>) {
    /// let ready = auth.key_sets().iter().all(|set| set.usable());
    /// # }
    /// ```
    pub fn usable(&self) -> bool {
        self.state != KeySetState::Unusable
    }
}
