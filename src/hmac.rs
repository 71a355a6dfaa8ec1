//! HS256, HS384 and HS512: HMAC with SHA-2 (RFC 7518 section 3.2). HS384 and HS512 are
//! under the `hmac-sha512` feature.

use ::hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
#[cfg(feature = "hmac-sha512")]
use sha2::{Sha384, Sha512};

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
use crate::error::Error;

/// A hash function an HMAC key is made with, which decides its algorithm: SHA-256 for HS256,
/// SHA-384 for HS384, SHA-512 for HS512. Sealed.
pub trait HmacHash: sealed::Sealed + 'static {
    /// The algorithm of HMAC with this hash.
    const ALGORITHM: Algorithm;
    /// Length of the hash's output, which is the tag length and the shortest secret
    /// accepted (RFC 7518 section 3.2).
    const OUTPUT_LEN: usize;
    /// The keyed HMAC state.
    #[doc(hidden)]
    type Mac: Mac + KeyInit + Clone;
}

impl HmacHash for Sha256 {
    const ALGORITHM: Algorithm = Algorithm::Hs256;
    const OUTPUT_LEN: usize = 32;
    type Mac = Hmac<Sha256>;
}

#[cfg(feature = "hmac-sha512")]
impl HmacHash for Sha384 {
    const ALGORITHM: Algorithm = Algorithm::Hs384;
    const OUTPUT_LEN: usize = 48;
    type Mac = Hmac<Sha384>;
}

#[cfg(feature = "hmac-sha512")]
impl HmacHash for Sha512 {
    const ALGORITHM: Algorithm = Algorithm::Hs512;
    const OUTPUT_LEN: usize = 64;
    type Mac = Hmac<Sha512>;
}

/// An HS256 secret: [`HmacKey`] with SHA-256.
pub type Hs256Key = HmacKey<Sha256>;
/// An HS384 secret: [`HmacKey`] with SHA-384.
#[cfg(feature = "hmac-sha512")]
pub type Hs384Key = HmacKey<Sha384>;
/// An HS512 secret: [`HmacKey`] with SHA-512.
#[cfg(feature = "hmac-sha512")]
pub type Hs512Key = HmacKey<Sha512>;

/// An HMAC secret bound to the algorithm of its hash `H` ([`Hs256Key`], [`Hs384Key`],
/// [`Hs512Key`]), usable to verify and to sign.
///
/// The keyed HMAC state (inner and outer pads) is computed once here, so each verification
/// only hashes the token. Secrets shorter than the hash output (32, 48 or 64 bytes) are
/// refused (RFC 7518 section 3.2; checklist V-H1), and tags are compared in constant time
/// over their full length (V-H2). `Debug` never prints the secret.
///
/// ```
/// use jwt_core::{Error, Hs256Key};
/// let key = Hs256Key::new(b"a secret of at least thirty-two bytes!")?;
/// assert_eq!(Hs256Key::new(b"too short").unwrap_err(), Error::InvalidKey);
/// // HS512 needs 64 bytes.
/// # #[cfg(feature = "hmac-sha512")]
/// assert_eq!(jwt_core::Hs512Key::new(&[7; 32]).unwrap_err(), Error::InvalidKey);
/// # let _ = key;
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub struct HmacKey<H: HmacHash> {
    mac: H::Mac,
    /// Whether the key may sign and verify: both, unless imported from a JWK whose
    /// `key_ops` allows only one.
    may_sign: bool,
    may_verify: bool,
}

impl<H: HmacHash> Clone for HmacKey<H> {
    fn clone(&self) -> Self {
        HmacKey {
            mac: self.mac.clone(),
            may_sign: self.may_sign,
            may_verify: self.may_verify,
        }
    }
}

impl<H: HmacHash> HmacKey<H> {
    /// Shortest secret accepted, in bytes: the length of the hash output.
    ///
    /// ```
    /// assert_eq!(jwt_core::Hs256Key::MIN_LEN, 32);
    /// # #[cfg(feature = "hmac-sha512")]
    /// assert_eq!(jwt_core::Hs384Key::MIN_LEN, 48);
    /// ```
    pub const MIN_LEN: usize = H::OUTPUT_LEN;

    /// Imports a secret of at least [`MIN_LEN`](Self::MIN_LEN) bytes. It must be random key
    /// material, not a password (RFC 8725 section 3.5).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a secret shorter than [`MIN_LEN`](Self::MIN_LEN).
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < Self::MIN_LEN {
            return Err(Error::InvalidKey);
        }
        let mac = <H::Mac as KeyInit>::new_from_slice(secret).map_err(|_| Error::InvalidKey)?;
        Ok(HmacKey {
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

    fn tag(&self, signing_input: &[u8]) -> H::Mac {
        let mut mac = self.mac.clone();
        mac.update(signing_input);
        mac
    }
}

impl<H: HmacHash> core::fmt::Debug for HmacKey<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HmacKey")
            .field("alg", &H::ALGORITHM.name())
            .finish_non_exhaustive()
    }
}

impl<H: HmacHash> sealed::Sealed for HmacKey<H> {}

impl<H: HmacHash> VerifyingKey for HmacKey<H> {
    fn algorithm(&self) -> Algorithm {
        H::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        H::OUTPUT_LEN
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        if !self.may_verify {
            return Err(Error::InvalidKey);
        }
        // `verify_slice` compares in constant time and refuses any length but the full tag (V-H2).
        self.tag(signing_input)
            .verify_slice(signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

impl<H: HmacHash> SigningKey for HmacKey<H> {
    fn algorithm(&self) -> Algorithm {
        H::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        H::OUTPUT_LEN
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
