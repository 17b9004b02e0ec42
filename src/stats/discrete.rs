//! Exact tail sums of unimodal discrete distributions (binomial, hypergeometric,
//! Fisher's noncentral hypergeometric), in log space.
//!
//! Sums start at the term nearest the mode inside the requested range and move outward
//! with the ratio recurrence `pmf(k + 1) / pmf(k)`, stopping once the terms can no
//! longer change the sum; the recurrence is re-anchored on the exact density every
//! 4096 steps. A tail therefore costs O(standard deviations), not O(n): an exact test
//! on a 2x2 table with a million respondents takes well under a millisecond.

use super::special::{ln_add_exp, ln_binom_kernel};

/// Relative tolerance for "as or less likely than the observed value" in two-sided
/// minimum-likelihood p-values; matches R's `binom.test` and `fisher.test`
/// (`relErr = 1 + 1e-7`).
pub const MINLIKE_RELATIVE_TOLERANCE: f64 = 1e-7;

/// A unimodal distribution on the integers `lo..=hi`, known up to a constant factor.
pub trait Unimodal {
    /// Smallest value with positive probability.
    fn lo(&self) -> u64;
    /// Largest value with positive probability.
    fn hi(&self) -> u64;
    /// Log of the (possibly unnormalised) probability of `k`.
    fn ln_weight(&self, k: u64) -> f64;
    /// `weight(k + 1) / weight(k)` for `lo <= k < hi`.
    fn ratio_up(&self, k: u64) -> f64;

    /// A mode: the `k` with `ratio_up(k - 1) >= 1 > ratio_up(k)` (binary search, since
    /// the ratio decreases for log-concave distributions).
    fn mode(&self) -> u64 {
        let (mut lo, mut hi) = (self.lo(), self.hi());
        // Invariant: mode in [lo, hi].
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.ratio_up(mid) > 1.0 { lo = mid + 1 } else { hi = mid }
        }
        lo
    }
}

/// `ln sum_{k=a}^{b} weight(k)`; `-inf` when the range is empty.
pub fn ln_sum_range<D: Unimodal + ?Sized>(d: &D, a: u64, b: u64) -> f64 {
    let a = a.max(d.lo());
    let b = b.min(d.hi());
    if a > b {
        return f64::NEG_INFINITY;
    }
    let anchor = d.mode().clamp(a, b);
    let ln_anchor = d.ln_weight(anchor);
    let mut sum = 1.0;
    // Upward from the anchor: terms decrease (anchor >= mode or anchor == b).
    let mut t = 1.0;
    let mut k = anchor;
    let mut steps = 0u32;
    while k < b {
        t *= d.ratio_up(k);
        k += 1;
        steps += 1;
        if steps.is_multiple_of(4096) {
            t = (d.ln_weight(k) - ln_anchor).exp();
        }
        sum += t;
        if t < sum * 1e-18 {
            break;
        }
    }
    let mut t = 1.0;
    let mut k = anchor;
    steps = 0;
    while k > a {
        t /= d.ratio_up(k - 1);
        k -= 1;
        steps += 1;
        if steps.is_multiple_of(4096) {
            t = (d.ln_weight(k) - ln_anchor).exp();
        }
        sum += t;
        if t < sum * 1e-18 {
            break;
        }
    }
    ln_anchor + sum.ln()
}

/// `ln P(X <= x)`.
pub fn ln_cdf<D: Unimodal + ?Sized>(d: &D, x: u64) -> f64 {
    ln_sum_range(d, d.lo(), x) - ln_total(d)
}

/// `ln P(X >= x)`.
pub fn ln_sf_inclusive<D: Unimodal + ?Sized>(d: &D, x: u64) -> f64 {
    ln_sum_range(d, x, d.hi()) - ln_total(d)
}

/// `ln sum_k weight(k)`: the log normalising constant.
pub fn ln_total<D: Unimodal + ?Sized>(d: &D) -> f64 {
    ln_sum_range(d, d.lo(), d.hi())
}

/// The largest `k` in `[from, to]` with `pred(k)`, for a predicate that is true on a
/// prefix of the range; `None` when `pred(from)` is false.
fn last_true(from: u64, to: u64, pred: impl Fn(u64) -> bool) -> Option<u64> {
    if !pred(from) {
        return None;
    }
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if pred(mid) { lo = mid } else { hi = mid - 1 }
    }
    Some(lo)
}

