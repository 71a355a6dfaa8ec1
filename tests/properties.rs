//! Property tests: sign then verify gives back equal claims for arbitrary claims with every
//! algorithm; base64url agrees with base64ct (reference) and refuses non-canonical input;
//! no byte string makes verification panic.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa"))]

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

/// The RS256 keys of Wycheproof's sig-gen suites with e = 65537 and SHA-256, one per size
/// that jwt-core verifies with fixed-size arithmetic (2048, 3072, 4096 bits), as (private
/// key, the `rsa` crate's verifier for the same public key).
fn fixed_size_rsa_keys() -> Vec<(
    jwt_core::Rs256PrivateKey,
    rsa::pkcs1v15::VerifyingKey<sha2::Sha256>,
)> {
    use rsa::pkcs8::DecodePrivateKey;
    [2048, 3072, 4096]
        .iter()
        .map(|bits| {
            let file = common::data(&format!("wycheproof/rsa_pkcs1_{bits}_sig_gen_test.json"));
            let doc: serde_json::Value = serde_json::from_slice(&file).unwrap();
            let group = doc["testGroups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["sha"] == "SHA-256" && g["privateKey"]["publicExponent"] == "010001")
                .expect("an e = 65537 SHA-256 group");
            let der: Vec<u8> = (0..group["privateKeyPkcs8"].as_str().unwrap().len())
                .step_by(2)
                .map(|i| {
                    u8::from_str_radix(&group["privateKeyPkcs8"].as_str().unwrap()[i..i + 2], 16)
                        .unwrap()
                })
                .collect();
            let ours = jwt_core::Rs256PrivateKey::from_pkcs8_der(&der).unwrap();
            let theirs = rsa::RsaPrivateKey::from_pkcs8_der(&der)
                .unwrap()
                .to_public_key();
            (ours, rsa::pkcs1v15::VerifyingKey::new(theirs))
        })
        .collect()
}

/// How a property test corrupts a valid signature.
#[derive(Debug, Clone)]
enum Corruption {
    None,
    FlipBit(usize, u8),
    SetByte(usize, u8),
    AllFf,
    Zero,
    Random(Vec<u8>),
}

fn any_corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        2 => Just(Corruption::None),
        3 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Corruption::FlipBit(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Corruption::SetByte(i, v)),
        1 => Just(Corruption::AllFf),
        1 => Just(Corruption::Zero),
        1 => proptest::collection::vec(any::<u8>(), 512).prop_map(Corruption::Random),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The fixed-size RS256 verification agrees with the `rsa` crate's on every key size it
    /// covers, for valid signatures and corrupted ones (including values at or above n).
    #[test]
    fn rs256_fixed_size_verification_agrees_with_the_rsa_crate(
        message in proptest::collection::vec(any::<u8>(), 0..300),
        corruption in any_corruption(),
        key_index in 0usize..3,
    ) {
        use rsa::signature::Verifier;
        thread_local! {
            static KEYS: Vec<(jwt_core::Rs256PrivateKey, rsa::pkcs1v15::VerifyingKey<sha2::Sha256>)> =
                fixed_size_rsa_keys();
        }
        KEYS.with(|keys| {
            let (private, theirs) = &keys[key_index];
            let ours = private.public_key();
            let mut signature = vec![0u8; ours.modulus_len()];
            private.sign_signature(&message, &mut signature).unwrap();
            let k = signature.len();
            match &corruption {
                Corruption::None => {}
                Corruption::FlipBit(i, b) => signature[i % k] ^= 1 << b,
                Corruption::SetByte(i, v) => signature[i % k] = *v,
                Corruption::AllFf => signature.fill(0xFF),
                Corruption::Zero => signature.fill(0),
                Corruption::Random(bytes) => signature.copy_from_slice(&bytes[..k.min(bytes.len())]),
            }
            let their_verdict = rsa::pkcs1v15::Signature::try_from(signature.as_slice())
                .is_ok_and(|s| theirs.verify(&message, &s).is_ok());
            let our_verdict = ours.verify_signature(&message, &signature).is_ok();
            prop_assert_eq!(our_verdict, their_verdict, "{:?}", corruption);
            if matches!(corruption, Corruption::None) {
                prop_assert!(our_verdict);
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The table-driven ES256 verification agrees with p256's own `VerifyingKey::verify` on
    /// random keys and messages, for valid signatures, their malleated twins `(r, n - s)`,
    /// corrupted ones, other messages and other keys.
    #[test]
    fn es256_verification_agrees_with_p256(
        scalar in any::<[u8; 32]>(),
        other_scalar in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..200),
        corruption in any_corruption(),
        variant in 0u8..4,
    ) {
        use p256::ecdsa::signature::Verifier;
        let (Ok(private), Ok(other)) = (
            jwt_core::Es256PrivateKey::from_bytes(&scalar),
            jwt_core::Es256PrivateKey::from_bytes(&other_scalar),
        ) else {
            return Ok(());
        };
        let mut signature = [0u8; 64];
        private.sign_signature(&message, &mut signature).unwrap();
        let mut checked_message = message.clone();
        let mut key = private.public_key();
        match variant {
            // (r, n - s): the other valid signature of the same message.
            1 => {
                let theirs = p256::ecdsa::Signature::from_slice(&signature).unwrap();
                let (r, s) = theirs.split_scalars();
                let flipped = p256::ecdsa::Signature::from_scalars(*r, -*s).unwrap();
                signature.copy_from_slice(&flipped.to_bytes());
            }
            2 => checked_message.push(0),
            3 => key = other.public_key(),
            _ => {}
        }
        match &corruption {
            Corruption::None => {}
            Corruption::FlipBit(i, b) => signature[i % 64] ^= 1 << b,
            Corruption::SetByte(i, v) => signature[i % 64] = *v,
            Corruption::AllFf => signature.fill(0xFF),
            Corruption::Zero => signature.fill(0),
            Corruption::Random(bytes) => signature.copy_from_slice(&bytes[..64]),
        }
        let theirs = p256::ecdsa::VerifyingKey::from_sec1_bytes(&key.to_sec1_bytes()).unwrap();
        let their_verdict = p256::ecdsa::Signature::from_slice(&signature)
            .is_ok_and(|s| theirs.verify(&checked_message, &s).is_ok());
        let our_verdict = key.verify_signature(&checked_message, &signature).is_ok();
        prop_assert_eq!(our_verdict, their_verdict, "{:?} variant {}", corruption, variant);
        if matches!(corruption, Corruption::None) {
            prop_assert_eq!(our_verdict, variant <= 1);
        }
    }
}
