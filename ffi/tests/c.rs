//! The C test programs, compiled with the system C compiler against the static library and
//! the committed header, then run: the suite (`tests/c/test_jwt.c`), plainly and under
//! sanitizers, and the key storage program (`tests/c/test_storage.c`) under valgrind and
//! under AddressSanitizer. Their vectors are written here, from the RFC 7515 examples in the
//! repository's test data and from tokens signed with jwt-core, into generated headers
//! (`keys.h`, and `vectors.h` beside it for the suite).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use jwt_core::{Es256PrivateKey, HeaderFields, Hs256Key};
use serde_json::{Value, json};

const NOW: u64 = 1_800_000_000;

/// A C string literal holding `text`.
fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut utf8 = [0u8; 4];
                for b in c.encode_utf8(&mut utf8).bytes() {
                    write!(out, "\\x{b:02x}\"\"").unwrap();
                }
            }
        }
    }
    out.push('"');
    out
}

/// One row of the C vector table.
struct Vector {
    name: String,
    jwk: String,
    token: String,
    preset: u32,
    issuer: Option<&'static str>,
    audience: Option<&'static str>,
    now: u64,
    expected: &'static str,
    claim: &'static str,
}

impl Vector {
    fn c(&self) -> String {
        let opt = |s: Option<&str>| s.map_or("NULL".to_string(), c_string);
        format!(
            "    {{{}, {}, {}, {}, {}, {}, {}ull, {}, {}}},\n",
            c_string(&self.name),
            c_string(&self.jwk),
            c_string(&self.token),
            self.preset,
            opt(self.issuer),
            opt(self.audience),
            self.now,
            self.expected,
            self.claim
        )
    }
}

/// The public members of an RFC example JWK (the examples print private ones too).
fn public_jwk(jwk: &Value) -> String {
    let mut public = serde_json::Map::new();
    for (name, value) in jwk.as_object().unwrap() {
        if ["kty", "crv", "x", "y", "n", "e", "k"].contains(&name.as_str()) {
            public.insert(name.clone(), value.clone());
        }
    }
    Value::Object(public).to_string()
}

fn rfc_vectors() -> Vec<Vector> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/rfc7515_appendix_a.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(data).unwrap()).unwrap();
    let mut vectors = Vec::new();
    for v in doc["vectors"].as_array().unwrap() {
        if v["expected"] != "valid" || v["token"].as_str().unwrap().split('.').count() != 3 {
            continue;
        }
        let token = v["token"].as_str().unwrap().to_string();
        let jwk = public_jwk(&v["jwk"]);
        let name = v["name"].as_str().unwrap();
        let exp = 1_300_819_380;
        let leeway = jwt_core::DEFAULT_LEEWAY;
        let mut tampered = token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        for (suffix, token, now, expected) in [
            ("", token.clone(), exp - 1, "JWT_OK"),
            (", expired", token.clone(), exp + leeway, "JWT_EXPIRED"),
            (", tampered", tampered, exp - 1, "JWT_INVALID_SIGNATURE"),
        ] {
            vectors.push(Vector {
                name: format!("{name}{suffix}"),
                jwk: jwk.clone(),
                token,
                preset: 0,
                issuer: None,
                audience: None,
                now,
                expected,
                claim: "JWT_CLAIM_NONE",
            });
        }
    }
    assert!(vectors.len() >= 6, "the RFC 7515 vectors were found");
    vectors
}

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "https://api.example";
const HS_JWK: &str = r#"{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#;

fn hs256_key() -> Hs256Key {
    Hs256Key::from_jwk(&jwt_core::Jwk::parse(HS_JWK.as_bytes()).unwrap()).unwrap()
}

/// base64url of `bytes`.
fn b64(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 4 / 3 + 4];
    let n = jwt_core::base64url::encode(bytes, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// An `at+jwt` HS256 token over `claims` as they are, even claims jwt-core would not sign.
fn signed_as_is(claims: &Value) -> String {
    use jwt_core::SigningKey;
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"at+jwt"}"#),
        b64(claims.to_string().as_bytes())
    );
    let mut mac = [0u8; 32];
    hs256_key()
        .sign_signature(input.as_bytes(), &mut mac)
        .unwrap();
    format!("{input}.{}", b64(&mac))
}

