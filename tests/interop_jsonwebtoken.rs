//! Interop with the `jsonwebtoken` crate (rust_crypto backend), both ways, all algorithms:
//! tokens it signs verify here, and tokens signed here verify there.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa"))]

mod common;

use common::{NOW, SECRET, data};
use jsonwebtoken::{Algorithm as JwtAlg, DecodingKey, EncodingKey, Header};
use jwt_core::{HeaderFields, SigningKey, Validation, VerifyingKey};
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
