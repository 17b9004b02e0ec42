//! Reading an article's prose into a draft codebook: the sample and group sizes, each
//! printed percentage bound to its group and the thing it measures, and the claims the
//! text makes about them, so that the study pipeline can judge every claim from the
//! printed figures alone (`invitestat check`).
//!
//! The reading is rule-based and deterministic: each extraction keeps the words it
//! used and names the rule ([`Evidence`]), and every sentence with a number (or a
//! claim word) that no rule used is listed with the reason ([`Unread`]), never dropped.
//! The draft ([`Reading::to_toml`]) is a codebook the analyst can correct and run again.
//!
//! # Rules
//!
//! | what | read from | example |
//! |---|---|---|
//! | sample | a survey verb (surveyed, interviewed, polled, asked, questioned, sampled) or "survey/sample of" with a size | "We surveyed 400 senior managers and executives" |
//! | subgroup size | "including N ...", "of whom N ...", "N of them", "half / a third / a quarter of them" in the sample's sentence, with the phrases of [`BaseWindow`] | "including almost 60 who work in recruitment": 54 to 59 |
//! | figure | a percentage, "less than N%" (`<N%`), "more than N%" (`>N%`), "at least" (`>=`), "at most / up to" (`<=`) | "Less than 1% of the non-recruiters" |
//! | its group | "N% of (the) GROUP", "GROUP (N%)"; a percentage with neither is of the whole sample | "both recruiters (87%)" |
//! | groups | the subgroup of the sample's sentence (matched by word stems, "work in recruitment" / "recruiters") and its complement ("non-recruiters"; "the general ... population", "others", "the rest"); else each group named with a figure, plus "Other or not stated" | "the general business/professional population" is the non-recruiters |
//! | sizes not printed | the smallest base that shows all of a group's figures; a group whose figures any base shows (0%, 100%) takes the smallest of the others' | French 70%: 10 |
//! | thing measured | the words after the figures, to the next comma, colon, dash or conjunction; "this way", "that reason" point back to the clause before the colon or dash, or the sentence before | "will accept an invitation from someone they've never met" |
//! | one question | all the figures of one sentence; the same figures for the same groups again are a repeat; two measures with the same verb, one of them "mainly", are the options of one single-choice question | "presently using it mainly for that reason" / "presently using LinkedIn to hire" |
//! | majority | "(strong / vast / clear) majority", "most", "more than half" of a group: share > 50% | "Strong majorities of both recruiters (87%) and non-recruiters (63%)" |
//! | ratio | "N times as likely as", "Nx more likely", "twice as", optionally "more than": the first group's share over the second's, about N or more than N; "more likely than" is more than 1; one side naming no group is the other group of two | "more than three times as likely as recruiters" |
//! | paired | "they accept less discriminately than they invite": one behaviour more common than another, in each group | "People accept less discriminately than they invite connections" |
//! | groups differ | figures for three or more groups in one sentence with a contrast ("only", "but", "while", "compared") | "100% of the Anglo-saxons ..., only 70% of the French and 55% of the Poles" |
//! | differ (implied) | two groups set side by side ("compared with", "although") on two or more items: they differ on each | F1-F7 |
//!
//! A claim sentence without figures of its own is matched to a question by the word
//! stems they share (at least two, one best match), or, for a ratio, to the figures of
//! the sentence before it in the paragraph.
//!
//! # Examples
//!
//! ```
//! use invitestat::article::read;
//!
//! let reading = read(
//!     "We surveyed 400 managers, including almost 60 recruiters.\n\n\
//!      87% of recruiters and 63% of non-recruiters accept invitations from strangers.",
//!     "article.txt",
//! );
//! assert_eq!(reading.groups.len(), 2);
//! assert_eq!(reading.figures.len(), 2);
//! // The draft is a valid codebook.
//! let codebook = reading.codebook()?;
//! assert_eq!(codebook.study.published_total, Some(400));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod draft;
mod reader;
pub mod text;

use crate::codebook::{Codebook, CodebookError};
use crate::printed::BaseWindow;
use serde::Serialize;

pub use reader::{MAX_SENTENCES, read};

/// Most bytes of text `check` reads (an article is far smaller).
pub const MAX_TEXT_BYTES: u64 = 10 * 1024 * 1024;

/// The words an extraction used and the rule that read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Line of the text.
    pub line: usize,
    /// The words used, as written.
    pub words: String,
    /// The rule, in a few words.
    pub rule: String,
}

/// The sample's size as the text gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// The size (a window for a phrase such as "more than 1,000").
    pub size: BaseWindow,
    /// What was surveyed ("senior managers and executives").
    pub noun: String,
    /// Where it was read.
    pub evidence: Evidence,
}

/// A group's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum GroupSize {
    /// Printed, as a window of sizes.
    Published {
        /// The sizes the phrase allows.
        window: BaseWindow,
    },
    /// Not printed: assumed, with the reason.
    Assumed {
        /// The size.
        size: u64,
        /// Why.
        why: String,
    },
    /// Whatever the total leaves.
    Remainder,
}

