//! Every algorithm end to end: each key family signs a token that its public key verifies
//! through `verify`, a JWK Set and `AnyVerifyingKey`; each key refuses every other
//! algorithm's token (RFC 8725 section 3.1); keys that name no algorithm are bound to their
//! type's default unless the verifier widens it (Microsoft Entra ID's RSA keys).
#![cfg(all(
    feature = "hmac-sha512",
    feature = "std",
    feature = "hmac",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]

mod common;

use common::{CLAIMS, NOW, b64, data};
use jwt_core::{
    Algorithm, AnyVerifyingKey, Ed25519PrivateKey, Error, Es256PrivateKey, Es256kPrivateKey,
    Es384PrivateKey, Es512PrivateKey, GrowableJwkSet, HeaderFields, Hs256Key, Hs384Key, Hs512Key,
    Ps256PrivateKey, Ps384PrivateKey, Ps512PrivateKey, Rs256PrivateKey, Rs384PrivateKey,
    Rs512PrivateKey, SigningKey, Validation, VerifyingKey,
};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// Signs claims (JSON text) into a token, with scratch space.
type Signer = Box<dyn Fn(&str, &mut [u8]) -> String>;

/// A signing key and its verifying key, type-erased, with the public JWK of the pair.
struct Pair {
    alg: Algorithm,
    signer: Signer,
    verifier: AnyVerifyingKey,
    jwk: Value,
}

fn rsa_der() -> Vec<u8> {
    data("keys/rsa2048.pkcs8.der")
}

fn rsa_jwk() -> Value {
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_der(&rsa_der()).unwrap();
    json!({"kty":"RSA","n": b64(&key.n_bytes()),"e": b64(&key.e_bytes())})
}

fn ec_jwk(crv: &str, sec1: &[u8]) -> Value {
    let half = (sec1.len() - 1) / 2;
    json!({"kty":"EC","crv":crv,"x": b64(&sec1[1..1 + half]),"y": b64(&sec1[1 + half..])})
}

fn pair<K: SigningKey + 'static>(key: K, verifier: AnyVerifyingKey, jwk: Value) -> Pair {
    let alg = SigningKey::algorithm(&key);
    Pair {
        alg,
        signer: Box::new(move |claims, buf| {
            let claims: Value = serde_json::from_str(claims).unwrap();
            jwt_core::sign(&key, &HeaderFields::new().kid("k"), &claims, buf)
                .unwrap()
                .to_string()
        }),
        verifier,
        jwk,
    }
}

fn rsa_pair<S: jwt_core::RsaScheme>() -> Pair {
    let key = jwt_core::RsaPrivateKey::<S>::from_pkcs8_der(&rsa_der()).unwrap();
    let verifier = AnyVerifyingKey::from_jwk_as(
        &jwt_core::Jwk::parse(rsa_jwk().to_string().as_bytes()).unwrap(),
        S::ALGORITHM,
    )
    .unwrap();
    pair(key, verifier, rsa_jwk())
}

fn every_pair() -> Vec<Pair> {
    let oct = |bytes: &[u8]| json!({"kty":"oct","k": b64(bytes)});
    let es256 = Es256PrivateKey::from_bytes(&[0x21; 32]).unwrap();
    let es384 = Es384PrivateKey::from_bytes(&[0x22; 48]).unwrap();
    let mut p521_scalar = [0x23; 66];
    p521_scalar[0] = 0x01;
    let es512 = Es512PrivateKey::from_bytes(&p521_scalar).unwrap();
    let es256k = Es256kPrivateKey::from_bytes(&[0x24; 32]).unwrap();
    let ed = Ed25519PrivateKey::from_bytes(&[0x25; 32]);
    vec![
        pair(
            Hs256Key::new(&[1; 32]).unwrap(),
            Hs256Key::new(&[1; 32]).unwrap().into(),
            oct(&[1; 32]),
        ),
        pair(
            Hs384Key::new(&[2; 48]).unwrap(),
            Hs384Key::new(&[2; 48]).unwrap().into(),
            oct(&[2; 48]),
        ),
        pair(
            Hs512Key::new(&[3; 64]).unwrap(),
            Hs512Key::new(&[3; 64]).unwrap().into(),
            oct(&[3; 64]),
        ),
        rsa_pair::<jwt_core::Pkcs1v15<sha2::Sha256>>(),
        rsa_pair::<jwt_core::Pkcs1v15<sha2::Sha384>>(),
        rsa_pair::<jwt_core::Pkcs1v15<sha2::Sha512>>(),
        rsa_pair::<jwt_core::Pss<sha2::Sha256>>(),
        rsa_pair::<jwt_core::Pss<sha2::Sha384>>(),
        rsa_pair::<jwt_core::Pss<sha2::Sha512>>(),
        pair(
            es256.clone(),
            es256.public_key().into(),
            ec_jwk("P-256", &es256.public_key().to_sec1_bytes()),
        ),
        pair(
            es384.clone(),
            es384.public_key().into(),
            ec_jwk("P-384", &es384.public_key().to_sec1_bytes()),
        ),
        pair(
            es512.clone(),
            es512.public_key().into(),
            ec_jwk("P-521", &es512.public_key().to_sec1_bytes()),
        ),
        pair(
            es256k.clone(),
            es256k.public_key().into(),
            ec_jwk("secp256k1", &es256k.public_key().to_sec1_bytes()),
        ),
        pair(
            ed.clone(),
            ed.public_key().into(),
            json!({"kty":"OKP","crv":"Ed25519","x": b64(&ed.public_key().to_bytes())}),
        ),
    ]
}

