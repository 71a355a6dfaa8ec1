//! The `aws-lc` backend (`cargo test --features aws-lc --test aws_lc`): every way of making a
//! public key of an algorithm aws-lc verifies gives a key that verifies with it, tokens
//! signed by jwt-core verify on both backends, and what either backend refuses stays refused.
//! (The Wycheproof suites, run with the feature, hold both backends to every upstream label.)
#![cfg(all(
    feature = "aws-lc",
    feature = "hmac",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]

mod common;

use common::data;
use jwt_core::{
    AnyVerifyingKey, Backend, Ed25519PrivateKey, Ed25519PublicKey, Error, Es256PrivateKey,
    Es256PublicKey, Es256kPrivateKey, Es384PrivateKey, Es384PublicKey, Es512PrivateKey,
    HeaderFields, Jwk, JwkSet, Ps256PrivateKey, Rs256PrivateKey, Rs256PublicKey, SigningKey,
    Validation, VerifyingKey,
};

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Claims {
    sub: String,
    exp: u64,
}

const NOW: u64 = 1_700_000_000;

/// ES256 and EdDSA keys verify with jwt-core's own code on 64-bit targets (its P-256
/// arithmetic, ed25519-dalek), with aws-lc elsewhere.
const P256_AND_ED25519_BACKEND: Backend = if cfg!(target_pointer_width = "64") {
    Backend::PureRust
} else {
    Backend::AwsLc
};

fn claims() -> Claims {
    Claims {
        sub: "alice".into(),
        exp: NOW + 300,
    }
}

/// A token signed by `private`, verified by `public` (which must verify with `backend`) and
/// by its pure-Rust twin; the same token with one signature bit flipped is refused by both.
fn round_trip<P, K>(private: &P, public: K, backend: Backend)
where
    P: SigningKey,
    K: VerifyingKey + Clone + Into<AnyVerifyingKey>,
{
    assert_eq!(public.backend(), backend, "{:?}", public.algorithm());
    let token = jwt_core::sign_to_string(private, &HeaderFields::new(), &claims()).unwrap();
    let pure = public.clone().into().pure_rust();
    assert_eq!(pure.backend(), Backend::PureRust);
    let validation = Validation::new();
    for key in [public.into(), pure] {
        let got: Claims = jwt_core::verify_owned(&token, &key, &validation, NOW).unwrap();
        assert_eq!(got, claims());
        let (rest, last) = token.split_at(token.len() - 3);
        let flipped =
            format!("{rest}{}", if last.starts_with('A') { "Q" } else { "A" }) + &last[1..];
        assert_eq!(
            jwt_core::verify_owned::<Claims, _>(&flipped, &key, &validation, NOW).unwrap_err(),
            Error::InvalidSignature
        );
    }
}

#[test]
fn rsa_p384_and_p521_keys_verify_with_aws_lc() {
    let rsa = data("keys/rsa2048.pkcs1.der");
    round_trip(
        &Rs256PrivateKey::from_pkcs1_der(&rsa).unwrap(),
        Rs256PublicKey::from_public_key_der(&data("keys/rsa2048.pub.spki.der")).unwrap(),
        Backend::AwsLc,
    );
    let ps256 = Ps256PrivateKey::from_pkcs1_der(&rsa).unwrap();
    round_trip(&ps256, ps256.public_key(), Backend::AwsLc);
    let es256 = Es256PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    // P-256 and Ed25519 stay in Rust on 64-bit targets, where jwt-core's own code is faster.
    round_trip(&es256, es256.public_key(), P256_AND_ED25519_BACKEND);
    let es384 = Es384PrivateKey::from_bytes(&[0x22; 48]).unwrap();
    round_trip(&es384, es384.public_key(), Backend::AwsLc);
    let mut p521_scalar = [0x23; 66];
    p521_scalar[0] = 1;
    let es512 = Es512PrivateKey::from_bytes(&p521_scalar).unwrap();
    round_trip(&es512, es512.public_key(), Backend::AwsLc);
    let eddsa = Ed25519PrivateKey::from_bytes(&[0x25; 32]);
    round_trip(&eddsa, eddsa.public_key(), P256_AND_ED25519_BACKEND);
    // secp256k1 stays in Rust (k256 is faster than aws-lc's generic curve code), as HMAC.
    let es256k = Es256kPrivateKey::from_bytes(&[0x24; 32]).unwrap();
    round_trip(&es256k, es256k.public_key(), Backend::PureRust);
    let hs256 = common::hs256();
    round_trip(&hs256, hs256.clone(), Backend::PureRust);
}

