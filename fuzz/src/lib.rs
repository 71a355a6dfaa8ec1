//! Shared code of the jwt-core fuzz targets: the properties each target checks.
pub mod ffi;
pub mod targets;
