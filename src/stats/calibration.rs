//! Weights calibrated to population margins (post-stratification, raking and
//! calibration, with bounds and trimming), and the linearised variance that accounts for
//! the calibration, as R survey's `postStratify`, `rake` and `calibrate` do.
//!
//! Everything works on **calibration cells**: the combinations of the categories of the
//! weighting variables. Each method multiplies every respondent's base weight by a
//! factor `g` that depends only on the respondent's cell, so the sums of base weights
//! per cell are all the calibration needs, and the variance needs, beside the design's
//! usual totals, the totals of each question's cells split by calibration cell.
//!
//! The variance replaces each respondent's influence `w_i z_i` by the residual
//! `w_i (z_i - e_c)`, where `e_c` is a constant of the respondent's cell
//! ([`Projection::means`]):
//! - post-stratified: `e_c` is the weighted mean of `z` in the post-stratum (R
//!   `svyrecvar` on a `postStratify` design);
//! - raked: R's ten sweeps of the margins, each removing the unweighted mean of
//!   `x / w_j` per category, with the weights `w_j` after margin `j` in raking's last
//!   pass (R `svyrecvar` on a `rake` design: the projection is the one R computes, not
//!   the weighted least-squares one);
//! - calibrated: the fitted value of the weighted least-squares regression of `z` on
//!   the calibration model, weighted by the base weights (R `qr.resid` on the
//!   `greg_calibration` of `calibrate`).

use serde::{Deserialize, Serialize};

/// The population margins to meet, over the calibration cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Margins {
    /// Per margin, per cell, the margin's category the cell falls in.
    pub category: Vec<Vec<usize>>,
    /// Per margin, per category, its population total.
    pub population: Vec<Vec<f64>>,
    /// Per margin, its name (for messages).
    pub names: Vec<String>,
    /// Per margin, per category, its label (for messages).
    pub labels: Vec<Vec<String>>,
}

impl Margins {
    /// Calibration cells.
    pub fn cells(&self) -> usize {
        self.category.first().map_or(0, Vec::len)
    }

    /// Per category of margin `m`, the sum of `per_cell` over its cells.
    fn table(&self, m: usize, per_cell: &[f64]) -> Vec<f64> {
        let mut t = vec![0.0; self.population[m].len()];
        for (c, &v) in per_cell.iter().enumerate() {
            t[self.category[m][c]] += v;
        }
        t
    }
}

/// How the `g` factors follow from the distance being minimised (R `calfun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CalibrationFunction {
    /// Linear (GREG): `g = 1 + x'lambda`, truncated to the bounds (R `cal.linear`).
    Linear,
    /// Raking ratio: `g = exp(x'lambda)`, truncated to the bounds (R `cal.raking`).
    Raking,
}

impl CalibrationFunction {
    /// `g - 1` at `u` (R's `Fm1`).
    fn g_minus_one(self, u: f64, (lower, upper): (f64, f64)) -> f64 {
        match self {
            CalibrationFunction::Linear => (u + 1.0).max(lower).min(upper) - 1.0,
            CalibrationFunction::Raking => u.exp().max(lower).min(upper) - 1.0,
        }
    }

    /// The derivative of `g` at `u` (R's `dF`).
    fn derivative(self, u: f64, (lower, upper): (f64, f64)) -> f64 {
        let inside = u < upper - 1.0 && u > lower - 1.0;
        match (self, inside) {
            (_, false) => 0.0,
            (CalibrationFunction::Linear, true) => 1.0,
            (CalibrationFunction::Raking, true) => u.exp(),
        }
    }
}

