//! The C ABI of jwt-core: verify a JWT, read its claims and header, from C, with every byte
//! of memory the caller's. `include/jwt_core.h` is generated from this file by cbindgen.
//!
//! Every function checks its pointers and lengths and answers with a `jwt_status`; none
//! can unwind into C (the core crate's verify paths link without panics, and host builds
//! use `panic = "abort"`). The `unsafe` code of the whole project lives here: turning the
//! caller's pointers into slices ([`bytes`], [`bytes_mut`], [`text`]) and keys in
//! caller-provided storage (`jwt_key`), each with the reason it is sound.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types)]

#[cfg(not(any(feature = "hs256", feature = "es256", feature = "rs256")))]
compile_error!("jwt-core-ffi verifies with at least one of its features hs256, es256, rs256");

/// Without `std` (firmware), the library brings the panic handler a `no_std` static library
/// needs. The verify paths link without panics, so it is never reached.
#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

use core::ffi::c_char;
use core::mem::{align_of, size_of};

use jwt_core::bearer::BearerError;
use jwt_core::json::{self, JsonStr, Value};
use jwt_core::{AnyVerifyingKey, Claim, Error, Jwk, Validation};

/// What a call did: `JWT_OK`, one status per `jwt_core::Error` (1 to 27, the same
/// meaning), or a status of the C boundary itself (from 100). The numbers are stable.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_status {
    JWT_OK = 0,
    JWT_TOKEN_TOO_LONG = 1,
    JWT_MALFORMED = 2,
    JWT_BASE64 = 3,
    JWT_JSON = 4,
    JWT_INVALID_HEADER = 5,
    JWT_UNSUPPORTED_ALGORITHM = 6,
    JWT_ALGORITHM_MISMATCH = 7,
    JWT_UNSUPPORTED_HEADER = 8,
    JWT_INVALID_SIGNATURE = 9,
    JWT_EXPIRED = 10,
    JWT_NOT_YET_VALID = 11,
    JWT_INVALID_ISSUED_AT = 12,
    JWT_INVALID_ISSUER = 13,
    JWT_INVALID_AUDIENCE = 14,
    JWT_INVALID_SUBJECT = 15,
    JWT_INVALID_TYPE = 16,
    JWT_INVALID_NONCE = 17,
    JWT_INVALID_AUTHORIZED_PARTY = 18,
    JWT_AUTHENTICATION_TOO_OLD = 19,
    /// A required claim is absent: `jwt_claims.error_claim` says which.
    JWT_MISSING_CLAIM = 20,
    /// A registered claim has the wrong type or value: `jwt_claims.error_claim` says which.
    JWT_INVALID_CLAIM = 21,
    /// The claims set is valid but a value is not of the type asked for (lookups).
    JWT_CLAIMS_TYPE_MISMATCH = 22,
    JWT_INVALID_KEY = 23,
    JWT_UNKNOWN_KEY = 24,
    JWT_AMBIGUOUS_KEY = 25,
    JWT_BUFFER_TOO_SMALL = 26,
    JWT_SIGNING = 27,
    /// The token is bound to a key (its `cnf` claim) whose possession the presenter did not
    /// prove: a sender-constrained token is never a bearer token. Answer 401 `invalid_token`.
    JWT_SENDER_CONSTRAINED = 28,
    /// A required pointer is NULL (a NULL pointer with length 0 is an empty input).
    JWT_NULL_POINTER = 100,
    /// Text that must be UTF-8 is not.
    JWT_NOT_UTF8 = 101,
    /// A `jwt_key` (or `jwt_keyset`) that no `jwt_key_*` (`jwt_keyset_parse`) function
    /// initialised, or that was cleared.
    JWT_UNINITIALIZED_KEY = 102,
    /// A lookup found no member of that name.
    JWT_NOT_FOUND = 103,
    /// A policy lists more issuers or audiences than `JWT_POLICY_MAX_VALUES`, or names a
    /// preset or claim this library does not know.
    JWT_INVALID_ARGUMENT = 104,
    /// RFC 6750: the request carries no bearer credentials (no `Authorization` header, or
    /// another scheme). Answer 401 with a bare challenge.
    JWT_NO_CREDENTIALS = 105,
    /// RFC 6750: a malformed `Authorization: Bearer` header. Answer 400 `invalid_request`.
    JWT_INVALID_REQUEST = 106,
    /// RFC 6750: a valid token without a scope the resource needs. Answer 403
    /// `insufficient_scope`.
    JWT_INSUFFICIENT_SCOPE = 107,
    /// A `jwt_key` (or `jwt_keyset`) holding a copy of the bytes of storage that holds a key
    /// (assignment, `memcpy`, `realloc`): a key lives only in the storage it was made in.
    JWT_COPIED_KEY = 108,
    /// A pointer is not aligned for its type (key storage: 8 bytes).
    JWT_MISALIGNED_POINTER = 109,
    /// An error of a newer jwt-core that this interface does not name yet.
    JWT_UNKNOWN_ERROR = 199,
}

impl From<Error> for jwt_status {
    fn from(error: Error) -> Self {
        use jwt_status::*;
        match error {
            Error::TokenTooLong => JWT_TOKEN_TOO_LONG,
            Error::Malformed => JWT_MALFORMED,
            Error::Base64 => JWT_BASE64,
            Error::Json => JWT_JSON,
            Error::InvalidHeader => JWT_INVALID_HEADER,
            Error::UnsupportedAlgorithm => JWT_UNSUPPORTED_ALGORITHM,
            Error::AlgorithmMismatch => JWT_ALGORITHM_MISMATCH,
            Error::UnsupportedHeader => JWT_UNSUPPORTED_HEADER,
            Error::InvalidSignature => JWT_INVALID_SIGNATURE,
            Error::Expired => JWT_EXPIRED,
            Error::NotYetValid => JWT_NOT_YET_VALID,
            Error::InvalidIssuedAt => JWT_INVALID_ISSUED_AT,
            Error::InvalidIssuer => JWT_INVALID_ISSUER,
            Error::InvalidAudience => JWT_INVALID_AUDIENCE,
            Error::InvalidSubject => JWT_INVALID_SUBJECT,
            Error::InvalidType => JWT_INVALID_TYPE,
            Error::InvalidNonce => JWT_INVALID_NONCE,
            Error::InvalidAuthorizedParty => JWT_INVALID_AUTHORIZED_PARTY,
            Error::AuthenticationTooOld => JWT_AUTHENTICATION_TOO_OLD,
            Error::MissingClaim(_) => JWT_MISSING_CLAIM,
            Error::InvalidClaim(_) => JWT_INVALID_CLAIM,
            Error::ClaimsTypeMismatch => JWT_CLAIMS_TYPE_MISMATCH,
            Error::InvalidKey => JWT_INVALID_KEY,
            Error::UnknownKey => JWT_UNKNOWN_KEY,
            Error::AmbiguousKey => JWT_AMBIGUOUS_KEY,
            Error::BufferTooSmall => JWT_BUFFER_TOO_SMALL,
            Error::Signing => JWT_SIGNING,
            Error::SenderConstrained => JWT_SENDER_CONSTRAINED,
            _ => JWT_UNKNOWN_ERROR,
        }
    }
}

