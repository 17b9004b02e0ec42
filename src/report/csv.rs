//! The CSV files of a report, written with serde from the result rows: a row type
//! whose fields are all plain values is written as it is; one with nested fields (lists
//! of groups, ranges, Monte Carlo runs) through a flat view below. Every cell passes
//! through [`super::escape::spreadsheet`], and a number that is not finite is written
//! as an empty cell.

use super::Report;
use super::escape::csv_of;
use crate::analysis::{
    AnalysisOptions, BaseRecovery, FigureCheck, FigureComparison, GroupTestRow,
    MultiResponseTestRow, QuestionTestRow,
};
use crate::claims::ClaimVerdict;
use crate::codebook::Codebook;
use serde::Serialize;

/// `k/n` pairs as one cell.
fn fractions(counts: &[(u64, u64)]) -> String {
    counts.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct GroupTestCsv<'a> {
    question: &'a str,
    question_label: &'a str,
    option: &'a str,
    option_label: &'a str,
    groups: String,
    counts: String,
    chi2: Option<f64>,
    chi2_p_value: Option<f64>,
    exact_p_value: Option<f64>,
    monte_carlo_tables: Option<u64>,
    monte_carlo_seed: Option<u64>,
    rao_scott_p_value: Option<f64>,
    letters: String,
    weighted_letters: String,
    note: &'a str,
    small_base: bool,
}

impl<'a> From<&'a GroupTestRow> for GroupTestCsv<'a> {
    fn from(r: &'a GroupTestRow) -> Self {
        GroupTestCsv {
            question: &r.question,
            question_label: &r.question_label,
            option: &r.option,
            option_label: &r.option_label,
            groups: r.groups.join(" "),
            counts: fractions(&r.counts),
            chi2: r.chi2,
            chi2_p_value: r.chi2_p_value,
            exact_p_value: r.exact_p_value,
            monte_carlo_tables: r.monte_carlo.map(|(m, _)| m.replicates),
            monte_carlo_seed: r.monte_carlo.map(|(_, s)| s),
            rao_scott_p_value: r.rao_scott_p_value,
            letters: crate::format::letters(&r.group_letters, &r.letters),
            weighted_letters: if r.weighted_letters.is_empty() {
                String::new()
            } else {
                crate::format::letters(&r.group_letters, &r.weighted_letters)
            },
            note: &r.note,
            small_base: r.small_base,
        }
    }
}

#[derive(Serialize)]
struct QuestionTestCsv<'a> {
    question: &'a str,
    question_label: &'a str,
    table: String,
    chi2: Option<f64>,
    chi2_p_value: Option<f64>,
    exact_p_value: Option<f64>,
    monte_carlo_tables: Option<u64>,
    monte_carlo_seed: Option<u64>,
    rao_scott_p_value: Option<f64>,
    note: &'a str,
    small_base: bool,
}

impl<'a> From<&'a QuestionTestRow> for QuestionTestCsv<'a> {
    fn from(r: &'a QuestionTestRow) -> Self {
        QuestionTestCsv {
            question: &r.question,
            question_label: &r.question_label,
            table: r
                .table
                .iter()
                .map(|row| row.iter().map(u64::to_string).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(" | "),
            chi2: r.chi2,
            chi2_p_value: r.chi2_p_value,
            exact_p_value: r.exact_p_value,
            monte_carlo_tables: r.monte_carlo.map(|(m, _)| m.replicates),
            monte_carlo_seed: r.monte_carlo.map(|(_, s)| s),
            rao_scott_p_value: r.rao_scott_p_value,
            note: &r.note,
            small_base: r.small_base,
        }
    }
}

/// One row of `multi_response_tests.csv`: a multi-response question's test, its
/// answers' statistics joined by spaces in the answers' order.
#[derive(Serialize)]
struct MultiResponseTestCsv<'a> {
    question: &'a str,
    question_label: &'a str,
    answers: String,
    respondents: String,
    x2_s: Option<f64>,
    x2_answers: String,
    rao_scott: Option<f64>,
    rao_scott_df: Option<f64>,
    rao_scott_p_value: Option<f64>,
    bonferroni_p_value: Option<f64>,
    bonferroni_answers: String,
    significant: bool,
    note: &'a str,
}

