//! `jwt_status`, the answer of every call, and its descriptions.

use core::ffi::c_char;

use jwt_core::Error;

/// What a call did: `JWT_OK`, one status per `jwt_core::Error` (1 to 28, the same
/// meaning) and per check a DPoP proof can fail (29 to 39, jwt-core's `ProofError`), or a
/// status of the C boundary itself (from 100). The numbers are stable: new statuses are
/// appended.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_status {
    JWT_OK = 0,
    JWT_TOKEN_TOO_LONG = 1,
    JWT_MALFORMED = 2,
    JWT_BASE64 = 3,
    JWT_JSON = 4,
    JWT_INVALID_HEADER = 5,
    JWT_UNSUPPORTED_ALGORITHM = 6,
    JWT_ALGORITHM_MISMATCH = 7,
    JWT_UNSUPPORTED_HEADER = 8,
    JWT_INVALID_SIGNATURE = 9,
    JWT_EXPIRED = 10,
    JWT_NOT_YET_VALID = 11,
    JWT_INVALID_ISSUED_AT = 12,
    JWT_INVALID_ISSUER = 13,
    JWT_INVALID_AUDIENCE = 14,
    JWT_INVALID_SUBJECT = 15,
    JWT_INVALID_TYPE = 16,
    JWT_INVALID_NONCE = 17,
    JWT_INVALID_AUTHORIZED_PARTY = 18,
    JWT_AUTHENTICATION_TOO_OLD = 19,
    /// A required claim is absent: `jwt_claims.error_claim` says which.
    JWT_MISSING_CLAIM = 20,
    /// A registered claim has the wrong type or value: `jwt_claims.error_claim` says which.
    JWT_INVALID_CLAIM = 21,
    /// The claims set is valid but a value is not of the type asked for (lookups).
    JWT_CLAIMS_TYPE_MISMATCH = 22,
    JWT_INVALID_KEY = 23,
    JWT_UNKNOWN_KEY = 24,
    JWT_AMBIGUOUS_KEY = 25,
    JWT_BUFFER_TOO_SMALL = 26,
    JWT_SIGNING = 27,
    /// The token is bound to a key (its `cnf` claim) whose possession the presenter did not
    /// prove: a sender-constrained token is never a bearer token. Answer 401 `invalid_token`.
    JWT_SENDER_CONSTRAINED = 28,
    /// The DPoP proof (RFC 9449) is not a JWS compact value of JSON objects, is longer than
    /// 8 KiB, or is missing. Each `JWT_DPOP_*` status is answered 401 with a `DPoP`
    /// challenge (`jwt_dpop_challenge`): `invalid_dpop_proof`, or for `JWT_DPOP_NONCE`
    /// `use_dpop_nonce`.
    JWT_DPOP_MALFORMED = 29,
    /// The proof's `typ` is not `dpop+jwt`, or its header has `crit`.
    JWT_DPOP_HEADER = 30,
    /// The proof's `alg` is missing, symmetric (HMAC), or not one the DPoP policy allows.
    JWT_DPOP_ALGORITHM = 31,
    /// The proof's `jwk` is missing, holds a private key, or is no public key of its `alg`.
    JWT_DPOP_KEY = 32,
    /// The proof's signature does not verify with the key in its header.
    JWT_DPOP_SIGNATURE = 33,
    /// The proof lacks `jti`, `htm`, `htu` or `iat`, mistypes one, or has an empty `jti` or
    /// one longer than `JWT_DPOP_MAX_JTI_LEN`.
    JWT_DPOP_CLAIMS = 34,
    /// The proof's `htm` is not the request's method.
    JWT_DPOP_METHOD = 35,
    /// The proof's `htu` is not the request's URI (normalised; query and fragment ignored).
    JWT_DPOP_URI = 36,
    /// The proof's `iat` is older than the policy's `max_age` or further ahead than its
    /// `max_future`.
    JWT_DPOP_ISSUED_AT = 37,
    /// The proof lacks the nonce the DPoP policy requires: answer `use_dpop_nonce` with a
    /// `DPoP-Nonce` header naming it (RFC 9449 section 8).
    JWT_DPOP_NONCE = 38,
    /// The proof's `ath` is missing or is not the hash of the access token presented.
    JWT_DPOP_ACCESS_TOKEN_HASH = 39,
    /// A required pointer is NULL (a NULL pointer with length 0 is an empty input).
    JWT_NULL_POINTER = 100,
    /// Text that must be UTF-8 is not.
    JWT_NOT_UTF8 = 101,
    /// A `jwt_key` (or `jwt_keyset`) that no `jwt_key_*` (`jwt_keyset_parse`) function
    /// initialised, or that was cleared.
    JWT_UNINITIALIZED_KEY = 102,
    /// A lookup found no member of that name.
    JWT_NOT_FOUND = 103,
    /// A policy lists more issuers or audiences than `JWT_POLICY_MAX_VALUES`, or names a
    /// preset or claim this library does not know.
    JWT_INVALID_ARGUMENT = 104,
    /// RFC 6750: the request carries no bearer credentials (no `Authorization` header, or
    /// another scheme). Answer 401 with a bare challenge.
    JWT_NO_CREDENTIALS = 105,
    /// RFC 6750: a malformed `Authorization: Bearer` header. Answer 400 `invalid_request`.
    JWT_INVALID_REQUEST = 106,
    /// RFC 6750: a valid token without a scope the resource needs. Answer 403
    /// `insufficient_scope`.
    JWT_INSUFFICIENT_SCOPE = 107,
    /// A `jwt_key` (or `jwt_keyset`) holding a copy of the bytes of storage that holds a key
    /// (assignment, `memcpy`, `realloc`): a key lives only in the storage it was made in.
    JWT_COPIED_KEY = 108,
    /// A pointer is not aligned for its type (key storage: 16 bytes).
    JWT_MISALIGNED_POINTER = 109,
    /// The caller's replay check: a DPoP proof whose `replay_key` its store already holds
    /// (the proof was used before). No function returns it; `jwt_dpop_challenge` and
    /// `jwt_http_status` answer it (401 `invalid_dpop_proof`).
    JWT_DPOP_REPLAYED = 110,
    /// An error of a newer jwt-core that this interface does not name yet.
    JWT_UNKNOWN_ERROR = 199,
}

