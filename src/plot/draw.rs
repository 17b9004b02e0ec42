//! The drawing code, generic over the plotters backend (SVG or bitmap).

use super::palette::{BLUE, GREEN, GREY, LIGHT, ORANGE, SERIES, SERIES_TEXT, VERMILLION};
use super::{Chart, ChartKind, DiffRow, DotRow, PANEL_COLUMNS, Panel};
use crate::claims::Verdict;
use crate::consistency::Rounding;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Res = Result<(), String>;

fn e<T: std::fmt::Display>(err: T) -> String {
    err.to_string()
}

const FONT: &str = "sans-serif";

/// Draws the chart's title block and footer, then its body.
pub(super) fn chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> Res {
    root.fill(&WHITE).map_err(e)?;
    let (_, h) = root.dim_in_pixel();
    let (head, rest) = root.split_vertically(78);
    let (body, foot) = rest.split_vertically(h.saturating_sub(78 + 40));
    head.draw(&Text::new(
        c.title.clone(),
        (20, 14),
        (FONT, 24).into_font().style(FontStyle::Bold).color(&BLACK),
    ))
    .map_err(e)?;
    head.draw(&Text::new(c.subtitle.clone(), (20, 48), (FONT, 15).into_font().color(&GREY)))
        .map_err(e)?;
    foot.draw(&Text::new(c.footer.clone(), (20, 12), (FONT, 13).into_font().color(&GREY)))
        .map_err(e)?;
    match &c.kind {
        ChartKind::Dots { series, rows, x_desc } => dots(&body, series, rows, x_desc),
        ChartKind::Differences { rows } => differences(&body, rows),
        ChartKind::Claims { rows } => claims(&body, rows),
        ChartKind::Bases { from, to, allowed, schemes } => {
            bases(&body, *from, *to, *allowed, schemes)
        }
        ChartKind::Panels { waves, series, panels } => {
            small_multiples(&body, waves, series, panels)
        }
    }
}

fn row_label(labels: &[String], y: f64) -> String {
    let i = y.round();
    if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

/// The first corner (lower right, upper right, lower left, upper left) where the legend
/// of `k` series covers no whisker or value label, judged on the rows it spans; `None`
/// when every corner would cover data (the legend then goes in a strip above the plot).
fn legend_corner(rows: &[DotRow], k: usize, row_px: f64) -> Option<SeriesLabelPosition> {
    // The legend box: about 24 px per series plus padding, 30% of the width.
    let spanned = (((24 * k + 16) as f64) / row_px.max(1.0)).ceil() as usize;
    let spanned = spanned.clamp(1, rows.len().max(1));
    let extent = |r: &DotRow| {
        r.points.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            // The value label takes about 7 points of the axis right of the whisker.
            (lo.min(100.0 * p.lower), hi.max(100.0 * p.upper + 7.0))
        })
    };
    let top = &rows[..spanned.min(rows.len())];
    let bottom = &rows[rows.len().saturating_sub(spanned)..];
    let clear_right = |rs: &[DotRow]| rs.iter().all(|r| extent(r).1 < 70.0);
    let clear_left = |rs: &[DotRow]| rs.iter().all(|r| extent(r).0 > 30.0);
    if clear_right(bottom) {
        Some(SeriesLabelPosition::LowerRight)
    } else if clear_right(top) {
        Some(SeriesLabelPosition::UpperRight)
    } else if clear_left(bottom) {
        Some(SeriesLabelPosition::LowerLeft)
    } else if clear_left(top) {
        Some(SeriesLabelPosition::UpperLeft)
    } else {
        None
    }
}

/// Height of the legend strip drawn above a plot.
const LEGEND_STRIP: u32 = 36;

/// A legend as one line of coloured markers and names, left to right (above a plot
/// whose corners all hold data, and above small multiples).
fn legend_strip<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, series: &[String]) -> Res {
    let mut x = 20;
    for (s, name) in series.iter().enumerate() {
        let color = SERIES[s % SERIES.len()];
        area.draw(&Circle::new((x + 6, 16), 6, color.filled())).map_err(e)?;
        area.draw(&Text::new(name.clone(), (x + 18, 8), (FONT, 14).into_font().color(&BLACK)))
            .map_err(e)?;
        x += 34 + 8 * name.chars().count() as i32;
    }
    Ok(())
}

