//! Design-based covariances of domain shares under stratified, clustered and
//! replicate-weight designs, computed from totals: per stratum and first-stage cluster
//! (PSU) the weighted total of every cell of a question, or per replicate the cell
//! totals under that replicate's weights. Nothing here needs the rows themselves.
//!
//! Every share invitestat reports is a ratio of two sums of cell totals (the weight of
//! a group answering yes over the weight of the group answering), so the covariance of
//! any set of shares follows from the design alone:
//!
//! - **Linearisation** ([`Linearised`]): the ultimate-cluster (with-replacement)
//!   variance of R survey's `svyrecvar`: the influence of each ratio is summed per PSU,
//!   centred on its stratum's mean and scaled by `(1 - f_h) n_h / (n_h - 1)`, where
//!   `f_h` is the sampling fraction of the stratum's PSUs (0 without a finite
//!   population correction). A design without clusters has each respondent as its own
//!   PSU; its strata then need only the sums of weights and of squared weights per
//!   cell, because a respondent falls in one cell of a question. Strata with one PSU
//!   follow R's `options(survey.lonely.psu = ...)` ([`LonelyPsu`]).
//! - **Replicates** ([`Replicates`]): each ratio is recomputed under every replicate's
//!   weights and `scale * sum_r rscales_r (theta_r - centre)^2` taken, the centre being
//!   the full-sample estimate (`mse = TRUE`) or the replicates' mean, as R survey's
//!   `svrVar` does. A replicate in which a ratio's denominator is zero gives no
//!   estimate and is left out, with its `rscale`, as R's `na.omit` does; the result
//!   counts them.
//!
//! A group is a domain of the whole sample throughout: the PSUs without a member of
//! the group still count in `n_h` (R pads them with zeros), so subsets never shrink the
//! design.

use serde::Serialize;

/// R survey's `options(survey.lonely.psu = ...)`: what a stratum with a single PSU
/// contributes to the variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LonelyPsu {
    /// Refuse the design (R's default, `"fail"`).
    #[default]
    Fail,
    /// Contribute nothing (`"remove"`).
    Remove,
    /// Centre the lonely PSU on the mean over all PSUs of all strata instead of its
    /// stratum's mean (`"adjust"`). For a share the mean influence over all PSUs is 0,
    /// so the PSU contributes its squared influence.
    Adjust,
    /// Contribute the average of the other strata: the variance from the strata with
    /// two or more PSUs is scaled by all strata over those strata (`"average"`).
    Average,
    /// The PSU was sampled with certainty: nothing (`"certainty"`).
    Certainty,
}

impl LonelyPsu {
    /// Every option.
    pub const ALL: [LonelyPsu; 5] = [
        LonelyPsu::Fail,
        LonelyPsu::Remove,
        LonelyPsu::Adjust,
        LonelyPsu::Average,
        LonelyPsu::Certainty,
    ];

    /// R's name.
    pub fn name(self) -> &'static str {
        match self {
            LonelyPsu::Fail => "fail",
            LonelyPsu::Remove => "remove",
            LonelyPsu::Adjust => "adjust",
            LonelyPsu::Average => "average",
            LonelyPsu::Certainty => "certainty",
        }
    }

    /// The option called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// The first-stage units of one stratum, as totals.
#[derive(Debug, Clone, PartialEq)]
pub enum Units {
    /// Clustered: per PSU, the weighted total of every cell.
    Clusters(Vec<Vec<f64>>),
    /// Each respondent its own PSU, each in at most one cell, or in two cells linked
    /// by `products` (a respondent in two waves of a panel stacked as one sample): per
    /// cell the sum of weights and the sum of squared weights.
    Elements {
        /// Sum of weights per cell.
        totals: Vec<f64>,
        /// Sum of squared weights per cell.
        squares: Vec<f64>,
        /// Per two cells `(a, b)` that respondents are in together, the sum of their
        /// weight in `a` times their weight in `b` (empty when no respondent is in two
        /// cells).
        products: Vec<(usize, usize, f64)>,
    },
}

/// One stratum of a linearised design.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratum {
    /// Its name, for messages.
    pub name: String,
    /// First-stage units sampled, `n_h` (respondents, for [`Units::Elements`]).
    pub psus: u64,
    /// Sampling fraction of its PSUs, `n_h / N_h` (0 sampled with replacement).
    pub fraction: f64,
    /// The units' totals.
    pub units: Units,
}

