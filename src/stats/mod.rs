//! Pure statistics on counts: no I/O, no command line, no plotting.
//!
//! Everything here takes successes and trials (or a 2x2 table of counts) and returns
//! named result structs. Each public method states which reference implementation it
//! matches; the golden tests in `tests/integration/golden.rs` hold it to that.
//!
//! Conventions used throughout:
//! - a proportion is always in `[0, 1]`; percentages appear only when rendering;
//! - a confidence level is a probability in `(0, 1)`, e.g. `0.95`;
//! - a p-value is a [`PValue`]: the value itself (which may underflow to `0.0`) and its
//!   base-10 logarithm, computed in log space so that p-values far below `1e-300` are
//!   still reported exactly;
//! - a quantity that does not exist for the data (an odds ratio with a zero cell, a test
//!   on a table with no variation) is an [`Undefined`] with the reason, never a NaN.

pub mod calibration;
pub mod ci;
pub mod contingency;
pub mod design;
pub mod difference;
pub mod discrete;
pub mod fisher;
pub mod multi_response;
pub mod multiplicity;
pub mod one_sample;
pub mod paired;
pub mod power;
pub mod ratio;
pub(crate) mod roots;
pub mod significance;
pub mod special;
pub mod trend;
pub mod unconditional;
pub mod weighted;

use serde::Serialize;
use std::fmt;

/// Direction of a test or of a one-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// Two-sided (R `alternative = "two.sided"`): a two-sided interval.
    #[doc(alias = "two-tailed")]
    #[default]
    TwoSided,
    /// The true value is less than the null value (R `"less"`): the interval is
    /// `[lowest possible, upper bound]`.
    Less,
    /// The true value is greater than the null value (R `"greater"`): the interval is
    /// `[lower bound, highest possible]`.
    Greater,
}

impl Alternative {
    /// Parses `two-sided`, `less` or `greater`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Alternative::TwoSided, Alternative::Less, Alternative::Greater]
            .into_iter()
            .find(|a| a.to_string() == name)
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        })
    }
}