/// Access tokens signed here, against the access-token preset.
fn policy_vectors() -> Vec<Vector> {
    let valid = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "caf\u{e9} \"q\"", "client_id": "web",
        "jti": "a1", "iat": NOW - 10, "exp": NOW + 300, "scope": "orders:read",
        "admin": false, "level": -42, "nested": {"a": [1, 2]}
    });
    let with = |name: &str, value: Value| {
        let mut claims = valid.clone();
        claims[name] = value;
        claims
    };
    let without = |name: &str| {
        let mut claims = valid.clone();
        claims.as_object_mut().unwrap().remove(name);
        claims
    };
    let at = HeaderFields::new().typ("at+jwt");
    let es = Es256PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let point = es.public_key().to_sec1_bytes();
    let es_jwk = json!({"kty":"EC","crv":"P-256","x":b64(&point[1..33]),"y":b64(&point[33..65])})
        .to_string();
    let hs = |claims: &Value, fields: &HeaderFields<'_>| {
        jwt_core::sign_to_string(&hs256_key(), fields, claims).unwrap()
    };
    let row = |name: &str, jwk: &str, token: String, expected: &'static str, claim| Vector {
        name: name.into(),
        jwk: jwk.into(),
        token,
        preset: 1,
        issuer: Some(ISSUER),
        audience: Some(AUDIENCE),
        now: NOW,
        expected,
        claim,
    };
    vec![
        row(
            "access token",
            HS_JWK,
            hs(&valid, &at),
            "JWT_OK",
            "JWT_CLAIM_NONE",
        ),
        row(
            "access token, ES256",
            &es_jwk,
            jwt_core::sign_to_string(&es, &at, &valid).unwrap(),
            "JWT_OK",
            "JWT_CLAIM_NONE",
        ),
        row(
            "typ JWT under the access-token preset",
            HS_JWK,
            hs(&valid, &HeaderFields::new()),
            "JWT_INVALID_TYPE",
            "JWT_CLAIM_NONE",
        ),
        row(
            "wrong audience",
            HS_JWK,
            hs(&with("aud", json!("https://other.example")), &at),
            "JWT_INVALID_AUDIENCE",
            "JWT_CLAIM_NONE",
        ),
        row(
            "wrong issuer",
            HS_JWK,
            hs(&with("iss", json!("https://evil.example")), &at),
            "JWT_INVALID_ISSUER",
            "JWT_CLAIM_NONE",
        ),
        row(
            "expired",
            HS_JWK,
            hs(&with("exp", json!(NOW - 100)), &at),
            "JWT_EXPIRED",
            "JWT_CLAIM_NONE",
        ),
        row(
            "not yet valid",
            HS_JWK,
            hs(&with("nbf", json!(NOW + 100)), &at),
            "JWT_NOT_YET_VALID",
            "JWT_CLAIM_NONE",
        ),
        row(
            "missing client_id",
            HS_JWK,
            hs(&without("client_id"), &at),
            "JWT_MISSING_CLAIM",
            "JWT_CLAIM_CLIENT_ID",
        ),
        row(
            "exp as a string",
            HS_JWK,
            signed_as_is(&with("exp", json!("soon"))),
            "JWT_INVALID_CLAIM",
            "JWT_CLAIM_EXP",
        ),
        row(
            "ES256 token, HS256 key",
            HS_JWK,
            jwt_core::sign_to_string(&es, &at, &valid).unwrap(),
            "JWT_ALGORITHM_MISMATCH",
            "JWT_CLAIM_NONE",
        ),
    ]
}

/// A C string literal holding exactly `bytes` (every byte escaped), and its length.
fn c_literal(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for b in bytes {
        write!(out, "\\x{b:02x}").unwrap();
    }
    out.push('"');
    format!("{out}, {}", bytes.len())
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The Wycheproof HMAC-SHA256 and ECDSA P-256 SHA-256 (P1363) cases as C table rows
/// `{alg, key, msg, sig, tcId, expected}`, with what HS256 and ES256 make of them: HMAC keys
/// under 256 bits are refused at import (`0`), truncated tags are invalid (`2`), the rest
/// keep their label (`1` valid, `2` invalid).
fn wycheproof_rows() -> String {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/wycheproof");
    let suite = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(data.join(name)).unwrap()).unwrap()
    };
    let label = |test: &Value| if test["result"] == "valid" { 1 } else { 2 };
    let mut rows = String::new();
    let mut row = |alg: u8, key: &[u8], test: &Value, sig: &str, expected: u8| {
        writeln!(
            rows,
            "    {{{alg}, {}, {}, {}, {}, {expected}}},",
            c_literal(key),
            c_literal(&hex(test["msg"].as_str().unwrap())),
            c_literal(&hex(test[sig].as_str().unwrap())),
            test["tcId"]
        )
        .unwrap();
    };
    for group in suite("hmac_sha256_test.json")["testGroups"]
        .as_array()
        .unwrap()
    {
        let (key_bits, tag_bits) = (group["keySize"].as_u64(), group["tagSize"].as_u64());
        for test in group["tests"].as_array().unwrap() {
            let expected = match (key_bits, tag_bits) {
                (Some(k), _) if k < 256 => 0,
                (_, Some(256)) => label(test),
                _ => 2,
            };
            row(
                1,
                &hex(test["key"].as_str().unwrap()),
                test,
                "tag",
                expected,
            );
        }
    }
    let p1363 = suite("ecdsa_secp256r1_sha256_p1363_test.json");
    for group in p1363["testGroups"].as_array().unwrap() {
        let key = hex(group["publicKey"]["uncompressed"].as_str().unwrap());
        for test in group["tests"].as_array().unwrap() {
            row(2, &key, test, "sig", label(test));
        }
    }
    rows
}

/// A C array initialiser of `bytes`.
fn c_bytes(bytes: &[u8]) -> String {
    let items: Vec<String> = bytes.iter().map(|b| format!("0x{b:02x}")).collect();
    format!("{{{}}}", items.join(","))
}

