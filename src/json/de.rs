//! A serde deserializer on the strict scanner: one pass over a JSON object fills the caller's
//! type and hands the top-level members an [`Observer`] asks for to it on the way (the
//! claims reader records the registered claims this way, for validation).
//!
//! The document is held to every rule of [`crate::json`] (UTF-8, RFC 8259 grammar, no
//! duplicate top-level member, bounded depth and member count) whatever the type asks for:
//! a member the type ignores is still scanned, and the end of the object and of the input
//! are checked after the type is built. Strings borrow from the input unless they hold
//! escapes; those are unescaped into a scratch buffer for owned fields (`heapless::String`,
//! `String`), so a `&str` field cannot hold one.

use core::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

use super::{Cursor, JsonStr, MAX_DEPTH, MemberNames, Value};
use crate::error::Error;

/// Sees the top-level members of the object being read that it asks for, each once, whether
/// or not the type reads them. The reader knows nothing of what the members mean.
pub(crate) trait Observer<'de> {
    /// What the observer calls a member it wants.
    type Member: Copy;

    /// The member `name` stands for, if the observer wants its value.
    fn wants(&self, name: JsonStr<'_>) -> Option<Self::Member>;

    /// Takes the value of a wanted member. The first error, in document order, refuses the
    /// document once its syntax is known to be sound.
    fn record(&mut self, member: Self::Member, value: Value<'de>) -> Result<(), Error>;
}

/// Reads the JSON object `payload` as `T`, handing the members `observer` wants to it.
/// `scratch` receives unescaped strings for owned fields.
///
/// The outer error is the document's: a syntax error anywhere in it, then the observer's
/// first error. The inner result is the type's. When the type fails, the scan resumes at the
/// top-level member it failed in, so the rest of the document is still held to every rule
/// and its members are still observed.
pub(crate) fn from_object<'de, T, O>(
    payload: &'de [u8],
    scratch: &mut [u8],
    observer: &mut O,
) -> Result<Result<T, Error>, Error>
where
    T: de::Deserialize<'de>,
    O: Observer<'de>,
{
    let cur = Cursor::new(payload)?;
    let mut object = TopLevel {
        value: Deserializer {
            cur: cur.clone(),
            scratch,
            depth: MAX_DEPTH - 1,
            ahead: AheadSlot::default(),
        },
        names: MemberNames::new(),
        observer,
        refused: Ok(()),
        at: At::Start,
        resume: cur,
        resume_first: true,
        failed: false,
        first: true,
    };
    let value = T::deserialize(&mut object);
    object.finish()?;
    object.refused?;
    Ok(value.map_err(|e| e.0))
}

/// The error of a deserialization: one of jwt-core's, [`Error::ClaimsTypeMismatch`] when the document
/// does not have the shape of the type.
#[derive(Debug)]
pub(crate) struct DeError(Error);

impl From<Error> for DeError {
    fn from(error: Error) -> Self {
        DeError(error)
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl de::StdError for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        DeError(Error::ClaimsTypeMismatch)
    }
}

/// The top-level object: its members go to the type, and those the observer wants also to
/// the observer as they pass.
struct TopLevel<'de, 's, 'o, O> {
    value: Deserializer<'de, 's>,
    names: MemberNames,
    observer: &'o mut O,
    /// The observer's first error, in document order.
    refused: Result<(), Error>,
    /// Where the scan resumes once the type is done: `resume` is the cursor at `at`, the last
    /// boundary between members the type reached.
    at: At,
    resume: Cursor<'de>,
    /// `first` at `resume`.
    resume_first: bool,
    /// Whether reading a member name or value has failed: the type gets no more of the
    /// document (whatever it does with the error), and the scan resumes at `resume`.
    failed: bool,
    first: bool,
}

/// A boundary in the top-level object, from which its scan can resume.
#[derive(Clone, Copy)]
enum At {
    /// Before its opening brace.
    Start,
    /// Before a member, or before its closing brace.
    Members,
    /// Before the value of a member whose name is read.
    Value,
    /// After its closing brace.
    End,
}

