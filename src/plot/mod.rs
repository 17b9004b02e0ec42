//! Charts of a study's results, as SVG (inline in the HTML report) and PNG.
//!
//! Drawn with plotters without its system-font stack: text is rendered with ab_glyph
//! from an embedded DejaVu Sans (Bitstream Vera licence), so charts need no fontconfig
//! and are byte-for-byte deterministic. Colours are Okabe-Ito; significance and verdicts
//! are shown by shape and text as well as colour.

mod draw;
pub mod waves;

use crate::analysis::AnalysisResults;
use crate::claims::{ClaimVerdict, Verdict};
use crate::codebook::{Codebook, QuestionKind};
use crate::consistency::Rounding;
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
    /// The series colours darkened for text on white (contrast of 4.5:1 or more).
    pub const SERIES_TEXT: [RGBColor; 5] = [
        RGBColor(0x9A, 0x5A, 0x00),
        RGBColor(0x00, 0x5A, 0x8C),
        RGBColor(0x00, 0x6E, 0x50),
        RGBColor(0x9C, 0x3C, 0x78),
        RGBColor(0x1F, 0x6E, 0x9E),
    ];
}

/// Panels per row of small multiples, and the height of each.
pub const PANEL_COLUMNS: usize = 3;
/// Height in pixels of one panel of small multiples.
pub const PANEL_HEIGHT: u32 = 230;

/// Registers the embedded font once (plotters keeps a global font registry). On
/// WebAssembly plotters draws text with the browser's fonts and has no registry: the
/// page built from this library (`web/`) draws no charts with plotters.
#[cfg(target_arch = "wasm32")]
pub fn ensure_fonts() {}

/// Registers the embedded font once (plotters keeps a global font registry).
#[cfg(not(target_arch = "wasm32"))]
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
    /// Drawn after the value label: the significance letters of a group (more than two
    /// groups).
    pub note: Option<String>,
}

/// One group's share in one wave, in a panel of small multiples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WavePoint {
    /// Share.
    pub estimate: f64,
    /// Interval lower bound.
    pub lower: f64,
    /// Interval upper bound.
    pub upper: f64,
    /// Base.
    pub n: u64,
    /// The change since the previous wave is significant after adjustment.
    pub significant: bool,
}

/// One panel of small multiples: one answer across the waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panel {
    /// The answer.
    pub title: String,
    /// Per series (group), per wave.
    pub lines: Vec<Vec<Option<WavePoint>>>,
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
    /// Small multiples across waves: one panel per answer, one line per group.
    Panels {
        /// Wave labels, in order.
        waves: Vec<String>,
        /// Series (group) names.
        series: Vec<String>,
        /// The panels.
        panels: Vec<Panel>,
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
        if let ChartKind::Panels { panels, .. } = &self.kind {
            let rows = panels.len().div_ceil(PANEL_COLUMNS) as u32;
            return (1000, 78 + 40 + 36 + PANEL_HEIGHT * rows.max(1));
        }
        let rows = match &self.kind {
            ChartKind::Dots { rows, .. } => rows.len(),
            ChartKind::Differences { rows } => rows.len(),
            ChartKind::Claims { rows } => rows.len(),
            ChartKind::Bases { schemes, .. } => schemes.len(),
            ChartKind::Panels { panels, .. } => panels.len(),
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
        use crate::format::{fit, fit_answer};
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
                    r.label = fit_answer(&r.label, 60);
                }
                *x_desc = fit(x_desc, 80);
            }
            ChartKind::Differences { rows } => {
                for r in rows.iter_mut() {
                    r.label = fit_answer(&r.label, 60);
                }
            }
            ChartKind::Claims { rows } => {
                for (id, _, text) in rows.iter_mut() {
                    *id = fit(id, 8);
                    *text = fit(text, 100);
                }
            }
            ChartKind::Panels { series, panels, .. } => {
                for s in series.iter_mut() {
                    *s = fit(s, 30);
                }
                for p in panels.iter_mut() {
                    p.title = fit_answer(&p.title, 44);
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
    #[cfg(target_arch = "wasm32")]
    pub fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        Err(self.error(format!("{}: no files are written on WebAssembly", path.display())))
    }

    /// Writes the chart as a PNG file.
    ///
    /// # Errors
    /// [`PlotError`] if plotters fails or the file cannot be written.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn write_png(&self, path: &Path) -> Result<(), PlotError> {
        let bytes = self.png()?;
        std::fs::write(path, bytes).map_err(|e| self.error(format!("{}: {e}", path.display())))
    }

    /// The chart as a PNG image: 8-bit RGB, drawn into memory and encoded with the png
    /// crate (adaptive filters, default compression).
    ///
    /// # Errors
    /// [`PlotError`] if plotters or the encoder fails.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        ensure_fonts();
        let chart = self.drawable();
        let (width, height) = self.size();
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
            draw::chart(&root, &chart).map_err(|message| self.error(message))?;
            root.present().map_err(|e| self.error(e.to_string()))?;
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let encoded = encoder.write_header().and_then(|mut writer| {
            writer.write_image_data(&pixels)?;
            writer.finish()
        });
        encoded.map_err(|e| self.error(e.to_string()))?;
        Ok(out)
    }

    fn error(&self, message: String) -> PlotError {
        PlotError { chart: self.id.clone(), message }
    }
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