fn dots<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[String],
    rows: &[DotRow],
    x_desc: &str,
) -> Res {
    let n = rows.len();
    let k = series.len();
    let row_px = f64::from(area.dim_in_pixel().1) / n.max(1) as f64;
    let corner = if k > 1 { legend_corner(rows, k, row_px) } else { None };
    let area = if k > 1 && corner.is_none() {
        let (strip, rest) = area.split_vertically(LEGEND_STRIP);
        legend_strip(&strip, series)?;
        rest
    } else {
        area.clone()
    };
    // Row 0 at the top: y index runs n-1 (top) .. 0 (bottom).
    let labels: Vec<String> = rows.iter().rev().map(|r| r.label.clone()).collect();
    let mut chart = ChartBuilder::on(&area)
        .margin_left(20)
        .margin_right(70)
        .margin_top(10)
        .x_label_area_size(46)
        .y_label_area_size(330)
        // A little room left of 0% and right of 100%, so that a share at either end is
        // drawn whole, not half hidden by the axis.
        .build_cartesian_2d(-3.0..103.0, -0.5..(n as f64 - 0.5))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_labels(12)
        .y_labels(n)
        .x_label_formatter(&|x| {
            if (0.0..=100.0).contains(x) { format!("{x:.0}%") } else { String::new() }
        })
        .y_label_formatter(&|y| row_label(&labels, *y))
        .disable_y_mesh()
        .x_max_light_lines(1)
        .label_style((FONT, 14))
        .x_desc(x_desc)
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(e)?;
    let spread = if k > 1 { 0.36 / (k - 1) as f64 } else { 0.0 };
    for (s, name) in series.iter().enumerate() {
        let color = SERIES[s % SERIES.len()];
        let text_color = SERIES_TEXT[s % SERIES_TEXT.len()];
        let offset = if k > 1 { 0.18 - spread * s as f64 } else { 0.0 };
        let points: Vec<(f64, f64, f64, f64, String)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.points.get(s)?.as_ref().map(|p| {
                    (
                        (n - 1 - i) as f64 + offset,
                        100.0 * p.lower,
                        100.0 * p.estimate,
                        100.0 * p.upper,
                        p.note.clone().unwrap_or_default(),
                    )
                })
            })
            .collect();
        let style = color.filled().stroke_width(2);
        let drawn =
            chart
                .draw_series(points.iter().map(|&(y, lo, mid, hi, _)| {
                    ErrorBar::new_horizontal(y, lo, mid, hi, style, 10)
                }))
                .map_err(e)?;
        if corner.is_some() {
            drawn
                .label(name.clone())
                .legend(move |(x, y)| Circle::new((x + 10, y), 6, color.filled()));
        }
        // Direct value labels right of each whisker, clear of the marker, in a darker
        // shade of the series colour (legible on white).
        chart
            .draw_series(points.iter().map(|(y, _, mid, hi, note)| {
                let value = if *mid < 1.0 { format!("{mid:.1}%") } else { format!("{mid:.0}%") };
                Text::new(
                    if note.is_empty() { value } else { format!("{value} {note}") },
                    (hi + 2.4, *y),
                    (FONT, 13)
                        .into_font()
                        .color(&text_color)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))
            .map_err(e)?;
    }
    if let Some(corner) = corner {
        chart
            .configure_series_labels()
            .position(corner)
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(e)?;
    }
    Ok(())
}

