//! Count tables: the sufficient statistics of a survey for proportions.
//!
//! For every question, an `options x groups` array of respondent counts (and of weight
//! sums and squared-weight sums, for weighted analyses), plus the number (and weight)
//! of missing answers per group and, for requested question pairs, the joint yes/yes table per
//! group (for within-respondent comparisons). Tables of the same codebook add up
//! ([`CountTable::merge`]), so shards counted separately combine into one analysis and
//! the result does not depend on how the rows were read.

use crate::codebook::{Codebook, QuestionKind};
use crate::data::Response;
use ndarray::{Array2, Array3};
use serde::Serialize;

/// Counts for one question.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QuestionCounts {
    /// Respondents choosing each option, `[option, group]`.
    pub counts: Array2<u64>,
    /// Sum of weights per `[option, group]`.
    pub weights: Array2<f64>,
    /// Sum of squared weights per `[option, group]`.
    pub weights_sq: Array2<f64>,
    /// Missing answers per group.
    pub missing: Vec<u64>,
    /// Sum of weights of the missing answers per group.
    pub missing_weights: Vec<f64>,
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PairCounts {
    /// Question index of the first item.
    pub a: usize,
    /// Question index of the second item.
    pub b: usize,
    /// `[group, a (1 = first option), b (1 = first option)]` counts.
    pub joint: Array3<u64>,
}

/// The count table of a whole study or wave.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
                    missing_weights: vec![0.0; g],
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
                None => {
                    q.missing[g] += 1;
                    q.missing_weights[g] += r.weight;
                }
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
            for (x, y) in a.missing_weights.iter_mut().zip(&b.missing_weights) {
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

/// A count table saved to a file, with what it was counted against.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CountsFile {
    /// Format tag, `invitestat-counts/1`.
    pub format: String,
    /// Study id of the codebook.
    pub study: String,
    /// SHA-256 of the codebook the rows were counted with.
    pub codebook_sha256: String,
    /// Question ids, in table order.
    pub questions: Vec<String>,
    /// Group ids, in table order.
    pub groups: Vec<String>,
    /// Rows read and used when counting.
    pub rows_read: u64,
    /// The counts.
    pub table: CountTable,
}

/// The format tag of [`CountsFile`].
pub const COUNTS_FORMAT: &str = "invitestat-counts/2";

/// A counts file that does not fit the codebook.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CountsError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a counts document.
    #[error("{path}: not an invitestat counts file: {message}")]
    Parse {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Written by another version of the counts format.
    #[error("{path}: counts format '{found}'; expected '{expected}' (count the rows again)")]
    Format {
        /// The file.
        path: std::path::PathBuf,
        /// Its format tag.
        found: String,
        /// The format this build reads.
        expected: &'static str,
    },
    /// Counted with another codebook.
    #[error(
        "{path}: counted with a different codebook (study '{study}', SHA-256 {found}); expected {expected}"
    )]
    Codebook {
        /// The file.
        path: std::path::PathBuf,
        /// Its study.
        study: String,
        /// Its codebook hash.
        found: String,
        /// This codebook's hash.
        expected: String,
    },
    /// Line-level problem in a long-format CSV of counts.
    #[error("{path}: line {line}: {message}; expected {expected}")]
    Row {
        /// The file.
        path: std::path::PathBuf,
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
        /// What the file should hold.
        expected: String,
    },
    /// The tables cannot be added.
    #[error(transparent)]
    Merge(#[from] MergeError),
}

impl CountsFile {
    /// Wraps a table counted with `codebook`.
    pub fn new(codebook: &Codebook, rows_read: u64, table: CountTable) -> Self {
        CountsFile {
            format: COUNTS_FORMAT.into(),
            study: codebook.study.id.clone(),
            codebook_sha256: codebook.sha256.clone(),
            questions: codebook.questions.iter().map(|q| q.id.clone()).collect(),
            groups: codebook.grouping.levels.iter().map(|l| l.id.clone()).collect(),
            rows_read,
            table,
        }
    }
}

