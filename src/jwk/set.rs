//! JWK Sets (RFC 7517 section 5): one implementation over where the keys are kept, with
//! `kid` selection and optional issuer binding. [`JwkSet`] keeps up to `N` keys inline (no
//! allocator); [`GrowableJwkSet`] keeps any number on the heap (`alloc`).

use core::cmp::Ordering;

use heapless::String;
use serde::Deserialize;

use super::{AnyVerifyingKey, Jwk, Op};
use crate::algorithm::{Algorithm, VerifyingKey};
use crate::claims::{RegisteredClaims, Validation};
use crate::error::Error;
use crate::header::Header;
use crate::json::{self, JsonStr, Value};

/// Longest `kid` kept for a key in a key set, in bytes; keys with longer IDs are skipped.
pub const MAX_KID_LEN: usize = 128;

/// Longest issuer a key set can be bound to, in bytes.
pub const MAX_ISSUER_LEN: usize = 256;

/// A set of verifying keys read from a JWK Set document, each with its `kid`, kept in the
/// storage `S`. Use it through its two aliases: [`JwkSet<N>`](JwkSet) (up to `N` keys
/// inline, no allocator) and [`GrowableJwkSet`] (any number of keys, `alloc`).
///
/// Reading the set: the document must be a JSON object whose `keys` is an array; anything
/// else is refused. Each element of `keys` is read once. An element that cannot be used is
/// skipped and counted by [`SkipReason`], never fatal, so one key this crate does not use
/// (an encryption key, an OKP key, a new algorithm, a vendor's odd member) never takes the
/// others down: an element that is not an object or not a readable JWK, a key type, curve or
/// `alg` this build does not verify with, a key that breaks its type's rules (weak,
/// malformed, `use` other than `sig`, `key_ops` without `verify`), a `kid` over
/// [`MAX_KID_LEN`]. A set whose usable keys mix symmetric (`oct`) and asymmetric ones is
/// refused whole: a published key set must never carry a shared secret, and one that does
/// invites key confusion. Skipped elements take no part in that rule, so one broken `oct`
/// member beside the provider's public keys is skipped like any other. Reading is
/// `O(n log n)` in the number of elements, whatever their mix.
///
/// Choosing a key for a token: among the usable keys, those of the token's `alg` and, when
/// the token has a `kid`, with that `kid` (compared exactly); exactly one must remain, or
/// the token is refused ([`Error::UnknownKey`], [`Error::AmbiguousKey`]); keys are never
/// tried in turn. Keys are filtered by what they declare (`kty`, `crv`, `alg`, `use`,
/// `key_ops`): a skipped key that declares another use or algorithm (an encryption key
/// under the same `kid`, say) takes no part, and a token naming that `kid` is verified with
/// the usable key alone, so one signed with the other key fails its signature check. A
/// skipped key that declares it verifies this algorithm but could not be imported (weak or
/// malformed material) still makes its `kid` ambiguous: the document names two keys for
/// one purpose, and which one was meant cannot be known.
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{JwkSet, SkipReason};
/// let set = JwkSet::<4>::parse(br#"{"keys":[
///     {"kty":"oct","kid":"a","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"},
///     {"kty":"oct","kid":"b","k":"-xbuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"},
///     {"kty":"oct","kid":"weak","k":"AAAA"},
///     {"kty":"oct","kid":"aes","alg":"A256GCM","k":"-xbuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"},
///     "not a key"
/// ]}"#)?;
/// assert_eq!((set.len(), set.skipped()), (2, 3));
/// assert_eq!(set.skipped_for(SkipReason::Invalid), 1);
/// assert_eq!(set.skipped_for(SkipReason::Unsupported), 1);
/// assert_eq!(set.skipped_for(SkipReason::Unreadable), 1);
/// // Usable symmetric and asymmetric keys together refuse the whole set.
/// # #[cfg(feature = "p256")] {
/// let mixed = br#"{"keys":[{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"},
///     {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///      "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;
/// assert_eq!(JwkSet::<4>::parse(mixed).unwrap_err(), jwt_core::Error::InvalidKey);
/// # }
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
#[derive(Clone, Debug)]
pub struct KeySet<S: KeyStorage> {
    entries: S::Entries,
    /// The [`tag`] of each entry, at the same index: a key is chosen by scanning these
    /// few contiguous bytes, and only the entries whose tag matches (the one key, but for a
    /// hash collision) are looked at.
    tags: S::Tags,
    skipped: [usize; SkipReason::COUNT],
    issuer: Option<String<MAX_ISSUER_LEN>>,
}

