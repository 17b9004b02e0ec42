//! The proportion calculator: builds the documents that `invitestat ci`, `compare`,
//! `adjust` and `power` print, as JSON values and as terminal tables.
//!
//! Undefined quantities become JSON `null` with a line in `"notes"` saying why;
//! infinite bounds (an odds-ratio interval reaching `+inf`) are `null` with a note too,
//! since JSON has no infinity.

use crate::consistency::{Figure, Rounding};
use crate::format::echo;
use crate::printed::{
    BaseWindow, Enumeration, Evaluation, GroupEnumeration, IntervalSpan, MAX_SLOW_SETS,
    PrintedComparison, PrintedError, PrintedGroup, PrintedRanges, Share, Side, Significance, Span,
};
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
use crate::stats::weighted::WeightedCiMethod;
use crate::stats::{
    Alternative, ConfidenceLevel, Interval, Maybe, Proportion, StatsError, TestResult, TwoGroups,
};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// Collects the notes explaining each `null` in a document.
#[derive(Debug, Default)]
struct Notes(Vec<String>);

impl Notes {
    /// A JSON object of named items, each turned into a value by `value` with its path.
    fn map<'a, T: 'a>(
        &mut self,
        path: &str,
        items: impl IntoIterator<Item = (&'static str, &'a T)>,
        mut value: impl FnMut(&mut Self, &str, &'a T) -> Value,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (name, item) in items {
            let v = value(self, &format!("{path}.{name}"), item);
            out.insert(name.into(), v);
        }
        out
    }

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
        let intervals = notes.map(
            "intervals",
            self.intervals.iter().map(|(m, i)| (m.name(), i)),
            |n, path, i| n.interval(path, &Ok(*i)),
        );
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
        let diff = notes.map(
            "difference.intervals",
            self.difference.iter().map(|(m, i)| (m.name(), i)),
            |n, path, i| n.interval(path, &Ok(*i)),
        );
        let rr = notes.map(
            "risk_ratio.intervals",
            self.risk_ratio_intervals.iter().map(|(m, i)| (m.name(), i)),
            Notes::interval,
        );
        let or = notes.map(
            "odds_ratio.intervals",
            self.odds_ratio_intervals.iter().map(|(m, i)| (m.name(), i)),
            Notes::interval,
        );
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

/// Sets listed one by one in a printed comparison's JSON (the count is exact whatever
/// the number listed) and in its table.
pub const LISTED_SETS: usize = 100;
const LISTED_SETS_TEXT: usize = 10;

impl Notes {
    fn span(&mut self, path: &str, s: &Span) -> Value {
        match s.bounds() {
            Some((lo, hi)) => json!({
                "min": self.number(&format!("{path}.min"), lo),
                "max": self.number(&format!("{path}.max"), hi),
                "undefined_sets": s.undefined,
            }),
            None => {
                self.0.push(format!("{path}: undefined on every consistent set"));
                json!({"min": Value::Null, "max": Value::Null, "undefined_sets": s.undefined})
            }
        }
    }

