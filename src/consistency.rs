//! What a printed (rounded) figure allows: exact interval semantics and the counts and
//! sample sizes consistent with it.
//!
//! A printed percentage such as "87%" stands for an interval of true proportions that
//! depends on the rounding scheme; "<1%" and ">50%" are bounds. Everything here is
//! integer arithmetic on `i128` (no floating point decides consistency), so
//! `counts("6%", 58, HalfUp)` is exactly the set of `k` with `round_half_up(100 k / 58)
//! = 6`: empty.
//!
//! From it: the counts that can show a figure for a given n ([`counts`]), the n in a
//! window at which a set of figures is reachable on one base ([`recover`]), the fewest
//! missing answers that make a set reachable ([`min_missing`]), the chance that a
//! random set of figures would fit ([`chance_of_fit`]), and ratio/difference claims
//! over every consistent count combination ([`ratio_range`]).

use serde::Serialize;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// How the author rounded. Names follow scrutiny's `rounding` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Round half up (Excel `ROUND`, SPSS, most survey platforms): `[x - h, x + h)`.
    HalfUp,
    /// Round half down: `(x - h, x + h]`.
    HalfDown,
    /// Round half to even (R, Python): ties go to the even last digit.
    HalfEven,
    /// Either tie rule (scrutiny's default `up_or_down`): `[x - h, x + h]`.
    UpOrDown,
    /// Always round up (Excel `ROUNDUP`): `(x - u, x]`.
    Ceiling,
    /// Always round down / truncate: `[x, x + u)`.
    Floor,
}

impl Rounding {
    /// Every scheme.
    pub const ALL: [Rounding; 6] = [
        Rounding::HalfUp,
        Rounding::HalfDown,
        Rounding::HalfEven,
        Rounding::UpOrDown,
        Rounding::Ceiling,
        Rounding::Floor,
    ];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::HalfDown => "half-down",
            Rounding::HalfEven => "half-even",
            Rounding::UpOrDown => "up-or-down",
            Rounding::Ceiling => "ceiling",
            Rounding::Floor => "floor",
        }
    }

    /// Parses a kebab-case name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A list of rounding schemes that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundingListError {
    /// A name that is not a scheme.
    #[error(
        "unknown rounding '{0}' (expected any, or one or more of half-up, half-down, half-even, up-or-down, ceiling, floor)"
    )]
    Unknown(String),
    /// Nothing given.
    #[error("no rounding scheme given")]
    Empty,
}

impl Rounding {
    /// Parses a comma-separated list of scheme names (repeats dropped), or `any` for
    /// all six.
    ///
    /// # Errors
    /// [`RoundingListError`] for an unknown name or an empty list.
    pub fn parse_list(s: &str) -> Result<Vec<Rounding>, RoundingListError> {
        if s.trim() == "any" {
            return Ok(Rounding::ALL.to_vec());
        }
        let mut out = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let r = Rounding::from_name(name)
                .ok_or_else(|| RoundingListError::Unknown(crate::format::echo(name)))?;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        if out.is_empty() { Err(RoundingListError::Empty) } else { Ok(out) }
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a printed figure relates the true value to the printed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// "87%": the true value rounds to the number.
    Rounded,
    /// "<1%": the true value is below the number.
    Below,
    /// "<=1%".
    AtMost,
    /// ">50%": the true value is above the number.
    Above,
    /// ">=50%".
    AtLeast,
}

/// A figure as printed: "87%", "12.5%", "<1%", ">50%". Kept as text plus exact
/// decimal value, never as a float.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// The text as printed.
    pub text: String,
    /// Its relation.
    pub relation: Relation,
    /// The number without its decimal point: "12.5" is 125.
    pub digits: i128,
    /// Decimal places printed: "12.5" has 1.
    pub decimals: u32,
}

/// A printed figure that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a printed percentage (expected e.g. 87%, 12.5%, <1%, >50%): {why}")]
pub struct FigureError {
    /// The text given.
    pub text: String,
    /// What is wrong.
    pub why: &'static str,
}

