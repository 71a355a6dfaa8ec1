//! The HS256 floor without its claims: HMAC-SHA256 verify + base64ct, no JSON, no jwt-core.
//! What any HS256 verifier links before reading a header or a claim; `hs256-floor` minus this
//! is the cost of serde-json-core reading the claims type.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{HS256_SECRET, floor, harness};
use hmac::{KeyInit, Mac};

const NAME: &str = "hs256-floor-signature";
const TOKEN: &str = include_str!("../../tokens/hs256.jwt");

#[entry]
fn main() -> ! {
    let mut sig = [0u8; 64];
    harness::run_verify(
        NAME,
        || 0,
        |buf| {
            let Some((input, sig_len, payload)) =
                floor::split_and_decode_payload(TOKEN, &mut sig, buf)
            else {
                return false;
            };
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(HS256_SECRET) else {
                return false;
            };
            mac.update(input);
            // The payload is the claims set `tokens/hs256.jwt` was signed over.
            mac.verify_slice(sig.get(..sig_len).unwrap_or_default())
                .is_ok()
                && payload.starts_with(b"{\"iss\":")
        },
    )
}
