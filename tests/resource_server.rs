//! Resource-server helpers: RFC 6750 bearer tokens (checklist V-B1, V-B3, V-AT7) and OAuth 2.0
//! scopes (V-AT6), through the public API.

mod common;

use jwt_core::bearer::{BearerError, token_from_authorization};
use jwt_core::scope::Scopes;

#[test]
fn v_b1_bearer_scheme_any_case_one_or_more_spaces() {
    for (header, token) in [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc.def.ghi", "abc.def.ghi"),
        ("BEARER   abc.def.ghi", "abc.def.ghi"),
        ("  Bearer abc\t", "abc"),
        ("Bearer mF_9.B5f-4.1JqM", "mF_9.B5f-4.1JqM"),
        ("Bearer a~b+c/d==", "a~b+c/d=="),
    ] {
        assert_eq!(
            token_from_authorization(Some(header)),
            Ok(token),
            "{header:?}"
        );
    }
}

#[test]
fn v_b1_malformed_bearer_values_are_invalid_request() {
    for header in [
        "Bearer",
        "Bearer ",
        "Bearer   ",
        "Bearer ==",
        "Bearer a.b.c junk",
        "Bearer a=b",
        "Bearer a,b",
        "Bearer \"a.b.c\"",
        "Bearer a.b.c\r\nX-Evil: 1",
        "Bearer é",
    ] {
        assert_eq!(
            token_from_authorization(Some(header)),
            Err(BearerError::InvalidRequest),
            "{header:?}"
        );
    }
}

#[test]
fn v_b1_every_character_is_classed_as_the_b64token_grammar_says() {
    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    for c in (0u8..128)
        .map(char::from)
        .chain(['é', '\u{2028}', '\u{FF0E}'])
    {
        let allowed = c.is_ascii_alphanumeric() || "-._~+/".contains(c);
        let header = format!("Bearer a{c}b");
        let expected = if allowed {
            Ok(&header[7..])
        } else {
            Err(BearerError::InvalidRequest)
        };
        // A space or tab ends the token: what follows is junk, so those are malformed too.
        assert_eq!(token_from_authorization(Some(&header)), expected, "{c:?}");
    }
}

