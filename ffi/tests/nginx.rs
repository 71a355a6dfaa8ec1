//! A real C gateway: nginx with lua-nginx-module loads `libjwt_core_ffi.so` through LuaJIT's
//! FFI (`examples/nginx/jwt_core.lua`, declarations read from `jwt_core.h`) and checks the
//! access token of every `/orders` request against a JWK Set file. Started on 127.0.0.1 with
//! `examples/nginx/nginx.conf` (two workers), it gets valid, expired, tampered,
//! wrong-audience, missing-scope, malformed and missing bearer tokens, a valid token whose
//! claims are mostly escapes, and a request with two `Authorization` headers; then DPoP
//! requests (RFC 9449): accepted once, their proof replayed to both workers, made for
//! another URI or token, missing or doubled, the bound token sent as a bearer token; and a
//! replay store that is full. Its error log must name no token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jwt_core::dpop::{self, ProofClaims};
use jwt_core::{Es256PrivateKey, HeaderFields, Rs256PrivateKey};
use serde_json::json;

const ISSUER: &str = "https://idp.example/realms/main";
const AUDIENCE: &str = "https://orders.example";
const MODULES: &str = "/usr/lib/nginx/modules";

/// nginx, if it is here with the Lua module.
fn nginx() -> Option<PathBuf> {
    let binary = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())?;
    let module = Path::new(MODULES).join("ngx_http_lua_module.so");
    module.exists().then_some(binary)
}

/// The shared library cargo built for this test, beside the test binary.
fn shared_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().join("libjwt_core_ffi.so");
    assert!(lib.exists(), "{} was built by cargo test", lib.display());
    lib
}

struct Nginx {
    child: Child,
    dir: PathBuf,
}

impl Drop for Nginx {
    /// Stops the master with SIGTERM, which stops its workers and waits for them (SIGKILL
    /// would leave them running, listening); SIGKILL only if it is not gone in 10 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let stopping = Instant::now();
        while stopping.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts nginx with the example's configuration, its placeholders filled in and `edit`
/// applied, in a folder of its own named after `name`.
fn start(binary: &Path, name: &str, edit: impl FnOnce(String) -> String) -> (Nginx, u16) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("jwt-core-nginx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let example = manifest.join("examples/nginx");
    let jwks = manifest.join("../tests/data/jwks/auth0.json");
    let mut conf = std::fs::read_to_string(example.join("nginx.conf")).unwrap();
    for (name, value) in [
        ("MODULES", MODULES.to_string()),
        ("PREFIX", dir.display().to_string()),
        ("EXAMPLE", example.display().to_string()),
        ("LIBRARY", shared_library().display().to_string()),
        (
            "HEADER",
            manifest.join("include/jwt_core.h").display().to_string(),
        ),
        ("JWKS", jwks.display().to_string()),
        ("ISSUER", ISSUER.to_string()),
        ("AUDIENCE", AUDIENCE.to_string()),
        ("PORT", port.to_string()),
    ] {
        conf = conf.replace(&format!("${{{name}}}"), &value);
    }
    assert!(!conf.contains("${"), "every placeholder filled");
    std::fs::write(dir.join("nginx.conf"), edit(conf)).unwrap();
    let child = Command::new(binary)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let nginx = Nginx { child, dir };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nginx did not listen:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (nginx, port)
}

/// Status, `WWW-Authenticate` and body of `GET path` with `authorization`.
fn get(port: u16, path: &str, authorization: Option<&str>) -> (u16, Option<String>, String) {
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    send(
        port,
        &format!("GET {path} HTTP/1.0\r\nHost: gateway\r\n{auth}\r\n"),
    )
}

/// Status, first `WWW-Authenticate` challenge and body of the answer to `request`, sent as
/// it is.
fn send(port: u16, request: &str) -> (u16, Option<String>, String) {
    let answer = exchange(port, request);
    let challenge = answer.challenges().first().map(|c| c.to_string());
    (answer.status, challenge, answer.body)
}

/// An HTTP answer.
struct Answer {
    status: u16,
    head: Vec<(String, String)>,
    body: String,
}

impl Answer {
    /// The values of the header `name`, in order.
    fn headers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.head
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `WWW-Authenticate` challenges, in order, whether each has a field of its own or
    /// several share one (a list, RFC 9110 section 11.6.1: lua-nginx-module before 0.10.29
    /// sends one field). A challenge begins with its scheme, a token with no `=` after it.
    fn challenges(&self) -> Vec<&str> {
        let mut challenges = Vec::new();
        for field in self.headers("www-authenticate") {
            let mut start = 0;
            for (at, _) in field.match_indices(", ") {
                let next = &field[at + 2..];
                let word = next.split([' ', ',']).next().unwrap_or_default();
                if !word.contains('=') {
                    challenges.push(&field[start..at]);
                    start = at + 2;
                }
            }
            challenges.push(&field[start..]);
        }
        challenges
    }

