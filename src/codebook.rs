//! The codebook: what a study's CSV columns mean, and what the study published.
//!
//! One TOML file per study (`data/<study>/codebook.toml`) declares the respondent id
//! column, the grouping variable and its levels, optional weight and wave columns, the
//! questions (single-choice or yes/no) with their answer codes and which answers count
//! as missing, and the published figures and claims. [`Codebook::from_path`] reads and
//! validates it; every later step trusts it.

use crate::consistency::{Figure, Rounding};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A problem with a codebook file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodebookError {
    /// The file could not be read.
    #[error("cannot read codebook {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or does not match the codebook schema.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message, which names the line and column.
        message: String,
    },
    /// The codebook parses but is inconsistent (a figure naming an unknown question...).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Study metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Short id, used for the report folder (e.g. `executives-online`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Where the published figures come from.
    pub source: String,
    /// Unit of analysis ("respondent", "invitation").
    #[serde(default = "default_unit")]
    pub unit: String,
    /// Total sample size as published, if stated.
    pub published_total: Option<u64>,
    /// The rounding scheme assumed for the published figures.
    #[serde(default = "default_rounding")]
    pub rounding: String,
}

fn default_unit() -> String {
    "respondent".into()
}

fn default_rounding() -> String {
    "half-up".into()
}

/// A level of the grouping variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Id used in figures and claims (e.g. `recruiters`).
    pub id: String,
    /// Code in the CSV (e.g. `1`).
    pub code: String,
    /// Label for reports.
    pub label: String,
    /// The published size, as a phrase and a window (e.g. "almost 60" read as 55..=59).
    pub published_size: Option<SizeWindow>,
    /// A size assumed for reconstruction when none was published.
    pub assumed_size: Option<u64>,
}

/// A published, approximate group size.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeWindow {
    /// The phrase as printed.
    pub phrase: String,
    /// Smallest size the phrase allows.
    pub min: u64,
    /// Largest size the phrase allows.
    pub max: u64,
    /// A wider window of sizes to search when checking the figures' consistency
    /// (e.g. 50..=70 around "almost 60"); defaults to `min..=max`.
    pub search: Option<[u64; 2]>,
}

/// The grouping variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grouping {
    /// CSV column.
    pub column: String,
    /// Levels, in report order (the first is group 1 of every comparison).
    pub levels: Vec<Level>,
}

/// Question kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// One answer from several options.
    SingleChoice,
    /// Yes or no.
    YesNo,
}

/// An answer option.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    /// Code in the CSV.
    pub code: String,
    /// Label for reports.
    pub label: String,
}

/// A question (one CSV column).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Id, also the CSV column name.
    pub id: String,
    /// Wording (as the published text implies it).
    pub text: String,
    /// A short label for charts and tables (defaults to the wording).
    pub label: Option<String>,
    /// Kind.
    pub kind: QuestionKind,
    /// Options (for yes/no: the "yes" option first, then "no").
    pub options: Vec<AnswerOption>,
    /// Codes that mean "no answer" (an empty cell always does).
    #[serde(default)]
    pub missing: Vec<String>,
    /// Whether the published figures of this question are all reported (true) or the
    /// question is only context.
    #[serde(default = "yes")]
    pub analyse: bool,
}

fn yes() -> bool {
    true
}

impl Question {
    /// Index of an option code.
    pub fn option_index(&self, code: &str) -> Option<usize> {
        self.options.iter().position(|o| o.code == code)
    }

    /// The options that get their own row in the results: every option of a
    /// single-choice question, only the first ("yes") of a yes/no question.
    pub fn reported_options(&self) -> &[AnswerOption] {
        match self.kind {
            QuestionKind::SingleChoice => &self.options,
            QuestionKind::YesNo => &self.options[..1],
        }
    }
}

/// A figure as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedFigure {
    /// Id (e.g. `F1r`).
    pub id: String,
    /// Figure group in the study's table (e.g. `F1`).
    pub label: String,
    /// Question id.
    pub question: String,
    /// Option code.
    pub option: String,
    /// Group level id, or `all` for the whole sample.
    pub group: String,
    /// As printed, e.g. "87%" or "<1%".
    pub printed: String,
    /// The sentence it comes from.
    pub quote: String,
}

