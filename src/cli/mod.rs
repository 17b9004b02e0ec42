//! The `invitestat` command line: argument parsing (clap) on top of the library.
//! Nothing else in the library depends on this module.

pub use crate::calculator::parse_fraction;
use crate::calculator::{AdjustReport, CiRequest, CompareRequest, PowerRequest};
pub(crate) use crate::calculator::{
    parse_adjustment, parse_alternative, parse_base, parse_ci_method, parse_count, parse_family,
    parse_level, parse_p_value, parse_positive, parse_probability, parse_share, parse_side,
    parse_test, parse_weighted_ci_method, parse_window,
};
use crate::consistency::Rounding;
use crate::printed::{BaseWindow, Share, Side};
use crate::stats::ci::CiMethod;
use crate::stats::multiplicity::Adjustment;
use crate::stats::significance::TestMethod;
use crate::stats::{Alternative, ConfidenceLevel};
use clap::{Args, Parser, Subcommand};
use std::io::Write;

pub mod study;

/// A usage error found after parsing (e.g. more successes than respondents): the
/// binary prints it and exits with status 2, like clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

const ABOUT: &str = "Survey proportions done right: confidence intervals, two-group tests, \
                     multiplicity and power, checked against R and statsmodels.";

/// The top-level command line.
#[derive(Debug, Parser)]
#[command(name = "invitestat", version, about = ABOUT, after_help = TOP_EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

const TOP_EXAMPLES: &str = "Without a subcommand, invitestat writes every report listed in
data/studies.toml (the bundled studies and examples) to reports/, as `run` does.

Examples:
  invitestat run --data data --out reports
  invitestat analyze data/executives-online/responses.csv --codebook data/executives-online/codebook.toml
  invitestat recover 21% 40% 87% 6% 54% 78% --n 50..70
  invitestat ci 52 60
  invitestat compare 52/60 214/340
  invitestat adjust --method holm 0.0005 0.009 0.02 0.04 0.3
  invitestat power --p1 0.87 --p2 0.63 --n1 60 --n2 340";

const CI_EXAMPLES: &str = "Examples:
  invitestat ci 52 60
  invitestat ci 52 60 --method clopper-pearson --confidence-level 0.99
  invitestat ci 0 340 --alternative less --json
  invitestat ci 87% 55..59
  invitestat ci '<1%' '~340' --rounding any --json";

const COMPARE_EXAMPLES: &str =
    "A group is X/N, or a printed figure (87%, 12.5%, <1%) on a base that is
exact (87%/60), a window (87%/55..59) or approximate (87%/~60: 60 +/- 10%). With a
printed figure, every set of counts consistent with both figures (under the rounding
schemes given, and adding up to --total) is evaluated: each quantity's range, and
whether the difference is significant for all, some or none of them.

Examples:
  invitestat compare 87% 63% --n1 55..59 --n2 341..345 --total 400
  invitestat compare 87%/~60 63%/~340 --rounding any --json
  invitestat compare 21%/345 6%/54..59 --family 7
  invitestat compare 52/60 214/340
  invitestat compare 24/60 3/340 --json
  invitestat compare 13/60 177/340 --confidence-level 0.9";

const ADJUST_EXAMPLES: &str = "Examples:
  invitestat adjust --method holm 0.0005 0.009 0.02 0.04 0.3
  invitestat adjust --method bh --json 0.01 0.02 0.03 0.04";

const POWER_EXAMPLES: &str = "Examples:
  invitestat power --p1 0.87 --p2 0.63 --n1 60 --n2 340
  invitestat power --p1 0.73 --p2 0.63 --power 0.8
  invitestat power --p1 0.73 --p2 0.63 --power 0.8 --ratio 5.667 --json
  invitestat power --p2 0.63 --n1 60 --n2 340 --power 0.8";

const RECOVER_EXAMPLES: &str = "Examples:
  invitestat recover 21% 40% 87% 6% 54% 78% --n 50..70
  invitestat recover 21% 40% 87% 6% 54% 78% --n 50..70 --rounding ceiling --json
  invitestat recover '<1%' 63% --n 340";

const ANALYZE_EXAMPLES: &str = "Examples:
  invitestat analyze data/executives-online/responses.csv --codebook data/executives-online/codebook.toml --out report
  invitestat analyze data/executives-online/responses.csv --codebook data/executives-online/codebook.toml --suppress-below 60 --format csv,html --out report
  invitestat analyze data/october-experiment/responses.csv --codebook data/october-experiment/codebook.toml --json";

const TABULATE_EXAMPLES: &str = "Examples:
  invitestat tabulate data/executives-online/responses.csv --codebook data/executives-online/codebook.toml --counts-out counts.json";