/// A linearised (Taylor series) design: strata of PSU totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Linearised {
    /// The strata.
    pub strata: Vec<Stratum>,
    /// What a stratum of one PSU contributes.
    pub lonely: LonelyPsu,
    /// Weights calibrated to population margins: the units' totals are then split by
    /// calibration cell (see [`Calibrated`]).
    pub calibration: Option<Box<Calibrated>>,
}

/// A question's totals split by calibration cell, for the variance of calibrated
/// weights ([`crate::stats::calibration`]).
///
/// With it, the units' totals are laid out as follows: per PSU ([`Units::Clusters`])
/// the question's cells (`option * groups + group`) then, per calibration cell, the
/// PSU's sum of weights; per stratum without clusters ([`Units::Elements`]) every
/// `(row * cells + cell) * groups + group`, where the rows are the options and then
/// "not answered", so that each respondent falls in exactly one.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibrated {
    /// The calibration.
    pub adjustment: crate::stats::calibration::Adjustment,
    /// The question's options.
    pub options: usize,
    /// Groups.
    pub groups: usize,
    /// Per question cell, per calibration cell, the sum of final weights.
    pub weights: Vec<Vec<f64>>,
    /// Per question cell, per calibration cell, respondents of positive weight.
    pub counts: Vec<Vec<f64>>,
    /// Per calibration cell, the sum of final weights of every respondent.
    pub cell_weights: Vec<f64>,
    /// Per calibration cell, respondents of positive weight.
    pub cell_counts: Vec<f64>,
}

impl Calibrated {
    /// The coefficients on the units' totals of the residuals of the combinations `z`
    /// of the question's cells.
    fn residuals(&self, z: &[Vec<f64>], clustered: bool) -> Vec<Vec<f64>> {
        let cells = self.cell_weights.len();
        z.iter()
            .map(|z| {
                let sum = |per: &[Vec<f64>]| -> Vec<f64> {
                    (0..cells).map(|c| z.iter().zip(per).map(|(a, t)| a * t[c]).sum()).collect()
                };
                let (weighted, unweighted) = (sum(&self.weights), sum(&self.counts));
                let e = self.adjustment.projection.means(
                    &self.adjustment.g,
                    crate::stats::calibration::CellSums {
                        weighted: &weighted,
                        unweighted: &unweighted,
                        weights: &self.cell_weights,
                        respondents: &self.cell_counts,
                    },
                );
                if clustered {
                    z.iter().copied().chain(e.iter().map(|e| -e)).collect()
                } else {
                    let mut out = Vec::with_capacity((self.options + 1) * cells * self.groups);
                    for row in 0..=self.options {
                        for &e in &e {
                            for g in 0..self.groups {
                                let zc =
                                    if row < self.options { z[row * self.groups + g] } else { 0.0 };
                                out.push(zc - e);
                            }
                        }
                    }
                    out
                }
            })
            .collect()
    }
}

/// Replicate-weight variance settings (R `svrepdesign(scale, rscales, mse)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicateScales {
    /// The overall multiplier.
    pub scale: f64,
    /// One multiplier per replicate.
    pub rscales: Vec<f64>,
    /// Centre on the full-sample estimate (`true`) or on the replicates' mean.
    pub mse: bool,
}

/// A replicate-weight design: the full-sample cell totals and those of every replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Replicates {
    /// Per replicate, the cell totals under its weights.
    pub totals: Vec<Vec<f64>>,
    /// How the replicates combine.
    pub scales: ReplicateScales,
}

/// A design over the cells of one question.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Taylor linearisation.
    Linearised(Linearised),
    /// Replicate weights.
    Replicates(Replicates),
}

/// A share: the sum of the `numerator` cells' totals over that of the `denominator`
/// cells (which include the numerator's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ratio {
    /// Cells counted in the numerator.
    pub numerator: Vec<usize>,
    /// Cells counted in the denominator.
    pub denominator: Vec<usize>,
}

impl Ratio {
    /// Its value at the cell totals `t`; `None` when the denominator is not positive.
    pub fn at(&self, t: &[f64]) -> Option<f64> {
        let sum = |cells: &[usize]| cells.iter().map(|&c| t[c]).sum::<f64>();
        let d = sum(&self.denominator);
        (d > 0.0).then(|| sum(&self.numerator) / d)
    }
}

/// Shares and their design covariance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioCovariance {
    /// The shares at the full-sample totals.
    pub estimates: Vec<f64>,
    /// Their covariance matrix.
    pub covariance: Vec<Vec<f64>>,
    /// Replicates left out because a share had no denominator in them.
    pub dropped_replicates: usize,
}

