//! [`AnyVerifyingKey`]: a verifying key of whichever algorithm a JWK holds.

use super::{ImportVerifying, Jwk};
use crate::algorithm::{Algorithm, VerifyingKey, sealed};
use crate::backend::Backend;
use crate::error::Error;

/// Declares [`AnyVerifyingKey`] from one table of algorithm, feature and key type, so the
/// enum, its import and its dispatch cannot disagree.
macro_rules! any_verifying_key {
    ($($feature:literal $variant:ident($key:ty),)*) => {
        /// A verifying key of any algorithm compiled in, as imported from a JWK whose type
        /// is only known at run time (a JWK Set from an identity provider). Each variant is
        /// named after the one [`Algorithm`] its key is bound to.
        ///
        /// ```
        /// # #[cfg(feature = "hmac")]
        /// # fn main() -> Result<(), jwt_core::Error> {
        /// use jwt_core::{Algorithm, Jwk, AnyVerifyingKey, VerifyingKey};
        /// let jwk = Jwk::parse(br#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#)?;
        /// let key = AnyVerifyingKey::from_jwk(&jwk)?;
        /// assert_eq!(key.algorithm(), Algorithm::Hs256);
        /// # Ok(())
        /// # }
        /// # #[cfg(not(feature = "hmac"))]
        /// # fn main() {}
        /// ```
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        // An ES256 key carries its verification tables inline (no allocator needed); keys
        // are imported once and kept, so the size of the other variants does not matter.
        #[allow(clippy::large_enum_variant)]
        pub enum AnyVerifyingKey {
            $(
                #[doc = concat!("A key for `", stringify!($variant), "`.")]
                #[cfg(feature = $feature)]
                $variant($key),
            )*
        }

        impl AnyVerifyingKey {
            /// Imports a JWK as a key of `alg`, with the rules of that key type's
            /// `from_jwk`: the JWK's `kty` (and `crv`) must fit `alg`, and its own `alg`,
            /// when present, must be `alg`. For a key that names no algorithm (Microsoft
            /// Entra ID's RSA keys), this is how a verifier that allows, say, PS256 uses it
            /// for PS256.
            ///
            /// # Errors
            /// [`Error::UnsupportedAlgorithm`] for an algorithm this build does not
            /// implement or a JWK that names another; [`Error::InvalidKey`] for a key that
            /// breaks the rules.
            ///
            /// ```
            /// # #[cfg(feature = "rsa")]
            /// # fn main() -> Result<(), jwt_core::Error> {
            /// use jwt_core::{Algorithm, AnyVerifyingKey, Jwk, VerifyingKey};
            /// let jwk = Jwk::parse(br#"{"kty":"RSA","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#)?;
            /// assert_eq!(AnyVerifyingKey::from_jwk(&jwk)?.algorithm(), Algorithm::Rs256);
            /// let pss = AnyVerifyingKey::from_jwk_as(&jwk, Algorithm::Ps256)?;
            /// assert_eq!(pss.algorithm(), Algorithm::Ps256);
            /// # Ok(())
            /// # }
            /// # #[cfg(not(feature = "rsa"))]
            /// # fn main() {}
            /// ```
            pub fn from_jwk_as(jwk: &Jwk<'_>, alg: Algorithm) -> Result<Self, Error> {
                match alg {
                    $(
                        #[cfg(feature = $feature)]
                        Algorithm::$variant => {
                            <$key as ImportVerifying>::import(jwk).map(AnyVerifyingKey::$variant)
                        }
                    )*
                    #[allow(unreachable_patterns)] // With every feature, every algorithm has a key.
                    _ => Err(Error::UnsupportedAlgorithm),
                }
            }

            fn inner(&self) -> &dyn VerifyingKey {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        AnyVerifyingKey::$variant(ref key) => key,
                    )*
                }
            }
        }

        $(
            #[cfg(feature = $feature)]
            impl From<$key> for AnyVerifyingKey {
                fn from(key: $key) -> Self {
                    AnyVerifyingKey::$variant(key)
                }
            }
        )*
    };
}