const WEIGHT_EXAMPLES: &str = "Examples:
  invitestat weight data/waves-example/wave-1.csv --codebook data/waves-example/codebook.toml --out wave-1-weighted.csv
  invitestat weight data/waves-example/wave-1.csv --codebook data/waves-example/codebook.toml --out weights.csv --weights-only";

const SQL_EXAMPLES: &str = "Examples:
  invitestat sql data/executives-online/codebook.toml --dialect duckdb --table responses
  invitestat sql data/executives-online/codebook.toml --dialect spark --table survey.wave_4";

const MERGE_EXAMPLES: &str = "Examples:
  invitestat generate data/executives-online/codebook.toml --rows 500 --seed 1 --out part-1.csv
  invitestat generate data/executives-online/codebook.toml --rows 500 --seed 2 --out part-2.csv
  invitestat tabulate part-1.csv --codebook data/executives-online/codebook.toml --counts-out shard-1.json
  invitestat tabulate part-2.csv --codebook data/executives-online/codebook.toml --counts-out shard-2.json
  invitestat merge shard-1.json shard-2.json --codebook data/executives-online/codebook.toml";

const WAVES_EXAMPLES: &str = "Examples:
  invitestat waves data/waves-example/wave-1.csv data/waves-example/wave-2.csv data/waves-example/wave-3.csv --codebook data/waves-example/codebook.toml
  invitestat waves data/waves-example/wave-1.csv data/waves-example/wave-2.csv --codebook data/waves-example/codebook.toml --json";

const GENERATE_EXAMPLES: &str = "Examples:
  invitestat generate data/waves-example/codebook.toml --rows 1000 --seed 7 --wave 4";

const CHECK_EXAMPLES: &str =
    "The text is read by documented rules (the sample and group sizes, each
percentage's group and what it measures, majority, ratio and paired claims); each
extraction shows the words it used, and every sentence with a number that was not used
is listed with the reason. The claims are judged from the printed figures alone: over a
reconstruction consistent with every figure and over every count the figures allow.

Examples:
  invitestat check data/executives-online/source.txt
  invitestat check data/october-experiment/source.txt --draft draft.toml
  invitestat check --codebook draft.toml --out report
  invitestat check data/executives-online/source.txt --json";

const INIT_EXAMPLES: &str =
    "The file is read once; each column's distinct values decide what it is (the
respondent id, the weight, the grouping, a yes-no or single-choice question, or left
out as numeric, free text or id-like), with the evidence in a comment. Left-out columns
are ignored by `analyze`, so the draft runs on the file as it is.

Examples:
  invitestat init data/two-groups-example/responses.csv --group first_time
  invitestat init data/three-groups-example/responses.csv --out codebook.toml
  invitestat analyze data/three-groups-example/responses.csv --codebook codebook.toml";

const RECONSTRUCT_EXAMPLES: &str = "Examples:
  invitestat reconstruct data/executives-online/codebook.toml --seed 20141001";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write every report listed in DATA/studies.toml (the default command).
    Run(study::RunArgs),
    /// Analyse a responses file (CSV, workbook or Parquet; any wave) against a codebook
    /// and write the report.
    #[command(after_help = ANALYZE_EXAMPLES)]
    Analyze(study::AnalyzeArgs),
    /// Rebuild respondent rows consistent with a study's published figures.
    #[command(after_help = RECONSTRUCT_EXAMPLES)]
    Reconstruct(study::ReconstructArgs),
    /// Count a responses file into a count table file (shards merge with `merge`).
    #[command(after_help = TABULATE_EXAMPLES)]
    Tabulate(study::TabulateArgs),
    /// Build weights from the codebook's population margins (post-stratification,
    /// raking, calibration) and write them with the responses, or alone.
    #[command(after_help = WEIGHT_EXAMPLES)]
    Weight(study::WeightArgs),
    /// Print the SQL query that counts a codebook's table in an engine (DuckDB, Spark,
    /// PostgreSQL, BigQuery); `merge` reads its result.
    #[command(after_help = SQL_EXAMPLES)]
    Sql(study::SqlArgs),
    /// Merge count tables (from `tabulate` or an SQL GROUP BY) and analyse them.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(study::MergeArgs),
    /// Compare survey waves: change since the previous wave, trends, gap changes (also
    /// on weighted shares when the codebook names a weight column).
    #[command(after_help = WAVES_EXAMPLES)]
    Waves(study::WavesArgs),
    /// Draw a synthetic wave (seeded) for a codebook.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(study::GenerateArgs),
    /// Draft a codebook from a responses file's columns (edit it, then `analyze`).
    #[command(after_help = INIT_EXAMPLES)]
    Init(study::InitArgs),
    /// Read an article's text (or stdin), draft its figures and claims, and judge each
    /// claim from the printed figures alone.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(study::CheckArgs),
    /// Which bases and counts can show a set of printed percentages.
    #[command(after_help = RECOVER_EXAMPLES)]
    Recover(study::RecoverArgs),
    /// Confidence intervals for one proportion X of N, or a printed percentage on a base
    /// (every method unless --method).
    #[command(after_help = CI_EXAMPLES)]
    Ci(CiArgs),
    /// Compare two groups X1/N1 vs X2/N2, or printed percentages on exact, windowed or
    /// approximate bases: difference, risk and odds ratios, every test.
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(Box<CompareArgs>),
    /// Adjust p-values for multiple testing (as R p.adjust), order preserved.
    #[command(after_help = ADJUST_EXAMPLES)]
    Adjust(AdjustArgs),
    /// Power, sample size, or minimum detectable difference for two proportions.
    #[command(after_help = POWER_EXAMPLES)]
    Power(PowerArgs),
}