impl<'de, O: Observer<'de>> TopLevel<'de, '_, '_, O> {
    /// Records that the cursor is at the boundary `at`.
    fn reach(&mut self, at: At) {
        self.at = at;
        self.resume = self.value.cur.clone();
        self.resume_first = self.first;
    }

    /// Reads the name of the next member (handing its value to the observer if it wants it)
    /// up to its value, or `None` at the closing brace (left in place).
    fn member(&mut self) -> Result<Option<JsonStr<'de>>, Error> {
        // On 64-bit targets the scan steps on a cursor of its own, written back once: stepping
        // through `self` stores the position and loads it back at every step. Firmware steps
        // in place, which takes less flash.
        #[cfg(target_pointer_width = "64")]
        let mut own = self.value.cur.clone();
        #[cfg(target_pointer_width = "64")]
        let cur = &mut own;
        #[cfg(not(target_pointer_width = "64"))]
        let cur = &mut self.value.cur;
        if !next_member(cur, &mut self.first, b'}')? {
            #[cfg(target_pointer_width = "64")]
            {
                self.value.cur = own;
            }
            return Ok(None);
        }
        let name = cur.member_name(&mut self.names)?;
        let mut ahead = None;
        if let Some(member) = self.observer.wants(name) {
            // Read the value ahead of the type (observed values are short), and keep it
            // for the type to take where that pays.
            let mut after = cur.clone();
            let value = after.short_value(MAX_DEPTH - 1)?;
            ahead = Some(Ahead {
                at: cur.pos(),
                after: after.pos(),
                value,
            });
            // Only the first error is kept: nothing to store while there is none.
            let recorded = self.observer.record(member, value);
            if recorded.is_err() && self.refused.is_ok() {
                self.refused = recorded;
            }
        }
        #[cfg(target_pointer_width = "64")]
        {
            self.value.cur = own;
        }
        self.value.keep_ahead(ahead);
        self.reach(At::Value);
        Ok(Some(name))
    }

    /// Scans the rest of the document from the last boundary the type reached, whether it
    /// finished, stopped early or failed, observing the members it did not reach.
    fn finish(&mut self) -> Result<(), Error> {
        self.value.cur = self.resume.clone();
        self.first = self.resume_first;
        loop {
            let cur = &mut self.value.cur;
            match self.at {
                At::Start => {
                    cur.skip_ws();
                    cur.expect(b'{')?;
                    self.at = At::Members;
                }
                At::Value => {
                    cur.value(MAX_DEPTH - 1)?;
                    self.at = At::Members;
                }
                At::Members => {
                    if self.member()?.is_none() {
                        self.value.cur.expect(b'}')?;
                        self.at = At::End;
                    }
                }
                At::End => return cur.end(),
            }
        }
    }

    /// `step`, after which the type gets no more of the document if it failed.
    fn unless_failed<T>(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        if self.failed {
            return Err(DeError(Error::ClaimsTypeMismatch));
        }
        let result = step(self);
        self.failed = result.is_err();
        result
    }
}

impl<'de, O: Observer<'de>> de::Deserializer<'de> for &mut TopLevel<'de, '_, '_, O> {
    type Error = DeError;

    /// The document is an object, whatever the type asks for; a type that is not map-shaped
    /// refuses it.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let cur = &mut self.value.cur;
        cur.skip_ws();
        cur.expect(b'{')?;
        self.reach(At::Members);
        let claims = visitor.visit_map(&mut *self)?;
        if !self.failed {
            self.value.cur.skip_ws();
            self.value.cur.expect(b'}')?;
            self.reach(At::End);
        }
        Ok(claims)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, O: Observer<'de>> de::MapAccess<'de> for &mut TopLevel<'de, '_, '_, O> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        self.unless_failed(|set| {
            let Some(name) = set.member()? else {
                return Ok(None);
            };
            seed.deserialize(Name {
                name,
                scratch: &mut *set.value.scratch,
            })
            .map(Some)
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.unless_failed(|set| {
            let value = seed.deserialize(&mut set.value)?;
            set.reach(At::Members);
            Ok(value)
        })
    }
}