    fn interval_span(&mut self, path: &str, s: &IntervalSpan) -> Value {
        json!({
            "lower": self.span(&format!("{path}.lower"), &s.lower),
            "upper": self.span(&format!("{path}.upper"), &s.upper),
        })
    }
}

/// A span as text: `a to b`, one value when they agree, `undefined` when never defined.
fn span_text(s: &Span, show: impl Fn(f64) -> String) -> String {
    match s.bounds() {
        Some((lo, hi)) if show(lo) == show(hi) => show(lo),
        Some((lo, hi)) => format!("{} to {}", show(lo), show(hi)),
        None => "undefined".into(),
    }
}

/// The result of `invitestat compare` on printed figures: every consistent set of
/// counts and the range of each quantity over them, with the verdict.
#[derive(Debug, Clone)]
pub struct PrintedCompareReport {
    /// What was printed.
    pub comparison: PrintedComparison,
    /// The consistent sets.
    pub sets: Enumeration,
    /// The ranges and the verdict (none when no set is consistent).
    pub ranges: Option<PrintedRanges>,
    /// Confidence level of every interval.
    pub level: ConfidenceLevel,
}

impl PrintedCompareReport {
    /// Enumerates and evaluates `comparison`.
    ///
    /// # Errors
    /// As [`PrintedComparison::enumerate`].
    pub fn new(comparison: PrintedComparison, what: &Evaluation) -> Result<Self, PrintedError> {
        let sets = comparison.enumerate()?;
        sets.can_evaluate(what)?;
        let ranges = (sets.sets > 0).then(|| sets.evaluate(what));
        Ok(PrintedCompareReport { comparison, sets, ranges, level: what.level })
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let mut notes = Notes::default();
        let c = &self.comparison;
        let group = |g: &PrintedGroup| {
            json!({
                "printed": g.share_text(),
                "base": {"text": g.base.text, "min": g.base.min, "max": g.base.max},
            })
        };
        let e = &self.sets;
        let listed: Vec<Value> = e
            .evaluated
            .iter()
            .take(LISTED_SETS)
            .map(|s| json!({"n1": s.n1, "k1": s.k1, "n2": s.n2, "k2": s.k2}))
            .collect();
        if !e.complete {
            notes.0.push(format!(
                "{} consistent sets, more than the {} evaluated one by one at these bases: the difference's range is exact, the other ranges and the verdict are over the {} sets at the extreme counts (and the counts closest to equal shares) of {}",
                e.sets,
                e.budget,
                e.evaluated.len(),
                evaluated_pairs(e)
            ));
        }
        let ranges = self.ranges.as_ref().map(|r| {
            let diff = notes.map(
                "ranges.difference_intervals",
                r.difference_intervals.iter().map(|(m, s)| (m.name(), s)),
                Notes::interval_span,
            );
            let rr = notes.map(
                "ranges.risk_ratio_intervals",
                r.risk_ratio_intervals.iter().map(|(m, s)| (m.name(), s)),
                Notes::interval_span,
            );
            let or = notes.map(
                "ranges.odds_ratio_intervals",
                r.odds_ratio_intervals.iter().map(|(m, s)| (m.name(), s)),
                Notes::interval_span,
            );
            let mut tests = Map::new();
            for (t, span) in &r.tests {
                let value = match span {
                    Some(s) => json!({"p_value": notes.span(&format!("ranges.tests.{}", t.name()), s)}),
                    None => {
                        notes.0.push(format!(
                            "ranges.tests.{}: not computed on more than {MAX_SLOW_SETS} sets (milliseconds per table)",
                            t.name()
                        ));
                        Value::Null
                    }
                };
                tests.insert(t.name().into(), value);
            }
            json!({
                "difference": notes.span("ranges.difference", &r.difference),
                "difference_intervals": diff,
                "risk_ratio": r.risk_ratio.as_ref().map(|s| notes.span("ranges.risk_ratio", s)),
                "risk_ratio_intervals": rr,
                "odds_ratio": r.odds_ratio.as_ref().map(|s| notes.span("ranges.odds_ratio", s)),
                "odds_ratio_intervals": or,
                "tests": tests,
            })
        });
        let verdict = match &self.ranges {
            Some(r) => {
                let v = &r.verdict;
                json!({
                    "test": v.test.name(),
                    "alpha": v.alpha,
                    "family": v.family,
                    "threshold": v.threshold,
                    "significant_sets": v.significant,
                    "evaluated_sets": v.evaluated,
                    "significant_for": v.significant_for.map(Significance::name),
                    "text": v.sentence(),
                })
            }
            None => json!({
                "significant_for": Value::Null,
                "text": format!("No counts are consistent with the printed figures: {}.", e.unreachable.clone().unwrap_or_default()),
            }),
        };
        json!({
            "confidence_level": self.level.value(),
            "groups": [group(&c.first), group(&c.second)],
            "total": c.total.map(|(lo, hi)| json!({"min": lo, "max": hi})),
            "rounding": c.roundings.iter().map(|r| r.name()).collect::<Vec<_>>(),
            "consistent": {
                "sets": count_json(e.sets),
                "base_pairs": e.base_pairs,
                "evaluated": e.evaluated.len(),
                "complete": e.complete,
                "first_bases": e.reachable.0,
                "second_bases": e.reachable.1,
                "listed": listed,
                "unreachable": e.unreachable,
            },
            "ranges": ranges,
            "verdict": verdict,
            "notes": notes.0,
        })
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        let c = &self.comparison;
        let e = &self.sets;
        let mut out = String::new();
        for (name, g) in [("Group 1", &c.first), ("Group 2", &c.second)] {
            let _ = writeln!(out, "{name}: {} on a base of {}", g.share_text(), g.base);
        }
        if let Some((lo, hi)) = c.total {
            let total = if lo == hi { lo.to_string() } else { format!("{lo}..{hi}") };
            let _ = writeln!(out, "Total: n1 + n2 = {total}");
        }
        let schemes: Vec<&str> = c.roundings.iter().map(|r| r.name()).collect();
        let _ = writeln!(out, "Rounding: {}", schemes.join(", "));
        let Some(r) = &self.ranges else {
            let _ = writeln!(
                out,
                "\nNo counts are consistent with the printed figures: {}.",
                e.unreachable.clone().unwrap_or_default()
            );
            return out;
        };
        let _ = writeln!(
            out,
            "\n{} on {}{}",
            plural(e.sets, "consistent set of counts", "consistent sets of counts"),
            plural(e.base_pairs, "pair of bases", "pairs of bases"),
            if e.complete {
                String::new()
            } else {
                format!(
                    " (ranges over the {} sets at the extreme counts of {})",
                    e.evaluated.len(),
                    evaluated_pairs(e)
                )
            }
        );
        let _ = writeln!(out, "  {:>11} {:>11} {:>11} {:>11}", "n1", "k1", "n2", "k2");
        for s in e.evaluated.iter().take(LISTED_SETS_TEXT) {
            let _ = writeln!(out, "  {:>11} {:>11} {:>11} {:>11}", s.n1, s.k1, s.n2, s.k2);
        }
        if e.evaluated.len() > LISTED_SETS_TEXT {
            let _ = writeln!(
                out,
                "  ... ({} more; --json lists up to {LISTED_SETS})",
                e.evaluated.len() - LISTED_SETS_TEXT
            );
        }
        let level = percent(self.level.value());
        let _ = writeln!(
            out,
            "\nRanges over the consistent counts ({level} intervals, two-sided tests)"
        );
        let row = |out: &mut String, name: &str, text: String| {
            let _ = writeln!(out, "  {name:<34}{text}");
        };
        row(&mut out, "difference p1 - p2", span_text(&r.difference, crate::format::points));
        // One line per interval method: the ranges of its two ends.
        let intervals =
            |out: &mut String, name: &str, span: &IntervalSpan, show: fn(f64) -> String| {
                let text = format!(
                    "lower {}, upper {}",
                    span_text(&span.lower, show),
                    span_text(&span.upper, show)
                );
                row(out, &format!("  {name} interval"), text);
            };
        for (m, span) in &r.difference_intervals {
            intervals(&mut out, m.name(), span, crate::format::points);
        }
        if let Some(rr) = &r.risk_ratio {
            row(&mut out, "risk ratio p1 / p2", span_text(rr, fixed_short));
            for (m, span) in &r.risk_ratio_intervals {
                intervals(&mut out, m.name(), span, fixed_short);
            }
        }
        if let Some(or) = &r.odds_ratio {
            row(&mut out, "odds ratio", span_text(or, fixed_short));
            for (m, span) in &r.odds_ratio_intervals {
                intervals(&mut out, m.name(), span, fixed_short);
            }
        }
        for (t, span) in &r.tests {
            let text = match span {
                Some(s) => span_text(s, crate::format::p_value),
                None => format!("not computed on more than {MAX_SLOW_SETS} sets"),
            };
            row(&mut out, &format!("p-value, {}", t.name()), text);
        }
        let _ = writeln!(out, "\n{}", r.verdict.sentence());
        out
    }
}

/// The result of `invitestat ci` on a printed figure: every interval's range over the
/// counts consistent with it.
#[derive(Debug, Clone)]
pub struct PrintedCiReport {
    /// What was printed.
    pub group: PrintedGroup,
    /// The rounding schemes.
    pub roundings: Vec<Rounding>,
    /// The consistent counts.
    pub counts: GroupEnumeration,
    /// Confidence level.
    pub level: ConfidenceLevel,
    /// Sidedness.
    pub alternative: Alternative,
    /// The share's range.
    pub estimate: Span,
    /// Each method's interval ends, over the consistent counts.
    pub intervals: Vec<(CiMethod, IntervalSpan)>,
}

impl PrintedCiReport {
    /// Every interval of `methods` (all when empty) over the consistent counts.
    ///
    /// # Errors
    /// As [`PrintedGroup::enumerate`].
    pub fn new(
        group: PrintedGroup,
        roundings: Vec<Rounding>,
        methods: &[CiMethod],
        level: ConfidenceLevel,
        alternative: Alternative,
    ) -> Result<Self, PrintedError> {
        let counts = group.enumerate(&roundings)?;
        let methods = if methods.is_empty() { &CiMethod::ALL[..] } else { methods };
        let mut estimate = Span::empty();
        let mut intervals: Vec<(CiMethod, IntervalSpan)> =
            methods.iter().map(|&m| (m, IntervalSpan::empty())).collect();
        for p in &counts.evaluated {
            estimate.add(Some(p.estimate()));
            for (m, span) in &mut intervals {
                span.add(Some(proportion_ci(*p, *m, level, alternative)));
            }
        }
        Ok(PrintedCiReport { group, roundings, counts, level, alternative, estimate, intervals })
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let mut notes = Notes::default();
        let c = &self.counts;
        if !c.complete {
            notes.0.push(format!(
                "{} consistent counts, more than the {} evaluated one by one at these bases: the ranges are over the smallest and largest count at bases spread over the window",
                c.sets, c.budget
            ));
        }
        let intervals = notes.map(
            "intervals",
            self.intervals.iter().map(|(m, s)| (m.name(), s)),
            Notes::interval_span,
        );
        let estimate =
            if c.sets > 0 { notes.span("estimate", &self.estimate) } else { Value::Null };
        json!({
            "printed": self.group.share_text(),
            "base": {"text": self.group.base.text, "min": self.group.base.min, "max": self.group.base.max},
            "rounding": self.roundings.iter().map(|r| r.name()).collect::<Vec<_>>(),
            "confidence_level": self.level.value(),
            "alternative": self.alternative.to_string(),
            "consistent": {
                "counts": c.sets,
                "bases": c.bases,
                "listed": c.evaluated.iter().take(LISTED_SETS).map(|p| json!({"k": p.successes, "n": p.n})).collect::<Vec<_>>(),
                "complete": c.complete,
                "unreachable": c.unreachable,
            },
            "estimate": estimate,
            "intervals": intervals,
            "notes": notes.0,
        })
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        let c = &self.counts;
        let mut out = format!("{} on a base of {}\n", self.group.share_text(), self.group.base);
        let schemes: Vec<&str> = self.roundings.iter().map(|r| r.name()).collect();
        let _ = writeln!(out, "Rounding: {}", schemes.join(", "));
        if let Some(why) = &c.unreachable {
            let _ = writeln!(out, "\nNo count is consistent with the printed figure: {why}.");
            return out;
        }
        let listed: Vec<String> = c
            .evaluated
            .iter()
            .take(LISTED_SETS_TEXT)
            .map(|p| format!("{}/{}", p.successes, p.n))
            .collect();
        let _ = writeln!(
            out,
            "\n{}: {}{}",
            plural(c.sets, "consistent count", "consistent counts"),
            listed.join(", "),
            if c.evaluated.len() > LISTED_SETS_TEXT { ", ..." } else { "" }
        );
        let _ = writeln!(out, "Share: {}", span_text(&self.estimate, crate::format::share));
        let _ = writeln!(
            out,
            "\n{} intervals over the consistent counts ({})",
            percent(self.level.value()),
            self.alternative
        );
        let _ = writeln!(out, "  {:<20}{:>24}{:>24}", "method", "lower", "upper");
        for (m, span) in &self.intervals {
            let _ = writeln!(
                out,
                "  {:<20}{:>24}{:>24}",
                m.name(),
                span_text(&span.lower, crate::format::share),
                span_text(&span.upper, crate::format::share)
            );
        }
        out
    }
}

/// A count in JSON: a number while it is exact in a double (up to 2^53, what JSON readers
/// such as JavaScript keep exactly), its decimal digits as a string above.
fn count_json(n: u128) -> Value {
    if n <= 1 << 53 { json!(n as u64) } else { json!(n.to_string()) }
}

/// Which pairs of bases an incomplete enumeration evaluated.
fn evaluated_pairs(e: &Enumeration) -> String {
    if e.stride <= 1 {
        "every pair of bases".into()
    } else {
        format!("every {}th pair of bases (and the last)", e.stride)
    }
}

fn plural(n: impl Into<u128>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fixed_short(v: f64) -> String {
    if v.is_infinite() { fixed(v) } else { format!("{v:.4}") }
}

/// What `compare` is asked, as typed: two groups (each `X/N` or a printed figure, with
/// or without its base) and the options. The command line and the browser page both
/// answer through [`CompareRequest::answer`], so they give the same documents.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Group 1 as typed.
    pub first: Side,
    /// Group 2 as typed.
    pub second: Side,
    /// Group 1's base when not written with it.
    pub n1: Option<BaseWindow>,
    /// Group 2's base when not written with it.
    pub n2: Option<BaseWindow>,
    /// n1 + n2, less up to `slack`.
    pub total: Option<u64>,
    /// Respondents of the total in neither group.
    pub slack: u64,
    /// The author's rounding schemes.
    pub roundings: Vec<Rounding>,
    /// The test behind a printed comparison's verdict.
    pub test: TestMethod,
    /// Comparisons sharing the significance level (Bonferroni).
    pub family: u64,
    /// Confidence level.
    pub level: ConfidenceLevel,
}

/// The answer to a [`CompareRequest`]: everything about two counts, or the ranges over
/// what printed figures allow.
#[derive(Debug, Clone)]
pub enum CompareAnswer {
    /// Both groups are exact counts on exact bases, with no total.
    Counts(Box<CompareReport>),
    /// Anything printed: a figure, a window, an approximate base or a total.
    Printed(Box<PrintedCompareReport>),
}

impl CompareAnswer {
    /// The JSON document.
    pub fn to_json(&self) -> Value {
        match self {
            CompareAnswer::Counts(r) => r.to_json(),
            CompareAnswer::Printed(r) => r.to_json(),
        }
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        match self {
            CompareAnswer::Counts(r) => r.to_text(),
            CompareAnswer::Printed(r) => r.to_text(),
        }
    }
}

/// A group as typed, for messages.
fn side_text(side: &Side) -> String {
    let share = match &side.share {
        Share::Figure(f) => f.text.clone(),
        Share::Count(k) => k.to_string(),
    };
    match &side.base {
        Some(b) => format!("{share}/{}", b.text),
        None => share,
    }
}

impl CompareRequest {
    /// Two groups with the defaults: no total, half-up rounding, Fisher's exact test, a
    /// single comparison, 95%.
    pub fn new(first: Side, second: Side) -> Self {
        CompareRequest {
            first,
            second,
            n1: None,
            n2: None,
            total: None,
            slack: 0,
            roundings: vec![Rounding::HalfUp],
            test: TestMethod::Fisher,
            family: 1,
            level: ConfidenceLevel::default(),
        }
    }

