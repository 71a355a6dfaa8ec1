//! JWTs signed by Python's `cryptography` (pyca), one per JWS algorithm, with the bad
//! variants of each (tests/data/pyca/tokens.json, written by tests/data/pyca/generate.py).
//! Every good token verifies from its JWK alone and through a key set; every bad variant is
//! refused with the error its flaw calls for. The data file says what each variant is; the
//! outcome expected of it is decided here.
#![cfg(all(
    feature = "hmac-sha512",
    feature = "hmac",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]

mod common;

use std::collections::BTreeMap;

use common::data;
use jwt_core::{
    Algorithm, AnyVerifyingKey, Claim, Error, Hs256Key, Hs384Key, Hs512Key, Jwk, JwkSet,
    Ps256PublicKey, Rs256PublicKey, SkipReason, Validation, VerifyingKey,
};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, Debug, PartialEq)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    iat: u64,
}

/// Every algorithm, in the order the generator writes them.
const ALGORITHMS: [&str; 14] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "ES256K", "EdDSA",
];

struct Fixture {
    file: Value,
}

impl Fixture {
    fn load() -> Self {
        let file = serde_json::from_slice(&data("pyca/tokens.json")).unwrap();
        Fixture { file }
    }

    fn keys(&self) -> &[Value] {
        self.file["keys"].as_array().unwrap()
    }

    fn text(&self, name: &str) -> &str {
        self.file[name].as_str().unwrap()
    }

    /// A clock one second after the tokens were issued (they expire in 2100).
    fn now(&self) -> u64 {
        self.file["issued_at"].as_u64().unwrap() + 1
    }

    /// Runs `check` with the policy every pyca token meets: its issuer and audience, `sub`
    /// and `iat` present.
    fn with_policy<R>(&self, check: impl FnOnce(&Validation<'_>) -> R) -> R {
        let issuers = [self.text("issuer")];
        let audiences = [self.text("audience")];
        let policy = Validation::new()
            .issuers(&issuers)
            .audiences(&audiences)
            .require(Claim::Sub)
            .require(Claim::Iat);
        check(&policy)
    }
}

fn str_of<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("missing {name}"))
}

fn import(jwk: &Value) -> Result<AnyVerifyingKey, Error> {
    let text = jwk.to_string();
    AnyVerifyingKey::from_jwk(&Jwk::parse(text.as_bytes())?)
}

/// What the tests require of every pyca token beside its signature.
fn check_claims<'t>(
    fixture: &Fixture,
    verified: Result<Claims<'t>, Error>,
    alg: &str,
) -> Result<(), Error> {
    let claims = verified?;
    assert_eq!(
        claims,
        Claims {
            iss: fixture.text("issuer"),
            sub: &format!("pyca-{}", alg.to_lowercase()),
            aud: fixture.text("audience"),
            exp: fixture.file["expires"].as_u64().unwrap(),
            iat: fixture.file["issued_at"].as_u64().unwrap(),
        },
        "{alg}"
    );
    Ok(())
}

/// Verifies `token` with `key` under [`Fixture::with_policy`].
fn verify_with(
    fixture: &Fixture,
    key: &AnyVerifyingKey,
    token: &str,
    alg: &str,
) -> Result<(), Error> {
    let mut buf = vec![0u8; token.len()];
    let verified =
        fixture.with_policy(|policy| jwt_core::verify(token, key, policy, fixture.now(), &mut buf));
    check_claims(fixture, verified, alg)
}

/// [`verify_with`] through a key set, which picks the key by the token's `alg` and `kid`.
fn verify_in<const N: usize>(
    fixture: &Fixture,
    set: &JwkSet<N>,
    token: &str,
    alg: &str,
) -> Result<(), Error> {
    let mut buf = vec![0u8; token.len()];
    let verified = fixture.with_policy(|policy| set.verify(token, policy, fixture.now(), &mut buf));
    check_claims(fixture, verified, alg)
}

/// How a variant must end, verified with the one key of its algorithm (`alone`) or through a
/// key set holding every key of its kind (`in_set`).
struct Expected {
    alone: Result<(), Error>,
    in_set: Result<(), Error>,
    /// The count label of the outcome.
    label: &'static str,
}

fn refused(error: Error, label: &'static str) -> Expected {
    Expected {
        alone: Err(error),
        in_set: Err(error),
        label,
    }
}

