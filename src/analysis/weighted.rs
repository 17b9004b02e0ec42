//! Weighted shares of every answer in every group, as domains of the whole sample, and
//! weighted comparisons of two groups (see [`crate::stats::weighted`]).

use super::AnalysisOptions;
use crate::codebook::Codebook;
use crate::stats::design::Ratio;
use crate::stats::one_sample::wald_p_value;
use crate::stats::weighted::{
    RaoScott, WeightedEstimate, rao_scott_design, weighted_ci, weighted_difference,
    weighted_proportion,
};
use crate::stats::{Maybe, Undefined};
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
    /// Degrees of freedom of the interval (R `degf` of the group's subset design).
    pub df: f64,
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

/// The design-based shares of a question's answers in each group, with their
/// covariance: the share of answer `o` in group `g` is ratio `o * groups + g`. `None`
/// for a ratio when nobody in the group answered.
pub(crate) struct QuestionShares {
    /// The covariance of every share (missing ones left out of the matrix), or why the
    /// design gives none.
    pub covariance:
        Result<crate::stats::design::RatioCovariance, crate::stats::design::DesignError>,
    /// Position of each `(option, group)` share in the covariance, if it exists.
    pub position: Vec<Option<usize>>,
    /// Per share, the replicates' variance of its log odds (replicate designs only).
    pub logit_variance: Vec<Option<f64>>,
    /// The question's design.
    pub design: crate::stats::design::Design,
}

impl QuestionShares {
    /// Shares of every answer of question `qi` in every group under the table's design.
    pub fn of(codebook: &Codebook, table: &CountTable, qi: usize) -> Self {
        let groups = table.groups;
        let counts = &table.questions[qi];
        let options = counts.counts.nrows();
        let totals = table.cell_totals(qi);
        let mut ratios = Vec::new();
        let mut position = Vec::new();
        for o in 0..options {
            for g in 0..groups {
                let denominator: Vec<usize> = (0..options).map(|x| x * groups + g).collect();
                let answered: f64 = denominator.iter().map(|&c| totals[c]).sum();
                if answered > 0.0 {
                    position.push(Some(ratios.len()));
                    ratios.push(Ratio { numerator: vec![o * groups + g], denominator });
                } else {
                    position.push(None);
                }
            }
        }
        let design = table.question_design(codebook, qi);
        let covariance = design.ratios(&totals, &ratios);
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let logit_variance =
            ratios.iter().map(|r| design.replicate_variance_of(&totals, r, logit)).collect();
        QuestionShares { covariance, position, logit_variance, design }
    }

    /// The covariance of the shares `(oa, ga)` and `(ob, gb)`.
    pub fn cov(
        &self,
        groups: usize,
        (oa, ga): (usize, usize),
        (ob, gb): (usize, usize),
    ) -> Option<f64> {
        let c = self.covariance.as_ref().ok()?;
        let i = self.position[oa * groups + ga]?;
        let j = self.position[ob * groups + gb]?;
        Some(c.covariance[i][j])
    }

    /// The share `(o, g)` as an estimate: `e` with the design's variance.
    pub fn estimate(
        &self,
        groups: usize,
        (o, g): (usize, usize),
        e: WeightedEstimate,
    ) -> Option<WeightedEstimate> {
        let var = self.cov(groups, (o, g), (o, g))?;
        let i = self.position[o * groups + g]?;
        // A subset of a calibrated design keeps every row (at weight 0) in R, so the
        // beta interval's `nrow(design)` is the whole sample's.
        let calibrated = matches!(
            &self.design,
            crate::stats::design::Design::Linearised(l) if l.calibration.is_some()
        );
        let rows = if calibrated { e.total_n } else { e.rows };
        Some(WeightedEstimate {
            logit_variance: self.logit_variance[i],
            rows,
            ..e.with_variance(var)
        })
    }
}

