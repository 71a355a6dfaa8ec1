//! Verifies an embedded HS256 token (header, signature, exp/nbf/iss/aud) into typed claims.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{DeviceClaims, HS256_SECRET, NOW, PAYLOAD_BUF, POLICY, expected, harness};
use jwt_core::Hs256Key;

const NAME: &str = "hs256-verify";
const TOKEN: &str = include_str!("../../tokens/hs256.jwt");

#[entry]
fn main() -> ! {
    let mut buf = [0u8; PAYLOAD_BUF];
    let (ok, stack) = harness::peak_stack(|| {
        let Ok(key) = Hs256Key::new(HS256_SECRET) else {
            return false;
        };
        let verified: Result<DeviceClaims, _> =
            jwt_core::verify(TOKEN, &key, &POLICY, NOW, &mut buf);
        matches!(verified, Ok(claims) if expected(&claims))
    });
    if !ok {
        harness::fail(NAME, "the embedded token did not verify");
    }
    harness::pass(NAME, stack, 0)
}
