//! DPoP (RFC 9449) through the layer against a real provider (node-oidc-provider): tokens
//! bound to a key made here, by a token request whose proof is made here; a fresh proof for
//! the request accepted, every replayed or mismatched proof refused with its challenge,
//! server nonces, the sender constraint per provider, and a full replay store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Access, Idp, app, client, node_ready, serve};
use jwt_core::dpop::{self, ProofClaims, ProofKey};
use jwt_core::{Ed25519PrivateKey, Es256PrivateKey, Hs256Key, SigningKey};
use jwt_core_tower::{Authenticator, MemoryReplayStore, Provider, SenderConstraint};
use serde_json::{Value, json};

const AUDIENCE: &str = "urn:orders";

/// The `algs` of the challenges: every asymmetric algorithm, the default.
const ALGS: &str = "ES256 ES384 ES512 ES256K EdDSA PS256 PS384 PS512 RS256 RS384 RS512";

static JTI: AtomicU64 = AtomicU64::new(0);

/// A `jti` never used before in this process.
fn fresh_jti() -> String {
    format!(
        "jti-{}-{}",
        std::process::id(),
        JTI.fetch_add(1, Ordering::SeqCst)
    )
}

/// A proof by `key` for `method` `uri`, for `token` if given, issued at `iat`.
fn proof_at<K: ProofKey>(
    key: &K,
    method: &str,
    uri: &str,
    token: Option<&str>,
    iat: u64,
) -> String {
    proof_with(key, method, uri, token, iat, None)
}

