//! Responses files in other formats (workbooks, Parquet) converted to CSV for the one
//! loader: the checks, exclusion counts and messages are the CSV loader's, told of the
//! original file (its name, and lines and columns counted as its rows and columns).

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
        }
    }
}
