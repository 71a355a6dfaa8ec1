//! A fleet sharing Redis (`[redis]`, `--redis`), against real `redis-server`s on free
//! loopback ports: a DPoP proof is accepted once whichever store or replica sees it (one
//! server, and a 3-master cluster); with Redis stopped DPoP requests are refused (503) and
//! bearer tokens still accepted; once Redis is back proofs are accepted again without a
//! restart, and proofs recorded before the stop are still refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_support;
mod support;

use std::time::{Duration, Instant};

use jwt_core::Es256PrivateKey;
use jwt_core::dpop::{self, ProofClaims};
use jwt_core_tower::{Freshness, ReplayStore, StoreError};
use jwt_gateway::config::RedisSettings;
use jwt_gateway::fleet::{Redis, RedisReplayStore};
use redis_support::{RedisCluster, RedisServer, key_count, redis_ready};
use serde_json::json;
use support::{Process, TempDir, client, local_provider, token};

fn settings(urls: Vec<String>, cluster: bool) -> RedisSettings {
    RedisSettings {
        urls,
        cluster,
        timeout: Duration::from_millis(250),
        key_prefix: "jwt-gateway-test:".into(),
    }
}

fn store(settings: &RedisSettings) -> RedisReplayStore {
    RedisReplayStore::new(Redis::new(settings).unwrap())
}

/// A replay key, distinct for each `n`.
fn key(n: u32) -> [u8; 32] {
    let mut key = [0xa5u8; 32];
    key[..4].copy_from_slice(&n.to_be_bytes());
    key
}

