//! The analysis of one study or wave: per-group proportions with intervals, group
//! comparisons with tests adjusted across the questionnaire, published figures
//! reproduced, and (in [`crate::claims`]) the published claims judged.

use crate::codebook::{Codebook, GroupRef};
use crate::stats::ci::{CiMethod, proportion_ci};
use crate::stats::difference::{DifferenceMethod, difference_ci};
use crate::stats::multiplicity::{Adjustment, adjust};
use crate::stats::significance::{TestMethod, two_group_test};
use crate::stats::weighted::WeightedCiMethod;
use crate::stats::{Alternative, ConfidenceLevel, Proportion, TwoGroups};
use crate::tabulate::CountTable;

pub mod disclosure;
pub mod figures;
pub mod independence;
pub mod multi_response;
pub mod waves;
pub mod weighted;

pub use figures::{
    BaseFit, BaseRecovery, ComparisonRange, FigureCheck, FigureComparison,
    MAX_LISTED_FIGURE_COUNTS, RangeUnavailable, check_figures, comparison_range,
};
pub use independence::{
    COCHRAN_MIN_EXPECTED, GroupTestRow, MONTE_CARLO_REPLICATES, QuestionTestRow,
};
pub use multi_response::MultiResponseTestRow;
use serde::Serialize;
pub use weighted::{WeightedComparisonRow, WeightedRow};

/// Choices for an analysis; the defaults are the recommended methods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnalysisOptions {
    /// Interval for each proportion (default Wilson).
    pub ci_method: CiMethod,
    /// Interval for each difference (default Newcombe).
    pub difference_method: DifferenceMethod,
    /// Two-group test (default Fisher's exact test).
    pub test: TestMethod,
    /// Multiplicity adjustment across the questionnaire (default Holm).
    pub adjustment: Adjustment,
    /// Interval for each weighted share (default Korn-Graubard beta, R `svyciprop`
    /// `method = "beta"`, which keeps its coverage in small domains).
    pub weighted_ci_method: WeightedCiMethod,
    /// Confidence level (default 0.95); the significance level is `1 - level`.
    pub level: ConfidenceLevel,
    /// Seed for Monte Carlo tests (used only when an exact test is too large).
    pub seed: u64,
    /// Shares on fewer respondents than this are flagged as resting on a small base
    /// (default [`DEFAULT_MIN_BASE`]).
    pub min_base: u64,
    /// Shares whose count (or its complement) is below this are flagged too (default
    /// 0: no count rule).
    pub min_count: u64,
    /// Cells of groups with fewer respondents answering than this are suppressed from
    /// every output (and, so that they cannot be recovered by subtraction, the
    /// whole-sample row of a question with exactly one suppressed group, every
    /// comparison and test that involves them, and the numbers of claims that rest on
    /// them). `None`: nothing is suppressed.
    pub suppress_below: Option<u64>,
}

/// The default minimum base: shares on fewer respondents are flagged.
pub const DEFAULT_MIN_BASE: u64 = 30;

impl AnalysisOptions {
    /// Whether a cell answered by `n` respondents is suppressed (`suppress_below`).
    pub fn suppresses(&self, n: u64) -> bool {
        self.suppress_below.is_some_and(|t| n < t)
    }

    /// Whether a share of `k` in `n` rests on a small base: `n` below the minimum base,
    /// or (with a minimum count) `k` or `n - k` below the minimum count.
    pub fn is_small(&self, k: u64, n: u64) -> bool {
        n < self.min_base
            || (self.min_count > 0 && (k < self.min_count || n.saturating_sub(k) < self.min_count))
    }
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            ci_method: CiMethod::Wilson,
            difference_method: DifferenceMethod::Newcombe,
            test: TestMethod::Fisher,
            adjustment: Adjustment::Holm,
            weighted_ci_method: WeightedCiMethod::Beta,
            level: ConfidenceLevel::NINETY_FIVE,
            seed: 20141001,
            min_base: DEFAULT_MIN_BASE,
            min_count: 0,
            suppress_below: None,
        }
    }
}

