//! The records of a delimited text file, read as the `csv` crate reads them (RFC 4180
//! quoting, `\n`, `\r\n` or `\r` line ends, blank lines skipped, every record as long as
//! the first) but faster on the lines most survey files are made of: a line without a
//! quote or a stray carriage return is split at its delimiters directly, and only a
//! line with a quote goes through `csv_core`'s state machine.

use std::io::Read;

/// Bytes read from the source at a time (the buffer grows for a longer record).
const CHUNK: usize = 1 << 20;

/// One record: its fields' bytes (quotes removed) and where it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The fields' bytes.
    bytes: Vec<u8>,
    /// The start of each field in `bytes`.
    starts: Vec<usize>,
    /// The end of each field in `bytes`.
    ends: Vec<usize>,
    /// The byte offset of the record's first byte in the source.
    byte: u64,
}

impl Record {
    /// Field `i`, if the record has it.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        Some(&self.bytes[*self.starts.get(i)?..*self.ends.get(i)?])
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.starts.iter().zip(&self.ends).map(|(&s, &e)| &self.bytes[s..e])
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The byte offset of the record's start in the source (for a table in memory, its
    /// row: 0 for the header).
    pub fn byte(&self) -> u64 {
        self.byte
    }

    /// Empties the record, to be filled field by field with [`Record::push_with`]; `at`
    /// is where it starts (a byte offset, or a table's row, 0 for the header).
    pub fn start(&mut self, at: u64) {
        self.bytes.clear();
        self.starts.clear();
        self.ends.clear();
        self.byte = at;
    }

    /// Appends a field, written into the record's bytes by `write`.
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        self.starts.push(self.bytes.len());
        write(&mut self.bytes);
        self.ends.push(self.bytes.len());
    }
}

/// Where the loader's records come from: a delimited text file ([`Records`]) or a
/// table held in memory (a data frame handed over through Arrow), its header first.
pub trait RecordSource {
    /// Reads the next record into `record`: `false` at the end.
    ///
    /// # Errors
    /// [`RecordError`] when the source fails or a record is malformed.
    fn read_record(&mut self, record: &mut Record) -> Result<bool, RecordError>;
}

impl<R: Read> RecordSource for Records<R> {
    fn read_record(&mut self, record: &mut Record) -> Result<bool, RecordError> {
        self.read(record)
    }
}

/// A record that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The source failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A record with another number of fields than the first.
    #[error("{len} fields where the header has {expected}")]
    UnequalLengths {
        /// The record's start.
        byte: u64,
        /// The first record's fields.
        expected: usize,
        /// This record's.
        len: usize,
    },
}

/// Reads the records of a source one at a time.
pub struct Records<R> {
    source: R,
    buffer: Vec<u8>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// The source's offset of `buffer[0]`.
    offset: u64,
    eof: bool,
    delimiter: u8,
    core: csv_core::Reader,
    /// The first record's number of fields.
    fields: Option<usize>,
    /// Whether the start of the source has been checked for a byte order mark.
    started: bool,
}

impl<R: Read> Records<R> {
    /// Records of `source` separated by `delimiter`.
    pub fn new(source: R, delimiter: u8) -> Self {
        Self::with_buffer(source, delimiter, CHUNK)
    }

    /// As [`Records::new`] with a first buffer of `bytes` (at least 1).
    fn with_buffer(source: R, delimiter: u8, bytes: usize) -> Self {
        Records {
            source,
            buffer: vec![0; bytes.max(1)],
            start: 0,
            end: 0,
            offset: 0,
            eof: false,
            delimiter,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            fields: None,
            started: false,
        }
    }

    /// The source, where reading stopped.
    pub fn into_inner(self) -> R {
        self.source
    }

