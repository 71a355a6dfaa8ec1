//! `jwt_header`, a token's header read without verifying it.

use core::ffi::c_char;

use jwt_core::Error;

use crate::alg::{c_alg, jwt_alg};
use crate::boundary::{bytes_mut, call, out, text};
use crate::status::jwt_status;
use crate::string::{jwt_str, unescaped};

/// A token's header, read without verifying anything (to choose a key).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_header {
    pub alg: jwt_alg,
    /// Unescaped; `{NULL, 0}` when absent.
    pub kid: jwt_str,
    pub typ: jwt_str,
}

/// Reads the header of `token` into `*header`; `kid` and `typ` point into `buf`
/// (`buf_len` bytes: `jwt_verify_buf_len(token_len)` always suffice, as many as the token
/// when `kid` and `typ` hold no escape).
///
/// # Safety
/// `token` must point to `token_len` bytes, `buf` to `buf_len` writable bytes that nothing
/// else uses during the call, `header` to writable storage for a `jwt_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_decode_header(
    token: *const c_char,
    token_len: usize,
    buf: *mut u8,
    buf_len: usize,
    header: *mut jwt_header,
) -> jwt_status {
    call(|| {
        // SAFETY (all three): forwarded to the caller.
        let header = unsafe { out(header) }?;
        let token = unsafe { text(token, token_len) }?;
        let buf = unsafe { bytes_mut(buf, buf_len) }?;
        // The decoded header first, the rest for unescaping its strings.
        let segment = token.split('.').next().unwrap_or_default();
        let len = jwt_core::base64url::decoded_len(segment.len()).ok_or(Error::Base64)?;
        let (decoded, mut spare) = buf
            .split_at_mut_checked(len)
            .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
        let read = jwt_core::decode_header(token, decoded)?;
        let mut text = [read.kid, read.typ].map(|_| jwt_str::NONE);
        for (slot, s) in text.iter_mut().zip([read.kid, read.typ]) {
            if let Some(s) = s {
                *slot = jwt_str::of(unescaped(s, &mut spare)?);
            }
        }
        let [kid, typ] = text;
        *header = jwt_header {
            alg: c_alg(read.alg)?,
            kid,
            typ,
        };
        Ok(())
    })
}
