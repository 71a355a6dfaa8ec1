//! The C ABI of jwt-core: verify a JWT, read its claims and header, from C, with every byte
//! of memory the caller's. `include/jwt_core.h` is generated from this crate by cbindgen.
//!
//! Every function checks its pointers and lengths and answers with a `jwt_status`; none
//! lets a panic unwind into C (`boundary` catches it in host builds; the core crate's
//! verify paths link without panics). The `unsafe` code of the whole project lives in this
//! crate, and what it rests on in two modules: `boundary` turns the caller's pointers into
//! slices and references, and `storage` keeps values of this crate in caller-provided
//! storage (`jwt_key`, `jwt_keyset`), each with the reason it is sound. The other modules
//! are the C types and the functions that fill them: their `unsafe` blocks call those two
//! and forward the C caller's promises.
//!
//! The modules, each using only those listed before it:
//! - `status`: `jwt_status`, the answer of every call;
//! - `boundary`: pointers to slices and references, and the call wrapper (panic boundary);
//! - `storage`: caller storage;
//! - `string`: `jwt_str`, and JSON strings copied into the caller's buffer;
//! - `alg`: `jwt_alg`, the algorithms;
//! - `key`, `keyset`: `jwt_key`, `jwt_keyset`;
//! - `claims`: `jwt_claims`, `jwt_claim`, member lookups;
//! - `header`: `jwt_header`;
//! - `policy`: `jwt_policy`, `jwt_preset`;
//! - `bearer`: RFC 6750 for gateways;
//! - `sign`: `jwt_sign`;
//! - `verify`: `jwt_verify`, `jwt_verify_keyset`, `jwt_verify_mtls` (a token bound to a
//!   TLS client certificate), `jwt_verify_signature`;
//! - `dpop`: `jwt_verify_dpop` (a request's DPoP proof, then its token bound to the proof's
//!   key), the `DPoP` scheme and challenge; in builds with an asymmetric family.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types)]

#[cfg(not(any(
    feature = "hmac",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
)))]
compile_error!(
    "jwt-core-ffi verifies with at least one of its features \
     hmac, rsa, p256, p384, p521, k256, ed25519"
);

// cbindgen writes the items of the header in the order of these declarations: the
// ground every call stands on, then what verifying a token takes, then the rest.
mod boundary;
mod status;
mod storage;
mod string;

mod alg;
mod key;
mod keyset;
mod policy;
mod verify;

mod bearer;
mod claims;
mod header;
mod sign;

#[cfg(any(
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
mod dpop;

pub use alg::*;
pub use bearer::*;
pub use claims::*;
#[cfg(any(
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
pub use dpop::*;
pub use header::*;
pub use key::*;
pub use keyset::*;
pub use policy::*;
pub use sign::*;
pub use status::*;
pub use string::*;
pub use verify::*;
