//! Verifies an embedded EdDSA (Ed25519) token (header, signature, exp/nbf/iss/aud) into typed
//! claims, with no allocator. Like the HS256 binaries, its whole path links without any panic
//! branch.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{DeviceClaims, NOW, POLICY, expected, harness};
use jwt_core::Ed25519PublicKey;

const NAME: &str = "eddsa-verify";
const TOKEN: &str = include_str!("../../tokens/eddsa.jwt");
const PUBLIC_KEY: &[u8; 32] = include_bytes!("../../tokens/keys/ed25519.pub");

#[entry]
fn main() -> ! {
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Ok(key) = Ed25519PublicKey::from_bytes(PUBLIC_KEY) else {
                return false;
            };
            let verified: Result<DeviceClaims, _> =
                jwt_core::verify(TOKEN, &key, &POLICY, NOW, buf);
            matches!(verified, Ok(claims) if expected(&claims))
        },
    )
}
