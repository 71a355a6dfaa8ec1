//! Replay protection for DPoP proofs (RFC 9449 section 11.1): each proof's `jti` is
//! accepted once while its `iat` is inside the window the proof could be accepted in.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What identifies a proof for the replay check: the SHA-256 of the proof key's thumbprint
/// and the `jti` (so one client's `jti`s never collide with another's), 32 bytes whatever
/// the `jti`'s length.
pub type ReplayKey = [u8; 32];

/// A replay check's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// First use: the key is now remembered until it expires.
    Fresh,
    /// The key was seen before and has not expired: a replayed proof.
    Replayed,
}

/// Why a replay store could not answer. The proof is then refused (503): a proof that cannot
/// be checked for replay is not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The store is full of keys that have not expired yet.
    Full,
    /// The store could not be reached or failed (for remote stores).
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Full => f.write_str("replay store full of unexpired proofs"),
            StoreError::Unavailable(why) => write!(f, "replay store unavailable: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// The future a [`ReplayStore`] answers with.
pub type ReplayFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Freshness, StoreError>> + Send + 'a>>;

/// Where the `jti`s of accepted DPoP proofs are kept: shared by every clone of an
/// authenticator, and by every instance of a fleet when it is a shared store (Redis...).
///
/// [`check_and_remember`](Self::check_and_remember) must be atomic: of two concurrent
/// calls with the same key, one alone is [`Fresh`](Freshness::Fresh). A key must be
/// remembered for `ttl` at least, and never forgotten earlier to make room.
///
/// ```
/// use jwt_core_tower::{Freshness, MemoryReplayStore, ReplayStore};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let store = MemoryReplayStore::new(2);
/// let ttl = std::time::Duration::from_secs(360);
/// assert_eq!(store.check_and_remember([1; 32], ttl).await, Ok(Freshness::Fresh));
/// assert_eq!(store.check_and_remember([1; 32], ttl).await, Ok(Freshness::Replayed));
/// # }
/// ```
pub trait ReplayStore: Send + Sync + 'static {
    /// Whether `key` was seen within its lifetime; if not, remembers it for `ttl`.
    fn check_and_remember(&self, key: ReplayKey, ttl: Duration) -> ReplayFuture<'_>;
}

/// The default [`ReplayStore`]: in memory, for one process, holding at most `capacity`
/// unexpired keys. Expired keys are dropped as new ones come; when every slot holds an
/// unexpired key, a new proof is refused ([`StoreError::Full`]) rather than any key
/// forgotten early, which would let its proof be replayed.
///
/// ```
/// use jwt_core_tower::{MemoryReplayStore, ReplayStore, StoreError};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let store = MemoryReplayStore::new(1);
/// let ttl = std::time::Duration::from_secs(360);
/// store.check_and_remember([1; 32], ttl).await.unwrap();
/// assert_eq!(store.check_and_remember([2; 32], ttl).await, Err(StoreError::Full));
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    state: Mutex<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    keys: HashSet<ReplayKey>,
    /// The keys by expiry, soonest first.
    expiries: BinaryHeap<Reverse<(Instant, ReplayKey)>>,
}

impl MemoryReplayStore {
    /// A store holding at most `capacity` unexpired keys (each about 80 bytes).
    pub fn new(capacity: usize) -> Self {
        MemoryReplayStore {
            capacity,
            state: Mutex::new(Remembered::default()),
        }
    }

    fn check(&self, key: ReplayKey, ttl: Duration, now: Instant) -> Result<Freshness, StoreError> {
        // A poisoned lock only means another thread panicked while holding it; the sets are
        // updated together in one step below, so they are consistent.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        while let Some(Reverse((expiry, _))) = state.expiries.peek() {
            if *expiry > now {
                break;
            }
            if let Some(Reverse((_, old))) = state.expiries.pop() {
                state.keys.remove(&old);
            }
        }
        if state.keys.contains(&key) {
            return Ok(Freshness::Replayed);
        }
        if state.keys.len() >= self.capacity {
            return Err(StoreError::Full);
        }
        state.keys.insert(key);
        state.expiries.push(Reverse((now + ttl, key)));
        Ok(Freshness::Fresh)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_remember(&self, key: ReplayKey, ttl: Duration) -> ReplayFuture<'_> {
        let outcome = self.check(key, ttl, Instant::now());
        Box::pin(std::future::ready(outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_remembered_until_they_expire_and_a_full_store_refuses() {
        let store = MemoryReplayStore::new(2);
        let start = Instant::now();
        let ttl = Duration::from_secs(10);
        assert_eq!(store.check([1; 32], ttl, start), Ok(Freshness::Fresh));
        assert_eq!(store.check([1; 32], ttl, start), Ok(Freshness::Replayed));
        let later = start + Duration::from_secs(5);
        assert_eq!(store.check([2; 32], ttl, later), Ok(Freshness::Fresh));
        // Full of unexpired keys: refused, nothing forgotten.
        assert_eq!(store.check([3; 32], ttl, later), Err(StoreError::Full));
        assert_eq!(store.check([1; 32], ttl, later), Ok(Freshness::Replayed));
        // Once the first key expires, its slot is free, and only its.
        let expired = start + ttl;
        assert_eq!(store.check([3; 32], ttl, expired), Ok(Freshness::Fresh));
        assert_eq!(store.check([2; 32], ttl, expired), Ok(Freshness::Replayed));
        assert_eq!(store.check([1; 32], ttl, expired), Err(StoreError::Full));
    }
}
