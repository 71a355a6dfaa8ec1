//! axum extractors for what [`JwtAuthLayer`](crate::JwtAuthLayer) accepted.

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::authenticator::Verified;
use crate::refusal::Refusal;

/// The claims of the request's verified token, for handlers behind
/// [`JwtAuthLayer`](crate::JwtAuthLayer). A request that did not go through the layer is
/// refused as having no credentials (401).
///
/// ```
/// use jwt_core_tower::Claims;
/// #[derive(Clone, serde::Deserialize)]
/// struct Access { sub: String }
/// async fn whoami(Claims(access): Claims<Access>) -> String {
///     access.sub
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Claims<T>(pub T);

impl<S, T> FromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: Clone + Send + Sync + 'static,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let verified = parts
            .extensions
            .get::<Verified<T>>()
            .ok_or(Refusal::NoCredentials)?;
        Ok(Claims(verified.claims().clone()))
    }
}

impl<S, T> FromRequestParts<S> for Verified<T>
where
    S: Send + Sync,
    T: Send + Sync + 'static,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Verified<T>>()
            .cloned()
            .ok_or(Refusal::NoCredentials)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.response(None, None)
    }
}
