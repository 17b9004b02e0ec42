//! Tests of independence for a 2 x k table (a yes/no answer across k groups) and an
//! r x c table (answers x groups): Pearson's chi-square and the Fisher-Freeman-Halton
//! test, exact by enumeration or, for tables too large to enumerate, by seeded Monte
//! Carlo.

use super::discrete::{Hypergeometric, Unimodal};
use super::special::{chi2_ln_sf, ln_add_exp, ln_gamma};
use super::{Maybe, PValue, Proportion, TestResult, Undefined};

/// The largest number of tables the exact test enumerates.
pub const MAX_EXACT_TABLES: u64 = 5_000_000;

/// Pearson chi-square test of independence on a 2 x k table (successes and failures
/// of each group), `(k - 1)` degrees of freedom. Matches R `chisq.test(matrix)` (no
/// correction is applied beyond 2 x 2).
///
/// # Errors
/// Undefined when no group varies from the others' total (a zero margin).
pub fn chi_square(groups: &[Proportion]) -> Maybe<TestResult> {
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let successes: u64 = groups.iter().map(|g| g.successes).sum();
    if successes == 0 || successes == total {
        return Err(Undefined::NoVariation);
    }
    let (t, s) = (total as f64, successes as f64);
    let mut stat = 0.0;
    for g in groups {
        let n = g.n as f64;
        for (obs, col) in [(g.successes as f64, s), ((g.n - g.successes) as f64, t - s)] {
            let e = n * col / t;
            stat += (obs - e).powi(2) / e;
        }
    }
    let df = (groups.len() - 1) as f64;
    Ok(TestResult { statistic: Some(stat), p_value: PValue::from_ln(chi2_ln_sf(stat, df)) })
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Exact Fisher-Freeman-Halton test on a 2 x k table: the probability, given both
/// margins, of every table at most `1 + 1e-7` times as likely as the observed one.
/// Matches R `fisher.test(matrix)`. With two groups this is Fisher's exact test, summed
/// from the hypergeometric distribution at any sample size. The tables are enumerated
/// over the rarer answer (the test is the same with the answers swapped), so a rare
/// answer stays exact however many respond.
///
/// # Errors
/// [`Undefined::TooLarge`] beyond [`MAX_EXACT_TABLES`] tables (three or more groups).
pub fn fisher_freeman_halton(groups: &[Proportion]) -> Maybe<TestResult> {
    if let [first, second] = groups {
        let pair = super::TwoGroups { first: *first, second: *second };
        return Ok(super::fisher::fisher_exact(&pair, super::Alternative::TwoSided));
    }
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let flipped: Vec<Proportion>;
    let groups = if 2 * groups.iter().map(|g| g.successes).sum::<u64>() > total {
        flipped =
            groups.iter().map(|g| Proportion { successes: g.n - g.successes, n: g.n }).collect();
        &flipped
    } else {
        groups
    };
    let successes: u64 = groups.iter().map(|g| g.successes).sum();
    // Every group but the last takes 0 to min(n_j, successes); the last is determined.
    let tables: u64 = groups[..groups.len().saturating_sub(1)]
        .iter()
        .fold(1u64, |acc, g| acc.saturating_mul(g.n.min(successes) + 1));
    if tables > MAX_EXACT_TABLES {
        return Err(Undefined::TooLarge { tables, limit: MAX_EXACT_TABLES });
    }
    let ln_norm = ln_choose(total, successes);
    let ln_prob = |xs: &[u64]| -> f64 {
        xs.iter().zip(groups).map(|(&x, g)| ln_choose(g.n, x)).sum::<f64>() - ln_norm
    };
    let observed: Vec<u64> = groups.iter().map(|g| g.successes).collect();
    let threshold = ln_prob(&observed) + 1e-7f64.ln_1p();
    // Suffix capacities to prune impossible partial tables.
    let mut cap = vec![0u64; groups.len() + 1];
    for j in (0..groups.len()).rev() {
        cap[j] = cap[j + 1] + groups[j].n;
    }
    let mut acc = f64::NEG_INFINITY;
    let mut xs = vec![0u64; groups.len()];
    fn walk(
        j: usize,
        left: u64,
        groups: &[Proportion],
        cap: &[u64],
        xs: &mut Vec<u64>,
        visit: &mut dyn FnMut(&[u64]),
    ) {
        if j == groups.len() {
            if left == 0 {
                visit(xs);
            }
            return;
        }
        let lo = left.saturating_sub(cap[j + 1]);
        let hi = left.min(groups[j].n);
        for x in lo..=hi {
            xs[j] = x;
            walk(j + 1, left - x, groups, cap, xs, visit);
        }
    }
    walk(0, successes, groups, &cap, &mut xs, &mut |t| {
        let lp = ln_prob(t);
        if lp <= threshold {
            acc = ln_add_exp(acc, lp);
        }
    });
    Ok(TestResult { statistic: None, p_value: PValue::from_ln(acc) })
}

/// Of `drawn` units dealt without replacement from `units`, how many fall among the
/// `marked` ones: a hypergeometric draw by chop-down inversion outward from the mode,
/// which costs of the order of one standard deviation and stays exact at any size
/// (rand_distr's sampler sets up in time linear in the draw and fails when the
/// probability of its starting point underflows).
fn deal<R: rand::Rng + ?Sized>(units: u64, marked: u64, drawn: u64, rng: &mut R) -> u64 {
    use rand::RngExt;
    let d = Hypergeometric::new(marked, units - marked, drawn);
    let u: f64 = rng.random_range(0.0..1.0);
    let mode = d.mode();
    // The weights are dhyper's probabilities: no normalising sum is needed.
    let p_mode = d.ln_weight(mode).exp();
    let mut u = u - p_mode;
    let (mut up, mut down) = (mode, mode);
    let (mut p_up, mut p_down) = (p_mode, p_mode);
    while u > 0.0 {
        let can_up = up < d.hi();
        let can_down = down > d.lo();
        if !can_up && !can_down {
            break;
        }
        // Take the more likely neighbour next.
        let next_up = if can_up { p_up * d.ratio_up(up) } else { -1.0 };
        let next_down = if can_down { p_down / d.ratio_up(down - 1) } else { -1.0 };
        if next_up >= next_down {
            up += 1;
            p_up = next_up;
            u -= p_up;
            if u <= 0.0 {
                return up;
            }
        } else {
            down -= 1;
            p_down = next_down;
            u -= p_down;
            if u <= 0.0 {
                return down;
            }
        }
    }
    mode
}

/// The Fisher-Freeman-Halton p-value by Monte Carlo, for tables too large to
/// enumerate: `B` tables with the observed margins are drawn (column by column from the
/// hypergeometric distribution), and the p-value is `(1 + hits) / (1 + B)`, counting the
/// drawn tables at most as likely as the observed one (R `fisher.test(simulate.p.value =
/// TRUE)`'s convention). Returns the p-value and its Monte Carlo standard error.
pub fn fisher_freeman_halton_monte_carlo<R: rand::Rng + ?Sized>(
    groups: &[Proportion],
    replicates: u64,
    rng: &mut R,
) -> MonteCarloResult {
    let total: u64 = groups.iter().map(|g| g.n).sum();
    let successes: u64 = groups.iter().map(|g| g.successes).sum();
    let ln_prob =
        |xs: &[u64]| -> f64 { xs.iter().zip(groups).map(|(&x, g)| ln_choose(g.n, x)).sum::<f64>() };
    let observed: Vec<u64> = groups.iter().map(|g| g.successes).collect();
    let threshold = ln_prob(&observed) + 1e-7f64.ln_1p();
    let mut hits = 0u64;
    let mut xs = vec![0u64; groups.len()];
    for _ in 0..replicates {
        // Deal the successes among the units without replacement, column by column.
        let (mut left_units, mut left_successes) = (total, successes);
        for (j, g) in groups.iter().enumerate() {
            let x = deal(left_units, g.n, left_successes, rng);
            xs[j] = x;
            left_units -= g.n;
            left_successes -= x;
        }
        if ln_prob(&xs) <= threshold {
            hits += 1;
        }
    }
    let p = (1 + hits) as f64 / (1 + replicates) as f64;
    MonteCarloResult {
        p_value: p,
        standard_error: (p * (1.0 - p) / replicates as f64).sqrt(),
        replicates,
    }
}

/// A Monte Carlo p-value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MonteCarloResult {
    /// The estimated p-value.
    pub p_value: f64,
    /// Its Monte Carlo standard error.
    pub standard_error: f64,
    /// Tables drawn.
    pub replicates: u64,
}

