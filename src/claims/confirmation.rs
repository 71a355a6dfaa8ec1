//! Sender-constrained tokens: the `cnf` claim (RFC 7800) and the proof of possession a
//! request carried (RFC 9449 DPoP, RFC 8705 mutual TLS).
//!
//! A token that names the key it is bound to is meant for the holder of that key only.
//! Accepting it as a bearer token would let whoever copied it use it, so a token with `cnf`
//! is refused unless the caller proved the presenter holds the key the token names
//! (RFC 9449 section 7.1, RFC 8705 section 3).

use super::Claim;
use crate::error::Error;
use crate::json::{self, Value};

/// A key whose possession the caller verified for the request that presented the token,
/// named the way a token's `cnf` claim names it (RFC 7800). Hand it to
/// [`Validation::confirmed`](crate::Validation::confirmed).
///
/// Each thumbprint is the base64url text of a SHA-256 digest, as the token carries it:
///
/// ```
/// use jwt_core::{Confirmation, Error, Validation};
/// // The RFC 7638 thumbprint of the key that signed the request's DPoP proof.
/// let proof_key = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
/// let policy = Validation::new().confirmed(Confirmation::JwkThumbprint(proof_key));
/// let bound = br#"{"exp":9,"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#;
/// assert_eq!(policy.validate(bound, 0), Ok(()));
///
/// // Without the proof, the same token is refused: it is not a bearer token.
/// assert_eq!(Validation::new().validate(bound, 0), Err(Error::SenderConstrained));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Confirmation<'a> {
    /// `jkt`: the RFC 7638 SHA-256 thumbprint of the public key that signed the request's
    /// DPoP proof (RFC 9449 section 6.1), after that proof was verified.
    JwkThumbprint(&'a str),
    /// `x5t#S256`: the SHA-256 thumbprint of the DER client certificate of the request's
    /// mutually authenticated TLS connection (RFC 8705 section 3.1).
    CertificateThumbprint(&'a str),
}

impl Confirmation<'_> {
    /// The `cnf` member this confirmation answers.
    const fn member(&self) -> &'static str {
        match self {
            Confirmation::JwkThumbprint(_) => "jkt",
            Confirmation::CertificateThumbprint(_) => "x5t#S256",
        }
    }

    const fn thumbprint(&self) -> &str {
        match self {
            Confirmation::JwkThumbprint(t) | Confirmation::CertificateThumbprint(t) => t,
        }
    }
}

/// A SHA-256 thumbprint as a token's `cnf` carries it: the base64url text of the digest, 43
/// characters. The thumbprint of a DPoP proof's key comes from
/// [`dpop::verify_proof`](crate::dpop::verify_proof); that of a TLS client certificate from
/// [`of_certificate`](Self::of_certificate).
#[cfg(feature = "jwk")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Thumbprint([u8; 43]);

#[cfg(feature = "jwk")]
impl Thumbprint {
    pub(crate) fn of(digest: &[u8; 32]) -> Self {
        let mut text = [0u8; 43];
        // 32 bytes always encode to 43 characters.
        let _ = crate::base64url::encode(digest, &mut text);
        Thumbprint(text)
    }

    /// `x5t#S256` of a client certificate (RFC 8705 section 3.1): the SHA-256 thumbprint of
    /// its DER encoding, the certificate of the request's mutually authenticated TLS
    /// connection, for [`Confirmation::CertificateThumbprint`].
    ///
    /// ```
    /// use jwt_core::{Confirmation, Thumbprint, Validation};
    /// let der = b"the DER bytes of the client certificate";
    /// let thumbprint = Thumbprint::of_certificate(der);
    /// let policy = Validation::new().confirmed(Confirmation::CertificateThumbprint(thumbprint.as_str()));
    /// let bound = format!(r#"{{"exp":9,"cnf":{{"x5t#S256":"{}"}}}}"#, thumbprint.as_str());
    /// assert_eq!(policy.validate(bound.as_bytes(), 0), Ok(()));
    /// ```
    pub fn of_certificate(der: &[u8]) -> Self {
        use sha2::Digest;
        Self::of(&sha2::Sha256::digest(der).into())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Base64url is ASCII.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(feature = "jwk")]
impl core::fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks a token's `cnf` object (its JSON text) against what the caller proved. Every
/// confirmation method the token names must be proven: one the caller did not verify, or
/// does not know (`jwk`, `kid`, `jku`, a future one), refuses the token, since the issuer
/// meant it for the holder of that key alone.
pub(crate) fn check(cnf: &str, confirmed: Option<Confirmation<'_>>) -> Result<(), Error> {
    let Some(confirmed) = confirmed else {
        return Err(Error::SenderConstrained);
    };
    let mut bound = false;
    json::parse_object(cnf.as_bytes(), |method, value| {
        if method != confirmed.member() {
            return Err(Error::SenderConstrained);
        }
        let Value::String(thumbprint) = value else {
            return Err(Error::InvalidClaim(Claim::Cnf));
        };
        if thumbprint != confirmed.thumbprint() {
            return Err(Error::SenderConstrained);
        }
        bound = true;
        Ok(())
    })?;
    // An empty `cnf` binds the token to nothing the caller proved.
    match bound {
        true => Ok(()),
        false => Err(Error::SenderConstrained),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const X5T: &str = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";

    #[test]
    fn a_bound_token_needs_the_proof_of_its_key() {
        for cnf in [
            r#"{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#,
            r#"{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#,
            r#"{"jwk":{"kty":"EC"}}"#,
            r#"{"kid":"k1"}"#,
            r#"{"future":1}"#,
            "{}",
        ] {
            assert_eq!(check(cnf, None), Err(Error::SenderConstrained), "{cnf}");
        }
    }

    #[test]
    fn the_proven_key_must_be_the_one_named() {
        let dpop = Some(Confirmation::JwkThumbprint(JKT));
        let mtls = Some(Confirmation::CertificateThumbprint(X5T));
        assert_eq!(check(&format_cnf("jkt", JKT), dpop), Ok(()));
        assert_eq!(check(&format_cnf("x5t#S256", X5T), mtls), Ok(()));
        // Escaped spellings name the same thumbprint.
        let escaped = r#"{"\u006akt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4\u0049"}"#;
        assert_eq!(check(escaped, dpop), Ok(()));
        for (cnf, proof) in [
            // Another key.
            (format_cnf("jkt", X5T), dpop),
            (format_cnf("x5t#S256", JKT), mtls),
            // The same text as another method.
            (format_cnf("x5t#S256", JKT), dpop),
            (format_cnf("jkt", X5T), mtls),
            // A second binding the caller did not prove.
            (format!(r#"{{"jkt":"{JKT}","x5t#S256":"{X5T}"}}"#), dpop),
            (format!(r#"{{"jkt":"{JKT}","kid":"k1"}}"#), dpop),
            // Nothing named.
            ("{}".into(), dpop),
        ] {
            assert_eq!(check(&cnf, proof), Err(Error::SenderConstrained), "{cnf}");
        }
        assert_eq!(
            check(r#"{"jkt":1}"#, dpop),
            Err(Error::InvalidClaim(Claim::Cnf))
        );
    }

    fn format_cnf(member: &str, thumbprint: &str) -> std::string::String {
        format!(r#"{{"{member}":"{thumbprint}"}}"#)
    }
}
