//! Never lose a file, never panic: `--out` refuses folders invitestat did not write,
//! reports are swapped in whole (also when the process is killed mid-write), single
//! files are replaced only when they are invitestat's, and every analysis copes with
//! empty groups, one respondent, identical groups and extreme weights.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_invitestat"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn exec_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).output().expect("run invitestat")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    out
}

/// A folder holding the executives study's codebook and responses.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("data/executives-online");
    for f in ["codebook.toml", "responses.csv"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

const ANALYZE: [&str; 4] = ["analyze", "responses.csv", "--codebook", "codebook.toml"];

fn analyze_out(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let mut args: Vec<&str> = ANALYZE.to_vec();
    args.extend(["--out", out]);
    args.extend(extra);
    exec_in(dir, &args)
}

#[test]
fn out_refuses_the_working_directory_and_folders_holding_inputs() {
    let dir = workspace();
    let before = snapshot(dir.path());
    for target in [".", "./", "sub/..", dir.path().to_str().unwrap()] {
        let o = analyze_out(dir.path(), target, &[]);
        assert_eq!(o.status.code(), Some(1), "--out {target}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("is the working directory or a folder holding it"),
            "{}",
            stderr(&o)
        );
        assert_eq!(snapshot(dir.path()), before, "--out {target} changed the folder");
    }
    // A folder above the working directory, and a folder holding an input.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let o = exec_in(
        &sub,
        &["analyze", "../responses.csv", "--codebook", "../codebook.toml", "--out", ".."],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let inputs = tempfile::tempdir().unwrap();
    let nested = inputs.path().join("in");
    std::fs::create_dir(&nested).unwrap();
    std::fs::copy(dir.path().join("responses.csv"), nested.join("responses.csv")).unwrap();
    let o = exec_in(
        dir.path(),
        &[
            "analyze",
            nested.join("responses.csv").to_str().unwrap(),
            "--codebook",
            "codebook.toml",
            "--out",
            nested.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("holds the input"), "{}", stderr(&o));
    assert!(nested.join("responses.csv").exists());
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn out_replaces_only_earlier_reports() {
    let dir = workspace();
    // A folder of someone else's files is never replaced, with or without --force.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let o = analyze_out(dir.path(), "theirs", extra);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("is not an invitestat report"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(theirs.join("notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
    }
    // A file is not a folder.
    std::fs::write(dir.path().join("afile"), "x").unwrap();
    let o = analyze_out(dir.path(), "afile", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("afile")).unwrap(), "x");
    // An empty folder and an earlier report are written and replaced.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    assert!(analyze_out(dir.path(), "empty", &[]).status.success());
    assert!(dir.path().join("empty/report.html").exists());
    let o = analyze_out(dir.path(), "report", &["--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("report/.invitestat-report").exists());
    let o = analyze_out(dir.path(), "report", &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("report/results.json").exists());
    assert!(
        !dir.path().join("report/results.csv").exists(),
        "the earlier report was not replaced whole"
    );
    // A report someone added a file to needs --force, and keeps the file until then.
    std::fs::write(dir.path().join("report/mine.txt"), "added").unwrap();
    let o = analyze_out(dir.path(), "report", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("mine.txt was added or changed"), "{}", stderr(&o));
    assert!(dir.path().join("report/mine.txt").exists());
    let o = analyze_out(dir.path(), "report", &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("report/mine.txt").exists());
    // Nothing is left beside the reports.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

#[cfg(unix)]
#[test]
fn out_refuses_a_symbolic_link() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).unwrap();
    let o = analyze_out(dir.path(), "link", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is a symbolic link"), "{}", stderr(&o));
}

#[test]
fn single_files_are_replaced_only_when_they_are_invitestat_s() {
    let dir = workspace();
    let tab = |out: &str, extra: &[&str]| {
        let mut a =
            vec!["tabulate", "responses.csv", "--codebook", "codebook.toml", "--counts-out", out];
        a.extend(extra);
        exec_in(dir.path(), &a)
    };
    // A count table is written, and an earlier one replaced.
    assert!(tab("counts.json", &[]).status.success());
    assert!(tab("counts.json", &[]).status.success());
    // Another file is not replaced without --force; an input never.
    std::fs::write(dir.path().join("notes.json"), "{\"mine\": 1}").unwrap();
    let o = tab("notes.json", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("exists and invitestat did not write it"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.json")).unwrap(), "{\"mine\": 1}");
    assert!(tab("notes.json", &["--force"]).status.success());
    let before = std::fs::read(dir.path().join("responses.csv")).unwrap();
    for target in ["responses.csv", "./codebook.toml"] {
        let o = tab(target, &["--force"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("is an input of this command"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(dir.path().join("responses.csv")).unwrap(), before);
    // generate and reconstruct write new files only, unless --force.
    let cb = root().join("data/executives-online/codebook.toml");
    let cb = cb.to_str().unwrap();
    let generate = |extra: &[&str]| {
        let mut a = vec!["generate", cb, "--rows", "20", "--seed", "1", "--out", "wave.csv"];
        a.extend(extra);
        exec_in(dir.path(), &a)
    };
    assert!(generate(&[]).status.success());
    let o = generate(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(generate(&["--force"]).status.success());
    let o = exec_in(dir.path(), &["reconstruct", cb, "--seed", "1", "--out", "wave.csv"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // No temporary file is left.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The report of a run killed at random moments: every time, the folder holds the
/// whole earlier report or the whole new one; a SIGTERM leaves no staging folder, and
/// what a SIGKILL leaves is removed by the next write to the same place.
#[cfg(unix)]
#[test]
fn a_report_killed_mid_write_is_the_old_or_the_new_one_whole() {
    use std::time::Instant;
    let dir = workspace();
    let reference = |name: &str, level: &str| {
        let o = analyze_out(dir.path(), name, &["--confidence-level", level]);
        assert!(o.status.success(), "{}", stderr(&o));
        snapshot(&dir.path().join(name))
    };
    let old = reference("old", "0.95");
    let new = reference("new", "0.9");
    assert_ne!(old, new);
    // How long a whole write takes, to spread the kills over it.
    let start = Instant::now();
    let o = analyze_out(dir.path(), "timing", &["--confidence-level", "0.9"]);
    assert!(o.status.success());
    let whole = start.elapsed();
    let target = dir.path().join("target");
    let mut seen = (0, 0);
    for i in 0..40u32 {
        std::fs::remove_dir_all(&target).ok();
        assert!(
            analyze_out(dir.path(), "target", &["--confidence-level", "0.95"]).status.success()
        );
        let mut child = bin()
            .args(ANALYZE)
            .args(["--out", "target", "--confidence-level", "0.9"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Spread over the run and beyond it (other tests load the machine too).
        let delay = whole.mul_f64(f64::from(i % 20) / 10.0);
        std::thread::sleep(delay);
        let signal = if i < 20 { "TERM" } else { "KILL" };
        let _ = Command::new("kill").args([format!("-{signal}"), child.id().to_string()]).status();
        let _ = child.wait();
        let now = snapshot(&target);
        if now == old {
            seen.0 += 1;
        } else if now == new {
            seen.1 += 1;
        } else {
            panic!(
                "kill #{i} ({signal} after {delay:?}) left neither report whole: {:?}",
                now.keys().collect::<Vec<_>>()
            );
        }
        let staging: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("invitestat-staging"))
            .collect();
        if signal == "TERM" {
            assert!(staging.is_empty(), "SIGTERM #{i} left {staging:?}");
        }
    }
    // A later write removes what a killed process left behind.
    assert!(analyze_out(dir.path(), "target", &[]).status.success());
    let staging = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref().unwrap().file_name().to_string_lossy().contains("invitestat-staging")
        })
        .count();
    assert_eq!(staging, 0);
    assert!(seen.0 > 0 && seen.1 > 0, "kills never landed on both sides of the swap: {seen:?}");
}

/// A write that fails part-way (here: a file-size limit, as a full disk would) leaves
/// the earlier report whole and no staging folder or temporary file behind.
#[cfg(target_os = "linux")]
#[test]
fn a_write_that_fails_part_way_leaves_the_earlier_report() {
    let dir = workspace();
    assert!(analyze_out(dir.path(), "report", &[]).status.success());
    let before = snapshot(&dir.path().join("report"));
    let limited = |args: &str| {
        // SIGXFSZ ignored, so that a write past the limit fails with EFBIG.
        let script = format!(
            "trap '' XFSZ; ulimit -f 8; exec '{}' {args}",
            env!("CARGO_BIN_EXE_invitestat")
        );
        Command::new("sh").args(["-c", &script]).current_dir(dir.path()).output().unwrap()
    };
    let o = limited(
        "analyze responses.csv --codebook codebook.toml --out report --confidence-level 0.9",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write report/"), "{}", stderr(&o));
    assert_eq!(snapshot(&dir.path().join("report")), before);
    let o = limited("generate codebook.toml --rows 5000 --seed 1 --out big.csv");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write big.csv"), "{}", stderr(&o));
    assert!(!dir.path().join("big.csv").exists());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A two-group codebook with a weight column, for the small files below.
const CODEBOOK: &str = r#"
id_column = "id"
weight_column = "w"

[study]
id = "tiny"
title = "Tiny"
source = "tests"

[grouping]
column = "grp"
levels = [{ id = "a", code = "1", label = "A" }, { id = "b", code = "2", label = "B" }]

[[questions]]
id = "q1"
text = "Yes?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]

[[questions]]
id = "q2"
text = "Which?"
kind = "single-choice"
options = [{ code = "x", label = "X" }, { code = "y", label = "Y" }, { code = "z", label = "Z" }]

[[claims]]
id = "C1"
text = "A majority of both groups say yes"
kind = "majority"
question = "q1"
option = "1"
groups = ["a", "b"]
threshold = 0.5

[[claims]]
id = "C2"
text = "A is twice as likely as B to say yes"
kind = "ratio"
question = "q1"
option = "1"
numerator = "a"
denominator = "b"
value = 2.0
relation = "more-than"

[[claims]]
id = "C3"
text = "The groups differ"
kind = "differ"
items = ["q1:1", "q2:x"]
"#;

fn analyze_text(csv: &str) -> (Output, Option<Value>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cb.toml"), CODEBOOK).unwrap();
    std::fs::write(dir.path().join("d.csv"), csv).unwrap();
    let o =
        exec_in(dir.path(), &["analyze", "d.csv", "--codebook", "cb.toml", "--json", "--out", "r"]);
    let json = serde_json::from_slice(&o.stdout).ok();
    (o, json)
}

#[test]
fn empty_groups_one_respondent_and_identical_groups_are_judged_not_panicked_on() {
    let cases = [
        ("one respondent", "id,grp,w,q1,q2\nr1,1,1,1,x\n"),
        ("no one in group b", "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,1,1,0,y\nr3,1,2,1,z\n"),
        ("nobody in b answered q1", "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,2,1,,y\nr3,2,1,,x\n"),
        ("a question nobody answered", "id,grp,w,q1,q2\nr1,1,1,,x\nr2,2,1,,y\n"),
        ("identical groups", "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,1,1,0,y\nr3,2,1,1,x\nr4,2,1,0,y\n"),
        (
            "everyone gives one answer",
            "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,1,1,1,x\nr3,2,1,1,x\nr4,2,1,1,x\n",
        ),
        (
            "all weights zero in a group",
            "id,grp,w,q1,q2\nr1,1,0,1,x\nr2,1,0,0,y\nr3,2,1,1,x\nr4,2,2,0,y\n",
        ),
    ];
    for (name, csv) in cases {
        let (o, json) = analyze_text(csv);
        assert!(o.status.success(), "{name}: exit {:?}: {}", o.status.code(), stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.contains("NaN") && !text.contains(": inf"), "{name}: a non-number printed");
        let json = json.unwrap_or_else(|| panic!("{name}: no JSON"));
        for c in json["claims"].as_array().unwrap() {
            let verdict = c["verdict"].as_str().unwrap();
            assert!(!c["summary"].as_str().unwrap().is_empty(), "{name}: {c}");
            if name == "no one in group b" || name == "one respondent" {
                assert_eq!(verdict, "cannot-be-judged", "{name}: {c}");
                assert!(c["summary"].as_str().unwrap().contains("nobody answered"), "{name}: {c}");
            }
        }
    }
    // The warnings say what is wrong with the data.
    let (_, json) = analyze_text("id,grp,w,q1,q2\nr1,1,1,,x\nr2,2,0,,y\n");
    let warnings: Vec<String> = json.unwrap()["load"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert!(
        warnings.iter().any(|w| w == "question \"Yes?\" was answered by nobody"),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("1 respondent(s) have weight 0")), "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("group \"A\" has 1 respondents, below the minimum base of 30")),
        "{warnings:?}"
    );
}

/// Weights of 1e300 or 1e-310 give the shares that weights near 1 give; a weight so far
/// from the others that its square cannot be summed is refused with its line.
#[test]
fn extreme_weights_are_scaled_or_refused() {
    let rows = |ws: [&str; 6]| {
        let answers = ["1,x", "0,y", "1,z", "1,x", "0,x", "0,y"];
        let mut csv = "id,grp,w,q1,q2\n".to_string();
        for (i, (w, a)) in ws.iter().zip(answers).enumerate() {
            csv.push_str(&format!("r{i},{},{w},{a}\n", 1 + i % 2));
        }
        csv
    };
    let shares = |csv: &str| -> Vec<(f64, f64, f64)> {
        let (o, json) = analyze_text(csv);
        assert!(o.status.success(), "{}", stderr(&o));
        json.unwrap()["analysis"]["weighted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["estimate"].as_f64().unwrap(),
                    r["se"].as_f64().unwrap(),
                    r["ci_upper"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let near_one = shares(&rows(["1", "2", "3", "1", "2", "3"]));
    for scale in ["e300", "e-310", "e-200", "e150"] {
        let ws = ["1", "2", "3", "1", "2", "3"].map(|w| format!("{w}{scale}"));
        let got =
            shares(&rows([&ws[0], &ws[1], &ws[2], &ws[3], &ws[4], &ws[5]].map(String::as_str)));
        assert_eq!(got.len(), near_one.len());
        for (a, b) in got.iter().zip(&near_one) {
            for (x, y) in [(a.0, b.0), (a.1, b.1), (a.2, b.2)] {
                // 1e-310 is subnormal: its weights carry a few fewer digits.
                assert!((x - y).abs() <= 1e-9 * y.abs().max(1e-300), "{scale}: {a:?} vs {b:?}");
            }
        }
    }
    // Zero weights are kept in unweighted counts and counted.
    let (o, json) = analyze_text(&rows(["0", "2", "3", "1", "2", "3"]));
    assert!(o.status.success());
    assert_eq!(json.unwrap()["load"]["zero_weights"], 1);
    // 1e308 beside weights near 1 cannot be summed with its square.
    let (o, _) = analyze_text(&rows(["1", "1e308", "1", "1", "1", "1"]));
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("d.csv: line 3, column 3 (w): weight is too far from the file's other weights: got '1e308'"), "{e}");
}

#[test]
fn suppressed_cells_cannot_be_recovered_from_the_page() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cb.toml"), CODEBOOK).unwrap();
    let mut csv = "id,grp,w,q1,q2\n".to_string();
    for i in 0..40 {
        csv.push_str(&format!("a{i},1,1,{},x\n", i % 2));
    }
    for i in 0..4 {
        csv.push_str(&format!("b{i},2,1,{},y\n", i % 2));
    }
    std::fs::write(dir.path().join("d.csv"), csv).unwrap();
    let o = exec_in(
        dir.path(),
        &[
            "analyze",
            "d.csv",
            "--codebook",
            "cb.toml",
            "--suppress-below",
            "10",
            "--json",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &json["analysis"];
    let groups: Vec<&str> =
        a["results"].as_array().unwrap().iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert!(groups.iter().all(|g| *g == "a"), "b or the total shown: {groups:?}");
    assert!(a["comparisons"].as_array().unwrap().is_empty());
    assert!(a["weighted"].as_array().unwrap().iter().all(|r| r["group"] == "a"));
    assert!(a["question_tests"].as_array().unwrap().is_empty());
    assert_eq!(a["suppressed"].as_array().unwrap().len(), 4);
    for c in json["claims"].as_array().unwrap() {
        assert!(c["summary"].as_str().unwrap().starts_with("the numbers are not shown"), "{c}");
    }
    let results = std::fs::read_to_string(dir.path().join("r/results.csv")).unwrap();
    assert!(!results.contains(",b,") && !results.contains(",all,"), "{results}");
    let html = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(html.contains("Cells not shown"));
}

#[test]
fn hostile_labels_stay_text_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let cb = CODEBOOK
        .replace("label = \"X\" }", "label = \"=HYPERLINK(\\\"http://x\\\")\" }")
        .replace("label = \"Y\" }", "label = \"<img src=x onerror=alert(1)>\" }")
        .replace("label = \"B\" }", "label = \"B\\u202Eevil\" }")
        .replace("title = \"Tiny\"", "title = \"Tiny\\u202Eevil\"");
    assert!(cb.contains("=HYPERLINK") && cb.contains("<img") && cb.contains("u202E"));
    std::fs::write(dir.path().join("cb.toml"), cb).unwrap();
    std::fs::write(dir.path().join("d.csv"), "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,2,1,0,y\n").unwrap();
    let o = exec_in(dir.path(), &["analyze", "d.csv", "--codebook", "cb.toml", "--out", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.contains("\\<img"), "the label is not in the Markdown");
    assert_eq!(
        md.matches("<img").count(),
        md.matches("\\<img").count(),
        "raw HTML in the Markdown"
    );
    let results = std::fs::read_to_string(dir.path().join("r/results.csv")).unwrap();
    assert!(results.contains(",\"'=HYPERLINK("), "{results}");
    assert!(!results.contains(",=HYPERLINK") && !results.contains(",\"=HYPERLINK"), "{results}");
    for f in ["r/report.html", "r/report.md", "r/results.csv", "r/results.json", "r/summary.txt"] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(!text.contains('\u{202E}'), "{f} carries a right-to-left override");
    }
    let html = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(!html.contains("<img src=x"), "unescaped HTML");
}

/// A paired claim on the second answer of a yes/no question reads the joint table the
/// other way round (it was judged on the first answer).
#[test]
fn a_paired_claim_on_the_no_answer_counts_the_no_answers() {
    let cb = CODEBOOK.replace(
        "[[claims]]\nid = \"C1\"",
        "[[questions]]\nid = \"q3\"\ntext = \"Also?\"\nkind = \"yes-no\"\noptions = [{ code = \"1\", label = \"Yes\" }, { code = \"0\", label = \"No\" }]\n\n[[claims]]\nid = \"P\"\ntext = \"More say no to q1 than yes to q3\"\nkind = \"paired\"\nquestion_a = \"q1\"\noption_a = \"0\"\nquestion_b = \"q3\"\noption_b = \"1\"\ngroups = [\"a\"]\n\n[[claims]]\nid = \"C1\"",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cb.toml"), cb).unwrap();
    // Group a: q1 no by 5 respondents, q3 yes by 1 of them.
    let mut csv = "id,grp,w,q1,q2,q3\n".to_string();
    for i in 0..5 {
        csv.push_str(&format!("n{i},1,1,0,x,{}\n", u8::from(i == 0)));
    }
    for i in 0..3 {
        csv.push_str(&format!("y{i},1,1,1,x,0\n"));
    }
    csv.push_str("b1,2,1,1,y,1\n");
    std::fs::write(dir.path().join("d.csv"), csv).unwrap();
    let o = exec_in(dir.path(), &["analyze", "d.csv", "--codebook", "cb.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = json["claims"].as_array().unwrap().iter().find(|c| c["id"] == "P").unwrap().clone();
    let summary = p["summary"].as_str().unwrap();
    assert!(summary.starts_with("A: 5/8 vs 1/8 answering both"), "{summary}");
}

/// `run` stages every report before replacing any: when the second study fails, the
/// first one's earlier report is untouched.
#[test]
fn run_replaces_no_report_when_a_later_study_fails() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(root().join("data/studies.toml"), data.join("studies.toml")).unwrap();
    for entry in std::fs::read_dir(root().join("data")).unwrap() {
        let from = entry.unwrap().path();
        if !from.is_dir() {
            continue;
        }
        let study = data.join(from.file_name().unwrap());
        std::fs::create_dir_all(&study).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), study.join(e.file_name())).unwrap();
        }
    }
    let o = exec_in(dir.path(), &["run", "--data", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&dir.path().join("out"));
    // Break the second study, then run again with other methods.
    std::fs::write(data.join("october-experiment/responses.csv"), "respondent_id\n").unwrap();
    let o = exec_in(
        dir.path(),
        &["run", "--data", "data", "--out", "out", "--confidence-level", "0.9"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(snapshot(&dir.path().join("out")), before, "a report was replaced");
}

/// `merge` carries the rows its shards excluded, and long-format counts accept an
/// answer code the codebook declares missing.
#[test]
fn merged_shards_keep_their_exclusions_and_declared_missing_codes() {
    let dir = tempfile::tempdir().unwrap();
    let cb = CODEBOOK.replace("options = [{ code = \"1\", label = \"Yes\" }, { code = \"0\", label = \"No\" }]", "options = [{ code = \"1\", label = \"Yes\" }, { code = \"0\", label = \"No\" }]\nmissing = [\"9\"]");
    std::fs::write(dir.path().join("cb.toml"), cb).unwrap();
    std::fs::write(dir.path().join("a.csv"), "id,grp,w,q1,q2\nr1,1,1,1,x\nr2,,1,0,y\nr3,2,1,9,z\n")
        .unwrap();
    let o = exec_in(
        dir.path(),
        &["tabulate", "a.csv", "--codebook", "cb.toml", "--counts-out", "a.json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let long = "question,option,group,count,weight_sum,weight_sq_sum\n*,*,1,2,2,2\n*,*,,1,1,1\nq1,1,1,1,1,1\nq1,9,1,1,1,1\nq2,x,1,2,2,2\n";
    std::fs::write(dir.path().join("b.csv"), long).unwrap();
    let o = exec_in(dir.path(), &["merge", "a.json", "b.csv", "--codebook", "cb.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let load = &json["load"];
    assert_eq!(load["rows_read"], 6);
    assert_eq!(load["rows_used"], 4);
    assert_eq!(load["excluded"]["no value in grouping column 'grp'"], 2);
    assert_eq!(load["missing_answers"]["q1"], 2);
}
