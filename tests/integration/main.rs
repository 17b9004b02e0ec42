//! The one integration-test binary (one link step on a 2-core machine).
//!
//! - `golden`: every statistic against the committed R / scipy / statsmodels / mpmath
//!   reference values in `tests/golden/`;
//! - `properties`: invariants over many inputs (proptest);
//! - `cli`: the `invitestat` binary end to end, including every `--help` example;
//! - `loader`, `study`, `consistency`, `kgroups`, `weighted`, `waves`, `charts`: each
//!   stage of the pipeline, on bundled, synthetic and malformed data;
//! - `bad_input`: the README's table of refused inputs, each case run as it is written
//!   there;
//! - `safety`: outputs never replace a file invitestat did not write, survive being
//!   killed mid-write, and every analysis copes with empty groups and extreme inputs;
//! - `snapshots`: every report writer (CSV, JSON, Markdown, HTML, summary) on a small
//!   fixture, against committed snapshots, with the changed lines printed;
//! - `layout`: no stage of the library imports a later one;
//! - `fuzz_corpus`: the fuzz targets' seed corpus and crash reproducers (`fuzz/`) replayed
//!   through their entry points without a fuzzer.

mod article;
mod bad_input;
mod charts;
mod cli;
mod consistency;
mod design;
mod fuzz_corpus;
mod golden;
mod kgroups;
mod layout;
mod loader;
mod multi_response;
mod properties;
mod safety;
mod schema;
mod snapshots;
mod study;
mod waves;
mod weighted;
mod weighting;

/// Runs `invitestat analyze DATA --codebook CODEBOOK --out OUT --json`, asserts it
/// succeeded, and returns the JSON it printed.
fn analyze_json(
    data: &std::path::Path,
    codebook: &std::path::Path,
    out_dir: &std::path::Path,
    extra: &[&str],
) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .arg("analyze")
        .arg(data)
        .arg("--codebook")
        .arg(codebook)
        .arg("--out")
        .arg(out_dir)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes a codebook for the R survey golden cases: groups `grp` (1 = "one", 0 =
/// "two"), a weight column `w`, one yes/no question `y` (1 = yes), plus `header` lines
/// (such as a wave column) at the top.
fn golden_case_codebook(path: &std::path::Path, study: &str, header: &str) {
    let text = format!(
        r#"id_column = "id"
weight_column = "w"
{header}
[study]
id = "{study}"
title = "R survey golden case {study}"
source = "tests/golden"
unit = "respondent"
rounding = "half-up"

[grouping]
column = "grp"
levels = [{{ id = "one", code = "1", label = "Group 1" }}, {{ id = "two", code = "0", label = "Group 2" }}]

[[questions]]
id = "y"
label = "y"
text = "y"
kind = "yes-no"
options = [{{ code = "1", label = "Yes" }}, {{ code = "0", label = "No" }}]
"#
    );
    std::fs::write(path, text).unwrap();
}

/// What changed between the committed and the fresh bytes of a report file: the
/// changed block of lines (after the common first and last lines), or the sizes of a
/// binary file.
pub fn difference(committed: &[u8], fresh: &[u8]) -> String {
    let (Ok(old), Ok(new)) = (std::str::from_utf8(committed), std::str::from_utf8(fresh)) else {
        return format!("binary file: {} bytes committed, {} fresh", committed.len(), fresh.len());
    };
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail =
        old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let cut = |lines: &[&str], sign: char| -> String {
        let block = &lines[head..lines.len() - tail];
        let mut text: String = block.iter().take(12).map(|l| format!("{sign} {l}\n")).collect();
        if block.len() > 12 {
            text.push_str(&format!("{sign} ... {} more lines\n", block.len() - 12));
        }
        text
    };
    format!("from line {}:\n{}{}", head + 1, cut(&old, '-'), cut(&new, '+'))
}
