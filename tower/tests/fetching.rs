//! How provider documents are fetched, against a scripted HTTP server on 127.0.0.1:
//! RFC 8414 fallback, `Cache-Control` bounds, `ETag` revalidation, size and redirect limits,
//! and what a failing key set endpoint costs and means.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jwt_core::{HeaderFields, Hs256Key, Jwk};
use jwt_core_tower::{
    Authenticator, BuildError, FetchError, HttpLimits, KeyCachePolicy, KeyFetchResult, KeySetState,
    Provider, Refusal,
};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
struct Claims {
    sub: String,
}

/// What the scripted server answers.
struct Script {
    issuer: String,
    jwks: String,
    etag: &'static str,
    cache_control: &'static str,
    /// While set, every key set request fails this way.
    jwks_failure: Option<Failure>,
    jwks_requests: u32,
    not_modified: u32,
}

/// How the key set endpoint fails.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// HTTP 500.
    ServerError,
    /// 200 with a body that is not a JWK Set (nor JSON).
    Garbage,
}

type Shared = Arc<Mutex<Script>>;

fn secret(n: u8) -> String {
    let bytes = [n; 32];
    let mut out = [0u8; 64];
    let len = jwt_core::base64url::encode(&bytes, &mut out).unwrap();
    String::from_utf8(out[..len].to_vec()).unwrap()
}

fn jwks(kid: &str, n: u8) -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"{kid}","alg":"HS256","k":"{}"}}]}}"#,
        secret(n)
    )
}

fn token(issuer: &str, kid: &str, n: u8) -> String {
    token_for(issuer, kid, n, "alice")
}

fn token_for(issuer: &str, kid: &str, n: u8, sub: &str) -> String {
    let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, secret(n));
    let key = Hs256Key::from_jwk(&Jwk::parse(jwk.as_bytes()).unwrap()).unwrap();
    #[derive(serde::Serialize)]
    struct Payload<'a> {
        iss: &'a str,
        aud: &'a str,
        sub: &'a str,
        exp: u64,
    }
    let payload = Payload {
        iss: issuer,
        aud: "api",
        sub,
        exp: jwt_core::now() + 600,
    };
    jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &payload).unwrap()
}

