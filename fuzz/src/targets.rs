//! The property checks behind every fuzz target. Each function takes the raw fuzz input and
//! panics when a property fails. The same file is compiled into `tests/fuzz_regressions.rs`
//! (stable), so every input found here keeps being checked by plain `cargo test`, and into
//! `examples/fuzz_corpus.rs`, which signs the seed tokens with the keys below.
//!
//! Keys and the clock are fixed. The keys are the repository's test keys, fixed scalars and
//! seeds, a 2049-bit RSA key (`fuzz/keys/`), and the public keys of the pyca/cryptography
//! tokens (`tests/data/pyca/tokens.json`), whose bad variants (other salt lengths, MGF1 with
//! SHA-1, high `s`, DER) are seeds that reach deep into verification.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, AnyVerifyingKey, Ed25519PrivateKey, Ed25519PublicKey, Error, Es256PrivateKey,
    Es256PublicKey, Es256kPrivateKey, Es256kPublicKey, Es384PrivateKey, Es384PublicKey,
    Es512PrivateKey, Es512PublicKey, HeaderFields, Hs256Key, Hs384Key, Hs512Key, Jwk, JwkSet,
    Ps256PrivateKey, Ps384PrivateKey, Ps512PrivateKey, Rs256PrivateKey, Rs256PublicKey,
    Rs384PrivateKey, Rs512PrivateKey, SigningKey, Validation, VerifyingKey,
};
use serde::{Deserialize, Serialize};

/// The fixed clock of the verify targets (2027-01-15).
pub const NOW: u64 = 1_800_000_000;
/// The HS256 secret of the verify targets.
pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
/// The HS384 secret: as long as the hash (RFC 7518 section 3.2).
pub const SECRET_384: &[u8; 48] = b"0123456789abcdef0123456789abcdef0123456789abcdef";
/// The HS512 secret.
pub const SECRET_512: &[u8; 64] =
    b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const P256_SCALAR: &[u8; 32] = include_bytes!("../../tests/data/keys/p256.scalar");
const P384_SCALAR: [u8; 48] = [0x22; 48];
const P521_SCALAR: [u8; 66] = {
    let mut scalar = [0x23; 66];
    scalar[0] = 0x01;
    scalar
};
const K256_SCALAR: [u8; 32] = [0x24; 32];
const ED25519_SEED: [u8; 32] = [0x25; 32];
pub const RSA_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/rsa2048.pkcs8.der");
/// 2049 bits: verified by the `rsa` crate's arithmetic, and PSS's `emLen` is shorter than
/// the modulus (`fuzz/keys/generate.py`).
pub const RSA2049_PKCS8: &[u8] = include_bytes!("../keys/rsa2049.pkcs8.der");
/// Tokens and public JWKs of every algorithm, signed by pyca/cryptography.
pub const PYCA_TOKENS: &str = include_str!("../../tests/data/pyca/tokens.json");

/// Target names, as `cargo fuzz list` shows them and as folders of `fuzz/corpus` and
/// `fuzz/regressions`.
pub const TARGETS: [&str; 15] = [
    "dpop_proof",
    "verify_hs256",
    "verify_es256",
    "verify_rs256",
    "verify_hmac",
    "verify_rsa",
    "verify_ecdsa",
    "verify_eddsa",
    "header",
    "claims",
    "jwk",
    "sign_roundtrip",
    "base64url",
    "differential_jsonwebtoken",
    "json",
];

