//! The `jwt` command as a process: output, exit statuses (0 valid, 1 refused,
//! 2 usage or key error) and hostile input, with JWK Sets in the shapes Keycloak, Auth0 and
//! Azure AD publish (tests/data/jwks/).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use jwt_core::{Es256PrivateKey, HeaderFields, Rs256PrivateKey};

const NOW: &str = "1800000000";

/// The `jwt` binary of this package, built by `cargo test`.
fn jwt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jwt"))
}

fn run(args: &[&str]) -> Output {
    jwt().args(args).output().unwrap()
}

/// A file of the repository's test data (`tests/data/` of jwt-core).
fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(path)
}

fn data_bytes(path: &str) -> Vec<u8> {
    let full = data(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A key file written for one test, removed when the test is done with it.
fn key_file(name: &str, contents: &str) -> KeyFile {
    let path = std::env::temp_dir().join(format!("jwt-core-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    KeyFile(path)
}

struct KeyFile(PathBuf);

impl std::ops::Deref for KeyFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const OCT_JWK: &str =
    r#"{"kty":"oct","kid":"k1","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}"#;

fn rs256_token(kid: &str, claims: &str) -> String {
    let key = Rs256PrivateKey::from_pkcs1_der(&data_bytes("keys/rsa2048.pkcs1.der")).unwrap();
    let claims: serde_json::Value = serde_json::from_str(claims).unwrap();
    jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &claims).unwrap()
}

#[test]
fn sign_then_verify_then_decode_with_an_oct_jwk() {
    let key = key_file("oct.jwk", OCT_JWK);
    let key = key.to_str().unwrap();
    let signed = run(&[
        "sign",
        "--key",
        key,
        "--claims",
        r#"{"sub":"alice","exp":1900000000,"iss":"me"}"#,
        "--typ",
        "at+jwt",
    ]);
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let token = stdout(&signed).trim().to_string();
    assert_eq!(token.split('.').count(), 3);

    let ok = run(&[
        "verify", "--key", key, "--iss", "me", "--typ", "at+jwt", "--now", NOW, &token,
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let claims: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(claims["sub"], "alice");

    let decoded = run(&["decode", &token]);
    assert_eq!(decoded.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&decoded)).unwrap();
    assert_eq!(doc["verified"], false);
    assert_eq!(doc["header"]["kid"], "k1");
    assert_eq!(doc["header"]["typ"], "at+jwt");
    assert_eq!(doc["claims"]["iss"], "me");
    assert!(stderr(&decoded).contains("NOT verified"));
}

#[test]
fn refusals_exit_1_with_one_line_reason() {
    let key = key_file("oct-refusals.jwk", OCT_JWK);
    let key = key.to_str().unwrap();
    let token = stdout(&run(&[
        "sign",
        "--key",
        key,
        "--claims",
        r#"{"exp":1900000000,"iss":"me"}"#,
    ]))
    .trim()
    .to_string();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    let cases: [(&[&str], &str); 5] = [
        (&["--iss", "other", "--now", NOW, &token], "issuer"),
        (&["--now", "1950000000", &token], "expired"),
        (&["--typ", "at+jwt", "--now", NOW, &token], "typ"),
        (&["--now", NOW, &tampered], "signature"),
        (&["--now", NOW, "eyJhbGciOiJub25lIn0.e30."], "algorithm"),
    ];
    for (args, reason) in cases {
        let out = run(&[&["verify", "--key", key][..], args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(reason), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn hostile_tokens_are_refused_without_a_panic() {
    let key = key_file("oct-hostile.jwk", OCT_JWK);
    let key = key.to_str().unwrap();
    let long = "a".repeat(70_000);
    let hostile = [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "e30.e30.",
        "eyJhbGciOiJIUzI1NiJ9.e30",
        &long,
        "eyJhbGciOiJIUzI1NiIsImFsZyI6IkhTMjU2In0.e30.AAAA",
        "\u{1}.\u{2}.\u{7f}",
        "é.ü.ß",
    ];
    for token in hostile {
        for command in [&["verify", "--key", key, "--now", NOW][..], &["decode"][..]] {
            let out = run(&[command, &[token]].concat());
            assert_eq!(
                out.status.code(),
                Some(1),
                "{command:?} {token:.40?}: {}",
                stderr(&out)
            );
            assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        }
    }
}

#[test]
fn usage_and_key_errors_exit_2() {
    let missing = run(&["verify", "--key", "/nonexistent/key.jwk", "a.b.c"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("jwt: error: "));
    let weak = key_file("weak.jwk", r#"{"kty":"oct","k":"c2hvcnQ"}"#);
    let weak = run(&["verify", "--key", weak.to_str().unwrap(), "a.b.c"]);
    assert_eq!(weak.status.code(), Some(2), "{}", stderr(&weak));
    assert_eq!(run(&["verify"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let bad_claims = key_file("oct-usage.jwk", OCT_JWK);
    let out = run(&[
        "sign",
        "--key",
        bad_claims.to_str().unwrap(),
        "--claims",
        "[1,2]",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn token_dash_reads_standard_input() {
    let key = key_file("oct-stdin.jwk", OCT_JWK);
    let key = key.to_str().unwrap();
    let token = stdout(&run(&[
        "sign",
        "--key",
        key,
        "--claims",
        r#"{"exp":1900000000}"#,
    ]));
    let mut child = jwt()
        .args(["verify", "--key", key, "--now", NOW, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("1900000000"));
}

#[test]
fn provider_jwks_shapes_select_the_key_by_kid() {
    let claims = r#"{"iss":"https://idp.example","sub":"u1","exp":1900000000}"#;
    for (file, kid) in [
        ("jwks/keycloak.json", "kc-rs256-2026"),
        ("jwks/auth0.json", "auth0-current"),
        ("jwks/azure_ad.json", "azure-current"),
    ] {
        let jwks = data(file);
        let jwks = jwks.to_str().unwrap();
        let token = rs256_token(kid, claims);
        let ok = run(&[
            "verify",
            "--key",
            jwks,
            "--iss",
            "https://idp.example",
            "--now",
            NOW,
            &token,
        ]);
        assert_eq!(ok.status.code(), Some(0), "{file}: {}", stderr(&ok));
        let unknown = rs256_token("not-in-the-set", claims);
        let out = run(&["verify", "--key", jwks, "--now", NOW, &unknown]);
        assert_eq!(out.status.code(), Some(1), "{file}");
    }
    // Azure AD's set also holds a P-256 key.
    let es = Es256PrivateKey::from_bytes(&data_bytes("keys/p256.scalar")).unwrap();
    let claims: serde_json::Value = serde_json::from_str(claims).unwrap();
    let token =
        jwt_core::sign_to_string(&es, &HeaderFields::new().kid("azure-ec"), &claims).unwrap();
    let out = run(&[
        "verify",
        "--key",
        data("jwks/azure_ad.json").to_str().unwrap(),
        "--now",
        NOW,
        &token,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn pem_public_keys_verify() {
    let der = data_bytes("keys/rsa2048.pub.spki.der");
    let pem = to_pem("PUBLIC KEY", &der);
    let key = key_file("rsa.pem", &pem);
    let token = rs256_token("any", r#"{"exp":1900000000}"#);
    let out = run(&[
        "verify",
        "--key",
        key.to_str().unwrap(),
        "--now",
        NOW,
        &token,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let es = Es256PrivateKey::from_bytes(&data_bytes("keys/p256.scalar")).unwrap();
    let token = jwt_core::sign_to_string(
        &es,
        &HeaderFields::new(),
        &serde_json::json!({"exp": 1900000000}),
    )
    .unwrap();
    let key = key_file(
        "p256.pem",
        &to_pem("PUBLIC KEY", &data_bytes("keys/p256.pub.spki.der")),
    );
    let out = run(&[
        "verify",
        "--key",
        key.to_str().unwrap(),
        "--now",
        NOW,
        &token,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The RSA key cannot verify the ES256 token: refused, not a usage error.
    let rsa = key_file("rsa-2.pem", &pem);
    let out = run(&[
        "verify",
        "--key",
        rsa.to_str().unwrap(),
        "--now",
        NOW,
        &token,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

fn to_pem(label: &str, der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let body = Base64::encode_string(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// An HS256 token over `payload` as given (duplicates and odd numbers included), signed with
/// the secret of `OCT_JWK`.
fn hs256_raw(payload: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use hmac::{KeyInit, Mac};
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(br#"{"alg":"HS256","typ":"JWT"}"#),
        Base64UrlUnpadded::encode_string(payload.as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&tag))
}

/// The secret of `OCT_JWK`.
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[test]
fn the_command_prints_and_refuses_what_the_library_verifies() {
    let key = key_file("oct-agree.jwk", OCT_JWK);
    let library_key = jwt_core::Hs256Key::new(SECRET).unwrap();
    let nested = |depth: usize| {
        format!(
            r#"{{"exp":1900000000,"d":{}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let payloads = [
        r#"{"exp":1900000000,"sub":"caf\u00e9 \ud83d\ude00 \/ \"q\"","n":[1,-2,3.5,1e3,-0,12345678901234567890,-9223372036854775808,1e-400]}"#.to_string(),
        r#"{"exp":1.9e9,"big":123456789012345678901234567890,"o":{"b":{"c":[]}}}"#.to_string(),
        r#"{"exp":1900000000,"x":1e999999999999}"#.to_string(),
        r#"{"exp":1900000000,"x":-1e400}"#.to_string(),
        r#"{"exp":1900000000,"x":1,"\u0078":2}"#.to_string(),
        r#"{"exp":1900000000,"s":"\ud800"}"#.to_string(),
        r#"{"exp":"1900000000"}"#.to_string(),
        nested(30),
        nested(40),
    ];
    let mut accepted = 0;
    for payload in &payloads {
        let token = hs256_raw(payload);
        let mut buf = vec![0u8; 2 * token.len()];
        let library = jwt_core::verify::<serde_json::Value, _>(
            &token,
            &library_key,
            &jwt_core::Validation::new(),
            NOW.parse().unwrap(),
            &mut buf,
        );
        let out = run(&[
            "verify",
            "--key",
            key.to_str().unwrap(),
            "--now",
            NOW,
            &token,
        ]);
        match library {
            Ok(claims) => {
                assert_eq!(out.status.code(), Some(0), "{payload}: {}", stderr(&out));
                let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
                assert_eq!(printed, claims, "{payload}");
                accepted += 1;
            }
            Err(error) => {
                assert_eq!(out.status.code(), Some(1), "{payload}: {}", stdout(&out));
                assert!(stderr(&out).contains(&error.to_string()), "{payload}");
            }
        }
    }
    // Both kinds of answer were compared.
    assert_eq!(accepted, 3);
}
