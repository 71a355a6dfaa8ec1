//! A panic-free serde JSON serializer writing into a byte slice (RFC 8259, checklist S-3).
//!
//! Every string is escaped (`"`, `\` and control characters; everything else is written as
//! UTF-8), map keys must be strings, and non-finite floats are refused. Anything JSON cannot
//! represent is an error, never a panic.

use core::fmt::{self, Write};

use serde::ser::{self, Serialize};

/// Why serialization stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SerError {
    /// The output buffer is full.
    Full,
    /// The value has no JSON representation (non-string map key, non-finite float, or a
    /// custom error from a `Serialize` implementation).
    Unsupported,
}

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SerError::Full => "buffer full",
            SerError::Unsupported => "value has no JSON representation",
        })
    }
}

impl core::error::Error for SerError {}

impl From<SerError> for crate::error::Error {
    fn from(e: SerError) -> Self {
        match e {
            SerError::Full => crate::error::Error::BufferTooSmall,
            SerError::Unsupported => crate::error::Error::Signing,
        }
    }
}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        SerError::Unsupported
    }
}

/// Serializes `value` as JSON into the front of `out`, returning the length written.
pub(crate) fn to_slice<T: Serialize + ?Sized>(
    value: &T,
    out: &mut [u8],
) -> Result<usize, SerError> {
    let mut writer = Writer { out, len: 0 };
    value.serialize(&mut writer)?;
    Ok(writer.len)
}

/// Appends bytes to a caller's buffer, refusing to overflow it.
pub(crate) struct Writer<'o> {
    pub(crate) out: &'o mut [u8],
    pub(crate) len: usize,
}

impl Writer<'_> {
    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), SerError> {
        let free = self.out.get_mut(self.len..).ok_or(SerError::Full)?;
        let dst = free.get_mut(..bytes.len()).ok_or(SerError::Full)?;
        // A zip rather than `copy_from_slice`, whose length check is a panic branch that an
        // opt-level "z" build keeps out of line.
        for (slot, byte) in dst.iter_mut().zip(bytes) {
            *slot = *byte;
        }
        self.len += bytes.len();
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), SerError> {
        self.bytes(b"\"")?;
        self.escaped(s)?;
        self.bytes(b"\"")
    }

    /// Writes `s` with JSON escapes, without quotes.
    #[expect(
        clippy::indexing_slicing,
        reason = "a nibble indexes the 16 hex digits"
    )]
    fn escaped(&mut self, s: &str) -> Result<(), SerError> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0C => b"\\f",
                0x00..=0x1F => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xF)],
                ],
                _ => continue,
            };
            self.bytes(s.as_bytes().get(start..i).unwrap_or_default())?;
            self.bytes(escape)?;
            start = i + 1;
        }
        self.bytes(s.as_bytes().get(start..).unwrap_or_default())
    }

    fn display(&mut self, value: impl fmt::Display) -> Result<(), SerError> {
        let mut sink = FmtSink {
            writer: self,
            failed: false,
        };
        if write!(sink, "{value}").is_err() || sink.failed {
            return Err(SerError::Full);
        }
        Ok(())
    }

    fn float(&mut self, value: f64, display: impl fmt::Display) -> Result<(), SerError> {
        if !value.is_finite() {
            return Err(SerError::Unsupported);
        }
        self.display(display)
    }
}

struct FmtSink<'w, 'o> {
    writer: &'w mut Writer<'o>,
    failed: bool,
}

impl Write for FmtSink<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.writer.bytes(s.as_bytes()).map_err(|_| {
            self.failed = true;
            fmt::Error
        })
    }
}

/// A JSON array or object being written; `first` tracks where commas go.
pub(crate) struct Compound<'w, 'o> {
    writer: &'w mut Writer<'o>,
    first: bool,
    /// Extra closing bytes for the `{"Variant":...}` wrapper of enum variants.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) -> Result<(), SerError> {
        if self.first {
            self.first = false;
            Ok(())
        } else {
            self.writer.bytes(b",")
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.comma()?;
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), SerError> {
        self.comma()?;
        self.writer.string(key)?;
        self.writer.bytes(b":")?;
        value.serialize(&mut *self.writer)
    }

    fn finish(self, close: &[u8]) -> Result<(), SerError> {
        self.writer.bytes(close)?;
        self.writer.bytes(self.close)
    }
}

