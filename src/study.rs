//! Running a whole study: codebook, responses, count table, analysis, claims, report.

use crate::analysis::{AnalysisOptions, analyse};
use crate::claims::{Evidence, judge};
use crate::codebook::{Codebook, CodebookError};
use crate::data::{LoadError, LoadOptions, LoadSummary};
use crate::reconstruct::{ReconstructError, Reconstruction, reconstruct};
use crate::report::{ReportError, StudyReport};
use crate::tabulate::{CountTable, data_warnings, tabulate_file};
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
    #[error("{}: {message}", path.display())]
    Reconstruction {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Analyses a responses file and judges the codebook's claims.
///
/// # Errors
/// [`StudyError`] for an invalid codebook or a refused responses file.
pub fn analyse_file(
    responses: &Path,
    codebook: &Codebook,
    options: AnalysisOptions,
    load_options: LoadOptions,
    reconstruction: Option<Reconstruction>,
) -> Result<StudyReport, StudyError> {
    let (table, load) = tabulate_file(responses, codebook, load_options, None)?;
    Ok(analyse_table(&table, load, codebook, options, reconstruction))
}

/// Analyses an already counted table (e.g. merged shards) and judges the claims. The
/// data warnings (questions nobody answered, small groups, zero weights) are added to
/// the load summary.
pub fn analyse_table(
    table: &CountTable,
    mut load: LoadSummary,
    codebook: &Codebook,
    options: AnalysisOptions,
    reconstruction: Option<Reconstruction>,
) -> StudyReport {
    for w in data_warnings(codebook, table, load.zero_weights, options.min_base) {
        if !load.warnings.contains(&w) {
            load.warnings.push(w);
        }
    }
    let analysis = analyse(codebook, table, options);
    let evidence = if reconstruction.is_some() {
        Evidence::DataAndPublishedFigures
    } else {
        Evidence::DataOnly
    };
    let mut claims = judge(codebook, table, &analysis, evidence);
    crate::claims::redact(&mut claims, codebook, &analysis.suppressed);
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
            .map_err(|cause| LoadError::Io { file: responses.clone(), cause })?;
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
    analyse_file(&responses, &codebook, options, LoadOptions::default(), reconstruction)
}
