//! `check`: an article's text read into figures and claims. Each bundled study's source
//! text must give the figures and claims of its committed codebook (the reference), with
//! the same verdicts, and list every numeric sentence it did not use.

use invitestat::Codebook;
use invitestat::analysis::AnalysisOptions;
use invitestat::article::{ClaimDraft, GroupSize, Reading, Who, read};
use invitestat::claims::Verdict;
use invitestat::codebook::{ClaimKind, GroupRef, ItemRef};
use invitestat::study::{CHECK_SEED, reproduce, run_bundled};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(name)
}

fn reading(name: &str) -> Reading {
    let text = std::fs::read_to_string(folder(name).join("source.txt")).unwrap();
    read(&text, "source.txt")
}

/// Typography folded as the reader folds it, for comparing quotes.
fn plain(s: &str) -> String {
    invitestat::article::text::fold(s).replace('\u{2013}', "-")
}

/// How the committed codebook's questions, options and groups map onto the draft's,
/// found from the figures (same printed value, the committed quote inside the drafted
/// one); each mapping must be one to one.
struct Mapping {
    items: HashMap<ItemRef, ItemRef>,
    groups: HashMap<GroupRef, GroupRef>,
}

fn one_to_one<K: std::hash::Hash + Eq + Copy + std::fmt::Debug>(
    map: &mut HashMap<K, K>,
    from: K,
    to: K,
    what: &str,
) {
    if let Some(old) = map.insert(from, to) {
        assert_eq!(old, to, "{what} {from:?} maps to two drafted ones");
    }
    let targets = map.values().filter(|v| **v == to).count();
    assert_eq!(targets, 1, "two committed {what}s map to drafted {to:?}");
}

fn mapping(committed: &Codebook, drafted: &Codebook) -> Mapping {
    assert_eq!(committed.figures.len(), drafted.figures.len(), "number of figures");
    let mut items = HashMap::new();
    let mut groups = HashMap::new();
    for cf in &committed.figures {
        let matches: Vec<_> = drafted
            .figures
            .iter()
            .filter(|df| {
                df.printed.text == cf.printed.text
                    && plain(&df.quote).contains(&plain(&cf.quote))
                    && groups.get(&cf.group).is_none_or(|g| *g == df.group)
            })
            .collect();
        assert_eq!(
            matches.len(),
            1,
            "committed figure {} ({}): {} drafted matches",
            cf.id,
            cf.printed.text,
            matches.len()
        );
        let df = matches[0];
        one_to_one(&mut items, cf.item, df.item, "item");
        one_to_one(&mut groups, cf.group, df.group, "group");
    }
    // Options of one committed question are options of one drafted question.
    for (a, b) in &items {
        for (c, d) in &items {
            assert_eq!(a.question == c.question, b.question == d.question, "{a:?} {c:?}");
        }
    }
    Mapping { items, groups }
}

impl Mapping {
    fn item(&self, i: ItemRef) -> ItemRef {
        *self.items.get(&i).unwrap_or_else(|| panic!("item {i:?} has no figure"))
    }

    fn group(&self, g: GroupRef) -> GroupRef {
        *self.groups.get(&g).unwrap_or_else(|| panic!("group {g:?} has no figure"))
    }

    fn level(&self, l: usize) -> usize {
        self.group(GroupRef::Level(l)).level().unwrap()
    }

    fn groups(&self, gs: &[GroupRef]) -> Vec<GroupRef> {
        let mut out: Vec<GroupRef> = gs.iter().map(|&g| self.group(g)).collect();
        out.sort_by_key(|g| g.level());
        out
    }

    /// The committed claim in the draft's terms.
    fn claim(&self, k: &ClaimKind) -> ClaimKind {
        match k {
            ClaimKind::Majority { item, groups, threshold, check_difference } => {
                ClaimKind::Majority {
                    item: self.item(*item),
                    groups: self.groups(groups),
                    threshold: *threshold,
                    check_difference: *check_difference,
                }
            }
            ClaimKind::Ratio { item, numerator, denominator, value, relation } => {
                ClaimKind::Ratio {
                    item: self.item(*item),
                    numerator: self.group(*numerator),
                    denominator: self.group(*denominator),
                    value: *value,
                    relation: *relation,
                }
            }
            ClaimKind::Paired { a, b, groups } => ClaimKind::Paired {
                a: self.item(*a),
                b: self.item(*b),
                groups: self.groups(groups),
            },
            ClaimKind::Differ { items } => {
                ClaimKind::Differ { items: items.iter().map(|&i| self.item(i)).collect() }
            }
            ClaimKind::GroupsDiffer { item, groups } => ClaimKind::GroupsDiffer {
                item: self.item(*item),
                groups: groups.iter().map(|&g| self.level(g)).collect(),
            },
        }
    }
}

