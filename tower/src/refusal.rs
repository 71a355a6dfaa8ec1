//! Why a request is refused, and the RFC 6750 answer for it.

use http::{HeaderValue, Response, StatusCode, header};
use jwt_core::bearer::BearerError;

/// Why a request's token was not accepted. Each maps to one HTTP answer
/// ([`status`](Self::status), [`response`](Self::response)); the token itself is never part
/// of it.
///
/// ```
/// use jwt_core_tower::Refusal;
/// assert_eq!(Refusal::Token(jwt_core::Error::Expired).status(), 401);
/// assert_eq!(Refusal::InsufficientScope.status(), 403);
/// assert_eq!(Refusal::KeysUnavailable.status(), 503);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// No `Authorization: Bearer` credentials.
    NoCredentials,
    /// A malformed `Authorization` header.
    InvalidRequest,
    /// The JWT failed verification; [`jwt_core::Error::SenderConstrained`] for one bound to
    /// a key (`cnf`) presented as a bearer token.
    Token(jwt_core::Error),
    /// The JWT's `iss` is none of the configured providers, or no provider is configured to
    /// introspect this opaque token (see
    /// [`Provider::opaque_token_prefix`](crate::Provider::opaque_token_prefix)).
    UnknownIssuer,
    /// An opaque token the provider's introspection endpoint says is not active (revoked,
    /// expired, unknown) or bound to a key (`cnf`), or whose answer fails the provider's
    /// rules.
    NotActive,
    /// The token lacks a scope the route needs.
    InsufficientScope,
    /// The provider's keys could not be fetched and the last set is past its staleness
    /// bound: the token cannot be checked now. Not the client's fault.
    KeysUnavailable,
    /// The introspection endpoint could not be reached or answered badly.
    IntrospectionUnavailable,
}

impl Refusal {
    /// The RFC 6750 error, `None` for the server-side failures (503).
    ///
    /// ```
    /// use jwt_core::bearer::BearerError;
    /// use jwt_core_tower::Refusal;
    /// assert_eq!(Refusal::UnknownIssuer.bearer(), Some(BearerError::InvalidToken));
    /// // A token bound to a key, without the proof of possession it needs.
    /// let bound = Refusal::Token(jwt_core::Error::SenderConstrained);
    /// assert_eq!((bound.bearer(), bound.status()), (Some(BearerError::InvalidToken), 401));
    /// assert_eq!(Refusal::IntrospectionUnavailable.bearer(), None);
    /// ```
    pub fn bearer(self) -> Option<BearerError> {
        match self {
            Refusal::NoCredentials => Some(BearerError::NoCredentials),
            Refusal::InvalidRequest => Some(BearerError::InvalidRequest),
            Refusal::Token(_) | Refusal::UnknownIssuer | Refusal::NotActive => {
                Some(BearerError::InvalidToken)
            }
            Refusal::InsufficientScope => Some(BearerError::InsufficientScope),
            Refusal::KeysUnavailable | Refusal::IntrospectionUnavailable => None,
        }
    }

    /// The HTTP status: 400, 401 or 403 as RFC 6750 says, 503 when the provider cannot be
    /// consulted.
    pub fn status(self) -> u16 {
        self.bearer().map_or(503, BearerError::status)
    }

    /// The answer: the status, and for 400/401/403 a `WWW-Authenticate` challenge with the
    /// realm and, for a missing scope, the scopes needed. The body is empty.
    ///
    /// ```
    /// let response: http::Response<String> =
    ///     jwt_core_tower::Refusal::InsufficientScope.response(Some("api"), Some("orders:read"));
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     r#"Bearer realm="api", error="insufficient_scope", scope="orders:read""#
    /// );
    /// ```
    pub fn response<B: Default>(self, realm: Option<&str>, scope: Option<&str>) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        if let Some(bearer) = self.bearer() {
            let scope = scope.filter(|_| bearer == BearerError::InsufficientScope);
            let mut out = vec![0u8; 64 + realm.map_or(0, str::len) + scope.map_or(0, str::len)];
            let challenge = bearer
                .challenge(realm, scope, &mut out)
                .ok()
                .and_then(|value| HeaderValue::from_str(value).ok())
                .unwrap_or(HeaderValue::from_static("Bearer"));
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

impl From<BearerError> for Refusal {
    fn from(e: BearerError) -> Self {
        match e {
            BearerError::NoCredentials => Refusal::NoCredentials,
            BearerError::InvalidRequest => Refusal::InvalidRequest,
            BearerError::InvalidToken => Refusal::NotActive,
            BearerError::InsufficientScope => Refusal::InsufficientScope,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoCredentials => f.write_str("no bearer token"),
            Refusal::InvalidRequest => f.write_str("malformed Authorization header"),
            Refusal::Token(e) => write!(f, "invalid token: {e}"),
            Refusal::UnknownIssuer => f.write_str("token from an issuer that is not trusted"),
            Refusal::NotActive => f.write_str("opaque token not active"),
            Refusal::InsufficientScope => f.write_str("token lacks a required scope"),
            Refusal::KeysUnavailable => f.write_str("provider keys unavailable"),
            Refusal::IntrospectionUnavailable => f.write_str("introspection endpoint unavailable"),
        }
    }
}

impl std::error::Error for Refusal {}
