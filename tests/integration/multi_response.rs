//! Multi-response questions and nets: the test of multiple marginal independence
//! against R MRCV (`tests/golden/mrcv.json`, written by
//! `notebooks/golden/mrcv_reference.R`), and the answers' shares, tests and waves
//! through the pipeline against base-R formulas on the same counts.

use invitestat::stats::multi_response::marginal_independence;
use serde_json::Value;

/// Closed-form statistics: 1e-9 relative (as in `golden.rs`).
const CLOSED_FORM: f64 = 1e-9;

fn close(got: f64, want: f64, what: &str) {
    let scale = want.abs().max(f64::MIN_POSITIVE);
    assert!((got - want).abs() <= CLOSED_FORM * scale, "{what}: got {got:e}, MRCV {want:e}");
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Every MRCV case: X²_S, each answer's statistic, the second-order Rao-Scott
/// statistic, its degrees of freedom and p-value, and the Bonferroni p-values (MRCV's
/// upper tails computed with `lower.tail = FALSE`, as invitestat computes them).
#[test]
fn the_marginal_independence_test_matches_mrcv() {
    let text = include_str!("../golden/mrcv.json");
    let golden: Value = serde_json::from_str(text).unwrap();
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let n = counts(&case["n"]);
        let ticked: Vec<Vec<u64>> = case["ticked"].as_array().unwrap().iter().map(counts).collect();
        let both: Vec<Vec<Vec<u64>>> = case["both"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_array().unwrap().iter().map(counts).collect())
            .collect();
        let t = marginal_independence(&n, &ticked, &both).unwrap();
        assert!(t.answers_used.iter().all(|&u| u), "{name}");
        close(t.x2_s, case["x2_s"].as_f64().unwrap(), &format!("{name} X2_S"));
        for (got, want) in t.x2_answers.iter().zip(floats(&case["x2_s_ij"])) {
            close(got.unwrap(), want, &format!("{name} X2_S.ij"));
        }
        close(t.rao_scott, case["rs2_stat"].as_f64().unwrap(), &format!("{name} X2_S.rs2"));
        close(t.rao_scott_df, case["rs2_df"].as_f64().unwrap(), &format!("{name} df.rs2"));
        close(t.rao_scott_p, case["rs2_p_upper"].as_f64().unwrap(), &format!("{name} p.rs2"));
        close(t.bonferroni_p, case["bon_p_upper"].as_f64().unwrap(), &format!("{name} p.bon"));
        for (got, want) in t.bonferroni_answers.iter().zip(floats(&case["bon_p_ij_upper"])) {
            close(got.unwrap(), want, &format!("{name} X2_S.ij p.bon"));
        }
    }
    // The published example of Bilder, Loughin and Nettleton (2000), MRCV's farmer1:
    // X²_S = 30.84, adjusted p = 0.0632.
    let farmer = &cases[0];
    assert_eq!(farmer["name"], "farmer1");
    assert_eq!(format!("{:.2}", farmer["x2_s"].as_f64().unwrap()), "30.84");
    assert_eq!(format!("{:.4}", farmer["rs2_p"].as_f64().unwrap()), "0.0632");
}

/// An answer nobody ticked (where MRCV returns NA) is left out and said so; one group,
/// or no answer left, gives no test.
#[test]
fn an_answer_nobody_ticked_is_left_out_of_the_test() {
    let n = [40, 60];
    let ticked = [vec![10, 0, 30], vec![30, 0, 20]];
    let both = [
        vec![vec![10, 0, 8], vec![0, 0, 0], vec![8, 0, 30]],
        vec![vec![30, 0, 12], vec![0, 0, 0], vec![12, 0, 20]],
    ];
    let t = marginal_independence(&n, &ticked, &both).unwrap();
    assert_eq!(t.answers_used, [true, false, true]);
    assert_eq!(t.x2_answers[1], None);
    let two = marginal_independence(
        &n,
        &[vec![10, 30], vec![30, 20]],
        &[vec![vec![10, 8], vec![8, 30]], vec![vec![30, 12], vec![12, 20]]],
    )
    .unwrap();
    assert_eq!((t.x2_s, t.rao_scott, t.rao_scott_df), (two.x2_s, two.rao_scott, two.rao_scott_df));
    assert!(
        marginal_independence(&[40, 0], &[vec![10], vec![0]], &[vec![vec![10]], vec![vec![0]]])
            .is_none()
    );
    assert!(
        marginal_independence(&n, &[vec![0], vec![0]], &[vec![vec![0]], vec![vec![0]]]).is_none()
    );
}

