//! The verify pipeline: token bytes to validated, typed claims.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::algorithm::VerifyingKey;
use crate::claims::{RegisteredClaims, Validation, claims_as, from_claims};
use crate::error::Error;
use crate::header::Header;
use crate::json::JsonStr;
use crate::{base64url, compact};

/// Verifies `token` with `key`, validates it against `validation` at `now` (Unix seconds),
/// and deserializes its claims as `T`, without allocating.
///
/// The steps, in order: bound the length and split into three segments; decode and check
/// the header; require the header's `alg` to be the key's algorithm; verify the signature
/// over the received `header.payload` bytes; check `typ`; only then decode the payload,
/// validate the registered claims and deserialize `T`.
///
/// `buf` receives the decoded header, then the decoded signature over it, then the decoded
/// payload; `T` may borrow `&str` fields from it. Bytes of `buf` past the payload are
/// scratch space for unescaping strings into owned fields (such as `heapless::String`). A
/// `&str` field cannot hold a string containing escapes and fails with
/// [`Error::ClaimsTypeMismatch`]. A `buf` as long as the token is enough unless the
/// claims hold long escaped strings; one and a half times the token's length always is.
///
/// # Errors
/// Every variant of [`Error`] that describes a token: the first rule the token breaks.
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{HeaderFields, Hs256Key, Validation};
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Claims<'a> { sub: &'a str, exp: u64 }
///
/// let key = Hs256Key::new(&[0x42; 32])?;
/// let mut out = [0u8; 256];
/// let token = jwt_core::sign(&key, &HeaderFields::new(), &Claims { sub: "alice", exp: 1_800_000_000 }, &mut out)?;
///
/// let mut buf = [0u8; 256];
/// let claims: Claims = jwt_core::verify(token, &key, &Validation::new(), 1_700_000_000, &mut buf)?;
/// assert_eq!((claims.sub, claims.exp), ("alice", 1_800_000_000));
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
pub fn verify<'b, T, K>(
    token: &str,
    key: &K,
    validation: &Validation<'_>,
    now: u64,
    buf: &'b mut [u8],
) -> Result<T, Error>
where
    T: Deserialize<'b>,
    K: VerifyingKey + ?Sized,
{
    verify_chosen(token, |_| Ok(key), validation, now, buf)
}

/// Verifies a JWS in compact form (any payload, not only JWT claims) and returns its decoded
/// payload, borrowed from `buf`. No claim is validated: use [`verify`] for JWTs.
///
/// Applies every rule of [`verify`] up to and including the signature: length bound, three
/// segments, header rules, the key's algorithm, the signature. `buf` holds the decoded
/// header, then the decoded signature, then the decoded payload, each over the one before,
/// so it must fit the longest of the three (the token's length is always enough).
///
/// # Errors
/// As [`verify`], up to [`Error::InvalidSignature`].
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::Hs256Key;
/// // RFC 7515 Appendix A.1: the payload is not parsed, only its signature checked.
/// let key = Hs256Key::new(&[0x42; 32])?;
/// let mut sig = [0u8; 32];
/// use jwt_core::SigningKey;
/// key.sign_signature(b"eyJhbGciOiJIUzI1NiJ9.aGVsbG8", &mut sig)?;
/// let mut b64 = [0u8; 43];
/// jwt_core::base64url::encode(&sig, &mut b64)?;
/// let token = format!("eyJhbGciOiJIUzI1NiJ9.aGVsbG8.{}", core::str::from_utf8(&b64).unwrap());
/// let mut buf = [0u8; 64];
/// assert_eq!(jwt_core::verify_jws(&token, &key, &mut buf)?, b"hello");
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
pub fn verify_jws<'b, K>(token: &str, key: &K, buf: &'b mut [u8]) -> Result<&'b [u8], Error>
where
    K: VerifyingKey + ?Sized,
{
    verify_jws_chosen(token, |_| Ok(key), buf)
}