    /// Counts on exact bases go to [`CompareReport`]; anything printed to
    /// [`PrintedCompareReport`], a base left out being whatever the total leaves.
    ///
    /// # Errors
    /// [`PrintedError`]: a base given twice or not at all, impossible counts, a total that
    /// cannot be met, windows too wide.
    pub fn answer(self) -> Result<CompareAnswer, PrintedError> {
        let base = |side: &Side, flag: Option<BaseWindow>, group: u8| match (&side.base, flag) {
            (Some(_), Some(_)) => {
                Err(PrintedError::BaseTwice { group, text: crate::format::echo(&side_text(side)) })
            }
            (Some(b), None) => Ok(Some(b.clone())),
            (None, b) => Ok(b),
        };
        let b1 = base(&self.first, self.n1, 1)?;
        let b2 = base(&self.second, self.n2, 2)?;
        let exact = |side: &Side, b: &Option<BaseWindow>| match (&side.share, b) {
            (Share::Count(k), Some(b)) if b.min == b.max => Some((*k, b.min)),
            _ => None,
        };
        if self.total.is_none()
            && let (Some((k1, n1)), Some((k2, n2))) =
                (exact(&self.first, &b1), exact(&self.second, &b2))
        {
            let p = |k, n| Proportion::new(k, n).map_err(PrintedError::Counts);
            let groups = TwoGroups { first: p(k1, n1)?, second: p(k2, n2)? };
            return Ok(CompareAnswer::Counts(Box::new(CompareReport::new(groups, self.level))));
        }
        let open = |b: Option<BaseWindow>, side: &Side, group: u8| match (b, self.total) {
            (Some(b), _) => Ok(b),
            (None, Some(t)) if t >= 2 => {
                Ok(BaseWindow { text: format!("1..{}", t - 1), min: 1, max: t - 1 })
            }
            (None, _) => {
                Err(PrintedError::NoBase { group, text: crate::format::echo(&side_text(side)) })
            }
        };
        let b1 = open(b1, &self.first, 1)?;
        let b2 = open(b2, &self.second, 2)?;
        let mut comparison = PrintedComparison::new(
            PrintedGroup { share: self.first.share, base: b1 },
            PrintedGroup { share: self.second.share, base: b2 },
        )
        .with_roundings(self.roundings);
        if let Some(t) = self.total {
            comparison = comparison.with_total(t, self.slack)?;
        }
        let mut tests = vec![self.test];
        tests.extend(TestMethod::ALL.iter().filter(|t| **t != self.test));
        let what =
            Evaluation { tests, level: self.level, family: self.family, ..Evaluation::default() };
        Ok(CompareAnswer::Printed(Box::new(PrintedCompareReport::new(comparison, &what)?)))
    }
}

/// Reads a test name as `--test` takes it (`fisher`, `boschloo`, ...).
///
/// # Errors
/// The message names the text and every test.
pub fn parse_test(s: &str) -> Result<TestMethod, String> {
    TestMethod::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = TestMethod::ALL.iter().map(|m| m.name()).collect();
        format!("unknown test '{}' (expected one of {})", crate::format::echo(s), names.join(", "))
    })
}

