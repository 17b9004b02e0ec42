//! Confidence intervals for a difference of two independent proportions `p1 - p2`.
//!
//! All intervals are clipped to `[-1, 1]`. One-sided intervals (`Less`, `Greater`) use
//! `z = qnorm(level)` and leave the other end at -1 or 1, as R `prop.test` does.

use super::ci::{wilson, wilson_cc};
use super::{Alternative, ConfidenceLevel, Interval, TwoGroups, roots};
use serde::Serialize;

/// A method for the interval of `p1 - p2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum DifferenceMethod {
    /// Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the two
    /// Wilson intervals. Matches statsmodels `confint_proportions_2indep(method =
    /// "newcomb")` and DescTools `BinomDiffCI(method = "score")`. Recommended default.
    Newcombe,
    /// Newcombe's interval from continuity-corrected Wilson limits (method 11). Matches
    /// DescTools `BinomDiffCI(method = "scorecc")`; golden values from an independent
    /// implementation of Newcombe's published formula.
    NewcombeCc,
    /// Miettinen-Nurminen score interval (with the `N / (N - 1)` variance factor).
    /// Matches DescTools `method = "mn"` and PropCIs `diffscoreci`; statsmodels 0.15
    /// `method = "score"` is wrong here (its issue #10269), so golden values come from an
    /// independent 50-digit solution.
    MiettinenNurminen,
    /// Agresti-Caffo: Wald after adding one success and one failure to each group.
    /// Matches statsmodels `method = "agresti-caffo"`.
    AgrestiCaffo,
    /// Wald interval. Matches R `prop.test(correct = FALSE)$conf.int` and statsmodels
    /// `method = "wald"`.
    Wald,
    /// Wald with R's continuity correction `min(1/2, |d| / (1/n1 + 1/n2)) (1/n1 + 1/n2)`.
    /// Matches R `prop.test(correct = TRUE)$conf.int` (SAS and DescTools `waldcc` use
    /// the full `(1/n1 + 1/n2) / 2` instead).
    WaldCc,
}

impl DifferenceMethod {
    /// Every method, preferred first.
    pub const ALL: [DifferenceMethod; 6] = [
        DifferenceMethod::Newcombe,
        DifferenceMethod::NewcombeCc,
        DifferenceMethod::MiettinenNurminen,
        DifferenceMethod::AgrestiCaffo,
        DifferenceMethod::Wald,
        DifferenceMethod::WaldCc,
    ];

    /// The kebab-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            DifferenceMethod::Newcombe => "newcombe",
            DifferenceMethod::NewcombeCc => "newcombe-cc",
            DifferenceMethod::MiettinenNurminen => "miettinen-nurminen",
            DifferenceMethod::AgrestiCaffo => "agresti-caffo",
            DifferenceMethod::Wald => "wald",
            DifferenceMethod::WaldCc => "wald-cc",
        }
    }

    /// The name as reports print it (`Newcombe`).
    pub fn display_name(self) -> &'static str {
        match self {
            DifferenceMethod::Newcombe => "Newcombe",
            DifferenceMethod::NewcombeCc => "Newcombe with continuity correction",
            DifferenceMethod::MiettinenNurminen => "Miettinen-Nurminen",
            DifferenceMethod::AgrestiCaffo => "Agresti-Caffo",
            DifferenceMethod::Wald => "Wald",
            DifferenceMethod::WaldCc => "Wald with continuity correction",
        }
    }

    /// Parses a kebab-case method name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The interval for `p1 - p2` by the given method.
