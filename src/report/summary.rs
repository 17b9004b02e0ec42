//! The terminal summary of a report (also `summary.txt`).

use super::Report;
use crate::analysis::AnalysisResults;
use crate::analysis::waves::WavesResults;
use crate::data::LoadSummary;
use crate::format::{fit, level, p_value, points_interval};
use std::fmt::Write as _;

/// The summary: title, what was read, warnings, then the analysis or the waves, then
/// the claims.
pub(super) fn summary(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", r.title, r.study);
    if let Some(a) = &r.analysis {
        load_lines(&mut out, &r.load, a, r);
        analysis_lines(&mut out, a, r);
        let findings = super::findings::data_findings(r);
        if !findings.is_empty() {
            let _ = writeln!(out, "  Key findings:");
            for f in findings {
                let _ = writeln!(out, "    - {f}");
            }
        }
        figure_lines(&mut out, a);
    }
    if let Some(w) = &r.waves {
        waves_lines(&mut out, w);
    }
    if !r.claims.is_empty() {
        let _ = writeln!(out, "  Claims:");
        for c in &r.claims {
            let _ = writeln!(out, "    {:<6} {:<24} {}", c.id, c.verdict.name(), fit(&c.text, 60));
        }
    }
    out
}

fn load_lines(out: &mut String, load: &LoadSummary, a: &AnalysisResults, r: &Report) {
    let sizes: Vec<String> = a
        .respondents
        .iter()
        .zip(&r.codebook.grouping.levels)
        .map(|((_, n), level)| format!("{} {n}", level.label))
        .collect();
    let _ = writeln!(
        out,
        "  {} rows read, {} used ({})",
        load.rows_read,
        load.rows_used,
        sizes.join(", ")
    );
    for (reason, n) in &load.excluded {
        let _ = writeln!(out, "  excluded {n}: {reason}");
    }
    if !load.ignored_columns.is_empty() {
        let _ = writeln!(
            out,
            "  ignored: {} column(s) the codebook does not use: {}",
            load.ignored_columns.len(),
            crate::format::name_list(&load.ignored_columns, 20)
        );
    }
    for w in &load.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    if let Some(rec) = &r.reconstruction {
        let _ =
            writeln!(out, "  data: reconstructed from the published figures (seed {})", rec.seed);
    }
}

fn analysis_lines(out: &mut String, a: &AnalysisResults, r: &Report) {
    if !a.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "  not shown: {} cells of groups below a base of {} (listed in the report)",
            a.suppressed.len(),
            a.options.suppress_below.unwrap_or(0)
        );
    }
    for ((g, _), group) in a.respondents.iter().zip(&r.codebook.grouping.levels) {
        let rows: Vec<&crate::analysis::WeightedRow> =
            a.weighted.iter().filter(|w| &w.group == g).collect();
        if rows.is_empty() {
            continue;
        }
        let range = |f: fn(&crate::analysis::WeightedRow) -> f64| {
            let v: Vec<f64> = rows.iter().map(|w| f(w)).collect();
            (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(0.0, f64::max))
        };
        let span = |(lo, hi): (f64, f64), digits: usize| {
            let (a, b) = (format!("{lo:.digits$}"), format!("{hi:.digits$}"));
            if a == b { a } else { format!("{a} to {b}") }
        };
        let _ = writeln!(
            out,
            "  weighted, {}: Kish design effect {}, effective n {} (per question)",
            group.label,
            span(range(|w| w.deff_kish), 3),
            span(range(|w| w.effective_n), 1)
        );
    }
    for m in &a.multi_response_tests {
        if let Some(t) = &m.test {
            let _ = writeln!(
                out,
                "  {}: the answers {} the groups (multiple marginal independence, Rao-Scott p = {}, Bonferroni p = {})",
                m.question_label,
                if m.significant { "differ across" } else { "do not differ significantly across" },
                crate::format::p_value(t.rao_scott_p),
                crate::format::p_value(t.bonferroni_p)
            );
        }
    }
}

