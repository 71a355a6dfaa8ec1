//! TLS over real HTTPS on 127.0.0.1, with certificates the `openssl` command makes here.
//! The `[tls]` listener with optional client certificates (`client_ca`), in reverse-proxy
//! mode: a token bound to client certificate A (RFC 8705 `cnf.x5t#S256`) accepted with A
//! and refused without a certificate or with B; bearer tokens with or without one; a client
//! certificate of another CA refused in the handshake. An `https` upstream: reached when
//! its certificate is from `upstream_ca`, 502 when it is not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use jwt_core::Thumbprint;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};
use support::{TempDir, gateway, local_provider, seen, token, upstream};

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

/// A P-256 key `name.key` and its certificate request `name.csr` (self-signed certificate
/// `name.pem` for a CA).
fn key_and_request(dir: &Path, name: &str, self_signed: bool) {
    let (key, subject) = (format!("{name}.key"), format!("/CN={name}"));
    let out = if self_signed {
        format!("{name}.pem")
    } else {
        format!("{name}.csr")
    };
    let mut args = vec!["req"];
    if self_signed {
        args.extend(["-x509", "-days", "2"]);
    }
    args.extend([
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &out,
        "-subj",
        &subject,
    ]);
    openssl(dir, &args);
}

/// A certificate `name` issued by CA `issuer` with `extensions` (`name.pem`, `name.key`,
/// and both in `name.identity.pem` for a client).
fn leaf(dir: &Path, name: &str, issuer: &str, extensions: &str, serial: u32) {
    key_and_request(dir, name, false);
    let ext = format!("{name}.ext");
    std::fs::write(dir.join(&ext), extensions).unwrap();
    let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
    let (ca_pem, ca_key) = (format!("{issuer}.pem"), format!("{issuer}.key"));
    let serial = serial.to_string();
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
        std::fs::read(dir.join(format!("{name}.key"))).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join(format!("{name}.identity.pem")), identity).unwrap();
}

/// `x5t#S256` of the certificate in `pem`.
fn thumbprint(pem: &Path) -> String {
    let der = CertificateDer::from_pem_file(pem).unwrap();
    Thumbprint::of_certificate(der.as_ref()).as_str().to_owned()
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

/// GET `url` with `token` as a bearer token: the status, the `WWW-Authenticate` value and
/// the upstream's JSON answer (`Null` when it was not reached).
async fn get(client: &reqwest::Client, url: &str, token: &str) -> (u16, String, Value) {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    let seen = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, challenge, seen)
}

