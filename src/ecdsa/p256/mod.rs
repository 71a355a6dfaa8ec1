//! ES256: ECDSA on P-256 with SHA-256, verified with per-key tables.
//!
//! Verification (SEC 1 section 4.1.4) computes `u1 = z/s` and `u2 = r/s`, then
//! `R = u1·G + u2·Q`, and accepts when the x-coordinate of `R`, reduced modulo `n`, is `r`.
//! Every input is public (key, message, signature), so the computation of `R` may take
//! variable time. 64-bit targets compute it from per-key tables (`wnaf.rs`), except for a
//! key used once ([`UsedOnce`], `once.rs`); 32-bit targets, where tables cost flash and
//! stack, walk the joint sparse form of `(u1, u2)` (`jsf.rs`).

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey as P256SigningKey, VerifyingKey as P256VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, NistP256, Scalar};
use sha2::{Digest, Sha256};

use super::EcdsaCurve;
use crate::algorithm::{Algorithm, sealed};

/// Length of an ES256 signature: `r || s`, 32 bytes each (RFC 7518 section 3.4).
const SIGNATURE_LEN: usize = 64;

#[cfg(target_pointer_width = "64")]
mod field;
#[cfg(target_pointer_width = "64")]
mod generator_tables;
#[cfg(target_pointer_width = "64")]
mod jacobian;
#[cfg(any(not(target_pointer_width = "64"), test))]
mod jsf;
#[cfg(target_pointer_width = "64")]
mod once;
#[cfg(target_pointer_width = "64")]
mod wnaf;

/// What a public key keeps to verify with, built once at import.
#[cfg(not(target_pointer_width = "64"))]
use jsf::NoTables as Precomputed;
#[cfg(target_pointer_width = "64")]
use wnaf::KeyTables as Precomputed;

/// `(u1, u2) = (z/s, r/s)` for the SHA-256 `digest` and a signature `(r, s)` whose halves
/// are both in `[1, n-1]` (checked by the caller).
fn scalars(digest: &FieldBytes, r: &Scalar, s: &Scalar) -> Option<(Scalar, Scalar)> {
    let s_inv = Option::<Scalar>::from(s.invert_vartime())?;
    let z = <Scalar as Reduce<FieldBytes>>::reduce(digest);
    Some((z * s_inv, *r * s_inv))
}

/// Whether the x-coordinate of `point`, reduced modulo `n`, is `r`. The identity's affine x
/// is zero, which no `r` equals. (The 64-bit path compares in Jacobian coordinates.)
#[cfg(any(not(target_pointer_width = "64"), test))]
fn x_is_r(point: &p256::ProjectivePoint, r: &Scalar) -> bool {
    use p256::elliptic_curve::point::AffineCoordinates;
    let x = point.to_affine().x();
    <Scalar as Reduce<FieldBytes>>::reduce(&x) == *r
}

/// What a P-256 public key keeps: the point, and what it precomputed to verify with.
#[derive(Clone, Copy)]
pub struct Verifier {
    key: P256VerifyingKey,
    precomputed: Precomputed,
}

impl PartialEq for Verifier {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.key.fmt(f)
    }
}

impl Verifier {
    fn new(key: P256VerifyingKey) -> Self {
        Verifier {
            precomputed: Precomputed::new(key.as_affine()),
            key,
        }
    }
}

impl sealed::Sealed for NistP256 {}

impl EcdsaCurve for NistP256 {
    const ALGORITHM: Algorithm = Algorithm::Es256;
    const FIELD_LEN: usize = 32;
    type Verifier = Verifier;
    type Signer = P256SigningKey;
    type Sec1 = [u8; 65];

    fn verifier(sec1: &[u8]) -> Option<Verifier> {
        point(sec1).map(Verifier::new)
    }

    fn sec1(verifier: &Verifier) -> [u8; 65] {
        sec1_of(&verifier.key)
    }

