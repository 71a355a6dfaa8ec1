//! Verify (+ validate exp/nbf/iss/aud into a typed claims struct) of one RFC 9068-style access
//! token per algorithm: jwt-core, the raw primitives alone over the same signing input with
//! keys prepared once (the floor), and the jsonwebtoken crate (rust_crypto). Also signing and
//! reading the header. Every benchmarked call asserts success.

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_core::{
    Es256PrivateKey, HeaderFields, Hs256Key, Rs256PrivateKey, SigningKey, Validation, VerifyingKey,
};
use serde::{Deserialize, Serialize};

const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const P256_SCALAR: &[u8; 32] = include_bytes!("../tests/data/keys/p256.scalar");
const RSA_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pkcs1.der");
const RSA_PUB_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pub.pkcs1.der");
const P256_SEC1: &[u8] = include_bytes!("../tests/data/keys/p256.pub.sec1");
const ISSUER: &str = "https://auth.example.com/realms/production";
const AUDIENCE: &str = "https://api.example.com";

/// RFC 9068 access token claims, borrowed where jwt-core can borrow.
#[derive(Serialize, Deserialize, Debug)]
struct AccessToken<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: &'a str,
    client_id: &'a str,
    scope: &'a str,
}

/// The same claims, owned, for jsonwebtoken (which needs `DeserializeOwned`).
#[derive(Serialize, Deserialize, Debug)]
struct OwnedAccessToken {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    client_id: String,
    scope: String,
}

/// Claims valid for five minutes around the real clock, which jsonwebtoken always uses; the
/// same instant is jwt-core's `now`, so both libraries judge the same window.
fn claims(now: u64) -> AccessToken<'static> {
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

fn token(key: &impl SigningKey) -> String {
    let fields = HeaderFields::new().typ("at+jwt").kid("2026-11-rotation-a");
    jwt_core::sign_to_string(key, &fields, &claims(jwt_core::now())).unwrap()
}

fn policy() -> Validation<'static> {
    Validation::new().issuers(&[ISSUER]).audiences(&[AUDIENCE])
}

fn their_validation(alg: jsonwebtoken::Algorithm) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.validate_nbf = true;
    v
}

fn ours(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    token: &str,
    key: &impl VerifyingKey,
) {
    let policy = policy();
    let now = jwt_core::now();
    c.bench_function("jwt-core", |b| {
        let mut buf = [0u8; 1024];
        b.iter(|| {
            let claims: AccessToken =
                jwt_core::verify(black_box(token), key, &policy, now, &mut buf).unwrap();
            black_box(claims.sub.len())
        })
    });
}

fn theirs(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    alg: jsonwebtoken::Algorithm,
) {
    let validation = their_validation(alg);
    c.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            let data = jsonwebtoken::decode::<OwnedAccessToken>(black_box(token), key, &validation)
                .unwrap();
            black_box(data.claims.sub.len())
        })
    });
}

fn split(token: &str) -> (&str, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').unwrap();
    (input, Base64UrlUnpadded::decode_vec(sig).unwrap())
}

fn hs256(c: &mut Criterion) {
    use hmac::{KeyInit, Mac};
    let key = Hs256Key::new(SECRET).unwrap();
    let token = token(&key);
    let mut g = c.benchmark_group("HS256");
    ours(&mut g, &token, &key);
    let (input, sig) = split(&token);
    let prepared = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    g.bench_function("floor", |b| {
        b.iter(|| {
            let mut mac = prepared.clone();
            mac.update(black_box(input).as_bytes());
            mac.verify_slice(&sig).unwrap()
        })
    });
    theirs(
        &mut g,
        &token,
        &jsonwebtoken::DecodingKey::from_secret(SECRET),
        jsonwebtoken::Algorithm::HS256,
    );
    g.finish();
    println!("HS256 token: {} bytes", token.len());
}

fn es256(c: &mut Criterion) {
    use p256::ecdsa::signature::Verifier;
    let key = Es256PrivateKey::from_bytes(P256_SCALAR).unwrap();
    let token = token(&key);
    let mut g = c.benchmark_group("ES256");
    ours(&mut g, &token, &key.public_key());
    let (input, sig) = split(&token);
    let raw = p256::ecdsa::VerifyingKey::from_sec1_bytes(P256_SEC1).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
    g.bench_function("floor", |b| {
        b.iter(|| raw.verify(black_box(input).as_bytes(), &sig).unwrap())
    });
    theirs(
        &mut g,
        &token,
        &jsonwebtoken::DecodingKey::from_ec_der(P256_SEC1),
        jsonwebtoken::Algorithm::ES256,
    );
    g.finish();
}

fn rs256(c: &mut Criterion) {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    let key = Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap();
    let token = token(&key);
    let mut g = c.benchmark_group("RS256");
    ours(&mut g, &token, &key.public_key());
    let (input, sig) = split(&token);
    let raw = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(
        rsa::RsaPublicKey::from_pkcs1_der(RSA_PUB_PKCS1).unwrap(),
    );
    let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
    g.bench_function("floor", |b| {
        b.iter(|| raw.verify(black_box(input).as_bytes(), &sig).unwrap())
    });
    theirs(
        &mut g,
        &token,
        &jsonwebtoken::DecodingKey::from_rsa_der(RSA_PUB_PKCS1),
        jsonwebtoken::Algorithm::RS256,
    );
    g.finish();
}

fn sign_and_header(c: &mut Criterion) {
    let hs = Hs256Key::new(SECRET).unwrap();
    let es = Es256PrivateKey::from_bytes(P256_SCALAR).unwrap();
    let rs = Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap();
    let fields = HeaderFields::new().typ("at+jwt").kid("2026-11-rotation-a");
    let mut g = c.benchmark_group("sign");
    let mut out = [0u8; 1024];
    let claims = claims(jwt_core::now());
    g.bench_function("HS256", |b| {
        b.iter(|| {
            jwt_core::sign(&hs, &fields, black_box(&claims), &mut out)
                .unwrap()
                .len()
        })
    });
    g.bench_function("ES256", |b| {
        b.iter(|| {
            jwt_core::sign(&es, &fields, black_box(&claims), &mut out)
                .unwrap()
                .len()
        })
    });
    g.bench_function("RS256", |b| {
        b.iter(|| {
            jwt_core::sign(&rs, &fields, black_box(&claims), &mut out)
                .unwrap()
                .len()
        })
    });
    g.finish();
    let token = token(&hs);
    let mut g = c.benchmark_group("decode_header");
    let mut buf = [0u8; 256];
    g.bench_function("jwt-core", |b| {
        b.iter(|| {
            jwt_core::decode_header(black_box(&token), &mut buf)
                .unwrap()
                .alg
        })
    });
    g.finish();
}

criterion_group!(benches, hs256, es256, rs256, sign_and_header);
criterion_main!(benches);
