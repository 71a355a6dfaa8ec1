//! What the gateway's tests share: a fixed ES256 signing key with its JWK Set file, tokens
//! signed with it, a gateway started in this process on a free loopback port, and a small
//! upstream that shows what reached it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use jwt_core::{Es256PrivateKey, HeaderFields};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Notify, mpsc};

pub const ISSUER: &str = "https://idp.test";
pub const AUDIENCE: &str = "urn:orders";

/// The test key (a fixed scalar): the same tokens in every run.
pub fn key() -> Es256PrivateKey {
    Es256PrivateKey::from_bytes(&[7u8; 32]).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2 + 4];
    let n = jwt_core::base64url::encode(bytes, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// The JWK Set of [`key`].
pub fn jwks() -> String {
    let point = key().public_key().to_sec1_bytes();
    let point: &[u8] = point.as_ref();
    json!({"keys": [{
        "kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
        "x": b64(&point[1..33]), "y": b64(&point[33..65]),
    }]})
    .to_string()
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "jwt-gateway-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the directory; its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An RFC 9068 access token signed with [`key`], with `extra` claims over the defaults.
pub fn token(extra: Value) -> String {
    let now = jwt_core::now();
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "app",
        "iat": now, "exp": now + 300, "jti": format!("j-{now}-{}", rand_suffix()),
        "scope": "orders:read", "tenant": "acme", "roles": ["user", "admin"],
    });
    for (name, value) in extra.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    let header = HeaderFields::new().kid("k1").typ("at+jwt");
    jwt_core::sign_to_string(&key(), &header, &claims).unwrap()
}

fn rand_suffix() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

/// The provider section for [`key`]'s tokens, its JWK Set written into `dir`.
pub fn local_provider(dir: &TempDir) -> String {
    let jwks = dir.write("jwks.json", &jwks());
    format!(
        "[[provider]]\nissuer = \"{ISSUER}\"\njwks_file = {:?}\naudiences = [\"{AUDIENCE}\"]\n",
        jwks.display()
    )
}

/// Starts a gateway in this process with the configuration `text` (its `listen` is
/// replaced by a free loopback port); its base URL.
pub async fn gateway(text: &str) -> (jwt_gateway::Running, String) {
    let text = format!("listen = \"127.0.0.1:0\"\n{text}");
    let config = jwt_gateway::Config::parse(&text, None).unwrap_or_else(|e| panic!("{e}"));
    let running = jwt_gateway::start(config).await.unwrap();
    let base = format!("http://{}", running.addresses()[0]);
    (running, base)
}

