//! Benchmark of the exact tests at large n (run with `cargo bench --bench exact_tests`).
//!
//! Plain timing loop (no harness) to keep the dependency tree small: each case runs
//! until ~0.5 s has passed and the median of per-call times is printed. Numbers for
//! the README come from this program.

use invitestat::stats::ci::{CiMethod, proportion_ci};
use invitestat::stats::contingency::{fisher_freeman_halton, fisher_freeman_halton_rc_monte_carlo};
use invitestat::stats::fisher::conditional_odds_ratio;
use invitestat::stats::significance::{TestMethod, two_group_test};
use invitestat::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn bench(name: &str, mut f: impl FnMut()) {
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) || times.len() < 3 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("{name:<58} {:>12.3} ms  ({} runs)", median.as_secs_f64() * 1e3, times.len());
}

fn main() {
    let two = Alternative::TwoSided;
    let level = ConfidenceLevel::NINETY_FIVE;
    let study = TwoGroups::new(52, 60, 214, 340).unwrap();
    let hundred = TwoGroups::new(45, 100, 30, 100).unwrap();
    let million = TwoGroups::new(520_000, 600_000, 214_000, 340_000).unwrap();
    let balanced = TwoGroups::new(500_300, 1_000_000, 499_700, 1_000_000).unwrap();
    for (label, g, method) in [
        ("fisher, 52/60 vs 214/340", study, TestMethod::Fisher),
        ("fisher, 520000/600000 vs 214000/340000 (p ~ 1e-14996)", million, TestMethod::Fisher),
        ("fisher, 500300/1e6 vs 499700/1e6 (p ~ 0.4)", balanced, TestMethod::Fisher),
        ("fisher-mid-p, 500300/1e6 vs 499700/1e6", balanced, TestMethod::FisherMidP),
        ("barnard, 52/60 vs 214/340", study, TestMethod::Barnard),
        ("barnard, 45/100 vs 30/100", hundred, TestMethod::Barnard),
        ("boschloo, 45/100 vs 30/100", hundred, TestMethod::Boschloo),
    ] {
        bench(label, || {
            black_box(two_group_test(black_box(&g), method, two).unwrap());
        });
    }
    bench("conditional MLE odds ratio + exact CI, 52/60 vs 214/340", || {
        black_box(conditional_odds_ratio(&study, level, two).unwrap());
    });
    bench("conditional MLE odds ratio + exact CI, 500300/1e6 vs 499700/1e6", || {
        black_box(conditional_odds_ratio(&balanced, level, two).unwrap());
    });
    let p = Proportion::new(1, 1_000_000).unwrap();
    for m in [CiMethod::ClopperPearson, CiMethod::Jeffreys, CiMethod::MidP] {
        bench(&format!("{} interval, 1/1e6", m.name()), || {
            black_box(proportion_ci(p, m, level, two));
        });
    }
    let p = Proportion::new(500_000, 1_000_000).unwrap();
    bench("clopper-pearson interval, 500000/1e6", || {
        black_box(proportion_ci(p, CiMethod::ClopperPearson, level, two));
    });
    let rare: Vec<Proportion> = [(2, 5000), (3, 5000), (1, 5000)]
        .iter()
        .map(|&(x, n)| Proportion::new(x, n).unwrap())
        .collect();
    bench("fisher-freeman-halton 2 x 3, 2/3/1 of 5000 each (exact)", || {
        black_box(fisher_freeman_halton(black_box(&rare)).unwrap());
    });
    // A single-choice question of a million respondents with a rare fifth answer: too
    // many tables to enumerate, expected counts below 5, so the seeded simulation.
    let table: Vec<Vec<u64>> =
        [[75_000, 175_000], [75_000, 175_000], [75_000, 175_000], [74_996, 174_997], [4, 3]]
            .iter()
            .map(|r| r.to_vec())
            .collect();
    bench("fisher-freeman-halton 5 x 2 Monte Carlo, 1e5 tables, n = 1e6", || {
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        black_box(fisher_freeman_halton_rc_monte_carlo(&table, 100_000, &mut rng).unwrap());
    });
}
