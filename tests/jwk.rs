//! JWK import (checklist V-K1..V-K7), thumbprints (V-T1..V-T3), and the RFC 7515 / RFC 7520
//! JWKs, including private keys that must reproduce the RFCs' signatures byte for byte.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa"))]

mod common;

use common::{data, unb64};
use jwt_core::{
    Algorithm, AnyVerifyingKey, Error, Es256PrivateKey, Es256PublicKey, GrowableJwkSet,
    HeaderFields, Hs256Key, Jwk, JwkSet, Rs256PrivateKey, Rs256PublicKey, SigningKey, SkipReason,
    Validation, VerifyingKey,
};
use serde_json::{Value, json};
use sha2::Digest;

const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const EC_D: &str = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
const OCT_K: &str = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";

fn parse(value: &Value) -> Result<Jwk<'static>, Error> {
    let text: &'static str = Box::leak(value.to_string().into_boxed_str());
    Jwk::parse(text.as_bytes())
}

fn ec(extra: Value) -> Value {
    let mut jwk = json!({"kty":"EC","crv":"P-256","x":EC_X,"y":EC_Y});
    jwk.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    jwk
}

fn rsa_public() -> Value {
    let pair: Value = serde_json::from_slice(&data("rfc7520/jwk/3_3.rsa_public_key.json")).unwrap();
    pair
}

fn es_public(jwk: &Value) -> Result<Es256PublicKey, Error> {
    Es256PublicKey::from_jwk(&parse(jwk)?)
}