/// Runs the target called `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "verify_hs256" => verify_hs256(data),
        "verify_es256" => verify_es256(data),
        "verify_rs256" => verify_rs256(data),
        "verify_hmac" => verify_hmac(data),
        "verify_rsa" => verify_rsa(data),
        "verify_ecdsa" => verify_ecdsa(data),
        "verify_eddsa" => verify_eddsa(data),
        "header" => header(data),
        "claims" => claims(data),
        "jwk" => jwk(data),
        "sign_roundtrip" => sign_roundtrip(data),
        "base64url" => base64url(data),
        "differential_jsonwebtoken" => differential_jsonwebtoken(data),
        "json" => json(data),
        "dpop_proof" => dpop_proof(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Every algorithm, in RFC order.
pub const ALGORITHMS: [Algorithm; 14] = [
    Algorithm::Hs256,
    Algorithm::Hs384,
    Algorithm::Hs512,
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
    Algorithm::Es256,
    Algorithm::Es384,
    Algorithm::Es512,
    Algorithm::Es256k,
    Algorithm::EdDsa,
];

pub fn hs256_key() -> Hs256Key {
    Hs256Key::new(SECRET).unwrap()
}

pub fn es256_key() -> Es256PrivateKey {
    Es256PrivateKey::from_bytes(P256_SCALAR).unwrap()
}

pub fn rs256_key() -> Rs256PrivateKey {
    Rs256PrivateKey::from_pkcs8_der(RSA_PKCS8).unwrap()
}

/// The public material of a key, from which the reference implementations (and
/// jsonwebtoken) build their own key.
pub enum Material {
    Secret(Vec<u8>),
    Rsa(rsa::RsaPublicKey),
    /// The SEC1 encoding of the point.
    Ec(Vec<u8>),
    Ed25519([u8; 32]),
}

/// Whether a signature over a signing input verifies, by the RustCrypto crate of the
/// algorithm, independently of jwt-core.
pub type Reference = Box<dyn Fn(&[u8], &[u8]) -> bool + Send + Sync>;

/// A verifying key of the targets with its material and its reference verification.
pub struct Verifier {
    pub key: AnyVerifyingKey,
    pub material: Material,
    pub reference: Reference,
}

impl Verifier {
    fn new(key: AnyVerifyingKey, material: Material) -> Self {
        let reference = reference(key.algorithm(), &material);
        Verifier {
            key,
            material,
            reference,
        }
    }
}

/// A signing key of the targets and its verifier.
pub struct Signer {
    pub key: Box<dyn SigningKey + Send + Sync>,
    pub verifier: Verifier,
}

fn reference(alg: Algorithm, material: &Material) -> Reference {
    use p256::ecdsa::signature::Verifier as _;
    macro_rules! hmac {
        ($hash:ty, $secret:expr) => {{
            use hmac::{KeyInit, Mac};
            let mac = hmac::Hmac::<$hash>::new_from_slice($secret).unwrap();
            Box::new(move |input: &[u8], sig: &[u8]| {
                let mut mac = mac.clone();
                mac.update(input);
                mac.verify_slice(sig).is_ok()
            })
        }};
    }
    fn pkcs1v15<D>(key: &rsa::RsaPublicKey) -> Reference
    where
        D: sha2::Digest + rsa::pkcs8::AssociatedOid + Send + Sync + 'static,
        rsa::pkcs1v15::VerifyingKey<D>: rsa::signature::Verifier<rsa::pkcs1v15::Signature>,
    {
        use rsa::signature::Verifier as _;
        let key = rsa::pkcs1v15::VerifyingKey::<D>::new(key.clone());
        Box::new(move |input, sig| {
            rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| key.verify(input, &s).is_ok())
        })
    }
    fn pss<D>(key: &rsa::RsaPublicKey) -> Reference
    where
        D: sha2::Digest + sha2::digest::FixedOutputReset + Send + Sync + 'static,
        rsa::pss::VerifyingKey<D>: rsa::signature::Verifier<rsa::pss::Signature>,
    {
        use rsa::signature::Verifier as _;
        // Salt length = hash length (RFC 7518 section 3.5).
        let key = rsa::pss::VerifyingKey::<D>::new(key.clone());
        Box::new(move |input, sig| {
            rsa::pss::Signature::try_from(sig).is_ok_and(|s| key.verify(input, &s).is_ok())
        })
    }
    match (alg, material) {
        (Algorithm::Hs256, Material::Secret(k)) => hmac!(sha2::Sha256, k),
        (Algorithm::Hs384, Material::Secret(k)) => hmac!(sha2::Sha384, k),
        (Algorithm::Hs512, Material::Secret(k)) => hmac!(sha2::Sha512, k),
        (Algorithm::Rs256, Material::Rsa(k)) => pkcs1v15::<sha2::Sha256>(k),
        (Algorithm::Rs384, Material::Rsa(k)) => pkcs1v15::<sha2::Sha384>(k),
        (Algorithm::Rs512, Material::Rsa(k)) => pkcs1v15::<sha2::Sha512>(k),
        (Algorithm::Ps256, Material::Rsa(k)) => pss::<sha2::Sha256>(k),
        (Algorithm::Ps384, Material::Rsa(k)) => pss::<sha2::Sha384>(k),
        (Algorithm::Ps512, Material::Rsa(k)) => pss::<sha2::Sha512>(k),
        (Algorithm::Es256, Material::Ec(sec1)) => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap();
            Box::new(move |input, sig| {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify(input, &s).is_ok())
            })
        }
        (Algorithm::Es384, Material::Ec(sec1)) => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap();
            Box::new(move |input, sig| {
                p384::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify(input, &s).is_ok())
            })
        }
        (Algorithm::Es512, Material::Ec(sec1)) => {
            let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap();
            Box::new(move |input, sig| {
                p521::ecdsa::Signature::from_slice(sig).is_ok_and(|s| key.verify(input, &s).is_ok())
            })
        }
        // k256 verifies low `s` only (Bitcoin's rule); JWS accepts either `s` (RFC 8812).
        (Algorithm::Es256k, Material::Ec(sec1)) => {
            let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap();
            Box::new(move |input, sig| {
                k256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| key.verify(input, &s.normalize_s()).is_ok())
            })
        }
        (Algorithm::EdDsa, Material::Ed25519(public)) => {
            let key = ed25519_dalek::VerifyingKey::from_bytes(public).unwrap();
            Box::new(move |input, sig| {
                ed25519_dalek::Signature::from_slice(sig)
                    .is_ok_and(|s| key.verify_strict(input, &s).is_ok())
            })
        }
        _ => panic!("no reference for {alg} with this material"),
    }
}

