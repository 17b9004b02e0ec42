//! Several survey waves of one codebook: per group and answer, the change since the
//! previous wave with its interval and test, a trend test across three or more waves,
//! and the change of the gap between the first two groups (difference in differences).
//!
//! Waves are independent samples unless they share respondents (a panel; see below).
//! Changes use Newcombe's interval and the analysis's
//! two-group test (Fisher by default); the trend test is Cochran-Armitage on the wave
//! order; the gap change is a Wald interval with binomial standard errors.
//!
//! When the codebook names a weight column, the same comparisons are made on weighted
//! shares, the waves stacked as a design stratified by wave (R survey
//! `svydesign(ids = ~1, strata = ~wave, weights = ~w)`): each group a domain of its
//! wave, changes and gap changes as contrasts of domain means (`svyby(covmat = TRUE)` +
//! `svycontrast`), and the trend as the slope of a weighted logistic regression on the
//! wave score (`svyglm(y ~ wave, family = quasibinomial)`).
//!
//! The weighted change between waves of a panel takes the covariance of the two waves:
//! without a declared design, the waves stacked with the respondents as clusters; under
//! a declared design, the waves stacked with their strata, clusters and replicates
//! matched by code, and without clusters the respondents as the PSUs of their strata
//! ([`stacked_question_design`]). Under weighting the waves stay independent.

use super::AnalysisOptions;
use super::weighted::QuestionShares;
use crate::codebook::Codebook;
use crate::stats::ci::proportion_ci;
use crate::stats::difference::difference_ci;
use crate::stats::one_sample::wald_p_value;
use crate::stats::significance::two_group_test;
use crate::stats::trend::{binomial_se, cochran_armitage, difference_in_differences};
use crate::stats::weighted::{
    TrendWave, WeightedEstimate, weighted_ci, weighted_difference, weighted_proportion,
    weighted_trend, weighted_trend_replicates,
};
use crate::stats::{Alternative, Proportion, TwoGroups};
use crate::tabulate::Wave;
use crate::tabulate::design::stacked_question_design;
use serde::Serialize;

/// A group's answer in one wave, with the change since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveRow {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Answer label.
    pub option_label: String,
    /// Group id.
    pub group: String,
    /// Group label.
    pub group_label: String,
    /// Wave label.
    pub wave: String,
    /// Respondents choosing the option.
    pub successes: u64,
    /// Respondents answering.
    pub n: u64,
    /// Share.
    pub estimate: f64,
    /// Interval.
    pub ci_lower: f64,
    /// Interval.
    pub ci_upper: f64,
    /// Change since the previous wave (this minus previous).
    pub change: Option<f64>,
    /// Interval of the change.
    pub change_lower: Option<f64>,
    /// Interval of the change.
    pub change_upper: Option<f64>,
    /// Two-sided p-value of the change.
    pub change_p_value: Option<f64>,
    /// Adjusted over every change of the comparison (the analysis's adjustment).
    pub change_p_adjusted: Option<f64>,
    /// The adjusted p-value is below 1 - level.
    pub significant: bool,
    /// The base is below the minimum base.
    pub small_base: bool,
}

/// A trend test across all waves for a group's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Answer label.
    pub option_label: String,
    /// Group id.
    pub group: String,
    /// Group label.
    pub group_label: String,
    /// Cochran-Armitage chi-square (1 df), scores 1, 2, ... in wave order.
    pub statistic: Option<f64>,
    /// Its p-value.
    pub p_value: Option<f64>,
    /// Adjusted over every trend of the comparison.
    pub p_adjusted: Option<f64>,
    /// The adjusted p-value is below 1 - level.
    pub significant: bool,
}

/// The change of the gap between the first two groups since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Answer label.
    pub option_label: String,
    /// Wave label.
    pub wave: String,
    /// Gap (group 1 minus group 2) in this wave.
    pub gap: f64,
    /// Gap in the previous wave.
    pub previous_gap: f64,
    /// Difference in differences.
    pub change: f64,
    /// Wald interval.
    pub ci_lower: f64,
    /// Wald interval.
    pub ci_upper: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Adjusted over every gap change of the comparison.
    pub p_adjusted: Option<f64>,
    /// The adjusted p-value is below 1 - level.
    pub significant: bool,
}

