//! Golden tests: each row of `tests/golden/{python,r}.csv` is recomputed and compared
//! with a relative tolerance chosen by the row's class. The files are written by
//! `notebooks/golden/python_reference.py` and `notebooks/golden/r_reference.R`.

use invitestat::stats::ci::{CiMethod, proportion_ci};
use invitestat::stats::contingency::{chi_square, fisher_freeman_halton};
use invitestat::stats::difference::{DifferenceMethod, difference_ci};
use invitestat::stats::fisher::conditional_odds_ratio;
use invitestat::stats::multiplicity::{Adjustment, adjust};
use invitestat::stats::one_sample::{binomial_exact_test, score_test};
use invitestat::stats::paired::{PairedTable, mcnemar_asymptotic, mcnemar_exact};
use invitestat::stats::power::{minimum_detectable_difference, power, sample_size};
use invitestat::stats::ratio::{
    OddsRatioMethod, RiskRatioMethod, cohens_h, odds_ratio_ci, risk_ratio_ci,
};
use invitestat::stats::significance::{TestMethod, two_group_test};
use invitestat::stats::special::{beta_quantile, ln_gamma, normal_ln_sf, normal_quantile};
use invitestat::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use std::collections::HashMap;

/// Closed-form statistics (Wald, Wilson, Agresti-Coull, chi-square, z): 1e-9 relative.
const CLOSED_FORM: f64 = 1e-9;
/// Exact, beta-quantile and hypergeometric computations: 1e-8 relative.
const EXACT: f64 = 1e-8;
/// Root-found intervals (Miettinen-Nurminen, mid-p, conditional MLE, Koopman): 1e-7.
const ROOT_FOUND: f64 = 1e-7;

struct Row {
    function: String,
    args: HashMap<String, String>,
    field: String,
    value: f64,
    tolerance: f64,
    source: String,
    line: usize,
}

fn parse(file: &str, text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("function,") || line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.splitn(6, ',').collect();
        assert_eq!(cols.len(), 6, "{file}:{}: expected 6 columns", k + 1);
        let args = cols[1]
            .split(' ')
            .filter_map(|kv| kv.split_once('='))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let tolerance = match cols[4] {
            "closed" => CLOSED_FORM,
            "exact" => EXACT,
            "root" => ROOT_FOUND,
            other => panic!("{file}:{}: unknown tolerance class {other}", k + 1),
        };
        rows.push(Row {
            function: cols[0].into(),
            args,
            field: cols[2].into(),
            value: cols[3].parse().unwrap_or_else(|_| panic!("{file}:{}: bad value", k + 1)),
            tolerance,
            source: format!("{file}:{} ({})", k + 1, cols[5]),
            line: k + 1,
        });
    }
    rows
}

impl Row {
    fn f(&self, key: &str) -> f64 {
        self.args[key].parse().unwrap_or_else(|_| panic!("{}: bad {key}", self.source))
    }
    fn u(&self, key: &str) -> u64 {
        self.f(key) as u64
    }
    fn alt(&self) -> Alternative {
        match self.args["alt"].as_str() {
            "two-sided" => Alternative::TwoSided,
            "less" => Alternative::Less,
            "greater" => Alternative::Greater,
            other => panic!("{}: alternative {other}", self.source),
        }
    }
    fn level(&self) -> ConfidenceLevel {
        ConfidenceLevel::new(self.f("level")).unwrap()
    }
    fn groups(&self) -> TwoGroups {
        TwoGroups::new(self.u("x1"), self.u("n1"), self.u("x2"), self.u("n2")).unwrap()
    }
    fn method(&self) -> &str {
        &self.args["method"]
    }
}

