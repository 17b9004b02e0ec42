//! The study subcommands: `run` (the default), `analyze`, `reconstruct`, `recover`.

use super::{UsageError, parse_adjustment, parse_ci_method, parse_test, parse_weighted_ci_method};
use crate::analysis::AnalysisOptions;
use crate::calculator::RecoverReport;
use crate::codebook::Codebook;
use crate::consistency::{Figure, Rounding};
use crate::data::LoadOptions;
use crate::data::reconstruct::reconstruct;
use crate::data::synthetic::{SpecError, WaveSpec, write_wave_with};
use crate::report::Formats;
use crate::report::Report;
use crate::report::check::CheckSummary;
use crate::report::output::{Replace, ReportDir, write_file};
use crate::stats::ConfidenceLevel;
use crate::stats::ci::CiMethod;
use crate::stats::multiplicity::Adjustment;
use crate::stats::significance::TestMethod;
use crate::stats::weighted::WeightedCiMethod;
use crate::study::{
    Options, StudyError, analyse_file, analyse_waves, bundled, merge_counts, read_waves, run_one,
};
use crate::tabulate::{CountsFile, tabulate_file};
use anyhow::Context;
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

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
    /// likelihood, asin, mean, xlogit) or wilson-effective (Wilson on Kish's effective n).
    #[arg(long, default_value = "beta", value_parser = parse_weighted_ci_method)]
    pub weighted_ci_method: WeightedCiMethod,
    /// Confidence level in (0, 1); the significance level is 1 - level.
    #[arg(long, default_value = "0.95", value_parser = super::parse_level, allow_negative_numbers = true)]
    pub confidence_level: ConfidenceLevel,
    /// Shares on fewer respondents than this are flagged as resting on a small base.
    #[arg(long, default_value_t = crate::analysis::DEFAULT_MIN_BASE)]
    pub min_base: u64,
    /// Shares whose count (or the count of other answers) is below this are flagged
    /// too (0: no count rule).
    #[arg(long, default_value_t = 0)]
    pub min_count: u64,
    /// Leave out of every output the cells of groups with fewer respondents answering
    /// than this, and whatever would reveal them (totals, comparisons, tests).
    #[arg(long, value_name = "N")]
    pub suppress_below: Option<u64>,
}

impl MethodArgs {
    fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            ci_method: self.ci_method,
            test: self.test,
            adjustment: self.adjust,
            weighted_ci_method: self.weighted_ci_method,
            level: self.confidence_level,
            min_base: self.min_base,
            min_count: self.min_count,
            suppress_below: self.suppress_below,
            ..AnalysisOptions::default()
        }
    }
}

/// Arguments of `invitestat run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Folder holding studies.toml (the reports to write) and one folder per report.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Folder the reports are written to (one folder per study).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Methods.
    #[command(flatten)]
    pub methods: MethodArgs,
    /// Replace earlier reports even if files were added to or changed in them.
    #[arg(long)]
    pub force: bool,
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
                min_base: crate::analysis::DEFAULT_MIN_BASE,
                min_count: 0,
                suppress_below: None,
            },
            force: false,
        }
    }
}

/// Arguments of `invitestat analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Responses file, one row per respondent: CSV, an Excel or OpenDocument workbook
    /// (.xlsx, .xlsm, .xlsb, .xls, .ods: its first sheet), or Parquet (a file, or a
    /// folder of part files).
    pub responses: PathBuf,
    /// How the file is read.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Codebook, outputs and methods.
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// How a responses file is read.
#[derive(Debug, Args, Clone, Copy)]
pub struct ReadArgs {
    /// Field delimiter: one character, or tab (default: a comma).
    #[arg(long, default_value = ",", value_parser = crate::data::loader::parse_delimiter)]
    pub delimiter: u8,
    /// Refuse a file with columns the codebook does not use (by default they are ignored
    /// and listed in the summary).
    #[arg(long)]
    pub strict_columns: bool,
}

impl ReadArgs {
    fn options(self) -> LoadOptions {
        LoadOptions {
            delimiter: self.delimiter,
            strict_columns: self.strict_columns,
            ..LoadOptions::default()
        }
    }
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
    /// Replace an earlier report in --out even if files were added to or changed in it
    /// (a folder that is not an invitestat report is never replaced).
    #[arg(long)]
    pub force: bool,
    /// Methods.
    #[command(flatten)]
    pub methods: MethodArgs,
}