/// A drafted claim with its groups in level order (the committed codebooks list them so).
fn normalised(k: &ClaimKind) -> ClaimKind {
    let mut k = k.clone();
    match &mut k {
        ClaimKind::Majority { groups, .. } | ClaimKind::Paired { groups, .. } => {
            groups.sort_by_key(|g| g.level());
        }
        _ => {}
    }
    k
}

/// The source text gives the committed codebook's figures and claims, and the same
/// verdicts as the codebook-driven run.
fn reproduces_committed(name: &str) -> Reading {
    let r = reading(name);
    let drafted = r.codebook().expect("the draft is a valid codebook");
    let committed = Codebook::from_path(&folder(name).join("codebook.toml")).unwrap();
    let map = mapping(&committed, &drafted);
    assert_eq!(committed.claims.len(), drafted.claims.len(), "number of claims");
    let reference = run_bundled(&folder(name), AnalysisOptions::default()).unwrap();
    let checked = reproduce(&drafted, CHECK_SEED, AnalysisOptions::default()).unwrap();
    for (ci, c) in committed.claims.iter().enumerate() {
        let want = map.claim(&c.kind);
        let found: Vec<usize> = (0..drafted.claims.len())
            .filter(|&d| normalised(&drafted.claims[d].kind) == want)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "committed claim {} ({:?}) is drafted {} times",
            c.id,
            want,
            found.len()
        );
        let d = found[0];
        assert_eq!(
            checked.claims[d].verdict, reference.claims[ci].verdict,
            "claim {} ({}): check says {}, the codebook run {}",
            c.id, c.text, checked.claims[d].summary, reference.claims[ci].summary
        );
    }
    r
}

#[test]
fn executives_online_text_gives_its_codebook_and_verdicts() {
    let r = reproduces_committed("executives-online");
    let sample = r.sample.as_ref().unwrap();
    assert_eq!(
        (sample.size.min, sample.size.max, sample.noun.as_str()),
        (400, 400, "senior managers and executives")
    );
    let GroupSize::Published { window } = &r.groups[0].size else { panic!("{:?}", r.groups[0]) };
    // "almost 60": 60 - ceil(60 / 10) to 59, as `compare --n1 'almost 60'` reads it.
    assert_eq!((window.min, window.max, window.text.as_str()), (54, 59, "almost 60"));
    assert_eq!(r.groups[1].size, GroupSize::Remainder);
    assert!(r.groups[1].terms.contains(&"business/professional population".to_string()));
    assert_eq!(r.repeats.len(), 1);
    assert_eq!(r.repeats[0].words, "recruiters (87%), non-recruiters (63%)");
    assert_eq!(r.repeats[0].rule, "the figures of F3 again (line 19)");
    // The two numeric sentences it did not use, each with its reason.
    let lines: Vec<(usize, &str)> = r.unread.iter().map(|u| (u.line, u.reason.as_str())).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].1.contains("845, 342") && lines[0].1.contains("'vast majority'"), "{lines:?}");
    assert!(lines[1].1.starts_with("20:"), "{lines:?}");
    let verdicts: Vec<&str> = {
        let cb = r.codebook().unwrap();
        let report = reproduce(&cb, CHECK_SEED, AnalysisOptions::default()).unwrap();
        report.claims.iter().map(|c| c.verdict.name()).collect()
    };
    // In the text's order: 50x, strong majorities, three times, accept vs invite, the
    // majority looking for a job, the vast majority ignoring, the implied differences.
    assert_eq!(
        verdicts,
        [
            "cannot be reproduced",
            "supported",
            "not shown",
            "supported",
            "not shown",
            "supported",
            "not shown"
        ]
    );
    // Each claim names the words it was read from.
    let words: Vec<&str> = r.claims.iter().map(|c| c.evidence.words.as_str()).collect();
    assert_eq!(words[0], "50x more likely to be a recruiter than the hiring manager");
    assert_eq!(words[2], "more than three times as likely as recruiters");
    assert_eq!(words[3], "accept less discriminately than they invite connections");
    assert!(matches!(r.claims[6].draft, ClaimDraft::Differ { ref items } if items.len() == 6));
}