/// The HTTP client of the tests (reqwest needs a TLS provider even for plain HTTP).
pub fn client() -> reqwest::Client {
    static TLS: std::sync::Once = std::sync::Once::new();
    TLS.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A small upstream on a free loopback port:
/// - `/stream`: one chunk at once, the rest when [`Upstream::release`] is called;
/// - `/count`: the number of request body bytes, read as they stream;
/// - `/hang`: never answers;
/// - `/slow`: answers once released;
/// - `/ws`: upgrades (101) and echoes what it is sent;
/// - anything else: JSON of the method, URI and headers it got.
pub struct Upstream {
    pub address: SocketAddr,
    release: Arc<Notify>,
    pub requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Lets every waiting `/stream` and `/slow` request go on.
    pub fn release(&self) {
        self.release.notify_waiters();
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type TestBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

fn whole(text: impl Into<Bytes>) -> TestBody {
    Full::new(text.into()).boxed()
}

pub async fn upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let release = Arc::new(Notify::new());
    let requests = Arc::new(AtomicU64::new(0));
    let (notify, count) = (Arc::clone(&release), Arc::clone(&requests));
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let (release, count) = (Arc::clone(&notify), Arc::clone(&count));
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: http::Request<Incoming>| {
                        let release = Arc::clone(&release);
                        count.fetch_add(1, Ordering::SeqCst);
                        async move { Ok::<_, Infallible>(answer(request, release).await) }
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    Upstream {
        address,
        release,
        requests,
        task,
    }
}

async fn answer(
    mut request: http::Request<Incoming>,
    release: Arc<Notify>,
) -> http::Response<TestBody> {
    match request.uri().path() {
        "/stream" => {
            let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
            let waiting = release.notified_owned();
            tokio::spawn(async move {
                let _ = sender
                    .send(Ok(Frame::data(Bytes::from_static(b"first;"))))
                    .await;
                waiting.await;
                let _ = sender
                    .send(Ok(Frame::data(Bytes::from_static(b"second"))))
                    .await;
            });
            let stream = futures_stream(receiver);
            http::Response::new(StreamBody::new(stream).boxed())
        }
        "/count" => {
            let mut body = request.into_body();
            let mut total = 0usize;
            while let Some(frame) = body.frame().await {
                if let Ok(data) = frame.unwrap().into_data() {
                    total += data.len();
                }
            }
            http::Response::new(whole(total.to_string()))
        }
        "/hang" => {
            std::future::pending::<()>().await;
            unreachable!()
        }
        "/slow" => {
            release.notified().await;
            http::Response::new(whole("slow done"))
        }
        "/ws" => {
            let upgrade = hyper::upgrade::on(&mut request);
            tokio::spawn(async move {
                if let Ok(upgraded) = upgrade.await {
                    let mut io = TokioIo::new(upgraded);
                    let (mut reader, mut writer) = tokio::io::split(&mut io);
                    let _ = tokio::io::copy(&mut reader, &mut writer).await;
                }
            });
            http::Response::builder()
                .status(101)
                .header("connection", "upgrade")
                .header("upgrade", "websocket")
                .body(whole(""))
                .unwrap()
        }
        _ => {
            let headers: Vec<(String, String)> = request
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("?").to_owned()))
                .collect();
            let seen = json!({
                "method": request.method().as_str(),
                "uri": request.uri().to_string(),
                "headers": headers,
            });
            http::Response::new(whole(seen.to_string()))
        }
    }
}

/// A stream of the frames `receiver` gets.
fn futures_stream(
    mut receiver: mpsc::Receiver<Result<Frame<Bytes>, Infallible>>,
) -> impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

/// Every value of header `name` the upstream's JSON answer says it got.
pub fn seen(answer: &Value, name: &str) -> Vec<String> {
    answer["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|pair| pair[0] == name)
        .map(|pair| pair[1].as_str().unwrap().to_owned())
        .collect()
}

/// The command under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_jwt-gateway");

/// A running `jwt-gateway`: the process, its base URL, and its log lines as they come.
pub struct Process {
    pub child: Child,
    pub base: String,
    lines: mpsc::UnboundedReceiver<String>,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts the command with `args`; waits until it listens.
    pub async fn start(args: &[&str]) -> Process {
        let mut child = Command::new(BINARY)
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stderr.take().unwrap()).lines();
        let (sender, mut lines) = mpsc::unbounded_channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok(Some(line)) = reader.next_line().await {
                kept.lock().unwrap().push(line.clone());
                let _ = sender.send(line);
            }
        });
        let base = loop {
            let line = lines.recv().await.expect("the gateway listens");
            if let Some((_, rest)) = line.split_once("listening on ") {
                let end = rest.find(['"', ' ']).unwrap_or(rest.len());
                break rest[..end].to_string();
            }
        };
        Process {
            child,
            base,
            lines,
            log,
        }
    }

    /// Waits for a log line containing `text`; the line.
    pub async fn wait_for(&mut self, text: &str) -> String {
        loop {
            let line = self.lines.recv().await.expect("the gateway logs");
            if line.contains(text) {
                return line;
            }
        }
    }

    pub fn signal(&self, name: &str) {
        let pid = self.child.id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
    }
}
