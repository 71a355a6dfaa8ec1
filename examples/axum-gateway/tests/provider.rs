//! The `axum-gateway` command in front of a real OpenID provider (node-oidc-provider, the
//! same one jwt-core-tower's tests use): started as the README says, it discovers the
//! provider, serves `/healthz` openly and `/orders` for the provider's access tokens, and
//! refuses its tokens bound to a key (DPoP) sent as bearer tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../tower/tests/common/mod.rs"]
mod common;

use std::process::Stdio;

use common::{Idp, get_with, node_ready};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The `axum-gateway` command for `issuer`'s tokens to `urn:orders` on a free port: the
/// process (stopped when dropped) and its base URL.
async fn gateway(issuer: &str) -> (Child, String) {
    let mut gateway = Command::new(env!("CARGO_BIN_EXE_axum-gateway"))
        .args([
            "--issuer",
            issuer,
            "--audience",
            "urn:orders",
            "--listen",
            "127.0.0.1:0",
        ])
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
