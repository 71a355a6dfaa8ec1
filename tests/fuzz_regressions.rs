//! Replays every file in `fuzz/regressions/<target>/` and `fuzz/corpus/<target>/` through the
//! fuzz targets' own property checks (`fuzz/src/targets.rs`, compiled here on stable), so
//! anything a campaign found stays fixed in plain `cargo test`.
#![cfg(all(feature = "hmac", feature = "p256", feature = "rsa", feature = "std"))]

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
