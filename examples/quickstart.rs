//! Signs and verifies a token with each algorithm, then shows a few refusals.
//!
//! Run with `cargo run --example quickstart`.

use jwt_core::{
    Error, Es256PrivateKey, HeaderFields, Hs256Key, Rs256PrivateKey, SigningKey, Validation,
    VerifyingKey,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: u64,
    scope: &'a str,
}

const NOW: u64 = 1_800_000_000;

const POLICY: Validation = Validation::new()
    .issuers(&["https://auth.example"])
    .audiences(&["https://api.example"])
    .typ("at+jwt");

fn demo(signer: &impl SigningKey, verifier: &impl VerifyingKey) -> Result<(), Error> {
    let claims = Claims {
        iss: "https://auth.example",
        sub: "alice",
        aud: "https://api.example",
        exp: NOW + 300,
        scope: "orders:read",
    };
    let mut token_buf = [0u8; 1024];
    let fields = HeaderFields::new().typ("at+jwt").kid("demo-key");
    let token = jwt_core::sign(signer, &fields, &claims, &mut token_buf)?;
    let alg = signer.algorithm();
    println!(
        "{alg}: signed a {}-byte token: {}...",
        token.len(),
        &token[..48]
    );

    let mut header_buf = [0u8; 128];
    let header = jwt_core::decode_header(token, &mut header_buf)?;
    println!(
        "{alg}: header says alg={} kid={:?} (unverified)",
        header.alg,
        header.kid.map(|k| k.raw())
    );

    let mut buf = [0u8; 512];
    let verified: Claims = jwt_core::verify(token, verifier, &POLICY, NOW, &mut buf)?;
    println!(
        "{alg}: verified sub={} scope={:?}",
        verified.sub, verified.scope
    );

    let expired = jwt_core::verify::<Claims, _>(token, verifier, &POLICY, NOW + 400, &mut buf);
    println!(
        "{alg}: the same token ten minutes later: {}",
        expired.unwrap_err()
    );
    Ok(())
}

fn main() -> Result<(), Error> {
    let hs = Hs256Key::new(b"a demo HS256 secret: 32 bytes or more")?;
    demo(&hs, &hs)?;

    let es = Es256PrivateKey::from_bytes(&[0x5A; 32])?;
    demo(&es, &es.public_key())?;

    let rs =
        Rs256PrivateKey::from_pkcs8_der(include_bytes!("../tests/data/keys/rsa2048.pkcs8.der"))?;
    demo(&rs, &rs.public_key())?;

    // The key decides the algorithm: an HS256 token is refused by an ES256 key.
    let mut out = [0u8; 512];
    let claims = Claims {
        iss: "x",
        sub: "y",
        aud: "z",
        exp: NOW + 1,
        scope: "",
    };
    let token = jwt_core::sign(&hs, &HeaderFields::new(), &claims, &mut out)?;
    let mut buf = [0u8; 512];
    let wrong = jwt_core::verify::<Claims, _>(token, &es.public_key(), &POLICY, NOW, &mut buf);
    println!(
        "HS256 token checked with an ES256 key: {}",
        wrong.unwrap_err()
    );
    Ok(())
}
