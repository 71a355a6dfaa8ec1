//! Property tests: sign then verify gives back equal claims for arbitrary claims with every
//! algorithm; base64url agrees with base64ct (reference) and refuses non-canonical input;
//! no byte string makes verification panic.
#![cfg(all(feature = "hs256", feature = "es256", feature = "rs256"))]

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{HeaderFields, SigningKey, Validation, VerifyingKey};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Claims {
    sub: String,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    nbf: Option<u64>,
    aud: Vec<String>,
    score: i64,
    ratio: f64,
    flag: bool,
    tags: Vec<String>,
    nested: Inner,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Inner {
    name: String,
    list: Vec<u32>,
}

fn any_text() -> impl Strategy<Value = String> {
    // Any Unicode, weighted towards the characters JSON must escape.
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just('"'),
                Just('\\'),
                Just('/'),
                Just('\n'),
                Just('\u{0}'),
                Just('\u{1f}'),
                Just('é'),
                Just('😀'),
                Just('\u{2028}'),
                any::<char>()
            ],
            0..24
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

fn any_claims() -> impl Strategy<Value = Claims> {
    (
        any_text(),
        1_800_000_001u64..i64::MAX as u64,
        proptest::option::of(0u64..1_800_000_000),
        proptest::collection::vec(any_text(), 0..3),
        any::<i64>(),
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        any::<bool>(),
        proptest::collection::vec(any_text(), 0..4),
        (any_text(), proptest::collection::vec(any::<u32>(), 0..5)),
    )
        .prop_map(
            |(sub, exp, nbf, mut aud, score, ratio, flag, tags, (name, list))| {
                aud.push("api".into());
                Claims {
                    sub,
                    exp,
                    nbf,
                    aud,
                    score,
                    ratio,
                    flag,
                    tags,
                    nested: Inner { name, list },
                }
            },
        )
}

fn round_trip(signer: &impl SigningKey, verifier: &impl VerifyingKey, claims: &Claims, kid: &str) {
    let fields = HeaderFields::new().kid(kid);
    let token = jwt_core::sign_to_string(signer, &fields, claims).unwrap();
    let policy = Validation::new().audiences(&["api"]);
    let back: Claims = jwt_core::verify_owned(&token, verifier, &policy, common::NOW).unwrap();
    assert_eq!(&back, claims);
    // The no-alloc path agrees, with a buffer of the token's length.
    let mut buf = vec![0u8; token.len()];
    let again: Claims = jwt_core::verify(&token, verifier, &policy, common::NOW, &mut buf).unwrap();
    assert_eq!(&again, claims);
    let mut header = vec![0u8; token.len()];
    assert!(
        jwt_core::decode_header(&token, &mut header)
            .unwrap()
            .kid
            .unwrap()
            == kid
    );
}

proptest! {
    #[test]
    fn hs256_sign_verify_round_trip(claims in any_claims(), kid in any_text()) {
        let key = common::hs256();
        round_trip(&key, &key, &claims, &kid);
    }

    #[test]
    fn es256_sign_verify_round_trip(claims in any_claims(), kid in any_text()) {
        let (private, public) = common::es256();
        round_trip(&private, &public, &claims, &kid);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn rs256_sign_verify_round_trip(claims in any_claims(), kid in any_text()) {
        let (private, public) = common::rs256();
        round_trip(&private, &public, &claims, &kid);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn base64url_agrees_with_the_reference(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let reference = Base64UrlUnpadded::encode_string(&bytes);
        let mut ours = vec![0u8; jwt_core::base64url::encoded_len(bytes.len())];
        let n = jwt_core::base64url::encode(&bytes, &mut ours).unwrap();
        prop_assert_eq!(&ours[..n], reference.as_bytes());
        let mut decoded = vec![0u8; bytes.len()];
        let m = jwt_core::base64url::decode(reference.as_bytes(), &mut decoded).unwrap();
        prop_assert_eq!(&decoded[..m], &bytes[..]);
    }

    #[test]
    fn base64url_accepts_exactly_what_the_reference_accepts(text in "[A-Za-z0-9_=+/ .-]{0,12}") {
        let reference = Base64UrlUnpadded::decode_vec(&text);
        let mut ours = [0u8; 16];
        let result = jwt_core::base64url::decode(text.as_bytes(), &mut ours);
        match reference {
            Ok(bytes) => prop_assert_eq!(&ours[..result.unwrap()], &bytes[..]),
            Err(_) => prop_assert!(result.is_err()),
        }
    }

    #[test]
    fn arbitrary_tokens_never_panic(token in "[A-Za-z0-9_.=-]{0,160}") {
        let mut buf = [0u8; 256];
        let key = common::hs256();
        let _ = jwt_core::verify::<Claims, _>(&token, &key, &Validation::new(), 0, &mut buf);
        let _ = jwt_core::decode_header(&token, &mut buf);
    }

    #[test]
    fn arbitrary_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..120)) {
        // Signed, so the payload reaches the JSON scanner and validation.
        let text = String::from_utf8_lossy(&payload);
        let token = common::hs256_token(r#"{"alg":"HS256"}"#, &text);
        let mut buf = [0u8; 512];
        let _ = jwt_core::verify::<Claims, _>(&token, &common::hs256(), &Validation::new(), 0, &mut buf);
        let _ = Validation::new().validate(&payload, 0);
    }
}
