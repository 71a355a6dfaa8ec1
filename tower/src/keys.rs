//! A provider's key set over time: fetched, kept for its lifetime, revalidated in the
//! background before it expires, refetched once for an unknown `kid` (single-flight and
//! rate-limited), and kept past its expiry while the provider is unreachable, which is then
//! asked at most once per forced-refresh interval whatever triggers the attempt. With a
//! [`KeySetExchange`], the replicas of a fleet share what they fetch: a fetch happens once
//! per interval for the fleet, and a replica installs what another fetched.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use jwt_core::{Algorithm, GrowableJwkSet};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::{Instrument, debug, info, warn};

use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::key_exchange::{ExchangeError, ExchangeFuture, KeySetExchange, SharedKeySet};
use crate::key_sets::{KeyFetchResult, KeySetState, KeySetStatus};
use crate::metrics::{Metrics, bump};
use crate::provider::KeyCachePolicy;
use crate::rotation::Rotating;

/// One key set and how long it may be used. Replaced whole.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// `None` until a first set has been fetched.
    pub(crate) set: Option<Arc<GrowableJwkSet>>,
    /// Changes whenever `set` changes (not when it is revalidated unchanged).
    pub(crate) generation: u64,
    /// Used without a refetch until then; `None`: forever (a configured document).
    fresh_until: Option<Instant>,
    /// When the background refresher fetches next.
    refresh_at: Option<Instant>,
    /// After a failed fetch: no fetch before then, whatever its trigger (schedule, expiry,
    /// unknown `kid`), so a failing provider is asked once per interval. `None` once a
    /// fetch succeeds.
    retry_at: Option<Instant>,
    etag: Option<String>,
    digest: [u8; 32],
    /// The document `set` was parsed from, for the fleet's exchange (`None` for a
    /// configured document).
    document: Option<Arc<[u8]>>,
    /// The provider's `Cache-Control: max-age` for it.
    max_age: Option<Duration>,
    /// When `set` was last fetched or confirmed by a replica of the fleet, in wall-clock
    /// time (the exchange compares it across machines).
    fetched_wall: Option<SystemTime>,
    /// When `set` was last fetched or confirmed by the provider (or read, for a configured
    /// document).
    confirmed_at: Option<Instant>,
    /// When `set` was installed: fetched first, or changed last.
    installed_at: Option<Instant>,
    /// How the last fetch ended; `None` before one (and for a configured document).
    last_fetch: Option<KeyFetchResult>,
}

impl Snapshot {
    /// Until when the set may verify tokens (fresh, then stale within `max_stale`); `None`:
    /// without end.
    fn usable_until(&self, max_stale: Duration) -> Option<Instant> {
        self.fresh_until
            .and_then(|fresh| fresh.checked_add(max_stale))
    }

    /// Whether the set may verify tokens at `now`: fresh, or stale within `max_stale`.
    fn usable(&self, now: Instant, max_stale: Duration) -> bool {
        self.set.is_some() && self.usable_until(max_stale).is_none_or(|until| now < until)
    }

    /// Whether a fetch may be tried at `now`: no failed one is waiting out its back-off.
    fn retry_due(&self, now: Instant) -> bool {
        self.retry_at.is_none_or(|at| now >= at)
    }

    /// Past its freshness at `now`.
    fn expired(&self, now: Instant) -> bool {
        self.fresh_until.is_some_and(|fresh| now >= fresh)
    }
}

/// Where the keys are.
#[derive(Debug)]
pub(crate) enum Source {
    /// Fetched from this URL.
    Remote(String),
    /// Given at configuration.
    Fixed,
}

/// The fleet's [`KeySetExchange`].
struct Exchange(Arc<dyn KeySetExchange>);

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySetExchange")
    }
}

