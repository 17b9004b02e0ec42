//! The study subcommands: `run` (the default), `analyze`, `reconstruct`, `recover`.

use super::{UsageError, parse_adjustment, parse_ci_method, parse_test, parse_weighted_ci_method};
use crate::analysis::AnalysisOptions;
use crate::codebook::Codebook;
use crate::consistency::{
    Figure, Rounding, chance_of_fit, counts, expected_chance_hits, recover, smallest_base,
};
use crate::data::LoadSummary;
use crate::data::loader::sha256_hex;
use crate::reconstruct::reconstruct;
use crate::report::Formats;
use crate::stats::ConfidenceLevel;
use crate::stats::ci::CiMethod;
use crate::stats::multiplicity::Adjustment;
use crate::stats::significance::TestMethod;
use crate::stats::weighted::WeightedCiMethod;
use crate::study::{analyse_file, analyse_table, run_bundled, tabulate_file};
use crate::synthetic::{WaveSpec, generate_wave};
use crate::tabulate::{CountTable, CountsFile, read_counts};
use anyhow::Context;
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The bundled studies, in report order.
pub const STUDIES: [&str; 2] = ["executives-online", "october-experiment"];

/// Method choices shared by `run` and `analyze`.
#[derive(Debug, Args, Clone)]
pub struct MethodArgs {
    /// Interval for each proportion (wilson, wilson-cc, agresti-coull, jeffreys,
    /// clopper-pearson, mid-p, wald).
    #[arg(long, default_value = "wilson", value_parser = parse_ci_method)]
    pub ci_method: CiMethod,
    /// Two-group test (fisher, fisher-mid-p, barnard, boschloo, z, chi2, chi2-yates, g,
    /// wald-unpooled).
    #[arg(long, default_value = "fisher", value_parser = parse_test)]
    pub test: TestMethod,
    /// Multiplicity adjustment across the questionnaire (bonferroni, holm, hochberg,
    /// bh, by).
    #[arg(long, default_value = "holm", value_parser = parse_adjustment)]
    pub adjust: Adjustment,
    /// Interval for each weighted share, as R svyciprop's methods (beta, logit,
    /// likelihood, asin, mean) or wilson-effective (Wilson on Kish's effective n).
    #[arg(long, default_value = "beta", value_parser = parse_weighted_ci_method)]
    pub weighted_ci_method: WeightedCiMethod,
    /// Confidence level in (0, 1); the significance level is 1 - level.
    #[arg(long, default_value = "0.95", value_parser = super::parse_level)]
    pub confidence_level: ConfidenceLevel,
}

impl MethodArgs {
    fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            ci_method: self.ci_method,
            test: self.test,
            adjustment: self.adjust,
            weighted_ci_method: self.weighted_ci_method,
            level: self.confidence_level,
            ..AnalysisOptions::default()
        }
    }
}

/// Arguments of `invitestat run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Folder holding one folder per study (codebook.toml, responses.csv).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Folder the reports are written to (one folder per study).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Methods.
    #[command(flatten)]
    pub methods: MethodArgs,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            data: PathBuf::from("data"),
            out: PathBuf::from("reports"),
            methods: MethodArgs {
                ci_method: CiMethod::Wilson,
                test: TestMethod::Fisher,
                adjust: Adjustment::Holm,
                weighted_ci_method: WeightedCiMethod::Beta,
                confidence_level: ConfidenceLevel::NINETY_FIVE,
            },
        }
    }
}

/// Arguments of `invitestat analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Responses CSV (one row per respondent).
    pub responses: PathBuf,
    /// Codebook, outputs and methods.
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// What `analyze`, `merge` and `waves` share: the codebook, where the results go, and
/// the methods.
#[derive(Debug, Args)]
pub struct AnalysisArgs {
    /// The codebook (TOML).
    #[arg(long)]
    pub codebook: PathBuf,
    /// Folder to write the report to.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the results document (JSON) to stdout.
    #[arg(long)]
    pub json: bool,
    /// Outputs to write with --out: a comma-separated list of csv, json, html, md,
    /// png, svg (or all).
    #[arg(long, default_value = "all", value_parser = Formats::parse)]
    pub format: Formats,
    /// Methods.
    #[command(flatten)]
    pub methods: MethodArgs,
}

