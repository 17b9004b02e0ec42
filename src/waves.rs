//! Several survey waves of one codebook: per group and answer, the change since the
//! previous wave with its interval and test, a trend test across three or more waves,
//! and the change of the gap between the first two groups (difference in differences).
//!
//! Waves are independent samples. Changes use Newcombe's interval and the analysis's
//! two-group test (Fisher by default); the trend test is Cochran-Armitage on the wave
//! order; the gap change is a Wald interval with binomial standard errors.
//!
//! When the codebook names a weight column, the same comparisons are made on weighted
//! shares, the waves stacked as a design stratified by wave (R survey
//! `svydesign(ids = ~1, strata = ~wave, weights = ~w)`): each group a domain of its
//! wave, changes and gap changes as contrasts of domain means (`svyby(covmat = TRUE)` +
//! `svycontrast`), and the trend as the slope of a weighted logistic regression on the
//! wave score (`svyglm(y ~ wave, family = quasibinomial)`).

use crate::analysis::AnalysisOptions;
use crate::codebook::Codebook;
use crate::data::{LoadError, LoadOptions, LoadSummary, load};
use crate::plot::{Chart, ChartKind, DotRow, Point};
use crate::report::output::ReportDir;
use crate::report::{Formats, ReportError};
use crate::stats::ci::proportion_ci;
use crate::stats::difference::difference_ci;
use crate::stats::one_sample::normal_p_value;
use crate::stats::significance::two_group_test;
use crate::stats::trend::{binomial_se, cochran_armitage, difference_in_differences};
use crate::stats::weighted::{
    TrendWave, WeightedEstimate, domain_df, weighted_ci, weighted_difference, weighted_proportion,
    weighted_trend,
};
use crate::stats::{Alternative, Proportion, TwoGroups};
use crate::tabulate::CountTable;
use crate::tabulate::{data_warnings, tabulate_file};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One wave's counts.
#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    /// Label (the wave column's value, or the file name).
    pub label: String,
    /// Where it was read from.
    pub load: LoadSummary,
    /// Its count table.
    #[serde(skip)]
    pub table: CountTable,
}

/// Why waves could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WavesError {
    /// A file was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The waves' weights cannot be put on one scale.
    #[error("{}: {cause}", path.display())]
    Weights {
        /// The wave file.
        path: PathBuf,
        /// Why.
        cause: crate::tabulate::MergeError,
    },
    /// The same data given twice.
    #[error(
        "{} has the same content as {} (SHA-256 {sha256}); one wave given twice would be compared with itself",
        second.display(), first.display()
    )]
    SameData {
        /// The first file.
        first: PathBuf,
        /// The repeat.
        second: PathBuf,
        /// Their checksum.
        sha256: String,
    },
}

/// Tabulates one file per wave, labelled by file stem. The same file (or two files
/// with the same bytes) given twice is refused.
///
/// # Errors
/// [`WavesError`] for a refused file or a repeat.
pub fn waves_from_files(
    paths: &[PathBuf],
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, WavesError> {
    let mut waves: Vec<Wave> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let (table, mut load) = tabulate_file(p, codebook, options, None)?;
        if let Some(j) = waves.iter().position(|w| w.load.sha256 == load.sha256) {
            return Err(WavesError::SameData {
                first: paths[j].clone(),
                second: paths[i].clone(),
                sha256: load.sha256,
            });
        }
        let label = p
            .file_stem()
            .map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().to_string());
        load.warnings = data_warnings(codebook, &table, load.zero_weights, options_min_base());
        // Weighted comparisons across waves need one weight scale: the first wave's.
        let table = match waves.first() {
            Some(w) => table
                .rescaled(w.table.weight_scale)
                .map_err(|cause| WavesError::Weights { path: p.clone(), cause })?,
            None => table,
        };
        waves.push(Wave { label, load, table });
    }
    Ok(waves)
}

/// The minimum base used for wave warnings (the analysis flags against its own).
fn options_min_base() -> u64 {
    AnalysisOptions::default().min_base
}

