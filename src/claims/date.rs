//! NumericDate (RFC 7519 section 2): how `exp`, `nbf`, `iat` and `auth_time` are read.

use crate::json;

/// A NumericDate (RFC 7519 section 2), read exactly from a JSON number: whole seconds, and
/// whether a fraction followed. The rule `exp`, `nbf`, `iat` and `auth_time` are read by.
///
/// ```
/// use jwt_core::NumericDate;
/// let date = NumericDate::parse("1.7000000005e9").unwrap();
/// assert_eq!((date.floor(), date.ceil(), date.is_integer()), (1_700_000_000, 1_700_000_001, false));
/// assert_eq!(NumericDate::parse("17e8").unwrap().floor(), 1_700_000_000);
/// assert_eq!(NumericDate::parse("-1"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumericDate {
    secs: u64,
    fractional: bool,
}

impl NumericDate {
    /// Reads `number`, the text of a JSON number, exactly; `None` for text that is not a JSON
    /// number and for dates the claims rules refuse (negative, over `i64::MAX` seconds).
    pub fn parse(number: &str) -> Option<Self> {
        json::is_number(number)
            .then(|| Self::from_number(number))
            .flatten()
    }

    /// Parses a validated JSON number, in any of its spellings (`1700000000`,
    /// `1700000000.5`, `1.7e9`, `17E+8`), exactly: no rounding through floating point.
    /// Refuses negatives and values over `i64::MAX` seconds (checklist V-C5). Linear in the
    /// text: an exponent far beyond any date is refused without expanding it.
    pub(crate) fn from_number(number: &str) -> Option<Self> {
        let bytes = number.as_bytes();
        // Almost every date is a plain integer: read those in one loop.
        if let Some(secs) = json::unsigned(bytes) {
            return (secs <= i64::MAX as u64).then_some(NumericDate {
                secs,
                fractional: false,
            });
        }
        if bytes.first() == Some(&b'-') {
            return None;
        }
        // The exponent, saturating far above the length of any document.
        let mut exponent = 0i64;
        let mut mantissa = bytes;
        if let Some(e) = bytes.iter().position(|&b| b | 0x20 == b'e') {
            mantissa = bytes.get(..e)?;
            let mut sign = 1;
            for &b in bytes.get(e + 1..)? {
                match b {
                    b'-' => sign = -1,
                    b'+' => {}
                    digit => {
                        exponent =
                            (exponent * 10 + i64::from(digit.wrapping_sub(b'0'))).min(1 << 40)
                    }
                }
            }
            exponent *= sign;
        }
        // The first `point` digits of the mantissa are whole seconds, the rest a fraction.
        let dot = mantissa.iter().position(|&b| b == b'.');
        let point = dot.unwrap_or(mantissa.len()) as i64 + exponent;
        let (mut secs, mut fractional, mut index) = (0u64, false, 0i64);
        for &b in mantissa {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                continue;
            }
            if index < point {
                secs = secs.checked_mul(10)?.checked_add(u64::from(digit))?;
            } else {
                fractional |= digit != 0;
            }
            index += 1;
        }
        // Zeros the exponent adds after the digits: nonzero seconds overflow within twenty.
        if secs != 0 {
            for _ in index..point {
                secs = secs.checked_mul(10)?;
            }
        }
        (secs <= i64::MAX as u64).then_some(NumericDate { secs, fractional })
    }

    /// The first whole second at or after the date. With an integer clock, `now >= t` holds
    /// exactly when `now >= ceil(t)`, so comparisons against `ceil` are exact.
    pub fn ceil(self) -> u64 {
        self.secs + u64::from(self.fractional)
    }

    /// The last whole second at or before the date.
    pub fn floor(self) -> u64 {
        self.secs
    }

    /// Whether the date is a whole number of seconds.
    pub fn is_integer(self) -> bool {
        !self.fractional
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_dates() {
        let d = NumericDate::parse("1300819380").unwrap();
        assert_eq!(
            (d.floor(), d.ceil(), d.is_integer()),
            (1300819380, 1300819380, true)
        );
        let d = NumericDate::parse("1300819380.25").unwrap();
        assert_eq!(
            (d.floor(), d.ceil(), d.is_integer()),
            (1300819380, 1300819381, false)
        );
        assert_eq!(NumericDate::parse("5.000").unwrap().ceil(), 5);
        assert!(NumericDate::parse("0").is_some());
        for bad in [
            "-1",
            "-0",
            "-1e-9",
            "9223372036854775808",
            "18446744073709551616",
            "9.223372036854775808e18",
            "1e19",
            "1e999999999999",
            "1E+99999999999999999999999",
            // Not JSON numbers.
            "",
            "1a2",
            " 1",
            "01",
            "1.",
            ".5",
            "+1",
        ] {
            assert_eq!(NumericDate::parse(bad), None, "{bad}");
        }
        assert!(NumericDate::parse("9223372036854775807").is_some());
    }

    #[test]
    fn numeric_dates_in_every_json_spelling_are_exact() {
        let date = |text: &str| NumericDate::parse(text).map(|d| (d.floor(), d.is_integer()));
        for (text, expected) in [
            ("1.7e9", (1_700_000_000, true)),
            ("1.7E9", (1_700_000_000, true)),
            ("17e+8", (1_700_000_000, true)),
            ("1700000000e0", (1_700_000_000, true)),
            ("17000000000e-1", (1_700_000_000, true)),
            ("17000000005e-1", (1_700_000_000, false)),
            ("1.7000000001e9", (1_700_000_000, false)),
            ("1.70000000010e9", (1_700_000_000, false)),
            ("0.17e10", (1_700_000_000, true)),
            ("0e999999999999", (0, true)),
            ("0.000e5", (0, true)),
            ("5e-999999999999", (0, false)),
            ("9.223372036854775807e18", (i64::MAX as u64, true)),
        ] {
            assert_eq!(date(text), Some(expected), "{text}");
        }
        // Whatever the spelling, the comparison is that of the exact value.
        for text in [
            "1699999999.9999999999999999",
            "16999999999999999999999999e-16",
        ] {
            let d = NumericDate::parse(text).unwrap();
            assert_eq!(
                (d.floor(), d.ceil()),
                (1_699_999_999, 1_700_000_000),
                "{text}"
            );
        }
    }
}
