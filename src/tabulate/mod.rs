//! Count tables: the sufficient statistics of a survey for proportions.
//!
//! For every question, an `options x groups` array of respondent counts (and of weight
//! sums and squared-weight sums, for weighted analyses), plus the number (and weight)
//! of missing answers per group and, for requested question pairs, the joint yes/yes
//! table per group (for within-respondent comparisons). Tables of the same codebook add
//! up ([`CountTable::merge`], with checked arithmetic), so shards counted separately
//! combine into one analysis and the result does not depend on how the rows were read.
//! [`CountTable::validate`] checks a table read from a file against its codebook: every
//! shape, every count against its group's respondents, every weight sum. [`sql`] writes
//! the query that computes a codebook's table in an SQL engine.
//!
//! Weight sums are stored under a [`WeightScale`] (see [`crate::data::weight`]).

mod counts_file;
mod data_set;
pub mod design;
mod file;
pub mod sql;
mod waves;

pub use counts_file::{
    COUNTS_FORMAT, COUNTS_TAG, CountsError, CountsFile, CountsShard, parse_counts, read_counts,
};
pub use data_set::{DataSet, ResponsesFile, load_table};
pub use file::{PARALLEL_BYTES, tabulate_bytes, tabulate_file};
pub use waves::{
    Wave, WavesError, file_labels, waves_from_column, waves_from_column_of, waves_from_files,
    waves_from_sets,
};

use crate::codebook::{Codebook, QuestionKind, Source};
use crate::data::Response;
use crate::data::weight::WeightScale;
use crate::stats::MAX_TRIALS;
use crate::stats::design::{Design, Linearised, LonelyPsu, Stratum, Units};
use crate::stats::weighted::WeightedCounts;
use ndarray::{Array2, Array3};
use serde::Serialize;

/// Counts for one question.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionCounts {
    /// Respondents choosing each option, `[option, group]`.
    pub counts: Array2<u64>,
    /// Sum of weights per `[option, group]`.
    pub weights: Array2<f64>,
    /// Sum of squared weights per `[option, group]`.
    pub weights_sq: Array2<f64>,
    /// Missing answers per group.
    pub missing: Vec<u64>,
    /// Sum of weights of the missing answers per group.
    pub missing_weights: Vec<f64>,
}

impl QuestionCounts {
    /// Respondents answering, per group.
    pub fn answered(&self, group: usize) -> u64 {
        self.counts.column(group).sum()
    }

    /// Respondents choosing `option` in `group`.
    pub fn count(&self, option: usize, group: usize) -> u64 {
        self.counts[[option, group]]
    }
}

/// A joint table of two yes/no questions per group: `[group, a_yes, b_yes]`, among
/// respondents answering both.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairCounts {
    /// Question index of the first item.
    pub a: usize,
    /// Question index of the second item.
    pub b: usize,
    /// `[group, a (1 = first option), b (1 = first option)]` counts.
    pub joint: Array3<u64>,
}

/// The count table of a whole study or wave.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountTable {
    /// Number of group levels.
    pub groups: usize,
    /// Respondents per group.
    pub respondents: Vec<u64>,
    /// Per question, in codebook order.
    pub questions: Vec<QuestionCounts>,
    /// Joint tables for question pairs.
    pub pairs: Vec<PairCounts>,
    /// The scale of the weight sums (stored = as read * 2^-exponent).
    #[serde(default)]
    pub weight_scale: WeightScale,
    /// The sampling design's totals, when the codebook declares a design.
    #[serde(default)]
    pub design: Option<design::DesignTotals>,
}

/// Two count tables that cannot be added, or a table that does not fit its codebook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

/// Relative tolerance of the checks between weight sums and sums of squares (they are
/// sums of floating-point numbers, exact only to rounding).
const WEIGHT_CHECK_TOLERANCE: f64 = 1e-9;

