//! ES256, ES384, ES512 and ES256K: ECDSA over one curve each, raw `r || s` signatures
//! (RFC 7518 section 3.4, RFC 8812 section 3.2).
//!
//! [`EcdsaPublicKey`] and [`EcdsaPrivateKey`] are one implementation over a curve parameter;
//! what differs per curve (field length, how a key verifies) is the sealed [`EcdsaCurve`].
//! P-256 verifies with its own precomputed tables (`p256/`); the other curves with their
//! RustCrypto crate's verification (`others.rs`).

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
#[cfg(feature = "aws-lc")]
use crate::backend::AwsLcKey;
use crate::backend::Backend;
use crate::error::Error;

#[cfg(any(feature = "p384", feature = "p521", feature = "k256"))]
mod others;
#[cfg(feature = "p256")]
mod p256;

/// An ES256 public key for one signature, such as a DPoP proof's key: imported with every
/// check of [`Es256PublicKey`], without the per-key tables that pay off only over many
/// signatures.
#[cfg(feature = "p256")]
pub(crate) type Es256KeyUsedOnce = EcdsaPublicKey<self::p256::UsedOnce>;

/// The longest uncompressed SEC1 point of the curves here (P-521: `04 || x || y`, 66 bytes
/// each).
const MAX_SEC1_LEN: usize = 1 + 2 * 66;

/// A curve ECDSA keys are made on, which decides their algorithm: P-256 for ES256, P-384
/// for ES384, P-521 for ES512, secp256k1 for ES256K. Sealed; the parameter of
/// [`EcdsaPublicKey`] and [`EcdsaPrivateKey`].
pub trait EcdsaCurve: sealed::Sealed + 'static {
    /// The algorithm of ECDSA on this curve.
    const ALGORITHM: Algorithm;
    /// Length of a field element and of a scalar, in bytes: half a signature.
    const FIELD_LEN: usize;
    /// What a public key keeps to verify with.
    #[doc(hidden)]
    type Verifier: Clone + PartialEq + core::fmt::Debug;
    /// A private key.
    #[doc(hidden)]
    type Signer: Clone;
    /// An uncompressed SEC1 point, `04 || x || y`.
    #[doc(hidden)]
    type Sec1: AsRef<[u8]> + Copy + core::fmt::Debug;

    /// The verifier of a SEC1-encoded point (compressed or not), if it is one on the curve
    /// and not the identity.
    #[doc(hidden)]
    fn verifier(sec1: &[u8]) -> Option<Self::Verifier>;
    /// The uncompressed SEC1 encoding of a verifier's point.
    #[doc(hidden)]
    fn sec1(verifier: &Self::Verifier) -> Self::Sec1;
    /// Whether `signature` (`r || s`, any length) signs `message` for this key: halves of
    /// exactly `FIELD_LEN` bytes, each in `[1, n-1]`, and the ECDSA equation.
    #[doc(hidden)]
    fn verifies(verifier: &Self::Verifier, message: &[u8], signature: &[u8]) -> bool;
    /// The private key of a big-endian scalar of exactly `FIELD_LEN` bytes in `[1, n-1]`.
    #[doc(hidden)]
    fn signer(scalar: &[u8]) -> Option<Self::Signer>;
    /// The public key of a private key.
    #[doc(hidden)]
    fn verifier_of(signer: &Self::Signer) -> Self::Verifier;
    /// Signs `message` with RFC 6979 nonces into `out` (exactly `2 * FIELD_LEN` bytes).
    #[doc(hidden)]
    fn sign(signer: &Self::Signer, message: &[u8], out: &mut [u8]) -> Option<()>;
}

/// An ES256 public key: [`EcdsaPublicKey`] on P-256.
#[cfg(feature = "p256")]
pub type Es256PublicKey = EcdsaPublicKey<::p256::NistP256>;
/// An ES256 private key: [`EcdsaPrivateKey`] on P-256.
#[cfg(feature = "p256")]
pub type Es256PrivateKey = EcdsaPrivateKey<::p256::NistP256>;
/// An ES384 public key: [`EcdsaPublicKey`] on P-384.
#[cfg(feature = "p384")]
pub type Es384PublicKey = EcdsaPublicKey<::p384::NistP384>;
/// An ES384 private key: [`EcdsaPrivateKey`] on P-384.
#[cfg(feature = "p384")]
pub type Es384PrivateKey = EcdsaPrivateKey<::p384::NistP384>;
/// An ES512 public key: [`EcdsaPublicKey`] on P-521.
#[cfg(feature = "p521")]
pub type Es512PublicKey = EcdsaPublicKey<::p521::NistP521>;
/// An ES512 private key: [`EcdsaPrivateKey`] on P-521.
#[cfg(feature = "p521")]
pub type Es512PrivateKey = EcdsaPrivateKey<::p521::NistP521>;
/// An ES256K public key: [`EcdsaPublicKey`] on secp256k1.
#[cfg(feature = "k256")]
pub type Es256kPublicKey = EcdsaPublicKey<::k256::Secp256k1>;
/// An ES256K private key: [`EcdsaPrivateKey`] on secp256k1.
#[cfg(feature = "k256")]
pub type Es256kPrivateKey = EcdsaPrivateKey<::k256::Secp256k1>;

