//! The reading rules of [`super`], applied in order: the sample, the figures and their
//! groups, the questions, the claims, the sizes not printed, and the sentences left.

use super::text::{self, NUMBER_WORDS, Token, TokenKind, content_stems, stem};
use super::{
    ClaimDraft, Evidence, Group, GroupSize, Item, Question, ReadClaim, ReadFigure, Reading, Sample,
    Unread, Who,
};
use crate::consistency::{Figure, Rounding, smallest_base};
use crate::format::capitalised;
use crate::printed::BaseWindow;

/// Most sentences read (an article has far fewer); the rest are listed as not read, so
/// that the rules' pairwise matching stays bounded on any text.
pub const MAX_SENTENCES: usize = 5_000;

/// Verbs that introduce a sample ("We surveyed 400 ...").
const SURVEY_VERBS: &[&str] = &[
    "surveyed",
    "interviewed",
    "polled",
    "questioned",
    "asked",
    "sampled",
    "studied",
    "contacted",
];
/// Auxiliaries a measured clause starts from.
const AUX: &[&str] = &[
    "are", "is", "were", "was", "will", "would", "have", "has", "had", "do", "does", "did", "can",
    "could", "should",
];
/// Conjunctions that end a measured clause.
const BOUNDARY_WORDS: &[&str] = &[
    "because", "although", "though", "compared", "while", "whereas", "but", "since", "unless",
    "yet", "versus",
];
/// Words that end a group phrase read forwards ("of the non-recruiters we surveyed").
const GROUP_STOPS: &[&str] = &[
    "who",
    "that",
    "which",
    "we",
    "they",
    "i",
    "you",
    "will",
    "would",
    "are",
    "is",
    "were",
    "was",
    "have",
    "has",
    "had",
    "do",
    "did",
    "does",
    "just",
    "can",
    "could",
    "to",
    "in",
    "on",
    "at",
    "for",
    "from",
    "with",
    "by",
    "compared",
    "than",
    "although",
    "while",
    "whereas",
    "but",
    "not",
    "only",
    "also",
    "presently",
    "currently",
    "still",
    "say",
    "said",
    "says",
    "work",
    "works",
    "behave",
    "behaves",
    "accept",
    "accepts",
    "use",
    "uses",
    "used",
    "using",
    "think",
    "made",
    "make",
];
/// Words that end a group phrase read backwards ("both recruiters (87%)").
const BACK_STOPS: &[&str] = &[
    "of",
    "both",
    "and",
    "or",
    "including",
    "like",
    "majorities",
    "majority",
    "among",
    "by",
    "for",
    "than",
    "as",
    "with",
];
/// Words for the whole sample.
const ALL_NOUNS: &[&str] = &[
    "people",
    "respondents",
    "members",
    "everyone",
    "everybody",
    "participants",
    "users",
    "adults",
    "ones",
    "those",
    "senders",
    "persons",
    "individuals",
    "sample",
    "them",
    "us",
];
/// Words that mark the group that is not the named subgroup.
const COMPLEMENT_WORDS: &[&str] = &["general", "other", "others", "rest", "remaining", "remainder"];
/// Words that set groups side by side.
const CONTRAST: &[&str] = &[
    "only", "but", "while", "whereas", "compared", "although", "though", "than", "versus", "vs",
    "yet",
];
/// Words that make a measure one answer of a single-choice question.
const MAINLY: &[&str] = &["mainly", "main", "primarily", "chiefly", "mostly", "principally"];
/// Words of a ratio's comparison ("as likely as").
const LIKELY: &[&str] = &["likely", "many", "often", "common", "frequently", "much", "prevalent"];
/// Factors written as words.
const FACTOR_WORDS: [(&str, f64); 10] = [
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("half", 0.5),
];

/// One printed percentage in a sentence and the words around it.
#[derive(Debug, Clone)]
struct Mention {
    figure: Figure,
    /// The group phrase ("non-recruiters"), None for the whole sample.
    phrase: Option<String>,
    /// The first word of a relative clause on the group ("who *answered* ...").
    relative_verb: Option<String>,
    /// Token span of the mention.
    start: usize,
    end: usize,
    words: String,
}

/// A sentence and what the reading did with it.
struct Line {
    line: usize,
    paragraph: usize,
    text: String,
    tokens: Vec<Token>,
    used: bool,
    notes: Vec<String>,
}

/// A figure sentence before its question is known.
struct Candidate {
    sentence: usize,
    figures: Vec<(Who, Figure, String)>,
    clause: Vec<String>,
    measure: String,
    stems: Vec<String>,
}

/// What a group phrase names.
enum Class {
    All,
    Complement(String),
    Alias(String),
    Named(String),
}

fn normalise(phrase: &str) -> String {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let skip = words
        .iter()
        .take_while(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "the" | "a" | "an" | "both" | "all" | "our" | "these"
            )
        })
        .count();
    words[skip..].join(" ").to_lowercase()
}

fn classify(phrase: &str, sample_noun: Option<&str>) -> Class {
    let p = normalise(phrase);
    let words: Vec<&str> = p.split_whitespace().collect();
    let last = words.last().copied().unwrap_or("");
    if sample_noun.is_some_and(|n| n.to_lowercase() == p) || ALL_NOUNS.contains(&last) {
        return Class::All;
    }
    if let Some(rest) = p.strip_prefix("non-").or_else(|| p.strip_prefix("non ")) {
        return Class::Complement(rest.to_string());
    }
    if words.iter().any(|w| COMPLEMENT_WORDS.contains(w)) {
        let rest: Vec<&str> =
            words.iter().copied().filter(|w| !COMPLEMENT_WORDS.contains(w)).collect();
        return Class::Alias(rest.join(" "));
    }
    Class::Named(p)
}

fn slug(text: &str, words: usize) -> String {
    let parts: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "the" | "a" | "an" | "of" | "to" | "s" | "ve"))
        .take(words)
        .map(str::to_string)
        .collect();
    if parts.is_empty() { "item".into() } else { parts.join("_") }
}

fn unique(id: String, taken: &[String]) -> String {
    if !taken.contains(&id) {
        return id;
    }
    (2..).map(|i| format!("{id}_{i}")).find(|c| !taken.contains(c)).unwrap_or(id)
}

/// A qualifier before token `j` ("almost", "more than"): its first token and its words.
fn qualifier(toks: &[Token], j: usize) -> (usize, String) {
    if j >= 2 {
        let two = format!("{} {}", toks[j - 2].lower, toks[j - 1].lower);
        if [
            "more than",
            "fewer than",
            "less than",
            "just under",
            "just over",
            "at least",
            "at most",
            "up to",
        ]
        .contains(&two.as_str())
        {
            return (j - 2, two);
        }
    }
    if j >= 1
        && toks[j - 1].is_any(&[
            "about",
            "around",
            "roughly",
            "approximately",
            "almost",
            "nearly",
            "over",
            "under",
            "some",
            "below",
            "above",
        ])
    {
        return (j - 1, toks[j - 1].lower.clone());
    }
    (j, String::new())
}

/// A sample or group size from a qualifier and a number.
fn base_window(q: &str, number: &str) -> Option<BaseWindow> {
    let q = match q {
        "some" => "about",
        "below" => "under",
        "above" => "over",
        "at most" | "up to" => "",
        q => q,
    };
    let text = if q.is_empty() { number.to_string() } else { format!("{q} {number}") };
    text.parse().ok()
}

