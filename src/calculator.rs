//! The proportion calculator: builds the documents that `invitestat ci`, `compare`,
//! `adjust` and `power` print, as JSON values and as terminal tables.
//!
//! Undefined quantities become JSON `null` with a line in `"notes"` saying why;
//! infinite bounds (an odds-ratio interval reaching `+inf`) are `null` with a note too,
//! since JSON has no infinity.

use crate::stats::ci::{CiMethod, proportion_ci};
use crate::stats::difference::{DifferenceMethod, difference_ci};
use crate::stats::fisher::conditional_odds_ratio;
use crate::stats::multiplicity::{Adjustment, adjust};
use crate::stats::power::PowerResult;
use crate::stats::ratio::{
    OddsRatioMethod, RiskRatioMethod, cohens_h, odds_ratio, odds_ratio_ci, risk_ratio,
    risk_ratio_ci,
};
use crate::stats::significance::{TestMethod, two_group_test};
use crate::stats::{
    Alternative, ConfidenceLevel, Interval, Maybe, Proportion, StatsError, TestResult, TwoGroups,
};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// Collects the notes explaining each `null` in a document.
#[derive(Debug, Default)]
struct Notes(Vec<String>);

impl Notes {
    /// A finite number, or `null` with a note for an infinite one.
    fn number(&mut self, path: &str, value: f64) -> Value {
        if value.is_finite() {
            json!(value)
        } else if value.is_nan() {
            self.0.push(format!("{path}: not a number"));
            Value::Null
        } else {
            let sign = if value > 0.0 { "+" } else { "-" };
            self.0.push(format!("{path}: {sign}infinity"));
            Value::Null
        }
    }

    fn maybe(&mut self, path: &str, value: &Maybe<f64>) -> Value {
        match value {
            Ok(v) => self.number(path, *v),
            Err(why) => {
                self.0.push(format!("{path}: undefined: {why}"));
                Value::Null
            }
        }
    }

    fn interval(&mut self, path: &str, value: &Maybe<Interval>) -> Value {
        match value {
            Ok(i) => json!({
                "lower": self.number(&format!("{path}.lower"), i.lower),
                "upper": self.number(&format!("{path}.upper"), i.upper),
            }),
            Err(why) => {
                self.0.push(format!("{path}: undefined: {why}"));
                json!({"lower": Value::Null, "upper": Value::Null})
            }
        }
    }

    fn test(&mut self, path: &str, value: &Maybe<TestResult>) -> Value {
        match value {
            Ok(t) => json!({
                "statistic": t.statistic.map_or(Value::Null, |s| self.number(&format!("{path}.statistic"), s)),
                "p_value": t.p_value.p,
                "log10_p_value": self.number(&format!("{path}.log10_p_value"), t.p_value.log10),
            }),
            Err(why) => {
                self.0.push(format!("{path}: undefined: {why}"));
                json!({"statistic": Value::Null, "p_value": Value::Null, "log10_p_value": Value::Null})
            }
        }
    }
}

/// The result of `invitestat ci`: one proportion with its intervals.
#[derive(Debug, Clone)]
pub struct CiReport {
    /// The proportion.
    pub proportion: Proportion,
    /// Confidence level.
    pub level: ConfidenceLevel,
    /// Sidedness.
    pub alternative: Alternative,
    /// One interval per requested method, in the order requested.
    pub intervals: Vec<(CiMethod, Interval)>,
}