/// Reads a confidence level as `--confidence-level` takes it (`0.95`).
///
/// # Errors
/// Not a number, or not strictly between 0 and 1.
pub fn parse_level(s: &str) -> Result<ConfidenceLevel, String> {
    let v: f64 = s.parse().map_err(|_| {
        format!("'{}' is not a number (expected e.g. 0.95)", crate::format::echo(s))
    })?;
    ConfidenceLevel::new(v).map_err(|e| e.to_string())
}

/// Reads a whole number of respondents as `--total` or `--slack` takes it.
///
/// # Errors
/// Not a whole number >= 0.
pub fn parse_count(s: &str) -> Result<u64, String> {
    s.trim().parse().map_err(|_| format!("'{}' is not a whole number >= 0", crate::format::echo(s)))
}

/// Reads an interval method name as `--method` takes it (`wilson`, `clopper-pearson`).
///
/// # Errors
/// The message names the text and every method.
pub fn parse_ci_method(s: &str) -> Result<CiMethod, String> {
    CiMethod::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = CiMethod::ALL.iter().map(|m| m.name()).collect();
        format!("unknown interval method '{}' (expected one of {})", echo(s), names.join(", "))
    })
}

/// Reads a weighted interval method name as `--weighted-method` takes it.
///
/// # Errors
/// The message names the text and every method.
pub fn parse_weighted_ci_method(s: &str) -> Result<WeightedCiMethod, String> {
    WeightedCiMethod::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = WeightedCiMethod::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown weighted interval method '{}' (expected one of {})",
            echo(s),
            names.join(", ")
        )
    })
}

