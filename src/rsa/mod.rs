//! RS256, RS384, RS512 (RSASSA-PKCS1-v1_5) and PS256, PS384, PS512 (RSASSA-PSS) with SHA-2
//! (RFC 7518 sections 3.3 and 3.5). Needs `alloc`.
//!
//! [`RsaPublicKey`] and [`RsaPrivateKey`] are one implementation over a scheme parameter
//! ([`Pkcs1v15`] or [`Pss`] with a hash), which binds the key to one algorithm. Verification
//! recovers the encoded message with the public-key operation (`montgomery.rs` for the
//! common key sizes, the `rsa` crate for the others) and checks it (`padding.rs`).

use alloc::vec::Vec;
use core::marker::PhantomData;

use rand_core::CryptoRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Pkcs1v15Sign};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::algorithm::{Algorithm, SigningKey, VerifyingKey, sealed};
#[cfg(feature = "aws-lc")]
use crate::backend::AwsLcKey;
use crate::backend::Backend;
use crate::error::Error;

mod montgomery;
mod padding;

use montgomery::MontgomeryKey;

const MIN_MODULUS_BITS: usize = 2048;
const MAX_MODULUS_BITS: usize = 8192;
const MAX_SIGNATURE_LEN: usize = MAX_MODULUS_BITS / 8;

/// A SHA-2 hash an RSA scheme is made with. Sealed.
pub trait RsaHash: sealed::Sealed + Digest + sha2::digest::FixedOutputReset + 'static {
    /// The DER `DigestInfo` prefix of this hash (RFC 8017 section 9.2, note 1).
    #[doc(hidden)]
    const DIGEST_INFO: &'static [u8];
    /// RSASSA-PKCS1-v1_5 with this hash.
    #[doc(hidden)]
    const PKCS1V15: Algorithm;
    /// RSASSA-PSS with this hash.
    #[doc(hidden)]
    const PSS: Algorithm;
}

impl RsaHash for Sha256 {
    const DIGEST_INFO: &'static [u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    const PKCS1V15: Algorithm = Algorithm::Rs256;
    const PSS: Algorithm = Algorithm::Ps256;
}

impl RsaHash for Sha384 {
    const DIGEST_INFO: &'static [u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    const PKCS1V15: Algorithm = Algorithm::Rs384;
    const PSS: Algorithm = Algorithm::Ps384;
}

impl RsaHash for Sha512 {
    const DIGEST_INFO: &'static [u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
    const PKCS1V15: Algorithm = Algorithm::Rs512;
    const PSS: Algorithm = Algorithm::Ps512;
}

/// An RSA signature scheme with its hash, which decides a key's algorithm: [`Pkcs1v15`]
/// (RS256, RS384, RS512) or [`Pss`] (PS256, PS384, PS512). Sealed; the parameter of
/// [`RsaPublicKey`] and [`RsaPrivateKey`].
pub trait RsaScheme: sealed::Sealed + 'static {
    /// The algorithm of this scheme.
    const ALGORITHM: Algorithm;

    /// Whether the encoded message `em` (as long as the modulus) encodes `message`.
    #[doc(hidden)]
    fn matches(em: &[u8], modulus_bits: usize, message: &[u8]) -> bool;

    /// Signs `message`, with randomness from `rng` when given (the PSS salt and blinding)
    /// and from the operating system otherwise (with `std`; PSS fails without either).
    #[doc(hidden)]
    fn sign<R: CryptoRng + ?Sized>(
        key: &rsa::RsaPrivateKey,
        rng: Option<&mut R>,
        message: &[u8],
    ) -> Result<Vec<u8>, Error>;
}

/// RSASSA-PKCS1-v1_5 with the hash `H` (RS256, RS384, RS512): deterministic.
pub struct Pkcs1v15<H>(PhantomData<fn() -> H>);

/// RSASSA-PSS with the hash `H`, MGF1 over `H` and a salt as long as `H`'s output (PS256,
/// PS384, PS512): signing needs random bytes.
pub struct Pss<H>(PhantomData<fn() -> H>);

impl<H: RsaHash> sealed::Sealed for Pkcs1v15<H> {}

impl<H: RsaHash> RsaScheme for Pkcs1v15<H> {
    const ALGORITHM: Algorithm = H::PKCS1V15;

    fn matches(em: &[u8], _modulus_bits: usize, message: &[u8]) -> bool {
        padding::pkcs1v15_matches::<H>(em, message)
    }