/// [`verify`] without a claims type: every rule of the pipeline, then the validated claims
/// set as [`RegisteredClaims`]: the registered claims already read (issuer, subject,
/// audience, dates, ...) and the decoded JSON payload, borrowed from `buf`. For callers that
/// read the claims their own way: other members with
/// [`RegisteredClaims::member`], the whole set with
/// [`json::parse_object`](crate::json::parse_object), or across a language boundary.
///
/// # Errors
/// As [`verify`], except [`Error::ClaimsTypeMismatch`].
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{HeaderFields, Hs256Key, Validation};
/// #[derive(serde::Serialize)]
/// struct Claims<'a> { sub: &'a str, exp: u64 }
///
/// let key = Hs256Key::new(&[0x42; 32])?;
/// let mut out = [0u8; 256];
/// let token = jwt_core::sign(&key, &HeaderFields::new(), &Claims { sub: "alice", exp: 1_800_000_000 }, &mut out)?;
///
/// let mut buf = [0u8; 256];
/// let claims = jwt_core::verify_claims(token, &key, &Validation::new(), 1_700_000_000, &mut buf)?;
/// assert!(claims.subject().unwrap() == "alice");
/// assert_eq!(claims.json(), br#"{"sub":"alice","exp":1800000000}"#);
/// let mut late = [0u8; 256];
/// let expired = jwt_core::verify_claims(token, &key, &Validation::new(), 1_900_000_000, &mut late);
/// assert_eq!(expired.unwrap_err(), jwt_core::Error::Expired);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
pub fn verify_claims<'b, K>(
    token: &str,
    key: &K,
    validation: &Validation<'_>,
    now: u64,
    buf: &'b mut [u8],
) -> Result<RegisteredClaims<'b>, Error>
where
    K: VerifyingKey + ?Sized,
{
    verify_claims_chosen(token, |_| Ok(key), validation, now, buf)
}