/// A group's weighted share in one wave, with the change since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedWaveRow {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Answer label.
    pub option_label: String,
    /// Group id.
    pub group: String,
    /// Group label.
    pub group_label: String,
    /// Wave label.
    pub wave: String,
    /// Respondents answering.
    pub n: u64,
    /// Weighted share.
    pub estimate: f64,
    /// Its standard error, the group a domain of its wave.
    pub se: f64,
    /// Kish's effective sample size.
    pub effective_n: f64,
    /// Kish's design effect due to weighting.
    pub deff_kish: f64,
    /// R `deff = "replace"` design effect.
    pub deff_replace: Option<f64>,
    /// Degrees of freedom of the interval (R `degf` of the group's subset of its wave).
    pub df: f64,
    /// Interval (the analysis's weighted interval method).
    pub ci_lower: f64,
    /// Interval.
    pub ci_upper: f64,
    /// True when the share is 0 or 1 and the interval is the flagged exact bound.
    pub boundary: bool,
    /// Change since the previous wave (this minus previous).
    pub change: Option<f64>,
    /// Its standard error (independent waves: the variances add).
    pub change_se: Option<f64>,
    /// Wald interval of the change (normal quantile, as R `confint(svycontrast())`).
    pub change_lower: Option<f64>,
    /// Wald interval of the change.
    pub change_upper: Option<f64>,
    /// Newcombe's interval of the change on the Kish effective sample sizes.
    pub change_newcombe_effective_lower: Option<f64>,
    /// Newcombe's interval of the change on the Kish effective sample sizes.
    pub change_newcombe_effective_upper: Option<f64>,
    /// Two-sided p-value of the Wald z test of the change.
    pub change_p_value: Option<f64>,
    /// Adjusted over every weighted change of the comparison.
    pub change_p_adjusted: Option<f64>,
    /// The adjusted p-value is below 1 - level.
    pub significant: bool,
    /// The base is below the minimum base.
    pub small_base: bool,
}

/// A weighted trend across all waves for a group's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedTrendRow {
    /// Question id.
    pub question: String,
    /// Question label.
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Answer label.
    pub option_label: String,
    /// Group id.
    pub group: String,
    /// Group label.
    pub group_label: String,
    /// Slope of the log odds per wave (scores 1, 2, ... in wave order).
    pub slope: Option<f64>,
    /// Its design-based standard error.
    pub se: Option<f64>,
    /// Residual degrees of freedom of the t test.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// Adjusted over every weighted trend of the comparison.
    pub p_adjusted: Option<f64>,
    /// The adjusted p-value is below 1 - level.
    pub significant: bool,
    /// Why the trend is undefined, when it is.
    pub note: Option<String>,
}

/// The comparison of several waves.
#[derive(Debug, Clone, Serialize)]
pub struct WavesResults {
    /// Options used.
    pub options: AnalysisOptions,
    /// The waves, in order.
    pub waves: Vec<Wave>,
    /// Per wave, group and answer.
    pub rows: Vec<WaveRow>,
    /// Trend tests (three or more waves).
    pub trends: Vec<TrendRow>,
    /// Gap changes (two or more groups).
    pub gaps: Vec<GapRow>,
    /// Weighted shares and changes (empty without a weight column).
    pub weighted_rows: Vec<WeightedWaveRow>,
    /// Weighted trends (three or more waves, weighted).
    pub weighted_trends: Vec<WeightedTrendRow>,
    /// Weighted gap changes (two or more groups, weighted).
    pub weighted_gaps: Vec<GapRow>,
    /// Each wave's test of multiple marginal independence of each multi-response
    /// question, as `(wave label, test)`.
    pub multi_response_tests: Vec<(String, super::MultiResponseTestRow)>,
}

