//! The verify cases of each algorithm, built once and shared: the criterion groups of
//! `verify.rs` time each case alone, and `ratios.rs` times them in interleaved pairs.
//! Every case verifies the same token with keys prepared beforehand and asserts success.
#![allow(dead_code)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, EcdsaCurve, EcdsaPrivateKey, Ed25519PrivateKey, Es256PrivateKey, HmacHash, HmacKey,
    Hs256Key, RsaPrivateKey, RsaScheme, VerifyingKey,
};

use crate::common::*;
use crate::peers;

/// The algorithm's cases, jwt-core first, then the floor, the lower bounds (HS256), and the
/// peers; and the token they verify.
pub struct Group {
    pub name: &'static str,
    pub token: String,
    pub cases: Vec<Case>,
}

/// The cases of `alg`.
pub fn group(alg: Algorithm) -> Group {
    use jwt_core::{Pkcs1v15, Pss};
    use rsa::{pkcs1v15::Signature as Pkcs1v15Signature, pss::Signature as PssSignature};
    use sha2::{Sha256, Sha384, Sha512};
    match alg {
        Algorithm::Hs256 => hs256(),
        Algorithm::Hs384 => hmac_group::<Sha384>(SECRET_48),
        Algorithm::Hs512 => hmac_group::<Sha512>(SECRET_64),
        Algorithm::Rs256 => rs256(),
        Algorithm::Rs384 => rsa_group::<Pkcs1v15<Sha384>, Pkcs1v15Signature, _>(
            rsa::pkcs1v15::VerifyingKey::<Sha384>::new,
        ),
        Algorithm::Rs512 => rsa_group::<Pkcs1v15<Sha512>, Pkcs1v15Signature, _>(
            rsa::pkcs1v15::VerifyingKey::<Sha512>::new,
        ),
        // rsa's `new` takes the salt as long as the hash, as RFC 7518 section 3.5 does.
        Algorithm::Ps256 => {
            rsa_group::<Pss<Sha256>, PssSignature, _>(rsa::pss::VerifyingKey::<Sha256>::new)
        }
        Algorithm::Ps384 => {
            rsa_group::<Pss<Sha384>, PssSignature, _>(rsa::pss::VerifyingKey::<Sha384>::new)
        }
        Algorithm::Ps512 => {
            rsa_group::<Pss<Sha512>, PssSignature, _>(rsa::pss::VerifyingKey::<Sha512>::new)
        }
        Algorithm::Es256 => es256(),
        Algorithm::Es384 => {
            ecdsa_group::<p384::NistP384, p384::ecdsa::Signature, _>(P384_SCALAR, |sec1| {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap()
            })
        }
        Algorithm::Es512 => {
            ecdsa_group::<p521::NistP521, p521::ecdsa::Signature, _>(P521_SCALAR, |sec1| {
                p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap()
            })
        }
        // k256 verifies only low-`s` signatures; jwt-core signs them (through k256), so the
        // floor verifies this token as it is.
        Algorithm::Es256k => {
            ecdsa_group::<k256::Secp256k1, k256::ecdsa::Signature, _>(K256_SCALAR, |sec1| {
                k256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).unwrap()
            })
        }
        Algorithm::EdDsa => eddsa(),
        other => panic!("no cases for {other:?}"),
    }
}

/// The group named like `name` ("HS256", "EdDSA", ...).
pub fn group_named(name: &str) -> Group {
    let alg = Algorithm::from_name(name).expect("an algorithm's name");
    group(alg)
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
    ours_named("jwt-core", token, key)
}

/// jwt-core verifying `token` with `key`, under `name`.
fn ours_named(name: &'static str, token: &str, key: impl VerifyingKey + 'static) -> Case {
    let token = token.to_string();
    let policy = policy();
    let now = jwt_core::now();
    let mut buf = [0u8; 1024];
    case(name, move || {
        let claims: AccessToken =
            jwt_core::verify(black_box(&token), &key, &policy, now, &mut buf).unwrap();
        black_box(claims.sub.len())
    })
}

/// jsonwebtoken on rust_crypto, when it has the algorithm.
fn jsonwebtoken(alg: Algorithm, token: &str) -> Option<Case> {
    rust_crypto_provider();
    let (key, their_alg) = their_key(alg)?;
    Some(theirs(token, key, their_alg))
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

/// A floor: a RustCrypto crate's own `verify` over the signing input of `token`, its key
/// prepared and the signature decoded by `parse` beforehand.
fn floor<S: 'static, E: core::fmt::Debug>(
    name: &'static str,
    token: &str,
    parse: impl FnOnce(&[u8]) -> S,
    verify: impl Fn(&[u8], &S) -> Result<(), E> + 'static,
) -> Case {
    let (input, sig) = split(token);
    let sig = parse(&sig);
    case(name, move || {
        verify(black_box(&input).as_bytes(), &sig).unwrap();
        0
    })
}

