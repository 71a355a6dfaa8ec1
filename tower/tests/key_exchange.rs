//! Replicas sharing a `KeySetExchange`, against a scripted key set endpoint on 127.0.0.1
//! that counts its requests: a flood of unknown `kid`s on two replicas costs the provider
//! one request per interval, not one per replica; a set one replica fetched (for an
//! unknown `kid` or on its schedule) is used by the other without a request; a failing
//! exchange leaves each replica to fetch on its own, under its own rate limit, and no
//! token is refused for it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jwt_core::{HeaderFields, Hs256Key, Jwk};
use jwt_core_tower::{
    Authenticator, ExchangeError, ExchangeFuture, HttpLimits, KeyCachePolicy, KeySetExchange,
    MemoryKeySetExchange, MetricsSnapshot, Provider, Refusal, SharedKeySet,
};

#[derive(Clone, Debug, serde::Deserialize)]
struct Claims {
    #[allow(dead_code)]
    sub: String,
}

const ISSUER: &str = "https://idp.example";

/// What the endpoint serves: the set of `kid` with secret `n`.
struct Script {
    kid: &'static str,
    n: u8,
    cache_control: &'static str,
    requests: u64,
}

type Shared = Arc<Mutex<Script>>;

fn secret(n: u8) -> String {
    let mut out = [0u8; 64];
    let len = jwt_core::base64url::encode(&[n; 32], &mut out).unwrap();
    String::from_utf8(out[..len].to_vec()).unwrap()
}

fn token(kid: &str, n: u8) -> String {
    let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, secret(n));
    let key = Hs256Key::from_jwk(&Jwk::parse(jwk.as_bytes()).unwrap()).unwrap();
    let payload = serde_json::json!({
        "iss": ISSUER, "aud": "api", "sub": "alice", "exp": jwt_core::now() + 600,
    });
    jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &payload).unwrap()
}

/// The key set, with an `ETag` naming its key (so a revalidation of the same set is a 304).
async fn keys(State(script): State<Shared>, headers: HeaderMap) -> Response {
    let mut script = script.lock().unwrap();
    script.requests += 1;
    let etag = format!("\"{}-{}\"", script.kid, script.n);
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, script.cache_control.to_string()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v == etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let body = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"{}","alg":"HS256","k":"{}"}}]}}"#,
        script.kid,
        secret(script.n)
    );
    (cache, body).into_response()
}

/// The endpoint's URL and script.
async fn endpoint(cache_control: &'static str) -> (String, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let script = Arc::new(Mutex::new(Script {
        kid: "k1",
        n: 1,
        cache_control,
        requests: 0,
    }));
    let app = Router::new()
        .route("/jwks", get(keys))
        .with_state(script.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, script)
}

fn requests(script: &Shared) -> u64 {
    script.lock().unwrap().requests
}

/// One replica: an authenticator for the endpoint at `url`, sharing `exchange`.
async fn replica(
    url: &str,
    policy: KeyCachePolicy,
    exchange: impl KeySetExchange,
) -> Authenticator<Claims> {
    Authenticator::<Claims>::builder()
        .provider(
            Provider::with_jwks_uri(ISSUER, url)
                .audience("api")
                .jwt()
                .key_cache(policy),
        )
        .key_set_exchange(exchange)
        .build()
        .await
        .unwrap()
}

fn interval(forced_refresh_interval: Duration) -> KeyCachePolicy {
    KeyCachePolicy {
        forced_refresh_interval,
        ..KeyCachePolicy::default()
    }
}

/// A token whose `kid` no set has.
fn unknown(n: usize) -> String {
    token(&format!("unknown-{n}"), 1)
}

