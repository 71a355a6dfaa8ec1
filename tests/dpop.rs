//! DPoP proofs (RFC 9449): the RFC's examples with a fixed clock, proofs made here with
//! ES256 and Ed25519 keys, and one refusal per check of section 4.3.
#![cfg(all(
    feature = "std",
    feature = "hmac",
    feature = "p256",
    feature = "ed25519",
    feature = "rsa"
))]

mod common;

use common::{b64, data};
use jwt_core::dpop::{self, Policy, ProofClaims, ProofError, Request};
use jwt_core::{
    Algorithm, Ed25519PrivateKey, Error, Es256PrivateKey, HeaderFields, Hs256Key, SigningKey,
    Validation,
};
use serde_json::{Value, json};

fn examples() -> Value {
    serde_json::from_slice(&data("rfc9449_examples.json")).unwrap()
}

fn check(
    proof: &str,
    request: &Request<'_>,
    policy: &Policy<'_>,
    now: u64,
) -> Result<String, Error> {
    let mut buf = vec![0u8; proof.len()];
    dpop::verify_proof(proof, request, policy, now, &mut buf).map(|p| p.jti().to_string())
}

#[test]
fn the_rfc_examples_verify_with_their_thumbprint() {
    let ex = examples();
    let t = &ex["token_request"];
    let (proof, iat) = (t["proof"].as_str().unwrap(), t["iat"].as_u64().unwrap());
    let request = Request::new("POST", t["uri"].as_str().unwrap());
    let mut buf = [0u8; 1024];
    let verified = dpop::verify_proof(proof, &request, &Policy::new(), iat, &mut buf).unwrap();
    assert_eq!(verified.jti(), "-BwC3ESc6acc2lTc");
    assert_eq!(verified.issued_at(), iat);
    assert_eq!(verified.thumbprint(), ex["jkt"].as_str().unwrap());

    let r = &ex["resource_request"];
    let (proof, iat) = (r["proof"].as_str().unwrap(), r["iat"].as_u64().unwrap());
    let token = r["access_token"].as_str().unwrap();
    let uri = r["uri"].as_str().unwrap();
    let request = Request::new("GET", uri).access_token(token);
    assert_eq!(
        check(proof, &request, &Policy::new(), iat).unwrap(),
        "e1j3V_bKic8-LAEB"
    );
    // Another token, or none, does not match `ath`.
    let other = Request::new("GET", uri).access_token("another-token");
    assert_eq!(
        check(proof, &other, &Policy::new(), iat),
        Err(Error::Dpop(ProofError::AccessTokenHash))
    );
    assert_eq!(
        check(proof, &Request::new("GET", uri), &Policy::new(), iat),
        Err(Error::Dpop(ProofError::AccessTokenHash))
    );
    // Another method or resource.
    for (method, uri, error) in [
        ("POST", uri, ProofError::Method),
        ("get", uri, ProofError::Method),
        ("GET", "https://resource.example.org/other", ProofError::Uri),
        (
            "GET",
            "http://resource.example.org/protectedresource",
            ProofError::Uri,
        ),
    ] {
        let request = Request::new(method, uri).access_token(token);
        assert_eq!(
            check(proof, &request, &Policy::new(), iat),
            Err(Error::Dpop(error))
        );
    }
    // The clock: 300 s old at most, 60 s ahead at most, by default.
    for (now, ok) in [
        (iat + 300, true),
        (iat + 301, false),
        (iat - 60, true),
        (iat - 61, false),
    ] {
        let result = check(proof, &request, &Policy::new(), now);
        assert_eq!(
            result.is_ok(),
            ok,
            "now = iat + {}",
            now as i64 - iat as i64
        );
        if !ok {
            assert_eq!(result, Err(Error::Dpop(ProofError::IssuedAt)));
        }
    }
    // An allow-list without ES256.
    let eddsa_only = [Algorithm::EdDsa];
    assert_eq!(
        check(proof, &request, &Policy::new().algorithms(&eddsa_only), iat),
        Err(Error::Dpop(ProofError::Algorithm))
    );
}

const NOW: u64 = 1_800_000_000;
const URI: &str = "https://api.example/orders";

