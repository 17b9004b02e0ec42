//! Reading a responses CSV against its codebook, streaming.
//!
//! Each record is validated and handed to a callback, so memory does not grow with the
//! file (only the set of respondent ids, to refuse duplicates). Errors name the file,
//! line, column and value and say what was expected; values are quoted at most
//! [`crate::format::MAX_ECHO_CHARS`] characters long. Rows are never dropped silently:
//! the [`LoadSummary`] counts rows read, used and excluded per reason.
//!
//! Accepted: a UTF-8 BOM, CRLF or LF line ends (lines are counted as an editor shows
//! them: the header is line 1), quoted fields, surrounding spaces, a comma or another
//! one-byte delimiter ([`LoadOptions::delimiter`]). The header must hold exactly the
//! codebook's columns (in any order). Weights must be finite and not negative; a weight
//! of 0 keeps the respondent in unweighted results and out of weighted ones (counted in
//! [`LoadSummary::zero_weights`]).

pub use super::ids::IdSet;
use super::summary::LoadSummary;
use super::weight::{WeightScale, times_power_of_two};
use crate::codebook::{Codebook, Coding, Source, WeightingSource};
use crate::format::{echo, echo_bytes, name_list};
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// The problem and the expectation when a respondent's `what` ("stratum" or
/// "cluster") code is empty, as the loader and the count-table reader word them.
pub(crate) fn empty_design_code(what: &str) -> (&'static str, String) {
    let problem = if what == "stratum" { "empty stratum" } else { "empty cluster" };
    (problem, format!("a {what} code for every respondent"))
}

/// One validated respondent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    /// Index of the group level in the codebook.
    pub group: usize,
    /// Weight as stored: the weight read times `2^-exponent` of the load's
    /// [`WeightScale`] (1 when the codebook declares no weight column).
    pub weight: f64,
    /// Wave label, when the codebook declares a wave column.
    pub wave: Option<String>,
    /// For each question, the index of the option chosen, or `None` if not answered.
    pub answers: Vec<Option<usize>>,
    /// Where the respondent sits in the sampling design (empty without one).
    pub design: DesignValues,
    /// Its data row in the file (1 for the row after the header; of its part, for a
    /// file read in parts).
    pub row: u64,
    /// Its id, hashed ([`super::ids::hash_id`]), to follow a respondent across waves.
    pub id: u64,
}

/// A respondent's place in the sampling design.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DesignValues {
    /// Stratum code (empty without strata).
    pub stratum: String,
    /// First-stage cluster code (empty without clusters).
    pub cluster: String,
    /// The finite population correction of the stratum (0 without one).
    pub fpc: f64,
    /// Replicate weights, stored under the same scale as the weight.
    pub replicates: Vec<f64>,
    /// The calibration cell of the codebook's `[weighting]` (0 without one).
    pub cell: usize,
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Field delimiter (a comma unless given).
    pub delimiter: u8,
    /// Refuse a file holding columns the codebook does not use (by default they are
    /// ignored and listed in [`LoadSummary::ignored_columns`]).
    pub strict_columns: bool,
    /// Respondent ids each reading thread keeps in memory (as 64-bit hashes) before
    /// spilling them to a temporary file: [`IN_MEMORY_IDS`](super::ids::IN_MEMORY_IDS)
    /// unless given. A lower limit bounds memory further; a repeat is found either way.
    pub ids_in_memory: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            delimiter: b',',
            strict_columns: false,
            ids_in_memory: super::ids::IN_MEMORY_IDS,
        }
    }
}

/// Reads a field delimiter as `--delimiter` takes it: one ASCII character (not a quote
/// or a line end), or `tab`.
///
/// # Errors
/// Anything else, quoted in the message.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && !matches!(s, "\"" | "\n" | "\r") => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "'{}' is not a delimiter; expected one ASCII character such as ';' or '|', or tab",
            echo(s)
        )),
    }
}

