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

/// The test keys of every algorithm, each as a private JWK (`jwt sign`) and a public one
/// (`jwt verify`), both with `alg` and `kid`: HMAC secrets of the hash's length, jwt-core's
/// RSA 2048-bit test key (`tests/data/rsa2048.private.jwk`, from
/// `tests/data/keys/rsa2048.pkcs8.der`), and the ECDSA scalars and Ed25519 seed whose
/// public PEM files `tests/data/generate.py` wrote.
fn algorithm_keys() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use serde_json::json;
    let b64 = |bytes: &[u8]| Base64UrlUnpadded::encode_string(bytes);
    let mut keys = Vec::new();
    for (name, len) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
        let jwk = json!({"kty": "oct", "k": b64(&vec![0x42; len])});
        keys.push((name, jwk.clone(), jwk));
    }
    let rsa_private: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rsa2048.private.jwk"),
        )
        .unwrap(),
    )
    .unwrap();
    let rsa_public = json!({"kty": "RSA", "n": rsa_private["n"], "e": rsa_private["e"]});
    for name in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        keys.push((name, rsa_private.clone(), rsa_public.clone()));
    }
    let ec = |crv: &str, scalar: &[u8], point: &[u8]| {
        let half = (point.len() - 1) / 2;
        let public = json!({"kty": "EC", "crv": crv, "x": b64(&point[1..=half]),
                            "y": b64(&point[half + 1..])});
        let mut private = public.clone();
        private["d"] = json!(b64(scalar));
        (private, public)
    };
    let p256 = data_bytes("keys/p256.scalar");
    let point = Es256PrivateKey::from_bytes(&p256)
        .unwrap()
        .public_key()
        .to_sec1_bytes();
    let (private, public) = ec("P-256", &p256, point.as_ref());
    keys.push(("ES256", private, public));
    let p384 = [0x22; 48];
    let point = jwt_core::Es384PrivateKey::from_bytes(&p384)
        .unwrap()
        .public_key()
        .to_sec1_bytes();
    let (private, public) = ec("P-384", &p384, point.as_ref());
    keys.push(("ES384", private, public));
    let p521 = [0x01; 66];
    let point = jwt_core::Es512PrivateKey::from_bytes(&p521)
        .unwrap()
        .public_key()
        .to_sec1_bytes();
    let (private, public) = ec("P-521", &p521, point.as_ref());
    keys.push(("ES512", private, public));
    let k256 = [0x44; 32];
    let point = jwt_core::Es256kPrivateKey::from_bytes(&k256)
        .unwrap()
        .public_key()
        .to_sec1_bytes();
    let (private, public) = ec("secp256k1", &k256, point.as_ref());
    keys.push(("ES256K", private, public));
    let seed = [0x55; 32];
    let x = jwt_core::Ed25519PrivateKey::from_bytes(&seed)
        .public_key()
        .to_bytes();
    let public = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&x)});
    let mut private = public.clone();
    private["d"] = json!(b64(&seed));
    keys.push(("EdDSA", private, public));

    for (name, private, public) in &mut keys {
        for jwk in [private, public] {
            jwk["alg"] = json!(name);
            jwk["kid"] = json!(format!("{name}-key"));
        }
    }
    keys
}

/// The decoded header of `token`.
fn header_of(token: &str) -> serde_json::Value {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(header).unwrap()).unwrap()
}

/// `token` with the first character of its signature changed (a whole sextet, so still
/// canonical base64url).
fn tampered(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 1;
    let first = if &token[at..=at] == "A" { "B" } else { "A" };
    format!("{}{first}{}", &token[..at], &token[at + 1..])
}

