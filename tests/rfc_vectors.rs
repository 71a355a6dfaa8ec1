//! RFC 7515 Appendix A, RFC 7519 section 3.1 and RFC 7520 section 4 examples
//! (tests/data, copied from their upstream sources with their licenses).
#![cfg(all(feature = "hs256", feature = "es256", feature = "rs256"))]

mod common;

use common::{data, unb64};
use jwt_core::{
    Error, Es256PrivateKey, Es256PublicKey, Hs256Key, Rs256PublicKey, Validation, VerifyingKey,
};
use serde::Deserialize;
use serde_json::Value;

/// The claims of every RFC 7515 Appendix A example.
#[derive(Deserialize, Debug, PartialEq)]
struct RfcClaims<'a> {
    iss: &'a str,
    exp: u64,
    #[serde(rename = "http://example.com/is_root")]
    is_root: bool,
}

const EXP: u64 = 1_300_819_380;

fn str_member<'a>(jwk: &'a Value, name: &str) -> &'a str {
    jwk[name]
        .as_str()
        .unwrap_or_else(|| panic!("JWK member {name}"))
}

fn check_vector<K: VerifyingKey>(vector: &Value, key: &K) {
    let token = vector["token"].as_str().unwrap();
    let name = vector["name"].as_str().unwrap();
    let mut buf = vec![0u8; token.len()];
    let policy = Validation::new().leeway(0);

    // The JWS payload is exactly the RFC's octets (CRLF and spaces included).
    let payload = jwt_core::verify_jws(token, key, &mut buf).unwrap();
    assert_eq!(
        payload,
        vector["payload_json"].as_str().unwrap().as_bytes(),
        "{name}"
    );

    // As a JWT: valid one second before `exp`, expired at `exp` (fixed clock).
    let claims: RfcClaims = jwt_core::verify(token, key, &policy, EXP - 1, &mut buf).unwrap();
    assert_eq!(
        claims,
        RfcClaims {
            iss: "joe",
            exp: EXP,
            is_root: true
        },
        "{name}"
    );
    let expired = jwt_core::verify::<RfcClaims, _>(token, key, &policy, EXP, &mut buf);
    assert_eq!(expired.unwrap_err(), Error::Expired, "{name}");

    // One flipped signature bit is refused.
    let mut sig = unb64(token.rsplit('.').next().unwrap());
    sig[0] ^= 0x01;
    let tampered = common::with_signature(token, &sig);
    assert_eq!(
        jwt_core::verify_jws(&tampered, key, &mut buf).unwrap_err(),
        Error::InvalidSignature
    );
}