/// Every status with its description.
const STATUSES: &[(jwt_status, &core::ffi::CStr)] = {
    use jwt_status::*;
    &[
        (JWT_OK, c"ok"),
        (JWT_TOKEN_TOO_LONG, c"token exceeds the maximum length"),
        (JWT_MALFORMED, c"token is not three dot-separated segments"),
        (JWT_BASE64, c"segment is not canonical unpadded base64url"),
        (
            JWT_JSON,
            c"header or payload is not a well-formed JSON object",
        ),
        (
            JWT_INVALID_HEADER,
            c"header is missing alg or has a mistyped member",
        ),
        (JWT_UNSUPPORTED_ALGORITHM, c"unsupported algorithm"),
        (
            JWT_ALGORITHM_MISMATCH,
            c"token algorithm does not match the key's algorithm",
        ),
        (
            JWT_UNSUPPORTED_HEADER,
            c"header uses crit or a nested JWT, which are not supported",
        ),
        (JWT_INVALID_SIGNATURE, c"signature does not verify"),
        (JWT_EXPIRED, c"token has expired"),
        (JWT_NOT_YET_VALID, c"token is not yet valid"),
        (
            JWT_INVALID_ISSUED_AT,
            c"token iat is in the future or too old",
        ),
        (JWT_INVALID_ISSUER, c"token issuer is not accepted"),
        (JWT_INVALID_AUDIENCE, c"token audience is not accepted"),
        (JWT_INVALID_SUBJECT, c"token subject is not accepted"),
        (JWT_INVALID_TYPE, c"token typ is not the expected type"),
        (JWT_INVALID_NONCE, c"token nonce is not the one sent"),
        (
            JWT_INVALID_AUTHORIZED_PARTY,
            c"token azp is missing or is not this client",
        ),
        (
            JWT_AUTHENTICATION_TOO_OLD,
            c"end-user authentication is too old",
        ),
        (JWT_MISSING_CLAIM, c"a required claim is missing"),
        (JWT_INVALID_CLAIM, c"a registered claim is malformed"),
        (
            JWT_CLAIMS_TYPE_MISMATCH,
            c"a claim does not have the type asked for",
        ),
        (
            JWT_INVALID_KEY,
            c"key is malformed, too weak, or not allowed for this use",
        ),
        (
            JWT_UNKNOWN_KEY,
            c"no key matches the token's algorithm and key ID",
        ),
        (
            JWT_AMBIGUOUS_KEY,
            c"several keys match the token's algorithm and key ID",
        ),
        (JWT_BUFFER_TOO_SMALL, c"buffer is too small"),
        (JWT_SIGNING, c"token could not be signed"),
        (
            JWT_SENDER_CONSTRAINED,
            c"token is bound to a key whose possession was not proven",
        ),
        (JWT_NULL_POINTER, c"a required pointer is NULL"),
        (JWT_NOT_UTF8, c"text is not UTF-8"),
        (
            JWT_UNINITIALIZED_KEY,
            c"key storage was not initialised by a jwt_key function",
        ),
        (JWT_NOT_FOUND, c"no member of that name"),
        (JWT_INVALID_ARGUMENT, c"an argument is out of range"),
        (JWT_NO_CREDENTIALS, c"no bearer token in the request"),
        (JWT_INVALID_REQUEST, c"malformed Authorization header"),
        (
            JWT_INSUFFICIENT_SCOPE,
            c"token lacks a scope the resource needs",
        ),
        (
            JWT_COPIED_KEY,
            c"key storage is a copy: a key lives in the storage it was made in",
        ),
        (
            JWT_MISALIGNED_POINTER,
            c"a pointer is not aligned for its type",
        ),
        (JWT_UNKNOWN_ERROR, c"error unknown to this interface"),
    ]
};

/// A static, NUL-terminated English description of the status `code` (a `jwt_status`);
/// never NULL, also for a number that is no status.
#[unsafe(no_mangle)]
pub extern "C" fn jwt_status_str(code: i32) -> *const c_char {
    STATUSES
        .iter()
        .find(|(status, _)| *status as i32 == code)
        .map_or(c"not a jwt_status", |(_, text)| text)
        .as_ptr()
}

/// The registered claims a status can point at (`jwt_claims.error_claim`), and the bits of
/// `jwt_policy.required`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_claim {
    JWT_CLAIM_NONE = 0,
    JWT_CLAIM_EXP = 1,
    JWT_CLAIM_NBF = 2,
    JWT_CLAIM_IAT = 3,
    JWT_CLAIM_ISS = 4,
    JWT_CLAIM_SUB = 5,
    JWT_CLAIM_AUD = 6,
    JWT_CLAIM_JTI = 7,
    JWT_CLAIM_CLIENT_ID = 8,
    JWT_CLAIM_NONCE = 9,
    JWT_CLAIM_AZP = 10,
    JWT_CLAIM_AUTH_TIME = 11,
    /// The `typ` header parameter.
    JWT_CLAIM_TYP = 12,
    /// `cnf`, the key a sender-constrained token is bound to (RFC 7800).
    JWT_CLAIM_CNF = 13,
}

/// Each claim beside its C name, in the order of the C values from 1.
const CLAIMS: [(jwt_claim, Claim); 13] = [
    (jwt_claim::JWT_CLAIM_EXP, Claim::Exp),
    (jwt_claim::JWT_CLAIM_NBF, Claim::Nbf),
    (jwt_claim::JWT_CLAIM_IAT, Claim::Iat),
    (jwt_claim::JWT_CLAIM_ISS, Claim::Iss),
    (jwt_claim::JWT_CLAIM_SUB, Claim::Sub),
    (jwt_claim::JWT_CLAIM_AUD, Claim::Aud),
    (jwt_claim::JWT_CLAIM_JTI, Claim::Jti),
    (jwt_claim::JWT_CLAIM_CLIENT_ID, Claim::ClientId),
    (jwt_claim::JWT_CLAIM_NONCE, Claim::Nonce),
    (jwt_claim::JWT_CLAIM_AZP, Claim::Azp),
    (jwt_claim::JWT_CLAIM_AUTH_TIME, Claim::AuthTime),
    (jwt_claim::JWT_CLAIM_TYP, Claim::Typ),
    (jwt_claim::JWT_CLAIM_CNF, Claim::Cnf),
];

