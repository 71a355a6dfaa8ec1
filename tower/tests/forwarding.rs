//! Claims forwarded to the upstream service as headers, through the layer with real HTTP
//! requests on 127.0.0.1: array claims are lists whose elements cannot be confused, and no
//! header a client sends reaches the upstream under a forwarded header's name, or under a
//! name differing from it only by `_` for `-` or by case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use jwt_core::{HeaderFields, Hs256Key, Jwk};
use jwt_core_tower::{Authenticator, Provider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ISSUER: &str = "https://idp.example";
const JWK: &str =
    r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}"#;

fn token(claims: serde_json::Value) -> String {
    let mut claims = claims;
    claims["iss"] = ISSUER.into();
    claims["exp"] = (jwt_core::now() + 300).into();
    let key = Hs256Key::from_jwk(&Jwk::parse(JWK.as_bytes()).unwrap()).unwrap();
    jwt_core::sign_to_string(&key, &HeaderFields::new().kid("k"), &claims).unwrap()
}

/// A gateway forwarding `sub` as `x-user` and `roles` as `x-roles` to an upstream that
/// answers every header it was sent, one `name: value` line each.
async fn gateway() -> std::net::SocketAddr {
    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    let auth = Authenticator::<serde_json::Value>::builder()
        .provider(Provider::with_jwks(ISSUER, jwks.as_bytes()).jwt())
        .forward_claim("sub", "x-user")
        .forward_claim("roles", "x-roles")
        .build()
        .await
        .unwrap();
    let upstream = |headers: HeaderMap| async move {
        let lines: Vec<String> = headers
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
            .collect();
        lines.join("\n")
    };
    let app = Router::new().route("/", get(upstream)).layer(auth.layer());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// `GET /` with `token` and the header lines `extra`, written as they are: status and the
/// upstream's header lines with a name starting `x`, sorted.
async fn upstream_sees(
    address: std::net::SocketAddr,
    token: &str,
    extra: &[&str],
) -> (u16, Vec<String>) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let extra: String = extra.iter().map(|line| format!("{line}\r\n")).collect();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {token}\r\n{extra}\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut seen: Vec<String> = body
        .lines()
        .filter(|line| line.starts_with('x'))
        .map(str::to_string)
        .collect();
    seen.sort();
    (status, seen)
}

#[tokio::test]
async fn arrays_whose_elements_could_be_confused_are_not_forwarded() {
    let address = gateway().await;
    let two = token(serde_json::json!({"sub": "alice", "roles": ["user", "admin"]}));
    let one = token(serde_json::json!({"sub": "alice", "roles": ["user,admin"]}));
    assert_eq!(
        upstream_sees(address, &two, &[]).await,
        (
            200,
            vec!["x-roles: user,admin".into(), "x-user: alice".into()]
        )
    );
    assert_eq!(
        upstream_sees(address, &one, &[]).await,
        (200, vec!["x-user: alice".into()])
    );
}

#[tokio::test]
async fn client_headers_an_upstream_could_take_for_forwarded_ones_never_reach_it() {
    let address = gateway().await;
    let alice = token(serde_json::json!({"sub": "alice"}));
    let forged = [
        "x-user: mallory",
        "X-User: mallory",
        "x_user: mallory",
        "X_USER: mallory",
        "x-User_: kept",
        "x_roles: admin",
        "X-Roles: admin",
        "x-user-agent: kept",
    ];
    assert_eq!(
        upstream_sees(address, &alice, &forged).await,
        (
            200,
            vec![
                "x-user-agent: kept".into(),
                "x-user: alice".into(),
                "x-user_: kept".into(),
            ]
        )
    );
}