    fn sign<R: CryptoRng + ?Sized>(
        key: &rsa::RsaPrivateKey,
        rng: Option<&mut R>,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let padding = Pkcs1v15Sign {
            hash_len: Some(<H as Digest>::output_size()),
            prefix: H::DIGEST_INFO.into(),
        };
        let digest = H::digest(message);
        match rng {
            Some(rng) => key.sign_with_rng(rng, padding, &digest),
            None => key.sign(padding, &digest),
        }
        .map_err(|_| Error::Signing)
    }
}

impl<H: RsaHash> sealed::Sealed for Pss<H> {}

impl<H: RsaHash> RsaScheme for Pss<H> {
    const ALGORITHM: Algorithm = H::PSS;

    fn matches(em: &[u8], modulus_bits: usize, message: &[u8]) -> bool {
        padding::pss_matches::<H>(em, modulus_bits, message)
    }

    fn sign<R: CryptoRng + ?Sized>(
        key: &rsa::RsaPrivateKey,
        rng: Option<&mut R>,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let padding = rsa::Pss::<H>::new_with_salt(<H as Digest>::output_size());
        let digest = H::digest(message);
        match rng {
            Some(rng) => key.sign_with_rng(rng, padding, &digest),
            None => key.sign(padding, &digest),
        }
        .map_err(|_| Error::Signing)
    }
}

/// An RS256 public key: [`RsaPublicKey`] with PKCS#1 v1.5 and SHA-256.
pub type Rs256PublicKey = RsaPublicKey<Pkcs1v15<Sha256>>;
/// An RS384 public key.
pub type Rs384PublicKey = RsaPublicKey<Pkcs1v15<Sha384>>;
/// An RS512 public key.
pub type Rs512PublicKey = RsaPublicKey<Pkcs1v15<Sha512>>;
/// A PS256 public key: [`RsaPublicKey`] with PSS and SHA-256.
pub type Ps256PublicKey = RsaPublicKey<Pss<Sha256>>;
/// A PS384 public key.
pub type Ps384PublicKey = RsaPublicKey<Pss<Sha384>>;
/// A PS512 public key.
pub type Ps512PublicKey = RsaPublicKey<Pss<Sha512>>;
/// An RS256 private key: [`RsaPrivateKey`] with PKCS#1 v1.5 and SHA-256.
pub type Rs256PrivateKey = RsaPrivateKey<Pkcs1v15<Sha256>>;
/// An RS384 private key.
pub type Rs384PrivateKey = RsaPrivateKey<Pkcs1v15<Sha384>>;
/// An RS512 private key.
pub type Rs512PrivateKey = RsaPrivateKey<Pkcs1v15<Sha512>>;
/// A PS256 private key: [`RsaPrivateKey`] with PSS and SHA-256.
pub type Ps256PrivateKey = RsaPrivateKey<Pss<Sha256>>;
/// A PS384 private key.
pub type Ps384PrivateKey = RsaPrivateKey<Pss<Sha384>>;
/// A PS512 private key.
pub type Ps512PrivateKey = RsaPrivateKey<Pss<Sha512>>;

/// Applies the key rules shared by public and private keys: modulus size and an odd
/// public exponent of at least 3 (the `rsa` crate bounds it above by 2^33 - 1).
fn checked(key: rsa::RsaPublicKey) -> Result<rsa::RsaPublicKey, Error> {
    let bits = key.n().bits() as usize;
    let e = key.e_bytes();
    let odd_e = e.last().is_some_and(|low| low & 1 == 1);
    let e_at_least_3 = e.len() > 1 || e.first().is_some_and(|&b| b >= 3);
    if (MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits)
        && odd_e
        && e_at_least_3
        && !has_roca_fingerprint(&key.n_bytes())
    {
        Ok(key)
    } else {
        Err(Error::InvalidKey)
    }
}

/// Whether a modulus has the structure of keys from the Infineon library broken by ROCA
/// (CVE-2017-15361): for every small prime `p` below, `n mod p` lies in the subgroup of
/// `(Z/pZ)*` generated by 65537. A random modulus passes all 38 tests with negligible
/// probability (Nemec et al., CCS 2017, section 2.3).
fn has_roca_fingerprint(n: &[u8]) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    PRIMES.iter().all(|&p| {
        // Division by a `NonZeroU32` has no division-by-zero panic branch.
        let Some(p) = core::num::NonZeroU32::new(p) else {
            return false;
        };
        let residue = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        let generator = 65537u32 % p;
        // Walk the cyclic subgroup <65537> until it closes at 1.
        let mut power = 1u32;
        loop {
            if power == residue {
                return true;
            }
            power = power * generator % p;
            if power == 1 {
                return false;
            }
        }
    })
}

