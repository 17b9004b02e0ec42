//! Weighted shares of every answer in every group, as domains of the whole sample, and
//! weighted comparisons of two groups (see [`crate::stats::weighted`]).

use super::AnalysisOptions;
use crate::codebook::Codebook;
use crate::stats::one_sample::wald_p_value;
use crate::stats::weighted::{
    domain_df, rao_scott, weighted_ci, weighted_difference, weighted_proportion,
};
use crate::tabulate::CountTable;
use serde::Serialize;

/// A weighted share of a question option in a group, as a domain of the whole sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedRow {
    /// Question id.
    pub question: String,
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// Group id.
    pub group: String,
    /// Group label (`Everyone` for the whole sample).
    pub group_label: String,
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
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
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

/// Weighted estimates per option and group, and weighted two-group comparisons.
pub(super) fn weighted_rows(
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
                    question_label: q.display_label().to_string(),
                    option: o.code.clone(),
                    option_label: o.label.clone(),
                    group: l.id.clone(),
                    group_label: l.label.clone(),
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
                comparisons.push(WeightedComparisonRow {
                    question: q.id.clone(),
                    question_label: q.display_label().to_string(),
                    option: o.code.clone(),
                    option_label: o.label.clone(),
                    difference: d.estimate,
                    se: d.se,
                    wald_lower: d.wald_t.lower,
                    wald_upper: d.wald_t.upper,
                    newcombe_effective_lower: d.newcombe_effective.lower,
                    newcombe_effective_upper: d.newcombe_effective.upper,
                    p_value: wald_p_value(d.estimate, d.se).p,
                    rao_scott_p_value: rs.map(|r| r.f_p_value),
                    small_base: a.n < options.min_base || b.n < options.min_base,
                });
            }
        }
    }
    (rows, comparisons)
}
