//! The codebook: what a study's CSV columns mean, and what the study published.
//!
//! One TOML file per study (`data/<study>/codebook.toml`) declares the respondent id
//! column, the grouping variable and its levels, optional weight and wave columns, the
//! questions (single-choice or yes/no) with their answer codes and which answers count
//! as missing, nets (several codes of a question reported as one answer) and
//! multi-response questions, and the published figures and claims. A net and each
//! answer of a multi-response question become yes-no questions of their own, derived
//! from their columns ([`Source`]), so every later stage counts, tests, charts and
//! reports them as it does any yes-no question; [`Codebook::sets`] keeps each
//! multi-response question whole for its test of multiple marginal independence. [`Codebook::from_path`] reads it
//! and validates everything once: every reference (question, answer, group), every
//! printed figure, threshold and window, and every key (an unknown key is an error, not
//! ignored). What it returns is typed: figures are parsed [`Figure`]s, groups are
//! [`GroupRef`]s and answers are [`ItemRef`]s holding validated indices, so later
//! stages never look a name up again and cannot meet an unknown one.
//!
//! Errors name the file, the line and column of the offending key and what was
//! expected.

mod schema;

use crate::consistency::{Figure, Rounding};
use std::path::{Path, PathBuf};

/// Largest codebook file read.
pub const MAX_CODEBOOK_BYTES: u64 = 16 << 20;

/// Largest published or assumed size (a total, a group size, a window's end): a
/// reconstruction builds that many rows in memory.
pub const MAX_PUBLISHED_SIZE: u64 = 1_000_000;

/// Widest window of group sizes searched when checking published figures (each size
/// is checked under every rounding scheme).
pub const MAX_SIZE_WINDOW: u64 = 1_000;

/// Most questions in a codebook.
pub const MAX_QUESTIONS: usize = 10_000;

/// Most answer options of a question, and most group levels.
pub const MAX_OPTIONS: usize = 1_000;

/// A problem with a codebook file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodebookError {
    /// The file could not be read.
    #[error("cannot read codebook {}: {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        cause: std::io::Error,
    },
    /// The file is too large to be a codebook.
    #[error("{}: {bytes} bytes; a codebook is at most {MAX_CODEBOOK_BYTES} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The TOML is malformed, or a key is unknown, missing or of the wrong type.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based, in characters).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The codebook parses but is inconsistent (a figure naming an unknown question, a
    /// threshold outside (0, 1), ...).
    #[error("{}: line {line}, column {column}: {key}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Line of the offending key (1-based).
        line: usize,
        /// Its column (1-based, in characters).
        column: usize,
        /// The key, e.g. `claims[2].threshold`.
        key: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Study metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// Short id, used in reports (e.g. `executives-online`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Where the published figures come from.
    pub source: String,
    /// Unit of analysis ("respondent", "invitation").
    pub unit: String,
    /// Total sample size as published, if stated.
    pub published_total: Option<u64>,
    /// The rounding scheme assumed for the published figures.
    pub rounding: Rounding,
}

/// A level of the grouping variable.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct SizeWindow {
    /// The phrase as printed.
    pub phrase: String,
    /// Smallest size the phrase allows.
    pub min: u64,
    /// Largest size the phrase allows.
    pub max: u64,
    /// The window of sizes searched when checking the figures' consistency (e.g.
    /// 50..=70 around "almost 60"; `min..=max` unless the codebook widens it).
    pub search: (u64, u64),
}

/// The grouping variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// CSV column.
    pub column: String,
    /// Levels, in report order (the first is group 1 of every comparison).
    pub levels: Vec<Level>,
}

/// Question kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionKind {
    /// One answer from several options.
    SingleChoice,
    /// Yes or no.
    YesNo,
}

/// An answer option.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerOption {
    /// Code in the CSV.
    pub code: String,
    /// Label for reports.
    pub label: String,
}

/// A question (one CSV column).
#[derive(Debug, Clone, PartialEq)]
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
    pub missing: Vec<String>,
    /// Whether the published figures of this question are all reported (true) or the
    /// question is only context.
    pub analyse: bool,
    /// Where its answers come from.
    pub source: Source,
}

