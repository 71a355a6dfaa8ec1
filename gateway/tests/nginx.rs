//! Debian's nginx with `auth_request` (`gateway/examples/nginx.conf`, as shipped) in front of
//! a small application, asking the `jwt-gateway` command, which trusts node-oidc-provider
//! and a local signing key: valid tokens reach the application with their claim headers
//! (the client's forged copies gone); missing, expired, wrong-audience and tampered tokens
//! get 401 with the gateway's challenge passed through nginx to the client; a missing scope
//! 403 with its challenge; a DPoP-bound token with a proof for nginx's URL is accepted and
//! its replay refused. Prints SKIPPED without nginx or Node.js.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tower/tests/common/mod.rs"]
mod common;
mod nginx_support;
mod support;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Idp, node_ready};
use jwt_core::Es256PrivateKey;
use jwt_core::dpop::{self, ProofClaims};
use serde_json::{Value, json};
use support::{Process, TempDir, client, jwks, seen, token, upstream};

/// A token with one claim of its payload replaced: same header, same signature.
fn tampered(token: &str, from: &str, to: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = Base64UrlUnpadded::decode_vec(parts[1]).unwrap();
    let payload = String::from_utf8(payload).unwrap().replace(from, to);
    assert!(payload.contains(to));
    format!(
        "{}.{}.{}",
        parts[0],
        Base64UrlUnpadded::encode_string(payload.as_bytes()),
        parts[2]
    )
}

/// Status, `WWW-Authenticate` and body of GET `url` with `headers`.
async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut request = client().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ");
    (status, challenge, response.text().await.unwrap())
}

