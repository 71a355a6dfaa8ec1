//! Ratios that hold on a machine whose speed drifts: each pair of cases (jwt-core and its
//! floor, a lower bound or a peer, from `cases.rs`) is timed in alternating batches within
//! one loop, and every round gives one ratio of the two per-call times. A slowdown that
//! lasts longer than a round moves both sides of that round, so the median ratio holds
//! while the absolute times drift. Prints two Markdown tables: every algorithm's jwt-core
//! beside each of its other cases, then algorithms beside each other (PS256 and RS256;
//! HS384 and HS512 beside HS256, and what they cost beyond it beside what their hash does,
//! the four cases interleaved; an ES256 DPoP proof beside the ES256 token it comes with).
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench ratios`
//! (`-- --quick` for fewer rounds; `-- ES256` keeps the pairs whose name holds `ES256`;
//! `cargo bench --bench ratios -- --test` runs each pair once, as CI does).
//!
//! `cargo bench --manifest-path benches/Cargo.toml --features jwt-core-aws-lc --bench ratios
//! -- --aws-lc` prints only the table of jwt-core's two backends instead: for RS256, PS256,
//! ES256, ES384, ES512 and EdDSA, jwt-core on aws-lc, jwt-core on the pure-Rust code,
//! jsonwebtoken on aws-lc-rs (the provider this process then installs) and aws-lc's floor,
//! the four interleaved, jwt-core on aws-lc beside each of the others.
//!
//! `-- --calls N GROUP CASE` only calls one case N times, untimed, for counting its
//! instructions under callgrind (`benches/callgrind.sh`); GROUP is an algorithm's name or
//! `DPoP` (the cases of `dpop_cases.rs`).

use std::hint::black_box;
use std::time::{Duration, Instant};

mod cases;
mod common;
mod dpop_cases;
mod peers;

use common::Case;
use jwt_core::Algorithm::{self, Hs256, Hs384, Hs512, Ps256, Rs256};

/// One batch of a case lasts about this long; a round is one batch of each side.
const BATCH: Duration = Duration::from_millis(2);

/// Calls in one batch of `case`, from a first timing.
fn batch_size(case: &mut Case) -> u32 {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < BATCH / 4 {
        black_box((case.run)());
        calls += 1;
    }
    (calls * 4).max(1)
}

/// Seconds per call over one batch.
fn per_call(case: &mut Case, calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        black_box((case.run)());
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

struct Paired {
    /// Medians of the per-call times, in seconds.
    ours: f64,
    theirs: f64,
    /// Median, 10th and 90th percentile of `ours / theirs` over the rounds.
    ratio: [f64; 3],
}

impl Paired {
    /// From the two sides' per-call times, round by round.
    fn of(ours: Vec<f64>, theirs: Vec<f64>) -> Paired {
        let ratios = sorted(ours.iter().zip(&theirs).map(|(a, b)| a / b).collect());
        Paired {
            ours: percentile(&sorted(ours), 50),
            theirs: percentile(&sorted(theirs), 50),
            ratio: [50, 10, 90].map(|p| percentile(&ratios, p)),
        }
    }
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() - 1) * p / 100]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// `rounds` rounds of one batch of each case, the order reversing from round to round so
/// that no case always runs on a warmer cache: the per-call times of each case, round by
/// round.
fn interleaved(cases: &mut [&mut Case], rounds: usize) -> Vec<Vec<f64>> {
    let sizes: Vec<u32> = cases.iter_mut().map(|case| batch_size(case)).collect();
    let mut times = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        for at in 0..cases.len() {
            let i = if round % 2 == 0 {
                at
            } else {
                cases.len() - 1 - at
            };
            times[i].push(per_call(cases[i], sizes[i]));
        }
    }
    times
}

fn paired(ours: &mut Case, theirs: &mut Case, rounds: usize) -> Paired {
    let [ours, theirs] =
        <[Vec<f64>; 2]>::try_from(interleaved(&mut [ours, theirs], rounds)).unwrap();
    Paired::of(ours, theirs)
}

/// What `ours_b` costs beyond `ours_a`, beside what `floor_b` costs beyond `floor_a`, the
/// four interleaved: per round, the ratio of the two differences.
fn extra([ours_a, ours_b, floor_a, floor_b]: [&mut Case; 4], rounds: usize) -> Paired {
    let times = interleaved(&mut [ours_a, ours_b, floor_a, floor_b], rounds);
    let difference =
        |a: &[f64], b: &[f64]| -> Vec<f64> { b.iter().zip(a).map(|(b, a)| b - a).collect() };
    Paired::of(
        difference(&times[0], &times[1]),
        difference(&times[2], &times[3]),
    )
}

fn time(seconds: f64) -> String {
    match seconds {
        s if s < 1e-6 => format!("{:.0} ns", s * 1e9),
        s if s < 1e-3 => format!("{:.2} µs", s * 1e6),
        s => format!("{:.2} ms", s * 1e3),
    }
}

/// `--calls N GROUP CASE`: calls one case `N` times.
fn call_only(args: &[String]) {
    let [count, group, case] = args else {
        panic!("usage: --calls N GROUP CASE");
    };
    let count: u32 = count.parse().expect("a number of calls");
    let cases = if group == "DPoP" {
        dpop_cases::group()
    } else {
        cases::group_named(group).cases
    };
    let mut case = cases
        .into_iter()
        .find(|c| c.name == case)
        .expect("a case of the group");
    for _ in 0..count {
        black_box((case.run)());
    }
}

