//! What `invitestat check` prints: what was read from an article (with the words each
//! extraction used), each claim's verdict from the printed figures alone, and every
//! numeric sentence not used, with the reason. As text, or as one JSON document.

use crate::article::{ClaimDraft, GroupSize, Reading, Who};
use crate::claims::ClaimVerdict;
use crate::format::visible_bidi;
use serde_json::{Value, json};
use std::fmt::Write;

/// A reading and the verdicts of its claims (or why they could not be judged).
#[derive(Debug, Clone, Copy)]
pub struct CheckSummary<'a> {
    /// What was read.
    pub reading: &'a Reading,
    /// The verdicts, in the reading's claim order, or why none could be given.
    pub verdicts: Result<&'a [ClaimVerdict], &'a str>,
    /// Seed of the reconstruction the claims were judged on.
    pub seed: u64,
    /// Confidence level of the verdicts, e.g. "95%".
    pub level: &'a str,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", visible_bidi(s))
}

impl CheckSummary<'_> {
    fn claim_kind(&self, draft: &ClaimDraft) -> String {
        let r = self.reading;
        let item = |(q, o): (usize, usize)| {
            let question = &r.questions[q];
            if question.single_choice {
                format!("{}: {}", question.label, question.options[o])
            } else {
                question.label.clone()
            }
        };
        let whos = |g: &[Who]| g.iter().map(|&w| r.who_label(w)).collect::<Vec<_>>().join(", ");
        match draft {
            ClaimDraft::Majority { item: i, groups, .. } => {
                format!("majority of {} on '{}'", whos(groups), item(*i))
            }
            ClaimDraft::Ratio { item: i, numerator, denominator, value, more_than } => format!(
                "{} / {} {} {value} on '{}'",
                r.groups[*numerator].label,
                r.groups[*denominator].label,
                if *more_than { "more than" } else { "about" },
                item(*i)
            ),
            ClaimDraft::Paired { a, b, groups } => {
                format!("'{}' more common than '{}' ({})", item(*a), item(*b), whos(groups))
            }
            ClaimDraft::Differ { items } => {
                format!("the two groups differ on {} items", items.len())
            }
            ClaimDraft::GroupsDiffer { item: i, groups } => {
                let ws: Vec<Who> = groups.iter().map(|&g| Who::Group(g)).collect();
                format!("{} differ on '{}'", whos(&ws), item(*i))
            }
        }
    }

    /// The summary as text.
    pub fn to_text(&self) -> String {
        let r = self.reading;
        let mut t = String::new();
        let _ = writeln!(
            t,
            "{}: {} sentences, {} with numbers",
            visible_bidi(&r.source),
            r.sentences,
            r.numeric_sentences
        );
        match &r.sample {
            Some(s) => {
                let _ = writeln!(
                    t,
                    "Sample: {} {} (line {}: {})",
                    s.size,
                    visible_bidi(&s.noun),
                    s.evidence.line,
                    quote(&s.evidence.words)
                );
            }
            None => t.push_str("Sample: no size printed\n"),
        }
        t.push_str("Groups:\n");
        for g in &r.groups {
            let size = match &g.size {
                GroupSize::Published { window } if window.text == window.to_string() => {
                    window.text.clone()
                }
                GroupSize::Published { window } => format!("{} ({window})", window.text),
                GroupSize::Assumed { size, why } => format!("{size}, assumed ({why})"),
                GroupSize::Remainder => "the rest of the sample".into(),
            };
            let terms = if g.terms.is_empty() {
                String::new()
            } else {
                format!(
                    "; named {}",
                    g.terms.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
                )
            };
            let _ = writeln!(t, "  {}: {size}{terms}", visible_bidi(&g.label));
        }
        let _ = writeln!(t, "Figures ({}, on {} questions):", r.figures.len(), r.questions.len());
        for f in &r.figures {
            let q = &r.questions[f.question];
            let what = if q.single_choice {
                format!("{}: {}", q.label, q.options[f.option])
            } else {
                q.label.clone()
            };
            let _ = writeln!(
                t,
                "  {:<20} line {:<4} {} {}: {} (from {})",
                f.id,
                f.evidence.line,
                visible_bidi(r.who_label(f.group)),
                f.printed,
                visible_bidi(&what),
                quote(&f.evidence.words)
            );
        }
        for e in &r.repeats {
            let _ = writeln!(t, "  repeat line {:<4} {} ({})", e.line, quote(&e.words), e.rule);
        }
        let _ = writeln!(
            t,
            "Claims ({}), judged from the printed figures alone at the {} level (reconstruction seed {}):",
            r.claims.len(),
            self.level,
            self.seed
        );
        for (i, c) in r.claims.iter().enumerate() {
            let verdict = match self.verdicts {
                Ok(v) => v.get(i).map_or("not judged", |v| v.verdict.name()),
                Err(_) => "not judged",
            };
            let _ = writeln!(
                t,
                "  {:<4} line {:<4} {verdict}: {}",
                c.id,
                c.evidence.line,
                visible_bidi(&self.claim_kind(&c.draft))
            );
            let _ = writeln!(t, "       {}", quote(&crate::format::fit(&c.text, 160)));
            let _ =
                writeln!(t, "       read from {} ({})", quote(&c.evidence.words), c.evidence.rule);
            if let Ok(v) = self.verdicts
                && let Some(v) = v.get(i)
            {
                let _ = writeln!(t, "       {}", visible_bidi(&v.summary));
            }
        }
        if let Err(why) = self.verdicts {
            let _ = writeln!(t, "  The claims could not be judged: {why}");
        }
        let _ = writeln!(t, "Not used ({} sentences):", r.unread.len());
        for u in &r.unread {
            let _ = writeln!(
                t,
                "  line {:<4} {}: {}",
                u.line,
                quote(&crate::format::fit(&u.sentence, 100)),
                visible_bidi(&u.reason)
            );
        }
        t
    }

    /// The summary as JSON: the reading, the verdicts (or the error), the seed, and the
    /// draft codebook's TOML.
    pub fn to_json(&self) -> Value {
        let (verdicts, error) = match self.verdicts {
            Ok(v) => (json!(v), Value::Null),
            Err(e) => (Value::Null, json!(e)),
        };
        json!({
            "reading": self.reading,
            "verdicts": verdicts,
            "error": error,
            "seed": self.seed,
            "level": self.level,
            "draft": self.reading.to_toml(),
        })
    }
}
