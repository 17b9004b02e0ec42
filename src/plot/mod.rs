//! Charts of a study's results, as SVG (inline in the HTML report) and PNG.
//!
//! Drawn with plotters without its system-font stack: text is rendered with ab_glyph
//! from an embedded DejaVu Sans (Bitstream Vera licence), so charts need no fontconfig
//! and are byte-for-byte deterministic. Colours are Okabe-Ito; significance and verdicts
//! are shown by shape and text as well as colour.

mod draw;

use crate::analysis::AnalysisResults;
use crate::claims::{ClaimVerdict, Verdict};
use crate::codebook::Codebook;
use crate::consistency::Rounding;
use crate::stats::ci::{CiMethod, proportion_ci};
use crate::stats::{Alternative, Proportion};
use plotters::prelude::*;
use serde::Serialize;
use std::path::Path;

/// A chart could not be drawn or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot draw chart {chart}: {message}")]
pub struct PlotError {
    /// Chart id.
    pub chart: String,
    /// plotters' message.
    pub message: String,
}

/// Okabe-Ito colours.
pub mod palette {
    use plotters::style::RGBColor;
    /// Orange, group 1.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Blue, group 2.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermillion: significant.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Bluish green: supported.
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Sky blue.
    pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Grey: not significant, labels.
    pub const GREY: RGBColor = RGBColor(0x73, 0x73, 0x73);
    /// Light grey: bands.
    pub const LIGHT: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
    /// Series colours in order.
    pub const SERIES: [RGBColor; 5] = [ORANGE, BLUE, GREEN, PURPLE, SKY];
}

/// Registers the embedded font once (plotters keeps a global font registry).
pub fn ensure_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let ok = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        )
        .is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
                .is_ok();
        assert!(ok, "the embedded DejaVu Sans fonts are valid TrueType files");
    });
}

/// One estimate with its interval, in proportions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Estimate.
    pub estimate: f64,
    /// Interval lower bound.
    pub lower: f64,
    /// Interval upper bound.
    pub upper: f64,
    /// Successes.
    pub successes: u64,
    /// Base.
    pub n: u64,
}

/// A row of a dot plot: one label, one point per series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotRow {
    /// Row label.
    pub label: String,
    /// One point per series (None where the series has no answers).
    pub points: Vec<Option<Point>>,
}

/// A row of a difference (forest) plot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    /// Row label.
    pub label: String,
    /// Difference, in proportions.
    pub difference: f64,
    /// Interval lower bound.
    pub lower: f64,
    /// Interval upper bound.
    pub upper: f64,
    /// Adjusted p-value.
    pub p_adjusted: Option<f64>,
    /// Significant after adjustment.
    pub significant: bool,
}

/// What a chart shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChartKind {
    /// Proportions per row and series with interval whiskers.
    Dots {
        /// Series names (with n).
        series: Vec<String>,
        /// Rows, top to bottom.
        rows: Vec<DotRow>,
        /// Axis description.
        x_desc: String,
    },
    /// Differences with intervals and a zero line.
    Differences {
        /// Rows, top to bottom.
        rows: Vec<DiffRow>,
    },
    /// Claims and verdicts.
    Claims {
        /// `(id, verdict, short text)`.
        rows: Vec<(String, Verdict, String)>,
    },
    /// Which group sizes fit the published figures under each rounding scheme.
    Bases {
        /// Smallest size shown.
        from: u64,
        /// Largest size shown.
        to: u64,
        /// The sizes the published phrase allows.
        allowed: (u64, u64),
        /// Per scheme, the sizes that fit.
        schemes: Vec<(Rounding, Vec<u64>)>,
    },
}

/// A chart with its captions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// File stem, e.g. `findings`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Statistical subtitle (method, level, bases).
    pub subtitle: String,
    /// Source and base footer.
    pub footer: String,
    /// Text alternative describing the chart's content.
    pub alt: String,
    /// What to draw.
    pub kind: ChartKind,
}

impl Chart {
    /// Pixel size.
    pub fn size(&self) -> (u32, u32) {
        let rows = match &self.kind {
            ChartKind::Dots { rows, .. } => rows.len(),
            ChartKind::Differences { rows } => rows.len(),
            ChartKind::Claims { rows } => rows.len(),
            ChartKind::Bases { schemes, .. } => schemes.len(),
        };
        let per_row = match &self.kind {
            ChartKind::Claims { .. } => 34,
            ChartKind::Bases { .. } => 40,
            _ => 56,
        };
        (1000, (190 + per_row * rows as u32).max(300))
    }