/// `token` with its claims replaced and its signature kept.
fn forged(token: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let mut parts: Vec<&str> = token.split('.').collect();
    let claims = Base64UrlUnpadded::encode_string(br#"{"sub":"mallory","exp":1900000000}"#);
    parts[1] = &claims;
    parts.join(".")
}

/// `token` with its header naming `alg` instead, claims and signature kept.
fn relabelled(token: &str, alg: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let mut header = header_of(token);
    header["alg"] = serde_json::json!(alg);
    let header = Base64UrlUnpadded::encode_string(header.to_string().as_bytes());
    let rest = token.split_once('.').unwrap().1;
    format!("{header}.{rest}")
}

/// `jwt verify --key KEY --now NOW TOKEN` (with `extra` arguments before the token).
fn verify_with(key: &Path, extra: &[&str], token: &str) -> Output {
    let key = key.to_str().unwrap();
    run(&[&["verify", "--key", key, "--now", NOW][..], extra, &[token]].concat())
}

/// Exit 1 with one line on standard error: `jwt: token refused: ` and `reason`.
fn assert_refused(out: &Output, reason: &str, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    assert_eq!(err, format!("jwt: token refused: {reason}\n"), "{what}");
    assert!(stdout(out).is_empty(), "{what}");
}

const SIGNATURE: &str = "signature does not verify";
const MISMATCH: &str = "token algorithm does not match the key's algorithm";

#[test]
fn every_algorithm_signs_with_a_private_jwk_and_verifies_with_the_public_one() {
    let claims = r#"{"sub":"alice","exp":1900000000}"#;
    let keys = algorithm_keys();
    assert_eq!(keys.len(), 14);
    for (name, private, public) in &keys {
        let private_file = key_file(&format!("{name}.private.jwk"), &private.to_string());
        let public_file = key_file(&format!("{name}.public.jwk"), &public.to_string());
        let signed = run(&[
            "sign",
            "--key",
            private_file.to_str().unwrap(),
            "--claims",
            claims,
        ]);
        assert_eq!(signed.status.code(), Some(0), "{name}: {}", stderr(&signed));
        let token = stdout(&signed).trim().to_string();
        let header = header_of(&token);
        assert_eq!(header["alg"], *name);
        assert_eq!(header["kid"], format!("{name}-key"));

        let ok = verify_with(&public_file, &[], &token);
        assert_eq!(ok.status.code(), Some(0), "{name}: {}", stderr(&ok));
        let printed: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
        assert_eq!(printed["sub"], "alice", "{name}");

        // The library verifies what the command signed.
        let text = public.to_string();
        let jwk = jwt_core::Jwk::parse(text.as_bytes()).unwrap();
        let key = jwt_core::AnyVerifyingKey::from_jwk(&jwk).unwrap();
        let mut buf = vec![0u8; 2 * token.len()];
        let verified: serde_json::Value = jwt_core::verify(
            &token,
            &key,
            &jwt_core::Validation::new(),
            NOW.parse().unwrap(),
            &mut buf,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified["sub"], "alice");

        assert_refused(
            &verify_with(&public_file, &[], &tampered(&token)),
            SIGNATURE,
            name,
        );
        assert_refused(
            &verify_with(&public_file, &[], &forged(&token)),
            SIGNATURE,
            name,
        );
        // Every other algorithm named in the header: the key is bound to its own.
        for (other, _, _) in keys.iter().filter(|(other, _, _)| other != name) {
            let out = verify_with(&public_file, &[], &relabelled(&token, other));
            assert_refused(&out, MISMATCH, &format!("{name} as {other}"));
        }
    }
}

#[test]
fn tokens_the_library_signs_verify_with_the_command() {
    let claims = serde_json::json!({"sub": "bob", "exp": 1900000000});
    for (name, private, public) in algorithm_keys() {
        let text = private.to_string();
        let jwk = jwt_core::Jwk::parse(text.as_bytes()).unwrap();
        let header = HeaderFields::new().kid("from-the-library");
        use jwt_core::{Ed25519PrivateKey as Ed, Es384PrivateKey, Es512PrivateKey};
        use jwt_core::{Es256kPrivateKey, Hs256Key, Hs384Key, Hs512Key};
        use jwt_core::{Ps256PrivateKey, Ps384PrivateKey, Ps512PrivateKey};
        use jwt_core::{Rs384PrivateKey, Rs512PrivateKey};
        let key: Box<dyn jwt_core::SigningKey> = match name {
            "HS256" => Box::new(Hs256Key::from_jwk(&jwk).unwrap()),
            "HS384" => Box::new(Hs384Key::from_jwk(&jwk).unwrap()),
            "HS512" => Box::new(Hs512Key::from_jwk(&jwk).unwrap()),
            "RS256" => Box::new(Rs256PrivateKey::from_jwk(&jwk).unwrap()),
            "RS384" => Box::new(Rs384PrivateKey::from_jwk(&jwk).unwrap()),
            "RS512" => Box::new(Rs512PrivateKey::from_jwk(&jwk).unwrap()),
            "PS256" => Box::new(Ps256PrivateKey::from_jwk(&jwk).unwrap()),
            "PS384" => Box::new(Ps384PrivateKey::from_jwk(&jwk).unwrap()),
            "PS512" => Box::new(Ps512PrivateKey::from_jwk(&jwk).unwrap()),
            "ES256" => Box::new(Es256PrivateKey::from_jwk(&jwk).unwrap()),
            "ES384" => Box::new(Es384PrivateKey::from_jwk(&jwk).unwrap()),
            "ES512" => Box::new(Es512PrivateKey::from_jwk(&jwk).unwrap()),
            "ES256K" => Box::new(Es256kPrivateKey::from_jwk(&jwk).unwrap()),
            "EdDSA" => Box::new(Ed::from_jwk(&jwk).unwrap()),
            other => panic!("{other}"),
        };
        let token = jwt_core::sign_to_string(&*key, &header, &claims).unwrap();
        assert_eq!(header_of(&token)["alg"], name);
        let public_file = key_file(&format!("{name}.lib.jwk"), &public.to_string());
        let ok = verify_with(&public_file, &[], &token);
        assert_eq!(ok.status.code(), Some(0), "{name}: {}", stderr(&ok));
        assert!(stdout(&ok).contains("\"bob\""), "{name}");
        assert_refused(
            &verify_with(&public_file, &[], &tampered(&token)),
            SIGNATURE,
            name,
        );
    }
}

#[test]
fn keys_without_alg_verify_their_types_algorithm_unless_alg_names_others() {
    let keys = algorithm_keys();
    let without_alg = |name: &str, private: bool| {
        let (_, private_jwk, public_jwk) = keys.iter().find(|(n, _, _)| *n == name).unwrap();
        let mut jwk = if private { private_jwk } else { public_jwk }.clone();
        jwk.as_object_mut().unwrap().remove("alg");
        key_file(&format!("{name}-{private}.noalg.jwk"), &jwk.to_string())
    };
    let claims = r#"{"sub":"carol","exp":1900000000}"#;
    let sign = |key: &Path, extra: &[&str]| {
        let key = key.to_str().unwrap();
        let out = run(&[&["sign", "--key", key, "--claims", claims][..], extra].concat());
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    // An RSA key without `alg` signs and verifies RS256, its type's algorithm.
    let (rsa_private, rsa_public) = (without_alg("PS256", true), without_alg("PS256", false));
    let rs256 = sign(&rsa_private, &[]);
    assert_eq!(header_of(&rs256)["alg"], "RS256");
    let ps256 = sign(&rsa_private, &["--alg", "PS256"]);
    assert_eq!(header_of(&ps256)["alg"], "PS256");
    assert_eq!(verify_with(&rsa_public, &[], &rs256).status.code(), Some(0));
    assert_refused(
        &verify_with(&rsa_public, &[], &ps256),
        MISMATCH,
        "PS256 unasked",
    );
    // `--alg` binds it to what it names instead.
    let ps_only = verify_with(&rsa_public, &["--alg", "PS256"], &ps256);
    assert_eq!(ps_only.status.code(), Some(0), "{}", stderr(&ps_only));
    assert_refused(
        &verify_with(&rsa_public, &["--alg", "PS256"], &rs256),
        MISMATCH,
        "RS256 when PS256 is named",
    );
    for token in [&rs256, &ps256] {
        let out = verify_with(&rsa_public, &["--alg", "PS256", "--alg", "RS256"], token);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    // Algorithms of other key types do not apply to it.
    assert_eq!(
        verify_with(&rsa_public, &["--alg", "ES256", "--alg", "HS512"], &rs256)
            .status
            .code(),
        Some(0)
    );
    // A key naming its algorithm is that algorithm's only, to sign and to verify.
    let (_, named_private, named_public) = keys.iter().find(|(n, _, _)| *n == "RS256").unwrap();
    let named_private = key_file("RS256.named.jwk", &named_private.to_string());
    let out = run(&[
        "sign",
        "--key",
        named_private.to_str().unwrap(),
        "--alg",
        "PS256",
        "--claims",
        claims,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let named_public = key_file("RS256.named.public.jwk", &named_public.to_string());
    assert_refused(
        &verify_with(&named_public, &["--alg", "PS256"], &ps256),
        MISMATCH,
        "PS256 with a key naming RS256",
    );
    // An HMAC secret without `alg`: HS256, or HS384 when asked for.
    let (oct_private, oct_public) = (without_alg("HS384", true), without_alg("HS384", false));
    let hs384 = sign(&oct_private, &["--alg", "HS384"]);
    assert_eq!(header_of(&hs384)["alg"], "HS384");
    assert_refused(
        &verify_with(&oct_public, &[], &hs384),
        MISMATCH,
        "HS384 unasked",
    );
    let out = verify_with(&oct_public, &["--alg", "HS384"], &hs384);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // An unknown algorithm name is a usage error.
    let out = verify_with(&oct_public, &["--alg", "HS1024"], &hs384);
    assert_eq!(out.status.code(), Some(2));
    let out = verify_with(&oct_public, &["--alg", "none"], &hs384);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn alg_widens_the_alg_less_keys_of_a_jwk_set() {
    // Azure AD's RSA keys name no algorithm; "azure-current" is jwt-core's RSA test key.
    let jwks = data("jwks/azure_ad.json");
    let claims = serde_json::json!({"sub": "dave", "exp": 1900000000});
    let pkcs8 = data_bytes("keys/rsa2048.pkcs8.der");
    let header = HeaderFields::new().kid("azure-current");
    let ps256 = jwt_core::sign_to_string(
        &jwt_core::Ps256PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
        &header,
        &claims,
    )
    .unwrap();
    let rs256 = rs256_token("azure-current", r#"{"exp":1900000000}"#);
    let unknown = "no key matches the token's algorithm and key ID";
    assert_refused(&verify_with(&jwks, &[], &ps256), unknown, "PS256 unasked");
    assert_eq!(verify_with(&jwks, &[], &rs256).status.code(), Some(0));
    let both = ["--alg", "RS256", "--alg", "PS256"];
    for token in [&ps256, &rs256] {
        let out = verify_with(&jwks, &both, token);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_refused(
        &verify_with(&jwks, &["--alg", "PS256"], &rs256),
        unknown,
        "RS256 when PS256 is named",
    );
}

#[test]
fn pem_keys_of_every_curve_and_rsa_algorithm() {
    let claims = serde_json::json!({"sub": "erin", "exp": 1900000000});
    let fixture = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name)
    };
    let header = HeaderFields::new();
    let tokens = [
        (
            "p384.pub.pem",
            jwt_core::sign_to_string(
                &jwt_core::Es384PrivateKey::from_bytes(&[0x22; 48]).unwrap(),
                &header,
                &claims,
            ),
        ),
        (
            "p521.pub.pem",
            jwt_core::sign_to_string(
                &jwt_core::Es512PrivateKey::from_bytes(&[0x01; 66]).unwrap(),
                &header,
                &claims,
            ),
        ),
        (
            "secp256k1.pub.pem",
            jwt_core::sign_to_string(
                &jwt_core::Es256kPrivateKey::from_bytes(&[0x44; 32]).unwrap(),
                &header,
                &claims,
            ),
        ),
        (
            "ed25519.pub.pem",
            jwt_core::sign_to_string(
                &jwt_core::Ed25519PrivateKey::from_bytes(&[0x55; 32]),
                &header,
                &claims,
            ),
        ),
    ]
    .map(|(file, token)| (fixture(file), token.unwrap()));
    for (i, (pem, token)) in tokens.iter().enumerate() {
        let ok = verify_with(pem, &[], token);
        assert_eq!(
            ok.status.code(),
            Some(0),
            "{}: {}",
            pem.display(),
            stderr(&ok)
        );
        assert_refused(
            &verify_with(pem, &[], &tampered(token)),
            SIGNATURE,
            "tampered",
        );
        // The next curve's token: another algorithm.
        let (_, other) = &tokens[(i + 1) % tokens.len()];
        assert_refused(&verify_with(pem, &[], other), MISMATCH, "another curve");
    }

    // An RSA private key in PEM signs each RSA algorithm `--alg` names (RS256 without it);
    // its public PEM verifies RS256, and what `--alg` names.
    let private = key_file(
        "rsa-private.pem",
        &to_pem("PRIVATE KEY", &data_bytes("keys/rsa2048.pkcs8.der")),
    );
    let public = key_file(
        "rsa-public.pem",
        &to_pem("PUBLIC KEY", &data_bytes("keys/rsa2048.pub.spki.der")),
    );
    let pkcs1_public = key_file(
        "rsa-public-pkcs1.pem",
        &to_pem("RSA PUBLIC KEY", &data_bytes("keys/rsa2048.pub.pkcs1.der")),
    );
    let sign = |extra: &[&str]| {
        let key = private.to_str().unwrap();
        let claims = r#"{"sub":"erin","exp":1900000000}"#;
        let out = run(&[&["sign", "--key", key, "--claims", claims][..], extra].concat());
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    };
    let rs256 = sign(&[]);
    assert_eq!(header_of(&rs256)["alg"], "RS256");
    assert_eq!(verify_with(&public, &[], &rs256).status.code(), Some(0));
    for alg in ["RS384", "RS512", "PS256", "PS384", "PS512"] {
        let token = sign(&["--alg", alg]);
        assert_eq!(header_of(&token)["alg"], alg);
        assert_refused(&verify_with(&public, &[], &token), MISMATCH, alg);
        for key in [&public, &pkcs1_public] {
            let out = verify_with(key, &["--alg", alg], &token);
            assert_eq!(out.status.code(), Some(0), "{alg}: {}", stderr(&out));
        }
        assert_refused(
            &verify_with(&public, &["--alg", alg], &tampered(&token)),
            SIGNATURE,
            alg,
        );
    }
    // A PEM RSA key signs RSA algorithms only.
    let out = run(&[
        "sign",
        "--key",
        private.to_str().unwrap(),
        "--alg",
        "ES256",
        "--claims",
        "{}",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A token of every algorithm signed by pyca/cryptography verifies with its public JWK, and
/// its forged variant is refused.
#[test]
fn pyca_tokens_of_every_algorithm_verify_with_their_jwk() {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("pyca/tokens.json")).unwrap()).unwrap();
    let (iss, aud) = (
        doc["issuer"].as_str().unwrap(),
        doc["audience"].as_str().unwrap(),
    );
    let keys = doc["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 14);
    for key in keys {
        let alg = key["alg"].as_str().unwrap();
        let file = key_file(&format!("pyca-{alg}.jwk"), &key["jwk"].to_string());
        let token = key["token"].as_str().unwrap();
        let ok = verify_with(&file, &["--iss", iss, "--aud", aud], token);
        assert_eq!(ok.status.code(), Some(0), "{alg}: {}", stderr(&ok));
        let printed: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
        assert_eq!(printed["sub"], format!("pyca-{}", alg.to_lowercase()));
        let forged = key["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["kind"] == "forged_payload")
            .unwrap();
        let refused = verify_with(
            &file,
            &["--iss", iss, "--aud", aud],
            forged["token"].as_str().unwrap(),
        );
        assert_refused(&refused, SIGNATURE, alg);
    }
}
