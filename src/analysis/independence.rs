//! Tests of independence across groups: each answer across every group (chi-square,
//! exact Fisher-Freeman-Halton, pairwise comparisons with significance letters) and
//! each single-choice question across all its answers, with the policy for tables too
//! large to enumerate (seeded Monte Carlo where an expected count is small, the
//! chi-square test otherwise).

use super::AnalysisOptions;
use super::weighted::{QuestionShares, rao_scott_answer, rao_scott_question};
use crate::codebook::{Codebook, QuestionKind};
use crate::stats::contingency::{
    MAX_EXACT_TABLES, MonteCarloResult, Pairwise, adjust_pairs, chi_square, chi_square_rc,
    fisher_freeman_halton, fisher_freeman_halton_monte_carlo, fisher_freeman_halton_rc,
    fisher_freeman_halton_rc_monte_carlo, group_letter, min_expected_count, pairwise_letters,
    rc_tables_upper_bound,
};
use crate::stats::one_sample::wald_p_value;
use crate::stats::weighted::{weighted_difference, weighted_proportion};
use crate::stats::{Maybe, Proportion, TestResult, Undefined};
use crate::tabulate::CountTable;
use serde::Serialize;

/// A test of independence of all the answers of a single-choice question and the groups
/// (an answers x groups table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionTestRow {
    /// Question id.
    pub question: String,
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Counts, `[answer][group]`.
    pub table: Vec<Vec<u64>>,
    /// Pearson chi-square statistic (empty rows and columns dropped).
    pub chi2: Option<f64>,
    /// Its p-value.
    pub chi2_p_value: Option<f64>,
    /// Exact Fisher-Freeman-Halton p-value (Monte Carlo estimate when the table is too
    /// large to enumerate; see `monte_carlo`).
    pub exact_p_value: Option<f64>,
    /// The Monte Carlo run behind `exact_p_value`, with its seed, when one was needed.
    pub monte_carlo: Option<(MonteCarloResult, u64)>,
    /// Rao-Scott F test p-value on the weighted table (studies with a weight column;
    /// R `svychisq(~answer + group)`, the design taken as the respondents answering).
    pub rao_scott_p_value: Option<f64>,
    /// Why a test is undefined, if one is.
    pub note: String,
    /// Some group's base is below the minimum base.
    pub small_base: bool,
}

/// A test of one question option across every group that answered (more than two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTestRow {
    /// Question id.
    pub question: String,
    /// Question label (the short label, or the wording).
    pub question_label: String,
    /// Option code.
    pub option: String,
    /// Option label.
    pub option_label: String,
    /// Groups included (those with answers).
    pub groups: Vec<String>,
    /// Their labels.
    pub group_labels: Vec<String>,
    /// `(successes, n)` per group.
    pub counts: Vec<(u64, u64)>,
    /// Pearson chi-square statistic.
    pub chi2: Option<f64>,
    /// Its p-value (`k - 1` degrees of freedom).
    pub chi2_p_value: Option<f64>,
    /// Exact Fisher-Freeman-Halton p-value (Monte Carlo estimate when the table is too
    /// large to enumerate; see `monte_carlo`).
    pub exact_p_value: Option<f64>,
    /// The Monte Carlo run behind `exact_p_value`, with its seed, when one was needed.
    pub monte_carlo: Option<(MonteCarloResult, u64)>,
    /// Rao-Scott F test p-value on the weighted table (studies with a weight column;
    /// R `svychisq(~answer + group)`, the design taken as the respondents answering).
    pub rao_scott_p_value: Option<f64>,
    /// Pairwise comparisons of the groups (adjusted over the pairs of this question).
    pub pairwise: Vec<Pairwise>,
    /// Each group's own letter, by its place in the codebook (A for the first level),
    /// so that a group keeps its letter when another has no answers.
    pub group_letters: Vec<String>,
    /// Significance letters per group (aligned with `groups`): the letters of the groups
    /// this one is significantly higher than.
    pub letters: Vec<String>,
    /// With weights or a design: pairwise comparisons of the weighted shares (Wald
    /// tests of `svycontrast` on `svyby(covmat = TRUE)`, adjusted over the pairs of this
    /// answer); empty otherwise.
    pub weighted_pairwise: Vec<Pairwise>,
    /// The significance letters of the weighted comparisons (empty without weights).
    pub weighted_letters: Vec<String>,
    /// Why a test is undefined, if one is.
    pub note: String,
    /// Some group's base is below the minimum base.
    pub small_base: bool,
}

