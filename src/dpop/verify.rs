//! Verifying a DPoP proof (RFC 9449 section 4.3).

use sha2::{Digest, Sha256};

use super::{ProofError, uri};
use crate::algorithm::{Algorithm, VerifyingKey, sealed};
use crate::claims::Thumbprint;
use crate::claims::{Confirmation, NumericDate};
use crate::error::Error;
use crate::header::media_type_eq;
use crate::json::{self, JsonStr, Value};
use crate::jwk::{AnyVerifyingKey, Jwk};
use crate::{base64url, compact};

/// Longest proof accepted, in bytes: room for an 8192-bit RSA key in the header and its
/// signature.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// Longest `htu` accepted, in bytes.
const MAX_HTU_LEN: usize = 2048;

/// What a server accepts in a DPoP proof. A `const` builder, like
/// [`Validation`](crate::Validation).
///
/// ```
/// use jwt_core::{Algorithm, dpop::Policy};
/// static POLICY: Policy = Policy::new()
///     .algorithms(&[Algorithm::Es256, Algorithm::EdDsa])
///     .max_age(120);
/// assert_eq!(POLICY.window(), 120 + 60);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    algorithms: &'a [Algorithm],
    max_age: u64,
    max_future: u64,
    max_jti_len: usize,
    nonce: Option<&'a str>,
}

impl Default for Policy<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Policy<'a> {
    /// Every asymmetric algorithm, the default allow-list.
    pub const ASYMMETRIC: &'static [Algorithm] = &[
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::Es256k,
        Algorithm::EdDsa,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
    ];

    /// The defaults: every asymmetric algorithm; `iat` at most 300 s old and 60 s ahead;
    /// `jti` of at most 128 bytes; no server nonce.
    pub const fn new() -> Self {
        Policy {
            algorithms: Self::ASYMMETRIC,
            max_age: 300,
            max_future: 60,
            max_jti_len: 128,
            nonce: None,
        }
    }

    /// The algorithms a proof may be signed with (HMAC ones are refused whatever the list).
    pub const fn algorithms(mut self, algorithms: &'a [Algorithm]) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// The allowed algorithms, for the `algs` of a challenge.
    pub const fn allowed(&self) -> &'a [Algorithm] {
        self.algorithms
    }

    /// How old, in seconds, a proof's `iat` may be.
    pub const fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }

    /// How far ahead of `now`, in seconds, a proof's `iat` may be (clock skew).
    pub const fn max_future(mut self, seconds: u64) -> Self {
        self.max_future = seconds;
        self
    }

    /// The longest `jti` accepted, in bytes (it bounds what a replay store keeps).
    pub const fn max_jti_len(mut self, len: usize) -> Self {
        self.max_jti_len = len;
        self
    }

    /// Requires the proof's `nonce` to be `nonce`, the value the server currently hands out
    /// in its `DPoP-Nonce` header (RFC 9449 section 8).
    pub const fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// The span of `iat`s accepted, in seconds: how long a replay store must remember a
    /// `jti`.
    pub const fn window(&self) -> u64 {
        self.max_age.saturating_add(self.max_future)
    }
}

/// The request a proof must be for.
///
/// ```
/// let request = jwt_core::dpop::Request::new("POST", "https://server.example.com/token");
/// # let _ = request;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    method: &'a str,
    uri: &'a str,
    access_token: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request by its method (exactly, as HTTP methods are case-sensitive) and the
    /// absolute URI the client used (scheme, host and port as the client saw them).
    pub const fn new(method: &'a str, uri: &'a str) -> Self {
        Request {
            method,
            uri,
            access_token: None,
        }
    }

    /// The access token the request presents (`Authorization: DPoP <token>`): the proof must
    /// carry its hash, `ath`.
    pub const fn access_token(mut self, token: &'a str) -> Self {
        self.access_token = Some(token);
        self
    }
}

/// A verified proof: what the replay check and the token's binding need.
#[derive(Debug, Clone, Copy)]
pub struct Proof<'b> {
    jti: &'b str,
    iat: u64,
    nonce: Option<JsonStr<'b>>,
    thumbprint: Thumbprint,
}

