//! ES384 (P-384), ES512 (P-521) and ES256K (secp256k1): verified and signed by the curve's
//! RustCrypto crate, whose `Signature::from_slice` takes exactly `2 * FIELD_LEN` bytes and
//! refuses `r` or `s` of zero or not below the group order.

use super::EcdsaCurve;
use crate::algorithm::{Algorithm, sealed};

/// Implements [`EcdsaCurve`] for the curve type of one RustCrypto crate; only the names
/// differ between the curves (`$normalize` maps a signature to the form the crate verifies).
macro_rules! rust_crypto_curve {
    ($krate:ident, $curve:ident, $alg:ident, $field_len:literal, $normalize:expr) => {
        impl sealed::Sealed for ::$krate::$curve {}

        impl EcdsaCurve for ::$krate::$curve {
            const ALGORITHM: Algorithm = Algorithm::$alg;
            const FIELD_LEN: usize = $field_len;
            type Verifier = ::$krate::ecdsa::VerifyingKey;
            type Signer = ::$krate::ecdsa::SigningKey;
            type Sec1 = [u8; 1 + 2 * $field_len];

            fn verifier(sec1: &[u8]) -> Option<Self::Verifier> {
                ::$krate::ecdsa::VerifyingKey::from_sec1_bytes(sec1).ok()
            }

            fn sec1(verifier: &Self::Verifier) -> Self::Sec1 {
                let mut out = [0u8; 1 + 2 * $field_len];
                let point = verifier.to_sec1_point(false);
                if let Some(slot) = out.get_mut(..point.as_bytes().len()) {
                    slot.copy_from_slice(point.as_bytes());
                }
                out
            }

            fn verifies(verifier: &Self::Verifier, message: &[u8], signature: &[u8]) -> bool {
                use ::$krate::ecdsa::signature::Verifier as _;
                let Ok(signature) = ::$krate::ecdsa::Signature::from_slice(signature) else {
                    return false;
                };
                let normalize: fn(::$krate::ecdsa::Signature) -> ::$krate::ecdsa::Signature =
                    $normalize;
                verifier.verify(message, &normalize(signature)).is_ok()
            }

            fn signer(scalar: &[u8]) -> Option<Self::Signer> {
                ::$krate::ecdsa::SigningKey::from_slice(scalar).ok()
            }

            fn verifier_of(signer: &Self::Signer) -> Self::Verifier {
                *signer.verifying_key()
            }

            fn sign(signer: &Self::Signer, message: &[u8], out: &mut [u8]) -> Option<()> {
                use ::$krate::ecdsa::signature::Signer as _;
                let signature: ::$krate::ecdsa::Signature = signer.try_sign(message).ok()?;
                out.get_mut(..2 * $field_len)?
                    .copy_from_slice(&signature.to_bytes());
                Some(())
            }
        }
    };
}

#[cfg(feature = "p384")]
rust_crypto_curve!(p384, NistP384, Es384, 48, |signature| signature);
#[cfg(feature = "p521")]
rust_crypto_curve!(p521, NistP521, Es512, 66, |signature| signature);
// k256 verifies only low-`s` signatures (Bitcoin's rule). JWS has no such rule (RFC 8812 and
// RFC 7518 accept either `s`), and `(r, s)` verifies exactly when `(r, n - s)` does, so the
// signature is normalised first.
#[cfg(feature = "k256")]
rust_crypto_curve!(k256, Secp256k1, Es256k, 32, |signature| signature
    .normalize_s());
