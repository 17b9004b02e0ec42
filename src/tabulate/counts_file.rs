//! Count tables in files: the JSON that `tabulate --counts-out` writes, and the
//! long-format CSV an SQL `GROUP BY` produces. Both are checked against the codebook
//! ([`CountTable::validate`]) before they are used.

use super::{CountTable, MergeError};
use crate::codebook::Codebook;
use crate::data::loader::line_in;
use crate::data::weight::{OutOfRange, WeightScale};
use crate::format::echo;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest count file read (a count table is small: its size grows with questions and
/// answers, not with respondents).
pub const MAX_COUNTS_BYTES: u64 = 256 << 20;

/// A count table saved to a file, with what it was counted against.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsFile {
    /// Format tag, [`COUNTS_FORMAT`].
    pub format: String,
    /// Study id of the codebook.
    pub study: String,
    /// SHA-256 of the codebook the rows were counted with.
    pub codebook_sha256: String,
    /// Question ids, in table order.
    pub questions: Vec<String>,
    /// Group ids, in table order.
    pub groups: Vec<String>,
    /// Rows read when counting (used plus excluded).
    pub rows_read: u64,
    /// Rows excluded when counting, by reason.
    #[serde(default)]
    pub excluded: BTreeMap<String, u64>,
    /// The counts.
    pub table: CountTable,
}

/// The format tag of [`CountsFile`].
pub const COUNTS_FORMAT: &str = "invitestat-counts/3";

/// How a count table file begins (whitespace removed), whatever its version: what lets
/// `tabulate` replace an earlier one.
pub const COUNTS_TAG: &str = "{\"format\":\"invitestat-counts/";

/// A counts file that cannot be read or does not fit the codebook.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CountsError {
    /// The file could not be read.
    #[error("{}: cannot read: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        cause: std::io::Error,
    },
    /// The file is larger than a count table can be.
    #[error("{}: {bytes} bytes; a count file is at most {MAX_COUNTS_BYTES} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// The file is not a counts document.
    #[error("{}: not an invitestat counts file: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong (with its line and column).
        message: String,
    },
    /// Written by another version of the counts format.
    #[error("{}: counts format '{found}'; expected '{expected}' (count the rows again)", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Its format tag.
        found: String,
        /// The format this build reads.
        expected: &'static str,
    },
    /// Counted with another codebook.
    #[error(
        "{}: counted with a different codebook (study '{study}', SHA-256 {found}); expected {expected}", path.display()
    )]
    Codebook {
        /// The file.
        path: PathBuf,
        /// Its study.
        study: String,
        /// Its codebook hash.
        found: String,
        /// This codebook's hash.
        expected: String,
    },
    /// Line-level problem in a long-format CSV of counts.
    #[error("{}: line {line}: {message}; expected {expected}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// Line number (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
        /// What the file should hold.
        expected: String,
    },
    /// The table does not fit the codebook (shapes, counts above the respondents, weight
    /// sums that cannot be).
    #[error("{}: {cause}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        cause: MergeError,
    },
    /// The tables cannot be added.
    #[error("{}: {cause}", path.display())]
    Merge {
        /// The file being added.
        path: PathBuf,
        /// Why.
        cause: MergeError,
    },
}

impl CountsFile {
    /// Wraps a table counted with `codebook`.
    pub fn new(
        codebook: &Codebook,
        rows_read: u64,
        excluded: BTreeMap<String, u64>,
        table: CountTable,
    ) -> Self {
        CountsFile {
            format: COUNTS_FORMAT.into(),
            study: codebook.study.id.clone(),
            codebook_sha256: codebook.sha256.clone(),
            questions: codebook.questions.iter().map(|q| q.id.clone()).collect(),
            groups: codebook.grouping.levels.iter().map(|l| l.id.clone()).collect(),
            rows_read,
            excluded,
            table,
        }
    }
}

