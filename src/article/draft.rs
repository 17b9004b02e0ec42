//! The draft codebook of a [`Reading`], as TOML with the evidence in comments.

use super::{ClaimDraft, GroupSize, Item, Reading, Who};
use crate::format::{toml_comment as comment, toml_string as quoted};
use std::fmt::Write;

fn study_id(title: &str) -> String {
    let words: Vec<String> = title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_string)
        .collect();
    if words.is_empty() { "article".into() } else { words.join("-") }
}

impl Reading {
    fn item_ref(&self, (q, o): Item) -> (String, String) {
        let question = &self.questions[q];
        (question.id.clone(), question.code(o))
    }

    fn who_list(&self, groups: &[Who]) -> String {
        let ids: Vec<String> = groups.iter().map(|&w| quoted(self.who_id(w))).collect();
        format!("[{}]", ids.join(", "))
    }

    /// The draft codebook: valid TOML that [`crate::Codebook::from_toml`] accepts, each
    /// extraction's words and rule in a comment above it, the sentences not used listed
    /// at the end.
    pub fn to_toml(&self) -> String {
        let mut t = String::new();
        t += &comment(&format!(
            "Codebook drafted by `invitestat check` from {}: each figure and claim below was",
            self.source
        ));
        t += "# read from the text by the rule named above it. Correct what was misread, then\n";
        t += "# judge the claims again with `invitestat check --codebook THIS-FILE`.\n\n";
        t += "id_column = \"id\"\n\n[study]\n";
        let _ = writeln!(t, "id = {}", quoted(&study_id(&self.title)));
        let _ = writeln!(t, "title = {}", quoted(&self.title));
        let _ = writeln!(
            t,
            "source = {}",
            quoted(&format!("{} (read by invitestat check)", self.source))
        );
        t += "unit = \"respondent\"\n";
        if let Some(s) = &self.sample {
            t += &comment(&format!(
                "line {}: \"{}\" ({})",
                s.evidence.line, s.evidence.words, s.evidence.rule
            ));
            if s.size.min != s.size.max {
                t += &comment(&format!(
                    "\"{}\" allows {} to {}: the draft takes {}; correct it if the total is known",
                    s.size.text, s.size.min, s.size.max, s.size.min
                ));
            }
            let _ = writeln!(t, "published_total = {}", s.size.min);
        }
        t += "rounding = \"half-up\"\n\n[grouping]\ncolumn = \"group\"\n";
        for g in &self.groups {
            t += "\n[[grouping.levels]]\n";
            for e in &g.evidence {
                if e.line > 0 {
                    t += &comment(&format!("line {}: \"{}\" ({})", e.line, e.words, e.rule));
                } else {
                    t += &comment(&e.rule);
                }
            }
            let _ = writeln!(
                t,
                "id = {}\ncode = {}\nlabel = {}",
                quoted(&g.id),
                quoted(&g.code),
                quoted(&g.label)
            );
            match &g.size {
                GroupSize::Published { window } => {
                    let d = window.max.div_ceil(10).max(5);
                    let _ = writeln!(
                        t,
                        "published_size = {{ phrase = {}, min = {}, max = {}, search = [{}, {}] }}",
                        quoted(&window.text),
                        window.min,
                        window.max,
                        window.min.saturating_sub(d).max(1),
                        window.max + d
                    );
                }
                GroupSize::Assumed { size, why } => {
                    t += &comment(why);
                    let _ = writeln!(t, "assumed_size = {size}");
                }
                GroupSize::Remainder => t += "# its size: what the total leaves\n",
            }
        }
        for q in &self.questions {
            t += "\n[[questions]]\n";
            let _ = writeln!(
                t,
                "id = {}\nlabel = {}\ntext = {}",
                quoted(&q.id),
                quoted(&q.label),
                quoted(&q.text)
            );
            let _ = writeln!(
                t,
                "kind = {}",
                quoted(if q.single_choice { "single-choice" } else { "yes-no" })
            );
            if !q.single_choice {
                t += "yes = \"1\"\n";
            }
            let options: Vec<String> = q
                .options
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{{ code = {}, label = {} }}", quoted(&q.code(i)), quoted(l)))
                .collect();
            let _ = writeln!(t, "options = [{}]", options.join(", "));
        }
        for f in &self.figures {
            t += "\n[[figures]]\n";
            t += &comment(&format!(
                "line {}: \"{}\" ({})",
                f.evidence.line, f.evidence.words, f.evidence.rule
            ));
            let (question, option) = self.item_ref((f.question, f.option));
            let _ = writeln!(
                t,
                "id = {}\nlabel = {}\nquestion = {}\noption = {}\ngroup = {}\nprinted = {}\nquote = {}",
                quoted(&f.id),
                quoted(&f.label),
                quoted(&question),
                quoted(&option),
                quoted(self.who_id(f.group)),
                quoted(&f.printed),
                quoted(&f.quote)
            );
        }
        for c in &self.claims {
            t += "\n[[claims]]\n";
            t += &comment(&format!(
                "line {}: \"{}\" ({})",
                c.evidence.line, c.evidence.words, c.evidence.rule
            ));
            let _ = writeln!(
                t,
                "id = {}\ntext = {}\nkind = {}",
                quoted(&c.id),
                quoted(&c.text),
                quoted(c.draft.kind())
            );
            match &c.draft {
                ClaimDraft::Majority { item, groups, check_difference } => {
                    let (q, o) = self.item_ref(*item);
                    let _ = writeln!(
                        t,
                        "question = {}\noption = {}\ngroups = {}\nthreshold = 0.5",
                        quoted(&q),
                        quoted(&o),
                        self.who_list(groups)
                    );
                    if *check_difference {
                        t += "check_difference = true\n";
                    }
                }
                ClaimDraft::Ratio { item, numerator, denominator, value, more_than } => {
                    let (q, o) = self.item_ref(*item);
                    let _ = writeln!(
                        t,
                        "question = {}\noption = {}\nnumerator = {}\ndenominator = {}\nvalue = {:?}\nrelation = {}",
                        quoted(&q),
                        quoted(&o),
                        quoted(&self.groups[*numerator].id),
                        quoted(&self.groups[*denominator].id),
                        value,
                        quoted(if *more_than { "more-than" } else { "about" })
                    );
                }
                ClaimDraft::Paired { a, b, groups } => {
                    let (qa, oa) = self.item_ref(*a);
                    let (qb, ob) = self.item_ref(*b);
                    let _ = writeln!(
                        t,
                        "question_a = {}\noption_a = {}\nquestion_b = {}\noption_b = {}\ngroups = {}",
                        quoted(&qa),
                        quoted(&oa),
                        quoted(&qb),
                        quoted(&ob),
                        self.who_list(groups)
                    );
                }
                ClaimDraft::Differ { items } => {
                    let list: Vec<String> = items
                        .iter()
                        .map(|&i| {
                            let (q, o) = self.item_ref(i);
                            quoted(&format!("{q}:{o}"))
                        })
                        .collect();
                    let _ = writeln!(t, "items = [{}]", list.join(", "));
                }
                ClaimDraft::GroupsDiffer { item, groups } => {
                    let (q, o) = self.item_ref(*item);
                    let ids: Vec<Who> = groups.iter().map(|&g| Who::Group(g)).collect();
                    let _ = writeln!(
                        t,
                        "question = {}\noption = {}\ngroups = {}",
                        quoted(&q),
                        quoted(&o),
                        self.who_list(&ids)
                    );
                }
            }
        }
        if !self.unread.is_empty() {
            t += "\n# Sentences with numbers or claim words that were not used:\n";
            for u in &self.unread {
                t += &comment(&format!(
                    "line {}: \"{}\": {}",
                    u.line,
                    crate::format::fit(&u.sentence, 160),
                    u.reason
                ));
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_stay_one_valid_line() {
        assert_eq!(
            study_id("What Really Happens When You Send a LinkedIn Invitation"),
            "what-really-happens-when-you-send"
        );
    }
}