/// The key-set and DER vectors: the repository's Auth0-shaped JWK Set (two RSA keys) and its
/// key "auth0-current" alone, a token signed with that key, the same token naming the other
/// and an unknown `kid`, the key's public DER forms, and a set with one key too many.
fn keyset_defines() -> String {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let read = |path: &str| std::fs::read(data.join(path)).unwrap();
    let jwks = String::from_utf8(read("jwks/auth0.json")).unwrap();
    let doc: Value = serde_json::from_str(&jwks).unwrap();
    let current_jwk = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "auth0-current")
        .unwrap();
    let key = jwt_core::Rs256PrivateKey::from_pkcs1_der(&read("keys/rsa2048.pkcs1.der")).unwrap();
    let claims = json!({ "sub": "alice", "exp": NOW + 300 });
    let token =
        |kid: &str| jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &claims).unwrap();
    let current = token("auth0-current");
    // The signature stays that of "auth0-current": only the header's `kid` differs.
    let renamed = |kid: &str| {
        let header = b64(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#).as_bytes());
        let rest = current.split_once('.').unwrap().1;
        format!("{header}.{rest}")
    };
    let oct = |i: u8| format!(r#"{{"kty":"oct","kid":"k{i}","k":"{}"}}"#, b64(&[i; 32]));
    let nine: Vec<String> = (0..9).map(oct).collect();
    format!(
        "#define TEST_RSA_JWKS {}\n\
         #define TEST_RSA_JWK {}\n\
         #define TEST_RS256_TOKEN {}\n\
         #define TEST_RS256_PREVIOUS_KID_TOKEN {}\n\
         #define TEST_RS256_UNKNOWN_KID_TOKEN {}\n\
         #define TEST_NINE_KEYS_JWKS {}\n\
         static const uint8_t TEST_RSA_SPKI[] = {};\n\
         static const uint8_t TEST_RSA_PKCS1[] = {};\n",
        c_string(&jwks),
        c_string(&current_jwk.to_string()),
        c_string(&token("auth0-current")),
        c_string(&renamed("auth0-previous")),
        c_string(&renamed("auth0-next")),
        c_string(&format!(r#"{{"keys":[{}]}}"#, nine.join(","))),
        c_bytes(&read("keys/rsa2048.pub.spki.der")),
        c_bytes(&read("keys/rsa2048.pub.pkcs1.der")),
    )
}

/// How a case's key is given in raw form (`struct algorithm.raw_kind`).
#[derive(Clone, Copy)]
enum Raw {
    /// An HMAC secret (`jwt_key_hmac`); it also signs.
    Secret = 1,
    /// A SEC1 point (`jwt_key_ecdsa`); the private form is the scalar.
    EcPoint = 2,
    /// An RSA SubjectPublicKeyInfo (`jwt_key_rsa_der`); no private form.
    RsaDer = 3,
    /// An Ed25519 public key (`jwt_key_ed25519`); the private form is the seed.
    Ed25519 = 4,
}

/// A token of one algorithm signed by jwt-core, with its key in every form the C interface
/// takes, and the token altered three ways.
struct AlgorithmCase {
    name: &'static str,
    /// The JWK with `alg` and `kid` (the algorithm's name).
    jwk: Value,
    raw: (Raw, Vec<u8>),
    /// What signs in C: the secret, scalar or seed (RSA: none).
    private: Option<Vec<u8>>,
    token: String,
    /// Whether a JWK of this key without `alg` is bound to this algorithm.
    is_default: bool,
    /// An algorithm of the same key type, for the relabelled token.
    other: &'static str,
}

impl AlgorithmCase {
    fn new(
        name: &'static str,
        key: &(impl jwt_core::SigningKey + ?Sized),
        jwk: Value,
        raw: (Raw, Vec<u8>),
        private: Option<Vec<u8>>,
        (is_default, other): (bool, &'static str),
    ) -> Self {
        let mut jwk = jwk;
        jwk["alg"] = json!(name);
        jwk["kid"] = json!(name);
        let claims = json!({ "sub": format!("{name} subject"), "exp": NOW + 300 });
        let token = jwt_core::sign_to_string(key, &HeaderFields::new().kid(name), &claims).unwrap();
        AlgorithmCase {
            name,
            jwk,
            raw,
            private,
            token,
            is_default,
            other,
        }
    }

    /// The claims replaced after signing, the signature kept.
    fn forged(&self) -> String {
        let (header, rest) = self.token.split_once('.').unwrap();
        let signature = rest.split_once('.').unwrap().1;
        let claims = json!({ "sub": "someone else", "exp": NOW + 300 });
        format!(
            "{header}.{}.{signature}",
            b64(claims.to_string().as_bytes())
        )
    }

    /// The first signature character changed (a whole sextet: still canonical base64url).
    fn tampered(&self) -> String {
        let at = self.token.rfind('.').unwrap() + 1;
        let mut token = self.token.clone();
        let first = if &token[at..=at] == "A" { "B" } else { "A" };
        token.replace_range(at..=at, first);
        token
    }

    /// The header naming `other`, the claims and signature kept.
    fn relabelled(&self) -> String {
        let header = format!(r#"{{"alg":"{}","kid":"{}"}}"#, self.other, self.name);
        let rest = self.token.split_once('.').unwrap().1;
        format!("{}.{rest}", b64(header.as_bytes()))
    }

    /// The JWK without `alg`.
    fn alg_less_jwk(&self) -> String {
        let mut jwk = self.jwk.clone();
        jwk.as_object_mut().unwrap().remove("alg");
        jwk.to_string()
    }

    fn c(&self) -> String {
        let (kind, raw) = &self.raw;
        let private = self
            .private
            .as_deref()
            .map_or("NULL, 0".to_string(), c_literal);
        format!(
            "    {{{name}, JWT_ALG_{upper}, {jwk}, {alg_less}, {kind}, {raw}, {private}, {token},\n     \
             {forged}, {tampered}, {relabelled}, JWT_ALG_{other}, {sub}, {default}}},\n",
            name = c_string(self.name),
            upper = self.name.to_uppercase(),
            other = self.other.to_uppercase(),
            jwk = c_string(&self.jwk.to_string()),
            alg_less = c_string(&self.alg_less_jwk()),
            kind = *kind as u8,
            raw = c_literal(raw),
            token = c_string(&self.token),
            forged = c_string(&self.forged()),
            tampered = c_string(&self.tampered()),
            relabelled = c_string(&self.relabelled()),
            sub = c_string(&format!("{} subject", self.name)),
            default = u8::from(self.is_default),
        )
    }
}

/// One case per algorithm: HMAC secrets of the hash's length, the repository's RSA 2048-bit
/// key under each RSA algorithm, ECDSA and Ed25519 keys from fixed scalars and seed.
fn algorithm_cases() -> Vec<AlgorithmCase> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let read = |path: &str| std::fs::read(data.join(path)).unwrap();
    let oct = |secret: &[u8]| json!({"kty": "oct", "k": b64(secret)});
    let (s256, s384, s512) = (vec![0x31; 32], vec![0x32; 48], vec![0x33; 64]);

    let pkcs8 = read("keys/rsa2048.pkcs8.der");
    let auth0: Value = serde_json::from_slice(&read("jwks/auth0.json")).unwrap();
    let current = auth0["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "auth0-current")
        .unwrap();
    let rsa_jwk = json!({"kty": "RSA", "n": current["n"], "e": current["e"]});
    let rsa_der = (Raw::RsaDer, read("keys/rsa2048.pub.spki.der"));
    let rsa = |name, key: &dyn jwt_core::SigningKey, is_default, other| {
        let (jwk, raw) = (rsa_jwk.clone(), rsa_der.clone());
        AlgorithmCase::new(name, key, jwk, raw, None, (is_default, other))
    };

    fn ec<C: jwt_core::EcdsaCurve>(
        name: &'static str,
        key: jwt_core::EcdsaPrivateKey<C>,
        scalar: &[u8],
        crv: &str,
        other: &'static str,
    ) -> AlgorithmCase {
        let point = key.public_key().to_sec1_bytes().as_ref().to_vec();
        let half = (point.len() - 1) / 2;
        let jwk = json!({"kty": "EC", "crv": crv, "x": b64(&point[1..=half]),
                         "y": b64(&point[half + 1..])});
        let raw = (Raw::EcPoint, point);
        AlgorithmCase::new(name, &key, jwk, raw, Some(scalar.to_vec()), (true, other))
    }
    let (p256, p384, p521, k256) = ([0x11; 32], [0x22; 48], [0x01; 66], [0x44; 32]);

    let seed = [0x55; 32];
    let ed = jwt_core::Ed25519PrivateKey::from_bytes(&seed);
    let ed_public = ed.public_key().to_bytes();
    let ed_jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&ed_public)});

    vec![
        AlgorithmCase::new(
            "HS256",
            &jwt_core::Hs256Key::new(&s256).unwrap(),
            oct(&s256),
            (Raw::Secret, s256.clone()),
            Some(s256),
            (true, "HS384"),
        ),
        AlgorithmCase::new(
            "HS384",
            &jwt_core::Hs384Key::new(&s384).unwrap(),
            oct(&s384),
            (Raw::Secret, s384.clone()),
            Some(s384),
            (false, "HS512"),
        ),
        AlgorithmCase::new(
            "HS512",
            &jwt_core::Hs512Key::new(&s512).unwrap(),
            oct(&s512),
            (Raw::Secret, s512.clone()),
            Some(s512),
            (false, "HS256"),
        ),
        rsa(
            "RS256",
            &jwt_core::Rs256PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            true,
            "PS256",
        ),
        rsa(
            "RS384",
            &jwt_core::Rs384PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            false,
            "RS256",
        ),
        rsa(
            "RS512",
            &jwt_core::Rs512PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            false,
            "PS512",
        ),
        rsa(
            "PS256",
            &jwt_core::Ps256PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            false,
            "RS256",
        ),
        rsa(
            "PS384",
            &jwt_core::Ps384PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            false,
            "PS256",
        ),
        rsa(
            "PS512",
            &jwt_core::Ps512PrivateKey::from_pkcs8_der(&pkcs8).unwrap(),
            false,
            "RS512",
        ),
        ec(
            "ES256",
            jwt_core::Es256PrivateKey::from_bytes(&p256).unwrap(),
            &p256,
            "P-256",
            "ES256K",
        ),
        ec(
            "ES384",
            jwt_core::Es384PrivateKey::from_bytes(&p384).unwrap(),
            &p384,
            "P-384",
            "ES256",
        ),
        ec(
            "ES512",
            jwt_core::Es512PrivateKey::from_bytes(&p521).unwrap(),
            &p521,
            "P-521",
            "ES384",
        ),
        ec(
            "ES256K",
            jwt_core::Es256kPrivateKey::from_bytes(&k256).unwrap(),
            &k256,
            "secp256k1",
            "ES256",
        ),
        AlgorithmCase::new(
            "EdDSA",
            &ed,
            ed_jwk,
            (Raw::Ed25519, ed_public.to_vec()),
            Some(seed.to_vec()),
            (true, "ES256"),
        ),
    ]
}

/// The algorithm table of `vectors.h`, and a JWK Set of one key of each asymmetric algorithm
/// but three (a set holds 8).
fn algorithm_defines() -> String {
    let cases = algorithm_cases();
    let rows: String = cases.iter().map(AlgorithmCase::c).collect();
    let in_set = [
        "RS512", "PS256", "PS384", "PS512", "ES384", "ES512", "ES256K", "EdDSA",
    ];
    let keys: Vec<&Value> = cases
        .iter()
        .filter(|c| in_set.contains(&c.name))
        .map(|c| &c.jwk)
        .collect();
    assert_eq!(keys.len(), in_set.len());
    format!(
        "struct algorithm {{ const char *name; int alg; const char *jwk; const char *alg_less_jwk;\n  \
           int raw_kind; const char *raw; size_t raw_len; const char *private_raw;\n  \
           size_t private_len; const char *token; const char *forged; const char *tampered;\n  \
           const char *relabelled; int other_alg; const char *sub; int is_default; }};\n\
         static const struct algorithm ALGORITHMS[] = {{\n{rows}}};\n\
         #define TEST_ALGORITHMS_JWKS {set}\n",
        set = c_string(&json!({ "keys": keys }).to_string()),
    )
}

/// An RSA key published without `alg`, as Microsoft Entra ID does, and RS256 and PS256
/// tokens naming it.
fn entra_defines() -> String {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let pkcs8 = std::fs::read(data.join("keys/rsa2048.pkcs8.der")).unwrap();
    let auth0: Value =
        serde_json::from_slice(&std::fs::read(data.join("jwks/auth0.json")).unwrap()).unwrap();
    let current = &auth0["keys"][1];
    assert_eq!(current["kid"], "auth0-current");
    let jwks = json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "entra",
        "n": current["n"], "e": current["e"], "x5t": current["x5t"], "x5c": current["x5c"],
        "issuer": "https://login.microsoftonline.com/tenant/v2.0"}]});
    let claims = json!({ "sub": "entra user", "exp": NOW + 300 });
    let header = HeaderFields::new().kid("entra");
    let rs = jwt_core::Rs256PrivateKey::from_pkcs8_der(&pkcs8).unwrap();
    let ps = jwt_core::Ps256PrivateKey::from_pkcs8_der(&pkcs8).unwrap();
    format!(
        "#define TEST_ENTRA_JWKS {}\n#define TEST_ENTRA_RS256_TOKEN {}\n\
         #define TEST_ENTRA_PS256_TOKEN {}\n",
        c_string(&jwks.to_string()),
        c_string(&jwt_core::sign_to_string(&rs, &header, &claims).unwrap()),
        c_string(&jwt_core::sign_to_string(&ps, &header, &claims).unwrap()),
    )
}

