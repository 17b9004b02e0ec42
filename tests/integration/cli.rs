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
        vec!["weight", "--help"],
        vec!["sql", "--help"],
        vec!["merge", "--help"],
        vec!["waves", "--help"],
        vec!["generate", "--help"],
        vec!["check", "--help"],
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
    assert!(ran >= 34, "only {ran} examples");
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
        (&["compare", "abc/12", "3/4"], "'abc' is neither a whole number"),
        (&["compare", "5/4", "3/4"], "5 is more than the base (4)"),
        (&["compare", "5", "3/4"], "group 1 '5' has no base"),
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

/// Round half up, in integers: the percentage `k / n` prints as.
fn printed_half_up(k: u64, n: u64) -> u64 {
    (200 * k + n) / (2 * n)
}

/// The issue's example: "87% of almost 60 recruiters, 63% of the rest, 400 in all".
/// The consistent sets are found by brute force here, and every range is the min and max
/// of what the exact calculator gives on those sets.
#[test]
fn printed_compare_ranges_are_the_exact_calculator_over_every_consistent_set() {
    let v = json(&[
        "compare", "87%", "63%", "--n1", "55..59", "--n2", "341..345", "--total", "400", "--json",
    ]);
    let mut brute = Vec::new();
    for n1 in 55..=59u64 {
        let n2 = 400 - n1;
        if !(341..=345).contains(&n2) {
            continue;
        }
        for k1 in 0..=n1 {
            for k2 in 0..=n2 {
                if printed_half_up(k1, n1) == 87 && printed_half_up(k2, n2) == 63 {
                    brute.push((n1, k1, n2, k2));
                }
            }
        }
    }
    assert_eq!(brute.len(), 4);
    let c = &v["consistent"];
    assert_eq!(c["sets"], 4);
    assert_eq!(c["base_pairs"], 1);
    assert_eq!(c["complete"], true);
    let listed: Vec<(u64, u64, u64, u64)> = c["listed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["n1"].as_u64().unwrap(),
                s["k1"].as_u64().unwrap(),
                s["n2"].as_u64().unwrap(),
                s["k2"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, brute);
    let exact: Vec<Value> = brute
        .iter()
        .map(|(n1, k1, n2, k2)| {
            json(&["compare", &format!("{k1}/{n1}"), &format!("{k2}/{n2}"), "--json"])
        })
        .collect();
    let range = |get: &dyn Fn(&Value) -> f64| {
        let xs: Vec<f64> = exact.iter().map(get).collect();
        (
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let span = |v: &Value| (v["min"].as_f64().unwrap(), v["max"].as_f64().unwrap());
    let r = &v["ranges"];
    assert_eq!(span(&r["difference"]), range(&|e| e["difference"]["estimate"].as_f64().unwrap()));
    for m in ["newcombe", "miettinen-nurminen", "wald"] {
        let i = &r["difference_intervals"][m];
        assert_eq!(
            span(&i["lower"]),
            range(&|e| e["difference"]["intervals"][m]["lower"].as_f64().unwrap()),
            "{m}"
        );
        assert_eq!(
            span(&i["upper"]),
            range(&|e| e["difference"]["intervals"][m]["upper"].as_f64().unwrap()),
            "{m}"
        );
    }
    assert_eq!(span(&r["risk_ratio"]), range(&|e| e["risk_ratio"]["estimate"].as_f64().unwrap()));
    assert_eq!(span(&r["odds_ratio"]), range(&|e| e["odds_ratio"]["estimate"].as_f64().unwrap()));
    for t in ["fisher", "chi2", "barnard", "boschloo"] {
        assert_eq!(
            span(&r["tests"][t]["p_value"]),
            range(&|e| e["tests"][t]["p_value"].as_f64().unwrap()),
            "{t}"
        );
    }
    let (_, p_max) = range(&|e| e["tests"]["fisher"]["p_value"].as_f64().unwrap());
    assert!(p_max < 0.05);
    assert_eq!(v["verdict"]["significant_for"], "all");
    assert_eq!(v["verdict"]["significant_sets"], 4);
    assert_eq!(
        v["verdict"]["text"],
        "The difference is significant (p < 0.05, Fisher's exact test) for all 4 consistent sets of counts."
    );
    // The same comparison as text ends with the same verdict.
    let text = String::from_utf8(
        invitestat(&[
            "compare", "87%", "63%", "--n1", "55..59", "--n2", "341..345", "--total", "400",
        ])
        .stdout,
    )
    .unwrap();
    assert!(text.contains("4 consistent sets of counts on 1 pair of bases"), "{text}");
    assert!(text.trim_end().ends_with(v["verdict"]["text"].as_str().unwrap()), "{text}");
}

/// "21% vs 6%" on 345 and "almost 60": significant for some consistent counts and not
/// others once seven comparisons share the 5% (Bonferroni), and the split is counted.
#[test]
fn a_printed_comparison_can_be_significant_for_some_counts_only() {
    let v = json(&["compare", "21%/345", "6%/54..59", "--family", "7", "--json"]);
    let verdict = &v["verdict"];
    assert_eq!(verdict["significant_for"], "some");
    assert!((verdict["threshold"].as_f64().unwrap() - 0.05 / 7.0).abs() < 1e-15);
    let sets = v["consistent"]["listed"].as_array().unwrap();
    let significant = sets
        .iter()
        .filter(|s| {
            let e = json(&[
                "compare",
                &format!("{}/{}", s["k1"], s["n1"]),
                &format!("{}/{}", s["k2"], s["n2"]),
                "--json",
            ]);
            e["tests"]["fisher"]["p_value"].as_f64().unwrap() < 0.05 / 7.0
        })
        .count();
    assert!(significant > 0 && significant < sets.len());
    assert_eq!(verdict["significant_sets"], significant as u64);
}

/// A figure that no count on the given base shows is named, with its base, instead of
/// ranges; an approximate base and every rounding scheme widen what is consistent.
#[test]
fn a_printed_figure_no_count_shows_is_named_with_its_bases() {
    let v = json(&["compare", "6%/58", "21%/340", "--json"]);
    assert_eq!(v["consistent"]["sets"], 0);
    assert!(v["ranges"].is_null());
    assert_eq!(
        v["verdict"]["text"],
        "No counts are consistent with the printed figures: 6% cannot be shown on any base from 58 to 58 (half-up rounding)."
    );
    let wider = json(&["compare", "6%/~58", "21%/340", "--rounding", "any", "--json"]);
    assert!(wider["consistent"]["sets"].as_u64().unwrap() > 0);
    assert_eq!(wider["rounding"].as_array().unwrap().len(), 6);
    assert_eq!(wider["groups"][0]["base"]["min"], 52);
    assert_eq!(wider["groups"][0]["base"]["max"], 64);
}

/// `ci` on a printed figure: each method's ends range over the counts that show it,
/// and with one consistent count they are that count's interval.
#[test]
fn printed_ci_is_the_interval_of_every_count_that_shows_the_figure() {
    let one = json(&["ci", "87%", "55..59", "--json"]);
    assert_eq!(one["consistent"]["counts"], 1);
    let exact = json(&["ci", "48", "55", "--json"]);
    for m in ["wilson", "clopper-pearson", "jeffreys"] {
        assert_eq!(one["intervals"][m]["lower"]["min"], exact["intervals"][m]["lower"], "{m}");
        assert_eq!(one["intervals"][m]["upper"]["max"], exact["intervals"][m]["upper"], "{m}");
    }
    let below = json(&["ci", "<1%", "340", "--json"]);
    // k/340 < 1% for k = 0..=3.
    assert_eq!(below["consistent"]["counts"], 4);
    assert_eq!(below["estimate"]["min"], 0.0);
    assert!((below["estimate"]["max"].as_f64().unwrap() - 3.0 / 340.0).abs() < 1e-15);
}

/// The calculator section of the README shows what the binary prints, the printed-figure
/// comparison first.
#[test]
fn the_readme_calculator_outputs_are_what_the_binary_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## The calculator").unwrap()..];
    let first_command = section.lines().find(|l| l.starts_with("invitestat ")).unwrap();
    assert_eq!(first_command, "invitestat compare 87% 63% --n1 55..59 --n2 341..345 --total 400");
    for command in [first_command, "invitestat compare 52/60 214/340"] {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let printed = String::from_utf8(invitestat(&args).stdout).unwrap();
        assert!(
            section.contains(&format!("```text\n{printed}```")),
            "README differs from `{command}`:\n{printed}"
        );
    }
}

/// The README's `check` excerpt is what the binary prints: each line of it (between the
/// `...` cuts) is a line of the output, in order.
#[test]
fn the_readme_check_excerpt_is_what_the_binary_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### An article's claims").unwrap()..];
    let block = section.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online/source.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["check", "data/executives-online/source.txt"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{source}: {}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let mut lines = printed.lines();
    for want in block.lines().filter(|l| *l != "...") {
        assert!(
            lines.any(|l| l == want),
            "README line not printed (in order):\n{want}\n\n{printed}"
        );
    }
}
