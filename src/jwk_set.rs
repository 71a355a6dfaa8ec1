//! JWK Sets (RFC 7517 section 5): a fixed-capacity key set with `kid` selection.

use heapless::{String, Vec};
use serde::Deserialize;

use crate::header::Header;
use crate::json::{self, JsonStr, Value};
use crate::jwk::Jwk;
use crate::{Algorithm, Error, Key, Validation, VerifyingKey};

/// Longest `kid` kept for a key in a [`JwkSet`], in bytes; keys with longer IDs are skipped.
pub const MAX_KID_LEN: usize = 128;

/// A set of up to `N` verifying keys read from a JWK Set document, each with its `kid`.
/// Needs no allocator.
///
/// Reading the set (STANDARDS V-K7): `keys` is required; a key that cannot be used (unknown
/// `kty`, another algorithm, weak or malformed material, `use` other than `sig`, `key_ops`
/// without `verify`, a `kid` over [`MAX_KID_LEN`]) is skipped and counted in
/// [`skipped`](Self::skipped), not fatal. A set that mixes symmetric (`oct`) and asymmetric
/// keys is refused whole: a published key set must never carry a shared secret, and one that
/// does invites key confusion.
///
/// Choosing a key for a token: the token's `alg` must be the key's algorithm; a token with a
/// `kid` uses the one key with that `kid`; a token without one uses the only key of its
/// algorithm. Anything else (no such key, or several) is refused, never tried in turn. A
/// `kid` that the document gives to two keys of the same type is ambiguous, even when one
/// of them was skipped (RFC 7517 section 4.5).
///
/// ```
/// use jwt_core::JwkSet;
/// let set = JwkSet::<4>::parse(br#"{"keys":[
///     {"kty":"oct","kid":"a","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"},
///     {"kty":"oct","kid":"b","k":"-xbuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"},
///     {"kty":"oct","kid":"weak","k":"AAAA"},
///     {"kty":"oct","kid":"aes","alg":"A256GCM","k":"-xbuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"}
/// ]}"#)?;
/// assert_eq!((set.len(), set.skipped()), (2, 2));
/// // Mixing symmetric and asymmetric keys refuses the whole set.
/// let mixed = br#"{"keys":[{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"},
///     {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// assert_eq!(JwkSet::<4>::parse(mixed).unwrap_err(), jwt_core::Error::InvalidKey);
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JwkSet<const N: usize> {
    entries: Vec<Entry, N>,
    skipped: usize,
}

#[derive(Clone, Debug)]
struct Entry {
    kid: Option<String<MAX_KID_LEN>>,
    key: Key,
    /// Another key of the same type in the document has the same `kid`.
    ambiguous: bool,
}

impl Entry {
    /// Whether `jwk` (any key of the document, usable or not) has this entry's `kid` and
    /// key type.
    fn shares_kid_with(&self, jwk: &Jwk<'_>) -> bool {
        let kty = match self.key.algorithm() {
            Algorithm::Hs256 => "oct",
            Algorithm::Es256 => "EC",
            Algorithm::Rs256 => "RSA",
        };
        match (&self.kid, jwk.kid()) {
            (Some(own), Some(other)) => other == own.as_str() && jwk.kty() == kty,
            _ => false,
        }
    }
}

impl<const N: usize> JwkSet<N> {
    /// Reads a JWK Set document.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::InvalidKey`] when `keys` is missing or
    /// not an array of objects, or when symmetric and asymmetric keys are mixed;
    /// [`Error::BufferTooSmall`] when more than `N` keys are usable.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let mut keys = None;
        json::parse_object(json, |name, value| {
            if name == "keys" {
                let Value::Array(array) = value else {
                    return Err(Error::InvalidKey);
                };
                keys = Some(array);
            }
            Ok(())
        })?;
        let keys = keys.ok_or(Error::InvalidKey)?;