impl<'b> Proof<'b> {
    /// `jti`, as the JSON text the client signed (escapes kept). A replay check keys on it
    /// together with the proof's key ([`replay_key`](Self::replay_key)), so one client's
    /// `jti` can never block another's.
    pub fn jti(&self) -> &'b str {
        self.jti
    }

    /// What a replay store remembers of this proof, once within [`Policy::window`]:
    /// SHA-256 of the key's thumbprint, a zero byte and the `jti` (RFC 9449 section 11.1).
    ///
    /// ```
    /// # #[cfg(feature = "ed25519")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::dpop::{self, Policy, ProofClaims, Request};
    /// let device = jwt_core::Ed25519PrivateKey::from_bytes(&[1; 32]);
    /// let mut out = [0u8; 512];
    /// let claims = ProofClaims::new("4f2a91c0e6b5d3a7", "GET", "https://api.example/a", 1_800_000_000);
    /// let proof = dpop::make_proof(&device, &claims, &mut out)?;
    /// let mut buf = [0u8; 512];
    /// let request = Request::new("GET", "https://api.example/a");
    /// let verified = dpop::verify_proof(proof, &request, &Policy::new(), 1_800_000_000, &mut buf)?;
    /// assert_eq!(verified.replay_key().len(), 32);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "ed25519"))]
    /// # fn main() {}
    /// ```
    pub fn replay_key(&self) -> [u8; 32] {
        let mut key = Sha256::new();
        key.update(self.thumbprint.as_str());
        key.update([0]);
        key.update(self.jti);
        key.finalize().into()
    }

    /// `iat`, in Unix seconds: with the window, when the replay store may forget the `jti`.
    pub fn issued_at(&self) -> u64 {
        self.iat
    }

    /// `nonce`, when the proof has one: for a server that checks it itself (one that
    /// accepts its previous nonce for a while, say) instead of with [`Policy::nonce`].
    pub fn nonce(&self) -> Option<JsonStr<'b>> {
        self.nonce
    }

    /// The RFC 7638 SHA-256 thumbprint of the key that signed the proof (base64url).
    pub fn thumbprint(&self) -> &str {
        self.thumbprint.as_str()
    }

    /// The proven key as a token's `cnf` names it, for
    /// [`Validation::confirmed`](crate::Validation::confirmed).
    pub fn confirmation(&self) -> Confirmation<'_> {
        Confirmation::JwkThumbprint(self.thumbprint.as_str())
    }
}

/// Verifies a DPoP proof for `request` at `now` (Unix seconds): every check of RFC 9449
/// section 4.3 but the replay check, in order. `buf` receives the decoded header, then the
/// payload, and must be as long as the proof. Nothing is allocated.
///
/// Checked: one JWS compact value; `typ` `dpop+jwt`; an asymmetric `alg` the policy allows;
/// a public `jwk` in the header, valid for that `alg` (private members refused); the
/// signature by that key; `jti` (non-empty, bounded), `htm` equal to the method, `htu` equal
/// to the URI (normalised, query and fragment ignored), `iat` within the window; the
/// policy's `nonce`; `ath` equal to the access token's hash when there is one, absent when
/// there is none.
///
/// # Errors
/// [`Error::Dpop`] with the check that failed; [`Error::BufferTooSmall`] for a short `buf`.
pub fn verify_proof<'b>(
    proof: &str,
    request: &Request<'_>,
    policy: &Policy<'_>,
    now: u64,
    buf: &'b mut [u8],
) -> Result<Proof<'b>, Error> {
    let parts = compact::split(proof, MAX_PROOF_LEN).map_err(|_| ProofError::Malformed)?;
    let header_len = match base64url::decode(parts.header, buf) {
        Ok(len) => len,
        Err(Error::BufferTooSmall) => return Err(Error::BufferTooSmall),
        Err(_) => return Err(ProofError::Malformed.into()),
    };
    let header = buf.get(..header_len).ok_or(Error::BufferTooSmall)?;
    let (key, thumbprint) = proof_key(header, policy)?;

    let payload = crate::verify::verify_jws(proof, &key, buf).map_err(|error| match error {
        Error::InvalidSignature => ProofError::Signature.into(),
        Error::BufferTooSmall => Error::BufferTooSmall,
        _ => Error::from(ProofError::Malformed),
    })?;
    let claims = ProofMembers::read(payload)?;
    claims.check(request, policy, now)?;
    Ok(Proof {
        jti: claims.jti,
        iat: claims.iat.floor(),
        nonce: claims.nonce,
        thumbprint,
    })
}

