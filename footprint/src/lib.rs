//! What the firmware binaries share: the claims they expect, the fixed clock and policy, and
//! the measuring harness (semihosting report, stack painting, heap peak, panic handler).
//!
//! The harness is the only place in the project with `unsafe` code: painting the stack and
//! wrapping the global allocator cannot be written without it. jwt-core itself is
//! `#![forbid(unsafe_code)]`.
#![no_std]

pub mod floor;
pub mod harness;
#[cfg(feature = "rs256")]
pub mod heap;

use jwt_core::Validation;
use serde::{Deserialize, Serialize};

/// The secret of `tokens/hs256.jwt` (32 bytes, the HS256 minimum).
pub const HS256_SECRET: &[u8; 32] = b"jwt-core firmware footprint key!";

/// The firmware's clock: Unix seconds, inside every embedded token's validity window.
pub const NOW: u64 = 1_800_000_000;

/// Issuer every embedded token must carry.
pub const ISSUER: &str = "https://auth.example.com";

/// Audience every embedded token must carry.
pub const AUDIENCE: &str = "https://fw.example.com";

/// The subject the binaries check after verifying.
pub const SUBJECT: &str = "device-0042";

/// The claims a device reads from a token; the strings borrow from the payload buffer.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct DeviceClaims<'a> {
    /// Issuer.
    pub iss: &'a str,
    /// Subject: the device.
    pub sub: &'a str,
    /// Audience.
    pub aud: &'a str,
    /// Expiry.
    pub exp: u64,
    /// Not before.
    pub nbf: u64,
    /// Issued at.
    pub iat: u64,
    /// Space-separated scopes.
    pub scope: &'a str,
}

/// The claims the signing binary signs: those of the embedded tokens.
pub const CLAIMS: DeviceClaims<'static> = DeviceClaims {
    iss: ISSUER,
    sub: SUBJECT,
    aud: AUDIENCE,
    exp: 2_000_000_000,
    nbf: 1_700_000_000,
    iat: 1_700_000_000,
    scope: "firmware:update telemetry:write",
};

/// The device's policy: exp (required by default), nbf, iss and aud.
pub const POLICY: Validation<'static> = Validation::new().issuers(&[ISSUER]).audiences(&[AUDIENCE]);

/// Bytes of payload buffer the binaries lend to `verify`.
pub const PAYLOAD_BUF: usize = 512;

/// Checks verified claims against what the embedded tokens carry.
pub fn expected(claims: &DeviceClaims<'_>) -> bool {
    *claims == CLAIMS
}
