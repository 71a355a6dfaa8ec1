//! EdDSA with Ed25519 (RFC 8037 section 3.1, RFC 8032 section 5.1).
//!
//! 64-bit targets verify with ed25519-dalek's `verify_strict`. On 32-bit targets its
//! double-scalar multiplication keeps two 1.25 KB tables on the stack, more than a device
//! spares, so they compute `[S]B - [k]A` in one pass over the bits of both scalars
//! (`shamir`), with the same strict checks; a property test holds the two paths to the same
//! verdicts.

#[cfg(target_pointer_width = "64")]
use ed25519_dalek::Signature;
use ed25519_dalek::{
    Signer as _, SigningKey as DalekSigningKey, VerifyingKey as DalekVerifyingKey,
};

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
use crate::error::Error;

/// Length of an Ed25519 signature: `R || S`, 32 bytes each.
const SIGNATURE_LEN: usize = 64;

/// An Ed25519 public key, for the `EdDSA` algorithm: 32 bytes, a point decoded and checked
/// on import.
///
/// Verification is the strict one of RFC 8032 section 5.1.7 with the extra checks that close
/// its known gaps: `S` must be below the group order (so signatures are not malleable), and
/// keys or `R` of small order are refused (no signature verifies under a weak key for many
/// messages).
///
/// ```
/// use jwt_core::{Ed25519PrivateKey, Ed25519PublicKey};
/// let private = Ed25519PrivateKey::from_bytes(&[0x11; 32]);
/// let public = Ed25519PublicKey::from_bytes(&private.public_key().to_bytes())?;
/// assert_eq!(public, private.public_key());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ed25519PublicKey {
    key: DalekVerifyingKey,
}

impl core::fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Ed25519PublicKey")
            .field(self.key.as_bytes())
            .finish()
    }
}

impl Ed25519PublicKey {
    /// Imports the 32-byte encoding of a public key (RFC 8032 section 5.1.2).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point on the curve, or are a point of
    /// small order (which would verify forged signatures).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        let key = DalekVerifyingKey::from_bytes(bytes).map_err(|_| Error::InvalidKey)?;
        if key.is_weak() {
            return Err(Error::InvalidKey);
        }
        Ok(Ed25519PublicKey { key })
    }

    /// The 32-byte encoding (a JWK's `x`).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl sealed::Sealed for Ed25519PublicKey {}

impl VerifyingKey for Ed25519PublicKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }

    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        #[cfg(target_pointer_width = "64")]
        let verified = Signature::from_slice(signature)
            .is_ok_and(|signature| self.key.verify_strict(signing_input, &signature).is_ok());
        #[cfg(not(target_pointer_width = "64"))]
        let verified = shamir::verifies(&self.key, signing_input, signature);
        if verified {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }
}

/// An Ed25519 private key, for the `EdDSA` algorithm: the 32-byte seed of RFC 8032. Signing
/// is deterministic and needs no random number generator. `Debug` never prints the seed.
///
/// ```
/// use jwt_core::{Ed25519PrivateKey, SigningKey};
/// let key = Ed25519PrivateKey::from_bytes(&[0x11; 32]);
/// assert_eq!(key.signature_len(), 64);
/// ```
#[derive(Clone)]
pub struct Ed25519PrivateKey {
    key: DalekSigningKey,
}

impl Ed25519PrivateKey {
    /// Imports a 32-byte seed (a JWK's `d`). Every seed is a key.
    pub fn from_bytes(seed: &[u8; 32]) -> Self {
        Ed25519PrivateKey {
            key: DalekSigningKey::from_bytes(seed),
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey {
            key: self.key.verifying_key(),
        }
    }
}

impl core::fmt::Debug for Ed25519PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Ed25519PrivateKey { .. }")
    }
}

impl sealed::Sealed for Ed25519PrivateKey {}

impl SigningKey for Ed25519PrivateKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }

    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out.get_mut(..SIGNATURE_LEN).ok_or(Error::BufferTooSmall)?;
        let signature = self
            .key
            .try_sign(signing_input)
            .map_err(|_| Error::Signing)?;
        out.copy_from_slice(&signature.to_bytes());
        Ok(SIGNATURE_LEN)
    }
}

/// Strict Ed25519 verification in little stack (see the module documentation).
#[cfg(any(not(target_pointer_width = "64"), test))]
mod shamir {
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
    use curve25519_dalek::scalar::Scalar;
    use curve25519_dalek::traits::Identity;
    use ed25519_dalek::VerifyingKey;
    use sha2::{Digest, Sha512};

