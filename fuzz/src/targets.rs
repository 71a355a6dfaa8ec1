//! The property checks behind every fuzz target. Each function takes the raw fuzz input and
//! panics when a property fails. The same file is compiled into `tests/fuzz_regressions.rs`
//! (stable), so every input found here keeps being checked by plain `cargo test`.
//!
//! Keys and the clock are fixed. The keys are the repository's test keys.

use arbitrary::{Arbitrary, Unstructured};
use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    AnyVerifyingKey, Error, Es256PrivateKey, Es256PublicKey, HeaderFields, Hs256Key, Jwk, JwkSet,
    Rs256PrivateKey, Rs256PublicKey, SigningKey, Validation, VerifyingKey,
};
use serde::{Deserialize, Serialize};

/// The fixed clock of the verify targets (2027-01-15).
pub const NOW: u64 = 1_800_000_000;
/// The HS256 secret of the verify targets.
pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
const P256_SCALAR: &[u8; 32] = include_bytes!("../../tests/data/keys/p256.scalar");
const RSA_PKCS8: &[u8] = include_bytes!("../../tests/data/keys/rsa2048.pkcs8.der");

/// Target names, as `cargo fuzz list` shows them and as folders of `fuzz/corpus` and
/// `fuzz/regressions`.
pub const TARGETS: [&str; 10] = [
    "verify_hs256",
    "verify_es256",
    "verify_rs256",
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
        "header" => header(data),
        "claims" => claims(data),
        "jwk" => jwk(data),
        "sign_roundtrip" => sign_roundtrip(data),
        "base64url" => base64url(data),
        "differential_jsonwebtoken" => differential_jsonwebtoken(data),
        "json" => json(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

pub fn hs256_key() -> Hs256Key {
    Hs256Key::new(SECRET).unwrap()
}

pub fn es256_key() -> Es256PrivateKey {
    Es256PrivateKey::from_bytes(P256_SCALAR).unwrap()
}

pub fn rs256_key() -> Rs256PrivateKey {
    Rs256PrivateKey::from_pkcs8_der(RSA_PKCS8).unwrap()
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

/// JWK and JWK Set parsing: an importable key has a thumbprint; a set never holds more keys
/// than its capacity; errors are typed.
pub fn jwk(data: &[u8]) {
    if let Ok(jwk) = Jwk::parse(data) {
        if let Ok(key) = AnyVerifyingKey::from_jwk(&jwk) {
            let thumbprint = jwk
                .thumbprint()
                .expect("an importable key has the thumbprint members");
            assert_eq!(thumbprint.len(), 32);
            let _ = key.algorithm();
            assert!(!jwk.has_private_members() || matches!(key, AnyVerifyingKey::Hs256(_)));
        }
        let _ = Es256PrivateKey::from_jwk(&jwk);
        let _ = Rs256PrivateKey::from_jwk(&jwk);
        let _ = Es256PublicKey::from_jwk(&jwk);
        let _ = Rs256PublicKey::from_jwk(&jwk);
    }
    if let Ok(set) = JwkSet::<4>::parse(data) {
        assert!(set.len() <= 4);
        assert_eq!(set.iter().count(), set.len());
        for alg in [
            jwt_core::Algorithm::Hs256,
            jwt_core::Algorithm::Es256,
            jwt_core::Algorithm::Rs256,
        ] {
            if let Ok(key) = set.select(alg, None) {
                assert_eq!(key.algorithm(), alg);
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
pub struct SignInput {
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

/// Structure-aware: any header fields and claims, signed then verified with each algorithm,
/// give back equal claims.
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
    match input.alg % 8 {
        0 => round_trip(
            &rs256_key(),
            &rs256_key().public_key(),
            &fields,
            &claims,
            &policy,
        ),
        1..=3 => round_trip(
            &es256_key(),
            &es256_key().public_key(),
            &fields,
            &claims,
            &policy,
        ),
        _ => round_trip(&hs256_key(), &hs256_key(), &fields, &claims, &policy),
    }
}

fn round_trip(
    signer: &impl SigningKey,
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

/// Mutations of valid tokens checked by jwt-core and by jsonwebtoken: the verdicts agree
/// except for the deliberate strictness above, and jwt-core is never the more lenient one
/// except on fractional NumericDates, which RFC 7519 section 2 allows (V-C5).
pub fn differential_jsonwebtoken(data: &[u8]) {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    if token.len() > 8192 {
        return;
    }
    let now = jwt_core::now();
    let ours = jwt_core::verify_owned::<Claims, _>(token, &hs256_key(), &Validation::new(), now);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_nbf = true;
    let key = jsonwebtoken::DecodingKey::from_secret(SECRET);
    let theirs = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation);
    match (ours, theirs) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => {
            if e == Error::Expired && at_expiry_boundary(token, now) {
                return; // V-C3: `now == exp + leeway` is expired here, valid there.
            }
            assert!(
                deliberate_strictness(e).is_some(),
                "jwt-core refused ({e:?}) what jsonwebtoken accepts"
            );
        }
        (Ok(_), Err(e)) => {
            assert!(
                fractional_date(token),
                "jwt-core accepted what jsonwebtoken refuses: {e:?}"
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
