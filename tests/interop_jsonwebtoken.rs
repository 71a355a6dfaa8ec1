//! Interop with the `jsonwebtoken` crate (rust_crypto backend), both ways, every algorithm it
//! has: tokens it signs verify here, and tokens signed here verify there. jsonwebtoken 11
//! has HS256/384/512, RS256/384/512, PS256/384/512, ES256, ES384 and EdDSA; it has no ES512
//! and no ES256K (its `Algorithm` has no such variant: `jsonwebtoken_has_no_es512_or_es256k`).
#![cfg(all(
    feature = "hmac-sha512",
    feature = "hmac",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "ed25519"
))]

mod common;

use common::{NOW, SECRET, b64, data};
use jsonwebtoken::{Algorithm as JwtAlg, DecodingKey, EncodingKey, Header};
use jwt_core::{
    Ed25519PrivateKey, Es384PrivateKey, HeaderFields, Hs384Key, Hs512Key, Rs384PrivateKey,
    Rs512PrivateKey, SigningKey, Validation, VerifyingKey,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Claims {
    iss: String,
    sub: String,
    aud: Vec<String>,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    scope: String,
    note: String,
}

fn claims() -> Claims {
    Claims {
        iss: "https://issuer.example/realms/main".into(),
        sub: "248289761001".into(),
        aud: vec!["https://api.example".into(), "other".into()],
        exp: NOW + 600,
        nbf: NOW - 10,
        iat: NOW - 10,
        jti: "ab1f-77".into(),
        scope: "openid read:orders".into(),
        note: "quote \" backslash \\ slash / unicode \u{e9}\u{1F600} control \u{7}".into(),
    }
}

fn policy() -> Validation<'static> {
    Validation::new()
        .issuers(&["https://issuer.example/realms/main"])
        .audiences(&["https://api.example"])
}

fn their_validation(alg: JwtAlg) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_audience(&["https://api.example"]);
    v.set_issuer(&["https://issuer.example/realms/main"]);
    // Their clock is the real one; our claims use a fixed future window.
    v.validate_exp = false;
    v.validate_nbf = false;
    v
}

fn from_them(alg: JwtAlg, key: &EncodingKey, ours: &impl VerifyingKey) {
    let mut header = Header::new(alg);
    header.kid = Some("their-kid".into());
    let token = jsonwebtoken::encode(&header, &claims(), key).unwrap();
    let got: Claims = jwt_core::verify_owned(&token, ours, &policy(), NOW).unwrap();
    assert_eq!(got, claims(), "{alg:?}");
    let mut buf = [0u8; 256];
    let header = jwt_core::decode_header(&token, &mut buf).unwrap();
    assert!(header.kid.unwrap() == "their-kid");
}

fn to_them(alg: JwtAlg, ours: &impl SigningKey, key: &DecodingKey) {
    let fields = HeaderFields::new().kid("our-kid");
    let token = jwt_core::sign_to_string(ours, &fields, &claims()).unwrap();
    let data = jsonwebtoken::decode::<Claims>(&token, key, &their_validation(alg)).unwrap();
    assert_eq!(data.claims, claims(), "{alg:?}");
    assert_eq!(data.header.alg, alg);
    assert_eq!(data.header.kid.as_deref(), Some("our-kid"));
    assert_eq!(data.header.typ.as_deref(), Some("JWT"));
}

#[test]
fn hs256_both_ways() {
    from_them(
        JwtAlg::HS256,
        &EncodingKey::from_secret(SECRET),
        &common::hs256(),
    );
    to_them(
        JwtAlg::HS256,
        &common::hs256(),
        &DecodingKey::from_secret(SECRET),
    );
}

#[test]
fn es256_both_ways() {
    let (private, public) = common::es256();
    from_them(
        JwtAlg::ES256,
        &EncodingKey::from_ec_der(&data("keys/p256.pkcs8.der")),
        &public,
    );
    to_them(
        JwtAlg::ES256,
        &private,
        &DecodingKey::from_ec_der(&data("keys/p256.pub.sec1")),
    );
}

