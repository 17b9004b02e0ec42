//! Survey waves: the shipped synthetic example, changes, trends and gap changes checked
//! against an independent tally, and a wave column instead of one file per wave.

use invitestat::analysis::AnalysisOptions;
use invitestat::analysis::waves::compare_waves;
use invitestat::codebook::Codebook;
use invitestat::data::LoadOptions;
use invitestat::data::synthetic::{WaveSpec, generate_wave};
use invitestat::stats::difference::{DifferenceMethod, difference_ci};
use invitestat::stats::trend::cochran_armitage;
use invitestat::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use invitestat::tabulate::{waves_from_column, waves_from_files};
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
            rows: 700 + 100 * i,
            seed: i,
            missing: 0.03,
            group_shares: vec![0.15, 0.85],
            wave: i.to_string(),
            shares_seed: 1,
            trend,
        };
        let shipped = std::fs::read_to_string(folder().join(format!("wave-{i}.csv"))).unwrap();
        assert_eq!(shipped, generate_wave(&codebook, &spec).unwrap(), "wave {i}");
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
    let waves = waves_from_files(&files(), &codebook, LoadOptions::default()).unwrap();
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
    // Two rows without a group: excluded, and said so, not dropped silently, each in
    // its own wave.
    all.push_str("x-1,,1.0,2,s1,c1,manager,1,0,1,0,1,1,1,0,0,1\nx-2,,1.0,3,s2,c2,director,1,0,1,0,1,1,0,0,1,1\n");
    let one = dir.path().join("all.csv");
    std::fs::write(&one, all).unwrap();
    let by_column = compare_waves(
        &codebook,
        waves_from_column(&one, &codebook, LoadOptions::default()).unwrap(),
        AnalysisOptions::default(),
    );
    let reason = "no value in grouping column 'recruiter'".to_string();
    assert!(by_column.waves[0].load.excluded.is_empty());
    for w in &by_column.waves[1..] {
        assert_eq!(w.load.excluded.get(&reason), Some(&1), "{:?}", w.load.excluded);
        assert_eq!(w.load.rows_read, w.load.rows_used + 1);
    }
    let summary = invitestat::study::analyse_waves(
        waves_from_column(&one, &codebook, LoadOptions::default()).unwrap(),
        &codebook,
        AnalysisOptions::default(),
    )
    .summary();
    assert!(summary.contains(&format!("2: 1 rows excluded: {reason}")), "{summary}");
    assert!(summary.contains(&format!("3: 1 rows excluded: {reason}")), "{summary}");
    let by_file = compare_waves(
        &codebook,
        waves_from_files(&files(), &codebook, LoadOptions::default()).unwrap(),
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

/// A weighted-waves golden case of `tests/golden/r_survey_waves.csv`.
struct WavesCase {
    id: &'static str,
    sizes: &'static [usize],
    n1: &'static [usize],
    k1: &'static [usize],
    k0: &'static [usize],
    /// y is missing where `i % miss == wave` (0: never).
    miss: usize,
}

const WAVES_CASES: [WavesCase; 2] = [
    WavesCase {
        id: "W1",
        sizes: &[200, 240, 180],
        n1: &[30, 40, 35],
        k1: &[20, 30, 31],
        k0: &[80, 100, 95],
        miss: 13,
    },
    WavesCase {
        id: "W2",
        sizes: &[150, 150, 160, 170],
        n1: &[25, 20, 30, 28],
        k1: &[5, 6, 12, 15],
        k0: &[60, 58, 70, 66],
        miss: 0,
    },
];

/// The case's rows as a response file with a wave column, as the R script builds them.
fn weighted_waves_file(case: &WavesCase, dir: &std::path::Path) -> (Codebook, PathBuf) {
    let codebook = dir.join(format!("{}.toml", case.id));
    crate::golden_case_codebook(&codebook, "weighted-waves", "wave_column = \"wave\"\n");
    let mut csv = String::from("id,wave,grp,w,y\n");
    for (h0, &n) in case.sizes.iter().enumerate() {
        let h = h0 + 1;
        for i in 0..n {
            let (grp, yes) = if i < case.n1[h0] {
                (1, i < case.k1[h0])
            } else {
                (0, i - case.n1[h0] < case.k0[h0])
            };
            let missing = case.miss > 0 && i % case.miss == h;
            let y = if missing {
                ""
            } else if yes {
                "1"
            } else {
                "0"
            };
            let w = 0.5 + ((i * 7 + h) % 11) as f64 / 5.0;
            csv.push_str(&format!("w{h}-{i},{h},{grp},{w:.17},{y}\n"));
        }
    }
    let path = dir.join(format!("{}.csv", case.id));
    std::fs::write(&path, csv).unwrap();
    (Codebook::from_path(&codebook).unwrap(), path)
}

#[test]
fn weighted_changes_trends_and_gaps_match_r_survey() {
    /// Closed forms (shares, standard errors, contrasts): 1e-9 relative.
    const CLOSED_FORM: f64 = 1e-9;
    /// The logistic trend (Newton to convergence, t tail): 1e-7 relative.
    const ROOT: f64 = 1e-7;
    let dir = tempfile::tempdir().unwrap();
    let golden = include_str!("../golden/r_survey_waves.csv");
    let mut checked = 0;
    for case in &WAVES_CASES {
        let (codebook, path) = weighted_waves_file(case, dir.path());
        let report = compare_waves(
            &codebook,
            waves_from_column(&path, &codebook, LoadOptions::default()).unwrap(),
            AnalysisOptions::default(),
        );
        for line in golden.lines().filter(|l| l.starts_with(&format!("{},", case.id))) {
            let cols: Vec<&str> = line.splitn(7, ',').collect();
            let (group, wave, field) = (cols[1], cols[2], cols[3]);
            let want: f64 = cols[4].parse().unwrap();
            let group_id = if group == "1" { "one" } else { "two" };
            let (got, tol) = if group == "gap" {
                let g = report.weighted_gaps.iter().find(|g| g.wave == wave).unwrap();
                match field {
                    "change" => (g.change, CLOSED_FORM),
                    _ => {
                        // The Wald interval's half-width over the normal quantile.
                        let z = 1.959_963_984_540_054;
                        ((g.ci_upper - g.ci_lower) / (2.0 * z), CLOSED_FORM)
                    }
                }
            } else if wave.is_empty() {
                let t = report.weighted_trends.iter().find(|t| t.group == group_id).unwrap();
                match field {
                    "trend_slope" => (t.slope.unwrap(), ROOT),
                    "trend_se" => (t.se.unwrap(), ROOT),
                    "trend_p" => (t.p_value.unwrap(), ROOT),
                    _ => (t.df.unwrap(), 0.0),
                }
            } else {
                let r = report
                    .weighted_rows
                    .iter()
                    .find(|r| r.group == group_id && r.wave == wave && r.option == "1")
                    .unwrap();
                match field {
                    "estimate" => (r.estimate, CLOSED_FORM),
                    "se" => (r.se, CLOSED_FORM),
                    "change" => (r.change.unwrap(), CLOSED_FORM),
                    _ => (r.change_se.unwrap(), CLOSED_FORM),
                }
            };
            assert!(((got - want) / want).abs() <= tol, "{line}: got {got:e}");
            checked += 1;
        }
        // Three or more waves give one weighted trend per group; every wave pair a gap.
        assert_eq!(report.weighted_trends.len(), 2);
        assert_eq!(report.weighted_gaps.len(), case.sizes.len() - 1);
    }
    assert_eq!(checked, golden.lines().count() - 2);
}

/// `waves` goes through the one report writer: `--adjust` changes the adjusted
/// p-values in the CSV, the JSON, the summary and the HTML, and `--format` limits the
/// files written, as for `analyze`.
#[test]
fn waves_honour_adjust_and_format_as_analyze_does() {
    let dir = tempfile::tempdir().unwrap();
    let run = |adjust: &str, format: &str, out: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .arg("waves")
            .args(files())
            .arg("--codebook")
            .arg(folder().join("codebook.toml"))
            .args(["--adjust", adjust, "--format", format, "--out"])
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let holm_summary = run("holm", "all", "holm");
    let bonferroni_summary = run("bonferroni", "all", "bonferroni");
    assert!(holm_summary.contains("after Holm adjustment"), "{holm_summary}");
    assert!(bonferroni_summary.contains("after Bonferroni adjustment"), "{bonferroni_summary}");
    // Bonferroni: every change's adjusted p is min(1, m p) over the family of changes.
    let read = |out: &str| -> Vec<csv::StringRecord> {
        let mut r = csv::Reader::from_path(dir.path().join(out).join("waves.csv")).unwrap();
        r.records().map(Result::unwrap).collect()
    };
    let mut rdr = csv::Reader::from_path(dir.path().join("bonferroni/waves.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (p, adjusted) = (col("change_p_value"), col("change_p_adjusted"));
    let rows = read("bonferroni");
    let m = rows.iter().filter(|r| !r[p].is_empty()).count() as f64;
    assert!(m > 10.0);
    let mut differs = false;
    for (b, h) in rows.iter().zip(read("holm")) {
        if b[p].is_empty() {
            continue;
        }
        let raw: f64 = b[p].parse().unwrap();
        let adj: f64 = b[adjusted].parse().unwrap();
        assert!((adj - (m * raw).min(1.0)).abs() < 1e-12, "{raw} {adj}");
        differs |= h[adjusted] != b[adjusted];
    }
    assert!(differs, "--adjust changed no adjusted p-value");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("bonferroni/results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["waves"]["options"]["adjustment"], "bonferroni");
    let html = std::fs::read_to_string(dir.path().join("bonferroni/report.html")).unwrap();
    assert!(html.contains("p adjusted (Bonferroni)") && !html.contains("p adjusted (Holm)"));
    // --format md: the Markdown report (and the summary), no charts, no CSV.
    run("holm", "md", "md-only");
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("md-only"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, [".invitestat-report", "report.md", "summary.txt"]);
    // No link to a chart file that was not written: the charts' text alternatives instead.
    let md = std::fs::read_to_string(dir.path().join("md-only/report.md")).unwrap();
    assert!(!md.contains("](charts/") && md.contains("Small multiples"), "{md:.2000}");
}

/// `--suppress-below` leaves a small group out of every wave table: its shares, its
/// changes, its trends and every gap (which needs it), weighted and unweighted.
#[test]
fn suppression_leaves_a_small_group_out_of_every_wave_table() {
    let codebook = Codebook::from_path(&folder().join("codebook.toml")).unwrap();
    let waves = waves_from_files(&files(), &codebook, LoadOptions::default()).unwrap();
    let recruiters = |w: &invitestat::tabulate::Wave| w.table.respondents[0];
    assert!(waves.iter().all(|w| recruiters(w) < 200 && w.table.respondents[1] >= 200));
    let options = AnalysisOptions { suppress_below: Some(200), ..AnalysisOptions::default() };
    let r = compare_waves(&codebook, waves, options);
    assert!(!r.rows.is_empty() && r.rows.iter().all(|row| row.group == "non-recruiters"));
    assert!(!r.trends.is_empty() && r.trends.iter().all(|t| t.group == "non-recruiters"));
    assert!(r.gaps.is_empty() && r.weighted_gaps.is_empty());
    assert!(r.weighted_rows.iter().all(|row| row.group == "non-recruiters"));
    assert!(r.weighted_trends.iter().all(|t| t.group == "non-recruiters"));
}

/// Two wave files with the same name in different folders are two waves, each with its
/// own label and its own numbers.
#[test]
fn wave_files_with_the_same_name_keep_their_own_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, year) in [(1, "2025"), (2, "2026")] {
        std::fs::create_dir(dir.path().join(year)).unwrap();
        let p = dir.path().join(year).join("wave.csv");
        std::fs::copy(folder().join(format!("wave-{i}.csv")), &p).unwrap();
        paths.push(p);
    }
    let codebook = Codebook::from_path(&folder().join("codebook.toml")).unwrap();
    let waves = waves_from_files(&paths, &codebook, LoadOptions::default()).unwrap();
    let labels: Vec<&str> = waves.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(labels, ["2025/wave", "2026/wave"]);
    let r = compare_waves(&codebook, waves, AnalysisOptions::default());
    let share = |wave: &str| {
        r.rows
            .iter()
            .find(|x| x.question == "accept_never_met" && x.group == "recruiters" && x.wave == wave)
            .map(|x| (x.successes, x.n))
            .unwrap()
    };
    let (first, second) = (share("2025/wave"), share("2026/wave"));
    assert_eq!(first, tally(&folder().join("wave-1.csv"), "accept_never_met", "1", "1"));
    assert_eq!(second, tally(&folder().join("wave-2.csv"), "accept_never_met", "1", "1"));
    assert_ne!(first, second);
}

/// The panel golden file (`tests/golden/r_survey_panel.json`, written with the
/// `tests/fixtures/panel-wave-*.csv` and `panel-design-wave-*.csv` files by
/// `notebooks/golden/r_survey_panel_reference.R`).
fn panel_golden() -> serde_json::Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/golden/r_survey_panel.json")).unwrap(),
    )
    .unwrap()
}

