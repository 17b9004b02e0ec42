//! Tests of independence for a 2 x k table (a yes/no answer across k groups):
//! Pearson's chi-square and the exact Fisher-Freeman-Halton test.

use super::special::{chi2_ln_sf, ln_add_exp, ln_gamma};
use super::{Maybe, PValue, Proportion, TestResult, Undefined};

/// The largest number of tables the exact test enumerates.
pub const MAX_EXACT_TABLES: u64 = 5_000_000;

/// Pearson chi-square test of independence on a 2 x k table (successes and failures
/// of each group), `(k - 1)` degrees of freedom. Matches R `chisq.test(matrix)` (no
/// correction is applied beyond 2 x 2).
///
/// # Errors
/// Undefined when no group varies from the others' total (a zero margin).
pub fn chi_square(groups: &[Proportion]) -> Maybe<TestResult> {
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let successes: u64 = groups.iter().map(|g| g.successes).sum();
    if successes == 0 || successes == total {
        return Err(Undefined::NoVariation);
    }
    let (t, s) = (total as f64, successes as f64);
    let mut stat = 0.0;
    for g in groups {
        let n = g.n as f64;
        for (obs, col) in [(g.successes as f64, s), ((g.n - g.successes) as f64, t - s)] {
            let e = n * col / t;
            stat += (obs - e).powi(2) / e;
        }
    }
    let df = (groups.len() - 1) as f64;
    Ok(TestResult { statistic: Some(stat), p_value: PValue::from_ln(chi2_ln_sf(stat, df)) })
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Exact Fisher-Freeman-Halton test on a 2 x k table: the probability, given both
/// margins, of every table at most `1 + 1e-7` times as likely as the observed one.
/// Matches R `fisher.test(matrix)`.
///
/// # Errors
/// [`Undefined::TooLarge`] beyond [`MAX_EXACT_TABLES`] tables.
pub fn fisher_freeman_halton(groups: &[Proportion]) -> Maybe<TestResult> {
    let tables: u64 = groups.iter().fold(1u64, |acc, g| acc.saturating_mul(g.n + 1));
    if tables > MAX_EXACT_TABLES {
        return Err(Undefined::TooLarge { tables, limit: MAX_EXACT_TABLES });
    }
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let successes: u64 = groups.iter().map(|g| g.successes).sum();
    let ln_norm = ln_choose(total, successes);
    let ln_prob = |xs: &[u64]| -> f64 {
        xs.iter().zip(groups).map(|(&x, g)| ln_choose(g.n, x)).sum::<f64>() - ln_norm
    };
    let observed: Vec<u64> = groups.iter().map(|g| g.successes).collect();
    let threshold = ln_prob(&observed) + 1e-7f64.ln_1p();
    // Suffix capacities to prune impossible partial tables.
    let mut cap = vec![0u64; groups.len() + 1];
    for j in (0..groups.len()).rev() {
        cap[j] = cap[j + 1] + groups[j].n;
    }
    let mut acc = f64::NEG_INFINITY;
    let mut xs = vec![0u64; groups.len()];
    fn walk(
        j: usize,
        left: u64,
        groups: &[Proportion],
        cap: &[u64],
        xs: &mut Vec<u64>,
        visit: &mut dyn FnMut(&[u64]),
    ) {
        if j == groups.len() {
            if left == 0 {
                visit(xs);
            }
            return;
        }
        let lo = left.saturating_sub(cap[j + 1]);
        let hi = left.min(groups[j].n);
        for x in lo..=hi {
            xs[j] = x;
            walk(j + 1, left - x, groups, cap, xs, visit);
        }
    }
    walk(0, successes, groups, &cap, &mut xs, &mut |t| {
        let lp = ln_prob(t);
        if lp <= threshold {
            acc = ln_add_exp(acc, lp);
        }
    });
    Ok(TestResult { statistic: None, p_value: PValue::from_ln(acc) })
}
