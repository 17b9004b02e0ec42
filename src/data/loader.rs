//! Reading a responses CSV against its codebook, streaming.
//!
//! Each record is validated and handed to a callback, so memory does not grow with the
//! file (only the set of respondent ids, to refuse duplicates). Errors name the file,
//! line, column and value and say what was expected. Rows are never dropped silently:
//! the [`LoadSummary`] counts rows read, used and excluded per reason.
//!
//! Accepted: a UTF-8 BOM, CRLF line ends, quoted fields, surrounding spaces. The header
//! must hold exactly the codebook's columns (in any order).

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

/// Respondent ids seen so far, kept as 64-bit hashes (8 bytes a row instead of the
/// ids themselves). Two different ids collide with probability about `n^2 / 2^65`
/// (1e-7 for a million rows), which would be reported as a duplicate.
#[derive(Default)]
pub struct IdSet(std::collections::HashSet<u64, std::hash::BuildHasherDefault<PassThrough>>);

impl IdSet {
    fn insert(&mut self, id: &[u8]) -> bool {
        self.0.insert(hash_id(id))
    }

    /// Whether the two sets share an id (for parts of one file read separately).
    pub fn overlaps(&self, other: &IdSet) -> bool {
        let (small, large) =
            if self.0.len() <= other.0.len() { (self, other) } else { (other, self) };
        small.0.iter().any(|h| large.0.contains(h))
    }
}

/// A hasher for values that are already well-mixed 64-bit hashes.
#[derive(Default)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A 64-bit hash of an id (FNV-1a followed by a murmur3 finaliser).
fn hash_id(id: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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
    load_reader(std::io::BufReader::with_capacity(1 << 16, file), path, codebook, each)
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
    load_part(reader, path, codebook, false, None, &mut IdSet::default(), each)
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
        if !ids.insert(id) {
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
