//! The README's table of refused inputs: every case in `tests/bad-input.toml` is run as
//! the table shows it, in a scratch folder holding the fixtures, and must exit with the
//! stated status, print exactly the stated message, and write nothing. The README's
//! table is generated from the same file and must match it.
//!
//! `INVITESTAT_BLESS=1 cargo test bad_input` rewrites the messages and exit statuses in
//! the cases file from what the binary prints, and the README's table from the cases
//! (review the diff before committing it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    /// Files every case starts from.
    fixtures: BTreeMap<String, String>,
    case: Vec<Case>,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the input is, for the README.
    input: String,
    /// The command after `invitestat`, as the README shows it (single quotes group).
    command: String,
    /// Files of this case, on top of the fixtures. A value `REPEAT n TEXT` is `TEXT`
    /// repeated `n` times (for huge inputs); `\n` in it is a line break.
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Files that start as copies of fixtures (name -> fixture name) with `replace`
    /// applied: `["from", "to"]` pairs.
    #[serde(default)]
    edit: BTreeMap<String, Edit>,
    exit: i32,
    message: String,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    from: String,
    replace: Vec<[String; 2]>,
}

fn cases_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input.toml")
}

/// Splits a command line on spaces, with single quotes grouping.
fn split(command: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in command.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    args.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        args.push(cur);
    }
    args
}

/// File contents as the cases write them: `<<REPEAT n:TEXT>>` is `TEXT` repeated `n`
/// times, `\xNN` is the byte `NN`.
fn expand(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<<REPEAT ") {
        out.extend(unescape(&rest[..start]));
        let body = &rest[start + "<<REPEAT ".len()..];
        let end = body.find(">>").expect("<<REPEAT n:TEXT>> is closed");
        let (n, unit) = body[..end].split_once(':').expect("<<REPEAT n:TEXT>>");
        out.extend(unescape(unit).repeat(n.parse().expect("a count")));
        rest = &body[end + 2..];
    }
    out.extend(unescape(rest));
    out
}

fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && bytes.get(i + 1) == Some(&b'x')
            && let Some(hex) = text.get(i + 2..i + 4)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                out.insert(e.path(), Vec::new());
                stack.push(e.path());
            } else {
                out.insert(e.path(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// Runs a case; returns the exit status and the first line of standard error.
fn run(cases: &Cases, case: &Case) -> (i32, String, bool) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &cases.fixtures {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // The fixture count table embeds the fixture codebook's digest: count it here.
    let made = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args([
            "tabulate",
            "data.csv",
            "--codebook",
            "codebook.toml",
            "--counts-out",
            "counts.json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    for (name, text) in &case.files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, expand(text)).unwrap();
    }
    for (name, edit) in &case.edit {
        let mut text = std::fs::read_to_string(dir.path().join(&edit.from)).unwrap();
        for [a, b] in &edit.replace {
            assert!(text.contains(a.as_str()), "{}: '{a}' is not in {}", case.input, edit.from);
            text = text.replacen(a.as_str(), b, 1);
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let before = files_under(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(split(&case.command))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let after = files_under(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("").to_string();
    (out.status.code().unwrap_or(-1), first, before == after && out.stdout.is_empty())
}

fn readme_table(cases: &Cases) -> String {
    let mut t = String::from("| # | Input | Command | Exit | Message |\n|---|---|---|---|---|\n");
    for (i, c) in cases.case.iter().enumerate() {
        let cell = |s: &str| s.replace('|', "\\|");
        t.push_str(&format!(
            "| {} | {} | `{}` | {} | `{}` |\n",
            i + 1,
            cell(&c.input),
            c.command.replace('`', "'").replace('|', "\\|"),
            c.exit,
            c.message.replace('`', "'").replace('|', "\\|")
        ));
    }
    t
}

/// The comment at the top of the cases file.
const CASES_HEADER: &str = "\
# Refused inputs: each case runs `invitestat COMMAND` in a scratch folder holding the
# fixtures below (and counts.json, the fixtures' count table) plus the case's own files
# (`edit` starts a file as a copy of another with text replaced), and must exit with
# `exit`, print `message` as the first line of standard error, and write nothing. The
# README's bad-input table is generated from this file (tests/integration/bad_input.rs).
# In file contents, <<REPEAT n:TEXT>> is TEXT repeated n times and \\xNN is the byte NN.
";

const START: &str = "<!-- bad-input table: generated from tests/bad-input.toml -->\n";
const END: &str = "<!-- end of bad-input table -->";

#[test]
fn every_refused_input_exits_with_its_message_and_writes_nothing() {
    let text = std::fs::read_to_string(cases_path()).unwrap();
    let mut cases: Cases = toml::from_str(&text).unwrap();
    assert!(cases.case.len() >= 60, "only {} cases", cases.case.len());
    let bless = std::env::var_os("INVITESTAT_BLESS").is_some();
    let mut failures = Vec::new();
    let mut observed = Vec::new();
    for case in &cases.case {
        let (exit, message, untouched) = run(&cases, case);
        if !untouched {
            failures.push(format!("{}: wrote a file or printed to stdout", case.input));
        }
        if exit == 101 || message.contains("panicked") {
            failures.push(format!("{}: panicked: {message}", case.input));
        }
        if !bless && (exit != case.exit || message != case.message) {
            failures.push(format!(
                "{}\n  expected exit {}: {}\n  got      exit {exit}: {message}",
                case.input, case.exit, case.message
            ));
        }
        observed.push((exit, message));
    }
    if bless {
        for (c, (exit, message)) in cases.case.iter_mut().zip(observed) {
            c.exit = exit;
            c.message = message;
        }
        let text = format!("{CASES_HEADER}\n{}", toml::to_string_pretty(&cases).unwrap());
        std::fs::write(cases_path(), text).unwrap();
    }
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let table = readme_table(&cases);
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no bad-input table markers");
    };
    let current = &readme[a + START.len()..b];
    if current != table {
        if bless {
            let updated = format!("{}{START}{table}{}", &readme[..a], &readme[b..]);
            std::fs::write(&readme_path, updated).unwrap();
        } else {
            failures.push("README.md's bad-input table differs from tests/bad-input.toml (run with INVITESTAT_BLESS=1)".into());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