/// A weighting method and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Method {
    /// Post-stratification to one margin (whose categories may cross several
    /// variables): R `postStratify`.
    PostStratify,
    /// Raking by iterative proportional fitting: R `rake`, stopping when no margin's
    /// weighted table moves by `tolerance` times the sum of the base weights in a
    /// pass (R's `epsilon` below 1).
    Rake {
        /// Relative convergence tolerance.
        tolerance: f64,
        /// Most passes over the margins.
        max_iterations: u32,
    },
    /// Calibration to the margins' totals with an intercept: R `calibrate(design,
    /// formula = list(~a, ~b, ...), population = list(...))`.
    Calibrate {
        /// The calibration function.
        function: CalibrationFunction,
        /// Bounds on `g` (R `bounds`); infinite for none.
        bounds: (f64, f64),
        /// Trim `g` to these bounds afterwards, spreading what is cut over the
        /// untrimmed respondents (R `trim`).
        trim: Option<(f64, f64)>,
        /// Convergence tolerance on `|misfit| / (1 + |population|)` (R `epsilon`).
        tolerance: f64,
        /// Most Newton steps (R `maxit`).
        max_iterations: u32,
    },
}

/// What the calibration did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// The factor per calibration cell (final weight over base weight).
    pub g: Vec<f64>,
    /// Passes over the margins (raking) or Newton steps (calibration); 1 for
    /// post-stratification.
    pub iterations: u32,
    /// Cells whose factor was trimmed.
    pub trimmed_cells: usize,
    /// How the variance removes the calibration's part.
    pub projection: Projection,
}

/// The projection that takes the calibration out of the influences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Projection {
    /// Post-strata: per cell, its post-stratum.
    PostStratified {
        /// Per cell, the category of the one margin.
        stratum: Vec<usize>,
        /// Post-strata.
        strata: usize,
    },
    /// Raked: per margin, per cell, its category and the cumulative factor after
    /// that margin in raking's last pass.
    Raked {
        /// Per margin, per cell, its category.
        category: Vec<Vec<usize>>,
        /// Per margin, its categories.
        categories: Vec<usize>,
        /// Per margin, per cell, the factor after that margin's step.
        steps: Vec<Vec<f64>>,
    },
    /// Calibrated: per cell, its row of the calibration model (an intercept and, per
    /// margin, an indicator of each category but the first).
    Calibrated {
        /// Per cell, the model row.
        basis: Vec<Vec<f64>>,
    },
}

/// Why weights cannot be calibrated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrationError {
    /// A category has a population but no respondent (of positive weight).
    #[error(
        "margin '{margin}': category '{category}' has a population of {population} but no respondent with a positive weight; expected every category with a population to have respondents (merge it with another)"
    )]
    EmptyTarget {
        /// The margin.
        margin: String,
        /// The category.
        category: String,
        /// Its population.
        population: f64,
    },
    /// Respondents fall in a category the population does not have.
    #[error(
        "margin '{margin}': category '{category}' has respondents but a population of 0; expected a population for every category that has respondents"
    )]
    NotInPopulation {
        /// The margin.
        margin: String,
        /// The category.
        category: String,
    },
    /// The margins do not describe the same population.
    #[error(
        "the margins cannot all be met: '{first}' sums to {first_total} and '{other}' to {other_total}; expected every margin to sum to the same population"
    )]
    Totals {
        /// The first margin.
        first: String,
        /// Its total.
        first_total: f64,
        /// A margin with another total.
        other: String,
        /// Its total.
        other_total: f64,
    },
    /// The iteration did not converge.
    #[error(
        "{method} did not converge in {iterations} iteration(s): the largest misfit left is {misfit:.3e} (relative), the tolerance {tolerance:e}; expected margins that can be met within the bounds, or a larger max_iterations"
    )]
    NotConverged {
        /// `raking` or `calibration`.
        method: &'static str,
        /// Iterations run.
        iterations: u32,
        /// The largest misfit left, relative.
        misfit: f64,
        /// The tolerance asked for.
        tolerance: f64,
    },
    /// Replicate `replicate` (1-based) cannot be calibrated.
    #[error("replicate weight {replicate}: {cause}")]
    Replicate {
        /// The replicate.
        replicate: usize,
        /// Why.
        cause: Box<CalibrationError>,
    },
}

