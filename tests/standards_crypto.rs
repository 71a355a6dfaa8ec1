//! CONFORMANCE.md checklist V-H1..V-H2 (HS256), V-R1..V-R2 (RS256), V-E1..V-E4 (ES256) and S-1..S-3
//! (signer), one test or more per item, named by ID.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa", feature = "alloc"))]

mod common;

use common::{CLAIMS, NOW, b64, data, signing_input, unb64, with_signature};
use jwt_core::{
    Error, Es256PrivateKey, Es256PublicKey, HeaderFields, Hs256Key, Rs256PrivateKey,
    Rs256PublicKey, Validation, VerifyingKey,
};
use p256::ecdsa::signature::Signer;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Claims {
    sub: String,
    exp: u64,
}

fn claims() -> Claims {
    Claims {
        sub: "alice".into(),
        exp: 1_900_000_000,
    }
}

fn verify(token: &str, key: &impl VerifyingKey) -> Result<Claims, Error> {
    jwt_core::verify_owned(token, key, &Validation::new(), NOW)
}

fn sig_of(token: &str) -> Vec<u8> {
    unb64(token.rsplit('.').next().unwrap())
}

#[test]
fn v_h1_hmac_secrets_shorter_than_32_bytes_are_refused() {
    for len in [0, 1, 16, 31] {
        assert_eq!(
            Hs256Key::new(&vec![7u8; len]).unwrap_err(),
            Error::InvalidKey,
            "{len}"
        );
    }
    assert!(Hs256Key::new(&[7u8; 32]).is_ok());
    assert!(Hs256Key::new(&[7u8; 200]).is_ok()); // longer than the block size: hashed first
}

#[test]
fn v_h2_hmac_tags_must_be_full_length_and_exact() {
    let key = common::hs256();
    let token = jwt_core::sign_to_string(&key, &HeaderFields::new(), &claims()).unwrap();
    let tag = sig_of(&token);
    assert_eq!(verify(&token, &key), Ok(claims()));
    let mut longer = tag.clone();
    longer.push(0);
    let mut flipped = tag.clone();
    flipped[31] ^= 0x80;
    for bad in [&tag[..16], &tag[..31], &[][..], &longer[..], &flipped[..]] {
        assert_eq!(
            verify(&with_signature(&token, bad), &key),
            Err(Error::InvalidSignature)
        );
    }
}

fn rsa_parts() -> (Vec<u8>, Vec<u8>) {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPublicKey::from_pkcs1_der(&data("keys/rsa2048.pub.pkcs1.der")).unwrap();
    (key.n_bytes().to_vec(), key.e_bytes().to_vec())
}

