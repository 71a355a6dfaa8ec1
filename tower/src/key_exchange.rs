//! Key sets shared by the replicas of a fleet: one replica fetches a provider's JWK Set and
//! publishes the document; the others install it without asking the provider. A short lock
//! makes a refresh, or an unknown-`kid` refetch, happen once per interval for the fleet.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A provider's JWK Set document as one replica fetched it, for the others to use.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use jwt_core_tower::SharedKeySet;
/// let set = SharedKeySet::new(
///     br#"{"keys":[]}"#.to_vec(),
///     Some("\"v1\"".into()),
///     SystemTime::now(),
///     Some(Duration::from_secs(600)),
/// );
/// assert_eq!(set.etag.as_deref(), Some("\"v1\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedKeySet {
    /// The document, as the provider sent it.
    pub document: Vec<u8>,
    /// The provider's `ETag` for it, to revalidate with `If-None-Match`.
    pub etag: Option<String>,
    /// When the provider sent or confirmed it (wall-clock time: replicas compare it across
    /// machines). Its age counts toward its lifetime on every replica.
    pub fetched_at: SystemTime,
    /// The provider's `Cache-Control: max-age`; each replica clamps it with its
    /// [`KeyCachePolicy`](crate::KeyCachePolicy).
    pub max_age: Option<Duration>,
}

impl SharedKeySet {
    /// How far ahead of a replica's clock `fetched_at` may be: a set stamped later than
    /// that is ignored (it would count as newer and fresh for as long as the clock is
    /// behind), and any publish replaces it.
    pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

    /// Whether `fetched_at` is more than [`CLOCK_TOLERANCE`](Self::CLOCK_TOLERANCE) ahead
    /// of `now`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use jwt_core_tower::SharedKeySet;
    /// let now = SystemTime::now();
    /// let ahead = SharedKeySet::new(Vec::new(), None, now + Duration::from_secs(60), None);
    /// assert!(ahead.stamped_ahead_of(now));
    /// assert!(!SharedKeySet::new(Vec::new(), None, now, None).stamped_ahead_of(now));
    /// ```
    pub fn stamped_ahead_of(&self, now: SystemTime) -> bool {
        self.fetched_at
            .duration_since(now)
            .is_ok_and(|ahead| ahead > Self::CLOCK_TOLERANCE)
    }

    /// Whether publishing `self` replaces `held`: it was fetched later, or `held` is
    /// stamped ahead of `now` (so an older answer never overwrites a newer one).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use jwt_core_tower::SharedKeySet;
    /// let now = SystemTime::now();
    /// let old = SharedKeySet::new(Vec::new(), None, now - Duration::from_secs(9), None);
    /// let new = SharedKeySet::new(Vec::new(), None, now, None);
    /// assert!(new.replaces(&old, now));
    /// assert!(!old.replaces(&new, now));
    /// ```
    pub fn replaces(&self, held: &SharedKeySet, now: SystemTime) -> bool {
        self.fetched_at > held.fetched_at || held.stamped_ahead_of(now)
    }

    /// A document fetched at `fetched_at`.
    pub fn new(
        document: Vec<u8>,
        etag: Option<String>,
        fetched_at: SystemTime,
        max_age: Option<Duration>,
    ) -> Self {
        SharedKeySet {
            document,
            etag,
            fetched_at,
            max_age,
        }
    }
}

/// Why a [`KeySetExchange`] could not answer. The replica then fetches on its own, as
/// without an exchange: no request is refused for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The exchange could not be reached or failed (for remote exchanges).
    Unavailable(String),
    /// What the exchange holds is not a key set document this replica can use.
    Invalid(String),
}

impl std::fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExchangeError::Unavailable(why) => write!(f, "key set exchange unavailable: {why}"),
            ExchangeError::Invalid(why) => {
                write!(f, "key set exchange holds an invalid set: {why}")
            }
        }
    }
}

impl std::error::Error for ExchangeError {}

/// The future a [`KeySetExchange`] answers with.
pub type ExchangeFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ExchangeError>> + Send + 'a>>;