/// A design that cannot give a variance.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// A stratum has one PSU and the design says to fail (R's default).
    #[error(
        "stratum '{0}' has only one PSU; expected two or more, or lonely_psu = \"remove\", \"adjust\", \"average\" or \"certainty\""
    )]
    LonelyPsu(String),
    /// A share's denominator is zero in the full sample.
    #[error("a share has no respondents to divide by")]
    EmptyDomain,
    /// Every replicate lacks a share's denominator.
    #[error("every replicate has a share with no respondents to divide by")]
    NoReplicates,
}

impl Design {
    /// The shares `ratios` at the full-sample cell `totals` and their covariance.
    /// Matches R survey: `svyby(~y, ~group, design, svymean, covmat = TRUE)` for a
    /// linearised design (`svydesign(ids, strata, fpc, nest = TRUE)`), and the same on
    /// `svrepdesign(type, scale, rscales, mse, combined.weights = TRUE)`.
    ///
    /// # Errors
    /// [`DesignError`] for a lonely PSU under [`LonelyPsu::Fail`], a share whose
    /// denominator is zero, or replicates none of which give every share.
    ///
    /// # Examples
    /// ```
    /// use invitestat::stats::design::{Design, Linearised, LonelyPsu, Ratio, Stratum, Units};
    /// // One stratum of three clusters; cells: yes, no.
    /// let design = Design::Linearised(Linearised {
    ///     strata: vec![Stratum {
    ///         name: "north".into(),
    ///         psus: 3,
    ///         fraction: 0.0,
    ///         units: Units::Clusters(vec![vec![2.0, 1.0], vec![1.0, 3.0], vec![3.0, 2.0]]),
    ///     }],
    ///     lonely: LonelyPsu::Fail,
    ///     calibration: None,
    /// });
    /// let share = Ratio { numerator: vec![0], denominator: vec![0, 1] };
    /// let r = design.ratios(&[6.0, 6.0], &[share])?;
    /// assert_eq!(r.estimates, [0.5]);
    /// assert!(r.covariance[0][0] > 0.0);
    /// # Ok::<(), invitestat::stats::design::DesignError>(())
    /// ```
    pub fn ratios(&self, totals: &[f64], ratios: &[Ratio]) -> Result<RatioCovariance, DesignError> {
        let estimates: Vec<f64> = ratios
            .iter()
            .map(|r| r.at(totals).ok_or(DesignError::EmptyDomain))
            .collect::<Result<_, _>>()?;
        match self {
            Design::Linearised(l) => {
                // Influence of ratio k on cell c: (1[c in num] - R_k 1[c in den]) / den_k.
                let cells = totals.len();
                let z: Vec<Vec<f64>> = ratios
                    .iter()
                    .zip(&estimates)
                    .map(|(r, &e)| {
                        let den: f64 = r.denominator.iter().map(|&c| totals[c]).sum();
                        let mut v = vec![0.0; cells];
                        for &c in &r.denominator {
                            v[c] -= e / den;
                        }
                        for &c in &r.numerator {
                            v[c] += 1.0 / den;
                        }
                        v
                    })
                    .collect();
                Ok(RatioCovariance {
                    estimates,
                    covariance: l.covariance(&z)?,
                    dropped_replicates: 0,
                })
            }
            Design::Replicates(rep) => {
                let mut thetas = Vec::new();
                let mut rscales = Vec::new();
                for (t, &s) in rep.totals.iter().zip(&rep.scales.rscales) {
                    if let Some(th) = ratios.iter().map(|r| r.at(t)).collect::<Option<Vec<f64>>>() {
                        thetas.push(th);
                        rscales.push(s);
                    }
                }
                if thetas.is_empty() {
                    return Err(DesignError::NoReplicates);
                }
                let k = ratios.len();
                let centre: Vec<f64> = if rep.scales.mse {
                    estimates.clone()
                } else {
                    // The mean of the replicates with a positive rscale (R's svrVar).
                    let used: Vec<&Vec<f64>> = thetas
                        .iter()
                        .zip(&rscales)
                        .filter(|(_, s)| **s > 0.0)
                        .map(|(t, _)| t)
                        .collect();
                    let m = used.len().max(1) as f64;
                    (0..k).map(|i| used.iter().map(|t| t[i]).sum::<f64>() / m).collect()
                };
                let mut cov = vec![vec![0.0; k]; k];
                for (th, &s) in thetas.iter().zip(&rscales) {
                    let d: Vec<f64> = th.iter().zip(&centre).map(|(a, b)| a - b).collect();
                    for i in 0..k {
                        for j in 0..k {
                            cov[i][j] += d[i] * d[j] * s;
                        }
                    }
                }
                for row in &mut cov {
                    for v in row.iter_mut() {
                        *v *= rep.scales.scale;
                    }
                }
                Ok(RatioCovariance {
                    estimates,
                    covariance: cov,
                    dropped_replicates: rep.totals.len() - thetas.len(),
                })
            }
        }
    }
}

