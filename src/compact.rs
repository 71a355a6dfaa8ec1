//! The JWS compact serialization: `header.payload.signature` (RFC 7515 section 7.1).

use crate::error::Error;

/// Largest token accepted by any function of the crate (checklist V-P12). A
/// [`Validation`](crate::Validation) may set a smaller limit.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// The three segments of a compact token, still base64url-encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    /// `header.payload`, exactly as received: the bytes the signature covers (V-P10).
    pub signing_input: &'a [u8],
}

/// Splits a token into exactly three segments after bounding its length (V-P1, V-P12).
/// An empty header is refused here. An empty payload is a JWS of an empty message; detached
/// content (RFC 7515 Appendix F) is not supported, so such a token fails its signature check.
pub(crate) fn split(token: &str, max_len: usize) -> Result<Parts<'_>, Error> {
    if token.len() > max_len.min(MAX_TOKEN_LEN) {
        return Err(Error::TokenTooLong);
    }
    let bytes = token.as_bytes();
    // The dots, found a block at a time; checked slicing keeps the verify path free of
    // panic branches (firmware links with a panic handler that must be unreachable).
    let dot = |from: usize| {
        let rest = bytes.get(from..)?;
        let at = crate::scan::find(rest, b'.');
        (at < rest.len()).then_some(from + at)
    };
    let first = dot(0).ok_or(Error::Malformed)?;
    let second = dot(first + 1).ok_or(Error::Malformed)?;
    if first == 0 || dot(second + 1).is_some() {
        return Err(Error::Malformed);
    }
    let segment = |range: core::ops::Range<usize>| bytes.get(range).ok_or(Error::Malformed);
    Ok(Parts {
        header: segment(0..first)?,
        payload: segment(first + 1..second)?,
        signature: segment(second + 1..bytes.len())?,
        signing_input: segment(0..second)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_three_segments_only() {
        let parts = split("aa.bb.cc", 100).unwrap();
        assert_eq!(parts.header, b"aa");
        assert_eq!(parts.payload, b"bb");
        assert_eq!(parts.signature, b"cc");
        assert_eq!(parts.signing_input, b"aa.bb");
        assert!(split("aa.bb.", 100).unwrap().signature.is_empty());
        assert!(split("aa..cc", 100).unwrap().payload.is_empty());
        for bad in ["", "aa", "aa.bb", "aa.bb.cc.dd", "a.b.c.d.e", ".bb.cc"] {
            assert_eq!(split(bad, 100).unwrap_err(), Error::Malformed);
        }
        assert_eq!(split("aa.bb.cc", 7).unwrap_err(), Error::TokenTooLong);
    }
}
