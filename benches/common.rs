//! What the benchmarks share: keys, the RFC 9068-style access token, its claims types and the
//! policies, and the jsonwebtoken benchmark (run with whichever crypto provider the process
//! installed).
#![allow(dead_code)]

use std::hint::black_box;

use jwt_core::{HeaderFields, SigningKey, Validation};
use serde::{Deserialize, Serialize};

pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
pub const P256_SCALAR: &[u8; 32] = include_bytes!("../tests/data/keys/p256.scalar");
pub const RSA_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pkcs1.der");
pub const RSA_PUB_PKCS1: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pub.pkcs1.der");
pub const P256_SEC1: &[u8] = include_bytes!("../tests/data/keys/p256.pub.sec1");
pub const RSA_PUB_SPKI: &[u8] = include_bytes!("../tests/data/keys/rsa2048.pub.spki.der");
pub const ISSUER: &str = "https://auth.example.com/realms/production";
pub const AUDIENCE: &str = "https://api.example.com";

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