/// Kinds of published claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ClaimKind {
    /// A share exceeds a threshold in every listed group ("strong majorities").
    Majority {
        /// Question.
        question: String,
        /// Option.
        option: String,
        /// Groups (level ids or `all`).
        groups: Vec<String>,
        /// Threshold, e.g. 0.5.
        threshold: f64,
        /// Whether the claim also says the groups differ (false: it treats them alike).
        #[serde(default)]
        check_difference: bool,
    },
    /// One group's share is at least `value` times another's.
    Ratio {
        /// Question.
        question: String,
        /// Option.
        option: String,
        /// Group in the numerator.
        numerator: String,
        /// Group in the denominator.
        denominator: String,
        /// The claimed factor.
        value: f64,
        /// "more-than" or "about".
        relation: String,
    },
    /// Several groups differ on one question option (a k-group comparison).
    GroupsDiffer {
        /// Question.
        question: String,
        /// Option.
        option: String,
        /// Groups compared.
        groups: Vec<String>,
    },
    /// Within respondents, option A of question A is more common than option B of
    /// question B (a paired comparison).
    Paired {
        /// First question (claimed larger).
        question_a: String,
        /// Its option.
        option_a: String,
        /// Second question.
        question_b: String,
        /// Its option.
        option_b: String,
        /// Groups to check.
        groups: Vec<String>,
    },
    /// The two groups differ on each listed question option.
    Differ {
        /// `question:option` items.
        items: Vec<String>,
    },
}

/// A published claim. (Fields are flattened from the claim kind, so unknown fields
/// cannot be refused by serde here.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    /// Id (`C1`...).
    pub id: String,
    /// The claim's wording.
    pub text: String,
    /// What it asserts.
    #[serde(flatten)]
    pub kind: ClaimKind,
}

/// A count assumed for a group when only a whole-sample figure was published.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumedCount {
    /// Question.
    pub question: String,
    /// Option.
    pub option: String,
    /// Group.
    pub group: String,
    /// The count.
    pub count: u64,
    /// Why.
    pub why: String,
}

/// A whole codebook.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    /// Study metadata.
    pub study: Study,
    /// Respondent id column.
    pub id_column: String,
    /// Optional weight column (positive, finite).
    pub weight_column: Option<String>,
    /// Optional wave column.
    pub wave_column: Option<String>,
    /// Grouping variable.
    pub grouping: Grouping,
    /// Questions, in questionnaire order.
    pub questions: Vec<Question>,
    /// Published figures.
    #[serde(default)]
    pub figures: Vec<PublishedFigure>,
    /// Published claims.
    #[serde(default)]
    pub claims: Vec<Claim>,
    /// Counts assumed (not published) for the reconstruction.
    #[serde(default)]
    pub assumptions: Vec<AssumedCount>,
    /// Where the codebook was read from (not part of the file).
    #[serde(skip)]
    pub path: PathBuf,
    /// SHA-256 of the codebook file (not part of the file).
    #[serde(skip)]
    pub sha256: String,
}

