"""Writes the notebooks from the cell sources below: the two Rust (evcxr) ones and the
Python one (run from the repository root: python3 notebooks/build_notebooks.py). Edit
here, not in the .ipynb."""
import nbformat as nbf

KERNEL = {"kernelspec": {"name": "rust", "display_name": "Rust", "language": "rust"},
          "language_info": {"name": "rust", "file_extension": ".rs", "mimetype": "text/rust"}}


PYTHON = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
          "language_info": {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"}}


def notebook(cells, path, metadata=KERNEL):
    nb = nbf.v4.new_notebook(metadata=metadata)
    for kind, src in cells:
        nb.cells.append(nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src))
    nbf.write(nb, path)


study = [
    ("md", "# The Executives Online study with the invitestat library\n\n"
           "This notebook walks through the study with the library API: run the bundled study (its "
           "reconstructed responses, rebuilt and checked), look at the shares and comparisons, query the "
           "count table, check a published figure, judge the claims and draw a chart. Run it from "
           "`notebooks/` with the Rust (evcxr) kernel."),
    ("code", ':dep invitestat = { path = ".." }'),
    ("md", "## Run the study\n\n`run_bundled` rebuilds the reconstruction from its seed, checks it is the shipped "
           "`responses.csv`, and analyses it: every question, answer and group with its interval, the "
           "comparisons, the published figures and the claims, in one `Report`."),
    ("code", """use invitestat::analysis::AnalysisOptions;
use invitestat::study::run_bundled;
use std::path::Path;
let report = run_bundled(Path::new("../data/executives-online"), AnalysisOptions::default()).unwrap();
print!("{}", report.summary());
let analysis = report.analysis.clone().unwrap();
assert_eq!(report.load.rows_used, 400);"""),
    ("md", "## Compare the groups\n\n\"87% of recruiters and 63% of non-recruiters accept invitations from people "
           "they have never met\": the share in each group with its Wilson interval, and the difference with "
           "Newcombe's interval and Fisher's exact test (Holm-adjusted across the questionnaire)."),
    ("code", """for group in ["recruiters", "non-recruiters"] {
    let r = analysis.result("accept_never_met", "1", group).unwrap();
    println!("{:<15} {}/{} = {:.1}% (95% CI {:.1}% to {:.1}%)", r.group_label, r.successes, r.n,
             100.0 * r.estimate.unwrap(), 100.0 * r.ci_lower.unwrap(), 100.0 * r.ci_upper.unwrap());
}
let c = analysis.comparison("accept_never_met", "1").cloned().unwrap();
println!("difference {:+.1} points ({:+.1} to {:+.1}), p = {:.2e}, adjusted {:.4}",
         100.0 * c.difference, 100.0 * c.ci_lower, 100.0 * c.ci_upper, c.p_value.unwrap(), c.p_adjusted.unwrap());
assert!(c.significant && c.ci_lower > 0.0);"""),
    ("md", "## Query the count table\n\nThe count table holds the sufficient statistics; `tabulate_file` counts a "
           "responses file into one, and its queries give any count."),
    ("code", """use invitestat::Codebook;
use invitestat::data::LoadOptions;
use invitestat::tabulate::tabulate_file;
let codebook = Codebook::from_path(Path::new("../data/executives-online/codebook.toml")).unwrap();
let (table, load) = tabulate_file(Path::new("../data/executives-online/responses.csv"), &codebook, LoadOptions::default(), None).unwrap();
let q = codebook.question_index("accept_never_met").unwrap();
let (k, n) = table.option_counts(q, 0, Some(0));
println!("{} rows; recruiters accepting strangers: {k} of {n}", load.rows_used);
assert_eq!((k, n), (48, 55));"""),
    ("md", "## Check a published figure\n\nWhich recruiter counts can print as \"6%\"? None from 55 to 61 under round-half-up, "
           "which is why \"almost 60\" recruiters cannot reproduce every figure on one base."),
    ("code", """use invitestat::consistency::{counts, recover, Figure, Rounding};
let six: Figure = "6%".parse().unwrap();
for n in 54..=62 {
    println!("n = {n}: {:?}", counts(&six, n, Rounding::HalfUp));
}
let figures: Vec<Figure> = ["21%", "40%", "87%", "6%", "54%", "78%"].iter().map(|s| s.parse().unwrap()).collect();
let fits: Vec<u64> = recover(&figures, 50..=70, Rounding::HalfUp).unwrap().iter().map(|c| c.n).collect();
println!("one base fits at {fits:?}");
assert_eq!(fits, vec![63, 67, 68]);"""),
    ("md", "## The claims and a chart"),
    ("code", """for v in &report.claims { println!("{:<4} {:<24} {}", v.id, v.verdict.name(), v.text); }
let chart = report.charts().into_iter().find(|c| c.id == "findings").unwrap();
let svg = chart.svg().unwrap();
assert!(svg.contains("Accept invitations from strangers"));
println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n{svg}\\nEVCXR_END_CONTENT");"""),
]

