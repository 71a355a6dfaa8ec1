//! HS256: HMAC with SHA-256 (RFC 7518 section 3.2).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
use crate::error::Error;

/// An HS256 secret, usable to verify and to sign.
///
/// The keyed HMAC state (inner and outer pads) is computed once here, so each verification
/// only hashes the token. Secrets shorter than 32 bytes are refused (RFC 7518 section 3.2;
/// checklist V-H1), and tags are compared in constant time over their full length (V-H2).
/// `Debug` never prints the secret.
///
/// ```
/// use jwt_core::{Error, Hs256Key};
/// let key = Hs256Key::new(b"a secret of at least thirty-two bytes!")?;
/// assert_eq!(Hs256Key::new(b"too short").unwrap_err(), Error::InvalidKey);
/// # let _ = key;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Hs256Key {
    mac: Hmac<Sha256>,
    /// Whether the key may sign and verify: both, unless imported from a JWK whose
    /// `key_ops` allows only one.
    may_sign: bool,
    may_verify: bool,
}

impl Hs256Key {
    /// Shortest secret accepted, in bytes (256 bits, the size of the hash output).
    pub const MIN_LEN: usize = 32;

    /// Length of an HMAC-SHA-256 tag, in bytes.
    const TAG_LEN: usize = 32;

    /// Imports a secret of at least [`MIN_LEN`](Self::MIN_LEN) bytes. It must be random key
    /// material, not a password (RFC 8725 section 3.5).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a secret shorter than [`MIN_LEN`](Self::MIN_LEN).
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < Self::MIN_LEN {
            return Err(Error::InvalidKey);
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Error::InvalidKey)?;
        Ok(Hs256Key {
            mac,
            may_sign: true,
            may_verify: true,
        })
    }

    /// The key restricted to the operations a JWK's `key_ops` allows.
    pub(crate) fn limited_to(mut self, ops: crate::jwk::SignatureOps) -> Self {
        self.may_sign = ops.sign;
        self.may_verify = ops.verify;
        self
    }

    fn tag(&self, signing_input: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(signing_input);
        mac
    }
}

impl core::fmt::Debug for Hs256Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Hs256Key { .. }")
    }
}

impl sealed::Sealed for Hs256Key {}

impl VerifyingKey for Hs256Key {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Hs256
    }

    fn signature_len(&self) -> usize {
        Self::TAG_LEN
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        if !self.may_verify {
            return Err(Error::InvalidKey);
        }
        // `verify_slice` compares in constant time and refuses any length but 32 (V-H2).
        self.tag(signing_input)
            .verify_slice(signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

impl SigningKey for Hs256Key {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Hs256
    }

    fn signature_len(&self) -> usize {
        Self::TAG_LEN
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if !self.may_sign {
            return Err(Error::InvalidKey);
        }
        let tag = self.tag(signing_input).finalize().into_bytes();
        let out = out.get_mut(..tag.len()).ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(&tag);
        Ok(tag.len())
    }
}
