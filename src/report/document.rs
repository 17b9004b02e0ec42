//! The report as a document: a title, a lede, notices, and sections of paragraphs,
//! lists, tables and charts, with every number already printed (see
//! [`crate::format`]) and every label from the codebook. [`super::html`] and
//! [`super::markdown`] render the same document, so the Markdown carries every table
//! the HTML has. Sections appear when they apply.

use super::findings::findings;
use super::{Formats, Report};
use crate::analysis::AnalysisResults;
use crate::analysis::waves::WavesResults;
use crate::codebook::Codebook;
use crate::format::{
    level as level_text, p_value, p_value_or_undefined, points, points_interval, share,
    share_interval,
};
use crate::plot::Chart;
use crate::stats::contingency::group_letter;
use serde::Serialize;

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Lines under the title: source, software, rows used.
    pub lede: Vec<String>,
    /// Boxes the reader must see first: reconstructed data, warnings, cells not shown.
    pub notices: Vec<Notice>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A box above the sections.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// Its heading.
    pub title: String,
    /// Its text.
    pub text: String,
    /// Its items.
    pub items: Vec<String>,
}

/// A section.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Anchor.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading.
    Heading {
        /// Its text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// Its text.
        text: String,
    },
    /// A bulleted list.
    List {
        /// Its items.
        items: Vec<String>,
    },
    /// A table.
    Table(Table),
    /// A chart.
    Chart(ChartView),
}

/// A table.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Column headings and whether each holds numbers.
    pub columns: Vec<Column>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// A column heading.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Heading.
    pub title: String,
    /// Numbers, right-aligned.
    pub numeric: bool,
}

/// A cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// A style: `sig` for a significant result, `verdict-...` for a claim's verdict.
    pub class: String,
}

/// A chart in a section.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// File stem.
    pub id: String,
    /// Its number in the report.
    pub number: usize,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Text alternative.
    pub alt: String,
    /// The SVG, scaled to the page.
    pub svg: String,
    /// `charts/<id>.png`, when the report writes it.
    pub png_file: Option<String>,
    /// `charts/<id>.svg`, when the report writes it.
    pub svg_file: Option<String>,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell { text: text.into(), class: String::new() }
}

fn styled(text: impl Into<String>, class: &str) -> Cell {
    Cell { text: text.into(), class: class.to_string() }
}

/// A table from column headings (a leading `#` marks a numeric column) and rows.
fn table(columns: &[&str], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table(Table {
        columns: columns
            .iter()
            .map(|c| match c.strip_prefix('#') {
                Some(t) => Column { title: t.to_string(), numeric: true },
                None => Column { title: (*c).to_string(), numeric: false },
            })
            .collect(),
        rows,
    })
}

fn para(text: impl Into<String>) -> Block {
    Block::Paragraph { text: text.into() }
}

fn heading(text: impl Into<String>) -> Block {
    Block::Heading { text: text.into() }
}

fn section(id: &str, title: impl Into<String>, blocks: Vec<Block>) -> Section {
    Section { id: id.to_string(), title: title.into(), blocks }
}

/// Adds a viewBox so an inline SVG scales with the page.
pub fn responsive(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else { return svg.to_string() };
    let tag_end = svg[start..].find('>').map_or(svg.len(), |i| start + i);
    let tag = &svg[start..tag_end];
    if tag.contains("viewBox") {
        return svg.to_string();
    }
    let attr =
        |name: &str| tag.split(&format!("{name}=\"")).nth(1).and_then(|r| r.split('"').next());
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) => {
            format!("{} viewBox=\"0 0 {w} {h}\"{}", &svg[..tag_end], &svg[tag_end..])
        }
        _ => svg.to_string(),
    }
}

