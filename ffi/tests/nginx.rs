//! A real C gateway: nginx with lua-nginx-module loads `libjwt_core_ffi.so` through LuaJIT's
//! FFI (`examples/nginx/jwt_core.lua`, declarations read from `jwt_core.h`) and checks the
//! bearer token of every `/orders` request against a JWK Set file. Started on 127.0.0.1 with
//! `examples/nginx/nginx.conf`, it gets valid, expired, tampered, wrong-audience,
//! missing-scope, malformed and missing tokens, a valid token whose claims are mostly
//! escapes, and a request with two `Authorization` headers; its error log must name no
//! token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jwt_core::{HeaderFields, Rs256PrivateKey};
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
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start(binary: &Path) -> (Nginx, u16) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("jwt-core-nginx-{}", std::process::id()));
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
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
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

/// Status, `WWW-Authenticate` and body of the answer to `request`, sent as it is.
fn send(port: u16, request: &str) -> (u16, Option<String>, String) {
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
    let challenge = lines
        .filter_map(|l| l.split_once(": "))
        .find(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, value)| value.to_string());
    (status, challenge, body.to_string())
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
    let (nginx, port) = start(&binary);
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