/// The published figures against the data, and the bases recovered from them.
fn figure_lines(out: &mut String, a: &AnalysisResults) {
    if !a.figures.is_empty() {
        let _ = writeln!(out, "  Published figures:");
        for f in &a.figures {
            let _ = writeln!(
                out,
                "    {:<4} {:<16} {:<48} {:>5}  data {:>4}/{:<4} = {:>6}  {}",
                f.label,
                fit(&f.group_label, 16),
                fit(&format!("{}: {}", f.question_label, f.option_label), 48),
                f.printed,
                f.successes,
                f.n,
                f.estimate.map_or("-".into(), crate::format::share),
                if f.reproduced { "reproduced" } else { "NOT reproduced" }
            );
        }
    }
    for b in &a.base_recovery {
        let fitting = |r: crate::consistency::Rounding| {
            let ns: Vec<String> = b
                .fits
                .iter()
                .filter(|f| f.rounding == r && f.fits)
                .map(|f| f.n.to_string())
                .collect();
            if ns.is_empty() { "none".to_string() } else { ns.join(", ") }
        };
        let _ = writeln!(
            out,
            "  \"{}\" {} ({}..={}): one base fits at n = {} (half-up), {} (ceiling)",
            b.phrase,
            b.group_label,
            b.allowed.0,
            b.allowed.1,
            fitting(crate::consistency::Rounding::HalfUp),
            fitting(crate::consistency::Rounding::Ceiling)
        );
    }
}

/// A significant change: question, answer, group and wave; change, interval, p-values.
fn change_line(
    out: &mut String,
    key: [&str; 4],
    values: [f64; 3],
    p: Option<f64>,
    adjusted: Option<f64>,
) {
    let [question, option, group, wave] = key;
    let [change, lower, upper] = values;
    let _ = writeln!(
        out,
        "  {question}: {option}, {group}, {}: {} since the previous wave ({}, p = {}, adjusted {})",
        crate::format::wave(wave),
        crate::format::points(change),
        points_interval(lower, upper),
        p.map_or("-".into(), p_value),
        adjusted.map_or("-".into(), p_value),
    );
}

fn waves_lines(out: &mut String, w: &WavesResults) {
    let _ = writeln!(
        out,
        "  {} waves ({})",
        w.waves.len(),
        w.waves
            .iter()
            .map(|x| format!("{} n = {}", crate::format::wave(&x.label), x.table.total()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for x in &w.waves {
        for (reason, n) in &x.load.excluded {
            let _ =
                writeln!(out, "  {}: {n} rows excluded: {reason}", crate::format::wave(&x.label));
        }
        for warning in &x.load.warnings {
            let _ = writeln!(out, "  {}: warning: {warning}", crate::format::wave(&x.label));
        }
    }
    let adjustment = w.options.adjustment.display_name();
    let any = w.rows.iter().any(|r| r.significant) || w.trends.iter().any(|t| t.significant);
    let _ = writeln!(
        out,
        "  {} after {adjustment} adjustment at {}{}",
        if any { "significant" } else { "no change or trend significant" },
        level(w.options.level.value()),
        if any { ":" } else { "" }
    );
    for r in w.rows.iter().filter(|r| r.significant) {
        if let (Some(c), Some(l), Some(u)) = (r.change, r.change_lower, r.change_upper) {
            change_line(
                out,
                [&r.question_label, &r.option_label, &r.group_label, &r.wave],
                [c, l, u],
                r.change_p_value,
                r.change_p_adjusted,
            );
        }
    }
    for t in w.trends.iter().filter(|t| t.significant) {
        let _ = writeln!(
            out,
            "  trend in {}: {}, {}: p = {}, adjusted {}",
            t.question_label,
            t.option_label,
            t.group_label,
            t.p_value.map_or("-".into(), p_value),
            t.p_adjusted.map_or("-".into(), p_value)
        );
    }
    let _ = writeln!(
        out,
        "  gap changes significant: {} of {}",
        w.gaps.iter().filter(|g| g.significant).count(),
        w.gaps.len()
    );
    if w.weighted_rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "  weighted (waves as strata of one design):");
    for r in w.weighted_rows.iter().filter(|r| r.significant) {
        if let (Some(c), Some(l), Some(u)) = (r.change, r.change_lower, r.change_upper) {
            change_line(
                out,
                [&r.question_label, &r.option_label, &r.group_label, &r.wave],
                [c, l, u],
                r.change_p_value,
                r.change_p_adjusted,
            );
        }
    }
    for t in w.weighted_trends.iter().filter(|t| t.significant) {
        let _ = writeln!(
            out,
            "  trend in {}: {}, {}: log odds {:+.3} per wave, p = {}, adjusted {}",
            t.question_label,
            t.option_label,
            t.group_label,
            t.slope.unwrap_or(0.0),
            t.p_value.map_or("-".into(), p_value),
            t.p_adjusted.map_or("-".into(), p_value)
        );
    }
    let _ = writeln!(
        out,
        "  weighted gap changes significant: {} of {}",
        w.weighted_gaps.iter().filter(|g| g.significant).count(),
        w.weighted_gaps.len()
    );
}