#[test]
fn rs256_both_ways() {
    let (private, public) = common::rs256();
    from_them(
        JwtAlg::RS256,
        &EncodingKey::from_rsa_der(&data("keys/rsa2048.pkcs1.der")),
        &public,
    );
    to_them(
        JwtAlg::RS256,
        &private,
        &DecodingKey::from_rsa_der(&data("keys/rsa2048.pub.pkcs1.der")),
    );
}

#[test]
fn rs256_signatures_are_byte_identical_to_theirs() {
    // PKCS#1 v1.5 is deterministic: same key, same signing input, same signature.
    let (private, _) = common::rs256();
    let ours = jwt_core::sign_to_string(&private, &HeaderFields::new(), &claims()).unwrap();
    let (input, our_sig) = ours.rsplit_once('.').unwrap();
    let key = EncodingKey::from_rsa_der(&data("keys/rsa2048.pkcs1.der"));
    let theirs = jsonwebtoken::crypto::sign(input.as_bytes(), &key, JwtAlg::RS256).unwrap();
    assert_eq!(our_sig, theirs);
}

/// Random bytes from the operating system.
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).unwrap();
    bytes
}

/// Their key from a JWK (as a JWK Set would hand it to them).
fn their_jwk(jwk: serde_json::Value) -> DecodingKey {
    DecodingKey::from_jwk(&serde_json::from_value(jwk).unwrap()).unwrap()
}

#[test]
fn hs384_and_hs512_both_ways() {
    let secret: [u8; 48] = random();
    let key = Hs384Key::new(&secret).unwrap();
    from_them(JwtAlg::HS384, &EncodingKey::from_secret(&secret), &key);
    to_them(JwtAlg::HS384, &key, &DecodingKey::from_secret(&secret));
    let secret: [u8; 64] = random();
    let key = Hs512Key::new(&secret).unwrap();
    from_them(JwtAlg::HS512, &EncodingKey::from_secret(&secret), &key);
    to_them(JwtAlg::HS512, &key, &DecodingKey::from_secret(&secret));
}

/// Both ways with the RSA test key as `S`'s algorithm: they take PKCS#1 DER.
fn rsa_both_ways<S: jwt_core::RsaScheme>(alg: JwtAlg) {
    let private =
        jwt_core::RsaPrivateKey::<S>::from_pkcs1_der(&data("keys/rsa2048.pkcs1.der")).unwrap();
    from_them(
        alg,
        &EncodingKey::from_rsa_der(&data("keys/rsa2048.pkcs1.der")),
        &private.public_key(),
    );
    to_them(
        alg,
        &private,
        &DecodingKey::from_rsa_der(&data("keys/rsa2048.pub.pkcs1.der")),
    );
}

#[test]
fn rs384_and_rs512_both_ways() {
    rsa_both_ways::<jwt_core::Pkcs1v15<sha2::Sha384>>(JwtAlg::RS384);
    rsa_both_ways::<jwt_core::Pkcs1v15<sha2::Sha512>>(JwtAlg::RS512);
}

/// Their PSS salts are as long as the hash, as RFC 7518 section 3.5 asks and jwt-core
/// requires; ours verify with their hash-length salt check.
#[test]
fn ps256_ps384_and_ps512_both_ways() {
    rsa_both_ways::<jwt_core::Pss<sha2::Sha256>>(JwtAlg::PS256);
    rsa_both_ways::<jwt_core::Pss<sha2::Sha384>>(JwtAlg::PS384);
    rsa_both_ways::<jwt_core::Pss<sha2::Sha512>>(JwtAlg::PS512);
}

/// Sixteen random P-384 keys (so a coordinate with a leading zero byte turns up now and
/// then): they sign with the PKCS#8 DER p384 writes for the scalar, and verify with our public
/// point, given to them as SEC1 bytes and as a JWK.
#[test]
fn es384_both_ways() {
    use p384::pkcs8::EncodePrivateKey;
    for _ in 0..16 {
        let scalar: [u8; 48] = random();
        let Ok(private) = Es384PrivateKey::from_bytes(&scalar) else {
            continue;
        };
        let pkcs8 = p384::ecdsa::SigningKey::from_slice(&scalar)
            .unwrap()
            .to_pkcs8_der()
            .unwrap();
        let sec1 = private.public_key().to_sec1_bytes();
        from_them(
            JwtAlg::ES384,
            &EncodingKey::from_ec_der(pkcs8.as_bytes()),
            &private.public_key(),
        );
        to_them(JwtAlg::ES384, &private, &DecodingKey::from_ec_der(&sec1));
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-384", "x": b64(&sec1[1..49]), "y": b64(&sec1[49..]),
        });
        to_them(JwtAlg::ES384, &private, &their_jwk(jwk));
    }
}

