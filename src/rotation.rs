//! Key rotation: replacing a key set while verifications continue (`std`).

use std::sync::{Arc, PoisonError, RwLock};

/// A value, typically a key set, that request handlers share and that is replaced whole when
/// the identity provider rotates its keys. A handler takes a snapshot with
/// [`load`](Self::load) and verifies with it; [`replace`](Self::replace) swaps in a new value
/// without waiting for verifications in flight, which finish with the snapshot they hold.
///
/// ```
/// # #[cfg(feature = "hs256")]
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::{GrowableJwkSet, Rotating};
/// let jwks = |kid: &str| format!(
///     r#"{{"keys":[{{"kty":"oct","kid":"{kid}","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}}]}}"#);
/// let keys = Rotating::new(GrowableJwkSet::parse(jwks("2026-01").as_bytes())?);
/// let in_flight = keys.load();
/// keys.replace(GrowableJwkSet::parse(jwks("2026-02").as_bytes())?);
/// assert_eq!(in_flight.iter().next().unwrap().0, Some("2026-01"));
/// assert_eq!(keys.load().iter().next().unwrap().0, Some("2026-02"));
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "hs256"))]
/// # fn main() {}
/// ```
#[derive(Debug)]
pub struct Rotating<T> {
    current: RwLock<Arc<T>>,
}

impl<T> Rotating<T> {
    /// Starts with `value`.
    pub fn new(value: T) -> Self {
        Rotating {
            current: RwLock::new(Arc::new(value)),
        }
    }

    /// The current value. The lock is held only to clone the `Arc`; a panic elsewhere while
    /// it was held does not make this fail (the value is replaced whole, never half-written).
    pub fn load(&self) -> Arc<T> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Makes `value` the current value and returns the previous one.
    pub fn replace(&self, value: T) -> Arc<T> {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        core::mem::replace(&mut *current, Arc::new(value))
    }
}
