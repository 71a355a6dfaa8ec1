//! A real OpenID provider (node-oidc-provider, `tests/provider/`) and a gateway in front of
//! a small order API, both on 127.0.0.1, for the integration tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use jwt_core_tower::{Authenticator, Claims, RequireScopeLayer};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The claims the order API reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Access {
    #[serde(default)]
    pub sub: Option<String>,
    pub client_id: String,
}

/// `tower/tests/provider`, found from whichever package of the workspace includes this.
fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tower/tests/provider"))
        .find(|dir| dir.join("provider.mjs").exists())
        .expect("tower/tests/provider in the workspace")
}

/// Whether Node.js is here, installing the provider's pinned packages (`npm ci`) the first
/// time. Without Node.js the caller prints a SKIPPED line.
pub fn node_ready() -> bool {
    static INSTALL: Once = Once::new();
    let has_node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_node {
        eprintln!("SKIPPED: real-provider test: Node.js (node) is not installed");
        return false;
    }
    INSTALL.call_once(|| {
        if !provider_dir().join("node_modules/oidc-provider").exists() {
            let status = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(provider_dir())
                .status()
                .expect("npm runs");
            assert!(status.success(), "npm ci in tower/tests/provider failed");
        }
    });
    true
}

/// The HTTP client of the tests (reqwest needs a TLS provider even for plain HTTP).
pub fn client() -> reqwest::Client {
    static TLS: Once = Once::new();
    TLS.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::new()
}

/// A running node-oidc-provider; stopped when dropped.
pub struct Idp {
    child: Child,
    pub port: u16,
    pub issuer: String,
}

/// How long one start of the provider may take before it counts as failed.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Starts tried before a test gives up on the provider. A start fails only for reasons
/// outside the code under test (a machine too busy to start Node.js in time, a fixed port
/// briefly held by another socket); each failure is printed with the provider's stderr.
const START_ATTEMPTS: u32 = 3;

impl Idp {
    /// Starts a provider on a port of its choosing whose keys are new, with kids named after
    /// `generation`.
    pub async fn start(generation: u32) -> Idp {
        Idp::launch(0, generation, "127.0.0.1", &[]).await
    }

    /// Starts a provider on `port` again, as after a restart.
    pub async fn restart(port: u16, generation: u32) -> Idp {
        Idp::launch(port, generation, "127.0.0.1", &[]).await
    }

    /// Starts a provider that calls itself `http://HOST:PORT` with `host` as HOST.
    pub async fn start_as(generation: u32, host: &str) -> Idp {
        Idp::launch(0, generation, host, &[]).await
    }

    /// Starts a provider with the options of `provider.mjs` set in `options` (`MTLS`,
    /// `DPOP_NONCE`), as environment variables.
    pub async fn start_with(generation: u32, options: &[(&str, &str)]) -> Idp {
        Idp::launch(0, generation, "127.0.0.1", options).await
    }