fn differences<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, rows: &[DiffRow]) -> Res {
    let n = rows.len();
    let labels: Vec<String> = rows
        .iter()
        .rev()
        .map(|r| format!("{}{}", r.label, if r.significant { " *" } else { "" }))
        .collect();
    let extent = rows.iter().flat_map(|r| [r.lower.abs(), r.upper.abs()]).fold(0.1f64, f64::max);
    let lim = ((extent * 100.0 / 10.0).ceil() * 10.0).min(100.0);
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(130)
        .margin_top(10)
        .x_label_area_size(46)
        .y_label_area_size(330)
        .build_cartesian_2d(-lim..lim, -0.5..(n as f64 - 0.5))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_labels(9)
        .y_labels(n)
        .x_label_formatter(&|x| if x.abs() < 1e-9 { "0".into() } else { format!("{x:+.0}") })
        .y_label_formatter(&|y| row_label(&labels, *y))
        .disable_y_mesh()
        .x_max_light_lines(1)
        .label_style((FONT, 14))
        .x_desc("Difference in percentage points")
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(e)?;
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let color = if r.significant { VERMILLION } else { GREY };
        let (lo, mid, hi) = (100.0 * r.lower, 100.0 * r.difference, 100.0 * r.upper);
        // The whisker and its end caps, drawn apart from the marker so that the marker
        // keeps its own shape.
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(lo, y), (hi, y)],
                color.stroke_width(2),
            )))
            .map_err(e)?;
        for end in [lo, hi] {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((end, y))
                        + PathElement::new(vec![(0, -6), (0, 6)], color.stroke_width(2)),
                ))
                .map_err(e)?;
        }
        // Shape as well as colour: filled diamond when significant, hollow circle when not.
        if r.significant {
            let size = 9;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((mid, y))
                        + Polygon::new(
                            vec![(0, -size), (size, 0), (0, size), (-size, 0)],
                            color.filled(),
                        ),
                ))
                .map_err(e)?;
        } else {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (mid, y),
                    6,
                    ShapeStyle::from(&WHITE).filled(),
                )))
                .map_err(e)?;
            chart
                .draw_series(std::iter::once(Circle::new((mid, y), 6, color.stroke_width(2))))
                .map_err(e)?;
        }
        let p = r.p_adjusted.map_or(String::new(), |p| {
            if p < 0.001 { ", p < 0.001".into() } else { format!(", p = {p:.3}") }
        });
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{mid:+.0}{p}"),
                (hi + 1.0, y),
                (FONT, 13).into_font().color(&color).pos(Pos::new(HPos::Left, VPos::Center)),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// Small multiples: a legend strip, then a grid of panels, each an answer across the