const CODEBOOK: &str = r#"id_column = "id"

[study]
id = "mr"
title = "Multi-response and nets"
source = "tests/integration/multi_response.rs"

[grouping]
column = "g"
levels = [{ id = "a", code = "1", label = "A" }, { id = "b", code = "2", label = "B" }]

[[questions]]
id = "use"
text = "Main use?"
kind = "single-choice"
options = [{ code = "1", label = "Jobs" }, { code = "2", label = "Hiring" }, { code = "3", label = "Other" }]
nets = [{ id = "use_jobs", label = "Jobs or hiring", codes = ["1", "2"] }]

[[questions]]
id = "why"
text = "Why?"
kind = "multi-response"
counted = "1"
not_counted = ["0", "2"]
missing = ["9"]
answers = [
  { id = "why_net", label = "Network" },
  { id = "why_lead", label = "Leads" },
  { id = "why_known", label = "Known" },
]
nets = [{ id = "why_career", label = "Network or leads", codes = ["why_net", "why_lead"] }]

[[questions]]
id = "heard"
text = "Heard where?"
kind = "multi-response"
columns = ["heard_1st", "heard_2nd"]
options = [{ code = "c", label = "Colleague" }, { code = "s", label = "Social" }, { code = "e", label = "E-mail" }]
"#;

const RESPONSES: &str = "id,g,use,why_net,why_lead,why_known,heard_1st,heard_2nd
r1,1,1,1,0,1,c,s
r2,1,2,0,0,0,s,
r3,1,3,,,,,
r4,1,,9,9,9,e,e
r5,2,1,1,1,0,c,
r6,2,3,2,1,,s,e
r7,2,2,0,1,1,,c
r8,2,3,1,,,e,
";

/// A net, a set of dichotomies (with codes not counted and missing) and a set of
/// categories, counted by hand: each answer's share of those who answered the
/// question, the nets, the missing answers, and the test of multiple marginal
/// independence on the same counts.
#[test]
fn answers_and_nets_are_shares_of_those_answering_and_the_set_is_tested_whole() {
    use invitestat::codebook::Codebook;
    use invitestat::study::{Options, analyse_file};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mr.csv");
    std::fs::write(&path, RESPONSES).unwrap();
    let cb = Codebook::from_toml(CODEBOOK, std::path::Path::new("mr.toml")).unwrap();
    assert_eq!(
        cb.columns(),
        ["id", "g", "use", "why_net", "why_lead", "why_known", "heard_1st", "heard_2nd"]
    );
    let ids: Vec<&str> = cb.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "use",
            "use_jobs",
            "why_net",
            "why_lead",
            "why_known",
            "why_career",
            "heard_c",
            "heard_s",
            "heard_e"
        ]
    );
    assert_eq!(cb.question("why_career").unwrap().display_label(), "Why?: Network or leads");
    let report = analyse_file(&path, &cb, &Options::default()).unwrap();
    let a = report.analysis.as_ref().unwrap();
    let share = |q: &str, g: &str| {
        let r = a.result(q, "1", g).unwrap();
        (r.successes, r.n)
    };
    let expected = [
        ("use_jobs", (2, 3), (2, 4)),
        ("why_net", (1, 2), (2, 4)),
        ("why_lead", (0, 2), (3, 4)),
        ("why_known", (1, 2), (1, 4)),
        ("why_career", (1, 2), (4, 4)),
        ("heard_c", (1, 3), (2, 4)),
        ("heard_s", (2, 3), (1, 4)),
        ("heard_e", (1, 3), (2, 4)),
    ];
    for (q, ga, gb) in expected {
        assert_eq!((share(q, "a"), share(q, "b")), (ga, gb), "{q}");
    }
    let missing = &report.load.missing_answers;
    assert_eq!(
        [&missing["use"], &missing["use_jobs"], &missing["why_net"], &missing["heard_c"]],
        [&1, &1, &2, &1]
    );
    // The sets' tests, on the counts above.
    let why = a.multi_response_tests.iter().find(|t| t.question == "why").unwrap();
    assert_eq!(why.answers, ["why_net", "why_lead", "why_known"]);
    assert_eq!(why.answer_labels, ["Network", "Leads", "Known"]);
    assert_eq!(why.respondents, [2, 4]);
    let by_hand = marginal_independence(
        &[2, 4],
        &[vec![1, 0, 1], vec![2, 3, 1]],
        &[
            vec![vec![1, 0, 1], vec![0, 0, 0], vec![1, 0, 1]],
            vec![vec![2, 1, 0], vec![1, 3, 1], vec![0, 1, 1]],
        ],
    );
    assert_eq!(why.test, by_hand);
    let heard = a.multi_response_tests.iter().find(|t| t.question == "heard").unwrap();
    let by_hand = marginal_independence(
        &[3, 4],
        &[vec![1, 2, 1], vec![2, 1, 2]],
        &[
            vec![vec![1, 1, 0], vec![1, 2, 0], vec![0, 0, 1]],
            vec![vec![2, 0, 0], vec![0, 1, 1], vec![0, 1, 2]],
        ],
    );
    assert_eq!(heard.test, by_hand);
    // The CSV outputs hold the test.
    let files = invitestat::report::csv::files(&report).unwrap();
    let (_, text) = files.iter().find(|(n, _)| n == "multi_response_tests.csv").unwrap();
    assert!(text.starts_with("question,question_label,answers,respondents,x2_s,"), "{text}");
    assert!(text.contains("why,Why?,why_net why_lead why_known,2 4,"), "{text}");
}

