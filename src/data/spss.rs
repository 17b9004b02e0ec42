//! SPSS system files as responses files: `.sav` (uncompressed or bytecode-compressed)
//! and `.zsav` (zlib blocks), either byte order, read as documented by GNU PSPP's
//! "System File Format". The dictionary gives the columns (long names), and what
//! `init` drafts from: variable labels, value labels (numeric and string, long strings
//! included), user-missing values and ranges, the weight variable and multiple-response
//! sets. The cases are streamed, case by case, into the CSV the one loader reads: a
//! number in its shortest form (a whole number without a decimal point), the
//! system-missing value empty, a string without its trailing blanks (a very long
//! string's segments joined). A user-missing value stays as its code, for the codebook's
//! `missing` key to name; the loader's lines are the cases (the header line 1).
//!
//! A reader of its own, not a crate: the one pure-Rust SPSS crate depends on arrow and
//! rayon, whose build costs a fresh machine more than this whole module.

use super::LoadError;
use super::convert::{ColumnInfo, Converted, Dictionary, ResponseSet, csv_writer, whole};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The extensions read as SPSS system files (any case).
pub const EXTENSIONS: [&str; 2] = ["sav", "zsav"];

/// Whether `path` names an SPSS system file (by its extension).
pub fn is_spss(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A very long string of width `w` has `ceil(w / SEGMENT)` segments, each a 255-byte
/// string variable holding [`SEGMENT_BYTES`] of it (the last the rest).
const SEGMENT: usize = 252;
/// The bytes of a very long string in each segment but the last.
const SEGMENT_BYTES: usize = 255;

/// A byte reader that knows the file's byte order, where it is, and how much is left.
struct Bin<R> {
    r: R,
    big: bool,
    pos: u64,
    len: u64,
    file: PathBuf,
}

impl<R: Read> Bin<R> {
    fn bad(&self, message: impl std::fmt::Display) -> LoadError {
        LoadError::Format {
            file: self.file.clone(),
            message: format!("byte {}: {message}", self.pos),
        }
    }

    fn bytes(&mut self, n: usize, what: &str) -> Result<Vec<u8>, LoadError> {
        if n as u64 > self.len.saturating_sub(self.pos) {
            return Err(self.bad(format!(
                "{what} needs {n} bytes and the file has {} left; expected a whole SPSS system file",
                self.len.saturating_sub(self.pos)
            )));
        }
        let mut b = vec![0; n];
        self.r.read_exact(&mut b).map_err(|e| self.bad(format!("{what}: {e}")))?;
        self.pos += n as u64;
        Ok(b)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], LoadError> {
        let v = self.bytes(N, what)?;
        let mut a = [0; N];
        a.copy_from_slice(&v);
        Ok(a)
    }

    fn i32(&mut self, what: &str) -> Result<i32, LoadError> {
        let a = self.array::<4>(what)?;
        Ok(int(a, self.big))
    }

    fn i64(&mut self, what: &str) -> Result<i64, LoadError> {
        let a = self.array::<8>(what)?;
        Ok(if self.big { i64::from_be_bytes(a) } else { i64::from_le_bytes(a) })
    }

    fn f64(&mut self, what: &str) -> Result<f64, LoadError> {
        let a = self.array::<8>(what)?;
        Ok(float(a, self.big))
    }

    /// A count read from the file, refused when negative or larger than `most`.
    fn count(&mut self, what: &str, most: usize) -> Result<usize, LoadError> {
        let n = self.i32(what)?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= most)
            .ok_or_else(|| self.bad(format!("{what} is {n}; expected 0 to {most}")))
    }
}

/// One variable record (a string's continuation records folded in).
#[derive(Debug, Clone)]
struct Variable {
    short: String,
    /// 0 numeric, else the string width in bytes.
    width: usize,
    /// The first of its 8-byte slots in a case.
    slot: usize,
    label: Option<Vec<u8>>,
    /// Discrete missing values (8 raw bytes each).
    missing: Vec<[u8; 8]>,
    /// A missing range, low and high.
    range: Option<(f64, f64)>,
    /// Long-string missing values (raw).
    long_missing: Vec<Vec<u8>>,
}

fn slots(width: usize) -> usize {
    if width == 0 { 1 } else { width.div_ceil(8) }
}

/// One value-label record: the variables it labels, and (raw value, raw label) pairs.
type LabelSet = (Vec<usize>, Vec<([u8; 8], Vec<u8>)>);