#[test]
fn v_k1_kty_is_required_and_case_sensitive() {
    let mut missing = ec(json!({}));
    missing.as_object_mut().unwrap().remove("kty");
    assert_eq!(parse(&missing).unwrap_err(), Error::InvalidKey);
    assert_eq!(
        es_public(&ec(json!({"kty":"ec"}))).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(parse(&json!({"kty": 1})).unwrap_err(), Error::InvalidKey);
    assert_eq!(
        AnyVerifyingKey::from_jwk(&parse(&json!({"kty":"OKP","crv":"Ed25519","x":"AA"})).unwrap())
            .unwrap_err(),
        Error::InvalidKey,
        "an Ed25519 x of one byte"
    );
    // Ed448 is another algorithm's key, never read as Ed25519.
    assert_eq!(
        AnyVerifyingKey::from_jwk(
            &parse(&json!({"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}))
                .unwrap()
        )
        .unwrap_err(),
        Error::UnsupportedAlgorithm
    );
    assert_eq!(
        AnyVerifyingKey::from_jwk(&parse(&json!({"kty":"rsa"})).unwrap()).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
    assert!(es_public(&ec(json!({}))).is_ok());
}

#[test]
fn v_k2_rsa_integers_are_minimal_and_the_key_strong() {
    let good = rsa_public();
    let key = Rs256PublicKey::from_jwk(&parse(&good).unwrap()).unwrap();
    assert_eq!(key.modulus_len(), 256);
    let n = unb64(good["n"].as_str().unwrap());
    let with = |member: &str, bytes: &[u8]| {
        let mut jwk = good.clone();
        jwk[member] = Value::String(common::b64(bytes));
        Rs256PublicKey::from_jwk(&parse(&jwk).unwrap())
    };
    let mut padded = vec![0u8];
    padded.extend_from_slice(&n);
    assert_eq!(
        with("n", &padded).unwrap_err(),
        Error::InvalidKey,
        "leading zero octet"
    );
    assert_eq!(
        with("e", &[0, 1, 0, 1]).unwrap_err(),
        Error::InvalidKey,
        "leading zero octet"
    );
    assert_eq!(with("e", &[]).unwrap_err(), Error::InvalidKey);
    assert_eq!(with("e", &[1]).unwrap_err(), Error::InvalidKey, "e = 1");
    assert_eq!(
        with("e", &[1, 0, 0]).unwrap_err(),
        Error::InvalidKey,
        "even e"
    );
    assert_eq!(
        with("n", &n[..128]).unwrap_err(),
        Error::InvalidKey,
        "1024 bits"
    );
    for member in ["n", "e"] {
        let mut jwk = good.clone();
        jwk.as_object_mut().unwrap().remove(member);
        assert_eq!(
            Rs256PublicKey::from_jwk(&parse(&jwk).unwrap()).unwrap_err(),
            Error::InvalidKey
        );
    }
    let mut padded_b64 = good.clone();
    padded_b64["e"] = json!("AQAB=");
    assert_eq!(
        Rs256PublicKey::from_jwk(&parse(&padded_b64).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn v_k3_ec_coordinates_are_full_size_and_on_the_curve() {
    let x = unb64(EC_X);
    let short = common::b64(&x[1..]);
    let long = common::b64(&[&[0u8][..], &x].concat());
    assert_eq!(
        es_public(&ec(json!({"x": short}))).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        es_public(&ec(json!({"x": long}))).unwrap_err(),
        Error::InvalidKey
    );
    let mut y = unb64(EC_Y);
    y[31] ^= 1;
    assert_eq!(
        es_public(&ec(json!({"y": common::b64(&y)}))).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        es_public(&ec(json!({"crv":"P-384"}))).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
    assert_eq!(
        es_public(&ec(json!({"crv":"p-256"}))).unwrap_err(),
        Error::UnsupportedAlgorithm
    );
    for member in ["crv", "x", "y"] {
        let mut missing = ec(json!({}));
        missing.as_object_mut().unwrap().remove(member);
        assert_eq!(
            es_public(&missing).unwrap_err(),
            Error::InvalidKey,
            "{member}"
        );
    }
}

#[test]
fn v_k4_oct_keys_need_k_of_32_bytes() {
    let oct = |k: &str| Hs256Key::from_jwk(&parse(&json!({"kty":"oct","k":k})).unwrap());
    assert!(oct(OCT_K).is_ok());
    assert_eq!(oct("").unwrap_err(), Error::InvalidKey);
    assert_eq!(oct(&common::b64(&[7; 31])).unwrap_err(), Error::InvalidKey);
    assert!(oct(&common::b64(&[7; 256])).is_ok());
    assert_eq!(
        oct(&common::b64(&[7; 257])).unwrap_err(),
        Error::InvalidKey,
        "over MAX_JWK_LEN"
    );
    assert_eq!(
        Hs256Key::from_jwk(&parse(&json!({"kty":"oct"})).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn v_k5_alg_use_and_key_ops_must_fit_the_use() {
    // use and key_ops together are allowed when consistent, as this pair is.
    assert!(es_public(&ec(json!({"alg":"ES256","use":"sig","key_ops":["verify"]}))).is_ok());
    assert!(es_public(&ec(json!({"alg":"ES256","use":"sig"}))).is_ok());
    assert!(es_public(&ec(json!({"key_ops":["verify"]}))).is_ok());
    assert!(es_public(&ec(json!({"key_ops":["verify","sign"]}))).is_ok());
    for (extra, err) in [
        (json!({"alg":"ES384"}), Error::UnsupportedAlgorithm),
        (json!({"alg":"RS256"}), Error::UnsupportedAlgorithm),
        (json!({"alg":"es256"}), Error::UnsupportedAlgorithm),
        (json!({"use":"enc"}), Error::InvalidKey),
        (json!({"key_ops":["sign"]}), Error::InvalidKey),
        (json!({"key_ops":["verify","verify"]}), Error::InvalidKey),
        (json!({"key_ops":["sign, verify"]}), Error::InvalidKey),
        (json!({"key_ops":"verify"}), Error::InvalidKey),
        (json!({"key_ops":[]}), Error::InvalidKey),
        (
            json!({"use":"sig","key_ops":["verify","encrypt"]}),
            Error::InvalidKey,
        ),
        (json!({"use":1}), Error::InvalidKey),
    ] {
        assert_eq!(es_public(&ec(extra.clone())).unwrap_err(), err, "{extra}");
    }
    // A signing key needs `sign`; an HMAC key, which does both, either.
    let private = |extra: Value| Es256PrivateKey::from_jwk(&parse(&ec(extra)).unwrap());
    assert!(private(json!({"d":EC_D,"key_ops":["sign"]})).is_ok());
    assert_eq!(
        private(json!({"d":EC_D,"key_ops":["verify"]})).unwrap_err(),
        Error::InvalidKey
    );
    let oct = |ops: Value| {
        Hs256Key::from_jwk(&parse(&json!({"kty":"oct","k":OCT_K,"key_ops":ops})).unwrap())
    };
    assert!(oct(json!(["sign"])).is_ok());
    assert!(oct(json!(["verify"])).is_ok());
    assert_eq!(oct(json!(["encrypt"])).unwrap_err(), Error::InvalidKey);
}

#[test]
fn v_k6_unknown_members_ignored_private_members_refused_for_public_keys() {
    let extras = json!({"x5c":["MIIB"],"x5t#S256":"abc","custom":{"nested":[1]},"ext":true});
    assert!(es_public(&ec(extras)).is_ok());
    assert_eq!(
        es_public(&ec(json!({"d":EC_D}))).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        AnyVerifyingKey::from_jwk(&parse(&ec(json!({"d":EC_D}))).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    let private: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_4.rsa_private_key.json")).unwrap();
    assert_eq!(
        Rs256PublicKey::from_jwk(&parse(&private).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    // Duplicate members are refused, as everywhere.
    let dup = format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","x":"{EC_X}"}}"#);
    assert_eq!(Jwk::parse(dup.as_bytes()).unwrap_err(), Error::Json);
    // Member names compare unescaped.
    let escaped = format!(r#"{{"\u006bty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"}}"#);
    assert!(Es256PublicKey::from_jwk(&Jwk::parse(escaped.as_bytes()).unwrap()).is_ok());
}

#[test]
fn v_k6_private_keys_must_match_their_public_members() {
    let key = Es256PrivateKey::from_jwk(&parse(&ec(json!({"d": EC_D}))).unwrap()).unwrap();
    assert_eq!(key.public_key(), es_public(&ec(json!({}))).unwrap());
    let other_d = common::b64(&[0x11; 32]);
    assert_eq!(
        Es256PrivateKey::from_jwk(&parse(&ec(json!({"d": other_d}))).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    let mut rsa: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_4.rsa_private_key.json")).unwrap();
    assert!(Rs256PrivateKey::from_jwk(&parse(&rsa).unwrap()).is_ok());
    let mut d = unb64(rsa["d"].as_str().unwrap());
    d[10] ^= 1;
    rsa["d"] = Value::String(common::b64(&d));
    assert_eq!(
        Rs256PrivateKey::from_jwk(&parse(&rsa).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn v_k7_jwk_sets() {
    let set = |keys: Value| JwkSet::<4>::parse(json!({ "keys": keys }).to_string().as_bytes());
    let ec_a = ec(json!({"kid":"a","alg":"ES256"}));
    let rsa = {
        let mut k = rsa_public();
        k["kid"] = json!("r");
        k
    };
    let unknown = json!({"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"o"});
    let p384 = ec(json!({"crv":"P-384","kid":"p"})); // P-256 coordinates: invalid for P-384
    let s = set(json!([ec_a, rsa, unknown, p384])).unwrap();
    assert_eq!((s.len(), s.skipped()), (2, 2));
    assert_eq!(
        s.iter().map(|(kid, _)| kid).collect::<Vec<_>>(),
        [Some("a"), Some("r")]
    );

    let mut buf = [0u8; 64];
    let header = |text: &str, buf: &mut [u8; 64]| -> (Algorithm, Option<String>) {
        let token = format!("{}.e30.sig", common::b64(text.as_bytes()));
        let h = jwt_core::decode_header(&token, buf).unwrap();
        (h.alg, h.kid.map(|k| k.to_string()))
    };
    let (alg, _) = header(r#"{"alg":"ES256","kid":"a"}"#, &mut buf);
    assert_eq!(alg, Algorithm::Es256);
    let select = |s: &JwkSet<4>, alg, kid: Option<&str>| {
        let text = kid
            .map(|k| format!(r#"{{"alg":"HS256","kid":"{k}"}}"#))
            .unwrap_or_else(|| r#"{"alg":"HS256"}"#.into());
        let mut buf = [0u8; 64];
        let token = format!("{}.e30.sig", common::b64(text.as_bytes()));
        let h = jwt_core::decode_header(&token, &mut buf).unwrap();
        s.select(alg, h.kid).map(|k| k.algorithm())
    };
    assert_eq!(
        select(&s, Algorithm::Es256, Some("a")),
        Ok(Algorithm::Es256)
    );
    assert_eq!(
        select(&s, Algorithm::Rs256, Some("r")),
        Ok(Algorithm::Rs256)
    );
    assert_eq!(
        select(&s, Algorithm::Rs256, Some("a")),
        Err(Error::UnknownKey),
        "kid of another alg"
    );
    assert_eq!(
        select(&s, Algorithm::Es256, Some("A")),
        Err(Error::UnknownKey),
        "kid is case-sensitive"
    );
    assert_eq!(
        select(&s, Algorithm::Es256, None),
        Ok(Algorithm::Es256),
        "the only ES256 key"
    );
    assert_eq!(select(&s, Algorithm::Hs256, None), Err(Error::UnknownKey));

    // Two keys of one algorithm: without a kid the choice is ambiguous.
    let ec_b = ec(json!({"kid":"b"}));
    let two = set(json!([ec(json!({"kid":"a"})), ec_b])).unwrap();
    assert_eq!(
        select(&two, Algorithm::Es256, None),
        Err(Error::AmbiguousKey)
    );
    assert_eq!(
        select(&two, Algorithm::Es256, Some("b")),
        Ok(Algorithm::Es256)
    );
    // The same kid on two usable keys of one algorithm: ambiguous, never tried in turn.
    let dup = set(json!([ec(json!({"kid":"a"})), ec(json!({"kid":"a"}))])).unwrap();
    assert_eq!(
        select(&dup, Algorithm::Es256, Some("a")),
        Err(Error::AmbiguousKey)
    );
    // A skipped key declared for another use takes no part in selection, also when it shares
    // its kid with a usable one (V-K7: candidates are filtered by kty, alg and use): see
    // `v_k7_a_kid_shared_with_a_skipped_key_selects_the_usable_one`. One declared for this
    // algorithm and use, skipped for its material, makes the kid ambiguous, in either order.
    for keys in [
        json!([ec(json!({"kid":"a"})), ec(json!({"kid":"a","x":"AAAA"}))]),
        json!([ec(json!({"kid":"a","x":"AAAA"})), ec(json!({"kid":"a"}))]),
    ] {
        let shadowed = set(keys).unwrap();
        assert_eq!((shadowed.len(), shadowed.skipped()), (1, 1));
        assert_eq!(
            select(&shadowed, Algorithm::Es256, Some("a")),
            Err(Error::AmbiguousKey)
        );
        assert_eq!(
            select(&shadowed, Algorithm::Es256, None),
            Ok(Algorithm::Es256),
            "a token without kid picks the only usable key of its algorithm"
        );
    }
    let with_enc = set(json!([
        ec(json!({"kid":"a"})),
        ec(json!({"kid":"a","use":"enc"}))
    ]))
    .unwrap();
    assert_eq!((with_enc.len(), with_enc.skipped()), (1, 1));
    assert_eq!(
        select(&with_enc, Algorithm::Es256, Some("a")),
        Ok(Algorithm::Es256)
    );

    // Fatal: a document that is not a JWK Set (no keys member, keys not an array), symmetric
    // mixed with asymmetric, more usable keys than capacity.
    assert_eq!(JwkSet::<4>::parse(b"{}").unwrap_err(), Error::InvalidKey);
    assert_eq!(
        JwkSet::<4>::parse(br#"{"keys":{}}"#).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(JwkSet::<4>::parse(b"[]").unwrap_err(), Error::Json);
    assert_eq!(
        set(json!([ec_a, {"kty":"oct","k":OCT_K}])).unwrap_err(),
        Error::InvalidKey
    );
    let five: Vec<Value> = (0..5)
        .map(|i| ec(json!({"kid": format!("k{i}")})))
        .collect();
    assert_eq!(set(json!(five)).unwrap_err(), Error::BufferTooSmall);
    // A kid longer than MAX_KID_LEN makes that key unusable.
    let long = set(json!([ec(
        json!({"kid": "k".repeat(jwt_core::MAX_KID_LEN + 1)})
    )]))
    .unwrap();
    assert_eq!((long.len(), long.skipped()), (0, 1));
}

#[test]
fn v_k5_key_ops_direction_is_honoured() {
    // An oct key does only what its key_ops allows: a verify-only key never signs, a
    // sign-only key never verifies nor imports as a verifying key.
    let oct = |ops: Value| parse(&json!({"kty":"oct","k":OCT_K,"key_ops":ops})).unwrap();
    let both = Hs256Key::from_jwk(&oct(json!(["sign", "verify"]))).unwrap();
    let mut sig = [0u8; 32];
    both.sign_signature(b"input", &mut sig).unwrap();
    assert_eq!(both.verify_signature(b"input", &sig), Ok(()));

    let verify_only = Hs256Key::from_jwk(&oct(json!(["verify"]))).unwrap();
    assert_eq!(verify_only.verify_signature(b"input", &sig), Ok(()));
    assert_eq!(
        verify_only.sign_signature(b"input", &mut [0u8; 32]),
        Err(Error::InvalidKey)
    );
    let mut out = [0u8; 256];
    assert_eq!(
        jwt_core::sign(
            &verify_only,
            &HeaderFields::new(),
            &json!({"exp":1}),
            &mut out
        )
        .unwrap_err(),
        Error::InvalidKey
    );

    let sign_only = Hs256Key::from_jwk(&oct(json!(["sign"]))).unwrap();
    assert_eq!(sign_only.sign_signature(b"input", &mut [0u8; 32]), Ok(32));
    assert_eq!(
        sign_only.verify_signature(b"input", &sig),
        Err(Error::InvalidKey)
    );
    assert_eq!(
        AnyVerifyingKey::from_jwk(&oct(json!(["sign"]))).unwrap_err(),
        Error::InvalidKey
    );
    assert!(AnyVerifyingKey::from_jwk(&oct(json!(["verify"]))).is_ok());
    // Without key_ops, both.
    let plain = Hs256Key::from_jwk(&parse(&json!({"kty":"oct","k":OCT_K})).unwrap()).unwrap();
    assert_eq!(plain.sign_signature(b"input", &mut [0u8; 32]), Ok(32));
    assert_eq!(plain.verify_signature(b"input", &sig), Ok(()));
    // Asymmetric keys: a private key needs `sign`, a public key `verify`.
    let ec_private = ec(json!({"d": EC_D, "key_ops": ["verify"]}));
    assert_eq!(
        Es256PrivateKey::from_jwk(&parse(&ec_private).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    let ec_public = ec(json!({"key_ops": ["sign"]}));
    assert_eq!(
        Es256PublicKey::from_jwk(&parse(&ec_public).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    let mut rsa = rsa_public();
    rsa["key_ops"] = json!(["sign"]);
    assert_eq!(
        Rs256PublicKey::from_jwk(&parse(&rsa).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
}

#[test]
fn v_k7_one_unusable_key_never_takes_the_set_down() {
    // Each of these elements is skipped with its reason; the usable key still verifies.
    let usable = ec(json!({"kid":"good"}));
    let cases = [
        (json!(1), SkipReason::Unreadable),
        (json!("key"), SkipReason::Unreadable),
        (json!([usable.clone()]), SkipReason::Unreadable),
        (json!(null), SkipReason::Unreadable),
        (ec(json!({"kid":7})), SkipReason::Unreadable),
        (ec(json!({"alg":null})), SkipReason::Unreadable),
        (ec(json!({"use":["sig"]})), SkipReason::Unreadable),
        (json!({"kid":"no kty"}), SkipReason::Unreadable),
        (
            json!({"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
            SkipReason::Unsupported,
        ),
        (ec(json!({"alg":"ECDH-ES"})), SkipReason::Unsupported),
        (ec(json!({"crv":"P-192"})), SkipReason::Unsupported),
        (ec(json!({"crv":"P-384"})), SkipReason::Invalid),
        (ec(json!({"use":"enc"})), SkipReason::Invalid),
        (ec(json!({"key_ops":["encrypt"]})), SkipReason::Invalid),
        (ec(json!({"x":"AAAA"})), SkipReason::Invalid),
        (
            ec(json!({"kid": "k".repeat(jwt_core::MAX_KID_LEN + 1)})),
            SkipReason::KidTooLong,
        ),
    ];
    for (bad, reason) in cases {
        for keys in [json!([bad, usable]), json!([usable, bad])] {
            let doc = json!({ "keys": keys }).to_string();
            let fixed = JwkSet::<2>::parse(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
            let growable = GrowableJwkSet::parse(doc.as_bytes()).unwrap();
            for (len, skipped, for_reason) in [
                (fixed.len(), fixed.skipped(), fixed.skipped_for(reason)),
                (
                    growable.len(),
                    growable.skipped(),
                    growable.skipped_for(reason),
                ),
            ] {
                assert_eq!((len, skipped, for_reason), (1, 1, 1), "{doc}");
            }
            assert_eq!(fixed.iter().next().unwrap().0, Some("good"));
        }
    }
}

#[test]
fn each_of_a_hundred_keys_is_chosen_by_its_kid_in_any_spelling() {
    // Distinct keys (each a multiple of the generator), so the key chosen is identifiable.
    let keys: Vec<(String, Es256PublicKey)> = (1..=100u8)
        .map(|i| {
            let mut scalar = [0u8; 32];
            scalar[31] = i;
            let public = Es256PrivateKey::from_bytes(&scalar).unwrap().public_key();
            (format!("k{i}"), public)
        })
        .collect();
    let jwks: Vec<Value> = keys
        .iter()
        .map(|(kid, key)| {
            let point = key.to_sec1_bytes();
            json!({"kty":"EC","crv":"P-256","kid":kid,
                   "x":common::b64(&point[1..33]),"y":common::b64(&point[33..65])})
        })
        .collect();
    let doc = json!({ "keys": jwks }).to_string();
    let set = JwkSet::<100>::parse(doc.as_bytes()).unwrap();
    let growable = GrowableJwkSet::parse(doc.as_bytes()).unwrap();
    let chosen = |header: &str| {
        let token = format!("{}.e30.sig", common::b64(header.as_bytes()));
        let mut buf = [0u8; 128];
        let h = jwt_core::decode_header(&token, &mut buf).unwrap();
        let fixed = set.select(h.alg, h.kid).map(|k| format!("{k:?}"));
        let heap = growable.select(h.alg, h.kid).map(|k| format!("{k:?}"));
        assert_eq!(fixed, heap, "{header}");
        fixed
    };
    for (kid, key) in &keys {
        let expected = Ok(format!("{:?}", AnyVerifyingKey::from(key.clone())));
        assert_eq!(
            chosen(&format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#)),
            expected
        );
        let escaped = format!(r#"{{"alg":"ES256","kid":"\u006b{}"}}"#, &kid[1..]);
        assert_eq!(chosen(&escaped), expected, "{escaped}");
    }
    for (header, error) in [
        (r#"{"alg":"ES256","kid":"k101"}"#, Error::UnknownKey),
        (r#"{"alg":"ES256","kid":"k1 "}"#, Error::UnknownKey),
        (r#"{"alg":"RS256","kid":"k1"}"#, Error::UnknownKey),
        (r#"{"alg":"ES256"}"#, Error::AmbiguousKey),
    ] {
        assert_eq!(chosen(header), Err(error), "{header}");
    }
}

#[test]
fn key_sets_of_megabytes_load_whatever_their_member_order() {
    // A key 70 KiB long (a vendor member pads it) moves what follows past 64 KiB; a whole
    // document of 4 MiB and more, with members before and after the keys.
    let padded = ec(json!({"kid":"padded", "x-vendor": "p".repeat(70 * 1024)}));
    let many: Vec<Value> = (0..12)
        .map(|i| ec(json!({"kid": format!("k{i}"), "x-vendor": "q".repeat(350 * 1024)})))
        .collect();
    let big = json!(many).to_string();
    assert!(big.len() > 4 << 20);
    let padded = json!([padded]).to_string();
    for (keys, count) in [(padded.as_str(), 1), (big.as_str(), 12)] {
        for doc in [
            format!(r#"{{"keys":{keys},"other":1}}"#),
            format!(r#"{{"other":1,"keys":{keys}}}"#),
            format!(r#"{{"before":[1],"keys":{keys},"after":{{"x":2}}}}"#),
        ] {
            let growable = GrowableJwkSet::parse(doc.as_bytes()).unwrap();
            assert_eq!((growable.len(), growable.skipped()), (count, 0));
            let fixed = JwkSet::<12>::parse(doc.as_bytes()).unwrap();
            assert_eq!(fixed.len(), count);
            // A second `keys` member is found wherever the first one ends.
            let repeated = doc.replacen('{', r#"{"keys":[],"#, 1);
            assert_eq!(
                GrowableJwkSet::parse(repeated.as_bytes()).unwrap_err(),
                Error::Json
            );
        }
    }
}

#[test]
fn v_k7_a_kid_shared_with_a_skipped_key_selects_the_usable_one() {
    // A usable ES256 key and an encryption key (skipped) of other material under the same
    // kid: a token naming the kid is verified with the usable key, so one signed with the
    // other key's private half is refused by its signature, never accepted.
    let signer = Es256PrivateKey::from_bytes(&unb64(EC_D)).unwrap();
    let other = Es256PrivateKey::from_bytes(&[0x11; 32]).unwrap();
    let sec1 = other.public_key().to_sec1_bytes();
    let other_jwk = json!({"kty":"EC","crv":"P-256","use":"enc","kid":"a",
        "x": common::b64(&sec1[1..33]), "y": common::b64(&sec1[33..])});
    for keys in [
        json!([ec(json!({"kid":"a"})), other_jwk]),
        json!([other_jwk, ec(json!({"kid":"a"}))]),
    ] {
        let doc = json!({ "keys": keys }).to_string();
        let set = JwkSet::<2>::parse(doc.as_bytes()).unwrap();
        assert_eq!((set.len(), set.skipped()), (1, 1));
        let claims = json!({"sub":"alice","exp":1900000000});
        let fields = HeaderFields::new().kid("a");
        let mut out = [0u8; 512];
        let mut buf = [0u8; 512];
        let policy = Validation::new();
        let good = jwt_core::sign(&signer, &fields, &claims, &mut out)
            .unwrap()
            .to_owned();
        let got: Value = set.verify(&good, &policy, common::NOW, &mut buf).unwrap();
        assert_eq!(got["sub"], "alice");
        let forged = jwt_core::sign(&other, &fields, &claims, &mut out)
            .unwrap()
            .to_owned();
        assert_eq!(
            set.verify::<Value>(&forged, &policy, common::NOW, &mut buf)
                .unwrap_err(),
            Error::InvalidSignature
        );
    }
}

fn sha256_b64(text: &str) -> String {
    common::b64(&sha2::Sha256::digest(text.as_bytes()))
}

fn thumbprint(jwk: &Value) -> String {
    common::b64(&parse(jwk).unwrap().thumbprint().unwrap())
}

#[test]
fn v_t1_v_t2_v_t3_thumbprints() {
    // V-T2: RFC 7638 section 3.1.
    let rfc = json!({"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
    assert_eq!(
        thumbprint(&rfc),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // V-T1: only required members, lexicographic order, no whitespace, for each kty.
    assert_eq!(
        thumbprint(&ec(json!({"kid":"x","use":"sig"}))),
        sha256_b64(&format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{EC_X}","y":"{EC_Y}"}}"#
        ))
    );
    assert_eq!(
        thumbprint(&json!({"kty":"oct","k":OCT_K,"alg":"HS256"})),
        sha256_b64(&format!(r#"{{"k":"{OCT_K}","kty":"oct"}}"#))
    );
    // V-T3: a private JWK has the thumbprint of its public key.
    assert_eq!(
        thumbprint(&ec(json!({"d":EC_D}))),
        thumbprint(&ec(json!({})))
    );
    let private: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_4.rsa_private_key.json")).unwrap();
    assert_eq!(thumbprint(&private), thumbprint(&rsa_public()));
    // Escaped member values hash as their unescaped text... and base64url needs no escapes,
    // so an escaped one is refused rather than silently hashed differently.
    let escaped = format!(r#"{{"kty":"oct","k":"{}\u0041"}}"#, &OCT_K[..42]);
    assert_eq!(
        Jwk::parse(escaped.as_bytes())
            .unwrap()
            .thumbprint()
            .unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        parse(&json!({"kty":"OKP","x":"AA"}))
            .unwrap()
            .thumbprint()
            .unwrap_err(),
        Error::InvalidKey,
        "an OKP key without crv"
    );
    assert_eq!(
        parse(&json!({"kty":"oth","x":"AA"}))
            .unwrap()
            .thumbprint()
            .unwrap_err(),
        Error::UnsupportedAlgorithm
    );
}

#[test]
fn rfc_private_jwks_reproduce_the_rfc_signatures() {
    let file: Value = serde_json::from_slice(&data("rfc7515_appendix_a.json")).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    for vector in vectors {
        let token = vector["token"].as_str().unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = unb64(sig);
        let jwk = parse(&vector["jwk"]).unwrap();
        let name = vector["name"].as_str().unwrap();
        let mut out = [0u8; 512];
        match vector["alg"].as_str().unwrap() {
            "HS256" => {
                let key = Hs256Key::from_jwk(&jwk).unwrap();
                let n = key.sign_signature(input.as_bytes(), &mut out).unwrap();
                assert_eq!(&out[..n], sig.as_slice(), "{name}");
            }
            "RS256" => {
                // PKCS#1 v1.5 is deterministic: A.2 is reproduced byte for byte.
                let key = Rs256PrivateKey::from_jwk(&jwk).unwrap();
                let n = key.sign_signature(input.as_bytes(), &mut out).unwrap();
                assert_eq!(&out[..n], sig.as_slice(), "{name}");
            }
            "ES256" => {
                // ECDSA in the RFC used a random nonce; ours is RFC 6979. Both verify.
                let key = Es256PrivateKey::from_jwk(&jwk).unwrap();
                key.public_key()
                    .verify_signature(input.as_bytes(), &sig)
                    .unwrap();
                let n = key.sign_signature(input.as_bytes(), &mut out).unwrap();
                key.public_key()
                    .verify_signature(input.as_bytes(), &out[..n])
                    .unwrap();
            }
            other => panic!("{other}"),
        }
    }
    // RFC 7520 4.1: the private key of 3.4 reproduces the RS256 signature.
    let example: Value =
        serde_json::from_slice(&data("rfc7520/jws/4_1.rsa_v15_signature.json")).unwrap();
    let private =
        parse(&serde_json::from_slice(&data("rfc7520/jwk/3_4.rsa_private_key.json")).unwrap())
            .unwrap();
    let key = Rs256PrivateKey::from_jwk(&private).unwrap();
    let input = example["signing"]["sig-input"].as_str().unwrap();
    let mut out = [0u8; 256];
    let n = key.sign_signature(input.as_bytes(), &mut out).unwrap();
    assert_eq!(
        common::b64(&out[..n]),
        example["signing"]["sig"].as_str().unwrap()
    );
    // RFC 7520 3.1 is a P-521 public key: ES512; 3.2, its private key, is not a verifying key.
    let public: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_1.ec_public_key.json")).unwrap();
    let key = AnyVerifyingKey::from_jwk(&parse(&public).unwrap()).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Es512);
    let private: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_2.ec_private_key.json")).unwrap();
    assert_eq!(
        AnyVerifyingKey::from_jwk(&parse(&private).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    let signer = jwt_core::Es512PrivateKey::from_jwk(&parse(&private).unwrap()).unwrap();
    assert_eq!(
        AnyVerifyingKey::from(signer.public_key()).algorithm(),
        Algorithm::Es512
    );
    // RFC 7520 3.5 verifies 4.4 through AnyVerifyingKey.
    let oct: Value =
        serde_json::from_slice(&data("rfc7520/jwk/3_5.symmetric_key_mac_computation.json"))
            .unwrap();
    let key = AnyVerifyingKey::from_jwk(&parse(&oct).unwrap()).unwrap();
    let example: Value =
        serde_json::from_slice(&data("rfc7520/jws/4_4.hmac-sha2_integrity_protection.json"))
            .unwrap();
    let token = example["output"]["compact"].as_str().unwrap();
    let mut buf = vec![0u8; token.len()];
    assert!(jwt_core::verify_jws(token, &key, &mut buf).is_ok());
}

#[test]
fn v_r1_roca_fingerprinted_rsa_keys_are_refused() {
    // Wycheproof json_web_key_test.json tcId 7: a 2048-bit key from the Infineon library
    // (CVE-2017-15361). Everything else about it is valid: the token it signed verifies
    // under the same modulus read without the fingerprint check (via `rsa` directly).
    let file: Value = serde_json::from_slice(&data("wycheproof/json_web_key_test.json")).unwrap();
    let group = file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["tests"][0]["tcId"] == 7)
        .unwrap();
    let jwk = &group["private"]["keys"][0];
    // A 2049-bit modulus with e = 65537: size, exponent and encoding rules all pass, so the
    // fingerprint is the only rule that can refuse it.
    let n = unb64(jwk["n"].as_str().unwrap());
    let e = unb64(jwk["e"].as_str().unwrap());
    assert_eq!((n.len(), n[0], e.as_slice()), (257, 1, &[1, 0, 1][..]));
    let public = json!({"kty":"RSA","n":jwk["n"],"e":jwk["e"]});
    assert_eq!(
        Rs256PublicKey::from_jwk(&parse(&public).unwrap()).unwrap_err(),
        Error::InvalidKey
    );
    assert_eq!(
        Rs256PublicKey::from_components(&n, &e).unwrap_err(),
        Error::InvalidKey
    );
    // Our own 2048-bit test key has no fingerprint.
    assert!(Rs256PublicKey::from_public_key_der(&data("keys/rsa2048.pub.spki.der")).is_ok());

    use rsa::signature::Verifier;
    let raw = rsa::RsaPublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(&n),
        rsa::BoxedUint::from_be_slice_vartime(&e),
    )
    .unwrap();
    let token = group["tests"][0]["jws"].as_str().unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = rsa::pkcs1v15::Signature::try_from(unb64(sig).as_slice()).unwrap();
    rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(raw)
        .verify(input.as_bytes(), &sig)
        .unwrap();
}

#[test]
fn debug_output_never_shows_key_material() {
    let jwk = parse(&ec(json!({"d": EC_D, "kid": "k1"}))).unwrap();
    let shown = format!("{jwk:?}");
    assert!(
        shown.contains("k1") && shown.contains("private: true"),
        "{shown}"
    );
    assert!(!shown.contains(EC_D) && !shown.contains(EC_X), "{shown}");
    let oct = parse(&json!({"kty":"oct","k":OCT_K})).unwrap();
    assert!(!format!("{oct:?}").contains(OCT_K));
    let key = Hs256Key::from_jwk(&oct).unwrap();
    assert_eq!(format!("{key:?}"), r#"HmacKey { alg: "HS256", .. }"#);
    let private = Es256PrivateKey::from_jwk(&jwk).unwrap();
    assert_eq!(
        format!("{private:?}"),
        r#"EcdsaPrivateKey { alg: "ES256", .. }"#
    );
}

#[test]
fn keys_that_cannot_be_imported_take_no_part_in_the_symmetric_asymmetric_rule() {
    let set = |keys: Value| JwkSet::<4>::parse(json!({ "keys": keys }).to_string().as_bytes());
    // One provider key beside an `oct` member that cannot be used: the member is skipped.
    for broken in [
        json!({"kty":"oct"}),
        json!({"kty":"oct","k":"AAAA"}),
        json!({"kty":"oct","use":"enc","k":OCT_K}),
        json!({"kty":"oct","alg":"A256GCM","k":OCT_K}),
        json!({"kty":"oct","key_ops":["sign"],"k":OCT_K}),
    ] {
        let keys = set(json!([ec(json!({"kid":"a"})), broken])).unwrap();
        assert_eq!((keys.len(), keys.skipped()), (1, 1), "{broken}");
    }
    // And the other way round: a usable secret beside a broken EC key.
    let keys = set(json!([{"kty":"oct","k":OCT_K}, ec(json!({"x":"AAAA"}))])).unwrap();
    assert_eq!((keys.len(), keys.skipped()), (1, 1));
    // Usable keys of both kinds still refuse the whole set.
    assert_eq!(
        set(json!([ec(json!({})), {"kty":"oct","k":OCT_K}])).unwrap_err(),
        Error::InvalidKey
    );
}
