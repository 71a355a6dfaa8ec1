//! DPoP (RFC 9449) for C gateways: `jwt_verify_dpop` and `jwt_verify_dpop_keyset` verify a
//! request's proof and then its access token bound to the proof's key, in one call, so the
//! binding cannot be left out; `jwt_dpop_token` reads the `DPoP` scheme of an
//! `Authorization` header; `jwt_dpop_challenge` writes the `WWW-Authenticate: DPoP`
//! challenge of a refusal. Only in builds with an asymmetric family: a proof is never
//! signed with HMAC.

use core::ffi::c_char;

use jwt_core::dpop::{self, Policy, ProofError, Request};
use jwt_core::{Algorithm, Confirmation, Error, Validation};

use crate::alg::{ALGORITHM_COUNT, algorithm_of};
use crate::bearer::refusal_of;
use crate::boundary::{bytes_mut, call, out, reference, text};
use crate::claims::jwt_claims;
use crate::key::jwt_key;
use crate::keyset::jwt_keyset;
use crate::policy::jwt_policy;
use crate::status::{STATUSES, jwt_status};
use crate::storage::CallerStorage;
use crate::string::jwt_str;
use crate::verify::{
    JWT_THUMBPRINT_LEN, Presenter, ThumbprintText, Verifier, jwt_verify_buf_len, verify_token,
};

/// Longest `jti` a DPoP proof may have, in bytes of its JSON text: the room
/// `jwt_dpop_proof.jti` has, and a bound on what a replay store keeps.
pub const JWT_DPOP_MAX_JTI_LEN: usize = 128;

/// What a DPoP proof must satisfy (RFC 9449 section 4.3), filled in by C code: start from
/// `jwt_dpop_policy_init`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_dpop_policy {
    /// The algorithms a proof may be signed with: bit `1u << a` for each `jwt_alg` `a`, of
    /// asymmetric algorithms only. Those whose feature this build leaves out are never
    /// accepted, nor named in challenges.
    pub algs: u32,
    /// How old, in seconds, a proof's `iat` may be.
    pub max_age: u64,
    /// How far ahead of `now`, in seconds, a proof's `iat` may be (clock skew).
    pub max_future: u64,
    /// The nonce the proof must carry, the value the server hands out in its `DPoP-Nonce`
    /// header (RFC 9449 section 8), or `{NULL, 0}` for none.
    pub nonce: jwt_str,
}

/// The request a DPoP proof must be for. Texts are UTF-8.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_dpop_request {
    /// The value of the request's one `DPoP` header: the proof.
    pub proof: jwt_str,
    /// The request's method, exactly as sent (`GET`: methods are case-sensitive).
    pub method: jwt_str,
    /// The absolute URI the client used: scheme, host (and port) as the client saw them,
    /// and the path; a query or fragment is ignored.
    pub uri: jwt_str,
}

/// A verified DPoP proof: what the caller's replay check needs. It holds no pointer: every
/// byte is copied in, so it outlives the buffer of the call that filled it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_dpop_proof {
    /// The proof's `iat`, in whole Unix seconds.
    pub iat: u64,
    /// Seconds from `now` for which the replay store must keep `replay_key`: until `iat`
    /// leaves the accepted window, after which the proof is refused as stale anyway. At most
    /// `max_age + max_future + 1`.
    pub replay_ttl: u64,
    /// What a replay store remembers of this proof (RFC 9449 section 11.1): SHA-256 of the
    /// key's thumbprint, a zero byte and the `jti`, so one client's `jti` never blocks
    /// another's. Accept the request only if the store did not hold it, and add it.
    pub replay_key: [u8; 32],
    /// The RFC 7638 SHA-256 thumbprint of the key that signed the proof, base64url (not
    /// NUL-terminated): the `cnf.jkt` the access token was checked to name.
    pub jkt: [c_char; JWT_THUMBPRINT_LEN],
    /// The proof's `jti` as the JSON text the client signed (escapes kept; not
    /// NUL-terminated), `jti_len` bytes of it.
    pub jti: [c_char; JWT_DPOP_MAX_JTI_LEN],
    pub jti_len: usize,
}

