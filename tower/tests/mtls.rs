//! Certificate-bound tokens (RFC 8705 section 3) through the layer: the client certificate
//! from the connection (`ClientCertificate`) or from a trusted proxy's RFC 9440 `Client-Cert`
//! header; a token bound to one certificate accepted with it alone, on cache hits too;
//! bearer tokens accepted with or without a certificate; a `Client-Cert` header from anyone
//! but a trusted proxy ignored and removed. The tokens of the first tests are signed here;
//! the last test has node-oidc-provider bind its tokens (JWT and opaque) to a certificate the
//! `openssl` command makes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::routing::get;
use base64ct::{Base64, Encoding};
use jwt_core::{HeaderFields, Hs256Key, Jwk, Thumbprint};
use jwt_core_tower::{Authenticator, ClientCertificate, Provider, SecureConnection};
use serde_json::json;
use tower::ServiceExt;

const ISSUER: &str = "https://idp.example";
const JWK: &str =
    r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}"#;
/// The DER of two client certificates: the thumbprint is all a binding looks at.
const CERTIFICATE_A: &[u8] = b"\x30\x82\x01\x0a certificate A";
const CERTIFICATE_B: &[u8] = b"\x30\x82\x01\x0a certificate B";
const PROXY: &str = "10.0.0.2:40000";
const CLIENT: &str = "192.0.2.7:50000";

/// A token from the fixed provider, bound to the certificate `bound_to` if given.
fn token(bound_to: Option<&[u8]>) -> String {
    let mut claims = json!({
        "iss": ISSUER, "sub": "alice", "exp": jwt_core::now() + 300,
    });
    if let Some(der) = bound_to {
        claims["cnf"] = json!({ "x5t#S256": Thumbprint::of_certificate(der).as_str() });
    }
    let key = Hs256Key::from_jwk(&Jwk::parse(JWK.as_bytes()).unwrap()).unwrap();
    jwt_core::sign_to_string(&key, &HeaderFields::new().kid("k"), &claims).unwrap()
}

/// `Client-Cert` for `der` (RFC 9440: a byte sequence, colon-wrapped base64).
fn client_cert_header(der: &[u8]) -> String {
    format!(":{}:", Base64::encode_string(der))
}

/// The layer with a verified-token cache, trusting the proxy `PROXY`, in front of a
/// service answering the `Client-Cert` header it was sent (`-` for none).
async fn app() -> (Router, Authenticator<serde_json::Value>) {
    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    app_for(Provider::with_jwks(ISSUER, jwks.as_bytes()).jwt()).await
}

/// The same in front of `provider`'s tokens.
async fn app_for(provider: Provider) -> (Router, Authenticator<serde_json::Value>) {
    let auth = Authenticator::<serde_json::Value>::builder()
        .provider(provider)
        .token_cache(100)
        .trusted_proxies([PROXY.parse::<SocketAddr>().unwrap().ip()])
        .build()
        .await
        .unwrap();
    let upstream = |headers: HeaderMap| async move {
        headers
            .get("client-cert")
            .map_or("-".to_owned(), |v| v.to_str().unwrap().to_owned())
    };
    let app = Router::new().route("/", get(upstream)).layer(auth.layer());
    (app, auth)
}

/// How a request reaches the gateway.
struct Request<'a> {
    peer: &'a str,
    /// The verified certificate of the TLS connection.
    connection: Option<&'a [u8]>,
    /// A `Client-Cert` header value.
    header: Option<String>,
}

const PLAIN: Request<'static> = Request {
    peer: CLIENT,
    connection: None,
    header: None,
};

/// GET / with `token` as `request` says: the status, the first `WWW-Authenticate` value,
/// and the body.
async fn get_with(app: &Router, token: &str, request: Request<'_>) -> (u16, String, String) {
    let mut http = axum::http::Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let peer: SocketAddr = request.peer.parse().unwrap();
    http.extensions_mut().insert(ConnectInfo(peer));
    if let Some(der) = request.connection {
        http.extensions_mut().insert(SecureConnection);
        http.extensions_mut()
            .insert(ClientCertificate::from_der(der));
    }
    if let Some(value) = request.header {
        http.headers_mut()
            .insert("client-cert", value.parse().unwrap());
    }
    let response = app.clone().oneshot(http).await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, challenge, String::from_utf8(body.to_vec()).unwrap())
}

fn with_connection(der: &[u8]) -> Request<'_> {
    Request {
        connection: Some(der),
        ..PLAIN
    }
}

fn via_proxy(der: &[u8]) -> Request<'static> {
    Request {
        peer: PROXY,
        header: Some(client_cert_header(der)),
        ..PLAIN
    }
}

