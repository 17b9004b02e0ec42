//! Multi-response questions as a whole: each one's test of multiple marginal
//! independence across the groups ([`crate::stats::multi_response`]), from the count
//! table's answer counts and the joint tables it keeps for every two answers. Each
//! answer's own share, interval and tests are those of its yes-no question.

use super::AnalysisOptions;
use crate::codebook::Codebook;
use crate::stats::multi_response::{MarginalIndependence, marginal_independence};
use crate::tabulate::CountTable;
use serde::Serialize;

/// The test of multiple marginal independence of one multi-response question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiResponseTestRow {
    /// The multi-response question's id.
    pub question: String,
    /// Its label.
    pub question_label: String,
    /// Its answers' question ids.
    pub answers: Vec<String>,
    /// Their labels.
    pub answer_labels: Vec<String>,
    /// Respondents answering the question, per group (groups in codebook order).
    pub respondents: Vec<u64>,
    /// The test (`None` when fewer than two groups answered, or no answer was ticked by
    /// some and not by all).
    pub test: Option<MarginalIndependence>,
    /// The significance level the test is judged at.
    pub alpha: f64,
    /// Whether the Rao-Scott adjusted p-value is below `alpha`.
    pub significant: bool,
    /// What the reader should know (answers left out; unweighted counts).
    pub note: String,
}

/// One row per multi-response question of the codebook.
pub fn multi_response_tests(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<MultiResponseTestRow> {
    let alpha = 1.0 - options.level.value();
    let groups = codebook.grouping.levels.len();
    codebook
        .sets
        .iter()
        .map(|set| {
            let qs = &set.questions;
            let n: Vec<u64> = (0..groups).map(|g| table.questions[qs[0]].answered(g)).collect();
            let ticked: Vec<Vec<u64>> = (0..groups)
                .map(|g| qs.iter().map(|&q| table.questions[q].count(0, g)).collect())
                .collect();
            let joint = |g: usize, a: usize, b: usize| -> u64 {
                if a == b {
                    return table.questions[a].count(0, g);
                }
                table
                    .pairs
                    .iter()
                    .find(|p| (p.a, p.b) == (a, b) || (p.a, p.b) == (b, a))
                    .map_or(0, |p| p.joint[[g, 1, 1]])
            };
            let both: Vec<Vec<Vec<u64>>> = (0..groups)
                .map(|g| qs.iter().map(|&a| qs.iter().map(|&b| joint(g, a, b)).collect()).collect())
                .collect();
            let test = marginal_independence(&n, &ticked, &both);
            let mut notes: Vec<String> = Vec::new();
            if let Some(t) = &test {
                let out: Vec<&str> = t
                    .answers_used
                    .iter()
                    .zip(qs)
                    .filter(|(used, _)| !**used)
                    .map(|(_, &q)| codebook.questions[q].id.as_str())
                    .collect();
                if !out.is_empty() {
                    notes.push(format!(
                        "left out (ticked by nobody or by everybody): {}",
                        out.join(", ")
                    ));
                }
            } else {
                notes.push(
                    "no test: fewer than two groups answered, or no answer was ticked by some and not by all"
                        .into(),
                );
            }
            if codebook.weighted() {
                notes.push(
                    "on the unweighted counts (the test assumes simple random sampling)".into(),
                );
            }
            MultiResponseTestRow {
                question: set.id.clone(),
                question_label: set.display_label().to_string(),
                answers: qs.iter().map(|&q| codebook.questions[q].id.clone()).collect(),
                answer_labels: qs
                    .iter()
                    .map(|&q| {
                        let label = codebook.questions[q].display_label();
                        label
                            .strip_prefix(&format!("{}: ", set.display_label()))
                            .unwrap_or(label)
                            .to_string()
                    })
                    .collect(),
                respondents: n,
                significant: test.as_ref().is_some_and(|t| t.rao_scott_p < alpha),
                test,
                alpha,
                note: notes.join("; "),
            }
        })
        .collect()
}
