//! Tests of `H0: p1 = p2` for two independent groups.

use super::fisher::{fisher_exact, fisher_mid_p};
use super::one_sample::normal_p_value;
use super::special::chi2_ln_sf;
use super::unconditional::{barnard, boschloo};
use super::{Alternative, Maybe, PValue, TestResult, TwoGroups, Undefined};
use serde::Serialize;

/// A two-group test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum TestMethod {
    /// Fisher's exact test (conditional on both margins). Matches R `fisher.test` and
    /// scipy `fisher_exact`. Recommended for small cells.
    Fisher,
    /// Fisher's test with Lancaster's mid-p (see [`fisher_mid_p`]).
    FisherMidP,
    /// Barnard's exact unconditional test, pooled z statistic. Matches scipy
    /// `barnard_exact(table.T)`.
    Barnard,
    /// Boschloo's exact unconditional test. Matches scipy `boschloo_exact(table.T)`.
    Boschloo,
    /// Pooled two-proportion z test. Matches statsmodels `proportions_ztest` and the
    /// square root of R `prop.test(correct = FALSE)`'s statistic.
    Z,
    /// Pearson chi-square without continuity correction (= z^2). Matches R
    /// `chisq.test(correct = FALSE)` and `prop.test(correct = FALSE)`.
    Chi2,
    /// Pearson chi-square with Yates' correction `min(1/2, |O - E|)`. Matches R
    /// `chisq.test()` and `prop.test()` defaults and scipy `chi2_contingency`.
    Chi2Yates,
    /// Likelihood-ratio G test `2 sum O ln(O / E)`. Matches scipy
    /// `chi2_contingency(correction = False, lambda_ = "log-likelihood")`.
    G,
    /// Unpooled (Wald) z test `(p1 - p2) / sqrt(p1 q1 / n1 + p2 q2 / n2)`. Matches
    /// statsmodels `test_proportions_2indep(method = "wald")`.
    WaldUnpooled,
}

impl TestMethod {
    /// Every test, preferred first.
    pub const ALL: [TestMethod; 9] = [
        TestMethod::Fisher,
        TestMethod::FisherMidP,
        TestMethod::Barnard,
        TestMethod::Boschloo,
        TestMethod::Z,
        TestMethod::Chi2,
        TestMethod::Chi2Yates,
        TestMethod::G,
        TestMethod::WaldUnpooled,
    ];

    /// The kebab-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            TestMethod::Fisher => "fisher",
            TestMethod::FisherMidP => "fisher-mid-p",
            TestMethod::Barnard => "barnard",
            TestMethod::Boschloo => "boschloo",
            TestMethod::Z => "z",
            TestMethod::Chi2 => "chi2",
            TestMethod::Chi2Yates => "chi2-yates",
            TestMethod::G => "g",
            TestMethod::WaldUnpooled => "wald-unpooled",
        }
    }

    /// The name as reports print it (`Fisher's exact`).
    pub fn display_name(self) -> &'static str {
        match self {
            TestMethod::Fisher => "Fisher's exact",
            TestMethod::FisherMidP => "Fisher's mid-p",
            TestMethod::Barnard => "Barnard's",
            TestMethod::Boschloo => "Boschloo's",
            TestMethod::Z => "z",
            TestMethod::Chi2 => "chi-square",
            TestMethod::Chi2Yates => "Yates's chi-square",
            TestMethod::G => "G",
            TestMethod::WaldUnpooled => "unpooled Wald",
        }
    }

    /// Parses a kebab-case test name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether the test has a one-sided version (the chi-square family does not).
    pub fn has_direction(self) -> bool {
        !matches!(self, TestMethod::Chi2 | TestMethod::Chi2Yates | TestMethod::G)
    }
}

/// Runs a two-group test.
///
/// # Errors
/// - the asymptotic tests are undefined when nothing varies (all successes or all
///   failures in both groups) or, for the unpooled test, when each group is all or
///   nothing;
/// - the chi-square family is two-sided only ([`Undefined::TwoSidedOnly`]);
/// - Barnard and Boschloo are undefined beyond
///   [`super::unconditional::MAX_TABLES`] tables.
pub fn two_group_test(
    g: &TwoGroups,
    method: TestMethod,
    alternative: Alternative,
) -> Maybe<TestResult> {
    if !method.has_direction() && alternative != Alternative::TwoSided {
        return Err(Undefined::TwoSidedOnly);
    }
    match method {
        TestMethod::Fisher => Ok(fisher_exact(g, alternative)),
        TestMethod::FisherMidP => Ok(fisher_mid_p(g, alternative)),
        TestMethod::Barnard => barnard(g, alternative),
        TestMethod::Boschloo => boschloo(g, alternative),
        TestMethod::Z => {
            let z = pooled_z(g)?;
            Ok(TestResult { statistic: Some(z), p_value: normal_p_value(z, alternative) })
        }
        TestMethod::Chi2 => {
            let z = pooled_z(g)?;
            Ok(chi2_result(z * z))
        }
        TestMethod::Chi2Yates => {
            let [expected, observed] = expected_and_observed(g)?;
            let deviation = (observed[0] - expected[0]).abs();
            let yates = deviation.min(0.5);
            let stat: f64 = expected.iter().map(|e| (deviation - yates).powi(2) / e).sum();
            Ok(chi2_result(stat))
        }
        TestMethod::G => {
            let [expected, observed] = expected_and_observed(g)?;
            let stat: f64 = observed
                .iter()
                .zip(expected.iter())
                .filter(|(o, _)| **o > 0.0)
                .map(|(o, e)| 2.0 * o * (o / e).ln())
                .sum();
            Ok(chi2_result(stat.max(0.0)))
        }
        TestMethod::WaldUnpooled => {
            let (p1, p2) = (g.first.estimate(), g.second.estimate());
            let var = p1 * (1.0 - p1) / g.first.n as f64 + p2 * (1.0 - p2) / g.second.n as f64;
            if var <= 0.0 {
                return Err(Undefined::ZeroStandardError);
            }
            let z = (p1 - p2) / var.sqrt();
            Ok(TestResult { statistic: Some(z), p_value: normal_p_value(z, alternative) })
        }
    }
}

fn chi2_result(stat: f64) -> TestResult {
    TestResult { statistic: Some(stat), p_value: PValue::from_ln(chi2_ln_sf(stat, 1.0)) }
}

/// The pooled z statistic `(p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`.
fn pooled_z(g: &TwoGroups) -> Maybe<f64> {
    let p = g.total_successes() as f64 / g.total() as f64;
    if p <= 0.0 || p >= 1.0 {
        return Err(Undefined::NoVariation);
    }
    let var = p * (1.0 - p) * (1.0 / g.first.n as f64 + 1.0 / g.second.n as f64);
    Ok(g.difference() / var.sqrt())
}

/// Expected and observed cells `[x1, f1, x2, f2]` under independence.
fn expected_and_observed(g: &TwoGroups) -> Maybe<[[f64; 4]; 2]> {
    let total = g.total() as f64;
    let successes = g.total_successes() as f64;
    if successes == 0.0 || successes == total {
        return Err(Undefined::NoVariation);
    }
    let failures = total - successes;
    let (n1, n2) = (g.first.n as f64, g.second.n as f64);
    let expected = [
        n1 * successes / total,
        n1 * failures / total,
        n2 * successes / total,
        n2 * failures / total,
    ];
    Ok([expected, g.cells()])
}
