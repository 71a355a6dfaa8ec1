//! The gateway against a real OpenID provider (node-oidc-provider): discovery, RFC 9068
//! tokens signed with ES256 and RS256, refusals and their challenges, key rotation, the
//! provider going down, a flood of unknown `kid`s, several issuers, and opaque tokens
//! through introspection and revocation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Access, Idp, app, client, get_with, node_ready, serve};
use jwt_core_tower::{Authenticator, BuildError, FetchError, KeyCachePolicy, Provider};

const AUDIENCE: &str = "urn:orders";

/// Seconds added to the gateway's clock, to age tokens without waiting.
static CLOCK_AHEAD: AtomicU64 = AtomicU64::new(0);

fn clock_ahead() -> u64 {
    jwt_core::now() + CLOCK_AHEAD.load(Ordering::SeqCst)
}

/// A token with one claim of its payload replaced: same header, same signature.
fn tampered(token: &str, from: &str, to: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = Base64UrlUnpadded::decode_vec(parts[1]).unwrap();
    let payload = String::from_utf8(payload).unwrap().replace(from, to);
    assert!(payload.contains(to));
    format!(
        "{}.{}.{}",
        parts[0],
        Base64UrlUnpadded::encode_string(payload.as_bytes()),
        parts[2]
    )
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_tokens_are_accepted_and_every_bad_request_gets_its_challenge() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .introspection("gateway", "gateway-secret")
                .introspection_cache_ttl(Duration::from_secs(1)),
        )
        .token_cache(1000)
        .forward_claim("client_id", "x-client-id")
        .realm("orders")
        .clock(clock_ahead)
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");

    let es256 = idp.token("urn:orders", "orders:read").await;
    let rs256 = idp.token("urn:orders:rs256", "orders:read").await;
    assert!(es256.starts_with("eyJhbGciOiJFUzI1NiIs"), "ES256 header");
    assert!(rs256.starts_with("eyJhbGciOiJSUzI1NiIs"), "RS256 header");
    for token in [&es256, &rs256] {
        assert_eq!(
            get_with(&orders, Some(token)).await,
            (200, String::new(), "orders for app".into())
        );
    }
    // The second use of each is a cache hit.
    assert_eq!(get_with(&orders, Some(&es256)).await.0, 200);
    let metrics = auth.metrics();
    assert_eq!(
        (metrics.token_cache_misses, metrics.token_cache_hits),
        (2, 1)
    );

    let bare = r#"Bearer realm="orders""#.to_string();
    let invalid = r#"Bearer realm="orders", error="invalid_token""#.to_string();
    assert_eq!(get_with(&orders, None).await, (401, bare, String::new()));
    let (status, challenge, _) = get_with(&orders, Some("not a token")).await;
    assert_eq!(
        (status, challenge.as_str()),
        (400, r#"Bearer realm="orders", error="invalid_request""#)
    );
    let forged = tampered(&es256, r#""sub":"app""#, r#""sub":"admin""#);
    assert_eq!(
        get_with(&orders, Some(&forged)).await,
        (401, invalid.clone(), String::new())
    );

    // Missing scope: 403 naming the scope the route needs.
    let writer = idp.token("urn:orders", "orders:write").await;
    assert_eq!(
        get_with(&orders, Some(&writer)).await,
        (
            403,
            r#"Bearer realm="orders", error="insufficient_scope", scope="orders:read""#.into(),
            String::new()
        )
    );
    assert_eq!(
        get_with(&format!("{base}/admin"), Some(&es256)).await.0,
        403
    );

    // Claims forwarded upstream; a client's own copy of the header is dropped.
    let response = client()
        .get(format!("{base}/headers"))
        .bearer_auth(&es256)
        .header("x-client-id", "forged")
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "app");

    // Opaque token: introspection, then revocation at the provider.
    let opaque = idp.token("urn:orders:opaque", "orders:read").await;
    assert!(!opaque.contains('.'));
    assert_eq!(get_with(&orders, Some(&opaque)).await.0, 200);
    assert_eq!(get_with(&orders, Some(&opaque)).await.0, 200);
    assert_eq!(
        auth.metrics().introspections,
        1,
        "second use answered from the cache"
    );
    idp.revoke(&opaque).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        get_with(&orders, Some(&opaque)).await,
        (401, invalid.clone(), String::new())
    );
    assert_eq!(auth.metrics().introspections, 2);
    let made_up = "bm90LWEtdG9rZW4tdGhlLXByb3ZpZGVyLWlzc3VlZA";
    assert_eq!(get_with(&orders, Some(made_up)).await.0, 401);

    // Expired: the clock moves past `exp` + leeway; the cached entry does not outlive it.
    CLOCK_AHEAD.store(300 + 61, Ordering::SeqCst);
    assert_eq!(
        get_with(&orders, Some(&es256)).await,
        (401, invalid.clone(), String::new())
    );
    assert_eq!(get_with(&orders, Some(&rs256)).await.0, 401);
    CLOCK_AHEAD.store(0, Ordering::SeqCst);
    assert_eq!(get_with(&orders, Some(&rs256)).await.0, 200);

    // Wrong audience: a gateway for another API refuses the same token.
    let billing = Authenticator::<Access>::builder()
        .provider(Provider::discover(&idp.issuer).audience("urn:billing"))
        .build()
        .await
        .unwrap();
    let billing = serve(app(&billing)).await;
    assert_eq!(
        get_with(&format!("{billing}/orders"), Some(&es256)).await.0,
        401
    );

    // Wrong issuer: a token from another provider (same kid names, other keys).
    let stranger = Idp::start(1).await;
    let foreign = stranger.token("urn:orders", "orders:read").await;
    assert_eq!(
        get_with(&orders, Some(&foreign)).await,
        (401, invalid, String::new())
    );
    // Refused by the layer: no token, malformed, forged, revoked, made up, two expired,
    // foreign (the 403s are the scope layer's).
    assert_eq!(auth.metrics().refused, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_issuers_each_verify_with_their_own_keys() {
    if !node_ready() {
        return;
    }
    let (a, b, c) = (
        Idp::start(7).await,
        Idp::start(7).await,
        Idp::start(7).await,
    );
    let auth = Authenticator::<Access>::builder()
        .provider(Provider::discover(&a.issuer).audience(AUDIENCE))
        .provider(Provider::discover(&b.issuer).audience(AUDIENCE))
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    // The three providers use the same kids: only the issuer tells which keys apply.
    for idp in [&a, &b] {
        let token = idp.token("urn:orders", "orders:read").await;
        assert_eq!(
            get_with(&orders, Some(&token)).await.0,
            200,
            "{}",
            idp.issuer
        );
        let rs = idp.token("urn:orders:rs256", "orders:read").await;
        assert_eq!(get_with(&orders, Some(&rs)).await.0, 200, "{}", idp.issuer);
    }
    let untrusted = c.token("urn:orders", "orders:read").await;
    assert_eq!(get_with(&orders, Some(&untrusted)).await.0, 401);
    // A token of A claiming to be from B is checked with B's keys, and fails.
    let a_token = a.token("urn:orders", "orders:read").await;
    let claimed = tampered(&a_token, &a.issuer, &b.issuer);
    assert_eq!(get_with(&orders, Some(&claimed)).await.0, 401);
    let duplicate = Authenticator::<Access>::builder()
        .provider(Provider::discover(&a.issuer))
        .provider(Provider::discover(&a.issuer))
        .build()
        .await;
    assert_eq!(
        duplicate.unwrap_err(),
        BuildError::DuplicateIssuer(a.issuer.clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_keys_are_picked_up_with_one_fetch_and_removed_keys_refused() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (port, issuer) = (idp.port, idp.issuer.clone());
    let policy = KeyCachePolicy {
        min_age: Duration::from_secs(3600),
        forced_refresh_interval: Duration::from_secs(30),
        ..KeyCachePolicy::default()
    };
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience(AUDIENCE)
                .key_cache(policy),
        )
        .token_cache(100)
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let old = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get_with(&orders, Some(&old)).await.0, 200);
    assert_eq!(auth.metrics().key_fetches, 1);

    // The provider restarts with new keys under new kids.
    idp.stop().await;
    let idp = Idp::restart(port, 2).await;
    let new = idp.token("urn:orders", "orders:read").await;
    let new_rs = idp.token("urn:orders:rs256", "orders:read").await;
    let before = auth.metrics();
    assert_eq!(get_with(&orders, Some(&new)).await.0, 200);
    assert_eq!(get_with(&orders, Some(&new_rs)).await.0, 200);
    let after = auth.metrics();
    assert_eq!(
        after.key_fetches - before.key_fetches,
        1,
        "exactly one refresh"
    );
    assert_eq!(after.key_sets_installed - before.key_sets_installed, 1);
    assert_eq!(idp.jwks_requests().await, 1);

    // The old key is gone: its token is refused although it was cached and is unexpired,
    // and asking again does not make the gateway refetch within the interval.
    assert_eq!(get_with(&orders, Some(&old)).await.0, 401);
    assert_eq!(get_with(&orders, Some(&old)).await.0, 401);
    assert_eq!(idp.jwks_requests().await, 1);
    assert_eq!(
        auth.metrics().forced_refreshes_limited - after.forced_refreshes_limited,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_served_stale_while_the_provider_is_down_then_refused() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (port, issuer) = (idp.port, idp.issuer.clone());
    let policy = KeyCachePolicy {
        min_age: Duration::from_secs(1),
        max_age: Duration::from_secs(1),
        forced_refresh_interval: Duration::from_secs(1),
        max_stale: Duration::from_secs(3),
    };
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&issuer)
                .audience(AUDIENCE)
                .key_cache(policy),
        )
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let token = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get_with(&orders, Some(&token)).await.0, 200);

    idp.stop().await;
    let down = tokio::time::Instant::now();
    // Past the set's freshness, within the staleness bound: still served.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(get_with(&orders, Some(&token)).await.0, 200);
    assert!(
        auth.metrics().key_fetch_errors >= 1,
        "refreshes were tried and failed"
    );
    // Past the bound (1 s fresh + 3 s stale from the last good fetch): refused, 503.
    tokio::time::sleep_until(down + Duration::from_millis(4500)).await;
    let (status, challenge, _) = get_with(&orders, Some(&token)).await;
    assert_eq!((status, challenge.as_str()), (503, ""));

    // The provider comes back (new keys): tokens are accepted again.
    let idp = Idp::restart(port, 2).await;
    let fresh = idp.token("urn:orders", "orders:read").await;
    let back = tokio::time::Instant::now();
    // Within one retry interval (1 s) of its return.
    while get_with(&orders, Some(&fresh)).await.0 != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(3),
            "not accepted after the provider came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_costs_the_provider_one_request_per_interval() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let policy = KeyCachePolicy {
        forced_refresh_interval: Duration::from_secs(60),
        ..KeyCachePolicy::default()
    };
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .key_cache(policy),
        )
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let token = idp.token("urn:orders", "orders:read").await;
    assert_eq!(idp.jwks_requests().await, 1, "the fetch at start");

    let mut batch = tokio::task::JoinSet::new();
    for i in 0..1000u32 {
        let url = orders.clone();
        let forged = with_kid(
            &token,
            &format!("kid-{i:04}-{:08x}", i.wrapping_mul(2_654_435_761)),
        );
        batch.spawn(async move { get_with(&url, Some(&forged)).await.0 });
        if batch.len() == 50 {
            while let Some(status) = batch.join_next().await {
                assert_eq!(status.unwrap(), 401);
            }
        }
    }
    while let Some(status) = batch.join_next().await {
        assert_eq!(status.unwrap(), 401);
    }
    assert_eq!(
        idp.jwks_requests().await,
        2,
        "one forced refetch for 1,000 unknown kids"
    );
    let metrics = auth.metrics();
    assert_eq!(metrics.forced_refreshes, 1);
    assert_eq!(metrics.forced_refreshes_limited, 999);
    // The real token is unaffected.
    assert_eq!(get_with(&orders, Some(&token)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discovery_document_naming_another_issuer_is_refused() {
    if !node_ready() {
        return;
    }
    // The provider calls itself localhost; the gateway is configured with 127.0.0.1.
    let idp = Idp::start_as(1, "localhost").await;
    let configured = format!("http://127.0.0.1:{}", idp.port);
    let built = Authenticator::<Access>::builder()
        .provider(Provider::discover(&configured).audience(AUDIENCE))
        .build()
        .await;
    match built {
        Err(BuildError::Provider {
            issuer,
            error: FetchError::Invalid(why),
        }) => {
            assert_eq!(issuer, configured);
            assert!(why.contains("names issuer"), "{why}");
        }
        other => panic!("expected an issuer mismatch, got {other:?}"),
    }
    // Given directly, its key set is still bound to the configured issuer: its tokens,
    // which name localhost, are refused.
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::with_jwks_uri(&configured, &format!("{configured}/jwks")).audience(AUDIENCE),
        )
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let token = idp.token("urn:orders", "orders:read").await;
    assert_eq!(
        get_with(&format!("{base}/orders"), Some(&token)).await.0,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_bound_to_a_key_are_refused_as_bearer_tokens() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .introspection("gateway", "gateway-secret"),
        )
        .token_cache(100)
        .realm("orders")
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let refused = (
        401,
        r#"Bearer realm="orders", error="invalid_token""#.to_string(),
        String::new(),
    );

    // RFC 9449: the provider binds the token to the DPoP proof's key (`cnf.jkt`). Without a
    // proof of that key checked, it is refused as a bearer token, again on a second try:
    // nothing was cached as accepted.
    let bound = idp.dpop_token("urn:orders", "orders:read").await;
    let payload = Base64UrlUnpadded::decode_vec(bound.split('.').nth(1).unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert!(claims["cnf"]["jkt"].is_string(), "{claims}");
    assert_eq!(get_with(&orders, Some(&bound)).await, refused);
    assert_eq!(get_with(&orders, Some(&bound)).await, refused);

    // The opaque form: its introspection answer carries `cnf`.
    let bound_opaque = idp.dpop_token("urn:orders:opaque", "orders:read").await;
    assert!(!bound_opaque.contains('.'));
    assert_eq!(get_with(&orders, Some(&bound_opaque)).await, refused);
    assert_eq!(get_with(&orders, Some(&bound_opaque)).await, refused);
    assert_eq!(auth.metrics().introspections, 1, "the refusal was cached");

    // Bearer tokens of the same provider are accepted.
    let plain = idp.token("urn:orders", "orders:read").await;
    let plain_opaque = idp.token("urn:orders:opaque", "orders:read").await;
    for token in [&plain, &plain_opaque] {
        assert_eq!(get_with(&orders, Some(token)).await.0, 200);
    }
    assert_eq!(auth.metrics().refused, 4);
}
