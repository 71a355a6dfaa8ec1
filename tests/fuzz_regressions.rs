//! Replays every file in `fuzz/regressions/<target>/` and `fuzz/corpus/<target>/` through the
//! fuzz targets' own property checks (`fuzz/src/targets.rs`, compiled here on stable), so
//! anything a campaign found stays fixed in plain `cargo test`.
#![cfg(all(
    feature = "std",
    feature = "hmac",
    feature = "hmac-sha512",
    feature = "rsa",
    feature = "p256",
    feature = "p384",
    feature = "p521",
    feature = "k256",
    feature = "ed25519"
))]

#[path = "../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

fn inputs(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds_and_they_pass() {
    for target in targets::TARGETS {
        let seeds = inputs("corpus", target);
        assert!(!seeds.is_empty(), "no seed corpus for {target}");
        for (path, data) in seeds {
            let outcome = std::panic::catch_unwind(|| targets::run(target, &data));
            assert!(outcome.is_ok(), "{target}: {path} fails its property");
        }
    }
}

#[test]
fn regressions_stay_fixed() {
    let mut replayed = 0;
    for target in targets::TARGETS {
        for (path, data) in inputs("regressions", target) {
            let outcome = std::panic::catch_unwind(|| targets::run(target, &data));
            assert!(outcome.is_ok(), "{target}: regression {path} fails again");
            replayed += 1;
        }
    }
    println!("{replayed} regression inputs replayed");
}

#[test]
fn valid_seed_tokens_are_accepted() {
    // The verify targets' seeds include tokens signed with the targets' keys; if the keys or
    // clock drifted apart, the fuzzers would never reach the accepting path.
    use jwt_core::Validation;
    let mut buf = [0u8; 4096];
    let token = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/verify_hs256/seed-plain-jwt"),
    )
    .unwrap();
    let result = jwt_core::verify::<targets::Claims, _>(
        &token,
        &targets::hs256_key(),
        &Validation::new(),
        targets::NOW,
        &mut buf,
    );
    assert!(result.is_ok(), "{result:?}");
}

/// The family targets' seeds include a token of every key the targets hold, each accepted by
/// that key (so each algorithm's accepting path is reached), and pyca/cryptography's token of
/// every algorithm, whose signature pyca's key accepts (its bad variants beside it then reach
/// the signature checks).
#[test]
fn every_family_targets_seeds_reach_every_key() {
    use jwt_core::{Validation, VerifyingKey};
    let family = |kty: &str| match kty {
        "oct" => "verify_hmac",
        "RSA" => "verify_rsa",
        "EC" => "verify_ecdsa",
        _ => "verify_eddsa",
    };
    let seed = |target: &str, name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target)
            .join(format!("seed-{name}"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut buf = [0u8; 4096];
    for (i, signer) in targets::signers().iter().enumerate() {
        let alg = signer.verifier.key.algorithm();
        let bits = if i >= targets::ALGORITHMS.len() {
            "-2049"
        } else {
            ""
        };
        let name = format!("{}{bits}-plain-jwt", alg.name().to_ascii_lowercase());
        let token = seed(family(alg.kty()), &name);
        let result = jwt_core::verify::<targets::Claims, _>(
            &token,
            &signer.verifier.key,
            &Validation::new(),
            targets::NOW,
            &mut buf,
        );
        assert!(result.is_ok(), "{name}: {result:?}");
    }
    for verifier in targets::pyca_verifiers() {
        let alg = verifier.key.algorithm();
        let name = format!("pyca-{}", alg.name().to_ascii_lowercase());
        let token = seed(family(alg.kty()), &name);
        let result = jwt_core::verify_jws(&token, &verifier.key, &mut buf);
        assert!(result.is_ok(), "{name}: {result:?}");
    }
    assert_eq!(targets::pyca_verifiers().len(), targets::ALGORITHMS.len());
}
