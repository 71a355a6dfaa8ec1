//! Reverse-proxy mode: an authenticated request goes to the upstream with its claim
//! headers, `X-Forwarded-For/Proto/Host` and `X-Request-Id`; hop-by-hop headers are not
//! passed on (RFC 9110 section 7.6.1), bodies stream both ways, WebSocket (and other HTTP/1.1)
//! upgrades are joined end to end. An upstream that cannot be reached is 502, one that does
//! not answer within the response timeout 504. An `https` upstream must present a
//! certificate for its host from the configured CA (`upstream_ca`) or the system's.

use std::sync::Arc;
use std::time::Duration;

use http::header::{CONNECTION, HOST, UPGRADE};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tracing::{debug, warn};

use crate::config::ProxySettings;
use crate::gateway::{Body, Connection, Gateway, full};
use crate::telemetry::Outcome;

/// The upstream and the client that reaches it.
#[derive(Clone)]
pub(crate) struct Upstream {
    base: Uri,
    client: Client<HttpsConnector<HttpConnector>, Body>,
    response_timeout: Duration,
}

/// Headers of one connection only (RFC 9110 section 7.6.1), never passed on as they are.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
];

/// Removes the hop-by-hop headers and those `Connection` names; returns the `Upgrade`
/// value when the request asked to upgrade (`Connection: upgrade`).
fn remove_hop_by_hop(headers: &mut HeaderMap) -> Option<HeaderValue> {
    let mut named: Vec<HeaderName> = Vec::new();
    let mut upgrading = false;
    for value in headers.get_all(CONNECTION) {
        for token in value.to_str().unwrap_or_default().split(',') {
            let token = token.trim();
            if token.eq_ignore_ascii_case("upgrade") {
                upgrading = true;
            } else if let Ok(name) = HeaderName::from_bytes(token.as_bytes()) {
                named.push(name);
            }
        }
    }
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    let upgrade = headers.remove(UPGRADE);
    upgrade.filter(|_| upgrading)
}

