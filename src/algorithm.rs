//! The algorithms jwt-core implements, and the sealed traits that bind a key to one of them.

use crate::backend::Backend;
use crate::error::Error;
use crate::json::JsonStr;

/// A JWS algorithm (RFC 7518 section 3.1, RFC 8037 section 3.1, RFC 8812 section 3.2).
/// `none` never exists here; an algorithm whose feature is off still has its name, and its
/// keys simply cannot be made.
///
/// ```
/// use jwt_core::Algorithm;
/// assert_eq!(Algorithm::from_name("ES256"), Some(Algorithm::Es256));
/// assert_eq!(Algorithm::from_name("EdDSA"), Some(Algorithm::EdDsa));
/// assert_eq!(Algorithm::from_name("none"), None);
/// assert_eq!(Algorithm::from_name("hs256"), None); // names are case-sensitive
/// assert_eq!(Algorithm::Ps384.name(), "PS384");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt.
    Ps256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384 and a 48-byte salt.
    Ps384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt.
    Ps512,
    /// ECDSA on P-256 with SHA-256, signatures as raw 64-byte `r || s`.
    Es256,
    /// ECDSA on P-384 with SHA-384, signatures as raw 96-byte `r || s`.
    Es384,
    /// ECDSA on P-521 with SHA-512, signatures as raw 132-byte `r || s`.
    Es512,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812), signatures as raw 64-byte `r || s`.
    Es256k,
    /// EdDSA (RFC 8037); here always Ed25519, 64-byte signatures.
    EdDsa,
}

impl Algorithm {
    /// Every algorithm: with [`name`](Self::name), [`kty`](Self::kty) and
    /// [`curve`](Self::curve), the one table of `alg` names, key types and curves that
    /// headers, JWKs and key sets read.
    pub(crate) const ALL: [Algorithm; 14] = [
        Algorithm::Hs256,
        Algorithm::Hs384,
        Algorithm::Hs512,
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::Es256k,
        Algorithm::EdDsa,
    ];

    /// The `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs384 => "HS384",
            Algorithm::Hs512 => "HS512",
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Es512 => "ES512",
            Algorithm::Es256k => "ES256K",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// The `kty` of the JWKs that hold this algorithm's keys (RFC 7518 section 6.1, RFC 8037
    /// section 2).
    ///
    /// ```
    /// use jwt_core::Algorithm;
    /// assert_eq!(Algorithm::Es256.kty(), "EC");
    /// assert_eq!(Algorithm::Ps256.kty(), "RSA");
    /// assert_eq!(Algorithm::EdDsa.kty(), "OKP");
    /// ```
    pub const fn kty(self) -> &'static str {
        match self {
            Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512 => "oct",
            Algorithm::Rs256
            | Algorithm::Rs384
            | Algorithm::Rs512
            | Algorithm::Ps256
            | Algorithm::Ps384
            | Algorithm::Ps512 => "RSA",
            Algorithm::Es256 | Algorithm::Es384 | Algorithm::Es512 | Algorithm::Es256k => "EC",
            Algorithm::EdDsa => "OKP",
        }
    }

    /// The JWK `crv` of this algorithm's keys, for the elliptic-curve algorithms: each curve
    /// has exactly one algorithm (RFC 7518 section 3.4, RFC 8812 section 3.2), and EdDSA is
    /// Ed25519 here.
    ///
    /// ```
    /// use jwt_core::Algorithm;
    /// assert_eq!(Algorithm::Es512.curve(), Some("P-521"));
    /// assert_eq!(Algorithm::Rs256.curve(), None);
    /// ```
    pub const fn curve(self) -> Option<&'static str> {
        match self {
            Algorithm::Es256 => Some("P-256"),
            Algorithm::Es384 => Some("P-384"),
            Algorithm::Es512 => Some("P-521"),
            Algorithm::Es256k => Some("secp256k1"),
            Algorithm::EdDsa => Some("Ed25519"),
            _ => None,
        }
    }

    /// Whether the algorithm's keys are shared secrets (HMAC), which must never be mixed
    /// with public keys in one key set (RFC 8725 section 3.1).
    ///
    /// ```
    /// assert!(jwt_core::Algorithm::Hs512.is_symmetric());
    /// assert!(!jwt_core::Algorithm::EdDsa.is_symmetric());
    /// ```
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Algorithm::Hs256 | Algorithm::Hs384 | Algorithm::Hs512)
    }

    /// Parses an `alg` header value (exact, case-sensitive: RFC 7515 section 4.1.1).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The algorithm named by an `alg` as read from JSON (compared after unescaping).
    pub(crate) fn from_json_name(name: JsonStr<'_>) -> Option<Self> {
        // The names of `ALL`, in order, in one string: a device reads every header through
        // here, and one string costs it less flash than the tables `name()` compiles to.
        // (A test checks both agree.)
        const NAMES: &str =
            "HS256HS384HS512RS256RS384RS512PS256PS384PS512ES256ES384ES512ES256KEdDSA";
        let mut rest = NAMES;
        Self::ALL.iter().copied().find(|&alg| {
            let len = if alg == Algorithm::Es256k { 6 } else { 5 };
            let (candidate, after) = rest.split_at_checked(len).unwrap_or_default();
            rest = after;
            name == candidate
        })
    }

    /// The algorithm a JWK of this `kty` and `crv` is used for when it names none: the
    /// curve's one algorithm, HS256 for `oct`, RS256 for `RSA` (the most common, and the one
    /// every provider supports). `None` for an unknown key type or curve (Ed448 among them).
    #[cfg(feature = "jwk")]
    pub(crate) fn default_for(kty: JsonStr<'_>, crv: Option<JsonStr<'_>>) -> Option<Self> {
        if kty == "oct" {
            return Some(Algorithm::Hs256);
        }
        if kty == "RSA" {
            return Some(Algorithm::Rs256);
        }
        let crv = crv?;
        Self::ALL
            .into_iter()
            .find(|alg| kty == alg.kty() && alg.curve().is_some_and(|c| crv == c))
    }

    /// Whether a JWK of this `kty` and `crv` can hold a key of this algorithm.
    #[cfg(feature = "jwk")]
    pub(crate) fn fits(self, kty: JsonStr<'_>, crv: Option<JsonStr<'_>>) -> bool {
        kty == self.kty()
            && match self.curve() {
                Some(curve) => crv.is_some_and(|crv| crv == curve),
                None => true,
            }
    }
}