/// Calibrates the per-cell sums of base weights `sample` to `margins` by `method`.
/// Matches R survey: `postStratify`, `rake(control = list(epsilon = tolerance, maxit =
/// max_iterations))` and `calibrate(calfun, bounds, trim, epsilon, maxit)` with a
/// margins list, on a `svydesign` whose weights are the base weights.
///
/// # Errors
/// [`CalibrationError`] for an empty target category, respondents outside the
/// population, margins of different totals (raking and calibration) and
/// non-convergence.
///
/// # Examples
/// ```
/// use invitestat::stats::calibration::{Margins, Method, calibrate};
/// // Two cells (recruiters, others), sampled 60 and 340, in a population of 100 and 300.
/// let margins = Margins {
///     category: vec![vec![0, 1]],
///     population: vec![vec![100.0, 300.0]],
///     names: vec!["role".into()],
///     labels: vec![vec!["recruiter".into(), "other".into()]],
/// };
/// let a = calibrate(&[60.0, 340.0], &margins, &Method::PostStratify)?;
/// assert!((a.g[0] - 100.0 / 60.0).abs() < 1e-12);
/// # Ok::<(), invitestat::stats::calibration::CalibrationError>(())
/// ```
pub fn calibrate(
    sample: &[f64],
    margins: &Margins,
    method: &Method,
) -> Result<Adjustment, CalibrationError> {
    check_categories(sample, margins)?;
    match method {
        Method::PostStratify => {
            let g = post_stratify(sample, margins, 0)?;
            Ok(Adjustment {
                g,
                iterations: 1,
                trimmed_cells: 0,
                projection: Projection::PostStratified {
                    stratum: margins.category[0].clone(),
                    strata: margins.population[0].len(),
                },
            })
        }
        Method::Rake { tolerance, max_iterations } => {
            check_totals(margins)?;
            let (g, steps, passes) = rake(sample, margins, Some(*tolerance), *max_iterations)?;
            Ok(Adjustment {
                g,
                iterations: passes,
                trimmed_cells: 0,
                projection: Projection::Raked {
                    category: margins.category.clone(),
                    categories: margins.population.iter().map(Vec::len).collect(),
                    steps,
                },
            })
        }
        Method::Calibrate { function, bounds, trim, tolerance, max_iterations } => {
            check_totals(margins)?;
            let (basis, population) = model(margins);
            let unbounded = *function == CalibrationFunction::Linear
                && bounds.0 == f64::NEG_INFINITY
                && bounds.1 == f64::INFINITY;
            let (mut g, iterations) = if unbounded {
                (linear_calibration(sample, &basis, &population), 1)
            } else {
                newton(
                    sample,
                    &basis,
                    &population,
                    *function,
                    *bounds,
                    *tolerance,
                    *max_iterations,
                )?
            };
            let trimmed_cells = trim.map_or(0, |t| trim_factors(&mut g, sample, t));
            Ok(Adjustment {
                g,
                iterations,
                trimmed_cells,
                projection: Projection::Calibrated { basis },
            })
        }
    }
}

impl Adjustment {
    /// The factors of a replicate whose per-cell sums of replicate weights are
    /// `sample`, calibrated as the full sample was (R survey calibrates each replicate
    /// of a `svrepdesign`; raking runs the full sample's number of passes).
    ///
    /// # Errors
    /// [`CalibrationError`] as for [`calibrate`].
    pub fn replicate(
        &self,
        sample: &[f64],
        margins: &Margins,
        method: &Method,
    ) -> Result<Vec<f64>, CalibrationError> {
        check_categories(sample, margins)?;
        match method {
            Method::PostStratify => post_stratify(sample, margins, 0),
            Method::Rake { .. } => Ok(rake(sample, margins, None, self.iterations)?.0),
            Method::Calibrate { function, bounds, trim, tolerance, max_iterations } => {
                let (basis, population) = model(margins);
                let mut g = newton(
                    sample,
                    &basis,
                    &population,
                    *function,
                    *bounds,
                    *tolerance,
                    *max_iterations,
                )?
                .0;
                if let Some(t) = trim {
                    trim_factors(&mut g, sample, *t);
                }
                Ok(g)
            }
        }
    }
}