impl FromStr for Figure {
    type Err = FigureError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why| FigureError { text: crate::format::echo(s), why };
        let t = s.trim();
        let (relation, rest) = if let Some(r) = t.strip_prefix("<=") {
            (Relation::AtMost, r)
        } else if let Some(r) = t.strip_prefix(">=") {
            (Relation::AtLeast, r)
        } else if let Some(r) = t.strip_prefix('<') {
            (Relation::Below, r)
        } else if let Some(r) = t.strip_prefix('>') {
            (Relation::Above, r)
        } else {
            (Relation::Rounded, t)
        };
        let number = rest.trim().strip_suffix('%').unwrap_or(rest.trim()).trim();
        if number.is_empty() {
            return Err(err("no number"));
        }
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("the number must be digits, optionally with a decimal point"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (number.contains('.') && frac.is_empty()) {
            return Err(err("the decimals must be digits"));
        }
        if frac.len() > 6 || int.len() > 3 {
            return Err(err("too many digits"));
        }
        let decimals = frac.len() as u32;
        let digits: i128 = format!("{int}{frac}").parse().map_err(|_| err("not a number"))?;
        if digits > 100 * 10i128.pow(decimals) {
            return Err(err("above 100%"));
        }
        Ok(Figure { text: t.to_string(), relation, digits, decimals })
    }
}

/// One end of an interval of proportions: `num / den`, inclusive or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct End {
    /// Numerator.
    pub num: i128,
    /// Denominator (positive).
    pub den: i128,
    /// Whether the end belongs to the interval.
    pub inclusive: bool,
}

impl End {
    /// As a float, for display.
    pub fn value(&self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// The true proportions a figure stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FigureInterval {
    /// Lower end.
    pub lower: End,
    /// Upper end.
    pub upper: End,
}

impl Figure {
    /// `100 * 10^decimals`: the printed number divided by this is the proportion.
    fn scale(&self) -> i128 {
        100 * 10i128.pow(self.decimals)
    }

    /// The interval of true proportions this figure stands for under `rounding`.
    /// Bounds ignore the rounding scheme: "<1%" is `[0, 0.01)`.
    pub fn interval(&self, rounding: Rounding) -> FigureInterval {
        let s = self.scale();
        let m = self.digits;
        let end = |num: i128, den: i128, inclusive: bool| End { num, den, inclusive };
        let (lower, upper) = match self.relation {
            Relation::Below => (end(0, 1, true), end(m, s, false)),
            Relation::AtMost => (end(0, 1, true), end(m, s, true)),
            Relation::Above => (end(m, s, false), end(1, 1, true)),
            Relation::AtLeast => (end(m, s, true), end(1, 1, true)),
            Relation::Rounded => match rounding {
                Rounding::HalfUp => (end(2 * m - 1, 2 * s, true), end(2 * m + 1, 2 * s, false)),
                Rounding::HalfDown => (end(2 * m - 1, 2 * s, false), end(2 * m + 1, 2 * s, true)),
                Rounding::HalfEven => {
                    let even = m % 2 == 0;
                    (end(2 * m - 1, 2 * s, even), end(2 * m + 1, 2 * s, even))
                }
                Rounding::UpOrDown => (end(2 * m - 1, 2 * s, true), end(2 * m + 1, 2 * s, true)),
                Rounding::Ceiling => (end(m - 1, s, false), end(m, s, true)),
                Rounding::Floor => (end(m, s, true), end(m + 1, s, false)),
            },
        };
        FigureInterval { lower, upper }
    }

    /// The midpoint of the interval (for display and for choosing a representative
    /// count), as a float.
    pub fn midpoint(&self, rounding: Rounding) -> f64 {
        let i = self.interval(rounding);
        (i.lower.value().max(0.0) + i.upper.value().min(1.0)) / 2.0
    }

