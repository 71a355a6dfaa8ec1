//! `jwt_claims`, the verified claims `jwt_verify` describes, `jwt_claim`, the registered
//! claims a status points at, and the lookups of other members.

use core::ffi::c_char;

use jwt_core::json::{self, Value};
use jwt_core::{Claim, Error};

use crate::boundary::{bytes, bytes_mut, call, out, reference, text};
use crate::status::jwt_status;
use crate::string::{jwt_str, raw_value, unescaped_into};

/// The registered claims a status can point at (`jwt_claims.error_claim`), and the bits of
/// `jwt_policy.required`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_claim {
    JWT_CLAIM_NONE = 0,
    JWT_CLAIM_EXP = 1,
    JWT_CLAIM_NBF = 2,
    JWT_CLAIM_IAT = 3,
    JWT_CLAIM_ISS = 4,
    JWT_CLAIM_SUB = 5,
    JWT_CLAIM_AUD = 6,
    JWT_CLAIM_JTI = 7,
    JWT_CLAIM_CLIENT_ID = 8,
    JWT_CLAIM_NONCE = 9,
    JWT_CLAIM_AZP = 10,
    JWT_CLAIM_AUTH_TIME = 11,
    /// The `typ` header parameter.
    JWT_CLAIM_TYP = 12,
    /// `cnf`, the key a sender-constrained token is bound to (RFC 7800).
    JWT_CLAIM_CNF = 13,
}

/// Each claim beside its C name, in the order of the C values from 1.
pub(crate) const CLAIMS: [(jwt_claim, Claim); 13] = [
    (jwt_claim::JWT_CLAIM_EXP, Claim::Exp),
    (jwt_claim::JWT_CLAIM_NBF, Claim::Nbf),
    (jwt_claim::JWT_CLAIM_IAT, Claim::Iat),
    (jwt_claim::JWT_CLAIM_ISS, Claim::Iss),
    (jwt_claim::JWT_CLAIM_SUB, Claim::Sub),
    (jwt_claim::JWT_CLAIM_AUD, Claim::Aud),
    (jwt_claim::JWT_CLAIM_JTI, Claim::Jti),
    (jwt_claim::JWT_CLAIM_CLIENT_ID, Claim::ClientId),
    (jwt_claim::JWT_CLAIM_NONCE, Claim::Nonce),
    (jwt_claim::JWT_CLAIM_AZP, Claim::Azp),
    (jwt_claim::JWT_CLAIM_AUTH_TIME, Claim::AuthTime),
    (jwt_claim::JWT_CLAIM_TYP, Claim::Typ),
    (jwt_claim::JWT_CLAIM_CNF, Claim::Cnf),
];

fn c_claim(claim: Claim) -> jwt_claim {
    CLAIMS
        .iter()
        .find(|(_, c)| *c == claim)
        .map_or(jwt_claim::JWT_CLAIM_NONE, |(c, _)| *c)
}

/// The claim a status points at, if any.
pub(crate) fn error_claim(error: Error) -> jwt_claim {
    match error {
        Error::MissingClaim(claim) | Error::InvalidClaim(claim) => c_claim(claim),
        _ => jwt_claim::JWT_CLAIM_NONE,
    }
}

/// The verified claims of a token: the claims set's JSON text and its registered claims,
/// all pointing into the caller's buffer given to `jwt_verify` (valid while it is).
/// Strings are unescaped UTF-8; absent ones are `{NULL, 0}`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_claims {
    /// The whole claims set, JSON text.
    pub json: jwt_str,
    pub iss: jwt_str,
    pub sub: jwt_str,
    pub jti: jwt_str,
    pub client_id: jwt_str,
    pub scope: jwt_str,
    /// `aud` as JSON text: a string (with its quotes) or an array of strings.
    pub aud: jwt_str,
    /// NumericDates in whole seconds (fractions dropped), valid when their `has_` flag is.
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub has_exp: bool,
    pub has_nbf: bool,
    pub has_iat: bool,
    /// After `JWT_MISSING_CLAIM` or `JWT_INVALID_CLAIM`: the claim; otherwise
    /// `JWT_CLAIM_NONE`.
    pub error_claim: jwt_claim,
}

