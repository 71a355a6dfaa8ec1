//! JSON Web Keys (RFC 7517, RFC 7518 section 6) and JWK thumbprints (RFC 7638).
//!
//! [`Jwk::parse`] reads one key; each key type's `from_jwk` applies the rules of checklist
//! V-K1..V-K6: required members, canonical base64url, minimum-octet RSA integers, full-size
//! EC coordinates on the curve, `alg`/`use`/`key_ops` consistent with the intended use,
//! private members refused where a public key is expected, weak keys refused, unknown
//! members ignored. Public members are decoded with the table decoder; secret members
//! (`k`, `d`, `p`, `q`) with base64ct's constant-time decoder, and stack copies are wiped.

// `jwk` without a key family has nothing to import into.
#![cfg_attr(
    not(any(
        feature = "hmac",
        feature = "rsa",
        feature = "p256",
        feature = "p384",
        feature = "p521",
        feature = "k256",
        feature = "ed25519"
    )),
    allow(unused_imports, unused_variables, dead_code)
)]

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::json::{self, JsonStr, Value};

mod import;
mod key;
mod set;

pub use key::AnyVerifyingKey;
#[cfg(feature = "alloc")]
pub use set::{GrowableJwkSet, Heap};
pub use set::{Inline, JwkSet, KeySet, KeyStorage, MAX_ISSUER_LEN, MAX_KID_LEN, SkipReason};

/// One JSON Web Key, parsed but not yet imported: members borrow from the JSON text.
///
/// Import it with the `from_jwk` constructor of the key type you expect
/// ([`Hs256Key`](crate::Hs256Key), [`Es256PublicKey`](crate::Es256PublicKey), ...), or with
/// [`AnyVerifyingKey::from_jwk`](crate::AnyVerifyingKey::from_jwk) for whichever verifying key it is.
///
/// ```
/// # #[cfg(feature = "p256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{Es256PublicKey, Jwk};
/// let jwk = Jwk::parse(br#"{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",
///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
/// assert!(jwk.kid().unwrap() == "k1");
/// let key = Es256PublicKey::from_jwk(&jwk)?;
/// # let _ = key;
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "p256"))]
/// # fn main() {}
/// ```
#[derive(Clone, Copy)]
pub struct Jwk<'a> {
    kty: JsonStr<'a>,
    kid: Option<JsonStr<'a>>,
    alg: Option<JsonStr<'a>>,
    key_use: Option<JsonStr<'a>>,
    key_ops: Option<&'a str>,
    pub(crate) material: Material<'a>,
}

/// The key-material members a JWK may carry.
#[derive(Clone, Copy, Default)]
pub(crate) struct Material<'a> {
    pub crv: Option<JsonStr<'a>>,
    pub x: Option<JsonStr<'a>>,
    pub y: Option<JsonStr<'a>>,
    pub n: Option<JsonStr<'a>>,
    pub e: Option<JsonStr<'a>>,
    pub k: Option<JsonStr<'a>>,
    pub d: Option<JsonStr<'a>>,
    pub p: Option<JsonStr<'a>>,
    pub q: Option<JsonStr<'a>>,
    /// `dp`, `dq` or `qi`: RSA CRT values, recomputed from `p`, `q` and `d` on import.
    pub crt: bool,
    /// `oth`: further primes of a multi-prime RSA key (not supported).
    pub oth: bool,
}

/// Shows `kty`, `kid`, `alg` and whether private members are present; never key material.
impl core::fmt::Debug for Jwk<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty.raw())
            .field("kid", &self.kid.map(|k| k.raw()))
            .field("alg", &self.alg.map(|a| a.raw()))
            .field("private", &self.has_private_members())
            .finish_non_exhaustive()
    }
}

/// What an imported key will be used for; `key_ops` must allow it. (Each variant is used
/// by the key types of one algorithm feature.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
pub(crate) enum Op {
    Verify,
    Sign,
    /// Either, for a symmetric key that does both.
    VerifyOrSign,
}

impl<'a> Jwk<'a> {
    /// Parses one JWK (a JSON object). Members must have their registered JSON types;
    /// unknown members are ignored; duplicate members are refused.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::InvalidKey`] for a missing `kty` or a
    /// member of the wrong type.
    pub fn parse(json: &'a [u8]) -> Result<Self, Error> {
        let mut jwk = Jwk {
            kty: JsonStr::EMPTY,
            kid: None,
            alg: None,
            key_use: None,
            key_ops: None,
            material: Material::default(),
        };
        let mut kty = None;
        json::parse_object(json, |name, value| jwk.member(&mut kty, name, value))?;
        jwk.kty = kty.ok_or(Error::InvalidKey)?;
        Ok(jwk)
    }

