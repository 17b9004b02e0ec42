//! A comparison of two groups from what an article prints: rounded percentages on bases
//! that are exact, a window ("55..59") or approximate ("~60", "almost 60"), optionally
//! linked by a total ("400 respondents": n1 + n2 = 400).
//!
//! [`PrintedComparison::enumerate`] finds every set of counts `(n1, k1, n2, k2)`
//! consistent with the figures under any of the given rounding schemes (exact integer
//! arithmetic from [`crate::consistency::counts`]); [`Enumeration::evaluate`] gives the
//! range of each quantity (the difference and its intervals, the risk and odds ratios,
//! each test's p-value) over those sets and says whether the difference is significant
//! for all, some or none of them. The study's figure comparisons use the same code with
//! exact bases.
//!
//! # Examples
//!
//! "87% of almost 60 recruiters and 63% of the other respondents", 400 in all:
//!
//! ```
//! use invitestat::consistency::Rounding;
//! use invitestat::printed::{Evaluation, PrintedComparison, PrintedGroup};
//!
//! let first = PrintedGroup::new("87%".parse()?, "55..59".parse()?);
//! let second = PrintedGroup::new("63%".parse()?, "341..345".parse()?);
//! let comparison = PrintedComparison::new(first, second)
//!     .with_total(400, 0)?
//!     .with_roundings(vec![Rounding::HalfUp]);
//! let sets = comparison.enumerate()?;
//! // 87% needs 48 of 55 (no base from 56 to 59 shows it); 63% of 345 is 216 to 219.
//! assert_eq!((sets.sets, sets.base_pairs), (4, 1));
//! let result = sets.evaluate(&Evaluation::default());
//! assert!(result.verdict.significant == result.verdict.evaluated); // significant for every set
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::consistency::{Figure, Rounding, counts};
use crate::stats::difference::{DifferenceMethod, difference_ci};
use crate::stats::ratio::{
    OddsRatioMethod, RiskRatioMethod, odds_ratio, odds_ratio_ci, risk_ratio, risk_ratio_ci,
};
use crate::stats::significance::{TestMethod, two_group_test};
use crate::stats::{Alternative, ConfidenceLevel, MAX_TRIALS, Proportion, TwoGroups};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// Most pairs of bases `(n1, n2)` the windows may allow; wider windows are refused.
pub const MAX_BASE_PAIRS: u64 = 1_000_000;

/// Most consistent sets evaluated one by one; past it, the extreme counts of each pair
/// of bases are evaluated instead (see [`Enumeration::complete`]).
pub const MAX_EVALUATED_SETS: u64 = 20_000;

/// How many sets are evaluated one by one when the largest base is `n_max`: up to
/// [`MAX_EVALUATED_SETS`], fewer on large bases, where each exact test costs more (its
/// sums grow with the square root of the base): `MAX_EVALUATED_SETS / (1 +
/// sqrt(n_max) / 300)`, at least 50. 18,700 sets at bases near 400, 4,600 near a
/// million, 60 near ten billion.
pub fn evaluation_budget(n_max: u64) -> u64 {
    let effort = 1.0 + (n_max as f64).sqrt() / 300.0;
    ((MAX_EVALUATED_SETS as f64 / effort) as u64).max(50)
}

/// Most sets on which the exact unconditional tests (Barnard, Boschloo) and the
/// conditional odds ratio are computed; each costs milliseconds.
pub const MAX_SLOW_SETS: u64 = 200;

/// Why a printed base or comparison cannot be read or enumerated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrintedError {
    /// A base that is not a number, a window or a documented phrase.
    #[error(
        "'{text}' is not a base (expected e.g. 60, 55..59, ~60, about 60, almost 60, over 60): {why}"
    )]
    Base {
        /// The text given (shortened).
        text: String,
        /// What is wrong.
        why: String,
    },
    /// The total cannot be met by the two bases.
    #[error(
        "the total ({}) cannot be met: n1 is {} and n2 {}",
        span(*min, *max), span(*n1_min, *n1_max), span(*n2_min, *n2_max)
    )]
    TotalUnreachable {
        /// Smallest total.
        min: u64,
        /// Largest total.
        max: u64,
        /// First group's window.
        n1_min: u64,
        /// First group's window.
        n1_max: u64,
        /// Second group's window.
        n2_min: u64,
        /// Second group's window.
        n2_max: u64,
    },
    /// An inverted or empty total window.
    #[error(
        "the total less its slack must leave at least 2 respondents (got a total of {total} with a slack of {slack})"
    )]
    Total {
        /// The total.
        total: u64,
        /// The slack.
        slack: u64,
    },
    /// A count given for a group is above its base.
    #[error("{count} is above the base {base} it is a count of")]
    CountAboveBase {
        /// The count.
        count: u64,
        /// The largest base allowed.
        base: u64,
    },
    /// Windows too wide to enumerate.
    #[error(
        "the bases allow {pairs} pairs (n1, n2), more than the {MAX_BASE_PAIRS} invitestat enumerates: narrow a window{}",
        if *linked { "" } else { " or give the total" }
    )]
    TooManyBasePairs {
        /// Pairs allowed (a bound when the total links them).
        pairs: u64,
        /// Whether a total already links the bases.
        linked: bool,
    },
    /// One group's window too wide to enumerate.
    #[error(
        "the base allows {bases} sizes, more than the {MAX_BASE_PAIRS} invitestat enumerates: narrow the window"
    )]
    TooManyBases {
        /// Sizes in the window.
        bases: u64,
    },
    /// A base past what the statistics compute with.
    #[error("a base of up to {base} is more than the {MAX_TRIALS} invitestat computes with")]
    BaseTooLarge {
        /// The largest base allowed by the windows (or the total).
        base: u64,
    },
    /// A slow exact test asked to decide over many sets.
    #[error(
        "{test} decides the verdict, but it costs milliseconds per table and there are {sets} sets to evaluate (at most {MAX_SLOW_SETS}): choose another --test or narrow the bases"
    )]
    SlowDecidingTest {
        /// The test's name.
        test: &'static str,
        /// Sets to evaluate.
        sets: u64,
    },
    /// No rounding scheme given.
    #[error("no rounding scheme given")]
    NoRounding,
    /// A group's base both written with it and given separately.
    #[error(
        "group {group} '{text}' has its base written with it; leave out its separate base (--n{group})"
    )]
    BaseTwice {
        /// 1 or 2.
        group: u8,
        /// The group as typed.
        text: String,
    },
    /// A group with no base and no total to take one from.
    #[error(
        "group {group} '{text}' has no base: write it with its base ({text}/60, {text}/55..59, {text}/~60), give --n{group}, or give --total"
    )]
    NoBase {
        /// 1 or 2.
        group: u8,
        /// The group as typed.
        text: String,
    },
    /// Counts that are not a proportion (more successes than respondents, no
    /// respondents, too many).
    #[error(transparent)]
    Counts(#[from] crate::stats::StatsError),
    /// A group as typed that is not a count or figure over a base.
    #[error(
        "'{text}': {why} (a group is X/N such as 52/60, or a printed figure such as 87%, 87%/60, 87%/55..59, 87%/~60)"
    )]
    Side {
        /// The text given (shortened).
        text: String,
        /// What is wrong.
        why: String,
    },
}

