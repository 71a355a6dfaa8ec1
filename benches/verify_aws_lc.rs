//! jsonwebtoken on aws-lc-rs (C cryptography), the fastest peer, on tokens of the same shape
//! and the same policy as `verify.rs`, for every algorithm jsonwebtoken has:
//! `cargo bench --features aws-lc`. A binary of its own because jsonwebtoken's crypto
//! provider is chosen once per process.

use criterion::{Criterion, criterion_group, criterion_main};

mod common;

use common::*;

fn aws_lc(c: &mut Criterion) {
    jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    )
    .expect("the first provider installed in this process");
    for alg in ALGORITHMS {
        let Some((key, their_alg)) = their_key(alg) else {
            continue;
        };
        let mut g = c.benchmark_group(alg.name());
        let mut case = theirs(&token_of(alg), key, their_alg);
        case.name = "jsonwebtoken-aws-lc-rs";
        bench(&mut g, &mut case);
        g.finish();
    }
}

criterion_group!(benches, aws_lc);
criterion_main!(benches);
