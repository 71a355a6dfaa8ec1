//! Counters an application exports to its monitoring (Prometheus, OpenTelemetry...): one
//! atomic per event, read together with [`Authenticator::metrics`](crate::Authenticator::metrics).

use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! counters {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// The counters, live.
        #[derive(Debug, Default)]
        pub(crate) struct Metrics {
            $(pub(crate) $name: AtomicU64,)*
        }

        /// The counters at one moment, each counted since the authenticator was built.
        ///
        /// ```
        /// let snapshot = jwt_core_tower::MetricsSnapshot::default();
        /// assert_eq!(snapshot.accepted, 0);
        /// ```
        #[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct MetricsSnapshot {
            $($(#[doc = $doc])* pub $name: u64,)*
        }

        impl Metrics {
            pub(crate) fn snapshot(&self) -> MetricsSnapshot {
                MetricsSnapshot { $($name: self.$name.load(Ordering::Relaxed),)* }
            }
        }
    };
}

counters! {
    /// Key set requests sent to providers (including revalidations).
    key_fetches,
    /// Key set requests that failed (transport, status, size or an unusable document).
    key_fetch_errors,
    /// Revalidations the provider answered with 304 Not Modified.
    keys_not_modified,
    /// Times a provider's key set was installed: the first fetch, then each different set.
    key_sets_installed,
    /// Refetches forced by a token naming an unknown `kid`.
    forced_refreshes,
    /// Unknown-`kid` refetches refused by the rate limit.
    forced_refreshes_limited,
    /// Key sets installed from the fleet's [`KeySetExchange`](crate::KeySetExchange): a
    /// document another replica fetched, used instead of asking the provider.
    key_sets_from_fleet,
    /// Fetches left to another replica, which held the fleet's fetch lock.
    key_fetch_locks_lost,
    /// Operations of the [`KeySetExchange`](crate::KeySetExchange) that failed (the replica
    /// then fetched on its own, under its own rate limit).
    key_exchange_errors,
    /// Tokens answered from the verified-token cache.
    token_cache_hits,
    /// Tokens verified because the cache (when enabled) did not hold them.
    token_cache_misses,
    /// Introspection requests sent to providers.
    introspections,
    /// Opaque tokens answered from the introspection cache.
    introspection_cache_hits,
    /// Requests whose token was accepted.
    accepted,
    /// Requests refused (no token, invalid token, missing scope, keys unavailable).
    refused,
    /// DPoP requests accepted: proof and token (also counted in `accepted`).
    dpop_accepted,
    /// DPoP requests refused, for the proof or the token (also counted in `refused`).
    dpop_refused,
    /// DPoP proofs refused because their `jti` was already used: replays.
    dpop_replays,
    /// DPoP proofs refused because the replay store was full of unexpired `jti`s.
    replay_store_full,
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}
