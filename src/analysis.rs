//! The analysis of one study or wave: per-group proportions with intervals, group
//! comparisons with tests adjusted across the questionnaire, published figures
//! reproduced, and (in [`crate::claims`]) the published claims judged.

use crate::codebook::{Codebook, GroupRef, QuestionKind};
use crate::consistency::{
    ComparisonRange, Figure, Rounding, comparison_range, counts, expected_chance_hits,
};
use crate::stats::ci::{CiMethod, proportion_ci};
use crate::stats::contingency::{
    MAX_EXACT_TABLES, MonteCarloResult, Pairwise, chi_square, chi_square_rc, fisher_freeman_halton,
    fisher_freeman_halton_monte_carlo, fisher_freeman_halton_rc,
    fisher_freeman_halton_rc_monte_carlo, min_expected_count, pairwise_letters,
    rc_tables_upper_bound,
};
use crate::stats::difference::{DifferenceMethod, difference_ci};
use crate::stats::multiplicity::{Adjustment, adjust};
use crate::stats::one_sample::normal_p_value;
use crate::stats::significance::{TestMethod, two_group_test};
use crate::stats::weighted::{
    WeightedCiMethod, WeightedCounts, domain_df, weighted_ci, weighted_difference,
    weighted_proportion,
};
use crate::stats::weighted::{rao_scott, rao_scott_rc};
use crate::stats::{
    Alternative, ConfidenceLevel, Maybe, Proportion, TestResult, TwoGroups, Undefined,
};
use crate::tabulate::CountTable;
use serde::Serialize;

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
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// Group id (`all` for the whole sample).
    pub group: String,
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
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// First group id.
    pub group_a: String,
    /// Second group id.
    pub group_b: String,
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

/// A published figure next to what the data give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureCheck {
    /// Figure id (e.g. `F1r`).
    pub id: String,
    /// Figure group in the study's table (e.g. `F1`).
    pub label: String,
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id (`all` for the whole sample).
    pub group: String,
    /// As printed.
    pub printed: String,
    /// The sentence it comes from.
    pub quote: String,
    /// Data count.
    pub successes: u64,
    /// Data base.
    pub n: u64,
    /// Data proportion (`None` when nobody in the group answered).
    pub estimate: Option<f64>,
    /// Whether the data proportion shows as the printed figure under the scheme.
    pub reproduced: bool,
    /// Every count that would show the figure on this base (listed when there are at
    /// most [`MAX_LISTED_FIGURE_COUNTS`]; see `consistent_range`).
    pub consistent_counts: Vec<u64>,
    /// The smallest and largest count that would show the figure on this base.
    pub consistent_range: Option<(u64, u64)>,
    /// The data base is below the minimum base.
    pub small_base: bool,
}

/// Most consistent counts listed per published figure (large bases allow millions).
pub const MAX_LISTED_FIGURE_COUNTS: u64 = 1_000;

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
    /// Group id (`all` for the whole sample).
    pub group: String,
    /// Why.
    pub reason: String,
}

/// A test of independence of all the answers of a single-choice question and the groups
/// (an answers x groups table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionTestRow {
    /// Question id.
    pub question: String,
    /// Counts, `[answer][group]`.
    pub table: Vec<Vec<u64>>,
    /// Pearson chi-square statistic (empty rows and columns dropped).
    pub chi2: Option<f64>,
    /// Its p-value.
    pub chi2_p_value: Option<f64>,
    /// Exact Fisher-Freeman-Halton p-value (Monte Carlo estimate when the table is too
    /// large to enumerate; see `monte_carlo`).
    pub exact_p_value: Option<f64>,
    /// The Monte Carlo run behind `exact_p_value`, with its seed, when one was needed.
    pub monte_carlo: Option<(MonteCarloResult, u64)>,
    /// Rao-Scott F test p-value on the weighted table (studies with a weight column;
    /// R `svychisq(~answer + group)`, the design taken as the respondents answering).
    pub rao_scott_p_value: Option<f64>,
    /// Why a test is undefined, if one is.
    pub note: String,
    /// Some group's base is below the minimum base.
    pub small_base: bool,
}