/// One row of `results.csv`: a question option in a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// Question id.
    pub question: String,
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// Group id (`all` for the whole sample).
    pub group: String,
    /// Group label (`Everyone` for the whole sample).
    pub group_label: String,
    /// Respondents choosing the option.
    pub successes: u64,
    /// Respondents answering the question.
    pub n: u64,
    /// Missing answers in the group.
    pub missing: u64,
    /// `successes / n` (`None` when nobody answered).
    pub estimate: Option<f64>,
    /// Interval lower bound.
    pub ci_lower: Option<f64>,
    /// Interval upper bound.
    pub ci_upper: Option<f64>,
    /// Interval method.
    pub method: String,
    /// Confidence level.
    pub confidence_level: f64,
    /// The base is below the minimum base (or a count below the minimum count).
    pub small_base: bool,
}

/// One row of `comparisons.csv`: group 1 vs group 2 on a question option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Question id.
    pub question: String,
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// First group id.
    pub group_a: String,
    /// First group's label.
    pub group_a_label: String,
    /// Second group id.
    pub group_b: String,
    /// Second group's label.
    pub group_b_label: String,
    /// `p_a`.
    pub estimate_a: f64,
    /// `p_b`.
    pub estimate_b: f64,
    /// `p_a - p_b`.
    pub difference: f64,
    /// Interval lower bound.
    pub ci_lower: f64,
    /// Interval upper bound.
    pub ci_upper: f64,
    /// Interval method.
    pub ci_method: String,
    /// Test.
    pub test: String,
    /// Raw p-value (`None` when the test is undefined).
    pub p_value: Option<f64>,
    /// `log10` of the raw p-value.
    pub log10_p_value: Option<f64>,
    /// Adjusted p-value across all comparisons of the questionnaire.
    pub p_adjusted: Option<f64>,
    /// Adjustment.
    pub adjustment: String,
    /// `p_adjusted < 1 - confidence level`.
    pub significant: bool,
    /// Why the test is undefined, if it is.
    pub note: String,
    /// Either group's base is small (see [`ResultRow::small_base`]).
    pub small_base: bool,
}

/// Everything computed for a study or wave.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisResults {
    /// Options used.
    pub options: AnalysisOptions,
    /// Respondents per group (ids in codebook order).
    pub respondents: Vec<(String, u64)>,
    /// Per-group proportions.
    pub results: Vec<ResultRow>,
    /// Group comparisons.
    pub comparisons: Vec<ComparisonRow>,
    /// Published figures checked.
    pub figures: Vec<FigureCheck>,
    /// Tests across all groups at once (studies with more than two groups).
    pub group_tests: Vec<GroupTestRow>,
    /// Published two-group figures: what their comparison can be over every count
    /// consistent with them at the data's bases.
    pub figure_comparisons: Vec<FigureComparison>,
    /// For groups with a published approximate size: which sizes fit their figures
    /// under each rounding scheme.
    pub base_recovery: Vec<BaseRecovery>,
    /// Tests of each single-choice question across all its answers and the groups.
    pub question_tests: Vec<QuestionTestRow>,
    /// Multiple marginal independence of each multi-response question.
    pub multi_response_tests: Vec<MultiResponseTestRow>,
    /// Weighted estimates, when the codebook declares a weight column.
    pub weighted: Vec<WeightedRow>,
    /// Weighted group comparisons (two-group studies with weights).
    pub weighted_comparisons: Vec<WeightedComparisonRow>,
    /// Cells left out of every table because their group's base is below
    /// `suppress_below` (empty unless suppression was asked for).
    pub suppressed: Vec<SuppressedCell>,
}

/// A question's answers in one group, left out of the outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressedCell {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Group id (`all` for the whole sample).
    pub group: String,
    /// Group label ("Everyone" for the whole sample).
    pub group_label: String,
    /// Why.
    pub reason: String,
}

impl AnalysisResults {
    /// The result row for a question option and group.
    pub fn result(&self, question: &str, option: &str, group: &str) -> Option<&ResultRow> {
        self.results
            .iter()
            .find(|r| r.question == question && r.option == option && r.group == group)
    }