    /// The pid of the nginx worker that answered (`X-Worker`, added by the tests).
    fn worker(&self) -> String {
        self.headers("x-worker").next().unwrap().to_string()
    }
}

/// The answer to `request`, sent as it is on a connection of its own.
fn exchange(port: u16, request: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let head = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    Answer {
        status,
        head,
        body: body.to_string(),
    }
}

fn token(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let now = jwt_core::now();
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "client_id": "shop-web",
        "jti": "5f0c", "iat": now - 10, "exp": now + 300, "scope": "openid orders:read",
    });
    edit(&mut claims);
    let der = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/keys/rsa2048.pkcs1.der"),
    )
    .unwrap();
    let key = Rs256PrivateKey::from_pkcs1_der(&der).unwrap();
    let header = HeaderFields::new().typ("at+jwt").kid("auth0-current");
    jwt_core::sign_to_string(&key, &header, &claims).unwrap()
}

#[test]
fn nginx_checks_bearer_tokens_with_the_c_interface() {
    let Some(binary) = nginx() else {
        println!(
            "SKIPPED: nginx test: nginx with lua-nginx-module is not installed \
             (Debian: apt-get install nginx libnginx-mod-http-lua)"
        );
        return;
    };
    let (nginx, port) = start(&binary, "bearer", |conf| conf);
    let bearer = |token: &str| format!("Bearer {token}");
    let invalid = Some(r#"Bearer realm="orders", error="invalid_token""#.to_string());

    assert_eq!(get(port, "/healthz", None).0, 200);
    let (status, challenge, body) = get(port, "/orders", Some(&bearer(&token(|_| {}))));
    assert_eq!(
        (status, challenge, body.trim()),
        (200, None, "orders for alice")
    );

    // Strings of escaped quotes: their unescaped copies do not fit beside the claims in a
    // buffer as long as the token, which the gateway once used (and answered 401).
    let quotes = "\"".repeat(600);
    let escaped = token(|c| {
        for name in ["sub", "jti", "client_id"] {
            c[name] = quotes.clone().into();
        }
    });
    let (status, _, body) = get(port, "/orders", Some(&bearer(&escaped)));
    assert_eq!(
        (status, body.trim()),
        (200, &*format!("orders for {quotes}"))
    );

    let now = jwt_core::now();
    let tampered = {
        let good = token(|_| {});
        let other = token(|c| c["sub"] = "mallory".into());
        let (good_head, good_rest) = good.split_once('.').unwrap();
        let signature = good_rest.rsplit_once('.').unwrap().1;
        let payload = other.split('.').nth(1).unwrap();
        format!("{good_head}.{payload}.{signature}")
    };
    for (case, token) in [
        ("expired", token(|c| c["exp"] = (now - 120).into())),
        (
            "wrong audience",
            token(|c| c["aud"] = "https://billing.example".into()),
        ),
        (
            "wrong issuer",
            token(|c| c["iss"] = "https://evil.example".into()),
        ),
        ("tampered", tampered),
        ("not a JWT", "a.b.c".to_string()),
        // A sender-constrained token is no bearer token (RFC 9449 section 7.1).
        (
            "bound to a DPoP key",
            token(|c| c["cnf"] = json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"})),
        ),
    ] {
        let (status, challenge, _) = get(port, "/orders", Some(&bearer(&token)));
        assert_eq!((status, &challenge), (401, &invalid), "{case}");
    }

    let writer = token(|c| c["scope"] = "openid orders:write".into());
    let (status, challenge, _) = get(port, "/orders", Some(&bearer(&writer)));
    assert_eq!(status, 403);
    assert_eq!(
        challenge.as_deref(),
        Some(r#"Bearer realm="orders", error="insufficient_scope", scope="orders:read""#)
    );
    let (status, challenge, _) = get(port, "/orders", Some("Bearer a.b.c junk"));
    assert_eq!(
        (status, challenge.as_deref()),
        (
            400,
            Some(r#"Bearer realm="orders", error="invalid_request""#)
        )
    );
    for none in [None, Some("Basic dXNlcjpwYXNz")] {
        let (status, challenge, _) = get(port, "/orders", none);
        assert_eq!(
            (status, challenge.as_deref()),
            (401, Some(r#"Bearer realm="orders""#)),
            "{none:?}"
        );
    }

    // nginx refuses two Authorization headers itself, and at `info` logs both header lines,
    // tokens included. At the example's level, the log holds the gateway's reasons for
    // refusing tokens and no token: every JWT begins with "eyJ", the base64url of `{"`.
    let (first, second) = (bearer(&token(|_| {})), bearer(&writer));
    let (status, _, _) = send(
        port,
        &format!(
            "GET /orders HTTP/1.0\r\nHost: gateway\r\nAuthorization: {first}\r\n\
             Authorization: {second}\r\n\r\n"
        ),
    );
    assert_eq!(status, 400);
    let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap();
    assert!(
        log.contains("bearer token refused: token has expired"),
        "{log}"
    );
    assert!(!log.contains("eyJ"), "a token in the error log:\n{log}");
}

/// The example's configuration with each answer naming the worker that gave it.
fn with_worker_header(conf: String) -> String {
    let server = "        location = /healthz {";
    assert!(conf.contains(server));
    conf.replace(
        server,
        &format!("        add_header X-Worker $pid always;\n\n{server}"),
    )
}

/// The key of the DPoP client: it proves possession of it with each request.
fn device() -> Es256PrivateKey {
    Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap()
}

/// The URI a client of the test's nginx uses for `/orders`: its `Host` is `gateway`.
const ORDERS: &str = "http://gateway/orders";

/// A fresh DPoP proof by `key` for `method` and `uri` with `token`, made now, with a `jti`
/// of its own.
fn proof(key: &Es256PrivateKey, method: &str, uri: &str, token: &str) -> String {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let jti = format!("{:08x}-{count:08x}", std::process::id());
    let claims = ProofClaims::new(&jti, method, uri, jwt_core::now()).access_token(token);
    let mut out = [0u8; 1024];
    dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

/// The answer to `GET path` with `Authorization: DPoP token` and a `DPoP` header per proof.
fn dpop_get(port: u16, path: &str, token: &str, proofs: &[&str]) -> Answer {
    let proofs: String = proofs.iter().map(|p| format!("DPoP: {p}\r\n")).collect();
    exchange(
        port,
        &format!(
            "GET {path} HTTP/1.0\r\nHost: gateway\r\nAuthorization: DPoP {token}\r\n{proofs}\r\n"
        ),
    )
}

/// The `DPoP` challenge with `error`, as the example's configuration words it.
fn dpop_challenge(error: &str) -> String {
    format!(r#"DPoP realm="orders", algs="ES256 EdDSA", error="{error}""#)
}

#[test]
fn nginx_checks_dpop_requests_with_one_replay_store_for_its_workers() {
    let Some(binary) = nginx() else {
        println!(
            "SKIPPED: nginx DPoP test: nginx with lua-nginx-module is not installed \
             (Debian: apt-get install nginx libnginx-mod-http-lua)"
        );
        return;
    };
    let (nginx, port) = start(&binary, "dpop", with_worker_header);
    let device = device();
    let jkt = dpop::thumbprint(&device).unwrap();
    let bound = token(|c| c["cnf"] = json!({ "jkt": jkt.as_str() }));
    let bare_bearer = r#"Bearer realm="orders""#;

    // A proof is accepted once: replayed, every worker refuses it, the one that accepted it
    // and the other, which never saw it: the replay store is one for both.
    let first = proof(&device, "GET", ORDERS, &bound);
    let accepted = dpop_get(port, "/orders", &bound, &[&first]);
    assert_eq!(
        (accepted.status, accepted.body.trim()),
        (200, "orders for alice")
    );
    let mut refused_by = std::collections::BTreeSet::new();
    for _ in 0..64 {
        let replayed = dpop_get(port, "/orders", &bound, &[&first]);
        assert_eq!(replayed.status, 401);
        assert_eq!(
            replayed.challenges(),
            [&*dpop_challenge("invalid_dpop_proof"), bare_bearer]
        );
        refused_by.insert(replayed.worker());
        if refused_by.len() == 2 {
            break;
        }
    }
    assert_eq!(refused_by.len(), 2, "both workers refused the replay");
    assert!(refused_by.contains(&accepted.worker()));
    // Fresh proofs are accepted by either worker.
    let mut accepted_by = std::collections::BTreeSet::new();
    for _ in 0..64 {
        let fresh = proof(&device, "GET", ORDERS, &bound);
        let answer = dpop_get(port, "/orders", &bound, &[&fresh]);
        assert_eq!(answer.status, 200);
        accepted_by.insert(answer.worker());
        if accepted_by.len() == 2 {
            break;
        }
    }
    assert_eq!(accepted_by, refused_by);

    // The URI is the one the client used: its query is no part of it.
    let fresh = proof(&device, "GET", ORDERS, &bound);
    assert_eq!(
        dpop_get(port, "/orders?page=2", &bound, &[&fresh]).status,
        200
    );

    let other_key = Es256PrivateKey::from_bytes(&[0x5C; 32]).unwrap();
    let other_jkt = dpop::thumbprint(&other_key).unwrap();
    let bound_elsewhere = token(|c| c["cnf"] = json!({ "jkt": other_jkt.as_str() }));
    let plain = token(|_| {});
    let invalid_proof = dpop_challenge("invalid_dpop_proof");
    let invalid_token = dpop_challenge("invalid_token");
    for (case, token, proofs, status, challenge) in [
        (
            "a proof for another URI",
            &bound,
            vec![proof(&device, "GET", "http://gateway/invoices", &bound)],
            401,
            &invalid_proof,
        ),
        (
            "a proof for another method",
            &bound,
            vec![proof(&device, "POST", ORDERS, &bound)],
            401,
            &invalid_proof,
        ),
        (
            "a proof for another token",
            &bound,
            vec![proof(&device, "GET", ORDERS, &plain)],
            401,
            &invalid_proof,
        ),
        ("no proof", &bound, vec![], 401, &invalid_proof),
        (
            "two proofs",
            &bound,
            vec![
                proof(&device, "GET", ORDERS, &bound),
                proof(&device, "GET", ORDERS, &bound),
            ],
            400,
            &dpop_challenge("invalid_request"),
        ),
        // The device's valid proof, for a token bound to another key.
        (
            "a token bound to another key",
            &bound_elsewhere,
            vec![proof(&device, "GET", ORDERS, &bound_elsewhere)],
            401,
            &invalid_token,
        ),
        // The DPoP scheme is for bound tokens (RFC 9449 section 7.1).
        (
            "a bearer token with a proof",
            &plain,
            vec![proof(&device, "GET", ORDERS, &plain)],
            401,
            &invalid_token,
        ),
    ] {
        let proofs: Vec<&str> = proofs.iter().map(String::as_str).collect();
        let answer = dpop_get(port, "/orders", token, &proofs);
        assert_eq!(
            (answer.status, answer.challenges()),
            (status, vec![challenge.as_str(), bare_bearer]),
            "{case}"
        );
    }

    // The bound token as a bearer token: refused; bearer tokens keep working.
    let as_bearer = exchange(
        port,
        &format!("GET /orders HTTP/1.0\r\nHost: gateway\r\nAuthorization: Bearer {bound}\r\n\r\n"),
    );
    assert_eq!(
        (as_bearer.status, as_bearer.challenges()),
        (
            401,
            vec![
                r#"Bearer realm="orders", error="invalid_token""#,
                r#"DPoP realm="orders", algs="ES256 EdDSA""#
            ]
        )
    );
    let (status, _, body) = get(port, "/orders", Some(&format!("Bearer {plain}")));
    assert_eq!((status, body.trim()), (200, "orders for alice"));

    // The log gives the reasons, and no token or proof (each begins with "eyJ").
    let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap();
    for reason in [
        "DPoP request refused: DPoP proof was already used",
        "DPoP request refused: DPoP proof htu is not the request URI",
        "DPoP request refused: DPoP proof is missing or not a well-formed JWS",
        "bearer token refused: token is bound to a key whose possession was not proven",
    ] {
        assert!(log.contains(reason), "{reason}:\n{log}");
    }
    assert!(!log.contains("eyJ"), "a token in the error log:\n{log}");
}

/// A replay store with no room left refuses DPoP requests (503) rather than forget a proof
/// it must remember: nginx's `safe_add` evicts no unexpired key.
#[test]
fn nginx_refuses_dpop_requests_when_its_replay_store_is_full() {
    let Some(binary) = nginx() else {
        println!(
            "SKIPPED: nginx DPoP replay store test: nginx with lua-nginx-module is not \
             installed (Debian: apt-get install nginx libnginx-mod-http-lua)"
        );
        return;
    };
    let (nginx, port) = start(&binary, "dpop-full", |conf| {
        let dict = "lua_shared_dict dpop_replay 10m;";
        assert!(conf.contains(dict));
        conf.replace(dict, "lua_shared_dict dpop_replay 12k;")
    });
    let device = device();
    let jkt = dpop::thumbprint(&device).unwrap();
    let bound = token(|c| c["cnf"] = json!({ "jkt": jkt.as_str() }));
    let first = proof(&device, "GET", ORDERS, &bound);
    assert_eq!(dpop_get(port, "/orders", &bound, &[&first]).status, 200);
    let mut remembered = 1;
    loop {
        let fresh = proof(&device, "GET", ORDERS, &bound);
        let answer = dpop_get(port, "/orders", &bound, &[&fresh]);
        match answer.status {
            200 => remembered += 1,
            503 => {
                assert!(answer.challenges().is_empty());
                break;
            }
            other => panic!("{other} after {remembered} proofs"),
        }
        assert!(remembered < 10_000, "the store never filled");
    }
    println!("the replay store held {remembered} proofs in 12 KB");
    // Full: fresh proofs are refused, the first is still remembered, bearer tokens work.
    for _ in 0..3 {
        let fresh = proof(&device, "GET", ORDERS, &bound);
        assert_eq!(dpop_get(port, "/orders", &bound, &[&fresh]).status, 503);
    }
    assert_eq!(dpop_get(port, "/orders", &bound, &[&first]).status, 401);
    let plain = token(|_| {});
    assert_eq!(
        get(port, "/orders", Some(&format!("Bearer {plain}"))).0,
        200
    );
    let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap();
    assert!(
        log.contains("DPoP proof refused: its replay check failed: no memory"),
        "{log}"
    );
}
