//! CONFORMANCE.md checklist V-P1..V-P12 (compact parsing) and V-A1..V-A4 (algorithm policy), one test
//! or more per item, named by ID. Tokens are built with the raw primitives (tests/common) so
//! every malformed shape can carry a valid signature where that matters.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa"))]

mod common;

use base64ct::Encoding;
use common::{CLAIMS, NOW, b64, hs256, hs256_token, signing_input};
use jwt_core::{Error, Hs256Key, Validation, VerifyingKey};
use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Claims<'a> {
    sub: &'a str,
    exp: u64,
}

fn verify(token: &str, key: &impl VerifyingKey) -> Result<(), Error> {
    verify_with(token, key, &Validation::new())
}

fn verify_with(token: &str, key: &impl VerifyingKey, policy: &Validation) -> Result<(), Error> {
    let mut buf = vec![0u8; token.len() + 16];
    jwt_core::verify::<Claims, _>(token, key, policy, NOW, &mut buf).map(|_| ())
}

const HS: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[test]
fn baseline_token_verifies() {
    assert_eq!(verify(&hs256_token(HS, CLAIMS), &hs256()), Ok(()));
}

#[test]
fn v_p1_exactly_three_segments() {
    let good = hs256_token(HS, CLAIMS);
    let parts: Vec<&str> = good.split('.').collect();
    for bad in [
        parts[0].to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.{}", parts[2]),
        format!("{good}.x.y"),
        format!("{good}."),
        ".".repeat(4),
        String::new(),
    ] {
        assert_eq!(verify(&bad, &hs256()), Err(Error::Malformed), "{bad}");
        let mut buf = [0u8; 256];
        assert_eq!(
            jwt_core::decode_header(&bad, &mut buf).unwrap_err(),
            Error::Malformed
        );
    }
}