const ALGS: &str = "ES256 ES384 ES512 ES256K EdDSA PS256 PS384 PS512 RS256 RS384 RS512";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_auth_request_with_jwt_gateway_and_a_real_provider() {
    let Some(binary) = nginx_support::binary() else {
        eprintln!("SKIPPED: nginx test: nginx with the auth_request module is not installed");
        return;
    };
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let application = upstream().await;
    let dir = TempDir::new("nginx-gateway");
    let local_jwks = dir.write("local.json", &jwks());
    let config = dir.write(
        "gateway.toml",
        &format!(
            r#"listen = "127.0.0.1:0"

[claim_headers]
sub = "x-user"
client_id = "x-client-id"

[[provider]]
issuer = "{}"
audiences = ["urn:orders"]

[[provider]]
issuer = "{}"
jwks_file = {:?}
audiences = ["{}"]

[[route]]
prefix = "/orders"
scopes = ["orders:read"]

[[route]]
prefix = "/health"
anonymous = true
"#,
            idp.issuer,
            support::ISSUER,
            local_jwks.display(),
            support::AUDIENCE,
        ),
    );
    let gateway = Process::start(&["--config", config.to_str().unwrap()]).await;
    let gateway_port: u16 = gateway.base.rsplit(':').next().unwrap().parse().unwrap();
    let (nginx, port) = nginx_support::start(&binary, &[gateway_port], application.address.port());
    let orders = format!("http://127.0.0.1:{port}/orders");

    // Valid tokens reach the application with their claims; forged copies do not.
    let es256 = idp.token("urn:orders", "orders:read").await;
    let rs256 = idp.token("urn:orders:rs256", "orders:read").await;
    for token in [&es256, &rs256] {
        let authorization = format!("Bearer {token}");
        let (status, _, body) = get(
            &orders,
            &[
                ("authorization", &authorization),
                ("x-user", "admin"),
                ("X-Client-Id", "admin"),
                ("x_user", "admin"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let seen_by_app: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(seen(&seen_by_app, "x-user"), ["app"]);
        assert_eq!(seen(&seen_by_app, "x-client-id"), ["app"]);
        assert_eq!(seen(&seen_by_app, "x_user"), Vec::<String>::new());
    }
    let local = token(json!({}));
    let (status, _, body) = get(&orders, &[("authorization", &format!("Bearer {local}"))]).await;
    assert_eq!(status, 200);
    let seen_by_app: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(seen(&seen_by_app, "x-user"), ["alice"]);

    // Refusals reach the client through nginx with the gateway's challenge.
    let before = application
        .requests
        .load(std::sync::atomic::Ordering::SeqCst);
    let (status, challenge, _) = get(&orders, &[]).await;
    assert_eq!(
        (status, challenge),
        (401, format!(r#"Bearer, DPoP algs="{ALGS}""#))
    );
    let now = jwt_core::now();
    let expired = token(json!({"iat": now - 1000, "exp": now - 400}));
    let elsewhere = token(json!({"aud": "urn:elsewhere"}));
    let forged = tampered(&es256, r#""sub":"app""#, r#""sub":"admin""#);
    for bad in [&expired, &elsewhere, &forged] {
        let (status, challenge, _) =
            get(&orders, &[("authorization", &format!("Bearer {bad}"))]).await;
        assert_eq!(
            (status, challenge),
            (
                401,
                format!(r#"Bearer error="invalid_token", DPoP algs="{ALGS}""#)
            )
        );
    }
    let writer = idp.token("urn:orders", "orders:write").await;
    let (status, challenge, _) =
        get(&orders, &[("authorization", &format!("Bearer {writer}"))]).await;
    assert_eq!(
        (status, challenge),
        (
            403,
            r#"Bearer error="insufficient_scope", scope="orders:read""#.to_string()
        )
    );
    assert_eq!(
        application
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        before,
        "no refused request reached the application"
    );
    // An anonymous route passes without a token, and without claim headers.
    let (status, _, body) = get(
        &format!("http://127.0.0.1:{port}/health"),
        &[("x-user", "admin")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        seen(&serde_json::from_str(&body).unwrap(), "x-user"),
        Vec::<String>::new()
    );

    // DPoP through nginx: the proof names nginx's URL, which the gateway learns from
    // nginx's X-Forwarded-Proto/Host and X-Original-URI.
    let key = Es256PrivateKey::from_bytes(&[5u8; 32]).unwrap();
    let endpoint = idp.url("/token");
    let mut out = vec![0u8; 2048];
    let claims = ProofClaims::new("nginx-token-request", "POST", &endpoint, jwt_core::now());
    let token_proof = dpop::make_proof(&key, &claims, &mut out)
        .unwrap()
        .to_string();
    let response = client()
        .post(&endpoint)
        .basic_auth("app", Some("app-secret"))
        .header("dpop", token_proof)
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", "urn:orders"),
            ("scope", "orders:read"),
        ])
        .send()
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let bound = answer["access_token"].as_str().unwrap().to_owned();
    let claims =
        ProofClaims::new("nginx-proof-1", "GET", &orders, jwt_core::now()).access_token(&bound);
    let proof = dpop::make_proof(&key, &claims, &mut out)
        .unwrap()
        .to_string();
    let authorization = format!("DPoP {bound}");
    let headers = [
        ("authorization", authorization.as_str()),
        ("dpop", proof.as_str()),
    ];
    let (status, _, body) = get(&format!("{orders}?page=2"), &headers).await;
    assert_eq!(status, 200, "{body}");
    let (status, challenge, _) = get(&orders, &headers).await;
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with(r#"DPoP algs=""#) && challenge.contains("invalid_dpop_proof"),
        "{challenge}"
    );

    // nginx kept its connections to the gateway alive (the example's upstream keepalive):
    // a few connections for every auth subrequest above.
    let metrics = client()
        .get(format!("{}/metrics", gateway.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let connections: u64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("jwt_gateway_connections_total "))
        .unwrap()
        .parse()
        .unwrap();
    let asked: u64 = metrics
        .lines()
        .filter(|line| line.starts_with("jwt_gateway_requests_total{"))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(asked >= 10, "{metrics}");
    assert!(
        connections <= 3,
        "{connections} connections for {asked} requests"
    );

    // Neither log holds a token.
    let nginx_log = std::fs::read_to_string(nginx.dir.path().join("error.log")).unwrap_or_default();
    let gateway_log = gateway.log.lock().unwrap().join("\n");
    for token in [&es256, &rs256, &local, &bound] {
        assert!(!nginx_log.contains(&token[token.len() - 40..]));
        assert!(!gateway_log.contains(&token[token.len() - 40..]));
    }

    // Stopping nginx stops its workers: none is left running on the port.
    let workers = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", nginx.child.id()))
        .unwrap_or_default();
    let workers: Vec<String> = workers.split_whitespace().map(str::to_owned).collect();
    assert!(!workers.is_empty());
    drop(nginx);
    for pid in workers {
        // Gone, or (reaped by no one) a zombie: not running.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let running = !state.is_empty()
            && state
                .rsplit(')')
                .next()
                .is_some_and(|rest| !rest.trim_start().starts_with('Z'));
        assert!(!running, "nginx worker {pid} still runs: {state}");
    }
}