impl Design {
    /// Under replicate weights, the replicate variance of `f(share)` (R refits a model
    /// per replicate: `svyciprop(method = "logit")` is a quasibinomial `svyglm`, whose
    /// variance is that of the replicates' log odds); `None` for a linearised design,
    /// where the delta method is exact for a one-parameter model.
    pub fn replicate_variance_of(
        &self,
        totals: &[f64],
        ratio: &Ratio,
        f: impl Fn(f64) -> f64,
    ) -> Option<f64> {
        let Design::Replicates(rep) = self else { return None };
        let estimate = f(ratio.at(totals)?);
        let values: Vec<(f64, f64)> = rep
            .totals
            .iter()
            .zip(&rep.scales.rscales)
            .filter_map(|(t, &s)| ratio.at(t).map(|r| (f(r), s)))
            .filter(|(v, _)| v.is_finite())
            .collect();
        if values.is_empty() {
            return None;
        }
        let centre = if rep.scales.mse {
            estimate
        } else {
            let used: Vec<f64> = values.iter().filter(|(_, s)| *s > 0.0).map(|(v, _)| *v).collect();
            used.iter().sum::<f64>() / used.len().max(1) as f64
        };
        Some(rep.scales.scale * values.iter().map(|(v, s)| (v - centre).powi(2) * s).sum::<f64>())
    }
}

