//! Verifies an embedded HS256 JWS without reading its payload as claims: `verify_jws` (the
//! header and its rules, the algorithm, the signature), for devices whose signed payload is not
//! a claims set, such as an update manifest. Like `hs256-verify`, its whole path links without
//! any panic branch.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{HS256_SECRET, harness};
use jwt_core::Hs256Key;

const NAME: &str = "hs256-jws";
const TOKEN: &str = include_str!("../../tokens/hs256.jwt");

#[entry]
fn main() -> ! {
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Ok(key) = Hs256Key::new(HS256_SECRET) else {
                return false;
            };
            // The payload is the claims set `tokens/hs256.jwt` was signed over.
            matches!(jwt_core::verify_jws(TOKEN, &key, buf), Ok(payload) if payload.starts_with(b"{\"iss\":"))
        },
    )
}
