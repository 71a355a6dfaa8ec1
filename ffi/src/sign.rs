//! `jwt_sign`: a token signed with a `jwt_key`, from claims given as JSON text.

use core::ffi::c_char;

use jwt_core::Error;
use jwt_core::json::{self, JsonStr, Value};

use crate::boundary::{bytes_mut, call, out, text};
use crate::key::jwt_key;
use crate::status::jwt_status;
use crate::storage::CallerStorage;
use crate::string::jwt_str;

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

/// Signs the claims `claims_json` (a JSON object, `claims_len` bytes) with `key` (an HMAC
/// secret, or an ECDSA or Ed25519 private key) into `out` (`out_len` bytes), writing the
/// token's length to `*token_len`. The header is `alg` from the key, then `typ` (`{NULL, 0}`
/// for `JWT`) and `kid` when given. The token is not NUL-terminated.
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
    call(|| {
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
