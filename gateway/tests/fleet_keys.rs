//! Key fetching shared by a fleet through Redis (`[redis]`), against real `redis-server`s
//! and node-oidc-provider on free loopback ports: the exchange keeps one set and one fetch
//! lock per `jwks_uri` in one hash slot (one server, and a 3-master cluster); three
//! `jwt-gateway` replicas under a burst of random unknown `kid`s cost the provider one key
//! set request per interval (counted at the provider), and the replicas that start after
//! the first take its set; with Redis stopped, each replica fetches on its own under its
//! own rate limit and keeps accepting valid tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tower/tests/common/mod.rs"]
mod common;
mod redis_support;
mod support;

use std::time::{Duration, SystemTime};

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Idp, node_ready};
use jwt_core_tower::{KeySetExchange, SharedKeySet};
use jwt_gateway::config::RedisSettings;
use jwt_gateway::fleet::{Redis, RedisKeySetExchange};
use redis_support::{RedisCluster, RedisServer, command, key_count, redis_ready};
use support::{Process, TempDir, client};

fn settings(urls: Vec<String>, cluster: bool) -> RedisSettings {
    RedisSettings {
        urls,
        cluster,
        timeout: Duration::from_millis(250),
        key_prefix: "jwt-gateway-test:".into(),
    }
}

fn exchange(settings: &RedisSettings) -> RedisKeySetExchange {
    RedisKeySetExchange::new(Redis::new(settings).unwrap())
}

/// Two replicas' exchanges on `shared`: one claim per hold, a set published by one read by
/// the other, each `jwks_uri` apart.
async fn share_a_set_and_one_claim(shared: &RedisSettings) {
    let (first, second) = (exchange(shared), exchange(shared));
    let uri = "https://idp.example/jwks";
    assert_eq!(second.read(uri).await, Ok(None));
    let hold = Duration::from_millis(400);
    assert_eq!(first.claim(uri, hold).await, Ok(true));
    assert_eq!(second.claim(uri, hold).await, Ok(false));
    assert_eq!(first.claim(uri, hold).await, Ok(false));
    // Another provider has its own claim.
    assert_eq!(
        second.claim("https://other.example/jwks", hold).await,
        Ok(true)
    );
    let set = SharedKeySet::new(
        br#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.to_vec(),
        Some("\"v7\"".into()),
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_800_000_000_250),
        Some(Duration::from_secs(600)),
    );
    first
        .publish(uri, set.clone(), Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(second.read(uri).await, Ok(Some(set)));
    assert_eq!(second.read("https://other.example/jwks").await, Ok(None));
    // A set fetched later replaces it; one fetched earlier, published after (a slow
    // fetch), does not.
    // Whole milliseconds, as the exchange keeps them.
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_millis(since.as_millis() as u64);
    let newer = SharedKeySet::new(b"{\"keys\":[]}".to_vec(), Some("\"new\"".into()), now, None);
    let older = SharedKeySet::new(
        b"{\"keys\":[]}".to_vec(),
        Some("\"old\"".into()),
        now - Duration::from_secs(5),
        None,
    );
    let lifetime = Duration::from_secs(600);
    first.publish(uri, newer.clone(), lifetime).await.unwrap();
    second.publish(uri, older, lifetime).await.unwrap();
    assert_eq!(first.read(uri).await, Ok(Some(newer)));
    // The claim lapses after its hold: the next interval's fetch can be claimed.
    let mut claimed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if second.claim(uri, hold).await == Ok(true) {
            claimed = true;
            break;
        }
    }
    assert!(claimed, "the claim expires");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exchange_shares_a_set_and_one_fetch_claim_on_redis_and_a_cluster() {
    if !redis_ready("the_exchange_shares_a_set_and_one_fetch_claim_on_redis_and_a_cluster") {
        return;
    }
    let dir = TempDir::new("fleet-keys-exchange");
    let server = RedisServer::start(&dir.path().join("single"));
    share_a_set_and_one_claim(&settings(vec![server.url()], false)).await;
    // The set is kept for its lifetime (600 s) and a minute's margin.
    let ttl = command(
        server.port,
        "PTTL jwt-gateway-test:jwks:{https://idp.example/jwks}:set",
    )
    .unwrap();
    let ttl: u64 = ttl.trim().trim_start_matches(':').parse().unwrap();
    assert!((600_000..=660_000).contains(&ttl), "{ttl}");
    let cluster = RedisCluster::start(&dir.path().join("cluster"));
    let shared = settings(cluster.urls(), true);
    share_a_set_and_one_claim(&shared).await;
    // One provider's set and claim are on one node (one hash slot): publish and claim
    // again for a third URI, and find both of its keys on a single master.
    let uri = "https://third.example/jwks";
    let counts = |cluster: &RedisCluster| -> Vec<u64> {
        cluster.nodes.iter().map(|n| key_count(n.port)).collect()
    };
    let before = counts(&cluster);
    let third = exchange(&shared);
    assert_eq!(third.claim(uri, Duration::from_secs(60)).await, Ok(true));
    let set = SharedKeySet::new(b"{\"keys\":[]}".to_vec(), None, SystemTime::now(), None);
    third
        .publish(uri, set, Duration::from_secs(60))
        .await
        .unwrap();
    let grown: Vec<u64> = counts(&cluster)
        .iter()
        .zip(&before)
        .map(|(now, before)| now - before)
        .collect();
    assert_eq!(grown.iter().sum::<u64>(), 2, "{grown:?}");
    assert!(grown.contains(&2), "both keys on one master: {grown:?}");
}

