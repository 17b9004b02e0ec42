//! # invitestat
//!
//! Survey proportions you can trust to the last digit: confidence intervals,
//! group comparisons and significance tests for recruiter vs non-recruiter answers,
//! checked against R, R survey, scipy and statsmodels, and checks of published
//! (rounded) figures against the data they could have come from.
//!
//! ## Pipeline
//!
//! ```text
//! codebook -> data (load) -> tabulate -> stats -> analysis -> plot / report
//!                                          ^
//!                                 cli (the `invitestat` binary) on top
//! ```
//!
//! - [`codebook`]: what a study's columns mean, its published figures and claims, typed
//!   and validated once at load;
//! - [`data`]: the streaming, validating CSV loader;
//! - [`tabulate`]: count tables, the sufficient statistics (mergeable across shards,
//!   validated when read from a file);
//! - [`stats`]: pure math on counts (no I/O): one-proportion intervals
//!   ([`stats::ci`]), one-sample tests, two-group tests ([`stats::significance`],
//!   [`stats::fisher`], [`stats::unconditional`]), differences and ratios, paired and
//!   k-group tests, trends over waves, weighted (survey-design) estimates
//!   ([`stats::weighted`]), power and multiplicity;
//! - [`consistency`]: what a printed, rounded figure allows (exact integer arithmetic);
//! - [`reconstruct`]: respondent rows consistent with every published figure;
//! - [`analysis`] and [`claims`]: the per-question results, comparisons and verdicts;
//! - [`waves`]: several waves compared; [`synthetic`]: seeded synthetic waves;
//! - [`plot`] and [`report`]: charts (PNG, SVG) and the CSV, JSON, HTML and Markdown
//!   reports, written so that no file is lost ([`report::output`]) and no label can be
//!   turned against the reader ([`report::escape`]); [`study`]: running a study from its
//!   files;
//! - [`digest`] and [`format`]: SHA-256 of inputs, and how input is quoted in messages;
//! - [`calculator`] and [`cli`]: the command line.
//!
//! ```
//! use invitestat::stats::{Alternative, ConfidenceLevel, Proportion};
//! use invitestat::stats::ci::{proportion_ci, CiMethod};
//!
//! // 52 of 60 recruiters accept invitations from strangers.
//! let ci = proportion_ci(Proportion::new(52, 60)?, CiMethod::Wilson,
//!                        ConfidenceLevel::NINETY_FIVE, Alternative::TwoSided);
//! assert!((ci.lower - 0.758_347_9).abs() < 1e-6);
//! # Ok::<(), invitestat::stats::StatsError>(())
//! ```

pub mod analysis;
pub mod calculator;
pub mod claims;
pub mod cli;
pub mod codebook;
pub mod consistency;
pub mod data;
pub mod digest;
pub mod format;
pub mod plot;
pub mod reconstruct;
pub mod report;
pub mod stats;
pub mod study;
pub mod synthetic;
pub mod tabulate;
pub mod waves;
