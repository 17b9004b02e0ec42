//! The binary end to end: every `--help` example runs, the JSON contract holds, and
//! bad arguments are refused with exit status 2.

use serde_json::Value;
use std::process::{Command, Output};

fn invitestat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_invitestat")).args(args).output().expect("run invitestat")
}

fn json(args: &[&str]) -> Value {
    let out = invitestat(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn close(v: &Value, expected: f64, tol: f64) -> bool {
    ((v.as_f64().unwrap() - expected) / expected).abs() < tol
}

#[test]
fn every_help_example_runs() {
    // Examples run in a scratch folder (so `run --out reports` does not touch the
    // repository), with the bundled data paths made absolute.
    let scratch = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut ran = 0;
    for sub in [
        vec!["--help"],
        vec!["ci", "--help"],
        vec!["compare", "--help"],
        vec!["adjust", "--help"],
        vec!["power", "--help"],
        vec!["recover", "--help"],
        vec!["analyze", "--help"],
        vec!["reconstruct", "--help"],
        vec!["tabulate", "--help"],
        vec!["merge", "--help"],
        vec!["waves", "--help"],
        vec!["generate", "--help"],
    ] {
        let help = String::from_utf8(invitestat(&sub).stdout).unwrap();
        assert!(help.contains("Examples:"), "{sub:?} help has no examples");
        assert!(!help.contains("\\u{"), "{sub:?} help is escaped as if it were a user's value");
        for line in help.lines().filter(|l| l.trim_start().starts_with("invitestat ")) {
            let args: Vec<String> = line
                .split_whitespace()
                .skip(1)
                .map(|a| {
                    if a == "data" || a.starts_with("data/") {
                        format!("{root}/{a}")
                    } else {
                        a.trim_matches('\'').to_string()
                    }
                })
                .collect();
            let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
                .args(&args)
                .current_dir(scratch.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "example `{line}` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty(), "example `{line}` printed nothing");
            ran += 1;
        }
    }
    assert!(ran >= 28, "only {ran} examples");
}

#[test]
fn ci_json_contract() {
    let v = json(&["ci", "52", "60", "--json"]);
    assert_eq!(v["successes"], 52);
    assert_eq!(v["n"], 60);
    assert_eq!(v["confidence_level"], 0.95);
    let intervals = v["intervals"].as_object().unwrap();
    let names: Vec<&str> = intervals.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["wilson", "wilson-cc", "agresti-coull", "jeffreys", "clopper-pearson", "mid-p", "wald"]
    );
    // R prop.test(52, 60, correct = FALSE)$conf.int
    assert!(close(&v["intervals"]["wilson"]["lower"], 0.758_348_403_235_003_9, 1e-9));
    let one = json(&["ci", "52", "60", "--method", "clopper-pearson", "--json"]);
    assert_eq!(one["intervals"].as_object().unwrap().len(), 1);
}

#[test]
fn compare_json_contract() {
    let v = json(&["compare", "52/60", "214/340", "--json"]);
    assert_eq!(v["groups"][1]["n"], 340);
    for key in ["newcombe", "newcombe-cc", "miettinen-nurminen", "agresti-caffo", "wald", "wald-cc"]
    {
        assert!(v["difference"]["intervals"][key]["lower"].is_f64(), "{key}");
    }
    for key in [
        "z",
        "chi2",
        "chi2-yates",
        "g",
        "wald-unpooled",
        "fisher",
        "fisher-mid-p",
        "barnard",
        "boschloo",
    ] {
        assert!(v["tests"][key]["p_value"].is_f64(), "{key}");
        assert!(v["tests"][key]["log10_p_value"].is_f64(), "{key}");
    }
    assert!(v["tests"]["fisher"]["statistic"].is_null());
    // scipy fisher_exact; Newcombe from statsmodels; conditional MLE from scipy.
    assert!(close(&v["tests"]["fisher"]["p_value"], 1.877_581_136_5e-4, 1e-8));
    assert!(close(&v["difference"]["intervals"]["newcombe"]["lower"], 0.118_110_892_2, 1e-9));
    assert!(close(&v["odds_ratio"]["conditional"]["estimate"], 3.816_596_883, 1e-8));
    assert!(close(&v["risk_ratio"]["intervals"]["koopman"]["upper"], 1.548_092_573, 1e-8));
    assert!(close(&v["cohens_h"], 0.561_407_946_8, 1e-9));
    assert!(v["notes"].as_array().unwrap().is_empty());
}

#[test]
fn undefined_values_are_null_with_notes() {
    let v = json(&["compare", "24/60", "0/340", "--json"]);
    assert!(v["odds_ratio"]["estimate"].is_null());
    assert!(v["odds_ratio"]["intervals"]["woolf"]["lower"].is_null());
    assert!(v["odds_ratio"]["intervals"]["haldane"]["lower"].is_f64());
    assert!(v["odds_ratio"]["conditional"]["upper"].is_null());
    let notes: Vec<&str> =
        v["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("odds_ratio.estimate: undefined: a zero cell")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n == &"odds_ratio.conditional.upper: +infinity"), "{notes:?}");
    let none = json(&["compare", "0/20", "0/30", "--json"]);
    assert!(none["tests"]["z"]["p_value"].is_null());
    assert_eq!(none["tests"]["fisher"]["p_value"], 1.0);
}

#[test]
fn tiny_p_values_keep_their_magnitude() {
    let v = json(&["compare", "520000/600000", "214000/340000", "--json"]);
    assert_eq!(v["tests"]["fisher"]["p_value"], 0.0);
    let log10 = v["tests"]["fisher"]["log10_p_value"].as_f64().unwrap();
    assert!(log10 < -14_000.0);
    let text = String::from_utf8(invitestat(&["compare", "520000/600000", "214000/340000"]).stdout)
        .unwrap();
    assert!(text.contains("10^-14995"), "{text}");
}

#[test]
fn adjust_and_power_json() {
    let v =
        json(&["adjust", "--method", "holm", "--json", "0.0005", "0.009", "0.02", "0.04", "0.3"]);
    assert_eq!(v["method"], "holm");
    let adj: Vec<f64> =
        v["adjusted"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let expected = [0.0025, 0.036, 0.06, 0.08, 0.3];
    for (a, e) in adj.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{adj:?}");
    }
    let p = json(&[
        "power",
        "--p1",
        "0.8666666666666667",
        "--p2",
        "0.6294117647058823",
        "--n1",
        "60",
        "--n2",
        "340",
        "--json",
    ]);
    // statsmodels power_proportions_2indep (stats-anchors.md)
    assert!(close(&p["power"], 0.982_469_993_8, 1e-9));
    let n = json(&["power", "--p1", "0.73", "--p2", "0.63", "--power", "0.8", "--json"]);
    assert!(close(&n["n1"], 340.401_926_6, 1e-9));
    assert_eq!(n["n1_rounded_up"], 341.0);
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let cases: [(&[&str], &str); 9] = [
        (&["ci", "61", "60"], "exceed"),
        (&["ci", "0", "0"], "at least 1"),
        (&["ci", "5", "10", "--confidence-level", "1.5"], "between 0 and 1"),
        (&["ci", "5", "10", "--confidence-level", "abc"], "not a number"),
        (&["compare", "abc/12", "3/4"], "successes 'abc'"),
        (&["compare", "5/4", "3/4"], "exceed"),
        (&["compare", "5", "3/4"], "X/N"),
        (&["adjust", "--method", "holm", "1.2"], "p-value"),
        (&["power", "--p2", "0.5"], "give --p1"),
    ];
    for (args, needle) in cases {
        let out = invitestat(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: `{err}` lacks `{needle}`");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn the_command_line_definition_is_consistent() {
    // clap's own checks: no duplicate flags or short options, every default valid for
    // its parser, every group and requirement pointing at an existing argument.
    use clap::CommandFactory;
    invitestat::cli::Cli::command().debug_assert();
}
