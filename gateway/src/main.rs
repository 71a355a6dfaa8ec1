//! `jwt-gateway`: forward-auth for nginx, Traefik, Caddy and Envoy, or a reverse proxy,
//! checking OAuth 2.0 access tokens with jwt-core-tower. See the README.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jwt_gateway::config::Flags;
use jwt_gateway::{Config, ConfigError};
use tokio::signal::unix::{SignalKind, signal};
use tracing::{error, info, warn};

/// Checks OAuth 2.0 access tokens for a reverse proxy (forward-auth at /auth) or in front
/// of an upstream (--upstream).
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// The configuration file (TOML); instead of the one-provider flags.
    #[arg(long, conflicts_with_all = ["issuer", "audience", "scope", "upstream", "listen", "auth_path", "claim_header", "token_cache", "trusted_proxy", "redis", "redis_cluster"])]
    config: Option<PathBuf>,
    /// The provider's issuer (OpenID discovery starts here).
    #[arg(long, required_unless_present = "config")]
    issuer: Option<String>,
    /// An audience tokens may name (this service's identifier); repeatable.
    #[arg(long, required_unless_present = "config")]
    audience: Vec<String>,
    /// A scope every request needs; repeatable.
    #[arg(long)]
    scope: Vec<String>,
    /// An address to serve on (default 127.0.0.1:8080); repeatable.
    #[arg(long)]
    listen: Vec<String>,
    /// Proxy authenticated requests to this URL (reverse-proxy mode).
    #[arg(long)]
    upstream: Option<String>,
    /// The forward-auth path (default /auth).
    #[arg(long)]
    auth_path: Option<String>,
    /// CLAIM=HEADER: pass a claim of accepted tokens on as a header; repeatable.
    #[arg(long)]
    claim_header: Vec<String>,
    /// Verified tokens to keep (0 turns the cache off; default 10000).
    #[arg(long)]
    token_cache: Option<u64>,
    /// A proxy (IP address) whose forwarded-request headers are believed; repeatable
    /// (default 127.0.0.1 and ::1).
    #[arg(long)]
    trusted_proxy: Vec<String>,
    /// Log JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
    /// The Redis the replicas of a fleet share (redis:// or rediss:// URL): DPoP proofs
    /// are then accepted once across the fleet; repeatable for a cluster's seed nodes.
    #[arg(long, value_name = "URL")]
    redis: Vec<String>,
    /// The Redis is a Redis Cluster.
    #[arg(long, requires = "redis")]
    redis_cluster: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Checks a configuration file and reports every error with its line.
    Check {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Revokes tokens for every replica sharing the Redis: one by its `jti` until its
    /// `exp`, or all those issued to a subject or a client before a time. Exit status 0
    /// when written and announced, 1 when Redis failed, 2 for bad arguments.
    Revoke(RevokeArgs),
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["jti", "sub", "client_id"])))]
struct RevokeArgs {
    /// The fleet's Redis (redis:// or rediss:// URL); repeatable for a cluster's seed nodes
    /// (any one of them will do).
    #[arg(long, value_name = "URL", required = true)]
    redis: Vec<String>,
    /// The Redis is a Redis Cluster.
    #[arg(long)]
    redis_cluster: bool,
    /// The fleet's key prefix (`[redis] key_prefix`).
    #[arg(long, default_value = "jwt-gateway:")]
    key_prefix: String,
    /// Revoke the token with this `jti`...
    #[arg(long, requires = "until")]
    jti: Option<String>,
    /// ...until its `exp` (unix seconds).
    #[arg(long, requires = "jti")]
    until: Option<u64>,
    /// Revoke the tokens of this subject issued before --before.
    #[arg(long)]
    sub: Option<String>,
    /// Revoke the tokens of this client issued before --before.
    #[arg(long)]
    client_id: Option<String>,
    /// The cut-off for --sub or --client-id (unix seconds; default now).
    #[arg(long, conflicts_with = "jti")]
    before: Option<u64>,
    /// How long a cut-off is kept: the longest lifetime of the tokens it refuses (seconds).
    #[arg(long, default_value_t = 86_400, conflicts_with = "jti")]
    lifetime: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::Revoke(revoke)) = &args.command {
        return revoke_command(revoke);
    }
    if let Some(Command::Check { config }) = &args.command {
        return match Config::load(config) {
            Ok(_) => {
                println!("{}: ok", config.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        };
    }
    let loaded = match &args.config {
        Some(path) => Config::load(path),
        None => Config::from_flags(Flags {
            issuer: args.issuer.clone().unwrap_or_default(),
            audiences: args.audience.clone(),
            scopes: args.scope.clone(),
            listen: args.listen.clone(),
            upstream: args.upstream.clone(),
            auth_path: args.auth_path.clone(),
            claim_headers: args.claim_header.clone(),
            token_cache: args.token_cache,
            trusted_proxies: args.trusted_proxy.clone(),
            log_json: args.log_json,
            redis: args.redis.clone(),
            redis_cluster: args.redis_cluster,
        }),
    };
    let mut config = match loaded {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if args.log_json {
        config.log.format = jwt_gateway::config::LogFormat::Json;
    }
    jwt_gateway::telemetry::init_logs(config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("jwt-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config, args.config))
}

/// `jwt-gateway revoke`.
fn revoke_command(args: &RevokeArgs) -> ExitCode {
    use jwt_gateway::fleet::Revocation;
    let before = args.before.unwrap_or_else(jwt_core::now);
    let revocation = match (&args.jti, args.until, &args.sub, &args.client_id) {
        (Some(_), Some(until), None, None) if until <= jwt_core::now() => {
            eprintln!("jwt-gateway revoke: --until has passed: the token has expired already");
            return ExitCode::from(2);
        }
        (Some(jti), Some(until), None, None) => Revocation::Jti {
            jti: jti.clone(),
            until,
        },
        (None, None, Some(sub), None) => Revocation::Subject {
            sub: sub.clone(),
            before,
        },
        (None, None, None, Some(client_id)) => Revocation::Client {
            client_id: client_id.clone(),
            before,
        },
        _ => {
            eprintln!("jwt-gateway revoke: name one of --jti (with --until), --sub, --client-id");
            return ExitCode::from(2);
        }
    };
    let flags = Flags {
        issuer: "https://unused.invalid".into(),
        audiences: vec!["unused".into()],
        redis: args.redis.clone(),
        redis_cluster: args.redis_cluster,
        ..Flags::default()
    };
    let mut settings = match Config::from_flags(flags).map(|config| config.redis) {
        Ok(Some(settings)) => settings,
        Ok(None) => return ExitCode::from(2),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    settings.key_prefix.clone_from(&args.key_prefix);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("jwt-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lifetime = std::time::Duration::from_secs(args.lifetime);
    let written = runtime.block_on(jwt_gateway::fleet::revocation::revoke(
        &settings,
        &revocation,
        lifetime,
    ));
    match written {
        Ok(receivers) => {
            println!("revoked; announced to {receivers} subscriber(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jwt-gateway revoke: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config, path: Option<PathBuf>) -> ExitCode {
    let (Ok(mut hangups), Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        error!("cannot handle signals");
        return ExitCode::FAILURE;
    };
    let running = match jwt_gateway::start(config).await {
        Ok(running) => running,
        Err(e) => {
            error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    loop {
        tokio::select! {
            _ = hangups.recv() => reload(&running, path.as_deref()).await,
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    info!("stopping: no new connections, finishing requests in flight");
    running.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGHUP: the file again, put in force only if all of it is good.
async fn reload(running: &jwt_gateway::Running, path: Option<&std::path::Path>) {
    let Some(path) = path else {
        warn!("SIGHUP: no configuration file to reload (started with flags)");
        return;
    };
    let config = match Config::load(path) {
        Ok(config) => config,
        Err(ConfigError { problems, file }) => {
            let e = ConfigError { problems, file };
            error!(errors = %e, "reload refused: the configuration in force is kept");
            return;
        }
    };
    match running.reload(config).await {
        Ok(()) => info!(file = %path.display(), "configuration reloaded"),
        Err(e) => error!(error = %e, "reload refused: the configuration in force is kept"),
    }
}