impl CiReport {
    /// Computes the intervals for `methods` (all methods when empty).
    pub fn new(
        proportion: Proportion,
        methods: &[CiMethod],
        level: ConfidenceLevel,
        alternative: Alternative,
    ) -> Self {
        let methods = if methods.is_empty() { &CiMethod::ALL[..] } else { methods };
        let intervals = methods
            .iter()
            .map(|&m| (m, proportion_ci(proportion, m, level, alternative)))
            .collect();
        CiReport { proportion, level, alternative, intervals }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let mut notes = Notes::default();
        let mut intervals = Map::new();
        for (m, i) in &self.intervals {
            intervals.insert(
                m.name().into(),
                notes.interval(&format!("intervals.{}", m.name()), &Ok(*i)),
            );
        }
        json!({
            "successes": self.proportion.successes,
            "n": self.proportion.n,
            "estimate": self.proportion.estimate(),
            "confidence_level": self.level.value(),
            "alternative": self.alternative.to_string(),
            "intervals": intervals,
            "notes": notes.0,
        })
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        let p = self.proportion;
        let sides = match self.alternative {
            Alternative::TwoSided => "two-sided confidence intervals",
            Alternative::Less => "one-sided confidence bounds (upper bound; lower end 0)",
            Alternative::Greater => "one-sided confidence bounds (lower bound; upper end 1)",
        };
        let mut out = format!(
            "Proportion {}/{} = {:.6} ({})\n{} {sides}\n\n",
            p.successes,
            p.n,
            p.estimate(),
            percent(p.estimate()),
            percent(self.level.value()),
        );
        let _ = writeln!(out, "  {:<17}{:>12}{:>12}", "method", "lower", "upper");
        for (m, i) in &self.intervals {
            let _ = writeln!(out, "  {:<17}{:>12}{:>12}", m.name(), fixed(i.lower), fixed(i.upper));
        }
        out
    }
}

/// The result of `invitestat compare`: everything about two groups.
#[derive(Debug, Clone)]
pub struct CompareReport {
    /// The two groups.
    pub groups: TwoGroups,
    /// Confidence level for every interval.
    pub level: ConfidenceLevel,
    /// Difference intervals, preferred first.
    pub difference: Vec<(DifferenceMethod, Interval)>,
    /// Risk ratio estimate.
    pub risk_ratio: Maybe<f64>,
    /// Risk ratio intervals.
    pub risk_ratio_intervals: Vec<(RiskRatioMethod, Maybe<Interval>)>,
    /// Sample odds ratio.
    pub odds_ratio: Maybe<f64>,
    /// Odds ratio intervals.
    pub odds_ratio_intervals: Vec<(OddsRatioMethod, Maybe<Interval>)>,
    /// Conditional MLE odds ratio and its exact interval.
    pub conditional: Maybe<crate::stats::fisher::ConditionalOddsRatio>,
    /// Two-sided tests, preferred first.
    pub tests: Vec<(TestMethod, Maybe<TestResult>)>,
    /// Cohen's h.
    pub cohens_h: f64,
}

