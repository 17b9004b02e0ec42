//! Reading a responses CSV against its codebook, streaming.
//!
//! Each record is validated and handed to a callback, so memory does not grow with the
//! file (only the set of respondent ids, to refuse duplicates). Errors name the file,
//! line, column and value and say what was expected. Rows are never dropped silently:
//! the [`LoadSummary`] counts rows read, used and excluded per reason.
//!
//! Accepted: a UTF-8 BOM, CRLF line ends, quoted fields, surrounding spaces. The header
//! must hold exactly the codebook's columns (in any order).

pub use super::ids::IdSet;
use crate::codebook::Codebook;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One validated respondent.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Index of the group level in the codebook.
    pub group: usize,
    /// Weight (1 when the codebook declares no weight column).
    pub weight: f64,
    /// Wave label, when the codebook declares a wave column.
    pub wave: Option<String>,
    /// For each question, the index of the option chosen, or `None` if not answered.
    pub answers: Vec<Option<usize>>,
}

/// What a load read, used and excluded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadSummary {
    /// The file.
    pub file: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows passed on to the analysis.
    pub rows_used: u64,
    /// Rows excluded, by reason.
    pub excluded: BTreeMap<String, u64>,
    /// Missing answers (item non-response) per question.
    pub missing_answers: BTreeMap<String, u64>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// A reader that hashes what passes through it, so the checksum costs no second read.
struct Hashing<R> {
    inner: R,
    hasher: sha2::Sha256,
    enabled: bool,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        if self.enabled {
            self.hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The CSV itself is malformed (wrong number of fields, invalid UTF-8...).
    #[error("{file}: line {line}: malformed CSV: {message}")]
    Csv {
        /// The file.
        file: PathBuf,
        /// Line number (1-based).
        line: u64,
        /// The csv crate's description.
        message: String,
    },
    /// The header does not hold the codebook's columns.
    #[error("{file}: line 1: {message}; expected the columns {expected}")]
    Header {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
        /// The expected column list.
        expected: String,
    },
    /// A cell holds a value the codebook does not allow.
    #[error(transparent)]
    Value(Box<BadValue>),
    /// The file has a header but no data rows.
    #[error("{file}: line 2: no data rows after the header; expected at least one respondent")]
    Empty {
        /// The file.
        file: PathBuf,
    },
}

/// A cell the codebook does not allow, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file}: line {line}, column {column_index} ({column}): {message}: got '{value}', expected {expected}"
)]
pub struct BadValue {
    /// The file.
    pub file: String,
    /// Line number (1-based).
    pub line: u64,
    /// Column name.
    pub column: String,
    /// Column number (1-based).
    pub column_index: usize,
    /// The cell's text.
    pub value: String,
    /// What kind of problem.
    pub message: &'static str,
    /// What the codebook allows.
    pub expected: String,
}

/// Reads `path` against `codebook`, calling `each` for every used row.
///
/// # Errors
/// [`LoadError`] at the first problem, naming file, line, column and expectation.
pub fn load(
    path: &Path,
    codebook: &Codebook,
    each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let file = std::fs::File::open(path)
        .map_err(|source| LoadError::Io { file: path.to_path_buf(), source })?;
    let mut ids = IdSet::default();
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    let summary = load_part(reader, path, codebook, false, None, &mut ids, each)?;
    check_ids(path, codebook, vec![ids])?;
    Ok(summary)
}