/// One pairwise comparison of k groups.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pairwise {
    /// Index of the first group.
    pub a: usize,
    /// Index of the second group.
    pub b: usize,
    /// `p_a - p_b`.
    pub difference: f64,
    /// Raw two-sided p-value (`None` when the test is undefined).
    pub p_value: Option<f64>,
    /// Adjusted over all pairs.
    pub p_adjusted: Option<f64>,
    /// `p_adjusted < alpha`.
    pub significant: bool,
}

/// The letter naming group `j` (from 0) in significance letters: A to Z, then AA, AB,
/// ... (as spreadsheet columns), so that every group has its own.
pub fn group_letter(j: usize) -> String {
    let mut n = j + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Pairwise column-proportion comparisons with an adjustment over all pairs, and the
/// significance letters banner tables print (SPSS CTABLES style): group `j` gets the
/// letters of the groups whose proportion is significantly *lower* than its own, so
/// "87% B" reads "significantly higher than group B".
pub fn pairwise_letters(
    groups: &[Proportion],
    test: super::significance::TestMethod,
    adjustment: super::multiplicity::Adjustment,
    alpha: f64,
) -> (Vec<Pairwise>, Vec<String>) {
    let mut pairs = Vec::new();
    for a in 0..groups.len() {
        for b in (a + 1)..groups.len() {
            let g = super::TwoGroups { first: groups[a], second: groups[b] };
            let p = super::significance::two_group_test(&g, test, super::Alternative::TwoSided)
                .ok()
                .map(|t| t.p_value.p);
            pairs.push(Pairwise {
                a,
                b,
                difference: g.difference(),
                p_value: p,
                p_adjusted: None,
                significant: false,
            });
        }
    }
    let lower = adjust_pairs(&mut pairs, groups.len(), adjustment, alpha);
    let letters = lower
        .into_iter()
        .map(|mut l| {
            l.sort_unstable();
            l.into_iter().map(group_letter).collect()
        })
        .collect();
    (pairs, letters)
}

/// Adjusts the p-values of `pairs` over all of them, marks those below `alpha`
/// significant, and returns per group (of `groups`) the groups it is significantly
/// higher than.
pub fn adjust_pairs(
    pairs: &mut [Pairwise],
    groups: usize,
    adjustment: super::multiplicity::Adjustment,
    alpha: f64,
) -> Vec<Vec<usize>> {
    let (defined, raw): (Vec<usize>, Vec<f64>) =
        pairs.iter().enumerate().filter_map(|(i, p)| Some((i, p.p_value?))).unzip();
    // The p-values come from tests and lie in [0, 1]; were one not to, no pair is
    // adjusted (and none marked significant).
    if let Ok(adjusted) = super::multiplicity::adjust(&raw, adjustment) {
        for (&i, p) in defined.iter().zip(adjusted) {
            pairs[i].p_adjusted = Some(p);
            pairs[i].significant = p < alpha;
        }
    }
    let mut lower: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for p in pairs.iter().filter(|p| p.significant) {
        let (high, low) = if p.difference > 0.0 { (p.a, p.b) } else { (p.b, p.a) };
        lower[high].push(low);
    }
    lower
}

/// Pearson chi-square test of independence on an r x c table of counts (`rows` x
/// `columns`, e.g. answers x groups), `(r - 1)(c - 1)` degrees of freedom. Empty rows
/// and columns are dropped first. Matches R `chisq.test(table, correct = FALSE)`.
///
/// # Errors
/// Undefined when fewer than two non-empty rows or columns remain.
pub fn chi_square_rc(table: &[Vec<u64>]) -> Maybe<TestResult> {
    let t = nonempty(table);
    if t.len() < 2 || t[0].len() < 2 {
        return Err(Undefined::NoVariation);
    }
    let rows: Vec<f64> = t.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let cols: Vec<f64> =
        (0..t[0].len()).map(|j| t.iter().map(|r| r[j]).sum::<u64>() as f64).collect();
    let n: f64 = rows.iter().sum();
    let mut stat = 0.0;
    for (i, r) in t.iter().enumerate() {
        for (j, &o) in r.iter().enumerate() {
            let e = rows[i] * cols[j] / n;
            stat += (o as f64 - e).powi(2) / e;
        }
    }
    let df = ((t.len() - 1) * (t[0].len() - 1)) as f64;
    Ok(TestResult { statistic: Some(stat), p_value: PValue::from_ln(chi2_ln_sf(stat, df)) })
}

/// An upper bound on the number of r x c tables with the margins of `table`: the
/// product, over the cells left free once the largest row and column are dropped, of
/// `min(row total, column total) + 1` (saturating). Cheap, so a caller can decline a
/// hopeless enumeration before starting it.
pub fn rc_tables_upper_bound(table: &[Vec<u64>]) -> u64 {
    let t = nonempty(table);
    let Some(first) = t.first() else { return 1 };
    let mut rows: Vec<u64> = t.iter().map(|r| r.iter().sum()).collect();
    let mut cols: Vec<u64> = (0..first.len()).map(|j| t.iter().map(|r| r[j]).sum()).collect();
    rows.sort_unstable();
    cols.sort_unstable();
    let (rows, cols) = (&rows[..rows.len() - 1], &cols[..cols.len().saturating_sub(1)]);
    rows.iter()
        .flat_map(|&r| cols.iter().map(move |&c| r.min(c) + 1))
        .fold(1u64, u64::saturating_mul)
}

/// The smallest expected count of an r x c table under independence (empty rows and
/// columns left out); `None` for an empty table.
pub fn min_expected_count(table: &[Vec<u64>]) -> Option<f64> {
    let t = nonempty(table);
    let rows: Vec<u64> = t.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<u64> = (0..t.first()?.len()).map(|j| t.iter().map(|r| r[j]).sum()).collect();
    let n: u64 = rows.iter().sum();
    let (r, c) = (rows.iter().min()?, cols.iter().min()?);
    Some(*r as f64 * *c as f64 / n as f64)
}

/// The table without empty rows and columns.
fn nonempty(table: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let c = table.first().map_or(0, Vec::len);
    let keep: Vec<usize> = (0..c).filter(|&j| table.iter().any(|r| r[j] > 0)).collect();
    table
        .iter()
        .filter(|r| r.iter().any(|&v| v > 0))
        .map(|r| keep.iter().map(|&j| r[j]).collect())
        .collect()
}

/// An r x c table without its empty rows and columns, with its margins.
struct Margins {
    table: Vec<Vec<u64>>,
    rows: Vec<u64>,
    columns: Vec<u64>,
}

/// The table's [`Margins`]; undefined with fewer than two non-empty rows or columns.
fn margins(table: &[Vec<u64>]) -> Maybe<Margins> {
    let t = nonempty(table);
    if t.len() < 2 || t[0].len() < 2 {
        return Err(Undefined::NoVariation);
    }
    let rows = t.iter().map(|row| row.iter().sum()).collect();
    let columns = (0..t[0].len()).map(|j| t.iter().map(|row| row[j]).sum()).collect();
    Ok(Margins { table: t, rows, columns })
}

/// `ln` of the probability of an r x c table given its margins:
/// `prod r_i! prod c_j! / (N! prod n_ij!)`.
fn ln_table_probability(t: &[Vec<u64>]) -> f64 {
    let lf = |k: u64| ln_gamma(k as f64 + 1.0);
    let n: u64 = t.iter().flatten().sum();
    let rows: f64 = t.iter().map(|r| lf(r.iter().sum())).sum();
    let cols: f64 = (0..t[0].len()).map(|j| lf(t.iter().map(|r| r[j]).sum())).sum();
    let cells: f64 = t.iter().flatten().map(|&v| lf(v)).sum();
    rows + cols - lf(n) - cells
}

/// Exact Fisher-Freeman-Halton test on an r x c table: the probability, given the
/// margins, of every table at most `1 + 1e-7` times as likely as the observed one.
/// Matches R `fisher.test(table)`.
///
/// # Errors
/// [`Undefined::TooLarge`] when more than [`MAX_EXACT_TABLES`] tables would be visited;
/// [`Undefined::NoVariation`] with fewer than two non-empty rows or columns.
pub fn fisher_freeman_halton_rc(table: &[Vec<u64>]) -> Maybe<TestResult> {
    let Margins { table: t, rows: row_totals, columns: col_totals } = margins(table)?;
    let (r, c) = (t.len(), t[0].len());
    let threshold = ln_table_probability(&t) + 1e-7f64.ln_1p();
    let mut acc = f64::NEG_INFINITY;
    let mut visited = 0u64;
    let mut cells = vec![vec![0u64; c]; r];
    // Fill column by column, each column row by row, with the remaining row totals.
    struct Walk<'a> {
        r: usize,
        c: usize,
        col_totals: &'a [u64],
        threshold: f64,
        acc: &'a mut f64,
        visited: &'a mut u64,
    }
    fn fill(
        w: &mut Walk,
        cells: &mut Vec<Vec<u64>>,
        rows_left: &mut Vec<u64>,
        j: usize,
        i: usize,
        col_left: u64,
    ) -> bool {
        if *w.visited > MAX_EXACT_TABLES {
            return false;
        }
        if j == w.c - 1 {
            // The last column is determined by the remaining row totals.
            for (k, left) in rows_left.iter().enumerate() {
                cells[k][j] = *left;
            }
            *w.visited += 1;
            let lp = ln_table_probability(cells);
            if lp <= w.threshold {
                *w.acc = ln_add_exp(*w.acc, lp);
            }
            return true;
        }
        if i == w.r - 1 {
            if col_left > rows_left[i] {
                return true;
            }
            cells[i][j] = col_left;
            rows_left[i] -= col_left;
            let ok =
                fill(w, cells, rows_left, j + 1, 0, w.col_totals.get(j + 1).copied().unwrap_or(0));
            rows_left[i] += col_left;
            return ok;
        }
        let rest: u64 = rows_left[i + 1..].iter().sum();
        let lo = col_left.saturating_sub(rest);
        let hi = col_left.min(rows_left[i]);
        for x in lo..=hi {
            cells[i][j] = x;
            rows_left[i] -= x;
            let ok = fill(w, cells, rows_left, j, i + 1, col_left - x);
            rows_left[i] += x;
            if !ok {
                return false;
            }
        }
        true
    }
    let mut rows_left = row_totals.clone();
    let mut walk =
        Walk { r, c, col_totals: &col_totals, threshold, acc: &mut acc, visited: &mut visited };
    if !fill(&mut walk, &mut cells, &mut rows_left, 0, 0, col_totals[0]) {
        return Err(Undefined::TooLarge { tables: visited, limit: MAX_EXACT_TABLES });
    }
    Ok(TestResult { statistic: None, p_value: PValue::from_ln(acc) })
}