/// Compares the waves.
pub fn compare_waves(
    codebook: &Codebook,
    waves: Vec<Wave>,
    options: AnalysisOptions,
) -> WavesResults {
    let levels = &codebook.grouping.levels;
    let mut rows = Vec::new();
    let mut trends = Vec::new();
    let mut gaps = Vec::new();
    let two = Alternative::TwoSided;
    for (qi, q) in codebook.questions.iter().enumerate() {
        for (oi, o) in q.reported_options() {
            let per = |w: &Wave, g: usize| {
                let (k, n) = w.table.option_counts(qi, oi, Some(g));
                if options.suppresses(n) {
                    return None;
                }
                Proportion::new(k, n).ok()
            };
            for (g, l) in levels.iter().enumerate() {
                let mut series = Vec::new();
                for (i, w) in waves.iter().enumerate() {
                    let Some(p) = per(w, g) else { continue };
                    let ci = proportion_ci(p, options.ci_method, options.level, two);
                    let previous = if i > 0 { per(&waves[i - 1], g) } else { None };
                    let change = previous.map(|prev| {
                        let pair = TwoGroups { first: p, second: prev };
                        let ci =
                            difference_ci(&pair, options.difference_method, options.level, two);
                        let test =
                            two_group_test(&pair, options.test, two).ok().map(|t| t.p_value.p);
                        (pair.difference(), ci, test)
                    });
                    rows.push(WaveRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group: l.id.clone(),
                        group_label: l.label.clone(),
                        wave: w.label.clone(),
                        successes: p.successes,
                        n: p.n,
                        estimate: p.estimate(),
                        ci_lower: ci.lower,
                        ci_upper: ci.upper,
                        change: change.map(|c| c.0),
                        change_lower: change.map(|c| c.1.lower),
                        change_upper: change.map(|c| c.1.upper),
                        change_p_value: change.and_then(|c| c.2),
                        change_p_adjusted: None,
                        significant: false,
                        small_base: options.is_small(p.successes, p.n),
                    });
                    series.push((i as f64 + 1.0, p));
                }
                if waves.len() >= 3 && series.len() >= 3 {
                    let samples: Vec<Proportion> = series.iter().map(|s| s.1).collect();
                    let scores: Vec<f64> = series.iter().map(|s| s.0).collect();
                    let t = cochran_armitage(&samples, &scores).ok();
                    trends.push(TrendRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group: l.id.clone(),
                        group_label: l.label.clone(),
                        statistic: t.and_then(|t| t.statistic),
                        p_value: t.map(|t| t.p_value.p),
                        p_adjusted: None,
                        significant: false,
                    });
                }
            }
            if levels.len() >= 2 {
                for i in 1..waves.len() {
                    let (Some(a1), Some(b1), Some(a0), Some(b0)) = (
                        per(&waves[i], 0),
                        per(&waves[i], 1),
                        per(&waves[i - 1], 0),
                        per(&waves[i - 1], 1),
                    ) else {
                        continue;
                    };
                    let e = |p: Proportion| (p.estimate(), binomial_se(&p));
                    let did = difference_in_differences(
                        [e(a1), e(b1)],
                        [e(a0), e(b0)],
                        [0.0; 2],
                        options.level,
                    );
                    gaps.push(GapRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        wave: waves[i].label.clone(),
                        gap: a1.estimate() - b1.estimate(),
                        previous_gap: a0.estimate() - b0.estimate(),
                        change: did.estimate,
                        ci_lower: did.interval.lower,
                        ci_upper: did.interval.upper,
                        p_value: did.p_value.p,
                        p_adjusted: None,
                        significant: false,
                    });
                }
            }
        }
    }
    let (weighted_rows, weighted_trends, weighted_gaps) = if codebook.weighted() {
        weighted_comparisons(codebook, &waves, &options)
    } else {
        Default::default()
    };
    let multi_response_tests = waves
        .iter()
        .flat_map(|w| {
            super::multi_response::multi_response_tests(codebook, &w.table, &options)
                .into_iter()
                .filter(|t| {
                    // As the per-wave shares: no test on a group too small to show.
                    !t.respondents.iter().any(|&n| n > 0 && options.suppresses(n))
                })
                .map(|t| (w.label.clone(), t))
        })
        .collect();
    let mut results = WavesResults {
        options,
        waves,
        rows,
        trends,
        gaps,
        weighted_rows,
        weighted_trends,
        weighted_gaps,
        multi_response_tests,
    };
    results.adjust();
    results
}