fn signer<K>(key: K, public: impl Into<AnyVerifyingKey>, material: Material) -> Signer
where
    K: SigningKey + Send + Sync + 'static,
{
    Signer {
        key: Box::new(key),
        verifier: Verifier::new(public.into(), material),
    }
}

fn rsa_signers(der: &[u8]) -> Vec<Signer> {
    use rsa::pkcs8::DecodePrivateKey;
    let material = || {
        Material::Rsa(
            rsa::RsaPrivateKey::from_pkcs8_der(der)
                .unwrap()
                .to_public_key(),
        )
    };
    macro_rules! each {
        ($($key:ty),*) => {
            vec![$({
                let key = <$key>::from_pkcs8_der(der).unwrap();
                let public = key.public_key();
                signer(key, public, material())
            }),*]
        };
    }
    each!(
        Rs256PrivateKey,
        Rs384PrivateKey,
        Rs512PrivateKey,
        Ps256PrivateKey,
        Ps384PrivateKey,
        Ps512PrivateKey
    )
}

/// The targets' own keys, one per algorithm in [`ALGORITHMS`] order, then the 2049-bit RSA
/// key as each RSA algorithm; `examples/fuzz_corpus.rs` signs the seed tokens with them.
pub fn signers() -> &'static [Signer] {
    static SIGNERS: OnceLock<Vec<Signer>> = OnceLock::new();
    SIGNERS.get_or_init(|| {
        let es256 = es256_key();
        let es384 = Es384PrivateKey::from_bytes(&P384_SCALAR).unwrap();
        let es512 = Es512PrivateKey::from_bytes(&P521_SCALAR).unwrap();
        let es256k = Es256kPrivateKey::from_bytes(&K256_SCALAR).unwrap();
        let ed = Ed25519PrivateKey::from_bytes(&ED25519_SEED);
        let ec = |sec1: &[u8]| Material::Ec(sec1.to_vec());
        let mut all = vec![
            signer(hs256_key(), hs256_key(), Material::Secret(SECRET.to_vec())),
            signer(
                Hs384Key::new(SECRET_384).unwrap(),
                Hs384Key::new(SECRET_384).unwrap(),
                Material::Secret(SECRET_384.to_vec()),
            ),
            signer(
                Hs512Key::new(SECRET_512).unwrap(),
                Hs512Key::new(SECRET_512).unwrap(),
                Material::Secret(SECRET_512.to_vec()),
            ),
        ];
        all.extend(rsa_signers(RSA_PKCS8));
        all.extend([
            signer(
                es256.clone(),
                es256.public_key(),
                ec(&es256.public_key().to_sec1_bytes()),
            ),
            signer(
                es384.clone(),
                es384.public_key(),
                ec(&es384.public_key().to_sec1_bytes()),
            ),
            signer(
                es512.clone(),
                es512.public_key(),
                ec(&es512.public_key().to_sec1_bytes()),
            ),
            signer(
                es256k.clone(),
                es256k.public_key(),
                ec(&es256k.public_key().to_sec1_bytes()),
            ),
            signer(
                ed.clone(),
                ed.public_key(),
                Material::Ed25519(ed.public_key().to_bytes()),
            ),
        ]);
        all.extend(rsa_signers(RSA2049_PKCS8));
        for (signer, alg) in all.iter().zip(ALGORITHMS) {
            assert_eq!(signer.key.algorithm(), alg);
        }
        all
    })
}

/// The public keys of the pyca/cryptography tokens, one per algorithm.
pub fn pyca_verifiers() -> &'static [Verifier] {
    static VERIFIERS: OnceLock<Vec<Verifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(PYCA_TOKENS).unwrap();
        let member = |jwk: &serde_json::Value, name: &str| {
            Base64UrlUnpadded::decode_vec(jwk[name].as_str().unwrap()).unwrap()
        };
        doc["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                let jwk = &entry["jwk"];
                let key =
                    AnyVerifyingKey::from_jwk(&Jwk::parse(jwk.to_string().as_bytes()).unwrap())
                        .unwrap();
                let material = match jwk["kty"].as_str().unwrap() {
                    "oct" => Material::Secret(member(jwk, "k")),
                    "RSA" => Material::Rsa(
                        rsa::RsaPublicKey::new(
                            rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "n")),
                            rsa::BoxedUint::from_be_slice_vartime(&member(jwk, "e")),
                        )
                        .unwrap(),
                    ),
                    "EC" => Material::Ec([vec![4], member(jwk, "x"), member(jwk, "y")].concat()),
                    _ => Material::Ed25519(member(jwk, "x").try_into().unwrap()),
                };
                Verifier::new(key, material)
            })
            .collect()
    })
}

/// A claims type that reads the registered claims when they have their usual types and
/// ignores everything else.
#[derive(Deserialize, Serialize, Debug, Default, PartialEq, Clone)]
pub struct Claims {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exp: Option<u64>,
}

