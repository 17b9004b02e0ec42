//! Multiple marginal independence (MMI) between a single-response variable (the groups)
//! and a multiple-response question, after Bilder, Loughin and Nettleton (2000) and
//! Bilder and Loughin (2004): the modified Pearson statistic `X²_S`, the sum of the
//! Pearson statistics of each answer's `groups x (ticked, not ticked)` table, which is
//! not chi-square distributed because one respondent may tick several answers; its
//! second-order Rao-Scott adjustment; and the Bonferroni-adjusted per-answer tests.
//!
//! Matches R MRCV `MI.test(data, I = 1, J = c, type = "rs2")` and `type = "bon"`
//! (checked against MRCV 0.3-3 in `tests/golden/mrcv.json`), computed from counts alone:
//! respondents per group, each answer's ticks per group and each two answers' joint
//! ticks per group are sufficient, since the adjustment needs only the within-group
//! covariances of the answers. Where MRCV returns `NA` (an answer nobody, or everybody,
//! ticked, whose table has an empty column) that answer is left out of all three
//! statistics, and said so ([`MarginalIndependence::answers_used`]); MRCV's p-values
//! are `1 - pchisq`, which reach 0 below about 1e-16, where these are the upper tails
//! themselves.

use super::special::chi2_ln_sf;

/// What MRCV adds to a zero cell of an answer's table before its Pearson statistic
/// (`add.constant = 0.5`; the Rao-Scott adjustment uses the counts as they are).
pub const ZERO_CELL: f64 = 0.5;

/// The test of multiple marginal independence of one multi-response question.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MarginalIndependence {
    /// Groups with respondents (`r`).
    pub groups: usize,
    /// Whether each answer entered the test (its table has both columns non-empty).
    pub answers_used: Vec<bool>,
    /// Each answer's Pearson statistic on `r - 1` degrees of freedom (`None`: left out).
    pub x2_answers: Vec<Option<f64>>,
    /// `X²_S`, their sum.
    pub x2_s: f64,
    /// The second-order Rao-Scott statistic `(r - 1) c X²_S / S`.
    pub rao_scott: f64,
    /// Its degrees of freedom, `(r - 1)² c² / S`.
    pub rao_scott_df: f64,
    /// Its p-value.
    pub rao_scott_p: f64,
    /// Each answer's Bonferroni-adjusted p-value, `min(c p_j, 1)` (`None`: left out).
    pub bonferroni_answers: Vec<Option<f64>>,
    /// The Bonferroni test of MMI: the smallest adjusted p-value.
    pub bonferroni_p: f64,
}