/// Chi-square and exact tests across every group with answers, per option.
/// Answers x groups tests for the single-choice questions.
pub(super) fn question_tests(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<QuestionTestRow> {
    codebook
        .questions
        .iter()
        .zip(&table.questions)
        .enumerate()
        .filter(|(_, (q, _))| q.kind == QuestionKind::SingleChoice)
        .map(|(qi, (q, counts))| {
            let t: Vec<Vec<u64>> = (0..q.options.len())
                .map(|o| (0..table.groups).map(|g| counts.count(o, g)).collect())
                .collect();
            let answering = (0..table.groups).filter(|&g| counts.answered(g) > 0).count();
            let chi = chi_square_rc(&t);
            // Enumerated when the number of tables is surely within the limit (a rare
            // answer keeps it small); otherwise simulated if an expected count is small,
            // or left to the chi-square test.
            let exact = match rc_tables_upper_bound(&t) {
                bound if bound > MAX_EXACT_TABLES => {
                    Err(Undefined::TooLarge { tables: bound, limit: MAX_EXACT_TABLES })
                }
                _ => fisher_freeman_halton_rc(&t),
            };
            let simulation = monte_carlo_when_needed(&exact, &t, options.seed, |b, rng| {
                fisher_freeman_halton_rc_monte_carlo(&t, b, rng).ok()
            });
            let note = if answering < 2 {
                format!(
                    "only {answering} of the {} groups answered: nothing to compare",
                    table.groups
                )
            } else {
                test_note(&chi, &exact, simulation)
            };
            let monte_carlo = simulation.result();
            let weighted = codebook.weighted().then(|| rao_scott_question(codebook, table, qi));
            QuestionTestRow {
                question: q.id.clone(),
                question_label: q.display_label().to_string(),
                chi2: chi.as_ref().ok().and_then(|t| t.statistic),
                chi2_p_value: chi.as_ref().ok().map(|t| t.p_value.p),
                exact_p_value: exact_or_monte_carlo(&exact, monte_carlo),
                monte_carlo,
                rao_scott_p_value: weighted.and_then(|r| r.ok()).map(|r| r.f_p_value),
                table: t,
                note,
                small_base: (0..table.groups)
                    .map(|g| counts.answered(g))
                    .any(|n| n > 0 && n < options.min_base),
            }
        })
        .collect()
}

/// The exact p-value, or its Monte Carlo estimate when the table was too large.
fn exact_or_monte_carlo(
    exact: &Maybe<TestResult>,
    monte_carlo: Option<(MonteCarloResult, u64)>,
) -> Option<f64> {
    exact.as_ref().ok().map(|t| t.p_value.p).or(monte_carlo.map(|(m, _)| m.p_value))
}

/// How a Monte Carlo exact test is reported: tables drawn, seed, standard error.
fn monte_carlo_note(m: &MonteCarloResult, seed: u64) -> String {
    format!(
        "exact test by Monte Carlo: {} tables, seed {seed}, standard error {:.2e}",
        m.replicates, m.standard_error
    )
}

/// Tables drawn when an exact test is too large to enumerate (fewer when a table is so
/// large or so wide that drawing it costs more than [`MONTE_CARLO_BUDGET`] allows).
pub const MONTE_CARLO_REPLICATES: u64 = 100_000;

/// Below this smallest expected count the chi-square approximation is doubtful
/// (Cochran's rule); a table too large to enumerate then gets a Monte Carlo exact test.
pub const COCHRAN_MIN_EXPECTED: f64 = 5.0;

/// The work one Monte Carlo exact test may do, in steps of the hypergeometric walk
/// (about a second): a table is drawn cell by cell, each cell costs a fixed setup
/// ([`DEAL_SETUP_STEPS`]) plus a walk from the mode of about its standard deviation,
/// so very wide tables and tables of very large counts get fewer replicates.
pub const MONTE_CARLO_BUDGET: f64 = 2e8;

/// The setup of one hypergeometric draw, in walk steps (its log-probability at the
/// mode: a few log-gamma calls).
pub const DEAL_SETUP_STEPS: f64 = 8.0;

/// Fewer replicates than this estimate a small p-value too coarsely to report: the
/// test is then left out and the report says why.
pub const MIN_MONTE_CARLO_REPLICATES: u64 = 2_000;

/// What was done about an exact test that could not be enumerated.
#[derive(Debug, Clone, Copy)]
enum Simulation {
    /// Enumerated, or the chi-square test applies.
    NotNeeded,
    /// Drawn: the estimate and its seed.
    Drawn(MonteCarloResult, u64),
    /// Too costly to draw even [`MIN_MONTE_CARLO_REPLICATES`] tables: how many the
    /// budget allowed.
    TooCostly(u64),
}

impl Simulation {
    fn result(self) -> Option<(MonteCarloResult, u64)> {
        match self {
            Simulation::Drawn(m, seed) => Some((m, seed)),
            _ => None,
        }
    }
}

/// How many tables the budget allows for `table`: [`MONTE_CARLO_BUDGET`] over the
/// estimated steps of one draw, `sum over cells of (DEAL_SETUP_STEPS + sqrt(expected))`.
pub fn affordable_replicates(table: &[Vec<u64>]) -> u64 {
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let columns = table.first().map_or(0, Vec::len);
    let cols: Vec<f64> =
        (0..columns).map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64).collect();
    let n: f64 = rows.iter().sum();
    if n <= 0.0 {
        return MONTE_CARLO_REPLICATES;
    }
    let steps: f64 = rows
        .iter()
        .flat_map(|r| cols.iter().map(move |c| DEAL_SETUP_STEPS + (r * c / n).sqrt()))
        .sum();
    let affordable = (MONTE_CARLO_BUDGET / steps.max(1.0)).floor();
    if affordable >= MONTE_CARLO_REPLICATES as f64 {
        MONTE_CARLO_REPLICATES
    } else {
        affordable as u64
    }
}

