//! The loader refuses malformed files with file, line, column and expectation, writes
//! nothing when it does, and accepts BOM, CRLF and quoting; extra columns are ignored
//! and listed; `init` drafts a codebook from a file that `analyze` runs as it is.

use invitestat::Codebook;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CODEBOOK: &str = r#"
id_column = "id"
weight_column = "w"
wave_column = "wave"

[study]
id = "tiny"
title = "Tiny test survey"
source = "tests"

[grouping]
column = "grp"

[[grouping.levels]]
id = "a"
code = "1"
label = "Group A"

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
"#;

const GOOD: &str = "id,grp,w,wave,q1,q2\nr1,1,1.5,2026,1,a\nr2,2,0.5,2026,0,b\nr3,2,1,2026,,c\n";

struct Case {
    name: &'static str,
    body: &'static [u8],
    /// Substrings the error must contain (besides the file name).
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "unknown-answer",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a\nr2,1,1,1,7,a\n",
        expect: &[
            "line 3",
            "column 5 (q1)",
            "unknown answer code",
            "'7'",
            "expected one of '1', '0'",
        ],
    },
    Case {
        name: "unknown-option-later-column",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,d\n",
        expect: &["line 2", "column 6 (q2)", "'d'", "expected one of 'a', 'b', 'c'"],
    },
    Case {
        name: "unknown-group",
        body: b"id,grp,w,wave,q1,q2\nr1,3,1,1,1,a\n",
        expect: &[
            "line 2",
            "column 2 (grp)",
            "unknown group code",
            "expected one of '1' (Group A), '2' (Group B)",
        ],
    },
    Case {
        name: "duplicate-id",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a\nr1,2,1,1,0,b\n",
        expect: &["line 3", "column 1 (id)", "duplicate respondent id", "expected each id once"],
    },
    Case {
        name: "empty-id",
        body: b"id,grp,w,wave,q1,q2\n,1,1,1,1,a\n",
        expect: &["line 2", "column 1 (id)", "empty respondent id", "expected a unique"],
    },
    Case {
        name: "missing-column",
        body: b"id,grp,w,wave,q1\nr1,1,1,1,1\n",
        expect: &[
            "line 1",
            "no column 'q2'",
            "did you mean 'q1'?",
            "the file has the columns id, grp, w, wave, q1",
        ],
    },
    Case {
        name: "duplicated-header",
        body: b"id,grp,w,wave,q1,q1\nr1,1,1,1,1,1\n",
        expect: &["line 1", "column 'q1' appears twice", "expected each column once"],
    },
    Case {
        name: "too-many-fields",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a,x\n",
        expect: &["line 2", "7 fields where the header has 6"],
    },
    Case {
        name: "too-few-fields",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a\nr2,1,1\n",
        expect: &["line 3", "3 fields where the header has 6"],
    },
    Case {
        name: "weight-not-number",
        body: b"id,grp,w,wave,q1,q2\nr1,1,heavy,1,1,a\n",
        expect: &[
            "line 2",
            "column 3 (w)",
            "weight is not a number",
            "expected a finite number >= 0",
        ],
    },
    Case {
        name: "weight-negative",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a\nr2,1,-2,1,1,a\n",
        expect: &[
            "line 3",
            "column 3 (w)",
            "'-2'",
            "weight is negative or not finite",
            "expected a finite number >= 0",
        ],
    },
    Case {
        name: "weight-infinite",
        body: b"id,grp,w,wave,q1,q2\nr1,1,inf,1,1,a\n",
        expect: &["line 2", "column 3 (w)", "'inf'", "expected a finite number >= 0"],
    },
    Case {
        name: "weight-nan",
        body: b"id,grp,w,wave,q1,q2\nr1,1,NaN,1,1,a\n",
        expect: &["line 2", "column 3 (w)", "'NaN'", "expected a finite number >= 0"],
    },
    Case {
        name: "weight-empty",
        body: b"id,grp,w,wave,q1,q2\nr1,1,,1,1,a\n",
        expect: &["line 2", "column 3 (w)", "weight is not a number", "''"],
    },
    Case {
        name: "wave-empty",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,,1,a\n",
        expect: &["line 2", "column 4 (wave)", "empty wave", "expected a wave label"],
    },
    Case {
        name: "invalid-utf8",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,\xff\xfe\n",
        expect: &["line 2", "invalid UTF-8"],
    },
    Case {
        name: "answer-with-wrong-case",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,A\n",
        expect: &["line 2", "column 6 (q2)", "'A'", "expected one of 'a'"],
    },
    Case {
        name: "answer-as-decimal",
        body: b"id,grp,w,wave,q1,q2\nr1,1,1,1,1.0,a\n",
        expect: &["line 2", "column 5 (q1)", "'1.0'", "'9' (missing)"],
    },
    Case {
        name: "header-only",
        body: b"id,grp,w,wave,q1,q2\n",
        expect: &["line 2", "no data rows after the header", "expected at least one respondent"],
    },
    Case {
        name: "empty-file",
        body: b"",
        expect: &[
            "line 1",
            "no header",
            "expected a first line with the columns id, grp, w, wave, q1, q2",
        ],
    },
    Case {
        name: "semicolon-separated",
        body: b"id;grp;w;wave;q1;q2\nr1;1;1;1;1;a\n",
        expect: &["line 1", "the header is split by ';' (semicolon)", "pass --delimiter ';'"],
    },
];

