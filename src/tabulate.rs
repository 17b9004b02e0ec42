//! Count tables: the sufficient statistics of a survey for proportions.
//!
//! For every question, an `options x groups` array of respondent counts (and of weight
//! sums and squared-weight sums, for weighted analyses), plus the number of missing
//! answers per group and, for requested question pairs, the joint yes/yes table per
//! group (for within-respondent comparisons). Tables of the same codebook add up
//! ([`CountTable::merge`]), so shards counted separately combine into one analysis and
//! the result does not depend on how the rows were read.

use crate::codebook::{Codebook, QuestionKind};
use crate::data::Response;
use ndarray::{Array2, Array3};
use serde::Serialize;

/// Counts for one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionCounts {
    /// Respondents choosing each option, `[option, group]`.
    pub counts: Array2<u64>,
    /// Sum of weights per `[option, group]`.
    pub weights: Array2<f64>,
    /// Sum of squared weights per `[option, group]`.
    pub weights_sq: Array2<f64>,
    /// Missing answers per group.
    pub missing: Vec<u64>,
}

impl QuestionCounts {
    /// Respondents answering, per group.
    pub fn answered(&self, group: usize) -> u64 {
        self.counts.column(group).sum()
    }

    /// Respondents choosing `option` in `group`.
    pub fn count(&self, option: usize, group: usize) -> u64 {
        self.counts[[option, group]]
    }
}

/// A joint table of two yes/no questions per group: `[group, a_yes, b_yes]`, among
/// respondents answering both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairCounts {
    /// Question index of the first item.
    pub a: usize,
    /// Question index of the second item.
    pub b: usize,
    /// `[group, a (1 = first option), b (1 = first option)]` counts.
    pub joint: Array3<u64>,
}

/// The count table of a whole study or wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountTable {
    /// Number of group levels.
    pub groups: usize,
    /// Respondents per group.
    pub respondents: Vec<u64>,
    /// Per question, in codebook order.
    pub questions: Vec<QuestionCounts>,
    /// Joint tables for question pairs.
    pub pairs: Vec<PairCounts>,
}

/// Two count tables that cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("count tables do not match: {0}")]
pub struct MergeError(pub String);

impl CountTable {
    /// An empty table for `codebook`, keeping joint tables for `pairs` of question
    /// indices (each must be a yes/no question).
    pub fn new(codebook: &Codebook, pairs: &[(usize, usize)]) -> Self {
        let g = codebook.grouping.levels.len();
        CountTable {
            groups: g,
            respondents: vec![0; g],
            questions: codebook
                .questions
                .iter()
                .map(|q| QuestionCounts {
                    counts: Array2::zeros((q.options.len(), g)),
                    weights: Array2::zeros((q.options.len(), g)),
                    weights_sq: Array2::zeros((q.options.len(), g)),
                    missing: vec![0; g],
                })
                .collect(),
            pairs: pairs
                .iter()
                .filter(|(a, b)| {
                    codebook.questions[*a].kind == QuestionKind::YesNo
                        && codebook.questions[*b].kind == QuestionKind::YesNo
                })
                .map(|&(a, b)| PairCounts { a, b, joint: Array3::zeros((g, 2, 2)) })
                .collect(),
        }
    }

    /// Adds one respondent.
    pub fn add(&mut self, r: &Response) {
        let g = r.group;
        self.respondents[g] += 1;
        for (q, answer) in self.questions.iter_mut().zip(&r.answers) {
            match answer {
                Some(o) => {
                    q.counts[[*o, g]] += 1;
                    q.weights[[*o, g]] += r.weight;
                    q.weights_sq[[*o, g]] += r.weight * r.weight;
                }
                None => q.missing[g] += 1,
            }
        }
        for p in &mut self.pairs {
            if let (Some(a), Some(b)) = (r.answers[p.a], r.answers[p.b]) {
                p.joint[[g, usize::from(a == 0), usize::from(b == 0)]] += 1;
            }
        }
    }

    /// Adds another table of the same codebook.
    ///
    /// # Errors
    /// [`MergeError`] when shapes differ.
    pub fn merge(&mut self, other: &CountTable) -> Result<(), MergeError> {
        if self.groups != other.groups || self.questions.len() != other.questions.len() {
            return Err(MergeError("different number of groups or questions".into()));
        }
        for (a, b) in self.questions.iter().zip(&other.questions) {
            if a.counts.dim() != b.counts.dim() {
                return Err(MergeError("a question has a different number of options".into()));
            }
        }
        if self.pairs.len() != other.pairs.len()
            || self.pairs.iter().zip(&other.pairs).any(|(a, b)| (a.a, a.b) != (b.a, b.b))
        {
            return Err(MergeError("different question pairs".into()));
        }
        for (a, b) in self.respondents.iter_mut().zip(&other.respondents) {
            *a += b;
        }
        for (a, b) in self.questions.iter_mut().zip(&other.questions) {
            a.counts += &b.counts;
            a.weights += &b.weights;
            a.weights_sq += &b.weights_sq;
            for (x, y) in a.missing.iter_mut().zip(&b.missing) {
                *x += y;
            }
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.joint += &b.joint;
        }
        Ok(())
    }

    /// Total respondents.
    pub fn total(&self) -> u64 {
        self.respondents.iter().sum()
    }
}
