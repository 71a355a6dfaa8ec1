//! # jwt-core
//!
//! An embeddable, `#![no_std]`, allocation-free JWT library: JWS compact serialization
//! (RFC 7515) with HS256, ES256 and RS256, and claim validation (RFC 7519, RFC 8725).
//!
//! - **Verify** a token into your own `serde` claims type with [`verify`]: no heap
//!   allocation; the payload is decoded into a buffer you provide and your type may borrow
//!   from it. With `alloc`, [`verify_owned`] allocates the buffer for you.
//! - **Sign** with [`sign`] into a buffer (or [`sign_to_string`] with `alloc`).
//! - **Choose a key** with [`decode_header`] (`kid`, `alg`, `typ`) before verifying.
//! - **Keys** are bound to one algorithm: [`Hs256Key`], [`Es256PublicKey`] /
//!   [`Es256PrivateKey`], [`Rs256PublicKey`] / [`Rs256PrivateKey`]. The key decides how a
//!   token is verified; a token whose `alg` differs is refused, and `none` does not exist.
//! - **Validate** with a [`Validation`] policy and an injected clock (`now`, Unix seconds).
//!
//! ```
//! # #[cfg(feature = "hs256")]
//! # fn main() -> Result<(), jwt_core::Error> {
//! use jwt_core::{Hs256Key, HeaderFields, Validation};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Claims<'a> { iss: &'a str, sub: &'a str, exp: u64 }
//!
//! let key = Hs256Key::new(b"an HS256 secret of 32 bytes or more!")?;
//! let mut token_buf = [0u8; 256];
//! let claims = Claims { iss: "https://auth.example", sub: "alice", exp: 1_900_000_000 };
//! let token = jwt_core::sign(&key, &HeaderFields::new(), &claims, &mut token_buf)?;
//!
//! let policy = Validation::new().issuers(&["https://auth.example"]);
//! let mut buf = [0u8; 256];
//! let verified: Claims = jwt_core::verify(token, &key, &policy, 1_800_000_000, &mut buf)?;
//! assert_eq!(verified.sub, "alice");
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "hs256"))]
//! # fn main() {}
//! ```
//!
//! ## Features
//!
//! | feature | default | what it enables |
//! |---|---|---|
//! | `hs256` | yes | [`Hs256Key`] (hmac, sha2) |
//! | `es256` | yes | [`Es256PublicKey`], [`Es256PrivateKey`] (p256) |
//! | `rs256` | yes | [`Rs256PublicKey`], [`Rs256PrivateKey`] (rsa); needs `alloc` |
//! | `alloc` | yes | [`verify_owned`], [`sign_to_string`] |
//! | `std`   | yes | [`now`]; RSA signing blinded with the OS random number generator |
//!
//! Firmware uses `default-features = false, features = ["hs256"]` (or `es256`).
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
mod claim;
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
#[cfg(feature = "std")]
mod rotation;
#[cfg(feature = "rs256")]
mod rs256;
mod scan;
pub mod scope;
mod sign;
mod validation;
mod verify;

pub use algorithm::{Algorithm, SigningKey, VerifyingKey};
pub use claim::Claim;
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
#[cfg(feature = "std")]
pub use rotation::Rotating;
#[cfg(feature = "rs256")]
pub use rs256::{Rs256PrivateKey, Rs256PublicKey};
pub use sign::sign;
#[cfg(feature = "alloc")]
pub use sign::sign_to_string;
pub use validation::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, Validation};
#[cfg(feature = "std")]
pub use verify::now;
#[cfg(feature = "alloc")]
pub use verify::verify_owned;
pub use verify::{verify, verify_jws};

/// The README's example runs as a doctest.
#[cfg(all(doctest, feature = "std", feature = "hs256"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
