//! Weights calibrated to population margins (post-stratification, raking, linear and
//! raking calibration with bounds and trimming, raked replicate weights) and the
//! variance after calibration, against R survey (`tests/golden/r_survey_weighting.json`,
//! written with `tests/fixtures/survey-weighting.csv` by
//! `notebooks/golden/r_survey_weighting_reference.R`).

use super::design::close;
use invitestat::codebook::Codebook;
use invitestat::stats::weighted::WeightedCiMethod;
use invitestat::study::{Options, analyse_file};
use serde_json::Value;
use std::path::PathBuf;

/// Closed forms (post-stratification, unbounded linear calibration): 1e-9 relative.
const CLOSED_FORM: f64 = 1e-9;
/// Quantile-based intervals and F-test p-values: 1e-8 relative.
const QUANTILE: f64 = 1e-8;
/// Iterated weights (raking, bounded or raking calibration): 1e-7 relative.
const ROOT: f64 = 1e-7;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/golden/r_survey_weighting.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pair(v: &Value) -> String {
    let a = v.as_array().unwrap();
    format!("[{:?}, {:?}]", a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
}

const MARGINS: &str = r#"
[[weighting.margins]]
variables = ["group"]
population = { "1" = 240, "2" = 560 }

[[weighting.margins]]
variables = ["region"]
population = { north = 320, south = 280, west = 200 }
"#;

/// The codebook of R's case `name`, and whether its weights are iterated.
pub fn codebook(name: &str, case: &Value) -> (Codebook, bool) {
    let (text, iterated) = codebook_text(name, case);
    let path = root().join("tests/fixtures/weighting.toml");
    (Codebook::from_toml(&text, &path).unwrap(), iterated)
}

/// The codebook's text (its targets file is in `tests/fixtures`).
fn codebook_text(name: &str, case: &Value) -> (String, bool) {
    let (design, weighting, iterated) = match name {
        "poststratify_strata_clusters" => (
            "[design]\nstrata_column = \"stratum2\"\ncluster_column = \"psu\"\n".to_string(),
            "[weighting]\nmethod = \"poststratify\"\n[[weighting.margins]]\nvariables = [\"region\", \"group\"]\ntargets_file = \"survey-weighting-targets.csv\"\n".to_string(),
            false,
        ),
        "poststratify_weights_only" => (
            String::new(),
            "[weighting]\nmethod = \"poststratify\"\n[[weighting.margins]]\nvariables = [\"group\"]\npopulation = { \"1\" = 240, \"2\" = 560 }\n".to_string(),
            false,
        ),
        "rake_strata_clusters" => (
            "[design]\nstrata_column = \"stratum2\"\ncluster_column = \"psu\"\n".to_string(),
            format!("[weighting]\nmethod = \"rake\"\ntolerance = 1e-10\nmax_iterations = 200\n{MARGINS}"),
            true,
        ),
        "calibrate_linear_strata_only" => (
            "[design]\nstrata_column = \"stratum\"\n".to_string(),
            format!("[weighting]\nmethod = \"calibrate\"\n{MARGINS}"),
            false,
        ),
        "calibrate_bounded_clusters_only" => (
            "[design]\ncluster_column = \"psu_id\"\n".to_string(),
            format!(
                "[weighting]\nmethod = \"calibrate\"\nbounds = {}\ntolerance = 1e-12\nmax_iterations = 100\n{MARGINS}",
                pair(&case["bounds"])
            ),
            true,
        ),
        "calibrate_raking_trim_strata_clusters" => (
            "[design]\nstrata_column = \"stratum2\"\ncluster_column = \"psu\"\n".to_string(),
            format!(
                "[weighting]\nmethod = \"calibrate\"\nfunction = \"raking\"\ntrim = {}\ntolerance = 1e-12\nmax_iterations = 100\n{MARGINS}",
                pair(&case["trim"])
            ),
            true,
        ),
        "rake_jkn" => {
            let design: Value = serde_json::from_str(
                &std::fs::read_to_string(root().join("tests/golden/r_survey_design.json")).unwrap(),
            )
            .unwrap();
            let rscales: Vec<String> = design["meta"]["jkn"]["rscales"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| format!("{:?}", x.as_f64().unwrap()))
                .collect();
            (
                format!(
                    "[design.replicates]\ntype = \"JKn\"\nprefix = \"jn\"\ncount = 18\nrscales = [{}]\n",
                    rscales.join(", ")
                ),
                format!("[weighting]\nmethod = \"rake\"\ntolerance = 1e-10\nmax_iterations = 200\n{MARGINS}"),
                true,
            )
        }
        other => panic!("no codebook for case {other}"),
    };
    let text = format!(
        r#"id_column = "id"
weight_column = "w"
{design}
{weighting}
[study]
id = "weighting"
title = "Weighting golden"
source = "R survey"
[grouping]
column = "group"
levels = [{{ id = "g1", code = "1", label = "One" }}, {{ id = "g2", code = "2", label = "Two" }}]
[[questions]]
id = "q1"
text = "Q1?"
kind = "yes-no"
options = [{{ code = "1", label = "Yes" }}, {{ code = "0", label = "No" }}]
[[questions]]
id = "q2"
text = "Q2?"
kind = "single-choice"
options = [{{ code = "a", label = "A" }}, {{ code = "b", label = "B" }}, {{ code = "c", label = "C" }}]
"#
    );
    (text, iterated)
}

fn answer(r: &str) -> (&'static str, &'static str) {
    match r {
        "q1y" => ("q1", "1"),
        "q2a" => ("q2", "a"),
        "q2b" => ("q2", "b"),
        "q2c" => ("q2", "c"),
        other => panic!("unknown answer {other}"),
    }
}

#[test]
fn every_weighting_matches_r_survey() {
    let g = golden();
    let data = root().join("tests/fixtures/survey-weighting.csv");
    let cases = g["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 7);
    for (name, case) in cases {
        let (cb, iterated) = codebook(name, case);
        let tol = if iterated { ROOT } else { CLOSED_FORM };
        let qtol = if iterated { ROOT } else { QUANTILE };
        for method in [WeightedCiMethod::Logit, WeightedCiMethod::Beta] {
            let mut options = Options::default();
            options.analysis.weighted_ci_method = method;
            let report =
                analyse_file(&data, &cb, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
            let a = report.analysis.as_ref().unwrap();
            assert_eq!(report.load.weighting.len(), 1, "{name}");
            for r in case["shares"].as_array().unwrap() {
                let (q, o) = answer(r["answer"].as_str().unwrap());
                let group = r["group"].as_u64().unwrap();
                if group == 0 {
                    let c = a
                        .weighted_comparisons
                        .iter()
                        .find(|c| c.question == q && c.option == o)
                        .unwrap();
                    let what = format!("{name} {q}={o} difference");
                    close(c.difference, r["difference"].as_f64().unwrap(), tol, &what);
                    close(c.se, r["difference_se"].as_f64().unwrap(), tol, &what);
                    continue;
                }
                let level = format!("g{group}");
                let row = a
                    .weighted
                    .iter()
                    .find(|w| w.question == q && w.option == o && w.group == level)
                    .unwrap_or_else(|| panic!("{name}: no row {q}={o} {level}"));
                let what = format!("{name} {q}={o} {level}");
                close(row.estimate, r["estimate"].as_f64().unwrap(), tol, &what);
                close(row.se, r["se"].as_f64().unwrap(), tol, &format!("{what} SE"));
                assert_eq!(row.df, r["df"].as_f64().unwrap(), "{what} df");
                let m = method.name();
                if let Some(lower) = r.get(format!("{m}_lower")) {
                    let what = format!("{what} {m}");
                    close(row.ci_lower, lower.as_f64().unwrap(), qtol, &what);
                    close(row.ci_upper, r[format!("{m}_upper")].as_f64().unwrap(), qtol, &what);
                }
            }
            let q2 = a.question_tests.iter().find(|t| t.question == "q2").unwrap();
            let want = case["tests"]["q2"]["p"].as_f64().unwrap();
            close(q2.rao_scott_p_value.unwrap(), want, qtol, &format!("{name} q2 Rao-Scott"));
            let q1 = a.weighted_comparisons.iter().find(|c| c.question == "q1").unwrap();
            let want = case["tests"]["q1"]["p"].as_f64().unwrap();
            close(q1.rao_scott_p_value.unwrap(), want, qtol, &format!("{name} q1 Rao-Scott"));
        }
    }
}

#[test]
fn margins_that_cannot_be_met_are_refused() {
    let g = golden();
    let data = root().join("tests/fixtures/survey-weighting.csv");
    let (mut cb, _) = codebook("rake_strata_clusters", &g["cases"]["rake_strata_clusters"]);
    let w = cb.weighting.as_mut().unwrap();
    w.margins.population[1][2] += 10.0;
    let e = analyse_file(&data, &cb, &Options::default()).unwrap_err().to_string();
    assert!(
        e.contains("the margins cannot all be met: 'group' sums to 800 and 'region' to 810"),
        "{e}"
    );
    assert!(e.contains("survey-weighting.csv: weighting:"), "{e}");
    let (mut cb, _) = codebook("rake_strata_clusters", &g["cases"]["rake_strata_clusters"]);
    let w = cb.weighting.as_mut().unwrap();
    w.method = invitestat::stats::calibration::Method::Rake { tolerance: 1e-15, max_iterations: 2 };
    let e = analyse_file(&data, &cb, &Options::default()).unwrap_err().to_string();
    assert!(e.contains("raking did not converge in 2 iteration(s)"), "{e}");
}

#[test]
fn a_targets_file_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "group,population\n1,240\n2,lots\n").unwrap();
    let toml = format!(
        "id_column = \"id\"\n[weighting]\nmethod = \"poststratify\"\n[[weighting.margins]]\nvariables = [\"group\"]\ntargets_file = \"t.csv\"\n{}",
        "[study]\nid = \"x\"\ntitle = \"x\"\nsource = \"x\"\n[grouping]\ncolumn = \"group\"\nlevels = [{ id = \"g1\", code = \"1\", label = \"One\" }, { id = \"g2\", code = \"2\", label = \"Two\" }]\n[[questions]]\nid = \"q1\"\ntext = \"Q1?\"\nkind = \"yes-no\"\noptions = [{ code = \"1\", label = \"Yes\" }, { code = \"0\", label = \"No\" }]\n"
    );
    let e = Codebook::from_toml(&toml, &dir.path().join("c.toml")).unwrap_err().to_string();
    assert!(e.contains("t.csv: line 3, column population: 'lots' is not a population"), "{e}");
}

#[test]
fn the_weight_command_writes_r_surveys_weights_beside_the_responses() {
    let g = golden();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fixtures/survey-weighting-targets.csv"),
        dir.path().join("survey-weighting-targets.csv"),
    )
    .unwrap();
    let data = root().join("tests/fixtures/survey-weighting.csv");
    for name in ["poststratify_strata_clusters", "rake_strata_clusters", "rake_jkn"] {
        let case = &g["cases"][name];
        let (text, iterated) = codebook_text(name, case);
        let cb = dir.path().join(format!("{name}.toml"));
        std::fs::write(&cb, text).unwrap();
        let out = dir.path().join(format!("{name}.csv"));
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .arg("weight")
            .arg(&data)
            .arg("--codebook")
            .arg(&cb)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(said.contains("405 rows read, 405 weighted"), "{said}");
        let mut rdr = csv::Reader::from_path(&out).unwrap();
        let header = rdr.headers().unwrap().clone();
        let col = header.iter().position(|h| h == "calibrated_weight").unwrap();
        assert_eq!(header.get(0), Some("id"), "the responses' columns come first");
        let want: Vec<f64> =
            case["weights"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let got: Vec<f64> =
            rdr.records().map(|r| r.unwrap()[col].parse::<f64>().unwrap()).collect();
        assert_eq!(got.len(), want.len());
        let tol = if iterated { ROOT } else { CLOSED_FORM };
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            close(*a, *b, tol, &format!("{name} weight of row {}", i + 1));
        }
        if name == "rake_jkn" {
            assert_eq!(header.iter().filter(|h| h.starts_with("calibrated_weight_")).count(), 18);
        }
        // The file is not replaced without --force, and the weights alone are written on
        // request.
        let again = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .args(["weight", data.to_str().unwrap(), "--codebook", cb.to_str().unwrap(), "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(!again.status.success());
        assert!(
            String::from_utf8_lossy(&again.stderr)
                .contains("exists and invitestat did not write it")
        );
        let only = dir.path().join(format!("{name}-weights.csv"));
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .args([
                "weight",
                data.to_str().unwrap(),
                "--codebook",
                cb.to_str().unwrap(),
                "--weights-only",
                "--out",
            ])
            .arg(&only)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let text = std::fs::read_to_string(&only).unwrap();
        assert!(text.starts_with("id,calibrated_weight"), "{}", &text[..40]);
        assert_eq!(text.lines().count(), 406);
    }
}

#[test]
fn a_calibrated_count_table_merges_back_to_the_same_analysis() {
    let root = root();
    let cb = root.join("data/waves-example/codebook.toml");
    let data = root.join("data/waves-example/wave-1.csv");
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.json");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&[
        "tabulate".as_ref(),
        data.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--counts-out".as_ref(),
        counts.as_os_str(),
    ]);
    let json = |args: &[&std::ffi::OsStr]| -> Value { serde_json::from_slice(&run(args)).unwrap() };
    let merged = json(&[
        "merge".as_ref(),
        counts.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]);
    let direct = json(&[
        "analyze".as_ref(),
        data.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(merged["analysis"], direct["analysis"]);
    assert_eq!(merged["load"]["weighting"], direct["load"]["weighting"]);
    assert_eq!(direct["load"]["weighting"][0]["method"], "raking");
    // Two tables calibrated separately do not merge.
    let other = dir.path().join("other.json");
    let wave2 = root.join("data/waves-example/wave-2.csv");
    run(&[
        "tabulate".as_ref(),
        wave2.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--counts-out".as_ref(),
        other.as_os_str(),
    ]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args([
            "merge".as_ref(),
            counts.as_os_str(),
            other.as_os_str(),
            "--codebook".as_ref(),
            cb.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("calibrated separately"));
}

#[test]
fn weighted_pairwise_comparisons_of_three_groups_match_r_survey() {
    let g = golden();
    let data = root().join("tests/fixtures/survey-weighting.csv");
    for (name, weighting) in [
        ("strata_clusters", String::new()),
        (
            "rake_strata_clusters",
            format!(
                "[weighting]\nmethod = \"rake\"\ntolerance = 1e-10\nmax_iterations = 200\n{MARGINS}"
            ),
        ),
    ] {
        let text = format!(
            r#"id_column = "id"
weight_column = "w"
[design]
strata_column = "stratum2"
cluster_column = "psu"
{weighting}
[study]
id = "pairs"
title = "Pairwise golden"
source = "R survey"
[grouping]
column = "region"
levels = [{{ id = "north", code = "north", label = "North" }}, {{ id = "south", code = "south", label = "South" }}, {{ id = "west", code = "west", label = "West" }}]
[[questions]]
id = "q1"
text = "Q1?"
kind = "yes-no"
options = [{{ code = "1", label = "Yes" }}, {{ code = "0", label = "No" }}]
"#
        );
        // The region is the grouping here, and `group` a weighting column of its own.
        let cb = Codebook::from_toml(&text, &root().join("tests/fixtures/pairs.toml")).unwrap();
        let report = analyse_file(&data, &cb, &Options::default()).unwrap();
        let a = report.analysis.as_ref().unwrap();
        let row = a.group_tests.iter().find(|t| t.question == "q1" && t.option == "1").unwrap();
        let want = g["pairwise"][name].as_array().unwrap();
        assert_eq!(row.weighted_pairwise.len(), want.len());
        let tol = if weighting.is_empty() { CLOSED_FORM } else { ROOT };
        for (got, w) in row.weighted_pairwise.iter().zip(want) {
            let what = format!("{name} pair {}-{}", got.a + 1, got.b + 1);
            assert_eq!(
                (got.a + 1, got.b + 1),
                (w["a"].as_u64().unwrap() as usize, w["b"].as_u64().unwrap() as usize)
            );
            close(got.difference, w["difference"].as_f64().unwrap(), tol, &what);
            close(got.p_value.unwrap(), w["p"].as_f64().unwrap(), tol, &format!("{what} p"));
            close(
                got.p_adjusted.unwrap(),
                w["p_holm"].as_f64().unwrap(),
                tol,
                &format!("{what} Holm"),
            );
        }
        assert_eq!(row.weighted_letters.len(), 3);
    }
}
