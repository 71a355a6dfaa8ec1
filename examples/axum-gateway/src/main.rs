//! `cargo run -- JWKS_FILE ISSUER AUDIENCE [ADDRESS]`: serves `/orders` on ADDRESS (default
//! 127.0.0.1:8080) for access tokens from ISSUER, signed with a key of JWKS_FILE.

use std::process::ExitCode;
use std::sync::Arc;

use axum_gateway::{Gateway, app};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [jwks, issuer, audience, rest @ ..] = args.as_slice() else {
        eprintln!("usage: axum-gateway JWKS_FILE ISSUER AUDIENCE [ADDRESS]");
        return ExitCode::from(2);
    };
    let address = rest.first().map_or("127.0.0.1:8080", String::as_str);
    let gateway = match std::fs::read(jwks)
        .map_err(|e| e.to_string())
        .and_then(|doc| Gateway::new(&doc, issuer, audience).map_err(|e| e.to_string()))
    {
        Ok(gateway) => Arc::new(gateway),
        Err(e) => {
            eprintln!("axum-gateway: {jwks}: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum-gateway: {address}: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!("axum-gateway: serving /orders on http://{address}");
    match axum::serve(listener, app(gateway)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}
