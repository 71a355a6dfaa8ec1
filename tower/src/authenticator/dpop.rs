//! Requests presenting their token with a DPoP proof (RFC 9449): the request URI the
//! proof must name, the proof, the replay check, server nonces, and the token with the
//! proven key.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{Extensions, HeaderMap, HeaderName, Response, Uri};
use jwt_core::dpop::{self, Policy, ProofError};
use jwt_core::{Algorithm, Thumbprint};
use ring::rand::SecureRandom;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tracing::debug;

use super::{Authenticator, Presented, Verified};
use crate::metrics::bump;
use crate::refusal::{Challenges, Refusal, Scheme};
use crate::replay::{Freshness, ReplayStore, StoreError};

/// Put in a request's extensions by whatever terminates TLS for it: the request came over
/// TLS, so the URI its DPoP proof names is `https` (without a
/// [`public_origin`](crate::AuthenticatorBuilder::public_origin) or trusted proxy headers,
/// a request is taken for `http` otherwise).
///
/// ```
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(jwt_core_tower::SecureConnection);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecureConnection;

/// The gateway's DPoP settings.
pub(crate) struct DpopSettings {
    /// Shared with each accepted request's [`GrantedScopes`](crate::GrantedScopes), for the
    /// challenge of a missing scope.
    pub(crate) algorithms: Arc<[Algorithm]>,
    pub(crate) max_age: u64,
    pub(crate) max_future: u64,
    pub(crate) replay: Arc<dyn ReplayStore>,
    pub(crate) nonces: Nonces,
    pub(crate) public_origin: Option<String>,
    pub(crate) trusted_proxies: Vec<IpAddr>,
    /// Whether any provider takes bearer tokens, DPoP: the schemes challenges offer.
    pub(crate) offers_bearer: bool,
    pub(crate) offers_dpop: bool,
}

/// The largest RSA modulus a DPoP proof's key may have, in bits. The key comes with the
/// proof, so anyone can make the server import it and check a signature with it: up to
/// 4096 bits that costs less than an ES384 proof, while jwt-core's limit for RSA keys, 8192
/// bits, costs about 7 times a 4096-bit key (`benches/README.md`).
const MAX_PROOF_RSA_BITS: usize = 4096;

/// Whether the header of `proof` carries an RSA key whose modulus has more than
/// [`MAX_PROOF_RSA_BITS`] bits. Anything else, malformed headers included, is for the
/// proof's verification to judge.
fn has_oversized_rsa_key(proof: &str) -> bool {
    use jwt_core::base64url;
    use jwt_core::json::{self, Value};

    let header = proof.split('.').next().unwrap_or_default();
    // The header holds the modulus' base64url text: a shorter one has no room for it.
    let longest_modulus = base64url::encoded_len(MAX_PROOF_RSA_BITS / 8);
    if header.len() <= base64url::encoded_len(longest_modulus) {
        return false;
    }
    let decoded = |text: &[u8]| {
        let mut bytes = vec![0u8; base64url::decoded_len(text.len())?];
        let len = base64url::decode(text, &mut bytes).ok()?;
        bytes.truncate(len);
        Some(bytes)
    };
    let Some(header) = decoded(header.as_bytes()) else {
        return false;
    };
    let mut jwk = None;
    let _ = json::parse_object(&header, |name, value| {
        if let (true, Value::Object(object)) = (name == "jwk", value) {
            jwk = Some(object);
        }
        Ok(())
    });
    let (mut rsa, mut modulus) = (false, None);
    let _ = json::parse_object(jwk.unwrap_or_default().as_bytes(), |name, value| {
        match value {
            Value::String(kty) if name == "kty" => rsa = kty == "RSA",
            Value::String(n) if name == "n" => modulus = Some(n.bytes().collect::<Vec<u8>>()),
            _ => {}
        }
        Ok(())
    });
    let Some(modulus) = modulus.filter(|_| rsa).and_then(|n| decoded(&n)) else {
        return false;
    };
    // (A modulus with a leading zero byte is not minimal, and refused on import anyway.)
    let bits = modulus
        .first()
        .map_or(0, |top| modulus.len() * 8 - top.leading_zeros() as usize);
    bits > MAX_PROOF_RSA_BITS
}

