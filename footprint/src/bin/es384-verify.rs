//! Verifies an embedded ES384 token (header, signature, exp/nbf/iss/aud) into typed claims.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{DeviceClaims, NOW, POLICY, expected, harness};
use jwt_core::Es384PublicKey;

const NAME: &str = "es384-verify";
const TOKEN: &str = include_str!("../../tokens/es384.jwt");
const PUBLIC_KEY: &[u8; 97] = include_bytes!("../../tokens/keys/p384.pub.sec1");

#[entry]
fn main() -> ! {
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Ok(key) = Es384PublicKey::from_sec1_bytes(PUBLIC_KEY) else {
                return false;
            };
            let verified: Result<DeviceClaims, _> =
                jwt_core::verify(TOKEN, &key, &POLICY, NOW, buf);
            matches!(verified, Ok(claims) if expected(&claims))
        },
    )
}
