//! Rebuilds the seed corpora in `fuzz/corpus/<target>/` from the test vectors and the fuzz
//! targets' own keys (`fuzz/src/targets.rs`, compiled in here, so seeds and targets cannot
//! drift apart).
//!
//! Run with `cargo run --example fuzz_corpus`. Existing seed files are overwritten; files
//! the fuzzer added to the corpora are left alone.

use std::fs;
use std::path::{Path, PathBuf};

use jwt_core::{Algorithm, HeaderFields, SigningKey};
use serde_json::{Value, json};

#[path = "../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

const NOW: u64 = targets::NOW;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read_json(path: &str) -> Value {
    serde_json::from_slice(&fs::read(root().join("tests/data").join(path)).unwrap()).unwrap()
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("fuzz/corpus").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

fn claims_sets() -> Vec<(&'static str, Value)> {
    vec![
        ("plain", json!({"sub":"alice","exp":NOW + 600})),
        (
            "access",
            json!({"iss":"https://issuer.example","sub":"248289761001","aud":["api","b"],
            "exp":NOW + 600,"nbf":NOW - 60,"iat":NOW - 60,"jti":"a1","client_id":"c","scope":"read write"}),
        ),
        (
            "escapes",
            json!({"sub":"\"q\"\\\n\u{1}é😀","iss":"https://a/b","exp":NOW + 1,"aud":"api"}),
        ),
        (
            "nested",
            json!({"exp":NOW + 600,"realm_access":{"roles":["a","b"]},"n":[1,2.5,-3e2,null,true]}),
        ),
    ]
}

fn tokens(key: &(impl SigningKey + ?Sized), exp: u64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, mut claims) in claims_sets() {
        claims["exp"] = json!(exp);
        for (fname, fields) in [
            ("jwt", HeaderFields::new()),
            ("kid", HeaderFields::new().kid("2026-11").typ("at+jwt")),
            ("bare", HeaderFields::new().no_typ()),
        ] {
            let token = jwt_core::sign_to_string(key, &fields, &claims).unwrap();
            out.push((format!("{name}-{fname}"), token));
        }
    }
    out
}

/// [`tokens`] of the targets' key `index` (in [`targets::signers`]). PS* keys take their
/// salts from [`FixedBytes`], so rerunning the example writes the same seeds.
fn signer_tokens(index: usize, exp: u64) -> Vec<(String, String)> {
    use jwt_core::{Ps256PrivateKey, Ps384PrivateKey, Ps512PrivateKey};
    let signer = &targets::signers()[index];
    let der = if index >= targets::ALGORITHMS.len() {
        targets::RSA2049_PKCS8
    } else {
        targets::RSA_PKCS8
    };
    let mut salts = FixedBytes(0);
    match signer.key.algorithm() {
        Algorithm::Ps256 => tokens(
            &Ps256PrivateKey::from_pkcs8_der(der)
                .unwrap()
                .with_rng(&mut salts),
            exp,
        ),
        Algorithm::Ps384 => tokens(
            &Ps384PrivateKey::from_pkcs8_der(der)
                .unwrap()
                .with_rng(&mut salts),
            exp,
        ),
        Algorithm::Ps512 => tokens(
            &Ps512PrivateKey::from_pkcs8_der(der)
                .unwrap()
                .with_rng(&mut salts),
            exp,
        ),
        _ => tokens(&*signer.key, exp),
    }
}

/// A fixed byte stream (SHA-256 of a counter) standing in for a random number generator:
/// seeds only, never keys.
struct FixedBytes(u64);

