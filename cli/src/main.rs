//! `jwt`: decode, verify and sign JWTs from the command line with jwt-core.
//!
//! ```text
//! jwt decode TOKEN
//! jwt verify --key FILE [--alg ALG]... [--iss ISS]... [--aud AUD]... [--typ TYP]
//!            [--now UNIX] [--leeway SECS] TOKEN
//! jwt sign --key FILE [--alg ALG] --claims JSON [--kid KID] [--typ TYP]
//! ```
//!
//! Every JWS algorithm: HS256/384/512, RS256/384/512, PS256/384/512, ES256, ES384, ES512,
//! ES256K and EdDSA (Ed25519). FILE is a JWK, a JWK Set (`verify` picks the key by the
//! token's `kid` and `alg`), or a PEM key: `PUBLIC KEY` (RSA, P-256, P-384, P-521, secp256k1
//! or Ed25519) or `RSA PUBLIC KEY` to verify, `PRIVATE KEY` (RSA) or `RSA PRIVATE KEY` to
//! sign; EC, Ed25519 and HMAC signing keys come as JWKs. A key binds one algorithm: the one
//! its JWK's `alg` names, else its type's (`oct` HS256, `RSA` RS256, `EC` its curve's, `OKP`
//! EdDSA) unless `--alg` names others. TOKEN `-` reads standard input. Exit status: 0
//! success, 1 token refused (the reason on standard error), 2 usage or key error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jwt_core::{
    Algorithm, AnyVerifyingKey, Ed25519PrivateKey, Ed25519PublicKey, Es256PrivateKey,
    Es256kPrivateKey, Es384PrivateKey, Es512PrivateKey, HeaderFields, Hs256Key, Hs384Key, Hs512Key,
    Jwk, JwkSet, Ps256PrivateKey, Ps384PrivateKey, Ps512PrivateKey, Rs256PrivateKey,
    Rs384PrivateKey, Rs512PrivateKey, SigningKey, Validation, VerifyingKey, base64url,
};

#[derive(Parser)]
#[command(
    name = "jwt",
    about = "Decode, verify and sign JWTs (HS, RS, PS 256/384/512, ES256/384/512, ES256K, EdDSA)"
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
        /// An algorithm keys that name none may verify (repeatable): a JWK or JWK Set key
        /// without `alg`, a PEM RSA key. Without it such a key verifies its type's algorithm
        /// only (oct HS256, RSA RS256, EC its curve's, OKP EdDSA).
        #[arg(long = "alg", value_name = "ALG", value_parser = algorithm)]
        algs: Vec<Algorithm>,
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
        /// A private JWK (oct, RSA, EC or OKP Ed25519) or a PEM RSA private key.
        #[arg(long)]
        key: String,
        /// The algorithm, for a key that names none (a JWK without `alg`, a PEM RSA key);
        /// default: the key type's (oct HS256, RSA RS256, EC its curve's, OKP EdDSA).
        #[arg(long, value_parser = algorithm)]
        alg: Option<Algorithm>,
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

/// An `--alg` value: a JWS algorithm name, exactly as in a header (`EdDSA`, `ES256K`).
fn algorithm(name: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(name).ok_or_else(|| {
        "not a JWS algorithm this tool knows (HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 \
         PS512 ES256 ES384 ES512 ES256K EdDSA)"
            .to_string()
    })
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
            algs,
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
            verify(&key, &algs, &t, &policy, now.unwrap_or_else(jwt_core::now))
        }),
        Command::Sign {
            key,
            alg,
            claims,
            kid,
            typ,
        } => sign(&key, alg, &claims, kid.as_deref(), typ.as_deref()),
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

/// Keys to verify with: one key (bound to one algorithm or, named by `--alg`, to several,
/// one import each) or a key set.
enum Verifier {
    Keys(Vec<AnyVerifyingKey>),
    Set(Box<JwkSet<64>>),
}