/// The waves example's multi-response question and nets: the count table written by
/// `tabulate` and merged gives the analysis of the file, number for number, and so do
/// the long-format rows an SQL GROUP BY gives (each answer and net computed as the
/// loader computes it, and a joint row for every two answers).
#[test]
fn multi_response_counts_merge_exactly_from_json_and_from_sql_rows() {
    use std::process::Command;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("data/waves-example/wave-1.csv");
    let dir = tempfile::tempdir().unwrap();
    // The example's questionnaire without its design and weighting (the long format
    // carries neither).
    let text = std::fs::read_to_string(root.join("data/waves-example/codebook.toml")).unwrap();
    let (start, end) = (text.find("[design]").unwrap(), text.find("[study]").unwrap());
    let cb = dir.path().join("codebook.toml");
    std::fs::write(&cb, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_invitestat")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let json = dir.path().join("counts.json");
    run(&[
        "tabulate".as_ref(),
        data.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--counts-out".as_ref(),
        json.as_os_str(),
    ]);
    let whole: Value = serde_json::from_slice(&run(&[
        "analyze".as_ref(),
        data.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    assert_eq!(whole["analysis"]["multi_response_tests"].as_array().unwrap().len(), 1);
    let merged: Value = serde_json::from_slice(&run(&[
        "merge".as_ref(),
        json.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    assert_eq!(merged["analysis"], whole["analysis"]);

    // Long format, as SQL computes it: weights are ignored here (count = sums).
    let answers = ["reason_network", "reason_jobs", "reason_known", "reason_courtesy"];
    let mut cells: std::collections::BTreeMap<(String, String, String), (u64, f64, f64)> =
        Default::default();
    let mut rdr = csv::Reader::from_path(&data).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut add = |q: &str, o: &str, g: &str, w: f64| {
        let c = cells.entry((q.into(), o.into(), g.into())).or_default();
        c.0 += 1;
        c.1 += w;
        c.2 += w * w;
    };
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let g = &rec[at("recruiter")];
        let w: f64 = rec[at("weight")].parse().unwrap();
        add("*", "*", g, w);
        for q in [
            "main_use",
            "accept_never_met",
            "only_accept_known",
            "accept_if_engaged_online",
            "invite_never_met",
            "ignore_unaccepted",
        ] {
            add(q, &rec[at(q)], g, w);
        }
        let main_use = &rec[at("main_use")];
        add(
            "main_use_jobs",
            if main_use.is_empty() {
                ""
            } else if ["1", "2"].contains(&main_use) {
                "1"
            } else {
                "0"
            },
            g,
            w,
        );
        let ticks: Vec<&str> = answers.iter().map(|a| &rec[at(a)]).collect();
        let answered = ticks.iter().any(|t| !t.is_empty());
        let flag = |t: bool| {
            if !answered {
                ""
            } else if t {
                "1"
            } else {
                "0"
            }
        };
        for (a, t) in answers.iter().zip(&ticks) {
            add(a, flag(*t == "1"), g, w);
        }
        add("reason_career", flag(ticks[0] == "1" || ticks[1] == "1"), g, w);
        if answered {
            for i in 0..answers.len() {
                for j in i + 1..answers.len() {
                    let f = |t: &str| if t == "1" { "1" } else { "0" };
                    add(
                        &format!("{}&{}", answers[i], answers[j]),
                        &format!("{}&{}", f(ticks[i]), f(ticks[j])),
                        g,
                        w,
                    );
                }
            }
        }
    }
    let mut long = String::from("question,option,group,count,weight_sum,weight_sq_sum\n");
    for ((q, o, g), (n, w, w2)) in &cells {
        long.push_str(&format!("{q},{o},{g},{n},{w},{w2}\n"));
    }
    let long_path = dir.path().join("counts.csv");
    std::fs::write(&long_path, long).unwrap();
    let from_sql: Value = serde_json::from_slice(&run(&[
        "merge".as_ref(),
        long_path.as_os_str(),
        "--codebook".as_ref(),
        cb.as_os_str(),
        "--json".as_ref(),
    ]))
    .unwrap();
    let a = &from_sql["analysis"];
    assert_eq!(a["results"], whole["analysis"]["results"]);
    // Without the joint rows of two answers, or with one cell off, the table is refused
    // (zeros would give the test wrong covariances).
    let text = std::fs::read_to_string(&long_path).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("reason_network&reason_jobs,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let bad = dir.path().join("no-pairs.csv");
    std::fs::write(&bad, without).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_invitestat"))
        .args(["merge".as_ref(), bad.as_os_str(), "--codebook".as_ref(), cb.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains(
            "the joint answers of 'reason_network' and 'reason_jobs' in group 'recruiters' are 0; expected 129"
        ),
        "{e}"
    );
    assert_eq!(a["comparisons"], whole["analysis"]["comparisons"]);
    assert_eq!(a["multi_response_tests"], whole["analysis"]["multi_response_tests"]);
}

/// Exact tests: 1e-8 relative (as in `golden.rs`).
const EXACT: f64 = 1e-8;

/// The waves example's first wave, read and counted by the loader: its multi-response
/// question's test equals MRCV's on the respondent-level file, and each answer's and
/// net's shares, intervals and Fisher test equal base R's (`prop.test(correct = FALSE)`,
/// `fisher.test`) on it.
#[test]
fn the_waves_example_answers_and_nets_match_mrcv_and_base_r() {
    use invitestat::codebook::Codebook;
    use invitestat::study::{Options, analyse_file};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cb = Codebook::from_path(&root.join("data/waves-example/codebook.toml")).unwrap();
    let report =
        analyse_file(&root.join("data/waves-example/wave-1.csv"), &cb, &Options::default())
            .unwrap();
    let a = report.analysis.as_ref().unwrap();
    let golden: Value = serde_json::from_str(include_str!("../golden/mrcv.json")).unwrap();
    let case = golden["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "waves_example_wave_1_reasons")
        .unwrap();
    let m = &a.multi_response_tests[0];
    // MRCV orders the groups by code ("0", "1"); the codebook lists recruiters ("1") first.
    let mut n = counts(&case["n"]);
    n.reverse();
    assert_eq!(m.respondents, n);
    let t = m.test.as_ref().unwrap();
    close(t.x2_s, case["x2_s"].as_f64().unwrap(), "X2_S");
    close(t.rao_scott, case["rs2_stat"].as_f64().unwrap(), "X2_S.rs2");
    close(t.rao_scott_df, case["rs2_df"].as_f64().unwrap(), "df.rs2");
    close(t.rao_scott_p, case["rs2_p_upper"].as_f64().unwrap(), "p.rs2");
    close(t.bonferroni_p, case["bon_p_upper"].as_f64().unwrap(), "p.bon");
    let rows = golden["waves_example_wave_1"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for row in rows {
        let q = row["question"].as_str().unwrap();
        for (i, group) in ["recruiters", "non-recruiters"].into_iter().enumerate() {
            let r = a.result(q, "1", group).unwrap();
            assert_eq!(
                (r.successes, r.n),
                (row["x"][i].as_u64().unwrap(), row["n"][i].as_u64().unwrap()),
                "{q} {group}"
            );
            close(r.ci_lower.unwrap(), row["wilson_lower"][i].as_f64().unwrap(), q);
            close(r.ci_upper.unwrap(), row["wilson_upper"][i].as_f64().unwrap(), q);
        }
        let p = a.comparison(q, "1").unwrap().p_value.unwrap();
        let want = row["fisher_p"].as_f64().unwrap();
        assert!((p - want).abs() <= EXACT * want, "{q}: Fisher p {p:e}, R {want:e}");
    }
}
