//! RFC 7515 Appendix A, RFC 7519 section 3.1, RFC 7520 section 4 and RFC 8037 Appendix A
//! examples (tests/data, copied from their upstream sources with their licenses).
#![cfg(all(
    feature = "hmac",
    feature = "p256",
    feature = "p521",
    feature = "rsa",
    feature = "ed25519"
))]

mod common;

use common::{data, unb64};
use jwt_core::{
    Algorithm, AnyVerifyingKey, Ed25519PrivateKey, Ed25519PublicKey, Error, Es256PrivateKey,
    Es256PublicKey, Es512PrivateKey, Es512PublicKey, HeaderFields, Hs256Key, Jwk, JwkSet,
    Ps384PublicKey, Rs256PublicKey, Rs384PublicKey, SigningKey, Validation, VerifyingKey,
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

/// The RFC 7520 JWK at `path` as JSON text.
fn cookbook_jwk(path: &str) -> String {
    String::from_utf8(data(&format!("rfc7520/jwk/{path}"))).unwrap()
}

/// Checks an RFC 7520 example that verifies with `key`: its payload, its `kid`, and a
/// flipped signature bit refused.
fn check_cookbook_example<K: VerifyingKey>(example: &Value, token: &str, key: &K) {
    let mut buf = vec![0u8; token.len()];
    let payload = jwt_core::verify_jws(token, key, &mut buf).unwrap();
    assert_eq!(
        payload,
        example["input"]["payload"].as_str().unwrap().as_bytes()
    );
    let header = jwt_core::decode_header(token, &mut buf).unwrap();
    assert!(header.kid.unwrap() == "bilbo.baggins@hobbiton.example");
    let mut sig = unb64(token.rsplit('.').next().unwrap());
    sig[10] ^= 0x80;
    assert_eq!(
        jwt_core::verify_jws(&common::with_signature(token, &sig), key, &mut buf).unwrap_err(),
        Error::InvalidSignature
    );
}

#[test]
fn rfc7520_4_2_ps384_is_accepted() {
    // PSS is randomized: the example can be verified, not reproduced.
    let (example, token) = rfc7520("4_2.rsa-pss_signature.json");
    assert_eq!(example["signing"]["protected"]["alg"], "PS384");
    let jwk_text = cookbook_jwk("3_3.rsa_public_key.json");
    let jwk: Value = serde_json::from_str(&jwk_text).unwrap();
    let (n, e) = (unb64(str_member(&jwk, "n")), unb64(str_member(&jwk, "e")));
    let key = Ps384PublicKey::from_components(&n, &e).unwrap();
    assert_eq!(
        Ps384PublicKey::from_jwk(&Jwk::parse(jwk_text.as_bytes()).unwrap()).unwrap(),
        key
    );
    check_cookbook_example(&example, &token, &key);

    // The same RSA key bound to RS384 refuses the token before looking at its signature
    // (V-A1); as PKCS#1 v1.5 the PSS signature would not verify either.
    let mut buf = vec![0u8; token.len()];
    let rs384 = Rs384PublicKey::from_components(&n, &e).unwrap();
    assert_eq!(
        jwt_core::verify_jws(&token, &rs384, &mut buf).unwrap_err(),
        Error::AlgorithmMismatch
    );
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(
        rs384.verify_signature(input.as_bytes(), &unb64(sig)),
        Err(Error::InvalidSignature)
    );

    // The cookbook JWK has no `alg`: alone it is an RS256 key (the RSA default), which
    // refuses this token; a key set told that its RSA keys without `alg` are PS384 keys
    // verifies it.
    let default = AnyVerifyingKey::from_jwk(&Jwk::parse(jwk_text.as_bytes()).unwrap()).unwrap();
    assert_eq!(default.algorithm(), Algorithm::Rs256);
    assert_eq!(
        jwt_core::verify_jws(&token, &default, &mut buf).unwrap_err(),
        Error::AlgorithmMismatch
    );
    let set_text = format!(r#"{{"keys":[{jwk_text}]}}"#);
    let plain = JwkSet::<2>::parse(set_text.as_bytes()).unwrap();
    assert_eq!(
        plain.verify_jws(&token, &mut buf).unwrap_err(),
        Error::UnknownKey
    );
    let widened = JwkSet::<2>::parse_assuming(set_text.as_bytes(), &[Algorithm::Ps384]).unwrap();
    assert_eq!(
        widened.verify_jws(&token, &mut buf).unwrap(),
        example["input"]["payload"].as_str().unwrap().as_bytes()
    );
}

#[test]
fn rfc7520_4_3_es512_is_accepted() {
    let (example, token) = rfc7520("4_3.ecdsa_signature.json");
    let jwk_text = cookbook_jwk("3_1.ec_public_key.json");
    let jwk: Value = serde_json::from_str(&jwk_text).unwrap();
    // P-521 coordinates are 66 bytes, the top one holding a single bit.
    let x = unb64(str_member(&jwk, "x"));
    let y = unb64(str_member(&jwk, "y"));
    assert_eq!((x.len(), y.len()), (66, 66));
    let key = Es512PublicKey::from_coordinates(&x, &y).unwrap();
    let parsed = Jwk::parse(jwk_text.as_bytes()).unwrap();
    assert_eq!(Es512PublicKey::from_jwk(&parsed).unwrap(), key);
    assert_eq!(
        AnyVerifyingKey::from_jwk(&parsed).unwrap().algorithm(),
        Algorithm::Es512
    );
    assert_eq!(unb64(token.rsplit('.').next().unwrap()).len(), 132);
    check_cookbook_example(&example, &token, &key);

    // The private JWK's `d` is the same key.
    let private: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_2.ec_private_key.json")).unwrap();
    let d = unb64(str_member(&private, "d"));
    assert_eq!(Es512PrivateKey::from_bytes(&d).unwrap().public_key(), key);

    // An ES256 key refuses the token by its algorithm (V-A1).
    let (_, es256) = common::es256();
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        jwt_core::verify_jws(&token, &es256, &mut buf).unwrap_err(),
        Error::AlgorithmMismatch
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

/// RFC 8037 Appendix A: the Ed25519 key as a JWK (A.1, A.2), its RFC 7638 thumbprint (A.3)
/// and the deterministic signature of A.4, reproduced byte for byte.
#[test]
fn rfc8037_appendix_a_ed25519() {
    let file: Value = serde_json::from_slice(&data("rfc8037_appendix_a.json")).unwrap();
    let public_text = file["public_jwk"].to_string();
    let private_text = file["private_jwk"].to_string();
    let public_jwk = Jwk::parse(public_text.as_bytes()).unwrap();
    let private_jwk = Jwk::parse(private_text.as_bytes()).unwrap();

    // A.2: the public key, from the JWK and from its 32 bytes.
    let public = Ed25519PublicKey::from_jwk(&public_jwk).unwrap();
    let x: [u8; 32] = unb64(str_member(&file["public_jwk"], "x"))
        .try_into()
        .unwrap();
    assert_eq!(Ed25519PublicKey::from_bytes(&x).unwrap(), public);
    assert_eq!(public.to_bytes(), x);
    assert_eq!(
        AnyVerifyingKey::from_jwk(&public_jwk).unwrap().algorithm(),
        Algorithm::EdDsa
    );
    // A public key import refuses the private JWK, which is for signing.
    assert_eq!(
        Ed25519PublicKey::from_jwk(&private_jwk).unwrap_err(),
        Error::InvalidKey
    );

    // A.1: the private key (the 32-byte seed `d`) derives the same public key.
    let private = Ed25519PrivateKey::from_jwk(&private_jwk).unwrap();
    assert_eq!(private.public_key(), public);
    // A `d` that is not the seed of `x` (here the Wycheproof key's `x` with the RFC's `d`),
    // or a `d` of another length, is refused.
    let mut mismatched = file["private_jwk"].clone();
    mismatched["x"] = "fU0Of2FTpptiQrUiq77mhf2kQg-INLEIw72uNp71Sfo".into();
    let mut short = file["private_jwk"].clone();
    short["d"] = common::b64(&[7; 31]).into();
    for bad in [mismatched, short] {
        let text = bad.to_string();
        assert_eq!(
            Ed25519PrivateKey::from_jwk(&Jwk::parse(text.as_bytes()).unwrap()).unwrap_err(),
            Error::InvalidKey,
            "{text}"
        );
    }
    let d: [u8; 32] = unb64(str_member(&file["private_jwk"], "d"))
        .try_into()
        .unwrap();
    assert_eq!(Ed25519PrivateKey::from_bytes(&d).public_key(), public);

    // A.3: the thumbprint covers crv, kty and x only, so the private JWK has the same one.
    let expected = file["thumbprint_sha256"].as_str().unwrap();
    assert_eq!(common::b64(&public_jwk.thumbprint().unwrap()), expected);
    assert_eq!(common::b64(&private_jwk.thumbprint().unwrap()), expected);

    // A.4: Ed25519 is deterministic, so signing the example's signing input reproduces its
    // signature exactly, and the token verifies.
    let token = file["jws_compact"].as_str().unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(
        input,
        format!(
            "{}.{}",
            common::b64(file["protected_header"].as_str().unwrap().as_bytes()),
            common::b64(file["payload"].as_str().unwrap().as_bytes())
        )
    );
    let mut signature = [0u8; 64];
    assert_eq!(private.signature_len(), 64);
    assert_eq!(
        private.sign_signature(input.as_bytes(), &mut signature),
        Ok(64)
    );
    assert_eq!(signature.as_slice(), unb64(sig).as_slice());
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        jwt_core::verify_jws(token, &public, &mut buf).unwrap(),
        file["payload"].as_str().unwrap().as_bytes()
    );
    let mut flipped = unb64(sig);
    flipped[0] ^= 1;
    assert_eq!(
        public.verify_signature(input.as_bytes(), &flipped),
        Err(Error::InvalidSignature)
    );

    // Through the JWT pipeline: the header jwt_core::sign writes without `typ` is the
    // RFC's, and signing the same claims twice gives the same token.
    #[derive(serde::Serialize)]
    struct Claims {
        sub: &'static str,
        exp: u64,
    }
    let claims = Claims {
        sub: "rfc8037",
        exp: 2_000_000_000,
    };
    let header = HeaderFields::new().no_typ();
    let mut out = [0u8; 256];
    let signed = jwt_core::sign(&private, &header, &claims, &mut out)
        .unwrap()
        .to_owned();
    assert_eq!(signed.split('.').next(), input.split('.').next());
    let mut again = [0u8; 256];
    assert_eq!(
        jwt_core::sign(&private, &header, &claims, &mut again).unwrap(),
        signed
    );
    #[derive(serde::Deserialize)]
    struct Read<'a> {
        sub: &'a str,
    }
    let mut buf = vec![0u8; signed.len()];
    let read: Read = jwt_core::verify(
        &signed,
        &public,
        &Validation::new(),
        1_900_000_000,
        &mut buf,
    )
    .unwrap();
    assert_eq!(read.sub, "rfc8037");
}

/// RFC 8037 section 2 names four OKP curves; only Ed25519 is implemented. A key on another
/// curve is unsupported, even with `"alg":"EdDSA"` (which RFC 8037 uses for Ed448 too) or
/// with 32 bytes of `x` (an X25519 key), and is never read as an Ed25519 key.
#[test]
fn okp_keys_on_other_curves_are_unsupported_never_ed25519() {
    let file: Value = serde_json::from_slice(&data("rfc8037_appendix_a.json")).unwrap();
    let x25519_x = str_member(&file["public_jwk"], "x");
    let ed448_x = common::b64(&[0x11; 57]);
    let keys = [
        format!(r#"{{"kty":"OKP","crv":"Ed448","x":"{ed448_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed448","alg":"EdDSA","x":"{ed448_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x25519_x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"X448","x":"{ed448_x}"}}"#),
    ];
    for text in &keys {
        let jwk = Jwk::parse(text.as_bytes()).unwrap();
        assert_eq!(
            AnyVerifyingKey::from_jwk(&jwk).unwrap_err(),
            Error::UnsupportedAlgorithm,
            "{text}"
        );
        assert_eq!(
            Ed25519PublicKey::from_jwk(&jwk).unwrap_err(),
            Error::UnsupportedAlgorithm,
            "{text}"
        );
    }
    // In a key set they are skipped as unsupported, and the Ed25519 key beside them, with
    // the same `kid`, is the one chosen.
    let mut members: Vec<String> = keys
        .iter()
        .map(|k| k.replacen('{', r#"{"kid":"k","#, 1))
        .collect();
    members.push(
        file["public_jwk"]
            .to_string()
            .replacen('{', r#"{"kid":"k","#, 1),
    );
    let set_text = format!(r#"{{"keys":[{}]}}"#, members.join(","));
    let set = JwkSet::<4>::parse(set_text.as_bytes()).unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(set.skipped_for(jwt_core::SkipReason::Unsupported), 4);
    let private_text = file["private_jwk"].to_string();
    let private =
        Ed25519PrivateKey::from_jwk(&Jwk::parse(private_text.as_bytes()).unwrap()).unwrap();
    let mut out = [0u8; 256];
    let token = jwt_core::sign(
        &private,
        &HeaderFields::new().kid("k"),
        &serde_json::json!({"sub": "rfc8037"}),
        &mut out,
    )
    .unwrap();
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        set.verify_jws(token, &mut buf).unwrap(),
        br#"{"sub":"rfc8037"}"#
    );
}
