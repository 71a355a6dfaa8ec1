//! `jwt`: decode, verify and sign JWTs from the command line with jwt-core.
//!
//! ```text
//! jwt decode TOKEN
//! jwt verify --key FILE [--iss ISS]... [--aud AUD]... [--typ TYP] [--now UNIX] [--leeway SECS] TOKEN
//! jwt sign --key FILE --claims JSON [--kid KID] [--typ TYP]
//! ```
//!
//! FILE is a JWK, a JWK Set (`verify` picks the key by the token's `kid` and `alg`), or a PEM
//! key: `PUBLIC KEY` (RSA or P-256) or `RSA PUBLIC KEY` to verify, `PRIVATE KEY` (RSA) or
//! `RSA PRIVATE KEY` to sign; EC and HMAC signing keys come as JWKs. TOKEN `-` reads standard
//! input. Exit status: 0 success, 1 token refused (the reason on standard error), 2 usage or
//! key error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jwt_core::{
    AnyVerifyingKey, Es256PrivateKey, Es256PublicKey, HeaderFields, Hs256Key, Jwk, JwkSet,
    Rs256PrivateKey, Rs256PublicKey, Validation, base64url,
};

#[derive(Parser)]
#[command(
    name = "jwt",
    about = "Decode, verify and sign JWTs (HS256, ES256, RS256)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the header and claims as JSON, without verifying anything.
    Decode {
        /// The token, or `-` for standard input.
        token: String,
    },
    /// Verify the signature and validate the claims; print the claims when valid.
    Verify {
        /// A JWK, a JWK Set or a PEM public key.
        #[arg(long)]
        key: String,
        /// Accepted issuer (repeatable); `iss` becomes required.
        #[arg(long)]
        iss: Vec<String>,
        /// Accepted audience (repeatable); `aud` becomes required.
        #[arg(long)]
        aud: Vec<String>,
        /// Required `typ` header, e.g. `at+jwt`.
        #[arg(long)]
        typ: Option<String>,
        /// The time to validate at, in Unix seconds (default: the system clock).
        #[arg(long)]
        now: Option<u64>,
        /// Seconds of clock skew tolerated.
        #[arg(long, default_value_t = jwt_core::DEFAULT_LEEWAY)]
        leeway: u64,
        /// The token, or `-` for standard input.
        token: String,
    },
    /// Sign claims with a private key; print the token.
    Sign {
        /// A private JWK (oct, EC P-256 or RSA) or a PEM RSA private key.
        #[arg(long)]
        key: String,
        /// The claims: a JSON object.
        #[arg(long)]
        claims: String,
        /// `kid` header (default: the JWK's `kid`).
        #[arg(long)]
        kid: Option<String>,
        /// `typ` header (default: `JWT`).
        #[arg(long)]
        typ: Option<String>,
    },
}

/// Why the command failed: the token was refused (exit 1) or it could not run (exit 2).
enum Failure {
    Refused(String),
    Usage(String),
}

fn usage(what: impl std::fmt::Display) -> Failure {
    Failure::Usage(what.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { token } => read_token(&token).and_then(|t| decode(&t)),
        Command::Verify {
            key,
            iss,
            aud,
            typ,
            now,
            leeway,
            token,
        } => read_token(&token).and_then(|t| {
            let iss: Vec<&str> = iss.iter().map(String::as_str).collect();
            let aud: Vec<&str> = aud.iter().map(String::as_str).collect();
            let mut policy = Validation::new()
                .issuers(&iss)
                .audiences(&aud)
                .leeway(leeway);
            if let Some(typ) = &typ {
                policy = policy.typ(typ);
            }
            verify(&key, &t, &policy, now.unwrap_or_else(jwt_core::now))
        }),
        Command::Sign {
            key,
            claims,
            kid,
            typ,
        } => sign(&key, &claims, kid.as_deref(), typ.as_deref()),
    };
    match result {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(Failure::Refused(why)) => {
            eprintln!("jwt: token refused: {why}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(why)) => {
            eprintln!("jwt: error: {why}");
            ExitCode::from(2)
        }
    }
}

fn read_token(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut token = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut token)
        .map_err(|e| usage(format!("reading standard input: {e}")))?;
    Ok(token.trim().to_string())
}

/// The header and claims, unverified, as one JSON document saying so.
fn decode(token: &str) -> Result<String, Failure> {
    let mut buf = vec![0u8; token.len()];
    let header =
        jwt_core::decode_header(token, &mut buf).map_err(|e| Failure::Refused(e.to_string()))?;
    let _ = header;
    let mut segments = token.split('.');
    let mut json = |segment: Option<&str>| -> Result<serde_json::Value, Failure> {
        let segment = segment.unwrap_or_default();
        let n = base64url::decode(segment.as_bytes(), &mut buf)
            .map_err(|e| Failure::Refused(e.to_string()))?;
        serde_json::from_slice(&buf[..n]).map_err(|e| Failure::Refused(format!("not JSON: {e}")))
    };
    let (header, claims) = (json(segments.next())?, json(segments.next())?);
    let doc = serde_json::json!({ "verified": false, "header": header, "claims": claims });
    eprintln!("jwt: warning: decoded only; the signature and claims were NOT verified");
    Ok(serde_json::to_string_pretty(&doc).expect("a JSON value serializes"))
}

/// Keys to verify with: one key or a key set.
enum Verifier {
    One(Box<AnyVerifyingKey>),
    Set(Box<JwkSet<64>>),
}

