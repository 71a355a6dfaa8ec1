//! Claims: the names of registered claims ([`Claim`]), how dates are read ([`NumericDate`]),
//! the registered-claims reader ([`RegisteredClaims`]), the validation policy
//! ([`Validation`]) and sender-constrained tokens ([`Confirmation`]).
//!
//! The JSON reader below this module knows nothing of claims: the registered-claims reader
//! observes the members it is handed.

mod claim;
mod confirmation;
mod date;
mod registered;
mod validation;

pub use claim::Claim;
pub(crate) use claim::ClaimSet;
pub use confirmation::Confirmation;
#[cfg(feature = "jwk")]
pub use confirmation::Thumbprint;
pub use date::NumericDate;
pub use registered::{Audience, RegisteredClaims};
pub(crate) use registered::{claims_as, from_claims};
pub use validation::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY, Validation};
