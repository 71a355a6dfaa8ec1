//! The gateway terminating TLS with optional client certificates (`--tls-cert`, `--tls-key`,
//! `--client-ca`), over real HTTPS on 127.0.0.1 with certificates the `openssl` command makes
//! here: bearer tokens with and without a client certificate, a token bound to certificate
//! A (RFC 8705 `cnf.x5t#S256`, signed with the test's fixed key) accepted with A alone, and
//! a client certificate from another CA refused in the handshake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use axum_gateway::{Options, app, authenticator, serve, tls_config};
use jwt_core::{HeaderFields, Rs256PrivateKey, Thumbprint};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::net::TcpListener;

const ISSUER: &str = "https://idp.example/realms/main";
const AUDIENCE: &str = "https://orders.example";
const RSA_KEY: &[u8] = include_bytes!("../../../tests/data/keys/rsa2048.pkcs1.der");

/// Runs `openssl` with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA `name` (`name.pem`, `name.key`).
fn ca(dir: &Path, name: &str) {
    let (pem, key) = (format!("{name}.pem"), format!("{name}.key"));
    let subject = format!("/CN={name}");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &pem,
            "-days",
            "2",
            "-subj",
            &subject,
        ],
    );
}

/// A certificate `name` issued by CA `issuer` with the extensions `extensions`
/// (`name.pem`, `name.key`, and `name.identity.pem`: both, for a client).
fn leaf(dir: &Path, name: &str, issuer: &str, extensions: &str) {
    let (pem, key, csr, ext) = (
        format!("{name}.pem"),
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.ext"),
    );
    std::fs::write(dir.join(&ext), extensions).unwrap();
    let subject = format!("/CN={name}");
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &subject,
        ],
    );
    let (ca_pem, ca_key) = (format!("{issuer}.pem"), format!("{issuer}.key"));
    let serial = format!("{}", std::process::id() as u64 * 1000 + name.len() as u64);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            &serial,
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &pem,
        ],
    );
    let identity = [
        std::fs::read(dir.join(&pem)).unwrap(),
        std::fs::read(dir.join(&key)).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join(format!("{name}.identity.pem")), identity).unwrap();
}

/// A fresh directory with the CA, the server's certificate for 127.0.0.1, client
/// certificates A and B of the CA, and client certificate C of another CA.
fn certificates() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "axum-gateway-tls-{}-{}",
        std::process::id(),
        jwt_core::now()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    ca(&dir, "ca");
    ca(&dir, "other-ca");
    let server =
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n";
    let client = "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n";
    leaf(&dir, "server", "ca", server);
    leaf(&dir, "client-a", "ca", client);
    leaf(&dir, "client-b", "ca", client);
    leaf(&dir, "client-c", "other-ca", client);
    dir
}

/// `x5t#S256` of the certificate in `pem`.
fn thumbprint(pem: &Path) -> String {
    let der = CertificateDer::from_pem_file(pem).unwrap();
    Thumbprint::of_certificate(der.as_ref()).as_str().to_owned()
}

/// The gateway over HTTPS asking for client certificates of `ca`: its base URL.
async fn start(dir: &Path) -> String {
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
        token_cache: 100,
        ..Options::default()
    };
    let auth = authenticator(&options).await.unwrap();
    let tls = tls_config(
        &dir.join("server.pem"),
        &dir.join("server.key"),
        Some(&dir.join("ca.pem")),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        serve(listener, app(&auth, &options.scope), Some(tls))
            .await
            .unwrap()
    });
    format!("https://{address}")
}

/// An access token for the gateway, bound to the certificate with `x5t` if given.
fn token(x5t: Option<&str>) -> String {
    let now = jwt_core::now();
    let mut claims = serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "shop-web",
        "jti": "5f0c", "iat": now - 10, "exp": now + 300, "scope": "orders:read",
    });
    if let Some(x5t) = x5t {
        claims["cnf"] = serde_json::json!({ "x5t#S256": x5t });
    }
    let key = Rs256PrivateKey::from_pkcs1_der(RSA_KEY).unwrap();
    let header = HeaderFields::new().typ("at+jwt").kid("auth0-current");
    jwt_core::sign_to_string(&key, &header, &claims).unwrap()
}

/// An HTTPS client trusting the test CA alone, presenting `identity` (a PEM file) if given.
fn client(dir: &Path, identity: Option<&str>) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(dir.join("ca.pem")).unwrap()).unwrap();
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]);
    if let Some(identity) = identity {
        let pem = std::fs::read(dir.join(identity)).unwrap();
        builder = builder.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    builder.build().unwrap()
}

/// GET `url` with `token` as a bearer token and the header `extra` if given: the status and
/// the first `WWW-Authenticate`.
async fn get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    extra: Option<(&str, String)>,
) -> (u16, String) {
    let mut request = client.get(url).bearer_auth(token);
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), challenge)
}

const INVALID_TOKEN: &str = r#"Bearer realm="orders", error="invalid_token""#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_bind_tokens_over_https() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: no openssl command");
        return;
    }
    let dir = certificates();
    let base = start(&dir).await;
    let orders = format!("{base}/orders");
    let (a, b) = (
        thumbprint(&dir.join("client-a.pem")),
        thumbprint(&dir.join("client-b.pem")),
    );
    let (bearer, bound_to_a, bound_to_b) = (token(None), token(Some(&a)), token(Some(&b)));
    let with_a = client(&dir, Some("client-a.identity.pem"));
    let anonymous = client(&dir, None);

    // Over mutual TLS with A: bearer tokens and A's, not B's, each twice (then cached).
    for _ in 0..2 {
        assert_eq!(get(&with_a, &orders, &bearer, None).await.0, 200);
        assert_eq!(get(&with_a, &orders, &bound_to_a, None).await.0, 200);
        assert_eq!(
            get(&with_a, &orders, &bound_to_b, None).await,
            (401, INVALID_TOKEN.into())
        );
    }
    // Without a client certificate: bearer tokens only.
    assert_eq!(get(&anonymous, &orders, &bearer, None).await.0, 200);
    assert_eq!(
        get(&anonymous, &orders, &bound_to_a, None).await,
        (401, INVALID_TOKEN.into())
    );
    // A client's own `Client-Cert` header is no certificate (no proxy is trusted).
    let der = CertificateDer::from_pem_file(dir.join("client-a.pem")).unwrap();
    let forged = format!(":{}:", base64_standard(der.as_ref()));
    assert_eq!(
        get(
            &anonymous,
            &orders,
            &bound_to_a,
            Some(("client-cert", forged))
        )
        .await,
        (401, INVALID_TOKEN.into())
    );
    // With B, B's token.
    let with_b = client(&dir, Some("client-b.identity.pem"));
    assert_eq!(get(&with_b, &orders, &bound_to_b, None).await.0, 200);
    assert_eq!(
        get(&with_b, &orders, &bound_to_a, None).await,
        (401, INVALID_TOKEN.into())
    );
    // A certificate of another CA fails the handshake: no request is served.
    let with_c = client(&dir, Some("client-c.identity.pem"));
    assert!(
        with_c
            .get(&orders)
            .bearer_auth(&bearer)
            .send()
            .await
            .is_err()
    );

    std::fs::remove_dir_all(&dir).unwrap();
}

/// Standard base64 with padding (RFC 9440 `Client-Cert`).
fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk
            .iter()
            .enumerate()
            .fold(0u32, |word, (i, &b)| word | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(word >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
