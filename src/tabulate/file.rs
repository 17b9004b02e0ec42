//! Counting a responses file into a count table, on two threads for large files.

use super::CountTable;
use crate::codebook::Codebook;
use crate::data::ids::IdSet;
use crate::data::loader::{Progress, check_ids, load_part};
use crate::data::weighting::{Weights, weigh};
use crate::data::{LoadError, LoadOptions, LoadSummary, load};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Files at least this large are counted on two threads.
pub const PARALLEL_BYTES: u64 = 8 << 20;

/// Loads `responses` against `codebook` straight into a count table. Large files
/// without quoted fields are split at a line boundary and counted on two threads (with
/// the checksum computed on a third pass through the page cache); any problem sends the
/// file through the single-threaded loader again so that the error names the first bad
/// line exactly as it would have. A Parquet table of plain columns is read straight
/// into the loader and split by rows in the same way (unless the codebook weights to
/// margins); other formats are converted to CSV text first. `progress`, when given, is
/// called with the bytes read since its last call.
///
/// # Errors
/// [`LoadError`] for a refused file.
///
/// # Examples
/// ```
/// use invitestat::codebook::Codebook;
/// use invitestat::data::LoadOptions;
/// use invitestat::tabulate::tabulate_file;
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online"));
/// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
/// let (table, summary) =
///     tabulate_file(&dir.join("responses.csv"), &codebook, LoadOptions::default(), None)?;
/// // 48 of the 55 recruiters accept invitations from strangers.
/// assert_eq!(table.option_counts(1, 0, Some(0)), (48, 55));
/// assert_eq!(summary.rows_used, 400);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tabulate_file(
    responses: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    progress: Option<Progress<'_>>,
) -> Result<(CountTable, LoadSummary), LoadError> {
    #[cfg(feature = "parquet")]
    if codebook.weighting.is_none()
        && crate::data::parquet::is_parquet(responses)
        && let Some(done) = tabulate_parquet(responses, codebook, options)
    {
        return Ok(done);
    }
    if let Some(converted) = crate::data::convert::open(responses)? {
        return tabulate_converted(responses, &converted, codebook, options);
    }
    let weights = one_sample(
        responses,
        weigh(responses, codebook, |each| load(responses, codebook, options, each))?,
    )?;
    let size = std::fs::metadata(responses).map(|m| m.len()).unwrap_or(0);
    if size >= PARALLEL_BYTES
        && let Some(mut done) =
            tabulate_parallel(responses, codebook, options, size, progress, weights.as_ref())
    {
        done.1.weighting.extend(weights.map(|w| w.summary));
        return Ok(done);
    }
    let mut table = new_table(codebook, weights.as_ref());
    let mut summary = load(responses, codebook, options, table.adder())?;
    table.weight_scale = summary.weight_scale;
    summary.weighting.extend(weights.map(|w| w.summary));
    Ok((table, summary))
}

/// An empty table, calibrated by `weights` when given.
pub(super) fn new_table(codebook: &Codebook, weights: Option<&Weights>) -> CountTable {
    let mut table = CountTable::new(codebook, &codebook.paired_questions());
    if let Some(w) = weights {
        table.calibrate(codebook, w);
    }
    table
}

/// The weights of a file analysed as one sample: refused when its waves were
/// weighted separately.
pub(super) fn one_sample(
    path: &Path,
    weights: Option<Vec<(String, Weights)>>,
) -> Result<Option<Weights>, LoadError> {
    let Some(mut weights) = weights else { return Ok(None) };
    if weights.len() > 1 {
        return Err(LoadError::Format {
            file: path.to_path_buf(),
            message: format!(
                "weighting: the file holds {} waves, each weighted to the margins on its own; expected one wave, or the waves compared with `invitestat waves`",
                weights.len()
            ),
        });
    }
    Ok(weights.pop().map(|(_, w)| w))
}

