//! The floor the firmware binaries are compared with: the raw primitives alone on the same
//! token, with no JOSE rules (no header checks, no claim validation beyond deserializing):
//! split at the dots, base64ct-decode the payload and signature, check the signature,
//! deserialize the claims with serde-json-core.

use crate::DeviceClaims;
use base64ct::{Base64UrlUnpadded, Encoding};

/// The token's signing input, decoded signature length and decoded payload, or `None`.
pub fn split_and_decode_payload<'b>(
    token: &'b str,
    sig: &mut [u8; 64],
    buf: &'b mut [u8],
) -> Option<(&'b [u8], usize, &'b [u8])> {
    split_and_decode_payload_any_len(token, sig, buf)
}

/// [`split_and_decode_payload`], then the claims read by serde-json-core.
pub fn split_and_decode<'b>(
    token: &'b str,
    sig: &mut [u8; 64],
    buf: &'b mut [u8],
) -> Option<(&'b [u8], usize, DeviceClaims<'b>)> {
    let (signing_input, sig_len, payload) = split_and_decode_payload(token, sig, buf)?;
    let (claims, _) = serde_json_core::from_slice::<DeviceClaims>(payload).ok()?;
    Some((signing_input, sig_len, claims))
}

/// [`split_and_decode`] for signatures of any length (ES384's are 96 bytes).
pub fn split_and_decode_any_len<'b>(
    token: &'b str,
    sig: &mut [u8],
    buf: &'b mut [u8],
) -> Option<(&'b [u8], usize, DeviceClaims<'b>)> {
    let (signing_input, sig_len, payload) = split_and_decode_payload_any_len(token, sig, buf)?;
    let (claims, _) = serde_json_core::from_slice::<DeviceClaims>(payload).ok()?;
    Some((signing_input, sig_len, claims))
}

fn split_and_decode_payload_any_len<'b>(
    token: &'b str,
    sig: &mut [u8],
    buf: &'b mut [u8],
) -> Option<(&'b [u8], usize, &'b [u8])> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let sig_len = Base64UrlUnpadded::decode(signature, sig).ok()?.len();
    let payload = Base64UrlUnpadded::decode(payload, buf).ok()?;
    Some((signing_input.as_bytes(), sig_len, payload))
}
