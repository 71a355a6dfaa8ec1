//! `axum-gateway --issuer URL --audience AUD [--listen 127.0.0.1:8080] [--scope orders:read]`:
//! serves `/orders` for access tokens from the OpenID provider at URL.

use std::path::PathBuf;
use std::process::ExitCode;

use axum_gateway::{Options, app, authenticator};
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
    eprintln!("axum-gateway: serving /orders on http://{address}");
    match axum::serve(listener, app(&auth, &options.scope)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}