/// The panel goldens' codebook, with `design` (TOML keys at the top level) declared.
fn panel_codebook(design: &str) -> Codebook {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = format!(
        r#"id_column = "id"
weight_column = "w"
{design}
[study]
id = "panel"
title = "Panel golden"
source = "R survey"
[grouping]
column = "grp"
levels = [{{ id = "g1", code = "1", label = "One" }}, {{ id = "g2", code = "2", label = "Two" }}]
[[questions]]
id = "q1"
text = "Q1?"
kind = "yes-no"
options = [{{ code = "1", label = "Yes" }}, {{ code = "0", label = "No" }}]
"#
    );
    Codebook::from_toml(&text, &root.join("panel.toml")).unwrap()
}

/// Checks every change of `expected` (R's) against the weighted rows of `report`,
/// whose waves are the files `{stem}-{1,2,3}`, to 1e-9.
fn assert_panel_changes(
    report: &invitestat::report::Report,
    stem: &str,
    expected: &serde_json::Value,
) {
    let w = report.waves.as_ref().unwrap();
    for c in expected.as_array().unwrap() {
        let (g, wave) = (c["group"].as_u64().unwrap(), c["wave"].as_u64().unwrap());
        let row = w
            .weighted_rows
            .iter()
            .find(|r| {
                r.question == "q1"
                    && r.option == "1"
                    && r.group == format!("g{g}")
                    && r.wave == format!("{stem}-{wave}")
            })
            .unwrap();
        let what = format!("{stem}: group {g}, wave {wave}");
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
        let want = c["change"].as_f64().unwrap();
        assert!(rel(row.change.unwrap(), want) < 1e-9, "{what}: {:?} vs {want}", row.change);
        let want = c["se"].as_f64().unwrap();
        assert!(
            rel(row.change_se.unwrap(), want) < 1e-9,
            "{what} SE: {:?} vs {want}",
            row.change_se
        );
    }
}

