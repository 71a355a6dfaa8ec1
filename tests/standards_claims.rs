//! CONFORMANCE.md checklist V-C1..V-C13 (claims validation), end to end through `verify` with HS256
//! tokens whose payload bytes are exactly the JSON given.
#![cfg(feature = "hmac")]

mod common;

use common::{hs256, hs256_token};
use jwt_core::{Claim, Error, Validation};
use serde::Deserialize;

const HS: &str = r#"{"alg":"HS256"}"#;
const T: u64 = 1_700_000_000;

#[derive(Deserialize, Debug)]
struct Any {}

fn check(payload: &str, policy: &Validation, now: u64) -> Result<(), Error> {
    let token = hs256_token(HS, payload);
    let mut buf = vec![0u8; token.len()];
    jwt_core::verify::<Any, _>(&token, &hs256(), policy, now, &mut buf).map(|_| ())
}

fn strict() -> Validation<'static> {
    Validation::new().leeway(0)
}

#[test]
fn v_c1_claims_set_is_an_object_without_duplicates() {
    let p = strict();
    assert_eq!(
        check(r#"{"exp":1800000000,"exp":1}"#, &p, T),
        Err(Error::Json)
    );
    assert_eq!(
        check(r#"{"exp":1800000000,"e\u0078p":1}"#, &p, T),
        Err(Error::Json)
    );
    assert_eq!(
        check(r#"{"exp":1800000000,"x":1,"x":1}"#, &p, T),
        Err(Error::Json)
    );
    assert_eq!(check(r#"[{"exp":1800000000}]"#, &p, T), Err(Error::Json));
    assert_eq!(check(r#"{"exp":1800000000}"#, &p, T), Ok(()));
}

#[test]
fn v_c2_unknown_claims_are_ignored() {
    let payload = r#"{"exp":1800000000,"custom":{"deep":[1,{"x":null}]},"scope":"a b","n":-1.5e3}"#;
    assert_eq!(check(payload, &strict(), T), Ok(()));
}

#[test]
fn v_c3_exp_boundary_and_leeway() {
    let payload = format!(r#"{{"exp":{T}}}"#);
    assert_eq!(check(&payload, &strict(), T - 1), Ok(()));
    assert_eq!(check(&payload, &strict(), T), Err(Error::Expired));
    let lenient = Validation::new().leeway(30);
    assert_eq!(check(&payload, &lenient, T + 29), Ok(()));
    assert_eq!(check(&payload, &lenient, T + 30), Err(Error::Expired));
    assert_eq!(jwt_core::DEFAULT_LEEWAY, 60);
    assert_eq!(check(&payload, &Validation::new(), T + 59), Ok(()));
    assert_eq!(
        check(&payload, &Validation::new(), T + 60),
        Err(Error::Expired)
    );
    // Required by default.
    assert_eq!(
        check("{}", &strict(), T),
        Err(Error::MissingClaim(Claim::Exp))
    );
    assert_eq!(check("{}", &strict().allow_missing_exp(), T), Ok(()));
    // A leeway is clamped to MAX_LEEWAY (ten minutes): a huge one neither overflows nor
    // keeps an expired token alive.
    assert_eq!(jwt_core::MAX_LEEWAY, 600);
    let huge = Validation::new().leeway(u64::MAX);
    assert_eq!(check(&payload, &huge, T + 599), Ok(()));
    assert_eq!(check(&payload, &huge, T + 600), Err(Error::Expired));
    assert_eq!(check(&payload, &huge, u64::MAX - 1), Err(Error::Expired));
    assert_eq!(
        check(r#"{"exp":1}"#, &huge, 1_800_000_000),
        Err(Error::Expired)
    );
    // The largest NumericDate with the largest leeway: no arithmetic overflows.
    let last = r#"{"exp":9223372036854775807,"nbf":9223372036854775807}"#;
    assert_eq!(check(last, &huge, i64::MAX as u64 - 1), Ok(()));
    assert_eq!(check(last, &huge, u64::MAX), Err(Error::Expired));
    assert_eq!(check(last, &huge, 0), Err(Error::NotYetValid));
}

#[test]
fn v_c4_nbf_boundary_and_leeway() {
    let payload = format!(r#"{{"exp":{},"nbf":{T}}}"#, T + 1000);
    assert_eq!(check(&payload, &strict(), T), Ok(()));
    assert_eq!(check(&payload, &strict(), T - 1), Err(Error::NotYetValid));
    let lenient = Validation::new().leeway(30);
    assert_eq!(check(&payload, &lenient, T - 30), Ok(()));
    assert_eq!(check(&payload, &lenient, T - 31), Err(Error::NotYetValid));
}

#[test]
fn v_c5_numeric_dates_are_numbers_never_absent() {
    // Fractions are allowed and compared exactly against the integer clock.
    let payload = format!(r#"{{"exp":{T}.5,"nbf":{}.25}}"#, T - 10);
    assert_eq!(check(&payload, &strict(), T), Ok(()));
    assert_eq!(check(&payload, &strict(), T + 1), Err(Error::Expired));
    assert_eq!(check(&payload, &strict(), T - 10), Err(Error::NotYetValid));
    assert_eq!(check(&payload, &strict(), T - 9), Ok(()));
    // Every JSON spelling of a number is a NumericDate, compared exactly: exponents too.
    let exponent = |exp: &str| format!(r#"{{"exp":{exp}}}"#);
    let t = T.to_string();
    let (head, tail) = t.split_at(1);
    let scientific = format!("{head}.{tail}e{}", tail.len());
    assert_eq!(check(&exponent(&scientific), &strict(), T - 1), Ok(()));
    assert_eq!(
        check(&exponent(&scientific), &strict(), T),
        Err(Error::Expired)
    );
    let just_after = format!("{head}.{tail}1e{}", tail.len());
    assert_eq!(check(&exponent(&just_after), &strict(), T), Ok(()));
    assert_eq!(
        check(&exponent(&just_after), &strict(), T + 1),
        Err(Error::Expired)
    );
    // Wrong types and values are errors (CVE-2026-25537), for every date claim.
    for claim in [Claim::Exp, Claim::Nbf, Claim::Iat] {
        for value in [
            "\"1800000000\"",
            "null",
            "true",
            "[1800000000]",
            "{}",
            "-1",
            "-1.8e9",
            "1e999999999999",
            "9.3e18",
            "18446744073709551616",
            "9223372036854775808",
        ] {
            let payload = format!(r#"{{"exp":1800000000,"{}":{value}}}"#, claim.name());
            let payload = if claim == Claim::Exp {
                format!(r#"{{"exp":{value}}}"#)
            } else {
                payload
            };
            assert_eq!(
                check(&payload, &strict(), T),
                Err(Error::InvalidClaim(claim)),
                "{payload}"
            );
        }
    }
}

#[test]
fn v_c6_iat_not_in_the_future_and_max_age() {
    let payload = |iat: u64| format!(r#"{{"exp":{},"iat":{iat}}}"#, T + 1000);
    assert_eq!(check(&payload(T), &strict(), T), Ok(()));
    assert_eq!(
        check(&payload(T + 1), &strict(), T),
        Err(Error::InvalidIssuedAt)
    );
    assert_eq!(check(&payload(T + 60), &Validation::new(), T), Ok(()));
    assert_eq!(
        check(&payload(T + 61), &Validation::new(), T),
        Err(Error::InvalidIssuedAt)
    );
    let young = strict().max_age(300);
    assert_eq!(check(&payload(T - 300), &young, T), Ok(()));
    assert_eq!(
        check(&payload(T - 301), &young, T),
        Err(Error::InvalidIssuedAt)
    );
    let no_iat = format!(r#"{{"exp":{}}}"#, T + 1000);
    assert_eq!(
        check(&no_iat, &young, T),
        Err(Error::MissingClaim(Claim::Iat))
    );
}

#[test]
fn v_c7_iss_exact_case_sensitive_after_unescaping() {
    let p = strict().issuers(&["https://issuer.example", "https://other.example"]);
    let with = |iss: &str| format!(r#"{{"exp":1800000000,"iss":"{iss}"}}"#);
    assert_eq!(check(&with("https://issuer.example"), &p, T), Ok(()));
    assert_eq!(check(&with(r"https:\/\/issuer.example"), &p, T), Ok(()));
    assert_eq!(check(&with(r"\u0068ttps://other.example"), &p, T), Ok(()));
    // CVE-2024-53861: no substring or prefix matches; case matters.
    for bad in [
        "https://issuer.example.evil",
        "https://issuer.exampl",
        "HTTPS://issuer.example",
        "https://issuer.example/",
        "",
        "https://issuer.example\\u0000",
    ] {
        assert_eq!(check(&with(bad), &p, T), Err(Error::InvalidIssuer), "{bad}");
    }
    assert_eq!(
        check(r#"{"exp":1800000000}"#, &p, T),
        Err(Error::MissingClaim(Claim::Iss))
    );
    assert_eq!(
        check(r#"{"exp":1800000000,"iss":["a"]}"#, &p, T),
        Err(Error::InvalidClaim(Claim::Iss))
    );
    // Not configured: any issuer passes.
    assert_eq!(check(&with("anyone"), &strict(), T), Ok(()));
}

#[test]
fn v_c8_aud_string_or_array() {
    let p = strict().audiences(&["api", "https://api.example"]);
    let with = |aud: &str| format!(r#"{{"exp":1800000000,"aud":{aud}}}"#);
    assert_eq!(check(&with(r#""api""#), &p, T), Ok(()));
    assert_eq!(
        check(&with(r#"["web","https:\/\/api.example"]"#), &p, T),
        Ok(())
    );
    assert_eq!(
        check(&with(r#"["web","mobile"]"#), &p, T),
        Err(Error::InvalidAudience)
    );
    assert_eq!(check(&with(r#""API""#), &p, T), Err(Error::InvalidAudience));
    assert_eq!(
        check(&with("[]"), &p, T),
        Err(Error::InvalidClaim(Claim::Aud))
    );
    assert_eq!(
        check(&with(r#"["api",1]"#), &p, T),
        Err(Error::InvalidClaim(Claim::Aud))
    );
    assert_eq!(
        check(&with(r#"["api",["api"]]"#), &p, T),
        Err(Error::InvalidClaim(Claim::Aud))
    );
    assert_eq!(
        check(&with("null"), &p, T),
        Err(Error::InvalidClaim(Claim::Aud))
    );
    assert_eq!(
        check(r#"{"exp":1800000000}"#, &p, T),
        Err(Error::MissingClaim(Claim::Aud))
    );
    // Present but no audience configured: refused (RFC 7519 4.1.3).
    assert_eq!(
        check(&with(r#""api""#), &strict(), T),
        Err(Error::InvalidAudience)
    );
}

#[test]
fn v_c9_sub_exact() {
    let p = strict().subject("alice");
    assert_eq!(check(r#"{"exp":1800000000,"sub":"alice"}"#, &p, T), Ok(()));
    assert_eq!(
        check(r#"{"exp":1800000000,"sub":"Alice"}"#, &p, T),
        Err(Error::InvalidSubject)
    );
    assert_eq!(
        check(r#"{"exp":1800000000}"#, &p, T),
        Err(Error::MissingClaim(Claim::Sub))
    );
    assert_eq!(
        check(r#"{"exp":1800000000,"sub":7}"#, &strict(), T),
        Err(Error::InvalidClaim(Claim::Sub))
    );
}

#[test]
fn v_c10_required_claims_each_have_a_distinct_error() {
    for claim in [
        Claim::Nbf,
        Claim::Iat,
        Claim::Iss,
        Claim::Sub,
        Claim::Aud,
        Claim::Jti,
    ] {
        let p = strict().require(claim);
        assert_eq!(
            check(r#"{"exp":1800000000}"#, &p, T),
            Err(Error::MissingClaim(claim))
        );
    }
    let all = strict()
        .require(Claim::Jti)
        .require(Claim::Nbf)
        .require(Claim::Iss);
    let payload = r#"{"exp":1800000000,"jti":"x","nbf":1,"iss":"i"}"#;
    assert_eq!(check(payload, &all, T), Ok(()));
}

#[test]
fn v_c10_with_several_required_claims_missing_the_first_in_claim_order_is_reported() {
    // Every registered claim, in the order of `Claim`, with a value that passes validation.
    let members = [
        (Claim::Exp, r#""exp":1800000000"#),
        (Claim::Nbf, r#""nbf":1"#),
        (Claim::Iat, r#""iat":1"#),
        (Claim::Iss, r#""iss":"i""#),
        (Claim::Sub, r#""sub":"s""#),
        (Claim::Aud, r#""aud":"a""#),
        (Claim::Jti, r#""jti":"j""#),
        (Claim::ClientId, r#""client_id":"c""#),
        (Claim::Nonce, r#""nonce":"n""#),
        (Claim::Azp, r#""azp":"z""#),
        (Claim::AuthTime, r#""auth_time":1"#),
    ];
    let policy = members
        .iter()
        .fold(strict().audiences(&["a"]), |policy, &(claim, _)| {
            policy.require(claim)
        });
    // Every subset of the claims present, written in reverse order so that document order
    // cannot stand in for claim order.
    for present in 0u32..1 << members.len() {
        let written: Vec<&str> = members
            .iter()
            .enumerate()
            .rev()
            .filter(|&(i, _)| present & 1 << i != 0)
            .map(|(_, &(_, member))| member)
            .collect();
        let payload = format!("{{{}}}", written.join(","));
        let first_missing = members
            .iter()
            .enumerate()
            .find(|&(i, _)| present & 1 << i == 0)
            .map(|(_, &(claim, _))| claim);
        let expected = match first_missing {
            Some(claim) => Err(Error::MissingClaim(claim)),
            None => Ok(()),
        };
        assert_eq!(check(&payload, &policy, T), expected, "{payload}");
    }
}

#[test]
fn v_c11_jti_is_a_string() {
    let p = strict().require(Claim::Jti);
    assert_eq!(check(r#"{"exp":1800000000,"jti":"A1"}"#, &p, T), Ok(()));
    assert_eq!(
        check(r#"{"exp":1800000000,"jti":1}"#, &p, T),
        Err(Error::InvalidClaim(Claim::Jti))
    );
}

#[test]
fn v_c13_typ_rules_separate_token_kinds() {
    // An access token (typ at+jwt) is refused by a policy for plain JWTs that requires
    // typ JWT, and the other way round (RFC 8725 3.11-3.12).
    let access = hs256_token(r#"{"alg":"HS256","typ":"at+jwt"}"#, r#"{"exp":1800000000}"#);
    let plain = hs256_token(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"exp":1800000000}"#);
    let mut buf = [0u8; 256];
    let at = Validation::new().typ("at+jwt");
    let jwt = Validation::new().typ("JWT");
    let run = |t: &str, p: &Validation, buf: &mut [u8]| {
        jwt_core::verify::<Any, _>(t, &hs256(), p, T, buf).map(|_| ())
    };
    assert_eq!(run(&access, &at, &mut buf), Ok(()));
    assert_eq!(run(&plain, &jwt, &mut buf), Ok(()));
    assert_eq!(run(&access, &jwt, &mut buf), Err(Error::InvalidType));
    assert_eq!(run(&plain, &at, &mut buf), Err(Error::InvalidType));
}

#[test]
fn typed_custom_claims_borrow_from_the_buffer() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Access<'a> {
        sub: &'a str,
        exp: u64,
        scope: &'a str,
        roles: heapless::Vec<&'a str, 4>,
        admin: Option<bool>,
    }
    let token = hs256_token(
        HS,
        r#"{"sub":"alice","exp":1800000000,"scope":"read write","roles":["a","b"],"other":{"x":[1]}}"#,
    );
    let mut buf = [0u8; 256];
    let claims: Access = jwt_core::verify(&token, &hs256(), &strict(), T, &mut buf).unwrap();
    assert_eq!(claims.sub, "alice");
    assert_eq!(claims.scope, "read write");
    assert_eq!(claims.roles.as_slice(), ["a", "b"]);
    assert_eq!(claims.admin, None);
    // A claims type that does not match the payload is a typed error.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        scope: u32,
    }
    let mut buf = [0u8; 256];
    let err = jwt_core::verify::<Wrong, _>(&token, &hs256(), &strict(), T, &mut buf).unwrap_err();
    assert_eq!(err, Error::ClaimsTypeMismatch);
}

/// RFC 9449 section 7.1, RFC 8705 section 3: a token bound to a key (`cnf`, RFC 7800) is
/// never accepted as a bearer token, in any spelling, through every front door; it is
/// accepted once the caller proved possession of the key it names.
#[test]
fn sender_constrained_tokens_are_never_bearer_tokens() {
    use jwt_core::Confirmation;
    use jwt_core::bearer::BearerError;
    const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const X5T: &str = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
    let access = r#""iss":"https://idp","aud":"api","sub":"alice","client_id":"c","jti":"j","iat":1700000000,"exp":1800000000"#;
    let bound = [
        format!(r#"{{{access},"cnf":{{"jkt":"{JKT}"}}}}"#),
        format!(r#"{{{access},"cnf":{{"x5t#S256":"{X5T}"}}}}"#),
        format!(r#"{{"cnf":{{"jwk":{{"kty":"EC"}}}},{access}}}"#),
        format!(r#"{{{access},"c\u006ef":{{"jkt":"{JKT}"}}}}"#),
        format!(r#"{{{access},"cnf":{{}}}}"#),
    ];
    let plain = Validation::new().leeway(0).audiences(&["api"]);
    let profile = Validation::access_token(&["https://idp"], &["api"]);
    let set = jwt_core::JwkSet::<1>::parse(
        br#"{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#,
    )
    .unwrap();
    for payload in &bound {
        assert_eq!(
            check(payload, &plain, T),
            Err(Error::SenderConstrained),
            "{payload}"
        );
        let token = hs256_token(r#"{"alg":"HS256","typ":"at+jwt"}"#, payload);
        let mut buf = vec![0u8; token.len()];
        let claims = jwt_core::verify_claims(&token, &hs256(), &profile, T, &mut buf);
        assert_eq!(claims.unwrap_err(), Error::SenderConstrained, "{payload}");
        let chosen = set.verify::<Any>(&token, &profile, T, &mut buf);
        assert_eq!(chosen.unwrap_err(), Error::SenderConstrained, "{payload}");
        let refusal = BearerError::from(Error::SenderConstrained);
        assert_eq!(
            (refusal.status(), refusal.code()),
            (401, Some("invalid_token"))
        );
    }
    // `cnf` must be an object (RFC 7800 section 3.1).
    let not_object = format!(r#"{{{access},"cnf":"{JKT}"}}"#);
    assert_eq!(
        check(&not_object, &plain, T),
        Err(Error::InvalidClaim(Claim::Cnf))
    );

    // With the proof of possession, the token it names is accepted, and only that one.
    let dpop = plain.confirmed(Confirmation::JwkThumbprint(JKT));
    let mtls = plain.confirmed(Confirmation::CertificateThumbprint(X5T));
    assert_eq!(check(&bound[0], &dpop, T), Ok(()));
    assert_eq!(check(&bound[3], &dpop, T), Ok(()));
    assert_eq!(check(&bound[1], &mtls, T), Ok(()));
    for (payload, policy) in [
        (&bound[1], &dpop),
        (&bound[0], &mtls),
        (&bound[2], &dpop),
        (&bound[4], &dpop),
    ] {
        assert_eq!(
            check(payload, policy, T),
            Err(Error::SenderConstrained),
            "{payload}"
        );
    }
    // A bearer token presented with a proof is refused: the proof binds nothing.
    let bearer = format!("{{{access}}}");
    assert_eq!(check(&bearer, &plain, T), Ok(()));
    assert_eq!(
        check(&bearer, &dpop, T),
        Err(Error::MissingClaim(Claim::Cnf))
    );
}