#[derive(Debug)]
pub(crate) struct ProviderKeys {
    issuer: String,
    source: Source,
    policy: KeyCachePolicy,
    /// What keys without `alg` verify, beside their type's default.
    assumed: Vec<Algorithm>,
    fetcher: Fetcher,
    metrics: Arc<Metrics>,
    current: Rotating<Snapshot>,
    /// `current`'s generation, read on every verified-token cache hit without the lock.
    generation: AtomicU64,
    /// Until when `current` may verify tokens, in nanoseconds after `epoch` (0: not at all,
    /// `u64::MAX`: without end), read on every verified-token cache hit without the lock.
    usable_until: AtomicU64,
    epoch: Instant,
    /// Held by whoever fetches: the single flight. Holds when the last forced refetch was.
    fetching: Mutex<Option<Instant>>,
    /// A background refetch is under way (requests that find the set stale start one).
    refreshing: AtomicBool,
    /// Where the fleet's replicas share what they fetch.
    exchange: Option<Exchange>,
    /// When a locally rate-limited unknown-`kid` refetch last read the fleet's document.
    fleet_read_at: std::sync::Mutex<Option<Instant>>,
}

/// Why a fetch happens, for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Scheduled,
    Expired,
    UnknownKid,
}

impl ProviderKeys {
    /// Keys given as a document: parsed once, never refreshed.
    pub(crate) fn fixed(
        issuer: &str,
        document: &[u8],
        assumed: &[Algorithm],
        fetcher: Fetcher,
        metrics: Arc<Metrics>,
    ) -> Result<Self, FetchError> {
        let set = parse(document, issuer, assumed)?;
        let now = Instant::now();
        let keys = ProviderKeys::new(
            issuer,
            Source::Fixed,
            KeyCachePolicy::default(),
            assumed,
            fetcher,
            metrics,
        );
        keys.install(Snapshot {
            set: Some(Arc::new(set)),
            generation: 1,
            fresh_until: None,
            refresh_at: None,
            retry_at: None,
            etag: None,
            digest: Sha256::digest(document).into(),
            document: None,
            max_age: None,
            fetched_wall: None,
            confirmed_at: Some(now),
            installed_at: Some(now),
            last_fetch: None,
        });
        Ok(keys)
    }

    /// Keys at `jwks_uri`, fetched now (or taken from the fleet's `exchange`): an error
    /// here is a configuration error.
    pub(crate) async fn remote(
        issuer: &str,
        jwks_uri: &str,
        policy: KeyCachePolicy,
        assumed: &[Algorithm],
        fetcher: Fetcher,
        metrics: Arc<Metrics>,
        exchange: Option<Arc<dyn KeySetExchange>>,
    ) -> Result<Arc<Self>, FetchError> {
        let source = Source::Remote(jwks_uri.to_string());
        let mut keys = ProviderKeys::new(issuer, source, policy, assumed, fetcher, metrics);
        keys.exchange = exchange.map(Exchange);
        let keys = Arc::new(keys);
        {
            let _flight = keys.fetching.lock().await;
            keys.fetch(Trigger::Scheduled).await?;
        }
        spawn_refresher(Arc::downgrade(&keys));
        Ok(keys)
    }

    fn new(
        issuer: &str,
        source: Source,
        policy: KeyCachePolicy,
        assumed: &[Algorithm],
        fetcher: Fetcher,
        metrics: Arc<Metrics>,
    ) -> Self {
        let epoch = Instant::now();
        ProviderKeys {
            issuer: issuer.to_string(),
            source,
            policy,
            assumed: assumed.to_vec(),
            fetcher,
            metrics,
            current: Rotating::new(Snapshot {
                set: None,
                generation: 0,
                fresh_until: Some(epoch),
                refresh_at: Some(epoch),
                retry_at: None,
                etag: None,
                digest: [0; 32],
                document: None,
                max_age: None,
                fetched_wall: None,
                confirmed_at: None,
                installed_at: None,
                last_fetch: None,
            }),
            generation: AtomicU64::new(0),
            usable_until: AtomicU64::new(0),
            epoch,
            fetching: Mutex::new(None),
            refreshing: AtomicBool::new(false),
            exchange: None,
            fleet_read_at: std::sync::Mutex::new(None),
        }
    }