/// One long string's value labels: its name, and (raw value, raw label) pairs.
type LongLabelSet = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

/// What the dictionary holds, raw (decoded once the encoding is known).
#[derive(Default)]
struct Raw {
    variables: Vec<Variable>,
    /// Slot index -> variable index.
    by_slot: Vec<Option<usize>>,
    /// Value labels: the variables' indexes, and (raw value, raw label) pairs.
    labels: Vec<LabelSet>,
    /// Long-string value labels: variable name, pairs.
    long_labels: Vec<LongLabelSet>,
    long_names: Option<Vec<u8>>,
    very_long: Option<Vec<u8>>,
    mrsets: Vec<Vec<u8>>,
    encoding: Option<String>,
    codepage: Option<i32>,
    sysmis: Option<f64>,
    highest: Option<f64>,
    lowest: Option<f64>,
    big: bool,
}

/// A column of the CSV: the variable (first segment) and, for a very long string, the
/// further segments' variables.
struct Column {
    name: String,
    segments: Vec<usize>,
    width: usize,
}

/// The next 8-byte slot of the data, through bytecode compression if any.
struct Slots<R> {
    r: R,
    compressed: bool,
    commands: [u8; 8],
    next: usize,
    done: bool,
    bias: f64,
    big: bool,
    sysmis: f64,
}

impl<R: Read> Slots<R> {
    fn read8(&mut self) -> std::io::Result<Option<[u8; 8]>> {
        let mut a = [0u8; 8];
        let mut got = 0;
        while got < 8 {
            let n = self.r.read(&mut a[got..])?;
            if n == 0 {
                return if got == 0 {
                    Ok(None)
                } else {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the data end inside an 8-byte value",
                    ))
                };
            }
            got += n;
        }
        Ok(Some(a))
    }

    fn encode(&self, v: f64) -> [u8; 8] {
        if self.big { v.to_be_bytes() } else { v.to_le_bytes() }
    }

    fn next(&mut self) -> std::io::Result<Option<[u8; 8]>> {
        if self.done {
            return Ok(None);
        }
        if !self.compressed {
            return self.read8();
        }
        loop {
            if self.next == 8 {
                match self.read8()? {
                    Some(c) => {
                        self.commands = c;
                        self.next = 0;
                    }
                    None => {
                        self.done = true;
                        return Ok(None);
                    }
                }
            }
            let c = self.commands[self.next];
            self.next += 1;
            match c {
                0 => {}
                252 => {
                    self.done = true;
                    return Ok(None);
                }
                253 => {
                    return self.read8()?.map(Some).ok_or_else(|| {
                        std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the data end where a value should follow its command byte",
                        )
                    });
                }
                254 => return Ok(Some(*b"        ")),
                255 => return Ok(Some(self.encode(self.sysmis))),
                n => return Ok(Some(self.encode(f64::from(n) - self.bias))),
            }
        }
    }
}

/// The most bytes one zlib block may inflate to (SPSS writes blocks of about 4 MB).
const MAX_BLOCK: u64 = 1 << 26;

/// The zlib blocks of a `.zsav` file, decompressed one after another.
struct ZBlocks {
    file: BufReader<std::fs::File>,
    blocks: std::collections::VecDeque<(u64, u64)>,
    current: std::io::Cursor<Vec<u8>>,
}

impl Read for ZBlocks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let Some((offset, size)) = self.blocks.pop_front() else { return Ok(0) };
            self.file.seek(SeekFrom::Start(offset))?;
            let mut compressed = Vec::new();
            (&mut self.file).take(size).read_to_end(&mut compressed)?;
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&compressed[..])
                .take(MAX_BLOCK + 1)
                .read_to_end(&mut out)?;
            if out.len() as u64 > MAX_BLOCK {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "a zlib block inflates past {MAX_BLOCK} bytes; expected blocks of about 4 MB"
                    ),
                ));
            }
            self.current = std::io::Cursor::new(out);
        }
    }
}

fn trim_blanks(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|&c| c != b' ' && c != 0).map_or(0, |i| i + 1);
    &b[..end]
}