/// Checks the ids of a file's parts for a repeat left undetected while reading (after
/// the id set spilled to disk, or across parts), and names its line.
///
/// # Errors
/// [`LoadError::Value`] for a duplicate id; [`LoadError::Io`].
pub fn check_ids(path: &Path, codebook: &Codebook, sets: Vec<IdSet>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io { file: path.to_path_buf(), source };
    let Some(hash) = super::ids::find_duplicate(sets).map_err(io)? else { return Ok(()) };
    // Second pass over the ids only: the second row with this id is the duplicate.
    let mut rdr =
        csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_path(path).map_err(|e| {
            LoadError::Csv { file: path.to_path_buf(), line: 0, message: e.to_string() }
        })?;
    let headers = rdr.byte_headers().map_err(|e| LoadError::Csv {
        file: path.to_path_buf(),
        line: 1,
        message: e.to_string(),
    })?;
    let col = headers
        .iter()
        .position(|h| {
            h.trim_ascii().strip_prefix("\u{feff}".as_bytes()).unwrap_or(h.trim_ascii())
                == codebook.id_column.as_bytes()
        })
        .unwrap_or(0);
    let mut seen = false;
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).map_err(|e| LoadError::Csv {
        file: path.to_path_buf(),
        line: 0,
        message: e.to_string(),
    })? {
        let id = record[col].trim_ascii();
        if super::ids::hash_id(id) == hash {
            if seen {
                return Err(LoadError::Value(Box::new(BadValue {
                    file: path.display().to_string(),
                    line: record.position().map_or(0, csv::Position::line),
                    column: codebook.id_column.clone(),
                    column_index: col + 1,
                    value: String::from_utf8_lossy(id).into_owned(),
                    message: "duplicate respondent id",
                    expected: "each id once".into(),
                })));
            }
            seen = true;
        }
    }
    Ok(())
}

struct Column {
    name: String,
    index: usize,
}

/// As [`load`], from any reader; `path` is used in messages.
///
/// # Errors
/// As [`load`].
pub fn load_reader<R: Read>(
    reader: R,
    path: &Path,
    codebook: &Codebook,
    each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let mut ids = IdSet::default();
    let summary = load_part(reader, path, codebook, false, None, &mut ids, each)?;
    // A reader cannot be read twice: a repeat found only after spilling has no line.
    if let Some(hash) = super::ids::find_duplicate(vec![ids])
        .map_err(|source| LoadError::Io { file: path.to_path_buf(), source })?
    {
        return Err(LoadError::Value(Box::new(BadValue {
            file: path.display().to_string(),
            line: 0,
            column: codebook.id_column.clone(),
            column_index: 0,
            value: format!("id with hash {hash:016x}"),
            message: "duplicate respondent id",
            expected: "each id once".into(),
        })));
    }
    Ok(summary)
}

