//! Running an analysis end to end: the one place that strings the stages together
//! (load and count, analyse, judge the claims, build the [`Report`]). Every command
//! goes through here: a responses file ([`analyse_file`]), counted shards
//! ([`analyse_table`], [`merge_counts`]), several waves ([`analyse_waves`]), a bundled study whose data
//! are a reconstruction ([`run_bundled`]), and the list of bundled reports that `run`
//! writes ([`bundled`], described by `data/studies.toml`).

use crate::analysis::waves::compare_waves;
use crate::analysis::{AnalysisOptions, analyse};
use crate::claims::{Evidence, judge, redact};
use crate::codebook::{Codebook, CodebookError};
use crate::data::reconstruct::{ReconstructError, Reconstruction, reconstruct};
use crate::data::{LoadError, LoadOptions, LoadSummary};
use crate::report::{Report, ReportError};
use crate::tabulate::{
    CountTable, CountsError, DataSet, MergeError, ResponsesFile, Wave, WavesError, data_warnings,
    file_labels, read_counts, tabulate_bytes, waves_from_column_of, waves_from_sets,
};
use std::path::{Path, PathBuf};

/// Why an analysis could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    /// The codebook is unreadable or invalid.
    #[error(transparent)]
    Codebook(#[from] CodebookError),
    /// The responses file was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Waves could not be read.
    #[error(transparent)]
    Waves(#[from] WavesError),
    /// The reconstruction failed.
    #[error(transparent)]
    Reconstruct(#[from] ReconstructError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A study folder's files are missing, unreadable or inconsistent.
    #[error("{}: {message}", path.display())]
    Bundle {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An article's reading cannot be judged as it stands.
    #[error("{0}")]
    Reading(String),
    /// Waves were asked for but the input holds fewer than two.
    #[error("{0} holds only one wave; expected two or more")]
    OneWave(String),
    /// The same count table given twice to a merge.
    #[error(
        "{} has the same content as {} (SHA-256 {sha256}); a shard given twice would count its respondents twice",
        path.display(),
        first.display()
    )]
    SameShard {
        /// The second file.
        path: PathBuf,
        /// The first file with that content.
        first: PathBuf,
        /// Their checksum.
        sha256: String,
    },
    /// The merged table does not fit the codebook.
    #[error("the merged count table: {0}")]
    Merged(MergeError),
    /// A count table was refused.
    #[error(transparent)]
    Counts(#[from] CountsError),
    /// One responses file, but no wave column to split it by.
    #[error(
        "{0}: one responses file, and the codebook names no wave_column to split it by; give one file per wave, or set wave_column"
    )]
    NoWaveColumn(String),
}

/// How an analysis reads and analyses its data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    /// Methods and levels.
    pub analysis: AnalysisOptions,
    /// How files are read.
    pub load: LoadOptions,
}

/// Analyses a responses file against a codebook and judges the codebook's claims on
/// the data alone (a new wave of a study, or any survey).
///
/// # Errors
/// [`StudyError`] for a refused responses file.
///
/// # Examples
/// ```
/// use invitestat::Codebook;
/// use invitestat::study::{Options, analyse_file};
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online"));
/// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
/// let report = analyse_file(&dir.join("responses.csv"), &codebook, &Options::default())?;
/// let analysis = report.analysis.as_ref().expect("one data set");
/// let accept = analysis.result("accept_never_met", "1", "recruiters").expect("a share");
/// assert_eq!((accept.successes, accept.n), (48, 55));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn analyse_file(
    responses: &Path,
    codebook: &Codebook,
    options: &Options,
) -> Result<Report, StudyError> {
    analyse_data_set(&ResponsesFile(responses.to_path_buf()), codebook, options)
}

/// As [`analyse_file`] for any [`DataSet`] (a data frame handed over by the Python
/// package, say).
///
/// # Errors
/// [`StudyError`] for refused responses.
pub fn analyse_data_set(
    set: &dyn DataSet,
    codebook: &Codebook,
    options: &Options,
) -> Result<Report, StudyError> {
    let (table, load) = set.tabulate(codebook, options.load)?;
    Ok(analyse_table(&table, load, codebook, options.analysis, None))
}

