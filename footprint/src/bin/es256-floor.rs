//! The ES256 floor: p256 ECDSA verify + base64ct + serde-json-core claims, no jwt-core.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{expected, floor, harness};
use p256::ecdsa::{Signature, VerifyingKey, signature::Verifier};

const NAME: &str = "es256-floor";
const TOKEN: &str = include_str!("../../tokens/es256.jwt");
const PUBLIC_KEY: &[u8; 65] = include_bytes!("../../../tests/data/keys/p256.pub.sec1");

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
            let Ok(key) = VerifyingKey::from_sec1_bytes(PUBLIC_KEY) else {
                return false;
            };
            let Ok(signature) = Signature::from_slice(&sig) else {
                return false;
            };
            key.verify(input, &signature).is_ok() && expected(&claims)
        },
    )
}