#[test]
fn v_b3_no_credentials_without_header_or_with_another_scheme() {
    for header in [
        None,
        Some(""),
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearerx a"),
        Some("Bearer\ta"),
    ] {
        let refused = token_from_authorization(header).unwrap_err();
        assert_eq!(refused, BearerError::NoCredentials, "{header:?}");
        assert_eq!((refused.status(), refused.code()), (401, None));
        let mut out = [0u8; 64];
        assert_eq!(
            refused.challenge(Some("api"), None, &mut out),
            Ok(r#"Bearer realm="api""#)
        );
        assert_eq!(refused.challenge(None, None, &mut out), Ok("Bearer"));
    }
}

#[test]
fn v_b3_statuses_codes_and_challenges() {
    let mut out = [0u8; 128];
    let cases = [
        (
            BearerError::InvalidRequest,
            400,
            r#"Bearer realm="api", error="invalid_request""#,
        ),
        (
            BearerError::InvalidToken,
            401,
            r#"Bearer realm="api", error="invalid_token""#,
        ),
        (
            BearerError::InsufficientScope,
            403,
            r#"Bearer realm="api", error="insufficient_scope", scope="orders:write""#,
        ),
    ];
    for (error, status, challenge) in cases {
        assert_eq!(error.status(), status);
        let scope = (error == BearerError::InsufficientScope).then_some("orders:write");
        assert_eq!(error.challenge(Some("api"), scope, &mut out), Ok(challenge));
    }
}

#[test]
fn v_b3_challenge_attributes_cannot_break_the_header() {
    let mut out = [0u8; 128];
    let value = BearerError::InvalidToken
        .challenge(
            Some("a\"b\\c\r\nSet-Cookie: x"),
            Some("read\u{7f} é write"),
            &mut out,
        )
        .unwrap();
    assert_eq!(
        value,
        r#"Bearer realm="abcSet-Cookie: x", error="invalid_token", scope="read  write""#
    );
    assert!(!value.bytes().any(|b| b.is_ascii_control()));
}

#[test]
fn challenge_refuses_a_buffer_too_small() {
    let mut out = [0u8; 20];
    assert_eq!(
        BearerError::InvalidToken.challenge(Some("api"), None, &mut out),
        Err(jwt_core::Error::BufferTooSmall)
    );
}

#[cfg(feature = "hmac")]
#[test]
fn v_at7_every_verification_failure_is_invalid_token() {
    use jwt_core::{HeaderFields, Hs256Key, Validation};
    #[derive(serde::Serialize, serde::Deserialize, Debug)]
    struct Claims<'a> {
        sub: &'a str,
        exp: u64,
        scope: &'a str,
    }
    let key = Hs256Key::new(b"0123456789abcdef0123456789abcdef").unwrap();
    let mut token_buf = [0u8; 256];
    let claims = Claims {
        sub: "alice",
        exp: 1_900_000_000,
        scope: "orders:read",
    };
    let token = jwt_core::sign(&key, &HeaderFields::new(), &claims, &mut token_buf).unwrap();
    let header = format!("Bearer {token}");
    let token = token_from_authorization(Some(&header)).unwrap();
    let mut buf = [0u8; 256];
    let policy = Validation::new();

    let ok: Claims = jwt_core::verify(token, &key, &policy, 1_800_000_000, &mut buf).unwrap();
    assert!(Scopes::Delimited(ok.scope).contains("orders:read"));
    let needed = ["orders:write"];
    assert!(!Scopes::Delimited(ok.scope).contains_all(&needed));

    let expired = jwt_core::verify::<Claims, _>(token, &key, &policy, 1_950_000_000, &mut buf);
    assert_eq!(
        BearerError::from(expired.unwrap_err()),
        BearerError::InvalidToken
    );
    let tampered = token.replace(".ey", ".ex");
    let bad = jwt_core::verify::<Claims, _>(&tampered, &key, &policy, 1_800_000_000, &mut buf);
    assert_eq!(BearerError::from(bad.unwrap_err()).status(), 401);
}

#[test]
fn v_at6_scopes_compare_exactly_in_both_forms() {
    let delimited = Scopes::Delimited("openid  orders:read orders:write ");
    let list = Scopes::List(&["openid", "orders:read", "orders:write"]);
    for granted in [delimited, list] {
        assert!(granted.iter().eq(["openid", "orders:read", "orders:write"]));
        assert!(granted.contains("orders:read"));
        for absent in [
            "",
            "orders",
            "ORDERS:READ",
            "orders:read ",
            "orders:*",
            "openid orders:read",
        ] {
            assert!(!granted.contains(absent), "{absent:?}");
        }
        assert!(granted.contains_all(&[]));
        assert!(granted.contains_all(&["orders:write", "openid"]));
        assert!(!granted.contains_all(&["orders:write", "admin"]));
        assert!(!granted.contains_any(&[]));
        assert!(granted.contains_any(&["admin", "openid"]));
        assert!(!granted.contains_any(&["admin", "root"]));
    }
    assert!(!Scopes::Delimited("").contains_any(&["", " "]));
}

#[cfg(feature = "hmac")]
mod access_token_profile {
    //! RFC 9068 (checklist V-AT1..V-AT6) through `Validation::access_token`.
    use jwt_core::{Claim, Error, Validation};

    use crate::common::{self, NOW, hs256, hs256_token};

    const ISSUER: &str = "https://idp.example/realms/main";
    const AUDIENCE: &str = "https://api.example";
    static PROFILE: Validation = Validation::access_token(&[ISSUER], &[AUDIENCE]);

