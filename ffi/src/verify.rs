//! `jwt_verify` and `jwt_verify_keyset`: a token verified with a key or the key a set
//! chooses, validated against a policy, its claims described in a `jwt_claims`;
//! `jwt_verify_mtls` and `jwt_verify_mtls_keyset`, the same for a request over mutual TLS,
//! whose certificate a bound token must name; and `jwt_verify_signature`, the signature
//! step alone.

use core::ffi::c_char;

use jwt_core::json::{self, Value};
use jwt_core::{Error, Thumbprint, Validation};

use crate::boundary::{bytes, bytes_mut, call, out, reference, text};
use crate::claims::{error_claim, jwt_claims};
use crate::key::{Held, jwt_key};
use crate::keyset::{KeysetValue, jwt_keyset};
use crate::policy::{jwt_policy, with_validation};
use crate::status::jwt_status;
use crate::storage::CallerStorage;
use crate::string::{jwt_str, raw_value, unescaped};

/// Characters of a SHA-256 thumbprint in base64url (RFC 7638 for keys, RFC 8705 for
/// certificates), as a token's `cnf` names a key or certificate: `jwt_dpop_proof.jkt`.
pub const JWT_THUMBPRINT_LEN: usize = 43;

/// What the caller verified about whoever presented the token, besides the token: the
/// binding its `cnf` claim (RFC 7800) must name, applied to the policy's `Validation` with
/// jwt-core's own rules, so the C interface refuses and accepts exactly as the core does. A
/// trait, as [`Verifier`] is: `jwt_verify` links no binding code.
pub(crate) trait Presenter {
    fn bind<'v>(&'v self, validation: Validation<'v>) -> Validation<'v>;
}

/// Nothing proven: a bearer token. A token bound to a key is refused
/// (`JWT_SENDER_CONSTRAINED`).
pub(crate) struct Bearer;

impl Presenter for Bearer {
    fn bind<'v>(&'v self, validation: Validation<'v>) -> Validation<'v> {
        validation
    }
}

/// A SHA-256 thumbprint as a token's `cnf` names a key or certificate: 43 base64url
/// characters.
#[derive(Clone, Copy)]
pub(crate) struct ThumbprintText([u8; JWT_THUMBPRINT_LEN]);

impl ThumbprintText {
    pub(crate) fn of(text: &str) -> Self {
        let mut bytes = [0u8; JWT_THUMBPRINT_LEN];
        for (slot, byte) in bytes.iter_mut().zip(text.bytes()) {
            *slot = byte;
        }
        ThumbprintText(bytes)
    }

    /// The text. The core wrote it, in base64url; were it not text, the binding would be to
    /// "!", which is no base64url and so no thumbprint: refused, never accepted.
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("!")
    }
}

/// The client certificate of the request's mutually authenticated TLS connection: a token
/// bound to a certificate (`cnf["x5t#S256"]`) must name this one
/// (`Validation::client_certificate`); a token without `cnf` stays a bearer token.
struct Certificate(ThumbprintText);

impl Presenter for Certificate {
    fn bind<'v>(&'v self, validation: Validation<'v>) -> Validation<'v> {
        validation.client_certificate(self.0.as_str())
    }
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
            Ok((jwt_key::load(key)?, Bearer))
        })
    }
}

/// Checks a JWS signature, in its algorithm's JWS form (an HMAC of the hash's length, an
/// ECDSA `r || s` of twice the curve's field length, an RSA signature as long as the
/// modulus, a 64-byte Ed25519 signature), over `signing_input` with `key`. This is
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
    call(|| {
        // SAFETY (all three): forwarded to the caller.
        let key = unsafe { jwt_key::load(key) }?;
        let input = unsafe { bytes(signing_input, input_len) }?;
        let signature = unsafe { bytes(signature, signature_len) }?;
        Ok(key.verifying(|key| key.verify_signature(input, signature))?)
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
            Ok((jwt_keyset::load(set)?, Bearer))
        })
    }
}

/// [`jwt_verify`] for a request that came over mutual TLS (RFC 8705): `certificate`
/// (`certificate_len` bytes) is the DER of the client certificate the TLS connection
/// authenticated. A token bound to a certificate (its `cnf` claim names the certificate's
/// SHA-256 thumbprint, `x5t#S256`) is accepted only with that certificate, and a token
/// without `cnf` stays a bearer token. A token bound to anything else (a DPoP key) is
/// refused with `JWT_SENDER_CONSTRAINED`, as it is by `jwt_verify`.
///
/// Returns as `jwt_verify`, and `JWT_SENDER_CONSTRAINED` for a token bound to another
/// certificate, `JWT_INVALID_ARGUMENT` for a `certificate` that is not DER (empty, or PEM
/// text: a certificate begins with the byte 0x30 of a DER `SEQUENCE`).
///
/// # Safety
/// As `jwt_verify`, and `certificate` must point to `certificate_len` bytes.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_mtls(
    token: *const c_char,
    token_len: usize,
    key: *const jwt_key,
    policy: *const jwt_policy,
    certificate: *const u8,
    certificate_len: usize,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            let presenter = certificate_presenter(certificate, certificate_len)?;
            Ok((jwt_key::load(key)?, presenter))
        })
    }
}