impl Linearised {
    /// The covariance of the linear combinations `z` (each a coefficient per cell) of
    /// the cell totals: R's `svyrecvar` on the estimating functions `z . y_i w_i`.
    ///
    /// # Errors
    /// [`DesignError::LonelyPsu`] for a stratum of one PSU under [`LonelyPsu::Fail`].
    pub fn covariance(&self, z: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, DesignError> {
        let k = z.len();
        let residuals;
        let z = match &self.calibration {
            None => z,
            Some(c) => {
                let clustered = self.strata.iter().any(|s| matches!(s.units, Units::Clusters(_)));
                residuals = c.residuals(z, clustered);
                &residuals[..]
            }
        };
        let combine = |t: &[f64]| -> Vec<f64> {
            z.iter().map(|a| a.iter().zip(t).map(|(x, y)| x * y).sum()).collect()
        };
        // Per stratum, the influences of its PSUs (clusters) or their sum (elements).
        let influences: Vec<Vec<Vec<f64>>> = self
            .strata
            .iter()
            .map(|s| match &s.units {
                Units::Clusters(psus) => psus.iter().map(|t| combine(t)).collect(),
                Units::Elements { totals, .. } => vec![combine(totals)],
            })
            .collect();
        let sum_of = |us: &[Vec<f64>]| -> Vec<f64> {
            (0..k).map(|i| us.iter().map(|u| u[i]).sum()).collect()
        };
        // The mean influence over all PSUs of all strata, for LonelyPsu::Adjust.
        let grand = (self.lonely == LonelyPsu::Adjust).then(|| {
            let all_psus = self.strata.iter().map(|s| s.psus).sum::<u64>().max(1) as f64;
            let mut g = vec![0.0; k];
            for us in &influences {
                for (x, u) in g.iter_mut().zip(sum_of(us)) {
                    *x += u / all_psus;
                }
            }
            g
        });
        let mut v = vec![vec![0.0; k]; k];
        let mut averaged_out = 0usize;
        for (s, us) in self.strata.iter().zip(&influences) {
            let n = s.psus as f64;
            let f = 1.0 - s.fraction;
            if f < 1e-7 {
                // Every PSU of the stratum was sampled: no sampling variance.
                continue;
            }
            let scale = if s.psus > 1 { f * n / (n - 1.0) } else { f };
            let centre: Vec<f64> = if s.psus > 1 {
                sum_of(us).into_iter().map(|x| x / n).collect()
            } else {
                match (self.lonely, &grand) {
                    (LonelyPsu::Adjust, Some(g)) => g.clone(),
                    (LonelyPsu::Remove | LonelyPsu::Certainty, _) => continue,
                    (LonelyPsu::Average, _) => {
                        averaged_out += 1;
                        continue;
                    }
                    _ => return Err(DesignError::LonelyPsu(s.name.clone())),
                }
            };
            match &s.units {
                Units::Clusters(_) => {
                    // Centred first, as R does, then cross-multiplied; PSUs beyond the
                    // listed ones (none in a whole-sample design) would add centre^2.
                    for u in us {
                        let d: Vec<f64> = u.iter().zip(&centre).map(|(a, b)| a - b).collect();
                        add_outer(&mut v, &d, &d, scale);
                    }
                    let listed = us.len() as f64;
                    if n > listed {
                        add_outer(&mut v, &centre, &centre, scale * (n - listed));
                    }
                }
                Units::Elements { squares, products, .. } => {
                    // sum_i (u_i - c)(u_i - c)' = sum u u' - s c' - c s' + n c c', with
                    // sum u u' = Z diag(squares) Z' (one cell per respondent), plus, for
                    // a respondent in cells a and b, w_a w_b (z_a z_b' + z_b z_a').
                    let s_u = &us[0];
                    for i in 0..k {
                        for j in 0..k {
                            let uu: f64 = (0..squares.len())
                                .map(|c| z[i][c] * z[j][c] * squares[c])
                                .sum::<f64>()
                                + products
                                    .iter()
                                    .map(|&(a, b, p)| p * (z[i][a] * z[j][b] + z[i][b] * z[j][a]))
                                    .sum::<f64>();
                            let term = uu - s_u[i] * centre[j] - centre[i] * s_u[j]
                                + n * centre[i] * centre[j];
                            v[i][j] += scale * term;
                        }
                    }
                }
            }
        }
        let strata = self.strata.len();
        if averaged_out > 0 && averaged_out < strata {
            let factor = strata as f64 / (strata - averaged_out) as f64;
            for row in &mut v {
                for x in row.iter_mut() {
                    *x *= factor;
                }
            }
        }
        Ok(v)
    }
}

fn add_outer(v: &mut [Vec<f64>], a: &[f64], b: &[f64], scale: f64) {
    for (row, x) in v.iter_mut().zip(a) {
        for (cell, y) in row.iter_mut().zip(b) {
            *cell += scale * x * y;
        }
    }
}

/// The degrees of freedom of a linearised design (R `degf`): PSUs with a respondent of
/// positive weight minus the strata holding them, at least 1.
pub fn linearised_df(psus: u64, strata: u64) -> f64 {
    (psus as f64 - strata as f64).max(1.0)
}

/// The rank of a set of row vectors (replicate weights of respondents), grown one row
/// at a time and merged exactly by feeding one span's basis into another. A row adds
/// to the rank when its part orthogonal to the span is more than `1e-9` of its length.
/// Once the span has as many vectors as the rows are long, nothing can add to it, so a
/// full-rank design costs nothing per row after the first few.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct RowSpan {
    /// Orthonormal basis of the span.
    pub basis: Vec<Vec<f64>>,
}

impl RowSpan {
    /// The relative residual below which a row is taken to be in the span.
    pub const TOLERANCE: f64 = 1e-9;

