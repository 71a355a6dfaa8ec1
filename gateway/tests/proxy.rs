//! Reverse-proxy mode against a small upstream: what reaches it (claim headers, forged
//! copies removed, `X-Forwarded-*`, `X-Request-Id`, no hop-by-hop headers), refusals that
//! never reach it, bodies streamed both ways, a WebSocket-style upgrade joined end to end,
//! and 502/504 for an upstream that fails or hangs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use support::{TempDir, client, gateway, local_provider, seen, token, upstream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RULES: &str = r#"
[claim_headers]
sub = "x-user"
roles = "x-roles"

[[route]]
prefix = "/admin"
scopes = ["orders:admin"]

[[route]]
prefix = "/public"
anonymous = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_requests_reach_the_upstream_with_claims_and_forwarding_headers() {
    let dir = TempDir::new("proxy");
    let upstream = upstream().await;
    let (running, base) = gateway(&format!(
        "upstream = \"{}/base\"\ntrusted_proxies = []\n{}{RULES}",
        upstream.url(),
        local_provider(&dir)
    ))
    .await;
    let good = format!("Bearer {}", token(json!({})));
    let response = client()
        .post(format!("{base}/orders/7?page=2"))
        .header("authorization", &good)
        .header("x-user", "mallory")
        .header("X_User", "mallory")
        .header("x-forwarded-for", "6.6.6.6")
        .header("x-forwarded-host", "evil.example")
        .header("connection", "x-hop")
        .header("x-hop", "1")
        .header("x-request-id", "req-42")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "req-42");
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer["method"], "POST");
    assert_eq!(answer["uri"], "/base/orders/7?page=2");
    assert_eq!(seen(&answer, "x-user"), ["alice"]);
    assert_eq!(seen(&answer, "x_user"), Vec::<String>::new());
    assert_eq!(seen(&answer, "x-roles"), ["user,admin"]);
    assert_eq!(seen(&answer, "authorization"), [good.as_str()]);
    // The client is not a trusted proxy here (this gateway trusts none): the chain starts
    // with it, and its X-Forwarded-Host is replaced.
    assert_eq!(seen(&answer, "x-forwarded-for"), ["127.0.0.1"]);
    assert_eq!(seen(&answer, "x-forwarded-proto"), ["http"]);
    assert_eq!(
        seen(&answer, "x-forwarded-host"),
        [base.trim_start_matches("http://")]
    );
    assert_eq!(seen(&answer, "x-request-id"), ["req-42"]);
    assert_eq!(seen(&answer, "x-hop"), Vec::<String>::new());
    assert_eq!(seen(&answer, "host"), [upstream.address.to_string()]);

    // Refused requests never reach the upstream.
    let before = upstream.requests.load(Ordering::SeqCst);
    let refused = client().get(format!("{base}/orders")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("x-request-id"));
    let forbidden = client()
        .get(format!("{base}/admin"))
        .header("authorization", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    assert_eq!(upstream.requests.load(Ordering::SeqCst), before);
    // An anonymous route is passed on without claims, and without forged ones.
    let public = client()
        .get(format!("{base}/public/a"))
        .header("x-user", "mallory")
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    let answer: Value = serde_json::from_slice(&public.bytes().await.unwrap()).unwrap();
    assert_eq!(seen(&answer, "x-user"), Vec::<String>::new());
    // A path that could mean another route upstream is refused.
    let traversal = client()
        .get(format!("{base}/public%2f..%2fadmin"))
        .send()
        .await
        .unwrap();
    assert_eq!(traversal.status(), 400);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_proxies_extend_the_forwarding_chain() {
    let dir = TempDir::new("chain");
    let upstream = upstream().await;
    let (running, base) = gateway(&format!(
        "upstream = \"{}\"\ntrusted_proxies = [\"127.0.0.1\"]\n{}{RULES}",
        upstream.url(),
        local_provider(&dir)
    ))
    .await;
    let response = client()
        .get(format!("{base}/public"))
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "api.example")
        .send()
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(seen(&answer, "x-forwarded-for"), ["203.0.113.9, 127.0.0.1"]);
    assert_eq!(seen(&answer, "x-forwarded-proto"), ["https"]);
    assert_eq!(seen(&answer, "x-forwarded-host"), ["api.example"]);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_stream_both_ways() {
    let dir = TempDir::new("stream");
    let upstream = upstream().await;
    let (running, base) = gateway(&format!(
        "upstream = \"{}\"\n{}",
        upstream.url(),
        local_provider(&dir)
    ))
    .await;
    let good = format!("Bearer {}", token(json!({})));
    // The first chunk arrives while the upstream still holds the rest back: nothing waits
    // for the whole body.
    let mut response = client()
        .get(format!("{base}/stream"))
        .header("authorization", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.chunk().await.unwrap().unwrap(), "first;");
    upstream.release();
    let mut rest = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        rest.extend_from_slice(&chunk);
    }
    assert_eq!(rest, b"second");
    // A request body of 8 MiB in chunks reaches the upstream whole.
    let chunks = (0..128).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let counted = client()
        .post(format!("{base}/count"))
        .header("authorization", &good)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(counted.status(), 200);
    assert_eq!(counted.text().await.unwrap(), (8 * 1024 * 1024).to_string());
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrades_are_joined_end_to_end() {
    let dir = TempDir::new("upgrade");
    let upstream = upstream().await;
    let (running, base) = gateway(&format!(
        "upstream = \"{}\"\n{}",
        upstream.url(),
        local_provider(&dir)
    ))
    .await;
    let address = base.trim_start_matches("http://").to_owned();
    let upgrade = |authorization: Option<String>| {
        let address = address.clone();
        async move {
            let mut tcp = tokio::net::TcpStream::connect(&address).await.unwrap();
            let authorization = authorization
                .map(|a| format!("Authorization: {a}\r\n"))
                .unwrap_or_default();
            let request = format!(
                "GET /ws HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n{authorization}\r\n"
            );
            tcp.write_all(request.as_bytes()).await.unwrap();
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8; 1];
                if tcp.read(&mut byte).await.unwrap() == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            (tcp, String::from_utf8(head).unwrap())
        }
    };
    let (_, refused) = upgrade(None).await;
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let (mut tcp, head) = upgrade(Some(format!("Bearer {}", token(json!({}))))).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("upgrade: websocket"),
        "{head}"
    );
    tcp.write_all(b"ping over the upgraded connection")
        .await
        .unwrap();
    let mut echoed = vec![0u8; 33];
    tcp.read_exact(&mut echoed).await.unwrap();
    assert_eq!(echoed, b"ping over the upgraded connection");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_fails_is_502_and_one_that_hangs_is_504() {
    let dir = TempDir::new("failing");
    // A port nothing listens on: bound, then closed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let (running, base) = gateway(&format!(
        "upstream = \"http://{closed}\"\n{}",
        local_provider(&dir)
    ))
    .await;
    let good = format!("Bearer {}", token(json!({})));
    let failed = client()
        .get(format!("{base}/orders"))
        .header("authorization", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 502);
    running.shutdown().await;

    let upstream = upstream().await;
    let (running, base) = gateway(&format!(
        "upstream = \"{}\"\n[proxy]\nresponse_timeout_ms = 300\n{}",
        upstream.url(),
        local_provider(&dir)
    ))
    .await;
    let hung = client()
        .get(format!("{base}/hang"))
        .header("authorization", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(hung.status(), 504);
    let metrics = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"jwt_gateway_requests_total{route="unmatched",outcome="upstream_timeout"} 1"#
        ),
        "{metrics}"
    );
    running.shutdown().await;
}
