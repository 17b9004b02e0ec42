//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (run by
//! cargo-fuzz) and `tests/integration/fuzz_corpus.rs` (which replays the committed
//! corpus and regressions under `cargo test`, without a fuzzer).
//!
//! Each function takes arbitrary bytes and drives public entry points of the library
//! with them. An `Err` is a correct refusal and is ignored; a panic, abort, hang or
//! out-of-memory is a finding.

use clap::Parser;
use invitestat::analysis::AnalysisOptions;
use invitestat::cli::{Cli, Command};
use invitestat::codebook::Codebook;
use invitestat::data::ids::IdSet;
use invitestat::data::loader::{check_ids, load_part};
use invitestat::data::synthetic::{WaveSpec, generate_wave};
use invitestat::data::{LoadOptions, LoadSummary};
use invitestat::report::Report;
use invitestat::study::analyse_table;
use invitestat::tabulate::{CountTable, parse_counts};
use std::path::Path;
use std::sync::OnceLock;

/// The fixed codebook of the `loader` and `counts` targets: two groups, a weight and
/// a wave column, two yes-no questions (one with the missing code 9), a single-choice
/// question, one published figure and a claim of each kind that two groups allow.
///
/// The committed `counts` corpus embeds this text's SHA-256: change it and the JSON
/// seeds are refused (regenerate them with `invitestat tabulate`).
pub const CODEBOOK: &str = r#"id_column = "id"
weight_column = "w"
wave_column = "wave"

[study]
id = "tiny"
title = "Tiny fuzz survey"
source = "fuzz"
rounding = "half-up"

[grouping]
column = "grp"

[[grouping.levels]]
id = "a"
code = "1"
label = "Group A"
published_size = { phrase = "about 5", min = 3, max = 7, search = [1, 12] }

[[grouping.levels]]
id = "b"
code = "2"
label = "Group B"

[[questions]]
id = "q1"
text = "Yes or no?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
missing = ["9"]

[[questions]]
id = "q2"
text = "Which one?"
kind = "single-choice"
options = [{ code = "a", label = "A" }, { code = "b", label = "B" }, { code = "c", label = "C" }]

[[questions]]
id = "q3"
text = "Yes or no again?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]

[[figures]]
id = "F1"
question = "q1"
option = "1"
group = "a"
printed = "60%"
quote = "60% of group A say yes"

[[figures]]
id = "F2"
question = "q2"
option = "a"
group = "b"
printed = "<1%"
quote = "less than 1% of group B pick a"

[[claims]]
id = "C1"
text = "Most say yes"
kind = "majority"
question = "q1"
option = "1"
groups = ["a", "b"]
threshold = 0.5
check_difference = true

[[claims]]
id = "C2"
text = "A is twice as likely as B to pick a"
kind = "ratio"
question = "q2"
option = "a"
numerator = "a"
denominator = "b"
value = 2.0
relation = "more-than"

[[claims]]
id = "C3"
text = "More say yes to q1 than to q3"
kind = "paired"
question_a = "q1"
option_a = "1"
question_b = "q3"
option_b = "1"
groups = ["a", "b"]

[[claims]]
id = "C4"
text = "The groups differ on q1"
kind = "groups-differ"
question = "q1"
option = "1"
groups = ["a", "b"]

[[claims]]
id = "C5"
text = "The groups differ on everything"
kind = "differ"
items = ["q1:1", "q2:a", "q2:c", "q3:1"]
"#;

/// The parsed [`CODEBOOK`] (parsed once per process).
fn fixed_codebook() -> &'static Codebook {
    static PARSED: OnceLock<Codebook> = OnceLock::new();
    PARSED.get_or_init(|| {
        Codebook::from_toml(CODEBOOK, Path::new("fuzz.toml")).expect("the fuzz codebook is valid")
    })
}

/// `loader`: the bytes as a responses CSV for [`CODEBOOK`], loaded, counted, analysed
/// and rendered.
pub fn loader(data: &[u8]) {
    load_and_analyse(data, fixed_codebook());
}

/// `codebook`: the bytes as codebook TOML; a codebook that parses (and is small enough
/// to analyse quickly) gets a synthetic wave drawn, loaded, analysed and rendered.
pub fn codebook(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(codebook) = Codebook::from_toml(text, Path::new("fuzz.toml")) else { return };
    let levels = codebook.grouping.levels.len();
    if codebook.questions.len() > 50
        || levels > 20
        || codebook.questions.iter().any(|q| q.options.len() > 50)
    {
        return;
    }
    let spec = WaveSpec {
        rows: 40,
        seed: 1,
        missing: 0.1,
        group_shares: vec![1.0; levels],
        wave: "1".into(),
        shares_seed: 1,
        trend: 0.0,
    };
    // One positive share per group: always a spec that can be drawn.
    let Ok(csv) = generate_wave(&codebook, &spec) else { return };
    load_and_analyse(csv.as_bytes(), &codebook);
}

