//! Charts of several waves: small multiples, one panel per question and answer, each
//! group's share per wave as a line with its interval as a band; a filled point marks
//! a change since the previous wave that is significant after adjustment.

use super::{Chart, ChartKind, Panel, WavePoint};
use crate::analysis::waves::WavesResults;
use crate::codebook::Codebook;
use crate::format::{level, share};
use std::collections::HashMap;

/// The wave charts: unweighted, and weighted when the waves are.
/// A chart is drawn only when some panel has a point; a panel only when some group has
/// a share in some wave.
pub fn charts(codebook: &Codebook, w: &WavesResults, footer: &str) -> Vec<Chart> {
    let mut out = Vec::new();
    out.extend(chart(codebook, w, footer, false));
    if !w.weighted_rows.is_empty() {
        out.extend(chart(codebook, w, footer, true));
    }
    out
}

fn chart(codebook: &Codebook, w: &WavesResults, footer: &str, weighted: bool) -> Option<Chart> {
    let levels = &codebook.grouping.levels;
    let o = &w.options;
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str);
    // The weighted and unweighted rows have the same fields under the same names.
    macro_rules! by_key {
        ($rows:expr) => {
            $rows
                .iter()
                .map(|r| {
                    let key =
                        (r.question.as_str(), r.option.as_str(), r.group.as_str(), r.wave.as_str());
                    let point = WavePoint {
                        estimate: r.estimate,
                        lower: r.ci_lower,
                        upper: r.ci_upper,
                        n: r.n,
                        significant: r.significant,
                    };
                    (key, point)
                })
                .collect()
        };
    }
    let points: HashMap<Key<'_>, WavePoint> =
        if weighted { by_key!(w.weighted_rows) } else { by_key!(w.rows) };
    let mut panels = Vec::new();
    let mut described = Vec::new();
    for q in &codebook.questions {
        for (_, opt) in q.reported_options() {
            let title = match q.kind {
                crate::codebook::QuestionKind::YesNo => q.display_label().to_string(),
                crate::codebook::QuestionKind::SingleChoice => {
                    format!("{}: {}", q.display_label(), opt.label)
                }
            };
            let lines: Vec<Vec<Option<WavePoint>>> = levels
                .iter()
                .map(|l| {
                    w.waves
                        .iter()
                        .map(|wave| {
                            points
                                .get(&(
                                    q.id.as_str(),
                                    opt.code.as_str(),
                                    l.id.as_str(),
                                    wave.label.as_str(),
                                ))
                                .cloned()
                        })
                        .collect()
                })
                .collect();
            if lines.iter().flatten().all(Option::is_none) {
                continue;
            }
            let series_text: Vec<String> = levels
                .iter()
                .zip(&lines)
                .filter(|(_, pts)| pts.iter().any(Option::is_some))
                .map(|(l, pts)| {
                    format!(
                        "{} {}",
                        l.label,
                        pts.iter()
                            .map(|p| p.as_ref().map_or("-".to_string(), |p| share(p.estimate)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            described.push(format!("{title}: {}", series_text.join("; ")));
            panels.push(Panel { title, lines });
        }
    }
    if panels.is_empty() {
        return None;
    }
    let level = level(o.level.value());
    let method =
        if weighted { o.weighted_ci_method.display_name() } else { o.ci_method.display_name() };
    Some(Chart {
        id: if weighted { "waves-weighted" } else { "waves" }.into(),
        title: format!(
            "{}: {}share of each group by wave",
            codebook.study.title,
            if weighted { "weighted " } else { "" }
        ),
        subtitle: format!(
            "{level} {method} intervals as bands; filled point: a change since the previous wave significant after {} adjustment",
            o.adjustment.display_name()
        ),
        footer: footer.to_string(),
        alt: format!(
            "Small multiples, one panel per answer, of each group's {}share in waves {}: {}.",
            if weighted { "weighted " } else { "" },
            w.waves.iter().map(|x| x.label.as_str()).collect::<Vec<_>>().join(", "),
            described.join(" | ")
        ),
        kind: ChartKind::Panels {
            waves: w.waves.iter().map(|x| x.label.clone()).collect(),
            series: levels.iter().map(|l| l.label.clone()).collect(),
            panels,
        },
    })
}
