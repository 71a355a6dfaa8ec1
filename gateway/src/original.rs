//! The original request of a forward-auth call, as each proxy names it, and the path a
//! route is chosen by.
//!
//! | proxy | path | original method | original URI |
//! |---|---|---|---|
//! | nginx `auth_request` | the auth path | `X-Original-Method` (configurable) | `X-Original-URI` (configurable) |
//! | Traefik `forwardAuth`, Caddy `forward_auth` | the auth path | `X-Forwarded-Method` | `X-Forwarded-Uri` |
//! | Envoy `ext_authz` (HTTP) | the auth path + the original path and query | the request's own | the request's path past the auth path |
//!
//! Scheme and host: `X-Forwarded-Proto` and `X-Forwarded-Host` (the last value of each:
//! the one the proxy itself added), else `http` and the `Host` header.

use bytes::Bytes;
use http::request::Parts;
use http::uri::{Authority, PathAndQuery};
use http::{HeaderMap, HeaderName, Method, Uri};

use crate::config::ForwardAuth;

// Header names read on every forward-auth call, made at compile time.
pub(crate) const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub(crate) const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_URI: HeaderName = HeaderName::from_static("x-forwarded-uri");
const X_FORWARDED_METHOD: HeaderName = HeaderName::from_static("x-forwarded-method");

/// The request a proxy asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Its method.
    pub method: Method,
    /// `http` or `https`.
    pub scheme: String,
    /// Its authority (`api.example:8443`).
    pub host: String,
    /// Its path and query, as the client sent them.
    pub path_and_query: String,
}

impl Original {
    /// Its path, without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(&self.path_and_query, |(path, _)| path)
    }

    /// Its absolute URL.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.path_and_query)
    }

    /// Its absolute URL as a `Uri`, made of its parts without copying them (`None` if they
    /// do not make one, which [`original`] has ruled out).
    ///
    /// ```
    /// use jwt_gateway::original::Original;
    /// let original = Original {
    ///     method: http::Method::GET,
    ///     scheme: "https".into(),
    ///     host: "api.example".into(),
    ///     path_and_query: "/orders?page=2".into(),
    /// };
    /// assert_eq!(original.url(), original.clone().into_uri().unwrap().to_string());
    /// ```
    pub fn into_uri(self) -> Option<Uri> {
        let authority = Authority::from_maybe_shared(Bytes::from(self.host)).ok()?;
        let path_and_query =
            PathAndQuery::from_maybe_shared(Bytes::from(self.path_and_query)).ok()?;
        Uri::builder()
            .scheme(self.scheme.as_str())
            .authority(authority)
            .path_and_query(path_and_query)
            .build()
            .ok()
    }
}

/// The one value of header `name`: `Ok(None)` without it, an error with several or one
/// that is not text.
fn one<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h str>, String> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => value
            .to_str()
            .map(Some)
            .map_err(|_| format!("{name} is not text")),
        (Some(_), Some(_)) => Err(format!("{name} is given twice")),
    }
}

/// The last element of the last value of a list header, trimmed: the one the nearest proxy
/// added.
fn last(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let element = value.rsplit(',').next()?.trim();
    (!element.is_empty()).then(|| element.to_owned())
}

/// The original request of a forward-auth call to `parts` (see the module's table).
///
/// # Errors
/// Why the proxy's description cannot be used (answered 400).
pub fn original(parts: &Parts, endpoint: &ForwardAuth) -> Result<Original, String> {
    let headers = &parts.headers;
    let path = parts.uri.path();
    let (method, path_and_query) = match path.strip_prefix(endpoint.path.as_str()) {
        // Envoy: the original path and query follow the auth path.
        Some(rest) if rest.starts_with('/') => {
            let query = parts
                .uri
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            (parts.method.clone(), format!("{rest}{query}"))
        }
        _ => {
            let uri = match one(headers, &endpoint.original_uri_header)? {
                Some(uri) => uri,
                None => one(headers, &X_FORWARDED_URI)?.ok_or_else(|| {
                    format!(
                        "no original URI: neither {} nor X-Forwarded-Uri",
                        endpoint.original_uri_header
                    )
                })?,
            };
            let method = match one(headers, &endpoint.original_method_header)? {
                Some(method) => Some(method),
                None => one(headers, &X_FORWARDED_METHOD)?,
            };
            let method = match method {
                Some(method) => Method::from_bytes(method.as_bytes())
                    .map_err(|_| format!("{method:?} is not a method"))?,
                None => parts.method.clone(),
            };
            (method, uri.to_owned())
        }
    };
    if !path_and_query.starts_with('/')
        || path_and_query.contains('#')
        || path_and_query.parse::<http::uri::PathAndQuery>().is_err()
    {
        return Err("the original URI is not an absolute path".into());
    }
    let scheme = last(headers, &X_FORWARDED_PROTO).unwrap_or_else(|| "http".into());
    if scheme != "http" && scheme != "https" {
        return Err(format!("X-Forwarded-Proto {scheme:?} is not http or https"));
    }
    let host = match last(headers, &X_FORWARDED_HOST) {
        Some(host) => host,
        None => one(headers, &http::header::HOST)?
            .ok_or("no X-Forwarded-Host or Host")?
            .to_owned(),
    };
    match host.parse::<http::uri::Authority>() {
        Ok(authority) if authority.as_str() == host && !host.contains('@') => {}
        _ => return Err(format!("{host:?} is not a host")),
    }
    Ok(Original {
        method,
        scheme,
        host,
        path_and_query,
    })
}