/// An ECDSA public key on the curve `C` ([`Es256PublicKey`], [`Es384PublicKey`],
/// [`Es512PublicKey`], [`Es256kPublicKey`]): a point validated on import (checklist V-E4).
///
/// Signatures must be exactly `2 * FIELD_LEN` bytes, `r || s` (64, 96, 132 and 64; V-E1);
/// DER is refused, as are `r` or `s` equal to zero or not below the group order (V-E2).
/// ECDSA signatures are malleable: `(r, n - s)` also verifies, on every curve (JWS does not
/// ask for low `s`), so never use signature bytes as a token identity (V-E3).
///
/// A P-256 key precomputes multiples of its point on import on 64-bit targets (the work of
/// one or two verifications): import a key once and keep it. With the `aws-lc` feature,
/// ES384 and ES512 keys (and ES256 keys on targets other than 64-bit ones) are also parsed
/// by aws-lc on import, which then verifies their signatures ([`Backend::of`]); ES256K keys
/// verify in Rust.
///
/// ```
/// # #[cfg(feature = "p256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Es256PrivateKey, Es256PublicKey};
/// let private = Es256PrivateKey::from_bytes(&[0x11; 32])?;
/// let sec1 = private.public_key().to_sec1_bytes();
/// let public = Es256PublicKey::from_sec1_bytes(&sec1)?;
/// assert_eq!(public, private.public_key());
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "p256"))]
/// # fn main() {}
/// ```
pub struct EcdsaPublicKey<C: EcdsaCurve> {
    verifier: C::Verifier,
    /// aws-lc's parse of this key, which verifies when present.
    #[cfg(feature = "aws-lc")]
    aws_lc: Option<AwsLcKey>,
}

impl<C: EcdsaCurve> Clone for EcdsaPublicKey<C> {
    fn clone(&self) -> Self {
        EcdsaPublicKey {
            verifier: self.verifier.clone(),
            #[cfg(feature = "aws-lc")]
            aws_lc: self.aws_lc.clone(),
        }
    }
}

impl<C: EcdsaCurve> PartialEq for EcdsaPublicKey<C> {
    fn eq(&self, other: &Self) -> bool {
        self.verifier == other.verifier
    }
}

impl<C: EcdsaCurve> Eq for EcdsaPublicKey<C> {}

impl<C: EcdsaCurve> core::fmt::Debug for EcdsaPublicKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaPublicKey")
            .field("alg", &C::ALGORITHM.name())
            .field("key", &self.verifier)
            .finish()
    }
}

impl<C: EcdsaCurve> EcdsaPublicKey<C> {
    /// Imports a SEC1-encoded point: uncompressed (`04 || x || y`) or compressed
    /// (`02`/`03 || x`).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are not a point on the curve (or are the
    /// identity).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let verifier = C::verifier(bytes).ok_or(Error::InvalidKey)?;
        Ok(Self::of(verifier))
    }

    /// The key of a point the curve's checks accepted (with the `aws-lc` feature, parsed by
    /// aws-lc from its uncompressed encoding when aws-lc verifies the curve).
    fn of(verifier: C::Verifier) -> Self {
        EcdsaPublicKey {
            #[cfg(feature = "aws-lc")]
            aws_lc: match Backend::of(C::ALGORITHM) {
                Backend::AwsLc => AwsLcKey::new(C::ALGORITHM, C::sec1(&verifier).as_ref()),
                _ => None,
            },
            verifier,
        }
    }

    /// This key verifying with the pure-Rust code, whatever the build's
    /// [`Backend`]: the same verdicts, without aws-lc (for comparisons, or to keep C code
    /// off a path).
    ///
    /// ```
    /// # #[cfg(feature = "p384")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Backend, Es384PrivateKey, VerifyingKey};
    /// let key = Es384PrivateKey::from_bytes(&[0x33; 48])?.public_key();
    /// assert_eq!(key.pure_rust().backend(), Backend::PureRust);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "p384"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn pure_rust(self) -> Self {
        EcdsaPublicKey {
            #[cfg(feature = "aws-lc")]
            aws_lc: None,
            ..self
        }
    }

    /// Imports a point from its two big-endian affine coordinates of exactly `FIELD_LEN`
    /// bytes each (the form of a JWK's `x` and `y`).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when a coordinate has another length or `(x, y)` is not on the
    /// curve.
    ///
    /// ```
    /// # #[cfg(feature = "p256")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// # use jwt_core::{Es256PrivateKey, Es256PublicKey};
    /// let sec1 = Es256PrivateKey::from_bytes(&[0x22; 32])?.public_key().to_sec1_bytes();
    /// let (x, y) = (&sec1[1..33], &sec1[33..]);
    /// assert!(Es256PublicKey::from_coordinates(x, y).is_ok());
    /// let mut bad = y.to_vec();
    /// bad[31] ^= 1;
    /// assert!(Es256PublicKey::from_coordinates(x, &bad).is_err());
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "p256"))]
    /// # fn main() {}
    /// ```
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self, Error> {
        if x.len() != C::FIELD_LEN || y.len() != C::FIELD_LEN {
            return Err(Error::InvalidKey);
        }
        let mut sec1 = [0x04; MAX_SEC1_LEN];
        let len = 1 + 2 * C::FIELD_LEN;
        let encoded = sec1.get_mut(..len).ok_or(Error::InvalidKey)?;
        for (slot, &byte) in encoded.iter_mut().skip(1).zip(x.iter().chain(y)) {
            *slot = byte;
        }
        Self::from_sec1_bytes(encoded)
    }

    /// The uncompressed SEC1 encoding, `04 || x || y`.
    ///
    /// ```
    /// # #[cfg(feature = "p384")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// # use jwt_core::Es384PrivateKey;
    /// let public = Es384PrivateKey::from_bytes(&[0x33; 48])?.public_key();
    /// assert_eq!(public.to_sec1_bytes().len(), 97);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "p384"))]
    /// # fn main() {}
    /// ```
    pub fn to_sec1_bytes(&self) -> C::Sec1 {
        C::sec1(&self.verifier)
    }
}

