//! HS256 and ES256 verify and sign allocate nothing, with `std` enabled too: a global
//! allocator counts the allocations made by the current thread around each call.
#![cfg(all(feature = "hmac", feature = "p256"))]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use jwt_core::{HeaderFields, SigningKey, Validation, VerifyingKey};
use serde::{Deserialize, Serialize};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(
        allocations_during(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(8)))),
        1
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: [&'a str; 2],
    exp: u64,
    nbf: u64,
    scope: &'a str,
}

const CLAIMS: Claims<'static> = Claims {
    iss: "https://issuer.example",
    sub: "alice",
    aud: ["https://api.example", "other"],
    exp: 1_900_000_000,
    nbf: 1_700_000_000,
    scope: "read write",
};

fn round_trip(signer: &impl SigningKey, verifier: &impl VerifyingKey) {
    let policy = Validation::new()
        .issuers(&["https://issuer.example"])
        .audiences(&["https://api.example"])
        .typ("at+jwt");
    let fields = HeaderFields::new().typ("at+jwt").kid("k1");
    let mut out = [0u8; 512];
    let mut buf = [0u8; 512];
    let mut header_buf = [0u8; 64];
    // Warm up once so lazily initialised runtime state (CPU feature detection) is not counted.
    let token = jwt_core::sign(signer, &fields, &CLAIMS, &mut out)
        .unwrap()
        .to_owned();
    let _: Claims = jwt_core::verify(&token, verifier, &policy, common::NOW, &mut buf).unwrap();

    let mut out = [0u8; 512];
    let signed = allocations_during(|| {
        jwt_core::sign(signer, &fields, &CLAIMS, &mut out).unwrap();
    });
    let mut buf = [0u8; 512];
    let verified = allocations_during(|| {
        let claims: Claims =
            jwt_core::verify(&token, verifier, &policy, common::NOW, &mut buf).unwrap();
        assert_eq!(claims, CLAIMS);
    });
    let header = allocations_during(|| {
        jwt_core::decode_header(&token, &mut header_buf).unwrap();
    });
    let mut buf = [0u8; 512];
    let tampered = format!("{}x", &token[..token.len() - 1]);
    let refused = allocations_during(|| {
        assert!(
            jwt_core::verify::<Claims, _>(&tampered, verifier, &policy, common::NOW, &mut buf)
                .is_err()
        );
    });
    assert_eq!((signed, verified, header, refused), (0, 0, 0, 0));
}

#[test]
fn hs256_sign_and_verify_allocate_nothing() {
    let key = common::hs256();
    round_trip(&key, &key);
}

#[test]
fn es256_sign_and_verify_allocate_nothing() {
    let (private, public) = common::es256();
    round_trip(&private, &public);
}
