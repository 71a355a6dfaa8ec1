//! A strict, bounded, allocation-free JSON scanner (RFC 8259) for headers and claim sets.
//!
//! It validates a whole document in one linear pass with no recursion, refuses duplicate
//! member names in the top-level object (compared after unescaping), bounds nesting depth and
//! the number of top-level members, and hands each top-level member to a visitor as a
//! value that borrows from the input. Strings stay escaped in the input; [`JsonStr`]
//! compares and iterates them unescaped, so no scratch buffer is needed.

pub(crate) mod de;
pub(crate) mod ser;
mod str;

use str::Escapes;
pub use str::{Bytes, Chars, JsonStr};

use core::cmp::Ordering;

use crate::error::Error;
use str::hex4;

/// Deepest nesting accepted, counting the top-level object as 1.
pub const MAX_DEPTH: u32 = 32;
/// Most members accepted in a top-level object (header or claims set).
pub const MAX_MEMBERS: usize = 64;
/// Longest JSON document read (4 GiB - 1): a longer JWK Set or JWK is refused with
/// [`Error::Json`] before it is scanned. Tokens are bounded far below it by
/// [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN).
pub const MAX_DOCUMENT_LEN: usize = u32::MAX as usize;

/// Whether `text` is exactly one JSON number (RFC 8259 section 6).
pub(crate) fn is_number(text: &str) -> bool {
    let mut cur = Cursor { text, pos: 0 };
    cur.number().is_ok() && cur.pos == text.len()
}

/// The value of `digits`, one or more ASCII digits, when it fits 64 bits.
pub(crate) fn unsigned(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    // Nineteen digits stay below 10^19 < 2^64: no overflow to check.
    if digits.len() <= 19 {
        // On 64-bit targets eight digits at a time: a date's ten digits are one word and
        // two digits, three multiplications deep instead of ten.
        #[cfg(target_pointer_width = "64")]
        let (acc, rest) = whole_words(digits)?;
        #[cfg(not(target_pointer_width = "64"))]
        let (acc, rest) = (0, digits);
        return rest.iter().try_fold(acc, |acc, &d| {
            let digit = d.wrapping_sub(b'0');
            (digit <= 9).then(|| acc * 10 + u64::from(digit))
        });
    }
    digits.iter().try_fold(0u64, |acc, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Flags, in the high bit of each byte, the bytes of `word` that are not ASCII digits. A
/// flag can be false only above a true one (a carry runs upwards from a byte of 0xFA or
/// more, which is flagged), so the lowest flag is exact.
#[cfg(target_pointer_width = "64")]
#[inline]
const fn non_digits(word: u64) -> u64 {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    // A digit's high nibble is 3, and adding 6 to it leaves it 3 (its low nibble is at most 9).
    let flagged = ((word & HIGH_NIBBLES) ^ THREES)
        | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES) ^ THREES);
    // Any flagged bit of a byte, moved to its high bit.
    (flagged | flagged << 3 | flagged << 2 | flagged << 1) & 0x8080_8080_8080_8080
}

/// The value of the digits of `digits` (at most 19) that fill whole words, and the digits
/// after them; `None` if one of those words is not all digits.
#[cfg(target_pointer_width = "64")]
#[inline]
fn whole_words(digits: &[u8]) -> Option<(u64, &[u8])> {
    let mut acc = 0u64;
    let mut rest = digits;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        acc = acc * 100_000_000 + eight_digits(*word)?;
        rest = tail;
    }
    Some((acc, rest))
}

