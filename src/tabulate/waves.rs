//! Splitting responses into survey waves: one file per wave, or one file with the
//! codebook's wave column; each wave a count table of its own, on one weight scale.

use super::CountTable;
use super::data_set::{DataSet, ResponsesFile};
use super::design::{StratumLinks, stacks_element_strata};
use crate::codebook::Codebook;
use crate::data::weight::WeightScale;
use crate::data::{LoadError, LoadOptions, LoadSummary, Response};
use ndarray::Array4;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// The respondents it shares with the previous wave (a panel), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelLink>,
}

/// The respondents a wave shares with the previous one (matched by id), for changes
/// that take the within-respondent covariance into account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelLink {
    /// Respondents in this wave and in the previous one.
    pub overlap: u64,
    /// Distinct respondents over all the waves (the PSUs of the waves stacked with the
    /// respondents as clusters).
    pub respondents: u64,
    /// Per question, over the shared respondents, the sums of their weight in this wave
    /// times their weight in the previous one, per `[row now, group now, row before,
    /// group before]` (the rows being the options, then "not answered"). `None` under
    /// a declared design or weighting.
    #[serde(skip)]
    pub joint: Option<Vec<Array4<f64>>>,
    /// Under a declared design of respondents in strata (no clusters, no replicate
    /// weights, no weighting): the same sums per stratum, with the respondents per
    /// stratum over all the waves. `None` otherwise.
    #[serde(skip)]
    pub strata: Option<StratumLinks>,
}

/// One respondent of a wave, as the panel needs it.
struct PanelRecord {
    group: usize,
    /// Index of its stratum (0 without strata).
    stratum: usize,
    weight: f64,
    answers: Vec<u16>,
}

impl PanelRecord {
    const NOT_ANSWERED: u16 = u16::MAX;

    fn of(r: &Response, stratum: usize, from: WeightScale, to: WeightScale) -> Self {
        PanelRecord {
            group: r.group,
            stratum,
            weight: from.convert(r.weight, to, 1).unwrap_or(0.0),
            answers: r
                .answers
                .iter()
                .map(|a| a.map_or(Self::NOT_ANSWERED, |o| u16::try_from(o).unwrap_or(u16::MAX)))
                .collect(),
        }
    }
}

/// Whether the waves' changes can use the within-respondent covariance: a one-stage
/// design (weights only), without a declared design or weighting.
fn panel_design(codebook: &Codebook) -> bool {
    codebook.design.is_none() && codebook.weighting.is_none()
}

/// Links each wave to the previous one: `ids` holds each wave's respondent ids, and
/// `read(i, each)` reads wave `i` again, calling `each` for its respondents.
fn link_waves(
    codebook: &Codebook,
    waves: &mut [Wave],
    ids: &[HashSet<u64>],
    mut read: impl FnMut(usize, &mut dyn FnMut(&Response)) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let overlaps: Vec<u64> = (1..ids.len())
        .map(|i| {
            let (a, b) = (&ids[i], &ids[i - 1]);
            let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            small.iter().filter(|h| large.contains(h)).count() as u64
        })
        .collect();
    if overlaps.iter().all(|&o| o == 0) {
        return Ok(());
    }
    let mut all: HashSet<u64> = HashSet::new();
    for s in ids {
        all.extend(s.iter().copied());
    }
    let respondents = all.len() as u64;
    let to = waves.first().map(|w| w.table.weight_scale).unwrap_or_default();
    let by_stratum = stacks_element_strata(codebook);
    // Per wave, the records of its respondents in a neighbouring wave.
    let mut records: Vec<HashMap<u64, PanelRecord>> = Vec::new();
    // Under strata of respondents: the strata by code, the respondents per stratum
    // over all the waves, and the strata of every respondent in more than one wave.
    let mut strata: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut units: Vec<u64> = Vec::new();
    let mut seen_in: HashMap<u64, Vec<usize>> = HashMap::new();
    if panel_design(codebook) || by_stratum {
        for i in 0..waves.len() {
            let neighbour = |h: &u64| {
                (i > 0 && ids[i - 1].contains(h)) || ids.get(i + 1).is_some_and(|s| s.contains(h))
            };
            let elsewhere = |h: &u64| ids.iter().enumerate().any(|(j, s)| j != i && s.contains(h));
            let from = waves[i].load.weight_scale;
            let mut kept: HashMap<u64, PanelRecord> = HashMap::new();
            read(i, &mut |r: &Response| {
                let stratum = if by_stratum {
                    let code = &r.design.stratum;
                    let k = match index.get(code) {
                        Some(&k) => k,
                        None => {
                            index.insert(code.clone(), strata.len());
                            strata.push(code.clone());
                            units.push(0);
                            strata.len() - 1
                        }
                    };
                    units[k] += 1;
                    if elsewhere(&r.id) {
                        seen_in.entry(r.id).or_default().push(k);
                    }
                    k
                } else {
                    0
                };
                if neighbour(&r.id) {
                    kept.insert(r.id, PanelRecord::of(r, stratum, from, to));
                }
            })?;
            records.push(kept);
        }
    }
    // A respondent in one stratum in several waves is one PSU of the stacked waves (in
    // different strata, one in each).
    for mut ks in seen_in.into_values() {
        ks.sort_unstable();
        for pair in ks.windows(2) {
            if pair[0] == pair[1] {
                units[pair[0]] -= 1;
            }
        }
    }
    let sizes: Vec<usize> = codebook.questions.iter().map(|q| q.options.len() + 1).collect();
    let groups = codebook.grouping.levels.len();
    let zeros = || -> Vec<Array4<f64>> {
        sizes.iter().map(|&n| Array4::zeros((n, groups, n, groups))).collect()
    };
    for i in 1..waves.len() {
        // Per stratum, its joint sums (kept only for strata with a shared respondent;
        // without strata, always).
        let mut joints: Vec<Option<Vec<Array4<f64>>>> = Vec::new();
        if !records.is_empty() {
            joints = vec![None; strata.len().max(1)];
            if !by_stratum {
                joints[0] = Some(zeros());
            }
            for (h, now) in &records[i] {
                let Some(before) = records[i - 1].get(h) else { continue };
                if now.stratum != before.stratum {
                    continue;
                }
                let w = now.weight * before.weight;
                let sums = joints[now.stratum].get_or_insert_with(zeros);
                for (q, j) in sums.iter_mut().enumerate() {
                    let row = |a: u16| {
                        if a == PanelRecord::NOT_ANSWERED { sizes[q] - 1 } else { usize::from(a) }
                    };
                    j[[row(now.answers[q]), now.group, row(before.answers[q]), before.group]] += w;
                }
            }
        }
        let (joint, strata) = if by_stratum {
            let links = StratumLinks {
                units: strata.iter().cloned().zip(units.iter().copied()).collect(),
                joints: strata
                    .iter()
                    .cloned()
                    .zip(joints)
                    .filter_map(|(code, j)| Some((code, j?)))
                    .collect::<BTreeMap<_, _>>(),
            };
            (None, Some(links))
        } else {
            (joints.pop().flatten(), None)
        };
        waves[i].panel = Some(PanelLink { overlap: overlaps[i - 1], respondents, joint, strata });
    }
    Ok(())
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
    let files: Vec<ResponsesFile> = paths.iter().cloned().map(ResponsesFile).collect();
    let sets: Vec<&dyn DataSet> = files.iter().map(|f| f as &dyn DataSet).collect();
    waves_from_sets(&sets, &file_labels(paths), codebook, options)
}

