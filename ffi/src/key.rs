//! `jwt_key`: caller storage for one key, and the functions that make a key in it.

use core::ffi::c_char;

use jwt_core::{AnyVerifyingKey, Jwk};

use crate::boundary::{bytes, call, call_or, usable};
use crate::status::jwt_status;
use crate::storage::{CallerStorage, caller_storage};

/// 64-bit words of a `jwt_key`: room for the largest key of any build, with its marker and
/// address.
#[cfg(target_pointer_width = "64")]
pub const JWT_KEY_WORDS: usize = 176;
/// 64-bit words of a `jwt_key`: room for the largest key of any build, with its marker and
/// address.
#[cfg(not(target_pointer_width = "64"))]
pub const JWT_KEY_WORDS: usize = 40;

/// Storage for one verifying key, owned by the caller (on the stack, in a struct, static):
/// filled by a `jwt_key_*` function, read by `jwt_verify`, emptied by `jwt_key_clear`.
/// Its contents are private. It holds no pointer to the caller's memory, so the input a
/// key was made from may be freed at once.
///
/// The rules of key storage (`jwt_keyset` follows them too):
/// - **Zeroed first.** Storage is zeroed before its first use (`jwt_key key = {0};`, a
///   static, `calloc`, `memset`). Zeroed storage holds no key: using it gives
///   `JWT_UNINITIALIZED_KEY`.
/// - **Initialising again replaces the key.** A `jwt_key_*` function given storage that
///   holds a key drops that key (nothing leaks) once the new one is made. When it fails, the
///   storage keeps what it held.
/// - **A key lives where it was made.** The storage records its own address, so a copy of
///   its bytes elsewhere (assignment, `memcpy`, `realloc`, return by value) holds no key:
///   using the copy gives `JWT_COPIED_KEY`, clearing it wipes it and frees nothing, and
///   initialising it makes a key of its own. To move a key, make it again where it goes and
///   clear the old storage. Bytes copied back over the storage they came from are not told
///   apart from the key they were a copy of: never copy into storage that held a key.
/// - **Aligned.** Storage that is not aligned as a `jwt_key` (16 bytes: some keys hold
///   128-bit integers) gives `JWT_MISALIGNED_POINTER` and is never read or written. The
///   declaration makes the compiler align it; storage carved out of a byte buffer must be
///   aligned by hand.
/// - **Cleared last.** `jwt_key_clear` drops the key (wiping secrets, freeing an RS256
///   key's memory) and zeroes the storage. Storage that goes away holding an RS256 key leaks
///   that key's memory.
#[repr(C, align(16))]
pub struct jwt_key {
    opaque: [u64; JWT_KEY_WORDS],
}

/// A key of a `jwt_key`: one that verifies (an HS256 secret also signs), or an ES256
/// private key, which signs and verifies with its public half.
pub(crate) enum Held {
    Verifying(AnyVerifyingKey),
    #[cfg(feature = "es256")]
    Es256Private(jwt_core::Es256PrivateKey, jwt_core::Es256PublicKey),
}

impl Held {
    pub(crate) fn verifying(&self) -> &dyn jwt_core::VerifyingKey {
        match self {
            Held::Verifying(key) => key,
            #[cfg(feature = "es256")]
            Held::Es256Private(_, public) => public,
        }
    }

    pub(crate) fn signing(&self) -> Result<&dyn jwt_core::SigningKey, jwt_status> {
        match self {
            #[cfg(feature = "hs256")]
            Held::Verifying(AnyVerifyingKey::Hs256(key)) => Ok(key),
            #[cfg(feature = "es256")]
            Held::Es256Private(key, _) => Ok(key),
            #[allow(unreachable_patterns)]
            Held::Verifying(_) => Err(jwt_status::JWT_INVALID_KEY),
        }
    }
}

// The marker is "jwtkey01".
caller_storage!(jwt_key, Held, 0x6a77_746b_6579_3031);

