//! Writing a study's results: tidy CSV files, one JSON document with the same content,
//! and a short terminal summary.
//!
//! Files are written through [`output::ReportDir`]: into a staging folder beside the
//! target, swapped into place only when all of them are complete, so a failed or
//! interrupted run never leaves a half-written report (and an earlier report survives).

pub mod escape;
pub mod html;
pub mod output;

use crate::analysis::AnalysisResults;
use crate::claims::ClaimVerdict;
use crate::codebook::Codebook;
use crate::data::LoadSummary;
use crate::plot::{Chart, PlotError, charts};
use crate::reconstruct::Reconstruction;
use output::{OutputError, ReportDir};
use serde::Serialize;
use std::fmt::Write as _;

/// A problem writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or folder could not be written, or writing there was refused.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The HTML template failed (a bug).
    #[error("rendering the HTML report: {0}")]
    Template(String),
}

/// Which outputs a report writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// results.csv, comparisons.csv, figures.csv, claims.csv, consistency.csv, ...
    pub csv: bool,
    /// results.json
    pub json: bool,
    /// report.html (with inline SVG charts)
    pub html: bool,
    /// report.md
    pub md: bool,
    /// charts/*.png
    pub png: bool,
    /// charts/*.svg
    pub svg: bool,
}

impl Formats {
    /// Every output.
    pub const ALL: Formats =
        Formats { csv: true, json: true, html: true, md: true, png: true, svg: true };

    /// Parses a comma-separated list (`csv,json,html,md,png,svg` or `all`).
    ///
    /// # Errors
    /// The unknown name.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f =
            Formats { csv: false, json: false, html: false, md: false, png: false, svg: false };
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "all" => f = Formats::ALL,
                "csv" => f.csv = true,
                "json" => f.json = true,
                "html" => f.html = true,
                "md" => f.md = true,
                "png" => f.png = true,
                "svg" => f.svg = true,
                other => {
                    return Err(format!(
                        "unknown format '{other}' (expected csv, json, html, md, png, svg or all)"
                    ));
                }
            }
        }
        Ok(f)
    }
}

/// Everything a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct StudyReport {
    /// Study id.
    pub study: String,
    /// Study title.
    pub title: String,
    /// Software version.
    pub version: String,
    /// The load summary (rows read, used, excluded).
    pub load: LoadSummary,
    /// The analysis.
    pub analysis: AnalysisResults,
    /// Claim verdicts.
    pub claims: Vec<ClaimVerdict>,
    /// The reconstruction the data came from, when they are reconstructed.
    pub reconstruction: Option<Reconstruction>,
    /// The codebook the data were read with.
    #[serde(skip)]
    pub codebook: Codebook,
}

/// A number for a CSV cell: empty when undefined or not finite (never "NaN").
fn opt(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite()).map_or(String::new(), |v| format!("{v}"))
}

/// As [`opt`] for a number that should exist.
fn num(v: f64) -> String {
    opt(Some(v))
}

/// A CSV document built by `f` through the one CSV writer ([`escape::CsvText`]).
fn csv_text<F: FnMut(&mut escape::CsvText) -> csv::Result<()>>(mut f: F) -> String {
    let mut w = escape::CsvText::new();
    // Records written to memory cannot fail.
    let _ = f(&mut w);
    w.finish()
}