/// A [`KeySet`] of up to `N` keys kept inline: needs no allocator.
pub type JwkSet<const N: usize> = KeySet<Inline<N>>;

/// A [`KeySet`] without a capacity limit: the keys live on the heap (`alloc`).
///
/// ```
/// # #[cfg(feature = "hmac")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::GrowableJwkSet;
/// let set = GrowableJwkSet::parse(br#"{"keys":[
///     {"kty":"oct","kid":"a","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}]}"#)?;
/// assert_eq!(set.len(), 1);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hmac"))]
/// # fn main() {}
/// ```
#[cfg(feature = "alloc")]
pub type GrowableJwkSet = KeySet<Heap>;

/// Where a [`KeySet`] keeps its keys: [`Inline`] or [`Heap`]. Sealed.
pub trait KeyStorage: storage::Sealed {}

/// Storage for up to `N` keys inside the set itself (see [`JwkSet`]).
#[derive(Debug, Clone, Copy)]
pub struct Inline<const N: usize>;

/// Storage for any number of keys on the heap (see [`GrowableJwkSet`]).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Copy)]
pub struct Heap;

impl<const N: usize> KeyStorage for Inline<N> {}

#[cfg(feature = "alloc")]
impl KeyStorage for Heap {}

/// The entry lists behind the storage markers. Public names in a private module: usable in
/// the sealed trait, unreachable from outside the crate.
mod storage {
    use super::{Entry, Error};

    pub trait Sealed {
        type Entries: List<Entry>;
        type Tags: List<u32>;
    }

    /// A list that can grow, perhaps up to a capacity.
    pub trait List<T>: Default + Clone + core::fmt::Debug {
        fn push(&mut self, item: T) -> Result<(), Error>;
        fn as_slice(&self) -> &[T];
        fn as_mut_slice(&mut self) -> &mut [T];
    }

    impl<const N: usize> Sealed for super::Inline<N> {
        type Entries = heapless::Vec<Entry, N>;
        type Tags = heapless::Vec<u32, N>;
    }

    impl<T: Clone + core::fmt::Debug, const N: usize> List<T> for heapless::Vec<T, N> {
        fn push(&mut self, item: T) -> Result<(), Error> {
            heapless::Vec::push(self, item).map_err(|_| Error::BufferTooSmall)
        }

        fn as_slice(&self) -> &[T] {
            self
        }

        fn as_mut_slice(&mut self) -> &mut [T] {
            self
        }
    }

    #[cfg(feature = "alloc")]
    impl Sealed for super::Heap {
        type Entries = alloc::vec::Vec<Entry>;
        type Tags = alloc::vec::Vec<u32>;
    }

    #[cfg(feature = "alloc")]
    impl<T: Clone + core::fmt::Debug> List<T> for alloc::vec::Vec<T> {
        fn push(&mut self, item: T) -> Result<(), Error> {
            alloc::vec::Vec::push(self, item);
            Ok(())
        }

        fn as_slice(&self) -> &[T] {
            self
        }

        fn as_mut_slice(&mut self) -> &mut [T] {
            self
        }
    }
}

use storage::List as _;

/// A key's algorithm and a 28-bit FNV-1a hash of its unescaped `kid` (or of its absence) in
/// one word: the algorithm's index in the four low bits, so a token without a `kid` is
/// matched by algorithm alone.
fn tag(alg: Algorithm, kid: Option<impl Iterator<Item = u8>>) -> u32 {
    let mut hash: u32 = 0x811C_9DC5;
    let mut eat = |byte: u8| hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    match kid {
        Some(bytes) => {
            eat(1);
            bytes.for_each(&mut eat);
        }
        None => eat(0),
    }
    hash << ALG_BITS | alg as u32
}

/// The low bits of a tag that hold the algorithm.
const ALG_BITS: u32 = 4;

// Every algorithm's index fits the low bits of a tag.
const _: () = assert!(Algorithm::ALL.len() <= 1 << ALG_BITS);

/// A usable key of the document, with its `kid`.
#[derive(Clone, Debug)]
pub struct Entry {
    kid: Option<String<MAX_KID_LEN>>,
    key: AnyVerifyingKey,
    /// Whether a skipped key declared for the same algorithm has this `kid` too.
    ambiguous: bool,
}