fn verify(token: &str, key: &AnyVerifyingKey) -> Result<Value, Error> {
    let mut buf = vec![0u8; token.len()];
    jwt_core::verify(token, key, &Validation::new(), NOW, &mut buf)
}

#[test]
fn every_algorithm_signs_and_verifies_through_every_entry_point() {
    let pairs = every_pair();
    let algs: Vec<Algorithm> = pairs.iter().map(|p| p.alg).collect();
    assert_eq!(algs.len(), 14, "{algs:?}");
    for p in &pairs {
        let mut buf = [0u8; 2048];
        let token = (p.signer)(CLAIMS, &mut buf);
        let name = p.alg.name();
        // The header names the key's algorithm and nothing else decides it.
        let mut hbuf = [0u8; 256];
        assert_eq!(
            jwt_core::decode_header(&token, &mut hbuf).unwrap().alg,
            p.alg
        );
        assert_eq!(
            verify(&token, &p.verifier).unwrap()["sub"],
            "alice",
            "{name}"
        );

        // From its public JWK, with and without `alg`.
        let mut jwk = p.jwk.clone();
        let key = AnyVerifyingKey::from_jwk_as(
            &jwt_core::Jwk::parse(jwk.to_string().as_bytes()).unwrap(),
            p.alg,
        )
        .unwrap();
        assert_eq!(VerifyingKey::algorithm(&key), p.alg);
        assert!(verify(&token, &key).is_ok(), "{name}");
        jwk["alg"] = json!(name);
        jwk["kid"] = json!("k");
        let key =
            AnyVerifyingKey::from_jwk(&jwt_core::Jwk::parse(jwk.to_string().as_bytes()).unwrap())
                .unwrap();
        assert!(verify(&token, &key).is_ok(), "{name}");

        // Through a key set, chosen by `alg` and `kid`.
        let set = GrowableJwkSet::parse(json!({"keys":[jwk]}).to_string().as_bytes()).unwrap();
        let mut buf = vec![0u8; token.len()];
        let claims: Value = set
            .verify(&token, &Validation::new(), NOW, &mut buf)
            .unwrap();
        assert_eq!(claims["sub"], "alice", "{name}");

        // One changed payload byte.
        let mut forged = token.clone().into_bytes();
        let dot = token.find('.').unwrap() + 3;
        forged[dot] = if forged[dot] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            verify(std::str::from_utf8(&forged).unwrap(), &p.verifier),
            Err(Error::InvalidSignature),
            "{name}"
        );
    }
}

#[test]
fn each_key_refuses_every_other_algorithm() {
    let pairs = every_pair();
    for signer in &pairs {
        let mut buf = [0u8; 2048];
        let token = (signer.signer)(CLAIMS, &mut buf);
        for verifier in &pairs {
            if verifier.alg == signer.alg {
                continue;
            }
            assert_eq!(
                verify(&token, &verifier.verifier),
                Err(Error::AlgorithmMismatch),
                "{} token, {} key",
                signer.alg,
                verifier.alg
            );
        }
    }
}

