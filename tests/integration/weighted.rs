//! Weighted proportions against R survey 4.1.1 (`tests/golden/r_survey.csv`, written by
//! `notebooks/golden/r_survey_reference.R`), on data sets rebuilt here row by row.

use invitestat::stats::ConfidenceLevel;
use invitestat::stats::weighted::{
    WeightedCiMethod, WeightedCounts, domain_df, rao_scott, weighted_ci, weighted_difference,
    weighted_proportion,
};

/// Closed-form quantities (estimate, SE, deff): 1e-9 relative.
const CLOSED_FORM: f64 = 1e-9;
/// Quantile-based intervals (t, beta quantiles): 1e-8 relative.
const QUANTILE: f64 = 1e-8;
/// Root-found intervals (the exact profile-likelihood limits): 1e-7 relative.
const ROOT: f64 = 1e-7;
/// R's own `svyciprop(method = "likelihood")` limits interpolate a spline through at
/// most ten profile points: they are within 2e-5 of the exact limits here, 1e-4 apart
/// at most. A check that the method is R's, not a digit-for-digit reference.
const R_PROFILE_SPLINE: f64 = 1e-4;

struct Case {
    id: &'static str,
    n: usize,
    n1: usize,
    k1: usize,
    k0: usize,
    pattern: char,
    /// y is missing on rows `i % m == 0` (0 = none).
    missing_every: usize,
}

const CASES: [Case; 4] = [
    Case { id: "A", n: 400, n1: 60, k1: 52, k0: 214, pattern: 'a', missing_every: 0 },
    Case { id: "B", n: 250, n1: 40, k1: 13, k0: 150, pattern: 'b', missing_every: 0 },
    Case { id: "C", n: 100, n1: 20, k1: 20, k0: 30, pattern: 'c', missing_every: 0 },
    Case { id: "D", n: 300, n1: 50, k1: 20, k0: 100, pattern: 'b', missing_every: 11 },
];

fn weight(pattern: char, i: usize) -> f64 {
    match pattern {
        'a' => [0.6, 1.0, 1.8][i % 3],
        'b' => 0.5 + (i % 7) as f64 / 3.0,
        _ => [1.0, 2.0][i % 2],
    }
}

/// Sufficient statistics of both groups, accumulated row by row.
fn counts(c: &Case) -> [WeightedCounts; 2] {
    let mut g = [WeightedCounts::default(); 2];
    for i in 0..c.n {
        let (idx, yes) = if i < c.n1 { (0, i < c.k1) } else { (1, i - c.n1 < c.k0) };
        let w = weight(c.pattern, i);
        let s = &mut g[idx];
        if c.missing_every > 0 && i % c.missing_every == 0 {
            // Item non-response: outside the domain, still in the design.
            s.n_skipped += 1;
            s.w_skipped += w;
            continue;
        }
        s.n += 1;
        if yes {
            s.w_yes += w;
            s.w2_yes += w * w;
        } else {
            s.w_no += w;
            s.w2_no += w * w;
        }
    }
    g
}