/// Per-cell sums a question's influences need for [`Projection::means`].
#[derive(Debug, Clone, Copy)]
pub struct CellSums<'a> {
    /// Per cell, `sum_i w_i z_i` (final weights).
    pub weighted: &'a [f64],
    /// Per cell, `sum_i z_i` over respondents of positive weight.
    pub unweighted: &'a [f64],
    /// Per cell, the sum of final weights.
    pub weights: &'a [f64],
    /// Per cell, respondents of positive weight.
    pub respondents: &'a [f64],
}

impl Projection {
    /// Per cell, the constant `e_c` removed from each respondent's `z` (its residual
    /// is `w_i (z_i - e_c)`), for the factors `g`.
    pub fn means(&self, g: &[f64], sums: CellSums<'_>) -> Vec<f64> {
        let cells = g.len();
        match self {
            Projection::PostStratified { stratum, strata } => {
                // Weighted by the weights before post-stratification (R's `oldweights`).
                let mut num = vec![0.0; *strata];
                let mut den = vec![0.0; *strata];
                for c in 0..cells {
                    if g[c] > 0.0 {
                        num[stratum[c]] += sums.weighted[c] / g[c];
                        den[stratum[c]] += sums.weights[c] / g[c];
                    }
                }
                (0..cells)
                    .map(|c| {
                        let s = stratum[c];
                        if den[s] > 0.0 { num[s] / den[s] } else { 0.0 }
                    })
                    .collect()
            }
            Projection::Raked { category, categories, steps } => {
                // x_i = w0_i (g_c z_i - h_c); each sweep removes, per category of margin
                // j, w_j times the unweighted mean of x / w_j.
                let mut h = vec![0.0; cells];
                for _ in 0..10 {
                    for (j, step) in steps.iter().enumerate() {
                        let mut num = vec![0.0; categories[j]];
                        let mut den = vec![0.0; categories[j]];
                        for c in 0..cells {
                            let a = category[j][c];
                            if step[c] > 0.0 {
                                num[a] += (g[c] * sums.unweighted[c] - sums.respondents[c] * h[c])
                                    / step[c];
                            }
                            den[a] += sums.respondents[c];
                        }
                        for c in 0..cells {
                            let a = category[j][c];
                            if den[a] > 0.0 {
                                h[c] += step[c] * num[a] / den[a];
                            }
                        }
                    }
                }
                (0..cells).map(|c| if g[c] > 0.0 { h[c] / g[c] } else { 0.0 }).collect()
            }
            Projection::Calibrated { basis } => {
                // beta = (M' W0 M)^+ M' W0 z, with W0 the base weights (w / g).
                let p = basis.first().map_or(0, Vec::len);
                let mut t = vec![vec![0.0; p]; p];
                let mut b = vec![0.0; p];
                for c in 0..cells {
                    if g[c] == 0.0 {
                        continue;
                    }
                    let w0 = sums.weights[c] / g[c];
                    let zw0 = sums.weighted[c] / g[c];
                    for i in 0..p {
                        b[i] += basis[c][i] * zw0;
                        for j in 0..p {
                            t[i][j] += w0 * basis[c][i] * basis[c][j];
                        }
                    }
                }
                let beta = mat_vec(&pseudo_inverse(&t), &b);
                basis.iter().map(|m| m.iter().zip(&beta).map(|(x, y)| x * y).sum()).collect()
            }
        }
    }
}