/// A token whose header claims another algorithm of the same key family (RS256 relabelled
/// PS256, HS256 relabelled HS512, ...) is refused by the key of the claimed algorithm: the
/// signature is checked the way the key's algorithm says, and fails.
#[test]
fn relabelled_tokens_are_refused_by_the_claimed_algorithms_key() {
    let pairs = every_pair();
    for signer in &pairs {
        let mut buf = [0u8; 2048];
        let token = (signer.signer)(CLAIMS, &mut buf);
        let (_, rest) = token.split_once('.').unwrap();
        for verifier in pairs.iter().filter(|v| v.alg != signer.alg) {
            let header = format!(r#"{{"alg":"{}","kid":"k","typ":"JWT"}}"#, verifier.alg);
            let relabelled = format!("{}.{rest}", b64(header.as_bytes()));
            let result = verify(&relabelled, &verifier.verifier);
            assert!(
                matches!(result, Err(Error::InvalidSignature)),
                "{} token relabelled {}: {result:?}",
                signer.alg,
                verifier.alg
            );
        }
    }
}

/// An Entra-shaped key set: RSA keys with `kid`, `x5t` and `x5c` and an `issuer` member,
/// but no `alg`.
fn entra_set() -> Value {
    let mut key = rsa_jwk();
    key["use"] = json!("sig");
    key["kid"] = json!("k");
    key["x5t"] = json!("k");
    key["x5c"] = json!(["MIIC8TCCAdmgAwIBAgIQ"]);
    key["issuer"] = json!("https://login.microsoftonline.com/{tenantid}/v2.0");
    json!({ "keys": [key] })
}

#[test]
fn keys_without_alg_verify_their_types_default_unless_widened() {
    let doc = entra_set().to_string();
    let pairs = every_pair();
    let token = |alg: Algorithm| {
        let p = pairs.iter().find(|p| p.alg == alg).unwrap();
        let mut buf = [0u8; 2048];
        (p.signer)(CLAIMS, &mut buf)
    };
    let verify_with = |set: &GrowableJwkSet, token: &str| {
        let mut buf = vec![0u8; token.len()];
        set.verify::<Value>(token, &Validation::new(), NOW, &mut buf)
            .map(|_| ())
    };
    let default = GrowableJwkSet::parse(doc.as_bytes()).unwrap();
    assert_eq!(default.len(), 1);
    assert_eq!(verify_with(&default, &token(Algorithm::Rs256)), Ok(()));
    for other in [Algorithm::Ps256, Algorithm::Rs512, Algorithm::Ps512] {
        assert_eq!(
            verify_with(&default, &token(other)),
            Err(Error::UnknownKey),
            "{other}"
        );
    }

    let widened = GrowableJwkSet::parse_assuming(
        doc.as_bytes(),
        &[
            Algorithm::Ps256,
            Algorithm::Rs256,
            Algorithm::Es256,
            Algorithm::Ps256,
        ],
    )
    .unwrap();
    assert_eq!(
        widened.len(),
        2,
        "RS256 and PS256, once each; ES256 does not fit RSA"
    );
    assert_eq!(verify_with(&widened, &token(Algorithm::Rs256)), Ok(()));
    assert_eq!(verify_with(&widened, &token(Algorithm::Ps256)), Ok(()));
    assert_eq!(
        verify_with(&widened, &token(Algorithm::Ps384)),
        Err(Error::UnknownKey)
    );

    // Widening to PS256 alone drops the RS256 default: only what the verifier lists.
    let pss_only = GrowableJwkSet::parse_assuming(doc.as_bytes(), &[Algorithm::Ps256]).unwrap();
    assert_eq!(verify_with(&pss_only, &token(Algorithm::Ps256)), Ok(()));
    assert_eq!(
        verify_with(&pss_only, &token(Algorithm::Rs256)),
        Err(Error::UnknownKey)
    );

    // A key that names its algorithm is never widened.
    let mut named = entra_set();
    named["keys"][0]["alg"] = json!("RS256");
    let named =
        GrowableJwkSet::parse_assuming(named.to_string().as_bytes(), &[Algorithm::Ps256]).unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!(
        verify_with(&named, &token(Algorithm::Ps256)),
        Err(Error::UnknownKey)
    );
}

/// A key the set cannot import (a 1024-bit modulus) under the `kid` of a usable one makes
/// that `kid` ambiguous for every algorithm it would have been imported for, the widened
/// ones included.
#[test]
fn an_unimportable_alg_less_key_makes_its_kid_ambiguous_for_the_widened_algorithms() {
    use rsa::pkcs8::DecodePublicKey;
    let weak = rsa::RsaPublicKey::from_public_key_der(&data("keys/rsa1024.pub.spki.der")).unwrap();
    let mut doc = entra_set();
    let weak = json!({"kty":"RSA","kid":"k","n": b64(&weak.n_bytes()),"e": b64(&weak.e_bytes())});
    doc["keys"].as_array_mut().unwrap().push(weak);
    let pairs = every_pair();
    let ps256 = pairs.iter().find(|p| p.alg == Algorithm::Ps256).unwrap();
    let mut buf = [0u8; 2048];
    let token = (ps256.signer)(CLAIMS, &mut buf);
    let set =
        GrowableJwkSet::parse_assuming(doc.to_string().as_bytes(), &[Algorithm::Ps256]).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 1));
    let mut buf = vec![0u8; token.len()];
    assert_eq!(
        set.verify::<Value>(&token, &Validation::new(), NOW, &mut buf)
            .map(|_| ()),
        Err(Error::AmbiguousKey)
    );
}

