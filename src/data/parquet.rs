//! Parquet files as responses files: one file, or a folder of part files (`*.parquet`,
//! read in name order, each with the same columns), read with the parquet crate's row
//! API. Columns are matched by name, as a CSV header's are; each value becomes the text
//! a CSV export would hold (a null empty, a whole number without a decimal point, a
//! string as it is), and the rows go through the CSV loader, so the checks and messages
//! are the loader's, its lines the rows (the header line 1, the parts' rows counted on
//! across them).

use super::LoadError;
use super::convert::{Converted, csv_writer, whole};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::{Path, PathBuf};

fn is_part(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// Whether `path` is a Parquet file (by its extension) or a folder holding one.
pub fn is_parquet(path: &Path) -> bool {
    if path.is_dir() {
        return std::fs::read_dir(path)
            .map(|d| d.filter_map(Result::ok).any(|e| is_part(&e.path())))
            .unwrap_or(false);
    }
    is_part(path)
}

/// The part files, in name order.
fn parts(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_part(p))
        .collect();
    out.sort();
    Ok(out)
}

/// A value as CSV text.
fn text(field: &Field) -> String {
    match field {
        Field::Null => String::new(),
        Field::Bool(b) => b.to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float16(v) => whole(f64::from(*v)),
        Field::Float(v) => whole(f64::from(*v)),
        Field::Double(v) => whole(*v),
        Field::Str(s) => s.clone(),
        Field::Bytes(b) => String::from_utf8_lossy(b.data()).into_owned(),
        other => other.to_string(),
    }
}

/// Writes the rows of the Parquet file or folder at `path` as CSV to a temporary file.
///
/// # Errors
/// [`LoadError::Format`] for a file that is not Parquet, a folder with no part, or parts
/// whose columns differ; [`LoadError::Io`] when a file cannot be read or the temporary
/// file written.
pub fn to_csv(path: &Path) -> Result<Converted, LoadError> {
    let files = parts(path)?;
    if files.is_empty() {
        return Err(LoadError::Format {
            file: path.to_path_buf(),
            message: "no *.parquet part file in the folder".into(),
        });
    }
    let (mut w, csv) = csv_writer(path)?;
    let mut header: Option<(Vec<String>, PathBuf)> = None;
    for part in &files {
        let bad = |message: String| LoadError::Format { file: part.clone(), message };
        let io = |cause| LoadError::Io { file: part.clone(), cause };
        let file = std::fs::File::open(part).map_err(io)?;
        let reader = SerializedFileReader::new(file)
            .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
        let names: Vec<String> = reader
            .metadata()
            .file_metadata()
            .schema()
            .get_fields()
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        match &header {
            None => {
                w.write_record(&names).map_err(|e| io(e.into()))?;
                header = Some((names, part.clone()));
            }
            Some((first, first_part)) if *first != names => {
                return Err(bad(format!(
                    "its columns ({}) differ from those of {} ({}); expected the parts of one table",
                    crate::format::name_list(&names, 10),
                    first_part.display(),
                    crate::format::name_list(first, 10)
                )));
            }
            Some(_) => {}
        }
        let rows = reader.get_row_iter(None).map_err(|e| bad(e.to_string()))?;
        for row in rows {
            let row = row.map_err(|e| bad(e.to_string()))?;
            w.write_record(row.get_column_iter().map(|(_, f)| text(f)))
                .map_err(|e| io(e.into()))?;
        }
    }
    w.flush().map_err(|cause| LoadError::Io { file: path.to_path_buf(), cause })?;
    let note = (files.len() > 1).then(|| format!("read {} part files in name order", files.len()));
    Ok(Converted { csv, inputs: files, note, row_offset: 0, column_offset: 0, dictionary: None })
}