/// Refuses a category with a population but no sample, or a sample but no population.
fn check_categories(sample: &[f64], margins: &Margins) -> Result<(), CalibrationError> {
    for m in 0..margins.population.len() {
        let t = margins.table(m, sample);
        for (k, (&s, &p)) in t.iter().zip(&margins.population[m]).enumerate() {
            if s <= 0.0 && p > 0.0 {
                return Err(CalibrationError::EmptyTarget {
                    margin: margins.names[m].clone(),
                    category: margins.labels[m][k].clone(),
                    population: p,
                });
            }
            if s > 0.0 && p <= 0.0 {
                return Err(CalibrationError::NotInPopulation {
                    margin: margins.names[m].clone(),
                    category: margins.labels[m][k].clone(),
                });
            }
        }
    }
    Ok(())
}

/// Refuses margins whose totals differ by more than a relative 1e-9.
fn check_totals(margins: &Margins) -> Result<(), CalibrationError> {
    let totals: Vec<f64> = margins.population.iter().map(|p| p.iter().sum()).collect();
    for (m, &t) in totals.iter().enumerate().skip(1) {
        if (t - totals[0]).abs() > 1e-9 * totals[0].abs().max(t.abs()) {
            return Err(CalibrationError::Totals {
                first: margins.names[0].clone(),
                first_total: totals[0],
                other: margins.names[m].clone(),
                other_total: t,
            });
        }
    }
    Ok(())
}

/// The factors that post-stratify the cells' sums `current` to margin `m`.
fn post_stratify(
    current: &[f64],
    margins: &Margins,
    m: usize,
) -> Result<Vec<f64>, CalibrationError> {
    let t = margins.table(m, current);
    let pop = &margins.population[m];
    Ok(current
        .iter()
        .enumerate()
        .map(|(c, _)| {
            let k = margins.category[m][c];
            if t[k] > 0.0 { pop[k] / t[k] } else { 1.0 }
        })
        .collect())
}

/// Raking: the factors, the cumulative factors after each margin of the last pass,
/// and the passes made. Without a tolerance, exactly `passes` passes.
#[allow(clippy::type_complexity)]
fn rake(
    sample: &[f64],
    margins: &Margins,
    tolerance: Option<f64>,
    passes: u32,
) -> Result<(Vec<f64>, Vec<Vec<f64>>, u32), CalibrationError> {
    let mut g = vec![1.0; sample.len()];
    let weighted = |g: &[f64]| -> Vec<f64> { sample.iter().zip(g).map(|(s, f)| s * f).collect() };
    let tables = |g: &[f64]| -> Vec<Vec<f64>> {
        let w = weighted(g);
        (0..margins.population.len()).map(|m| margins.table(m, &w)).collect()
    };
    let epsilon = tolerance.map(|t| t * sample.iter().sum::<f64>());
    let mut old = tables(&g);
    let mut misfit = f64::INFINITY;
    for pass in 1..=passes.max(1) {
        let mut steps = Vec::with_capacity(margins.population.len());
        for m in 0..margins.population.len() {
            let f = post_stratify(&weighted(&g), margins, m)?;
            for (x, y) in g.iter_mut().zip(&f) {
                *x *= y;
            }
            steps.push(g.clone());
        }
        let new = tables(&g);
        let delta = old
            .iter()
            .flatten()
            .zip(new.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f64, f64::max);
        misfit = delta;
        match epsilon {
            Some(e) if delta < e => return Ok((g, steps, pass)),
            None if pass == passes => return Ok((g, steps, pass)),
            _ => {}
        }
        old = new;
    }
    let total: f64 = sample.iter().sum();
    Err(CalibrationError::NotConverged {
        method: "raking",
        iterations: passes,
        misfit: misfit / total,
        tolerance: tolerance.unwrap_or(0.0),
    })
}

/// The calibration model per cell (an intercept, then per margin an indicator of each
/// category but the first) and its population totals.
fn model(margins: &Margins) -> (Vec<Vec<f64>>, Vec<f64>) {
    let cells = margins.cells();
    let mut population = vec![margins.population[0].iter().sum::<f64>()];
    let mut basis = vec![vec![1.0]; cells];
    for (m, pop) in margins.population.iter().enumerate() {
        for (k, &p) in pop.iter().enumerate().skip(1) {
            population.push(p);
            for (c, row) in basis.iter_mut().enumerate() {
                row.push(f64::from(u8::from(margins.category[m][c] == k)));
            }
        }
    }
    (basis, population)
}

