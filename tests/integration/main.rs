//! The one integration-test binary (one link step on a 2-core machine).
//!
//! - `golden`: every statistic against the committed R / scipy / statsmodels / mpmath
//!   reference values in `tests/golden/`;
//! - `properties`: invariants over many inputs (proptest);
//! - `cli`: the `invitestat` binary end to end, including every `--help` example.

mod charts;
mod cli;
mod consistency;
mod golden;
mod kgroups;
mod loader;
mod properties;
mod study;
mod waves;
mod weighted;
