//! What the benchmarks share: keys, the RFC 9068-style access token, its claims types and the
//! policies, and the jsonwebtoken benchmark (run with whichever crypto provider the process
//! installed).
#![allow(dead_code)]

use std::hint::black_box;

use jwt_core::{
    Algorithm, Ed25519PrivateKey, Es256PrivateKey, Es256kPrivateKey, Es384PrivateKey,
    Es512PrivateKey, HeaderFields, Hs256Key, Hs384Key, Hs512Key, Ps256PrivateKey, Ps384PrivateKey,
    Ps512PrivateKey, Rs256PrivateKey, Rs384PrivateKey, Rs512PrivateKey, SigningKey, Validation,
};
use serde::{Deserialize, Serialize};

pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
/// HS384 and HS512 secrets: as long as the hash output, the shortest each accepts.
pub const SECRET_48: &[u8; 48] = b"0123456789abcdef0123456789abcdef0123456789abcdef";
pub const SECRET_64: &[u8; 64] =
    b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// Private scalars of the other curves and the Ed25519 seed; the public keys are derived.
pub const P384_SCALAR: &[u8; 48] = &[0x22; 48];
/// (A P-521 scalar is 66 bytes, below the group order: its first byte is at most 1.)
pub const P521_SCALAR: &[u8; 66] = &{
    let mut scalar = [0x23; 66];
    scalar[0] = 0x01;
    scalar
};
pub const K256_SCALAR: &[u8; 32] = &[0x24; 32];
pub const ED25519_SEED: &[u8; 32] = &[0x25; 32];
pub const P256_SCALAR: &[u8; 32] = include_bytes!("../tests/data/keys/p256.scalar");
pub const RSA_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pkcs1.der");
pub const RSA_PUB_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pub.pkcs1.der");
pub const P256_SEC1: &[u8] = include_bytes!("../tests/data/keys/p256.pub.sec1");
pub const RSA_PUB_SPKI: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pub.spki.der");
pub const ISSUER: &str = "https://auth.example.com/realms/production";
pub const AUDIENCE: &str = "https://api.example.com";

/// Every algorithm jwt-core verifies, in its order.
pub const ALGORITHMS: [Algorithm; 14] = [
    Algorithm::Hs256,
    Algorithm::Hs384,
    Algorithm::Hs512,
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
    Algorithm::Es256,
    Algorithm::Es384,
    Algorithm::Es512,
    Algorithm::Es256k,
    Algorithm::EdDsa,
];

/// RFC 9068 access token claims, borrowed where jwt-core can borrow.
#[derive(Serialize, Deserialize, Debug)]
pub struct AccessToken<'a> {
    pub iss: &'a str,
    pub sub: &'a str,
    pub aud: &'a str,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub jti: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
}

/// The same claims, owned, for jsonwebtoken (which needs `DeserializeOwned`).
#[derive(Serialize, Deserialize, Debug)]
pub struct OwnedAccessToken {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
}

/// Claims valid for five minutes around the real clock, which jsonwebtoken always uses; the
/// same instant is jwt-core's `now`, so both libraries judge the same window.
pub fn claims(now: u64) -> AccessToken<'static> {
    AccessToken {
        iss: ISSUER,
        sub: "5ba552d67c8f4e8fb7b9a1c3e4d2f6a1",
        aud: AUDIENCE,
        exp: now + 300,
        nbf: now - 5,
        iat: now - 5,
        jti: "d1f8e0a2-7c4b-4f3e-9a6d-2b5c8e1f0a3d",
        client_id: "s6BhdRkqt3-gateway-client",
        scope: "openid profile orders:read orders:write",
    }
}

pub fn token(key: &impl SigningKey) -> String {
    let fields = HeaderFields::new().typ("at+jwt").kid("2026-11-rotation-a");
    jwt_core::sign_to_string(key, &fields, &claims(jwt_core::now())).unwrap()
}