    /// The printed value as a proportion (e.g. 0.87), for display.
    pub fn value(&self) -> f64 {
        self.digits as f64 / self.scale() as f64
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The counts `k` in `0..=n` whose share `k / n` the figure can show; `None` if none.
pub fn counts(figure: &Figure, n: u64, rounding: Rounding) -> Option<RangeInclusive<u64>> {
    let i = figure.interval(rounding);
    let n_i = i128::from(n);
    // smallest k with k/n >= lo (or > lo): k * den >= num * n
    let (num, den) = (i.lower.num, i.lower.den);
    let mut kmin = (num * n_i).div_euclid(den);
    if kmin * den < num * n_i {
        kmin += 1;
    }
    if !i.lower.inclusive && kmin * den == num * n_i {
        kmin += 1;
    }
    let (num, den) = (i.upper.num, i.upper.den);
    let mut kmax = (num * n_i).div_euclid(den);
    if !i.upper.inclusive && kmax * den == num * n_i {
        kmax -= 1;
    }
    let kmin = kmin.max(0);
    let kmax = kmax.min(n_i);
    if kmin > kmax { None } else { Some(kmin as u64..=kmax as u64) }
}

/// A base size at which every figure of a set is reachable, with the counts for each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The base.
    pub n: u64,
    /// For each figure, every count that shows it.
    pub counts: Vec<Vec<u64>>,
}

/// Most bases searched by [`recover`] in one window.
pub const MAX_RECOVER_WINDOW: u64 = 100_000;

/// Most counts [`recover`] lists over all its candidates (a wide window of large bases
/// would otherwise list billions).
pub const MAX_LISTED_COUNTS: u64 = 1_000_000;

/// Work that the consistency checks refuse because it exceeds a documented limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsistencyError {
    /// The window of bases is wider than [`MAX_RECOVER_WINDOW`].
    #[error("the window {lo}..{hi} holds {bases} bases; at most {MAX_RECOVER_WINDOW} are searched")]
    WindowTooWide {
        /// Lowest base.
        lo: u64,
        /// Highest base.
        hi: u64,
        /// Bases in the window.
        bases: u64,
    },
    /// The candidates would list more than [`MAX_LISTED_COUNTS`] counts.
    #[error(
        "the bases {lo}..{hi} would list {listed} consistent counts, more than {MAX_LISTED_COUNTS}; narrow the window"
    )]
    TooManyCounts {
        /// Lowest base.
        lo: u64,
        /// Highest base.
        hi: u64,
        /// Counts the candidates would list.
        listed: u64,
    },
}

/// Every `n` in `window` at which all `figures` are reachable on one common base.
///
/// # Errors
/// [`ConsistencyError`] when the window holds more than [`MAX_RECOVER_WINDOW`] bases
/// or the candidates would list more than [`MAX_LISTED_COUNTS`] counts; nothing is
/// enumerated then.
pub fn recover(
    figures: &[Figure],
    window: RangeInclusive<u64>,
    rounding: Rounding,
) -> Result<Vec<Candidate>, ConsistencyError> {
    let (lo, hi) = (*window.start(), *window.end());
    let bases = if hi < lo { 0 } else { hi - lo + 1 };
    if bases > MAX_RECOVER_WINDOW {
        return Err(ConsistencyError::WindowTooWide { lo, hi, bases });
    }
    let mut listed = 0u64;
    for n in window.clone() {
        let ranges: Option<Vec<RangeInclusive<u64>>> =
            figures.iter().map(|f| counts(f, n, rounding)).collect();
        if let Some(ranges) = ranges {
            listed = ranges.iter().fold(listed, |t, r| t.saturating_add(r.end() - r.start() + 1));
        }
    }
    if listed > MAX_LISTED_COUNTS {
        return Err(ConsistencyError::TooManyCounts { lo, hi, listed });
    }
    Ok(window
        .filter_map(|n| {
            let sets: Option<Vec<Vec<u64>>> =
                figures.iter().map(|f| counts(f, n, rounding).map(|r| r.collect())).collect();
            sets.map(|counts| Candidate { n, counts })
        })
        .collect())
}