/// Sixteen random Ed25519 seeds: they sign with the PKCS#8 DER (RFC 8410) ed25519-dalek
/// writes, and verify with our public key, as its 32 bytes and as an OKP JWK (RFC 8037).
#[test]
fn eddsa_both_ways() {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    for _ in 0..16 {
        let seed: [u8; 32] = random();
        let private = Ed25519PrivateKey::from_bytes(&seed);
        let pkcs8 = ed25519_dalek::SigningKey::from_bytes(&seed)
            .to_pkcs8_der()
            .unwrap();
        let public = private.public_key().to_bytes();
        from_them(
            JwtAlg::EdDSA,
            &EncodingKey::from_ed_der(pkcs8.as_bytes()),
            &private.public_key(),
        );
        to_them(JwtAlg::EdDSA, &private, &DecodingKey::from_ed_der(&public));
        let jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&public)});
        to_them(JwtAlg::EdDSA, &private, &their_jwk(jwk));
    }
}

/// Every deterministic algorithm they have gives the same signature for the same key and
/// signing input: HMAC, PKCS#1 v1.5, ECDSA with RFC 6979 nonces, Ed25519.
#[test]
fn deterministic_signatures_are_byte_identical_to_theirs() {
    fn check(alg: JwtAlg, ours: &impl SigningKey, theirs: EncodingKey) {
        let token = jwt_core::sign_to_string(ours, &HeaderFields::new(), &claims()).unwrap();
        let (input, our_sig) = token.rsplit_once('.').unwrap();
        let their_sig = jsonwebtoken::crypto::sign(input.as_bytes(), &theirs, alg).unwrap();
        assert_eq!(our_sig, their_sig, "{alg:?}");
    }
    let secret = SECRET.repeat(2);
    check(
        JwtAlg::HS384,
        &Hs384Key::new(&secret[..48]).unwrap(),
        EncodingKey::from_secret(&secret[..48]),
    );
    check(
        JwtAlg::HS512,
        &Hs512Key::new(&secret).unwrap(),
        EncodingKey::from_secret(&secret),
    );
    let rsa = data("keys/rsa2048.pkcs1.der");
    check(
        JwtAlg::RS384,
        &Rs384PrivateKey::from_pkcs1_der(&rsa).unwrap(),
        EncodingKey::from_rsa_der(&rsa),
    );
    check(
        JwtAlg::RS512,
        &Rs512PrivateKey::from_pkcs1_der(&rsa).unwrap(),
        EncodingKey::from_rsa_der(&rsa),
    );
    let scalar = [0x5A; 48];
    let pkcs8 = {
        use p384::pkcs8::EncodePrivateKey;
        let key = p384::ecdsa::SigningKey::from_slice(&scalar).unwrap();
        key.to_pkcs8_der().unwrap()
    };
    check(
        JwtAlg::ES384,
        &Es384PrivateKey::from_bytes(&scalar).unwrap(),
        EncodingKey::from_ec_der(pkcs8.as_bytes()),
    );
    let seed = [0x5B; 32];
    let pkcs8 = {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        key.to_pkcs8_der().unwrap()
    };
    check(
        JwtAlg::EdDSA,
        &Ed25519PrivateKey::from_bytes(&seed),
        EncodingKey::from_ed_der(pkcs8.as_bytes()),
    );
}

/// jsonwebtoken has neither ES512 nor ES256K, so their interop is left to the pyca tokens and
/// node-oidc-provider. Should a later version add them, this fails and they join the tests above.
#[test]
fn jsonwebtoken_has_no_es512_or_es256k() {
    for name in ["ES512", "ES256K"] {
        assert!(name.parse::<JwtAlg>().is_err(), "{name}");
    }
    assert_eq!("ES384".parse::<JwtAlg>().unwrap(), JwtAlg::ES384);
}