fn verify(
    key_file: &str,
    algs: &[Algorithm],
    token: &str,
    policy: &Validation<'_>,
    now: u64,
) -> Result<String, Failure> {
    let text = std::fs::read(key_file).map_err(|e| usage(format!("{key_file}: {e}")))?;
    let verifier = if text.starts_with(b"-----BEGIN") {
        Verifier::Keys(pem_public_keys(&text, algs)?)
    } else if serde_json::from_slice::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("keys").is_some())
    {
        let set = JwkSet::<64>::parse_assuming(&text, algs)
            .map_err(|e| usage(format!("{key_file}: JWK Set: {e}")))?;
        Verifier::Set(Box::new(set))
    } else {
        let jwk = Jwk::parse(&text).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?;
        Verifier::Keys(jwk_keys(&jwk, algs).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?)
    };
    // The claims printed are the library's own reading of the verified payload (the whole
    // pipeline: typ, signature, claims), so the command accepts and shows exactly what a
    // program using jwt-core would.
    let mut buf = vec![0u8; 2 * token.len()];
    let claims: serde_json::Value = match &verifier {
        Verifier::Keys(keys) => {
            let key = key_for(keys, token).ok_or_else(|| usage("no key"))?;
            jwt_core::verify(token, key, policy, now, &mut buf)
        }
        Verifier::Set(set) => set.verify(token, policy, now, &mut buf),
    }
    .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(serde_json::to_string_pretty(&claims).expect("a JSON value serializes"))
}

/// The key of `keys` for the algorithm the token's header names, or the first (which then
/// refuses the token: another algorithm, or a header that does not read).
fn key_for<'k>(keys: &'k [AnyVerifyingKey], token: &str) -> Option<&'k AnyVerifyingKey> {
    let mut buf = vec![0u8; token.len()];
    let named = jwt_core::decode_header(token, &mut buf).map(|header| header.alg);
    keys.iter()
        .find(|key| named == Ok(key.algorithm()))
        .or_else(|| keys.first())
}

/// The keys a JWK verifies with: the one its `alg` names; without `alg`, one for each of
/// `algs` its type can be, else its type's algorithm (as `KeySet::parse_assuming` binds the
/// keys of a set).
fn jwk_keys(jwk: &Jwk<'_>, algs: &[Algorithm]) -> Result<Vec<AnyVerifyingKey>, jwt_core::Error> {
    // Imported for its own algorithm first, so a malformed key is a key error whatever
    // `--alg` says.
    let own = AnyVerifyingKey::from_jwk(jwk)?;
    if jwk.alg().is_some() {
        return Ok(vec![own]);
    }
    let widened: Vec<AnyVerifyingKey> = algs
        .iter()
        .filter_map(|&alg| AnyVerifyingKey::from_jwk_as(jwk, alg).ok())
        .collect();
    Ok(if widened.is_empty() {
        vec![own]
    } else {
        widened
    })
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

/// The DER prefixes of the SubjectPublicKeyInfo of each elliptic-curve key, before the
/// public key's bytes (an uncompressed SEC1 point, or Ed25519's 32 bytes): `id-ecPublicKey`
/// with the curve's OID, or `id-Ed25519`.
const SPKI_PREFIXES: [(Algorithm, &[u8]); 5] = [
    (
        Algorithm::Es256,
        &[
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ],
    ),
    (
        Algorithm::Es384,
        &[
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
        ],
    ),
    (
        Algorithm::Es512,
        &[
            0x30, 0x81, 0x9b, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
            0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23, 0x03, 0x81, 0x86, 0x00,
        ],
    ),
    (
        Algorithm::Es256k,
        &[
            0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00,
        ],
    ),
    (
        Algorithm::EdDsa,
        &[
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ],
    ),
];

/// The RSA algorithms, which an RSA key verifies one of each import.
const RSA: [Algorithm; 6] = [
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
];

/// The keys of a PEM public key: an elliptic-curve key for its curve's algorithm, an RSA
/// key for each RSA algorithm of `algs` (RS256 when there is none).
fn pem_public_keys(text: &[u8], algs: &[Algorithm]) -> Result<Vec<AnyVerifyingKey>, Failure> {
    let (label, der) = pem(text)?;
    let pkcs1 = match label.as_str() {
        "RSA PUBLIC KEY" => true,
        "PUBLIC KEY" => false,
        other => {
            return Err(usage(format!(
                "PEM `{other}` is not a public key this tool reads"
            )));
        }
    };
    let curve = SPKI_PREFIXES
        .iter()
        .filter(|_| !pkcs1)
        .find_map(|&(alg, prefix)| Some((alg, der.strip_prefix(prefix)?)));
    let keys = match curve {
        Some((alg, public)) => vec![curve_key(alg, public)],
        None => {
            let mut rsa: Vec<Algorithm> =
                algs.iter().copied().filter(|a| RSA.contains(a)).collect();
            if rsa.is_empty() {
                rsa.push(Algorithm::Rs256);
            }
            rsa.into_iter()
                .map(|alg| rsa_public_key(alg, &der, pkcs1))
                .collect()
        }
    };
    keys.into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| usage(format!("PEM key: {e}")))
}

