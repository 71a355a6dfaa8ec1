//! Signs the device claims with ES256 into a buffer and checks the token byte for byte: ES256
//! signing is deterministic (RFC 6979), and `tokens/es256-deterministic.jwt` is the token an
//! independent implementation (Python's `cryptography`) produces for the same key and
//! claims. No verification code is linked, so the flash is that of signing alone.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{CLAIMS, harness};
use jwt_core::{Es256PrivateKey, HeaderFields};

const NAME: &str = "es256-sign";
const SCALAR: &[u8; 32] = include_bytes!("../../../tests/data/keys/p256.scalar");
const EXPECTED: &str = include_str!("../../tokens/es256-deterministic.jwt");

#[entry]
fn main() -> ! {
    let mut token_buf = [0u8; 512];
    let (signed, stack) = harness::peak_stack(|| {
        let key = Es256PrivateKey::from_bytes(SCALAR).ok()?;
        let header = HeaderFields::new().kid("fw-2026");
        jwt_core::sign(&key, &header, &CLAIMS, &mut token_buf)
            .ok()
            .map(|token| token == EXPECTED)
    });
    match signed {
        Some(true) => harness::pass(NAME, stack, 0),
        Some(false) => harness::fail(NAME, "the token differs from the RFC 6979 one"),
        None => harness::fail(NAME, "signing failed"),
    }
}