/// Why an element of a JWK Set document's `keys` was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Not a JSON object, or not a readable JWK: no `kty`, a duplicate member, or a
    /// registered member of the wrong type (a numeric `kid`, `"alg": null`).
    Unreadable,
    /// A key type, curve or `alg` this build does not verify with: an encryption key's
    /// algorithm, an OKP or P-384 key, an algorithm whose feature is off.
    Unsupported,
    /// A key that breaks its type's rules: weak or malformed material, private members where
    /// a public key is expected, `use` other than `sig`, `key_ops` without `verify`.
    Invalid,
    /// A `kid` longer than [`MAX_KID_LEN`].
    KidTooLong,
}

impl SkipReason {
    const COUNT: usize = 4;
}

impl<S: KeyStorage> KeySet<S> {
    /// Reads a JWK Set document (rules above), each key once.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON; [`Error::InvalidKey`] when `keys` is missing or
    /// not an array, or when symmetric and asymmetric keys are mixed;
    /// [`Error::BufferTooSmall`] when a [`JwkSet<N>`](JwkSet) would need more than `N`
    /// usable keys.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        Self::parse_assuming(json, &[])
    }

    /// [`parse`](Self::parse), with the algorithms that keys naming none may be used for.
    ///
    /// A JWK without `alg` is bound to its key type's default algorithm (RS256 for `RSA`,
    /// HS256 for `oct`, the curve's one algorithm for `EC` and `OKP`), never to whatever a
    /// token's header says. When `assumed` lists algorithms of the key's type, the key is
    /// imported once for each of them instead, each import bound to its one algorithm; a
    /// token then chooses among them by `alg` and `kid` as usual. Microsoft Entra ID, for
    /// one, publishes RSA keys without `alg`: a verifier that allows PS256 and RS256 for them
    /// lists both.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    ///
    /// ```
    /// # #[cfg(feature = "rsa")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{Algorithm, GrowableJwkSet, VerifyingKey};
    /// let doc = br#"{"keys":[{"kty":"RSA","kid":"entra","use":"sig","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}]}"#;
    /// let default = GrowableJwkSet::parse(doc)?;
    /// let algs = |set: &GrowableJwkSet| set.iter().map(|(_, k)| k.algorithm()).collect::<Vec<_>>();
    /// assert_eq!(algs(&default), [Algorithm::Rs256]);
    /// let widened = GrowableJwkSet::parse_assuming(doc, &[Algorithm::Rs256, Algorithm::Ps256])?;
    /// assert_eq!(algs(&widened), [Algorithm::Rs256, Algorithm::Ps256]);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "rsa"))]
    /// # fn main() {}
    /// ```
    pub fn parse_assuming(json: &[u8], assumed: &[Algorithm]) -> Result<Self, Error> {
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

        let mut set: Self = KeySet {
            entries: S::Entries::default(),
            tags: S::Tags::default(),
            skipped: [0; SkipReason::COUNT],
            issuer: None,
        };
        let (mut symmetric, mut asymmetric) = (false, false);
        // Skipped keys declared for an algorithm and use this set verifies: each makes the
        // entries of the same algorithm and `kid` ambiguous (they are rare: a second pass
        // marks them).
        let mut unimported = 0usize;
        json::for_each_element(keys, |value| {
            let jwk = match value {
                Value::Object(text) => Jwk::parse(text.as_bytes()).ok(),
                _ => None,
            };
            let Some(jwk) = jwk else {
                set.skip(SkipReason::Unreadable);
                return Ok(());
            };
            let Some(kid) = kid_of(&jwk) else {
                set.skip(SkipReason::KidTooLong);
                return Ok(());
            };
            let mut first_error = None;
            for alg in algorithms_of(&jwk, assumed) {
                match AnyVerifyingKey::from_jwk_as(&jwk, alg) {
                    Ok(key) => {
                        symmetric |= alg.is_symmetric();
                        asymmetric |= !alg.is_symmetric();
                        let kid_bytes = kid.as_deref().map(str::bytes);
                        set.tags.push(tag(alg, kid_bytes))?;
                        set.entries.push(Entry {
                            kid: kid.clone(),
                            key,
                            ambiguous: false,
                        })?;
                        first_error = Some(None);
                    }
                    Err(error) => {
                        first_error.get_or_insert(Some(error));
                    }
                }
            }
            // Every algorithm failed (or the key names none this build knows).
            if let Some(error) = first_error.unwrap_or(Some(Error::UnsupportedAlgorithm)) {
                unimported += usize::from(declared_for_verifying(&jwk, assumed).next().is_some());
                set.skip(match error {
                    Error::UnsupportedAlgorithm => SkipReason::Unsupported,
                    _ => SkipReason::Invalid,
                });
            }
            Ok(())
        })?;
        if unimported > 0 {
            set.mark_ambiguous(keys, assumed)?;
        }
        if symmetric && asymmetric {
            return Err(Error::InvalidKey);
        }
        Ok(set)
    }

    /// Marks the entries that share their algorithm and `kid` with a key that declares it
    /// verifies that algorithm but could not be imported. The entries are looked up through
    /// an index sorted once by tag and `kid`, so each such key costs a binary search, even
    /// when many `kid`s share a tag (the tag's hash is no defence against a crafted set).
    fn mark_ambiguous(&mut self, keys: &str, assumed: &[Algorithm]) -> Result<(), Error> {
        let tags = self.tags.as_slice();
        let mut index = S::Tags::default();
        for entry in 0..tags.len() {
            index.push(entry as u32)?;
        }
        let entries = self.entries.as_mut_slice();
        index.as_mut_slice().sort_unstable_by(|&a, &b| {
            let key = |i: u32| (tag_at(tags, i), kid_at(entries, i).map(str::as_bytes));
            key(a).cmp(&key(b))
        });
        let index = index.as_slice();

        json::for_each_element(keys, |value| {
            let Value::Object(text) = value else {
                return Ok(());
            };
            let Ok(jwk) = Jwk::parse(text.as_bytes()) else {
                return Ok(());
            };
            let Some(kid) = jwk.kid() else {
                return Ok(());
            };
            let algs = algorithms_of(&jwk, assumed);
            if algs
                .iter()
                .any(|&alg| AnyVerifyingKey::from_jwk_as(&jwk, alg).is_ok())
            {
                return Ok(());
            }
            for alg in declared_for_verifying(&jwk, assumed) {
                let wanted = tag(alg, Some(kid.bytes()));
                // Orders entry `i` against this key: by tag, then by `kid`.
                let order = |entries: &[Entry], i: u32| {
                    tag_at(tags, i)
                        .cmp(&wanted)
                        .then_with(|| match kid_at(entries, i) {
                            Some(own) => own.bytes().cmp(kid.bytes()),
                            None => Ordering::Less,
                        })
                };
                let first = index.partition_point(|&i| order(entries, i) == Ordering::Less);
                for &i in index.get(first..).unwrap_or_default() {
                    if order(entries, i) != Ordering::Equal {
                        break;
                    }
                    let Some(entry) = entries.get_mut(i as usize) else {
                        break;
                    };
                    #[cfg(all(test, feature = "hmac", feature = "alloc"))]
                    tests::LOOKED_AT.with(|n| n.set(n.get() + 1));
                    if entry.ambiguous {
                        // An earlier key of this algorithm and `kid` marked all of them.
                        break;
                    }
                    entry.ambiguous = true;
                }
            }
            Ok(())
        })
    }

    fn skip(&mut self, reason: SkipReason) {
        if let Some(count) = self.skipped.get_mut(reason as usize) {
            *count += 1;
        }
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.entries.as_slice().len()
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.entries.as_slice().is_empty()
    }

    /// Number of elements of the document's `keys` that were skipped, for any reason.
    pub fn skipped(&self) -> usize {
        self.skipped.iter().sum()
    }

    /// Number of elements of the document's `keys` skipped for `reason`.
    pub fn skipped_for(&self, reason: SkipReason) -> usize {
        self.skipped.get(reason as usize).copied().unwrap_or(0)
    }

    /// The usable keys with their `kid`, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, &AnyVerifyingKey)> {
        self.entries
            .as_slice()
            .iter()
            .map(|e| (e.kid.as_deref(), &e.key))
    }

    /// Binds the set to the issuer whose keys these are (RFC 8725 section 3.8):
    /// [`verify`](Self::verify) then accepts only tokens whose `iss` is `issuer`, whatever
    /// issuers the [`Validation`] lists, so a key of one issuer can never vouch for a token
    /// claiming another.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `issuer` is longer than [`MAX_ISSUER_LEN`].
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
    pub fn select(
        &self,
        alg: Algorithm,
        kid: Option<JsonStr<'_>>,
    ) -> Result<&AnyVerifyingKey, Error> {
        let wanted = match kid {
            // Most `kid`s have no escape: hashed straight from the token.
            Some(kid) => match kid.as_str() {
                Some(plain) => tag(alg, Some(plain.bytes())),
                None => tag(alg, Some(kid.bytes())),
            },
            None => alg as u32,
        };
        let mask = if kid.is_some() {
            u32::MAX
        } else {
            (1 << ALG_BITS) - 1
        };
        let entries = self.entries.as_slice();
        let mut candidates = self
            .tags
            .as_slice()
            .iter()
            .enumerate()
            .filter(|&(_, &tag)| tag & mask == wanted)
            .filter_map(|(i, _)| entries.get(i))
            .filter(|e| {
                e.key.algorithm() == alg
                    && match kid {
                        Some(kid) => e.kid.as_deref().is_some_and(|own| kid == own),
                        None => true,
                    }
            });
        match (candidates.next(), candidates.next()) {
            (Some(entry), None) if !(entry.ambiguous && kid.is_some()) => Ok(&entry.key),
            (None, _) => Err(Error::UnknownKey),
            _ => Err(Error::AmbiguousKey),
        }
    }

    /// [`verify`](crate::verify) with the key this set chooses from the token's header
    /// (read once; otherwise untrusted). A set bound to an issuer also requires `iss` to be
    /// that issuer.
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

    /// [`verify_claims`](crate::verify_claims) with the key this set chooses from the
    /// token's header. A set bound to an issuer also requires `iss` to be that issuer.
    ///
    /// # Errors
    /// As [`verify_claims`](crate::verify_claims) and [`select`](Self::select).
    ///
    /// ```
    /// # #[cfg(feature = "hmac")]
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// use jwt_core::{HeaderFields, Hs256Key, Jwk, JwkSet, Validation};
    /// let jwk = r#"{"kty":"oct","kid":"a","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#;
    /// let set = JwkSet::<1>::parse(format!(r#"{{"keys":[{jwk}]}}"#).as_bytes())?;
    /// let signer = Hs256Key::from_jwk(&Jwk::parse(jwk.as_bytes())?)?;
    /// #[derive(serde::Serialize)]
    /// struct Claims { exp: u64 }
    /// let mut out = [0u8; 256];
    /// let token = jwt_core::sign(&signer, &HeaderFields::new().kid("a"), &Claims { exp: 2 }, &mut out)?;
    /// let mut buf = [0u8; 256];
    /// assert_eq!(set.verify_claims(token, &Validation::new(), 1, &mut buf)?.json(), br#"{"exp":2}"#);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "hmac"))]
    /// # fn main() {}
    /// ```
    pub fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<RegisteredClaims<'b>, Error> {
        let choose = |header: &Header<'_>| self.select(header.alg, header.kid);
        match self.issuer.as_deref() {
            Some(issuer) => {
                let bound = [issuer];
                let policy = validation.issuers(&bound);
                crate::verify::verify_claims_chosen(token, choose, &policy, now, buf)
            }
            None => crate::verify::verify_claims_chosen(token, choose, validation, now, buf),
        }
    }

    /// [`verify_jws`](crate::verify_jws) with the key this set chooses for the token. No
    /// claim is read, so an issuer binding is not applied: use [`verify`](Self::verify) for
    /// JWTs.
    ///
    /// # Errors
    /// As [`verify_jws`](crate::verify_jws) and [`select`](Self::select).
    pub fn verify_jws<'b>(&self, token: &str, buf: &'b mut [u8]) -> Result<&'b [u8], Error> {
        let choose = |header: &Header<'_>| self.select(header.alg, header.kid);
        crate::verify::verify_jws_chosen(token, choose, buf)
    }
}

