//! What `/readyz` and `/metrics` say while the fleet's Redis is down, against a real
//! `redis-server` on a free loopback port stopped and restarted under a running gateway:
//! with the default policy the replica stays in rotation (200) and names what is degraded,
//! the Redis and revocation metrics follow the outage and recover with Redis; with
//! `policy = "fail_closed"` past its bound the replica is out of rotation (503).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_support;
mod support;

use std::time::Duration;

use jwt_gateway::fleet::Revocation;
use redis_support::{RedisServer, redis_ready};
use serde_json::json;
use support::{TempDir, client, gateway, local_provider, token};

const PREFIX: &str = "jwt-gateway-test:";

/// GET `path` on `base`: status and body.
async fn get(base: &str, path: &str) -> (u16, String) {
    let response = client()
        .get(format!("{base}{path}"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Asks the gateway at `base` about GET /orders with a bearer token; the status.
async fn bearer(base: &str) -> u16 {
    client()
        .get(format!("{base}/auth"))
        .header("authorization", format!("Bearer {}", token(json!({}))))
        .header("x-original-uri", "/orders")
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The value of the metric line starting with `series ` in `metrics`.
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

/// Polls `/metrics` of `base` until `holds`, every 50 ms, at most `limit`; the metrics.
async fn metrics_until(
    base: &str,
    limit: Duration,
    what: &str,
    holds: impl Fn(&str) -> bool,
) -> String {
    let started = std::time::Instant::now();
    loop {
        let (_, metrics) = get(base, "/metrics").await;
        if holds(&metrics) {
            return metrics;
        }
        assert!(
            started.elapsed() < limit,
            "{what}: not within {limit:?}\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `/readyz` of `base` until `holds`, every 50 ms, at most `limit`; its answer.
async fn readiness_until(
    base: &str,
    limit: Duration,
    holds: impl Fn(u16, &str) -> bool,
) -> (u16, String) {
    let started = std::time::Instant::now();
    loop {
        let (status, body) = get(base, "/readyz").await;
        if holds(status, &body) {
            return (status, body);
        }
        assert!(
            started.elapsed() < limit,
            "not within {limit:?}: {status} {body:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn config(dir: &TempDir, url: &str, revocation: &str) -> String {
    format!(
        "{}[redis]\nurl = \"{url}\"\ntimeout_ms = 200\nkey_prefix = \"{PREFIX}\"\n{revocation}",
        local_provider(dir)
    )
}

const UP: &str = "jwt_gateway_redis_up";
const FAILURES: &str = "jwt_gateway_redis_operation_failures_total";
const OPERATIONS: &str = "jwt_gateway_redis_operation_duration_seconds_count";
const STALE: &str = "jwt_gateway_revocations_stale_seconds";
const PAST_BOUND: &str = "jwt_gateway_revocations_past_staleness_bound";
const SYNCED: &str = r#"jwt_gateway_revocation_syncs_total{result="ok"}"#;
const SYNC_ERRORS: &str = r#"jwt_gateway_revocation_syncs_total{result="error"}"#;
const JTIS: &str = r#"jwt_gateway_revocations{kind="jti"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_the_replica_stays_ready_names_what_is_degraded_and_recovers() {
    if !redis_ready(
        "while_redis_is_down_the_replica_stays_ready_names_what_is_degraded_and_recovers",
    ) {
        return;
    }
    let dir = TempDir::new("redis-outage");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let (running, base) = gateway(&config(&dir, &server.url(), "")).await;

    // All well: ready, Redis up, the set synced once, nothing failed.
    // Start waits at most four Redis timeouts for the first sync: ready soon after.
    readiness_until(&base, Duration::from_secs(5), |status, body| {
        status == 200 && body == "ready\n"
    })
    .await;
    let metrics = metrics_until(&base, Duration::from_secs(2), "one revocation", |m| {
        value(m, UP) == Some(1.0) && value(m, SYNCED) == Some(1.0)
    })
    .await;
    assert_eq!(value(&metrics, FAILURES), Some(0.0), "{metrics}");
    assert_eq!(value(&metrics, STALE), Some(0.0), "{metrics}");
    assert_eq!(value(&metrics, PAST_BOUND), Some(0.0), "{metrics}");
    assert_eq!(value(&metrics, JTIS), Some(0.0), "{metrics}");
    // The scan's SCAN at least, timed.
    assert!(
        value(&metrics, OPERATIONS).is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    let settings = running.config().redis.unwrap();
    let revocation = Revocation::Jti {
        jti: "gone".into(),
        until: jwt_core::now() + 300,
    };
    jwt_gateway::fleet::revocation::revoke(&settings, &revocation, Duration::from_secs(60))
        .await
        .unwrap();
    metrics_until(&base, Duration::from_secs(1), "the revocation held", |m| {
        value(m, JTIS) == Some(1.0)
    })
    .await;

    // Redis stops: still in rotation (bearer tokens need no Redis), the body names what is
    // degraded; Redis down within the heartbeat's second, the set stale, kept.
    server.stop();
    let (status, body) = readiness_until(&base, Duration::from_secs(3), |_, body| {
        body.contains("redis: unavailable")
    })
    .await;
    assert_eq!(status, 200, "{body}");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("degraded"), "{body}");
    assert_eq!(
        lines.next(),
        Some("redis: unavailable: DPoP proofs refused (503)"),
        "{body}"
    );
    let stale = lines.next().unwrap();
    assert!(
        stale.starts_with("revocations: stale for ") && stale.ends_with(" s (bound 30.0 s)"),
        "{body}"
    );
    assert_eq!(lines.next(), None, "{body}");
    assert_eq!(bearer(&base).await, 200);
    let metrics = metrics_until(&base, Duration::from_secs(3), "the outage", |m| {
        value(m, UP) == Some(0.0)
            && value(m, FAILURES).is_some_and(|n| n >= 1.0)
            && value(m, STALE).is_some_and(|s| s > 0.0)
            && value(m, SYNC_ERRORS).is_some_and(|n| n >= 1.0)
    })
    .await;
    assert_eq!(value(&metrics, PAST_BOUND), Some(0.0), "{metrics}");
    assert_eq!(value(&metrics, JTIS), Some(1.0), "{metrics}");
    assert_eq!(value(&metrics, SYNCED), Some(1.0), "{metrics}");
    let failures = value(&metrics, FAILURES).unwrap();

    // Redis back: the reconnection is seen (a second sync), everything recovers without a
    // restart, and the counters go on.
    server.restart();
    assert_eq!(
        readiness_until(&base, Duration::from_secs(5), |status, body| status == 200
            && body == "ready\n")
        .await
        .0,
        200
    );
    let metrics = metrics_until(&base, Duration::from_secs(3), "the recovery", |m| {
        value(m, UP) == Some(1.0) && value(m, SYNCED) == Some(2.0)
    })
    .await;
    assert_eq!(value(&metrics, STALE), Some(0.0), "{metrics}");
    assert_eq!(value(&metrics, JTIS), Some(1.0), "{metrics}");
    assert!(
        value(&metrics, FAILURES).is_some_and(|n| n >= failures),
        "{metrics}"
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_fail_closed_past_its_bound_the_replica_is_out_of_rotation_until_redis_returns() {
    if !redis_ready(
        "with_fail_closed_past_its_bound_the_replica_is_out_of_rotation_until_redis_returns",
    ) {
        return;
    }
    let dir = TempDir::new("redis-outage-fail-closed");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let revocation = "[revocation]\nmax_staleness_ms = 300\npolicy = \"fail_closed\"\n";
    let (running, base) = gateway(&config(&dir, &server.url(), revocation)).await;
    // Start waits at most four Redis timeouts for the first sync: ready soon after.
    readiness_until(&base, Duration::from_secs(5), |status, body| {
        status == 200 && body == "ready\n"
    })
    .await;

    server.stop();
    let (_, body) = readiness_until(&base, Duration::from_secs(5), |status, body| {
        status == 503 && body.contains("redis: unavailable")
    })
    .await;
    let mut lines = body.lines();
    let refusing = lines.next().unwrap();
    assert!(
        refusing.starts_with("revocations: stale for ")
            && refusing.ends_with(" s, past their bound of 0.3 s: every token refused (503)"),
        "{body}"
    );
    assert_eq!(
        lines.next(),
        Some("redis: unavailable: DPoP proofs refused (503)"),
        "{body}"
    );
    assert_eq!(bearer(&base).await, 503);
    let (_, metrics) = get(&base, "/metrics").await;
    assert_eq!(value(&metrics, PAST_BOUND), Some(1.0), "{metrics}");

    server.restart();
    readiness_until(&base, Duration::from_secs(5), |status, body| {
        status == 200 && body == "ready\n"
    })
    .await;
    assert_eq!(bearer(&base).await, 200);
    let (_, metrics) = get(&base, "/metrics").await;
    assert_eq!(value(&metrics, PAST_BOUND), Some(0.0), "{metrics}");
    running.shutdown().await;
}

/// Asks the gateway at `base` about GET /orders with a bearer token whose `jti` is `jti`.
async fn bearer_with_jti(base: &str, jti: &str) -> u16 {
    client()
        .get(format!("{base}/auth"))
        .header(
            "authorization",
            format!("Bearer {}", token(json!({"jti": jti}))),
        )
        .header("x-original-uri", "/orders")
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_while_redis_is_down_keeps_the_revocations_and_their_staleness() {
    if !redis_ready("a_reload_while_redis_is_down_keeps_the_revocations_and_their_staleness") {
        return;
    }
    let dir = TempDir::new("redis-outage-reload");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let (running, base) = gateway(&config(&dir, &server.url(), "")).await;
    let settings = running.config().redis.unwrap();
    let revocation = Revocation::Jti {
        jti: "revoked-before-reload".into(),
        until: jwt_core::now() + 300,
    };
    jwt_gateway::fleet::revocation::revoke(&settings, &revocation, Duration::from_secs(60))
        .await
        .unwrap();
    metrics_until(&base, Duration::from_secs(3), "the revocation held", |m| {
        value(m, JTIS) == Some(1.0)
    })
    .await;
    assert_eq!(bearer_with_jti(&base, "revoked-before-reload").await, 401);

    // Redis down for two seconds, then the configuration reloaded unchanged (as SIGHUP).
    server.stop();
    let metrics = metrics_until(&base, Duration::from_secs(6), "two seconds stale", |m| {
        value(m, STALE).is_some_and(|s| s >= 2.0)
    })
    .await;
    let stale_before = value(&metrics, STALE).unwrap();
    let synced_before = value(&metrics, SYNCED).unwrap();
    running.reload(running.config()).await.unwrap();

    // The new configuration still refuses the token, and its set is as stale as before
    // (not restarted from empty, nor its staleness from zero); no sync was counted twice.
    assert_eq!(bearer_with_jti(&base, "revoked-before-reload").await, 401);
    let (_, metrics) = get(&base, "/metrics").await;
    assert_eq!(value(&metrics, JTIS), Some(1.0), "{metrics}");
    assert!(
        value(&metrics, STALE).is_some_and(|s| s >= stale_before),
        "{stale_before} {metrics}"
    );
    assert_eq!(value(&metrics, SYNCED), Some(synced_before), "{metrics}");

    // Redis back: the carried set resyncs as before.
    server.restart();
    metrics_until(&base, Duration::from_secs(5), "the resync", |m| {
        value(m, STALE) == Some(0.0) && value(m, SYNCED) == Some(synced_before + 1.0)
    })
    .await;
    assert_eq!(bearer_with_jti(&base, "revoked-before-reload").await, 401);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_fail_closed_a_reload_while_redis_is_down_does_not_reopen_the_replica() {
    if !redis_ready("with_fail_closed_a_reload_while_redis_is_down_does_not_reopen_the_replica") {
        return;
    }
    let dir = TempDir::new("redis-outage-reload-fail-closed");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    // A bound longer than the four Redis timeouts a build waits for the first sync: a set
    // started anew at the reload would not be past it yet.
    let revocation = "[revocation]\nmax_staleness_ms = 2000\npolicy = \"fail_closed\"\n";
    let (running, base) = gateway(&config(&dir, &server.url(), revocation)).await;
    readiness_until(&base, Duration::from_secs(5), |status, body| {
        status == 200 && body == "ready\n"
    })
    .await;
    server.stop();
    readiness_until(&base, Duration::from_secs(8), |status, _| status == 503).await;
    assert_eq!(bearer(&base).await, 503);
    running.reload(running.config()).await.unwrap();
    // Still past its bound: every token refused, out of rotation.
    assert_eq!(bearer(&base).await, 503);
    assert_eq!(get(&base, "/readyz").await.0, 503);
    drop(server);
    running.shutdown().await;
}