/// The data warnings of a table (questions nobody answered, small groups, zero
/// weights) added to its load summary.
fn warn(load: &mut LoadSummary, codebook: &Codebook, table: &CountTable, min_base: u64) {
    for w in data_warnings(codebook, table, load.zero_weights, min_base) {
        if !load.warnings.contains(&w) {
            load.warnings.push(w);
        }
    }
}

/// Analyses an already counted table (e.g. merged shards) and judges the claims; with
/// a `reconstruction`, the claims are judged over every count consistent with the
/// published figures as well.
pub fn analyse_table(
    table: &CountTable,
    mut load: LoadSummary,
    codebook: &Codebook,
    options: AnalysisOptions,
    reconstruction: Option<Reconstruction>,
) -> Report {
    warn(&mut load, codebook, table, options.min_base);
    let analysis = analyse(codebook, table, options);
    let evidence = if reconstruction.is_some() {
        Evidence::DataAndPublishedFigures
    } else {
        Evidence::DataOnly
    };
    let mut claims = judge(codebook, table, &analysis, evidence);
    redact(&mut claims, codebook, &analysis.suppressed);
    Report {
        study: codebook.study.id.clone(),
        title: codebook.study.title.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        load,
        analysis: Some(analysis),
        waves: None,
        claims,
        reconstruction,
        codebook: codebook.clone(),
    }
}

/// Merges count tables (from `tabulate` or an SQL GROUP BY) into one and analyses it:
/// their rows read and excluded add up, and the load's checksum is that of their
/// checksums in order.
///
/// # Errors
/// [`StudyError::Counts`] for a refused file or tables that cannot be added,
/// [`StudyError::SameShard`] for one given twice (under any name),
/// [`StudyError::Merged`] when the sum does not fit the codebook.
pub fn merge_counts(
    files: &[PathBuf],
    codebook: &Codebook,
    options: AnalysisOptions,
) -> Result<Report, StudyError> {
    let mut merged = CountTable::new(codebook, &codebook.paired_questions());
    let mut load = LoadSummary {
        file: files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" + "),
        ..LoadSummary::default()
    };
    let mut seen: Vec<(String, &PathBuf)> = Vec::new();
    let mut digest = crate::digest::Sha256::default();
    for path in files {
        let shard = read_counts(path, codebook)?;
        if let Some((_, first)) = seen.iter().find(|(h, _)| *h == shard.sha256) {
            return Err(StudyError::SameShard {
                path: path.clone(),
                first: (*first).clone(),
                sha256: shard.sha256,
            });
        }
        if seen.is_empty() {
            // The first table as it is: a calibrated one carries its calibration.
            merged = shard.table.clone();
        } else {
            merged
                .merge(&shard.table)
                .map_err(|cause| CountsError::Merge { path: path.clone(), cause })?;
        }
        load.absorb(&LoadSummary {
            rows_read: shard.rows_read,
            excluded: shard.excluded.clone(),
            ..LoadSummary::default()
        });
        digest.update(shard.sha256.as_bytes());
        seen.push((shard.sha256, path));
    }
    merged.validate(codebook).map_err(StudyError::Merged)?;
    load.rows_used = merged.total();
    load.missing_answers = codebook
        .questions
        .iter()
        .zip(&merged.questions)
        .map(|(q, c)| (q.id.clone(), c.missing.iter().sum()))
        .collect();
    load.sha256 = digest.hex();
    load.weighting = merged
        .design
        .as_ref()
        .and_then(|d| d.calibration.as_ref())
        .map(|c| c.summary.clone())
        .into_iter()
        .collect();
    Ok(analyse_table(&merged, load, codebook, options, None))
}