/// The report as a document; `charts` are the report's charts with their SVG, and
/// `formats` what is written beside it (a chart links to its PNG and SVG files only when
/// they are written).
pub fn build(r: &Report, charts: &[(Chart, String)], formats: Formats) -> Document {
    let cb = &r.codebook;
    let mut lede = vec![cb.study.source.clone()];
    let mut notices = Vec::new();
    let mut sections = Vec::new();
    let software = match &r.reconstruction {
        Some(rec) => format!(
            "Reproduced with invitestat {} from data reconstructed from the published figures (seed {}).",
            r.version, rec.seed
        ),
        None => format!("Analysed with invitestat {}.", r.version),
    };
    lede.push(software);
    if let Some(rec) = &r.reconstruction {
        notices.push(Notice {
            title: "The respondent data behind this report are a reconstruction, not the original survey data.".into(),
            text: format!(
                "No respondent-level data were ever published; the data set reproduces every published figure under {} rounding, built by the documented rule in the section \"How the data were reconstructed\" (seed {}).",
                cb.rounding().name(),
                rec.seed
            ),
            items: Vec::new(),
        });
    }
    // Waves: each wave's own warnings (the combined load holds them all once more).
    let warnings: Vec<String> = match &r.waves {
        Some(w) => w
            .waves
            .iter()
            .flat_map(|x| {
                x.load.warnings.iter().map(|m| format!("{}: {m}", crate::format::wave(&x.label)))
            })
            .collect(),
        None => r.load.warnings.clone(),
    };
    if !warnings.is_empty() {
        notices.push(Notice {
            title: "Warnings about the data.".into(),
            text: String::new(),
            items: warnings,
        });
    }
    let views: Vec<ChartView> = charts
        .iter()
        .enumerate()
        .map(|(i, (c, svg))| ChartView {
            id: c.id.clone(),
            number: i + 1,
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            alt: c.alt.clone(),
            svg: responsive(svg),
            png_file: formats.png.then(|| format!("charts/{}.png", c.id)),
            svg_file: formats.svg.then(|| format!("charts/{}.svg", c.id)),
        })
        .collect();
    if let Some(a) = &r.analysis {
        lede.push(format!(
            "{} of {} rows used ({}).",
            r.load.rows_used,
            r.load.rows_read,
            a.respondents
                .iter()
                .zip(&cb.grouping.levels)
                .map(|((_, n), l)| format!("{} {n}", l.label))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if !r.load.ignored_columns.is_empty() {
            lede.push(format!(
                "{} column(s) of the file the codebook does not use were ignored: {}.",
                r.load.ignored_columns.len(),
                crate::format::name_list(&r.load.ignored_columns, 20)
            ));
        }
        if !a.suppressed.is_empty() {
            notices.push(Notice {
                title: "Cells not shown.".into(),
                text: format!(
                    "Groups answering a question on fewer than {} respondents are left out of every table, chart and comparison, with whatever they could be recovered from:",
                    a.options.suppress_below.unwrap_or(0)
                ),
                items: a.suppressed.iter().map(|c| format!("{} in {}: {}", c.question_label, c.group_label, c.reason)).collect(),
            });
        }
        sections.push(section(
            "findings",
            "Key findings",
            vec![Block::List { items: findings(r) }],
        ));
    }
    if let Some(w) = &r.waves {
        lede.push(format!(
            "{} waves compared: {}.",
            w.waves.len(),
            w.waves
                .iter()
                .map(|x| format!("{} (n = {})", crate::format::wave(&x.label), x.table.total()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        sections.push(section(
            "findings",
            "Key findings",
            vec![Block::List { items: findings(r) }],
        ));
    }
    if !r.claims.is_empty() {
        let rows = r
            .claims
            .iter()
            .map(|c| {
                vec![
                    cell(&c.id),
                    cell(&c.text),
                    styled(
                        c.verdict.name(),
                        &format!("verdict-{}", c.verdict.name().replace(' ', "-")),
                    ),
                    cell(&c.summary),
                ]
            })
            .collect();
        sections.push(section(
            "claims",
            "Published claims: verdicts",
            vec![
                para("Supported: the data support the claim at the analysis level, and so does every count consistent with the published figures. Not shown: the data cannot exclude the opposite, which is not a refutation. Contradicted: the data exclude the claim. Cannot be reproduced: no counts consistent with the published figures give the claimed number. Depends on an assumption: some consistent counts support it and others do not. Cannot be judged: the data hold nothing to judge it on."),
                table(&["Claim", "Wording", "Verdict", "The numbers behind it"], rows),
            ],
        ));
    }
    if !views.is_empty() {
        sections.push(section("charts", "Charts", views.into_iter().map(Block::Chart).collect()));
    }
    if let Some(a) = &r.analysis {
        sections.push(section("data", "What the data say", data_blocks(cb, a, &r.load)));
        if !a.figures.is_empty() || !a.base_recovery.is_empty() {
            sections.push(section(
                "consistency",
                "Published figures and their consistency",
                figure_blocks(cb, a),
            ));
        }
    }
    if let Some(w) = &r.waves {
        sections.push(section("waves", "The waves compared", wave_blocks(cb, w)));
    }
    if let Some(rec) = &r.reconstruction {
        sections.push(section(
            "reconstruction",
            "How the data were reconstructed, and what depends on it",
            reconstruction_blocks(r, rec),
        ));
    }
    sections.push(section("methods", "Methods", methods_blocks(r)));
    sections.push(section(
        "limitations",
        "Limitations",
        vec![Block::List { items: limitations(r) }],
    ));
    sections.push(section("software", "Software, seed and inputs", vec![software_table(r)]));
    Document { title: cb.study.title.clone(), lede, notices, sections }
}

fn dagger(small: bool) -> &'static str {
    if small { " \u{2020}" } else { "" }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The tables of one data set: shares, comparisons, tests, weighted estimates.
/// The sampling design and weighting of a weighted analysis, in words and as R survey
/// would be told it.
fn design_text(cb: &Codebook) -> String {
    let w = cb.weight_column.as_deref().map_or("1".to_string(), |w| format!("~{w}"));
    let mut text = match &cb.design {
        None => format!("one stage, weights only (R survey svydesign(ids = ~1, weights = {w}))"),
        Some(d) => match &d.replicates {
            Some(r) => format!(
                "{} replicate weights ({} replicates; R survey svrepdesign(type = \"{}\", combined.weights = TRUE, mse = {}))",
                r.kind.name(),
                r.columns.len(),
                r.kind.name(),
                if r.scales.mse { "TRUE" } else { "FALSE" }
            ),
            None => {
                let mut parts = Vec::new();
                if let Some(s) = &d.strata_column {
                    parts.push(format!("stratified by '{s}'"));
                }
                if let Some(c) = &d.cluster_column {
                    parts.push(format!("clusters '{c}' nested in strata, with-replacement (ultimate cluster) variance"));
                }
                if let Some(f) = &d.fpc_column {
                    parts.push(format!("finite population correction '{f}'"));
                }
                parts.push(format!("lonely PSUs \"{}\"", d.lonely_psu.name()));
                format!(
                    "{} (R survey svydesign(ids = ~{}, strata = {}, weights = {w}, nest = TRUE)); degrees of freedom PSUs minus strata",
                    parts.join(", "),
                    d.cluster_column.as_deref().unwrap_or("1"),
                    d.strata_column.as_deref().map_or("NULL".to_string(), |s| format!("~{s}")),
                )
            }
        },
    };
    if let Some(wt) = &cb.weighting {
        let r = match wt.method {
            crate::stats::calibration::Method::PostStratify => "postStratify",
            crate::stats::calibration::Method::Rake { .. } => "rake",
            crate::stats::calibration::Method::Calibrate { .. } => "calibrate",
        };
        text.push_str(&format!(
            "; weights by {} to the margins {} (R survey {r}), the variance taking the calibration into account",
            crate::data::weighting::method_name(&wt.method),
            wt.margins.names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    text
}

/// What the weighting did, per sample (a file or a wave).
fn weighting_blocks(samples: &[(String, &crate::data::weighting::WeightingSummary)]) -> Vec<Block> {
    if samples.is_empty() {
        return Vec::new();
    }
    vec![
        heading("Weighting"),
        para(
            "Each respondent's base weight times the factor of its cell (the combination of the margins' categories). Weighting efficiency is Kish's (sum w)^2 / (n sum w^2); the design effect of the weights is its inverse, 1 + cv^2.",
        ),
        table(
            &[
                "Sample",
                "Method",
                "#Respondents",
                "#Cells",
                "#Iterations",
                "#Factors",
                "#Cells trimmed",
                "#Efficiency of the base weights",
                "#Weighting efficiency",
                "#Design effect of the weights",
            ],
            samples
                .iter()
                .map(|(label, w)| {
                    vec![
                        cell(label),
                        cell(&w.method),
                        cell(w.respondents.to_string()),
                        cell(w.cells.to_string()),
                        cell(w.iterations.to_string()),
                        cell(format!(
                            "{} to {}",
                            crate::format::factor(w.factor_min),
                            crate::format::factor(w.factor_max)
                        )),
                        cell(w.trimmed_cells.to_string()),
                        cell(share(w.efficiency_before)),
                        cell(share(w.efficiency)),
                        cell(crate::format::design_effect(w.deff_weights)),
                    ]
                })
                .collect(),
        ),
    ]
}

fn data_blocks(cb: &Codebook, a: &AnalysisResults, load: &crate::data::LoadSummary) -> Vec<Block> {
    let o = &a.options;
    let level = level_text(o.level.value());
    let mut blocks = vec![
        heading("Shares by group"),
        para(format!(
            "Each share with its {level} {} interval; \u{2020} marks a share on fewer than {} respondents (or a count below {}), to be read with care.",
            o.ci_method.display_name(),
            o.min_base,
            o.min_count.max(1)
        )),
    ];
    blocks.push(table(
        &[
            "Question",
            "Answer",
            "Group",
            "#Count",
            "#Base",
            "#Missing",
            "#Share",
            &format!("#{level} interval"),
        ],
        a.results
            .iter()
            .map(|x| {
                vec![
                    cell(&x.question_label),
                    cell(&x.option_label),
                    cell(&x.group_label),
                    cell(x.successes.to_string()),
                    cell(x.n.to_string()),
                    cell(x.missing.to_string()),
                    cell(format!(
                        "{}{}",
                        x.estimate.map_or("undefined".into(), share),
                        dagger(x.small_base)
                    )),
                    cell(match (x.ci_lower, x.ci_upper) {
                        (Some(lo), Some(hi)) => share_interval(lo, hi),
                        _ => "undefined".into(),
                    }),
                ]
            })
            .collect(),
    ));
    if !a.comparisons.is_empty() {
        blocks.push(heading("Group comparisons"));
        blocks.push(table(
            &[
                "Question",
                "Answer",
                "Groups",
                "#Difference",
                &format!("#{level} interval ({})", o.difference_method.display_name()),
                &format!("#p ({})", o.test.display_name()),
                &format!("#p adjusted ({})", o.adjustment.display_name()),
                "Significant",
            ],
            a.comparisons
                .iter()
                .map(|c| {
                    vec![
                        cell(&c.question_label),
                        cell(&c.option_label),
                        cell(format!("{} \u{2212} {}", c.group_a_label, c.group_b_label)),
                        styled(
                            format!("{}{}", points(c.difference), dagger(c.small_base)),
                            if c.significant { "sig" } else { "" },
                        ),
                        cell(points_interval(c.ci_lower, c.ci_upper)),
                        cell(p_value_or_undefined(c.p_value)),
                        cell(p_value_or_undefined(c.p_adjusted)),
                        cell(yes(c.significant)),
                    ]
                })
                .collect(),
        ));
    }
    let weighted_tests = a.question_tests.iter().any(|q| q.rao_scott_p_value.is_some())
        || a.group_tests.iter().any(|g| g.rao_scott_p_value.is_some());
    if !a.group_tests.is_empty() {
        blocks.push(heading("Tests across all groups"));
        blocks.push(para(format!(
            "Pearson's chi-square and the exact Fisher-Freeman-Halton test of each answer across the groups; significance letters from pairwise {} tests with {} adjustment over the pairs: a group's letters name the groups it is significantly higher than ({}).",
            o.test.display_name(),
            o.adjustment.display_name(),
            cb.grouping.levels.iter().enumerate().map(|(j, l)| format!("{} = {}", group_letter(j), l.label)).collect::<Vec<_>>().join(", ")
        )));
        let mut cols = vec!["Question", "Answer", "Counts", "#Chi-square p", "#Exact p"];
        if weighted_tests {
            cols.push("#Weighted (Rao-Scott F) p");
        }
        cols.push("Significantly higher than");
        let weighted_letters = a.group_tests.iter().any(|g| !g.weighted_letters.is_empty());
        if weighted_letters {
            cols.push("Weighted: significantly higher than");
            blocks.push(para(format!(
                "The weighted letters come from Wald tests of the design-based differences (R svycontrast on svyby(covmat = TRUE)), with {} adjustment over the pairs.",
                o.adjustment.display_name()
            )));
        }
        blocks.push(table(
            &cols,
            a.group_tests
                .iter()
                .map(|g| {
                    let mut row = vec![
                        cell(&g.question_label),
                        cell(&g.option_label),
                        cell(
                            g.group_labels
                                .iter()
                                .zip(&g.counts)
                                .map(|(l, (k, n))| format!("{l} {k}/{n}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        cell(p_value_or_undefined(g.chi2_p_value)),
                        cell(format!(
                            "{}{}",
                            p_value_or_undefined(g.exact_p_value),
                            dagger(g.small_base)
                        )),
                    ];
                    if weighted_tests {
                        row.push(cell(p_value_or_undefined(g.rao_scott_p_value)));
                    }
                    let letters = crate::format::letters(&g.group_letters, &g.letters);
                    row.push(cell(if g.note.is_empty() {
                        letters
                    } else {
                        format!("{letters} ({})", g.note)
                    }));
                    if weighted_letters {
                        row.push(cell(crate::format::letters(
                            &g.group_letters,
                            &g.weighted_letters,
                        )));
                    }
                    row
                })
                .collect(),
        ));
    }
    if !a.question_tests.is_empty() {
        blocks.push(heading("Single-choice questions: all answers by group"));
        let mut cols =
            vec!["Question", "Counts (answers \u{00d7} groups)", "#Chi-square p", "#Exact p"];
        if weighted_tests {
            cols.push("#Weighted (Rao-Scott F) p");
        }
        cols.push("Note");
        blocks.push(table(
            &cols,
            a.question_tests
                .iter()
                .map(|q| {
                    let mut row = vec![
                        cell(&q.question_label),
                        cell(
                            q.table
                                .iter()
                                .map(|r| {
                                    r.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")
                                })
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                        cell(p_value_or_undefined(q.chi2_p_value)),
                        cell(format!(
                            "{}{}",
                            p_value_or_undefined(q.exact_p_value),
                            dagger(q.small_base)
                        )),
                    ];
                    if weighted_tests {
                        row.push(cell(p_value_or_undefined(q.rao_scott_p_value)));
                    }
                    row.push(cell(&q.note));
                    row
                })
                .collect(),
        ));
    }
    blocks.extend(multi_response_blocks(
        cb,
        o,
        a.multi_response_tests.iter().map(|m| (None, m)).collect(),
    ));
    let samples: Vec<(String, &crate::data::weighting::WeightingSummary)> =
        load.weighting.iter().map(|w| ("All respondents".to_string(), w)).collect();
    blocks.extend(weighting_blocks(&samples));
    if !a.weighted.is_empty() {
        blocks.push(heading("Weighted shares"));
        blocks.push(para(format!(
            "Design: {}. Each group is a domain of the whole sample. {level} {} intervals with the domain's degrees of freedom (df). Design effects: Kish's n / n_eff and R's deff = \"replace\".",
            design_text(cb),
            o.weighted_ci_method.display_name()
        )));
        blocks.push(table(
            &[
                "Question",
                "Answer",
                "Group",
                "#n",
                "#Effective n",
                "#Deff (Kish)",
                "#Deff (replace)",
                "#df",
                "#Weighted share",
                "#SE",
                &format!("#{level} interval"),
            ],
            a.weighted
                .iter()
                .map(|w| {
                    vec![
                        cell(&w.question_label),
                        cell(&w.option_label),
                        cell(&w.group_label),
                        cell(w.n.to_string()),
                        cell(crate::format::effective_n(w.effective_n)),
                        cell(crate::format::design_effect(w.deff_kish)),
                        cell(
                            w.deff_replace
                                .map_or("undefined".to_string(), crate::format::design_effect),
                        ),
                        cell(crate::format::degrees_of_freedom(w.df)),
                        cell(format!("{}{}", share(w.estimate), dagger(w.small_base))),
                        cell(format!("{:.4}", w.se)),
                        cell(format!(
                            "{}{}",
                            share_interval(w.ci_lower, w.ci_upper),
                            if w.boundary {
                                " (exact one-sided bound: share is 0 or 1)"
                            } else {
                                ""
                            }
                        )),
                    ]
                })
                .collect(),
        ));
        if !a.weighted_comparisons.is_empty() {
            let (ga, gb) = (&cb.grouping.levels[0].label, &cb.grouping.levels[1].label);
            blocks.push(heading(format!("Weighted differences, {ga} \u{2212} {gb}")));
            blocks.push(table(
                &[
                    "Question",
                    "Answer",
                    "#Difference",
                    "#Wald t interval",
                    "#Newcombe on effective n",
                    "#p (Wald)",
                    "#p (Rao-Scott F)",
                ],
                a.weighted_comparisons
                    .iter()
                    .map(|c| {
                        vec![
                            cell(&c.question_label),
                            cell(&c.option_label),
                            cell(format!("{}{}", points(c.difference), dagger(c.small_base))),
                            cell(points_interval(c.wald_lower, c.wald_upper)),
                            cell(points_interval(
                                c.newcombe_effective_lower,
                                c.newcombe_effective_upper,
                            )),
                            cell(p_value(c.p_value)),
                            cell(p_value_or_undefined(c.rao_scott_p_value)),
                        ]
                    })
                    .collect(),
            ));
        }
    }
    blocks
}

/// The published figures against the data, the group sizes they allow, and what their
/// comparisons can be.
/// The tests of multiple marginal independence, one row per multi-response question
/// (and wave, when `rows` name one).
fn multi_response_blocks(
    cb: &Codebook,
    o: &crate::analysis::AnalysisOptions,
    rows: Vec<(Option<&str>, &crate::analysis::MultiResponseTestRow)>,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !rows.is_empty() {
        blocks.push(heading("Multi-response questions: all answers by group"));
        blocks.push(para(format!(
            "Each answer's share is of the respondents who answered the question (not of all answers given), and is tested like any yes-no answer. A respondent may tick several answers, so the answers' chi-square statistics are not independent and their sum X\u{00b2}_S is not chi-square distributed: the test of multiple marginal independence (Bilder and Loughin) adjusts it by the second-order Rao-Scott method, and the Bonferroni test takes the smallest of the answers' p-values times their number. Significant: Rao-Scott p below {}.",
            crate::format::alpha(1.0 - o.level.value())
        )));
        let waves = rows.iter().any(|(w, _)| w.is_some());
        let mut cols = vec![
            "Question",
            "Respondents by group",
            "#X\u{00b2}_S",
            "#Rao-Scott X\u{00b2} (df)",
            "#Rao-Scott p",
            "#Bonferroni p",
            "Significant",
            "Note",
        ];
        if waves {
            cols.insert(0, "Wave");
        }
        blocks.push(table(
            &cols,
            rows.iter()
                .map(|(wave, m)| {
                    let counts = cb
                        .grouping
                        .levels
                        .iter()
                        .zip(&m.respondents)
                        .map(|(l, n)| format!("{} {n}", l.label))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let mut row = match &m.test {
                        Some(t) => vec![
                            cell(&m.question_label),
                            cell(counts),
                            cell(crate::format::statistic(t.x2_s)),
                            cell(format!(
                                "{} ({})",
                                crate::format::statistic(t.rao_scott),
                                crate::format::statistic(t.rao_scott_df)
                            )),
                            cell(p_value_or_undefined(Some(t.rao_scott_p))),
                            cell(p_value_or_undefined(Some(t.bonferroni_p))),
                            cell(yes(m.significant)),
                            cell(&m.note),
                        ],
                        None => vec![
                            cell(&m.question_label),
                            cell(counts),
                            cell("\u{2013}"),
                            cell("\u{2013}"),
                            cell("\u{2013}"),
                            cell("\u{2013}"),
                            cell(yes(false)),
                            cell(&m.note),
                        ],
                    };
                    if waves {
                        row.insert(0, cell(crate::format::wave(wave.unwrap_or_default())));
                    }
                    row
                })
                .collect(),
        ));
    }
    blocks
}

fn figure_blocks(cb: &Codebook, a: &AnalysisResults) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !a.figures.is_empty() {
        blocks.push(table(
            &[
                "Figure",
                "Group",
                "Question",
                "Answer",
                "Printed",
                "#Data",
                "Reproduced",
                "Counts that print as the figure on this base",
            ],
            a.figures
                .iter()
                .map(|f| {
                    vec![
                        cell(&f.label),
                        cell(&f.group_label),
                        cell(&f.question_label),
                        cell(&f.option_label),
                        cell(&f.printed),
                        cell(format!(
                            "{}/{} = {}",
                            f.successes,
                            f.n,
                            f.estimate.map_or("undefined".into(), share)
                        )),
                        cell(yes(f.reproduced)),
                        cell(if f.consistent_counts.is_empty() {
                            f.consistent_range
                                .map_or("none".to_string(), |(lo, hi)| format!("{lo} to {hi}"))
                        } else {
                            f.consistent_counts
                                .iter()
                                .map(u64::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        }),
                    ]
                })
                .collect(),
        ));
    }
    for b in &a.base_recovery {
        use crate::consistency::Rounding;
        let fits = |r: Rounding| {
            let ns: Vec<String> = b
                .fits
                .iter()
                .filter(|f| f.rounding == r && f.fits)
                .map(|f| f.n.to_string())
                .collect();
            if ns.is_empty() { "none".to_string() } else { ns.join(", ") }
        };
        let missing: Vec<String> = b
            .fits
            .iter()
            .filter(|f| f.rounding == cb.rounding() && f.n >= b.allowed.0 && f.n <= b.allowed.1)
            .map(|f| {
                format!(
                    "{}: {}",
                    f.n,
                    f.missing_needed.map_or("impossible".into(), |m| m.to_string())
                )
            })
            .collect();
        let chance = b
            .expected_chance_hits
            .iter()
            .find(|(r, _)| *r == cb.rounding())
            .map_or(0.0, |(_, c)| *c);
        let label = cb.level(&b.group).map_or(b.group.as_str(), |l| l.label.as_str());
        blocks.push(para(format!(
            "\"{}\" ({label}) is read as {} to {}. Sizes in {}..{} at which all of the group's published figures are reachable on one base: {} under half-up, {} under half-down, {} under half-even, {} under up-or-down, {} under ceiling, {} under floor. Random figures of the same precision would fit about {:.1} sizes in this window by chance, so a fit is weak evidence; the absence of any fit in the stated range is the robust finding. Missing answers needed to reach every figure ({}): {}.",
            b.phrase,
            b.allowed.0,
            b.allowed.1,
            b.fits.iter().map(|f| f.n).min().unwrap_or(0),
            b.fits.iter().map(|f| f.n).max().unwrap_or(0),
            fits(Rounding::HalfUp),
            fits(Rounding::HalfDown),
            fits(Rounding::HalfEven),
            fits(Rounding::UpOrDown),
            fits(Rounding::Ceiling),
            fits(Rounding::Floor),
            chance,
            cb.rounding(),
            missing.join("; ")
        )));
    }
    if !a.figure_comparisons.is_empty() {
        let level = level_text(a.options.level.value());
        blocks.push(para("What each published comparison can be, over every pair of counts consistent with the two printed figures at the data's bases:"));
        blocks.push(table(
            &[
                "Figure",
                "Printed",
                "#Combinations",
                "#Difference",
                &format!("#Widest {level} interval"),
                "#p-value range",
            ],
            a.figure_comparisons
                .iter()
                .map(|c| {
                    let printed = format!(
                        "{} of {} vs {} of {}",
                        c.first.0, c.first.1, c.second.0, c.second.1
                    );
                    match &c.range {
                        Some(rg) => vec![
                            cell(&c.label),
                            cell(printed),
                            cell(rg.combinations.to_string()),
                            cell(format!(
                                "{} pts",
                                points_interval(rg.difference.0, rg.difference.1)
                            )),
                            cell(format!("{} pts", points_interval(rg.interval.0, rg.interval.1))),
                            cell(format!("{} to {}", p_value(rg.p_value.0), p_value(rg.p_value.1))),
                        ],
                        None => vec![
                            cell(&c.label),
                            cell(printed),
                            cell("-"),
                            cell("-"),
                            cell("-"),
                            cell(format!("not computed: {}", c.note)),
                        ],
                    }
                })
                .collect(),
        ));
    }
    blocks
}

/// The tables of several waves.
fn wave_blocks(cb: &Codebook, w: &WavesResults) -> Vec<Block> {
    let o = &w.options;
    let level = level_text(o.level.value());
    let adj = o.adjustment.display_name();
    let panel = w.waves.iter().any(|x| x.panel.is_some());
    let mut columns = vec!["Wave", "#Respondents"];
    if panel {
        columns.push("#Also in the previous wave");
    }
    columns.extend(["Rows excluded", "File", "SHA-256"]);
    let mut blocks = vec![table(
        &columns,
        w.waves
            .iter()
            .map(|x| {
                let mut row = vec![cell(&x.label), cell(x.table.total().to_string())];
                if panel {
                    row.push(cell(
                        x.panel.as_ref().map_or("-".to_string(), |p| p.overlap.to_string()),
                    ));
                }
                row.extend([
                    cell(if x.load.excluded.is_empty() {
                        "none".to_string()
                    } else {
                        x.load
                            .excluded
                            .iter()
                            .map(|(reason, n)| format!("{n} ({reason})"))
                            .collect::<Vec<_>>()
                            .join("; ")
                    }),
                    cell(&x.load.file),
                    cell(&x.load.sha256),
                ]);
                row
            })
            .collect(),
    )];
    if let Some(p) = w.waves.iter().find_map(|x| x.panel.as_ref()) {
        blocks.push(para(if p.joint.is_some() {
            format!(
                "A panel: waves share respondents (matched by id; {} distinct respondents over all the waves). The weighted change since the previous wave takes the within-respondent covariance into account, the waves stacked as one design whose clusters are the respondents (R survey svydesign(ids = ~id, weights = ~w) on all the waves; svyby(covmat = TRUE) + svycontrast), with n - 1 degrees of freedom. The unweighted changes, the trends and the gap changes treat the waves as independent samples.",
                p.respondents
            )
        } else if p.strata.is_some() {
            format!(
                "A panel: waves share respondents (matched by id; {} distinct respondents over all the waves). The weighted change since the previous wave takes the within-respondent covariance into account, the waves stacked as one design whose strata are matched by code across the waves and whose PSUs are the respondents within their strata (R survey: the waves' rows bound together, then svydesign(ids = ~id, strata = ~stratum, nest = TRUE) with the declared fpc; svyby(covmat = TRUE) + svycontrast), with the stacked design's degrees of freedom. The unweighted changes, the trends and the gap changes treat the waves as independent samples.",
                p.respondents
            )
        } else if crate::tabulate::design::stacks_panel_waves(cb) {
            format!(
                "A panel: waves share respondents (matched by id; {} distinct respondents over all the waves). The weighted change since the previous wave takes the covariance of the two waves into account, the waves stacked as one design whose strata, clusters and replicate weights are matched by code across the waves (R survey: the waves' rows bound together, then svydesign or svrepdesign on the declared design; svyby(covmat = TRUE) + svycontrast), with the stacked design's degrees of freedom. The unweighted changes, the trends and the gap changes treat the waves as independent samples.",
                p.respondents
            )
        } else {
            format!(
                "The waves share respondents (matched by id; {} distinct respondents over all the waves), but the codebook declares weighting: every comparison treats the waves as independent samples, which leaves out the within-respondent covariance (for answers that persist, the changes' intervals are then wider than they would be).",
                p.respondents
            )
        }));
    }
    blocks.push(heading("Shares and changes since the previous wave"));
    blocks.push(para(format!(
        "{level} {} intervals; changes with {} intervals and {} tests, adjusted ({adj}) over every change; \u{2020} a base below {}.",
        o.ci_method.display_name(),
        o.difference_method.display_name(),
        o.test.display_name(),
        o.min_base
    )));
    let interval = |l: Option<f64>, u: Option<f64>| match (l, u) {
        (Some(l), Some(u)) => points_interval(l, u),
        _ => "-".to_string(),
    };
    blocks.push(table(
        &[
            "Question",
            "Answer",
            "Group",
            "Wave",
            "#Share",
            &format!("#{level} interval"),
            "#Change",
            "#Interval of the change",
            "#p",
            &format!("#p adjusted ({adj})"),
        ],
        w.rows
            .iter()
            .map(|r| {
                vec![
                    cell(&r.question_label),
                    cell(&r.option_label),
                    cell(&r.group_label),
                    cell(&r.wave),
                    cell(format!("{}{}", share(r.estimate), dagger(r.small_base))),
                    cell(share_interval(r.ci_lower, r.ci_upper)),
                    styled(
                        r.change.map_or("-".to_string(), points),
                        if r.significant { "sig" } else { "" },
                    ),
                    cell(interval(r.change_lower, r.change_upper)),
                    cell(r.change_p_value.map_or("-".to_string(), p_value)),
                    cell(r.change_p_adjusted.map_or("-".to_string(), p_value)),
                ]
            })
            .collect(),
    ));
    if !w.trends.is_empty() {
        blocks.push(heading("Trends across the waves"));
        blocks.push(para("Cochran-Armitage test on the wave order (R prop.trend.test), adjusted over every trend."));
        blocks.push(table(
            &[
                "Question",
                "Answer",
                "Group",
                "#Chi-square (1 df)",
                "#p",
                &format!("#p adjusted ({adj})"),
            ],
            w.trends
                .iter()
                .map(|t| {
                    vec![
                        cell(&t.question_label),
                        cell(&t.option_label),
                        cell(&t.group_label),
                        cell(t.statistic.map_or("-".to_string(), |s| format!("{s:.3}"))),
                        cell(t.p_value.map_or("-".to_string(), p_value)),
                        styled(
                            t.p_adjusted.map_or("-".to_string(), p_value),
                            if t.significant { "sig" } else { "" },
                        ),
                    ]
                })
                .collect(),
        ));
    }
    let gap_table = |gaps: &[crate::analysis::waves::GapRow]| {
        table(
            &[
                "Question",
                "Answer",
                "Wave",
                "#Gap",
                "#Previous gap",
                "#Change",
                &format!("#{level} interval"),
                "#p",
                &format!("#p adjusted ({adj})"),
            ],
            gaps.iter()
                .map(|g| {
                    vec![
                        cell(&g.question_label),
                        cell(&g.option_label),
                        cell(&g.wave),
                        cell(points(g.gap)),
                        cell(points(g.previous_gap)),
                        styled(points(g.change), if g.significant { "sig" } else { "" }),
                        cell(points_interval(g.ci_lower, g.ci_upper)),
                        cell(p_value(g.p_value)),
                        cell(g.p_adjusted.map_or("-".to_string(), p_value)),
                    ]
                })
                .collect(),
        )
    };
    let levels = &cb.grouping.levels;
    let (ga, gb) = (
        levels.first().map_or("", |l| l.label.as_str()),
        levels.get(1).map_or("", |l| l.label.as_str()),
    );
    if !w.gaps.is_empty() {
        blocks.push(heading(format!("Change of the gap between {ga} and {gb}")));
        blocks.push(para(
            "Difference in differences with a Wald interval, adjusted over every gap change.",
        ));
        blocks.push(gap_table(&w.gaps));
    }
    let samples: Vec<(String, &crate::data::weighting::WeightingSummary)> = w
        .waves
        .iter()
        .flat_map(|x| x.load.weighting.iter().map(move |s| (crate::format::wave(&x.label), s)))
        .collect();
    blocks.extend(weighting_blocks(&samples));
    if !w.weighted_rows.is_empty() {
        blocks.push(heading("Weighted shares and changes since the previous wave"));
        blocks.push(para(format!(
            "Each wave's design: {}. The waves are independent samples, stacked as one design stratified by wave, each group a domain of its wave. {level} {} intervals with the domain's degrees of freedom (df); changes with Wald intervals from the domain standard errors (R svyby(covmat = TRUE) + svycontrast) and, beside them, Newcombe's interval on the Kish effective sample sizes; adjusted ({adj}) over every weighted change.",
            design_text(cb),
            o.weighted_ci_method.display_name()
        )));
        blocks.push(table(
            &[
                "Question",
                "Answer",
                "Group",
                "Wave",
                "#n",
                "#Effective n",
                "#Deff (Kish)",
                "#Deff (replace)",
                "#df",
                "#Weighted share",
                &format!("#{level} interval"),
                "#Change",
                "#Wald interval",
                "#Newcombe (effective n)",
                "#p",
                &format!("#p adjusted ({adj})"),
            ],
            w.weighted_rows
                .iter()
                .map(|r| {
                    vec![
                        cell(&r.question_label),
                        cell(&r.option_label),
                        cell(&r.group_label),
                        cell(&r.wave),
                        cell(r.n.to_string()),
                        cell(crate::format::effective_n(r.effective_n)),
                        cell(crate::format::design_effect(r.deff_kish)),
                        cell(
                            r.deff_replace
                                .map_or("undefined".to_string(), crate::format::design_effect),
                        ),
                        cell(crate::format::degrees_of_freedom(r.df)),
                        cell(format!("{}{}", share(r.estimate), dagger(r.small_base))),
                        cell(format!(
                            "{}{}",
                            share_interval(r.ci_lower, r.ci_upper),
                            if r.boundary { " (bound)" } else { "" }
                        )),
                        styled(
                            r.change.map_or("-".to_string(), points),
                            if r.significant { "sig" } else { "" },
                        ),
                        cell(interval(r.change_lower, r.change_upper)),
                        cell(interval(
                            r.change_newcombe_effective_lower,
                            r.change_newcombe_effective_upper,
                        )),
                        cell(r.change_p_value.map_or("-".to_string(), p_value)),
                        cell(r.change_p_adjusted.map_or("-".to_string(), p_value)),
                    ]
                })
                .collect(),
        ));
        if !w.weighted_trends.is_empty() {
            blocks.push(heading("Weighted trends across the waves"));
            blocks.push(para("Slope of the log odds per wave in a weighted logistic regression on the wave number, with the design-based standard error and a t test (R survey svyglm(y ~ wave, family = quasibinomial)), adjusted over every weighted trend."));
            blocks.push(table(
                &[
                    "Question",
                    "Answer",
                    "Group",
                    "#Slope (log odds per wave)",
                    "#SE",
                    "#p",
                    &format!("#p adjusted ({adj})"),
                    "Note",
                ],
                w.weighted_trends
                    .iter()
                    .map(|t| {
                        vec![
                            cell(&t.question_label),
                            cell(&t.option_label),
                            cell(&t.group_label),
                            cell(t.slope.map_or("-".to_string(), |s| format!("{s:+.3}"))),
                            cell(t.se.map_or("-".to_string(), |s| format!("{s:.3}"))),
                            cell(t.p_value.map_or("-".to_string(), p_value)),
                            styled(
                                t.p_adjusted.map_or("-".to_string(), p_value),
                                if t.significant { "sig" } else { "" },
                            ),
                            cell(t.note.clone().unwrap_or_default()),
                        ]
                    })
                    .collect(),
            ));
        }
        if !w.weighted_gaps.is_empty() {
            blocks.push(heading(format!("Weighted change of the gap between {ga} and {gb}")));
            blocks.push(gap_table(&w.weighted_gaps));
        }
    }
    blocks.extend(multi_response_blocks(
        cb,
        &w.options,
        w.multi_response_tests.iter().map(|(wave, m)| (Some(wave.as_str()), m)).collect(),
    ));
    blocks
}

fn reconstruction_blocks(r: &Report, rec: &crate::data::reconstruct::Reconstruction) -> Vec<Block> {
    let dependent: Vec<&str> =
        r.claims.iter().filter(|c| c.depends_on_reconstruction).map(|c| c.id.as_str()).collect();
    let cb = &r.codebook;
    let group = |id: &str| match cb.level_index(id) {
        Some(g) => cb.grouping.levels[g].label.clone(),
        None if id == "all" => cb.group_label(crate::codebook::GroupRef::All).to_string(),
        None => id.to_string(),
    };
    let question = |id: &str| {
        cb.question_index(id)
            .map_or_else(|| id.to_string(), |q| cb.questions[q].display_label().to_string())
    };
    vec![
        para(format!(
            "Total: {}. Seed {} decides only which respondent gives which answer (the joint answers across questions).",
            rec.total_rule, rec.seed
        )),
        Block::List {
            items: rec
                .groups
                .iter()
                .map(|g| format!("{}: {} ({})", group(&g.group), g.size, g.rule))
                .collect(),
        },
        table(
            &["Question", "Group", "#Base", "#Missing", "Counts per answer", "Rule"],
            rec.questions
                .iter()
                .map(|q| {
                    vec![
                        cell(question(&q.question)),
                        cell(group(&q.group)),
                        cell(q.base.to_string()),
                        cell(q.missing.to_string()),
                        cell(q.counts.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")),
                        cell(&q.rule),
                    ]
                })
                .collect(),
        ),
        para(format!(
            "What depends on the reconstruction: every count above is one of the counts consistent with the published figure, so the per-group estimates and intervals move within the ranges in the consistency section. Claims are judged over all consistent counts, and within-respondent comparisons over all joint tables consistent with the margins; {}",
            if dependent.is_empty() {
                "no claim verdict changes with the reconstruction's choices.".to_string()
            } else {
                format!(
                    "the verdicts of {} change with choices the published figures leave open.",
                    dependent.join(", ")
                )
            }
        )),
    ]
}

/// The methods used, with what each matches.
fn methods_blocks(r: &Report) -> Vec<Block> {
    let o = r
        .analysis
        .as_ref()
        .map(|a| a.options)
        .or(r.waves.as_ref().map(|w| w.options))
        .unwrap_or_default();
    let ci_ref = match o.ci_method.name() {
        "wilson" => {
            "R prop.test(correct = FALSE); statsmodels proportion_confint(method=\"wilson\")"
        }
        "clopper-pearson" => "R binom.test; statsmodels proportion_confint(method=\"beta\")",
        "jeffreys" => "DescTools BinomCI(\"jeffreys\")",
        "agresti-coull" => "statsmodels proportion_confint(method=\"agresti_coull\")",
        "wilson-cc" => "R prop.test(); scipy proportion_ci(method=\"wilsoncc\")",
        "mid-p" => "PropCIs midPci",
        _ => "statsmodels proportion_confint(method=\"normal\")",
    };
    let test_ref = match o.test.name() {
        "fisher" => "R fisher.test; scipy fisher_exact",
        "barnard" => "scipy barnard_exact (groups as columns)",
        "boschloo" => "scipy boschloo_exact (groups as columns)",
        "z" | "chi2" => "R prop.test(correct = FALSE); statsmodels proportions_ztest",
        "chi2-yates" => "R chisq.test()",
        "g" => "scipy chi2_contingency(lambda_=\"log-likelihood\")",
        _ => "statsmodels test_proportions_2indep",
    };
    let mut rows: Vec<[String; 3]> = vec![
        [
            "Share in a group".into(),
            format!("{} interval", o.ci_method.display_name()),
            ci_ref.into(),
        ],
        [
            "Difference between groups".into(),
            format!("{} interval", o.difference_method.display_name()),
            "statsmodels confint_proportions_2indep(method=\"newcomb\"); DescTools BinomDiffCI"
                .into(),
        ],
        [
            "Test of equal shares".into(),
            format!("{} test, two-sided", o.test.display_name()),
            test_ref.into(),
        ],
        [
            "Multiplicity".into(),
            format!("{} across all comparisons of the questionnaire", o.adjustment.display_name()),
            "R p.adjust".into(),
        ],
    ];
    if !r.codebook.sets.is_empty() {
        rows.push([
            "Multi-response questions".into(),
            "Each answer a yes-no share of those answering; multiple marginal independence by Bilder and Loughin's X\u{00b2}_S with the second-order Rao-Scott adjustment, and Bonferroni".into(),
            "R MRCV MI.test(type = \"rs2\", \"bon\")".into(),
        ]);
    }
    let groups = r.codebook.grouping.levels.len();
    if groups > 2 {
        rows.push(["More than two groups".into(), "Pearson chi-square and exact Fisher-Freeman-Halton test; pairwise tests with significance letters".into(), "R chisq.test, fisher.test (r x c)".into()]);
    }
    if r.codebook.weighted() {
        rows.push([
            "Weighted shares".into(),
            format!(
                "{} interval, domains of the whole sample",
                o.weighted_ci_method.display_name()
            ),
            "R survey svyciprop, svyby".into(),
        ]);
        rows.push(["Weighted tests".into(), "Rao-Scott F test".into(), "R survey svychisq".into()]);
    }
    use crate::codebook::ClaimKind;
    let has = |f: fn(&ClaimKind) -> bool| r.codebook.claims.iter().any(|c| f(&c.kind));
    if has(|k| matches!(k, ClaimKind::Majority { .. })) {
        rows.push(["\"Majority\" claims".into(), "exact binomial test, one-sided against the threshold (and the other side for a contradiction)".into(), "R binom.test(alternative = \"greater\")".into()]);
    }
    if has(|k| matches!(k, ClaimKind::Ratio { .. })) {
        rows.push(["Ratio claims".into(), "risk ratio with Koopman score interval".into(), "statsmodels confint_proportions_2indep(compare=\"ratio\", method=\"score\", correction=False)".into()]);
    }
    if has(|k| matches!(k, ClaimKind::Paired { .. })) {
        rows.push([
            "Within-respondent claims".into(),
            "exact McNemar test over every joint table with the observed margins (Frechet bounds)"
                .into(),
            "R binom.test on the discordant pairs; exact2x2 mcnemar.exact".into(),
        ]);
    }
    if !r.codebook.figures.is_empty() {
        rows.push([
            "Published figures".into(),
            "exact interval semantics of the printed, rounded value".into(),
            "scrutiny GRIM (percent = TRUE), in integer arithmetic".into(),
        ]);
    }
    if r.waves.is_some() {
        rows.push([
            "Trends across waves".into(),
            "Cochran-Armitage test on the wave order".into(),
            "R prop.trend.test".into(),
        ]);
        rows.push([
            "Gap changes".into(),
            "difference in differences, Wald interval".into(),
            "hand computation from binomial standard errors".into(),
        ]);
    }
    let level = level_text(o.level.value());
    vec![
        table(
            &["Quantity", "Method", "Reference implementation"],
            rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect(),
        ),
        para(format!(
            "A {level} interval is the range of values compatible with the data at that level: if the survey were repeated many times, about {level} of such intervals would contain the true share. Whether two groups differ is judged by the test of their difference, not by whether their intervals overlap."
        )),
    ]
}

fn limitations(r: &Report) -> Vec<String> {
    let o = r
        .analysis
        .as_ref()
        .map(|a| a.options)
        .or(r.waves.as_ref().map(|w| w.options))
        .unwrap_or_default();
    let mut items = vec![
        "The intervals describe sampling error only. Self-selected samples, non-response and question wording can bias estimates by more than the intervals show.".to_string(),
        format!("Groups with fewer than {} respondents give wide intervals (marked \u{2020}); exact methods are used for the tests for that reason.", o.min_base),
    ];
    if r.reconstruction.is_some() {
        items.push("The respondent data are a reconstruction consistent with the published, rounded figures; the original answers may differ within the consistent ranges, and the joint answers across questions are unknown.".into());
    }
    if !r.claims.is_empty() {
        items.push(format!(
            "Published claims are judged at the {} level with {} adjustment across the questionnaire where several comparisons are made.",
            level_text(o.level.value()),
            o.adjustment.display_name()
        ));
    }
    if r.waves.is_some() {
        items.push(
            "Waves are treated as independent samples (a respondent in two waves counts twice)."
                .into(),
        );
    }
    items
}

fn software_table(r: &Report) -> Block {
    let o = r
        .analysis
        .as_ref()
        .map(|a| a.options)
        .or(r.waves.as_ref().map(|w| w.options))
        .unwrap_or_default();
    let mut rows = vec![vec![cell("Software"), cell(format!("invitestat {}", r.version))]];
    let mc = r.analysis.as_ref().is_some_and(|a| {
        a.group_tests.iter().any(|g| g.monte_carlo.is_some())
            || a.question_tests.iter().any(|q| q.monte_carlo.is_some())
    });
    let seed = match (&r.reconstruction, mc) {
        (Some(rec), true) => {
            format!("{} (reconstruction), {} (Monte Carlo tests)", rec.seed, o.seed)
        }
        (Some(rec), false) => format!("{} (reconstruction)", rec.seed),
        (None, true) => format!("{} (Monte Carlo tests)", o.seed),
        (None, false) => "none (no randomness used)".to_string(),
    };
    rows.push(vec![cell("Seed"), cell(seed)]);
    match &r.waves {
        Some(w) => {
            for x in &w.waves {
                rows.push(vec![
                    cell(crate::format::capitalised(&crate::format::wave(&x.label))),
                    cell(format!("{}, SHA-256 {}", x.load.file, x.load.sha256)),
                ]);
            }
        }
        None => rows.push(vec![
            cell("Responses"),
            cell(format!("{}, SHA-256 {}", r.load.file, r.load.sha256)),
        ]),
    }
    rows.push(vec![
        cell("Codebook"),
        cell(format!("{}, SHA-256 {}", r.codebook.path.display(), r.codebook.sha256)),
    ]);
    rows.push(vec![
        cell("Options"),
        cell(format!(
            "{} intervals, {} differences, {} test, {} adjustment, level {}, minimum base {}",
            o.ci_method.display_name(),
            o.difference_method.display_name(),
            o.test.display_name(),
            o.adjustment.display_name(),
            level_text(o.level.value()),
            o.min_base
        )),
    ]);
    table(&["Item", "Value"], rows)
}
