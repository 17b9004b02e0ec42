//! Exact unconditional tests for two independent binomials: Barnard's test with the
//! pooled z statistic, and Boschloo's test (Fisher's p-value as the statistic).
//!
//! Both order all `(n1 + 1)(n2 + 1)` possible tables by a statistic, and take as
//! p-value the largest probability of the tables at least as extreme as the observed
//! one over the common success probability `pi` (the nuisance parameter):
//! `p = sup_pi sum_{(i, j) extreme} Bin(i; n1, pi) Bin(j; n2, pi)`.
//! The supremum is found on a 200-point grid refined by Brent's method around every
//! local maximum, so it is the true supremum to ~1e-12 relative (scipy samples 32
//! points and runs a local optimiser from them).
//!
//! Rows are the groups. scipy's `barnard_exact`/`boschloo_exact` treat *columns* as
//! the groups: pass them the transposed table to compare.

use super::discrete::{Hypergeometric, Unimodal};
use super::special::{ln_add_exp, ln_binom_kernel};
use super::{Alternative, Maybe, PValue, TestResult, TwoGroups, Undefined, roots};

/// The largest number of tables `(n1 + 1)(n2 + 1)` that the exact unconditional tests
/// enumerate (e.g. two groups of 999); beyond it they are reported as undefined.
pub const MAX_TABLES: u64 = 1_000_000;

/// Relative tolerance when comparing a table's statistic with the observed one.
/// Boschloo: scipy's `1e-13`. Barnard: ties within `1e-12` count as "as extreme"
/// (scipy compares floats exactly, so mathematically tied tables may fall either way).
const BOSCHLOO_TOLERANCE: f64 = 1e-13;
const BARNARD_TOLERANCE: f64 = 1e-12;

/// Grid points for the nuisance parameter before local refinement.
const NUISANCE_GRID: usize = 200;

/// Barnard's exact unconditional test with the pooled (score) z statistic.
/// Matches scipy `barnard_exact(table.T, pooled=True)`. The statistic reported is the
/// observed z (0 when `p1 = p2`).
///
/// # Errors
/// [`Undefined::TooLarge`] beyond [`MAX_TABLES`].
pub fn barnard(g: &TwoGroups, alternative: Alternative) -> Maybe<TestResult> {
    check_size(g)?;
    let (n1, n2) = (g.first.n, g.second.n);
    let z = |i: u64, j: u64| pooled_z(i, n1, j, n2);
    let z_obs = z(g.first.successes, g.second.successes);
    let tol = BARNARD_TOLERANCE * z_obs.abs().max(1e-300);
    let extreme = |i: u64, j: u64| {
        let t = z(i, j);
        match alternative {
            Alternative::TwoSided => t.abs() >= z_obs.abs() - tol,
            Alternative::Less => t <= z_obs + tol,
            Alternative::Greater => t >= z_obs - tol,
        }
    };
    let region = Region::build(n1, n2, extreme);
    Ok(TestResult { statistic: Some(z_obs), p_value: region.sup_p_value() })
}

/// Boschloo's exact unconditional test: tables are ordered by Fisher's one-sided
/// p-value. Two-sided is twice the smaller one-sided p-value (capped at 1), as in
/// scipy. Matches scipy `boschloo_exact(table.T)`. The statistic reported is the
/// observed Fisher one-sided p-value of the side used.
///
/// # Errors
/// [`Undefined::TooLarge`] beyond [`MAX_TABLES`].
pub fn boschloo(g: &TwoGroups, alternative: Alternative) -> Maybe<TestResult> {
    check_size(g)?;
    match alternative {
        Alternative::TwoSided => {
            let less = boschloo_one_sided(g, Alternative::Less);
            let greater = boschloo_one_sided(g, Alternative::Greater);
            let best = if less.p_value.p < greater.p_value.p { less } else { greater };
            let ln_p = (best.p_value.ln() + std::f64::consts::LN_2).min(0.0);
            Ok(TestResult { statistic: best.statistic, p_value: PValue::from_ln(ln_p) })
        }
        side => Ok(boschloo_one_sided(g, side)),
    }
}

fn boschloo_one_sided(g: &TwoGroups, alternative: Alternative) -> TestResult {
    let (n1, n2) = (g.first.n, g.second.n);
    // ln P(X1 <= i | i + j) ("less") or ln P(X1 >= i | i + j) ("greater") per table.
    let stat = FisherTails::new(n1, n2, alternative == Alternative::Less);
    let obs = stat.get(g.first.successes, g.second.successes);
    let threshold = obs + BOSCHLOO_TOLERANCE.ln_1p();
    let region = Region::build(n1, n2, |i, j| stat.get(i, j) <= threshold);
    TestResult { statistic: Some(obs.exp()), p_value: region.sup_p_value() }
}

fn check_size(g: &TwoGroups) -> Maybe<()> {
    let tables = (g.first.n + 1).saturating_mul(g.second.n + 1);
    if tables > MAX_TABLES {
        return Err(Undefined::TooLarge { tables, limit: MAX_TABLES });
    }
    Ok(())
}

