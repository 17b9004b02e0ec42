//! Reconstructing anonymised respondent rows consistent with every published figure.
//!
//! Published studies give rounded percentages, not data. This module builds one data
//! set that reproduces every printed figure under the codebook's rounding scheme, by a
//! deterministic, documented rule (the seed only decides which respondent gives which
//! answer, i.e. the joint answers across questions):
//!
//! 1. **Total.** The published total, or else the smallest base at which every
//!    whole-sample figure is reachable.
//! 2. **Group sizes.** A level with an assumed size takes it. A level with a published
//!    window ("almost 60" read as 55..=59) takes the size in the window that needs the
//!    fewest missing answers (item non-response) to reach all of its figures, ties
//!    going to the larger size. One level without either takes the remainder.
//! 3. **Bases.** Each question's base in a group is the group size minus the fewest
//!    missing answers that make all of the group's figures for that question reachable
//!    together (the options of one question share a base).
//! 4. **Counts.** Among the counts that show a figure on its base, the one whose share
//!    is closest to the middle of the interval the printed figure stands for (ties to
//!    the smaller count): "87%" under half-up means 0.87, "<1%" means 0.005.
//!    Whole-sample figures are met on the whole sample and split across groups in
//!    proportion to group size (largest remainder), after any counts the codebook pins
//!    (`[[assumptions]]`). An option without a figure gets what is left; a question
//!    with no figure for a group is left unanswered there.
//! 5. **Rows.** For each group and question, the answers are shuffled with ChaCha8
//!    seeded by `seed` and dealt to the group's respondents; rows are then shuffled and
//!    numbered. Which respondents answer what jointly is therefore an assumption:
//!    results that depend on joint answers (paired comparisons) are reported over every
//!    joint table consistent with the margins as well.

use crate::codebook::{Codebook, GroupRef, QuestionKind};
use crate::consistency::{Figure, counts, min_missing, smallest_base};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Why a reconstruction is impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot reconstruct {study}: {message}")]
pub struct ReconstructError {
    /// Study id.
    pub study: String,
    /// What failed.
    pub message: String,
}

/// How one group's answers to one question were reconstructed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionPlan {
    /// Question id.
    pub question: String,
    /// Group id.
    pub group: String,
    /// Respondents answering.
    pub base: u64,
    /// Missing answers.
    pub missing: u64,
    /// Count per option, in codebook order.
    pub counts: Vec<u64>,
    /// How the counts were chosen.
    pub rule: String,
}

/// A group size and how it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPlan {
    /// Group id.
    pub group: String,
    /// Size.
    pub size: u64,
    /// How it was chosen.
    pub rule: String,
    /// Total missing answers needed per candidate size, for a published window.
    pub candidates: Vec<(u64, Option<u64>)>,
}

/// The whole reconstruction: the plan and the rows.
#[derive(Debug, Clone, Serialize)]
pub struct Reconstruction {
    /// Seed used for the joint answers.
    pub seed: u64,
    /// Total respondents.
    pub total: u64,
    /// How the total was chosen.
    pub total_rule: String,
    /// Group sizes.
    pub groups: Vec<GroupPlan>,
    /// Per question and group.
    pub questions: Vec<QuestionPlan>,
    /// CSV header.
    #[serde(skip)]
    pub header: Vec<String>,
    /// CSV rows (codes as text, empty = missing).
    #[serde(skip)]
    pub rows: Vec<Vec<String>>,
}

