//! Replays the `ffi_verify` fuzz corpus and regressions (`fuzz/corpus/ffi_verify/`,
//! `fuzz/regressions/ffi_verify/`) through the target's own property check, compiled here
//! on stable, so what a campaign found stays checked by `cargo test`.

#[path = "../../fuzz/src/ffi.rs"]
mod target;

use std::path::Path;

#[test]
fn the_ffi_verify_corpus_keeps_its_property() {
    let mut replayed = 0;
    for folder in ["corpus", "regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz")
            .join(folder)
            .join("ffi_verify");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target::ffi_verify(&data));
            assert!(
                outcome.is_ok(),
                "{} fails the ffi_verify property",
                path.display()
            );
            replayed += 1;
        }
    }
    assert!(
        replayed >= 100,
        "the seed corpus is there ({replayed} inputs)"
    );
}