/// The table of jwt-core's backends (`--aws-lc`): per algorithm, its four cases interleaved,
/// jwt-core on aws-lc beside each of the other three.
#[cfg(feature = "jwt-core-aws-lc")]
fn backends(rounds: usize, selected: &dyn Fn(&str) -> bool) {
    use jwt_core::Algorithm::{EdDsa, Es256, Es384, Es512};
    jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    )
    .expect("the first provider installed in this process");
    println!("| | jwt-core (aws-lc) | other | jwt-core (aws-lc) / other (p10–p90) |");
    println!("|---|---:|---:|---:|");
    for alg in [Rs256, Ps256, Es256, Es384, Es512, EdDsa] {
        let mut cases = cases::backends(alg);
        let names: Vec<&str> = cases.iter().map(|case| case.name).collect();
        if !names
            .iter()
            .any(|name| selected(&format!("{alg} vs {name}")))
        {
            continue;
        }
        let mut refs: Vec<&mut Case> = cases.iter_mut().collect();
        let times = interleaved(&mut refs, rounds);
        for (at, name) in names.iter().enumerate().skip(1) {
            let other = match *name {
                "jsonwebtoken" => "jsonwebtoken (aws-lc-rs)",
                "jwt-core" => "jwt-core (pure Rust)",
                name => name,
            };
            let p = Paired::of(times[0].clone(), times[at].clone());
            println!(
                "| {alg} vs {other} | {} | {} | **{:.2}x** ({:.2}–{:.2}) |",
                time(p.ours),
                time(p.theirs),
                p.ratio[0],
                p.ratio[1],
                p.ratio[2]
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--calls") {
        let rest: Vec<String> = args[at + 1..]
            .iter()
            .filter(|a| !a.starts_with("--"))
            .cloned()
            .collect();
        return call_only(&rest);
    }
    let has = |flag: &str| args.iter().any(|a| a == flag);
    // `cargo bench` passes `--bench`; `--test` (CI) checks that every pair runs.
    let rounds = if has("--test") {
        1
    } else if has("--quick") {
        21
    } else {
        101
    };
    // Words that are not flags (cargo passes `--bench`) select pairs by name.
    let filters: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected = |row: &str| filters.iter().all(|f| row.contains(f.as_str()));
    if has("--aws-lc") {
        #[cfg(feature = "jwt-core-aws-lc")]
        return backends(rounds, &selected);
        #[cfg(not(feature = "jwt-core-aws-lc"))]
        panic!("--aws-lc needs --features jwt-core-aws-lc");
    }
    let row = |name: &str, p: Paired| {
        println!(
            "| {name} | {} | {} | **{:.2}x** ({:.2}–{:.2}) |",
            time(p.ours),
            time(p.theirs),
            p.ratio[0],
            p.ratio[1],
            p.ratio[2]
        )
    };
    println!("| | jwt-core | other | jwt-core / other (p10–p90) |");
    println!("|---|---:|---:|---:|");
    for alg in common::ALGORITHMS {
        let group = cases::group(alg);
        let mut cases = group.cases.into_iter();
        let mut ours = cases.next().expect("jwt-core comes first");
        assert_eq!(ours.name, "jwt-core");
        for mut other in cases {
            let pair = format!("{} vs {}", group.name, other.name);
            if selected(&pair) {
                row(&pair, paired(&mut ours, &mut other, rounds));
            }
        }
    }

    // One algorithm beside another: PSS beside PKCS#1 v1.5 on the same key, and what HS384
    // and HS512 cost beyond HS256 beside what their hash costs beyond SHA-256.
    println!();
    println!("| | first | second | first / second (p10–p90) |");
    println!("|---|---:|---:|---:|");
    let take = |alg: Algorithm, name: &str| -> Case {
        cases::group(alg)
            .cases
            .into_iter()
            .find(|case| case.name == name)
            .expect("a case of the group")
    };
    for (name, first, second, case) in [
        ("PS256 vs RS256 (jwt-core)", Ps256, Rs256, "jwt-core"),
        ("PS256 vs RS256 (floor: rsa)", Ps256, Rs256, "floor"),
        ("HS384 vs HS256 (jwt-core)", Hs384, Hs256, "jwt-core"),
        ("HS384 vs HS256 (floor: hmac + sha2)", Hs384, Hs256, "floor"),
        ("HS512 vs HS256 (jwt-core)", Hs512, Hs256, "jwt-core"),
        ("HS512 vs HS256 (floor: hmac + sha2)", Hs512, Hs256, "floor"),
    ] {
        if selected(name) {
            row(
                name,
                paired(&mut take(first, case), &mut take(second, case), rounds),
            );
        }
    }
    // A DPoP request's two verifications: the proof, whose key comes in its header and is
    // imported for it, beside the access token, whose issuer's key was imported beforehand.
    let name = "ES256 DPoP proof vs ES256 token (jwt-core)";
    if selected(name) {
        let mut dpop = dpop_cases::group().into_iter();
        let mut proof = dpop.next().expect("the ES256 proof comes first");
        let mut token = dpop
            .find(|case| case.name == "ES256 token")
            .expect("a token case");
        row(name, paired(&mut proof, &mut token, rounds));
    }
    for (name, hs) in [
        ("HS384 beyond HS256: jwt-core's extra vs the hash's", Hs384),
        ("HS512 beyond HS256: jwt-core's extra vs the hash's", Hs512),
    ] {
        if selected(name) {
            let p = extra(
                [
                    &mut take(Hs256, "jwt-core"),
                    &mut take(hs, "jwt-core"),
                    &mut take(Hs256, "floor"),
                    &mut take(hs, "floor"),
                ],
                rounds,
            );
            row(name, p);
        }
    }
}