/// [`jwt_verify_mtls`] with the key `set` chooses, as [`jwt_verify_keyset`].
///
/// # Safety
/// As `jwt_verify_mtls`, with `set` pointing to a `jwt_keyset`.
#[allow(clippy::too_many_arguments)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwt_verify_mtls_keyset(
    token: *const c_char,
    token_len: usize,
    set: *const jwt_keyset,
    policy: *const jwt_policy,
    certificate: *const u8,
    certificate_len: usize,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
) -> jwt_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        verify_into(token, token_len, policy, now, buf, buf_len, claims, || {
            let presenter = certificate_presenter(certificate, certificate_len)?;
            Ok((jwt_keyset::load(set)?, presenter))
        })
    }
}

/// The presenter of a request whose TLS client certificate is the DER at `certificate`.
///
/// # Safety
/// `certificate` must point to `certificate_len` bytes.
unsafe fn certificate_presenter(
    certificate: *const u8,
    certificate_len: usize,
) -> Result<Certificate, jwt_status> {
    // SAFETY: forwarded to the caller.
    let der = unsafe { bytes(certificate, certificate_len) }?;
    // A DER certificate is a SEQUENCE. Anything else (nothing, PEM text) would bind no
    // token: refused as the caller's mistake rather than silently.
    if der.first() != Some(&0x30) {
        return Err(jwt_status::JWT_INVALID_ARGUMENT);
    }
    let thumbprint = Thumbprint::of_certificate(der);
    Ok(Certificate(ThumbprintText::of(thumbprint.as_str())))
}

/// What a token is verified with: one key, or the key a set chooses. A trait rather than an
/// enum, so each verify function links only its own path (firmware calling `jwt_verify`
/// does not carry the key-set code).
pub(crate) trait Verifier {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error>;
}

impl Verifier for &Held {
    fn verify_claims<'b>(
        &self,
        token: &str,
        validation: &Validation<'_>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<&'b [u8], Error> {
        self.verifying(|key| {
            jwt_core::verify_claims(token, key, validation, now, buf).map(|claims| claims.json())
        })
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

/// The body of the verify functions: checks the pointers, then verifies the token with what
/// `prepare` gives (the key, and what was proven of the presenter) into `*claims`.
///
/// # Safety
/// As `jwt_verify`, for the pointers this takes; `prepare` reads the key storage and the
/// caller's other inputs.
#[allow(clippy::too_many_arguments)]
unsafe fn verify_into<V: Verifier, P: Presenter>(
    token: *const c_char,
    token_len: usize,
    policy: *const jwt_policy,
    now: u64,
    buf: *mut u8,
    buf_len: usize,
    claims: *mut jwt_claims,
    prepare: impl FnOnce() -> Result<(V, P), jwt_status>,
) -> jwt_status {
    call(|| {
        // SAFETY (all four): forwarded to the caller.
        let claims = unsafe { out(claims) }?;
        *claims = jwt_claims::EMPTY;
        let token = unsafe { text(token, token_len) }?;
        let policy = unsafe { reference(policy) }?;
        let buf = unsafe { bytes_mut(buf, buf_len) }?;
        let (verifier, presenter) = prepare()?;
        // SAFETY: forwarded to the caller.
        unsafe { verify_token(token, policy, &presenter, &verifier, now, buf, claims) }
    })
}

/// Verifies `token` with `verifier`, validates it against `policy` with the binding
/// `presenter` proves, and reads the registered claims into `*claims` (pointing into
/// `buf`). `*claims` must be empty; on an error it holds nothing but `error_claim`.
///
/// # Safety
/// `policy`'s pointers must be valid as its fields' documentation says.
pub(crate) unsafe fn verify_token<V: Verifier, P: Presenter>(
    token: &str,
    policy: &jwt_policy,
    presenter: &P,
    verifier: &V,
    now: u64,
    buf: &mut [u8],
    claims: &mut jwt_claims,
) -> Result<(), jwt_status> {
    // SAFETY: forwarded to the caller.
    let payload_len = unsafe {
        with_validation(policy, |validation| {
            verifier
                .verify_claims(token, &presenter.bind(*validation), now, buf)
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
}

/// Whole seconds of a NumericDate the library has validated.
fn seconds(number: &str) -> u64 {
    jwt_core::NumericDate::parse(number).map_or(0, jwt_core::NumericDate::floor)
}