/// The floor of HMAC: hmac + sha2 with the keyed state prepared once, cloned per call (as
/// jwt-core's key does), `verify_slice` over the signing input.
fn hmac_floor<M: hmac::Mac + hmac::KeyInit + Clone + 'static>(secret: &[u8], token: &str) -> Case {
    let prepared = <M as hmac::KeyInit>::new_from_slice(secret).unwrap();
    floor(
        "floor",
        token,
        |sig| sig.to_vec(),
        move |input, sig: &Vec<u8>| {
            let mut mac = prepared.clone();
            mac.update(input);
            mac.verify_slice(sig)
        },
    )
}

/// Everything but jwt-core that a group has: its jsonwebtoken case and, with the `aws-lc`
/// feature, aws-lc's floor.
fn others(alg: Algorithm, token: &str) -> Vec<Case> {
    let theirs = jsonwebtoken(alg, token);
    #[cfg(feature = "aws-lc")]
    let aws_lc = aws_lc_floor(alg, token);
    #[cfg(not(feature = "aws-lc"))]
    let aws_lc = None;
    theirs.into_iter().chain(aws_lc).collect()
}

/// HS384 and HS512 (HS256 has its lower bounds and peers too).
fn hmac_group<H: HmacHash + hmac::EagerHash>(secret: &[u8]) -> Group {
    let key = HmacKey::<H>::new(secret).unwrap();
    let alg = <HmacKey<H> as VerifyingKey>::algorithm(&key);
    let token = token(&key);
    let mut cases = vec![
        ours(&token, key),
        hmac_floor::<hmac::Hmac<H>>(secret, &token),
    ];
    cases.extend(others(alg, &token));
    Group {
        name: alg.name(),
        cases,
        token,
    }
}