/// Rounding schemes given as one comma-separated argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roundings(pub Vec<Rounding>);

/// Parses a comma-separated list of rounding schemes, or `any`.
pub(crate) fn parse_roundings(s: &str) -> Result<Roundings, String> {
    crate::calculator::parse_roundings(s).map(Roundings)
}

/// Arguments of `invitestat ci`.
#[derive(Debug, Args)]
pub struct CiArgs {
    /// Successes (respondents giving the answer), or a printed figure such as 87%,
    /// 12.5% or <1% (every count consistent with it is then evaluated).
    #[arg(allow_negative_numbers = true, value_parser = parse_share)]
    pub successes: Share,
    /// Respondents answering (the base): a number, or for a printed figure a window
    /// (55..59) or an approximate base (~60, "almost 60"; see `compare --help`).
    #[arg(allow_negative_numbers = true, value_parser = parse_base)]
    pub n: BaseWindow,
    /// Rounding scheme(s) of a printed figure, comma-separated (half-up, half-down,
    /// half-even, up-or-down, ceiling, floor), or `any` for all six.
    #[arg(long, default_value = "half-up", value_parser = parse_roundings)]
    pub rounding: Roundings,
    /// One method only (wilson, wilson-cc, agresti-coull, jeffreys, clopper-pearson,
    /// mid-p, wald; default: all, preferred first).
    #[arg(long, value_parser = parse_ci_method)]
    pub method: Option<CiMethod>,
    /// Confidence level in (0, 1).
    #[arg(long, default_value = "0.95", value_parser = parse_level, allow_negative_numbers = true)]
    pub confidence_level: ConfidenceLevel,
    /// Two-sided interval, or a one-sided bound.
    #[arg(long, default_value = "two-sided", value_parser = parse_alternative)]
    pub alternative: Alternative,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `invitestat compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Group 1: X1/N1 (52/60), or a printed figure with or without its base (87%,
    /// 87%/60, 87%/55..59, 87%/~60).
    #[arg(value_parser = parse_side)]
    pub first: Side,
    /// Group 2, as group 1.
    #[arg(value_parser = parse_side)]
    pub second: Side,
    /// Group 1's base when not written with it: 60, a window 55..59, or ~60 (60 +/-
    /// 10%, rounded up: 54..66); "almost 60" (54..59), "over 60" (61..66).
    #[arg(long, value_parser = parse_window)]
    pub n1: Option<BaseWindow>,
    /// Group 2's base, as --n1.
    #[arg(long, value_parser = parse_window)]
    pub n2: Option<BaseWindow>,
    /// The sample the two groups make up: n1 + n2 = TOTAL (less up to --slack
    /// respondents who belong to neither, e.g. did not answer the grouping question).
    #[arg(long, value_parser = parse_count)]
    pub total: Option<u64>,
    /// Respondents of the total in neither group.
    #[arg(long, default_value = "0", value_parser = parse_count, requires = "total")]
    pub slack: u64,
    /// Rounding scheme(s) of the printed figures, comma-separated (half-up, half-down,
    /// half-even, up-or-down, ceiling, floor), or `any` for all six.
    #[arg(long, default_value = "half-up", value_parser = parse_roundings)]
    pub rounding: Roundings,
    /// The test that decides the verdict on printed figures.
    #[arg(long, default_value = "fisher", value_parser = parse_test)]
    pub test: TestMethod,
    /// Comparisons the article makes: the verdict uses 1 - level divided by it
    /// (Bonferroni, the one adjustment that needs no other p-values).
    #[arg(long, default_value = "1", value_parser = parse_family)]
    pub family: u64,
    /// Confidence level in (0, 1).
    #[arg(long, default_value = "0.95", value_parser = parse_level, allow_negative_numbers = true)]
    pub confidence_level: ConfidenceLevel,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `invitestat adjust`.
#[derive(Debug, Args)]
pub struct AdjustArgs {
    /// Adjustment method (bonferroni, holm, hochberg, bh, by).
    #[arg(long, value_parser = parse_adjustment)]
    pub method: Adjustment,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The p-values.
    #[arg(required = true, value_parser = parse_p_value, allow_negative_numbers = true)]
    pub p_values: Vec<f64>,
}

/// Arguments of `invitestat power`. Give p1, p2, n1 and n2 for power; p1, p2 and
/// --power for sample size (n2 = ratio * n1); p2, n1, n2 and --power for the minimum
/// detectable difference.
#[derive(Debug, Args)]
pub struct PowerArgs {
    /// Proportion in group 1 under the alternative.
    #[arg(long, value_parser = parse_probability, allow_negative_numbers = true)]
    pub p1: Option<f64>,
    /// Proportion in group 2.
    #[arg(long, value_parser = parse_probability, allow_negative_numbers = true)]
    pub p2: f64,
    /// Group 1 size.
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub n1: Option<f64>,
    /// Group 2 size.
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub n2: Option<f64>,
    /// Target power (solves for sample size or minimum detectable difference).
    #[arg(long, value_parser = parse_probability, allow_negative_numbers = true)]
    pub power: Option<f64>,
    /// n2 / n1 when solving for sample size.
    #[arg(long, default_value = "1", value_parser = parse_positive, allow_negative_numbers = true)]
    pub ratio: f64,
    /// Significance level.
    #[arg(long, default_value = "0.05", value_parser = parse_probability, allow_negative_numbers = true)]
    pub alpha: f64,
    /// Two-sided test, or one-sided.
    #[arg(long, default_value = "two-sided", value_parser = parse_alternative)]
    pub alternative: Alternative,
    /// Print JSON instead of a sentence.
    #[arg(long)]
    pub json: bool,
}

/// `invitestat compare`, answered by [`CompareRequest::answer`].
fn compare(a: CompareArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let request = CompareRequest {
        first: a.first,
        second: a.second,
        n1: a.n1,
        n2: a.n2,
        total: a.total,
        slack: a.slack,
        roundings: a.rounding.0,
        test: a.test,
        family: a.family,
        level: a.confidence_level,
    };
    let answer = request.answer().map_err(|e| UsageError(e.to_string()))?;
    emit(out, a.json, answer.to_json(), answer.to_text())
}

fn emit(
    out: &mut dyn Write,
    json: bool,
    doc: serde_json::Value,
    text: String,
) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}

/// Runs a parsed command line, writing to `out`.
///
/// # Errors
/// [`UsageError`] for arguments that parse but make no sense; I/O errors otherwise.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return study::run(&study::RunArgs::default(), out);
    };
    match command {
        Command::Run(a) => study::run(&a, out),
        Command::Analyze(a) => study::analyze(&a, out),
        Command::Reconstruct(a) => study::reconstruct_cmd(&a, out),
        Command::Recover(a) => study::recover_cmd(&a, out),
        Command::Check(a) => study::check_cmd(&a, out),
        Command::Init(a) => study::init_cmd(&a, out),
        Command::Tabulate(a) => study::tabulate_cmd(&a, out),
        Command::Weight(a) => study::weight_cmd(&a, out),
        Command::Waves(a) => study::waves_cmd(&a, out),
        Command::Generate(a) => study::generate_cmd(&a, out),
        Command::Merge(a) => study::merge_cmd(&a, out),
        Command::Sql(a) => study::sql_cmd(&a, out),
        Command::Ci(a) => {
            let request = CiRequest {
                successes: a.successes,
                base: a.n,
                roundings: a.rounding.0,
                method: a.method,
                level: a.confidence_level,
                alternative: a.alternative,
            };
            let answer = request.answer().map_err(|e| UsageError(e.to_string()))?;
            emit(out, a.json, answer.to_json(), answer.to_text())
        }
        Command::Compare(a) => compare(*a, out),
        Command::Adjust(a) => {
            let report =
                AdjustReport::new(a.p_values, a.method).map_err(|e| UsageError(e.to_string()))?;
            emit(out, a.json, report.to_json(), report.to_text())
        }
        Command::Power(a) => {
            let request = PowerRequest {
                p1: a.p1,
                p2: a.p2,
                n1: a.n1,
                n2: a.n2,
                power: a.power,
                ratio: a.ratio,
                alpha: a.alpha,
                alternative: a.alternative,
            };
            let report = request.answer().map_err(|e| UsageError(e.to_string()))?;
            emit(out, a.json, report.to_json(), report.to_text())
        }
    }
}
