//! Property tests: sign then verify gives back equal claims for arbitrary claims with every
//! algorithm; every algorithm's verification agrees with its RustCrypto crate (rsa, p256,
//! p384, p521, k256, ed25519-dalek) on random keys, messages and corrupted signatures;
//! base64url agrees with base64ct (reference) and refuses non-canonical input; no byte string
//! makes verification panic.
#![cfg(all(
    feature = "hmac-sha512",
    feature = "std",
    feature = "hmac",
    feature = "hmac-sha512",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]

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
    #[test]
    fn hs384_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        secret in proptest::collection::vec(any::<u8>(), 48..112),
    ) {
        let key = jwt_core::Hs384Key::new(&secret).unwrap();
        round_trip(&key, &key, &claims, &kid);
    }

    #[test]
    fn hs512_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        secret in proptest::collection::vec(any::<u8>(), 64..144),
    ) {
        let key = jwt_core::Hs512Key::new(&secret).unwrap();
        round_trip(&key, &key, &claims, &kid);
    }

    #[test]
    fn es256k_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        scalar in any::<[u8; 32]>(),
    ) {
        let Ok(private) = jwt_core::Es256kPrivateKey::from_bytes(&scalar) else {
            return Ok(());
        };
        round_trip(&private, &private.public_key(), &claims, &kid);
    }

    #[test]
    fn eddsa_sign_verify_round_trip(claims in any_claims(), kid in any_text(), seed in any::<[u8; 32]>()) {
        let private = jwt_core::Ed25519PrivateKey::from_bytes(&seed);
        round_trip(&private, &private.public_key(), &claims, &kid);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rs384_sign_verify_round_trip(claims in any_claims(), kid in any_text(), key_index in 0usize..RSA_TEST_KEY_BITS.len()) {
        let private = jwt_core::Rs384PrivateKey::from_pkcs8_der(&rsa_test_keys()[key_index]).unwrap();
        round_trip(&private, &private.public_key(), &claims, &kid);
    }

    #[test]
    fn rs512_sign_verify_round_trip(claims in any_claims(), kid in any_text(), key_index in 0usize..RSA_TEST_KEY_BITS.len()) {
        let private = jwt_core::Rs512PrivateKey::from_pkcs8_der(&rsa_test_keys()[key_index]).unwrap();
        round_trip(&private, &private.public_key(), &claims, &kid);
    }

    /// PS* signing with the OS generator and with a caller's (`with_rng`).
    #[test]
    fn ps256_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        key_index in 0usize..RSA_TEST_KEY_BITS.len(),
        callers_rng in any::<bool>(),
    ) {
        let private = jwt_core::Ps256PrivateKey::from_pkcs8_der(&rsa_test_keys()[key_index]).unwrap();
        pss_round_trip(&private, callers_rng, &claims, &kid);
    }

    #[test]
    fn ps384_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        key_index in 0usize..RSA_TEST_KEY_BITS.len(),
        callers_rng in any::<bool>(),
    ) {
        let private = jwt_core::Ps384PrivateKey::from_pkcs8_der(&rsa_test_keys()[key_index]).unwrap();
        pss_round_trip(&private, callers_rng, &claims, &kid);
    }

    #[test]
    fn ps512_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        key_index in 0usize..RSA_TEST_KEY_BITS.len(),
        callers_rng in any::<bool>(),
    ) {
        let private = jwt_core::Ps512PrivateKey::from_pkcs8_der(&rsa_test_keys()[key_index]).unwrap();
        pss_round_trip(&private, callers_rng, &claims, &kid);
    }
}

proptest! {
    // P-384 and P-521 cost a few milliseconds per key, signature and verification.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn es384_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        scalar in proptest::collection::vec(any::<u8>(), 48),
    ) {
        let Ok(private) = jwt_core::Es384PrivateKey::from_bytes(&scalar) else {
            return Ok(());
        };
        round_trip(&private, &private.public_key(), &claims, &kid);
    }

    #[test]
    fn es512_sign_verify_round_trip(
        claims in any_claims(),
        kid in any_text(),
        scalar in p521_scalar(),
    ) {
        let Ok(private) = jwt_core::Es512PrivateKey::from_bytes(&scalar) else {
            return Ok(());
        };
        round_trip(&private, &private.public_key(), &claims, &kid);
    }
}

fn pss_round_trip<H>(
    private: &jwt_core::RsaPrivateKey<jwt_core::Pss<H>>,
    callers_rng: bool,
    claims: &Claims,
    kid: &str,
) where
    jwt_core::Pss<H>: jwt_core::RsaScheme,
{
    if callers_rng {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        round_trip(
            &private.with_rng(&mut rng),
            &private.public_key(),
            claims,
            kid,
        );
    } else {
        round_trip(private, &private.public_key(), claims, kid);
    }
}