/// Reads waves: one file per wave, or one file split by the codebook's wave column.
///
/// # Errors
/// [`StudyError`] for a refused file, the same data twice, one file without a wave
/// column, or fewer than two waves.
pub fn read_waves(
    responses: &[PathBuf],
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, StudyError> {
    let files: Vec<ResponsesFile> = responses.iter().cloned().map(ResponsesFile).collect();
    let sets: Vec<&dyn DataSet> = files.iter().map(|f| f as &dyn DataSet).collect();
    read_wave_sets(&sets, &file_labels(responses), codebook, options)
}

/// As [`read_waves`] for any [`DataSet`]s: one per wave under the labels given, or one
/// split by the codebook's wave column.
///
/// # Errors
/// As [`read_waves`].
pub fn read_wave_sets(
    sets: &[&dyn DataSet],
    labels: &[String],
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, StudyError> {
    let waves = match sets {
        [one] if codebook.wave_column.is_none() => {
            return Err(StudyError::NoWaveColumn(one.name().display().to_string()));
        }
        [one] => waves_from_column_of(*one, codebook, options)?,
        many => waves_from_sets(many, labels, codebook, options)?,
    };
    if waves.len() < 2 {
        let name = sets.first().map_or_else(String::new, |s| s.name().display().to_string());
        return Err(StudyError::OneWave(name));
    }
    Ok(waves)
}

/// Compares several waves (see [`crate::analysis::waves`]).
pub fn analyse_waves(
    mut waves: Vec<Wave>,
    codebook: &Codebook,
    options: AnalysisOptions,
) -> Report {
    let mut load = LoadSummary {
        file: waves.iter().map(|w| w.load.file.clone()).collect::<Vec<_>>().join(" + "),
        ..LoadSummary::default()
    };
    for w in &mut waves {
        warn(&mut w.load, codebook, &w.table, options.min_base);
        load.absorb(&w.load);
    }
    let results = compare_waves(codebook, waves, options);
    Report {
        study: codebook.study.id.clone(),
        title: codebook.study.title.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        load,
        analysis: None,
        waves: Some(results),
        claims: Vec::new(),
        reconstruction: None,
        codebook: codebook.clone(),
    }
}

/// Runs a bundled study folder whose data are a reconstruction (`codebook.toml`,
/// `responses.csv` and `reconstruction.json` recording the seed): `responses.csv` must
/// be exactly what `reconstruct` produces, and the rows rebuilt in memory are the ones
/// analysed.
///
/// # Errors
/// [`StudyError`].
pub fn run_bundled(folder: &Path, options: AnalysisOptions) -> Result<Report, StudyError> {
    let codebook = Codebook::from_path(&folder.join("codebook.toml"))?;
    let responses = folder.join("responses.csv");
    let record = folder.join("reconstruction.json");
    let bad = |message: String| StudyError::Bundle { path: record.clone(), message };
    let text = std::fs::read_to_string(&record).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let seed = value["seed"].as_u64().ok_or_else(|| bad("no \"seed\" number".into()))?;
    let rebuilt = reconstruct(&codebook, seed)?;
    let csv = rebuilt.to_csv();
    let shipped = std::fs::read_to_string(&responses)
        .map_err(|cause| LoadError::Io { file: responses.clone(), cause })?;
    if shipped != csv {
        return Err(bad(format!(
            "{} is not what `invitestat reconstruct {} --seed {seed}` produces",
            responses.display(),
            folder.join("codebook.toml").display()
        )));
    }
    analyse_reconstruction(&codebook, rebuilt, &responses, options)
}

/// Counts a reconstruction's rows (named `responses` in the load summary) and analyses
/// them, judging the claims over every count consistent with the published figures.
fn analyse_reconstruction(
    codebook: &Codebook,
    rebuilt: Reconstruction,
    responses: &Path,
    options: AnalysisOptions,
) -> Result<Report, StudyError> {
    let csv = rebuilt.to_csv();
    let (table, load) =
        tabulate_bytes(csv.as_bytes(), responses, codebook, LoadOptions::default())?;
    Ok(analyse_table(&table, load, codebook, options, Some(rebuilt)))
}

/// Judges the claims read from an article ([`crate::article::read`]) from its printed
/// figures alone: its draft codebook, [`reproduce`]d with `seed`.
///
/// # Errors
/// [`StudyError::Reading`] when no figure was read, or the text names fewer than two
/// groups (a codebook compares two or more), [`StudyError::Codebook`] when the draft is not a valid
/// codebook (no figure was read), [`StudyError::Reconstruct`] when no data show every
/// figure (the message names the figures).
pub fn check_reading(
    reading: &crate::article::Reading,
    seed: u64,
    options: AnalysisOptions,
) -> Result<Report, StudyError> {
    if reading.figures.is_empty() {
        return Err(StudyError::Reading(
            "no printed figure was read (a percentage with its group and what it measures); the sentences not used say why".into(),
        ));
    }
    if reading.groups.len() < 2 {
        return Err(StudyError::Reading(
            "the text names no groups of respondents, and a codebook compares two or more: name them in the draft (--draft) and judge it with --codebook".into(),
        ));
    }
    reproduce(&reading.codebook()?, seed, options)
}

/// The seed `check` reconstructs with unless told otherwise.
pub const CHECK_SEED: u64 = 1;

/// Judges a codebook's claims from its printed figures alone: a reconstruction
/// consistent with every figure (seeded by `seed`), analysed, each claim judged over
/// the reconstruction and every count, joint table and group size the figures allow.
/// This is what `invitestat check` does with a drafted or corrected codebook.
///
/// # Errors
/// [`StudyError::Reconstruct`] when no data can show every figure.
///
/// # Examples
/// ```
/// use invitestat::article::read;
/// use invitestat::study::{CHECK_SEED, reproduce};
///
/// let reading = read(
///     "We surveyed 400 managers, including almost 60 recruiters.\n\n\
///      87% of recruiters and 63% of non-recruiters accept invitations from strangers: \
///      a strong majority of both.",
///     "article.txt",
/// );
/// let report = reproduce(&reading.codebook()?, CHECK_SEED, Default::default())?;
/// assert_eq!(report.claims[0].verdict.name(), "supported");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reproduce(
    codebook: &Codebook,
    seed: u64,
    options: AnalysisOptions,
) -> Result<Report, StudyError> {
    let rebuilt = reconstruct(codebook, seed)?;
    analyse_reconstruction(codebook, rebuilt, Path::new("reconstruction.csv"), options)
}

/// What a bundled report is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundledKind {
    /// A published study reproduced from reconstructed data ([`run_bundled`]).
    Reproduction,
    /// A responses file analysed against its codebook ([`analyse_file`]).
    Analysis,
    /// Waves compared ([`analyse_waves`]).
    Waves,
}

