//! Every asymmetric algorithm node-oidc-provider signs access tokens with (PS256, PS384,
//! PS512, RS256, RS384, RS512, ES256, ES384, ES512, EdDSA), each token verified through the
//! layer with the keys found by discovery, and altered tokens refused. The provider publishes
//! its RSA and Ed25519 keys without `alg`: the RSA one verifies RS256 alone unless the
//! provider is configured with the other algorithms
//! ([`Provider::assume_algorithms`](jwt_core_tower::Provider::assume_algorithms)).
//!
//! ES256K is not here: node-oidc-provider 9 signs with no secp256k1 key (its signing
//! algorithms stop at ES512, and a secp256k1 key in its key set stops it from starting).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Access, Idp, app, client, get_with, node_ready, serve};
use jwt_core::Algorithm;
use jwt_core_tower::{Authenticator, Provider};
use serde_json::Value;

const AUDIENCE: &str = "urn:orders";

/// Each algorithm the provider signs access tokens with, and the key (by its `kid` before
/// the generation) that signs them: `tests/provider/provider.mjs`.
const SIGNED: [(&str, &str); 10] = [
    ("PS256", "rsa"),
    ("PS384", "rsa"),
    ("PS512", "rsa"),
    ("RS256", "rsa"),
    ("RS384", "rsa"),
    ("RS512", "rsa"),
    ("ES256", "es256"),
    ("ES384", "es384"),
    ("ES512", "es512"),
    ("EdDSA", "ed25519"),
];

/// What the provider's alg-less RSA key is trusted to verify.
const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
];

/// The three segments of a compact JWS.
fn segments(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    parts.try_into().unwrap()
}

/// The decoded JSON of a token's header.
fn header(token: &str) -> Value {
    let json = Base64UrlUnpadded::decode_vec(segments(token)[0]).unwrap();
    serde_json::from_slice(&json).unwrap()
}

/// A token from the provider signed with `alg`, checked to say so in its header, with the
/// `kid` of the key that signed it.
async fn token(idp: &Idp, alg: &str) -> (String, String) {
    let token = idp
        .token(&format!("urn:orders:alg:{alg}"), "orders:read")
        .await;
    let header = header(&token);
    assert_eq!(header["alg"], alg, "{header}");
    assert_eq!(header["typ"], "at+jwt", "{header}");
    let kid = header["kid"].as_str().unwrap().to_string();
    (token, kid)
}

/// `token` with its payload's `from` replaced by `to`: same header, same signature.
fn forged(token: &str, from: &str, to: &str) -> String {
    let [header, payload, signature] = segments(token);
    let payload = Base64UrlUnpadded::decode_vec(payload).unwrap();
    let payload = String::from_utf8(payload).unwrap().replace(from, to);
    assert!(payload.contains(to));
    let payload = Base64UrlUnpadded::encode_string(payload.as_bytes());
    format!("{header}.{payload}.{signature}")
}

