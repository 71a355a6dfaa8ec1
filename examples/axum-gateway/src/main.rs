//! `axum-gateway --issuer URL --audience AUD [--listen 127.0.0.1:8080] [--scope orders:read]`:
//! serves `/orders` for access tokens from the OpenID provider at URL (bearer, DPoP-bound,
//! and with `--tls-cert`, `--tls-key` and `--client-ca` certificate-bound).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use axum_gateway::{Options, app, authenticator, serve, tls_config};
use clap::Parser;

/// An order API behind jwt-core-tower, in front of an OpenID provider.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The provider's issuer identifier (discovery starts here).
    #[arg(long)]
    issuer: String,
    /// This API's identifier: tokens must name it in `aud`.
    #[arg(long)]
    audience: String,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Scope `/orders` requires.
    #[arg(long, default_value = "orders:read")]
    scope: String,
    /// Keys from this JWK Set file instead of the provider.
    #[arg(long, conflicts_with = "jwks_uri")]
    jwks_file: Option<PathBuf>,
    /// Keys from this URL instead of discovery.
    #[arg(long)]
    jwks_uri: Option<String>,
    /// Verified tokens to keep (0 turns the cache off).
    #[arg(long, default_value_t = 10_000)]
    token_cache: u64,
    /// Only DPoP-bound tokens, each with a fresh proof: bearer tokens are refused.
    #[arg(long)]
    require_dpop: bool,
    /// DPoP proofs must carry a server nonce (answered with `DPoP-Nonce`).
    #[arg(long)]
    dpop_nonce: bool,
    /// The scheme and authority clients use (https://api.example), which DPoP proofs name;
    /// by default those of each request.
    #[arg(long)]
    public_origin: Option<String>,
    /// A proxy (IP address) whose Forwarded/X-Forwarded-* and Client-Cert headers are
    /// believed; repeatable.
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// Serve HTTPS with this certificate chain (PEM).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Ask for client certificates issued by these CAs (PEM), for certificate-bound tokens;
    /// clients without one are still served.
    #[arg(long, requires = "tls_cert")]
    client_ca: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let options = Options {
        issuer: args.issuer,
        audience: args.audience,
        scope: args.scope,
        jwks_file: args.jwks_file,
        jwks_uri: args.jwks_uri,
        token_cache: args.token_cache,
        require_dpop: args.require_dpop,
        dpop_nonce: args.dpop_nonce,
        public_origin: args.public_origin,
        trusted_proxies: args.trusted_proxies,
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match tls_config(cert, key, args.client_ca.as_deref()) {
            Ok(config) => Some(config),
            Err(e) => {
                eprintln!("axum-gateway: {e}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let auth = match authenticator(&options).await {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("axum-gateway: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum-gateway: {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    // With port 0 the system chooses one: say which.
    let address = listener
        .local_addr()
        .map_or_else(|_| args.listen.clone(), |a| a.to_string());
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("axum-gateway: serving /orders on {scheme}://{address}");
    match serve(listener, app(&auth, &options.scope), tls).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}