/// An RSA public key with a modulus of 2048 to 8192 bits, bound to the scheme `S`
/// ([`Rs256PublicKey`] .. [`Ps512PublicKey`]).
///
/// A signature must be exactly as long as the modulus (V-R1); a PKCS#1 v1.5 signature's
/// DigestInfo must name the scheme's hash (V-R2); a PSS signature must use MGF1 with the
/// scheme's hash and a salt exactly as long as the hash.
///
/// ```
/// use jwt_core::{Error, Rs256PublicKey};
/// // A 1024-bit modulus is refused even though the `rsa` crate would accept it.
/// let n = [0xC5u8; 128];
/// assert_eq!(Rs256PublicKey::from_components(&n, &[1, 0, 1]).unwrap_err(), Error::InvalidKey);
/// ```
pub struct RsaPublicKey<S: RsaScheme> {
    key: rsa::RsaPublicKey,
    len: usize,
    bits: usize,
    /// Precomputed fixed-size verification for 2048/3072/4096-bit keys with e = 65537.
    montgomery: Option<MontgomeryKey>,
    /// aws-lc's parse of this key, which verifies when present.
    #[cfg(feature = "aws-lc")]
    aws_lc: Option<AwsLcKey>,
    scheme: PhantomData<fn() -> S>,
}

impl<S: RsaScheme> Clone for RsaPublicKey<S> {
    fn clone(&self) -> Self {
        RsaPublicKey {
            key: self.key.clone(),
            len: self.len,
            bits: self.bits,
            montgomery: self.montgomery.clone(),
            #[cfg(feature = "aws-lc")]
            aws_lc: self.aws_lc.clone(),
            scheme: PhantomData,
        }
    }
}

impl<S: RsaScheme> PartialEq for RsaPublicKey<S> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<S: RsaScheme> core::fmt::Debug for RsaPublicKey<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("alg", &S::ALGORITHM.name())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<S: RsaScheme> RsaPublicKey<S> {
    /// Smallest modulus accepted, in bits (RFC 7518 sections 3.3 and 3.5).
    ///
    /// ```
    /// assert_eq!(jwt_core::Rs256PublicKey::MIN_MODULUS_BITS, 2048);
    /// ```
    pub const MIN_MODULUS_BITS: usize = MIN_MODULUS_BITS;

    /// Largest modulus accepted, in bits: it bounds the work one verification can cost.
    ///
    /// ```
    /// assert_eq!(jwt_core::Ps256PublicKey::MAX_MODULUS_BITS, 8192);
    /// ```
    pub const MAX_MODULUS_BITS: usize = MAX_MODULUS_BITS;

    fn from_rsa(key: rsa::RsaPublicKey) -> Result<Self, Error> {
        Ok(Self::prepared(checked(key)?))
    }

    /// A key that passed the rules, with what verification needs computed once (with the
    /// `aws-lc` feature, aws-lc's parse of it).
    fn prepared(key: rsa::RsaPublicKey) -> Self {
        #[cfg(feature = "aws-lc")]
        let aws_lc = {
            use rsa::pkcs1::EncodeRsaPublicKey;
            key.to_pkcs1_der()
                .ok()
                .and_then(|der| AwsLcKey::new(S::ALGORITHM, der.as_bytes()))
        };
        RsaPublicKey {
            montgomery: MontgomeryKey::new(&key.n_bytes(), &key.e_bytes()),
            len: key.size(),
            bits: key.n().bits() as usize,
            key,
            #[cfg(feature = "aws-lc")]
            aws_lc,
            scheme: PhantomData,
        }
    }

    /// This key verifying with the pure-Rust code, whatever the build's
    /// [`Backend`]: the same verdicts, without aws-lc (for comparisons, or to keep C code
    /// off a path).
    ///
    /// ```
    /// use jwt_core::{Backend, Rs256PublicKey, VerifyingKey};
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys/rsa2048.pub.pkcs1.der")).unwrap();
    /// let key = Rs256PublicKey::from_pkcs1_der(&der)?;
    /// assert_eq!(key.pure_rust().backend(), Backend::PureRust);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    #[must_use]
    pub fn pure_rust(self) -> Self {
        RsaPublicKey {
            #[cfg(feature = "aws-lc")]
            aws_lc: None,
            ..self
        }
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
        let key =
            rsa::RsaPublicKey::new_with_size_limits(n, e, MIN_MODULUS_BITS..=MAX_MODULUS_BITS)
                .map_err(|_| Error::InvalidKey)?;
        Self::from_rsa(key)
    }