/// The outcome each kind of variant calls for. Keys decide the algorithm (RFC 8725 3.1):
/// a token naming another algorithm is refused before its signature is looked at, by the
/// key itself (`AlgorithmMismatch`) or by a set that holds no key of that `alg` and `kid`
/// (`UnknownKey`).
fn expected(alg: &str, variant: &Value) -> Expected {
    match str_of(variant, "kind") {
        "forged_payload" => refused(Error::InvalidSignature, "forged payload refused"),
        "wrong_key" => refused(Error::InvalidSignature, "other key's signature refused"),
        "alg_confused" => match Algorithm::from_name(str_of(variant, "header_alg")) {
            Some(_) => Expected {
                alone: Err(Error::AlgorithmMismatch),
                in_set: Err(Error::UnknownKey),
                label: "algorithm confusion refused",
            },
            // EdDSA's confusion is the fully specified name "Ed25519", not an `alg` here.
            None => refused(
                Error::UnsupportedAlgorithm,
                "algorithm confusion refused (unknown alg)",
            ),
        },
        // The public key (PEM) as an HS256 secret: the classic confusion attack. The set
        // holds asymmetric keys only, so no HS256 key exists in it.
        "hmac_with_public_key" => Expected {
            alone: Err(Error::AlgorithmMismatch),
            in_set: Err(Error::UnknownKey),
            label: "public key as HMAC secret refused",
        },
        "alg_none" => refused(Error::UnsupportedAlgorithm, "alg none refused"),
        // RFC 7518 3.4: ES* signatures are `r || s` of fixed length; DER is refused by its
        // length before any decoding.
        "der_signature" => refused(Error::InvalidSignature, "DER signature refused"),
        // RFC 7518 3.4 (and RFC 8812 for ES256K) do not require a low `s`: `(r, n - s)`
        // is a valid ECDSA signature, accepted as Wycheproof, OpenSSL and jsonwebtoken (for
        // ES256/ES384) do. JWS gives no uniqueness of signatures to rely on anyway.
        "high_s" => Expected {
            alone: Ok(()),
            in_set: Ok(()),
            label: "high-s signature accepted",
        },
        // RFC 7518 3.5: PS* use MGF1 with the same hash and a salt as long as the hash.
        "salt_0" | "salt_max" => refused(Error::InvalidSignature, "other PSS salt length refused"),
        "mgf1_sha1" => refused(Error::InvalidSignature, "PSS with MGF1-SHA-1 refused"),
        other => panic!("{alg}: unknown variant {other}"),
    }
}

#[test]
fn a_pyca_token_of_every_algorithm_verifies_from_its_jwk() {
    let fixture = Fixture::load();
    let algs: Vec<&str> = fixture.keys().iter().map(|k| str_of(k, "alg")).collect();
    assert_eq!(algs, ALGORITHMS);
    for entry in fixture.keys() {
        let alg = str_of(entry, "alg");
        let key = import(&entry["jwk"]).unwrap_or_else(|e| panic!("{alg}: {e:?}"));
        assert_eq!(key.algorithm().name(), alg);
        assert_eq!(Algorithm::from_name(alg), Some(key.algorithm()));
        verify_with(&fixture, &key, str_of(entry, "token"), alg)
            .unwrap_or_else(|e| panic!("{alg}: {e:?}"));
        // The same key without its `alg` member: the key type's default algorithm. RSA
        // keys default to RS256 and oct keys to HS256, so only those tokens still verify;
        // every other key type has one algorithm per curve.
        let mut bare = entry["jwk"].clone();
        bare.as_object_mut().unwrap().remove("alg");
        let default = import(&bare).unwrap();
        let token = str_of(entry, "token");
        let outcome = verify_with(&fixture, &default, token, alg);
        if matches!(
            alg,
            "HS384" | "HS512" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512"
        ) {
            assert_eq!(outcome, Err(Error::AlgorithmMismatch), "{alg} without alg");
        } else {
            assert_eq!(outcome, Ok(()), "{alg} without alg");
        }
    }
}

/// The keys of one kind (symmetric or asymmetric: a set never mixes them) as a JWK Set.
fn set_of(fixture: &Fixture, symmetric: bool) -> JwkSet<16> {
    let keys: Vec<&Value> = fixture
        .keys()
        .iter()
        .filter(|k| str_of(k, "alg").starts_with("HS") == symmetric)
        .map(|k| &k["jwk"])
        .collect();
    let set =
        JwkSet::<16>::parse(serde_json::json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (keys.len(), 0));
    set
}