/// jwt-core with `public`, the floor (`raw`: a RustCrypto crate's verifying key of the same
/// key and algorithm, whose signature type is `Sig`), jsonwebtoken and aws-lc.
fn signature_group<Sig, V>(token: String, public: impl VerifyingKey + 'static, raw: V) -> Group
where
    Sig: for<'a> TryFrom<&'a [u8], Error = signature::Error> + 'static,
    V: signature::Verifier<Sig> + 'static,
{
    let alg = public.algorithm();
    let mut cases = vec![
        ours(&token, public),
        floor(
            "floor",
            &token,
            |sig| Sig::try_from(sig).unwrap(),
            move |input, sig| raw.verify(input, sig),
        ),
    ];
    cases.extend(others(alg, &token));
    Group {
        name: alg.name(),
        cases,
        token,
    }
}

/// RS384, RS512 and PS*, with the 2048-bit key; `raw` makes the rsa crate's verifying key of
/// the same scheme.
fn rsa_group<S: RsaScheme, Sig, V>(raw: impl FnOnce(rsa::RsaPublicKey) -> V) -> Group
where
    Sig: for<'a> TryFrom<&'a [u8], Error = signature::Error> + 'static,
    V: signature::Verifier<Sig> + 'static,
{
    use rsa::pkcs1::DecodeRsaPublicKey;
    let key = RsaPrivateKey::<S>::from_pkcs1_der(RSA_PKCS1).unwrap();
    let raw = raw(rsa::RsaPublicKey::from_pkcs1_der(RSA_PUB_PKCS1).unwrap());
    signature_group(token(&key), key.public_key().pure_rust(), raw)
}

/// ES384, ES512 and ES256K; `raw` makes the curve crate's verifying key from the
/// uncompressed point.
fn ecdsa_group<C: EcdsaCurve, Sig, V>(scalar: &[u8], raw: impl FnOnce(&[u8]) -> V) -> Group
where
    Sig: for<'a> TryFrom<&'a [u8], Error = signature::Error> + 'static,
    V: signature::Verifier<Sig> + 'static,
{
    let key = EcdsaPrivateKey::<C>::from_bytes(scalar).unwrap();
    let public = key.public_key().pure_rust();
    let raw = raw(public.to_sec1_bytes().as_ref());
    signature_group(token(&key), public, raw)
}

pub fn hs256() -> Group {
    rust_crypto_provider();
    use hmac::KeyInit;
    let key = Hs256Key::new(SECRET).unwrap();
    let token = token(&key);
    let (_, sig) = split(&token);
    let prepared = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    let [base64, serde_json_core] = lower_bounds(&token, &prepared, &sig);
    let mut cases = vec![
        ours(&token, key),
        hmac_floor::<hmac::Hmac<sha2::Sha256>>(SECRET, &token),
        base64,
        serde_json_core,
    ];
    cases.extend(jsonwebtoken(Algorithm::Hs256, &token));
    cases.push(peer(
        "jwt-compact",
        &token,
        peers::jwt_compact("HS256", SECRET),
    ));
    cases.push(peer(
        "jwt-simple",
        &token,
        peers::jwt_simple("HS256", SECRET),
    ));
    #[cfg(feature = "aws-lc")]
    cases.extend(aws_lc_floor(Algorithm::Hs256, &token));
    Group {
        name: "HS256",
        cases,
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
    use p256::ecdsa::signature::Verifier;
    let key = Es256PrivateKey::from_bytes(P256_SCALAR).unwrap();
    let token = token(&key);
    let raw = p256::ecdsa::VerifyingKey::from_sec1_bytes(P256_SEC1).unwrap();
    let mut cases = vec![
        ours(&token, key.public_key().pure_rust()),
        floor(
            "floor",
            &token,
            |sig| p256::ecdsa::Signature::from_slice(sig).unwrap(),
            move |input, sig| raw.verify(input, sig),
        ),
    ];
    cases.extend(jsonwebtoken(Algorithm::Es256, &token));
    cases.push(peer(
        "jwt-compact",
        &token,
        peers::jwt_compact("ES256", P256_SEC1),
    ));
    cases.push(peer(
        "jwt-simple",
        &token,
        peers::jwt_simple("ES256", P256_SEC1),
    ));
    #[cfg(feature = "aws-lc")]
    cases.extend(aws_lc_floor(Algorithm::Es256, &token));
    Group {
        name: "ES256",
        cases,
        token,
    }
}

pub fn rs256() -> Group {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::signature::Verifier;
    let key = jwt_core::Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1).unwrap();
    let token = token(&key);
    let raw = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(
        rsa::RsaPublicKey::from_pkcs1_der(RSA_PUB_PKCS1).unwrap(),
    );
    let mut cases = vec![
        ours(&token, key.public_key().pure_rust()),
        floor(
            "floor",
            &token,
            |sig| rsa::pkcs1v15::Signature::try_from(sig).unwrap(),
            move |input, sig| raw.verify(input, sig),
        ),
    ];
    cases.extend(jsonwebtoken(Algorithm::Rs256, &token));
    cases.push(peer(
        "jwt-compact",
        &token,
        peers::jwt_compact("RS256", RSA_PUB_PKCS1),
    ));
    cases.push(peer(
        "jwt-simple",
        &token,
        peers::jwt_simple("RS256", RSA_PUB_SPKI),
    ));
    #[cfg(feature = "aws-lc")]
    cases.extend(aws_lc_floor(Algorithm::Rs256, &token));
    Group {
        name: "RS256",
        cases,
        token,
    }
}

/// EdDSA: two floors, ed25519-dalek's `verify` (the `Verifier` trait) and its
/// `verify_strict`, which jwt-core uses (it also refuses an `R` of small order).
pub fn eddsa() -> Group {
    use ed25519_dalek::Verifier;
    let key = Ed25519PrivateKey::from_bytes(ED25519_SEED);
    let token = token(&key);
    let public = key.public_key().pure_rust();
    let raw = ed25519_dalek::VerifyingKey::from_bytes(&public.to_bytes()).unwrap();
    let parse = |sig: &[u8]| ed25519_dalek::Signature::from_slice(sig).unwrap();
    let mut cases = vec![
        ours(&token, public),
        floor("floor", &token, parse, move |input, sig| {
            raw.verify(input, sig)
        }),
        floor("floor verify_strict", &token, parse, move |input, sig| {
            raw.verify_strict(input, sig)
        }),
    ];
    cases.extend(others(Algorithm::EdDsa, &token));
    Group {
        name: "EdDSA",
        cases,
        token,
    }
}

/// jwt-core built with its `aws-lc` feature beside its pure-Rust code, jsonwebtoken (with
/// whichever provider this process installed: aws-lc-rs in `ratios -- --aws-lc`) and aws-lc's
/// floor, on `alg`'s token: "jwt-core (aws-lc)" first (the backend `Backend::of(alg)` names:
/// ES256 stays on the pure-Rust code on 64-bit targets), then "jwt-core" (pure Rust),
/// "jsonwebtoken" where it has the algorithm, and "aws-lc floor".
#[cfg(feature = "jwt-core-aws-lc")]
pub fn backends(alg: Algorithm) -> Vec<Case> {
    use jwt_core::{Backend, Ps256PrivateKey, Rs256PrivateKey};
    fn both<K: VerifyingKey + Clone + 'static>(token: &str, aws_lc: K, pure: K) -> [Case; 2] {
        assert_eq!(aws_lc.backend(), Backend::of(aws_lc.algorithm()));
        assert_eq!(pure.backend(), Backend::PureRust);
        [
            ours_named("jwt-core (aws-lc)", token, aws_lc),
            ours_named("jwt-core", token, pure),
        ]
    }
    fn twins<K: VerifyingKey + Clone + 'static>(
        token: &str,
        key: K,
        pure_rust: fn(K) -> K,
    ) -> [Case; 2] {
        both(token, key.clone(), pure_rust(key))
    }
    let token = token_of(alg);
    let ours = match alg {
        Algorithm::Rs256 => twins(
            &token,
            Rs256PrivateKey::from_pkcs1_der(RSA_PKCS1)
                .unwrap()
                .public_key(),
            |k| k.pure_rust(),
        ),
        Algorithm::Ps256 => twins(
            &token,
            Ps256PrivateKey::from_pkcs1_der(RSA_PKCS1)
                .unwrap()
                .public_key(),
            |k| k.pure_rust(),
        ),
        Algorithm::Es256 => twins(
            &token,
            Es256PrivateKey::from_bytes(P256_SCALAR)
                .unwrap()
                .public_key(),
            |k| k.pure_rust(),
        ),
        Algorithm::Es384 => twins(
            &token,
            jwt_core::Es384PrivateKey::from_bytes(P384_SCALAR)
                .unwrap()
                .public_key(),
            |k| k.pure_rust(),
        ),
        Algorithm::Es512 => twins(
            &token,
            jwt_core::Es512PrivateKey::from_bytes(P521_SCALAR)
                .unwrap()
                .public_key(),
            |k| k.pure_rust(),
        ),
        Algorithm::EdDsa => twins(
            &token,
            Ed25519PrivateKey::from_bytes(ED25519_SEED).public_key(),
            |k| k.pure_rust(),
        ),
        other => panic!("no aws-lc backend for {other:?}"),
    };
    let theirs = their_key(alg).map(|(key, their_alg)| theirs(&token, key, their_alg));
    ours.into_iter()
        .chain(theirs)
        .chain(aws_lc_floor(alg, &token))
        .collect()
}