impl From<Error> for jwt_status {
    fn from(error: Error) -> Self {
        use jwt_status::*;
        match error {
            Error::TokenTooLong => JWT_TOKEN_TOO_LONG,
            Error::Malformed => JWT_MALFORMED,
            Error::Base64 => JWT_BASE64,
            Error::Json => JWT_JSON,
            Error::InvalidHeader => JWT_INVALID_HEADER,
            Error::UnsupportedAlgorithm => JWT_UNSUPPORTED_ALGORITHM,
            Error::AlgorithmMismatch => JWT_ALGORITHM_MISMATCH,
            Error::UnsupportedHeader => JWT_UNSUPPORTED_HEADER,
            Error::InvalidSignature => JWT_INVALID_SIGNATURE,
            Error::Expired => JWT_EXPIRED,
            Error::NotYetValid => JWT_NOT_YET_VALID,
            Error::InvalidIssuedAt => JWT_INVALID_ISSUED_AT,
            Error::InvalidIssuer => JWT_INVALID_ISSUER,
            Error::InvalidAudience => JWT_INVALID_AUDIENCE,
            Error::InvalidSubject => JWT_INVALID_SUBJECT,
            Error::InvalidType => JWT_INVALID_TYPE,
            Error::InvalidNonce => JWT_INVALID_NONCE,
            Error::InvalidAuthorizedParty => JWT_INVALID_AUTHORIZED_PARTY,
            Error::AuthenticationTooOld => JWT_AUTHENTICATION_TOO_OLD,
            Error::MissingClaim(_) => JWT_MISSING_CLAIM,
            Error::InvalidClaim(_) => JWT_INVALID_CLAIM,
            Error::ClaimsTypeMismatch => JWT_CLAIMS_TYPE_MISMATCH,
            Error::InvalidKey => JWT_INVALID_KEY,
            Error::UnknownKey => JWT_UNKNOWN_KEY,
            Error::AmbiguousKey => JWT_AMBIGUOUS_KEY,
            Error::BufferTooSmall => JWT_BUFFER_TOO_SMALL,
            Error::Signing => JWT_SIGNING,
            Error::SenderConstrained => JWT_SENDER_CONSTRAINED,
            // A DPoP proof's errors have their statuses (29 to 39), which the DPoP functions,
            // the only ones that verify proofs, give them (`dpop::refused`). Mapped here, they
            // would cost every firmware image 128 bytes: an arm that is no constant turns this
            // match from a table lookup into a jump table.
            _ => JWT_UNKNOWN_ERROR,
        }
    }
}