/// Where the replicas of a fleet share the key set documents they fetch, by `jwks_uri`
/// (Redis in `jwt-gateway`; [`MemoryKeySetExchange`] within one process). Plugged in with
/// [`AuthenticatorBuilder::key_set_exchange`](crate::AuthenticatorBuilder::key_set_exchange).
///
/// Before any fetch from a provider (scheduled, expired set, unknown `kid`), a replica
/// [reads](Self::read) the shared document: one fetched more recently than its own set and
/// still within its lifetime is installed instead (its age counts, so the fleet refreshes
/// on the first fetch's schedule), and an unknown-`kid` refetch counts as done when the
/// document was fetched within the forced-refresh interval. Otherwise the replica
/// [claims](Self::claim) the fleet's fetch for that interval; the one that gets it asks the
/// provider and [publishes](Self::publish), the others wait a bounded time for that
/// document. Any [`ExchangeError`] sends the replica to the provider on its own, under its
/// own rate limit; so does a document that does not parse or is stamped more than
/// [`SharedKeySet::CLOCK_TOLERANCE`] ahead (ignored, and overwritten by the next publish).
/// Each call is bounded by the HTTP timeout: one that takes longer counts as unavailable.
///
/// Whoever can write to the exchange can give the fleet keys: it must be trusted as much
/// as the provider's own answers (a Redis reached over TLS or a private network, with
/// access control).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use jwt_core_tower::{KeySetExchange, MemoryKeySetExchange, SharedKeySet};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let exchange = MemoryKeySetExchange::new();
/// let uri = "https://idp.example/jwks";
/// let hold = Duration::from_secs(30);
/// assert_eq!(exchange.claim(uri, hold).await, Ok(true), "this replica fetches");
/// assert_eq!(exchange.claim(uri, hold).await, Ok(false), "the others wait");
/// let set = SharedKeySet::new(br#"{"keys":[]}"#.to_vec(), None, SystemTime::now(), None);
/// exchange.publish(uri, set.clone(), Duration::from_secs(300)).await.unwrap();
/// assert_eq!(exchange.read(uri).await, Ok(Some(set)));
/// # }
/// ```
pub trait KeySetExchange: Send + Sync + 'static {
    /// The document last published for `jwks_uri`, if one is held.
    fn read<'a>(&'a self, jwks_uri: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>>;

    /// Claims the fleet's next fetch of `jwks_uri`: `true` for one caller alone until
    /// `hold` has passed (an atomic set-if-absent with that expiry), `false` for every
    /// other. The claim is not released: it is also how often the fleet may fetch.
    fn claim<'a>(&'a self, jwks_uri: &'a str, hold: Duration) -> ExchangeFuture<'a, bool>;

    /// Makes `set` the document of `jwks_uri` for the fleet, held for `lifetime` at least
    /// (a reader ignores it once its age passes its lifetime anyway), unless the document
    /// held was fetched later: it is replaced only as [`SharedKeySet::replaces`] says, in
    /// one atomic step, so a slow fetch never overwrites a newer one.
    fn publish<'a>(
        &'a self,
        jwks_uri: &'a str,
        set: SharedKeySet,
        lifetime: Duration,
    ) -> ExchangeFuture<'a, ()>;
}

/// A [`KeySetExchange`] in memory: the authenticators of one process that are given clones
/// of it share their key sets (and tests and examples use it). Each `jwks_uri` holds one
/// document and one claim, dropped when they expire.
///
/// ```
/// use std::time::Duration;
/// use jwt_core_tower::{KeySetExchange, MemoryKeySetExchange};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let exchange = MemoryKeySetExchange::new();
/// let replica = exchange.clone();
/// let hold = Duration::from_millis(20);
/// assert_eq!(exchange.claim("https://idp.example/jwks", hold).await, Ok(true));
/// assert_eq!(replica.claim("https://idp.example/jwks", hold).await, Ok(false));
/// tokio::time::sleep(Duration::from_millis(30)).await;
/// assert_eq!(replica.claim("https://idp.example/jwks", hold).await, Ok(true));
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryKeySetExchange {
    shelves: Arc<Mutex<Shelves>>,
}

#[derive(Debug, Default)]
struct Shelves {
    /// By `jwks_uri`: the document and until when it is held.
    documents: HashMap<String, (SharedKeySet, Instant)>,
    /// By `jwks_uri`: until when the fleet's fetch is claimed.
    claims: HashMap<String, Instant>,
}

impl MemoryKeySetExchange {
    /// An empty exchange.
    pub fn new() -> Self {
        MemoryKeySetExchange::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Shelves, Instant) -> R) -> R {
        // A poisoned lock only means another thread panicked while holding it; each
        // operation below changes one entry in one step, so the maps are consistent.
        let mut shelves = self.shelves.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut shelves, Instant::now())
    }
}

/// `now + after`, without overflow: a century at most.
fn later(now: Instant, after: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    now.checked_add(after.min(CENTURY)).unwrap_or(now)
}

impl KeySetExchange for MemoryKeySetExchange {
    fn read<'a>(&'a self, jwks_uri: &'a str) -> ExchangeFuture<'a, Option<SharedKeySet>> {
        let held = self.with(|shelves, now| match shelves.documents.get(jwks_uri) {
            Some((set, until)) if now < *until => Some(set.clone()),
            Some(_) => {
                shelves.documents.remove(jwks_uri);
                None
            }
            None => None,
        });
        Box::pin(std::future::ready(Ok(held)))
    }

    fn claim<'a>(&'a self, jwks_uri: &'a str, hold: Duration) -> ExchangeFuture<'a, bool> {
        let claimed = self.with(|shelves, now| {
            if shelves
                .claims
                .get(jwks_uri)
                .is_some_and(|until| now < *until)
            {
                return false;
            }
            shelves
                .claims
                .insert(jwks_uri.to_string(), later(now, hold));
            true
        });
        Box::pin(std::future::ready(Ok(claimed)))
    }

    fn publish<'a>(
        &'a self,
        jwks_uri: &'a str,
        set: SharedKeySet,
        lifetime: Duration,
    ) -> ExchangeFuture<'a, ()> {
        let wall = SystemTime::now();
        self.with(|shelves, now| {
            let keep = shelves
                .documents
                .get(jwks_uri)
                .is_some_and(|(held, until)| now < *until && !set.replaces(held, wall));
            if !keep {
                shelves
                    .documents
                    .insert(jwks_uri.to_string(), (set, later(now, lifetime)));
            }
        });
        Box::pin(std::future::ready(Ok(())))
    }
}
