//! Design-based shares, intervals, differences and Rao-Scott tests under stratified,
//! clustered, fpc and replicate-weight designs, against R survey
//! (`tests/golden/r_survey_design.json`, written with `tests/fixtures/survey-design.csv`
//! by `notebooks/golden/r_survey_design_reference.R`). The data have item
//! non-response, a lonely PSU, clusters shared by both groups and a share of 0.

use invitestat::codebook::Codebook;
use invitestat::stats::weighted::WeightedCiMethod;
use invitestat::study::{Options, analyse_file};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Closed-form quantities (shares, SEs, differences): 1e-9 relative.
const CLOSED_FORM: f64 = 1e-9;
/// Quantile-based intervals and F-test p-values: 1e-8 relative.
const QUANTILE: f64 = 1e-8;
/// Iteratively fitted quantities (the trend's logistic slope): 1e-7 relative.
const ROOT: f64 = 1e-7;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden() -> Value {
    let text = std::fs::read_to_string(root().join("tests/golden/r_survey_design.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub(crate) fn close(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        err <= tol || (got - want).abs() < 1e-15,
        "{what}: got {got:.17e}, R {want:.17e} (relative {err:.1e})"
    );
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")
}

fn replicates(prefix: &str, kind: &str, meta: &Value, mse: bool) -> String {
    let count = meta["replicates"].as_u64().unwrap();
    let mut s = format!(
        "[design.replicates]\ntype = \"{kind}\"\nprefix = \"{prefix}\"\ncount = {count}\nmse = {mse}\n"
    );
    if kind == "Fay" {
        s.push_str(&format!("rho = {:?}\n", meta["rho"].as_f64().unwrap()));
    }
    if kind == "JKn" {
        s.push_str(&format!("rscales = [{}]\n", list(&numbers(&meta["rscales"]))));
    }
    if kind == "bootstrap" && !mse {
        // as.svrepdesign's bootstrap scale is not svrepdesign's default 1 / (R - 1),
        // which the mse case (built by svrepdesign) keeps.
        s.push_str(&format!("scale = {:?}\n", meta["scale"].as_f64().unwrap()));
    }
    if kind == "other" {
        s.push_str(&format!(
            "scale = {:?}\nrscales = [{}]\n",
            meta["scale"].as_f64().unwrap(),
            list(&numbers(&meta["rscales"]))
        ));
    }
    s
}

/// The codebook of the fixture under R's design `name`.
fn codebook(name: &str, meta: &Value) -> Codebook {
    codebook_with(name, meta, "")
}

/// The same, with `extra` top-level keys (a wave column).
fn codebook_with(name: &str, meta: &Value, extra: &str) -> Codebook {
    let design = match name {
        n if n.starts_with("strata_clusters_fpc_") => format!(
            "[design]\nstrata_column = \"stratum\"\ncluster_column = \"psu\"\nfpc_column = \"fpc\"\nlonely_psu = \"{}\"\n",
            n.trim_start_matches("strata_clusters_fpc_")
        ),
        "strata_clusters" => {
            "[design]\nstrata_column = \"stratum2\"\ncluster_column = \"psu\"\n".to_string()
        }
        "strata_only" => "[design]\nstrata_column = \"stratum\"\n".to_string(),
        "clusters_only" => "[design]\ncluster_column = \"psu_id\"\n".to_string(),
        "waves" => "[design]\nstrata_column = \"stratum2\"\ncluster_column = \"psu\"\n".to_string(),
        "jk1" => replicates("jk", "JK1", &meta["jk1"], false),
        "jkn" => replicates("jn", "JKn", &meta["jkn"], false),
        "bootstrap" => replicates("bs", "bootstrap", &meta["bootstrap"], false),
        "brr" => replicates("br", "BRR", &meta["brr"], false),
        "fay" => replicates("fy", "Fay", &meta["fay"], false),
        "bootstrap_mse" => replicates("bs", "bootstrap", &meta["bootstrap"], true),
        "sdr" => replicates("br", "successive-difference", &meta["sdr"], false),
        "other" => replicates("bs", "other", &meta["other"], false),
        other => panic!("no codebook for design {other}"),
    };
    let text = format!(
        r#"id_column = "id"
weight_column = "w"
{extra}
{design}
[study]
id = "design"
title = "Design golden"
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
[[questions]]
id = "q3"
text = "Q3 (asked in group 1 only)?"
kind = "yes-no"
options = [{{ code = "1", label = "Yes" }}, {{ code = "0", label = "No" }}]
"#
    );
    Codebook::from_toml(&text, Path::new("design.toml")).unwrap()
}

fn answer(r: &str) -> (&'static str, &'static str) {
    match r {
        "q1y" => ("q1", "1"),
        "q2a" => ("q2", "a"),
        "q2b" => ("q2", "b"),
        "q2c" => ("q2", "c"),
        "q3y" => ("q3", "1"),
        other => panic!("unknown answer {other}"),
    }
}

#[test]
fn every_design_matches_r_survey() {
    let g = golden();
    let data = root().join("tests/fixtures/survey-design.csv");
    let designs = g["designs"].as_object().unwrap();
    assert_eq!(designs.len(), 15);
    for (name, case) in designs {
        let cb = codebook(name, &g["meta"]);
        for method in [
            WeightedCiMethod::Logit,
            WeightedCiMethod::Beta,
            WeightedCiMethod::Asin,
            WeightedCiMethod::Mean,
            WeightedCiMethod::Xlogit,
            WeightedCiMethod::Likelihood,
        ] {
            let mut options = Options::default();
            options.analysis.weighted_ci_method = method;
            let report = analyse_file(&data, &cb, &options).unwrap();
            let a = report.analysis.as_ref().unwrap();
            for r in case["shares"].as_array().unwrap() {
                let (q, o) = answer(r["answer"].as_str().unwrap());
                let group = r["group"].as_u64().unwrap();
                if r.get("empty").is_some() {
                    // R's 0 / 0 (NaN): invitestat gives no share and no difference.
                    let level = format!("g{group}");
                    let what = format!("{name} {q}={o} {level}: an empty domain");
                    if group == 0 {
                        assert!(
                            !a.weighted_comparisons
                                .iter()
                                .any(|c| c.question == q && c.option == o),
                            "{what}"
                        );
                    } else {
                        assert_eq!(r["se_finite"], false, "{what}: R gives no SE");
                        assert!(
                            !a.weighted
                                .iter()
                                .any(|w| w.question == q && w.option == o && w.group == level),
                            "{what}"
                        );
                    }
                    continue;
                }
                if group == 0 {
                    let c = a
                        .weighted_comparisons
                        .iter()
                        .find(|c| c.question == q && c.option == o)
                        .unwrap();
                    let what = format!("{name} {q}={o} difference");
                    close(c.difference, r["difference"].as_f64().unwrap(), CLOSED_FORM, &what);
                    close(c.se, r["difference_se"][0][0].as_f64().unwrap(), CLOSED_FORM, &what);
                    continue;
                }
                let level = format!("g{group}");
                let row = a
                    .weighted
                    .iter()
                    .find(|w| w.question == q && w.option == o && w.group == level)
                    .unwrap();
                let what = format!("{name} {q}={o} {level}");
                close(row.estimate, r["estimate"].as_f64().unwrap(), CLOSED_FORM, &what);
                close(row.se, r["se"].as_f64().unwrap(), CLOSED_FORM, &what);
                assert_eq!(row.df, r["df"].as_f64().unwrap(), "{what} df");
                if let Some(deff) = r.get("deff_replace") {
                    let got = row.deff_replace.unwrap();
                    close(got, deff.as_f64().unwrap(), CLOSED_FORM, &format!("{what} deff"));
                }
                let m = method.name();
                // The likelihood limits are roots (R's exact ones; its spline is 1e-4 off).
                let tol = if method == WeightedCiMethod::Likelihood { ROOT } else { QUANTILE };
                if let Some(lower) = r.get(format!("{m}_lower")) {
                    let what = format!("{what} {m}");
                    close(row.ci_lower, lower.as_f64().unwrap(), tol, &what);
                    close(row.ci_upper, r[format!("{m}_upper")].as_f64().unwrap(), tol, &what);
                } else if r.get(format!("{m}_missing")).is_some() {
                    // R has no likelihood interval under replicate weights; invitestat's
                    // is the one-stage one (docs/codebook.md).
                    assert!(!row.boundary && row.ci_lower < row.estimate, "{what} {m}");
                } else {
                    assert!(row.boundary, "{what}: a share of 0 gets the boundary interval");
                }
            }
            // Rao-Scott F tests: q2 x group (the question's test), q1 x group (the
            // comparison's).
            let q2 = a.question_tests.iter().find(|t| t.question == "q2").unwrap();
            let want = case["tests"]["q2"]["p"].as_f64().unwrap();
            close(q2.rao_scott_p_value.unwrap(), want, QUANTILE, &format!("{name} q2 Rao-Scott"));
            // q3's test with an empty domain: R has no finite value, invitestat none.
            assert_eq!(case["tests"]["q3"]["finite"], false, "{name} q3 in R");
            let q3 = a.question_tests.iter().find(|t| t.question == "q3");
            assert!(
                q3.is_none_or(|t| t.rao_scott_p_value.is_none()),
                "{name} q3: no Rao-Scott test with an empty domain"
            );
            let q1 = a.weighted_comparisons.iter().find(|c| c.question == "q1").unwrap();
            let want = case["tests"]["q1"]["p"].as_f64().unwrap();
            close(q1.rao_scott_p_value.unwrap(), want, QUANTILE, &format!("{name} q1 Rao-Scott"));
        }
    }
}

#[test]
fn a_lonely_psu_is_refused_by_default_and_by_name() {
    let g = golden();
    let mut cb = codebook("strata_clusters_fpc_remove", &g["meta"]);
    if let Some(d) = cb.design.as_mut() {
        d.lonely_psu = invitestat::stats::design::LonelyPsu::Fail;
    }
    let data = root().join("tests/fixtures/survey-design.csv");
    let report = analyse_file(&data, &cb, &Options::default()).unwrap();
    let a = report.analysis.as_ref().unwrap();
    // No share has a variance: the design fails, as R's does, and the load says why.
    assert!(a.weighted.is_empty(), "{:?}", a.weighted.first());
    assert!(a.weighted_comparisons.is_empty());
    assert!(
        report
            .load
            .warnings
            .iter()
            .any(|w| w
                .starts_with("1 stratum(s) have a single PSU ('s1') and lonely_psu is \"fail\"")),
        "{:?}",
        report.load.warnings
    );
}

#[test]
fn waves_under_a_design_match_r_survey() {
    let g = golden();
    let cb = codebook_with("waves", &g["meta"], "wave_column = \"wave\"");
    let data = root().join("tests/fixtures/survey-design.csv");
    let options = Options::default();
    let waves = invitestat::study::read_waves(&[data], &cb, options.load).unwrap();
    let report = invitestat::study::analyse_waves(waves, &cb, options.analysis);
    let w = report.waves.as_ref().unwrap();
    let want = &g["waves"];
    for r in want["waves"].as_array().unwrap() {
        let (group, wave) = (r["group"].as_u64().unwrap(), r["wave"].as_u64().unwrap());
        let what = format!("wave w{wave}, group g{group}");
        let row = w
            .weighted_rows
            .iter()
            .find(|x| {
                x.question == "q1"
                    && x.option == "1"
                    && x.group == format!("g{group}")
                    && x.wave == format!("w{wave}")
            })
            .unwrap();
        close(row.estimate, r["estimate"].as_f64().unwrap(), CLOSED_FORM, &what);
        close(row.se, r["se"].as_f64().unwrap(), CLOSED_FORM, &what);
        if let Some(change) = r.get("change") {
            close(row.change.unwrap(), change.as_f64().unwrap(), CLOSED_FORM, &what);
            let se = r["change_se"][0][0].as_f64().unwrap();
            close(row.change_se.unwrap(), se, CLOSED_FORM, &format!("{what} change"));
        }
    }
    // The gap's standard error from its 95% Wald interval.
    let z = 1.959_963_984_540_054;
    for r in want["gaps"].as_array().unwrap() {
        let wave = format!("w{}", r["wave"].as_u64().unwrap());
        let gap = w
            .weighted_gaps
            .iter()
            .find(|x| x.question == "q1" && x.option == "1" && x.wave == wave)
            .unwrap();
        close(gap.change, r["change"].as_f64().unwrap(), CLOSED_FORM, &wave);
        let se = (gap.ci_upper - gap.ci_lower) / (2.0 * z);
        close(se, r["se"][0][0].as_f64().unwrap(), QUANTILE, &format!("{wave} gap change SE"));
    }
    for r in want["trends"].as_array().unwrap() {
        let group = format!("g{}", r["group"].as_u64().unwrap());
        let t = w
            .weighted_trends
            .iter()
            .find(|x| x.question == "q1" && x.option == "1" && x.group == group)
            .unwrap();
        let what = format!("trend {group}");
        assert_eq!(t.df, r["df"].as_f64(), "{what} df");
        close(t.slope.unwrap(), r["slope"].as_f64().unwrap(), ROOT, &what);
        close(t.se.unwrap(), r["se"].as_f64().unwrap(), ROOT, &what);
        close(t.p_value.unwrap(), r["p"].as_f64().unwrap(), ROOT, &what);
    }
}

#[test]
fn trends_under_replicate_weights_match_r_survey() {
    let g = golden();
    let data = root().join("tests/fixtures/survey-design.csv");
    let want = g["waves"]["replicate_trends"].as_array().unwrap();
    assert_eq!(want.len(), 6);
    for name in ["jk1", "bootstrap", "fay"] {
        let cb = codebook_with(name, &g["meta"], "wave_column = \"wave\"");
        let options = Options::default();
        let waves =
            invitestat::study::read_waves(std::slice::from_ref(&data), &cb, options.load).unwrap();
        let report = invitestat::study::analyse_waves(waves, &cb, options.analysis);
        let w = report.waves.as_ref().unwrap();
        let r_name = if name == "bootstrap" { "boot" } else { name };
        for r in want.iter().filter(|r| r["design"] == r_name) {
            let group = format!("g{}", r["group"].as_u64().unwrap());
            let t = w
                .weighted_trends
                .iter()
                .find(|x| x.question == "q1" && x.option == "1" && x.group == group)
                .unwrap();
            let what = format!("{name} trend {group}");
            assert_eq!(t.df, r["df"].as_f64(), "{what} df");
            close(t.slope.unwrap(), r["slope"].as_f64().unwrap(), ROOT, &what);
            close(t.se.unwrap(), r["se"].as_f64().unwrap(), ROOT, &format!("{what} SE"));
            close(t.p_value.unwrap(), r["p"].as_f64().unwrap(), ROOT, &format!("{what} p"));
        }
        // The shares themselves have the replicates' variance.
        assert!(w.weighted_rows.iter().filter(|r| r.question == "q1").all(|r| r.se > 0.0));
    }
}

/// A long-format count table of a stratified clustered design with an fpc (rows per
/// stratum and cluster, as `invitestat sql` writes them; here summed from the fixture)
/// merges to the analysis of the responses themselves.
#[test]
fn a_long_format_count_table_carries_the_design() {
    let g = golden();
    let cb = codebook("strata_clusters_fpc_average", &g["meta"]);
    let data = root().join("tests/fixtures/survey-design.csv");
    let direct = analyse_file(&data, &cb, &Options::default()).unwrap();
    let mut rdr = csv::Reader::from_path(&data).unwrap();
    let header = rdr.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    // (question, option, group, stratum, cluster) -> (count, w, w^2, positive, fpc)
    let mut rows: std::collections::BTreeMap<[String; 5], (u64, f64, f64, u64, String)> =
        std::collections::BTreeMap::new();
    for record in rdr.records() {
        let r = record.unwrap();
        let w: f64 = r[at("w")].parse().unwrap();
        let unit = |q: &str, o: &str| {
            [q, o, &r[at("group")], &r[at("stratum")], &r[at("psu")]].map(str::to_string)
        };
        let mut keys = vec![unit("*", "*")];
        keys.extend(["q1", "q2", "q3"].map(|q| unit(q, &r[at(q)])));
        for key in keys {
            let e = rows.entry(key).or_insert((0, 0.0, 0.0, 0, r[at("fpc")].to_string()));
            *e = (e.0 + 1, e.1 + w, e.2 + w * w, e.3 + u64::from(w > 0.0), e.4.clone());
        }
    }
    let mut text = String::from(
        "question,option,group,count,weight_sum,weight_sq_sum,positive,stratum,cluster,fpc\n",
    );
    for (k, (n, w, w2, p, fpc)) in &rows {
        let fpc = if k[0] == "*" { fpc.as_str() } else { "" };
        text += &format!("{},{},{},{n},{w},{w2},{p},{},{},{fpc}\n", k[0], k[1], k[2], k[3], k[4]);
    }
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.csv");
    std::fs::write(&counts, &text).unwrap();
    let merged = invitestat::study::merge_counts(
        std::slice::from_ref(&counts),
        &cb,
        Options::default().analysis,
    )
    .unwrap();
    let (m, d) = (merged.analysis.as_ref().unwrap(), direct.analysis.as_ref().unwrap());
    assert_eq!(m.weighted.len(), d.weighted.len());
    assert!(!d.weighted.is_empty());
    for (a, b) in m.weighted.iter().zip(&d.weighted) {
        let what = format!("{} {} {}", b.question, b.option, b.group);
        close(a.estimate, b.estimate, CLOSED_FORM, &what);
        close(a.se, b.se, CLOSED_FORM, &format!("{what} SE"));
        assert_eq!(a.df, b.df, "{what} df");
    }
    for (a, b) in m.question_tests.iter().zip(&d.question_tests) {
        let (x, y) = (a.rao_scott_p_value.unwrap(), b.rao_scott_p_value.unwrap());
        close(x, y, CLOSED_FORM, &format!("{} Rao-Scott", b.question));
    }
    // A stratum whose fpc differs between two of its rows is refused.
    let first = text.lines().find(|l| l.starts_with("*,*,")).unwrap().to_string();
    let changed = first.rsplit_once(',').map(|(head, _)| format!("{head},999")).unwrap();
    std::fs::write(&counts, format!("{text}{changed}\n")).unwrap();
    let e = invitestat::study::merge_counts(
        std::slice::from_ref(&counts),
        &cb,
        Options::default().analysis,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("expected one fpc per stratum"), "{e}");
}
