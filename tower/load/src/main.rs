//! `jwt-core-tower-load PORT`: serves the same handler on 127.0.0.1:PORT behind each layer
//! the load test compares, and prints one RS256 and one ES256 access token valid for all of
//! them (`token rs256 ...`, `token es256 ...`), and an ES256 access token bound to the DPoP
//! key below (`token dpop ...`), before `listening`.
//!
//! | path | in front of the handler |
//! |---|---|
//! | `/none` | nothing |
//! | `/jwt-core` | jwt-core-tower, verified-token cache off |
//! | `/jwt-core-cached` | jwt-core-tower, verified-token cache on |
//! | `/jwt-authorizer` | jwt-authorizer 0.15 (jsonwebtoken 9) |
//!
//! All use the same two public keys, given as one JWK Set; nothing is fetched. The
//! jwt-core-tower layers take DPoP requests too (RFC 9449), each remembering up to
//! `REPLAY_CAPACITY` proofs.
//!
//! `jwt-core-tower-load proofs COUNT URL TOKEN`: prints COUNT DPoP proofs for GET `URL` with
//! `TOKEN`, one per line, each with its own `jti`, made with the DPoP key (ES256) on every
//! core. A load client sends each once: a proof cannot be made per request without the
//! client's signing taking the server's cores, and a proof sent twice is refused as a
//! replay.

use std::io::Write;

use axum::Router;
use axum::routing::get;
use jwt_authorizer::{IntoLayer, JwtAuthorizer};
use jwt_core::dpop::{self, ProofClaims};
use jwt_core::{Es256PrivateKey, HeaderFields, Rs256PrivateKey};
use jwt_core_tower::{Authenticator, MemoryReplayStore, Provider};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "https://api.example";
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");

/// The private scalar of the client's DPoP key (P-256).
const DPOP_SCALAR: [u8; 32] = [0x42; 32];
/// Unexpired DPoP proofs each jwt-core-tower layer remembers: more than a run sends in a
/// proof's lifetime (a `jti` is kept for about 300 s), so no request is refused for a full
/// store.
const REPLAY_CAPACITY: usize = 5_000_000;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    cnf: Option<Confirmation>,
}

/// `cnf` of a DPoP-bound token.
#[derive(Serialize)]
struct Confirmation {
    jkt: String,
}

fn dpop_key() -> Es256PrivateKey {
    Es256PrivateKey::from_bytes(&DPOP_SCALAR).expect("P-256 key")
}

/// Prints `count` proofs for GET `url` with `token`, made on every core.
fn print_proofs(count: usize, url: &str, token: &str) {
    let key = dpop_key();
    let now = jwt_core::now();
    // `jti`s are unique across the invocations of a run: the time of this one, then a count.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos();
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let per_worker = count.div_ceil(workers);
    let chunks: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let key = &key;
                scope.spawn(move || {
                    let mut lines = String::new();
                    let mut out = [0u8; 1024];
                    let first = worker * per_worker;
                    for i in first..count.min(first + per_worker) {
                        let jti = format!("{run:x}-{i:x}");
                        let claims = ProofClaims::new(&jti, "GET", url, now).access_token(token);
                        let proof = dpop::make_proof(key, &claims, &mut out).expect("a proof");
                        lines.push_str(proof);
                        lines.push('\n');
                    }
                    lines
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker"))
            .collect()
    });
    let mut stdout = std::io::stdout().lock();
    for chunk in chunks {
        stdout.write_all(chunk.as_bytes()).expect("stdout");
    }
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match &args[..] {
        [command, count, url, token] if command == "proofs" => {
            print_proofs(count.parse().expect("a count"), url, token);
        }
        [port] => serve(port.parse().expect("a port")),
        _ => panic!("usage: jwt-core-tower-load PORT | jwt-core-tower-load proofs COUNT URL TOKEN"),
    }
}

#[tokio::main]
async fn serve(port: u16) {
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
        cnf: None,
    };
    let rsa = Rs256PrivateKey::from_pkcs1_der(&read("keys/rsa2048.pkcs1.der")).expect("RSA key");
    let scalar: [u8; 32] = read("keys/p256.scalar").try_into().expect("32 bytes");
    let ec = Es256PrivateKey::from_bytes(&scalar).expect("P-256 key");
    let header = |kid| HeaderFields::new().typ("at+jwt").kid(kid);
    let rs256 = jwt_core::sign_to_string(&rsa, &header("rs"), &claims).expect("sign");
    let es256 = jwt_core::sign_to_string(&ec, &header("es"), &claims).expect("sign");
    let jkt = dpop::thumbprint(&dpop_key()).expect("a thumbprint");
    let bound = AccessToken {
        cnf: Some(Confirmation {
            jkt: jkt.as_str().to_owned(),
        }),
        ..claims
    };
    let dpop_token = jwt_core::sign_to_string(&ec, &header("es"), &bound).expect("sign");

    let tower = |cache: u64| {
        Authenticator::<Access>::builder()
            .provider(Provider::with_jwks(ISSUER, jwks.as_bytes()).audience(AUDIENCE))
            .token_cache(cache)
            .replay_store(MemoryReplayStore::new(REPLAY_CAPACITY))
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
    println!("token dpop {dpop_token}");
    println!("listening");
    axum::serve(listener, app).await.expect("serve");
}