/// `token` with a header naming `alg` instead (same `kid`), and its payload and signature.
fn relabelled(token: &str, alg: &str, kid: &str) -> String {
    let [_, payload, signature] = segments(token);
    let header = format!(r#"{{"alg":"{alg}","typ":"at+jwt","kid":"{kid}"}}"#);
    let header = Base64UrlUnpadded::encode_string(header.as_bytes());
    format!("{header}.{payload}.{signature}")
}

/// `token` carrying the signature of `other` (made with another algorithm's key).
fn resigned(token: &str, other: &str) -> String {
    let [header, payload, _] = segments(token);
    format!("{header}.{payload}.{}", segments(other)[2])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_algorithm_the_provider_signs_with_verifies_and_altered_tokens_are_refused() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let auth = Authenticator::<Access>::builder()
        .provider(
            Provider::discover(&idp.issuer)
                .audience(AUDIENCE)
                .assume_algorithms(&RSA_ALGORITHMS),
        )
        .token_cache(1000)
        .realm("orders")
        .build()
        .await
        .unwrap();
    let orders = format!("{}/orders", serve(app(&auth)).await);
    let accepted = (200, String::new(), "orders for app".to_string());
    let refused = (
        401,
        r#"Bearer realm="orders", error="invalid_token""#.to_string(),
        String::new(),
    );

    let mut tokens = Vec::new();
    for (alg, signer) in SIGNED {
        let (token, kid) = token(&idp, alg).await;
        assert_eq!(kid, format!("{signer}-1"), "{alg}");
        assert_eq!(get_with(&orders, Some(&token)).await, accepted, "{alg}");
        tokens.push((alg, token, kid));
    }
    // The second use of each is a cache hit.
    for (alg, token, _) in &tokens {
        assert_eq!(get_with(&orders, Some(token)).await, accepted, "{alg}");
    }
    let metrics = auth.metrics();
    assert_eq!(
        (metrics.token_cache_misses, metrics.token_cache_hits),
        (10, 10)
    );
    assert_eq!(metrics.refused, 0);

    let mut refusals = 0;
    for (alg, token, kid) in &tokens {
        let forged = forged(token, r#""sub":"app""#, r#""sub":"admin""#);
        assert_eq!(
            get_with(&orders, Some(&forged)).await,
            refused,
            "{alg} forged"
        );
        refusals += 1;
        // The header names another algorithm for the same key: a PS256 signature read as
        // RS256 or PS384 by the same RSA key, an ES256 one as ES384, any as HS256.
        for (other, _) in SIGNED.iter().filter(|(other, _)| other != alg) {
            let relabelled = relabelled(token, other, kid);
            assert_eq!(
                get_with(&orders, Some(&relabelled)).await,
                refused,
                "{alg} token relabelled {other}"
            );
            refusals += 1;
        }
        let hs256 = relabelled(token, "HS256", kid);
        assert_eq!(
            get_with(&orders, Some(&hs256)).await,
            refused,
            "{alg} as HS256"
        );
        refusals += 1;
        // The signature the provider made with another algorithm's key.
        for (other, other_token, _) in tokens.iter().filter(|(other, ..)| other != alg) {
            let resigned = resigned(token, other_token);
            assert_eq!(
                get_with(&orders, Some(&resigned)).await,
                refused,
                "{alg} token with the {other} signature"
            );
            refusals += 1;
        }
    }
    assert_eq!(refusals, 10 * (1 + 9 + 1 + 9));
    assert_eq!(auth.metrics().refused, refusals);
    // The genuine tokens are still accepted after all that.
    for (alg, token, _) in &tokens {
        assert_eq!(get_with(&orders, Some(token)).await, accepted, "{alg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_alg_less_rsa_key_verifies_rs256_alone_by_default() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;

    // What the provider publishes: EC keys with the one algorithm their curve allows, its
    // RSA and Ed25519 keys without `alg` (it signs with each under several).
    let jwks = client()
        .get(format!("{}/jwks", idp.issuer))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let jwks: Value = serde_json::from_slice(&jwks).unwrap();
    let published = |kid: &str| {
        let key = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|key| key["kid"] == kid)
            .unwrap_or_else(|| panic!("{kid} in {jwks}"));
        key.get("alg").map(|alg| alg.as_str().unwrap().to_string())
    };
    assert_eq!(published("rsa-1"), None);
    assert_eq!(published("ed25519-1"), None);
    assert_eq!(published("es384-1").as_deref(), Some("ES384"));
    assert_eq!(published("es512-1").as_deref(), Some("ES512"));

    let auth = Authenticator::<Access>::builder()
        .provider(Provider::discover(&idp.issuer).audience(AUDIENCE))
        .build()
        .await
        .unwrap();
    let orders = format!("{}/orders", serve(app(&auth)).await);
    for (alg, _) in SIGNED {
        let (token, _) = token(&idp, alg).await;
        let (status, challenge, _) = get_with(&orders, Some(&token)).await;
        let expected = match alg {
            "PS256" | "PS384" | "PS512" | "RS384" | "RS512" => 401,
            _ => 200,
        };
        assert_eq!(status, expected, "{alg}: {challenge}");
    }
}