/// Steps to the next element of an array or member of an object: `Ok(false)` at its
/// closing byte (left in place for the container to consume), `Ok(true)` at the next value
/// or member name.
fn next_member(cur: &mut Cursor<'_>, first: &mut bool, close: u8) -> Result<bool, Error> {
    cur.skip_ws();
    if cur.peek() == Some(close) {
        return Ok(false);
    }
    if !core::mem::replace(first, false) {
        cur.expect(b',')?;
        cur.skip_ws();
    }
    Ok(true)
}

/// Any JSON value below the top level. `depth` is how many more arrays or objects may be
/// opened, so the nesting the type can drive is bounded as the scanner's is.
struct Deserializer<'de, 's> {
    cur: Cursor<'de>,
    scratch: &'s mut [u8],
    depth: u32,
    /// The value of the current top-level member when the top level has read it already.
    ahead: AheadSlot<'de>,
}

/// A top-level value read ahead (one the observer wanted): the type reading it
/// takes it from here instead of scanning it a second time. Kept on 64-bit targets
/// (gateways), where that saves instructions on every verify; 32-bit targets keep nothing
/// and scan those few short values twice, which costs less flash.
#[cfg(target_pointer_width = "64")]
type AheadSlot<'de> = Option<Ahead<'de>>;
#[cfg(not(target_pointer_width = "64"))]
type AheadSlot<'de> = core::marker::PhantomData<Ahead<'de>>;

#[derive(Clone, Copy)]
#[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
struct Ahead<'de> {
    /// Where the value starts and ends in the document.
    at: usize,
    after: usize,
    value: Value<'de>,
}

impl<'de> Deserializer<'de, '_> {
    /// The value read ahead when the cursor is at its start, with the cursor moved past it.
    /// Depth does not matter: only top-level values are read ahead, at the depth the type
    /// reads them.
    #[cfg(target_pointer_width = "64")]
    fn read_ahead(&mut self) -> Option<Value<'de>> {
        let ahead = self.ahead.filter(|a| a.at == self.cur.pos())?;
        self.cur.seek(ahead.after);
        Some(ahead.value)
    }

    #[cfg(not(target_pointer_width = "64"))]
    fn read_ahead(&mut self) -> Option<Value<'de>> {
        None
    }

    /// Keeps the value of the member just named, when the top level read it ahead.
    #[cfg(target_pointer_width = "64")]
    fn keep_ahead(&mut self, ahead: Option<Ahead<'de>>) {
        self.ahead = ahead;
    }

    #[cfg(not(target_pointer_width = "64"))]
    fn keep_ahead(&mut self, _: Option<Ahead<'de>>) {}

    /// Opens an array or object (the cursor is at `open`), lets `visit` read its contents,
    /// then consumes the closing byte: a type that stops early is refused.
    fn container<T>(
        &mut self,
        open: u8,
        visit: impl FnOnce(&mut Self) -> Result<T, DeError>,
    ) -> Result<T, DeError> {
        self.cur
            .expect(open)
            .map_err(|_| Error::ClaimsTypeMismatch)?;
        self.depth = self.depth.checked_sub(1).ok_or(Error::Json)?;
        let value = visit(self)?;
        self.depth += 1;
        self.cur.skip_ws();
        self.cur.expect(if open == b'[' { b']' } else { b'}' })?;
        Ok(value)
    }

    fn string(&mut self) -> Result<JsonStr<'de>, Error> {
        if self.cur.peek() != Some(b'"') {
            return Err(Error::ClaimsTypeMismatch);
        }
        match self.read_ahead() {
            Some(Value::String(s)) => Ok(s),
            _ => self.cur.string(),
        }
    }

    fn number(&mut self) -> Result<&'de str, Error> {
        if !matches!(self.cur.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(Error::ClaimsTypeMismatch);
        }
        match self.read_ahead() {
            Some(Value::Number(n)) => Ok(n),
            _ => self.cur.number(),
        }
    }

    /// An integer read as the type asks, without float parsing: types without floats link
    /// none.
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, DeError> {
        match Integer::parse(self.number()?) {
            Some(Integer::Unsigned(n)) => visitor.visit_u64(n),
            Some(Integer::Signed(n)) => visitor.visit_i64(n),
            None => Err(Error::ClaimsTypeMismatch.into()),
        }
    }
}

