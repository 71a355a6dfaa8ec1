//! A resource server in front of an order API: every request to `/orders` must carry an
//! RFC 9068 access token (`Authorization: Bearer ...`) issued by the configured identity
//! provider for this API, signed with a key of the provider's JWK Set, and granting the
//! `orders:read` scope. Refusals answer as RFC 6750 says: 400 `invalid_request`, 401
//! `invalid_token` (or a bare challenge without credentials), 403 `insufficient_scope`, each
//! with its `WWW-Authenticate` header.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use jwt_core::bearer::{self, BearerError};
use jwt_core::scope::Scopes;
use jwt_core::{GrowableJwkSet, Rotating, Validation};
use serde::Deserialize;

/// The scope `/orders` requires.
pub const ORDERS_READ: &str = "orders:read";

/// What the gateway trusts: the provider's keys (replaceable when it rotates them), its
/// issuer, this API's audience, and the clock.
pub struct Gateway {
    /// The provider's keys, bound to its issuer.
    pub keys: Rotating<GrowableJwkSet>,
    /// The provider's issuer identifier.
    pub issuer: String,
    /// This API's identifier, which tokens must name in `aud`.
    pub audience: String,
    /// The clock, in Unix seconds.
    pub now: fn() -> u64,
}

impl Gateway {
    /// A gateway trusting the keys of the JWK Set document `jwks` for `issuer`.
    pub fn new(jwks: &[u8], issuer: &str, audience: &str) -> Result<Self, jwt_core::Error> {
        let keys = GrowableJwkSet::parse(jwks)?.bind_issuer(issuer)?;
        Ok(Gateway {
            keys: Rotating::new(keys),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            now: jwt_core::now,
        })
    }
}

/// The verified caller, for handlers.
#[derive(Clone, Debug)]
pub struct Caller {
    /// `sub`: who the token was issued for.
    pub subject: String,
    /// `client_id`: the application acting for them.
    pub client_id: String,
}

#[derive(Deserialize)]
struct AccessClaims<'a> {
    sub: &'a str,
    client_id: &'a str,
    #[serde(default)]
    scope: &'a str,
}

/// The application: `/orders` behind the token check.
pub fn app(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/orders", get(orders))
        .route_layer(middleware::from_fn_with_state(gateway, require_token))
}

async fn orders(Extension(caller): Extension<Caller>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "subject": caller.subject,
        "client_id": caller.client_id,
        "orders": [{ "id": "o-1001", "total": "42.00" }],
    }))
}

/// The layer: Bearer token, RFC 9068 profile, scope; the caller for the handler.
async fn require_token(
    State(gateway): State<Arc<Gateway>>,
    mut request: Request,
    next: Next,
) -> Response {
    match check(&gateway, &request) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(refusal) => refuse(refusal),
    }
}

fn check(gateway: &Gateway, request: &Request) -> Result<Caller, BearerError> {
    let authorization = match request.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(value.to_str().map_err(|_| BearerError::InvalidRequest)?),
    };
    let token = bearer::token_from_authorization(authorization)?;
    let issuers = [gateway.issuer.as_str()];
    let audiences = [gateway.audience.as_str()];
    let policy = Validation::access_token(&issuers, &audiences);
    let mut buf = vec![0u8; 2 * token.len()];
    let keys = gateway.keys.load();
    let claims: AccessClaims = keys.verify(token, &policy, (gateway.now)(), &mut buf)?;
    if !Scopes::Delimited(claims.scope).contains(ORDERS_READ) {
        return Err(BearerError::InsufficientScope);
    }
    Ok(Caller {
        subject: claims.sub.to_string(),
        client_id: claims.client_id.to_string(),
    })
}

fn refuse(refusal: BearerError) -> Response {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let scope = (refusal == BearerError::InsufficientScope).then_some(ORDERS_READ);
    let mut out = [0u8; 128];
    let challenge = refusal
        .challenge(Some("orders"), scope, &mut out)
        .ok()
        .and_then(|value| HeaderValue::from_str(value).ok())
        .unwrap_or(HeaderValue::from_static("Bearer"));
    (status, [(header::WWW_AUTHENTICATE, challenge)]).into_response()
}
