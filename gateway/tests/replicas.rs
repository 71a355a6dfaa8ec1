//! A fleet as it is deployed: three `jwt-gateway` processes sharing one `redis-server`,
//! behind Debian's nginx round-robin (`examples/nginx.conf`, its one gateway server made
//! three), trusting node-oidc-provider, which issues bearer and DPoP-bound tokens. All on
//! free loopback ports, started and stopped by each test.
//!
//! nginx asks the replicas by `auth_request` (forward-auth), the shipped deployment: an
//! auth subrequest is a bodiless GET, so nginx's default `proxy_next_upstream error
//! timeout` may send it again to the next replica when one fails, and the application
//! behind nginx never sees a request twice (the gateway's proxy mode would put the
//! application's request itself on the retried path).
//!
//! - a DPoP proof accepted through one replica is refused (replay) by every replica, through
//!   nginx and directly;
//! - `jwt-gateway revoke` reaches all three within a second;
//! - Redis stopped: DPoP requests get 503 on every replica, bearer tokens 200; Redis back
//!   on its port with its data: DPoP accepted again without a restart, and a proof accepted
//!   before the outage still refused;
//! - a replica killed (SIGKILL) under load: nginx moves on, no valid token refused and no
//!   invalid one accepted, at most the requests in flight lost.
//! - 1,000 random unknown `kid`s through nginx (so over the three replicas) cost the provider
//!   one key set request per refetch interval, counted at the provider; the three replicas
//!   started one after the other cost it one.
//!
//! Prints SKIPPED without nginx, redis-server or Node.js. Every loop is bounded in count
//! and time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tower/tests/common/mod.rs"]
mod common;
mod nginx_support;
mod redis_support;
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Idp, node_ready};
use jwt_core::Es256PrivateKey;
use jwt_core::dpop::{self, ProofClaims};
use redis_support::{RedisServer, redis_ready};
use serde_json::Value;
use support::{BINARY, Process, TempDir, Upstream, client, upstream};

const REPLICAS: usize = 3;
const KEY_PREFIX: &str = "jwt-gateway-replicas:";

/// nginx, redis-server and Node.js, or a SKIPPED line naming what is missing.
fn tools_ready(test: &str) -> Option<PathBuf> {
    let Some(nginx) = nginx_support::binary() else {
        println!("SKIPPED: {test}: nginx with the auth_request module is not installed");
        return None;
    };
    (redis_ready(test) && node_ready()).then_some(nginx)
}

/// Three replicas, their Redis, the provider, nginx and the application behind it.
/// Dropped in this order: nginx first, the provider last.
struct Fleet {
    _nginx: nginx_support::Nginx,
    /// nginx's port.
    port: u16,
    replicas: Vec<Process>,
    redis: RedisServer,
    _application: Upstream,
    idp: Idp,
    /// One client for the test's requests (building one costs tens of milliseconds).
    http: reqwest::Client,
    _dir: TempDir,
}

impl Fleet {
    async fn start(name: &str) -> Fleet {
        Self::start_with(name, "").await
    }

    /// A fleet whose replicas' configuration has `provider_extra` in its provider table.
    async fn start_with(name: &str, provider_extra: &str) -> Fleet {
        let dir = TempDir::new(name);
        let redis = RedisServer::start(&dir.path().join("redis"));
        let idp = Idp::start(1).await;
        let config = dir.write(
            "gateway.toml",
            &format!(
                "listen = \"127.0.0.1:0\"\n\
                 [[provider]]\nissuer = \"{}\"\naudiences = [\"urn:orders\"]\n{provider_extra}\
                 [redis]\nurl = \"{}\"\ntimeout_ms = 2000\nkey_prefix = \"{KEY_PREFIX}\"\n",
                idp.issuer,
                redis.url()
            ),
        );
        let config = config.to_str().unwrap();
        let mut replicas = Vec::new();
        for _ in 0..REPLICAS {
            replicas.push(Process::start(&["--config", config]).await);
        }
        let ports: Vec<u16> = replicas.iter().map(|r| port_of(&r.base)).collect();
        let application = upstream().await;
        let binary = nginx_support::binary().unwrap();
        let (nginx, port) = nginx_support::start(&binary, &ports, application.address.port());
        Fleet {
            _nginx: nginx,
            port,
            replicas,
            redis,
            _application: application,
            idp,
            http: client(),
            _dir: dir,
        }
    }

