// The crate documentation is the README, so docs.rs and the repository say the same; its
// examples need every algorithm and `std`, and run as doctests in that configuration.
#![cfg_attr(
    all(
        feature = "std",
        feature = "hmac",
        feature = "p256",
        feature = "rsa",
        feature = "ed25519"
    ),
    doc = include_str!("../README.md")
)]
#![cfg_attr(
    not(all(
        feature = "std",
        feature = "hmac",
        feature = "p256",
        feature = "rsa",
        feature = "ed25519"
    )),
    doc = "An embeddable, `no_std`, allocation-free JWT library: JWS compact serialization \
           (RFC 7515) with HMAC, RSA (PKCS#1 v1.5 and PSS), ECDSA and EdDSA, and claim \
           validation (RFC 7519, RFC 8725). The full documentation (the README) is built \
           with the default features."
)]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Nothing panics on any input: no indexing that can go out of bounds, no unwrap, no panic
// (tests may: clippy.toml).
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod algorithm;
mod backend;
pub mod base64url;
pub mod bearer;
mod claims;
mod compact;
pub mod dpop;
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
mod ecdsa;
#[cfg(feature = "ed25519")]
mod eddsa;
mod error;
mod header;
#[cfg(feature = "hmac")]
mod hmac;
pub mod json;
#[cfg(feature = "jwk")]
mod jwk;
#[cfg(feature = "rsa")]
mod rsa;
mod scan;
pub mod scope;
mod sign;
mod verify;

pub use algorithm::{Algorithm, SigningKey, VerifyingKey};
pub use backend::Backend;
#[cfg(feature = "jwk")]
pub use claims::Thumbprint;
pub use claims::{
    Audience, Claim, Confirmation, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY, NumericDate,
    RegisteredClaims, Validation,
};
pub use compact::MAX_TOKEN_LEN;
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
pub use ecdsa::{EcdsaCurve, EcdsaPrivateKey, EcdsaPublicKey};
#[cfg(feature = "p256")]
pub use ecdsa::{Es256PrivateKey, Es256PublicKey};
#[cfg(feature = "k256")]
pub use ecdsa::{Es256kPrivateKey, Es256kPublicKey};
#[cfg(feature = "p384")]
pub use ecdsa::{Es384PrivateKey, Es384PublicKey};
#[cfg(feature = "p521")]
pub use ecdsa::{Es512PrivateKey, Es512PublicKey};
#[cfg(feature = "ed25519")]
pub use eddsa::{Ed25519PrivateKey, Ed25519PublicKey};
pub use error::Error;
pub use header::{Header, HeaderFields, decode_header};
#[cfg(feature = "hmac")]
pub use hmac::{HmacHash, HmacKey, Hs256Key};
#[cfg(feature = "hmac-sha512")]
pub use hmac::{Hs384Key, Hs512Key};
pub use json::JsonStr;
#[cfg(feature = "jwk")]
pub use jwk::{
    AnyVerifyingKey, Inline, Jwk, JwkSet, KeySet, KeyStorage, MAX_ISSUER_LEN, MAX_KID_LEN,
    SkipReason,
};
#[cfg(all(feature = "alloc", feature = "jwk"))]
pub use jwk::{GrowableJwkSet, Heap};
#[cfg(feature = "rsa")]
pub use rsa::{
    Pkcs1v15, Ps256PrivateKey, Ps256PublicKey, Ps384PrivateKey, Ps384PublicKey, Ps512PrivateKey,
    Ps512PublicKey, Pss, Rs256PrivateKey, Rs256PublicKey, Rs384PrivateKey, Rs384PublicKey,
    Rs512PrivateKey, Rs512PublicKey, RsaHash, RsaPrivateKey, RsaPublicKey, RsaScheme,
    RsaSignerWithRng,
};
pub use sign::sign;
#[cfg(feature = "alloc")]
pub use sign::sign_to_string;
#[cfg(feature = "std")]
pub use verify::now;
#[cfg(feature = "alloc")]
pub use verify::verify_owned;
pub use verify::{verify, verify_claims, verify_jws};