        let mut set = JwkSet {
            entries: Vec::new(),
            skipped: 0,
        };
        let (mut symmetric, mut asymmetric) = (false, false);
        json::for_each_element(keys, |value| {
            let Value::Object(text) = value else {
                return Err(Error::InvalidKey);
            };
            let jwk = Jwk::parse(text.as_bytes())?;
            if jwk.kty() == "oct" {
                symmetric = true;
            } else {
                asymmetric = true;
            }
            match (Key::from_jwk(&jwk), kid_of(&jwk)) {
                (Ok(key), Ok(kid)) => set
                    .entries
                    .push(Entry {
                        kid,
                        key,
                        ambiguous: false,
                    })
                    .map_err(|_| Error::BufferTooSmall),
                _ => {
                    set.skipped += 1;
                    Ok(())
                }
            }
        })?;
        if symmetric && asymmetric {
            return Err(Error::InvalidKey);
        }
        // Second pass: count, for each usable key, the keys of the document sharing its kid.
        let mut sharing = [0u8; N];
        json::for_each_element(keys, |value| {
            if let Value::Object(text) = value {
                let jwk = Jwk::parse(text.as_bytes())?;
                for (entry, count) in set.entries.iter().zip(sharing.iter_mut()) {
                    if entry.shares_kid_with(&jwk) {
                        *count = count.saturating_add(1);
                    }
                }
            }
            Ok(())
        })?;
        for (entry, count) in set.entries.iter_mut().zip(sharing) {
            entry.ambiguous = count > 1;
        }
        Ok(set)
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of keys in the document that were skipped as unusable.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The usable keys with their `kid`, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, &Key)> {
        self.entries.iter().map(|e| (e.kid.as_deref(), &e.key))
    }

    /// Chooses the key for a token with algorithm `alg` and key ID `kid` (rules above).
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when no key fits, [`Error::AmbiguousKey`] when several do.
    pub fn select(&self, alg: Algorithm, kid: Option<JsonStr<'_>>) -> Result<&Key, Error> {
        let mut candidates = self.entries.iter().filter(|e| {
            e.key.algorithm() == alg
                && match kid {
                    Some(kid) => e.kid.as_deref().is_some_and(|own| kid == own),
                    None => true,
                }
        });
        match (candidates.next(), candidates.next()) {
            (Some(entry), None) if !entry.ambiguous => Ok(&entry.key),
            (Some(_), None) => Err(Error::AmbiguousKey),
            (None, _) => Err(Error::UnknownKey),
            (Some(_), Some(_)) => Err(Error::AmbiguousKey),
        }
    }

    /// [`verify`](crate::verify) with the key this set chooses from the token's header
    /// (read once; otherwise untrusted).
    ///
    /// # Errors
    /// As [`verify`](crate::verify) and [`select`](Self::select).
    pub fn verify<'b, T: Deserialize<'b>>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<T, Error> {
        let choose = |header: &Header<'_>| self.select(header.alg, header.kid);
        crate::verify::verify_chosen(token, choose, validation, now, buf)
    }

    /// [`verify_jws`](crate::verify_jws) with the key this set chooses for the token.
    ///
    /// # Errors
    /// As [`verify_jws`](crate::verify_jws) and [`select`](Self::select).
    pub fn verify_jws<'b>(&self, token: &str, buf: &'b mut [u8]) -> Result<&'b [u8], Error> {
        let choose = |header: &Header<'_>| self.select(header.alg, header.kid);
        crate::verify::verify_jws_chosen(token, choose, buf)
    }
}

/// The JWK's `kid`, unescaped into fixed storage; too long a `kid` makes the key unusable.
fn kid_of(jwk: &Jwk<'_>) -> Result<Option<String<MAX_KID_LEN>>, Error> {
    let Some(kid) = jwk.kid() else {
        return Ok(None);
    };
    let mut out = String::new();
    for c in kid.chars() {
        out.push(c).map_err(|_| Error::InvalidKey)?;
    }
    Ok(Some(out))
}
