//! Verify (+ validate exp/nbf/iss/aud into a typed claims struct) of one RFC 9068-style access
//! token per algorithm: jwt-core, the raw primitives alone over the same signing input with
//! keys prepared once (the floor), and the jsonwebtoken crate (rust_crypto). Also signing and
//! reading the header. Every benchmarked call asserts success.

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_core::{Es256PrivateKey, HeaderFields, Hs256Key, Rs256PrivateKey, VerifyingKey};
mod common;
mod peers;

use common::*;

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

/// Benchmarks one peer's verifier on `token`.
fn peer(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    token: &str,
    verify: impl Fn(&str) -> usize,
) {
    c.bench_function(name, |b| b.iter(|| verify(black_box(token))));
}

fn split(token: &str) -> (&str, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').unwrap();
    (input, Base64UrlUnpadded::decode_vec(sig).unwrap())
}

/// jsonwebtoken's provider for this binary: rust_crypto (with the `aws-lc` feature the crate
/// has two, and `verify_aws_lc` benchmarks the other).
fn rust_crypto_provider() {
    // Err only when already installed by an earlier group: the same provider.
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
    );
}

fn hs256(c: &mut Criterion) {
    rust_crypto_provider();
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
    lower_bounds(&mut g, &token, &prepared, &sig);
    theirs(
        &mut g,
        "jsonwebtoken",
        &token,
        &jsonwebtoken::DecodingKey::from_secret(SECRET),
        jsonwebtoken::Algorithm::HS256,
    );
    peer(
        &mut g,
        "jwt-compact",
        &token,
        peers::jwt_compact("HS256", SECRET),
    );
    peer(
        &mut g,
        "jwt-simple",
        &token,
        peers::jwt_simple("HS256", SECRET),
    );
    g.finish();
    println!("HS256 token: {} bytes", token.len());
}

/// Two steps from the HS256 floor towards a verifier, to show what any verifier of this token
/// must spend beyond the HMAC. Neither is a verifier: the dots are found once outside the
/// loop, the header is never parsed, nothing is validated and serde-json-core accepts what
/// jwt-core refuses (duplicate members, for one). They are lower bounds for jwt-core.
/// - `floor+base64`: the floor, plus base64url decoding of the header and the payload with
///   jwt-core's decoder and their UTF-8 check;
/// - `floor+base64+serde-json-core`: that, plus serde-json-core reading the claims into the
///   same struct.
fn lower_bounds(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    token: &str,
    prepared: &hmac::Hmac<sha2::Sha256>,
    sig: &[u8],
) {
    use hmac::Mac;
    let (input, _) = token.rsplit_once('.').unwrap();
    let (header, payload) = input.split_once('.').unwrap();
    assert_eq!(header.len() + 1 + payload.len(), input.len());
    let decode = |buf: &mut [u8; 1024]| {
        let token = black_box(token);
        let mut mac = prepared.clone();
        mac.update(&token.as_bytes()[..input.len()]);
        mac.verify_slice(sig).unwrap();
        let len = jwt_core::base64url::decode(&token.as_bytes()[..header.len()], buf).unwrap();
        core::str::from_utf8(&buf[..len]).unwrap();
        let len =
            jwt_core::base64url::decode(&token.as_bytes()[header.len() + 1..input.len()], buf)
                .unwrap();
        core::str::from_utf8(&buf[..len]).unwrap();
        len
    };
    g.bench_function("floor+base64", |b| {
        let mut buf = [0u8; 1024];
        b.iter(|| decode(&mut buf))
    });
    g.bench_function("floor+base64+serde-json-core", |b| {
        let mut buf = [0u8; 1024];
        b.iter(|| {
            let len = decode(&mut buf);
            let (claims, _): (AccessToken, usize) =
                serde_json_core::from_slice(&buf[..len]).unwrap();
            black_box(claims.sub.len())
        })
    });
}

fn es256(c: &mut Criterion) {
    rust_crypto_provider();
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
        "jsonwebtoken",
        &token,
        &jsonwebtoken::DecodingKey::from_ec_der(P256_SEC1),
        jsonwebtoken::Algorithm::ES256,
    );
    peer(
        &mut g,
        "jwt-compact",
        &token,
        peers::jwt_compact("ES256", P256_SEC1),
    );
    peer(
        &mut g,
        "jwt-simple",
        &token,
        peers::jwt_simple("ES256", P256_SEC1),
    );
    g.finish();
}

fn rs256(c: &mut Criterion) {
    rust_crypto_provider();
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
        "jsonwebtoken",
        &token,
        &jsonwebtoken::DecodingKey::from_rsa_der(RSA_PUB_PKCS1),
        jsonwebtoken::Algorithm::RS256,
    );
    peer(
        &mut g,
        "jwt-compact",
        &token,
        peers::jwt_compact("RS256", RSA_PUB_PKCS1),
    );
    peer(
        &mut g,
        "jwt-simple",
        &token,
        peers::jwt_simple("RS256", RSA_PUB_SPKI),
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

/// Choosing the key for a token's `alg` and `kid` in a JWK Set of 1, 10 and 100 ES256 keys
/// (the token's `kid` is the set's last): the cost should barely grow with the set.
fn key_set_lookup(c: &mut Criterion) {
    use base64ct::{Base64UrlUnpadded, Encoding};
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

criterion_group!(
    benches,
    hs256,
    es256,
    rs256,
    sign_and_header,
    key_set_lookup
);
criterion_main!(benches);