    /// The chart as drawn: labels longer than fits cut (the tables keep them whole) and
    /// bidirectional formatting characters made visible.
    fn drawable(&self) -> Chart {
        use crate::format::fit;
        let mut c = self.clone();
        c.title = fit(&c.title, 110);
        c.subtitle = fit(&c.subtitle, 150);
        c.footer = fit(&c.footer, 180);
        match &mut c.kind {
            ChartKind::Dots { series, rows, x_desc } => {
                for s in series.iter_mut() {
                    *s = fit(s, 40);
                }
                for r in rows.iter_mut() {
                    r.label = fit(&r.label, 60);
                }
                *x_desc = fit(x_desc, 80);
            }
            ChartKind::Differences { rows } => {
                for r in rows.iter_mut() {
                    r.label = fit(&r.label, 60);
                }
            }
            ChartKind::Claims { rows } => {
                for (id, _, text) in rows.iter_mut() {
                    *id = fit(id, 8);
                    *text = fit(text, 100);
                }
            }
            ChartKind::Bases { .. } => {}
        }
        c
    }

    /// The chart as an SVG document.
    ///
    /// # Errors
    /// [`PlotError`] if plotters fails.
    pub fn svg(&self) -> Result<String, PlotError> {
        ensure_fonts();
        let chart = self.drawable();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, self.size()).into_drawing_area();
            draw::chart(&root, &chart).map_err(|message| self.error(message))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        Ok(out)
    }

    /// Writes the chart as a PNG file.
    ///
    /// # Errors
    /// [`PlotError`] if plotters fails or the file cannot be written.
    pub fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        ensure_fonts();
        let chart = self.drawable();
        let root = BitMapBackend::new(path, self.size()).into_drawing_area();
        draw::chart(&root, &chart).map_err(|message| self.error(message))?;
        root.present().map_err(|e| self.error(e.to_string()))?;
        Ok(())
    }

    fn error(&self, message: String) -> PlotError {
        PlotError { chart: self.id.clone(), message }
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// Marks the rows of a dot chart with a point on fewer than `min_base` respondents
/// with a dagger, explained in the subtitle.
pub fn mark_small_bases(chart: &mut Chart, min_base: u64) {
    let ChartKind::Dots { rows, .. } = &mut chart.kind else { return };
    let mut any = false;
    for r in rows.iter_mut() {
        if r.points.iter().flatten().any(|p| p.n < min_base) {
            r.label.push_str(" \u{2020}");
            any = true;
        }
    }
    if any {
        chart.subtitle.push_str(&format!("; \u{2020} a base below {min_base}"));
    }
}

/// The charts for a study: findings and differences (two groups), group rates (more
/// than two), claims, and base recovery where a group size was published vaguely.
pub fn charts(
    codebook: &Codebook,
    analysis: &AnalysisResults,
    claims: &[ClaimVerdict],
    footer: &str,
) -> Vec<Chart> {
    let levels = &codebook.grouping.levels;
    let level = analysis.options.level;
    let level_text = format!("{:.0}%", 100.0 * level.value());
    let ci_name = analysis.options.ci_method.name();
    let mut out = Vec::new();
    let label_of = |question: &str, option: &str| {
        let Some(q) = codebook.question(question) else { return question.to_string() };
        let Some(o) = q.option_index(option).map(|i| &q.options[i]) else {
            return format!("{question}: {option}");
        };
        let name = q.label.clone().unwrap_or_else(|| short(&q.text));
        match q.kind {
            crate::codebook::QuestionKind::YesNo => name,
            crate::codebook::QuestionKind::SingleChoice => {
                format!("{name}: {}", o.label.to_lowercase())
            }
        }
    };
    let point = |question: &str, option: &str, group: &str| {
        analysis.result(question, option, group).and_then(|r| {
            Some(Point {
                estimate: r.estimate?,
                lower: r.ci_lower?,
                upper: r.ci_upper?,
                successes: r.successes,
                n: r.n,
            })
        })
    };
    // Rows that have data in the groups: every reported option of every question.
    let mut items: Vec<(String, String)> = Vec::new();
    for q in &codebook.questions {
        for (_, o) in q.reported_options() {
            items.push((q.id.clone(), o.code.clone()));
        }
    }
    if levels.len() == 2 {
        let mut rows: Vec<DotRow> = items
            .iter()
            .map(|(q, o)| DotRow {
                label: label_of(q, o),
                points: levels.iter().map(|l| point(q, o, &l.id)).collect(),
            })
            .filter(|r| r.points.iter().all(Option::is_some))
            .collect();
        rows.sort_by(|a, b| {
            let v = |r: &DotRow| r.points[0].as_ref().map_or(0.0, |p| p.estimate);
            v(b).total_cmp(&v(a))
        });
        let series: Vec<String> = levels
            .iter()
            .zip(&analysis.respondents)
            .map(|(l, (_, n))| format!("{} (n = {n})", l.label))
            .collect();
        let alt = format!(
            "Dot plot of the share of {} and {} giving each answer, with {level_text} intervals: {}.",
            levels[0].label.to_lowercase(),
            levels[1].label.to_lowercase(),
            rows.iter()
                .filter_map(|r| {
                    let (Some(Some(p0)), Some(Some(p1))) = (r.points.first(), r.points.get(1))
                    else {
                        return None;
                    };
                    Some(format!(
                        "{}: {} {} ({}-{}), {} {} ({}-{})",
                        r.label,
                        levels[0].label.to_lowercase(),
                        pct(p0.estimate),
                        pct(p0.lower),
                        pct(p0.upper),
                        levels[1].label.to_lowercase(),
                        pct(p1.estimate),
                        pct(p1.lower),
                        pct(p1.upper)
                    ))
                })
                .collect::<Vec<_>>()
                .join("; ")
        );
        out.push(Chart {
            id: "findings".into(),
            title: format!("{} and {}: what they answered", levels[0].label, levels[1].label),
            subtitle: format!(
                "Share of each group, with {level_text} {ci_name} intervals; sorted by {}",
                levels[0].label.to_lowercase()
            ),
            footer: footer.to_string(),
            alt,
            kind: ChartKind::Dots {
                series,
                rows,
                x_desc: format!("Share of {}s answering", codebook.study.unit),
            },
        });
        // Differences, same order.
        let order: Vec<String> = match &out[0].kind {
            ChartKind::Dots { rows, .. } => rows.iter().map(|r| r.label.clone()).collect(),
            _ => unreachable!("just pushed"),
        };
        let mut diffs: Vec<DiffRow> = items
            .iter()
            .filter_map(|(q, o)| {
                let c = analysis.comparison(q, o)?;
                Some(DiffRow {
                    label: label_of(q, o),
                    difference: c.difference,
                    lower: c.ci_lower,
                    upper: c.ci_upper,
                    p_adjusted: c.p_adjusted,
                    significant: c.significant,
                })
            })
            .collect();
        diffs.sort_by_key(|d| order.iter().position(|l| *l == d.label).unwrap_or(usize::MAX));
        let alt = format!(
            "Forest plot of {} minus {} in percentage points with {level_text} intervals; significant after {} adjustment: {}.",
            levels[0].label.to_lowercase(),
            levels[1].label.to_lowercase(),
            analysis.options.adjustment.name(),
            diffs
                .iter()
                .map(|d| format!(
                    "{} {:+.0} points ({:+.0} to {:+.0}){}",
                    d.label,
                    100.0 * d.difference,
                    100.0 * d.lower,
                    100.0 * d.upper,
                    if d.significant { ", significant" } else { ", not significant" }
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        out.push(Chart {
            id: "differences".into(),
            title: format!("{} minus {}, in percentage points", levels[0].label, levels[1].label),
            subtitle: format!(
                "{level_text} {} intervals; filled diamond and * = significant after {} adjustment ({} test)",
                analysis.options.difference_method.name(),
                analysis.options.adjustment.name(),
                analysis.options.test.name()
            ),
            footer: footer.to_string(),
            alt,
            kind: ChartKind::Differences { rows: diffs },
        });
    } else {
        // More than two groups: one chart per question option with a group figure,
        // exact (Clopper-Pearson) intervals.
        for (q, o) in &items {
            let published = codebook.figures.iter().any(|f| {
                f.group != crate::codebook::GroupRef::All
                    && codebook.item_question(f.item).id == *q
                    && codebook.item_option(f.item).code == *o
            });
            if !published {
                continue;
            }
            let mut rows = Vec::new();
            let mut series_points = Vec::new();
            for l in levels {
                let Some(r) = analysis.result(q, o, &l.id) else { continue };
                let Ok(p) = Proportion::new(r.successes, r.n) else { continue };
                let ci = proportion_ci(p, CiMethod::ClopperPearson, level, Alternative::TwoSided);
                let pt = Point {
                    estimate: p.estimate(),
                    lower: ci.lower,
                    upper: ci.upper,
                    successes: r.successes,
                    n: r.n,
                };
                series_points.push((l.label.clone(), pt.clone()));
                rows.push(DotRow {
                    label: format!("{} (n = {})", l.label, r.n),
                    points: vec![Some(pt)],
                });
            }
            let alt = format!(
                "Dot plot of {} by group with exact {level_text} intervals: {}.",
                label_of(q, o).to_lowercase(),
                series_points
                    .iter()
                    .map(|(l, p)| format!(
                        "{l} {}/{} = {} ({}-{})",
                        p.successes,
                        p.n,
                        pct(p.estimate),
                        pct(p.lower),
                        pct(p.upper)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            out.push(Chart {
                id: format!("groups-{q}"),
                title: format!("{} by {}", label_of(q, o), codebook.grouping.column),
                subtitle: format!("Share with exact (Clopper-Pearson) {level_text} intervals"),
                footer: footer.to_string(),
                alt,
                kind: ChartKind::Dots {
                    series: vec![label_of(q, o)],
                    rows,
                    x_desc: format!("Share of {}s", codebook.study.unit),
                },
            });
        }
    }
    if !claims.is_empty() {
        let rows: Vec<(String, Verdict, String)> =
            claims.iter().map(|c| (c.id.clone(), c.verdict, short_claim(&c.text))).collect();
        let alt = format!(
            "Table of the published claims and their verdicts: {}.",
            claims
                .iter()
                .map(|c| format!("{} {}", c.id, c.verdict.name()))
                .collect::<Vec<_>>()
                .join("; ")
        );
        out.push(Chart {
            id: "claims".into(),
            title: "Published claims against the data".into(),
            subtitle: format!("Verdict at the {level_text} level, over every count consistent with the published figures"),
            footer: footer.to_string(),
            alt,
            kind: ChartKind::Claims { rows },
        });
    }
    for b in &analysis.base_recovery {
        let from = b.fits.iter().map(|f| f.n).min().unwrap_or(b.allowed.0);
        let to = b.fits.iter().map(|f| f.n).max().unwrap_or(b.allowed.1);
        let schemes: Vec<(Rounding, Vec<u64>)> = Rounding::ALL
            .iter()
            .map(|&r| {
                (r, b.fits.iter().filter(|f| f.rounding == r && f.fits).map(|f| f.n).collect())
            })
            .collect();
        let alt = format!(
            "Grid of {} group sizes from {from} to {to} against six rounding schemes, marking the sizes at which every published {} figure is reachable on one base: {}. The phrase \"{}\" allows {} to {}.",
            b.group,
            b.group,
            schemes
                .iter()
                .map(|(r, ns)| format!(
                    "{} {}",
                    r.name(),
                    if ns.is_empty() {
                        "none".into()
                    } else {
                        ns.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    }
                ))
                .collect::<Vec<_>>()
                .join("; "),
            b.phrase,
            b.allowed.0,
            b.allowed.1
        );
        out.push(Chart {
            id: format!("bases-{}", b.group),
            title: format!("Which numbers of {} fit the published figures?", b.group),
            subtitle: format!(
                "Filled square: all of the group's figures reachable on one base; band: \"{}\" ({}-{})",
                b.phrase, b.allowed.0, b.allowed.1
            ),
            footer: footer.to_string(),
            alt,
            kind: ChartKind::Bases { from, to, allowed: b.allowed, schemes },
        });
    }
    for chart in &mut out {
        mark_small_bases(chart, analysis.options.min_base);
    }
    out
}

/// A question text shortened for an axis label.
fn short(text: &str) -> String {
    let t = text.trim_end_matches('?');
    if t.chars().count() <= 58 {
        return t.to_string();
    }
    let cut: String = t.chars().take(55).collect();
    format!("{}...", cut.trim_end())
}

fn short_claim(text: &str) -> String {
    if text.chars().count() <= 100 {
        return text.to_string();
    }
    let cut: String = text.chars().take(97).collect();
    format!("{}...", cut.trim_end())
}