impl jwt_dpop_proof {
    const EMPTY: jwt_dpop_proof = jwt_dpop_proof {
        iat: 0,
        replay_ttl: 0,
        replay_key: [0; 32],
        jkt: [0; JWT_THUMBPRINT_LEN],
        jti: [0; JWT_DPOP_MAX_JTI_LEN],
        jti_len: 0,
    };
}

/// Fills `policy` with the defaults of jwt-core's DPoP policy: every asymmetric algorithm,
/// `iat` at most 300 s old and 60 s ahead, no nonce.
///
/// # Safety
/// `policy` must point to writable storage for a `jwt_dpop_policy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_dpop_policy_init(policy: *mut jwt_dpop_policy) -> jwt_status {
    call(|| {
        // SAFETY: forwarded to the caller.
        let policy = unsafe { out(policy) }?;
        *policy = jwt_dpop_policy {
            algs: mask_of(Policy::ASYMMETRIC),
            max_age: DEFAULT_MAX_AGE,
            max_future: DEFAULT_MAX_FUTURE,
            nonce: jwt_str::NONE,
        };
        Ok(())
    })
}

/// jwt-core's defaults (`dpop::Policy::new()`), which it does not name.
const DEFAULT_MAX_AGE: u64 = 300;
const DEFAULT_MAX_FUTURE: u64 = 60;

/// The bits of `algorithms`.
fn mask_of(algorithms: &[Algorithm]) -> u32 {
    let numbered = (1..=ALGORITHM_COUNT as u32).filter_map(|n| Some((n, algorithm_of(n).ok()?)));
    numbered
        .filter(|(_, alg)| algorithms.contains(alg))
        .fold(0, |mask, (n, _)| mask | 1 << n)
}

/// Bytes of a `buf` that always suffice for `jwt_verify_dpop` with a token of `token_len`
/// bytes and a proof of `proof_len`: the larger of `jwt_verify_buf_len(token_len)` and
/// `proof_len` (the proof is decoded first, then the token over it).
#[unsafe(no_mangle)]
pub extern "C" fn jwt_verify_dpop_buf_len(token_len: usize, proof_len: usize) -> usize {
    jwt_verify_buf_len(token_len).max(proof_len)
}

/// Verifies a request presenting `token` (`token_len` bytes, from `Authorization: DPoP`)
/// with a DPoP proof (RFC 9449): first the proof in `request` against `dpop` at `now` (Unix
/// seconds): every check of section 4.3 but the replay check, its `ath` against `token`.
/// Then `token` with `key` against `policy`, as `jwt_verify` does, bound to the proof's key:
/// its `cnf.jkt` must be the thumbprint of that key and `cnf` must name nothing else, so a
/// token bound to another key is refused (`JWT_SENDER_CONSTRAINED`), and so is a bearer
/// token (`JWT_MISSING_CLAIM`, `error_claim` `JWT_CLAIM_CNF`).
///
/// On `JWT_OK`, `*claims` describes the token's claims (pointing into `buf`) and `*proof`
/// what the replay check needs. The caller then accepts the request only if its replay
/// store did not hold `proof->replay_key`, adding it for `proof->replay_ttl` seconds; a
/// proof it held is a replay (answer `JWT_DPOP_REPLAYED`). On any other status, `*proof` is
/// zeroed and `*claims` holds nothing but `error_claim`: record nothing.
///
/// `buf` (`buf_len` bytes) receives the decoded proof, then the decoded token:
/// `jwt_verify_dpop_buf_len(token_len, proof_len)` bytes always suffice.
///
/// Returns a `JWT_DPOP_*` status for the check of the proof that failed (a missing or
/// non-UTF-8 proof is `JWT_DPOP_MALFORMED`), then the statuses of `jwt_verify`;
/// `JWT_INVALID_ARGUMENT` for a `dpop->algs` that names no algorithm or a symmetric one,
/// `JWT_UNSUPPORTED_ALGORITHM` when none of its algorithms is in this build.
///
/// # Safety
/// As `jwt_verify`, and `request` must point to a `jwt_dpop_request` and `dpop` to a
/// `jwt_dpop_policy` whose texts are valid, `proof` to writable storage for a
/// `jwt_dpop_proof`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_dpop(
    token: *const c_char,
    token_len: usize,
    key: *const jwt_key,
    policy: *const jwt_policy,
    request: *const jwt_dpop_request,
    dpop: *const jwt_dpop_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    proof: *mut jwt_dpop_proof,
) -> jwt_status {
    let inputs = Inputs {
        token,
        token_len,
        policy,
        request,
        dpop,
        now,
        buf,
        buf_len,
        claims,
        proof,
    };
    // SAFETY: forwarded to the caller.
    unsafe { inputs.verify(|| jwt_key::load(key)) }
}