/// An access token bound to `jkt`, signed by the issuer's HMAC key.
fn bound_token(jkt: &str) -> String {
    let issuer = Hs256Key::new(&[7; 32]).unwrap();
    let claims = json!({"sub":"device-7","exp": NOW + 60,"cnf":{"jkt": jkt}});
    jwt_core::sign_to_string(&issuer, &HeaderFields::new(), &claims).unwrap()
}

fn made_proofs_verify_and_bind_their_token<K: dpop::ProofKey>(key: &K) {
    let jkt = dpop::thumbprint(key).unwrap();
    let token = bound_token(jkt.as_str());
    let claims = ProofClaims::new("j-1", "GET", URI, NOW).access_token(&token);
    let mut out = [0u8; 1024];
    let proof = dpop::make_proof(key, &claims, &mut out).unwrap();
    let request = Request::new("GET", "https://api.example:443/orders?page=2").access_token(&token);
    let mut buf = [0u8; 1024];
    let verified = dpop::verify_proof(proof, &request, &Policy::new(), NOW + 5, &mut buf).unwrap();
    assert_eq!(verified.jti(), "j-1");
    assert_eq!(verified.thumbprint(), jkt.as_str());

    // The token verifies with the proven key, and not as a bearer token.
    let issuer = Hs256Key::new(&[7; 32]).unwrap();
    let mut tbuf = vec![0u8; token.len()];
    let policy = Validation::new().confirmed(verified.confirmation());
    assert!(jwt_core::verify_claims(&token, &issuer, &policy, NOW, &mut tbuf).is_ok());
    assert_eq!(
        jwt_core::verify_claims(&token, &issuer, &Validation::new(), NOW, &mut tbuf).unwrap_err(),
        Error::SenderConstrained
    );
    // A token bound to another key is refused with this proof.
    let other = bound_token("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    let request = Request::new("GET", URI).access_token(&other);
    let claims = ProofClaims::new("j-2", "GET", URI, NOW).access_token(&other);
    let mut out = [0u8; 1024];
    let proof = dpop::make_proof(key, &claims, &mut out).unwrap();
    let mut buf = [0u8; 1024];
    let verified = dpop::verify_proof(proof, &request, &Policy::new(), NOW, &mut buf).unwrap();
    let mut tbuf = vec![0u8; other.len()];
    let policy = Validation::new().confirmed(verified.confirmation());
    assert_eq!(
        jwt_core::verify_claims(&other, &issuer, &policy, NOW, &mut tbuf).unwrap_err(),
        Error::SenderConstrained
    );

    // A nonce, when the server requires one.
    let nonced = ProofClaims::new("j-3", "GET", URI, NOW).nonce("n-42");
    let mut out = [0u8; 1024];
    let proof = dpop::make_proof(key, &nonced, &mut out)
        .unwrap()
        .to_string();
    let request = Request::new("GET", URI);
    assert!(check(&proof, &request, &Policy::new().nonce("n-42"), NOW).is_ok());
    let mut buf = [0u8; 1024];
    let unchecked = dpop::verify_proof(&proof, &request, &Policy::new(), NOW, &mut buf).unwrap();
    assert!(unchecked.nonce().is_some_and(|n| n == "n-42"));
    assert_eq!(
        check(&proof, &request, &Policy::new().nonce("n-43"), NOW),
        Err(Error::Dpop(ProofError::Nonce))
    );
    let plain = ProofClaims::new("j-4", "GET", URI, NOW);
    let mut out = [0u8; 1024];
    let proof = dpop::make_proof(key, &plain, &mut out).unwrap().to_string();
    assert_eq!(
        check(&proof, &request, &Policy::new().nonce("n-42"), NOW),
        Err(Error::Dpop(ProofError::Nonce))
    );
    assert_eq!(ProofError::Nonce.code(), "use_dpop_nonce");
}

#[test]
fn es256_and_ed25519_proofs_made_here_verify() {
    made_proofs_verify_and_bind_their_token(&Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap());
    made_proofs_verify_and_bind_their_token(&Ed25519PrivateKey::from_bytes(&[0x5B; 32]));
}

/// A proof with any header and payload, signed by `key` over exactly these texts.
fn raw_proof(key: &impl SigningKey, header: &Value, payload: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let mut sig = vec![0u8; key.signature_len()];
    key.sign_signature(input.as_bytes(), &mut sig).unwrap();
    format!("{input}.{}", b64(&sig))
}

fn ec_jwk(key: &Es256PrivateKey) -> Value {
    let sec1 = key.public_key().to_sec1_bytes();
    json!({"kty":"EC","crv":"P-256","x": b64(&sec1[1..33]),"y": b64(&sec1[33..])})
}

fn payload() -> Value {
    json!({"jti":"j","htm":"POST","htu": URI,"iat": NOW})
}

#[test]
fn every_check_refuses_with_its_own_error() {
    let key = Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap();
    let other = Es256PrivateKey::from_bytes(&[0x5C; 32]).unwrap();
    let header = json!({"typ":"dpop+jwt","alg":"ES256","jwk": ec_jwk(&key)});
    let request = Request::new("POST", URI);
    let refused = |proof: &str| check(proof, &request, &Policy::new(), NOW);
    assert!(refused(&raw_proof(&key, &header, &payload())).is_ok());

    let with = |change: &dyn Fn(&mut Value, &mut Value)| {
        let (mut h, mut p) = (header.clone(), payload());
        change(&mut h, &mut p);
        raw_proof(&key, &h, &p)
    };
    let cases: Vec<(&str, String, ProofError)> = vec![
        (
            "typ JWT",
            with(&|h, _| h["typ"] = json!("JWT")),
            ProofError::Header,
        ),
        (
            "no typ",
            with(&|h, _| {
                h.as_object_mut().unwrap().remove("typ");
            }),
            ProofError::Header,
        ),
        (
            "crit",
            with(&|h, _| h["crit"] = json!(["exp"])),
            ProofError::Header,
        ),
        (
            "alg none",
            with(&|h, _| h["alg"] = json!("none")),
            ProofError::Algorithm,
        ),
        (
            "alg HS256",
            with(&|h, _| h["alg"] = json!("HS256")),
            ProofError::Algorithm,
        ),
        (
            "no jwk",
            with(&|h, _| {
                h.as_object_mut().unwrap().remove("jwk");
            }),
            ProofError::Key,
        ),
        (
            "private key in the header",
            with(&|h, _| h["jwk"]["d"] = json!(b64(&[0x5A; 32]))),
            ProofError::Key,
        ),
        (
            "jwk of another alg",
            with(&|h, _| h["alg"] = json!("ES384")),
            ProofError::Key,
        ),
        (
            "jwk string",
            with(&|h, _| h["jwk"] = json!("key")),
            ProofError::Malformed,
        ),
        (
            "no jti",
            with(&|_, p| {
                p.as_object_mut().unwrap().remove("jti");
            }),
            ProofError::Claims,
        ),
        (
            "empty jti",
            with(&|_, p| p["jti"] = json!("")),
            ProofError::Claims,
        ),
        (
            "long jti",
            with(&|_, p| p["jti"] = json!("j".repeat(129))),
            ProofError::Claims,
        ),
        (
            "numeric htm",
            with(&|_, p| p["htm"] = json!(1)),
            ProofError::Claims,
        ),
        (
            "no htu",
            with(&|_, p| {
                p.as_object_mut().unwrap().remove("htu");
            }),
            ProofError::Claims,
        ),
        (
            "iat string",
            with(&|_, p| p["iat"] = json!("now")),
            ProofError::Claims,
        ),
        (
            "htm",
            with(&|_, p| p["htm"] = json!("GET")),
            ProofError::Method,
        ),
        (
            "htu",
            with(&|_, p| p["htu"] = json!("https://api.example/other")),
            ProofError::Uri,
        ),
        (
            "stale",
            with(&|_, p| p["iat"] = json!(NOW - 301)),
            ProofError::IssuedAt,
        ),
        (
            "future",
            with(&|_, p| p["iat"] = json!(NOW + 61)),
            ProofError::IssuedAt,
        ),
        (
            "future by a fraction",
            with(&|_, p| p["iat"] = json!(NOW as f64 + 60.5)),
            ProofError::IssuedAt,
        ),
        (
            "stale by a fraction",
            with(&|_, p| p["iat"] = json!(NOW as f64 - 300.5)),
            ProofError::IssuedAt,
        ),
        (
            "ath without a token",
            with(&|_, p| p["ath"] = json!("x")),
            ProofError::AccessTokenHash,
        ),
    ];
    for (what, proof, error) in cases {
        assert_eq!(refused(&proof), Err(Error::Dpop(error)), "{what}");
    }
    // Signed by another key than the header's.
    assert_eq!(
        refused(&raw_proof(&other, &header, &payload())),
        Err(Error::Dpop(ProofError::Signature))
    );
    // An HMAC proof with an `oct` key in its header.
    let hmac = Hs256Key::new(&[1; 32]).unwrap();
    let oct = json!({"typ":"dpop+jwt","alg":"HS256","jwk":{"kty":"oct","k": b64(&[1; 32])}});
    assert_eq!(
        refused(&raw_proof(&hmac, &oct, &payload())),
        Err(Error::Dpop(ProofError::Algorithm))
    );
    for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
        assert_eq!(
            refused(junk),
            Err(Error::Dpop(ProofError::Malformed)),
            "{junk:?}"
        );
    }
    let long = "a".repeat(dpop::MAX_PROOF_LEN + 1);
    assert_eq!(refused(&long), Err(Error::Dpop(ProofError::Malformed)));
}