/// The value of eight ASCII digits, the first the most significant; `None` if one is not a
/// digit.
#[cfg(target_pointer_width = "64")]
#[inline]
fn eight_digits(word: [u8; 8]) -> Option<u64> {
    // Little-endian: the first digit is the lowest byte.
    let word = u64::from_le_bytes(word);
    if non_digits(word) != 0 {
        return None;
    }
    // Each byte its digit's value (no borrow: every byte is at least `'0'`); then neighbours
    // are joined, the lower byte (the earlier digit) weighing 10, 100, then 10,000 times
    // the higher. No lane overflows: 99, 9,999 and 99,999,999 fit their 8, 16 and 32 bits.
    let d = word - 0x3030_3030_3030_3030;
    let d = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let d = (d * 100 + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((d * 10_000 + (d >> 32)) & 0xFFFF_FFFF)
}

/// One JSON value, borrowed from the document it was read from. Strings stay escaped
/// ([`JsonStr`]); numbers, arrays and objects are their validated text, read further with
/// [`for_each_element`] and [`parse_object`].
///
/// ```
/// use jwt_core::json::{self, Value};
/// let mut scope = None;
/// json::parse_object(br#"{"scope":"orders:read","admin":false}"#, |name, value| {
///     match value {
///         Value::String(s) if name == "scope" => scope = Some(s),
///         Value::Bool(admin) => assert!(!admin),
///         _ => {}
///     }
///     Ok(())
/// })?;
/// assert!(scope.unwrap() == "orders:read");
/// # Ok::<(), jwt_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Value<'a> {
    /// A string.
    String(JsonStr<'a>),
    /// A number, as its validated text.
    Number(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array, as its validated text including brackets.
    Array(&'a str),
    /// An object, as its validated text including braces.
    Object(&'a str),
}

/// Length of the run of bytes at the start of `bytes` that need no attention inside a JSON
/// string: everything but `"`, `\\` and control characters.
#[cfg_attr(target_pointer_width = "64", inline)]
fn plain_run(bytes: &[u8]) -> usize {
    crate::scan::first_of(bytes, b'"', b'\\', 0x20)
}

/// The order of two member names of `text`, given where their opening quotes are, by their
/// unescaped bytes. The unescaping iterators start after the raw text the two names share,
/// so a comparison reads at most the shorter name once.
fn compare_names(text: &str, a: usize, b: usize) -> Ordering {
    let bytes = text.as_bytes();
    let name = |start: usize| bytes.get(start + 1..).unwrap_or_default();
    let (a, b) = (name(a), name(b));
    let common = shared_raw_prefix(a, b);
    let (a, b) = (a.get(common..), b.get(common..));
    let (mut a, mut b) = (
        Bytes::new(a.unwrap_or_default()),
        Bytes::new(b.unwrap_or_default()),
    );
    loop {
        let (x, y) = (a.next_in_string(), b.next_in_string());
        if x != y || x.is_none() {
            return x.cmp(&y);
        }
    }
}

/// Length of the raw text two names (from after their opening quotes) share, ending outside
/// an escape: a shared escape sequence stands for the same bytes in both, so it is skipped
/// without unescaping it. Skipping half of a surrogate pair leaves both at a low surrogate,
/// whose three-byte pseudo-UTF-8 orders and compares like the characters they end, so the
/// order is still that of the unescaped text.
///
/// On 64-bit targets (gateways) this skips long shared prefixes several times faster than
/// the iterators; 32-bit targets skip nothing, which costs less flash.
#[cfg(target_pointer_width = "64")]
fn shared_raw_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut common = 0;
    while let (Some(&x), Some(&y)) = (a.get(common), b.get(common)) {
        if x != y || x == b'"' {
            break;
        }
        let len = match (x, a.get(common + 1)) {
            (b'\\', Some(b'u')) => 6,
            (b'\\', _) => 2,
            _ => 1,
        };
        if len > 1 && a.get(common..common + len) != b.get(common..common + len) {
            break;
        }
        common += len;
    }
    common
}

#[cfg(not(target_pointer_width = "64"))]
fn shared_raw_prefix(_: &[u8], _: &[u8]) -> usize {
    0
}

/// A bit of the hash of each plain name seen, to tell names that cannot repeat an earlier
/// one. Kept on 64-bit targets (gateways), where it saves sorting the few names of a
/// typical header or claims set on every verify; 32-bit targets sort every name, which
/// costs less flash.
#[cfg(target_pointer_width = "64")]
struct PlainNameFilter(u64);

#[cfg(target_pointer_width = "64")]
impl PlainNameFilter {
    const fn new() -> Self {
        PlainNameFilter(0)
    }

    /// Whether `name` is plain and differs from every plain name offered before, recording
    /// it: a bit of a hash from its length and its first, middle and last bytes.
    fn admits(&mut self, name: JsonStr<'_>) -> bool {
        let bytes = name.raw.as_bytes();
        let at = |i: usize| u32::from(bytes.get(i).copied().unwrap_or(0));
        let len = bytes.len();
        let mixed = (at(0).wrapping_mul(31) ^ at(len / 2)).wrapping_mul(31)
            ^ at(len.wrapping_sub(1))
            ^ (len as u32).wrapping_mul(7);
        let bit = 1u64 << (mixed.wrapping_mul(0x9E37_79B9) >> 26);
        let new = name.escaped == Escapes::No && self.0 & bit == 0;
        self.0 |= bit;
        new
    }
}

#[cfg(not(target_pointer_width = "64"))]
struct PlainNameFilter;

#[cfg(not(target_pointer_width = "64"))]
impl PlainNameFilter {
    const fn new() -> Self {
        PlainNameFilter
    }

    fn admits(&mut self, _: JsonStr<'_>) -> bool {
        false
    }
}

/// The member names of one object seen so far, to refuse a duplicate (compared after
/// unescaping) and bound their number. A name is remembered by where it starts in the
/// document and read again only to be compared.
///
/// While every name passes the [`PlainNameFilter`], none can repeat another and none is
/// read twice. From the first name that may repeat an earlier one the names are kept
/// sorted, and each new one is placed by binary search: a logarithmic number of
/// comparisons, each reading at most the new name, so an object costs time linear in its
/// length (times the logarithm of its member count) however its names are spelled.
pub(super) struct MemberNames {
    /// Where each name's opening quote is in the document: in document order, then (once
    /// `sorted`) in the order of the unescaped names.
    starts: [u32; MAX_MEMBERS],
    count: usize,
    filter: PlainNameFilter,
    sorted: bool,
}

impl MemberNames {
    pub(super) const fn new() -> Self {
        MemberNames {
            starts: [0; MAX_MEMBERS],
            count: 0,
            filter: PlainNameFilter::new(),
            sorted: false,
        }
    }

    /// Records `name`, whose opening quote is at byte `start` of `text`: a name seen before
    /// and one name too many are refused.
    #[cfg_attr(target_pointer_width = "64", inline)]
    fn insert(&mut self, text: &str, start: usize, name: JsonStr<'_>) -> Result<(), Error> {
        if self.count == MAX_MEMBERS {
            return Err(Error::Json);
        }
        let start = u32::try_from(start).map_err(|_| Error::Json)?;
        if !self.sorted {
            if self.filter.admits(name) {
                *self.starts.get_mut(self.count).ok_or(Error::Json)? = start;
                self.count += 1;
                return Ok(());
            }
            // Sort the names seen so far (all distinct) by inserting each into the sorted
            // run before it.
            for seen in 1..self.count {
                let earlier = *self.starts.get(seen).ok_or(Error::Json)?;
                self.place(text, seen, earlier)?;
            }
            self.sorted = true;
        }
        self.place(text, self.count, start)?;
        self.count += 1;
        Ok(())
    }

    /// Places the name at `start` among the first `sorted` names, which are in order, moving
    /// the greater ones up by one (the slot at `sorted` is free): an equal name is refused.
    fn place(&mut self, text: &str, sorted: usize, start: u32) -> Result<(), Error> {
        let names = self.starts.get_mut(..=sorted).ok_or(Error::Json)?;
        let position = names
            .get(..sorted)
            .unwrap_or_default()
            .binary_search_by(|&other| compare_names(text, other as usize, start as usize));
        // `Ok` is the index of an equal name.
        let at = position.err().ok_or(Error::Json)?;
        let mut carried = start;
        for slot in names.iter_mut().skip(at) {
            carried = core::mem::replace(slot, carried);
        }
        Ok(())
    }
}

/// Validates `input` as exactly one JSON object (surrounding whitespace allowed) and calls
/// `visit` with each member in order. Duplicate member names are refused before the
/// duplicate is visited. The whole document is validated even after `visit` fails, and a
/// syntax error takes precedence over the visitor's error, so the error does not depend on
/// member order. This is the scanner every header, claims set and JWK goes through, with
/// its limits ([`MAX_DEPTH`], [`MAX_MEMBERS`], [`MAX_DOCUMENT_LEN`]).
///
/// # Errors
/// [`Error::Json`] for a document that is not one such object; otherwise the first error
/// `visit` returns.
///
/// ```
/// let mut names = 0;
/// jwt_core::json::parse_object(br#"{"sub":"alice","exp":1800000000}"#, |_, _| {
///     names += 1;
///     Ok(())
/// })?;
/// assert_eq!(names, 2);
/// let duplicate = br#"{"sub":"alice","sub":"mallory"}"#;
/// assert!(jwt_core::json::parse_object(duplicate, |_, _| Ok(())).is_err());
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub fn parse_object<'a, F>(input: &'a [u8], mut visit: F) -> Result<(), Error>
where
    F: FnMut(JsonStr<'a>, Value<'a>) -> Result<(), Error>,
{
    read_object(input, &mut visit)
}

/// Reads the shape almost every JOSE header has: an object whose members are all strings
/// named in `names`, each at most once, written without whitespace or escapes, such as
/// `{"alg":"ES256","typ":"JWT","kid":"k1"}`. Returns the values in the order of `names`, or
/// `None` for any other input, valid or not, which the caller then reads with
/// [`parse_object`]. For every input it accepts, [`parse_object`] finds the same members
/// (a test compares the two), so the result does not depend on which reader ran.
///
/// On 64-bit targets only: a Cortex-M spends its flash on one reader.
#[cfg(target_pointer_width = "64")]
pub(crate) fn plain_string_members<'a, const N: usize>(
    input: &'a [u8],
    names: &[&str; N],
) -> Option<[Option<JsonStr<'a>>; N]> {
    let text = core::str::from_utf8(input).ok()?;
    let mut values = [None; N];
    let mut rest = text.strip_prefix("{\"")?;
    loop {
        // A name of `names` is one plain run: anything else ends the shape here.
        let quote = plain_run(rest.as_bytes());
        let (name, after) = (rest.get(..quote)?, rest.get(quote..)?);
        // Byte by byte: names are a few bytes long, shorter than a call to `memcmp`.
        let slot = names
            .iter()
            .position(|n| n.len() == name.len() && n.bytes().eq(name.bytes()))
            .and_then(|i| values.get_mut(i))?;
        if slot.is_some() {
            return None;
        }
        let after = after.strip_prefix("\":\"")?;
        // The run stops at a quote, a backslash or a control character; only a quote ends
        // a plain string.
        let end = plain_run(after.as_bytes());
        let tail = after.get(end..)?.strip_prefix('"')?;
        *slot = Some(JsonStr {
            raw: after.get(..end)?,
            escaped: Escapes::No,
        });
        match tail.strip_prefix(",\"") {
            Some(next) => rest = next,
            None => return (tail == "}").then_some(values),
        }
    }
}

/// [`parse_object`] behind one reference to the visitor, so the scanner is compiled once
/// however many visitors a program has (the header's and the claims' in `verify_jws` and
/// `validate`), which keeps firmware small.
fn read_object<'a>(
    input: &'a [u8],
    visit: &mut dyn FnMut(JsonStr<'a>, Value<'a>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut cur = Cursor::new(input)?;
    let mut names = MemberNames::new();
    let mut visited: Result<(), Error> = Ok(());
    cur.skip_ws();
    cur.expect(b'{')?;
    cur.skip_ws();
    if cur.peek() == Some(b'}') {
        cur.pos += 1;
    } else {
        loop {
            cur.skip_ws();
            let key = cur.member_name(&mut names)?;
            let value = cur.value(MAX_DEPTH - 1)?;
            if visited.is_ok() {
                visited = visit(key, value);
            }
            cur.skip_ws();
            match cur.next_byte() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(Error::Json),
            }
        }
    }
    cur.end()?;
    visited
}

