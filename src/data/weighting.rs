//! Weights built from population margins (the codebook's `[weighting]`): the sums of
//! base weights per calibration cell, gathered in a first read of the file (per wave
//! when the codebook has a wave column), calibrated by [`crate::stats::calibration`],
//! and the factors each respondent's weight (and replicate weights) is then multiplied
//! by, with what the weighting did ([`WeightingSummary`]).

use super::weight::{WeightScale, times_power_of_two};
use super::{LoadError, LoadOptions, LoadSummary, Response, load};
use crate::codebook::{Codebook, Weighting};
use crate::stats::calibration::{Adjustment, CalibrationError, Margins, Method};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The per-cell sums of one sample (a file, or one wave of it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellSums {
    /// Sum of base weights per cell (as stored, under the file's weight scale).
    pub base: Vec<f64>,
    /// Sum of squared base weights per cell.
    pub base_sq: Vec<f64>,
    /// Respondents of positive weight per cell.
    pub respondents: Vec<u64>,
    /// Per replicate, the sum of its weights per cell.
    pub replicates: Vec<Vec<f64>>,
}

impl CellSums {
    fn new(cells: usize, replicates: usize) -> Self {
        CellSums {
            base: vec![0.0; cells],
            base_sq: vec![0.0; cells],
            respondents: vec![0; cells],
            replicates: vec![vec![0.0; cells]; replicates],
        }
    }
}

/// Gathers the per-cell sums of every wave (one, labelled "", without a wave column).
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    cells: usize,
    replicates: usize,
    by_wave: Vec<(String, CellSums)>,
}

impl Accumulator {
    /// An empty accumulator for the codebook's weighting.
    pub fn new(codebook: &Codebook, weighting: &Weighting) -> Self {
        let replicates = codebook
            .design
            .as_ref()
            .and_then(|d| d.replicates.as_ref())
            .map_or(0, |r| r.columns.len());
        Accumulator { cells: weighting.cells(), replicates, by_wave: Vec::new() }
    }

    /// Adds one respondent.
    pub fn add(&mut self, r: &Response) {
        let wave = r.wave.as_deref().unwrap_or("");
        let i = match self.by_wave.iter().position(|(w, _)| w == wave) {
            Some(i) => i,
            None => {
                self.by_wave.push((wave.to_string(), CellSums::new(self.cells, self.replicates)));
                self.by_wave.len() - 1
            }
        };
        let s = &mut self.by_wave[i].1;
        let c = r.design.cell;
        s.base[c] += r.weight;
        s.base_sq[c] += r.weight * r.weight;
        s.respondents[c] += u64::from(r.weight > 0.0);
        for (rep, w) in s.replicates.iter_mut().zip(&r.design.replicates) {
            rep[c] += w;
        }
    }

    /// Calibrates every wave's sums, stored under `scale`.
    ///
    /// # Errors
    /// [`WeightingError`] naming `file`, the wave and why.
    pub fn finish(
        self,
        codebook: &Codebook,
        weighting: &Weighting,
        scale: WeightScale,
        file: &std::path::Path,
    ) -> Result<Vec<(String, Weights)>, WeightingError> {
        self.by_wave
            .into_iter()
            .map(|(wave, sums)| {
                let label = codebook.wave_column.as_ref().map(|_| wave.clone());
                let mut w = Weights::calibrate(weighting, &sums, scale).map_err(|cause| {
                    WeightingError { file: file.to_path_buf(), wave: label.clone(), cause }
                })?;
                w.summary.wave = label;
                Ok((wave, w))
            })
            .collect()
    }
}

/// The calibration of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// The factors per cell and how the variance treats them.
    pub adjustment: Adjustment,
    /// Per replicate, its factors per cell.
    pub replicates: Vec<Vec<f64>>,
    /// What the weighting did.
    pub summary: WeightingSummary,
}