/// Tabulates one file with a wave column into one table per wave, in wave order
/// (numeric when every label is a number, otherwise by first appearance). Rows excluded
/// (no group value) are booked to their own wave.
///
/// # Errors
/// [`LoadError`] for a refused file.
pub fn waves_from_column(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, LoadError> {
    let pairs = codebook.paired_questions();
    let mut labels: Vec<String> = Vec::new();
    let mut tables: Vec<CountTable> = Vec::new();
    let summary = load(path, codebook, options, |r: &crate::data::Response| {
        let label = r.wave.clone().unwrap_or_default();
        let i = match labels.iter().position(|l| *l == label) {
            Some(i) => i,
            None => {
                labels.push(label);
                tables.push(CountTable::new(codebook, &pairs));
                labels.len() - 1
            }
        };
        tables[i].add(r);
    })?;
    for label in summary.excluded_by_wave.keys() {
        if !labels.contains(label) {
            labels.push(label.clone());
            tables.push(CountTable::new(codebook, &pairs));
        }
    }
    let mut waves: Vec<Wave> = labels
        .into_iter()
        .zip(tables)
        .map(|(label, mut table)| {
            table.weight_scale = summary.weight_scale;
            let excluded = summary.excluded_by_wave.get(&label).cloned().unwrap_or_default();
            let excluded_rows: u64 = excluded.values().sum();
            let load = LoadSummary {
                file: format!("{} (wave {label})", path.display()),
                rows_read: table.total() + excluded_rows,
                rows_used: table.total(),
                excluded,
                missing_answers: codebook
                    .questions
                    .iter()
                    .zip(&table.questions)
                    .map(|(q, c)| (q.id.clone(), c.missing.iter().sum()))
                    .collect(),
                warnings: data_warnings(codebook, &table, 0, options_min_base()),
                sha256: summary.sha256.clone(),
                weight_scale: summary.weight_scale,
                ..LoadSummary::default()
            };
            Wave { label, load, table }
        })
        .collect();
    let numeric: Option<Vec<f64>> = waves.iter().map(|w| w.label.parse::<f64>().ok()).collect();
    if let Some(keys) = numeric {
        let mut keyed: Vec<(f64, Wave)> = keys.into_iter().zip(waves).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        waves = keyed.into_iter().map(|(_, w)| w).collect();
    }
    if summary.zero_weights > 0
        && let Some(first) = waves.first_mut()
    {
        first.load.warnings.push(format!(
            "{} respondent(s) of {} have weight 0: counted in unweighted results, contributing nothing to weighted ones",
            summary.zero_weights,
            path.display()
        ));
    }
    Ok(waves)
}

/// A group's answer in one wave, with the change since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id.
    pub group: String,
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
}

/// A trend test across all waves for a group's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id.
    pub group: String,
    /// Cochran-Armitage chi-square (1 df), scores 1, 2, ... in wave order.
    pub statistic: Option<f64>,
    /// Its p-value.
    pub p_value: Option<f64>,
}

/// The change of the gap between the first two groups since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
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
}

/// A group's weighted share in one wave, with the change since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedWaveRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id.
    pub group: String,
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
}

/// A weighted trend across all waves for a group's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightedTrendRow {
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group id.
    pub group: String,
    /// Slope of the log odds per wave (scores 1, 2, ... in wave order).
    pub slope: Option<f64>,
    /// Its design-based standard error.
    pub se: Option<f64>,
    /// Residual degrees of freedom of the t test.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// Why the trend is undefined, when it is.
    pub note: Option<String>,
}

/// The comparison of several waves.
#[derive(Debug, Clone, Serialize)]
pub struct WavesReport {
    /// Study id.
    pub study: String,
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
    /// Group labels.
    #[serde(skip)]
    pub codebook: Codebook,
}

