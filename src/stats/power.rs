//! Power, sample size and minimum detectable difference for comparing two independent
//! proportions with the pooled z (chi-square) test, for unequal group sizes.
//!
//! The test statistic's variance is taken under the null (pooled `p = (n1 p1 + n2 p2) /
//! (n1 + n2)`) for the critical value and under the alternative for the spread, as in
//! statsmodels `power_proportions_2indep` and R `power.prop.test`.

use super::special::{normal_cdf, normal_quantile, normal_sf};
use super::{Alternative, StatsError, roots};
use serde::Serialize;

fn check_probability(name: &'static str, value: f64) -> Result<(), StatsError> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidProbability { name, value })
    }
}

fn check_positive(name: &'static str, value: f64) -> Result<(), StatsError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(StatsError::NotPositive { name, value })
    }
}

/// Standard deviations (per unit of `n1`) of `p1 - p2` under the null and the
/// alternative, for `n2 = ratio * n1`.
fn std_null_alt(p1: f64, p2: f64, ratio: f64) -> (f64, f64) {
    let pooled = (p1 + p2 * ratio) / (1.0 + ratio);
    let null = (pooled * (1.0 - pooled) * (1.0 + 1.0 / ratio)).sqrt();
    let alt = (p1 * (1.0 - p1) + p2 * (1.0 - p2) / ratio).sqrt();
    (null, alt)
}

/// A power calculation's inputs and result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PowerResult {
    /// Proportion in group 1 under the alternative.
    pub p1: f64,
    /// Proportion in group 2.
    pub p2: f64,
    /// Group 1 size (may be fractional from a sample-size calculation).
    pub n1: f64,
    /// Group 2 size.
    pub n2: f64,
    /// Significance level.
    pub alpha: f64,
    /// Power.
    pub power: f64,
}

/// Power of the two-sided (or one-sided) pooled z test to detect `p1` vs `p2` with
/// groups of `n1` and `n2`. Both rejection tails count. Matches statsmodels
/// `power_proportions_2indep(p1 - p2, p2, n1, ratio = n2 / n1, alpha)` and, for
/// `n1 = n2`, R `power.prop.test(n, p1, p2, strict = TRUE)`.
///
/// # Errors
/// Proportions and `alpha` must lie in `(0, 1)`, sizes must be positive.
pub fn power(
    p1: f64,
    p2: f64,
    n1: f64,
    n2: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<PowerResult, StatsError> {
    check_probability("p1", p1)?;
    check_probability("p2", p2)?;
    check_probability("alpha", alpha)?;
    check_positive("n1", n1)?;
    check_positive("n2", n2)?;
    let ratio = n2 / n1;
    let (sd_null, sd_alt) = std_null_alt(p1, p2, ratio);
    let d = p1 - p2;
    let shift = d * n1.sqrt() / sd_alt;
    let ratio_sd = sd_null / sd_alt;
    let tail = if alternative == Alternative::TwoSided { alpha / 2.0 } else { alpha };
    let crit = -normal_quantile(tail);
    let mut power = 0.0;
    if alternative != Alternative::Less {
        power += normal_sf(crit * ratio_sd - shift);
    }
    if alternative != Alternative::Greater {
        power += normal_cdf(-crit * ratio_sd - shift);
    }
    Ok(PowerResult { p1, p2, n1, n2, alpha, power })
}

/// Group 1 size (with `n2 = ratio * n1`) that gives `target` power, ignoring the far
/// rejection tail. Matches statsmodels `samplesize_proportions_2indep_onetail` and R
/// `power.prop.test(p1 = , p2 = , power = )` (which solves the same equation by root
/// finding, to ~1e-9).
///
/// # Errors
/// As [`power`], plus `target` in `(0, 1)` and `p1 != p2`;
/// [`StatsError::EffectOpposesAlternative`] for a one-sided test of the other direction
/// (`greater` with `p1 < p2`, `less` with `p1 > p2`).
pub fn sample_size(
    p1: f64,
    p2: f64,
    ratio: f64,
    alpha: f64,
    target: f64,
    alternative: Alternative,
) -> Result<PowerResult, StatsError> {
    check_probability("p1", p1)?;
    check_probability("p2", p2)?;
    check_probability("alpha", alpha)?;
    check_probability("power", target)?;
    check_positive("ratio", ratio)?;
    if p1 == p2 {
        return Err(StatsError::NotPositive { name: "|p1 - p2|", value: 0.0 });
    }
    match alternative {
        Alternative::Greater if p1 < p2 => {
            return Err(StatsError::EffectOpposesAlternative { p1, p2, side: "below" });
        }
        Alternative::Less if p1 > p2 => {
            return Err(StatsError::EffectOpposesAlternative { p1, p2, side: "above" });
        }
        _ => {}
    }
    let (sd_null, sd_alt) = std_null_alt(p1, p2, ratio);
    let tail = if alternative == Alternative::TwoSided { alpha / 2.0 } else { alpha };
    let crit = -normal_quantile(tail);
    let crit_power = normal_quantile(target);
    let n1 = ((crit * sd_null + crit_power * sd_alt).max(0.0) / (p1 - p2)).powi(2);
    let achieved = power(p1, p2, n1, n1 * ratio, alpha, alternative)?.power;
    Ok(PowerResult { p1, p2, n1, n2: n1 * ratio, alpha, power: achieved })
}

/// The smallest `p1 - p2 > 0` (with `p2` fixed) that the test detects with `target`
/// power at sizes `n1`, `n2` (both tails counted, as [`power`]). Use `p2 > p1` by
/// swapping the groups. Golden values from statsmodels' power solved with scipy `brentq`.
///
/// # Errors
/// As [`power`]; also when even `p1 -> 1` does not reach the target.
pub fn minimum_detectable_difference(
    p2: f64,
    n1: f64,
    n2: f64,
    alpha: f64,
    target: f64,
    alternative: Alternative,
) -> Result<PowerResult, StatsError> {
    check_probability("p2", p2)?;
    check_probability("power", target)?;
    check_probability("alpha", alpha)?;
    check_positive("n1", n1)?;
    check_positive("n2", n2)?;
    let at = |d: f64| power(p2 + d, p2, n1, n2, alpha, alternative).map(|r| r.power - target);
    let top = 1.0 - p2;
    let hi = top * (1.0 - 1e-12);
    let best = at(hi)? + target;
    if best < target {
        return Err(StatsError::PowerUnreachable { target, best });
    }
    let d = roots::brent(|d| at(d).unwrap_or(f64::NAN), top * 1e-12, hi);
    power(p2 + d, p2, n1, n2, alpha, alternative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_sided_sample_size_against_its_direction_is_refused() {
        let err = sample_size(0.5, 0.51, 1.0, 0.05, 0.99, Alternative::Greater).unwrap_err();
        assert!(matches!(err, StatsError::EffectOpposesAlternative { side: "below", .. }));
        let err = sample_size(0.6, 0.5, 1.0, 0.05, 0.8, Alternative::Less).unwrap_err();
        assert!(matches!(err, StatsError::EffectOpposesAlternative { side: "above", .. }));
        // The same effect in the test's direction has a size, and it reaches the target.
        let ok = sample_size(0.51, 0.5, 1.0, 0.05, 0.99, Alternative::Greater).unwrap();
        assert!(ok.n1 > 1000.0 && (ok.power - 0.99).abs() < 1e-3, "{ok:?}");
    }
}