impl Upstream {
    /// The upstream at `base`, `http` or `https`.
    ///
    /// # Errors
    /// The CA file that cannot be read or used, or no system roots for an `https` upstream.
    pub(crate) fn new(base: Uri, settings: &ProxySettings) -> Result<Upstream, String> {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(settings.connect_timeout));
        connector.set_nodelay(true);
        // The TLS layer below takes `https` URLs.
        connector.enforce_http(false);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match (&settings.upstream_ca, base.scheme_str()) {
            (Some(path), _) => builder.with_tls_config(client_config(provider, Some(path))?),
            (None, Some("https")) => builder
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("the system's CA certificates: {e}"))?,
            // An http upstream: no TLS, no roots to load.
            (None, _) => builder.with_tls_config(client_config(provider, None)?),
        };
        let connector = builder
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Upstream {
            base,
            client,
            response_timeout: settings.response_timeout,
        })
    }

    /// The upstream URL of a request for `path_and_query`: the base's path, then it.
    fn url(&self, path_and_query: &str) -> Option<Uri> {
        let base_path = self.base.path().trim_end_matches('/');
        let mut parts = self.base.clone().into_parts();
        parts.path_and_query = Some(format!("{base_path}{path_and_query}").parse().ok()?);
        Uri::from_parts(parts).ok()
    }

    /// Sends `request` to the upstream; the answer, and the failure outcome if it failed.
    pub(crate) async fn forward(
        &self,
        gateway: &Gateway,
        connection: &Connection,
        mut request: Request<Incoming>,
    ) -> (Response<Body>, Option<Outcome>) {
        let path_and_query = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let Some(url) = self.url(&path_and_query) else {
            return (answer(StatusCode::BAD_REQUEST, "bad path\n"), None);
        };
        let client_upgrade = hyper::upgrade::on(&mut request);
        let (mut parts, body) = request.into_parts();
        let headers = &mut parts.headers;
        let upgrade = remove_hop_by_hop(headers);
        let trusted = gateway.trusts(&connection.peer);
        let peer = connection.peer.ip().to_string();
        let original_host = headers.remove(HOST);
        // From a trusted proxy the chain goes on; from anyone else it starts here.
        let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(chain) if trusted => format!("{chain}, {peer}"),
            _ => peer,
        };
        if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
            headers.insert("x-forwarded-for", value);
        }
        if !trusted || !headers.contains_key("x-forwarded-proto") {
            let proto = if connection.tls { "https" } else { "http" };
            headers.insert("x-forwarded-proto", HeaderValue::from_static(proto));
        }
        if !trusted || !headers.contains_key("x-forwarded-host") {
            headers.remove("x-forwarded-host");
            if let Some(host) = original_host {
                headers.insert("x-forwarded-host", host);
            }
        }
        if !trusted {
            headers.remove("forwarded");
        }
        if let Some(upgrade) = &upgrade {
            headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
            headers.insert(UPGRADE, upgrade.clone());
        }
        parts.uri = url;
        // HTTP/2 clients are answered over HTTP/1.1 upstream.
        parts.version = http::Version::HTTP_11;
        let body: Body = body.map_err(Into::into).boxed();
        let upstream_request = Request::from_parts(parts, body);
        let sent =
            tokio::time::timeout(self.response_timeout, self.client.request(upstream_request));
        let mut response = match sent.await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => {
                warn!(error = %error_chain(&error), "upstream failed");
                return (
                    answer(StatusCode::BAD_GATEWAY, "upstream failed\n"),
                    Some(Outcome::UpstreamError),
                );
            }
            Err(_) => {
                warn!(
                    timeout_ms = self.response_timeout.as_millis() as u64,
                    "upstream did not answer in time"
                );
                return (
                    answer(StatusCode::GATEWAY_TIMEOUT, "upstream timed out\n"),
                    Some(Outcome::UpstreamTimeout),
                );
            }
        };
        if response.status() == StatusCode::SWITCHING_PROTOCOLS && upgrade.is_some() {
            let upstream_upgrade = hyper::upgrade::on(&mut response);
            tokio::spawn(async move {
                match tokio::try_join!(client_upgrade, upstream_upgrade) {
                    Ok((client, upstream)) => {
                        let (mut client, mut upstream) =
                            (TokioIo::new(client), TokioIo::new(upstream));
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                    Err(error) => debug!(%error, "upgrade failed"),
                }
            });
            let (mut parts, _) = response.into_parts();
            let upgrade = parts.headers.remove(UPGRADE);
            remove_hop_by_hop(&mut parts.headers);
            parts
                .headers
                .insert(CONNECTION, HeaderValue::from_static("upgrade"));
            if let Some(upgrade) = upgrade {
                parts.headers.insert(UPGRADE, upgrade);
            }
            return (Response::from_parts(parts, full("")), None);
        }
        let (mut parts, body) = response.into_parts();
        remove_hop_by_hop(&mut parts.headers);
        (
            Response::from_parts(parts, body.map_err(Into::into).boxed()),
            None,
        )
    }
}

/// A TLS client configuration trusting the CA certificates of the PEM file `ca` (none
/// without one).
fn client_config(
    provider: Arc<rustls::crypto::CryptoProvider>,
    ca: Option<&std::path::Path>,
) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(path) = ca {
        let named = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| named(&e))?;
        if certs.is_empty() {
            return Err(named(&"no certificate"));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| named(&e))?;
        }
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// An error and its sources, on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn answer(code: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(full(text));
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_removed() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, x-secret, Upgrade"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("te", "trailers"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "websocket"),
            ("proxy-authorization", "Basic x"),
            ("x-kept", "yes"),
        ] {
            headers.append(name, HeaderValue::from_static(value));
        }
        assert_eq!(
            remove_hop_by_hop(&mut headers),
            Some(HeaderValue::from_static("websocket"))
        );
        let left: Vec<_> = headers.keys().map(|k| k.as_str()).collect();
        assert_eq!(left, ["x-kept"]);
        // `Upgrade` without `Connection: upgrade` upgrades nothing.
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        assert_eq!(remove_hop_by_hop(&mut headers), None);
        assert!(headers.is_empty());
    }

    #[test]
    fn upstream_urls_keep_the_base_path() {
        let settings = ProxySettings {
            connect_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(1),
            upstream_ca: None,
        };
        let upstream =
            Upstream::new("http://10.0.0.1:8080/api/".parse().unwrap(), &settings).unwrap();
        assert_eq!(
            upstream.url("/orders?x=1").unwrap(),
            "http://10.0.0.1:8080/api/orders?x=1"
        );
        let root = Upstream::new("http://10.0.0.1:8080".parse().unwrap(), &settings).unwrap();
        assert_eq!(root.url("/").unwrap(), "http://10.0.0.1:8080/");
    }
}