async fn metadata(State(script): State<Shared>) -> Response {
    let issuer = script.lock().unwrap().issuer.clone();
    let body = format!(
        r#"{{"issuer":"{issuer}","jwks_uri":"{}/jwks"}}"#,
        origin(&issuer)
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn origin(issuer: &str) -> &str {
    let after_scheme = issuer.find("//").unwrap() + 2;
    match issuer[after_scheme..].find('/') {
        Some(slash) => &issuer[..after_scheme + slash],
        None => issuer,
    }
}

async fn keys(State(script): State<Shared>, headers: HeaderMap) -> Response {
    let mut script = script.lock().unwrap();
    script.jwks_requests += 1;
    match script.jwks_failure {
        Some(Failure::ServerError) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Some(Failure::Garbage) => return r#"{"keys":[{"kty":"#.into_response(),
        None => {}
    }
    let cache = [
        (header::ETAG, script.etag),
        (header::CACHE_CONTROL, script.cache_control),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v == script.etag)
    {
        script.not_modified += 1;
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, script.jwks.clone()).into_response()
}

async fn redirect(Path(n): Path<u32>) -> Redirect {
    match n {
        0 => Redirect::temporary("/jwks"),
        n => Redirect::temporary(&format!("/redirect/{}", n - 1)),
    }
}

/// Waits until `done` holds, looking every 20 ms, and returns how long that took; panics
/// after `limit`. Background work gets a deadline rather than a fixed sleep, so a slow
/// machine does not fail the test.
async fn eventually(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let start = tokio::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// Starts the server; its origin and script. Only the RFC 8414 document is served, for an
/// issuer with a path.
async fn server() -> (String, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let script = Arc::new(Mutex::new(Script {
        issuer: format!("{origin}/tenant"),
        jwks: jwks("k1", 1),
        etag: "\"v1\"",
        cache_control: "public, max-age=3600",
        jwks_failure: None,
        jwks_requests: 0,
        not_modified: 0,
    }));
    let app = Router::new()
        .route(
            "/.well-known/oauth-authorization-server/tenant",
            get(metadata),
        )
        .route("/jwks", get(keys))
        .route("/redirect/{n}", get(redirect))
        .route(
            "/elsewhere",
            get(|| async { Redirect::temporary("http://192.0.2.1/jwks") }),
        )
        .route("/big", get(|| async { vec![b' '; 2 << 20] }))
        .with_state(script.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, script)
}

#[tokio::test]
async fn rfc8414_metadata_serves_when_there_is_no_openid_document() {
    let (origin, _) = server().await;
    let issuer = format!("{origin}/tenant");
    let auth = Authenticator::<Claims>::builder()
        .provider(Provider::discover(&issuer).audience("api").jwt())
        .build()
        .await
        .unwrap();
    let verified = auth.verify(&token(&issuer, "k1", 1)).await.unwrap();
    assert_eq!(
        (verified.claims().sub.as_str(), verified.issuer()),
        ("alice", issuer.as_str())
    );
    assert_eq!(
        auth.verify(&token(&issuer, "k1", 2)).await.unwrap_err(),
        Refusal::Token(jwt_core::Error::InvalidSignature)
    );
    // Without any metadata document, discovery fails with the last answer.
    let missing = Authenticator::<Claims>::builder()
        .provider(Provider::discover(&format!("{origin}/other")))
        .build()
        .await;
    assert!(matches!(
        missing,
        Err(BuildError::Provider {
            error: FetchError::Status(404),
            ..
        })
    ));
}

#[tokio::test]
async fn key_sets_are_revalidated_within_the_max_age_bounds_and_swapped_when_they_change() {
    let (origin, script) = server().await;
    let issuer = format!("{origin}/tenant");
    // The server says an hour; the policy caps it at 2 s.
    let policy = KeyCachePolicy {
        min_age: Duration::from_millis(500),
        max_age: Duration::from_secs(2),
        ..KeyCachePolicy::default()
    };
    let auth = Authenticator::<Claims>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience("api")
                .jwt()
                .key_cache(policy),
        )
        .build()
        .await
        .unwrap();
    assert_eq!(script.lock().unwrap().jwks_requests, 1);
    // Revalidated at 90% of the 2 s cap: not at once, and long before the server's hour
    // (the deadline leaves a slow machine room).
    let waited = eventually(Duration::from_secs(6), "a revalidation", || {
        auth.metrics().keys_not_modified >= 1
    })
    .await;
    assert!(
        waited >= Duration::from_secs(1),
        "revalidated after {waited:?}"
    );
    {
        let script = script.lock().unwrap();
        assert_eq!(
            (script.jwks_requests, script.not_modified),
            (2, 1),
            "one revalidation"
        );
    }
    let metrics = auth.metrics();
    assert_eq!(
        (metrics.keys_not_modified, metrics.key_sets_installed),
        (1, 1)
    );

    // The provider rotates: the next background refresh brings the new key, with no
    // request having to force it.
    {
        let mut script = script.lock().unwrap();
        script.jwks = jwks("k2", 2);
        script.etag = "\"v2\"";
        script.cache_control = "max-age=1";
    }
    eventually(Duration::from_secs(6), "the new key set", || {
        auth.metrics().key_sets_installed == 2
    })
    .await;
    auth.verify(&token(&issuer, "k2", 2)).await.unwrap();
    assert_eq!(auth.metrics().forced_refreshes, 0);
    assert_eq!(
        auth.verify(&token(&issuer, "k1", 1)).await.unwrap_err(),
        Refusal::Token(jwt_core::Error::UnknownKey)
    );
}

#[tokio::test]
async fn oversized_documents_and_unbounded_or_insecure_redirects_are_refused() {
    let (origin, _) = server().await;
    let issuer = format!("{origin}/tenant");
    let build = |uri: String, limits: HttpLimits| {
        let issuer = issuer.clone();
        async move {
            Authenticator::<Claims>::builder()
                .provider(Provider::with_jwks_uri(&issuer, &uri))
                .http_limits(limits)
                .build()
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    BuildError::Provider { error, .. } => error,
                    other => panic!("{other:?}"),
                })
        }
    };
    let limits = HttpLimits::default();
    assert_eq!(
        build(format!("{origin}/big"), limits).await,
        Err(FetchError::TooLarge)
    );
    let roomy = HttpLimits {
        max_body: 4 << 20,
        ..limits
    };
    assert!(matches!(
        build(format!("{origin}/big"), roomy).await,
        Err(FetchError::Invalid(_))
    ));
    assert_eq!(build(format!("{origin}/redirect/2"), limits).await, Ok(()));
    assert!(matches!(
        build(format!("{origin}/redirect/5"), limits).await,
        Err(FetchError::Transport(_))
    ));
    assert!(matches!(
        build(format!("{origin}/elsewhere"), limits).await,
        Err(FetchError::Transport(_))
    ));
    assert_eq!(
        build("http://192.0.2.1/jwks".into(), limits).await,
        Err(FetchError::InsecureUrl("http://192.0.2.1/jwks".into()))
    );
}