    /// Imports a PKCS#1 `RSAPublicKey` (DER).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER or a key outside the rules above.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(rsa::RsaPublicKey::from_pkcs1_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Imports an X.509 `SubjectPublicKeyInfo` (DER), the body of a `PUBLIC KEY` PEM.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, another key type, or a key outside the rules.
    pub fn from_public_key_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(rsa::RsaPublicKey::from_public_key_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Modulus length in bytes, which is also the signature length.
    pub fn modulus_len(&self) -> usize {
        self.len
    }

    /// Whether `signature^e mod n` (as long as the modulus) passes `check`; false when the
    /// signature is not below the modulus. The `rsa` path checks the integer's bytes where
    /// they were computed (on the heap), so no modulus-sized buffer is on the stack.
    fn encoded_matches(&self, signature: &[u8], check: impl FnOnce(&[u8]) -> bool) -> bool {
        if let Some(montgomery) = &self.montgomery {
            let mut em = [0u8; MAX_SIGNATURE_LEN];
            let Some(em) = em.get_mut(..self.len) else {
                return false;
            };
            return montgomery.encoded(signature, em) && check(em);
        }
        let n = self.key.n();
        let Ok(s) = BoxedUint::from_be_slice(signature, n.bits_precision()) else {
            return false;
        };
        if s >= *n.as_ref() {
            return false;
        }
        let Ok(m) = rsa::hazmat::rsa_encrypt(&self.key, &s) else {
            return false;
        };
        let bytes = m.to_be_bytes();
        let Some(leading) = bytes.len().checked_sub(self.len) else {
            return false;
        };
        let (high, em) = bytes.split_at(leading);
        high.iter().all(|&b| b == 0) && check(em)
    }
}

impl<S: RsaScheme> sealed::Sealed for RsaPublicKey<S> {}

impl<S: RsaScheme> VerifyingKey for RsaPublicKey<S> {
    fn algorithm(&self) -> Algorithm {
        S::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        self.len
    }

    fn verify_signature(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), Error> {
        // Checked first to keep the rule visible (V-R1).
        if signature.len() != self.len {
            return Err(Error::InvalidSignature);
        }
        #[cfg(feature = "aws-lc")]
        if let Some(aws_lc) = &self.aws_lc {
            return match aws_lc.verifies(signing_input, signature) {
                true => Ok(()),
                false => Err(Error::InvalidSignature),
            };
        }
        if self.encoded_matches(signature, |em| S::matches(em, self.bits, signing_input)) {
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

/// An RSA private key with a modulus of 2048 to 8192 bits, bound to the scheme `S`
/// ([`Rs256PrivateKey`] .. [`Ps512PrivateKey`]). With the `std` feature the private-key
/// operation is blinded, and PSS salts drawn, with the operating system's random number
/// generator; [`with_rng`](Self::with_rng) takes them from the caller's instead (PSS
/// signing needs one of the two). `Debug` never prints key material.
///
/// ```no_run
/// let der = std::fs::read("key.der").unwrap();
/// let key = jwt_core::Ps256PrivateKey::from_pkcs8_der(&der)?;
/// # let _ = key;
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub struct RsaPrivateKey<S: RsaScheme> {
    key: rsa::RsaPrivateKey,
    len: usize,
    scheme: PhantomData<fn() -> S>,
}

impl<S: RsaScheme> Clone for RsaPrivateKey<S> {
    fn clone(&self) -> Self {
        RsaPrivateKey {
            key: self.key.clone(),
            len: self.len,
            scheme: PhantomData,
        }
    }
}

impl<S: RsaScheme> RsaPrivateKey<S> {
    fn from_rsa(key: rsa::RsaPrivateKey) -> Result<Self, Error> {
        let len = checked(key.to_public_key())?.size();
        Ok(RsaPrivateKey {
            key,
            len,
            scheme: PhantomData,
        })
    }

    /// Builds a key from big-endian `n`, `e`, `d`, `p`, `q`, checking that they form a
    /// consistent key.
    pub(crate) fn from_components(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
    ) -> Result<Self, Error> {
        if n.len() > MAX_SIGNATURE_LEN + 1 || e.len() > 8 || d.len() > n.len() {
            return Err(Error::InvalidKey);
        }
        let secret = |bytes: &[u8]| {
            let bits = (bytes.len() as u32 * 8).next_multiple_of(64).max(64);
            BoxedUint::from_be_slice(bytes, bits).map_err(|_| Error::InvalidKey)
        };
        let key = rsa::RsaPrivateKey::from_components(
            BoxedUint::from_be_slice_vartime(n),
            BoxedUint::from_be_slice_vartime(e),
            secret(d)?,
            alloc::vec![secret(p)?, secret(q)?],
        )
        .map_err(|_| Error::InvalidKey)?;
        Self::from_rsa(key)
    }

    /// Imports a PKCS#1 `RSAPrivateKey` (DER), the body of an `RSA PRIVATE KEY` PEM.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, inconsistent components, or a key outside
    /// the rules of [`RsaPublicKey`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// Imports a PKCS#8 `PrivateKeyInfo` (DER), the body of a `PRIVATE KEY` PEM.
    ///
    /// # Errors
    /// As [`from_pkcs1_der`](Self::from_pkcs1_der).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_rsa(rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| Error::InvalidKey)?)
    }

    /// The matching public key.
    pub fn public_key(&self) -> RsaPublicKey<S> {
        // Checked when this key was made.
        RsaPublicKey::prepared(self.key.to_public_key())
    }

    /// This key signing with randomness from `rng` (a PSS salt, the blinding of the
    /// private-key operation): for devices and `no_std` builds, where there is no operating
    /// system generator. The result is a [`SigningKey`] for [`sign`](crate::sign).
    ///
    /// ```
    /// use jwt_core::{HeaderFields, Ps256PrivateKey};
    /// # let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys/rsa2048.pkcs8.der")).unwrap();
    /// let key = Ps256PrivateKey::from_pkcs8_der(&der)?;
    /// // Any `rand_core::CryptoRng`: a device's hardware generator, or here the OS one.
    /// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// let mut buf = [0u8; 1024];
    /// let claims = std::collections::BTreeMap::from([("sub", "device-7")]);
    /// let token = jwt_core::sign(&key.with_rng(&mut rng), &HeaderFields::new(), &claims, &mut buf)?;
    /// assert!(token.starts_with("eyJhbGciOiJQUzI1NiIs"));
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn with_rng<'k, R: CryptoRng + ?Sized>(
        &'k self,
        rng: &'k mut R,
    ) -> RsaSignerWithRng<'k, S, R> {
        RsaSignerWithRng {
            key: self,
            rng: core::cell::RefCell::new(rng),
        }
    }