impl<C: EcdsaCurve> sealed::Sealed for EcdsaPublicKey<C> {}

impl<C: EcdsaCurve> VerifyingKey for EcdsaPublicKey<C> {
    fn algorithm(&self) -> Algorithm {
        C::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        2 * C::FIELD_LEN
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        // Each curve takes exactly `2 * FIELD_LEN` bytes and refuses r or s of 0 or >= n
        // (V-E1, V-E2) before the equation; aws-lc's `*_FIXED` verification makes the same
        // checks (the Wycheproof suites hold both to the same verdicts).
        #[cfg(feature = "aws-lc")]
        let verified = match &self.aws_lc {
            Some(aws_lc) => aws_lc.verifies(signing_input, signature),
            None => C::verifies(&self.verifier, signing_input, signature),
        };
        #[cfg(not(feature = "aws-lc"))]
        let verified = C::verifies(&self.verifier, signing_input, signature);
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

/// An ECDSA private key on the curve `C` ([`Es256PrivateKey`], [`Es384PrivateKey`],
/// [`Es512PrivateKey`], [`Es256kPrivateKey`]). Signing uses RFC 6979 deterministic nonces,
/// so no random number generator is needed (a device without one can sign), and writes the
/// raw `r || s` form with both halves left-padded to the field length (S-2). `Debug` never
/// prints the scalar.
///
/// ```
/// # #[cfg(feature = "p256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::Es256PrivateKey;
/// let key = Es256PrivateKey::from_bytes(&[0x11; 32])?;
/// assert!(Es256PrivateKey::from_bytes(&[0; 32]).is_err());
/// # let _ = key;
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "p256"))]
/// # fn main() {}
/// ```
pub struct EcdsaPrivateKey<C: EcdsaCurve> {
    signer: C::Signer,
}

impl<C: EcdsaCurve> Clone for EcdsaPrivateKey<C> {
    fn clone(&self) -> Self {
        EcdsaPrivateKey {
            signer: self.signer.clone(),
        }
    }
}

impl<C: EcdsaCurve> EcdsaPrivateKey<C> {
    /// Imports the secret scalar as exactly `FIELD_LEN` big-endian bytes (32, 48, 66, 32).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the scalar has another length, is zero, or is not below
    /// the group order.
    pub fn from_bytes(scalar: &[u8]) -> Result<Self, Error> {
        if scalar.len() != C::FIELD_LEN {
            return Err(Error::InvalidKey);
        }
        let signer = C::signer(scalar).ok_or(Error::InvalidKey)?;
        Ok(EcdsaPrivateKey { signer })
    }

    /// The matching public key.
    pub fn public_key(&self) -> EcdsaPublicKey<C> {
        EcdsaPublicKey::of(C::verifier_of(&self.signer))
    }
}

impl<C: EcdsaCurve> core::fmt::Debug for EcdsaPrivateKey<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaPrivateKey")
            .field("alg", &C::ALGORITHM.name())
            .finish_non_exhaustive()
    }
}

impl<C: EcdsaCurve> sealed::Sealed for EcdsaPrivateKey<C> {}

impl<C: EcdsaCurve> SigningKey for EcdsaPrivateKey<C> {
    fn algorithm(&self) -> Algorithm {
        C::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        2 * C::FIELD_LEN
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let len = 2 * C::FIELD_LEN;
        let out = out.get_mut(..len).ok_or(Error::BufferTooSmall)?;
        C::sign(&self.signer, signing_input, out).ok_or(Error::Signing)?;
        Ok(len)
    }
}
