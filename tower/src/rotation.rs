//! Key rotation: replacing a key set while verifications continue.

use std::sync::{Arc, PoisonError, RwLock};

/// A value, typically a key set, that request handlers share and that is replaced whole when
/// the identity provider rotates its keys. A handler takes a snapshot with
/// [`load`](Self::load) and verifies with it; [`replace`](Self::replace) swaps in a new value
/// without waiting for verifications in flight, which finish with the snapshot they hold.
///
/// ```
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::GrowableJwkSet;
/// use jwt_core_tower::Rotating;
/// let jwks = |kid: &str| format!(
///     r#"{{"keys":[{{"kty":"oct","kid":"{kid}","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}}]}}"#);
/// let keys = Rotating::new(GrowableJwkSet::parse(jwks("2026-01").as_bytes())?);
/// let in_flight = keys.load();
/// keys.replace(GrowableJwkSet::parse(jwks("2026-02").as_bytes())?);
/// assert_eq!(in_flight.iter().next().unwrap().0, Some("2026-01"));
/// assert_eq!(keys.load().iter().next().unwrap().0, Some("2026-02"));
/// # Ok(())
/// # }
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
        std::mem::replace(&mut *current, Arc::new(value))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use jwt_core::{Error, GrowableJwkSet, HeaderFields, Rs256PrivateKey, Validation};

    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[derive(serde::Deserialize, Debug)]
    struct Sub<'a> {
        sub: &'a str,
    }

    fn rs256_token(kid: &str) -> String {
        let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
        let key = Rs256PrivateKey::from_pkcs1_der(der).unwrap();
        let claims = serde_json::json!({ "sub": "u1", "exp": NOW + 300 });
        jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &claims).unwrap()
    }

    #[test]
    fn rotation_swaps_sets_while_verifications_continue() {
        // Auth0 publishes the next key before signing with it: the first set has the current
        // key only, the second also the next one (here, the same material under a new kid).
        let first = include_str!("../../tests/data/jwks/auth0.json");
        let second = first.replace("auth0-previous", "auth0-next");
        let keys = Arc::new(Rotating::new(
            GrowableJwkSet::parse(first.as_bytes()).unwrap(),
        ));
        let current = rs256_token("auth0-current");
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (keys, stop, token) = (Arc::clone(&keys), Arc::clone(&stop), current.clone());
                std::thread::spawn(move || {
                    let mut verified = 0u32;
                    while !stop.load(Ordering::Relaxed) || verified == 0 {
                        let mut buf = [0u8; 1024];
                        let set = keys.load();
                        let claims: Sub = set
                            .verify(&token, &Validation::new(), NOW, &mut buf)
                            .unwrap();
                        assert_eq!(claims.sub, "u1");
                        verified += 1;
                    }
                    verified
                })
            })
            .collect();
        for round in 0..20 {
            let doc = if round % 2 == 0 { &second } else { first };
            keys.replace(GrowableJwkSet::parse(doc.as_bytes()).unwrap());
        }
        stop.store(true, Ordering::Relaxed);
        for reader in readers {
            assert!(reader.join().unwrap() > 0);
        }
        // A kid retired by the provider is unknown once the set without it is current.
        keys.replace(GrowableJwkSet::parse(second.as_bytes()).unwrap());
        assert!(keys.load().iter().any(|(kid, _)| kid == Some("auth0-next")));
        keys.replace(GrowableJwkSet::parse(first.as_bytes()).unwrap());
        let mut buf = [0u8; 1024];
        let retired = keys.load().verify::<Sub>(
            &rs256_token("auth0-next"),
            &Validation::new(),
            NOW,
            &mut buf,
        );
        assert_eq!(retired.unwrap_err(), Error::UnknownKey);
    }
}
