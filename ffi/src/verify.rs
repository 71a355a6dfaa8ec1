//! `jwt_verify` and `jwt_verify_keyset`: a token verified with a key or the key a set
//! chooses, validated against a policy, its claims described in a `jwt_claims`; and
//! `jwt_verify_signature`, the signature step alone.

use core::ffi::c_char;

use jwt_core::json::{self, Value};
use jwt_core::{Error, Validation};

use crate::boundary::{bytes, bytes_mut, call, out, reference, text};
use crate::claims::{error_claim, jwt_claims};
use crate::key::{Held, jwt_key};
use crate::keyset::{KeysetValue, jwt_keyset};
use crate::policy::{jwt_policy, with_validation};
use crate::status::jwt_status;
use crate::storage::CallerStorage;
use crate::string::{jwt_str, raw_value, unescaped};

/// Bytes of a `buf` that always suffice for `jwt_verify`, `jwt_verify_keyset` and
/// `jwt_decode_header` with a token of `token_len` bytes: `token_len + token_len / 2`
/// (saturating). A static buffer can be sized from the longest token accepted.
///
/// As many bytes as the token suffice when no string the call unescapes holds an escape:
/// the claims' member names and `iss`, `sub`, `jti`, `client_id`, `scope` (`kid` and `typ`
/// for `jwt_decode_header`). With escapes, the claims' JSON text and the unescaped copies
/// beside it can outgrow the token: a `sub` of quotes, each escaped as `\"`, takes three
/// bytes of buffer per quote and under 2.7 bytes of token.
///
/// One and a half times always suffices: the buffer holds the decoded payload, at most
/// three quarters of its base64url text, then either the unescaped copy of one member name
/// (while the claims are read) or the copies of the registered strings. Each copy is shorter
/// than its escaped text, and those texts are separate parts of the payload, so either takes
/// less than the payload: less than twice the payload in all, less than one and a half times
/// the token. The decoded header, read first, and its copies of `kid` and `typ` take less
/// than twice the header, by the same reasoning.
#[unsafe(no_mangle)]
pub extern "C" fn jwt_verify_buf_len(token_len: usize) -> usize {
    token_len.saturating_add(token_len / 2)
}

/// Verifies `token` (`token_len` bytes) with `key`, validates it against `policy` at `now`
/// (Unix seconds) and, when valid, describes its claims in `*claims`.
///
/// `buf` (`buf_len` bytes) receives the decoded header and claims, and the unescaped copies
/// of registered strings that contain escapes: `jwt_verify_buf_len(token_len)` bytes always
/// suffice, as many as the token when those strings hold no escape. On any status but
/// `JWT_OK`, `*claims` holds nothing but `error_claim`.
///
/// # Safety
/// `token` must point to `token_len` bytes, `key` to a `jwt_key`, `policy` to a
/// `jwt_policy` whose pointers are valid, `buf` to `buf_len` writable bytes that nothing
/// else uses during the call, `claims` to writable storage for a `jwt_claims`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify(
    token: *const c_char,
    token_len: usize,
    key: *const jwt_key,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            jwt_key::load(key)
        })
    }
}

/// Checks a JWS signature, in its algorithm's JWS form (an HMAC of the hash's length, an
/// ECDSA `r || s` of twice the curve's field length, an RSA signature as long as the
/// modulus, a 64-byte Ed25519 signature), over `signing_input` with `key`. This is
/// the signature step of `jwt_verify` alone: no header, no claims, no policy. Use it for JWS
/// formats `jwt_verify` does not read (detached payloads); tokens go through `jwt_verify`.
///
/// Returns `JWT_INVALID_SIGNATURE` for a signature that does not verify, whatever its length.
///
/// # Safety
/// `key` must point to a `jwt_key`, `signing_input` to `input_len` bytes and `signature` to
/// `signature_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_signature(
    key: *const jwt_key,
    signing_input: *const u8,
    input_len: usize,
    signature: *const u8,
    signature_len: usize,
) -> jwt_status {
    call(|| {
        // SAFETY (all three): forwarded to the caller.
        let key = unsafe { jwt_key::load(key) }?;
        let input = unsafe { bytes(signing_input, input_len) }?;
        let signature = unsafe { bytes(signature, signature_len) }?;
        Ok(key.verifying(|key| key.verify_signature(input, signature))?)
    })
}