/// A P-521 scalar: 66 bytes whose top byte holds one bit, so most are below the group order.
fn p521_scalar() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 66).prop_map(|mut scalar| {
        scalar[0] &= 1;
        scalar
    })
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

/// The PKCS#8 DER of the e = 65537 key of Wycheproof's RSA sig-gen suite of `bits` bits.
fn wycheproof_rsa_der(bits: usize) -> Vec<u8> {
    let file = common::data(&format!("wycheproof/rsa_pkcs1_{bits}_sig_gen_test.json"));
    let doc: serde_json::Value = serde_json::from_slice(&file).unwrap();
    let group = doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["sha"] == "SHA-256" && g["privateKey"]["publicExponent"] == "010001")
        .expect("an e = 65537 SHA-256 group");
    let hex = group["privateKeyPkcs8"].as_str().unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
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
        .map(|&bits| {
            let der = wycheproof_rsa_der(bits);
            let ours = jwt_core::Rs256PrivateKey::from_pkcs8_der(&der).unwrap();
            let theirs = rsa::RsaPrivateKey::from_pkcs8_der(&der)
                .unwrap()
                .to_public_key();
            (ours, rsa::pkcs1v15::VerifyingKey::new(theirs))
        })
        .collect()
}

/// The modulus sizes of [`rsa_test_keys`], in its order.
const RSA_TEST_KEY_BITS: [usize; 6] = [2048, 3072, 4096, 2049, 2056, 3070];

/// PKCS#8 DER of the RSA keys the RS*/PS* properties run on, one per size of
/// [`RSA_TEST_KEY_BITS`]: Wycheproof's 2048, 3072 and 4096-bit sig-gen keys (jwt-core's
/// fixed-size arithmetic), and keys generated once per run: 2049 and 2056 bits (the `rsa`
/// crate's arithmetic; at 2049 bits PSS's `emLen` is one byte shorter than the modulus, at
/// 2056 it is not), and 3070 bits (the fixed-size arithmetic of 384-byte moduli, on one
/// whose top bits are zero).
fn rsa_test_keys() -> &'static [Vec<u8>] {
    use rsa::pkcs8::EncodePrivateKey;
    use rsa::traits::PublicKeyParts;
    static KEYS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        RSA_TEST_KEY_BITS
            .iter()
            .map(|&bits| {
                if [2048, 3072, 4096].contains(&bits) {
                    return wycheproof_rsa_der(bits);
                }
                let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                let key = rsa::RsaPrivateKey::new(&mut rng, bits).unwrap();
                assert_eq!(key.n().bits() as usize, bits);
                key.to_pkcs8_der().unwrap().as_bytes().to_vec()
            })
            .collect()
    })
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