    fn verifies(verifier: &Verifier, message: &[u8], signature: &[u8]) -> bool {
        verifies_with(message, signature, |digest, r, s| {
            verifier
                .precomputed
                .verify(verifier.key.as_affine(), digest, r, s)
        })
    }

    fn signer(scalar: &[u8]) -> Option<P256SigningKey> {
        P256SigningKey::from_slice(scalar).ok()
    }

    fn verifier_of(signer: &P256SigningKey) -> Verifier {
        Verifier::new(*signer.verifying_key())
    }

    fn sign(signer: &P256SigningKey, message: &[u8], out: &mut [u8]) -> Option<()> {
        sign(signer, message, out)
    }
}

/// ES256 on P-256 for a key that verifies one signature, such as a DPoP proof's: the curve
/// and algorithm of [`NistP256`], and the same import checks, but no per-key tables, which
/// cost more to build than the one verification they would serve (`once.rs`). On 32-bit
/// targets, where no key has tables, it is [`NistP256`].
#[cfg(target_pointer_width = "64")]
pub(crate) enum UsedOnce {}

/// ES256 on P-256 for a key that verifies one signature: on 32-bit targets every key
/// verifies without tables, so this is [`NistP256`] itself.
#[cfg(not(target_pointer_width = "64"))]
pub(crate) type UsedOnce = NistP256;

#[cfg(target_pointer_width = "64")]
impl sealed::Sealed for UsedOnce {}

#[cfg(target_pointer_width = "64")]
impl EcdsaCurve for UsedOnce {
    const ALGORITHM: Algorithm = Algorithm::Es256;
    const FIELD_LEN: usize = 32;
    type Verifier = P256VerifyingKey;
    type Signer = P256SigningKey;
    type Sec1 = [u8; 65];

    fn verifier(sec1: &[u8]) -> Option<P256VerifyingKey> {
        point(sec1)
    }

    fn sec1(verifier: &P256VerifyingKey) -> [u8; 65] {
        sec1_of(verifier)
    }

    fn verifies(verifier: &P256VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
        verifies_with(message, signature, |digest, r, s| {
            once::verify(verifier.as_affine(), digest, r, s)
        })
    }

    fn signer(scalar: &[u8]) -> Option<P256SigningKey> {
        P256SigningKey::from_slice(scalar).ok()
    }

    fn verifier_of(signer: &P256SigningKey) -> P256VerifyingKey {
        *signer.verifying_key()
    }

    fn sign(signer: &P256SigningKey, message: &[u8], out: &mut [u8]) -> Option<()> {
        sign(signer, message, out)
    }
}

/// The point of a SEC1 encoding, if it is one on the curve and not the identity.
fn point(sec1: &[u8]) -> Option<P256VerifyingKey> {
    P256VerifyingKey::from_sec1_bytes(sec1).ok()
}

fn sec1_of(key: &P256VerifyingKey) -> [u8; 65] {
    let mut out = [0u8; 65];
    out.copy_from_slice(key.to_sec1_point(false).as_bytes());
    out
}

/// Whether `signature` is exactly 64 bytes, `r || s` with both in `[1, n-1]`, and
/// `verify(digest, r, s)` accepts it for the SHA-256 `digest` of `message`.
fn verifies_with(
    message: &[u8],
    signature: &[u8],
    verify: impl FnOnce(&FieldBytes, &Scalar, &Scalar) -> bool,
) -> bool {
    // `from_slice` takes exactly 64 bytes and refuses r or s of 0 or >= n.
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    let (r, s) = signature.split_scalars();
    verify(&Sha256::digest(message), &r, &s)
}

fn sign(signer: &P256SigningKey, message: &[u8], out: &mut [u8]) -> Option<()> {
    let signature: Signature = signer.try_sign(message).ok()?;
    let bytes = signature.to_bytes();
    out.get_mut(..SIGNATURE_LEN)?.copy_from_slice(&bytes);
    Some(())
}