/// The `f64` nearest a validated JSON number. A number beyond the range of `f64` (such as
/// `1e400`) is well-formed JSON that no `f64` holds: refused as serde_json refuses it, as a
/// value the type cannot take, rather than read as an infinity.
fn finite(number: &str) -> Result<f64, Error> {
    number
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .ok_or(Error::ClaimsTypeMismatch)
}

/// A JSON number without fraction or exponent that fits 64 bits.
enum Integer {
    Unsigned(u64),
    Signed(i64),
}

impl Integer {
    /// `number` is validated JSON number text; `None` when it is not an integer of 64 bits.
    fn parse(number: &str) -> Option<Integer> {
        let (negative, digits) = match number.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, number),
        };
        let magnitude = crate::json::unsigned(digits.as_bytes())?;
        if !negative {
            Some(Integer::Unsigned(magnitude))
        } else if magnitude == 0 {
            // `-0` is the float negative zero, as serde_json reads it.
            None
        } else if magnitude <= i64::MIN.unsigned_abs() {
            Some(Integer::Signed(0i64.wrapping_sub_unsigned(magnitude)))
        } else {
            None
        }
    }
}

/// Hands `s` to `visitor`: borrowed from the input when it holds no escape, else unescaped
/// into `scratch` and lent for the call.
fn visit_json_str<'de, V: Visitor<'de>>(
    s: JsonStr<'de>,
    scratch: &mut [u8],
    visitor: V,
) -> Result<V::Value, DeError> {
    if let Some(plain) = s.as_str() {
        return visitor.visit_borrowed_str(plain);
    }
    let mut len = 0;
    for byte in s.bytes() {
        *scratch.get_mut(len).ok_or(Error::BufferTooSmall)? = byte;
        len += 1;
    }
    let unescaped = scratch.get(..len).ok_or(Error::BufferTooSmall)?;
    visitor.visit_str(core::str::from_utf8(unescaped).map_err(|_| Error::Json)?)
}

