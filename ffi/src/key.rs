//! `jwt_key`: caller storage for one key, and the functions that make a key in it.

use core::ffi::c_char;

use jwt_core::{Algorithm, AnyVerifyingKey, Jwk, SigningKey, VerifyingKey};

use crate::alg::algorithm_of;
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
/// - **Cleared last.** `jwt_key_clear` drops the key (wiping secrets, freeing an RSA key's
///   memory) and zeroes the storage. Storage that goes away holding an RSA key leaks that
///   key's memory.
#[repr(C, align(16))]
pub struct jwt_key {
    opaque: [u64; JWT_KEY_WORDS],
}

/// A key of a `jwt_key`: one that verifies (an HMAC secret also signs), or a private key,
/// which signs and verifies with its public half.
pub(crate) enum Held {
    Verifying(AnyVerifyingKey),
    #[cfg(any(
        feature = "p256",
        feature = "p384",
        feature = "p521",
        feature = "k256",
        feature = "ed25519"
    ))]
    Private(PrivateKey),
}

/// A private key of a `jwt_key`: ECDSA or Ed25519 (RSA keys sign from Rust only).
#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
// Caller storage is sized for the largest key whatever the variant: boxing would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum PrivateKey {
    /// With its public half, made once: on 64-bit targets it carries the tables ES256
    /// verifies with, which cost more to build than a verification.
    #[cfg(feature = "p256")]
    Es256(jwt_core::Es256PrivateKey, jwt_core::Es256PublicKey),
    // The public halves of these are copies of what the private key holds, made when they
    // verify: kept beside it, they would make every `jwt_key` larger on 32-bit targets.
    #[cfg(feature = "p384")]
    Es384(jwt_core::Es384PrivateKey),
    #[cfg(feature = "p521")]
    Es512(jwt_core::Es512PrivateKey),
    #[cfg(feature = "k256")]
    Es256k(jwt_core::Es256kPrivateKey),
    #[cfg(feature = "ed25519")]
    EdDsa(jwt_core::Ed25519PrivateKey),
}

impl Held {
    /// What `verify` answers with the key that verifies: this key, or a private key's
    /// public half.
    pub(crate) fn verifying<R>(&self, verify: impl FnOnce(&dyn VerifyingKey) -> R) -> R {
        match self {
            Held::Verifying(key) => verify(key),
            #[cfg(any(
                feature = "p256",
                feature = "p384",
                feature = "p521",
                feature = "k256",
                feature = "ed25519"
            ))]
            Held::Private(key) => key.verifying(verify),
        }
    }

    pub(crate) fn signing(&self) -> Result<&dyn SigningKey, jwt_status> {
        match self {
            #[cfg(feature = "hmac")]
            Held::Verifying(AnyVerifyingKey::Hs256(key)) => Ok(key),
            #[cfg(feature = "hmac-sha512")]
            Held::Verifying(AnyVerifyingKey::Hs384(key)) => Ok(key),
            #[cfg(feature = "hmac-sha512")]
            Held::Verifying(AnyVerifyingKey::Hs512(key)) => Ok(key),
            #[cfg(any(
                feature = "p256",
                feature = "p384",
                feature = "p521",
                feature = "k256",
                feature = "ed25519"
            ))]
            Held::Private(key) => Ok(key.signing()),
            #[allow(unreachable_patterns)]
            Held::Verifying(_) => Err(jwt_status::JWT_INVALID_KEY),
        }
    }
}

#[cfg(any(
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]
impl PrivateKey {
    fn verifying<R>(&self, verify: impl FnOnce(&dyn VerifyingKey) -> R) -> R {
        match *self {
            #[cfg(feature = "p256")]
            PrivateKey::Es256(_, ref public) => verify(public),
            #[cfg(feature = "p384")]
            PrivateKey::Es384(ref key) => verify(&key.public_key()),
            #[cfg(feature = "p521")]
            PrivateKey::Es512(ref key) => verify(&key.public_key()),
            #[cfg(feature = "k256")]
            PrivateKey::Es256k(ref key) => verify(&key.public_key()),
            #[cfg(feature = "ed25519")]
            PrivateKey::EdDsa(ref key) => verify(&key.public_key()),
        }
    }

