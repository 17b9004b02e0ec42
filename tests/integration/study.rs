//! The bundled studies end to end, the shipped reconstructions, the committed reports,
//! and a new, weighted wave with missing answers checked against an independent tally.

use invitestat::analysis::AnalysisOptions;
use invitestat::claims::Verdict;
use invitestat::codebook::Codebook;
use invitestat::data::LoadOptions;
use invitestat::data::reconstruct::reconstruct;
use invitestat::study::run_bundled;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The synthetic examples are what the `invitestat generate` command in their README
/// draws: the command is run as written there (printing to stdout instead of `--out`).
#[test]
fn synthetic_examples_are_what_their_readme_command_draws() {
    for example in ["three-groups-example", "two-groups-example"] {
        let folder = root().join("data").join(example);
        let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
        let line = readme
            .lines()
            .find(|l| l.starts_with("invitestat generate "))
            .unwrap_or_else(|| panic!("{example}: no generate command in README.md"));
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let out_at = words.iter().position(|w| *w == "--out").unwrap();
        assert_eq!(words[out_at + 1], format!("data/{example}/responses.csv"));
        let args: Vec<&str> = words[..out_at].iter().chain(&words[out_at + 2..]).copied().collect();
        let run = Command::new(env!("CARGO_BIN_EXE_invitestat"))
            .current_dir(root())
            .args(&args)
            .output()
            .unwrap();
        assert!(run.status.success(), "{example}: {}", String::from_utf8_lossy(&run.stderr));
        let shipped = std::fs::read_to_string(folder.join("responses.csv")).unwrap();
        assert!(
            shipped == String::from_utf8(run.stdout).unwrap(),
            "{example}: responses.csv differs from what its README command draws"
        );
    }
}

#[test]
fn shipped_responses_are_exactly_the_reconstruction() {
    for study in ["executives-online", "october-experiment"] {
        let folder = root().join("data").join(study);
        let codebook = Codebook::from_path(&folder.join("codebook.toml")).unwrap();
        let record: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("reconstruction.json")).unwrap(),
        )
        .unwrap();
        let seed = record["seed"].as_u64().unwrap();
        let r = reconstruct(&codebook, seed).unwrap();
        assert_eq!(
            std::fs::read_to_string(folder.join("responses.csv")).unwrap(),
            r.to_csv(),
            "{study}"
        );
        assert_eq!(
            std::fs::read_to_string(folder.join("reconstruction.json")).unwrap(),
            serde_json::to_string_pretty(&r).unwrap() + "\n",
            "{study}"
        );
        let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
        assert!(readme.contains("is a reconstruction, not the original data"));
        assert!(readme.contains(&format!("--seed {seed}")));
    }
}

#[test]
fn executives_online_reproduces_every_figure_and_judges_every_claim() {
    let report =
        run_bundled(&root().join("data/executives-online"), AnalysisOptions::default()).unwrap();
    let analysis = report.analysis.as_ref().unwrap();
    assert_eq!(analysis.figures.len(), 13);
    for f in &analysis.figures {
        assert!(f.reproduced, "{} {} {}: {}/{}", f.label, f.group, f.printed, f.successes, f.n);
    }
    assert_eq!(
        analysis.respondents,
        vec![("recruiters".into(), 55), ("non-recruiters".into(), 345)]
    );
    let verdicts: HashMap<&str, Verdict> =
        report.claims.iter().map(|c| (c.id.as_str(), c.verdict)).collect();
    assert_eq!(verdicts["C1"], Verdict::Supported);
    assert_eq!(verdicts["C2"], Verdict::NotShown);
    assert_eq!(verdicts["C3"], Verdict::CannotBeReproduced);
    assert_eq!(verdicts["C4"], Verdict::Supported);
    assert_eq!(verdicts["C5"], Verdict::Supported);
    assert_eq!(verdicts["C6"], Verdict::NotShown);
    assert_eq!(verdicts["C7"], Verdict::NotShown);
    let c3 = report.claims.iter().find(|c| c.id == "C3").unwrap();
    assert!(c3.summary.contains("45.57 to 136.70"), "{}", c3.summary);
    // The main-use question across all answers and both groups: R 4.2.2
    // fisher.test(matrix(c(11, 179, 21, 2, 21, 164), 3, byrow = TRUE)) = 3.5122686216983174e-19.
    let q = &analysis.question_tests[0];
    assert_eq!(q.table, vec![vec![11, 179], vec![21, 2], vec![21, 164]]);
    assert!((q.exact_p_value.unwrap() / 3.512_268_621_698_317_4e-19 - 1.0).abs() < 1e-8);
    assert!((q.chi2.unwrap() - 131.130_530_219_727_75).abs() < 1e-9);
    let c7 = report.claims.iter().find(|c| c.id == "C7").unwrap();
    assert!(c7.summary.contains("not significant: F7"), "{}", c7.summary);
    // The headline comparison: recruiters 48/55 vs non-recruiters 217/345.
    let row = analysis.comparison("accept_never_met", "1").unwrap();
    assert!(
        (row.estimate_a - 48.0 / 55.0).abs() < 1e-15
            && (row.estimate_b - 217.0 / 345.0).abs() < 1e-15
    );
    let summary = report.summary();
    for label in
        ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    {
        assert!(summary.contains(label), "summary lacks {label}");
    }
}

