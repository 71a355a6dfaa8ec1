//! Bearer tokens in HTTP (RFC 6750): reading the token from an `Authorization` header value,
//! and what a resource server answers when the request is refused.
//!
//! ```
//! use jwt_core::bearer::{self, BearerError};
//!
//! assert_eq!(bearer::token_from_authorization(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
//! // No credentials: 401 with a bare challenge, no error code (RFC 6750 section 3.1).
//! let refused = bearer::token_from_authorization(None).unwrap_err();
//! assert_eq!((refused.status(), refused.code()), (401, None));
//! // Any verification failure is `invalid_token` (RFC 9068 section 4).
//! let refused = BearerError::from(jwt_core::Error::Expired);
//! let mut out = [0u8; 64];
//! let header = refused.challenge(Some("api"), None, &mut out)?;
//! assert_eq!(header, r#"Bearer realm="api", error="invalid_token""#);
//! # Ok::<(), jwt_core::Error>(())
//! ```

use crate::error::Error;
use crate::json::ser::Writer;

/// Why a request's bearer token is not accepted, as RFC 6750 section 3.1 names it for the
/// response: its HTTP status, its `error` code and its `WWW-Authenticate` challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BearerError {
    /// The request carries no bearer credentials (no `Authorization` header, or another
    /// scheme): 401 with a challenge that has no error code (V-B3).
    NoCredentials,
    /// The `Authorization` header names the Bearer scheme but is malformed: 400
    /// `invalid_request`.
    InvalidRequest,
    /// The token is expired, malformed, badly signed or otherwise invalid: 401
    /// `invalid_token`. Every [`Error`] from verification maps here (V-AT7).
    InvalidToken,
    /// The token is valid but lacks a scope the resource needs: 403 `insufficient_scope`.
    InsufficientScope,
}

impl BearerError {
    /// The HTTP status to answer with.
    ///
    /// ```
    /// assert_eq!(jwt_core::bearer::BearerError::InsufficientScope.status(), 403);
    /// ```
    pub const fn status(self) -> u16 {
        match self {
            BearerError::NoCredentials | BearerError::InvalidToken => 401,
            BearerError::InvalidRequest => 400,
            BearerError::InsufficientScope => 403,
        }
    }

    /// The `error` code of the challenge, `None` when the request had no credentials.
    ///
    /// ```
    /// use jwt_core::bearer::BearerError;
    /// assert_eq!(BearerError::InvalidRequest.code(), Some("invalid_request"));
    /// assert_eq!(BearerError::NoCredentials.code(), None);
    /// ```
    pub const fn code(self) -> Option<&'static str> {
        match self {
            BearerError::NoCredentials => None,
            BearerError::InvalidRequest => Some("invalid_request"),
            BearerError::InvalidToken => Some("invalid_token"),
            BearerError::InsufficientScope => Some("insufficient_scope"),
        }
    }

    /// Writes the `WWW-Authenticate` header value for this refusal into `out`:
    /// `Bearer`, then `realm`, `error` and `scope` attributes where present (RFC 6750
    /// section 3). `realm` and `scope` are written as quoted strings holding only the
    /// characters RFC 6750 allows there (printable ASCII without `"` and `\`, and spaces in
    /// `scope`); any other character is left out, so no caller input can break the header.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` cannot hold the value.
    ///
    /// ```
    /// use jwt_core::bearer::BearerError;
    /// let mut out = [0u8; 96];
    /// let value = BearerError::InsufficientScope.challenge(None, Some("orders:write"), &mut out)?;
    /// assert_eq!(value, r#"Bearer error="insufficient_scope", scope="orders:write""#);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn challenge<'o>(
        self,
        realm: Option<&str>,
        scope: Option<&str>,
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        let mut w = Writer { out, len: 0 };
        w.bytes(b"Bearer")?;
        let mut separator: &[u8] = b" ";
        let mut attribute =
            |w: &mut Writer<'_>, name: &[u8], value: &str, spaces: bool| -> Result<(), Error> {
                w.bytes(separator)?;
                separator = b", ";
                w.bytes(name)?;
                w.bytes(b"=\"")?;
                for &b in value.as_bytes() {
                    if matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E) || (spaces && b == b' ') {
                        w.bytes(&[b])?;
                    }
                }
                Ok(w.bytes(b"\"")?)
            };
        if let Some(realm) = realm {
            attribute(&mut w, b"realm", realm, true)?;
        }
        if let Some(code) = self.code() {
            attribute(&mut w, b"error", code, false)?;
        }
        if let Some(scope) = scope {
            attribute(&mut w, b"scope", scope, true)?;
        }
        let Writer { out, len } = w;
        let written = out.get(..len).ok_or(Error::BufferTooSmall)?;
        core::str::from_utf8(written).map_err(|_| Error::BufferTooSmall)
    }
}

impl From<Error> for BearerError {
    /// Any failure to verify or validate a token is `invalid_token` (RFC 9068 section 4).
    fn from(_: Error) -> Self {
        BearerError::InvalidToken
    }
}

impl core::fmt::Display for BearerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            BearerError::NoCredentials => "no bearer credentials",
            BearerError::InvalidRequest => "malformed Authorization header",
            BearerError::InvalidToken => "invalid bearer token",
            BearerError::InsufficientScope => "insufficient scope",
        })
    }
}

impl core::error::Error for BearerError {}

/// The token of an `Authorization` header value that uses the Bearer scheme (RFC 6750
/// section 2.1, V-B1): the scheme compared without regard to case, one or more spaces, then
/// a `b64token` (letters, digits, `-._~+/`, then optional `=` padding) and nothing else.
/// Leading and trailing spaces or tabs of the field value are ignored (RFC 9110 section 5.5).
/// Pass `None` when the request has no `Authorization` header.
///
/// # Errors
/// [`BearerError::NoCredentials`] without the header or with another scheme;
/// [`BearerError::InvalidRequest`] for a malformed Bearer value.
///
/// ```
/// use jwt_core::bearer::{BearerError, token_from_authorization};
/// assert_eq!(token_from_authorization(Some("bearer  a.b.c")), Ok("a.b.c"));
/// assert_eq!(token_from_authorization(Some("Basic dXNlcjpwYXNz")), Err(BearerError::NoCredentials));
/// assert_eq!(token_from_authorization(Some("Bearer a.b.c junk")), Err(BearerError::InvalidRequest));
/// ```
pub fn token_from_authorization(value: Option<&str>) -> Result<&str, BearerError> {
    let value = value
        .ok_or(BearerError::NoCredentials)?
        .trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(BearerError::NoCredentials);
    }
    let token = rest.trim_start_matches(' ');
    let body = token.trim_end_matches('=');
    let valid = !body.is_empty() && body.bytes().all(is_token_char);
    if valid {
        Ok(token)
    } else {
        Err(BearerError::InvalidRequest)
    }
}

/// Whether `b` may appear in a `b64token` (RFC 6750 section 2.1) before its `=` padding.
/// A table: this runs over every byte of every token a gateway sees.
#[expect(
    clippy::indexing_slicing,
    reason = "a byte indexes a table of 256 entries"
)]
fn is_token_char(b: u8) -> bool {
    TOKEN_CHARS[usize::from(b)]
}

#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of bounds fails the build"
)]
const TOKEN_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] =
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        i += 1;
    }
    table
};
