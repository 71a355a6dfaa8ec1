//! jsonwebtoken on aws-lc-rs (C cryptography), the fastest peer, on the same tokens and
//! policy as `verify.rs`: `cargo bench --features aws-lc`. A binary of its own because
//! jsonwebtoken's crypto provider is chosen once per process.

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey};
use jwt_core::{Es256PrivateKey, Hs256Key, Rs256PrivateKey};

mod common;

use common::*;

fn aws_lc(c: &mut Criterion) {
    jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    )
    .expect("the first provider installed in this process");
    let hs = token(&Hs256Key::new(SECRET).unwrap());
    let es = token(&Es256PrivateKey::from_bytes(P256_SCALAR).unwrap());
    let rs = token(&Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap());
    let cases = [
        (
            "HS256",
            hs,
            DecodingKey::from_secret(SECRET),
            Algorithm::HS256,
        ),
        (
            "ES256",
            es,
            DecodingKey::from_ec_der(P256_SEC1),
            Algorithm::ES256,
        ),
        (
            "RS256",
            rs,
            DecodingKey::from_rsa_der(RSA_PUB_PKCS1),
            Algorithm::RS256,
        ),
    ];
    for (group, token, key, alg) in cases {
        let mut g = c.benchmark_group(group);
        let mut case = theirs(&token, key, alg);
        case.name = "jsonwebtoken-aws-lc-rs";
        bench(&mut g, &mut case);
        g.finish();
    }
}

criterion_group!(benches, aws_lc);
criterion_main!(benches);
