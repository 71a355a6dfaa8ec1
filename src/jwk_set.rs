//! JWK Sets (RFC 7517 section 5): a fixed-capacity key set and, with `alloc`, a growable
//! one, both with `kid` selection and optional issuer binding.

use heapless::String;
use serde::Deserialize;

use crate::header::Header;
use crate::json::{self, JsonStr, Value};
use crate::jwk::Jwk;
use crate::{Algorithm, Error, Key, Validation, VerifyingKey};

/// Longest `kid` kept for a key in a [`JwkSet`], in bytes; keys with longer IDs are skipped.
pub const MAX_KID_LEN: usize = 128;

/// Longest issuer a key set can be bound to, in bytes.
pub const MAX_ISSUER_LEN: usize = 256;

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
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
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
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
#[derive(Clone, Debug)]
pub struct JwkSet<const N: usize> {
    entries: heapless::Vec<Entry, N>,
    skipped: usize,
    issuer: Option<String<MAX_ISSUER_LEN>>,
}

/// A [`JwkSet`] without a capacity limit (`alloc`): the keys live on the heap. Same rules,
/// same methods.
///
/// ```
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::GrowableJwkSet;
/// let set = GrowableJwkSet::parse(br#"{"keys":[
///     {"kty":"oct","kid":"a","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}]}"#)?;
/// assert_eq!(set.len(), 1);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, Debug)]
pub struct GrowableJwkSet {
    entries: alloc::vec::Vec<Entry>,
    skipped: usize,
    issuer: Option<String<MAX_ISSUER_LEN>>,
}

#[derive(Clone, Debug)]
struct Entry {
    kid: Option<String<MAX_KID_LEN>>,
    key: Key,
    /// How many keys of the document (usable or not) have this entry's `kid` and key type;
    /// more than one makes the `kid` ambiguous.
    sharing: u8,
}

/// Where a key set keeps its entries.
trait Entries {
    fn push_entry(&mut self, entry: Entry) -> Result<(), Error>;
}

impl<const N: usize> Entries for heapless::Vec<Entry, N> {
    fn push_entry(&mut self, entry: Entry) -> Result<(), Error> {
        self.push(entry).map_err(|_| Error::BufferTooSmall)
    }
}

#[cfg(feature = "alloc")]
impl Entries for alloc::vec::Vec<Entry> {
    fn push_entry(&mut self, entry: Entry) -> Result<(), Error> {
        self.push(entry);
        Ok(())
    }
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

/// Reads a JWK Set document into `entries`; returns how many keys were skipped.
fn read_set<E: Entries + AsMut<[Entry]>>(json: &[u8], entries: &mut E) -> Result<usize, Error> {
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

    let mut skipped = 0;
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
            (Ok(key), Ok(kid)) => entries.push_entry(Entry {
                kid,
                key,
                sharing: 0,
            }),
            _ => {
                skipped += 1;
                Ok(())
            }
        }
    })?;
    if symmetric && asymmetric {
        return Err(Error::InvalidKey);
    }
    // Second pass: count, for each usable key, the keys of the document sharing its kid.
    json::for_each_element(keys, |value| {
        if let Value::Object(text) = value {
            let jwk = Jwk::parse(text.as_bytes())?;
            for entry in entries.as_mut().iter_mut() {
                if entry.shares_kid_with(&jwk) {
                    entry.sharing = entry.sharing.saturating_add(1);
                }
            }
        }
        Ok(())
    })?;
    Ok(skipped)
}

/// The key for a token with algorithm `alg` and key ID `kid`.
fn select<'s>(
    entries: &'s [Entry],
    alg: Algorithm,
    kid: Option<JsonStr<'_>>,
) -> Result<&'s Key, Error> {
    let mut candidates = entries.iter().filter(|e| {
        e.key.algorithm() == alg
            && match kid {
                Some(kid) => e.kid.as_deref().is_some_and(|own| kid == own),
                None => true,
            }
    });
    match (candidates.next(), candidates.next()) {
        (Some(entry), None) if entry.sharing <= 1 => Ok(&entry.key),
        (Some(_), None) => Err(Error::AmbiguousKey),
        (None, _) => Err(Error::UnknownKey),
        (Some(_), Some(_)) => Err(Error::AmbiguousKey),
    }
}