/// The printed figure of a percentage token and its qualifier.
fn printed(q: &str, token: &str) -> Option<Figure> {
    let rel = match q {
        "less than" | "fewer than" | "under" | "below" | "just under" => "<",
        "more than" | "over" | "above" | "just over" => ">",
        "at least" => ">=",
        "at most" | "up to" => "<=",
        _ => "",
    };
    format!("{rel}{token}").parse().ok()
}

/// Group phrase read forwards from `from`: `(phrase end, relative verb, mention end)`.
fn forward_phrase(toks: &[Token], from: usize) -> (usize, usize, Option<String>, usize) {
    let n = toks.len();
    let mut j = from;
    while j < n && toks[j].is_any(&["the", "our", "all", "both", "these"]) {
        j += 1;
    }
    let start = j;
    while j < n && j - start < 6 {
        let t = &toks[j];
        if t.kind != TokenKind::Word || t.is_any(GROUP_STOPS) {
            break;
        }
        if t.is_any(&["and", "or"]) {
            let next = toks.get(j + 1);
            if next.is_none_or(|x| x.kind != TokenKind::Word || x.is("of")) {
                break;
            }
        }
        j += 1;
    }
    let phrase_end = j;
    let mut end = j;
    let mut relative = None;
    if j < n && toks[j].is_any(&["who", "that", "which"]) && j > start {
        relative = toks.get(j + 1).map(|t| t.lower.clone());
        end = j + 2;
        while end < n
            && !toks[end].is_punct(",;:(\u{2013}.")
            && !toks[end].is_any(BOUNDARY_WORDS)
            && !toks[end].is_any(AUX)
        {
            end += 1;
        }
        end = end.min(n);
    } else if j + 1 < n && toks[j].is_any(&["we", "i"]) && toks[j + 1].is_any(SURVEY_VERBS) {
        end = j + 2;
    }
    (start, phrase_end, relative, end)
}

/// The printed percentages of a sentence.
fn mentions(toks: &[Token], notes: &mut Vec<String>) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for i in 0..toks.len() {
        if !toks[i].is_percent() {
            continue;
        }
        let (qstart, q) = qualifier(toks, i);
        let Some(figure) = printed(&q, &toks[i].text) else {
            notes.push(format!("'{}' is not a percentage invitestat reads", toks[i].text));
            continue;
        };
        let bracketed =
            i >= 1 && toks[i - 1].is_punct("(") && toks.get(i + 1).is_some_and(|t| t.is_punct(")"));
        let (phrase, relative, start, end) = if toks.get(i + 1).is_some_and(|t| t.is("of")) {
            let (ps, pe, relative, end) = forward_phrase(toks, i + 2);
            let phrase = (pe > ps).then(|| join_words(&toks[ps..pe]));
            (phrase, relative, qstart, end.max(i + 2))
        } else if bracketed {
            let mut k = i - 1;
            while k > 0
                && toks[k - 1].kind == TokenKind::Word
                && !toks[k - 1].is_any(BACK_STOPS)
                && (i - 1) - (k - 1) <= 4
            {
                k -= 1;
            }
            let phrase = (k < i - 1).then(|| join_words(&toks[k..i - 1]));
            (phrase, None, k, i + 2)
        } else {
            (None, None, qstart, i + 1)
        };
        if out.last().is_some_and(|m| start < m.end) {
            notes.push(format!("'{}' overlaps the figure before it", toks[i].text));
            continue;
        }
        let words = toks[start..end].iter().map(|t| t.text.as_str()).collect::<Vec<_>>();
        out.push(Mention {
            figure,
            phrase,
            relative_verb: relative,
            start,
            end,
            words: tidy(&words),
        });
    }
    out
}