fn c_claim(claim: Claim) -> jwt_claim {
    CLAIMS
        .iter()
        .find(|(_, c)| *c == claim)
        .map_or(jwt_claim::JWT_CLAIM_NONE, |(c, _)| *c)
}

/// The claim a status points at, if any.
fn error_claim(error: Error) -> jwt_claim {
    match error {
        Error::MissingClaim(claim) | Error::InvalidClaim(claim) => c_claim(claim),
        _ => jwt_claim::JWT_CLAIM_NONE,
    }
}

/// A signature algorithm.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_alg {
    JWT_ALG_HS256 = 1,
    JWT_ALG_ES256 = 2,
    JWT_ALG_RS256 = 3,
}

fn c_alg(alg: jwt_core::Algorithm) -> jwt_alg {
    match alg {
        jwt_core::Algorithm::Es256 => jwt_alg::JWT_ALG_ES256,
        jwt_core::Algorithm::Rs256 => jwt_alg::JWT_ALG_RS256,
        _ => jwt_alg::JWT_ALG_HS256,
    }
}

/// Text given by pointer and length (not NUL-terminated): UTF-8 where the function says so.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_str {
    pub ptr: *const c_char,
    pub len: usize,
}

impl jwt_str {
    const NONE: jwt_str = jwt_str {
        ptr: core::ptr::null(),
        len: 0,
    };

    fn of(text: &[u8]) -> jwt_str {
        jwt_str {
            ptr: text.as_ptr().cast(),
            len: text.len(),
        }
    }
}

/// `len` bytes at `ptr`: NULL is allowed for an empty input only.
///
/// # Safety
/// Unless NULL, `ptr` must point to `len` readable bytes that stay valid and unchanged for
/// `'a` (the C caller's promise for the duration of the call).
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], jwt_status> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(jwt_status::JWT_NULL_POINTER)
        };
    }
    // SAFETY: non-null, and the caller promises `len` readable bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// [`bytes`], checked to be UTF-8.
///
/// # Safety
/// As [`bytes`].
unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, jwt_status> {
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { bytes(ptr.cast(), len) }?;
    core::str::from_utf8(bytes).map_err(|_| jwt_status::JWT_NOT_UTF8)
}

/// `len` writable bytes at `ptr`.
///
/// # Safety
/// Unless NULL, `ptr` must point to `len` writable bytes, used by nothing else during `'a`.
unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], jwt_status> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(jwt_status::JWT_NULL_POINTER)
        };
    }
    // SAFETY: non-null, and the caller promises `len` writable, unaliased bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER` for a pointer that cannot be dereferenced
/// as a `T`: C lets a caller cast any address to any pointer type.
fn usable<T>(ptr: *const T) -> Result<(), jwt_status> {
    if ptr.is_null() {
        Err(jwt_status::JWT_NULL_POINTER)
    } else if !ptr.is_aligned() {
        Err(jwt_status::JWT_MISALIGNED_POINTER)
    } else {
        Ok(())
    }
}

/// `&*ptr`, or `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER`.
///
/// # Safety
/// Unless NULL or misaligned, `ptr` must point to a valid, initialised `T` that nothing
/// writes during `'a`.
unsafe fn reference<'a, T>(ptr: *const T) -> Result<&'a T, jwt_status> {
    usable(ptr)?;
    // SAFETY: non-null and aligned; the rest is forwarded to the caller.
    Ok(unsafe { &*ptr })
}

/// `&mut *ptr`, or `JWT_NULL_POINTER` or `JWT_MISALIGNED_POINTER`.
///
/// # Safety
/// Unless NULL or misaligned, `ptr` must point to writable memory for a `T`, used by nothing
/// else during `'a`. The `T`s passed here are plain C structs: any bit pattern the caller
/// left is valid.
unsafe fn out<'a, T>(ptr: *mut T) -> Result<&'a mut T, jwt_status> {
    usable(ptr)?;
    // SAFETY: non-null and aligned; the rest is forwarded to the caller.
    Ok(unsafe { &mut *ptr })
}

/// Runs `body`, turning its error into the status.
fn status(body: impl FnOnce() -> Result<(), jwt_status>) -> jwt_status {
    match body() {
        Ok(()) => jwt_status::JWT_OK,
        Err(status) => status,
    }
}

/// 64-bit words of a `jwt_key`: room for the largest key of any build, with its marker and
/// address.
#[cfg(target_pointer_width = "64")]
pub const JWT_KEY_WORDS: usize = 176;
/// 64-bit words of a `jwt_key`: room for the largest key of any build, with its marker and
/// address.
#[cfg(not(target_pointer_width = "64"))]
pub const JWT_KEY_WORDS: usize = 28;

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
/// - **Aligned.** Storage that is not aligned as a `jwt_key` (8 bytes) gives
///   `JWT_MISALIGNED_POINTER` and is never read or written.
/// - **Cleared last.** `jwt_key_clear` drops the key (wiping secrets, freeing an RS256
///   key's memory) and zeroes the storage. Storage that goes away holding an RS256 key leaks
///   that key's memory.
#[repr(C)]
pub struct jwt_key {
    opaque: [u64; JWT_KEY_WORDS],
}

/// What caller storage holds, from its first two words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Occupancy {
    /// No marker: zeroed or cleared.
    Empty,
    /// The marker and the storage's own address: a value written by [`CallerStorage::store`].
    Holds,
    /// The marker and another address: bytes copied from storage that holds a value, whose
    /// value (and the heap memory it owns) is that storage's.
    Copy,
}

/// Caller storage for a value of this crate (`jwt_key`, `jwt_keyset`): 64-bit words that
/// begin with a marker and the storage's own address, written with the value and removed
/// before it is dropped. Storage that was zeroed or cleared has no marker; C copies structs
/// freely, and a copy carries the address of the storage it was copied from, so it is never
/// read as holding the value, nor drops it.
///
/// # Safety
/// The implementing type must be `#[repr(C)]` words (`[u64; N]`), large and aligned enough
/// for a `Slot<Self::Value>`: each implementation asserts it at compile time.
unsafe trait CallerStorage: Sized {
    type Value;
    /// The first word of storage that holds a value.
    const MARKER: u64;