/// For a table the exact test could not enumerate: a seeded Monte Carlo estimate when
/// some expected count is below [`COCHRAN_MIN_EXPECTED`] and the budget allows enough
/// replicates, and none otherwise, where the chi-square test applies (a million
/// respondents would otherwise cost seconds of simulation per question for a p-value
/// the chi-square test already gives).
fn monte_carlo_when_needed(
    exact: &Maybe<TestResult>,
    table: &[Vec<u64>],
    seed: u64,
    draw: impl FnOnce(u64, &mut rand_chacha::ChaCha8Rng) -> Option<MonteCarloResult>,
) -> Simulation {
    if !matches!(exact, Err(Undefined::TooLarge { .. }))
        || min_expected_count(table).is_none_or(|m| m >= COCHRAN_MIN_EXPECTED)
    {
        return Simulation::NotNeeded;
    }
    let replicates = affordable_replicates(table);
    if replicates < MIN_MONTE_CARLO_REPLICATES {
        return Simulation::TooCostly(replicates);
    }
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    draw(replicates, &mut rng).map_or(Simulation::NotNeeded, |m| Simulation::Drawn(m, seed))
}

/// What the report says of a chi-square and exact test pair: why the chi-square test is
/// undefined, if it is, and the Monte Carlo draws and seed, or why there is no exact
/// p-value.
fn test_note(chi: &Maybe<TestResult>, exact: &Maybe<TestResult>, simulation: Simulation) -> String {
    let exact_note = match (exact, simulation) {
        (_, Simulation::Drawn(m, seed)) => Some(monte_carlo_note(&m, seed)),
        (_, Simulation::TooCostly(affordable)) => Some(format!(
            "no exact p-value: the table is too large to enumerate, and too large or too wide to simulate ({affordable} tables within the limit, fewer than {MIN_MONTE_CARLO_REPLICATES}); an expected count is below {COCHRAN_MIN_EXPECTED}, so read the chi-square p-value with care"
        )),
        (Err(e @ Undefined::TooLarge { .. }), Simulation::NotNeeded) => Some(format!(
            "{e}; every expected count is at least {COCHRAN_MIN_EXPECTED}, so the chi-square test applies"
        )),
        (Err(e), Simulation::NotNeeded) => Some(e.to_string()),
        (Ok(_), Simulation::NotNeeded) => None,
    };
    let mut notes: Vec<String> = Vec::new();
    for note in [chi.as_ref().err().map(ToString::to_string), exact_note].into_iter().flatten() {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes.join("; ")
}

/// The weighted pairwise comparisons of answer `oi` of question `qi` between the groups
/// `answering` (positions in `answering` as in the unweighted pairs): the difference of
/// the design-based shares, its standard error from their covariance, and the Wald
/// p-value, adjusted over the pairs.
fn weighted_pairs(
    table: &CountTable,
    qi: usize,
    oi: usize,
    shares: &QuestionShares,
    answering: &[usize],
    options: &AnalysisOptions,
) -> Vec<Pairwise> {
    let groups = table.groups;
    let total_n = table.total();
    let estimate = |g: usize| {
        weighted_proportion(&table.weighted_counts(qi, oi, g), total_n)
            .ok()
            .and_then(|e| shares.estimate(groups, (oi, g), e))
    };
    let estimates: Vec<_> = answering.iter().map(|&g| estimate(g)).collect();
    let df = table.design_df(None);
    let mut pairs = Vec::new();
    for a in 0..answering.len() {
        for b in (a + 1)..answering.len() {
            let (Some(ea), Some(eb)) = (&estimates[a], &estimates[b]) else {
                pairs.push(Pairwise {
                    a,
                    b,
                    difference: 0.0,
                    p_value: None,
                    p_adjusted: None,
                    significant: false,
                });
                continue;
            };
            let mut d = weighted_difference(ea, eb, options.level, df);
            if let Some(cov) = shares.cov(groups, (oi, answering[a]), (oi, answering[b])) {
                d = d.with_covariance(cov, options.level, df);
            }
            pairs.push(Pairwise {
                a,
                b,
                difference: d.estimate,
                p_value: Some(wald_p_value(d.estimate, d.se).p),
                p_adjusted: None,
                significant: false,
            });
        }
    }
    adjust_pairs(&mut pairs, answering.len(), options.adjustment, 1.0 - options.level.value());
    pairs
}

pub(super) fn group_tests(
    codebook: &Codebook,
    table: &CountTable,
    options: &AnalysisOptions,
) -> Vec<GroupTestRow> {
    let mut rows = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        let shares = codebook.weighted().then(|| QuestionShares::of(codebook, table, qi));
        for (oi, o) in q.reported_options() {
            let mut groups = Vec::new();
            let mut props = Vec::new();
            let mut answering = Vec::new();
            for (g, l) in codebook.grouping.levels.iter().enumerate() {
                let (k, n) = table.option_counts(qi, oi, Some(g));
                if let Ok(p) = Proportion::new(k, n) {
                    groups.push(l.id.clone());
                    props.push(p);
                    answering.push(g);
                }
            }
            if props.len() < 2 {
                continue;
            }
            let chi = chi_square(&props);
            let exact = fisher_freeman_halton(&props);
            let two_rows = [
                props.iter().map(|p| p.successes).collect(),
                props.iter().map(|p| p.n - p.successes).collect(),
            ];
            let simulation = monte_carlo_when_needed(&exact, &two_rows, options.seed, |b, rng| {
                Some(fisher_freeman_halton_monte_carlo(&props, b, rng))
            });
            let monte_carlo = simulation.result();
            let (pairwise, _) = pairwise_letters(
                &props,
                options.test,
                options.adjustment,
                1.0 - options.level.value(),
            );
            // Letters by codebook level, not by place among the groups with answers.
            let level_of: Vec<usize> =
                groups.iter().filter_map(|g| codebook.level_index(g)).collect();
            let group_letters: Vec<String> = level_of.iter().map(|&l| group_letter(l)).collect();
            let letters_of = |pairs: &[Pairwise]| -> Vec<String> {
                let mut lower: Vec<Vec<usize>> = vec![Vec::new(); level_of.len()];
                for p in pairs.iter().filter(|p| p.significant) {
                    let (high, low) = if p.difference > 0.0 { (p.a, p.b) } else { (p.b, p.a) };
                    lower[high].push(level_of[low]);
                }
                lower
                    .into_iter()
                    .map(|mut l| {
                        l.sort_unstable();
                        l.into_iter().map(group_letter).collect()
                    })
                    .collect()
            };
            let letters = letters_of(&pairwise);
            let weighted_pairwise = shares
                .as_ref()
                .map(|s| weighted_pairs(table, qi, oi, s, &answering, options))
                .unwrap_or_default();
            let weighted_letters =
                if shares.is_some() { letters_of(&weighted_pairwise) } else { Vec::new() };
            let note = test_note(&chi, &exact, simulation);
            let rao_scott_p_value = codebook
                .weighted()
                .then(|| rao_scott_answer(codebook, table, qi, oi, &answering).ok())
                .flatten()
                .map(|r| r.f_p_value);
            rows.push(GroupTestRow {
                question: q.id.clone(),
                question_label: q.display_label().to_string(),
                option: o.code.clone(),
                option_label: o.label.clone(),
                group_labels: groups
                    .iter()
                    .filter_map(|g| codebook.level(g).map(|l| l.label.clone()))
                    .collect(),
                groups,
                counts: props.iter().map(|p| (p.successes, p.n)).collect(),
                chi2: chi.as_ref().ok().and_then(|t| t.statistic),
                chi2_p_value: chi.as_ref().ok().map(|t| t.p_value.p),
                exact_p_value: exact_or_monte_carlo(&exact, monte_carlo),
                monte_carlo,
                rao_scott_p_value,
                pairwise,
                group_letters,
                letters,
                weighted_pairwise,
                weighted_letters,
                note,
                small_base: props.iter().any(|p| p.n < options.min_base),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monte_carlo_budget_shrinks_with_width_and_size() {
        // A small table: the full number of replicates.
        assert_eq!(affordable_replicates(&[vec![10, 20], vec![3, 1]]), MONTE_CARLO_REPLICATES);
        // 20 groups x 50 answers: a fixed cost per cell.
        let wide = vec![vec![40u64; 20]; 50];
        let b = affordable_replicates(&wide);
        assert!(b < MONTE_CARLO_REPLICATES && b > MIN_MONTE_CARLO_REPLICATES, "{b}");
        // Ten billion respondents per group: each draw walks about 280,000 steps.
        let huge = vec![
            vec![5_000_000_000, 5_000_000_000],
            vec![5_000_000_000, 4_999_999_999],
            vec![0, 1],
        ];
        assert!(affordable_replicates(&huge) < MIN_MONTE_CARLO_REPLICATES);
    }

    #[test]
    fn a_table_too_costly_to_simulate_gets_no_exact_p_value_and_says_why() {
        let huge = vec![
            vec![5_000_000_000, 5_000_000_000],
            vec![5_000_000_000, 4_999_999_999],
            vec![0, 1],
        ];
        let exact: Maybe<TestResult> = Err(Undefined::TooLarge { tables: u64::MAX, limit: 5 });
        let drawn = std::cell::Cell::new(false);
        let s = monte_carlo_when_needed(&exact, &huge, 1, |_, _| {
            drawn.set(true);
            None
        });
        assert!(matches!(s, Simulation::TooCostly(b) if b < MIN_MONTE_CARLO_REPLICATES));
        assert!(!drawn.get(), "nothing is drawn");
        let note = test_note(&chi_square_rc(&huge), &exact, s);
        assert!(note.contains("too large or too wide to simulate"), "{note}");
    }
}
