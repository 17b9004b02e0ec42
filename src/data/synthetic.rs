//! Synthetic survey waves for demonstrations, notebooks and benchmarks.
//!
//! Answers are drawn independently per question from shares chosen per group (seeded
//! ChaCha8, so a seed always gives the same file), with a share of missing answers and,
//! optionally, weights. The generated file is a CSV with the codebook's columns.
//!
//! A codebook with a `[design]` gets its design's columns ([`Layout`]: 4 strata and 8
//! clusters in each unless told otherwise): strata `s1`, `s2`, ... and clusters `c1`,
//! `c2`, ... in each (codes nested in strata), each respondent's stratum and cluster
//! drawn uniformly; an fpc column holds five times the clusters per stratum. Within a
//! cluster, each answer is the cluster's own (drawn once per cluster from the first
//! group's shares) with probability [`CLUSTER_EFFECT`], so that clusters resemble
//! themselves as real ones do. Replicate weights are Rao and Wu's bootstrap of those
//! clusters: per replicate and stratum, `n_h - 1` of its `n_h` clusters drawn with
//! replacement, each respondent's weight times its cluster's draws times `n_h / (n_h -
//! 1)`. A `[weighting]` variable read from a column of its own gets its codes with
//! probabilities 1 : 2 : 3 : ..., so that the sample's margins differ from even ones.

use crate::codebook::{Codebook, Coding, Source};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// The probability that an answer is the cluster's own.
pub const CLUSTER_EFFECT: f64 = 0.2;

/// The strata and clusters a wave's design is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Strata.
    pub strata: usize,
    /// Clusters in each stratum (at least 2 for replicate weights).
    pub clusters: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout { strata: 4, clusters: 8 }
    }
}

/// How a synthetic wave is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSpec {
    /// Respondents.
    pub rows: u64,
    /// Seed.
    pub seed: u64,
    /// Probability that an answer is missing.
    pub missing: f64,
    /// Probability of each group level, in codebook order (normalised).
    pub group_shares: Vec<f64>,
    /// Wave label written to the wave column, if the codebook has one.
    pub wave: String,
    /// Seed of the per-group answer shares (the same across waves of one panel design;
    /// `seed` then only decides the respondents).
    pub shares_seed: u64,
    /// Multiplies the raw weight of each question's first option by `1 + trend` before
    /// normalising, so successive waves can drift.
    pub trend: f64,
}

/// A [`WaveSpec`] that cannot be drawn for its codebook.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    /// Not one finite, non-negative share per group, or all of them 0.
    #[error("the group shares need {groups} finite numbers >= 0, not all 0 (got {given})")]
    GroupShares {
        /// Groups in the codebook.
        groups: usize,
        /// The shares given, as text.
        given: String,
    },
    /// A probability of a missing answer outside [0, 1).
    #[error("the share of missing answers must be in [0, 1) (got {0})")]
    Missing(f64),
    /// A trend at or below -1 (the first option would get no weight) or above 1e6.
    #[error("the trend must be above -1 and at most 1e6 (got {0})")]
    Trend(f64),
    /// Fewer than one stratum, or fewer than two clusters per stratum.
    #[error(
        "{strata} strata of {clusters} clusters cannot be drawn; expected at least 1 stratum and 2 clusters in each, at most 1,000,000 clusters"
    )]
    Layout {
        /// Strata asked for.
        strata: usize,
        /// Clusters per stratum asked for.
        clusters: usize,
    },
}

impl WaveSpec {
    /// Whether the spec can be drawn for `codebook`.
    ///
    /// # Errors
    /// [`SpecError`] naming what is out of range.
    pub fn check(&self, codebook: &Codebook) -> Result<(), SpecError> {
        let s = &self.group_shares;
        if s.len() != codebook.grouping.levels.len()
            || s.iter().any(|v| !v.is_finite() || *v < 0.0)
            || !(s.iter().sum::<f64>() > 0.0 && s.iter().sum::<f64>().is_finite())
        {
            return Err(SpecError::GroupShares {
                groups: codebook.grouping.levels.len(),
                given: s.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
            });
        }
        if !(0.0..1.0).contains(&self.missing) {
            return Err(SpecError::Missing(self.missing));
        }
        if !(self.trend.is_finite() && self.trend > -1.0 && self.trend <= 1e6) {
            return Err(SpecError::Trend(self.trend));
        }
        let _ = codebook;
        Ok(())
    }
}

