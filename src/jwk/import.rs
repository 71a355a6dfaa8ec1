//! `from_jwk` of each key family: the members each key type requires, decoded and checked
//! (RFC 7518 section 6, RFC 8037 section 2), with the rules of [`Jwk::check`] first.

#[cfg(feature = "hmac")]
mod hmac {
    use crate::error::Error;
    use crate::hmac::{HmacHash, HmacKey};
    use crate::jwk::{ImportVerifying, Jwk, Op, secret_bytes};

    /// Longest `k` accepted from a JWK, in bytes.
    const MAX_SECRET_LEN: usize = 256;

    impl<H: HmacHash> HmacKey<H> {
        /// Longest `k` accepted from a JWK, in bytes.
        pub const MAX_JWK_LEN: usize = MAX_SECRET_LEN;

        /// Imports an `oct` JWK (RFC 7518 section 6.4): `k` of at least
        /// [`MIN_LEN`](Self::MIN_LEN) bytes (and at most [`MAX_JWK_LEN`](Self::MAX_JWK_LEN));
        /// `alg`, when present, this key's algorithm; `use` `sig`; `key_ops` allowing `sign`
        /// or `verify`. The key does only what `key_ops` allows: with `["verify"]` it
        /// verifies and refuses to sign ([`Error::InvalidKey`]), with `["sign"]` the reverse.
        /// No allocation.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`] (another `alg`).
        ///
        /// ```
        /// let jwk = jwt_core::Jwk::parse(br#"{"kty":"oct","alg":"HS256",
        ///     "k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#)?;
        /// let key = jwt_core::Hs256Key::from_jwk(&jwk)?;
        /// // The same secret is too short for HS512, and its `alg` says HS256 anyway.
        /// # #[cfg(feature = "hmac-sha512")]
        /// assert!(jwt_core::Hs512Key::from_jwk(&jwk).is_err());
        /// # let _ = key;
        /// # Ok::<(), jwt_core::Error>(())
        /// ```
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            Self::from_jwk_for(jwk, Op::VerifyOrSign)
        }

        /// [`from_jwk`](Self::from_jwk) for the use `op`, which `key_ops` must allow.
        pub(crate) fn from_jwk_for(jwk: &Jwk<'_>, op: Op) -> Result<Self, Error> {
            use zeroize::Zeroize;
            let ops = jwk.check(H::ALGORITHM, op)?;
            let mut secret = [0u8; MAX_SECRET_LEN];
            let key = secret_bytes(jwk.material.k, &mut secret)
                .and_then(|len| Self::new(secret.get(..len).ok_or(Error::InvalidKey)?));
            secret.zeroize();
            Ok(key?.limited_to(ops))
        }
    }

    impl<H: HmacHash> ImportVerifying for HmacKey<H> {
        fn import(jwk: &Jwk<'_>) -> Result<Self, Error> {
            Self::from_jwk_for(jwk, Op::Verify)
        }
    }
}

#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
mod ecdsa {
    use crate::ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
    use crate::error::Error;
    use crate::jwk::{ImportVerifying, Jwk, Op, public_member, secret_bytes};

    /// The longest field element of the curves here (P-521).
    const MAX_FIELD_LEN: usize = 66;

    impl<C: EcdsaCurve> EcdsaPublicKey<C> {
        /// Imports a public `EC` JWK (RFC 7518 section 6.2.1): `crv` this key's curve, `x`
        /// and `y` of exactly the field length forming a point on the curve, no private
        /// member; `alg`, when present, this key's algorithm; `use` `sig`; `key_ops`
        /// allowing `verify`. No allocation.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`] (another curve or `alg`).
        ///
        /// ```
        /// # #[cfg(feature = "p256")]
        /// # fn main() -> Result<(), jwt_core::Error> {
        /// use jwt_core::{Es256PublicKey, Jwk};
        /// let jwk = Jwk::parse(br#"{"kty":"EC","crv":"P-256",
        ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
        /// let key = Es256PublicKey::from_jwk(&jwk)?;
        /// # let _ = key;
        /// # Ok(())
        /// # }
        /// # #[cfg(not(feature = "p256"))]
        /// # fn main() {}
        /// ```
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            jwk.check(C::ALGORITHM, Op::Verify)?;
            if jwk.has_private_members() {
                return Err(Error::InvalidKey);
            }
            Self::from_ec_members(jwk)
        }