/// Arguments of `invitestat tabulate`.
#[derive(Debug, Args)]
pub struct TabulateArgs {
    /// Responses file (CSV, workbook or Parquet).
    pub responses: PathBuf,
    /// The codebook (TOML).
    #[arg(long)]
    pub codebook: PathBuf,
    /// Where to write the count table (JSON; an earlier count table there is replaced).
    #[arg(long)]
    pub counts_out: PathBuf,
    /// Replace the file even if it is not a count table.
    #[arg(long)]
    pub force: bool,
    /// How the file is read.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Arguments of `invitestat sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The codebook (TOML).
    pub codebook: PathBuf,
    /// The engine: duckdb, spark, postgres or bigquery.
    #[arg(long, value_parser = parse_dialect)]
    pub dialect: crate::tabulate::sql::Dialect,
    /// The table (or any FROM item) holding the responses, every column as text.
    #[arg(long, default_value = "responses")]
    pub table: String,
}

fn parse_dialect(s: &str) -> Result<crate::tabulate::sql::Dialect, String> {
    crate::tabulate::sql::Dialect::from_name(s).ok_or_else(|| {
        format!(
            "unknown dialect '{}' (expected duckdb, spark, postgres or bigquery)",
            crate::format::echo(s)
        )
    })
}

/// Arguments of `invitestat weight`.
#[derive(Debug, Args)]
pub struct WeightArgs {
    /// Responses file (CSV, workbook, Parquet, SPSS or Stata).
    pub responses: PathBuf,
    /// The codebook, with a `[weighting]` table.
    #[arg(long)]
    pub codebook: PathBuf,
    /// Where to write the weighted file (CSV): every column of the responses and the
    /// calibrated weight (and replicate weights) at the end.
    #[arg(long)]
    pub out: PathBuf,
    /// Write only the respondent id and the calibrated weights.
    #[arg(long)]
    pub weights_only: bool,
    /// Name of the weight column written (replicates get `_1`, `_2`, ... after it).
    #[arg(long, default_value = "calibrated_weight")]
    pub column: String,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// How the file is read.
    #[command(flatten)]
    pub read: ReadArgs,
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
    /// How the files are read.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Codebook, outputs and methods.
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// Arguments of `invitestat generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The codebook (TOML).
    pub codebook: PathBuf,
    /// Respondents (at most 1,000,000,000).
    #[arg(long, value_parser = parse_rows)]
    pub rows: u64,
    /// Seed of the respondents' answers.
    #[arg(long)]
    pub seed: u64,
    /// Seed of the groups' answer shares (keep it fixed across waves).
    #[arg(long, default_value = "1")]
    pub shares_seed: u64,
    /// Wave label (also the id prefix).
    #[arg(long, default_value = "1")]
    pub wave: String,
    /// Drift of each question's first answer: its raw share is scaled by 1 + trend
    /// (above -1).
    #[arg(long, default_value = "0", allow_negative_numbers = true)]
    pub trend: f64,
    /// Share of missing answers, in [0, 1).
    #[arg(long, default_value = "0.03", allow_negative_numbers = true)]
    pub missing: f64,
    /// Group shares, comma-separated in codebook order.
    #[arg(long, default_value = "0.15,0.85")]
    pub group_shares: String,
    /// Strata drawn for a codebook with a `[design]`.
    #[arg(long, default_value = "4")]
    pub strata: usize,
    /// Clusters drawn in each stratum for a codebook with clusters or replicate weights
    /// (replicate weights are a bootstrap of these clusters).
    #[arg(long, default_value = "8")]
    pub clusters: usize,
    /// Write here instead of stdout (a new file, unless --force).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Most rows `generate` draws.
pub const MAX_GENERATED_ROWS: u64 = 1_000_000_000;

fn parse_rows(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if (1..=MAX_GENERATED_ROWS).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{}' is not a number of rows from 1 to {MAX_GENERATED_ROWS}",
            crate::format::echo(s)
        )),
    }
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
    /// Replace the --out and --record files if they exist.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `invitestat init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The responses file (CSV, workbook or Parquet).
    pub responses: PathBuf,
    /// The column of the groups compared (default: the first with 2 to 10 values).
    #[arg(long)]
    pub group: Option<String>,
    /// The weight column (default: one named weight, weights, wt or w, if positive).
    #[arg(long)]
    pub weight: Option<String>,
    /// The respondent id column (default: the first whose values are all distinct).
    #[arg(long)]
    pub id: Option<String>,
    /// Write the codebook here instead of stdout (never over an existing file unless
    /// --force).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// How the file is read.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// `invitestat init`.