    fn member(
        &mut self,
        kty: &mut Option<JsonStr<'a>>,
        name: JsonStr<'a>,
        value: Value<'a>,
    ) -> Result<(), Error> {
        let m = &mut self.material;
        let slot = match known_name(name) {
            "kty" => kty,
            "kid" => &mut self.kid,
            "alg" => &mut self.alg,
            "use" => &mut self.key_use,
            "crv" => &mut m.crv,
            "x" => &mut m.x,
            "y" => &mut m.y,
            "n" => &mut m.n,
            "e" => &mut m.e,
            "k" => &mut m.k,
            "d" => &mut m.d,
            "p" => &mut m.p,
            "q" => &mut m.q,
            "dp" | "dq" | "qi" => {
                m.crt = true;
                return Ok(());
            }
            "oth" => {
                m.oth = true;
                return Ok(());
            }
            "key_ops" => {
                let Value::Array(ops) = value else {
                    return Err(Error::InvalidKey);
                };
                self.key_ops = Some(ops);
                return Ok(());
            }
            _ => return Ok(()),
        };
        match value {
            Value::String(s) => {
                *slot = Some(s);
                Ok(())
            }
            _ => Err(Error::InvalidKey),
        }
    }

    /// `kty`: `oct`, `RSA`, `EC` or `OKP` for the keys this crate imports.
    pub fn kty(&self) -> JsonStr<'a> {
        self.kty
    }

    /// `kid`, the key ID a token's header may name.
    pub fn kid(&self) -> Option<JsonStr<'a>> {
        self.kid
    }

    /// `alg`, the algorithm the key is meant for, when present.
    pub fn alg(&self) -> Option<JsonStr<'a>> {
        self.alg
    }

    /// `use`, the intended use of a public key (`sig` for the keys this crate imports), when
    /// present.
    ///
    /// ```
    /// let jwk = jwt_core::Jwk::parse(br#"{"kty":"oct","use":"enc","k":"AAAA"}"#)?;
    /// assert!(jwk.key_use().is_some_and(|u| u == "enc"));
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn key_use(&self) -> Option<JsonStr<'a>> {
        self.key_use
    }

    /// The algorithm the JWK declares: the one its `alg` names, or without `alg` its key
    /// type's default (HS256 for `oct`, RS256 for `RSA`, the curve's algorithm for `EC` and
    /// `OKP`). `None` for an unknown `alg`, key type or curve. The key is not checked.
    ///
    /// ```
    /// use jwt_core::{Algorithm, Jwk};
    /// let jwk = Jwk::parse(br#"{"kty":"EC","crv":"P-384","x":"","y":""}"#)?;
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Es384));
    /// let jwk = Jwk::parse(br#"{"kty":"RSA","alg":"PS512","n":"","e":""}"#)?;
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Ps512));
    /// assert_eq!(Jwk::parse(br#"{"kty":"OKP","crv":"Ed448"}"#)?.algorithm(), None);
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn algorithm(&self) -> Option<Algorithm> {
        match self.alg {
            Some(alg) => Algorithm::from_json_name(alg),
            None => Algorithm::default_for(self.kty, self.material.crv),
        }
    }

    /// Whether the JWK carries private members of an asymmetric key (`d`, `p`, `q`, `dp`,
    /// `dq`, `qi`, `oth`). An `oct` key's `k` is not counted: it is the key itself.
    pub fn has_private_members(&self) -> bool {
        let m = &self.material;
        m.d.is_some() || m.p.is_some() || m.q.is_some() || m.crt || m.oth
    }

    /// Checks `kty` and `crv`, then `alg`, `use` and `key_ops` against the algorithm and the
    /// use (checklist V-K5): `crv` the algorithm's curve, `alg` equal to the algorithm when present; `use` `sig`; `key_ops`
    /// without duplicates and allowing `op`; both consistent when both are present.
    pub(crate) fn check(&self, alg: Algorithm, op: Op) -> Result<SignatureOps, Error> {
        if self.kty != alg.kty() {
            return Err(Error::InvalidKey);
        }
        // Each curve has one algorithm: a key on another curve is another algorithm's key.
        if let Some(curve) = alg.curve() {
            match self.material.crv {
                Some(crv) if crv == curve => {}
                Some(_) => return Err(Error::UnsupportedAlgorithm),
                None => return Err(Error::InvalidKey),
            }
        }
        if let Some(declared) = self.alg {
            if declared != alg.name() {
                return Err(Error::UnsupportedAlgorithm);
            }
        }
        if let Some(key_use) = self.key_use {
            if key_use != "sig" {
                return Err(Error::InvalidKey);
            }
        }
        match self.key_ops {
            Some(ops) => check_key_ops(ops, op, self.key_use.is_some()),
            None => Ok(SignatureOps {
                sign: true,
                verify: true,
            }),
        }
    }
}