        fn from_ec_members(jwk: &Jwk<'_>) -> Result<Self, Error> {
            let mut x = [0u8; MAX_FIELD_LEN];
            let mut y = [0u8; MAX_FIELD_LEN];
            let x = x.get_mut(..C::FIELD_LEN).ok_or(Error::InvalidKey)?;
            let y = y.get_mut(..C::FIELD_LEN).ok_or(Error::InvalidKey)?;
            public_member(jwk.material.x, x)?;
            public_member(jwk.material.y, y)?;
            Self::from_coordinates(x, y)
        }
    }

    impl<C: EcdsaCurve> ImportVerifying for EcdsaPublicKey<C> {
        fn import(jwk: &Jwk<'_>) -> Result<Self, Error> {
            Self::from_jwk(jwk)
        }
    }

    impl<C: EcdsaCurve> EcdsaPrivateKey<C> {
        /// Imports a private `EC` JWK: as [`EcdsaPublicKey::from_jwk`] plus `d` of exactly
        /// the field length, which must be the private key of `(x, y)`; `key_ops` allowing
        /// `sign`. No allocation.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`].
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            use zeroize::Zeroize;
            jwk.check(C::ALGORITHM, Op::Sign)?;
            let public = EcdsaPublicKey::<C>::from_ec_members(jwk)?;
            let mut d = [0u8; MAX_FIELD_LEN];
            let key = match secret_bytes(jwk.material.d, &mut d) {
                Ok(len) if len == C::FIELD_LEN => d
                    .get(..len)
                    .map_or(Err(Error::InvalidKey), Self::from_bytes),
                _ => Err(Error::InvalidKey),
            };
            d.zeroize();
            let key = key?;
            if key.public_key() == public {
                Ok(key)
            } else {
                Err(Error::InvalidKey)
            }
        }
    }
}

#[cfg(feature = "ed25519")]
mod eddsa {
    use crate::algorithm::Algorithm;
    use crate::eddsa::{Ed25519PrivateKey, Ed25519PublicKey};
    use crate::error::Error;
    use crate::jwk::{ImportVerifying, Jwk, Op, public_member, secret_bytes};

    impl Ed25519PublicKey {
        /// Imports a public `OKP` JWK (RFC 8037 section 2): `crv` `Ed25519` (an `Ed448` key
        /// is refused as unsupported, never taken for an Ed25519 one), `x` of exactly 32
        /// bytes, no `d`; `alg`, when present, `EdDSA`; `use` `sig`; `key_ops` allowing
        /// `verify`. No allocation.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`] (another curve or `alg`).
        ///
        /// ```
        /// // RFC 8037 appendix A.2.
        /// let jwk = jwt_core::Jwk::parse(br#"{"kty":"OKP","crv":"Ed25519",
        ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
        /// let key = jwt_core::Ed25519PublicKey::from_jwk(&jwk)?;
        /// let ed448 = jwt_core::Jwk::parse(br#"{"kty":"OKP","crv":"Ed448","x":"AAAA"}"#)?;
        /// assert_eq!(
        ///     jwt_core::Ed25519PublicKey::from_jwk(&ed448).unwrap_err(),
        ///     jwt_core::Error::UnsupportedAlgorithm
        /// );
        /// # let _ = key;
        /// # Ok::<(), jwt_core::Error>(())
        /// ```
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            jwk.check(Algorithm::EdDsa, Op::Verify)?;
            if jwk.has_private_members() {
                return Err(Error::InvalidKey);
            }
            Self::from_okp_members(jwk)
        }

        fn from_okp_members(jwk: &Jwk<'_>) -> Result<Self, Error> {
            let mut x = [0u8; 32];
            public_member(jwk.material.x, &mut x)?;
            Self::from_bytes(&x)
        }
    }

    impl ImportVerifying for Ed25519PublicKey {
        fn import(jwk: &Jwk<'_>) -> Result<Self, Error> {
            Self::from_jwk(jwk)
        }
    }

    impl Ed25519PrivateKey {
        /// Imports a private `OKP` JWK: as [`Ed25519PublicKey::from_jwk`] plus `d`, the
        /// 32-byte seed, whose public key must be `x`; `key_ops` allowing `sign`.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`].
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            use zeroize::Zeroize;
            jwk.check(Algorithm::EdDsa, Op::Sign)?;
            let public = Ed25519PublicKey::from_okp_members(jwk)?;
            // Room for one byte more than a seed, so a longer `d` is seen as such.
            let mut d = [0u8; 33];
            let key = match secret_bytes(jwk.material.d, &mut d) {
                Ok(32) => d
                    .first_chunk::<32>()
                    .map(Self::from_bytes)
                    .ok_or(Error::InvalidKey),
                _ => Err(Error::InvalidKey),
            };
            d.zeroize();
            let key = key?;
            if key.public_key() == public {
                Ok(key)
            } else {
                Err(Error::InvalidKey)
            }
        }
    }
}

