//! Key findings in words: which groups differ, on which question and answer, by how
//! much; what changed between waves; the claims' verdicts. The report's "Key findings"
//! section and the terminal summary both print these.

use super::Report;
use crate::analysis::AnalysisResults;
use crate::analysis::waves::WavesResults;
use crate::codebook::{Codebook, Question};
use crate::format::{
    level as level_text, p_value, p_value_or_undefined, points, points_interval, share,
};

/// The key findings of a report, most important first: what the data say
/// ([`data_findings`]), then each claim with its wording and verdict, and how many
/// published figures the data reproduce.
pub fn findings(r: &Report) -> Vec<String> {
    let mut out = data_findings(r);
    for c in &r.claims {
        out.push(format!("Claim {} (\"{}\"): {}.", c.id, c.text, c.verdict.name()));
    }
    if let Some(a) = r.analysis.as_ref().filter(|a| !a.figures.is_empty()) {
        out.push(format!(
            "{} of {} published figures are reproduced by the data after rounding.",
            a.figures.iter().filter(|f| f.reproduced).count(),
            a.figures.len()
        ));
    }
    out
}

/// What the data say, in words: the largest significant differences between groups,
/// the answers on which several groups differ, the significant changes between waves
/// and trends.
pub fn data_findings(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &r.analysis {
        out.extend(study_findings(&r.codebook, a));
    }
    if let Some(w) = &r.waves {
        out.extend(wave_findings(&r.codebook, w));
    }
    out
}

/// How a finding names an answer: `"Accept invitations from strangers: Yes"`.
fn answer(q: &Question, option_label: &str) -> String {
    format!("\"{}: {option_label}\"", q.display_label())
}

/// At most this many findings of one kind are listed; the rest are counted.
pub const MAX_LISTED: usize = 5;

/// Key findings of one data set, in words.
fn study_findings(cb: &Codebook, a: &AnalysisResults) -> Vec<String> {
    let o = &a.options;
    let level = level_text(o.level.value());
    let mut findings = Vec::new();
    let mut sorted: Vec<_> = a.comparisons.iter().filter(|c| c.significant).collect();
    sorted.sort_by(|x, y| y.difference.abs().total_cmp(&x.difference.abs()));
    for c in sorted.iter().take(MAX_LISTED) {
        let Some(q) = cb.question(&c.question) else { continue };
        findings.push(format!(
            "{} is {} common among {} than among {}: {} vs {}, a difference of {} ({level} interval {}; adjusted p = {}).",
            answer(q, &c.option_label),
            if c.difference > 0.0 { "more" } else { "less" },
            c.group_a_label,
            c.group_b_label,
            share(c.estimate_a),
            share(c.estimate_b),
            points(c.difference),
            points_interval(c.ci_lower, c.ci_upper),
            p_value_or_undefined(c.p_adjusted)
        ));
    }
    let not_sig = a.comparisons.iter().filter(|c| !c.significant).count();
    if not_sig > 0 {
        findings.push(format!(
            "{not_sig} of {} group comparisons are not significant after {} adjustment.",
            a.comparisons.len(),
            o.adjustment.display_name()
        ));
    }
    // Answers on which the groups differ (the exact test across every group, adjusted
    // over the answers tested, as the comparisons are), the strongest evidence first.
    let alpha = 1.0 - o.level.value();
    let (tested_rows, raw): (Vec<&crate::analysis::GroupTestRow>, Vec<f64>) =
        a.group_tests.iter().filter_map(|g| Some((g, g.exact_p_value?))).unzip();
    let adjusted = crate::stats::multiplicity::adjust(&raw, o.adjustment).unwrap_or(raw);
    let mut differing: Vec<(&crate::analysis::GroupTestRow, f64)> =
        tested_rows.into_iter().zip(adjusted).filter(|(_, p)| *p < alpha).collect();
    differing.sort_by(|x, y| x.1.total_cmp(&y.1));
    for (g, p) in differing.iter().take(MAX_LISTED) {
        let Some(q) = cb.question(&g.question) else { continue };
        findings.push(format!(
            "{} differs across the groups (exact p = {}, {} adjusted): {}.",
            answer(q, &g.option_label),
            p_value(*p),
            o.adjustment.display_name(),
            g.group_labels
                .iter()
                .zip(&g.counts)
                .map(|(l, (k, n))| format!("{l} {}", share(*k as f64 / *n as f64)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let tested = a.group_tests.iter().filter(|g| g.exact_p_value.is_some()).count();
    if differing.len() > MAX_LISTED {
        findings.push(format!(
            "{} more answers differ across the groups (see the tests across all groups).",
            differing.len() - MAX_LISTED
        ));
    }
    if tested > differing.len() {
        findings.push(format!(
            "{} of {tested} answers do not differ significantly across the groups.",
            tested - differing.len()
        ));
    }
    if findings.is_empty() {
        findings.push("Nothing to compare: the data hold no pair of groups with answers to the same question.".into());
    }
    findings
}

/// Key findings of several waves, in words.
fn wave_findings(cb: &Codebook, w: &WavesResults) -> Vec<String> {
    let o = &w.options;
    let mut findings = Vec::new();
    let mut sorted: Vec<_> = w.rows.iter().filter(|r| r.significant).collect();
    sorted.sort_by(|x, y| y.change.unwrap_or(0.0).abs().total_cmp(&x.change.unwrap_or(0.0).abs()));
    for r in sorted.iter().take(MAX_LISTED) {
        let (Some(q), Some(c), Some(lo), Some(hi)) =
            (cb.question(&r.question), r.change, r.change_lower, r.change_upper)
        else {
            continue;
        };
        findings.push(format!(
            "{} among {} went {} by {} to {} in {} ({} interval {}; adjusted p = {}).",
            answer(q, &r.option_label),
            r.group_label,
            if c > 0.0 { "up" } else { "down" },
            points(c.abs()).trim_start_matches('+'),
            share(r.estimate),
            crate::format::wave(&r.wave),
            level_text(o.level.value()),
            points_interval(lo, hi),
            p_value_or_undefined(r.change_p_adjusted)
        ));
    }
    let changes = w.rows.iter().filter(|r| r.change_p_value.is_some()).count();
    findings.push(format!(
        "{} of {changes} changes since the previous wave are significant after {} adjustment.",
        w.rows.iter().filter(|r| r.significant).count(),
        o.adjustment.display_name()
    ));
    for t in w.trends.iter().filter(|t| t.significant) {
        if let Some(q) = cb.question(&t.question) {
            findings.push(format!(
                "{} among {} follows a trend across the waves (adjusted p = {}).",
                answer(q, &t.option_label),
                t.group_label,
                p_value_or_undefined(t.p_adjusted)
            ));
        }
    }
    if !w.weighted_rows.is_empty() {
        findings.push(format!(
            "Weighted: {} of {} changes are significant after {} adjustment.",
            w.weighted_rows.iter().filter(|r| r.significant).count(),
            w.weighted_rows.iter().filter(|r| r.change_p_value.is_some()).count(),
            o.adjustment.display_name()
        ));
    }
    findings
}
