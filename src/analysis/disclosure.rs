//! Small cells: which cells are left out of every output when suppression is asked
//! for, and everything they could be recovered from.

use super::{AnalysisResults, SuppressedCell};
use crate::codebook::Codebook;
use crate::tabulate::CountTable;

/// Removes the cells of groups answering a question on fewer than `threshold`
/// respondents from every table, with everything they could be recovered from: the
/// whole-sample row of a question with exactly one suppressed group (the total minus
/// the other groups would give it back), every comparison and test involving a
/// suppressed cell, and published-figure checks on it. The cells are listed in
/// [`AnalysisResults::suppressed`].
pub(super) fn suppress(
    results: &mut AnalysisResults,
    codebook: &Codebook,
    table: &CountTable,
    threshold: u64,
) {
    let levels = &codebook.grouping.levels;
    // (question id, group id) pairs hidden.
    let mut hidden: Vec<(String, String)> = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        let small: Vec<usize> =
            (0..levels.len()).filter(|&g| table.questions[qi].answered(g) < threshold).collect();
        for &g in &small {
            hidden.push((q.id.clone(), levels[g].id.clone()));
            results.suppressed.push(SuppressedCell {
                question: q.id.clone(),
                question_label: q.display_label().to_string(),
                group: levels[g].id.clone(),
                group_label: levels[g].label.clone(),
                reason: format!("fewer than {threshold} respondents answered"),
            });
        }
        if small.len() == 1 {
            hidden.push((q.id.clone(), "all".into()));
            results.suppressed.push(SuppressedCell {
                question: q.id.clone(),
                question_label: q.display_label().to_string(),
                group: "all".into(),
                group_label: codebook.group_label(crate::codebook::GroupRef::All).to_string(),
                reason: "with one group suppressed, the whole sample minus the other groups would reveal it".into(),
            });
        }
    }
    let is_hidden = |q: &str, g: &str| hidden.iter().any(|(hq, hg)| hq == q && hg == g);
    let question_hidden = |q: &str| hidden.iter().any(|(hq, _)| hq == q);
    results.results.retain(|r| !is_hidden(&r.question, &r.group));
    results
        .comparisons
        .retain(|c| !is_hidden(&c.question, &c.group_a) && !is_hidden(&c.question, &c.group_b));
    results.group_tests.retain(|t| !question_hidden(&t.question));
    results.question_tests.retain(|t| !question_hidden(&t.question));
    results.multi_response_tests.retain(|t| !t.answers.iter().any(|a| question_hidden(a)));
    results.weighted.retain(|w| !is_hidden(&w.question, &w.group));
    results.weighted_comparisons.retain(|w| !question_hidden(&w.question));
    results.figures.retain(|f| !is_hidden(&f.question, &f.group));
    results.figure_comparisons.retain(|f| !question_hidden(&f.question));
}