impl rand_core::TryRng for FixedBytes {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        use sha2::Digest;
        for chunk in dst.chunks_mut(32) {
            let block = sha2::Sha256::digest(self.0.to_le_bytes());
            self.0 += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for FixedBytes {}

fn main() {
    let hs = targets::hs256_key();
    let es = targets::es256_key();
    let rs = targets::rs256_key();
    let rfc = read_json("rfc7515_appendix_a.json");
    let rfc_tokens: Vec<String> = rfc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["token"].as_str().unwrap().to_owned())
        .collect();

    for (target, key_tokens, rfc_index) in [
        ("verify_hs256", tokens(&hs, NOW + 600), 0),
        ("verify_es256", tokens(&es, NOW + 600), 2),
        ("verify_rs256", tokens(&rs, NOW + 600), 1),
    ] {
        for (name, token) in &key_tokens {
            write(target, name, token.as_bytes());
        }
        write(target, "rfc7515", rfc_tokens[rfc_index].as_bytes());
        write(
            target,
            "none",
            b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjoxOTAwMDAwMDAwfQ.",
        );
    }
    // The differential target compares with jsonwebtoken on the real clock: far-future exp.
    for (name, token) in tokens(&hs, 4_102_444_800) {
        write("differential_jsonwebtoken", &name, token.as_bytes());
    }
    // Two tokens of every other algorithm jsonwebtoken has (it parses the name).
    for (i, signer) in targets::signers()[..targets::ALGORITHMS.len()]
        .iter()
        .enumerate()
        .skip(1)
    {
        let alg = signer.key.algorithm().name();
        if alg.parse::<jsonwebtoken::Algorithm>().is_err() {
            continue;
        }
        for (name, token) in signer_tokens(i, 4_102_444_800) {
            if ["plain-jwt", "access-kid"].contains(&name.as_str()) {
                let name = format!("{}-{name}", alg.to_ascii_lowercase());
                write("differential_jsonwebtoken", &name, token.as_bytes());
            }
        }
    }

    family_seeds(&rfc_tokens);
    dpop_seeds();

    let headers = [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"alg":"ES256","kid":"k\/1","typ":"application/at+jwt"}"#,
        "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}",
        r#"{"alg":"RS256","crit":["http://example.invalid/UNDEFINED"],"http://example.invalid/UNDEFINED":true}"#,
        r#"{"alg":"HS256","cty":"JWT","jwk":{"kty":"oct","k":"AAAA"}}"#,
        r#"{"alg":"none"}"#,
    ];
    for (i, header) in headers.iter().enumerate() {
        write("header", &i.to_string(), header.as_bytes());
    }

    for (name, claims) in claims_sets() {
        let text = claims.to_string();
        let mut input = NOW.to_le_bytes().to_vec();
        input.extend_from_slice(&[60, 0x06]);
        input.extend_from_slice(text.as_bytes());
        write("claims", name, &input);
        write("json", name, text.as_bytes());
    }

