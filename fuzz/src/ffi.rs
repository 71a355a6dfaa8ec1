//! The property of the `ffi_verify` target: the C interface, called with whatever pointers
//! and lengths a C caller might pass (NULLs, a length shorter than the token, any buffer
//! size, any preset and issuer count), never crashes, and answers exactly what the Rust
//! pipeline answers whenever the call itself is well-formed. `ffi/tests/fuzz_corpus.rs`
//! replays the corpus through the same function on stable.
//!
//! Input: byte 0, which pointers are NULL (bit 0 token, 1 key, 2 policy, 3 buffer,
//! 4 claims); byte 1, the preset; byte 2, the number of issuers; bytes 3-4, the buffer
//! length; bytes 5-6, how much of the token to pass; then the token.

use jwt_core::{Hs256Key, Validation};
use jwt_core_ffi::*;

/// The HS256 secret of the fuzz targets.
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const NOW: u64 = 1_800_000_000;
const ISSUER: &str = "https://idp.example";

pub fn ffi_verify(data: &[u8]) {
    let [nulls, preset, issuers, b0, b1, t0, t1, token @ ..] = data else {
        return;
    };
    let buf_len = usize::from(u16::from_le_bytes([*b0, *b1]));
    let token_len = usize::from(u16::from_le_bytes([*t0, *t1])).min(token.len());
    let null = |bit: u8| nulls & (1 << bit) != 0;

    // Storage as C declares it (`jwt_key key = {0};`), then initialised or left zeroed.
    // SAFETY: all-zero bytes are a valid `jwt_key` (an array of integers).
    let mut key: jwt_key = unsafe { core::mem::zeroed() };
    if !null(1) {
        // SAFETY: valid storage and a valid secret.
        assert_eq!(
            unsafe { jwt_key_hs256(&mut key, SECRET.as_ptr(), SECRET.len()) },
            jwt_status::JWT_OK
        );
    }
    let issuer_list = [jwt_str {
        ptr: ISSUER.as_ptr().cast(),
        len: ISSUER.len(),
    }; 12];
    // SAFETY: all-zero bytes are a valid `jwt_policy` (integers, NULL pointers, `false`).
    let mut policy: jwt_policy = unsafe { core::mem::zeroed() };
    // SAFETY: valid storage.
    let _ = unsafe { jwt_policy_init(&mut policy, 0) };
    policy.preset = u32::from(*preset % 4);
    policy.issuers = issuer_list.as_ptr();
    policy.issuers_len = usize::from(*issuers % 12);
    let mut buf = vec![0u8; buf_len];
    // SAFETY: as for the policy; `error_claim` zero is `JWT_CLAIM_NONE`.
    let mut claims: jwt_claims = unsafe { core::mem::zeroed() };
    let ptr_or_null = |bit: u8, ptr: *const u8| if null(bit) { core::ptr::null() } else { ptr };
    // SAFETY: every pointer is NULL or valid for the length passed with it.
    let status = unsafe {
        jwt_verify(
            ptr_or_null(0, token.as_ptr()).cast(),
            token_len,
            if null(1) { core::ptr::null() } else { &key },
            if null(2) { core::ptr::null() } else { &policy },
            NOW,
            if null(3) {
                core::ptr::null_mut()
            } else {
                buf.as_mut_ptr()
            },
            buf_len,
            if null(4) {
                core::ptr::null_mut()
            } else {
                &mut claims
            },
        )
    };

    // What the Rust pipeline says about the same call, when the call is well-formed.
    let well_formed = nulls & 0b11111 == 0 && *preset % 4 < 2 && *issuers % 12 <= 8;
    let token = &token[..token_len];
    let expected = if !well_formed {
        None
    } else if let Ok(text) = core::str::from_utf8(token) {
        let issuers = vec![ISSUER; usize::from(*issuers % 12)];
        let validation = match *preset % 4 {
            0 => Validation::new().issuers(&issuers),
            _ => Validation::access_token(&issuers, &[]),
        };
        let mut rust_buf = vec![0u8; buf_len];
        let key = Hs256Key::new(SECRET).unwrap();
        Some(
            match jwt_core::verify_claims(text, &key, &validation, NOW, &mut rust_buf) {
                Ok(verified) => {
                    let payload = verified.json();
                    // SAFETY: on success `claims.json` points into `buf`.
                    let json = unsafe {
                        core::slice::from_raw_parts(claims.json.ptr.cast::<u8>(), claims.json.len)
                    };
                    if status == jwt_status::JWT_OK {
                        assert_eq!(json, payload, "the C claims are the Rust claims");
                    }
                    jwt_status::JWT_OK
                }
                Err(error) => jwt_status::from(error),
            },
        )
    } else {
        Some(jwt_status::JWT_NOT_UTF8)
    };
    if let Some(expected) = expected {
        assert_eq!(status, expected, "C and Rust disagree");
    } else {
        assert_ne!(status, jwt_status::JWT_OK, "an ill-formed call succeeded");
    }
    if status == jwt_status::JWT_OK {
        // Lookups of a name taken from the token itself, into a small buffer.
        let name = &token[..token.len().min(8)];
        let mut out = [0u8; 8];
        let mut written = 0usize;
        let mut raw = jwt_str {
            ptr: core::ptr::null(),
            len: 0,
        };
        // SAFETY: valid claims, name and output storage.
        unsafe {
            let _ = jwt_claims_string(
                &claims,
                name.as_ptr().cast(),
                name.len(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut written,
            );
            let _ = jwt_claims_raw(&claims, name.as_ptr().cast(), name.len(), &mut raw);
        }
    }
    // SAFETY: `key` is initialised or zeroed.
    unsafe { jwt_key_clear(&mut key) };
}

/// The property of the `ffi_gateway` target: what a C gateway does per request (the bearer
/// token from the `Authorization` header, a JWK Set in caller storage, the token verified
/// with the key the set chooses, the RFC 6750 challenge) answers exactly as the Rust API,
/// and the challenge is never written past its buffer.
///
/// Input: byte 0, the challenge buffer's length; byte 1, the status to write a challenge
/// for; bytes 2-3, the length of the header; then the header, and the JWK Set document.
pub fn ffi_gateway(data: &[u8]) {
    use jwt_core::bearer::{self, BearerError};

    let [out_len, status_byte, h0, h1, rest @ ..] = data else {
        return;
    };
    let header_len = usize::from(u16::from_le_bytes([*h0, *h1])).min(rest.len());
    let (header, jwks) = rest.split_at(header_len);

    // The bearer token.
    let mut token = jwt_str {
        ptr: core::ptr::null(),
        len: 0,
    };
    // SAFETY: the header is valid for its length; `token` is valid storage.
    let status = unsafe { jwt_bearer_token(header.as_ptr().cast(), header.len(), &mut token) };
    let text = core::str::from_utf8(header);
    let expected = match text.map(|t| bearer::token_from_authorization(Some(t))) {
        Err(_) => Err(jwt_status::JWT_NOT_UTF8),
        Ok(Ok(found)) => Ok(found),
        Ok(Err(BearerError::NoCredentials)) => Err(jwt_status::JWT_NO_CREDENTIALS),
        Ok(Err(_)) => Err(jwt_status::JWT_INVALID_REQUEST),
    };
    let found = match expected {
        Ok(found) => {
            assert_eq!(status, jwt_status::JWT_OK);
            // SAFETY: on success `token` points into `header`.
            let got = unsafe { core::slice::from_raw_parts(token.ptr.cast::<u8>(), token.len) };
            assert_eq!(got, found.as_bytes(), "the C token is the Rust token");
            Some(found)
        }
        Err(refused) => {
            assert_eq!(status, refused);
            None
        }
    };

    // The key set, in caller storage, against `JwkSet`.
    // SAFETY: all-zero bytes are a valid, empty `jwt_keyset` (an array of integers).
    let mut set: Box<jwt_keyset> = Box::new(unsafe { core::mem::zeroed() });
    // SAFETY: valid storage and document.
    let parsed = unsafe { jwt_keyset_parse(&mut *set, jwks.as_ptr().cast(), jwks.len()) };
    let rust_set = jwt_core::JwkSet::<{ JWT_KEYSET_CAPACITY }>::parse(jwks);
    match &rust_set {
        Ok(rust) => {
            assert_eq!(parsed, jwt_status::JWT_OK);
            // SAFETY: a parsed set.
            assert_eq!(unsafe { jwt_keyset_len(&*set) }, rust.len());
        }
        Err(error) => assert_eq!(parsed, jwt_status::from(*error)),
    }
    if let (Ok(rust), Some(found)) = (&rust_set, found) {
        let validation = Validation::new();
        // SAFETY: all-zero bytes are a valid `jwt_policy`; then the JWT preset.
        let mut policy: jwt_policy = unsafe { core::mem::zeroed() };
        let _ = unsafe { jwt_policy_init(&mut policy, 0) };
        let mut buf = vec![0u8; found.len()];
        // SAFETY: as for `jwt_verify` in `ffi_verify`.
        let mut claims: jwt_claims = unsafe { core::mem::zeroed() };
        let status = unsafe {
            jwt_verify_keyset(
                token.ptr,
                token.len,
                &*set,
                &policy,
                NOW,
                buf.as_mut_ptr(),
                buf.len(),
                &mut claims,
            )
        };
        let mut rust_buf = vec![0u8; found.len()];
        let expected = match rust.verify_claims(found, &validation, NOW, &mut rust_buf) {
            Ok(_) => jwt_status::JWT_OK,
            Err(error) => jwt_status::from(error),
        };
        assert_eq!(status, expected, "C and Rust key sets disagree");
    }
    // SAFETY: the set is parsed or empty.
    unsafe { jwt_keyset_clear(&mut *set) };

    // The challenge, with the header's text as realm and scope, into a buffer with guard
    // bytes after the length given.
    let code = [
        jwt_status::JWT_OK,
        jwt_status::JWT_NO_CREDENTIALS,
        jwt_status::JWT_INVALID_REQUEST,
        jwt_status::JWT_INSUFFICIENT_SCOPE,
        jwt_status::JWT_EXPIRED,
    ][usize::from(*status_byte % 5)];
    let len = usize::from(*out_len);
    let mut out = vec![0xA5u8; len + 16];
    let mut written = usize::MAX;
    // SAFETY: realm and scope valid for their lengths, `out` for `len` bytes.
    let status = unsafe {
        jwt_challenge(
            code,
            header.as_ptr().cast(),
            header.len(),
            header.as_ptr().cast(),
            header.len(),
            out.as_mut_ptr().cast(),
            len,
            &mut written,
        )
    };
    assert!(
        out[len..].iter().all(|&b| b == 0xA5),
        "written past the buffer"
    );
    if status == jwt_status::JWT_OK {
        let text = text.expect("a challenge only for text");
        let refusal = match code {
            jwt_status::JWT_NO_CREDENTIALS => BearerError::NoCredentials,
            jwt_status::JWT_INVALID_REQUEST => BearerError::InvalidRequest,
            jwt_status::JWT_INSUFFICIENT_SCOPE => BearerError::InsufficientScope,
            _ => BearerError::InvalidToken,
        };
        let mut rust_out = vec![0u8; len];
        let rust = refusal
            .challenge(Some(text), Some(text), &mut rust_out)
            .unwrap();
        assert_eq!(
            &out[..written],
            rust.as_bytes(),
            "C and Rust challenges differ"
        );
    } else {
        assert_eq!(written, 0);
    }
}
