//! Ratio measures for two groups: the risk ratio `p1 / p2`, the odds ratio, and
//! Cohen's effect size h.

use super::{Alternative, ConfidenceLevel, Interval, Maybe, TwoGroups, Undefined, roots};
use serde::Serialize;

/// A method for the risk-ratio interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum RiskRatioMethod {
    /// Katz et al. (1978) log interval `exp(ln RR +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2))`.
    /// Matches statsmodels `confint_proportions_2indep(compare = "ratio", method =
    /// "log")` and scipy `relative_risk(...).confidence_interval()`.
    Katz,
    /// Koopman (1984) score interval (no `N / (N - 1)` factor). Matches statsmodels
    /// `method = "score", correction = False`.
    Koopman,
}

impl RiskRatioMethod {
    /// Both methods, preferred first.
    pub const ALL: [RiskRatioMethod; 2] = [RiskRatioMethod::Koopman, RiskRatioMethod::Katz];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            RiskRatioMethod::Katz => "katz",
            RiskRatioMethod::Koopman => "koopman",
        }
    }
}

/// A method for the odds-ratio interval (the conditional MLE and its exact interval
/// are in [`super::fisher::conditional_odds_ratio`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum OddsRatioMethod {
    /// Woolf's logit interval `exp(ln OR +- z sqrt(sum 1/cell))`; undefined with a zero
    /// cell. Matches statsmodels `Table2x2(...).oddsratio_confint()` and scipy
    /// `odds_ratio(kind = "sample")`.
    Woolf,
    /// Woolf's interval after adding 1/2 to every cell (Haldane-Anscombe), centred on
    /// the adjusted odds ratio. Matches statsmodels
    /// `confint_proportions_2indep(compare = "odds-ratio", method = "logit-adjusted")`.
    Haldane,
}

impl OddsRatioMethod {
    /// Both methods.
    pub const ALL: [OddsRatioMethod; 2] = [OddsRatioMethod::Woolf, OddsRatioMethod::Haldane];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            OddsRatioMethod::Woolf => "woolf",
            OddsRatioMethod::Haldane => "haldane",
        }
    }
}

/// The risk ratio `p1 / p2`; undefined when `x2 = 0`.
pub fn risk_ratio(g: &TwoGroups) -> Maybe<f64> {
    if g.second.successes == 0 {
        return Err(if g.first.successes == 0 {
            Undefined::BothZero("no successes")
        } else {
            Undefined::ZeroCell("risk ratio")
        });
    }
    Ok(g.first.estimate() / g.second.estimate())
}

/// The sample odds ratio `x1 (n2 - x2) / ((n1 - x1) x2)`; undefined with any zero cell.
pub fn odds_ratio(g: &TwoGroups) -> Maybe<f64> {
    let [a, b, c, d] = g.cells();
    if a * b * c * d == 0.0 {
        return Err(Undefined::ZeroCell("odds ratio"));
    }
    Ok(a * d / (b * c))
}

/// Cohen's h = `2 asin sqrt(p1) - 2 asin sqrt(p2)`. Matches statsmodels
/// `proportion_effectsize(p1, p2)`.
pub fn cohens_h(g: &TwoGroups) -> f64 {
    2.0 * g.first.estimate().sqrt().asin() - 2.0 * g.second.estimate().sqrt().asin()
}

fn one_sided(lower: f64, upper: f64, alternative: Alternative) -> Interval {
    match alternative {
        Alternative::TwoSided => Interval::new(lower, upper),
        Alternative::Less => Interval::new(0.0, upper),
        Alternative::Greater => Interval::new(lower, f64::INFINITY),
    }
}

/// The risk-ratio interval by the given method. Bounds may be `0` or `+inf`
/// (Koopman with `x1 = 0` or `x2 = 0`).
///
/// # Errors
/// Katz: undefined when either group has no successes. Koopman: undefined when both do.
pub fn risk_ratio_ci(
    g: &TwoGroups,
    method: RiskRatioMethod,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Maybe<Interval> {
    let z = level.z(alternative);
    let (x1, x2) = (g.first.successes as f64, g.second.successes as f64);
    let (n1, n2) = (g.first.n as f64, g.second.n as f64);
    match method {
        RiskRatioMethod::Katz => {
            if g.first.successes == 0 || g.second.successes == 0 {
                return Err(Undefined::ZeroCell("log risk ratio"));
            }
            let ln_rr = (x1 / n1).ln() - (x2 / n2).ln();
            let se = (1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2).sqrt();
            Ok(one_sided((ln_rr - z * se).exp(), (ln_rr + z * se).exp(), alternative))
        }
        RiskRatioMethod::Koopman => {
            if g.first.successes == 0 && g.second.successes == 0 {
                return Err(Undefined::BothZero("no successes"));
            }
            let score = |ln_theta: f64| koopman_score(g, ln_theta.exp());
            let start = ((x1 + 0.5) / (n1 + 0.5)).ln() - ((x2 + 0.5) / (n2 + 0.5)).ln();
            // The score decreases in theta; solve score = z (lower) and score = -z (upper).
            let lower = if g.first.successes == 0 {
                0.0
            } else {
                roots::brent_unbounded(|t| z - score(t), start, 700.0).map_or(0.0, f64::exp)
            };
            let upper = if g.second.successes == 0 {
                f64::INFINITY
            } else {
                roots::brent_unbounded(|t| -z - score(t), start, 700.0)
                    .map_or(f64::INFINITY, f64::exp)
            };
            Ok(one_sided(lower, upper, alternative))
        }
    }
}

/// Koopman's score statistic for `H0: p1 / p2 = theta` (restricted MLE by the quadratic
/// of Miettinen & Nurminen 1985, without their variance factor).
fn koopman_score(g: &TwoGroups, theta: f64) -> f64 {
    let (x1, x2) = (g.first.successes as f64, g.second.successes as f64);
    let (n1, n2) = (g.first.n as f64, g.second.n as f64);
    let n = n1 + n2;
    let a = n * theta;
    let b = -(n1 * theta + x1 + n2 + x2 * theta);
    let c = x1 + x2;
    let disc = (b * b - 4.0 * a * c).max(0.0);
    let p2r = ((-b - disc.sqrt()) / (2.0 * a)).clamp(0.0, 1.0);
    let p1r = (theta * p2r).clamp(0.0, 1.0);
    let num = x1 / n1 - theta * (x2 / n2);
    let var = p1r * (1.0 - p1r) / n1 + theta * theta * p2r * (1.0 - p2r) / n2;
    super::score_statistic(num, var)
}

/// The odds-ratio interval by the given method.
///
/// # Errors
/// Woolf is undefined with a zero cell; Haldane is always defined.
pub fn odds_ratio_ci(
    g: &TwoGroups,
    method: OddsRatioMethod,
    level: ConfidenceLevel,
    alternative: Alternative,
) -> Maybe<Interval> {
    let z = level.z(alternative);
    let add = match method {
        OddsRatioMethod::Woolf => {
            odds_ratio(g)?;
            0.0
        }
        OddsRatioMethod::Haldane => 0.5,
    };
    let [a, b, c, d] = g.cells().map(|v| v + add);
    let ln_or = a.ln() + d.ln() - b.ln() - c.ln();
    let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    Ok(one_sided((ln_or - z * se).exp(), (ln_or + z * se).exp(), alternative))
}
