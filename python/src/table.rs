//! A data frame as the loader's records: the Arrow C stream of any object with
//! `__arrow_c_stream__` (pandas, polars, pyarrow) imported in place, each row's cells
//! written as the text a CSV file would hold (integers in decimal, whole floats without
//! a fraction, `true`/`false`, nulls as empty cells), as the Parquet reader writes them,
//! so that a data frame and the same table read from a file give the same analysis.

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use invitestat::Codebook;
use invitestat::data::convert::whole;
use invitestat::data::records::{Record, RecordError, RecordSource};
use invitestat::data::{LoadError, LoadOptions, LoadSummary, Response};
use invitestat::tabulate::{DataSet, load_table};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::path::{Path, PathBuf};

/// A data frame's record batches, held in place (shared with Python's buffers).
pub struct ArrowTable {
    name: PathBuf,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowTable {
    /// Imports `data.__arrow_c_stream__()`; `name` is what errors call it.
    pub fn from_stream(data: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let capsule = data.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>()?;
        let expected = c"arrow_array_stream";
        let pointer = capsule.pointer_checked(Some(expected))?;
        // SAFETY: the capsule named "arrow_array_stream" holds an ArrowArrayStream (the
        // PyCapsule interface's contract); its contents are moved out and an empty
        // (released) stream left behind, so the capsule's destructor releases nothing.
        #[allow(unsafe_code)]
        let stream = unsafe {
            std::ptr::replace(
                pointer.as_ptr().cast::<FFI_ArrowArrayStream>(),
                FFI_ArrowArrayStream::empty(),
            )
        };
        let refuse = |e: arrow_schema::ArrowError| {
            super::refuse(format!("{name}: cannot read its Arrow stream: {e}"))
        };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(refuse)?;
        let schema = arrow_array::RecordBatchReader::schema(&reader);
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(refuse)?;
        // Every buffer as its type says (dictionary keys in range, offsets in bounds,
        // text in UTF-8): what another library exported is checked before it is read.
        for batch in &batches {
            for column in batch.columns() {
                column.to_data().validate_full().map_err(refuse)?;
            }
        }
        Ok(ArrowTable { name: PathBuf::from(name), schema, batches })
    }
}

/// Whether cells of `data_type` have a text form here.
fn has_text(data_type: &DataType) -> bool {
    use DataType as D;
    match data_type {
        D::Utf8 | D::LargeUtf8 | D::Utf8View | D::Null | D::Boolean => true,
        D::Int8 | D::Int16 | D::Int32 | D::Int64 => true,
        D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => true,
        D::Float32 | D::Float64 => true,
        D::Dictionary(_, values) => has_text(values),
        _ => false,
    }
}

/// The records of an [`ArrowTable`]: the header (its column names), then one record
/// per row, starting at its row number.
struct Rows<'a> {
    table: &'a ArrowTable,
    /// Per column, whether its cells are written (a column the codebook does not use,
    /// of a type without a text form here, is left empty: the loader ignores it).
    written: Vec<bool>,
    /// Dictionary columns, decoded to their values once per batch.
    columns: Vec<ArrayRef>,
    batch: usize,
    row_in_batch: usize,
    row: u64,
    header_done: bool,
}

impl<'a> Rows<'a> {
    fn new(table: &'a ArrowTable, codebook: &Codebook) -> Result<Self, LoadError> {
        let used = codebook.columns();
        let written = table
            .schema
            .fields()
            .iter()
            .map(|f| match has_text(f.data_type()) {
                true => Ok(true),
                false if !used.contains(&f.name().as_str()) => Ok(false),
                false => Err(LoadError::Format {
                    file: table.name.clone(),
                    message: format!(
                        "column '{}' holds Arrow type {}; expected text, integers, floats or booleans (or a dictionary of them)",
                        f.name(),
                        f.data_type()
                    ),
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rows {
            table,
            written,
            columns: Vec::new(),
            batch: 0,
            row_in_batch: 0,
            row: 0,
            header_done: false,
        })
    }

    /// The columns of batch `b`, dictionaries decoded to text arrays.
    fn decode(&self, b: usize) -> Vec<ArrayRef> {
        self.table.batches[b]
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                DataType::Dictionary(..) => {
                    let dict = c.as_any_dictionary();
                    let keys = dict.normalized_keys();
                    let values = dict.values();
                    let texts: Vec<Option<String>> = (0..c.len())
                        .map(|i| (!c.is_null(i)).then(|| text_of(values, keys[i])))
                        .collect();
                    std::sync::Arc::new(arrow_array::StringArray::from(texts)) as ArrayRef
                }
                _ => c.clone(),
            })
            .collect()
    }
}

/// A cell's text, as a CSV file would hold it.
fn text_of(column: &ArrayRef, i: usize) -> String {
    let mut out = Vec::new();
    write_cell(&mut out, column, i);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_cell(out: &mut Vec<u8>, column: &ArrayRef, i: usize) {
    use std::io::Write as _;
    if column.is_null(i) {
        return;
    }
    let _ = match column.data_type() {
        DataType::Utf8 => out.write_all(column.as_string::<i32>().value(i).as_bytes()),
        DataType::LargeUtf8 => out.write_all(column.as_string::<i64>().value(i).as_bytes()),
        DataType::Utf8View => out.write_all(column.as_string_view().value(i).as_bytes()),
        DataType::Int8 => write!(out, "{}", column.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => write!(out, "{}", column.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => write!(out, "{}", column.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => write!(out, "{}", column.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => write!(out, "{}", column.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => write!(out, "{}", column.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => write!(out, "{}", column.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => write!(out, "{}", column.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => out
            .write_all(whole(f64::from(column.as_primitive::<Float32Type>().value(i))).as_bytes()),
        DataType::Float64 => {
            out.write_all(whole(column.as_primitive::<Float64Type>().value(i)).as_bytes())
        }
        DataType::Boolean => {
            out.write_all(if column.as_boolean().value(i) { b"true" } else { b"false" })
        }
        _ => Ok(()),
    };
}

impl RecordSource for Rows<'_> {
    fn read_record(&mut self, record: &mut Record) -> Result<bool, RecordError> {
        if !self.header_done {
            self.header_done = true;
            record.start(0);
            for f in self.table.schema.fields() {
                record.push_with(|out| out.extend_from_slice(f.name().as_bytes()));
            }
            return Ok(true);
        }
        while self.batch < self.table.batches.len()
            && self.row_in_batch >= self.table.batches[self.batch].num_rows()
        {
            self.batch += 1;
            self.row_in_batch = 0;
            self.columns.clear();
        }
        if self.batch >= self.table.batches.len() {
            return Ok(false);
        }
        if self.columns.is_empty() {
            self.columns = self.decode(self.batch);
        }
        self.row += 1;
        record.start(self.row);
        let i = self.row_in_batch;
        for (column, written) in self.columns.iter().zip(&self.written) {
            record.push_with(|out| {
                if *written {
                    write_cell(out, column, i);
                }
            });
        }
        self.row_in_batch += 1;
        Ok(true)
    }
}

impl DataSet for ArrowTable {
    fn name(&self) -> &Path {
        &self.name
    }

    fn load(
        &self,
        codebook: &Codebook,
        options: LoadOptions,
        each: &mut dyn FnMut(&Response),
    ) -> Result<LoadSummary, LoadError> {
        let mut rows = Rows::new(self, codebook)?;
        load_table(&mut rows, &self.name, codebook, options, each)
    }
}
