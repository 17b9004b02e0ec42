//! Published figures against the data: each figure checked on the data's base (is it
//! what the data print as?), what a pair of group figures' comparison can be over every
//! count consistent with them, and which group sizes fit a group's figures.

use super::AnalysisOptions;
use crate::codebook::{Codebook, GroupRef};
use crate::consistency::{Figure, Rounding, counts, expected_chance_hits};
use crate::printed::{BaseWindow, Evaluation, PrintedComparison, PrintedGroup};
use crate::stats::ConfidenceLevel;
use crate::stats::difference::DifferenceMethod;
use crate::stats::significance::TestMethod;
use crate::tabulate::CountTable;
use serde::Serialize;

/// A published figure next to what the data give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureCheck {
    /// Figure id (e.g. `F1r`).
    pub id: String,
    /// Figure group in the study's table (e.g. `F1`).
    pub label: String,
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
    /// Group label.
    pub group_label: String,
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

/// Ranges of the comparison of each pair of group figures.
pub(super) fn figure_comparisons(
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
pub(super) fn base_recovery(codebook: &Codebook) -> Vec<BaseRecovery> {
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
            group_label: l.label.clone(),
            phrase: w.phrase.clone(),
            allowed: (w.min, w.max),
            fits,
            expected_chance_hits: chance,
        });
    }
    out
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
                question_label: codebook.item_question(f.item).display_label().to_string(),
                option: codebook.item_option(f.item).code.clone(),
                option_label: codebook.item_option(f.item).label.clone(),
                group: codebook.group_id(f.group).to_string(),
                group_label: codebook.group_label(f.group).to_string(),
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

/// What a comparison of two published figures can be, over every pair of counts
/// consistent with them at the given bases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRange {
    /// Consistent `(k1, k2)` pairs.
    pub combinations: u64,
    /// Smallest and largest `k1/n1 - k2/n2`.
    pub difference: (f64, f64),
    /// Smallest lower and largest upper bound of the difference interval.
    pub interval: (f64, f64),
    /// Smallest and largest two-sided p-value.
    pub p_value: (f64, f64),
}

/// Most pairs of consistent counts [`comparison_range`] evaluates (each pair is a
/// test); published figures on large bases allow far more.
pub const MAX_FIGURE_PAIRS: u64 = 10_000;

/// Why [`comparison_range`] has no range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeUnavailable {
    /// A figure cannot be shown at its base.
    #[error("a figure cannot be shown on its base")]
    Unreachable,
    /// More pairs of consistent counts than [`MAX_FIGURE_PAIRS`].
    #[error("{pairs} pairs of consistent counts, more than the {MAX_FIGURE_PAIRS} evaluated")]
    TooManyPairs {
        /// Pairs of counts consistent with the two figures.
        pairs: u64,
    },
}

/// The range of the difference, its interval (Newcombe by default) and the two-sided
/// test's p-value over every pair of counts consistent with two figures.
///
/// # Errors
/// [`RangeUnavailable`] when either figure is unreachable at its base, or when more
/// than [`MAX_FIGURE_PAIRS`] pairs are consistent.
pub fn comparison_range(
    first: (&Figure, u64),
    second: (&Figure, u64),
    rounding: Rounding,
    difference_method: DifferenceMethod,
    test: TestMethod,
    level: ConfidenceLevel,
) -> Result<ComparisonRange, RangeUnavailable> {
    let comparison = PrintedComparison::new(
        PrintedGroup::new(first.0.clone(), BaseWindow::exact(first.1)),
        PrintedGroup::new(second.0.clone(), BaseWindow::exact(second.1)),
    )
    .with_roundings(vec![rounding]);
    let sets = comparison.enumerate().map_err(|_| RangeUnavailable::Unreachable)?;
    if sets.sets == 0 {
        return Err(RangeUnavailable::Unreachable);
    }
    let Ok(pairs) = u64::try_from(sets.sets) else {
        return Err(RangeUnavailable::TooManyPairs { pairs: u64::MAX });
    };
    if pairs > MAX_FIGURE_PAIRS {
        return Err(RangeUnavailable::TooManyPairs { pairs });
    }
    let r = sets.evaluate(&Evaluation {
        difference_methods: vec![difference_method],
        tests: vec![test],
        ratios: false,
        level,
        family: 1,
    });
    let interval = &r.difference_intervals[0].1;
    let p = r.tests[0].1.and_then(|s| s.bounds()).unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
    Ok(ComparisonRange {
        combinations: pairs,
        difference: (r.difference.min, r.difference.max),
        interval: (interval.lower.min, interval.upper.max),
        p_value: p,
    })
}