/// The smallest `k` in `[from, to]` with `pred(k)`, for a predicate true on a suffix.
fn first_true(from: u64, to: u64, pred: impl Fn(u64) -> bool) -> Option<u64> {
    if !pred(to) {
        return None;
    }
    let (mut lo, mut hi) = (from, to);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) { hi = mid } else { lo = mid + 1 }
    }
    Some(lo)
}

/// `ln` of the total weight of `{k : ln_weight(k) <= threshold}`, which for a unimodal
/// distribution is a lower tail `[lo, a]` plus an upper tail `[b, hi]`.
fn ln_weight_at_most<D: Unimodal + ?Sized>(d: &D, mode: u64, threshold: f64) -> f64 {
    let below = |k: u64| d.ln_weight(k) <= threshold;
    let left = last_true(d.lo(), mode, below);
    let right = first_true(mode, d.hi(), below);
    let mut total = f64::NEG_INFINITY;
    if let Some(a) = left {
        total = ln_add_exp(total, ln_sum_range(d, d.lo(), a));
    }
    if let Some(b) = right {
        // When the mode itself qualifies, both searches include it: count it once.
        let start = if left == Some(mode) && b == mode { mode + 1 } else { b };
        total = ln_add_exp(total, ln_sum_range(d, start, d.hi()));
    }
    total
}

/// Two-sided minimum-likelihood p-value: the probability of every value at most
/// `1 + 1e-7` times as likely as `x` (R `binom.test` / `fisher.test`).
pub fn ln_p_minlike<D: Unimodal + ?Sized>(d: &D, x: u64) -> f64 {
    let mode = d.mode();
    let threshold = d.ln_weight(x) + MINLIKE_RELATIVE_TOLERANCE.ln_1p();
    (ln_weight_at_most(d, mode, threshold) - ln_total(d)).min(0.0)
}

/// Two-sided mid-p value for the minimum-likelihood ordering: the probability of the
/// values less likely than `x` plus half the probability of those as likely as `x`
/// (ties within a relative `1e-7`), Lancaster's mid-p.
pub fn ln_p_minlike_mid<D: Unimodal + ?Sized>(d: &D, x: u64) -> f64 {
    let mode = d.mode();
    let ln_x = d.ln_weight(x);
    let tol = MINLIKE_RELATIVE_TOLERANCE.ln_1p();
    let ln_total = ln_total(d);
    let at_most = ln_weight_at_most(d, mode, ln_x + tol);
    // Strictly less likely than x (beyond the tie tolerance).
    let less = ln_weight_at_most(d, mode, ln_x - tol);
    // mid = less + (at_most - less) / 2 = (at_most + less) / 2
    let mid = ln_add_exp(at_most, less) - std::f64::consts::LN_2;
    (mid - ln_total).min(0.0)
}

/// Binomial(n, p) distribution.
#[derive(Debug, Clone, Copy)]
pub struct Binomial {
    /// Trials.
    pub n: u64,
    /// Success probability.
    pub p: f64,
    /// `1 - p`, kept separately for precision near 1.
    pub q: f64,
}

impl Binomial {
    /// Binomial with success probability `p` (`0 < p < 1`).
    pub fn new(n: u64, p: f64) -> Self {
        Binomial { n, p, q: 1.0 - p }
    }
}

impl Unimodal for Binomial {
    fn lo(&self) -> u64 {
        0
    }
    fn hi(&self) -> u64 {
        self.n
    }
    fn ln_weight(&self, k: u64) -> f64 {
        ln_binom_kernel(k as f64, (self.n - k) as f64, self.p, self.q)
    }
    fn ratio_up(&self, k: u64) -> f64 {
        ((self.n - k) as f64 / (k + 1) as f64) * (self.p / self.q)
    }
}

/// Hypergeometric distribution of the top-left cell of a 2x2 table with fixed margins:
/// `rows = (r1, r2)` group sizes and `col` the total successes (R `dhyper(x, col, N - col, r1)`
/// up to relabelling).
#[derive(Debug, Clone, Copy)]
pub struct Hypergeometric {
    /// First row total (first group size).
    pub r1: u64,
    /// Second row total.
    pub r2: u64,
    /// First column total (total successes).
    pub c1: u64,
}