///
/// # Errors
/// An unreadable or malformed file, a named column it lacks, an unwritable output.
pub fn init_cmd(args: &InitArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let options = crate::data::init::InitOptions {
        group: args.group.clone(),
        weight: args.weight.clone(),
        id: args.id.clone(),
        load: args.read.options(),
    };
    let toml = crate::data::init::draft_codebook(&args.responses, &options)?;
    match &args.out {
        Some(path) => {
            let replace = if args.force { Replace::Force } else { Replace::Never };
            write_file(path, &[&args.responses], replace, |w| w.write_all(toml.as_bytes()))?;
        }
        None => out.write_all(toml.as_bytes())?,
    }
    Ok(())
}

/// Arguments of `invitestat check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The article's text (UTF-8), or - to read it from stdin.
    #[arg(required_unless_present = "codebook")]
    pub text: Option<PathBuf>,
    /// Judge this codebook (a corrected draft) instead of reading a text.
    #[arg(long, conflicts_with = "text")]
    pub codebook: Option<PathBuf>,
    /// Write the draft codebook (figures and claims with their quotes) here.
    #[arg(long)]
    pub draft: Option<PathBuf>,
    /// Write the full report (tables, charts, the reconstruction) to this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of the reconstruction the claims are judged on (it decides only the joint
    /// answers across questions).
    #[arg(long, default_value_t = crate::study::CHECK_SEED)]
    pub seed: u64,
    /// Confidence level in (0, 1) of the verdicts.
    #[arg(long, default_value = "0.95", value_parser = super::parse_level, allow_negative_numbers = true)]
    pub confidence_level: ConfidenceLevel,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Replace the --draft file or the --out folder if they exist.
    #[arg(long)]
    pub force: bool,
}

use crate::article::MAX_TEXT_BYTES;

/// Reads the article's text from a file or stdin, refusing what is not UTF-8 text.
fn read_text(path: &Path) -> anyhow::Result<(String, String)> {
    let (bytes, name) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().take(MAX_TEXT_BYTES + 1).read_to_end(&mut bytes)?;
        (bytes, "stdin".to_string())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut bytes = Vec::new();
        file.take(MAX_TEXT_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        (bytes, path.display().to_string())
    };
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        anyhow::bail!("{name}: more than {MAX_TEXT_BYTES} bytes; expected an article's text");
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, name)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            anyhow::bail!(
                "{name}, line {line} (byte {at}): not UTF-8 text; expected the article as UTF-8"
            )
        }
    }
}

/// `invitestat check`.
///
/// # Errors
/// An unreadable text or codebook, an unwritable output, or claims that cannot be
/// judged (nothing read, or figures no data can show): the reading is printed first.
pub fn check_cmd(args: &CheckArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let options = AnalysisOptions { level: args.confidence_level, ..AnalysisOptions::default() };
    let level = crate::format::level(args.confidence_level.value());
    let replace = if args.force { Replace::Force } else { Replace::Never };
    if let Some(path) = &args.codebook {
        let codebook = Codebook::from_path(path)?;
        let dir = match &args.out {
            Some(t) => Some(ReportDir::create(t, &[path], args.force)?),
            None => None,
        };
        let report = crate::study::reproduce(&codebook, args.seed, options)?;
        return deliver_to(&report, dir, Formats::ALL, args.json, args.out.as_deref(), out);
    }
    let source = args.text.as_deref().unwrap_or(Path::new("-"));
    let (text, name) = read_text(source)?;
    let reading = crate::article::read(&text, &name);
    let dir = match &args.out {
        Some(t) => Some(ReportDir::create(t, &[source], args.force)?),
        None => None,
    };
    if let Some(draft) = &args.draft {
        let toml = reading.to_toml();
        write_file(draft, &[source], replace, |w| w.write_all(toml.as_bytes()))?;
    }
    let judged =
        crate::study::check_reading(&reading, args.seed, options).map_err(|e| e.to_string());
    let summary = CheckSummary {
        reading: &reading,
        verdicts: judged.as_ref().map(|r| r.claims.as_slice()).map_err(String::as_str),
        seed: args.seed,
        level: &level,
    };
    if args.json {
        let doc = serde_json::to_string_pretty(&summary.to_json())?;
        writeln!(out, "{}", crate::report::escape::json(&doc))?;
    } else {
        write!(out, "{}", summary.to_text())?;
        if let Some(d) = &args.draft {
            writeln!(out, "Draft codebook: {}", d.display())?;
        }
    }
    match judged {
        Ok(report) => {
            if let Some(mut dir) = dir {
                report.write(&mut dir, Formats::ALL)?;
                dir.commit()?;
                if !args.json {
                    writeln!(
                        out,
                        "Report: {}",
                        args.out.as_deref().unwrap_or(Path::new("")).display()
                    )?;
                }
            }
            Ok(())
        }
        Err(e) => anyhow::bail!("{name}: the claims could not be judged: {e}"),
    }
}