/// One report that `invitestat run` writes, as `data/studies.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundled {
    /// The folder under `data/` with its codebook and data, also the report's folder
    /// under `reports/`.
    pub folder: String,
    /// What the report is.
    pub kind: BundledKind,
    /// The responses files (analysis: one; waves: one per wave, in order).
    #[serde(default)]
    pub responses: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleFile {
    report: Vec<Bundled>,
}

/// The bundled reports, from `data/studies.toml`.
///
/// # Errors
/// [`StudyError::Bundle`] for a missing or malformed list.
pub fn bundled(data: &Path) -> Result<Vec<Bundled>, StudyError> {
    let path = data.join("studies.toml");
    let bad = |message: String| StudyError::Bundle { path: path.clone(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let file: BundleFile = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
    for (i, r) in file.report.iter().enumerate() {
        let wrong = match (r.kind, r.responses.len()) {
            (BundledKind::Reproduction, n) if n > 0 => Some(
                "a reproduction reads its folder's responses.csv; `responses` must be left out",
            ),
            (BundledKind::Analysis, n) if n > 1 => {
                Some("an analysis reads one responses file; list one, or none for responses.csv")
            }
            (BundledKind::Waves, 0) => Some(
                "waves need `responses`: one file per wave, or one file with the codebook's wave column",
            ),
            _ => None,
        };
        if let Some(why) = wrong {
            return Err(bad(format!("report {} ({}): {why}", i + 1, r.folder)));
        }
    }
    Ok(file.report)
}

/// Runs one bundled report.
///
/// # Errors
/// [`StudyError`].
pub fn run_one(
    data: &Path,
    entry: &Bundled,
    options: AnalysisOptions,
) -> Result<Report, StudyError> {
    let folder = data.join(&entry.folder);
    let files: Vec<PathBuf> = entry.responses.iter().map(|f| folder.join(f)).collect();
    match entry.kind {
        BundledKind::Reproduction => run_bundled(&folder, options),
        BundledKind::Analysis => {
            let codebook = Codebook::from_path(&folder.join("codebook.toml"))?;
            let responses = files.first().cloned().unwrap_or_else(|| folder.join("responses.csv"));
            analyse_file(
                &responses,
                &codebook,
                &Options { analysis: options, load: LoadOptions::default() },
            )
        }
        BundledKind::Waves => {
            let codebook = Codebook::from_path(&folder.join("codebook.toml"))?;
            let waves = read_waves(&files, &codebook, LoadOptions::default())?;
            Ok(analyse_waves(waves, &codebook, options))
        }
    }
}
