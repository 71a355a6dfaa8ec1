#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jwt_core_fuzz::targets::dpop_proof(data));