/// [`jwt_verify`] with the key `set` chooses for the token's header (`alg` and `kid`, as
/// jwt-core's `JwkSet` chooses: `JWT_UNKNOWN_KEY` when none fits, `JWT_AMBIGUOUS_KEY` when
/// several do).
///
/// # Safety
/// As `jwt_verify`, with `set` pointing to a `jwt_keyset`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_keyset(
    token: *const c_char,
    token_len: usize,
    set: *const jwt_keyset,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            jwt_keyset::load(set)
        })
    }
}

/// What a token is verified with: one key, or the key a set chooses. A trait rather than an
/// enum, so each verify function links only its own path (firmware calling `jwt_verify`
/// does not carry the key-set code).
trait Verifier {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error>;
}

impl Verifier for &Held {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        self.verifying(|key| {
            jwt_core::verify_claims(token, key, validation, now, buf).map(|claims| claims.json())
        })
    }
}

impl Verifier for &KeysetValue {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        KeysetValue::verify_claims(self, token, validation, now, buf).map(|claims| claims.json())
    }
}

/// The body of the verify functions: checks the pointers, verifies with what `verifier`
/// gives, and reads the registered claims into `*claims`.
///
/// # Safety
/// As `jwt_verify`, for the pointers this takes; `verifier` reads the key storage.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_into<V: Verifier>(
    token: *const c_char,
    token_len: usize,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    verifier: impl FnOnce() -> Result<V, jwt_status>,
) -> jwt_status {
    call(|| {
        // SAFETY (all four): forwarded to the caller.
        let claims = unsafe { out(claims) }?;
        *claims = jwt_claims::EMPTY;
        let token = unsafe { text(token, token_len) }?;
        let policy = unsafe { reference(policy) }?;
        let buf = unsafe { bytes_mut(buf, buf_len) }?;
        let verifier = verifier()?;
        let payload_len = unsafe {
            with_validation(policy, |validation| {
                verifier
                    .verify_claims(token, validation, now, buf)
                    .map(<[u8]>::len)
                    .map_err(|error| {
                        claims.error_claim = error_claim(error);
                        jwt_status::from(error)
                    })
            })
        }?;
        let (payload, mut spare) = buf
            .split_at_mut_checked(payload_len)
            .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
        let payload: &[u8] = payload;
        let mut read = jwt_claims::EMPTY;
        read.json = jwt_str::of(payload);
        let mut failed = Ok(());
        json::parse_object(payload, |name, value| {
            let Some(field) = (match (name.as_str(), value) {
                (Some("iss"), _) => Some(&mut read.iss),
                (Some("sub"), _) => Some(&mut read.sub),
                (Some("jti"), _) => Some(&mut read.jti),
                (Some("client_id"), _) => Some(&mut read.client_id),
                (Some("scope"), _) => Some(&mut read.scope),
                (Some("aud"), value) => {
                    read.aud = jwt_str::of(raw_value(payload, value).as_bytes());
                    None
                }
                (Some(date @ ("exp" | "nbf" | "iat")), Value::Number(n)) => {
                    let (value, has) = match date {
                        "exp" => (&mut read.exp, &mut read.has_exp),
                        "nbf" => (&mut read.nbf, &mut read.has_nbf),
                        _ => (&mut read.iat, &mut read.has_iat),
                    };
                    (*value, *has) = (seconds(n), true);
                    None
                }
                _ => None,
            }) else {
                return Ok(());
            };
            if let Value::String(s) = value {
                match unescaped(s, &mut spare) {
                    Ok(text) => *field = jwt_str::of(text),
                    Err(status) => failed = Err(status),
                }
            }
            Ok(())
        })?;
        failed?;
        *claims = read;
        Ok(())
    })
}

/// Whole seconds of a NumericDate the library has validated.
fn seconds(number: &str) -> u64 {
    jwt_core::NumericDate::parse(number).map_or(0, jwt_core::NumericDate::floor)
}
