//! Splitting responses into survey waves: one file per wave, or one file with the
//! codebook's wave column; each wave a count table of its own, on one weight scale.

use super::{CountTable, tabulate_file};
use crate::codebook::Codebook;
use crate::data::{LoadError, LoadOptions, LoadSummary, load};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One wave's counts.
#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    /// Label (the wave column's value, or the file name).
    pub label: String,
    /// Where it was read from.
    pub load: LoadSummary,
    /// Its count table.
    #[serde(skip)]
    pub table: CountTable,
}

/// Why waves could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WavesError {
    /// A file was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The waves' weights cannot be put on one scale.
    #[error("{}: {cause}", path.display())]
    Weights {
        /// The wave file.
        path: PathBuf,
        /// Why.
        cause: crate::tabulate::MergeError,
    },
    /// The same data given twice.
    #[error(
        "{} has the same content as {} (SHA-256 {sha256}); one wave given twice would be compared with itself",
        second.display(), first.display()
    )]
    SameData {
        /// The first file.
        first: PathBuf,
        /// The repeat.
        second: PathBuf,
        /// Their checksum.
        sha256: String,
    },
}

/// A label for each wave file: its stem ("wave-1"), or, where two files share a stem,
/// the stem with its folder ("2025/wave"), or else the whole path, so that no two waves
/// share a label.
pub fn file_labels(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &PathBuf| {
        p.file_stem().map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().to_string())
    };
    let with_folder = |p: &PathBuf| match p.parent().and_then(|d| d.file_name()) {
        Some(d) => format!("{}/{}", d.to_string_lossy(), stem(p)),
        None => stem(p),
    };
    let repeated =
        |labels: &[String], i: usize| labels.iter().filter(|l| **l == labels[i]).count() > 1;
    let mut labels: Vec<String> = paths.iter().map(stem).collect();
    let first = labels.clone();
    for (i, p) in paths.iter().enumerate() {
        if repeated(&first, i) {
            labels[i] = with_folder(p);
        }
    }
    let second = labels.clone();
    for (i, p) in paths.iter().enumerate() {
        if repeated(&second, i) {
            labels[i] = p.display().to_string();
        }
    }
    labels
}

/// Tabulates one file per wave, labelled as [`file_labels`] says. The same file (or
/// two files with the same bytes) given twice is refused.
///
/// # Errors
/// [`WavesError`] for a refused file or a repeat.
pub fn waves_from_files(
    paths: &[PathBuf],
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, WavesError> {
    let labels = file_labels(paths);
    let mut waves: Vec<Wave> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let (table, load) = tabulate_file(p, codebook, options, None)?;
        if let Some(j) = waves.iter().position(|w| w.load.sha256 == load.sha256) {
            return Err(WavesError::SameData {
                first: paths[j].clone(),
                second: paths[i].clone(),
                sha256: load.sha256,
            });
        }
        let label = labels[i].clone();
        // Weighted comparisons across waves need one weight scale: the first wave's.
        let table = match waves.first() {
            Some(w) => table
                .rescaled(w.table.weight_scale)
                .map_err(|cause| WavesError::Weights { path: p.clone(), cause })?,
            None => table,
        };
        waves.push(Wave { label, load, table });
    }
    Ok(waves)
}

/// Tabulates one file with a wave column into one table per wave, in wave order
/// (numeric when every label is a number, otherwise by first appearance). Rows excluded
/// (no group value) are booked to their own wave.
///
/// # Errors
/// [`LoadError`] for a refused file.
pub fn waves_from_column(
    path: &Path,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, LoadError> {
    let pairs = codebook.paired_questions();
    let weights =
        crate::data::weighting::weigh(path, codebook, |each| load(path, codebook, options, each))?
            .unwrap_or_default();
    let mut labels: Vec<String> = Vec::new();
    let mut tables: Vec<CountTable> = Vec::new();
    let mut scratch = crate::data::Response::default();
    let summary = load(path, codebook, options, |r: &crate::data::Response| {
        let label = r.wave.as_deref().unwrap_or_default();
        let i = match labels.iter().position(|l| *l == label) {
            Some(i) => i,
            None => {
                let mut table = CountTable::new(codebook, &pairs);
                if let Some((_, w)) = weights.iter().find(|(l, _)| l == label) {
                    table.calibrate(codebook, w);
                }
                labels.push(label.to_string());
                tables.push(table);
                labels.len() - 1
            }
        };
        match weights.iter().find(|(l, _)| *l == labels[i]) {
            Some((_, w)) => {
                w.apply(r, &mut scratch);
                tables[i].add(&scratch);
            }
            None => tables[i].add(r),
        }
    })?;
    for label in summary.excluded_by_wave.keys() {
        if !labels.contains(label) {
            labels.push(label.clone());
            tables.push(CountTable::new(codebook, &pairs));
        }
    }
    let mut waves: Vec<Wave> = labels
        .into_iter()
        .zip(tables)
        .map(|(label, mut table)| {
            table.weight_scale = summary.weight_scale;
            let excluded = summary.excluded_by_wave.get(&label).cloned().unwrap_or_default();
            let excluded_rows: u64 = excluded.values().sum();
            let load = LoadSummary {
                file: format!("{} (wave {label})", path.display()),
                rows_read: table.total() + excluded_rows,
                rows_used: table.total(),
                excluded,
                missing_answers: codebook
                    .questions
                    .iter()
                    .zip(&table.questions)
                    .map(|(q, c)| (q.id.clone(), c.missing.iter().sum()))
                    .collect(),
                sha256: summary.sha256.clone(),
                weight_scale: summary.weight_scale,
                weighting: weights
                    .iter()
                    .filter(|(l, _)| *l == label)
                    .map(|(_, w)| w.summary.clone())
                    .collect(),
                ..LoadSummary::default()
            };
            Wave { label, load, table }
        })
        .collect();
    let numeric: Option<Vec<f64>> = waves.iter().map(|w| w.label.parse::<f64>().ok()).collect();
    if let Some(keys) = numeric {
        let mut keyed: Vec<(f64, Wave)> = keys.into_iter().zip(waves).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        waves = keyed.into_iter().map(|(_, w)| w).collect();
    }
    if summary.zero_weights > 0
        && let Some(first) = waves.first_mut()
    {
        first.load.warnings.push(format!(
            "{} respondent(s) of {} have weight 0: counted in unweighted results, contributing nothing to weighted ones",
            summary.zero_weights,
            path.display()
        ));
    }
    Ok(waves)
}

#[cfg(test)]
mod tests {
    use super::file_labels;
    use std::path::PathBuf;

    #[test]
    fn wave_labels_are_unique() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(file_labels(&[p("d/wave-1.csv"), p("d/wave-2.csv")]), ["wave-1", "wave-2"]);
        assert_eq!(
            file_labels(&[p("2025/w.csv"), p("2026/w.csv"), p("x.csv")]),
            ["2025/w", "2026/w", "x"]
        );
        assert_eq!(file_labels(&[p("a/d/w.csv"), p("b/d/w.csv")]), ["a/d/w.csv", "b/d/w.csv"]);
    }
}