const WINDOW: Duration = Duration::from_secs(360);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_redis_accepts_each_proof_once_across_stores() {
    if !redis_ready("one_redis_accepts_each_proof_once_across_stores") {
        return;
    }
    let dir = TempDir::new("fleet-single");
    let server = RedisServer::start(dir.path());
    let shared = settings(vec![server.url()], false);
    // Two replicas: each its own connection.
    let (first, second) = (store(&shared), store(&shared));
    assert_eq!(
        first.check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Fresh)
    );
    assert_eq!(
        second.check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Replayed)
    );
    assert_eq!(
        first.check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Replayed)
    );
    assert_eq!(
        second.check_and_remember(key(2), WINDOW).await,
        Ok(Freshness::Fresh)
    );
    // Concurrent checks of one key from both: exactly one is fresh.
    let mut checks = Vec::new();
    for i in 0..32 {
        let store = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        checks.push(tokio::spawn(async move {
            store.check_and_remember(key(3), WINDOW).await
        }));
    }
    let mut fresh = 0;
    for check in checks {
        match check.await.unwrap() {
            Ok(Freshness::Fresh) => fresh += 1,
            Ok(Freshness::Replayed) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(fresh, 1);
    // Another key prefix (another fleet on the same Redis) has its own proofs.
    let mut other = shared.clone();
    other.key_prefix = "another-fleet:".into();
    assert_eq!(
        store(&other).check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Fresh)
    );
    // A key is forgotten once its window has passed, not before.
    let ttl = Duration::from_millis(300);
    assert_eq!(
        first.check_and_remember(key(4), ttl).await,
        Ok(Freshness::Fresh)
    );
    assert_eq!(
        second.check_and_remember(key(4), ttl).await,
        Ok(Freshness::Replayed)
    );
    let started = Instant::now();
    let mut forgotten = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if second.check_and_remember(key(4), ttl).await == Ok(Freshness::Fresh) {
            forgotten = Some(started.elapsed());
            break;
        }
    }
    let forgotten = forgotten.expect("the key expires");
    assert!(forgotten >= Duration::from_millis(250), "{forgotten:?}");
    // One key per proof, each with its expiry.
    assert!(key_count(server.port) >= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_spreads_proofs_over_its_masters_and_refuses_replays() {
    if !redis_ready("a_cluster_spreads_proofs_over_its_masters_and_refuses_replays") {
        return;
    }
    let dir = TempDir::new("fleet-cluster");
    let cluster = RedisCluster::start(dir.path());
    let shared = settings(cluster.urls(), true);
    let (first, second) = (store(&shared), store(&shared));
    const PROOFS: u32 = 300;
    for n in 0..PROOFS {
        assert_eq!(
            first.check_and_remember(key(n), WINDOW).await,
            Ok(Freshness::Fresh)
        );
    }
    for n in 0..PROOFS {
        assert_eq!(
            second.check_and_remember(key(n), WINDOW).await,
            Ok(Freshness::Replayed),
            "{n}"
        );
    }
    // Each proof is one key, on the master of its slot: all three hold some.
    let counts: Vec<u64> = cluster.nodes.iter().map(|n| key_count(n.port)).collect();
    assert_eq!(counts.iter().sum::<u64>(), u64::from(PROOFS), "{counts:?}");
    assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_proofs_are_refused_and_accepted_again_once_it_is_back() {
    if !redis_ready("without_redis_proofs_are_refused_and_accepted_again_once_it_is_back") {
        return;
    }
    let dir = TempDir::new("fleet-outage");
    let mut server = RedisServer::start(dir.path());
    let redis = Redis::new(&settings(vec![server.url()], false)).unwrap();
    let store = RedisReplayStore::new(redis.clone());
    assert_eq!(
        store.check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Fresh)
    );
    assert!(redis.available());
    server.stop();
    // Fail closed, within the timeout (and its reconnection), every time.
    for n in 2..5 {
        let started = Instant::now();
        let answer = store.check_and_remember(key(n), WINDOW).await;
        assert!(
            matches!(answer, Err(StoreError::Unavailable(_))),
            "{answer:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    assert!(!redis.available());
    assert!(redis.failures() >= 3);
    server.restart();
    // The same store (no restart of the replica) accepts again...
    let mut back = false;
    for _ in 0..100 {
        if store.check_and_remember(key(2), WINDOW).await == Ok(Freshness::Fresh) {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "the store reconnects");
    assert!(redis.available());
    // ...and what was recorded before the stop is still refused.
    assert_eq!(
        store.check_and_remember(key(1), WINDOW).await,
        Ok(Freshness::Replayed)
    );
}

/// A DPoP proof by `key` for GET `https://api.example/orders` with `token`.
fn proof(key: &Es256PrivateKey, token: &str, n: u32) -> String {
    let jti = format!("fleet-{}-{n}", std::process::id());
    let claims = ProofClaims::new(&jti, "GET", "https://api.example/orders", jwt_core::now())
        .access_token(token);
    let mut out = vec![0u8; 2048];
    dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

/// Asks the replica at `base` about GET /orders as nginx's auth_request does.
async fn ask(base: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = client()
        .get(format!("{base}/auth"))
        .header("x-original-uri", "/orders")
        .header("x-original-method", "GET")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "api.example")
        .timeout(Duration::from_secs(5));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sharing_redis_accept_a_proof_once_and_fail_closed_without_it() {
    if !redis_ready("replicas_sharing_redis_accept_a_proof_once_and_fail_closed_without_it") {
        return;
    }
    let dir = TempDir::new("fleet-replicas");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let config = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\n{}[redis]\nurl = \"{}\"\ntimeout_ms = 200\n",
            local_provider(&dir),
            server.url()
        ),
    );
    let config = config.to_str().unwrap();
    let replicas = [
        Process::start(&["--config", config]).await,
        Process::start(&["--config", config]).await,
    ];
    let key = Es256PrivateKey::from_bytes(&[9u8; 32]).unwrap();
    let jkt = dpop::thumbprint(&key).unwrap();
    let bound = token(json!({"cnf": {"jkt": jkt.as_str()}}));
    let auth = format!("DPoP {bound}");
    let bearer = format!("Bearer {}", token(json!({})));
    // A proof accepted by one replica is refused by the other, and by itself.
    let first = proof(&key, &bound, 1);
    let headers = [("authorization", auth.as_str()), ("dpop", first.as_str())];
    assert_eq!(ask(&replicas[0].base, &headers).await.0, 200);
    for replica in &replicas {
        let (status, challenge) = ask(&replica.base, &headers).await;
        assert_eq!(status, 401);
        assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
    }
    let second = proof(&key, &bound, 2);
    let headers = [("authorization", auth.as_str()), ("dpop", second.as_str())];
    assert_eq!(ask(&replicas[1].base, &headers).await.0, 200);
    assert_eq!(ask(&replicas[0].base, &headers).await.0, 401);

    // Redis stopped: DPoP requests are refused with 503, bearer tokens still accepted.
    server.stop();
    for (n, replica) in (3..).zip(&replicas) {
        let fresh = proof(&key, &bound, n);
        let headers = [("authorization", auth.as_str()), ("dpop", fresh.as_str())];
        assert_eq!(ask(&replica.base, &headers).await.0, 503);
        assert_eq!(
            ask(&replica.base, &[("authorization", &bearer)]).await.0,
            200
        );
    }

    // Redis back: accepted again by the same processes; earlier proofs still refused.
    server.restart();
    for (n, replica) in (10..).zip(&replicas) {
        let mut status = 0;
        for attempt in 0..50 {
            let fresh = proof(&key, &bound, n * 100 + attempt);
            let headers = [("authorization", auth.as_str()), ("dpop", fresh.as_str())];
            status = ask(&replica.base, &headers).await.0;
            if status == 200 {
                break;
            }
            assert_eq!(status, 503);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, 200, "{}", replica.base);
        let headers = [("authorization", auth.as_str()), ("dpop", first.as_str())];
        assert_eq!(ask(&replica.base, &headers).await.0, 401);
    }
}