impl core::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}

    // The hashes of the HMAC and RSA families, which name them as parameters.
    #[cfg(any(feature = "hmac", feature = "rsa"))]
    impl Sealed for sha2::Sha256 {}
    #[cfg(any(feature = "hmac-sha512", feature = "rsa"))]
    impl Sealed for sha2::Sha384 {}
    #[cfg(any(feature = "hmac-sha512", feature = "rsa"))]
    impl Sealed for sha2::Sha512 {}
}

/// A key that verifies tokens. It is bound to exactly one [`Algorithm`] (RFC 8725 section
/// 3.1), which decides how a token is verified; the token's `alg` must match it.
///
/// Implemented by the HMAC keys ([`HmacKey`](crate::HmacKey)), the public keys of each
/// family (RSA, ECDSA over each curve, Ed25519) and [`AnyVerifyingKey`](crate::AnyVerifyingKey);
/// sealed, so no other algorithm can be added.
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Hs256Key, VerifyingKey};
/// let key = Hs256Key::new(&[7u8; 32])?;
/// assert_eq!(VerifyingKey::algorithm(&key), Algorithm::Hs256);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
pub trait VerifyingKey: sealed::Sealed {
    /// The algorithm this key is bound to.
    fn algorithm(&self) -> Algorithm;

    /// Length in bytes of this key's signatures: the hash length for HMAC, twice the field
    /// length for ECDSA, 64 for Ed25519, the modulus length for RSA. A token whose signature segment does not decode to exactly this
    /// many bytes is refused before its signature is decoded or checked.
    ///
    /// ```
    /// # #[cfg(feature = "hmac")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Hs256Key, VerifyingKey};
    /// assert_eq!(VerifyingKey::signature_len(&Hs256Key::new(&[7u8; 32])?), 32);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hmac"))]
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
    /// # #[cfg(feature = "hmac")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Hs256Key, SigningKey, VerifyingKey};
    /// let key = Hs256Key::new(&[7u8; 32])?;
    /// let mut sig = [0u8; 32];
    /// key.sign_signature(b"any bytes", &mut sig)?;
    /// assert_eq!(key.verify_signature(b"any bytes", &sig), Ok(()));
    /// assert!(key.verify_signature(b"other bytes", &sig).is_err());
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hmac"))]
    /// # fn main() {}
    /// ```
    fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), Error>;

    /// The code that verifies this key's signatures: [`Backend::of`] its algorithm, or
    /// [`Backend::PureRust`] for a key given back to jwt-core's own code with `pure_rust()`.
    /// The rules a key and a signature must meet are the same on both.
    ///
    /// ```
    /// # #[cfg(feature = "hmac")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Backend, Hs256Key, VerifyingKey};
    /// assert_eq!(Hs256Key::new(&[7u8; 32])?.backend(), Backend::PureRust);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hmac"))]
    /// # fn main() {}
    /// ```
    fn backend(&self) -> Backend {
        Backend::PureRust
    }
}

/// A key that signs tokens, bound to exactly one [`Algorithm`].
///
/// Implemented by the HMAC keys and the private keys of each family; sealed.
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Hs256Key, SigningKey};
/// let key = Hs256Key::new(&[7u8; 32])?;
/// assert_eq!(SigningKey::algorithm(&key), Algorithm::Hs256);
/// assert_eq!(key.signature_len(), 32);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
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

#[cfg(test)]
mod tests {
    use super::Algorithm;
    use crate::json::JsonStr;

    #[test]
    fn every_name_reads_back_as_its_algorithm() {
        for alg in Algorithm::ALL {
            let read = crate::json::parse_object(
                std::format!(r#"{{"alg":"{}"}}"#, alg.name()).as_bytes(),
                |_, value| match value {
                    crate::json::Value::String(name) => {
                        assert_eq!(Algorithm::from_json_name(name), Some(alg));
                        Ok(())
                    }
                    _ => Err(crate::Error::Json),
                },
            );
            assert_eq!(read, Ok(()));
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        assert_eq!(Algorithm::from_json_name(JsonStr::EMPTY), None);
    }
}