impl StudyReport {
    /// `results.csv`: one row per question x option x group.
    pub fn results_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "option",
                "option_label",
                "group",
                "successes",
                "n",
                "missing",
                "estimate",
                "ci_lower",
                "ci_upper",
                "method",
                "confidence_level",
                "small_base",
            ])?;
            for r in &self.analysis.results {
                w.record([
                    r.question.clone(),
                    r.option.clone(),
                    r.option_label.clone(),
                    r.group.clone(),
                    r.successes.to_string(),
                    r.n.to_string(),
                    r.missing.to_string(),
                    opt(r.estimate),
                    opt(r.ci_lower),
                    opt(r.ci_upper),
                    r.method.clone(),
                    r.confidence_level.to_string(),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `comparisons.csv`: one row per question option and pair of groups.
    pub fn comparisons_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "option",
                "option_label",
                "group_a",
                "group_b",
                "estimate_a",
                "estimate_b",
                "difference",
                "ci_lower",
                "ci_upper",
                "ci_method",
                "test",
                "p_value",
                "log10_p_value",
                "p_adjusted",
                "adjustment",
                "significant",
                "note",
                "small_base",
            ])?;
            for r in &self.analysis.comparisons {
                w.record([
                    r.question.clone(),
                    r.option.clone(),
                    r.option_label.clone(),
                    r.group_a.clone(),
                    r.group_b.clone(),
                    num(r.estimate_a),
                    num(r.estimate_b),
                    num(r.difference),
                    num(r.ci_lower),
                    num(r.ci_upper),
                    r.ci_method.clone(),
                    r.test.clone(),
                    opt(r.p_value),
                    opt(r.log10_p_value),
                    opt(r.p_adjusted),
                    r.adjustment.clone(),
                    r.significant.to_string(),
                    r.note.clone(),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `group_tests.csv`: k-group tests (studies with more than two groups).
    pub fn group_tests_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "option",
                "groups",
                "counts",
                "chi2",
                "chi2_p_value",
                "exact_p_value",
                "rao_scott_p_value",
                "letters",
                "note",
                "small_base",
            ])?;
            for r in &self.analysis.group_tests {
                w.record([
                    r.question.clone(),
                    r.option.clone(),
                    r.groups.join(" "),
                    r.counts.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(" "),
                    opt(r.chi2),
                    opt(r.chi2_p_value),
                    opt(r.exact_p_value),
                    opt(r.rao_scott_p_value),
                    r.letters
                        .iter()
                        .map(|l| if l.is_empty() { "-".to_string() } else { l.clone() })
                        .collect::<Vec<_>>()
                        .join(" "),
                    r.note.clone(),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `consistency.csv`: each pair of published group figures, over every count
    /// combination consistent with them.
    pub fn consistency_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "figure",
                "question",
                "option",
                "printed_a",
                "n_a",
                "printed_b",
                "n_b",
                "combinations",
                "difference_min",
                "difference_max",
                "ci_lower_min",
                "ci_upper_max",
                "p_value_min",
                "p_value_max",
                "ci_method",
                "test",
            ])?;
            for c in &self.analysis.figure_comparisons {
                let r = c.range.as_ref();
                let f = |v: Option<f64>| opt(v.filter(|x| x.is_finite()));
                w.record([
                    c.label.clone(),
                    c.question.clone(),
                    c.option.clone(),
                    c.first.0.clone(),
                    c.first.1.to_string(),
                    c.second.0.clone(),
                    c.second.1.to_string(),
                    r.map_or(0, |r| r.combinations).to_string(),
                    f(r.map(|r| r.difference.0)),
                    f(r.map(|r| r.difference.1)),
                    f(r.map(|r| r.interval.0)),
                    f(r.map(|r| r.interval.1)),
                    f(r.map(|r| r.p_value.0)),
                    f(r.map(|r| r.p_value.1)),
                    self.analysis.options.difference_method.name().to_string(),
                    self.analysis.options.test.name().to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `bases.csv`: for groups with a published approximate size, which sizes fit.
    pub fn bases_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "group",
                "phrase",
                "rounding",
                "n",
                "allowed_by_phrase",
                "fits_one_base",
                "missing_answers_needed",
            ])?;
            for b in &self.analysis.base_recovery {
                for f in &b.fits {
                    w.record([
                        b.group.clone(),
                        b.phrase.clone(),
                        f.rounding.name().to_string(),
                        f.n.to_string(),
                        (b.allowed.0 <= f.n && f.n <= b.allowed.1).to_string(),
                        f.fits.to_string(),
                        f.missing_needed.map_or(String::new(), |m| m.to_string()),
                    ])?;
                }
            }
            Ok(())
        })
    }

    /// `question_tests.csv`: each single-choice question, all answers x groups.
    pub fn question_tests_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "table",
                "chi2",
                "chi2_p_value",
                "exact_p_value",
                "rao_scott_p_value",
                "note",
                "small_base",
            ])?;
            for r in &self.analysis.question_tests {
                let table: Vec<String> = r
                    .table
                    .iter()
                    .map(|row| row.iter().map(u64::to_string).collect::<Vec<_>>().join(" "))
                    .collect();
                w.record([
                    r.question.clone(),
                    table.join(" | "),
                    opt(r.chi2),
                    opt(r.chi2_p_value),
                    opt(r.exact_p_value),
                    opt(r.rao_scott_p_value),
                    r.note.clone(),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `weighted.csv`: weighted shares per question option and group, with design
    /// effects and effective sample sizes (studies with a weight column).
    pub fn weighted_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "option",
                "group",
                "n",
                "effective_n",
                "deff_kish",
                "deff_replace",
                "estimate",
                "se",
                "ci_lower",
                "ci_upper",
                "ci_method",
                "boundary",
                "small_base",
            ])?;
            for r in &self.analysis.weighted {
                w.record([
                    r.question.clone(),
                    r.option.clone(),
                    r.group.clone(),
                    r.n.to_string(),
                    num(r.effective_n),
                    num(r.deff_kish),
                    opt(r.deff_replace),
                    num(r.estimate),
                    num(r.se),
                    num(r.ci_lower),
                    num(r.ci_upper),
                    r.ci_method.clone(),
                    r.boundary.to_string(),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `weighted_comparisons.csv`: weighted group 1 minus group 2.
    pub fn weighted_comparisons_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "question",
                "option",
                "difference",
                "se",
                "wald_t_lower",
                "wald_t_upper",
                "newcombe_effective_lower",
                "newcombe_effective_upper",
                "p_value",
                "rao_scott_p_value",
                "small_base",
            ])?;
            for r in &self.analysis.weighted_comparisons {
                w.record([
                    r.question.clone(),
                    r.option.clone(),
                    num(r.difference),
                    num(r.se),
                    num(r.wald_lower),
                    num(r.wald_upper),
                    num(r.newcombe_effective_lower),
                    num(r.newcombe_effective_upper),
                    num(r.p_value),
                    opt(r.rao_scott_p_value),
                    r.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `figures.csv`: each published figure against the data.
    pub fn figures_csv(&self) -> String {
        csv_text(|w| {
            w.record([
                "id",
                "figure",
                "question",
                "option",
                "group",
                "printed",
                "successes",
                "n",
                "estimate",
                "reproduced",
                "consistent_counts",
                "small_base",
            ])?;
            for f in &self.analysis.figures {
                w.record([
                    f.id.clone(),
                    f.label.clone(),
                    f.question.clone(),
                    f.option.clone(),
                    f.group.clone(),
                    f.printed.clone(),
                    f.successes.to_string(),
                    f.n.to_string(),
                    opt(f.estimate),
                    f.reproduced.to_string(),
                    f.consistent_counts.iter().map(u64::to_string).collect::<Vec<_>>().join(" "),
                    f.small_base.to_string(),
                ])?;
            }
            Ok(())
        })
    }

    /// `claims.csv`: each claim's verdict.
    pub fn claims_csv(&self) -> String {
        csv_text(|w| {
            w.record(["id", "claim", "verdict", "depends_on_reconstruction", "summary"])?;
            for c in &self.claims {
                w.record([
                    c.id.clone(),
                    c.text.clone(),
                    c.verdict.name().to_string(),
                    c.depends_on_reconstruction.to_string(),
                    c.summary.clone(),
                ])?;
            }
            Ok(())
        })
    }

    /// `results.json`: the whole report.
    pub fn json(&self) -> String {
        // Plain data: serialising it cannot fail, and non-finite numbers become null.
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        escape::visible_bidi(&text).into_owned() + "\n"
    }

    /// The terminal summary: figures reproduced and claim verdicts at a glance.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", self.title, self.study);
        let sizes: Vec<String> =
            self.analysis.respondents.iter().map(|(g, n)| format!("{g} {n}")).collect();
        let _ = writeln!(
            out,
            "  {} rows read, {} used ({})",
            self.load.rows_read,
            self.load.rows_used,
            sizes.join(", ")
        );
        for (reason, n) in &self.load.excluded {
            let _ = writeln!(out, "  excluded {n}: {reason}");
        }
        for w in &self.load.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
        if !self.analysis.suppressed.is_empty() {
            let _ = writeln!(
                out,
                "  not shown: {} cells of groups below a base of {} (listed in the report)",
                self.analysis.suppressed.len(),
                self.analysis.options.suppress_below.unwrap_or(0)
            );
        }
        if let Some(r) = &self.reconstruction {
            let _ =
                writeln!(out, "  data: reconstructed from the published figures (seed {})", r.seed);
        }
        for (g, _) in &self.analysis.respondents {
            let rows: Vec<&crate::analysis::WeightedRow> =
                self.analysis.weighted.iter().filter(|w| &w.group == g).collect();
            if rows.is_empty() {
                continue;
            }
            let range = |f: fn(&crate::analysis::WeightedRow) -> f64| {
                let v: Vec<f64> = rows.iter().map(|w| f(w)).collect();
                (
                    v.iter().copied().fold(f64::INFINITY, f64::min),
                    v.iter().copied().fold(0.0, f64::max),
                )
            };
            let (d0, d1) = range(|w| w.deff_kish);
            let (e0, e1) = range(|w| w.effective_n);
            let _ = writeln!(
                out,
                "  weighted {g}: Kish design effect {d0:.3} to {d1:.3}, effective n {e0:.1} to {e1:.1} (per question)"
            );
        }
        if !self.analysis.figures.is_empty() {
            let _ = writeln!(out, "  Published figures:");
            for f in &self.analysis.figures {
                let _ = writeln!(
                    out,
                    "    {:<4} {:<16} {:<26} {:>5}  data {:>4}/{:<4} = {:>6}  {}",
                    f.label,
                    f.group,
                    format!("{}={}", f.question, f.option),
                    f.printed,
                    f.successes,
                    f.n,
                    f.estimate.map_or("-".into(), |e| format!("{:.1}%", 100.0 * e)),
                    if f.reproduced { "reproduced" } else { "NOT reproduced" }
                );
            }
        }
        for b in &self.analysis.base_recovery {
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
                b.group,
                b.allowed.0,
                b.allowed.1,
                fitting(crate::consistency::Rounding::HalfUp),
                fitting(crate::consistency::Rounding::Ceiling)
            );
        }
        if !self.claims.is_empty() {
            let _ = writeln!(out, "  Claims:");
            for c in &self.claims {
                let _ = writeln!(out, "    {:<6} {}", c.id, c.verdict.name());
            }
        }
        escape::visible_bidi(&out).into_owned()
    }

    /// The footer every chart carries: source, base and seed.
    pub fn chart_footer(&self) -> String {
        let bases: Vec<String> =
            self.analysis.respondents.iter().map(|(g, n)| format!("{g} {n}")).collect();
        let data = match &self.reconstruction {
            Some(r) => format!("reconstructed respondent data (seed {})", r.seed),
            None => format!("respondent data from {}", self.load.file),
        };
        format!("Source: {} ({}); base: {}", self.codebook.study.id, data, bases.join(", "))
    }

    /// The study's charts.
    pub fn charts(&self) -> Vec<Chart> {
        charts(&self.codebook, &self.analysis, &self.claims, &self.chart_footer())
    }

    /// Writes the report to `target` (a new or empty folder, or an earlier report) and
    /// swaps it into place: [`StudyReport::write`] into a fresh [`ReportDir`], then its
    /// commit.
    ///
    /// # Errors
    /// [`ReportError`] naming the file.
    pub fn save(&self, target: &std::path::Path, formats: Formats) -> Result<(), ReportError> {
        let mut dir = ReportDir::create(target, &[], false)?;
        self.write(&mut dir, formats)?;
        Ok(dir.commit()?)
    }

    /// Writes every requested file into a report folder being staged (see
    /// [`output::ReportDir`]); the caller commits it.
    ///
    /// # Errors
    /// [`ReportError`] naming the file.
    pub fn write(&self, dir: &mut ReportDir, formats: Formats) -> Result<(), ReportError> {
        let mut files: Vec<(String, String)> = Vec::new();
        if formats.csv {
            files.push(("results.csv".into(), self.results_csv()));
            files.push(("comparisons.csv".into(), self.comparisons_csv()));
            files.push(("figures.csv".into(), self.figures_csv()));
            files.push(("claims.csv".into(), self.claims_csv()));
            if !self.analysis.group_tests.is_empty() {
                files.push(("group_tests.csv".into(), self.group_tests_csv()));
            }
            if !self.analysis.figure_comparisons.is_empty() {
                files.push(("consistency.csv".into(), self.consistency_csv()));
            }
            if !self.analysis.base_recovery.is_empty() {
                files.push(("bases.csv".into(), self.bases_csv()));
            }
            if !self.analysis.question_tests.is_empty() {
                files.push(("question_tests.csv".into(), self.question_tests_csv()));
            }
            if !self.analysis.weighted.is_empty() {
                files.push(("weighted.csv".into(), self.weighted_csv()));
                files.push(("weighted_comparisons.csv".into(), self.weighted_comparisons_csv()));
            }
        }
        if formats.json {
            files.push(("results.json".into(), self.json()));
        }
        files.push(("summary.txt".into(), self.summary()));
        let charts = if formats.html || formats.md || formats.png || formats.svg {
            self.charts()
        } else {
            Vec::new()
        };
        let mut svgs = Vec::new();
        for c in &charts {
            svgs.push((c.clone(), c.svg()?));
        }
        if formats.svg {
            for (c, svg) in &svgs {
                files.push((format!("charts/{}.svg", c.id), svg.clone()));
            }
        }
        if formats.html {
            let page =
                html::render(self, &svgs).map_err(|e| ReportError::Template(format!("{e:#}")))?;
            files.push(("report.html".into(), page));
        }
        if formats.md {
            files.push(("report.md".into(), html::markdown(self, &charts)));
        }
        for (name, text) in &files {
            dir.write(name, text.as_bytes())?;
        }
        if formats.png {
            for c in &charts {
                dir.write_with(&format!("charts/{}.png", c.id), |path| c.write_png(path))?;
            }
        }
        Ok(())
    }
}