/// Arguments of `invitestat recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// Printed figures of one group, e.g. 21% 40% 87% 6% 54% 78% (or <1%, 12.5%).
    #[arg(required = true, value_parser = crate::calculator::parse_figure)]
    pub figures: Vec<Figure>,
    /// A base (`60`) or a window of bases (`50..70`).
    #[arg(long, value_parser = crate::calculator::parse_recover_window)]
    pub n: (u64, u64),
    /// Rounding scheme (half-up, half-down, half-even, up-or-down, ceiling, floor).
    #[arg(long, default_value = "half-up", value_parser = crate::calculator::parse_rounding)]
    pub rounding: Rounding,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `invitestat run`: every report listed in `data/studies.toml`, written and its
/// summary printed. Every report is staged before any is replaced.
///
/// # Errors
/// Any report that fails, or a report folder that cannot be replaced safely.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let data = &args.data;
    let mut staged = Vec::new();
    let mut text = String::new();
    for entry in bundled(data)? {
        let folder = data.join(&entry.folder);
        let report = run_one(data, &entry, args.methods.options())
            .with_context(|| format!("running the report of {}", folder.display()))?;
        let target = args.out.join(&entry.folder);
        let mut dir = ReportDir::create(&target, &[&folder], args.force)?;
        report.write(&mut dir, Formats::ALL)?;
        staged.push(dir);
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&report.summary());
        text.push_str(&format!("  report: {}\n", target.display()));
    }
    for dir in staged {
        dir.commit()?;
    }
    write!(out, "{text}")?;
    Ok(())
}

/// `invitestat analyze`.
///
/// # Errors
/// A refused codebook or responses file.
pub fn analyze(args: &AnalyzeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let dir = open_report(&args.common, &[&args.responses])?;
    let options = Options { analysis: args.common.methods.options(), load: args.read.options() };
    let report = analyse_file(&args.responses, &codebook, &options)?;
    deliver(&report, &args.common, dir, out)
}

/// The report folder of `--out`, checked before any work is done.
fn open_report(common: &AnalysisArgs, inputs: &[&Path]) -> anyhow::Result<Option<ReportDir>> {
    let Some(target) = &common.out else { return Ok(None) };
    let mut all: Vec<&Path> = inputs.to_vec();
    all.push(&common.codebook);
    Ok(Some(ReportDir::create(target, &all, common.force)?))
}

/// Writes the report where asked (in the `--format`s asked for) and prints the JSON
/// document or the summary: the one ending of `analyze`, `merge` and `waves`.
fn deliver(
    report: &Report,
    common: &AnalysisArgs,
    dir: Option<ReportDir>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    deliver_to(report, dir, common.format, common.json, common.out.as_deref(), out)
}