/// Reads a counts file: the JSON written by `invitestat tabulate --counts-out`, or a
/// long-format CSV as an SQL `GROUP BY` produces it, with columns
/// `question,option,group,count,weight_sum,weight_sq_sum`:
/// - one row per question, answer code and group code (an empty option counts missing
///   answers);
/// - rows with question `*` and option `*` give the respondents per group;
/// - rows with question `A&B` and option `a&b` (each `1` or `0`: the first option or
///   not) give the joint yes/no table of a paired claim's two questions.
///
/// # Errors
/// [`CountsError`] naming the file (and line for CSV).
pub fn read_counts(
    path: &std::path::Path,
    codebook: &Codebook,
    pairs: &[(usize, usize)],
) -> Result<CountTable, CountsError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| CountsError::Io { path: path.to_path_buf(), source })?;
    if text.trim_start().starts_with('{') {
        let parse_error = |e: serde_json::Error| CountsError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        #[derive(serde::Deserialize)]
        struct FormatTag {
            format: String,
        }
        let tag: FormatTag = serde_json::from_str(&text).map_err(parse_error)?;
        if tag.format != COUNTS_FORMAT {
            return Err(CountsError::Format {
                path: path.to_path_buf(),
                found: tag.format,
                expected: COUNTS_FORMAT,
            });
        }
        let file: CountsFile = serde_json::from_str(&text).map_err(parse_error)?;
        if file.codebook_sha256 != codebook.sha256 {
            return Err(CountsError::Codebook {
                path: path.to_path_buf(),
                study: file.study,
                found: file.codebook_sha256,
                expected: codebook.sha256.clone(),
            });
        }
        return Ok(file.table);
    }
    let expected = "question,option,group,count,weight_sum,weight_sq_sum with the codebook's codes";
    let mut table = CountTable::new(codebook, pairs);
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let header_ok = rdr
        .headers()
        .map(|h| {
            h.iter().collect::<Vec<_>>()
                == ["question", "option", "group", "count", "weight_sum", "weight_sq_sum"]
        })
        .unwrap_or(false);
    if !header_ok {
        return Err(CountsError::Row {
            path: path.to_path_buf(),
            line: 1,
            message: "wrong header".into(),
            expected: expected.into(),
        });
    }
    for record in rdr.records() {
        let record = record
            .map_err(|e| CountsError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
        let line = record.position().map_or(0, csv::Position::line);
        let bad = |message: String| CountsError::Row {
            path: path.to_path_buf(),
            line,
            message,
            expected: expected.into(),
        };
        let group = codebook
            .grouping
            .levels
            .iter()
            .position(|l| l.code == record[2])
            .ok_or_else(|| bad(format!("unknown group code '{}'", &record[2])))?;
        let count: u64 = record[3]
            .parse()
            .map_err(|_| bad(format!("count '{}' is not a whole number", &record[3])))?;
        let w: f64 = record[4]
            .parse()
            .map_err(|_| bad(format!("weight_sum '{}' is not a number", &record[4])))?;
        let w2: f64 = record[5]
            .parse()
            .map_err(|_| bad(format!("weight_sq_sum '{}' is not a number", &record[5])))?;
        let (question, option) = (&record[0], &record[1]);
        if question == "*" {
            table.respondents[group] += count;
        } else if let Some((qa, qb)) = question.split_once('&') {
            let ia = codebook
                .question_index(qa)
                .ok_or_else(|| bad(format!("unknown question '{qa}'")))?;
            let ib = codebook
                .question_index(qb)
                .ok_or_else(|| bad(format!("unknown question '{qb}'")))?;
            let p = table
                .pairs
                .iter_mut()
                .find(|p| p.a == ia && p.b == ib)
                .ok_or_else(|| bad(format!("no paired claim uses {question}")))?;
            let (a, b) = option
                .split_once('&')
                .ok_or_else(|| bad(format!("pair option '{option}' is not a&b")))?;
            let flag = |v: &str| match v {
                "1" => Ok(1usize),
                "0" => Ok(0usize),
                _ => Err(bad(format!("pair option '{option}' must be 1 or 0 on each side"))),
            };
            p.joint[[group, flag(a)?, flag(b)?]] += count;
        } else {
            let qi = codebook
                .question_index(question)
                .ok_or_else(|| bad(format!("unknown question '{question}'")))?;
            let q = &mut table.questions[qi];
            if option.is_empty() {
                q.missing[group] += count;
                q.missing_weights[group] += w;
            } else {
                let oi = codebook.questions[qi]
                    .option_index(option)
                    .ok_or_else(|| bad(format!("unknown answer code '{option}' for {question}")))?;
                q.counts[[oi, group]] += count;
                q.weights[[oi, group]] += w;
                q.weights_sq[[oi, group]] += w2;
            }
        }
    }
    Ok(table)
}