/// Integer requests, each read by [`Deserializer::integer`].
macro_rules! integers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                self.integer(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.cur.peek() {
            Some(b'"') => self.deserialize_str(visitor),
            Some(b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                match Integer::parse(number) {
                    Some(Integer::Unsigned(n)) => visitor.visit_u64(n),
                    Some(Integer::Signed(n)) => visitor.visit_i64(n),
                    None => visitor.visit_f64(finite(number)?),
                }
            }
            Some(b't' | b'f') => self.deserialize_bool(visitor),
            Some(b'n') => self.deserialize_unit(visitor),
            Some(b'[') => self.deserialize_seq(visitor),
            Some(b'{') => self.deserialize_map(visitor),
            _ => Err(Error::Json.into()),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.cur.peek() {
            Some(b't') => {
                self.cur.literal("true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.cur.literal("false")?;
                visitor.visit_bool(false)
            }
            _ => Err(Error::ClaimsTypeMismatch.into()),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let number = self.number()?;
        visitor.visit_f64(finite(number)?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let s = self.string()?;
        visit_json_str(s, self.scratch, visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.cur.peek() == Some(b'n') {
            self.cur.literal("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.cur.peek() != Some(b'n') {
            return Err(Error::ClaimsTypeMismatch.into());
        }
        self.cur.literal("null")?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.container(b'[', |de| {
            visitor.visit_seq(Elements {
                value: de,
                first: true,
            })
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.container(b'{', |de| {
            visitor.visit_map(Members {
                value: de,
                first: true,
            })
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    /// A unit variant is a string; any other variant is an object of one member, the
    /// variant's name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if self.cur.peek() == Some(b'"') {
            let name = self.cur.string()?;
            return visitor.visit_enum(Variant {
                name,
                value: self,
                has_content: false,
            });
        }
        self.container(b'{', |de| {
            de.cur.skip_ws();
            let name = de.string()?;
            de.cur.skip_ws();
            de.cur.expect(b':')?;
            de.cur.skip_ws();
            visitor.visit_enum(Variant {
                name,
                value: de,
                has_content: true,
            })
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    /// Scans the value without building anything (iteratively, within the depth bound).
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.read_ahead().is_none() {
            self.cur.value(self.depth)?;
        }
        visitor.visit_unit()
    }
}

/// A member name, or an enum variant's name, for the type's identifier visitor.
struct Name<'a, 'de> {
    name: JsonStr<'de>,
    scratch: &'a mut [u8],
}

impl<'de> de::Deserializer<'de> for Name<'_, 'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visit_json_str(self.name, self.scratch, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// The elements of an array.
struct Elements<'a, 'de, 's> {
    value: &'a mut Deserializer<'de, 's>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if !next_member(&mut self.value.cur, &mut self.first, b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.value).map(Some)
    }
}

/// The members of an object below the top level.
struct Members<'a, 'de, 's> {
    value: &'a mut Deserializer<'de, 's>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Members<'_, 'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let cur = &mut self.value.cur;
        if !next_member(cur, &mut self.first, b'}')? {
            return Ok(None);
        }
        let name = cur.member_key()?;
        seed.deserialize(Name {
            name,
            scratch: &mut *self.value.scratch,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(&mut *self.value)
    }
}

/// An enum value: its variant's name and the deserializer, positioned at the variant's
/// content unless it is a unit variant written as a string.
struct Variant<'a, 'de, 's> {
    name: JsonStr<'de>,
    value: &'a mut Deserializer<'de, 's>,
    has_content: bool,
}

impl<'a, 'de, 's> de::EnumAccess<'de> for Variant<'a, 'de, 's> {
    type Error = DeError;
    type Variant = Content<'a, 'de, 's>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), DeError> {
        let variant = seed.deserialize(Name {
            name: self.name,
            scratch: &mut *self.value.scratch,
        })?;
        let content = Content(self.has_content.then_some(self.value));
        Ok((variant, content))
    }
}

/// A variant's content: `None` for a unit variant written as a string.
struct Content<'a, 'de, 's>(Option<&'a mut Deserializer<'de, 's>>);

impl<'de> de::VariantAccess<'de> for Content<'_, 'de, '_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            None => Ok(()),
            Some(de) => de::Deserialize::deserialize(de),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self.0.ok_or(Error::ClaimsTypeMismatch)?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self.0.ok_or(Error::ClaimsTypeMismatch)?, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self.0.ok_or(Error::ClaimsTypeMismatch)?, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Wants every member (so every top-level value is read ahead) and records nothing.
    struct EveryMember;

    impl Observer<'_> for EveryMember {
        type Member = ();
        fn wants(&self, _: JsonStr<'_>) -> Option<()> {
            Some(())
        }
        fn record(&mut self, (): (), _: Value<'_>) -> Result<(), Error> {
            Ok(())
        }
    }

    fn read<'de, T: de::Deserialize<'de>>(json: &'de str, scratch: &mut [u8]) -> Result<T, Error> {
        from_object::<T, _>(json.as_bytes(), scratch, &mut EveryMember)?
    }

    #[derive(Deserialize, Debug, PartialEq)]
    enum Role {
        Admin,
        Guest,
        Scoped(u8),
        Pair(i32, bool),
        Named { level: u16 },
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Inner<'a> {
        name: &'a str,
        tags: [&'a str; 2],
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Everything<'a> {
        #[serde(borrow)]
        inner: Inner<'a>,
        owned: heapless::String<16>,
        roles: heapless::Vec<Role, 8>,
        maybe: Option<u32>,
        absent: Option<bool>,
        small: i8,
        big: u64,
        ratio: f64,
        pair: (bool, char),
    }

    #[test]
    fn reads_the_shapes_serde_types_ask_for() {
        let json = r#" {
            "inner": {"name": "n", "tags": ["a", "b"]},
            "owned": "caf\u00e9 \"q\"",
            "roles": ["Admin", {"Scoped": 7}, {"Pair": [-3, true]}, {"Named": {"level": 9}}, "Guest"],
            "maybe": null,
            "small": -128,
            "big": 18446744073709551615,
            "ratio": 2.5e-1,
            "pair": [false, "\u00e9"],
            "ignored": {"deep": [1, {"x": null}], "n": -0.0}
        } "#;
        let mut scratch = [0u8; 32];
        let got: Everything = read(json, &mut scratch).unwrap();
        assert_eq!(
            got.inner,
            Inner {
                name: "n",
                tags: ["a", "b"]
            }
        );
        assert_eq!(got.owned, "café \"q\"");
        assert_eq!(
            got.roles.as_slice(),
            [
                Role::Admin,
                Role::Scoped(7),
                Role::Pair(-3, true),
                Role::Named { level: 9 },
                Role::Guest
            ]
        );
        assert_eq!((got.maybe, got.absent), (None, None));
        assert_eq!((got.small, got.big, got.ratio), (-128, u64::MAX, 0.25));
        assert_eq!(got.pair, (false, 'é'));
    }

    #[test]
    fn a_type_mismatch_is_a_claims_error() {
        #[derive(Deserialize, Debug)]
        struct Small {
            #[allow(dead_code)]
            n: u8,
        }
        #[derive(Deserialize, Debug)]
        struct Borrowed<'a> {
            #[allow(dead_code)]
            s: &'a str,
        }
        let mut scratch = [0u8; 16];
        for json in [
            r#"{"n":256}"#,
            r#"{"n":-1}"#,
            r#"{"n":1.0}"#,
            r#"{"n":1e2}"#,
            r#"{"n":"1"}"#,
            r#"{"n":null}"#,
            r#"{"n":[1]}"#,
            r#"{}"#,
        ] {
            assert_eq!(
                read::<Small>(json, &mut scratch).unwrap_err(),
                Error::ClaimsTypeMismatch,
                "{json}"
            );
        }
        // An escaped string cannot be borrowed from the input.
        assert_eq!(
            read::<Borrowed>(r#"{"s":"a\nb"}"#, &mut scratch).unwrap_err(),
            Error::ClaimsTypeMismatch
        );
        assert!(read::<Borrowed>(r#"{"s":"a b"}"#, &mut scratch).is_ok());
        // Not an object at all.
        assert_eq!(read::<Small>("[1]", &mut scratch).unwrap_err(), Error::Json);
        // A tuple shorter than the array: the type stops early, the document does not.
        assert_eq!(
            read::<(u8,)>(r#"{"a":1}"#, &mut scratch).unwrap_err(),
            Error::ClaimsTypeMismatch
        );
    }

    #[test]
    fn unescaped_strings_need_room_in_the_scratch_space() {
        #[derive(Deserialize)]
        struct Owned {
            s: heapless::String<64>,
        }
        let json = r#"{"s":"\u00e9\u00e9\u00e9\u00e9"}"#;
        assert_eq!(
            read::<Owned>(json, &mut [0u8; 7]).err(),
            Some(Error::BufferTooSmall)
        );
        assert_eq!(read::<Owned>(json, &mut [0u8; 8]).unwrap().s, "éééé");
    }

    #[test]
    fn the_whole_document_is_held_to_the_scanner_rules() {
        #[derive(Deserialize, Debug)]
        struct Only {
            #[allow(dead_code)]
            a: u8,
        }
        let mut scratch = [0u8; 16];
        for json in [
            r#"{"a":1,"b":[1,]}"#,
            r#"{"a":1,"b":01}"#,
            r#"{"a":1,"b":"\x"}"#,
            r#"{"a":1,"b":1,"b":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"a":1} x"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
        ] {
            assert_eq!(
                read::<Only>(json, &mut scratch).unwrap_err(),
                Error::Json,
                "{json}"
            );
        }
        assert_eq!(
            from_object::<Only, _>(b"{\"a\":1,\"b\":\"\xff\"}", &mut scratch, &mut EveryMember)
                .err(),
            Some(Error::Json)
        );
    }

    #[test]
    fn nesting_is_bounded_whoever_drives_it() {
        let mut doc = [0u8; 80];
        let open = MAX_DEPTH as usize - 1;
        let build = |doc: &mut [u8; 80], levels: usize| {
            doc[..5].copy_from_slice(b"{\"a\":");
            doc[5..5 + levels].fill(b'[');
            doc[5 + levels..5 + 2 * levels].fill(b']');
            doc[5 + 2 * levels] = b'}';
            6 + 2 * levels
        };
        let mut scratch = [0u8; 8];
        let len = build(&mut doc, open);
        let text = core::str::from_utf8(&doc[..len]).unwrap();
        assert!(read::<de::IgnoredAny>(text, &mut scratch).is_ok());
        assert!(read::<serde_json::Value>(text, &mut scratch).is_ok());
        let len = build(&mut doc, open + 1);
        let text = core::str::from_utf8(&doc[..len]).unwrap();
        assert_eq!(
            read::<de::IgnoredAny>(text, &mut scratch).unwrap_err(),
            Error::Json
        );
        assert_eq!(
            read::<serde_json::Value>(text, &mut scratch).unwrap_err(),
            Error::Json
        );
    }

    /// Observed values are read ahead; the type then reads each value however it asks
    /// (borrowed, unescaped, as an integer of either sign, as a float, as any value, ignored,
    /// as an array), and gets what serde_json gets.
    #[test]
    fn a_value_read_ahead_is_read_by_the_type_as_it_asks() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Shapes<'a> {
            iss: &'a str,
            sub: heapless::String<16>,
            exp: u64,
            nbf: f64,
            iat: i64,
            aud: std::vec::Vec<&'a str>,
            jti: serde_json::Value,
            after: u8,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Owned {
            iss: std::string::String,
            sub: std::string::String,
            exp: u64,
            nbf: f64,
            iat: i64,
            aud: std::vec::Vec<std::string::String>,
            jti: serde_json::Value,
            after: u8,
        }
        let json = r#"{ "iss" : "i" , "sub":"s\u00e9\/x", "cty":"x", "exp":  7,"nbf":25.5,
            "iat":3, "aud" :["a","b"], "jti": "j\n", "typ": [], "after": 9 }"#;
        let mut scratch = [0u8; 32];
        let ours: Shapes = read(json, &mut scratch).unwrap();
        let theirs: Owned = serde_json::from_str(json).unwrap();
        assert_eq!(
            (ours.iss, ours.sub.as_str(), ours.exp, ours.nbf, ours.iat),
            (
                theirs.iss.as_str(),
                theirs.sub.as_str(),
                theirs.exp,
                theirs.nbf,
                theirs.iat
            )
        );
        assert_eq!((ours.aud, ours.after), (std::vec!["a", "b"], theirs.after));
        assert_eq!(ours.jti, theirs.jti);
        // Every value as any value, and every value ignored.
        let any: serde_json::Value = read(json, &mut scratch).unwrap();
        assert_eq!(
            any,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
        assert!(read::<de::IgnoredAny>(json, &mut scratch).is_ok());
    }

    #[test]
    fn agrees_with_serde_json_on_what_it_accepts() {
        let docs = [
            r#"{"a":[1,-2,3.5,1e3,-0,12345678901234567890,-9223372036854775808]}"#,
            r#"{"s":"\ud83d\ude00 \/ \b\f\n\r\t \u0000","t":true,"f":false,"n":null}"#,
            r#"{"o":{"x":{"y":[]},"z":{}},"e":[]}"#,
            r#"{"big":-9223372036854775809,"neg":-1.5E-7}"#,
        ];
        let mut scratch = [0u8; 64];
        for doc in docs {
            let ours: serde_json::Value = read(doc, &mut scratch).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(ours, theirs, "{doc}");
        }
        // Numbers at the edges of f64: what one refuses the other refuses, into a value or
        // into a float field.
        #[derive(Deserialize, PartialEq, Debug)]
        struct Float {
            x: f64,
        }
        for number in [
            "1e999999999999",
            "-1e400",
            "1.8e308",
            "1.7e308",
            "1e-400",
            "-4.9e-324",
            "123456789012345678901234567890",
            &"9".repeat(400),
        ] {
            let doc = std::format!(r#"{{"x":{number}}}"#);
            let theirs = serde_json::from_str::<serde_json::Value>(&doc).ok();
            let ours = read::<serde_json::Value>(&doc, &mut scratch).ok();
            assert_eq!(ours, theirs, "{doc}");
            let theirs = serde_json::from_str::<Float>(&doc).ok();
            let ours = read::<Float>(&doc, &mut scratch).ok();
            assert_eq!(ours, theirs, "{doc}");
        }
    }
}