/// Writes `report` into `dir` (at `target`) in `formats` and prints its JSON document
/// or its summary.
fn deliver_to(
    report: &Report,
    dir: Option<ReportDir>,
    formats: Formats,
    json: bool,
    target: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if let Some(mut dir) = dir {
        report.write(&mut dir, formats)?;
        dir.commit()?;
    }
    if json {
        write!(out, "{}", report.json())?;
    } else {
        write!(out, "{}", report.summary())?;
        if let Some(dir) = target {
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
    let (table, load) = tabulate_file(&args.responses, &codebook, args.read.options(), None)?;
    let file = CountsFile::new(&codebook, load.rows_read, load.excluded.clone(), table);
    let text = serde_json::to_string(&file)? + "\n";
    let replace = if args.force {
        Replace::Force
    } else {
        Replace::IfStartsWith(crate::tabulate::COUNTS_TAG)
    };
    write_file(&args.counts_out, &[&args.responses, &args.codebook], replace, |w| {
        w.write_all(text.as_bytes())
    })?;
    writeln!(
        out,
        "{} rows read, {} used; counts written to {}",
        load.rows_read,
        load.rows_used,
        args.counts_out.display()
    )?;
    Ok(())
}

/// `invitestat weight`.
///
/// # Errors
/// Prints the SQL query that computes the codebook's count table in an engine.
///
/// # Errors
/// A refused codebook, or one with a design or weighting (see
/// [`crate::tabulate::sql::count_query`]).
pub fn sql_cmd(args: &SqlArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.codebook)?;
    let sql = crate::tabulate::sql::count_query(&codebook, args.dialect, &args.table)
        .map_err(|e| UsageError(format!("{}: {e}", args.codebook.display())))?;
    out.write_all(sql.as_bytes())?;
    Ok(())
}

/// A refused codebook or responses file, weights that cannot be calibrated, a weight
/// column name the file already has, or an output that may not be written.
pub fn weight_cmd(args: &WeightArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.codebook)?;
    if codebook.weighting.is_none() {
        return Err(UsageError(format!(
            "{}: declares no [weighting]; expected margins to weight to (docs/codebook.md, \"[weighting]\")",
            args.codebook.display()
        ))
        .into());
    }
    let options = args.read.options();
    let converted = crate::data::convert::open(&args.responses)?;
    let csv_path: &Path = converted.as_ref().map_or(args.responses.as_path(), |c| &c.csv);
    let locate = |e: crate::data::LoadError| match &converted {
        Some(c) => c.locate(e, &args.responses),
        None => e,
    };
    let (rows, summary) =
        crate::data::weighting::row_weights(csv_path, &codebook, options).map_err(locate)?;
    let replicates = rows.first().map_or(0, |r| r.replicates.len());
    let mut names = vec![args.column.clone()];
    names.extend((1..=replicates).map(|i| format!("{}_{i}", args.column)));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_path(csv_path)
        .with_context(|| format!("{}: cannot read", args.responses.display()))?;
    let mut records = reader.byte_records();
    let header = records
        .next()
        .transpose()
        .with_context(|| format!("{}: cannot read", args.responses.display()))?
        .unwrap_or_default();
    let id_col = header
        .iter()
        .position(|h| {
            let h = h.trim_ascii();
            h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h) == codebook.id_column.as_bytes()
        })
        .unwrap_or(0);
    if let Some(n) = names.iter().find(|n| header.iter().any(|h| h.trim_ascii() == n.as_bytes())) {
        return Err(UsageError(format!(
            "{}: already has a column '{}'; expected a new name for the weights (--column)",
            args.responses.display(),
            crate::format::echo(n)
        ))
        .into());
    }
    let number = |v: f64| format!("{v}");
    let inputs = [args.responses.as_path(), args.codebook.as_path()];
    let replace = if args.force { Replace::Force } else { Replace::Never };
    write_file(&args.out, &inputs, replace, |w| {
        let mut csv_out = csv::WriterBuilder::new().flexible(true).from_writer(w);
        let head: Vec<&[u8]> = if args.weights_only {
            vec![codebook.id_column.as_bytes()]
        } else {
            header.iter().collect()
        };
        csv_out.write_record(head.into_iter().chain(names.iter().map(|n| n.as_bytes())))?;
        let mut next = rows.iter().peekable();
        for (i, record) in records.enumerate() {
            let record = record.map_err(std::io::Error::other)?;
            let row = i as u64 + 1;
            let weights: Vec<String> = match next.peek() {
                Some(r) if r.row == row => next.next().map_or_else(Vec::new, |r| {
                    std::iter::once(r.weight)
                        .chain(r.replicates.iter().copied())
                        .map(number)
                        .collect()
                }),
                _ if args.weights_only => continue,
                _ => vec![String::new(); names.len()],
            };
            let cells: Vec<&[u8]> = if args.weights_only {
                vec![record.get(id_col).unwrap_or_default().trim_ascii()]
            } else {
                record.iter().collect()
            };
            csv_out.write_record(cells.into_iter().chain(weights.iter().map(|s| s.as_bytes())))?;
        }
        csv_out.flush()
    })?;
    for w in &summary.weighting {
        writeln!(
            out,
            "{}{}: {} respondents in {} cells, {} iteration(s); factors {} to {}; weighting efficiency {} (design effect of the weights {})",
            w.method,
            w.wave.as_ref().map_or(String::new(), |l| format!(" (wave {l})")),
            w.respondents,
            w.cells,
            w.iterations,
            crate::format::factor(w.factor_min),
            crate::format::factor(w.factor_max),
            crate::format::share(w.efficiency),
            crate::format::design_effect(w.deff_weights),
        )?;
    }
    writeln!(
        out,
        "{} rows read, {} weighted; written to {}",
        summary.rows_read,
        rows.len(),
        args.out.display()
    )?;
    Ok(())
}

