//! What forged input costs to refuse or read: headers built to make duplicate-name detection
//! expensive, each beside a header of the same length whose names have no escapes (the
//! ratio between the two is what an attacker gains by spelling names with escapes), JWK
//! Set loading at 1k, 4k and 16k keys (linear: the cost per key should not grow), and sets
//! where each usable key has a twin under its `kid` that is declared for the same algorithm
//! but cannot be imported (each twin is looked up, not compared with every key).
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench hostile`

use std::hint::black_box;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_core::GrowableJwkSet;

/// Members of each forged header: as many as a header may have.
const NAMES: usize = jwt_core::json::MAX_MEMBERS - 1;
/// Bytes of each forged name, so the header is about 15.9 KB and its token under 16 KiB.
const NAME_LEN: usize = 240;

/// A token whose header is `{"alg":"HS256", <names>}`: only `decode_header` reads it.
fn token_with_names(names: &[String]) -> String {
    let members: String = names.iter().map(|n| format!(",\"{n}\":0")).collect();
    let header = format!("{{\"alg\":\"HS256\"{members}}}");
    format!(
        "{}.e30.c2ln",
        Base64UrlUnpadded::encode_string(header.as_bytes())
    )
}

/// How the names of a forged header are spelled.
#[derive(Clone, Copy)]
enum Shape {
    /// The attack first reported: long names with one escape each, at the end, after a
    /// prefix every name shares (the old check unescaped whole names for each pair).
    SharedPrefixOneEscape,
    /// Every character an escape, all names sharing a prefix: the longest comparisons.
    SharedPrefixAllEscapes,
    /// Every character an escape, names told apart by their first bytes.
    DistinctStartsAllEscapes,
}

/// Name `i` of a forged header, `NAME_LEN` bytes of JSON text with a distinct two-digit tag.
/// With `escaped` false, each escape `\u0061` (an `a`) is six plain letters instead, so the
/// header is the same length with no escape in it.
fn name(i: usize, shape: Shape, escaped: bool) -> String {
    let tag = format!("{i:02}");
    let unit = if escaped { "\\u0061" } else { "bcdefg" };
    let fill = |len: usize, unit: &str| {
        let mut text = unit.repeat(len / unit.len());
        text.push_str(&"a".repeat(len % unit.len()));
        text
    };
    match shape {
        Shape::SharedPrefixOneEscape => {
            let prefix = fill(NAME_LEN - tag.len() - unit.len(), "a");
            format!("{prefix}{tag}{unit}")
        }
        Shape::SharedPrefixAllEscapes => format!("{}{tag}", fill(NAME_LEN - tag.len(), unit)),
        Shape::DistinctStartsAllEscapes => format!("{tag}{}", fill(NAME_LEN - tag.len(), unit)),
    }
}

fn forged_headers(c: &mut Criterion) {
    let mut g = c.benchmark_group("forged header");
    g.measurement_time(Duration::from_secs(3));
    for (label, shape) in [
        ("shared prefix, one escape", Shape::SharedPrefixOneEscape),
        ("shared prefix, all escapes", Shape::SharedPrefixAllEscapes),
        (
            "distinct starts, all escapes",
            Shape::DistinctStartsAllEscapes,
        ),
    ] {
        for (spelling, escaped) in [("plain", false), ("escaped", true)] {
            let names: Vec<String> = (0..NAMES).map(|i| name(i, shape, escaped)).collect();
            let token = token_with_names(&names);
            let mut buf = vec![0u8; token.len()];
            g.bench_function(format!("{label}: {spelling} ({} B)", token.len()), |b| {
                b.iter(|| {
                    jwt_core::decode_header(black_box(&token), &mut buf)
                        .unwrap()
                        .alg
                })
            });
        }
    }
    g.finish();
}

/// A JWK Set of `n` HMAC keys, distinct `kid`s: importing one costs little, so the time is
/// the reading of the document.
fn jwk_set(n: usize) -> String {
    format!("{{\"keys\":[{}]}}", jwk_set_members(n).join(","))
}

fn jwk_set_members(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let k = Base64UrlUnpadded::encode_string(
                format!("secret number {i:05} of the key set, 32+ bytes").as_bytes(),
            );
            format!(r#"{{"kty":"oct","alg":"HS256","use":"sig","kid":"key-{i}","k":"{k}"}}"#)
        })
        .collect()
}

/// `n` HMAC keys, each followed by a twin of the same `kid` declared for HS256 whose secret
/// is too short to import: every twin makes its `kid` ambiguous.
fn jwk_set_with_unimportable_twins(n: usize) -> String {
    let weak = Base64UrlUnpadded::encode_string(b"short");
    let keys: Vec<String> = jwk_set_members(n)
        .into_iter()
        .chain((0..n).map(|i| {
            format!(r#"{{"kty":"oct","alg":"HS256","use":"sig","kid":"key-{i}","k":"{weak}"}}"#)
        }))
        .collect();
    format!("{{\"keys\":[{}]}}", keys.join(","))
}

fn jwk_set_loading(c: &mut Criterion) {
    let mut g = c.benchmark_group("GrowableJwkSet::parse");
    g.sample_size(10);
    for n in [1_000, 4_000, 16_000] {
        let doc = jwk_set(n);
        g.bench_function(format!("{n} keys ({} KB)", doc.len() / 1000), |b| {
            b.iter(|| {
                let set = GrowableJwkSet::parse(black_box(doc.as_bytes())).unwrap();
                assert_eq!(set.len(), n);
            })
        });
    }
    for n in [2_000, 4_000, 8_000] {
        let doc = jwk_set_with_unimportable_twins(n);
        g.bench_function(format!("{n} keys + {n} unimportable twins"), |b| {
            b.iter(|| {
                let set = GrowableJwkSet::parse(black_box(doc.as_bytes())).unwrap();
                assert_eq!((set.len(), set.skipped()), (n, n));
            })
        });
    }
    g.finish();
}

criterion_group!(benches, forged_headers, jwk_set_loading);
criterion_main!(benches);