/// A weighted share of a question option in a group, as a domain of the whole sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id.
    pub group: String,
    /// Respondents answering in the group.
    pub n: u64,
    /// Weighted share.
    pub estimate: f64,
    /// Design-based standard error (domain of all respondents answering).
    pub se: f64,
    /// Kish effective sample size.
    pub effective_n: f64,
    /// Kish design effect.
    pub deff_kish: f64,
    /// R `deff = "replace"` design effect.
    pub deff_replace: Option<f64>,
    /// Interval (Korn-Graubard beta, R's domain degrees of freedom).
    pub ci_lower: f64,
    /// Interval upper bound.
    pub ci_upper: f64,
    /// Interval method.
    pub ci_method: String,
    /// The share is 0 or 1 and the interval is the exact one-sided bound on n_eff.
    pub boundary: bool,
    /// The base is below the minimum base.
    pub small_base: bool,
}

/// A weighted comparison of group 1 with group 2.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedComparisonRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Weighted difference.
    pub difference: f64,
    /// Its standard error.
    pub se: f64,
    /// Wald interval with t(N - 1) (R svycontrast).
    pub wald_lower: f64,
    /// Upper bound.
    pub wald_upper: f64,
    /// Newcombe interval on the effective sample sizes.
    pub newcombe_effective_lower: f64,
    /// Upper bound.
    pub newcombe_effective_upper: f64,
    /// Two-sided Wald p-value (normal).
    pub p_value: f64,
    /// Rao-Scott F test p-value (R `svychisq`, the design-based test of the 2 x 2 table).
    pub rao_scott_p_value: Option<f64>,
    /// Either group's base is below the minimum base.
    pub small_base: bool,
}

/// The comparison of a pair of published figures over all consistent counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureComparison {
    /// Figure label (F1...).
    pub label: String,
    /// Question.
    pub question: String,
    /// Option.
    pub option: String,
    /// Printed figure of group 1 and its base.
    pub first: (String, u64),
    /// Printed figure of group 2 and its base.
    pub second: (String, u64),
    /// The range, if both figures are reachable at those bases and the consistent
    /// pairs are few enough to evaluate.
    pub range: Option<ComparisonRange>,
    /// Why there is no range, when there is none.
    pub note: String,
}

/// One group size checked against a group's figures under one rounding scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseFit {
    /// Rounding scheme.
    pub rounding: Rounding,
    /// Group size.
    pub n: u64,
    /// Whether every figure is reachable on this one base.
    pub fits: bool,
    /// Fewest missing answers (over the group's questions) that make every figure
    /// reachable, if any number up to half the size does.
    pub missing_needed: Option<u64>,
}

/// Base recovery for a group with a published approximate size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaseRecovery {
    /// Group id.
    pub group: String,
    /// The phrase ("almost 60").
    pub phrase: String,
    /// The sizes the phrase allows.
    pub allowed: (u64, u64),
    /// Every size in the search window under every scheme.
    pub fits: Vec<BaseFit>,
    /// Expected number of fitting sizes in the window for random figures of the same
    /// precision, per scheme.
    pub expected_chance_hits: Vec<(Rounding, f64)>,
}

/// A test of one question option across every group that answered (more than two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTestRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Groups included (those with answers).
    pub groups: Vec<String>,
    /// `(successes, n)` per group.
    pub counts: Vec<(u64, u64)>,
    /// Pearson chi-square statistic.
    pub chi2: Option<f64>,
    /// Its p-value (`k - 1` degrees of freedom).
    pub chi2_p_value: Option<f64>,
    /// Exact Fisher-Freeman-Halton p-value (Monte Carlo estimate when the table is too
    /// large to enumerate; see `monte_carlo`).
    pub exact_p_value: Option<f64>,
    /// The Monte Carlo run behind `exact_p_value`, with its seed, when one was needed.
    pub monte_carlo: Option<(MonteCarloResult, u64)>,
    /// Rao-Scott F test p-value on the weighted table (studies with a weight column;
    /// R `svychisq(~answer + group)`, the design taken as the respondents answering).
    pub rao_scott_p_value: Option<f64>,
    /// Pairwise comparisons of the groups (adjusted over the pairs of this question).
    pub pairwise: Vec<Pairwise>,
    /// Significance letters per group: the groups (A, B, ...) this one is significantly
    /// higher than.
    pub letters: Vec<String>,
    /// Why a test is undefined, if one is.
    pub note: String,
    /// Some group's base is below the minimum base.
    pub small_base: bool,
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
                    option: o.code.clone(),
                    option_label: o.label.clone(),
                    group: gid,
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
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group_a: levels[a].id.clone(),
                        group_b: levels[b].id.clone(),
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
    let group_tests =
        if levels.len() > 2 { group_tests(codebook, table, &options) } else { Vec::new() };
    let figure_comparisons = figure_comparisons(codebook, table, &options);
    let question_tests = question_tests(codebook, table, &options);
    let base_recovery = base_recovery(codebook);
    let (weighted, weighted_comparisons) = if codebook.weight_column.is_some() {
        weighted_rows(codebook, table, &options)
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
        weighted,
        weighted_comparisons,
        suppressed: Vec::new(),
    };
    if let Some(threshold) = options.suppress_below {
        suppress(&mut results, codebook, table, threshold);
    }
    results
}