/// `invitestat merge`.
///
/// # Errors
/// A refused codebook or counts file, the same shard twice, or a merged table that
/// does not fit the codebook.
pub fn merge_cmd(args: &MergeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let inputs: Vec<&Path> = args.counts.iter().map(PathBuf::as_path).collect();
    let dir = open_report(&args.common, &inputs)?;
    let report = merge_counts(&args.counts, &codebook, args.common.methods.options()).map_err(
        |e| match e {
            StudyError::SameShard { .. } => UsageError(e.to_string()).into(),
            e => anyhow::Error::from(e),
        },
    )?;
    deliver(&report, &args.common, dir, out)
}

/// `invitestat waves`.
///
/// # Errors
/// A refused codebook or responses file, or fewer than two waves.
pub fn waves_cmd(args: &WavesArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let codebook = Codebook::from_path(&args.common.codebook)?;
    let inputs: Vec<&Path> = args.responses.iter().map(PathBuf::as_path).collect();
    let dir = open_report(&args.common, &inputs)?;
    let waves =
        read_waves(&args.responses, &codebook, args.read.options()).map_err(|e| match e {
            StudyError::NoWaveColumn(_) | StudyError::OneWave(_) => {
                UsageError(e.to_string()).into()
            }
            e => anyhow::Error::from(e),
        })?;
    let report = analyse_waves(waves, &codebook, args.common.methods.options());
    deliver(&report, &args.common, dir, out)
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
            s.trim().parse::<f64>().map_err(|_| {
                UsageError(format!("--group-shares: '{}' is not a number", crate::format::echo(s)))
            })
        })
        .collect::<Result<_, _>>()?;
    let spec = WaveSpec {
        rows: args.rows,
        seed: args.seed,
        missing: args.missing,
        group_shares: shares,
        wave: args.wave.clone(),
        shares_seed: args.shares_seed,
        trend: args.trend,
    };
    let layout = crate::data::synthetic::Layout { strata: args.strata, clusters: args.clusters };
    spec.check(&codebook).and_then(|()| layout.check()).map_err(|e| {
        let flag = match e {
            SpecError::GroupShares { .. } => "--group-shares",
            SpecError::Missing(_) => "--missing",
            SpecError::Trend(_) => "--trend",
            SpecError::Layout { .. } => "--strata/--clusters",
        };
        UsageError(format!("{flag}: {e}"))
    })?;
    match &args.out {
        Some(path) => {
            let replace = if args.force { Replace::Force } else { Replace::Never };
            write_file(path, &[&args.codebook], replace, |w| {
                write_wave_with(&codebook, &spec, layout, w)
            })?;
            writeln!(
                out,
                "{} rows written to {} (seed {}, shares seed {})",
                spec.rows,
                path.display(),
                spec.seed,
                spec.shares_seed
            )?;
        }
        None => write_wave_with(&codebook, &spec, layout, out)?,
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
    let replace = if args.force { Replace::Force } else { Replace::Never };
    if let Some(record) = &args.record {
        let text = serde_json::to_string_pretty(&r)? + "\n";
        write_file(record, &[&args.codebook], replace, |w| w.write_all(text.as_bytes()))?;
    }
    match &args.out {
        Some(path) => write_file(path, &[&args.codebook], replace, |w| r.write_csv(w))?,
        None => r.write_csv(out)?,
    }
    Ok(())
}

/// `invitestat recover`.
///
/// # Errors
/// Only I/O errors.
pub fn recover_cmd(args: &RecoverArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let report = RecoverReport::new(args.figures.clone(), args.n, args.rounding)
        .map_err(|e| UsageError(e.to_string()))?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report.to_json())?)?;
    } else {
        write!(out, "{}", report.to_text())?;
    }
    Ok(())
}