pub fn difference_ci(
    g: &TwoGroups,
    method: DifferenceMethod,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Interval {
    let z = level.z(alternative);
    let d = g.difference();
    let (lower, upper) = match method {
        DifferenceMethod::Wald => {
            let half = z * wald_se(g.first.estimate(), g.first.n, g.second.estimate(), g.second.n);
            (d - half, d + half)
        }
        DifferenceMethod::WaldCc => {
            let (n1, n2) = (g.first.n as f64, g.second.n as f64);
            let sum_inv = 1.0 / n1 + 1.0 / n2;
            let yates = (d.abs() / sum_inv).min(0.5);
            let se = wald_se(g.first.estimate(), g.first.n, g.second.estimate(), g.second.n);
            let half = z * se + yates * sum_inv;
            (d - half, d + half)
        }
        DifferenceMethod::AgrestiCaffo => {
            let p1 = (g.first.successes + 1) as f64 / (g.first.n + 2) as f64;
            let p2 = (g.second.successes + 1) as f64 / (g.second.n + 2) as f64;
            let half = z * wald_se(p1, g.first.n + 2, p2, g.second.n + 2);
            (p1 - p2 - half, p1 - p2 + half)
        }
        DifferenceMethod::Newcombe | DifferenceMethod::NewcombeCc => {
            let limits = if method == DifferenceMethod::Newcombe { wilson } else { wilson_cc };
            let (l1, u1) = limits(g.first, z);
            let (l2, u2) = limits(g.second, z);
            let (p1, p2) = (g.first.estimate(), g.second.estimate());
            let lower = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
            let upper = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
            (lower, upper)
        }
        DifferenceMethod::MiettinenNurminen => miettinen_nurminen(g, z),
    };
    let (lower, upper) = (lower.clamp(-1.0, 1.0), upper.clamp(-1.0, 1.0));
    match alternative {
        Alternative::TwoSided => Interval::new(lower, upper),
        Alternative::Less => Interval::new(-1.0, upper),
        Alternative::Greater => Interval::new(lower, 1.0),
    }
}

fn wald_se(p1: f64, n1: u64, p2: f64, n2: u64) -> f64 {
    (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt()
}

/// Restricted MLE `(p1~, p2~)` under `p1 - p2 = delta` (Farrington & Manning 1990,
/// closed-form root of the likelihood cubic).
pub(crate) fn restricted_mle_difference(g: &TwoGroups, delta: f64) -> (f64, f64) {
    let (n1, n2) = (g.first.n as f64, g.second.n as f64);
    let (p1, p2) = (g.first.estimate(), g.second.estimate());
    let theta = n2 / n1;
    let a = 1.0 + theta;
    let b = -(1.0 + theta + p1 + theta * p2 + delta * (theta + 2.0));
    let c = delta * delta + delta * (2.0 * p1 + theta + 1.0) + p1 + theta * p2;
    let d = -p1 * delta * (1.0 + delta);
    let v = b.powi(3) / (27.0 * a.powi(3)) - b * c / (6.0 * a * a) + d / (2.0 * a);
    let u2 = (b * b / (9.0 * a * a) - c / (3.0 * a)).max(0.0);
    let u = u2.sqrt().copysign(v);
    let ratio = if u == 0.0 { 0.0 } else { (v / u.powi(3)).clamp(-1.0, 1.0) };
    let w = (std::f64::consts::PI + ratio.acos()) / 3.0;
    let p1r = (2.0 * u * w.cos() - b / (3.0 * a)).clamp(0.0, 1.0);
    let p2r = (p1r - delta).clamp(0.0, 1.0);
    (p1r, p2r)
}

/// The Miettinen-Nurminen score statistic for `H0: p1 - p2 = delta`; decreasing in delta.
pub(crate) fn mn_score(g: &TwoGroups, delta: f64) -> f64 {
    let (n1, n2) = (g.first.n as f64, g.second.n as f64);
    let n = n1 + n2;
    let (p1r, p2r) = restricted_mle_difference(g, delta);
    let var = (p1r * (1.0 - p1r) / n1 + p2r * (1.0 - p2r) / n2) * n / (n - 1.0);
    let num = g.difference() - delta;
    super::score_statistic(num, var)
}

fn miettinen_nurminen(g: &TwoGroups, z: f64) -> (f64, f64) {
    let d = g.difference();
    let lower =
        if d <= -1.0 { -1.0 } else { roots::brent(|delta| mn_score(g, delta) - z, -1.0, d) };
    let upper = if d >= 1.0 { 1.0 } else { roots::brent(|delta| mn_score(g, delta) + z, d, 1.0) };
    (lower, upper)
}
