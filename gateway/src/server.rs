//! Serving: the listeners, each connection (plain or TLS, HTTP/1.1 with upgrades or
//! HTTP/2), the configuration in force and its replacement on reload, and the drain on
//! shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::graceful::GracefulShutdown;
use jwt_core_tower::ClientCertificate;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

use crate::config::{Config, TlsFiles};
use crate::gateway::{Connection, Gateway, StartError, X_REQUEST_ID, handle, request_id};
use crate::telemetry::{Outcome, Telemetry};

/// What every connection shares.
struct Shared {
    current: ArcSwap<Gateway>,
    telemetry: Telemetry,
    ready: AtomicBool,
    generations: AtomicU64,
}

/// A running gateway: its addresses, and the handles to reload and stop it.
pub struct Running {
    shared: Arc<Shared>,
    addresses: Vec<SocketAddr>,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addresses", &self.addresses)
            .finish_non_exhaustive()
    }
}

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS acceptor of `files`: the certificate chain and key, and with a client CA,
/// client certificates asked for and verified but optional.
///
/// # Errors
/// A message naming the file that cannot be read or used.
pub(crate) fn tls_acceptor(files: &TlsFiles) -> Result<TlsAcceptor, String> {
    let named =
        |path: &std::path::Path, e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let chain = CertificateDer::pem_file_iter(&files.certificate)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| named(&files.certificate, &e))?;
    if chain.is_empty() {
        return Err(named(&files.certificate, &"no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| named(&files.key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| named(path, &e))?;
            for cert in certs {
                roots.add(cert).map_err(|e| named(path, &e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| named(path, &e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| named(&files.key, &e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Builds `config` (providers discovered, keys loaded), binds its listeners and serves.
///
/// # Errors
/// A provider, file or address that cannot be set up: nothing is served then.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let gateway = Gateway::build(config, 1, None).await?;
    let mut listeners = Vec::new();
    for address in &gateway.config.listen {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| StartError::Bind(*address, e))?;
        listeners.push(listener);
    }
    let addresses: Vec<SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let telemetry = Telemetry::new();
    telemetry.applied(gateway.config.providers.len());
    let mode = match &gateway.config.upstream {
        Some(upstream) => format!("proxying to {upstream}"),
        None => "forward-auth only".into(),
    };
    let scheme = if gateway.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let shared = Arc::new(Shared {
        current: ArcSwap::from_pointee(gateway),
        telemetry,
        ready: AtomicBool::new(true),
        generations: AtomicU64::new(1),
    });
    for address in &addresses {
        info!(%mode, "listening on {scheme}://{address}");
    }
    let (stop, stopped) = watch::channel(false);
    let served = tokio::spawn(serve(Arc::clone(&shared), listeners, stopped));
    Ok(Running {
        shared,
        addresses,
        stop,
        served,
    })
}

impl Running {
    /// The addresses served (with the ports chosen for port 0).
    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }

    /// The configuration in force.
    pub fn config(&self) -> Config {
        self.shared.current.load().config.clone()
    }

    /// Puts `config` in force once it is fully built (providers discovered, keys loaded):
    /// requests in flight finish with the configuration they started with, connections stay
    /// open. Listen addresses are kept: changing them needs a restart.
    ///
    /// # Errors
    /// Why the new configuration could not be built; the old one stays in force.
    pub async fn reload(&self, config: Config) -> Result<(), StartError> {
        let generation = self.shared.generations.fetch_add(1, Ordering::Relaxed) + 1;
        let old = self.shared.current.load_full();
        if config.listen != old.config.listen {
            warn!("listen addresses changed: they take effect at the next start");
        }
        let built = Gateway::build(config, generation, Some(&old)).await;
        self.shared.telemetry.reload(built.is_ok());
        let gateway = built?;
        // What the old authenticator counted is kept before its counters go.
        self.shared
            .telemetry
            .flush(old.generation, old.auth.metrics());
        self.shared
            .telemetry
            .applied(gateway.config.providers.len());
        self.shared.current.store(Arc::new(gateway));
        Ok(())
    }

    /// Stops accepting connections, lets requests in flight finish (up to the drain
    /// timeout), then returns.
    pub async fn shutdown(self) {
        self.shared.ready.store(false, Ordering::SeqCst);
        let _ = self.stop.send(true);
        let _ = self.served.await;
    }
}

/// Accepts on every listener until told to stop, then drains.
async fn serve(
    shared: Arc<Shared>,
    listeners: Vec<TcpListener>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = Arc::new(GracefulShutdown::new());
    let mut accepting = Vec::new();
    for listener in listeners {
        let (shared, graceful, mut stopped) =
            (Arc::clone(&shared), Arc::clone(&graceful), stopped.clone());
        accepting.push(tokio::spawn(async move {
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.wait_for(|stop| *stop) => break,
                };
                let (tcp, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of descriptors and the like: wait for connections to close.
                        warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let _ = tcp.set_nodelay(true);
                shared.telemetry.connection();
                let tls = shared.current.load().tls.clone();
                let shared = Arc::clone(&shared);
                let builder = builder.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    match tls {
                        None => {
                            let connection = Connection {
                                peer,
                                tls: false,
                                certificate: None,
                            };
                            let service = service(shared, connection);
                            let conn =
                                builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
                            let _ = watcher.watch(conn.into_owned()).await;
                        }
                        Some(acceptor) => {
                            let Ok(Ok(stream)) =
                                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                            else {
                                return;
                            };
                            // The verifier checked the chain; the first certificate is the client's.
                            let certificate = stream
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|chain| chain.first())
                                .map(|der| ClientCertificate::from_der(der.as_ref()));
                            let connection = Connection {
                                peer,
                                tls: true,
                                certificate,
                            };
                            let service = service(shared, connection);
                            let conn = builder
                                .serve_connection_with_upgrades(TokioIo::new(stream), service);
                            let _ = watcher.watch(conn.into_owned()).await;
                        }
                    }
                });
            }
        }));
    }
    let _ = stopped.wait_for(|stop| *stop).await;
    for task in accepting {
        let _ = task.await;
    }
    let drain = shared.current.load().config.drain_timeout;
    let graceful = Arc::try_unwrap(graceful).unwrap_or_else(|_| GracefulShutdown::new());
    info!(
        timeout_ms = drain.as_millis() as u64,
        "draining requests in flight"
    );
    match tokio::time::timeout(drain, graceful.shutdown()).await {
        Ok(()) => info!("drained"),
        Err(_) => warn!("drain timeout: closing the connections left"),
    }
}

/// The service of one connection.
fn service(
    shared: Arc<Shared>,
    connection: Connection,
) -> impl hyper::service::Service<
    http::Request<Incoming>,
    Response = http::Response<crate::gateway::Body>,
    Error = std::convert::Infallible,
    Future = impl Future<
        Output = Result<http::Response<crate::gateway::Body>, std::convert::Infallible>,
    > + Send,
> + Clone {
    let connection = Arc::new(connection);
    hyper::service::service_fn(move |request: http::Request<Incoming>| {
        let shared = Arc::clone(&shared);
        let connection = Arc::clone(&connection);
        async move {
            // The access log's fields are gathered only when its lines are written.
            let logged = tracing::enabled!(tracing::Level::INFO);
            let started = logged.then(Instant::now);
            let gateway = shared.current.load_full();
            let id = request_id(request.headers());
            // The path only: a query may carry a token (RFC 6750 section 2.3).
            let line = logged.then(|| (request.method().clone(), request.uri().path().to_owned()));
            let ready = shared.ready.load(Ordering::Relaxed);
            let mut handled =
                handle(gateway, &shared.telemetry, ready, &connection, request, &id).await;
            if handled.outcome != Outcome::Other {
                let route = handled.route.as_deref().map(|r| &r.counters);
                shared.telemetry.request(route, handled.outcome);
                if let (Some((method, path)), Some(started)) = (line, started) {
                    info!(
                        request_id = id.to_str().unwrap_or_default(),
                        peer = %connection.peer.ip(),
                        %method,
                        path,
                        route = route.map_or("", |r| r.name()),
                        outcome = handled.outcome.label(),
                        status = handled.response.status().as_u16(),
                        micros = started.elapsed().as_micros() as u64,
                        "request"
                    );
                }
            }
            handled.response.headers_mut().insert(X_REQUEST_ID, id);
            Ok(handled.response)
        }
    })
}