/// A file in another format, converted to CSV, counted by the CSV loader (on two threads
/// when large, as [`tabulate_file`] counts a CSV file); the summary
/// and any error name the original file, and its checksum is the original's (of each
/// part in turn, for a folder of parts).
fn tabulate_converted(
    path: &Path,
    converted: &crate::data::convert::Converted,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<(CountTable, LoadSummary), LoadError> {
    let weights =
        weigh(&converted.csv, codebook, |each| load(&converted.csv, codebook, options, each))
            .and_then(|w| one_sample(&converted.csv, w))
            .map_err(|e| converted.locate(e, path))?;
    // A large converted file is counted on two threads as a CSV file is; the
    // sequential loader reads it when that fails, to name the refused row.
    let csv = &converted.csv;
    let size = std::fs::metadata(csv).map(|m| m.len()).unwrap_or(0);
    let parallel = (size >= PARALLEL_BYTES)
        .then(|| tabulate_parallel(csv, codebook, options, size, None, weights.as_ref()))
        .flatten();
    let (table, mut summary) = match parallel {
        Some(done) => done,
        None => {
            let mut table = new_table(codebook, weights.as_ref());
            let summary = load(csv, codebook, options, table.adder())
                .map_err(|e| converted.locate(e, path))?;
            table.weight_scale = summary.weight_scale;
            (table, summary)
        }
    };
    summary.weighting.extend(weights.map(|w| w.summary));
    summary.file = path.display().to_string();
    summary.sha256 = sha256_of(&converted.inputs)?;
    if let Some(note) = &converted.note {
        summary.warnings.push(note.clone());
    }
    Ok((table, summary))
}

/// A Parquet table of plain columns read straight into the loader, its rows split in
/// two and counted on two threads (the checksum of its files on a third). `None` for
/// a table of other columns, and on any problem: the caller then converts the table
/// and the loader names the refused row.
#[cfg(feature = "parquet")]
fn tabulate_parquet(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
) -> Option<(CountTable, LoadSummary)> {
    use crate::data::loader::{Lines, load_records};
    let crate::data::parquet::SplitTable { mut pieces, files } =
        crate::data::parquet::ParquetRows::split(path, 2).ok()??;
    let count = |rows: &mut crate::data::parquet::ParquetRows| {
        let mut table = new_table(codebook, None);
        let mut ids = IdSet::with_limit(options.ids_in_memory);
        let summary =
            load_records(rows, path, codebook, options, Lines::Part, None, &mut ids, table.adder())
                .ok()?;
        table.weight_scale = summary.weight_scale;
        Some((table, summary, ids))
    };
    let second = pieces.pop()?;
    let mut first = pieces.pop();
    let (checksum, one, two) = std::thread::scope(|s| {
        let hash = s.spawn(|| sha256_of(&files).ok());
        let mut second = second;
        let two = s.spawn(move || count(&mut second));
        let one = first.as_mut().map(count);
        (hash.join().ok().flatten(), one, two.join().ok().flatten())
    });
    let halves = match one {
        Some(one) => vec![one?, two?],
        None => vec![two?],
    };
    let (table, mut summary) = join_counts(halves)?;
    if summary.rows_read == 0 {
        return None; // the loader refuses an empty file, naming it
    }
    summary.sha256 = checksum?;
    summary.file = path.display().to_string();
    summary.warnings.extend(crate::data::parquet::parts_note(files.len()));
    Some((table, summary))
}

/// The SHA-256 of `files` read one after the other, a chunk at a time.
fn sha256_of(files: &[std::path::PathBuf]) -> Result<String, LoadError> {
    let mut hasher = crate::digest::Sha256::default();
    let mut buffer = vec![0u8; 1 << 20];
    for f in files {
        let io = |cause| LoadError::Io { file: f.clone(), cause };
        let mut file = std::fs::File::open(f).map_err(io)?;
        loop {
            let n = file.read(&mut buffer).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
    }
    Ok(hasher.hex())
}

/// Joins the counts of the pieces of one file (in order): `None` when an id repeats
/// across them (the sequential loader then names its lines).
fn join_counts(pieces: Vec<(CountTable, LoadSummary, IdSet)>) -> Option<(CountTable, LoadSummary)> {
    let mut ids = Vec::new();
    let mut joined: Option<(CountTable, LoadSummary)> = None;
    for (table, summary, set) in pieces {
        ids.push(set);
        match &mut joined {
            None => joined = Some((table, summary)),
            Some((t, s)) => {
                t.merge(&table).ok()?;
                s.absorb(&summary);
                s.weight_scale = t.weight_scale;
            }
        }
    }
    if crate::data::ids::find_duplicate(ids).ok()?.is_some() {
        return None;
    }
    joined
}

/// As [`tabulate_file`] for the contents of a file already in memory (the bundled
/// studies' rebuilt rows): `path` is the file the bytes came from, named in errors
/// and read again only to locate an error's line or a repeated id.
///
/// # Errors
/// [`LoadError`] for refused rows.
pub fn tabulate_bytes(
    bytes: &[u8],
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<(CountTable, LoadSummary), LoadError> {
    let weights = one_sample(
        path,
        weigh(path, codebook, |each| {
            load_part(
                bytes,
                path,
                codebook,
                options,
                false,
                None,
                &mut IdSet::with_limit(options.ids_in_memory),
                each,
            )
        })?,
    )?;
    let mut table = new_table(codebook, weights.as_ref());
    let mut ids = IdSet::with_limit(options.ids_in_memory);
    let mut summary =
        load_part(bytes, path, codebook, options, false, None, &mut ids, table.adder())?;
    check_ids(path, codebook, options, vec![ids])?;
    table.weight_scale = summary.weight_scale;
    summary.weighting.extend(weights.map(|w| w.summary));
    Ok((table, summary))
}

/// The two-thread count; `None` when the file needs the sequential loader (quoted
/// fields, or any error).
fn tabulate_parallel(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
    size: u64,
    progress: Option<Progress<'_>>,
    weights: Option<&Weights>,
) -> Option<(CountTable, LoadSummary)> {
    let open = || std::fs::File::open(path).ok();
    // The header line, and the first line boundary after the middle of the file.
    let mut first = BufReader::new(open()?);
    let mut header_line = Vec::new();
    first.read_until(b'\n', &mut header_line).ok()?;
    let mut mid_reader = BufReader::new(open()?);
    mid_reader.seek(SeekFrom::Start(size / 2)).ok()?;
    let mut skipped = Vec::new();
    mid_reader.read_until(b'\n', &mut skipped).ok()?;
    let mid = size / 2 + skipped.len() as u64;
    // Each part is read as its own small file: the header line, then its rows.
    let header_end = header_line.len() as u64;
    let count = |start: u64, end: u64| -> Option<(CountTable, LoadSummary, IdSet)> {
        let mut f = open()?;
        f.seek(SeekFrom::Start(start)).ok()?;
        let reader =
            BufReader::with_capacity(1 << 16, header_line.as_slice().chain(f.take(end - start)));
        let mut table = new_table(codebook, weights);
        let mut ids = IdSet::with_limit(options.ids_in_memory);
        let summary =
            load_part(reader, path, codebook, options, true, progress, &mut ids, table.adder())
                .ok()?;
        table.weight_scale = summary.weight_scale;
        Some((table, summary, ids))
    };
    let (checksum, first_half, second_half) = std::thread::scope(|s| {
        let hash = s.spawn(|| -> Option<String> {
            let mut f = BufReader::with_capacity(1 << 20, open()?);
            let mut hasher = crate::digest::Sha256::default();
            loop {
                let buf = f.fill_buf().ok()?;
                if buf.is_empty() {
                    break;
                }
                if buf.contains(&b'"') {
                    return None; // quoted fields may hold line breaks: split unsafely
                }
                hasher.update(buf);
                let n = buf.len();
                f.consume(n);
            }
            Some(hasher.hex())
        });
        let second = s.spawn(|| count(mid, size));
        let first = count(header_end, mid);
        (hash.join().ok().flatten(), first, second.join().ok().flatten())
    });
    let checksum = checksum?;
    // A repeat across the halves (or after spilling): the sequential loader names its lines.
    let (table, mut summary) = join_counts(vec![first_half?, second_half?])?;
    summary.sha256 = checksum;
    summary.file = path.display().to_string();
    Some((table, summary))
}
