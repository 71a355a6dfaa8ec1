//! Starts the gateway on 127.0.0.1 with keys from a JWK Set file and sends it real HTTP
//! requests: a valid access token, an expired one, one for another audience, one without
//! the scope, a malformed header and no header, checking status codes and
//! `WWW-Authenticate` (RFC 6750).

use axum_gateway::{Options, app, authenticator};
use jwt_core::{HeaderFields, Rs256PrivateKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ISSUER: &str = "https://idp.example/realms/main";
const AUDIENCE: &str = "https://orders.example";
const RSA_KEY: &[u8] = include_bytes!("../../../tests/data/keys/rsa2048.pkcs1.der");

async fn start() -> std::net::SocketAddr {
    let options = Options {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        scope: "orders:read".into(),
        jwks_file: Some(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/data/jwks/auth0.json"
            )
            .into(),
        ),
        jwks_uri: None,
        token_cache: 100,
        ..Options::default()
    };
    let auth = authenticator(&options).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(&auth, &options.scope))
            .await
            .unwrap()
    });
    address
}

/// Status, `WWW-Authenticate` value and body of `GET /orders` with `authorization`.
async fn get(
    address: std::net::SocketAddr,
    authorization: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET /orders HTTP/1.1\r\nHost: gateway\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let challenge = lines
        .filter_map(|l| l.split_once(": "))
        .find(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, value)| value.to_string());
    (status, challenge, body.to_string())
}

fn token(edit: impl FnOnce(&mut serde_json::Value), typ: &str) -> String {
    let now = jwt_core::now();
    let mut claims = serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "shop-web",
        "jti": "5f0c", "iat": now - 10, "exp": now + 300, "scope": "openid orders:read",
    });
    edit(&mut claims);
    let key = Rs256PrivateKey::from_pkcs1_der(RSA_KEY).unwrap();
    let header = HeaderFields::new().typ(typ).kid("auth0-current");
    jwt_core::sign_to_string(&key, &header, &claims).unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_valid_access_token_reaches_the_handler() {
    let address = start().await;
    let (status, challenge, body) = get(address, Some(&bearer(&token(|_| {}, "at+jwt")))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(challenge, None);
    let body: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    assert_eq!(
        (body["subject"].as_str(), body["client_id"].as_str()),
        (Some("alice"), Some("shop-web"))
    );
}

#[tokio::test]
async fn invalid_tokens_are_401_invalid_token() {
    let address = start().await;
    let now = jwt_core::now();
    let cases = [
        (
            "expired",
            token(|c| c["exp"] = (now - 120).into(), "at+jwt"),
        ),
        (
            "wrong audience",
            token(|c| c["aud"] = "https://billing.example".into(), "at+jwt"),
        ),
        (
            "other issuer",
            token(|c| c["iss"] = "https://evil.example".into(), "at+jwt"),
        ),
        ("not an access token", token(|_| {}, "JWT")),
        (
            "no client_id",
            token(
                |c| drop(c.as_object_mut().unwrap().remove("client_id")),
                "at+jwt",
            ),
        ),
        ("not a JWT", "a.b.c".to_string()),
    ];
    for (case, token) in cases {
        let (status, challenge, _) = get(address, Some(&bearer(&token))).await;
        assert_eq!(status, 401, "{case}");
        assert_eq!(
            challenge.as_deref(),
            Some(r#"Bearer realm="orders", error="invalid_token""#),
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_token_without_the_scope_is_403_insufficient_scope() {
    let address = start().await;
    let token = token(|c| c["scope"] = "openid orders:write".into(), "at+jwt");
    let (status, challenge, _) = get(address, Some(&bearer(&token))).await;
    assert_eq!(status, 403);
    assert_eq!(
        challenge.as_deref(),
        Some(r#"Bearer realm="orders", error="insufficient_scope", scope="orders:read""#)
    );
}

#[tokio::test]
async fn malformed_and_missing_credentials() {
    let address = start().await;
    for malformed in ["Bearer", "Bearer a.b.c extra", "Bearer \"a.b.c\""] {
        let (status, challenge, _) = get(address, Some(malformed)).await;
        assert_eq!(status, 400, "{malformed}");
        assert_eq!(
            challenge.as_deref(),
            Some(r#"Bearer realm="orders", error="invalid_request""#)
        );
    }
    for none in [None, Some("Basic dXNlcjpwYXNz")] {
        let (status, challenge, _) = get(address, none).await;
        assert_eq!(status, 401, "{none:?}");
        assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="orders""#));
    }
}