    for file in [
        "rfc7520/jwk/3_1.ec_public_key.json",
        "rfc7520/jwk/3_3.rsa_public_key.json",
        "rfc7520/jwk/3_4.rsa_private_key.json",
        "rfc7520/jwk/3_5.symmetric_key_mac_computation.json",
    ] {
        let name = Path::new(file)
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        write(
            "jwk",
            &name,
            &fs::read(root().join("tests/data").join(file)).unwrap(),
        );
    }
    let wycheproof = read_json("wycheproof/json_web_key_test.json");
    for group in wycheproof["testGroups"].as_array().unwrap().iter().take(8) {
        let tc = group["tests"][0]["tcId"].as_u64().unwrap();
        write(
            "jwk",
            &format!("wycheproof-set-{tc}"),
            group["private"].to_string().as_bytes(),
        );
    }
    let p1363 = read_json("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    let jwk = &p1363["testGroups"][0]["publicKeyJwk"];
    write("jwk", "wycheproof-p256", jwk.to_string().as_bytes());
    write(
        "jwk",
        "set-p256",
        json!({"keys":[jwk]}).to_string().as_bytes(),
    );

    for (i, seed) in [
        &b"\x00"[..],
        b"\x01\x02kid\x03typ",
        b"\x04aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ]
    .iter()
    .enumerate()
    {
        write("sign_roundtrip", &i.to_string(), seed);
    }
    // The first byte chooses the key (every fourth value among all of them): one seed per
    // key of the targets.
    for i in 0..targets::signers().len() {
        let seed = [&[4 * i as u8][..], b"\x01\x02kid\x03typ\x05alice"].concat();
        write("sign_roundtrip", &format!("signer-{i}"), &seed);
    }
    for (i, token) in rfc_tokens.iter().enumerate() {
        for (j, segment) in token.split('.').enumerate() {
            write("base64url", &format!("rfc{i}-{j}"), segment.as_bytes());
        }
    }
    println!(
        "seed corpora written to {}",
        root().join("fuzz/corpus").display()
    );
}

/// Seeds of the family verify targets: two tokens per key of the targets (two claims sets and
/// headers), every pyca/cryptography token of the family with its bad variants (to be
/// verified with pyca's keys, which the targets hold), the family's RFC example and `none`.
fn family_seeds(rfc7515_tokens: &[String]) {
    let compact = |path: &str| {
        read_json(path)["output"]["compact"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let rfc = [
        ("verify_hmac", "oct", rfc7515_tokens[0].clone()),
        (
            "verify_rsa",
            "RSA",
            compact("rfc7520/jws/4_2.rsa-pss_signature.json"),
        ),
        (
            "verify_ecdsa",
            "EC",
            compact("rfc7520/jws/4_3.ecdsa_signature.json"),
        ),
        (
            "verify_eddsa",
            "OKP",
            read_json("rfc8037_appendix_a.json")["jws_compact"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
    ];
    let pyca = read_json("pyca/tokens.json");
    for (target, kty, rfc_token) in rfc {
        write(target, "rfc", rfc_token.as_bytes());
        write(
            target,
            "none",
            b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjoxOTAwMDAwMDAwfQ.",
        );
        for (i, signer) in targets::signers().iter().enumerate() {
            let alg = signer.key.algorithm();
            if alg.kty() != kty {
                continue;
            }
            // The 2049-bit RSA key's tokens are named for its size.
            let bits = if i >= targets::ALGORITHMS.len() {
                "-2049"
            } else {
                ""
            };
            for (name, token) in signer_tokens(i, NOW + 600) {
                if ["plain-jwt", "access-kid"].contains(&name.as_str()) {
                    let name = format!("{}{bits}-{name}", alg.name().to_ascii_lowercase());
                    write(target, &name, token.as_bytes());
                }
            }
        }
        for entry in pyca["keys"].as_array().unwrap() {
            if entry["jwk"]["kty"] != kty {
                continue;
            }
            let alg = entry["alg"].as_str().unwrap().to_ascii_lowercase();
            write(
                target,
                &format!("pyca-{alg}"),
                entry["token"].as_str().unwrap().as_bytes(),
            );
            for variant in entry["variants"].as_array().unwrap() {
                let kind = variant["kind"].as_str().unwrap().replace('_', "-");
                let name = format!("pyca-{alg}-{kind}");
                write(target, &name, variant["token"].as_str().unwrap().as_bytes());
            }
        }
    }
    let headers = [
        r#"{"alg":"PS512","kid":"k"}"#,
        r#"{"alg":"ES256K","typ":"JWT"}"#,
        r#"{"alg":"EdDSA","crv":"Ed25519"}"#,
        r#"{"alg":"ES512"}"#,
        r#"{"alg":"HS384","typ":"at+jwt"}"#,
    ];
    for (i, header) in headers.iter().enumerate() {
        write("header", &format!("alg-{i}"), header.as_bytes());
    }
    let rfc8037 = read_json("rfc8037_appendix_a.json");
    write(
        "jwk",
        "rfc8037-okp-private",
        rfc8037["private_jwk"].to_string().as_bytes(),
    );
    write(
        "jwk",
        "rfc8037-okp-public",
        rfc8037["public_jwk"].to_string().as_bytes(),
    );
    let keys: Vec<Value> = pyca["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["jwk"].clone())
        .collect();
    write(
        "jwk",
        "pyca-set",
        json!({ "keys": keys }).to_string().as_bytes(),
    );
    for entry in pyca["keys"].as_array().unwrap() {
        let alg = entry["alg"].as_str().unwrap().to_ascii_lowercase();
        write(
            "jwk",
            &format!("pyca-{alg}"),
            entry["jwk"].to_string().as_bytes(),
        );
    }
}

/// DPoP proofs for the `dpop_proof` target's request, by an ES256 and an Ed25519 key, with
/// and without a nonce, and RFC 9449's own (valid at their own time only).
fn dpop_seeds() {
    use jwt_core::dpop::{ProofClaims, make_proof};
    let claims = ProofClaims::new("seed-jti", "GET", targets::DPOP_URI, NOW)
        .access_token(targets::DPOP_TOKEN);
    let mut out = [0u8; 1024];
    let es = make_proof(&targets::es256_key(), &claims, &mut out)
        .unwrap()
        .to_owned();
    write("dpop_proof", "es256", es.as_bytes());
    let ed = jwt_core::Ed25519PrivateKey::from_bytes(&[0x5B; 32]);
    let proof = make_proof(&ed, &claims.nonce("n-1"), &mut out).unwrap();
    write("dpop_proof", "eddsa-nonce", proof.as_bytes());
    let rfc = read_json("rfc9449_examples.json");
    for request in ["token_request", "resource_request"] {
        let proof = rfc[request]["proof"].as_str().unwrap();
        write(
            "dpop_proof",
            &format!("rfc9449-{request}"),
            proof.as_bytes(),
        );
    }
}