    fn signing(&self) -> &dyn SigningKey {
        match *self {
            #[cfg(feature = "p256")]
            PrivateKey::Es256(ref key, _) => key,
            #[cfg(feature = "p384")]
            PrivateKey::Es384(ref key) => key,
            #[cfg(feature = "p521")]
            PrivateKey::Es512(ref key) => key,
            #[cfg(feature = "k256")]
            PrivateKey::Es256k(ref key) => key,
            #[cfg(feature = "ed25519")]
            PrivateKey::EdDsa(ref key) => key,
        }
    }
}

// The marker is "jwtkey01".
caller_storage!(jwt_key, Held, 0x6a77_746b_6579_3031);

/// Makes `*key` hold what `make` makes of the `input_len` bytes at `input`: the checks of
/// every `jwt_key_*` function, in order (the storage, then the input).
///
/// # Safety
/// As the `jwt_key_*` functions: `key` must point to writable `jwt_key` storage kept by its
/// rules, `input` to `input_len` bytes.
unsafe fn make(
    key: *mut jwt_key,
    input: *const u8,
    input_len: usize,
    make: impl FnOnce(&[u8]) -> Result<Held, jwt_status>,
) -> jwt_status {
    call(|| {
        usable(key)?;
        // SAFETY: forwarded to the caller.
        let input = unsafe { bytes(input, input_len) }?;
        let made = make(input)?;
        // SAFETY: forwarded to the caller.
        unsafe { jwt_key::store(key, made) }
    })
}

/// Initialises `key` with an HS256 secret of `secret_len` bytes (at least 32). The secret is
/// copied: the caller may wipe its copy. `jwt_key_hmac` with `JWT_ALG_HS256`.
///
/// Returns `JWT_INVALID_KEY` for a secret shorter than 32 bytes.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `secret` to `secret_len` bytes.
#[cfg(feature = "hmac")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_hs256(
    key: *mut jwt_key,
    secret: *const u8,
    secret_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller. Not through `jwt_key_hmac`, so firmware that makes
    // HS256 keys only links no other hash's key setup.
    unsafe {
        make(key, secret, secret_len, |secret| {
            Ok(Held::Verifying(jwt_core::Hs256Key::new(secret)?.into()))
        })
    }
}

/// Initialises `key` with an HMAC secret of `secret_len` bytes for `alg` (a `jwt_alg`:
/// `JWT_ALG_HS256`, `JWT_ALG_HS384` or `JWT_ALG_HS512`), at least as long as the hash: 32,
/// 48 or 64 bytes. The key verifies and signs that one algorithm. The secret is copied: the
/// caller may wipe its copy.
///
/// Returns `JWT_INVALID_KEY` for a shorter secret, `JWT_INVALID_ARGUMENT` for an `alg`
/// that is not HMAC.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `secret` to `secret_len` bytes.
#[cfg(feature = "hmac")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_hmac(
    key: *mut jwt_key,
    alg: u32,
    secret: *const u8,
    secret_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, secret, secret_len, |secret| {
            let alg = algorithm_of(alg)?;
            Ok(Held::Verifying(match alg {
                Algorithm::Hs256 => jwt_core::Hs256Key::new(secret)?.into(),
                #[cfg(feature = "hmac-sha512")]
                Algorithm::Hs384 => jwt_core::Hs384Key::new(secret)?.into(),
                #[cfg(feature = "hmac-sha512")]
                Algorithm::Hs512 => jwt_core::Hs512Key::new(secret)?.into(),
                _ => return Err(jwt_status::JWT_INVALID_ARGUMENT),
            }))
        })
    }
}

/// Initialises `key` with an ES256 (P-256) private key: its 32-byte big-endian scalar.
/// `jwt_key_ecdsa_private` with `JWT_ALG_ES256`.
///
/// Returns `JWT_INVALID_KEY` for a scalar that is zero or not below the group order.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `scalar` to `scalar_len` bytes.
#[cfg(feature = "p256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_es256_private(
    key: *mut jwt_key,
    scalar: *const u8,
    scalar_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller. Not through `jwt_key_ecdsa_private`, as
    // `jwt_key_hs256`.
    unsafe {
        make(key, scalar, scalar_len, |scalar| {
            let private = jwt_core::Es256PrivateKey::from_bytes(scalar)?;
            let public = private.public_key();
            Ok(Held::Private(PrivateKey::Es256(private, public)))
        })
    }
}