/// Steps 4 to 6: the header's `typ`, `alg` and `jwk`, and the key the proof is verified with.
fn proof_key(header: &[u8], policy: &Policy<'_>) -> Result<(HeaderKey, Thumbprint), Error> {
    let (mut typ, mut alg, mut jwk, mut crit) = (None, None, None, false);
    json::parse_object(header, |name, value| {
        match value {
            Value::String(s) if name == "typ" => typ = Some(s),
            Value::String(s) if name == "alg" => alg = Some(s),
            Value::Object(o) if name == "jwk" => jwk = Some(o),
            _ if name == "typ" || name == "alg" || name == "jwk" => {
                return Err(ProofError::Malformed.into());
            }
            _ => crit |= name == "crit",
        }
        Ok(())
    })
    .map_err(|_| ProofError::Malformed)?;
    if crit || !typ.is_some_and(|typ| media_type_eq(typ, "dpop+jwt")) {
        return Err(ProofError::Header.into());
    }
    let alg = alg
        .and_then(Algorithm::from_json_name)
        .filter(|alg| !alg.is_symmetric() && policy.algorithms.contains(alg))
        .ok_or(ProofError::Algorithm)?;
    let jwk = jwk
        .and_then(|text| Jwk::parse(text.as_bytes()).ok())
        .filter(|jwk| !jwk.has_private_members() && jwk.kty() != "oct")
        .ok_or(ProofError::Key)?;
    let key = HeaderKey::import(&jwk, alg).map_err(|_| ProofError::Key)?;
    let thumbprint = jwk.thumbprint().map_err(|_| ProofError::Key)?;
    Ok((key, Thumbprint::of(&thumbprint)))
}

/// A proof's key, which verifies the proof's signature and nothing else: an ES256 key is
/// imported without the per-key tables that pay off only over many signatures (they would
/// cost more than the verification), with the same checks as
/// [`AnyVerifyingKey::from_jwk_as`]; every other key is imported by it.
// `Any` is as large as `AnyVerifyingKey` (an ES256 key's tables), which the proof's one call
// kept on its stack before; it never holds an ES256 key, but its size is the type's.
#[allow(clippy::large_enum_variant)]
enum HeaderKey {
    #[cfg(feature = "p256")]
    Es256(crate::ecdsa::Es256KeyUsedOnce),
    Any(AnyVerifyingKey),
}

impl HeaderKey {
    fn import(jwk: &Jwk<'_>, alg: Algorithm) -> Result<Self, Error> {
        match alg {
            #[cfg(feature = "p256")]
            Algorithm::Es256 => crate::ecdsa::Es256KeyUsedOnce::from_jwk(jwk).map(Self::Es256),
            _ => AnyVerifyingKey::from_jwk_as(jwk, alg).map(Self::Any),
        }
    }

    fn inner(&self) -> &dyn VerifyingKey {
        match self {
            #[cfg(feature = "p256")]
            HeaderKey::Es256(key) => key,
            HeaderKey::Any(key) => key,
        }
    }
}

impl sealed::Sealed for HeaderKey {}

impl VerifyingKey for HeaderKey {
    fn algorithm(&self) -> Algorithm {
        self.inner().algorithm()
    }

    fn signature_len(&self) -> usize {
        self.inner().signature_len()
    }

    fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.inner().verify_signature(message, signature)
    }
}

/// The payload members a proof's checks read.
struct ProofMembers<'b> {
    jti: &'b str,
    htm: JsonStr<'b>,
    htu: JsonStr<'b>,
    iat: NumericDate,
    ath: Option<JsonStr<'b>>,
    nonce: Option<JsonStr<'b>>,
}