/// A reader that hashes what passes through it, so the checksum costs no second read.
struct Hashing<R> {
    inner: R,
    hasher: crate::digest::Sha256,
    enabled: bool,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.enabled {
            self.hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Why a file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {cause}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// What failed.
        cause: std::io::Error,
    },
    /// The CSV itself is malformed (wrong number of fields, invalid UTF-8...).
    #[error("{}: line {line}: malformed CSV: {message}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// Line number (1-based: the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The header does not hold the codebook's columns.
    #[error("{}: line {line}: {message}", file.display())]
    Header {
        /// The file.
        file: PathBuf,
        /// The header's line (1, or the sheet row a workbook's header is on).
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A cell holds a value the codebook does not allow.
    #[error(transparent)]
    Value(Box<BadValue>),
    /// The file has a header but no data rows.
    #[error("{}: line {line}: no data rows after the header; expected at least one respondent", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
        /// The line after the header.
        line: u64,
    },
    /// The weights cannot be calibrated to the codebook's margins.
    #[error(transparent)]
    Weighting(Box<super::weighting::WeightingError>),
    /// A workbook (`.xlsx`, `.ods`, ...) or Parquet file that cannot be read.
    #[error("{}: {message}", file.display())]
    Format {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Powers of ten exact in binary floating point.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`12`, `0.5514`, `3.`: digits with at most one point, at most 15
/// digits) as the nearest double, exactly as `str::parse::<f64>` gives it: the digits
/// and the power of ten are both exact doubles, so their one correctly rounded
/// division is the correctly rounded value (Clinger's fast path). `None` for anything
/// else, which the caller parses in full.
fn plain_decimal(text: &[u8]) -> Option<f64> {
    // At most 15 digits and a point: the mantissa stays below 10^16, far from overflow.
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut point: Option<usize> = None;
    for (i, &b) in text.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let fraction = point.map_or(0, |p| text.len() - 1 - p);
    let digits = text.len() - usize::from(point.is_some());
    if digits == 0 || digits > 15 {
        return None;
    }
    Some(mantissa as f64 / EXACT_POWERS_OF_TEN[fraction])
}

/// The largest binary exponent of a file's weight scale under which every plain decimal
/// (between 1e-15 and 1e16, binary exponents -50 to 54) is stored exactly by one product
/// with a power of two, well inside [`super::weight::MAX_SPREAD_LOG2`].
const PLAIN_SCALE_EXPONENT: i32 = 300;

/// A cell the codebook does not allow, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{file}: line {line}, column {column_index} ({column}): {message}: got '{value}', expected {expected}"
)]
pub struct BadValue {
    /// The file.
    pub file: String,
    /// Line number (1-based: the header is line 1).
    pub line: u64,
    /// Column name.
    pub column: String,
    /// Column number (1-based).
    pub column_index: usize,
    /// The cell's text, as quoted (cut and escaped, see [`crate::format::echo`]).
    pub value: String,
    /// What kind of problem.
    pub message: &'static str,
    /// What the codebook allows.
    pub expected: String,
}

/// The line (as an editor counts them, from 1) of the record that starts at byte
/// `offset` of `path`. The csv crate's own line counter is one short after a CRLF line
/// end, so lines are counted from the bytes; this reads the file up to the record and
/// is only used to report an error.
pub fn line_at(path: &Path, offset: u64) -> u64 {
    let Ok(file) = std::fs::File::open(path) else { return 0 };
    let mut reader = std::io::BufReader::new(file);
    let mut line = 1u64;
    let mut read = 0u64;
    let mut last = 0u8;
    loop {
        let Ok(buf) = reader.fill_buf() else { return line };
        if buf.is_empty() {
            return line;
        }
        let take = usize::try_from(offset - read).unwrap_or(usize::MAX).min(buf.len());
        line += buf[..take].iter().filter(|&&b| b == b'\n').count() as u64;
        if take > 0 {
            last = buf[take - 1];
        }
        // A record "starting" on the LF of the previous CRLF starts on the next line.
        if take < buf.len() {
            if last == b'\r' && buf[take] == b'\n' {
                line += 1;
            }
            return line;
        }
        read += take as u64;
        let n = buf.len();
        reader.consume(n);
    }
}

/// As [`line_at`] for text in memory.
pub fn line_in(bytes: &[u8], offset: u64) -> u64 {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    let line = 1 + bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64;
    let starts_on_lf = end > 0 && bytes[end - 1] == b'\r' && bytes.get(end) == Some(&b'\n');
    line + u64::from(starts_on_lf)
}

