//! The fuzz targets' inputs replayed without a fuzzer: every file of the seed corpus
//! (`fuzz/corpus/<target>/`) and every crash, hang or out-of-memory reproducer
//! (`fuzz/regressions/<target>/`) goes through the same entry points as the cargo-fuzz
//! targets (`fuzz/entry.rs`) and must finish without panicking, within the fuzzers'
//! timeout ([`TIMEOUT`]).

#[path = "../../fuzz/entry.rs"]
mod entry;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long one input may run before it counts as a hang: six times the fuzzers'
/// `-timeout=10`, since tests share a machine (and its two cores) with whatever else runs
/// there; the hangs this catches were unbounded, not slow.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A fuzz target's entry point.
type Entry = fn(&[u8]);

/// Each target's name (its folder under `corpus/` and `regressions/`) and entry point.
const TARGETS: [(&str, Entry); 6] = [
    ("loader", entry::loader),
    ("codebook", entry::codebook),
    ("counts", entry::counts),
    ("calculator", entry::calculator),
    ("article", entry::article),
    ("formats", entry::formats),
];

/// The files of a folder, sorted (hidden files such as `.gitkeep` left out; a missing
/// folder holds none).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

/// The message of a caught panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// Runs `run` on `bytes` on its own thread: `Ok` when it returned within [`TIMEOUT`],
/// otherwise why not (the panic's message, or the time limit; a thread past its time
/// is left running, as the test fails anyway).
fn run_one(run: Entry, bytes: Vec<u8>) -> Result<(), String> {
    let (done, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        let _ = done.send(outcome.map_err(|payload| panic_message(&*payload)));
    });
    match wait.recv_timeout(TIMEOUT) {
        Ok(outcome) => outcome.map_err(|message| format!("panicked: {message}")),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("still running after {} s (a hang)", TIMEOUT.as_secs()))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("its thread died".into()),
    }
}

/// Runs every file of `fuzz/<folder>/<target>/` through its target's entry point and
/// fails naming each file that panicked or ran past [`TIMEOUT`]; with `non_empty`, each
/// folder must hold files.
fn replay(folder: &str, non_empty: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(folder);
    let mut failures = Vec::new();
    for (target, run) in TARGETS {
        let dir = root.join(target);
        let files = inputs(&dir);
        assert!(!non_empty || !files.is_empty(), "{} holds no inputs", dir.display());
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            if let Err(why) = run_one(run, bytes) {
                failures.push(format!("{}: {why}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} input(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fuzz_corpus_runs_without_panicking_or_hanging() {
    replay("corpus", true);
}

#[test]
fn fuzz_regressions_run_without_panicking_or_hanging() {
    replay("regressions", false);
}