/// [`jwt_verify_dpop`] with the key `set` chooses for the token's header, as
/// `jwt_verify_keyset` does.
///
/// # Safety
/// As `jwt_verify_dpop`, with `set` pointing to a `jwt_keyset`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_dpop_keyset(
    token: *const c_char,
    token_len: usize,
    set: *const jwt_keyset,
    policy: *const jwt_policy,
    request: *const jwt_dpop_request,
    dpop: *const jwt_dpop_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    proof: *mut jwt_dpop_proof,
) -> jwt_status {
    let inputs = Inputs {
        token,
        token_len,
        policy,
        request,
        dpop,
        now,
        buf,
        buf_len,
        claims,
        proof,
    };
    // SAFETY: forwarded to the caller.
    unsafe { inputs.verify(|| jwt_keyset::load(set)) }
}

/// The pointers of the verify functions, but the key.
struct Inputs {
    token: *const c_char,
    token_len: usize,
    policy: *const jwt_policy,
    request: *const jwt_dpop_request,
    dpop: *const jwt_dpop_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    proof: *mut jwt_dpop_proof,
}

impl Inputs {
    /// The body of the verify functions: checks the pointers, verifies the proof, then the
    /// token with what `verifier` gives and the proof's key.
    ///
    /// # Safety
    /// As `jwt_verify_dpop`, for the pointers this holds; `verifier` reads the key storage.
    unsafe fn verify<V: Verifier>(
        self,
        verifier: impl FnOnce() -> Result<V, jwt_status>,
    ) -> jwt_status {
        call(|| {
            // SAFETY (all seven): forwarded to the caller.
            let proof = unsafe { out(self.proof) }?;
            *proof = jwt_dpop_proof::EMPTY;
            let claims = unsafe { out(self.claims) }?;
            *claims = jwt_claims::EMPTY;
            let token = unsafe { text(self.token, self.token_len) }?;
            let policy = unsafe { reference(self.policy) }?;
            let request = unsafe { reference(self.request) }?;
            let dpop = unsafe { reference(self.dpop) }?;
            let buf = unsafe { bytes_mut(self.buf, self.buf_len) }?;
            let verifier = verifier()?;
            // SAFETY: forwarded to the caller.
            let (verified, jkt) = unsafe { verify_proof(token, request, dpop, self.now, buf) }?;
            let presenter = ProofKey(jkt);
            // SAFETY: forwarded to the caller.
            unsafe { verify_token(token, policy, &presenter, &verifier, self.now, buf, claims) }?;
            *proof = verified;
            Ok(())
        })
    }
}

/// The key of the request's DPoP proof, verified: the token must be bound to this key
/// (`cnf.jkt`, jwt-core's `Validation::confirmed`) and to nothing else, so a bearer token is
/// refused too.
struct ProofKey(ThumbprintText);

impl Presenter for ProofKey {
    fn bind<'v>(&'v self, validation: Validation<'v>) -> Validation<'v> {
        validation.confirmed(Confirmation::JwkThumbprint(self.0.as_str()))
    }
}

