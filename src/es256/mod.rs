//! ES256: ECDSA on P-256 with SHA-256, raw `r || s` signatures (RFC 7518 section 3.4).
//!
//! Verification (SEC 1 section 4.1.4) computes `u1 = z/s` and `u2 = r/s`, then
//! `R = u1·G + u2·Q`, and accepts when the x-coordinate of `R`, reduced modulo `n`, is `r`.
//! Every input is public (key, message, signature), so the computation of `R` may take
//! variable time. 64-bit targets compute it from per-key tables (`wnaf.rs`); 32-bit targets,
//! where tables cost flash and stack, walk the joint sparse form of `(u1, u2)` (`jsf.rs`).

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey as P256SigningKey, VerifyingKey as P256VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, Scalar};
use sha2::{Digest, Sha256};

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
use crate::error::Error;

/// Length of an ES256 signature: `r || s`, 32 bytes each (RFC 7518 section 3.4).
const SIGNATURE_LEN: usize = 64;

#[cfg(target_pointer_width = "64")]
mod generator_tables;
#[cfg(target_pointer_width = "64")]
mod jacobian;
#[cfg(any(not(target_pointer_width = "64"), test))]
mod jsf;
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

/// An ES256 public key: a point on P-256, validated on import (checklist V-E4).
///
/// Signatures must be exactly 64 bytes, `r || s` (V-E1); DER is refused, as are `r` or `s`
/// equal to zero or not below the group order (V-E2). ECDSA signatures are malleable:
/// `(r, n - s)` also verifies, so never use signature bytes as a token identity (V-E3).
///
/// On 64-bit targets, import precomputes multiples of the point for fast verification
/// (the work of one or two verifications): import a key once and keep it.
///
/// ```
/// use jwt_core::{Es256PrivateKey, Es256PublicKey};
/// let private = Es256PrivateKey::from_bytes(&[0x11; 32])?;
/// let sec1 = private.public_key().to_sec1_bytes();
/// let public = Es256PublicKey::from_sec1_bytes(&sec1)?;
/// assert_eq!(public, private.public_key());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Es256PublicKey {
    key: P256VerifyingKey,
    precomputed: Precomputed,
}

impl PartialEq for Es256PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Es256PublicKey {}

impl core::fmt::Debug for Es256PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Es256PublicKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Es256PublicKey {
    /// Imports a SEC1-encoded point: uncompressed (65 bytes, `04 || x || y`) or compressed
    /// (33 bytes).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point on P-256 (or are the identity).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let key = P256VerifyingKey::from_sec1_bytes(bytes).map_err(|_| Error::InvalidKey)?;
        Ok(Self::from_verifying_key(key))
    }

    fn from_verifying_key(key: P256VerifyingKey) -> Self {
        Es256PublicKey {
            precomputed: Precomputed::new(key.as_affine()),
            key,
        }
    }

    /// Imports a point from its two 32-byte big-endian affine coordinates (the form of a
    /// JWK's `x` and `y`).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when `(x, y)` is not on P-256.
    ///
    /// ```
    /// # use jwt_core::{Es256PrivateKey, Es256PublicKey};
    /// let sec1 = Es256PrivateKey::from_bytes(&[0x22; 32])?.public_key().to_sec1_bytes();
    /// let (x, y) = (sec1[1..33].try_into().unwrap(), sec1[33..].try_into().unwrap());
    /// assert!(Es256PublicKey::from_coordinates(x, y).is_ok());
    /// let mut bad = *y;
    /// bad[31] ^= 1;
    /// assert!(Es256PublicKey::from_coordinates(x, &bad).is_err());
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Result<Self, Error> {
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(x);
        sec1[33..].copy_from_slice(y);
        Self::from_sec1_bytes(&sec1)
    }

    /// The uncompressed SEC1 encoding, `04 || x || y`.
    pub fn to_sec1_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out.copy_from_slice(self.key.to_sec1_point(false).as_bytes());
        out
    }
}

impl Es256PublicKey {
    fn verifies(&self, signing_input: &[u8], signature: &Signature) -> bool {
        let (r, s) = signature.split_scalars();
        let digest = Sha256::digest(signing_input);
        self.precomputed
            .verify(self.key.as_affine(), &digest, &r, &s)
    }
}

impl sealed::Sealed for Es256PublicKey {}

impl VerifyingKey for Es256PublicKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es256
    }

    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        // `from_slice` takes exactly 64 bytes and refuses r or s of 0 or >= n (V-E1, V-E2).
        let signature = Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
        if self.verifies(signing_input, &signature) {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// An ES256 private key. Signing uses RFC 6979 deterministic nonces, so no random number
/// generator is needed (a device without one can sign), and writes the 64-byte `r || s`
/// form with both halves left-padded to 32 bytes (S-2). `Debug` never prints the scalar.
///
/// ```
/// use jwt_core::Es256PrivateKey;
/// let key = Es256PrivateKey::from_bytes(&[0x11; 32])?;
/// assert!(Es256PrivateKey::from_bytes(&[0; 32]).is_err());
/// # let _ = key;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Es256PrivateKey {
    key: P256SigningKey,
}

impl Es256PrivateKey {
    /// Imports the secret scalar as 32 big-endian bytes.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar is zero or not below the group order.
    pub fn from_bytes(scalar: &[u8; 32]) -> Result<Self, Error> {
        let key = P256SigningKey::from_slice(scalar).map_err(|_| Error::InvalidKey)?;
        Ok(Es256PrivateKey { key })
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Signature, Error> {
        self.key.try_sign(signing_input).map_err(|_| Error::Signing)
    }

    /// The matching public key.
    pub fn public_key(&self) -> Es256PublicKey {
        Es256PublicKey::from_verifying_key(*self.key.verifying_key())
    }
}

impl core::fmt::Debug for Es256PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Es256PrivateKey { .. }")
    }
}

impl sealed::Sealed for Es256PrivateKey {}

impl SigningKey for Es256PrivateKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es256
    }

    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out.get_mut(..SIGNATURE_LEN).ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(&self.sign(signing_input)?.to_bytes());
        Ok(SIGNATURE_LEN)
    }
}

/// What the tests of both verification paths (`wnaf.rs`, `jsf.rs`) share.
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
