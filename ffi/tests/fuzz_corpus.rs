//! Replays the corpora and regressions of the C interface's fuzz targets
//! (`fuzz/corpus/ffi_verify/`, `fuzz/corpus/ffi_gateway/`, and `fuzz/regressions/...`)
//! through the targets' own property checks, compiled here on stable, so what a campaign
//! found stays checked by `cargo test`.

#[path = "../../fuzz/src/ffi.rs"]
mod target;

use std::path::Path;

/// Runs `property` on every input of `target`'s corpus and regressions; how many there were.
fn replay(target: &str, property: fn(&[u8])) -> usize {
    let mut replayed = 0;
    for folder in ["corpus", "regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz")
            .join(folder)
            .join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| property(&data));
            assert!(
                outcome.is_ok(),
                "{} fails the {target} property",
                path.display()
            );
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn the_ffi_verify_corpus_keeps_its_property() {
    let replayed = replay("ffi_verify", target::ffi_verify);
    // The corpus as fuzz/minimize.sh leaves it: 35 inputs.
    assert!(
        replayed >= 35,
        "the seed corpus is there ({replayed} inputs)"
    );
}

#[test]
fn the_ffi_gateway_corpus_keeps_its_property() {
    let replayed = replay("ffi_gateway", target::ffi_gateway);
    assert!(
        replayed >= 10,
        "the seed corpus is there ({replayed} inputs)"
    );
}