/// Weighted estimates per option and group, and weighted two-group comparisons.
pub(super) fn weighted_rows(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> (Vec<WeightedRow>, Vec<WeightedComparisonRow>) {
    let levels = &codebook.grouping.levels;
    let groups = table.groups;
    let mut rows = Vec::new();
    let mut comparisons = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        // The design keeps every respondent: those who skipped the question, like those
        // in other groups, are outside the domain (R's na.rm = TRUE subsets the design).
        let total_n = table.total();
        let shares = QuestionShares::of(codebook, table, qi);
        for (oi, o) in q.reported_options() {
            let mut estimates = Vec::new();
            for (g, l) in levels.iter().enumerate() {
                let Some(e) = weighted_proportion(&table.weighted_counts(qi, oi, g), total_n)
                    .ok()
                    .and_then(|e| shares.estimate(groups, (oi, g), e))
                else {
                    estimates.push(None);
                    continue;
                };
                let ci = weighted_ci(
                    &e,
                    options.weighted_ci_method,
                    options.level,
                    table.design_df(Some(g)),
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
                    df: table.design_df(Some(g)),
                    boundary: ci.boundary,
                    small_base: e.n < options.min_base,
                });
                estimates.push(Some(e));
            }
            if let [Some(a), Some(b)] = estimates.as_slice() {
                let rs = two_by_two(codebook, table, qi, oi).ok();
                let mut d = weighted_difference(a, b, options.level, table.design_df(None));
                if let Some(ab) = shares.cov(groups, (oi, 0), (oi, 1)) {
                    d = d.with_covariance(ab, options.level, table.design_df(None));
                }
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

/// The covariance of the shares of a question's answered cells, each over all answered
/// cells (R's `svymean` of the cell indicators with `na.rm = TRUE`), for `cells` given
/// as lists of the question's `option * groups + group` cells.
fn cell_share_covariance(
    codebook: &Codebook,
    table: &CountTable,
    qi: usize,
    cells: &[Vec<usize>],
) -> Option<Vec<Vec<f64>>> {
    let all: Vec<usize> = cells.iter().flatten().copied().collect();
    let ratios: Vec<Ratio> =
        cells.iter().map(|c| Ratio { numerator: c.clone(), denominator: all.clone() }).collect();
    let totals = table.cell_totals(qi);
    table.question_design(codebook, qi).ratios(&totals, &ratios).ok().map(|r| r.covariance)
}

/// The Rao-Scott test of answers x groups for question `qi` under the table's design:
/// R `svychisq(~answer + group, design)`, the whole sample as the design.
pub(crate) fn rao_scott_question(
    codebook: &Codebook,
    table: &CountTable,
    qi: usize,
) -> Maybe<RaoScott> {
    let counts = &table.questions[qi];
    let (options, groups) = counts.weights.dim();
    let cells: Vec<Vec<usize>> =
        (0..options).flat_map(|o| (0..groups).map(move |g| vec![o * groups + g])).collect();
    let w: Vec<Vec<f64>> = counts.weights.rows().into_iter().map(|r| r.to_vec()).collect();
    let v = cell_share_covariance(codebook, table, qi, &cells)
        .ok_or(Undefined::Degenerate("the design gives no variance for this question"))?;
    rao_scott_design(&w, &v, table.total() as f64, table.design_df(None))
}

/// The Rao-Scott test of one answer (chosen or not) against the groups `groups` of
/// question `qi`.
pub(crate) fn rao_scott_answer(
    codebook: &Codebook,
    table: &CountTable,
    qi: usize,
    oi: usize,
    groups: &[usize],
) -> Maybe<RaoScott> {
    let counts = &table.questions[qi];
    let (options, all_groups) = counts.weights.dim();
    let chosen: Vec<Vec<usize>> = groups.iter().map(|&g| vec![oi * all_groups + g]).collect();
    let other: Vec<Vec<usize>> = groups
        .iter()
        .map(|&g| (0..options).filter(|&o| o != oi).map(|o| o * all_groups + g).collect())
        .collect();
    let cells: Vec<Vec<usize>> = chosen.iter().chain(&other).cloned().collect();
    let totals = table.cell_totals(qi);
    let sum = |c: &Vec<usize>| c.iter().map(|&x| totals[x]).sum::<f64>();
    let w = vec![chosen.iter().map(sum).collect(), other.iter().map(sum).collect()];
    let v = cell_share_covariance(codebook, table, qi, &cells)
        .ok_or(Undefined::Degenerate("the design gives no variance for this question"))?;
    rao_scott_design(&w, &v, table.total() as f64, table.design_df(None))
}

fn two_by_two(codebook: &Codebook, table: &CountTable, qi: usize, oi: usize) -> Maybe<RaoScott> {
    rao_scott_answer(codebook, table, qi, oi, &[0, 1])
}
