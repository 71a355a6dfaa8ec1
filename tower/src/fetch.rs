//! The HTTP client every provider document comes through: HTTPS only (plain HTTP to a
//! loopback address alone, for local providers and tests), bounded in time, in size and in
//! redirects, with conditional requests for revalidation.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, StatusCode, header};
use reqwest::{Client, Url, redirect};

/// Limits on every request made to a provider.
///
/// ```
/// use std::time::Duration;
/// use jwt_core_tower::HttpLimits;
/// let limits = HttpLimits { timeout: Duration::from_secs(5), ..HttpLimits::default() };
/// assert_eq!(limits.max_body, 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Whole request, from connecting to the last byte of the body. Default 10 s.
    pub timeout: Duration,
    /// Establishing the connection. Default 5 s.
    pub connect_timeout: Duration,
    /// Largest response body read; a larger one is refused without reading it all.
    /// Default 1 MiB.
    pub max_body: usize,
    /// Redirects followed per request (each to an allowed URL). Default 3.
    pub max_redirects: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_body: 1 << 20,
            max_redirects: 3,
        }
    }
}

/// Why a provider document could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is not HTTPS, and not plain HTTP to a loopback address either.
    InsecureUrl(String),
    /// Connecting, sending or receiving failed, or took longer than the limits allow.
    Transport(String),
    /// The provider answered with a status other than 200 (or 304 to a revalidation).
    Status(u16),
    /// The body is larger than [`HttpLimits::max_body`].
    TooLarge,
    /// The document is not what was asked for (not JSON of the right shape, a key set that
    /// does not parse, an `issuer` that is not the configured one...).
    Invalid(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::InsecureUrl(url) => {
                write!(
                    f,
                    "{url}: not https (plain http only to a loopback address)"
                )
            }
            FetchError::Transport(why) => write!(f, "request failed: {why}"),
            FetchError::Status(status) => write!(f, "provider answered HTTP {status}"),
            FetchError::TooLarge => f.write_str("response larger than the configured limit"),
            FetchError::Invalid(why) => write!(f, "invalid document: {why}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Checks that `url` may be fetched: `https`, or `http` to a loopback address (`127.0.0.0/8`,
/// `::1` or `localhost`). Its rules are `tests::only_https_or_loopback_http_is_fetched`.
///
/// # Errors
/// [`FetchError::InsecureUrl`] for any other URL, including one that does not parse.
pub(crate) fn checked_url(url: &str) -> Result<Url, FetchError> {
    let insecure = || FetchError::InsecureUrl(url.to_string());
    let parsed = Url::parse(url).map_err(|_| insecure())?;
    if is_allowed(&parsed) {
        Ok(parsed)
    } else {
        Err(insecure())
    }
}

fn is_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        },
        _ => false,
    }
}

/// What a GET brought back.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// A new document.
    Body {
        body: Vec<u8>,
        etag: Option<String>,
        max_age: Option<Duration>,
    },
    /// 304: the document revalidated with `If-None-Match` is still current.
    NotModified { max_age: Option<Duration> },
}

/// The provider-facing HTTP client, shared by every provider of an authenticator.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    client: Client,
    limits: HttpLimits,
}

impl Fetcher {
    pub(crate) fn new(limits: HttpLimits) -> Result<Self, FetchError> {
        let max_redirects = limits.max_redirects;
        let redirects = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                attempt.error("too many redirects")
            } else if !is_allowed(attempt.url()) {
                attempt.error("redirect to a URL that is not https")
            } else {
                attempt.follow()
            }
        });
        // The ring provider is given to this client alone: no process-wide default is
        // installed behind the application's back.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::Transport(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let client = Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .redirect(redirects)
            .user_agent(concat!("jwt-core-tower/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        Ok(Fetcher { client, limits })
    }

    /// The limits every request is made within.
    pub(crate) fn limits(&self) -> HttpLimits {
        self.limits
    }

    /// GET `url`, revalidating with `etag` when there is one.
    pub(crate) async fn get(&self, url: &str, etag: Option<&str>) -> Result<Fetched, FetchError> {
        let url = checked_url(url)?;
        let mut request = self
            .client
            .get(url)
            .header(header::ACCEPT, "application/json");
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(transport)?;
        let max_age = max_age(response.headers());
        match response.status() {
            StatusCode::NOT_MODIFIED if etag.is_some() => Ok(Fetched::NotModified { max_age }),
            StatusCode::OK => {
                let etag = response
                    .headers()
                    .get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = self.body(response).await?;
                Ok(Fetched::Body {
                    body,
                    etag,
                    max_age,
                })
            }
            status => Err(FetchError::Status(status.as_u16())),
        }
    }

    /// POST an `application/x-www-form-urlencoded` body with HTTP Basic client
    /// authentication, and read a 200 answer.
    pub(crate) async fn post_form(
        &self,
        url: &str,
        client_id: &str,
        client_secret: &str,
        form: &[(&str, &str)],
    ) -> Result<Vec<u8>, FetchError> {
        let url = checked_url(url)?;
        let response = self
            .client
            .post(url)
            .header(header::ACCEPT, "application/json")
            .basic_auth(form_encode(client_id), Some(form_encode(client_secret)))
            .form(form)
            .send()
            .await
            .map_err(transport)?;
        match response.status() {
            StatusCode::OK => self.body(response).await,
            status => Err(FetchError::Status(status.as_u16())),
        }
    }

    /// The body, refused as soon as it grows past the limit.
    async fn body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.limits.max_body;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn transport(e: reqwest::Error) -> FetchError {
    FetchError::Transport(e.to_string())
}

/// Client credentials in HTTP Basic authentication are form-encoded first (RFC 6749
/// section 2.3.1).
fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `Cache-Control: max-age`; `no-cache` and `no-store` count as zero (the lower bound of
/// the key cache then applies).
fn max_age(headers: &HeaderMap) -> Option<Duration> {
    let mut found = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',').map(str::trim) {
            let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
            if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age") {
                let seconds = argument.trim_matches('"').parse::<u64>().ok()?;
                found = Some(Duration::from_secs(seconds));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(header::CACHE_CONTROL, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn cache_control_max_age_is_read_and_no_cache_wins() {
        let secs = |v: &[&str]| max_age(&headers(v)).map(|d| d.as_secs());
        assert_eq!(secs(&["public, max-age=600"]), Some(600));
        assert_eq!(secs(&["MAX-AGE=\"30\""]), Some(30));
        assert_eq!(secs(&["public", "max-age=60"]), Some(60));
        assert_eq!(secs(&["max-age=60, no-cache"]), Some(0));
        assert_eq!(secs(&["no-store"]), Some(0));
        assert_eq!(secs(&["max-age=-1"]), None);
        assert_eq!(secs(&["max-age=abc"]), None);
        assert_eq!(secs(&["public"]), None);
        assert_eq!(secs(&[]), None);
    }

    #[test]
    fn only_https_or_loopback_http_is_fetched() {
        for ok in [
            "https://idp.example",
            "http://127.0.0.1:1/x",
            "http://127.1.2.3/x",
            "http://[::1]:80/x",
            "http://LOCALHOST/x",
        ] {
            assert!(checked_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://idp.example",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "http://[::2]/x",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert_eq!(
                checked_url(refused).unwrap_err(),
                FetchError::InsecureUrl(refused.to_string())
            );
        }
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        assert_eq!(form_encode("a b:c%"), "a+b%3Ac%25");
    }
}