fn run(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_invitestat")).args(args).output().expect("run invitestat")
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cb = dir.path().join("codebook.toml");
    std::fs::write(&cb, CODEBOOK).unwrap();
    (dir, cb)
}

#[test]
fn malformed_files_are_refused_with_position_and_expectation_and_nothing_is_written() {
    let (dir, cb) = setup();
    assert!(CASES.len() >= 19);
    for case in CASES {
        let file = dir.path().join(format!("{}.csv", case.name));
        std::fs::write(&file, case.body).unwrap();
        let out_dir = dir.path().join(format!("report-{}", case.name));
        let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .arg("analyze")
            .arg(&file)
            .arg("--codebook")
            .arg(&cb)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", case.name);
        assert!(
            err.contains(&file.display().to_string()),
            "{}: no file name in `{err}`",
            case.name
        );
        for needle in case.expect {
            assert!(err.contains(needle), "{}: `{err}` lacks `{needle}`", case.name);
        }
        assert!(out.stdout.is_empty(), "{}: printed results", case.name);
        assert!(!out_dir.exists(), "{}: wrote a report", case.name);
    }
}

#[test]
fn a_missing_file_is_named() {
    let (dir, cb) = setup();
    let missing = dir.path().join("nope.csv");
    let out = run(&[Path::new("analyze"), &missing, Path::new("--codebook"), &cb]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("nope.csv") && err.contains("cannot read"), "{err}");
}

#[test]
fn a_bad_codebook_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cb = dir.path().join("codebook.toml");
    std::fs::write(&cb, CODEBOOK.replace("kind = \"yes-no\"", "kind = \"maybe\"")).unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, GOOD).unwrap();
    let out = run(&[Path::new("analyze"), &data, Path::new("--codebook"), &cb]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("codebook.toml") && err.contains("line 27") && err.contains("maybe"),
        "{err}"
    );
}

#[test]
fn bom_crlf_quotes_and_spaces_are_accepted_and_exclusions_counted() {
    let (dir, cb) = setup();
    let file = dir.path().join("ok.csv");
    let body = "\u{feff}id,grp,w,wave,q1,q2\r\n\"r1\",1,1.5,\"2026\",1,a\r\nr2, 2 ,0.5,2026,0,\"b\"\r\nr3,2,1,2026,9,c\r\nr4,,1,2026,1,a\r\n";
    std::fs::write(&file, body).unwrap();
    let out_dir = dir.path().join("report");
    let v = crate::analyze_json(&file, &cb, &out_dir, &[]);
    assert_eq!(v["load"]["rows_read"], 4);
    assert_eq!(v["load"]["rows_used"], 3);
    assert_eq!(v["load"]["excluded"]["no value in grouping column 'grp'"], 1);
    assert_eq!(v["load"]["missing_answers"]["q1"], 1);
    let q1_b = v["analysis"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["question"] == "q1" && r["group"] == "b")
        .unwrap();
    assert_eq!(
        (q1_b["successes"].as_u64(), q1_b["n"].as_u64(), q1_b["missing"].as_u64()),
        (Some(0), Some(1), Some(1))
    );
    let summary = std::fs::read_to_string(out_dir.join("summary.txt")).unwrap();
    assert!(summary.contains("excluded 1: no value in grouping column 'grp'"), "{summary}");
}

#[test]
fn extra_columns_are_ignored_and_listed_unless_strict() {
    let (dir, cb) = setup();
    let file = dir.path().join("extra.csv");
    std::fs::write(
        &file,
        b"id,age,grp,w,wave,q1,q2,comment\nr1,40,1,1,1,1,a,hi\nr2,51,2,1,1,0,b,\n",
    )
    .unwrap();
    let summary = run(&[Path::new("analyze"), &file, Path::new("--codebook"), &cb]);
    assert!(summary.status.success(), "{}", String::from_utf8_lossy(&summary.stderr));
    let text = String::from_utf8(summary.stdout).unwrap();
    assert!(
        text.contains("  ignored: 2 column(s) the codebook does not use: age, comment"),
        "{text}"
    );
    let json =
        run(&[Path::new("analyze"), &file, Path::new("--codebook"), &cb, Path::new("--json")]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["load"]["ignored_columns"], serde_json::json!(["age", "comment"]));
    assert_eq!(v["load"]["rows_used"], 2);
    // The same answers without the extra columns give the same results.
    let plain = dir.path().join("plain.csv");
    std::fs::write(&plain, b"id,grp,w,wave,q1,q2\nr1,1,1,1,1,a\nr2,2,1,1,0,b\n").unwrap();
    let p = run(&[Path::new("analyze"), &plain, Path::new("--codebook"), &cb, Path::new("--json")]);
    let w: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(v["analysis"], w["analysis"]);
    assert!(w["load"].get("ignored_columns").is_none());
    let strict = run(&[
        Path::new("analyze"),
        &file,
        Path::new("--codebook"),
        &cb,
        Path::new("--strict-columns"),
    ]);
    assert_eq!(strict.status.code(), Some(1));
    let err = String::from_utf8_lossy(&strict.stderr);
    assert!(err.contains("line 1: unexpected column(s) age, comment"), "{err}");
}