/// Under a declared linearised design, the covariance of a group's weighted totals
/// answering `oi` and answering otherwise in one wave, and the group's degrees of
/// freedom there (see [`TrendWave::design`]).
fn trend_design(
    shares: &QuestionShares,
    table: &crate::tabulate::CountTable,
    qi: usize,
    oi: usize,
    g: usize,
) -> Option<([f64; 3], f64)> {
    table.design.as_ref()?;
    let crate::stats::design::Design::Linearised(design) = &shares.design else {
        return None;
    };
    let (options, groups) = table.questions[qi].weights.dim();
    let mut yes = vec![0.0; options * groups];
    let mut no = vec![0.0; options * groups];
    for o in 0..options {
        if o == oi {
            yes[o * groups + g] = 1.0;
        } else {
            no[o * groups + g] = 1.0;
        }
    }
    let v = design.covariance(&[yes, no]).ok()?;
    Some(([v[0][0], v[0][1], v[1][1]], table.design.as_ref()?.answering_df(qi, g)?))
}

/// Under replicate weights, what the trend of share `(oi, g)` refits: per replicate, per
/// wave, the group's weighted totals answering `oi` and answering otherwise; the
/// replicates' scales; and the trend's degrees of freedom, R's `degf` of the group's
/// subset of the stacked waves (the rank of its respondents' replicate weights, less
/// one) less one for the slope. `None` for any other design; an error naming the wave
/// whose table lacks the replicates' totals (rather than a trend on another design).
fn replicate_trend_data<'s>(
    waves: &[Wave],
    shares: &'s [QuestionShares],
    qi: usize,
    oi: usize,
    g: usize,
) -> Option<Result<ReplicateTrend<'s>, String>> {
    use crate::stats::design::{Design, RowSpan};
    if !shares.iter().any(|s| matches!(s.design, Design::Replicates(_))) {
        return None;
    }
    let mut span = RowSpan::default();
    let mut per_wave = Vec::new();
    let mut scales = None;
    for (w, s) in waves.iter().zip(shares) {
        let missing = || format!("wave {} has no replicate-weight totals", w.label);
        let Design::Replicates(rep) = &s.design else { return Some(Err(missing())) };
        let Some(group_span) = w.table.design.as_ref().and_then(|d| d.spans.get(g)) else {
            return Some(Err(missing()));
        };
        span.merge(group_span);
        let (options, groups) = w.table.questions[qi].weights.dim();
        let yes_no = |t: &Vec<f64>| {
            let at = |o: usize| t.get(o * groups + g).copied().unwrap_or(0.0);
            [at(oi), (0..options).filter(|&o| o != oi).map(at).sum()]
        };
        per_wave.push(rep.totals.iter().map(yes_no).collect::<Vec<_>>());
        scales = Some(&rep.scales);
    }
    let scales = scales?;
    let replicates = (0..scales.rscales.len())
        .map(|r| per_wave.iter().map(|w| w.get(r).copied().unwrap_or([0.0; 2])).collect())
        .collect();
    Some(Ok(ReplicateTrend { replicates, scales, df: span.rank() as f64 - 2.0 }))
}

/// What a trend under replicate weights refits (see [`replicate_trend_data`]).
struct ReplicateTrend<'s> {
    /// Per replicate, per wave: the weighted totals answering the option and otherwise.
    replicates: Vec<Vec<[f64; 2]>>,
    /// How the replicates combine.
    scales: &'s crate::stats::design::ReplicateScales,
    /// The trend's degrees of freedom.
    df: f64,
}