    /// Moves the unread bytes to the front and reads more after them (growing the
    /// buffer when it is full); sets `eof` when the source has no more.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buffer.copy_within(self.start..self.end, 0);
            self.offset += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buffer.len() {
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        loop {
            match self.source.read(&mut self.buffer[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record into `record`: `false` at the end of the source.
    ///
    /// # Errors
    /// [`RecordError::Io`] when the source fails; [`RecordError::UnequalLengths`] for a
    /// record whose length differs from the first record's.
    pub fn read(&mut self, record: &mut Record) -> Result<bool, RecordError> {
        // A UTF-8 byte order mark at the start of the source is not data, as for csv.
        if !self.started {
            while self.end < 3 && !self.eof {
                self.fill()?;
            }
            if self.buffer[..self.end].starts_with(b"\xef\xbb\xbf") {
                self.start = 3;
            }
            self.started = true;
        }
        // Blank lines (any run of line ends) before a record are skipped, as csv does.
        loop {
            while self.start < self.end && matches!(self.buffer[self.start], b'\n' | b'\r') {
                self.start += 1;
            }
            if self.start < self.end {
                break;
            }
            if self.eof {
                return Ok(false);
            }
            self.fill()?;
        }
        // The bytes after `start` already searched for the line end (a long line read in
        // small pieces is searched once).
        let mut searched = 0;
        let line_end = loop {
            let unread = &self.buffer[self.start + searched..self.end];
            if let Some(i) = memchr::memchr(b'\n', unread) {
                break Some(self.start + searched + i);
            }
            searched = self.end - self.start;
            if self.eof {
                break None;
            }
            self.fill()?;
        };
        record.byte = self.offset + self.start as u64;
        record.bytes.clear();
        record.starts.clear();
        record.ends.clear();
        let stop = line_end.unwrap_or(self.end);
        let mut line = &self.buffer[self.start..stop];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if memchr::memchr2(b'"', b'\r', line).is_some() {
            self.read_quoted(record)?;
        } else {
            record.bytes.extend_from_slice(line);
            let mut field = 0;
            for i in memchr::memchr_iter(self.delimiter, line) {
                record.starts.push(field);
                record.ends.push(i);
                field = i + 1;
            }
            record.starts.push(field);
            record.ends.push(line.len());
            self.start = line_end.map_or(self.end, |i| i + 1);
        }
        let expected = *self.fields.get_or_insert(record.len());
        if record.len() != expected {
            return Err(RecordError::UnequalLengths {
                byte: record.byte,
                expected,
                len: record.len(),
            });
        }
        Ok(true)
    }

    /// Reads one record with `csv_core` from `start`, however many lines its quoted
    /// fields span.
    fn read_quoted(&mut self, record: &mut Record) -> Result<(), RecordError> {
        use csv_core::ReadRecordResult as Step;
        record.bytes.resize(256, 0);
        record.ends.resize(16, 0);
        let (mut out, mut ends) = (0, 0);
        loop {
            // An empty input (at the end of the source) tells the machine it has ended.
            let (step, read, wrote, ended) = self.core.read_record(
                &self.buffer[self.start..self.end],
                &mut record.bytes[out..],
                &mut record.ends[ends..],
            );
            self.start += read;
            out += wrote;
            ends += ended;
            match step {
                Step::InputEmpty if !self.eof => self.fill()?,
                Step::InputEmpty => {}
                Step::OutputFull => record.bytes.resize(record.bytes.len() * 2, 0),
                Step::OutputEndsFull => record.ends.resize(record.ends.len() * 2, 0),
                Step::Record | Step::End => break,
            }
        }
        record.bytes.truncate(out);
        record.ends.truncate(ends);
        if ends > 0 {
            record.starts.push(0);
            record.starts.extend_from_slice(&record.ends[..ends - 1]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's start and fields, or the start of the first record of another length.
    type Parsed = Result<Vec<(u64, Vec<Vec<u8>>)>, u64>;

    /// A source that gives at most `step` bytes a read, to cross every boundary.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// The records as the csv crate reads them (no header row, lengths checked) with
    /// where each starts, or the start of the first record of another length.
    fn by_csv(data: &[u8], delimiter: u8) -> Parsed {
        let mut rdr =
            csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(data);
        // csv's position can be a byte order mark or a line end before the record (the
        // LF of a CRLF, a blank line): the record starts after them.
        let start = |p: Option<&csv::Position>| {
            let mut at = p.map_or(0, csv::Position::byte);
            if at == 0 && data.starts_with(b"\xef\xbb\xbf") {
                at = 3;
            }
            while data.get(at as usize).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                at += 1;
            }
            at
        };
        let mut out = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => return Ok(out),
                Ok(true) => out
                    .push((start(record.position()), record.iter().map(<[u8]>::to_vec).collect())),
                Err(e) => return Err(start(e.position())),
            }
        }
    }

    fn by_records(data: &[u8], delimiter: u8, buffer: usize, step: usize) -> Parsed {
        let mut rdr = Records::with_buffer(Trickle { data, step }, delimiter, buffer);
        let mut out = Vec::new();
        let mut record = Record::default();
        loop {
            match rdr.read(&mut record) {
                Ok(false) => return Ok(out),
                Ok(true) => out.push((record.byte(), record.iter().map(<[u8]>::to_vec).collect())),
                Err(RecordError::UnequalLengths { byte, .. }) => return Err(byte),
                Err(RecordError::Io(e)) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn records_are_those_the_csv_crate_reads() {
        let cases: [&[u8]; 14] = [
            b"a,b,c\n1,2,3\n4,5,6\n",
            b"a,b,c\r\n1,2,3\r\n4,5,6",
            b"a,b\n\n\n1,2\r\n\r\n3,4\n\n",
            b"a,b\r1,2\r3,4\r",
            b"a,b\n\"x,y\",2\n\"multi\nline\",\"q\"\"uote\"\n5,6\n",
            b"a,b\n1,\"2\"\r\n\"3\r4\",5\n",
            b"a,b\nx\"y,z\n\"\",\n",
            b"a,b\n1,2,3\n",
            b"a,b\n1\n",
            b"a\n\"unterminated,1\n2\n",
            b"",
            b"\n\r\n",
            b"a,b\n ,  \n,\n",
            b"\xef\xbb\xbfa,b\n1,2\n",
        ];
        for data in cases {
            let want = by_csv(data, b',');
            for (buffer, step) in [(1 << 20, 1 << 20), (1, 1), (3, 2), (7, 5), (16, 64)] {
                let got = by_records(data, b',', buffer, step);
                assert_eq!(
                    got,
                    want,
                    "{:?} buffer {buffer} step {step}",
                    String::from_utf8_lossy(data)
                );
            }
        }
        // Another delimiter, and a seeded mix of every kind of line.
        assert_eq!(by_records(b"a;b\n1;2\n", b';', 4, 3), by_csv(b"a;b\n1;2\n", b';'));
        let pieces: [&[u8]; 9] =
            [b"1", b"22", b"", b"\"q\"", b"\"a,b\"", b"\"l\nm\"", b"x\"y", b" s ", b"\"\"\"\""];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut data = Vec::new();
        for _ in 0..400 {
            for f in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if f > 0 {
                    data.push(b',');
                }
                data.extend_from_slice(pieces[(x % 9) as usize]);
            }
            data.extend_from_slice(match (x >> 20) % 4 {
                0 => b"\n".as_slice(),
                1 => b"\r\n",
                2 => b"\n\n",
                _ => b"\r",
            });
        }
        let want = by_csv(&data, b',');
        assert_eq!(want.as_ref().map(Vec::len), Ok(400));
        for (buffer, step) in [(1 << 20, 1 << 20), (5, 3), (64, 7)] {
            assert_eq!(by_records(&data, b',', buffer, step), want, "buffer {buffer} step {step}");
        }
    }
}