#[test]
fn v_p2_canonical_unpadded_base64url_only() {
    let good = hs256_token(HS, CLAIMS);
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    // Each mutated header or payload segment is re-signed, so the signature is valid over
    // the received bytes and the base64 rule is what refuses it.
    let signed = |h: &str, p: &str| {
        let input = format!("{h}.{p}");
        format!("{input}.{}", b64(&common::hmac_tag(input.as_bytes())))
    };
    for mutated in [
        signed(&format!("{h}="), p),
        signed(&format!("{}+{}", &h[..4], &h[5..]), p),
        signed(&format!("{}/{}", &h[..4], &h[5..]), p),
        signed(&format!(" {h}"), p),
        signed(h, &format!("{p}\n")),
        signed(h, &format!("{p}==")),
        signed(h, &format!("{} {}", &p[..8], &p[8..])),
    ] {
        assert_eq!(verify(&mutated, &hs256()), Err(Error::Base64), "{mutated}");
    }
    for mutated in [format!("{h}.{p}.{s}="), format!("{h}.{p}.{}+", &s[..42])] {
        assert_eq!(
            verify(&mutated, &hs256()),
            Err(Error::InvalidSignature),
            "{mutated}"
        );
    }
    // Non-canonical trailing bits: flipping an unused low bit of the last character keeps
    // the decoded bytes but is not the canonical encoding.
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bend = |text: &str| {
        let last = ALPHABET.find(text.chars().last().unwrap()).unwrap();
        format!(
            "{}{}",
            &text[..text.len() - 1],
            &ALPHABET[(last ^ 1)..=(last ^ 1)]
        )
    };
    let header = b64(br#"{"alg":"HS256","kid":"k1"}"#);
    assert_ne!(
        header.len() % 4,
        0,
        "the header must end in a partial group"
    );
    let bent = bend(&header);
    let mut decoded = [0u8; 64];
    assert!(base64ct::Base64UrlUnpadded::decode(&bent, &mut decoded).is_err());
    assert_eq!(verify(&signed(&bent, p), &hs256()), Err(Error::Base64));
    // The same for the signature: a 32-byte tag leaves 2 unused bits in its last character.
    let bent_sig = bend(s);
    assert_eq!(
        verify(&format!("{h}.{p}.{bent_sig}"), &hs256()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn v_p3_header_and_payload_are_complete_utf8_json_objects() {
    for header in [
        r#"["alg","HS256"]"#,
        r#""HS256""#,
        r#"{"alg":"HS256"} x"#,
        r#"{"alg":"HS256"}{}"#,
        r#"{"alg":"HS256""#,
        r#"{"alg":"HS256",}"#,
        "{\"alg\":\"HS256\",\"x\":\"\u{1}\"}",
    ] {
        assert_eq!(
            verify(&hs256_token(header, CLAIMS), &hs256()),
            Err(Error::Json),
            "{header}"
        );
    }
    // Invalid UTF-8 in the header.
    let input = format!(
        "{}.{}",
        b64(b"{\"alg\":\"HS256\",\"x\":\"\xff\"}"),
        b64(CLAIMS.as_bytes())
    );
    let token = format!("{input}.{}", b64(&common::hmac_tag(input.as_bytes())));
    assert_eq!(verify(&token, &hs256()), Err(Error::Json));
    // The same rules for the payload, checked after the signature.
    for payload in [
        r#"["sub"]"#,
        r#"{"sub":"alice","exp":1900000000} trailing"#,
        "not json",
    ] {
        assert_eq!(
            verify(&hs256_token(HS, payload), &hs256()),
            Err(Error::Json),
            "{payload}"
        );
    }
    let input = format!(
        "{}.{}",
        b64(HS.as_bytes()),
        b64(b"{\"sub\":\"\xc3\",\"exp\":1}")
    );
    let token = format!("{input}.{}", b64(&common::hmac_tag(input.as_bytes())));
    assert_eq!(verify(&token, &hs256()), Err(Error::Json));
}

#[test]
fn v_p4_duplicate_header_members_are_refused() {
    for header in [
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","x":1,"x":2}"#,
        r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
    ] {
        assert_eq!(
            verify(&hs256_token(header, CLAIMS), &hs256()),
            Err(Error::Json),
            "{header}"
        );
    }
}

#[test]
fn v_p5_alg_is_required_a_string_and_known() {
    for header in [
        r#"{"typ":"JWT"}"#,
        r#"{"alg":256}"#,
        r#"{"alg":null}"#,
        r#"{"alg":["HS256"]}"#,
    ] {
        assert_eq!(
            verify(&hs256_token(header, CLAIMS), &hs256()),
            Err(Error::InvalidHeader),
            "{header}"
        );
    }
    // A known algorithm other than the key's is a mismatch, never tried with the key.
    for alg in [
        "HS384", "HS512", "RS384", "PS256", "ES384", "ES512", "ES256K", "EdDSA",
    ] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            verify(&hs256_token(&header, CLAIMS), &hs256()),
            Err(Error::AlgorithmMismatch),
            "{alg}"
        );
    }
    for alg in [
        "hs256", "HS256 ", "eddsa", "Ed25519", "ES256k", "PS256K", "HS1", "",
    ] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            verify(&hs256_token(&header, CLAIMS), &hs256()),
            Err(Error::UnsupportedAlgorithm),
            "{alg}"
        );
    }
    // An escaped spelling of a supported name is that name (strings compare unescaped).
    assert_eq!(
        verify(
            &hs256_token(r#"{"alg":"HS\u0032\u00356"}"#, CLAIMS),
            &hs256()
        ),
        Ok(())
    );
}

#[test]
fn v_p6_crit_is_refused() {
    for header in [
        // RFC 7515 Appendix E.
        r#"{"alg":"HS256","crit":["http://example.invalid/UNDEFINED"],"http://example.invalid/UNDEFINED":true}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":"b64","b64":false}"#,
        r#"{"alg":"HS256","crit":null}"#,
    ] {
        assert_eq!(
            verify(&hs256_token(header, CLAIMS), &hs256()),
            Err(Error::UnsupportedHeader),
            "{header}"
        );
    }
}

#[test]
fn v_p7_unknown_header_parameters_are_ignored() {
    let header = r#"{"alg":"HS256","x-custom":{"nested":[1,2,{"a":null}]},"zip":"DEF","b64":true}"#;
    assert_eq!(verify(&hs256_token(header, CLAIMS), &hs256()), Ok(()));
}

#[test]
fn v_p8_keys_embedded_in_the_header_are_never_trusted() {
    // The attacker signs with their own secret and ships it as an embedded JWK (CVE-2018-0114).
    let attacker_secret = [0x41u8; 32];
    let header = format!(
        r#"{{"alg":"HS256","jwk":{{"kty":"oct","k":"{}"}},"jku":"https://attacker.example/jwks","x5u":"https://attacker.example/c","x5c":["MIIB"]}}"#,
        b64(&attacker_secret)
    );
    let attacker = Hs256Key::new(&attacker_secret).unwrap();
    let input = signing_input(&header, CLAIMS);
    let token = {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&attacker_secret).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64(&mac.finalize().into_bytes()))
    };
    assert_eq!(
        verify(&token, &attacker),
        Ok(()),
        "sanity: the token is well formed"
    );
    assert_eq!(verify(&token, &hs256()), Err(Error::InvalidSignature));
}