impl Corruption {
    /// Applies the corruption to `signature` in place.
    fn apply(&self, signature: &mut [u8]) {
        let k = signature.len();
        match self {
            Corruption::None => {}
            Corruption::FlipBit(i, b) => signature[i % k] ^= 1 << b,
            Corruption::SetByte(i, v) => signature[i % k] = *v,
            Corruption::AllFf => signature.fill(0xFF),
            Corruption::Zero => signature.fill(0),
            Corruption::Random(bytes) => {
                let n = k.min(bytes.len());
                signature[..n].copy_from_slice(&bytes[..n]);
            }
        }
    }
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
            corruption.apply(&mut signature);
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
        // Shrinking makes the two scalars equal; "another key" must be another.
        prop_assume!(variant != 3 || other_scalar != scalar);
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
        corruption.apply(&mut signature);
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

/// `n + delta` (delta -1, 0 or 1) as `k` big-endian bytes: the signature values at the edge
/// of the range RSA verification takes.
fn modulus_plus(n: &[u8], k: usize, delta: i8) -> Vec<u8> {
    let n = &n[n.iter().take_while(|&&b| b == 0).count()..];
    let mut out = vec![0u8; k - n.len()];
    out.extend_from_slice(n);
    for byte in out.iter_mut().rev() {
        let (value, carry) = match delta {
            1 => byte.overflowing_add(1),
            -1 => byte.overflowing_sub(1),
            _ => (*byte, false),
        };
        *byte = value;
        if !carry {
            break;
        }
    }
    out
}

/// The DigestInfo prefix of `D` without the NULL parameters of its AlgorithmIdentifier: the
/// other encoding RFC 8017 section 9.2 (note 2) mentions, which JWS does not allow.
fn digest_info_without_null<D: sha2::Digest + rsa::pkcs8::AssociatedOid>() -> Box<[u8]> {
    let prefix = rsa::Pkcs1v15Sign::new::<D>().prefix;
    // 30 L 30 0d 06 09 <oid> 05 00 04 hLen
    assert_eq!(
        (prefix[2], prefix[3], prefix[15], prefix[16]),
        (0x30, 0x0d, 0x05, 0x00)
    );
    let mut out = vec![0x30, prefix[1] - 2, 0x30, 0x0b];
    out.extend_from_slice(&prefix[4..15]);
    out.extend_from_slice(&prefix[17..]);
    out.into_boxed_slice()
}

/// An RS*/PS* agreement property: jwt-core's verification of `$scheme` agrees with the `rsa`
/// crate's verifier of the same scheme (`pss::VerifyingKey<$hash>`, whose salt length is the
/// hash length, or `pkcs1v15::VerifyingKey<$hash>`) on every key of [`rsa_test_keys`].
/// Signatures (`variant`): 0 jwt-core's; 1 the `rsa` crate's; 2 the `rsa` crate's in the
/// scheme's near miss (PSS: another salt length; PKCS#1 v1.5: a DigestInfo without NULL);
/// 3 jwt-core's, checked against another message; 4 the modulus, one below or one above it.
/// Each then corrupted or not.
macro_rules! rsa_agreement {
    ($(#[$doc:meta])* $name:ident, $scheme:ty, $hash:ty, pss: $pss:literal) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            $(#[$doc])*
            #[test]
            fn $name(
                message in proptest::collection::vec(any::<u8>(), 0..300),
                corruption in any_corruption(),
                key_index in 0usize..RSA_TEST_KEY_BITS.len(),
                variant in 0u8..5,
                near_miss in 0usize..4,
            ) {
                use rsa::pkcs8::DecodePrivateKey;
                use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer, Verifier};
                use rsa::traits::PublicKeyParts;
                let der = &rsa_test_keys()[key_index];
                let private = jwt_core::RsaPrivateKey::<$scheme>::from_pkcs8_der(der).unwrap();
                let ours = private.public_key();
                let their_private = rsa::RsaPrivateKey::from_pkcs8_der(der).unwrap();
                let their_public = their_private.to_public_key();
                let k = ours.modulus_len();
                let h_len = <$hash as sha2::Digest>::output_size();
                let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                let mut signature = match variant {
                    1 if $pss => rsa::pss::SigningKey::<$hash>::new(their_private.clone())
                        .sign_with_rng(&mut rng, &message)
                        .to_vec(),
                    1 => rsa::pkcs1v15::SigningKey::<$hash>::new(their_private.clone())
                        .sign(&message)
                        .to_vec(),
                    2 if $pss => {
                        let salt_len = [0, 20, h_len - 1, h_len + 1][near_miss];
                        rsa::pss::SigningKey::<$hash>::new_with_salt_len(their_private.clone(), salt_len)
                            .sign_with_rng(&mut rng, &message)
                            .to_vec()
                    }
                    2 => {
                        let padding = rsa::Pkcs1v15Sign {
                            hash_len: Some(h_len),
                            prefix: digest_info_without_null::<$hash>(),
                        };
                        let digest = <$hash as sha2::Digest>::digest(&message);
                        their_private.sign(padding, &digest).unwrap()
                    }
                    4 => modulus_plus(&their_public.n_bytes(), k, near_miss as i8 % 3 - 1),
                    _ => {
                        let mut signature = vec![0u8; k];
                        private.sign_signature(&message, &mut signature).unwrap();
                        signature
                    }
                };
                prop_assert_eq!(signature.len(), k);
                let mut checked_message = message.clone();
                if variant == 3 {
                    checked_message.push(0);
                }
                corruption.apply(&mut signature);
                let their_verdict = if $pss {
                    let theirs = rsa::pss::VerifyingKey::<$hash>::new(their_public.clone());
                    rsa::pss::Signature::try_from(signature.as_slice())
                        .is_ok_and(|s| theirs.verify(&checked_message, &s).is_ok())
                } else {
                    let theirs = rsa::pkcs1v15::VerifyingKey::<$hash>::new(their_public.clone());
                    rsa::pkcs1v15::Signature::try_from(signature.as_slice())
                        .is_ok_and(|s| theirs.verify(&checked_message, &s).is_ok())
                };
                let our_verdict = ours.verify_signature(&checked_message, &signature).is_ok();
                let bits = RSA_TEST_KEY_BITS[key_index];
                prop_assert_eq!(
                    our_verdict,
                    their_verdict,
                    "{} bits, variant {}, near miss {}, {:?}",
                    bits,
                    variant,
                    near_miss,
                    corruption
                );
                if matches!(corruption, Corruption::None) {
                    prop_assert_eq!(our_verdict, variant <= 1, "{} bits, variant {}", bits, variant);
                }
            }
        }
    };
}