/// Where a question's answers come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Its own column, named by its id.
    Column,
    /// A net of a single-choice question (by index): yes when that question's answer is
    /// one of `options` (indices), missing when its answer is.
    Net {
        /// The question netted.
        question: usize,
        /// Its options counted as yes.
        options: Vec<usize>,
    },
    /// One answer of a multi-response question ([`Codebook::sets`], by index): yes when
    /// ticked, missing when the respondent answered none of the set's columns.
    Answer {
        /// The set.
        set: usize,
        /// The answer's position in the set.
        answer: usize,
    },
    /// A net of a multi-response question: yes when any of `answers` (positions in the
    /// set) is ticked, missing when the set is.
    SetNet {
        /// The set.
        set: usize,
        /// Its answers counted.
        answers: Vec<usize>,
    },
}

/// A multi-response ("select all that apply") question. Each answer is a yes-no
/// question of its own ([`MultiResponse::questions`]); a respondent answered the set
/// when any of its columns holds a code that is not empty or missing, and otherwise
/// is missing for every answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiResponse {
    /// Id.
    pub id: String,
    /// Wording.
    pub text: String,
    /// A short label for charts and tables.
    pub label: Option<String>,
    /// Its columns.
    pub columns: Vec<String>,
    /// How the columns hold the answers.
    pub coding: Coding,
    /// Codes that mean "no answer" in its columns (an empty cell always does).
    pub missing: Vec<String>,
    /// The answers' yes-no questions (indices), in the set's order.
    pub questions: Vec<usize>,
}

impl MultiResponse {
    /// The label for charts and tables: the short label, or the wording.
    pub fn display_label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.text)
    }
}

/// How a multi-response question's columns hold its answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Coding {
    /// One column per answer (SPSS's multiple dichotomy set): the code `counted` means
    /// ticked; any other code, or an empty cell, not ticked.
    Dichotomies {
        /// The code that means ticked.
        counted: String,
        /// The codes that mean not ticked.
        not_counted: Vec<String>,
    },
    /// Columns that each hold one answer given, by its code (SPSS's multiple category
    /// set): answer `j` is ticked when any column holds `codes[j]`.
    Categories {
        /// The answers' codes.
        codes: Vec<String>,
    },
}

impl Question {
    /// Index of an option code.
    pub fn option_index(&self, code: &str) -> Option<usize> {
        self.options.iter().position(|o| o.code == code)
    }

    /// The options that get their own row in the results, as `(index, option)`: every
    /// option of a single-choice question, only the first ("yes") of a yes/no question.
    pub fn reported_options(&self) -> impl Iterator<Item = (usize, &AnswerOption)> {
        let n = match self.kind {
            QuestionKind::SingleChoice => self.options.len(),
            QuestionKind::YesNo => 1,
        };
        self.options.iter().enumerate().take(n)
    }

    /// The label for charts and tables: the short label, or the wording.
    pub fn display_label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.text)
    }
}

/// The group a figure or claim is about: everyone, or one level of the grouping
/// variable (by index, validated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupRef {
    /// The whole sample (`all` in the codebook).
    All,
    /// One level.
    Level(usize),
}

impl GroupRef {
    /// The level index, or `None` for the whole sample.
    pub fn level(self) -> Option<usize> {
        match self {
            GroupRef::All => None,
            GroupRef::Level(g) => Some(g),
        }
    }
}

/// One answer of one question, by validated indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemRef {
    /// Question index.
    pub question: usize,
    /// Option index within the question.
    pub option: usize,
}

/// A figure as published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedFigure {
    /// Id (e.g. `F1r`).
    pub id: String,
    /// Figure group in the study's table (e.g. `F1`).
    pub label: String,
    /// The answer it reports.
    pub item: ItemRef,
    /// The group it reports on.
    pub group: GroupRef,
    /// As printed, e.g. "87%" or "<1%".
    pub printed: Figure,
    /// The sentence it comes from.
    pub quote: String,
}

/// How a ratio claim relates the data to its factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioRelation {
    /// "more than three times as likely" (`more-than`).
    MoreThan,
    /// "50x more likely" (`about`).
    About,
}