    /// What the storage at `slot` holds, or why it cannot be used.
    ///
    /// # Safety
    /// Unless NULL or misaligned, `slot` must point to readable storage for a `Self` that is
    /// zeroed or was written by these functions since (the two words read are initialised).
    unsafe fn occupancy(slot: *const Self) -> Result<Occupancy, jwt_status> {
        usable(slot)?;
        let slot = slot.cast::<Slot<Self::Value>>();
        // SAFETY: non-null, aligned and readable by the caller's promise; the trait's
        // contract makes the storage large and aligned enough for a `Slot`, whose first two
        // fields are plain words.
        let (marker, home) = unsafe { ((*slot).marker, (*slot).home) };
        Ok(match (marker == Self::MARKER, home == address(slot)) {
            (false, _) => Occupancy::Empty,
            (true, true) => Occupancy::Holds,
            (true, false) => Occupancy::Copy,
        })
    }

    /// Writes `value` into the storage at `slot`, dropping the value it held; a copy's bytes
    /// are overwritten without dropping anything.
    ///
    /// # Safety
    /// As [`occupancy`](Self::occupancy), writable, and nothing else may use the storage
    /// during the call.
    unsafe fn store(slot: *mut Self, value: Self::Value) -> Result<(), jwt_status> {
        // SAFETY (both): forwarded to the caller.
        unsafe {
            Self::empty(slot)?;
            slot.cast::<Slot<Self::Value>>().write(Slot {
                marker: Self::MARKER,
                home: address(slot),
                value,
            });
        }
        Ok(())
    }

    /// The value in the storage at `slot`.
    ///
    /// # Safety
    /// As [`occupancy`](Self::occupancy), and nothing may write the storage during `'a`.
    unsafe fn load<'a>(slot: *const Self) -> Result<&'a Self::Value, jwt_status> {
        // SAFETY: forwarded to the caller.
        match unsafe { Self::occupancy(slot) }? {
            Occupancy::Empty => Err(jwt_status::JWT_UNINITIALIZED_KEY),
            Occupancy::Copy => Err(jwt_status::JWT_COPIED_KEY),
            // SAFETY: the marker with the storage's own address is only ever written
            // together with a value by `store`, and `empty` removes it before the value is
            // dropped.
            Occupancy::Holds => Ok(unsafe { &(*slot.cast::<Slot<Self::Value>>()).value }),
        }
    }

    /// Drops the value in the storage at `slot`, if it holds one, and zeroes the storage
    /// (a copy's bytes too, which may hold a secret).
    ///
    /// # Safety
    /// As [`store`](Self::store).
    unsafe fn empty(slot: *mut Self) -> Result<(), jwt_status> {
        // SAFETY: forwarded to the caller.
        let held = unsafe { Self::occupancy(slot) }?;
        let words = slot.cast::<Slot<Self::Value>>();
        // SAFETY: checked usable and held by `occupancy`; writable by the caller's promise.
        unsafe {
            if held == Occupancy::Holds {
                // The marker goes first, so the value is dropped exactly once.
                (*words).marker = 0;
                core::ptr::drop_in_place(&raw mut (*words).value);
            }
            slot.cast::<u8>().write_bytes(0, size_of::<Self>());
        }
        Ok(())
    }
}

/// What caller storage holds once initialised: the marker, the storage's address, the value.
#[repr(C)]
struct Slot<T> {
    marker: u64,
    home: u64,
    value: T,
}

/// The address of `slot`, as recorded in it.
fn address<T>(slot: *const T) -> u64 {
    slot as usize as u64
}

/// A key of a `jwt_key`: one that verifies (an HS256 secret also signs), or an ES256
/// private key, which signs and verifies with its public half.
enum Held {
    Verifying(AnyVerifyingKey),
    #[cfg(feature = "es256")]
    Es256Private(jwt_core::Es256PrivateKey, jwt_core::Es256PublicKey),
}

impl Held {
    fn verifying(&self) -> &dyn jwt_core::VerifyingKey {
        match self {
            Held::Verifying(key) => key,
            #[cfg(feature = "es256")]
            Held::Es256Private(_, public) => public,
        }
    }

