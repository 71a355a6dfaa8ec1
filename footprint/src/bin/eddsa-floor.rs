//! The EdDSA floor: ed25519-dalek's strict verify (the one jwt-core calls) + base64ct +
//! serde-json-core claims, no jwt-core.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use ed25519_dalek::{Signature, VerifyingKey};
use footprint::{expected, floor, harness};

const NAME: &str = "eddsa-floor";
const TOKEN: &str = include_str!("../../tokens/eddsa.jwt");
const PUBLIC_KEY: &[u8; 32] = include_bytes!("../../tokens/keys/ed25519.pub");

#[entry]
fn main() -> ! {
    let mut sig = [0u8; 64];
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Some((input, _, claims)) = floor::split_and_decode(TOKEN, &mut sig, buf) else {
                return false;
            };
            let Ok(key) = VerifyingKey::from_bytes(PUBLIC_KEY) else {
                return false;
            };
            let signature = Signature::from_bytes(&sig);
            key.verify_strict(input, &signature).is_ok() && expected(&claims)
        },
    )
}
