//! [`AnyVerifyingKey`]: a verifying key of whichever algorithm a JWK holds.

use super::Jwk;
use crate::algorithm::{Algorithm, VerifyingKey, sealed};
use crate::error::Error;

/// A verifying key of any algorithm compiled in, as imported from a JWK whose type is only
/// known at run time (a JWK Set from an identity provider). It keeps the algorithm binding
/// of the key it holds.
///
/// ```
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Jwk, AnyVerifyingKey, VerifyingKey};
/// let jwk = Jwk::parse(br#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#)?;
/// let key = AnyVerifyingKey::from_jwk(&jwk)?;
/// assert_eq!(key.algorithm(), Algorithm::Hs256);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
// An ES256 key carries its verification tables inline (no allocator needed); keys are
// imported once and kept, so the size of the other variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyVerifyingKey {
    /// An HS256 secret.
    #[cfg(feature = "hs256")]
    Hs256(crate::Hs256Key),
    /// An ES256 public key.
    #[cfg(feature = "es256")]
    Es256(crate::Es256PublicKey),
    /// An RS256 public key.
    #[cfg(feature = "rs256")]
    Rs256(crate::Rs256PublicKey),
}

impl AnyVerifyingKey {
    /// Imports a JWK as the verifying key its `kty` (and `crv`) name: `oct` as HS256, `EC`
    /// on P-256 as ES256, `RSA` as RS256, each with the rules of that key type's `from_jwk`.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for a key type, curve or `alg` this build does not
    /// implement; [`Error::InvalidKey`] for a key that breaks the rules.
    pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
        match Algorithm::from_kty(jwk.kty()) {
            #[cfg(feature = "hs256")]
            Some(Algorithm::Hs256) => {
                crate::Hs256Key::from_jwk_for(jwk, super::Op::Verify).map(AnyVerifyingKey::Hs256)
            }
            #[cfg(feature = "es256")]
            Some(Algorithm::Es256) => {
                crate::Es256PublicKey::from_jwk(jwk).map(AnyVerifyingKey::Es256)
            }
            #[cfg(feature = "rs256")]
            Some(Algorithm::Rs256) => {
                crate::Rs256PublicKey::from_jwk(jwk).map(AnyVerifyingKey::Rs256)
            }
            _ => Err(Error::UnsupportedAlgorithm),
        }
    }

    fn inner(&self) -> &dyn VerifyingKey {
        match self {
            #[cfg(feature = "hs256")]
            AnyVerifyingKey::Hs256(key) => key,
            #[cfg(feature = "es256")]
            AnyVerifyingKey::Es256(key) => key,
            #[cfg(feature = "rs256")]
            AnyVerifyingKey::Rs256(key) => key,
        }
    }
}

impl sealed::Sealed for AnyVerifyingKey {}

impl VerifyingKey for AnyVerifyingKey {
    fn algorithm(&self) -> Algorithm {
        self.inner().algorithm()
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.inner().verify_signature(signing_input, signature)
    }

    fn signature_len(&self) -> usize {
        self.inner().signature_len()
    }
}

#[cfg(feature = "hs256")]
impl From<crate::Hs256Key> for AnyVerifyingKey {
    fn from(key: crate::Hs256Key) -> Self {
        AnyVerifyingKey::Hs256(key)
    }
}

#[cfg(feature = "es256")]
impl From<crate::Es256PublicKey> for AnyVerifyingKey {
    fn from(key: crate::Es256PublicKey) -> Self {
        AnyVerifyingKey::Es256(key)
    }
}

#[cfg(feature = "rs256")]
impl From<crate::Rs256PublicKey> for AnyVerifyingKey {
    fn from(key: crate::Rs256PublicKey) -> Self {
        AnyVerifyingKey::Rs256(key)
    }
}