impl jwt_claims {
    pub(crate) const EMPTY: jwt_claims = jwt_claims {
        json: jwt_str::NONE,
        iss: jwt_str::NONE,
        sub: jwt_str::NONE,
        jti: jwt_str::NONE,
        client_id: jwt_str::NONE,
        scope: jwt_str::NONE,
        aud: jwt_str::NONE,
        exp: 0,
        nbf: 0,
        iat: 0,
        has_exp: false,
        has_nbf: false,
        has_iat: false,
        error_claim: jwt_claim::JWT_CLAIM_NONE,
    };
}

/// Finds the member `name` of the verified claims and hands its value to `take`.
///
/// # Safety
/// `claims` must point to a `jwt_claims` filled by `jwt_verify` whose buffer is still valid;
/// `name` to `name_len` bytes.
unsafe fn lookup(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    take: impl FnOnce(&[u8], Value<'_>) -> Result<(), jwt_status>,
) -> jwt_status {
    call(|| {
        // SAFETY (all three): forwarded to the caller.
        let claims = unsafe { reference(claims) }?;
        let name = unsafe { text(name, name_len) }?;
        let doc = unsafe { bytes(claims.json.ptr.cast(), claims.json.len) }?;
        let mut found = None;
        json::parse_object(doc, |member, value| {
            if member == name {
                found = Some(value);
            }
            Ok(())
        })?;
        take(doc, found.ok_or(jwt_status::JWT_NOT_FOUND)?)
    })
}

/// Copies the unescaped string member `name` of the claims to `out` (`out_len` bytes, not
/// NUL-terminated) and its length to `*written`.
///
/// Returns `JWT_NOT_FOUND`, `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not a string,
/// or `JWT_BUFFER_TOO_SMALL` (with `*written` the length needed).
///
/// # Safety
/// As `jwt_claims_raw`, and `out` must point to `out_len` writable bytes, `written` to a
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_string(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    out_buf: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, value| {
            let Value::String(s) = value else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            let written = out(written)?;
            *written = s.len();
            let target = bytes_mut(out_buf.cast(), out_len)?;
            unescaped_into(s, target)
        })
    }
}

/// The integer member `name` of the claims in `*value`.
///
/// Returns `JWT_NOT_FOUND`, or `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not an
/// integer that fits an `int64_t`.
///
/// # Safety
/// As `jwt_claims_raw`, and `value` must point to an `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_int(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut i64,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, found| {
            let Value::Number(n) = found else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            *out(value)? = n
                .parse()
                .map_err(|_| jwt_status::JWT_CLAIMS_TYPE_MISMATCH)?;
            Ok(())
        })
    }
}

/// The boolean member `name` of the claims in `*value`.
///
/// Returns `JWT_NOT_FOUND`, or `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not `true`
/// or `false`.
///
/// # Safety
/// As `jwt_claims_raw`, and `value` must point to a `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_bool(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut bool,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, found| {
            let Value::Bool(b) = found else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            *out(value)? = b;
            Ok(())
        })
    }
}

/// The JSON text of member `name` of the claims (a string with its quotes, a number, an
/// array, an object, `true`, `false` or `null`) in `*value`, pointing into the claims.
///
/// Returns `JWT_NOT_FOUND` when there is no such member.
///
/// # Safety
/// `claims` must point to a `jwt_claims` filled by a successful `jwt_verify` whose buffer is
/// still valid and unchanged; `name` to `name_len` bytes; `value` to a `jwt_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_raw(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut jwt_str,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |doc, found| {
            *out(value)? = jwt_str::of(raw_value(doc, found).as_bytes());
            Ok(())
        })
    }
}