/// Removes the cells of groups answering a question on fewer than `threshold`
/// respondents from every table, with everything they could be recovered from: the
/// whole-sample row of a question with exactly one suppressed group (the total minus
/// the other groups would give it back), every comparison and test involving a
/// suppressed cell, and published-figure checks on it. The cells are listed in
/// [`AnalysisResults::suppressed`].
fn suppress(
    results: &mut AnalysisResults,
    codebook: &Codebook,
    table: &CountTable,
    threshold: u64,
) {
    let levels = &codebook.grouping.levels;
    // (question id, group id) pairs hidden.
    let mut hidden: Vec<(String, String)> = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        let small: Vec<usize> =
            (0..levels.len()).filter(|&g| table.questions[qi].answered(g) < threshold).collect();
        for &g in &small {
            hidden.push((q.id.clone(), levels[g].id.clone()));
            results.suppressed.push(SuppressedCell {
                question: q.id.clone(),
                group: levels[g].id.clone(),
                reason: format!("fewer than {threshold} respondents answered"),
            });
        }
        if small.len() == 1 {
            hidden.push((q.id.clone(), "all".into()));
            results.suppressed.push(SuppressedCell {
                question: q.id.clone(),
                group: "all".into(),
                reason: "with one group suppressed, the whole sample minus the other groups would reveal it".into(),
            });
        }
    }
    let is_hidden = |q: &str, g: &str| hidden.iter().any(|(hq, hg)| hq == q && hg == g);
    let question_hidden = |q: &str| hidden.iter().any(|(hq, _)| hq == q);
    results.results.retain(|r| !is_hidden(&r.question, &r.group));
    results
        .comparisons
        .retain(|c| !is_hidden(&c.question, &c.group_a) && !is_hidden(&c.question, &c.group_b));
    results.group_tests.retain(|t| !question_hidden(&t.question));
    results.question_tests.retain(|t| !question_hidden(&t.question));
    results.weighted.retain(|w| !is_hidden(&w.question, &w.group));
    results.weighted_comparisons.retain(|w| !question_hidden(&w.question));
    results.figures.retain(|f| !is_hidden(&f.question, &f.group));
    results.figure_comparisons.retain(|f| !question_hidden(&f.question));
}

