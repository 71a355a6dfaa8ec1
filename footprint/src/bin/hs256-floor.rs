//! The HS256 floor: HMAC-SHA256 verify + base64ct + serde-json-core claims, no jwt-core.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{HS256_SECRET, expected, floor, harness};
use hmac::{KeyInit, Mac};

const NAME: &str = "hs256-floor";
const TOKEN: &str = include_str!("../../tokens/hs256.jwt");

#[entry]
fn main() -> ! {
    let mut sig = [0u8; 64];
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Some((input, sig_len, claims)) = floor::split_and_decode(TOKEN, &mut sig, buf)
            else {
                return false;
            };
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(HS256_SECRET) else {
                return false;
            };
            mac.update(input);
            mac.verify_slice(sig.get(..sig_len).unwrap_or_default())
                .is_ok()
                && expected(&claims)
        },
    )
}