/// Kinds of published claims.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimKind {
    /// A share exceeds a threshold in every listed group ("strong majorities").
    Majority {
        /// The answer.
        item: ItemRef,
        /// Groups.
        groups: Vec<GroupRef>,
        /// Threshold, in (0, 1), e.g. 0.5.
        threshold: f64,
        /// Whether the claim also says the groups differ (false: it treats them alike).
        check_difference: bool,
    },
    /// One group's share is at least `value` times another's.
    Ratio {
        /// The answer.
        item: ItemRef,
        /// Group in the numerator.
        numerator: GroupRef,
        /// Group in the denominator.
        denominator: GroupRef,
        /// The claimed factor (positive, finite).
        value: f64,
        /// "more-than" or "about".
        relation: RatioRelation,
    },
    /// Several groups differ on one answer (a k-group comparison).
    GroupsDiffer {
        /// The answer.
        item: ItemRef,
        /// Levels compared (at least two, distinct).
        groups: Vec<usize>,
    },
    /// Within respondents, answer `a` is more common than answer `b` (two yes/no
    /// questions; a paired comparison).
    Paired {
        /// The answer claimed more common.
        a: ItemRef,
        /// The other answer.
        b: ItemRef,
        /// Groups to check.
        groups: Vec<GroupRef>,
    },
    /// The first two groups differ on each listed answer.
    Differ {
        /// The answers.
        items: Vec<ItemRef>,
    },
}

/// A published claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// Id (`C1`...).
    pub id: String,
    /// The claim's wording.
    pub text: String,
    /// What it asserts.
    pub kind: ClaimKind,
}

/// A count assumed for a group when only a whole-sample figure was published.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumedCount {
    /// The answer.
    pub item: ItemRef,
    /// The level.
    pub group: usize,
    /// The count.
    pub count: u64,
    /// Why.
    pub why: String,
}

/// Where in the codebook a column was declared, for messages about a responses file
/// that lacks it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnOrigin {
    /// The column name.
    pub column: String,
    /// The key that declares it (`grouping.column`, `questions[3].id`).
    pub key: String,
    /// Its line in the codebook.
    pub line: usize,
}

/// A whole codebook, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook {
    /// Study metadata.
    pub study: Study,
    /// Respondent id column.
    pub id_column: String,
    /// Optional weight column (non-negative, finite).
    pub weight_column: Option<String>,
    /// Optional wave column.
    pub wave_column: Option<String>,
    /// The sampling design, when declared (`[design]`).
    pub design: Option<SurveyDesign>,
    /// Weights built from population margins, when declared (`[weighting]`).
    pub weighting: Option<Weighting>,
    /// Grouping variable.
    pub grouping: Grouping,
    /// Questions, in questionnaire order (a net right after its question, a
    /// multi-response question's answers in its place).
    pub questions: Vec<Question>,
    /// Multi-response questions.
    pub sets: Vec<MultiResponse>,
    /// Published figures.
    pub figures: Vec<PublishedFigure>,
    /// Published claims.
    pub claims: Vec<Claim>,
    /// Counts assumed (not published) for the reconstruction.
    pub assumptions: Vec<AssumedCount>,
    /// Where each column was declared.
    pub column_origins: Vec<ColumnOrigin>,
    /// Where the codebook was read from.
    pub path: PathBuf,
    /// SHA-256 of the codebook file.
    pub sha256: String,
}

/// A sampling design (the codebook's `[design]` table): strata, first-stage clusters
/// and a finite population correction, analysed by linearisation (R `svydesign(ids =
/// ~cluster, strata = ~stratum, fpc = ~fpc, nest = TRUE)`), or replicate weights (R
/// `svrepdesign(combined.weights = TRUE)`).
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyDesign {
    /// Stratum column.
    pub strata_column: Option<String>,
    /// First-stage cluster (PSU) column; cluster codes are nested in strata.
    pub cluster_column: Option<String>,
    /// Finite population correction column: per stratum the number of PSUs in the
    /// population, or (when every value is at most 1) the sampling fraction.
    pub fpc_column: Option<String>,
    /// What a stratum of one PSU contributes.
    pub lonely_psu: crate::stats::design::LonelyPsu,
    /// Replicate weights, instead of strata and clusters.
    pub replicates: Option<ReplicateWeights>,
}

impl SurveyDesign {
    /// The design's own columns.
    pub fn columns(&self) -> Vec<&str> {
        let mut c: Vec<&str> = [&self.strata_column, &self.cluster_column, &self.fpc_column]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if let Some(r) = &self.replicates {
            c.extend(r.columns.iter().map(String::as_str));
        }
        c
    }
}

/// Weights built from population margins (the codebook's `[weighting]` table): each
/// respondent's base weight (the weight column's, or 1) times a factor of the
/// respondent's calibration cell, the combination of its weighting variables'
/// categories (see [`crate::stats::calibration`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    /// The method and its settings.
    pub method: crate::stats::calibration::Method,
    /// The weighting variables; a respondent's calibration cell is the mixed-radix
    /// number of its categories, the first variable the most significant.
    pub variables: Vec<WeightingVariable>,
    /// The margins over the calibration cells.
    pub margins: crate::stats::calibration::Margins,
}