impl Codebook {
    /// Reads and validates a codebook.
    ///
    /// # Errors
    /// [`CodebookError`] naming the file and, for syntax errors, the line and column.
    pub fn from_path(path: &Path) -> Result<Self, CodebookError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| CodebookError::Read { path: path.to_path_buf(), source })?;
        Self::from_toml(&text, path)
    }

    /// Parses and validates codebook text; `path` is used in messages only.
    ///
    /// # Errors
    /// As [`Codebook::from_path`].
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, CodebookError> {
        let mut cb: Codebook = toml::from_str(text).map_err(|e| CodebookError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        cb.path = path.to_path_buf();
        cb.sha256 = crate::data::loader::sha256_hex(text.as_bytes());
        cb.validate()?;
        Ok(cb)
    }

    fn invalid(&self, message: String) -> CodebookError {
        CodebookError::Invalid { path: self.path.clone(), message }
    }

    fn validate(&self) -> Result<(), CodebookError> {
        if Rounding::from_name(&self.study.rounding).is_none() {
            return Err(self.invalid(format!(
                "study.rounding '{}' is not a rounding scheme",
                self.study.rounding
            )));
        }
        if self.grouping.levels.len() < 2 {
            return Err(self.invalid("grouping needs at least two levels".into()));
        }
        let mut columns = HashSet::new();
        for c in [
            Some(&self.id_column),
            Some(&self.grouping.column),
            self.weight_column.as_ref(),
            self.wave_column.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if !columns.insert(c.as_str()) {
                return Err(self.invalid(format!("column '{c}' is declared twice")));
            }
        }
        let mut codes = HashSet::new();
        for l in &self.grouping.levels {
            if !codes.insert(&l.code) || l.id == "all" {
                return Err(self.invalid(format!(
                    "group level '{}' (code '{}') is duplicated or reserved",
                    l.id, l.code
                )));
            }
        }
        for q in &self.questions {
            if !columns.insert(q.id.as_str()) {
                return Err(self.invalid(format!("question '{}' duplicates another column", q.id)));
            }
            let want = if q.kind == QuestionKind::YesNo { 2 } else { q.options.len().max(2) };
            if q.options.len() != want || q.options.is_empty() {
                return Err(self.invalid(format!("question '{}' needs {} options", q.id, want)));
            }
            let mut seen = HashSet::new();
            for o in &q.options {
                if o.code.is_empty() || !seen.insert(&o.code) || q.missing.contains(&o.code) {
                    return Err(self.invalid(format!("question '{}': option code '{}' is empty, duplicated or also a missing code", q.id, o.code)));
                }
            }
        }
        for f in &self.figures {
            let q = self.question(&f.question).ok_or_else(|| {
                self.invalid(format!("figure {} names unknown question '{}'", f.id, f.question))
            })?;
            if q.option_index(&f.option).is_none() {
                return Err(self.invalid(format!(
                    "figure {} names unknown option '{}' of '{}'",
                    f.id, f.option, f.question
                )));
            }
            if f.group != "all" && self.level(&f.group).is_none() {
                return Err(
                    self.invalid(format!("figure {} names unknown group '{}'", f.id, f.group))
                );
            }
            f.printed
                .parse::<Figure>()
                .map_err(|e| self.invalid(format!("figure {}: {e}", f.id)))?;
        }
        Ok(())
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Index of a question.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    /// The group level with this id.
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.grouping.levels.iter().find(|l| l.id == id)
    }

    /// Index of a group level id.
    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.grouping.levels.iter().position(|l| l.id == id)
    }

    /// A group's published figures for one question, as `(option index, figure)`
    /// (`group` may be `all`).
    pub fn question_figures(&self, question: &str, group: &str) -> Vec<(usize, Figure)> {
        let Some(q) = self.question(question) else { return Vec::new() };
        self.figures
            .iter()
            .filter(|f| f.question == question && f.group == group)
            .map(|f| {
                (
                    q.option_index(&f.option).expect("validated"),
                    f.printed.parse().expect("validated"),
                )
            })
            .collect()
    }

    /// A group's published figures, one list per question that has any (the options of
    /// a question share a base).
    pub fn figures_by_question(&self, group: &str) -> Vec<Vec<Figure>> {
        self.questions
            .iter()
            .map(|q| {
                self.question_figures(&q.id, group).into_iter().map(|(_, f)| f).collect::<Vec<_>>()
            })
            .filter(|figs| !figs.is_empty())
            .collect()
    }

    /// The fewest missing answers, summed over a group's questions, that make every
    /// figure of the group reachable at size `n` (`None` if some question cannot be
    /// met with up to half the group missing).
    pub fn missing_needed(&self, group: &str, n: u64, rounding: Rounding) -> Option<u64> {
        self.figures_by_question(group)
            .iter()
            .map(|figs| crate::consistency::min_missing(figs, n, rounding, n / 2))
            .sum()
    }

    /// The assumed rounding scheme.
    pub fn rounding(&self) -> Rounding {
        Rounding::from_name(&self.study.rounding).expect("validated")
    }

    /// Every CSV column, in the order a file must have them.
    pub fn columns(&self) -> Vec<&str> {
        let mut c = vec![self.id_column.as_str(), self.grouping.column.as_str()];
        if let Some(w) = &self.weight_column {
            c.push(w);
        }
        if let Some(w) = &self.wave_column {
            c.push(w);
        }
        c.extend(self.questions.iter().map(|q| q.id.as_str()));
        c
    }
}
