//! The `axum-gateway` command in front of a real OpenID provider (node-oidc-provider, the
//! same one jwt-core-tower's tests use): started as the README says, it discovers the
//! provider, serves `/healthz` openly and `/orders` for the provider's access tokens,
//! accepts its DPoP-bound tokens with a fresh proof for the gateway's URI, and refuses
//! replayed proofs and those tokens sent as bearer tokens; `--require-dpop` and
//! `--dpop-nonce` as the provider options they set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../tower/tests/common/mod.rs"]
mod common;

use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{Idp, client, get_with, node_ready};
use jwt_core::Es256PrivateKey;
use jwt_core::dpop::{self, ProofClaims, ProofKey};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The `axum-gateway` command for `issuer`'s tokens to `urn:orders` on a free port: the
/// process (stopped when dropped) and its base URL.
async fn gateway(issuer: &str) -> (Child, String) {
    gateway_with(issuer, &[]).await
}

/// The same with the options `extra`.
async fn gateway_with(issuer: &str, extra: &[&str]) -> (Child, String) {
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_axum-gateway"))
        .args([
            "--issuer",
            issuer,
            "--audience",
            "urn:orders",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(gateway.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the gateway serves");
        if let Some((_, base)) = line.split_once("serving /orders on ") {
            break base.to_string();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (gateway, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_command_serves_a_real_providers_tokens() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (_gateway, base) = gateway(&idp.issuer).await;

    assert_eq!(
        get_with(&format!("{base}/healthz"), None).await,
        (200, String::new(), "ok".into())
    );
    let token = idp.token("urn:orders", "orders:read").await;
    let (status, _, body) = get_with(&format!("{base}/orders"), Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (body["subject"].as_str(), body["client_id"].as_str()),
        (Some("app"), Some("app"))
    );
    let rs256 = idp.token("urn:orders:rs256", "orders:read").await;
    assert_eq!(
        get_with(&format!("{base}/orders"), Some(&rs256)).await.0,
        200
    );
    let writer = idp.token("urn:orders", "orders:write").await;
    assert_eq!(
        get_with(&format!("{base}/orders"), Some(&writer)).await.0,
        403
    );
    assert_eq!(
        get_with(&format!("{base}/orders"), None).await,
        (401, r#"Bearer realm="orders""#.into(), String::new())
    );

    // A misconfigured issuer is reported at start, with a non-zero exit.
    let wrong = Command::new(env!("CARGO_BIN_EXE_axum-gateway"))
        .args([
            "--issuer",
            &format!("{}/nowhere", idp.issuer),
            "--audience",
            "urn:orders",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("/nowhere"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_bound_token_sent_as_a_bearer_token_is_refused() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (_gateway, base) = gateway(&idp.issuer).await;
    let orders = format!("{base}/orders");
    // Bound to a key of the provider process (`cnf.jkt`), presented without a proof of it.
    let bound = idp.dpop_token("urn:orders", "orders:read").await;
    for _ in 0..2 {
        assert_eq!(
            get_with(&orders, Some(&bound)).await,
            (
                401,
                r#"Bearer realm="orders", error="invalid_token""#.into(),
                String::new()
            )
        );
    }
    let plain = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get_with(&orders, Some(&plain)).await.0, 200);
}

static JTI: AtomicU64 = AtomicU64::new(0);

/// A proof by `key` for `method` `uri` (with `token`'s hash and `nonce` if given).
fn proof<K: ProofKey>(
    key: &K,
    method: &str,
    uri: &str,
    token: Option<&str>,
    nonce: Option<&str>,
) -> String {
    let jti = format!(
        "gw-{}-{}",
        std::process::id(),
        JTI.fetch_add(1, Ordering::SeqCst)
    );
    let mut claims = ProofClaims::new(&jti, method, uri, jwt_core::now());
    if let Some(token) = token {
        claims = claims.access_token(token);
    }
    if let Some(nonce) = nonce {
        claims = claims.nonce(nonce);
    }
    let mut out = vec![0u8; 2048];
    dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

/// A token for `urn:orders` bound to `key`: the token request's proof is made here.
async fn bound_token<K: ProofKey>(idp: &Idp, key: &K) -> String {
    let token_endpoint = idp.url("/token");
    let response = client()
        .post(&token_endpoint)
        .basic_auth("app", Some("app-secret"))
        .header("dpop", proof(key, "POST", &token_endpoint, None, None))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", "urn:orders"),
            ("scope", "orders:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer["token_type"], "DPoP");
    answer["access_token"].as_str().unwrap().to_owned()
}

/// GET `url` with `Authorization: DPoP token` and `proof`: status, the first
/// `WWW-Authenticate`, `DPoP-Nonce`.
async fn get_dpop(url: &str, token: &str, proof: &str) -> (u16, String, Option<String>) {
    let response = client()
        .get(url)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .send()
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let challenge = header("www-authenticate").unwrap_or_default();
    (response.status().as_u16(), challenge, header("dpop-nonce"))
}

/// Out of the box the gateway takes the provider's DPoP-bound token with a fresh proof for
/// its own URI (again from its token cache), refuses the replayed proof, a proof for another
/// URI and the bound token as a bearer token, and plain bearer tokens keep working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_bound_tokens_are_accepted_with_a_fresh_proof() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (_gateway, base) = gateway(&idp.issuer).await;
    let orders = format!("{base}/orders");
    let key = Es256PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let bound = bound_token(&idp, &key).await;

    for _ in 0..2 {
        let fresh = proof(&key, "GET", &orders, Some(&bound), None);
        let (status, challenge, _) = get_dpop(&orders, &bound, &fresh).await;
        assert_eq!(status, 200, "{challenge}");
        let (status, challenge, _) = get_dpop(&orders, &bound, &fresh).await;
        assert_eq!(status, 401, "a replayed proof");
        assert!(
            challenge.starts_with("DPoP ") && challenge.contains(r#"error="invalid_dpop_proof""#),
            "{challenge}"
        );
    }
    let elsewhere = proof(&key, "GET", &format!("{base}/healthz"), Some(&bound), None);
    let (status, challenge, _) = get_dpop(&orders, &bound, &elsewhere).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(r#"error="invalid_dpop_proof""#),
        "{challenge}"
    );
    let (status, challenge, _) = get_with(&orders, Some(&bound)).await;
    assert_eq!(
        (status, challenge.as_str()),
        (401, r#"Bearer realm="orders", error="invalid_token""#)
    );
    let plain = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get_with(&orders, Some(&plain)).await.0, 200);
}

/// `--require-dpop` refuses bearer tokens with the DPoP challenge alone; `--dpop-nonce`
/// answers a proof without the nonce with `use_dpop_nonce` and a `DPoP-Nonce`, and the
/// retry with it is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_dpop_and_dpop_nonce() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (_gateway, base) = gateway_with(&idp.issuer, &["--require-dpop", "--dpop-nonce"]).await;
    let orders = format!("{base}/orders");
    let plain = idp.token("urn:orders", "orders:read").await;
    let (status, challenge, _) = get_with(&orders, Some(&plain)).await;
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with("DPoP realm=\"orders\""),
        "{challenge}"
    );

    let key = Es256PrivateKey::from_bytes(&[0x22; 32]).unwrap();
    let bound = bound_token(&idp, &key).await;
    let without = proof(&key, "GET", &orders, Some(&bound), None);
    let (status, challenge, nonce) = get_dpop(&orders, &bound, &without).await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(r#"error="use_dpop_nonce""#),
        "{challenge}"
    );
    let nonce = nonce.expect("a DPoP-Nonce");
    let with = proof(&key, "GET", &orders, Some(&bound), Some(&nonce));
    assert_eq!(get_dpop(&orders, &bound, &with).await.0, 200);
}