/// The engine's value for a golden row, or `None` when it reports the quantity as
/// undefined (which is then a failure: every row has a defined reference value).
fn compute(r: &Row) -> Option<f64> {
    let bound = |i: invitestat::stats::Interval| match r.field.as_str() {
        "lower" => i.lower,
        "upper" => i.upper,
        f => panic!("{}: field {f}", r.source),
    };
    let test_field = |t: invitestat::stats::TestResult| match r.field.as_str() {
        "p" => t.p_value.p,
        "log10p" => t.p_value.log10,
        "statistic" => t.statistic.unwrap(),
        f => panic!("{}: field {f}", r.source),
    };
    Some(match r.function.as_str() {
        "ci" => {
            let m = CiMethod::from_name(r.method()).unwrap();
            bound(proportion_ci(
                Proportion::new(r.u("x"), r.u("n")).unwrap(),
                m,
                r.level(),
                r.alt(),
            ))
        }
        "binom_test" => test_field(
            binomial_exact_test(Proportion::new(r.u("x"), r.u("n")).unwrap(), r.f("p0"), r.alt())
                .unwrap(),
        ),
        "score_test" => test_field(
            score_test(Proportion::new(r.u("x"), r.u("n")).unwrap(), r.f("p0"), r.alt()).unwrap(),
        ),
        "test2" => {
            let m = TestMethod::from_name(r.method()).unwrap();
            test_field(two_group_test(&r.groups(), m, r.alt()).ok()?)
        }
        "diff" => {
            let m = DifferenceMethod::from_name(r.method()).unwrap();
            bound(difference_ci(&r.groups(), m, r.level(), r.alt()))
        }
        "rr" => {
            let m = match r.method() {
                "katz" => RiskRatioMethod::Katz,
                _ => RiskRatioMethod::Koopman,
            };
            bound(risk_ratio_ci(&r.groups(), m, r.level(), r.alt()).ok()?)
        }
        "or" => {
            let m = match r.method() {
                "woolf" => OddsRatioMethod::Woolf,
                _ => OddsRatioMethod::Haldane,
            };
            bound(odds_ratio_ci(&r.groups(), m, r.level(), r.alt()).ok()?)
        }
        "cmle" => {
            let c = conditional_odds_ratio(&r.groups(), r.level(), r.alt()).ok()?;
            match r.field.as_str() {
                "estimate" => c.estimate,
                _ => bound(c.interval),
            }
        }
        "cohens_h" => cohens_h(&r.groups()),
        "power" => {
            power(r.f("p1"), r.f("p2"), r.f("n1"), r.f("n2"), r.f("alpha"), r.alt()).unwrap().power
        }
        "samplesize" => {
            sample_size(r.f("p1"), r.f("p2"), r.f("ratio"), r.f("alpha"), r.f("power"), r.alt())
                .unwrap()
                .n1
        }
        "mdd" => {
            let res = minimum_detectable_difference(
                r.f("p2"),
                r.f("n1"),
                r.f("n2"),
                r.f("alpha"),
                r.f("power"),
                r.alt(),
            )
            .unwrap();
            res.p1 - res.p2
        }
        "adjust" => {
            let p: Vec<f64> = r.args["p"].split(';').map(|v| v.parse().unwrap()).collect();
            let m = Adjustment::from_name(r.method()).unwrap();
            adjust(&p, m).unwrap()[r.u("i") as usize]
        }
        "ffh_rc" | "chisq_rc" => {
            let table: Vec<Vec<u64>> = r.args["table"]
                .split('|')
                .map(|row| row.split(';').map(|v| v.parse().unwrap()).collect())
                .collect();
            let t = if r.function == "ffh_rc" {
                invitestat::stats::contingency::fisher_freeman_halton_rc(&table).ok()?
            } else {
                invitestat::stats::contingency::chi_square_rc(&table).ok()?
            };
            test_field(t)
        }
        "trend" => {
            let xs: Vec<u64> = r.args["x"].split(';').map(|v| v.parse().unwrap()).collect();
            let ns: Vec<u64> = r.args["n"].split(';').map(|v| v.parse().unwrap()).collect();
            let samples: Vec<Proportion> =
                xs.iter().zip(&ns).map(|(&x, &n)| Proportion::new(x, n).unwrap()).collect();
            let scores: Vec<f64> = (1..=samples.len()).map(|s| s as f64).collect();
            test_field(invitestat::stats::trend::cochran_armitage(&samples, &scores).ok()?)
        }
        "ffh" | "chisq_k" => {
            let xs: Vec<u64> = r.args["x"].split(';').map(|v| v.parse().unwrap()).collect();
            let ns: Vec<u64> = r.args["n"].split(';').map(|v| v.parse().unwrap()).collect();
            let groups: Vec<Proportion> =
                xs.iter().zip(&ns).map(|(&x, &n)| Proportion::new(x, n).unwrap()).collect();
            let t = if r.function == "ffh" {
                fisher_freeman_halton(&groups).ok()?
            } else {
                chi_square(&groups).ok()?
            };
            test_field(t)
        }
        "mcnemar_exact" | "mcnemar_z2" => {
            let t = PairedTable {
                both: r.u("both"),
                a_only: r.u("a_only"),
                b_only: r.u("b_only"),
                neither: r.u("neither"),
            };
            if r.function == "mcnemar_exact" {
                test_field(mcnemar_exact(&t, r.alt()))
            } else {
                mcnemar_asymptotic(&t, Alternative::TwoSided).statistic.unwrap().powi(2)
            }
        }
        "qnorm" => normal_quantile(r.f("p")),
        "qt" => invitestat::stats::special::t_quantile(r.f("p"), r.f("df")),
        "pt_upper" => invitestat::stats::special::t_sf(r.f("t"), r.f("df")),
        "pnorm_ln_upper" => normal_ln_sf(r.f("z")),
        "qbeta" => beta_quantile(r.f("p"), r.f("a"), r.f("b")),
        "lgamma" => ln_gamma(r.f("x")),
        f => panic!("{}: unknown function {f}", r.source),
    })
}

fn check_file(file: &str, text: &str) {
    let rows = parse(file, text);
    assert!(rows.len() > 1000, "{file}: only {} rows", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        let got = compute(r);
        let ok = match got {
            Some(v) if r.value == 0.0 => v == 0.0,
            // A statistic that is zero in exact arithmetic (Yates' correction cancelling
            // the deviation) comes out of R as rounding noise such as 3.4e-28.
            Some(v) if r.field == "statistic" && r.value.abs() < 1e-20 => v.abs() < 1e-20,
            Some(v) => ((v - r.value) / r.value).abs() <= r.tolerance,
            None => false,
        };
        if !ok {
            failures.push(format!(
                "line {}: {} {:?} {}: got {:?}, expected {:e} (tolerance {:e}) from {}",
                r.line, r.function, r.args, r.field, got, r.value, r.tolerance, r.source
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden values differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn matches_scipy_statsmodels_and_mpmath() {
    check_file("tests/golden/python.csv", include_str!("../golden/python.csv"));
}

#[test]
fn matches_base_r() {
    check_file("tests/golden/r.csv", include_str!("../golden/r.csv"));
}