wave = [
    ("md", "# A new survey wave\n\nA second wave arrives with respondent-level answers, weights and item "
           "non-response. Here it is synthetic (seeded), drawn with `invitestat::data::synthetic`; with a real file, "
           "start from the `analyse_file` cell."),
    ("code", ':dep invitestat = { path = ".." }'),
    ("code", """use invitestat::Codebook;
use invitestat::data::synthetic::{generate_wave, WaveSpec};
use std::path::PathBuf;
// The study's codebook, with a weight and a wave column added for the new wave.
let text = std::fs::read_to_string("../data/executives-online/codebook.toml").unwrap()
    .replacen("id_column = \\"respondent_id\\"", "id_column = \\"respondent_id\\"\\nweight_column = \\"weight\\"\\nwave_column = \\"wave\\"", 1);
let dir: PathBuf = std::env::temp_dir().join("invitestat-notebook-wave");
std::fs::create_dir_all(&dir).unwrap();
let cb_path = dir.join("codebook.toml");
std::fs::write(&cb_path, text).unwrap();
let codebook = Codebook::from_path(&cb_path).unwrap();
let spec = WaveSpec { rows: 1200, seed: 2026, missing: 0.04, group_shares: vec![0.15, 0.85], wave: "2026".into(), shares_seed: 2026, trend: 0.0 };
let csv = generate_wave(&codebook, &spec).unwrap();
let data = dir.join("wave-2026.csv");
std::fs::write(&data, &csv).unwrap();
println!("{} respondents written to {} (seed {})", spec.rows, data.display(), spec.seed);"""),
    ("code", """use invitestat::{Options, analyse_file};
let report = analyse_file(&data, &codebook, &Options::default()).unwrap();
print!("{}", report.summary());
assert_eq!(report.load.rows_used, 1200);
let analysis = report.analysis.clone().unwrap();
for c in &analysis.comparisons {
    println!("{:<34} {:<24} {:+6.1} points ({:+.1} to {:+.1}), adjusted p = {:.3}",
             c.question_label, c.option_label, 100.0 * c.difference, 100.0 * c.ci_lower, 100.0 * c.ci_upper, c.p_adjusted.unwrap_or(1.0));
}"""),
    ("md", "The published figures are now checked against real counts: most will not match a new wave, "
           "and the claims are judged on its data. The whole report (CSV, JSON, HTML, Markdown, charts) is "
           "written with one call."),
    ("code", """for f in &analysis.figures {
    println!("{} {:<15} printed {:>4}, wave {:>5.1}% of {:>4} {}", f.label, f.group_label, f.printed,
             100.0 * f.estimate.unwrap_or(f64::NAN), f.n, if f.reproduced { "(same after rounding)" } else { "" });
}
let out = dir.join("report");
if !out.exists() || out.join(".invitestat-report").exists() {
    report.save(&out, invitestat::report::Formats::ALL).unwrap();
    println!("report written to {}", out.display());
}
let chart = report.charts().into_iter().find(|c| c.id == "differences").unwrap();
let svg = chart.svg().unwrap();
println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n{svg}\\nEVCXR_END_CONTENT");"""),
]

python_wave = [
    ("md", "# A new survey wave, from pandas\n\n"
           "The waves of a study arrive as pandas data frames (here read from the bundled waves example: "
           "four regions as strata, employers as clusters, base weights raked to the recruiter share and "
           "seniority margins). invitestat reads each frame in place through the Arrow PyCapsule interface, "
           "checks every cell as it would a file's, and returns the result tables as data frames. Run it "
           "from `notebooks/python/` with a Python kernel where `pip install .` has installed invitestat."),
    ("code", """import pandas as pd
import invitestat
from pathlib import Path

data = Path("../../data/waves-example")
codebook = data / "codebook.toml"
frames = {f"wave-{i}": pd.read_csv(data / f"wave-{i}.csv", dtype=str, keep_default_na=False) for i in (1, 2, 3)}
{label: frame.shape for label, frame in frames.items()}"""),
    ("md", "## The newest wave on its own\n\nShares with their intervals per group, under the codebook's design "
           "and weights, and the comparisons of the groups adjusted for multiplicity."),
    ("code", """newest = invitestat.analyze(frames["wave-3"], codebook)
print(newest.summary)
weighted = newest["weighted"]
weighted[["question", "option_label", "group", "estimate", "ci_lower", "ci_upper", "deff_replace", "df"]].head(8)"""),
    ("md", "## Every wave compared\n\nThe change since the previous wave (weighted, with the design's degrees of "
           "freedom), the trends and the gap changes; the report, with its charts, is written to a new "
           "folder (an existing one is replaced only if it holds an earlier invitestat report)."),
    ("code", """import tempfile
out = Path(tempfile.mkdtemp()) / "report"
compared = invitestat.waves(frames, codebook, out=out)
changes = compared["weighted_waves"]
assert len(changes) > 0
changes[changes.significant == True][["question", "option_label", "group", "wave", "change", "change_lower", "change_upper"]]"""),
    ("code", """from IPython.display import Image
Image(filename=str(out / "charts" / "waves-weighted.png"))"""),
    ("md", "## A printed comparison checked\n\nThe article's \"87% of recruiters and 63% of non-recruiters\" from "
           "its printed figures alone, over every count consistent with them."),
    ("code", """printed = invitestat.compare("87%", "55..59", "63%", "341..345", total=400)
printed["verdict"]"""),
]

notebook(study, "notebooks/study.ipynb")
notebook(wave, "notebooks/new-wave.ipynb")
notebook(python_wave, "notebooks/python/new-wave.ipynb", PYTHON)
print("wrote notebooks/study.ipynb, notebooks/new-wave.ipynb and notebooks/python/new-wave.ipynb")
