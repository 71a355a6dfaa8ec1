//! Signs the device claims with ES256 (RFC 6979) into a buffer, then verifies the token with
//! the matching public key.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use footprint::{CLAIMS, DeviceClaims, NOW, PAYLOAD_BUF, POLICY, expected, harness};
use jwt_core::{Es256PrivateKey, HeaderFields};

const NAME: &str = "es256-sign";
const SCALAR: &[u8; 32] = include_bytes!("../../../tests/data/keys/p256.scalar");

#[entry]
fn main() -> ! {
    let mut token_buf = [0u8; 512];
    let (signed, stack) = harness::peak_stack(|| {
        let key = Es256PrivateKey::from_bytes(SCALAR).ok()?;
        let header = HeaderFields::new().kid("fw-2026");
        let len = jwt_core::sign(&key, &header, &CLAIMS, &mut token_buf)
            .ok()?
            .len();
        Some((key.public_key(), len))
    });
    let Some((public_key, len)) = signed else {
        harness::fail(NAME, "signing failed")
    };
    let Ok(token) = core::str::from_utf8(&token_buf[..len]) else {
        harness::fail(NAME, "not UTF-8")
    };
    let mut buf = [0u8; PAYLOAD_BUF];
    let verified: Result<DeviceClaims, _> =
        jwt_core::verify(token, &public_key, &POLICY, NOW, &mut buf);
    if !matches!(verified, Ok(claims) if expected(&claims)) {
        harness::fail(NAME, "the signed token did not verify");
    }
    harness::pass(NAME, stack, 0)
}