/// The tokens pyca/cryptography signed with a key of every algorithm (tests/data/pyca), each
/// with its public JWK and the issuer, audience and subject it names.
fn pyca_defines() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/pyca/tokens.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let rows: String = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let alg = k["alg"].as_str().unwrap();
            format!(
                "    {{{alg}, {jwk}, {token}, {sub}}},\n",
                alg = c_string(alg),
                jwk = c_string(&k["jwk"].to_string()),
                token = c_string(k["token"].as_str().unwrap()),
                sub = c_string(&format!("pyca-{}", alg.to_lowercase())),
            )
        })
        .collect();
    format!(
        "struct pyca {{ const char *alg; const char *jwk; const char *token; const char *sub; }};\n\
         static const struct pyca PYCA[] = {{\n{rows}}};\n\
         #define PYCA_ISSUER {issuer}\n#define PYCA_AUDIENCE {audience}\n",
        issuer = c_string(doc["issuer"].as_str().unwrap()),
        audience = c_string(doc["audience"].as_str().unwrap()),
    )
}

const DPOP_URI: &str = "https://api.example/orders";

/// An access token (HS256, `at+jwt`, valid at `NOW` under the access-token preset) for the
/// subject `sub`, with `cnf` if given.
fn access_token(sub: &str, cnf: Option<Value>) -> String {
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "client_id": "device-app",
        "jti": format!("at-{sub}"), "iat": NOW - 10, "exp": NOW + 300, "scope": "orders:read",
    });
    if let Some(cnf) = cnf {
        claims["cnf"] = cnf;
    }
    jwt_core::sign_to_string(&hs256_key(), &HeaderFields::new().typ("at+jwt"), &claims).unwrap()
}