/// A group of respondents the article reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Codebook id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Code in the drafted grouping column.
    pub code: String,
    /// The phrases that named it in the text.
    pub terms: Vec<String>,
    /// Its size.
    pub size: GroupSize,
    /// Where it was read.
    pub evidence: Vec<Evidence>,
}

/// A group, or the whole sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Who {
    /// Everyone.
    All,
    /// One group (index into [`Reading::groups`]).
    Group(usize),
}

/// A drafted question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Codebook id.
    pub id: String,
    /// Short label.
    pub label: String,
    /// The thing measured, in the article's words.
    pub text: String,
    /// Whether it has one option per figure sentence plus "Something else".
    pub single_choice: bool,
    /// Option labels (yes-no: "Yes", "No"); codes are "1", "2", ... (yes-no: "1", "0").
    pub options: Vec<String>,
}

impl Question {
    /// The code of option `i`.
    pub fn code(&self, i: usize) -> String {
        if self.single_choice { (i + 1).to_string() } else { ["1", "0"][i.min(1)].to_string() }
    }
}

/// A printed figure bound to its group and question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadFigure {
    /// Codebook id.
    pub id: String,
    /// Label shared by the figures of one sentence ("F1").
    pub label: String,
    /// Question (index into [`Reading::questions`]).
    pub question: usize,
    /// Option index.
    pub option: usize,
    /// Group.
    pub group: Who,
    /// As printed ("87%", "<1%").
    pub printed: String,
    /// The sentence.
    pub quote: String,
    /// Where it was read.
    pub evidence: Evidence,
}

/// An answer of a question: `(question, option)` indices.
pub type Item = (usize, usize);

/// What a claim says, in the codebook's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ClaimDraft {
    /// Each group's share is above half.
    Majority {
        /// The answer.
        item: Item,
        /// The groups.
        groups: Vec<Who>,
        /// Whether the gap between two groups is reported too.
        check_difference: bool,
    },
    /// The ratio of two groups' shares.
    Ratio {
        /// The answer.
        item: Item,
        /// Numerator group.
        numerator: usize,
        /// Denominator group.
        denominator: usize,
        /// The factor.
        value: f64,
        /// "more than" (else "about").
        more_than: bool,
    },
    /// One answer more common than another among the same respondents.
    Paired {
        /// The more common answer.
        a: Item,
        /// The less common one.
        b: Item,
        /// The groups.
        groups: Vec<Who>,
    },
    /// Two groups differ on each item.
    Differ {
        /// The items.
        items: Vec<Item>,
    },
    /// Three or more groups differ on one answer.
    GroupsDiffer {
        /// The answer.
        item: Item,
        /// The groups.
        groups: Vec<usize>,
    },
}

impl ClaimDraft {
    /// The codebook's name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            ClaimDraft::Majority { .. } => "majority",
            ClaimDraft::Ratio { .. } => "ratio",
            ClaimDraft::Paired { .. } => "paired",
            ClaimDraft::Differ { .. } => "differ",
            ClaimDraft::GroupsDiffer { .. } => "groups-differ",
        }
    }
}

/// A claim read from the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadClaim {
    /// Codebook id ("C1").
    pub id: String,
    /// The claim's wording (the sentence, or for an implied claim what it says).
    pub text: String,
    /// What it says.
    pub draft: ClaimDraft,
    /// Where it was read.
    pub evidence: Evidence,
}

/// A sentence with a number or a claim word that no rule used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unread {
    /// Line of the text.
    pub line: usize,
    /// The sentence.
    pub sentence: String,
    /// Why it was not used.
    pub reason: String,
}

/// What was read from an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// The text's name (its file).
    pub source: String,
    /// Its title (its first line when that is a heading).
    pub title: String,
    /// Sentences read.
    pub sentences: usize,
    /// Sentences holding a number.
    pub numeric_sentences: usize,
    /// The sample's size, when given.
    pub sample: Option<Sample>,
    /// The groups.
    pub groups: Vec<Group>,
    /// The questions the figures imply.
    pub questions: Vec<Question>,
    /// The figures.
    pub figures: Vec<ReadFigure>,
    /// Sentences that give figures already read (the same groups and numbers): used,
    /// with no figure of their own.
    pub repeats: Vec<Evidence>,
    /// The claims.
    pub claims: Vec<ReadClaim>,
    /// Sentences not used, with reasons.
    pub unread: Vec<Unread>,
}

impl Reading {
    /// The codebook the draft describes (the draft's TOML, parsed and validated as any
    /// codebook is).
    ///
    /// # Errors
    /// [`CodebookError`] when the draft is not a valid codebook (no figures, say).
    pub fn codebook(&self) -> Result<Codebook, CodebookError> {
        Codebook::from_toml(&self.to_toml(), std::path::Path::new(&self.source))
    }

    /// A group's or the whole sample's label.
    pub fn who_label(&self, who: Who) -> &str {
        match who {
            Who::All => "Everyone",
            Who::Group(g) => &self.groups[g].label,
        }
    }

    /// The codebook id of a group or the whole sample.
    pub fn who_id(&self, who: Who) -> &str {
        match who {
            Who::All => "all",
            Who::Group(g) => &self.groups[g].id,
        }
    }
}