#[tokio::test]
async fn a_configured_key_set_needs_no_network_and_bad_configuration_is_reported() {
    let issuer = "https://idp.example";
    let auth = Authenticator::<Claims>::builder()
        .provider(
            Provider::with_jwks(issuer, jwks("k1", 1).as_bytes())
                .audience("api")
                .jwt(),
        )
        .build()
        .await
        .unwrap();
    assert_eq!(
        auth.verify(&token(issuer, "k1", 1))
            .await
            .unwrap()
            .claims()
            .sub,
        "alice"
    );
    // An unknown kid cannot be fetched: refused without a request.
    assert_eq!(
        auth.verify(&token(issuer, "k9", 1)).await.unwrap_err(),
        Refusal::Token(jwt_core::Error::UnknownKey)
    );
    assert_eq!(auth.metrics().key_fetches, 0);
    assert_eq!(
        Authenticator::<Claims>::builder()
            .build()
            .await
            .unwrap_err(),
        BuildError::NoProvider
    );
    let bad_header = Authenticator::<Claims>::builder()
        .provider(Provider::with_jwks(issuer, jwks("k1", 1).as_bytes()))
        .forward_claim("sub", "bad header")
        .build()
        .await;
    assert_eq!(
        bad_header.unwrap_err(),
        BuildError::InvalidHeaderName("bad header".into())
    );
    let bad_set = Authenticator::<Claims>::builder()
        .provider(Provider::with_jwks(issuer, b"{\"keys\":7}"))
        .build()
        .await;
    assert!(matches!(
        bad_set,
        Err(BuildError::Provider {
            error: FetchError::Invalid(_),
            ..
        })
    ));
}

/// Key sets fresh for 1 s, retried once a second while the provider fails.
fn short_lived(max_stale: Duration) -> KeyCachePolicy {
    KeyCachePolicy {
        min_age: Duration::from_secs(1),
        max_age: Duration::from_secs(1),
        forced_refresh_interval: Duration::from_secs(1),
        max_stale,
    }
}