#[test]
fn init_drafts_a_codebook_analyze_runs_on_the_file_as_it_is() {
    use invitestat::data::init::{InitOptions, draft_codebook};
    use invitestat::study::{Options, analyse_file};
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for csv in [
        "two-groups-example/responses.csv",
        "three-groups-example/responses.csv",
        "waves-example/wave-1.csv",
        "executives-online/responses.csv",
    ] {
        let path = data.join(csv);
        let toml = draft_codebook(&path, &InitOptions::default()).unwrap();
        let codebook = Codebook::from_toml(&toml, Path::new("codebook.toml"))
            .unwrap_or_else(|e| panic!("{csv}: {e}\n{toml}"));
        let report = analyse_file(&path, &codebook, &Options::default()).unwrap();
        assert_eq!(report.load.rows_used, report.load.rows_read, "{csv}");
        assert!(report.analysis.is_some(), "{csv}");
    }
    // The drafted codebook counts what the hand-written one counts.
    let path = data.join("two-groups-example/responses.csv");
    let options = InitOptions { group: Some("first_time".into()), ..InitOptions::default() };
    let drafted =
        Codebook::from_toml(&draft_codebook(&path, &options).unwrap(), Path::new("d.toml"))
            .unwrap();
    let written = Codebook::from_path(&data.join("two-groups-example/codebook.toml")).unwrap();
    let a = analyse_file(&path, &drafted, &Options::default()).unwrap();
    let b = analyse_file(&path, &written, &Options::default()).unwrap();
    let (a, b) = (a.analysis.unwrap(), b.analysis.unwrap());
    let yes = |r: &invitestat::analysis::AnalysisResults, cb: &Codebook, q: &str, code: &str| {
        let level = |c: &str| cb.grouping.levels.iter().find(|l| l.code == c).unwrap().id.clone();
        let one = r.result(q, code, &level("1")).unwrap();
        let zero = r.result(q, code, &level("0")).unwrap();
        (one.successes, one.n, zero.successes, zero.n)
    };
    for q in ["recommend", "return_next_year", "used_app"] {
        assert_eq!(yes(&a, &drafted, q, "1"), yes(&b, &written, q, "1"), "{q}");
    }
}