/// The proof of `request`, for a request presenting `token`, verified against `dpop` at
/// `now`, with its key's thumbprint as the token's binding needs it.
///
/// # Safety
/// The texts of `request` and `dpop` must be valid as their documentation says.
unsafe fn verify_proof(
    token: &str,
    request: &jwt_dpop_request,
    dpop: &jwt_dpop_policy,
    now: u64,
    buf: &mut [u8],
) -> Result<(jwt_dpop_proof, ThumbprintText), jwt_status> {
    // SAFETY (all four): forwarded to the caller.
    let proof = unsafe { text(request.proof.ptr, request.proof.len) }.map_err(|status| {
        match status {
            // Bytes that are no text are no proof.
            jwt_status::JWT_NOT_UTF8 => jwt_status::JWT_DPOP_MALFORMED,
            other => other,
        }
    })?;
    let method = unsafe { text(request.method.ptr, request.method.len) }?;
    let uri = unsafe { text(request.uri.ptr, request.uri.len) }?;
    let nonce = unsafe { text(dpop.nonce.ptr, dpop.nonce.len) }?;
    let allowed = Allowed::of(dpop.algs)?;
    let mut policy = Policy::new()
        .algorithms(allowed.as_slice())
        .max_age(dpop.max_age)
        .max_future(dpop.max_future)
        .max_jti_len(JWT_DPOP_MAX_JTI_LEN);
    if !dpop.nonce.ptr.is_null() {
        policy = policy.nonce(nonce);
    }
    let request = Request::new(method, uri).access_token(token);
    let verified = dpop::verify_proof(proof, &request, &policy, now, buf).map_err(refused)?;

    let mut out = jwt_dpop_proof::EMPTY;
    let jti = verified.jti().as_bytes();
    let slots = out
        .jti
        .get_mut(..jti.len())
        .ok_or(jwt_status::JWT_DPOP_CLAIMS)?;
    for (slot, &byte) in slots.iter_mut().zip(jti) {
        *slot = byte as c_char;
    }
    out.jti_len = jti.len();
    let jkt = ThumbprintText::of(verified.thumbprint());
    for (slot, byte) in out.jkt.iter_mut().zip(jkt.as_str().bytes()) {
        *slot = byte as c_char;
    }
    out.iat = verified.issued_at();
    out.replay_key = verified.replay_key();
    // Accepted while `iat` is at most `max_age` old, in whole seconds: a second more covers
    // the fraction of `now` the store's clock may be past it.
    out.replay_ttl = out
        .iat
        .saturating_add(dpop.max_age)
        .saturating_add(1)
        .saturating_sub(now);
    Ok((out, jkt))
}

/// The status of an error of `dpop::verify_proof`: a check the proof failed has its own
/// (`JWT_DPOP_*`, 29 to 39), the rest (a short buffer) theirs.
fn refused(error: Error) -> jwt_status {
    use jwt_status::*;
    let Error::Dpop(error) = error else {
        return error.into();
    };
    match error {
        ProofError::Malformed => JWT_DPOP_MALFORMED,
        ProofError::Header => JWT_DPOP_HEADER,
        ProofError::Algorithm => JWT_DPOP_ALGORITHM,
        ProofError::Key => JWT_DPOP_KEY,
        ProofError::Signature => JWT_DPOP_SIGNATURE,
        ProofError::Claims => JWT_DPOP_CLAIMS,
        ProofError::Method => JWT_DPOP_METHOD,
        ProofError::Uri => JWT_DPOP_URI,
        ProofError::IssuedAt => JWT_DPOP_ISSUED_AT,
        ProofError::Nonce => JWT_DPOP_NONCE,
        ProofError::AccessTokenHash => JWT_DPOP_ACCESS_TOKEN_HASH,
        _ => JWT_UNKNOWN_ERROR,
    }
}

/// The algorithms of a `jwt_dpop_policy.algs` that this build verifies.
struct Allowed {
    algorithms: [Algorithm; ALGORITHM_COUNT],
    len: usize,
}