/// A variable the weights are calibrated on.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightingVariable {
    /// Its name: the grouping column, a question's id or a column of its own.
    pub name: String,
    /// Where its value is read.
    pub source: WeightingSource,
    /// Its category codes.
    pub codes: Vec<String>,
}

/// Where a weighting variable's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightingSource {
    /// The grouping column (the categories are the levels).
    Group,
    /// A question read from its own column (the categories are its options).
    Question(usize),
    /// A column used only for weighting (the categories are the margins' codes).
    Column,
}

impl Weighting {
    /// Calibration cells.
    pub fn cells(&self) -> usize {
        self.margins.cells()
    }

    /// The label of a calibration cell: its variables' codes.
    pub fn cell_label(&self, cell: usize) -> String {
        let mut rest = cell;
        let mut codes = vec![""; self.variables.len()];
        for (i, v) in self.variables.iter().enumerate().rev() {
            codes[i] = &v.codes[rest % v.codes.len()];
            rest /= v.codes.len();
        }
        codes.join(":")
    }
}

/// Replicate-weight methods (R `svrepdesign(type = ...)`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum ReplicateKind {
    /// Delete-one-PSU jackknife, unstratified (`"JK1"`): scale `(R - 1) / R`.
    Jk1,
    /// Stratified jackknife (`"JKn"`): scale 1, `rscales` `(n_h - 1) / n_h` given.
    Jkn,
    /// Balanced repeated replication (`"BRR"`): scale `1 / R`.
    Brr,
    /// Fay's BRR with factor `rho` (`"Fay"`): scale `1 / (R (1 - rho)^2)`.
    Fay {
        /// Fay's factor.
        rho: f64,
    },
    /// Bootstrap (`"bootstrap"`): scale `1 / (R - 1)`.
    Bootstrap,
    /// Successive difference replication (`"successive-difference"`): scale `4 / R`.
    Sdr,
    /// Scale and `rscales` as given (`"other"`).
    Other,
}

impl ReplicateKind {
    /// R's name.
    pub fn name(self) -> &'static str {
        match self {
            ReplicateKind::Jk1 => "JK1",
            ReplicateKind::Jkn => "JKn",
            ReplicateKind::Brr => "BRR",
            ReplicateKind::Fay { .. } => "Fay",
            ReplicateKind::Bootstrap => "bootstrap",
            ReplicateKind::Sdr => "successive-difference",
            ReplicateKind::Other => "other",
        }
    }
}

/// Replicate weights: their columns and how their estimates combine.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateWeights {
    /// The method.
    pub kind: ReplicateKind,
    /// One column per replicate, each a full (combined) weight.
    pub columns: Vec<String>,
    /// The scales (R's defaults for the method unless given).
    pub scales: crate::stats::design::ReplicateScales,
}

impl Codebook {
    /// Whether the analysis is design-based: a weight column or a design is declared.
    pub fn weighted(&self) -> bool {
        self.weight_column.is_some() || self.design.is_some() || self.weighting.is_some()
    }

