//! The peer crates' verify + validate (exp, nbf, iss, aud) into their claims types, each set
//! up the way its documentation recommends, keys prepared once. Every call asserts success.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::common::{AUDIENCE, ISSUER};

/// What jwt-simple reads beyond its own registered claims.
#[derive(Serialize, Deserialize)]
pub struct SimpleExtra {
    client_id: String,
    scope: String,
}

fn simple_options() -> jwt_simple::prelude::VerificationOptions {
    jwt_simple::prelude::VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISSUER.to_string()])),
        allowed_audiences: Some(HashSet::from([AUDIENCE.to_string()])),
        ..Default::default()
    }
}

/// jwt-simple (pure Rust): a verifier for one algorithm.
pub fn jwt_simple(alg: &str, key: &[u8]) -> impl Fn(&str) -> usize {
    use jwt_simple::prelude::*;
    enum Key {
        Hs(HS256Key),
        Es(ES256PublicKey),
        Rs(RS256PublicKey),
    }
    let key = match alg {
        "HS256" => Key::Hs(HS256Key::from_bytes(key)),
        "ES256" => Key::Es(ES256PublicKey::from_bytes(key).unwrap()),
        _ => Key::Rs(RS256PublicKey::from_der(key).unwrap()),
    };
    let options = simple_options();
    move |token| {
        let options = Some(options.clone());
        let claims = match &key {
            Key::Hs(k) => k.verify_token::<SimpleExtra>(token, options),
            Key::Es(k) => k.verify_token::<SimpleExtra>(token, options),
            Key::Rs(k) => k.verify_token::<SimpleExtra>(token, options),
        }
        .unwrap();
        claims.subject.unwrap().len()
    }
}

/// What jwt-compact reads beyond exp, nbf and iat.
#[derive(Serialize, Deserialize)]
pub struct CompactClaims {
    iss: String,
    sub: String,
    aud: String,
    jti: String,
    client_id: String,
    scope: String,
}

/// jwt-compact: a verifier for one algorithm; iss and aud are checked by hand, as its
/// documentation shows for custom claims.
pub fn jwt_compact(alg: &str, key: &[u8]) -> impl Fn(&str) -> usize {
    use jwt_compact::alg::{Es256, Hs256, Hs256Key, Rsa, RsaPublicKey, VerifyingKey};
    use jwt_compact::{AlgorithmExt, Claims, TimeOptions, Token, UntrustedToken};
    use rsa09::pkcs1::DecodeRsaPublicKey;
    enum Key {
        Hs(Hs256Key),
        Es(<Es256 as jwt_compact::Algorithm>::VerifyingKey),
        Rs(RsaPublicKey),
    }
    let key = match alg {
        "HS256" => Key::Hs(Hs256Key::new(key)),
        "ES256" => Key::Es(VerifyingKey::<Es256>::from_slice(key).unwrap()),
        _ => Key::Rs(RsaPublicKey::from_pkcs1_der(key).unwrap()),
    };
    let time = TimeOptions::default();
    move |token| {
        let untrusted = UntrustedToken::new(token).unwrap();
        let token: Token<CompactClaims> = match &key {
            Key::Hs(k) => Hs256.validator(k).validate(&untrusted),
            Key::Es(k) => Es256.validator(k).validate(&untrusted),
            Key::Rs(k) => Rsa::rs256().validator(k).validate(&untrusted),
        }
        .unwrap();
        let claims: &Claims<CompactClaims> = token.claims();
        claims.validate_expiration(&time).unwrap();
        claims.validate_maturity(&time).unwrap();
        assert!(claims.custom.iss == ISSUER && claims.custom.aud == AUDIENCE);
        claims.custom.sub.len()
    }
}
