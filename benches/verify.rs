//! Verify (+ validate exp/nbf/iss/aud into a typed claims struct) of one RFC 9068-style access
//! token per algorithm, every algorithm jwt-core has: jwt-core, the raw primitives alone over
//! the same signing input with keys prepared once (the floor), jsonwebtoken where it has the
//! algorithm, the other peers for HS256, ES256 and RS256, and with the `aws-lc` feature
//! aws-lc's own verification. Also signing, importing keys and reading the header. Every
//! benchmarked call asserts success.

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_core::{Es256PrivateKey, HeaderFields, Hs256Key, Rs256PrivateKey, VerifyingKey};
mod cases;
mod common;
mod peers;

use common::*;

/// Each algorithm's cases (`cases.rs`), each timed alone.
fn verify(c: &mut Criterion) {
    for alg in common::ALGORITHMS {
        let group = cases::group(alg);
        let mut g = c.benchmark_group(group.name);
        for mut case in group.cases {
            bench(&mut g, &mut case);
        }
        g.finish();
        println!("{} token: {} bytes", group.name, group.token.len());
    }
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
    // Importing a public key does the per-key precomputation (ES256 tables, RS256
    // Montgomery parameters), once per key rather than per token.
    let mut g = c.benchmark_group("import");
    g.bench_function("ES256", |b| {
        b.iter(|| jwt_core::Es256PublicKey::from_sec1_bytes(black_box(P256_SEC1)).unwrap())
    });
    g.bench_function("RS256", |b| {
        b.iter(|| jwt_core::Rs256PublicKey::from_pkcs1_der(black_box(RSA_PUB_PKCS1)).unwrap())
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

/// Choosing the key for a token's `alg` and `kid` in a JWK Set of 1, 10 and 100 ES256 keys
/// (the token's `kid` is the set's last): the cost should barely grow with the set.
fn key_set_lookup(c: &mut Criterion) {
    let (x, y) = (&P256_SEC1[1..33], &P256_SEC1[33..65]);
    let (x, y) = (
        Base64UrlUnpadded::encode_string(x),
        Base64UrlUnpadded::encode_string(y),
    );
    let mut g = c.benchmark_group("JwkSet::select");
    for n in [1usize, 10, 100] {
        let keys: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    r#"{{"kty":"EC","crv":"P-256","alg":"ES256","kid":"2026-11-key-{i}","x":"{x}","y":"{y}"}}"#
                )
            })
            .collect();
        let set = jwt_core::JwkSet::<100>::parse(
            format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes(),
        )
        .unwrap();
        let header = format!(r#"{{"alg":"ES256","kid":"2026-11-key-{}"}}"#, n - 1);
        let token = format!(
            "{}.e30.c2ln",
            Base64UrlUnpadded::encode_string(header.as_bytes())
        );
        let mut buf = [0u8; 128];
        let header = jwt_core::decode_header(&token, &mut buf).unwrap();
        g.bench_function(format!("{n} keys"), |b| {
            b.iter(|| {
                set.select(black_box(header.alg), black_box(header.kid))
                    .unwrap()
                    .algorithm()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, verify, sign_and_header, key_set_lookup);
criterion_main!(benches);