async fn refused_as_unknown(auth: &Authenticator<Claims>, token: &str) {
    assert_eq!(
        auth.verify(token).await.map(|_| ()),
        Err(Refusal::Token(jwt_core::Error::UnknownKey))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_on_two_replicas_costs_one_request_per_interval() {
    let (url, script) = endpoint("max-age=3600").await;
    let policy = interval(Duration::from_secs(1));
    let exchange = MemoryKeySetExchange::new();
    let a = replica(&url, policy, exchange.clone()).await;
    let b = replica(&url, policy, exchange.clone()).await;
    // The second replica started with the first one's set.
    assert_eq!(requests(&script), 1);
    assert_eq!((a.metrics().key_fetches, b.metrics().key_fetches), (1, 0));
    assert_eq!(b.metrics().key_sets_from_fleet, 1);
    let valid = token("k1", 1);
    a.verify(&valid).await.unwrap();
    b.verify(&valid).await.unwrap();

    // Past the interval: an unknown kid on both at once is one refetch for the fleet.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (first, second) = (unknown(0), unknown(1));
    tokio::join!(
        refused_as_unknown(&a, &first),
        refused_as_unknown(&b, &second)
    );
    assert_eq!(requests(&script), 2, "one refetch for both replicas");
    let fetched: u64 = [&a, &b].iter().map(|r| r.metrics().key_fetches).sum();
    assert_eq!(
        fetched, 2,
        "one fetch at start, one refetch, whichever replica made it"
    );

    // A flood on both for a few intervals: the fleet asks once per interval.
    let before = requests(&script);
    let flood = tokio::time::Instant::now();
    for round in 0..50 {
        let mut batch = tokio::task::JoinSet::new();
        for i in 0..10 {
            for auth in [&a, &b] {
                let (auth, token) = (auth.clone(), unknown(round * 100 + i));
                batch.spawn(async move { refused_as_unknown(&auth, &token).await });
            }
        }
        while let Some(done) = batch.join_next().await {
            done.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = flood.elapsed();
    let fetches = requests(&script) - before;
    let allowed = elapsed.as_secs_f64() as u64 + 1;
    println!("1,000 unknown kids on two replicas in {elapsed:?}: {fetches} key set requests");
    assert!(
        fetches <= allowed,
        "{fetches} key set requests in {elapsed:?}: at most {allowed} (one per second)"
    );
    assert!(
        fetches >= 1,
        "the fleet refetched once an interval had passed"
    );
    let limited: u64 = [&a, &b]
        .iter()
        .map(|r| r.metrics().forced_refreshes_limited)
        .sum();
    assert!(limited > 900, "{limited}");
    a.verify(&valid).await.unwrap();
    b.verify(&valid).await.unwrap();
    assert_eq!(
        a.metrics().key_exchange_errors + b.metrics().key_exchange_errors,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_set_one_replica_fetched_for_an_unknown_kid_is_used_by_the_other() {
    let (url, script) = endpoint("max-age=3600").await;
    let policy = interval(Duration::from_secs(1));
    let exchange = MemoryKeySetExchange::new();
    let a = replica(&url, policy, exchange.clone()).await;
    let b = replica(&url, policy, exchange.clone()).await;
    assert_eq!(requests(&script), 1);
    // The provider rotates to a new key, past the interval of the fetch at start.
    {
        let mut script = script.lock().unwrap();
        (script.kid, script.n) = ("k2", 2);
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let rotated = token("k2", 2);
    a.verify(&rotated).await.unwrap();
    assert_eq!(requests(&script), 2, "the first replica refetched");
    let before = b.metrics();
    b.verify(&rotated).await.unwrap();
    let after = b.metrics();
    assert_eq!(
        requests(&script),
        2,
        "the second replica took the fleet's set"
    );
    assert_eq!(after.key_fetches, before.key_fetches);
    assert_eq!(after.key_sets_from_fleet, before.key_sets_from_fleet + 1);
    assert_eq!(after.key_sets_installed, before.key_sets_installed + 1);
    // The old key is gone from both.
    refused_as_unknown(&b, &token("k1", 1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_on_schedule_is_made_by_one_replica_and_installed_by_both() {
    // A set lives 2 s: each replica's refresher wakes at 1.8 s of its age.
    let (url, script) = endpoint("max-age=2").await;
    let policy = KeyCachePolicy {
        min_age: Duration::from_secs(1),
        max_age: Duration::from_secs(2),
        forced_refresh_interval: Duration::from_secs(1),
        ..KeyCachePolicy::default()
    };
    let exchange = MemoryKeySetExchange::new();
    let a = replica(&url, policy, exchange.clone()).await;
    let b = replica(&url, policy, exchange.clone()).await;
    assert_eq!(requests(&script), 1);
    {
        let mut script = script.lock().unwrap();
        (script.kid, script.n) = ("k3", 3);
    }
    let start = (a.metrics(), b.metrics());
    let both_rotated = |a: &MetricsSnapshot, b: &MetricsSnapshot| {
        a.key_sets_installed > start.0.key_sets_installed
            && b.key_sets_installed > start.1.key_sets_installed
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !both_rotated(&a.metrics(), &b.metrics()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "both replicas install the new set on schedule"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // One refresh for the fleet: one replica asked, the other took its set.
    assert_eq!(requests(&script), 2);
    let (a_now, b_now) = (a.metrics(), b.metrics());
    let fetched =
        (a_now.key_fetches - start.0.key_fetches) + (b_now.key_fetches - start.1.key_fetches);
    assert_eq!(fetched, 1);
    let taken = (a_now.key_sets_from_fleet - start.0.key_sets_from_fleet)
        + (b_now.key_sets_from_fleet - start.1.key_sets_from_fleet);
    assert_eq!(taken, 1);
    // The new key verifies on both without an unknown-kid refetch.
    let rotated = token("k3", 3);
    a.verify(&rotated).await.unwrap();
    b.verify(&rotated).await.unwrap();
    assert_eq!(
        a.metrics().forced_refreshes + b.metrics().forced_refreshes,
        0
    );
}

/// An exchange that is always down.
struct Unreachable;

impl KeySetExchange for Unreachable {
    fn read<'a>(&'a self, _: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>> {
        Box::pin(async { Err(ExchangeError::Unavailable("down".into())) })
    }
    fn claim<'a>(&'a self, _: &'a str, _: Duration) -> ExchangeFuture<'a, bool> {
        Box::pin(async { Err(ExchangeError::Unavailable("down".into())) })
    }
    fn publish<'a>(&'a self, _: &'a str, _: SharedKeySet, _: Duration) -> ExchangeFuture<'a, ()> {
        Box::pin(async { Err(ExchangeError::Unavailable("down".into())) })
    }
}

/// An exchange whose document is not a key set (claims fail, so each replica fetches).
struct Garbage;

impl KeySetExchange for Garbage {
    fn read<'a>(&'a self, _: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>> {
        let set = SharedKeySet::new(b"{\"keys\":[{".to_vec(), None, SystemTime::now(), None);
        Box::pin(async { Ok(Some(set)) })
    }
    fn claim<'a>(&'a self, _: &'a str, _: Duration) -> ExchangeFuture<'a, bool> {
        Box::pin(async { Ok(true) })
    }
    fn publish<'a>(&'a self, _: &'a str, _: SharedKeySet, _: Duration) -> ExchangeFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_exchange_leaves_each_replica_to_its_own_rate_limit() {
    let (url, script) = endpoint("max-age=3600").await;
    let policy = interval(Duration::from_secs(60));
    let a = replica(&url, policy, Unreachable).await;
    let b = replica(&url, policy, Garbage).await;
    assert_eq!(requests(&script), 2, "each replica fetched on its own");
    let valid = token("k1", 1);
    a.verify(&valid).await.unwrap();
    b.verify(&valid).await.unwrap();
    // A flood of unknown kids: one refetch per replica, the rest rate-limited, and valid
    // tokens accepted throughout.
    let mut batch = tokio::task::JoinSet::new();
    for i in 0..200 {
        let auth = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (token, valid) = (unknown(i), valid.clone());
        batch.spawn(async move {
            refused_as_unknown(&auth, &token).await;
            auth.verify(&valid).await.map(|_| ())
        });
    }
    while let Some(done) = batch.join_next().await {
        assert_eq!(done.unwrap(), Ok(()));
    }
    assert_eq!(requests(&script), 4, "one refetch per replica per interval");
    for auth in [&a, &b] {
        let metrics = auth.metrics();
        assert_eq!(metrics.forced_refreshes, 1);
        assert_eq!(metrics.forced_refreshes_limited, 99);
        assert!(metrics.key_exchange_errors >= 2, "{metrics:?}");
        assert_eq!(metrics.key_sets_from_fleet, 0);
    }
}

/// The provider now serves the set of `kid` with secret `n`.
fn rotate(script: &Shared, kid: &'static str, n: u8) {
    let mut script = script.lock().unwrap();
    (script.kid, script.n) = (kid, n);
}

/// The document the exchange holds for `url`.
async fn held(exchange: &MemoryKeySetExchange, url: &str) -> SharedKeySet {
    exchange.read(url).await.unwrap().expect("a set is held")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_stamped_in_the_future_does_not_stop_a_refetch_for_an_unknown_kid() {
    let (url, script) = endpoint("max-age=3600").await;
    let exchange = MemoryKeySetExchange::new();
    let a = replica(&url, interval(Duration::from_secs(1)), exchange.clone()).await;
    // A replica whose clock runs an hour ahead shares the same set.
    let mut ahead = held(&exchange, &url).await;
    ahead.fetched_at = SystemTime::now() + Duration::from_secs(3600);
    exchange
        .publish(&url, ahead.clone(), Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(held(&exchange, &url).await, ahead);
    rotate(&script, "k2", 2);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.verify(&token("k2", 2)).await.unwrap();
    assert_eq!(requests(&script), 2, "the replica refetched");
    assert!(a.metrics().key_exchange_errors >= 1);
    // Its publish replaced the set from the future.
    let now = held(&exchange, &url).await;
    assert!(now.fetched_at <= SystemTime::now(), "{now:?}");
    assert!(String::from_utf8_lossy(&now.document).contains("\"k2\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_that_does_not_parse_is_overwritten_by_the_next_fetch() {
    let (url, script) = endpoint("max-age=3600").await;
    let exchange = MemoryKeySetExchange::new();
    let a = replica(&url, interval(Duration::from_secs(1)), exchange.clone()).await;
    let garbage = SharedKeySet::new(b"{\"keys\":[{".to_vec(), None, SystemTime::now(), None);
    exchange
        .publish(&url, garbage.clone(), Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(held(&exchange, &url).await, garbage);
    rotate(&script, "k2", 2);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.verify(&token("k2", 2)).await.unwrap();
    assert_eq!(requests(&script), 2);
    assert!(a.metrics().key_exchange_errors >= 1);
    let now = held(&exchange, &url).await;
    assert!(
        String::from_utf8_lossy(&now.document).contains("\"k2\""),
        "the fetched set replaced the garbage: {now:?}"
    );
}

#[tokio::test]
async fn an_older_set_published_after_a_newer_one_leaves_the_newer() {
    let exchange = MemoryKeySetExchange::new();
    let uri = "https://idp.example/jwks";
    let now = SystemTime::now();
    let lifetime = Duration::from_secs(600);
    let newer = SharedKeySet::new(b"{\"keys\":[]}".to_vec(), Some("\"new\"".into()), now, None);
    let older = SharedKeySet::new(
        b"{\"keys\":[]}".to_vec(),
        Some("\"old\"".into()),
        now - Duration::from_secs(5),
        None,
    );
    exchange
        .publish(uri, newer.clone(), lifetime)
        .await
        .unwrap();
    exchange
        .publish(uri, older.clone(), lifetime)
        .await
        .unwrap();
    assert_eq!(exchange.read(uri).await, Ok(Some(newer.clone())));
    // A later one replaces it.
    let latest = SharedKeySet::new(
        b"{\"keys\":[]}".to_vec(),
        None,
        now + Duration::from_secs(1),
        None,
    );
    exchange
        .publish(uri, latest.clone(), lifetime)
        .await
        .unwrap();
    assert_eq!(exchange.read(uri).await, Ok(Some(latest)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_replica_takes_the_rotated_set_another_published_at_once() {
    let (url, script) = endpoint("max-age=3600").await;
    let exchange = MemoryKeySetExchange::new();
    // B fetches first; A, whose own refetch limit is a minute, takes B's set.
    let b = replica(&url, interval(Duration::from_secs(1)), exchange.clone()).await;
    let a = replica(&url, interval(Duration::from_secs(60)), exchange.clone()).await;
    assert_eq!(requests(&script), 1);
    // An unknown kid on A: its refetch for the next minute is spent.
    refused_as_unknown(&a, &unknown(0)).await;
    assert_eq!(a.metrics().forced_refreshes, 1);
    // The provider rotates; past B's interval, B refetches for the new kid and publishes.
    rotate(&script, "k2", 2);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let rotated = token("k2", 2);
    b.verify(&rotated).await.unwrap();
    assert_eq!(requests(&script), 2);
    // A, still rate-limited, verifies the new kid with B's set.
    tokio::time::sleep(Duration::from_millis(100)).await;
    a.verify(&rotated).await.unwrap();
    assert_eq!(requests(&script), 2, "A did not ask the provider");
    assert_eq!(a.metrics().forced_refreshes, 1);
    assert_eq!(a.metrics().key_fetches, 0);
}

/// An exchange whose calls never answer.
struct Hanging;

impl KeySetExchange for Hanging {
    fn read<'a>(&'a self, _: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>> {
        Box::pin(std::future::pending())
    }
    fn claim<'a>(&'a self, _: &'a str, _: Duration) -> ExchangeFuture<'a, bool> {
        Box::pin(std::future::pending())
    }
    fn publish<'a>(&'a self, _: &'a str, _: SharedKeySet, _: Duration) -> ExchangeFuture<'a, ()> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_exchange_is_given_up_after_the_http_timeout() {
    let (url, script) = endpoint("max-age=3600").await;
    let limits = HttpLimits {
        timeout: Duration::from_millis(300),
        ..HttpLimits::default()
    };
    let build = Authenticator::<Claims>::builder()
        .http_limits(limits)
        .provider(
            Provider::with_jwks_uri(ISSUER, &url)
                .audience("api")
                .jwt()
                .key_cache(interval(Duration::from_secs(1))),
        )
        .key_set_exchange(Hanging)
        .build();
    let a = tokio::time::timeout(Duration::from_secs(5), build)
        .await
        .expect("the start is not held by the exchange")
        .unwrap();
    assert_eq!(requests(&script), 1, "the replica fetched on its own");
    a.verify(&token("k1", 1)).await.unwrap();
    // An unknown kid past the interval: refetched on its own, in bounded time.
    rotate(&script, "k2", 2);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    tokio::time::timeout(Duration::from_secs(5), a.verify(&token("k2", 2)))
        .await
        .expect("the refetch is not held by the exchange")
        .unwrap();
    assert_eq!(requests(&script), 2);
    assert!(a.metrics().key_exchange_errors >= 2, "{:?}", a.metrics());
}