#[test]
fn weighted_estimates_match_r_survey() {
    let golden = include_str!("../golden/r_survey.csv");
    let level = ConfidenceLevel::NINETY_FIVE;
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in golden.lines().filter(|l| !l.starts_with('#') && !l.starts_with("case,")) {
        let cols: Vec<&str> = line.splitn(6, ',').collect();
        if cols[1] == "rc" {
            continue; // r x c tables: see rao_scott_on_r_by_c_tables_matches_r_survey
        }
        let case = CASES.iter().find(|c| c.id == cols[0]).unwrap();
        let [g1, g2] = counts(case);
        let e1 = weighted_proportion(&g1, case.n as u64).unwrap();
        let e2 = weighted_proportion(&g2, case.n as u64).unwrap();
        let expected: f64 = cols[3].parse().unwrap();
        let e = if cols[1] == "1" { e1 } else { e2 };
        let (got, tol) = match (cols[1], cols[2]) {
            ("rao-scott", field) => {
                let rs = rao_scott(&g1, &g2).unwrap();
                let v = match field {
                    "pearson" => rs.pearson,
                    "chisq_p" => rs.chisq_p_value,
                    "f" => rs.f,
                    _ => rs.f_p_value,
                };
                (v, if field.ends_with("_p") { QUANTILE } else { CLOSED_FORM })
            }
            ("diff", field) => {
                let d = weighted_difference(&e1, &e2, level, case.n as f64 - 1.0);
                (if field == "estimate" { d.estimate } else { d.se }, CLOSED_FORM)
            }
            (_, "estimate") => (e.estimate, CLOSED_FORM),
            (_, "se") => (e.se, CLOSED_FORM),
            (_, "deff_replace") => (e.deff_replace.unwrap(), CLOSED_FORM),
            (_, field) => {
                let (method, end) = field.split_once('_').unwrap();
                // R's intervals at a share of exactly 0 or 1 are degenerate or wrong
                // (0.99999999998 to 0.999999999995 for 20 of 20); see the boundary test.
                if e.estimate == 0.0 || e.estimate == 1.0 {
                    continue;
                }
                let m = match method {
                    "likelihood" => WeightedCiMethod::Likelihood,
                    "logit" => WeightedCiMethod::Logit,
                    "mean" => WeightedCiMethod::Mean,
                    "asin" => WeightedCiMethod::Asin,
                    _ => WeightedCiMethod::Beta,
                };
                let group_rows = if cols[1] == "1" { case.n1 } else { case.n - case.n1 } as u64;
                let ci = weighted_ci(&e, m, level, domain_df(group_rows)).interval;
                let tol = match (m, end) {
                    (WeightedCiMethod::Likelihood, "spline_lower" | "spline_upper") => {
                        R_PROFILE_SPLINE
                    }
                    (WeightedCiMethod::Likelihood, _) => ROOT,
                    _ => QUANTILE,
                };
                (if end.ends_with("lower") { ci.lower } else { ci.upper }, tol)
            }
        };
        checked += 1;
        let ok =
            if expected == 0.0 { got == 0.0 } else { ((got - expected) / expected).abs() <= tol };
        if !ok {
            failures.push(format!("{line}: got {got:e}"));
        }
    }
    assert!(checked >= 93, "only {checked} values checked");
    assert!(
        failures.is_empty(),
        "{} differ from R survey:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The golden value `case,group,field` of `tests/golden/r_survey.csv`.
fn golden(case: &str, group: &str, field: &str) -> f64 {
    let prefix = format!("{case},{group},{field},");
    let line = include_str!("../golden/r_survey.csv").lines().find(|l| l.starts_with(&prefix));
    line.unwrap().split(',').nth(3).unwrap().parse().unwrap()
}

#[test]
fn analyze_matches_r_survey_from_rows_with_item_non_response() {
    // Case D written as a response file: the weights of those who skipped the question
    // travel through the loader and the count table into the likelihood interval.
    let case = &CASES[3];
    let dir = tempfile::tempdir().unwrap();
    let codebook = dir.path().join("codebook.toml");
    crate::golden_case_codebook(&codebook, "case-d", "");
    let mut csv = String::from("id,grp,w,y\n");
    for i in 0..case.n {
        let (grp, yes) = if i < case.n1 { (1, i < case.k1) } else { (0, i - case.n1 < case.k0) };
        let y = if i % case.missing_every == 0 {
            ""
        } else if yes {
            "1"
        } else {
            "0"
        };
        csv.push_str(&format!("r{i},{grp},{:.17},{y}\n", weight(case.pattern, i)));
    }
    let data = dir.path().join("responses.csv");
    std::fs::write(&data, csv).unwrap();
    for method in ["likelihood", "logit", "beta"] {
        let v = crate::analyze_json(
            &data,
            &codebook,
            &dir.path().join(method),
            &["--weighted-ci-method", method],
        );
        let rows = v["analysis"]["weighted"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        for r in rows {
            let group = if r["group"] == "one" { "1" } else { "2" };
            assert_eq!(r["ci_method"], method);
            let close = |got: &serde_json::Value, field: &str, tol: f64| {
                let (got, want) = (got.as_f64().unwrap(), golden("D", group, field));
                assert!(
                    ((got - want) / want).abs() <= tol,
                    "{method} {group} {field}: {got} vs {want}"
                );
            };
            close(&r["estimate"], "estimate", CLOSED_FORM);
            close(&r["se"], "se", CLOSED_FORM);
            let tol = if method == "likelihood" { ROOT } else { QUANTILE };
            close(&r["ci_lower"], &format!("{method}_lower"), tol);
            close(&r["ci_upper"], &format!("{method}_upper"), tol);
        }
    }
}

#[test]
fn rao_scott_on_r_by_c_tables_matches_r_survey() {
    use invitestat::stats::weighted::rao_scott_rc;
    // (id, rows, groups, answer codes, weight pattern), as notebooks/golden/r_survey_reference.R.
    let cases = [("R1", 300, 3, 4, 'b'), ("R2", 400, 2, 5, 'a'), ("R3", 150, 4, 3, 'c')];
    let mut checked = 0;
    for (id, n, levels, codes, pattern) in cases {
        let (mut w, mut w2) = (vec![vec![0.0; levels]; codes], vec![vec![0.0; levels]; codes]);
        for i in 0..n {
            let g = i % levels;
            let answer = if i % 5 < 1 + g { g % codes } else { (i / 3) % codes };
            let wt = weight(pattern, i);
            w[answer][g] += wt;
            w2[answer][g] += wt * wt;
        }
        let rs = rao_scott_rc(&w, &w2, n as u64).unwrap();
        for line in include_str!("../golden/r_survey.csv").lines() {
            let cols: Vec<&str> = line.splitn(6, ',').collect();
            if cols[0] != id {
                continue;
            }
            let want: f64 = cols[3].parse().unwrap();
            let (got, tol) = match cols[2] {
                "pearson" => (rs.pearson, CLOSED_FORM),
                "chisq_p" => (rs.chisq_p_value, QUANTILE),
                "f" => (rs.f, CLOSED_FORM),
                "f_ndf" => (rs.f_ndf, CLOSED_FORM),
                _ => (rs.f_p_value, QUANTILE),
            };
            assert!(((got - want) / want).abs() <= tol, "{line}: got {got:e}");
            checked += 1;
        }
        assert_eq!(rs.df, ((codes - 1) * (levels - 1)) as f64);
    }
    assert_eq!(checked, 15);
}

#[test]
fn analyze_gives_the_rao_scott_test_of_a_weighted_single_choice_question() {
    // Case R1 (three groups, four answers) as a response file.
    let dir = tempfile::tempdir().unwrap();
    let codebook = dir.path().join("codebook.toml");
    std::fs::write(
        &codebook,
        r#"id_column = "id"
weight_column = "w"

[study]
id = "r1"
title = "R survey golden case R1"
source = "tests/golden"
unit = "respondent"
rounding = "half-up"

[grouping]
column = "grp"
levels = [{ id = "g0", code = "0", label = "G0" }, { id = "g1", code = "1", label = "G1" }, { id = "g2", code = "2", label = "G2" }]

[[questions]]
id = "ans"
label = "ans"
text = "ans"
kind = "single-choice"
options = [{ code = "0", label = "a" }, { code = "1", label = "b" }, { code = "2", label = "c" }, { code = "3", label = "d" }]
"#,
    )
    .unwrap();
    let mut csv = String::from("id,grp,w,ans\n");
    for i in 0..300 {
        let g = i % 3;
        let answer = if i % 5 < 1 + g { g % 4 } else { (i / 3) % 4 };
        csv.push_str(&format!("r{i},{g},{:.17},{answer}\n", weight('b', i)));
    }
    let data = dir.path().join("responses.csv");
    std::fs::write(&data, csv).unwrap();
    let v = crate::analyze_json(&data, &codebook, &dir.path().join("out"), &[]);
    let q = &v["analysis"]["question_tests"][0];
    let got = q["rao_scott_p_value"].as_f64().unwrap();
    let want = golden("R1", "rc", "f_p");
    assert!(((got - want) / want).abs() <= QUANTILE, "{got} vs {want}");
    // Every answer across the three groups gets its weighted test too.
    let tests = v["analysis"]["group_tests"].as_array().unwrap();
    assert_eq!(tests.len(), 4);
    assert!(tests.iter().all(|t| t["rao_scott_p_value"].as_f64().is_some_and(|p| p > 0.0)));
}

#[test]
fn anchors_kish_effective_n_wilson_and_the_domain_error() {
    // stats-anchors.md section 2d: Kish n_eff 50.26086957 / deff 1.193771626 for the
    // recruiters; Wilson on n_eff 0.737127313 - 0.9295642378; the subset-as-its-own-
    // sample SE (the classic domain error) would be 0.05024457007 instead of 0.0498865.
    let [g1, _] = counts(&CASES[0]);
    let e = weighted_proportion(&g1, 400).unwrap();
    assert!((e.effective_n - 50.260_869_57).abs() < 1e-7);
    assert!((e.deff_kish - 1.193_771_626).abs() < 1e-8);
    let w = weighted_ci(
        &e,
        WeightedCiMethod::WilsonEffective,
        ConfidenceLevel::NINETY_FIVE,
        domain_df(60),
    )
    .interval;
    assert!(
        (w.lower - 0.737_127_313).abs() < 1e-8 && (w.upper - 0.929_564_237_8).abs() < 1e-8,
        "{w:?}"
    );
    let wrong = weighted_proportion(&g1, 60).unwrap().se;
    assert!((wrong - 0.050_244_570_07).abs() < 1e-10);
    // The difference: SE 0.05754017457 and t(399) interval from R (svyby + svycontrast);
    // Newcombe's hybrid on the two anchored Wilson-on-effective-n intervals, by hand:
    // d -/+ sqrt((p1 - l1)^2 + (u2 - p2)^2), sqrt((u1 - p1)^2 + (p2 - l2)^2).
    let [_, g2] = counts(&CASES[0]);
    let e2 = weighted_proportion(&g2, 400).unwrap();
    let d = weighted_difference(&e, &e2, ConfidenceLevel::NINETY_FIVE, 399.0);
    assert!((d.se - 0.057_540_174_57).abs() < 1e-10);
    assert!((d.wald_t.lower - 0.116_805_600_7).abs() < 1e-9, "{:?}", d.wald_t);
    assert!((d.wald_t.upper - 0.343_045_200_3).abs() < 1e-9, "{:?}", d.wald_t);
    let n = d.newcombe_effective;
    assert!((n.lower - 0.096_764_038_38).abs() < 1e-8, "{n:?}");
    assert!((n.upper - 0.321_079_697_9).abs() < 1e-8, "{n:?}");
}

#[test]
fn a_share_of_one_gets_a_flagged_exact_one_sided_bound() {
    let [g1, _] = counts(&CASES[2]); // 20 of 20 recruiters say yes
    let e = weighted_proportion(&g1, 100).unwrap();
    assert_eq!(e.estimate, 1.0);
    assert_eq!(e.deff_replace, None);
    for m in WeightedCiMethod::ALL {
        let ci = weighted_ci(&e, m, ConfidenceLevel::NINETY_FIVE, domain_df(20));
        assert!(ci.boundary);
        assert_eq!(ci.interval.upper, 1.0);
        // Clopper-Pearson lower bound for n_eff of n_eff: (alpha / 2)^(1 / n_eff).
        let expected = 0.025f64.powf(1.0 / e.effective_n);
        assert!((ci.interval.lower - expected).abs() < 1e-15 && ci.interval.lower < 1.0);
    }
}

#[test]
fn a_weighted_trend_is_undefined_when_the_waves_separate_the_answers() {
    use invitestat::stats::Undefined;
    use invitestat::stats::weighted::{TrendWave, weighted_trend};
    let counts = |yes: u64, no: u64| WeightedCounts {
        n: yes + no,
        w_yes: 1.5 * yes as f64,
        w_no: 1.5 * no as f64,
        w2_yes: 2.25 * yes as f64,
        w2_no: 2.25 * no as f64,
        ..WeightedCounts::default()
    };
    let wave =
        |score: f64, c: WeightedCounts| TrendWave { score, counts: c, wave_n: 100, design: None };
    // Nobody says yes before wave 3, everybody after: the slope is infinite.
    let separated = [wave(1.0, counts(0, 20)), wave(2.0, counts(0, 20)), wave(3.0, counts(20, 0))];
    assert_eq!(weighted_trend(&separated), Err(Undefined::Separation("the wave")));
    // Nobody ever says yes: nothing to fit.
    let flat = [wave(1.0, counts(0, 20)), wave(2.0, counts(0, 20)), wave(3.0, counts(0, 20))];
    assert_eq!(
        weighted_trend(&flat),
        Err(Undefined::Degenerate("every respondent gave the same answer in every wave"))
    );
    // One wave with answers: no trend to fit.
    assert_eq!(
        weighted_trend(&flat[..1]),
        Err(Undefined::Degenerate("fewer than two waves with answers"))
    );
    // A wave where the group did not answer is left out, not counted as a score.
    let gap = [wave(1.0, counts(5, 15)), wave(2.0, counts(0, 0)), wave(3.0, counts(12, 8))];
    let t = weighted_trend(&gap).unwrap();
    // Two waves, one covariate: the fit is saturated, the slope the half log odds ratio.
    let want = ((12.0 / 8.0) / (5.0 / 15.0_f64)).ln() / 2.0;
    assert!((t.slope - want).abs() < 1e-12, "{}", t.slope);
    assert_eq!(t.df, 40.0 - 2.0 - 1.0);
}

/// All yes against all no: a difference of 100 points with a standard error of 0. Its
/// interval [1, 1] excludes 0, so its p-value is 0 (R `svyttest`: t = Inf), never 1.
#[test]
fn a_difference_with_no_standard_error_is_significant_not_p_1() {
    let dir = tempfile::tempdir().unwrap();
    let codebook = dir.path().join("codebook.toml");
    crate::golden_case_codebook(&codebook, "all-or-nothing", "");
    let mut csv = String::from("id,grp,w,y\n");
    for i in 0..40 {
        let g = i % 2;
        csv.push_str(&format!("r{i},{g},{},{g}\n", 1.0 + (i % 3) as f64));
    }
    let data = dir.path().join("responses.csv");
    std::fs::write(&data, csv).unwrap();
    let v = crate::analyze_json(&data, &codebook, &dir.path().join("out"), &[]);
    let c = &v["analysis"]["weighted_comparisons"][0];
    assert_eq!(c["difference"], 1.0);
    assert_eq!(c["se"], 0.0);
    assert_eq!(c["p_value"], 0.0);
}
