//! # invitestat
//!
//! Survey proportions you can trust to the last digit: confidence intervals, group
//! comparisons and significance tests (checked against R, R survey, scipy and
//! statsmodels), weighted estimates, waves compared, and checks of published (rounded)
//! figures and claims against the data they could have come from.
//!
//! ## Pipeline
//!
//! The modules are the stages, and each uses only those before it (a test reads every
//! `use crate::` and fails on a backward import):
//!
//! ```text
//! codebook -> article -> data -> tabulate -> analysis -> claims -> plot / report -> study -> cli
//!   (stats, consistency, format and digest underneath: pure functions)
//! ```
//!
//! - [`codebook`]: what a survey's columns mean (single-choice, yes-no and
//!   multi-response questions, nets), its published figures and claims, typed and
//!   validated once at load;
//! - [`article`]: an article's prose read into a draft codebook (the sample and group
//!   sizes, each percentage bound to its group and what it measures, the claims), by
//!   documented rules that keep the words they used (`invitestat check`);
//! - [`data`]: the streaming, validating CSV loader and its [`data::LoadSummary`]
//!   (rows read, used and excluded, with reasons), which workbooks, Parquet, SPSS and
//!   Stata files reach through [`data::convert`]; a codebook drafted from a file
//!   ([`data::init`]); seeded synthetic waves
//!   ([`data::synthetic`]) and the reconstruction of respondent rows consistent with
//!   every published figure ([`data::reconstruct`]);
//! - [`tabulate`]: count tables, the sufficient statistics, and their queries; a file
//!   counted (on two threads when large), or any [`tabulate::DataSet`] (a table held
//!   elsewhere, such as the Python package's data frames, its records fed to the same
//!   loader), count-table files (mergeable shards, SQL GROUP BY output), rows split
//!   into waves;
//! - [`analysis`]: per question, answer and group the share and its interval;
//!   comparisons, independence tests (with the Monte Carlo policy), multiple marginal
//!   independence of multi-response questions, weighted rows,
//!   published-figure checks and base recovery, waves compared, small cells suppressed;
//! - [`claims`]: each published claim judged on the data (and over every count
//!   consistent with the published figures);
//! - [`plot`] and [`report`]: charts (PNG, SVG) for any survey, and one [`Report`]
//!   written as CSV, JSON, HTML, Markdown and a summary, so that no file is lost
//!   ([`report::output`]) and no label can be turned against the reader
//!   ([`report::escape`]);
//! - [`study`]: the one orchestrator, from files to a [`Report`] (and from an article's
//!   reading to its claims' verdicts, [`study::check_reading`]);
//! - `cli` (with the default `cli` feature): the `invitestat` command line.
//!
//! Underneath: [`stats`], pure math on counts (no I/O); [`consistency`], what a
//! printed, rounded figure allows (exact integer arithmetic); [`printed`], a comparison
//! of two groups from printed figures and approximate bases alone (every consistent set
//! of counts, the range of each quantity, a verdict); [`calculator`], the
//! results of the command line's calculators; [`format`](mod@format), how every number and
//! quoted input is printed; [`digest`], SHA-256 of inputs.
//!
//! ## From a file to a report
//!
//! ```
//! use invitestat::Codebook;
//! use invitestat::report::Formats;
//! use invitestat::study::{Options, analyse_file};
//!
//! let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/three-groups-example"));
//! let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
//! let report = analyse_file(&dir.join("responses.csv"), &codebook, &Options::default())?;
//!
//! // Inspect: each question, answer and group with its interval.
//! let analysis = report.analysis.as_ref().expect("one data set");
//! // `result` is None for a question, answer or group the codebook does not have (or a
//! // cell left out by `suppress_below`); its estimate and interval are None for a
//! // group nobody in which answered.
//! let satisfied = analysis.result("satisfied", "1", "remote").expect("in the codebook");
//! let share = satisfied.estimate.expect("answered");
//! let (lower, upper) = (satisfied.ci_lower.unwrap(), satisfied.ci_upper.unwrap());
//! assert!(lower < share && share < upper);
//!
//! // Write: CSV, JSON, HTML, Markdown, charts, into a folder swapped into place whole.
//! let out = tempfile::tempdir()?;
//! report.save(&out.path().join("report"), Formats::ALL)?;
//! assert!(out.path().join("report/report.md").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## One number
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
pub mod article;
pub mod calculator;
pub mod claims;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codebook;
pub mod consistency;
pub mod data;
pub mod digest;
pub mod format;
pub mod plot;
pub mod printed;
pub mod report;
pub mod stats;
pub mod study;
pub mod tabulate;

pub use codebook::Codebook;
pub use report::Report;
pub use study::{Options, StudyError, analyse_file};

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