rsa_agreement!(
    /// PS256 verification agrees with the `rsa` crate's, salt length 32, on every key size.
    ps256_verification_agrees_with_the_rsa_crate,
    jwt_core::Pss<sha2::Sha256>,
    sha2::Sha256,
    pss: true
);
rsa_agreement!(
    /// PS384 verification agrees with the `rsa` crate's, salt length 48, on every key size.
    ps384_verification_agrees_with_the_rsa_crate,
    jwt_core::Pss<sha2::Sha384>,
    sha2::Sha384,
    pss: true
);
rsa_agreement!(
    /// PS512 verification agrees with the `rsa` crate's, salt length 64, on every key size.
    ps512_verification_agrees_with_the_rsa_crate,
    jwt_core::Pss<sha2::Sha512>,
    sha2::Sha512,
    pss: true
);
rsa_agreement!(
    /// RS256 verification agrees with the `rsa` crate's on every key size, the fixed-size
    /// ones and those of the `rsa` crate's arithmetic.
    rs256_verification_agrees_with_the_rsa_crate,
    jwt_core::Pkcs1v15<sha2::Sha256>,
    sha2::Sha256,
    pss: false
);
rsa_agreement!(
    /// RS384 verification agrees with the `rsa` crate's on every key size.
    rs384_verification_agrees_with_the_rsa_crate,
    jwt_core::Pkcs1v15<sha2::Sha384>,
    sha2::Sha384,
    pss: false
);
rsa_agreement!(
    /// RS512 verification agrees with the `rsa` crate's on every key size.
    rs512_verification_agrees_with_the_rsa_crate,
    jwt_core::Pkcs1v15<sha2::Sha512>,
    sha2::Sha512,
    pss: false
);

/// An ES* agreement property, as `es256_verification_agrees_with_p256` for P-256: random
/// keys and messages; valid signatures, their malleated twins `(r, n - s)`, other messages,
/// other keys; each corrupted or not. `low_s_only`: the curve's crate verifies only low `s`
/// (k256, Bitcoin's rule), which JWS does not ask for (RFC 8812 section 3.2 and RFC 7518
/// section 3.4 accept either `s`): there the verdicts are compared on the low-`s` form of
/// the signature, and jwt-core is asserted to accept the high-`s` twin the crate refuses.
macro_rules! ecdsa_agreement {
    (
        $(#[$doc:meta])* $name:ident, $private:ty, $krate:ident, $scalar:expr,
        low_s_only: $low_s_only:literal
    ) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            $(#[$doc])*
            #[test]
            fn $name(
                scalar in $scalar,
                other_scalar in $scalar,
                message in proptest::collection::vec(any::<u8>(), 0..200),
                corruption in any_corruption(),
                variant in 0u8..4,
            ) {
                use $krate::ecdsa::signature::Verifier;
                // Shrinking makes the two scalars equal; "another key" must be another.
                prop_assume!(variant != 3 || other_scalar != scalar);
                let (Ok(private), Ok(other)) = (
                    <$private>::from_bytes(&scalar),
                    <$private>::from_bytes(&other_scalar),
                ) else {
                    return Ok(());
                };
                let mut signature = vec![0u8; SigningKey::signature_len(&private)];
                private.sign_signature(&message, &mut signature).unwrap();
                let mut checked_message = message.clone();
                let mut key = private.public_key();
                match variant {
                    // (r, n - s): the other valid signature of the same message.
                    1 => {
                        let theirs = $krate::ecdsa::Signature::from_slice(&signature).unwrap();
                        let (r, s) = theirs.split_scalars();
                        let flipped = $krate::ecdsa::Signature::from_scalars(*r, -*s).unwrap();
                        signature.copy_from_slice(&flipped.to_bytes());
                    }
                    2 => checked_message.push(0),
                    3 => key = other.public_key(),
                    _ => {}
                }
                corruption.apply(&mut signature);
                let theirs = $krate::ecdsa::VerifyingKey::from_sec1_bytes(&key.to_sec1_bytes()).unwrap();
                let parsed = $krate::ecdsa::Signature::from_slice(&signature).ok();
                let their_raw_verdict = parsed
                    .as_ref()
                    .is_some_and(|s| theirs.verify(&checked_message, s).is_ok());
                let their_verdict = if $low_s_only {
                    parsed
                        .as_ref()
                        .is_some_and(|s| theirs.verify(&checked_message, &s.normalize_s()).is_ok())
                } else {
                    their_raw_verdict
                };
                let our_verdict = key.verify_signature(&checked_message, &signature).is_ok();
                prop_assert_eq!(our_verdict, their_verdict, "{:?} variant {}", corruption, variant);
                if matches!(corruption, Corruption::None) {
                    prop_assert_eq!(our_verdict, variant <= 1);
                    if $low_s_only && variant <= 1 {
                        // jwt-core signs low s, as the crate does; the twin has the high s
                        // the crate refuses and jwt-core accepts.
                        prop_assert_eq!(their_raw_verdict, variant == 0, "low s only");
                    }
                }
            }
        }
    };
}