/// Stateless server nonces: a keyed hash of the current period of `lifetime` seconds, with
/// a secret made when the gateway starts. The current period's nonce and the previous one
/// are accepted, so a nonce handed out just before a rotation still works.
pub(crate) struct Nonces {
    secret: [u8; 32],
    lifetime: u64,
}

impl Nonces {
    pub(crate) fn new(lifetime: Duration) -> Result<Self, ring::error::Unspecified> {
        let mut secret = [0u8; 32];
        ring::rand::SystemRandom::new().fill(&mut secret)?;
        Ok(Nonces {
            secret,
            lifetime: lifetime.as_secs().max(1),
        })
    }

    fn of_period(&self, period: u64) -> String {
        let mut hash = Sha256::new();
        hash.update(self.secret);
        hash.update(period.to_be_bytes());
        let digest: [u8; 32] = hash.finalize().into();
        let mut text = [0u8; 43];
        let len = jwt_core::base64url::encode(&digest, &mut text).unwrap_or(0);
        String::from_utf8_lossy(text.get(..len).unwrap_or_default()).into_owned()
    }

    /// The nonce handed out at `now`.
    pub(crate) fn current(&self, now: u64) -> String {
        self.of_period(now / self.lifetime)
    }

    /// The nonce of the previous period, still accepted.
    fn previous(&self, now: u64) -> String {
        self.of_period((now / self.lifetime).saturating_sub(1))
    }
}

/// A request's token, accepted as it was presented.
pub(crate) struct Admitted<T> {
    pub(crate) verified: Verified<T>,
    /// The server nonce to hand the client in the response's `DPoP-Nonce` header (RFC 9449
    /// section 8.2): the current one, when the proof carried the previous period's, so a
    /// client making requests at least once per period never meets `use_dpop_nonce`.
    pub(crate) dpop_nonce: Option<String>,
}

/// A DPoP proof accepted for its request.
struct ProvenKey {
    /// The thumbprint of the proof's key, which the token must be bound to.
    thumbprint: String,
    /// The current server nonce, when the proof carried the previous one.
    next_nonce: Option<String>,
}

/// How a request presents its token, read from its headers before anything is awaited.
pub(crate) struct Presentation<'h> {
    pub(crate) scheme: Scheme,
    pub(crate) token: &'h str,
    /// For `DPoP`: the proof, the method and the URI it must name.
    proof: Option<(&'h str, &'h str, String)>,
    /// The thumbprint of the client certificate of the request's TLS connection.
    certificate: Option<Thumbprint>,
}

/// The token of an `Authorization` value with the `Bearer` or `DPoP` scheme (compared
/// without regard to case): one `token68` (RFC 9110 section 11.4; RFC 6750 section 2.1
/// calls it `b64token`).
fn credentials(value: &str) -> Result<(Scheme, &str), Refusal> {
    let value = value.trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let scheme = if scheme.eq_ignore_ascii_case("Bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("DPoP") {
        Scheme::Dpop
    } else {
        return Err(Refusal::NoCredentials);
    };
    let token = rest.trim_start_matches(' ');
    let body = token.trim_end_matches('=');
    // One table lookup a byte: tokens are long (an RS256 token is 600 bytes and more) and
    // this runs on every request.
    let valid = !body.is_empty()
        && body
            .bytes()
            .all(|b| TOKEN68.get(usize::from(b)) == Some(&true));
    match valid {
        true => Ok((scheme, token)),
        false => Err(Refusal::InvalidRequest),
    }
}

/// The bytes of a `token68` before its `=` padding: letters, digits, `-._~+/`.
#[allow(clippy::indexing_slicing)] // `b` < 256, the table's length.
const TOKEN68: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] =
            c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        b += 1;
    }
    table
};

/// The proof header (RFC 9449 section 4.1), made at compile time.
const DPOP: HeaderName = HeaderName::from_static("dpop");

/// The one value of header `name`: `None` without it, an error with several.
fn one<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Result<Option<&'h str>, Refusal> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => value
            .to_str()
            .map(Some)
            .map_err(|_| Refusal::InvalidRequest),
        (Some(_), Some(_)) => Err(Refusal::InvalidRequest),
    }
}