/// `a` or `a..b`.
fn span(a: u64, b: u64) -> String {
    if a == b { a.to_string() } else { format!("{a}..{b}") }
}

/// A group's base as printed or as an analyst reads the text: an exact number, a window,
/// or a phrase. Phrases (`~N` is "about N"):
///
/// | text | sizes |
/// |---|---|
/// | `60` | 60 |
/// | `55..59` | 55 to 59 |
/// | `~60`, `about 60`, `around 60`, `roughly 60`, `approximately 60` | 60 ± ceil(60 / 10): 54 to 66 |
/// | `almost 60`, `nearly 60`, `just under 60`, `under 60`, `fewer than 60`, `less than 60` | 60 - ceil(60 / 10) to 59: 54 to 59 |
/// | `over 60`, `more than 60`, `just over 60` | 61 to 60 + ceil(60 / 10): 61 to 66 |
/// | `at least 60` | 60 to 66 |
///
/// Bases run from 1 to [`MAX_TRIALS`]; digits may be grouped with commas ("1,000").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseWindow {
    /// The text as given.
    pub text: String,
    /// Smallest base.
    pub min: u64,
    /// Largest base.
    pub max: u64,
}

impl BaseWindow {
    /// An exact base.
    pub fn exact(n: u64) -> Self {
        BaseWindow { text: n.to_string(), min: n, max: n }
    }

    /// The sizes, smallest first.
    pub fn range(&self) -> RangeInclusive<u64> {
        self.min..=self.max
    }

    /// How many sizes.
    pub fn len(&self) -> u64 {
        self.max - self.min + 1
    }

    /// Never true: a window holds at least one size.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The tolerance of an approximate phrase around `n`: `ceil(n / 10)`, at least 1.
fn tolerance(n: u64) -> u64 {
    n.div_ceil(10).max(1)
}

fn base_number(text: &str, whole: &str) -> Result<u64, PrintedError> {
    let err = |why: &str| PrintedError::Base { text: crate::format::echo(whole), why: why.into() };
    let t = text.trim();
    let grouped = t.contains(',');
    if grouped {
        let mut parts = t.split(',');
        let head = parts.next().unwrap_or("");
        if head.is_empty() || head.len() > 3 || parts.any(|p| p.len() != 3) {
            return Err(err("digits grouped with commas need groups of three"));
        }
    }
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("a base is a whole number"));
    }
    let n: u64 = digits.parse().map_err(|_| err("too large"))?;
    if n == 0 {
        return Err(err("a base is at least 1"));
    }
    if n > MAX_TRIALS {
        return Err(err(&format!("above the {MAX_TRIALS} invitestat computes with")));
    }
    Ok(n)
}

impl FromStr for BaseWindow {
    type Err = PrintedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w = Self::read(s)?;
        if w.max > MAX_TRIALS {
            return Err(PrintedError::Base {
                text: crate::format::echo(s),
                why: format!("reaches {}, above the {MAX_TRIALS} invitestat computes with", w.max),
            });
        }
        Ok(w)
    }
}

impl BaseWindow {
    fn read(s: &str) -> Result<Self, PrintedError> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let window = |min: u64, max: u64| BaseWindow { text: t.to_string(), min, max };
        if let Some((a, b)) = t.split_once("..") {
            let (a, b) = (base_number(a, s)?, base_number(b, s)?);
            if a > b {
                return Err(PrintedError::Base {
                    text: crate::format::echo(s),
                    why: "the window's first number is above its second".into(),
                });
            }
            return Ok(window(a, b));
        }
        let phrase = |prefixes: &[&str]| {
            prefixes.iter().find_map(|p| lower.strip_prefix(p).map(str::trim_start))
        };
        if let Some(rest) = phrase(&["~", "about ", "around ", "roughly ", "approximately "]) {
            let n = base_number(rest, s)?;
            let d = tolerance(n);
            return Ok(window(n.saturating_sub(d).max(1), n + d));
        }
        if let Some(rest) =
            phrase(&["almost ", "nearly ", "just under ", "under ", "fewer than ", "less than "])
        {
            let n = base_number(rest, s)?;
            if n < 2 {
                return Err(PrintedError::Base {
                    text: crate::format::echo(s),
                    why: "no base is below 1".into(),
                });
            }
            return Ok(window(n.saturating_sub(tolerance(n)).max(1), n - 1));
        }
        if let Some(rest) = phrase(&["over ", "more than ", "just over "]) {
            let n = base_number(rest, s)?;
            return Ok(window(n + 1, n + tolerance(n)));
        }
        if let Some(rest) = phrase(&["at least "]) {
            let n = base_number(rest, s)?;
            return Ok(window(n, n + tolerance(n)));
        }
        let n = base_number(t, s)?;
        Ok(window(n, n))
    }
}

impl fmt::Display for BaseWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}..{}", self.min, self.max)
        }
    }
}

/// What is printed for a group: a rounded figure, or an exact count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Share {
    /// A printed percentage such as "87%" or "<1%".
    Figure(Figure),
    /// An exact number of respondents.
    Count(u64),
}

/// One group of a printed comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedGroup {
    /// The printed share.
    pub share: Share,
    /// Its base.
    pub base: BaseWindow,
}

impl PrintedGroup {
    /// A printed figure on a base.
    pub fn new(figure: Figure, base: BaseWindow) -> Self {
        PrintedGroup { share: Share::Figure(figure), base }
    }