#[test]
fn v_r1_rsa_keys_from_2048_to_8192_bits_only() {
    let weak = [
        Rs256PublicKey::from_public_key_der(&data("keys/rsa1024.pub.spki.der")).map(|_| ()),
        Rs256PublicKey::from_pkcs1_der(&data("keys/rsa1024.pub.pkcs1.der")).map(|_| ()),
        Rs256PrivateKey::from_pkcs1_der(&data("keys/rsa1024.pkcs1.der")).map(|_| ()),
        Rs256PrivateKey::from_pkcs8_der(&data("keys/rsa1024.pkcs8.der")).map(|_| ()),
    ];
    for result in weak {
        assert_eq!(result, Err(Error::InvalidKey));
    }
    let (n, e) = rsa_parts();
    let key = Rs256PublicKey::from_components(&n, &e).unwrap();
    assert_eq!(key.modulus_len(), 256);
    assert_eq!(key, common::rs256().1);
    assert_eq!(
        Rs256PublicKey::from_pkcs1_der(&data("keys/rsa2048.pub.pkcs1.der")).unwrap(),
        key
    );
    assert_eq!(
        Rs256PrivateKey::from_pkcs8_der(&data("keys/rsa2048.pkcs8.der"))
            .unwrap()
            .public_key(),
        key
    );
    // Too large: 8200 bits.
    let mut huge = vec![0xFFu8; 1025];
    huge[0] = 0xFF;
    assert_eq!(
        Rs256PublicKey::from_components(&huge, &e).unwrap_err(),
        Error::InvalidKey
    );
    // Exponents: even, 1, and 0 are refused; 3 is accepted.
    for bad_e in [&[1, 0, 0][..], &[1], &[0], &[], &[2]] {
        assert_eq!(
            Rs256PublicKey::from_components(&n, bad_e).unwrap_err(),
            Error::InvalidKey
        );
    }
    assert!(Rs256PublicKey::from_components(&n, &[3]).is_ok());
    // An even modulus is refused.
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xFE;
    assert_eq!(
        Rs256PublicKey::from_components(&even, &e).unwrap_err(),
        Error::InvalidKey
    );
    // Other key types and garbage.
    assert_eq!(
        Rs256PublicKey::from_public_key_der(&data("keys/p256.pub.spki.der")).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        Rs256PublicKey::from_pkcs1_der(b"\x30\x03\x02\x01\x01").unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn v_r1_signature_length_must_equal_modulus_length() {
    let (private, public) = common::rs256();
    let token = jwt_core::sign_to_string(&private, &HeaderFields::new(), &claims()).unwrap();
    assert_eq!(verify(&token, &public), Ok(claims()));
    let sig = sig_of(&token);
    assert_eq!(sig.len(), 256);
    let mut padded = vec![0u8];
    padded.extend_from_slice(&sig);
    for bad in [
        &sig[1..],
        &padded[..],
        &[][..],
        &[0xFF; 256][..],
        &sig[..128],
    ] {
        assert_eq!(
            verify(&with_signature(&token, bad), &public),
            Err(Error::InvalidSignature)
        );
    }
}

#[test]
fn v_r2_digest_info_must_name_sha256() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let private = rsa::RsaPrivateKey::from_pkcs1_der(&data("keys/rsa2048.pkcs1.der")).unwrap();
    let input = signing_input(r#"{"alg":"RS256"}"#, CLAIMS);
    let (_, public) = common::rs256();
    let sha512 = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private.clone());
    let sha384 = rsa::pkcs1v15::SigningKey::<sha2::Sha384>::new(private.clone());
    let unprefixed = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new_unprefixed(private.clone());
    let correct = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private);
    use rsa::signature::SignatureEncoding;
    let token = |sig: rsa::pkcs1v15::Signature| format!("{input}.{}", b64(&sig.to_vec()));
    assert!(verify(&token(correct.sign(input.as_bytes())), &public).is_ok());
    for sig in [
        sha512.sign(input.as_bytes()),
        sha384.sign(input.as_bytes()),
        unprefixed.sign(input.as_bytes()),
    ] {
        assert_eq!(verify(&token(sig), &public), Err(Error::InvalidSignature));
    }
}