#[test]
fn key_sets_choose_each_pyca_key_by_alg_and_kid() {
    let fixture = Fixture::load();
    let (symmetric, asymmetric) = (set_of(&fixture, true), set_of(&fixture, false));
    assert_eq!((symmetric.len(), asymmetric.len()), (3, 11));
    for entry in fixture.keys() {
        let alg = str_of(entry, "alg");
        let set = if alg.starts_with("HS") {
            &symmetric
        } else {
            &asymmetric
        };
        verify_in(&fixture, set, str_of(entry, "token"), alg)
            .unwrap_or_else(|e| panic!("{alg}: {e:?}"));
    }
}

#[test]
fn bad_pyca_variants_are_refused_with_their_error() {
    let fixture = Fixture::load();
    let (symmetric, asymmetric) = (set_of(&fixture, true), set_of(&fixture, false));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in fixture.keys() {
        let alg = str_of(entry, "alg");
        let key = import(&entry["jwk"]).unwrap();
        let set = if alg.starts_with("HS") {
            &symmetric
        } else {
            &asymmetric
        };
        for variant in entry["variants"].as_array().unwrap() {
            let kind = str_of(variant, "kind");
            let token = str_of(variant, "token");
            let want = expected(alg, variant);
            assert_eq!(
                verify_with(&fixture, &key, token, alg),
                want.alone,
                "{alg} {kind}: with its key"
            );
            assert_eq!(
                verify_in(&fixture, set, token, alg),
                want.in_set,
                "{alg} {kind}: through the key set"
            );
            *counts.entry(want.label).or_default() += 1;
        }
    }
    let expected: BTreeMap<&str, usize> = [
        ("forged payload refused", 14),
        ("other key's signature refused", 14),
        ("algorithm confusion refused", 13),
        ("algorithm confusion refused (unknown alg)", 1),
        ("public key as HMAC secret refused", 11),
        ("alg none refused", 14),
        ("DER signature refused", 4),
        ("high-s signature accepted", 4),
        ("other PSS salt length refused", 6),
        ("PSS with MGF1-SHA-1 refused", 3),
    ]
    .into_iter()
    .collect();
    assert_eq!(counts, expected, "variant counts changed");
}