    /// An exact count on a base.
    pub fn count(k: u64, base: BaseWindow) -> Self {
        PrintedGroup { share: Share::Count(k), base }
    }

    /// The counts that show the share at base `n` under `rounding`.
    fn counts(&self, n: u64, rounding: Rounding) -> Option<RangeInclusive<u64>> {
        match &self.share {
            Share::Figure(f) => counts(f, n, rounding),
            Share::Count(k) => (*k <= n).then_some(*k..=*k),
        }
    }

    /// The share as text: the figure as printed, or the count.
    pub fn share_text(&self) -> String {
        match &self.share {
            Share::Figure(f) => f.text.clone(),
            Share::Count(k) => k.to_string(),
        }
    }
}

/// A group as typed on a command line or in a form: `52/60` (a count on a base),
/// `87%` (a printed figure, base given elsewhere), `87%/60`, `87%/55..59`, `87%/~60`,
/// `52/~60`. A share with `%`, `<` or `>` is a printed figure; a bare number is a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The share.
    pub share: Share,
    /// The base, when written with the share.
    pub base: Option<BaseWindow>,
}

impl FromStr for Side {
    type Err = PrintedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: String| PrintedError::Side { text: crate::format::echo(s), why };
        let t = s.trim();
        let (share, base) = match t.split_once('/') {
            Some((a, b)) => (a.trim(), Some(b.trim())),
            None => (t, None),
        };
        let share = if share.contains(['%', '<', '>']) {
            Share::Figure(share.parse().map_err(|e: crate::consistency::FigureError| {
                err(format!("the figure '{}': {}", crate::format::echo(share), e.why))
            })?)
        } else {
            // Digits may be grouped with commas, as in a base ("1,000").
            let plain: String = share.chars().filter(|c| *c != ',').collect();
            let grouped = !share.contains(',') || base_number(share, s).is_ok();
            Share::Count(plain.parse().ok().filter(|_| grouped).ok_or_else(|| {
                err(format!(
                    "'{}' is neither a whole number of respondents nor a percentage",
                    crate::format::echo(share)
                ))
            })?)
        };
        let base = match base {
            Some(b) => Some(b.parse::<BaseWindow>().map_err(|e| match e {
                PrintedError::Base { why, .. } => {
                    err(format!("the base '{}': {why}", crate::format::echo(b)))
                }
                other => err(other.to_string()),
            })?),
            None => None,
        };
        if let (Share::Count(k), Some(b)) = (&share, &base)
            && *k > b.max
        {
            return Err(err(format!("{k} is more than the base ({b})")));
        }
        Ok(Side { share, base })
    }
}

/// Every count consistent with one printed group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupEnumeration {
    /// Consistent `(k, n)`, counted exactly.
    pub sets: u64,
    /// Bases at which the share can be shown.
    pub bases: Vec<u64>,
    /// The counts evaluated: every one, or (past [`evaluation_budget`]) the smallest and
    /// largest count at bases spread over the window.
    pub evaluated: Vec<Proportion>,
    /// Whether every consistent count is evaluated.
    pub complete: bool,
    /// Counts evaluated one by one at most, at these bases ([`evaluation_budget`]).
    pub budget: u64,
    /// Why no count is consistent, when none is.
    pub unreachable: Option<String>,
}

impl PrintedGroup {
    /// Every count consistent with the group under any of `roundings`.
    ///
    /// # Errors
    /// [`PrintedError::NoRounding`], or [`PrintedError::TooManyBasePairs`] for a window
    /// of more than [`MAX_BASE_PAIRS`] bases.
    pub fn enumerate(&self, roundings: &[Rounding]) -> Result<GroupEnumeration, PrintedError> {
        if roundings.is_empty() {
            return Err(PrintedError::NoRounding);
        }
        if self.base.max > MAX_TRIALS {
            return Err(PrintedError::BaseTooLarge { base: self.base.max });
        }
        if self.base.len() > MAX_BASE_PAIRS {
            return Err(PrintedError::TooManyBases { bases: self.base.len() });
        }
        let mut per_base: Vec<(u64, Vec<RangeInclusive<u64>>)> = Vec::new();
        let mut sets = 0u64;
        for n in self.base.range() {
            let mut ranges: Vec<RangeInclusive<u64>> =
                roundings.iter().filter_map(|&r| self.counts(n, r)).collect();
            if ranges.is_empty() {
                continue;
            }
            ranges.sort_by_key(|r| *r.start());
            let mut merged: Vec<RangeInclusive<u64>> = Vec::new();
            for r in ranges {
                match merged.last_mut() {
                    Some(last) if *r.start() <= last.end().saturating_add(1) => {
                        *last = *last.start()..=*last.end().max(r.end());
                    }
                    _ => merged.push(r),
                }
            }
            sets = sets.saturating_add(merged.iter().map(|r| r.end() - r.start() + 1).sum());
            per_base.push((n, merged));
        }
        // Each count gets every interval method (several root-found): a tenth of the
        // comparison's budget.
        let budget = (evaluation_budget(self.base.max) / 10).max(50);
        let complete = sets <= budget;
        // Past the budget: the extremes of every `stride`-th base (and of the last).
        let stride = if complete { 1 } else { (per_base.len() as u64 * 2).div_ceil(budget).max(1) };
        let mut evaluated = Vec::new();
        for (i, (n, ranges)) in per_base.iter().enumerate() {
            if !complete && !(i as u64).is_multiple_of(stride) && i + 1 != per_base.len() {
                continue;
            }
            let ks: Vec<u64> = if complete {
                ranges.iter().flat_map(Clone::clone).collect()
            } else {
                let lo = *ranges.first().map_or(&0, |r| r.start());
                let hi = *ranges.last().map_or(&0, |r| r.end());
                if lo == hi { vec![lo] } else { vec![lo, hi] }
            };
            evaluated.extend(ks.into_iter().filter_map(|k| Proportion::new(k, *n).ok()));
        }
        let unreachable = (sets == 0).then(|| {
            let schemes: Vec<&str> = roundings.iter().map(|r| r.name()).collect();
            format!(
                "{} cannot be shown on any base from {} to {} ({} rounding)",
                self.share_text(),
                self.base.min,
                self.base.max,
                schemes.join(" or ")
            )
        });
        Ok(GroupEnumeration {
            sets,
            bases: per_base.iter().map(|(n, _)| *n).collect(),
            complete: complete && evaluated.len() as u64 == sets,
            budget,
            evaluated,
            unreachable,
        })
    }
}

