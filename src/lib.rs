// The crate documentation is the README, so docs.rs and the repository say the same; its
// examples need every algorithm and `std`, and run as doctests in that configuration.
#![cfg_attr(
    all(feature = "std", feature = "hs256", feature = "es256", feature = "rs256"),
    doc = include_str!("../README.md")
)]
#![cfg_attr(
    not(all(
        feature = "std",
        feature = "hs256",
        feature = "es256",
        feature = "rs256"
    )),
    doc = "An embeddable, `no_std`, allocation-free JWT library: JWS compact serialization \
           (RFC 7515) with HS256, ES256 and RS256, and claim validation (RFC 7519, RFC 8725). \
           The full documentation (the README) is built with the default features."
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
pub mod base64url;
pub mod bearer;
mod claims;
mod compact;
mod error;
#[cfg(feature = "es256")]
mod es256;
mod header;
#[cfg(feature = "hs256")]
mod hs256;
pub mod json;
#[cfg(any(feature = "hs256", feature = "es256", feature = "rs256"))]
mod jwk;
#[cfg(feature = "rs256")]
mod rs256;
mod scan;
pub mod scope;
mod sign;
mod verify;

pub use algorithm::{Algorithm, SigningKey, VerifyingKey};
pub use claims::{
    Audience, Claim, Confirmation, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY, NumericDate,
    RegisteredClaims, Validation,
};
pub use compact::MAX_TOKEN_LEN;
pub use error::Error;
#[cfg(feature = "es256")]
pub use es256::{Es256PrivateKey, Es256PublicKey};
pub use header::{Header, HeaderFields, decode_header};
#[cfg(feature = "hs256")]
pub use hs256::Hs256Key;
pub use json::JsonStr;
#[cfg(any(feature = "hs256", feature = "es256", feature = "rs256"))]
pub use jwk::{
    AnyVerifyingKey, Inline, Jwk, JwkSet, KeySet, KeyStorage, MAX_ISSUER_LEN, MAX_KID_LEN,
    SkipReason,
};
#[cfg(all(
    feature = "alloc",
    any(feature = "hs256", feature = "es256", feature = "rs256")
))]
pub use jwk::{GrowableJwkSet, Heap};
#[cfg(feature = "rs256")]
pub use rs256::{Rs256PrivateKey, Rs256PublicKey};
pub use sign::sign;
#[cfg(feature = "alloc")]
pub use sign::sign_to_string;
#[cfg(feature = "std")]
pub use verify::now;
#[cfg(feature = "alloc")]
pub use verify::verify_owned;
pub use verify::{verify, verify_claims, verify_jws};
