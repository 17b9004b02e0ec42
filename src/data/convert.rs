//! Responses files in other formats (workbooks, Parquet, SPSS and Stata files) converted
//! to CSV for the one loader: the checks, exclusion counts and messages are the CSV
//! loader's, told of the original file (its name, and lines and columns counted as its
//! rows and columns). A format that carries a dictionary (labels, missing codes,
//! response sets) hands it on in [`Converted::dictionary`] for `init` to draft from.

use super::LoadError;
use std::path::{Path, PathBuf};

/// A file in another format, written as CSV to a temporary file.
#[derive(Debug)]
pub struct Converted {
    /// The CSV (removed when dropped).
    pub csv: tempfile::TempPath,
    /// The files read, in order (a folder's parts; their bytes make the checksum).
    pub inputs: Vec<PathBuf>,
    /// What the summary should say about the conversion (a sheet chosen, parts joined).
    pub note: Option<String>,
    /// Rows above the data (added to the CSV's line numbers).
    pub row_offset: u64,
    /// Columns left of the data (added to the CSV's column numbers).
    pub column_offset: usize,
    /// What the file says about its columns, when its format says anything.
    pub dictionary: Option<Dictionary>,
}

/// What an SPSS or Stata file says about its columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dictionary {
    /// The columns, in the file's order.
    pub columns: Vec<ColumnInfo>,
    /// Multiple-response sets (SPSS).
    pub sets: Vec<ResponseSet>,
    /// The column the file names as its weight (SPSS `WEIGHT BY`).
    pub weight: Option<String>,
}

/// One column's labels and missing codes, as the CSV holds its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnInfo {
    /// The column's name.
    pub name: String,
    /// Its variable label.
    pub label: Option<String>,
    /// Value labels: each code (as the CSV holds it) and its label, in the file's order.
    pub values: Vec<(String, String)>,
    /// Codes declared missing (SPSS user-missing values, Stata's `.a` to `.z`).
    pub missing: Vec<String>,
    /// A range declared missing (SPSS; an open end infinite).
    pub missing_range: Option<(f64, f64)>,
    /// Whether the column holds numbers.
    pub numeric: bool,
}

impl ColumnInfo {
    /// Whether `code` is declared missing, by value or by range.
    pub fn is_missing(&self, code: &str) -> bool {
        self.missing.iter().any(|m| m == code)
            || self
                .missing_range
                .is_some_and(|(lo, hi)| code.parse::<f64>().is_ok_and(|x| (lo..=hi).contains(&x)))
    }

    /// The label of `code`, if it has one.
    pub fn label_of(&self, code: &str) -> Option<&str> {
        self.values.iter().find(|(c, _)| c == code).map(|(_, l)| l.as_str())
    }
}

/// A multiple-response set: columns that together answer one question.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSet {
    /// The set's name (without SPSS's `$`).
    pub name: String,
    /// Its label.
    pub label: String,
    /// For a set of dichotomies, the value that counts as ticked; none for a set of
    /// categories (each column holds one of the answers given).
    pub counted: Option<String>,
    /// Its columns.
    pub columns: Vec<String>,
}

/// The file at `path` converted to CSV when its format is not CSV (by its extension, or
/// a folder of Parquet parts); `None` for a CSV file.
///
/// # Errors
/// The converter's [`LoadError`].
pub fn open(path: &Path) -> Result<Option<Converted>, LoadError> {
    #[cfg(feature = "excel")]
    if super::excel::is_workbook(path) {
        return super::excel::to_csv(path).map(Some);
    }
    #[cfg(feature = "parquet")]
    if super::parquet::is_parquet(path) {
        return super::parquet::to_csv(path).map(Some);
    }
    #[cfg(feature = "spss")]
    if super::spss::is_spss(path) {
        return super::spss::to_csv(path).map(Some);
    }
    #[cfg(feature = "stata")]
    if super::stata::is_stata(path) {
        return super::stata::to_csv(path).map(Some);
    }
    let _ = path;
    Ok(None)
}

/// A whole number as an integer ("1", not "1.0"), so that answer codes read as codes;
/// other numbers in Rust's shortest round-trip form.
pub fn whole(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// A CSV writer (LF line ends) into a new temporary file; errors name `source`.
///
/// # Errors
/// [`LoadError::Io`] when the temporary file cannot be created.
pub fn csv_writer(
    source: &Path,
) -> Result<(csv::Writer<std::io::BufWriter<std::fs::File>>, tempfile::TempPath), LoadError> {
    let file = tempfile::NamedTempFile::new()
        .map_err(|cause| LoadError::Io { file: source.to_path_buf(), cause })?;
    let (handle, path) = file.into_parts();
    let w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(handle));
    Ok((w, path))
}

impl Converted {
    /// A loader error about the CSV, told of the original file: its name, and lines and
    /// columns counted as its rows and columns.
    pub fn locate(&self, error: LoadError, original: &Path) -> LoadError {
        let file: PathBuf = original.to_path_buf();
        match error {
            LoadError::Io { cause, .. } => LoadError::Io { file, cause },
            LoadError::Csv { line, message, .. } => {
                LoadError::Csv { file, line: line + self.row_offset, message }
            }
            LoadError::Header { line, message, .. } => {
                LoadError::Header { file, line: line + self.row_offset, message }
            }
            LoadError::Empty { line, .. } => {
                LoadError::Empty { file, line: line + self.row_offset }
            }
            LoadError::Value(mut v) => {
                v.file = original.display().to_string();
                v.line += self.row_offset;
                v.column_index += self.column_offset;
                LoadError::Value(v)
            }
            LoadError::Format { message, .. } => LoadError::Format { file, message },
            LoadError::Weighting(mut w) => {
                w.file = file;
                LoadError::Weighting(w)
            }
        }
    }
}