/// Two printed groups, an optional total linking their bases, and the rounding schemes
/// the author may have used (a set is consistent when one scheme shows both figures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedComparison {
    /// The first group.
    pub first: PrintedGroup,
    /// The second group.
    pub second: PrintedGroup,
    /// `n1 + n2` lies in this window (the total, less the slack allowed for non-response).
    pub total: Option<(u64, u64)>,
    /// The rounding schemes.
    pub roundings: Vec<Rounding>,
}

/// One set of counts consistent with the printed comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CountSet {
    /// First group's base.
    pub n1: u64,
    /// First group's count.
    pub k1: u64,
    /// Second group's base.
    pub n2: u64,
    /// Second group's count.
    pub k2: u64,
}

impl CountSet {
    /// The two proportions.
    pub fn groups(&self) -> Option<TwoGroups> {
        Some(TwoGroups {
            first: Proportion::new(self.k1, self.n1).ok()?,
            second: Proportion::new(self.k2, self.n2).ok()?,
        })
    }
}

/// Every set of counts consistent with a printed comparison, counted exactly, and the
/// sets to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enumeration {
    /// Consistent sets `(n1, k1, n2, k2)`, counted exactly.
    pub sets: u128,
    /// The smallest and largest difference `k1/n1 - k2/n2` over every consistent set
    /// (exact whether or not every set is evaluated).
    pub difference: (f64, f64),
    /// Pairs of bases `(n1, n2)` with at least one consistent set.
    pub base_pairs: u64,
    /// The sets evaluated: every one, or (past [`MAX_EVALUATED_SETS`]) the extreme
    /// counts of each pair of bases and the counts closest to equal shares.
    pub evaluated: Vec<CountSet>,
    /// Whether every consistent set is evaluated.
    pub complete: bool,
    /// Sets evaluated one by one at most, at these bases ([`evaluation_budget`]).
    pub budget: u64,
    /// When not complete: the extremes of every `stride`-th pair of bases (and of the
    /// last) are evaluated. 1 otherwise.
    pub stride: u64,
    /// Bases at which each figure can be shown (first, second), for messages.
    pub reachable: (Vec<u64>, Vec<u64>),
    /// Why no set is consistent, in words, when `sets` is 0.
    pub unreachable: Option<String>,
}

impl PrintedComparison {
    /// Two groups, no total, rounded half up.
    pub fn new(first: PrintedGroup, second: PrintedGroup) -> Self {
        PrintedComparison { first, second, total: None, roundings: vec![Rounding::HalfUp] }
    }

    /// Links the bases: `total - slack <= n1 + n2 <= total`.
    ///
    /// # Errors
    /// [`PrintedError::Total`] when the total is below 2 or the slack not below it.
    pub fn with_total(mut self, total: u64, slack: u64) -> Result<Self, PrintedError> {
        if total.saturating_sub(slack) < 2 || slack >= total {
            return Err(PrintedError::Total { total, slack });
        }
        self.total = Some((total - slack, total));
        Ok(self)
    }

    /// The rounding schemes the author may have used.
    pub fn with_roundings(mut self, roundings: Vec<Rounding>) -> Self {
        self.roundings = roundings;
        self
    }

    fn total_window(&self) -> Result<Option<(u64, u64)>, PrintedError> {
        match self.total {
            Some((lo, hi)) if hi < 2 || lo < 2 || lo > hi => {
                Err(PrintedError::Total { total: hi, slack: hi.saturating_sub(lo) })
            }
            other => Ok(other),
        }
    }

    /// The second group's bases for a first-group base `n1`.
    fn second_bases(&self, n1: u64) -> Option<RangeInclusive<u64>> {
        let (mut lo, mut hi) = (self.second.base.min, self.second.base.max);
        if let Some((tlo, thi)) = self.total {
            lo = lo.max(tlo.saturating_sub(n1));
            hi = hi.min(thi.checked_sub(n1)?);
        }
        (lo <= hi).then_some(lo..=hi)
    }

    /// The first group's bases, narrowed by the total.
    fn first_bases(&self) -> RangeInclusive<u64> {
        let (mut lo, mut hi) = (self.first.base.min, self.first.base.max);
        if let Some((tlo, thi)) = self.total {
            lo = lo.max(tlo.saturating_sub(self.second.base.max));
            hi = hi.min(thi.saturating_sub(self.second.base.min));
        }
        lo..=hi
    }