impl CountTable {
    /// An empty table for `codebook`, keeping joint tables for `pairs` of question
    /// indices (each must be a yes/no question).
    pub fn new(codebook: &Codebook, pairs: &[(usize, usize)]) -> Self {
        let g = codebook.grouping.levels.len();
        let yes_no =
            |i: usize| codebook.questions.get(i).is_some_and(|q| q.kind == QuestionKind::YesNo);
        CountTable {
            groups: g,
            respondents: vec![0; g],
            questions: codebook
                .questions
                .iter()
                .map(|q| QuestionCounts {
                    counts: Array2::zeros((q.options.len(), g)),
                    weights: Array2::zeros((q.options.len(), g)),
                    weights_sq: Array2::zeros((q.options.len(), g)),
                    missing: vec![0; g],
                    missing_weights: vec![0.0; g],
                })
                .collect(),
            pairs: pairs
                .iter()
                .filter(|(a, b)| yes_no(*a) && yes_no(*b))
                .map(|&(a, b)| PairCounts { a, b, joint: Array3::zeros((g, 2, 2)) })
                .collect(),
            weight_scale: WeightScale::default(),
            design: (codebook.design.is_some() || codebook.weighting.is_some())
                .then(|| design::DesignTotals::new(codebook, codebook.design.as_ref())),
        }
    }

    /// Adds one respondent (a validated row of this table's codebook; its weight is
    /// stored under this table's weight scale).
    pub fn add(&mut self, r: &Response) {
        let g = r.group;
        self.respondents[g] += 1;
        for (q, answer) in self.questions.iter_mut().zip(&r.answers) {
            match answer {
                Some(o) => {
                    q.counts[[*o, g]] += 1;
                    q.weights[[*o, g]] += r.weight;
                    q.weights_sq[[*o, g]] += r.weight * r.weight;
                }
                None => {
                    q.missing[g] += 1;
                    q.missing_weights[g] += r.weight;
                }
            }
        }
        for p in &mut self.pairs {
            if let (Some(a), Some(b)) = (r.answers[p.a], r.answers[p.b]) {
                p.joint[[g, usize::from(a == 0), usize::from(b == 0)]] += 1;
            }
        }
        if let Some(d) = &mut self.design {
            d.add(&self.questions, r);
        }
    }

    /// Makes this (empty) table one of weights calibrated by `weights`: every
    /// respondent then added through [`adder`](Self::adder) has its weight and replicate
    /// weights multiplied by its calibration cell's factors, and the design totals keep
    /// what the calibrated variance needs.
    pub fn calibrate(&mut self, codebook: &Codebook, weights: &crate::data::weighting::Weights) {
        self.design
            .get_or_insert_with(|| design::DesignTotals::new(codebook, codebook.design.as_ref()))
            .calibrate(codebook, weights);
    }