/// A count file as read: its table, the rows its counting read and excluded, and the
/// SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct CountsShard {
    /// The counts.
    pub table: CountTable,
    /// Rows read when counting.
    pub rows_read: u64,
    /// Rows excluded when counting, by reason.
    pub excluded: BTreeMap<String, u64>,
    /// SHA-256 of the file.
    pub sha256: String,
}

/// The header of a long-format count file.
const LONG_HEADER: [&str; 6] =
    ["question", "option", "group", "count", "weight_sum", "weight_sq_sum"];

/// The columns a long-format count file of a codebook with a `[design]` adds.
const LONG_DESIGN_COLUMNS: [&str; 4] = ["positive", "stratum", "cluster", "fpc"];

/// Reads a counts file: the JSON written by `invitestat tabulate --counts-out`, or a
/// long-format table as an SQL `GROUP BY` produces it (CSV, or Parquet by the file's
/// extension; [`sql::count_query`](super::sql::count_query) writes the query), with columns
/// `question,option,group,count,weight_sum,weight_sq_sum`:
/// - one row per question, answer code and group code; an empty option or one of the
///   question's declared missing codes counts missing answers;
/// - rows with question `*` and option `*` give the respondents per group; such a row
///   with an empty group counts rows excluded for having no group (other rows with an
///   empty group are those same rows and are skipped);
/// - rows with question `A&B` and option `a&b` (each `1` or `0`: the first option or
///   not) give the joint yes/no table of a paired claim's two questions.
///
/// The table is checked against the codebook ([`CountTable::validate`]).
///
/// # Errors
/// [`CountsError`] naming the file (and the line for CSV).
pub fn read_counts(path: &Path, codebook: &Codebook) -> Result<CountsShard, CountsError> {
    let io = |cause| CountsError::Io { path: path.to_path_buf(), cause };
    let bytes = std::fs::metadata(path).map_err(io)?.len();
    if bytes > MAX_COUNTS_BYTES {
        return Err(CountsError::TooLarge { path: path.to_path_buf(), bytes });
    }
    let raw = std::fs::read(path).map_err(io)?;
    let parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"));
    if parquet {
        return read_parquet(path, &raw, codebook);
    }
    parse_counts(path, &raw, codebook)
}