    /// Every consistent set of counts, counted exactly; the sets to evaluate.
    ///
    /// # Errors
    /// [`PrintedError`] when no rounding is given, a count is above every base, the total
    /// cannot be met, or the windows allow more than [`MAX_BASE_PAIRS`] pairs of bases.
    pub fn enumerate(&self) -> Result<Enumeration, PrintedError> {
        if self.roundings.is_empty() {
            return Err(PrintedError::NoRounding);
        }
        for g in [&self.first, &self.second] {
            if let Share::Count(k) = g.share
                && k > g.base.max
            {
                return Err(PrintedError::CountAboveBase { count: k, base: g.base.max });
            }
        }
        let total = self.total_window()?;
        let first = self.first_bases();
        let (w1, w2) = (&self.first.base, &self.second.base);
        let len1 = first.end().saturating_sub(*first.start()).saturating_add(1);
        let bound = match total {
            Some((lo, hi)) => {
                len1.min(w2.len()).saturating_mul(hi - lo + 1).min(len1.saturating_mul(w2.len()))
            }
            None => len1.saturating_mul(w2.len()),
        };
        if bound > MAX_BASE_PAIRS {
            return Err(PrintedError::TooManyBasePairs { pairs: bound, linked: total.is_some() });
        }
        let largest = first.end().max(&w2.max);
        if *largest > MAX_TRIALS {
            return Err(PrintedError::BaseTooLarge { base: *largest });
        }
        let mut sets = 0u128;
        let mut base_pairs = 0u64;
        let mut any_pair = false;
        // The difference's extremes over every consistent set: at the corners of each
        // pair of bases' rectangles, so exact even when not every set is evaluated.
        let mut difference = (f64::INFINITY, f64::NEG_INFINITY);
        let mut reach1 = BTreeSet::new();
        let mut reach2 = BTreeSet::new();
        self.visit_pairs(|n1, n2, k1, k2, rects| {
            any_pair = true;
            if k1 {
                reach1.insert(n1);
            }
            if k2 {
                reach2.insert(n2);
            }
            if !rects.is_empty() {
                sets += union_size(rects);
                base_pairs += 1;
                for r in rects {
                    let share = |k: u64, n: u64| k as f64 / n as f64;
                    let low = share(*r.k1.start(), n1) - share(*r.k2.end(), n2);
                    let high = share(*r.k1.end(), n1) - share(*r.k2.start(), n2);
                    difference = (difference.0.min(low), difference.1.max(high));
                }
            }
        });
        if !any_pair && let Some((lo, hi)) = total {
            return Err(PrintedError::TotalUnreachable {
                min: lo,
                max: hi,
                n1_min: w1.min,
                n1_max: w1.max,
                n2_min: w2.min,
                n2_max: w2.max,
            });
        }
        // A second walk over the pairs (recomputing their counts, which is cheap) rather
        // than keeping every pair's rectangles: memory stays bounded at any window.
        // Every set when there are few; otherwise the extremes of every `stride`-th pair
        // of bases (and of the last), so that the sets evaluated stay bounded.
        let budget = evaluation_budget(*largest);
        let complete = sets <= u128::from(budget);
        let stride = if complete { 1 } else { (base_pairs * 8).div_ceil(budget).max(1) };
        let mut evaluated = BTreeSet::new();
        let mut index = 0u64;
        self.visit_pairs(|n1, n2, _, _, rects| {
            if rects.is_empty() {
                return;
            }
            index += 1;
            if complete {
                for r in rects {
                    for k1 in r.k1.clone() {
                        for k2 in r.k2.clone() {
                            evaluated.insert(CountSet { n1, k1, n2, k2 });
                        }
                    }
                }
            } else if (index - 1).is_multiple_of(stride) || index == base_pairs {
                for r in rects {
                    evaluated.extend(r.extremes(n1, n2));
                }
            }
        });
        let unreachable = (sets == 0).then(|| self.why_unreachable(&reach1, &reach2));
        Ok(Enumeration {
            sets,
            difference,
            base_pairs,
            complete,
            budget,
            stride,
            evaluated: evaluated.into_iter().collect(),
            reachable: (reach1.into_iter().collect(), reach2.into_iter().collect()),
            unreachable,
        })
    }

    /// Calls `visit(n1, n2, first shown, second shown, rectangles)` for every pair of
    /// bases the windows and the total allow, in order, with one rectangle of counts per
    /// rounding scheme that shows both figures there.
    fn visit_pairs(&self, mut visit: impl FnMut(u64, u64, bool, bool, &[Rect])) {
        let roundings = &self.roundings;
        let mut rects: Vec<Rect> = Vec::with_capacity(roundings.len());
        for n1 in self.first_bases() {
            let k1: Vec<Option<RangeInclusive<u64>>> =
                roundings.iter().map(|&r| self.first.counts(n1, r)).collect();
            let Some(n2s) = self.second_bases(n1) else { continue };
            for n2 in n2s {
                let k2: Vec<Option<RangeInclusive<u64>>> =
                    roundings.iter().map(|&r| self.second.counts(n2, r)).collect();
                rects.clear();
                rects.extend(
                    k1.iter()
                        .zip(&k2)
                        .filter_map(|(a, b)| Some(Rect { k1: a.clone()?, k2: b.clone()? })),
                );
                visit(
                    n1,
                    n2,
                    k1.iter().any(Option::is_some),
                    k2.iter().any(Option::is_some),
                    &rects,
                );
            }
        }
    }

    fn why_unreachable(&self, reach1: &BTreeSet<u64>, reach2: &BTreeSet<u64>) -> String {
        let schemes: Vec<&str> = self.roundings.iter().map(|r| r.name()).collect();
        let schemes = format!("{} rounding", schemes.join(" or "));
        let one = |g: &PrintedGroup, bases: RangeInclusive<u64>| {
            format!(
                "{} cannot be shown on any base from {} to {} ({schemes})",
                g.share_text(),
                bases.start(),
                bases.end()
            )
        };
        if reach1.is_empty() {
            one(&self.first, self.first_bases())
        } else if reach2.is_empty() {
            one(&self.second, self.second.base.range())
        } else {
            format!(
                "{} and {} can each be shown, but on no pair of bases together{} ({schemes})",
                self.first.share_text(),
                self.second.share_text(),
                match self.total {
                    Some((lo, hi)) if lo == hi => format!(" that adds up to {hi}"),
                    Some((lo, hi)) => format!(" that adds up to {lo}..{hi}"),
                    None => String::new(),
                }
            )
        }
    }
}

/// The counts one rounding scheme allows at one pair of bases.
#[derive(Debug, Clone)]
struct Rect {
    k1: RangeInclusive<u64>,
    k2: RangeInclusive<u64>,
}

impl Rect {
    fn intersect(&self, other: &Rect) -> Option<Rect> {
        let k1 = *self.k1.start().max(other.k1.start())..=*self.k1.end().min(other.k1.end());
        let k2 = *self.k2.start().max(other.k2.start())..=*self.k2.end().min(other.k2.end());
        (!k1.is_empty() && !k2.is_empty()).then_some(Rect { k1, k2 })
    }

    fn size(&self) -> u128 {
        u128::from(self.k1.end() - self.k1.start() + 1)
            * u128::from(self.k2.end() - self.k2.start() + 1)
    }

    /// The four corners and the counts closest to equal shares.
    fn extremes(&self, n1: u64, n2: u64) -> Vec<CountSet> {
        let (a1, b1, a2, b2) = (*self.k1.start(), *self.k1.end(), *self.k2.start(), *self.k2.end());
        let set = |k1, k2| CountSet { n1, k1, n2, k2 };
        let near1 = |k2: u64| {
            let k = (u128::from(k2) * u128::from(n1) + u128::from(n2) / 2) / u128::from(n2);
            (k as u64).clamp(a1, b1)
        };
        let near2 = |k1: u64| {
            let k = (u128::from(k1) * u128::from(n2) + u128::from(n1) / 2) / u128::from(n1);
            (k as u64).clamp(a2, b2)
        };
        vec![
            set(a1, a2),
            set(a1, b2),
            set(b1, a2),
            set(b1, b2),
            set(near1(a2), a2),
            set(near1(b2), b2),
            set(a1, near2(a1)),
            set(b1, near2(b1)),
        ]
    }
}