#[test]
fn october_experiment_text_gives_its_codebook_and_verdicts() {
    let r = reproduces_committed("october-experiment");
    assert!(r.sample.is_none());
    let sizes: Vec<Option<u64>> = r
        .groups
        .iter()
        .map(|g| match g.size {
            GroupSize::Assumed { size, .. } => Some(size),
            _ => None,
        })
        .collect();
    // As the committed codebook assumes: the smallest bases showing 70% and 55%, and
    // 100% (any base) the smaller of those; the rest of the senders.
    assert_eq!(sizes, [Some(10), Some(10), Some(11), None]);
    assert_eq!(r.figures.iter().filter(|f| f.group == Who::All).count(), 5);
    let unread: Vec<usize> = r.unread.iter().map(|u| u.line).collect();
    assert_eq!(unread, [18, 18, 20, 23, 24, 31], "{:#?}", r.unread);
    assert!(
        r.unread[0].reason.contains("a share among those who gave an answer measured on line 15")
    );
    assert!(r.unread[1].reason.contains("'More than half': no printed figure measures"));
    assert!(r.unread[2].reason.starts_with("1: no percentage"));
}

#[test]
fn every_numeric_sentence_is_used_or_listed() {
    use invitestat::article::text::{NUMBER_WORDS, TokenKind, sentences, tokens};
    for name in ["executives-online", "october-experiment"] {
        let text = std::fs::read_to_string(folder(name).join("source.txt")).unwrap();
        let r = read(&text, "source.txt");
        let used: Vec<(usize, &str)> = r
            .figures
            .iter()
            .map(|f| (f.evidence.line, f.quote.as_str()))
            .chain(r.claims.iter().map(|c| (c.evidence.line, c.text.as_str())))
            .chain(r.unread.iter().map(|u| (u.line, u.sentence.as_str())))
            .collect();
        let mut numeric = 0;
        for s in sentences(&text) {
            let has_number = tokens(&s.text)
                .iter()
                .any(|t| t.kind == TokenKind::Number || t.is_any(NUMBER_WORDS));
            if !has_number {
                continue;
            }
            numeric += 1;
            let sample = r.sample.as_ref().is_some_and(|x| x.evidence.line == s.line);
            let seen = used.iter().any(|&(l, t)| l == s.line && t == s.text);
            // A repeat of earlier figures is used without a figure of its own.
            let repeat = r.repeats.iter().any(|e| e.line == s.line);
            assert!(
                sample || seen || repeat,
                "{name}, line {}: {:?} neither used nor listed",
                s.line,
                s.text
            );
        }
        assert_eq!(numeric, r.numeric_sentences, "{name}");
    }
}

#[test]
fn a_figure_no_count_shows_is_named_in_the_refusal() {
    // 33% of 2 recruiters: 0/2, 1/2 and 2/2 show 0%, 50% and 100%.
    let text = "We surveyed 5 people, including 2 recruiters.\n\n33% of recruiters and 50% of non-recruiters said yes.";
    let r = read(text, "t.txt");
    let err = reproduce(&r.codebook().unwrap(), 1, AnalysisOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot reconstruct t-txt: no size in 2..=2 reaches the figures of recruiters (33% (F1-recruiters) cannot be shown on any of them)"
    );
}

#[test]
fn verdicts_do_not_depend_on_claims_being_quoted_as_toml() {
    // The draft written and read back judges the same.
    let r = reading("executives-online");
    let toml = r.to_toml();
    let back = Codebook::from_toml(&toml, Path::new("draft.toml")).unwrap();
    let a = reproduce(&back, CHECK_SEED, AnalysisOptions::default()).unwrap();
    let b = reproduce(&r.codebook().unwrap(), CHECK_SEED, AnalysisOptions::default()).unwrap();
    let v = |r: &invitestat::Report| r.claims.iter().map(|c| c.verdict).collect::<Vec<Verdict>>();
    assert_eq!(v(&a), v(&b));
    assert!(toml.contains("# line 11: \"surveyed 400 senior managers and executives\""), "{toml}");
}