    async fn launch(port: u16, generation: u32, host: &str, options: &[(&str, &str)]) -> Idp {
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            match Idp::try_launch(port, generation, host, options).await {
                Ok(idp) => return idp,
                Err(why) => {
                    // Straight to stderr, past the test harness's capture: a start that
                    // needed another try shows in the log of a passing run too.
                    let line =
                        format!("provider start {attempt} of {START_ATTEMPTS} failed: {why}\n");
                    let _ = std::io::stderr().write_all(line.as_bytes());
                    failures.push(why);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!("the provider did not start:\n{}", failures.join("\n---\n"));
    }

    async fn try_launch(
        port: u16,
        generation: u32,
        host: &str,
        options: &[(&str, &str)],
    ) -> Result<Idp, String> {
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(provider_dir())
            .env("PORT", port.to_string())
            .env("ISSUER_HOST", host)
            .env("GENERATION", generation.to_string())
            .envs(options.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("node did not start: {e}"))?;
        // The provider logs as it goes: both pipes are read until it ends, or it dies of a
        // broken pipe. The last lines of stderr explain a failed start.
        let stderr = Arc::new(Mutex::new(VecDeque::<String>::new()));
        let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
        let kept = Arc::clone(&stderr);
        let stderr_read = tokio::spawn(async move {
            while let Ok(Some(line)) = errors.next_line().await {
                let mut kept = kept.lock().unwrap();
                if kept.len() == 20 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let listening = tokio::time::timeout(START_TIMEOUT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.strip_prefix("listening ") {
                    return Some(rest.to_string());
                }
            }
            None
        })
        .await;
        let failure = match listening {
            Ok(Some(rest)) => match rest
                .split_once(' ')
                .and_then(|(port, issuer)| Some((port.parse().ok()?, issuer.to_string())))
            {
                Some((port, issuer)) => {
                    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                    return Ok(Idp {
                        child,
                        port,
                        issuer,
                    });
                }
                None => format!("unexpected line `listening {rest}`"),
            },
            Ok(None) => "it ended before listening".to_string(),
            Err(_) => format!("not listening within {START_TIMEOUT:?}"),
        };
        let _ = child.start_kill();
        let status = child.wait().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), stderr_read).await;
        let stderr = Vec::from(stderr.lock().unwrap().clone()).join("\n");
        Err(format!(
            "{failure} (port {port}, exit {status:?}); stderr:\n{stderr}"
        ))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// An access token for `resource` with `scope` (client credentials grant).
    pub async fn token(&self, resource: &str, scope: &str) -> String {
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
        }
        let response = client()
            .post(self.url("/token"))
            .basic_auth("app", Some("app-secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", resource),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "token request");
        let body = response.bytes().await.unwrap();
        serde_json::from_slice::<TokenResponse>(&body)
            .unwrap()
            .access_token
    }

    /// An access token for `resource` with `scope` bound to a key of the provider process
    /// (RFC 9449 DPoP): the token request carries a DPoP proof, and the answer says
    /// `token_type` DPoP. Its JWT form carries `cnf.jkt`, as does its introspection answer.
    pub async fn dpop_token(&self, resource: &str, scope: &str) -> String {
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            token_type: String,
        }
        let proof = client()
            .get(self.url("/__dpop_proof"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let response = client()
            .post(self.url("/token"))
            .basic_auth("app", Some("app-secret"))
            .header("dpop", proof)
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", resource),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.bytes().await.unwrap();
        assert_eq!(status, 200, "DPoP token request: {body:?}");
        let answer = serde_json::from_slice::<TokenResponse>(&body).unwrap();
        assert_eq!(
            answer.token_type, "DPoP",
            "a token bound to the proof's key"
        );
        answer.access_token
    }

    /// Revokes `token` (RFC 7009).
    pub async fn revoke(&self, token: &str) {
        let response = client()
            .post(self.url("/token/revocation"))
            .basic_auth("app", Some("app-secret"))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "revocation");
    }

    /// How many times the key set was requested from this process.
    pub async fn jwks_requests(&self) -> u64 {
        #[derive(Deserialize)]
        struct Counts {
            jwks: u64,
        }
        let response = client().get(self.url("/__counts")).send().await.unwrap();
        let body = response.bytes().await.unwrap();
        serde_json::from_slice::<Counts>(&body).unwrap().jwks
    }

    /// Stops the provider and waits until it is gone.
    pub async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// The order API behind `auth`: `/orders` needs `orders:read`, `/admin` needs
/// `orders:admin`, `/headers` answers the forwarded `x-client-id`.
pub fn app(auth: &Authenticator<Access>) -> Router {
    Router::new()
        .route(
            "/orders",
            get(|Claims(access): Claims<Access>| async move {
                format!("orders for {}", access.sub.unwrap_or_default())
            })
            .layer(RequireScopeLayer::new(["orders:read"]).realm("orders")),
        )
        .route(
            "/admin",
            get(|| async { "admin" })
                .layer(RequireScopeLayer::new(["orders:admin"]).realm("orders")),
        )
        .route(
            "/headers",
            get(|headers: HeaderMap| async move {
                let values: Vec<_> = headers
                    .get_all("x-client-id")
                    .iter()
                    .map(|v| v.to_str().unwrap().to_string())
                    .collect();
                values.join("|")
            }),
        )
        .layer(auth.layer())
}

/// Serves `app` on a free loopback port; its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

/// GET `url` with `token` as bearer (none without): status, `WWW-Authenticate`, body.
pub async fn get_with(url: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, challenge, response.text().await.unwrap())
}