impl Hypergeometric {
    /// Distribution of `x1` given group sizes `r1`, `r2` and total successes `c1`.
    pub fn new(r1: u64, r2: u64, c1: u64) -> Self {
        Hypergeometric { r1, r2, c1 }
    }
}

impl Unimodal for Hypergeometric {
    fn lo(&self) -> u64 {
        self.c1.saturating_sub(self.r2)
    }
    fn hi(&self) -> u64 {
        self.c1.min(self.r1)
    }
    fn ln_weight(&self, k: u64) -> f64 {
        // R's dhyper: dbinom(k; r1, p) dbinom(c1 - k; r2, p) / dbinom(c1; N, p), p = r1 / N
        let n = (self.r1 + self.r2) as f64;
        let p = self.r1 as f64 / n;
        let q = self.r2 as f64 / n;
        let k2 = self.c1 - k;
        ln_binom_kernel(k as f64, (self.r1 - k) as f64, p, q)
            + ln_binom_kernel(k2 as f64, (self.r2 - k2) as f64, p, q)
            - ln_binom_kernel(self.c1 as f64, (self.r1 + self.r2 - self.c1) as f64, p, q)
    }
    fn ratio_up(&self, k: u64) -> f64 {
        // (r1 - k)(c1 - k) / ((k + 1)(r2 - c1 + k + 1))
        let num = (self.r1 - k) as f64 * (self.c1 - k) as f64;
        let den = (k + 1) as f64 * (self.r2 + k + 1 - self.c1) as f64;
        num / den
    }
}

/// Fisher's noncentral hypergeometric distribution: the hypergeometric weights times
/// `psi^k`, with `psi` the odds ratio (R `fisher.test`'s `dnhyper`).
#[derive(Debug, Clone, Copy)]
pub struct NoncentralHypergeometric {
    /// The central distribution.
    pub base: Hypergeometric,
    /// `ln psi`.
    pub ln_psi: f64,
}

impl Unimodal for NoncentralHypergeometric {
    fn lo(&self) -> u64 {
        self.base.lo()
    }
    fn hi(&self) -> u64 {
        self.base.hi()
    }
    fn ln_weight(&self, k: u64) -> f64 {
        self.base.ln_weight(k) + k as f64 * self.ln_psi
    }
    fn ratio_up(&self, k: u64) -> f64 {
        self.base.ratio_up(k) * self.ln_psi.exp()
    }
}

impl NoncentralHypergeometric {
    /// The mean `E[X]`, summed outward from the mode.
    pub fn mean(&self) -> f64 {
        let (lo, hi) = (self.lo(), self.hi());
        let mode = self.mode();
        let mut w_sum = 1.0;
        let mut kw_sum = 0.0; // sum of (k - mode) * w, relative to the mode's weight
        let mut t = 1.0;
        let mut k = mode;
        while k < hi {
            t *= self.ratio_up(k);
            k += 1;
            w_sum += t;
            kw_sum += (k - mode) as f64 * t;
            if t * ((k - mode) as f64 + 1.0) < w_sum * 1e-18 {
                break;
            }
        }
        let mut t = 1.0;
        let mut k = mode;
        while k > lo {
            t /= self.ratio_up(k - 1);
            k -= 1;
            w_sum += t;
            kw_sum -= (mode - k) as f64 * t;
            if t * ((mode - k) as f64 + 1.0) < w_sum * 1e-18 {
                break;
            }
        }
        mode as f64 + kw_sum / w_sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_tails_sum_to_one() {
        let d = Binomial::new(60, 0.5);
        let lower = ln_cdf(&d, 30).exp();
        let upper = ln_sf_inclusive(&d, 31).exp();
        assert!((lower + upper - 1.0).abs() < 1e-15);
    }

    #[test]
    fn hypergeometric_mode_and_total() {
        let d = Hypergeometric::new(60, 340, 266);
        let m = d.mode();
        assert!(d.ratio_up(m) <= 1.0 && (m == d.lo() || d.ratio_up(m - 1) > 1.0));
        assert!(ln_total(&d).abs() < 1e-13);
    }
}