    fn signing(&self) -> Result<&dyn jwt_core::SigningKey, jwt_status> {
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

// SAFETY: `jwt_key` is `#[repr(C)]` words; the asserts below check size and alignment.
unsafe impl CallerStorage for jwt_key {
    type Value = Held;
    /// "jwtkey01".
    const MARKER: u64 = 0x6a77_746b_6579_3031;
}

const _: () = assert!(size_of::<Slot<Held>>() <= size_of::<jwt_key>());
const _: () = assert!(align_of::<Slot<Held>>() <= align_of::<jwt_key>());

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
    status(|| {
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
    status(|| {
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
    status(|| {
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
    status(|| {
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
    status(|| {
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
    // SAFETY: forwarded to the caller. NULL and misaligned storage are refused untouched,
    // which a function returning nothing cannot report.
    let _ = unsafe { jwt_key::empty(key) };
}

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
pub const JWT_KEYSET_WORDS: usize = 352;

/// Storage for a JWK Set of up to `JWT_KEYSET_CAPACITY` verifying keys, owned by the caller
/// (typically static: it is large): filled by `jwt_keyset_parse`, read by
/// `jwt_verify_keyset`, emptied by `jwt_keyset_clear`. Its contents are private, and it
/// holds no pointer to the document it was parsed from. It follows the rules of `jwt_key`
/// storage: zeroed before first use, a set lives where it was parsed (a copy gives
/// `JWT_COPIED_KEY`), parsing again replaces the set, 8-byte alignment.
#[repr(C)]
pub struct jwt_keyset {
    opaque: [u64; JWT_KEYSET_WORDS],
}

type KeysetValue = jwt_core::JwkSet<JWT_KEYSET_CAPACITY>;

// SAFETY: `jwt_keyset` is `#[repr(C)]` words; the asserts below check size and alignment.
unsafe impl CallerStorage for jwt_keyset {
    type Value = KeysetValue;
    /// "jwtset01".
    const MARKER: u64 = 0x6a77_7473_6574_3031;
}

const _: () = assert!(size_of::<Slot<KeysetValue>>() <= size_of::<jwt_keyset>());

const _: () = assert!(align_of::<Slot<KeysetValue>>() <= align_of::<jwt_keyset>());

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
    status(|| {
        usable(set)?;
        // SAFETY: forwarded to the caller.
        let jwks = unsafe { bytes(jwks.cast(), jwks_len) }?;
        let parsed = KeysetValue::parse(jwks)?;
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
    // SAFETY: forwarded to the caller.
    unsafe { jwt_keyset::load(set) }.map_or(0, KeysetValue::len)
}

/// Empties `set` as `jwt_key_clear` empties a key: drops the keys it holds, wiping them,
/// and zeroes the storage; using it again gives `JWT_UNINITIALIZED_KEY`.
///
/// # Safety
/// As `jwt_keyset_len`, and nothing else may use `set` during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_keyset_clear(set: *mut jwt_keyset) {
    // SAFETY: forwarded to the caller. NULL and misaligned storage are refused untouched.
    let _ = unsafe { jwt_keyset::empty(set) };
}

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
    status(|| {
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
        if len != 0 {
            usable(list)?;
        }
        let mut values = Values {
            items: [""; JWT_POLICY_MAX_VALUES],
            len,
        };
        for (i, item) in values.items.iter_mut().take(len).enumerate() {
            // SAFETY: `list` is non-null and aligned here (`len` > 0) and points to `len`
            // `jwt_str`s by the caller's promise; `i < len`.
            let value = unsafe { list.add(i).read() };
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
unsafe fn with_validation<R>(
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

/// The verified claims of a token: the claims set's JSON text and its registered claims,
/// all pointing into the caller's buffer given to `jwt_verify` (valid while it is).
/// Strings are unescaped UTF-8; absent ones are `{NULL, 0}`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_claims {
    /// The whole claims set, JSON text.
    pub json: jwt_str,
    pub iss: jwt_str,
    pub sub: jwt_str,
    pub jti: jwt_str,
    pub client_id: jwt_str,
    pub scope: jwt_str,
    /// `aud` as JSON text: a string (with its quotes) or an array of strings.
    pub aud: jwt_str,
    /// NumericDates in whole seconds (fractions dropped), valid when their `has_` flag is.
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub has_exp: bool,
    pub has_nbf: bool,
    pub has_iat: bool,
    /// After `JWT_MISSING_CLAIM` or `JWT_INVALID_CLAIM`: the claim; otherwise
    /// `JWT_CLAIM_NONE`.
    pub error_claim: jwt_claim,
}

impl jwt_claims {
    const EMPTY: jwt_claims = jwt_claims {
        json: jwt_str::NONE,
        iss: jwt_str::NONE,
        sub: jwt_str::NONE,
        jti: jwt_str::NONE,
        client_id: jwt_str::NONE,
        scope: jwt_str::NONE,
        aud: jwt_str::NONE,
        exp: 0,
        nbf: 0,
        iat: 0,
        has_exp: false,
        has_nbf: false,
        has_iat: false,
        error_claim: jwt_claim::JWT_CLAIM_NONE,
    };
}

/// Copies the unescaped `s` to the front of `*spare`, moving `*spare` past it, and returns
/// the copy; a string without escapes is returned where it is.
fn unescaped<'b>(s: JsonStr<'b>, spare: &mut &'b mut [u8]) -> Result<&'b [u8], jwt_status> {
    if let Some(plain) = s.as_str() {
        return Ok(plain.as_bytes());
    }
    let (copy, rest) = core::mem::take(spare)
        .split_at_mut_checked(s.len())
        .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
    unescaped_into(s, copy)?;
    *spare = rest;
    Ok(copy)
}

/// Whole seconds of a NumericDate the library has validated.
fn seconds(number: &str) -> u64 {
    jwt_core::NumericDate::parse(number).map_or(0, jwt_core::NumericDate::floor)
}

/// Bytes of a `buf` that always suffice for `jwt_verify`, `jwt_verify_keyset` and
/// `jwt_decode_header` with a token of `token_len` bytes: `token_len + token_len / 2`
/// (saturating). A static buffer can be sized from the longest token accepted.
///
/// As many bytes as the token suffice when no string the call unescapes holds an escape:
/// the claims' member names and `iss`, `sub`, `jti`, `client_id`, `scope` (`kid` and `typ`
/// for `jwt_decode_header`). With escapes, the claims' JSON text and the unescaped copies
/// beside it can outgrow the token: a `sub` of quotes, each escaped as `\"`, takes three
/// bytes of buffer per quote and under 2.7 bytes of token.
///
/// One and a half times always suffices: the buffer holds the decoded payload, at most
/// three quarters of its base64url text, then either the unescaped copy of one member name
/// (while the claims are read) or the copies of the registered strings. Each copy is shorter
/// than its escaped text, and those texts are separate parts of the payload, so either takes
/// less than the payload: less than twice the payload in all, less than one and a half times
/// the token. The decoded header, read first, and its copies of `kid` and `typ` take less
/// than twice the header, by the same reasoning.
#[unsafe(no_mangle)]
pub extern "C" fn jwt_verify_buf_len(token_len: usize) -> usize {
    token_len.saturating_add(token_len / 2)
}

/// Verifies `token` (`token_len` bytes) with `key`, validates it against `policy` at `now`
/// (Unix seconds) and, when valid, describes its claims in `*claims`.
///
/// `buf` (`buf_len` bytes) receives the decoded header and claims, and the unescaped copies
/// of registered strings that contain escapes: `jwt_verify_buf_len(token_len)` bytes always
/// suffice, as many as the token when those strings hold no escape. On any status but
/// `JWT_OK`, `*claims` holds nothing but `error_claim`.
///
/// # Safety
/// `token` must point to `token_len` bytes, `key` to a `jwt_key`, `policy` to a
/// `jwt_policy` whose pointers are valid, `buf` to `buf_len` writable bytes that nothing
/// else uses during the call, `claims` to writable storage for a `jwt_claims`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify(
    token: *const c_char,
    token_len: usize,
    key: *const jwt_key,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            jwt_key::load(key).map(Held::verifying)
        })
    }
}

/// Checks a JWS signature, in its algorithm's JWS form (a 32-byte HMAC, a 64-byte P1363
/// ECDSA signature, an RSA PKCS#1 v1.5 signature), over `signing_input` with `key`. This is
/// the signature step of `jwt_verify` alone: no header, no claims, no policy. Use it for JWS
/// formats `jwt_verify` does not read (detached payloads); tokens go through `jwt_verify`.
///
/// Returns `JWT_INVALID_SIGNATURE` for a signature that does not verify, whatever its length.
///
/// # Safety
/// `key` must point to a `jwt_key`, `signing_input` to `input_len` bytes and `signature` to
/// `signature_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_signature(
    key: *const jwt_key,
    signing_input: *const u8,
    input_len: usize,
    signature: *const u8,
    signature_len: usize,
) -> jwt_status {
    status(|| {
        // SAFETY (all three): forwarded to the caller.
        let key = unsafe { jwt_key::load(key) }?;
        let input = unsafe { bytes(signing_input, input_len) }?;
        let signature = unsafe { bytes(signature, signature_len) }?;
        Ok(key.verifying().verify_signature(input, signature)?)
    })
}

/// [`jwt_verify`] with the key `set` chooses for the token's header (`alg` and `kid`, as
/// jwt-core's `JwkSet` chooses: `JWT_UNKNOWN_KEY` when none fits, `JWT_AMBIGUOUS_KEY` when
/// several do).
///
/// # Safety
/// As `jwt_verify`, with `set` pointing to a `jwt_keyset`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_keyset(
    token: *const c_char,
    token_len: usize,
    set: *const jwt_keyset,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            jwt_keyset::load(set)
        })
    }
}

/// What a token is verified with: one key, or the key a set chooses. A trait rather than an
/// enum, so each verify function links only its own path (firmware calling `jwt_verify`
/// does not carry the key-set code).
trait Verifier {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error>;
}

impl Verifier for &dyn jwt_core::VerifyingKey {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        jwt_core::verify_claims(token, *self, validation, now, buf).map(|claims| claims.json())
    }
}

impl Verifier for &KeysetValue {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        KeysetValue::verify_claims(self, token, validation, now, buf).map(|claims| claims.json())
    }
}

/// The body of the verify functions: checks the pointers, verifies with what `verifier`
/// gives, and reads the registered claims into `*claims`.
///
/// # Safety
/// As `jwt_verify`, for the pointers this takes; `verifier` reads the key storage.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_into<V: Verifier>(
    token: *const c_char,
    token_len: usize,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    verifier: impl FnOnce() -> Result<V, jwt_status>,
) -> jwt_status {
    status(|| {
        // SAFETY (all four): forwarded to the caller.
        let claims = unsafe { out(claims) }?;
        *claims = jwt_claims::EMPTY;
        let token = unsafe { text(token, token_len) }?;
        let policy = unsafe { reference(policy) }?;
        let buf = unsafe { bytes_mut(buf, buf_len) }?;
        let verifier = verifier()?;
        let payload_len = unsafe {
            with_validation(policy, |validation| {
                verifier
                    .verify_claims(token, validation, now, buf)
                    .map(<[u8]>::len)
                    .map_err(|error| {
                        claims.error_claim = error_claim(error);
                        jwt_status::from(error)
                    })
            })
        }?;
        let (payload, mut spare) = buf
            .split_at_mut_checked(payload_len)
            .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
        let payload: &[u8] = payload;
        let mut read = jwt_claims::EMPTY;
        read.json = jwt_str::of(payload);
        let mut failed = Ok(());
        json::parse_object(payload, |name, value| {
            let Some(field) = (match (name.as_str(), value) {
                (Some("iss"), _) => Some(&mut read.iss),
                (Some("sub"), _) => Some(&mut read.sub),
                (Some("jti"), _) => Some(&mut read.jti),
                (Some("client_id"), _) => Some(&mut read.client_id),
                (Some("scope"), _) => Some(&mut read.scope),
                (Some("aud"), value) => {
                    read.aud = jwt_str::of(raw_value(payload, value).as_bytes());
                    None
                }
                (Some(date @ ("exp" | "nbf" | "iat")), Value::Number(n)) => {
                    let (value, has) = match date {
                        "exp" => (&mut read.exp, &mut read.has_exp),
                        "nbf" => (&mut read.nbf, &mut read.has_nbf),
                        _ => (&mut read.iat, &mut read.has_iat),
                    };
                    (*value, *has) = (seconds(n), true);
                    None
                }
                _ => None,
            }) else {
                return Ok(());
            };
            if let Value::String(s) = value {
                match unescaped(s, &mut spare) {
                    Ok(text) => *field = jwt_str::of(text),
                    Err(status) => failed = Err(status),
                }
            }
            Ok(())
        })?;
        failed?;
        *claims = read;
        Ok(())
    })
}

/// Finds the bearer token in an HTTP `Authorization` header value (RFC 6750 section 2.1;
/// NULL for a request without the header) and points `*token` into it.
///
/// Returns `JWT_NO_CREDENTIALS` for no header or another scheme, `JWT_INVALID_REQUEST` for
/// a malformed Bearer value, `JWT_NOT_UTF8` for bytes that are not text.
///
/// # Safety
/// `authorization` must be NULL or point to `authorization_len` bytes; `token` to writable
/// storage for a `jwt_str`, which points into `authorization` afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_bearer_token(
    authorization: *const c_char,
    authorization_len: usize,
    token: *mut jwt_str,
) -> jwt_status {
    status(|| {
        // SAFETY (both): forwarded to the caller.
        let token = unsafe { out(token) }?;
        *token = jwt_str::of(&[]);
        let header = match authorization.is_null() {
            true => None,
            false => Some(unsafe { text(authorization, authorization_len) }?),
        };
        let found = jwt_core::bearer::token_from_authorization(header).map_err(bearer_status)?;
        *token = jwt_str::of(found.as_bytes());
        Ok(())
    })
}

fn bearer_status(refusal: BearerError) -> jwt_status {
    match refusal {
        BearerError::NoCredentials => jwt_status::JWT_NO_CREDENTIALS,
        BearerError::InvalidRequest => jwt_status::JWT_INVALID_REQUEST,
        BearerError::InsufficientScope => jwt_status::JWT_INSUFFICIENT_SCOPE,
        BearerError::InvalidToken => jwt_status::JWT_INVALID_SIGNATURE,
    }
}

/// The RFC 6750 refusal for a status: `JWT_OK` is none, the three bearer statuses are
/// theirs, and every other status means the token is invalid (RFC 9068 section 4).
fn refusal_of(status: jwt_status) -> Option<BearerError> {
    match status {
        jwt_status::JWT_OK => None,
        jwt_status::JWT_NO_CREDENTIALS => Some(BearerError::NoCredentials),
        jwt_status::JWT_INVALID_REQUEST => Some(BearerError::InvalidRequest),
        jwt_status::JWT_INSUFFICIENT_SCOPE => Some(BearerError::InsufficientScope),
        _ => Some(BearerError::InvalidToken),
    }
}

/// Whether the space-delimited scopes `scopes` (`scopes_len` bytes: a `scope` claim, as
/// `jwt_claims.scope` gives it) contain `scope` exactly (RFC 6749 section 3.3). False when
/// either is NULL or not UTF-8.
///
/// # Safety
/// `scopes` must point to `scopes_len` bytes and `scope` to `scope_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_scopes_contain(
    scopes: *const c_char,
    scopes_len: usize,
    scope: *const c_char,
    scope_len: usize,
) -> bool {
    // SAFETY (both): forwarded to the caller.
    let (Ok(scopes), Ok(scope)) = (unsafe { text(scopes, scopes_len) }, unsafe {
        text(scope, scope_len)
    }) else {
        return false;
    };
    !scopes.is_empty() && jwt_core::scope::Scopes::Delimited(scopes).contains(scope)
}