/// Reads the dictionary (everything before the cases).
fn dictionary<R: Read>(bin: &mut Bin<R>, case_size: usize) -> Result<Raw, LoadError> {
    let mut raw = Raw { big: bin.big, ..Raw::default() };
    let mut slot = 0usize;
    // Records are refused past this many bytes of one kind (a damaged count).
    const MOST: usize = 1 << 28;
    loop {
        let kind = bin.i32("a record type")?;
        match kind {
            2 => {
                let width = bin.i32("a variable's type")?;
                let has_label = bin.i32("a variable's label flag")?;
                let n_missing = bin.i32("a variable's missing-value count")?;
                let _print = bin.i32("a print format")?;
                let _write = bin.i32("a write format")?;
                let name = bin.array::<8>("a variable name")?;
                let label = if has_label == 1 {
                    let n = bin.count("a variable label's length", 65_535)?;
                    let b = bin.bytes(n.div_ceil(4) * 4, "a variable label")?;
                    Some(b[..n].to_vec())
                } else {
                    None
                };
                let (discrete, range) = match n_missing {
                    0..=3 => (n_missing as usize, false),
                    -2 => (0, true),
                    -3 => (1, true),
                    n => {
                        return Err(
                            bin.bad(format!("a missing-value count of {n}; expected -3 to 3"))
                        );
                    }
                };
                let range = if range {
                    Some((bin.f64("a missing range")?, bin.f64("a missing range")?))
                } else {
                    None
                };
                let mut missing = Vec::new();
                for _ in 0..discrete {
                    missing.push(bin.array::<8>("a missing value")?);
                }
                if width == -1 {
                    raw.by_slot.push(None);
                    slot += 1;
                    continue;
                }
                let width = usize::try_from(width).ok().filter(|&w| w <= 255).ok_or_else(|| {
                    bin.bad(format!("a variable type of {width}; expected -1 to 255"))
                })?;
                raw.by_slot.push(Some(raw.variables.len()));
                raw.variables.push(Variable {
                    short: String::from_utf8_lossy(trim_blanks(&name)).into_owned(),
                    width,
                    slot,
                    label,
                    missing,
                    range,
                    long_missing: Vec::new(),
                });
                slot += 1;
            }
            3 => {
                let n = bin.count("a value-label count", MOST / 16)?;
                let mut pairs = Vec::with_capacity(n.min(1 << 12));
                for _ in 0..n {
                    let value = bin.array::<8>("a labelled value")?;
                    let len = usize::from(bin.array::<1>("a value label's length")?[0]);
                    let b = bin.bytes((len + 1).div_ceil(8) * 8 - 1, "a value label")?;
                    pairs.push((value, b[..len].to_vec()));
                }
                if bin.i32("the record after value labels")? != 4 {
                    return Err(bin.bad("value labels not followed by their variables (record 4)"));
                }
                let m = bin.count("a labelled-variable count", MOST / 4)?;
                let mut vars = Vec::new();
                for _ in 0..m {
                    let index = bin.i32("a labelled variable")?;
                    let v = usize::try_from(index.saturating_sub(1))
                        .ok()
                        .and_then(|i| raw.by_slot.get(i).copied().flatten())
                        .ok_or_else(|| {
                            bin.bad(format!(
                                "value labels for variable {index}, which is not a variable"
                            ))
                        })?;
                    vars.push(v);
                }
                raw.labels.push((vars, pairs));
            }
            6 => {
                let n = bin.count("a document's line count", MOST / 80)?;
                bin.bytes(n * 80, "a document")?;
            }
            7 => {
                let subtype = bin.i32("an extension subtype")?;
                let size = bin.count("an extension's element size", MOST)?;
                let count = bin.count("an extension's element count", MOST)?;
                let total = size
                    .checked_mul(count)
                    .filter(|&t| t <= MOST)
                    .ok_or_else(|| bin.bad("an extension record too large"))?;
                let data = bin.bytes(total, "an extension record")?;
                extension(&mut raw, subtype, size, &data, bin.big).map_err(|m| bin.bad(m))?;
            }
            999 => {
                bin.i32("the dictionary's end")?;
                break;
            }
            k => return Err(bin.bad(format!("a record of type {k}; expected 2, 3, 6, 7 or 999"))),
        }
    }
    if let Some(v) = raw.variables.iter().find(|v| v.slot + slots(v.width) > slot) {
        return Err(bin.bad(format!(
            "variable {} of width {} lacks its continuation records",
            v.short, v.width
        )));
    }
    if case_size > 0 && slot != case_size {
        return Err(bin.bad(format!(
            "the variables take {slot} slots per case and the header says {case_size}"
        )));
    }
    Ok(raw)
}