/// The public key of an elliptic-curve algorithm from its SEC1 point (Ed25519: 32 bytes).
fn curve_key(alg: Algorithm, public: &[u8]) -> Result<AnyVerifyingKey, jwt_core::Error> {
    use jwt_core::EcdsaPublicKey as Ec;
    Ok(match alg {
        Algorithm::Es256 => AnyVerifyingKey::Es256(Ec::from_sec1_bytes(public)?),
        Algorithm::Es384 => AnyVerifyingKey::Es384(Ec::from_sec1_bytes(public)?),
        Algorithm::Es512 => AnyVerifyingKey::Es512(Ec::from_sec1_bytes(public)?),
        Algorithm::Es256k => AnyVerifyingKey::Es256k(Ec::from_sec1_bytes(public)?),
        _ => {
            let bytes = public.try_into().map_err(|_| jwt_core::Error::InvalidKey)?;
            AnyVerifyingKey::EdDsa(Ed25519PublicKey::from_bytes(bytes)?)
        }
    })
}

/// An RSA public key from DER (PKCS#1 or SubjectPublicKeyInfo) for one RSA algorithm.
fn rsa_public_key(
    alg: Algorithm,
    der: &[u8],
    pkcs1: bool,
) -> Result<AnyVerifyingKey, jwt_core::Error> {
    fn read<S: jwt_core::RsaScheme>(
        der: &[u8],
        pkcs1: bool,
    ) -> Result<jwt_core::RsaPublicKey<S>, jwt_core::Error> {
        if pkcs1 {
            jwt_core::RsaPublicKey::from_pkcs1_der(der)
        } else {
            jwt_core::RsaPublicKey::from_public_key_der(der)
        }
    }
    Ok(match alg {
        Algorithm::Rs384 => AnyVerifyingKey::Rs384(read(der, pkcs1)?),
        Algorithm::Rs512 => AnyVerifyingKey::Rs512(read(der, pkcs1)?),
        Algorithm::Ps256 => AnyVerifyingKey::Ps256(read(der, pkcs1)?),
        Algorithm::Ps384 => AnyVerifyingKey::Ps384(read(der, pkcs1)?),
        Algorithm::Ps512 => AnyVerifyingKey::Ps512(read(der, pkcs1)?),
        _ => AnyVerifyingKey::Rs256(read(der, pkcs1)?),
    })
}

fn sign(
    key_file: &str,
    alg: Option<Algorithm>,
    claims: &str,
    kid: Option<&str>,
    typ: Option<&str>,
) -> Result<String, Failure> {
    let claims: serde_json::Value =
        serde_json::from_str(claims).map_err(|e| usage(format!("--claims: {e}")))?;
    let text = std::fs::read(key_file).map_err(|e| usage(format!("{key_file}: {e}")))?;
    let (key, jwk_kid) = if text.starts_with(b"-----BEGIN") {
        let (label, der) = pem(&text)?;
        let pkcs1 = match label.as_str() {
            "RSA PRIVATE KEY" => true,
            "PRIVATE KEY" => false,
            other => return Err(usage(format!("PEM `{other}` is not an RSA private key"))),
        };
        let alg = alg.unwrap_or(Algorithm::Rs256);
        let key = rsa_private_key(alg, &der, pkcs1).map_err(|e| usage(format!("PEM key: {e}")))?;
        (key, None)
    } else {
        let jwk = Jwk::parse(&text).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?;
        // `--alg` for a key that names none; a key that names one is that one's only, which
        // importing it checks.
        let alg = alg.or_else(|| jwk.algorithm()).ok_or_else(|| {
            usage(format!(
                "{key_file}: JWK: {}",
                jwt_core::Error::UnsupportedAlgorithm
            ))
        })?;
        let key = jwk_signing_key(&jwk, alg).map_err(|e| usage(format!("{key_file}: JWK: {e}")))?;
        (key, jwk.kid().map(|k| k.to_string()))
    };
    let mut fields = HeaderFields::new();
    if let Some(typ) = typ {
        fields = fields.typ(typ);
    }
    let kid = kid.map(str::to_string).or(jwk_kid);
    if let Some(kid) = kid.as_deref() {
        fields = fields.kid(kid);
    }
    jwt_core::sign_to_string(&*key, &fields, &claims).map_err(|e| usage(format!("signing: {e}")))
}

