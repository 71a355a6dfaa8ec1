//! EdDSA with Ed25519 (RFC 8037 section 3.1, RFC 8032 section 5.1).
//!
//! 64-bit targets verify with ed25519-dalek's `verify` and refuse an `R` of small order by
//! its encoding, which decides as `verify_strict` does without decompressing `R` (`strict`).
//! On 32-bit targets dalek's
//! double-scalar multiplication keeps two 1.25 KB tables on the stack, more than a device
//! spares, so they compute `[S]B - [k]A` in one pass over the bits of both scalars
//! (`shamir`), with the same strict checks; a property test holds the two paths to the same
//! verdicts.

use ed25519_dalek::{
    Signer as _, SigningKey as DalekSigningKey, VerifyingKey as DalekVerifyingKey,
};

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
#[cfg(feature = "aws-lc")]
use crate::backend::AwsLcKey;
use crate::backend::Backend;
use crate::error::Error;

/// Length of an Ed25519 signature: `R || S`, 32 bytes each.
const SIGNATURE_LEN: usize = 64;

/// An Ed25519 public key, for the `EdDSA` algorithm: 32 bytes, a point decoded and checked
/// on import.
///
/// Verification is the strict one of RFC 8032 section 5.1.7 with the extra checks that close
/// its known gaps: `S` must be below the group order (so signatures are not malleable), and
/// keys or `R` of small order are refused (no signature verifies under a weak key for many
/// messages). With the `aws-lc` feature on targets other than 64-bit ones, aws-lc computes
/// the equation ([`VerifyingKey::backend`]); the checks beyond it stay here.
///
/// ```
/// use jwt_core::{Ed25519PrivateKey, Ed25519PublicKey};
/// let private = Ed25519PrivateKey::from_bytes(&[0x11; 32]);
/// let public = Ed25519PublicKey::from_bytes(&private.public_key().to_bytes())?;
/// assert_eq!(public, private.public_key());
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Ed25519PublicKey {
    key: DalekVerifyingKey,
    /// aws-lc's parse of this key, which verifies when present.
    #[cfg(feature = "aws-lc")]
    aws_lc: Option<AwsLcKey>,
}