/// Pooled z for the table `(i of n1, j of n2)`; 0 when the proportions are equal.
pub(crate) fn pooled_z(i: u64, n1: u64, j: u64, n2: u64) -> f64 {
    let (p1, p2) = (i as f64 / n1 as f64, j as f64 / n2 as f64);
    if p1 == p2 {
        return 0.0;
    }
    let p = (i + j) as f64 / (n1 + n2) as f64;
    (p1 - p2) / (p * (1.0 - p) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt()
}

/// Log one-sided Fisher p-values for every table, computed column total by column total.
struct FisherTails {
    n1: u64,
    /// `values[i * (n2 + 1) + j]`.
    values: Vec<f64>,
    n2: u64,
}

impl FisherTails {
    fn new(n1: u64, n2: u64, lower: bool) -> Self {
        let width = n2 + 1;
        let mut values = vec![0.0; ((n1 + 1) * width) as usize];
        for t in 0..=(n1 + n2) {
            let d = Hypergeometric::new(n1, n2, t);
            let (lo, hi) = (d.lo(), d.hi());
            // Cumulative log sums from the open end, re-anchored on exact densities.
            let mut acc = f64::NEG_INFINITY;
            let mut set = |i: u64, acc: f64| values[(i * width + (t - i)) as usize] = acc.min(0.0);
            if lower {
                for i in lo..=hi {
                    acc = ln_add_exp(acc, d.ln_weight(i));
                    set(i, acc);
                }
            } else {
                for i in (lo..=hi).rev() {
                    acc = ln_add_exp(acc, d.ln_weight(i));
                    set(i, acc);
                }
            }
        }
        FisherTails { n1, values, n2 }
    }

    fn get(&self, i: u64, j: u64) -> f64 {
        debug_assert!(i <= self.n1);
        self.values[(i * (self.n2 + 1) + j) as usize]
    }
}

/// The rejection region: for each `i`, maximal runs `[start, end]` of `j`.
struct Region {
    n1: u64,
    n2: u64,
    runs: Vec<(u64, u64, u64)>,
}

impl Region {
    fn build(n1: u64, n2: u64, extreme: impl Fn(u64, u64) -> bool) -> Self {
        let mut runs = Vec::new();
        for i in 0..=n1 {
            let mut start = None;
            for j in 0..=n2 {
                match (extreme(i, j), start) {
                    (true, None) => start = Some(j),
                    (false, Some(s)) => {
                        runs.push((i, s, j - 1));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                runs.push((i, s, n2));
            }
        }
        Region { n1, n2, runs }
    }

    /// `ln P_pi(region)`.
    fn ln_probability(&self, pi: f64) -> f64 {
        if self.runs.is_empty() {
            return f64::NEG_INFINITY;
        }
        let q = 1.0 - pi;
        let ln1: Vec<f64> =
            (0..=self.n1).map(|i| ln_binom_kernel(i as f64, (self.n1 - i) as f64, pi, q)).collect();
        let ln2: Vec<f64> =
            (0..=self.n2).map(|j| ln_binom_kernel(j as f64, (self.n2 - j) as f64, pi, q)).collect();
        let m1 = ln1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let m2 = ln2.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let b2: Vec<f64> = ln2.iter().map(|l| (l - m2).exp()).collect();
        let mut prefix = vec![0.0; b2.len() + 1];
        for (k, v) in b2.iter().enumerate() {
            prefix[k + 1] = prefix[k] + v;
        }
        let mut suffix = vec![0.0; b2.len() + 1];
        for k in (0..b2.len()).rev() {
            suffix[k] = suffix[k + 1] + b2[k];
        }
        let mut total = 0.0;
        for &(i, s, e) in &self.runs {
            let inner = if s == 0 {
                prefix[e as usize + 1]
            } else if e == self.n2 {
                suffix[s as usize]
            } else {
                b2[s as usize..=e as usize].iter().sum()
            };
            total += (ln1[i as usize] - m1).exp() * inner;
        }
        if total > 0.0 {
            return m1 + m2 + total.ln();
        }
        // Every term underflowed relative to the peak: sum exactly in log space.
        let mut acc = f64::NEG_INFINITY;
        for &(i, s, e) in &self.runs {
            for j in s..=e {
                acc = ln_add_exp(acc, ln1[i as usize] + ln2[j as usize]);
            }
        }
        acc
    }

    fn contains(&self, i: u64, j: u64) -> bool {
        self.runs.iter().any(|&(ri, s, e)| ri == i && s <= j && j <= e)
    }

    /// `sup_pi P_pi(region)` over the closed interval `[0, 1]`, as a p-value.
    fn sup_p_value(&self) -> PValue {
        if self.runs.is_empty() {
            return PValue::from_ln(f64::NEG_INFINITY);
        }
        // At pi = 0 (or 1) all mass sits on the all-failure (all-success) table.
        if self.contains(0, 0) || self.contains(self.n1, self.n2) {
            return PValue::from_ln(0.0);
        }
        let grid: Vec<f64> =
            (1..=NUISANCE_GRID).map(|k| k as f64 / (NUISANCE_GRID + 1) as f64).collect();
        let values: Vec<f64> = grid.iter().map(|&pi| self.ln_probability(pi)).collect();
        let mut best = f64::NEG_INFINITY;
        for k in 0..grid.len() {
            let left = if k == 0 { f64::NEG_INFINITY } else { values[k - 1] };
            let right = if k + 1 == grid.len() { f64::NEG_INFINITY } else { values[k + 1] };
            best = best.max(values[k]);
            if values[k] >= left && values[k] >= right && values[k].is_finite() {
                let a = if k == 0 { 1e-12 } else { grid[k - 1] };
                let b = if k + 1 == grid.len() { 1.0 - 1e-12 } else { grid[k + 1] };
                let (_, v) = roots::brent_max(|pi| self.ln_probability(pi), a, b);
                best = best.max(v);
            }
        }
        PValue::from_ln(best)
    }
}