/// Weighted estimates per option and group, and weighted two-group comparisons.
fn weighted_rows(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> (Vec<WeightedRow>, Vec<WeightedComparisonRow>) {
    let levels = &codebook.grouping.levels;
    let mut rows = Vec::new();
    let mut comparisons = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        // The design keeps every respondent: those who skipped the question, like those
        // in other groups, are outside the domain (R's na.rm = TRUE subsets the design).
        let total_n = table.total();
        for (oi, o) in q.reported_options() {
            let mut estimates = Vec::new();
            for (g, l) in levels.iter().enumerate() {
                let Ok(e) = weighted_proportion(&table.weighted_counts(qi, oi, g), total_n) else {
                    estimates.push(None);
                    continue;
                };
                let ci = weighted_ci(
                    &e,
                    options.weighted_ci_method,
                    options.level,
                    domain_df(table.respondents[g]),
                );
                rows.push(WeightedRow {
                    question: q.id.clone(),
                    option: o.code.clone(),
                    group: l.id.clone(),
                    n: e.n,
                    estimate: e.estimate,
                    se: e.se,
                    effective_n: e.effective_n,
                    deff_kish: e.deff_kish,
                    deff_replace: e.deff_replace,
                    ci_lower: ci.interval.lower,
                    ci_upper: ci.interval.upper,
                    ci_method: options.weighted_ci_method.name().into(),
                    boundary: ci.boundary,
                    small_base: e.n < options.min_base,
                });
                estimates.push(Some(e));
            }
            if let [Some(a), Some(b)] = estimates.as_slice() {
                let rs =
                    rao_scott(&table.weighted_counts(qi, oi, 0), &table.weighted_counts(qi, oi, 1))
                        .ok();
                let d = weighted_difference(a, b, options.level, total_n as f64 - 1.0);
                let z = if d.se > 0.0 { d.estimate / d.se } else { 0.0 };
                comparisons.push(WeightedComparisonRow {
                    question: q.id.clone(),
                    option: o.code.clone(),
                    difference: d.estimate,
                    se: d.se,
                    wald_lower: d.wald_t.lower,
                    wald_upper: d.wald_t.upper,
                    newcombe_effective_lower: d.newcombe_effective.lower,
                    newcombe_effective_upper: d.newcombe_effective.upper,
                    p_value: normal_p_value(z, Alternative::TwoSided).p,
                    rao_scott_p_value: rs.map(|r| r.f_p_value),
                    small_base: a.n < options.min_base || b.n < options.min_base,
                });
            }
        }
    }
    (rows, comparisons)
}