#[test]
fn v_p9_typ_compares_case_insensitively_with_optional_prefix() {
    let policy = Validation::new().typ("at+jwt");
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
        "at\\u002bjwt",
    ] {
        let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
        assert_eq!(
            verify_with(&hs256_token(&header, CLAIMS), &hs256(), &policy),
            Ok(()),
            "{typ}"
        );
    }
    let prefixed = Validation::new().typ("application/at+jwt");
    let header = r#"{"alg":"HS256","typ":"at+jwt"}"#;
    assert_eq!(
        verify_with(&hs256_token(header, CLAIMS), &hs256(), &prefixed),
        Ok(())
    );
    for typ in [
        "JWT",
        "at+jwt2",
        "application/",
        "applicationat+jwt",
        "xapplication/at+jwt",
    ] {
        let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
        assert_eq!(
            verify_with(&hs256_token(&header, CLAIMS), &hs256(), &policy),
            Err(Error::InvalidType),
            "{typ}"
        );
    }
    assert_eq!(
        verify_with(
            &hs256_token(r#"{"alg":"HS256"}"#, CLAIMS),
            &hs256(),
            &policy
        ),
        Err(Error::MissingClaim(jwt_core::Claim::Typ))
    );
    // Requiring the claim without naming a type only requires presence.
    let present = Validation::new().require(jwt_core::Claim::Typ);
    let untyped = hs256_token(r#"{"alg":"HS256"}"#, CLAIMS);
    let typed = hs256_token(r#"{"alg":"HS256","typ":"anything"}"#, CLAIMS);
    assert_eq!(verify_with(&typed, &hs256(), &present), Ok(()));
    assert_eq!(
        verify_with(&untyped, &hs256(), &present),
        Err(Error::MissingClaim(jwt_core::Claim::Typ))
    );
    // typ must be a string.
    assert_eq!(
        verify(&hs256_token(r#"{"alg":"HS256","typ":1}"#, CLAIMS), &hs256()),
        Err(Error::InvalidHeader)
    );
}

#[test]
fn v_p10_signature_covers_the_received_bytes() {
    // Unusual but valid JSON is verified as received, never re-serialized.
    let header = "{ \"typ\" :\r\n \"JWT\" , \"alg\":\"HS256\" }";
    let token = hs256_token(header, CLAIMS);
    assert_eq!(verify(&token, &hs256()), Ok(()));
    // The same header re-serialized canonically does not carry over the signature.
    let sig = token.rsplit('.').next().unwrap();
    let reencoded = format!(
        "{}.{sig}",
        signing_input(r#"{"typ":"JWT","alg":"HS256"}"#, CLAIMS)
    );
    assert_eq!(verify(&reencoded, &hs256()), Err(Error::InvalidSignature));
}

#[test]
fn v_p11_kid_is_opaque_and_case_sensitive() {
    let token = hs256_token(r#"{"alg":"HS256","kid":"Key-1\/A"}"#, CLAIMS);
    let mut buf = [0u8; 128];
    let header = jwt_core::decode_header(&token, &mut buf).unwrap();
    let kid = header.kid.unwrap();
    assert!(kid == "Key-1/A");
    assert!(kid != "key-1/a");
    assert_eq!(kid.raw(), r"Key-1\/A");
    assert_eq!(
        verify(&hs256_token(r#"{"alg":"HS256","kid":7}"#, CLAIMS), &hs256()),
        Err(Error::InvalidHeader)
    );
}

#[test]
fn v_p12_token_length_is_bounded_before_decoding() {
    let long_claims = format!(
        r#"{{"sub":"alice","exp":1900000000,"pad":"{}"}}"#,
        "x".repeat(20_000)
    );
    let token = hs256_token(HS, &long_claims);
    assert!(token.len() > jwt_core::DEFAULT_MAX_TOKEN_LEN);
    assert_eq!(verify(&token, &hs256()), Err(Error::TokenTooLong));
    let roomy = Validation::new().max_token_len(64 * 1024);
    assert_eq!(verify_with(&token, &hs256(), &roomy), Ok(()));
    let tight = Validation::new().max_token_len(50);
    assert_eq!(
        verify_with(&hs256_token(HS, CLAIMS), &hs256(), &tight),
        Err(Error::TokenTooLong)
    );
    // The hard cap applies to every entry point, whatever the policy says.
    let huge = "a".repeat(jwt_core::MAX_TOKEN_LEN + 1);
    let unlimited = Validation::new().max_token_len(usize::MAX);
    assert_eq!(
        verify_with(&huge, &hs256(), &unlimited),
        Err(Error::TokenTooLong)
    );
    let mut buf = [0u8; 16];
    assert_eq!(
        jwt_core::decode_header(&huge, &mut buf).unwrap_err(),
        Error::TokenTooLong
    );
    assert_eq!(
        jwt_core::verify_jws(&huge, &hs256(), &mut buf).unwrap_err(),
        Error::TokenTooLong
    );
}

#[test]
fn v_a1_the_key_decides_the_algorithm() {
    let (es_private, es_public) = common::es256();
    let (_, rs_public) = common::rs256();
    let hs_token = hs256_token(HS, CLAIMS);
    assert_eq!(verify(&hs_token, &es_public), Err(Error::AlgorithmMismatch));
    assert_eq!(verify(&hs_token, &rs_public), Err(Error::AlgorithmMismatch));
    let es_token =
        jwt_core::sign_to_string(&es_private, &Default::default(), &SIGN_CLAIMS).unwrap();
    assert_eq!(verify(&es_token, &es_public), Ok(()));
    assert_eq!(verify(&es_token, &hs256()), Err(Error::AlgorithmMismatch));
    assert_eq!(verify(&es_token, &rs_public), Err(Error::AlgorithmMismatch));
}

#[derive(serde::Serialize)]
struct SignClaims {
    sub: &'static str,
    exp: u64,
}

const SIGN_CLAIMS: SignClaims = SignClaims {
    sub: "alice",
    exp: 1_900_000_000,
};

#[test]
fn v_a2_public_key_bytes_used_as_hmac_secret_are_refused() {
    // CVE-2015-9235: sign HS256 with the RSA public key's bytes as the secret, hoping the
    // verifier feeds the same bytes to HMAC. An RS256 key only verifies RS256.
    let spki = common::data("keys/rsa2048.pub.spki.der");
    let forged = {
        use hmac::{KeyInit, Mac};
        let input = signing_input(HS, CLAIMS);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&spki).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64(&mac.finalize().into_bytes()))
    };
    let (_, rs_public) = common::rs256();
    assert_eq!(verify(&forged, &rs_public), Err(Error::AlgorithmMismatch));
    // The same with the EC public key.
    let sec1 = common::data("keys/p256.pub.sec1");
    let forged = {
        use hmac::{KeyInit, Mac};
        let input = signing_input(HS, CLAIMS);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&sec1).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64(&mac.finalize().into_bytes()))
    };
    assert_eq!(
        verify(&forged, &common::es256().1),
        Err(Error::AlgorithmMismatch)
    );
}

#[test]
fn v_a3_none_is_never_accepted() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let input = signing_input(&format!(r#"{{"alg":"{alg}"}}"#), CLAIMS);
        for sig in ["", "c2ln", "AAAA"] {
            let token = format!("{input}.{sig}");
            assert_eq!(
                verify(&token, &hs256()),
                Err(Error::UnsupportedAlgorithm),
                "{token}"
            );
            assert_eq!(
                verify(&token, &common::es256().1),
                Err(Error::UnsupportedAlgorithm)
            );
            assert_eq!(
                verify(&token, &common::rs256().1),
                Err(Error::UnsupportedAlgorithm)
            );
            let mut buf = [0u8; 64];
            assert_eq!(
                jwt_core::decode_header(&token, &mut buf).unwrap_err(),
                Error::UnsupportedAlgorithm
            );
        }
    }
    assert_eq!(jwt_core::Algorithm::from_name("none"), None);
}

#[test]
fn v_a4_nested_jwts_are_refused_and_any_failure_rejects() {
    for cty in ["JWT", "jwt", "application/JWT"] {
        let header = format!(r#"{{"alg":"HS256","cty":"{cty}"}}"#);
        assert_eq!(
            verify(&hs256_token(&header, CLAIMS), &hs256()),
            Err(Error::UnsupportedHeader),
            "{cty}"
        );
    }
    // Other content types are not nesting.
    let header = r#"{"alg":"HS256","cty":"json"}"#;
    assert_eq!(verify(&hs256_token(header, CLAIMS), &hs256()), Ok(()));
    // A valid signature with invalid claims still rejects the whole token.
    let expired = hs256_token(HS, r#"{"sub":"alice","exp":1}"#);
    assert_eq!(verify(&expired, &hs256()), Err(Error::Expired));
}