/// Per cell, `sum_c w_c m_c` and `sum_c w_c d_c m_c m_c'`.
fn moments(sample: &[f64], basis: &[Vec<f64>], d: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let p = basis.first().map_or(0, Vec::len);
    let mut total = vec![0.0; p];
    let mut t = vec![vec![0.0; p]; p];
    for (c, m) in basis.iter().enumerate() {
        for i in 0..p {
            total[i] += sample[c] * m[i];
            for j in 0..p {
                t[i][j] += sample[c] * d[c] * m[i] * m[j];
            }
        }
    }
    (total, t)
}

/// Unbounded linear calibration in closed form (R `regcalibrate`).
fn linear_calibration(sample: &[f64], basis: &[Vec<f64>], population: &[f64]) -> Vec<f64> {
    let (total, t) = moments(sample, basis, &vec![1.0; sample.len()]);
    let gap: Vec<f64> = population.iter().zip(&total).map(|(p, s)| p - s).collect();
    let lambda = mat_vec(&pseudo_inverse(&t), &gap);
    basis.iter().map(|m| 1.0 + m.iter().zip(&lambda).map(|(x, y)| x * y).sum::<f64>()).collect()
}

/// R's `grake`: Newton steps on the calibration equations, with step halving while a
/// factor is not finite, after R's rescaling of weights far below the population.
fn newton(
    sample: &[f64],
    basis: &[Vec<f64>],
    population: &[f64],
    function: CalibrationFunction,
    bounds: (f64, f64),
    tolerance: f64,
    max_iterations: u32,
) -> Result<(Vec<f64>, u32), CalibrationError> {
    let cells = sample.len();
    let (mut total, _) = moments(sample, basis, &vec![1.0; cells]);
    let min_scale = population.iter().zip(&total).map(|(p, s)| p / s).fold(f64::INFINITY, f64::min);
    let mut ww = sample.to_vec();
    let mut scale = None;
    if min_scale > 20.0 {
        let s = population.iter().zip(&total).map(|(p, t)| p / t).sum::<f64>()
            / population.len() as f64;
        for w in &mut ww {
            *w *= s;
        }
        for t in &mut total {
            *t *= s;
        }
        scale = Some(s);
    }
    let p = population.len();
    let xeta = |eta: &[f64]| -> Vec<f64> {
        basis.iter().map(|m| m.iter().zip(eta).map(|(x, y)| x * y).sum()).collect()
    };
    let misfit_at = |u: &[f64]| -> Vec<f64> {
        let fm1: Vec<f64> = u.iter().map(|&u| function.g_minus_one(u, bounds)).collect();
        let mut m: Vec<f64> = population.iter().zip(&total).map(|(p, s)| p - s).collect();
        for (c, row) in basis.iter().enumerate() {
            for i in 0..p {
                m[i] -= ww[c] * row[i] * fm1[c];
            }
        }
        m
    };
    let mut eta = vec![0.0; p];
    let mut u = xeta(&eta);
    let mut iter = 1u32;
    loop {
        let deriv: Vec<f64> = u.iter().map(|&u| function.derivative(u, bounds)).collect();
        let (_, t) = moments(&ww, basis, &deriv);
        let misfit = misfit_at(&u);
        let mut deta = mat_vec(&pseudo_inverse(&t), &misfit);
        for (e, d) in eta.iter_mut().zip(&deta) {
            *e += d;
        }
        u = xeta(&eta);
        let finite = |u: &[f64]| {
            u.iter().all(|&u| {
                (1.0 + function.g_minus_one(u, bounds)).is_finite()
                    && function.derivative(u, bounds).is_finite()
            })
        };
        while iter < max_iterations && !finite(&u) {
            iter += 1;
            for (e, d) in eta.iter_mut().zip(deta.iter_mut()) {
                *d /= 2.0;
                *e -= *d;
            }
            u = xeta(&eta);
        }
        let misfit = misfit_at(&u);
        let worst = misfit
            .iter()
            .zip(population)
            .map(|(m, p)| m.abs() / (1.0 + p.abs()))
            .fold(0.0f64, f64::max);
        if worst < tolerance {
            break;
        }
        iter += 1;
        if iter > max_iterations {
            return Err(CalibrationError::NotConverged {
                method: "calibration",
                iterations: iter - 1,
                misfit: worst,
                tolerance,
            });
        }
    }
    let s = scale.unwrap_or(1.0);
    Ok((u.iter().map(|&u| (1.0 + function.g_minus_one(u, bounds)) * s).collect(), iter))
}

