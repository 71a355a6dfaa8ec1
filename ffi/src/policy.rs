//! `jwt_policy`, what a token must satisfy, and the `Validation` it describes.

use jwt_core::Validation;

use crate::boundary::{array, call, out, text};
use crate::claims::CLAIMS;
use crate::status::jwt_status;
use crate::string::jwt_str;

/// Most issuers, and most audiences, a `jwt_policy` may list.
pub const JWT_POLICY_MAX_VALUES: usize = 8;

/// Named rule sets a `jwt_policy` starts from.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_preset {
    /// `exp` required, nothing else beyond what is set.
    JWT_PRESET_JWT = 0,
    /// RFC 9068 access tokens: `typ` `at+jwt`, and `iss`, `aud`, `exp`, `iat`, `sub`, `jti`
    /// and `client_id` required.
    JWT_PRESET_ACCESS_TOKEN = 1,
}

/// The preset numbered `value`.
fn preset_of(value: u32) -> Result<jwt_preset, jwt_status> {
    [
        jwt_preset::JWT_PRESET_JWT,
        jwt_preset::JWT_PRESET_ACCESS_TOKEN,
    ]
    .into_iter()
    .find(|preset| *preset as u32 == value)
    .ok_or(jwt_status::JWT_INVALID_ARGUMENT)
}

/// What a token must satisfy, filled in by C code (start from `jwt_policy_init`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_policy {
    /// A `jwt_preset`.
    pub preset: u32,
    /// Accepted issuers (`iss` becomes required when any is listed), at most
    /// `JWT_POLICY_MAX_VALUES`.
    pub issuers: *const jwt_str,
    pub issuers_len: usize,
    /// Accepted audiences (`aud` must contain one), at most `JWT_POLICY_MAX_VALUES`.
    pub audiences: *const jwt_str,
    pub audiences_len: usize,
    /// The required `typ` header (compared as media types), or `{NULL, 0}` for the preset's.
    pub typ: jwt_str,
    /// Seconds of clock skew tolerated (capped at ten minutes).
    pub leeway: u64,
    /// Longest token accepted, or 0 for the library's default (16 KiB).
    pub max_token_len: usize,
    /// Further required claims: bit `1 << c` for each `jwt_claim` `c`.
    pub required: u32,
    /// Accept a token without `exp` (only with the `JWT_PRESET_JWT` preset).
    pub allow_missing_exp: bool,
}

/// Fills `policy` with `preset` (a `jwt_preset`), no issuer, audience or `typ` of its own,
/// and the default leeway (60 s) and token length limit.
///
/// # Safety
/// `policy` must point to writable storage for a `jwt_policy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_policy_init(policy: *mut jwt_policy, preset: u32) -> jwt_status {
    call(|| {
        preset_of(preset)?;
        // SAFETY: forwarded to the caller.
        let policy = unsafe { out(policy) }?;
        *policy = jwt_policy {
            preset,
            issuers: core::ptr::null(),
            issuers_len: 0,
            audiences: core::ptr::null(),
            audiences_len: 0,
            typ: jwt_str::NONE,
            leeway: jwt_core::DEFAULT_LEEWAY,
            max_token_len: 0,
            required: 0,
            allow_missing_exp: false,
        };
        Ok(())
    })
}

/// Up to `JWT_POLICY_MAX_VALUES` strings of a policy, as `&str`s.
struct Values<'a> {
    items: [&'a str; JWT_POLICY_MAX_VALUES],
    len: usize,
}

impl<'a> Values<'a> {
    /// # Safety
    /// `list` must be NULL with `len` 0, or point to `len` `jwt_str`s whose texts are valid
    /// for `'a`.
    unsafe fn read(list: *const jwt_str, len: usize) -> Result<Self, jwt_status> {
        if len > JWT_POLICY_MAX_VALUES {
            return Err(jwt_status::JWT_INVALID_ARGUMENT);
        }
        // SAFETY: forwarded to the caller.
        let list = unsafe { array(list, len) }?;
        let mut values = Values {
            items: [""; JWT_POLICY_MAX_VALUES],
            len,
        };
        for (item, value) in values.items.iter_mut().zip(list) {
            // SAFETY: forwarded to the caller.
            *item = unsafe { text(value.ptr, value.len) }?;
        }
        Ok(values)
    }

    fn as_slice(&self) -> &[&'a str] {
        self.items.get(..self.len).unwrap_or_default()
    }
}

/// Runs `body` with the `Validation` `policy` describes.
///
/// # Safety
/// `policy`'s pointers must be valid as its fields' documentation says.
pub(crate) unsafe fn with_validation<R>(
    policy: &jwt_policy,
    body: impl FnOnce(&Validation<'_>) -> Result<R, jwt_status>,
) -> Result<R, jwt_status> {
    // SAFETY: forwarded to the caller.
    let issuers = unsafe { Values::read(policy.issuers, policy.issuers_len) }?;
    // SAFETY: forwarded to the caller.
    let audiences = unsafe { Values::read(policy.audiences, policy.audiences_len) }?;
    let preset = preset_of(policy.preset)?;
    let mut validation = match preset {
        jwt_preset::JWT_PRESET_JWT => Validation::new()
            .issuers(issuers.as_slice())
            .audiences(audiences.as_slice()),
        jwt_preset::JWT_PRESET_ACCESS_TOKEN => {
            Validation::access_token(issuers.as_slice(), audiences.as_slice())
        }
    };
    validation = validation.leeway(policy.leeway);
    if policy.max_token_len != 0 {
        validation = validation.max_token_len(policy.max_token_len);
    }
    if policy.allow_missing_exp && preset == jwt_preset::JWT_PRESET_JWT {
        validation = validation.allow_missing_exp();
    }
    for (c, claim) in CLAIMS {
        if policy.required & (1 << c as u32) != 0 {
            validation = validation.require(claim);
        }
    }
    if policy.required >> (CLAIMS.len() + 1) != 0 || policy.required & 1 != 0 {
        return Err(jwt_status::JWT_INVALID_ARGUMENT);
    }
    // SAFETY: forwarded to the caller.
    let typ = unsafe { text(policy.typ.ptr, policy.typ.len) }?;
    if !policy.typ.ptr.is_null() {
        validation = validation.typ(typ);
    }
    body(&validation)
}
