//! The registered claims of a claims set (RFC 7519 section 4.1): read once, type-checked,
//! validated, and handed to the caller as [`RegisteredClaims`].

use serde::de::Deserialize;

use super::{Claim, ClaimSet, NumericDate};
use crate::error::Error;
use crate::json::de::{self, Observer};
use crate::json::{self, JsonStr, Value};

/// `aud`: one string or a non-empty array of strings, compared after unescaping.
///
/// ```
/// # fn main() -> Result<(), jwt_core::Error> {
/// let claims = jwt_core::RegisteredClaims::parse(br#"{"aud":["web","https:\/\/api"]}"#)?;
/// let aud = claims.audience().unwrap();
/// assert!(aud.contains("https://api"));
/// let mut count = 0;
/// aud.for_each(|_| count += 1);
/// assert_eq!(count, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a>(Audiences<'a>);

#[derive(Debug, Clone, Copy)]
enum Audiences<'a> {
    One(JsonStr<'a>),
    /// The array's JSON text; every element is known to be a string.
    Many(&'a str),
}

impl Audience<'_> {
    /// Calls `f` with each audience, in order.
    pub fn for_each(&self, mut f: impl FnMut(JsonStr<'_>)) {
        match self.0 {
            Audiences::One(aud) => f(aud),
            Audiences::Many(array) => {
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

    /// Whether `audience` is one of the audiences.
    pub fn contains(&self, audience: &str) -> bool {
        self.contains_any(&[audience])
    }

    /// Whether any audience in the claim equals any of `accepted`.
    pub(crate) fn contains_any(&self, accepted: &[&str]) -> bool {
        let mut found = false;
        self.for_each(|aud| found |= accepted.iter().any(|a| aud == *a));
        found
    }
}

/// The registered claims of one claims set (RFC 7519 section 4.1, and the OAuth and OpenID
/// Connect claims validation knows), each read once and checked for its JSON type, beside
/// the JSON text of the whole set. [`verify_claims`](crate::verify_claims) returns them once
/// the token is verified and validated, so a caller reads no claim twice.
///
/// Strings are [`JsonStr`]s: compared and iterated unescaped, borrowed from the payload.
///
/// ```
/// # fn main() -> Result<(), jwt_core::Error> {
/// use jwt_core::RegisteredClaims;
/// let claims = RegisteredClaims::parse(br#"{"iss":"https://idp","sub":"alice","exp":1800000000,"roles":["a"]}"#)?;
/// assert!(claims.issuer().unwrap() == "https://idp");
/// assert_eq!(claims.expires_at().unwrap().floor(), 1_800_000_000);
/// assert!(claims.jwt_id().is_none());
/// // Any other member, read from the same text.
/// assert!(matches!(claims.member("roles")?, Some(jwt_core::json::Value::Array(_))));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RegisteredClaims<'a> {
    pub(crate) json: &'a [u8],
    pub(crate) exp: Option<NumericDate>,
    pub(crate) nbf: Option<NumericDate>,
    pub(crate) iat: Option<NumericDate>,
    pub(crate) iss: Option<JsonStr<'a>>,
    pub(crate) sub: Option<JsonStr<'a>>,
    pub(crate) jti: Option<JsonStr<'a>>,
    pub(crate) client_id: Option<JsonStr<'a>>,
    pub(crate) nonce: Option<JsonStr<'a>>,
    pub(crate) azp: Option<JsonStr<'a>>,
    pub(crate) auth_time: Option<NumericDate>,
    pub(crate) aud: Option<Audience<'a>>,
    /// `cnf`: the object's JSON text, braces included.
    pub(crate) cnf: Option<&'a str>,
    /// The claims recorded, kept beside the fields by `record` (smaller code than deriving
    /// the set from the fields when it is checked).
    pub(crate) present: ClaimSet,
}

impl<'a> RegisteredClaims<'a> {
    /// Reads a claims set: a JSON object without duplicate members whose registered claims
    /// have their registered types. A claim of the wrong type is an error, never "absent"
    /// (V-C5, CVE-2026-25537); so is `null`. Nothing is validated: see
    /// [`Validation::validate`](crate::Validation::validate).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, [`Error::InvalidClaim`] for a registered claim of
    /// the wrong type.
    pub fn parse(json: &'a [u8]) -> Result<Self, Error> {
        let mut claims = RegisteredClaims::empty(json);
        json::parse_object(json, |name, value| match registered(name) {
            Some(claim) => claims.record(claim, value),
            None => Ok(()),
        })?;
        Ok(claims)
    }

    /// No claim yet, of the claims set `json`.
    fn empty(json: &'a [u8]) -> Self {
        RegisteredClaims {
            json,
            exp: None,
            nbf: None,
            iat: None,
            iss: None,
            sub: None,
            jti: None,
            client_id: None,
            nonce: None,
            azp: None,
            auth_time: None,
            aud: None,
            cnf: None,
            present: ClaimSet::EMPTY,
        }
    }

    /// The whole claims set, as JSON text (the decoded payload).
    pub fn json(&self) -> &'a [u8] {
        self.json
    }

    /// The top-level member `name` of the claims set (compared after unescaping), read from
    /// [`json`](Self::json): for claims this type does not record, such as `scope`.
    ///
    /// # Errors
    /// None for a claims set this type was read from; [`Error::Json`] is kept for the type's
    /// sake.
    pub fn member(&self, name: &str) -> Result<Option<Value<'a>>, Error> {
        let mut found = None;
        json::parse_object(self.json, |member, value| {
            if found.is_none() && member == name {
                found = Some(value);
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Whether `claim` is present.
    pub fn contains(&self, claim: Claim) -> bool {
        self.present.contains(claim)
    }

    /// `iss`, the issuer.
    pub fn issuer(&self) -> Option<JsonStr<'a>> {
        self.iss
    }

    /// `sub`, the subject.
    pub fn subject(&self) -> Option<JsonStr<'a>> {
        self.sub
    }

    /// `aud`, the audiences.
    pub fn audience(&self) -> Option<Audience<'a>> {
        self.aud
    }

    /// `exp`, the expiration time.
    pub fn expires_at(&self) -> Option<NumericDate> {
        self.exp
    }

    /// `nbf`, the time before which the token is not valid.
    pub fn not_before(&self) -> Option<NumericDate> {
        self.nbf
    }

    /// `iat`, the time the token was issued.
    pub fn issued_at(&self) -> Option<NumericDate> {
        self.iat
    }

    /// `jti`, the token's identifier.
    pub fn jwt_id(&self) -> Option<JsonStr<'a>> {
        self.jti
    }

    /// `client_id`, the OAuth client the token was issued to.
    pub fn client_id(&self) -> Option<JsonStr<'a>> {
        self.client_id
    }

    /// `nonce`, the OpenID Connect authentication request's value.
    pub fn nonce(&self) -> Option<JsonStr<'a>> {
        self.nonce
    }

    /// `azp`, the OpenID Connect authorized party.
    pub fn authorized_party(&self) -> Option<JsonStr<'a>> {
        self.azp
    }

    /// `auth_time`, when the end user authenticated.
    pub fn auth_time(&self) -> Option<NumericDate> {
        self.auth_time
    }

    /// `cnf`, the key a sender-constrained token is bound to (RFC 7800), as the JSON text of
    /// its object. A verified token has one only if [`Validation::confirmed`] accepted it.
    ///
    /// [`Validation::confirmed`]: crate::Validation::confirmed
    pub fn confirmation(&self) -> Option<&'a str> {
        self.cnf
    }

    /// Records the value of the registered claim `claim`, checking its type.
    // Inlined into the claims reader on 64-bit targets, where the value then stays in
    // registers; firmware keeps one copy.
    #[cfg_attr(target_pointer_width = "64", inline)]
    fn record(&mut self, claim: Claim, value: Value<'a>) -> Result<(), Error> {
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

impl<'de> Observer<'de> for RegisteredClaims<'de> {
    type Member = Claim;

    // Inlined on 64-bit targets, as `registered` and `record` are.
    #[cfg_attr(target_pointer_width = "64", inline)]
    fn wants(&self, name: JsonStr<'_>) -> Option<Claim> {
        registered(name)
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    fn record(&mut self, claim: Claim, value: Value<'de>) -> Result<(), Error> {
        RegisteredClaims::record(self, claim, value)
    }
}

/// Reads the claims set `payload` as `T` and its registered claims in one pass, and hands
/// the registered claims (type-checked) to `check` once the whole document is read.
/// `scratch` receives unescaped strings for owned fields.
///
/// The error is the first rule the claims break, as if they were validated before being read
/// as `T`: a syntax error anywhere in the document, then a registered claim of the wrong
/// type, then `check`'s error, then the type's.
pub(crate) fn from_claims<'de, T>(
    payload: &'de [u8],
    scratch: &mut [u8],
    check: impl FnOnce(&RegisteredClaims<'de>) -> Result<(), Error>,
) -> Result<(T, RegisteredClaims<'de>), Error>
where
    T: Deserialize<'de>,
{
    let mut claims = RegisteredClaims::empty(payload);
    let value = read_claims(payload, scratch, &mut claims, check)?;
    Ok((value, claims))
}

/// [`from_claims`] for a caller that wants only `T`: the registered claims stay on this
/// function's stack rather than being copied out with the value.
pub(crate) fn claims_as<'de, T>(
    payload: &'de [u8],
    scratch: &mut [u8],
    check: impl FnOnce(&RegisteredClaims<'de>) -> Result<(), Error>,
) -> Result<T, Error>
where
    T: Deserialize<'de>,
{
    read_claims(
        payload,
        scratch,
        &mut RegisteredClaims::empty(payload),
        check,
    )
}

/// The steps of [`from_claims`], recording the registered claims into `claims`.
#[inline]
fn read_claims<'de, T>(
    payload: &'de [u8],
    scratch: &mut [u8],
    claims: &mut RegisteredClaims<'de>,
    check: impl FnOnce(&RegisteredClaims<'de>) -> Result<(), Error>,
) -> Result<T, Error>
where
    T: Deserialize<'de>,
{
    let value = de::from_object::<T, _>(payload, scratch, claims)?;
    check(claims)?;
    value
}

/// The registered claim `name` stands for, if any (`typ` is a header parameter, not a claim).
///
/// On 64-bit targets (gateways) a plain name is matched by a `match` on its bytes, which the
/// compiler turns into a switch on the length and then on one byte at a time: a few compares
/// whichever claim the name is, or none. The names are those of [`Claim::name`], which a test
/// checks.
#[cfg(target_pointer_width = "64")]
#[inline]
pub(crate) fn registered(name: JsonStr<'_>) -> Option<Claim> {
    let Some(plain) = name.as_str() else {
        return Claim::REGISTERED.into_iter().find(|&c| name == c.name());
    };
    Some(match plain.as_bytes() {
        b"exp" => Claim::Exp,
        b"nbf" => Claim::Nbf,
        b"iat" => Claim::Iat,
        b"iss" => Claim::Iss,
        b"sub" => Claim::Sub,
        b"aud" => Claim::Aud,
        b"jti" => Claim::Jti,
        b"client_id" => Claim::ClientId,
        b"nonce" => Claim::Nonce,
        b"azp" => Claim::Azp,
        b"auth_time" => Claim::AuthTime,
        b"cnf" => Claim::Cnf,
        _ => return None,
    })
}

/// The registered claim `name` stands for, if any: firmware compares the names in turn,
/// which takes less flash.
#[cfg(not(target_pointer_width = "64"))]
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
        Value::String(s) => Some(Audience(Audiences::One(s))),
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
            (count > 0).then_some(Audience(Audiences::Many(array)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt;
    use serde::Deserialize;
    use serde::de::{self as serde_de, Visitor};

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
            // One byte off a name, at its start, middle and end.
            "axp",
            "ixs",
            "cnF",
            "nonce ",
            "nonc",
            "noncf",
            "auth_timf",
            "client_ie",
            "aclient_id",
        ] {
            name_of(other, |name| {
                assert_eq!(registered(name), None, "{other}");
            });
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
                RegisteredClaims::parse(json.as_bytes()).unwrap_err(),
                Error::InvalidClaim(claim),
                "{json}"
            );
        }
    }

    #[test]
    fn audiences_match_after_unescaping() {
        let claims = RegisteredClaims::parse(br#"{"aud":["x","https:\/\/api"]}"#).unwrap();
        let aud = claims.aud.unwrap();
        assert!(aud.contains_any(&["https://api"]));
        assert!(!aud.contains_any(&["https://ap", "y"]));
    }

    #[test]
    fn registered_claims_are_recorded_on_the_way() {
        #[derive(Deserialize)]
        struct Sub<'a> {
            sub: &'a str,
        }
        let json = br#"{"iss":"https:\/\/a","sub":"s","exp":10.5,"aud":["x","y"]}"#;
        let (claims, registered) = from_claims::<Sub>(json, &mut [], |_| Ok(())).unwrap();
        assert_eq!(claims.sub, "s");
        assert!(registered.iss.unwrap() == "https://a");
        assert_eq!(registered.exp.unwrap().ceil(), 11);
        assert!(registered.aud.unwrap().contains_any(&["y"]));
        assert_eq!(
            from_claims::<Sub>(br#"{"sub":"s","exp":"10"}"#, &mut [], |_| Ok(())).err(),
            Some(Error::InvalidClaim(Claim::Exp))
        );
    }

    /// When the type fails, the rest of the document is still scanned and its registered
    /// claims recorded: a syntax error after the failure, then a registered claim of the
    /// wrong type, then `check`'s error, take precedence over the type's error.
    #[test]
    fn the_scan_resumes_where_the_type_failed() {
        #[derive(Deserialize, Debug)]
        struct Bytes {
            #[serde(rename = "a")]
            _a: std::vec::Vec<u8>,
        }
        let expired = |registered: &RegisteredClaims<'_>| match registered.exp {
            Some(_) => Err(Error::Expired),
            None => Ok(()),
        };
        for (json, expected) in [
            // The type fails deep inside `a`; the document ends badly.
            (r#"{"a":[1,{"b":[2]}],"c":1 x}"#, Error::Json),
            (r#"{"a":[1,{"b":[2]}],"c":1,"c":2}"#, Error::Json),
            (r#"{"a":[1,{"b":[2]}],"c":[}"#, Error::Json),
            // The first member fails to read (a fuzz find: the scan must resume as before
            // the first member, where a comma is an error).
            (r#"{, "sub":3}"#, Error::Json),
            (r#"{,"a":[1]}"#, Error::Json),
            // A registered claim after the failure, of the wrong type, then expired.
            (
                r#"{"a":[1,{"b":[2]}],"exp":"soon"}"#,
                Error::InvalidClaim(Claim::Exp),
            ),
            (r#"{"a":[1,{"b":[2]}],"exp":5}"#, Error::Expired),
            // A registered claim before the failure, of the wrong type.
            (r#"{"iss":7,"a":[300]}"#, Error::InvalidClaim(Claim::Iss)),
            // Only the type's error: a member of the wrong type, one missing.
            (r#"{"a":[1,{"b":[2]}],"c":1}"#, Error::ClaimsTypeMismatch),
            (r#"{"b":[1]}"#, Error::ClaimsTypeMismatch),
            // Text after the object; not an object.
            (r#"{"a":[1]} x"#, Error::Json),
            (r#"[1]"#, Error::Json),
        ] {
            assert_eq!(
                from_claims::<Bytes>(json.as_bytes(), &mut [], expired).err(),
                Some(expected),
                "{json}"
            );
        }
        assert_eq!(
            from_claims::<()>(br#"{"exp":5}"#, &mut [], expired).err(),
            Some(Error::Expired),
            "a type that reads nothing"
        );
    }

    /// A type that ignores an error and asks for more gets an error, and whatever it returns,
    /// the document is still held to every rule and its registered claims recorded.
    #[test]
    fn a_type_that_ignores_an_error_gets_no_more_of_the_document() {
        struct Stubborn;
        impl<'de> Deserialize<'de> for Stubborn {
            fn deserialize<D: serde_de::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct Visit;
                impl<'de> Visitor<'de> for Visit {
                    type Value = Stubborn;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a map")
                    }
                    fn visit_map<A: serde_de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Stubborn, A::Error> {
                        let _ = map.next_key::<serde_de::IgnoredAny>()?;
                        let _ = map.next_value::<bool>();
                        assert!(map.next_key::<serde_de::IgnoredAny>().is_err());
                        assert!(map.next_value::<serde_de::IgnoredAny>().is_err());
                        Ok(Stubborn)
                    }
                }
                deserializer.deserialize_map(Visit)
            }
        }
        let mut seen = None;
        let read = from_claims::<Stubborn>(br#"{"a":[1,2],"sub":"s","b":{}}"#, &mut [], |r| {
            seen = r.sub;
            Ok(())
        });
        assert!(read.is_ok());
        assert!(seen.is_some_and(|sub| sub == "s"));
        for bad in [
            &br#"{"a":[1,2],"b":}"#[..],
            br#"{"a":[1,2]"#,
            br#"{"a":[1,2}],"b":1}"#,
        ] {
            assert_eq!(
                from_claims::<Stubborn>(bad, &mut [], |_| Ok(())).err(),
                Some(Error::Json)
            );
        }
    }
}