/// The variance of the change of share `(oi, g)` from wave `before` to wave `now` when
/// they share respondents (a panel), and its degrees of freedom: the waves stacked as one
/// design whose PSUs are the respondents (R `svydesign(ids = ~id, weights = ~w)` on all
/// the waves, `svyby(covmat = TRUE)` + `svycontrast`), `n / (n - 1)` times the sum over
/// respondents of the squared difference of their influences in the two waves, `n` the
/// distinct respondents. `None` for waves without shared respondents or under a declared
/// design or weighting.
fn panel_change_variance(
    now: &Wave,
    before: &Wave,
    qi: usize,
    oi: usize,
    g: usize,
    e_now: &WeightedEstimate,
    e_before: &WeightedEstimate,
) -> Option<(f64, f64)> {
    let link = now.panel.as_ref()?;
    let joint = &link.joint.as_ref()?[qi];
    let n = link.respondents as f64;
    // Each wave's sum of squared influences, from its one-stage variance n_t/(n_t - 1) A_t.
    let squares = |w: &Wave, e: &WeightedEstimate| {
        let n_t = w.table.total() as f64;
        e.se * e.se * (n_t - 1.0) / n_t
    };
    let answered = |w: &Wave| w.table.questions[qi].weights.column(g).sum();
    let (w_now, w_before) = (answered(now), answered(before));
    let options = now.table.questions[qi].weights.nrows();
    let mut cross = 0.0;
    for a in 0..options {
        for b in 0..options {
            let y = |o: usize, p: f64| f64::from(u8::from(o == oi)) - p;
            cross += joint[[a, g, b, g]] * y(a, e_now.estimate) * y(b, e_before.estimate);
        }
    }
    cross /= w_now * w_before;
    let var = n / (n - 1.0) * (squares(now, e_now) + squares(before, e_before) - 2.0 * cross);
    Some((var.max(0.0), n - 1.0))
}

/// The variance of the change of share `(oi, g)` from wave `i - 1` to wave `i` of a
/// panel under a declared design, and its degrees of freedom:
/// the two shares' covariance in the waves stacked as one design
/// ([`stacked_question_design`]; R `svyby(covmat = TRUE)` + `svycontrast` on the
/// stacked waves). `None` for waves without shared respondents and for the designs the
/// stacking leaves independent.
fn panel_design_change_variance(
    codebook: &Codebook,
    waves: &[Wave],
    i: usize,
    qi: usize,
    oi: usize,
    g: usize,
) -> Option<(f64, f64)> {
    use crate::stats::design::Ratio;
    let link = waves[i].panel.as_ref()?;
    let totals: Vec<_> = waves.iter().map(|w| w.table.design.as_ref()).collect::<Option<_>>()?;
    let (design, df) =
        stacked_question_design(codebook, &totals, i, i - 1, qi, link.strata.as_ref())?;
    let mut cells = waves[i].table.cell_totals(qi);
    let offset = cells.len();
    cells.extend(waves[i - 1].table.cell_totals(qi));
    let groups = waves[i].table.groups;
    let share = |shift: usize| Ratio {
        numerator: vec![shift + oi * groups + g],
        denominator: (0..offset / groups).map(|o| shift + o * groups + g).collect(),
    };
    let c = design.ratios(&cells, &[share(0), share(offset)]).ok()?.covariance;
    Some(((c[0][0] + c[1][1] - 2.0 * c[0][1]).max(0.0), df))
}

