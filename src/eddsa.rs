//! EdDSA with Ed25519 (RFC 8037 section 3.1, RFC 8032 section 5.1).

use ed25519_dalek::{
    Signature, Signer as _, SigningKey as DalekSigningKey, VerifyingKey as DalekVerifyingKey,
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
        let signature = Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
        self.key
            .verify_strict(signing_input, &signature)
            .map_err(|_| Error::InvalidSignature)
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