fn refused_as_invalid_token((status, challenge, _): (u16, String, String)) -> bool {
    status == 401 && challenge.contains(r#"error="invalid_token""#)
}

/// A token bound to certificate A is accepted on a connection with A, and refused with B or
/// without a certificate, each time: the binding is checked on cache hits as well (the
/// token is cached after its first acceptance).
#[tokio::test]
async fn a_token_bound_to_a_certificate_needs_that_certificate_on_every_use() {
    let (app, auth) = app().await;
    let bound = token(Some(CERTIFICATE_A));
    assert_eq!(
        get_with(&app, &bound, with_connection(CERTIFICATE_A))
            .await
            .0,
        200
    );
    for _ in 0..2 {
        let answer = get_with(&app, &bound, with_connection(CERTIFICATE_B)).await;
        assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
        let answer = get_with(&app, &bound, PLAIN).await;
        assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
        assert_eq!(
            get_with(&app, &bound, with_connection(CERTIFICATE_A))
                .await
                .0,
            200
        );
    }
    let metrics = auth.metrics();
    assert!(metrics.token_cache_hits >= 6, "{metrics:?}");

    // Bound to B, refused with A even though A's token is cached.
    let bound_to_b = token(Some(CERTIFICATE_B));
    let answer = get_with(&app, &bound_to_b, with_connection(CERTIFICATE_A)).await;
    assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
    assert_eq!(
        get_with(&app, &bound_to_b, with_connection(CERTIFICATE_B))
            .await
            .0,
        200
    );
}

/// A trusted TLS-terminating proxy passes the client certificate in `Client-Cert`: the
/// bound token is accepted with A's, refused with B's, and the upstream sees the header. The
/// proxy's header names the client's certificate even when the proxy's own connection has a
/// certificate (its own). A malformed header from the proxy is a bad request.
#[tokio::test]
async fn a_trusted_proxy_passes_the_certificate_in_client_cert() {
    let (app, _) = app().await;
    let bound = token(Some(CERTIFICATE_A));
    let (status, _, seen) = get_with(&app, &bound, via_proxy(CERTIFICATE_A)).await;
    assert_eq!(status, 200);
    assert_eq!(seen, client_cert_header(CERTIFICATE_A));
    let answer = get_with(&app, &bound, via_proxy(CERTIFICATE_B)).await;
    assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
    let behind_mtls = Request {
        connection: Some(CERTIFICATE_B),
        ..via_proxy(CERTIFICATE_A)
    };
    assert_eq!(get_with(&app, &bound, behind_mtls).await.0, 200);

    for malformed in ["not-base64", ":not base64:", "::", ":-_-_:"] {
        let request = Request {
            header: Some(malformed.to_owned()),
            ..via_proxy(CERTIFICATE_A)
        };
        let (status, challenge, _) = get_with(&app, &bound, request).await;
        assert_eq!(status, 400, "{malformed}");
        assert!(
            challenge.contains(r#"error="invalid_request""#),
            "{challenge}"
        );
    }
}

/// `Client-Cert` from a peer that is not a trusted proxy is anyone's writing: it binds
/// nothing (the bound token is refused, or checked against the connection's own
/// certificate), and the upstream never sees it.
#[tokio::test]
async fn client_cert_from_anyone_else_is_ignored_and_removed() {
    let (app, _) = app().await;
    let bound = token(Some(CERTIFICATE_A));
    let forged = Request {
        header: Some(client_cert_header(CERTIFICATE_A)),
        ..PLAIN
    };
    let answer = get_with(&app, &bound, forged).await;
    assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
    let forged_over_mtls = Request {
        header: Some(client_cert_header(CERTIFICATE_A)),
        ..with_connection(CERTIFICATE_B)
    };
    let answer = get_with(&app, &bound, forged_over_mtls).await;
    assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
    // A malformed one is no concern of this peer's request either.
    let unbound = token(None);
    for value in [client_cert_header(CERTIFICATE_A), "garbage".to_owned()] {
        let request = Request {
            header: Some(value),
            ..PLAIN
        };
        assert_eq!(
            get_with(&app, &unbound, request).await,
            (200, "".into(), "-".into())
        );
    }
}

/// Bearer tokens stay valid over mutual TLS: with a certificate from the connection or from
/// a trusted proxy, and without one.
#[tokio::test]
async fn bearer_tokens_are_accepted_with_and_without_a_certificate() {
    let (app, _) = app().await;
    let unbound = token(None);
    for _ in 0..2 {
        assert_eq!(get_with(&app, &unbound, PLAIN).await.0, 200);
        assert_eq!(
            get_with(&app, &unbound, with_connection(CERTIFICATE_A))
                .await
                .0,
            200
        );
        assert_eq!(
            get_with(&app, &unbound, via_proxy(CERTIFICATE_B)).await.0,
            200
        );
    }
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The DER of a new self-signed P-256 certificate for `CN=name`, made by the `openssl`
/// command in `dir`.
fn certificate(dir: &Path, name: &str) -> Vec<u8> {
    let (key, der) = (format!("{name}.key"), format!("{name}.der"));
    let output = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args([
            "-nodes", "-keyout", &key, "-outform", "DER", "-out", &der, "-days", "2",
        ])
        .args(["-subj", &format!("/CN={name}")])
        .current_dir(dir)
        .output()
        .expect("the openssl command");
    assert!(
        output.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(dir.join(der)).unwrap()
}

/// A token of node-oidc-provider's `mtls-app` for `resource`, requested with `der` as the
/// client certificate (passed as a TLS-terminating proxy in front of the provider would,
/// in `Client-Cert`), and its `token_type`.
async fn certificate_bound_token(
    idp: &common::Idp,
    der: &[u8],
    resource: &str,
) -> (String, String) {
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        access_token: String,
        token_type: String,
    }
    let response = common::client()
        .post(idp.url("/token"))
        .basic_auth("mtls-app", Some("mtls-app-secret"))
        .header("client-cert", client_cert_header(der))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", resource),
            ("scope", "orders:read"),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    assert_eq!(status, 200, "token request: {body:?}");
    let answer: TokenResponse = serde_json::from_slice(&body).unwrap();
    (answer.access_token, answer.token_type)
}

/// node-oidc-provider with `features.mTLS.certificateBoundAccessTokens` binds the tokens of
/// a client registered with `tls_client_certificate_bound_access_tokens` to its
/// certificate A: the JWT's `cnf.x5t#S256` is the SHA-256 of A's DER (worked out here with
/// sha2, and equal to `ClientCertificate`'s thumbprint). Through the layer the token is
/// accepted with A (from the connection, and from a trusted proxy's `Client-Cert`), refused
/// with 401 `invalid_token` with certificate B or none; the same for the opaque form, whose
/// introspection answer carries the binding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_certificate_bound_tokens_need_their_certificate() {
    use sha2::Digest;

    if !common::node_ready() {
        return;
    }
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: certificate-bound tokens from the real provider: no openssl command");
        return;
    }
    let dir = TempDir::new("jwt-core-tower-mtls");
    let (a, b) = (certificate(&dir.0, "a"), certificate(&dir.0, "b"));
    let idp = common::Idp::start_with(1, &[("MTLS", "1")]).await;
    let (app, auth) = app_for(
        Provider::discover(&idp.issuer)
            .audience("urn:orders")
            .introspection("gateway", "gateway-secret"),
    )
    .await;

    let (token, token_type) = certificate_bound_token(&idp, &a, "urn:orders").await;
    assert_eq!(token_type, "Bearer", "RFC 8705 keeps the token type");
    let payload = base64ct::Base64UrlUnpadded::decode_vec(token.split('.').nth(1).unwrap());
    let claims: serde_json::Value = serde_json::from_slice(&payload.unwrap()).unwrap();
    let thumbprint = base64ct::Base64UrlUnpadded::encode_string(&sha2::Sha256::digest(&a));
    assert_eq!(claims["cnf"]["x5t#S256"], thumbprint.as_str());
    assert_eq!(
        ClientCertificate::from_der(a.clone()).thumbprint().as_str(),
        thumbprint
    );

    let (opaque, _) = certificate_bound_token(&idp, &a, "urn:orders:opaque").await;
    assert!(!opaque.contains('.'), "an opaque token");
    for token in [&token, &opaque] {
        // Twice: the second time from the verified-token or introspection cache.
        for _ in 0..2 {
            assert_eq!(get_with(&app, token, with_connection(&a)).await.0, 200);
            assert_eq!(get_with(&app, token, via_proxy(&a)).await.0, 200);
            for refused in [with_connection(&b), via_proxy(&b), PLAIN] {
                let answer = get_with(&app, token, refused).await;
                assert!(refused_as_invalid_token(answer.clone()), "{answer:?}");
            }
        }
    }
    let metrics = auth.metrics();
    assert_eq!(metrics.introspections, 1, "{metrics:?}");
    assert!(metrics.token_cache_hits >= 4, "{metrics:?}");
}