/// The smallest base `n >= 1` (up to `limit`) at which every figure is reachable.
pub fn smallest_base(figures: &[Figure], rounding: Rounding, limit: u64) -> Option<u64> {
    (1..=limit).find(|&n| figures.iter().all(|f| counts(f, n, rounding).is_some()))
}

/// Most missing answers [`min_missing`] tries (it tries every count up to its limit).
pub const MAX_MISSING_SEARCHED: u64 = 10_000;

/// The fewest missing answers `d` (up to `max_missing`, and at most
/// [`MAX_MISSING_SEARCHED`]) such that every figure in `figures` (which share one base,
/// e.g. the options of one question) is reachable on `n - d` respondents.
pub fn min_missing(
    figures: &[Figure],
    n: u64,
    rounding: Rounding,
    max_missing: u64,
) -> Option<u64> {
    (0..=max_missing.min(n.saturating_sub(1)).min(MAX_MISSING_SEARCHED))
        .find(|&d| figures.iter().all(|f| counts(f, n - d, rounding).is_some()))
}

/// The probability that a figure printed with the same precision, drawn uniformly from
/// all printable values, is reachable at `n`; the product over `figures` is the chance
/// that a random set of figures fits base `n`.
///
/// Counted exactly in constant time: with `s = 100 * 10^decimals` printable steps, a
/// base `n >= s` reaches every value (consecutive shares are at most one step apart and
/// every value stands for an interval one step wide), and a base `n < s` reaches `n + 1`
/// distinct values (shares more than a step apart never round alike), plus, under
/// up-or-down rounding, one more for each share that falls exactly on a tie (it shows
/// both neighbours).
pub fn chance_of_fit(figures: &[Figure], n: u64, rounding: Rounding) -> f64 {
    figures
        .iter()
        .map(|f| {
            if f.relation != Relation::Rounded {
                return 1.0;
            }
            let top = 100 * 10i128.pow(f.decimals);
            reachable_values(top, n, rounding) as f64 / (top + 1) as f64
        })
        .product()
}

/// How many of the printable values `0..=top` (in steps of `1 / top`) some `k / n`
/// shows under `rounding`.
fn reachable_values(top: i128, n: u64, rounding: Rounding) -> i128 {
    let n = i128::from(n);
    if n >= top {
        return top + 1;
    }
    let ties = if rounding == Rounding::UpOrDown { tie_shares(top, n) } else { 0 };
    n + 1 + ties
}