/// Reads an adjustment name as `--method` of `adjust` takes it (`holm`, `bh`).
///
/// # Errors
/// The message names the text and every adjustment.
pub fn parse_adjustment(s: &str) -> Result<Adjustment, String> {
    Adjustment::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Adjustment::ALL.iter().map(|m| m.name()).collect();
        format!("unknown adjustment '{}' (expected one of {})", echo(s), names.join(", "))
    })
}

/// Reads `two-sided`, `less` or `greater`.
///
/// # Errors
/// Any other text.
pub fn parse_alternative(s: &str) -> Result<Alternative, String> {
    Alternative::from_name(s).ok_or_else(|| {
        format!("unknown alternative '{}' (expected two-sided, less or greater)", echo(s))
    })
}

/// Reads a proportion strictly between 0 and 1 (`--p1`, `--power`, `--alpha`).
///
/// # Errors
/// Not a number, or not strictly between 0 and 1.
pub fn parse_probability(s: &str) -> Result<f64, String> {
    let v: f64 =
        s.parse().map_err(|_| format!("'{}' is not a number (expected e.g. 0.63)", echo(s)))?;
    if v > 0.0 && v < 1.0 { Ok(v) } else { Err(format!("{v} is not strictly between 0 and 1")) }
}

/// Reads a positive, finite number (`--n1`, `--ratio`).
///
/// # Errors
/// Not a number, or not positive and finite.
pub fn parse_positive(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("'{}' is not a number", echo(s)))?;
    if v > 0.0 && v.is_finite() { Ok(v) } else { Err(format!("{v} is not positive")) }
}