fn es256_token() -> (String, p256::ecdsa::Signature) {
    let input = signing_input(r#"{"alg":"ES256"}"#, CLAIMS);
    let key = p256::ecdsa::SigningKey::from_slice(&data("keys/p256.scalar")).unwrap();
    let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
    (format!("{input}.{}", b64(&sig.to_bytes())), sig)
}

#[test]
fn v_e1_es256_signatures_are_64_raw_bytes() {
    let (token, sig) = es256_token();
    let (_, public) = common::es256();
    assert_eq!(verify(&token, &public), Ok(claims()));
    let raw = sig.to_bytes().to_vec();
    let der = sig.to_der().to_bytes().to_vec();
    assert!((68..=72).contains(&der.len()));
    let mut longer = raw.clone();
    longer.push(0);
    for bad in [&der[..], &raw[..63], &longer[..], &[][..], &raw[..32]] {
        assert_eq!(
            verify(&with_signature(&token, bad), &public),
            Err(Error::InvalidSignature)
        );
    }
}

#[test]
fn v_e2_zero_and_out_of_range_scalars_are_refused() {
    // CVE-2022-21449 ("psychic signatures") and r, s >= n.
    let (token, sig) = es256_token();
    let (_, public) = common::es256();
    let raw = sig.to_bytes();
    let order = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let (r, s) = (raw[..32].to_vec(), raw[32..].to_vec());
    let zero = vec![0u8; 32];
    let ones = vec![0xFFu8; 32];
    for (r, s) in [
        (&zero, &zero),
        (&r, &zero),
        (&zero, &s),
        (&order, &s),
        (&r, &order),
        (&ones, &ones),
    ] {
        let bad = [r.as_slice(), s.as_slice()].concat();
        assert_eq!(
            verify(&with_signature(&token, &bad), &public),
            Err(Error::InvalidSignature)
        );
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn v_e3_ecdsa_signatures_are_malleable_and_documented_as_such() {
    // (r, n - s) verifies too (p256 0.14 does not enforce low-S, and ES256 does not require
    // it): jwt-core accepts it. Never use signature bytes as a token identity.
    let (token, sig) = es256_token();
    let (_, public) = common::es256();
    let (r, s) = sig.split_scalars();
    let twin = p256::ecdsa::Signature::from_scalars(r, -s).unwrap();
    assert_ne!(twin.to_bytes(), sig.to_bytes());
    assert_eq!(
        verify(&with_signature(&token, &twin.to_bytes()), &public),
        Ok(claims())
    );
}

#[test]
fn v_e4_public_keys_must_be_points_on_p256() {
    let sec1 = data("keys/p256.pub.sec1");
    let key = Es256PublicKey::from_sec1_bytes(&sec1).unwrap();
    assert_eq!(key.to_sec1_bytes().as_slice(), sec1.as_slice());
    // Compressed form: same key.
    let mut compressed = vec![2 + (sec1[64] & 1)];
    compressed.extend_from_slice(&sec1[1..33]);
    assert_eq!(Es256PublicKey::from_sec1_bytes(&compressed).unwrap(), key);
    // Off the curve, identity, wrong curve, wrong lengths.
    let mut off_curve = sec1.clone();
    off_curve[64] ^= 1;
    let x: [u8; 32] = sec1[1..33].try_into().unwrap();
    let mut y: [u8; 32] = sec1[33..].try_into().unwrap();
    y[0] ^= 0x40;
    for bad in [
        &off_curve[..],
        &[0u8][..],
        &data("keys/p384.pub.sec1")[..],
        &sec1[..64],
        &[][..],
    ] {
        assert_eq!(
            Es256PublicKey::from_sec1_bytes(bad).unwrap_err(),
            Error::InvalidKey
        );
    }
    assert_eq!(
        Es256PublicKey::from_coordinates(&x, &y).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        Es256PublicKey::from_coordinates(&[0; 32], &[0; 32]).unwrap_err(),
        Error::InvalidKey
    );
    // Private scalars: zero and >= n are refused.
    assert_eq!(
        Es256PrivateKey::from_bytes(&[0; 32]).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        Es256PrivateKey::from_bytes(&[0xFF; 32]).unwrap_err(),
        Error::InvalidKey
    );
}

fn header_json(token: &str) -> String {
    String::from_utf8(unb64(token.split('.').next().unwrap())).unwrap()
}

#[test]
fn s_1_alg_comes_from_the_key_and_the_header_is_minimal() {
    let (es, _) = common::es256();
    let (rs, _) = common::rs256();
    let hs = common::hs256();
    fn check(key: &impl jwt_core::SigningKey, alg: &str) {
        let header = |fields: &HeaderFields| {
            header_json(&jwt_core::sign_to_string(key, fields, &claims()).unwrap())
        };
        assert_eq!(
            header(&HeaderFields::new()),
            format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)
        );
        assert_eq!(
            header(&HeaderFields::new().no_typ()),
            format!(r#"{{"alg":"{alg}"}}"#)
        );
        assert_eq!(
            header(&HeaderFields::new().typ("at+jwt").kid("a\"b\\c")),
            format!(r#"{{"alg":"{alg}","typ":"at+jwt","kid":"a\"b\\c"}}"#)
        );
    }
    check(&hs, "HS256");
    check(&es, "ES256");
    check(&rs, "RS256");
    // The kid written with escapes reads back unescaped.
    let token =
        jwt_core::sign_to_string(&hs, &HeaderFields::new().kid("a\"b\\c"), &claims()).unwrap();
    let mut buf = [0u8; 128];
    assert!(
        jwt_core::decode_header(&token, &mut buf)
            .unwrap()
            .kid
            .unwrap()
            == "a\"b\\c"
    );
}

#[test]
fn s_2_signatures_are_unpadded_and_fixed_length() {
    let (es, es_public) = common::es256();
    let (rs, _) = common::rs256();
    let hs = common::hs256();
    let last = |t: &str| t.rsplit('.').next().unwrap().to_owned();
    assert_eq!(
        last(&jwt_core::sign_to_string(&hs, &HeaderFields::new(), &claims()).unwrap()).len(),
        43
    );
    assert_eq!(
        last(&jwt_core::sign_to_string(&rs, &HeaderFields::new(), &claims()).unwrap()).len(),
        342
    );
    // ES256: r and s keep their leading zero bytes. Sign until one of them starts with 0x00
    // (about 1 in 128 signatures) and check every signature is 64 bytes and verifies.
    let mut leading_zero = false;
    for i in 0..4000u64 {
        let c = Claims {
            sub: format!("user{i}"),
            exp: 1_900_000_000,
        };
        let token = jwt_core::sign_to_string(&es, &HeaderFields::new(), &c).unwrap();
        let sig = sig_of(&token);
        assert_eq!(sig.len(), 64);
        assert!(!token.contains('='));
        if sig[0] == 0 || sig[32] == 0 {
            assert_eq!(verify(&token, &es_public), Ok(c));
            leading_zero = true;
            break;
        }
    }
    assert!(
        leading_zero,
        "no signature with a leading zero byte in 4000 tries"
    );
}

#[derive(Serialize)]
struct Dated {
    exp: f64,
}

struct Duplicated;
impl Serialize for Duplicated {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("exp", &1)?;
        map.serialize_entry("exp", &2)?;
        map.end()
    }
}

#[test]
fn s_3_claims_are_valid_json_with_integer_dates() {
    let key = common::hs256();
    let fields = HeaderFields::new();
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &Dated { exp: 1.5e9 + 0.5 }).unwrap_err(),
        Error::InvalidClaim(jwt_core::Claim::Exp)
    );
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &Dated { exp: f64::NAN }).unwrap_err(),
        Error::Signing
    );
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &Duplicated).unwrap_err(),
        Error::Json
    );
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &[1, 2]).unwrap_err(),
        Error::Json
    );
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, "claims").unwrap_err(),
        Error::Json
    );
    let mut not_a_string_key = std::collections::BTreeMap::new();
    not_a_string_key.insert(1u8, 2u8);
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &not_a_string_key).unwrap_err(),
        Error::Signing
    );
    assert_eq!(
        jwt_core::sign_to_string(&key, &fields, &serde_json::json!({"exp": "1900000000"}))
            .unwrap_err(),
        Error::InvalidClaim(jwt_core::Claim::Exp)
    );

    // Strings are escaped so that any JSON parser reads back the same text (l8w8jwt#25).
    let tricky = "\"}\\u0000\u{0}\u{1f}\u{7f}\u{2028}é😀</script>";
    let c = Claims {
        sub: tricky.into(),
        exp: 1_900_000_000,
    };
    let token = jwt_core::sign_to_string(&key, &fields, &c).unwrap();
    let payload = unb64(token.split('.').nth(1).unwrap());
    let parsed: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(parsed["sub"], tricky);
    assert_eq!(verify(&token, &key), Ok(c));
}