fn rfc7515() -> Vec<Value> {
    let file: Value = serde_json::from_slice(&data("rfc7515_appendix_a.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

#[test]
fn rfc7515_appendix_a_and_rfc7519_3_1() {
    let vectors = rfc7515();
    assert_eq!(vectors.len(), 4, "vector count");
    for vector in &vectors {
        let jwk = &vector["jwk"];
        match vector["alg"].as_str().unwrap() {
            "HS256" => {
                let key = Hs256Key::new(&unb64(str_member(jwk, "k"))).unwrap();
                check_vector(vector, &key);
            }
            "RS256" => {
                let key = Rs256PublicKey::from_components(
                    &unb64(str_member(jwk, "n")),
                    &unb64(str_member(jwk, "e")),
                )
                .unwrap();
                check_vector(vector, &key);
            }
            "ES256" => {
                let x: [u8; 32] = unb64(str_member(jwk, "x")).try_into().unwrap();
                let y: [u8; 32] = unb64(str_member(jwk, "y")).try_into().unwrap();
                let key = Es256PublicKey::from_coordinates(&x, &y).unwrap();
                check_vector(vector, &key);
                // The RFC's private scalar is the same key: d * G == (x, y).
                let d: [u8; 32] = unb64(str_member(jwk, "d")).try_into().unwrap();
                assert_eq!(Es256PrivateKey::from_bytes(&d).unwrap().public_key(), key);
            }
            other => panic!("unexpected alg {other}"),
        }
    }
}

#[test]
fn rfc7515_tokens_are_refused_under_the_wrong_algorithm() {
    // V-A1/V-A2: the key decides the algorithm; A.2 (RS256) checked with the A.1 HMAC key.
    let vectors = rfc7515();
    let hmac = Hs256Key::new(&unb64(str_member(&vectors[0]["jwk"], "k"))).unwrap();
    let rs256_token = vectors[1]["token"].as_str().unwrap();
    let es256_token = vectors[2]["token"].as_str().unwrap();
    let mut buf = [0u8; 1024];
    for token in [rs256_token, es256_token] {
        assert_eq!(
            jwt_core::verify_jws(token, &hmac, &mut buf).unwrap_err(),
            Error::AlgorithmMismatch
        );
    }
}

fn rfc7520(name: &str) -> (Value, String) {
    let example: Value = serde_json::from_slice(&data(&format!("rfc7520/jws/{name}"))).unwrap();
    let compact = example["output"]["compact"].as_str().unwrap().to_owned();
    (example, compact)
}

#[test]
fn rfc7520_4_1_rs256_is_accepted() {
    let (example, token) = rfc7520("4_1.rsa_v15_signature.json");
    let jwk: Value = serde_json::from_slice(&data("rfc7520/jwk/3_3.rsa_public_key.json")).unwrap();
    assert_eq!(jwk, {
        let mut k = example["input"]["key"].clone();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            k.as_object_mut().unwrap().remove(private);
        }
        k
    });
    let key = Rs256PublicKey::from_components(
        &unb64(str_member(&jwk, "n")),
        &unb64(str_member(&jwk, "e")),
    )
    .unwrap();
    let mut buf = vec![0u8; token.len()];
    let payload = jwt_core::verify_jws(&token, &key, &mut buf).unwrap();
    assert_eq!(
        payload,
        example["input"]["payload"].as_str().unwrap().as_bytes()
    );
    let mut header = [0u8; 128];
    let header = jwt_core::decode_header(&token, &mut header).unwrap();
    assert!(header.kid.unwrap() == "bilbo.baggins@hobbiton.example");
}

#[test]
fn rfc7520_4_4_hs256_is_accepted() {
    let (example, token) = rfc7520("4_4.hmac-sha2_integrity_protection.json");
    let jwk: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_5.symmetric_key_mac_computation.json"))
            .unwrap();
    let key = Hs256Key::new(&unb64(str_member(&jwk, "k"))).unwrap();
    let mut buf = vec![0u8; token.len()];
    let payload = jwt_core::verify_jws(&token, &key, &mut buf).unwrap();
    assert_eq!(
        payload,
        example["input"]["payload"].as_str().unwrap().as_bytes()
    );
    // The payload is text, not a claims set: as a JWT it is refused after the signature.
    let err = jwt_core::verify::<RfcClaims, _>(&token, &key, &Validation::new(), 0, &mut buf);
    assert_eq!(err.unwrap_err(), Error::Json);
}

#[test]
fn rfc7520_4_3_es512_is_refused_as_unsupported() {
    let (_, token) = rfc7520("4_3.ecdsa_signature.json");
    let (_, key) = common::es256();
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        jwt_core::verify_jws(&token, &key, &mut buf).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
}

#[test]
fn rfc7520_4_5_detached_content_is_refused() {
    // Detached content is not supported: the empty payload segment is taken as an empty
    // message, which the signature (made over the real payload) does not cover.
    let (_, token) = rfc7520("4_5.signature_with_detached_content.json");
    let jwk: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_5.symmetric_key_mac_computation.json"))
            .unwrap();
    let key = Hs256Key::new(&unb64(str_member(&jwk, "k"))).unwrap();
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        jwt_core::verify_jws(&token, &key, &mut buf).unwrap_err(),
        Error::InvalidSignature
    );
}

/// ES256 signing is deterministic (RFC 6979): the token jwt-core signs equals, byte for
/// byte, the one Python's `cryptography` signs with `deterministic_signing=True` for the same
/// key, header and claims (footprint/tokens/generate.py; the firmware binary `es256-sign`
/// checks the same token on a Cortex-M).
#[test]
fn es256_signing_matches_an_independent_rfc6979_implementation() {
    #[derive(serde::Serialize)]
    struct DeviceClaims<'a> {
        iss: &'a str,
        sub: &'a str,
        aud: &'a str,
        exp: u64,
        nbf: u64,
        iat: u64,
        scope: &'a str,
    }
    let scalar: [u8; 32] = data("keys/p256.scalar").try_into().unwrap();
    let key = jwt_core::Es256PrivateKey::from_bytes(&scalar).unwrap();
    let claims = DeviceClaims {
        iss: "https://auth.example.com",
        sub: "device-0042",
        aud: "https://fw.example.com",
        exp: 2_000_000_000,
        nbf: 1_700_000_000,
        iat: 1_700_000_000,
        scope: "firmware:update telemetry:write",
    };
    let token =
        jwt_core::sign_to_string(&key, &jwt_core::HeaderFields::new().kid("fw-2026"), &claims)
            .unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("footprint/tokens/es256-deterministic.jwt");
    assert_eq!(token, std::fs::read_to_string(path).unwrap());
}
