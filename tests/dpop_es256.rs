//! An ES256 DPoP proof is verified with its header's key imported for that one signature,
//! without the per-key tables of an `Es256PublicKey` (on 64-bit targets, a computation of
//! its own). Its verdict on a proof's signature must be that of the same key imported as an
//! `Es256PublicKey` (the tables) and that of the p256 crate: random keys and requests;
//! valid signatures and the malleated `(r, n - s)`; one flipped bit; `r` or `s` replaced by
//! 0, 1, n - 1, n, n + 1 or 2^256 - 1; a header naming another key than the signer's.
#![cfg(all(feature = "std", feature = "p256"))]

mod common;

use common::{b64, unb64};
use jwt_core::dpop::{self, Policy, ProofError, Request};
use jwt_core::{Error, Es256PrivateKey, Es256PublicKey, Jwk, SigningKey, VerifyingKey};
use p256::ecdsa::signature::Verifier;
use p256::elliptic_curve::ff::PrimeField;
use proptest::prelude::*;
use serde_json::{Value, json};

const URI: &str = "https://api.example/orders";
const NOW: u64 = 1_800_000_000;

/// What is done to a proof before it is verified.
#[derive(Debug, Clone)]
enum Change {
    None,
    /// `s` replaced by `n - s`, which also verifies (ECDSA is malleable; JWS accepts it).
    Malleate,
    /// One bit of `r || s` flipped.
    FlipBit(usize),
    /// `r` replaced by `EDGES[i]`.
    R(usize),
    /// `s` replaced by `EDGES[i]`.
    S(usize),
    /// The header names another key; the signer's signature is kept.
    OtherKey,
}

/// 0, 1, n - 1, n, n + 1, 2^256 - 1: the bounds of `[1, n-1]` and the largest 32 bytes.
const EDGES: [&str; 6] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

fn edge(i: usize) -> [u8; 32] {
    let text = EDGES[i];
    std::array::from_fn(|k| u8::from_str_radix(&text[2 * k..2 * k + 2], 16).unwrap())
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::None),
        Just(Change::Malleate),
        (0usize..512).prop_map(Change::FlipBit),
        (0usize..EDGES.len()).prop_map(Change::R),
        (0usize..EDGES.len()).prop_map(Change::S),
        Just(Change::OtherKey),
    ]
}

fn ec_jwk(key: &Es256PrivateKey) -> Value {
    let sec1 = key.public_key().to_sec1_bytes();
    json!({"kty": "EC", "crv": "P-256", "x": b64(&sec1[1..33]), "y": b64(&sec1[33..])})
}

/// The proof's signing input, its signature after `change`, and its header's key.
fn proof_parts(
    signer: &Es256PrivateKey,
    other: &Es256PrivateKey,
    jti: &str,
    change: &Change,
) -> (String, Vec<u8>, Value) {
    let jwk = ec_jwk(if matches!(change, Change::OtherKey) {
        other
    } else {
        signer
    });
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
    let payload = json!({"jti": jti, "htm": "GET", "htu": URI, "iat": NOW});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let mut signature = vec![0u8; 64];
    signer
        .sign_signature(input.as_bytes(), &mut signature)
        .unwrap();
    match *change {
        Change::Malleate => {
            let s: [u8; 32] = signature[32..].try_into().unwrap();
            let s = Option::<p256::Scalar>::from(p256::Scalar::from_repr(s.into())).unwrap();
            signature[32..].copy_from_slice(&(-s).to_repr());
        }
        Change::FlipBit(bit) => signature[bit / 8] ^= 1 << (bit % 8),
        Change::R(i) => signature[..32].copy_from_slice(&edge(i)),
        Change::S(i) => signature[32..].copy_from_slice(&edge(i)),
        Change::None | Change::OtherKey => {}
    }
    (input, signature, jwk)
}

/// Whether `dpop::verify_proof` accepts the proof; any refusal but the signature's fails.
fn proof_verdict(input: &str, signature: &[u8]) -> bool {
    let proof = format!("{input}.{}", b64(signature));
    let mut buf = vec![0u8; proof.len()];
    match dpop::verify_proof(
        &proof,
        &Request::new("GET", URI),
        &Policy::new(),
        NOW,
        &mut buf,
    ) {
        Ok(_) => true,
        Err(Error::Dpop(ProofError::Signature)) => false,
        Err(other) => panic!("refused for another reason: {other:?}"),
    }
}

/// Whether the header's key, imported as an `Es256PublicKey` (with its tables), accepts.
fn tables_verdict(input: &str, signature: &[u8], jwk: &Value) -> bool {
    let text = jwk.to_string();
    let key = Es256PublicKey::from_jwk(&Jwk::parse(text.as_bytes()).unwrap()).unwrap();
    key.verify_signature(input.as_bytes(), signature).is_ok()
}

/// Whether p256 accepts, with the range checks of `Signature::from_slice`.
fn p256_verdict(input: &str, signature: &[u8], jwk: &Value) -> bool {
    let coordinate = |name: &str| unb64(jwk[name].as_str().unwrap());
    let sec1 = [vec![4], coordinate("x"), coordinate("y")].concat();
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    p256::ecdsa::Signature::from_slice(signature)
        .is_ok_and(|signature| key.verify(input.as_bytes(), &signature).is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn es256_proof_verdicts_agree_with_the_tables_and_p256(
        scalar in any::<[u8; 32]>(),
        other_scalar in any::<[u8; 32]>(),
        jti in "[A-Za-z0-9_-]{1,40}",
        change in change(),
    ) {
        let (Ok(signer), Ok(other)) = (
            Es256PrivateKey::from_bytes(&scalar),
            Es256PrivateKey::from_bytes(&other_scalar),
        ) else {
            return Ok(());
        };
        prop_assume!(scalar != other_scalar);
        let (input, signature, jwk) = proof_parts(&signer, &other, &jti, &change);
        let proof = proof_verdict(&input, &signature);
        prop_assert_eq!(proof, tables_verdict(&input, &signature, &jwk), "the tables differ");
        prop_assert_eq!(proof, p256_verdict(&input, &signature, &jwk), "p256 differs");
        let expected = matches!(change, Change::None | Change::Malleate);
        prop_assert_eq!(proof, expected);
    }
}

/// The edge values of `r` and `s` on one fixed key, each alone: refused by all three.
#[test]
fn every_edge_of_r_and_s_is_refused_by_all_three() {
    let signer = Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap();
    let other = Es256PrivateKey::from_bytes(&[0x5C; 32]).unwrap();
    for i in 0..EDGES.len() {
        for change in [Change::R(i), Change::S(i)] {
            let (input, signature, jwk) = proof_parts(&signer, &other, "j", &change);
            assert!(!proof_verdict(&input, &signature), "{change:?}");
            assert!(!tables_verdict(&input, &signature, &jwk), "{change:?}");
            assert!(!p256_verdict(&input, &signature, &jwk), "{change:?}");
        }
    }
    let (input, signature, jwk) = proof_parts(&signer, &other, "j", &Change::None);
    assert!(proof_verdict(&input, &signature));
    assert!(tables_verdict(&input, &signature, &jwk));
    assert!(p256_verdict(&input, &signature, &jwk));
}