/// Panel waves sharing respondents: the change since the previous wave with the
/// within-respondent covariance, against R survey ([`panel_golden`]).
#[test]
fn panel_changes_use_the_within_respondent_covariance_as_r_survey_does() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let golden = panel_golden();
    let codebook = panel_codebook("");
    let files: Vec<PathBuf> =
        (1..=3).map(|i| root.join(format!("tests/fixtures/panel-wave-{i}.csv"))).collect();
    let options = invitestat::study::Options::default();
    let waves = invitestat::study::read_waves(&files, &codebook, options.load).unwrap();
    let overlap: Vec<u64> =
        waves.iter().skip(1).map(|w| w.panel.as_ref().unwrap().overlap).collect();
    let meta = &golden["meta"];
    assert_eq!(overlap, [100, 90]);
    assert_eq!(meta["overlap"], serde_json::json!(overlap));
    assert_eq!(waves[2].panel.as_ref().unwrap().respondents, 270);
    let report = invitestat::study::analyse_waves(waves, &codebook, options.analysis);
    assert_panel_changes(&report, "panel-wave", &golden["changes"]);
}

/// The same panel under a stratified clustered design with an fpc, under bootstrap
/// replicate weights of it, and under strata of respondents with and without an fpc:
/// the waves stacked with their strata, clusters and replicates matched across the
/// waves (without clusters, each respondent one PSU of its stratum), against R survey on the stacked waves
/// ([`panel_golden`]), the changes and their standard errors to 1e-9 and the stacked
/// design's degrees of freedom exactly.
#[test]
fn panel_changes_under_a_declared_design_stack_its_clusters_as_r_survey_does() {
    use invitestat::tabulate::design::{
        stacked_question_design, stacks_element_strata, stacks_panel_waves,
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let golden = panel_golden();
    let files: Vec<PathBuf> =
        (1..=3).map(|i| root.join(format!("tests/fixtures/panel-design-wave-{i}.csv"))).collect();
    let designs = [
        (
            "clustered",
            "[design]\nstrata_column = \"stratum\"\ncluster_column = \"cluster\"\nfpc_column = \"fpc\"",
        ),
        ("replicates", "[design.replicates]\ntype = \"bootstrap\"\nprefix = \"bs\"\ncount = 20"),
        ("strata", "[design]\nstrata_column = \"stratum\""),
        ("strata_fpc", "[design]\nstrata_column = \"stratum\"\nfpc_column = \"pop\""),
    ];
    for (name, design) in designs {
        let codebook = panel_codebook(design);
        assert!(stacks_panel_waves(&codebook), "{name}");
        let options = invitestat::study::Options::default();
        let waves = invitestat::study::read_waves(&files, &codebook, options.load).unwrap();
        let totals: Vec<_> = waves.iter().map(|w| w.table.design.as_ref().unwrap()).collect();
        let expected = &golden["designs"][name];
        for (i, wave) in waves.iter().enumerate().skip(1) {
            let links = wave.panel.as_ref().unwrap().strata.as_ref();
            assert_eq!(links.is_some(), stacks_element_strata(&codebook), "{name}");
            let (_, df) = stacked_question_design(&codebook, &totals, i, i - 1, 0, links).unwrap();
            assert_eq!(df, expected[0]["df"].as_f64().unwrap(), "{name}");
        }
        let report = invitestat::study::analyse_waves(waves, &codebook, options.analysis);
        assert_panel_changes(&report, "panel-design-wave", expected);
    }
    // Without the links, strata of respondents leave the waves independent.
    let codebook = panel_codebook(designs[2].1);
    let options = invitestat::study::Options::default();
    let waves = invitestat::study::read_waves(&files, &codebook, options.load).unwrap();
    let totals: Vec<_> = waves.iter().map(|w| w.table.design.as_ref().unwrap()).collect();
    assert!(stacked_question_design(&codebook, &totals, 1, 0, 0, None).is_none());
}

/// Strata of respondents where some respondents move stratum between waves (a unit in
/// each stratum, R's `nest = TRUE`) and one is alone in its stratum (a lonely PSU under
/// `lonely_psu = "adjust"`): the changes against R survey ([`panel_golden`]), and the
/// stacked design's degrees of freedom counting the movers twice.
#[test]
fn panel_respondents_who_move_stratum_are_a_psu_in_each_as_r_survey_nests_them() {
    use invitestat::tabulate::design::stacked_question_design;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let golden = panel_golden();
    let files: Vec<PathBuf> =
        (1..=3).map(|i| root.join(format!("tests/fixtures/panel-moved-wave-{i}.csv"))).collect();
    let codebook = panel_codebook("[design]\nstrata_column = \"stratum\"\nlonely_psu = \"adjust\"");
    let options = invitestat::study::Options::default();
    let waves = invitestat::study::read_waves(&files, &codebook, options.load).unwrap();
    let links = waves[2].panel.as_ref().unwrap().strata.as_ref().unwrap();
    // 270 people; 15 of wave 3 moved to s4 and one of wave 2 to s5, each seen in another
    // stratum in another wave too.
    let units: Vec<(&str, u64)> = links.units.iter().map(|(k, &v)| (k.as_str(), v)).collect();
    assert_eq!(units.len(), 5);
    assert_eq!(units.iter().map(|u| u.1).sum::<u64>(), 286);
    assert_eq!(units[3], ("s4", 15));
    assert_eq!(units[4], ("s5", 1));
    let totals: Vec<_> = waves.iter().map(|w| w.table.design.as_ref().unwrap()).collect();
    let expected = &golden["designs"]["moved"];
    let (_, df) = stacked_question_design(&codebook, &totals, 2, 1, 0, Some(links)).unwrap();
    assert_eq!(df, expected[0]["df"].as_f64().unwrap());
    let report = invitestat::study::analyse_waves(waves, &codebook, options.analysis);
    assert_panel_changes(&report, "panel-moved-wave", expected);
    use invitestat::report::{Formats, document, markdown};
    let text = markdown::render(&document::build(&report, &[], Formats::ALL));
    assert!(text.contains("whose PSUs are the respondents within their strata"), "{text}");
}
