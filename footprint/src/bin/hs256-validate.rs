//! Verifies an embedded HS256 token and validates its registered claims (exp, nbf, iss, aud)
//! without deserializing them into a type: `verify_jws` then `Validation::validate`. The
//! smallest verify a device can do; like `hs256-verify`, its whole path links without any
//! panic branch.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{HS256_SECRET, NOW, POLICY, harness};
use jwt_core::Hs256Key;

const NAME: &str = "hs256-validate";
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
            let Ok(payload) = jwt_core::verify_jws(TOKEN, &key, buf) else {
                return false;
            };
            POLICY.validate(payload, NOW).is_ok()
        },
    )
}