#[test]
fn init_says_why_each_column_is_left_out_and_analyze_ignores_them() {
    use invitestat::data::init::{InitOptions, draft_codebook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.csv");
    let mut text = String::from("rid,team,score,note,agree,yes_no,constant\n");
    for i in 0..60 {
        let note = format!("a long free-text comment number {i} about the conference");
        let yes = if i % 3 == 0 { "no" } else { "yes" };
        text.push_str(&format!(
            "r{i},{},{},{note},{},{yes},x\n",
            ["A", "B"][i % 2],
            10.5 + i as f64,
            i % 4 + 1
        ));
    }
    std::fs::write(&path, &text).unwrap();
    let toml = draft_codebook(&path, &InitOptions::default()).unwrap();
    assert!(toml.contains("id_column = \"rid\""), "{toml}");
    assert!(toml.contains("column = \"team\""), "{toml}");
    assert!(
        toml.contains("# score: 60 distinct value(s) in 60 rows, numbers 10.5 to 69.5: left out (id-like: every value distinct)"),
        "{toml}"
    );
    assert!(toml.contains("# note: ") && toml.contains("left out"), "{toml}");
    assert!(toml.contains("# constant: 1 distinct value(s) in 60 rows: left out (fewer than two values: nothing to compare)"), "{toml}");
    assert!(toml.contains("kind = \"yes-no\"\nyes = \"yes\""), "{toml}");
    assert!(toml.contains("id = \"agree\"\ntext = \"agree\"\nkind = \"single-choice\""), "{toml}");
    let cb = dir.path().join("codebook.toml");
    std::fs::write(&cb, &toml).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .arg("analyze")
        .arg(&path)
        .arg("--codebook")
        .arg(&cb)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(
        summary.contains("ignored: 3 column(s) the codebook does not use: score, note, constant"),
        "{summary}"
    );
    // A named column the file lacks.
    let options = InitOptions { group: Some("teem".into()), ..InitOptions::default() };
    let e = draft_codebook(&path, &options).unwrap_err().to_string();
    assert!(e.ends_with("no column 'teem' for --group; the file has the columns rid, team, score, note, agree, yes_no, constant"), "{e}");
}

/// A workbook written by another tool (openpyxl, `tests/fixtures/make_workbooks.py`)
/// reads as the CSV it was made from, number for number, and its errors name the
/// workbook's rows and columns.
#[cfg(feature = "excel")]
#[test]
fn a_workbook_reads_as_its_csv_number_for_number() {
    use invitestat::study::{Options, analyse_file};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let codebook =
        Codebook::from_path(&root.join("data/two-groups-example/codebook.toml")).unwrap();
    let book = root.join("tests/fixtures/two-groups.xlsx");
    let x = analyse_file(&book, &codebook, &Options::default()).unwrap();
    let c = analyse_file(
        &root.join("data/two-groups-example/responses.csv"),
        &codebook,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&x.analysis).unwrap(),
        serde_json::to_value(&c.analysis).unwrap()
    );
    assert_eq!(serde_json::to_value(&x.claims).unwrap(), serde_json::to_value(&c.claims).unwrap());
    assert_eq!(
        (x.load.rows_read, x.load.rows_used, &x.load.excluded, &x.load.missing_answers),
        (c.load.rows_read, c.load.rows_used, &c.load.excluded, &c.load.missing_answers)
    );
    assert_eq!(x.load.file, book.display().to_string());
    assert_eq!(x.load.sha256, invitestat::digest::sha256_hex(&std::fs::read(&book).unwrap()));
    assert!(
        x.load
            .warnings
            .contains(&"read the first sheet, 'responses', of the workbook's 2".to_string())
    );
    // A bad code: the workbook's row and column.
    let bad = root.join("tests/fixtures/bad-code.xlsx");
    let e = analyse_file(&bad, &codebook, &Options::default()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: line 3, column 4 (recommend): unknown answer code: got '7', expected one of '1', '0' or an empty cell (missing)",
            bad.display()
        )
    );
    // A table placed from B3: the sheet's own rows and columns.
    let offset = root.join("tests/fixtures/offset.xlsx");
    let e = analyse_file(&offset, &codebook, &Options::default()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: line 5, column 5 (recommend): unknown answer code: got '7', expected one of '1', '0' or an empty cell (missing)",
            offset.display()
        )
    );
    let other = Codebook::from_path(&root.join("data/three-groups-example/codebook.toml")).unwrap();
    let e = analyse_file(&offset, &other, &Options::default()).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}: line 3: no column 'work_mode'", offset.display())), "{e}");
    // `init` drafts the same questions from the workbook as from the CSV.
    assert_drafts_as_the_csv(&book);
    // Not a workbook at all.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, b"id,grp\n1,2\n").unwrap();
    let e = analyse_file(&fake, &codebook, &Options::default()).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}: not a readable workbook", fake.display())), "{e}");
}

/// Parquet written by pyarrow (`tests/fixtures/make_parquet.py`), as one file (snappy)
/// and as a folder of two parts (zstd), reads as the CSV it was made from, number for
/// number; parts with different columns are refused by name.
#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_as_its_csv_number_for_number() {
    use invitestat::study::{Options, analyse_file};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (codebook, csv) = two_groups_from_csv();
    for input in ["tests/fixtures/two-groups.parquet", "tests/fixtures/two-groups-parts"] {
        let path = root.join(input);
        let p = analyse_file(&path, &codebook, &Options::default()).unwrap();
        assert_same_analysis(&p, &csv, input);
        assert_eq!(p.load.file, path.display().to_string());
    }
    let one = root.join("tests/fixtures/two-groups.parquet");
    let p = analyse_file(&one, &codebook, &Options::default()).unwrap();
    assert_eq!(p.load.sha256, invitestat::digest::sha256_hex(&std::fs::read(&one).unwrap()));
    let parts =
        analyse_file(&root.join("tests/fixtures/two-groups-parts"), &codebook, &Options::default())
            .unwrap();
    assert!(parts.load.warnings.contains(&"read 2 part files in name order".to_string()));
    let bad = root.join("tests/fixtures/mismatched-parts");
    let e = analyse_file(&bad, &codebook, &Options::default()).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: its columns (", bad.join("part-1.parquet").display()))
            && e.contains("differ from those of"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.parquet");
    std::fs::write(&fake, b"id,grp\n1,2\n").unwrap();
    let e = analyse_file(&fake, &codebook, &Options::default()).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}: not a readable Parquet file", fake.display())), "{e}");
    // `init` drafts the same questions from the Parquet file as from the CSV.
    assert_drafts_as_the_csv(&one);
}

