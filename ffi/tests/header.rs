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

/// What a C program compiles and links against, one line per item: each `#define`, each
/// enumerator with its value, each struct's whole definition, and each function's
/// signature without its parameter names (a rename breaks no caller).
fn abi_items(header: &str) -> std::collections::BTreeSet<String> {
    let mut text = String::new();
    let mut rest = header;
    // Comments say nothing about the ABI.
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let mut items = std::collections::BTreeSet::new();
    let mut code = String::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if let Some(define) = line.strip_prefix("#define ") {
            items.insert(format!("#define {}", squeeze(define)));
        } else if !line.starts_with('#') && line != "extern \"C\" {" && line != "}" {
            code.push_str(line);
            code.push(' ');
        }
    }
    let (mut depth, mut statement) = (0usize, String::new());
    for c in code.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                items.extend(abi_statement(&squeeze(&statement)));
                statement.clear();
                continue;
            }
            _ => {}
        }
        statement.push(c);
    }
    items
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn abi_statement(statement: &str) -> Vec<String> {
    if let Some(body) = statement.strip_prefix("typedef enum {") {
        let (constants, name) = body.rsplit_once('}').unwrap_or((body, ""));
        return constants
            .split(',')
            .map(squeeze)
            .filter(|constant| !constant.is_empty())
            .map(|constant| format!("enum {} {constant}", name.trim()))
            .collect();
    }
    if statement.starts_with("typedef") {
        return vec![statement.to_owned()];
    }
    let Some((result_and_name, params)) = statement.split_once('(') else {
        return vec![statement.to_owned()];
    };
    let params: Vec<String> = params
        .trim_end_matches(')')
        .split(',')
        .map(|param| {
            let param = param.trim();
            let unnamed = param.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
            if param == "void" || unnamed.trim().is_empty() {
                param.to_owned()
            } else {
                squeeze(unnamed).replace(" *", "*")
            }
        })
        .collect();
    vec![format!(
        "{}({})",
        squeeze(result_and_name),
        params.join(", ")
    )]
}

/// `(major, minor, patch)` of a version string.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text
        .trim()
        .split('.')
        .map(|part| part.parse::<u64>().unwrap());
    (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    )
}

/// The C ABI changes only with the version that says so (README: "Versions"): a removed or
/// changed item (a status renumbered, a struct resized, a signature changed) needs a
/// breaking version (the minor before 1.0, the major after), a new item a newer version.
/// `abi.txt` is the ABI of the version on its first line; bless it with the version bump.
#[test]
fn the_c_abi_changes_only_with_a_version_bump() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let header = std::fs::read_to_string(format!("{dir}/include/jwt_core.h")).unwrap();
    let current = abi_items(&header);
    let snapshot_path = format!("{dir}/abi.txt");
    let snapshot = std::fs::read_to_string(&snapshot_path).unwrap_or_default();
    let mut lines = snapshot.lines();
    let snapshot_version = lines.next().and_then(|line| line.strip_prefix("version "));
    let recorded: std::collections::BTreeSet<String> = lines.map(str::to_owned).collect();
    let now = env!("CARGO_PKG_VERSION");
    let bless = || {
        let mut text = format!("version {now}\n");
        for item in &current {
            text.push_str(item);
            text.push('\n');
        }
        std::fs::write(&snapshot_path, text).unwrap();
    };
    let Some(snapshot_version) = snapshot_version else {
        assert!(
            std::env::var_os("JWT_CORE_BLESS").is_some(),
            "ffi/abi.txt is missing: run `JWT_CORE_BLESS=1 cargo test --test header` in ffi/"
        );
        return bless();
    };
    let removed: Vec<_> = recorded.difference(&current).collect();
    let added: Vec<_> = current.difference(&recorded).collect();
    if removed.is_empty() && added.is_empty() {
        return;
    }
    let (was, is) = (version(snapshot_version), version(now));
    let breaking_bump = if was.0 == 0 {
        is.0 > 0 || is.1 > was.1
    } else {
        is.0 > was.0
    };
    let allowed = if removed.is_empty() {
        is > was
    } else {
        breaking_bump
    };
    assert!(
        allowed,
        "the C ABI changed since {snapshot_version} without the version that says so \
         (now {now}): removed or changed {removed:#?}, added {added:#?}; bump the version in \
         ffi/Cargo.toml ({}), then run `JWT_CORE_BLESS=1 cargo test --test header` in ffi/",
        if removed.is_empty() {
            "any newer version"
        } else {
            "a breaking one"
        }
    );
    assert!(
        std::env::var_os("JWT_CORE_BLESS").is_some(),
        "the C ABI changed with the version bump to {now}: record it with \
         `JWT_CORE_BLESS=1 cargo test --test header` in ffi/ (removed {removed:#?}, added {added:#?})"
    );
    bless();
}

#[test]
fn the_abi_items_of_a_header_are_its_defines_enumerators_structs_and_signatures() {
    let header = "/* doc */\n#define JWT_A 3\ntypedef enum {\n  JWT_OK = 0,\n  /** x */\n  JWT_B = 2,\n} jwt_status;\n\
                  typedef struct {\n  const char *ptr;\n  size_t len;\n} jwt_str;\n\
                  #ifdef __cplusplus\nextern \"C\" {\n#endif\n\
                  jwt_status jwt_f(const jwt_str *text,\n                 size_t len);\n\
                  #ifdef __cplusplus\n}  // extern \"C\"\n#endif\n";
    let items: Vec<_> = abi_items(header).into_iter().collect();
    assert_eq!(
        items,
        [
            "#define JWT_A 3",
            "enum jwt_status JWT_B = 2",
            "enum jwt_status JWT_OK = 0",
            "jwt_status jwt_f(const jwt_str*, size_t)",
            "typedef struct { const char *ptr; size_t len; } jwt_str",
        ]
    );
}
