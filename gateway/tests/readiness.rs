//! Readiness and the key set metrics follow each provider's keys: `/readyz` answers 503
//! while a provider has no usable key set (past its `max_stale`), and 200 again once the
//! provider answers; `/metrics` shows each set's age, keys and state and the key fetches by
//! result.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use support::{AUDIENCE, ISSUER, client, gateway, jwks, token};

/// A JWK Set endpoint on a free loopback port, answering 500 while `failing` is set; its
/// URL.
async fn jwks_server(failing: Arc<AtomicBool>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/jwks",
        get(move || {
            let failing = Arc::clone(&failing);
            async move {
                if failing.load(Ordering::SeqCst) {
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
                ([(header::CACHE_CONTROL, "max-age=1")], jwks()).into_response()
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Waits until `check` holds, asking every 50 ms; panics after `limit`.
async fn eventually<F: Future<Output = bool>>(limit: Duration, what: &str, check: impl Fn() -> F) {
    let start = tokio::time::Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of the metric line starting with `series ` in `metrics`.
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_and_key_set_metrics_follow_the_providers_keys() {
    let failing = Arc::new(AtomicBool::new(false));
    let jwks_uri = jwks_server(Arc::clone(&failing)).await;
    // Key sets fresh for 1 s, then used stale for 1 s more while the provider fails.
    let (running, base) = gateway(&format!(
        "[[provider]]\nissuer = \"{ISSUER}\"\naudiences = [\"{AUDIENCE}\"]\njwks_uri = \"{jwks_uri}\"\n\
         key_cache = {{ min_age_s = 1, max_age_s = 1, refetch_interval_s = 1, max_stale_s = 1 }}\n"
    ))
    .await;
    let get = |path: &'static str| {
        let base = base.clone();
        async move {
            let response = client().get(format!("{base}{path}")).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let bearer = format!("Bearer {}", token(json!({})));
    let auth = || {
        let (base, bearer) = (base.clone(), bearer.clone());
        async move {
            client()
                .get(format!("{base}/auth"))
                .header("authorization", bearer)
                .header("x-original-uri", "/orders")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let provider = format!("provider=\"{ISSUER}\"");

    assert_eq!(get("/readyz").await, (200, "ready\n".into()));
    assert_eq!(auth().await, 200);
    let (_, metrics) = get("/metrics").await;
    let age = value(
        &metrics,
        &format!("jwt_gateway_key_set_age_seconds{{{provider}}}"),
    );
    assert!(age.is_some_and(|age| age < 1.0), "{metrics}");
    let keys = format!("jwt_gateway_key_set_keys{{{provider}}}");
    assert_eq!(value(&metrics, &keys), Some(1.0), "{metrics}");
    let state = |state: &str| format!("jwt_gateway_key_set_state{{{provider},state=\"{state}\"}}");
    assert_eq!(value(&metrics, &state("fresh")), Some(1.0), "{metrics}");
    assert_eq!(value(&metrics, &state("unusable")), Some(0.0), "{metrics}");
    let fetches = |result: &str| format!("jwt_gateway_key_fetches_total{{result=\"{result}\"}}");
    assert!(
        value(&metrics, &fetches("ok")).is_some_and(|n| n >= 1.0),
        "{metrics}"
    );

    // The provider fails: past the set's staleness bound the gateway is not ready, and its
    // tokens get 503.
    failing.store(true, Ordering::SeqCst);
    eventually(Duration::from_secs(5), "not ready", || async {
        get("/readyz").await.0 == 503
    })
    .await;
    let (_, body) = get("/readyz").await;
    assert_eq!(body, format!("no usable keys: {ISSUER}\n"));
    assert_eq!(auth().await, 503);
    let (_, metrics) = get("/metrics").await;
    assert_eq!(value(&metrics, &state("unusable")), Some(1.0), "{metrics}");
    assert_eq!(value(&metrics, &state("fresh")), Some(0.0), "{metrics}");
    assert!(
        value(&metrics, &fetches("error")).is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    let age = value(
        &metrics,
        &format!("jwt_gateway_key_set_age_seconds{{{provider}}}"),
    );
    assert!(age.is_some_and(|age| age >= 2.0), "{metrics}");

    // The provider answers again: ready within a refetch interval or two.
    failing.store(false, Ordering::SeqCst);
    eventually(Duration::from_secs(5), "ready again", || async {
        get("/readyz").await.0 == 200
    })
    .await;
    assert_eq!(auth().await, 200);
    running.shutdown().await;
}
