//! Verifies an embedded HS256 token and validates its registered claims (exp, nbf, iss, aud)
//! without deserializing them into a type: `verify_jws` then `Validation::validate`. The
//! smallest verify a device can do, and the one whose whole path links without any panic
//! branch (serde-json-core's typed deserialization keeps some; see README.md).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{HS256_SECRET, NOW, PAYLOAD_BUF, POLICY, harness};
use jwt_core::Hs256Key;

const NAME: &str = "hs256-validate";
const TOKEN: &str = include_str!("../../tokens/hs256.jwt");

#[entry]
fn main() -> ! {
    let mut buf = [0u8; PAYLOAD_BUF];
    let (ok, stack) = harness::peak_stack(|| {
        let Ok(key) = Hs256Key::new(HS256_SECRET) else {
            return false;
        };
        let Ok(payload) = jwt_core::verify_jws(TOKEN, &key, &mut buf) else {
            return false;
        };
        POLICY.validate(payload, NOW).is_ok()
    });
    if !ok {
        harness::fail(NAME, "the embedded token did not verify");
    }
    harness::pass(NAME, stack, 0)
}