/// Ranges of the comparison of each pair of group figures.
fn figure_comparisons(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<FigureComparison> {
    if codebook.grouping.levels.len() != 2 {
        return Vec::new();
    }
    let mut rows = Vec::new();
    for f1 in codebook.figures.iter().filter(|f| f.group == GroupRef::Level(0)) {
        let Some(f2) =
            codebook.figures.iter().find(|f| f.group == GroupRef::Level(1) && f.item == f1.item)
        else {
            continue;
        };
        let (qi, oi) = (f1.item.question, f1.item.option);
        let (_, n1) = table.option_counts(qi, oi, Some(0));
        let (_, n2) = table.option_counts(qi, oi, Some(1));
        let range = comparison_range(
            (&f1.printed, n1),
            (&f2.printed, n2),
            codebook.rounding(),
            options.difference_method,
            options.test,
            options.level,
        );
        rows.push(FigureComparison {
            label: f1.label.clone(),
            question: codebook.questions[qi].id.clone(),
            option: codebook.questions[qi].options[oi].code.clone(),
            first: (f1.printed.text.clone(), n1),
            second: (f2.printed.text.clone(), n2),
            note: range.as_ref().err().map(ToString::to_string).unwrap_or_default(),
            range: range.ok(),
        });
    }
    rows
}

/// Which sizes fit each group's figures, for groups with a published approximate size.
fn base_recovery(codebook: &Codebook) -> Vec<BaseRecovery> {
    let mut out = Vec::new();
    for (g, l) in codebook.grouping.levels.iter().enumerate() {
        let Some(w) = &l.published_size else { continue };
        let (lo, hi) = w.search;
        let group = GroupRef::Level(g);
        let all: Vec<Figure> = codebook.figures_by_question(group).into_iter().flatten().collect();
        let mut fits = Vec::new();
        let mut chance = Vec::new();
        for rounding in Rounding::ALL {
            for n in lo..=hi {
                let fit = all.iter().all(|f| counts(f, n, rounding).is_some());
                let missing = codebook.missing_needed(group, n, rounding);
                fits.push(BaseFit { rounding, n, fits: fit, missing_needed: missing });
            }
            chance.push((rounding, expected_chance_hits(&all, lo..=hi, rounding)));
        }
        out.push(BaseRecovery {
            group: l.id.clone(),
            phrase: w.phrase.clone(),
            allowed: (w.min, w.max),
            fits,
            expected_chance_hits: chance,
        });
    }
    out
}

/// Chi-square and exact tests across every group with answers, per option.
/// Answers x groups tests for the single-choice questions.
fn question_tests(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<QuestionTestRow> {
    codebook
        .questions
        .iter()
        .zip(&table.questions)
        .filter(|(q, _)| q.kind == QuestionKind::SingleChoice)
        .map(|(q, counts)| {
            let t: Vec<Vec<u64>> = (0..q.options.len())
                .map(|o| (0..table.groups).map(|g| counts.count(o, g)).collect())
                .collect();
            let chi = chi_square_rc(&t);
            // Enumerated when the number of tables is surely within the limit (a rare
            // answer keeps it small); otherwise simulated if an expected count is small,
            // or left to the chi-square test.
            let exact = match rc_tables_upper_bound(&t) {
                bound if bound > MAX_EXACT_TABLES => {
                    Err(Undefined::TooLarge { tables: bound, limit: MAX_EXACT_TABLES })
                }
                _ => fisher_freeman_halton_rc(&t),
            };
            let monte_carlo = monte_carlo_when_needed(&exact, &t, options.seed, |rng| {
                fisher_freeman_halton_rc_monte_carlo(&t, MONTE_CARLO_REPLICATES, rng).ok()
            });
            let note = test_note(&chi, &exact, monte_carlo);
            let weighted = codebook.weight_column.is_some().then(|| {
                let per = |a: &ndarray::Array2<f64>| -> Vec<Vec<f64>> {
                    a.rows().into_iter().map(|r| r.to_vec()).collect()
                };
                let n = counts.counts.sum();
                rao_scott_rc(&per(&counts.weights), &per(&counts.weights_sq), n)
            });
            QuestionTestRow {
                question: q.id.clone(),
                chi2: chi.as_ref().ok().and_then(|t| t.statistic),
                chi2_p_value: chi.as_ref().ok().map(|t| t.p_value.p),
                exact_p_value: exact_or_monte_carlo(&exact, monte_carlo),
                monte_carlo,
                rao_scott_p_value: weighted.and_then(|r| r.ok()).map(|r| r.f_p_value),
                table: t,
                note,
                small_base: (0..table.groups).any(|g| counts.answered(g) < options.min_base),
            }
        })
        .collect()
}

/// The exact p-value, or its Monte Carlo estimate when the table was too large.
fn exact_or_monte_carlo(
    exact: &Maybe<TestResult>,
    monte_carlo: Option<(MonteCarloResult, u64)>,
) -> Option<f64> {
    exact.as_ref().ok().map(|t| t.p_value.p).or(monte_carlo.map(|(m, _)| m.p_value))
}

/// How a Monte Carlo exact test is reported: tables drawn, seed, standard error.
fn monte_carlo_note(m: &MonteCarloResult, seed: u64) -> String {
    format!(
        "exact test by Monte Carlo: {} tables, seed {seed}, standard error {:.2e}",
        m.replicates, m.standard_error
    )
}

/// Tables drawn when an exact test is too large to enumerate.
pub const MONTE_CARLO_REPLICATES: u64 = 100_000;

/// Below this smallest expected count the chi-square approximation is doubtful
/// (Cochran's rule); a table too large to enumerate then gets a Monte Carlo exact test.
pub const COCHRAN_MIN_EXPECTED: f64 = 5.0;

/// For a table the exact test could not enumerate: a seeded Monte Carlo estimate when
/// some expected count is below [`COCHRAN_MIN_EXPECTED`], and none otherwise, where
/// the chi-square test applies (a million respondents would otherwise cost seconds of
/// simulation per question for a p-value the chi-square test already gives).
fn monte_carlo_when_needed(
    exact: &Maybe<TestResult>,
    table: &[Vec<u64>],
    seed: u64,
    draw: impl FnOnce(&mut rand_chacha::ChaCha8Rng) -> Option<MonteCarloResult>,
) -> Option<(MonteCarloResult, u64)> {
    if !matches!(exact, Err(Undefined::TooLarge { .. }))
        || min_expected_count(table).is_none_or(|m| m >= COCHRAN_MIN_EXPECTED)
    {
        return None;
    }
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    draw(&mut rng).map(|m| (m, seed))
}

/// What the report says of a chi-square and exact test pair: why the chi-square test is
/// undefined, if it is, and the Monte Carlo draws and seed, or why there is no exact
/// p-value.
fn test_note(
    chi: &Maybe<TestResult>,
    exact: &Maybe<TestResult>,
    monte_carlo: Option<(MonteCarloResult, u64)>,
) -> String {
    let exact_note = match (exact, monte_carlo) {
        (_, Some((m, seed))) => Some(monte_carlo_note(&m, seed)),
        (Err(e @ Undefined::TooLarge { .. }), None) => Some(format!(
            "{e}; every expected count is at least {COCHRAN_MIN_EXPECTED}, so the chi-square test applies"
        )),
        (Err(e), None) => Some(e.to_string()),
        (Ok(_), None) => None,
    };
    [chi.as_ref().err().map(ToString::to_string), exact_note]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

fn group_tests(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<GroupTestRow> {
    let mut rows = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        for (oi, o) in q.reported_options() {
            let mut groups = Vec::new();
            let mut props = Vec::new();
            let mut weighted = Vec::new();
            for (g, l) in codebook.grouping.levels.iter().enumerate() {
                let (k, n) = table.option_counts(qi, oi, Some(g));
                if let Ok(p) = Proportion::new(k, n) {
                    groups.push(l.id.clone());
                    props.push(p);
                    weighted.push(table.weighted_counts(qi, oi, g));
                }
            }
            if props.len() < 2 {
                continue;
            }
            let chi = chi_square(&props);
            let exact = fisher_freeman_halton(&props);
            let table = [
                props.iter().map(|p| p.successes).collect(),
                props.iter().map(|p| p.n - p.successes).collect(),
            ];
            let monte_carlo = monte_carlo_when_needed(&exact, &table, options.seed, |rng| {
                Some(fisher_freeman_halton_monte_carlo(&props, MONTE_CARLO_REPLICATES, rng))
            });
            let (pairwise, letters) = pairwise_letters(
                &props,
                options.test,
                options.adjustment,
                1.0 - options.level.value(),
            );
            let note = test_note(&chi, &exact, monte_carlo);
            let rao_scott_p_value = codebook
                .weight_column
                .is_some()
                .then(|| {
                    let row = |f: fn(&WeightedCounts) -> f64| weighted.iter().map(f).collect();
                    rao_scott_rc(
                        &[row(|c| c.w_yes), row(|c| c.w_no)],
                        &[row(|c| c.w2_yes), row(|c| c.w2_no)],
                        weighted.iter().map(|c| c.n).sum(),
                    )
                    .ok()
                    .map(|r| r.f_p_value)
                })
                .flatten();
            rows.push(GroupTestRow {
                question: q.id.clone(),
                option: o.code.clone(),
                groups,
                counts: props.iter().map(|p| (p.successes, p.n)).collect(),
                chi2: chi.as_ref().ok().and_then(|t| t.statistic),
                chi2_p_value: chi.as_ref().ok().map(|t| t.p_value.p),
                exact_p_value: exact_or_monte_carlo(&exact, monte_carlo),
                monte_carlo,
                rao_scott_p_value,
                pairwise,
                letters,
                note,
                small_base: props.iter().any(|p| p.n < options.min_base),
            });
        }
    }
    rows
}

/// Each published figure against the data.
pub fn check_figures(codebook: &Codebook, table: &CountTable, min_base: u64) -> Vec<FigureCheck> {
    let rounding = codebook.rounding();
    codebook
        .figures
        .iter()
        .map(|f| {
            let (k, n) = table.option_counts(f.item.question, f.item.option, f.group.level());
            let range = counts(&f.printed, n, rounding).filter(|_| n > 0);
            let consistent: Vec<u64> = range
                .clone()
                .filter(|r| r.end() - r.start() < MAX_LISTED_FIGURE_COUNTS)
                .map(|r| r.collect())
                .unwrap_or_default();
            let reproduced = range.as_ref().is_some_and(|r| r.contains(&k));
            FigureCheck {
                id: f.id.clone(),
                label: f.label.clone(),
                question: codebook.item_question(f.item).id.clone(),
                option: codebook.item_option(f.item).code.clone(),
                group: codebook.group_id(f.group).to_string(),
                printed: f.printed.text.clone(),
                quote: f.quote.clone(),
                successes: k,
                n,
                estimate: (n > 0).then(|| k as f64 / n as f64),
                reproduced,
                consistent_counts: consistent,
                consistent_range: range.map(|r| (*r.start(), *r.end())),
                small_base: n < min_base,
            }
        })
        .collect()
}