impl<T> Authenticator<T> {
    /// Reads how the request presents its token: `Authorization` with `Bearer`, or with
    /// `DPoP` and one `DPoP` proof header, whose URI is worked out here. The error comes
    /// with the scheme the request used, when it got that far.
    pub(crate) fn presentation<'h>(
        &self,
        method: &'h http::Method,
        uri: &Uri,
        headers: &'h HeaderMap,
        extensions: &Extensions,
    ) -> Result<Presentation<'h>, (Option<Scheme>, Refusal)> {
        // RFC 6750 section 2: one method per request.
        let authorization = one(headers, &http::header::AUTHORIZATION)
            .map_err(|r| (None, r))?
            .ok_or((None, Refusal::NoCredentials))?;
        let (scheme, token) = credentials(authorization).map_err(|r| (None, r))?;
        let certificate = self
            .client_certificate(headers, extensions)
            .map_err(|r| (Some(scheme), r))?;
        if scheme == Scheme::Bearer {
            return Ok(Presentation {
                scheme,
                token,
                proof: None,
                certificate,
            });
        }
        let refused = |refusal| (Some(Scheme::Dpop), refusal);
        // RFC 9449 section 4.3: not more than one proof.
        let proof = match one(headers, &DPOP) {
            Ok(Some(proof)) => proof,
            Ok(None) => return Err(refused(Refusal::NoDpopProof)),
            Err(_) if headers.get_all(&DPOP).iter().count() > 1 => {
                return Err(refused(Refusal::InvalidRequest));
            }
            Err(_) => return Err(refused(Refusal::DpopProof(ProofError::Malformed))),
        };
        let uri = self
            .request_uri(uri, headers, extensions)
            .ok_or(refused(Refusal::InvalidRequest))?;
        Ok(Presentation {
            scheme,
            token,
            proof: Some((proof, method.as_str(), uri)),
            certificate,
        })
    }

    /// The URI the client used (RFC 9449 section 4.3: `htu` without query and fragment):
    /// the configured public origin, else the scheme and host a trusted proxy forwarded,
    /// else those of the connection and its `Host` header; then the path.
    fn request_uri(
        &self,
        uri: &Uri,
        headers: &HeaderMap,
        extensions: &Extensions,
    ) -> Option<String> {
        let settings = &self.inner.dpop;
        let path = uri.path();
        if let Some(origin) = &settings.public_origin {
            return Some(format!("{origin}{path}"));
        }
        let (mut scheme, mut host) = (None, None);
        if self.is_from_trusted_proxy(extensions) {
            (scheme, host) = forwarded(headers);
        }
        let scheme = scheme
            .or(uri.scheme_str().map(str::to_owned))
            .unwrap_or_else(|| match extensions.get::<SecureConnection>() {
                Some(_) => "https".into(),
                None => "http".into(),
            });
        let host = match host {
            Some(host) => host,
            None => match uri.authority() {
                Some(authority) => authority.as_str().to_owned(),
                None => one(headers, &http::header::HOST).ok()??.to_owned(),
            },
        };
        Some(format!("{scheme}://{host}{path}"))
    }

    /// Whether the request's peer is one of the trusted proxies (axum's
    /// `ConnectInfo<SocketAddr>`).
    pub(super) fn is_from_trusted_proxy(&self, extensions: &Extensions) -> bool {
        let proxies = &self.inner.dpop.trusted_proxies;
        if proxies.is_empty() {
            return false;
        }
        #[cfg(feature = "axum")]
        {
            let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
            peer.is_some_and(|peer| proxies.contains(&peer.0.ip()))
        }
        #[cfg(not(feature = "axum"))]
        {
            let _ = extensions;
            false
        }
    }

    /// The answer to a refused request: the challenges of the schemes the gateway takes,
    /// and a fresh nonce with `use_dpop_nonce`.
    pub(crate) fn refusal_response<B: Default>(
        &self,
        refusal: Refusal,
        used: Option<Scheme>,
    ) -> Response<B> {
        let settings = &self.inner.dpop;
        let realm = self.realm();
        let mut offered = match (settings.offers_bearer, settings.offers_dpop) {
            (true, true) => Challenges::bearer(realm).dpop(&settings.algorithms),
            (false, true) => Challenges::dpop_only(realm, &settings.algorithms),
            _ => Challenges::bearer(realm),
        };
        if let Some(used) = used {
            offered = offered.used(used);
        }
        let nonce;
        if refusal == Refusal::DpopProof(ProofError::Nonce) {
            nonce = settings.nonces.current((self.inner.clock)());
            offered = offered.nonce(&nonce);
        }
        refusal.challenged_response(&offered)
    }
}