/// aws-lc's own verification (C and assembly) over the same signing input, with the key
/// parsed once (for HMAC, the keyed state made once): the floor of a verifier built on
/// aws-lc, for every algorithm it has.
#[cfg(feature = "aws-lc")]
fn aws_lc_floor(alg: Algorithm, token: &str) -> Option<Case> {
    use aws_lc_rs::{hmac, signature as sig};
    let hmac = match alg {
        Algorithm::Hs256 => Some(hmac::HMAC_SHA256),
        Algorithm::Hs384 => Some(hmac::HMAC_SHA384),
        Algorithm::Hs512 => Some(hmac::HMAC_SHA512),
        _ => None,
    };
    if let Some(hmac_alg) = hmac {
        let key = hmac::Key::new(hmac_alg, &public_key_bytes(alg));
        return Some(floor(
            "aws-lc floor",
            token,
            |tag| tag.to_vec(),
            move |input, tag: &Vec<u8>| hmac::verify(&key, input, tag),
        ));
    }
    let algorithm: &'static dyn sig::VerificationAlgorithm = match alg {
        Algorithm::Rs256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::Rs384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::Rs512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::Ps256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::Ps384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::Ps512 => &sig::RSA_PSS_2048_8192_SHA512,
        Algorithm::Es256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::Es384 => &sig::ECDSA_P384_SHA384_FIXED,
        Algorithm::Es512 => &sig::ECDSA_P521_SHA512_FIXED,
        Algorithm::Es256k => &sig::ECDSA_P256K1_SHA256_FIXED,
        Algorithm::EdDsa => &sig::ED25519,
        _ => return None,
    };
    let public_key = public_key_bytes(alg);
    let key = sig::ParsedPublicKey::new(algorithm, public_key).unwrap();
    Some(floor(
        "aws-lc floor",
        token,
        |sig| sig.to_vec(),
        move |input, sig: &Vec<u8>| key.verify_sig(input, sig),
    ))
}