#[test]
fn keys_from_every_import_path_verify_with_aws_lc() {
    let der = data("keys/rsa2048.pub.pkcs1.der");
    let rsa = [
        Rs256PublicKey::from_pkcs1_der(&der).unwrap(),
        Rs256PublicKey::from_public_key_der(&data("keys/rsa2048.pub.spki.der")).unwrap(),
        Rs256PrivateKey::from_pkcs8_der(&data("keys/rsa2048.pkcs8.der"))
            .unwrap()
            .public_key(),
    ];
    for key in rsa {
        assert_eq!(key.backend(), Backend::AwsLc);
    }
    let sec1 = data("keys/p256.pub.sec1");
    let es256 = Es256PublicKey::from_sec1_bytes(&sec1).unwrap();
    assert_eq!(es256.backend(), P256_AND_ED25519_BACKEND);
    // A compressed point is parsed by aws-lc from its uncompressed form.
    let mut compressed = sec1[..33].to_vec();
    compressed[0] = 2 | (sec1[64] & 1);
    let from_compressed = Es256PublicKey::from_sec1_bytes(&compressed).unwrap();
    assert_eq!(from_compressed, es256);
    assert_eq!(from_compressed.backend(), P256_AND_ED25519_BACKEND);
    let from_coordinates = Es256PublicKey::from_coordinates(&sec1[1..33], &sec1[33..]).unwrap();
    assert_eq!(from_coordinates.backend(), P256_AND_ED25519_BACKEND);
    // RFC 8037 appendix A.2.
    let okp = br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    let jwk = Jwk::parse(okp).unwrap();
    assert_eq!(
        Ed25519PublicKey::from_jwk(&jwk).unwrap().backend(),
        P256_AND_ED25519_BACKEND
    );
    assert_eq!(
        AnyVerifyingKey::from_jwk(&jwk).unwrap().backend(),
        P256_AND_ED25519_BACKEND
    );
    // A P-384 point, from its encoding and from a JWK of its coordinates.
    let sec1 = data("keys/p384.pub.sec1");
    let es384 = Es384PublicKey::from_sec1_bytes(&sec1).unwrap();
    assert_eq!(es384.backend(), Backend::AwsLc);
    let b64 = |bytes: &[u8]| {
        use base64ct::Encoding;
        base64ct::Base64UrlUnpadded::encode_string(bytes)
    };
    let ec = format!(
        r#"{{"kty":"EC","crv":"P-384","x":"{}","y":"{}"}}"#,
        b64(&sec1[1..49]),
        b64(&sec1[49..])
    );
    let from_jwk = AnyVerifyingKey::from_jwk(&Jwk::parse(ec.as_bytes()).unwrap()).unwrap();
    assert_eq!(from_jwk.backend(), Backend::AwsLc);
    // A provider's key set: every RSA key in it verifies with aws-lc.
    let jwks = data("jwks/keycloak.json");
    let set = JwkSet::<8>::parse(&jwks).unwrap();
    assert!(!set.is_empty());
    for (kid, key) in set.iter() {
        assert_eq!(key.backend(), Backend::AwsLc, "{kid:?}");
    }
}

/// jwt-core's key rules hold on the aws-lc path: a 1024-bit RSA key (which aws-lc's parser
/// reads) and a point off the curve are refused at import, before aws-lc sees them.
#[test]
fn keys_jwt_core_refuses_are_refused_whatever_aws_lc_accepts() {
    assert_eq!(
        Rs256PublicKey::from_pkcs1_der(&data("keys/rsa1024.pub.pkcs1.der")).unwrap_err(),
        Error::InvalidKey
    );
    let mut sec1 = data("keys/p256.pub.sec1");
    sec1[64] ^= 1;
    assert_eq!(
        Es256PublicKey::from_sec1_bytes(&sec1).unwrap_err(),
        Error::InvalidKey
    );
}