/// The two-group example's codebook and the analysis of its CSV responses.
#[cfg(feature = "parquet")]
fn two_groups_from_csv() -> (Codebook, invitestat::Report) {
    use invitestat::study::{Options, analyse_file};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let codebook =
        Codebook::from_path(&root.join("data/two-groups-example/codebook.toml")).unwrap();
    let csv = analyse_file(
        &root.join("data/two-groups-example/responses.csv"),
        &codebook,
        &Options::default(),
    )
    .unwrap();
    (codebook, csv)
}

/// An engine's count table written as Parquet (long format, pyarrow) merges to the
/// analysis of the responses themselves, and records the Parquet file's checksum.
#[cfg(feature = "parquet")]
#[test]
fn parquet_count_tables_merge_as_the_responses_analyse() {
    use invitestat::study::Options;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (codebook, csv) = two_groups_from_csv();
    let counts = root.join("tests/fixtures/two-groups-counts.parquet");
    let merged = invitestat::study::merge_counts(
        std::slice::from_ref(&counts),
        &codebook,
        Options::default().analysis,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&merged.analysis).unwrap(),
        serde_json::to_value(&csv.analysis).unwrap()
    );
    let shard = invitestat::tabulate::read_counts(&counts, &codebook).unwrap();
    assert_eq!(shard.sha256, invitestat::digest::sha256_hex(&std::fs::read(&counts).unwrap()));
    assert_eq!(shard.rows_read, csv.load.rows_read);
}

/// The analysis and the load counts of a file read from another format equal those of
/// the CSV of the same values, number for number.
#[cfg(any(feature = "excel", feature = "parquet", feature = "spss", feature = "stata"))]
fn assert_same_analysis(x: &invitestat::Report, csv: &invitestat::Report, what: &str) {
    assert_eq!(
        serde_json::to_value(&x.analysis).unwrap(),
        serde_json::to_value(&csv.analysis).unwrap(),
        "{what}"
    );
    assert_eq!(
        (x.load.rows_read, x.load.rows_used, &x.load.excluded, &x.load.missing_answers),
        (csv.load.rows_read, csv.load.rows_used, &csv.load.excluded, &csv.load.missing_answers),
        "{what}"
    );
}

/// `init` drafts the same questions from `file` as from the two-group example's CSV.
#[cfg(any(feature = "excel", feature = "parquet"))]
fn assert_drafts_as_the_csv(file: &Path) {
    use invitestat::data::init::{InitOptions, draft_codebook};
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/two-groups-example/responses.csv");
    let draft = |p: &Path| {
        Codebook::from_toml(
            &draft_codebook(p, &InitOptions::default()).unwrap(),
            Path::new("d.toml"),
        )
        .unwrap()
    };
    assert_eq!(draft(file).questions, draft(&csv).questions, "{}", file.display());
}

