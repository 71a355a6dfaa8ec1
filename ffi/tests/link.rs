//! How C projects link the library: `install.sh` with its pkg-config file, and the Make
//! snippet `jwt_core.mk`. Each builds `examples/link/main.c` against the static library cargo
//! built for this test, and runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder where cargo put this package's libraries for this test.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    assert!(
        dir.join("libjwt_core_ffi.a").exists(),
        "cargo test built the static library"
    );
    dir
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jwt-core-link-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{command:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[test]
fn a_c_program_links_through_pkg_config() {
    if Command::new("pkg-config")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED: pkg-config is not installed");
        return;
    }
    let prefix = scratch("prefix");
    run(Command::new("sh")
        .arg(manifest().join("install.sh"))
        .arg(&prefix)
        .env("LIB_DIR", lib_dir()));
    let pc_path = prefix.join("lib/pkgconfig");
    let flags = run(Command::new("pkg-config")
        .args(["--static", "--cflags", "--libs", "jwt_core"])
        .env("PKG_CONFIG_PATH", &pc_path));
    assert!(
        flags.contains("-ljwt_core_ffi") && flags.contains("-lpthread"),
        "{flags}"
    );
    let version = run(Command::new("pkg-config")
        .args(["--modversion", "jwt_core"])
        .env("PKG_CONFIG_PATH", &pc_path));
    assert_eq!(version.trim(), env!("CARGO_PKG_VERSION"));
    // The static library alone, as firmware and most C projects link it.
    std::fs::remove_file(prefix.join("lib/libjwt_core_ffi.so")).ok();
    let exe = prefix.join("main");
    run(Command::new("cc")
        .arg(manifest().join("examples/link/main.c"))
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&exe));
    assert_eq!(run(&mut Command::new(&exe)), "verified: sub=alice\n");
    let _ = std::fs::remove_dir_all(&prefix);
}

#[test]
fn a_c_program_links_through_the_make_snippet() {
    if Command::new("make").arg("--version").output().is_err() {
        println!("SKIPPED: make is not installed");
        return;
    }
    let dir = scratch("make");
    let makefile = format!(
        "include {snippet}\n\
         main: {source} $(JWT_CORE_LIB)\n\
         \t$(CC) $(JWT_CORE_CFLAGS) {source} $(JWT_CORE_LIBS) -o $@\n",
        snippet = manifest().join("jwt_core.mk").display(),
        source = manifest().join("examples/link/main.c").display(),
    );
    std::fs::write(dir.join("Makefile"), makefile).unwrap();
    // The library this test was built with stands in for the one the snippet would build
    // (a nested cargo build would wait on this test's own build lock).
    let lib = lib_dir().join("libjwt_core_ffi.a");
    let dry = run(Command::new("make").arg("-n").current_dir(&dir));
    assert!(
        dry.contains("cargo build --release --manifest-path"),
        "{dry}"
    );
    run(Command::new("make")
        .arg(format!("JWT_CORE_LIB={}", lib.display()))
        .arg("-o")
        .arg("jwt-core-ffi")
        .current_dir(&dir));
    assert_eq!(
        run(&mut Command::new(dir.join("main"))),
        "verified: sub=alice\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
