//! The crate's single error type.

use core::fmt;

use crate::claims::Claim;

/// Everything that can go wrong when parsing, verifying, validating or signing a token,
/// or when importing a key.
///
/// The type is small and `Copy`; its [`Display`](fmt::Display) text says what was wrong and
/// never includes key material or token contents.
///
/// ```
/// use jwt_core::Error;
/// let mut buf = [0u8; 16];
/// assert_eq!(jwt_core::decode_header("a.b", &mut buf).unwrap_err(), Error::Malformed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
// A word on 64-bit targets: in a `Result` beside word-aligned values (the scanner's strings)
// a two-byte error made the compiler copy results with overlapping, unaligned moves whose
// loads stall on the stores just made; that cost about a sixth of an HS256 verify.
#[cfg_attr(target_pointer_width = "64", repr(align(8)))]
pub enum Error {
    /// The token is longer than [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN).
    TokenTooLong,
    /// The token is not exactly three `.`-separated segments (JWS compact serialization).
    Malformed,
    /// A segment is not canonical unpadded base64url.
    Base64,
    /// The header or payload is not a well-formed UTF-8 JSON object: syntax error, trailing
    /// data, duplicate member, nesting deeper than the limit, or too many members.
    Json,
    /// The header has no `alg`, or a header parameter has the wrong type.
    InvalidHeader,
    /// The `alg` is not one this crate implements (including `none`).
    UnsupportedAlgorithm,
    /// The token's `alg` is not the algorithm the key is bound to.
    AlgorithmMismatch,
    /// The header has a `crit` parameter (no extension is understood), or asks for a
    /// nested JWT (`cty: JWT`).
    UnsupportedHeader,
    /// The signature or MAC does not verify, or has the wrong length.
    InvalidSignature,
    /// The current time is at or after `exp` (plus leeway).
    Expired,
    /// The current time is before `nbf` (minus leeway).
    NotYetValid,
    /// `iat` is in the future (beyond leeway), or older than the configured maximum age.
    InvalidIssuedAt,
    /// `iss` is not one of the accepted issuers.
    InvalidIssuer,
    /// `aud` does not contain an accepted audience, or is present while none is configured.
    InvalidAudience,
    /// `sub` is not the expected subject.
    InvalidSubject,
    /// The header's `typ` is not the expected type.
    InvalidType,
    /// `nonce` is not the value sent in the OpenID Connect authentication request.
    InvalidNonce,
    /// The ID token's `azp` is not this client, or is missing while `aud` names several
    /// audiences.
    InvalidAuthorizedParty,
    /// `auth_time` is older than the maximum authentication age.
    AuthenticationTooOld,
    /// The token is bound to a key (its `cnf` claim, RFC 7800) and the presenter did not
    /// prove possession of that key: a sender-constrained token is never accepted as a
    /// bearer token (RFC 9449 section 7.1, RFC 8705 section 3).
    SenderConstrained,
    /// A DPoP proof (RFC 9449) failed the check named.
    Dpop(crate::dpop::ProofError),
    /// A required claim is absent.
    MissingClaim(Claim),
    /// A registered claim is present but has the wrong JSON type or an invalid value: the
    /// token breaks RFC 7519, whatever the caller's type.
    InvalidClaim(Claim),
    /// The payload is a valid claims set that does not have the shape of the caller's claims
    /// type (a missing field, a value of another type, a `&str` field for an escaped string).
    ClaimsTypeMismatch,
    /// The key was refused on import: malformed, too weak for its algorithm, or not
    /// allowed for this use by its `use` or `key_ops`.
    InvalidKey,
    /// No key of the key set fits the token's `alg` and `kid`.
    UnknownKey,
    /// Several keys of the key set fit the token's `alg` and `kid`.
    AmbiguousKey,
    /// The caller-provided buffer is too small.
    BufferTooSmall,
    /// The claims or header could not be serialized, or the signature could not be produced.
    Signing,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TokenTooLong => f.write_str("token exceeds the maximum length"),
            Error::Malformed => f.write_str("token is not three dot-separated segments"),
            Error::Base64 => f.write_str("segment is not canonical unpadded base64url"),
            Error::Json => f.write_str("header or payload is not a well-formed JSON object"),
            Error::InvalidHeader => f.write_str("header is missing `alg` or has a mistyped member"),
            Error::UnsupportedAlgorithm => f.write_str("unsupported algorithm"),
            Error::AlgorithmMismatch => {
                f.write_str("token algorithm does not match the key's algorithm")
            }
            Error::UnsupportedHeader => {
                f.write_str("header uses `crit` or a nested JWT, which are not supported")
            }
            Error::InvalidSignature => f.write_str("signature does not verify"),
            Error::Expired => f.write_str("token has expired"),
            Error::NotYetValid => f.write_str("token is not yet valid"),
            Error::InvalidIssuedAt => f.write_str("token `iat` is in the future or too old"),
            Error::InvalidIssuer => f.write_str("token issuer is not accepted"),
            Error::InvalidAudience => f.write_str("token audience is not accepted"),
            Error::InvalidSubject => f.write_str("token subject is not accepted"),
            Error::InvalidType => f.write_str("token `typ` is not the expected type"),
            Error::InvalidNonce => f.write_str("token `nonce` is not the one sent"),
            Error::InvalidAuthorizedParty => {
                f.write_str("token `azp` is missing or is not this client")
            }
            Error::AuthenticationTooOld => f.write_str("end-user authentication is too old"),
            Error::SenderConstrained => {
                f.write_str("token is bound to a key whose possession was not proven")
            }
            Error::Dpop(e) => e.fmt(f),
            Error::MissingClaim(c) => write!(f, "required claim `{c}` is missing"),
            Error::InvalidClaim(c) => write!(f, "claim `{c}` is malformed"),
            Error::ClaimsTypeMismatch => f.write_str("claims do not match the expected type"),
            Error::InvalidKey => {
                f.write_str("key is malformed, too weak, or not allowed for this use")
            }
            Error::UnknownKey => f.write_str("no key matches the token's algorithm and key ID"),
            Error::AmbiguousKey => {
                f.write_str("several keys match the token's algorithm and key ID")
            }
            Error::BufferTooSmall => f.write_str("buffer is too small"),
            Error::Signing => f.write_str("token could not be signed"),
        }
    }
}

impl core::error::Error for Error {}