/// What weighting did to a sample, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightingSummary {
    /// The wave, for a file with a wave column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// `post-stratification`, `raking` or `calibration (linear)` / `calibration (raking)`.
    pub method: String,
    /// The margins, by their variables.
    pub margins: Vec<String>,
    /// Calibration cells with respondents.
    pub cells: usize,
    /// Respondents of positive weight.
    pub respondents: u64,
    /// Passes over the margins (raking), Newton steps (calibration), or 1.
    pub iterations: u32,
    /// Cells whose factor was trimmed.
    pub trimmed_cells: usize,
    /// The smallest factor over cells with respondents.
    pub factor_min: f64,
    /// The largest factor.
    pub factor_max: f64,
    /// Kish's weighting efficiency of the base weights, `(sum w)^2 / (n sum w^2)`.
    pub efficiency_before: f64,
    /// Kish's weighting efficiency of the final weights.
    pub efficiency: f64,
    /// The design effect of the final weights, `1 / efficiency` (`1 + cv^2`).
    pub deff_weights: f64,
}

impl Weights {
    /// Calibrates `sums` (stored under `scale`) to the codebook's margins.
    ///
    /// # Errors
    /// [`CalibrationError`] for margins that cannot be met.
    pub fn calibrate(
        weighting: &Weighting,
        sums: &CellSums,
        scale: WeightScale,
    ) -> Result<Self, CalibrationError> {
        // The population in the file's stored units, so that the factors are exact ratios.
        let margins = Margins {
            population: weighting
                .margins
                .population
                .iter()
                .map(|p| p.iter().map(|v| times_power_of_two(*v, -scale.exponent)).collect())
                .collect(),
            ..weighting.margins.clone()
        };
        // Errors quote populations as given (see `rescaled`).
        let adjustment =
            crate::stats::calibration::calibrate(&sums.base, &margins, &weighting.method)
                .map_err(|e| rescaled(e, scale))?;
        let replicates = sums
            .replicates
            .iter()
            .enumerate()
            .map(|(i, rep)| {
                adjustment.replicate(rep, &margins, &weighting.method).map_err(|cause| {
                    rescaled(
                        CalibrationError::Replicate { replicate: i + 1, cause: Box::new(cause) },
                        scale,
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let used: Vec<usize> = (0..sums.base.len()).filter(|&c| sums.respondents[c] > 0).collect();
        let n: u64 = sums.respondents.iter().sum();
        let efficiency = |f: &dyn Fn(usize) -> f64| {
            let s: f64 = used.iter().map(|&c| f(c) * sums.base[c]).sum();
            let s2: f64 = used.iter().map(|&c| f(c) * f(c) * sums.base_sq[c]).sum();
            if s2 > 0.0 { s * s / (n as f64 * s2) } else { 0.0 }
        };
        let g = &adjustment.g;
        let after = efficiency(&|c| g[c]);
        let summary = WeightingSummary {
            wave: None,
            method: method_name(&weighting.method).into(),
            margins: weighting.margins.names.clone(),
            cells: used.len(),
            respondents: n,
            iterations: adjustment.iterations,
            trimmed_cells: adjustment.trimmed_cells,
            factor_min: used.iter().map(|&c| g[c]).fold(f64::INFINITY, f64::min),
            factor_max: used.iter().map(|&c| g[c]).fold(f64::NEG_INFINITY, f64::max),
            efficiency_before: efficiency(&|_| 1.0),
            efficiency: after,
            deff_weights: if after > 0.0 { 1.0 / after } else { 0.0 },
        };
        Ok(Weights { adjustment, replicates, summary })
    }

    /// `r` with its weight and replicate weights multiplied by its cell's factors, in
    /// `into`.
    pub fn apply(&self, r: &Response, into: &mut Response) {
        scale(r, &self.adjustment.g, &self.replicates, into);
    }
}

/// `r` with its weight multiplied by its cell's factor in `g`, and each replicate
/// weight by its cell's factor in that replicate's `replicates`, in `into`.
pub fn scale(r: &Response, g: &[f64], replicates: &[Vec<f64>], into: &mut Response) {
    into.clone_from(r);
    let c = r.design.cell;
    into.weight *= g[c];
    for (w, f) in into.design.replicates.iter_mut().zip(replicates) {
        *w *= f[c];
    }
}

/// `e` with the populations it quotes as given, not as stored under `scale`.
fn rescaled(e: CalibrationError, scale: WeightScale) -> CalibrationError {
    let up = |v: f64| times_power_of_two(v, scale.exponent);
    match e {
        CalibrationError::EmptyTarget { margin, category, population } => {
            CalibrationError::EmptyTarget { margin, category, population: up(population) }
        }
        CalibrationError::Totals { first, first_total, other, other_total } => {
            CalibrationError::Totals {
                first,
                first_total: up(first_total),
                other,
                other_total: up(other_total),
            }
        }
        CalibrationError::Replicate { replicate, cause } => {
            CalibrationError::Replicate { replicate, cause: Box::new(rescaled(*cause, scale)) }
        }
        other => other,
    }
}

/// The method's name as the report prints it.
pub fn method_name(method: &Method) -> &'static str {
    use crate::stats::calibration::CalibrationFunction;
    match method {
        Method::PostStratify => "post-stratification",
        Method::Rake { .. } => "raking",
        Method::Calibrate { function: CalibrationFunction::Linear, .. } => "calibration (linear)",
        Method::Calibrate { function: CalibrationFunction::Raking, .. } => "calibration (raking)",
    }
}

/// Weights that cannot be built for a file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: weighting{}: {cause}", file.display(), wave.as_ref().map_or(String::new(), |w| format!(" wave '{}'", crate::format::echo(w))))]
pub struct WeightingError {
    /// The file.
    pub file: PathBuf,
    /// The wave, for a file with a wave column.
    pub wave: Option<String>,
    /// Why.
    pub cause: CalibrationError,
}

/// The codebook's `[weighting]` of a file, per wave (label "" without a wave column),
/// from a first read by `read` of its rows; `None` without weighting.
///
/// # Errors
/// [`LoadError`] for a refused file or weights that cannot be calibrated.
pub fn weigh(
    path: &Path,
    codebook: &Codebook,
    read: impl FnOnce(&mut dyn FnMut(&Response)) -> Result<LoadSummary, LoadError>,
) -> Result<Option<Vec<(String, Weights)>>, LoadError> {
    let Some(weighting) = &codebook.weighting else { return Ok(None) };
    let mut acc = Accumulator::new(codebook, weighting);
    let summary = read(&mut |r| acc.add(r))?;
    acc.finish(codebook, weighting, summary.weight_scale, path)
        .map(Some)
        .map_err(|e| LoadError::Weighting(Box::new(e)))
}

/// One respondent's calibrated weights.
#[derive(Debug, Clone, PartialEq)]
pub struct RowWeight {
    /// Its data row (1 for the row after the header).
    pub row: u64,
    /// The calibrated weight, on the scale of the file's weights.
    pub weight: f64,
    /// The calibrated replicate weights.
    pub replicates: Vec<f64>,
}

/// The calibrated weights of every respondent of a CSV file, in file order (rows
/// excluded from the analysis have none), and what was read.
///
/// # Errors
/// [`LoadError`] for a refused file or weights that cannot be calibrated; a codebook
/// without `[weighting]` gets [`LoadError::Format`].
///
/// # Examples
/// ```
/// use invitestat::codebook::Codebook;
/// use invitestat::data::LoadOptions;
/// use invitestat::data::weighting::row_weights;
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/waves-example"));
/// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
/// let (rows, summary) = row_weights(&dir.join("wave-1.csv"), &codebook, LoadOptions::default())?;
/// assert_eq!(rows.len() as u64, summary.rows_used);
/// assert_eq!(summary.weighting[0].method, "raking");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn row_weights(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<(Vec<RowWeight>, LoadSummary), LoadError> {
    let Some(weights) = weigh(path, codebook, |each| load(path, codebook, options, each))? else {
        return Err(LoadError::Format {
            file: codebook.path.clone(),
            message: "the codebook declares no [weighting]; expected one to build weights from"
                .into(),
        });
    };
    let mut rows = Vec::new();
    let mut scratch = Response::default();
    let mut summary = load(path, codebook, options, |r| {
        let wave = r.wave.as_deref().unwrap_or("");
        if let Some((_, w)) = weights.iter().find(|(l, _)| l == wave) {
            w.apply(r, &mut scratch);
            rows.push(RowWeight {
                row: r.row,
                weight: scratch.weight,
                replicates: scratch.design.replicates.clone(),
            });
        }
    })?;
    let up = |v: f64| times_power_of_two(v, summary.weight_scale.exponent);
    for r in &mut rows {
        r.weight = up(r.weight);
        for v in &mut r.replicates {
            *v = up(*v);
        }
    }
    summary.weighting = weights.into_iter().map(|(_, w)| w.summary).collect();
    Ok((rows, summary))
}
