//! DPoP (RFC 9449): verifying the proof of possession a request carries, and making one.
//!
//! A DPoP proof is a JWS signed by the client's key, whose public key it carries in its
//! header, naming the request it was made for (method and URI), when (`iat`), a unique
//! `jti`, and for a request with an access token the token's hash (`ath`). A token bound to
//! that key (`cnf.jkt`, the key's RFC 7638 thumbprint) is usable only with such a proof.
//!
//! [`verify_proof`] makes every check of RFC 9449 section 4.3 that needs no memory of past
//! requests, in order, and returns what the rest needs: the `jti` and `iat` for a replay
//! check (each `jti` accepted once within the window), and the key's thumbprint, which
//! [`Proof::confirmation`] hands to [`Validation::confirmed`](crate::Validation::confirmed)
//! for the access token. [`make_proof`] is the client half, for devices: no allocator.
//!
//! ```
//! # #[cfg(all(feature = "p256", feature = "hmac"))]
//! # fn main() -> Result<(), jwt_core::Error> {
//! use jwt_core::dpop::{self, ProofClaims, Request};
//! use jwt_core::{Es256PrivateKey, HeaderFields, Hs256Key, Validation};
//!
//! // The client: a device key, an access token bound to it, and a proof for one request.
//! let device = Es256PrivateKey::from_bytes(&[0x5A; 32])?;
//! let now = 1_800_000_000;
//! let mut out = [0u8; 512];
//! let jkt = dpop::thumbprint(&device)?;
//! let claims = format!(r#"{{"sub":"device-7","exp":{},"cnf":{{"jkt":"{}"}}}}"#, now + 60, jkt.as_str());
//! let issuer = Hs256Key::new(&[7; 32])?;
//! let mut token_out = [0u8; 512];
//! let claims: serde_json::Value = serde_json::from_str(&claims).unwrap();
//! let token = jwt_core::sign(&issuer, &HeaderFields::new(), &claims, &mut token_out)?;
//! let request = ProofClaims::new("jti-1", "GET", "https://api.example/orders", now).access_token(token);
//! let proof = dpop::make_proof(&device, &request, &mut out)?;
//!
//! // The resource server: the proof, then the token with the key the proof proved.
//! let mut buf = [0u8; 512];
//! let verified = dpop::verify_proof(
//!     proof,
//!     &Request::new("GET", "https://API.example:443/orders?page=2").access_token(token),
//!     &dpop::Policy::new(),
//!     now,
//!     &mut buf,
//! )?;
//! assert_eq!(verified.jti(), "jti-1"); // for the replay check
//! let mut token_buf = [0u8; 512];
//! let policy = Validation::new().confirmed(verified.confirmation());
//! let claims = jwt_core::verify_claims(token, &issuer, &policy, now, &mut token_buf)?;
//! assert!(claims.subject().unwrap() == "device-7");
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "p256", feature = "hmac")))]
//! # fn main() {}
//! ```

use core::fmt;

use crate::error::Error;

#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
mod make;
#[cfg(feature = "jwk")]
mod uri;
#[cfg(feature = "jwk")]
mod verify;

#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
pub use make::{ProofClaims, ProofKey, make_proof, thumbprint};
#[cfg(feature = "jwk")]
pub use verify::{MAX_PROOF_LEN, Policy, Proof, Request, verify_proof};

#[cfg(feature = "jwk")]
pub use crate::claims::Thumbprint;

/// Which check of RFC 9449 section 4.3 a proof failed. Each is answered
/// `error="invalid_dpop_proof"`, but [`Nonce`](Self::Nonce), which asks the client to retry
/// with the server's current nonce (`error="use_dpop_nonce"`, section 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofError {
    /// Not a JWS compact value of three canonical base64url segments holding JSON objects,
    /// or longer than [`MAX_PROOF_LEN`].
    Malformed,
    /// The header's `typ` is not `dpop+jwt`, or it has `crit`.
    Header,
    /// The `alg` is missing, symmetric (HMAC), or not one the policy allows.
    Algorithm,
    /// The header's `jwk` is missing, has private members, or is not a valid public key of
    /// the `alg`.
    Key,
    /// The signature does not verify with the header's key.
    Signature,
    /// `jti`, `htm`, `htu` or `iat` is missing or has the wrong type, or `jti` is empty or
    /// longer than the policy allows.
    Claims,
    /// `htm` is not the request's method.
    Method,
    /// `htu` is not the request's URI (after normalisation; query and fragment ignored).
    Uri,
    /// `iat` is too old or too far in the future.
    IssuedAt,
    /// The proof has no `nonce`, or not the one the server currently requires.
    Nonce,
    /// A request with an access token: `ath` is missing or is not the token's hash; a
    /// request without one: `ath` is present.
    AccessTokenHash,
}

impl ProofError {
    /// The `error` code of the refusal's `WWW-Authenticate: DPoP` challenge (RFC 9449
    /// sections 7.1 and 8).
    ///
    /// ```
    /// use jwt_core::dpop::ProofError;
    /// assert_eq!(ProofError::Nonce.code(), "use_dpop_nonce");
    /// assert_eq!(ProofError::Uri.code(), "invalid_dpop_proof");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            ProofError::Nonce => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProofError::Malformed => "DPoP proof is not a well-formed JWS",
            ProofError::Header => "DPoP proof header has the wrong `typ` or a `crit`",
            ProofError::Algorithm => "DPoP proof algorithm is not allowed",
            ProofError::Key => "DPoP proof `jwk` is not a valid public key for its `alg`",
            ProofError::Signature => "DPoP proof signature does not verify",
            ProofError::Claims => "DPoP proof lacks or mistypes `jti`, `htm`, `htu` or `iat`",
            ProofError::Method => "DPoP proof `htm` is not the request method",
            ProofError::Uri => "DPoP proof `htu` is not the request URI",
            ProofError::IssuedAt => "DPoP proof `iat` is outside the accepted window",
            ProofError::Nonce => "DPoP proof lacks the server's current nonce",
            ProofError::AccessTokenHash => "DPoP proof `ath` does not match the access token",
        })
    }
}

impl From<ProofError> for Error {
    fn from(error: ProofError) -> Self {
        Error::Dpop(error)
    }
}
