//! Verifies an embedded RS256 token (2048-bit key) into typed claims, on a fixed-size heap.
#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use footprint::heap::HEAP;
use footprint::{DeviceClaims, NOW, POLICY, expected, harness};
use jwt_core::Rs256PublicKey;

const NAME: &str = "rs256-verify";
const TOKEN: &str = include_str!("../../tokens/rs256.jwt");
const PUBLIC_KEY: &[u8] = include_bytes!("../../../tests/data/keys/rsa2048.pub.pkcs1.der");

#[entry]
fn main() -> ! {
    HEAP.init();
    harness::run_verify(
        NAME,
        || HEAP.peak(),
        |buf| {
            let Ok(key) = Rs256PublicKey::from_pkcs1_der(PUBLIC_KEY) else {
                return false;
            };
            let verified: Result<DeviceClaims, _> =
                jwt_core::verify(TOKEN, &key, &POLICY, NOW, buf);
            matches!(verified, Ok(claims) if expected(&claims))
        },
    )
}
