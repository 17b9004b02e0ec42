//! The folder tree is the pipeline: each stage of the library uses only the stages
//! before it (no cycles, no backward imports), `stats` is pure math, and the library
//! builds without the command line's crates.

use std::path::{Path, PathBuf};

/// The stages, in pipeline order: a module may use only those listed before it.
const STAGES: [&str; 16] = [
    "format",
    "digest",
    "stats",
    "consistency",
    "printed",
    "calculator",
    "codebook",
    "article",
    "data",
    "tabulate",
    "analysis",
    "claims",
    "plot",
    "report",
    "study",
    "cli",
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The stage a source file belongs to (`src/analysis/waves.rs` -> `analysis`).
fn stage_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// The code of a file without its comments (doc links name later stages freely).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::stage` a file's code names, in `use` lines or paths.
fn used_stages(text: &str) -> Vec<String> {
    let code = code(text);
    let mut out: Vec<String> = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `invitestat_crate::` or similar
        }
        let rest = &code[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    // `use crate::{a, b}` groups.
    for (i, _) in code.match_indices("crate::{") {
        let rest = &code[i + "crate::{".len()..];
        let inner = rest.split('}').next().unwrap_or("");
        for item in inner.split(',') {
            let name: String =
                item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn every_stage_uses_only_earlier_stages() {
    let mut backward = Vec::new();
    let mut unknown = Vec::new();
    for file in rust_files(&src()) {
        let Some(stage) = stage_of(&file) else { continue };
        let Some(me) = STAGES.iter().position(|s| *s == stage) else {
            unknown.push(stage);
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for used in used_stages(&text) {
            match STAGES.iter().position(|s| *s == used) {
                Some(dep) if dep > me => backward.push(format!(
                    "{} uses crate::{used}, a later stage than {stage}",
                    file.strip_prefix(src()).unwrap().display()
                )),
                Some(_) => {}
                None => unknown.push(used),
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    assert!(unknown.is_empty(), "modules missing from STAGES: {unknown:?}");
    assert!(backward.is_empty(), "backward imports:\n{}", backward.join("\n"));
}

#[test]
fn the_import_check_sees_use_lines_groups_and_paths() {
    let text = "use crate::stats::ci;\nuse crate::{format, digest::Sha256};\n/// [`crate::cli`]\nlet x = crate::report::escape::json(y); // crate::plot\n";
    let mut used = used_stages(text);
    used.sort();
    assert_eq!(used, ["digest", "format", "report", "stats"]);
}

#[test]
fn stats_is_pure_math_on_counts() {
    for file in rust_files(&src().join("stats")) {
        let text = code(&std::fs::read_to_string(&file).unwrap());
        for forbidden in [
            "std::fs",
            "std::io",
            "std::env",
            "std::process",
            "clap",
            "plotters",
            "csv::",
            "serde_json",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: stats takes counts and returns numbers",
                file.display()
            );
        }
    }
}

#[test]
fn the_library_names_no_command_line_crate_outside_the_cli() {
    for file in rust_files(&src()) {
        let stage = stage_of(&file);
        if stage.as_deref() == Some("cli") || stage.is_none() {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).unwrap());
        for forbidden in ["clap::", "anyhow", "signal_hook", "indicatif"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", file.display());
        }
    }
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(
        lib.contains("#[cfg(feature = \"cli\")]\npub mod cli;"),
        "cli is not behind the `cli` feature"
    );
}