/// SPSS (`.sav` bytecode-compressed and plain, `.zsav`) and Stata (releases 113, 114,
/// 115, 117, 118 and 119) files written by pyreadstat (`tests/fixtures/make_spss_stata.py`) read as the
/// CSV of the same values, number for number, with the codebook `init` drafts from
/// each: the variable labels become the question texts, the value labels the options'
/// and groups' labels, SPSS's user-missing 9 and Stata's `.a` the missing codes.
#[cfg(all(feature = "spss", feature = "stata"))]
#[test]
fn spss_and_stata_files_read_as_their_csv_with_labels_and_missing_codes() {
    use invitestat::data::init::{InitOptions, draft_codebook};
    use invitestat::study::{Options, analyse_file};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures");
    let draft = |p: &Path| {
        Codebook::from_toml(
            &draft_codebook(p, &InitOptions::default()).unwrap(),
            Path::new("d.toml"),
        )
        .unwrap()
    };
    let sav_book = draft(&fixtures.join("two-groups.sav"));
    let heard = sav_book.question("heard_from").unwrap();
    assert_eq!(heard.text, "How did you first hear about this conference?");
    assert_eq!(
        heard.options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>(),
        ["A colleague", "Social media", "E-mail newsletter"]
    );
    assert_eq!(heard.missing, ["9"]);
    assert_eq!(
        sav_book
            .grouping
            .levels
            .iter()
            .map(|l| (l.code.as_str(), l.label.as_str()))
            .collect::<Vec<_>>(),
        [("1", "First-time attendees"), ("0", "Returning attendees")]
    );
    assert_eq!(sav_book.question("recommend").unwrap().options[0].label, "Yes");
    assert!(sav_book.question("comment").is_none());
    for name in [
        "two-groups.sav",
        "two-groups-plain.sav",
        "two-groups.zsav",
        "two-groups-mrset.sav",
        "two-groups-113.dta",
        "two-groups-114.dta",
        "two-groups-115.dta",
        "two-groups-117.dta",
        "two-groups-118.dta",
        "two-groups-119.dta",
    ] {
        let path = fixtures.join(name);
        let book = draft(&path);
        let stata = name.ends_with(".dta");
        assert_eq!(
            book.question("heard_from").unwrap().missing,
            [if stata { ".a" } else { "9" }],
            "{name}"
        );
        let mut levels = book.grouping.levels.clone();
        levels.sort_by(|a, b| b.code.cmp(&a.code));
        assert_eq!(levels, sav_book.grouping.levels, "{name}");
        // The CSV holds 9 where a Stata file holds .a.
        let mut csv_book = book.clone();
        csv_book
            .questions
            .iter_mut()
            .filter(|q| q.id == "heard_from")
            .for_each(|q| q.missing = vec!["9".into()]);
        let csv =
            analyse_file(&fixtures.join("two-groups-labelled.csv"), &csv_book, &Options::default())
                .unwrap();
        let x = analyse_file(&path, &book, &Options::default()).unwrap();
        assert_same_analysis(&x, &csv, name);
        assert_eq!(x.load.ignored_columns, ["comment"], "{name}");
        assert_eq!(x.load.sha256, invitestat::digest::sha256_hex(&std::fs::read(&path).unwrap()));
        // Strings arrive whole: a very long string's segments joined, UTF-8 kept.
        let converted = invitestat::data::convert::open(&path).unwrap().unwrap();
        let mut rdr = csv::Reader::from_path(&converted.csv).unwrap();
        let comments: Vec<String> = rdr.records().map(|r| r.unwrap()[6].to_string()).collect();
        let long = "Great keynote. ".repeat(20);
        let long = long.trim();
        assert_eq!(
            comments[0],
            match &name[name.len() - 7..] {
                "113.dta" => &long[..200],
                "114.dta" | "115.dta" | "119.dta" => &long[..40],
                _ => long,
            },
            "{name}"
        );
        assert!("Too crowded, and the café ran out of coffee.".starts_with(&comments[1]), "{name}");
        assert!(comments[1].chars().count() >= 40, "{name}");
        assert_eq!(comments.len(), 500);
    }
    // The response set record: its columns by their long names.
    let mrset =
        invitestat::data::convert::open(&fixtures.join("two-groups-mrset.sav")).unwrap().unwrap();
    let sets = mrset.dictionary.unwrap().sets;
    assert_eq!(sets.len(), 1);
    assert_eq!(
        (sets[0].name.as_str(), sets[0].label.as_str(), sets[0].counted.as_deref()),
        ("plans", "Plans and app", Some("1"))
    );
    assert_eq!(sets[0].columns, ["recommend", "return_next_year", "used_app"]);
    // `init` drafts it as a multi-response question (its columns no longer questions of
    // their own), which the analysis above tested against the CSV.
    let book = draft(&fixtures.join("two-groups-mrset.sav"));
    assert_eq!(book.sets.len(), 1);
    assert_eq!((book.sets[0].id.as_str(), book.sets[0].text.as_str()), ("plans", "Plans and app"));
    let answers: Vec<&str> =
        book.sets[0].questions.iter().map(|&q| book.questions[q].id.as_str()).collect();
    assert_eq!(answers, ["recommend", "return_next_year", "used_app"]);
    let x =
        analyse_file(&fixtures.join("two-groups-mrset.sav"), &book, &Options::default()).unwrap();
    let test = &x.analysis.as_ref().unwrap().multi_response_tests;
    assert_eq!(test.len(), 1);
    assert!(test[0].test.is_some());
}

/// A damaged SPSS or Stata file is refused with the byte or section and what was
/// expected; nothing panics on a cut file.
#[cfg(all(feature = "spss", feature = "stata"))]
#[test]
fn damaged_spss_and_stata_files_are_refused_by_name() {
    use invitestat::study::{Options, analyse_file};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let codebook =
        Codebook::from_path(&root.join("data/two-groups-example/codebook.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.sav");
    std::fs::write(&fake, b"id,grp\n1,2\n").unwrap();
    let e = analyse_file(&fake, &codebook, &Options::default()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: byte 4: not an SPSS system file; expected it to begin with $FL2 or $FL3",
            fake.display()
        )
    );
    let fake = dir.path().join("fake.dta");
    std::fs::write(&fake, b"id,grp\n1,2\n").unwrap();
    let e = analyse_file(&fake, &codebook, &Options::default()).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}: not a readable Stata file", fake.display())), "{e}");
    // A Stata file before release 118 whose strings are not UTF-8: Windows-1252.
    let mut bytes = std::fs::read(root.join("tests/fixtures/two-groups-113.dta")).unwrap();
    let at = bytes.windows(5).position(|w| w == "café".as_bytes()).unwrap();
    bytes.splice(at + 3..at + 5, [0xe9, b' ']);
    let latin = dir.path().join("latin.dta");
    std::fs::write(&latin, &bytes).unwrap();
    let converted = invitestat::data::convert::open(&latin).unwrap().unwrap();
    assert_eq!(converted.note.as_deref(), Some("strings read as Windows-1252, not UTF-8"));
    let text = std::fs::read_to_string(&converted.csv).unwrap();
    assert!(text.contains("and the café  ran out"), "{text}");
    for name in [
        "two-groups.sav",
        "two-groups-plain.sav",
        "two-groups.zsav",
        "two-groups-118.dta",
        "two-groups-113.dta",
    ] {
        let bytes = std::fs::read(root.join("tests/fixtures").join(name)).unwrap();
        for cut in [10, 200, 700, bytes.len() / 2, bytes.len() - 3] {
            let path = dir.path().join(format!("cut-{cut}-{name}"));
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let e = analyse_file(&path, &codebook, &Options::default()).unwrap_err().to_string();
            assert!(e.starts_with(&path.display().to_string()), "{name} cut at {cut}: {e}");
        }
    }
}