impl<'a> From<&'a MultiResponseTestRow> for MultiResponseTestCsv<'a> {
    fn from(r: &'a MultiResponseTestRow) -> Self {
        let joined = |v: &[Option<f64>]| {
            v.iter()
                .map(|x| x.map_or_else(|| "NA".to_string(), |x| format!("{x}")))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let t = r.test.as_ref();
        MultiResponseTestCsv {
            question: &r.question,
            question_label: &r.question_label,
            answers: r.answers.join(" "),
            respondents: r.respondents.iter().map(u64::to_string).collect::<Vec<_>>().join(" "),
            x2_s: t.map(|t| t.x2_s),
            x2_answers: t.map_or_else(String::new, |t| joined(&t.x2_answers)),
            rao_scott: t.map(|t| t.rao_scott),
            rao_scott_df: t.map(|t| t.rao_scott_df),
            rao_scott_p_value: t.map(|t| t.rao_scott_p),
            bonferroni_p_value: t.map(|t| t.bonferroni_p),
            bonferroni_answers: t.map_or_else(String::new, |t| joined(&t.bonferroni_answers)),
            significant: r.significant,
            note: &r.note,
        }
    }
}

#[derive(Serialize)]
struct FigureCsv<'a> {
    id: &'a str,
    figure: &'a str,
    question: &'a str,
    question_label: &'a str,
    option: &'a str,
    option_label: &'a str,
    group: &'a str,
    group_label: &'a str,
    printed: &'a str,
    successes: u64,
    n: u64,
    estimate: Option<f64>,
    reproduced: bool,
    consistent_counts: String,
    consistent_min: Option<u64>,
    consistent_max: Option<u64>,
    small_base: bool,
}

impl<'a> From<&'a FigureCheck> for FigureCsv<'a> {
    fn from(f: &'a FigureCheck) -> Self {
        FigureCsv {
            id: &f.id,
            figure: &f.label,
            question: &f.question,
            question_label: &f.question_label,
            option: &f.option,
            option_label: &f.option_label,
            group: &f.group,
            group_label: &f.group_label,
            printed: &f.printed,
            successes: f.successes,
            n: f.n,
            estimate: f.estimate,
            reproduced: f.reproduced,
            consistent_counts: f
                .consistent_counts
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            consistent_min: f.consistent_range.map(|r| r.0),
            consistent_max: f.consistent_range.map(|r| r.1),
            small_base: f.small_base,
        }
    }
}

#[derive(Serialize)]
struct ConsistencyCsv<'a> {
    figure: &'a str,
    question: &'a str,
    question_label: &'a str,
    option: &'a str,
    option_label: &'a str,
    printed_a: &'a str,
    n_a: u64,
    printed_b: &'a str,
    n_b: u64,
    combinations: Option<u64>,
    difference_min: Option<f64>,
    difference_max: Option<f64>,
    ci_lower_min: Option<f64>,
    ci_upper_max: Option<f64>,
    p_value_min: Option<f64>,
    p_value_max: Option<f64>,
    ci_method: &'static str,
    test: &'static str,
    note: &'a str,
}

impl<'a> ConsistencyCsv<'a> {
    fn new(c: &'a FigureComparison, options: &AnalysisOptions, codebook: &'a Codebook) -> Self {
        let q = codebook.question(&c.question);
        let option_label = q
            .and_then(|q| q.options.iter().find(|o| o.code == c.option))
            .map_or("", |o| o.label.as_str());
        let r = c.range.as_ref();
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        ConsistencyCsv {
            figure: &c.label,
            question: &c.question,
            question_label: q.map_or("", |q| q.display_label()),
            option: &c.option,
            option_label,
            printed_a: &c.first.0,
            n_a: c.first.1,
            printed_b: &c.second.0,
            n_b: c.second.1,
            combinations: r.map(|r| r.combinations),
            difference_min: finite(r.map(|r| r.difference.0)),
            difference_max: finite(r.map(|r| r.difference.1)),
            ci_lower_min: finite(r.map(|r| r.interval.0)),
            ci_upper_max: finite(r.map(|r| r.interval.1)),
            p_value_min: finite(r.map(|r| r.p_value.0)),
            p_value_max: finite(r.map(|r| r.p_value.1)),
            ci_method: options.difference_method.name(),
            test: options.test.name(),
            note: &c.note,
        }
    }
}

