//! Tests of one proportion against a null value `p0` (e.g. "a majority": `p0 = 0.5`).

use super::discrete::{Binomial, ln_cdf, ln_p_minlike, ln_sf_inclusive};
use super::special::normal_ln_sf;
use super::{Alternative, PValue, Proportion, StatsError, TestResult};

fn check_p0(p0: f64) -> Result<(), StatsError> {
    if p0 > 0.0 && p0 < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidProbability { name: "p0", value: p0 })
    }
}

/// Exact binomial test of `H0: p = p0`. Two-sided is the minimum-likelihood p-value.
/// Matches R `binom.test(x, n, p0, alternative)` and scipy `binomtest`.
///
/// # Errors
/// [`StatsError::InvalidProbability`] unless `0 < p0 < 1`.
pub fn binomial_exact_test(
    prop: Proportion,
    p0: f64,
    alternative: Alternative,
) -> Result<TestResult, StatsError> {
    check_p0(p0)?;
    let d = Binomial::new(prop.n, p0);
    let x = prop.successes;
    let ln_p = match alternative {
        Alternative::TwoSided => ln_p_minlike(&d, x),
        Alternative::Less => ln_cdf(&d, x),
        Alternative::Greater => ln_sf_inclusive(&d, x),
    };
    Ok(TestResult { statistic: Some(x as f64), p_value: PValue::from_ln(ln_p) })
}

/// Score (z) test of `H0: p = p0`: `z = (x - n p0) / sqrt(n p0 (1 - p0))`.
/// Matches R `prop.test(x, n, p0, correct = FALSE)` (whose statistic is `z^2`) and
/// statsmodels `proportions_ztest(x, n, p0, prop_var = p0)`. The statistic reported is z.
///
/// # Errors
/// [`StatsError::InvalidProbability`] unless `0 < p0 < 1`.
pub fn score_test(
    prop: Proportion,
    p0: f64,
    alternative: Alternative,
) -> Result<TestResult, StatsError> {
    check_p0(p0)?;
    let n = prop.n as f64;
    let z = (prop.successes as f64 - n * p0) / (n * p0 * (1.0 - p0)).sqrt();
    Ok(TestResult { statistic: Some(z), p_value: normal_p_value(z, alternative) })
}

/// The two-sided p-value of a Wald statistic `estimate / se`. A standard error of 0
/// with a non-zero estimate (all yes against all no) is an infinite statistic: p = 0,
/// as its own interval `[estimate, estimate]` excludes 0; with an estimate of 0 there
/// is no difference to test: p = 1.
pub fn wald_p_value(estimate: f64, se: f64) -> PValue {
    if se > 0.0 {
        normal_p_value(estimate / se, Alternative::TwoSided)
    } else if estimate != 0.0 {
        PValue { p: 0.0, log10: f64::NEG_INFINITY }
    } else {
        PValue { p: 1.0, log10: 0.0 }
    }
}

/// The normal p-value of a z statistic (two-sided or one-sided), in log space.
pub fn normal_p_value(z: f64, alternative: Alternative) -> PValue {
    let ln_p = match alternative {
        Alternative::TwoSided => std::f64::consts::LN_2 + normal_ln_sf(z.abs()),
        Alternative::Less => normal_ln_sf(-z),
        Alternative::Greater => normal_ln_sf(z),
    };
    PValue::from_ln(ln_p)
}

#[cfg(test)]
mod wald_tests {
    use super::*;

    #[test]
    fn a_zero_standard_error_is_an_infinite_statistic_unless_nothing_differs() {
        assert_eq!(wald_p_value(1.0, 0.0).p, 0.0);
        assert_eq!(wald_p_value(-1.0, 0.0).p, 0.0);
        assert_eq!(wald_p_value(0.0, 0.0).p, 1.0);
        let z = wald_p_value(0.1, 0.05);
        assert_eq!(z, normal_p_value(2.0, Alternative::TwoSided));
    }
}