    /// The current generation of the set (for entries cached against it).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether the current set may verify tokens now (what [`usable`](Self::usable) finds
    /// without fetching), without the lock: a verified-token cache hit is served only then.
    pub(crate) fn usable_now(&self) -> bool {
        match self.usable_until.load(Ordering::Acquire) {
            u64::MAX => true,
            until => self.since_epoch(Instant::now()) < until,
        }
    }

    /// The set in use now, for monitoring ([`KeySetStatus`]).
    pub(crate) fn status(&self) -> KeySetStatus {
        let now = Instant::now();
        let snapshot = self.current.load();
        let state = if !snapshot.usable(now, self.policy.max_stale) {
            KeySetState::Unusable
        } else if snapshot.expired(now) {
            KeySetState::Stale
        } else {
            KeySetState::Fresh
        };
        let since = |at: Option<Instant>| at.map(|at| now.saturating_duration_since(at));
        KeySetStatus {
            issuer: self.issuer.clone(),
            keys: snapshot.set.as_ref().map_or(0, |set| set.len()),
            state,
            age: since(snapshot.confirmed_at),
            installed: since(snapshot.installed_at),
            last_fetch: snapshot.last_fetch,
        }
    }

    /// `at` in nanoseconds after `epoch`, saturating.
    fn since_epoch(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Makes `snapshot` current.
    fn install(&self, snapshot: Snapshot) {
        let generation = snapshot.generation;
        let usable_until = match (&snapshot.set, snapshot.usable_until(self.policy.max_stale)) {
            (None, _) => 0,
            (Some(_), None) => u64::MAX,
            (Some(_), Some(until)) => self.since_epoch(until),
        };
        self.current.replace(snapshot);
        self.generation.store(generation, Ordering::Release);
        self.usable_until.store(usable_until, Ordering::Release);
    }

    /// A set that may verify tokens now: the current one if fresh or within its staleness
    /// bound (a background refetch is started when it is past its freshness and no failed
    /// fetch is waiting out its back-off), otherwise whatever one fetch brings. `None` when
    /// no usable set can be had.
    pub(crate) async fn usable(self: &Arc<Self>) -> Option<Arc<Snapshot>> {
        let now = Instant::now();
        let snapshot = self.current.load();
        if snapshot.usable(now, self.policy.max_stale) {
            if snapshot.expired(now) && snapshot.retry_due(now) {
                self.refresh_in_background();
            }
            return Some(snapshot);
        }
        let seen = snapshot.generation;
        {
            let _flight = self.fetching.lock().await;
            let latest = self.current.load();
            let now = Instant::now();
            // Another request's fetch, finished while this one waited, counts; and while
            // the provider is down, requests do not retry sooner than the refresher does.
            if latest.generation == seen
                && !latest.usable(now, self.policy.max_stale)
                && latest.retry_due(now)
            {
                let _ = self.fetch(Trigger::Expired).await;
            }
        }
        let latest = self.current.load();
        latest
            .usable(Instant::now(), self.policy.max_stale)
            .then_some(latest)
    }

    /// After a token named a `kid` that `seen` does not have: one refetch, shared by all
    /// requests waiting at the same time and at most one per forced-refresh interval, and
    /// none while a failed fetch waits out its back-off. While so limited, a set the fleet
    /// fetched since is still installed (the rotation another replica saw). The new set if
    /// it differs from `seen`.
    pub(crate) async fn after_unknown_kid(&self, seen: &Snapshot) -> Option<Arc<Snapshot>> {
        if matches!(self.source, Source::Fixed) {
            return None;
        }
        let mut last_forced = self.fetching.lock().await;
        let latest = self.current.load();
        if latest.generation != seen.generation {
            return Some(latest);
        }
        let now = Instant::now();
        let forced_recently =
            last_forced.is_some_and(|at| now < at + self.policy.forced_refresh_interval);
        if forced_recently || !latest.retry_due(now) {
            bump(&self.metrics.forced_refreshes_limited);
            debug!(issuer = %self.issuer, "unknown kid: refetch rate-limited");
            self.install_fleet_set_if_newer().await;
            let latest = self.current.load();
            return (latest.generation != seen.generation).then_some(latest);
        }
        *last_forced = Some(now);
        bump(&self.metrics.forced_refreshes);
        let _ = self.fetch(Trigger::UnknownKid).await;
        let latest = self.current.load();
        (latest.generation != seen.generation).then_some(latest)
    }

    fn refresh_in_background(self: &Arc<Self>) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let keys = Arc::clone(self);
        tokio::spawn(async move {
            {
                let _flight = keys.fetching.lock().await;
                let latest = keys.current.load();
                let now = Instant::now();
                // A fetch finished while this one waited, failed or not, counts.
                if latest.expired(now) && latest.retry_due(now) {
                    let _ = keys.fetch(Trigger::Expired).await;
                }
            }
            keys.refreshing.store(false, Ordering::Release);
        });
    }