impl Allowed {
    /// `JWT_INVALID_ARGUMENT` for a bit that is no asymmetric `jwt_alg`, or no bit at all;
    /// `JWT_UNSUPPORTED_ALGORITHM` when no algorithm named is in this build.
    fn of(mask: u32) -> Result<Self, jwt_status> {
        if mask == 0 {
            return Err(jwt_status::JWT_INVALID_ARGUMENT);
        }
        let mut allowed = Allowed {
            algorithms: [Algorithm::Es256; ALGORITHM_COUNT],
            len: 0,
        };
        for bit in (0..u32::BITS).filter(|bit| mask & (1 << bit) != 0) {
            let alg = algorithm_of(bit)?;
            if alg.is_symmetric() {
                return Err(jwt_status::JWT_INVALID_ARGUMENT);
            }
            if is_built(alg) {
                let slot = allowed
                    .algorithms
                    .get_mut(allowed.len)
                    .ok_or(jwt_status::JWT_INVALID_ARGUMENT)?;
                *slot = alg;
                allowed.len += 1;
            }
        }
        match allowed.len {
            0 => Err(jwt_status::JWT_UNSUPPORTED_ALGORITHM),
            _ => Ok(allowed),
        }
    }

    fn as_slice(&self) -> &[Algorithm] {
        self.algorithms.get(..self.len).unwrap_or_default()
    }
}

/// Whether this build verifies `alg` (its family's feature is on).
#[allow(
    clippy::match_like_matches_macro,
    reason = "which arms are true depends on the build's features"
)]
fn is_built(alg: Algorithm) -> bool {
    match alg {
        Algorithm::Es256 => cfg!(feature = "p256"),
        Algorithm::Es384 => cfg!(feature = "p384"),
        Algorithm::Es512 => cfg!(feature = "p521"),
        Algorithm::Es256k => cfg!(feature = "k256"),
        Algorithm::EdDsa => cfg!(feature = "ed25519"),
        Algorithm::Rs256
        | Algorithm::Rs384
        | Algorithm::Rs512
        | Algorithm::Ps256
        | Algorithm::Ps384
        | Algorithm::Ps512 => cfg!(feature = "rsa"),
        _ => false,
    }
}

/// Finds the access token in an HTTP `Authorization` header value that uses the `DPoP`
/// scheme (RFC 9449 section 7.1: the scheme without regard to case, then one `token68`, as
/// `jwt_bearer_token` reads `Bearer`; NULL for a request without the header) and points
/// `*token` into it. Its proof is the request's `DPoP` header, for `jwt_verify_dpop`.
///
/// Returns `JWT_NO_CREDENTIALS` for no header or another scheme, `JWT_INVALID_REQUEST` for
/// a malformed DPoP value, `JWT_NOT_UTF8` for bytes that are not text.
///
/// # Safety
/// `authorization` must be NULL or point to `authorization_len` bytes; `token` to writable
/// storage for a `jwt_str`, which points into `authorization` afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_dpop_token(
    authorization: *const c_char,
    authorization_len: usize,
    token: *mut jwt_str,
) -> jwt_status {
    call(|| {
        // SAFETY (both): forwarded to the caller.
        let token = unsafe { out(token) }?;
        *token = jwt_str::of(&[]);
        let header = match authorization.is_null() {
            true => None,
            false => Some(unsafe { text(authorization, authorization_len) }?),
        };
        *token = jwt_str::of(dpop_credentials(header)?.as_bytes());
        Ok(())
    })
}

/// The token of an `Authorization` value with the `DPoP` scheme.
fn dpop_credentials(value: Option<&str>) -> Result<&str, jwt_status> {
    let value = value
        .ok_or(jwt_status::JWT_NO_CREDENTIALS)?
        .trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("DPoP") {
        return Err(jwt_status::JWT_NO_CREDENTIALS);
    }
    let token = rest.trim_start_matches(' ');
    let body = token.trim_end_matches('=');
    let valid = !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    match valid {
        true => Ok(token),
        false => Err(jwt_status::JWT_INVALID_REQUEST),
    }
}

