//! Paired (within-respondent) comparison of two yes/no answers: McNemar's test.

use super::discrete::{Binomial, ln_p_minlike};
use super::one_sample::normal_p_value;
use super::{Alternative, PValue, TestResult};
use serde::Serialize;

/// A paired 2x2 table: how many respondents said yes to both, only to A, only to B,
/// to neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PairedTable {
    /// Yes to both.
    pub both: u64,
    /// Yes to A only.
    pub a_only: u64,
    /// Yes to B only.
    pub b_only: u64,
    /// Yes to neither.
    pub neither: u64,
}

impl PairedTable {
    /// Respondents.
    pub fn n(&self) -> u64 {
        self.both + self.a_only + self.b_only + self.neither
    }

    /// `P(A) - P(B)`.
    pub fn difference(&self) -> f64 {
        (self.a_only as f64 - self.b_only as f64) / self.n() as f64
    }
}

/// Exact McNemar test: the discordant pairs `a_only ~ Bin(a_only + b_only, 1/2)`;
/// two-sided is minimum-likelihood (equal to doubling here, by symmetry). `Greater`
/// tests `P(A) > P(B)`. Matches R `binom.test(a_only, a_only + b_only)` and
/// exact2x2 `mcnemar.exact`. With no discordant pairs the p-value is 1.
pub fn mcnemar_exact(t: &PairedTable, alternative: Alternative) -> TestResult {
    let m = t.a_only + t.b_only;
    if m == 0 {
        return TestResult { statistic: Some(0.0), p_value: PValue::from_ln(0.0) };
    }
    let d = Binomial::new(m, 0.5);
    let ln_p = match alternative {
        Alternative::TwoSided => ln_p_minlike(&d, t.a_only),
        Alternative::Greater => super::discrete::ln_sf_inclusive(&d, t.a_only),
        Alternative::Less => super::discrete::ln_cdf(&d, t.a_only),
    };
    TestResult { statistic: Some(t.a_only as f64), p_value: PValue::from_ln(ln_p) }
}

/// McNemar's asymptotic test without continuity correction, reported as
/// `z = (a_only - b_only) / sqrt(a_only + b_only)` (R `mcnemar.test(correct = FALSE)`
/// reports `z^2`). Undefined (p = 1, z = 0) with no discordant pairs.
pub fn mcnemar_asymptotic(t: &PairedTable, alternative: Alternative) -> TestResult {
    let m = (t.a_only + t.b_only) as f64;
    if m == 0.0 {
        return TestResult { statistic: Some(0.0), p_value: PValue::from_ln(0.0) };
    }
    let z = (t.a_only as f64 - t.b_only as f64) / m.sqrt();
    TestResult { statistic: Some(z), p_value: normal_p_value(z, alternative) }
}

/// Every paired table with the given margins (Frechet bounds): `a` respondents say yes
/// to A and `b` to B out of `n` answering both.
pub fn tables_with_margins(a: u64, b: u64, n: u64) -> Vec<PairedTable> {
    let lo = (a + b).saturating_sub(n);
    let hi = a.min(b);
    (lo..=hi)
        .map(|both| PairedTable {
            both,
            a_only: a - both,
            b_only: b - both,
            neither: n + both - a - b,
        })
        .collect()
}
