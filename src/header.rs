//! The JOSE header: reading it from a token (RFC 7515 section 4) and writing it when signing.

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::json::{self, JsonStr, Value};
use crate::{base64url, compact};

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
        // The common shape in one pass; anything else, errors included, by the full reader.
        #[cfg(target_pointer_width = "64")]
        if let Some([alg, kid, typ, cty]) = json::plain_string_members(json, &MEMBERS) {
            return Members {
                alg,
                kid,
                typ,
                cty,
                crit: false,
            }
            .check();
        }
        Members::read(json)?.check()
    }
}

/// The header members the rules look at, in the order [`json::plain_string_members`] returns
/// them.
#[cfg(target_pointer_width = "64")]
const MEMBERS: [&str; 4] = ["alg", "kid", "typ", "cty"];

/// The header members the rules look at, as read.
struct Members<'a> {
    alg: Option<JsonStr<'a>>,
    kid: Option<JsonStr<'a>>,
    typ: Option<JsonStr<'a>>,
    cty: Option<JsonStr<'a>>,
    /// Whether a `crit` member is present, whatever its value.
    crit: bool,
}

impl<'a> Members<'a> {
    /// Reads any header with the full JSON reader: strings for `alg`, `kid`, `typ` and `cty`,
    /// anything for other members.
    fn read(json: &'a [u8]) -> Result<Self, Error> {
        let mut members = Members {
            alg: None,
            kid: None,
            typ: None,
            cty: None,
            crit: false,
        };
        json::parse_object(json, |name, value| {
            let slot = if name == "alg" {
                &mut members.alg
            } else if name == "kid" {
                &mut members.kid
            } else if name == "typ" {
                &mut members.typ
            } else if name == "cty" {
                &mut members.cty
            } else {
                members.crit |= name == "crit";
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
        Ok(members)
    }

    /// The header rules of the verify pipeline, on the members read.
    fn check(self) -> Result<Header<'a>, Error> {
        let Members {
            alg,
            kid,
            typ,
            cty,
            crit,
        } = self;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::string::String;
    use std::vec;
    use std::vec::Vec;

    /// What a parse found, in a comparable form (the raw text and whether it was escaped).
    fn outcome(result: Result<Header<'_>, Error>) -> Result<[Option<(String, bool)>; 4], Error> {
        let seen =
            |s: Option<JsonStr<'_>>| s.map(|s| (String::from(s.raw()), s.as_str().is_none()));
        result.map(|h| {
            [
                Some((std::format!("{:?}", h.alg), false)),
                seen(h.kid),
                seen(h.typ),
                seen(h.cty),
            ]
        })
    }

    /// The full reader alone.
    fn full(json: &[u8]) -> Result<Header<'_>, Error> {
        Members::read(json)?.check()
    }

    fn member() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            Just("alg"),
            Just("kid"),
            Just("typ"),
            Just("cty"),
            Just("crit"),
            Just("x5u"),
            Just("al\\u0067"),
            Just("ALG"),
            Just(""),
        ];
        let value = prop_oneof![
            Just("\"HS256\"".into()),
            Just("\"ES256\"".into()),
            Just("\"none\"".into()),
            Just("\"JWT\"".into()),
            Just("\"application/jwt\"".into()),
            "\"[ -~&&[^\"\\\\]]{0,12}\"".prop_map(String::from),
            Just("\"k\\/1\"".into()),
            Just("\"caf\u{e9}\"".into()),
            Just("\"a\u{1}b\"".into()),
            Just("\"\\u0041\"".into()),
            Just("1".into()),
            Just("null".into()),
            Just("[\"crit\"]".into()),
            Just("{}".into()),
        ];
        let space = prop_oneof![Just(""), Just(""), Just(" "), Just("\n")];
        (name, space.clone(), value, space)
            .prop_map(|(n, s, v, t)| std::format!("\"{n}\"{s}:{t}{v}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The common-shape reader and the full reader agree on headers built from the names,
        /// values and spacing that matter: escapes, duplicates, other members, other types.
        #[test]
        fn both_readers_agree_on_header_like_json(
            members in proptest::collection::vec(member(), 0..5),
            open in prop_oneof![Just("{"), Just("{"), Just(" {"), Just("[")],
            close in prop_oneof![Just("}"), Just("}"), Just("} "), Just("},"), Just("")],
        ) {
            let json = std::format!("{open}{}{close}", members.join(","));
            let (ours, reference) = (Header::parse(json.as_bytes()), full(json.as_bytes()));
            prop_assert_eq!(outcome(ours), outcome(reference), "{}", json);
        }

        /// And on arbitrary bytes near the common shape.
        #[test]
        fn both_readers_agree_on_altered_headers(
            at in 0usize..60,
            byte in any::<u8>(),
            cut in 0usize..61,
        ) {
            let mut json: Vec<u8> =
                br#"{"alg":"HS256","typ":"at+jwt","kid":"2026-11-rotation-a"}"#.to_vec();
            if let Some(b) = json.get_mut(at) {
                *b = byte;
            }
            json.truncate(cut.max(1));
            prop_assert_eq!(outcome(Header::parse(&json)), outcome(full(&json)));
        }
    }

    /// The common shape does take the fast reader (on 64-bit targets), and unusual headers
    /// are left to the full one.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn the_common_shape_is_read_by_the_plain_reader() {
        let common = br#"{"alg":"ES256","typ":"JWT","kid":"k1"}"#;
        assert!(json::plain_string_members(common, &MEMBERS).is_some());
        for other in [
            &br#"{"alg":"ES256", "kid":"k1"}"#[..],
            br#"{"alg":"ES256","kid":"k\/1"}"#,
            br#"{"alg":"ES256","x5u":"u"}"#,
            br#"{"alg":"ES256","alg":"ES256"}"#,
            br#"{"alg":"ES256"} "#,
            br#"{}"#,
        ] {
            assert!(json::plain_string_members(other, &MEMBERS).is_none());
        }
    }
}