#[test]
fn a_high_s_variant_is_the_good_signature_with_s_negated() {
    // Guards the meaning of the accepted `high_s` variants: same `r`, `s' = n - s`, so the
    // test above accepts a second valid signature, not some unrelated token.
    let fixture = Fixture::load();
    let p521_order = format!(
        "01ff{}fffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        "ffffffff".repeat(7)
    );
    let orders: BTreeMap<&str, &str> = [
        ("ES256", "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
        (
            "ES384",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        ),
        (
            "ES512",
            &p521_order,
        ),
        ("ES256K", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
    ]
    .into_iter()
    .collect();
    let mut checked = 0;
    for entry in fixture.keys() {
        let alg = str_of(entry, "alg");
        let Some(order) = orders.get(alg) else {
            continue;
        };
        let order = hex(order);
        for variant in entry["variants"].as_array().unwrap() {
            if str_of(variant, "kind") != "high_s" {
                continue;
            }
            let sig = common::unb64(str_of(variant, "token").rsplit('.').next().unwrap());
            let (r, s) = sig.split_at(order.len());
            // `s` is above n / 2 and below n, and `n - s` is at most n / 2.
            let low = sub_be(&order, s);
            assert!(
                s > low.as_slice() && s < order.as_slice(),
                "{alg}: s is high"
            );
            let mut low_sig = r.to_vec();
            low_sig.extend_from_slice(&low);
            let key = import(&entry["jwk"]).unwrap();
            let (input, _) = str_of(variant, "token").rsplit_once('.').unwrap();
            key.verify_signature(input.as_bytes(), &low_sig)
                .unwrap_or_else(|e| panic!("{alg}: (r, n - s) must verify too: {e:?}"));
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// `a - b` for big-endian numbers of equal length, `a >= b`.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + 256 * borrow) as u8;
    }
    assert_eq!(borrow, 0);
    out
}

#[test]
fn weak_pyca_keys_are_refused_at_import() {
    // RFC 7518 3.3 and 3.5: RSA moduli of at least 2048 bits; 3.2: HMAC secrets at least as
    // long as the hash output.
    let fixture = Fixture::load();
    let weak = fixture.file["weak_keys"].as_array().unwrap();
    let mut kinds = Vec::new();
    for entry in weak {
        let alg = str_of(entry, "alg");
        let jwk_text = entry["jwk"].to_string();
        let jwk = Jwk::parse(jwk_text.as_bytes()).unwrap();
        assert_eq!(
            AnyVerifyingKey::from_jwk(&jwk).unwrap_err(),
            Error::InvalidKey,
            "{alg}"
        );
        // The typed constructors refuse the same material.
        let refused = match (str_of(entry, "kind"), alg) {
            ("rsa_1024", "RS256") => Rs256PublicKey::from_jwk(&jwk).map(drop),
            ("rsa_1024", "PS256") => Ps256PublicKey::from_jwk(&jwk).map(drop),
            ("hmac_short_secret", "HS256") => Hs256Key::new(&secret(&entry["jwk"])).map(drop),
            ("hmac_short_secret", "HS384") => Hs384Key::new(&secret(&entry["jwk"])).map(drop),
            ("hmac_short_secret", "HS512") => Hs512Key::new(&secret(&entry["jwk"])).map(drop),
            other => panic!("unknown weak key {other:?}"),
        };
        assert_eq!(refused, Err(Error::InvalidKey), "{alg}");
        kinds.push(format!("{} {alg}", str_of(entry, "kind")));
    }
    assert_eq!(
        kinds,
        [
            "rsa_1024 RS256",
            "rsa_1024 PS256",
            "hmac_short_secret HS256",
            "hmac_short_secret HS384",
            "hmac_short_secret HS512"
        ]
    );

    // In a key set each weak key is skipped as invalid, and its token finds no key.
    let keys: Vec<&Value> = weak.iter().map(|e| &e["jwk"]).collect();
    let set =
        JwkSet::<8>::parse(serde_json::json!({ "keys": keys }).to_string().as_bytes()).unwrap();
    assert_eq!(set.len(), 0);
    assert_eq!(set.skipped_for(SkipReason::Invalid), weak.len());
    for entry in weak {
        let alg = str_of(entry, "alg");
        assert_eq!(
            verify_in(&fixture, &set, str_of(entry, "token"), alg),
            Err(Error::UnknownKey),
            "{alg}"
        );
    }
}

fn secret(jwk: &Value) -> Vec<u8> {
    common::unb64(str_of(jwk, "k"))
}

/// jsonwebtoken (RustCrypto backend) as a second verifier: on every pyca token of an
/// algorithm both crates implement, good or bad, it reaches the same verdict as jwt-core.
/// In particular it accepts the high-s ES256 and ES384 signatures too, and refuses other PSS
/// salt lengths.
#[test]
fn jsonwebtoken_reaches_the_same_verdict_on_every_shared_algorithm() {
    let fixture = Fixture::load();
    let mut compared = BTreeMap::<&str, usize>::new();
    for entry in fixture.keys() {
        let alg = str_of(entry, "alg");
        // jsonwebtoken has no ES512 and no ES256K.
        let Ok(their_alg) = alg.parse::<jsonwebtoken::Algorithm>() else {
            continue;
        };
        let their_jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(entry["jwk"].clone()).unwrap_or_else(|e| panic!("{alg}: {e}"));
        let their_key = jsonwebtoken::DecodingKey::from_jwk(&their_jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(their_alg);
        validation.set_issuer(&[fixture.text("issuer")]);
        validation.set_audience(&[fixture.text("audience")]);
        let theirs = |token: &str| {
            jsonwebtoken::decode::<Value>(token, &their_key, &validation)
                .map(drop)
                .map_err(|e| e.to_string())
        };
        let our_key = import(&entry["jwk"]).unwrap();
        assert_eq!(theirs(str_of(entry, "token")), Ok(()), "{alg}");
        for variant in entry["variants"].as_array().unwrap() {
            let kind = str_of(variant, "kind");
            let token = str_of(variant, "token");
            let ours = verify_with(&fixture, &our_key, token, alg);
            assert_eq!(
                theirs(token).is_ok(),
                ours.is_ok(),
                "{alg} {kind}: jsonwebtoken {:?}, jwt-core {ours:?}",
                theirs(token)
            );
        }
        *compared.entry(alg).or_default() += 1;
    }
    let algs: Vec<&str> = compared.keys().copied().collect();
    assert_eq!(
        algs,
        [
            "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512", "PS256", "PS384", "PS512",
            "RS256", "RS384", "RS512"
        ]
    );
}