    fn signed(&self, signature: Vec<u8>, out: &mut [u8]) -> Result<usize, Error> {
        // The `rsa` crate left-pads to the modulus length (S-2); anything else is a fault.
        if signature.len() != self.len {
            return Err(Error::Signing);
        }
        let out = out.get_mut(..self.len).ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(&signature);
        Ok(self.len)
    }
}

impl<S: RsaScheme> core::fmt::Debug for RsaPrivateKey<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("alg", &S::ALGORITHM.name())
            .finish_non_exhaustive()
    }
}

impl<S: RsaScheme> sealed::Sealed for RsaPrivateKey<S> {}

impl<S: RsaScheme> SigningKey for RsaPrivateKey<S> {
    fn algorithm(&self) -> Algorithm {
        S::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        self.len
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < self.len {
            return Err(Error::BufferTooSmall);
        }
        let signature = S::sign::<NoRng>(&self.key, None, signing_input)?;
        self.signed(signature, out)
    }
}

/// An [`RsaPrivateKey`] that signs with the caller's random number generator; made by
/// [`RsaPrivateKey::with_rng`].
pub struct RsaSignerWithRng<'k, S: RsaScheme, R: CryptoRng + ?Sized> {
    key: &'k RsaPrivateKey<S>,
    rng: core::cell::RefCell<&'k mut R>,
}

impl<S: RsaScheme, R: CryptoRng + ?Sized> core::fmt::Debug for RsaSignerWithRng<'_, S, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaSignerWithRng")
            .field("key", self.key)
            .finish_non_exhaustive()
    }
}

impl<S: RsaScheme, R: CryptoRng + ?Sized> sealed::Sealed for RsaSignerWithRng<'_, S, R> {}

impl<S: RsaScheme, R: CryptoRng + ?Sized> SigningKey for RsaSignerWithRng<'_, S, R> {
    fn algorithm(&self) -> Algorithm {
        S::ALGORITHM
    }

    fn signature_len(&self) -> usize {
        self.key.len
    }

    fn sign_signature(&self, signing_input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < self.key.len {
            return Err(Error::BufferTooSmall);
        }
        let mut rng = self.rng.try_borrow_mut().map_err(|_| Error::Signing)?;
        let signature = S::sign(&self.key.key, Some(&mut **rng), signing_input)?;
        self.key.signed(signature, out)
    }
}

/// The type of "no generator given": the operating system's is used.
enum NoRng {}

impl rand_core::TryRng for NoRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        match *self {}
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        match *self {}
    }

    fn try_fill_bytes(&mut self, _dst: &mut [u8]) -> Result<(), Self::Error> {
        match *self {}
    }
}

impl rand_core::TryCryptoRng for NoRng {}
