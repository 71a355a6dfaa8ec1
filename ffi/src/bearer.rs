//! RFC 6750 for C gateways: the bearer token of an `Authorization` header, scopes, and the
//! HTTP status and `WWW-Authenticate` challenge of a refusal.

use core::ffi::c_char;

use jwt_core::bearer::BearerError;

use crate::boundary::{bytes_mut, call, call_or, out, text};
use crate::status::jwt_status;
use crate::string::jwt_str;

/// Finds the bearer token in an HTTP `Authorization` header value (RFC 6750 section 2.1;
/// NULL for a request without the header) and points `*token` into it.
///
/// Returns `JWT_NO_CREDENTIALS` for no header or another scheme, `JWT_INVALID_REQUEST` for
/// a malformed Bearer value, `JWT_NOT_UTF8` for bytes that are not text.
///
/// # Safety
/// `authorization` must be NULL or point to `authorization_len` bytes; `token` to writable
/// storage for a `jwt_str`, which points into `authorization` afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_bearer_token(
    authorization: *const c_char,
    authorization_len: usize,
    token: *mut jwt_str,
) -> jwt_status {
    call(|| {
        // SAFETY (both): forwarded to the caller.
        let token = unsafe { out(token) }?;
        *token = jwt_str::of(&[]);
        let header = match authorization.is_null() {
            true => None,
            false => Some(unsafe { text(authorization, authorization_len) }?),
        };
        let found = jwt_core::bearer::token_from_authorization(header).map_err(bearer_status)?;
        *token = jwt_str::of(found.as_bytes());
        Ok(())
    })
}

fn bearer_status(refusal: BearerError) -> jwt_status {
    match refusal {
        BearerError::NoCredentials => jwt_status::JWT_NO_CREDENTIALS,
        BearerError::InvalidRequest => jwt_status::JWT_INVALID_REQUEST,
        BearerError::InsufficientScope => jwt_status::JWT_INSUFFICIENT_SCOPE,
        BearerError::InvalidToken => jwt_status::JWT_INVALID_SIGNATURE,
    }
}

/// The RFC 6750 refusal for a status: `JWT_OK` is none, the three bearer statuses are
/// theirs, and every other status means the token is invalid (RFC 9068 section 4).
pub(crate) fn refusal_of(status: jwt_status) -> Option<BearerError> {
    match status {
        jwt_status::JWT_OK => None,
        jwt_status::JWT_NO_CREDENTIALS => Some(BearerError::NoCredentials),
        jwt_status::JWT_INVALID_REQUEST => Some(BearerError::InvalidRequest),
        jwt_status::JWT_INSUFFICIENT_SCOPE => Some(BearerError::InsufficientScope),
        _ => Some(BearerError::InvalidToken),
    }
}

/// Whether the space-delimited scopes `scopes` (`scopes_len` bytes: a `scope` claim, as
/// `jwt_claims.scope` gives it) contain `scope` exactly (RFC 6749 section 3.3). False when
/// either is NULL or not UTF-8.
///
/// # Safety
/// `scopes` must point to `scopes_len` bytes and `scope` to `scope_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_scopes_contain(
    scopes: *const c_char,
    scopes_len: usize,
    scope: *const c_char,
    scope_len: usize,
) -> bool {
    call_or(false, || {
        // SAFETY (both): forwarded to the caller.
        let (Ok(scopes), Ok(scope)) = (unsafe { text(scopes, scopes_len) }, unsafe {
            text(scope, scope_len)
        }) else {
            return false;
        };
        !scopes.is_empty() && jwt_core::scope::Scopes::Delimited(scopes).contains(scope)
    })
}

/// The HTTP status a gateway answers a request with after `status` (a `jwt_status`): 200
/// for `JWT_OK`, 400 for `JWT_INVALID_REQUEST`, 403 for `JWT_INSUFFICIENT_SCOPE`, 401 for
/// every other status (RFC 6750 section 3.1).
#[unsafe(no_mangle)]
pub extern "C" fn jwt_http_status(status: jwt_status) -> u16 {
    refusal_of(status).map_or(200, BearerError::status)
}

/// Writes the `WWW-Authenticate` header value that goes with refusing a request after
/// `status` into `out` (`out_len` bytes, not NUL-terminated), its length to `*written`:
/// `Bearer`, the `realm` if given, the RFC 6750 `error` code, and for
/// `JWT_INSUFFICIENT_SCOPE` the `scope` needed. Characters RFC 6750 does not allow in
/// `realm` and `scope` are left out, so no input can break the header.
///
/// Returns `JWT_INVALID_ARGUMENT` for `JWT_OK` (nothing is refused) and
/// `JWT_BUFFER_TOO_SMALL` when `out` is too short (128 bytes plus the realm and scope
/// always suffice).
///
/// # Safety
/// `realm` and `scope` must each be NULL or point to their length in bytes; `out` to
/// `out_len` writable bytes, `written` to a `size_t`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_challenge(
    status_code: jwt_status,
    realm: *const c_char,
    realm_len: usize,
    scope: *const c_char,
    scope_len: usize,
    out: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> jwt_status {
    call(|| {
        // SAFETY (all four): forwarded to the caller.
        let written = unsafe { self::out(written) }?;
        *written = 0;
        let optional = |ptr: *const c_char, len| match ptr.is_null() {
            true => Ok(None),
            false => unsafe { text(ptr, len) }.map(Some),
        };
        let realm = optional(realm, realm_len)?;
        let scope = optional(scope, scope_len)?;
        let out = unsafe { bytes_mut(out.cast(), out_len) }?;
        let refusal = refusal_of(status_code).ok_or(jwt_status::JWT_INVALID_ARGUMENT)?;
        *written = refusal.challenge(realm, scope, out)?.len();
        Ok(())
    })
}