/// The provider's key set endpoint fails (`failure`) right after the first fetch; past the
/// set's freshness, within its staleness bound, bursts of concurrent requests run for about
/// 3 s, every `unknown_kid_every`-th (if any) naming a `kid` the set lacks. The provider
/// must be asked at most once per forced-refresh interval, whatever the request rate.
async fn outage_under_load(failure: Failure, unknown_kid_every: Option<usize>) {
    const ROUNDS: usize = 30;
    const CONCURRENT: usize = 30;
    let (origin, script) = server().await;
    let issuer = format!("{origin}/tenant");
    let policy = short_lived(Duration::from_secs(3600));
    let auth = Authenticator::<Claims>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience("api")
                .jwt()
                .key_cache(policy),
        )
        .build()
        .await
        .unwrap();
    let valid = token(&issuer, "k1", 1);
    let unknown = token(&issuer, "k9", 1);
    auth.verify(&valid).await.unwrap();
    let outage = tokio::time::Instant::now();
    let before = {
        let mut script = script.lock().unwrap();
        script.jwks_failure = Some(failure);
        script.jwks_requests
    };
    assert_eq!(before, 1, "the fetch at start");

    let mut requests = 0usize;
    for round in 0..ROUNDS {
        let mut batch = tokio::task::JoinSet::new();
        for i in 0..CONCURRENT {
            let n = round * CONCURRENT + i;
            let is_unknown = unknown_kid_every.is_some_and(|every| n.is_multiple_of(every));
            let token = if is_unknown { &unknown } else { &valid }.clone();
            let auth = auth.clone();
            batch.spawn(async move { (is_unknown, auth.verify(&token).await.map(|_| ())) });
        }
        while let Some(outcome) = batch.join_next().await {
            match outcome.unwrap() {
                (false, outcome) => assert_eq!(outcome, Ok(()), "stale keys still verify"),
                (true, outcome) => {
                    assert_eq!(outcome, Err(Refusal::Token(jwt_core::Error::UnknownKey)))
                }
            }
            requests += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fetches = script.lock().unwrap().jwks_requests - before;
    let elapsed = outage.elapsed();
    let allowed = (elapsed.as_secs_f64() / policy.forced_refresh_interval.as_secs_f64()) as u32 + 1;
    println!(
        "{failure:?} outage, unknown kid every {unknown_kid_every:?}: {requests} requests in \
         {elapsed:?}, {fetches} key set fetches (at most {allowed} allowed)"
    );
    assert!(
        fetches <= allowed,
        "{fetches} key set fetches for {requests} requests in {elapsed:?} of outage; at most \
         {allowed} allowed"
    );
    assert!(fetches >= 1, "the stale set was retried during the outage");
    assert_eq!(auth.metrics().key_fetch_errors, u64::from(fetches));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_answering_500_is_asked_once_per_interval_whatever_the_load() {
    outage_under_load(Failure::ServerError, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_answering_garbage_is_asked_once_per_interval_whatever_the_load() {
    outage_under_load(Failure::Garbage, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kids_during_an_outage_are_held_to_the_same_interval() {
    outage_under_load(Failure::ServerError, Some(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_tokens_are_refused_past_the_staleness_bound_like_uncached_ones() {
    let (origin, script) = server().await;
    let issuer = format!("{origin}/tenant");
    // Fresh for 1 s after the fetch at start, then usable stale for 1 s more.
    let auth = Authenticator::<Claims>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience("api")
                .jwt()
                .key_cache(short_lived(Duration::from_secs(1))),
        )
        .token_cache(100)
        .build()
        .await
        .unwrap();
    let built = tokio::time::Instant::now();
    let cached = token_for(&issuer, "k1", 1, "alice");
    let uncached = token_for(&issuer, "k1", 1, "bob");
    auth.verify(&cached).await.unwrap();
    auth.verify(&cached).await.unwrap();
    assert_eq!(auth.metrics().token_cache_hits, 1);
    script.lock().unwrap().jwks_failure = Some(Failure::ServerError);

    // Past the set's freshness, within its staleness bound: the cached token is served.
    tokio::time::sleep_until(built + Duration::from_millis(1300)).await;
    assert_eq!(auth.verify(&cached).await.unwrap().claims().sub, "alice");
    assert_eq!(auth.metrics().token_cache_hits, 2);

    // Past the bound: the cached token gets the 503 an uncached one gets.
    tokio::time::sleep_until(built + Duration::from_millis(2500)).await;
    let refused = auth.verify(&cached).await.unwrap_err();
    assert_eq!(refused, Refusal::KeysUnavailable);
    assert_eq!(refused.status(), 503);
    assert_eq!(
        auth.verify(&uncached).await.unwrap_err(),
        Refusal::KeysUnavailable
    );
    assert_eq!(auth.metrics().token_cache_hits, 2, "no hit past the bound");

    // The provider answers again (the same set): the token is accepted within one retry
    // interval, and from the cache after that.
    script.lock().unwrap().jwks_failure = None;
    let back = tokio::time::Instant::now();
    while auth.verify(&cached).await.is_err() {
        assert!(
            back.elapsed() < Duration::from_secs(4),
            "not accepted after the provider came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hits = auth.metrics().token_cache_hits;
    assert_eq!(auth.verify(&cached).await.unwrap().claims().sub, "alice");
    assert_eq!(auth.metrics().token_cache_hits, hits + 1);
    assert_eq!(auth.verify(&uncached).await.unwrap().claims().sub, "bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_sets_report_their_state_age_and_last_fetch() {
    let (origin, script) = server().await;
    let issuer = format!("{origin}/tenant");
    // Fresh for 1 s after each fetch, then usable stale for 1 s more.
    let auth = Authenticator::<Claims>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience("api")
                .jwt()
                .key_cache(short_lived(Duration::from_secs(1))),
        )
        .build()
        .await
        .unwrap();
    let built = tokio::time::Instant::now();
    let status = || auth.key_sets().remove(0);
    let first = status();
    assert_eq!(first.issuer, issuer);
    assert_eq!(first.keys, 1);
    assert_eq!(first.state, KeySetState::Fresh);
    assert_eq!(first.last_fetch, Some(KeyFetchResult::Fetched));
    assert!(first.age.unwrap() < Duration::from_secs(1), "{first:?}");
    assert!(first.usable());

    // The provider fails: the refetch before the set's end fails, the set goes stale and
    // then, past its staleness bound, unusable; its keys stay and its age grows.
    script.lock().unwrap().jwks_failure = Some(Failure::ServerError);
    eventually(Duration::from_millis(1900), "a stale set", || {
        let now = status();
        now.state == KeySetState::Stale && now.last_fetch == Some(KeyFetchResult::Failed)
    })
    .await;
    tokio::time::sleep_until(built + Duration::from_millis(2300)).await;
    let gone = status();
    assert_eq!(gone.state, KeySetState::Unusable);
    assert!(!gone.usable());
    assert_eq!(gone.keys, 1);
    assert_eq!(gone.last_fetch, Some(KeyFetchResult::Failed));
    assert!(gone.age.unwrap() >= Duration::from_secs(2), "{gone:?}");

    // Back with the same set (304): fresh again, confirmed now, installed at the start.
    script.lock().unwrap().jwks_failure = None;
    eventually(Duration::from_secs(4), "the set confirmed", || {
        let now = status();
        now.state == KeySetState::Fresh && now.last_fetch == Some(KeyFetchResult::NotModified)
    })
    .await;
    let confirmed = status();
    assert!(
        confirmed.age.unwrap() < Duration::from_secs(1),
        "{confirmed:?}"
    );
    assert!(
        confirmed.installed.unwrap() >= Duration::from_secs(2),
        "{confirmed:?}"
    );

    // A new set: installed now.
    {
        let key = |kid: &str, n: u8| {
            let set = jwks(kid, n);
            set.strip_prefix(r#"{"keys":["#)
                .and_then(|s| s.strip_suffix("]}"))
                .unwrap()
                .to_owned()
        };
        let mut script = script.lock().unwrap();
        script.jwks = format!(r#"{{"keys":[{},{}]}}"#, key("k1", 1), key("k2", 2));
        script.etag = "\"v2\"";
    }
    eventually(Duration::from_secs(3), "the new set", || status().keys == 2).await;
    let replaced = status();
    assert_eq!(replaced.last_fetch, Some(KeyFetchResult::Fetched));
    assert!(
        replaced.installed.unwrap() < Duration::from_secs(1),
        "{replaced:?}"
    );
}