/// A series name with the range of the bases of its points (`Recruiters (n = 53-55)`),
/// so the legend does not claim more respondents than a row rests on.
fn series_name(label: &str, rows: &[DotRow], s: usize) -> String {
    let ns: Vec<u64> = rows.iter().filter_map(|r| r.points.get(s)?.as_ref().map(|p| p.n)).collect();
    match (ns.iter().min(), ns.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{label} (n = {lo})"),
        (Some(lo), Some(hi)) => format!("{label} (n = {lo}-{hi})"),
        _ => label.to_string(),
    }
}

/// A dot chart of `rows` for the groups, with series named after their bases; groups
/// with no answer in any row are left out and named in the subtitle.
#[allow(clippy::too_many_arguments)]
fn dot_chart(
    id: String,
    title: String,
    subtitle: String,
    footer: &str,
    labels: &[String],
    mut rows: Vec<DotRow>,
    x_desc: String,
    suppress_below: Option<u64>,
) -> Chart {
    let empty: Vec<usize> = (0..labels.len())
        .filter(|&s| rows.iter().all(|r| r.points.get(s).is_none_or(Option::is_none)))
        .collect();
    let keep: Vec<usize> = (0..labels.len()).filter(|s| !empty.contains(s)).collect();
    for r in &mut rows {
        r.points = keep.iter().map(|&s| r.points.get(s).cloned().flatten()).collect();
    }
    let series: Vec<String> =
        keep.iter().enumerate().map(|(j, &s)| series_name(&labels[s], &rows, j)).collect();
    let mut subtitle = subtitle;
    if !empty.is_empty() {
        let names = empty.iter().map(|&s| labels[s].as_str()).collect::<Vec<_>>().join(", ");
        subtitle.push_str(&match suppress_below {
            Some(t) => format!("; not shown: {names} (fewer than {t} answering, or none)"),
            None => format!("; no answers from {names}"),
        });
    }
    let alt = format!(
        "Dot plot of the share giving each answer, by group, with intervals: {}.",
        rows.iter()
            .map(|r| format!(
                "{}: {}",
                r.label,
                series
                    .iter()
                    .zip(&r.points)
                    .map(|(s, p)| match p {
                        Some(p) => format!(
                            "{s} {} ({}-{})",
                            crate::format::share_rounded(p.estimate),
                            crate::format::share_rounded(p.lower),
                            crate::format::share_rounded(p.upper)
                        ),
                        None => format!("{s} no answers"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Chart {
        id,
        title,
        subtitle,
        footer: footer.to_string(),
        alt,
        kind: ChartKind::Dots { series, rows, x_desc },
    }
}

/// The charts for one data set, for any number of groups:
/// - `findings`: every yes/no question, one row each, one point per group;
/// - `answers-<question>`: each single-choice question, one row per answer;
/// - `differences` (two groups): every answer's difference with its interval;
/// - with more than two groups, each point carries its significance letters;
/// - `claims` when the codebook has claims, `bases-<group>` for a published size.
pub fn charts(
    codebook: &Codebook,
    analysis: &AnalysisResults,
    claims: &[ClaimVerdict],
    footer: &str,
) -> Vec<Chart> {
    let levels = &codebook.grouping.levels;
    let o = &analysis.options;
    let level_text = crate::format::level(o.level.value());
    let ci_name = o.ci_method.display_name();
    let labels: Vec<String> = levels.iter().map(|l| l.label.clone()).collect();
    let letters_of = |q: &str, opt: &str| -> Option<Vec<(String, String, String)>> {
        let g = analysis.group_tests.iter().find(|g| g.question == q && g.option == opt)?;
        Some(
            g.groups
                .iter()
                .zip(&g.group_letters)
                .zip(&g.letters)
                .map(|((id, own), higher)| (id.clone(), own.clone(), higher.clone()))
                .collect(),
        )
    };
    let point = |q: &str, opt: &str, group: usize| {
        let gid = &levels[group].id;
        let r = analysis.result(q, opt, gid)?;
        let note = (levels.len() > 2).then(|| {
            let letters = letters_of(q, opt)?;
            let (_, own, higher) = letters.into_iter().find(|(g, _, _)| g == gid)?;
            Some(if higher.is_empty() { own } else { format!("{own}: >{higher}") })
        });
        Some(Point {
            estimate: r.estimate?,
            lower: r.ci_lower?,
            upper: r.ci_upper?,
            successes: r.successes,
            n: r.n,
            note: note.flatten(),
        })
    };
    let letters_note = if levels.len() > 2 {
        format!(
            "; \"B: >A\": B is significantly above A ({} test, {}-adjusted)",
            o.test.display_name(),
            o.adjustment.display_name()
        )
    } else {
        String::new()
    };
    let mut out = Vec::new();
    let unit = &codebook.study.unit;
    // Yes/no questions together, in questionnaire order.
    let yes_no: Vec<DotRow> = codebook
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::YesNo)
        .map(|q| {
            let code = &q.options[0].code;
            DotRow {
                label: q.label.clone().unwrap_or_else(|| short(&q.text)),
                points: (0..levels.len()).map(|g| point(&q.id, code, g)).collect(),
            }
        })
        .filter(|r| r.points.iter().any(Option::is_some))
        .collect();
    if !yes_no.is_empty() {
        out.push(dot_chart(
            "findings".into(),
            format!("Who answered yes, by {}", codebook.grouping.column.replace('_', " ")),
            format!("Share of each group answering yes, with {level_text} {ci_name} intervals{letters_note}"),
            footer,
            &labels,
            yes_no,
            format!("Share of {unit}s answering yes"),
            analysis.options.suppress_below,
        ));
    }
    for q in codebook.questions.iter().filter(|q| q.kind == QuestionKind::SingleChoice) {
        let rows: Vec<DotRow> = q
            .options
            .iter()
            .map(|opt| DotRow {
                label: opt.label.clone(),
                points: (0..levels.len()).map(|g| point(&q.id, &opt.code, g)).collect(),
            })
            .filter(|r| r.points.iter().any(Option::is_some))
            .collect();
        if rows.is_empty() {
            continue;
        }
        out.push(dot_chart(
            format!("answers-{}", q.id),
            q.label.clone().unwrap_or_else(|| short(&q.text)),
            format!("Share of each group giving each answer, with {level_text} {ci_name} intervals{letters_note}"),
            footer,
            &labels,
            rows,
            format!("Share of {unit}s"),
            analysis.options.suppress_below,
        ));
    }
    if levels.len() == 2 {
        let mut diffs: Vec<DiffRow> = Vec::new();
        for q in &codebook.questions {
            for (_, opt) in q.reported_options() {
                let Some(c) = analysis.comparison(&q.id, &opt.code) else { continue };
                let name = q.label.clone().unwrap_or_else(|| short(&q.text));
                diffs.push(DiffRow {
                    label: match q.kind {
                        QuestionKind::YesNo => name,
                        QuestionKind::SingleChoice => {
                            format!("{name}: {}", opt.label.to_lowercase())
                        }
                    },
                    difference: c.difference,
                    lower: c.ci_lower,
                    upper: c.ci_upper,
                    p_adjusted: c.p_adjusted,
                    significant: c.significant,
                });
            }
        }
        if !diffs.is_empty() {
            let alt = format!(
                "Forest plot of {} minus {} in percentage points with {level_text} intervals; significant after {} adjustment: {}.",
                levels[0].label.to_lowercase(),
                levels[1].label.to_lowercase(),
                o.adjustment.display_name(),
                diffs
                    .iter()
                    .map(|d| format!(
                        "{} {} ({}){}",
                        d.label,
                        crate::format::points(d.difference),
                        crate::format::points_interval(d.lower, d.upper),
                        if d.significant { ", significant" } else { ", not significant" }
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            out.push(Chart {
                id: "differences".into(),
                title: format!("{} minus {}, in percentage points", levels[0].label, levels[1].label),
                subtitle: format!(
                    "{level_text} {} intervals; diamond and * = significant after {} adjustment ({} test)",
                    o.difference_method.display_name(),
                    o.adjustment.display_name(),
                    o.test.display_name()
                ),
                footer: footer.to_string(),
                alt,
                kind: ChartKind::Differences { rows: diffs },
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
            subtitle: format!("Verdict at the {level_text} level, over every count consistent with the published figures (and every joint table and group size they allow)"),
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
            title: format!("Which numbers of {} fit the published figures?", codebook.level(&b.group).map_or(b.group.as_str(), |l| l.label.as_str()).to_lowercase()),
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

/// A claim's wording cut at a word boundary to fit the claims chart (the table keeps
/// it whole).
fn short_claim(text: &str) -> String {
    if text.chars().count() <= 100 {
        return text.to_string();
    }
    let cut: String = text.chars().take(97).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > 60 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}...", cut.trim_end_matches([',', ';', ':', ' ']))
}
