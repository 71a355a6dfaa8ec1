//! The JWS compact serialization: `header.payload.signature` (RFC 7515 section 7.1).

use crate::Error;

/// Largest token accepted by any function of the crate (STANDARDS V-P12). A
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
    // `str::split` with a `char` finds the dots with memchr, a word at a time.
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(Error::Malformed);
    };
    if header.is_empty() {
        return Err(Error::Malformed);
    }
    // Checked slicing keeps the verify path free of panic branches (firmware links with a
    // panic handler that must be unreachable); the range is always in bounds.
    let signing_input = token
        .get(..header.len() + 1 + payload.len())
        .ok_or(Error::Malformed)?;
    Ok(Parts {
        header: header.as_bytes(),
        payload: payload.as_bytes(),
        signature: signature.as_bytes(),
        signing_input: signing_input.as_bytes(),
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
