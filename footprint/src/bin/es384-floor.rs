//! The ES384 floor: p384 ECDSA verify + base64ct + serde-json-core claims, no jwt-core.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{expected, floor, harness};
use p384::ecdsa::{Signature, VerifyingKey, signature::Verifier};

const NAME: &str = "es384-floor";
const TOKEN: &str = include_str!("../../tokens/es384.jwt");
const PUBLIC_KEY: &[u8; 97] = include_bytes!("../../tokens/keys/p384.pub.sec1");

#[entry]
fn main() -> ! {
    let mut sig = [0u8; 96];
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Some((input, _, claims)) = floor::split_and_decode_any_len(TOKEN, &mut sig, buf)
            else {
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
