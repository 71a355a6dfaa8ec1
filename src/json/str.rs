//! [`JsonStr`]: a string of the input, still escaped, compared and iterated unescaped.

/// A JSON string as it appears in the input, between its quotes and still escaped.
///
/// Its escapes are known to be valid. Comparisons and [`chars`](JsonStr::chars) see the
/// unescaped text, so `"https:\/\/a"` equals `"https://a"` (checklist V-P9, V-C7).
///
/// ```
/// let mut buf = [0u8; 64];
/// let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImtcL1x1MDAzMSJ9.e30.c2ln";
/// let header = jwt_core::decode_header(token, &mut buf).unwrap();
/// let kid = header.kid.unwrap();
/// assert_eq!(kid.raw(), r"k\/\u0031");
/// assert!(kid == "k/1");
/// assert_eq!(kid.as_str(), None); // escaped: compare or iterate instead
/// ```
#[derive(Clone, Copy, Debug)]
pub struct JsonStr<'a> {
    pub(super) raw: &'a str,
    /// Whether `raw` holds an escape sequence, recorded by the scanner.
    pub(super) escaped: Escapes,
}

/// Whether a string's raw text holds an escape sequence.
///
/// A whole word wide rather than a `bool`, so that a [`JsonStr`] (three words) and a
/// `Result<JsonStr, Error>` have no padding. The scanner returns such a result for every
/// member name; with a `bool`, the compiler copied the padding bytes around the flag with
/// overlapping moves, whose loads stall on the stores just made, and that cost about a tenth
/// of an HS256 verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub(super) enum Escapes {
    No = 0,
    Yes = 1,
}

impl<'a> JsonStr<'a> {
    #[cfg(feature = "jwk")]
    pub(crate) const EMPTY: JsonStr<'static> = JsonStr {
        raw: "",
        escaped: Escapes::No,
    };

    /// The string exactly as it appears in the JSON text, escapes included.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The string itself when it contains no escape sequence, `None` otherwise.
    pub fn as_str(&self) -> Option<&'a str> {
        match self.escaped {
            Escapes::No => Some(self.raw),
            Escapes::Yes => None,
        }
    }

    /// The UTF-8 bytes of the unescaped string.
    ///
    /// ```
    /// let mut buf = [0u8; 64];
    /// // {"alg":"HS256","kid":"caf\u00e9\/1"}
    /// let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImNhZlx1MDBlOVwvMSJ9.e30.c2ln";
    /// let kid = jwt_core::decode_header(token, &mut buf).unwrap().kid.unwrap();
    /// assert!(kid.bytes().eq("café/1".bytes()));
    /// ```
    pub fn bytes(&self) -> Bytes<'a> {
        Bytes {
            rest: self.raw.as_bytes(),
            pending: 0,
        }
    }

    /// The unescaped characters of the string.
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            rest: self.raw.as_bytes(),
            raw: self.raw,
        }
    }

    /// Whether the unescaped string equals `other`, ignoring ASCII case.
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.bytes()
            .map(|b| b.to_ascii_lowercase())
            .eq(other.bytes().map(|b| b.to_ascii_lowercase()))
    }

    /// Unescaped length in bytes of UTF-8.
    pub fn len(&self) -> usize {
        match self.as_str() {
            Some(s) => s.len(),
            None => self.bytes().count(),
        }
    }

    /// Whether the unescaped string is empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        match self.as_str() {
            Some(s) => s == other,
            None => self.bytes().eq(other.bytes()),
        }
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq for JsonStr<'_> {
    fn eq(&self, other: &JsonStr<'_>) -> bool {
        match (self.as_str(), other.as_str()) {
            (Some(a), Some(b)) => a == b,
            _ => self.bytes().eq(other.bytes()),
        }
    }
}

impl core::fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        self.chars().try_for_each(|c| f.write_char(c))
    }
}

/// Iterator over the UTF-8 bytes of the unescaped text of a [`JsonStr`].
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    rest: &'a [u8],
    /// The bytes of an escaped character still to come, the next in the low byte: the
    /// continuation bytes of UTF-8 are never zero, so zero means none.
    pending: u32,
}

impl Iterator for Bytes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending != 0 {
            let byte = self.pending as u8;
            self.pending >>= 8;
            return Some(byte);
        }
        let (&first, tail) = self.rest.split_first()?;
        self.rest = tail;
        if first != b'\\' {
            return Some(first);
        }
        let code = unescape(&mut self.rest)?;
        Some(self.utf8(code))
    }
}

impl<'a> Bytes<'a> {
    /// The unescaped bytes of string text from `rest` (valid string content of a scanned
    /// document, from any point outside an escape), read with
    /// [`next_in_string`](Self::next_in_string).
    pub(super) fn new(rest: &'a [u8]) -> Self {
        Bytes { rest, pending: 0 }
    }

    /// The next byte, or `None` at the closing quote.
    pub(super) fn next_in_string(&mut self) -> Option<u8> {
        if self.pending == 0 && self.rest.first() == Some(&b'"') {
            return None;
        }
        self.next()
    }

    /// The first byte of the UTF-8 encoding of `code` (a scalar value), keeping the others
    /// in `pending`.
    fn utf8(&mut self, code: u32) -> u8 {
        let (lead, continuations) = match code {
            0..0x80 => (code, 0),
            0x80..0x800 => (0xC0 | code >> 6, 1),
            0x800..0x10000 => (0xE0 | code >> 12, 2),
            _ => (0xF0 | code >> 18, 3),
        };
        self.pending = 0;
        for i in 0..continuations {
            let bits = code >> (6 * (continuations - 1 - i)) & 0x3F;
            self.pending |= (0x80 | bits) << (8 * i);
        }
        lead as u8
    }
}

/// Iterator over the unescaped characters of a [`JsonStr`].
#[derive(Clone, Debug)]
pub struct Chars<'a> {
    rest: &'a [u8],
    raw: &'a str,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let (&first, tail) = self.rest.split_first()?;
        if first != b'\\' {
            // The input is valid UTF-8: decode one character from the remaining text.
            let offset = self.raw.len() - self.rest.len();
            let c = self.raw.get(offset..)?.chars().next()?;
            self.rest = self.rest.get(c.len_utf8()..)?;
            return Some(c);
        }
        self.rest = tail;
        char::from_u32(unescape(&mut self.rest)?)
    }
}

/// Decodes the escape sequence whose backslash has just been read (the scanner validated it,
/// surrogate pairs included), moving `rest` past it: its Unicode scalar value. The one
/// decoder of escapes, under both iterators.
fn unescape(rest: &mut &[u8]) -> Option<u32> {
    let (&kind, tail) = rest.split_first()?;
    *rest = tail;
    Some(match kind {
        b'b' => 0x08,
        b'f' => 0x0C,
        b'n' => 0x0A,
        b'r' => 0x0D,
        b't' => 0x09,
        b'u' => {
            let unit = hex4(rest)?;
            *rest = rest.get(4..)?;
            if (0xD800..0xDC00).contains(&unit) {
                // A high surrogate: the scanner checked that `\u` and a low one follow.
                let low = hex4(rest.get(2..)?)?;
                *rest = rest.get(6..)?;
                0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF)
            } else {
                unit
            }
        }
        // `"`, `\` and `/` stand for themselves.
        other => u32::from(other),
    })
}

pub(super) fn hex4(bytes: &[u8]) -> Option<u32> {
    let digits = bytes.get(..4)?;
    digits.iter().try_fold(0u32, |acc, &b| {
        let d = (b as char).to_digit(16)?;
        Some(acc << 4 | d)
    })
}