/// Tabulates one data set per wave under the labels given (one each). The same data
/// (by checksum) given twice is refused.
///
/// # Errors
/// [`WavesError`] for a refused data set or a repeat.
pub fn waves_from_sets(
    sets: &[&dyn DataSet],
    labels: &[String],
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, WavesError> {
    let mut waves: Vec<Wave> = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let (table, load) = set.tabulate(codebook, options)?;
        if let Some(j) = waves.iter().position(|w| w.load.sha256 == load.sha256) {
            return Err(WavesError::SameData {
                first: sets[j].name().to_path_buf(),
                second: set.name().to_path_buf(),
                sha256: load.sha256,
            });
        }
        let label = labels.get(i).cloned().unwrap_or_else(|| (i + 1).to_string());
        // Weighted comparisons across waves need one weight scale: the first wave's.
        let table = match waves.first() {
            Some(w) => table
                .rescaled(w.table.weight_scale)
                .map_err(|cause| WavesError::Weights { path: set.name().to_path_buf(), cause })?,
            None => table,
        };
        waves.push(Wave { label, load, table, panel: None });
    }
    // A respondent's id in several waves: a panel.
    let mut ids: Vec<HashSet<u64>> = Vec::new();
    for set in sets {
        let mut seen = HashSet::new();
        set.load(codebook, options, &mut |r| {
            seen.insert(r.id);
        })?;
        ids.push(seen);
    }
    link_waves(codebook, &mut waves, &ids, |i, each| {
        sets[i].load(codebook, options, each).map(|_| ())
    })?;
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
    waves_from_column_of(&ResponsesFile(path.to_path_buf()), codebook, options)
}

/// As [`waves_from_column`] for any [`DataSet`].
///
/// # Errors
/// [`LoadError`] for a refused data set.
pub fn waves_from_column_of(
    set: &dyn DataSet,
    codebook: &Codebook,
    options: LoadOptions,
) -> Result<Vec<Wave>, LoadError> {
    let path = set.name();
    let pairs = codebook.paired_questions();
    let weights =
        crate::data::weighting::weigh(path, codebook, |each| set.load(codebook, options, each))?
            .unwrap_or_default();
    let mut labels: Vec<String> = Vec::new();
    let mut tables: Vec<CountTable> = Vec::new();
    let mut scratch = crate::data::Response::default();
    let mut ids: Vec<HashSet<u64>> = Vec::new();
    let summary = set.load(codebook, options, &mut |r: &crate::data::Response| {
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
                ids.push(HashSet::new());
                labels.len() - 1
            }
        };
        ids[i].insert(r.id);
        match weights.iter().find(|(l, _)| *l == labels[i]) {
            Some((_, w)) => {
                w.apply(r, &mut scratch);
                tables[i].add(&scratch);
            }
            None => tables[i].add(r),
        }
    })?;
    let labels_seen = labels.clone();
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
            Wave { label, load, table, panel: None }
        })
        .collect();
    let numeric: Option<Vec<f64>> = waves.iter().map(|w| w.label.parse::<f64>().ok()).collect();
    if let Some(keys) = numeric {
        let mut keyed: Vec<(f64, Wave)> = keys.into_iter().zip(waves).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        waves = keyed.into_iter().map(|(_, w)| w).collect();
    }
    let mut by_label: HashMap<&str, HashSet<u64>> =
        labels_seen.iter().map(String::as_str).zip(ids).collect();
    let ids: Vec<HashSet<u64>> =
        waves.iter().map(|w| by_label.remove(w.label.as_str()).unwrap_or_default()).collect();
    let wave_labels: Vec<String> = waves.iter().map(|w| w.label.clone()).collect();
    link_waves(codebook, &mut waves, &ids, |i, each| {
        let label = &wave_labels[i];
        set.load(codebook, options, &mut |r| {
            if r.wave.as_deref().unwrap_or_default() == label {
                each(r);
            }
        })?;
        Ok(())
    })?;
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
