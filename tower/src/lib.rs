#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod authenticator;
#[cfg(feature = "axum")]
mod axum;
mod discovery;
mod fetch;
mod key_exchange;
mod key_sets;
mod keys;
mod layer;
mod metrics;
mod provider;
mod refusal;
mod replay;
mod rotation;

pub use authenticator::{
    Authenticator, AuthenticatorBuilder, BuildError, ClientCertificate, SecureConnection, Verified,
};
#[cfg(feature = "axum")]
pub use axum::Claims;
pub use fetch::{FetchError, HttpLimits};
pub use key_exchange::{
    ExchangeError, ExchangeFuture, KeySetExchange, MemoryKeySetExchange, SharedKeySet,
};
pub use key_sets::{KeyFetchResult, KeySetState, KeySetStatus};
pub use layer::{
    GrantedScopes, JwtAuth, JwtAuthLayer, RequireScope, RequireScopeFuture, RequireScopeLayer,
};
pub use metrics::MetricsSnapshot;
pub use provider::{KeyCachePolicy, Provider, SenderConstraint};
pub use refusal::{Challenges, Refusal, Scheme};
pub use replay::{Freshness, MemoryReplayStore, ReplayFuture, ReplayKey, ReplayStore, StoreError};
pub use rotation::Rotating;
