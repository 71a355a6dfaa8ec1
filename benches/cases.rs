//! The verify cases of each algorithm, built once and shared: the criterion groups of
//! `verify.rs` time each case alone, and `ratios.rs` times them in interleaved pairs.
//! Every case verifies the same token with keys prepared beforehand and asserts success.
#![allow(dead_code)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Es256PrivateKey, Hs256Key, Rs256PrivateKey, VerifyingKey};

use crate::common::*;
use crate::peers;

/// The algorithm's cases, jwt-core first, then the floor, the lower bounds (HS256), and the
/// peers; and the token they verify.
pub struct Group {
    pub name: &'static str,
    pub token: String,
    pub cases: Vec<Case>,
}

/// jsonwebtoken's provider for this process: rust_crypto (with the `aws-lc` feature the crate
/// has two, and `verify_aws_lc` benchmarks the other).
pub fn rust_crypto_provider() {
    // Err only when already installed by an earlier group: the same provider.
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
    );
}

fn ours(token: &str, key: impl VerifyingKey + 'static) -> Case {
    let token = token.to_string();
    let policy = policy();
    let now = jwt_core::now();
    let mut buf = [0u8; 1024];
    case("jwt-core", move || {
        let claims: AccessToken =
            jwt_core::verify(black_box(&token), &key, &policy, now, &mut buf).unwrap();
        black_box(claims.sub.len())
    })
}

fn peer(name: &'static str, token: &str, verify: impl Fn(&str) -> usize + 'static) -> Case {
    let token = token.to_string();
    case(name, move || verify(black_box(&token)))
}

/// The signing input and the decoded signature of `token`.
fn split(token: &str) -> (String, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').unwrap();
    (
        input.to_string(),
        Base64UrlUnpadded::decode_vec(sig).unwrap(),
    )
}

pub fn hs256() -> Group {
    rust_crypto_provider();
    use hmac::{KeyInit, Mac};
    let key = Hs256Key::new(SECRET).unwrap();
    let token = token(&key);
    let (input, sig) = split(&token);
    let prepared = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    let floor = {
        let (prepared, sig) = (prepared.clone(), sig.clone());
        case("floor", move || {
            let mut mac = prepared.clone();
            mac.update(black_box(&input).as_bytes());
            mac.verify_slice(&sig).unwrap();
            0
        })
    };
    let [base64, serde_json_core] = lower_bounds(&token, &prepared, &sig);
    Group {
        name: "HS256",
        cases: vec![
            ours(&token, key),
            floor,
            base64,
            serde_json_core,
            theirs(
                &token,
                jsonwebtoken::DecodingKey::from_secret(SECRET),
                jsonwebtoken::Algorithm::HS256,
            ),
            peer("jwt-compact", &token, peers::jwt_compact("HS256", SECRET)),
            peer("jwt-simple", &token, peers::jwt_simple("HS256", SECRET)),
        ],
        token,
    }
}

/// Two steps from the HS256 floor towards a verifier, to show what any verifier of this token
/// must spend beyond the HMAC. Neither is a verifier: the dots are found once outside the
/// loop, the header is never parsed, nothing is validated and serde-json-core accepts what
/// jwt-core refuses (duplicate members, for one). They are lower bounds for jwt-core.
/// - `floor+base64`: the floor, plus base64url decoding of the header and the payload with
///   jwt-core's decoder and their UTF-8 check;
/// - `floor+base64+serde-json-core`: that, plus serde-json-core reading the claims into the
///   same struct.
fn lower_bounds(token: &str, prepared: &hmac::Hmac<sha2::Sha256>, sig: &[u8]) -> [Case; 2] {
    use hmac::Mac;
    let (input, _) = token.rsplit_once('.').unwrap();
    let (header, payload) = input.split_once('.').unwrap();
    assert_eq!(header.len() + 1 + payload.len(), input.len());
    let (header_len, input_len) = (header.len(), input.len());
    let token = token.to_string();
    let (prepared, sig) = (prepared.clone(), sig.to_vec());
    let decode = move |buf: &mut [u8; 1024]| {
        let token = black_box(&token);
        let mut mac = prepared.clone();
        mac.update(&token.as_bytes()[..input_len]);
        mac.verify_slice(&sig).unwrap();
        let len = jwt_core::base64url::decode(&token.as_bytes()[..header_len], buf).unwrap();
        core::str::from_utf8(&buf[..len]).unwrap();
        let len =
            jwt_core::base64url::decode(&token.as_bytes()[header_len + 1..input_len], buf).unwrap();
        core::str::from_utf8(&buf[..len]).unwrap();
        len
    };
    let decode_too = decode.clone();
    let mut buf = [0u8; 1024];
    let mut buf_too = [0u8; 1024];
    [
        case("floor+base64", move || decode(&mut buf)),
        case("floor+base64+serde-json-core", move || {
            let len = decode_too(&mut buf_too);
            let (claims, _): (AccessToken, usize) =
                serde_json_core::from_slice(&buf_too[..len]).unwrap();
            black_box(claims.sub.len())
        }),
    ]
}