ecdsa_agreement!(
    /// ES384 verification agrees with p384's `VerifyingKey::verify`.
    es384_verification_agrees_with_p384,
    jwt_core::Es384PrivateKey,
    p384,
    proptest::collection::vec(any::<u8>(), 48),
    low_s_only: false
);
ecdsa_agreement!(
    /// ES512 verification agrees with p521's `VerifyingKey::verify`.
    es512_verification_agrees_with_p521,
    jwt_core::Es512PrivateKey,
    p521,
    p521_scalar(),
    low_s_only: false
);
ecdsa_agreement!(
    /// ES256K verification agrees with k256's `VerifyingKey::verify` on low-`s` signatures,
    /// and accepts their high-`s` twins, which k256 refuses.
    es256k_verification_agrees_with_k256,
    jwt_core::Es256kPrivateKey,
    k256,
    any::<[u8; 32]>(),
    low_s_only: true
);

/// Adds the order L of Ed25519's prime subgroup to the little-endian 32-byte scalar `s`
/// (below L, so the sum fits): the same `S` modulo L, not canonically encoded.
fn add_group_order(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (byte, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Ed25519 verification agrees with ed25519-dalek's `verify_strict` (RFC 8032 section
    /// 5.1.7 with canonical `S` and no small-order `R` or key), and a key is imported exactly
    /// when dalek decodes it to a point not of small order: random keys and messages; valid
    /// signatures, other messages, other keys, arbitrary 32-byte keys (often not points,
    /// sometimes of small order), `S + L`, and `R` the identity; each corrupted or not.
    #[test]
    fn eddsa_verification_agrees_with_ed25519_dalek(
        seed in any::<[u8; 32]>(),
        other in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..200),
        corruption in any_corruption(),
        variant in 0u8..7,
    ) {
        // Shrinking makes the two seeds equal; "another key" must be another.
        prop_assume!(variant != 2 || other != seed);
        let private = jwt_core::Ed25519PrivateKey::from_bytes(&seed);
        let mut signature = [0u8; 64];
        private.sign_signature(&message, &mut signature).unwrap();
        let mut checked_message = message.clone();
        let mut key = private.public_key().to_bytes();
        match variant {
            1 => checked_message.push(0),
            2 => key = jwt_core::Ed25519PrivateKey::from_bytes(&other).public_key().to_bytes(),
            3 => key = other,
            4 => add_group_order(&mut signature[32..]),
            5 => {
                signature[..32].fill(0);
                signature[0] = 1;
            }
            // The point of order 2, (0, -1).
            6 => {
                key = [0xFF; 32];
                key[0] = 0xEC;
                key[31] = 0x7F;
            }
            _ => {}
        }
        corruption.apply(&mut signature);
        let ours = jwt_core::Ed25519PublicKey::from_bytes(&key);
        let theirs = ed25519_dalek::VerifyingKey::from_bytes(&key);
        prop_assert_eq!(
            ours.is_ok(),
            theirs.as_ref().is_ok_and(|k| !k.is_weak()),
            "import of {:?}",
            key
        );
        let dalek_signature = ed25519_dalek::Signature::from_bytes(&signature);
        let their_verdict =
            theirs.is_ok_and(|k| k.verify_strict(&checked_message, &dalek_signature).is_ok());
        let our_verdict = ours.is_ok_and(|k| k.verify_signature(&checked_message, &signature).is_ok());
        prop_assert_eq!(our_verdict, their_verdict, "{:?} variant {}", corruption, variant);
        if matches!(corruption, Corruption::None) {
            prop_assert_eq!(our_verdict, variant == 0, "variant {}", variant);
        }
    }
}