/// The weighted comparisons: per group and answer, each wave's share as a domain of
/// its wave, the change since the previous wave, the trend, and the gap changes.
fn weighted_comparisons(
    codebook: &Codebook,
    waves: &[Wave],
    options: &AnalysisOptions,
) -> (Vec<WeightedWaveRow>, Vec<WeightedTrendRow>, Vec<GapRow>) {
    let levels = &codebook.grouping.levels;
    let (mut rows, mut trends, mut gaps) = (Vec::new(), Vec::new(), Vec::new());
    for (qi, q) in codebook.questions.iter().enumerate() {
        for (oi, o) in q.reported_options() {
            let shares: Vec<QuestionShares> =
                waves.iter().map(|w| QuestionShares::of(codebook, &w.table, qi)).collect();
            let groups = levels.len();
            let estimate = |i: usize, g: usize| -> Option<WeightedEstimate> {
                let w = &waves[i];
                weighted_proportion(&w.table.weighted_counts(qi, oi, g), w.table.total())
                    .ok()
                    .filter(|e| !options.suppresses(e.n))
                    .and_then(|e| shares[i].estimate(groups, (oi, g), e))
            };
            for (g, l) in levels.iter().enumerate() {
                for (i, w) in waves.iter().enumerate() {
                    let Some(e) = estimate(i, g) else { continue };
                    let ci = weighted_ci(
                        &e,
                        options.weighted_ci_method,
                        options.level,
                        w.table.design_df(Some(g)),
                    );
                    // Independent waves stacked as strata: the degrees of freedom add. A
                    // panel's waves share respondents: they are the clusters, or their
                    // declared clusters and replicates are shared.
                    let change = (i > 0).then(|| estimate(i - 1, g)).flatten().map(|prev| {
                        let df = w.table.design_df(None) + waves[i - 1].table.design_df(None);
                        let d = weighted_difference(&e, &prev, options.level, df);
                        let panel = panel_change_variance(w, &waves[i - 1], qi, oi, g, &e, &prev)
                            .or_else(|| {
                                panel_design_change_variance(codebook, waves, i, qi, oi, g)
                            });
                        match panel {
                            Some((var, df)) => d.with_variance(var, options.level, df),
                            None => d,
                        }
                    });
                    rows.push(WeightedWaveRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group: l.id.clone(),
                        group_label: l.label.clone(),
                        wave: w.label.clone(),
                        n: e.n,
                        estimate: e.estimate,
                        se: e.se,
                        effective_n: e.effective_n,
                        deff_kish: e.deff_kish,
                        deff_replace: e.deff_replace,
                        df: w.table.design_df(Some(g)),
                        ci_lower: ci.interval.lower,
                        ci_upper: ci.interval.upper,
                        boundary: ci.boundary,
                        change: change.map(|d| d.estimate),
                        change_se: change.map(|d| d.se),
                        change_lower: change.map(|d| d.wald.lower),
                        change_upper: change.map(|d| d.wald.upper),
                        change_newcombe_effective_lower: change.map(|d| d.newcombe_effective.lower),
                        change_newcombe_effective_upper: change.map(|d| d.newcombe_effective.upper),
                        change_p_value: change.map(|d| wald_p_value(d.estimate, d.se).p),
                        change_p_adjusted: None,
                        significant: false,
                        small_base: e.n < options.min_base,
                    });
                }
                let suppressed = waves
                    .iter()
                    .any(|w| options.suppresses(w.table.option_counts(qi, oi, Some(g)).1));
                if waves.len() >= 3 && !suppressed {
                    let series: Vec<TrendWave> = waves
                        .iter()
                        .enumerate()
                        .map(|(i, w)| TrendWave {
                            score: i as f64 + 1.0,
                            counts: w.table.weighted_counts(qi, oi, g),
                            wave_n: w.table.total(),
                            design: trend_design(&shares[i], &w.table, qi, oi, g),
                        })
                        .collect();
                    let t = match replicate_trend_data(waves, &shares, qi, oi, g) {
                        Some(Ok(r)) => {
                            weighted_trend_replicates(&series, &r.replicates, r.scales, r.df)
                                .map_err(|e| e.to_string())
                        }
                        Some(Err(why)) => Err(why),
                        None => weighted_trend(&series).map_err(|e| e.to_string()),
                    };
                    trends.push(WeightedTrendRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        group: l.id.clone(),
                        group_label: l.label.clone(),
                        slope: t.as_ref().ok().map(|t| t.slope),
                        se: t.as_ref().ok().map(|t| t.se),
                        df: t.as_ref().ok().map(|t| t.df),
                        p_value: t.as_ref().ok().map(|t| t.p_value),
                        p_adjusted: None,
                        significant: false,
                        note: t.as_ref().err().cloned(),
                    });
                }
            }
            if levels.len() >= 2 {
                for (i, wave) in waves.iter().enumerate().skip(1) {
                    let (Some(a1), Some(b1), Some(a0), Some(b0)) =
                        (estimate(i, 0), estimate(i, 1), estimate(i - 1, 0), estimate(i - 1, 1))
                    else {
                        continue;
                    };
                    let e = |x: WeightedEstimate| (x.estimate, x.se);
                    let cov = |w: usize| shares[w].cov(groups, (oi, 0), (oi, 1)).unwrap_or(0.0);
                    let did = difference_in_differences(
                        [e(a1), e(b1)],
                        [e(a0), e(b0)],
                        [cov(i), cov(i - 1)],
                        options.level,
                    );
                    gaps.push(GapRow {
                        question: q.id.clone(),
                        question_label: q.display_label().to_string(),
                        option: o.code.clone(),
                        option_label: o.label.clone(),
                        wave: wave.label.clone(),
                        gap: a1.estimate - b1.estimate,
                        previous_gap: a0.estimate - b0.estimate,
                        change: did.estimate,
                        ci_lower: did.interval.lower,
                        ci_upper: did.interval.upper,
                        p_value: did.p_value.p,
                        p_adjusted: None,
                        significant: false,
                    });
                }
            }
        }
    }
    (rows, trends, gaps)
}