/// Initialises `key` with an ECDSA private key for `alg` (a `jwt_alg`: `JWT_ALG_ES256`,
/// `JWT_ALG_ES384`, `JWT_ALG_ES512` or `JWT_ALG_ES256K`): its big-endian scalar of exactly
/// the curve's length (32, 48, 66 or 32 bytes). The key signs (`jwt_sign`, deterministic
/// RFC 6979 signatures) and verifies with its public half.
///
/// Returns `JWT_INVALID_KEY` for a scalar of another length, zero or not below the group
/// order; `JWT_INVALID_ARGUMENT` for an `alg` that is not ECDSA;
/// `JWT_UNSUPPORTED_ALGORITHM` for a curve this build leaves out.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `scalar` to `scalar_len` bytes.
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_ecdsa_private(
    key: *mut jwt_key,
    alg: u32,
    scalar: *const u8,
    scalar_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, scalar, scalar_len, |scalar| {
            let alg = algorithm_of(alg)?;
            Ok(Held::Private(match alg {
                #[cfg(feature = "p256")]
                Algorithm::Es256 => {
                    let private = jwt_core::Es256PrivateKey::from_bytes(scalar)?;
                    let public = private.public_key();
                    PrivateKey::Es256(private, public)
                }
                #[cfg(feature = "p384")]
                Algorithm::Es384 => {
                    PrivateKey::Es384(jwt_core::EcdsaPrivateKey::from_bytes(scalar)?)
                }
                #[cfg(feature = "p521")]
                Algorithm::Es512 => {
                    PrivateKey::Es512(jwt_core::EcdsaPrivateKey::from_bytes(scalar)?)
                }
                #[cfg(feature = "k256")]
                Algorithm::Es256k => {
                    PrivateKey::Es256k(jwt_core::EcdsaPrivateKey::from_bytes(scalar)?)
                }
                other => return Err(not_built(other, ECDSA)),
            }))
        })
    }
}

/// Initialises `key` with an ES256 (P-256) public key in SEC1 form: 65 bytes uncompressed
/// (`0x04 || x || y`) or 33 bytes compressed. `jwt_key_ecdsa` with `JWT_ALG_ES256`.
///
/// Returns `JWT_INVALID_KEY` for bytes that are not a point of the curve.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `point` to `point_len` bytes.
#[cfg(feature = "p256")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_es256(
    key: *mut jwt_key,
    point: *const u8,
    point_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller. Not through `jwt_key_ecdsa`, as `jwt_key_hs256`.
    unsafe {
        make(key, point, point_len, |point| {
            let made = jwt_core::Es256PublicKey::from_sec1_bytes(point)?;
            Ok(Held::Verifying(made.into()))
        })
    }
}

/// Initialises `key` with an ECDSA public key for `alg` (a `jwt_alg`: `JWT_ALG_ES256` on
/// P-256, `JWT_ALG_ES384` on P-384, `JWT_ALG_ES512` on P-521, `JWT_ALG_ES256K` on
/// secp256k1) in SEC1 form: uncompressed (`0x04 || x || y`: 65, 97, 133 or 65 bytes) or
/// compressed (`0x02`/`0x03 || x`).
///
/// Returns `JWT_INVALID_KEY` for bytes that are not a point of the curve,
/// `JWT_INVALID_ARGUMENT` for an `alg` that is not ECDSA, `JWT_UNSUPPORTED_ALGORITHM` for
/// a curve this build leaves out.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `point` to `point_len` bytes.
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_ecdsa(
    key: *mut jwt_key,
    alg: u32,
    point: *const u8,
    point_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, point, point_len, |point| {
            let alg = algorithm_of(alg)?;
            Ok(Held::Verifying(match alg {
                #[cfg(feature = "p256")]
                Algorithm::Es256 => {
                    AnyVerifyingKey::Es256(jwt_core::EcdsaPublicKey::from_sec1_bytes(point)?)
                }
                #[cfg(feature = "p384")]
                Algorithm::Es384 => {
                    AnyVerifyingKey::Es384(jwt_core::EcdsaPublicKey::from_sec1_bytes(point)?)
                }
                #[cfg(feature = "p521")]
                Algorithm::Es512 => {
                    AnyVerifyingKey::Es512(jwt_core::EcdsaPublicKey::from_sec1_bytes(point)?)
                }
                #[cfg(feature = "k256")]
                Algorithm::Es256k => {
                    AnyVerifyingKey::Es256k(jwt_core::EcdsaPublicKey::from_sec1_bytes(point)?)
                }
                other => return Err(not_built(other, ECDSA)),
            }))
        })
    }
}

