//! `jwt-core-tower-load PORT`: serves the same handler on 127.0.0.1:PORT behind each layer
//! the load test compares, and prints one RS256 and one ES256 access token valid for all of
//! them (`token rs256 ...`, `token es256 ...`) before `listening`.
//!
//! | path | in front of the handler |
//! |---|---|
//! | `/none` | nothing |
//! | `/jwt-core` | jwt-core-tower, verified-token cache off |
//! | `/jwt-core-cached` | jwt-core-tower, verified-token cache on |
//! | `/jwt-authorizer` | jwt-authorizer 0.15 (jsonwebtoken 9) |
//!
//! All use the same two public keys, given as one JWK Set; nothing is fetched.

use axum::Router;
use axum::routing::get;
use jwt_authorizer::{IntoLayer, JwtAuthorizer};
use jwt_core::{Es256PrivateKey, HeaderFields, Rs256PrivateKey};
use jwt_core_tower::{Authenticator, Provider};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "https://api.example";
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");

/// What every layer hands the handler.
#[derive(Clone, Debug, Deserialize)]
struct Access {
    #[allow(dead_code, reason = "read by the layers, not by the constant handler")]
    sub: String,
}

#[derive(Serialize)]
struct AccessToken<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    client_id: &'a str,
    jti: &'a str,
    scope: &'a str,
    iat: u64,
    exp: u64,
}

async fn handler() -> &'static str {
    "ok"
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The public halves of the repository's RSA 2048 and P-256 test keys, as one set.
fn jwks() -> String {
    let find = |file: &str, kid: &str| -> serde_json::Value {
        let set: serde_json::Value = serde_json::from_slice(&read(file)).expect("JSON");
        let keys = set["keys"].as_array().expect("keys");
        keys.iter().find(|k| k["kid"] == kid).expect("kid").clone()
    };
    let rsa = find("jwks/auth0.json", "auth0-current");
    let ec = find("jwks/azure_ad.json", "azure-ec");
    serde_json::json!({ "keys": [
        { "kty": "RSA", "kid": "rs", "alg": "RS256", "use": "sig", "n": rsa["n"], "e": rsa["e"] },
        { "kty": "EC", "kid": "es", "alg": "ES256", "use": "sig", "crv": "P-256",
          "x": ec["x"], "y": ec["y"] },
    ]})
    .to_string()
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: jwt-core-tower-load PORT");
    let jwks = jwks();
    let now = jwt_core::now();
    let claims = AccessToken {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: "alice",
        client_id: "shop-web",
        jti: "8f14e45f",
        scope: "orders:read",
        iat: now,
        exp: now + 3600,
    };
    let rsa = Rs256PrivateKey::from_pkcs1_der(&read("keys/rsa2048.pkcs1.der")).expect("RSA key");
    let scalar: [u8; 32] = read("keys/p256.scalar").try_into().expect("32 bytes");
    let ec = Es256PrivateKey::from_bytes(&scalar).expect("P-256 key");
    let header = |kid| HeaderFields::new().typ("at+jwt").kid(kid);
    let rs256 = jwt_core::sign_to_string(&rsa, &header("rs"), &claims).expect("sign");
    let es256 = jwt_core::sign_to_string(&ec, &header("es"), &claims).expect("sign");

    let tower = |cache: u64| {
        Authenticator::<Access>::builder()
            .provider(Provider::with_jwks(ISSUER, jwks.as_bytes()).audience(AUDIENCE))
            .token_cache(cache)
            .build()
    };
    let plain = tower(0).await.expect("jwt-core-tower");
    let cached = tower(100_000).await.expect("jwt-core-tower");
    let authorizer = JwtAuthorizer::<Access>::from_jwks_text(&jwks)
        .validation(
            jwt_authorizer::Validation::new()
                .iss(&[ISSUER])
                .aud(&[AUDIENCE]),
        )
        .build()
        .await
        .expect("jwt-authorizer");

    let app = Router::new()
        .route("/none", get(handler))
        .route("/jwt-core", get(handler).layer(plain.layer()))
        .route("/jwt-core-cached", get(handler).layer(cached.layer()))
        .route(
            "/jwt-authorizer",
            get(handler).layer([authorizer].into_layer()),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("token rs256 {rs256}");
    println!("token es256 {es256}");
    println!("listening");
    axum::serve(listener, app).await.expect("serve");
}