/// The path routes are matched against: percent-encoded unreserved characters decoded
/// (`/%61dmin` is `/admin`), runs of `/` merged. Paths an upstream could read as another
/// path than the one matched are refused: `.` and `..` segments (also encoded), an encoded
/// `/` or `\`, a `\`, a NUL, a malformed escape.
///
/// # Errors
/// Why the path is refused (answered 400).
pub fn normalized(path: &str) -> Result<String, &'static str> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a malformed percent-escape")?;
            match hex {
                b'/' | b'\\' | 0 => return Err("an encoded / or \\ or NUL"),
                c if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') => {
                    out.push(char::from(c))
                }
                c => out.push_str(&format!("%{c:02X}")),
            }
            i += 3;
            continue;
        }
        if b == b'\\' || b == 0 {
            return Err("a \\ or NUL");
        }
        if !(b == b'/' && out.ends_with('/')) {
            out.push(char::from(b));
        }
        i += 1;
    }
    if !out.starts_with('/') {
        return Err("not an absolute path");
    }
    if out
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err("a . or .. segment");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> ForwardAuth {
        ForwardAuth {
            path: "/auth".into(),
            original_uri_header: HeaderName::from_static("x-original-uri"),
            original_method_header: HeaderName::from_static("x-original-method"),
        }
    }

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn of(method: &str, uri: &str, headers: &[(&str, &str)]) -> Result<Original, String> {
        original(&parts(method, uri, headers), &endpoint())
    }

    #[test]
    fn each_proxy_contract_names_the_original_request() {
        let expected = |method: Method, url: &str| {
            let (scheme, rest) = url.split_once("://").unwrap();
            let (host, path) = rest.split_at(rest.find('/').unwrap());
            Ok(Original {
                method,
                scheme: scheme.into(),
                host: host.into(),
                path_and_query: path.into(),
            })
        };
        // nginx auth_request.
        assert_eq!(
            of(
                "GET",
                "/auth",
                &[
                    ("host", "api.example:8080"),
                    ("x-original-uri", "/orders/7?page=2"),
                    ("x-original-method", "DELETE"),
                ]
            ),
            expected(Method::DELETE, "http://api.example:8080/orders/7?page=2")
        );
        // Traefik and Caddy.
        assert_eq!(
            of(
                "GET",
                "/auth",
                &[
                    ("host", "gateway:9000"),
                    ("x-forwarded-method", "POST"),
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "api.example"),
                    ("x-forwarded-uri", "/orders"),
                ]
            ),
            expected(Method::POST, "https://api.example/orders")
        );
        // Envoy ext_authz: the original path after the prefix, its own method.
        assert_eq!(
            of("PUT", "/auth/orders/7?x=1", &[("host", "api.example")]),
            expected(Method::PUT, "http://api.example/orders/7?x=1")
        );
        // The proxy's own value is the last one.
        assert_eq!(
            of(
                "GET",
                "/auth",
                &[
                    ("x-forwarded-proto", "http, https"),
                    ("x-forwarded-host", "evil.example, api.example"),
                    ("x-original-uri", "/o"),
                ]
            )
            .map(|o| o.url()),
            Ok("https://api.example/o".into())
        );
        // The configured header wins over X-Forwarded-Uri; the request's method is the
        // last resort.
        assert_eq!(
            of(
                "HEAD",
                "/auth",
                &[
                    ("host", "a"),
                    ("x-original-uri", "/right"),
                    ("x-forwarded-uri", "/wrong"),
                ]
            ),
            expected(Method::HEAD, "http://a/right")
        );
    }

    #[test]
    fn descriptions_that_cannot_be_used_are_refused() {
        for headers in [
            &[("host", "a")][..],
            &[("host", "a"), ("x-original-uri", "http://b/x")],
            &[
                ("host", "a"),
                ("x-original-uri", "/a"),
                ("x-original-uri", "/b"),
            ],
            &[
                ("host", "a"),
                ("x-original-uri", "/a"),
                ("x-original-method", "G ET"),
            ],
            &[
                ("host", "a"),
                ("x-original-uri", "/a"),
                ("x-forwarded-proto", "ftp"),
            ],
            &[("host", "a@b"), ("x-original-uri", "/a")],
            &[("x-original-uri", "/a")],
        ] {
            assert!(of("GET", "/auth", headers).is_err(), "{headers:?}");
        }
    }

    #[test]
    fn paths_are_matched_as_an_upstream_would_read_them() {
        assert_eq!(normalized("/a//b///c").as_deref(), Ok("/a/b/c"));
        assert_eq!(normalized("/%61dmin/%7e").as_deref(), Ok("/admin/~"));
        assert_eq!(normalized("/a%20b/%c3%a9").as_deref(), Ok("/a%20b/%C3%A9"));
        for path in [
            "/public/../admin",
            "/public/%2e%2e/admin",
            "/public/%2E./admin",
            "/./admin",
            "/admin%2fsecret",
            "/admin%5csecret",
            "/admin\\secret",
            "/a%zz",
            "/a%2",
            "/a%00",
            "/..",
        ] {
            assert!(normalized(path).is_err(), "{path}");
        }
    }
}