/// Reads a p-value in [0, 1].
///
/// # Errors
/// Not a number, or outside [0, 1].
pub fn parse_p_value(s: &str) -> Result<f64, String> {
    let v: f64 =
        s.parse().map_err(|_| format!("'{}' is not a number (expected a p-value)", echo(s)))?;
    if (0.0..=1.0).contains(&v) { Ok(v) } else { Err(format!("{v} is not a p-value in [0, 1]")) }
}

/// Reads `X/N` (e.g. `52/60`) into a checked proportion.
///
/// # Errors
/// Not of the form X/N, or more successes than respondents.
pub fn parse_fraction(s: &str) -> Result<Proportion, String> {
    let shown = echo(s);
    let (x, n) = s.split_once('/').ok_or_else(|| {
        format!("'{shown}' is not of the form X/N (successes/respondents, e.g. 52/60)")
    })?;
    let x: u64 = x
        .trim()
        .parse()
        .map_err(|_| format!("'{shown}': successes '{}' is not a whole number >= 0", echo(x)))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("'{shown}': respondents '{}' is not a whole number >= 1", echo(n)))?;
    Proportion::new(x, n).map_err(|e| format!("'{shown}': {e}"))
}

/// Reads a count (`52`) or a printed figure (`87%`, `12.5%`, `<1%`).
///
/// # Errors
/// Neither a whole number nor a printed figure.
pub fn parse_share(s: &str) -> Result<Share, String> {
    if s.contains(['%', '<', '>']) {
        s.trim().parse::<Figure>().map(Share::Figure).map_err(|e| e.to_string())
    } else {
        parse_count(s).map(Share::Count)
    }
}

/// Reads a base: a whole number as it is (0 is refused later, with the counts), else a
/// window (`55..59`) or an approximate base (`~60`, `almost 60`).
///
/// # Errors
/// None of these.
pub fn parse_base(s: &str) -> Result<BaseWindow, String> {
    match s.trim().parse::<u64>() {
        Ok(n) => Ok(BaseWindow { text: s.trim().to_string(), min: n, max: n }),
        Err(_) => parse_window(s),
    }
}

/// Reads a window of bases as `--n1` takes it (`60`, `55..59`, `~60`, `almost 60`).
///
/// # Errors
/// Not a base, window or approximate base.
pub fn parse_window(s: &str) -> Result<BaseWindow, String> {
    s.parse::<BaseWindow>().map_err(|e| e.to_string())
}

/// Reads a group as `compare` takes it (`52/60`, `87%`, `87%/55..59`, `87%/~60`).
///
/// # Errors
/// Not a group.
pub fn parse_side(s: &str) -> Result<Side, String> {
    s.parse::<Side>().map_err(|e| e.to_string())
}

/// Reads the number of comparisons an article makes (at least 1).
///
/// # Errors
/// Not a whole number, or 0.
pub fn parse_family(s: &str) -> Result<u64, String> {
    match parse_count(s)? {
        0 => Err("the family has at least one comparison".into()),
        m => Ok(m),
    }
}

/// Reads a comma-separated list of rounding schemes, or `any` for all six.
///
/// # Errors
/// An unknown scheme.
pub fn parse_roundings(s: &str) -> Result<Vec<Rounding>, String> {
    Rounding::parse_list(s).map_err(|e| e.to_string())
}

/// Reads one rounding scheme (`half-up`, `half-even`, `ceiling`, ...).
///
/// # Errors
/// The message names the text and every scheme.
pub fn parse_rounding(s: &str) -> Result<Rounding, String> {
    Rounding::from_name(s).ok_or_else(|| {
        format!(
            "unknown rounding scheme '{}' (expected one of {})",
            echo(s),
            Rounding::ALL.map(Rounding::name).join(", ")
        )
    })
}

/// Reads a printed figure (`87%`, `12.5%`, `<1%`).
///
/// # Errors
/// Not a printed figure.
pub fn parse_figure(s: &str) -> Result<Figure, String> {
    s.parse().map_err(|e: crate::consistency::FigureError| e.to_string())
}

/// Why a calculator request has no answer: the message is the one the command line
/// prints (with exit status 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalculatorError {
    /// Impossible counts or parameters.
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// Printed figures that cannot be evaluated.
    #[error(transparent)]
    Printed(#[from] PrintedError),
    /// A request that makes no sense as a whole (a base of 0, a power calculation
    /// without what it solves for).
    #[error("{0}")]
    Request(String),
}