/// The ECDSA algorithms, one per curve.
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
const ECDSA: [Algorithm; 4] = [
    Algorithm::Es256,
    Algorithm::Es384,
    Algorithm::Es512,
    Algorithm::Es256k,
];

/// Why a function for the algorithms `family` makes no key of `alg`: its feature is not in
/// this build (`JWT_UNSUPPORTED_ALGORITHM`), or `alg` is not of the family
/// (`JWT_INVALID_ARGUMENT`).
#[cfg(any(feature = "p256", feature = "p384", feature = "p521", feature = "k256"))]
fn not_built(alg: Algorithm, family: [Algorithm; 4]) -> jwt_status {
    if family.contains(&alg) {
        jwt_status::JWT_UNSUPPORTED_ALGORITHM
    } else {
        jwt_status::JWT_INVALID_ARGUMENT
    }
}

/// Initialises `key` with an Ed25519 public key (EdDSA, RFC 8037): its 32 bytes, a JWK's
/// `x` decoded.
///
/// Returns `JWT_INVALID_KEY` for another length or bytes that are not a point.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `public_key` to `public_key_len` bytes.
#[cfg(feature = "ed25519")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_ed25519(
    key: *mut jwt_key,
    public_key: *const u8,
    public_key_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, public_key, public_key_len, |bytes| {
            let bytes = bytes.try_into().map_err(|_| jwt_status::JWT_INVALID_KEY)?;
            Ok(Held::Verifying(
                jwt_core::Ed25519PublicKey::from_bytes(bytes)?.into(),
            ))
        })
    }
}

/// Initialises `key` with an Ed25519 private key: its 32-byte seed (RFC 8032, a JWK's `d`).
/// The key signs (`jwt_sign`, deterministic signatures) and verifies with its public half.
///
/// Returns `JWT_INVALID_KEY` for a seed of another length.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `seed` to `seed_len` bytes.
#[cfg(feature = "ed25519")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_ed25519_private(
    key: *mut jwt_key,
    seed: *const u8,
    seed_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, seed, seed_len, |seed| {
            let seed = seed.try_into().map_err(|_| jwt_status::JWT_INVALID_KEY)?;
            Ok(Held::Private(PrivateKey::EdDsa(
                jwt_core::Ed25519PrivateKey::from_bytes(seed),
            )))
        })
    }
}

/// Initialises `key` with an RS256 public key in DER: a SubjectPublicKeyInfo (what
/// `openssl rsa -pubout -outform DER` writes) or a PKCS#1 `RSAPublicKey`. The modulus must
/// be 2048 to 8192 bits. Only in builds with RSA, whose keys live on the heap.
/// `jwt_key_rsa_der` with `JWT_ALG_RS256`.
///
/// Returns `JWT_INVALID_KEY` for anything else.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `der` to `der_len` bytes.
#[cfg(feature = "rsa")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_rs256_der(
    key: *mut jwt_key,
    der: *const u8,
    der_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe { jwt_key_rsa_der(key, crate::alg::jwt_alg::JWT_ALG_RS256 as u32, der, der_len) }
}