/// Arguments of `invitestat tabulate`.
#[derive(Debug, Args)]
pub struct TabulateArgs {
    /// Responses CSV.
    pub responses: PathBuf,
    /// The codebook (TOML).
    #[arg(long)]
    pub codebook: PathBuf,
    /// Where to write the count table (JSON).
    #[arg(long)]
    pub counts_out: PathBuf,
}

/// Arguments of `invitestat merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Count files: JSON from `tabulate --counts-out`, or long-format CSV
    /// (question,option,group,count,weight_sum,weight_sq_sum) from a GROUP BY.
    #[arg(required = true)]
    pub counts: Vec<PathBuf>,
    /// Codebook (the one the shards were counted with), outputs and methods.
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// Arguments of `invitestat waves`.
#[derive(Debug, Args)]
pub struct WavesArgs {
    /// One responses file per wave, in order; or one file with the codebook's wave
    /// column.
    #[arg(required = true)]
    pub responses: Vec<PathBuf>,
    /// Codebook, outputs and methods.
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// Arguments of `invitestat generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The codebook (TOML).
    pub codebook: PathBuf,
    /// Respondents.
    #[arg(long)]
    pub rows: usize,
    /// Seed of the respondents' answers.
    #[arg(long)]
    pub seed: u64,
    /// Seed of the groups' answer shares (keep it fixed across waves).
    #[arg(long, default_value = "1")]
    pub shares_seed: u64,
    /// Wave label (also the id prefix).
    #[arg(long, default_value = "1")]
    pub wave: String,
    /// Drift of each question's first answer: its raw share is scaled by 1 + trend.
    #[arg(long, default_value = "0")]
    pub trend: f64,
    /// Share of missing answers.
    #[arg(long, default_value = "0.03")]
    pub missing: f64,
    /// Group shares, comma-separated in codebook order.
    #[arg(long, default_value = "0.15,0.85")]
    pub group_shares: String,
    /// Write here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `invitestat reconstruct`.
#[derive(Debug, Args)]
pub struct ReconstructArgs {
    /// The study's codebook (TOML).
    pub codebook: PathBuf,
    /// Seed for the joint answers (which respondent gives which answer).
    #[arg(long)]
    pub seed: u64,
    /// Write the CSV here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the reconstruction record (rules, sizes, counts, seed) as JSON here.
    #[arg(long)]
    pub record: Option<PathBuf>,
}

/// Arguments of `invitestat recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Printed figures of one group, e.g. 21% 40% 87% 6% 54% 78% (or <1%, 12.5%).
    #[arg(required = true, value_parser = parse_figure)]
    pub figures: Vec<Figure>,
    /// A base (`60`) or a window of bases (`50..70`).
    #[arg(long, value_parser = parse_window)]
    pub n: (u64, u64),
    /// Rounding scheme (half-up, half-down, half-even, up-or-down, ceiling, floor).
    #[arg(long, default_value = "half-up", value_parser = parse_rounding)]
    pub rounding: Rounding,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_figure(s: &str) -> Result<Figure, String> {
    s.parse().map_err(|e: crate::consistency::FigureError| e.to_string())
}

fn parse_rounding(s: &str) -> Result<Rounding, String> {
    Rounding::from_name(s).ok_or_else(|| format!("unknown rounding scheme '{s}'"))
}

fn parse_window(s: &str) -> Result<(u64, u64), String> {
    let num = |t: &str| {
        t.trim().parse::<u64>().map_err(|_| format!("'{s}' is not a base N or a window LO..HI"))
    };
    let (lo, hi) = match s.split_once("..") {
        Some((a, b)) => (num(a)?, num(b.trim_start_matches('='))?),
        None => (num(s)?, num(s)?),
    };
    if lo == 0 || lo > hi || hi > 10_000_000 {
        return Err(format!("'{s}': need 1 <= LO <= HI <= 10000000"));
    }
    Ok((lo, hi))
}

fn data_folder(data: &Path) -> PathBuf {
    if data.exists() || data.is_absolute() {
        data.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(data)
    }
}

/// `invitestat run`: every bundled study, reports written, summary printed.
///
/// # Errors
/// Any study that fails.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let data = data_folder(&args.data);
    for id in STUDIES {
        let folder = data.join(id);
        let report = run_bundled(&folder, args.methods.options())
            .with_context(|| format!("running the study in {}", folder.display()))?;
        let dir = args.out.join(id);
        report.write(&dir, Formats::ALL)?;
        write!(out, "{}", report.summary())?;
        writeln!(out, "  report: {}\n", dir.display())?;
    }
    // The three-wave example.
    let folder = data.join("waves-example");
    let codebook = Codebook::from_path(&folder.join("codebook.toml"))?;
    let files: Vec<PathBuf> = (1..=3).map(|i| folder.join(format!("wave-{i}.csv"))).collect();
    let waves = crate::waves::waves_from_files(&files, &codebook)?;
    let report = crate::waves::compare_waves(&codebook, waves, args.methods.options());
    let dir = args.out.join("waves-example");
    report.write(&dir, Formats::ALL)?;
    write!(out, "{}", report.summary())?;
    writeln!(out, "  report: {}", dir.display())?;
    Ok(())
}

