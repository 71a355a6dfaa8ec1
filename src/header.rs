//! The JOSE header: reading it from a token (RFC 7515 section 4) and writing it when signing.

use crate::json::{self, JsonStr, Value};
use crate::{Algorithm, Error, base64url, compact};

/// The protected header of a token, read before (or without) verifying it.
///
/// Use it to choose a key by `kid`; never trust it otherwise, because nothing in it has been
/// verified. Keys embedded in the header (`jwk`, `jku`, `x5u`, `x5c`) are ignored (RFC 8725
/// section 3.10).
///
/// ```
/// let mut buf = [0u8; 128];
/// let token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.e30.c2ln";
/// let header = jwt_core::decode_header(token, &mut buf)?;
/// assert_eq!(header.alg, jwt_core::Algorithm::Es256);
/// assert!(header.kid.unwrap() == "k1");
/// assert!(header.typ.unwrap() == "at+jwt");
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Header<'a> {
    /// `alg`: the algorithm the token claims. Verification uses the key's algorithm and
    /// refuses a token whose `alg` differs.
    pub alg: Algorithm,
    /// `kid`: a hint for choosing the key, compared as an opaque, case-sensitive string.
    pub kid: Option<JsonStr<'a>>,
    /// `typ`: the media type of the whole token, e.g. `JWT` or `at+jwt`.
    pub typ: Option<JsonStr<'a>>,
    /// `cty`: the media type of the payload.
    pub cty: Option<JsonStr<'a>>,
}

impl<'a> Header<'a> {
    /// Parses a decoded header (JSON text), applying every header rule of the verify
    /// pipeline: a JSON object without duplicate members, `alg` present and supported,
    /// `kid`/`typ`/`cty` strings when present, no `crit`, no nested JWT.
    ///
    /// # Errors
    /// [`Error::Json`], [`Error::InvalidHeader`], [`Error::UnsupportedAlgorithm`] or
    /// [`Error::UnsupportedHeader`].
    ///
    /// ```
    /// use jwt_core::{Error, Header};
    /// assert!(Header::parse(br#"{"alg":"HS256"}"#).is_ok());
    /// assert_eq!(Header::parse(br#"{"alg":"none"}"#).unwrap_err(), Error::UnsupportedAlgorithm);
    /// assert_eq!(Header::parse(br#"{"typ":"JWT"}"#).unwrap_err(), Error::InvalidHeader);
    /// ```
    pub fn parse(json: &'a [u8]) -> Result<Self, Error> {
        let mut alg = None;
        let (mut kid, mut typ, mut cty) = (None, None, None);
        let mut crit = false;
        json::parse_object(json, |name, value| {
            let slot = if name == "alg" {
                let Value::String(s) = value else {
                    return Err(Error::InvalidHeader);
                };
                alg = Some(s);
                return Ok(());
            } else if name == "kid" {
                &mut kid
            } else if name == "typ" {
                &mut typ
            } else if name == "cty" {
                &mut cty
            } else {
                crit |= name == "crit";
                return Ok(());
            };
            match value {
                Value::String(s) => {
                    *slot = Some(s);
                    Ok(())
                }
                _ => Err(Error::InvalidHeader),
            }
        })?;
        let alg = alg.ok_or(Error::InvalidHeader)?;
        let alg = Algorithm::from_json_name(alg).ok_or(Error::UnsupportedAlgorithm)?;
        // RFC 7515 4.1.11: no extension is understood, so any `crit` makes the token invalid.
        if crit {
            return Err(Error::UnsupportedHeader);
        }
        // RFC 8725 3.3 / RFC 7519 7.2 step 8: nested JWTs are not supported.
        if cty.is_some_and(|c| media_type_eq(c, "JWT")) {
            return Err(Error::UnsupportedHeader);
        }
        Ok(Header { alg, kid, typ, cty })
    }
}

/// Reads a token's header without verifying anything, so a caller can choose a key.
///
/// The header is decoded into `buf`, which must hold at least the decoded header (three
/// quarters of the header segment's length). The token must have the compact shape (three
/// segments) and a well-formed header.
///
/// # Errors
/// Any error of [`Header::parse`], plus [`Error::TokenTooLong`], [`Error::Malformed`],
/// [`Error::Base64`] and [`Error::BufferTooSmall`].
///
/// ```
/// let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEifQ.e30.c2ln";
/// let mut buf = [0u8; 64];
/// let header = jwt_core::decode_header(token, &mut buf)?;
/// assert!(header.kid.is_some_and(|kid| kid == "2026-11"));
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub fn decode_header<'b>(token: &str, buf: &'b mut [u8]) -> Result<Header<'b>, Error> {
    let parts = compact::split(token, crate::MAX_TOKEN_LEN)?;
    let len = base64url::decode(parts.header, buf)?;
    Header::parse(buf.get(..len).ok_or(Error::BufferTooSmall)?)
}

/// Compares a media type (`typ`/`cty`) with `expected`: ASCII case-insensitively, with the
/// `application/` prefix optional on either side (RFC 7515 sections 4.1.9 and 4.1.10).
pub(crate) fn media_type_eq(value: JsonStr<'_>, expected: &str) -> bool {
    const PREFIX: &str = "application/";
    let expected = strip_prefix_ignore_case(expected, PREFIX).unwrap_or(expected);
    let lower = |b: u8| b.to_ascii_lowercase();
    // One pass over the value, matched against both spellings at once.
    let mut short = expected.bytes().map(lower);
    let mut long = PREFIX.bytes().chain(expected.bytes().map(lower));
    let (mut is_short, mut is_long) = (true, true);
    for b in value.bytes().map(lower) {
        is_short &= short.next() == Some(b);
        is_long &= long.next() == Some(b);
    }
    (is_short && short.next().is_none()) || (is_long && long.next().is_none())
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// The header parameters a signer may set; `alg` always comes from the key (checklist S-1).
///
/// The default writes `"typ":"JWT"` and no `kid`.
///
/// ```
/// use jwt_core::HeaderFields;
/// let fields = HeaderFields::new().kid("2026-11").typ("at+jwt");
/// assert_eq!(fields.kid, Some("2026-11"));
/// let bare = HeaderFields::new().no_typ();
/// assert_eq!(bare.typ, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeaderFields<'a> {
    /// `typ`, written after `alg` when set.
    pub typ: Option<&'a str>,
    /// `kid`, written last when set.
    pub kid: Option<&'a str>,
}

impl<'a> HeaderFields<'a> {
    /// `typ` `JWT`, no `kid`.
    pub const fn new() -> Self {
        HeaderFields {
            typ: Some("JWT"),
            kid: None,
        }
    }

    /// Sets `kid`.
    pub const fn kid(mut self, kid: &'a str) -> Self {
        self.kid = Some(kid);
        self
    }

    /// Sets `typ` (e.g. `at+jwt` for RFC 9068 access tokens).
    pub const fn typ(mut self, typ: &'a str) -> Self {
        self.typ = Some(typ);
        self
    }

    /// Leaves `typ` out of the header.
    pub const fn no_typ(mut self) -> Self {
        self.typ = None;
        self
    }
}

impl Default for HeaderFields<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// The header as written, with `alg` first; `serde` serializes it in field order.
#[derive(serde::Serialize)]
pub(crate) struct WrittenHeader<'a> {
    pub alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<&'a str>,
}