impl CompareReport {
    /// Computes every two-group quantity (two-sided).
    pub fn new(groups: TwoGroups, level: ConfidenceLevel) -> Self {
        let two = Alternative::TwoSided;
        CompareReport {
            groups,
            level,
            difference: DifferenceMethod::ALL
                .iter()
                .map(|&m| (m, difference_ci(&groups, m, level, two)))
                .collect(),
            risk_ratio: risk_ratio(&groups),
            risk_ratio_intervals: [RiskRatioMethod::Katz, RiskRatioMethod::Koopman]
                .iter()
                .map(|&m| (m, risk_ratio_ci(&groups, m, level, two)))
                .collect(),
            odds_ratio: odds_ratio(&groups),
            odds_ratio_intervals: OddsRatioMethod::ALL
                .iter()
                .map(|&m| (m, odds_ratio_ci(&groups, m, level, two)))
                .collect(),
            conditional: conditional_odds_ratio(&groups, level, two),
            tests: TestMethod::ALL.iter().map(|&m| (m, two_group_test(&groups, m, two))).collect(),
            cohens_h: cohens_h(&groups),
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let mut notes = Notes::default();
        let g = self.groups;
        let groups: Vec<Value> = [g.first, g.second]
            .iter()
            .map(|p| json!({"successes": p.successes, "n": p.n, "estimate": p.estimate()}))
            .collect();
        let mut diff = Map::new();
        for (m, i) in &self.difference {
            diff.insert(
                m.name().into(),
                notes.interval(&format!("difference.intervals.{}", m.name()), &Ok(*i)),
            );
        }
        let mut rr = Map::new();
        for (m, i) in &self.risk_ratio_intervals {
            rr.insert(
                m.name().into(),
                notes.interval(&format!("risk_ratio.intervals.{}", m.name()), i),
            );
        }
        let mut or = Map::new();
        for (m, i) in &self.odds_ratio_intervals {
            or.insert(
                m.name().into(),
                notes.interval(&format!("odds_ratio.intervals.{}", m.name()), i),
            );
        }
        let conditional = match &self.conditional {
            Ok(c) => json!({
                "estimate": notes.number("odds_ratio.conditional.estimate", c.estimate),
                "lower": notes.number("odds_ratio.conditional.lower", c.interval.lower),
                "upper": notes.number("odds_ratio.conditional.upper", c.interval.upper),
            }),
            Err(why) => {
                notes.0.push(format!("odds_ratio.conditional: undefined: {why}"));
                json!({"estimate": Value::Null, "lower": Value::Null, "upper": Value::Null})
            }
        };
        let mut tests = Map::new();
        for (m, t) in &self.tests {
            tests.insert(m.name().into(), notes.test(&format!("tests.{}", m.name()), t));
        }
        let rr_estimate = notes.maybe("risk_ratio.estimate", &self.risk_ratio);
        let or_estimate = notes.maybe("odds_ratio.estimate", &self.odds_ratio);
        json!({
            "confidence_level": self.level.value(),
            "groups": groups,
            "difference": {"estimate": g.difference(), "intervals": diff},
            "risk_ratio": {"estimate": rr_estimate, "intervals": rr},
            "odds_ratio": {"estimate": or_estimate, "intervals": or, "conditional": conditional},
            "tests": tests,
            "cohens_h": self.cohens_h,
            "notes": notes.0,
        })
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        let g = self.groups;
        let level = percent(self.level.value());
        let mut out = String::new();
        for (name, p) in [("Group 1", g.first), ("Group 2", g.second)] {
            let _ = writeln!(
                out,
                "{name}: {}/{} = {:.6} ({})",
                p.successes,
                p.n,
                p.estimate(),
                percent(p.estimate())
            );
        }
        let d = g.difference();
        let _ = writeln!(
            out,
            "\nDifference p1 - p2 = {:.6} ({:+.1} percentage points), {level} intervals",
            d,
            100.0 * d
        );
        let _ = writeln!(out, "  {:<20}{:>12}{:>12}", "method", "lower", "upper");
        for (m, i) in &self.difference {
            let _ = writeln!(out, "  {:<20}{:>12}{:>12}", m.name(), fixed(i.lower), fixed(i.upper));
        }
        let _ = writeln!(
            out,
            "\nRisk ratio p1 / p2 = {}, {level} intervals",
            maybe_fixed(&self.risk_ratio)
        );
        for (m, i) in &self.risk_ratio_intervals {
            let _ = writeln!(out, "  {:<20}{}", m.name(), interval_text(i));
        }
        let _ =
            writeln!(out, "\nOdds ratio = {}, {level} intervals", maybe_fixed(&self.odds_ratio));
        for (m, i) in &self.odds_ratio_intervals {
            let _ = writeln!(out, "  {:<20}{}", m.name(), interval_text(i));
        }
        match &self.conditional {
            Ok(c) => {
                let _ = writeln!(
                    out,
                    "  {:<20}{}   (conditional MLE {})",
                    "conditional-exact",
                    interval_text(&Ok(c.interval)),
                    fixed(c.estimate)
                );
            }
            Err(why) => {
                let _ = writeln!(out, "  {:<20}undefined: {why}", "conditional-exact");
            }
        }
        let _ = writeln!(out, "\nTests of p1 = p2 (two-sided)");
        let _ =
            writeln!(out, "  {:<16}{:>12}{:>14}{:>12}", "test", "statistic", "p-value", "log10 p");
        for (m, t) in &self.tests {
            match t {
                Ok(t) => {
                    let stat = t.statistic.map_or("-".to_string(), statistic_text);
                    let _ = writeln!(
                        out,
                        "  {:<16}{:>12}{:>14}{:>12.3}",
                        m.name(),
                        stat,
                        p_text(t.p_value.p, t.p_value.log10),
                        t.p_value.log10
                    );
                }
                Err(why) => {
                    let _ = writeln!(out, "  {:<16}undefined: {why}", m.name());
                }
            }
        }
        let _ = writeln!(out, "\nCohen's h = {:.4}", self.cohens_h);
        out
    }
}

/// The result of `invitestat adjust`.
#[derive(Debug, Clone)]
pub struct AdjustReport {
    /// The method.
    pub method: Adjustment,
    /// Raw p-values.
    pub raw: Vec<f64>,
    /// Adjusted p-values, same order.
    pub adjusted: Vec<f64>,
}

impl AdjustReport {
    /// Adjusts `raw` by `method`.
    ///
    /// # Errors
    /// As [`adjust`].
    pub fn new(raw: Vec<f64>, method: Adjustment) -> Result<Self, StatsError> {
        let adjusted = adjust(&raw, method)?;
        Ok(AdjustReport { method, raw, adjusted })
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        json!({"method": self.method.name(), "raw": self.raw, "adjusted": self.adjusted})
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        let mut out =
            format!("{} adjustment of {} p-values\n\n", self.method.name(), self.raw.len());
        let _ = writeln!(out, "  {:>4}{:>16}{:>16}", "#", "p", "adjusted");
        for (k, (r, a)) in self.raw.iter().zip(&self.adjusted).enumerate() {
            let _ = writeln!(out, "  {:>4}{:>16}{:>16}", k + 1, short(*r), short(*a));
        }
        out
    }
}

/// What a power calculation solved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerTarget {
    /// Power for given proportions and sizes.
    Power,
    /// Group sizes for given proportions and power.
    SampleSize,
    /// Smallest detectable `p1 - p2` for given sizes and power.
    MinimumDetectableDifference,
}