/// The size of a union of rectangles (inclusion-exclusion; at most six).
fn union_size(rects: &[Rect]) -> u128 {
    let mut total: i128 = 0;
    for mask in 1u32..(1 << rects.len()) {
        let mut acc: Option<Rect> = None;
        let mut empty = false;
        for (i, r) in rects.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            acc = match acc {
                None => Some(r.clone()),
                Some(a) => a.intersect(r),
            };
            if acc.is_none() {
                empty = true;
                break;
            }
        }
        if empty {
            continue;
        }
        let size = acc.map_or(0, |a| a.size()) as i128;
        if mask.count_ones() % 2 == 1 {
            total += size;
        } else {
            total -= size;
        }
    }
    u128::try_from(total.max(0)).unwrap_or(0)
}

/// What to compute on each consistent set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Difference intervals.
    pub difference_methods: Vec<DifferenceMethod>,
    /// Two-sided tests; the first decides the verdict.
    pub tests: Vec<TestMethod>,
    /// Whether to compute the risk and odds ratios and their intervals.
    pub ratios: bool,
    /// Confidence level of every interval; `1 - level` is the significance level.
    pub level: ConfidenceLevel,
    /// Comparisons in the family the article makes (Bonferroni: the significance level
    /// is divided by it). 1 for a single comparison.
    pub family: u64,
}

impl Default for Evaluation {
    /// Every difference interval and test, the ratios, 95%, a single comparison; the
    /// verdict by Fisher's exact test.
    fn default() -> Self {
        Evaluation {
            difference_methods: DifferenceMethod::ALL.to_vec(),
            tests: TestMethod::ALL.to_vec(),
            ratios: true,
            level: ConfidenceLevel::default(),
            family: 1,
        }
    }
}

/// The smallest and largest value of a quantity over the sets evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    /// Smallest value (may be infinite for a ratio's upper bound).
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sets on which the quantity is defined.
    pub defined: u64,
    /// Sets on which it is undefined (a zero count in a ratio, a test refused).
    pub undefined: u64,
}

impl Span {
    /// No value yet.
    pub fn empty() -> Self {
        Span { min: f64::INFINITY, max: f64::NEG_INFINITY, defined: 0, undefined: 0 }
    }

    /// Adds a value (`None` or NaN: undefined on this set).
    pub fn add(&mut self, value: Option<f64>) {
        match value {
            Some(v) if !v.is_nan() => {
                self.min = self.min.min(v);
                self.max = self.max.max(v);
                self.defined += 1;
            }
            _ => self.undefined += 1,
        }
    }

    /// `(min, max)`, or `None` when the quantity is defined on no set.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        (self.defined > 0).then_some((self.min, self.max))
    }
}

/// The range of an interval's two ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalSpan {
    /// The lower end's range.
    pub lower: Span,
    /// The upper end's range.
    pub upper: Span,
}

impl IntervalSpan {
    /// No interval yet.
    pub fn empty() -> Self {
        IntervalSpan { lower: Span::empty(), upper: Span::empty() }
    }

    /// Adds an interval (`None`: undefined on this set).
    pub fn add(&mut self, value: Option<crate::stats::Interval>) {
        self.lower.add(value.map(|i| i.lower));
        self.upper.add(value.map(|i| i.upper));
    }
}

/// Whether the difference is significant on the consistent sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Significance {
    /// On every set evaluated.
    All,
    /// On some sets and not others: the printed figures cannot tell.
    Some,
    /// On none.
    None,
}

impl Significance {
    /// In words.
    pub fn name(self) -> &'static str {
        match self {
            Significance::All => "all",
            Significance::Some => "some",
            Significance::None => "none",
        }
    }
}

/// The verdict on the difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrintedVerdict {
    /// The test that decides.
    pub test: TestMethod,
    /// `1 - level`.
    pub alpha: f64,
    /// Comparisons in the family.
    pub family: u64,
    /// `alpha / family`: a p-value below it is significant.
    pub threshold: f64,
    /// Sets with a p-value below the threshold.
    pub significant: u64,
    /// Sets on which the test is defined.
    pub evaluated: u64,
    /// All, some or none.
    pub significant_for: Option<Significance>,
    /// Every consistent set, evaluated or not.
    pub sets: u128,
    /// Whether every consistent set was evaluated.
    pub complete: bool,
    /// Sets evaluated on which the test is undefined (not counted either way).
    pub undefined: u64,
}

impl PrintedVerdict {
    /// The verdict in one sentence: "The difference is significant (p < 0.05 by
    /// Fisher's exact test) for all 4 consistent sets of counts."
    pub fn sentence(&self) -> String {
        let rule = format!(
            "p < {}{}, {} test",
            crate::format::alpha(self.threshold),
            if self.family > 1 {
                format!(", Bonferroni over {} comparisons", self.family)
            } else {
                String::new()
            },
            self.test.display_name()
        );
        let sets = if self.complete { "consistent sets of counts" } else { "sets evaluated" };
        let tail = if self.complete {
            String::new()
        } else {
            format!(
                " (the extreme counts of pairs of bases spread over the windows, of {} consistent sets)",
                self.sets
            )
        };
        let body = match self.significant_for {
            Some(Significance::All) if self.evaluated == 1 => {
                format!(
                    "The difference is significant ({rule}) for the one consistent set of counts"
                )
            }
            Some(Significance::None) if self.evaluated == 1 => format!(
                "The difference is not significant ({rule}) for the one consistent set of counts"
            ),
            Some(Significance::All) => format!(
                "The difference is significant ({rule}) for all {} {sets}{tail}",
                self.evaluated
            ),
            Some(Significance::None) => format!(
                "The difference is not significant ({rule}) for any of the {} {sets}{tail}",
                self.evaluated
            ),
            Some(Significance::Some) => format!(
                "The difference is significant ({rule}) for {} of the {} {sets}{tail} and not for the others: the printed figures cannot tell",
                self.significant, self.evaluated
            ),
            None => format!(
                "No consistent set of counts has a defined {} test",
                self.test.display_name()
            ),
        };
        if self.undefined > 0 && self.significant_for.is_some() {
            format!(
                "{body}; the test is undefined on {} more (not counted either way).",
                self.undefined
            )
        } else {
            format!("{body}.")
        }
    }
}