/// A long-format count table written as Parquet (as an engine writes its result): its
/// rows read as the CSV's, the header line 1; the checksum is the Parquet file's.
#[cfg(feature = "parquet")]
fn read_parquet(path: &Path, raw: &[u8], codebook: &Codebook) -> Result<CountsShard, CountsError> {
    let converted = crate::data::parquet::to_csv(path)
        .map_err(|e| CountsError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
    let csv = std::fs::read(&converted.csv)
        .map_err(|cause| CountsError::Io { path: path.to_path_buf(), cause })?;
    let shard = parse_counts(path, &csv, codebook)?;
    Ok(CountsShard { sha256: crate::digest::sha256_hex(raw), ..shard })
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(path: &Path, _: &[u8], _: &Codebook) -> Result<CountsShard, CountsError> {
    Err(CountsError::Parse {
        path: path.to_path_buf(),
        message: "a Parquet file, and this build has no Parquet support (feature \"parquet\")"
            .into(),
    })
}

/// As [`read_counts`] for a file's bytes already in memory; `path` is used in messages.
///
/// # Errors
/// As [`read_counts`].
pub fn parse_counts(
    path: &Path,
    raw: &[u8],
    codebook: &Codebook,
) -> Result<CountsShard, CountsError> {
    let sha256 = crate::digest::sha256_hex(raw);
    let text = std::str::from_utf8(raw).map_err(|e| CountsError::Parse {
        path: path.to_path_buf(),
        message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    })?;
    let shard = if text.trim_start().starts_with('{') {
        read_json(path, text, codebook)?
    } else {
        read_long(path, text, codebook)?
    };
    let invalid = |cause| CountsError::Invalid { path: path.to_path_buf(), cause };
    shard.table.validate(codebook).map_err(invalid)?;
    let used = shard.table.total();
    let excluded_total = shard.excluded.values().try_fold(0u64, |t, n| t.checked_add(*n));
    if excluded_total.and_then(|e| e.checked_add(used)) != Some(shard.rows_read) {
        return Err(invalid(MergeError(format!(
            "rows_read is {} but the table holds {used} respondents and {} excluded rows; expected them to add up",
            shard.rows_read,
            excluded_total.map_or("too many".into(), |e| e.to_string())
        ))));
    }
    Ok(CountsShard { sha256, ..shard })
}

fn read_json(path: &Path, text: &str, codebook: &Codebook) -> Result<CountsShard, CountsError> {
    let parse_error = |e: serde_json::Error| CountsError::Parse {
        path: path.to_path_buf(),
        message: format!("line {}, column {}: {}", e.line(), e.column(), bounded(&e.to_string())),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(parse_error)?;
    let Some(format) = value.get("format").and_then(serde_json::Value::as_str) else {
        return Err(CountsError::Parse {
            path: path.to_path_buf(),
            message: "no \"format\" key; expected a count table written by invitestat tabulate"
                .into(),
        });
    };
    if format != COUNTS_FORMAT {
        return Err(CountsError::Format {
            path: path.to_path_buf(),
            found: echo(format),
            expected: COUNTS_FORMAT,
        });
    }
    let file: CountsFile = serde_json::from_str(text).map_err(parse_error)?;
    if file.codebook_sha256 != codebook.sha256 {
        return Err(CountsError::Codebook {
            path: path.to_path_buf(),
            study: echo(&file.study),
            found: echo(&file.codebook_sha256),
            expected: codebook.sha256.clone(),
        });
    }
    Ok(CountsShard {
        table: file.table,
        rows_read: file.rows_read,
        excluded: file.excluded,
        sha256: String::new(),
    })
}

/// Cuts a parser's message (which may quote the input) to a readable length.
fn bounded(message: &str) -> String {
    if message.chars().count() > 300 {
        format!("{}...", message.chars().take(300).collect::<String>())
    } else {
        message.to_string()
    }
}

fn read_long(path: &Path, text: &str, codebook: &Codebook) -> Result<CountsShard, CountsError> {
    // A codebook with a design (strata, clusters, fpc) needs its totals per stratum and
    // cluster; replicate weights and calibrated weights have no long format.
    let design = codebook.design.is_some();
    let expected = if design {
        "question,option,group,count,weight_sum,weight_sq_sum,positive,stratum,cluster,fpc with the codebook's codes (invitestat sql writes the query)"
    } else {
        "question,option,group,count,weight_sum,weight_sq_sum with the codebook's codes"
    };
    let refuse = |message: &str| CountsError::Row {
        path: path.to_path_buf(),
        line: 1,
        message: message.into(),
        expected: "a JSON count table written by invitestat tabulate".into(),
    };
    if codebook.weighting.is_some() {
        return Err(refuse(
            "a long-format count table carries no calibration totals, and the codebook calibrates its weights",
        ));
    }
    if codebook.design.as_ref().is_some_and(|d| d.replicates.is_some()) {
        return Err(refuse(
            "a long-format count table carries no replicate totals, and the codebook's design has replicate weights",
        ));
    }
    let mut table = CountTable::new(codebook, &codebook.paired_questions());
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let with_design = |h: &csv::StringRecord| {
        h.iter().eq(LONG_HEADER.iter().chain(&LONG_DESIGN_COLUMNS).copied())
    };
    let (header_ok, message) = match rdr.headers() {
        Ok(h) if design => (
            with_design(h),
            if h.iter().eq(LONG_HEADER) {
                "a header without the design's columns, and the codebook declares a [design]"
            } else {
                "wrong header"
            },
        ),
        Ok(h) => (
            h.iter().eq(LONG_HEADER),
            if with_design(h) {
                "a header with a design's columns (positive,stratum,cluster,fpc), and the codebook declares no [design]"
            } else {
                "wrong header"
            },
        ),
        Err(_) => (false, "wrong header"),
    };
    if !header_ok {
        return Err(CountsError::Row {
            path: path.to_path_buf(),
            line: 1,
            message: message.into(),
            expected: expected.into(),
        });
    }
    let declared = codebook.design.as_ref();
    let has_strata = declared.is_some_and(|d| d.strata_column.is_some());
    let has_clusters = declared.is_some_and(|d| d.cluster_column.is_some());
    let has_fpc = declared.is_some_and(|d| d.fpc_column.is_some());
    let no_group = format!("no value in grouping column '{}'", codebook.grouping.column);
    let mut excluded = 0u64;
    let mut scale: Option<WeightScale> = None;
    let line_of = |p: Option<&csv::Position>| p.map_or(0, |p| line_in(text.as_bytes(), p.byte()));
    for record in rdr.records() {
        let record = record.map_err(|e| CountsError::Row {
            path: path.to_path_buf(),
            line: line_of(e.position()),
            message: bounded(&e.to_string()),
            expected: expected.into(),
        })?;
        // The line is counted only for a message (counting it for every row would read
        // the file once per row).
        let bad = |message: String| CountsError::Row {
            path: path.to_path_buf(),
            line: line_of(record.position()),
            message,
            expected: expected.into(),
        };
        let field = |i: usize| record.get(i).unwrap_or("");
        let (question, option, group_code) = (field(0), field(1), field(2));
        let count: u64 = field(3)
            .parse()
            .map_err(|_| bad(format!("count '{}' is not a whole number >= 0", echo(field(3)))))?;
        let number = |i: usize, name: &str| -> Result<f64, CountsError> {
            let v: f64 = field(i)
                .parse()
                .map_err(|_| bad(format!("{name} '{}' is not a number", echo(field(i)))))?;
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else if v.is_nan() {
                // The query of `invitestat sql` makes a bad weight's sums NaN.
                Err(bad(format!(
                    "{name} is NaN: a weight in the rows counted is missing, negative or not a number"
                )))
            } else {
                Err(bad(format!("{name} '{}' is not a finite number >= 0", echo(field(i)))))
            }
        };
        let (w, w2) = (number(4, "weight_sum")?, number(5, "weight_sq_sum")?);
        if group_code.is_empty() {
            if question == "*" {
                excluded = excluded
                    .checked_add(count)
                    .ok_or_else(|| bad("the excluded rows overflow".into()))?;
            }
            continue;
        }
        let group = codebook
            .grouping
            .levels
            .iter()
            .position(|l| l.code == group_code)
            .ok_or_else(|| bad(format!("unknown group code '{}'", echo(group_code))))?;
        // Weight sums come in the file's own scale: keep them near 1.
        let scale = *scale.get_or_insert_with(|| {
            if w > 0.0 && count > 0 {
                WeightScale::from_first(w / count as f64)
            } else {
                WeightScale::default()
            }
        });
        let out_of_range = |e: OutOfRange| bad(format!("weight_sum {w}: {e}"));
        let ws = scale.store(w).map_err(out_of_range)?;
        let w2s = WeightScale::default().convert(w2, scale, 2).ok_or_else(|| {
            bad(format!("weight_sq_sum {w2} cannot be stored with the file's other weights"))
        })?;
        let overflow = || bad("a count overflows".into());
        let add = |a: &mut u64| -> Result<(), CountsError> {
            *a = a.checked_add(count).ok_or_else(overflow)?;
            Ok(())
        };
        // The design's columns of a respondents' or an answer's row.
        let unit = || -> Result<Option<super::design::LongUnit>, CountsError> {
            if !design || question.contains('&') {
                return Ok(None);
            }
            let positive: u64 = field(6).parse().map_err(|_| {
                bad(format!("positive '{}' is not a whole number >= 0", echo(field(6))))
            })?;
            if positive > count {
                return Err(bad(format!("positive {positive} is more than the count {count}")));
            }
            let (stratum, cluster) = (field(7), field(8));
            for (declared, code, what) in
                [(has_strata, stratum, "stratum"), (has_clusters, cluster, "cluster")]
            {
                if declared && code.is_empty() {
                    let (problem, expected) = crate::data::loader::empty_design_code(what);
                    return Err(bad(format!("{problem}; expected {expected}")));
                }
            }
            let fpc = if question == "*" && has_fpc {
                let v: f64 = field(9).parse().unwrap_or(f64::NAN);
                if !(v.is_finite() && v > 0.0) {
                    return Err(bad(format!(
                        "fpc '{}' of stratum '{}' is not one number > 0 (NaN: it differs within the stratum or is missing)",
                        echo(field(9)),
                        echo(stratum)
                    )));
                }
                Some(v)
            } else {
                None
            };
            Ok(Some(super::design::LongUnit {
                stratum: if has_strata { stratum.to_string() } else { String::new() },
                cluster: if has_clusters { cluster.to_string() } else { String::new() },
                fpc,
                positive,
            }))
        };
        let unit = unit()?;
        if question == "*" {
            add(&mut table.respondents[group])?;
            if let Some(u) = &unit {
                let questions = &table.questions;
                if let Some(d) = table.design.as_mut() {
                    d.add_long_respondents(questions, u, group, count).map_err(bad)?;
                }
            }
        } else if let Some((qa, qb)) = question.split_once('&') {
            let ia = codebook
                .question_index(qa)
                .ok_or_else(|| bad(format!("unknown question '{}'", echo(qa))))?;
            let ib = codebook
                .question_index(qb)
                .ok_or_else(|| bad(format!("unknown question '{}'", echo(qb))))?;
            let p = table
                .pairs
                .iter_mut()
                .find(|p| p.a == ia && p.b == ib)
                .ok_or_else(|| bad(format!("no paired claim uses {}", echo(question))))?;
            let (a, b) = option
                .split_once('&')
                .ok_or_else(|| bad(format!("pair option '{}' is not a&b", echo(option))))?;
            let flag = |v: &str| match v {
                "1" => Ok(1usize),
                "0" => Ok(0usize),
                _ => {
                    Err(bad(format!("pair option '{}' must be 1 or 0 on each side", echo(option))))
                }
            };
            add(&mut p.joint[[group, flag(a)?, flag(b)?]])?;
        } else {
            let qi = codebook
                .question_index(question)
                .ok_or_else(|| bad(format!("unknown question '{}'", echo(question))))?;
            let q = &codebook.questions[qi];
            let c = &mut table.questions[qi];
            if option.is_empty() || q.missing.iter().any(|m| m == option) {
                add(&mut c.missing[group])?;
                c.missing_weights[group] += ws;
            } else {
                let oi = q.option_index(option).ok_or_else(|| {
                    bad(format!("unknown answer code '{}' for {}", echo(option), q.id))
                })?;
                add(&mut c.counts[[oi, group]])?;
                c.weights[[oi, group]] += ws;
                c.weights_sq[[oi, group]] += w2s;
                if let Some(u) = &unit {
                    let questions = &table.questions;
                    if let Some(d) = table.design.as_mut() {
                        d.add_long_answers(questions, u, (qi, oi, group), ws, w2s);
                    }
                }
            }
        }
    }
    table.weight_scale = scale.unwrap_or_default();
    let total = table.total();
    let mut reasons = BTreeMap::new();
    if excluded > 0 {
        reasons.insert(no_group, excluded);
    }
    Ok(CountsShard {
        rows_read: total.saturating_add(excluded),
        table,
        excluded: reasons,
        sha256: String::new(),
    })
}
