//! Snapshot tests of every report writer: a small fixture (`tests/snapshots/fixture/`:
//! three weighted groups, a figure, a claim, two waves) analysed as `analyze` and
//! `waves` do, and each output (every CSV file, `results.json`, `report.md`,
//! `summary.txt`, `report.html` with its charts' SVG left out) compared with its
//! committed snapshot under `tests/snapshots/`. A failure prints the changed lines;
//! `INVITESTAT_BLESS=1 cargo test snapshots` rewrites the snapshots (review the diff).

use invitestat::Codebook;
use invitestat::analysis::AnalysisOptions;
use invitestat::report::{Report, csv, document, html, markdown};
use invitestat::study::{Options, analyse_file, analyse_waves, read_waves};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    // Relative, as a user would type it: the path is recorded in the outputs.
    PathBuf::from("tests/snapshots/fixture")
}

fn codebook() -> Codebook {
    Codebook::from_path(&fixture().join("codebook.toml")).unwrap()
}

/// `<svg ...>...</svg>` replaced by `<svg/>`: the charts have tests of their own, and
/// their paths would bury a change to the page.
fn without_svg(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</svg>") {
            Some(end) => rest = &rest[start + end + "</svg>".len()..],
            None => rest = "",
        }
        out.push_str("<svg/>");
    }
    out.push_str(rest);
    out
}

/// Every text output of a report, by file name.
fn outputs(report: &Report) -> Vec<(String, String)> {
    let mut files = csv::files(report).unwrap();
    files.push(("results.json".into(), report.json()));
    files.push(("summary.txt".into(), report.summary()));
    let charts: Vec<_> = report
        .charts()
        .into_iter()
        .map(|c| {
            let svg = c.svg().unwrap();
            (c, svg)
        })
        .collect();
    let doc = document::build(report, &charts, invitestat::report::Formats::ALL);
    files.push(("report.md".into(), markdown::render(&doc)));
    files.push(("report.html".into(), without_svg(&html::render(&doc).unwrap())));
    files.push((
        "charts.txt".into(),
        charts.iter().map(|(c, _)| format!("{}: {}\n  {}\n", c.id, c.title, c.alt)).collect(),
    ));
    files
}

/// Compares (or, with `INVITESTAT_BLESS=1`, writes) the snapshots of one report.
fn check(name: &str, report: &Report) {
    check_files(name, &outputs(report));
}

/// Compares (or writes) the snapshots of named texts.
fn check_files(name: &str, files: &[(String, String)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("INVITESTAT_BLESS").is_some() {
        if dir.exists() {
            for e in std::fs::read_dir(&dir).unwrap() {
                std::fs::remove_file(e.unwrap().path()).unwrap();
            }
        }
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        return;
    }
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!("{}: {e}; run INVITESTAT_BLESS=1 cargo test snapshots", dir.display())
        })
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut fresh: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    fresh.sort();
    assert_eq!(fresh, committed, "{name}: the set of outputs changed");
    for (file, text) in files {
        let old = std::fs::read(dir.join(file)).unwrap();
        assert!(
            old == text.as_bytes(),
            "tests/snapshots/{name}/{file} changed (INVITESTAT_BLESS=1 cargo test snapshots to accept):\n{}",
            crate::difference(&old, text.as_bytes())
        );
    }
}

#[test]
fn analyze_writes_every_output_as_committed() {
    let report =
        analyse_file(&fixture().join("wave-1.csv"), &codebook(), &Options::default()).unwrap();
    check("analyze", &report);
}

#[test]
fn waves_write_every_output_as_committed() {
    let files = [fixture().join("wave-1.csv"), fixture().join("wave-2.csv")];
    let waves = read_waves(&files, &codebook(), invitestat::data::LoadOptions::default()).unwrap();
    let report = analyse_waves(waves, &codebook(), AnalysisOptions::default());
    check("waves", &report);
}

/// The SQL of every dialect for the engines' codebook (DuckDB's and Spark's are run by
/// `tests/engines/check.py` in CI; PostgreSQL's and BigQuery's are checked here only).
#[test]
fn sql_queries_are_as_committed() {
    let codebook = Codebook::from_path(Path::new("tests/engines/codebook.toml")).unwrap();
    let mut files: Vec<(String, String)> = invitestat::tabulate::sql::Dialect::ALL
        .into_iter()
        .map(|d| {
            let sql = invitestat::tabulate::sql::count_query(&codebook, d, "responses").unwrap();
            (format!("{}.sql", d.name()), sql)
        })
        .collect();
    // The same codebook with a stratified clustered design and an fpc, as check.py has it.
    let text = std::fs::read_to_string("tests/engines/codebook.toml").unwrap().replacen(
        "\n[study]",
        "\n[design]\nstrata_column = \"stratum\"\ncluster_column = \"cluster\"\nfpc_column = \"fpc\"\n\n[study]",
        1,
    );
    let design = Codebook::from_toml(&text, Path::new("codebook-design.toml")).unwrap();
    for d in invitestat::tabulate::sql::Dialect::ALL {
        let sql = invitestat::tabulate::sql::count_query(&design, d, "responses").unwrap();
        files.push((format!("{}-design.sql", d.name()), sql));
    }
    check_files("sql", &files);
}

#[test]
fn svg_is_cut_from_the_snapshot_html_only() {
    assert_eq!(without_svg("a<svg x='1'><g/></svg>b<svg></svg>c"), "a<svg/>b<svg/>c");
}

/// Codes with a quote or a backslash are written as each dialect spells them.
#[test]
fn sql_strings_are_escaped_per_dialect() {
    let text = r#"id_column = "id"
[study]
id = "quotes"
title = "Quotes"
source = "tests/integration/snapshots.rs"
[grouping]
column = "g"
levels = [{ id = "a", code = "it's", label = "A" }, { id = "b", code = "c:\\d", label = "B" }]
[[questions]]
id = "q"
text = "Q?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
missing = ["n'a"]
"#;
    let codebook = Codebook::from_toml(text, Path::new("quotes.toml")).unwrap();
    use invitestat::tabulate::sql::{Dialect, count_query};
    let sql = |d| count_query(&codebook, d, "t").unwrap();
    for d in [Dialect::DuckDb, Dialect::Postgres] {
        assert!(sql(d).contains("IN ('n''a')"), "{}", d.name());
        assert!(sql(d).contains("AS \"group\""), "{}", d.name());
    }
    for d in [Dialect::Spark, Dialect::BigQuery] {
        assert!(sql(d).contains(r"IN ('n\'a')"), "{}", d.name());
        assert!(sql(d).contains("AS `group`"), "{}", d.name());
    }
    assert!(sql(Dialect::Postgres).contains("CAST(\"g\" AS TEXT)"));
    assert!(sql(Dialect::BigQuery).contains("CAST(1 AS FLOAT64)"));
}