/// A proof by `key` for `GET` of the DPoP URI with `token`, made at `iat`.
fn proof<K: jwt_core::dpop::ProofKey>(
    key: &K,
    jti: &str,
    iat: u64,
    token: &str,
    nonce: Option<&str>,
) -> String {
    let mut claims =
        jwt_core::dpop::ProofClaims::new(jti, "GET", DPOP_URI, iat).access_token(token);
    if let Some(nonce) = nonce {
        claims = claims.nonce(nonce);
    }
    let mut out = [0u8; 2048];
    jwt_core::dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

/// A proof with any header and payload, signed by `key` over exactly these texts.
fn raw_proof(key: &dyn jwt_core::SigningKey, header: &Value, payload: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let mut sig = vec![0u8; key.signature_len()];
    key.sign_signature(input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(&sig))
}

/// A DER `SEQUENCE` standing in for a client certificate named `name`: a binding looks at
/// the SHA-256 of the DER bytes only.
fn certificate(name: &str) -> Vec<u8> {
    let text = format!("client certificate {name}");
    let mut der = vec![0x30, text.len() as u8 + 2, 0x0c, text.len() as u8];
    der.extend_from_slice(text.as_bytes());
    der
}

/// The DPoP vectors (RFC 9449): a device's ES256 and Ed25519 keys, access tokens bound to
/// them, to another key, and to none; proofs jwt-core made for them, and proofs refused by
/// each check; what `jwt_verify_dpop` must hand out for the first (its thumbprint and
/// replay key, from jwt-core's own `verify_proof`); and tokens bound to a TLS client
/// certificate.
fn dpop_defines() -> String {
    use jwt_core::dpop::{self, Policy, Request};
    let device = Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap();
    let other = Es256PrivateKey::from_bytes(&[0x5C; 32]).unwrap();
    let ed = jwt_core::Ed25519PrivateKey::from_bytes(&[0x5B; 32]);
    let jkt = dpop::thumbprint(&device).unwrap();
    let other_jkt = dpop::thumbprint(&other).unwrap();
    let ed_jkt = dpop::thumbprint(&ed).unwrap();
    let bound = access_token("device-7", Some(json!({ "jkt": jkt.as_str() })));
    let other_bound = access_token("device-8", Some(json!({ "jkt": other_jkt.as_str() })));
    let ed_bound = access_token("device-9", Some(json!({ "jkt": ed_jkt.as_str() })));
    let bearer = access_token("bearer", None);

    let valid = proof(&device, "4f2a91c0e6b5d3a7-0001", NOW, &bound, None);
    let mut buf = vec![0u8; valid.len()];
    let request = Request::new("GET", DPOP_URI).access_token(&bound);
    let verified = dpop::verify_proof(&valid, &request, &Policy::new(), NOW, &mut buf).unwrap();
    assert_eq!(verified.thumbprint(), jkt.as_str());
    let replay_key = verified.replay_key();

    // Proofs jwt-core would not make: another signer, HMAC, a private key, typ JWT.
    let sec1 = device.public_key().to_sec1_bytes();
    let jwk = json!({"kty":"EC","crv":"P-256","x": b64(&sec1[1..33]),"y": b64(&sec1[33..])});
    let header = json!({"typ":"dpop+jwt","alg":"ES256","jwk": jwk});
    // The valid proof's claims (its `ath` that of `bound`), under another `jti`.
    let mut payload: Value = {
        let segment = valid.split('.').nth(1).unwrap();
        let mut json = vec![0u8; segment.len()];
        let len = jwt_core::base64url::decode(segment.as_bytes(), &mut json).unwrap();
        serde_json::from_slice(&json[..len]).unwrap()
    };
    payload["jti"] = json!("raw-1");
    assert!(
        dpop::verify_proof(
            &raw_proof(&device, &header, &payload),
            &request,
            &Policy::new(),
            NOW,
            &mut vec![0u8; 1024]
        )
        .is_ok(),
        "raw proofs are made right"
    );
    let mut private = header.clone();
    private["jwk"]["d"] = json!(b64(&[0x5A; 32]));
    let mut typ_jwt = header.clone();
    typ_jwt["typ"] = json!("JWT");
    let secret = [0x21; 32];
    let hmac = json!({"typ":"dpop+jwt","alg":"HS256","jwk":{"kty":"oct","k": b64(&secret)}});

    // A token of the RS256 key set, bound to the device key, for jwt_verify_dpop_keyset.
    let rsa = jwt_core::Rs256PrivateKey::from_pkcs1_der(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/keys/rsa2048.pkcs1.der"),
        )
        .unwrap(),
    )
    .unwrap();
    let keyset_bound = jwt_core::sign_to_string(
        &rsa,
        &HeaderFields::new().kid("auth0-current"),
        &json!({"sub": "rsa device", "exp": NOW + 300, "cnf": {"jkt": jkt.as_str()}}),
    )
    .unwrap();

    let (cert, other_cert) = (certificate("A"), certificate("B"));
    let x5t = jwt_core::Thumbprint::of_certificate(&cert);
    let cert_bound = access_token("mtls client", Some(json!({ "x5t#S256": x5t.as_str() })));
    let keyset_cert_bound = jwt_core::sign_to_string(
        &rsa,
        &HeaderFields::new().kid("auth0-current"),
        &json!({"sub": "rsa mtls", "exp": NOW + 300, "cnf": {"x5t#S256": x5t.as_str()}}),
    )
    .unwrap();

    let defines: Vec<(&str, String)> = vec![
        ("DPOP_URI", DPOP_URI.into()),
        ("DPOP_JKT", jkt.as_str().into()),
        ("DPOP_EDDSA_JKT", ed_jkt.as_str().into()),
        ("DPOP_BOUND_TOKEN", bound.clone()),
        ("DPOP_OTHER_BOUND_TOKEN", other_bound.clone()),
        ("DPOP_EDDSA_BOUND_TOKEN", ed_bound.clone()),
        ("DPOP_BEARER_TOKEN", bearer.clone()),
        ("DPOP_PROOF", valid.clone()),
        (
            "DPOP_EDDSA_PROOF",
            proof(&ed, "ed-0001", NOW, &ed_bound, None),
        ),
        // The device's proof for the token bound to another key: valid, its `ath` that
        // token's.
        (
            "DPOP_OTHER_BOUND_PROOF",
            proof(&device, "other-0001", NOW, &other_bound, None),
        ),
        (
            "DPOP_BEARER_PROOF",
            proof(&device, "bearer-0001", NOW, &bearer, None),
        ),
        (
            "DPOP_OLDEST_PROOF",
            proof(&device, "old-0001", NOW - 300, &bound, None),
        ),
        (
            "DPOP_STALE_PROOF",
            proof(&device, "stale-0001", NOW - 301, &bound, None),
        ),
        (
            "DPOP_FUTURE_PROOF",
            proof(&device, "future-0001", NOW + 61, &bound, None),
        ),
        (
            "DPOP_NONCE_PROOF",
            proof(&device, "nonce-0001", NOW, &bound, Some("n-42")),
        ),
        (
            "DPOP_LONG_JTI_PROOF",
            proof(&device, &"j".repeat(129), NOW, &bound, None),
        ),
        (
            "DPOP_LONGEST_JTI_PROOF",
            proof(&device, &"j".repeat(128), NOW, &bound, None),
        ),
        (
            "DPOP_ESCAPED_JTI_PROOF",
            proof(&device, "a\"b", NOW, &bound, None),
        ),
        (
            "DPOP_OTHER_SIGNER_PROOF",
            raw_proof(&other, &header, &payload),
        ),
        (
            "DPOP_HMAC_PROOF",
            raw_proof(&jwt_core::Hs256Key::new(&secret).unwrap(), &hmac, &payload),
        ),
        (
            "DPOP_PRIVATE_JWK_PROOF",
            raw_proof(&device, &private, &payload),
        ),
        ("DPOP_TYP_JWT_PROOF", raw_proof(&device, &typ_jwt, &payload)),
        ("DPOP_KEYSET_BOUND_TOKEN", keyset_bound.clone()),
        (
            "DPOP_KEYSET_PROOF",
            proof(&device, "keyset-0001", NOW, &keyset_bound, None),
        ),
        ("MTLS_BOUND_TOKEN", cert_bound),
        ("MTLS_KEYSET_BOUND_TOKEN", keyset_cert_bound),
    ];
    let mut out = String::new();
    for (name, value) in defines {
        writeln!(out, "#define {name} {}", c_string(&value)).unwrap();
    }
    writeln!(
        out,
        "static const uint8_t DPOP_REPLAY_KEY[32] = {};\n\
         static const uint8_t MTLS_CERT[] = {};\n\
         static const uint8_t MTLS_OTHER_CERT[] = {};",
        c_bytes(&replay_key),
        c_bytes(&cert),
        c_bytes(&other_cert)
    )
    .unwrap();
    out
}

