//! The registered claims of a claims set (RFC 7519 section 4.1), read for validation.

use crate::claim::ClaimSet;
use crate::json::{self, JsonStr, Value};
use crate::{Claim, Error};

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
    fn from_number(number: &str) -> Option<Self> {
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

/// `aud`: one string or a non-empty array of strings.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience<'a> {
    One(JsonStr<'a>),
    /// The array's JSON text; every element is known to be a string.
    Many(&'a str),
}

impl Audience<'_> {
    /// Calls `f` with each audience.
    pub(crate) fn for_each(&self, mut f: impl FnMut(JsonStr<'_>)) {
        match *self {
            Audience::One(aud) => f(aud),
            Audience::Many(array) => {
                // The array was validated when the claims were read; errors cannot occur.
                let _ = json::for_each_element(array, |value| {
                    if let Value::String(aud) = value {
                        f(aud);
                    }
                    Ok(())
                });
            }
        }
    }

    /// Whether any audience in the claim equals any of `accepted`.
    pub(crate) fn contains_any(&self, accepted: &[&str]) -> bool {
        let mut found = false;
        self.for_each(|aud| found |= accepted.iter().any(|a| aud == *a));
        found
    }
}

/// The registered claims of one claims set, each checked for its JSON type.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Registered<'a> {
    pub exp: Option<NumericDate>,
    pub nbf: Option<NumericDate>,
    pub iat: Option<NumericDate>,
    pub iss: Option<JsonStr<'a>>,
    pub sub: Option<JsonStr<'a>>,
    pub jti: Option<JsonStr<'a>>,
    pub client_id: Option<JsonStr<'a>>,
    pub nonce: Option<JsonStr<'a>>,
    pub azp: Option<JsonStr<'a>>,
    pub auth_time: Option<NumericDate>,
    pub aud: Option<Audience<'a>>,
    /// `cnf`: the object's JSON text, braces included.
    pub cnf: Option<&'a str>,
    /// The claims recorded, kept beside the fields by `record` (smaller code than deriving
    /// the set from the fields when it is checked).
    pub present: ClaimSet,
}

impl<'a> Registered<'a> {
    /// Reads a claims set: a JSON object without duplicate members whose registered claims
    /// have their registered types. A claim of the wrong type is an error, never "absent"
    /// (V-C5, CVE-2026-25537); so is `null`.
    pub(crate) fn parse(json: &'a [u8]) -> Result<Self, Error> {
        let mut claims = Registered::default();
        json::parse_object(json, |name, value| match registered(name) {
            Some(claim) => claims.record(claim, value),
            None => Ok(()),
        })?;
        Ok(claims)
    }

    /// Records the value of the registered claim `claim`, checking its type.
    // Inlined into the claims reader on 64-bit targets, where the value then stays in
    // registers; firmware keeps one copy.
    #[cfg_attr(target_pointer_width = "64", inline)]
    pub(crate) fn record(&mut self, claim: Claim, value: Value<'a>) -> Result<(), Error> {
        let bad = Error::InvalidClaim(claim);
        match claim {
            Claim::Exp | Claim::Nbf | Claim::Iat | Claim::AuthTime => {
                let Value::Number(n) = value else {
                    return Err(bad);
                };
                let date = NumericDate::from_number(n).ok_or(bad)?;
                *match claim {
                    Claim::Exp => &mut self.exp,
                    Claim::Nbf => &mut self.nbf,
                    Claim::Iat => &mut self.iat,
                    _ => &mut self.auth_time,
                } = Some(date);
            }
            Claim::Iss | Claim::Sub | Claim::Jti | Claim::ClientId | Claim::Nonce | Claim::Azp => {
                let Value::String(s) = value else {
                    return Err(bad);
                };
                *match claim {
                    Claim::Iss => &mut self.iss,
                    Claim::Sub => &mut self.sub,
                    Claim::Jti => &mut self.jti,
                    Claim::ClientId => &mut self.client_id,
                    Claim::Nonce => &mut self.nonce,
                    _ => &mut self.azp,
                } = Some(s);
            }
            Claim::Aud => self.aud = Some(audience(value).ok_or(bad)?),
            // RFC 7800 section 3.1: the confirmation is an object of confirmation methods.
            Claim::Cnf => {
                let Value::Object(cnf) = value else {
                    return Err(bad);
                };
                self.cnf = Some(cnf);
            }
            // A header parameter, never returned by `registered`.
            Claim::Typ => return Ok(()),
        }
        self.present.insert(claim);
        Ok(())
    }
}

/// The registered claim `name` stands for, if any (`typ` is a header parameter, not a claim).
// Inlined on 64-bit targets, as `Registered::record` is.
#[cfg_attr(target_pointer_width = "64", inline)]
pub(crate) fn registered(name: JsonStr<'_>) -> Option<Claim> {
    let plain = name.as_str().map(str::as_bytes);
    Claim::REGISTERED.into_iter().find(|&c| match plain {
        // Names are short: compare plain ones inline rather than through `memcmp`.
        Some(plain) => {
            let known = c.name().as_bytes();
            known.len() == plain.len() && known.iter().zip(plain).all(|(a, b)| a == b)
        }
        None => name == c.name(),
    })
}

fn audience(value: Value<'_>) -> Option<Audience<'_>> {
    match value {
        Value::String(s) => Some(Audience::One(s)),
        Value::Array(array) => {
            let mut count = 0usize;
            json::for_each_element(array, |element| match element {
                Value::String(_) => {
                    count += 1;
                    Ok(())
                }
                _ => Err(Error::Json),
            })
            .ok()?;
            (count > 0).then_some(Audience::Many(array))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls `check` with the name of the one member of `{"<name>":1}`, as the scanner
    /// returns it (`name` is inserted as raw JSON, escapes included).
    fn name_of(name: &str, check: impl FnOnce(JsonStr<'_>)) {
        let mut doc = [0u8; 32];
        let parts: [&[u8]; 3] = [b"{\"", name.as_bytes(), b"\":1}"];
        let mut len = 0;
        for part in parts {
            doc[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        let mut check = Some(check);
        json::parse_object(&doc[..len], |name, _| {
            (check.take().unwrap())(name);
            Ok(())
        })
        .unwrap();
        assert!(check.is_none(), "the object has one member");
    }

    #[test]
    fn registered_names_are_found_plain_or_escaped() {
        for claim in Claim::REGISTERED {
            name_of(claim.name(), |name| {
                assert_eq!(registered(name), Some(claim));
            });
        }
        name_of("\\u0065xp", |name| {
            assert_eq!(registered(name), Some(Claim::Exp))
        });
        name_of("client\\u005fid", |name| {
            assert_eq!(registered(name), Some(Claim::ClientId))
        });
        for other in [
            "ex",
            "expp",
            "EXP",
            "typ",
            "scope",
            "client_i",
            "client_idx",
            "clientid",
        ] {
            name_of(other, |name| {
                assert_eq!(registered(name), None, "{other}");
            });
        }
    }

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

    #[test]
    fn wrong_types_are_errors_not_absent() {
        for (json, claim) in [
            (r#"{"exp":"1700000000"}"#, Claim::Exp),
            (r#"{"exp":null}"#, Claim::Exp),
            (r#"{"nbf":true}"#, Claim::Nbf),
            (r#"{"iat":[1]}"#, Claim::Iat),
            (r#"{"iss":1}"#, Claim::Iss),
            (r#"{"sub":{}}"#, Claim::Sub),
            (r#"{"jti":null}"#, Claim::Jti),
            (r#"{"aud":[]}"#, Claim::Aud),
            (r#"{"aud":["a",1]}"#, Claim::Aud),
            (r#"{"aud":{"a":1}}"#, Claim::Aud),
            (r#"{"cnf":"jkt"}"#, Claim::Cnf),
            (r#"{"cnf":null}"#, Claim::Cnf),
            (r#"{"cnf":[{"jkt":"a"}]}"#, Claim::Cnf),
        ] {
            assert_eq!(
                Registered::parse(json.as_bytes()).unwrap_err(),
                Error::InvalidClaim(claim),
                "{json}"
            );
        }
    }

    #[test]
    fn audiences_match_after_unescaping() {
        let claims = Registered::parse(br#"{"aud":["x","https:\/\/api"]}"#).unwrap();
        let aud = claims.aud.unwrap();
        assert!(aud.contains_any(&["https://api"]));
        assert!(!aud.contains_any(&["https://ap", "y"]));
    }
}
