//! Adjusting many p-values for multiple testing, as R `p.adjust` does.

use super::StatsError;
use serde::Serialize;

/// A p-value adjustment. Names and results follow R `p.adjust` (equal to statsmodels
/// `multipletests` for the same methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Adjustment {
    /// Bonferroni: `min(1, m p)`. Controls the family-wise error rate.
    Bonferroni,
    /// Holm's step-down (1979): uniformly more powerful than Bonferroni, same guarantee.
    Holm,
    /// Hochberg's step-up (1988): valid under independence or positive dependence.
    Hochberg,
    /// Benjamini-Hochberg (1995) false discovery rate.
    #[doc(alias = "fdr")]
    Bh,
    /// Benjamini-Yekutieli (2001) false discovery rate under any dependence.
    By,
}

impl Adjustment {
    /// Every method.
    pub const ALL: [Adjustment; 5] = [
        Adjustment::Bonferroni,
        Adjustment::Holm,
        Adjustment::Hochberg,
        Adjustment::Bh,
        Adjustment::By,
    ];

    /// The name used by R `p.adjust` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Adjustment::Bonferroni => "bonferroni",
            Adjustment::Holm => "holm",
            Adjustment::Hochberg => "hochberg",
            Adjustment::Bh => "bh",
            Adjustment::By => "by",
        }
    }

    /// The name as reports print it (`Holm`, `Benjamini-Hochberg`).
    pub fn display_name(self) -> &'static str {
        match self {
            Adjustment::Bonferroni => "Bonferroni",
            Adjustment::Holm => "Holm",
            Adjustment::Hochberg => "Hochberg",
            Adjustment::Bh => "Benjamini-Hochberg",
            Adjustment::By => "Benjamini-Yekutieli",
        }
    }

    /// Parses a method name (case-insensitive; `fdr` is accepted for `bh`).
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower == "fdr" {
            return Some(Adjustment::Bh);
        }
        Self::ALL.into_iter().find(|m| m.name() == lower)
    }
}

/// Adjusted p-values in the input order. Matches R `p.adjust(p, method)`.
///
/// # Errors
/// [`StatsError::InvalidPValue`] for a NaN or a value outside `[0, 1]`.
pub fn adjust(p: &[f64], method: Adjustment) -> Result<Vec<f64>, StatsError> {
    for (index, &value) in p.iter().enumerate() {
        if !(0.0..=1.0).contains(&value) {
            return Err(StatsError::InvalidPValue { index: index + 1, value });
        }
    }
    let m = p.len();
    if m == 0 {
        return Ok(Vec::new());
    }
    let mf = m as f64;
    let mut order: Vec<usize> = (0..m).collect();
    let mut out = vec![0.0; m];
    match method {
        Adjustment::Bonferroni => {
            return Ok(p.iter().map(|v| (v * mf).min(1.0)).collect());
        }
        Adjustment::Holm => {
            // ascending; running max of (m - i) p_(i), i from 0
            order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
            let mut running: f64 = 0.0;
            for (i, &idx) in order.iter().enumerate() {
                running = running.max((mf - i as f64) * p[idx]);
                out[idx] = running.min(1.0);
            }
        }
        Adjustment::Hochberg | Adjustment::Bh | Adjustment::By => {
            // descending; running min over rank i = m..1
            order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
            let q: f64 =
                if method == Adjustment::By { (1..=m).map(|k| 1.0 / k as f64).sum() } else { 1.0 };
            let mut running = f64::INFINITY;
            for (pos, &idx) in order.iter().enumerate() {
                let rank = (m - pos) as f64;
                let value = match method {
                    Adjustment::Hochberg => (mf - rank + 1.0) * p[idx],
                    _ => q * mf / rank * p[idx],
                };
                running = running.min(value);
                out[idx] = running.min(1.0);
            }
        }
    }
    Ok(out)
}
