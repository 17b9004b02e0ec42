//! # invitestat
//!
//! Survey proportions you can trust to the last digit: confidence intervals,
//! two-group comparisons and significance tests for recruiter vs non-recruiter
//! answers, checked against R and statsmodels.
//!
//! ## Pipeline
//!
//! ```text
//! codebook -> data (load) -> tabulate -> stats -> analysis -> plot / report
//!                                          ^
//!                                 cli (the `invitestat` binary) on top
//! ```
//!
//! [`stats`] is pure math on counts (no I/O): one-proportion intervals
//! ([`stats::ci`]), one-sample tests ([`stats::one_sample`]), two-group tests
//! ([`stats::significance`], [`stats::fisher`], [`stats::unconditional`]), intervals for
//! differences and ratios ([`stats::difference`], [`stats::ratio`]), power
//! ([`stats::power`]) and multiplicity ([`stats::multiplicity`]).
//! [`calculator`] assembles them into the documents the command line prints.
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
pub mod reconstruct;
pub mod report;
pub mod stats;
pub mod study;
pub mod tabulate;