/// Writes `keys.h` (the keys and tokens) and `vectors.h` (those and the vector tables) into
/// `dir`.
fn vectors_header(dir: &Path) {
    let mut rows = String::new();
    for v in rfc_vectors().iter().chain(&policy_vectors()) {
        rows.push_str(&v.c());
    }
    let valid = policy_vectors().remove(0);
    let keys = format!(
        "/* Generated by tests/c.rs for the C tests. */\n\
         #define TEST_NOW {NOW}ull\n\
         #define TEST_ISSUER {issuer}\n\
         #define TEST_AUDIENCE {audience}\n\
         #define TEST_HS_JWK {jwk}\n\
         #define TEST_ACCESS_TOKEN {token}\n{keysets}",
        issuer = c_string(ISSUER),
        audience = c_string(AUDIENCE),
        jwk = c_string(HS_JWK),
        token = c_string(&valid.token),
        keysets = keyset_defines(),
    );
    let vectors = format!(
        "/* Generated by tests/c.rs for test_jwt.c. */\n\
         #include \"keys.h\"\n\
         struct vector {{ const char *name; const char *jwk; const char *token; uint32_t preset;\n\
           const char *issuer; const char *audience; uint64_t now; int expected; int claim; }};\n\
         static const struct vector VECTORS[] = {{\n{rows}}};\n\
         struct wycheproof {{ int alg; const char *key; size_t key_len; const char *msg;\n\
           size_t msg_len; const char *sig; size_t sig_len; int tc_id; int expected; }};\n\
         static const struct wycheproof WYCHEPROOF[] = {{\n{wycheproof}}};\n\
         {algorithms}{entra}{pyca}{dpop}",
        pyca = pyca_defines(),
        dpop = dpop_defines(),
        wycheproof = wycheproof_rows(),
        algorithms = algorithm_defines(),
        entra = entra_defines(),
    );
    std::fs::write(dir.join("keys.h"), keys).unwrap();
    std::fs::write(dir.join("vectors.h"), vectors).unwrap();
}