/// Checks that an accepted token is canonical and that its signature verifies with the raw
/// primitive, independently of jwt-core.
fn accepted_is_canonical(token: &str, alg: &str, raw_verify: impl Fn(&[u8], &[u8]) -> bool) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "accepted token without three segments");
    for part in &parts {
        let bytes = Base64UrlUnpadded::decode_vec(part).expect("accepted non-canonical base64url");
        assert_eq!(Base64UrlUnpadded::encode_string(&bytes), *part);
    }
    let header: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(parts[0]).unwrap())
            .expect("accepted a header serde_json cannot read");
    assert_eq!(header["alg"], alg, "accepted under another alg");
    let input = &token[..parts[0].len() + 1 + parts[1].len()];
    let sig = Base64UrlUnpadded::decode_vec(parts[2]).unwrap();
    assert!(
        raw_verify(input.as_bytes(), &sig),
        "accepted a signature the primitive refuses"
    );
}

fn verify_with(
    data: &[u8],
    key: &impl VerifyingKey,
    alg: &str,
    raw: impl Fn(&[u8], &[u8]) -> bool,
) {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    let mut buf = [0u8; 4096];
    let verified = jwt_core::verify::<Claims, _>(token, key, &Validation::new(), NOW, &mut buf);
    let mut buf = [0u8; 4096];
    let jws = jwt_core::verify_jws(token, key, &mut buf).map(|payload| payload.len());
    let mut header_buf = [0u8; 4096];
    let header = jwt_core::decode_header(token, &mut header_buf).map(|h| h.alg);
    if verified.is_ok() {
        assert!(jws.is_ok(), "a verified JWT must be a verified JWS");
    }
    if jws.is_ok() {
        assert!(header.is_ok(), "a verified JWS must have a readable header");
        accepted_is_canonical(token, alg, &raw);
    }
    // Too small a buffer is a typed error, never a panic.
    let mut small = [0u8; 7];
    let _ = jwt_core::verify::<Claims, _>(token, key, &Validation::new(), NOW, &mut small);
}

pub fn verify_hs256(data: &[u8]) {
    use hmac::{KeyInit, Mac};
    verify_with(data, &hs256_key(), "HS256", |input, sig| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
        mac.update(input);
        mac.verify_slice(sig).is_ok()
    });
}

pub fn verify_es256(data: &[u8]) {
    use p256::ecdsa::signature::Verifier;
    let public = es256_key().public_key();
    let raw = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public.to_sec1_bytes()).unwrap();
    verify_with(data, &public, "ES256", |input, sig| {
        sig.len() == 64
            && p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| raw.verify(input, &s).is_ok())
    });
}

pub fn verify_rs256(data: &[u8]) {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::Verifier;
    let public = rs256_key().public_key();
    let private = rsa::RsaPrivateKey::from_pkcs8_der(RSA_PKCS8).unwrap();
    let raw = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(private.to_public_key());
    verify_with(data, &public, "RS256", |input, sig| {
        sig.len() == 256
            && rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| raw.verify(input, &s).is_ok())
    });
}

/// Verifies the token with every key of one key type (`kty`): the targets' own and pyca's,
/// each with the properties of [`verify_with`] and its algorithm's reference. A token reaches
/// the signature check with the keys of its header's algorithm and is refused as another
/// algorithm's by the rest.
fn verify_family(data: &[u8], kty: &str) {
    let verifiers = signers()
        .iter()
        .map(|s| &s.verifier)
        .chain(pyca_verifiers());
    for verifier in verifiers.filter(|v| v.key.algorithm().kty() == kty) {
        let alg = verifier.key.algorithm().name();
        verify_with(data, &verifier.key, alg, &*verifier.reference);
    }
}

/// HS256, HS384 and HS512.
pub fn verify_hmac(data: &[u8]) {
    verify_family(data, "oct");
}

/// RS256..RS512 and PS256..PS512, with 2048-bit keys (fixed-size arithmetic) and a 2049-bit
/// one (the `rsa` crate's).
pub fn verify_rsa(data: &[u8]) {
    verify_family(data, "RSA");
}

/// ES256, ES384, ES512 and ES256K.
pub fn verify_ecdsa(data: &[u8]) {
    verify_family(data, "EC");
}

/// EdDSA with Ed25519.
pub fn verify_eddsa(data: &[u8]) {
    verify_family(data, "OKP");
}

/// Header parsing, directly and through `decode_header`, must agree; an accepted header
/// names a supported algorithm and is a JSON object serde_json can read.
pub fn header(data: &[u8]) {
    let direct = jwt_core::Header::parse(data);
    let token = format!("{}.e30.c2ln", Base64UrlUnpadded::encode_string(data));
    let mut buf = vec![0u8; data.len() + 4];
    let via_token = jwt_core::decode_header(&token, &mut buf);
    match (&direct, &via_token) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.alg, b.alg);
            assert_eq!(a.kid.map(|k| k.to_string()), b.kid.map(|k| k.to_string()));
            if let Some(json) = serde_json_object(data) {
                let alg = json["alg"]
                    .as_str()
                    .expect("accepted a header without a string alg");
                assert_eq!(alg, a.alg.name());
                if let Some(kid) = a.kid {
                    let kid = kid.to_string();
                    assert_eq!(
                        json["kid"].as_str(),
                        Some(kid.as_str()),
                        "kid unescaped wrongly"
                    );
                }
            }
        }
        // An empty header is an empty segment inside a token: malformed before it is JSON.
        (Err(a), Err(b)) if data.is_empty() => {
            assert_eq!((*a, *b), (Error::Json, Error::Malformed))
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("Header::parse and decode_header disagree: {direct:?} / {via_token:?}"),
    }
}