fn proof_with<K: ProofKey>(
    key: &K,
    method: &str,
    uri: &str,
    token: Option<&str>,
    iat: u64,
    nonce: Option<&str>,
) -> String {
    let jti = fresh_jti();
    let mut claims = ProofClaims::new(&jti, method, uri, iat);
    if let Some(token) = token {
        claims = claims.access_token(token);
    }
    if let Some(nonce) = nonce {
        claims = claims.nonce(nonce);
    }
    let mut out = vec![0u8; 2048];
    dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

/// A fresh proof by `key` for GET `uri` with `token`.
fn proof<K: ProofKey>(key: &K, uri: &str, token: &str) -> String {
    proof_at(key, "GET", uri, Some(token), jwt_core::now())
}

/// A token for `resource` bound to `key`: the token request's proof is made here.
async fn bound_token<K: ProofKey>(idp: &Idp, key: &K, resource: &str) -> String {
    let token_endpoint = idp.url("/token");
    let proof = proof_at(key, "POST", &token_endpoint, None, jwt_core::now());
    let (status, body, _) = token_request(idp, &proof, resource).await;
    assert_eq!(status, 200, "DPoP token request: {body}");
    assert_eq!(body["token_type"], "DPoP");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A client credentials request of `app` for `resource` with `proof`: the status, the JSON
/// answer and its `DPoP-Nonce` header.
async fn token_request(idp: &Idp, proof: &str, resource: &str) -> (u16, Value, Option<String>) {
    let response = client()
        .post(idp.url("/token"))
        .basic_auth("app", Some("app-secret"))
        .header("dpop", proof)
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", resource),
            ("scope", "orders:read"),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let nonce = response
        .headers()
        .get("dpop-nonce")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, body, nonce)
}

/// The `cnf.jkt` of a JWT access token.
fn jkt(token: &str) -> Value {
    let payload = Base64UrlUnpadded::decode_vec(token.split('.').nth(1).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    claims["cnf"]["jkt"].clone()
}

/// The answer to a request: status, every `WWW-Authenticate` value, `DPoP-Nonce`.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    challenges: Vec<String>,
    nonce: Option<String>,
}

/// GET `url` with `authorization` and each of `proofs` as a `DPoP` header.
async fn get(url: &str, authorization: Option<String>, proofs: &[&str]) -> Answer {
    let mut request = client().get(url);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    for proof in proofs {
        request = request.header("dpop", *proof);
    }
    let response = request.send().await.unwrap();
    let text = |v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_string();
    Answer {
        status: response.status().as_u16(),
        challenges: response
            .headers()
            .get_all("www-authenticate")
            .iter()
            .map(text)
            .collect(),
        nonce: response.headers().get("dpop-nonce").map(text),
    }
}

fn dpop(token: &str) -> Option<String> {
    Some(format!("DPoP {token}"))
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

/// A 401 (or 400) with the DPoP challenge carrying `error` first, the Bearer one beside it.
fn dpop_refusal(status: u16, error: &str) -> Answer {
    Answer {
        status,
        challenges: vec![
            format!(r#"DPoP realm="orders", algs="{ALGS}", error="{error}""#),
            r#"Bearer realm="orders""#.to_string(),
        ],
        nonce: None,
    }
}

fn ok() -> Answer {
    Answer {
        status: 200,
        challenges: vec![],
        nonce: None,
    }
}

/// A proof signed by `key` with this header and payload (for proofs `make_proof` would
/// never make).
fn raw_proof(key: &impl SigningKey, header: &Value, payload: &Value) -> String {
    let b64 = |bytes: &[u8]| Base64UrlUnpadded::encode_string(bytes);
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let mut signature = vec![0u8; key.signature_len()];
    key.sign_signature(input.as_bytes(), &mut signature)
        .unwrap();
    format!("{input}.{}", b64(&signature))
}

fn ath(token: &str) -> String {
    use sha2::Digest;
    Base64UrlUnpadded::encode_string(&sha2::Sha256::digest(token.as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bound_tokens_work_with_a_fresh_proof_and_every_mismatch_is_refused() {
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
    let key = Es256PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let other_key = Es256PrivateKey::from_bytes(&[0x22; 32]).unwrap();
    let token = bound_token(&idp, &key, "urn:orders").await;
    assert_eq!(jkt(&token), dpop::thumbprint(&key).unwrap().as_str());

    // A fresh proof for the request: accepted, and the next one too (from the token cache,
    // the proof still checked).
    let first = proof(&key, &orders, &token);
    assert_eq!(get(&orders, dpop(&token), &[&first]).await, ok());
    assert_eq!(
        get(&orders, dpop(&token), &[&proof(&key, &orders, &token)]).await,
        ok()
    );
    assert_eq!(auth.metrics().token_cache_hits, 1);
    // The scheme is case-insensitive.
    let lower = Some(format!("dpop {token}"));
    assert_eq!(
        get(&orders, lower, &[&proof(&key, &orders, &token)]).await,
        ok()
    );

    let invalid_proof = dpop_refusal(401, "invalid_dpop_proof");
    // Replayed.
    assert_eq!(get(&orders, dpop(&token), &[&first]).await, invalid_proof);
    assert_eq!(auth.metrics().dpop_replays, 1);
    // For another URI, another method.
    let admin = proof(&key, &format!("{base}/admin"), &token);
    assert_eq!(get(&orders, dpop(&token), &[&admin]).await, invalid_proof);
    let post = proof_at(&key, "POST", &orders, Some(&token), jwt_core::now());
    assert_eq!(get(&orders, dpop(&token), &[&post]).await, invalid_proof);
    // Without `ath`.
    let no_ath = proof_at(&key, "GET", &orders, None, jwt_core::now());
    assert_eq!(get(&orders, dpop(&token), &[&no_ath]).await, invalid_proof);
    // Stale or from the future.
    let stale = proof_at(&key, "GET", &orders, Some(&token), jwt_core::now() - 400);
    assert_eq!(get(&orders, dpop(&token), &[&stale]).await, invalid_proof);
    let future = proof_at(&key, "GET", &orders, Some(&token), jwt_core::now() + 120);
    assert_eq!(get(&orders, dpop(&token), &[&future]).await, invalid_proof);
    // No proof.
    assert_eq!(get(&orders, dpop(&token), &[]).await, invalid_proof);
    // A private key in the header, signed with it.
    let mut jwk: Value = serde_json::from_str(
        &String::from_utf8(
            Base64UrlUnpadded::decode_vec(first.split('.').next().unwrap()).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    jwk["jwk"]["d"] = json!(Base64UrlUnpadded::encode_string(&[0x11; 32]));
    let claims = json!({"jti": fresh_jti(), "htm": "GET", "htu": orders, "iat": jwt_core::now(), "ath": ath(&token)});
    let private = raw_proof(&key, &jwk, &claims);
    assert_eq!(get(&orders, dpop(&token), &[&private]).await, invalid_proof);
    // HMAC-signed, with the secret as the header's key.
    let secret = [7u8; 32];
    let hmac_header = json!({"typ": "dpop+jwt", "alg": "HS256",
        "jwk": {"kty": "oct", "k": Base64UrlUnpadded::encode_string(&secret)}});
    let hmac = raw_proof(&Hs256Key::new(&secret).unwrap(), &hmac_header, &claims);
    assert_eq!(get(&orders, dpop(&token), &[&hmac]).await, invalid_proof);
    // Two proofs, even good ones: 400 invalid_request.
    let (a, b) = (proof(&key, &orders, &token), proof(&key, &orders, &token));
    assert_eq!(
        get(&orders, dpop(&token), &[&a, &b]).await,
        dpop_refusal(400, "invalid_request")
    );

    // A valid proof by another key: the token is not bound to it.
    let invalid_token = dpop_refusal(401, "invalid_token");
    let stolen = proof(&other_key, &orders, &token);
    assert_eq!(get(&orders, dpop(&token), &[&stolen]).await, invalid_token);
    // The bound token as a bearer token, even once accepted and cached.
    let as_bearer = Answer {
        status: 401,
        challenges: vec![
            r#"Bearer realm="orders", error="invalid_token""#.to_string(),
            format!(r#"DPoP realm="orders", algs="{ALGS}""#),
        ],
        nonce: None,
    };
    assert_eq!(get(&orders, bearer(&token), &[]).await, as_bearer);

    // The opaque form, through introspection: its answer's `cnf.jkt` is checked the same way.
    let opaque = bound_token(&idp, &key, "urn:orders:opaque").await;
    assert!(!opaque.contains('.'));
    assert_eq!(
        get(&orders, dpop(&opaque), &[&proof(&key, &orders, &opaque)]).await,
        ok()
    );
    assert_eq!(
        get(&orders, dpop(&opaque), &[&proof(&key, &orders, &opaque)]).await,
        ok()
    );
    assert_eq!(
        get(
            &orders,
            dpop(&opaque),
            &[&proof(&other_key, &orders, &opaque)]
        )
        .await,
        invalid_token
    );
    assert_eq!(get(&orders, bearer(&opaque), &[]).await, as_bearer);
    assert_eq!(auth.metrics().introspections, 1, "the answer was cached");

    // Bearer tokens keep working; a bearer token with a proof is refused (RFC 9449
    // section 7.2: the proof binds nothing).
    let plain = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get(&orders, bearer(&plain), &[]).await, ok());
    assert_eq!(
        get(&orders, dpop(&plain), &[&proof(&key, &orders, &plain)]).await,
        invalid_token
    );
    // No credentials: both challenges, no error.
    let none = Answer {
        status: 401,
        challenges: vec![
            r#"Bearer realm="orders""#.to_string(),
            format!(r#"DPoP realm="orders", algs="{ALGS}""#),
        ],
        nonce: None,
    };
    assert_eq!(get(&orders, None, &[]).await, none);

    let metrics = auth.metrics();
    assert_eq!((metrics.dpop_accepted, metrics.dpop_refused), (5, 13));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_round_trip_and_a_provider_may_require_dpop() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .sender_constraint(SenderConstraint::Dpop)
                .require_dpop_nonce(),
        )
        .realm("orders")
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let key = Ed25519PrivateKey::from_bytes(&[0x33; 32]);
    let token = bound_token(&idp, &key, "urn:orders").await;
    let dpop_only = |error: Option<&str>| {
        let error = error.map_or(String::new(), |e| format!(r#", error="{e}""#));
        vec![format!(r#"DPoP realm="orders", algs="{ALGS}"{error}"#)]
    };

    // Without the nonce: 401 use_dpop_nonce, and the nonce to use.
    let answer = get(&orders, dpop(&token), &[&proof(&key, &orders, &token)]).await;
    assert_eq!(
        (answer.status, &answer.challenges),
        (401, &dpop_only(Some("use_dpop_nonce")))
    );
    let nonce = answer.nonce.expect("a DPoP-Nonce header");
    // With it: accepted; with another: refused again.
    let now = jwt_core::now();
    let with_nonce = proof_with(&key, "GET", &orders, Some(&token), now, Some(&nonce));
    assert_eq!(get(&orders, dpop(&token), &[&with_nonce]).await, ok());
    let wrong = proof_with(
        &key,
        "GET",
        &orders,
        Some(&token),
        now,
        Some("not-the-nonce"),
    );
    assert_eq!(get(&orders, dpop(&token), &[&wrong]).await.status, 401);

    // DPoP required: the provider's bearer tokens are refused, and only DPoP is offered.
    let plain = idp.token("urn:orders", "orders:read").await;
    let refused = get(&orders, bearer(&plain), &[]).await;
    assert_eq!(
        (refused.status, refused.challenges),
        (401, dpop_only(Some("invalid_token")))
    );
    let none = get(&orders, None, &[]).await;
    assert_eq!((none.status, none.challenges), (401, dpop_only(None)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_only_provider_refuses_dpop_requests() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .sender_constraint(SenderConstraint::Bearer),
        )
        .realm("orders")
        .build()
        .await
        .unwrap();
    let base = serve(app(&auth)).await;
    let orders = format!("{base}/orders");
    let key = Es256PrivateKey::from_bytes(&[0x44; 32]).unwrap();
    let token = bound_token(&idp, &key, "urn:orders").await;
    let answer = get(&orders, dpop(&token), &[&proof(&key, &orders, &token)]).await;
    assert_eq!(
        (answer.status, answer.challenges),
        (
            401,
            vec![r#"Bearer realm="orders", error="invalid_token""#.to_string()]
        )
    );
    let plain = idp.token("urn:orders", "orders:read").await;
    assert_eq!(get(&orders, bearer(&plain), &[]).await, ok());
}

/// node-oidc-provider with `features.dPoP.nonceSecret` and `requireNonce` takes no proof
/// without its nonce at its token endpoint: the first token request gets 400
/// `use_dpop_nonce` and a `DPoP-Nonce` header, the retry with that nonce a token bound to
/// the key. The gateway accepts the token with a fresh proof of its own. Nonces are each
/// server's own (RFC 9449 section 8): a gateway requiring one refuses the provider's, with
/// its own nonce to use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_requiring_nonces_binds_tokens_after_the_nonce_round_trip() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start_with(1, &[("DPOP_NONCE", "1")]).await;
    let key = Es256PrivateKey::from_bytes(&[0x66; 32]).unwrap();
    let token_endpoint = idp.url("/token");
    let now = jwt_core::now();
    let without = proof_at(&key, "POST", &token_endpoint, None, now);
    let (status, body, nonce) = token_request(&idp, &without, "urn:orders").await;
    assert_eq!((status, &body["error"]), (400, &json!("use_dpop_nonce")));
    let provider_nonce = nonce.expect("the provider's DPoP-Nonce");
    let with = proof_with(
        &key,
        "POST",
        &token_endpoint,
        None,
        now,
        Some(&provider_nonce),
    );
    let (status, body, _) = token_request(&idp, &with, "urn:orders").await;
    assert_eq!(
        (status, &body["token_type"]),
        (200, &json!("DPoP")),
        "{body}"
    );
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(jkt(&token), dpop::thumbprint(&key).unwrap().as_str());

    let gateway = |nonce: bool| {
        let mut provider = Provider::discover(&idp.issuer).audience(AUDIENCE);
        if nonce {
            provider = provider.require_dpop_nonce();
        }
        Authenticator::<Access>::builder()
            .provider(provider)
            .realm("orders")
            .build()
    };
    let auth = gateway(false).await.unwrap();
    let orders = format!("{}/orders", serve(app(&auth)).await);
    assert_eq!(
        get(&orders, dpop(&token), &[&proof(&key, &orders, &token)]).await,
        ok()
    );

    let auth = gateway(true).await.unwrap();
    let orders = format!("{}/orders", serve(app(&auth)).await);
    let now = jwt_core::now();
    let theirs = proof_with(
        &key,
        "GET",
        &orders,
        Some(&token),
        now,
        Some(&provider_nonce),
    );
    let answer = get(&orders, dpop(&token), &[&theirs]).await;
    assert_eq!(
        (answer.status, &answer.challenges[0]),
        (
            401,
            &format!(r#"DPoP realm="orders", algs="{ALGS}", error="use_dpop_nonce""#)
        )
    );
    let ours = answer.nonce.expect("the gateway's DPoP-Nonce");
    assert_ne!(ours, provider_nonce);
    let with_ours = proof_with(&key, "GET", &orders, Some(&token), now, Some(&ours));
    assert_eq!(get(&orders, dpop(&token), &[&with_ours]).await, ok());
}

/// The gateway's clock in `nonces_rotate_without_a_refusal`: set by the test.
static CLOCK: AtomicU64 = AtomicU64::new(0);

/// With server nonces, the answer to a proof carrying the previous period's nonce (still
/// accepted) brings the current one in `DPoP-Nonce` (RFC 9449 section 8.2), so a client
/// that follows it never meets `use_dpop_nonce` when the nonce rotates; a proof with the
/// current nonce gets none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_rotate_without_a_refusal() {
    const LIFETIME: u64 = 60;
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    // The last second of a nonce period, not before the provider's clock.
    let start = jwt_core::now() / LIFETIME * LIFETIME + LIFETIME - 1;
    CLOCK.store(start, Ordering::SeqCst);
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .require_dpop_nonce(),
        )
        .dpop_nonce_lifetime(std::time::Duration::from_secs(LIFETIME))
        .clock(|| CLOCK.load(Ordering::SeqCst))
        .realm("orders")
        .build()
        .await
        .unwrap();
    let orders = format!("{}/orders", serve(app(&auth)).await);
    let key = Es256PrivateKey::from_bytes(&[0x77; 32]).unwrap();
    let token = bound_token(&idp, &key, "urn:orders").await;
    let with_nonce = |nonce: &str| {
        let now = CLOCK.load(Ordering::SeqCst);
        proof_with(&key, "GET", &orders, Some(&token), now, Some(nonce))
    };

    let first = get(&orders, dpop(&token), &[&proof(&key, &orders, &token)]).await;
    assert_eq!(first.status, 401);
    let nonce = first.nonce.expect("a DPoP-Nonce");
    assert_eq!(
        get(&orders, dpop(&token), &[&with_nonce(&nonce)]).await,
        ok()
    );

    // The next period: the previous nonce is accepted, and the answer brings the new one.
    CLOCK.store(start + 1, Ordering::SeqCst);
    let rotated = get(&orders, dpop(&token), &[&with_nonce(&nonce)]).await;
    let next = rotated
        .nonce
        .clone()
        .expect("the current nonce with the answer");
    assert_ne!(next, nonce);
    assert_eq!(
        rotated,
        Answer {
            nonce: Some(next.clone()),
            ..ok()
        }
    );
    assert_eq!(
        get(&orders, dpop(&token), &[&with_nonce(&next)]).await,
        ok()
    );
    // A period later the old nonce is refused; the new one still works.
    CLOCK.store(start + 1 + LIFETIME, Ordering::SeqCst);
    let stale = get(&orders, dpop(&token), &[&with_nonce(&nonce)]).await;
    assert_eq!((stale.status, stale.nonce.is_some()), (401, true));
    assert_eq!(
        get(&orders, dpop(&token), &[&with_nonce(&next)])
            .await
            .status,
        200
    );
}

/// A DPoP request lacking a scope the route needs gets 403 `insufficient_scope` in the
/// DPoP challenge, with the algorithms (RFC 9449 section 7.1), not in a Bearer one; a
/// bearer request still gets the Bearer challenge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_is_answered_in_the_scheme_the_request_used() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(Provider::discover(&idp.issuer).audience(AUDIENCE))
        .realm("gateway")
        .build()
        .await
        .unwrap();
    let admin = format!("{}/admin", serve(app(&auth)).await);
    let key = Es256PrivateKey::from_bytes(&[0x88; 32]).unwrap();
    let token = bound_token(&idp, &key, "urn:orders").await;
    let answer = get(&admin, dpop(&token), &[&proof(&key, &admin, &token)]).await;
    let scope = r#"error="insufficient_scope", scope="orders:admin""#;
    assert_eq!(
        (answer.status, answer.challenges),
        (
            403,
            vec![format!(r#"DPoP realm="orders", algs="{ALGS}", {scope}"#)]
        )
    );
    let plain = idp.token("urn:orders", "orders:read").await;
    let answer = get(&admin, bearer(&plain), &[]).await;
    assert_eq!(
        (answer.status, answer.challenges),
        (403, vec![format!(r#"Bearer realm="orders", {scope}"#)])
    );
}

/// With room for one unexpired `jti`, the second proof is refused (503, counted) rather
/// than the first one forgotten; the first stays refused as a replay.
#[tokio::test(flavor = "current_thread")]
async fn a_full_replay_store_refuses_new_proofs() {
    use tower::ServiceExt;

    const JWK: &str = r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}"#;
    let issuer = "https://idp.example";
    let jwks = format!(r#"{{"keys":[{JWK}]}}"#);
    let signer = Hs256Key::from_jwk(&jwt_core::Jwk::parse(JWK.as_bytes()).unwrap()).unwrap();
    let key = Es256PrivateKey::from_bytes(&[0x55; 32]).unwrap();
    let claims = json!({
        "iss": issuer, "exp": jwt_core::now() + 300, "client_id": "app",
        "cnf": {"jkt": dpop::thumbprint(&key).unwrap().as_str()},
    });
    let header = jwt_core::HeaderFields::new().kid("k");
    let token = jwt_core::sign_to_string(&signer, &header, &claims).unwrap();
    let auth = Authenticator::<Access>::builder()
        .provider(Provider::with_jwks(issuer, jwks.as_bytes()).jwt())
        .replay_store(MemoryReplayStore::new(1))
        .public_origin("https://api.example")
        .build()
        .await
        .unwrap();
    let app = axum::Router::new()
        .route("/orders", axum::routing::get(|| async { "orders" }))
        .layer(auth.layer());
    let uri = "https://api.example/orders";
    let send = |proof: String| {
        let request = http::Request::get("/orders")
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .body(axum::body::Body::empty())
            .unwrap();
        let app = app.clone();
        async move { app.oneshot(request).await.unwrap().status().as_u16() }
    };
    let first = proof(&key, uri, &token);
    assert_eq!(send(first.clone()).await, 200);
    assert_eq!(send(proof(&key, uri, &token)).await, 503);
    assert_eq!(send(first).await, 401);
    let metrics = auth.metrics();
    assert_eq!((metrics.replay_store_full, metrics.dpop_replays), (1, 1));
}