/// Compares the waves.
pub fn compare_waves(
    codebook: &Codebook,
    waves: Vec<Wave>,
    options: AnalysisOptions,
) -> WavesReport {
    let levels = &codebook.grouping.levels;
    let mut rows = Vec::new();
    let mut trends = Vec::new();
    let mut gaps = Vec::new();
    let two = Alternative::TwoSided;
    for (qi, q) in codebook.questions.iter().enumerate() {
        for (oi, o) in q.reported_options() {
            let per = |w: &Wave, g: usize| {
                let (k, n) = w.table.option_counts(qi, oi, Some(g));
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
                        option: o.code.clone(),
                        group: l.id.clone(),
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
                    });
                    series.push((i as f64 + 1.0, p));
                }
                if waves.len() >= 3 && series.len() >= 3 {
                    let samples: Vec<Proportion> = series.iter().map(|s| s.1).collect();
                    let scores: Vec<f64> = series.iter().map(|s| s.0).collect();
                    let t = cochran_armitage(&samples, &scores).ok();
                    trends.push(TrendRow {
                        question: q.id.clone(),
                        option: o.code.clone(),
                        group: l.id.clone(),
                        statistic: t.and_then(|t| t.statistic),
                        p_value: t.map(|t| t.p_value.p),
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
                    let did =
                        difference_in_differences([e(a1), e(b1)], [e(a0), e(b0)], options.level);
                    gaps.push(GapRow {
                        question: q.id.clone(),
                        option: o.code.clone(),
                        wave: waves[i].label.clone(),
                        gap: a1.estimate() - b1.estimate(),
                        previous_gap: a0.estimate() - b0.estimate(),
                        change: did.estimate,
                        ci_lower: did.interval.lower,
                        ci_upper: did.interval.upper,
                        p_value: did.p_value.p,
                    });
                }
            }
        }
    }
    let (weighted_rows, weighted_trends, weighted_gaps) = if codebook.weight_column.is_some() {
        weighted_comparisons(codebook, &waves, &options)
    } else {
        Default::default()
    };
    WavesReport {
        study: codebook.study.id.clone(),
        options,
        waves,
        rows,
        trends,
        gaps,
        weighted_rows,
        weighted_trends,
        weighted_gaps,
        codebook: codebook.clone(),
    }
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
            let estimate = |w: &Wave, g: usize| -> Option<WeightedEstimate> {
                weighted_proportion(&w.table.weighted_counts(qi, oi, g), w.table.total()).ok()
            };
            for (g, l) in levels.iter().enumerate() {
                for (i, w) in waves.iter().enumerate() {
                    let Some(e) = estimate(w, g) else { continue };
                    let ci = weighted_ci(
                        &e,
                        options.weighted_ci_method,
                        options.level,
                        domain_df(w.table.respondents[g]),
                    );
                    let change =
                        (i > 0).then(|| estimate(&waves[i - 1], g)).flatten().map(|prev| {
                            let df = (e.total_n + prev.total_n) as f64 - 2.0;
                            weighted_difference(&e, &prev, options.level, df)
                        });
                    let z = change.map(|d| if d.se > 0.0 { d.estimate / d.se } else { 0.0 });
                    rows.push(WeightedWaveRow {
                        question: q.id.clone(),
                        option: o.code.clone(),
                        group: l.id.clone(),
                        wave: w.label.clone(),
                        n: e.n,
                        estimate: e.estimate,
                        se: e.se,
                        effective_n: e.effective_n,
                        deff_kish: e.deff_kish,
                        ci_lower: ci.interval.lower,
                        ci_upper: ci.interval.upper,
                        boundary: ci.boundary,
                        change: change.map(|d| d.estimate),
                        change_se: change.map(|d| d.se),
                        change_lower: change.map(|d| d.wald.lower),
                        change_upper: change.map(|d| d.wald.upper),
                        change_newcombe_effective_lower: change.map(|d| d.newcombe_effective.lower),
                        change_newcombe_effective_upper: change.map(|d| d.newcombe_effective.upper),
                        change_p_value: z.map(|z| normal_p_value(z, Alternative::TwoSided).p),
                    });
                }
                if waves.len() >= 3 {
                    let series: Vec<TrendWave> = waves
                        .iter()
                        .enumerate()
                        .map(|(i, w)| TrendWave {
                            score: i as f64 + 1.0,
                            counts: w.table.weighted_counts(qi, oi, g),
                            wave_n: w.table.total(),
                        })
                        .collect();
                    let t = weighted_trend(&series);
                    trends.push(WeightedTrendRow {
                        question: q.id.clone(),
                        option: o.code.clone(),
                        group: l.id.clone(),
                        slope: t.as_ref().ok().map(|t| t.slope),
                        se: t.as_ref().ok().map(|t| t.se),
                        df: t.as_ref().ok().map(|t| t.df),
                        p_value: t.as_ref().ok().map(|t| t.p_value),
                        note: t.as_ref().err().map(ToString::to_string),
                    });
                }
            }
            if levels.len() >= 2 {
                for i in 1..waves.len() {
                    let (Some(a1), Some(b1), Some(a0), Some(b0)) = (
                        estimate(&waves[i], 0),
                        estimate(&waves[i], 1),
                        estimate(&waves[i - 1], 0),
                        estimate(&waves[i - 1], 1),
                    ) else {
                        continue;
                    };
                    let e = |x: WeightedEstimate| (x.estimate, x.se);
                    let did =
                        difference_in_differences([e(a1), e(b1)], [e(a0), e(b0)], options.level);
                    gaps.push(GapRow {
                        question: q.id.clone(),
                        option: o.code.clone(),
                        wave: waves[i].label.clone(),
                        gap: a1.estimate - b1.estimate,
                        previous_gap: a0.estimate - b0.estimate,
                        change: did.estimate,
                        ci_lower: did.interval.lower,
                        ci_upper: did.interval.upper,
                        p_value: did.p_value.p,
                    });
                }
            }
        }
    }
    (rows, trends, gaps)
}