    /// Whether `signature` (`R || S`) signs `message` for `key`, as `verify_strict` decides:
    /// 64 bytes, `S` canonical (below the group order), `R` a point not of small order (the
    /// key's order was checked on import), and `[S]B - [k]A` encoding to `R`'s bytes exactly,
    /// with `k = SHA-512(R || A || message)`.
    pub(super) fn verifies(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
        let Some((r_bytes, s_bytes)) = signature
            .split_first_chunk::<32>()
            .and_then(|(r, rest)| Some((*r, *<&[u8; 32]>::try_from(rest).ok()?)))
        else {
            return false;
        };
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            return false;
        };
        let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
            return false;
        };
        if r.is_small_order() {
            return false;
        }
        let hash: [u8; 64] = Sha512::new()
            .chain_update(r_bytes)
            .chain_update(key.as_bytes())
            .chain_update(message)
            .finalize()
            .into();
        let k = Scalar::from_bytes_mod_order_wide(&hash);
        combination(&s, &k, &key.to_edwards()).compress().to_bytes() == r_bytes
    }

    /// `[s]B - [k]A`: one chain of doublings over the bits of both scalars, adding `B`, `-A`
    /// or `B - A` where they have ones (Shamir's trick). Public inputs only: variable time.
    fn combination(s: &Scalar, k: &Scalar, a: &EdwardsPoint) -> EdwardsPoint {
        let b = ED25519_BASEPOINT_POINT;
        let minus_a = -a;
        let both = b + minus_a;
        let bit = |x: &Scalar, i: usize| {
            x.as_bytes()
                .get(i / 8)
                .map_or(0, |byte| byte >> (i % 8) & 1)
        };
        let mut acc = EdwardsPoint::identity();
        // Scalars are below 2^253.
        for i in (0..253).rev() {
            acc = acc + acc;
            match (bit(s, i), bit(k, i)) {
                (1, 1) => acc += both,
                (1, _) => acc += b,
                (_, 1) => acc += minus_a,
                _ => {}
            }
        }
        acc
    }

    #[cfg(test)]
    mod tests {
        use ed25519_dalek::{Signature, Signer, SigningKey};
        use proptest::prelude::*;

        proptest! {
            /// The same verdicts as ed25519-dalek's `verify_strict` for valid signatures,
            /// other messages and keys, `S + L`, and any corruption of the signature.
            #[test]
            fn agrees_with_verify_strict(
                seed in any::<[u8; 32]>(),
                other in any::<[u8; 32]>(),
                message in proptest::collection::vec(any::<u8>(), 0..100),
                variant in 0u8..5,
                corruption in proptest::option::of((0usize..64, any::<u8>())),
            ) {
                let signing = SigningKey::from_bytes(&seed);
                let mut key = signing.verifying_key();
                let mut bytes = signing.sign(&message).to_bytes();
                let mut checked = message.clone();
                match variant {
                    1 => checked.push(0),
                    2 => key = SigningKey::from_bytes(&other).verifying_key(),
                    // S + L: the same point, a non-canonical scalar.
                    3 => {
                        const L: [u8; 32] = [
                            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                            0, 0, 0, 0x10,
                        ];
                        let mut carry = 0u16;
                        for (byte, l) in bytes[32..].iter_mut().zip(L) {
                            let sum = u16::from(*byte) + u16::from(l) + carry;
                            *byte = sum as u8;
                            carry = sum >> 8;
                        }
                    }
                    // An identity `R`.
                    4 => bytes[..32].copy_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                    _ => {}
                }
                if let Some((at, value)) = corruption {
                    bytes[at] = value;
                }
                let theirs = key.verify_strict(&checked, &Signature::from_bytes(&bytes)).is_ok();
                let ours = super::verifies(&key, &checked, &bytes);
                prop_assert_eq!(ours, theirs, "variant {}", variant);
                if corruption.is_none() {
                    prop_assert_eq!(ours, variant == 0);
                }
            }
        }

        #[test]
        fn refuses_other_lengths() {
            let signing = SigningKey::from_bytes(&[7; 32]);
            let bytes = signing.sign(b"m").to_bytes();
            assert!(super::verifies(&signing.verifying_key(), b"m", &bytes));
            assert!(!super::verifies(
                &signing.verifying_key(),
                b"m",
                &bytes[..63]
            ));
            let mut longer = bytes.to_vec();
            longer.push(0);
            assert!(!super::verifies(&signing.verifying_key(), b"m", &longer));
        }
    }
}