impl<'w, 'o> ser::Serializer for &'w mut Writer<'o> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Compound<'w, 'o>;
    type SerializeTuple = Compound<'w, 'o>;
    type SerializeTupleStruct = Compound<'w, 'o>;
    type SerializeTupleVariant = Compound<'w, 'o>;
    type SerializeMap = Compound<'w, 'o>;
    type SerializeStruct = Compound<'w, 'o>;
    type SerializeStructVariant = Compound<'w, 'o>;

    fn serialize_bool(self, v: bool) -> Result<(), SerError> {
        self.bytes(if v { b"true" } else { b"false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), SerError> {
        self.display(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), SerError> {
        self.float(f64::from(v), v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), SerError> {
        self.float(v, v)
    }
    fn serialize_char(self, v: char) -> Result<(), SerError> {
        self.string(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), SerError> {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), SerError> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        v.iter().try_for_each(|b| seq.serialize_element(b))?;
        seq.end()
    }
    fn serialize_none(self) -> Result<(), SerError> {
        self.bytes(b"null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), SerError> {
        self.bytes(b"null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        self.bytes(b"null")
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), SerError> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.bytes(b"{")?;
        self.string(variant)?;
        self.bytes(b":")?;
        value.serialize(&mut *self)?;
        self.bytes(b"}")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'o>, SerError> {
        self.bytes(b"[")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: b"",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'o>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'o>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'o>, SerError> {
        self.bytes(b"{")?;
        self.string(variant)?;
        self.bytes(b":[")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: b"}",
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'o>, SerError> {
        self.bytes(b"{")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: b"",
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'o>, SerError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'o>, SerError> {
        self.bytes(b"{")?;
        self.string(variant)?;
        self.bytes(b":{")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: b"}",
        })
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), SerError> {
        // Written through a formatter that escapes as it goes, so no buffer is needed.
        self.bytes(b"\"")?;
        let mut sink = EscapingSink {
            writer: self,
            failed: false,
        };
        if write!(sink, "{value}").is_err() || sink.failed {
            return Err(SerError::Full);
        }
        self.bytes(b"\"")
    }
}

struct EscapingSink<'w, 'o> {
    writer: &'w mut Writer<'o>,
    failed: bool,
}

impl Write for EscapingSink<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.writer.escaped(s).map_err(|_| {
            self.failed = true;
            fmt::Error
        })
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"]")
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"]")
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"]")
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"]")
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.comma()?;
        key.serialize(KeySerializer {
            writer: &mut *self.writer,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.writer.bytes(b":")?;
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"}")
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"}")
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), SerError> {
        self.finish(b"}")
    }
}

/// Serializes map keys: strings (and chars and unit variants) only.
struct KeySerializer<'w, 'o> {
    writer: &'w mut Writer<'o>,
}

impl ser::Serializer for KeySerializer<'_, '_> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = ser::Impossible<(), SerError>;
    type SerializeTuple = ser::Impossible<(), SerError>;
    type SerializeTupleStruct = ser::Impossible<(), SerError>;
    type SerializeTupleVariant = ser::Impossible<(), SerError>;
    type SerializeMap = ser::Impossible<(), SerError>;
    type SerializeStruct = ser::Impossible<(), SerError>;
    type SerializeStructVariant = ser::Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> Result<(), SerError> {
        self.writer.string(v)
    }
    fn serialize_char(self, v: char) -> Result<(), SerError> {
        self.writer.string(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), SerError> {
        self.writer.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), SerError> {
        ser::Serializer::collect_str(self.writer, value)
    }

    fn serialize_bool(self, _v: bool) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_i8(self, _v: i8) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_i16(self, _v: i16) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_i32(self, _v: i32) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_i64(self, _v: i64) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_u8(self, _v: u8) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_u16(self, _v: u16) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_u32(self, _v: u32) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_u64(self, _v: u64) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_f32(self, _v: f32) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_f64(self, _v: f64) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_none(self) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_unit(self) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Err(SerError::Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(SerError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize + ?Sized>(value: &T) -> Result<([u8; 256], usize), SerError> {
        let mut out = [0u8; 256];
        let n = to_slice(value, &mut out)?;
        Ok((out, n))
    }

    fn text<T: Serialize + ?Sized>(value: &T) -> heapless_str::S {
        let (out, n) = json(value).unwrap();
        heapless_str::S::from(&out[..n])
    }

    mod heapless_str {
        #[derive(Debug, PartialEq)]
        pub struct S([u8; 256], usize);
        impl From<&[u8]> for S {
            fn from(b: &[u8]) -> Self {
                let mut s = [0u8; 256];
                s[..b.len()].copy_from_slice(b);
                S(s, b.len())
            }
        }
        impl PartialEq<&str> for S {
            fn eq(&self, other: &&str) -> bool {
                &self.0[..self.1] == other.as_bytes()
            }
        }
    }

    #[derive(serde::Serialize)]
    struct Claims<'a> {
        sub: &'a str,
        exp: u64,
        admin: bool,
        scope: [&'a str; 2],
        ratio: f64,
        initial: char,
        missing: Option<u8>,
    }

    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        New(i32),
        Tuple(i8, i8),
        Named { a: u8 },
    }

    #[test]
    fn writes_structs_and_escapes_strings() {
        let claims = Claims {
            sub: "a\"b\\c\n\u{1}é/",
            exp: 1_700_000_000,
            admin: true,
            scope: ["read", "write"],
            ratio: -0.5,
            initial: '"',
            missing: None,
        };
        assert_eq!(
            text(&claims),
            r#"{"sub":"a\"b\\c\n\u0001é/","exp":1700000000,"admin":true,"scope":["read","write"],"ratio":-0.5,"initial":"\"","missing":null}"#
        );
        assert_eq!(text(&[Shape::Unit]), r#"["Unit"]"#);
        assert_eq!(text(&Shape::New(-3)), r#"{"New":-3}"#);
        assert_eq!(text(&Shape::Tuple(1, 2)), r#"{"Tuple":[1,2]}"#);
        assert_eq!(text(&Shape::Named { a: 7 }), r#"{"Named":{"a":7}}"#);
        assert_eq!(text(&format_args!("x\"{}", 1)), r#""x\"1""#);
    }

    #[test]
    fn refuses_what_json_cannot_represent() {
        assert_eq!(json(&f64::NAN).unwrap_err(), SerError::Unsupported);
        assert_eq!(json(&f32::INFINITY).unwrap_err(), SerError::Unsupported);
        let mut out = [0u8; 4];
        assert_eq!(to_slice("hello", &mut out).unwrap_err(), SerError::Full);
        assert_eq!(to_slice(&123456u32, &mut out).unwrap_err(), SerError::Full);
    }
}