impl Reconstruction {
    /// Writes the rows as CSV (LF line ends).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut w =
            csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
        w.write_record(&self.header)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        w.flush()
    }

    /// The rows as CSV text (LF line ends).
    pub fn to_csv(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to memory cannot fail, and the cells are UTF-8 strings.
        let _ = self.write_csv(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The count closest to the middle of the figure's interval on `base`.
fn representative(figure: &Figure, base: u64, codebook: &Codebook) -> Option<u64> {
    let target = figure.midpoint(codebook.rounding()) * base as f64;
    counts(figure, base, codebook.rounding())?
        .min_by(|a, b| ((*a as f64 - target).abs()).total_cmp(&(*b as f64 - target).abs()))
}

/// Builds the reconstruction for `codebook` with `seed`.
///
/// # Errors
/// [`ReconstructError`] when the figures cannot all be met under the rule.
pub fn reconstruct(codebook: &Codebook, seed: u64) -> Result<Reconstruction, ReconstructError> {
    let err = |message: String| ReconstructError { study: codebook.study.id.clone(), message };
    if let Some(q) =
        codebook.questions.iter().find(|q| !matches!(q.source, crate::codebook::Source::Column))
    {
        return Err(err(format!(
            "question '{}' is a net or an answer of a multi-response question; a reconstruction draws one column per single-choice or yes-no question",
            q.id
        )));
    }
    let rounding = codebook.rounding();
    // 1. Total.
    let all_figures: Vec<Figure> = codebook
        .figures
        .iter()
        .filter(|f| f.group == GroupRef::All)
        .map(|f| f.printed.clone())
        .collect();
    let (total, total_rule) = match codebook.study.published_total {
        Some(t) => (t, format!("published total {t}")),
        None => {
            let t = smallest_base(&all_figures, rounding, 100_000)
                .ok_or_else(|| err("no base reaches every whole-sample figure".into()))?;
            (
                t,
                format!(
                    "no total published: {t}, the smallest base at which every whole-sample figure is reachable ({rounding})"
                ),
            )
        }
    };
    // 2. Group sizes.
    let levels = &codebook.grouping.levels;
    let mut sizes: Vec<Option<u64>> = vec![None; levels.len()];
    let mut group_plans: Vec<Option<GroupPlan>> = vec![None; levels.len()];
    for (i, l) in levels.iter().enumerate() {
        let group = GroupRef::Level(i);
        if let Some(s) = l.assumed_size {
            sizes[i] = Some(s);
            group_plans[i] = Some(GroupPlan {
                group: l.id.clone(),
                size: s,
                rule: format!("assumed size {s} (not published)"),
                candidates: vec![],
            });
        } else if let Some(w) = &l.published_size {
            let candidates: Vec<(u64, Option<u64>)> =
                (w.min..=w.max).map(|n| (n, codebook.missing_needed(group, n, rounding))).collect();
            let best = candidates
                .iter()
                .filter_map(|&(n, m)| m.map(|m| (n, m)))
                .min_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .ok_or_else(|| {
                    // Name the figures no size in the window can show.
                    let stuck: Vec<String> = codebook
                        .figures
                        .iter()
                        .filter(|f| f.group == group)
                        .filter(|f| {
                            (w.min..=w.max).all(|n| counts(&f.printed, n, rounding).is_none())
                        })
                        .map(|f| format!("{} ({})", f.printed.text, f.id))
                        .collect();
                    let which = if stuck.is_empty() {
                        "together (each can be shown, but not all on one base)".to_string()
                    } else {
                        format!("({} cannot be shown on any of them)", stuck.join(", "))
                    };
                    err(format!(
                        "no size in {}..={} reaches the figures of {} {which}",
                        w.min, w.max, l.id
                    ))
                })?;
            sizes[i] = Some(best.0);
            group_plans[i] = Some(GroupPlan {
                group: l.id.clone(),
                size: best.0,
                rule: format!(
                    "\"{}\" read as {}..={}; {} needs the fewest missing answers ({}) for every figure to be reachable ({rounding})",
                    w.phrase, w.min, w.max, best.0, best.1
                ),
                candidates,
            });
        }
    }
    let unset: Vec<usize> = (0..levels.len()).filter(|&i| sizes[i].is_none()).collect();
    let assigned: u64 = sizes.iter().flatten().sum();
    match unset.as_slice() {
        [] => {}
        [i] => {
            let rest = total
                .checked_sub(assigned)
                .filter(|&r| r > 0)
                .ok_or_else(|| err("group sizes exceed the total".into()))?;
            sizes[*i] = Some(rest);
            group_plans[*i] = Some(GroupPlan {
                group: levels[*i].id.clone(),
                size: rest,
                rule: format!("the remainder of {total}"),
                candidates: vec![],
            });
        }
        _ => {
            return Err(err(
                "more than one group has neither a published nor an assumed size".into()
            ));
        }
    }
    let sizes: Vec<u64> = sizes.into_iter().map(|s| s.unwrap_or(0)).collect();
    if sizes.iter().sum::<u64>() != total {
        return Err(err(format!("group sizes {sizes:?} do not add up to the total {total}")));
    }
    // 3-4. Bases and counts.
    let mut plans = Vec::new();
    for (qi, q) in codebook.questions.iter().enumerate() {
        let n_options = q.options.len();
        let mut per_group: Vec<Option<(u64, Vec<u64>, String)>> = vec![None; levels.len()];
        // Pinned counts.
        let mut pinned = vec![vec![None; n_options]; levels.len()];
        for a in codebook.assumptions.iter().filter(|a| a.item.question == qi) {
            pinned[a.group][a.item.option] = Some(a.count);
        }
        for (g, l) in levels.iter().enumerate() {
            let figs = codebook.question_figures(qi, GroupRef::Level(g));
            if figs.is_empty() {
                continue;
            }
            let just: Vec<Figure> = figs.iter().map(|(_, f)| (*f).clone()).collect();
            let d = min_missing(&just, sizes[g], rounding, sizes[g] / 2)
                .ok_or_else(|| err(format!("{} in {}: figures unreachable", q.id, l.id)))?;
            let base = sizes[g] - d;
            let mut c = vec![0u64; n_options];
            for (o, f) in &figs {
                c[*o] = representative(f, base, codebook).ok_or_else(|| {
                    err(format!("{} in {}: {} unreachable on {base}", q.id, l.id, f.text))
                })?;
            }
            let rule = format!(
                "base {base} ({} missing: the fewest that make {} reachable); counts nearest the middle of each figure's interval",
                d,
                figs.iter().map(|(_, f)| f.text.clone()).collect::<Vec<_>>().join(" and ")
            );
            per_group[g] = Some((base, c, rule));
        }
        // Whole-sample figures, split across groups without their own figures.
        let all = codebook.question_figures(qi, GroupRef::All);
        if !all.is_empty() {
            let open: Vec<usize> = (0..levels.len()).filter(|&g| per_group[g].is_none()).collect();
            let base_all: u64 = (0..levels.len())
                .map(|g| per_group[g].as_ref().map_or(sizes[g], |p| p.0))
                .sum::<u64>();
            let mut split = vec![vec![0u64; n_options]; levels.len()];
            for (o, f) in &all {
                let k_total = representative(f, base_all, codebook).ok_or_else(|| {
                    err(format!("{} ({}) unreachable on {base_all}", q.id, f.text))
                })?;
                let fixed: u64 = (0..levels.len())
                    .map(|g| match &per_group[g] {
                        None => pinned[g][*o].unwrap_or(0),
                        Some(p) => p.1[*o],
                    })
                    .sum();
                let free: Vec<usize> =
                    open.iter().copied().filter(|&g| pinned[g][*o].is_none()).collect();
                let left = k_total
                    .checked_sub(fixed)
                    .ok_or_else(|| err(format!("{}: pinned counts exceed {}", q.id, f.text)))?;
                let weight: u64 = free.iter().map(|&g| sizes[g]).sum();
                let mut given = 0;
                let mut remainders = Vec::new();
                for &g in &free {
                    let exact = left as f64 * sizes[g] as f64 / weight.max(1) as f64;
                    split[g][*o] = exact.floor() as u64;
                    given += split[g][*o];
                    remainders.push((exact - exact.floor(), g));
                }
                remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                for (_, g) in remainders.into_iter().take((left - given) as usize) {
                    split[g][*o] += 1;
                }
                for &g in &open {
                    if let Some(p) = pinned[g][*o] {
                        split[g][*o] = p;
                    }
                }
            }
            for &g in &open {
                let rule = format!(
                    "whole-sample figure{} {} met on all {base_all}, split in proportion to group size{}",
                    if all.len() > 1 { "s" } else { "" },
                    all.iter().map(|(_, f)| f.text.clone()).collect::<Vec<_>>().join(", "),
                    if pinned[g].iter().any(Option::is_some) {
                        " (this group's count assumed in the codebook)"
                    } else {
                        ""
                    }
                );
                per_group[g] = Some((sizes[g], split[g].clone(), rule));
            }
        }
        for (g, l) in levels.iter().enumerate() {
            let Some((base, mut c, rule)) = per_group[g].take() else {
                plans.push(QuestionPlan {
                    question: q.id.clone(),
                    group: l.id.clone(),
                    base: 0,
                    missing: sizes[g],
                    counts: vec![0; n_options],
                    rule: "no figure published for this group: left unanswered".into(),
                });
                continue;
            };
            // The option(s) without a figure take what is left (the last such option).
            let with_figure: Vec<bool> = (0..n_options)
                .map(|o| {
                    codebook.figures.iter().any(|f| {
                        f.item.question == qi
                            && f.item.option == o
                            && (f.group == GroupRef::Level(g) || f.group == GroupRef::All)
                    }) || pinned[g][o].is_some()
                })
                .collect();
            let used: u64 = c.iter().sum();
            let rest = base
                .checked_sub(used)
                .ok_or_else(|| err(format!("{} in {}: counts exceed the base", q.id, l.id)))?;
            let filler = match q.kind {
                QuestionKind::YesNo => Some(1),
                QuestionKind::SingleChoice => (0..n_options).rev().find(|&o| !with_figure[o]),
            };
            match filler {
                Some(o) => c[o] += rest,
                None if rest == 0 => {}
                None => {
                    return Err(err(format!(
                        "{} in {}: {rest} answers left over and no option to take them",
                        q.id, l.id
                    )));
                }
            }
            plans.push(QuestionPlan {
                question: q.id.clone(),
                group: l.id.clone(),
                base,
                missing: sizes[g] - base,
                counts: c,
                rule,
            });
        }
    }
    // 5. Rows.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let header: Vec<String> = codebook.columns().into_iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(total as usize);
    for (g, l) in levels.iter().enumerate() {
        let n = sizes[g] as usize;
        let mut columns: Vec<Vec<String>> = Vec::new();
        for q in &codebook.questions {
            let plan = plans
                .iter()
                .find(|p| p.question == q.id && p.group == l.id)
                .ok_or_else(|| err(format!("{} in {}: no plan", q.id, l.id)))?;
            let mut answers: Vec<String> = Vec::with_capacity(n);
            for (o, &k) in plan.counts.iter().enumerate() {
                answers.extend(std::iter::repeat_n(q.options[o].code.clone(), k as usize));
            }
            answers.extend(std::iter::repeat_n(String::new(), plan.missing as usize));
            shuffle(&mut answers, &mut rng);
            columns.push(answers);
        }
        for i in 0..n {
            let mut row = vec![String::new(), l.code.clone()];
            if codebook.weight_column.is_some() {
                row.push("1".into());
            }
            if codebook.wave_column.is_some() {
                row.push("1".into());
            }
            row.extend(columns.iter().map(|c| c[i].clone()));
            rows.push(row);
        }
    }
    shuffle(&mut rows, &mut rng);
    let width = total.to_string().len().max(3);
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = format!("{:0width$}", i + 1);
    }
    Ok(Reconstruction {
        seed,
        total,
        total_rule,
        groups: group_plans.into_iter().flatten().collect(),
        questions: plans,
        header,
        rows,
    })
}

/// Fisher-Yates shuffle (kept here so the output does not depend on rand's own
/// shuffle, which may change between versions).
fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}