/// Registered-claim validation with an arbitrary clock and policy: consistent in time, and
/// never accepting what is not a JSON object.
pub fn claims(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(now), Ok(leeway), Ok(flags)) = (
        u.arbitrary::<u64>(),
        u.int_in_range(0..=600u64),
        u.arbitrary::<u8>(),
    ) else {
        return;
    };
    let json = u.take_rest();
    let mut policy = Validation::new().leeway(leeway);
    if flags & 1 != 0 {
        policy = policy.allow_missing_exp();
    }
    if flags & 2 != 0 {
        policy = policy.issuers(&["https://issuer.example", "a"]);
    }
    if flags & 4 != 0 {
        policy = policy.audiences(&["api", "b"]);
    }
    if flags & 8 != 0 {
        policy = policy.max_age(u64::from(flags >> 4) * 100);
    }
    let result = policy.validate(json, now);
    if result.is_ok() {
        serde_json_object(json);
    }
    // Monotonic in time: valid now means not expired earlier, and not premature later.
    if result.is_ok() {
        for earlier in [now.saturating_sub(1), now / 2, 0] {
            assert_ne!(
                policy.validate(json, earlier),
                Err(Error::Expired),
                "expired earlier"
            );
        }
        for later in [now.saturating_add(1), now.saturating_mul(2), u64::MAX] {
            assert_ne!(
                policy.validate(json, later),
                Err(Error::NotYetValid),
                "premature later"
            );
        }
    }
    if result == Err(Error::Expired) {
        assert_eq!(
            policy.validate(json, now.saturating_add(1)),
            Err(Error::Expired)
        );
    }
}