pub fn es256() -> Group {
    rust_crypto_provider();
    use p256::ecdsa::signature::Verifier;
    let key = Es256PrivateKey::from_bytes(P256_SCALAR).unwrap();
    let token = token(&key);
    let (input, sig) = split(&token);
    let raw = p256::ecdsa::VerifyingKey::from_sec1_bytes(P256_SEC1).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
    Group {
        name: "ES256",
        cases: vec![
            ours(&token, key.public_key()),
            case("floor", move || {
                raw.verify(black_box(&input).as_bytes(), &sig).unwrap();
                0
            }),
            theirs(
                &token,
                jsonwebtoken::DecodingKey::from_ec_der(P256_SEC1),
                jsonwebtoken::Algorithm::ES256,
            ),
            peer(
                "jwt-compact",
                &token,
                peers::jwt_compact("ES256", P256_SEC1),
            ),
            peer("jwt-simple", &token, peers::jwt_simple("ES256", P256_SEC1)),
            #[cfg(feature = "aws-lc")]
            aws_lc_floor(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
                P256_SEC1,
                &token,
            ),
        ],
        token,
    }
}

pub fn rs256() -> Group {
    rust_crypto_provider();
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    let key = Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap();
    let token = token(&key);
    let (input, sig) = split(&token);
    let raw = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(
        rsa::RsaPublicKey::from_pkcs1_der(RSA_PUB_PKCS1).unwrap(),
    );
    let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
    Group {
        name: "RS256",
        cases: vec![
            ours(&token, key.public_key()),
            case("floor", move || {
                raw.verify(black_box(&input).as_bytes(), &sig).unwrap();
                0
            }),
            theirs(
                &token,
                jsonwebtoken::DecodingKey::from_rsa_der(RSA_PUB_PKCS1),
                jsonwebtoken::Algorithm::RS256,
            ),
            peer(
                "jwt-compact",
                &token,
                peers::jwt_compact("RS256", RSA_PUB_PKCS1),
            ),
            peer(
                "jwt-simple",
                &token,
                peers::jwt_simple("RS256", RSA_PUB_SPKI),
            ),
            #[cfg(feature = "aws-lc")]
            aws_lc_floor(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                RSA_PUB_PKCS1,
                &token,
            ),
        ],
        token,
    }
}

/// aws-lc's signature verification alone (C and assembly) over the same signing input, with
/// the key parsed once: the floor of a verifier built on aws-lc.
#[cfg(feature = "aws-lc")]
fn aws_lc_floor(
    algorithm: &'static dyn aws_lc_rs::signature::VerificationAlgorithm,
    public_key: &[u8],
    token: &str,
) -> Case {
    let key = aws_lc_rs::signature::ParsedPublicKey::new(algorithm, public_key).unwrap();
    let (input, sig) = split(token);
    case("aws-lc floor", move || {
        key.verify_sig(black_box(&input).as_bytes(), &sig).unwrap();
        0
    })
}