/// The HTTP status a gateway answers a request with after `status` (a `jwt_status`): 200
/// for `JWT_OK`, 400 for `JWT_INVALID_REQUEST`, 403 for `JWT_INSUFFICIENT_SCOPE`, 401 for
/// every other status (RFC 6750 section 3.1).
#[unsafe(no_mangle)]
pub extern "C" fn jwt_http_status(status: jwt_status) -> u16 {
    refusal_of(status).map_or(200, BearerError::status)
}

/// Writes the `WWW-Authenticate` header value that goes with refusing a request after
/// `status` into `out` (`out_len` bytes, not NUL-terminated), its length to `*written`:
/// `Bearer`, the `realm` if given, the RFC 6750 `error` code, and for
/// `JWT_INSUFFICIENT_SCOPE` the `scope` needed. Characters RFC 6750 does not allow in
/// `realm` and `scope` are left out, so no input can break the header.
///
/// Returns `JWT_INVALID_ARGUMENT` for `JWT_OK` (nothing is refused) and
/// `JWT_BUFFER_TOO_SMALL` when `out` is too short (128 bytes plus the realm and scope
/// always suffice).
///
/// # Safety
/// `realm` and `scope` must each be NULL or point to their length in bytes; `out` to
/// `out_len` writable bytes, `written` to a `size_t`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_challenge(
    status_code: jwt_status,
    realm: *const c_char,
    realm_len: usize,
    scope: *const c_char,
    scope_len: usize,
    out: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> jwt_status {
    status(|| {
        // SAFETY (all four): forwarded to the caller.
        let written = unsafe { self::out(written) }?;
        *written = 0;
        let optional = |ptr: *const c_char, len| match ptr.is_null() {
            true => Ok(None),
            false => unsafe { text(ptr, len) }.map(Some),
        };
        let realm = optional(realm, realm_len)?;
        let scope = optional(scope, scope_len)?;
        let out = unsafe { bytes_mut(out.cast(), out_len) }?;
        let refusal = refusal_of(status_code).ok_or(jwt_status::JWT_INVALID_ARGUMENT)?;
        *written = refusal.challenge(realm, scope, out)?.len();
        Ok(())
    })
}