any_verifying_key! {
    "hmac" Hs256(crate::Hs256Key),
    "hmac-sha512" Hs384(crate::Hs384Key),
    "hmac-sha512" Hs512(crate::Hs512Key),
    "rsa" Rs256(crate::Rs256PublicKey),
    "rsa" Rs384(crate::Rs384PublicKey),
    "rsa" Rs512(crate::Rs512PublicKey),
    "rsa" Ps256(crate::Ps256PublicKey),
    "rsa" Ps384(crate::Ps384PublicKey),
    "rsa" Ps512(crate::Ps512PublicKey),
    "p256" Es256(crate::Es256PublicKey),
    "p384" Es384(crate::Es384PublicKey),
    "p521" Es512(crate::Es512PublicKey),
    "k256" Es256k(crate::Es256kPublicKey),
    "ed25519" EdDsa(crate::Ed25519PublicKey),
}

impl AnyVerifyingKey {
    /// Imports a JWK as the verifying key it declares: the algorithm its `alg` names, or,
    /// without `alg`, its key type's default: HS256 for `oct`, RS256 for `RSA`, the curve's
    /// one algorithm for `EC` (P-256, P-384, P-521, secp256k1) and EdDSA for `OKP` Ed25519.
    /// Use [`from_jwk_as`](Self::from_jwk_as) to use an `alg`-less key for another
    /// algorithm of its type.
    ///
    /// # Errors
    /// [`Error::UnsupportedAlgorithm`] for a key type, curve (Ed448, say) or `alg` this build
    /// does not implement; [`Error::InvalidKey`] for a key that breaks the rules.
    pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
        Self::from_jwk_as(jwk, jwk.algorithm().ok_or(Error::UnsupportedAlgorithm)?)
    }

    /// This key verifying with the pure-Rust code, whatever the build's [`Backend`] (HMAC
    /// keys always do).
    ///
    /// ```
    /// # #[cfg(feature = "ed25519")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{AnyVerifyingKey, Backend, Jwk, VerifyingKey};
    /// let jwk = Jwk::parse(br#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let key = AnyVerifyingKey::from_jwk(&jwk)?;
    /// assert_eq!(key.backend(), Backend::of(key.algorithm()));
    /// assert_eq!(key.pure_rust().backend(), Backend::PureRust);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "ed25519"))]
    /// # fn main() {}
    /// ```
    #[must_use]
    pub fn pure_rust(self) -> Self {
        match self {
            #[cfg(feature = "rsa")]
            Self::Rs256(key) => Self::Rs256(key.pure_rust()),
            #[cfg(feature = "rsa")]
            Self::Rs384(key) => Self::Rs384(key.pure_rust()),
            #[cfg(feature = "rsa")]
            Self::Rs512(key) => Self::Rs512(key.pure_rust()),
            #[cfg(feature = "rsa")]
            Self::Ps256(key) => Self::Ps256(key.pure_rust()),
            #[cfg(feature = "rsa")]
            Self::Ps384(key) => Self::Ps384(key.pure_rust()),
            #[cfg(feature = "rsa")]
            Self::Ps512(key) => Self::Ps512(key.pure_rust()),
            #[cfg(feature = "p256")]
            Self::Es256(key) => Self::Es256(key.pure_rust()),
            #[cfg(feature = "p384")]
            Self::Es384(key) => Self::Es384(key.pure_rust()),
            #[cfg(feature = "p521")]
            Self::Es512(key) => Self::Es512(key.pure_rust()),
            #[cfg(feature = "ed25519")]
            Self::EdDsa(key) => Self::EdDsa(key.pure_rust()),
            // HMAC and ES256K keys verify in Rust in every build.
            #[allow(unreachable_patterns)] // Without HMAC or ES256K, every variant is above.
            other => other,
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

    fn backend(&self) -> Backend {
        self.inner().backend()
    }
}
