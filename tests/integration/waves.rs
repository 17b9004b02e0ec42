//! Survey waves: the shipped synthetic example, changes, trends and gap changes checked
//! against an independent tally, and a wave column instead of one file per wave.

use invitestat::analysis::AnalysisOptions;
use invitestat::codebook::Codebook;
use invitestat::stats::difference::{DifferenceMethod, difference_ci};
use invitestat::stats::trend::cochran_armitage;
use invitestat::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use invitestat::synthetic::{WaveSpec, generate_wave};
use invitestat::waves::{compare_waves, waves_from_column, waves_from_files};
use std::path::PathBuf;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/waves-example")
}

fn files() -> Vec<PathBuf> {
    (1..=3).map(|i| folder().join(format!("wave-{i}.csv"))).collect()
}

#[test]
fn shipped_waves_are_what_generate_draws() {
    let codebook = Codebook::from_path(&folder().join("codebook.toml")).unwrap();
    for (i, trend) in [(1u64, 0.0), (2, 0.3), (3, 0.6)] {
        let spec = WaveSpec {
            rows: 700 + 100 * i as usize,
            seed: i,
            missing: 0.03,
            group_shares: vec![0.15, 0.85],
            wave: i.to_string(),
            shares_seed: 1,
            trend,
        };
        let shipped = std::fs::read_to_string(folder().join(format!("wave-{i}.csv"))).unwrap();
        assert_eq!(shipped, generate_wave(&codebook, &spec), "wave {i}");
    }
}

/// Independent tally: (successes, answered) of `question == code` for a group code.
fn tally(path: &PathBuf, question: &str, code: &str, group: &str) -> (u64, u64) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let qi = headers.iter().position(|h| h == question).unwrap();
    let (mut k, mut n) = (0, 0);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[1] == group && !rec[qi].is_empty() {
            n += 1;
            if &rec[qi] == code {
                k += 1;
            }
        }
    }
    (k, n)
}

#[test]
fn changes_trends_and_gaps_match_an_independent_tally() {
    let codebook = Codebook::from_path(&folder().join("codebook.toml")).unwrap();
    let waves = waves_from_files(&files(), &codebook).unwrap();
    let report = compare_waves(&codebook, waves, AnalysisOptions::default());
    let level = ConfidenceLevel::NINETY_FIVE;
    let counts: Vec<(u64, u64)> =
        files().iter().map(|f| tally(f, "accept_never_met", "1", "0")).collect();
    let rows: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.question == "accept_never_met" && r.group == "non-recruiters")
        .collect();
    assert_eq!(rows.len(), 3);
    for (r, &(k, n)) in rows.iter().zip(&counts) {
        assert_eq!((r.successes, r.n), (k, n));
    }
    // Change from wave 1 to wave 2: Newcombe on the independent counts.
    let g = TwoGroups::new(counts[1].0, counts[1].1, counts[0].0, counts[0].1).unwrap();
    let ci = difference_ci(&g, DifferenceMethod::Newcombe, level, Alternative::TwoSided);
    assert!((rows[1].change.unwrap() - g.difference()).abs() < 1e-15);
    assert!((rows[1].change_lower.unwrap() - ci.lower).abs() < 1e-15);
    assert!(rows[0].change.is_none());
    // Trend across the three waves.
    let samples: Vec<Proportion> =
        counts.iter().map(|&(k, n)| Proportion::new(k, n).unwrap()).collect();
    let trend = cochran_armitage(&samples, &[1.0, 2.0, 3.0]).unwrap();
    let row = report
        .trends
        .iter()
        .find(|t| t.question == "accept_never_met" && t.group == "non-recruiters")
        .unwrap();
    assert!((row.p_value.unwrap() - trend.p_value.p).abs() < 1e-15);
    // Gap change (difference in differences) from its four proportions.
    let rec: Vec<(u64, u64)> =
        files().iter().map(|f| tally(f, "accept_never_met", "1", "1")).collect();
    let p = |(k, n): (u64, u64)| k as f64 / n as f64;
    let se = |(k, n): (u64, u64)| (p((k, n)) * (1.0 - p((k, n))) / n as f64).sqrt();
    let gap = report
        .gaps
        .iter()
        .find(|g| g.question == "accept_never_met" && g.wave == "wave-3")
        .unwrap();
    let did = (p(rec[2]) - p(counts[2])) - (p(rec[1]) - p(counts[1]));
    let sd =
        (se(rec[2]).powi(2) + se(counts[2]).powi(2) + se(rec[1]).powi(2) + se(counts[1]).powi(2))
            .sqrt();
    assert!((gap.change - did).abs() < 1e-15);
    assert!((gap.ci_upper - (did + 1.959_963_984_540_054 * sd)).abs() < 1e-12);
}

#[test]
fn a_wave_column_gives_the_same_comparison_as_one_file_per_wave() {
    let codebook = Codebook::from_path(&folder().join("codebook.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut all = String::new();
    for (i, f) in files().iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        if i == 0 {
            all.push_str(header);
            all.push('\n');
        }
        for l in lines.rev() {
            all.push_str(l);
            all.push('\n');
        }
    }
    let one = dir.path().join("all.csv");
    std::fs::write(&one, all).unwrap();
    let by_column = compare_waves(
        &codebook,
        waves_from_column(&one, &codebook).unwrap(),
        AnalysisOptions::default(),
    );
    let by_file = compare_waves(
        &codebook,
        waves_from_files(&files(), &codebook).unwrap(),
        AnalysisOptions::default(),
    );
    assert_eq!(
        by_column.waves.iter().map(|w| w.label.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
    assert_eq!(by_column.rows.len(), by_file.rows.len());
    for (a, b) in by_column.rows.iter().zip(&by_file.rows) {
        assert_eq!(
            (a.successes, a.n, a.change, a.change_p_value),
            (b.successes, b.n, b.change, b.change_p_value)
        );
    }
    // One file without a wave column is refused.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["waves"])
        .arg(root_data("executives-online/responses.csv"))
        .arg("--codebook")
        .arg(root_data("executives-online/codebook.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one file per wave"));
}

fn root_data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}