/// The `k` in `0..=n` whose share `top * k / n` is exactly half-way between two
/// printable values: `2 top k = n (2j + 1)`, i.e. `2 top k = n (mod 2n)`.
fn tie_shares(top: i128, n: i128) -> i128 {
    let (a, m) = (2 * top, 2 * n);
    let g = gcd(a, m);
    if n % g != 0 {
        return 0;
    }
    let (a, b, m) = (a / g, n / g, m / g);
    // k = b * a^-1 (mod m): the solutions are k0, k0 + m, ...
    let k0 = (b % m) * modular_inverse(a % m, m) % m;
    if k0 > n { 0 } else { (n - k0) / m + 1 }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// The inverse of `a` modulo `m` (`a` and `m` coprime; 0 when `m` is 1).
fn modular_inverse(a: i128, m: i128) -> i128 {
    let (mut old_r, mut r) = (a, m);
    let (mut old_s, mut s) = (1i128, 0i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    old_s.rem_euclid(m.max(1))
}

/// The expected number of bases in `window` at which a random set of figures of the
/// same precision would fit: the sum of [`chance_of_fit`] over the window.
pub fn expected_chance_hits(
    figures: &[Figure],
    window: RangeInclusive<u64>,
    rounding: Rounding,
) -> f64 {
    window.map(|n| chance_of_fit(figures, n, rounding)).sum()
}

/// The range of `(k1 / n1) / (k2 / n2)` over every pair of counts consistent with two
/// figures at the given bases (ratio claims such as "three times as likely").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioRange {
    /// Smallest ratio (finite pairs only).
    pub min: f64,
    /// Largest ratio (finite pairs only).
    pub max: f64,
    /// Whether some consistent pair has a zero denominator (ratio infinite or 0/0).
    pub unbounded: bool,
}

/// Ratio range over consistent counts; `None` if either figure is unreachable. The
/// extremes are at the corners of the consistent counts (the ratio rises with `k1` and
/// falls with `k2`), so this takes constant time at any base.
pub fn ratio_range(
    numerator: (&Figure, u64),
    denominator: (&Figure, u64),
    rounding: Rounding,
) -> Option<RatioRange> {
    let a = counts(numerator.0, numerator.1, rounding)?;
    let b = counts(denominator.0, denominator.1, rounding)?;
    let ratio =
        |k1: u64, k2: u64| (k1 as f64 / numerator.1 as f64) / (k2 as f64 / denominator.1 as f64);
    let unbounded = *b.start() == 0;
    let smallest_positive = (*b.start()).max(1);
    if *b.end() == 0 {
        return Some(RatioRange { min: f64::INFINITY, max: f64::NEG_INFINITY, unbounded });
    }
    Some(RatioRange {
        min: ratio(*a.start(), *b.end()),
        max: ratio(*a.end(), smallest_positive),
        unbounded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(s: &str) -> Figure {
        s.parse().unwrap()
    }

    #[test]
    fn six_percent_is_unreachable_for_55_to_61_recruiters() {
        for n in 55..=61 {
            assert_eq!(counts(&fig("6%"), n, Rounding::HalfUp), None, "n = {n}");
        }
        assert_eq!(counts(&fig("6%"), 54, Rounding::HalfUp), Some(3..=3));
        assert_eq!(counts(&fig("6%"), 62, Rounding::HalfUp), Some(4..=4));
    }

    #[test]
    fn ties_follow_the_scheme() {
        // 49/56 = 87.5% exactly: half-up shows 88, half-down 87, half-even 88.
        assert_eq!(counts(&fig("87%"), 56, Rounding::HalfUp), None);
        assert_eq!(counts(&fig("87%"), 56, Rounding::HalfDown), Some(49..=49));
        assert_eq!(counts(&fig("88%"), 56, Rounding::HalfEven), Some(49..=49));
        assert_eq!(counts(&fig("87%"), 56, Rounding::UpOrDown), Some(49..=49));
    }

    #[test]
    fn reachable_values_match_a_brute_force_count() {
        for decimals in 0..=1u32 {
            let top = 100 * 10i128.pow(decimals);
            for rounding in Rounding::ALL {
                for n in 1..=(top as u64 + 20) {
                    let brute = (0..=top)
                        .filter(|&m| {
                            let f = Figure {
                                text: String::new(),
                                relation: Relation::Rounded,
                                digits: m,
                                decimals,
                            };
                            counts(&f, n, rounding).is_some()
                        })
                        .count() as i128;
                    assert_eq!(
                        reachable_values(top, n, rounding),
                        brute,
                        "{rounding} n = {n} d = {decimals}"
                    );
                }
            }
        }
    }

    #[test]
    fn wide_windows_are_refused_before_enumerating() {
        let f = vec![fig("50%")];
        assert!(matches!(
            recover(&f, 1..=1_000_000, Rounding::HalfUp),
            Err(ConsistencyError::WindowTooWide { bases: 1_000_000, .. })
        ));
        assert!(matches!(
            recover(&f, 900_000..=990_000, Rounding::HalfUp),
            Err(ConsistencyError::TooManyCounts { .. })
        ));
    }

    #[test]
    fn bounds_and_decimals() {
        assert_eq!(counts(&fig("<1%"), 340, Rounding::HalfUp), Some(0..=3));
        assert_eq!(counts(&fig("12.5%"), 8, Rounding::HalfUp), Some(1..=1));
        assert_eq!(counts(&fig(">50%"), 10, Rounding::HalfUp), Some(6..=10));
        assert!("abc".parse::<Figure>().is_err());
        assert!("101%".parse::<Figure>().is_err());
    }
}
