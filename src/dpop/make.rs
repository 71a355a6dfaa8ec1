//! Making DPoP proofs (RFC 9449 section 4.2) with a device's key, into a caller buffer.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::verify::access_token_hash;
use crate::algorithm::{SigningKey, sealed};
use crate::base64url;
use crate::claims::Thumbprint;
use crate::error::Error;

/// Longest public JWK a proof key writes (P-521: two 88-character coordinates).
const MAX_JWK_LEN: usize = 256;

/// A private key that can sign DPoP proofs: one whose public key the proof's header can
/// carry as a JWK. Implemented by the ECDSA private keys ([`Es256PrivateKey`](crate::Es256PrivateKey)
/// and the other curves) and [`Ed25519PrivateKey`](crate::Ed25519PrivateKey); sealed.
pub trait ProofKey: SigningKey + sealed::Sealed {
    /// Writes the public key as a JWK with only its required members, in lexicographic
    /// order and without whitespace (so its SHA-256 is the RFC 7638 thumbprint) to the front
    /// of `out`, returning its length.
    #[doc(hidden)]
    fn write_public_jwk(&self, out: &mut [u8]) -> Result<usize, Error>;
}

/// Appends pieces to the front of a buffer.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn text(&mut self, text: &str) -> Result<(), Error> {
        let end = self.len + text.len();
        self.out
            .get_mut(self.len..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }

    fn base64url(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let rest = self.out.get_mut(self.len..).ok_or(Error::BufferTooSmall)?;
        self.len += base64url::encode(bytes, rest)?;
        Ok(())
    }
}

#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
impl<C: crate::ecdsa::EcdsaCurve> ProofKey for crate::ecdsa::EcdsaPrivateKey<C> {
    fn write_public_jwk(&self, out: &mut [u8]) -> Result<usize, Error> {
        let sec1 = self.public_key().to_sec1_bytes();
        let (x, y) = sec1
            .as_ref()
            .get(1..)
            .ok_or(Error::Signing)?
            .split_at_checked(C::FIELD_LEN)
            .ok_or(Error::Signing)?;
        let mut w = Writer { out, len: 0 };
        w.text(r#"{"crv":""#)?;
        w.text(C::ALGORITHM.curve().ok_or(Error::Signing)?)?;
        w.text(r#"","kty":"EC","x":""#)?;
        w.base64url(x)?;
        w.text(r#"","y":""#)?;
        w.base64url(y)?;
        w.text(r#""}"#)?;
        Ok(w.len)
    }
}

#[cfg(feature = "ed25519")]
impl ProofKey for crate::eddsa::Ed25519PrivateKey {
    fn write_public_jwk(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer { out, len: 0 };
        w.text(r#"{"crv":"Ed25519","kty":"OKP","x":""#)?;
        w.base64url(&self.public_key().to_bytes())?;
        w.text(r#""}"#)?;
        Ok(w.len)
    }
}

/// The RFC 7638 thumbprint of a proof key's public key: the `jkt` an authorization server
/// binds its tokens to.
///
/// # Errors
/// [`Error::Signing`] if the key cannot be written as a JWK (it always can).
///
/// ```
/// # #[cfg(feature = "ed25519")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// // RFC 8037 appendix A.3.
/// let mut seed = [0u8; 32];
/// jwt_core::base64url::decode(b"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", &mut seed)?;
/// let key = jwt_core::Ed25519PrivateKey::from_bytes(&seed);
/// assert_eq!(jwt_core::dpop::thumbprint(&key)?.as_str(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "ed25519"))]
/// # fn main() {}
/// ```
pub fn thumbprint<K: ProofKey + ?Sized>(key: &K) -> Result<Thumbprint, Error> {
    let mut jwk = [0u8; MAX_JWK_LEN];
    let len = key.write_public_jwk(&mut jwk)?;
    let jwk = jwk.get(..len).ok_or(Error::Signing)?;
    Ok(Thumbprint::of(&Sha256::digest(jwk).into()))
}

/// The claims of a proof to make: for one request, at one time, with a `jti` the client
/// never uses twice.
///
/// ```
/// use jwt_core::dpop::ProofClaims;
/// let claims = ProofClaims::new("e1j3V_bKic8-LAEB", "GET", "https://resource.example.org/protectedresource", 1562262618)
///     .access_token("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
/// # let _ = claims;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProofClaims<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    access_token: Option<&'a str>,
    nonce: Option<&'a str>,
}

impl<'a> ProofClaims<'a> {
    /// A proof with this `jti` (unique per proof: at least 96 random bits, RFC 9449 section
    /// 4.2; a counter is guessable, and lets another client spend it first) for a
    /// request by `method` to `uri` (without query and fragment), made at `iat`.
    pub const fn new(jti: &'a str, method: &'a str, uri: &'a str, iat: u64) -> Self {
        ProofClaims {
            jti,
            htm: method,
            htu: uri,
            iat,
            access_token: None,
            nonce: None,
        }
    }

    /// The access token the request presents: the proof carries its hash, `ath`.
    pub const fn access_token(mut self, token: &'a str) -> Self {
        self.access_token = Some(token);
        self
    }

    /// The nonce the server handed out in its `DPoP-Nonce` header.
    pub const fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }
}

/// The payload as written.
#[derive(Serialize)]
struct Payload<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

/// Makes a DPoP proof signed by `key` into `out`, returning it as a `&str` borrowed from
/// it: header `{"typ":"dpop+jwt","alg":..,"jwk":<the public key>}`, the claims, the
/// signature. Nothing is allocated; ECDSA and Ed25519 signing need no random numbers.
///
/// # Errors
/// [`Error::BufferTooSmall`] when the proof does not fit; [`Error::Signing`] when the key
/// fails or a claim cannot be written.
pub fn make_proof<'o, K: ProofKey + ?Sized>(
    key: &K,
    claims: &ProofClaims<'_>,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let ath = claims.access_token.map(access_token_hash);
    let payload = Payload {
        jti: claims.jti,
        htm: claims.htm,
        htu: claims.htu,
        iat: claims.iat,
        ath: ath.as_ref().map(Thumbprint::as_str),
        nonce: claims.nonce,
    };
    let write_header = |out: &mut [u8]| {
        let mut jwk = [0u8; MAX_JWK_LEN];
        let jwk_len = key.write_public_jwk(&mut jwk)?;
        let jwk = jwk.get(..jwk_len).ok_or(Error::Signing)?;
        let mut w = Writer { out, len: 0 };
        w.text(r#"{"typ":"dpop+jwt","alg":""#)?;
        w.text(key.algorithm().name())?;
        w.text(r#"","jwk":"#)?;
        w.text(core::str::from_utf8(jwk).map_err(|_| Error::Signing)?)?;
        w.text("}")?;
        Ok(w.len)
    };
    crate::sign::sign_with_header(key, write_header, &payload, out)
}