fn extension(
    raw: &mut Raw,
    subtype: i32,
    size: usize,
    data: &[u8],
    big: bool,
) -> Result<(), String> {
    let i32_at = |b: &[u8], at: usize| -> Option<i32> {
        let a: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(int(a, big))
    };
    let f64_at = |at: usize| -> Option<f64> {
        let a: [u8; 8] = data.get(at..at + 8)?.try_into().ok()?;
        Some(float(a, big))
    };
    match subtype {
        3 if size == 4 => raw.codepage = i32_at(data, 28),
        4 if size == 8 => {
            raw.sysmis = f64_at(0);
            raw.highest = f64_at(8);
            raw.lowest = f64_at(16);
        }
        7 | 19 => raw.mrsets.push(data.to_vec()),
        13 => raw.long_names = Some(data.to_vec()),
        14 => raw.very_long = Some(data.to_vec()),
        20 => raw.encoding = Some(String::from_utf8_lossy(data).trim().to_string()),
        21 | 22 => {
            let mut at = 0;
            let short = "a long-string record ends early".to_string();
            let take = |n: usize, at: &mut usize| -> Result<Vec<u8>, String> {
                let b = data.get(*at..*at + n).ok_or_else(|| short.clone())?.to_vec();
                *at += n;
                Ok(b)
            };
            let len = |b: Vec<u8>| -> Result<usize, String> {
                let a: [u8; 4] = b.try_into().map_err(|_| "a length".to_string())?;
                let n = int(a, big);
                usize::try_from(n).map_err(|_| format!("a length of {n}"))
            };
            while at < data.len() {
                let n = len(take(4, &mut at)?)?;
                let name = take(n, &mut at)?;
                if subtype == 21 {
                    let _width = take(4, &mut at)?;
                    let count = len(take(4, &mut at)?)?;
                    let mut pairs = Vec::new();
                    for _ in 0..count {
                        let vl = len(take(4, &mut at)?)?;
                        let value = take(vl, &mut at)?;
                        let ll = len(take(4, &mut at)?)?;
                        let label = take(ll, &mut at)?;
                        pairs.push((value, label));
                    }
                    raw.long_labels.push((name, pairs));
                } else {
                    let count = usize::from(take(1, &mut at)?[0]);
                    let vl = len(take(4, &mut at)?)?;
                    let values: Vec<Vec<u8>> =
                        (0..count).map(|_| take(vl, &mut at)).collect::<Result<_, _>>()?;
                    let wanted = String::from_utf8_lossy(&name).to_string();
                    if let Some(v) =
                        raw.variables.iter_mut().find(|v| v.short.eq_ignore_ascii_case(&wanted))
                    {
                        v.long_missing = values;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The dictionary decoded: the CSV's columns and what `init` drafts from.
fn decode(
    raw: &Raw,
    file: &Path,
) -> Result<(Vec<Column>, Dictionary, &'static encoding_rs::Encoding), LoadError> {
    let bad = |message: String| LoadError::Format { file: file.to_path_buf(), message };
    let encoding = raw
        .encoding
        .as_deref()
        .and_then(|e| encoding_rs::Encoding::for_label(e.as_bytes()))
        .or_else(|| match raw.codepage {
            Some(65001) => Some(encoding_rs::UTF_8),
            Some(cp @ 1..) => encoding_rs::Encoding::for_label(format!("windows-{cp}").as_bytes())
                .or_else(|| encoding_rs::Encoding::for_label(format!("cp{cp}").as_bytes())),
            _ => None,
        })
        .unwrap_or(encoding_rs::WINDOWS_1252);
    let text = |b: &[u8]| encoding.decode_without_bom_handling(b).0.into_owned();
    let pairs_of = |b: &[u8], sep: u8| -> Vec<(String, String)> {
        text(b)
            .split(char::from(sep))
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_uppercase(),
                    v.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string(),
                )
            })
            .collect()
    };
    let long: std::collections::HashMap<String, String> = raw
        .long_names
        .as_deref()
        .map(|b| pairs_of(b, b'\t'))
        .unwrap_or_default()
        .into_iter()
        .collect();
    let very_long: std::collections::HashMap<String, usize> = raw
        .very_long
        .as_deref()
        .map(|b| pairs_of(b, b'\t'))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| v.trim_end_matches('\0').trim().parse().ok().map(|w| (k, w)))
        .collect();
    let name_of = |v: &Variable| {
        long.get(&v.short.to_uppercase()).cloned().unwrap_or_else(|| v.short.clone())
    };
    let sysmis = raw.sysmis.unwrap_or(-f64::MAX);
    let num_code = |x: f64| if x == sysmis || x.is_nan() { String::new() } else { whole(x) };
    let highest = raw.highest.unwrap_or(f64::MAX);
    let lowest = raw.lowest.unwrap_or(-f64::MAX);

    let mut columns = Vec::new();
    let mut info = Vec::new();
    let mut v = 0;
    while v < raw.variables.len() {
        let var = &raw.variables[v];
        let name = name_of(var);
        let mut segments = vec![v];
        let mut width = var.width;
        if let Some(&w) = very_long.get(&var.short.to_uppercase()) {
            let n = w.div_ceil(SEGMENT);
            if n == 0 || n > raw.variables.len() - v {
                return Err(bad(format!(
                    "variable {name}: a very long string of {w} bytes with too few segments"
                )));
            }
            segments = (v..v + n).collect();
            width = w;
        }
        v += segments.len();
        let numeric = var.width == 0;
        let mut missing: Vec<String> = if numeric {
            var.missing.iter().map(|m| num_code(float(*m, raw.big))).collect()
        } else {
            var.missing
                .iter()
                .map(|m| text(trim_blanks(m)))
                .chain(var.long_missing.iter().map(|m| text(trim_blanks(m))))
                .collect()
        };
        missing.retain(|m| !m.is_empty());
        let range = var.range.map(|(lo, hi)| {
            (
                if lo <= lowest { f64::NEG_INFINITY } else { lo },
                if hi >= highest { f64::INFINITY } else { hi },
            )
        });
        info.push(ColumnInfo {
            name: name.clone(),
            label: var
                .label
                .as_deref()
                .map(|b| text(b).trim().to_string())
                .filter(|l| !l.is_empty()),
            values: Vec::new(),
            missing,
            missing_range: range,
            numeric,
        });
        columns.push(Column { name, segments, width });
    }
    let column_of = |var: usize| columns.iter().position(|c| c.segments[0] == var);
    for (vars, pairs) in &raw.labels {
        for &var in vars {
            let Some(c) = column_of(var) else { continue };
            let numeric = info[c].numeric;
            for (value, label) in pairs {
                let code = if numeric {
                    num_code(float(*value, raw.big))
                } else {
                    text(trim_blanks(value))
                };
                push_label(&mut info[c].values, code, text(label));
            }
        }
    }
    for (name, pairs) in &raw.long_labels {
        let wanted = text(name);
        let Some(c) = columns.iter().position(|c| {
            c.name.eq_ignore_ascii_case(&wanted)
                || raw.variables[c.segments[0]].short.eq_ignore_ascii_case(&wanted)
        }) else {
            continue;
        };
        for (value, label) in pairs {
            push_label(&mut info[c].values, text(trim_blanks(value)), text(label));
        }
    }
    let mut sets = Vec::new();
    for b in &raw.mrsets {
        for set in parse_sets(&text(b)) {
            let resolve = |s: &str| {
                columns
                    .iter()
                    .find(|c| {
                        raw.variables[c.segments[0]].short.eq_ignore_ascii_case(s)
                            || c.name.eq_ignore_ascii_case(s)
                    })
                    .map_or_else(|| s.to_string(), |c| c.name.clone())
            };
            sets.push(ResponseSet {
                columns: set.columns.iter().map(|s| resolve(s)).collect(),
                ..set
            });
        }
    }
    Ok((columns, Dictionary { columns: info, sets, weight: None }, encoding))
}

fn push_label(values: &mut Vec<(String, String)>, code: String, label: String) {
    if code.is_empty() {
        return;
    }
    if let Some(p) = values.iter_mut().find(|(c, _)| *c == code) {
        p.1 = label;
    } else {
        values.push((code, label));
    }
}

/// A decimal number at the start of `s`, and the rest after one space.
fn number(s: &str) -> Option<(usize, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n = s[..end].parse().ok()?;
    Some((n, s[end..].strip_prefix(' ').unwrap_or(&s[end..])))
}

/// `n` bytes from the start of `s` (on a character boundary), and the rest.
fn take_bytes(s: &str, n: usize) -> Option<(&str, &str)> {
    let n = (n..=s.len()).find(|&i| s.is_char_boundary(i))?;
    Some((&s[..n], &s[n..]))
}

/// Multiple-response sets from the text of records 7.7 and 7.19: lines
/// `$name=C 6 Brands a b c` (categories), `$name=D1 1 6 Brands a b c` (dichotomies, with
/// the counted value) and `$name=E 11 1 1 6 Brands a b c` (dichotomies labelled by the
/// counted value).
pub fn parse_sets(text: &str) -> Vec<ResponseSet> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_matches(|c: char| c == '\0' || c == '\r');
        let Some(rest) = line.strip_prefix('$') else { continue };
        let Some((name, rest)) = rest.split_once('=') else { continue };
        let mut chars = rest.chars();
        let kind = chars.next();
        let rest = chars.as_str();
        let (counted, rest) = match kind {
            Some('C') => (None, rest.strip_prefix(' ').unwrap_or(rest)),
            Some('D') => match number(rest).and_then(|(n, r)| take_bytes(r, n)) {
                Some((v, r)) => (Some(v.to_string()), r.strip_prefix(' ').unwrap_or(r)),
                None => continue,
            },
            Some('E') => {
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                match number(rest).and_then(|(_, r)| number(r)).and_then(|(n, r)| take_bytes(r, n))
                {
                    Some((v, r)) => (Some(v.to_string()), r.strip_prefix(' ').unwrap_or(r)),
                    None => continue,
                }
            }
            _ => continue,
        };
        let Some((label, rest)) = number(rest).and_then(|(n, r)| take_bytes(r, n)) else {
            continue;
        };
        out.push(ResponseSet {
            name: name.to_string(),
            label: label.trim().to_string(),
            counted,
            columns: rest.split_whitespace().map(str::to_string).collect(),
        });
    }
    out
}

