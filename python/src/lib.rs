//! The native half of invitestat's Python package (`invitestat._native`): thin
//! bindings over the same library calls as the command line, taking what the command
//! line takes (its option texts, so the messages are the same) and returning the same
//! JSON documents. The Python half (`python/invitestat/__init__.py`) gives them Python
//! signatures, docstrings and types.
//!
//! Data frames arrive through the Arrow PyCapsule interface (`__arrow_c_stream__`,
//! pandas >= 2.2, polars >= 1.3, pyarrow): their record batches are read in place by
//! [`table::ArrowTable`], never written out as CSV.

mod table;

use invitestat::Codebook;
use invitestat::analysis::AnalysisOptions;
use invitestat::calculator::{
    AdjustReport, CiRequest, CompareRequest, PowerRequest, RecoverReport, parse_adjustment,
    parse_alternative, parse_base, parse_ci_method, parse_family, parse_figure, parse_level,
    parse_p_value, parse_positive, parse_probability, parse_recover_window, parse_rounding,
    parse_roundings, parse_share, parse_side, parse_test, parse_weighted_ci_method, parse_window,
};
use invitestat::data::LoadOptions;
use invitestat::data::loader::parse_delimiter;
use invitestat::report::output::{Replace, ReportDir, write_file};
use invitestat::report::{Formats, Report};
use invitestat::study::{Options, analyse_data_set, analyse_waves, merge_counts, read_wave_sets};
use invitestat::tabulate::{COUNTS_TAG, CountsFile, DataSet, ResponsesFile, file_labels};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

create_exception!(
    invitestat,
    InvitestatError,
    PyException,
    "A refused input or request: the message is the one the command line prints."
);

fn refuse(message: impl std::fmt::Display) -> PyErr {
    InvitestatError::new_err(message.to_string())
}