/// Every status with its description.
pub(crate) const STATUSES: &[(jwt_status, &core::ffi::CStr)] = {
    use jwt_status::*;
    &[
        (JWT_OK, c"ok"),
        (JWT_TOKEN_TOO_LONG, c"token exceeds the maximum length"),
        (JWT_MALFORMED, c"token is not three dot-separated segments"),
        (JWT_BASE64, c"segment is not canonical unpadded base64url"),
        (
            JWT_JSON,
            c"header or payload is not a well-formed JSON object",
        ),
        (
            JWT_INVALID_HEADER,
            c"header is missing alg or has a mistyped member",
        ),
        (JWT_UNSUPPORTED_ALGORITHM, c"unsupported algorithm"),
        (
            JWT_ALGORITHM_MISMATCH,
            c"token algorithm does not match the key's algorithm",
        ),
        (
            JWT_UNSUPPORTED_HEADER,
            c"header uses crit or a nested JWT, which are not supported",
        ),
        (JWT_INVALID_SIGNATURE, c"signature does not verify"),
        (JWT_EXPIRED, c"token has expired"),
        (JWT_NOT_YET_VALID, c"token is not yet valid"),
        (
            JWT_INVALID_ISSUED_AT,
            c"token iat is in the future or too old",
        ),
        (JWT_INVALID_ISSUER, c"token issuer is not accepted"),
        (JWT_INVALID_AUDIENCE, c"token audience is not accepted"),
        (JWT_INVALID_SUBJECT, c"token subject is not accepted"),
        (JWT_INVALID_TYPE, c"token typ is not the expected type"),
        (JWT_INVALID_NONCE, c"token nonce is not the one sent"),
        (
            JWT_INVALID_AUTHORIZED_PARTY,
            c"token azp is missing or is not this client",
        ),
        (
            JWT_AUTHENTICATION_TOO_OLD,
            c"end-user authentication is too old",
        ),
        (JWT_MISSING_CLAIM, c"a required claim is missing"),
        (JWT_INVALID_CLAIM, c"a registered claim is malformed"),
        (
            JWT_CLAIMS_TYPE_MISMATCH,
            c"a claim does not have the type asked for",
        ),
        (
            JWT_INVALID_KEY,
            c"key is malformed, too weak, or not allowed for this use",
        ),
        (
            JWT_UNKNOWN_KEY,
            c"no key matches the token's algorithm and key ID",
        ),
        (
            JWT_AMBIGUOUS_KEY,
            c"several keys match the token's algorithm and key ID",
        ),
        (JWT_BUFFER_TOO_SMALL, c"buffer is too small"),
        (JWT_SIGNING, c"token could not be signed"),
        (
            JWT_SENDER_CONSTRAINED,
            c"token is bound to a key whose possession was not proven",
        ),
        (
            JWT_DPOP_MALFORMED,
            c"DPoP proof is missing or not a well-formed JWS",
        ),
        (
            JWT_DPOP_HEADER,
            c"DPoP proof header has the wrong typ or a crit",
        ),
        (JWT_DPOP_ALGORITHM, c"DPoP proof algorithm is not allowed"),
        (
            JWT_DPOP_KEY,
            c"DPoP proof jwk is not a valid public key for its alg",
        ),
        (JWT_DPOP_SIGNATURE, c"DPoP proof signature does not verify"),
        (
            JWT_DPOP_CLAIMS,
            c"DPoP proof lacks or mistypes jti, htm, htu or iat",
        ),
        (JWT_DPOP_METHOD, c"DPoP proof htm is not the request method"),
        (JWT_DPOP_URI, c"DPoP proof htu is not the request URI"),
        (
            JWT_DPOP_ISSUED_AT,
            c"DPoP proof iat is outside the accepted window",
        ),
        (
            JWT_DPOP_NONCE,
            c"DPoP proof lacks the server's current nonce",
        ),
        (
            JWT_DPOP_ACCESS_TOKEN_HASH,
            c"DPoP proof ath does not match the access token",
        ),
        (JWT_NULL_POINTER, c"a required pointer is NULL"),
        (JWT_NOT_UTF8, c"text is not UTF-8"),
        (
            JWT_UNINITIALIZED_KEY,
            c"key storage was not initialised by a jwt_key function",
        ),
        (JWT_NOT_FOUND, c"no member of that name"),
        (JWT_INVALID_ARGUMENT, c"an argument is out of range"),
        (JWT_NO_CREDENTIALS, c"no bearer token in the request"),
        (JWT_INVALID_REQUEST, c"malformed Authorization header"),
        (
            JWT_INSUFFICIENT_SCOPE,
            c"token lacks a scope the resource needs",
        ),
        (
            JWT_COPIED_KEY,
            c"key storage is a copy: a key lives in the storage it was made in",
        ),
        (
            JWT_MISALIGNED_POINTER,
            c"a pointer is not aligned for its type",
        ),
        (JWT_DPOP_REPLAYED, c"DPoP proof was already used"),
        (JWT_UNKNOWN_ERROR, c"error unknown to this interface"),
    ]
};

/// A static, NUL-terminated English description of the status `code` (a `jwt_status`);
/// never NULL, also for a number that is no status.
#[unsafe(no_mangle)]
pub extern "C" fn jwt_status_str(code: i32) -> *const c_char {
    STATUSES
        .iter()
        .find(|(status, _)| *status as i32 == code)
        .map_or(c"not a jwt_status", |(_, text)| text)
        .as_ptr()
}