/// Calls `visit` with each element of an array's text as [`Value::Array`] holds it.
///
/// # Errors
/// [`Error::Json`] for text that is not an array; otherwise the first error `visit` returns.
///
/// ```
/// use jwt_core::json::{self, Value};
/// let mut audiences = 0;
/// json::parse_object(br#"{"aud":["api","admin"]}"#, |_, value| {
///     if let Value::Array(array) = value {
///         json::for_each_element(array, |_| {
///             audiences += 1;
///             Ok(())
///         })?;
///     }
///     Ok(())
/// })?;
/// assert_eq!(audiences, 2);
/// # Ok::<(), jwt_core::Error>(())
/// ```
pub fn for_each_element<'a, F>(array: &'a str, mut visit: F) -> Result<(), Error>
where
    F: FnMut(Value<'a>) -> Result<(), Error>,
{
    let mut cur = Cursor {
        text: array,
        pos: 0,
    };
    cur.expect(b'[')?;
    cur.skip_ws();
    if cur.peek() == Some(b']') {
        return Ok(());
    }
    loop {
        cur.skip_ws();
        visit(cur.value(MAX_DEPTH)?)?;
        cur.skip_ws();
        match cur.next_byte() {
            Some(b',') => continue,
            Some(b']') => return Ok(()),
            _ => return Err(Error::Json),
        }
    }
}

/// A position in a JSON document, and the scanner's steps from it.
#[derive(Clone)]
pub(super) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `input`, which must be UTF-8 and at most
    /// [`MAX_DOCUMENT_LEN`] bytes long (positions in it are kept as `u32`).
    pub(super) fn new(input: &'a [u8]) -> Result<Self, Error> {
        // (Always within bounds on 32-bit targets.)
        if u32::try_from(input.len()).is_err() {
            return Err(Error::Json);
        }
        let text = core::str::from_utf8(input).map_err(|_| Error::Json)?;
        Ok(Cursor { text, pos: 0 })
    }

    /// Succeeds when only whitespace is left.
    pub(super) fn end(&mut self) -> Result<(), Error> {
        self.skip_ws();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Error::Json)
        }
    }

    /// Parses a member name of the top-level object, records it in `names` (refusing a
    /// duplicate), and moves past the `:` after it.
    // Inlined on 64-bit targets, as `string` is: the name read, recorded and handed on
    // without a call. Firmware keeps one copy.
    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn member_name(&mut self, names: &mut MemberNames) -> Result<JsonStr<'a>, Error> {
        let start = self.pos;
        let name = self.member_key()?;
        names.insert(self.text, start, name)?;
        Ok(name)
    }

    /// `text[start..end]`, checked: the scanner only slices at token boundaries, so this
    /// never fails, but a checked slice keeps panic branches out of the verify path.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        self.text.get(start..end).ok_or(Error::Json)
    }

    /// Where the cursor is, in bytes from the start of the document.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor to `pos`, a position [`pos`](Self::pos) returned for the
    /// same document.
    #[cfg(target_pointer_width = "64")]
    pub(super) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The bytes not yet scanned.
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(super) fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    pub(super) fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.next_byte() == Some(byte) {
            Ok(())
        } else {
            Err(Error::Json)
        }
    }

    pub(super) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses one value; `depth` is how many more levels of nesting may be opened.
    pub(super) fn value(&mut self, depth: u32) -> Result<Value<'a>, Error> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b't') => self.literal("true").map(|()| Value::Bool(true)),
            Some(b'f') => self.literal("false").map(|()| Value::Bool(false)),
            Some(b'n') => self.literal("null").map(|()| Value::Null),
            Some(open @ (b'[' | b'{')) => {
                let start = self.pos;
                self.container(depth)?;
                let text = self.slice(start, self.pos)?;
                Ok(if open == b'[' {
                    Value::Array(text)
                } else {
                    Value::Object(text)
                })
            }
            _ => Err(Error::Json),
        }
    }

    /// [`value`](Self::value), with strings and numbers read in place on 64-bit targets: the
    /// values a reader looks at on its way (registered claims) are mostly those, and short.
    #[cfg(target_pointer_width = "64")]
    #[inline]
    pub(super) fn short_value(&mut self, depth: u32) -> Result<Value<'a>, Error> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            _ => self.value(depth),
        }
    }

    /// [`value`](Self::value): firmware keeps one reader of values.
    #[cfg(not(target_pointer_width = "64"))]
    #[inline]
    pub(super) fn short_value(&mut self, depth: u32) -> Result<Value<'a>, Error> {
        self.value(depth)
    }

    pub(super) fn literal(&mut self, word: &str) -> Result<(), Error> {
        if self.rest().starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Error::Json)
        }
    }

    /// Skips one array or object, iteratively: a bit per open level records whether it is an
    /// object, so the stack lives in one integer.
    fn container(&mut self, depth: u32) -> Result<(), Error> {
        let mut objects: u64 = 0;
        let mut level: u32 = 0;
        loop {
            // At the start of a value inside the current container, or of the outermost one.
            match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    if level >= depth || level >= 64 {
                        return Err(Error::Json);
                    }
                    self.pos += 1;
                    level += 1;
                    objects = objects << 1 | u64::from(open == b'{');
                    self.skip_ws();
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        level -= 1;
                        objects >>= 1;
                    } else {
                        if open == b'{' {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                _ => {
                    self.value(0)?;
                }
            }
            // After a complete value: close containers or move to the next element.
            loop {
                if level == 0 {
                    return Ok(());
                }
                self.skip_ws();
                let in_object = objects & 1 == 1;
                match (self.next_byte(), in_object) {
                    (Some(b','), _) => {
                        self.skip_ws();
                        if in_object {
                            self.member_key()?;
                        }
                        break;
                    }
                    (Some(b'}'), true) | (Some(b']'), false) => {
                        level -= 1;
                        objects >>= 1;
                    }
                    _ => return Err(Error::Json),
                }
            }
        }
    }

    /// Parses a member name and the `:` after it, with the whitespace around the colon: the
    /// one reading of `"name" :` for every object, at any depth.
    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn member_key(&mut self) -> Result<JsonStr<'a>, Error> {
        let name = self.string()?;
        self.skip_ws();
        self.expect(b':')?;
        self.skip_ws();
        Ok(name)
    }

    // Inlined on 64-bit targets (gateways): a member name or a claim is one plain run, read
    // by `plain_string` without a call; escapes go to `string_from`. Firmware keeps one copy.
    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(super) fn string(&mut self) -> Result<JsonStr<'a>, Error> {
        self.expect(b'"')?;
        let start = self.pos;
        #[cfg(target_pointer_width = "64")]
        if let Some(plain) = self.plain_string(start) {
            return Ok(plain);
        }
        self.string_from(start)
    }

    /// The string whose opening quote is just before `start`, when it is one plain run (no
    /// escape, no control character), with the cursor moved past its closing quote.
    #[cfg(target_pointer_width = "64")]
    #[inline]
    fn plain_string(&mut self, start: usize) -> Option<JsonStr<'a>> {
        let rest = self.text.as_bytes().get(start..)?;
        let end = plain_run(rest);
        if rest.get(end) != Some(&b'"') {
            return None;
        }
        let raw = self.text.get(start..start + end)?;
        self.pos = start + end + 1;
        Some(JsonStr {
            raw,
            escaped: Escapes::No,
        })
    }

    /// The rest of a string whose opening quote is just before `start`, escapes and all.
    #[cfg_attr(target_pointer_width = "64", inline(never))]
    fn string_from(&mut self, start: usize) -> Result<JsonStr<'a>, Error> {
        let bytes = self.text.as_bytes();
        let mut escaped = Escapes::No;
        loop {
            // Skip the plain run (most strings are all plain) in one tight loop.
            self.pos += plain_run(bytes.get(self.pos..).unwrap_or_default());
            let b = *bytes.get(self.pos).ok_or(Error::Json)?;
            self.pos += 1;
            match b {
                b'"' => {
                    let raw = self.slice(start, self.pos - 1)?;
                    return Ok(JsonStr { raw, escaped });
                }
                b'\\' => {
                    escaped = Escapes::Yes;
                    self.escape()?;
                }
                0x00..=0x1F => return Err(Error::Json),
                _ => {}
            }
        }
    }

    /// Validates the escape after a backslash, including surrogate pairing.
    fn escape(&mut self) -> Result<(), Error> {
        match self.next_byte() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(()),
            Some(b'u') => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        self.expect(b'\\')?;
                        self.expect(b'u')?;
                        match self.hex4()? {
                            0xDC00..=0xDFFF => Ok(()),
                            _ => Err(Error::Json),
                        }
                    }
                    0xDC00..=0xDFFF => Err(Error::Json),
                    _ => Ok(()),
                }
            }
            _ => Err(Error::Json),
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let value = hex4(self.rest()).ok_or(Error::Json)?;
        self.pos += 4;
        Ok(value)
    }

    pub(super) fn number(&mut self) -> Result<&'a str, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next_byte() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Error::Json),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.one_or_more_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.one_or_more_digits()?;
        }
        self.slice(start, self.pos)
    }

    fn digits(&mut self) {
        // On 64-bit targets eight at a time: a date is ten digits.
        #[cfg(target_pointer_width = "64")]
        while let Some(word) = self.rest().first_chunk::<8>() {
            let flags = non_digits(u64::from_le_bytes(*word));
            if flags != 0 {
                self.pos += (flags.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn one_or_more_digits(&mut self) -> Result<(), Error> {
        let before = self.pos;
        self.digits();
        if self.pos == before {
            Err(Error::Json)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::{format, string::String, vec::Vec};

    /// Digits read exactly on both sides of nineteen digits (where the unchecked loop
    /// ends), up to `u64::MAX` and no further; anything but digits is refused.
    #[test]
    fn unsigned_reads_every_u64_and_nothing_more() {
        for n in [
            0,
            7,
            10,
            999_999_999_999_999_999,
            9_999_999_999_999_999_999,
            u64::MAX,
        ] {
            assert_eq!(unsigned(std::format!("{n}").as_bytes()), Some(n), "{n}");
        }
        assert_eq!(unsigned(b"00000000000000000000042"), Some(42));
        for refused in [
            &b""[..],
            b"18446744073709551616",
            b"99999999999999999999",
            b"12a",
            b"-1",
            b"1.5",
            b"/",
            b":",
        ] {
            assert_eq!(unsigned(refused), None, "{refused:?}");
        }
    }

    /// Digits read a word at a time agree with a digit at a time: every length up to 19 (on
    /// both sides of a word), with a byte that is not a digit at every position, among them
    /// the neighbours of `'0'` and `'9'` and bytes whose low nibble would carry.
    #[test]
    fn digits_are_read_alike_a_word_or_a_byte_at_a_time() {
        let scalar = |digits: &[u8]| -> Option<u64> {
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            digits.iter().try_fold(0u64, |acc, &d| {
                acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
        };
        let scalar_run = |bytes: &[u8]| bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let others = [
            b'/', b':', b'.', b'e', b'-', b'+', b' ', b'"', 0x00, 0x3A, 0x3F, 0x40, 0x20, 0x29,
            0xB0, 0xB9, 0xF9, 0xFA, 0xFF,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut digit = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b'0' + (state % 10) as u8
        };
        for len in 0..=19 {
            let mut text = [0u8; 24];
            for _ in 0..40 {
                for byte in text.iter_mut() {
                    *byte = digit();
                }
                assert_eq!(unsigned(&text[..len]), scalar(&text[..len]), "{len}");
                let mut cur = Cursor {
                    text: core::str::from_utf8(&text).unwrap(),
                    pos: 0,
                };
                cur.digits();
                assert_eq!(cur.pos, text.len());
                for at in 0..len {
                    for &other in &others {
                        let mut probe = text;
                        probe[at] = other;
                        assert_eq!(unsigned(&probe[..len]), None, "{len} {at} {other:#x}");
                        // The scanner's text is UTF-8: bytes above 0x7F in a run of their own.
                        if other < 0x80 {
                            let mut cur = Cursor {
                                text: core::str::from_utf8(&probe[..len]).unwrap(),
                                pos: 0,
                            };
                            cur.digits();
                            assert_eq!(cur.pos, scalar_run(&probe[..len]), "{len} {at}");
                        }
                    }
                }
            }
        }
        for (text, run) in [
            ("1234567\u{e9}", 7),
            ("12345678\u{ffff}9", 8),
            ("123456789\u{1F600}", 9),
            ("\u{fa}12345678", 0),
        ] {
            let mut cur = Cursor { text, pos: 0 };
            cur.digits();
            assert_eq!(cur.pos, run, "{text}");
        }
        for n in [
            12_345_678,
            99_999_999,
            1_700_000_000,
            9_999_999_999_999_999_999,
        ] {
            let text = std::format!("{n}");
            assert_eq!(unsigned(text.as_bytes()), Some(n));
            assert!(is_number(&text));
        }
    }

    /// A string read as one plain run and one read escape by escape come out alike: a
    /// quote, backslash escape or control character at every offset of a name and of a
    /// value, which start at different offsets in the word.
    #[test]
    fn strings_read_alike_whatever_ends_their_plain_run() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            for (special, expected) in [
                ("\"", None),
                ("\\n", Some("\n")),
                ("\\u00e9", Some("\u{e9}")),
                ("\\\"", Some("\"")),
                ("\t", None),
                ("\u{1f}", None),
                ("\u{7f}", Some("\u{7f}")),
                ("\u{e9}", Some("\u{e9}")),
            ] {
                for at in 0..=len {
                    let raw = std::format!("{}{special}{}", &plain[..at], &plain[at..]);
                    for json in [
                        std::format!("{{\"{raw}\":1}}"),
                        std::format!("{{\"x\":\"{raw}\"}}"),
                    ] {
                        let mut got = Vec::new();
                        let read = parse_object(json.as_bytes(), |name, value| {
                            let s = match value {
                                Value::String(s) => s,
                                _ => name,
                            };
                            got.push(s.chars().collect::<String>());
                            Ok(())
                        });
                        match expected {
                            Some(middle) => {
                                assert_eq!(read, Ok(()), "{json}");
                                let want = std::format!("{}{middle}{}", &plain[..at], &plain[at..]);
                                assert_eq!(got, [want], "{json}");
                            }
                            // A bare quote ends the string early, leaving text that is
                            // not JSON; a control character must be escaped.
                            None => assert_eq!(read, Err(Error::Json), "{json}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn plain_run_stops_at_the_first_special_byte_at_any_offset() {
        let scalar = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len())
        };
        // Fillers around the edges of each test: just above a control character, just
        // around the quote and backslash, and bytes with the high bit set.
        let fillers = [b' ', b'!', b'#', b'[', b']', b'a', 0x7F, 0x80, 0xE2, 0xFF];
        let specials = [b'"', b'\\', 0x00, 0x01, 0x0A, 0x1F];
        let mut buf = [0u8; 40];
        for len in 0..buf.len() {
            for (k, &filler) in fillers.iter().enumerate() {
                for (i, byte) in buf.iter_mut().enumerate() {
                    *byte = fillers[(k + i * 7) % fillers.len()].max(filler & 0x80);
                }
                assert_eq!(plain_run(&buf[..len]), scalar(&buf[..len]));
                for at in 0..len {
                    for &special in &specials {
                        let mut probe = buf;
                        probe[at] = special;
                        // A second special later must not matter.
                        if at + 3 < len {
                            probe[at + 3] = b'"';
                        }
                        assert_eq!(plain_run(&probe[..len]), at, "len {len} at {at}");
                        assert_eq!(scalar(&probe[..len]), at);
                    }
                }
            }
        }
    }

    fn members(json: &str) -> Result<usize, Error> {
        let mut n = 0;
        parse_object(json.as_bytes(), |_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    #[test]
    fn accepts_well_formed_objects() {
        assert_eq!(members("{}"), Ok(0));
        assert_eq!(
            members(" {\"a\" : 1 , \"b\":[1,{\"c\":[]},\"x\"]}\r\n"),
            Ok(2)
        );
        assert_eq!(
            members(r#"{"a":-0.5e+10,"b":true,"c":false,"d":null,"e":{}}"#),
            Ok(5)
        );
        assert_eq!(members(r#"{"\ud83d\ude00":"\u00e9\n"}"#), Ok(1));
    }

    #[test]
    fn refuses_malformed_json() {
        for bad in [
            "",
            "[]",
            "\"a\"",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":[1,]}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":+1}",
            "{\"a\":tru}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":1}x",
            "{\"a\":1}{}",
            "{a:1}",
            "{\"a\":[}",
            "{\"a\":{\"b\"}}",
            "{\"a\":[1 2]}",
            "{\"a\":{\"b\":1 \"c\":2}}",
            "{\"a\":\"\\u12\"}",
            "{'a':1}",
        ] {
            assert_eq!(members(bad), Err(Error::Json), "{bad:?}");
        }
        assert_eq!(
            parse_object(b"{\"a\":\"\xff\"}", |_, _| Ok(())),
            Err(Error::Json)
        );
    }

    #[test]
    fn refuses_duplicates_after_unescaping() {
        assert_eq!(members(r#"{"alg":1,"alg":2}"#), Err(Error::Json));
        assert_eq!(members(r#"{"alg":1,"\u0061lg":2}"#), Err(Error::Json));
        assert_eq!(members(r#"{"a":{"x":1},"b":{"x":1}}"#), Ok(2));
    }

    #[test]
    fn bounds_depth_and_member_count() {
        let mut deep = [0u8; 200];
        let mut len = 0;
        let mut push = |s: &[u8]| {
            deep[len..len + s.len()].copy_from_slice(s);
            len += s.len();
        };
        push(b"{\"a\":");
        for _ in 0..MAX_DEPTH - 1 {
            push(b"[");
        }
        for _ in 0..MAX_DEPTH - 1 {
            push(b"]");
        }
        push(b"}");
        assert!(parse_object(&deep[..len], |_, _| Ok(())).is_ok());

        let mut deeper = [0u8; 200];
        deeper[..5].copy_from_slice(b"{\"a\":");
        let n = MAX_DEPTH as usize;
        deeper[5..5 + n].fill(b'[');
        deeper[5 + n..5 + 2 * n].fill(b']');
        deeper[5 + 2 * n] = b'}';
        assert_eq!(
            parse_object(&deeper[..6 + 2 * n], |_, _| Ok(())),
            Err(Error::Json)
        );
    }

    #[test]
    fn long_names_far_into_the_document_are_compared_in_full() {
        // A 40 KiB name, then the same name again: refused; a name differing in its last
        // byte: accepted.
        let name = "n".repeat(40 * 1024);
        let twice = format!("{{\"{name}\":1,\"x\":2,\"{name}\":3}}");
        assert_eq!(members(&twice), Err(Error::Json));
        let other = format!("{{\"{name}\":1,\"x\":2,\"{name}m\":3}}");
        assert_eq!(members(&other), Ok(3));
    }

    #[test]
    fn every_pair_of_names_is_told_apart() {
        // 64 short names: whatever their hashes share, a repeat of any one of them is found,
        // in any position, and distinct names are never taken for repeats.
        let names: Vec<String> = (0..MAX_MEMBERS)
            .map(|i| format!("{}{}", (b'a' + (i % 26) as u8) as char, i / 26))
            .collect();
        let object = |names: &[&str]| {
            let members: Vec<_> = names.iter().map(|n| format!("\"{n}\":0")).collect();
            format!("{{{}}}", members.join(","))
        };
        let all: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        assert_eq!(members(&object(&all)), Ok(MAX_MEMBERS));
        let mut too_many = all.clone();
        too_many.push("zz");
        assert_eq!(members(&object(&too_many)), Err(Error::Json));
        for repeat in 0..MAX_MEMBERS {
            let mut names = all[..MAX_MEMBERS - 1].to_vec();
            names.push(all[repeat % (MAX_MEMBERS - 1)]);
            assert_eq!(
                members(&object(&names)),
                Err(Error::Json),
                "repeat of {repeat}"
            );
        }
        // An escaped spelling of an earlier plain name, and the other way round.
        assert_eq!(
            members(r#"{"sub":1,"iss":2,"s\u0075b":3}"#),
            Err(Error::Json)
        );
        assert_eq!(
            members(r#"{"s\u0075b":1,"iss":2,"sub":3}"#),
            Err(Error::Json)
        );
        assert_eq!(members(r#"{"s\u0075b":1,"iss":2,"sud":3}"#), Ok(3));
    }

    #[test]
    fn duplicates_are_found_whatever_the_spelling_and_order() {
        // Names over a small alphabet, each letter spelled plainly or as an escape, so that
        // equal names often have different spellings and hashes often collide; every
        // object is judged against a set of the unescaped names.
        let letters = ["a", "b", "\u{e9}", "/", "\u{1F600}", "\u{1F601}"];
        let spell = |name: &[usize], seed: u64| -> String {
            let mut out = String::new();
            for (i, &l) in name.iter().enumerate() {
                let escape = (seed >> (i % 64)) & 1 == 1;
                out.push_str(match (letters[l], escape) {
                    ("a", true) => "\\u0061",
                    ("b", true) => "\\u0062",
                    ("\u{e9}", true) => "\\u00E9",
                    ("\u{1F600}", true) => "\\ud83d\\ude00",
                    ("\u{1F601}", true) => "\\uD83D\\uDE01",
                    ("/", true) => "\\/",
                    (plain, _) => plain,
                });
            }
            out
        };
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let count = 1 + (next() % MAX_MEMBERS as u64) as usize;
            let mut seen = std::collections::HashSet::new();
            let mut duplicate = false;
            let mut object = Vec::new();
            for _ in 0..count {
                let len = (next() % 4) as usize;
                let name: Vec<usize> = (0..len)
                    .map(|_| (next() % letters.len() as u64) as usize)
                    .collect();
                duplicate |= !seen.insert(name.clone());
                object.push(format!("\"{}\":0", spell(&name, next())));
            }
            let json = format!("{{{}}}", object.join(","));
            let expected = if duplicate {
                Err(Error::Json)
            } else {
                Ok(count)
            };
            assert_eq!(members(&json), expected, "{json}");
        }
    }

    #[test]
    fn documents_over_64_kib_are_read_whatever_their_member_order() {
        let long = "x".repeat(70 * 1024);
        for json in [
            format!(r#"{{"keys":["{long}"],"other":1}}"#),
            format!(r#"{{"other":1,"keys":["{long}"]}}"#),
            format!(r#"{{"{long}":1,"other":1,"keys":2}}"#),
            format!(r#"{{"other":1,"{long}":1,"\u006fther":2}}"#),
        ] {
            let expected = if json.contains("u006f") {
                Err(Error::Json)
            } else {
                Ok(if json.contains("\"keys\":2") { 3 } else { 2 })
            };
            assert_eq!(members(&json), expected);
        }
    }

    #[test]
    fn syntax_errors_take_precedence_over_the_visitor() {
        let refuse_all = |_: JsonStr<'_>, _: Value<'_>| Err(Error::InvalidKey);
        assert_eq!(
            parse_object(br#"{"a":1,"b":2}"#, refuse_all),
            Err(Error::InvalidKey)
        );
        assert_eq!(
            parse_object(br#"{"a":1,"b":}"#, refuse_all),
            Err(Error::Json)
        );
        assert_eq!(parse_object(br#"{"a":1} x"#, refuse_all), Err(Error::Json));
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#, refuse_all),
            Err(Error::Json)
        );
    }

    #[test]
    fn bytes_are_the_utf8_of_the_unescaped_text() {
        let strings = [
            r#"plain"#,
            r#"\"\\\/\b\f\n\r\t"#,
            r#"\u0000\u0001\u001f\u007f"#,
            r#"\u0080\u00e9\u07ff\u0800\u20ac\ud7ff\ue000\ufffd\uffff"#,
            r#"\ud800\udc00\ud83d\ude00\udbff\udfff"#,
            r#"caf\u00e9 and café, 😀 and \ud83d\ude00"#,
            r#"\u0041\u00410\u00e9e"#,
        ];
        for raw in strings {
            let json = format!("{{\"s\":\"{raw}\"}}");
            let mut got = None;
            parse_object(json.as_bytes(), |_, v| {
                got = Some(v);
                Ok(())
            })
            .unwrap();
            let Some(Value::String(s)) = got else {
                panic!("not a string")
            };
            let expected: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            let bytes: Vec<u8> = s.bytes().collect();
            assert_eq!(bytes, expected.as_bytes(), "{raw}");
            assert_eq!(s.chars().collect::<String>(), expected, "{raw}");
            assert_eq!(s.len(), expected.len(), "{raw}");
            assert!(s == expected.as_str(), "{raw}");
            assert!(
                s.eq_ignore_ascii_case(&expected.to_ascii_uppercase()),
                "{raw}"
            );
        }
    }

    #[test]
    fn json_str_unescapes_for_comparison() {
        let mut got = None;
        parse_object(br#"{"iss":"https:\/\/a\u00e9\ud83d\ude00"}"#, |_, v| {
            got = Some(v);
            Ok(())
        })
        .unwrap();
        let Some(Value::String(s)) = got else {
            panic!("not a string")
        };
        assert!(s == "https://a\u{e9}\u{1F600}");
        assert!(s != "https://a");
        assert_eq!(s.len(), "https://a\u{e9}\u{1F600}".len());
    }
}