/// JWK and JWK Set parsing: an importable key has a thumbprint and the algorithm it was
/// imported as; public imports never keep private members (an `oct` key's `k` is its
/// secret); a set never holds more keys than its capacity and selects only keys of the asked
/// algorithm; errors are typed.
pub fn jwk(data: &[u8]) {
    if let Ok(jwk) = Jwk::parse(data) {
        if let Ok(key) = AnyVerifyingKey::from_jwk(&jwk) {
            assert_eq!(Some(key.algorithm()), jwk.algorithm());
        }
        for alg in ALGORITHMS {
            if let Ok(key) = AnyVerifyingKey::from_jwk_as(&jwk, alg) {
                assert_eq!(key.algorithm(), alg);
                let thumbprint = jwk
                    .thumbprint()
                    .expect("an importable key has the thumbprint members");
                assert_eq!(thumbprint.len(), 32);
                assert!(!jwk.has_private_members() || alg.is_symmetric(), "{alg}");
            }
        }
        let _ = Es256PrivateKey::from_jwk(&jwk);
        let _ = Es384PrivateKey::from_jwk(&jwk);
        let _ = Es512PrivateKey::from_jwk(&jwk);
        let _ = Es256kPrivateKey::from_jwk(&jwk);
        let _ = Ed25519PrivateKey::from_jwk(&jwk);
        let _ = Rs256PrivateKey::from_jwk(&jwk);
        let _ = Ps512PrivateKey::from_jwk(&jwk);
        let _ = Es256PublicKey::from_jwk(&jwk);
        let _ = Es384PublicKey::from_jwk(&jwk);
        let _ = Es512PublicKey::from_jwk(&jwk);
        let _ = Es256kPublicKey::from_jwk(&jwk);
        let _ = Ed25519PublicKey::from_jwk(&jwk);
        let _ = Rs256PublicKey::from_jwk(&jwk);
    }
    if let Ok(set) = JwkSet::<4>::parse(data) {
        assert!(set.len() <= 4);
        assert_eq!(set.iter().count(), set.len());
        for alg in ALGORITHMS {
            if let Ok(key) = set.select(alg, None) {
                assert_eq!(key.algorithm(), alg);
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
pub struct SignInput {
    /// Chooses the key among [`signers`].
    alg: u8,
    kid: Option<String>,
    typ: Option<String>,
    claims: ArbitraryClaims,
}

#[derive(Arbitrary, Serialize, Deserialize, Debug, PartialEq, Clone)]
pub struct ArbitraryClaims {
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    nbf: Option<u32>,
    aud: Vec<String>,
    number: i64,
    flag: bool,
    nested: Vec<(String, u16)>,
    #[serde(default)]
    exp: u64,
}

/// Structure-aware: any header fields and claims, signed then verified with each algorithm
/// (the key chosen by `alg` among [`signers`]), give back equal claims.
pub fn sign_roundtrip(data: &[u8]) {
    let Ok(input) = SignInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let mut claims = input.claims;
    claims.exp = NOW + 3600;
    claims.nbf = claims.nbf.map(|nbf| nbf % (NOW as u32));
    claims.aud.push("api".into());
    let mut fields = HeaderFields::new().no_typ();
    fields.kid = input.kid.as_deref();
    fields.typ = input.typ.as_deref();
    let policy = Validation::new().audiences(&["api"]);
    // RSA signing costs milliseconds: one input in four chooses among every key, the others
    // among the keys of the cheaper algorithms, so the fuzzer keeps its pace.
    let all = signers();
    let choice = usize::from(input.alg);
    let signer = if choice % 4 == 0 {
        &all[choice / 4 % all.len()]
    } else {
        let cheap: Vec<&Signer> = all
            .iter()
            .filter(|s| s.key.algorithm().kty() != "RSA")
            .collect();
        cheap[choice % cheap.len()]
    };
    round_trip(
        &*signer.key,
        &signer.verifier.key,
        &fields,
        &claims,
        &policy,
    );
}

fn round_trip(
    signer: &(impl SigningKey + ?Sized),
    verifier: &impl VerifyingKey,
    fields: &HeaderFields<'_>,
    claims: &ArbitraryClaims,
    policy: &Validation<'_>,
) {
    let token = match jwt_core::sign_to_string(signer, fields, claims) {
        Ok(token) => token,
        Err(Error::TokenTooLong) => return,
        Err(e) => panic!("signing failed: {e:?}"),
    };
    let back: ArbitraryClaims = jwt_core::verify_owned(
        &token,
        verifier,
        &policy.max_token_len(jwt_core::MAX_TOKEN_LEN),
        NOW,
    )
    .unwrap_or_else(|e| panic!("own token refused: {e:?}"));
    assert_eq!(&back, claims);
    let mut buf = vec![0u8; token.len()];
    let header = jwt_core::decode_header(&token, &mut buf).unwrap();
    assert_eq!(header.kid.map(|k| k.to_string()).as_deref(), fields.kid);
    assert_eq!(header.typ.map(|k| k.to_string()).as_deref(), fields.typ);
}

/// Decoding agrees with base64ct (the reference) on every input, so canonical input decodes
/// to the same bytes and non-canonical input is refused; encoding agrees and round-trips.
pub fn base64url(data: &[u8]) {
    let mut ours = vec![0u8; data.len()];
    let decoded = jwt_core::base64url::decode(data, &mut ours);
    let reference = core::str::from_utf8(data)
        .ok()
        .and_then(|t| Base64UrlUnpadded::decode_vec(t).ok());
    match (decoded, reference) {
        (Ok(n), Some(bytes)) => assert_eq!(&ours[..n], bytes.as_slice()),
        (Err(_), None) => {}
        (ours, reference) => panic!("decode disagrees with base64ct: {ours:?} / {reference:?}"),
    }
    let mut encoded = vec![0u8; jwt_core::base64url::encoded_len(data.len())];
    let n = jwt_core::base64url::encode(data, &mut encoded).unwrap();
    assert_eq!(
        &encoded[..n],
        Base64UrlUnpadded::encode_string(data).as_bytes()
    );
    let mut back = vec![0u8; data.len()];
    let m = jwt_core::base64url::decode(&encoded[..n], &mut back).unwrap();
    assert_eq!(&back[..m], data);
}

/// The JSON scanner is strict: whatever it accepts as a claims set, serde_json reads as an
/// object. Reading the claims into a type reports the error validation alone reports, and
/// only then the type's own.
pub fn json(data: &[u8]) {
    let policy = Validation::new().allow_missing_exp().leeway(u64::MAX / 4);
    let validated = policy.validate(data, NOW);
    // The same document as the payload of a token, read into a `serde_json::Value` and into
    // a type that can fail anywhere (a member's type, deep in a value, a missing field).
    let token = signed_token(data);
    let mut buf = vec![0u8; 2 * token.len()];
    let key = hs256_key();
    let as_value = jwt_core::verify::<serde_json::Value, _>(&token, &key, &policy, NOW, &mut buf);
    let as_typed =
        jwt_core::verify::<Typed<'_>, _>(&token, &key, &policy, NOW, &mut buf).map(|_| ());
    match validated {
        Ok(()) => {
            let theirs = serde_json_object(data);
            match theirs {
                Some(theirs) => assert_eq!(as_value, Ok(theirs), "deserializer disagrees"),
                // A number beyond f64: both refuse it as a value (validation, which reads
                // no such number, accepts the document).
                None => assert_eq!(
                    as_value,
                    Err(Error::ClaimsTypeMismatch),
                    "deserializer read a number beyond f64"
                ),
            }
            assert!(
                matches!(as_typed, Ok(()) | Err(Error::ClaimsTypeMismatch)),
                "typed read of a valid claims set: {as_typed:?}"
            );
        }
        Err(error) => {
            if matches!(
                error,
                Error::InvalidClaim(_) | Error::InvalidAudience | Error::InvalidIssuedAt
            ) {
                serde_json_object(data);
            }
            assert_eq!(as_value.err(), Some(error), "error precedence, as a value");
            assert_eq!(as_typed.err(), Some(error), "error precedence, as a type");
        }
    }
}

/// Claims whose reading can fail at a member's name, at a member's type, deep inside a
/// value, or at the end (a field required when another is present is checked by serde).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Typed<'a> {
    #[serde(default)]
    a: Option<u8>,
    #[serde(default, borrow)]
    s: Option<&'a str>,
    #[serde(default)]
    v: Option<Vec<Option<bool>>>,
    #[serde(default)]
    o: Option<std::collections::BTreeMap<String, Vec<i32>>>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<u64>,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    iss: Option<&'a str>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
}

/// `payload`, as is, signed into an HS256 token.
fn signed_token(payload: &[u8]) -> String {
    let mut token = format!(
        "eyJhbGciOiJIUzI1NiJ9.{}",
        Base64UrlUnpadded::encode_string(payload)
    );
    let mut sig = [0u8; 32];
    hs256_key()
        .sign_signature(token.as_bytes(), &mut sig)
        .unwrap();
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&sig));
    token
}

/// The oracle for JSON that jwt-core accepted: serde_json must read it as an object. Its one
/// implementation limit, numbers beyond `f64` (which RFC 8259 section 9 lets an
/// implementation refuse), is the only allowed disagreement.
/// Returns the object, or `None` when only that limit stopped serde_json.
fn serde_json_object(json: &[u8]) -> Option<serde_json::Value> {
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(value) => {
            assert!(value.is_object(), "accepted JSON that is not an object");
            Some(value)
        }
        Err(e) if e.to_string().starts_with("number out of range") => None,
        Err(e) => panic!("accepted JSON serde_json refuses: {e}"),
    }
}

