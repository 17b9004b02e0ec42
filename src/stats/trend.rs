//! Change over survey waves: the Cochran-Armitage test for a linear trend in a
//! proportion, and the difference in differences of two groups between two waves.

use super::one_sample::wald_p_value;
use super::special::chi2_ln_sf;
use super::{
    Alternative, ConfidenceLevel, Interval, Maybe, PValue, Proportion, TestResult, Undefined,
};
use serde::Serialize;

/// Cochran-Armitage test for trend over ordered samples with the given scores (e.g.
/// wave numbers), chi-square with 1 degree of freedom, no continuity correction.
/// Matches R `prop.trend.test(x, n, score)`.
///
/// # Errors
/// Undefined when nothing varies (no successes or no failures at all, or equal scores).
pub fn cochran_armitage(samples: &[Proportion], scores: &[f64]) -> Maybe<TestResult> {
    let n: f64 = samples.iter().map(|p| p.n as f64).sum();
    let x: f64 = samples.iter().map(|p| p.successes as f64).sum();
    let p_bar = x / n;
    if p_bar <= 0.0 || p_bar >= 1.0 {
        return Err(Undefined::NoVariation);
    }
    let s_bar: f64 = samples.iter().zip(scores).map(|(p, s)| p.n as f64 * s).sum::<f64>() / n;
    let num: f64 = samples.iter().zip(scores).map(|(p, s)| p.successes as f64 * (s - s_bar)).sum();
    let den: f64 = p_bar
        * (1.0 - p_bar)
        * samples.iter().zip(scores).map(|(p, s)| p.n as f64 * (s - s_bar).powi(2)).sum::<f64>();
    if den <= 0.0 {
        return Err(Undefined::NoVariation);
    }
    let stat = num * num / den;
    Ok(TestResult { statistic: Some(stat), p_value: PValue::from_ln(chi2_ln_sf(stat, 1.0)) })
}

/// A difference in differences with its Wald interval and test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DifferenceInDifferences {
    /// `(a_now - b_now) - (a_before - b_before)`.
    pub estimate: f64,
    /// Standard error: the four variances add, less twice the covariance of the two
    /// groups within each wave (0 for independent groups; clusters holding both groups
    /// make it non-zero); the waves are independent.
    pub se: f64,
    /// Wald interval.
    pub interval: Interval,
    /// Two-sided z test of no change in the gap.
    pub p_value: PValue,
}

/// The change of the gap between two groups from one wave to the next, from each
/// estimate and its standard error (binomial `sqrt(p(1-p)/n)` unweighted, the domain
/// standard error weighted) and the covariance of the two groups' estimates within
/// each wave, `[now, before]` (R `svycontrast` on `svyby(~y, ~wave + group, covmat =
/// TRUE)` of waves stacked as strata).
pub fn difference_in_differences(
    now: [(f64, f64); 2],
    before: [(f64, f64); 2],
    covariance: [f64; 2],
    level: ConfidenceLevel,
) -> DifferenceInDifferences {
    let estimate = (now[0].0 - now[1].0) - (before[0].0 - before[1].0);
    let var = now[0].1.powi(2) + now[1].1.powi(2) + before[0].1.powi(2) + before[1].1.powi(2)
        - 2.0 * (covariance[0] + covariance[1]);
    let se = var.max(0.0).sqrt();
    let z = level.z(Alternative::TwoSided);
    DifferenceInDifferences {
        estimate,
        se,
        interval: Interval::new(estimate - z * se, estimate + z * se),
        p_value: wald_p_value(estimate, se),
    }
}

/// The binomial standard error `sqrt(p (1 - p) / n)` of a proportion.
pub fn binomial_se(p: &Proportion) -> f64 {
    let e = p.estimate();
    (e * (1.0 - e) / p.n as f64).sqrt()
}
