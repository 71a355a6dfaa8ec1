//! Revocations shared by a fleet through Redis, against a real `redis-server` on a free
//! loopback port and `jwt-gateway` replicas as processes: `jwt-gateway revoke` reaches
//! running replicas within a second (by `jti`, by a subject's cut-off), a replica started
//! later loads it from Redis, and after Redis restarts the subscription comes back; the same
//! on a 3-master Redis Cluster, where a replica's resync after its node comes back brings
//! the revocations it missed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_support;
mod support;

use std::time::{Duration, Instant};

use redis_support::{RedisCluster, RedisServer, command, redis_ready};
use serde_json::json;
use support::{BINARY, Process, TempDir, client, local_provider, token};

/// Asks the replica at `base` about GET /orders as nginx's auth_request does.
async fn ask(base: &str, token: &str) -> (u16, String) {
    let response = client()
        .get(format!("{base}/auth"))
        .header("x-original-uri", "/orders")
        .header("x-original-method", "GET")
        .header("authorization", format!("Bearer {token}"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge)
}

/// Runs `jwt-gateway revoke --redis <url> <args>`; its exit code.
async fn revoke(url: &str, args: &[&str]) -> i32 {
    let output = tokio::process::Command::new(BINARY)
        .arg("revoke")
        .args(["--redis", url, "--key-prefix", "jwt-gateway-test:"])
        .args(args)
        .output()
        .await
        .unwrap();
    output.status.code().unwrap_or(-1)
}

/// Polls `base` with `token` until it answers `expected`, at most `bound`; how long it
/// took.
async fn until_status(base: &str, token: &str, expected: u16, bound: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, challenge) = ask(base, token).await;
        if status == expected {
            if expected == 401 {
                assert!(challenge.contains("invalid_token"), "{challenge}");
            }
            return started.elapsed();
        }
        assert!(
            started.elapsed() < bound,
            "{base}: still {status} after {bound:?}, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn config(dir: &TempDir, url: &str) -> String {
    let path = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\n{}[redis]\nurl = \"{url}\"\ntimeout_ms = 200\n\
             key_prefix = \"jwt-gateway-test:\"\n",
            local_provider(dir)
        ),
    );
    path.to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_reaches_every_replica_within_a_second_and_outlives_restarts() {
    if !redis_ready("a_revocation_reaches_every_replica_within_a_second_and_outlives_restarts") {
        return;
    }
    let dir = TempDir::new("revocation-replicas");
    let server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let config = config(&dir, &url);
    let replicas = [
        Process::start(&["--config", &config]).await,
        Process::start(&["--config", &config]).await,
    ];
    let now = jwt_core::now();
    let revoked = token(json!({"jti": "to-revoke"}));
    let other = token(json!({"jti": "to-keep"}));
    for replica in &replicas {
        assert_eq!(ask(&replica.base, &revoked).await.0, 200);
        assert_eq!(ask(&replica.base, &other).await.0, 200);
    }

    // By jti: both running replicas refuse it within a second; the other token stays.
    let until = (now + 300).to_string();
    assert_eq!(
        revoke(&url, &["--jti", "to-revoke", "--until", &until]).await,
        0
    );
    for replica in &replicas {
        until_status(&replica.base, &revoked, 401, Duration::from_secs(1)).await;
        assert_eq!(ask(&replica.base, &other).await.0, 200);
    }

    // By subject: tokens issued before the cut-off are refused, those after are not.
    let before_cut = token(json!({"sub": "bob", "iat": now - 100}));
    let after_cut = token(json!({"sub": "bob", "iat": now - 10}));
    assert_eq!(ask(&replicas[0].base, &before_cut).await.0, 200);
    let cut = (now - 50).to_string();
    assert_eq!(revoke(&url, &["--sub", "bob", "--before", &cut]).await, 0);
    for replica in &replicas {
        until_status(&replica.base, &before_cut, 401, Duration::from_secs(1)).await;
        assert_eq!(ask(&replica.base, &after_cut).await.0, 200);
        // alice's tokens are untouched.
        assert_eq!(ask(&replica.base, &other).await.0, 200);
    }

    // A replica started after the revocations loads them from Redis.
    let late = Process::start(&["--config", &config]).await;
    assert_eq!(ask(&late.base, &revoked).await.0, 401);
    assert_eq!(ask(&late.base, &before_cut).await.0, 401);
    assert_eq!(ask(&late.base, &after_cut).await.0, 200);
    assert_eq!(ask(&late.base, &other).await.0, 200);

    // Bad arguments: exit status 2, nothing written.
    assert_eq!(revoke(&url, &["--jti", "x", "--until", "1"]).await, 2);
    assert_eq!(revoke(&url, &["--sub", "a", "--client-id", "b"]).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_redis_restarts_the_subscription_comes_back() {
    if !redis_ready("after_redis_restarts_the_subscription_comes_back") {
        return;
    }
    let dir = TempDir::new("revocation-restart");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let config = config(&dir, &url);
    let replica = Process::start(&["--config", &config]).await;
    let first = token(json!({"jti": "before-restart"}));
    let second = token(json!({"client_id": "leaky", "iat": jwt_core::now() - 5}));
    let until = (jwt_core::now() + 300).to_string();
    assert_eq!(
        revoke(&url, &["--jti", "before-restart", "--until", &until]).await,
        0
    );
    until_status(&replica.base, &first, 401, Duration::from_secs(1)).await;

    server.stop();
    // Within the staleness bound the last synced set still refuses it (serve_stale).
    assert_eq!(ask(&replica.base, &first).await.0, 401);
    assert_eq!(ask(&replica.base, &second).await.0, 200);
    // Redis is down: the command fails with 1.
    assert_eq!(revoke(&url, &["--client-id", "leaky"]).await, 1);

    server.restart();
    // Once the replica has resubscribed, a revocation made now reaches it. The command
    // is repeated until Redis takes it; the replica then has at most a few seconds to
    // reconnect and a second to apply it.
    let started = Instant::now();
    while revoke(&url, &["--client-id", "leaky"]).await != 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "redis is back");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    until_status(&replica.base, &second, 401, Duration::from_secs(5)).await;
    // What was revoked before the restart (kept by Redis on disk) is still refused.
    assert_eq!(ask(&replica.base, &first).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_closed_answers_503_once_the_set_is_stale_past_its_bound() {
    if !redis_ready("fail_closed_answers_503_once_the_set_is_stale_past_its_bound") {
        return;
    }
    let dir = TempDir::new("revocation-fail-closed");
    let mut server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let path = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\n{}[redis]\nurl = \"{url}\"\ntimeout_ms = 200\n\
             key_prefix = \"jwt-gateway-test:\"\n\
             [revocation]\nmax_staleness_ms = 300\npolicy = \"fail_closed\"\n",
            local_provider(&dir)
        ),
    );
    let replica = Process::start(&["--config", path.to_str().unwrap()]).await;
    let good = token(json!({}));
    assert_eq!(ask(&replica.base, &good).await.0, 200);
    server.stop();
    // Past the bound (300 ms, plus the heartbeat's second to notice): 503, not 200.
    until_status(&replica.base, &good, 503, Duration::from_secs(5)).await;
    server.restart();
    until_status(&replica.base, &good, 200, Duration::from_secs(5)).await;
}

/// GET /metrics on `base`: the body.
async fn metrics(base: &str) -> String {
    client()
        .get(format!("{base}/metrics"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_that_are_not_revocations_are_skipped_and_the_others_still_sync() {
    if !redis_ready("keys_that_are_not_revocations_are_skipped_and_the_others_still_sync") {
        return;
    }
    let dir = TempDir::new("revocation-garbled");
    let server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let until = (jwt_core::now() + 300).to_string();
    // A value that is not a number, a name that is not UTF-8, a kind no replica knows,
    // beside a real revocation: the scan skips the three and loads the fourth.
    let redis = redis::Client::open(url.as_str()).unwrap();
    let mut connection = redis.get_multiplexed_async_connection().await.unwrap();
    let keys: [(&[u8], &[u8]); 4] = [
        (b"jwt-gateway-test:{revoked}:jti:garbled", b"notanumber"),
        (b"jwt-gateway-test:{revoked}:jti:\xff\xfe", b"1"),
        (b"jwt-gateway-test:{revoked}:color:blue", b"1"),
        (b"jwt-gateway-test:{revoked}:jti:loaded", until.as_bytes()),
    ];
    // Each with its index entry, as `revoke` leaves them, so the load reads all four.
    for (key, value) in keys {
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query_async::<()>(&mut connection)
            .await
            .unwrap();
        redis::cmd("ZADD")
            .arg("jwt-gateway-test:{revoked}:index")
            .arg((jwt_core::now() + 300) * 1000)
            .arg(key)
            .query_async::<()>(&mut connection)
            .await
            .unwrap();
    }
    let config = config(&dir, &url);
    let replica = Process::start(&["--config", &config]).await;
    let loaded = token(json!({"jti": "loaded"}));
    until_status(&replica.base, &loaded, 401, Duration::from_secs(5)).await;
    let metrics = metrics(&replica.base).await;
    assert!(
        value(&metrics, "jwt_gateway_revocation_keys_skipped_total").is_some_and(|n| n >= 3.0),
        "{metrics}"
    );
    // The subscription is made: an announcement reaches the replica.
    let announced = token(json!({"jti": "announced"}));
    assert_eq!(ask(&replica.base, &announced).await.0, 200);
    assert_eq!(
        revoke(&url, &["--jti", "announced", "--until", &until]).await,
        0
    );
    until_status(&replica.base, &announced, 401, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_whose_announcement_was_lost_is_found_by_the_next_rescan() {
    if !redis_ready("a_revocation_whose_announcement_was_lost_is_found_by_the_next_rescan") {
        return;
    }
    let dir = TempDir::new("revocation-rescan");
    let server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let path = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\n{}[redis]\nurl = \"{url}\"\ntimeout_ms = 200\n\
             key_prefix = \"jwt-gateway-test:\"\n[revocation]\nrescan_ms = 300\n",
            local_provider(&dir)
        ),
    );
    let replica = Process::start(&["--config", path.to_str().unwrap()]).await;
    let unannounced = token(json!({"jti": "unannounced"}));
    let cut = token(json!({"sub": "carol", "iat": jwt_core::now() - 100}));
    assert_eq!(ask(&replica.base, &unannounced).await.0, 200);
    assert_eq!(ask(&replica.base, &cut).await.0, 200);
    // Written as `revoke` writes them (the key, its index entry scored by its expiry), but
    // with no PUBLISH: as if it had been lost.
    let until = jwt_core::now() + 300;
    let before = jwt_core::now() - 50;
    let expiry = until * 1000;
    for (line, answer) in [
        (
            format!("SET jwt-gateway-test:{{revoked}}:jti:unannounced {until} PXAT {expiry}"),
            "+OK",
        ),
        (
            format!("SET jwt-gateway-test:{{revoked}}:sub:carol {before} PXAT {expiry}"),
            "+OK",
        ),
        (
            format!(
                "ZADD jwt-gateway-test:{{revoked}}:index {expiry} \
                 jwt-gateway-test:{{revoked}}:jti:unannounced \
                 {expiry} jwt-gateway-test:{{revoked}}:sub:carol"
            ),
            ":2",
        ),
    ] {
        assert!(command(server.port, &line).unwrap().starts_with(answer));
    }
    // Within the rescan period (300 ms) and the time to poll on a loaded machine.
    until_status(&replica.base, &unannounced, 401, Duration::from_secs(3)).await;
    until_status(&replica.base, &cut, 401, Duration::from_secs(3)).await;
    let metrics = metrics(&replica.base).await;
    assert!(
        value(
            &metrics,
            r#"jwt_gateway_revocation_syncs_total{result="rescan"}"#
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    // The cut-off's key gone (expired, or deleted), the next rescan drops it; the jti
    // stays, its key still there.
    assert!(
        command(server.port, "DEL jwt-gateway-test:{revoked}:sub:carol")
            .unwrap()
            .starts_with(":1")
    );
    until_status(&replica.base, &cut, 200, Duration::from_secs(3)).await;
    assert_eq!(ask(&replica.base, &unannounced).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_load_in_commands_independent_of_the_other_keys_under_the_prefix() {
    if !redis_ready("revocations_load_in_commands_independent_of_the_other_keys_under_the_prefix") {
        return;
    }
    let dir = TempDir::new("revocation-index");
    let server = RedisServer::start(&dir.path().join("redis"));
    let url = server.url();
    let redis = redis::Client::open(url.as_str()).unwrap();
    let mut connection = redis.get_multiplexed_async_connection().await.unwrap();
    // 20,000 DPoP replay keys beside the revocations, as a busy fleet's Redis holds.
    let mut pipe = redis::pipe();
    for n in 0..20_000 {
        pipe.cmd("SET")
            .arg(format!("jwt-gateway-test:dpop:{n}"))
            .arg(1)
            .arg("EX")
            .arg(300)
            .ignore();
    }
    pipe.query_async::<()>(&mut connection).await.unwrap();
    let now = jwt_core::now();
    let until = (now + 300).to_string();
    let cut = (now - 50).to_string();
    assert_eq!(
        revoke(&url, &["--jti", "indexed", "--until", &until]).await,
        0
    );
    assert_eq!(revoke(&url, &["--sub", "dave", "--before", &cut]).await, 0);
    redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async::<()>(&mut connection)
        .await
        .unwrap();

    // A replica started now loads both from Redis.
    let config = config(&dir, &url);
    let replica = Process::start(&["--config", &config]).await;
    let indexed = token(json!({"jti": "indexed"}));
    let cut_off = token(json!({"sub": "dave", "iat": now - 100}));
    until_status(&replica.base, &indexed, 401, Duration::from_secs(5)).await;
    until_status(&replica.base, &cut_off, 401, Duration::from_secs(5)).await;
    assert_eq!(
        ask(&replica.base, &token(json!({"jti": "other"}))).await.0,
        200
    );

    // Without walking the 20,000 keys: no SCAN, one page of the index per load.
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut connection)
        .await
        .unwrap();
    let calls = |command: &str| -> u64 {
        stats
            .lines()
            .find_map(|line| line.strip_prefix(&format!("cmdstat_{command}:calls=")))
            .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
    };
    assert_eq!(calls("scan"), 0, "{stats}");
    let pages = calls("zrangebyscore");
    assert!(pages >= 1, "{stats}");
    let metrics = metrics(&replica.base).await;
    let loads = ["ok", "rescan", "error"]
        .iter()
        .filter_map(|result| {
            value(
                &metrics,
                &format!("jwt_gateway_revocation_syncs_total{{result=\"{result}\"}}"),
            )
        })
        .sum::<f64>();
    assert!(
        pages as f64 <= loads,
        "{pages} pages for {loads} loads\n{stats}"
    );
}

#[test]
fn the_revocation_table_is_checked() {
    let dir = TempDir::new("revocation-config");
    let provider = local_provider(&dir);
    let parse = |text: &str| jwt_gateway::Config::parse(&format!("{provider}{text}"), None);
    let config = parse(
        "[redis]\nurl = \"redis://127.0.0.1:1\"\n\
         [revocation]\nmax_staleness_ms = 1500\npolicy = \"fail_closed\"\n",
    )
    .unwrap();
    assert_eq!(config.revocation.max_staleness, Duration::from_millis(1500));
    assert_eq!(
        config.revocation.policy,
        jwt_gateway::fleet::StalePolicy::FailClosed
    );
    // Defaults: 30 s, serve_stale.
    let config = parse("[redis]\nurl = \"redis://127.0.0.1:1\"\n").unwrap();
    assert_eq!(config.revocation.max_staleness, Duration::from_secs(30));
    assert_eq!(
        config.revocation.policy,
        jwt_gateway::fleet::StalePolicy::ServeStale
    );
    // An unknown policy; [revocation] without Redis.
    let refused = |text: &str| parse(text).unwrap_err().to_string();
    let unknown = refused("[redis]\nurl = \"redis://a:1\"\n[revocation]\npolicy = \"open\"\n");
    assert!(unknown.contains("serve_stale"), "{unknown}");
    let alone = refused("[revocation]\npolicy = \"fail_closed\"\n");
    assert!(alone.contains("needs a [redis] table"), "{alone}");
    // A cluster keeps revocations too.
    let cluster = parse(
        "[redis]\nurls = [\"redis://a:1\", \"redis://b:1\"]\ncluster = true\n\
         [revocation]\npolicy = \"fail_closed\"\n",
    )
    .unwrap();
    assert_eq!(
        cluster.revocation.policy,
        jwt_gateway::fleet::StalePolicy::FailClosed
    );
}

/// Runs `jwt-gateway revoke --redis-cluster` with `seeds`; its exit code.
async fn revoke_on_cluster(seeds: &[String], args: &[&str]) -> i32 {
    let mut command = tokio::process::Command::new(BINARY);
    command.arg("revoke").arg("--redis-cluster");
    for seed in seeds {
        command.args(["--redis", seed]);
    }
    let output = command
        .args(["--key-prefix", "jwt-gateway-test:"])
        .args(args)
        .output()
        .await
        .unwrap();
    output.status.code().unwrap_or(-1)
}

/// The value of the metric line starting with `series ` in `metrics`.
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_cluster_revocations_reach_every_replica_and_a_resync_brings_the_missed_ones() {
    if !redis_ready(
        "on_a_cluster_revocations_reach_every_replica_and_a_resync_brings_the_missed_ones",
    ) {
        return;
    }
    let dir = TempDir::new("revocation-cluster");
    let mut cluster = RedisCluster::start(&dir.path().join("cluster"));
    // The master holding the revocations' slot: the others redirect a key of it (MOVED).
    let owner = (0..3)
        .find(|&i| {
            let answer = command(
                cluster.nodes[i].port,
                "GET jwt-gateway-test:{revoked}:probe",
            );
            !answer.unwrap().starts_with("-MOVED")
        })
        .unwrap();
    let (apart, third) = ((owner + 1) % 3, (owner + 2) % 3);
    // The cluster keeps serving the slots of the masters still up while one is down.
    for node in &cluster.nodes {
        let answer = command(node.port, "CONFIG SET cluster-require-full-coverage no");
        assert!(answer.unwrap().starts_with("+OK"));
    }
    let urls = cluster.urls();
    let config = |name: &str, seeds: &[String]| {
        let seeds: Vec<String> = seeds.iter().map(|url| format!("{url:?}")).collect();
        let path = dir.write(
            name,
            &format!(
                "listen = \"127.0.0.1:0\"\n{}[redis]\nurls = [{}]\ncluster = true\n\
                 timeout_ms = 200\nkey_prefix = \"jwt-gateway-test:\"\n",
                local_provider(&dir),
                seeds.join(", ")
            ),
        );
        path.to_str().unwrap().to_owned()
    };
    // One replica knows the cluster by a node that does not hold the revocations (its
    // subscription is made there), the other by every node.
    let lone = config("lone.toml", &urls[apart..=apart]);
    let every = config("every.toml", &urls);
    let replicas = [
        Process::start(&["--config", &lone]).await,
        Process::start(&["--config", &every]).await,
    ];
    let now = jwt_core::now();
    let revoked = token(json!({"jti": "on-cluster"}));
    let missed = token(json!({"sub": "carol", "iat": now - 100}));
    let other = token(json!({"jti": "kept"}));
    for replica in &replicas {
        assert_eq!(ask(&replica.base, &revoked).await.0, 200);
        assert_eq!(ask(&replica.base, &missed).await.0, 200);
    }

    // Written through one seed (not the slot's master): both replicas refuse it within a
    // second.
    let until = (now + 300).to_string();
    let args = ["--jti", "on-cluster", "--until", until.as_str()];
    assert_eq!(revoke_on_cluster(&urls[third..=third], &args).await, 0);
    for replica in &replicas {
        until_status(&replica.base, &revoked, 401, Duration::from_secs(1)).await;
        assert_eq!(ask(&replica.base, &other).await.0, 200);
    }

    // The lone replica's node stops: its subscription is gone, so the announcement of a
    // revocation made now never reaches it.
    cluster.nodes[apart].stop();
    let cut = (now - 50).to_string();
    let args = ["--sub", "carol", "--before", cut.as_str()];
    assert_eq!(revoke_on_cluster(&urls[owner..=owner], &args).await, 0);
    until_status(&replicas[1].base, &missed, 401, Duration::from_secs(1)).await;
    assert_eq!(ask(&replicas[0].base, &missed).await.0, 200);
    // What it synced before is still refused (serve_stale).
    assert_eq!(ask(&replicas[0].base, &revoked).await.0, 401);

    // The node is back: the replica resubscribes and its resync brings the missed one.
    cluster.nodes[apart].restart();
    until_status(&replicas[0].base, &missed, 401, Duration::from_secs(10)).await;
    assert_eq!(ask(&replicas[0].base, &revoked).await.0, 401);
    assert_eq!(ask(&replicas[0].base, &other).await.0, 200);
    let metrics = client()
        .get(format!("{}/metrics", replicas[0].base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let syncs = r#"jwt_gateway_revocation_syncs_total{result="ok"}"#;
    assert!(
        value(&metrics, syncs).is_some_and(|n| n >= 2.0),
        "{metrics}"
    );
    let subjects = r#"jwt_gateway_revocations{kind="sub"}"#;
    assert_eq!(value(&metrics, subjects), Some(1.0), "{metrics}");
}