/// The r x c Fisher-Freeman-Halton p-value by Monte Carlo, for tables too large to
/// enumerate: `B` tables with the observed margins are drawn (each column row by row
/// from the conditional hypergeometric distributions, so every table with these
/// margins is drawn with its exact probability), and the p-value is
/// `(1 + hits) / (1 + B)`, counting the drawn tables at most `1 + 1e-7` times as likely
/// as the observed one (R `fisher.test(table, simulate.p.value = TRUE)`'s convention).
/// Empty rows and columns are dropped first.
///
/// # Errors
/// [`Undefined::NoVariation`] with fewer than two non-empty rows or columns.
pub fn fisher_freeman_halton_rc_monte_carlo<R: rand::Rng + ?Sized>(
    table: &[Vec<u64>],
    replicates: u64,
    rng: &mut R,
) -> Maybe<MonteCarloResult> {
    let Margins { table: t, rows: row_totals, columns: col_totals } = margins(table)?;
    let r = t.len();
    // With the margins fixed, a table's probability varies only through -sum ln n_ij!.
    let lf = |k: u64| ln_gamma(k as f64 + 1.0);
    let observed: f64 = -t.iter().flatten().map(|&v| lf(v)).sum::<f64>();
    let threshold = observed + 1e-7f64.ln_1p();
    let mut hits = 0u64;
    let mut rows_left = vec![0u64; r];
    for _ in 0..replicates {
        rows_left.copy_from_slice(&row_totals);
        let mut units_left: u64 = row_totals.iter().sum();
        let mut ln_weight = 0.0;
        for &col in &col_totals {
            // Deal this column's units among the rows without replacement.
            let mut col_left = col;
            let mut rest = units_left;
            for left in rows_left.iter_mut() {
                let x = if col_left == 0 || *left == 0 {
                    0
                } else if rest == *left {
                    col_left
                } else {
                    deal(rest, *left, col_left, rng)
                };
                ln_weight -= lf(x);
                rest -= *left;
                *left -= x;
                col_left -= x;
            }
            units_left -= col;
        }
        if ln_weight <= threshold {
            hits += 1;
        }
    }
    let p = (1 + hits) as f64 / (1 + replicates) as f64;
    Ok(MonteCarloResult {
        p_value: p,
        standard_error: (p * (1.0 - p) / replicates as f64).sqrt(),
        replicates,
    })
}

#[cfg(test)]
mod letter_tests {
    #[test]
    fn letters_name_every_group() {
        let names: Vec<String> = [0, 25, 26, 27, 701, 702].map(super::group_letter).to_vec();
        assert_eq!(names, ["A", "Z", "AA", "AB", "ZZ", "AAA"]);
    }
}