/// The tag of entry `i`.
fn tag_at(tags: &[u32], i: u32) -> u32 {
    tags.get(i as usize).copied().unwrap_or(u32::MAX)
}

/// The `kid` of entry `i`.
fn kid_at(entries: &[Entry], i: u32) -> Option<&str> {
    entries.get(i as usize).and_then(|e| e.kid.as_deref())
}

/// The algorithms a JWK declares it verifies with (those it is imported for), by its `kty`,
/// `crv`, `alg`, `use` and `key_ops` alone (its material is not looked at).
fn declared_for_verifying<'j>(
    jwk: &'j Jwk<'_>,
    assumed: &[Algorithm],
) -> impl Iterator<Item = Algorithm> + 'j {
    algorithms_of(jwk, assumed)
        .into_iter()
        .filter(|&alg| jwk.check(alg, Op::Verify).is_ok())
}

/// The algorithms a JWK is imported for: the one its `alg` names; without `alg`, those of
/// `assumed` that fit its key type and curve, or else its key type's default.
fn algorithms_of(jwk: &Jwk<'_>, assumed: &[Algorithm]) -> heapless::Vec<Algorithm, 14> {
    let mut algs = heapless::Vec::new();
    if jwk.alg().is_none() {
        for &alg in assumed {
            if alg.fits(jwk.kty(), jwk.material.crv) && !algs.contains(&alg) {
                // At most one of each algorithm: the capacity is their number.
                let _ = algs.push(alg);
            }
        }
    }
    if algs.is_empty() {
        if let Some(alg) = jwk.algorithm() {
            let _ = algs.push(alg);
        }
    }
    algs
}