#[test]
fn october_experiment_recovers_base_50_and_depends_on_the_unknown_counts() {
    let report =
        run_bundled(&root().join("data/october-experiment"), AnalysisOptions::default()).unwrap();
    let analysis = report.analysis.as_ref().unwrap();
    let r = report.reconstruction.as_ref().unwrap();
    assert_eq!(r.total, 50);
    assert!(analysis.figures.iter().all(|f| f.reproduced));
    let replied = analysis.group_tests.iter().find(|t| t.question == "replied").unwrap();
    assert_eq!(replied.counts, vec![(10, 10), (7, 10), (6, 11)]);
    // R 4.2.2: fisher.test(rbind(c(10, 7, 6), c(0, 3, 5)))$p.value
    assert!((replied.exact_p_value.unwrap() - 0.061_669_661_447_196_53).abs() < 1e-9);
    assert_eq!(report.claims[0].verdict, Verdict::DependsOnAssumption);
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn committed_reports_are_current() {
    let out = tempfile::tempdir().unwrap();
    // Run from the repository root, as `cargo run --release` does, so the file names
    // recorded in the reports are the same relative paths.
    let status = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .current_dir(root())
        .args(["run", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let fresh = files_under(out.path());
    let committed = files_under(&root().join("reports"));
    let rel = |base: &Path, files: &[PathBuf]| -> Vec<PathBuf> {
        files
            .iter()
            .map(|f| f.strip_prefix(base).unwrap().to_path_buf())
            .filter(|f| f.components().count() > 1)
            .collect()
    };
    assert_eq!(
        rel(out.path(), &fresh),
        rel(&root().join("reports"), &committed),
        "the set of report files changed: run `cargo run --release` and commit reports/"
    );
    for f in &fresh {
        let name = f.strip_prefix(out.path()).unwrap();
        let a = std::fs::read(f).unwrap();
        let b = std::fs::read(root().join("reports").join(name)).unwrap();
        assert!(
            a == b,
            "reports/{} is stale: run `cargo run --release` and commit\n{}",
            name.display(),
            crate::difference(&b, &a)
        );
    }
}

/// A new wave: a different size, a weight column, a wave column, missing answers.
#[test]
fn a_new_weighted_wave_with_missing_answers_matches_an_independent_tally() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        std::fs::read_to_string(root().join("data/executives-online/codebook.toml")).unwrap();
    let codebook_text = base.replacen(
        "id_column = \"respondent_id\"",
        "id_column = \"respondent_id\"\nweight_column = \"weight\"\nwave_column = \"wave\"",
        1,
    );
    let cb_path = dir.path().join("codebook.toml");
    std::fs::write(&cb_path, &codebook_text).unwrap();
    let codebook = Codebook::from_path(&cb_path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 1_337;
    let mut csv = String::from(
        "respondent_id,recruiter,weight,wave,main_use,accept_never_met,only_accept_known,accept_if_engaged_online,invite_never_met,ignore_unaccepted\n",
    );
    // tally[(question, code, group)] = count; answered[(question, group)]
    let mut tally: HashMap<(String, String, String), u64> = HashMap::new();
    let mut answered: HashMap<(String, String), u64> = HashMap::new();
    let mut wsum: HashMap<(String, String, String), f64> = HashMap::new();
    let mut wanswered: HashMap<(String, String), f64> = HashMap::new();
    for i in 0..n {
        let recruiter = rng.random_bool(0.15);
        let group = if recruiter { "recruiters" } else { "non-recruiters" };
        let weight = (rng.random_range(0.2..3.0f64) * 1e4).round() / 1e4;
        let mut row = format!("w2-{i},{},{weight:.4},2", if recruiter { 1 } else { 0 });
        for q in &codebook.questions {
            let cell = if rng.random_bool(0.03) {
                String::new()
            } else {
                let code = q.options[rng.random_range(0..q.options.len())].code.clone();
                *tally.entry((q.id.clone(), code.clone(), group.into())).or_insert(0) += 1;
                *answered.entry((q.id.clone(), group.into())).or_insert(0) += 1;
                *wsum.entry((q.id.clone(), code.clone(), group.into())).or_insert(0.0) += weight;
                *wanswered.entry((q.id.clone(), group.into())).or_insert(0.0) += weight;
                code
            };
            row.push(',');
            row.push_str(&cell);
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    let data = dir.path().join("wave2.csv");
    std::fs::write(&data, csv).unwrap();
    let out_dir = dir.path().join("report");
    let v = crate::analyze_json(&data, &cb_path, &out_dir, &[]);
    assert_eq!(v["load"]["rows_used"], n);
    let mut checked = 0;
    for r in v["analysis"]["results"].as_array().unwrap() {
        let (q, o, g) = (
            r["question"].as_str().unwrap(),
            r["option"].as_str().unwrap(),
            r["group"].as_str().unwrap(),
        );
        if g == "all" {
            continue;
        }
        let want_k = tally.get(&(q.into(), o.into(), g.into())).copied().unwrap_or(0);
        let want_n = answered[&(q.to_string(), g.to_string())];
        assert_eq!(r["successes"].as_u64(), Some(want_k), "{q} {o} {g}");
        assert_eq!(r["n"].as_u64(), Some(want_n), "{q} {o} {g}");
        checked += 1;
    }
    assert_eq!(checked, 2 * (3 + 5));
    // Weighted shares against the independent tally of weights.
    let mut weighted_checked = 0;
    for r in v["analysis"]["weighted"].as_array().unwrap() {
        let (q, o, g) = (
            r["question"].as_str().unwrap(),
            r["option"].as_str().unwrap(),
            r["group"].as_str().unwrap(),
        );
        let want = wsum.get(&(q.into(), o.into(), g.into())).copied().unwrap_or(0.0)
            / wanswered[&(q.to_string(), g.to_string())];
        assert!((r["estimate"].as_f64().unwrap() - want).abs() < 1e-12, "{q} {o} {g}");
        assert!(
            r["deff_kish"].as_f64().unwrap() >= 1.0
                && r["effective_n"].as_f64().unwrap() <= r["n"].as_f64().unwrap()
        );
        weighted_checked += 1;
    }
    assert_eq!(weighted_checked, 2 * (3 + 5));
    assert_eq!(v["analysis"]["weighted_comparisons"].as_array().unwrap().len(), 3 + 5);
    let summary = std::fs::read_to_string(out_dir.join("summary.txt")).unwrap();
    assert!(summary.contains("weighted, Recruiters: Kish design effect"), "{summary}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("Weighted shares") && html.contains("Deff (Kish)"));
    for file in [
        "results.csv",
        "comparisons.csv",
        "claims.csv",
        "figures.csv",
        "results.json",
        "weighted.csv",
        "weighted_comparisons.csv",
    ] {
        assert!(Path::new(&out_dir.join(file)).exists(), "{file}");
    }
}

#[test]
fn count_tables_merge_to_the_whole_regardless_of_how_rows_are_split() {
    use invitestat::data::load;
    use invitestat::tabulate::CountTable;
    use invitestat::tabulate::tabulate_file;
    let folder = root().join("data/executives-online");
    let codebook = Codebook::from_path(&folder.join("codebook.toml")).unwrap();
    let (whole, _) =
        tabulate_file(&folder.join("responses.csv"), &codebook, LoadOptions::default(), None)
            .unwrap();
    // Three shards by row number, tabulated separately and merged in another order.
    let mut shards: Vec<CountTable> =
        (0..3).map(|_| CountTable::new(&codebook, &codebook.paired_questions())).collect();
    let mut i = 0usize;
    load(&folder.join("responses.csv"), &codebook, LoadOptions::default(), |r| {
        shards[(i * 7) % 3].add(r);
        i += 1;
    })
    .unwrap();
    let mut merged = shards.pop().unwrap();
    for s in shards.iter().rev() {
        merged.merge(s).unwrap();
    }
    assert_eq!(merged, whole);
    assert_eq!(merged.total(), 400);
}

/// Shards counted separately (by `tabulate`, or by an SQL GROUP BY written as long-format
/// CSV) merge into exactly the analysis of the whole file.
#[test]
fn tabulated_shards_and_group_by_counts_merge_into_the_whole_analysis() {
    let folder = root().join("data/executives-online");
    let cb = folder.join("codebook.toml");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(folder.join("responses.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut a, mut b) = (format!("{header}\n"), format!("{header}\n"));
    for (i, l) in lines.enumerate() {
        if i % 3 == 0 { &mut a } else { &mut b }.push_str(&format!("{l}\n"));
    }
    std::fs::write(dir.path().join("a.csv"), &a).unwrap();
    std::fs::write(dir.path().join("b.csv"), &b).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_invitestat")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    for shard in ["a", "b"] {
        let csv = dir.path().join(format!("{shard}.csv"));
        let json = dir.path().join(format!("{shard}.json"));
        run(&[
            "tabulate".as_ref(),
            csv.as_os_str(),
            "--codebook".as_ref(),
            cb.as_os_str(),
            "--counts-out".as_ref(),
            json.as_os_str(),
        ]);
    }
    let whole: serde_json::Value = serde_json::from_slice(&run(&[
        "analyze".as_ref(),
        folder.join("responses.csv").as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    let merged: serde_json::Value = serde_json::from_slice(&run(&[
        "merge".as_ref(),
        dir.path().join("b.json").as_os_str(),
        dir.path().join("a.json").as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    assert_eq!(merged["analysis"], whole["analysis"]);
    assert_eq!(merged["claims"], whole["claims"]);

    // The same counts as an SQL GROUP BY would give them, in long format.
    let mut long = String::from("question,option,group,count,weight_sum,weight_sq_sum\n");
    let mut cells: std::collections::BTreeMap<(String, String, String), u64> = Default::default();
    let mut rdr = csv::Reader::from_path(folder.join("responses.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let group = rec[1].to_string();
        *cells.entry(("*".into(), "*".into(), group.clone())).or_default() += 1;
        for (i, h) in headers.iter().enumerate().skip(2) {
            *cells.entry((h.to_string(), rec[i].to_string(), group.clone())).or_default() += 1;
        }
        let (acc, inv) = (&rec[3], &rec[6]);
        if !acc.is_empty() && !inv.is_empty() {
            let flag = |v: &str| if v == "1" { "1" } else { "0" };
            *cells
                .entry((
                    "accept_never_met&invite_never_met".into(),
                    format!("{}&{}", flag(acc), flag(inv)),
                    group.clone(),
                ))
                .or_default() += 1;
        }
    }
    for ((q, o, g), n) in &cells {
        long.push_str(&format!("{q},{o},{g},{n},{n},{n}\n"));
    }
    let long_path = dir.path().join("group_by.csv");
    std::fs::write(&long_path, long).unwrap();
    let from_sql: serde_json::Value = serde_json::from_slice(&run(&[
        "merge".as_ref(),
        long_path.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    assert_eq!(from_sql["analysis"]["results"], whole["analysis"]["results"]);
    assert_eq!(from_sql["analysis"]["comparisons"], whole["analysis"]["comparisons"]);
    assert_eq!(from_sql["claims"], whole["claims"]);

    // Counts made with another codebook are refused.
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        std::fs::read_to_string(&cb).unwrap().replace("Main use of LinkedIn", "Main use"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .arg("merge")
        .arg(dir.path().join("a.json"))
        .arg("--codebook")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("counted with a different codebook"));

    // So are counts written by an earlier format, which lack the missing answers' weights.
    let old = dir.path().join("old.json");
    let a_json = std::fs::read_to_string(dir.path().join("a.json")).unwrap();
    std::fs::write(&old, a_json.replace("invitestat-counts/3", "invitestat-counts/2")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .arg("merge")
        .arg(&old)
        .arg("--codebook")
        .arg(&cb)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "old.json: counts format 'invitestat-counts/2'; expected 'invitestat-counts/3'"
        ),
        "{stderr}"
    );
}

/// Files above the two-thread threshold give the same counts as the single-threaded
/// loader (weight sums to rounding), and an error in the second half is reported with
/// its true line number.
#[test]
fn two_thread_counting_matches_the_single_threaded_loader() {
    use invitestat::data::load;
    use invitestat::data::synthetic::{WaveSpec, generate_wave};
    use invitestat::tabulate::CountTable;
    use invitestat::tabulate::{PARALLEL_BYTES, tabulate_file};
    let dir = tempfile::tempdir().unwrap();
    let codebook = Codebook::from_path(&root().join("data/waves-example/codebook.toml")).unwrap();
    let spec = WaveSpec {
        rows: 300_000,
        seed: 5,
        missing: 0.03,
        group_shares: vec![0.15, 0.85],
        wave: "9".into(),
        shares_seed: 1,
        trend: 0.0,
    };
    let csv = generate_wave(&codebook, &spec).unwrap();
    assert!(csv.len() as u64 > PARALLEL_BYTES, "{} bytes", csv.len());
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &csv).unwrap();
    let (parallel, summary) =
        tabulate_file(&path, &codebook, LoadOptions::default(), None).unwrap();
    // The example's codebook rakes its weights: both counts calibrate them first.
    let weights = invitestat::data::weighting::weigh(&path, &codebook, |each| {
        load(&path, &codebook, LoadOptions::default(), each)
    })
    .unwrap()
    .unwrap();
    let mut sequential = CountTable::new(&codebook, &codebook.paired_questions());
    sequential.calibrate(&codebook, &weights[0].1);
    let seq_summary = load(&path, &codebook, LoadOptions::default(), sequential.adder()).unwrap();
    assert_eq!(summary.weighting.len(), 1);
    assert_eq!(summary.rows_read, 300_000);
    assert_eq!(summary.sha256, seq_summary.sha256);
    assert_eq!(summary.missing_answers, seq_summary.missing_answers);
    assert_eq!(parallel.respondents, sequential.respondents);
    // The multi-response question's joint tables, merged across the threads.
    assert!(!parallel.pairs.is_empty());
    assert_eq!(parallel.pairs, sequential.pairs);
    for (a, b) in parallel.questions.iter().zip(&sequential.questions) {
        assert_eq!(a.counts, b.counts);
        assert_eq!(a.missing, b.missing);
        for (x, y) in a
            .weights
            .iter()
            .zip(b.weights.iter())
            .chain(a.missing_weights.iter().zip(&b.missing_weights))
        {
            assert!((x - y).abs() <= 1e-12 * y.abs());
        }
    }
    // A bad code near the end: the message names the same line as the sequential loader.
    let mut lines: Vec<&str> = csv.lines().collect();
    let bad_line = lines.len() - 10;
    let main_use = codebook.columns().iter().position(|c| *c == "main_use").unwrap();
    let mut fields: Vec<&str> = lines[bad_line].split(',').collect();
    fields[main_use] = "7";
    let broken = fields.join(",");
    lines[bad_line] = &broken;
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let err =
        tabulate_file(&path, &codebook, LoadOptions::default(), None).unwrap_err().to_string();
    assert!(err.contains(&format!("line {}", bad_line + 1)), "{err}");
    // A duplicate id across the two halves is caught and named like the sequential
    // loader names it.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let first_id = lines[1].split(',').next().unwrap().to_string();
    let last = lines.len() - 1;
    let rest = lines[last].split_once(',').unwrap().1.to_string();
    lines[last] = format!("{first_id},{rest}");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let err =
        tabulate_file(&path, &codebook, LoadOptions::default(), None).unwrap_err().to_string();
    assert!(
        err.contains("duplicate respondent id") && err.contains(&format!("line {}", last + 1)),
        "{err}"
    );
}

/// A large Parquet table is counted on two threads as the same rows in a CSV file are:
/// read straight into the loader (split within and across row groups and part files),
/// or, under a codebook that weights, converted to CSV text and that split. The same
/// table, rows and missing answers; the checksum is the Parquet files'; a refused cell
/// or a repeated id names its row, as the single-threaded loader does.
#[cfg(feature = "parquet")]
#[test]
fn a_large_parquet_table_is_counted_on_two_threads_as_its_csv_is() {
    use invitestat::data::synthetic::{WaveSpec, generate_wave};
    use invitestat::tabulate::{PARALLEL_BYTES, tabulate_file};
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;
    // Rows of `text` (a CSV without quotes) as a Parquet file of text columns in `groups`
    // row groups.
    let write_parquet = |text: &str, path: &Path, groups: usize| {
        let mut lines = text.lines();
        let names: Vec<&str> = lines.next().unwrap().split(',').collect();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let schema = names
            .iter()
            .map(|n| format!("REQUIRED BYTE_ARRAY {n} (UTF8);"))
            .collect::<Vec<_>>()
            .join(" ");
        let schema =
            parquet::schema::parser::parse_message_type(&format!("message wave {{ {schema} }}"))
                .unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut writer =
            SerializedFileWriter::new(file, Arc::new(schema), Default::default()).unwrap();
        for chunk in rows.chunks(rows.len().div_ceil(groups).max(1)) {
            let mut group = writer.next_row_group().unwrap();
            for c in 0..names.len() {
                let values: Vec<ByteArray> = chunk.iter().map(|r| ByteArray::from(r[c])).collect();
                let mut column = group.next_column().unwrap().unwrap();
                column.typed::<ByteArrayType>().write_batch(&values, None, None).unwrap();
                column.close().unwrap();
            }
            group.close().unwrap();
        }
        writer.close().unwrap();
    };
    let sha256 = |files: &[PathBuf]| {
        let mut hasher = invitestat::digest::Sha256::default();
        for f in files {
            hasher.update(&std::fs::read(f).unwrap());
        }
        hasher.hex()
    };
    let mut spec = WaveSpec {
        rows: 0,
        seed: 6,
        missing: 0.03,
        group_shares: vec![0.15, 0.85],
        wave: "9".into(),
        shares_seed: 1,
        trend: 0.0,
    };
    // The waves example rakes its weights (the conversion, split when its text is 8 MB
    // or more); the benchmark's codebook does not (read straight in, split at any size).
    for (codebook, rows) in
        [("data/waves-example/codebook.toml", 200_000), ("benches/peers/codebook.toml", 30_000)]
    {
        spec.rows = rows;
        let converts = rows == 200_000;
        let dir = tempfile::tempdir().unwrap();
        let codebook = Codebook::from_path(&root().join(codebook)).unwrap();
        let csv = generate_wave(&codebook, &spec).unwrap();
        let csv_path = dir.path().join("big.csv");
        std::fs::write(&csv_path, &csv).unwrap();
        let (from_csv, csv_summary) =
            tabulate_file(&csv_path, &codebook, LoadOptions::default(), None).unwrap();
        // One row group, three, and a folder of two parts of two row groups each.
        let one = dir.path().join("one.parquet");
        write_parquet(&csv, &one, 1);
        let three = dir.path().join("three.parquet");
        write_parquet(&csv, &three, 3);
        let folder = dir.path().join("parts");
        std::fs::create_dir(&folder).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        let cut = lines.len() * 2 / 3;
        let parts = [folder.join("part-0.parquet"), folder.join("part-1.parquet")];
        write_parquet(&(lines[..cut].join("\n") + "\n"), &parts[0], 2);
        write_parquet(
            &([lines[0]].iter().chain(&lines[cut..]).copied().collect::<Vec<_>>().join("\n")
                + "\n"),
            &parts[1],
            2,
        );
        let converted = invitestat::data::convert::open(&one).unwrap().unwrap();
        let size = std::fs::metadata(&converted.csv).unwrap().len();
        assert_eq!(size > PARALLEL_BYTES, converts);
        let tables =
            [(&one, vec![one.clone()]), (&three, vec![three.clone()]), (&folder, parts.to_vec())];
        for (table, files) in tables.iter().take(if converts { 1 } else { 3 }) {
            let (from_parquet, summary) =
                tabulate_file(table, &codebook, LoadOptions::default(), None).unwrap();
            let what = table.display().to_string();
            assert_eq!(summary.rows_read, rows, "{what}");
            assert_eq!(summary.rows_used, csv_summary.rows_used, "{what}");
            assert_eq!(summary.missing_answers, csv_summary.missing_answers, "{what}");
            assert_eq!(summary.excluded, csv_summary.excluded, "{what}");
            assert_eq!(summary.zero_weights, csv_summary.zero_weights, "{what}");
            assert_eq!(summary.ignored_columns, csv_summary.ignored_columns, "{what}");
            assert_eq!(summary.weight_scale, csv_summary.weight_scale, "{what}");
            assert_eq!(summary.file, what);
            assert_eq!(summary.sha256, sha256(files), "{what}");
            assert_eq!(
                summary.warnings.len(),
                csv_summary.warnings.len() + usize::from(files.len() > 1)
            );
            assert_eq!(from_parquet.respondents, from_csv.respondents, "{what}");
            assert_eq!(from_parquet.pairs, from_csv.pairs, "{what}");
            for (a, b) in from_parquet.questions.iter().zip(&from_csv.questions) {
                assert_eq!(a.counts, b.counts, "{what}");
                assert_eq!(a.missing, b.missing, "{what}");
                for (x, y) in a.weights.iter().zip(b.weights.iter()) {
                    assert!((x - y).abs() <= 1e-12 * y.abs(), "{what}");
                }
            }
        }
        if converts {
            continue;
        }
        // No rows: refused as an empty CSV file is.
        write_parquet(&(lines[0].to_string() + "\n"), &one, 1);
        std::fs::write(&csv_path, lines[0].to_string() + "\n").unwrap();
        let err =
            tabulate_file(&one, &codebook, LoadOptions::default(), None).unwrap_err().to_string();
        let want = tabulate_file(&csv_path, &codebook, LoadOptions::default(), None)
            .unwrap_err()
            .to_string();
        assert_eq!(err, want.replace(&csv_path.display().to_string(), &one.display().to_string()));
        // A bad code near the end: the message names its row (line = row + 1).
        let mut edited: Vec<&str> = lines.clone();
        let bad_line = edited.len() - 10;
        let column = codebook.questions[0].id.as_str();
        let at = lines[0].split(',').position(|c| c == column).unwrap();
        let mut fields: Vec<&str> = edited[bad_line].split(',').collect();
        fields[at] = "7";
        let broken = fields.join(",");
        edited[bad_line] = &broken;
        write_parquet(&(edited.join("\n") + "\n"), &one, 1);
        let err =
            tabulate_file(&one, &codebook, LoadOptions::default(), None).unwrap_err().to_string();
        assert!(err.starts_with(&one.display().to_string()), "{err}");
        assert!(err.contains(&format!("line {}", bad_line + 1)), "{err}");
        // The first respondent's id again in the last row: a repeat across the halves.
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let id_at = lines[0].split(',').position(|c| c == codebook.id_column).unwrap();
        let first_id = lines[1].split(',').nth(id_at).unwrap().to_string();
        let last = edited.len() - 1;
        let mut fields: Vec<String> = edited[last].split(',').map(String::from).collect();
        fields[id_at] = first_id;
        edited[last] = fields.join(",");
        write_parquet(&(edited.join("\n") + "\n"), &three, 3);
        let err =
            tabulate_file(&three, &codebook, LoadOptions::default(), None).unwrap_err().to_string();
        assert!(
            err.contains("duplicate respondent id") && err.contains(&format!("line {}", last + 1)),
            "{err}"
        );
    }
}

/// Past the in-memory limit ids spill to disk; a repeat is still found, and its line
/// named, by the single-threaded loader and by the two-thread count.
#[test]
fn a_duplicate_id_is_found_after_the_id_set_spills_to_disk() {
    use invitestat::data::load;
    use invitestat::data::synthetic::{WaveSpec, generate_wave};
    use invitestat::tabulate::{PARALLEL_BYTES, tabulate_file};
    let dir = tempfile::tempdir().unwrap();
    let codebook = Codebook::from_path(&root().join("data/waves-example/codebook.toml")).unwrap();
    // Both halves of a file counted on two threads spill: 150,000 ids each, 40,000 kept.
    let options = LoadOptions { ids_in_memory: 40_000, ..LoadOptions::default() };
    let rows = 300_000;
    let spec = WaveSpec {
        rows: rows as u64,
        seed: 11,
        missing: 0.0,
        group_shares: vec![0.15, 0.85],
        wave: "s".into(),
        shares_seed: 1,
        trend: 0.0,
    };
    let csv = generate_wave(&codebook, &spec).unwrap();
    assert!(csv.len() as u64 > PARALLEL_BYTES, "{} bytes", csv.len());
    let path = dir.path().join("spill.csv");
    std::fs::write(&path, &csv).unwrap();
    // Clean file: no error either way.
    load(&path, &codebook, options, |_| {}).unwrap();
    let (table, _) = tabulate_file(&path, &codebook, options, None).unwrap();
    assert_eq!(table.total(), rows as u64);
    // Repeat an early id near the end.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let early_id = lines[10].split(',').next().unwrap().to_string();
    let late = lines.len() - 3;
    let rest = lines[late].split_once(',').unwrap().1.to_string();
    lines[late] = format!("{early_id},{rest}");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let expected = format!(
        "line {}, column 1 (respondent_id): duplicate respondent id: got '{early_id}'",
        late + 1
    );
    let err = load(&path, &codebook, options, |_| {}).unwrap_err().to_string();
    assert!(err.contains(&expected), "{err}");
    let err = tabulate_file(&path, &codebook, options, None).unwrap_err().to_string();
    assert!(err.contains(&expected), "{err}");
}

/// A single-choice question too large to enumerate gets a seeded Monte Carlo exact
/// test, its seed and standard error written next to the p-value.
#[test]
fn a_large_single_choice_question_gets_a_seeded_monte_carlo_exact_test_when_an_expected_count_is_small()
 {
    use invitestat::analysis::{COCHRAN_MIN_EXPECTED, MONTE_CARLO_REPLICATES, analyse};
    use invitestat::data::synthetic::{WaveSpec, generate_wave};
    use invitestat::tabulate::tabulate_file;
    let dir = tempfile::tempdir().unwrap();
    let codebook = Codebook::from_path(&root().join("data/waves-example/codebook.toml")).unwrap();
    let spec = WaveSpec {
        rows: 20_000,
        seed: 11,
        missing: 0.0,
        group_shares: vec![0.3, 0.7],
        wave: "1".into(),
        shares_seed: 2,
        trend: 0.0,
    };
    let path = dir.path().join("wave.csv");
    std::fs::write(&path, generate_wave(&codebook, &spec).unwrap()).unwrap();
    let (table, _) = tabulate_file(&path, &codebook, LoadOptions::default(), None).unwrap();
    let options = AnalysisOptions { seed: 2024, ..AnalysisOptions::default() };
    // Too large to enumerate, every expected count large: the chi-square test applies.
    let a = analyse(&codebook, &table, options);
    let q = a.question_tests.iter().find(|q| q.question == "main_use").unwrap();
    assert!(q.table.iter().flatten().all(|&c| c as f64 >= COCHRAN_MIN_EXPECTED));
    assert_eq!((q.monte_carlo, q.exact_p_value), (None, None));
    assert!(
        q.note.contains("more than the 5000000 it enumerates")
            && q.note.contains("chi-square test applies"),
        "{}",
        q.note
    );
    assert!(q.chi2_p_value.is_some());
    // A rare fifth answer among 400,000 respondents: too large to enumerate, expected
    // counts below 5, so a seeded Monte Carlo exact test. (With three answers the same
    // rare row is still enumerated exactly.)
    let five = Codebook::from_path(&root().join("benches/peers/codebook.toml")).unwrap();
    let mut rare = invitestat::tabulate::CountTable::new(&five, &[]);
    rare.respondents = vec![120_000, 280_000];
    let rows = [[30_000, 70_000], [30_000, 70_000], [30_000, 70_000], [29_996, 69_997], [4, 3]];
    for (o, row) in rows.iter().enumerate() {
        for (g, &c) in row.iter().enumerate() {
            rare.questions[0].counts[[o, g]] = c;
        }
    }
    let a = analyse(&five, &rare, options);
    let q = a.question_tests.iter().find(|q| q.question == "q1").unwrap();
    let (mc, seed) = q.monte_carlo.unwrap_or_else(|| panic!("{q:?}"));
    assert_eq!(seed, 2024);
    assert_eq!(mc.replicates, MONTE_CARLO_REPLICATES);
    assert_eq!(q.exact_p_value, Some(mc.p_value));
    assert!(q.note.contains("seed 2024") && q.note.contains("Monte Carlo"), "{}", q.note);
    // 4 of 150,000 vs 3 of 350,000 is no evidence of a difference.
    assert!(mc.p_value > 0.1, "{mc:?}");
    // The same seed gives the same estimate.
    let b = analyse(&five, &rare, options);
    assert_eq!(b.question_tests[0].monte_carlo, q.monte_carlo);
}

/// studies.toml entries whose `responses` do not fit their kind are refused when the
/// list is read, naming the entry, not at the first file.
#[test]
fn a_report_list_with_the_wrong_files_for_a_kind_is_refused() {
    for (entry, expected) in [
        (
            "kind = \"analysis\"\nresponses = [\"a.csv\", \"b.csv\"]",
            "an analysis reads one responses file",
        ),
        ("kind = \"waves\"", "waves need `responses`"),
        ("kind = \"reproduction\"\nresponses = [\"a.csv\"]", "`responses` must be left out"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("studies.toml"),
            format!("[[report]]\nfolder = \"x\"\n{entry}\n"),
        )
        .unwrap();
        let err = invitestat::study::bundled(dir.path()).unwrap_err().to_string();
        assert!(err.contains("report 1 (x)") && err.contains(expected), "{err}");
    }
}