fn invitestat(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_invitestat")).args(args).current_dir(dir).output().unwrap()
}

#[test]
fn check_drafts_a_codebook_that_runs_again_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let src = folder("october-experiment").join("source.txt");
    let src = src.to_str().unwrap();
    let out = invitestat(&["check", src, "--draft", "draft.toml"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "depends on an assumption: Anglo-saxons, French, Poles differ on 'Answered my message'"
        ),
        "{text}"
    );
    assert!(text.contains("Not used (6 sentences):"), "{text}");
    // A second run refuses to replace the draft (the analyst may have corrected it).
    let again = invitestat(&["check", src, "--draft", "draft.toml"], dir.path());
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("draft.toml"));
    // The draft judged again, with a report.
    let rerun =
        invitestat(&["check", "--codebook", "draft.toml", "--out", "report", "--json"], dir.path());
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    let v: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    assert_eq!(v["claims"][0]["verdict"], "depends-on-assumption");
    assert!(dir.path().join("report/report.md").exists());
    // From stdin, as JSON: the reading, the verdicts and the seed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["check", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&std::fs::read(src).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["seed"], 1);
    assert_eq!(v["reading"]["source"], "stdin");
    assert_eq!(v["verdicts"][0]["verdict"], "depends-on-assumption");
}

#[test]
fn the_phrases_of_sizes_shares_and_comparisons_are_read() {
    let text = "A poll of more than 1,000 adults, about half of them women.\n\n\
        Women are twice as likely as men to say yes: 45% of women and 22% of men. \
        Women are more likely than men to say yes. Less than 1% of men refused. \
        Most men (78%) say no. Twice as many women as men say yes. \
        Men are three times as likely to say no.";
    let r = read(text, "poll.txt");
    let s = r.sample.as_ref().unwrap();
    // "more than 1,000": 1,001 to 1,000 + 100; "about half of them": about 501.
    assert_eq!((s.size.min, s.size.max, s.noun.as_str()), (1001, 1100, "adults"));
    let GroupSize::Published { window } = &r.groups[0].size else { panic!("{:?}", r.groups) };
    assert_eq!((window.text.as_str(), window.min, window.max), ("about 501", 450, 552));
    assert_eq!((r.groups[0].label.as_str(), r.groups[1].label.as_str()), ("Women", "Men"));
    let printed: Vec<&str> = r.figures.iter().map(|f| f.printed.as_str()).collect();
    assert_eq!(printed, ["45%", "22%", "<1%", "78%"]);
    // "to say yes" after the colon: the clause the figures point back to.
    assert_eq!(r.questions[0].text, "say yes");
    let kinds: Vec<String> = r
        .claims
        .iter()
        .map(|c| match &c.draft {
            ClaimDraft::Ratio { value, more_than, numerator, .. } => {
                format!(
                    "ratio {value} {} of {numerator}",
                    if *more_than { "more-than" } else { "about" }
                )
            }
            d => d.kind().to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        ["ratio 2 about of 0", "ratio 1 more-than of 0", "majority", "ratio 2 about of 0"]
    );
    // A factor with no second group is listed with the reason.
    let last = r.unread.last().unwrap();
    assert!(last.reason.contains("compared with whom?"), "{:?}", r.unread);
    assert!(r.codebook().is_ok());
}

#[test]
fn a_text_past_the_sentence_limit_is_read_up_to_it_and_the_rest_listed() {
    use invitestat::article::MAX_SENTENCES;
    // Repeated figure and claim sentences: the rules' pairwise matching stays bounded.
    let one = "We surveyed 400 managers, including almost 60 recruiters.\n\n";
    let body =
        "87% of recruiters and 63% of non-recruiters say yes. Most recruiters (87%) say yes.\n"
            .repeat(MAX_SENTENCES);
    let r = read(&format!("{one}{body}"), "long.txt");
    assert_eq!(r.sentences, MAX_SENTENCES);
    let last = r.unread.last().unwrap();
    assert_eq!(
        last.reason,
        format!(
            "the text has {} sentences; the first {MAX_SENTENCES} are read, this one and the {} after it are not",
            2 * MAX_SENTENCES + 1,
            MAX_SENTENCES
        )
    );
    // Each repeated sentence is one repeat of the first figures.
    assert_eq!(r.figures.len(), 3);
}