/// A fresh folder for one test's generated headers and programs.
fn work_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jwt-core-ffi-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    vectors_header(&dir);
    dir
}

/// Where cargo put this package's static library when it built it for this test: beside the
/// test binary (`deps/`; the copy one level up is refreshed by `cargo build` only).
fn static_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.parent().unwrap().join("libjwt_core_ffi.a");
    assert!(lib.exists(), "{} was built by cargo test", lib.display());
    lib
}

/// Compiles `tests/c/{program}.c` in `dir` against the static library, with `sanitizers`
/// (`-fsanitize=`) if any; `None` when `cc` has no AddressSanitizer.
fn compile(dir: &Path, program: &str, sanitizers: Option<&str>) -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = dir.join(match sanitizers {
        Some(_) => format!("{program}_asan"),
        None => program.to_string(),
    });
    let mut cc = Command::new("cc");
    cc.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .arg("-I")
        .arg(manifest.join("include"))
        .arg("-I")
        .arg(dir)
        .arg(manifest.join(format!("tests/c/{program}.c")))
        .arg(static_library())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe);
    if let Some(sanitizers) = sanitizers {
        cc.arg(format!("-fsanitize={sanitizers}"));
    }
    let out = cc.output().expect("a C compiler `cc`");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if sanitizers.is_some() && stderr.contains("asan") {
            println!("SKIPPED: AddressSanitizer is not available to `cc`: {stderr}");
            return None;
        }
        panic!("cc failed:\n{stderr}");
    }
    Some(exe)
}

