//! What the layer hands the application for an accepted token.

use std::sync::Arc;

use http::{HeaderName, HeaderValue};

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
    pub(super) claims: Arc<T>,
    pub(super) scopes: Arc<str>,
    pub(super) issuer: Arc<str>,
    pub(super) introspected: bool,
    pub(super) forwarded: Arc<[(HeaderName, HeaderValue)]>,
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

    /// The request headers made from claims
    /// ([`AuthenticatorBuilder::forward_claim`](super::AuthenticatorBuilder::forward_claim)).
    pub fn forwarded_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.forwarded
    }
}