/// Tokens joined with single spaces, punctuation attached.
fn tidy(words: &[&str]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        let attach = i == 0
            || matches!(*w, "," | "." | ";" | ":" | ")" | "%" | "!" | "?")
            || s.ends_with('(');
        if !attach {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

fn join_words(toks: &[Token]) -> String {
    tidy(&toks.iter().map(|t| t.text.as_str()).collect::<Vec<_>>())
}

/// The clause a sentence's figures measure (token range), read after the first figure.
fn clause_after(toks: &[Token], ms: &[Mention]) -> (usize, usize) {
    let n = toks.len();
    let is_start = |j: usize| ms.iter().find(|m| m.start == j);
    let mut j = ms[0].end;
    loop {
        if j >= n {
            break;
        }
        if let Some(m) = is_start(j) {
            j = m.end;
            continue;
        }
        if toks[j].is_punct("(") {
            let close = (j..n).find(|&k| toks[k].is_punct(")"));
            if let Some(c) = close
                && !toks[j..c].iter().any(Token::is_percent)
            {
                j = c + 1;
                continue;
            }
        }
        if (toks[j].is_any(&["and", "or", "both"]) || toks[j].is_punct(","))
            && is_start(j + 1).is_some()
        {
            j += 1;
            continue;
        }
        if j + 1 < n && toks[j].is_any(&["we", "i"]) && toks[j + 1].is_any(SURVEY_VERBS) {
            j += 2;
            continue;
        }
        break;
    }
    let a = j;
    while j < n
        && !toks[j].is_punct(",;:(\u{2013}.!?\"")
        && !toks[j].is_any(BOUNDARY_WORDS)
        && is_start(j).is_none()
    {
        j += 1;
    }
    (a, j)
}

/// Whether a clause points back ("this way", "for that reason").
fn anaphoric(words: &[String]) -> bool {
    words.is_empty()
        || words.windows(2).any(|w| {
            matches!(
                (w[0].as_str(), w[1].as_str()),
                ("this", "way") | ("that", "reason") | ("the", "same") | ("do", "so")
            )
        })
}

/// The measured clause of an antecedent: from "likely as X to" or the first auxiliary,
/// to the next comma, colon or parenthesis.
fn antecedent(text: &str, toks: &[Token]) -> String {
    let n = toks.len();
    let mut start = 0;
    if let Some(l) = toks.iter().position(|t| t.is("likely"))
        && let Some(to) = (l + 1..n.min(l + 6)).find(|&k| toks[k].is("to"))
    {
        start = to + 1;
    } else if let Some(a) = toks.iter().position(|t| t.is_any(AUX)) {
        start = a;
    }
    let mut end = start;
    while end < n && !toks[end].is_punct(",;:(\u{2013}.!?") && !toks[end].is_any(BOUNDARY_WORDS) {
        end += 1;
    }
    if end > start { text[toks[start].start..toks[end - 1].end].to_string() } else { String::new() }
}

fn without_aux(text: &str) -> String {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    while words.first().is_some_and(|w| AUX.contains(&w.to_lowercase().as_str())) {
        words.remove(0);
    }
    words.join(" ")
}

struct Registry {
    groups: Vec<Group>,
    /// The subgroup (level 0) and its complement, when the design is "X and the rest".
    subgroup: Option<(usize, usize)>,
    sample_noun: Option<String>,
}

impl Registry {
    fn resolve(&mut self, phrase: &str) -> Result<Who, String> {
        let p = normalise(phrase);
        // A phrase already known as a group's term.
        if let Some(g) = self.groups.iter().position(|g| g.terms.iter().any(|t| normalise(t) == p))
        {
            return Ok(Who::Group(g));
        }
        match classify(phrase, self.sample_noun.as_deref()) {
            Class::All => Ok(Who::All),
            Class::Complement(rest) => match self.subgroup {
                Some((s, c)) if self.matches(s, &rest) => Ok(Who::Group(c)),
                _ => Err(format!("'{phrase}' is the complement of no group of the survey")),
            },
            Class::Alias(rest) => match self.subgroup {
                Some((_, c)) => {
                    if !rest.is_empty() && !self.groups[c].terms.contains(&rest) {
                        self.groups[c].terms.push(rest);
                    }
                    Ok(Who::Group(c))
                }
                None => Err(format!(
                    "'{phrase}' means the other respondents, but the survey has no one subgroup"
                )),
            },
            Class::Named(name) => (0..self.groups.len())
                .find(|&g| self.matches(g, &name))
                .map(Who::Group)
                .ok_or_else(|| format!("'{phrase}' names no group of the survey")),
        }
    }

    /// Whether `name` names group `g`: the stem of its last word is the stem of the last
    /// word of one of the group's terms ("a recruiter" / "recruiters").
    fn matches(&self, g: usize, name: &str) -> bool {
        let head = |s: &str| s.split_whitespace().last().map(stem).unwrap_or_default();
        let h = head(name);
        !h.is_empty() && self.groups[g].terms.iter().any(|t| head(&normalise(t)) == h)
    }
}

/// Reads an article's text (`source` names it in the draft and the messages).
///
/// Deterministic: the same text always gives the same reading.
pub fn read(text: &str, source: &str) -> Reading {
    let mut all = text::sentences(text);
    let beyond = (all.len() > MAX_SENTENCES).then(|| {
        let first = &all[MAX_SENTENCES];
        Unread {
            line: first.line,
            sentence: first.text.clone(),
            reason: format!(
                "the text has {} sentences; the first {MAX_SENTENCES} are read, this one and the {} after it are not",
                all.len(),
                all.len() - MAX_SENTENCES - 1
            ),
        }
    });
    all.truncate(MAX_SENTENCES);
    let mut lines: Vec<Line> = all
        .into_iter()
        .map(|s| Line {
            tokens: text::tokens(&s.text),
            line: s.line,
            paragraph: s.paragraph,
            text: s.text,
            used: false,
            notes: Vec::new(),
        })
        .collect();
    // A first line alone in its paragraph, short and not ending a sentence, is a title.
    let title = lines
        .first()
        .filter(|l| {
            l.paragraph == 0
                && lines.get(1).is_none_or(|m| m.paragraph > 0)
                && l.text.chars().count() <= 120
                && !l.text.ends_with(['.', ':', ';', ','])
        })
        .map_or_else(|| source.to_string(), |l| l.text.clone());

    // 1. The sample and the subgroup sizes given with it.
    let mut sample = None;
    let mut subgroup_size: Option<(BaseWindow, Vec<String>, Evidence)> = None;
    'sample: for l in &mut lines {
        let toks = &l.tokens;
        for i in 0..toks.len() {
            let verb = toks[i].is_any(SURVEY_VERBS)
                || (toks[i].is_any(&["survey", "poll", "sample", "study"])
                    && toks.get(i + 1).is_some_and(|t| t.is("of")));
            if !verb {
                continue;
            }
            let Some(j) = (i + 1..toks.len().min(i + 6))
                .find(|&j| toks[j].kind == TokenKind::Number && !toks[j].is_percent())
            else {
                continue;
            };
            let (qs, q) = qualifier(toks, j);
            let Some(size) = base_window(&q, &toks[j].text) else { continue };
            let mut k = j + 1;
            while k < toks.len()
                && toks[k].kind == TokenKind::Word
                && !toks[k].is_any(&[
                    "among",
                    "from",
                    "in",
                    "on",
                    "at",
                    "who",
                    "that",
                    "including",
                    "to",
                    "across",
                    "of",
                    "for",
                    "with",
                    "by",
                    "via",
                ])
                && k - j <= 6
            {
                k += 1;
            }
            let noun = join_words(&toks[j + 1..k]);
            let evidence = Evidence {
                line: l.line,
                words: join_words(&toks[qs.min(i)..k]),
                rule: "sample: a survey verb with a size".into(),
            };
            sample = Some(Sample { size: size.clone(), noun, evidence });
            subgroup_size = subgroup_in(toks, k, &size, l.line);
            l.used = true;
            break 'sample;
        }
    }

    // 2. Every printed percentage and the words around it.
    let mut all_mentions: Vec<Vec<Mention>> = Vec::new();
    for l in &mut lines {
        let ms = mentions(&l.tokens, &mut l.notes);
        all_mentions.push(ms);
    }

    // 3. The groups.
    let sample_noun = sample.as_ref().map(|s| s.noun.clone());
    let mut named: Vec<(String, Evidence)> = Vec::new();
    let mut complement_phrase: Option<String> = None;
    for (l, ms) in lines.iter().zip(&all_mentions) {
        for m in ms {
            let Some(p) = &m.phrase else { continue };
            match classify(p, sample_noun.as_deref()) {
                Class::Named(name) => {
                    let head = |s: &str| s.split_whitespace().last().map(stem).unwrap_or_default();
                    if !named.iter().any(|(n, _)| head(n) == head(&name)) {
                        named.push((
                            name,
                            Evidence {
                                line: l.line,
                                words: m.words.clone(),
                                rule: "group: the words after 'N% of' or before '(N%)'".into(),
                            },
                        ));
                    }
                }
                Class::Complement(_) if complement_phrase.is_none() => {
                    complement_phrase = Some(normalise(p));
                }
                _ => {}
            }
        }
    }
    let mut registry =
        build_groups(&named, complement_phrase.as_deref(), subgroup_size.as_ref(), sample_noun);

    // 4. Figures resolved to groups, and the clause each sentence measures.
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut repeat_of: Vec<Option<usize>> = vec![None; lines.len()];
    let mut repeats: Vec<Evidence> = Vec::new();
    // The figures of each sentence read so far (group and printed value, sorted).
    let mut seen_figures: std::collections::HashMap<Vec<(String, String)>, usize> =
        std::collections::HashMap::new();
    let mut sentence_candidate: Vec<Option<usize>> = vec![None; lines.len()];
    let mut clauses: Vec<Option<(Vec<String>, String)>> = vec![None; lines.len()];
    for (si, ms) in all_mentions.iter().enumerate() {
        if ms.is_empty() || lines[si].used {
            continue;
        }
        let toks = &lines[si].tokens;
        let (a, b) = clause_after(toks, ms);
        let words: Vec<String> = toks[a..b].iter().map(|t| t.lower.clone()).collect();
        let clause = if b > a { join_words(&toks[a..b]) } else { String::new() };
        let measure = if anaphoric(&words) {
            let mark = (0..ms[0].start).rev().find(|&k| toks[k].is_punct(":\u{2013}"));
            match mark {
                Some(k) => antecedent(&lines[si].text, &toks[..k]),
                None => si
                    .checked_sub(1)
                    .filter(|&p| lines[p].paragraph == lines[si].paragraph)
                    .map(|p| antecedent(&lines[p].text, &lines[p].tokens))
                    .unwrap_or_default(),
            }
        } else {
            clause.clone()
        };
        clauses[si] = Some((words, measure));
    }
    let clause_stems: Vec<Vec<String>> = clauses
        .iter()
        .map(|c| c.as_ref().map(|(_, m)| content_stems(&text::tokens(m))).unwrap_or_default())
        .collect();
    for (si, ms) in all_mentions.iter().enumerate() {
        let Some((clause, measure)) = clauses[si].clone() else { continue };
        let mut figures = Vec::new();
        let mut failed = Vec::new();
        for m in ms {
            let who = match &m.phrase {
                None => Ok(Who::All),
                Some(p) => registry.resolve(p),
            };
            let who = who.and_then(|w| match (&m.relative_verb, w) {
                (Some(verb), Who::All) => {
                    let s = stem(verb);
                    let elsewhere = clauses
                        .iter()
                        .enumerate()
                        .find(|(k, _)| *k != si && clause_stems[*k].contains(&s));
                    match elsewhere {
                        Some((k, c)) => Err(format!(
                            "{} of '{}': a share among those who gave an answer measured on line {} ('{}'), whose number is not printed, so the figure has no base to check",
                            m.figure.text,
                            m.words.trim_start_matches(&m.figure.text[..]).trim_start_matches(" of").trim(),
                            lines[k].line,
                            c.as_ref().map_or("", |(_, m)| m.as_str())
                        )),
                        None => Ok(Who::All),
                    }
                }
                (_, w) => Ok(w),
            });
            match who {
                Ok(w) => figures.push((w, m.figure.clone(), m.words.clone())),
                Err(e) => failed.push(e),
            }
        }
        if !failed.is_empty() {
            lines[si].notes.extend(failed);
            continue;
        }
        if measure.trim().is_empty() {
            lines[si]
                .notes
                .push("the figures measure nothing the sentence names after them".into());
            continue;
        }
        let mut seen: Vec<Who> = Vec::new();
        if figures.iter().any(|(w, _, _)| {
            let dup = seen.contains(w);
            seen.push(*w);
            dup
        }) {
            lines[si].notes.push(
                "two figures for one group in one sentence: which measures what is not clear"
                    .into(),
            );
            continue;
        }
        let mut key: Vec<(String, String)> =
            figures.iter().map(|(w, f, _)| (format!("{w:?}"), f.text.clone())).collect();
        key.sort();
        let earlier = seen_figures.get(&key).copied();
        lines[si].used = true;
        if let Some(e) = earlier {
            repeat_of[si] = Some(e);
            repeats.push(Evidence {
                line: lines[si].line,
                words: ms.iter().map(|m| m.words.as_str()).collect::<Vec<_>>().join(", "),
                rule: format!(
                    "the figures of F{} again (line {})",
                    e + 1,
                    lines[candidates[e].sentence].line
                ),
            });
            continue;
        }
        seen_figures.insert(key, candidates.len());
        sentence_candidate[si] = Some(candidates.len());
        let stems = content_stems(&text::tokens(&measure));
        candidates.push(Candidate { sentence: si, figures, clause, measure, stems });
    }

    // 5. Questions: one per figure sentence; options of one single-choice question when
    // two measures share their verb and one says "mainly".
    let head = |c: &Candidate| -> Vec<String> {
        c.clause.iter().skip_while(|w| AUX.contains(&w.as_str())).take(2).cloned().collect()
    };
    let mut question_of: Vec<(usize, usize)> = Vec::new(); // candidate -> (question, option)
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (ci, c) in candidates.iter().enumerate() {
        let h = head(c);
        let joined = members.iter().position(|m| {
            let first = &candidates[m[0]];
            h.len() == 2
                && head(first) == h
                && m.iter()
                    .chain([&ci])
                    .any(|&x| candidates[x].clause.iter().any(|w| MAINLY.contains(&w.as_str())))
        });
        match joined {
            Some(q) => {
                question_of.push((q, members[q].len()));
                members[q].push(ci);
            }
            None => {
                question_of.push((members.len(), 0));
                members.push(vec![ci]);
            }
        }
    }
    let mut questions: Vec<Question> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for m in &members {
        let first = &candidates[m[0]];
        let q = if m.len() == 1 {
            let label = capitalised(&without_aux(&first.measure));
            Question {
                id: unique(slug(&label, 4), &ids),
                label: crate::format::fit(&label, 80),
                text: first.measure.clone(),
                single_choice: false,
                options: vec!["Yes".into(), "No".into()],
            }
        } else {
            let shared = head(first).join(" ");
            let mut options: Vec<String> = m
                .iter()
                .map(|&x| {
                    let measure = without_aux(&candidates[x].measure);
                    let from_to =
                        measure.find(" to ").map_or(measure.as_str(), |i| &measure[i + 1..]);
                    capitalised(from_to)
                })
                .collect();
            options.push("Something else".into());
            let label = capitalised(&format!("{shared} (one answer)"));
            Question {
                id: unique(slug(&shared, 4), &ids),
                label,
                text: m
                    .iter()
                    .map(|&x| candidates[x].measure.clone())
                    .collect::<Vec<_>>()
                    .join(" / "),
                single_choice: true,
                options,
            }
        };
        ids.push(q.id.clone());
        questions.push(q);
    }
    let mut figures: Vec<ReadFigure> = Vec::new();
    for (ci, c) in candidates.iter().enumerate() {
        let label = format!("F{}", ci + 1);
        let (question, option) = question_of[ci];
        let l = &lines[c.sentence];
        for (who, figure, words) in &c.figures {
            let id = match (c.figures.len(), who) {
                (1, Who::All) => label.clone(),
                _ => format!("{label}-{}", registry_id(&registry, *who)),
            };
            figures.push(ReadFigure {
                id,
                label: label.clone(),
                question,
                option,
                group: *who,
                printed: figure.text.clone(),
                quote: l.text.clone(),
                evidence: Evidence {
                    line: l.line,
                    words: words.clone(),
                    rule: format!("figure of '{}'", c.measure),
                },
            });
        }
    }

    // 6. Claims.
    let ctx = Context {
        lines: &lines,
        candidates: &candidates,
        question_of: &question_of,
        repeat_of: &repeat_of,
        sentence_candidate: &sentence_candidate,
        figures: &figures,
        questions: &questions,
    };
    let mut claims: Vec<ReadClaim> = Vec::new();
    let mut claim_notes: Vec<(usize, String)> = Vec::new();
    let mut claimed: Vec<usize> = Vec::new();
    for (si, line) in lines.iter().enumerate() {
        for r in find_claims(&ctx, &mut registry, si) {
            match r {
                Ok((draft, words, rule)) => {
                    claims.push(ReadClaim {
                        id: format!("C{}", claims.len() + 1),
                        text: line.text.clone(),
                        draft,
                        evidence: Evidence { line: line.line, words, rule },
                    });
                    claimed.push(si);
                }
                Err(e) => claim_notes.push((si, e)),
            }
        }
    }
    for si in claimed {
        lines[si].used = true;
    }
    for (si, e) in claim_notes {
        lines[si].notes.push(e);
    }
    if let Some(c) = implied_differ(&registry, &figures, &lines, &candidates) {
        claims.push(ReadClaim { id: format!("C{}", claims.len() + 1), ..c });
    }

    // 7. Sizes not printed.
    assume_sizes(&mut registry.groups, &figures, Rounding::HalfUp);

    // 8. The sentences left: every one with a number, or with a note.
    let mut unread = Vec::new();
    let mut numeric = 0;
    for l in &lines {
        let numbers: Vec<&str> = l
            .tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Number || t.is_any(NUMBER_WORDS))
            .map(|t| t.text.as_str())
            .collect();
        if !numbers.is_empty() {
            numeric += 1;
        }
        let mut reasons = l.notes.clone();
        let percents = l.tokens.iter().any(Token::is_percent);
        if !l.used && !numbers.is_empty() && !percents {
            reasons.push(format!(
                "{}: no percentage, sample size or claim about the survey's figures (a count with no base, or another kind of number)",
                numbers.join(", ")
            ));
        } else if !l.used && reasons.is_empty() && !numbers.is_empty() {
            reasons.push("its percentages could not be bound to a group and a measure".into());
        }
        if !reasons.is_empty() && (!l.used || !l.notes.is_empty()) {
            unread.push(Unread {
                line: l.line,
                sentence: l.text.clone(),
                reason: reasons.join("; "),
            });
        }
    }

    unread.extend(beyond);
    Reading {
        source: source.to_string(),
        title,
        sentences: lines.len(),
        numeric_sentences: numeric,
        sample,
        groups: registry.groups,
        questions,
        figures,
        repeats,
        claims,
        unread,
    }
}