/// The ranges over every consistent set (or over the extremes; see
/// [`Enumeration::complete`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrintedRanges {
    /// `k1 / n1 - k2 / n2`.
    pub difference: Span,
    /// Each difference interval's ends.
    pub difference_intervals: Vec<(DifferenceMethod, IntervalSpan)>,
    /// `p1 / p2`, when computed.
    pub risk_ratio: Option<Span>,
    /// Risk-ratio intervals.
    pub risk_ratio_intervals: Vec<(RiskRatioMethod, IntervalSpan)>,
    /// The sample odds ratio, when computed.
    pub odds_ratio: Option<Span>,
    /// Odds-ratio intervals.
    pub odds_ratio_intervals: Vec<(OddsRatioMethod, IntervalSpan)>,
    /// Each test's two-sided p-value; `None` when skipped (see `skipped`).
    pub tests: Vec<(TestMethod, Option<Span>)>,
    /// Tests not computed because there are more than [`MAX_SLOW_SETS`] sets.
    pub skipped: Vec<TestMethod>,
    /// The verdict by the first test.
    pub verdict: PrintedVerdict,
}

/// Whether a test costs milliseconds per table.
fn slow(test: TestMethod) -> bool {
    matches!(test, TestMethod::Barnard | TestMethod::Boschloo)
}

impl Enumeration {
    /// Whether [`Enumeration::evaluate`] can run `what` at a bounded cost: a slow exact
    /// test (Barnard, Boschloo) may decide the verdict on at most [`MAX_SLOW_SETS`] sets.
    ///
    /// # Errors
    /// [`PrintedError::SlowDecidingTest`].
    pub fn can_evaluate(&self, what: &Evaluation) -> Result<(), PrintedError> {
        match what.tests.first() {
            Some(&t) if slow(t) && self.evaluated.len() as u64 > MAX_SLOW_SETS => {
                Err(PrintedError::SlowDecidingTest {
                    test: t.display_name(),
                    sets: self.evaluated.len() as u64,
                })
            }
            _ => Ok(()),
        }
    }