/// A fresh token of `alg`, signed with that algorithm's key above (the 2048-bit RSA key for
/// every RS* and PS*).
pub fn token_of(alg: Algorithm) -> String {
    match alg {
        Algorithm::Hs256 => token(&Hs256Key::new(SECRET).unwrap()),
        Algorithm::Hs384 => token(&Hs384Key::new(SECRET_48).unwrap()),
        Algorithm::Hs512 => token(&Hs512Key::new(SECRET_64).unwrap()),
        Algorithm::Rs256 => token(&Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Rs384 => token(&Rs384PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Rs512 => token(&Rs512PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Ps256 => token(&Ps256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Ps384 => token(&Ps384PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Ps512 => token(&Ps512PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap()),
        Algorithm::Es256 => token(&Es256PrivateKey::from_bytes(P256_SCALAR).unwrap()),
        Algorithm::Es384 => token(&Es384PrivateKey::from_bytes(P384_SCALAR).unwrap()),
        Algorithm::Es512 => token(&Es512PrivateKey::from_bytes(P521_SCALAR).unwrap()),
        Algorithm::Es256k => token(&Es256kPrivateKey::from_bytes(K256_SCALAR).unwrap()),
        Algorithm::EdDsa => token(&Ed25519PrivateKey::from_bytes(ED25519_SEED)),
        other => panic!("no key for {other:?}"),
    }
}

/// The public key of `alg`'s key above as the crates take it: the uncompressed SEC1 point
/// (ECDSA), the 32-byte encoding (Ed25519), PKCS#1 DER (RSA); for HMAC, the secret.
pub fn public_key_bytes(alg: Algorithm) -> Vec<u8> {
    match alg {
        Algorithm::Hs256 => SECRET.to_vec(),
        Algorithm::Hs384 => SECRET_48.to_vec(),
        Algorithm::Hs512 => SECRET_64.to_vec(),
        Algorithm::Rs256
        | Algorithm::Rs384
        | Algorithm::Rs512
        | Algorithm::Ps256
        | Algorithm::Ps384
        | Algorithm::Ps512 => RSA_PUB_PKCS1.to_vec(),
        Algorithm::Es256 => P256_SEC1.to_vec(),
        Algorithm::Es384 => sec1(
            Es384PrivateKey::from_bytes(P384_SCALAR)
                .unwrap()
                .public_key(),
        ),
        Algorithm::Es512 => sec1(
            Es512PrivateKey::from_bytes(P521_SCALAR)
                .unwrap()
                .public_key(),
        ),
        Algorithm::Es256k => sec1(
            Es256kPrivateKey::from_bytes(K256_SCALAR)
                .unwrap()
                .public_key(),
        ),
        Algorithm::EdDsa => Ed25519PrivateKey::from_bytes(ED25519_SEED)
            .public_key()
            .to_bytes()
            .to_vec(),
        other => panic!("no key for {other:?}"),
    }
}

fn sec1<C: jwt_core::EcdsaCurve>(key: jwt_core::EcdsaPublicKey<C>) -> Vec<u8> {
    key.to_sec1_bytes().as_ref().to_vec()
}

/// The key of `alg` as jsonwebtoken takes it, for the algorithms it verifies (it has
/// neither ES512 nor ES256K).
pub fn their_key(alg: Algorithm) -> Option<(jsonwebtoken::DecodingKey, jsonwebtoken::Algorithm)> {
    use jsonwebtoken::{Algorithm as Their, DecodingKey};
    let their_alg = match alg {
        Algorithm::Hs256 => Their::HS256,
        Algorithm::Hs384 => Their::HS384,
        Algorithm::Hs512 => Their::HS512,
        Algorithm::Rs256 => Their::RS256,
        Algorithm::Rs384 => Their::RS384,
        Algorithm::Rs512 => Their::RS512,
        Algorithm::Ps256 => Their::PS256,
        Algorithm::Ps384 => Their::PS384,
        Algorithm::Ps512 => Their::PS512,
        Algorithm::Es256 => Their::ES256,
        Algorithm::Es384 => Their::ES384,
        Algorithm::EdDsa => Their::EdDSA,
        _ => return None,
    };
    let bytes = public_key_bytes(alg);
    let key = match alg.kty() {
        "oct" => DecodingKey::from_secret(&bytes),
        "RSA" => DecodingKey::from_rsa_der(&bytes),
        "EC" => DecodingKey::from_ec_der(&bytes),
        _ => DecodingKey::from_ed_der(&bytes),
    };
    Some((key, their_alg))
}

pub fn policy() -> Validation<'static> {
    Validation::new().issuers(&[ISSUER]).audiences(&[AUDIENCE])
}

pub fn their_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.validate_nbf = true;
    v
}

/// One benchmarked call, with what it returns kept alive for `black_box`.
pub struct Case {
    pub name: &'static str,
    pub run: Box<dyn FnMut() -> usize>,
}

pub fn case(name: &'static str, run: impl FnMut() -> usize + 'static) -> Case {
    Case {
        name,
        run: Box::new(run),
    }
}

/// Times `case` alone in a criterion group, under its name.
pub fn bench(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    case: &mut Case,
) {
    group.bench_function(case.name, |b| b.iter(|| (case.run)()));
}

/// jsonwebtoken verifying `token` with the same rules as jwt-core's policy, with whichever
/// crypto provider this process installed.
pub fn theirs(token: &str, key: jsonwebtoken::DecodingKey, alg: jsonwebtoken::Algorithm) -> Case {
    let token = token.to_string();
    let validation = their_validation(alg);
    case("jsonwebtoken", move || {
        let data =
            jsonwebtoken::decode::<OwnedAccessToken>(black_box(&token), &key, &validation).unwrap();
        black_box(data.claims.sub.len())
    })
}
