//! The totals a sampling design needs, kept beside the counts: per stratum (and, in a
//! clustered design, per PSU) the weight of every answer in every group, or per
//! replicate the same under the replicate's weights. They add up like the counts, keyed
//! by stratum and cluster code, so shards and the halves of a file merge exactly.

use super::{MergeError, QuestionCounts};
use crate::codebook::{Codebook, SurveyDesign};
use crate::data::Response;
use crate::data::weight::WeightScale;
use crate::data::weighting::Weights;
use crate::stats::calibration::Adjustment;
use crate::stats::design::{Calibrated, Design, Linearised, Replicates, RowSpan, Stratum, Units};
use ndarray::{Array2, Array3, Array4};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Sums of weights (and, without clusters, of squared weights) per `[option, group]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellTotals {
    /// Sum of weights.
    pub weights: Array2<f64>,
    /// Sum of squared weights.
    pub weights_sq: Array2<f64>,
    /// Respondents with a positive weight answering, per group.
    pub answering: Vec<u64>,
}

/// One first-stage cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsuTotals {
    /// Respondents with a positive weight, per group.
    pub positive: Vec<u64>,
    /// Sum of weights per question and `[option, group]`.
    pub weights: Vec<Array2<f64>>,
    /// With weights calibrated to margins: the sum of weights per calibration cell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<f64>,
}

/// One stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumTotals {
    /// The fpc read for it (PSUs in the population, or the sampling fraction).
    pub fpc: Option<f64>,
    /// Respondents.
    pub respondents: u64,
    /// Respondents with a positive weight, per group.
    pub positive: Vec<u64>,
    /// Without clusters: per question, the stratum's cell totals (with calibrated
    /// weights, per `[row * cells + cell, group]`, the rows being the options and then
    /// "not answered").
    pub cells: Vec<CellTotals>,
    /// With clusters: the PSUs, by code.
    pub psus: BTreeMap<String, PsuTotals>,
}

/// The totals of a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignTotals {
    /// Whether PSUs are clusters (otherwise each respondent is one).
    pub clustered: bool,
    /// Strata by code (one, named "", without a stratum column).
    pub strata: BTreeMap<String, StratumTotals>,
    /// With replicate weights: per question, `[option, group, replicate]` sums.
    pub replicates: Vec<Array3<f64>>,
    /// With replicate weights: per group, the span of its respondents' replicate
    /// weights (its rank minus one is the group's degrees of freedom).
    pub spans: Vec<RowSpan>,
    /// The span of every respondent's replicate weights.
    pub span: RowSpan,
    /// With weights calibrated to population margins: the calibration and the totals
    /// its variance needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationTotals>,
}

/// The calibration of a table's weights and its totals per calibration cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationTotals {
    /// The factors per cell and how the variance treats them.
    pub adjustment: Adjustment,
    /// Per replicate, its factors per cell.
    pub replicate_factors: Vec<Vec<f64>>,
    /// Per question, `[option, group, cell]` sums of weights.
    pub weights: Vec<Array3<f64>>,
    /// Per question, `[option, group, cell]` respondents of positive weight.
    pub counts: Vec<Array3<f64>>,
    /// Per cell, the sum of every respondent's weight.
    pub cell_weights: Vec<f64>,
    /// Per cell, respondents of positive weight.
    pub cell_respondents: Vec<f64>,
    /// What the weighting did.
    pub summary: crate::data::weighting::WeightingSummary,
}

impl CalibrationTotals {
    /// Calibrated cells.
    fn cells(&self) -> usize {
        self.cell_weights.len()
    }
}

/// Where a row of a long-format count file belongs in a design (see
/// [`DesignTotals::add_long_respondents`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LongUnit {
    /// The stratum's code ("" without a stratum column).
    pub stratum: String,
    /// The cluster's code ("" without clusters).
    pub cluster: String,
    /// The stratum's fpc, on respondents' rows when the design has one.
    pub fpc: Option<f64>,
    /// The row's respondents of positive weight.
    pub positive: u64,
}

fn zeros(questions: &[QuestionCounts]) -> Vec<Array2<f64>> {
    questions.iter().map(|q| Array2::zeros(q.counts.dim())).collect()
}

impl DesignTotals {
    /// Empty totals for the codebook's design (a single stratum of respondents
    /// without one).
    pub fn new(codebook: &Codebook, design: Option<&SurveyDesign>) -> Self {
        let g = codebook.grouping.levels.len();
        let replicates = design.and_then(|d| d.replicates.as_ref()).map_or_else(Vec::new, |r| {
            codebook
                .questions
                .iter()
                .map(|q| Array3::zeros((q.options.len(), g, r.columns.len())))
                .collect()
        });
        let spans = if design.is_some_and(|d| d.replicates.is_some()) {
            vec![RowSpan::default(); g]
        } else {
            Vec::new()
        };
        DesignTotals {
            clustered: design.is_some_and(|d| d.cluster_column.is_some()),
            strata: BTreeMap::new(),
            replicates,
            spans,
            span: RowSpan::default(),
            calibration: None,
        }
    }

    /// Makes the totals those of weights calibrated by `weights` (before any
    /// respondent is added).
    pub fn calibrate(&mut self, codebook: &Codebook, weights: &Weights) {
        let g = codebook.grouping.levels.len();
        let cells = weights.adjustment.g.len();
        let arrays: Vec<Array3<f64>> =
            codebook.questions.iter().map(|q| Array3::zeros((q.options.len(), g, cells))).collect();
        self.calibration = Some(CalibrationTotals {
            adjustment: weights.adjustment.clone(),
            replicate_factors: weights.replicates.clone(),
            counts: arrays.clone(),
            weights: arrays,
            cell_weights: vec![0.0; cells],
            cell_respondents: vec![0.0; cells],
            summary: weights.summary.clone(),
        });
    }

    /// Adds one respondent, of the table whose questions' counts are `questions`.
    pub fn add(&mut self, questions: &[QuestionCounts], r: &Response) {
        let g = r.group;
        let w = r.weight;
        let groups = questions.first().map_or(g + 1, |q| q.counts.ncols());
        let cal_cell = r.design.cell;
        let cal_cells = self.calibration.as_ref().map_or(0, CalibrationTotals::cells);
        if let Some(cal) = &mut self.calibration {
            cal.cell_weights[cal_cell] += w;
            cal.cell_respondents[cal_cell] += f64::from(u8::from(w > 0.0));
            for ((wq, cq), answer) in
                cal.weights.iter_mut().zip(cal.counts.iter_mut()).zip(&r.answers)
            {
                if let Some(o) = answer {
                    wq[[*o, g, cal_cell]] += w;
                    cq[[*o, g, cal_cell]] += f64::from(u8::from(w > 0.0));
                }
            }
        }
        if !self.replicates.is_empty() {
            let reps = r.design.replicates.len();
            for (q, answer) in self.replicates.iter_mut().zip(&r.answers) {
                let Some(o) = answer else { continue };
                // `[option, group, replicate]` in standard layout: one contiguous run.
                let start = (o * groups + g) * reps;
                match q.as_slice_mut() {
                    Some(all) => {
                        for (x, y) in all[start..start + reps].iter_mut().zip(&r.design.replicates)
                        {
                            *x += y;
                        }
                    }
                    None => {
                        let mut cell = q.index_axis_mut(ndarray::Axis(0), *o);
                        for (x, y) in cell
                            .index_axis_mut(ndarray::Axis(0), g)
                            .iter_mut()
                            .zip(&r.design.replicates)
                        {
                            *x += y;
                        }
                    }
                }
            }
            self.spans[g].add(&r.design.replicates);
            self.span.add(&r.design.replicates);
            return;
        }
        let stratum = match self.strata.get_mut(&r.design.stratum) {
            Some(s) => s,
            None => self.strata.entry(r.design.stratum.clone()).or_insert_with(|| StratumTotals {
                fpc: (r.design.fpc > 0.0).then_some(r.design.fpc),
                respondents: 0,
                positive: vec![0; groups],
                cells: if self.clustered {
                    Vec::new()
                } else {
                    questions
                        .iter()
                        .map(|q| {
                            let rows = if cal_cells > 0 {
                                (q.counts.nrows() + 1) * cal_cells
                            } else {
                                q.counts.nrows()
                            };
                            let z = Array2::zeros((rows, groups));
                            CellTotals {
                                weights_sq: z.clone(),
                                weights: z,
                                answering: vec![0; groups],
                            }
                        })
                        .collect()
                },
                psus: BTreeMap::new(),
            }),
        };
        stratum.respondents += 1;
        stratum.positive[g] += u64::from(w > 0.0);
        if self.clustered {
            let psu = match stratum.psus.get_mut(&r.design.cluster) {
                Some(p) => p,
                None => stratum.psus.entry(r.design.cluster.clone()).or_insert_with(|| PsuTotals {
                    positive: vec![0; groups],
                    weights: zeros(questions),
                    cells: vec![0.0; cal_cells],
                }),
            };
            psu.positive[g] += u64::from(w > 0.0);
            if cal_cells > 0 {
                psu.cells[cal_cell] += w;
            }
            for (q, answer) in psu.weights.iter_mut().zip(&r.answers) {
                if let Some(o) = answer {
                    q[[*o, g]] += w;
                }
            }
        } else if let Some(rows_per_answer) = std::num::NonZeroUsize::new(cal_cells) {
            let rows_per_answer = rows_per_answer.get();
            for (q, answer) in stratum.cells.iter_mut().zip(&r.answers) {
                let options = q.weights.nrows() / rows_per_answer - 1;
                let row = answer.unwrap_or(options) * rows_per_answer + cal_cell;
                q.weights[[row, g]] += w;
                q.weights_sq[[row, g]] += w * w;
                q.answering[g] += u64::from(w > 0.0 && answer.is_some());
            }
        } else {
            for (q, answer) in stratum.cells.iter_mut().zip(&r.answers) {
                if let Some(o) = answer {
                    q.weights[[*o, g]] += w;
                    q.weights_sq[[*o, g]] += w * w;
                    q.answering[g] += u64::from(w > 0.0);
                }
            }
        }
    }

    /// The totals of stratum `code`, new ones (fpc unknown) when not yet seen.
    fn stratum_mut(&mut self, questions: &[QuestionCounts], code: &str) -> &mut StratumTotals {
        let groups = questions.first().map_or(0, |q| q.counts.ncols());
        let clustered = self.clustered;
        self.strata.entry(code.to_string()).or_insert_with(|| StratumTotals {
            fpc: None,
            respondents: 0,
            positive: vec![0; groups],
            cells: if clustered {
                Vec::new()
            } else {
                questions
                    .iter()
                    .map(|q| CellTotals {
                        weights: Array2::zeros(q.counts.dim()),
                        weights_sq: Array2::zeros(q.counts.dim()),
                        answering: vec![0; groups],
                    })
                    .collect()
            },
            psus: BTreeMap::new(),
        })
    }

    /// The totals of `unit`'s PSU (clustered designs), new ones when not yet seen.
    fn psu_mut(&mut self, questions: &[QuestionCounts], unit: &LongUnit) -> &mut PsuTotals {
        let groups = questions.first().map_or(0, |q| q.counts.ncols());
        self.stratum_mut(questions, &unit.stratum).psus.entry(unit.cluster.clone()).or_insert_with(
            || PsuTotals {
                positive: vec![0; groups],
                weights: zeros(questions),
                cells: Vec::new(),
            },
        )
    }

    /// Adds `respondents` of `group` in `unit` (a row `*,*` of a long-format count file
    /// of a design, as `invitestat sql` writes it).
    ///
    /// # Errors
    /// The message when the unit's fpc differs from one its stratum already has.
    pub fn add_long_respondents(
        &mut self,
        questions: &[QuestionCounts],
        unit: &LongUnit,
        group: usize,
        respondents: u64,
    ) -> Result<(), String> {
        let clustered = self.clustered;
        let stratum = self.stratum_mut(questions, &unit.stratum);
        match (stratum.fpc, unit.fpc) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "fpc {b} for stratum '{}', which another row gives as {a}; expected one fpc per stratum",
                    crate::format::echo(&unit.stratum)
                ));
            }
            (None, Some(b)) => stratum.fpc = Some(b),
            _ => {}
        }
        stratum.respondents = stratum.respondents.saturating_add(respondents);
        stratum.positive[group] = stratum.positive[group].saturating_add(unit.positive);
        if clustered {
            let psu = self.psu_mut(questions, unit);
            psu.positive[group] = psu.positive[group].saturating_add(unit.positive);
        }
        Ok(())
    }

    /// Adds the weights of the respondents of `group` in `unit` who gave answer `option`
    /// to `question` (`(question, option, group)`; weights in the table's scale).
    pub fn add_long_answers(
        &mut self,
        questions: &[QuestionCounts],
        unit: &LongUnit,
        (question, option, group): (usize, usize, usize),
        weights: f64,
        weights_sq: f64,
    ) {
        if self.clustered {
            self.psu_mut(questions, unit).weights[question][[option, group]] += weights;
        } else {
            let cell = &mut self.stratum_mut(questions, &unit.stratum).cells[question];
            cell.weights[[option, group]] += weights;
            cell.weights_sq[[option, group]] += weights_sq;
            cell.answering[group] = cell.answering[group].saturating_add(unit.positive);
        }
    }

    /// Adds the totals of another part of the same design.
    ///
    /// # Errors
    /// [`MergeError`] when the parts disagree on a stratum's fpc or on their shape.
    pub fn merge(&mut self, other: &DesignTotals) -> Result<(), MergeError> {
        if self.clustered != other.clustered || self.replicates.len() != other.replicates.len() {
            return Err(MergeError("the tables have different designs".into()));
        }
        let shape = || MergeError("the design totals have different shapes".into());
        for (a, b) in self.replicates.iter_mut().zip(&other.replicates) {
            if a.dim() != b.dim() {
                return Err(shape());
            }
            *a += b;
        }
        if self.spans.len() != other.spans.len() {
            return Err(shape());
        }
        for (a, b) in self.spans.iter_mut().zip(&other.spans) {
            a.merge(b);
        }
        self.span.merge(&other.span);
        match (&mut self.calibration, &other.calibration) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                if a.adjustment != b.adjustment || a.replicate_factors != b.replicate_factors {
                    return Err(MergeError(
                        "the tables' weights were calibrated separately; expected one table counted from the whole file (calibration depends on the whole sample)".into(),
                    ));
                }
                if a.weights.len() != b.weights.len()
                    || a.cell_weights.len() != b.cell_weights.len()
                {
                    return Err(shape());
                }
                for (x, y) in
                    a.weights.iter_mut().zip(&b.weights).chain(a.counts.iter_mut().zip(&b.counts))
                {
                    if x.dim() != y.dim() {
                        return Err(shape());
                    }
                    *x += y;
                }
                for (x, y) in a.cell_weights.iter_mut().zip(&b.cell_weights) {
                    *x += y;
                }
                for (x, y) in a.cell_respondents.iter_mut().zip(&b.cell_respondents) {
                    *x += y;
                }
            }
            _ => {
                return Err(MergeError(
                    "one table has calibrated weights and the other not".into(),
                ));
            }
        }
        for (code, s) in &other.strata {
            let Some(mine) = self.strata.get_mut(code) else {
                self.strata.insert(code.clone(), s.clone());
                continue;
            };
            if mine.fpc != s.fpc {
                return Err(MergeError(format!(
                    "stratum '{}' has fpc {} in one table and {} in another; expected one fpc per stratum",
                    crate::format::echo(code),
                    mine.fpc.map_or("none".into(), |f| f.to_string()),
                    s.fpc.map_or("none".into(), |f| f.to_string())
                )));
            }
            if mine.positive.len() != s.positive.len() || mine.cells.len() != s.cells.len() {
                return Err(shape());
            }
            mine.respondents = mine.respondents.checked_add(s.respondents).ok_or_else(shape)?;
            for (x, y) in mine.positive.iter_mut().zip(&s.positive) {
                *x += y;
            }
            for (a, b) in mine.cells.iter_mut().zip(&s.cells) {
                if a.weights.dim() != b.weights.dim()
                    || a.weights_sq.dim() != b.weights_sq.dim()
                    || a.answering.len() != b.answering.len()
                {
                    return Err(shape());
                }
                a.weights += &b.weights;
                a.weights_sq += &b.weights_sq;
                for (x, y) in a.answering.iter_mut().zip(&b.answering) {
                    *x += y;
                }
            }
            for (code, p) in &s.psus {
                match mine.psus.get_mut(code) {
                    None => {
                        mine.psus.insert(code.clone(), p.clone());
                    }
                    Some(q) => {
                        if q.weights.len() != p.weights.len()
                            || q.positive.len() != p.positive.len()
                        {
                            return Err(shape());
                        }
                        for (x, y) in q.positive.iter_mut().zip(&p.positive) {
                            *x += y;
                        }
                        if q.cells.len() != p.cells.len() {
                            return Err(shape());
                        }
                        for (x, y) in q.cells.iter_mut().zip(&p.cells) {
                            *x += y;
                        }
                        for (a, b) in q.weights.iter_mut().zip(&p.weights) {
                            if a.dim() != b.dim() {
                                return Err(shape());
                            }
                            *a += b;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The same totals stored under `to` instead of `from`.
    pub fn rescale(&mut self, from: WeightScale, to: WeightScale) -> Option<()> {
        let conv = |v: &mut f64, power| -> Option<()> {
            *v = from.convert(*v, to, power)?;
            Some(())
        };
        for q in &mut self.replicates {
            for v in q.iter_mut() {
                conv(v, 1)?;
            }
        }
        if let Some(c) = &mut self.calibration {
            for q in &mut c.weights {
                for v in q.iter_mut() {
                    conv(v, 1)?;
                }
            }
            for v in &mut c.cell_weights {
                conv(v, 1)?;
            }
        }
        // A span is unchanged by a common factor.
        for s in self.strata.values_mut() {
            for c in &mut s.cells {
                for v in c.weights.iter_mut() {
                    conv(v, 1)?;
                }
                for v in c.weights_sq.iter_mut() {
                    conv(v, 2)?;
                }
            }
            for p in s.psus.values_mut() {
                for q in &mut p.weights {
                    for v in q.iter_mut() {
                        conv(v, 1)?;
                    }
                }
                for v in &mut p.cells {
                    conv(v, 1)?;
                }
            }
        }
        Some(())
    }

    /// Checks the totals against the codebook and the table's respondents.
    ///
    /// # Errors
    /// [`MergeError`] naming what does not fit.
    pub fn validate(&self, codebook: &Codebook, respondents: u64) -> Result<(), MergeError> {
        let err = |m: String| Err(MergeError(m));
        let g = codebook.grouping.levels.len();
        let design = codebook.design.as_ref();
        if design.is_none() && codebook.weighting.is_none() {
            return err(
                "design totals, but the codebook declares no design and no weighting".into()
            );
        }
        let cal_cells = match (&self.calibration, &codebook.weighting) {
            (None, None) => 0,
            (Some(c), Some(w)) => {
                let cells = w.cells();
                let ok = c.cell_weights.len() == cells
                    && c.cell_respondents.len() == cells
                    && c.adjustment.g.len() == cells
                    && c.weights.len() == codebook.questions.len()
                    && c.counts.len() == codebook.questions.len()
                    && c.weights
                        .iter()
                        .chain(&c.counts)
                        .zip(codebook.questions.iter().chain(&codebook.questions))
                        .all(|(a, q)| a.dim() == (q.options.len(), g, cells))
                    && c.weights.iter().all(|a| a.iter().all(|v| v.is_finite() && *v >= 0.0))
                    && c.cell_weights.iter().all(|v| v.is_finite() && *v >= 0.0);
                if !ok {
                    return err(format!(
                        "the calibration totals do not have the codebook's shape ({cells} calibration cells)"
                    ));
                }
                cells
            }
            (None, Some(_)) => {
                return err(
                    "the codebook calibrates its weights but the table has no calibration".into()
                );
            }
            (Some(_), None) => {
                return err(
                    "the table's weights were calibrated but the codebook declares no weighting"
                        .into(),
                );
            }
        };
        let shapes: Vec<(usize, usize)> =
            codebook.questions.iter().map(|q| (q.options.len(), g)).collect();
        let cell_shapes: Vec<(usize, usize)> = codebook
            .questions
            .iter()
            .map(|q| {
                if cal_cells > 0 {
                    ((q.options.len() + 1) * cal_cells, g)
                } else {
                    (q.options.len(), g)
                }
            })
            .collect();
        let finite = |a: &Array2<f64>| a.iter().all(|v| v.is_finite() && *v >= 0.0);
        if let Some(r) = design.and_then(|d| d.replicates.as_ref()) {
            let ok = self.replicates.len() == shapes.len()
                && self
                    .replicates
                    .iter()
                    .zip(&shapes)
                    .all(|(a, s)| a.dim() == (s.0, s.1, r.columns.len()))
                && self.spans.len() == g
                && self.strata.is_empty();
            if !ok {
                return err(format!(
                    "the replicate totals do not have the codebook's shape (questions x answers x groups x {} replicates)",
                    r.columns.len()
                ));
            }
            if self.replicates.iter().any(|a| a.iter().any(|v| !(v.is_finite() && *v >= 0.0))) {
                return err("a replicate weight sum is not a finite number >= 0".into());
            }
            return Ok(());
        }
        let clustered = design.is_some_and(|d| d.cluster_column.is_some());
        let has_fpc = design.is_some_and(|d| d.fpc_column.is_some());
        if self.clustered != clustered || !self.replicates.is_empty() {
            return err("the design totals are of another design than the codebook's".into());
        }
        let mut total = 0u64;
        for (code, s) in &self.strata {
            total = total.saturating_add(s.respondents);
            let name = crate::format::echo(code);
            if s.positive.len() != g || s.positive.iter().sum::<u64>() > s.respondents {
                return err(format!("stratum '{name}': its respondents per group do not fit"));
            }
            if s.fpc.is_some() != has_fpc || s.fpc.is_some_and(|f| !(f.is_finite() && f > 0.0)) {
                return err(format!("stratum '{name}': its fpc does not fit the codebook"));
            }
            if self.clustered {
                if !s.cells.is_empty() || s.psus.is_empty() {
                    return err(format!("stratum '{name}' has no PSUs"));
                }
                for p in s.psus.values() {
                    let ok = p.positive.len() == g
                        && p.cells.len() == cal_cells
                        && p.cells.iter().all(|v| v.is_finite() && *v >= 0.0)
                        && p.weights.len() == shapes.len()
                        && p.weights.iter().zip(&shapes).all(|(a, sh)| a.dim() == *sh && finite(a));
                    if !ok {
                        return err(format!("stratum '{name}': a PSU's totals do not fit"));
                    }
                }
            } else {
                let ok = s.cells.len() == cell_shapes.len()
                    && s.cells.iter().zip(&cell_shapes).all(|(c, sh)| {
                        c.weights.dim() == *sh
                            && c.weights_sq.dim() == *sh
                            && c.answering.len() == g
                            && c.answering.iter().sum::<u64>() <= s.respondents
                            && finite(&c.weights)
                            && finite(&c.weights_sq)
                    });
                if !ok {
                    return err(format!("stratum '{name}': its totals do not fit"));
                }
            }
        }
        if total != respondents {
            return err(format!(
                "the strata hold {total} respondents; expected {respondents}, the table's"
            ));
        }
        Ok(())
    }

    /// The design of one question's cells (`option * groups + group`).
    pub fn question_design(&self, codebook: &Codebook, question: usize) -> Design {
        let groups = codebook.grouping.levels.len();
        let flat = |a: &Array2<f64>| a.iter().copied().collect::<Vec<f64>>();
        let design = codebook.design.as_ref();
        if let Some(r) = design.and_then(|d| d.replicates.as_ref()) {
            let a = &self.replicates[question];
            let (options, _, reps) = a.dim();
            let totals = (0..reps)
                .map(|rep| {
                    (0..options)
                        .flat_map(|o| (0..groups).map(move |g| (o, g)))
                        .map(|(o, g)| a[[o, g, rep]])
                        .collect()
                })
                .collect();
            return Design::Replicates(Replicates { totals, scales: r.scales.clone() });
        }
        // R reads an fpc as sampling fractions when every value is at most 1.
        let fractions = self.strata.values().all(|s| s.fpc.is_none_or(|f| f <= 1.0));
        let strata = self
            .strata
            .iter()
            .map(|(code, s)| {
                let psus = if self.clustered { s.psus.len() as u64 } else { s.respondents };
                let fraction = sampling_fraction(s.fpc, fractions, psus);
                let units = if self.clustered {
                    Units::Clusters(
                        s.psus
                            .values()
                            .map(|p| {
                                let mut t = flat(&p.weights[question]);
                                t.extend_from_slice(&p.cells);
                                t
                            })
                            .collect(),
                    )
                } else {
                    let c = &s.cells[question];
                    Units::Elements {
                        totals: flat(&c.weights),
                        squares: flat(&c.weights_sq),
                        products: Vec::new(),
                    }
                };
                Stratum { name: code.clone(), psus, fraction, units }
            })
            .collect();
        let lonely = design.map(|d| d.lonely_psu).unwrap_or_default();
        let calibration = self.calibration.as_ref().map(|c| {
            let (w, n) = (&c.weights[question], &c.counts[question]);
            let (options, groups, cells) = w.dim();
            let per_cell = |a: &Array3<f64>| -> Vec<Vec<f64>> {
                (0..options)
                    .flat_map(|o| (0..groups).map(move |g| (o, g)))
                    .map(|(o, g)| (0..cells).map(|k| a[[o, g, k]]).collect())
                    .collect()
            };
            Box::new(Calibrated {
                adjustment: c.adjustment.clone(),
                options,
                groups,
                weights: per_cell(w),
                counts: per_cell(n),
                cell_weights: c.cell_weights.clone(),
                cell_counts: c.cell_respondents.clone(),
            })
        });
        Design::Linearised(Linearised { strata, lonely, calibration })
    }

    /// The degrees of freedom of a group's respondents answering `question` (R `degf`
    /// of the subset a model such as `svyglm` keeps after dropping missing answers):
    /// PSUs with a respondent of positive weight answering, minus their strata. `None`
    /// under replicate weights.
    pub fn answering_df(&self, question: usize, group: usize) -> Option<f64> {
        if !self.spans.is_empty() {
            return None;
        }
        let (mut psus, mut strata) = (0u64, 0u64);
        for s in self.strata.values() {
            let n = if self.clustered {
                s.psus.values().filter(|p| p.weights[question].column(group).sum() > 0.0).count()
                    as u64
            } else {
                s.cells[question].answering[group]
            };
            psus += n;
            strata += u64::from(n > 0);
        }
        Some(crate::stats::design::linearised_df(psus, strata))
    }

    /// The strata with a single PSU (respondent, without clusters), by code.
    pub fn lonely_strata(&self) -> Vec<&str> {
        self.strata
            .iter()
            .filter(|(_, s)| {
                (if self.clustered { s.psus.len() as u64 } else { s.respondents }) == 1
            })
            .map(|(code, _)| code.as_str())
            .collect()
    }

    /// A stratum whose fpc says fewer PSUs are in the population than were sampled.
    pub fn oversampled_stratum(&self) -> Option<(String, u64, f64)> {
        let fractions = self.strata.values().all(|s| s.fpc.is_none_or(|f| f <= 1.0));
        if fractions {
            return None;
        }
        self.strata.iter().find_map(|(code, s)| {
            let psus = if self.clustered { s.psus.len() as u64 } else { s.respondents };
            s.fpc.filter(|&n| n < psus as f64).map(|n| (code.clone(), psus, n))
        })
    }

    /// Degrees of freedom (R `degf`): of the whole design (`group = None`, R's `nu` in
    /// `svychisq`: PSUs minus strata, or the replicate weights' rank minus one), or of a
    /// group taken with `subset()` (its PSUs with a positive weight minus their strata).
    pub fn df(&self, group: Option<usize>) -> f64 {
        if !self.spans.is_empty() {
            let rank = match group {
                None => self.span.rank(),
                Some(g) => self.spans[g].rank(),
            };
            return (rank as f64 - 1.0).max(1.0);
        }
        let (mut psus, mut strata) = (0u64, 0u64);
        for s in self.strata.values() {
            let n = if self.clustered {
                s.psus.values().filter(|p| group.is_none_or(|g| p.positive[g] > 0)).count() as u64
            } else {
                match group {
                    None => s.respondents,
                    Some(g) => s.positive[g],
                }
            };
            psus += n;
            strata += u64::from(n > 0);
        }
        crate::stats::design::linearised_df(psus, strata)
    }
}

/// A stratum's sampling fraction from its fpc: the fpc itself when every fpc of the
/// design is at most 1 (R reads them as fractions), else its `psus` over the fpc as a
/// population size; 0 (with replacement) without one.
fn sampling_fraction(fpc: Option<f64>, fractions: bool, psus: u64) -> f64 {
    match fpc {
        None => 0.0,
        Some(f) if fractions => f,
        Some(population) => psus as f64 / population,
    }
}

/// Whether the waves of a panel under the codebook's declared design are stacked as one
/// sample ([`stacked_question_design`]): a declared design (strata, clusters, an fpc or
/// replicate weights), without weighting.
pub fn stacks_panel_waves(codebook: &Codebook) -> bool {
    codebook.weighting.is_none() && codebook.design.is_some()
}

/// Whether the codebook declares a design whose PSUs are the respondents (strata or an
/// fpc, without clusters or replicate weights) and no weighting: its panel waves are
/// stacked with each respondent one PSU of its stratum ([`StratumLinks`]).
pub fn stacks_element_strata(codebook: &Codebook) -> bool {
    stacks_panel_waves(codebook)
        && codebook
            .design
            .as_ref()
            .is_some_and(|d| d.replicates.is_none() && d.cluster_column.is_none())
}

/// The respondents two waves of a panel share, per stratum, under a design whose PSUs
/// are the respondents ([`stacks_element_strata`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StratumLinks {
    /// Per stratum code, the PSUs of the waves stacked: the respondents over all the
    /// waves, a respondent in the same stratum in several waves counted once (R
    /// `svydesign(ids = ~id, strata = ~stratum, nest = TRUE)` on the waves' rows).
    pub units: BTreeMap<String, u64>,
    /// Per stratum code and question, over the respondents in that stratum in both
    /// waves, the sums of their weight in the later wave times their weight in the
    /// earlier one, per `[row now, group now, row before, group before]` (the rows being
    /// the options, then "not answered"); a stratum without such a respondent is left
    /// out.
    pub joints: BTreeMap<String, Vec<Array4<f64>>>,
}

/// A question's design in two waves of a panel stacked as one sample, as R stacks them
/// (the waves' rows bound together, then `svydesign(ids = ~cluster, strata = ~stratum,
/// nest = TRUE)`, or `svrepdesign` on the replicate columns the waves share), with its
/// degrees of freedom (R `degf` of the stacked design). The cells are wave `now`'s
/// (`option * groups + group`) followed by wave `before`'s.
///
/// Strata and PSUs are matched across `waves` (every wave of the panel) by code: a PSU
/// surveyed in several waves is one unit, whose influences in the two waves are taken
/// together, and a stratum counts its PSUs over every wave. Replicate `r` of one wave is
/// replicate `r` of the other. Without clusters the PSUs are the respondents within
/// their strata (`svydesign(ids = ~id, strata = ~stratum, nest = TRUE)`), linked by
/// `links` (the later wave's [`StratumLinks`]). `None` without a declared design, for
/// strata of respondents without `links`, and under calibrated weights: those waves are
/// taken as independent.
pub fn stacked_question_design(
    codebook: &Codebook,
    waves: &[&DesignTotals],
    now: usize,
    before: usize,
    question: usize,
    links: Option<&StratumLinks>,
) -> Option<(Design, f64)> {
    let declared = codebook.design.as_ref()?;
    let (a, b) = (waves.get(now)?, waves.get(before)?);
    if !stacks_panel_waves(codebook) || waves.iter().any(|w| w.calibration.is_some()) {
        return None;
    }
    if let Some(r) = &declared.replicates {
        let (Design::Replicates(ra), Design::Replicates(rb)) =
            (a.question_design(codebook, question), b.question_design(codebook, question))
        else {
            return None;
        };
        let totals = ra
            .totals
            .into_iter()
            .zip(rb.totals)
            .map(|(mut x, y)| {
                x.extend(y);
                x
            })
            .collect();
        let mut span = RowSpan::default();
        for w in waves {
            span.merge(&w.span);
        }
        let df = (span.rank() as f64 - 1.0).max(1.0);
        return Some((Design::Replicates(Replicates { totals, scales: r.scales.clone() }), df));
    }
    if !a.clustered {
        return stacked_element_design(codebook, waves, a, b, question, links?);
    }
    let flat = |t: &Array2<f64>| t.iter().copied().collect::<Vec<f64>>();
    let width = waves
        .iter()
        .flat_map(|w| w.strata.values())
        .flat_map(|s| s.psus.values())
        .map(|p| p.weights[question].len())
        .next()?;
    let mut union: BTreeMap<&str, (Option<f64>, std::collections::BTreeSet<&str>)> =
        BTreeMap::new();
    for w in waves {
        for (code, s) in &w.strata {
            let entry = union.entry(code).or_insert((s.fpc, Default::default()));
            entry.1.extend(s.psus.keys().map(String::as_str));
        }
    }
    // R reads an fpc as sampling fractions when every value is at most 1.
    let fractions = union.values().all(|(fpc, _)| fpc.is_none_or(|f| f <= 1.0));
    let psus: u64 = union.values().map(|(_, codes)| codes.len() as u64).sum();
    let df = crate::stats::design::linearised_df(psus, union.len() as u64);
    let unit = |w: &DesignTotals, stratum: &str, psu: &str| {
        w.strata
            .get(stratum)
            .and_then(|s| s.psus.get(psu))
            .map_or_else(|| vec![0.0; width], |p| flat(&p.weights[question]))
    };
    let strata = union
        .iter()
        .map(|(&code, (fpc, codes))| {
            let n = codes.len() as u64;
            let fraction = sampling_fraction(*fpc, fractions, n);
            let units = codes
                .iter()
                .map(|&psu| {
                    let mut t = unit(a, code, psu);
                    t.extend(unit(b, code, psu));
                    t
                })
                .collect();
            Stratum { name: code.to_string(), psus: n, fraction, units: Units::Clusters(units) }
        })
        .collect();
    let lonely = declared.lonely_psu;
    Some((Design::Linearised(Linearised { strata, lonely, calibration: None }), df))
}

/// [`stacked_question_design`] for strata of respondents: per stratum, the cells of both
/// waves, each respondent in the two waves one PSU whose two cells are linked by the
/// product of its weights.
fn stacked_element_design(
    codebook: &Codebook,
    waves: &[&DesignTotals],
    a: &DesignTotals,
    b: &DesignTotals,
    question: usize,
    links: &StratumLinks,
) -> Option<(Design, f64)> {
    let declared = codebook.design.as_ref()?;
    let groups = codebook.grouping.levels.len();
    let flat = |t: &Array2<f64>| t.iter().copied().collect::<Vec<f64>>();
    let width = waves
        .iter()
        .flat_map(|w| w.strata.values())
        .map(|s| s.cells[question].weights.len())
        .next()?;
    let options = width / groups.max(1);
    let mut fpcs: BTreeMap<&str, Option<f64>> = BTreeMap::new();
    for w in waves {
        for (code, s) in &w.strata {
            fpcs.entry(code).or_insert(s.fpc);
        }
    }
    // R reads an fpc as sampling fractions when every value is at most 1.
    let fractions = fpcs.values().all(|fpc| fpc.is_none_or(|f| f <= 1.0));
    let psus: u64 = fpcs.keys().map(|&code| links.units.get(code).copied().unwrap_or(0)).sum();
    let df = crate::stats::design::linearised_df(psus, fpcs.len() as u64);
    let cells = |w: &DesignTotals, code: &str, squares: bool| {
        w.strata.get(code).map_or_else(
            || vec![0.0; width],
            |s| {
                let c = &s.cells[question];
                flat(if squares { &c.weights_sq } else { &c.weights })
            },
        )
    };
    let strata = fpcs
        .iter()
        .map(|(&code, fpc)| {
            let n = links.units.get(code).copied().unwrap_or(0);
            let fraction = sampling_fraction(*fpc, fractions, n);
            let mut totals = cells(a, code, false);
            totals.extend(cells(b, code, false));
            let mut squares = cells(a, code, true);
            squares.extend(cells(b, code, true));
            let mut products = Vec::new();
            if let Some(joint) = links.joints.get(code).and_then(|j| j.get(question)) {
                for ((on, gn, ob, gb), &p) in joint.indexed_iter() {
                    if p != 0.0 && on < options && ob < options {
                        products.push((on * groups + gn, width + ob * groups + gb, p));
                    }
                }
            }
            let units = Units::Elements { totals, squares, products };
            Stratum { name: code.to_string(), psus: n, fraction, units }
        })
        .collect();
    let lonely = declared.lonely_psu;
    Some((Design::Linearised(Linearised { strata, lonely, calibration: None }), df))
}