impl PartialEq for Ed25519PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Ed25519PublicKey {}

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
        Ok(Self::of(key))
    }

    /// The key of a point that passed the checks (with the `aws-lc` feature, parsed by
    /// aws-lc too).
    fn of(key: DalekVerifyingKey) -> Self {
        Ed25519PublicKey {
            #[cfg(feature = "aws-lc")]
            aws_lc: AwsLcKey::new(Algorithm::EdDsa, key.as_bytes()),
            key,
        }
    }

    /// This key verifying with the pure-Rust code, whatever the build's
    /// [`Backend`]: the same verdicts, without aws-lc (for comparisons, or to keep C code
    /// off a path).
    ///
    /// ```
    /// use jwt_core::{Backend, Ed25519PrivateKey, VerifyingKey};
    /// let key = Ed25519PrivateKey::from_bytes(&[0x11; 32]).public_key();
    /// assert_eq!(key.pure_rust().backend(), Backend::PureRust);
    /// ```
    #[must_use]
    pub fn pure_rust(self) -> Self {
        Ed25519PublicKey {
            #[cfg(feature = "aws-lc")]
            aws_lc: None,
            ..self
        }
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
        #[cfg(feature = "aws-lc")]
        if let Some(aws_lc) = &self.aws_lc {
            // aws-lc compares `R`'s bytes as `verify` does and refuses an `S` not below the
            // group order, but takes an `R` of small order: both are checked here first, as
            // `strict` checks them.
            return match strict::r_and_s_allowed(signature)
                && aws_lc.verifies(signing_input, signature)
            {
                true => Ok(()),
                false => Err(Error::InvalidSignature),
            };
        }
        #[cfg(target_pointer_width = "64")]
        let verified = strict::verifies(&self.key, signing_input, signature);
        #[cfg(not(target_pointer_width = "64"))]
        let verified = shamir::verifies(&self.key, signing_input, signature);
        if verified {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }

    fn backend(&self) -> Backend {
        #[cfg(feature = "aws-lc")]
        if self.aws_lc.is_some() {
            return Backend::AwsLc;
        }
        Backend::PureRust
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
        Ed25519PublicKey::of(self.key.verifying_key())
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

/// `verify_strict`'s verdicts at the cost of `verify` (see the module documentation).
#[cfg(any(target_pointer_width = "64", test, feature = "aws-lc"))]
mod strict {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    /// The canonical encodings of the eight points of small order (`EIGHT_TORSION`; a test
    /// checks them). Any other encoding of such a point is not canonical, and `verify`
    /// refuses it anyway: it compares `R`'s bytes with a canonical encoding.
    const SMALL_ORDER: [[u8; 32]; 8] = {
        let mut points = [[0u8; 32]; 8];
        points[0][0] = 0x01;
        points[1] = [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ];
        points[2][31] = 0x80;
        points[3] = [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ];
        points[4] = [0xff; 32];
        points[4][0] = 0xec;
        points[4][31] = 0x7f;
        points[5] = points[3];
        points[5][31] = 0x85;
        // points[6] stays all zero: y = 0, a point of order 4.
        points[7] = points[1];
        points[7][31] = 0xfa;
        points
    };

    /// Whether `signature` signs `message` for `key` (whose order import checked): `verify`
    /// (64 bytes, `S` canonical, `[S]B - [k]A` encoding to `R`'s bytes), and `R` not of small
    /// order.
    pub(super) fn verifies(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
        let Ok(parsed) = Signature::from_slice(signature) else {
            return false;
        };
        r_and_s_allowed(signature) && key.verify(message, &parsed).is_ok()
    }

    /// Whether a signature is 64 bytes whose `S` is below the group order (checked here:
    /// ed25519-dalek checks only its top bits when any crate of the build enables its
    /// `legacy_compatibility` feature) and whose `R` is not a point of small order.
    pub(super) fn r_and_s_allowed(signature: &[u8]) -> bool {
        let Some((r, s)) = signature
            .split_first_chunk::<32>()
            .and_then(|(r, s)| Some((r, <[u8; 32]>::try_from(s).ok()?)))
        else {
            return false;
        };
        let canonical = curve25519_dalek::scalar::Scalar::from_canonical_bytes(s);
        bool::from(canonical.is_some()) && !SMALL_ORDER.contains(r)
    }

    #[cfg(test)]
    #[test]
    fn the_small_order_encodings_are_the_eight_torsion_points() {
        let mut ours = SMALL_ORDER.to_vec();
        let mut theirs: std::vec::Vec<[u8; 32]> = curve25519_dalek::constants::EIGHT_TORSION
            .iter()
            .map(|point| point.compress().to_bytes())
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
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
            /// Both paths give the verdicts of ed25519-dalek's `verify_strict` for valid signatures,
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
                let strict = super::super::strict::verifies(&key, &checked, &bytes);
                prop_assert_eq!(strict, theirs, "strict, variant {}", variant);
                if corruption.is_none() {
                    prop_assert_eq!(ours, variant == 0);
                }
            }
        }

        /// The key's holder can sign with `R` the identity (`S = k·a`): `verify` accepts it,
        /// `verify_strict` and both paths here refuse it.
        #[test]
        fn a_small_order_r_is_refused_though_the_equation_holds() {
            use curve25519_dalek::scalar::Scalar;
            use sha2::{Digest, Sha512};
            let signing = SigningKey::from_bytes(&[9; 32]);
            let key = signing.verifying_key();
            let mut r = [0u8; 32];
            r[0] = 1;
            let hash: [u8; 64] = Sha512::new()
                .chain_update(r)
                .chain_update(key.as_bytes())
                .chain_update(b"m")
                .finalize()
                .into();
            let s = Scalar::from_bytes_mod_order_wide(&hash) * signing.to_scalar();
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&r);
            bytes[32..].copy_from_slice(s.as_bytes());
            let signature = Signature::from_bytes(&bytes);
            use ed25519_dalek::Verifier;
            assert!(key.verify(b"m", &signature).is_ok());
            assert!(key.verify_strict(b"m", &signature).is_err());
            assert!(!super::verifies(&key, b"m", &bytes));
            assert!(!super::super::strict::verifies(&key, b"m", &bytes));
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

/// What aws-lc would accept that jwt-core's rules refuse, refused on the aws-lc path too.
#[cfg(all(test, feature = "aws-lc"))]
mod aws_lc_tests {
    use curve25519_dalek::scalar::Scalar;
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::{Digest, Sha512};

    use super::Ed25519PublicKey;
    use crate::backend::{AwsLcKey, Backend};
    use crate::{Algorithm, Error, VerifyingKey};

    /// The group order `L`, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    /// `signing`'s public key on the aws-lc path, whichever path this target chooses.
    fn on_aws_lc(signing: &SigningKey) -> Option<Ed25519PublicKey> {
        let public = Ed25519PublicKey::from_bytes(signing.verifying_key().as_bytes()).ok()?;
        let aws_lc = AwsLcKey::parse(Algorithm::EdDsa, &public.to_bytes())?;
        Some(Ed25519PublicKey {
            aws_lc: Some(aws_lc),
            ..public
        })
    }

    /// The key's holder signs with `R` the identity (`S = k·a`): the equation holds, and
    /// aws-lc alone accepts the signature; the key refuses it, as the pure-Rust path does.
    #[test]
    fn a_small_order_r_is_refused_though_aws_lc_takes_it() {
        let signing = SigningKey::from_bytes(&[9; 32]);
        let public = on_aws_lc(&signing).unwrap();
        assert_eq!(public.backend(), Backend::AwsLc);
        let mut r = [0u8; 32];
        r[0] = 1;
        let hash: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(public.to_bytes())
            .chain_update(b"m")
            .finalize()
            .into();
        let s = Scalar::from_bytes_mod_order_wide(&hash) * signing.to_scalar();
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&r);
        signature[32..].copy_from_slice(s.as_bytes());

        let aws_lc = AwsLcKey::parse(Algorithm::EdDsa, &public.to_bytes()).unwrap();
        assert!(aws_lc.verifies(b"m", &signature), "aws-lc alone accepts it");
        assert_eq!(
            public.verify_signature(b"m", &signature),
            Err(Error::InvalidSignature)
        );
        assert_eq!(
            public.pure_rust().verify_signature(b"m", &signature),
            Err(Error::InvalidSignature)
        );
    }

    /// `S + L`: the same point with a scalar not below the group order, refused on the
    /// aws-lc path whatever aws-lc itself says of it.
    #[test]
    fn an_s_not_below_the_group_order_is_refused() {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let public = on_aws_lc(&signing).unwrap();
        assert_eq!(public.backend(), Backend::AwsLc);
        let mut signature = signing.sign(b"m").to_bytes();
        assert_eq!(public.verify_signature(b"m", &signature), Ok(()));
        let mut carry = 0u16;
        for (byte, l) in signature[32..].iter_mut().zip(L) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(
            public.verify_signature(b"m", &signature),
            Err(Error::InvalidSignature)
        );
    }
}