#[test]
fn hmac_secrets_must_be_as_long_as_the_hash() {
    assert_eq!(Hs384Key::new(&[1; 47]).unwrap_err(), Error::InvalidKey);
    assert!(Hs384Key::new(&[1; 48]).is_ok());
    assert_eq!(Hs512Key::new(&[1; 63]).unwrap_err(), Error::InvalidKey);
    assert!(Hs512Key::new(&[1; 64]).is_ok());
    // A 32-byte `oct` JWK declared for HS512 is weak; without `alg` it is an HS256 key.
    let short = json!({"kty":"oct","alg":"HS512","k": b64(&[1; 32])}).to_string();
    let jwk = jwt_core::Jwk::parse(short.as_bytes()).unwrap();
    assert_eq!(
        AnyVerifyingKey::from_jwk(&jwk).unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn pss_signatures_are_randomized_and_pkcs1_signatures_are_not() {
    let sign = |key: &dyn Fn(&mut [u8]) -> usize| {
        let mut out = [0u8; 256];
        let n = key(&mut out);
        out[..n].to_vec()
    };
    let ps = Ps256PrivateKey::from_pkcs8_der(&rsa_der()).unwrap();
    let rs = Rs256PrivateKey::from_pkcs8_der(&rsa_der()).unwrap();
    let ps_sign = |out: &mut [u8]| ps.sign_signature(b"m", out).unwrap();
    let rs_sign = |out: &mut [u8]| rs.sign_signature(b"m", out).unwrap();
    assert_ne!(sign(&ps_sign), sign(&ps_sign));
    assert_eq!(sign(&rs_sign), sign(&rs_sign));
    // Both verify, each only as its own scheme.
    let ps_public = ps.public_key();
    let rs_public = rs.public_key();
    assert!(ps_public.verify_signature(b"m", &sign(&ps_sign)).is_ok());
    assert!(rs_public.verify_signature(b"m", &sign(&rs_sign)).is_ok());
    assert!(ps_public.verify_signature(b"m", &sign(&rs_sign)).is_err());
    assert!(rs_public.verify_signature(b"m", &sign(&ps_sign)).is_err());
    // Other hashes refuse them too.
    let ps384 = Ps384PrivateKey::from_pkcs8_der(&rsa_der())
        .unwrap()
        .public_key();
    let ps512 = Ps512PrivateKey::from_pkcs8_der(&rsa_der())
        .unwrap()
        .public_key();
    let rs384 = Rs384PrivateKey::from_pkcs8_der(&rsa_der())
        .unwrap()
        .public_key();
    let rs512 = Rs512PrivateKey::from_pkcs8_der(&rsa_der())
        .unwrap()
        .public_key();
    assert!(ps384.verify_signature(b"m", &sign(&ps_sign)).is_err());
    assert!(ps512.verify_signature(b"m", &sign(&ps_sign)).is_err());
    assert!(rs384.verify_signature(b"m", &sign(&rs_sign)).is_err());
    assert!(rs512.verify_signature(b"m", &sign(&rs_sign)).is_err());
}