/// A subgroup's size given in the sample's sentence (from token `k`, after the
/// sample's noun): "including almost 60 who work in recruitment", "of whom 60 ...",
/// "60 of them ...", "about half of them ...", with the words describing it.
fn subgroup_in(
    toks: &[Token],
    k: usize,
    total: &BaseWindow,
    line: usize,
) -> Option<(BaseWindow, Vec<String>, Evidence)> {
    let found = |w: BaseWindow, desc_from: usize, words_from: usize, rule: &str| {
        let desc = description(toks, desc_from);
        Some((
            w,
            content_stems(&toks[desc_from..desc]),
            Evidence { line, words: join_words(&toks[words_from..desc]), rule: rule.into() },
        ))
    };
    for s in k..toks.len() {
        let intro = toks[s].is("including")
            || (toks[s].is("of") && toks.get(s + 1).is_some_and(|t| t.is("whom")));
        if !intro {
            continue;
        }
        let from = if toks[s].is("of") { s + 2 } else { s + 1 };
        let number = (from..toks.len().min(from + 3))
            .find(|&x| toks[x].kind == TokenKind::Number && !toks[x].is_percent());
        match number {
            Some(num) => {
                let (_, q) = qualifier(toks, num);
                if let Some(w) = base_window(&q, &toks[num].text) {
                    return found(
                        w,
                        num + 1,
                        s,
                        "subgroup: 'including N' in the sample's sentence",
                    );
                }
            }
            None => {
                if let Some((w, used)) = fraction_of(toks, from, total) {
                    return found(w, used, s, "subgroup: a share of the sample");
                }
            }
        }
    }
    for s in k..toks.len() {
        let of_them = toks.get(s + 1).is_some_and(|t| t.is("of"))
            && toks.get(s + 2).is_some_and(|t| t.is_any(&["them", "these", "whom"]));
        if toks[s].kind == TokenKind::Number && !toks[s].is_percent() && of_them {
            let (qs, q) = qualifier(toks, s);
            return base_window(&q, &toks[s].text)
                .and_then(|w| found(w, s + 3, qs, "subgroup: 'N of them'"));
        }
        if let Some((w, used)) = fraction_of(toks, s, total) {
            return found(w, used, s, "subgroup: a share of the sample");
        }
    }
    None
}