    /// The range of every quantity over the sets evaluated, and the verdict by the
    /// first test of `what` at `alpha / family`. The slow tests are skipped past
    /// [`MAX_SLOW_SETS`] sets (listed in `skipped`). With no test given, Fisher's
    /// exact test decides.
    pub fn evaluate(&self, what: &Evaluation) -> PrintedRanges {
        let two = Alternative::TwoSided;
        let many = self.evaluated.len() as u64 > MAX_SLOW_SETS;
        let tests: Vec<TestMethod> =
            if what.tests.is_empty() { vec![TestMethod::Fisher] } else { what.tests.clone() };
        let run: Vec<(TestMethod, bool)> =
            tests.iter().map(|&t| (t, !(many && slow(t)) || t == tests[0])).collect();
        let mut difference = Span::empty();
        let mut diff_ci: Vec<(DifferenceMethod, IntervalSpan)> =
            what.difference_methods.iter().map(|&m| (m, IntervalSpan::empty())).collect();
        let mut rr = Span::empty();
        let mut rr_ci: Vec<(RiskRatioMethod, IntervalSpan)> = if what.ratios {
            RiskRatioMethod::ALL.iter().map(|&m| (m, IntervalSpan::empty())).collect()
        } else {
            Vec::new()
        };
        let mut or = Span::empty();
        let mut or_ci: Vec<(OddsRatioMethod, IntervalSpan)> = if what.ratios {
            OddsRatioMethod::ALL.iter().map(|&m| (m, IntervalSpan::empty())).collect()
        } else {
            Vec::new()
        };
        let mut spans: Vec<Span> = tests.iter().map(|_| Span::empty()).collect();
        let alpha = 1.0 - what.level.value();
        let family = what.family.max(1);
        let threshold = alpha / family as f64;
        let mut significant = 0;
        for set in &self.evaluated {
            let Some(g) = set.groups() else { continue };
            difference.add(Some(g.difference()));
            for (m, span) in &mut diff_ci {
                span.add(Some(difference_ci(&g, *m, what.level, two)));
            }
            if what.ratios {
                rr.add(risk_ratio(&g).ok());
                or.add(odds_ratio(&g).ok());
                for (m, span) in &mut rr_ci {
                    span.add(risk_ratio_ci(&g, *m, what.level, two).ok());
                }
                for (m, span) in &mut or_ci {
                    span.add(odds_ratio_ci(&g, *m, what.level, two).ok());
                }
            }
            for (i, (t, on)) in run.iter().enumerate() {
                if !on {
                    continue;
                }
                let p = two_group_test(&g, *t, two).ok().map(|r| r.p_value.p);
                spans[i].add(p);
                if i == 0 && p.is_some_and(|p| p < threshold) {
                    significant += 1;
                }
            }
        }
        if self.sets > 0 {
            // Exact over every consistent set, evaluated or not.
            (difference.min, difference.max) = self.difference;
        }
        let decided = spans[0].defined;
        let significant_for = match (decided, significant) {
            (0, _) => None,
            (d, s) if s == d => Some(Significance::All),
            (_, 0) => Some(Significance::None),
            _ => Some(Significance::Some),
        };
        let verdict = PrintedVerdict {
            test: tests[0],
            alpha,
            family,
            threshold,
            significant,
            evaluated: decided,
            significant_for,
            sets: self.sets,
            complete: self.complete,
            undefined: spans[0].undefined,
        };
        PrintedRanges {
            difference,
            difference_intervals: diff_ci,
            risk_ratio: what.ratios.then_some(rr),
            risk_ratio_intervals: rr_ci,
            odds_ratio: what.ratios.then_some(or),
            odds_ratio_intervals: or_ci,
            skipped: run.iter().filter(|(_, on)| !on).map(|(t, _)| *t).collect(),
            tests: tests
                .iter()
                .zip(&run)
                .zip(spans)
                .map(|((t, (_, on)), s)| (*t, on.then_some(s)))
                .collect(),
            verdict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(figure: &str, base: &str) -> PrintedGroup {
        PrintedGroup::new(figure.parse().unwrap(), base.parse().unwrap())
    }

    #[test]
    fn phrases_read_as_documented() {
        let w = |s: &str| {
            let b: BaseWindow = s.parse().unwrap();
            (b.min, b.max)
        };
        assert_eq!(w("60"), (60, 60));
        assert_eq!(w("55..59"), (55, 59));
        assert_eq!(w("~60"), (54, 66));
        assert_eq!(w("about 60"), (54, 66));
        assert_eq!(w("almost 60"), (54, 59));
        assert_eq!(w("over 1,000"), (1001, 1100));
        assert_eq!(w("at least 5"), (5, 6));
        assert_eq!(w("~1"), (1, 2));
        let side: Side = "1,000/1,500".parse().unwrap();
        assert_eq!((side.share, side.base.map(|b| b.max)), (Share::Count(1000), Some(1500)));
        assert!("1,00/1500".parse::<Side>().is_err());
        for bad in ["0", "59..55", "sixty", "1,00", "", "~", "almost 1", "12345678901"] {
            assert!(bad.parse::<BaseWindow>().is_err(), "{bad}");
        }
    }

    #[test]
    fn union_of_rectangles_counts_each_set_once() {
        let r = |a: u64, b: u64, c: u64, d: u64| Rect { k1: a..=b, k2: c..=d };
        assert_eq!(union_size(&[r(0, 1, 0, 1)]), 4);
        assert_eq!(union_size(&[r(0, 1, 0, 1), r(1, 2, 1, 2)]), 7);
        assert_eq!(union_size(&[r(0, 1, 0, 1), r(0, 1, 0, 1)]), 4);
        assert_eq!(union_size(&[r(0, 0, 0, 0), r(5, 5, 5, 5)]), 2);
    }

    #[test]
    fn the_count_matches_brute_force() {
        let c = PrintedComparison::new(group("33%", "25..40"), group("40%", "~30"))
            .with_roundings(Rounding::ALL.to_vec());
        let e = c.enumerate().unwrap();
        let mut brute = BTreeSet::new();
        for n1 in 25..=40u64 {
            for n2 in 27..=33u64 {
                for r in Rounding::ALL {
                    let (Some(a), Some(b)) = (c.first.counts(n1, r), c.second.counts(n2, r)) else {
                        continue;
                    };
                    for k1 in a {
                        for k2 in b.clone() {
                            brute.insert(CountSet { n1, k1, n2, k2 });
                        }
                    }
                }
            }
        }
        assert_eq!(e.sets, brute.len() as u128);
        assert!(e.complete);
        assert_eq!(e.evaluated, brute.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn a_total_links_the_bases() {
        let c = PrintedComparison::new(group("87%", "55..59"), group("63%", "1..400"))
            .with_total(400, 0)
            .unwrap();
        let e = c.enumerate().unwrap();
        assert!(e.evaluated.iter().all(|s| s.n1 + s.n2 == 400));
        assert!(e.evaluated.iter().all(|s| (55..=59).contains(&s.n1)));
        let c = PrintedComparison::new(group("87%", "55..59"), group("63%", "400..500"))
            .with_total(400, 0)
            .unwrap();
        assert!(matches!(c.enumerate(), Err(PrintedError::TotalUnreachable { .. })));
    }

    #[test]
    fn an_unreachable_figure_is_named() {
        // 6% cannot be shown on 58 (3/58 = 5.17%, 4/58 = 6.90%).
        let c = PrintedComparison::new(group("6%", "58"), group("21%", "340"));
        let e = c.enumerate().unwrap();
        assert_eq!(e.sets, 0);
        assert_eq!(
            e.unreachable.as_deref(),
            Some("6% cannot be shown on any base from 58 to 58 (half-up rounding)")
        );
    }

    #[test]
    fn wide_windows_are_bounded() {
        let c = PrintedComparison::new(group("50%", "1..2000"), group("50%", "1..2000"));
        assert!(matches!(
            c.enumerate(),
            Err(PrintedError::TooManyBasePairs { pairs: 4_000_000, linked: false })
        ));
        let c = PrintedComparison::new(group("50%", "10000..10400"), group("50%", "10000..10400"));
        let e = c.enumerate().unwrap();
        assert!(e.sets > u128::from(MAX_EVALUATED_SETS));
        assert!(!e.complete);
        let r = e.evaluate(&Evaluation { tests: vec![TestMethod::Z], ..Evaluation::default() });
        assert!(r.difference.min < 0.0 && r.difference.max > 0.0);
    }

    #[test]
    fn the_difference_range_is_exact_when_not_every_set_is_evaluated() {
        // 50% on 1..1000 both: 25,050,025 sets, far past the budget; the extremes are
        // the smallest share that prints as 50% minus the largest, and the reverse.
        let c = PrintedComparison::new(group("50%", "1..1000"), group("50%", "1..1000"));
        let e = c.enumerate().unwrap();
        assert!(!e.complete);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for n in 1..=1000u64 {
            if let Some(k) = counts(&"50%".parse().unwrap(), n, Rounding::HalfUp) {
                let (a, b) = (*k.start() as f64 / n as f64, *k.end() as f64 / n as f64);
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        let r = e.evaluate(&Evaluation { tests: vec![TestMethod::Z], ..Evaluation::default() });
        assert_eq!((r.difference.min, r.difference.max), (lo - hi, hi - lo));
    }

    #[test]
    fn a_slow_deciding_test_on_many_sets_is_refused_and_huge_bases_too() {
        let c = PrintedComparison::new(group("50%", "~400"), group("45%", "~400"));
        let e = c.enumerate().unwrap();
        let boschloo = Evaluation { tests: vec![TestMethod::Boschloo], ..Evaluation::default() };
        assert!(matches!(e.can_evaluate(&boschloo), Err(PrintedError::SlowDecidingTest { .. })));
        assert!(e.can_evaluate(&Evaluation::default()).is_ok());
        assert!("over 10000000000".parse::<BaseWindow>().is_err());
        let c = PrintedComparison::new(group("50%", "2..10"), group("50%", "1..10"))
            .with_total(20_000_000_010, 0)
            .unwrap();
        let open = PrintedComparison {
            first: PrintedGroup::new(
                "50%".parse().unwrap(),
                BaseWindow { text: "x".into(), min: 1, max: 20_000_000_009 },
            ),
            ..c
        };
        assert!(matches!(open.enumerate(), Err(PrintedError::BaseTooLarge { .. })));
        assert!(matches!(
            PrintedComparison::new(group("1%", "5"), group("1%", "5")).with_total(10, 9),
            Err(PrintedError::Total { total: 10, slack: 9 })
        ));
    }
}
