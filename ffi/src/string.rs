//! `jwt_str`, text handed across the boundary by pointer and length, and the JSON strings
//! copied into the caller's buffer to be handed out in one.

use core::ffi::c_char;

use jwt_core::json::{JsonStr, Value};

use crate::status::jwt_status;

/// Text given by pointer and length (not NUL-terminated): UTF-8 where the function says so.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct jwt_str {
    pub ptr: *const c_char,
    pub len: usize,
}

impl jwt_str {
    pub(crate) const NONE: jwt_str = jwt_str {
        ptr: core::ptr::null(),
        len: 0,
    };

    pub(crate) fn of(text: &[u8]) -> jwt_str {
        jwt_str {
            ptr: text.as_ptr().cast(),
            len: text.len(),
        }
    }
}

/// Copies the unescaped `s` to the front of `*spare`, moving `*spare` past it, and returns
/// the copy; a string without escapes is returned where it is.
pub(crate) fn unescaped<'b>(
    s: JsonStr<'b>,
    spare: &mut &'b mut [u8],
) -> Result<&'b [u8], jwt_status> {
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

/// Copies the unescaped `s` to the front of `target`.
pub(crate) fn unescaped_into(s: JsonStr<'_>, target: &mut [u8]) -> Result<(), jwt_status> {
    let copy = target
        .get_mut(..s.len())
        .ok_or(jwt_status::JWT_BUFFER_TOO_SMALL)?;
    for (slot, byte) in copy.iter_mut().zip(s.bytes()) {
        *slot = byte;
    }
    Ok(())
}

/// The JSON text of `value`, a value of the document `doc`: strings with their quotes.
pub(crate) fn raw_value<'a>(doc: &'a [u8], value: Value<'a>) -> &'a str {
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