/// Writes the cases of the SPSS system file at `path` as CSV to a temporary file, with
/// its dictionary.
///
/// # Errors
/// [`LoadError::Format`] for a file that is not an SPSS system file or is damaged (the
/// byte and what was expected named), [`LoadError::Io`] when it cannot be read or the
/// temporary file written.
pub fn to_csv(path: &Path) -> Result<Converted, LoadError> {
    let io = |cause| LoadError::Io { file: path.to_path_buf(), cause };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut bin =
        Bin { r: BufReader::new(file), big: false, pos: 0, len, file: path.to_path_buf() };
    let magic = bin.array::<4>("the file's signature")?;
    let zlib = match &magic {
        b"$FL2" => false,
        b"$FL3" => true,
        _ => return Err(bin.bad("not an SPSS system file; expected it to begin with $FL2 or $FL3")),
    };
    bin.bytes(60, "the product name")?;
    let layout = bin.array::<4>("the layout code")?;
    bin.big = !matches!(i32::from_le_bytes(layout), 2 | 3);
    let case_size = bin.i32("the case size")?;
    let compression = bin.i32("the compression code")?;
    let weight_index = bin.i32("the weight index")?;
    let n_cases = bin.i32("the case count")?;
    let bias = bin.f64("the compression bias")?;
    bin.bytes(9 + 8 + 64 + 3, "the file label")?;
    match (zlib, compression) {
        (false, 0 | 1) | (true, 2) => {}
        (_, c) => {
            return Err(
                bin.bad(format!("compression code {c}; expected 0 or 1 in a .sav, 2 in a .zsav"))
            );
        }
    }
    let raw = dictionary(&mut bin, usize::try_from(case_size).unwrap_or(0))?;
    let (columns, mut dict, encoding) = decode(&raw, path)?;
    dict.weight = usize::try_from(weight_index.saturating_sub(1))
        .ok()
        .and_then(|s| raw.by_slot.get(s).copied().flatten())
        .and_then(|v| columns.iter().find(|c| c.segments[0] == v))
        .map(|c| c.name.clone());
    let case_slots = raw.by_slot.len();
    let reader: Box<dyn Read> = if zlib {
        let _zheader = bin.i64("the zlib header's offset")?;
        let trailer = bin.i64("the zlib trailer's offset")?;
        let _trailer_len = bin.i64("the zlib trailer's length")?;
        let mut file = bin.r;
        let trailer =
            u64::try_from(trailer).ok().filter(|&t| t < len).ok_or_else(|| LoadError::Format {
                file: path.to_path_buf(),
                message: format!("a zlib trailer at byte {trailer}, outside the file"),
            })?;
        file.seek(SeekFrom::Start(trailer)).map_err(io)?;
        let mut t = Bin { r: file, big: bin.big, pos: trailer, len, file: path.to_path_buf() };
        let _bias = t.i64("the zlib trailer's bias")?;
        let _zero = t.i64("the zlib trailer")?;
        let _block_size = t.i32("the zlib block size")?;
        let n = t.count("the zlib block count", 1 << 24)?;
        let mut blocks = std::collections::VecDeque::new();
        for _ in 0..n {
            let _uofs = t.i64("a block's offset")?;
            let cofs = t.i64("a block's offset")?;
            let _usize = t.i32("a block's size")?;
            let csize = t.i32("a block's size")?;
            match (u64::try_from(cofs), u64::try_from(csize)) {
                (Ok(o), Ok(s)) if o.saturating_add(s) <= len => blocks.push_back((o, s)),
                _ => {
                    return Err(t.bad(format!(
                        "a zlib block at {cofs} of {csize} bytes, outside the file"
                    )));
                }
            }
        }
        Box::new(ZBlocks { file: t.r, blocks, current: std::io::Cursor::new(Vec::new()) })
    } else {
        Box::new(bin.r)
    };
    let mut data = Slots {
        r: reader,
        compressed: compression != 0,
        commands: [0; 8],
        next: 8,
        done: false,
        bias,
        big: bin.big,
        sysmis: raw.sysmis.unwrap_or(-f64::MAX),
    };
    let (mut w, csv) = csv_writer(path)?;
    w.write_record(columns.iter().map(|c| c.name.as_str())).map_err(|e| io(e.into()))?;
    let sysmis = data.sysmis;
    let mut case: Vec<[u8; 8]> = Vec::with_capacity(case_slots);
    let mut record: Vec<String> = Vec::with_capacity(columns.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut n = 0u64;
    let expected = u64::try_from(n_cases).ok();
    while expected.is_none_or(|e| n < e) {
        case.clear();
        for i in 0..case_slots {
            match data.next().map_err(|e| LoadError::Format {
                file: path.to_path_buf(),
                message: format!("case {}: {e}", n + 1),
            })? {
                Some(s) => case.push(s),
                None if i == 0 => break,
                None => {
                    return Err(LoadError::Format {
                        file: path.to_path_buf(),
                        message: format!(
                            "case {} ends after {i} of its {case_slots} values; expected whole cases",
                            n + 1
                        ),
                    });
                }
            }
        }
        if case.is_empty() {
            break;
        }
        n += 1;
        record.clear();
        for c in &columns {
            let first = &raw.variables[c.segments[0]];
            if c.width == 0 {
                let x = float(case[first.slot], bin.big);
                record.push(if x == sysmis || x.is_nan() { String::new() } else { whole(x) });
                continue;
            }
            bytes.clear();
            let last = c.segments.len() - 1;
            for (k, &s) in c.segments.iter().enumerate() {
                let var = &raw.variables[s];
                let take = if c.segments.len() == 1 {
                    var.width
                } else if k < last {
                    SEGMENT_BYTES
                } else {
                    c.width.saturating_sub(SEGMENT_BYTES * last)
                };
                let mut seg: Vec<u8> =
                    case[var.slot..var.slot + slots(var.width)].iter().flatten().copied().collect();
                seg.truncate(take);
                bytes.extend_from_slice(&seg);
            }
            record.push(encoding.decode_without_bom_handling(trim_blanks(&bytes)).0.into_owned());
        }
        w.write_record(&record).map_err(|e| io(e.into()))?;
    }
    if let Some(e) = expected
        && n < e
    {
        return Err(LoadError::Format {
            file: path.to_path_buf(),
            message: format!("the header says {e} cases and the data end after {n}"),
        });
    }
    w.flush().map_err(io)?;
    Ok(Converted {
        csv,
        inputs: vec![path.to_path_buf()],
        note: None,
        row_offset: 0,
        column_offset: 0,
        dictionary: Some(dict),
    })
}

/// A 4-byte integer in the file's byte order.
fn int(a: [u8; 4], big: bool) -> i32 {
    if big { i32::from_be_bytes(a) } else { i32::from_le_bytes(a) }
}

/// An 8-byte number in the file's byte order.
fn float(a: [u8; 8], big: bool) -> f64 {
    if big { f64::from_be_bytes(a) } else { f64::from_le_bytes(a) }
}