/// A token whose header names `kid` (the signature is not this header's).
fn with_kid(token: &str, kid: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let header = format!(r#"{{"alg":"ES256","typ":"at+jwt","kid":"{kid}"}}"#);
    format!(
        "{}.{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        parts[1],
        parts[2]
    )
}

/// Asks the replica at `base` about GET /orders with `token`, as nginx's auth_request
/// does; the status.
async fn ask(http: &reqwest::Client, base: &str, token: &str) -> u16 {
    http.get(format!("{base}/auth"))
        .header("x-original-uri", "/orders")
        .header("x-original-method", "GET")
        .header("authorization", format!("Bearer {token}"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The refetch interval of the replicas' `[provider.key_cache]`, in seconds.
const INTERVAL_S: u64 = 2;

/// `count` requests with random unknown `kid`s, spread over `replicas` round-robin, 30 at
/// a time every 100 ms or so (so a burst spans intervals), each refused (401) — and a valid
/// token accepted by every replica after each batch. The key set requests the provider
/// got, and how long it took.
async fn burst(
    idp: &Idp,
    replicas: &[Process],
    token: &str,
    count: usize,
    seed: u64,
) -> (u64, Duration) {
    let http = client();
    let before = idp.jwks_requests().await;
    let started = tokio::time::Instant::now();
    let mut sent = 0;
    let mut random = seed;
    while sent < count {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..30.min(count - sent) {
            // xorshift: kids that no set has, different in every run of the burst.
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let forged = with_kid(token, &format!("random-{random:016x}"));
            let base = replicas[sent % replicas.len()].base.clone();
            let http = http.clone();
            batch.spawn(async move { ask(&http, &base, &forged).await });
            sent += 1;
        }
        while let Some(status) = batch.join_next().await {
            assert_eq!(status.unwrap(), 401, "an unknown kid is refused");
        }
        for replica in replicas {
            assert_eq!(
                ask(&http, &replica.base, token).await,
                200,
                "{}",
                replica.base
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (idp.jwks_requests().await - before, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_redis_ask_the_provider_once_per_interval_and_alone_without_it() {
    if !node_ready() || !redis_ready("replicas_on_redis_ask_the_provider_once_per_interval") {
        return;
    }
    let dir = TempDir::new("fleet-keys-replicas");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let idp = Idp::start(1).await;
    let config = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\n\
             [[provider]]\nissuer = \"{}\"\naudiences = [\"urn:orders\"]\n\
             [provider.key_cache]\nrefetch_interval_s = {INTERVAL_S}\n\
             [redis]\nurl = \"{}\"\ntimeout_ms = 2000\n",
            idp.issuer,
            server.url()
        ),
    );
    let config = config.to_str().unwrap();
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Process::start(&["--config", config]).await);
    }
    // The first replica fetched the set; the two started after it took it from Redis.
    assert_eq!(idp.jwks_requests().await, 1, "one fetch for three replicas");
    let token = idp.token("urn:orders", "orders:read").await;
    for replica in &replicas {
        assert_eq!(ask(&client(), &replica.base, &token).await, 200);
    }

    // Past the interval of that fetch: a burst over the three costs one request per
    // interval begun during it.
    tokio::time::sleep(Duration::from_millis(INTERVAL_S * 1000 + 200)).await;
    let from_fleet_before = exchange_counts(&replicas, "from_fleet").await;
    let (fetches, elapsed) = burst(&idp, &replicas, &token, 1200, 0x9e37_79b9_7f4a_7c15).await;
    let intervals = elapsed.as_secs() / INTERVAL_S + 1;
    println!(
        "1,200 unknown kids over 3 replicas on Redis in {elapsed:?}: {fetches} key set requests"
    );
    assert!(fetches >= 1, "the fleet refetched");
    assert!(
        fetches <= intervals,
        "{fetches} key set requests in {elapsed:?}: at most one per {INTERVAL_S} s interval"
    );
    // The replicas that did not fetch took the refetched set from the fleet during the
    // burst, and say so in their metrics.
    let from_fleet = exchange_counts(&replicas, "from_fleet").await - from_fleet_before;
    assert!(
        from_fleet >= 2,
        "sets taken from the fleet during the burst: {from_fleet}"
    );

    // Redis stopped: each replica on its own, under its own rate limit; valid tokens are
    // still accepted and unknown kids refused with 401, none with 503.
    server.stop();
    tokio::time::sleep(Duration::from_millis(INTERVAL_S * 1000 + 200)).await;
    let (fetches, elapsed) = burst(&idp, &replicas, &token, 300, 0x2545_f491_4f6c_dd1d).await;
    let intervals = elapsed.as_secs() / INTERVAL_S + 1;
    println!("300 unknown kids over 3 replicas without Redis in {elapsed:?}: {fetches} requests");
    assert!(fetches >= 3, "each replica refetched on its own: {fetches}");
    let errors = exchange_counts(&replicas, "error").await;
    assert!(
        errors >= 3,
        "Redis failures counted by each replica: {errors}"
    );
    assert!(
        fetches <= 3 * intervals,
        "{fetches} key set requests in {elapsed:?}: at most one per replica per interval"
    );
}

/// The sum over `replicas` of `jwt_gateway_key_set_exchange_total` for `result`.
async fn exchange_counts(replicas: &[Process], result: &str) -> u64 {
    let series = format!("jwt_gateway_key_set_exchange_total{{result=\"{result}\"}} ");
    let mut total = 0;
    for replica in replicas {
        let metrics = client()
            .get(format!("{}/metrics", replica.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += metrics
            .lines()
            .find_map(|line| line.strip_prefix(series.as_str()))
            .map_or(0, |n| n.trim().parse::<u64>().unwrap());
    }
    total
}
