//! Judging published claims against the data and against every count the published
//! figures allow.
//!
//! Each claim gets one of six verdicts, with the numbers behind it:
//! - **supported**: the data support it at the analysis level (95% by default), and so
//!   does every count combination consistent with the published figures;
//! - **not shown**: the data cannot exclude the opposite (C2's "more than three times as
//!   likely": the ratio is 3.76, but its interval reaches below 3), for the data and
//!   every consistent count; not a refutation;
//! - **contradicted**: the data exclude the claim at that level (a "majority" that is
//!   significantly below half, a factor outside the ratio's interval, a within-respondent
//!   difference significantly the other way); claims that groups differ are never
//!   contradicted (that would take an equivalence test), only not shown;
//! - **cannot be reproduced**: no count combination consistent with the published
//!   figures gives the claimed number;
//! - **depends on an assumption**: some consistent counts (or joint answers, or group
//!   sizes) support it and others do not;
//! - **cannot be judged**: the data hold nothing to judge it on (a group with no
//!   answers to the question, no respondent answering both questions of a paired
//!   claim); the summary says what is missing.
//!
//! "Consistent counts" are taken at the data's own bases: for a reconstruction these
//! are the reconstructed bases, for a new wave its real ones.

use crate::analysis::AnalysisResults;
use crate::analysis::figures::MAX_FIGURE_PAIRS;
use crate::codebook::{ClaimKind, Codebook, GroupRef, ItemRef, RatioRelation};
use crate::consistency::{Figure, counts, ratio_range};
use crate::format::p_value;
use crate::stats::contingency::{chi_square, fisher_freeman_halton};
use crate::stats::fisher::fisher_exact;
use crate::stats::one_sample::binomial_exact_test;
use crate::stats::paired::{PairedTable, mcnemar_exact, tables_with_margins};
use crate::stats::ratio::{RiskRatioMethod, risk_ratio_ci};
use crate::stats::{Alternative, Proportion, TwoGroups};
use crate::tabulate::CountTable;
use serde::Serialize;

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Supported by the data and by every consistent count combination.
    Supported,
    /// The data cannot exclude the opposite at the analysis level.
    NotShown,
    /// The data exclude the claim at the analysis level.
    Contradicted,
    /// The claimed number cannot come from any counts consistent with the figures.
    CannotBeReproduced,
    /// Supported under some consistent counts or joint answers and not others.
    DependsOnAssumption,
    /// The data hold nothing to judge the claim on (the summary says why).
    CannotBeJudged,
}

impl Verdict {
    /// The verdict in words.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotShown => "not shown",
            Verdict::Contradicted => "contradicted",
            Verdict::CannotBeReproduced => "cannot be reproduced",
            Verdict::DependsOnAssumption => "depends on an assumption",
            Verdict::CannotBeJudged => "cannot be judged",
        }
    }
}

/// A judged claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimVerdict {
    /// Claim id.
    pub id: String,
    /// Claim wording.
    pub text: String,
    /// Verdict.
    pub verdict: Verdict,
    /// One sentence with the numbers behind the verdict.
    pub summary: String,
    /// Whether the verdict relies on the reconstruction's joint answers or counts.
    pub depends_on_reconstruction: bool,
}

/// Whether claims are judged against the published figures as well as the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Reconstructed data: judge over the data and over every count, joint table and
    /// group size consistent with the published figures.
    DataAndPublishedFigures,
    /// Real respondent data (a new wave): judge on the data alone.
    DataOnly,
}

/// Most joint tables with given margins a paired claim is judged over.
pub const MAX_JOINT_TABLES: u64 = 10_000;

/// Most configurations of group sizes and counts a k-group claim is judged over.
pub const MAX_GROUP_CONFIGURATIONS: u64 = 200_000;

/// A verdict, its summary and whether it depends on the reconstruction.
type Judged = (Verdict, String, bool);

fn cannot(why: String) -> Judged {
    (Verdict::CannotBeJudged, why, false)
}

/// What the judges share: the codebook (figures stripped for real data), the table and
/// the level.
struct Judge<'a> {
    codebook: &'a Codebook,
    table: &'a CountTable,
    alpha: f64,
}