fn verify(
    key_file: &str,
    token: &str,
    policy: &Validation<'_>,
    now: u64,
) -> Result<String, Failure> {
    let text = std::fs::read(key_file).map_err(|e| usage(format!("{key_file}: {e}")))?;
    let verifier = if text.starts_with(b"-----BEGIN") {
        Verifier::One(Box::new(pem_public_key(&text)?))
    } else if serde_json::from_slice::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("keys").is_some())
    {
        let set =
            JwkSet::<64>::parse(&text).map_err(|e| usage(format!("{key_file}: JWK Set: {e}")))?;
        Verifier::Set(Box::new(set))
    } else {
        let jwk = Jwk::parse(&text).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?;
        Verifier::One(Box::new(
            AnyVerifyingKey::from_jwk(&jwk).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?,
        ))
    };
    // The claims printed are the library's own reading of the verified payload (the whole
    // pipeline: typ, signature, claims), so the command accepts and shows exactly what a
    // program using jwt-core would.
    let mut buf = vec![0u8; 2 * token.len()];
    let claims: serde_json::Value = match &verifier {
        Verifier::One(key) => jwt_core::verify(token, &**key, policy, now, &mut buf),
        Verifier::Set(set) => set.verify(token, policy, now, &mut buf),
    }
    .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(serde_json::to_string_pretty(&claims).expect("a JSON value serializes"))
}

/// The DER body and label of a PEM document.
fn pem(text: &[u8]) -> Result<(String, Vec<u8>), Failure> {
    let text = std::str::from_utf8(text).map_err(|_| usage("PEM file is not UTF-8"))?;
    let begin = text.lines().next().unwrap_or_default();
    let label = begin
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| usage("malformed PEM header"))?;
    let body: String = text
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .flat_map(|l| l.trim().chars())
        .collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&body)
        .map_err(|_| usage("malformed PEM body"))?;
    Ok((label.to_string(), der))
}

/// The DER prefix of a P-256 SubjectPublicKeyInfo, before the 65-byte SEC1 point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

fn pem_public_key(text: &[u8]) -> Result<AnyVerifyingKey, Failure> {
    let (label, der) = pem(text)?;
    let key = match label.as_str() {
        "RSA PUBLIC KEY" => Rs256PublicKey::from_pkcs1_der(&der).map(AnyVerifyingKey::from),
        "PUBLIC KEY" => match der.strip_prefix(&P256_SPKI_PREFIX[..]) {
            Some(point) => Es256PublicKey::from_sec1_bytes(point).map(AnyVerifyingKey::from),
            None => Rs256PublicKey::from_public_key_der(&der).map(AnyVerifyingKey::from),
        },
        other => {
            return Err(usage(format!(
                "PEM `{other}` is not a public key this tool reads"
            )));
        }
    };
    key.map_err(|e| usage(format!("PEM key: {e}")))
}

fn sign(
    key_file: &str,
    claims: &str,
    kid: Option<&str>,
    typ: Option<&str>,
) -> Result<String, Failure> {
    let claims: serde_json::Value =
        serde_json::from_str(claims).map_err(|e| usage(format!("--claims: {e}")))?;
    let text = std::fs::read(key_file).map_err(|e| usage(format!("{key_file}: {e}")))?;
    let header = |jwk_kid: Option<String>| (kid.map(str::to_string).or(jwk_kid), typ);
    let sign_with = |key: &dyn Fn(&HeaderFields<'_>) -> Result<String, jwt_core::Error>,
                     (kid, typ): (Option<String>, Option<&str>)| {
        let mut fields = HeaderFields::new();
        if let Some(typ) = typ {
            fields = fields.typ(typ);
        }
        if let Some(kid) = kid.as_deref() {
            fields = fields.kid(kid);
        }
        key(&fields).map_err(|e| usage(format!("signing: {e}")))
    };
    if text.starts_with(b"-----BEGIN") {
        let (label, der) = pem(&text)?;
        let key = match label.as_str() {
            "RSA PRIVATE KEY" => Rs256PrivateKey::from_pkcs1_der(&der),
            "PRIVATE KEY" => Rs256PrivateKey::from_pkcs8_der(&der),
            other => return Err(usage(format!("PEM `{other}` is not an RSA private key"))),
        }
        .map_err(|e| usage(format!("PEM key: {e}")))?;
        return sign_with(
            &|f| jwt_core::sign_to_string(&key, f, &claims),
            header(None),
        );
    }
    let jwk = Jwk::parse(&text).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?;
    let jwk_kid = jwk.kid().map(|k| k.to_string());
    let bad = |e: jwt_core::Error| usage(format!("{key_file}: JWK: {e}"));
    let kty = jwk.kty().to_string();
    match kty.as_str() {
        "oct" => {
            let key = Hs256Key::from_jwk(&jwk).map_err(bad)?;
            sign_with(
                &|f| jwt_core::sign_to_string(&key, f, &claims),
                header(jwk_kid),
            )
        }
        "EC" => {
            let key = Es256PrivateKey::from_jwk(&jwk).map_err(bad)?;
            sign_with(
                &|f| jwt_core::sign_to_string(&key, f, &claims),
                header(jwk_kid),
            )
        }
        "RSA" => {
            let key = Rs256PrivateKey::from_jwk(&jwk).map_err(bad)?;
            sign_with(
                &|f| jwt_core::sign_to_string(&key, f, &claims),
                header(jwk_kid),
            )
        }
        other => Err(usage(format!("{key_file}: JWK `kty` {other} cannot sign"))),
    }
}
