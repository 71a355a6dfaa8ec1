//! DPoP proof verification: `jwt_core::dpop::verify_proof` (every check of RFC 9449 section
//! 4.3 but the replay check) of a proof for `GET https://api.example/orders` with an access
//! token, as a resource server makes it for each request. The key comes from the proof's
//! header, so it is imported on every call.
//!
//! - ES256 and EdDSA proofs, the algorithms clients use (node-oidc-provider enables only
//!   these two by default), and ES384, the dearest curve a proof may use;
//! - proofs whose header carries an RSA key of 2048, 4096 and 8192 bits and whose signature
//!   is forged: what anyone, without a key or a token, can make a server spend, since the
//!   proof is refused only once its signature is checked.
//!
//! Every benchmarked call asserts its outcome.
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench dpop`

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_core::dpop::{self, Policy, ProofError, Request};
use jwt_core::{Algorithm, Ed25519PrivateKey, Es256PrivateKey, Es384PrivateKey};
use sha2::{Digest, Sha256};

mod common;
mod dpop_cases;

use common::{ED25519_SEED, P256_SCALAR, P384_SCALAR};
use dpop_cases::{JTI, URI, proof};

/// A proof with an RSA key of `bits` bits in its header and a signature that is not one:
/// the modulus is odd, has the top bit set and otherwise pseudo-random bytes, so it imports
/// (nothing checks that it is a product of two primes), and the signature is a number below
/// it.
fn forged_rsa_proof(bits: usize, token: &str, now: u64) -> String {
    let b64 = |bytes: &[u8]| Base64UrlUnpadded::encode_string(bytes);
    let mut n: Vec<u8> = (0u32..)
        .flat_map(|block| Sha256::digest(block.to_be_bytes()))
        .take(bits / 8)
        .collect();
    n[0] |= 0x80;
    *n.last_mut().unwrap() |= 1;
    let mut signature = n.clone();
    signature[0] = 0x7f;
    let header = format!(
        r#"{{"typ":"dpop+jwt","alg":"RS256","jwk":{{"kty":"RSA","n":"{}","e":"AQAB"}}}}"#,
        b64(&n)
    );
    let ath = b64(&Sha256::digest(token.as_bytes()));
    let payload =
        format!(r#"{{"jti":"{JTI}","htm":"GET","htu":"{URI}","iat":{now},"ath":"{ath}"}}"#);
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(&signature)
    )
}

fn verify_proofs(c: &mut Criterion) {
    let token = common::token_of(Algorithm::Es256);
    let now = jwt_core::now();
    let request = Request::new("GET", URI).access_token(&token);
    let policy = Policy::new();
    let mut g = c.benchmark_group("DPoP proof");
    let proofs = [
        (
            "ES256",
            proof(
                &Es256PrivateKey::from_bytes(P256_SCALAR).unwrap(),
                &token,
                now,
            ),
        ),
        (
            "EdDSA",
            proof(&Ed25519PrivateKey::from_bytes(ED25519_SEED), &token, now),
        ),
        (
            "ES384",
            proof(
                &Es384PrivateKey::from_bytes(P384_SCALAR).unwrap(),
                &token,
                now,
            ),
        ),
    ];
    for (name, proof) in &proofs {
        let mut buf = vec![0u8; proof.len()];
        g.bench_function(*name, |b| {
            b.iter(|| {
                let verified =
                    dpop::verify_proof(black_box(proof), &request, &policy, now, &mut buf).unwrap();
                verified.thumbprint().len()
            })
        });
        println!("{name} proof: {} bytes", proof.len());
    }
    for bits in [2048, 4096, 8192] {
        let proof = forged_rsa_proof(bits, &token, now);
        let mut buf = vec![0u8; proof.len()];
        g.bench_function(format!("RS256 {bits}-bit key, forged"), |b| {
            b.iter(|| {
                let refused =
                    dpop::verify_proof(black_box(&proof), &request, &policy, now, &mut buf);
                assert_eq!(refused.err(), Some(ProofError::Signature.into()));
            })
        });
        println!("RS256 {bits}-bit proof: {} bytes", proof.len());
    }
    g.finish();
}

criterion_group!(benches, verify_proofs);
criterion_main!(benches);