impl Judge<'_> {
    /// `(successes, n)` of an answer in a group, or why the group cannot be judged.
    fn counts(&self, item: ItemRef, group: GroupRef) -> Result<(u64, u64), String> {
        let (k, n) = self.table.option_counts(item.question, item.option, group.level());
        if n == 0 {
            return Err(format!(
                "{}: nobody answered '{}'",
                self.codebook.group_label(group),
                self.codebook.item_question(item).display_label()
            ));
        }
        Ok((k, n))
    }

    fn figure(&self, item: ItemRef, group: GroupRef) -> Option<&Figure> {
        self.codebook.figure_for(item, group)
    }
}

/// Judges every claim of the codebook.
pub fn judge(
    codebook: &Codebook,
    table: &CountTable,
    results: &AnalysisResults,
    evidence: Evidence,
) -> Vec<ClaimVerdict> {
    let stripped;
    let codebook = if evidence == Evidence::DataOnly {
        // No published figures: every "consistent counts" set is empty.
        stripped = Codebook { figures: Vec::new(), ..codebook.clone() };
        &stripped
    } else {
        codebook
    };
    let judge = Judge { codebook, table, alpha: 1.0 - results.options.level.value() };
    let level_pct = format!("{}%", (results.options.level.value() * 100.0).round());
    codebook
        .claims
        .iter()
        .map(|c| {
            let judged = match &c.kind {
                ClaimKind::Majority { item, groups, threshold, check_difference } => {
                    judge.majority(*item, groups, *threshold, *check_difference)
                }
                ClaimKind::Ratio { item, numerator, denominator, value, relation } => judge.ratio(
                    *item,
                    *numerator,
                    *denominator,
                    *value,
                    *relation,
                    results,
                    &level_pct,
                ),
                ClaimKind::Paired { a, b, groups } => {
                    judge.paired(*a, *b, groups, evidence == Evidence::DataAndPublishedFigures)
                }
                ClaimKind::Differ { items } => judge.differ(items, results),
                ClaimKind::GroupsDiffer { item, groups } => judge.groups_differ(*item, groups),
            };
            let (verdict, summary, depends_on_reconstruction) = judged.unwrap_or_else(cannot);
            ClaimVerdict {
                id: c.id.clone(),
                text: c.text.clone(),
                verdict,
                summary,
                depends_on_reconstruction,
            }
        })
        .collect()
}

/// Replaces the numbers behind the verdicts of claims that rest on suppressed cells
/// (see [`crate::analysis::AnalysisOptions::suppress_below`]), which their summaries
/// would otherwise reveal.
pub fn redact(
    verdicts: &mut [ClaimVerdict],
    codebook: &Codebook,
    suppressed: &[crate::analysis::SuppressedCell],
) {
    if suppressed.is_empty() {
        return;
    }
    let hidden = |item: ItemRef, group: GroupRef| {
        let q = &codebook.item_question(item).id;
        let g = codebook.group_id(group);
        suppressed.iter().any(|c| &c.question == q && c.group == g)
    };
    for (v, c) in verdicts.iter_mut().zip(&codebook.claims) {
        let uses_hidden = match &c.kind {
            ClaimKind::Majority { item, groups, .. } => groups.iter().any(|&g| hidden(*item, g)),
            ClaimKind::Ratio { item, numerator, denominator, .. } => {
                hidden(*item, *numerator) || hidden(*item, *denominator)
            }
            ClaimKind::GroupsDiffer { item, groups } => {
                groups.iter().any(|&g| hidden(*item, GroupRef::Level(g)))
            }
            ClaimKind::Paired { a, b, groups } => {
                groups.iter().any(|&g| hidden(*a, g) || hidden(*b, g))
            }
            ClaimKind::Differ { items } => items
                .iter()
                .any(|&i| hidden(i, GroupRef::Level(0)) || hidden(i, GroupRef::Level(1))),
        };
        if uses_hidden {
            v.summary = "the numbers are not shown: the claim rests on cells suppressed for their small base".into();
        }
    }
}