#[cfg(feature = "rsa")]
mod rsa {
    use alloc::vec::Vec;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use zeroize::Zeroizing;

    use crate::base64url;
    use crate::error::Error;
    use crate::json::JsonStr;
    use crate::jwk::{ImportVerifying, Jwk, Op, required};
    use crate::rsa::{RsaPrivateKey, RsaPublicKey, RsaScheme};

    /// A Base64urlUInt (RFC 7518 section 2): non-empty, minimum octets (no leading zero).
    fn minimal(bytes: &[u8]) -> Result<(), Error> {
        match bytes {
            [] | [0, ..] => Err(Error::InvalidKey),
            _ => Ok(()),
        }
    }

    fn public_uint(member: Option<JsonStr<'_>>) -> Result<Vec<u8>, Error> {
        let text = required(member)?;
        let len = base64url::decoded_len(text.len()).ok_or(Error::InvalidKey)?;
        let mut out = alloc::vec![0u8; len];
        base64url::decode(text.as_bytes(), &mut out).map_err(|_| Error::InvalidKey)?;
        minimal(&out)?;
        Ok(out)
    }

    fn secret_uint(member: Option<JsonStr<'_>>) -> Result<Zeroizing<Vec<u8>>, Error> {
        let text = required(member)?;
        let out =
            Zeroizing::new(Base64UrlUnpadded::decode_vec(text).map_err(|_| Error::InvalidKey)?);
        minimal(&out)?;
        Ok(out)
    }

    impl<S: RsaScheme> RsaPublicKey<S> {
        /// Imports a public `RSA` JWK (RFC 7518 section 6.3.1): `n` and `e` as minimum-octet
        /// Base64urlUInt, no private member, and the key rules of [`RsaPublicKey`] (2048 to
        /// 8192 bits, odd `e` of at least 3, no ROCA fingerprint); `alg`, when present, this
        /// key's algorithm; `use` `sig`; `key_ops` allowing `verify`. A JWK without `alg`
        /// (as Microsoft Entra ID publishes them) is imported for whichever RSA algorithm is
        /// asked for.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`] (another `alg`).
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            jwk.check(S::ALGORITHM, Op::Verify)?;
            if jwk.has_private_members() {
                return Err(Error::InvalidKey);
            }
            let n = public_uint(jwk.material.n)?;
            let e = public_uint(jwk.material.e)?;
            Self::from_components(&n, &e)
        }
    }

    impl<S: RsaScheme> ImportVerifying for RsaPublicKey<S> {
        fn import(jwk: &Jwk<'_>) -> Result<Self, Error> {
            Self::from_jwk(jwk)
        }
    }

    impl<S: RsaScheme> RsaPrivateKey<S> {
        /// Imports a private `RSA` JWK (RFC 7518 section 6.3.2): `n`, `e`, `d`, `p` and `q`
        /// (`dp`, `dq` and `qi` are recomputed; multi-prime `oth` is refused), checked for
        /// consistency, with the key rules of [`RsaPublicKey`]; `key_ops` allowing `sign`.
        ///
        /// # Errors
        /// [`Error::InvalidKey`] or [`Error::UnsupportedAlgorithm`] (another `alg`).
        pub fn from_jwk(jwk: &Jwk<'_>) -> Result<Self, Error> {
            jwk.check(S::ALGORITHM, Op::Sign)?;
            let m = &jwk.material;
            if m.oth {
                return Err(Error::InvalidKey);
            }
            let n = public_uint(m.n)?;
            let e = public_uint(m.e)?;
            let (d, p, q) = (secret_uint(m.d)?, secret_uint(m.p)?, secret_uint(m.q)?);
            Self::from_components(&n, &e, &d, &p, &q)
        }
    }
}