/// Deliberate strictness of jwt-core over jsonwebtoken, by checklist ID (CONFORMANCE.md). A verdict
/// difference is accepted only when jwt-core's error is listed here.
pub fn deliberate_strictness(ours: Error) -> Option<&'static str> {
    Some(match ours {
        Error::Json => "V-P3/V-P4/V-C1: strict JSON (duplicates, grammar, depth 32, 64 members)",
        Error::Base64 => "V-P2: canonical base64url only",
        Error::UnsupportedHeader => "V-P6/V-A4: crit refused, nested JWT refused",
        Error::InvalidHeader => "V-P5/V-P11: kid, typ, cty must be strings",
        Error::InvalidClaim(_) => {
            "V-C5/V-C7/V-C8/V-C9/V-C11: a mistyped registered claim is an error"
        }
        Error::InvalidIssuedAt => "V-C6: iat in the future",
        Error::InvalidAudience => "V-C8: aud present while no audience is configured",
        Error::TokenTooLong => "V-P12: bounded token length",
        _ => return None,
    })
}

/// The key pairs of the differential target: each algorithm jsonwebtoken has (its own
/// `Algorithm` parses the name: HS*, RS*, PS*, ES256, ES384 and EdDSA; not ES512 or ES256K),
/// with the targets' own key (2048-bit RSA) on both sides.
fn differential_keys() -> &'static [(
    &'static Verifier,
    jsonwebtoken::Algorithm,
    jsonwebtoken::DecodingKey,
)] {
    use jsonwebtoken::DecodingKey;
    use rsa::traits::PublicKeyParts;
    static KEYS: OnceLock<Vec<(&'static Verifier, jsonwebtoken::Algorithm, DecodingKey)>> =
        OnceLock::new();
    KEYS.get_or_init(|| {
        signers()
            .iter()
            .take(ALGORITHMS.len())
            .filter_map(|signer| {
                let verifier = &signer.verifier;
                let theirs = verifier.key.algorithm().name().parse().ok()?;
                let key = match &verifier.material {
                    Material::Secret(secret) => DecodingKey::from_secret(secret),
                    Material::Rsa(key) => {
                        DecodingKey::from_rsa_raw_components(&key.n_bytes(), &key.e_bytes())
                    }
                    Material::Ec(sec1) => DecodingKey::from_ec_der(sec1),
                    Material::Ed25519(public) => DecodingKey::from_ed_der(public),
                };
                Some((verifier, theirs, key))
            })
            .collect()
    })
}

/// The `alg` of a token's header as serde_json reads it, if any.
fn header_alg(token: &str) -> Option<Algorithm> {
    let segment = token.split('.').next()?;
    let header: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(segment).ok()?).ok()?;
    Algorithm::from_name(header["alg"].as_str()?)
}