    /// Fetches (revalidating with the last `ETag`) and swaps in the result. On failure the
    /// current set stays, and no attempt, whatever its trigger, comes sooner than a
    /// forced-refresh interval (at least a second) on. With an exchange, the fleet's
    /// document or fetch lock comes first ([`through_fleet`](Self::through_fleet)). Called
    /// with `fetching` held.
    async fn fetch(&self, trigger: Trigger) -> Result<(), FetchError> {
        let Source::Remote(url) = &self.source else {
            return Ok(());
        };
        let span = tracing::info_span!("jwks_fetch", issuer = %self.issuer, %url, ?trigger);
        async {
            let Some(Exchange(exchange)) = &self.exchange else {
                return self.fetch_from(url).await;
            };
            match self.through_fleet(exchange.as_ref(), url, trigger).await {
                Ok(Fleet::Done) => Ok(()),
                Ok(Fleet::Claimed) => {
                    self.fetch_from(url).await?;
                    if let Err(e) = self.publish(exchange.as_ref(), url).await {
                        bump(&self.metrics.key_exchange_errors);
                        warn!(error = %e, "key set fetched but not shared with the fleet");
                    }
                    Ok(())
                }
                Ok(Fleet::NothingInTime) => {
                    if self
                        .current
                        .load()
                        .usable(Instant::now(), self.policy.max_stale)
                    {
                        self.postpone();
                        Ok(())
                    } else {
                        // Nothing to keep: this replica asks the provider itself.
                        self.fetch_from(url).await
                    }
                }
                Err(e) => {
                    bump(&self.metrics.key_exchange_errors);
                    warn!(error = %e, "key set exchange failed; fetching without the fleet");
                    self.fetch_from(url).await
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Before this replica asks the provider: the fleet's document, installed if it is
    /// newer than the current set and within its lifetime (or, for an unknown `kid`, taken
    /// as the refetch when it was fetched within the forced-refresh interval); otherwise the
    /// fleet's fetch lock, held for a forced-refresh interval (at least a second). Whoever
    /// does not get the lock waits, up to the HTTP timeout, for the document its holder
    /// publishes.
    async fn through_fleet(
        &self,
        exchange: &dyn KeySetExchange,
        url: &str,
        trigger: Trigger,
    ) -> Result<Fleet, ExchangeError> {
        let mut shared = self.within(exchange.read(url)).await?;
        shared = shared.filter(|shared| !self.stamped_ahead(shared));
        if let Some(held) = &shared {
            match self.install_if_newer(held) {
                Ok(true) => return Ok(Fleet::Done),
                Ok(false) => {
                    if trigger == Trigger::UnknownKid
                        && age(held.fetched_at) < self.policy.forced_refresh_interval
                    {
                        debug!("unknown kid: the fleet fetched the key set within the interval");
                        return Ok(Fleet::Done);
                    }
                }
                // Ignored, and overwritten by what this replica fetches and publishes.
                Err(e) => {
                    bump(&self.metrics.key_exchange_errors);
                    warn!(error = %e, "the fleet's key set is ignored; fetching it again");
                    shared = None;
                }
            }
        }
        let hold = self
            .policy
            .forced_refresh_interval
            .max(Duration::from_secs(1));
        if self.within(exchange.claim(url, hold)).await? {
            return Ok(Fleet::Claimed);
        }
        bump(&self.metrics.key_fetch_locks_lost);
        debug!("another replica fetches the key set; waiting for it");
        let seen = shared.map(|shared| shared.fetched_at);
        let deadline = Instant::now() + self.fetcher.limits().timeout;
        while Instant::now() < deadline {
            tokio::time::sleep_until(deadline.min(Instant::now() + FLEET_POLL)).await;
            let read = self.within(exchange.read(url)).await?;
            if let Some(shared) = read.filter(|shared| !self.stamped_ahead(shared)) {
                let published = seen.is_none_or(|seen| shared.fetched_at > seen);
                if published && self.install_shared(&shared)? {
                    return Ok(Fleet::Done);
                }
            }
        }
        Ok(Fleet::NothingInTime)
    }

    /// `call` on the exchange, bounded by the HTTP timeout: a hanging exchange must not hold
    /// the single flight.
    async fn within<T>(&self, call: ExchangeFuture<'_, T>) -> Result<T, ExchangeError> {
        tokio::time::timeout(self.fetcher.limits().timeout, call)
            .await
            .unwrap_or_else(|_| {
                Err(ExchangeError::Unavailable(
                    "no answer within the HTTP timeout".into(),
                ))
            })
    }

    /// Whether `shared` is stamped too far ahead of this machine's clock to be used (it
    /// would count as newer and fresh until the clock caught up): counted as an exchange
    /// error.
    fn stamped_ahead(&self, shared: &SharedKeySet) -> bool {
        let ahead = shared.stamped_ahead_of(SystemTime::now());
        if ahead {
            bump(&self.metrics.key_exchange_errors);
            warn!(
                fetched_at = ?shared.fetched_at,
                "the fleet's key set is stamped in the future; ignored"
            );
        }
        ahead
    }

    /// Installs `shared` if it was fetched after the current set (and is within its
    /// lifetime). Whether it was.
    fn install_if_newer(&self, shared: &SharedKeySet) -> Result<bool, ExchangeError> {
        let ours = self.current.load().fetched_wall;
        let newer = ours.is_none_or(|ours| shared.fetched_at > ours);
        Ok(newer && self.install_shared(shared)?)
    }

    /// For an unknown `kid` while the local refetch is rate-limited: the fleet's document,
    /// installed if newer, read at most once per [`FLEET_POLL`] (called with `fetching`
    /// held). Errors are counted; the current set stays.
    async fn install_fleet_set_if_newer(&self) {
        let (Some(Exchange(exchange)), Source::Remote(url)) = (&self.exchange, &self.source) else {
            return;
        };
        let now = Instant::now();
        {
            let mut last = self.fleet_read_at.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|at| now < at + FLEET_POLL) {
                return;
            }
            *last = Some(now);
        }
        let installed = match self.within(exchange.read(url)).await {
            Ok(Some(shared)) if !self.stamped_ahead(&shared) => self.install_if_newer(&shared),
            Ok(_) => Ok(false),
            Err(e) => Err(e),
        };
        match installed {
            Ok(true) => debug!("unknown kid: the fleet's newer key set installed"),
            Ok(false) => {}
            Err(e) => {
                bump(&self.metrics.key_exchange_errors);
                warn!(error = %e, "key set exchange failed; keeping the current set");
            }
        }
    }

    /// Installs `shared` if it is still within its lifetime (by this replica's policy, its
    /// age counted): parsed only if it differs from the current set. Whether it was.
    fn install_shared(&self, shared: &SharedKeySet) -> Result<bool, ExchangeError> {
        let lifetime = self.policy.lifetime(shared.max_age);
        let age = age(shared.fetched_at);
        if age >= lifetime {
            return Ok(false);
        }
        if shared.document.len() > self.fetcher.limits().max_body {
            return Err(ExchangeError::Invalid(
                "larger than the HTTP body limit".into(),
            ));
        }
        let old = self.current.load();
        let digest: [u8; 32] = Sha256::digest(&shared.document).into();
        let (set, generation) = if digest == old.digest {
            (old.set.clone(), old.generation)
        } else {
            let set = parse(&shared.document, &self.issuer, &self.assumed)
                .map_err(|e| ExchangeError::Invalid(e.to_string()))?;
            (Some(Arc::new(set)), old.generation + 1)
        };
        let now = Instant::now();
        let changed = generation != old.generation;
        let keys = set.as_ref().map_or(0, |set| set.len());
        self.install(Snapshot {
            set,
            generation,
            fresh_until: Some(now + (lifetime - age)),
            refresh_at: Some(now + lifetime.mul_f64(0.9).saturating_sub(age)),
            retry_at: None,
            etag: shared.etag.clone(),
            digest,
            document: Some(Arc::from(shared.document.as_slice())),
            max_age: shared.max_age,
            fetched_wall: Some(shared.fetched_at),
            confirmed_at: Some(now.checked_sub(age).unwrap_or(now)),
            installed_at: if changed { Some(now) } else { old.installed_at },
            last_fetch: old.last_fetch,
        });
        bump(&self.metrics.key_sets_from_fleet);
        if changed {
            bump(&self.metrics.key_sets_installed);
            info!(
                keys,
                age_ms = age.as_millis() as u64,
                "key set replaced by the fleet's"
            );
        } else {
            debug!(keys, "key set confirmed by the fleet's");
        }
        Ok(true)
    }

    /// Shares the current set, just fetched or confirmed, with the fleet.
    async fn publish(&self, exchange: &dyn KeySetExchange, url: &str) -> Result<(), ExchangeError> {
        let current = self.current.load();
        let (Some(document), Some(fetched_at)) = (&current.document, current.fetched_wall) else {
            return Ok(());
        };
        let shared = SharedKeySet::new(
            document.to_vec(),
            current.etag.clone(),
            fetched_at,
            current.max_age,
        );
        let lifetime = self.policy.lifetime(current.max_age);
        self.within(exchange.publish(url, shared, lifetime)).await
    }

    /// The fleet's fetch went to another replica, which published nothing in time: the
    /// current set stays, and this replica tries again no sooner than a forced-refresh
    /// interval on, as after a failed fetch.
    fn postpone(&self) {
        let old = self.current.load();
        let retry = self
            .policy
            .forced_refresh_interval
            .max(Duration::from_secs(1));
        let now = Instant::now();
        self.install(Snapshot {
            set: old.set.clone(),
            generation: old.generation,
            fresh_until: old.fresh_until,
            refresh_at: Some(old.refresh_at.map_or(now + retry, |at| at.max(now + retry))),
            retry_at: Some(now + retry),
            etag: old.etag.clone(),
            digest: old.digest,
            document: old.document.clone(),
            max_age: old.max_age,
            fetched_wall: old.fetched_wall,
            confirmed_at: old.confirmed_at,
            installed_at: old.installed_at,
            last_fetch: old.last_fetch,
        });
    }

    async fn fetch_from(&self, url: &str) -> Result<(), FetchError> {
        let old = self.current.load();
        bump(&self.metrics.key_fetches);
        let started = Instant::now();
        // The set is the provider's as of the request, not the answer: a slow answer must
        // not count as newer than one to a request sent after it.
        let sent_wall = SystemTime::now();
        let mut result = KeyFetchResult::Fetched;
        let outcome = match self.fetcher.get(url, old.etag.as_deref()).await {
            Ok(Fetched::NotModified { max_age }) => {
                bump(&self.metrics.keys_not_modified);
                result = KeyFetchResult::NotModified;
                Ok((None, old.etag.clone(), max_age))
            }
            Ok(Fetched::Body {
                body,
                etag,
                max_age,
            }) => Ok((Some(body), etag, max_age)),
            Err(e) => Err(e),
        };
        let now = Instant::now();
        let snapshot = match outcome.and_then(|(body, etag, max_age)| {
            let lifetime = self.policy.lifetime(max_age);
            let (set, generation, digest, document) = match body {
                None => (
                    old.set.clone(),
                    old.generation,
                    old.digest,
                    old.document.clone(),
                ),
                Some(body) => {
                    let digest: [u8; 32] = Sha256::digest(&body).into();
                    if digest == old.digest {
                        (
                            old.set.clone(),
                            old.generation,
                            digest,
                            Some(Arc::from(body)),
                        )
                    } else {
                        let set = parse(&body, &self.issuer, &self.assumed)?;
                        let document = Some(Arc::from(body));
                        (Some(Arc::new(set)), old.generation + 1, digest, document)
                    }
                }
            };
            let changed = generation != old.generation;
            Ok(Snapshot {
                set,
                generation,
                fresh_until: Some(now + lifetime),
                refresh_at: Some(now + lifetime.mul_f64(0.9)),
                retry_at: None,
                etag,
                digest,
                document,
                max_age,
                fetched_wall: Some(sent_wall),
                confirmed_at: Some(now),
                installed_at: if changed { Some(now) } else { old.installed_at },
                last_fetch: Some(result),
            })
        }) {
            Ok(snapshot) => snapshot,
            Err(e) => {
                bump(&self.metrics.key_fetch_errors);
                warn!(error = %e, "key set fetch failed; keeping the last good set");
                let retry = self
                    .policy
                    .forced_refresh_interval
                    .max(Duration::from_secs(1));
                self.install(Snapshot {
                    set: old.set.clone(),
                    generation: old.generation,
                    fresh_until: old.fresh_until,
                    refresh_at: Some(now + retry),
                    retry_at: Some(now + retry),
                    etag: old.etag.clone(),
                    digest: old.digest,
                    document: old.document.clone(),
                    max_age: old.max_age,
                    fetched_wall: old.fetched_wall,
                    confirmed_at: old.confirmed_at,
                    installed_at: old.installed_at,
                    last_fetch: Some(KeyFetchResult::Failed),
                });
                return Err(e);
            }
        };
        let changed = snapshot.generation != old.generation;
        let keys = snapshot.set.as_ref().map_or(0, |set| set.len());
        self.install(snapshot);
        if changed {
            bump(&self.metrics.key_sets_installed);
            info!(
                keys,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "key set replaced"
            );
        } else {
            debug!(keys, "key set unchanged");
        }
        Ok(())
    }
}

/// How often a replica that did not get the fleet's fetch lock looks for the document its
/// holder publishes (and, at most, how often a rate-limited unknown-`kid` refetch reads it).
const FLEET_POLL: Duration = Duration::from_millis(50);

/// What the fleet's exchange did for a fetch.
enum Fleet {
    /// A set from the fleet is in place (or, for an unknown `kid`, the fleet fetched within
    /// the interval): the provider is not asked.
    Done,
    /// This replica holds the fleet's fetch lock: it asks the provider, then publishes.
    Claimed,
    /// Another replica holds the lock and published nothing within the HTTP timeout.
    NothingInTime,
}

/// How long ago `at` was by this machine's clock (zero for a time ahead of it).
fn age(at: SystemTime) -> Duration {
    SystemTime::now().duration_since(at).unwrap_or_default()
}

/// Refetches each set shortly before it expires, for as long as its provider is in use.
fn spawn_refresher(keys: Weak<ProviderKeys>) {
    tokio::spawn(async move {
        loop {
            let wake = match keys.upgrade() {
                Some(keys) => keys.current.load().refresh_at,
                None => return,
            };
            let Some(wake) = wake else { return };
            tokio::time::sleep_until(wake).await;
            let Some(keys) = keys.upgrade() else { return };
            let _flight = keys.fetching.lock().await;
            if keys
                .current
                .load()
                .refresh_at
                .is_some_and(|at| Instant::now() >= at)
            {
                let _ = keys.fetch(Trigger::Scheduled).await;
            }
        }
    });
}

fn parse(
    document: &[u8],
    issuer: &str,
    assumed: &[Algorithm],
) -> Result<GrowableJwkSet, FetchError> {
    let invalid = |e: jwt_core::Error| FetchError::Invalid(format!("JWK Set: {e}"));
    let set = GrowableJwkSet::parse_assuming(document, assumed).map_err(invalid)?;
    if set.skipped() > 0 {
        debug!(
            skipped = set.skipped(),
            "JWK Set keys not usable for verification were skipped"
        );
    }
    set.bind_issuer(issuer).map_err(invalid)
}