    /// The URL clients use, and DPoP proofs name.
    fn orders(&self) -> String {
        format!("http://127.0.0.1:{}/orders", self.port)
    }

    /// GET /orders through nginx: status and `WWW-Authenticate`.
    async fn through_nginx(&self, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self
            .http
            .clone()
            .get(self.orders())
            .timeout(Duration::from_secs(5));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send().await.unwrap())
    }

    /// Asks replica `i` directly about GET /orders on nginx, as nginx's auth subrequest does.
    async fn direct(&self, i: usize, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self
            .http
            .clone()
            .get(format!("{}/auth", self.replicas[i].base))
            .header("x-original-uri", "/orders")
            .header("x-original-method", "GET")
            .header("x-forwarded-proto", "http")
            .header("x-forwarded-host", format!("127.0.0.1:{}", self.port))
            .timeout(Duration::from_secs(5));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send().await.unwrap())
    }

    /// A fresh DPoP proof by `key` for GET /orders on nginx, bound to `token`.
    fn proof(&self, key: &Es256PrivateKey, token: &str) -> String {
        static N: AtomicU64 = AtomicU64::new(0);
        let jti = format!(
            "replicas-{}-{}-{}",
            std::process::id(),
            jwt_core::now(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let url = self.orders();
        let claims = ProofClaims::new(&jti, "GET", &url, jwt_core::now()).access_token(token);
        let mut out = vec![0u8; 2048];
        dpop::make_proof(key, &claims, &mut out)
            .unwrap()
            .to_string()
    }

    /// A token of the provider bound to `key` (a DPoP token request).
    async fn dpop_token(&self, key: &Es256PrivateKey) -> String {
        let endpoint = self.idp.url("/token");
        let jti = format!("replicas-token-{}", std::process::id());
        let claims = ProofClaims::new(&jti, "POST", &endpoint, jwt_core::now());
        let mut out = vec![0u8; 2048];
        let proof = dpop::make_proof(key, &claims, &mut out)
            .unwrap()
            .to_string();
        let response = self
            .http
            .clone()
            .post(&endpoint)
            .basic_auth("app", Some("app-secret"))
            .header("dpop", proof)
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", "urn:orders"),
                ("scope", "orders:read"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(answer["token_type"], "DPoP");
        answer["access_token"].as_str().unwrap().to_owned()
    }

    /// Requests replica `i` has answered (every outcome), from its `/metrics`.
    async fn answered(&self, i: usize) -> u64 {
        let metrics = self
            .http
            .clone()
            .get(format!("{}/metrics", self.replicas[i].base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        metrics
            .lines()
            .filter(|line| line.starts_with("jwt_gateway_requests_total{"))
            .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    }
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(" | ");
    (status, challenge)
}

/// The claims of `token` (not verified: the test's own view of it).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap()
}

/// `token` with one character of its signature changed: the same claims, a bad signature.
fn bad_signature(token: &str) -> String {
    let cut = token.rfind('.').unwrap() + 10;
    let changed = if &token[cut..=cut] == "A" { "B" } else { "A" };
    format!("{}{changed}{}", &token[..cut], &token[cut + 1..])
}

/// Asserts a DPoP replay refusal: 401 with `invalid_dpop_proof` in the DPoP challenge.
fn assert_replay_refused((status, challenge): (u16, String), what: &str) {
    assert_eq!(status, 401, "{what}: {challenge}");
    assert!(
        challenge.contains("DPoP") && challenge.contains("invalid_dpop_proof"),
        "{what}: {challenge}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_dpop_replays_and_revocations() {
    const TEST: &str = "replicas_share_dpop_replays_and_revocations";
    if tools_ready(TEST).is_none() {
        return;
    }
    let fleet = Fleet::start("replicas-replay").await;
    let key = Es256PrivateKey::from_bytes(&[11u8; 32]).unwrap();
    let bound = fleet.dpop_token(&key).await;
    assert!(claims(&bound)["cnf"]["jkt"].is_string());
    let authorization = format!("DPoP {bound}");

    // Fresh proofs are accepted whichever replica nginx picks; round-robin asks each.
    let before: Vec<u64> =
        futures_util::future::join_all((0..REPLICAS).map(|i| fleet.answered(i))).await;
    for _ in 0..REPLICAS * 2 {
        let fresh = fleet.proof(&key, &bound);
        let headers = [("authorization", authorization.as_str()), ("dpop", &fresh)];
        assert_eq!(fleet.through_nginx(&headers).await.0, 200);
    }
    for (i, before) in before.iter().enumerate() {
        let after = fleet.answered(i).await;
        assert!(
            after >= before + 2,
            "replica {i} asked twice: {before} -> {after}"
        );
    }

    // A proof accepted through nginx (by one replica) is refused through nginx, whichever
    // replica answers, and by each replica directly.
    let once = fleet.proof(&key, &bound);
    let headers = [("authorization", authorization.as_str()), ("dpop", &once)];
    assert_eq!(fleet.through_nginx(&headers).await.0, 200);
    for n in 0..REPLICAS * 2 {
        assert_replay_refused(fleet.through_nginx(&headers).await, &format!("nginx {n}"));
    }
    for i in 0..REPLICAS {
        assert_replay_refused(fleet.direct(i, &headers).await, &format!("replica {i}"));
    }
    // A proof accepted by replica i directly is refused by the others and through nginx.
    for i in 0..REPLICAS {
        let proof = fleet.proof(&key, &bound);
        let headers = [("authorization", authorization.as_str()), ("dpop", &proof)];
        assert_eq!(fleet.direct(i, &headers).await.0, 200, "replica {i}");
        for other in (0..REPLICAS).filter(|&other| other != i) {
            assert_replay_refused(
                fleet.direct(other, &headers).await,
                &format!("replica {other} after {i}"),
            );
        }
        assert_replay_refused(fleet.through_nginx(&headers).await, "nginx");
    }

    // A revocation by jti reaches all three within a second of the command's exit (its
    // PUBLISH answered; the process's own start-up is not the fleet's latency), polled on
    // each replica directly; another token of the same client is untouched.
    let revoked = fleet.idp.token("urn:orders", "orders:read").await;
    let kept = fleet.idp.token("urn:orders:rs256", "orders:read").await;
    let (revoked_auth, kept_auth) = (format!("Bearer {revoked}"), format!("Bearer {kept}"));
    for i in 0..REPLICAS {
        assert_eq!(
            fleet.direct(i, &[("authorization", &revoked_auth)]).await.0,
            200
        );
        assert_eq!(
            fleet.direct(i, &[("authorization", &kept_auth)]).await.0,
            200
        );
    }
    let revoked_claims = claims(&revoked);
    let jti = revoked_claims["jti"].as_str().unwrap();
    let until = revoked_claims["exp"].as_u64().unwrap().to_string();
    let started = Instant::now();
    let output = tokio::process::Command::new(BINARY)
        .args([
            "revoke",
            "--redis",
            &fleet.redis.url(),
            "--key-prefix",
            KEY_PREFIX,
        ])
        .args(["--jti", jti, "--until", &until])
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let announced = started.elapsed();
    let exited = Instant::now();
    let polls = (0..REPLICAS).map(|i| {
        let (fleet, revoked_auth) = (&fleet, &revoked_auth);
        async move {
            // Polled 5 ms apart up to a generous deadline (a loaded machine may be slow to
            // poll); the time it took is what is held to the second below.
            loop {
                let (status, challenge) = fleet.direct(i, &[("authorization", revoked_auth)]).await;
                if status == 401 {
                    assert!(challenge.contains("invalid_token"), "{challenge}");
                    return exited.elapsed();
                }
                assert_eq!(status, 200);
                assert!(
                    exited.elapsed() < Duration::from_secs(5),
                    "replica {i}: not revoked within 5 s"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    let reached = futures_util::future::join_all(polls).await;
    let slowest = reached.iter().max().unwrap();
    assert!(*slowest < Duration::from_secs(1), "{reached:?}");
    eprintln!(
        "revocation reached the replicas {reached:?} after the command ended, which took \
         {announced:?}"
    );
    for n in 0..REPLICAS {
        let (status, challenge) = fleet
            .through_nginx(&[("authorization", &revoked_auth)])
            .await;
        assert_eq!(status, 401, "nginx {n}");
        assert!(challenge.contains("invalid_token"), "{challenge}");
        assert_eq!(
            fleet
                .through_nginx(&[("authorization", &kept_auth)])
                .await
                .0,
            200
        );
    }
    for i in 0..REPLICAS {
        assert_eq!(
            fleet.direct(i, &[("authorization", &kept_auth)]).await.0,
            200
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_dpop_is_refused_and_bearer_accepted_then_dpop_recovers() {
    const TEST: &str = "without_redis_dpop_is_refused_and_bearer_accepted_then_dpop_recovers";
    if tools_ready(TEST).is_none() {
        return;
    }
    let mut fleet = Fleet::start("replicas-outage").await;
    let key = Es256PrivateKey::from_bytes(&[12u8; 32]).unwrap();
    let bound = fleet.dpop_token(&key).await;
    let authorization = format!("DPoP {bound}");
    let bearer = format!(
        "Bearer {}",
        fleet.idp.token("urn:orders", "orders:read").await
    );
    // Accepted before the outage; its record must outlive it.
    let before = fleet.proof(&key, &bound);
    let before_headers = [("authorization", authorization.as_str()), ("dpop", &before)];
    assert_eq!(fleet.through_nginx(&before_headers).await.0, 200);

    // Redis stops (SIGTERM; its append-only file, fsynced at every write, keeps each
    // recorded proof). Every replica refuses fresh proofs with 503 (it could not record
    // them) and still accepts bearer tokens.
    fleet.redis.stop();
    for i in 0..REPLICAS {
        let fresh = fleet.proof(&key, &bound);
        let headers = [("authorization", authorization.as_str()), ("dpop", &fresh)];
        let (status, challenge) = fleet.direct(i, &headers).await;
        assert_eq!(status, 503, "replica {i}: {challenge}");
        assert_eq!(
            fleet.direct(i, &[("authorization", &bearer)]).await.0,
            200,
            "replica {i}"
        );
    }
    for n in 0..REPLICAS {
        let fresh = fleet.proof(&key, &bound);
        let headers = [("authorization", authorization.as_str()), ("dpop", &fresh)];
        // The example passes the gateway's 503 on (auth_request alone would make it a 500).
        let (status, _) = fleet.through_nginx(&headers).await;
        assert_eq!(status, 503, "nginx {n}");
        assert_eq!(
            fleet.through_nginx(&[("authorization", &bearer)]).await.0,
            200
        );
    }

    // Redis back on the same port with the same data: the same processes accept fresh
    // proofs again (each waited for at most 50 tries within 5 s)...
    fleet.redis.restart();
    let restarted = Instant::now();
    let mut recovered = Vec::new();
    for i in 0..REPLICAS {
        let mut status = 0;
        for _ in 0..50 {
            let fresh = fleet.proof(&key, &bound);
            let headers = [("authorization", authorization.as_str()), ("dpop", &fresh)];
            status = fleet.direct(i, &headers).await.0;
            if status == 200 || restarted.elapsed() > Duration::from_secs(5) {
                break;
            }
            assert_eq!(status, 503, "replica {i}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, 200, "replica {i} accepts proofs again");
        recovered.push(restarted.elapsed());
    }
    eprintln!("replicas accepted proofs again after {recovered:?}");
    for _ in 0..REPLICAS {
        let fresh = fleet.proof(&key, &bound);
        let headers = [("authorization", authorization.as_str()), ("dpop", &fresh)];
        assert_eq!(fleet.through_nginx(&headers).await.0, 200);
    }
    // ...and the proof accepted before the outage is still refused, by every replica.
    for i in 0..REPLICAS {
        assert_replay_refused(
            fleet.direct(i, &before_headers).await,
            &format!("replica {i}"),
        );
    }
    assert_replay_refused(fleet.through_nginx(&before_headers).await, "nginx");
    for i in 0..REPLICAS {
        assert_eq!(fleet.direct(i, &[("authorization", &bearer)]).await.0, 200);
    }
}

/// One request of the load: whether its token was valid, its status (0: no answer from
/// nginx), and whether it was sent after the kill.
struct Outcome {
    valid: bool,
    status: u16,
    after_kill: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_under_load_costs_no_wrong_answer() {
    const TEST: &str = "a_replica_killed_under_load_costs_no_wrong_answer";
    if tools_ready(TEST).is_none() {
        return;
    }
    let mut fleet = Fleet::start("replicas-kill").await;
    let es256 = fleet.idp.token("urn:orders", "orders:read").await;
    let rs256 = fleet.idp.token("urn:orders:rs256", "orders:read").await;
    // Every third request carries a token with a bad signature.
    let tokens: Arc<Vec<(bool, String)>> = Arc::new(vec![
        (true, format!("Bearer {es256}")),
        (true, format!("Bearer {rs256}")),
        (false, format!("Bearer {}", bad_signature(&es256))),
        (true, format!("Bearer {es256}")),
        (true, format!("Bearer {rs256}")),
        (false, format!("Bearer {}", bad_signature(&rs256))),
    ]);

    // CONCURRENCY clients, each one request at a time, for LOAD or at most PER_CLIENT
    // requests each; replica 1 is killed once KILL_AFTER requests are answered (or
    // KILL_BY has passed), so the load spans the kill however fast the machine is.
    const CONCURRENCY: usize = 8;
    const PER_CLIENT: usize = 100;
    const LOAD: Duration = Duration::from_secs(3);
    const KILL_AFTER: u64 = 250;
    const KILL_BY: Duration = Duration::from_secs(1);
    let killed_at = Arc::new(std::sync::OnceLock::<Instant>::new());
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CONCURRENCY)
        .map(|c| {
            let (tokens, url, killed_at, done) = (
                Arc::clone(&tokens),
                fleet.orders(),
                Arc::clone(&killed_at),
                Arc::clone(&done),
            );
            tokio::spawn(async move {
                let client = client();
                let mut outcomes = Vec::new();
                for n in 0..PER_CLIENT {
                    if started.elapsed() > LOAD {
                        break;
                    }
                    let (valid, authorization) = &tokens[(c + n) % tokens.len()];
                    let sent = Instant::now();
                    let status = match client
                        .get(&url)
                        .header("authorization", authorization)
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await
                    {
                        Ok(response) => response.status().as_u16(),
                        Err(_) => 0,
                    };
                    done.fetch_add(1, Ordering::SeqCst);
                    let after_kill = killed_at.get().is_some_and(|at| sent > *at);
                    outcomes.push(Outcome {
                        valid: *valid,
                        status,
                        after_kill,
                    });
                }
                outcomes
            })
        })
        .collect();

    while done.load(Ordering::SeqCst) < KILL_AFTER && started.elapsed() < KILL_BY {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let served_before_kill = fleet.answered(1).await;
    let others_before: Vec<u64> = vec![fleet.answered(0).await, fleet.answered(2).await];
    let victim = &mut fleet.replicas[1];
    victim.child.start_kill().unwrap();
    killed_at.set(Instant::now()).unwrap();
    victim.child.wait().await.unwrap();

    let mut outcomes = Vec::new();
    for client in clients {
        outcomes.extend(client.await.unwrap());
    }
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let failed = |o: &Outcome| matches!(o.status, 500 | 502 | 504);
    let total = outcomes.len();
    let after_kill = count(&|o| o.after_kill);
    let lost = count(&failed);
    eprintln!(
        "{total} requests ({after_kill} after the kill), {lost} lost; replica 1 had answered \
         {served_before_kill} when killed"
    );
    // The load really spanned the kill, and replica 1 was in the rotation.
    assert!(served_before_kill > 10, "{served_before_kill}");
    assert!(after_kill >= 50, "{after_kill} requests after the kill");
    // No wrong answer: a valid token is never refused, an invalid one never accepted.
    for o in &outcomes {
        if o.valid {
            assert!(
                o.status == 200 || failed(o),
                "valid token answered {}",
                o.status
            );
        } else {
            assert!(
                o.status == 401 || failed(o),
                "invalid token answered {}",
                o.status
            );
        }
    }
    assert_eq!(count(&|o| !o.valid && o.status == 200), 0);
    // At most the requests in flight on the killed replica are lost: one per client at
    // most, since each client has one request in flight; nginx sends the rest to the next
    // replica (proxy_next_upstream error), and marks replica 1 failed for fail_timeout.
    assert!(lost <= CONCURRENCY, "{lost} lost");
    assert!(count(&|o| o.after_kill && o.status == 200) > 0);
    // The two replicas left took over.
    let others_after = [fleet.answered(0).await, fleet.answered(2).await];
    let taken: u64 = others_after
        .iter()
        .zip(&others_before)
        .map(|(a, b)| a - b)
        .sum();
    assert!(
        taken as usize >= after_kill,
        "{taken} answered for {after_kill} sent"
    );
    // And the fleet still answers right.
    assert_eq!(
        fleet
            .through_nginx(&[("authorization", &tokens[0].1)])
            .await
            .0,
        200
    );
    assert_eq!(
        fleet
            .through_nginx(&[("authorization", &tokens[2].1)])
            .await
            .0,
        401
    );
}

/// The replicas' unknown-`kid` refetch interval (`[provider.key_cache]`), in seconds.
const REFETCH_INTERVAL_S: u64 = 2;

/// `token` with a header naming `kid` (its signature is not this header's).
fn with_kid(token: &str, kid: &str) -> String {
    let header = format!(r#"{{"alg":"ES256","typ":"at+jwt","kid":"{kid}"}}"#);
    let rest = &token[token.find('.').unwrap()..];
    format!(
        "{}{rest}",
        Base64UrlUnpadded::encode_string(header.as_bytes())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kids_over_the_fleet_cost_the_provider_one_key_set_request_per_interval() {
    const TEST: &str =
        "unknown_kids_over_the_fleet_cost_the_provider_one_key_set_request_per_interval";
    if tools_ready(TEST).is_none() {
        return;
    }
    let fleet = Fleet::start_with(
        "replicas-kids",
        &format!("[provider.key_cache]\nrefetch_interval_s = {REFETCH_INTERVAL_S}\n"),
    )
    .await;
    // The replicas started one after the other: the first fetched the key set, the
    // others took it from Redis.
    assert_eq!(
        fleet.idp.jwks_requests().await,
        1,
        "one fetch for three replicas"
    );
    let token = fleet.idp.token("urn:orders", "orders:read").await;
    let valid = format!("Bearer {token}");
    for i in 0..REPLICAS {
        assert_eq!(fleet.direct(i, &[("authorization", &valid)]).await.0, 200);
    }

    // Past the interval of that fetch, 1,000 random unknown kids through nginx (so
    // round-robin over the three), 25 at a time: each refused, and the provider asked
    // once per interval begun during the burst, not once per replica.
    tokio::time::sleep(Duration::from_millis(REFETCH_INTERVAL_S * 1000 + 200)).await;
    const KIDS: usize = 1000;
    const AT_ONCE: usize = 25;
    let before = fleet.idp.jwks_requests().await;
    let answered: Vec<u64> =
        futures_util::future::join_all((0..REPLICAS).map(|i| fleet.answered(i))).await;
    let started = Instant::now();
    // xorshift, seeded by the clock: kids no set has, different in every run.
    let mut random = u64::from(std::process::id()) << 32 | jwt_core::now() | 1;
    let mut refused = 0;
    for _ in 0..KIDS / AT_ONCE {
        let batch = (0..AT_ONCE).map(|_| {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let forged = format!("Bearer {}", with_kid(&token, &format!("{random:016x}")));
            let fleet = &fleet;
            async move { fleet.through_nginx(&[("authorization", &forged)]).await }
        });
        for (status, challenge) in futures_util::future::join_all(batch).await {
            assert_eq!(status, 401, "{challenge}");
            refused += 1;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the burst is bounded"
        );
    }
    let elapsed = started.elapsed();
    let fetches = fleet.idp.jwks_requests().await - before;
    let intervals = elapsed.as_secs() / REFETCH_INTERVAL_S + 1;
    eprintln!(
        "{refused} unknown kids through nginx in {elapsed:?}: {fetches} key set requests \
         ({intervals} interval(s) of {REFETCH_INTERVAL_S} s begun)"
    );
    assert_eq!(refused, KIDS);
    // Each replica had its share of the burst.
    for (i, before) in answered.iter().enumerate() {
        let after = fleet.answered(i).await;
        assert!(
            after - before >= (KIDS / REPLICAS / 2) as u64,
            "replica {i}: {before} -> {after}"
        );
    }
    assert!(fetches >= 1, "the fleet refetched");
    assert!(
        fetches <= intervals,
        "{fetches} key set requests in {elapsed:?}: one per {REFETCH_INTERVAL_S} s interval"
    );
    // The valid token is still accepted everywhere.
    for i in 0..REPLICAS {
        assert_eq!(fleet.direct(i, &[("authorization", &valid)]).await.0, 200);
    }
}