/// waves with a line and an interval band per group.
fn small_multiples<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    waves: &[String],
    series: &[String],
    panels: &[Panel],
) -> Res {
    let (legend, grid) = area.split_vertically(LEGEND_STRIP);
    legend_strip(&legend, series)?;
    let rows = panels.len().div_ceil(PANEL_COLUMNS).max(1);
    let cells = grid.split_evenly((rows, PANEL_COLUMNS));
    let last = waves.len().saturating_sub(1) as f64;
    for (panel, cell) in panels.iter().zip(cells.iter()) {
        let mut chart = ChartBuilder::on(cell)
            .caption(panel.title.clone(), (FONT, 13).into_font().color(&BLACK))
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.3..(last + 0.3), -3.0..103.0)
            .map_err(e)?;
        let labels = waves.to_vec();
        chart
            .configure_mesh()
            .x_labels(waves.len().max(2))
            .y_labels(5)
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| {
                if (0.0..=100.0).contains(v) { format!("{v:.0}%") } else { String::new() }
            })
            .disable_x_mesh()
            .y_max_light_lines(0)
            .label_style((FONT, 11))
            .draw()
            .map_err(e)?;
        for (s, line) in panel.lines.iter().enumerate() {
            let color = SERIES[s % SERIES.len()];
            // Runs of consecutive waves with a share: a gap breaks the line and band.
            let mut runs: Vec<Vec<(f64, &super::WavePoint)>> = vec![Vec::new()];
            for (i, p) in line.iter().enumerate() {
                match p {
                    Some(p) => runs.last_mut().map_or((), |r| r.push((i as f64, p))),
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.iter().filter(|r| !r.is_empty()) {
                let mut band: Vec<(f64, f64)> =
                    run.iter().map(|(x, p)| (*x, 100.0 * p.upper)).collect();
                band.extend(run.iter().rev().map(|(x, p)| (*x, 100.0 * p.lower)));
                chart
                    .draw_series(std::iter::once(Polygon::new(band, color.mix(0.18).filled())))
                    .map_err(e)?;
                chart
                    .draw_series(LineSeries::new(
                        run.iter().map(|(x, p)| (*x, 100.0 * p.estimate)),
                        color.stroke_width(2),
                    ))
                    .map_err(e)?;
                for (x, p) in run {
                    let at = (*x, 100.0 * p.estimate);
                    if p.significant {
                        chart
                            .draw_series(std::iter::once(Circle::new(at, 5, color.filled())))
                            .map_err(e)?;
                    } else {
                        chart
                            .draw_series(std::iter::once(Circle::new(at, 4, WHITE.filled())))
                            .map_err(e)?;
                        chart
                            .draw_series(std::iter::once(Circle::new(at, 4, color.stroke_width(2))))
                            .map_err(e)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn verdict_style(v: Verdict) -> (RGBColor, &'static str) {
    match v {
        Verdict::Supported => (GREEN, "\u{2713} supported"),
        Verdict::NotShown => (ORANGE_TEXT, "\u{2013} not shown"),
        Verdict::Contradicted => (VERMILLION, "\u{2717} contradicted"),
        Verdict::CannotBeReproduced => (BLACK_RGB, "\u{2260} cannot be reproduced"),
        Verdict::DependsOnAssumption => (BLUE, "? depends on an assumption"),
        Verdict::CannotBeJudged => (GREY_RGB, "\u{2205} cannot be judged"),
    }
}

const BLACK_RGB: RGBColor = RGBColor(0, 0, 0);
const GREY_RGB: RGBColor = RGBColor(90, 90, 90);
/// Okabe-Ito orange darkened for text on white (contrast above 4.5:1).
const ORANGE_TEXT: RGBColor = RGBColor(166, 94, 0);

fn claims<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[(String, Verdict, String)],
) -> Res {
    let row_h = 34;
    for (i, (id, verdict, text)) in rows.iter().enumerate() {
        let y = 12 + row_h * i as i32;
        if i % 2 == 0 {
            area.draw(&Rectangle::new([(12, y - 6), (988, y + row_h - 8)], LIGHT.filled()))
                .map_err(e)?;
        }
        let (color, label) = verdict_style(*verdict);
        area.draw(&Text::new(id.clone(), (20, y), (FONT, 15).into_font().style(FontStyle::Bold)))
            .map_err(e)?;
        area.draw(&Text::new(
            label.to_string(),
            (80, y),
            (FONT, 15).into_font().style(FontStyle::Bold).color(&color),
        ))
        .map_err(e)?;
        area.draw(&Text::new(text.clone(), (300, y + 1), (FONT, 12).into_font().color(&BLACK)))
            .map_err(e)?;
    }
    Ok(())
}

fn bases<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: u64,
    to: u64,
    allowed: (u64, u64),
    schemes: &[(Rounding, Vec<u64>)],
) -> Res {
    let k = schemes.len();
    let labels: Vec<String> = schemes.iter().rev().map(|(r, _)| r.name().to_string()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin_left(20)
        .margin_right(50)
        .margin_top(10)
        .x_label_area_size(46)
        .y_label_area_size(140)
        .build_cartesian_2d((from as f64 - 0.5)..(to as f64 + 0.5), -0.5..(k as f64 - 0.5))
        .map_err(e)?;
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(allowed.0 as f64 - 0.5, -0.5), (allowed.1 as f64 + 0.5, k as f64 - 0.5)],
            ORANGE.mix(0.18).filled(),
        )))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_labels(((to - from) / 2 + 1) as usize)
        .y_labels(k)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| row_label(&labels, *y))
        .disable_mesh()
        .label_style((FONT, 14))
        .x_desc("Group size")
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(e)?;
    for (i, (_, fits)) in schemes.iter().enumerate() {
        let y = (k - 1 - i) as f64;
        for n in from..=to {
            let x = n as f64;
            if fits.contains(&n) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.32, y - 0.3), (x + 0.32, y + 0.3)],
                        BLUE.filled(),
                    )))
                    .map_err(e)?;
            } else {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.1, y - 0.1), (x + 0.1, y + 0.1)],
                        GREY.mix(0.6).filled(),
                    )))
                    .map_err(e)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Point;

    fn row(shares: &[f64]) -> DotRow {
        DotRow {
            label: String::new(),
            points: shares
                .iter()
                .map(|&p| {
                    Some(Point {
                        estimate: p,
                        lower: p - 0.05,
                        upper: p + 0.05,
                        successes: 0,
                        n: 1,
                        note: None,
                    })
                })
                .collect(),
        }
    }

    #[test]
    fn the_legend_moves_off_the_data() {
        let low = row(&[0.3, 0.4]);
        let high = row(&[0.4, 0.9]);
        let wide = row(&[0.1, 0.9]);
        let corner = |rows: &[DotRow]| legend_corner(rows, 2, 80.0);
        assert!(matches!(
            corner(&[high.clone(), low.clone()]),
            Some(SeriesLabelPosition::LowerRight)
        ));
        assert!(matches!(
            corner(&[low.clone(), high.clone()]),
            Some(SeriesLabelPosition::UpperRight)
        ));
        assert!(matches!(
            corner(&[high.clone(), wide.clone(), high.clone()]),
            Some(SeriesLabelPosition::LowerLeft)
        ));
        // Nowhere clear: a strip above the plot.
        assert!(corner(&[wide.clone(), wide]).is_none());
    }
}