/// A summary line for a significant change: question, option, group and wave; change,
/// its interval and p-value.
fn change_line(out: &mut String, key: [&str; 4], values: [Option<f64>; 4]) {
    let [question, option, group, wave] = key;
    let [change, lower, upper, p] = values.map(|v| v.unwrap_or(f64::NAN));
    let _ = writeln!(
        out,
        "  {question} = {option} {group} {wave}: {:+.1} points since the previous wave ({:+.1} to {:+.1}, p = {p:.4})",
        100.0 * change,
        100.0 * lower,
        100.0 * upper,
    );
}

fn csv_of<T: Serialize>(rows: &[T]) -> Result<String, ReportError> {
    crate::report::escape::csv_of(rows).map_err(|e| ReportError::Template(e.to_string()))
}

impl WavesReport {
    /// A terminal summary: the significant changes.
    pub fn summary(&self) -> String {
        let mut out = format!("{}: {} waves (", self.study, self.waves.len());
        out.push_str(
            &self
                .waves
                .iter()
                .map(|w| format!("{} n = {}", w.label, w.table.total()))
                .collect::<Vec<_>>()
                .join(", "),
        );
        out.push_str(")\n");
        for w in &self.waves {
            for (reason, n) in &w.load.excluded {
                let _ = writeln!(out, "  {}: {n} rows excluded: {reason}", w.label);
            }
            for warning in &w.load.warnings {
                let _ = writeln!(out, "  {}: warning: {warning}", w.label);
            }
        }
        let alpha = 1.0 - self.options.level.value();
        for r in self.rows.iter().filter(|r| r.change_p_value.is_some_and(|p| p < alpha)) {
            change_line(
                &mut out,
                [&r.question, &r.option, &r.group, &r.wave],
                [r.change, r.change_lower, r.change_upper, r.change_p_value],
            );
        }
        for t in self.trends.iter().filter(|t| t.p_value.is_some_and(|p| p < alpha)) {
            let _ = writeln!(
                out,
                "  trend in {} = {} for {}: p = {:.2e}",
                t.question,
                t.option,
                t.group,
                t.p_value.unwrap_or(1.0)
            );
        }
        let n_gaps = self.gaps.iter().filter(|g| g.p_value < alpha).count();
        let _ = writeln!(
            out,
            "  gap changes significant at {:.0}%: {n_gaps} of {}",
            100.0 * self.options.level.value(),
            self.gaps.len()
        );
        if self.weighted_rows.is_empty() {
            return crate::format::visible_bidi(&out).into_owned();
        }
        out.push_str("weighted (waves as strata of one design):\n");
        for r in self.weighted_rows.iter().filter(|r| r.change_p_value.is_some_and(|p| p < alpha)) {
            change_line(
                &mut out,
                [&r.question, &r.option, &r.group, &r.wave],
                [r.change, r.change_lower, r.change_upper, r.change_p_value],
            );
        }
        for t in self.weighted_trends.iter().filter(|t| t.p_value.is_some_and(|p| p < alpha)) {
            let _ = writeln!(
                out,
                "  trend in {} = {} for {}: log odds {:+.3} per wave, p = {:.2e}",
                t.question,
                t.option,
                t.group,
                t.slope.unwrap_or(0.0),
                t.p_value.unwrap_or(1.0)
            );
        }
        let n_gaps = self.weighted_gaps.iter().filter(|g| g.p_value < alpha).count();
        let _ = writeln!(
            out,
            "  gap changes significant at {:.0}%: {n_gaps} of {}",
            100.0 * self.options.level.value(),
            self.weighted_gaps.len()
        );
        crate::format::visible_bidi(&out).into_owned()
    }

