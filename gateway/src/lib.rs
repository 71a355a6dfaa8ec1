#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod config;
pub mod fleet;
mod gateway;
pub mod original;
mod proxy;
mod server;
pub mod telemetry;

pub use config::{Config, ConfigError};
pub use gateway::{Claims, Gateway, StartError};
pub use server::{Running, start};