fn registry_id(r: &Registry, who: Who) -> String {
    match who {
        Who::All => "all".into(),
        Who::Group(g) => r.groups[g].id.clone(),
    }
}

/// The end of a subgroup's description ("who work in recruitment").
fn description(toks: &[Token], from: usize) -> usize {
    let mut k = from;
    while k < toks.len() && toks[k].kind == TokenKind::Word && !toks[k].is("to") {
        k += 1;
    }
    k
}

/// "about half of them": a window of the sample's size, and the token after "them".
fn fraction_of(toks: &[Token], at: usize, total: &BaseWindow) -> Option<(BaseWindow, usize)> {
    let fractions: [(&str, u64, u64); 6] = [
        ("half", 1, 2),
        ("third", 1, 3),
        ("quarter", 1, 4),
        ("thirds", 2, 3),
        ("quarters", 3, 4),
        ("fifth", 1, 5),
    ];
    let mut j = at;
    let (_, q) = qualifier(toks, j);
    if toks.get(j).is_some_and(|t| t.is_any(&["a", "two", "three"])) {
        j += 1;
    }
    let (_, num, den) = *fractions.iter().find(|(w, _, _)| toks.get(j).is_some_and(|t| t.is(w)))?;
    if !(toks.get(j + 1).is_some_and(|t| t.is("of"))
        && toks.get(j + 2).is_some_and(|t| t.is_any(&["them", "these", "whom"])))
    {
        return None;
    }
    let n = (total.min * num + den / 2) / den;
    let q = if q.is_empty() { "about".to_string() } else { q };
    Some((base_window(&q, &n.to_string())?, j + 3))
}