/// Initialises `key` with an HS256 secret of `secret_len` bytes (at least 32). The secret is
/// copied: the caller may wipe its copy.
///
/// Returns `JWT_INVALID_KEY` for a secret shorter than 32 bytes.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `secret` to `secret_len` bytes.
#[cfg(feature = "hs256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_hs256(
    key: *mut jwt_key,
    secret: *const u8,
    secret_len: usize,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let secret = unsafe { bytes(secret, secret_len) }?;
        let made = jwt_core::Hs256Key::new(secret)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, Held::Verifying(made.into())) }
    })
}

/// Initialises `key` with an ES256 (P-256) private key: its 32-byte big-endian scalar. The
/// key signs (`jwt_sign`) and verifies with its public half.
///
/// Returns `JWT_INVALID_KEY` for a scalar that is zero or not below the group order.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `scalar` to `scalar_len` bytes.
#[cfg(feature = "es256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_es256_private(
    key: *mut jwt_key,
    scalar: *const u8,
    scalar_len: usize,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let scalar = unsafe { bytes(scalar, scalar_len) }?;
        let scalar: &[u8; 32] = scalar.try_into().map_err(|_| jwt_status::JWT_INVALID_KEY)?;
        let private = jwt_core::Es256PrivateKey::from_bytes(scalar)?;
        let public = private.public_key();
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, Held::Es256Private(private, public)) }
    })
}

/// Initialises `key` with an ES256 (P-256) public key in SEC1 form: 65 bytes uncompressed
/// (`0x04 || x || y`) or 33 bytes compressed.
///
/// Returns `JWT_INVALID_KEY` for bytes that are not a point of the curve.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `point` to `point_len` bytes.
#[cfg(feature = "es256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_es256(
    key: *mut jwt_key,
    point: *const u8,
    point_len: usize,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let point = unsafe { bytes(point, point_len) }?;
        let made = jwt_core::Es256PublicKey::from_sec1_bytes(point)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, Held::Verifying(made.into())) }
    })
}

/// Initialises `key` with an RS256 public key in DER: a SubjectPublicKeyInfo (what
/// `openssl rsa -pubout -outform DER` writes) or a PKCS#1 `RSAPublicKey`. The modulus must
/// be 2048 to 8192 bits. Only in builds with RS256, whose keys live on the heap.
///
/// Returns `JWT_INVALID_KEY` for anything else.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `der` to `der_len` bytes.
#[cfg(feature = "rs256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_rs256_der(
    key: *mut jwt_key,
    der: *const u8,
    der_len: usize,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let der = unsafe { bytes(der, der_len) }?;
        let made = jwt_core::Rs256PublicKey::from_public_key_der(der)
            .or_else(|_| jwt_core::Rs256PublicKey::from_pkcs1_der(der))?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, Held::Verifying(made.into())) }
    })
}

/// Initialises `key` from a JWK (JSON text of `jwk_len` bytes): `oct` (HS256), `EC` P-256
/// (ES256), or `RSA` (RS256, in builds with it), with the key's `alg`, `use` and `key_ops`
/// honoured.
///
/// Returns `JWT_JSON` for text that is not a JWK object, `JWT_UNSUPPORTED_ALGORITHM` for a
/// key type this build does not verify with, `JWT_INVALID_KEY` for a key it refuses.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `jwk` to `jwk_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_from_jwk(
    key: *mut jwt_key,
    jwk: *const c_char,
    jwk_len: usize,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let jwk = unsafe { bytes(jwk.cast(), jwk_len) }?;
        let made = AnyVerifyingKey::from_jwk(&Jwk::parse(jwk)?)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, Held::Verifying(made)) }
    })
}

/// Empties `key`: drops the key it holds (wiping secrets, freeing an RS256 key's memory)
/// and zeroes the storage, so using it again gives `JWT_UNINITIALIZED_KEY`. A copy of a
/// key's storage is zeroed and frees nothing: the key belongs to the storage it was made
/// in. NULL and misaligned storage are left alone.
///
/// # Safety
/// `key` must be NULL or point to `jwt_key` storage kept by its rules, which nothing else
/// uses during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_clear(key: *mut jwt_key) {
    call_or((), || {
        // SAFETY: forwarded to the caller. NULL and misaligned storage are refused
        // untouched, which a function returning nothing cannot report.
        let _ = unsafe { jwt_key::empty(key) };
    })
}