/// Writes the `WWW-Authenticate` challenge of the `DPoP` scheme (RFC 9449 section 7.1)
/// that goes with refusing a request after `status_code` (a `jwt_status`) into `out`
/// (`out_len` bytes, not NUL-terminated), its length to `*written`: `DPoP`, the `realm` if
/// given, `algs` (the algorithms of `algs`, a `jwt_dpop_policy.algs`, that this build
/// verifies), and the `error`:
/// - none for `JWT_NO_CREDENTIALS` (the challenge that offers DPoP beside `Bearer`);
/// - `use_dpop_nonce` for `JWT_DPOP_NONCE` (send the nonce in a `DPoP-Nonce` header);
/// - `invalid_dpop_proof` for the other `JWT_DPOP_*` statuses, `JWT_DPOP_REPLAYED` among
///   them;
/// - `invalid_request` and `insufficient_scope` (with `scope`) as `jwt_challenge` writes
///   them, and `invalid_token` for every other status.
///
/// The challenge of the scheme the request used carries the error; a server that also takes
/// bearer tokens adds `jwt_challenge(JWT_NO_CREDENTIALS, ...)` after it. Characters RFC 6750
/// does not allow in `realm` and `scope` are left out, so no input can break the header.
///
/// Returns `JWT_INVALID_ARGUMENT` for `JWT_OK` or a number that is no status, and for
/// `algs` as `jwt_verify_dpop` does; `JWT_BUFFER_TOO_SMALL` when `out` is too short (160
/// bytes plus the realm and scope always suffice).
///
/// # Safety
/// `realm` and `scope` must each be NULL or point to their length in bytes; `out` to
/// `out_len` writable bytes, `written` to a `size_t`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_dpop_challenge(
    status_code: i32,
    realm: *const c_char,
    realm_len: usize,
    scope: *const c_char,
    scope_len: usize,
    algs: u32,
    out: *mut c_char,
    out_len: usize,
    written: *mut usize,
) -> jwt_status {
    call(|| {
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
        let status = STATUSES
            .iter()
            .map(|(status, _)| *status)
            .find(|status| *status as i32 == status_code)
            .ok_or(jwt_status::JWT_INVALID_ARGUMENT)?;
        let code = match status {
            jwt_status::JWT_OK => return Err(jwt_status::JWT_INVALID_ARGUMENT),
            jwt_status::JWT_DPOP_NONCE => Some(ProofError::Nonce.code()),
            status if is_proof_refusal(status) => Some(ProofError::Malformed.code()),
            status => refusal_of(status).and_then(|refusal| refusal.code()),
        };
        let allowed = Allowed::of(algs)?;
        let mut challenge = Challenge {
            out,
            len: 0,
            separator: b" ",
        };
        challenge.bytes(b"DPoP")?;
        if let Some(realm) = realm {
            challenge.attribute(b"realm", [realm], true)?;
        }
        let names = allowed.as_slice().iter().map(|alg| alg.name());
        challenge.attribute(b"algs", names, true)?;
        if let Some(code) = code {
            challenge.attribute(b"error", [code], false)?;
            if let (Some(scope), "insufficient_scope") = (scope, code) {
                challenge.attribute(b"scope", [scope], true)?;
            }
        }
        *written = challenge.len;
        Ok(())
    })
}

/// Whether `status` refuses a DPoP proof, the caller's replay check included.
fn is_proof_refusal(status: jwt_status) -> bool {
    use jwt_status::*;
    (JWT_DPOP_MALFORMED as i32..=JWT_DPOP_ACCESS_TOKEN_HASH as i32).contains(&(status as i32))
        || status == JWT_DPOP_REPLAYED
}

/// A challenge written to the front of a buffer.
struct Challenge<'o> {
    out: &'o mut [u8],
    len: usize,
    /// What comes before the next attribute.
    separator: &'static [u8],
}

