//! The sign pipeline: header fields and claims to a compact token (checklist S-1..S-3).

use serde::Serialize;

use crate::algorithm::SigningKey;
use crate::base64url;
use crate::claims::{Claim, RegisteredClaims};
use crate::error::Error;
use crate::header::{HeaderFields, WrittenHeader};
use crate::json::ser;

/// Signs `claims` with `key` into `out`, returning the token as a `&str` borrowed from it.
///
/// The header is `{"alg":..}` with the key's algorithm, then `typ` and `kid` from `header`
/// when set. `claims` must serialize to a JSON object whose registered claims have their
/// registered types, with `exp`, `nbf` and `iat` as whole seconds. Nothing is allocated:
/// each JSON text is written at the end of `out` and base64url-encoded in place, so `out`
/// needs only room for the finished token.
///
/// # Errors
/// [`Error::BufferTooSmall`] when the token does not fit, [`Error::InvalidClaim`] or
/// [`Error::Json`] for claims that would not verify, [`Error::Signing`] when the claims
/// have no JSON form or the key fails.
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Hs256Key, HeaderFields};
/// #[derive(serde::Serialize)]
/// struct Claims<'a> { iss: &'a str, exp: u64 }
///
/// let key = Hs256Key::new(&[0x42; 32])?;
/// let mut out = [0u8; 256];
/// let token = jwt_core::sign(&key, &HeaderFields::new().kid("k1"), &Claims { iss: "me", exp: 1 }, &mut out)?;
/// assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0."));
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
pub fn sign<'o, K, C>(
    key: &K,
    header: &HeaderFields<'_>,
    claims: &C,
    out: &'o mut [u8],
) -> Result<&'o str, Error>
where
    K: SigningKey + ?Sized,
    C: Serialize + ?Sized,
{
    let written = WrittenHeader {
        alg: key.algorithm().name(),
        typ: header.typ,
        kid: header.kid,
    };
    sign_with_header(key, |out| Ok(ser::to_slice(&written, out)?), claims, out)
}

/// [`sign`] with a header JSON text that `write_header` writes to the front of the slice it
/// is given (returning its length): for headers beyond [`HeaderFields`], such as a DPoP
/// proof's, whose public key the header carries.
pub(crate) fn sign_with_header<'o, K, C>(
    key: &K,
    write_header: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
    claims: &C,
    out: &'o mut [u8],
) -> Result<&'o str, Error>
where
    K: SigningKey + ?Sized,
    C: Serialize + ?Sized,
{
    let mut len = encode_json(write_header, out, |_| Ok(()))?;
    len = push_dot(out, len)?;
    let claims_out = out.get_mut(len..).ok_or(Error::BufferTooSmall)?;
    len += encode_json(
        |out| Ok(ser::to_slice(claims, out)?),
        claims_out,
        check_claims,
    )?;
    len = push_dot(out, len)?;
    // Checked splits throughout: signing stays free of panic branches, like verifying.
    let (with_dot, rest) = out.split_at_mut_checked(len).ok_or(Error::BufferTooSmall)?;
    let (_, signing_input) = with_dot.split_last().ok_or(Error::Signing)?;
    len += sign_segment(key, signing_input, rest)?;
    let token = out.get(..len).ok_or(Error::BufferTooSmall)?;
    core::str::from_utf8(token).map_err(|_| Error::Signing)
}

/// [`sign`] into a `String` it allocates.
///
/// # Errors
/// As [`sign`], except that a token longer than [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN) is
/// [`Error::TokenTooLong`].
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Hs256Key, HeaderFields};
/// let key = Hs256Key::new(&[0x42; 32])?;
/// #[derive(serde::Serialize)]
/// struct Claims { exp: u64 }
/// let token = jwt_core::sign_to_string(&key, &HeaderFields::new(), &Claims { exp: 1 })?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
#[cfg(feature = "alloc")]
pub fn sign_to_string<K, C>(
    key: &K,
    header: &HeaderFields<'_>,
    claims: &C,
) -> Result<alloc::string::String, Error>
where
    K: SigningKey + ?Sized,
    C: Serialize + ?Sized,
{
    let mut capacity = 256 + base64url::encoded_len(key.signature_len());
    loop {
        let mut out = alloc::vec![0u8; capacity.min(crate::MAX_TOKEN_LEN)];
        match sign(key, header, claims, &mut out) {
            Ok(token) => return Ok(alloc::string::String::from(token)),
            Err(Error::BufferTooSmall) if capacity < crate::MAX_TOKEN_LEN => capacity *= 2,
            Err(Error::BufferTooSmall) => return Err(Error::TokenTooLong),
            Err(other) => return Err(other),
        }
    }
}

/// Signs `signing_input` and leaves the base64url signature at the front of `out`, returning
/// its length: the raw signature is written where the end of its encoding goes and encoded in
/// place, so no signature-sized buffer is needed beside `out`.
fn sign_segment<K: SigningKey + ?Sized>(
    key: &K,
    signing_input: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let raw_len = key.signature_len();
    let encoded = base64url::encoded_len(raw_len);
    let region = out.get_mut(..encoded).ok_or(Error::BufferTooSmall)?;
    let raw = region.get_mut(encoded - raw_len..).ok_or(Error::Signing)?;
    if key.sign_signature(signing_input, raw)? != raw_len {
        return Err(Error::Signing);
    }
    base64url::encode_tail_in_place(region, raw_len)
}

fn push_dot(out: &mut [u8], len: usize) -> Result<usize, Error> {
    *out.get_mut(len).ok_or(Error::BufferTooSmall)? = b'.';
    Ok(len + 1)
}

/// Writes a JSON text with `write`, checks it with `check`, and leaves its base64url
/// encoding at the front of `out`, returning the encoded length.
fn encode_json<W, F>(write: W, out: &mut [u8], check: F) -> Result<usize, Error>
where
    W: FnOnce(&mut [u8]) -> Result<usize, Error>,
    F: FnOnce(&[u8]) -> Result<(), Error>,
{
    let n = write(out)?;
    check(out.get(..n).ok_or(Error::BufferTooSmall)?)?;
    // Move the JSON to the end of the region its encoding will occupy, then encode in place.
    let encoded = base64url::encoded_len(n);
    let region = out.get_mut(..encoded).ok_or(Error::BufferTooSmall)?;
    region.copy_within(0..n, encoded - n);
    base64url::encode_tail_in_place(region, n)
}

/// The claims a signer writes must verify: a JSON object without duplicate members, whose
/// registered claims have their types and whose dates are whole seconds (S-3).
fn check_claims(json: &[u8]) -> Result<(), Error> {
    let claims = RegisteredClaims::parse(json)?;
    for (claim, date) in [
        (Claim::Exp, claims.exp),
        (Claim::Nbf, claims.nbf),
        (Claim::Iat, claims.iat),
    ] {
        if date.is_some_and(|d| !d.is_integer()) {
            return Err(Error::InvalidClaim(claim));
        }
    }
    Ok(())
}