/// `invitestat analyze`.
///
/// # Errors
/// A refused codebook or responses file.
pub fn analyze(args: &AnalyzeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let report = analyse_file(&args.responses, &codebook, args.common.methods.options(), None)?;
    deliver(&report, &args.common, out)
}

/// Writes the report where asked and prints the JSON document or the summary.
fn deliver(
    report: &crate::report::StudyReport,
    common: &AnalysisArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if let Some(dir) = &common.out {
        report.write(dir, common.format)?;
    }
    if common.json {
        write!(out, "{}", report.json())?;
    } else {
        write!(out, "{}", report.summary())?;
        if let Some(dir) = &common.out {
            writeln!(out, "  report: {}", dir.display())?;
        }
    }
    Ok(())
}

/// `invitestat tabulate`.
///
/// # Errors
/// A refused codebook or responses file, or an unwritable output.
pub fn tabulate_cmd(args: &TabulateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.codebook)?;
    let (table, load) = tabulate_file(&args.responses, &codebook)?;
    let file = CountsFile::new(&codebook, load.rows_read, table);
    let text = serde_json::to_string(&file)? + "\n";
    let staging_dir = args.counts_out.with_extension("tmp");
    std::fs::write(&staging_dir, text)
        .with_context(|| format!("writing {}", staging_dir.display()))?;
    std::fs::rename(&staging_dir, &args.counts_out)
        .with_context(|| format!("writing {}", args.counts_out.display()))?;
    writeln!(
        out,
        "{} rows read, {} used; counts written to {}",
        load.rows_read,
        load.rows_used,
        args.counts_out.display()
    )?;
    Ok(())
}

/// `invitestat merge`.
///
/// # Errors
/// A refused codebook or counts file.
pub fn merge_cmd(args: &MergeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let pairs = codebook.paired_questions();
    let mut merged = CountTable::new(&codebook, &pairs);
    let mut bytes = Vec::new();
    for path in &args.counts {
        let table = read_counts(path, &codebook, &pairs)?;
        merged.merge(&table).with_context(|| format!("merging {}", path.display()))?;
        bytes.extend(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
    }
    let load = LoadSummary {
        file: args.counts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" + "),
        rows_read: merged.total(),
        rows_used: merged.total(),
        missing_answers: codebook
            .questions
            .iter()
            .zip(&merged.questions)
            .map(|(q, c)| (q.id.clone(), c.missing.iter().sum()))
            .collect(),
        sha256: sha256_hex(&bytes),
        ..LoadSummary::default()
    };
    let report = analyse_table(&merged, load, &codebook, args.common.methods.options(), None);
    deliver(&report, &args.common, out)
}

/// `invitestat waves`.
///
/// # Errors
/// A refused codebook or responses file.
pub fn waves_cmd(args: &WavesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let waves = if args.responses.len() == 1 {
        if codebook.wave_column.is_none() {
            return Err(UsageError(
                "give one file per wave, or a codebook with a wave column".into(),
            )
            .into());
        }
        crate::waves::waves_from_column(&args.responses[0], &codebook)?
    } else {
        crate::waves::waves_from_files(&args.responses, &codebook)?
    };
    if waves.len() < 2 {
        return Err(
            UsageError(format!("{} holds only one wave", args.responses[0].display())).into()
        );
    }
    let report = crate::waves::compare_waves(&codebook, waves, args.common.methods.options());
    if let Some(dir) = &args.common.out {
        report.write(dir, args.common.format)?;
    }
    if args.common.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.summary())?;
    }
    Ok(())
}