/// An option as the command line reads it, its message prefixed with the keyword.
fn option<T>(
    text: Option<&str>,
    keyword: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> PyResult<Option<T>> {
    text.map(|t| parse(t).map_err(|e| refuse(format!("{keyword}: {e}")))).transpose()
}

/// A required option.
fn required<T>(
    text: &str,
    keyword: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> PyResult<T> {
    parse(text).map_err(|e| refuse(format!("{keyword}: {e}")))
}

/// An optional number, checked as the command line checks its text.
fn number<T>(
    value: Option<f64>,
    keyword: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> PyResult<Option<T>> {
    option(value.map(|v| v.to_string()).as_deref(), keyword, parse)
}

/// `invitestat ci SUCCESSES BASE --json`.
#[pyfunction]
#[pyo3(signature = (successes, base, rounding, method, level, alternative))]
fn ci(
    successes: &str,
    base: &str,
    rounding: &str,
    method: Option<&str>,
    level: f64,
    alternative: &str,
) -> PyResult<String> {
    let mut request = CiRequest::new(
        required(successes, "successes", parse_share)?,
        required(base, "n", parse_base)?,
    );
    request.roundings = required(rounding, "rounding", parse_roundings)?;
    request.method = option(method, "method", parse_ci_method)?;
    request.level = required(&level.to_string(), "level", parse_level)?;
    request.alternative = required(alternative, "alternative", parse_alternative)?;
    let answer = request.answer().map_err(refuse)?;
    Ok(answer.to_json().to_string())
}

/// `invitestat compare FIRST SECOND --json`.
#[pyfunction]
#[pyo3(signature = (first, second, n1, n2, total, slack, rounding, test, family, level))]
#[allow(clippy::too_many_arguments)]
fn compare(
    first: &str,
    second: &str,
    n1: Option<&str>,
    n2: Option<&str>,
    total: Option<u64>,
    slack: u64,
    rounding: &str,
    test: &str,
    family: u64,
    level: f64,
) -> PyResult<String> {
    let mut request = CompareRequest::new(
        required(first, "first", parse_side)?,
        required(second, "second", parse_side)?,
    );
    request.n1 = option(n1, "n1", parse_window)?;
    request.n2 = option(n2, "n2", parse_window)?;
    request.total = total;
    if slack > 0 && total.is_none() {
        return Err(refuse("slack: needs a total"));
    }
    request.slack = slack;
    request.roundings = required(rounding, "rounding", parse_roundings)?;
    request.test = required(test, "test", parse_test)?;
    request.family = required(&family.to_string(), "family", parse_family)?;
    request.level = required(&level.to_string(), "level", parse_level)?;
    let answer = request.answer().map_err(refuse)?;
    Ok(answer.to_json().to_string())
}

/// `invitestat adjust --method METHOD P... --json`.
#[pyfunction]
fn adjust(pvalues: Vec<f64>, method: &str) -> PyResult<String> {
    let method = required(method, "method", parse_adjustment)?;
    if pvalues.is_empty() {
        return Err(refuse("pvalues: give at least one p-value"));
    }
    let checked = pvalues
        .iter()
        .map(|p| required(&p.to_string(), "pvalues", parse_p_value))
        .collect::<PyResult<Vec<f64>>>()?;
    let report = AdjustReport::new(checked, method).map_err(refuse)?;
    Ok(report.to_json().to_string())
}

/// `invitestat power ... --json`.
#[pyfunction]
#[pyo3(signature = (p1, p2, n1, n2, power, ratio, alpha, alternative))]
#[allow(clippy::too_many_arguments)]
fn power(
    p1: Option<f64>,
    p2: f64,
    n1: Option<f64>,
    n2: Option<f64>,
    power: Option<f64>,
    ratio: f64,
    alpha: f64,
    alternative: &str,
) -> PyResult<String> {
    let request = PowerRequest {
        p1: number(p1, "p1", parse_probability)?,
        p2: required(&p2.to_string(), "p2", parse_probability)?,
        n1: number(n1, "n1", parse_positive)?,
        n2: number(n2, "n2", parse_positive)?,
        power: number(power, "power", parse_probability)?,
        ratio: required(&ratio.to_string(), "ratio", parse_positive)?,
        alpha: required(&alpha.to_string(), "alpha", parse_probability)?,
        alternative: required(alternative, "alternative", parse_alternative)?,
    };
    Ok(request.answer().map_err(refuse)?.to_json().to_string())
}

/// `invitestat recover FIGURE... --n N --rounding ROUNDING --json`.
#[pyfunction]
fn recover(figures: Vec<String>, n: &str, rounding: &str) -> PyResult<String> {
    let figures = figures
        .iter()
        .map(|f| required(f, "figures", parse_figure))
        .collect::<PyResult<Vec<_>>>()?;
    let window = required(n, "n", parse_recover_window)?;
    let rounding = required(rounding, "rounding", parse_rounding)?;
    let report = RecoverReport::new(figures, window, rounding).map_err(refuse)?;
    Ok(report.to_json().to_string())
}

/// The methods of `analyze`, `merge` and `waves`, as their options read them.
#[derive(FromPyObject)]
struct Methods {
    ci_method: String,
    test: String,
    adjust: String,
    weighted_ci_method: String,
    level: f64,
    min_base: u64,
    min_count: u64,
    suppress_below: Option<u64>,
}

impl Methods {
    fn options(&self) -> PyResult<AnalysisOptions> {
        Ok(AnalysisOptions {
            ci_method: required(&self.ci_method, "ci_method", parse_ci_method)?,
            test: required(&self.test, "test", parse_test)?,
            adjustment: required(&self.adjust, "adjust", parse_adjustment)?,
            weighted_ci_method: required(
                &self.weighted_ci_method,
                "weighted_ci_method",
                parse_weighted_ci_method,
            )?,
            level: required(&self.level.to_string(), "level", parse_level)?,
            min_base: self.min_base,
            min_count: self.min_count,
            suppress_below: self.suppress_below,
            ..AnalysisOptions::default()
        })
    }
}

/// Where a report goes: a folder (created or replaced as `--out` does), the formats
/// and `--force`.
#[derive(FromPyObject)]
struct Output {
    out: Option<PathBuf>,
    formats: String,
    force: bool,
}

/// Responses: a path, or a data frame's Arrow stream.
enum Data {
    File(ResponsesFile),
    Table(table::ArrowTable),
}

impl Data {
    fn read(data: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        if data.hasattr("__arrow_c_stream__")? {
            return table::ArrowTable::from_stream(data, name).map(Data::Table);
        }
        let path: PathBuf = data.extract().map_err(|_| {
            refuse(format!(
                "data: expected a path or a data frame with __arrow_c_stream__ (pandas >= 2.2, polars >= 1.3, pyarrow); got {}",
                data.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        })?;
        Ok(Data::File(ResponsesFile(path)))
    }

    fn set(&self) -> &dyn DataSet {
        match self {
            Data::File(f) => f,
            Data::Table(t) => t,
        }
    }

    /// The file it was read from, if any (an output may not overwrite it).
    fn path(&self) -> Option<&Path> {
        match self {
            Data::File(f) => Some(&f.0),
            Data::Table(_) => None,
        }
    }
}

/// The report as Python receives it: its JSON document, its summary, and each CSV
/// table (name, text).
type Delivered = (String, String, Vec<(String, String)>);

/// Writes `report` where `output` says (after checking the folder before any work, as
/// the command line does) and hands it back.
fn deliver(report: &Report, dir: Option<ReportDir>, formats: Formats) -> PyResult<Delivered> {
    if let Some(mut dir) = dir {
        report.write(&mut dir, formats).map_err(refuse)?;
        dir.commit().map_err(refuse)?;
    }
    let tables = invitestat::report::csv::files(report).map_err(refuse)?;
    Ok((report.json(), report.summary(), tables))
}

fn open_report(output: &Output, inputs: &[&Path]) -> PyResult<(Option<ReportDir>, Formats)> {
    let formats = required(&output.formats, "formats", Formats::parse)?;
    let dir = match &output.out {
        Some(target) => Some(ReportDir::create(target, inputs, output.force).map_err(refuse)?),
        None => None,
    };
    Ok((dir, formats))
}

fn load_options(delimiter: &str, strict_columns: bool) -> PyResult<LoadOptions> {
    Ok(LoadOptions {
        delimiter: required(delimiter, "delimiter", parse_delimiter)?,
        strict_columns,
        ..LoadOptions::default()
    })
}

fn codebook(path: &Path) -> PyResult<Codebook> {
    Codebook::from_path(path).map_err(refuse)
}

/// `invitestat analyze DATA --codebook CODEBOOK [--out OUT]`, on a file or a data frame.
#[pyfunction]
#[pyo3(signature = (data, codebook_path, name, methods, output, delimiter, strict_columns))]
#[allow(clippy::too_many_arguments)]
fn analyze(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    codebook_path: PathBuf,
    name: &str,
    methods: Methods,
    output: Output,
    delimiter: &str,
    strict_columns: bool,
) -> PyResult<Delivered> {
    let codebook = codebook(&codebook_path)?;
    let data = Data::read(data, name)?;
    let mut inputs: Vec<&Path> = data.path().into_iter().collect();
    inputs.push(&codebook_path);
    let (dir, formats) = open_report(&output, &inputs)?;
    let options =
        Options { analysis: methods.options()?, load: load_options(delimiter, strict_columns)? };
    py.detach(|| {
        let report = analyse_data_set(data.set(), &codebook, &options).map_err(refuse)?;
        deliver(&report, dir, formats)
    })
}

/// `invitestat waves DATA... --codebook CODEBOOK`, on files or data frames.
#[pyfunction]
#[pyo3(signature = (data, labels, codebook_path, names, methods, output, delimiter, strict_columns))]
#[allow(clippy::too_many_arguments)]
fn waves(
    py: Python<'_>,
    data: Vec<Bound<'_, PyAny>>,
    labels: Option<Vec<String>>,
    codebook_path: PathBuf,
    names: Vec<String>,
    methods: Methods,
    output: Output,
    delimiter: &str,
    strict_columns: bool,
) -> PyResult<Delivered> {
    let codebook = codebook(&codebook_path)?;
    let sets = data
        .iter()
        .zip(names.iter().map(String::as_str).chain(std::iter::repeat("DataFrame")))
        .map(|(d, n)| Data::read(d, n))
        .collect::<PyResult<Vec<Data>>>()?;
    let paths: Vec<PathBuf> = sets.iter().filter_map(Data::path).map(Path::to_path_buf).collect();
    let labels = match labels {
        Some(l) if l.len() == sets.len() => l,
        Some(l) => {
            return Err(refuse(format!(
                "labels: {} labels for {} waves; expected one per wave",
                l.len(),
                sets.len()
            )));
        }
        None if paths.len() == sets.len() => file_labels(&paths),
        None => (1..=sets.len()).map(|i| i.to_string()).collect(),
    };
    let mut inputs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    inputs.push(&codebook_path);
    let (dir, formats) = open_report(&output, &inputs)?;
    let options = load_options(delimiter, strict_columns)?;
    let analysis = methods.options()?;
    py.detach(|| {
        let set_refs: Vec<&dyn DataSet> = sets.iter().map(Data::set).collect();
        let waves = read_wave_sets(&set_refs, &labels, &codebook, options).map_err(refuse)?;
        let report = analyse_waves(waves, &codebook, analysis);
        deliver(&report, dir, formats)
    })
}

/// `invitestat tabulate DATA --codebook CODEBOOK --counts-out OUT`: the count table
/// written (replacing only an earlier count table unless `force`); returns the rows read
/// and used.
#[pyfunction]
#[pyo3(signature = (data, codebook_path, counts_out, name, force, delimiter, strict_columns))]
#[allow(clippy::too_many_arguments)]
fn tabulate(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    codebook_path: PathBuf,
    counts_out: PathBuf,
    name: &str,
    force: bool,
    delimiter: &str,
    strict_columns: bool,
) -> PyResult<(u64, u64)> {
    let codebook = codebook(&codebook_path)?;
    let data = Data::read(data, name)?;
    let options = load_options(delimiter, strict_columns)?;
    py.detach(|| {
        let (table, load) = data.set().tabulate(&codebook, options).map_err(refuse)?;
        let file = CountsFile::new(&codebook, load.rows_read, load.excluded.clone(), table);
        let text = serde_json::to_string(&file).map_err(refuse)? + "\n";
        let replace = if force { Replace::Force } else { Replace::IfStartsWith(COUNTS_TAG) };
        let mut inputs: Vec<&Path> = data.path().into_iter().collect();
        inputs.push(&codebook_path);
        write_file(&counts_out, &inputs, replace, |w| w.write_all(text.as_bytes()))
            .map_err(refuse)?;
        Ok((load.rows_read, load.rows_used))
    })
}

/// `invitestat merge COUNTS... --codebook CODEBOOK`.
#[pyfunction]
#[pyo3(signature = (counts, codebook_path, methods, output))]
fn merge(
    py: Python<'_>,
    counts: Vec<PathBuf>,
    codebook_path: PathBuf,
    methods: Methods,
    output: Output,
) -> PyResult<Delivered> {
    let codebook = codebook(&codebook_path)?;
    let mut inputs: Vec<&Path> = counts.iter().map(PathBuf::as_path).collect();
    inputs.push(&codebook_path);
    let (dir, formats) = open_report(&output, &inputs)?;
    let analysis = methods.options()?;
    py.detach(|| {
        let report = merge_counts(&counts, &codebook, analysis).map_err(refuse)?;
        deliver(&report, dir, formats)
    })
}

/// The library's version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InvitestatError", m.py().get_type::<InvitestatError>())?;
    m.add_function(wrap_pyfunction!(ci, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(adjust, m)?)?;
    m.add_function(wrap_pyfunction!(power, m)?)?;
    m.add_function(wrap_pyfunction!(recover, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(waves, m)?)?;
    m.add_function(wrap_pyfunction!(tabulate, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
