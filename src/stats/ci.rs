//! Confidence intervals for one proportion.
//!
//! Boundary convention (x = 0 or x = n): every method except Wald returns a lower
//! bound of exactly 0 when x = 0 and an upper bound of exactly 1 when x = n. For
//! Wilson, Agresti-Coull, Clopper-Pearson and mid-p this is what the formulas give;
//! for Jeffreys it is the Brown, Cai & DasGupta (2001) modification (DescTools'
//! default; statsmodels and a bare `qbeta` give 4.8e-5 for 0/60). Wald's standard
//! error is 0 at the boundary, so its interval collapses to the point estimate
//! (statsmodels does the same), one of the reasons it is not recommended.
//! Intervals from normal approximations are clipped to `[0, 1]` (as statsmodels does).

use super::discrete::{Binomial, Unimodal, ln_sf_inclusive, ln_sum_range};
use super::special::{beta_quantile, beta_quantile_upper, ln_add_exp};
use super::{Alternative, ConfidenceLevel, Interval, Proportion, roots};
use serde::Serialize;

/// A method for a one-proportion confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum CiMethod {
    /// Wilson score interval. Matches R `prop.test(x, n, correct = FALSE)$conf.int`
    /// and statsmodels `proportion_confint(method = "wilson")`. Recommended default.
    Wilson,
    /// Wilson score interval with continuity correction (Newcombe 1998, method 4).
    /// Matches scipy `binomtest(...).proportion_ci(method = "wilsoncc")` and R
    /// `prop.test(x, n)` except when `|x - n/2| < 1/2`, where R shrinks the correction.
    WilsonCc,
    /// Agresti-Coull ("add z^2/2 successes and failures"). Matches statsmodels
    /// `proportion_confint(method = "agresti_coull")`, clipped to `[0, 1]`.
    AgrestiCoull,
    /// Jeffreys equal-tailed Bayesian interval, Beta(x + 1/2, n - x + 1/2) quantiles,
    /// with the boundary modification. Matches statsmodels `method = "jeffreys"` for
    /// `0 < x < n` and DescTools `BinomCI(method = "jeffreys")` everywhere.
    Jeffreys,
    /// Clopper-Pearson exact interval. Matches R `binom.test(x, n)$conf.int` and
    /// statsmodels `method = "beta"`.
    ClopperPearson,
    /// Exact mid-p interval: solves `P(X > x) + P(X = x) / 2 = alpha / 2` (and the mirror
    /// equation). Matches PropCIs `midPci` and DescTools `method = "midp"`; golden values
    /// from an independent 50-digit solution.
    MidP,
    /// Wald interval `p +- z sqrt(p (1 - p) / n)`, clipped to `[0, 1]`. Matches
    /// statsmodels `method = "normal"`. Shown for comparison only: it undercovers.
    Wald,
}

impl CiMethod {
    /// Every method, preferred first.
    pub const ALL: [CiMethod; 7] = [
        CiMethod::Wilson,
        CiMethod::WilsonCc,
        CiMethod::AgrestiCoull,
        CiMethod::Jeffreys,
        CiMethod::ClopperPearson,
        CiMethod::MidP,
        CiMethod::Wald,
    ];