/// The scheme and host a proxy says the client used: `Forwarded` (RFC 7239) `proto` and
/// `host`, else `X-Forwarded-Proto` and `X-Forwarded-Host`; of each, the last value, the
/// one the trusted proxy itself added.
fn forwarded(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let last = |name: &str| {
        let values = headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
        let last = values.flat_map(|v| v.split(',')).last()?.trim();
        (!last.is_empty()).then(|| last.to_owned())
    };
    if let Some(element) = last("forwarded") {
        let (mut proto, mut host) = (None, None);
        for pair in element.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            let value = value.trim_matches('"').to_owned();
            if name.eq_ignore_ascii_case("proto") {
                proto = Some(value);
            } else if name.eq_ignore_ascii_case("host") {
                host = Some(value);
            }
        }
        return (proto, host);
    }
    (last("x-forwarded-proto"), last("x-forwarded-host"))
}

impl<T: DeserializeOwned + Send + Sync + 'static> Authenticator<T> {
    /// Checks a request's token as it was presented: a bearer token, or a DPoP proof and
    /// then the token with the proof's key.
    pub(crate) async fn check_presented(
        &self,
        presentation: Presentation<'_>,
    ) -> Result<Admitted<T>, Refusal> {
        let certificate = presentation.certificate.as_ref().map(Thumbprint::as_str);
        let Some((proof, method, uri)) = &presentation.proof else {
            let presented = Presented {
                certificate,
                ..Presented::BEARER
            };
            let verified = self
                .verify_presented(presentation.token, &presented)
                .await?;
            return Ok(Admitted {
                verified,
                dpop_nonce: None,
            });
        };
        let metrics = &self.inner.metrics;
        let outcome = async {
            let proven = self
                .check_proof(proof, method, uri, presentation.token)
                .await?;
            let presented = Presented {
                scheme: Scheme::Dpop,
                confirmed: Some(&proven.thumbprint),
                certificate,
            };
            let verified = self
                .verify_presented(presentation.token, &presented)
                .await?;
            Ok(Admitted {
                verified,
                dpop_nonce: proven.next_nonce,
            })
        }
        .await;
        match &outcome {
            Ok(_) => bump(&metrics.dpop_accepted),
            Err(refusal) => {
                bump(&metrics.dpop_refused);
                debug!(%refusal, "DPoP request refused");
            }
        }
        outcome
    }

    /// Verifies the proof for this request and token (every check of RFC 9449 section 4.3,
    /// the provider's nonce if it requires one), and accepts its `jti` once: the proof key's
    /// thumbprint, and the current nonce if the proof carried the previous one.
    async fn check_proof(
        &self,
        proof: &str,
        method: &str,
        uri: &str,
        token: &str,
    ) -> Result<ProvenKey, Refusal> {
        let inner = &self.inner;
        let settings = &inner.dpop;
        let now = (inner.clock)();
        let policy = Policy::new()
            .algorithms(&settings.algorithms)
            .max_age(settings.max_age)
            .max_future(settings.max_future);
        let request = dpop::Request::new(method, uri).access_token(token);
        if settings.algorithms.iter().any(|alg| alg.kty() == "RSA") && has_oversized_rsa_key(proof)
        {
            return Err(Refusal::DpopProof(ProofError::Key));
        }
        let mut buf = vec![0u8; proof.len()];
        let refused = |error| match error {
            jwt_core::Error::Dpop(error) => Refusal::DpopProof(error),
            _ => Refusal::DpopProof(ProofError::Malformed),
        };
        let accepted =
            |p: dpop::Proof<'_>| (p.thumbprint().to_owned(), p.replay_key(), p.issued_at());
        let (verified, next_nonce) = if self.nonce_required(token) {
            let current = settings.nonces.current(now);
            match dpop::verify_proof(proof, &request, &policy.nonce(&current), now, &mut buf) {
                Err(jwt_core::Error::Dpop(ProofError::Nonce)) => {
                    // The nonce of the previous period is still good; the client gets the
                    // current one with the answer.
                    let previous = settings.nonces.previous(now);
                    let mut buf = vec![0u8; proof.len()];
                    let verified = dpop::verify_proof(
                        proof,
                        &request,
                        &policy.nonce(&previous),
                        now,
                        &mut buf,
                    )
                    .map(accepted);
                    (verified, Some(current))
                }
                other => (other.map(accepted), None),
            }
        } else {
            let verified = dpop::verify_proof(proof, &request, &policy, now, &mut buf);
            (verified.map(accepted), None)
        };
        let (thumbprint, replay_key, issued_at) = verified.map_err(refused)?;
        // Accepted until `iat` leaves the window: proofs are refused as stale after that.
        let ttl = issued_at
            .saturating_add(settings.max_age)
            .saturating_add(1)
            .saturating_sub(now);
        match settings
            .replay
            .check_and_remember(replay_key, Duration::from_secs(ttl))
            .await
        {
            Ok(Freshness::Fresh) => Ok(ProvenKey {
                thumbprint,
                next_nonce,
            }),
            Ok(Freshness::Replayed) => {
                bump(&inner.metrics.dpop_replays);
                Err(Refusal::DpopReplayed)
            }
            Err(error) => {
                if error == StoreError::Full {
                    bump(&inner.metrics.replay_store_full);
                }
                tracing::warn!(%error, "DPoP proof refused: its replay check failed");
                Err(Refusal::ReplayCheckUnavailable)
            }
        }
    }

    /// Whether a proof for `token` must carry the server nonce: the token's provider
    /// requires one (for an opaque token, any provider it may be sent to).
    fn nonce_required(&self, token: &str) -> bool {
        let providers = &self.inner.providers;
        if !providers.iter().any(|p| p.config.dpop_nonce) {
            return false;
        }
        if token.split('.').count() == 3 {
            // An unreadable `iss` is refused with the token; until then, the safe answer.
            self.provider_for(token)
                .ok()
                .and_then(|index| providers.get(index))
                .is_none_or(|p| p.config.dpop_nonce)
        } else {
            self.introspectors_for(token)
                .any(|(_, p, _, _)| p.config.dpop_nonce)
        }
    }
}