/// The JSON text of `value`, a value of the document `doc`: strings with their quotes.
fn raw_value<'a>(doc: &'a [u8], value: Value<'a>) -> &'a str {
    match value {
        Value::String(s) => {
            // The quotes sit just outside the string's raw text, inside `doc`.
            let start = (s.raw().as_ptr() as usize).wrapping_sub(doc.as_ptr() as usize);
            doc.get(start.wrapping_sub(1)..start + s.raw().len() + 1)
                .and_then(|quoted| core::str::from_utf8(quoted).ok())
                .unwrap_or_default()
        }
        Value::Number(text) | Value::Array(text) | Value::Object(text) => text,
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        _ => "null",
    }
}

/// Finds the member `name` of the verified claims and hands its value to `take`.
///
/// # Safety
/// `claims` must point to a `jwt_claims` filled by `jwt_verify` whose buffer is still valid;
/// `name` to `name_len` bytes.
unsafe fn lookup(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    take: impl FnOnce(&[u8], Value<'_>) -> Result<(), jwt_status>,
) -> jwt_status {
    status(|| {
        // SAFETY (all three): forwarded to the caller.
        let claims = unsafe { reference(claims) }?;
        let name = unsafe { text(name, name_len) }?;
        let doc = unsafe { bytes(claims.json.ptr.cast(), claims.json.len) }?;
        let mut found = None;
        json::parse_object(doc, |member, value| {
            if member == name {
                found = Some(value);
            }
            Ok(())
        })?;
        take(doc, found.ok_or(jwt_status::JWT_NOT_FOUND)?)
    })
}

/// Copies the unescaped string member `name` of the claims to `out` (`out_len` bytes, not
/// NUL-terminated) and its length to `*written`.
///
/// Returns `JWT_NOT_FOUND`, `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not a string,
/// or `JWT_BUFFER_TOO_SMALL` (with `*written` the length needed).
///
/// # Safety
/// As `jwt_claims_raw`, and `out` must point to `out_len` writable bytes, `written` to a
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_string(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    out_buf: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, value| {
            let Value::String(s) = value else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            let written = out(written)?;
            *written = s.len();
            let target = bytes_mut(out_buf.cast(), out_len)?;
            unescaped_into(s, target)
        })
    }
}

/// Copies the unescaped `s` to the front of `target`.
fn unescaped_into(s: JsonStr<'_>, target: &mut [u8]) -> Result<(), jwt_status> {
    let copy = target
        .get_mut(..s.len())
        .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
    for (slot, byte) in copy.iter_mut().zip(s.bytes()) {
        *slot = byte;
    }
    Ok(())
}

/// The integer member `name` of the claims in `*value`.
///
/// Returns `JWT_NOT_FOUND`, or `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not an
/// integer that fits an `int64_t`.
///
/// # Safety
/// As `jwt_claims_raw`, and `value` must point to an `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_int(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut i64,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, found| {
            let Value::Number(n) = found else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            *out(value)? = n
                .parse()
                .map_err(|_| jwt_status::JWT_CLAIMS_TYPE_MISMATCH)?;
            Ok(())
        })
    }
}

/// The boolean member `name` of the claims in `*value`.
///
/// Returns `JWT_NOT_FOUND`, or `JWT_CLAIMS_TYPE_MISMATCH` for a member that is not `true`
/// or `false`.
///
/// # Safety
/// As `jwt_claims_raw`, and `value` must point to a `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_bool(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut bool,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |_, found| {
            let Value::Bool(b) = found else {
                return Err(jwt_status::JWT_CLAIMS_TYPE_MISMATCH);
            };
            *out(value)? = b;
            Ok(())
        })
    }
}