    /// The kebab-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::Wilson => "wilson",
            CiMethod::WilsonCc => "wilson-cc",
            CiMethod::AgrestiCoull => "agresti-coull",
            CiMethod::Jeffreys => "jeffreys",
            CiMethod::ClopperPearson => "clopper-pearson",
            CiMethod::MidP => "mid-p",
            CiMethod::Wald => "wald",
        }
    }

    /// The name as reports print it (`Wilson`, `Clopper-Pearson`).
    pub fn display_name(self) -> &'static str {
        match self {
            CiMethod::Wilson => "Wilson",
            CiMethod::WilsonCc => "Wilson with continuity correction",
            CiMethod::AgrestiCoull => "Agresti-Coull",
            CiMethod::Jeffreys => "Jeffreys",
            CiMethod::ClopperPearson => "Clopper-Pearson",
            CiMethod::MidP => "mid-p",
            CiMethod::Wald => "Wald",
        }
    }

    /// Parses a kebab-case method name.
    pub fn from_name(name: &str) -> Option<CiMethod> {
        CiMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// A confidence interval for one proportion.
///
/// Two-sided intervals put `(1 - level) / 2` in each tail; `Less` gives `[0, upper]`
/// and `Greater` gives `[lower, 1]`, each bound at `1 - level` (R's convention).
pub fn proportion_ci(
    prop: Proportion,
    method: CiMethod,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Interval {
    let tail = level.tail(alternative);
    let z = level.z(alternative);
    let (x, n) = (prop.successes, prop.n);
    let (lower, upper) = match method {
        CiMethod::Wald => wald(prop, z),
        CiMethod::Wilson => wilson(prop, z),
        CiMethod::WilsonCc => wilson_cc(prop, z),
        CiMethod::AgrestiCoull => agresti_coull(prop, z),
        CiMethod::Jeffreys => {
            let (a, b) = (x as f64 + 0.5, (n - x) as f64 + 0.5);
            let lower = if x == 0 { 0.0 } else { beta_quantile(tail, a, b) };
            let upper = if x == n { 1.0 } else { beta_quantile_upper(tail, a, b) };
            (lower, upper)
        }
        CiMethod::ClopperPearson => clopper_pearson(prop, tail),
        CiMethod::MidP => mid_p(prop, tail),
    };
    match alternative {
        Alternative::TwoSided => Interval::new(lower, upper),
        Alternative::Less => Interval::new(0.0, upper),
        Alternative::Greater => Interval::new(lower, 1.0),
    }
}

fn wald(prop: Proportion, z: f64) -> (f64, f64) {
    let p = prop.estimate();
    let half = z * (p * (1.0 - p) / prop.n as f64).sqrt();
    ((p - half).clamp(0.0, 1.0), (p + half).clamp(0.0, 1.0))
}

/// Wilson bounds for a given critical value (shared with Newcombe's difference interval).
pub(crate) fn wilson(prop: Proportion, z: f64) -> (f64, f64) {
    let (x, n) = (prop.successes as f64, prop.n as f64);
    let z2 = z * z;
    let center = (x + z2 / 2.0) / (n + z2);
    let half = z * (x * (n - x) / n + z2 / 4.0).sqrt() / (n + z2);
    let lower = if prop.successes == 0 { 0.0 } else { (center - half).max(0.0) };
    let upper = if prop.successes == prop.n { 1.0 } else { (center + half).min(1.0) };
    (lower, upper)
}

/// Continuity-corrected Wilson bounds (Newcombe 1998 method 4).
pub(crate) fn wilson_cc(prop: Proportion, z: f64) -> (f64, f64) {
    let (x, n) = (prop.successes as f64, prop.n as f64);
    let p = x / n;
    let q = 1.0 - p;
    let z2 = z * z;
    let denom = 2.0 * (n + z2);
    let center = (2.0 * n * p + z2) / denom;
    let lower = if prop.successes == 0 {
        0.0
    } else {
        let d = (1.0 + z * (z2 - 2.0 - 1.0 / n + 4.0 * p * (n * q + 1.0)).sqrt()) / denom;
        (center - d).max(0.0)
    };
    let upper = if prop.successes == prop.n {
        1.0
    } else {
        let d = (1.0 + z * (z2 + 2.0 - 1.0 / n + 4.0 * p * (n * q - 1.0)).sqrt()) / denom;
        (center + d).min(1.0)
    };
    (lower, upper)
}

fn agresti_coull(prop: Proportion, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let n_c = prop.n as f64 + z2;
    let p_c = (prop.successes as f64 + z2 / 2.0) / n_c;
    let half = z * (p_c * (1.0 - p_c) / n_c).sqrt();
    ((p_c - half).clamp(0.0, 1.0), (p_c + half).clamp(0.0, 1.0))
}

/// Clopper-Pearson bounds with `tail` probability on each side.
pub(crate) fn clopper_pearson(prop: Proportion, tail: f64) -> (f64, f64) {
    let (x, n) = (prop.successes, prop.n);
    let lower = if x == 0 { 0.0 } else { beta_quantile(tail, x as f64, (n - x + 1) as f64) };
    let upper =
        if x == n { 1.0 } else { beta_quantile_upper(tail, (x + 1) as f64, (n - x) as f64) };
    (lower, upper)
}

fn mid_p(prop: Proportion, tail: f64) -> (f64, f64) {
    let (x, n) = (prop.successes, prop.n);
    let ln_tail = tail.ln();
    // ln[ P(X > x) + P(X = x) / 2 ] under Binomial(n, p): increasing in p.
    let upper_mid = |p: f64| {
        let d = Binomial::new(n, p);
        let above = if x < n { ln_sf_inclusive(&d, x + 1) } else { f64::NEG_INFINITY };
        ln_add_exp(above, d.ln_weight(x) - std::f64::consts::LN_2)
    };
    // ln[ P(X < x) + P(X = x) / 2 ]: decreasing in p.
    let lower_mid = |p: f64| {
        let d = Binomial::new(n, p);
        let below = if x > 0 { ln_sum_range(&d, 0, x - 1) } else { f64::NEG_INFINITY };
        ln_add_exp(below, d.ln_weight(x) - std::f64::consts::LN_2)
    };
    let lower =
        if x == 0 { 0.0 } else { roots::brent(|p| upper_mid(p).max(-1e300) - ln_tail, 0.0, 1.0) };
    let upper =
        if x == n { 1.0 } else { roots::brent(|p| ln_tail - lower_mid(p).max(-1e300), 0.0, 1.0) };
    (lower, upper)
}