/// Invalid input to a statistic: the caller asked for something that makes no sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A group has no respondents.
    #[error("the number of trials must be at least 1 (got n = 0)")]
    EmptySample,
    /// More trials than the exact methods are bounded for.
    #[error("{n} trials is more than the {MAX_TRIALS} invitestat computes with")]
    TooManyTrials {
        /// Trials given.
        n: u64,
    },
    /// More successes than trials.
    #[error("successes ({successes}) exceed the number of trials ({n})")]
    SuccessesExceedTrials {
        /// Successes given.
        successes: u64,
        /// Trials given.
        n: u64,
    },
    /// A confidence level outside `(0, 1)`.
    #[error("confidence level must be strictly between 0 and 1 (got {0})")]
    InvalidConfidenceLevel(f64),
    /// A probability argument outside its allowed range.
    #[error("{name} must be strictly between 0 and 1 (got {value})")]
    InvalidProbability {
        /// Which argument.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A p-value outside `[0, 1]` (or NaN) given for adjustment.
    #[error("p-value #{index} is {value}, outside [0, 1]")]
    InvalidPValue {
        /// Position in the input, from 1.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// The target power cannot be reached at the given sizes, however large the
    /// difference.
    #[error(
        "a power of {target} cannot be reached at these group sizes: even the largest difference gives {best:.4}"
    )]
    PowerUnreachable {
        /// The power asked for.
        target: f64,
        /// The most these sizes reach.
        best: f64,
    },
    /// A one-sided test asked to detect a difference in the other direction: no sample
    /// size gives it power.
    #[error(
        "p1 = {p1} is {side} p2 = {p2}, but the test is one-sided the other way: no sample size detects it (swap p1 and p2, or the alternative)"
    )]
    EffectOpposesAlternative {
        /// Group 1's proportion.
        p1: f64,
        /// Group 2's proportion.
        p2: f64,
        /// "below" or "above".
        side: &'static str,
    },
    /// A sample size or other positive argument that is not positive and finite.
    #[error("{name} must be positive and finite (got {value})")]
    NotPositive {
        /// Which argument.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

/// Why a statistic does not exist for the given counts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Undefined {
    /// A cell of the 2x2 table is zero, so a log odds ratio (or log risk ratio) is infinite.
    #[error("a zero cell makes the {0} undefined")]
    ZeroCell(&'static str),
    /// Every respondent gave the same answer (or fewer than two groups, or two answers,
    /// remain): nothing varies.
    #[error("no variation: every respondent answered the same")]
    NoVariation,
    /// Both groups have zero successes (or zero failures), so a ratio is 0/0.
    #[error("both groups have {0}, so the ratio is 0/0")]
    BothZero(&'static str),
    /// The estimated standard error is zero (all-or-nothing in both groups).
    #[error("the estimated standard error is zero (each group is all successes or all failures)")]
    ZeroStandardError,
    /// The exact unconditional test would need more tables than it enumerates.
    #[error(
        "the exact test would visit up to {tables} tables, more than the {limit} it enumerates"
    )]
    TooLarge {
        /// Number of tables (or an upper bound on it).
        tables: u64,
        /// The limit.
        limit: u64,
    },
    /// A chi-square-type test was asked for a one-sided alternative.
    #[error("the chi-square and G tests are two-sided only")]
    TwoSidedOnly,
    /// The data cannot support the model: too few waves, no answer on one side, or no
    /// degrees of freedom left (the reason is given).
    #[error("{0}")]
    Degenerate(&'static str),
    /// The answers are perfectly separated by a covariate, so a logistic slope is
    /// infinite.
    #[error("the answers are separated by {0}, so the logistic slope is infinite")]
    Separation(&'static str),
    /// The requested power or sample size cannot be reached.
    #[error("{0}")]
    Unreachable(&'static str),
}

/// A value that may not exist for the data, with the reason when it does not.
pub type Maybe<T> = Result<T, Undefined>;

/// The largest number of trials (respondents in a group) a [`Proportion`] holds. Exact
/// tail sums take time proportional to the square root of the base (about 0.2 s at this
/// limit); sums of two groups stay far below `2^53`, so every count is exact in `f64`.
pub const MAX_TRIALS: u64 = 10_000_000_000;

/// A number of successes out of a number of trials (respondents answering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Proportion {
    /// Respondents with the answer of interest.
    pub successes: u64,
    /// Respondents who answered (the base).
    pub n: u64,
}

impl Proportion {
    /// Checks `1 <= n <=` [`MAX_TRIALS`] and `successes <= n`.
    ///
    /// # Errors
    /// [`StatsError::EmptySample`] when `n = 0`, [`StatsError::TooManyTrials`] above
    /// [`MAX_TRIALS`], [`StatsError::SuccessesExceedTrials`] when `successes > n`.
    pub fn new(successes: u64, n: u64) -> Result<Self, StatsError> {
        if n == 0 {
            return Err(StatsError::EmptySample);
        }
        if n > MAX_TRIALS {
            return Err(StatsError::TooManyTrials { n });
        }
        if successes > n {
            return Err(StatsError::SuccessesExceedTrials { successes, n });
        }
        Ok(Proportion { successes, n })
    }

    /// The sample proportion `successes / n`.
    pub fn estimate(&self) -> f64 {
        self.successes as f64 / self.n as f64
    }

    /// Failures: `n - successes`.
    pub fn failures(&self) -> u64 {
        self.n - self.successes
    }
}

/// A confidence level in `(0, 1)`, e.g. 0.95.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct ConfidenceLevel(f64);

impl ConfidenceLevel {
    /// The usual 95% level.
    pub const NINETY_FIVE: ConfidenceLevel = ConfidenceLevel(0.95);

    /// Checks that `level` is strictly between 0 and 1.
    ///
    /// # Errors
    /// [`StatsError::InvalidConfidenceLevel`] otherwise (NaN included).
    pub fn new(level: f64) -> Result<Self, StatsError> {
        if level > 0.0 && level < 1.0 {
            Ok(ConfidenceLevel(level))
        } else {
            Err(StatsError::InvalidConfidenceLevel(level))
        }
    }

    /// The level as a probability.
    pub fn value(self) -> f64 {
        self.0
    }

    /// The tail probability beyond each bound: `(1 - level) / 2` when two-sided,
    /// `1 - level` when one-sided.
    pub fn tail(self, alternative: Alternative) -> f64 {
        let alpha = 1.0 - self.0;
        match alternative {
            Alternative::TwoSided => alpha / 2.0,
            _ => alpha,
        }
    }

    /// The standard normal critical value for each bound: `qnorm(1 - tail)`, as R
    /// `prop.test` and statsmodels use it.
    pub fn z(self, alternative: Alternative) -> f64 {
        match alternative {
            Alternative::TwoSided => special::normal_quantile((1.0 + self.0) / 2.0),
            _ => special::normal_quantile(self.0),
        }
    }
}

impl Default for ConfidenceLevel {
    fn default() -> Self {
        ConfidenceLevel::NINETY_FIVE
    }
}

/// A confidence interval. Bounds of ratio measures may be `0` or `+inf`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Interval {
    /// Builds an interval from its bounds.
    pub fn new(lower: f64, upper: f64) -> Self {
        Interval { lower, upper }
    }

    /// Whether `value` lies inside the closed interval.
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }

    /// `upper - lower`.
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

/// A p-value together with its base-10 logarithm.
///
/// `p` is `exp(ln p)` and underflows to `0.0` below about `1e-308`; `log10` keeps the
/// exact magnitude (e.g. `-1234.5`), so tiny p-values are never reported as zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PValue {
    /// The p-value, in `[0, 1]`.
    pub p: f64,
    /// `log10(p)`, finite whenever the true p-value is positive.
    pub log10: f64,
}

