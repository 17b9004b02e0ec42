//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`, read with
//! calamine) as responses files: the first sheet's used range, its first row the header,
//! each cell as the text a CSV export would hold (a whole number without a decimal
//! point, so that the code 1 stays `1`; an empty cell empty; `TRUE`/`FALSE` as `true`
//! and `false`; an error cell as `#N/A` and the like). The rows are written as CSV to a
//! temporary file that the CSV loader reads, so the validation, the exclusion counts and
//! the messages are the loader's; a message names the workbook, and its lines are the
//! sheet's rows (its columns the sheet's columns, A = 1).

use super::LoadError;
use calamine::{Data, Reader, open_workbook_auto};
use std::path::{Path, PathBuf};

/// The extensions read as workbooks (any case).
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether `path` names a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A workbook's first sheet as a CSV file.
#[derive(Debug)]
pub struct Converted {
    /// The CSV (removed when dropped).
    pub csv: tempfile::TempPath,
    /// The sheet read.
    pub sheet: String,
    /// Sheets in the workbook.
    pub sheets: usize,
    /// Rows above the used range (added to the CSV's line numbers).
    pub row_offset: u64,
    /// Columns left of the used range (added to the CSV's column numbers).
    pub column_offset: usize,
}

/// A cell as CSV text.
fn text(cell: &Data) -> String {
    let number = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
    };
    match cell {
        Data::Empty => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => number(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// Writes the first sheet of the workbook at `path` as CSV to a temporary file.
///
/// # Errors
/// [`LoadError::Workbook`] for a file that is not a readable workbook or holds no sheet,
/// [`LoadError::Io`] when the temporary file cannot be written.
pub fn to_csv(path: &Path) -> Result<Converted, LoadError> {
    let bad = |message: String| LoadError::Workbook { file: path.to_path_buf(), message };
    let mut book =
        open_workbook_auto(path).map_err(|e| bad(format!("not a readable workbook: {e}")))?;
    let names = book.sheet_names();
    let Some(sheet) = names.first().cloned() else {
        return Err(bad("the workbook has no sheet; expected one with a header row".into()));
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| bad(format!("sheet '{}': {e}", crate::format::echo(&sheet))))?;
    let (row_offset, column_offset) =
        range.start().map_or((0, 0), |(r, c)| (u64::from(r), c as usize));
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    let file = tempfile::NamedTempFile::new().map_err(io)?;
    let (handle, csv_path) = file.into_parts();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::new(handle));
    for row in range.rows() {
        w.write_record(row.iter().map(text)).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)?;
    Ok(Converted { csv: csv_path, sheet, sheets: names.len(), row_offset, column_offset })
}

impl Converted {
    /// A loader error about the CSV, told of the workbook: its name, and lines and
    /// columns counted as the sheet's.
    pub fn locate(&self, error: LoadError, workbook: &Path) -> LoadError {
        let file: PathBuf = workbook.to_path_buf();
        match error {
            LoadError::Io { cause, .. } => LoadError::Io { file, cause },
            LoadError::Csv { line, message, .. } => {
                LoadError::Csv { file, line: line + self.row_offset, message }
            }
            LoadError::Header { message, .. } => LoadError::Header { file, message },
            LoadError::Empty { .. } => LoadError::Empty { file },
            LoadError::Value(mut v) => {
                v.file = workbook.display().to_string();
                v.line += self.row_offset;
                v.column_index += self.column_offset;
                LoadError::Value(v)
            }
            LoadError::Workbook { message, .. } => LoadError::Workbook { file, message },
        }
    }
}