/// Draws a wave as CSV text (see [`write_wave`]).
///
/// # Errors
/// [`SpecError`] when the spec cannot be drawn ([`WaveSpec::check`]).
pub fn generate_wave(codebook: &Codebook, spec: &WaveSpec) -> Result<String, SpecError> {
    spec.check(codebook)?;
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every cell is UTF-8.
    let _ = write_wave(codebook, spec, &mut out);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Draws a wave and writes it as CSV, row by row (memory does not grow with the rows).
/// Per group and question, option shares are drawn from `shares_seed` (uniform weights,
/// normalised, the first option scaled by `1 + trend`), then every respondent's answer
/// from them with `seed`. Weights, when the codebook has a weight column, are uniform
/// on 0.25..4.
///
/// # Errors
/// The writer's, or [`std::io::ErrorKind::InvalidInput`] wrapping a [`SpecError`] when
/// the spec cannot be drawn (checked before anything is written).
pub fn write_wave(
    codebook: &Codebook,
    spec: &WaveSpec,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_wave_with(codebook, spec, Layout::default(), out)
}

impl Layout {
    /// Whether the layout can be drawn.
    ///
    /// # Errors
    /// [`SpecError::Layout`].
    pub fn check(self) -> Result<(), SpecError> {
        if self.strata >= 1
            && self.clusters >= 2
            && self.strata.checked_mul(self.clusters).is_some_and(|n| n <= 1_000_000)
        {
            Ok(())
        } else {
            Err(SpecError::Layout { strata: self.strata, clusters: self.clusters })
        }
    }
}

/// [`write_wave`] with the design's strata and clusters drawn as `layout` says.
///
/// # Errors
/// As [`write_wave`], and for a layout that cannot be drawn.
pub fn write_wave_with(
    codebook: &Codebook,
    spec: &WaveSpec,
    layout: Layout,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let invalid = |e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    spec.check(codebook).map_err(invalid)?;
    layout.check().map_err(invalid)?;
    let (strata_n, clusters_n) = (layout.strata, layout.clusters);
    let mut shares_rng = ChaCha8Rng::seed_from_u64(spec.shares_seed);
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let levels = &codebook.grouping.levels;
    let total: f64 = spec.group_shares.iter().sum();
    // shares[group][question][option]
    let shares: Vec<Vec<Vec<f64>>> = levels
        .iter()
        .map(|_| {
            codebook
                .questions
                .iter()
                .map(|q| {
                    let raw: Vec<f64> = (0..q.options.len())
                        .map(|o| {
                            let scale = if o == 0 { 1.0 + spec.trend } else { 1.0 };
                            shares_rng.random_range(0.05..1.0) * scale
                        })
                        .collect();
                    let sum: f64 = raw.iter().sum();
                    raw.into_iter().map(|v| v / sum).collect()
                })
                .collect()
        })
        .collect();
    // Cells as CSV writes them (codes may hold commas or quotes).
    let cell = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let codes: Vec<Vec<String>> = codebook
        .questions
        .iter()
        .map(|q| q.options.iter().map(|o| cell(&o.code)).collect())
        .collect();
    let group_codes: Vec<String> = levels.iter().map(|l| cell(&l.code)).collect();
    let wave = cell(&spec.wave);
    let design = codebook.design.as_ref();
    let has_strata = design.is_some_and(|d| d.strata_column.is_some());
    let has_clusters = design.is_some_and(|d| d.cluster_column.is_some());
    let has_fpc = design.is_some_and(|d| d.fpc_column.is_some());
    let replicates = design.and_then(|d| d.replicates.as_ref()).map_or(0, |r| r.columns.len());
    let clustered = has_clusters || replicates > 0;
    // Per cluster (stratum-major), per question, the cluster's own answer.
    let cluster_count = if clustered { strata_n * clusters_n } else { 0 };
    let own: Vec<Vec<usize>> = (0..cluster_count)
        .map(|_| {
            codebook
                .questions
                .iter()
                .enumerate()
                .map(|(qi, q)| {
                    let mut u: f64 = shares_rng.random_range(0.0..1.0);
                    let mut o = 0;
                    while o + 1 < q.options.len() && u >= shares[0][qi][o] {
                        u -= shares[0][qi][o];
                        o += 1;
                    }
                    o
                })
                .collect()
        })
        .collect();
    // The weighting variables with a column of their own: codes and cumulative odds.
    let weighting_columns: Vec<(Vec<String>, f64)> = codebook
        .weighting
        .iter()
        .flat_map(|w| &w.variables)
        .filter(|v| v.source == crate::codebook::WeightingSource::Column)
        .map(|v| {
            let k = v.codes.len() as f64;
            (v.codes.iter().map(|c| cell(c)).collect(), k * (k + 1.0) / 2.0)
        })
        .collect();
    // Per replicate, per cluster, its bootstrap multiplier.
    let multipliers: Vec<Vec<f64>> = (0..replicates)
        .map(|_| {
            let mut m = vec![0.0; cluster_count];
            let scale = clusters_n as f64 / (clusters_n - 1) as f64;
            for h in 0..strata_n {
                for _ in 0..clusters_n - 1 {
                    m[h * clusters_n + shares_rng.random_range(0..clusters_n)] += scale;
                }
            }
            m
        })
        .collect();
    let mut line = codebook.columns().iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for i in 0..spec.rows {
        line.clear();
        let mut u = rng.random_range(0.0..total);
        let mut g = 0;
        while g + 1 < levels.len() && u >= spec.group_shares[g] {
            u -= spec.group_shares[g];
            g += 1;
        }
        line.push_str(&cell(&format!("{}-{}", spec.wave, i + 1)));
        line.push(',');
        line.push_str(&group_codes[g]);
        let mut weight = 1.0;
        if codebook.weight_column.is_some() {
            let text = format!("{:.4}", rng.random_range(0.25..4.0f64));
            weight = text.parse().unwrap_or(1.0);
            line.push(',');
            line.push_str(&text);
        }
        if codebook.wave_column.is_some() {
            line.push(',');
            line.push_str(&wave);
        }
        let stratum = if has_strata || clustered { rng.random_range(0..strata_n) } else { 0 };
        let cluster = if clustered { rng.random_range(0..clusters_n) } else { 0 };
        if has_strata {
            line.push_str(&format!(",s{}", stratum + 1));
        }
        if has_clusters {
            line.push_str(&format!(",c{}", cluster + 1));
        }
        if has_fpc {
            line.push_str(&format!(",{}", 5 * clusters_n));
        }
        for m in &multipliers {
            line.push_str(&format!(",{:.6}", weight * m[stratum * clusters_n + cluster]));
        }
        for (codes, total) in &weighting_columns {
            let mut u = rng.random_range(0.0..*total);
            let mut k = 0;
            while k + 1 < codes.len() && u >= (k + 1) as f64 {
                u -= (k + 1) as f64;
                k += 1;
            }
            line.push(',');
            line.push_str(&codes[k]);
        }
        let own = own.get(stratum * clusters_n + cluster);
        for (qi, q) in codebook.questions.iter().enumerate() {
            match &q.source {
                Source::Column => {}
                Source::Net { .. } | Source::SetNet { .. } => continue,
                Source::Answer { set, answer } => {
                    if *answer == 0 {
                        let missing = rng.random_bool(spec.missing);
                        write_set(&mut line, codebook, *set, g, &shares, missing, &mut rng, &cell);
                    }
                    continue;
                }
            }
            line.push(',');
            if rng.random_bool(spec.missing) {
                continue;
            }
            if let Some(own) = own
                && rng.random_bool(CLUSTER_EFFECT)
            {
                line.push_str(&codes[qi][own[qi]]);
                continue;
            }
            let mut u: f64 = rng.random_range(0.0..1.0);
            let mut o = 0;
            while o + 1 < q.options.len() && u >= shares[g][qi][o] {
                u -= shares[g][qi][o];
                o += 1;
            }
            line.push_str(&codes[qi][o]);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Writes the columns of multi-response question `set` for a respondent of group `g`:
/// each answer ticked with its yes share, all empty when `missing`.
#[allow(clippy::too_many_arguments)]
fn write_set(
    line: &mut String,
    codebook: &Codebook,
    set: usize,
    g: usize,
    shares: &[Vec<Vec<f64>>],
    missing: bool,
    rng: &mut ChaCha8Rng,
    cell: &dyn Fn(&str) -> String,
) {
    let s = &codebook.sets[set];
    let ticked: Vec<bool> = s
        .questions
        .iter()
        .map(|&qi| !missing && rng.random_bool(shares[g][qi][0].clamp(0.0, 1.0)))
        .collect();
    match &s.coding {
        Coding::Dichotomies { counted, not_counted } => {
            let no = not_counted.first().map_or("", String::as_str);
            for t in &ticked {
                line.push(',');
                if !missing {
                    line.push_str(&cell(if *t { counted } else { no }));
                }
            }
        }
        Coding::Categories { codes } => {
            let mut given = codes.iter().zip(&ticked).filter(|(_, t)| **t).map(|(c, _)| c);
            for _ in &s.columns {
                line.push(',');
                if let Some(code) = given.next() {
                    line.push_str(&cell(code));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_that_cannot_be_drawn_is_refused_before_anything_is_written() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/two-groups-example/codebook.toml");
        let codebook = Codebook::from_path(std::path::Path::new(path)).unwrap();
        let good = WaveSpec {
            rows: 5,
            seed: 1,
            missing: 0.0,
            group_shares: vec![0.5, 0.5],
            wave: "1".into(),
            shares_seed: 1,
            trend: 0.0,
        };
        assert_eq!(generate_wave(&codebook, &good).unwrap().lines().count(), 6);
        let bad = [
            WaveSpec { group_shares: vec![0.0, 0.0], ..good.clone() },
            WaveSpec { group_shares: vec![1.0], ..good.clone() },
            WaveSpec { group_shares: vec![f64::NAN, 1.0], ..good.clone() },
            WaveSpec { missing: 1.0, ..good.clone() },
            WaveSpec { trend: -1.0, ..good.clone() },
        ];
        for spec in bad {
            assert!(spec.check(&codebook).is_err(), "{spec:?}");
            let mut out = Vec::new();
            assert!(write_wave(&codebook, &spec, &mut out).is_err());
            assert!(out.is_empty());
        }
    }
}