fn build_groups(
    named: &[(String, Evidence)],
    complement_phrase: Option<&str>,
    subgroup: Option<&(BaseWindow, Vec<String>, Evidence)>,
    sample_noun: Option<String>,
) -> Registry {
    let head = |s: &str| s.split_whitespace().last().map(stem).unwrap_or_default();
    let group = |id: String, label: String, code: &str, terms: Vec<String>, size, evidence| Group {
        id,
        label,
        code: code.into(),
        terms,
        size,
        evidence,
    };
    let size_of = |sub: Option<&(BaseWindow, Vec<String>, Evidence)>| match sub {
        Some((w, _, _)) => GroupSize::Published { window: w.clone() },
        None => GroupSize::Assumed { size: 0, why: String::new() },
    };
    // "X and the rest": the subgroup matched to the sample's subgroup, or named with
    // a "non-" complement.
    let sub = subgroup.and_then(|(_, stems, _)| {
        named.iter().position(|(n, _)| {
            let s = content_stems(&text::tokens(n));
            s.iter().any(|x| stems.contains(x))
        })
    });
    let sub = sub.or_else(|| {
        complement_phrase.and_then(|c| {
            let rest = c.trim_start_matches("non-").trim_start_matches("non ");
            named.iter().position(|(n, _)| head(n) == head(rest))
        })
    });
    // The other groups named: none, or one that is then the rest ("women" and "men").
    let others: Vec<&(String, Evidence)> =
        named.iter().enumerate().filter(|(i, _)| Some(*i) != sub).map(|(_, n)| n).collect();
    let one_other = complement_phrase.is_none() && others.len() == 1;
    if let Some(s) = sub
        && (others.is_empty() || one_other)
    {
        let (name, ev) = &named[s];
        let mut evidence = vec![ev.clone()];
        if let Some((_, _, e)) = subgroup {
            evidence.insert(0, e.clone());
        }
        let complement_phrase =
            if one_other { Some(others[0].0.as_str()) } else { complement_phrase };
        let comp_label =
            complement_phrase.map_or_else(|| format!("Other than {name}"), capitalised);
        let comp_terms = complement_phrase.map(|c| vec![c.to_string()]).unwrap_or_default();
        let groups = vec![
            group(
                slug(name, 3).replace('_', "-"),
                capitalised(name),
                "1",
                vec![name.clone()],
                size_of(subgroup),
                evidence,
            ),
            group(
                unique(slug(&comp_label, 3).replace('_', "-"), &[slug(name, 3).replace('_', "-")]),
                comp_label,
                "0",
                comp_terms,
                GroupSize::Remainder,
                vec![Evidence {
                    line: ev.line,
                    words: complement_phrase.unwrap_or("").to_string(),
                    rule: if one_other {
                        "group: the one other group named, the rest of the sample".into()
                    } else {
                        "group: the rest of the sample ('non-', 'general', 'others')".into()
                    },
                }],
            ),
        ];
        return Registry { groups, subgroup: Some((0, 1)), sample_noun };
    }
    let mut groups = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, (name, ev)) in named.iter().enumerate() {
        let id = unique(slug(name, 3).replace('_', "-"), &ids);
        ids.push(id.clone());
        // The sample's subgroup keeps its printed size among several named groups.
        let size = if Some(i) == sub { size_of(subgroup) } else { size_of(None) };
        groups.push(group(
            id,
            capitalised(name),
            &(i + 1).to_string(),
            vec![name.clone()],
            size,
            vec![ev.clone()],
        ));
    }
    groups.push(group(
        unique("other".into(), &ids),
        if named.is_empty() { "Everyone".into() } else { "Other or not stated".into() },
        "0",
        Vec::new(),
        GroupSize::Remainder,
        vec![Evidence {
            line: 0,
            words: String::new(),
            rule: if named.is_empty() {
                "no group is named: one level for everyone".into()
            } else {
                "the named groups need not cover the sample: the rest".into()
            },
        }],
    ));
    Registry { groups, subgroup: None, sample_noun }
}

/// Sizes of groups with no printed size: the smallest base that shows all of the
/// group's figures; a group whose figures any base shows takes the smallest other one.
fn assume_sizes(groups: &mut [Group], figures: &[ReadFigure], rounding: Rounding) {
    let of = |g: usize| -> Vec<Figure> {
        figures
            .iter()
            .filter(|f| f.group == Who::Group(g))
            .filter_map(|f| f.printed.parse().ok())
            .collect()
    };
    let pending: Vec<usize> = (0..groups.len())
        .filter(|&g| matches!(groups[g].size, GroupSize::Assumed { size: 0, .. }))
        .collect();
    let smallest: Vec<(usize, Option<u64>)> =
        pending.iter().map(|&g| (g, smallest_base(&of(g), rounding, 10_000))).collect();
    let floor = smallest.iter().filter_map(|(_, s)| *s).filter(|&s| s > 1).min();
    for (g, s) in smallest {
        groups[g].size = match (s, floor) {
            (Some(s), _) if s > 1 => GroupSize::Assumed {
                size: s,
                why: format!(
                    "not printed: the smallest base at which {} can be shown",
                    of(g).iter().map(|f| f.text.clone()).collect::<Vec<_>>().join(", ")
                ),
            },
            (Some(_), Some(f)) => GroupSize::Assumed {
                size: f,
                why: "not printed: any base shows its figures, so the smallest of the other groups' assumed sizes".into(),
            },
            _ => GroupSize::Assumed {
                size: 1,
                why: "not printed, and no figure of its own: correct it".into(),
            },
        };
    }
}

struct Context<'a> {
    lines: &'a [Line],
    candidates: &'a [Candidate],
    question_of: &'a [(usize, usize)],
    repeat_of: &'a [Option<usize>],
    sentence_candidate: &'a [Option<usize>],
    figures: &'a [ReadFigure],
    questions: &'a [Question],
}

type Found = Result<(ClaimDraft, String, String), String>;

impl Context<'_> {
    /// The candidate (figure sentence) of a sentence, its own or the one it repeats.
    fn candidate(&self, si: usize) -> Option<usize> {
        self.sentence_candidate[si].or(self.repeat_of[si])
    }

    /// `(question, option)` of a candidate.
    fn item(&self, c: usize) -> Item {
        self.question_of[c]
    }

    fn groups_of(&self, item: Item) -> Vec<Who> {
        let mut out = Vec::new();
        for f in self.figures {
            if (f.question, f.option) == item && !out.contains(&f.group) {
                out.push(f.group);
            }
        }
        out
    }

    /// The item whose measure shares most stems with `stems` (at least two, one best).
    fn best_item(&self, stems: &[String], what: &str) -> Result<Item, String> {
        let mut scored: Vec<(usize, Item)> = Vec::new();
        for (ci, c) in self.candidates.iter().enumerate() {
            let score = c.stems.iter().filter(|s| stems.contains(s)).count();
            scored.push((score, self.item(ci)));
        }
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        match scored.as_slice() {
            [(s, item), rest @ ..]
                if *s >= 2 && rest.first().is_none_or(|(r, i)| r < s || i == item) =>
            {
                Ok(*item)
            }
            [(s, _), ..] if *s >= 2 => {
                Err(format!("'{what}' matches the words of several printed figures equally"))
            }
            _ => Err(format!("no printed figure measures '{what}'")),
        }
    }
}

fn find_claims(ctx: &Context, registry: &mut Registry, si: usize) -> Vec<Found> {
    let l = &ctx.lines[si];
    let toks = &l.tokens;
    let mut out = Vec::new();
    if let Some(r) = majority(ctx, registry, si) {
        out.push(r);
    }
    if let Some(r) = ratio(ctx, registry, si) {
        out.push(r);
    }
    if let Some(r) = paired(ctx, si) {
        out.push(r);
    }
    // Three or more groups side by side.
    if let Some(c) = ctx.sentence_candidate[si] {
        let levels: Vec<usize> = ctx.candidates[c]
            .figures
            .iter()
            .filter_map(|(w, _, _)| match w {
                Who::Group(g) => Some(*g),
                Who::All => None,
            })
            .collect();
        if levels.len() >= 3 && toks.iter().any(|t| t.is_any(CONTRAST)) {
            let word = toks.iter().find(|t| t.is_any(CONTRAST)).map_or("", |t| t.text.as_str());
            out.push(Ok((
                ClaimDraft::GroupsDiffer { item: ctx.item(c), groups: levels },
                word.to_string(),
                "groups differ: three or more groups' figures set against each other".into(),
            )));
        }
    }
    out
}