impl PValue {
    /// From a natural-log p-value (clamped at `ln 1 = 0`).
    pub fn from_ln(ln_p: f64) -> Self {
        let ln_p = ln_p.min(0.0);
        PValue { p: ln_p.exp(), log10: ln_p / std::f64::consts::LN_10 }
    }

    /// The natural logarithm of the p-value.
    pub fn ln(&self) -> f64 {
        self.log10 * std::f64::consts::LN_10
    }
}

/// A hypothesis test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TestResult {
    /// The test statistic (z, chi-square, G, or for Boschloo the Fisher p-value it
    /// orders tables by); `None` for tests without one (Fisher's exact test).
    pub statistic: Option<f64>,
    /// The p-value.
    pub p_value: PValue,
}

/// Two independent groups (rows of a 2x2 table): `first` is compared with `second`,
/// so differences are `p1 - p2` and ratios `p1 / p2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TwoGroups {
    /// Group 1 (e.g. recruiters).
    pub first: Proportion,
    /// Group 2 (e.g. non-recruiters).
    pub second: Proportion,
}

impl TwoGroups {
    /// Two groups from their successes and sizes.
    ///
    /// # Errors
    /// As [`Proportion::new`] for either group.
    pub fn new(x1: u64, n1: u64, x2: u64, n2: u64) -> Result<Self, StatsError> {
        Ok(TwoGroups { first: Proportion::new(x1, n1)?, second: Proportion::new(x2, n2)? })
    }

    /// The cells `[x1, n1 - x1, x2, n2 - x2]` as f64.
    pub fn cells(&self) -> [f64; 4] {
        [
            self.first.successes as f64,
            self.first.failures() as f64,
            self.second.successes as f64,
            self.second.failures() as f64,
        ]
    }

    /// `p1 - p2`.
    pub fn difference(&self) -> f64 {
        self.first.estimate() - self.second.estimate()
    }

    /// Total respondents `n1 + n2`.
    pub fn total(&self) -> u64 {
        self.first.n + self.second.n
    }

    /// Total successes `x1 + x2`.
    pub fn total_successes(&self) -> u64 {
        self.first.successes + self.second.successes
    }
}

/// A score statistic `num / sqrt(var)`, with the limits a zero variance implies:
/// `+-inf` for a non-zero numerator, 0 for a zero one.
pub(crate) fn score_statistic(num: f64, var: f64) -> f64 {
    if var > 0.0 {
        num / var.sqrt()
    } else if num > 0.0 {
        f64::INFINITY
    } else if num < 0.0 {
        f64::NEG_INFINITY
    } else {
        0.0
    }
}