/// The JSON text of member `name` of the claims (a string with its quotes, a number, an
/// array, an object, `true`, `false` or `null`) in `*value`, pointing into the claims.
///
/// Returns `JWT_NOT_FOUND` when there is no such member.
///
/// # Safety
/// `claims` must point to a `jwt_claims` filled by a successful `jwt_verify` whose buffer is
/// still valid and unchanged; `name` to `name_len` bytes; `value` to a `jwt_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_claims_raw(
    claims: *const jwt_claims,
    name: *const c_char,
    name_len: usize,
    value: *mut jwt_str,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        lookup(claims, name, name_len, |doc, found| {
            *out(value)? = jwt_str::of(raw_value(doc, found).as_bytes());
            Ok(())
        })
    }
}

/// A token's header, read without verifying anything (to choose a key).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_header {
    pub alg: jwt_alg,
    /// Unescaped; `{NULL, 0}` when absent.
    pub kid: jwt_str,
    pub typ: jwt_str,
}

/// Reads the header of `token` into `*header`; `kid` and `typ` point into `buf`
/// (`buf_len` bytes: `jwt_verify_buf_len(token_len)` always suffice, as many as the token
/// when `kid` and `typ` hold no escape).
///
/// # Safety
/// `token` must point to `token_len` bytes, `buf` to `buf_len` writable bytes that nothing
/// else uses during the call, `header` to writable storage for a `jwt_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_decode_header(
    token: *const c_char,
    token_len: usize,
    buf: *mut u8,
    buf_len: usize,
    header: *mut jwt_header,
) -> jwt_status {
    status(|| {
        // SAFETY (all three): forwarded to the caller.
        let header = unsafe { out(header) }?;
        let token = unsafe { text(token, token_len) }?;
        let buf = unsafe { bytes_mut(buf, buf_len) }?;
        // The decoded header first, the rest for unescaping its strings.
        let segment = token.split('.').next().unwrap_or_default();
        let len = jwt_core::base64url::decoded_len(segment.len()).ok_or(Error::Base64)?;
        let (decoded, mut spare) = buf
            .split_at_mut_checked(len)
            .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
        let read = jwt_core::decode_header(token, decoded)?;
        let mut text = [read.kid, read.typ].map(|_| jwt_str::NONE);
        for (slot, s) in text.iter_mut().zip([read.kid, read.typ]) {
            if let Some(s) = s {
                *slot = jwt_str::of(unescaped(s, &mut spare)?);
            }
        }
        let [kid, typ] = text;
        *header = jwt_header {
            alg: c_alg(read.alg),
            kid,
            typ,
        };
        Ok(())
    })
}

/// Claims given as JSON text, handed to jwt-core's serializer value by value: the token
/// carries the claims as jwt-core writes them, checked by the rules every signer follows
/// (registered claims of their registered types, NumericDates as whole seconds).
struct JsonText<'a>(Value<'a>);

/// A member name of [`JsonText`], written unescaped.
struct Name<'a>(JsonStr<'a>);

impl serde::Serialize for Name<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl serde::Serialize for JsonText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeMap, SerializeSeq};
        // The visitors of the JSON reader return jwt-core errors; the serializer's own error
        // is kept here and returned once the reader stops.
        let mut failed = None;
        let mut keep = |result: Result<(), S::Error>| {
            result.map_err(|e| {
                failed = Some(e);
                Error::Signing
            })
        };
        match self.0 {
            Value::String(text) => serializer.collect_str(&text),
            Value::Number(n) => match (n.parse::<u64>(), n.parse::<i64>()) {
                (Ok(u), _) => serializer.serialize_u64(u),
                (_, Ok(i)) => serializer.serialize_i64(i),
                _ => serializer.serialize_f64(n.parse().map_err(|_| S::Error::custom("number"))?),
            },
            Value::Bool(b) => serializer.serialize_bool(b),
            Value::Array(text) => {
                let mut seq = serializer.serialize_seq(None)?;
                let read =
                    json::for_each_element(text, |v| keep(seq.serialize_element(&JsonText(v))));
                match (read, failed) {
                    (_, Some(e)) => Err(e),
                    (Err(_), None) => Err(S::Error::custom("array")),
                    (Ok(()), None) => seq.end(),
                }
            }
            Value::Object(text) => {
                let mut map = serializer.serialize_map(None)?;
                let read = json::parse_object(text.as_bytes(), |k, v| {
                    keep(map.serialize_entry(&Name(k), &JsonText(v)))
                });
                match (read, failed) {
                    (_, Some(e)) => Err(e),
                    (Err(_), None) => Err(S::Error::custom("object")),
                    (Ok(()), None) => map.end(),
                }
            }
            _ => serializer.serialize_unit(),
        }
    }
}

/// Signs the claims `claims_json` (a JSON object, `claims_len` bytes) with `key` (an HS256
/// secret or an ES256 private key) into `out` (`out_len` bytes), writing the token's length
/// to `*token_len`. The header is `alg` from the key, then `typ` (`{NULL, 0}` for `JWT`) and
/// `kid` when given. The token is not NUL-terminated.
///
/// Returns `JWT_JSON` for claims that are not a JSON object, `JWT_INVALID_CLAIM` for a
/// registered claim of the wrong type, `JWT_INVALID_KEY` for a key that only verifies,
/// `JWT_BUFFER_TOO_SMALL` when the token does not fit.
///
/// # Safety
/// `key` must point to a `jwt_key`; `claims_json` to `claims_len` bytes; `typ` and `kid`
/// texts to their lengths; `out` to `out_len` writable bytes; `token_len` to a `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_sign(
    key: *const jwt_key,
    claims_json: *const c_char,
    claims_len: usize,
    typ: jwt_str,
    kid: jwt_str,
    out_buf: *mut c_char,
    out_len: usize,
    token_len: *mut usize,
) -> jwt_status {
    status(|| {
        // SAFETY (all six): forwarded to the caller.
        let written = unsafe { out(token_len) }?;
        *written = 0;
        let key = unsafe { jwt_key::load(key) }?.signing()?;
        let claims = unsafe { text(claims_json, claims_len) }?;
        let typ = unsafe { text(typ.ptr, typ.len) }?;
        let kid = unsafe { text(kid.ptr, kid.len) }?;
        let target = unsafe { bytes_mut(out_buf.cast(), out_len) }?;
        // The claims must be one JSON object; the reader checks it whole first.
        json::parse_object(claims.as_bytes(), |_, _| Ok(()))?;
        let trimmed = claims.trim_matches([' ', '\t', '\n', '\r']);
        let mut fields = jwt_core::HeaderFields::new();
        if !typ.is_empty() {
            fields = fields.typ(typ);
        }
        if !kid.is_empty() {
            fields = fields.kid(kid);
        }
        let token = jwt_core::sign(key, &fields, &JsonText(Value::Object(trimmed)), target)?;
        *written = token.len();
        Ok(())
    })
}
