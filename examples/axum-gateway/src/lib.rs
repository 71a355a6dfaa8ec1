//! An order API behind jwt-core-tower: every request to `/orders` must carry an RFC 9068
//! access token from the configured OpenID provider, for this API's audience, granting the
//! route's scope (`orders:read` by default): a bearer token (`Authorization: Bearer ...`),
//! a DPoP-bound one with a fresh proof for the request (`Authorization: DPoP ...` and a
//! `DPoP` header, RFC 9449), or one bound to the client certificate of the TLS connection
//! (RFC 8705) when the gateway terminates TLS with client certificates. `/healthz` is open.
//! Refusals answer as RFC 6750 and RFC 9449 say: 400 `invalid_request`, 401 `invalid_token`
//! or `invalid_dpop_proof` (or bare challenges without credentials), 403
//! `insufficient_scope`, each with its `WWW-Authenticate` headers; 503 while the provider's
//! keys cannot be had.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::{Json, Router};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use jwt_core_tower::{
    Authenticator, BuildError, Claims, ClientCertificate, Provider, RequireScopeLayer,
    SecureConnection, SenderConstraint,
};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// The challenges' realm.
pub const REALM: &str = "orders";

/// Where the gateway gets its keys and what it requires.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The provider's issuer identifier.
    pub issuer: String,
    /// This API's identifier, which tokens must name in `aud`.
    pub audience: String,
    /// The scope `/orders` requires.
    pub scope: String,
    /// Keys from this JWK Set file instead of the provider (never refreshed).
    pub jwks_file: Option<PathBuf>,
    /// Keys from this URL instead of discovery.
    pub jwks_uri: Option<String>,
    /// Verified tokens kept (0: no cache).
    pub token_cache: u64,
    /// Only DPoP-bound tokens with their proofs: bearer tokens are refused.
    pub require_dpop: bool,
    /// DPoP proofs must carry a server nonce (`DPoP-Nonce`, RFC 9449 section 8).
    pub dpop_nonce: bool,
    /// The scheme and authority clients use (`https://api.example`), which DPoP proofs
    /// name; by default those of each request.
    pub public_origin: Option<String>,
    /// Proxies trusted for `Forwarded`/`X-Forwarded-*` (the URI DPoP proofs name) and for
    /// `Client-Cert` (the client certificate, RFC 9440).
    pub trusted_proxies: Vec<IpAddr>,
}

/// The claims the handler reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Access {
    /// Who the token was issued for.
    pub sub: String,
    /// The application acting for them.
    pub client_id: String,
}

/// The authenticator for `options`: discovery and the first key fetch happen here.
///
/// # Errors
/// A message for an unreadable key file or a provider that cannot be set up.
pub async fn authenticator(options: &Options) -> Result<Authenticator<Access>, String> {
    let provider = match (&options.jwks_file, &options.jwks_uri) {
        (Some(file), _) => {
            let document = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
            Provider::with_jwks(&options.issuer, &document)
        }
        (None, Some(uri)) => Provider::with_jwks_uri(&options.issuer, uri),
        (None, None) => Provider::discover(&options.issuer),
    };
    let mut provider = provider.audience(&options.audience);
    if options.require_dpop {
        provider = provider.sender_constraint(SenderConstraint::Dpop);
    }
    if options.dpop_nonce {
        provider = provider.require_dpop_nonce();
    }
    let mut builder = Authenticator::builder()
        .provider(provider)
        .token_cache(options.token_cache)
        .realm(REALM)
        .trusted_proxies(options.trusted_proxies.iter().copied());
    if let Some(origin) = &options.public_origin {
        builder = builder.public_origin(origin);
    }
    builder.build().await.map_err(|e: BuildError| e.to_string())
}

/// The TLS server configuration: the certificate chain and private key of the gateway (PEM
/// files) and, with `client_ca`, client certificates issued by one of that file's CAs,
/// asked for and verified but optional (bearer and DPoP clients need none; a
/// certificate-bound token needs its certificate).
///
/// # Errors
/// A message naming the file that cannot be read or used.
pub fn tls_config(
    certificate: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<ServerConfig>, String> {
    let chain = CertificateDer::pem_file_iter(certificate)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| named(certificate, e))?;
    if chain.is_empty() {
        return Err(named(certificate, "no certificate"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| named(key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| named(path, e))?;
            for cert in certs {
                roots.add(cert).map_err(|e| named(path, e))?;
            }
            if roots.is_empty() {
                return Err(named(path, "no CA certificate"));
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| named(path, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key_der)
        .map_err(|e| named(key, e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// An error about the file at `path`.
fn named(path: &Path, error: impl std::fmt::Display) -> String {
    format!("{}: {error}", path.display())
}

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener`: plain HTTP, or with `tls` HTTPS whose requests carry
/// [`SecureConnection`] and the verified [`ClientCertificate`] of their connection. Every
/// request carries its peer address (`ConnectInfo`), by which trusted proxies are known.
///
/// # Errors
/// Those of plain serving; over TLS, accepting goes on after errors.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<ServerConfig>>,
) -> io::Result<()> {
    let Some(tls) = tls else {
        return axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    };
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: wait for connections to close.
                eprintln!("axum-gateway: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                // A failed handshake is the client's to see; nothing to serve.
                _ => return,
            };
            // The verifier checked the chain; the first certificate is the client's own.
            let certificate = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|der| ClientCertificate::from_der(der.as_ref()));
            let service = hyper::service::service_fn(
                move |mut request: http::Request<Incoming>| {
                    let extensions = request.extensions_mut();
                    extensions.insert(ConnectInfo(peer));
                    extensions.insert(SecureConnection);
                    if let Some(certificate) = &certificate {
                        extensions.insert(certificate.clone());
                    }
                    let response = app.clone().oneshot(request.map(Body::new));
                    async move { Ok::<_, Infallible>(response.await.unwrap_or_else(|e| match e {})) }
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The application: `/orders` behind the token and `scope`, `/healthz` open.
pub fn app(auth: &Authenticator<Access>, scope: &str) -> Router {
    let orders = Router::new()
        .route(
            "/orders",
            get(orders).layer(RequireScopeLayer::new([scope]).realm(REALM)),
        )
        .layer(auth.layer());
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(orders)
}

async fn orders(Claims(caller): Claims<Access>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "subject": caller.sub,
        "client_id": caller.client_id,
        "orders": [{ "id": "o-1001", "total": "42.00" }],
    }))
}