/// Initialises `key` with an RSA public key in DER for `alg` (a `jwt_alg`: `JWT_ALG_RS256`,
/// `RS384`, `RS512` for PKCS#1 v1.5 signatures, `JWT_ALG_PS256`, `PS384`, `PS512` for PSS):
/// a SubjectPublicKeyInfo or a PKCS#1 `RSAPublicKey`, with a modulus of 2048 to 8192 bits.
/// The key verifies that one algorithm. Only in builds with RSA, whose keys live on the
/// heap.
///
/// Returns `JWT_INVALID_KEY` for anything else, `JWT_INVALID_ARGUMENT` for an `alg` that is
/// not RSA.
///
/// # Safety
/// `key` must point to writable `jwt_key` storage kept by its rules (zeroed before first
/// use); `der` to `der_len` bytes.
#[cfg(feature = "rsa")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_rsa_der(
    key: *mut jwt_key,
    alg: u32,
    der: *const u8,
    der_len: usize,
) -> jwt_status {
    /// The key in either DER form, for the scheme its caller's variant takes.
    fn from_der<S: jwt_core::RsaScheme>(
        der: &[u8],
    ) -> Result<jwt_core::RsaPublicKey<S>, jwt_core::Error> {
        jwt_core::RsaPublicKey::from_public_key_der(der)
            .or_else(|_| jwt_core::RsaPublicKey::from_pkcs1_der(der))
    }
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, der, der_len, |der| {
            let alg = algorithm_of(alg)?;
            Ok(Held::Verifying(match alg {
                Algorithm::Rs256 => AnyVerifyingKey::Rs256(from_der(der)?),
                Algorithm::Rs384 => AnyVerifyingKey::Rs384(from_der(der)?),
                Algorithm::Rs512 => AnyVerifyingKey::Rs512(from_der(der)?),
                Algorithm::Ps256 => AnyVerifyingKey::Ps256(from_der(der)?),
                Algorithm::Ps384 => AnyVerifyingKey::Ps384(from_der(der)?),
                Algorithm::Ps512 => AnyVerifyingKey::Ps512(from_der(der)?),
                _ => return Err(jwt_status::JWT_INVALID_ARGUMENT),
            }))
        })
    }
}

/// Initialises `key` from a public JWK (JSON text of `jwk_len` bytes) of any algorithm this
/// build verifies: `oct` (HS256/384/512), `RSA` (RS256/384/512, PS256/384/512), `EC` (P-256,
/// P-384, P-521, secp256k1) or `OKP` (Ed25519), with the key's `alg`, `use` and `key_ops`
/// honoured. The key verifies one algorithm: the one its `alg` names or, without `alg`, its
/// type's (`oct` HS256, `RSA` RS256, `EC` its curve's, `OKP` EdDSA); `jwt_key_from_jwk_as`
/// chooses another for a key without `alg`.
///
/// Returns `JWT_JSON` for text that is not a JWK object, `JWT_UNSUPPORTED_ALGORITHM` for a
/// key type, curve (Ed448) or `alg` this build does not verify with, `JWT_INVALID_KEY` for
/// a key it refuses (a private EC, RSA or OKP key among them).
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

/// Initialises `key` from a public JWK as `jwt_key_from_jwk` does, for the algorithm `alg`
/// (a `jwt_alg`): the JWK's type (and curve) must fit `alg`, and its own `alg`, when present,
/// must be `alg`. This is how a verifier that allows, say, PS256 uses a key that names no
/// algorithm (Microsoft Entra ID publishes its RSA keys so), never by the token's word.
///
/// Returns as `jwt_key_from_jwk`, and `JWT_INVALID_ARGUMENT` for a number that is no
/// `jwt_alg`.
///
/// # Safety
/// As `jwt_key_from_jwk`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_key_from_jwk_as(
    key: *mut jwt_key,
    alg: u32,
    jwk: *const c_char,
    jwk_len: usize,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        make(key, jwk.cast(), jwk_len, |jwk| {
            let alg = algorithm_of(alg)?;
            let made = AnyVerifyingKey::from_jwk_as(&Jwk::parse(jwk)?, alg)?;
            Ok(Held::Verifying(made))
        })
    }
}

/// Empties `key`: drops the key it holds (wiping secrets, freeing an RSA key's memory)
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
