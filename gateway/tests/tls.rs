//! The `[tls]` listener with optional client certificates (`client_ca`), in reverse-proxy
//! mode over real HTTPS on 127.0.0.1, with certificates the `openssl` command makes here: a
//! token bound to client certificate A (RFC 8705 `cnf.x5t#S256`) accepted with A and
//! refused without a certificate or with B; bearer tokens with or without one; a client
//! certificate of another CA refused in the handshake.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_bind_tokens_on_the_tls_listener() {
    if Command::new("openssl").arg("version").output().is_err() {
        println!("SKIPPED: gateway TLS listener test: no openssl command");
        return;
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
