//! Opaque tokens: RFC 7662 introspection at the one provider chosen for the token, and the
//! introspection cache.

use std::sync::Arc;
use std::time::Duration;

use jwt_core::json::Value;
use jwt_core::{Claim, RegisteredClaims};
use serde::de::DeserializeOwned;
use tracing::{Instrument, debug, trace, warn};

use super::{Authenticator, Entry, Presented, ProviderState, Verified, token_digest};
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
    pub(super) fn introspectors_for<'a>(
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
    /// the token is active, and the answer must satisfy its rules: for a token bound to a
    /// key (`cnf`), that the request proved it holds that key.
    ///
    /// [`introspectors_for`]: Self::introspectors_for
    pub(super) async fn introspect(
        &self,
        token: &str,
        presented: &Presented<'_>,
    ) -> Result<Verified<T>, Refusal> {
        let inner = &self.inner;
        let now = (inner.clock)();
        let digest = token_digest(token);
        if let Some(entry) = inner.introspection_cache.get(&digest) {
            bump(&inner.metrics.introspection_cache_hits);
            trace!("introspection cache hit");
            return self.recheck(&entry, now, presented);
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
            // Not disclosed to a provider that does not take it presented so.
            if !presented.allowed_by(&provider.config) {
                outcome = Err(Refusal::SchemeNotAllowed);
                continue;
            }
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
                .filter(|claims| is_active(claims, &provider.issuer));
            let Some(claims) = claims else {
                cached(None, settings.cache_ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            };
            let binding = presented.binding();
            let validated = provider
                .config
                .with_validation(true, binding, |policy| policy.validate(&answer, now));
            if let Err(
                jwt_core::Error::SenderConstrained | jwt_core::Error::MissingClaim(Claim::Cnf),
            ) = validated
            {
                // Refused for the way it was presented alone (a bound token as a bearer
                // token, or the other way round): cached as the answer it is, which each use
                // rechecks with its own presentation.
                debug!(issuer = %provider.issuer, "introspected token presented without its binding");
                let (verified, ttl) = self.accepted(index, &claims, true, now)?;
                cached(Some(verified), ttl);
                outcome = Err(Refusal::NotActive);
                continue;
            }
            if let Err(e) = validated {
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

/// Whether an introspection answer says `"active": true` and names this issuer if it names
/// one. A token bound to a key carries the key's confirmation `cnf` in its answer
/// (RFC 7800; RFC 8705 section 3.2, RFC 9449 section 6.2) and is usable only with a proof
/// of possession of that key (RFC 9449 section 7.1, RFC 8705 section 3): the answer's
/// validation checks that, with the key the request proved (a `cnf` that is not an object,
/// `null` included, is already refused when the answer is read).
fn is_active(answer: &RegisteredClaims<'_>, issuer: &str) -> bool {
    matches!(answer.member("active"), Ok(Some(Value::Bool(true))))
        && answer.issuer().is_none_or(|iss| iss == issuer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use crate::provider::Binding;
    use jwt_core::Confirmation;

    /// Whether the authenticator takes `answer` for an active token's.
    fn is_active_answer(answer: &[u8], issuer: &str) -> bool {
        RegisteredClaims::parse(answer).is_ok_and(|claims| is_active(&claims, issuer))
    }

    /// Whether the authenticator accepts `answer` (with `exp` 9 and the issuer, at time 0)
    /// for a token presented with the proof of `confirmed`, or as a bearer token.
    fn is_accepted(answer: &str, confirmed: Option<Confirmation<'_>>) -> bool {
        let issuer = "https://idp.example";
        let mut answer = answer.replacen('{', r#"{"exp":9,"#, 1);
        if !answer.contains(r#""iss""#) {
            answer = answer.replacen('{', r#"{"iss":"https://idp.example","#, 1);
        }
        is_active_answer(answer.as_bytes(), issuer)
            && Provider::discover(issuer)
                .with_validation(true, confirmed.map(Binding::Required), |v| {
                    v.validate(answer.as_bytes(), 0)
                })
                .is_ok()
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
        const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        let dpop_bound = r#"{"active":true,"token_type":"DPoP","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#;
        for bound in [
            dpop_bound,
            r#"{"active":true,"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#,
            r#"{"cnf":{"kid":"k1"},"active":true,"iss":"https://idp.example"}"#,
            r#"{"active":true,"cnf":{}}"#,
            r#"{"active":true,"cnf":null}"#,
            r#"{"active":true,"cnf":"jkt"}"#,
        ] {
            assert!(!is_accepted(bound, None), "{bound}");
        }
        assert!(is_accepted(
            r#"{"active":true,"token_type":"Bearer"}"#,
            None
        ));
        // With the proof of its key, and only that key's, the DPoP-bound answer is accepted;
        // a bearer token's answer is not, with a proof.
        let proven = Some(Confirmation::JwkThumbprint(JKT));
        let other = Some(Confirmation::JwkThumbprint(
            "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",
        ));
        assert!(is_accepted(dpop_bound, proven));
        assert!(!is_accepted(dpop_bound, other));
        assert!(!is_accepted(
            r#"{"active":true,"token_type":"Bearer"}"#,
            proven
        ));
    }
}