/// [`verify`] with the key chosen from the header by `choose` (a key set).
pub(crate) fn verify_chosen<'b, 'k, T, K, C>(
    token: &str,
    choose: C,
    validation: &Validation<'_>,
    now: u64,
    buf: &'b mut [u8],
) -> Result<T, Error>
where
    T: Deserialize<'b>,
    K: VerifyingKey + ?Sized + 'k,
    C: FnOnce(&Header<'_>) -> Result<&'k K, Error>,
{
    let (payload, scratch) = signed_payload(token, choose, validation, buf)?;
    let check = |claims: &RegisteredClaims<'_>| validation.check_claims(claims, now);
    claims_as::<T>(payload, scratch, check)
}

/// [`verify_claims`] with the key chosen from the header by `choose` (a key set).
pub(crate) fn verify_claims_chosen<'b, 'k, K, C>(
    token: &str,
    choose: C,
    validation: &Validation<'_>,
    now: u64,
    buf: &'b mut [u8],
) -> Result<RegisteredClaims<'b>, Error>
where
    K: VerifyingKey + ?Sized + 'k,
    C: FnOnce(&Header<'_>) -> Result<&'k K, Error>,
{
    let (payload, scratch) = signed_payload(token, choose, validation, buf)?;
    let check = |claims: &RegisteredClaims<'_>| validation.check_claims(claims, now);
    from_claims::<IgnoredAny>(payload, scratch, check).map(|(_, claims)| claims)
}

/// The steps of [`verify`] up to the signature and `typ`: the decoded payload at the start
/// of `buf`, and the rest of `buf` as scratch space.
fn signed_payload<'b, 'k, K, C>(
    token: &str,
    choose: C,
    validation: &Validation<'_>,
    buf: &'b mut [u8],
) -> Result<(&'b [u8], &'b mut [u8]), Error>
where
    K: VerifyingKey + ?Sized + 'k,
    C: FnOnce(&Header<'_>) -> Result<&'k K, Error>,
{
    let limit = validation.max_token_len;
    let payload_len = verify_signed(token, limit, buf, choose, |typ| validation.check_typ(typ))?;
    let (payload, scratch) = buf
        .split_at_mut_checked(payload_len)
        .ok_or(Error::BufferTooSmall)?;
    Ok((payload, scratch))
}

/// [`verify_jws`] with the key chosen from the header by `choose`.
pub(crate) fn verify_jws_chosen<'b, 'k, K, C>(
    token: &str,
    choose: C,
    buf: &'b mut [u8],
) -> Result<&'b [u8], Error>
where
    K: VerifyingKey + ?Sized + 'k,
    C: FnOnce(&Header<'_>) -> Result<&'k K, Error>,
{
    let payload_len = verify_signed(token, crate::MAX_TOKEN_LEN, buf, choose, |_| Ok(()))?;
    buf.get(..payload_len).ok_or(Error::BufferTooSmall)
}

/// Steps 1 to 4 of the pipeline, then the payload decoded into the front of `buf`; returns
/// its length. The header is read once: `choose` picks the key from it, whose algorithm must
/// be the token's `alg` (the key decides, RFC 8725 section 3.1), and `check_typ` sees its
/// `typ`, whose error is reported only once the signature has verified.
fn verify_signed<'k, K, C, F>(
    token: &str,
    max_len: usize,
    buf: &mut [u8],
    choose: C,
    check_typ: F,
) -> Result<usize, Error>
where
    K: VerifyingKey + ?Sized + 'k,
    C: FnOnce(&Header<'_>) -> Result<&'k K, Error>,
    F: FnOnce(Option<JsonStr<'_>>) -> Result<(), Error>,
{
    let parts = compact::split(token, max_len)?;

    let header_len = base64url::decode(parts.header, buf)?;
    let header = Header::parse(buf.get(..header_len).ok_or(Error::BufferTooSmall)?)?;
    let key = choose(&header)?;
    if key.algorithm() != header.alg {
        return Err(Error::AlgorithmMismatch);
    }
    let typ = check_typ(header.typ);

    // The signature segment is decoded here, once for every algorithm, over the header
    // (no longer needed); a segment of the wrong length is refused before any decoding.
    let signature_len = key.signature_len();
    if parts.signature.len() != base64url::encoded_len(signature_len) {
        return Err(Error::InvalidSignature);
    }
    let signature = buf.get_mut(..signature_len).ok_or(Error::BufferTooSmall)?;
    base64url::decode(parts.signature, signature).map_err(|_| Error::InvalidSignature)?;
    key.verify_signature(parts.signing_input, signature)?;
    typ?;

    base64url::decode(parts.payload, buf)
}

/// [`verify`] with a buffer it allocates, for claims types that own their data.
///
/// # Errors
/// As [`verify`].
///
/// ```
/// # #[cfg(feature = "p256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Es256PrivateKey, HeaderFields, Validation};
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Claims { sub: String, exp: u64 }
///
/// let key = Es256PrivateKey::from_bytes(&[0x11; 32])?;
/// let claims = Claims { sub: "alice".into(), exp: 2_000_000_000 };
/// let token = jwt_core::sign_to_string(&key, &HeaderFields::new(), &claims)?;
/// let got: Claims =
///     jwt_core::verify_owned(&token, &key.public_key(), &Validation::new(), 1_900_000_000)?;
/// assert_eq!(got, claims);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "p256"))]
/// # fn main() {}
/// ```
#[cfg(feature = "alloc")]
pub fn verify_owned<T, K>(
    token: &str,
    key: &K,
    validation: &Validation<'_>,
    now: u64,
) -> Result<T, Error>
where
    T: serde::de::DeserializeOwned,
    K: VerifyingKey + ?Sized,
{
    let parts = compact::split(token, validation.max_token_len)?;
    let header = base64url::decoded_len(parts.header.len()).ok_or(Error::Base64)?;
    let payload = base64url::decoded_len(parts.payload.len()).ok_or(Error::Base64)?;
    // The signature is decoded into the same buffer, over the header.
    let signature = base64url::decoded_len(parts.signature.len()).unwrap_or(0);
    let mut buf = alloc::vec![0u8; header.max(signature).max(2 * payload)];
    verify(token, key, validation, now, &mut buf)
}

/// The system clock in Unix seconds, for the `now` argument of [`verify`].
///
/// A clock set before 1970 reads as `u64::MAX`, so every token with an `exp` is refused
/// rather than accepted.
///
/// ```
/// assert!(jwt_core::now() > 1_700_000_000);
/// ```
#[cfg(feature = "std")]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(u64::MAX, |since| since.as_secs())
}
