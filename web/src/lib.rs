//! invitestat's calculator of printed figures for the browser: the same
//! [`CompareRequest`] and [`PrintedCiReport`] as `invitestat compare` and `invitestat ci`,
//! and the same reading and judging of an article as `invitestat check`, taking the same
//! text the command line takes and returning the same JSON documents.
//! Nothing leaves the page: there is no I/O here.
//!
//! Each function returns a JSON document, or `{"error": "..."}` naming the field and
//! what was expected.

use invitestat::analysis::AnalysisOptions;
use invitestat::article::{MAX_TEXT_BYTES, read};
use invitestat::calculator::{
    CompareRequest, PrintedCiReport, parse_count, parse_level, parse_test,
};
use invitestat::consistency::Rounding;
use invitestat::printed::{BaseWindow, PrintedGroup, Side};
use invitestat::report::check::CheckSummary;
use invitestat::stats::Alternative;
use invitestat::study::{CHECK_SEED, check_reading};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

fn error(field: &str, message: impl std::fmt::Display) -> String {
    json!({ "error": format!("{field}: {message}") }).to_string()
}

/// An optional field: empty text is "not given".
fn optional<T>(
    text: &str,
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    let t = text.trim();
    if t.is_empty() { Ok(None) } else { parse(t).map(Some).map_err(|e| error(field, e)) }
}

/// The answer of `invitestat compare FIRST SECOND --n1 N1 --n2 N2 --total TOTAL --slack
/// SLACK --rounding ROUNDING --test TEST --family FAMILY --confidence-level LEVEL
/// --json`; empty fields are left out as on the command line.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn compare(
    first: &str,
    second: &str,
    n1: &str,
    n2: &str,
    total: &str,
    slack: &str,
    rounding: &str,
    test: &str,
    family: &str,
    confidence_level: &str,
) -> String {
    let run = || -> Result<Value, String> {
        let side =
            |text: &str, field: &str| text.trim().parse::<Side>().map_err(|e| error(field, e));
        let mut request = CompareRequest::new(side(first, "group 1")?, side(second, "group 2")?);
        let window = |s: &str| s.parse::<BaseWindow>().map_err(|e| e.to_string());
        request.n1 = optional(n1, "n1", window)?;
        request.n2 = optional(n2, "n2", window)?;
        request.total = optional(total, "total", parse_count)?;
        request.slack = optional(slack, "slack", parse_count)?.unwrap_or(0);
        if request.slack > 0 && request.total.is_none() {
            return Err(error("slack", "needs a total"));
        }
        if let Some(r) =
            optional(rounding, "rounding", |s| Rounding::parse_list(s).map_err(|e| e.to_string()))?
        {
            request.roundings = r;
        }
        if let Some(t) = optional(test, "test", parse_test)? {
            request.test = t;
        }
        if let Some(f) = optional(family, "family", parse_count)? {
            if f == 0 {
                return Err(error("family", "the family has at least one comparison"));
            }
            request.family = f;
        }
        if let Some(l) = optional(confidence_level, "confidence level", parse_level)? {
            request.level = l;
        }
        request.answer().map(|a| a.to_json()).map_err(|e| error("comparison", e))
    };
    match run() {
        Ok(doc) => doc.to_string(),
        Err(e) => e,
    }
}

/// The answer of `invitestat ci SHARE BASE --rounding ROUNDING --confidence-level LEVEL
/// --json` for a printed figure (or a count) on a base, window or approximate base.
#[wasm_bindgen]
pub fn ci(share: &str, base: &str, rounding: &str, confidence_level: &str) -> String {
    let run = || -> Result<Value, String> {
        let side: Side = share.trim().parse().map_err(|e| error("share", e))?;
        let base = match (side.base, base.trim()) {
            (Some(b), "") => b,
            (None, b) if !b.is_empty() => b.parse::<BaseWindow>().map_err(|e| error("base", e))?,
            (Some(_), _) => return Err(error("base", "given twice")),
            (None, _) => return Err(error("base", "a base is needed")),
        };
        let roundings =
            optional(rounding, "rounding", |s| Rounding::parse_list(s).map_err(|e| e.to_string()))?
                .unwrap_or_else(|| vec![Rounding::HalfUp]);
        let level =
            optional(confidence_level, "confidence level", parse_level)?.unwrap_or_default();
        let group = PrintedGroup { share: side.share, base };
        PrintedCiReport::new(group, roundings, &[], level, Alternative::TwoSided)
            .map(|r| r.to_json())
            .map_err(|e| error("interval", e))
    };
    match run() {
        Ok(doc) => doc.to_string(),
        Err(e) => e,
    }
}

/// The document of `invitestat check FILE --json` for a pasted text (named "pasted
/// text"): what was read, each claim's verdict from the printed figures alone, the
/// sentences not used, and the draft codebook.
#[wasm_bindgen]
pub fn check(text: &str, confidence_level: &str) -> String {
    let run = || -> Result<Value, String> {
        if text.len() as u64 > MAX_TEXT_BYTES {
            return Err(error("text", format!("more than {MAX_TEXT_BYTES} bytes")));
        }
        let level =
            optional(confidence_level, "confidence level", parse_level)?.unwrap_or_default();
        let reading = read(text, "pasted text");
        let options = AnalysisOptions { level, ..AnalysisOptions::default() };
        let judged = check_reading(&reading, CHECK_SEED, options).map_err(|e| e.to_string());
        let level = invitestat::format::level(level.value());
        let summary = CheckSummary {
            reading: &reading,
            verdicts: judged.as_ref().map(|r| r.claims.as_slice()).map_err(String::as_str),
            seed: CHECK_SEED,
            level: &level,
        };
        Ok(summary.to_json())
    };
    match run() {
        Ok(doc) => doc.to_string(),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_is_significant_for_every_consistent_set() {
        let v: Value = serde_json::from_str(&compare(
            "87%", "63%", "55..59", "341..345", "400", "", "", "", "", "",
        ))
        .unwrap();
        assert_eq!(v["consistent"]["sets"], 4);
        assert_eq!(v["verdict"]["significant_for"], "all");
        let e: Value =
            serde_json::from_str(&compare("87%", "63%", "", "", "", "", "", "", "", "")).unwrap();
        assert!(e["error"].as_str().unwrap().contains("has no base"), "{e}");
        let c: Value = serde_json::from_str(&ci("87%", "55..59", "", "")).unwrap();
        assert_eq!(c["consistent"]["counts"], 1);
    }

    #[test]
    fn a_pasted_article_is_read_and_judged() {
        let text = "We surveyed 400 managers, including almost 60 recruiters.\n\n87% of recruiters and 63% of non-recruiters accept invitations from strangers: a strong majority of both.";
        let v: Value = serde_json::from_str(&check(text, "")).unwrap();
        assert_eq!(v["verdicts"][0]["verdict"], "supported", "{v}");
        assert_eq!(v["reading"]["source"], "pasted text");
    }
}