impl Challenge<'_> {
    fn bytes(&mut self, bytes: &[u8]) -> Result<(), jwt_status> {
        let end = self.len + bytes.len();
        self.out
            .get_mut(self.len..end)
            .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// `name="value"`, the value's words joined by spaces, keeping only the characters
    /// RFC 6750 allows in a quoted value (printable ASCII without `"` and `\`, and spaces
    /// where `spaces`).
    fn attribute<'w>(
        &mut self,
        name: &[u8],
        words: impl IntoIterator<Item = &'w str>,
        spaces: bool,
    ) -> Result<(), jwt_status> {
        self.bytes(self.separator)?;
        self.separator = b", ";
        self.bytes(name)?;
        self.bytes(b"=\"")?;
        for (i, word) in words.into_iter().enumerate() {
            if i > 0 {
                self.bytes(b" ")?;
            }
            for &b in word.as_bytes() {
                if matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E) || (spaces && b == b' ') {
                    self.bytes(&[b])?;
                }
            }
        }
        self.bytes(b"\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_cores() {
        assert_eq!(Policy::new().window(), DEFAULT_MAX_AGE + DEFAULT_MAX_FUTURE);
        let mask = mask_of(Policy::ASYMMETRIC);
        assert_eq!(mask.count_ones() as usize, Policy::ASYMMETRIC.len());
        let allowed = Allowed::of(mask).unwrap();
        for alg in Policy::ASYMMETRIC {
            assert!(allowed.as_slice().contains(alg), "{alg:?}");
        }
    }

    #[test]
    fn policies_name_asymmetric_algorithms_only() {
        use crate::alg::jwt_alg::*;
        for mask in [0, 1, 1 << JWT_ALG_HS256 as u32, 1 << 15, 1 << 31] {
            assert_eq!(
                Allowed::of(mask | 1 << JWT_ALG_ES256 as u32).err(),
                (mask != 0).then_some(jwt_status::JWT_INVALID_ARGUMENT),
                "{mask:#x}"
            );
        }
        assert_eq!(Allowed::of(0).err(), Some(jwt_status::JWT_INVALID_ARGUMENT));
        let two = Allowed::of(1 << JWT_ALG_EDDSA as u32 | 1 << JWT_ALG_ES256 as u32).unwrap();
        assert_eq!(two.as_slice(), [Algorithm::Es256, Algorithm::EdDsa]);
    }

    #[test]
    fn each_check_of_a_proof_has_its_status() {
        use jwt_status::*;
        let checks = [
            (ProofError::Malformed, JWT_DPOP_MALFORMED),
            (ProofError::Header, JWT_DPOP_HEADER),
            (ProofError::Algorithm, JWT_DPOP_ALGORITHM),
            (ProofError::Key, JWT_DPOP_KEY),
            (ProofError::Signature, JWT_DPOP_SIGNATURE),
            (ProofError::Claims, JWT_DPOP_CLAIMS),
            (ProofError::Method, JWT_DPOP_METHOD),
            (ProofError::Uri, JWT_DPOP_URI),
            (ProofError::IssuedAt, JWT_DPOP_ISSUED_AT),
            (ProofError::Nonce, JWT_DPOP_NONCE),
            (ProofError::AccessTokenHash, JWT_DPOP_ACCESS_TOKEN_HASH),
        ];
        for (number, (error, status)) in (29..).zip(checks) {
            assert_eq!(refused(Error::Dpop(error)), status);
            assert_eq!(status as i32, number);
            assert!(is_proof_refusal(status));
        }
        assert_eq!(refused(Error::BufferTooSmall), JWT_BUFFER_TOO_SMALL);
        assert!(is_proof_refusal(JWT_DPOP_REPLAYED));
        assert!(!is_proof_refusal(JWT_SENDER_CONSTRAINED));
        assert!(!is_proof_refusal(JWT_NULL_POINTER));
    }

    #[test]
    fn the_dpop_scheme_is_read_as_the_bearer_scheme_is() {
        assert_eq!(dpop_credentials(Some("DPoP a.b.c")), Ok("a.b.c"));
        assert_eq!(dpop_credentials(Some(" dpop   a.b.c== ")), Ok("a.b.c=="));
        for (value, status) in [
            (None, jwt_status::JWT_NO_CREDENTIALS),
            (Some("Bearer a.b.c"), jwt_status::JWT_NO_CREDENTIALS),
            (Some("DPoPa.b.c"), jwt_status::JWT_NO_CREDENTIALS),
            (Some("DPoP"), jwt_status::JWT_INVALID_REQUEST),
            (Some("DPoP a.b.c junk"), jwt_status::JWT_INVALID_REQUEST),
            (Some("DPoP a\"b"), jwt_status::JWT_INVALID_REQUEST),
            (Some("DPoP ==="), jwt_status::JWT_INVALID_REQUEST),
        ] {
            assert_eq!(dpop_credentials(value), Err(status), "{value:?}");
        }
    }
}
