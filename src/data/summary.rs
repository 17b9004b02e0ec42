//! What a load read, used and excluded, and what the analysis should be warned of.

use serde::Serialize;
use std::collections::BTreeMap;

/// What a load read, used and excluded.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoadSummary {
    /// The file (or files, for merged count tables).
    pub file: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows passed on to the analysis.
    pub rows_used: u64,
    /// Rows excluded, by reason.
    pub excluded: BTreeMap<String, u64>,
    /// Missing answers (item non-response) per question.
    pub missing_answers: BTreeMap<String, u64>,
    /// Respondents whose weight is 0: they are counted in unweighted results and
    /// contribute nothing to weighted ones.
    pub zero_weights: u64,
    /// What the reader of the results should know: questions nobody answered, groups
    /// below the minimum base, zero weights.
    pub warnings: Vec<String>,
    /// Columns of the file the codebook does not use: ignored (left out of the JSON
    /// when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Rows excluded, by wave and reason (files with a wave column).
    #[serde(skip)]
    pub excluded_by_wave: BTreeMap<String, BTreeMap<String, u64>>,
    /// What the codebook's `[weighting]` did (per wave, for a file with a wave column;
    /// left out of the JSON without weighting).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weighting: Vec<crate::data::weighting::WeightingSummary>,
    /// The scale the weights were stored under (see [`crate::data::weight`]).
    #[serde(skip)]
    pub weight_scale: crate::data::weight::WeightScale,
}

impl LoadSummary {
    /// Adds the counts of another part of the same input (the other half of a file read
    /// on two threads, another shard). File name, checksum and weight scale stay.
    pub fn absorb(&mut self, other: &LoadSummary) {
        self.rows_read = self.rows_read.saturating_add(other.rows_read);
        self.rows_used = self.rows_used.saturating_add(other.rows_used);
        self.zero_weights = self.zero_weights.saturating_add(other.zero_weights);
        add_counts(&mut self.excluded, &other.excluded);
        add_counts(&mut self.missing_answers, &other.missing_answers);
        for (wave, reasons) in &other.excluded_by_wave {
            add_counts(self.excluded_by_wave.entry(wave.clone()).or_default(), reasons);
        }
        for c in &other.ignored_columns {
            if !self.ignored_columns.contains(c) {
                self.ignored_columns.push(c.clone());
            }
        }
        for w in &other.warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
    }

    /// Rows excluded in all.
    pub fn rows_excluded(&self) -> u64 {
        self.excluded.values().fold(0u64, |t, n| t.saturating_add(*n))
    }
}

fn add_counts(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, n) in from {
        let e = into.entry(k.clone()).or_insert(0);
        *e = e.saturating_add(*n);
    }
}