/// The result of `invitestat power`.
#[derive(Debug, Clone)]
pub struct PowerReport {
    /// What was solved for.
    pub target: PowerTarget,
    /// Sidedness.
    pub alternative: Alternative,
    /// The solution.
    pub result: PowerResult,
}

impl PowerReport {
    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let r = self.result;
        let solved = match self.target {
            PowerTarget::Power => "power",
            PowerTarget::SampleSize => "sample_size",
            PowerTarget::MinimumDetectableDifference => "minimum_detectable_difference",
        };
        json!({
            "solved_for": solved,
            "alternative": self.alternative.to_string(),
            "p1": r.p1, "p2": r.p2, "difference": r.p1 - r.p2,
            "n1": r.n1, "n2": r.n2,
            "n1_rounded_up": r.n1.ceil(), "n2_rounded_up": r.n2.ceil(),
            "alpha": r.alpha, "power": r.power,
        })
    }

    /// A terminal summary.
    pub fn to_text(&self) -> String {
        let r = self.result;
        let test =
            format!("pooled z test, {} , alpha = {}", self.alternative, r.alpha).replace(" ,", ",");
        match self.target {
            PowerTarget::Power => format!(
                "Power = {:.4} to detect {} vs {} with n1 = {} and n2 = {} ({test})\n",
                r.power,
                percent(r.p1),
                percent(r.p2),
                r.n1,
                r.n2
            ),
            PowerTarget::SampleSize => format!(
                "n1 = {:.2} (round up to {}) and n2 = {:.2} (round up to {}) give power {:.4} \
                 to detect {} vs {} ({test})\n",
                r.n1,
                r.n1.ceil(),
                r.n2,
                r.n2.ceil(),
                r.power,
                percent(r.p1),
                percent(r.p2)
            ),
            PowerTarget::MinimumDetectableDifference => format!(
                "Minimum detectable difference = {:.4} ({:+.1} points: {} vs {}) with power {:.4}, \
                 n1 = {} and n2 = {} ({test})\n",
                r.p1 - r.p2,
                100.0 * (r.p1 - r.p2),
                percent(r.p1),
                percent(r.p2),
                r.power,
                r.n1,
                r.n2
            ),
        }
    }
}

fn percent(v: f64) -> String {
    let s = format!("{:.1}", 100.0 * v);
    format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
}

fn fixed(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{v:.6}")
    }
}

fn short(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-4 { format!("{v:.4e}") } else { format!("{v:.6}") }
}

fn statistic_text(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 { format!("{v:.4e}") } else { format!("{v:.4}") }
}

fn maybe_fixed(v: &Maybe<f64>) -> String {
    match v {
        Ok(v) => fixed(*v),
        Err(why) => format!("undefined ({why})"),
    }
}

fn interval_text(i: &Maybe<Interval>) -> String {
    match i {
        Ok(i) => format!("{:>12}{:>12}", fixed(i.lower), fixed(i.upper)),
        Err(why) => format!("undefined: {why}"),
    }
}

/// A p-value for display: scientific below 1e-4, `10^x` once it underflows.
fn p_text(p: f64, log10: f64) -> String {
    if p == 0.0 && log10.is_finite() {
        format!("10^{log10:.1}")
    } else if p < 1e-4 {
        format!("{p:.4e}")
    } else {
        format!("{p:.6}")
    }
}