/// As [`load_reader`] for a part of a file (its header line, then rows from a record
/// boundary): with `part` set, the part may hold no rows and no checksum is computed
/// (the caller hashes the whole file). `progress`, when given, advances by the bytes
/// read; `ids` collects the respondent ids seen (shared with the caller so that parts
/// read separately can be checked against each other).
///
/// # Errors
/// As [`load`]; line numbers count from the start of the part.
pub fn load_part<R: Read>(
    reader: R,
    path: &Path,
    codebook: &Codebook,
    part: bool,
    progress: Option<&indicatif::ProgressBar>,
    ids: &mut IdSet,
    mut each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let mut reported_bytes = 0u64;
    let file = path.to_path_buf();
    let hashing =
        Hashing { inner: reader, hasher: <sha2::Sha256 as sha2::Digest>::new(), enabled: !part };
    let mut rdr =
        csv::ReaderBuilder::new().trim(csv::Trim::Headers).flexible(false).from_reader(hashing);
    let csv_error = |e: csv::Error, file: &PathBuf| {
        let line = e.position().map_or(0, csv::Position::line);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("{len} fields where the header has {expected_len}")
            }
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
            _ => e.to_string(),
        };
        match e.into_kind() {
            csv::ErrorKind::Io(source) => LoadError::Io { file: file.clone(), source },
            _ => LoadError::Csv { file: file.clone(), line, message },
        }
    };
    let headers = rdr.headers().map_err(|e| csv_error(e, &file))?.clone();
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(
            |(i, h)| {
                if i == 0 { h.trim_start_matches('\u{feff}').to_string() } else { h.to_string() }
            },
        )
        .collect();
    let expected = codebook.columns();
    let expected_text = expected.join(",");
    let header_error = |message: String| LoadError::Header {
        file: file.clone(),
        message,
        expected: expected_text.clone(),
    };
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if position.insert(n.as_str(), i).is_some() {
            return Err(header_error(format!("column '{n}' appears twice")));
        }
    }
    let missing: Vec<&str> =
        expected.iter().copied().filter(|c| !position.contains_key(c)).collect();
    if !missing.is_empty() {
        return Err(header_error(format!("missing column(s) {}", missing.join(", "))));
    }
    let extra: Vec<&str> =
        names.iter().map(String::as_str).filter(|n| !expected.contains(n)).collect();
    if !extra.is_empty() {
        return Err(header_error(format!("unexpected column(s) {}", extra.join(", "))));
    }
    let col = |name: &str| Column { name: name.to_string(), index: position[name] };
    let id_col = col(&codebook.id_column);
    let group_col = col(&codebook.grouping.column);
    let weight_col = codebook.weight_column.as_deref().map(col);
    let wave_col = codebook.wave_column.as_deref().map(col);
    let question_cols: Vec<Column> = codebook.questions.iter().map(|q| col(&q.id)).collect();
    let group_codes: HashMap<&str, usize> =
        codebook.grouping.levels.iter().enumerate().map(|(i, l)| (l.code.as_str(), i)).collect();
    let group_expected = format!(
        "one of {}",
        codebook
            .grouping
            .levels
            .iter()
            .map(|l| format!("'{}' ({})", l.code, l.label))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let option_codes: Vec<HashMap<&str, usize>> = codebook
        .questions
        .iter()
        .map(|q| q.options.iter().enumerate().map(|(i, o)| (o.code.as_str(), i)).collect())
        .collect();
    let question_expected: Vec<String> = codebook
        .questions
        .iter()
        .map(|q| {
            let mut codes: Vec<String> =
                q.options.iter().map(|o| format!("'{}'", o.code)).collect();
            codes.extend(q.missing.iter().map(|m| format!("'{m}' (missing)")));
            format!("one of {} or an empty cell (missing)", codes.join(", "))
        })
        .collect();

    let mut summary = LoadSummary { file: path.display().to_string(), ..LoadSummary::default() };
    // Codes are matched as bytes (a handful per question: a linear scan beats hashing).
    let as_bytes = |m: &HashMap<&str, usize>| -> Vec<(Vec<u8>, usize)> {
        let mut v: Vec<(Vec<u8>, usize)> =
            m.iter().map(|(k, i)| (k.as_bytes().to_vec(), *i)).collect();
        v.sort_by_key(|(_, i)| *i);
        v
    };
    let option_bytes: Vec<Vec<(Vec<u8>, usize)>> = option_codes.iter().map(as_bytes).collect();
    let group_bytes = as_bytes(&group_codes);
    let missing_bytes: Vec<Vec<Vec<u8>>> = codebook
        .questions
        .iter()
        .map(|q| q.missing.iter().map(|m| m.as_bytes().to_vec()).collect())
        .collect();
    /// Option lookup: one-byte codes through a table, longer ones by scanning.
    struct Codes {
        single: [u8; 256],
        longer: Vec<(Vec<u8>, usize)>,
    }
    impl Codes {
        fn new(codes: &[(Vec<u8>, usize)]) -> Self {
            let mut single = [0u8; 256];
            let mut longer = Vec::new();
            for (k, i) in codes {
                match k.as_slice() {
                    [b] if *i < 255 => single[usize::from(*b)] = (*i + 1) as u8,
                    _ => longer.push((k.clone(), *i)),
                }
            }
            Codes { single, longer }
        }
        fn find(&self, field: &[u8]) -> Option<usize> {
            if let [b] = field {
                let i = self.single[usize::from(*b)];
                if i > 0 {
                    return Some(usize::from(i) - 1);
                }
            }
            self.longer.iter().find(|(k, _)| k == field).map(|(_, i)| *i)
        }
    }
    let option_bytes: Vec<Codes> = option_bytes.iter().map(|c| Codes::new(c)).collect();
    let group_bytes = Codes::new(&group_bytes);
    let mut missing_counts = vec![0u64; codebook.questions.len()];
    let mut record = csv::ByteRecord::new();
    let mut response =
        Response { group: 0, weight: 1.0, wave: None, answers: vec![None; question_cols.len()] };
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(e, &file)),
        }
        let line = record.position().map_or(0, csv::Position::line);
        summary.rows_read += 1;
        if let Some(pb) = progress
            && summary.rows_read.is_multiple_of(1 << 15)
        {
            let byte = record.position().map_or(0, csv::Position::byte);
            pb.inc(byte - reported_bytes);
            reported_bytes = byte;
        }
        let value_error = |c: &Column, value: &[u8], message: &'static str, expected: String| {
            let (value, message) = match std::str::from_utf8(value) {
                Ok(v) => (v.to_string(), message),
                Err(_) => (String::from_utf8_lossy(value).into_owned(), "invalid UTF-8"),
            };
            LoadError::Value(Box::new(BadValue {
                file: file.display().to_string(),
                line,
                column: c.name.clone(),
                column_index: c.index + 1,
                value,
                message,
                expected,
            }))
        };
        let field = |i: usize| record[i].trim_ascii();
        let id = field(id_col.index);
        if id.is_empty() {
            return Err(value_error(
                &id_col,
                id,
                "empty respondent id",
                "a unique, non-empty id".into(),
            ));
        }
        if !ids.insert(id).map_err(|source| LoadError::Io { file: file.clone(), source })? {
            return Err(value_error(&id_col, id, "duplicate respondent id", "each id once".into()));
        }
        let code = field(group_col.index);
        if code.is_empty() {
            *summary
                .excluded
                .entry(format!("no value in grouping column '{}'", group_col.name))
                .or_insert(0) += 1;
            continue;
        }
        response.group = group_bytes.find(code).ok_or_else(|| {
            value_error(&group_col, code, "unknown group code", group_expected.clone())
        })?;
        response.weight = match &weight_col {
            None => 1.0,
            Some(c) => {
                let text = field(c.index);
                let w: f64 = std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| {
                        value_error(
                            c,
                            text,
                            "weight is not a number",
                            "a positive, finite number".into(),
                        )
                    })?;
                if !(w.is_finite() && w > 0.0) {
                    return Err(value_error(
                        c,
                        text,
                        "weight is not positive and finite",
                        "a positive, finite number".into(),
                    ));
                }
                w
            }
        };
        if let Some(c) = &wave_col {
            let w = field(c.index);
            if w.is_empty() {
                return Err(value_error(c, w, "empty wave", "a wave label".into()));
            }
            if response.wave.as_deref().map(str::as_bytes) != Some(w) {
                response.wave = Some(String::from_utf8_lossy(w).into_owned());
            }
        }
        for (qi, c) in question_cols.iter().enumerate() {
            let text = field(c.index);
            if text.is_empty() || missing_bytes[qi].iter().any(|m| m.as_slice() == text) {
                missing_counts[qi] += 1;
                response.answers[qi] = None;
                continue;
            }
            let option = option_bytes[qi].find(text).ok_or_else(|| {
                value_error(c, text, "unknown answer code", question_expected[qi].clone())
            })?;
            response.answers[qi] = Some(option);
        }
        summary.rows_used += 1;
        each(&response);
    }
    for (q, n) in codebook.questions.iter().zip(missing_counts) {
        summary.missing_answers.insert(q.id.clone(), n);
    }
    if summary.rows_read == 0 && !part {
        return Err(LoadError::Empty { file });
    }
    // Hash whatever the CSV reader did not need to read (nothing, normally).
    let mut rest = rdr.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink())
        .map_err(|source| LoadError::Io { file: file.clone(), source })?;
    summary.sha256 = hex(&sha2::Digest::finalize(rest.hasher));
    Ok(summary)
}