/// What `ci` is asked: a count or a printed figure on a base, window or approximate
/// base. The command line and the Python package answer through [`CiRequest::answer`].
#[derive(Debug, Clone)]
pub struct CiRequest {
    /// Successes, or a printed figure.
    pub successes: Share,
    /// The base, window or approximate base.
    pub base: BaseWindow,
    /// The rounding schemes of a printed figure.
    pub roundings: Vec<Rounding>,
    /// One method, or every method (preferred first) when `None`.
    pub method: Option<CiMethod>,
    /// Confidence level.
    pub level: ConfidenceLevel,
    /// Two-sided interval, or a one-sided bound.
    pub alternative: Alternative,
}

/// The answer to a [`CiRequest`].
#[derive(Debug, Clone)]
pub enum CiAnswer {
    /// A count on an exact base.
    Counts(CiReport),
    /// A printed figure, or a window of bases: every interval's range.
    Printed(Box<PrintedCiReport>),
}

impl CiAnswer {
    /// The JSON document.
    pub fn to_json(&self) -> Value {
        match self {
            CiAnswer::Counts(r) => r.to_json(),
            CiAnswer::Printed(r) => r.to_json(),
        }
    }

    /// A terminal table.
    pub fn to_text(&self) -> String {
        match self {
            CiAnswer::Counts(r) => r.to_text(),
            CiAnswer::Printed(r) => r.to_text(),
        }
    }
}

impl CiRequest {
    /// A count or figure on a base, with the defaults: half-up rounding, every method,
    /// 95%, two-sided.
    pub fn new(successes: Share, base: BaseWindow) -> Self {
        CiRequest {
            successes,
            base,
            roundings: vec![Rounding::HalfUp],
            method: None,
            level: ConfidenceLevel::default(),
            alternative: Alternative::TwoSided,
        }
    }

    /// A count on an exact base goes to [`CiReport`]; anything printed to
    /// [`PrintedCiReport`].
    ///
    /// # Errors
    /// More successes than respondents, a base of 0, a figure no count can show.
    ///
    /// # Examples
    /// ```
    /// use invitestat::calculator::{CiRequest, parse_base, parse_share};
    /// let answer = CiRequest::new(parse_share("52")?, parse_base("60")?).answer()?;
    /// let wilson = &answer.to_json()["intervals"]["wilson"];
    /// let lower = wilson["lower"].as_f64().ok_or("no lower bound")?;
    /// assert!((lower - 0.758_348_4).abs() < 1e-7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn answer(self) -> Result<CiAnswer, CalculatorError> {
        let methods: Vec<CiMethod> = self.method.into_iter().collect();
        match self.successes {
            Share::Count(k) if self.base.min == self.base.max => {
                let prop = Proportion::new(k, self.base.min)?;
                Ok(CiAnswer::Counts(CiReport::new(prop, &methods, self.level, self.alternative)))
            }
            share => {
                if self.base.min == 0 {
                    return Err(CalculatorError::Request(format!(
                        "'{}' is not a base: a base is at least 1",
                        self.base.text
                    )));
                }
                let group = PrintedGroup { share, base: self.base };
                let report = PrintedCiReport::new(
                    group,
                    self.roundings,
                    &methods,
                    self.level,
                    self.alternative,
                )?;
                Ok(CiAnswer::Printed(Box::new(report)))
            }
        }
    }
}

/// What `power` is asked. Give p1, p2, n1 and n2 for power; p1, p2 and `power` for the
/// sample size (n2 = ratio * n1); p2, n1, n2 and `power` for the minimum detectable
/// difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerRequest {
    /// Proportion in group 1 under the alternative.
    pub p1: Option<f64>,
    /// Proportion in group 2.
    pub p2: f64,
    /// Group 1 size.
    pub n1: Option<f64>,
    /// Group 2 size.
    pub n2: Option<f64>,
    /// Target power.
    pub power: Option<f64>,
    /// n2 / n1 when solving for the sample size.
    pub ratio: f64,
    /// Significance level.
    pub alpha: f64,
    /// Two-sided test, or one-sided.
    pub alternative: Alternative,
}

impl PowerRequest {
    /// Solves for whatever was left out.
    ///
    /// # Errors
    /// A combination that solves for nothing, or parameters out of range.
    pub fn answer(self) -> Result<PowerReport, CalculatorError> {
        use crate::stats::power::{minimum_detectable_difference, power, sample_size};
        let alt = self.alternative;
        let (target, result) = match (self.p1, self.n1, self.n2, self.power) {
            (Some(p1), Some(n1), Some(n2), None) => {
                (PowerTarget::Power, power(p1, self.p2, n1, n2, self.alpha, alt)?)
            }
            (Some(p1), None, None, Some(target)) => (
                PowerTarget::SampleSize,
                sample_size(p1, self.p2, self.ratio, self.alpha, target, alt)?,
            ),
            (None, Some(n1), Some(n2), Some(target)) => (
                PowerTarget::MinimumDetectableDifference,
                minimum_detectable_difference(self.p2, n1, n2, self.alpha, target, alt)?,
            ),
            _ => {
                return Err(CalculatorError::Request(
                    "give --p1 --p2 --n1 --n2 (power), --p1 --p2 --power (sample size), \
                     or --p2 --n1 --n2 --power (minimum detectable difference)"
                        .into(),
                ));
            }
        };
        Ok(PowerReport { target, alternative: alt, result })
    }
}