/// The MMI test from counts: `n[i]` respondents answering in group `i`, `ticked[i][j]`
/// of them ticking answer `j`, and `both[i][j][k]` ticking answers `j` and `k`
/// (`both[i][j][j] = ticked[i][j]`). Groups without respondents are left out; `None`
/// when fewer than two groups or no answer remains.
///
/// # Examples
/// ```
/// use invitestat::stats::multi_response::marginal_independence;
/// // Two groups of 50 and two answers, the second ticked with the first.
/// let n = [50, 50];
/// let ticked = [vec![30, 20], vec![20, 10]];
/// let both = [vec![vec![30, 20], vec![20, 20]], vec![vec![20, 10], vec![10, 10]]];
/// let t = marginal_independence(&n, &ticked, &both).ok_or("no test")?;
/// assert!((t.x2_s - (4.0 + 100.0 / 21.0)).abs() < 1e-12);
/// assert!(t.rao_scott_p > 0.0 && t.rao_scott_p < 1.0);
/// # Ok::<(), &str>(())
/// ```
pub fn marginal_independence(
    n: &[u64],
    ticked: &[Vec<u64>],
    both: &[Vec<Vec<u64>>],
) -> Option<MarginalIndependence> {
    let groups: Vec<usize> = (0..n.len()).filter(|&i| n[i] > 0).collect();
    let r = groups.len();
    let c_all = ticked.first().map_or(0, Vec::len);
    let total: u64 = groups.iter().map(|&i| n[i]).sum();
    let column: Vec<u64> = (0..c_all).map(|j| groups.iter().map(|&i| ticked[i][j]).sum()).collect();
    let answers_used: Vec<bool> = column.iter().map(|&t| t > 0 && t < total).collect();
    let used: Vec<usize> = (0..c_all).filter(|&j| answers_used[j]).collect();
    let c = used.len();
    if r < 2 || c == 0 {
        return None;
    }
    let df = (r - 1) as f64;
    // Each answer's Pearson statistic, zero cells raised to ZERO_CELL.
    let mut x2_answers = vec![None; c_all];
    for &j in &used {
        let cells: Vec<[f64; 2]> = groups
            .iter()
            .map(|&i| {
                let yes = ticked[i][j] as f64;
                let no = (n[i] - ticked[i][j]) as f64;
                [if yes == 0.0 { ZERO_CELL } else { yes }, if no == 0.0 { ZERO_CELL } else { no }]
            })
            .collect();
        let rows: Vec<f64> = cells.iter().map(|c| c[0] + c[1]).collect();
        let cols = [cells.iter().map(|c| c[0]).sum::<f64>(), cells.iter().map(|c| c[1]).sum()];
        let all: f64 = rows.iter().sum();
        let mut x2 = 0.0;
        for (cell, row) in cells.iter().zip(&rows) {
            for (o, col) in cell.iter().zip(cols) {
                let e = row * col / all;
                x2 += (o - e) * (o - e) / e;
            }
        }
        x2_answers[j] = Some(x2);
    }
    let x2_s: f64 = x2_answers.iter().flatten().sum();
    // The adjustment: S = trace(M²), M = D⁻¹ H V H', from the within-group covariances
    // C_i of the used answers (block (i, k) of H V H' is δ_ik C_i / a_i - C_i - C_k + W,
    // W = Σ_m a_m C_m; D = diag(v_j / a_i), v_j the pooled share's p(1 - p)).
    let nt = total as f64;
    let a: Vec<f64> = groups.iter().map(|&i| n[i] as f64 / nt).collect();
    let cov: Vec<Vec<Vec<f64>>> = groups
        .iter()
        .map(|&i| {
            let ni = n[i] as f64;
            used.iter()
                .map(|&j| {
                    used.iter()
                        .map(|&k| {
                            both[i][j][k] as f64 / ni
                                - (ticked[i][j] as f64 / ni) * (ticked[i][k] as f64 / ni)
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let w: Vec<Vec<f64>> = (0..c)
        .map(|j| (0..c).map(|k| (0..r).map(|m| a[m] * cov[m][j][k]).sum()).collect())
        .collect();
    let v: Vec<f64> = used
        .iter()
        .map(|&j| {
            let p = column[j] as f64 / nt;
            p * (1.0 - p)
        })
        .collect();
    let mut s = 0.0;
    for i in 0..r {
        for k in 0..r {
            for j in 0..c {
                for l in 0..c {
                    let own = if i == k { cov[i][j][l] / a[i] } else { 0.0 };
                    let b = own - cov[i][j][l] - cov[k][j][l] + w[j][l];
                    s += b * b * a[i] * a[k] / (v[j] * v[l]);
                }
            }
        }
    }
    let rc = df * c as f64;
    let rao_scott = rc * x2_s / s;
    let rao_scott_df = rc * rc / s;
    let rao_scott_p = chi2_ln_sf(rao_scott, rao_scott_df).exp();
    let bonferroni_answers: Vec<Option<f64>> = x2_answers
        .iter()
        .map(|x| x.map(|x| (c as f64 * chi2_ln_sf(x, df).exp()).min(1.0)))
        .collect();
    let bonferroni_p = bonferroni_answers.iter().flatten().copied().fold(1.0, f64::min);
    Some(MarginalIndependence {
        groups: r,
        answers_used,
        x2_answers,
        x2_s,
        rao_scott,
        rao_scott_df,
        rao_scott_p,
        bonferroni_answers,
        bonferroni_p,
    })
}