/// A directory with CAs `ca` and `other-ca`, `ca`'s server certificate for 127.0.0.1 and
/// client certificates A and B, and `other-ca`'s client certificate C; `None` (with a
/// SKIPPED line) without the `openssl` command.
fn certificates(test: &str) -> Option<TempDir> {
    if Command::new("openssl").arg("version").output().is_err() {
        println!("SKIPPED: gateway {test}: no openssl command");
        return None;
    }
    let dir = TempDir::new("tls");
    key_and_request(dir.path(), "ca", true);
    key_and_request(dir.path(), "other-ca", true);
    let server =
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n";
    let client_ext = "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n";
    leaf(dir.path(), "server", "ca", server, 1);
    leaf(dir.path(), "client-a", "ca", client_ext, 2);
    leaf(dir.path(), "client-b", "ca", client_ext, 3);
    leaf(dir.path(), "client-c", "other-ca", client_ext, 4);
    Some(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_bind_tokens_on_the_tls_listener() {
    let Some(dir) = certificates("TLS listener test") else {
        return;
    };

    let app = upstream().await;
    let file = |name: &str| dir.path().join(name).display().to_string();
    let (running, _) = gateway(&format!(
        "upstream = \"{}\"\n{}[tls]\ncertificate = {:?}\nkey = {:?}\nclient_ca = {:?}\n\
         [[route]]\nprefix = \"/orders\"\nscopes = [\"orders:read\"]\n",
        app.url(),
        local_provider(&dir),
        file("server.pem"),
        file("server.key"),
        file("ca.pem"),
    ))
    .await;
    let orders = format!("https://{}/orders", running.addresses()[0]);
    let a = thumbprint(&dir.path().join("client-a.pem"));
    let b = thumbprint(&dir.path().join("client-b.pem"));
    let bearer = token(json!({}));
    let bound_to_a = token(json!({"cnf": {"x5t#S256": a}}));
    let bound_to_b = token(json!({"cnf": {"x5t#S256": b}}));
    let with_a = client(dir.path(), Some("client-a.identity.pem"));
    let without = client(dir.path(), None);
    let invalid_token = r#"Bearer error="invalid_token""#;

    // With A: A's token reaches the upstream (told the scheme was https), twice (then
    // from the cache); B's does not, nor does A's without a certificate.
    for _ in 0..2 {
        let (status, _, upstream_saw) = get(&with_a, &orders, &bound_to_a).await;
        assert_eq!(status, 200);
        assert_eq!(seen(&upstream_saw, "x-forwarded-proto"), ["https"]);
        let (status, challenge, upstream_saw) = get(&with_a, &orders, &bound_to_b).await;
        assert_eq!(status, 401);
        assert!(challenge.starts_with(invalid_token), "{challenge}");
        assert_eq!(upstream_saw, Value::Null);
        let (status, challenge, _) = get(&without, &orders, &bound_to_a).await;
        assert_eq!(status, 401);
        assert!(challenge.starts_with(invalid_token), "{challenge}");
    }
    // Bearer tokens with or without a certificate.
    assert_eq!(get(&with_a, &orders, &bearer).await.0, 200);
    assert_eq!(get(&without, &orders, &bearer).await.0, 200);
    // With B, B's token and not A's.
    let with_b = client(dir.path(), Some("client-b.identity.pem"));
    assert_eq!(get(&with_b, &orders, &bound_to_b).await.0, 200);
    assert_eq!(get(&with_b, &orders, &bound_to_a).await.0, 401);
    // A certificate of another CA fails the handshake: no request is served.
    let with_c = client(dir.path(), Some("client-c.identity.pem"));
    assert!(
        with_c
            .get(&orders)
            .bearer_auth(&bearer)
            .send()
            .await
            .is_err()
    );
    let requests = app.requests.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        requests, 5,
        "only the accepted requests reached the upstream"
    );
    running.shutdown().await;
}

/// An HTTPS server on a free loopback port with `ca`'s certificate for 127.0.0.1 in `dir`,
/// answering every request with its path and `Host`; its address.
async fn https_upstream(dir: &Path) -> std::net::SocketAddr {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let chain = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(|request: http::Request<_>| async move {
                    let host = request.headers().get("host").unwrap().to_str().unwrap();
                    let body = format!("{} {host}", request.uri().path());
                    Ok::<_, std::convert::Infallible>(http::Response::new(
                        http_body_util::Full::new(bytes::Bytes::from(body)),
                    ))
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_upstream_is_reached_when_its_certificate_is_from_upstream_ca() {
    let Some(dir) = certificates("https upstream test") else {
        return;
    };
    let upstream = https_upstream(dir.path()).await;
    let bearer = format!("Bearer {}", token(json!({})));
    let proxy_through = |ca: &str| {
        format!(
            "upstream = \"https://{upstream}/base\"\n{}[proxy]\nupstream_ca = {:?}\n\
             [[route]]\nprefix = \"/orders\"\nscopes = [\"orders:read\"]\n",
            local_provider(&dir),
            dir.path().join(ca).display().to_string(),
        )
    };
    // Its certificate chains to upstream_ca: the request goes through, its path under the
    // upstream's, with the upstream's host.
    let (running, base) = gateway(&proxy_through("ca.pem")).await;
    let response = support::client()
        .get(format!("{base}/orders/7"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        format!("/base/orders/7 {upstream}")
    );
    // Refused before the upstream as ever.
    let refused = support::client()
        .get(format!("{base}/orders/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    running.shutdown().await;

    // Another CA: the upstream's certificate is not trusted, 502.
    let (running, base) = gateway(&proxy_through("other-ca.pem")).await;
    let response = support::client()
        .get(format!("{base}/orders/7"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    running.shutdown().await;
}