/// The signing key of a private JWK (an `oct` secret, or `d` and the rest) for `alg`.
fn jwk_signing_key(jwk: &Jwk<'_>, alg: Algorithm) -> Result<Box<dyn SigningKey>, jwt_core::Error> {
    Ok(match alg {
        Algorithm::Hs256 => Box::new(Hs256Key::from_jwk(jwk)?),
        Algorithm::Hs384 => Box::new(Hs384Key::from_jwk(jwk)?),
        Algorithm::Hs512 => Box::new(Hs512Key::from_jwk(jwk)?),
        Algorithm::Rs256 => Box::new(Rs256PrivateKey::from_jwk(jwk)?),
        Algorithm::Rs384 => Box::new(Rs384PrivateKey::from_jwk(jwk)?),
        Algorithm::Rs512 => Box::new(Rs512PrivateKey::from_jwk(jwk)?),
        Algorithm::Ps256 => Box::new(Ps256PrivateKey::from_jwk(jwk)?),
        Algorithm::Ps384 => Box::new(Ps384PrivateKey::from_jwk(jwk)?),
        Algorithm::Ps512 => Box::new(Ps512PrivateKey::from_jwk(jwk)?),
        Algorithm::Es256 => Box::new(Es256PrivateKey::from_jwk(jwk)?),
        Algorithm::Es384 => Box::new(Es384PrivateKey::from_jwk(jwk)?),
        Algorithm::Es512 => Box::new(Es512PrivateKey::from_jwk(jwk)?),
        Algorithm::Es256k => Box::new(Es256kPrivateKey::from_jwk(jwk)?),
        Algorithm::EdDsa => Box::new(Ed25519PrivateKey::from_jwk(jwk)?),
        _ => return Err(jwt_core::Error::UnsupportedAlgorithm),
    })
}

/// An RSA private key from DER (PKCS#1 or PKCS#8) for one RSA algorithm; PS* signatures
/// take their salt from the operating system's random number generator.
fn rsa_private_key(
    alg: Algorithm,
    der: &[u8],
    pkcs1: bool,
) -> Result<Box<dyn SigningKey>, jwt_core::Error> {
    fn read<S: jwt_core::RsaScheme>(
        der: &[u8],
        pkcs1: bool,
    ) -> Result<jwt_core::RsaPrivateKey<S>, jwt_core::Error> {
        if pkcs1 {
            jwt_core::RsaPrivateKey::from_pkcs1_der(der)
        } else {
            jwt_core::RsaPrivateKey::from_pkcs8_der(der)
        }
    }
    fn boxed<K: SigningKey + 'static>(key: K) -> Box<dyn SigningKey> {
        Box::new(key)
    }
    Ok(match alg {
        Algorithm::Rs256 => boxed::<Rs256PrivateKey>(read(der, pkcs1)?),
        Algorithm::Rs384 => boxed::<Rs384PrivateKey>(read(der, pkcs1)?),
        Algorithm::Rs512 => boxed::<Rs512PrivateKey>(read(der, pkcs1)?),
        Algorithm::Ps256 => boxed::<Ps256PrivateKey>(read(der, pkcs1)?),
        Algorithm::Ps384 => boxed::<Ps384PrivateKey>(read(der, pkcs1)?),
        Algorithm::Ps512 => boxed::<Ps512PrivateKey>(read(der, pkcs1)?),
        _ => return Err(jwt_core::Error::UnsupportedAlgorithm),
    })
}