// The peer address comes from axum's `ConnectInfo`. (Two attributes: clippy's
// `allow-unwrap-in-tests` knows a module for tests by a plain `cfg(test)`.)
#[cfg(test)]
#[cfg(feature = "axum")]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::Provider;

    async fn authenticator(
        configure: impl FnOnce(
            crate::AuthenticatorBuilder<serde_json::Value>,
        ) -> crate::AuthenticatorBuilder<serde_json::Value>,
    ) -> Authenticator<serde_json::Value> {
        let builder = Authenticator::builder().provider(Provider::with_jwks(
            "https://idp.example",
            br#"{"keys":[]}"#,
        ));
        configure(builder).build().await.unwrap()
    }

    /// A `token68` takes letters, digits, `-._~+/` and `=` padding at its end: every other
    /// byte is a malformed credential.
    #[test]
    fn credentials_take_token68_bytes_only() {
        for b in 0u8..=127 {
            let allowed = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            let value = format!("Bearer ab{}cd==", char::from(b));
            let read = credentials(&value);
            match allowed {
                true => assert_eq!(read.ok(), Some((Scheme::Bearer, value.get(7..).unwrap()))),
                false => assert!(read.is_err(), "byte {b}"),
            }
        }
        assert_eq!(
            credentials("DPoP a.b-c_d~e+f/g=").ok(),
            Some((Scheme::Dpop, "a.b-c_d~e+f/g="))
        );
        for value in ["Bearer é", "Bearer ==", "Bearer a=b", "Bearer "] {
            assert!(credentials(value).is_err(), "{value}");
        }
    }

    /// The URI of a request to `/orders?page=2` from `peer`, with `headers`.
    fn uri_of(
        auth: &Authenticator<serde_json::Value>,
        headers: &[(&str, &str)],
        peer: &str,
        tls: bool,
    ) -> Option<String> {
        let mut request = http::Request::get("/orders?page=2");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(()).unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        if tls {
            request.extensions_mut().insert(SecureConnection);
        }
        auth.request_uri(request.uri(), request.headers(), request.extensions())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_request_uri_is_the_one_the_client_used() {
        let forwarded = [
            ("host", "internal:8080"),
            (
                "forwarded",
                "for=1.2.3.4;proto=http;host=evil.example, for=5.6.7.8;proto=https;host=api.example",
            ),
        ];
        let x_forwarded = [
            ("host", "internal:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example, api.example"),
        ];
        let direct = authenticator(|b| b).await;
        // The connection and its Host header; the query is not part of it.
        assert_eq!(
            uri_of(&direct, &[("host", "api.example:8443")], "9.9.9.9:1", false).as_deref(),
            Some("http://api.example:8443/orders")
        );
        assert_eq!(
            uri_of(&direct, &[("host", "api.example")], "9.9.9.9:1", true).as_deref(),
            Some("https://api.example/orders")
        );
        assert_eq!(uri_of(&direct, &[], "9.9.9.9:1", false), None);
        // Proxy headers from a peer nobody trusts are ignored.
        for headers in [&forwarded[..], &x_forwarded[..]] {
            assert_eq!(
                uri_of(&direct, headers, "10.0.0.2:1", false).as_deref(),
                Some("http://internal:8080/orders")
            );
        }
        // From a trusted proxy, the last value of each: the one it added.
        let proxied = authenticator(|b| b.trusted_proxies(["10.0.0.2".parse().unwrap()])).await;
        for headers in [&forwarded[..], &x_forwarded[..]] {
            assert_eq!(
                uri_of(&proxied, headers, "10.0.0.2:1", false).as_deref(),
                Some("https://api.example/orders")
            );
            assert_eq!(
                uri_of(&proxied, headers, "10.0.0.3:1", false).as_deref(),
                Some("http://internal:8080/orders")
            );
        }
        // A public origin wins over all of it.
        let public = authenticator(|b| {
            b.public_origin("https://API.example:443/")
                .trusted_proxies(["10.0.0.2".parse().unwrap()])
        })
        .await;
        assert_eq!(
            uri_of(&public, &forwarded, "10.0.0.2:1", false).as_deref(),
            Some("https://API.example:443/orders")
        );
        assert!(
            Authenticator::<serde_json::Value>::builder()
                .provider(Provider::with_jwks(
                    "https://idp.example",
                    br#"{"keys":[]}"#
                ))
                .public_origin("https://api.example/base?x")
                .build()
                .await
                .is_err()
        );
    }

    /// The outcome of a DPoP request to `https://api.example/orders` with `token` and `proof`.
    async fn outcome(
        auth: &Authenticator<serde_json::Value>,
        token: &str,
        proof: &str,
    ) -> Result<(), Refusal> {
        let request = http::Request::get("/orders")
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .body(())
            .unwrap();
        let (method, uri) = (request.method(), request.uri());
        let presentation = auth
            .presentation(method, uri, request.headers(), request.extensions())
            .map_err(|(_, refusal)| refusal)?;
        auth.check_presented(presentation).await.map(|_| ())
    }

    fn b64(bytes: &[u8]) -> String {
        let mut out = vec![0u8; jwt_core::base64url::encoded_len(bytes.len())];
        let len = jwt_core::base64url::encode(bytes, &mut out).unwrap();
        String::from_utf8(out[..len].to_vec()).unwrap()
    }

    /// A proof for GET `https://api.example/orders` with `token`, with this RSA key in its
    /// header, signed by `signer` or, without one, with a forged signature as long as the
    /// modulus.
    fn rsa_proof(n: &[u8], token: &str, signer: Option<&impl jwt_core::SigningKey>) -> String {
        let header = format!(
            r#"{{"typ":"dpop+jwt","alg":"RS256","jwk":{{"kty":"RSA","n":"{}","e":"AQAB"}}}}"#,
            b64(n)
        );
        let ath = b64(&Sha256::digest(token.as_bytes()));
        let payload = format!(
            r#"{{"jti":"{}","htm":"GET","htu":"https://api.example/orders","iat":{},"ath":"{ath}"}}"#,
            b64(&Sha256::digest(n)),
            jwt_core::now()
        );
        let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let signature = match signer {
            Some(key) => {
                let mut signature = vec![0u8; key.signature_len()];
                key.sign_signature(input.as_bytes(), &mut signature)
                    .unwrap();
                signature
            }
            None => {
                let mut forged = n.to_vec();
                forged[0] = 0x01;
                forged
            }
        };
        format!("{input}.{}", b64(&signature))
    }

    /// An odd modulus of `bits` bits (top bit set).
    fn modulus(bits: usize) -> Vec<u8> {
        let mut n = vec![1 << ((bits - 1) % 8)];
        n.extend((1..bits.div_ceil(8)).map(|i| Sha256::digest(i.to_be_bytes())[0] | 1));
        n
    }

    /// An RSA key in a proof is refused (`Key`) before it is imported when its modulus has
    /// more than 4096 bits; up to 4096 bits it is imported and a forged signature refused
    /// (`Signature`), and a 2048-bit key's real proof accepted.
    #[tokio::test(flavor = "current_thread")]
    async fn rsa_proof_keys_have_at_most_4096_bits() {
        use jwt_core::{HeaderFields, Hs256Key, Jwk, Rs256PrivateKey};

        const JWK: &str = r#"{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}"#;
        let auth = authenticator(|b| {
            b.provider(
                Provider::with_jwks(
                    "https://tokens.example",
                    format!(r#"{{"keys":[{JWK}]}}"#).as_bytes(),
                )
                .jwt(),
            )
            .public_origin("https://api.example")
        })
        .await;
        let signer = Hs256Key::from_jwk(&Jwk::parse(JWK.as_bytes()).unwrap()).unwrap();
        let token = |jkt: &str| {
            let claims = serde_json::json!({
                "iss": "https://tokens.example", "exp": jwt_core::now() + 300,
                "cnf": {"jkt": jkt},
            });
            jwt_core::sign_to_string(&signer, &HeaderFields::new().kid("k"), &claims).unwrap()
        };
        let any = token("unused");
        let forged = |n: &[u8]| rsa_proof(n, &any, None::<&Rs256PrivateKey>);
        let (key_refused, signature_refused) = (
            Err(Refusal::DpopProof(ProofError::Key)),
            Err(Refusal::DpopProof(ProofError::Signature)),
        );
        for (bits, expected) in [
            (2048, signature_refused),
            (4096, signature_refused),
            (4097, key_refused),
            (8192, key_refused),
        ] {
            let proof = forged(&modulus(bits));
            assert_eq!(outcome(&auth, &any, &proof).await, expected, "{bits} bits");
        }

        // The repository's RSA 2048 test key, whose public half is `auth0-current`.
        let set: serde_json::Value =
            serde_json::from_slice(include_bytes!("../../../tests/data/jwks/auth0.json")).unwrap();
        let public = &set["keys"][1];
        assert_eq!(public["kid"], "auth0-current");
        let n_text = public["n"].as_str().unwrap();
        let mut n = vec![0u8; 256];
        jwt_core::base64url::decode(n_text.as_bytes(), &mut n).unwrap();
        let jwk = format!(r#"{{"kty":"RSA","n":"{n_text}","e":"AQAB"}}"#);
        let jkt = b64(&Jwk::parse(jwk.as_bytes()).unwrap().thumbprint().unwrap());
        let bound = token(&jkt);
        let key = Rs256PrivateKey::from_pkcs1_der(include_bytes!(
            "../../../tests/data/keys/rsa2048.pkcs1.der"
        ))
        .unwrap();
        let proof = rsa_proof(&n, &bound, Some(&key));
        assert_eq!(outcome(&auth, &bound, &proof).await, Ok(()));
        // Without RSA among the proof algorithms, any RSA proof is refused for its `alg`.
        let ec_only = authenticator(|b| {
            b.dpop_algorithms(&[Algorithm::Es256])
                .public_origin("https://api.example")
        })
        .await;
        assert_eq!(
            outcome(&ec_only, &any, &forged(&modulus(8192))).await,
            Err(Refusal::DpopProof(ProofError::Algorithm))
        );
    }

    #[test]
    fn nonces_rotate_and_the_previous_one_is_still_known() {
        let nonces = Nonces::new(Duration::from_secs(300)).unwrap();
        assert_eq!(nonces.current(600), nonces.current(899));
        assert_ne!(nonces.current(600), nonces.current(900));
        assert_eq!(nonces.previous(900), nonces.current(600));
        // Another gateway's secret makes other nonces.
        let other = Nonces::new(Duration::from_secs(300)).unwrap();
        assert_ne!(nonces.current(600), other.current(600));
    }
}