/// The replay key joins the proof's key and `jti`: the same `jti` from two clients is two
/// keys, and the same proof always one.
#[test]
fn replay_keys_are_per_key_and_jti() {
    let request = Request::new("GET", URI);
    let key = |proof: &str| {
        let mut buf = [0u8; 1024];
        dpop::verify_proof(proof, &request, &Policy::new(), NOW, &mut buf)
            .unwrap()
            .replay_key()
    };
    let mut out = [0u8; 1024];
    let claims = ProofClaims::new("same-jti", "GET", URI, NOW);
    let a = dpop::make_proof(&Ed25519PrivateKey::from_bytes(&[1; 32]), &claims, &mut out)
        .unwrap()
        .to_string();
    let b = dpop::make_proof(&Ed25519PrivateKey::from_bytes(&[2; 32]), &claims, &mut out)
        .unwrap()
        .to_string();
    let other = ProofClaims::new("other-jti", "GET", URI, NOW);
    let c = dpop::make_proof(&Ed25519PrivateKey::from_bytes(&[1; 32]), &other, &mut out)
        .unwrap()
        .to_string();
    assert_eq!(key(&a), key(&a));
    assert_ne!(key(&a), key(&b));
    assert_ne!(key(&a), key(&c));
}

#[test]
fn an_escaped_htu_is_compared_unescaped() {
    let key = Es256PrivateKey::from_bytes(&[0x5A; 32]).unwrap();
    let header = json!({"typ":"dpop+jwt","alg":"ES256","jwk": ec_jwk(&key)});
    let header_b64 = b64(header.to_string().as_bytes());
    let payload =
        format!(r#"{{"jti":"j","htm":"POST","htu":"https:\/\/api.example\/orders","iat":{NOW}}}"#);
    let input = format!("{header_b64}.{}", b64(payload.as_bytes()));
    let mut sig = [0u8; 64];
    key.sign_signature(input.as_bytes(), &mut sig).unwrap();
    let proof = format!("{input}.{}", b64(&sig));
    assert!(check(&proof, &Request::new("POST", URI), &Policy::new(), NOW).is_ok());
}

#[test]
fn a_short_buffer_is_an_error_not_a_panic() {
    let key = Ed25519PrivateKey::from_bytes(&[0x5B; 32]);
    let mut out = [0u8; 1024];
    let proof = dpop::make_proof(&key, &ProofClaims::new("j", "GET", URI, NOW), &mut out).unwrap();
    for len in [0, 10, 50] {
        let mut buf = vec![0u8; len];
        let result = dpop::verify_proof(
            proof,
            &Request::new("GET", URI),
            &Policy::new(),
            NOW,
            &mut buf,
        );
        assert_eq!(result.map(|_| ()), Err(Error::BufferTooSmall), "{len}");
    }
    let mut small = [0u8; 64];
    assert_eq!(
        dpop::make_proof(&key, &ProofClaims::new("j", "GET", URI, NOW), &mut small).unwrap_err(),
        Error::BufferTooSmall
    );
}