#[test]
fn the_c_test_suite_passes() {
    let dir = work_dir("c");
    for sanitizers in [None, Some("address,undefined")] {
        let Some(exe) = compile(&dir, "test_jwt", sanitizers) else {
            continue;
        };
        let out = Command::new(&exe).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        println!(
            "{}{stdout}{stderr}",
            if sanitizers.is_some() { "[asan] " } else { "" }
        );
        assert!(out.status.success(), "C tests failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains(" 0 failed"), "{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The key storage program (`tests/c/test_storage.c`: copies of keys and key sets used and
/// cleared after their originals, storage initialised again, misaligned storage) under
/// valgrind: no invalid read or write, no double free, no byte definitely or indirectly
/// lost. Before storage recorded its own address, the copy's verify read the freed RS256
/// key and clearing it freed the key again; before initialising replaced the key, each
/// RS256 key initialised over another leaked.
#[test]
fn key_storage_is_clean_under_valgrind() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!(
            "SKIPPED: key storage under valgrind: valgrind is not installed (apt-get install valgrind)"
        );
        return;
    }
    let dir = work_dir("storage-valgrind");
    let exe = compile(&dir, "test_storage", None).unwrap();
    let out = Command::new("valgrind")
        .args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect",
        ])
        .arg(&exe)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            l.contains("ERROR SUMMARY") || l.contains("lost:") || l.contains("in use at exit")
        })
        .collect();
    println!("[valgrind] {stdout}{}", summary.join("\n"));
    assert!(
        out.status.success(),
        "valgrind or the checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same program built with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer,
/// which catch the double free and the leaks in the allocator the library shares with C.
#[test]
fn key_storage_is_clean_under_address_sanitizer() {
    let dir = work_dir("storage-asan");
    let Some(exe) = compile(&dir, "test_storage", Some("address,undefined")) else {
        return;
    };
    let out = Command::new(&exe)
        .env("ASAN_OPTIONS", "detect_leaks=1")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("[asan] {stdout}{stderr}");
    assert!(
        out.status.success(),
        "AddressSanitizer or the checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