/// The methods both key sets share (each has `entries`, `skipped` and `issuer` fields).
macro_rules! key_set_methods {
    () => {
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

        /// Binds the set to the issuer whose keys these are (RFC 8725 section 3.8, STANDARDS
        /// V-C12): [`verify`](Self::verify) then accepts only tokens whose `iss` is
        /// `issuer`, whatever issuers the [`Validation`] lists, so a key of one issuer can
        /// never vouch for a token claiming another.
        ///
        /// # Errors
        /// [`Error::BufferTooSmall`] when `issuer` is longer than
        /// [`MAX_ISSUER_LEN`](crate::MAX_ISSUER_LEN).
        pub fn bind_issuer(mut self, issuer: &str) -> Result<Self, Error> {
            let mut bound = String::new();
            bound.push_str(issuer).map_err(|_| Error::BufferTooSmall)?;
            self.issuer = Some(bound);
            Ok(self)
        }

        /// The issuer the set is bound to, if any.
        pub fn issuer(&self) -> Option<&str> {
            self.issuer.as_deref()
        }

        /// Chooses the key for a token with algorithm `alg` and key ID `kid` (rules above).
        ///
        /// # Errors
        /// [`Error::UnknownKey`] when no key fits, [`Error::AmbiguousKey`] when several do.
        pub fn select(&self, alg: Algorithm, kid: Option<JsonStr<'_>>) -> Result<&Key, Error> {
            select(&self.entries, alg, kid)
        }

        /// [`verify`](crate::verify) with the key this set chooses from the token's header
        /// (read once; otherwise untrusted). A set bound to an issuer also requires `iss` to
        /// be that issuer.
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
            match self.issuer.as_deref() {
                Some(issuer) => {
                    let bound = [issuer];
                    let policy = validation.issuers(&bound);
                    crate::verify::verify_chosen(token, choose, &policy, now, buf)
                }
                None => crate::verify::verify_chosen(token, choose, validation, now, buf),
            }
        }

        /// [`verify_jws`](crate::verify_jws) with the key this set chooses for the token.
        /// No claim is read, so an issuer binding is not applied: use
        /// [`verify`](Self::verify) for JWTs.
        ///
        /// # Errors
        /// As [`verify_jws`](crate::verify_jws) and [`select`](Self::select).
        pub fn verify_jws<'b>(&self, token: &str, buf: &'b mut [u8]) -> Result<&'b [u8], Error> {
            let choose = |header: &Header<'_>| self.select(header.alg, header.kid);
            crate::verify::verify_jws_chosen(token, choose, buf)
        }
    };
}

impl<const N: usize> JwkSet<N> {
    /// Reads a JWK Set document.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::InvalidKey`] when `keys` is missing or
    /// not an array of objects, or when symmetric and asymmetric keys are mixed;
    /// [`Error::BufferTooSmall`] when more than `N` keys are usable.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let mut entries = heapless::Vec::new();
        let skipped = read_set(json, &mut entries)?;
        Ok(JwkSet {
            entries,
            skipped,
            issuer: None,
        })
    }

    key_set_methods!();
}

#[cfg(feature = "alloc")]
impl GrowableJwkSet {
    /// Reads a JWK Set document, however many keys it has.
    ///
    /// # Errors
    /// As [`JwkSet::parse`], without the capacity limit.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let mut entries = alloc::vec::Vec::new();
        let skipped = read_set(json, &mut entries)?;
        Ok(GrowableJwkSet {
            entries,
            skipped,
            issuer: None,
        })
    }

    key_set_methods!();
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
