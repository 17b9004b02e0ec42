//! Stata `.dta` files (releases 102 to 119, read with the dta crate) as responses files.
//! The value labels and long strings (`strL`) are read first, by seeking; the
//! observations are then streamed into the CSV the one loader reads: a number in its
//! shortest form (a whole number without a decimal point), the system missing value `.`
//! empty, an extended missing value as its tag (`.a` to `.z`, which `init` declares
//! missing), a string as it is. The loader's lines are the observations (the header
//! line 1).

use super::LoadError;
use super::convert::{ColumnInfo, Converted, Dictionary, csv_writer, whole};
use dta::stata::dta::dta_error::{DtaError, FormatErrorKind};
use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::long_string_table::LongStringTable;
use dta::stata::dta::value::Value;
use dta::stata::dta::value_label_table::ValueLabelTable;
use dta::stata::dta::variable_type::VariableType;
use dta::stata::missing_value::MissingValue;
use dta::stata::stata_byte::StataByte;
use dta::stata::stata_double::StataDouble;
use dta::stata::stata_float::StataFloat;
use dta::stata::stata_int::StataInt;
use dta::stata::stata_long::StataLong;
use std::path::Path;

/// Whether `path` names a Stata file (by its extension, `.dta` in any case).
pub fn is_stata(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("dta"))
}

/// A missing value as CSV text: `.` empty, `.a` to `.z` as the tag.
fn missing(m: MissingValue) -> String {
    match m {
        MissingValue::System => String::new(),
        tagged => tagged.to_string(),
    }
}

/// Writes the observations of the Stata file at `path` as CSV to a temporary file, with
/// its dictionary (variable labels, value labels, extended missing values seen).
///
/// # Errors
/// [`LoadError::Format`] for a file that is not a readable Stata file (the crate's
/// message, naming the section), [`LoadError::Io`] when the temporary file cannot be
/// written.
pub fn to_csv(path: &Path) -> Result<Converted, LoadError> {
    match read(path, encoding_rs::UTF_8)? {
        Ok(converted) => Ok(converted),
        // Releases before 118 declare no encoding: UTF-8 when every string is, else
        // Windows-1252 (Stata's own before Unicode).
        Err(_) => match read(path, encoding_rs::WINDOWS_1252)? {
            Ok(mut converted) => {
                converted.note = Some("strings read as Windows-1252, not UTF-8".into());
                Ok(converted)
            }
            Err(e) => Err(e),
        },
    }
}

/// Reads with the strings' encoding `encoding`; the inner error is a string that does
/// not decode.
fn read(
    path: &Path,
    encoding: &'static encoding_rs::Encoding,
) -> Result<Result<Converted, LoadError>, LoadError> {
    // The crate reports a cell that does not decode as an I/O error of the records.
    let undecodable = |e: &DtaError| match e {
        DtaError::Format(f) => matches!(f.kind(), FormatErrorKind::InvalidEncoding { .. }),
        DtaError::Io { source, .. } => source.to_string().contains("invalid string encoding"),
        _ => false,
    };
    let bad = |e: DtaError| LoadError::Format {
        file: path.to_path_buf(),
        message: format!("not a readable Stata file: {e}"),
    };
    let mut characteristics = DtaReader::new()
        .encoding(encoding)
        .from_path(path)
        .map_err(bad)?
        .read_header()
        .map_err(bad)?
        .read_schema()
        .map_err(bad)?;
    characteristics.skip_to_end().map_err(bad)?;
    let records = characteristics.into_record_reader().map_err(bad)?;
    let mut value_labels = records.seek_value_labels().map_err(bad)?;
    let mut labels = ValueLabelTable::new();
    value_labels.read_remaining_into(&mut labels).map_err(bad)?;
    let schema = value_labels.schema().clone();
    let has_strl = schema.variables().iter().any(|v| v.variable_type() == VariableType::LongString);
    let mut strls = LongStringTable::for_reading();
    let mut records = if has_strl {
        let mut long = value_labels.seek_long_strings().map_err(bad)?;
        long.read_remaining_into(&mut strls).map_err(bad)?;
        long.seek_records().map_err(bad)?
    } else {
        value_labels.seek_records().map_err(bad)?
    };
    let encoding = records.encoding();
    let mut info: Vec<ColumnInfo> = schema
        .variables()
        .iter()
        .map(|v| ColumnInfo {
            name: v.name().to_string(),
            label: Some(v.label().trim().to_string()).filter(|l| !l.is_empty()),
            values: labels
                .get(v.value_label_name())
                .map(|set| {
                    set.entries()
                        .iter()
                        .map(|e| (e.value().to_string(), e.label().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            missing: Vec::new(),
            missing_range: None,
            numeric: !matches!(
                v.variable_type(),
                VariableType::FixedString(_) | VariableType::LongString
            ),
        })
        .collect();
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    let (mut w, csv) = csv_writer(path)?;
    w.write_record(info.iter().map(|c| c.name.as_str())).map_err(|e| io(e.into()))?;
    let mut row: Vec<String> = Vec::with_capacity(info.len());
    let mut n = 0u64;
    loop {
        let record = match records.read_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) if undecodable(&e) && encoding == encoding_rs::UTF_8 => {
                return Ok(Err(bad(e)));
            }
            Err(e) => {
                return Err(LoadError::Format {
                    file: path.to_path_buf(),
                    message: format!("observation {}: {e}", n + 1),
                });
            }
        };
        n += 1;
        row.clear();
        for (c, value) in record.values().iter().enumerate() {
            let number = |x: Option<String>, m: Option<MissingValue>| match (x, m) {
                (Some(x), _) => (x, false),
                (None, m) => (missing(m.unwrap_or(MissingValue::System)), true),
            };
            let (text, tagged) = match value {
                Value::Byte(v) => match v {
                    StataByte::Present(x) => number(Some(x.to_string()), None),
                    StataByte::Missing(m) => number(None, Some(*m)),
                },
                Value::Int(v) => match v {
                    StataInt::Present(x) => number(Some(x.to_string()), None),
                    StataInt::Missing(m) => number(None, Some(*m)),
                },
                Value::Long(v) => match v {
                    StataLong::Present(x) => number(Some(x.to_string()), None),
                    StataLong::Missing(m) => number(None, Some(*m)),
                },
                Value::Float(v) => match v {
                    // A float's own shortest form: 0.1 stays 0.1, not 0.10000000149011612.
                    StataFloat::Present(x) if x.fract() != 0.0 => number(Some(x.to_string()), None),
                    StataFloat::Present(x) => number(Some(whole(f64::from(*x))), None),
                    StataFloat::Missing(m) => number(None, Some(*m)),
                },
                Value::Double(v) => match v {
                    StataDouble::Present(x) => number(Some(whole(*x)), None),
                    StataDouble::Missing(m) => number(None, Some(*m)),
                },
                Value::String(s) => (s.to_string(), false),
                Value::LongStringRef(r) => (
                    strls
                        .get(r)
                        .and_then(|s| {
                            s.data_str(encoding).map(|t| t.trim_end_matches('\0').to_string())
                        })
                        .unwrap_or_default(),
                    false,
                ),
            };
            if tagged && !text.is_empty() && !info[c].missing.contains(&text) {
                info[c].missing.push(text.clone());
            }
            row.push(text);
        }
        w.write_record(&row).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)?;
    for c in &mut info {
        c.missing.sort();
    }
    Ok(Ok(Converted {
        csv,
        inputs: vec![path.to_path_buf()],
        note: None,
        row_offset: 0,
        column_offset: 0,
        dictionary: Some(Dictionary { columns: info, sets: Vec::new(), weight: None }),
    }))
}