    /// The chart: each group's share per wave.
    pub fn chart(&self) -> Chart {
        self.chart_of(false)
    }

    /// The weighted chart: each group's weighted share per wave (none without weights).
    pub fn weighted_chart(&self) -> Option<Chart> {
        (!self.weighted_rows.is_empty()).then(|| self.chart_of(true))
    }

    fn chart_of(&self, weighted: bool) -> Chart {
        let levels = &self.codebook.grouping.levels;
        let mut rows = Vec::new();
        for q in &self.codebook.questions {
            for (_, o) in q.reported_options() {
                let name = q.label.clone().unwrap_or_else(|| q.id.clone());
                let label = match q.kind {
                    crate::codebook::QuestionKind::YesNo => name,
                    crate::codebook::QuestionKind::SingleChoice => {
                        format!("{name}: {}", o.label.to_lowercase())
                    }
                };
                for w in &self.waves {
                    let points = levels
                        .iter()
                        .map(|l| {
                            let key = [&q.id, &o.code, &l.id, &w.label];
                            let unweighted = self
                                .rows
                                .iter()
                                .find(|r| [&r.question, &r.option, &r.group, &r.wave] == key)?;
                            let (estimate, lower, upper, n) = if weighted {
                                let r = self
                                    .weighted_rows
                                    .iter()
                                    .find(|r| [&r.question, &r.option, &r.group, &r.wave] == key)?;
                                (r.estimate, r.ci_lower, r.ci_upper, r.n)
                            } else {
                                let r = unweighted;
                                (r.estimate, r.ci_lower, r.ci_upper, r.n)
                            };
                            Some(Point {
                                estimate,
                                lower,
                                upper,
                                successes: unweighted.successes,
                                n,
                            })
                        })
                        .collect();
                    rows.push(DotRow { label: format!("{label} ({})", w.label), points });
                }
            }
        }
        let level = format!("{:.0}%", 100.0 * self.options.level.value());
        let (weighting, method) = if weighted {
            ("weighted ", self.options.weighted_ci_method.name())
        } else {
            ("", self.options.ci_method.name())
        };
        let alt = format!(
            "Dot plot of each group's {weighting}share per wave with {level} intervals, for {} answers over {} waves.",
            rows.len() / self.waves.len().max(1),
            self.waves.len()
        );
        let mut chart = Chart {
            id: if weighted { "waves-weighted" } else { "waves" }.into(),
            title: format!(
                "{}: answers by wave{}",
                self.codebook.study.title,
                if weighted { ", weighted" } else { "" }
            ),
            subtitle: format!(
                "{} of each group per wave, {level} {method} intervals",
                if weighted { "Weighted share" } else { "Share" }
            ),
            footer: format!(
                "Source: {}; waves {}",
                self.study,
                self.waves
                    .iter()
                    .map(|w| format!("{} (n = {})", w.label, w.table.total()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            alt,
            kind: ChartKind::Dots {
                series: levels.iter().map(|l| l.label.clone()).collect(),
                rows,
                x_desc: format!("Share of {}s", self.codebook.study.unit),
            },
        };
        crate::plot::mark_small_bases(&mut chart, self.options.min_base);
        chart
    }

    /// The self-contained HTML page (inline SVG charts, each with its SVG text, no
    /// external resources).
    ///
    /// # Errors
    /// A template error (a bug: the template is compiled in and tested).
    pub fn html(&self, charts: &[(Chart, String)]) -> Result<String, minijinja::Error> {
        let pct = |v: f64| format!("{:.1}%", 100.0 * v);
        let pts = |v: f64| format!("{:+.1} pts", 100.0 * v);
        let p = |v: Option<f64>| {
            v.map_or(
                "-".to_string(),
                |p| if p < 1e-4 { format!("{p:.2e}") } else { format!("{p:.4}") },
            )
        };
        let alpha = 1.0 - self.options.level.value();
        let levels = &self.codebook.grouping.levels;
        let waves: Vec<_> = self
            .waves
            .iter()
            .map(|w| minijinja::context! {
                label => w.label.as_str(), n => w.table.total(), file => w.load.file.as_str(), sha256 => w.load.sha256.as_str(),
                excluded => w.load.excluded.iter().map(|(reason, n)| format!("{n} ({reason})")).collect::<Vec<_>>().join("; "),
            })
            .collect();
        let rows: Vec<_> = self
            .rows
            .iter()
            .map(|r| {
                minijinja::context! {
                    question => r.question.as_str(), option => r.option.as_str(), group => r.group.as_str(), wave => r.wave.as_str(),
                    share => pct(r.estimate), interval => format!("{} to {}", pct(r.ci_lower), pct(r.ci_upper)),
                    change => r.change.map_or("-".to_string(), pts),
                    change_interval => match (r.change_lower, r.change_upper) {
                        (Some(l), Some(u)) => format!("{:+.1} to {:+.1}", 100.0 * l, 100.0 * u),
                        _ => "-".to_string(),
                    },
                    p => p(r.change_p_value),
                    significant => r.change_p_value.is_some_and(|p| p < alpha),
                }
            })
            .collect();
        let trends: Vec<_> = self
            .trends
            .iter()
            .map(|t| minijinja::context! { question => t.question.as_str(), option => t.option.as_str(), group => t.group.as_str(), statistic => t.statistic.map_or("-".to_string(), |s| format!("{s:.3}")), p => p(t.p_value) })
            .collect();
        let gap_rows = |gaps: &[GapRow]| -> Vec<minijinja::Value> {
            gaps.iter()
                .map(|g| {
                    minijinja::context! {
                        question => g.question.as_str(), option => g.option.as_str(), wave => g.wave.as_str(),
                        gap => pts(g.gap), previous => pts(g.previous_gap), change => pts(g.change),
                        interval => format!("{:+.1} to {:+.1}", 100.0 * g.ci_lower, 100.0 * g.ci_upper), p => p(Some(g.p_value)),
                        significant => g.p_value < alpha,
                    }
                })
                .collect()
        };
        let interval = |l: Option<f64>, u: Option<f64>| match (l, u) {
            (Some(l), Some(u)) => format!("{:+.1} to {:+.1}", 100.0 * l, 100.0 * u),
            _ => "-".to_string(),
        };
        let weighted_rows: Vec<_> = self
            .weighted_rows
            .iter()
            .map(|r| {
                minijinja::context! {
                    question => r.question.as_str(), option => r.option.as_str(), group => r.group.as_str(), wave => r.wave.as_str(),
                    n => r.n, effective_n => format!("{:.1}", r.effective_n), deff => format!("{:.2}", r.deff_kish),
                    share => pct(r.estimate),
                    interval => format!("{} to {}{}", pct(r.ci_lower), pct(r.ci_upper), if r.boundary { " (bound)" } else { "" }),
                    change => r.change.map_or("-".to_string(), pts),
                    change_interval => interval(r.change_lower, r.change_upper),
                    newcombe => interval(r.change_newcombe_effective_lower, r.change_newcombe_effective_upper),
                    p => p(r.change_p_value),
                    significant => r.change_p_value.is_some_and(|p| p < alpha),
                }
            })
            .collect();
        let weighted_trends: Vec<_> = self
            .weighted_trends
            .iter()
            .map(|t| minijinja::context! {
                question => t.question.as_str(), option => t.option.as_str(), group => t.group.as_str(),
                slope => t.slope.map_or("-".to_string(), |s| format!("{s:+.3}")),
                se => t.se.map_or("-".to_string(), |s| format!("{s:.3}")),
                p => p(t.p_value), note => t.note.as_deref().unwrap_or(""),
            })
            .collect();
        let charts: Vec<_> = charts
            .iter()
            .map(|(chart, svg)| minijinja::context! { id => chart.id.as_str(), title => chart.title.as_str(), subtitle => chart.subtitle.as_str(), alt => chart.alt.as_str(), svg => crate::report::html::responsive(svg) })
            .collect();
        let mut env = crate::report::html::environment();
        env.add_template("waves.html", include_str!("../templates/waves.html"))?;
        env.get_template("waves.html")?.render(minijinja::context! {
            title => self.codebook.study.title.as_str(),
        style => include_str!("../templates/style.css"),
            version => env!("CARGO_PKG_VERSION"),
            level => format!("{:.0}%", 100.0 * self.options.level.value()),
            ci_method => self.options.ci_method.name(),
            difference_method => self.options.difference_method.name(),
            test => self.options.test.name(),
            waves => waves,
            weighted_ci_method => self.options.weighted_ci_method.name(),
            charts => charts,
            rows => rows,
            trends => trends,
            gaps => gap_rows(&self.gaps),
            weighted_rows => weighted_rows,
            weighted_trends => weighted_trends,
            weighted_gaps => gap_rows(&self.weighted_gaps),
            group_a => levels.first().map_or("", |l| l.label.as_str()),
            group_b => levels.get(1).map_or("", |l| l.label.as_str()),
        })
    }

    /// Writes the report to `target` and swaps it into place (see
    /// [`crate::report::StudyReport::save`]).
    ///
    /// # Errors
    /// [`ReportError`].
    pub fn save(&self, target: &Path, formats: Formats) -> Result<(), ReportError> {
        let mut dir = ReportDir::create(target, &[], false)?;
        self.write(&mut dir, formats)?;
        Ok(dir.commit()?)
    }

    /// Writes `waves.csv`, `trends.csv`, `gaps.csv` (and their `weighted_` twins when
    /// the waves are weighted), `waves.json`, `summary.txt`, the charts and
    /// `report.html` into a report folder being staged; the caller commits it.
    ///
    /// # Errors
    /// [`ReportError`].
    pub fn write(&self, dir: &mut ReportDir, formats: Formats) -> Result<(), ReportError> {
        dir.write("summary.txt", self.summary().as_bytes())?;
        if formats.csv {
            dir.write("waves.csv", csv_of(&self.rows)?.as_bytes())?;
            dir.write("trends.csv", csv_of(&self.trends)?.as_bytes())?;
            dir.write("gaps.csv", csv_of(&self.gaps)?.as_bytes())?;
            if !self.weighted_rows.is_empty() {
                dir.write("weighted_waves.csv", csv_of(&self.weighted_rows)?.as_bytes())?;
                dir.write("weighted_trends.csv", csv_of(&self.weighted_trends)?.as_bytes())?;
                dir.write("weighted_gaps.csv", csv_of(&self.weighted_gaps)?.as_bytes())?;
            }
        }
        if formats.json {
            let text = serde_json::to_string_pretty(self)
                .map_err(|e| ReportError::Template(e.to_string()))?;
            dir.write("waves.json", (text + "\n").as_bytes())?;
        }
        let mut charts = Vec::new();
        for chart in std::iter::once(self.chart()).chain(self.weighted_chart()) {
            let svg = chart.svg()?;
            if formats.svg {
                dir.write(&format!("charts/{}.svg", chart.id), svg.as_bytes())?;
            }
            if formats.png {
                dir.write_with(&format!("charts/{}.png", chart.id), |path| chart.write_png(path))?;
            }
            charts.push((chart, svg));
        }
        if formats.html {
            let page = self.html(&charts).map_err(|e| ReportError::Template(format!("{e:#}")))?;
            dir.write("report.html", page.as_bytes())?;
        }
        Ok(())
    }
}
