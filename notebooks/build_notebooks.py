"""Writes the two Rust (evcxr) notebooks from the cell sources below (run from the
repository root: python3 notebooks/build_notebooks.py). Edit here, not in the .ipynb."""
import nbformat as nbf

KERNEL = {"kernelspec": {"name": "rust", "display_name": "Rust", "language": "rust"},
          "language_info": {"name": "rust", "file_extension": ".rs", "mimetype": "text/rust"}}


def notebook(cells, path):
    nb = nbf.v4.new_notebook(metadata=KERNEL)
    for kind, src in cells:
        nb.cells.append(nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src))
    nbf.write(nb, path)


study = [
    ("md", "# The Executives Online study with the invitestat library\n\n"
           "This notebook walks through the study with the library API: load the codebook and the "
           "(reconstructed) responses, tabulate, compare recruiters with non-recruiters, check a "
           "published figure, and draw a chart. Run it from `notebooks/` with the Rust (evcxr) kernel."),
    ("code", ':dep invitestat = { path = ".." }'),
    ("md", "## Load and tabulate\n\nThe codebook says what each column means; the loader validates every row "
           "and the count table holds the sufficient statistics."),
    ("code", """use invitestat::codebook::Codebook;
use invitestat::study::tabulate_file;
use std::path::Path;
let codebook = Codebook::from_path(Path::new("../data/executives-online/codebook.toml")).unwrap();
let (table, load) = tabulate_file(Path::new("../data/executives-online/responses.csv"), &codebook).unwrap();
println!("{} rows read, {} used: recruiters {}, non-recruiters {}", load.rows_read, load.rows_used, table.respondents[0], table.respondents[1]);
assert_eq!(load.rows_used, 400);"""),
    ("md", "## Compare the groups\n\n\"87% of recruiters and 63% of non-recruiters accept invitations from people "
           "they have never met\": the difference with Newcombe's interval and Fisher's exact test."),
    ("code", """use invitestat::analysis::option_counts;
use invitestat::stats::{Alternative, ConfidenceLevel, TwoGroups};
use invitestat::stats::difference::{difference_ci, DifferenceMethod};
use invitestat::stats::fisher::fisher_exact;
let q = codebook.question_index("accept_never_met").unwrap();
let (k1, n1) = option_counts(&table, q, 0, Some(0));
let (k2, n2) = option_counts(&table, q, 0, Some(1));
let g = TwoGroups::new(k1, n1, k2, n2).unwrap();
let ci = difference_ci(&g, DifferenceMethod::Newcombe, ConfidenceLevel::NINETY_FIVE, Alternative::TwoSided);
let p = fisher_exact(&g, Alternative::TwoSided).p_value.p;
println!("{k1}/{n1} vs {k2}/{n2}: difference {:+.1} points, 95% CI {:+.1} to {:+.1}, Fisher p = {:.2e}",
         100.0 * g.difference(), 100.0 * ci.lower, 100.0 * ci.upper, p);
assert!(p < 0.001 && ci.lower > 0.0);"""),
    ("md", "## Check a published figure\n\nWhich recruiter counts can print as \"6%\"? None from 55 to 61 under round-half-up, "
           "which is why \"almost 60\" recruiters cannot reproduce every figure on one base."),
    ("code", """use invitestat::consistency::{counts, recover, Figure, Rounding};
let six: Figure = "6%".parse().unwrap();
for n in 54..=62 {
    println!("n = {n}: {:?}", counts(&six, n, Rounding::HalfUp));
}
let figures: Vec<Figure> = ["21%", "40%", "87%", "6%", "54%", "78%"].iter().map(|s| s.parse().unwrap()).collect();
let fits: Vec<u64> = recover(&figures, 50..=70, Rounding::HalfUp).iter().map(|c| c.n).collect();
println!("one base fits at {fits:?}");
assert_eq!(fits, vec![63, 67, 68]);"""),
    ("md", "## Analyse, judge the claims, draw a chart"),
    ("code", """use invitestat::analysis::{analyse, AnalysisOptions};
use invitestat::claims::{judge, Evidence};
let results = analyse(&codebook, &table, AnalysisOptions::default());
let verdicts = judge(&codebook, &table, &results, Evidence::DataAndPublishedFigures);
for v in &verdicts { println!("{:<4} {}", v.id, v.verdict.name()); }
let charts = invitestat::plot::charts(&codebook, &results, &verdicts, "Source: executives-online (reconstructed respondent data)");
let svg = charts[0].svg().unwrap();
assert!(svg.contains("Accept invitations from strangers"));
println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n{svg}\\nEVCXR_END_CONTENT");"""),
]

wave = [
    ("md", "# A new survey wave\n\nA second wave arrives with respondent-level answers, weights and item "
           "non-response. Here it is synthetic (seeded), drawn with `invitestat::data::synthetic`; with a real file, "
           "start from the `analyse_file` cell."),
    ("code", ':dep invitestat = { path = ".." }'),
    ("code", """use invitestat::codebook::Codebook;
use invitestat::data::synthetic::{generate_wave, WaveSpec};
use std::path::{Path, PathBuf};
// The study's codebook, with a weight and a wave column added for the new wave.
let text = std::fs::read_to_string("../data/executives-online/codebook.toml").unwrap()
    .replacen("id_column = \\"respondent_id\\"", "id_column = \\"respondent_id\\"\\nweight_column = \\"weight\\"\\nwave_column = \\"wave\\"", 1);
let dir: PathBuf = std::env::temp_dir().join("invitestat-notebook-wave");
std::fs::create_dir_all(&dir).unwrap();
let cb_path = dir.join("codebook.toml");
std::fs::write(&cb_path, text).unwrap();
let codebook = Codebook::from_path(&cb_path).unwrap();
let spec = WaveSpec { rows: 1200, seed: 2026, missing: 0.04, group_shares: vec![0.15, 0.85], wave: "2026".into(), shares_seed: 2026, trend: 0.0 };
let csv = generate_wave(&codebook, &spec);
let data = dir.join("wave-2026.csv");
std::fs::write(&data, &csv).unwrap();
println!("{} respondents written to {} (seed {})", spec.rows, data.display(), spec.seed);"""),
    ("code", """use invitestat::analysis::AnalysisOptions;
use invitestat::study::analyse_file;
let report = analyse_file(&data, &codebook, AnalysisOptions::default(), None).unwrap();
println!("{}", report.summary());
assert_eq!(report.load.rows_used, 1200);
for c in &report.analysis.comparisons {
    println!("{:<26} {:<26} {:+6.1} points ({:+.1} to {:+.1}), adjusted p = {:.3}",
             c.question, c.option_label, 100.0 * c.difference, 100.0 * c.ci_lower, 100.0 * c.ci_upper, c.p_adjusted.unwrap_or(1.0));
}"""),
    ("md", "The published figures are now checked against real counts: most will not match a new wave, "
           "and the claims are judged on its data."),
    ("code", """for f in &report.analysis.figures {
    println!("{} {:<15} printed {:>4}, wave {:>5.1}% of {:>4} {}", f.figure.label, f.figure.group, f.figure.printed, 100.0 * f.estimate, f.n,
             if f.reproduced { "(same after rounding)" } else { "" });
}
let chart = report.charts().into_iter().find(|c| c.id == "differences").unwrap();
let svg = chart.svg().unwrap();
println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n{svg}\\nEVCXR_END_CONTENT");"""),
]

notebook(study, "notebooks/study.ipynb")
notebook(wave, "notebooks/new-wave.ipynb")
print("wrote notebooks/study.ipynb and notebooks/new-wave.ipynb")