    /// Reads and validates a codebook.
    ///
    /// # Errors
    /// [`CodebookError`] naming the file, and the line and column of the problem.
    ///
    /// # Examples
    /// ```
    /// use invitestat::codebook::Codebook;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online/codebook.toml");
    /// let codebook = Codebook::from_path(std::path::Path::new(path))?;
    /// assert_eq!(codebook.grouping.levels[0].id, "recruiters");
    /// # Ok::<(), invitestat::codebook::CodebookError>(())
    /// ```
    pub fn from_path(path: &Path) -> Result<Self, CodebookError> {
        let read = |cause| CodebookError::Read { path: path.to_path_buf(), cause };
        let bytes = std::fs::metadata(path).map_err(read)?.len();
        if bytes > MAX_CODEBOOK_BYTES {
            return Err(CodebookError::TooLarge { path: path.to_path_buf(), bytes });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Self::from_toml(&text, path)
    }

    /// Parses and validates codebook text; `path` is used in messages only.
    ///
    /// # Errors
    /// As [`Codebook::from_path`].
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, CodebookError> {
        schema::parse(text, path)
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

    /// The id of a group as the codebook writes it (`all` for the whole sample).
    pub fn group_id(&self, group: GroupRef) -> &str {
        match group {
            GroupRef::All => "all",
            GroupRef::Level(g) => &self.grouping.levels[g].id,
        }
    }

    /// The label of a group for reports.
    pub fn group_label(&self, group: GroupRef) -> &str {
        match group {
            GroupRef::All => "Everyone",
            GroupRef::Level(g) => &self.grouping.levels[g].label,
        }
    }

    /// The question of an item.
    pub fn item_question(&self, item: ItemRef) -> &Question {
        &self.questions[item.question]
    }

    /// The answer option of an item.
    pub fn item_option(&self, item: ItemRef) -> &AnswerOption {
        &self.questions[item.question].options[item.option]
    }

    /// `question=code`, as summaries print an item.
    pub fn item_key(&self, item: ItemRef) -> String {
        format!("{}={}", self.item_question(item).id, self.item_option(item).code)
    }

    /// The published figure of an answer in a group, if any.
    pub fn figure_for(&self, item: ItemRef, group: GroupRef) -> Option<&Figure> {
        self.figures.iter().find(|f| f.item == item && f.group == group).map(|f| &f.printed)
    }

    /// A group's published figures for one question, as `(option index, figure)`.
    pub fn question_figures(&self, question: usize, group: GroupRef) -> Vec<(usize, &Figure)> {
        self.figures
            .iter()
            .filter(|f| f.item.question == question && f.group == group)
            .map(|f| (f.item.option, &f.printed))
            .collect()
    }

    /// A group's published figures, one list per question that has any (the options of
    /// a question share a base).
    pub fn figures_by_question(&self, group: GroupRef) -> Vec<Vec<Figure>> {
        (0..self.questions.len())
            .map(|q| self.question_figures(q, group).into_iter().map(|(_, f)| f.clone()).collect())
            .filter(|figs: &Vec<Figure>| !figs.is_empty())
            .collect()
    }

    /// The fewest missing answers, summed over a group's questions, that make every
    /// figure of the group reachable at size `n` (`None` if some question cannot be
    /// met with up to half the group, and at most
    /// [`crate::consistency::MAX_MISSING_SEARCHED`], missing).
    pub fn missing_needed(&self, group: GroupRef, n: u64, rounding: Rounding) -> Option<u64> {
        self.figures_by_question(group)
            .iter()
            .map(|figs| crate::consistency::min_missing(figs, n, rounding, n / 2))
            .sum()
    }

    /// The assumed rounding scheme.
    pub fn rounding(&self) -> Rounding {
        self.study.rounding
    }

    /// Every CSV column, in the order a generated file has them.
    pub fn columns(&self) -> Vec<&str> {
        let mut c = vec![self.id_column.as_str(), self.grouping.column.as_str()];
        if let Some(w) = &self.weight_column {
            c.push(w);
        }
        if let Some(w) = &self.wave_column {
            c.push(w);
        }
        if let Some(d) = &self.design {
            c.extend(d.columns());
        }
        if let Some(w) = &self.weighting {
            c.extend(
                w.variables
                    .iter()
                    .filter(|v| v.source == WeightingSource::Column)
                    .map(|v| v.name.as_str()),
            );
        }
        let mut set_done = vec![false; self.sets.len()];
        for q in &self.questions {
            match q.source {
                Source::Column => c.push(q.id.as_str()),
                Source::Net { .. } | Source::SetNet { .. } => {}
                Source::Answer { set, .. } => {
                    if !set_done[set] {
                        set_done[set] = true;
                        c.extend(self.sets[set].columns.iter().map(String::as_str));
                    }
                }
            }
        }
        c
    }

    /// Where a column was declared, if it was.
    pub fn column_origin(&self, column: &str) -> Option<&ColumnOrigin> {
        self.column_origins.iter().find(|o| o.column == column)
    }

    /// The question pairs whose joint answers a count table must keep: those of the
    /// paired claims, as question indices.
    /// Every two answers of a multi-response question come first: their joint tables are
    /// what its test of multiple marginal independence needs.
    pub fn paired_questions(&self) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for s in &self.sets {
            for (i, &a) in s.questions.iter().enumerate() {
                for &b in &s.questions[i + 1..] {
                    pairs.push((a, b));
                }
            }
        }
        for c in &self.claims {
            if let ClaimKind::Paired { a, b, .. } = &c.kind
                && !pairs.contains(&(a.question, b.question))
            {
                pairs.push((a.question, b.question));
            }
        }
        pairs
    }
}