/// Reads `path` against `codebook`, calling `each` for every used row.
///
/// # Errors
/// [`LoadError`] at the first problem, naming file, line, column and expectation.
///
/// # Examples
/// ```
/// use invitestat::codebook::Codebook;
/// use invitestat::data::{LoadOptions, load};
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online"));
/// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
/// let mut recruiters = 0;
/// let summary = load(&dir.join("responses.csv"), &codebook, LoadOptions::default(), |r| {
///     recruiters += u64::from(r.group == 0);
/// })?;
/// assert_eq!((summary.rows_used, recruiters), (400, 55));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let file = std::fs::File::open(path)
        .map_err(|cause| LoadError::Io { file: path.to_path_buf(), cause })?;
    let mut ids = IdSet::with_limit(options.ids_in_memory);
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    let summary = load_part(reader, path, codebook, options, false, None, &mut ids, each)?;
    check_ids(path, codebook, options, vec![ids])?;
    Ok(summary)
}

/// The id column's position and the lines on which an id (by hash) occurs, found by a
/// second pass over the file (used only to report a duplicate).
fn lines_of_id(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    hash: u64,
) -> Result<(usize, Vec<(u64, String)>), LoadError> {
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .trim(csv::Trim::Headers)
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let col = rdr
        .byte_headers()
        .map(|h| {
            h.iter()
                .position(|h| {
                    let h = h.trim_ascii();
                    h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h)
                        == codebook.id_column.as_bytes()
                })
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let mut found = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record).unwrap_or(false) {
        let id = record.get(col).unwrap_or_default().trim_ascii();
        if super::ids::hash_id(id) == hash {
            let line = line_at(path, record.position().map_or(0, csv::Position::byte));
            found.push((line, echo_bytes(id)));
            if found.len() == 2 {
                break;
            }
        }
    }
    Ok((col, found))
}

fn duplicate_error(path: &Path, codebook: &Codebook, options: LoadOptions, hash: u64) -> LoadError {
    match lines_of_id(path, codebook, options, hash) {
        Err(e) => e,
        Ok((col, found)) => {
            let (line, value, first) = match found.as_slice() {
                [(first, _), (line, value), ..] => (*line, value.clone(), Some(*first)),
                [(line, value)] => (*line, value.clone(), None),
                [] => (0, String::new(), None),
            };
            LoadError::Value(Box::new(BadValue {
                file: path.display().to_string(),
                line,
                column: codebook.id_column.clone(),
                column_index: col + 1,
                value,
                message: "duplicate respondent id",
                expected: first
                    .map_or("each id once".into(), |f| format!("each id once (first on line {f})")),
            }))
        }
    }
}

/// Checks the ids of a file's parts for a repeat left undetected while reading (after
/// the id set spilled to disk, or across parts), and names its lines.
///
/// # Errors
/// [`LoadError::Value`] for a duplicate id; [`LoadError::Io`].
pub fn check_ids(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    sets: Vec<IdSet>,
) -> Result<(), LoadError> {
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    match super::ids::find_duplicate(sets).map_err(io)? {
        None => Ok(()),
        Some(hash) => Err(duplicate_error(path, codebook, options, hash)),
    }
}

struct Column {
    name: String,
    index: usize,
}

/// Option lookup: one-byte codes through a table, longer ones by scanning (a handful
/// per question: a linear scan beats hashing).
/// A multi-response question's codes: those that tick an answer (dichotomies: the
/// counted code; categories: each answer's), those that leave one unticked, and those
/// that mean missing.
type SetCodes<'a> = (Codes, Vec<&'a [u8]>, Vec<&'a [u8]>);

struct Codes {
    single: [u8; 256],
    longer: Vec<(Vec<u8>, usize)>,
}

