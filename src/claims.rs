//! Judging published claims against the data and against every count the published
//! figures allow.
//!
//! Each claim gets one of four verdicts, with the numbers behind it:
//! - **supported**: the data support it at the analysis level (95% by default), and so
//!   does every count combination consistent with the published figures;
//! - **not supported**: neither the data nor any consistent counts support it at that
//!   level (or the figures hold arithmetically but the uncertainty does not exclude the
//!   opposite);
//! - **cannot be reproduced**: no count combination consistent with the published
//!   figures gives the claimed number;
//! - **depends on an assumption**: some consistent counts (or joint answers, or group
//!   sizes) support it and others do not.
//!
//! "Consistent counts" are taken at the data's own bases: for a reconstruction these
//! are the reconstructed bases, for a new wave its real ones.

use crate::analysis::{AnalysisResults, option_counts};
use crate::codebook::{ClaimKind, Codebook};
use crate::consistency::{Figure, counts, ratio_range};
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
    /// Not supported at the analysis level.
    NotSupported,
    /// The claimed number cannot come from any counts consistent with the figures.
    CannotBeReproduced,
    /// Supported under some consistent counts or joint answers and not others.
    DependsOnAssumption,
}

impl Verdict {
    /// Kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not supported",
            Verdict::CannotBeReproduced => "cannot be reproduced",
            Verdict::DependsOnAssumption => "depends on an assumption",
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

fn figure_for(codebook: &Codebook, question: &str, option: &str, group: &str) -> Option<Figure> {
    codebook
        .figures
        .iter()
        .find(|f| f.question == question && f.option == option && f.group == group)
        .map(|f| f.printed.parse().expect("validated"))
}

fn fmt_p(p: f64) -> String {
    if p < 1e-4 { format!("{p:.2e}") } else { format!("{p:.4}") }
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
    let alpha = 1.0 - results.options.level.value();
    let level_pct = format!("{}%", (results.options.level.value() * 100.0).round());
    codebook
        .claims
        .iter()
        .map(|c| {
            let (verdict, summary, depends_on_reconstruction) = match &c.kind {
                ClaimKind::Majority { question, option, groups, threshold, check_difference } => {
                    judge_majority(
                        codebook,
                        table,
                        question,
                        option,
                        groups,
                        *threshold,
                        *check_difference,
                        alpha,
                    )
                }
                ClaimKind::Ratio { question, option, numerator, denominator, value, relation } => {
                    judge_ratio(
                        codebook,
                        table,
                        results,
                        question,
                        option,
                        numerator,
                        denominator,
                        *value,
                        relation,
                        &level_pct,
                    )
                }
                ClaimKind::Paired { question_a, option_a, question_b, option_b, groups } => {
                    judge_paired(
                        codebook,
                        table,
                        question_a,
                        option_a,
                        question_b,
                        option_b,
                        groups,
                        alpha,
                        evidence == Evidence::DataAndPublishedFigures,
                    )
                }
                ClaimKind::Differ { items } => judge_differ(codebook, table, results, items, alpha),
                ClaimKind::GroupsDiffer { question, option, groups } => {
                    judge_groups_differ(codebook, table, question, option, groups, alpha)
                }
            };
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

fn indices(codebook: &Codebook, question: &str, option: &str) -> (usize, usize) {
    let qi = codebook.question_index(question).expect("claim names a known question");
    let oi = codebook.questions[qi].option_index(option).expect("claim names a known option");
    (qi, oi)
}

fn group_index(codebook: &Codebook, group: &str) -> Option<usize> {
    if group == "all" {
        None
    } else {
        Some(codebook.level_index(group).expect("claim names a known group"))
    }
}

/// Status of a condition over the data and the consistent counts.
fn status(data: bool, consistent: &[bool]) -> (bool, bool) {
    let all = consistent.iter().all(|&b| b) && data;
    let none = consistent.iter().all(|&b| !b) && !data;
    (all, none)
}

#[allow(clippy::too_many_arguments)]
fn judge_majority(
    codebook: &Codebook,
    table: &CountTable,
    question: &str,
    option: &str,
    groups: &[String],
    threshold: f64,
    check_difference: bool,
    alpha: f64,
) -> (Verdict, String, bool) {
    let (qi, oi) = indices(codebook, question, option);
    let mut parts = Vec::new();
    let (mut all_robust, mut any_robust_fail, mut depends) = (true, false, false);
    let mut per_group = Vec::new();
    for gid in groups {
        let g = group_index(codebook, gid);
        let (k, n) = option_counts(table, qi, oi, g);
        let test = |k: u64| {
            binomial_exact_test(
                Proportion::new(k, n).expect("k <= n"),
                threshold,
                Alternative::Greater,
            )
            .expect("threshold in (0, 1)")
            .p_value
            .p
        };
        let p = test(k);
        let consistent: Vec<u64> = figure_for(codebook, question, option, gid)
            .and_then(|f| counts(&f, n, codebook.rounding()))
            .map(|r| r.collect())
            .unwrap_or_default();
        let ps: Vec<f64> = consistent.iter().map(|&k| test(k)).collect();
        let (all, none) = status(p < alpha, &ps.iter().map(|&p| p < alpha).collect::<Vec<_>>());
        all_robust &= all;
        any_robust_fail |= none;
        depends |= !all && !none;
        let range = if ps.len() > 1 {
            format!(
                " (p {}-{} over the {} counts consistent with the figure)",
                fmt_p(ps.iter().copied().fold(f64::INFINITY, f64::min)),
                fmt_p(ps.iter().copied().fold(0.0, f64::max)),
                ps.len()
            )
        } else {
            String::new()
        };
        parts.push(format!(
            "{gid}: {k}/{n} = {:.1}%, exact binomial test of > {:.0}%: p = {}{range}",
            100.0 * k as f64 / n as f64,
            100.0 * threshold,
            fmt_p(p)
        ));
        per_group.push((k, n));
    }
    if check_difference && per_group.len() == 2 {
        let g = TwoGroups::new(per_group[0].0, per_group[0].1, per_group[1].0, per_group[1].1)
            .expect("valid counts");
        let p = fisher_exact(&g, Alternative::TwoSided).p_value.p;
        parts.push(format!(
            "the gap between the groups ({:+.1} points) is {}significant (Fisher p = {})",
            100.0 * g.difference(),
            if p < alpha { "" } else { "not " },
            fmt_p(p)
        ));
    }
    let verdict = if all_robust {
        Verdict::Supported
    } else if any_robust_fail {
        Verdict::NotSupported
    } else {
        Verdict::DependsOnAssumption
    };
    (verdict, parts.join("; "), depends)
}

#[allow(clippy::too_many_arguments)]
fn judge_ratio(
    codebook: &Codebook,
    table: &CountTable,
    results: &AnalysisResults,
    question: &str,
    option: &str,
    numerator: &str,
    denominator: &str,
    value: f64,
    relation: &str,
    level_pct: &str,
) -> (Verdict, String, bool) {
    let (qi, oi) = indices(codebook, question, option);
    let (k1, n1) = option_counts(table, qi, oi, group_index(codebook, numerator));
    let (k2, n2) = option_counts(table, qi, oi, group_index(codebook, denominator));
    let g = TwoGroups::new(k1, n1, k2, n2).expect("valid counts");
    let ci =
        risk_ratio_ci(&g, RiskRatioMethod::Koopman, results.options.level, Alternative::TwoSided);
    let ratio = if k2 == 0 { f64::INFINITY } else { g.first.estimate() / g.second.estimate() };
    let fa = figure_for(codebook, question, option, numerator);
    let fb = figure_for(codebook, question, option, denominator);
    let range = match (&fa, &fb) {
        (Some(a), Some(b)) => ratio_range((a, n1), (b, n2), codebook.rounding()),
        _ => None,
    };
    let ci_text = match &ci {
        Ok(i) => format!(
            "{level_pct} Koopman interval {:.2} to {}",
            i.lower,
            if i.upper.is_finite() { format!("{:.2}", i.upper) } else { "infinity".into() }
        ),
        Err(e) => format!("interval undefined ({e})"),
    };
    let data_text = format!("data: {k1}/{n1} vs {k2}/{n2}, ratio {ratio:.2}, {ci_text}");
    let range_text = range.map(|r| {
        format!(
            "counts consistent with {} and {} give ratios {:.2} to {:.2}{}",
            fa.as_ref().expect("some").text,
            fb.as_ref().expect("some").text,
            r.min,
            r.max,
            if r.unbounded { " (or infinite, with no denominator cases)" } else { "" }
        )
    });
    match relation {
        "about" => {
            // Reproduced if some consistent pair rounds to the claimed value.
            let reproducible = match (&fa, &fb) {
                (Some(a), Some(b)) => {
                    let ka: Vec<u64> =
                        counts(a, n1, codebook.rounding()).map(|r| r.collect()).unwrap_or_default();
                    let kb: Vec<u64> =
                        counts(b, n2, codebook.rounding()).map(|r| r.collect()).unwrap_or_default();
                    ka.iter().any(|&x| {
                        kb.iter().any(|&y| {
                            y > 0
                                && (((x as f64 / n1 as f64) / (y as f64 / n2 as f64)) - value).abs()
                                    < 0.5
                        })
                    })
                }
                _ => (ratio - value).abs() < 0.5,
            };
            let printed = match (&fa, &fb) {
                (Some(a), Some(b)) => format!(
                    "; the printed figures give {:.0} / {:.0} = {:.0}, and exactly {value} would need {} to print as {:.1}%",
                    100.0 * a.value(),
                    100.0 * b.value(),
                    a.value() / b.value(),
                    denominator,
                    100.0 * a.value() / value
                ),
                _ => String::new(),
            };
            let summary = format!(
                "claimed {value}x; {}{}; {data_text}",
                range_text.unwrap_or_else(|| "no published figures to check".into()),
                printed
            );
            if fa.is_none() || fb.is_none() {
                // Real data: the claimed factor must lie inside the interval.
                let inside = ci.as_ref().is_ok_and(|i| i.contains(value));
                (if inside { Verdict::Supported } else { Verdict::NotSupported }, summary, false)
            } else if reproducible {
                (Verdict::Supported, summary, true)
            } else {
                (Verdict::CannotBeReproduced, summary, false)
            }
        }
        _ => {
            let arithmetic_all = range.is_some_and(|r| r.min > value) && ratio > value;
            let arithmetic_none =
                range.map_or(ratio <= value, |r| r.max <= value && !r.unbounded) && ratio <= value;
            let statistical = ci.is_ok_and(|i| i.lower > value);
            let summary = format!(
                "claimed more than {value}x; {}; {data_text}; the interval {} {value}",
                range_text.unwrap_or_else(|| "no published figures to check".into()),
                if statistical { "excludes" } else { "does not exclude" }
            );
            let verdict = if arithmetic_all && statistical {
                Verdict::Supported
            } else if arithmetic_none || (arithmetic_all && !statistical) {
                Verdict::NotSupported
            } else {
                Verdict::DependsOnAssumption
            };
            (verdict, summary, !arithmetic_all && !arithmetic_none)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_paired(
    codebook: &Codebook,
    table: &CountTable,
    question_a: &str,
    option_a: &str,
    question_b: &str,
    option_b: &str,
    groups: &[String],
    alpha: f64,
    frechet: bool,
) -> (Verdict, String, bool) {
    let (qa, oa) = indices(codebook, question_a, option_a);
    let (qb, ob) = indices(codebook, question_b, option_b);
    let pair = table
        .pairs
        .iter()
        .find(|p| p.a == qa && p.b == qb)
        .expect("the count table keeps the pairs of every paired claim");
    debug_assert!(oa == 0 && ob == 0, "paired claims compare the first (yes) options");
    let mut parts = Vec::new();
    let (mut all_robust, mut any_fail, mut depends) = (true, false, false);
    for gid in groups {
        let g = codebook.level_index(gid).expect("known group");
        let j = |a: usize, b: usize| pair.joint[[g, a, b]];
        let t = PairedTable { both: j(1, 1), a_only: j(1, 0), b_only: j(0, 1), neither: j(0, 0) };
        let p = mcnemar_exact(&t, Alternative::Greater).p_value.p;
        let n = t.n();
        let (a, b) = (t.both + t.a_only, t.both + t.b_only);
        let tables = if frechet { tables_with_margins(a, b, n) } else { vec![t] };
        let ps: Vec<f64> =
            tables.iter().map(|t| mcnemar_exact(t, Alternative::Greater).p_value.p).collect();
        let max = ps.iter().copied().fold(0.0, f64::max);
        let min = ps.iter().copied().fold(f64::INFINITY, f64::min);
        let (all, none) = status(p < alpha, &ps.iter().map(|&p| p < alpha).collect::<Vec<_>>());
        all_robust &= all;
        any_fail |= none;
        depends |= !all && !none;
        parts.push(format!(
            "{gid}: {a}/{n} vs {b}/{n} answering both, exact McNemar p = {} on the reconstructed joint answers, {} to {} over all {} joint tables with these margins",
            fmt_p(p),
            fmt_p(min),
            fmt_p(max),
            ps.len()
        ));
    }
    let verdict = if all_robust {
        Verdict::Supported
    } else if any_fail {
        Verdict::NotSupported
    } else {
        Verdict::DependsOnAssumption
    };
    (verdict, parts.join("; "), depends)
}

fn judge_differ(
    codebook: &Codebook,
    table: &CountTable,
    results: &AnalysisResults,
    items: &[String],
    alpha: f64,
) -> (Verdict, String, bool) {
    let levels = &codebook.grouping.levels;
    let mut significant = Vec::new();
    let mut not = Vec::new();
    let mut depends = false;
    let mut robust_fail = false;
    for item in items {
        let (question, option) = item.split_once(':').expect("question:option");
        let row = results.comparison(question, option).expect("compared item");
        let label = codebook
            .figures
            .iter()
            .find(|f| f.question == question && f.option == option)
            .map_or(item.clone(), |f| f.label.clone());
        let p_adj = row.p_adjusted.unwrap_or(1.0);
        // Raw p over the counts consistent with both groups' figures.
        let (qi, oi) = indices(codebook, question, option);
        let (_, n1) = option_counts(table, qi, oi, Some(0));
        let (_, n2) = option_counts(table, qi, oi, Some(1));
        let ka = figure_for(codebook, question, option, &levels[0].id)
            .and_then(|f| counts(&f, n1, codebook.rounding()));
        let kb = figure_for(codebook, question, option, &levels[1].id)
            .and_then(|f| counts(&f, n2, codebook.rounding()));
        let mut range = (f64::INFINITY, 0.0f64);
        if let (Some(ka), Some(kb)) = (ka, kb) {
            for x in ka {
                for y in kb.clone() {
                    let g = TwoGroups::new(x, n1, y, n2).expect("valid");
                    let p = fisher_exact(&g, Alternative::TwoSided).p_value.p;
                    range = (range.0.min(p), range.1.max(p));
                }
            }
        }
        let text = format!("{label} (adjusted p = {})", fmt_p(p_adj));
        if p_adj < alpha {
            significant.push(text);
            if range.1 >= alpha {
                depends = true;
            }
        } else {
            if range.0 >= alpha || range.0.is_infinite() {
                robust_fail = true;
            } else {
                depends = true;
            }
            not.push(format!(
                "{text}, raw p {} to {} over consistent counts",
                fmt_p(range.0),
                fmt_p(range.1)
            ));
        }
    }
    let verdict = if !not.is_empty() {
        if robust_fail { Verdict::NotSupported } else { Verdict::DependsOnAssumption }
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
        results.options.adjustment.name(),
        list(&significant, ", "),
        list(&not, "; ")
    );
    (verdict, summary, depends)
}

fn judge_groups_differ(
    codebook: &Codebook,
    table: &CountTable,
    question: &str,
    option: &str,
    groups: &[String],
    alpha: f64,
) -> (Verdict, String, bool) {
    let (qi, oi) = indices(codebook, question, option);
    let data: Vec<Proportion> = groups
        .iter()
        .map(|g| {
            let (k, n) = option_counts(table, qi, oi, group_index(codebook, g));
            Proportion::new(k, n).expect("answered")
        })
        .collect();
    let exact = fisher_freeman_halton(&data);
    let chi = chi_square(&data);
    let p_data = exact.as_ref().map(|t| t.p_value.p).unwrap_or(1.0);
    // Every configuration of group sizes (up to the reconstructed total) and counts
    // consistent with the published figures.
    let figures: Vec<Option<Figure>> =
        groups.iter().map(|g| figure_for(codebook, question, option, g)).collect();
    let limit: u64 = table.total().min(25);
    let options_per_group: Vec<Vec<(u64, u64)>> = figures
        .iter()
        .map(|f| match f {
            Some(f) => (1..=limit)
                .flat_map(|n| {
                    counts(f, n, codebook.rounding())
                        .into_iter()
                        .flat_map(move |r| r.map(move |k| (k, n)))
                })
                .collect(),
            None => vec![],
        })
        .collect();
    let total = table.total();
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
    if options_per_group.iter().all(|s| !s.is_empty()) {
        walk(0, &options_per_group, &mut stack, total, &mut |cfg| {
            let props: Vec<Proportion> =
                cfg.iter().map(|&(k, n)| Proportion::new(k, n).expect("valid")).collect();
            if let Ok(t) = fisher_freeman_halton(&props) {
                configs += 1;
                let p = t.p_value.p;
                pmin = pmin.min(p);
                pmax = pmax.max(p);
                if p < alpha {
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
            .map(|(g, p)| format!("{g} {}/{}", p.successes, p.n))
            .collect::<Vec<_>>()
            .join(", "),
        fmt_p(p_data),
        chi.as_ref().map_or("undefined".into(), |t| fmt_p(t.p_value.p))
    );
    let smallest = smallest_significant.map_or(String::new(), |(_, cfg)| {
        format!(
            "; the smallest significant configuration is {}",
            cfg.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(" vs ")
        )
    });
    let summary = format!(
        "{data_text}; over {configs} configurations of group sizes up to {limit} (total at most {total}) consistent with the figures, {significant} are significant at {:.0}% (p {} to {}){smallest}",
        100.0 * (1.0 - alpha),
        fmt_p(pmin),
        fmt_p(pmax)
    );
    let verdict = if configs == 0 {
        if p_data < alpha { Verdict::Supported } else { Verdict::NotSupported }
    } else if significant == configs {
        Verdict::Supported
    } else if significant == 0 && p_data >= alpha {
        Verdict::NotSupported
    } else {
        Verdict::DependsOnAssumption
    };
    (verdict, summary, verdict == Verdict::DependsOnAssumption)
}
