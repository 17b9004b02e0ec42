//! Fisher's exact test on a 2x2 table and the conditional maximum-likelihood odds ratio.
//!
//! The table has the groups as rows: `[[x1, n1 - x1], [x2, n2 - x2]]`, so "greater"
//! means the odds ratio exceeds 1 (group 1 has the higher proportion).

use super::discrete::{
    Hypergeometric, NoncentralHypergeometric, Unimodal, ln_cdf, ln_p_minlike, ln_p_minlike_mid,
    ln_sf_inclusive,
};
use super::special::ln_add_exp;
use super::{Alternative, ConfidenceLevel, Interval, Maybe, PValue, TestResult, TwoGroups, roots};
use serde::Serialize;

fn null_distribution(g: &TwoGroups) -> Hypergeometric {
    Hypergeometric::new(g.first.n, g.second.n, g.total_successes())
}

/// Fisher's exact test. Two-sided is the minimum-likelihood p-value (tables at most
/// `1 + 1e-7` times as likely as the observed one). Matches R `fisher.test` and scipy
/// `fisher_exact` (p-value), and stays exact for any n (statrs 0.19.1 does not, see the
/// README).
pub fn fisher_exact(g: &TwoGroups, alternative: Alternative) -> TestResult {
    let d = null_distribution(g);
    let x = g.first.successes;
    let ln_p = match alternative {
        Alternative::TwoSided => ln_p_minlike(&d, x),
        Alternative::Less => ln_cdf(&d, x),
        Alternative::Greater => ln_sf_inclusive(&d, x),
    };
    TestResult { statistic: None, p_value: PValue::from_ln(ln_p) }
}

/// Fisher's exact test with Lancaster's mid-p: the observed table (and tables as likely
/// as it, two-sided) count one half. One-sided: `P(X > x) + P(X = x) / 2`, as exact2x2
/// `fisher.exact(midp = TRUE)` and epitools `ormidp.test`; two-sided: the
/// minimum-likelihood version of the same (epitools instead doubles the smaller
/// one-sided mid-p). Golden values from an independent 50-digit computation.
pub fn fisher_mid_p(g: &TwoGroups, alternative: Alternative) -> TestResult {
    let d = null_distribution(g);
    let x = g.first.successes;
    let half_obs = d.ln_weight(x) - std::f64::consts::LN_2;
    let ln_p = match alternative {
        Alternative::TwoSided => ln_p_minlike_mid(&d, x),
        Alternative::Less => {
            let below = if x > d.lo() { ln_cdf(&d, x - 1) } else { f64::NEG_INFINITY };
            ln_add_exp(below, half_obs)
        }
        Alternative::Greater => {
            let above = if x < d.hi() { ln_sf_inclusive(&d, x + 1) } else { f64::NEG_INFINITY };
            ln_add_exp(above, half_obs)
        }
    };
    TestResult { statistic: None, p_value: PValue::from_ln(ln_p) }
}

/// The conditional maximum-likelihood odds ratio and its exact (central) interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConditionalOddsRatio {
    /// The conditional MLE; `0` when x1 is at the bottom of its support, `+inf` at the top.
    pub estimate: f64,
    /// Exact interval by inverting the two one-sided conditional tests; bounds may be
    /// `0` or `+inf`.
    pub interval: Interval,
}

/// Conditional MLE of the odds ratio and its exact interval. Matches scipy
/// `odds_ratio(table, kind = "conditional")` to 1e-9; R `fisher.test` reports the same
/// quantities but stops its root search at ~1e-4 relative (3.81648764 instead of
/// 3.816596883 for 52/60 vs 214/340).
///
/// Returns `Err` only for a table whose margins leave a single possible table (then
/// nothing is estimable).
pub fn conditional_odds_ratio(
    g: &TwoGroups,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Maybe<ConditionalOddsRatio> {
    let base = null_distribution(g);
    let (lo, hi) = (base.lo(), base.hi());
    if lo == hi {
        return Err(super::Undefined::NoVariation);
    }
    let x = g.first.successes;
    let at = |ln_psi: f64| NoncentralHypergeometric { base, ln_psi };
    // Every root is searched in ln(psi) within +-LIMIT (psi from 1e-304 to 1e304).
    const LIMIT: f64 = 700.0;
    let start = {
        let c = g.cells();
        let ln_or = (c[0] + 0.5).ln() + (c[3] + 0.5).ln() - (c[1] + 0.5).ln() - (c[2] + 0.5).ln();
        ln_or.clamp(-LIMIT / 2.0, LIMIT / 2.0)
    };
    let solve = |f: &dyn Fn(f64) -> f64, bottom: f64, top: f64| -> f64 {
        match roots::brent_unbounded(f, start, LIMIT) {
            Some(t) => t.exp(),
            None => {
                if f(start) > 0.0 {
                    bottom
                } else {
                    top
                }
            }
        }
    };
    let estimate = if x == lo {
        0.0
    } else if x == hi {
        f64::INFINITY
    } else {
        solve(&|t| at(t).mean() - x as f64, 0.0, f64::INFINITY)
    };
    let tail = level.tail(alternative);
    let ln_tail = tail.ln();
    // P_psi(X >= x) increases with psi: the lower bound solves it = tail.
    let lower = || {
        if x == lo {
            0.0
        } else {
            solve(&|t| ln_sf_inclusive(&at(t), x) - ln_tail, 0.0, f64::INFINITY)
        }
    };
    // P_psi(X <= x) decreases with psi: the upper bound solves it = tail.
    let upper = || {
        if x == hi {
            f64::INFINITY
        } else {
            solve(&|t| ln_tail - ln_cdf(&at(t), x), 0.0, f64::INFINITY)
        }
    };
    let interval = match alternative {
        Alternative::TwoSided => Interval::new(lower(), upper()),
        Alternative::Less => Interval::new(0.0, upper()),
        Alternative::Greater => Interval::new(lower(), f64::INFINITY),
    };
    Ok(ConditionalOddsRatio { estimate, interval })
}

/// `ln P(X = x)` under the null hypergeometric distribution: the probability of the
/// observed table given its margins.
pub fn ln_table_probability(g: &TwoGroups) -> f64 {
    let d = null_distribution(g);
    d.ln_weight(g.first.successes)
}