impl Codes {
    fn new<'a>(codes: impl Iterator<Item = &'a str>) -> Self {
        let mut single = [0u8; 256];
        let mut longer = Vec::new();
        for (i, k) in codes.enumerate() {
            match k.as_bytes() {
                [b] if i < 255 => single[usize::from(*b)] = (i + 1) as u8,
                bytes => longer.push((bytes.to_vec(), i)),
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

/// Where to report progress: called with the bytes read so far (about every 32,768
/// rows).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// As [`load`] for a part of a file (its header line, then rows from a record
/// boundary), from any reader: with `part` set, the part may hold no rows, no checksum
/// is computed (the caller hashes the whole file) and line numbers in errors count from
/// the start of the part (the caller reads the file again sequentially to report an
/// error). `progress`, when given, is called with the bytes read; `ids` collects the
/// respondent ids seen (shared with the caller so that parts read separately can be
/// checked against each other).
///
/// # Errors
/// As [`load`].
#[allow(clippy::too_many_arguments)]
pub fn load_part<R: Read>(
    reader: R,
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    part: bool,
    progress: Option<Progress<'_>>,
    ids: &mut IdSet,
    each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let hashing =
        Hashing { inner: reader, hasher: crate::digest::Sha256::default(), enabled: !part };
    let mut rdr = super::records::Records::new(hashing, options.delimiter);
    let lines = if part { Lines::Part } else { Lines::File };
    let mut summary = load_records(&mut rdr, path, codebook, options, lines, progress, ids, each)?;
    // Hash whatever the reader did not need to read (nothing, normally).
    let mut rest = rdr.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink())
        .map_err(|cause| LoadError::Io { file: path.to_path_buf(), cause })?;
    summary.sha256 = rest.hasher.hex();
    Ok(summary)
}

/// How the start of a record ([`Record::byte`](super::records::Record::byte)) becomes
/// the line an error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A byte offset in the file named: its line, counted in the file (and a repeated
    /// id is looked up there to name both lines).
    File,
    /// A part of a file read on its own: no line (the caller reads the file again to
    /// report an error), and the part may hold no rows.
    Part,
    /// A table in memory: the record's row, the header being line 1 as in the table
    /// written as CSV.
    Rows,
}

/// As [`load_part`] from any [`RecordSource`](super::records::RecordSource) (its header
/// record first): the checks, exclusions and messages of the CSV loader, with lines
/// counted as `lines` says. The summary's checksum is left to the caller.
///
/// # Errors
/// As [`load`].
#[allow(clippy::too_many_arguments)]
pub fn load_records<S: super::records::RecordSource>(
    rdr: &mut S,
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    lines: Lines,
    progress: Option<Progress<'_>>,
    ids: &mut IdSet,
    mut each: impl FnMut(&Response),
) -> Result<LoadSummary, LoadError> {
    let part = lines == Lines::Part;
    let file = path.to_path_buf();
    let line_of = |byte: u64| match lines {
        Lines::File => line_at(path, byte),
        Lines::Part => 0,
        Lines::Rows => byte + 1,
    };
    let record_error = |e: super::records::RecordError| match e {
        super::records::RecordError::Io(cause) => LoadError::Io { file: file.clone(), cause },
        e @ super::records::RecordError::UnequalLengths { byte, .. } => {
            LoadError::Csv { file: file.clone(), line: line_of(byte), message: e.to_string() }
        }
    };
    let mut headers = super::records::Record::default();
    rdr.read_record(&mut headers).map_err(record_error)?;
    let headers: Vec<&[u8]> = headers.iter().map(<[u8]>::trim_ascii).collect();
    let names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h) } else { h };
            String::from_utf8_lossy(h).into_owned()
        })
        .collect();
    let expected = codebook.columns();
    let header_error = |message: String| LoadError::Header { file: file.clone(), line: 1, message };
    if names.iter().all(String::is_empty) {
        return Err(header_error(format!(
            "no header; expected a first line with the columns {}",
            name_list(&expected, 20)
        )));
    }
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if position.insert(n.as_str(), i).is_some() {
            return Err(header_error(format!(
                "column '{}' appears twice; expected each column once",
                echo(n)
            )));
        }
    }
    let missing: Vec<&str> =
        expected.iter().copied().filter(|c| !position.contains_key(c)).collect();
    if !missing.is_empty() {
        let raw = names.join(&char::from(options.delimiter).to_string());
        return Err(header_error(super::header::missing_columns(
            codebook,
            &missing,
            &names,
            raw.as_bytes(),
            options.delimiter,
        )));
    }
    let extra: Vec<&str> =
        names.iter().map(String::as_str).filter(|n| !expected.contains(n)).collect();
    if !extra.is_empty() && options.strict_columns {
        return Err(header_error(format!(
            "unexpected column(s) {}; expected only the codebook's columns {} (--strict-columns)",
            name_list(&extra, 10),
            name_list(&expected, 20)
        )));
    }
    let ignored_columns: Vec<String> = extra.iter().map(|c| c.to_string()).collect();
    let col = |name: &str| Column { name: name.to_string(), index: position[name] };
    let id_col = col(&codebook.id_column);
    let group_col = col(&codebook.grouping.column);
    let weight_col = codebook.weight_column.as_deref().map(col);
    let wave_col = codebook.wave_column.as_deref().map(col);
    let design = codebook.design.as_ref();
    let strata_col = design.and_then(|d| d.strata_column.as_deref()).map(col);
    let cluster_col = design.and_then(|d| d.cluster_column.as_deref()).map(col);
    let fpc_col = design.and_then(|d| d.fpc_column.as_deref()).map(col);
    let replicate_cols: Vec<Column> = design
        .and_then(|d| d.replicates.as_ref())
        .map_or_else(Vec::new, |r| r.columns.iter().map(|c| col(c)).collect());
    let replicates_adjacent = replicate_cols.windows(2).all(|w| w[1].index == w[0].index + 1);
    // The weighting variables: each one's column (a question's, or its own) and codes.
    let weighting = codebook.weighting.as_ref();
    let weighting_vars: Vec<(Option<Column>, Codes)> = weighting.map_or_else(Vec::new, |w| {
        w.variables
            .iter()
            .map(|v| {
                let c = match v.source {
                    WeightingSource::Group => None,
                    WeightingSource::Question(_) | WeightingSource::Column => Some(col(&v.name)),
                };
                (c, Codes::new(v.codes.iter().map(String::as_str)))
            })
            .collect()
    });
    // The fpc first seen for each stratum, and the byte of its row: it must not change.
    let mut stratum_fpc: HashMap<String, (f64, u64)> = HashMap::new();
    // The questions read from their own column (the others are derived below).
    let question_cols: Vec<Option<Column>> = codebook
        .questions
        .iter()
        .map(|q| matches!(q.source, Source::Column).then(|| col(&q.id)))
        .collect();
    let set_cols: Vec<Vec<Column>> =
        codebook.sets.iter().map(|s| s.columns.iter().map(|c| col(c)).collect()).collect();
    // Per set: the codes that tick an answer (and their answer), that leave it
    // unticked, and that mean missing.
    let set_codes: Vec<SetCodes<'_>> = codebook
        .sets
        .iter()
        .map(|s| match &s.coding {
            Coding::Dichotomies { counted, not_counted } => (
                Codes::new(std::iter::once(counted.as_str())),
                not_counted.iter().map(|c| c.as_bytes()).collect(),
                s.missing.iter().map(|m| m.as_bytes()).collect(),
            ),
            Coding::Categories { codes } => (
                Codes::new(codes.iter().map(String::as_str)),
                Vec::new(),
                s.missing.iter().map(|m| m.as_bytes()).collect(),
            ),
        })
        .collect();
    let set_expected = |si: usize| {
        let s = &codebook.sets[si];
        let mut codes: Vec<String> = match &s.coding {
            Coding::Dichotomies { counted, not_counted } => {
                std::iter::once(counted).chain(not_counted).map(|c| format!("'{c}'")).collect()
            }
            Coding::Categories { codes } => codes.iter().map(|c| format!("'{c}'")).collect(),
        };
        codes.extend(s.missing.iter().map(|m| format!("'{m}' (missing)")));
        format!("one of {} or an empty cell", name_list(&codes, 20))
    };
    let mut set_answered = vec![false; codebook.sets.len()];
    let mut ticked: Vec<Vec<bool>> =
        codebook.sets.iter().map(|s| vec![false; s.questions.len()]).collect();
    let group_expected = format!(
        "one of {}",
        name_list(
            &codebook
                .grouping
                .levels
                .iter()
                .map(|l| format!("'{}' ({})", l.code, l.label))
                .collect::<Vec<_>>(),
            10
        )
    );
    let question_expected = |qi: usize| {
        let q = &codebook.questions[qi];
        let mut codes: Vec<String> = q.options.iter().map(|o| format!("'{}'", o.code)).collect();
        codes.extend(q.missing.iter().map(|m| format!("'{m}' (missing)")));
        format!("one of {} or an empty cell (missing)", name_list(&codes, 20))
    };
    let option_codes: Vec<Codes> = codebook
        .questions
        .iter()
        .map(|q| Codes::new(q.options.iter().map(|o| o.code.as_str())))
        .collect();
    let group_codes = Codes::new(codebook.grouping.levels.iter().map(|l| l.code.as_str()));
    let missing_codes: Vec<Vec<&[u8]>> = codebook
        .questions
        .iter()
        .map(|q| q.missing.iter().map(|m| m.as_bytes()).collect())
        .collect();
    let no_group = format!("no value in grouping column '{}'", group_col.name);
    let missing_of = |source: WeightingSource, text: &[u8]| match source {
        WeightingSource::Question(qi) => missing_codes[qi].contains(&text),
        _ => false,
    };

    let mut summary =
        LoadSummary { file: path.display().to_string(), ignored_columns, ..LoadSummary::default() };
    let mut scale: Option<WeightScale> = None;
    let mut first_weight = 0.0f64;
    let mut reported_bytes = 0u64;
    let mut missing_counts = vec![0u64; codebook.questions.len()];
    let mut record = super::records::Record::default();
    let mut response = Response {
        group: 0,
        weight: 1.0,
        wave: None,
        answers: vec![None; codebook.questions.len()],
        design: DesignValues {
            replicates: vec![0.0; replicate_cols.len()],
            ..DesignValues::default()
        },
        row: 0,
        id: 0,
    };
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(record_error(e)),
        }
        summary.rows_read += 1;
        let byte = record.byte();
        if let Some(report) = progress
            && summary.rows_read.is_multiple_of(1 << 15)
        {
            report(byte - reported_bytes);
            reported_bytes = byte;
        }
        let value_error = |c: &Column, value: &[u8], message: &'static str, expected: String| {
            let message =
                if std::str::from_utf8(value).is_ok() { message } else { "invalid UTF-8" };
            LoadError::Value(Box::new(BadValue {
                file: file.display().to_string(),
                line: line_of(byte),
                column: c.name.clone(),
                column_index: c.index + 1,
                value: echo_bytes(value),
                message,
                expected,
            }))
        };
        let field = |i: usize| record.get(i).unwrap_or_default().trim_ascii();
        let id = field(id_col.index);
        if id.is_empty() {
            return Err(value_error(
                &id_col,
                id,
                "empty respondent id",
                "a unique, non-empty id".into(),
            ));
        }
        response.id = super::ids::hash_id(id);
        if !ids
            .insert_hash(response.id)
            .map_err(|cause| LoadError::Io { file: file.clone(), cause })?
        {
            if lines != Lines::File {
                // The caller reads the file again to name both lines (a part), or the
                // table has no file to look in.
                return Err(value_error(
                    &id_col,
                    id,
                    "duplicate respondent id",
                    "each id once".into(),
                ));
            }
            return Err(duplicate_error(path, codebook, options, super::ids::hash_id(id)));
        }
        if let Some(c) = &wave_col {
            let w = field(c.index);
            if w.is_empty() {
                return Err(value_error(c, w, "empty wave", "a wave label".into()));
            }
            let Ok(label) = std::str::from_utf8(w) else {
                return Err(value_error(c, w, "invalid UTF-8", "a wave label in UTF-8".into()));
            };
            if response.wave.as_deref() != Some(label) {
                response.wave = Some(label.to_string());
            }
        }
        let code = field(group_col.index);
        if code.is_empty() {
            *summary.excluded.entry(no_group.clone()).or_insert(0) += 1;
            if let Some(w) = &response.wave {
                *summary
                    .excluded_by_wave
                    .entry(w.clone())
                    .or_default()
                    .entry(no_group.clone())
                    .or_insert(0) += 1;
            }
            continue;
        }
        response.group = group_codes.find(code).ok_or_else(|| {
            value_error(&group_col, code, "unknown group code", group_expected.clone())
        })?;
        // Replicate weights: plain decimals under a scale already set are stored directly
        // (the same double as `weight_of` gives: a product by an exact power of two);
        // anything else takes the checked path.
        let factor = scale
            .filter(|s| s.exponent.abs() <= PLAIN_SCALE_EXPONENT)
            .map(|s| times_power_of_two(1.0, -s.exponent));
        let mut weight_of = |c: &Column, zero: &mut u64| -> Result<f64, LoadError> {
            let text = field(c.index);
            let expected = "a finite number >= 0";
            let w: f64 = plain_decimal(text)
                .or_else(|| std::str::from_utf8(text).ok().and_then(|t| t.parse().ok()))
                .ok_or_else(|| value_error(c, text, "weight is not a number", expected.into()))?;
            if !(w.is_finite() && w >= 0.0) {
                return Err(value_error(
                    c,
                    text,
                    "weight is negative or not finite",
                    expected.into(),
                ));
            }
            if w == 0.0 {
                *zero += 1;
                return Ok(0.0);
            }
            let s = *scale.get_or_insert_with(|| {
                first_weight = w;
                WeightScale::from_first(w)
            });
            s.store(w).map_err(|_| {
                value_error(
                    c,
                    text,
                    "weight is too far from the file's other weights",
                    format!(
                        "a weight within a factor of 1e120 of the first non-zero weight ({})",
                        echo(&first_weight.to_string())
                    ),
                )
            })
        };
        response.weight = match &weight_col {
            None => 1.0,
            Some(c) => weight_of(c, &mut summary.zero_weights)?,
        };
        let mut zero_replicates = 0;
        // One pass over the record when the columns are adjacent, as they usually are.
        let skip =
            if replicates_adjacent { replicate_cols.first().map_or(0, |c| c.index) } else { 0 };
        let mut cells = record.iter().skip(skip);
        for (slot, c) in response.design.replicates.iter_mut().zip(&replicate_cols) {
            let raw = if replicates_adjacent {
                cells.next().unwrap_or_default()
            } else {
                record.get(c.index).unwrap_or_default()
            };
            *slot = match (factor, plain_decimal(raw)) {
                (Some(f), Some(w)) => w * f,
                _ => weight_of(c, &mut zero_replicates)?,
            };
        }
        for (c, slot, what) in [
            (&strata_col, &mut response.design.stratum, "stratum"),
            (&cluster_col, &mut response.design.cluster, "cluster"),
        ] {
            let Some(c) = c else { continue };
            let text = field(c.index);
            let Ok(code) = std::str::from_utf8(text) else {
                return Err(value_error(
                    c,
                    text,
                    "invalid UTF-8",
                    format!("a {what} code in UTF-8"),
                ));
            };
            if code.is_empty() {
                let (problem, expected) = empty_design_code(what);
                return Err(value_error(c, text, problem, expected));
            }
            if slot != code {
                slot.clear();
                slot.push_str(code);
            }
        }
        if let Some(c) = &fpc_col {
            let text = field(c.index);
            let expected = "a number > 0: the stratum's PSUs in the population, or its sampling fraction (at most 1)";
            let v: f64 = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse().ok())
                .filter(|v: &f64| v.is_finite() && *v > 0.0)
                .ok_or_else(|| value_error(c, text, "fpc is not a number > 0", expected.into()))?;
            let (first, at) = match stratum_fpc.get(&response.design.stratum) {
                Some(&seen) => seen,
                None => {
                    let seen = (v, byte);
                    stratum_fpc.insert(response.design.stratum.clone(), seen);
                    seen
                }
            };
            if first != v {
                return Err(value_error(
                    c,
                    text,
                    "fpc differs within a stratum",
                    format!(
                        "{} for stratum '{}', as on line {}",
                        echo(&first.to_string()),
                        echo(&response.design.stratum),
                        line_of(at)
                    ),
                ));
            }
            response.design.fpc = v;
        }
        for (si, cols) in set_cols.iter().enumerate() {
            let (codes, unticked, missing) = &set_codes[si];
            let dichotomies = matches!(codebook.sets[si].coding, Coding::Dichotomies { .. });
            ticked[si].fill(false);
            set_answered[si] = false;
            for (j, c) in cols.iter().enumerate() {
                let text = field(c.index);
                if text.is_empty() || missing.contains(&text) {
                    continue;
                }
                set_answered[si] = true;
                match codes.find(text) {
                    Some(a) => ticked[si][if dichotomies { j } else { a }] = true,
                    None if unticked.contains(&text) => {}
                    None => {
                        return Err(value_error(c, text, "unknown answer code", set_expected(si)));
                    }
                }
            }
        }
        for (qi, c) in question_cols.iter().enumerate() {
            let Some(c) = c else { continue };
            let text = field(c.index);
            if text.is_empty() || missing_codes[qi].contains(&text) {
                missing_counts[qi] += 1;
                response.answers[qi] = None;
                continue;
            }
            let option = option_codes[qi].find(text).ok_or_else(|| {
                value_error(c, text, "unknown answer code", question_expected(qi))
            })?;
            response.answers[qi] = Some(option);
        }
        for (qi, q) in codebook.questions.iter().enumerate() {
            let yes = |t: bool| Some(if t { 0 } else { 1 });
            let answer = match &q.source {
                Source::Column => continue,
                Source::Net { question, options } => {
                    response.answers[*question].map(|o| usize::from(!options.contains(&o)))
                }
                Source::Answer { set, answer } => {
                    if set_answered[*set] {
                        yes(ticked[*set][*answer])
                    } else {
                        None
                    }
                }
                Source::SetNet { set, answers } => {
                    if set_answered[*set] {
                        yes(answers.iter().any(|&a| ticked[*set][a]))
                    } else {
                        None
                    }
                }
            };
            if answer.is_none() {
                missing_counts[qi] += 1;
            }
            response.answers[qi] = answer;
        }
        if let Some(w) = weighting {
            let mut cell = 0usize;
            for (v, (c, codes)) in w.variables.iter().zip(&weighting_vars) {
                let index = match (v.source, c) {
                    (WeightingSource::Group, _) => Some(response.group),
                    (WeightingSource::Question(qi), _) => response.answers[qi],
                    (WeightingSource::Column, Some(c)) => codes.find(field(c.index)),
                    (WeightingSource::Column, None) => None,
                };
                let Some(index) = index else {
                    let c = c.as_ref().unwrap_or(&group_col);
                    let text = field(c.index);
                    let expected = format!(
                        "one of {} (the codes of the weighting margin)",
                        name_list(
                            &v.codes.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>(),
                            20
                        )
                    );
                    let message = if text.is_empty() || missing_of(v.source, text) {
                        "no value for a weighting variable"
                    } else {
                        "unknown code for a weighting variable"
                    };
                    return Err(value_error(c, text, message, expected));
                };
                cell = cell * v.codes.len() + index;
            }
            response.design.cell = cell;
        }
        summary.rows_used += 1;
        response.row = summary.rows_read;
        each(&response);
    }
    for (q, n) in codebook.questions.iter().zip(missing_counts) {
        summary.missing_answers.insert(q.id.clone(), n);
    }
    summary.weight_scale = scale.unwrap_or_default();
    if summary.rows_read == 0 && !part {
        return Err(LoadError::Empty { file, line: 2 });
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::plain_decimal;

    #[test]
    fn plain_decimals_parse_exactly_as_the_standard_library() {
        // A seeded walk over decimals of every length and point position.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = 1 + (x % 15) as usize;
            let mut text: String =
                (0..digits).map(|i| char::from(b'0' + ((x >> (i * 4)) % 10) as u8)).collect();
            let point = ((x >> 60) as usize) % (digits + 2);
            if point <= digits {
                text.insert(point, '.');
            }
            let want: Option<f64> = text.parse().ok();
            let got = plain_decimal(text.as_bytes());
            if let Some(g) = got {
                assert_eq!(Some(g.to_bits()), want.map(f64::to_bits), "{text}");
            }
        }
        for text in ["", ".", "1e5", "-1", "+1", "1.2.3", "1234567890123456", " 1", "inf"] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(plain_decimal(b"0.5514"), Some(0.5514));
        assert_eq!(plain_decimal(b"3."), Some(3.0));
        assert_eq!(plain_decimal(b".25"), Some(0.25));
    }
}