/// An SPSS system file written by hand in either byte order: a numeric variable
/// with a label, value labels and a missing value, a string of width 3, a long
/// name, and two uncompressed cases (the second system-missing).
#[cfg(feature = "spss")]
fn system_file(big: bool) -> Vec<u8> {
    let i = |v: i32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let f = |v: f64| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut b = Vec::new();
    b.extend_from_slice(b"$FL2");
    b.extend_from_slice(&[b' '; 60]);
    for v in [2, 2, 0, 0, 2] {
        b.extend_from_slice(&i(v)); // layout, case size, compression, weight, cases
    }
    b.extend_from_slice(&f(100.0));
    b.extend_from_slice(&[b' '; 84]);
    // Q1: numeric, labelled "Likes it?", missing value 9.
    for v in [2, 0, 1, 1, 0x050800, 0x050800] {
        b.extend_from_slice(&i(v));
    }
    b.extend_from_slice(b"Q1      ");
    b.extend_from_slice(&i(9));
    b.extend_from_slice(b"Likes it?\0\0\0");
    b.extend_from_slice(&f(9.0));
    // S: a string of width 3.
    for v in [2, 3, 0, 0, 0x010300, 0x010300] {
        b.extend_from_slice(&i(v));
    }
    b.extend_from_slice(b"S       ");
    // Value labels of Q1: 1 "Yes", 0 "No".
    b.extend_from_slice(&i(3));
    b.extend_from_slice(&i(2));
    for (v, l) in [(1.0, "Yes"), (0.0, "No")] {
        b.extend_from_slice(&f(v));
        let mut label = vec![l.len() as u8];
        label.extend_from_slice(l.as_bytes());
        label.resize(8, b' ');
        b.extend_from_slice(&label);
    }
    b.extend_from_slice(&i(4));
    b.extend_from_slice(&i(1));
    b.extend_from_slice(&i(1));
    // Long names, and the multiple-response sets.
    let names = b"Q1=likes\tS=comment";
    for v in [7, 13, 1, names.len() as i32] {
        b.extend_from_slice(&i(v));
    }
    b.extend_from_slice(names);
    let sets = b"$both=C 4 Both Q1 S\n$ticks=E 11 1 1 5 Ticks Q1 S\n";
    for v in [7, 7, 1, sets.len() as i32] {
        b.extend_from_slice(&i(v));
    }
    b.extend_from_slice(sets);
    b.extend_from_slice(&i(999));
    b.extend_from_slice(&i(0));
    // Cases: (1, "ab"), (system-missing, "xyz").
    b.extend_from_slice(&f(1.0));
    b.extend_from_slice(b"ab      ");
    b.extend_from_slice(&f(-f64::MAX));
    b.extend_from_slice(b"xyz     ");
    b
}

#[cfg(feature = "spss")]
#[test]
fn an_spss_file_written_by_hand_reads_the_same_in_either_byte_order() {
    use invitestat::data::spss::to_csv;
    for big in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sav");
        std::fs::write(&path, system_file(big)).unwrap();
        let c = to_csv(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&c.csv).unwrap(), "likes,comment\n1,ab\n,xyz\n");
        let d = c.dictionary.unwrap();
        assert_eq!(d.columns[0].label.as_deref(), Some("Likes it?"));
        assert_eq!(d.columns[0].values, [("1".into(), "Yes".into()), ("0".into(), "No".into())]);
        assert_eq!(d.columns[0].missing, ["9"]);
        assert!(!d.columns[1].numeric);
        assert_eq!(d.sets.len(), 2);
        assert_eq!((d.sets[0].name.as_str(), d.sets[0].counted.as_deref()), ("both", None));
        assert_eq!(d.sets[0].columns, ["likes", "comment"]);
        assert_eq!((d.sets[1].label.as_str(), d.sets[1].counted.as_deref()), ("Ticks", Some("1")));
        // Cut short: refused, naming the byte.
        let bytes = system_file(big);
        std::fs::write(&path, &bytes[..bytes.len() - 8]).unwrap();
        let e = to_csv(&path).unwrap_err().to_string();
        assert!(e.contains("case 2 ends after 1 of its 2 values"), "{e}");
    }
}

