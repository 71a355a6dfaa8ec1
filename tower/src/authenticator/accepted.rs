//! What is made of claims a provider accepted: the application's type, read once, and the
//! scopes and forwarded claims, read together in one pass.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use jwt_core::RegisteredClaims;
use jwt_core::json::{self, Value};
use serde::de::DeserializeOwned;

use super::{Authenticator, Verified};
use crate::refusal::Refusal;

/// The members of accepted claims the authenticator reads itself besides the registered
/// ones: `scope`, `scp` and the forwarded claims, found in one pass over the claims' JSON.
struct OwnMembers<'a> {
    scope: Option<Value<'a>>,
    scp: Option<Value<'a>>,
    /// The value of each [`forward_claim`](super::AuthenticatorBuilder::forward_claim), in the
    /// order configured.
    forwarded: Vec<Option<Value<'a>>>,
}

impl<'a> OwnMembers<'a> {
    /// Reads the members of `json` named `scope`, `scp` or in `forward`.
    fn read(json: &'a [u8], forward: &[(String, HeaderName)]) -> Result<Self, jwt_core::Error> {
        #[cfg(test)]
        super::tests::count_claims_read();
        let mut members = OwnMembers {
            scope: None,
            scp: None,
            forwarded: vec![None; forward.len()],
        };
        json::parse_object(json, |name, value| {
            if name == "scope" {
                members.scope = Some(value);
            } else if name == "scp" {
                members.scp = Some(value);
            }
            for ((claim, _), slot) in forward.iter().zip(&mut members.forwarded) {
                if name == claim.as_str() {
                    *slot = Some(value);
                }
            }
            Ok(())
        })?;
        Ok(members)
    }

    /// The granted scopes, space-delimited: `scope`, else `scp` (one string, or an array of
    /// strings joined with spaces); `None` when either is there with another type (`null`
    /// is absent).
    fn scopes(&self) -> Option<String> {
        let scp = match self.scp {
            None | Some(Value::Null) => None,
            Some(Value::String(scp)) => Some(unescaped(scp)),
            Some(Value::Array(list)) => {
                let mut scopes = Vec::new();
                json::for_each_element(list, |element| match element {
                    Value::String(scope) => {
                        scopes.push(unescaped(scope));
                        Ok(())
                    }
                    _ => Err(jwt_core::Error::ClaimsTypeMismatch),
                })
                .ok()?;
                Some(scopes.join(" "))
            }
            Some(_) => return None,
        };
        match self.scope {
            None | Some(Value::Null) => Some(scp.unwrap_or_default()),
            Some(Value::String(scope)) => Some(unescaped(scope)),
            Some(_) => None,
        }
    }
}