/// `invitestat generate`.
///
/// # Errors
/// A refused codebook, bad shares, or an unwritable output.
pub fn generate_cmd(args: &GenerateArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.codebook)?;
    let shares: Vec<f64> = args
        .group_shares
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| UsageError(format!("--group-shares: '{s}' is not a number")))
        })
        .collect::<Result<_, _>>()?;
    if shares.len() != codebook.grouping.levels.len()
        || shares.iter().any(|s| s.is_nan() || *s < 0.0)
    {
        return Err(UsageError(format!(
            "--group-shares needs {} non-negative numbers",
            codebook.grouping.levels.len()
        ))
        .into());
    }
    if !(0.0..1.0).contains(&args.missing) {
        return Err(UsageError("--missing must be in [0, 1)".into()).into());
    }
    let spec = WaveSpec {
        rows: args.rows,
        seed: args.seed,
        missing: args.missing,
        group_shares: shares,
        wave: args.wave.clone(),
        shares_seed: args.shares_seed,
        trend: args.trend,
    };
    let csv = generate_wave(&codebook, &spec);
    match &args.out {
        Some(path) => {
            std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?
        }
        None => write!(out, "{csv}")?,
    }
    Ok(())
}

/// `invitestat reconstruct`.
///
/// # Errors
/// A refused codebook, or figures that cannot be met.
pub fn reconstruct_cmd(args: &ReconstructArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.codebook)?;
    let r = reconstruct(&codebook, args.seed)?;
    let csv = r.to_csv();
    if let Some(record) = &args.record {
        let text = serde_json::to_string_pretty(&r)? + "\n";
        std::fs::write(record, text).with_context(|| format!("writing {}", record.display()))?;
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?
        }
        None => write!(out, "{csv}")?,
    }
    Ok(())
}

/// `invitestat recover`.
///
/// # Errors
/// Only I/O errors.
pub fn recover_cmd(args: &RecoverArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (lo, hi) = args.n;
    if args.figures.is_empty() {
        return Err(UsageError("give at least one figure".into()).into());
    }
    let candidates =
        recover(&args.figures, lo..=hi, args.rounding).map_err(|e| UsageError(e.to_string()))?;
    if args.json {
        let doc = json!({
            "rounding": args.rounding.name(),
            "figures": args.figures.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
            "window": [lo, hi],
            "candidates": candidates,
            "expected_chance_hits": expected_chance_hits(&args.figures, lo..=hi, args.rounding),
            "smallest_base": smallest_base(&args.figures, args.rounding, 100_000),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    let figs: Vec<String> = args.figures.iter().map(|f| f.text.clone()).collect();
    writeln!(out, "Figures {} under {} rounding, n in {lo}..{hi}", figs.join(" "), args.rounding)?;
    if lo == hi {
        for f in &args.figures {
            let c = counts(f, lo, args.rounding);
            let text = c.map_or("none".to_string(), |r| {
                r.map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
            });
            writeln!(out, "  {:>6}: counts {text}", f.text)?;
        }
    }
    if candidates.is_empty() {
        writeln!(out, "No n in the window reaches every figure.")?;
    }
    for c in &candidates {
        let cells: Vec<String> = c
            .counts
            .iter()
            .map(|k| k.iter().map(u64::to_string).collect::<Vec<_>>().join("/"))
            .collect();
        writeln!(
            out,
            "  n = {:<6} counts {}   (chance of a random fit {:.3})",
            c.n,
            cells.join(", "),
            chance_of_fit(&args.figures, c.n, args.rounding)
        )?;
    }
    writeln!(
        out,
        "Expected chance hits in the window: {:.2}; smallest base overall: {}",
        expected_chance_hits(&args.figures, lo..=hi, args.rounding),
        smallest_base(&args.figures, args.rounding, 100_000)
            .map_or("none below 100000".into(), |n| n.to_string())
    )?;
    Ok(())
}
