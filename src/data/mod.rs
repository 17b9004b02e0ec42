//! Respondent-level data: one validated row per respondent, read by [`loader`] (from
//! CSV, or converted by [`convert`] from a workbook, Parquet, SPSS or Stata file: the
//! features `excel`, `parquet`, `spss` and `stata`), with
//! what was read, used and excluded in a [`LoadSummary`]; and data invitestat makes:
//! rows consistent with published figures ([`reconstruct`]) and seeded synthetic waves
//! ([`synthetic`]); and a codebook drafted from a file's columns ([`init`]).

pub mod convert;
#[cfg(feature = "excel")]
pub mod excel;
pub mod header;
pub mod ids;
pub mod init;
pub mod loader;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod reconstruct;
pub mod records;
#[cfg(feature = "spss")]
pub mod spss;
#[cfg(feature = "stata")]
pub mod stata;
pub mod summary;
pub mod synthetic;
pub mod weight;
pub mod weighting;

pub use loader::{DesignValues, LoadError, LoadOptions, Response, load};
pub use summary::LoadSummary;