#[test]
fn signing_into_any_short_buffer_is_an_error_not_a_panic() {
    let (es, _) = common::es256();
    let mut full = [0u8; 512];
    let token = jwt_core::sign(&es, &HeaderFields::new().kid("k"), &claims(), &mut full)
        .unwrap()
        .to_owned();
    for len in 0..token.len() {
        let mut out = vec![0u8; len];
        assert_eq!(
            jwt_core::sign(&es, &HeaderFields::new().kid("k"), &claims(), &mut out).unwrap_err(),
            Error::BufferTooSmall,
            "{len}"
        );
    }
    let mut exact = vec![0u8; token.len()];
    assert_eq!(
        jwt_core::sign(&es, &HeaderFields::new().kid("k"), &claims(), &mut exact).unwrap(),
        token
    );
}

#[test]
fn verifying_with_a_short_buffer_is_an_error_not_a_panic() {
    let key = common::hs256();
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Borrowed<'a> {
        sub: &'a str,
    }
    let token = jwt_core::sign_to_string(&key, &HeaderFields::new(), &claims()).unwrap();
    let needed = token
        .split('.')
        .take(2)
        .map(|s| unb64(s).len())
        .max()
        .unwrap();
    let mut exact = vec![0u8; needed];
    assert!(
        jwt_core::verify::<Borrowed, _>(&token, &key, &Validation::new(), NOW, &mut exact).is_ok()
    );
    for len in 0..needed {
        let mut buf = vec![0u8; len];
        let result =
            jwt_core::verify::<Borrowed, _>(&token, &key, &Validation::new(), NOW, &mut buf);
        assert_eq!(result.err(), Some(Error::BufferTooSmall), "{len}");
    }
    // Escaped strings need scratch space after the payload for owned fields.
    let escaped = Claims {
        sub: "\"quoted\"".into(),
        exp: 1_900_000_000,
    };
    let token = jwt_core::sign_to_string(&key, &HeaderFields::new(), &escaped).unwrap();
    let payload_len = unb64(token.split('.').nth(1).unwrap()).len();
    #[derive(Deserialize)]
    struct Owned {
        sub: heapless::String<16>,
    }
    let mut tight = vec![0u8; payload_len];
    let result = jwt_core::verify::<Owned, _>(&token, &key, &Validation::new(), NOW, &mut tight);
    assert_eq!(result.err(), Some(Error::BufferTooSmall));
    let mut roomy = vec![0u8; payload_len + 16];
    let owned =
        jwt_core::verify::<Owned, _>(&token, &key, &Validation::new(), NOW, &mut roomy).unwrap();
    assert_eq!(owned.sub.as_str(), "\"quoted\"");
    // A borrowed &str cannot hold an escaped string: a typed error, not the raw escapes.
    let result = jwt_core::verify::<Borrowed, _>(&token, &key, &Validation::new(), NOW, &mut roomy);
    assert_eq!(result.err(), Some(Error::ClaimsTypeMismatch));
}