/// Mutations of valid tokens checked by jwt-core and by jsonwebtoken, both with the key of
/// the header's algorithm (HS256's when the header names none they both have): the verdicts
/// agree except for the deliberate strictness above, and jwt-core is never the more lenient
/// one except on fractional NumericDates, which RFC 7519 section 2 allows (V-C5).
pub fn differential_jsonwebtoken(data: &[u8]) {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    if token.len() > 8192 {
        return;
    }
    let keys = differential_keys();
    let alg = header_alg(token);
    let (verifier, their_alg, their_key) = keys
        .iter()
        .find(|(v, ..)| Some(v.key.algorithm()) == alg)
        .unwrap_or(&keys[0]);
    let now = jwt_core::now();
    let ours = jwt_core::verify_owned::<Claims, _>(token, &verifier.key, &Validation::new(), now);
    let mut validation = jsonwebtoken::Validation::new(*their_alg);
    validation.validate_nbf = true;
    let theirs = jsonwebtoken::decode::<serde_json::Value>(token, their_key, &validation);
    match (ours, theirs) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => {
            if e == Error::Expired && at_expiry_boundary(token, now) {
                return; // V-C3: `now == exp + leeway` is expired here, valid there.
            }
            assert!(
                deliberate_strictness(e).is_some(),
                "jwt-core refused ({e:?}) what jsonwebtoken accepts ({their_alg:?})"
            );
        }
        (Ok(_), Err(e)) => {
            assert!(
                fractional_date(token),
                "jwt-core accepted what jsonwebtoken refuses ({their_alg:?}): {e:?}"
            );
        }
    }
}

fn payload(token: &str) -> Option<serde_json::Value> {
    let segment = token.split('.').nth(1)?;
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(segment).ok()?).ok()
}

fn at_expiry_boundary(token: &str, now: u64) -> bool {
    payload(token)
        .and_then(|p| p["exp"].as_u64())
        .is_some_and(|exp| exp + 60 >= now.saturating_sub(1) && exp + 60 <= now + 1)
}

fn fractional_date(token: &str) -> bool {
    payload(token).is_some_and(|p| ["exp", "nbf"].iter().any(|c| p[*c].is_f64()))
}

/// The request the `dpop_proof` target's proofs are checked for, and the access token.
pub const DPOP_URI: &str = "https://api.example/orders";
pub const DPOP_TOKEN: &str = "an-access-token";

/// DPoP proof verification (RFC 9449): never panics, and a proof it accepts passes every
/// check again from the outside: the header is `dpop+jwt` with an asymmetric `alg`, the
/// signature verifies with the header's key, `jti` is bounded, and the same proof for another
/// method, URI or token, or at a time far from its `iat`, is refused for that reason.
pub fn dpop_proof(data: &[u8]) {
    use jwt_core::dpop::{self, Policy, ProofError, Request};
    let Ok(proof) = std::str::from_utf8(data) else {
        return;
    };
    let request = Request::new("GET", DPOP_URI).access_token(DPOP_TOKEN);
    let mut buf = vec![0u8; proof.len()];
    let Ok(verified) = dpop::verify_proof(proof, &request, &Policy::new(), NOW, &mut buf) else {
        return;
    };
    assert!(!verified.jti().is_empty() && verified.jti().len() <= 128);
    assert_eq!(verified.thumbprint().len(), 43);
    let (iat, thumbprint) = (verified.issued_at(), verified.thumbprint().to_owned());
    assert!(
        iat + 300 >= NOW && iat <= NOW + 60,
        "iat {iat} outside the window"
    );

    let mut header = vec![0u8; proof.len()];
    let len = jwt_core::base64url::decode(proof.split('.').next().unwrap().as_bytes(), &mut header)
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header[..len]).unwrap();
    assert!(
        header["typ"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("dpop+jwt")
    );
    let alg = Algorithm::from_name(header["alg"].as_str().unwrap()).unwrap();
    assert!(!alg.is_symmetric());
    let jwk_text = header["jwk"].to_string();
    let jwk = Jwk::parse(jwk_text.as_bytes()).unwrap();
    assert!(!jwk.has_private_members());
    let key = AnyVerifyingKey::from_jwk_as(&jwk, alg).unwrap();
    assert!(jwt_core::verify_jws(proof, &key, &mut vec![0u8; proof.len()]).is_ok());
    let mut expected = [0u8; 43];
    jwt_core::base64url::encode(&jwk.thumbprint().unwrap(), &mut expected).unwrap();
    assert_eq!(thumbprint.as_bytes(), expected);

    let refused = |request: Request<'_>, now: u64| {
        let mut buf = vec![0u8; proof.len()];
        dpop::verify_proof(proof, &request, &Policy::new(), now, &mut buf).map(|_| ())
    };
    assert_eq!(
        refused(Request::new("PUT", DPOP_URI).access_token(DPOP_TOKEN), NOW),
        Err(Error::Dpop(ProofError::Method))
    );
    assert_eq!(
        refused(
            Request::new("GET", "https://api.example/other").access_token(DPOP_TOKEN),
            NOW
        ),
        Err(Error::Dpop(ProofError::Uri))
    );
    assert_eq!(
        refused(Request::new("GET", DPOP_URI).access_token("another"), NOW),
        Err(Error::Dpop(ProofError::AccessTokenHash))
    );
    assert_eq!(
        refused(request, iat + 301),
        Err(Error::Dpop(ProofError::IssuedAt))
    );
}
