//! `jwt_keyset`: caller storage for a JWK Set, and the functions that parse and read it.

use core::ffi::c_char;

use jwt_core::Algorithm;

use crate::alg::{ALGORITHM_COUNT, algorithm_of};
use crate::boundary::{array, bytes, call, call_or, usable};
use crate::status::jwt_status;
use crate::storage::{CallerStorage, caller_storage};

/// Most keys a `jwt_keyset` holds. Providers publish two or three at a time (the current
/// key and the next or previous one).
pub const JWT_KEYSET_CAPACITY: usize = 8;

/// 64-bit words of a `jwt_keyset`: room for `JWT_KEYSET_CAPACITY` keys of any build, with
/// their `kid`s, the marker and the address.
#[cfg(target_pointer_width = "64")]
pub const JWT_KEYSET_WORDS: usize = 1440;
/// 64-bit words of a `jwt_keyset`: room for `JWT_KEYSET_CAPACITY` keys of any build, with
/// their `kid`s, the marker and the address.
#[cfg(not(target_pointer_width = "64"))]
pub const JWT_KEYSET_WORDS: usize = 492;

/// Storage for a JWK Set of up to `JWT_KEYSET_CAPACITY` verifying keys, owned by the caller
/// (typically static: it is large): filled by `jwt_keyset_parse`, read by
/// `jwt_verify_keyset`, emptied by `jwt_keyset_clear`. Its contents are private, and it
/// holds no pointer to the document it was parsed from. It follows the rules of `jwt_key`
/// storage: zeroed before first use, a set lives where it was parsed (a copy gives
/// `JWT_COPIED_KEY`), parsing again replaces the set, 16-byte alignment.
#[repr(C, align(16))]
pub struct jwt_keyset {
    opaque: [u64; JWT_KEYSET_WORDS],
}

pub(crate) type KeysetValue = jwt_core::JwkSet<JWT_KEYSET_CAPACITY>;

// The marker is "jwtset01".
caller_storage!(jwt_keyset, KeysetValue, 0x6a77_7473_6574_3031);

/// Parses the JWK Set document `jwks` (`jwks_len` bytes) into `set`, keeping the keys that
/// verify with an algorithm of this build (others are skipped, as jwt-core's `JwkSet`
/// does). A set `set` held is dropped once the new one is parsed; when parsing fails, `set`
/// keeps what it held.
///
/// Returns `JWT_JSON` or `JWT_INVALID_KEY` for a document that is not a usable JWK Set, and
/// `JWT_BUFFER_TOO_SMALL` for one with more than `JWT_KEYSET_CAPACITY` usable keys.
///
/// # Safety
/// `set` must point to writable `jwt_keyset` storage kept by the rules of `jwt_key`
/// (zeroed before first use), `jwks` to `jwks_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_keyset_parse(
    set: *mut jwt_keyset,
    jwks: *const c_char,
    jwks_len: usize,
) -> jwt_status {
    call(|| {
        usable(set)?;
        // SAFETY: forwarded to the caller.
        let jwks = unsafe { bytes(jwks.cast(), jwks_len) }?;
        let parsed = KeysetValue::parse(jwks)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_keyset::store(set, parsed) }
    })
}

/// Parses `jwks` into `set` as `jwt_keyset_parse` does, with the algorithms that keys naming
/// none may be used for: `algs`, `algs_len` `jwt_alg` numbers. A key without `alg` is bound
/// to its type's algorithm (`RSA` RS256, `oct` HS256, `EC` and `OKP` their curve's), never to
/// whatever a token's header says; when `algs` lists algorithms of its type, it is imported
/// once for each of them instead. Microsoft Entra ID publishes RSA keys without `alg`: a
/// verifier that allows RS256 and PS256 for them lists both.
///
/// Returns as `jwt_keyset_parse`, and `JWT_INVALID_ARGUMENT` for a number that is no
/// `jwt_alg`.
///
/// # Safety
/// As `jwt_keyset_parse`, and `algs` must point to `algs_len` numbers (or be NULL with
/// `algs_len` 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_keyset_parse_assuming(
    set: *mut jwt_keyset,
    jwks: *const c_char,
    jwks_len: usize,
    algs: *const u32,
    algs_len: usize,
) -> jwt_status {
    call(|| {
        usable(set)?;
        // SAFETY (both): forwarded to the caller.
        let jwks = unsafe { bytes(jwks.cast(), jwks_len) }?;
        let algs = unsafe { array(algs, algs_len) }?;
        // Each algorithm once: there are as many as `jwt_alg` numbers.
        let mut assumed = [Algorithm::Hs256; ALGORITHM_COUNT];
        let mut count = 0;
        for &number in algs {
            let alg = algorithm_of(number)?;
            let known = assumed.get(..count).unwrap_or_default();
            if !known.contains(&alg) {
                let slot = assumed
                    .get_mut(count)
                    .ok_or(jwt_status::JWT_INVALID_ARGUMENT)?;
                *slot = alg;
                count += 1;
            }
        }
        let assumed = assumed.get(..count).unwrap_or_default();
        let parsed = KeysetValue::parse_assuming(jwks, assumed)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_keyset::store(set, parsed) }
    })
}

/// The number of keys `set` holds (0 for NULL, misaligned storage, a copy, or storage that
/// holds no set).
///
/// # Safety
/// `set` must be NULL or point to `jwt_keyset` storage kept by the rules of `jwt_key`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_keyset_len(set: *const jwt_keyset) -> usize {
    call_or(0, || {
        // SAFETY: forwarded to the caller.
        unsafe { jwt_keyset::load(set) }.map_or(0, KeysetValue::len)
    })
}

/// Empties `set` as `jwt_key_clear` empties a key: drops the keys it holds, wiping them,
/// and zeroes the storage; using it again gives `JWT_UNINITIALIZED_KEY`.
///
/// # Safety
/// As `jwt_keyset_len`, and nothing else may use `set` during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_keyset_clear(set: *mut jwt_keyset) {
    call_or((), || {
        // SAFETY: forwarded to the caller. NULL and misaligned storage are refused
        // untouched.
        let _ = unsafe { jwt_keyset::empty(set) };
    })
}