/// Largest base `recover` searches (every base of the window is tried).
pub const MAX_RECOVER_BASE: u64 = 10_000_000;

/// Reads the window of bases `recover` searches (`60`, `50..70`, `~60`), at most
/// [`MAX_RECOVER_BASE`].
///
/// # Errors
/// Not a window, or one reaching past [`MAX_RECOVER_BASE`].
pub fn parse_recover_window(s: &str) -> Result<(u64, u64), String> {
    let w = parse_window(s)?;
    if w.max > MAX_RECOVER_BASE {
        return Err(format!("'{}': recover searches bases up to {MAX_RECOVER_BASE}", echo(s)));
    }
    Ok((w.min, w.max))
}

/// The result of `invitestat recover`: which bases in a window, and which counts, show
/// every printed figure of one group.
#[derive(Debug, Clone)]
pub struct RecoverReport {
    /// The figures, as printed.
    pub figures: Vec<Figure>,
    /// The window of bases searched.
    pub window: (u64, u64),
    /// The rounding scheme.
    pub rounding: Rounding,
    /// Each base that shows every figure, with the counts that do.
    pub candidates: Vec<crate::consistency::Candidate>,
}

impl RecoverReport {
    /// Searches every base of `window` (at most [`MAX_RECOVER_BASE`]).
    ///
    /// # Errors
    /// No figures, or a window the search refuses.
    ///
    /// # Examples
    /// ```
    /// use invitestat::calculator::{RecoverReport, parse_figure};
    /// use invitestat::consistency::Rounding;
    /// let figures = ["21%", "40%", "87%"].map(parse_figure).into_iter().collect::<Result<_, _>>()?;
    /// let report = RecoverReport::new(figures, (50, 70), Rounding::HalfUp)?;
    /// let bases: Vec<u64> = report.candidates.iter().map(|c| c.n).collect();
    /// assert_eq!(bases, [52, 53, 62, 63, 67, 68, 70]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        figures: Vec<Figure>,
        window: (u64, u64),
        rounding: Rounding,
    ) -> Result<Self, CalculatorError> {
        if figures.is_empty() {
            return Err(CalculatorError::Request("give at least one figure".into()));
        }
        if window.1 > MAX_RECOVER_BASE {
            return Err(CalculatorError::Request(format!(
                "recover searches bases up to {MAX_RECOVER_BASE}"
            )));
        }
        let candidates = crate::consistency::recover(&figures, window.0..=window.1, rounding)
            .map_err(|e| CalculatorError::Request(e.to_string()))?;
        Ok(RecoverReport { figures, window, rounding, candidates })
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        use crate::consistency::{expected_chance_hits, smallest_base};
        let (lo, hi) = self.window;
        json!({
            "rounding": self.rounding.name(),
            "figures": self.figures.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
            "window": [lo, hi],
            "candidates": self.candidates,
            "expected_chance_hits": expected_chance_hits(&self.figures, lo..=hi, self.rounding),
            "smallest_base": smallest_base(&self.figures, self.rounding, 100_000),
        })
    }

    /// A terminal summary.
    pub fn to_text(&self) -> String {
        use crate::consistency::{chance_of_fit, counts, expected_chance_hits, smallest_base};
        let (lo, hi) = self.window;
        let mut out = String::new();
        let figs: Vec<String> = self.figures.iter().map(|f| f.text.clone()).collect();
        let _ = writeln!(
            out,
            "Figures {} under {} rounding, n in {lo}..{hi}",
            figs.join(" "),
            self.rounding
        );
        if lo == hi {
            for f in &self.figures {
                let c = counts(f, lo, self.rounding);
                let text = c.map_or("none".to_string(), |r| {
                    r.map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
                });
                let _ = writeln!(out, "  {:>6}: counts {text}", f.text);
            }
        }
        if self.candidates.is_empty() {
            let _ = writeln!(out, "No n in the window reaches every figure.");
        }
        for c in &self.candidates {
            let cells: Vec<String> = c
                .counts
                .iter()
                .map(|k| k.iter().map(u64::to_string).collect::<Vec<_>>().join("/"))
                .collect();
            let _ = writeln!(
                out,
                "  n = {:<6} counts {}   (chance of a random fit {:.3})",
                c.n,
                cells.join(", "),
                chance_of_fit(&self.figures, c.n, self.rounding)
            );
        }
        let _ = writeln!(
            out,
            "Expected chance hits in the window: {:.2}; smallest base overall: {}",
            expected_chance_hits(&self.figures, lo..=hi, self.rounding),
            smallest_base(&self.figures, self.rounding, 100_000)
                .map_or("none below 100000".into(), |n| n.to_string())
        );
        out
    }
}