/// R `calibrate(trim = )`: factors outside `trim` are set to the bound and what was
/// cut is spread, in proportion to the base weights, over the cells left untrimmed.
/// Returns the cells trimmed.
fn trim_factors(g: &mut [f64], sample: &[f64], (lower, upper): (f64, f64)) -> usize {
    let outside: Vec<bool> = g.iter().map(|&x| x < lower || x > upper).collect();
    let trimmed = outside.iter().filter(|o| **o).count();
    if trimmed == 0 {
        return 0;
    }
    let mut cut = 0.0;
    let mut kept = 0.0;
    for c in 0..g.len() {
        if outside[c] {
            let new = g[c].max(lower).min(upper);
            cut += (g[c] - new) * sample[c];
            g[c] = new;
        } else {
            kept += sample[c];
        }
    }
    if kept > 0.0 {
        for c in 0..g.len() {
            if !outside[c] {
                g[c] += cut / kept;
            }
        }
    }
    trimmed
}

fn mat_vec(a: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    a.iter().map(|row| row.iter().zip(v).map(|(x, y)| x * y).sum()).collect()
}

/// The Moore-Penrose inverse of a symmetric matrix, by Jacobi rotations, dropping
/// eigenvalues below `256 eps` of the largest (R `MASS::ginv`'s tolerance).
pub fn pseudo_inverse(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a.to_vec();
    let mut v: Vec<Vec<f64>> =
        (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i][j] * m[i][j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i][i] * m[i][i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[p][q] == 0.0 {
                    continue;
                }
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in m.iter_mut() {
                    let (mkp, mkq) = (row[p], row[q]);
                    row[p] = c * mkp - s * mkq;
                    row[q] = s * mkp + c * mkq;
                }
                let (row_p, row_q) = (m[p].clone(), m[q].clone());
                for (k, (mpk, mqk)) in row_p.into_iter().zip(row_q).enumerate() {
                    m[p][k] = c * mpk - s * mqk;
                    m[q][k] = s * mpk + c * mqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let largest = (0..n).map(|i| m[i][i].abs()).fold(0.0f64, f64::max);
    let tol = 256.0 * f64::EPSILON * largest;
    let mut out = vec![vec![0.0; n]; n];
    for k in 0..n {
        let l = m[k][k];
        if l.abs() <= tol || l == 0.0 {
            continue;
        }
        for i in 0..n {
            for j in 0..n {
                out[i][j] += v[i][k] * v[j][k] / l;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_by_two() -> Margins {
        // Cells: (a1, b1), (a1, b2), (a2, b1), (a2, b2).
        Margins {
            category: vec![vec![0, 0, 1, 1], vec![0, 1, 0, 1]],
            population: vec![vec![60.0, 40.0], vec![30.0, 70.0]],
            names: vec!["a".into(), "b".into()],
            labels: vec![vec!["1".into(), "2".into()], vec!["1".into(), "2".into()]],
        }
    }

    fn meets(sample: &[f64], g: &[f64], margins: &Margins) {
        let w: Vec<f64> = sample.iter().zip(g).map(|(s, g)| s * g).collect();
        for m in 0..margins.population.len() {
            for (t, p) in margins.table(m, &w).iter().zip(&margins.population[m]) {
                assert!((t - p).abs() < 1e-6 * p, "{t} vs {p}");
            }
        }
    }

    #[test]
    fn raking_and_raking_calibration_meet_the_margins_with_the_same_factors()
    -> Result<(), CalibrationError> {
        let sample = [10.0, 20.0, 30.0, 40.0];
        let m = two_by_two();
        let raked =
            calibrate(&sample, &m, &Method::Rake { tolerance: 1e-12, max_iterations: 200 })?;
        meets(&sample, &raked.g, &m);
        let cal = calibrate(
            &sample,
            &m,
            &Method::Calibrate {
                function: CalibrationFunction::Raking,
                bounds: (f64::NEG_INFINITY, f64::INFINITY),
                trim: None,
                tolerance: 1e-12,
                max_iterations: 100,
            },
        )?;
        meets(&sample, &cal.g, &m);
        for (a, b) in raked.g.iter().zip(&cal.g) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        Ok(())
    }

    #[test]
    fn linear_calibration_in_closed_form_equals_its_newton_solution() -> Result<(), CalibrationError>
    {
        let sample = [10.0, 20.0, 30.0, 40.0];
        let m = two_by_two();
        let closed = calibrate(
            &sample,
            &m,
            &Method::Calibrate {
                function: CalibrationFunction::Linear,
                bounds: (f64::NEG_INFINITY, f64::INFINITY),
                trim: None,
                tolerance: 1e-7,
                max_iterations: 50,
            },
        )?;
        meets(&sample, &closed.g, &m);
        let bounded = calibrate(
            &sample,
            &m,
            &Method::Calibrate {
                function: CalibrationFunction::Linear,
                bounds: (-1e6, 1e6),
                trim: None,
                tolerance: 1e-12,
                max_iterations: 50,
            },
        )?;
        for (a, b) in closed.g.iter().zip(&bounded.g) {
            assert!((a - b).abs() < 1e-9);
        }
        Ok(())
    }

    #[test]
    fn empty_targets_and_different_totals_are_refused() {
        let m = two_by_two();
        let e = calibrate(&[0.0, 0.0, 30.0, 40.0], &m, &Method::PostStratify).unwrap_err();
        assert!(matches!(e, CalibrationError::EmptyTarget { ref category, .. } if category == "1"));
        let mut m2 = two_by_two();
        m2.population[1][1] = 80.0;
        let e = calibrate(&[1.0; 4], &m2, &Method::Rake { tolerance: 1e-9, max_iterations: 10 })
            .unwrap_err();
        assert!(matches!(e, CalibrationError::Totals { other_total, .. } if other_total == 110.0));
    }

    #[test]
    fn trimming_caps_factors_and_keeps_the_total() {
        let mut g = vec![0.5, 1.0, 3.0];
        let sample = [10.0, 10.0, 10.0];
        let before: f64 = g.iter().zip(&sample).map(|(g, s)| g * s).sum();
        assert_eq!(trim_factors(&mut g, &sample, (0.8, 2.0)), 2);
        let after: f64 = g.iter().zip(&sample).map(|(g, s)| g * s).sum();
        assert!((before - after).abs() < 1e-12);
        assert_eq!(g[0], 0.8);
        assert_eq!(g[2], 2.0);
    }

    #[test]
    fn the_pseudo_inverse_inverts_and_tolerates_dependence() {
        let a = vec![vec![4.0, 1.0], vec![1.0, 3.0]];
        let inv = pseudo_inverse(&a);
        let id = [mat_vec(&inv, &[4.0, 1.0]), mat_vec(&inv, &[1.0, 3.0])];
        assert!((id[0][0] - 1.0).abs() < 1e-12 && id[0][1].abs() < 1e-12);
        let singular = vec![vec![1.0, 1.0], vec![1.0, 1.0]];
        let p = pseudo_inverse(&singular);
        assert!((p[0][0] - 0.25).abs() < 1e-12);
    }
}
