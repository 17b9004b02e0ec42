//! Parquet files as responses files: one file, or a folder of part files (`*.parquet`,
//! read in name order, each with the same columns). Columns are matched by name, as a
//! CSV header's are; each value becomes the text a CSV export would hold (a null empty,
//! a whole number without a decimal point, a string as it is), and the rows go through
//! the CSV loader, so the checks and messages are the loader's, its lines the rows (the
//! header line 1, the parts' rows counted on across them).
//!
//! A table of flat columns of the common kinds (booleans, integers, floats, strings) is
//! read column by column, [`BATCH`] rows at a time from every column; any other (dates,
//! decimals, timestamps, nested columns) goes through the parquet crate's row API. Both
//! write the same text (the column-wise writer follows the row API's conversions). The
//! column-wise reader also hands its rows to the loader directly ([`ParquetRows`]), in
//! runs of rows that threads count on their own, the text of each value being what a
//! CSV reader gives back from the converted file.

use super::LoadError;
use super::convert::{Converted, csv_writer, whole};
use parquet::basic::{ConvertedType, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::data_type::ByteArray;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::ColumnDescriptor;
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rows read from every column at a time by the column-wise reader.
pub const BATCH: usize = 8192;

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

/// What the summary says of a table read from `parts` part files (nothing for one).
pub fn parts_note(parts: usize) -> Option<String> {
    (parts > 1).then(|| format!("read {parts} part files in name order"))
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

/// The temporary CSV file of a conversion.
type Out = std::io::BufWriter<std::fs::File>;

/// A CSV writer (LF line ends) onto `out`.
fn csv_onto(out: &mut Out) -> csv::Writer<&mut Out> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

/// Writes the rows of `reader` through the row API.
fn write_rows(
    reader: &SerializedFileReader<std::fs::File>,
    out: &mut Out,
    part: &Path,
) -> Result<(), LoadError> {
    let bad = |message: String| LoadError::Format { file: part.to_path_buf(), message };
    let io = |cause| LoadError::Io { file: part.to_path_buf(), cause };
    let mut w = csv_onto(out);
    let rows = reader.get_row_iter(None).map_err(|e| bad(e.to_string()))?;
    for row in rows {
        let row = row.map_err(|e| bad(e.to_string()))?;
        w.write_record(row.get_column_iter().map(|(_, f)| text(f))).map_err(|e| io(e.into()))?;
    }
    w.flush().map_err(io)
}

/// How the column-wise reader writes a column's values: as the row API's [`Field`] for
/// the column's physical and converted type would print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    Bool,
    /// INT32: signed (`INT_8`, `INT_16`, `INT_32`, none) or read as `u8`, `u16`, `u32`.
    Int32(ConvertedType),
    /// INT64: signed (`INT_64`, none) or read as `u64` (`UINT_64`).
    Int64(ConvertedType),
    Float,
    Double,
    /// BYTE_ARRAY: UTF-8 text (`UTF8`, `ENUM`, `JSON`), or bytes (`BSON`, none).
    Text {
        utf8: bool,
    },
}

impl Plain {
    /// The kind of a flat column (at most optional), if the column-wise reader covers it.
    fn of(column: &ColumnDescriptor) -> Option<Plain> {
        use ConvertedType as C;
        if column.max_rep_level() > 0 || column.max_def_level() > 1 {
            return None;
        }
        let converted = column.converted_type();
        match column.physical_type() {
            Physical::BOOLEAN => Some(Plain::Bool),
            Physical::INT32 => matches!(
                converted,
                C::NONE | C::INT_8 | C::INT_16 | C::INT_32 | C::UINT_8 | C::UINT_16 | C::UINT_32
            )
            .then_some(Plain::Int32(converted)),
            Physical::INT64 => matches!(converted, C::NONE | C::INT_64 | C::UINT_64)
                .then_some(Plain::Int64(converted)),
            Physical::FLOAT => Some(Plain::Float),
            Physical::DOUBLE => Some(Plain::Double),
            Physical::BYTE_ARRAY => match converted {
                C::UTF8 | C::ENUM | C::JSON => Some(Plain::Text { utf8: true }),
                C::BSON | C::NONE => Some(Plain::Text { utf8: false }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// One column's values of a batch.
enum Values {
    Bool(Vec<bool>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    Bytes(Vec<ByteArray>),
}

impl Values {
    /// No values, of the kind a column of `kind` holds.
    fn empty(kind: Plain) -> Values {
        match kind {
            Plain::Bool => Values::Bool(Vec::new()),
            Plain::Int32(_) => Values::Int32(Vec::new()),
            Plain::Int64(_) => Values::Int64(Vec::new()),
            Plain::Float => Values::Float(Vec::new()),
            Plain::Double => Values::Double(Vec::new()),
            Plain::Text { .. } => Values::Bytes(Vec::new()),
        }
    }
}

/// Reads up to `n` rows of one column into `levels` and `values` (both cleared first),
/// across pages; the rows read (fewer only at the end of the column chunk).
fn read_batch(
    reader: &mut ColumnReader,
    n: usize,
    levels: &mut Vec<i16>,
    values: &mut Values,
) -> parquet::errors::Result<usize> {
    levels.clear();
    match values {
        Values::Bool(v) => v.clear(),
        Values::Int32(v) => v.clear(),
        Values::Int64(v) => v.clear(),
        Values::Float(v) => v.clear(),
        Values::Double(v) => v.clear(),
        Values::Bytes(v) => v.clear(),
    }
    let mut got = 0;
    while got < n {
        let want = n - got;
        let (rows, _, _) = match (&mut *reader, &mut *values) {
            (ColumnReader::BoolColumnReader(r), Values::Bool(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            (ColumnReader::Int32ColumnReader(r), Values::Int32(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            (ColumnReader::Int64ColumnReader(r), Values::Int64(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            (ColumnReader::FloatColumnReader(r), Values::Float(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            (ColumnReader::DoubleColumnReader(r), Values::Double(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            (ColumnReader::ByteArrayColumnReader(r), Values::Bytes(v)) => {
                r.read_records(want, Some(levels), None, v)?
            }
            _ => {
                return Err(parquet::errors::ParquetError::General(
                    "a column's reader is not of its type".into(),
                ));
            }
        };
        if rows == 0 {
            break;
        }
        got += rows;
    }
    Ok(got)
}

/// Appends an integer's decimal digits (as `Display` prints it).
fn push_integer(out: &mut Vec<u8>, negative: bool, mut magnitude: u64) {
    if negative {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends a text field as the CSV writer writes it: in double quotes, its quotes
/// doubled, when it holds a comma, a quote or a line break.
fn push_text(out: &mut Vec<u8>, text: &[u8]) {
    if !text.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(text);
        return;
    }
    out.push(b'"');
    for &b in text {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Appends value `i` of `values` as `kind`: the text the row API's [`Field`] prints
/// (what a CSV reader gives back for the field the conversion writes).
fn write_value(out: &mut Vec<u8>, kind: Plain, values: &Values, i: usize) -> Result<(), String> {
    use ConvertedType as C;
    let push_text = |out: &mut Vec<u8>, text: &[u8]| out.extend_from_slice(text);
    let signed = |out: &mut Vec<u8>, v: i64| push_integer(out, v < 0, v.unsigned_abs());
    match (kind, values) {
        (Plain::Bool, Values::Bool(v)) => {
            out.extend_from_slice(if v[i] { b"true" } else { b"false" });
        }
        (Plain::Int32(c), Values::Int32(v)) => match c {
            C::UINT_8 => push_integer(out, false, u64::from(v[i] as u8)),
            C::UINT_16 => push_integer(out, false, u64::from(v[i] as u16)),
            C::UINT_32 => push_integer(out, false, u64::from(v[i] as u32)),
            C::INT_8 => signed(out, i64::from(v[i] as i8)),
            C::INT_16 => signed(out, i64::from(v[i] as i16)),
            _ => signed(out, i64::from(v[i])),
        },
        (Plain::Int64(c), Values::Int64(v)) => {
            if c == C::UINT_64 {
                push_integer(out, false, v[i] as u64);
            } else {
                signed(out, v[i]);
            }
        }
        (Plain::Float, Values::Float(v)) => push_text(out, whole(f64::from(v[i])).as_bytes()),
        (Plain::Double, Values::Double(v)) => push_text(out, whole(v[i]).as_bytes()),
        (Plain::Text { utf8 }, Values::Bytes(v)) => {
            let bytes = v[i].data();
            match std::str::from_utf8(bytes) {
                Ok(_) => push_text(out, bytes),
                Err(e) if utf8 => return Err(format!("a text value is not UTF-8: {e}")),
                Err(_) => push_text(out, String::from_utf8_lossy(bytes).as_bytes()),
            }
        }
        _ => return Err("a column's values are not of its type".into()),
    }
    Ok(())
}

/// Writes the rows of the Parquet file `part` column by column ([`ParquetRows`]) when
/// every column is one the column-wise reader covers ([`Plain`]); `false`, with nothing
/// written, otherwise.
fn write_columns(out: &mut Out, part: &Path) -> Result<bool, LoadError> {
    use super::records::RecordSource;
    let Some(SplitTable { mut pieces, .. }) = ParquetRows::split(part, 1)? else {
        return Ok(false);
    };
    let Some(mut rows) = pieces.pop() else { return Ok(false) };
    let fail = |e: super::records::RecordError| match e {
        super::records::RecordError::Io(cause) if cause.kind() != std::io::ErrorKind::Other => {
            LoadError::Io { file: part.to_path_buf(), cause }
        }
        e => LoadError::Format { file: part.to_path_buf(), message: e.to_string() },
    };
    let io = |cause| LoadError::Io { file: part.to_path_buf(), cause };
    let mut record = super::records::Record::default();
    // The header is written by the caller.
    rows.read_record(&mut record).map_err(fail)?;
    let mut line = Vec::new();
    while rows.read_record(&mut record).map_err(fail)? {
        line.clear();
        for (c, field) in record.iter().enumerate() {
            if c > 0 {
                line.push(b',');
            }
            push_text(&mut line, field);
        }
        line.push(b'\n');
        out.write_all(&line).map_err(io)?;
    }
    Ok(true)
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
    let (w, csv) = csv_writer(path)?;
    let mut out = w
        .into_inner()
        .map_err(|e| LoadError::Io { file: path.to_path_buf(), cause: e.into_error() })?;
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
                let mut w = csv_onto(&mut out);
                w.write_record(&names).map_err(|e| io(e.into()))?;
                w.flush().map_err(io)?;
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
        if !write_columns(&mut out, part)? {
            write_rows(&reader, &mut out, part)?;
        }
    }
    out.flush().map_err(|cause| LoadError::Io { file: path.to_path_buf(), cause })?;
    let note = parts_note(files.len());
    Ok(Converted { csv, inputs: files, note, row_offset: 0, column_offset: 0, dictionary: None })
}

/// The rows of a Parquet table (one file or a folder of parts) of flat columns of the
/// kinds the column-wise reader covers, read straight into the loader's records: the
/// header (the columns' names) first, then each row's values as the text a CSV reader
/// would give back from the converted file ([`to_csv`]), without writing that file.
/// [`ParquetRows::split`] divides a table's rows into pieces read on their own (one per
/// thread). A record starts at its row (the header 0), counted over the whole table.
pub struct ParquetRows {
    names: Vec<String>,
    kinds: Vec<Plain>,
    optional: Vec<bool>,
    /// The parts still to read: the file, the rows to skip, then the rows to take.
    queue: VecDeque<(PathBuf, u64, u64)>,
    /// The part being read: its reader, next row group, column readers and rows left
    /// in the row group, and the rows still to take from the part.
    current: Option<OpenPart>,
    values: Vec<Values>,
    levels: Vec<Vec<i16>>,
    next: Vec<usize>,
    /// The batch's rows, and the next one to hand out.
    batch: usize,
    row: usize,
    /// The table's row of the next record.
    at: u64,
    header_sent: bool,
}

/// A Parquet table split into runs of rows ([`ParquetRows::split`]).
pub struct SplitTable {
    /// The runs, in order.
    pub pieces: Vec<ParquetRows>,
    /// The table's part files, in name order (the file itself for one file).
    pub files: Vec<PathBuf>,
}

struct OpenPart {
    reader: SerializedFileReader<std::fs::File>,
    group: usize,
    columns: Vec<ColumnReader>,
    left_in_group: u64,
    skip: u64,
    take: u64,
}

fn parquet_error(e: impl std::fmt::Display) -> super::records::RecordError {
    super::records::RecordError::Io(std::io::Error::other(e.to_string()))
}

impl ParquetRows {
    /// The table at `path` split into at most `pieces` runs of consecutive rows, each
    /// with the header, and its part files in name order; `None` (with no row read)
    /// when a column is of another kind (dates, decimals, nested columns) or the parts'
    /// columns differ, for the table to be converted instead.
    ///
    /// # Errors
    /// [`LoadError`] when a part cannot be opened or read as Parquet.
    pub fn split(path: &Path, pieces: usize) -> Result<Option<SplitTable>, LoadError> {
        let files = parts(path)?;
        let mut layout: Option<(Vec<String>, Vec<Plain>, Vec<bool>)> = None;
        let mut rows = Vec::new();
        for part in &files {
            let bad = |message: String| LoadError::Format { file: part.clone(), message };
            let file = std::fs::File::open(part)
                .map_err(|cause| LoadError::Io { file: part.clone(), cause })?;
            let reader = SerializedFileReader::new(file)
                .map_err(|e| bad(format!("not a readable Parquet file: {e}")))?;
            let meta = reader.metadata().file_metadata();
            let schema = meta.schema_descr();
            let names: Vec<String> =
                meta.schema().get_fields().iter().map(|f| f.name().to_string()).collect();
            let Some(kinds) =
                schema.columns().iter().map(|c| Plain::of(c)).collect::<Option<Vec<_>>>()
            else {
                return Ok(None);
            };
            if kinds.len() != names.len() {
                return Ok(None);
            }
            let optional = schema.columns().iter().map(|c| c.max_def_level() == 1).collect();
            match &layout {
                None => layout = Some((names, kinds, optional)),
                Some((n, k, o)) if *n != names || *k != kinds || *o != optional => return Ok(None),
                Some(_) => {}
            }
            rows.push(u64::try_from(meta.num_rows()).unwrap_or(0));
        }
        let Some((names, kinds, optional)) = layout else { return Ok(None) };
        let total: u64 = rows.iter().sum();
        let pieces = pieces.clamp(1, usize::try_from(total.max(1)).unwrap_or(usize::MAX)) as u64;
        let mut out = Vec::new();
        for k in 0..pieces {
            let (from, to) = (total * k / pieces, total * (k + 1) / pieces);
            let mut queue = VecDeque::new();
            let mut start = 0u64;
            for (part, &n) in files.iter().zip(&rows) {
                let (lo, hi) = (from.max(start), to.min(start + n));
                if lo < hi {
                    queue.push_back((part.clone(), lo - start, hi - lo));
                }
                start += n;
            }
            out.push(ParquetRows {
                names: names.clone(),
                kinds: kinds.clone(),
                optional: optional.clone(),
                queue,
                current: None,
                values: kinds.iter().map(|&k| Values::empty(k)).collect(),
                levels: vec![Vec::new(); kinds.len()],
                next: vec![0; kinds.len()],
                batch: 0,
                row: 0,
                at: from + 1,
                header_sent: false,
            });
        }
        Ok(Some(SplitTable { pieces: out, files }))
    }

    /// Reads the next batch of rows into the buffers: `false` when none is left.
    fn fill(&mut self) -> Result<bool, super::records::RecordError> {
        loop {
            if self.current.is_none() {
                let Some((file, skip, take)) = self.queue.pop_front() else { return Ok(false) };
                let f = std::fs::File::open(&file)?;
                let reader = SerializedFileReader::new(f).map_err(parquet_error)?;
                self.current = Some(OpenPart {
                    reader,
                    group: 0,
                    columns: Vec::new(),
                    left_in_group: 0,
                    skip,
                    take,
                });
            }
            let Some(part) = self.current.as_mut() else { return Ok(false) };
            if part.take == 0 {
                self.current = None;
                continue;
            }
            if part.left_in_group == 0 {
                if part.group >= part.reader.num_row_groups() {
                    return Err(parquet_error("fewer rows than the file's metadata says"));
                }
                let group = part.reader.get_row_group(part.group).map_err(parquet_error)?;
                part.group += 1;
                let n = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
                if part.skip >= n {
                    part.skip -= n;
                    continue;
                }
                part.columns = (0..self.kinds.len())
                    .map(|c| group.get_column_reader(c))
                    .collect::<Result<_, _>>()
                    .map_err(parquet_error)?;
                part.left_in_group = n;
                if part.skip > 0 {
                    let skip = usize::try_from(part.skip).unwrap_or(usize::MAX);
                    for c in &mut part.columns {
                        if skip_rows(c, skip).map_err(parquet_error)? != skip {
                            return Err(parquet_error(format!(
                                "row group {}: a column holds fewer rows than the row group",
                                part.group - 1
                            )));
                        }
                    }
                    part.left_in_group -= part.skip;
                    part.skip = 0;
                }
            }
            let n = usize::try_from(part.left_in_group.min(part.take)).unwrap_or(BATCH).min(BATCH);
            for (c, column) in part.columns.iter_mut().enumerate() {
                let read = read_batch(column, n, &mut self.levels[c], &mut self.values[c])
                    .map_err(parquet_error)?;
                if read != n {
                    return Err(parquet_error(format!(
                        "row group {}: column {} holds fewer rows than the row group",
                        part.group - 1,
                        self.names[c]
                    )));
                }
            }
            part.left_in_group -= n as u64;
            part.take -= n as u64;
            self.next.iter_mut().for_each(|x| *x = 0);
            (self.batch, self.row) = (n, 0);
            return Ok(true);
        }
    }
}

impl ParquetRows {
    /// The row group the current batch came from, for messages.
    fn place(&self) -> String {
        self.current.as_ref().map_or_else(String::new, |p| format!("row group {}", p.group - 1))
    }
}

/// Skips `n` rows of a column.
fn skip_rows(reader: &mut ColumnReader, n: usize) -> parquet::errors::Result<usize> {
    match reader {
        ColumnReader::BoolColumnReader(r) => r.skip_records(n),
        ColumnReader::Int32ColumnReader(r) => r.skip_records(n),
        ColumnReader::Int64ColumnReader(r) => r.skip_records(n),
        ColumnReader::Int96ColumnReader(r) => r.skip_records(n),
        ColumnReader::FloatColumnReader(r) => r.skip_records(n),
        ColumnReader::DoubleColumnReader(r) => r.skip_records(n),
        ColumnReader::ByteArrayColumnReader(r) => r.skip_records(n),
        ColumnReader::FixedLenByteArrayColumnReader(r) => r.skip_records(n),
    }
}

impl super::records::RecordSource for ParquetRows {
    fn read_record(
        &mut self,
        record: &mut super::records::Record,
    ) -> Result<bool, super::records::RecordError> {
        if !self.header_sent {
            self.header_sent = true;
            record.start(0);
            for name in &self.names {
                record.push_with(|out| out.extend_from_slice(name.as_bytes()));
            }
            return Ok(true);
        }
        if self.row >= self.batch && !self.fill()? {
            return Ok(false);
        }
        let row = self.row;
        record.start(self.at);
        let mut failed = None;
        for c in 0..self.kinds.len() {
            if self.optional[c] && self.levels[c][row] != 1 {
                record.push_with(|_| {});
                continue;
            }
            let (kind, values, i) = (self.kinds[c], &self.values[c], self.next[c]);
            record.push_with(|out| {
                if let Err(m) = write_value(out, kind, values, i) {
                    failed = Some((c, m));
                }
            });
            self.next[c] += 1;
        }
        if let Some((c, m)) = failed {
            return Err(parquet_error(format!("{}, column {}: {m}", self.place(), self.names[c])));
        }
        self.row += 1;
        self.at += 1;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Failure = Box<dyn std::error::Error>;

    /// The CSV text of a fixture written by `write`.
    fn csv_of(
        name: &str,
        write: fn(&SerializedFileReader<std::fs::File>, &mut Out, &Path) -> Result<bool, LoadError>,
    ) -> Result<(bool, String), Failure> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let reader = SerializedFileReader::new(std::fs::File::open(&path)?)?;
        let (w, csv) = csv_writer(&path)?;
        let mut out = w.into_inner().map_err(|e| e.into_error())?;
        let wrote = write(&reader, &mut out, &path)?;
        out.flush()?;
        drop(out);
        Ok((wrote, std::fs::read_to_string(&csv)?))
    }

    fn by_columns(
        _: &SerializedFileReader<std::fs::File>,
        w: &mut Out,
        p: &Path,
    ) -> Result<bool, LoadError> {
        write_columns(w, p)
    }

    fn by_rows(
        r: &SerializedFileReader<std::fs::File>,
        w: &mut Out,
        p: &Path,
    ) -> Result<bool, LoadError> {
        write_rows(r, w, p).map(|()| true)
    }

    /// Every kind the column-wise reader covers (`tests/fixtures/make_parquet.py`: nulls,
    /// the integer types' edges, floats, text needing quotes, bytes; row groups of 7
    /// rows and small pages) is written as the row API writes it; a date column sends
    /// the file to the row API.
    #[test]
    fn columns_are_written_as_the_row_api_writes_them() -> Result<(), Failure> {
        let (wrote, columns) = csv_of("column-kinds.parquet", by_columns)?;
        assert!(wrote);
        let (_, rows) = csv_of("column-kinds.parquet", by_rows)?;
        assert_eq!(columns, rows);
        assert_eq!(columns.lines().filter(|l| l.starts_with('r')).count(), 50);
        for expected in ["18446744073709551615", "4294967295", ",-126,", "\"with, comma\"", "NaN"] {
            assert!(columns.contains(expected), "{expected} missing:\n{columns}");
        }
        let (wrote, _) = csv_of("column-kinds-date.parquet", by_columns)?;
        assert!(!wrote);
        Ok(())
    }

    /// A text column holding bytes that are not UTF-8 is refused naming the part, its
    /// row group and the column.
    #[test]
    fn text_that_is_not_utf8_is_refused_naming_its_row_group_and_column() -> Result<(), Failure> {
        use parquet::data_type::ByteArrayType;
        use parquet::file::writer::SerializedFileWriter;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("bad.parquet");
        let schema = parquet::schema::parser::parse_message_type(
            "message t { REQUIRED BYTE_ARRAY name (UTF8); }",
        )?;
        let mut writer = SerializedFileWriter::new(
            std::fs::File::create(&path)?,
            std::sync::Arc::new(schema),
            Default::default(),
        )?;
        for values in [vec![ByteArray::from("ok")], vec![ByteArray::from(vec![b'a', 0xff])]] {
            let mut group = writer.next_row_group()?;
            let mut column = group.next_column()?.ok_or("no column")?;
            column.typed::<ByteArrayType>().write_batch(&values, None, None)?;
            column.close()?;
            group.close()?;
        }
        writer.close()?;
        let Err(e) = to_csv(&path) else { return Err("not refused".into()) };
        let message = e.to_string();
        assert!(message.starts_with(&path.display().to_string()), "{message}");
        assert!(
            message.contains("row group 1, column name: a text value is not UTF-8"),
            "{message}"
        );
        Ok(())
    }

    /// The records of a table split into pieces (one row, a row group's 7, across row
    /// groups, more pieces than row groups) are the records of its converted CSV, the
    /// header at the start of each piece and each record at its row; a table with a
    /// date column is left to the conversion.
    #[test]
    fn split_rows_are_the_records_of_the_converted_file() -> Result<(), Failure> {
        use crate::data::records::{Record, RecordSource, Records};
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/column-kinds.parquet");
        let converted = to_csv(&path)?;
        let mut csv = Records::new(std::fs::File::open(&converted.csv)?, b',');
        let mut want: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut record = Record::default();
        while csv.read_record(&mut record)? {
            want.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        assert_eq!(want.len(), 51);
        for pieces in [1, 2, 3, 7, 50, 80] {
            let Some(SplitTable { pieces: split, files }) = ParquetRows::split(&path, pieces)?
            else {
                return Err("the fixture's columns are plain".into());
            };
            assert_eq!(files, std::slice::from_ref(&path));
            assert_eq!(split.len(), pieces.min(50));
            let mut got: Vec<Vec<Vec<u8>>> = Vec::new();
            for (k, mut rows) in split.into_iter().enumerate() {
                let mut first = true;
                while rows.read_record(&mut record)? {
                    let fields: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
                    if first {
                        assert_eq!(fields, want[0]);
                        assert_eq!(record.byte(), 0);
                        first = false;
                        if k == 0 {
                            got.push(fields);
                        }
                        continue;
                    }
                    assert_eq!(record.byte(), got.len() as u64, "{pieces} pieces");
                    got.push(fields);
                }
            }
            assert_eq!(got, want, "{pieces} pieces");
        }
        let date =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/column-kinds-date.parquet");
        assert!(ParquetRows::split(&date, 2)?.is_none());
        Ok(())
    }
}