/// The member names a JWK is read for, matched after unescaping.
fn known_name(name: JsonStr<'_>) -> &'static str {
    const NAMES: [&str; 18] = [
        "kty", "kid", "alg", "use", "key_ops", "crv", "x", "y", "n", "e", "k", "d", "p", "q", "dp",
        "dq", "qi", "oth",
    ];
    NAMES.into_iter().find(|known| name == *known).unwrap_or("")
}

/// `key_ops` must be an array of distinct strings allowing `op`; next to `use` (which is
/// `sig` by then) it may only hold `sign` and `verify`.
fn check_key_ops(ops: &str, op: Op, with_use: bool) -> Result<SignatureOps, Error> {
    const KNOWN: [&str; 8] = [
        "sign",
        "verify",
        "encrypt",
        "decrypt",
        "wrapKey",
        "unwrapKey",
        "deriveKey",
        "deriveBits",
    ];
    let mut seen = 0u16;
    let mut allowed = false;
    let mut unknown = 0usize;
    json::for_each_element(ops, |value| {
        let Value::String(s) = value else {
            return Err(Error::InvalidKey);
        };
        match KNOWN.iter().position(|k| s == *k) {
            Some(i) => {
                if seen & (1 << i) != 0 {
                    return Err(Error::InvalidKey);
                }
                seen |= 1 << i;
                allowed |= matches!(
                    (op, i),
                    (Op::Sign | Op::VerifyOrSign, 0) | (Op::Verify | Op::VerifyOrSign, 1)
                );
            }
            // Unregistered values are permitted by RFC 7517 section 4.3; they grant nothing.
            None => unknown += 1,
        }
        Ok(())
    })?;
    let only_signature_ops = seen & !0b11 == 0 && unknown == 0;
    if allowed && (!with_use || only_signature_ops) {
        Ok(SignatureOps {
            sign: seen & 1 != 0,
            verify: seen & 2 != 0,
        })
    } else {
        Err(Error::InvalidKey)
    }
}

/// The signature operations a JWK allows: both without `key_ops`, else those it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignatureOps {
    pub sign: bool,
    pub verify: bool,
}

/// The text of a member that must be present, with no escape sequences (base64url needs
/// none, so an escaped member is malformed).
pub(crate) fn required<'a>(member: Option<JsonStr<'a>>) -> Result<&'a str, Error> {
    member.and_then(|m| m.as_str()).ok_or(Error::InvalidKey)
}

/// Decodes a public member of exactly `out.len()` bytes.
#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
pub(crate) fn public_member(member: Option<JsonStr<'_>>, out: &mut [u8]) -> Result<(), Error> {
    let text = required(member)?;
    match crate::base64url::decode(text.as_bytes(), out) {
        Ok(len) if len == out.len() => Ok(()),
        _ => Err(Error::InvalidKey),
    }
}

/// Decodes a secret member into the front of `out` in constant time, returning its length.
#[cfg(not(all(
    feature = "rsa",
    not(any(
        feature = "hmac",
        feature = "p256",
        feature = "p384",
        feature = "p521",
        feature = "k256",
        feature = "ed25519"
    ))
)))]
pub(crate) fn secret_bytes(member: Option<JsonStr<'_>>, out: &mut [u8]) -> Result<usize, Error> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let text = required(member)?;
    Base64UrlUnpadded::decode(text, out)
        .map(|bytes| bytes.len())
        .map_err(|_| Error::InvalidKey)
}

/// A key type that a JWK is imported into as a verifying key, for
/// [`AnyVerifyingKey`](crate::AnyVerifyingKey).
pub(crate) trait ImportVerifying: Sized {
    fn import(jwk: &Jwk<'_>) -> Result<Self, Error>;
}

/// Computes the JWK thumbprint (RFC 7638): SHA-256 over the required members in
/// lexicographic order, without whitespace. Private members never contribute, so a private
/// JWK has the thumbprint of its public key (V-T1..V-T3).
impl Jwk<'_> {
    /// The RFC 7638 SHA-256 thumbprint of this key.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when a required member is missing, or [`Error::UnsupportedAlgorithm`]
    /// for a `kty` other than `EC`, `RSA`, `OKP` or `oct`.
    ///
    /// ```
    /// // RFC 7638 section 3.1.
    /// let jwk = jwt_core::Jwk::parse(br#"{"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
    ///   "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#)?;
    /// let mut b64 = [0u8; 43];
    /// jwt_core::base64url::encode(&jwk.thumbprint()?, &mut b64)?;
    /// assert_eq!(&b64, b"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    /// # Ok::<(), jwt_core::Error>(())
    /// ```
    pub fn thumbprint(&self) -> Result<[u8; 32], Error> {
        use sha2::{Digest, Sha256};
        let m = &self.material;
        let kty = self.kty.as_str().ok_or(Error::InvalidKey)?;
        let members: &[(&str, Option<JsonStr<'_>>)] = match kty {
            "EC" => &[
                ("crv", m.crv),
                ("kty", Some(self.kty)),
                ("x", m.x),
                ("y", m.y),
            ],
            "RSA" => &[("e", m.e), ("kty", Some(self.kty)), ("n", m.n)],
            "OKP" => &[("crv", m.crv), ("kty", Some(self.kty)), ("x", m.x)],
            "oct" => &[("k", m.k), ("kty", Some(self.kty))],
            _ => return Err(Error::UnsupportedAlgorithm),
        };
        let mut hash = Sha256::new();
        for (i, (name, value)) in members.iter().enumerate() {
            hash.update(if i == 0 { "{\"" } else { ",\"" });
            hash.update(name);
            hash.update("\":\"");
            hash.update(required(*value)?);
            hash.update("\"");
        }
        hash.update("}");
        Ok(hash.finalize().into())
    }
}
