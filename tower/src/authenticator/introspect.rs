//! Opaque tokens: RFC 7662 introspection at the one provider chosen for the token, and the
//! introspection cache.

use std::sync::Arc;
use std::time::Duration;

use jwt_core::RegisteredClaims;
use jwt_core::json::Value;
use serde::de::DeserializeOwned;
use tracing::{Instrument, debug, trace, warn};

use super::{Authenticator, Entry, ProviderState, Verified, token_digest};
use crate::metrics::bump;
use crate::provider::Introspection;
use crate::refusal::Refusal;

impl<T: DeserializeOwned + Send + Sync + 'static> Authenticator<T> {
    /// The providers an opaque token may be disclosed to, with their introspection settings
    /// and endpoints: the one whose
    /// [`Provider::opaque_token_prefix`](crate::Provider::opaque_token_prefix) the token has,
    /// else the one introspecting without a prefix, or with
    /// [`introspect_in_turn`](super::AuthenticatorBuilder::introspect_in_turn) each of those
    /// in turn.
    fn introspectors_for<'a>(
        &'a self,
        token: &'a str,
    ) -> impl Iterator<Item = (usize, &'a ProviderState, &'a Introspection, &'a str)> {
        let introspecting = self.inner.providers.iter().enumerate();
        let introspecting = introspecting.filter_map(|(index, provider)| {
            let settings = provider.config.introspection.as_ref()?;
            let endpoint = provider.introspection_endpoint.as_deref()?;
            Some((index, provider, settings, endpoint))
        });
        fn prefix(provider: &ProviderState) -> Option<&str> {
            provider.config.opaque_token_prefix.as_deref()
        }
        let claimed = introspecting
            .clone()
            .find(|(_, p, _, _)| prefix(p).is_some_and(|prefix| token.starts_with(prefix)));
        // `build` allows one provider without a prefix unless in turn was chosen; `take`
        // keeps that promise here too.
        let asked = if self.inner.introspect_in_turn {
            usize::MAX
        } else {
            1
        };
        let unclaimed = introspecting
            .filter(move |(_, p, _, _)| claimed.is_none() && prefix(p).is_none())
            .take(asked);
        claimed.into_iter().chain(unclaimed)
    }

    /// RFC 7662: asks the provider chosen for the token ([`introspectors_for`]); it must say
    /// the token is active and a bearer token, and the answer must satisfy its rules.
    ///
    /// [`introspectors_for`]: Self::introspectors_for
    pub(super) async fn introspect(&self, token: &str) -> Result<Verified<T>, Refusal> {
        let inner = &self.inner;
        let now = (inner.clock)();
        let digest = token_digest(token);
        if let Some(entry) = inner.introspection_cache.get(&digest) {
            bump(&inner.metrics.introspection_cache_hits);
            trace!("introspection cache hit");
            return self.recheck(&entry, now);
        }
        // A JWS is not what this is, and no provider that could be asked claims it.
        let introspects = inner
            .providers
            .iter()
            .any(|p| p.config.introspection.is_some());
        let mut outcome = Err(if introspects {
            Refusal::UnknownIssuer
        } else {
            Refusal::Token(jwt_core::Error::Malformed)
        });
        for (index, provider, settings, endpoint) in self.introspectors_for(token) {
            bump(&inner.metrics.introspections);
            let form = [("token", token), ("token_type_hint", "access_token")];
            let answer = match inner
                .fetcher
                .post_form(
                    endpoint,
                    &settings.client_id,
                    &settings.client_secret,
                    &form,
                )
                .instrument(tracing::debug_span!("introspection", issuer = %provider.issuer))
                .await
            {
                Ok(answer) => answer,
                Err(e) => {
                    warn!(issuer = %provider.issuer, error = %e, "introspection failed");
                    outcome = Err(Refusal::IntrospectionUnavailable);
                    continue;
                }
            };
            let cached = |verified: Option<Verified<T>>, ttl: Duration| {
                let entry = Entry {
                    provider: index,
                    generation: None,
                    json: answer.clone().into_boxed_slice(),
                    verified,
                    ttl: ttl.min(settings.cache_ttl),
                };
                if !entry.ttl.is_zero() {
                    inner.introspection_cache.insert(digest, Arc::new(entry));
                }
            };
            let claims = RegisteredClaims::parse(&answer)
                .ok()
                .filter(|claims| is_active_bearer(claims, &provider.issuer));
            let Some(claims) = claims else {
                cached(None, settings.cache_ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            };
            if let Err(e) = provider
                .config
                .with_validation(true, |policy| policy.validate(&answer, now))
            {
                debug!(issuer = %provider.issuer, error = %e, "introspection answer refused");
                cached(None, settings.cache_ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            }
            let (verified, ttl) = self.accepted(index, &claims, true, now)?;
            cached(Some(verified.clone()), ttl);
            return Ok(verified);
        }
        outcome
    }
}

/// Whether an introspection answer says `"active": true`, names this issuer if it names
/// one, and is for a bearer token. A token bound to a key carries the key's confirmation
/// `cnf` in its answer (RFC 7800; RFC 8705 section 3.2, RFC 9449 section 6.2), and is
/// usable only with a proof of possession of that key (RFC 9449 section 7.1, RFC 8705
/// section 3), which this crate does not check: as a bearer token it is refused. (A `cnf`
/// that is not an object, `null` included, is already refused when the answer is read.)
fn is_active_bearer(answer: &RegisteredClaims<'_>, issuer: &str) -> bool {
    matches!(answer.member("active"), Ok(Some(Value::Bool(true))))
        && answer.confirmation().is_none()
        && answer.issuer().is_none_or(|iss| iss == issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the authenticator takes `answer` for an active bearer token's.
    fn is_active_answer(answer: &[u8], issuer: &str) -> bool {
        RegisteredClaims::parse(answer).is_ok_and(|claims| is_active_bearer(&claims, issuer))
    }

    #[test]
    fn only_active_answers_from_the_provider_count() {
        let issuer = "https://idp.example";
        assert!(is_active_answer(br#"{"active":true}"#, issuer));
        assert!(is_active_answer(
            br#"{"active":true,"iss":"https://idp.example"}"#,
            issuer
        ));
        assert!(!is_active_answer(
            br#"{"active":true,"iss":"https://other.example"}"#,
            issuer
        ));
        assert!(!is_active_answer(br#"{"active":false}"#, issuer));
        assert!(!is_active_answer(br#"{"active":"true"}"#, issuer));
        assert!(!is_active_answer(br#"{}"#, issuer));
        assert!(!is_active_answer(b"not json", issuer));
    }

    #[test]
    fn answers_for_tokens_bound_to_a_key_are_not_bearer_answers() {
        let issuer = "https://idp.example";
        for bound in [
            r#"{"active":true,"token_type":"DPoP","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#,
            r#"{"active":true,"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#,
            r#"{"cnf":{"kid":"k1"},"active":true,"iss":"https://idp.example"}"#,
            r#"{"active":true,"cnf":{}}"#,
            r#"{"active":true,"cnf":null}"#,
            r#"{"active":true,"cnf":"jkt"}"#,
        ] {
            assert!(!is_active_answer(bound.as_bytes(), issuer), "{bound}");
        }
        assert!(is_active_answer(
            br#"{"active":true,"token_type":"Bearer"}"#,
            issuer
        ));
    }
}