#[derive(Serialize)]
struct BaseCsv<'a> {
    group: &'a str,
    group_label: &'a str,
    phrase: &'a str,
    rounding: &'static str,
    n: u64,
    allowed_by_phrase: bool,
    fits_one_base: bool,
    missing_answers_needed: Option<u64>,
}

fn bases(recovery: &[BaseRecovery]) -> Vec<BaseCsv<'_>> {
    recovery
        .iter()
        .flat_map(|b| {
            b.fits.iter().map(move |f| BaseCsv {
                group: &b.group,
                group_label: &b.group_label,
                phrase: &b.phrase,
                rounding: f.rounding.name(),
                n: f.n,
                allowed_by_phrase: f.n >= b.allowed.0 && f.n <= b.allowed.1,
                fits_one_base: f.fits,
                missing_answers_needed: f.missing_needed,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct ClaimCsv<'a> {
    id: &'a str,
    claim: &'a str,
    verdict: &'static str,
    depends_on_reconstruction: bool,
    summary: &'a str,
}

impl<'a> From<&'a ClaimVerdict> for ClaimCsv<'a> {
    fn from(c: &'a ClaimVerdict) -> Self {
        ClaimCsv {
            id: &c.id,
            claim: &c.text,
            verdict: c.verdict.name(),
            depends_on_reconstruction: c.depends_on_reconstruction,
            summary: &c.summary,
        }
    }
}

/// A CSV document of rows converted to their flat view.
fn view<'a, T: 'a, V: Serialize + From<&'a T>>(rows: &'a [T]) -> Result<String, csv::Error> {
    let flat: Vec<V> = rows.iter().map(V::from).collect();
    csv_of(&flat)
}

/// The CSV files of a report that has rows for them, as `(name, text)`.
///
/// # Errors
/// The csv writer's (none in memory).
pub fn files(r: &Report) -> Result<Vec<(String, String)>, csv::Error> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, text: String| {
        // A table without rows is left out (its header alone says nothing).
        if text.lines().count() > 1 {
            out.push((name.to_string(), text));
        }
    };
    if let Some(a) = &r.analysis {
        add("results.csv", csv_of(&a.results)?);
        add("comparisons.csv", csv_of(&a.comparisons)?);
        add("group_tests.csv", view::<_, GroupTestCsv>(&a.group_tests)?);
        add("question_tests.csv", view::<_, QuestionTestCsv>(&a.question_tests)?);
        add("multi_response_tests.csv", view::<_, MultiResponseTestCsv>(&a.multi_response_tests)?);
        add("weighted.csv", csv_of(&a.weighted)?);
        add("weighted_comparisons.csv", csv_of(&a.weighted_comparisons)?);
        add("figures.csv", view::<_, FigureCsv>(&a.figures)?);
        let consistency: Vec<ConsistencyCsv<'_>> = a
            .figure_comparisons
            .iter()
            .map(|c| ConsistencyCsv::new(c, &a.options, &r.codebook))
            .collect();
        add("consistency.csv", csv_of(&consistency)?);
        add("bases.csv", csv_of(&bases(&a.base_recovery))?);
        add("suppressed.csv", csv_of(&a.suppressed)?);
    }
    if let Some(w) = &r.waves {
        add("waves.csv", csv_of(&w.rows)?);
        add("trends.csv", csv_of(&w.trends)?);
        add("gaps.csv", csv_of(&w.gaps)?);
        add("weighted_waves.csv", csv_of(&w.weighted_rows)?);
        add("weighted_trends.csv", csv_of(&w.weighted_trends)?);
        add("weighted_gaps.csv", csv_of(&w.weighted_gaps)?);
    }
    add("claims.csv", view::<_, ClaimCsv>(&r.claims)?);
    Ok(out)
}