    /// Adds a row of length `dim`.
    pub fn add(&mut self, row: &[f64]) {
        if self.basis.len() >= row.len() {
            return;
        }
        let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return;
        }
        let mut r: Vec<f64> = row.iter().map(|x| x / norm).collect();
        // Two passes of Gram-Schmidt keep the basis orthonormal to rounding.
        for _ in 0..2 {
            for b in &self.basis {
                let d: f64 = b.iter().zip(&r).map(|(x, y)| x * y).sum();
                for (x, y) in r.iter_mut().zip(b) {
                    *x -= d * y;
                }
            }
        }
        let rest = r.iter().map(|x| x * x).sum::<f64>().sqrt();
        if rest > Self::TOLERANCE {
            for x in &mut r {
                *x /= rest;
            }
            self.basis.push(r);
        }
    }

    /// Adds every row of another span.
    pub fn merge(&mut self, other: &RowSpan) {
        for b in &other.basis {
            self.add(b);
        }
    }

    /// The rank.
    pub fn rank(&self) -> usize {
        self.basis.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share() -> Ratio {
        Ratio { numerator: vec![0], denominator: vec![0, 1] }
    }

    #[test]
    fn elements_and_one_respondent_clusters_give_the_same_variance() {
        // Respondents (cell, weight): as elements, and as clusters of one.
        let rows = [(0usize, 1.5), (1, 2.0), (0, 0.5), (1, 1.0), (0, 3.0)];
        let mut totals = vec![0.0; 2];
        let mut squares = vec![0.0; 2];
        let mut psus = Vec::new();
        for &(c, w) in &rows {
            totals[c] += w;
            squares[c] += w * w;
            let mut t = vec![0.0; 2];
            t[c] = w;
            psus.push(t);
        }
        let design = |units| {
            Design::Linearised(Linearised {
                strata: vec![Stratum { name: "s".into(), psus: 5, fraction: 0.2, units }],
                lonely: LonelyPsu::Fail,
                calibration: None,
            })
        };
        let a = design(Units::Elements { totals: totals.clone(), squares, products: Vec::new() })
            .ratios(&totals, &[share()]);
        let b = design(Units::Clusters(psus)).ratios(&totals, &[share()]);
        let (Ok(a), Ok(b)) = (a, b) else { panic!("both designs give a variance") };
        assert!((a.covariance[0][0] - b.covariance[0][0]).abs() < 1e-15);
        // The one-stage formula: (1 - f) N/(N-1) sum w^2 (y - p)^2 / W^2.
        let p = 5.0 / 8.0;
        let expected = 0.8 * 5.0 / 4.0
            * ((1.5f64 * 1.5 + 0.25 + 9.0) * (1.0 - p) * (1.0 - p) + 5.0 * p * p)
            / 64.0;
        assert!((a.covariance[0][0] - expected).abs() < 1e-15, "{a:?}");
    }

    #[test]
    fn a_lonely_psu_fails_unless_told_otherwise() {
        let strata = vec![
            Stratum {
                name: "one".into(),
                psus: 1,
                fraction: 0.0,
                units: Units::Clusters(vec![vec![2.0, 2.0]]),
            },
            Stratum {
                name: "two".into(),
                psus: 2,
                fraction: 0.0,
                units: Units::Clusters(vec![vec![3.0, 1.0], vec![1.0, 3.0]]),
            },
        ];
        let totals = [6.0, 6.0];
        let with = |lonely| {
            Design::Linearised(Linearised { strata: strata.clone(), lonely, calibration: None })
                .ratios(&totals, &[share()])
                .map(|r| r.covariance[0][0])
        };
        assert_eq!(with(LonelyPsu::Fail), Err(DesignError::LonelyPsu("one".into())));
        let (Ok(remove), Ok(average), Ok(adjust)) =
            (with(LonelyPsu::Remove), with(LonelyPsu::Average), with(LonelyPsu::Adjust))
        else {
            panic!("the other options give a variance")
        };
        assert_eq!(with(LonelyPsu::Certainty), Ok(remove));
        assert!((average - 2.0 * remove).abs() < 1e-15);
        // The lonely PSU's influence is (2 - 0.5 * 4) / 12 = 0: adjust adds nothing here.
        assert!((adjust - remove).abs() < 1e-15);
    }

    #[test]
    fn replicates_centre_on_their_mean_or_the_estimate() {
        let reps = Replicates {
            totals: vec![vec![1.0, 1.0], vec![3.0, 1.0], vec![0.0, 0.0]],
            scales: ReplicateScales { scale: 0.5, rscales: vec![1.0, 1.0, 1.0], mse: false },
        };
        let r = Design::Replicates(reps.clone()).ratios(&[2.0, 2.0], &[share()]);
        let Ok(r) = r else { panic!("two replicates give a variance") };
        // Shares 0.5 and 0.75 (the third has no denominator): mean 0.625.
        assert_eq!(r.dropped_replicates, 1);
        assert!((r.covariance[0][0] - 0.5 * 2.0 * 0.125f64.powi(2)).abs() < 1e-15);
        let mut mse = reps;
        mse.scales.mse = true;
        let Ok(m) = Design::Replicates(mse).ratios(&[2.0, 2.0], &[share()]) else {
            panic!("two replicates give a variance")
        };
        assert!((m.covariance[0][0] - 0.5 * 0.0625).abs() < 1e-15);
    }

    #[test]
    fn a_span_counts_independent_rows_and_merges() {
        let mut a = RowSpan::default();
        a.add(&[1.0, 0.0, 0.0]);
        a.add(&[2.0, 0.0, 0.0]);
        let mut b = RowSpan::default();
        b.add(&[1.0, 1.0, 0.0]);
        a.merge(&b);
        assert_eq!(a.rank(), 2);
        a.add(&[0.0, 0.0, 5.0]);
        assert_eq!(a.rank(), 3);
    }
}