/// A JSON string's text, unescaped.
fn unescaped(text: jwt_core::JsonStr<'_>) -> String {
    match text.as_str() {
        Some(plain) => plain.to_owned(),
        None => text.chars().collect(),
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Authenticator<T> {
    /// The [`Verified`] for claims a provider accepted, and how long it may be cached. The
    /// claims' JSON is read once as `T` and once for the members the authenticator needs
    /// beyond the registered claims it is handed.
    pub(super) fn accepted(
        &self,
        provider: usize,
        claims: &RegisteredClaims<'_>,
        introspected: bool,
        now: u64,
    ) -> Result<(Verified<T>, Duration), Refusal> {
        let mismatch = || Refusal::Token(jwt_core::Error::ClaimsTypeMismatch);
        let typed: T = serde_json::from_slice(claims.json()).map_err(|_| mismatch())?;
        let members =
            OwnMembers::read(claims.json(), &self.inner.forward).map_err(|_| mismatch())?;
        let scopes = members.scopes().ok_or_else(mismatch)?;
        let ttl = claims.expires_at().map_or(Duration::ZERO, |exp| {
            Duration::from_secs(exp.floor().saturating_sub(now))
        });
        let issuer = self
            .inner
            .providers
            .get(provider)
            .map_or_else(|| Arc::from(""), |p| Arc::clone(&p.issuer));
        let verified = Verified {
            claims: Arc::new(typed),
            scopes: Arc::from(scopes),
            issuer,
            introspected,
            forwarded: self.forwarded(&members).into(),
        };
        Ok((verified, ttl))
    }

    /// The configured claims as header values, where a header can carry them safely.
    fn forwarded(&self, members: &OwnMembers<'_>) -> Vec<(HeaderName, HeaderValue)> {
        self.inner
            .forward
            .iter()
            .zip(&members.forwarded)
            .filter_map(|((_, name), value)| {
                let value = header_text((*value)?)?;
                let value = HeaderValue::from_str(&value).ok()?;
                Some((name.clone(), value))
            })
            .collect()
    }
}

/// Whether `text` can be an element of a comma-separated header list and be read back as
/// itself: not empty (list parsers drop empty elements), no comma (it would split), no
/// double quote (quoted-string parsers would unquote it), no space at either end (parsers
/// trim it, RFC 9110 section 5.6.1).
fn list_element(text: &str) -> bool {
    !text.is_empty() && !text.contains([',', '"']) && !text.starts_with(' ') && !text.ends_with(' ')
}

/// A claim value as header text: strings as they are (unescaped), numbers and booleans as
/// JSON (numbers as `serde_json` writes them), arrays of those joined with commas when
/// splitting at commas gives each element back exactly (see [`list_element`]); `None` for
/// anything else or any character outside visible ASCII and space (which rules out CR/LF
/// header injection).
fn header_text(value: Value<'_>) -> Option<String> {
    let text = match value {
        Value::String(s) => unescaped(s),
        Value::Number(n) => n.parse::<serde_json::Number>().ok()?.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            let mut texts = Vec::new();
            json::for_each_element(items, |item| {
                let text = match item {
                    Value::Array(_) | Value::Object(_) | Value::Null => None,
                    scalar => header_text(scalar).filter(|text| list_element(text)),
                };
                texts.push(text.ok_or(jwt_core::Error::Json)?);
                Ok(())
            })
            .ok()?;
            texts.join(",")
        }
        _ => return None,
    };
    text.bytes()
        .all(|b| b == b' ' || b.is_ascii_graphic())
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `header_text` of `value`, read as the authenticator reads a claim.
    fn text_of(value: serde_json::Value) -> Option<String> {
        let claims = json!({ "claim": value }).to_string();
        let mut text = None;
        json::parse_object(claims.as_bytes(), |_, value| {
            text = header_text(value);
            Ok(())
        })
        .unwrap();
        text
    }

    #[test]
    fn claims_become_header_text_only_when_safe() {
        assert_eq!(text_of(json!("alice")).as_deref(), Some("alice"));
        assert_eq!(text_of(json!(42)).as_deref(), Some("42"));
        assert_eq!(text_of(json!(true)).as_deref(), Some("true"));
        assert_eq!(text_of(json!(["a", 1])).as_deref(), Some("a,1"));
        assert_eq!(text_of(json!("a\r\nx-admin: 1")), None);
        assert_eq!(text_of(json!("tab\there")), None);
        assert_eq!(text_of(json!("café")), None);
        assert_eq!(text_of(json!(["ok", "bad\n"])), None);
        assert_eq!(text_of(json!({"a": 1})), None);
        assert_eq!(text_of(json!(null)), None);
        assert_eq!(text_of(json!([["nested"]])), None);
    }

    #[test]
    fn forwarded_lists_split_back_into_their_elements() {
        let roles = text_of;
        assert_eq!(
            roles(json!(["user", "admin"])).as_deref(),
            Some("user,admin")
        );
        assert_eq!(roles(json!(["user,admin"])), None);
        assert_eq!(roles(json!(["user", "a,b"])), None);
        assert_eq!(roles(json!(["a", ""])), None);
        assert_eq!(roles(json!(["user", " admin"])), None);
        assert_eq!(roles(json!(["admin "])), None);
        assert_eq!(roles(json!(["\"admin\""])), None);
        assert_eq!(
            roles(json!(["team lead", 7, false])).as_deref(),
            Some("team lead,7,false")
        );
        assert_eq!(roles(json!([])).as_deref(), Some(""));
        // A string is one value, its commas included.
        assert_eq!(roles(json!("Doe, Jane")).as_deref(), Some("Doe, Jane"));
    }

    #[test]
    fn scopes_are_scope_else_scp_and_other_types_are_refused() {
        let scopes = |claims: &str| OwnMembers::read(claims.as_bytes(), &[]).unwrap().scopes();
        for (claims, expected) in [
            (r#"{"scope":"a b"}"#, "a b"),
            (r#"{"scope":"a","scp":["b"]}"#, "a"),
            (r#"{"scp":"a b"}"#, "a b"),
            (r#"{"scp":["a","b c"]}"#, "a b c"),
            (r#"{"scp":[]}"#, ""),
            (r#"{"scope":null,"scp":["a"]}"#, "a"),
            (r#"{"scope":null,"scp":null}"#, ""),
            (r#"{"sub":"x"}"#, ""),
            (r#"{"scope":"a\u0020b\/c"}"#, "a b/c"),
            (r#"{"scp":["\u0061"]}"#, "a"),
        ] {
            assert_eq!(scopes(claims).as_deref(), Some(expected), "{claims}");
        }
        for claims in [
            r#"{"scope":5}"#,
            r#"{"scope":["a"]}"#,
            r#"{"scope":"a","scp":7}"#,
            r#"{"scope":true,"scp":"a"}"#,
            r#"{"scp":["a",1]}"#,
            r#"{"scp":[null]}"#,
            r#"{"scp":{"a":"b"}}"#,
        ] {
            assert_eq!(scopes(claims), None, "{claims}");
        }
    }

    #[test]
    fn forwarded_numbers_are_written_as_serde_json_writes_them() {
        for number in [
            "42",
            "-7",
            "-0",
            "1.50",
            "1e2",
            "1E+2",
            "0.1",
            "1e-7",
            "12345678901234567890",
            "-9223372036854775809",
            "123456789012345678901234567890",
        ] {
            let claims = format!(r#"{{"n":{number}}}"#);
            let members = OwnMembers::read(
                claims.as_bytes(),
                &[("n".into(), HeaderName::from_static("x-n"))],
            )
            .unwrap();
            let expected = serde_json::from_str::<serde_json::Value>(number)
                .unwrap()
                .to_string();
            assert_eq!(
                header_text(members.forwarded[0].unwrap()),
                Some(expected),
                "{number}"
            );
        }
        // Beyond what serde_json holds: not forwarded.
        let members = OwnMembers::read(
            br#"{"n":1e400}"#,
            &[("n".into(), HeaderName::from_static("x-n"))],
        )
        .unwrap();
        assert_eq!(header_text(members.forwarded[0].unwrap()), None);
    }
}
