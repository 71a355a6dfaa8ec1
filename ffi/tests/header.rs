//! `include/jwt_core.h` is what cbindgen generates from `src/lib.rs` today.

#[test]
fn the_committed_header_is_current() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .unwrap()
        .write(&mut generated);
    let path = format!("{dir}/include/jwt_core.h");
    let committed = std::fs::read(&path).unwrap_or_default();
    if committed != generated {
        if std::env::var_os("JWT_CORE_BLESS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        panic!(
            "include/jwt_core.h is out of date: run `JWT_CORE_BLESS=1 cargo test --test header` \
             in ffi/ and commit the result"
        );
    }
}