    #[derive(serde::Deserialize, Debug)]
    struct Access<'a> {
        sub: &'a str,
        client_id: &'a str,
        scope: &'a str,
    }

    /// A complete RFC 9068 claims set, with `edit` applied to its JSON text.
    fn claims(edit: impl Fn(&str) -> String) -> String {
        edit(&format!(
            r#"{{"iss":"{ISSUER}","aud":["{AUDIENCE}","https://other.example"],"sub":"u1",
                "client_id":"gateway","jti":"j-1","iat":{iat},"exp":{exp},
                "scope":"orders:read"}}"#,
            iat = NOW - 10,
            exp = NOW + 300
        ))
    }

    fn verify(header: &str, payload: &str) -> Result<(), Error> {
        let token = hs256_token(header, payload);
        let mut buf = [0u8; 1024];
        let access: Access = jwt_core::verify(&token, &hs256(), &PROFILE, NOW, &mut buf)?;
        assert_eq!(
            (access.sub, access.client_id, access.scope),
            ("u1", "gateway", "orders:read")
        );
        Ok(())
    }

    const AT_JWT: &str = r#"{"alg":"HS256","typ":"at+jwt","kid":"k1"}"#;

    #[test]
    fn a_complete_access_token_verifies() {
        assert_eq!(verify(AT_JWT, &claims(str::to_string)), Ok(()));
    }

    #[test]
    fn v_at1_typ_at_jwt_in_any_case_with_or_without_prefix_and_nothing_else() {
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/At+Jwt",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert_eq!(verify(&header, &claims(str::to_string)), Ok(()), "{typ}");
        }
        for typ in [
            "JWT",
            "jwt",
            "at+jwt ",
            "application/jwt",
            "at%2Bjwt",
            "x/at+jwt",
            "",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert_eq!(
                verify(&header, &claims(str::to_string)),
                Err(Error::InvalidType),
                "{typ}"
            );
        }
        assert_eq!(
            verify(r#"{"alg":"HS256"}"#, &claims(str::to_string)),
            Err(Error::MissingClaim(Claim::Typ))
        );
    }

    #[test]
    fn v_at2_iss_exact_match() {
        for iss in [
            "https://idp.example/realms/main/",
            "https://IDP.example/realms/main",
            "x",
        ] {
            let payload = claims(|c| c.replace(ISSUER, iss));
            assert_eq!(verify(AT_JWT, &payload), Err(Error::InvalidIssuer), "{iss}");
        }
    }

    #[test]
    fn v_at3_aud_must_contain_this_resource() {
        let payload = claims(|c| c.replace(AUDIENCE, "https://api.example/"));
        assert_eq!(verify(AT_JWT, &payload), Err(Error::InvalidAudience));
        let single = claims(|c| c.replace(r#","https://other.example"]"#, "]"));
        assert_eq!(verify(AT_JWT, &single), Ok(()));
    }

    #[test]
    fn v_at4_none_and_other_algorithms_are_refused() {
        let payload = claims(str::to_string);
        let none = format!(
            "{}.{}.",
            common::b64(br#"{"alg":"none","typ":"at+jwt"}"#),
            common::b64(payload.as_bytes())
        );
        let mut buf = [0u8; 1024];
        let refused = jwt_core::verify::<Access, _>(&none, &hs256(), &PROFILE, NOW, &mut buf);
        assert_eq!(refused.unwrap_err(), Error::UnsupportedAlgorithm);
    }

    #[test]
    fn v_at5_expired_access_tokens_are_refused() {
        let payload = claims(|c| c.replace(&(NOW + 300).to_string(), &(NOW - 61).to_string()));
        assert_eq!(verify(AT_JWT, &payload), Err(Error::Expired));
    }

    #[test]
    fn v_at6_every_required_claim_must_be_present_and_typed() {
        let members = [
            (r#""sub":"u1","#, Claim::Sub),
            (r#""client_id":"gateway","#, Claim::ClientId),
            (r#""jti":"j-1","#, Claim::Jti),
            (&format!(r#""iat":{},"#, NOW - 10), Claim::Iat),
            (&format!(r#""iss":"{ISSUER}","#), Claim::Iss),
        ];
        for (member, claim) in members {
            let payload = claims(|c| c.replace(member, ""));
            assert_ne!(payload, claims(str::to_string), "{member} not found");
            assert_eq!(
                verify(AT_JWT, &payload),
                Err(Error::MissingClaim(claim)),
                "{member}"
            );
        }
        let payload = claims(|c| c.replace(r#""client_id":"gateway""#, r#""client_id":7"#));
        assert_eq!(
            verify(AT_JWT, &payload),
            Err(Error::InvalidClaim(Claim::ClientId))
        );
    }
}

mod id_token_profile {
    //! OpenID Connect ID tokens (checklist V-O1..V-O6) through `Validation::id_token`.
    use jwt_core::{Claim, Error, Validation};

    const OP: &str = "https://op.example";
    const CLIENT: &str = "s6BhdRkqt3";
    const NOW: u64 = 1_311_281_000;

    fn policy() -> Validation<'static> {
        Validation::id_token(&[OP], CLIENT)
    }

    /// An ID token's claims (OpenID Connect Core 1.0 section 2's example), with `edit`
    /// applied to the JSON text.
    fn claims(edit: impl Fn(&str) -> String) -> Vec<u8> {
        edit(
            r#"{"iss":"https://op.example","sub":"24400320","aud":"s6BhdRkqt3",
                "nonce":"n-0S6_WzA2Mj","exp":1311281970,"iat":1311280970,"auth_time":1311280969}"#,
        )
        .into_bytes()
    }

    fn same(c: &str) -> String {
        c.to_string()
    }

    /// RFC 8725 section 3.11: explicit typing keeps the kinds apart, both ways. An access
    /// token (`typ` `at+jwt`, any spelling) is never taken for an ID token, and an ID token
    /// is never taken for an access token.
    #[test]
    #[cfg(feature = "hmac")]
    fn access_tokens_and_id_tokens_are_never_taken_for_each_other() {
        let key = jwt_core::Hs256Key::new(crate::common::SECRET).unwrap();
        let id_claims = String::from_utf8(claims(same)).unwrap();
        let verify = |policy: &Validation<'_>, header: &str, payload: &str| {
            let token = crate::common::hs256_token(header, payload);
            let mut buf = [0u8; 1024];
            jwt_core::verify::<serde::de::IgnoredAny, _>(&token, &key, policy, NOW, &mut buf)
                .map(|_| ())
        };
        assert_eq!(
            verify(&policy(), r#"{"alg":"HS256","typ":"JWT"}"#, &id_claims),
            Ok(())
        );
        assert_eq!(verify(&policy(), r#"{"alg":"HS256"}"#, &id_claims), Ok(()));
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/At+Jwt",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert_eq!(
                verify(&policy(), &header, &id_claims),
                Err(Error::InvalidType),
                "{typ}"
            );
        }
        // The access-token preset refuses an ID token, whose `typ` is not `at+jwt`.
        let access = Validation::access_token(&[OP], &[CLIENT]);
        let access_claims = r#"{"iss":"https://op.example","sub":"24400320","aud":"s6BhdRkqt3",
            "client_id":"web","jti":"j1","exp":1311281970,"iat":1311280970}"#;
        assert_eq!(
            verify(&access, r#"{"alg":"HS256","typ":"at+jwt"}"#, access_claims),
            Ok(())
        );
        assert_eq!(
            verify(&access, r#"{"alg":"HS256","typ":"JWT"}"#, access_claims),
            Err(Error::InvalidType)
        );
        assert_eq!(
            verify(&access, r#"{"alg":"HS256"}"#, access_claims),
            Err(Error::MissingClaim(Claim::Typ))
        );
    }

    #[test]
    fn the_core_example_validates() {
        assert_eq!(policy().validate(&claims(same), NOW), Ok(()));
        let strict = policy().nonce("n-0S6_WzA2Mj").max_auth_age(3600);
        assert_eq!(strict.validate(&claims(same), NOW), Ok(()));
    }

    #[test]
    fn v_o1_required_claims_and_sub_format() {
        for (member, claim) in [
            (r#""sub":"24400320","#, Claim::Sub),
            (r#""iss":"https://op.example","#, Claim::Iss),
            (r#""iat":1311280970,"#, Claim::Iat),
        ] {
            let payload = claims(|c| c.replace(member, ""));
            assert_eq!(
                policy().validate(&payload, NOW),
                Err(Error::MissingClaim(claim))
            );
        }
        let no_aud = claims(|c| c.replace(r#""aud":"s6BhdRkqt3","#, ""));
        assert_eq!(
            policy().validate(&no_aud, NOW),
            Err(Error::MissingClaim(Claim::Aud))
        );
        let no_exp = claims(|c| c.replace(r#""exp":1311281970,"#, ""));
        assert_eq!(
            policy().validate(&no_exp, NOW),
            Err(Error::MissingClaim(Claim::Exp))
        );
        let longest = "a".repeat(255);
        let ok = claims(|c| c.replace("24400320", &longest));
        assert_eq!(policy().validate(&ok, NOW), Ok(()));
        for bad in [
            "a".repeat(256),
            "usér".to_string(),
            "us\\u00e9r".to_string(),
        ] {
            let payload = claims(|c| c.replace("24400320", &bad));
            assert_eq!(
                policy().validate(&payload, NOW),
                Err(Error::InvalidSubject),
                "{bad}"
            );
        }
        // A nonce is required once the request sent one.
        let no_nonce = claims(|c| c.replace(r#""nonce":"n-0S6_WzA2Mj","#, ""));
        assert_eq!(policy().validate(&no_nonce, NOW), Ok(()));
        assert_eq!(
            policy().nonce("n-0S6_WzA2Mj").validate(&no_nonce, NOW),
            Err(Error::MissingClaim(Claim::Nonce))
        );
    }

    #[test]
    fn v_o2_iss_exact_match() {
        for iss in [
            "https://op.example/",
            "https://OP.example",
            "http://op.example",
        ] {
            let payload = claims(|c| c.replace("https://op.example", iss));
            assert_eq!(
                policy().validate(&payload, NOW),
                Err(Error::InvalidIssuer),
                "{iss}"
            );
        }
    }

    #[test]
    fn v_o3_aud_contains_the_client_and_only_trusted_others() {
        let other = claims(|c| c.replace(r#""aud":"s6BhdRkqt3""#, r#""aud":"other""#));
        assert_eq!(policy().validate(&other, NOW), Err(Error::InvalidAudience));
        let untrusted = claims(|c| {
            c.replace(
                r#""aud":"s6BhdRkqt3""#,
                r#""aud":["s6BhdRkqt3","other"],"azp":"s6BhdRkqt3""#,
            )
        });
        assert_eq!(
            policy().validate(&untrusted, NOW),
            Err(Error::InvalidAudience)
        );
        let trusted = policy().audiences(&["other"]);
        assert_eq!(trusted.validate(&untrusted, NOW), Ok(()));
    }

    #[test]
    fn v_o4_azp_required_with_several_audiences_and_equal_to_the_client() {
        let trusted = policy().audiences(&["other"]);
        let several =
            claims(|c| c.replace(r#""aud":"s6BhdRkqt3""#, r#""aud":["s6BhdRkqt3","other"]"#));
        assert_eq!(
            trusted.validate(&several, NOW),
            Err(Error::InvalidAuthorizedParty)
        );
        let wrong_azp = claims(|c| {
            c.replace(
                r#""aud":"s6BhdRkqt3""#,
                r#""aud":"s6BhdRkqt3","azp":"other""#,
            )
        });
        assert_eq!(
            policy().validate(&wrong_azp, NOW),
            Err(Error::InvalidAuthorizedParty)
        );
        let azp = claims(|c| {
            c.replace(
                r#""aud":"s6BhdRkqt3""#,
                r#""aud":"s6BhdRkqt3","azp":"s6BhdRkqt3""#,
            )
        });
        assert_eq!(policy().validate(&azp, NOW), Ok(()));
        let typed = claims(|c| c.replace(r#""aud":"s6BhdRkqt3""#, r#""aud":"s6BhdRkqt3","azp":1"#));
        assert_eq!(
            policy().validate(&typed, NOW),
            Err(Error::InvalidClaim(Claim::Azp))
        );
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn v_o5_hs256_id_tokens_use_the_client_secret_octets() {
        use jwt_core::{HeaderFields, Hs256Key};
        let secret = "a client secret of at least 32 bytes!";
        let key = Hs256Key::new(secret.as_bytes()).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&claims(same)).unwrap();
        let mut out = [0u8; 512];
        let token = jwt_core::sign(&key, &HeaderFields::new(), &payload, &mut out).unwrap();
        #[derive(serde::Deserialize, Debug)]
        struct IdToken<'a> {
            sub: &'a str,
        }
        let mut buf = [0u8; 512];
        let verified: IdToken = jwt_core::verify(token, &key, &policy(), NOW, &mut buf).unwrap();
        assert_eq!(verified.sub, "24400320");
        let other = Hs256Key::new(b"another client secret, 32 bytes+!").unwrap();
        let refused = jwt_core::verify::<IdToken, _>(token, &other, &policy(), NOW, &mut buf);
        assert_eq!(refused.unwrap_err(), Error::InvalidSignature);
    }

    #[test]
    fn v_o6_exp_nonce_and_auth_time() {
        assert_eq!(
            policy().validate(&claims(same), 1_311_281_970 + 60),
            Err(Error::Expired)
        );
        let nonce = policy().nonce("n-0S6_WzA2Mj");
        let replayed = claims(|c| c.replace("n-0S6_WzA2Mj", "n-other"));
        assert_eq!(nonce.validate(&replayed, NOW), Err(Error::InvalidNonce));
        let escaped = claims(|c| c.replace("n-0S6_WzA2Mj", "n-0S6\\u005fWzA2Mj"));
        assert_eq!(nonce.validate(&escaped, NOW), Ok(()));
        let fresh = policy().max_auth_age(100).leeway(0);
        assert_eq!(fresh.validate(&claims(same), 1_311_280_969 + 100), Ok(()));
        assert_eq!(
            fresh.validate(&claims(same), 1_311_280_969 + 101),
            Err(Error::AuthenticationTooOld)
        );
        let no_auth_time = claims(|c| c.replace(r#","auth_time":1311280969"#, ""));
        assert_eq!(
            fresh.validate(&no_auth_time, NOW),
            Err(Error::MissingClaim(Claim::AuthTime))
        );
        let typed = claims(|c| c.replace("1311280969", r#""1311280969""#));
        assert_eq!(
            fresh.validate(&typed, NOW),
            Err(Error::InvalidClaim(Claim::AuthTime))
        );
    }
}

#[cfg(all(feature = "rsa", feature = "p256", feature = "hmac", feature = "std"))]
mod key_sets {
    //! JWK Sets for gateways: the growable set and issuer binding (checklist V-C12), with
    //! JWK Sets in the shapes Keycloak, Auth0 and Azure AD publish (V-K7).
    use jwt_core::{Error, GrowableJwkSet, HeaderFields, JwkSet, Rs256PrivateKey, Validation};

    use crate::common::{self, NOW};

    const ISSUER: &str = "https://idp.example/realms/main";

    fn rs256_token(kid: &str, iss: &str) -> String {
        let key = Rs256PrivateKey::from_pkcs1_der(&common::data("keys/rsa2048.pkcs1.der")).unwrap();
        let claims = serde_json::json!({ "iss": iss, "sub": "u1", "exp": NOW + 300 });
        jwt_core::sign_to_string(&key, &HeaderFields::new().kid(kid), &claims).unwrap()
    }

    #[derive(serde::Deserialize, Debug)]
    struct Sub<'a> {
        sub: &'a str,
    }

    #[test]
    fn v_k7_provider_shapes_read_the_same_into_both_sets() {
        for (file, usable, skipped, kid) in [
            ("jwks/keycloak.json", 1, 1, "kc-rs256-2026"),
            ("jwks/auth0.json", 2, 0, "auth0-current"),
            ("jwks/azure_ad.json", 3, 0, "azure-current"),
        ] {
            let doc = common::data(file);
            let fixed = JwkSet::<4>::parse(&doc).unwrap();
            let growable = GrowableJwkSet::parse(&doc).unwrap();
            assert_eq!((fixed.len(), fixed.skipped()), (usable, skipped), "{file}");
            assert_eq!(
                (growable.len(), growable.skipped()),
                (usable, skipped),
                "{file}"
            );
            assert!(
                fixed
                    .iter()
                    .map(|(k, _)| k)
                    .eq(growable.iter().map(|(k, _)| k))
            );
            let token = rs256_token(kid, ISSUER);
            let mut buf = [0u8; 1024];
            let policy = Validation::new();
            let claims: Sub = growable.verify(&token, &policy, NOW, &mut buf).unwrap();
            assert_eq!(claims.sub, "u1");
            let claims: Sub = fixed.verify(&token, &policy, NOW, &mut buf).unwrap();
            assert_eq!(claims.sub, "u1");
        }
    }

    #[test]
    fn the_growable_set_has_no_capacity_limit() {
        let keys: Vec<String> = (0..100)
            .map(|i| {
                format!(r#"{{"kty":"oct","kid":"k{i}","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}}"#)
            })
            .collect();
        let doc = format!(r#"{{"keys":[{}]}}"#, keys.join(","));
        assert_eq!(GrowableJwkSet::parse(doc.as_bytes()).unwrap().len(), 100);
        assert_eq!(
            JwkSet::<64>::parse(doc.as_bytes()).unwrap_err(),
            Error::BufferTooSmall
        );
    }

    #[test]
    fn v_c12_a_bound_set_vouches_only_for_its_issuer() {
        let doc = common::data("jwks/auth0.json");
        let bound = GrowableJwkSet::parse(&doc)
            .unwrap()
            .bind_issuer(ISSUER)
            .unwrap();
        assert_eq!(bound.issuer(), Some(ISSUER));
        let mut buf = [0u8; 1024];
        // Even a policy that accepts the other issuer cannot make this set vouch for it.
        let lax = Validation::new().issuers(&[ISSUER, "https://evil.example"]);
        let ok: Sub = bound
            .verify(&rs256_token("auth0-current", ISSUER), &lax, NOW, &mut buf)
            .unwrap();
        assert_eq!(ok.sub, "u1");
        let evil = rs256_token("auth0-current", "https://evil.example");
        let refused = bound.verify::<Sub>(&evil, &lax, NOW, &mut buf);
        assert_eq!(refused.unwrap_err(), Error::InvalidIssuer);
        let key = Rs256PrivateKey::from_pkcs1_der(&common::data("keys/rsa2048.pkcs1.der")).unwrap();
        let no_iss = jwt_core::sign_to_string(
            &key,
            &HeaderFields::new().kid("auth0-current"),
            &serde_json::json!({ "sub": "u1", "exp": NOW + 300 }),
        )
        .unwrap();
        let refused = bound.verify::<Sub>(&no_iss, &Validation::new(), NOW, &mut buf);
        assert_eq!(
            refused.unwrap_err(),
            Error::MissingClaim(jwt_core::Claim::Iss)
        );
        // The fixed-capacity set binds the same way.
        let fixed = JwkSet::<4>::parse(&doc)
            .unwrap()
            .bind_issuer(ISSUER)
            .unwrap();
        assert_eq!(
            fixed.verify::<Sub>(&evil, &lax, NOW, &mut buf).unwrap_err(),
            Error::InvalidIssuer
        );
        let long = "x".repeat(jwt_core::MAX_ISSUER_LEN + 1);
        assert_eq!(
            JwkSet::<4>::parse(&doc)
                .unwrap()
                .bind_issuer(&long)
                .unwrap_err(),
            Error::BufferTooSmall
        );
    }
}