/// What the tests of the verification paths (`wnaf.rs`, `jsf.rs`, `once.rs`) share.
#[cfg(test)]
mod test_support {
    use p256::ecdsa::signature::{Signer, Verifier};
    use p256::ecdsa::{Signature, SigningKey};
    use p256::{AffinePoint, FieldBytes, Scalar};
    use proptest::prelude::*;
    use sha2::{Digest, Sha256};
    use std::vec::Vec;

    /// One random case: the key of `scalar` signs `message`, then `variant` keeps the
    /// signature (0), replaces `s` with `n - s` (1), changes the message (2) or the key (3),
    /// and `corruption` may replace one byte of the signature.
    #[derive(Debug, Clone)]
    pub(super) struct Case {
        scalar: [u8; 32],
        other_scalar: [u8; 32],
        message: Vec<u8>,
        variant: u8,
        corruption: Option<(usize, u8)>,
    }

    /// Runs every Wycheproof ECDSA P-256 P1363 case through `verify` after the range checks
    /// of `Es256PublicKey` (exactly 64 bytes, r and s in [1, n-1]), asserting each verdict;
    /// returns how many were valid and invalid.
    pub(super) fn wycheproof_p1363(
        verify: fn(&AffinePoint, &FieldBytes, &Scalar, &Scalar) -> bool,
    ) -> (usize, usize) {
        let file: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/data/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json"
        ))
        .unwrap();
        let hex = |text: &serde_json::Value| -> Vec<u8> {
            let text = text.as_str().unwrap();
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
                .collect()
        };
        let (mut valid, mut invalid) = (0, 0);
        for group in file["testGroups"].as_array().unwrap() {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&hex(
                &group["publicKey"]["uncompressed"],
            ))
            .unwrap();
            for test in group["tests"].as_array().unwrap() {
                let accepted = Signature::from_slice(&hex(&test["sig"])).is_ok_and(|sig| {
                    let (r, s) = sig.split_scalars();
                    verify(key.as_affine(), &Sha256::digest(hex(&test["msg"])), &r, &s)
                });
                let expected = test["result"] == "valid";
                assert_eq!(accepted, expected, "tcId {}", test["tcId"]);
                *if expected { &mut valid } else { &mut invalid } += 1;
            }
        }
        (valid, invalid)
    }

    pub(super) fn cases() -> impl Strategy<Value = Case> {
        (
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 0..100),
            0u8..4,
            proptest::option::of((0usize..64, any::<u8>())),
        )
            .prop_map(
                |(scalar, other_scalar, message, variant, corruption)| Case {
                    scalar,
                    other_scalar,
                    message,
                    variant,
                    corruption,
                },
            )
    }

    /// What a verification path `ours(q, digest, r, s)` and p256's verification say of
    /// `case`, or `None` when a scalar is not a key.
    pub(super) fn against_p256(
        case: &Case,
        ours: impl Fn(&AffinePoint, &FieldBytes, &Scalar, &Scalar) -> bool,
    ) -> Option<(bool, bool)> {
        let signing = SigningKey::from_slice(&case.scalar).ok()?;
        let other = SigningKey::from_slice(&case.other_scalar).ok()?;
        let signature: Signature = signing.sign(&case.message);
        let mut bytes = signature.to_bytes();
        let mut key = *signing.verifying_key();
        let mut checked = case.message.clone();
        match case.variant {
            1 => bytes[32..].copy_from_slice(&(-*signature.s()).to_bytes()),
            2 => checked.push(0),
            3 => key = *other.verifying_key(),
            _ => {}
        }
        if let Some((at, value)) = case.corruption {
            bytes[at] = value;
        }
        Some(match Signature::from_slice(&bytes) {
            Ok(candidate) => {
                let (r, s) = candidate.split_scalars();
                let digest = Sha256::digest(&checked);
                (
                    ours(key.as_affine(), &digest, &r, &s),
                    key.verify(&checked, &candidate).is_ok(),
                )
            }
            Err(_) => (false, false),
        })
    }
}
