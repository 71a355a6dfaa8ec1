//! Verifies an embedded HS256 token (header, signature, exp/nbf/iss/aud) into typed claims.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{DeviceClaims, HS256_SECRET, NOW, POLICY, expected, harness};
use jwt_core::Hs256Key;

const NAME: &str = "hs256-verify";
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
            let verified: Result<DeviceClaims, _> =
                jwt_core::verify(TOKEN, &key, &POLICY, NOW, buf);
            matches!(verified, Ok(claims) if expected(&claims))
        },
    )
}
