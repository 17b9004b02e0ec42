//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`, read with
//! calamine) as responses files: the first sheet's used range, its first row the header,
//! each cell as the text a CSV export would hold (a whole number without a decimal
//! point, so that the code 1 stays `1`; an empty cell empty; `TRUE`/`FALSE` as `true`
//! and `false`; an error cell as `#N/A` and the like). The rows are written as CSV to a
//! temporary file that the CSV loader reads, so the validation, the exclusion counts and
//! the messages are the loader's; a message names the workbook, and its lines are the
//! sheet's rows (its columns the sheet's columns, A = 1), wherever the table starts.

use super::LoadError;
use super::convert::{Converted, csv_writer, whole};
use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;

/// The extensions read as workbooks (any case).
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether `path` names a workbook (by its extension).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A cell as CSV text.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => whole(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => whole(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// Writes the first sheet of the workbook at `path` as CSV to a temporary file.
///
/// # Errors
/// [`LoadError::Format`] for a file that is not a readable workbook or holds no sheet,
/// [`LoadError::Io`] when the temporary file cannot be written.
pub fn to_csv(path: &Path) -> Result<Converted, LoadError> {
    let bad = |message: String| LoadError::Format { file: path.to_path_buf(), message };
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
    let (mut w, csv) = csv_writer(path)?;
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    for row in range.rows() {
        w.write_record(row.iter().map(text)).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)?;
    let note = (names.len() > 1).then(|| {
        format!(
            "read the first sheet, '{}', of the workbook's {}",
            crate::format::echo(&sheet),
            names.len()
        )
    });
    Ok(Converted {
        csv,
        inputs: vec![path.to_path_buf()],
        note,
        row_offset,
        column_offset,
        dictionary: None,
    })
}
