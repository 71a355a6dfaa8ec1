//! The DPoP cases, built once and shared: `dpop.rs` times proofs with criterion, and
//! `ratios.rs` counts their instructions (`benches/callgrind.sh DPoP "ES256 proof"`) and
//! times an ES256 proof beside the ES256 token it comes with. A resource server does both
//! for each DPoP request: the proof, whose key it imports from the proof's header, and the
//! access token, with its issuer's key prepared beforehand.
#![allow(dead_code)]

use std::hint::black_box;

use jwt_core::dpop::{self, Policy, ProofClaims, ProofKey, Request};
use jwt_core::{Ed25519PrivateKey, Es256PrivateKey, HeaderFields};

use crate::common::{self, AccessToken, Case, ED25519_SEED, P256_SCALAR, case};

pub const URI: &str = "https://api.example/orders";
/// A `jti` of 96 random bits, as RFC 9449 asks.
pub const JTI: &str = "hBHnb3Y2vGmR0wVx";
/// The clock of the cases here: a fixed instant, so that every run signs the same bytes and
/// gets the same signatures, whose scalars decide part of the work an ECDSA verification
/// does (instruction counts differ by a few thousand from one signature to another).
const NOW: u64 = 1_800_000_000;

/// A proof by `key` for `GET URI` with `token`, issued at `now`.
pub fn proof(key: &impl ProofKey, token: &str, now: u64) -> String {
    let claims = ProofClaims::new(JTI, "GET", URI, now).access_token(token);
    let mut out = [0u8; 1024];
    dpop::make_proof(key, &claims, &mut out).unwrap().to_owned()
}

/// `dpop::verify_proof` of `key`'s proof for the request with `token`, asserting success.
fn proof_case(name: &'static str, key: &impl ProofKey, token: &str) -> Case {
    let now = NOW;
    let proof = proof(key, token, now);
    let token = token.to_owned();
    let mut buf = vec![0u8; proof.len()];
    case(name, move || {
        let request = Request::new("GET", URI).access_token(&token);
        let verified =
            dpop::verify_proof(black_box(&proof), &request, &Policy::new(), now, &mut buf).unwrap();
        verified.thumbprint().len()
    })
}

/// The cases of the group `DPoP`: an ES256 proof, an EdDSA proof, and the ES256 access
/// token both are made for, verified with its issuer's key prepared beforehand (tables
/// built).
pub fn group() -> Vec<Case> {
    let es256 = Es256PrivateKey::from_bytes(P256_SCALAR).unwrap();
    let fields = HeaderFields::new().typ("at+jwt").kid("2026-11-rotation-a");
    let token = jwt_core::sign_to_string(&es256, &fields, &common::claims(NOW)).unwrap();
    let issuer = es256.public_key();
    let policy = common::policy();
    let now = NOW;
    let checked = token.clone();
    let mut buf = [0u8; 1024];
    vec![
        proof_case("ES256 proof", &es256, &token),
        proof_case(
            "EdDSA proof",
            &Ed25519PrivateKey::from_bytes(ED25519_SEED),
            &token,
        ),
        case("ES256 token", move || {
            let claims: AccessToken =
                jwt_core::verify(black_box(&checked), &issuer, &policy, now, &mut buf).unwrap();
            black_box(claims.sub.len())
        }),
    ]
}