/// `counts`: the bytes as a count file (JSON or long-format CSV) for [`CODEBOOK`]; a
/// table that is accepted is merged into an empty one (as `invitestat merge` does),
/// analysed and rendered.
pub fn counts(data: &[u8]) {
    let codebook = fixed_codebook();
    let Ok(shard) = parse_counts(Path::new("fuzz.counts"), data, codebook) else { return };
    let mut merged = CountTable::new(codebook, &codebook.paired_questions());
    let _ = merged.merge(&shard.table);
    let summary = LoadSummary {
        file: "fuzz.counts".into(),
        rows_read: shard.rows_read,
        rows_used: shard.table.total(),
        excluded: shard.excluded.clone(),
        weight_scale: shard.table.weight_scale,
        ..LoadSummary::default()
    };
    analyse_and_render(&shard.table, summary, codebook);
}

/// `calculator`: the bytes as UTF-8 split on whitespace into the arguments of
/// `invitestat`; the calculator subcommands (which write no files) are run.
pub fn calculator(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let args = std::iter::once("invitestat").chain(text.split_whitespace());
    let Ok(cli) = Cli::try_parse_from(args) else { return };
    if matches!(
        cli.command,
        Some(
            Command::Ci(_)
                | Command::Compare(_)
                | Command::Adjust(_)
                | Command::Power(_)
                | Command::Recover(_)
        )
    ) {
        let _ = invitestat::cli::run(cli, &mut std::io::sink());
    }
}

/// `article`: the bytes as UTF-8, an article's text read into a draft codebook
/// (`invitestat check`), the draft parsed, its claims judged and its report rendered.
pub fn article(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let reading = invitestat::article::read(text, "fuzz.txt");
    let _ = reading.to_toml();
    if let Ok(report) = invitestat::study::check_reading(&reading, 1, AnalysisOptions::default()) {
        let _ = report.json();
        let _ = report.summary();
    }
}

/// `formats`: the bytes as an SPSS or Stata file (the first byte chooses `.sav`,
/// `.zsav` or `.dta`; the rest is the file), converted for the loader and, when that
/// succeeds, a codebook drafted from it by `init`.
pub fn formats(data: &[u8]) {
    let Some((&kind, bytes)) = data.split_first() else { return };
    let extension = ["sav", "zsav", "dta"][usize::from(kind % 3)];
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(format!("fuzz.{extension}"));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    if let Ok(Some(_)) = invitestat::data::convert::open(&path) {
        let _ = invitestat::data::init::draft_codebook(&path, &Default::default());
    }
}

/// Loads `csv` against `codebook` into a count table (as `tabulate_file` does for a
/// small file), then analyses and renders it.
fn load_and_analyse(csv: &[u8], codebook: &Codebook) {
    let path = Path::new("fuzz.csv");
    let options = LoadOptions::default();
    let mut table = CountTable::new(codebook, &codebook.paired_questions());
    let mut ids = IdSet::default();
    let Ok(summary) =
        load_part(csv, path, codebook, options, false, None, &mut ids, |r| table.add(r))
    else {
        return;
    };
    if check_ids(path, codebook, options, vec![ids]).is_err() {
        return;
    }
    table.weight_scale = summary.weight_scale;
    analyse_and_render(&table, summary, codebook);
}

/// Analyses a table with the default options and renders every text output.
fn analyse_and_render(table: &CountTable, summary: LoadSummary, codebook: &Codebook) {
    let report = analyse_table(table, summary, codebook, AnalysisOptions::default(), None);
    render(&report);
}

/// Every output of a report that is text: the summary, each CSV, the JSON, the charts
/// as SVG, the HTML page and the Markdown.
fn render(report: &Report) {
    let _ = report.summary();
    let _ = invitestat::report::csv::files(report);
    let json = report.json();
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "report.json() is not a JSON document: {json:.300}"
    );
    let mut svgs = Vec::new();
    for c in report.charts() {
        if let Ok(svg) = c.svg() {
            svgs.push((c, svg));
        }
    }
    let doc = invitestat::report::document::build(report, &svgs, invitestat::report::Formats::ALL);
    // `html::render` fails only on a template error, which its documentation calls a bug.
    if let Err(e) = invitestat::report::html::render(&doc) {
        panic!("html::render failed: {e:#}");
    }
    let _ = invitestat::report::markdown::render(&doc);
}
