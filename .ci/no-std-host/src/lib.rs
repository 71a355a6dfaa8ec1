//! Links jwt-core's verify and sign paths into a `#![no_std]` library (see Cargo.toml).
#![no_std]
// `no_mangle` counts as unsafe in edition 2024; it is the only such attribute here.
#![deny(unsafe_op_in_unsafe_fn)]

use jwt_core::{Es256PrivateKey, HeaderFields, Hs256Key, Validation};

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims<'a> {
    sub: &'a str,
    exp: u64,
}

/// Signs and verifies with HS256 and ES256; returns how many round trips succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn jwt_core_round_trips(now: u64) -> u32 {
    let mut ok = 0;
    let claims = Claims {
        sub: "device",
        exp: now + 60,
    };
    let mut out = [0u8; 256];
    let mut buf = [0u8; 256];
    if let Ok(key) = Hs256Key::new(&[0x42; 32]) {
        if let Ok(token) = jwt_core::sign(&key, &HeaderFields::new(), &claims, &mut out) {
            ok += u32::from(
                jwt_core::verify::<Claims, _>(token, &key, &Validation::new(), now, &mut buf)
                    .is_ok(),
            );
        }
    }
    let mut out = [0u8; 256];
    if let Ok(key) = Es256PrivateKey::from_bytes(&[0x11; 32]) {
        if let Ok(token) = jwt_core::sign(&key, &HeaderFields::new(), &claims, &mut out) {
            let public = key.public_key();
            ok += u32::from(
                jwt_core::verify::<Claims, _>(token, &public, &Validation::new(), now, &mut buf)
                    .is_ok(),
            );
        }
    }
    ok
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
