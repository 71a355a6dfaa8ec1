//! The algorithms jwt-core implements, and the sealed traits that bind a key to one of them.

use crate::error::Error;
use crate::json::JsonStr;

/// A JWS algorithm (RFC 7518 section 3.1). Only these three exist here; `none` never does.
///
/// ```
/// use jwt_core::Algorithm;
/// assert_eq!(Algorithm::from_name("ES256"), Some(Algorithm::Es256));
/// assert_eq!(Algorithm::from_name("none"), None);
/// assert_eq!(Algorithm::from_name("hs256"), None); // names are case-sensitive
/// assert_eq!(Algorithm::Rs256.name(), "RS256");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    Hs256,
    /// ECDSA on P-256 with SHA-256, signatures as raw 64-byte `r || s`.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// Every algorithm: with [`name`](Self::name) and [`kty`](Self::kty), the one table of
    /// `alg` names and JWK key types that headers, JWKs and key sets read.
    const ALL: [Algorithm; 3] = [Algorithm::Hs256, Algorithm::Es256, Algorithm::Rs256];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Es256 => "ES256",
            Algorithm::Rs256 => "RS256",
        }
    }

    /// The `kty` of the JWKs that hold this algorithm's keys (RFC 7518 section 6.1).
    ///
    /// ```
    /// assert_eq!(jwt_core::Algorithm::Es256.kty(), "EC");
    /// ```
    pub const fn kty(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "oct",
            Algorithm::Es256 => "EC",
            Algorithm::Rs256 => "RSA",
        }
    }

    /// Parses an `alg` header value (exact, case-sensitive: RFC 7515 section 4.1.1).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The algorithm named by an `alg` as read from JSON (compared after unescaping).
    pub(crate) fn from_json_name(name: JsonStr<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| name == alg.name())
    }

    /// The algorithm whose keys a JWK of this `kty` holds: each key type has one algorithm
    /// here (P-256 for `EC`, checked on import).
    #[cfg(any(feature = "hs256", feature = "es256", feature = "rs256"))]
    pub(crate) fn from_kty(kty: JsonStr<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| kty == alg.kty())
    }
}

impl core::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A key that verifies tokens. It is bound to exactly one [`Algorithm`] (RFC 8725 section
/// 3.1), which decides how a token is verified; the token's `alg` must match it.
///
/// Implemented by [`Hs256Key`](crate::Hs256Key), [`Es256PublicKey`](crate::Es256PublicKey) and
/// [`Rs256PublicKey`](crate::Rs256PublicKey); sealed, so no other algorithm can be added.
///
/// ```
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Hs256Key, VerifyingKey};
/// let key = Hs256Key::new(&[7u8; 32])?;
/// assert_eq!(VerifyingKey::algorithm(&key), Algorithm::Hs256);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
pub trait VerifyingKey: sealed::Sealed {
    /// The algorithm this key is bound to.
    fn algorithm(&self) -> Algorithm;

    /// Length in bytes of this key's signatures: 32 for HS256, 64 for ES256, the modulus
    /// length for RS256. A token whose signature segment does not decode to exactly this
    /// many bytes is refused before its signature is decoded or checked.
    ///
    /// ```
    /// # #[cfg(feature = "hs256")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Hs256Key, VerifyingKey};
    /// assert_eq!(VerifyingKey::signature_len(&Hs256Key::new(&[7u8; 32])?), 32);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hs256"))]
    /// # fn main() {}
    /// ```
    fn signature_len(&self) -> usize;

    /// Verifies a signature (raw bytes, not base64url) over `message`: for a compact JWS the
    /// message is its `header.payload` bytes as received, and [`verify`](crate::verify)
    /// decodes the signature segment before calling this. Usable as is for other JWS
    /// serializations. The signature must be [`signature_len`](Self::signature_len) bytes.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] when the signature has the wrong length or does not verify.
    ///
    /// ```
    /// # #[cfg(feature = "hs256")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Hs256Key, SigningKey, VerifyingKey};
    /// let key = Hs256Key::new(&[7u8; 32])?;
    /// let mut sig = [0u8; 32];
    /// key.sign_signature(b"any bytes", &mut sig)?;
    /// assert_eq!(key.verify_signature(b"any bytes", &sig), Ok(()));
    /// assert!(key.verify_signature(b"other bytes", &sig).is_err());
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hs256"))]
    /// # fn main() {}
    /// ```
    fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), Error>;
}

/// A key that signs tokens, bound to exactly one [`Algorithm`].
///
/// Implemented by [`Hs256Key`](crate::Hs256Key), [`Es256PrivateKey`](crate::Es256PrivateKey)
/// and [`Rs256PrivateKey`](crate::Rs256PrivateKey); sealed.
///
/// ```
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Hs256Key, SigningKey};
/// let key = Hs256Key::new(&[7u8; 32])?;
/// assert_eq!(SigningKey::algorithm(&key), Algorithm::Hs256);
/// assert_eq!(key.signature_len(), 32);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
pub trait SigningKey: sealed::Sealed {
    /// The algorithm this key is bound to; it is written as the token's `alg`.
    fn algorithm(&self) -> Algorithm;

    /// Length in bytes of the signatures this key produces.
    fn signature_len(&self) -> usize;

    /// Signs `message` and writes the raw signature (not base64url) to the front of `out`,
    /// returning its length ([`signature_len`](Self::signature_len)). [`sign`](crate::sign)
    /// calls it with the token's `header.payload` bytes and encodes the result.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than the signature, [`Error::Signing`]
    /// when the key fails.
    fn sign_signature(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error>;
}
