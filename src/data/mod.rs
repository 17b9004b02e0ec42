//! Respondent-level data: one validated row per respondent, read by [`loader`].

pub mod ids;
pub mod loader;

pub use loader::{LoadError, LoadSummary, Response, load};