/// A table held in memory, as the Python package hands a data frame to the loader: its
/// header record, then one record per row starting at its row number.
struct Memory {
    name: PathBuf,
    rows: Vec<Vec<String>>,
}

struct MemoryRecords<'a> {
    rows: &'a [Vec<String>],
    next: usize,
}

impl invitestat::data::records::RecordSource for MemoryRecords<'_> {
    fn read_record(
        &mut self,
        record: &mut invitestat::data::records::Record,
    ) -> Result<bool, invitestat::data::records::RecordError> {
        let Some(row) = self.rows.get(self.next) else { return Ok(false) };
        record.start(self.next as u64);
        for cell in row {
            record.push_with(|out| out.extend_from_slice(cell.as_bytes()));
        }
        self.next += 1;
        Ok(true)
    }
}

impl invitestat::tabulate::DataSet for Memory {
    fn name(&self) -> &Path {
        &self.name
    }

    fn load(
        &self,
        codebook: &Codebook,
        options: invitestat::data::LoadOptions,
        each: &mut dyn FnMut(&invitestat::data::Response),
    ) -> Result<invitestat::data::LoadSummary, invitestat::data::LoadError> {
        let mut records = MemoryRecords { rows: &self.rows, next: 0 };
        invitestat::tabulate::load_table(&mut records, &self.name, codebook, options, each)
    }
}

fn memory_of(path: &Path) -> Memory {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    Memory { name: PathBuf::from("memory"), rows }
}

#[test]
fn a_table_in_memory_is_analysed_and_refused_exactly_as_its_file() {
    use invitestat::study::{Options, analyse_data_set, analyse_file, read_wave_sets};
    use invitestat::tabulate::DataSet;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/executives-online");
    let codebook = Codebook::from_path(&dir.join("codebook.toml")).unwrap();
    let file = dir.join("responses.csv");
    let mut table = memory_of(&file);
    let options = Options::default();
    let tables = |r: &invitestat::Report| invitestat::report::csv::files(r).unwrap();
    let from_file = analyse_file(&file, &codebook, &options).unwrap();
    let from_memory = analyse_data_set(&table, &codebook, &options).unwrap();
    assert_eq!(tables(&from_memory), tables(&from_file));
    assert_eq!(from_memory.load.rows_used, 400);
    assert_eq!(from_memory.load.file, "memory");

    // A bad cell: the file's message, the line counted as in the table written as CSV.
    table.rows[2][3] = "7".into();
    let e = analyse_data_set(&table, &codebook, &options).unwrap_err().to_string();
    assert!(
        e.starts_with("memory: line 3, column 4 (accept_never_met): unknown answer code: got '7'"),
        "{e}"
    );
    table.rows[2][3] = "1".into();

    // A repeated id: its second line while the ids are in memory, the id column once
    // they have spilled to disk.
    table.rows[6][0] = table.rows[3][0].clone();
    let e = analyse_data_set(&table, &codebook, &options).unwrap_err().to_string();
    assert!(
        e.starts_with("memory: line 7, column 1 (respondent_id): duplicate respondent id"),
        "{e}"
    );
    table.rows[6][0] = "a-new-id".into();
    table.rows[390][0] = table.rows[3][0].clone();
    let spilled = Options {
        load: invitestat::data::LoadOptions { ids_in_memory: 50, ..Default::default() },
        ..Options::default()
    };
    let e = table.tabulate(&codebook, spilled.load).unwrap_err().to_string();
    assert_eq!(
        e,
        "memory: column 'respondent_id': a respondent id appears more than once; expected each id once"
    );

    // Waves from tables in memory equal waves from their files.
    let waves_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/waves-example");
    let waves_codebook = Codebook::from_path(&waves_dir.join("codebook.toml")).unwrap();
    let files: Vec<PathBuf> = (1..=3).map(|i| waves_dir.join(format!("wave-{i}.csv"))).collect();
    let memories: Vec<Memory> = files.iter().map(|f| memory_of(f)).collect();
    let sets: Vec<&dyn DataSet> = memories.iter().map(|m| m as &dyn DataSet).collect();
    let labels: Vec<String> = (1..=3).map(|i| format!("wave-{i}")).collect();
    let in_memory = read_wave_sets(&sets, &labels, &waves_codebook, options.load).unwrap();
    let from_files = invitestat::study::read_waves(&files, &waves_codebook, options.load).unwrap();
    let report = |w| invitestat::study::analyse_waves(w, &waves_codebook, options.analysis);
    assert_eq!(tables(&report(in_memory)), tables(&report(from_files)));
}