// `algorithms_of` has room for every algorithm.
const _: () = assert!(Algorithm::ALL.len() == 14);

/// The JWK's `kid`, unescaped into fixed storage: `Some(None)` without one, `None` when it
/// is too long to keep.
fn kid_of(jwk: &Jwk<'_>) -> Option<Option<String<MAX_KID_LEN>>> {
    let Some(kid) = jwk.kid() else {
        return Some(None);
    };
    let mut out = String::new();
    for c in kid.chars() {
        out.push(c).ok()?;
    }
    Some(Some(out))
}

#[cfg(test)]
#[cfg(all(feature = "hmac", feature = "alloc"))]
mod tests {
    use super::*;
    use std::format;
    use std::string::String as Text;
    use std::vec::Vec;

    std::thread_local! {
        /// Entries `mark_ambiguous` looked at in this thread.
        pub(super) static LOOKED_AT: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    /// HS256 keys with the `kid`s `usable`, then keys declared for HS256 whose secret is too
    /// short to import, with the `kid`s `weak`.
    fn document(usable: &[Text], weak: &[Text]) -> Text {
        let good = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
        let member = |kid: &Text, k: &str| {
            format!(r#"{{"kty":"oct","alg":"HS256","kid":"{kid}","k":"{k}"}}"#)
        };
        let keys: Vec<Text> = (usable.iter().map(|kid| member(kid, good)))
            .chain(weak.iter().map(|kid| member(kid, "AAAA")))
            .collect();
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    }

    /// Entries looked at while reading `doc` into a growable set, and how many entries
    /// were marked ambiguous.
    fn read(doc: &str) -> (usize, usize) {
        LOOKED_AT.with(|n| n.set(0));
        let set = KeySet::<super::super::Heap>::parse(doc.as_bytes()).unwrap();
        let marked = set.entries.iter().filter(|e| e.ambiguous).count();
        (LOOKED_AT.with(|n| n.get()), marked)
    }

    fn kids(prefix: &str, n: usize) -> Vec<Text> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[test]
    fn keys_that_fail_to_import_cost_a_lookup_each_whatever_the_mix() {
        let n = 2_000;
        // Distinct kids: each weak key finds its one twin (comparing every weak key with
        // every entry looked at n * n entries).
        assert_eq!(read(&document(&kids("k", n), &kids("k", n))), (n, n));
        // One kid for all: the first weak key marks every entry, the others stop at the first.
        let same = std::vec![Text::from("same"); n];
        let (looked_at, marked) = read(&document(&same, &same));
        assert_eq!(marked, n);
        assert!(looked_at < 2 * n, "{looked_at} entries looked at");
        // Weak keys whose kid no entry has look at nothing, and mark nothing.
        assert_eq!(read(&document(&kids("k", n), &kids("weak", n))), (0, 0));
        // Half of each.
        let half: Vec<Text> = kids("k", n / 2)
            .into_iter()
            .chain(kids("weak", n / 2))
            .collect();
        assert_eq!(read(&document(&kids("k", n), &half)), (n / 2, n / 2));
    }
}
