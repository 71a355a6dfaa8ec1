//! RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 section 3.3). Needs `alloc`.

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey as RsaSigningKey, VerifyingKey as RsaVerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use crate::algorithm::{SigningKey, VerifyingKey, sealed};
use crate::{Algorithm, Error, base64url};

/// Smallest modulus accepted, in bits (RFC 7518 section 3.3; STANDARDS V-R1).
pub const MIN_MODULUS_BITS: usize = 2048;
/// Largest modulus accepted, in bits (bounds the work one verification can cost).
pub const MAX_MODULUS_BITS: usize = 8192;
const MAX_SIGNATURE_LEN: usize = MAX_MODULUS_BITS / 8;

/// Applies the key rules shared by public and private keys: modulus size and an odd
/// public exponent of at least 3 (the `rsa` crate bounds it above by 2^33 - 1).
fn checked(key: RsaPublicKey) -> Result<RsaPublicKey, Error> {
    let bits = key.n().bits() as usize;
    let e = key.e_bytes();
    let odd_e = e.last().is_some_and(|low| low & 1 == 1);
    let e_at_least_3 = e.len() > 1 || e.first().is_some_and(|&b| b >= 3);
    if (MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) && odd_e && e_at_least_3 {
        Ok(key)
    } else {
        Err(Error::InvalidKey)
    }
}

/// An RS256 public key with a modulus of 2048 to 8192 bits.
///
/// A signature must be exactly as long as the modulus (V-R1), and its DigestInfo must name
/// SHA-256 (V-R2).
///
/// ```
/// use jwt_core::{Error, Rs256PublicKey};
/// // A 1024-bit modulus is refused even though the `rsa` crate would accept it.
/// let n = [0xC5u8; 128];
/// assert_eq!(Rs256PublicKey::from_components(&n, &[1, 0, 1]).unwrap_err(), Error::InvalidKey);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Rs256PublicKey {
    key: RsaVerifyingKey<Sha256>,
    len: usize,
}

impl Rs256PublicKey {
    fn from_rsa(key: RsaPublicKey) -> Result<Self, Error> {
        let key = checked(key)?;
        let len = key.size();
        Ok(Rs256PublicKey {
            key: RsaVerifyingKey::new(key),
            len,
        })
    }

    /// Imports a key from its big-endian modulus `n` and public exponent `e`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a modulus outside 2048..=8192 bits, an even modulus, or an
    /// exponent that is even, below 3 or above 2^33 - 1.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        if n.len() > MAX_SIGNATURE_LEN + 1 || e.len() > 8 {
            return Err(Error::InvalidKey);
        }
        let n = BoxedUint::from_be_slice_vartime(n);
        let e = BoxedUint::from_be_slice_vartime(e);
        let key = RsaPublicKey::new_with_size_limits(n, e, MIN_MODULUS_BITS..=MAX_MODULUS_BITS)
            .map_err(|_| Error::InvalidKey)?;
        Self::from_rsa(key)
    }

    /// Imports a PKCS#1 `RSAPublicKey` (DER).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER or a key outside the rules above.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(RsaPublicKey::from_pkcs1_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Imports an X.509 `SubjectPublicKeyInfo` (DER), the body of a `PUBLIC KEY` PEM.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, another key type, or a key outside the rules.
    pub fn from_public_key_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(RsaPublicKey::from_public_key_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Modulus length in bytes, which is also the signature length.
    pub fn modulus_len(&self) -> usize {
        self.len
    }
}

impl sealed::Sealed for Rs256PublicKey {}

impl VerifyingKey for Rs256PublicKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        // The `rsa` crate also checks this; checking first keeps the rule visible (V-R1).
        if signature.len() != self.len {
            return Err(Error::InvalidSignature);
        }
        let signature = Signature::try_from(signature).map_err(|_| Error::InvalidSignature)?;
        self.key
            .verify(signing_input, &signature)
            .map_err(|_| Error::InvalidSignature)
    }

    fn verify_segment(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != base64url::encoded_len(self.len) {
            return Err(Error::InvalidSignature);
        }
        let mut raw = [0u8; MAX_SIGNATURE_LEN];
        let n = base64url::decode(signature, &mut raw).map_err(|_| Error::InvalidSignature)?;
        self.verify_signature(signing_input, &raw[..n])
    }
}

/// An RS256 private key with a modulus of 2048 to 8192 bits. PKCS#1 v1.5 signing is
/// deterministic; with the `std` feature the private-key operation is blinded with the
/// operating system's random number generator. `Debug` never prints key material.
///
/// ```no_run
/// let der = std::fs::read("key.der").unwrap();
/// let key = jwt_core::Rs256PrivateKey::from_pkcs8_der(&der)?;
/// # let _ = key;
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Rs256PrivateKey {
    key: RsaSigningKey<Sha256>,
    len: usize,
}

impl Rs256PrivateKey {
    fn from_rsa(key: RsaPrivateKey) -> Result<Self, Error> {
        let len = checked(key.to_public_key())?.size();
        Ok(Rs256PrivateKey {
            key: RsaSigningKey::new(key),
            len,
        })
    }

    /// Imports a PKCS#1 `RSAPrivateKey` (DER), the body of an `RSA PRIVATE KEY` PEM.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, inconsistent components, or a key outside
    /// the rules of [`Rs256PublicKey`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(RsaPrivateKey::from_pkcs1_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Imports a PKCS#8 `PrivateKeyInfo` (DER), the body of a `PRIVATE KEY` PEM.
    ///
    /// # Errors
    /// As [`from_pkcs1_der`](Self::from_pkcs1_der).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(RsaPrivateKey::from_pkcs8_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// The signature, left-padded to the modulus length (S-2).
    fn sign(&self, signing_input: &[u8]) -> Result<alloc::boxed::Box<[u8]>, Error> {
        let signature = self.key.try_sign(signing_input).map_err(|_| Error::Signing)?;
        let bytes = signature.to_bytes();
        if bytes.len() == self.len {
            Ok(bytes)
        } else {
            Err(Error::Signing)
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> Rs256PublicKey {
        let public: &RsaPrivateKey = self.key.as_ref();
        Rs256PublicKey {
            key: RsaVerifyingKey::new(public.to_public_key()),
            len: self.len,
        }
    }
}

impl core::fmt::Debug for Rs256PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rs256PrivateKey { .. }")
    }
}

impl sealed::Sealed for Rs256PrivateKey {}

impl SigningKey for Rs256PrivateKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn signature_len(&self) -> usize {
        self.len
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let signature = self.sign(signing_input)?;
        let out = out.get_mut(..signature.len()).ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(&signature);
        Ok(signature.len())
    }

    fn sign_segment(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        base64url::encode(&self.sign(signing_input)?, out)
    }
}
