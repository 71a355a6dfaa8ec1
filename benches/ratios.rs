//! Ratios that hold on a machine whose speed drifts: each pair of cases (jwt-core and its
//! floor, a lower bound or a peer, from `cases.rs`) is timed in alternating batches within
//! one loop, and every round gives one ratio of the two per-call times. A slowdown that
//! lasts longer than a round moves both sides of that round, so the median ratio holds
//! while the absolute times drift. Prints a Markdown table.
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench ratios`
//! (`-- --quick` for fewer rounds; `-- ES256` keeps the pairs whose name holds `ES256`;
//! `cargo bench --bench ratios -- --test` runs each pair once, as CI does).
//!
//! `-- --calls N GROUP CASE` only calls one case N times, untimed, for counting its
//! instructions under callgrind (`benches/callgrind.sh`).

use std::hint::black_box;
use std::time::{Duration, Instant};

mod cases;
mod common;
mod peers;

use common::Case;

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

fn percentile(sorted: &[f64], p: usize) -> f64 {
    sorted[(sorted.len() - 1) * p / 100]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

/// `rounds` rounds of one batch each of `ours` and `theirs`, the order alternating from
/// round to round so that neither side always runs on a warmer cache.
fn paired(ours: &mut Case, theirs: &mut Case, rounds: usize) -> Paired {
    let (n_ours, n_theirs) = (batch_size(ours), batch_size(theirs));
    let (mut times_ours, mut times_theirs, mut ratios) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = per_call(ours, n_ours);
            (a, per_call(theirs, n_theirs))
        } else {
            let b = per_call(theirs, n_theirs);
            (per_call(ours, n_ours), b)
        };
        times_ours.push(a);
        times_theirs.push(b);
        ratios.push(a / b);
    }
    let ratios = sorted(ratios);
    Paired {
        ours: percentile(&sorted(times_ours), 50),
        theirs: percentile(&sorted(times_theirs), 50),
        ratio: [50, 10, 90].map(|p| percentile(&ratios, p)),
    }
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
    let group = match group.as_str() {
        "HS256" => cases::hs256(),
        "ES256" => cases::es256(),
        "RS256" => cases::rs256(),
        other => panic!("no group {other}"),
    };
    let mut case = group
        .cases
        .into_iter()
        .find(|c| c.name == case)
        .expect("a case of the group");
    for _ in 0..count {
        black_box((case.run)());
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
    println!("| | jwt-core | other | jwt-core / other (p10–p90) |");
    println!("|---|---:|---:|---:|");
    for group in [cases::hs256(), cases::es256(), cases::rs256()] {
        let mut cases = group.cases.into_iter();
        let mut ours = cases.next().expect("jwt-core comes first");
        assert_eq!(ours.name, "jwt-core");
        for mut other in cases {
            let pair = format!("{} vs {}", group.name, other.name);
            if !filters.iter().all(|f| pair.contains(f.as_str())) {
                continue;
            }
            let p = paired(&mut ours, &mut other, rounds);
            println!(
                "| {pair} | {} | {} | **{:.2}x** ({:.2}–{:.2}) |",
                time(p.ours),
                time(p.theirs),
                p.ratio[0],
                p.ratio[1],
                p.ratio[2]
            );
        }
    }
}