    /// A callback adding respondents to this table, their weights calibrated when the
    /// table is ([`calibrate`](Self::calibrate)).
    pub fn adder(&mut self) -> impl FnMut(&Response) + '_ {
        let factors = self
            .design
            .as_ref()
            .and_then(|d| d.calibration.as_ref())
            .map(|c| (c.adjustment.g.clone(), c.replicate_factors.clone()));
        let mut scaled = Response::default();
        move |r: &Response| match &factors {
            None => self.add(r),
            Some((g, replicates)) => {
                crate::data::weighting::scale(r, g, replicates, &mut scaled);
                self.add(&scaled);
            }
        }
    }

    /// Whether any weight sum is non-zero.
    fn has_weights(&self) -> bool {
        self.questions.iter().any(|q| {
            q.weights.iter().any(|w| *w != 0.0) || q.missing_weights.iter().any(|w| *w != 0.0)
        })
    }

    /// The same table with its weight sums expressed under `scale` (tables compared
    /// with each other, such as waves, must share one scale).
    ///
    /// # Errors
    /// [`MergeError`] when a sum would overflow or vanish under `scale`.
    pub fn rescaled(&self, scale: WeightScale) -> Result<CountTable, MergeError> {
        let from = self.weight_scale;
        let fail = || {
            MergeError(format!(
                "the weights of the tables differ by more than a factor of 2^{}",
                crate::data::weight::MAX_SPREAD_LOG2
            ))
        };
        let mut t = self.clone();
        t.weight_scale = scale;
        for q in &mut t.questions {
            for (arr, power) in [(&mut q.weights, 1), (&mut q.weights_sq, 2)] {
                for v in arr.iter_mut() {
                    *v = from.convert(*v, scale, power).ok_or_else(fail)?;
                }
            }
            for v in &mut q.missing_weights {
                *v = from.convert(*v, scale, 1).ok_or_else(fail)?;
            }
        }
        if let Some(d) = &mut t.design {
            d.rescale(from, scale).ok_or_else(fail)?;
        }
        Ok(t)
    }

    /// Adds another table of the same codebook.
    ///
    /// # Errors
    /// [`MergeError`] when the shapes differ, a count would overflow, or the weights
    /// are too far apart to be summed.
    pub fn merge(&mut self, other: &CountTable) -> Result<(), MergeError> {
        self.same_shape(other)?;
        let rescaled;
        let other = if other.weight_scale == self.weight_scale {
            other
        } else if !self.has_weights() {
            *self = self.rescaled(other.weight_scale)?;
            other
        } else {
            rescaled = other.rescaled(self.weight_scale)?;
            &rescaled
        };
        let overflow = || MergeError("a count overflows when the tables are added".into());
        let add = |a: &mut u64, b: u64| -> Result<(), MergeError> {
            *a = a.checked_add(b).ok_or_else(overflow)?;
            Ok(())
        };
        let mut merged = self.clone();
        for (a, b) in merged.respondents.iter_mut().zip(&other.respondents) {
            add(a, *b)?;
        }
        for (a, b) in merged.questions.iter_mut().zip(&other.questions) {
            for (x, y) in a.counts.iter_mut().zip(&b.counts) {
                add(x, *y)?;
            }
            a.weights += &b.weights;
            a.weights_sq += &b.weights_sq;
            for (x, y) in a.missing.iter_mut().zip(&b.missing) {
                add(x, *y)?;
            }
            for (x, y) in a.missing_weights.iter_mut().zip(&b.missing_weights) {
                *x += y;
            }
        }
        for (a, b) in merged.pairs.iter_mut().zip(&other.pairs) {
            for (x, y) in a.joint.iter_mut().zip(&b.joint) {
                add(x, *y)?;
            }
        }
        match (&mut merged.design, &other.design) {
            (Some(a), Some(b)) => a.merge(b)?,
            (None, None) => {}
            _ => {
                return Err(MergeError(
                    "one table has design totals and the other has none".into(),
                ));
            }
        }
        *self = merged;
        Ok(())
    }

    fn same_shape(&self, other: &CountTable) -> Result<(), MergeError> {
        if self.groups != other.groups
            || self.respondents.len() != other.respondents.len()
            || self.questions.len() != other.questions.len()
        {
            return Err(MergeError("different number of groups or questions".into()));
        }
        for (i, (a, b)) in self.questions.iter().zip(&other.questions).enumerate() {
            if a.counts.dim() != b.counts.dim()
                || a.weights.dim() != b.weights.dim()
                || a.weights_sq.dim() != b.weights_sq.dim()
                || a.missing.len() != b.missing.len()
                || a.missing_weights.len() != b.missing_weights.len()
            {
                return Err(MergeError(format!("question {} has a different shape", i + 1)));
            }
        }
        if self.pairs.len() != other.pairs.len()
            || self
                .pairs
                .iter()
                .zip(&other.pairs)
                .any(|(a, b)| (a.a, a.b) != (b.a, b.b) || a.joint.dim() != b.joint.dim())
        {
            return Err(MergeError("different question pairs".into()));
        }
        Ok(())
    }

    /// Checks a table (read from a file or merged) against its codebook: shapes, the
    /// answers and missing answers of every question adding up to its group's
    /// respondents, at most [`MAX_TRIALS`] respondents per group, weight sums finite and
    /// not negative, zero where there are no respondents, and consistent with their
    /// sums of squares.
    ///
    /// # Errors
    /// [`MergeError`] saying which question, answer and group is wrong, and how.
    pub fn validate(&self, codebook: &Codebook) -> Result<(), MergeError> {
        let err = |m: String| Err(MergeError(m));
        let levels = &codebook.grouping.levels;
        let g = levels.len();
        if self.groups != g || self.respondents.len() != g {
            return err(format!(
                "{} groups with {} respondent counts; the codebook has {g} groups",
                self.groups,
                self.respondents.len()
            ));
        }
        if self.questions.len() != codebook.questions.len() {
            return err(format!(
                "{} questions; the codebook has {}",
                self.questions.len(),
                codebook.questions.len()
            ));
        }
        for (gi, &n) in self.respondents.iter().enumerate() {
            if n > MAX_TRIALS {
                return err(format!(
                    "group '{}' has {n} respondents, more than the {MAX_TRIALS} invitestat computes with",
                    levels[gi].id
                ));
            }
        }
        for (q, c) in codebook.questions.iter().zip(&self.questions) {
            let shape = (q.options.len(), g);
            for (name, dim) in [
                ("counts", c.counts.dim()),
                ("weights", c.weights.dim()),
                ("weights_sq", c.weights_sq.dim()),
            ] {
                if dim != shape {
                    return err(format!(
                        "question '{}': {name} has shape {}x{}; expected {}x{} (answers x groups)",
                        q.id, dim.0, dim.1, shape.0, shape.1
                    ));
                }
            }
            for (name, len) in
                [("missing", c.missing.len()), ("missing_weights", c.missing_weights.len())]
            {
                if len != g {
                    return err(format!(
                        "question '{}': {name} has {len} entries; expected {g} (one per group)",
                        q.id
                    ));
                }
            }
            for (gi, l) in levels.iter().enumerate() {
                let answered = (0..shape.0).try_fold(0u64, |t, o| t.checked_add(c.counts[[o, gi]]));
                let total = answered.and_then(|a| a.checked_add(c.missing[gi]));
                if total != Some(self.respondents[gi]) {
                    return err(format!(
                        "question '{}', group '{}': {} answers and {} missing make {}, but the group has {} respondents; expected them to add up",
                        q.id,
                        l.id,
                        answered.map_or("too many".into(), |a| a.to_string()),
                        c.missing[gi],
                        total.map_or("more than 2^64".into(), |t| t.to_string()),
                        self.respondents[gi]
                    ));
                }
                for (o, opt) in q.options.iter().enumerate() {
                    let (n, w, w2) = (c.counts[[o, gi]], c.weights[[o, gi]], c.weights_sq[[o, gi]]);
                    check_weights(n, w, Some(w2)).map_err(|why| {
                        MergeError(format!(
                            "question '{}', answer '{}', group '{}': {why}",
                            q.id, opt.code, l.id
                        ))
                    })?;
                }
                check_weights(c.missing[gi], c.missing_weights[gi], None).map_err(|why| {
                    MergeError(format!(
                        "question '{}', missing answers, group '{}': {why}",
                        q.id, l.id
                    ))
                })?;
            }
        }
        match (&self.design, &codebook.design) {
            (Some(d), Some(_)) => d.validate(codebook, self.total())?,
            (None, None) => {}
            (None, Some(_)) => {
                return err(
                    "no design totals, but the codebook declares a design; expected the table counted with it".into(),
                );
            }
            (Some(_), None) => {
                return err("design totals, but the codebook declares no design".into());
            }
        }
        if let Some((code, psus, n)) = self.design.as_ref().and_then(|d| d.oversampled_stratum()) {
            return err(format!(
                "stratum '{}': {psus} PSUs sampled but an fpc of {n} in the population; expected at least as many in the population",
                crate::format::echo(&code)
            ));
        }
        let expected_pairs = codebook.paired_questions();
        let set_of = |q: usize| match codebook.questions[q].source {
            Source::Answer { set, .. } => Some(set),
            _ => None,
        };
        // Every two answers of a multi-response question have their joint table, and it
        // holds exactly the respondents who answered the question.
        for &(a, b) in &expected_pairs {
            if set_of(a).is_some()
                && set_of(a) == set_of(b)
                && !self.pairs.iter().any(|p| (p.a, p.b) == (a, b))
            {
                return err(format!(
                    "no joint table of '{}' and '{}', two answers of one multi-response question; expected one for every two answers (rows '{}&{}' in long format)",
                    codebook.questions[a].id,
                    codebook.questions[b].id,
                    codebook.questions[a].id,
                    codebook.questions[b].id
                ));
            }
        }
        for p in &self.pairs {
            if !expected_pairs.contains(&(p.a, p.b)) {
                return err(format!(
                    "a joint table of questions {} and {} that no paired claim uses",
                    p.a + 1,
                    p.b + 1
                ));
            }
            if p.joint.dim() != (g, 2, 2) {
                let (x, y, z) = p.joint.dim();
                return err(format!(
                    "a joint table has shape {x}x{y}x{z}; expected {g}x2x2 (groups x 2 x 2)"
                ));
            }
            let qa = &self.questions[p.a];
            let qb = &self.questions[p.b];
            for (gi, level) in levels.iter().enumerate() {
                let cell = |a: usize, b: usize| p.joint[[gi, a, b]];
                let both = [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)]
                    .iter()
                    .try_fold(0u64, |t, v| t.checked_add(*v));
                let a_first = cell(1, 0).checked_add(cell(1, 1));
                let b_first = cell(0, 1).checked_add(cell(1, 1));
                if set_of(p.a).is_some() && set_of(p.a) == set_of(p.b) {
                    let exact = both == Some(qa.answered(gi))
                        && qa.answered(gi) == qb.answered(gi)
                        && a_first == Some(qa.count(0, gi))
                        && b_first == Some(qb.count(0, gi));
                    if !exact {
                        return err(format!(
                            "the joint answers of '{}' and '{}' in group '{}' are {}; expected {}, the respondents answering their multi-response question, with {} and {} ticking each",
                            codebook.questions[p.a].id,
                            codebook.questions[p.b].id,
                            level.id,
                            both.map_or("more than 2^64".into(), |b| b.to_string()),
                            qa.answered(gi),
                            qa.count(0, gi),
                            qb.count(0, gi)
                        ));
                    }
                }
                if both.is_none_or(|b| b > qa.answered(gi).min(qb.answered(gi)))
                    || a_first.is_none_or(|a| a > qa.count(0, gi))
                    || b_first.is_none_or(|b| b > qb.count(0, gi))
                {
                    return err(format!(
                        "the joint answers of '{}' and '{}' in group '{}' exceed the answers to each question",
                        codebook.questions[p.a].id, codebook.questions[p.b].id, level.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Total respondents.
    pub fn total(&self) -> u64 {
        self.respondents.iter().sum()
    }

    /// The `(successes, n)` of an option in a group (`group = None` for everyone).
    pub fn option_counts(
        &self,
        question: usize,
        option: usize,
        group: Option<usize>,
    ) -> (u64, u64) {
        let q = &self.questions[question];
        match group {
            Some(g) => (q.count(option, g), q.answered(g)),
            None => (
                (0..self.groups).map(|g| q.count(option, g)).sum(),
                (0..self.groups).map(|g| q.answered(g)).sum(),
            ),
        }
    }

    /// The weighted sufficient statistics of one option in one group: chosen vs any
    /// other answer.
    pub fn weighted_counts(&self, question: usize, option: usize, group: usize) -> WeightedCounts {
        let q = &self.questions[question];
        let col = |a: &Array2<f64>| a.column(group).sum();
        let (w, w2) = (q.weights[[option, group]], q.weights_sq[[option, group]]);
        WeightedCounts {
            n: q.answered(group),
            w_yes: w,
            w_no: col(&q.weights) - w,
            w2_yes: w2,
            w2_no: col(&q.weights_sq) - w2,
            n_skipped: q.missing[group],
            w_skipped: q.missing_weights[group],
        }
    }
}

impl CountTable {
    /// The full-sample weight of each answered cell of a question, `option * groups +
    /// group` (the cells of [`question_design`](Self::question_design)).
    pub fn cell_totals(&self, question: usize) -> Vec<f64> {
        self.questions[question].weights.iter().copied().collect()
    }

    /// The sampling design of a question's cells: the codebook's declared design, or
    /// without one a single stratum of respondents, each its own PSU (R
    /// `svydesign(ids = ~1, weights = ~w)`).
    pub fn question_design(&self, codebook: &Codebook, question: usize) -> Design {
        match &self.design {
            Some(d) => d.question_design(codebook, question),
            None => {
                let q = &self.questions[question];
                Design::Linearised(Linearised {
                    strata: vec![Stratum {
                        name: String::new(),
                        psus: self.total(),
                        fraction: 0.0,
                        units: Units::Elements {
                            totals: q.weights.iter().copied().collect(),
                            squares: q.weights_sq.iter().copied().collect(),
                            products: Vec::new(),
                        },
                    }],
                    lonely: LonelyPsu::Fail,
                    calibration: None,
                })
            }
        }
    }

    /// Degrees of freedom (R `degf`) of the whole design (`None`) or of a group taken
    /// with `subset()`; see [`design::DesignTotals::df`]. Without a declared design, the
    /// group's respondents minus one.
    pub fn design_df(&self, group: Option<usize>) -> f64 {
        match (&self.design, group) {
            (Some(d), _) => d.df(group),
            (None, Some(g)) => crate::stats::weighted::domain_df(self.respondents[g]),
            (None, None) => crate::stats::weighted::domain_df(self.total()),
        }
    }
}

/// What the reader of an analysis of `table` should be warned of: questions that
/// nobody (or nobody in a group) answered, groups with fewer than `min_base`
/// respondents, and respondents with weight 0.
pub fn data_warnings(
    codebook: &Codebook,
    table: &CountTable,
    zero_weights: u64,
    min_base: u64,
) -> Vec<String> {
    let levels = &codebook.grouping.levels;
    let mut out = Vec::new();
    for (g, l) in levels.iter().enumerate() {
        let n = table.respondents.get(g).copied().unwrap_or(0);
        if n == 0 {
            out.push(format!("group \"{}\" has no respondents", l.label));
        } else if n < min_base {
            out.push(format!(
                "group \"{}\" has {n} respondents, below the minimum base of {min_base}: its shares are flagged",
                l.label
            ));
        }
    }
    for (q, c) in codebook.questions.iter().zip(&table.questions) {
        let answered: Vec<u64> = (0..table.groups).map(|g| c.answered(g)).collect();
        if answered.iter().all(|&a| a == 0) {
            out.push(format!("question \"{}\" was answered by nobody", q.display_label()));
            continue;
        }
        let silent: Vec<&str> = levels
            .iter()
            .zip(&answered)
            .zip(&table.respondents)
            .filter(|((_, a), r)| **a == 0 && **r > 0)
            .map(|((l, _), _)| l.label.as_str())
            .collect();
        if !silent.is_empty() {
            out.push(format!(
                "question \"{}\" was answered by nobody in {}",
                q.display_label(),
                silent.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if let (Some(d), Some(design)) = (&table.design, &codebook.design)
        && design.lonely_psu == LonelyPsu::Fail
    {
        let lonely = d.lonely_strata();
        if !lonely.is_empty() {
            out.push(format!(
                "{} stratum(s) have a single PSU ({}) and lonely_psu is \"fail\", as R's default: no weighted share, comparison or Rao-Scott test is given; expected two or more PSUs per stratum, or lonely_psu = \"remove\", \"adjust\", \"average\" or \"certainty\"",
                lonely.len(),
                crate::format::name_list(
                    &lonely.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>(),
                    10
                )
            ));
        }
    }
    if zero_weights > 0 {
        out.push(format!(
            "{zero_weights} respondent(s) have weight 0: counted in unweighted results, contributing nothing to weighted ones"
        ));
    }
    out
}

/// Checks a cell's weight sum (and sum of squares) against its count: finite, not
/// negative, zero without respondents, and (for non-negative weights) `sum(w)^2 / n <=
/// sum(w^2) <= sum(w)^2`.
fn check_weights(n: u64, w: f64, w2: Option<f64>) -> Result<(), String> {
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    if !ok(w) {
        return Err(format!("weight sum {w} is not a finite number >= 0"));
    }
    if let Some(w2) = w2
        && !ok(w2)
    {
        return Err(format!("sum of squared weights {w2} is not a finite number >= 0"));
    }
    if n == 0 && (w != 0.0 || w2.is_some_and(|w2| w2 != 0.0)) {
        return Err(format!("no respondents but a weight sum of {w}"));
    }
    if let Some(w2) = w2
        && n > 0
    {
        // w2 <= w^2 and w^2 / n <= w2, divided by w so that nothing overflows.
        let tol = 1.0 + WEIGHT_CHECK_TOLERANCE;
        let bad =
            if w == 0.0 { w2 != 0.0 } else { w2 / w > w * tol || w / n as f64 > w2 / w * tol };
        if bad {
            return Err(format!(
                "weight sum {w} and sum of squared weights {w2} cannot both hold for {n} respondents with weights >= 0"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CODEBOOK: &str = r#"id_column = "id"
weight_column = "w"
[study]
id = "t"
title = "t"
source = "t"
[grouping]
column = "g"
levels = [{ id = "a", code = "1", label = "A" }, { id = "b", code = "2", label = "B" }]
[[questions]]
id = "q1"
text = "Q1?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
[[questions]]
id = "q2"
text = "Q2?"
kind = "single-choice"
options = [{ code = "x", label = "X" }, { code = "y", label = "Y" }, { code = "z", label = "Z" }]
"#;

    fn codebook() -> Codebook {
        Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap()
    }

    fn row(group: usize, weight: f64, q1: Option<usize>, q2: Option<usize>) -> Response {
        Response {
            group,
            weight,
            wave: None,
            answers: vec![q1, q2],
            design: Default::default(),
            row: 0,
            id: 0,
        }
    }

    fn table(rows: &[Response]) -> CountTable {
        let cb = codebook();
        let mut t = CountTable::new(&cb, &[]);
        for r in rows {
            t.add(r);
        }
        t
    }

    #[test]
    fn counts_weights_and_missing_answers_are_kept_per_group() {
        let t = table(&[
            row(0, 2.0, Some(0), Some(2)),
            row(0, 1.0, Some(1), None),
            row(1, 0.5, Some(0), Some(0)),
            row(1, 1.0, None, Some(0)),
        ]);
        assert_eq!(t.respondents, [2, 2]);
        assert_eq!(t.total(), 4);
        // Yes in group a: 1 of 2 answering; in everyone: 2 of 3 answering.
        assert_eq!(t.option_counts(0, 0, Some(0)), (1, 2));
        assert_eq!(t.option_counts(0, 0, None), (2, 3));
        assert_eq!(t.questions[0].missing, [0, 1]);
        assert_eq!(t.questions[1].missing_weights, [1.0, 0.0]);
        let w = t.weighted_counts(0, 0, 0);
        assert_eq!((w.w_yes, w.w_no, w.w2_yes, w.w2_no, w.n), (2.0, 1.0, 4.0, 1.0, 2));
        assert!(t.validate(&codebook()).is_ok());
    }

    #[test]
    fn tables_merge_to_the_table_of_all_rows_whatever_the_split() {
        let rows = [
            row(0, 1.0, Some(0), Some(1)),
            row(1, 3.0, Some(1), Some(2)),
            row(0, 0.25, None, Some(0)),
            row(1, 1.5, Some(0), None),
        ];
        let whole = table(&rows);
        let mut merged = table(&rows[..1]);
        merged.merge(&table(&rows[1..])).unwrap();
        assert_eq!(merged, whole);
        // A table of another codebook's shape is refused, not added.
        let mut other = whole.clone();
        other.groups = 3;
        other.respondents.push(0);
        assert!(merged.merge(&other).is_err());
        assert_eq!(merged, whole);
    }

    #[test]
    fn validation_refuses_counts_above_their_group_and_bad_weights() {
        let mut t = table(&[row(0, 1.0, Some(0), Some(0))]);
        t.questions[0].counts[[0, 0]] = 5;
        assert!(t.validate(&codebook()).is_err());
        let mut t = table(&[row(0, 1.0, Some(0), Some(0))]);
        t.questions[1].weights[[0, 0]] = f64::NAN;
        assert!(t.validate(&codebook()).is_err());
    }

    #[test]
    fn warnings_name_groups_and_questions_by_their_labels() {
        let t = table(&[row(0, 1.0, Some(0), None)]);
        let w = data_warnings(&codebook(), &t, 1, 30);
        assert!(w.contains(&"group \"A\" has 1 respondents, below the minimum base of 30: its shares are flagged".to_string()), "{w:?}");
        assert!(w.contains(&"group \"B\" has no respondents".to_string()), "{w:?}");
        assert!(w.contains(&"question \"Q2?\" was answered by nobody".to_string()), "{w:?}");
        assert!(w.iter().any(|m| m.starts_with("1 respondent(s) have weight 0")), "{w:?}");
    }
}
