//! Writes what `gateway/load/run.sh` sends and checks: a JWK Set with the repository's test
//! RSA 2048 and P-256 keys (`tests/data/keys`), and an RS256 and an ES256 access token
//! (RFC 9068, valid for an hour) signed with them, into the directory named by the first
//! argument: `jwks.json`, `rs256.token`, `es256.token`, and `dpop.token`: the ES256 token
//! bound (`cnf.jkt`) to the DPoP key below.
//!
//! `load_tokens proofs COUNT URL TOKEN` prints COUNT DPoP proofs for GET `URL` with `TOKEN`,
//! one per line, each with its own `jti`, made on every core: a load client sends each once,
//! since a proof sent twice is refused as a replay and signing one per request would take
//! the server's cores.

use std::io::Write;
use std::path::Path;

use jwt_core::dpop::{self, ProofClaims};
use jwt_core::{Es256PrivateKey, HeaderFields, Rs256PrivateKey};

/// The issuer and audience of the load tokens (the configurations of run.sh name them).
const ISSUER: &str = "https://idp.load.example";
const AUDIENCE: &str = "urn:orders";

/// The private scalar of the load client's DPoP key (P-256).
const DPOP_SCALAR: [u8; 32] = [0x42; 32];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match &args[..] {
        [command, count, url, token] if command == "proofs" => {
            return print_proofs(count.parse()?, url, token);
        }
        [out] => out,
        _ => {
            return Err("usage: load_tokens DIRECTORY | load_tokens proofs COUNT URL TOKEN".into());
        }
    };
    let out = Path::new(&out);
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/keys");
    let rsa = Rs256PrivateKey::from_pkcs1_der(&std::fs::read(keys.join("rsa2048.pkcs1.der"))?)?;
    let ec = Es256PrivateKey::from_bytes(&std::fs::read(keys.join("p256.scalar"))?)?;
    let b64 = |bytes: &[u8]| -> Result<String, jwt_core::Error> {
        let mut text = vec![0u8; bytes.len() * 4 / 3 + 4];
        let n = jwt_core::base64url::encode(bytes, &mut text)?;
        Ok(String::from_utf8_lossy(text.get(..n).unwrap_or_default()).into_owned())
    };
    let der = std::fs::read(keys.join("rsa2048.pub.pkcs1.der"))?;
    let (n, e) = pkcs1_public(&der).ok_or("rsa2048.pub.pkcs1.der is not an RSAPublicKey")?;
    let point = ec.public_key().to_sec1_bytes();
    let point: &[u8] = point.as_ref();
    let (x, y) = point.get(1..).unwrap_or_default().split_at(32);
    let jwks = serde_json::json!({"keys": [
        {"kty": "RSA", "kid": "load-rsa", "alg": "RS256", "use": "sig",
         "n": b64(n)?, "e": b64(e)?},
        {"kty": "EC", "crv": "P-256", "kid": "load-ec", "alg": "ES256", "use": "sig",
         "x": b64(x)?, "y": b64(y)?},
    ]});
    std::fs::write(out.join("jwks.json"), jwks.to_string())?;
    let now = jwt_core::now();
    let claims = serde_json::json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "load", "client_id": "load",
        "iat": now, "exp": now + 3600, "jti": format!("load-{now}"), "scope": "orders:read",
    });
    let header = |kid| HeaderFields::new().typ("at+jwt").kid(kid);
    let rs256 = jwt_core::sign_to_string(&rsa, &header("load-rsa"), &claims)?;
    let es256 = jwt_core::sign_to_string(&ec, &header("load-ec"), &claims)?;
    std::fs::write(out.join("rs256.token"), rs256)?;
    std::fs::write(out.join("es256.token"), es256)?;
    let mut bound = claims;
    bound["cnf"] = serde_json::json!({"jkt": dpop::thumbprint(&dpop_key()?)?.as_str()});
    let dpop_token = jwt_core::sign_to_string(&ec, &header("load-ec"), &bound)?;
    std::fs::write(out.join("dpop.token"), dpop_token)?;
    Ok(())
}

fn dpop_key() -> Result<Es256PrivateKey, jwt_core::Error> {
    Es256PrivateKey::from_bytes(&DPOP_SCALAR)
}

/// Prints `count` proofs for GET `url` with `token`, made on every core.
fn print_proofs(count: usize, url: &str, token: &str) -> Result<(), Box<dyn std::error::Error>> {
    let key = dpop_key()?;
    let now = jwt_core::now();
    // `jti`s are unique across the invocations of a run: the time of this one, then a count.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let per_worker = count.div_ceil(workers);
    let chunks = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let key = &key;
                scope.spawn(move || -> Result<String, jwt_core::Error> {
                    let mut lines = String::new();
                    let mut out = [0u8; 1024];
                    let first = worker * per_worker;
                    for i in first..count.min(first + per_worker) {
                        let jti = format!("{run:x}-{i:x}");
                        let claims = ProofClaims::new(&jti, "GET", url, now).access_token(token);
                        lines.push_str(dpop::make_proof(key, &claims, &mut out)?);
                        lines.push('\n');
                    }
                    Ok(lines)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| -> Result<String, Box<dyn std::error::Error>> {
                let lines = handle.join().map_err(|_| "a proof worker panicked")?;
                Ok(lines?)
            })
            .collect::<Result<Vec<String>, _>>()
    })?;
    let mut stdout = std::io::stdout().lock();
    for chunk in chunks {
        stdout.write_all(chunk.as_bytes())?;
    }
    Ok(())
}

/// The modulus and exponent of a PKCS #1 `RSAPublicKey` (DER: a SEQUENCE of two INTEGERs),
/// without their sign bytes.
fn pkcs1_public(der: &[u8]) -> Option<(&[u8], &[u8])> {
    /// One DER element of `tag` at the start of `input`: its contents and what follows.
    fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&found, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        if found != tag {
            return None;
        }
        let (len, rest) = match first {
            0..=0x7f => (usize::from(first), rest),
            0x81..=0x82 => {
                let (bytes, rest) = rest.split_at_checked(usize::from(first & 0x7f))?;
                (
                    bytes.iter().fold(0, |len, &b| len << 8 | usize::from(b)),
                    rest,
                )
            }
            _ => return None,
        };
        rest.split_at_checked(len)
    }
    let (sequence, _) = element(der, 0x30)?;
    let (n, rest) = element(sequence, 0x02)?;
    let (e, _) = element(rest, 0x02)?;
    Some((unsigned(n), unsigned(e)))
}

/// A DER INTEGER's bytes without the zero byte that keeps a positive one positive.
fn unsigned(int: &[u8]) -> &[u8] {
    match int.split_first() {
        Some((0, rest)) if !rest.is_empty() => rest,
        _ => int,
    }
}