    /// The comparison row for a question option.
    pub fn comparison(&self, question: &str, option: &str) -> Option<&ComparisonRow> {
        self.comparisons.iter().find(|r| r.question == question && r.option == option)
    }
}

/// Runs the analysis on a count table.
pub fn analyse(
    codebook: &Codebook,
    table: &CountTable,
    options: AnalysisOptions,
) -> AnalysisResults {
    let levels = &codebook.grouping.levels;
    let mut results = Vec::new();
    let mut comparisons = Vec::new();
    let alpha = 1.0 - options.level.value();
    for (qi, q) in codebook.questions.iter().enumerate() {
        for (oi, o) in q.reported_options() {
            let groups = (0..levels.len()).map(GroupRef::Level).chain([GroupRef::All]);
            for group in groups {
                let (gid, g) = (codebook.group_id(group).to_string(), group.level());
                let (k, n) = table.option_counts(qi, oi, g);
                let missing = match g {
                    Some(g) => table.questions[qi].missing[g],
                    None => table.questions[qi].missing.iter().sum(),
                };
                let ci = Proportion::new(k, n).ok().map(|p| {
                    proportion_ci(p, options.ci_method, options.level, Alternative::TwoSided)
                });
                results.push(ResultRow {
                    question: q.id.clone(),
                    question_label: q.display_label().to_string(),
                    option: o.code.clone(),
                    option_label: o.label.clone(),
                    group: gid,
                    group_label: codebook.group_label(group).to_string(),
                    successes: k,
                    n,
                    missing,
                    estimate: (n > 0).then(|| k as f64 / n as f64),
                    ci_lower: ci.map(|c| c.lower),
                    ci_upper: ci.map(|c| c.upper),
                    method: options.ci_method.name().into(),
                    confidence_level: options.level.value(),
                    small_base: options.is_small(k, n),
                });
            }
            // Every pair of levels (one pair for a two-group study).
            for a in 0..levels.len() {
                for b in (a + 1)..levels.len() {
                    let (ka, na) = table.option_counts(qi, oi, Some(a));
                    let (kb, nb) = table.option_counts(qi, oi, Some(b));
                    let Ok(g) = TwoGroups::new(ka, na, kb, nb) else { continue };
                    let ci = difference_ci(
                        &g,
                        options.difference_method,
                        options.level,
                        Alternative::TwoSided,
                    );
                    let test = two_group_test(&g, options.test, Alternative::TwoSided);
                    comparisons.push(ComparisonRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group_a: levels[a].id.clone(),
                        group_a_label: levels[a].label.clone(),
                        group_b: levels[b].id.clone(),
                        group_b_label: levels[b].label.clone(),
                        estimate_a: g.first.estimate(),
                        estimate_b: g.second.estimate(),
                        difference: g.difference(),
                        ci_lower: ci.lower,
                        ci_upper: ci.upper,
                        ci_method: options.difference_method.name().into(),
                        test: options.test.name().into(),
                        p_value: test.as_ref().ok().map(|t| t.p_value.p),
                        log10_p_value: test.as_ref().ok().map(|t| t.p_value.log10),
                        p_adjusted: None,
                        adjustment: options.adjustment.name().into(),
                        significant: false,
                        note: test.err().map(|e| e.to_string()).unwrap_or_default(),
                        small_base: options.is_small(ka, na) || options.is_small(kb, nb),
                    });
                }
            }
        }
    }
    // Adjust across every defined comparison of the questionnaire.
    let (defined, raw): (Vec<usize>, Vec<f64>) =
        comparisons.iter().enumerate().filter_map(|(i, c)| Some((i, c.p_value?))).unzip();
    if let Ok(adjusted) = adjust(&raw, options.adjustment) {
        for (&i, p) in defined.iter().zip(adjusted) {
            comparisons[i].p_adjusted = Some(p);
            comparisons[i].significant = p < alpha;
        }
    }
    let figures = check_figures(codebook, table, options.min_base);
    let group_tests = if levels.len() > 2 {
        independence::group_tests(codebook, table, &options)
    } else {
        Vec::new()
    };
    let figure_comparisons = figures::figure_comparisons(codebook, table, &options);
    let question_tests = independence::question_tests(codebook, table, &options);
    let base_recovery = figures::base_recovery(codebook);
    let (weighted, weighted_comparisons) = if codebook.weighted() {
        weighted::weighted_rows(codebook, table, &options)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut results = AnalysisResults {
        options,
        respondents: levels
            .iter()
            .zip(&table.respondents)
            .map(|(l, n)| (l.id.clone(), *n))
            .collect(),
        results,
        comparisons,
        figures,
        group_tests,
        figure_comparisons,
        base_recovery,
        question_tests,
        multi_response_tests: multi_response::multi_response_tests(codebook, table, &options),
        weighted,
        weighted_comparisons,
        suppressed: Vec::new(),
    };
    if let Some(threshold) = options.suppress_below {
        disclosure::suppress(&mut results, codebook, table, threshold);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codebook::Codebook;
    use crate::data::Response;
    use std::path::Path;

    const CODEBOOK: &str = r#"id_column = "id"
[study]
id = "t"
title = "t"
source = "t"
[grouping]
column = "g"
levels = [{ id = "r", code = "1", label = "Recruiters" }, { id = "n", code = "0", label = "Others" }]
[[questions]]
id = "accept"
label = "Accept strangers"
text = "Accept?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
"#;

    /// 52 of 60 recruiters and 214 of 340 others answer yes.
    fn table(cb: &Codebook) -> CountTable {
        let mut t = CountTable::new(cb, &[]);
        for (group, yes, n) in [(0usize, 52usize, 60usize), (1, 214, 340)] {
            for i in 0..n {
                let answer = if i < yes { 0 } else { 1 };
                t.add(&Response {
                    group,
                    weight: 1.0,
                    wave: None,
                    answers: vec![Some(answer)],
                    design: Default::default(),
                    row: 0,
                    id: 0,
                });
            }
        }
        t
    }

    #[test]
    fn shares_comparisons_and_labels_for_every_group() {
        let cb = Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap();
        let a = analyse(&cb, &table(&cb), AnalysisOptions::default());
        let r = a.result("accept", "1", "r").unwrap();
        assert_eq!((r.successes, r.n, r.group_label.as_str()), (52, 60, "Recruiters"));
        // R 4.2: prop.test(52, 60, correct = FALSE)$conf.int
        assert!((r.ci_lower.unwrap() - 0.758_347_9).abs() < 1e-6);
        assert_eq!(a.result("accept", "1", "all").map(|r| (r.successes, r.n)), Some((266, 400)));
        let c = a.comparison("accept", "1").unwrap();
        assert!((c.difference - (52.0 / 60.0 - 214.0 / 340.0)).abs() < 1e-15);
        assert!(c.ci_lower < c.difference && c.difference < c.ci_upper);
        assert_eq!((c.group_a_label.as_str(), c.option_label.as_str()), ("Recruiters", "Yes"));
        // One comparison per yes/no question: the adjustment leaves the p-value.
        assert_eq!(c.p_adjusted, c.p_value);
        assert!(c.significant && c.p_value.unwrap() < 1e-3);
        assert!(!r.small_base, "60 respondents are above the default minimum base");
    }

    #[test]
    fn suppression_leaves_out_a_small_group_and_what_would_reveal_it() {
        let cb = Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap();
        let options = AnalysisOptions { suppress_below: Some(100), ..AnalysisOptions::default() };
        let a = analyse(&cb, &table(&cb), options);
        assert!(a.result("accept", "1", "r").is_none_or(|r| r.estimate.is_none()));
        assert!(a.result("accept", "1", "n").is_some_and(|r| r.estimate.is_some()));
        // The whole-sample row minus the others' would give the recruiters back.
        assert!(a.result("accept", "1", "all").is_none_or(|r| r.estimate.is_none()));
        assert!(a.comparisons.is_empty());
        let cells: Vec<(&str, &str)> =
            a.suppressed.iter().map(|c| (c.question.as_str(), c.group.as_str())).collect();
        assert_eq!(cells, [("accept", "r"), ("accept", "all")]);
    }
}
