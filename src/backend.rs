//! Which code verifies a public key's signatures: jwt-core's own Rust, or aws-lc (C and
//! assembly, through aws-lc-rs) with the `aws-lc` feature.
//!
//! A backend only computes "do these bytes verify": every rule about keys and signatures
//! stays jwt-core's. A key is imported by the pure-Rust code first (with all its checks:
//! RSA sizes and exponents, ROCA, points on the curve, Ed25519 keys of small order), and
//! only a key that passed is handed to aws-lc, parsed once; the checks aws-lc does not make
//! (an Ed25519 `R` of small order, `S` below the group order) are made before it is called.

use crate::algorithm::Algorithm;

/// The code that verifies a key's signatures, as [`VerifyingKey::backend`] reports it.
///
/// [`VerifyingKey::backend`]: crate::VerifyingKey::backend
///
/// ```
/// # #[cfg(feature = "p256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Algorithm, Backend, Es256PrivateKey, VerifyingKey};
/// let public = Es256PrivateKey::from_bytes(&[0x11; 32])?.public_key();
/// assert_eq!(public.backend(), Backend::of(Algorithm::Es256));
/// // Any key can be asked to verify with the pure-Rust code.
/// assert_eq!(public.pure_rust().backend(), Backend::PureRust);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "p256"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// jwt-core's own Rust code (or the RustCrypto crate it calls for a curve): every
    /// build, `no_std` included.
    PureRust,
    /// aws-lc through aws-lc-rs (the `aws-lc` feature): the algorithms it verifies faster
    /// than jwt-core's own code, as [`Backend::of`] lists them.
    AwsLc,
}

impl Backend {
    /// The backend keys of `alg` verify with in this build. With the `aws-lc` feature:
    /// aws-lc for RS*, PS*, ES384 and ES512. On 64-bit targets ES256 and EdDSA stay in Rust,
    /// which verifies them faster there than aws-lc does (jwt-core's own P-256 arithmetic
    /// with tables made once per key; ed25519-dalek's); on other targets aws-lc verifies them
    /// too. ES256K stays in Rust (k256 is about three times faster than aws-lc's generic
    /// curve code), as HMAC keys do, which are not public keys. Without the feature: the
    /// pure-Rust code for every algorithm.
    ///
    /// ```
    /// use jwt_core::{Algorithm, Backend};
    /// assert_eq!(Backend::of(Algorithm::Hs256), Backend::PureRust);
    /// assert_eq!(Backend::of(Algorithm::Rs256) == Backend::AwsLc, cfg!(feature = "aws-lc"));
    /// ```
    pub const fn of(alg: Algorithm) -> Backend {
        let faster_in_aws_lc = matches!(
            alg,
            Algorithm::Rs256
                | Algorithm::Rs384
                | Algorithm::Rs512
                | Algorithm::Ps256
                | Algorithm::Ps384
                | Algorithm::Ps512
                | Algorithm::Es384
                | Algorithm::Es512
        ) || (matches!(alg, Algorithm::Es256 | Algorithm::EdDsa)
            && cfg!(not(target_pointer_width = "64")));
        if cfg!(feature = "aws-lc") && faster_in_aws_lc {
            Backend::AwsLc
        } else {
            Backend::PureRust
        }
    }
}

// Only public keys go to aws-lc: a build with HMAC alone has nothing to hand it.
#[cfg(all(
    feature = "aws-lc",
    any(
        feature = "rsa",
        feature = "p256",
        feature = "p384",
        feature = "p521",
        feature = "k256",
        feature = "ed25519"
    )
))]
pub(crate) use aws_lc::AwsLcKey;

#[cfg(all(
    feature = "aws-lc",
    any(
        feature = "rsa",
        feature = "p256",
        feature = "p384",
        feature = "p521",
        feature = "k256",
        feature = "ed25519"
    )
))]
mod aws_lc {
    use alloc::boxed::Box;

    use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};

    use super::Backend;
    use crate::algorithm::Algorithm;

    /// A public key as aws-lc parsed it, once, at import. Boxed: it stays one word in the
    /// key types (a DPoP proof's key among them), whose pure-Rust part is what they are
    /// compared and printed by.
    #[derive(Clone)]
    pub(crate) struct AwsLcKey(Box<ParsedPublicKey>);

    impl AwsLcKey {
        /// aws-lc's key for `alg` from `public_key`: PKCS#1 `RSAPublicKey` DER, an
        /// uncompressed SEC1 point or the 32 bytes of an Ed25519 key, of a key jwt-core has
        /// already accepted. `None` for an algorithm aws-lc does not verify here, or a key
        /// it refuses (none known: its RSA limits, 2048 to 8192 bits and an exponent of at
        /// most 33 bits, are jwt-core's), which then verifies with the pure-Rust code.
        pub(crate) fn new(alg: Algorithm, public_key: &[u8]) -> Option<Self> {
            if Backend::of(alg) != Backend::AwsLc {
                return None;
            }
            Self::parse(alg, public_key)
        }

        /// aws-lc's key for `alg`, whatever [`Backend::of`] chooses for this target (tests
        /// hold the aws-lc path of every algorithm to jwt-core's rules on any target).
        pub(crate) fn parse(alg: Algorithm, public_key: &[u8]) -> Option<Self> {
            let algorithm: &'static dyn VerificationAlgorithm = match alg {
                Algorithm::Rs256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                Algorithm::Rs384 => &sig::RSA_PKCS1_2048_8192_SHA384,
                Algorithm::Rs512 => &sig::RSA_PKCS1_2048_8192_SHA512,
                // The salt as long as the hash (aws-lc-rs's default), as RFC 7518 3.5 asks.
                Algorithm::Ps256 => &sig::RSA_PSS_2048_8192_SHA256,
                Algorithm::Ps384 => &sig::RSA_PSS_2048_8192_SHA384,
                Algorithm::Ps512 => &sig::RSA_PSS_2048_8192_SHA512,
                Algorithm::Es256 => &sig::ECDSA_P256_SHA256_FIXED,
                Algorithm::Es384 => &sig::ECDSA_P384_SHA384_FIXED,
                Algorithm::Es512 => &sig::ECDSA_P521_SHA512_FIXED,
                Algorithm::EdDsa => &sig::ED25519,
                _ => return None,
            };
            ParsedPublicKey::new(algorithm, public_key)
                .ok()
                .map(|key| AwsLcKey(Box::new(key)))
        }

        /// Whether `signature` signs `message` for this key, as aws-lc decides.
        pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
            self.0.verify_sig(message, signature).is_ok()
        }
    }
}
