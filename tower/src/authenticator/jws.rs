//! Checking a JWS: with the keys of the provider its `iss` names, or from the
//! verified-token cache.

use std::sync::Arc;

use jwt_core::json::{self, Value};
use serde::de::DeserializeOwned;
use tracing::{debug, trace};

use super::{Authenticator, Entry, Presented, Verified, token_digest};
use crate::metrics::bump;
use crate::refusal::Refusal;

impl<T: DeserializeOwned + Send + Sync + 'static> Authenticator<T> {
    pub(super) async fn verify_jws(
        &self,
        token: &str,
        presented: &Presented<'_>,
    ) -> Result<Verified<T>, Refusal> {
        let inner = &self.inner;
        let now = (inner.clock)();
        let digest = inner.token_cache.as_ref().map(|_| token_digest(token));
        if let (Some(cache), Some(digest)) = (&inner.token_cache, &digest) {
            if let Some(entry) = cache.get(digest) {
                let keys = inner.providers.get(entry.provider).map(|p| &p.keys);
                let current = keys.is_some_and(|k| Some(k.generation()) == entry.generation);
                // A set past its staleness bound verifies nothing, cached or not: the token
                // is answered as a miss (503 while the provider stays down), and the entry
                // is kept for when the set is usable again.
                if current && keys.is_some_and(|k| k.usable_now()) {
                    bump(&inner.metrics.token_cache_hits);
                    trace!("verified-token cache hit");
                    return self.recheck(&entry, now, presented);
                }
                if !current {
                    cache.invalidate(digest);
                    debug!("verified-token cache entry dropped: its key set was replaced");
                }
            }
            bump(&inner.metrics.token_cache_misses);
            trace!("verified-token cache miss");
        }
        let index = self.provider_for(token)?;
        let provider = inner.providers.get(index).ok_or(Refusal::UnknownIssuer)?;
        if !presented.allowed_by(&provider.config) {
            return Err(Refusal::SchemeNotAllowed);
        }
        let mut snapshot = provider
            .keys
            .usable()
            .await
            .ok_or(Refusal::KeysUnavailable)?;
        let mut buf = vec![0u8; 2 * token.len()];
        let claims = loop {
            let set = snapshot.set.as_ref().ok_or(Refusal::KeysUnavailable)?;
            let binding = presented.binding();
            let outcome = provider.config.with_validation(false, binding, |policy| {
                set.verify_claims(token, policy, now, &mut buf)
            });
            match outcome {
                Err(jwt_core::Error::UnknownKey) => {
                    match provider.keys.after_unknown_kid(&snapshot).await {
                        Some(newer) => snapshot = newer,
                        None => return Err(Refusal::Token(jwt_core::Error::UnknownKey)),
                    }
                }
                Err(e) => return Err(Refusal::Token(e)),
                Ok(claims) => break claims,
            }
        };
        let (verified, ttl) = self.accepted(index, &claims, false, now)?;
        if let (Some(cache), Some(digest)) = (&inner.token_cache, digest) {
            let entry = Entry {
                provider: index,
                generation: Some(snapshot.generation),
                json: claims.json().into(),
                verified: Some(verified.clone()),
                ttl,
            };
            cache.insert(digest, Arc::new(entry));
        }
        Ok(verified)
    }

    /// Chooses the provider by the token's `iss`, read before verification (verification
    /// then binds the provider's keys to that issuer). With one provider there is no choice.
    pub(super) fn provider_for(&self, token: &str) -> Result<usize, Refusal> {
        if self.inner.providers.len() == 1 {
            return Ok(0);
        }
        let payload = token.split('.').nth(1).unwrap_or_default();
        let mut decoded = vec![0u8; payload.len()];
        let len = jwt_core::base64url::decode(payload.as_bytes(), &mut decoded)
            .map_err(Refusal::Token)?;
        #[cfg(test)]
        super::tests::count_claims_read();
        let mut chosen = None;
        json::parse_object(decoded.get(..len).unwrap_or_default(), |name, value| {
            if name == "iss" {
                if let Value::String(iss) = value {
                    chosen = self.inner.providers.iter().position(|p| iss == *p.issuer);
                }
            }
            Ok(())
        })
        .map_err(Refusal::Token)?;
        chosen.ok_or(Refusal::UnknownIssuer)
    }
}
