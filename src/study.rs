//! Running a whole study: codebook, responses, count table, analysis, claims, report.

use crate::analysis::{AnalysisOptions, analyse};
use crate::claims::{Evidence, judge};
use crate::codebook::{Codebook, CodebookError};
use crate::data::loader::IdSet;
use crate::data::{LoadError, LoadSummary, load};
use crate::reconstruct::{ReconstructError, Reconstruction, reconstruct};
use crate::report::{ReportError, StudyReport};
use crate::tabulate::CountTable;
use std::path::{Path, PathBuf};

/// Why a study could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    /// The codebook is unreadable or invalid.
    #[error(transparent)]
    Codebook(#[from] CodebookError),
    /// The responses file was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The reconstruction failed.
    #[error(transparent)]
    Reconstruct(#[from] ReconstructError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A reconstruction record is unreadable or does not match the responses.
    #[error("{path}: {message}")]
    Reconstruction {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Files at least this large are counted on two threads.
pub const PARALLEL_BYTES: u64 = 8 << 20;

/// Files at least this large show a progress bar on stderr (when it is a terminal).
pub const PROGRESS_BYTES: u64 = 64 << 20;

/// Loads `responses` against `codebook` straight into a count table. Large files
/// without quoted fields are split at a line boundary and counted on two threads (with
/// the checksum computed on a third pass through the page cache); any problem sends the
/// file through the single-threaded loader again so that the error names the first bad
/// line exactly as it would have.
///
/// # Errors
/// [`LoadError`] for a refused file.
pub fn tabulate_file(
    responses: &Path,
    codebook: &Codebook,
) -> Result<(CountTable, LoadSummary), LoadError> {
    let size = std::fs::metadata(responses).map(|m| m.len()).unwrap_or(0);
    if size >= PARALLEL_BYTES
        && let Some(done) = tabulate_parallel(responses, codebook, size)
    {
        return Ok(done);
    }
    let mut table = CountTable::new(codebook, &codebook.paired_questions());
    let summary = load(responses, codebook, |r| table.add(r))?;
    Ok((table, summary))
}

/// The two-thread count; `None` when the file needs the sequential loader (quoted
/// fields, or any error).
fn tabulate_parallel(
    path: &Path,
    codebook: &Codebook,
    size: u64,
) -> Option<(CountTable, LoadSummary)> {
    use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
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
    let pairs = codebook.paired_questions();
    // A progress bar for large inputs, drawn only when stderr is a terminal.
    let progress = (size >= PROGRESS_BYTES).then(|| {
        let pb = indicatif::ProgressBar::with_draw_target(
            Some(size),
            indicatif::ProgressDrawTarget::stderr(),
        );
        pb.set_style(
            indicatif::ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes} ({eta})")
                .expect("a valid template"),
        );
        pb.set_message(format!("counting {}", path.display()));
        pb
    });
    // Each part is read as its own small file: the header line, then its rows.
    let header_end = header_line.len() as u64;
    let count = |start: u64, end: u64| -> Option<(CountTable, LoadSummary, IdSet)> {
        let mut f = open()?;
        f.seek(SeekFrom::Start(start)).ok()?;
        let reader =
            BufReader::with_capacity(1 << 16, header_line.as_slice().chain(f.take(end - start)));
        let mut table = CountTable::new(codebook, &pairs);
        let mut ids = IdSet::default();
        let summary = crate::data::loader::load_part(
            reader,
            path,
            codebook,
            true,
            progress.as_ref(),
            &mut ids,
            |r| table.add(r),
        )
        .ok()?;
        Some((table, summary, ids))
    };
    let (checksum, first_half, second_half) = std::thread::scope(|s| {
        let hash = s.spawn(|| -> Option<String> {
            use sha2::Digest;
            let mut f = BufReader::with_capacity(1 << 20, open()?);
            let mut hasher = sha2::Sha256::new();
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
            Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
        });
        let second = s.spawn(|| count(mid, size));
        let first = count(header_end, mid);
        (hash.join().ok().flatten(), first, second.join().ok().flatten())
    });
    let (checksum, (mut table, mut summary, ids), (table2, summary2, ids2)) =
        (checksum?, first_half?, second_half?);
    // A repeat across the halves (or after spilling): the sequential loader names its line.
    if crate::data::ids::find_duplicate(vec![ids, ids2]).ok()?.is_some() {
        return None;
    }
    table.merge(&table2).ok()?;
    summary.rows_read += summary2.rows_read;
    summary.rows_used += summary2.rows_used;
    for (reason, n) in summary2.excluded {
        *summary.excluded.entry(reason).or_insert(0) += n;
    }
    for (q, n) in summary2.missing_answers {
        *summary.missing_answers.entry(q).or_insert(0) += n;
    }
    summary.sha256 = checksum;
    summary.file = path.display().to_string();
    Some((table, summary))
}

/// Analyses a responses file and judges the codebook's claims.
///
/// # Errors
/// [`StudyError`] for an invalid codebook or a refused responses file.
pub fn analyse_file(
    responses: &Path,
    codebook: &Codebook,
    options: AnalysisOptions,
    reconstruction: Option<Reconstruction>,
) -> Result<StudyReport, StudyError> {
    let (table, load) = tabulate_file(responses, codebook)?;
    Ok(analyse_table(&table, load, codebook, options, reconstruction))
}

/// Analyses an already counted table (e.g. merged shards) and judges the claims.
pub fn analyse_table(
    table: &CountTable,
    load: LoadSummary,
    codebook: &Codebook,
    options: AnalysisOptions,
    reconstruction: Option<Reconstruction>,
) -> StudyReport {
    let table = table.clone();
    let analysis = analyse(codebook, &table, options);
    let evidence = if reconstruction.is_some() {
        Evidence::DataAndPublishedFigures
    } else {
        Evidence::DataOnly
    };
    let claims = judge(codebook, &table, &analysis, evidence);
    StudyReport {
        study: codebook.study.id.clone(),
        title: codebook.study.title.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        load,
        analysis,
        claims,
        reconstruction,
        codebook: codebook.clone(),
    }
}

/// Runs a bundled study folder (`codebook.toml`, `responses.csv` and, for
/// reconstructed data, `reconstruction.json` recording the seed). A reconstructed
/// `responses.csv` is checked to be exactly what `reconstruct` produces.
///
/// # Errors
/// [`StudyError`].
pub fn run_bundled(folder: &Path, options: AnalysisOptions) -> Result<StudyReport, StudyError> {
    let codebook = Codebook::from_path(&folder.join("codebook.toml"))?;
    let responses = folder.join("responses.csv");
    let record = folder.join("reconstruction.json");
    let reconstruction = if record.exists() {
        let bad = |message: String| StudyError::Reconstruction { path: record.clone(), message };
        let text = std::fs::read_to_string(&record).map_err(|e| bad(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let seed = value["seed"].as_u64().ok_or_else(|| bad("no \"seed\" number".into()))?;
        let rebuilt = reconstruct(&codebook, seed)?;
        let shipped = std::fs::read_to_string(&responses)
            .map_err(|source| LoadError::Io { file: responses.clone(), source })?;
        if shipped != rebuilt.to_csv() {
            return Err(bad(format!(
                "{} is not what `invitestat reconstruct {} --seed {seed}` produces",
                responses.display(),
                folder.join("codebook.toml").display()
            )));
        }
        Some(rebuilt)
    } else {
        None
    };
    analyse_file(&responses, &codebook, options, reconstruction)
}
