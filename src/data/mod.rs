//! Respondent-level data: one validated row per respondent, read by [`loader`], with
//! what was read, used and excluded in a [`LoadSummary`].

pub mod header;
pub mod ids;
pub mod loader;
pub mod summary;
pub mod weight;

pub use loader::{LoadError, LoadOptions, Response, load};
pub use summary::LoadSummary;