/// Status of a condition over the data and the consistent counts.
fn status(data: bool, consistent: &[bool]) -> (bool, bool) {
    let all = consistent.iter().all(|&b| b) && data;
    let none = consistent.iter().all(|&b| !b) && !data;
    (all, none)
}

fn range_of(values: &[f64]) -> (f64, f64) {
    (
        values.iter().copied().fold(f64::INFINITY, f64::min),
        values.iter().copied().fold(0.0, f64::max),
    )
}

impl Judge<'_> {
    fn majority(
        &self,
        item: ItemRef,
        groups: &[GroupRef],
        threshold: f64,
        check_difference: bool,
    ) -> Result<Judged, String> {
        let mut parts = Vec::new();
        let (mut all_robust, mut any_robust_fail, mut depends) = (true, false, false);
        let mut contradicted = false;
        let mut per_group = Vec::new();
        for &group in groups {
            let (k, n) = self.counts(item, group)?;
            let test_towards = |k: u64, alternative: Alternative| -> Result<f64, String> {
                let prop = Proportion::new(k, n).map_err(|e| e.to_string())?;
                binomial_exact_test(prop, threshold, alternative)
                    .map(|t| t.p_value.p)
                    .map_err(|e| e.to_string())
            };
            let test = |k: u64| test_towards(k, Alternative::Greater);
            let p = test(k)?;
            // The opposite: the share is below the threshold.
            let p_below = test_towards(k, Alternative::Less)?;
            let consistent: Vec<u64> = self
                .figure(item, group)
                .and_then(|f| counts(f, n, self.codebook.rounding()))
                .map(|r| r.collect())
                .unwrap_or_default();
            let ps: Vec<f64> = consistent.iter().map(|&k| test(k)).collect::<Result<_, _>>()?;
            let (all, none) =
                status(p < self.alpha, &ps.iter().map(|&p| p < self.alpha).collect::<Vec<_>>());
            let below: Vec<bool> = consistent
                .iter()
                .map(|&k| test_towards(k, Alternative::Less).map(|p| p < self.alpha))
                .collect::<Result<_, _>>()?;
            let (all_below, _) = status(p_below < self.alpha, &below);
            contradicted |= all_below;
            all_robust &= all;
            any_robust_fail |= none;
            depends |= !all && !none;
            let range = if ps.len() > 1 {
                let (lo, hi) = range_of(&ps);
                format!(
                    " (p {}-{} over the {} counts consistent with the figure)",
                    p_value(lo),
                    p_value(hi),
                    ps.len()
                )
            } else {
                String::new()
            };
            let against = if all_below {
                format!(
                    "; the share is significantly below {} (p = {})",
                    crate::format::share_rounded(threshold),
                    p_value(p_below)
                )
            } else {
                String::new()
            };
            parts.push(format!(
                "{}: {k}/{n} = {}, exact binomial test of > {}: p = {}{range}{against}",
                self.codebook.group_label(group),
                crate::format::share(k as f64 / n as f64),
                crate::format::share_rounded(threshold),
                p_value(p)
            ));
            per_group.push((k, n));
        }
        if check_difference
            && let [(k1, n1), (k2, n2)] = per_group[..]
            && let Ok(g) = TwoGroups::new(k1, n1, k2, n2)
        {
            let p = fisher_exact(&g, Alternative::TwoSided).p_value.p;
            parts.push(format!(
                "the gap between the groups ({}) is {}significant (Fisher p = {})",
                crate::format::points(g.difference()),
                if p < self.alpha { "" } else { "not " },
                p_value(p)
            ));
        }
        let verdict = if all_robust {
            Verdict::Supported
        } else if contradicted {
            Verdict::Contradicted
        } else if any_robust_fail {
            Verdict::NotShown
        } else {
            Verdict::DependsOnAssumption
        };
        Ok((verdict, parts.join("; "), depends))
    }

    #[allow(clippy::too_many_arguments)]
    fn ratio(
        &self,
        item: ItemRef,
        numerator: GroupRef,
        denominator: GroupRef,
        value: f64,
        relation: RatioRelation,
        results: &AnalysisResults,
        level_pct: &str,
    ) -> Result<Judged, String> {
        let rounding = self.codebook.rounding();
        let (k1, n1) = self.counts(item, numerator)?;
        let (k2, n2) = self.counts(item, denominator)?;
        let g = TwoGroups::new(k1, n1, k2, n2).map_err(|e| e.to_string())?;
        let ci = risk_ratio_ci(
            &g,
            RiskRatioMethod::Koopman,
            results.options.level,
            Alternative::TwoSided,
        );
        let ratio = if k2 == 0 { f64::INFINITY } else { g.first.estimate() / g.second.estimate() };
        let figures = self.figure(item, numerator).zip(self.figure(item, denominator));
        let range = figures.and_then(|(a, b)| ratio_range((a, n1), (b, n2), rounding));
        let ci_text = match &ci {
            Ok(i) => format!(
                "{level_pct} Koopman interval {:.2} to {}",
                i.lower,
                if i.upper.is_finite() { format!("{:.2}", i.upper) } else { "infinity".into() }
            ),
            Err(e) => format!("interval undefined ({e})"),
        };
        let ratio_text =
            if ratio.is_finite() { format!("{ratio:.2}") } else { "infinite".to_string() };
        let data_text = format!("data: {k1}/{n1} vs {k2}/{n2}, ratio {ratio_text}, {ci_text}");
        let range_text = range.zip(figures).map(|(r, (a, b))| {
            format!(
                "counts consistent with {} and {} give ratios {:.2} to {:.2}{}",
                a.text,
                b.text,
                r.min,
                r.max,
                if r.unbounded { " (or infinite, with no denominator cases)" } else { "" }
            )
        });
        match relation {
            RatioRelation::About => {
                // Reproduced if some consistent pair rounds to the claimed value.
                let reproducible = match figures {
                    Some((a, b)) => {
                        let ka = counts(a, n1, rounding);
                        let kb = counts(b, n2, rounding);
                        match (ka, kb) {
                            (Some(ka), Some(kb))
                                if (ka.end() - ka.start() + 1)
                                    .saturating_mul(kb.end() - kb.start() + 1)
                                    <= MAX_FIGURE_PAIRS =>
                            {
                                ka.clone().any(|x| {
                                    kb.clone().any(|y| {
                                        y > 0
                                            && (((x as f64 / n1 as f64) / (y as f64 / n2 as f64))
                                                - value)
                                                .abs()
                                                < 0.5
                                    })
                                })
                            }
                            // Too many pairs to list: the ratio range decides.
                            (Some(_), Some(_)) => range.is_some_and(|r| {
                                r.min - 0.5 < value && (value < r.max + 0.5 || r.unbounded)
                            }),
                            _ => false,
                        }
                    }
                    None => (ratio - value).abs() < 0.5,
                };
                let printed = figures.map_or(String::new(), |(a, b)| {
                    format!(
                        "; the printed figures give {:.0} / {:.0} = {:.0}, and exactly {value} would need {} to print as {}",
                        100.0 * a.value(),
                        100.0 * b.value(),
                        a.value() / b.value(),
                        self.codebook.group_label(denominator),
                        crate::format::share(a.value() / value)
                    )
                });
                let summary = format!(
                    "claimed {value}x; {}{}; {data_text}",
                    range_text.unwrap_or_else(|| "no published figures to check".into()),
                    printed
                );
                Ok(if figures.is_none() {
                    // Real data: the claimed factor must lie inside the interval.
                    let inside = ci.as_ref().is_ok_and(|i| i.contains(value));
                    (
                        if inside { Verdict::Supported } else { Verdict::Contradicted },
                        summary,
                        false,
                    )
                } else if reproducible {
                    (Verdict::Supported, summary, true)
                } else {
                    (Verdict::CannotBeReproduced, summary, false)
                })
            }
            RatioRelation::MoreThan => {
                // Whether the ratio exceeds the factor for the data and for every count
                // consistent with the figures (for the data alone without figures).
                let arithmetic_all = range.is_none_or(|r| r.min > value) && ratio > value;
                let arithmetic_none =
                    range.is_none_or(|r| r.max <= value && !r.unbounded) && ratio <= value;
                let statistical = ci.as_ref().is_ok_and(|i| i.lower > value);
                // The interval lies below the factor: the data exclude "more than".
                let against = ci.as_ref().is_ok_and(|i| i.upper < value);
                let summary = format!(
                    "claimed more than {value}x; {}; {data_text}; the interval {} {value}",
                    range_text.unwrap_or_else(|| "no published figures to check".into()),
                    if statistical {
                        "excludes"
                    } else if against {
                        "lies below"
                    } else {
                        "does not exclude"
                    }
                );
                let verdict = if arithmetic_all && statistical {
                    Verdict::Supported
                } else if against {
                    Verdict::Contradicted
                } else if arithmetic_none || (arithmetic_all && !statistical) {
                    Verdict::NotShown
                } else {
                    Verdict::DependsOnAssumption
                };
                Ok((verdict, summary, !arithmetic_all && !arithmetic_none))
            }
        }
    }

    fn paired(
        &self,
        a: ItemRef,
        b: ItemRef,
        groups: &[GroupRef],
        frechet: bool,
    ) -> Result<Judged, String> {
        let cb = self.codebook;
        let pair =
            self.table.pairs.iter().find(|p| p.a == a.question && p.b == b.question).ok_or_else(
                || {
                    format!(
                        "the count table holds no joint answers of '{}' and '{}'",
                        cb.item_question(a).display_label(),
                        cb.item_question(b).display_label()
                    )
                },
            )?;
        // The joint table counts the first option of each question (index 1 = chosen);
        // a claim on the other answer of a yes/no question reads it the other way round.
        let index = |option: usize, hit: bool| usize::from((option == 0) == hit);
        let mut parts = Vec::new();
        let (mut all_robust, mut any_fail, mut depends) = (true, false, false);
        let mut contradicted = false;
        for &group in groups {
            let levels: Vec<usize> = match group {
                GroupRef::Level(g) => vec![g],
                GroupRef::All => (0..self.table.groups).collect(),
            };
            let j = |ha: bool, hb: bool| -> u64 {
                levels
                    .iter()
                    .map(|&g| pair.joint[[g, index(a.option, ha), index(b.option, hb)]])
                    .sum()
            };
            let t = PairedTable {
                both: j(true, true),
                a_only: j(true, false),
                b_only: j(false, true),
                neither: j(false, false),
            };
            let n = t.n();
            if n == 0 {
                return Err(format!(
                    "{}: nobody answered both '{}' and '{}'",
                    cb.group_label(group),
                    cb.item_question(a).display_label(),
                    cb.item_question(b).display_label()
                ));
            }
            let p = mcnemar_exact(&t, Alternative::Greater).p_value.p;
            let (ma, mb) = (t.both + t.a_only, t.both + t.b_only);
            let joint_tables = ma.min(mb) - (ma + mb).saturating_sub(n) + 1;
            let frechet = frechet && joint_tables <= MAX_JOINT_TABLES;
            let tables = if frechet { tables_with_margins(ma, mb, n) } else { vec![t] };
            let ps: Vec<f64> =
                tables.iter().map(|t| mcnemar_exact(t, Alternative::Greater).p_value.p).collect();
            let (min, max) = range_of(&ps);
            let (all, none) =
                status(p < self.alpha, &ps.iter().map(|&p| p < self.alpha).collect::<Vec<_>>());
            // The other way round: B significantly more common than A.
            let below =
                |t: &PairedTable| mcnemar_exact(t, Alternative::Less).p_value.p < self.alpha;
            let (reversed, _) = status(below(&t), &tables.iter().map(below).collect::<Vec<_>>());
            contradicted |= reversed;
            all_robust &= all;
            any_fail |= none;
            depends |= !all && !none;
            let over = if frechet {
                format!(
                    " on the reconstructed joint answers, {} to {} over all {} joint tables with these margins",
                    p_value(min),
                    p_value(max),
                    ps.len()
                )
            } else {
                String::new()
            };
            parts.push(format!(
                "{}: {ma}/{n} vs {mb}/{n} answering both, exact McNemar p = {}{over}",
                cb.group_label(group),
                p_value(p),
            ));
        }
        let verdict = if all_robust {
            Verdict::Supported
        } else if contradicted {
            Verdict::Contradicted
        } else if any_fail {
            Verdict::NotShown
        } else {
            Verdict::DependsOnAssumption
        };
        Ok((verdict, parts.join("; "), depends))
    }

    fn differ(&self, items: &[ItemRef], results: &AnalysisResults) -> Result<Judged, String> {
        let cb = self.codebook;
        let mut significant = Vec::new();
        let mut not = Vec::new();
        let mut depends = false;
        let mut robust_fail = false;
        for &item in items {
            let (question, option) = (&cb.item_question(item).id, &cb.item_option(item).code);
            let key = format!(
                "{}: {}",
                cb.item_question(item).display_label(),
                cb.item_option(item).label
            );
            let (_, n1) = self.counts(item, GroupRef::Level(0))?;
            let (_, n2) = self.counts(item, GroupRef::Level(1))?;
            let row = results
                .comparison(question, option)
                .ok_or_else(|| format!("{key}: the groups were not compared"))?;
            let label = cb.figures.iter().find(|f| f.item == item).map_or(key, |f| f.label.clone());
            let p_adj = row.p_adjusted.unwrap_or(1.0);
            // Raw p over the counts consistent with both groups' figures.
            let ka =
                self.figure(item, GroupRef::Level(0)).and_then(|f| counts(f, n1, cb.rounding()));
            let kb =
                self.figure(item, GroupRef::Level(1)).and_then(|f| counts(f, n2, cb.rounding()));
            let mut range = (f64::INFINITY, 0.0f64);
            if let (Some(ka), Some(kb)) = (ka, kb)
                && (ka.end() - ka.start() + 1).saturating_mul(kb.end() - kb.start() + 1)
                    <= MAX_FIGURE_PAIRS
            {
                for x in ka {
                    for y in kb.clone() {
                        let g = TwoGroups::new(x, n1, y, n2).map_err(|e| e.to_string())?;
                        let p = fisher_exact(&g, Alternative::TwoSided).p_value.p;
                        range = (range.0.min(p), range.1.max(p));
                    }
                }
            }
            let text = format!("{label} (adjusted p = {})", p_value(p_adj));
            if p_adj < self.alpha {
                significant.push(text);
                if range.1 >= self.alpha {
                    depends = true;
                }
            } else {
                if range.0 >= self.alpha || range.0.is_infinite() {
                    robust_fail = true;
                } else {
                    depends = true;
                }
                not.push(format!(
                    "{text}, raw p {} to {} over consistent counts",
                    p_value(range.0),
                    p_value(range.1)
                ));
            }
        }
        let verdict = if !not.is_empty() {
            if robust_fail { Verdict::NotShown } else { Verdict::DependsOnAssumption }
        } else if depends {
            Verdict::DependsOnAssumption
        } else {
            Verdict::Supported
        };
        let list = |items: &[String], sep: &str| {
            if items.is_empty() { "none".to_string() } else { items.join(sep) }
        };
        let summary = format!(
            "significant after {} adjustment: {}; not significant: {}",
            results.options.adjustment.display_name(),
            list(&significant, ", "),
            list(&not, "; ")
        );
        Ok((verdict, summary, depends))
    }

    fn groups_differ(&self, item: ItemRef, groups: &[usize]) -> Result<Judged, String> {
        let cb = self.codebook;
        let rounding = cb.rounding();
        let data: Vec<Proportion> = groups
            .iter()
            .map(|&g| {
                let (k, n) = self.counts(item, GroupRef::Level(g))?;
                Proportion::new(k, n).map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let exact = fisher_freeman_halton(&data);
        let chi = chi_square(&data);
        let p_data = exact.as_ref().map(|t| t.p_value.p).unwrap_or(1.0);
        // Every configuration of group sizes (up to the reconstructed total) and counts
        // consistent with the published figures.
        let figures: Vec<Option<&Figure>> =
            groups.iter().map(|&g| self.figure(item, GroupRef::Level(g))).collect();
        let total = self.table.total();
        let limit: u64 = total.min(25);
        let options_per_group: Vec<Vec<(u64, u64)>> = figures
            .iter()
            .map(|f| match f {
                Some(f) => (1..=limit)
                    .flat_map(|n| {
                        counts(f, n, rounding).into_iter().flat_map(move |r| r.map(move |k| (k, n)))
                    })
                    .collect(),
                None => vec![],
            })
            .collect();
        let configurations =
            options_per_group.iter().fold(1u64, |t, s| t.saturating_mul(s.len() as u64));
        let mut configs = 0u64;
        let mut significant = 0u64;
        let (mut pmin, mut pmax) = (f64::INFINITY, 0.0f64);
        let mut smallest_significant: Option<(u64, Vec<(u64, u64)>)> = None;
        let mut stack: Vec<(u64, u64)> = Vec::new();
        /// `(successes, n)` of each group in one configuration.
        type Config = [(u64, u64)];
        fn walk(
            j: usize,
            sets: &[Vec<(u64, u64)>],
            stack: &mut Vec<(u64, u64)>,
            budget: u64,
            visit: &mut dyn FnMut(&Config),
        ) {
            if j == sets.len() {
                visit(stack);
                return;
            }
            for &(k, n) in &sets[j] {
                if n <= budget {
                    stack.push((k, n));
                    walk(j + 1, sets, stack, budget - n, visit);
                    stack.pop();
                }
            }
        }
        let enumerate = options_per_group.iter().all(|s| !s.is_empty())
            && configurations <= MAX_GROUP_CONFIGURATIONS;
        if enumerate {
            walk(0, &options_per_group, &mut stack, total, &mut |cfg| {
                let Ok(props) =
                    cfg.iter().map(|&(k, n)| Proportion::new(k, n)).collect::<Result<Vec<_>, _>>()
                else {
                    return;
                };
                if let Ok(t) = fisher_freeman_halton(&props) {
                    configs += 1;
                    let p = t.p_value.p;
                    pmin = pmin.min(p);
                    pmax = pmax.max(p);
                    if p < self.alpha {
                        significant += 1;
                        let size: u64 = cfg.iter().map(|c| c.1).sum();
                        if smallest_significant.as_ref().is_none_or(|(s, _)| size < *s) {
                            smallest_significant = Some((size, cfg.to_vec()));
                        }
                    }
                }
            });
        }
        let data_text = format!(
            "data: {}; Fisher-Freeman-Halton p = {}, chi-square p = {}",
            groups
                .iter()
                .zip(&data)
                .map(|(&g, p)| format!("{} {}/{}", cb.grouping.levels[g].label, p.successes, p.n))
                .collect::<Vec<_>>()
                .join(", "),
            p_value(p_data),
            chi.as_ref().map_or("undefined".into(), |t| p_value(t.p_value.p))
        );
        let smallest = smallest_significant.map_or(String::new(), |(_, cfg)| {
            format!(
                "; the smallest significant configuration is {}",
                cfg.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(" vs ")
            )
        });
        let skipped = if configurations > MAX_GROUP_CONFIGURATIONS {
            format!(
                "; the {configurations} configurations consistent with the figures are more than the {MAX_GROUP_CONFIGURATIONS} enumerated, so the claim is judged on the data alone"
            )
        } else {
            String::new()
        };
        let summary = format!(
            "{data_text}; over {configs} configurations of group sizes up to {limit} (total at most {total}) consistent with the figures, {significant} are significant at {} (p {} to {}){smallest}{skipped}",
            crate::format::level(1.0 - self.alpha),
            p_value(pmin),
            p_value(pmax)
        );
        let verdict = if configs == 0 {
            if p_data < self.alpha { Verdict::Supported } else { Verdict::NotShown }
        } else if significant == configs {
            Verdict::Supported
        } else if significant == 0 && p_data >= self.alpha {
            Verdict::NotShown
        } else {
            Verdict::DependsOnAssumption
        };
        Ok((verdict, summary, verdict == Verdict::DependsOnAssumption))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisOptions, analyse};
    use crate::data::Response;
    use std::path::Path;

    const CODEBOOK: &str = r#"
id_column = "id"
[study]
id = "t"
title = "t"
source = "t"
[grouping]
column = "g"
levels = [{ id = "a", code = "1", label = "A" }, { id = "b", code = "2", label = "B" }]
[[questions]]
id = "q1"
text = "q1"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
[[questions]]
id = "q2"
text = "q2"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
[[claims]]
id = "majority"
text = "most of a say yes to q1"
kind = "majority"
question = "q1"
option = "1"
groups = ["a"]
threshold = 0.5
[[claims]]
id = "ratio"
text = "a says yes to q1 more than twice as often as b"
kind = "ratio"
question = "q1"
option = "1"
numerator = "a"
denominator = "b"
value = 2.0
relation = "more-than"
[[claims]]
id = "paired"
text = "in a, yes to q1 is more common than yes to q2"
kind = "paired"
question_a = "q1"
option_a = "1"
question_b = "q2"
option_b = "1"
groups = ["a"]
"#;

    /// Verdicts for 100 respondents in each group: `yes_a` of group a and `yes_b` of b
    /// say yes to q1; in a, `both` say yes to both and `q2_only` to q2 only.
    fn verdicts(yes_a: usize, yes_b: usize, both: usize, q2_only: usize) -> Vec<Verdict> {
        let cb = Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap();
        let mut table = CountTable::new(&cb, &cb.paired_questions());
        for i in 0..100 {
            let q1 = if i < yes_a { 0 } else { 1 };
            let q2 = if i < both || (i >= yes_a && i < yes_a + q2_only) { 0 } else { 1 };
            table.add(&Response {
                group: 0,
                weight: 1.0,
                wave: None,
                answers: vec![Some(q1), Some(q2)],
                design: Default::default(),
                row: 0,
                id: 0,
            });
            let q1 = if i < yes_b { 0 } else { 1 };
            table.add(&Response {
                group: 1,
                weight: 1.0,
                wave: None,
                answers: vec![Some(q1), Some(1)],
                design: Default::default(),
                row: 0,
                id: 0,
            });
        }
        let results = analyse(&cb, &table, AnalysisOptions::default());
        judge(&cb, &table, &results, Evidence::DataOnly).into_iter().map(|v| v.verdict).collect()
    }

    #[test]
    fn a_claim_the_data_exclude_is_contradicted_not_just_not_shown() {
        use Verdict::{Contradicted, NotShown, Supported};
        // 90% of a say yes, 20% of b: a majority, 4.5 times as often, and q1 more than q2.
        assert_eq!(verdicts(90, 20, 10, 0), [Supported, Supported, Supported]);
        // 52%: not shown to be a majority, not below half either; 52 vs 30 is 1.7 times,
        // an interval that reaches 2; q1 vs q2 about even.
        assert_eq!(verdicts(52, 30, 40, 10), [NotShown, NotShown, NotShown]);
        // 20% of a: significantly below half; 20 vs 40 is half as often (the interval
        // lies below 2); q2 far more common than q1.
        assert_eq!(verdicts(20, 40, 10, 60), [Contradicted, Contradicted, Contradicted]);
    }

    #[test]
    fn a_group_with_no_answers_cannot_be_judged() {
        let cb = Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap();
        let mut table = CountTable::new(&cb, &cb.paired_questions());
        table.add(&Response {
            group: 1,
            weight: 1.0,
            wave: None,
            answers: vec![Some(0), None],
            design: Default::default(),
            row: 0,
            id: 0,
        });
        let results = analyse(&cb, &table, AnalysisOptions::default());
        let v = judge(&cb, &table, &results, Evidence::DataOnly);
        assert!(v.iter().all(|v| v.verdict == Verdict::CannotBeJudged), "{v:?}");
        assert_eq!(v[0].summary, "A: nobody answered 'q1'");
    }
}