fn majority(ctx: &Context, registry: &mut Registry, si: usize) -> Option<Found> {
    let toks = &ctx.lines[si].tokens;
    let n = toks.len();
    let k = (0..n).find(|&i| {
        toks[i].is_any(&["majority", "majorities"])
            || (toks[i].is("most") && !(i > 0 && toks[i - 1].is_any(&["the", "at"])))
            || (toks[i].is("half")
                && i >= 1
                && (toks[i - 1].is("over")
                    || (i >= 2 && toks[i - 2].is("more") && toks[i - 1].is("than"))))
    })?;
    let adjectives =
        ["vast", "clear", "large", "overwhelming", "great", "slim", "narrow", "small", "strong"];
    let first = if toks[k].is("half") {
        k - if toks[k - 1].is("over") { 1 } else { 2 }
    } else if k > 0 && toks[k - 1].is_any(&adjectives) {
        k - 1
    } else {
        k
    };
    let words = join_words(&toks[first..=k]);
    // Figures in the sentence itself: their groups and question.
    if let Some(c) = ctx.candidate(si) {
        let item = ctx.item(c);
        let groups: Vec<Who> = ctx.candidates[c].figures.iter().map(|(w, _, _)| *w).collect();
        return Some(Ok((
            ClaimDraft::Majority { item, groups, check_difference: false },
            words,
            "majority: the sentence's own figures are above half".into(),
        )));
    }
    // Otherwise: the group after "majority of", a list in dashes, the clause after.
    let mut j = k + 1;
    let mut groups: Vec<Who> = Vec::new();
    let mut listed = false;
    let phrase = if toks.get(j).is_some_and(|t| t.is("of")) {
        let (ps, pe, _, end) = forward_phrase(toks, j + 1);
        j = end.max(pe);
        (pe > ps).then(|| join_words(&toks[ps..pe]))
    } else if !toks[k].is("half")
        && toks.get(j).is_some_and(|t| t.kind == TokenKind::Word && !t.is_any(GROUP_STOPS))
    {
        // "most people", "most recruiters": one word.
        j += 1;
        Some(toks[j - 1].text.clone())
    } else {
        None
    };
    let said = join_words(&toks[first..j.min(n)]);
    let who = match &phrase {
        Some(p) => match registry.resolve(p) {
            Ok(w) => w,
            Err(e) => return Some(Err(format!("'{said}': {e}"))),
        },
        None => Who::All,
    };
    if j < n && toks[j].is_punct("\u{2013}(") {
        let close = (j + 1..n).find(|&x| toks[x].is_punct("\u{2013})")).unwrap_or(n);
        for part in toks[j + 1..close].split(|t| t.is_any(&["and", "or"]) || t.is_punct(",")) {
            if part.is_empty() {
                continue;
            }
            let p = join_words(part);
            match registry.resolve(&p) {
                Ok(w) if !groups.contains(&w) => groups.push(w),
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        listed = !groups.is_empty();
        j = (close + 1).min(n);
    }
    if groups.is_empty() {
        groups.push(who);
    }
    let mut end = j;
    while end < n && !toks[end].is_punct(",;:(\u{2013}.!?") && !toks[end].is_any(BOUNDARY_WORDS) {
        end += 1;
    }
    let clause = join_words(&toks[j.min(end)..end]);
    let mut stems = content_stems(&toks[j.min(end)..end]);
    stems.retain(|s| !registry.groups.iter().any(|g| g.terms.iter().any(|t| stem(t) == *s)));
    let item = match ctx.best_item(&stems, &clause) {
        Ok(i) => i,
        Err(e) => return Some(Err(format!("'{said}': {e}"))),
    };
    Some(Ok((
        ClaimDraft::Majority { item, groups, check_difference: listed && who == Who::All },
        join_words(&toks[first..end]),
        format!("majority: above half, on the figures of '{}'", ctx.questions[item.0].label),
    )))
}

fn ratio(ctx: &Context, registry: &mut Registry, si: usize) -> Option<Found> {
    let toks = &ctx.lines[si].tokens;
    let n = toks.len();
    let at = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.is(w));
    // (factor start, value, index after the factor)
    let mut found = None;
    for i in 0..n {
        let t = &toks[i];
        let factor = if t.kind == TokenKind::Number && t.text.ends_with(['x', 'X']) {
            t.text[..t.text.len() - 1].replace(',', "").parse::<f64>().ok().map(|v| (v, i + 1))
        } else if t.kind == TokenKind::Number && !t.is_percent() && at(i + 1, "times") {
            t.text.replace(',', "").parse::<f64>().ok().map(|v| (v, i + 2))
        } else if let Some((_, v)) = FACTOR_WORDS.iter().find(|(w, _)| t.is(w))
            && at(i + 1, "times")
        {
            Some((*v, i + 2))
        } else if t.is("twice") {
            Some((2.0, i + 1))
        } else if t.is("thrice") {
            Some((3.0, i + 1))
        } else {
            None
        };
        if let Some((v, next)) = factor
            && toks.get(next).is_some_and(|x| x.is_any(&["as", "more"]))
            && toks.get(next + 1).is_some_and(|x| x.is_any(LIKELY))
        {
            found = Some((i, v, next + 2));
            break;
        }
        if t.is_any(&["more", "less"])
            && at(i + 1, "likely")
            && (at(i + 2, "than") || (at(i + 2, "to") && at(i + 3, "be")))
            && !(i > 0 && toks[i - 1].kind == TokenKind::Number)
        {
            found = Some((i, if t.is("less") { -1.0 } else { 1.0 }, i + 2));
            break;
        }
    }
    let (start, value, after) = found?;
    let (qs, q) = qualifier(toks, start);
    let more_than =
        value.abs() == 1.0 || ["more than", "over", "at least", "just over"].contains(&q.as_str());
    let boundary = |from: usize| {
        let mut e = from;
        while e < n
            && !toks[e].is_punct(",;:(\u{2013}.!?")
            && !toks[e].is_any(BOUNDARY_WORDS)
            && !toks[e].is("to")
        {
            e += 1;
        }
        e
    };
    let (num_phrase, den_phrase, end) = if at(after, "to") && at(after + 1, "be") {
        let than = (after + 2..n).find(|&x| toks[x].is_any(&["than", "as"]))?;
        let e = boundary(than + 1);
        (join_words(&toks[after + 2..than]), join_words(&toks[than + 1..e]), e)
    } else if toks.get(after).is_some_and(|t| t.is_any(&["as", "than"])) {
        let e = boundary(after + 1);
        let aux = (0..qs).rev().find(|&x| toks[x].is_any(AUX))?;
        let from = (0..aux).rev().find(|&x| toks[x].kind == TokenKind::Punct).map_or(0, |x| x + 1);
        (join_words(&toks[from..aux]), join_words(&toks[after + 1..e]), e)
    } else if let Some(than) = (after + 1..n.min(after + 5))
        .find(|&x| toks[x].is_any(&["as", "than"]))
        .filter(|&x| toks[after..x].iter().all(|t| t.kind == TokenKind::Word))
    {
        // "twice as many recruiters as non-recruiters accept ...".
        let (ps, pe, _, _) = forward_phrase(toks, than + 1);
        (join_words(&toks[after..than]), join_words(&toks[ps..pe]), pe)
    } else {
        return Some(Err(format!(
            "'{}': compared with whom? No group follows 'as' or 'than'",
            join_words(&toks[qs..after.min(n)])
        )));
    };
    let words = join_words(&toks[qs..end.min(n)]);
    let two = registry.groups.len() == 2;
    let mut rule = String::from("ratio: the first group's share over the second's");
    let a = registry.resolve(&num_phrase);
    let b = registry.resolve(&den_phrase);
    let other = |w: &Result<Who, String>| match w {
        Ok(Who::Group(g)) if two => Some(1 - g),
        _ => None,
    };
    let (a, b) = match (a, b) {
        (Ok(Who::Group(x)), Ok(Who::Group(y))) => (x, y),
        (Ok(Who::Group(x)), Err(_)) if other(&Ok(Who::Group(x))).is_some() => {
            rule.push_str(&format!(
                "; '{den_phrase}' names no group, so it is the other of the two"
            ));
            (x, 1 - x)
        }
        (Err(_), Ok(Who::Group(y))) if two => {
            rule.push_str(&format!(
                "; '{num_phrase}' names no group, so it is the other of the two"
            ));
            (1 - y, y)
        }
        (Err(e), _) | (_, Err(e)) => return Some(Err(format!("'{words}': {e}"))),
        _ => return Some(Err(format!("'{words}': a ratio compares two groups, not everyone"))),
    };
    if a == b {
        return Some(Err(format!("'{words}': both sides name the same group")));
    }
    let (a, b) = if value < 0.0 { (b, a) } else { (a, b) };
    let value = value.abs();
    // The figures: the sentence's own, or the sentence before it in the paragraph.
    let wanted = [Who::Group(a), Who::Group(b)];
    let has_both = |c: usize| {
        let gs: Vec<Who> = ctx.candidates[c].figures.iter().map(|(w, _, _)| *w).collect();
        wanted.iter().all(|w| gs.contains(w))
    };
    let own = ctx.candidate(si).filter(|&c| has_both(c));
    let item = match own {
        Some(c) => ctx.item(c),
        None => {
            let prev = (0..si)
                .rev()
                .take_while(|&p| ctx.lines[p].paragraph == ctx.lines[si].paragraph)
                .find_map(|p| ctx.candidate(p).filter(|&c| has_both(c)));
            match prev {
                Some(c) => {
                    rule.push_str(&format!(
                        "; no figures of its own: those of line {}",
                        ctx.lines[ctx.candidates[c].sentence].line
                    ));
                    ctx.item(c)
                }
                None => {
                    return Some(Err(format!(
                        "'{words}': no figures for both groups in this sentence or the ones before it in its paragraph"
                    )));
                }
            }
        }
    };
    Some(Ok((
        ClaimDraft::Ratio { item, numerator: a, denominator: b, value, more_than },
        words,
        rule,
    )))
}

fn paired(ctx: &Context, si: usize) -> Option<Found> {
    let toks = &ctx.lines[si].tokens;
    let n = toks.len();
    let i = (1..n.saturating_sub(4)).find(|&i| {
        toks[i].is_any(&["more", "less"])
            && toks[i + 1].lower.ends_with("ly")
            && toks[i + 2].is("than")
            && toks[i + 3].is_any(&["they", "we", "people", "you", "he", "she"])
            && toks[i + 4].kind == TokenKind::Word
            && toks[i - 1].kind == TokenKind::Word
    })?;
    let words = join_words(&toks[i - 1..(i + 6).min(n)]);
    let (v1, v2) = (stem(&toks[i - 1].lower), stem(&toks[i + 4].lower));
    let adverb = toks[i + 1].lower.as_str();
    let less_is_more =
        ["discriminately", "selectively", "carefully", "cautiously", "critically", "reluctantly"];
    let more_is_more =
        ["often", "readily", "frequently", "easily", "willingly", "happily", "quickly", "commonly"];
    let first_more = match (
        toks[i].is("more"),
        less_is_more.contains(&adverb),
        more_is_more.contains(&adverb) || adverb == "often",
    ) {
        (false, true, _) | (true, _, true) => true,
        (true, true, _) | (false, _, true) => false,
        _ => {
            return Some(Err(format!(
                "'{words}': which behaviour is the more common is not clear from '{adverb}'"
            )));
        }
    };
    let has = |c: &Candidate, s: &str| c.stems.iter().any(|x| x == s);
    let para = ctx.lines[si].paragraph;
    let pick = |want: &str, avoid: &str, local: bool| -> Option<usize> {
        (0..ctx.lines.len())
            .filter(|&p| !local || ctx.lines[p].paragraph == para)
            .filter_map(|p| ctx.candidate(p))
            .find(|&c| {
                has(&ctx.candidates[c], want)
                    && (avoid.is_empty() || !has(&ctx.candidates[c], avoid))
            })
    };
    let a = pick(&v1, "", true).or_else(|| pick(&v1, &v2, false));
    let b = pick(&v2, &v1, true).or_else(|| pick(&v2, &v1, false));
    let (Some(a), Some(b)) = (a, b) else {
        return Some(Err(format!(
            "'{words}': no printed figures measure both '{}' and '{}'",
            toks[i - 1].text,
            toks[i + 4].text
        )));
    };
    let (ia, ib) = (ctx.item(a), ctx.item(b));
    if ia.0 == ib.0 || ctx.questions[ia.0].single_choice || ctx.questions[ib.0].single_choice {
        return Some(Err(format!("'{words}': a paired claim compares two yes-no questions")));
    }
    let ga = ctx.groups_of(ia);
    let mut groups: Vec<Who> = ctx.groups_of(ib).into_iter().filter(|g| ga.contains(g)).collect();
    groups.sort_by_key(|w| match w {
        Who::All => 0,
        Who::Group(g) => g + 1,
    });
    if groups.is_empty() {
        return Some(Err(format!("'{words}': no group has figures on both")));
    }
    let (ia, ib) = if first_more { (ia, ib) } else { (ib, ia) };
    Some(Ok((
        ClaimDraft::Paired { a: ia, b: ib, groups },
        words,
        format!(
            "paired: '{}' more common than '{}' among the same respondents",
            ctx.questions[ia.0].label, ctx.questions[ib.0].label
        ),
    )))
}

fn implied_differ(
    registry: &Registry,
    figures: &[ReadFigure],
    lines: &[Line],
    candidates: &[Candidate],
) -> Option<ReadClaim> {
    registry.subgroup?;
    let mut items: Vec<Item> = Vec::new();
    for f in figures {
        let item = (f.question, f.option);
        if items.contains(&item) {
            continue;
        }
        let both = [Who::Group(0), Who::Group(1)]
            .iter()
            .all(|w| figures.iter().any(|g| (g.question, g.option) == item && g.group == *w));
        if both {
            items.push(item);
        }
    }
    let contrasts: Vec<String> = candidates
        .iter()
        .filter_map(|c| {
            let l = &lines[c.sentence];
            l.tokens
                .iter()
                .find(|t| t.is_any(CONTRAST))
                .map(|t| format!("'{}' (line {})", t.text, l.line))
        })
        .collect();
    if items.len() < 2 || contrasts.is_empty() {
        return None;
    }
    let mut labels: Vec<String> = Vec::new();
    for &(q, o) in &items {
        if let Some(f) = figures.iter().find(|f| (f.question, f.option) == (q, o))
            && !labels.contains(&f.label)
        {
            labels.push(f.label.clone());
        }
    }
    let text = format!(
        "{} and {} differ on each of the published items ({})",
        registry.groups[0].label,
        registry.groups[1].label.to_lowercase(),
        labels.join(", ")
    );
    Some(ReadClaim {
        id: String::new(),
        text,
        draft: ClaimDraft::Differ { items },
        evidence: Evidence {
            line: lines[candidates[0].sentence].line,
            words: contrasts.join(", "),
            rule: "differ (implied): the article sets the two groups side by side on each item"
                .into(),
        },
    })
}
