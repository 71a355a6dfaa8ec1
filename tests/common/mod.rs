//! Helpers shared by the integration tests: test keys, and tokens built with the raw
//! primitives (so a test can sign any header or payload bytes, including malformed ones).
#![allow(dead_code)]

use std::path::Path;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{KeyInit, Mac};
use p256::ecdsa::signature::Signer;

/// The HS256 secret used by tests that sign raw tokens.
pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
/// A clock inside the validity window of the claims these helpers produce.
pub const NOW: u64 = 1_800_000_000;
/// Claims valid at [`NOW`] under the default policy.
pub const CLAIMS: &str = r#"{"sub":"alice","exp":1900000000}"#;

pub fn data(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(text).expect("test data is canonical base64url")
}

#[cfg(feature = "hmac")]
pub fn hs256() -> jwt_core::Hs256Key {
    jwt_core::Hs256Key::new(SECRET).unwrap()
}

#[cfg(feature = "p256")]
pub fn es256() -> (jwt_core::Es256PrivateKey, jwt_core::Es256PublicKey) {
    let scalar: [u8; 32] = data("keys/p256.scalar").try_into().unwrap();
    let private = jwt_core::Es256PrivateKey::from_bytes(&scalar).unwrap();
    let public = jwt_core::Es256PublicKey::from_sec1_bytes(&data("keys/p256.pub.sec1")).unwrap();
    (private, public)
}

#[cfg(feature = "rsa")]
pub fn rs256() -> (jwt_core::Rs256PrivateKey, jwt_core::Rs256PublicKey) {
    let private =
        jwt_core::Rs256PrivateKey::from_pkcs1_der(&data("keys/rsa2048.pkcs1.der")).unwrap();
    let public =
        jwt_core::Rs256PublicKey::from_public_key_der(&data("keys/rsa2048.pub.spki.der")).unwrap();
    (private, public)
}

/// `b64(header).b64(payload)` for arbitrary JSON texts.
pub fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

/// A token over arbitrary header and payload bytes with a raw HMAC-SHA256 tag.
pub fn hs256_token(header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    format!("{input}.{}", b64(&hmac_tag(input.as_bytes())))
}

pub fn hmac_tag(input: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// A token over arbitrary header and payload bytes with a raw ES256 signature (r || s).
pub fn es256_token(header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let key = p256::ecdsa::SigningKey::from_slice(&data("keys/p256.scalar")).unwrap();
    let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

/// Replaces the signature segment of `token`.
pub fn with_signature(token: &str, signature: &[u8]) -> String {
    let cut = token.rfind('.').unwrap();
    format!("{}.{}", &token[..cut], b64(signature))
}