impl<'b> ProofMembers<'b> {
    /// Step 8: the claims a proof must have, with their types.
    fn read(payload: &'b [u8]) -> Result<Self, Error> {
        let (mut jti, mut htm, mut htu, mut iat, mut ath, mut nonce) =
            (None, None, None, None, None, None);
        json::parse_object(payload, |name, value| {
            let slot = if name == "jti" {
                &mut jti
            } else if name == "htm" {
                &mut htm
            } else if name == "htu" {
                &mut htu
            } else if name == "ath" {
                &mut ath
            } else if name == "nonce" {
                &mut nonce
            } else if name == "iat" {
                let Value::Number(number) = value else {
                    return Err(ProofError::Claims.into());
                };
                iat = Some(NumericDate::parse(number).ok_or(ProofError::Claims)?);
                return Ok(());
            } else {
                return Ok(());
            };
            let Value::String(text) = value else {
                return Err(ProofError::Claims.into());
            };
            *slot = Some(text);
            Ok(())
        })
        .map_err(|error| match error {
            Error::Dpop(_) => error,
            _ => ProofError::Malformed.into(),
        })?;
        match (jti, htm, htu, iat) {
            (Some(jti), Some(htm), Some(htu), Some(iat)) => Ok(ProofMembers {
                jti: jti.raw(),
                htm,
                htu,
                iat,
                ath,
                nonce,
            }),
            _ => Err(ProofError::Claims.into()),
        }
    }

    /// Steps 8 to 12, but the replay check.
    fn check(&self, request: &Request<'_>, policy: &Policy<'_>, now: u64) -> Result<(), Error> {
        if self.jti.is_empty() || self.jti.len() > policy.max_jti_len {
            return Err(ProofError::Claims.into());
        }
        if self.htm != request.method {
            return Err(ProofError::Method.into());
        }
        let mut htu = [0u8; MAX_HTU_LEN];
        let mut len = 0;
        for byte in self.htu.bytes() {
            *htu.get_mut(len).ok_or(ProofError::Uri)? = byte;
            len += 1;
        }
        let htu = htu.get(..len).and_then(|t| core::str::from_utf8(t).ok());
        if !htu.is_some_and(|htu| uri::same_resource(htu, request.uri)) {
            return Err(ProofError::Uri.into());
        }
        if let Some(required) = policy.nonce {
            if self.nonce.is_none_or(|nonce| nonce != required) {
                return Err(ProofError::Nonce.into());
            }
        }
        let oldest = now.saturating_sub(policy.max_age);
        let newest = now.saturating_add(policy.max_future);
        // Rounded outwards: a fractional `iat` just past either edge is outside.
        if self.iat.floor() < oldest || self.iat.ceil() > newest {
            return Err(ProofError::IssuedAt.into());
        }
        match (request.access_token, self.ath) {
            (Some(token), Some(ath)) if ath == access_token_hash(token).as_str() => Ok(()),
            (None, None) => Ok(()),
            _ => Err(ProofError::AccessTokenHash.into()),
        }
    }
}

/// `ath`: base64url(SHA-256(the access token's ASCII text)) (RFC 9449 section 4.2).
pub(super) fn access_token_hash(token: &str) -> Thumbprint {
    Thumbprint::of(&Sha256::digest(token.as_bytes()).into())
}

#[cfg(all(test, feature = "p256"))]
mod tests {
    use super::*;

    /// An ES256 proof's key is imported for its one signature, without the tables of an
    /// `Es256PublicKey` (about a kilobyte on 64-bit targets, and most of a proof's cost).
    #[test]
    fn an_es256_proof_key_is_imported_without_tables() {
        let jwk = Jwk::parse(
            br#"{"kty":"EC","crv":"P-256",
                "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
        )
        .unwrap();
        let key = HeaderKey::import(&jwk, Algorithm::Es256).unwrap();
        assert!(matches!(key, HeaderKey::Es256(_)));
        assert!(core::mem::size_of::<crate::ecdsa::Es256KeyUsedOnce>() <= 128);
        assert_eq!(key.algorithm(), Algorithm::Es256);
    }
}