/// Adjusts the p-values of one family (every change, every trend, every gap change):
/// `get` reads a row's raw p-value, `set` stores the adjusted one and whether it is
/// significant.
fn adjust_family<T>(
    rows: &mut [T],
    options: &AnalysisOptions,
    get: impl Fn(&T) -> Option<f64>,
    set: impl Fn(&mut T, f64, bool),
) {
    let alpha = 1.0 - options.level.value();
    let (defined, raw): (Vec<usize>, Vec<f64>) =
        rows.iter().enumerate().filter_map(|(i, r)| Some((i, get(r)?))).unzip();
    if let Ok(adjusted) = crate::stats::multiplicity::adjust(&raw, options.adjustment) {
        for (&i, p) in defined.iter().zip(adjusted) {
            set(&mut rows[i], p, p < alpha);
        }
    }
}

impl WavesResults {
    /// Adjusts each family of tests for multiplicity with the analysis's adjustment:
    /// the changes, the trends and the gap changes (and their weighted twins), each over
    /// every question, answer, group and wave.
    fn adjust(&mut self) {
        let o = self.options;
        adjust_family(
            &mut self.rows,
            &o,
            |r| r.change_p_value,
            |r, p, s| {
                r.change_p_adjusted = Some(p);
                r.significant = s;
            },
        );
        adjust_family(
            &mut self.trends,
            &o,
            |r| r.p_value,
            |r, p, s| {
                r.p_adjusted = Some(p);
                r.significant = s;
            },
        );
        adjust_family(
            &mut self.gaps,
            &o,
            |r| Some(r.p_value),
            |r, p, s| {
                r.p_adjusted = Some(p);
                r.significant = s;
            },
        );
        adjust_family(
            &mut self.weighted_rows,
            &o,
            |r| r.change_p_value,
            |r, p, s| {
                r.change_p_adjusted = Some(p);
                r.significant = s;
            },
        );
        adjust_family(
            &mut self.weighted_trends,
            &o,
            |r| r.p_value,
            |r, p, s| {
                r.p_adjusted = Some(p);
                r.significant = s;
            },
        );
        adjust_family(
            &mut self.weighted_gaps,
            &o,
            |r| Some(r.p_value),
            |r, p, s| {
                r.p_adjusted = Some(p);
                r.significant = s;
            },
        );
    }
}
