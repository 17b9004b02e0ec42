//! The codebook's TOML form and its validation into the typed [`Codebook`].
//!
//! The raw structs mirror the file (every key spanned, unknown keys refused by serde);
//! [`parse`] checks every name, reference, number and window and builds the typed
//! codebook, reporting the line and column of the first problem.

use super::{
    AnswerOption, AssumedCount, Claim, ClaimKind, Codebook, CodebookError, Coding, ColumnOrigin,
    GroupRef, Grouping, ItemRef, Level, MAX_OPTIONS, MAX_PUBLISHED_SIZE, MAX_QUESTIONS,
    MAX_SIZE_WINDOW, MultiResponse, PublishedFigure, Question, QuestionKind, RatioRelation,
    ReplicateKind, ReplicateWeights, SizeWindow, Source as QuestionSource, Study, SurveyDesign,
    Weighting, WeightingSource, WeightingVariable,
};
use crate::consistency::{Figure, Rounding};
use crate::format::echo;
use crate::stats::calibration::{CalibrationFunction, Margins, Method};
use crate::stats::design::{LonelyPsu, ReplicateScales};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    study: S<RawStudy>,
    id_column: S<String>,
    weight_column: Option<S<String>>,
    wave_column: Option<S<String>>,
    design: Option<S<RawDesign>>,
    weighting: Option<S<RawWeighting>>,
    grouping: S<RawGrouping>,
    questions: S<Vec<S<RawQuestion>>>,
    #[serde(default)]
    figures: Vec<S<RawFigure>>,
    #[serde(default)]
    claims: Vec<S<RawClaim>>,
    #[serde(default)]
    assumptions: Vec<S<RawAssumption>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDesign {
    strata_column: Option<S<String>>,
    cluster_column: Option<S<String>>,
    fpc_column: Option<S<String>>,
    lonely_psu: Option<S<String>>,
    replicates: Option<S<RawReplicates>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplicates {
    #[serde(rename = "type")]
    kind: S<String>,
    columns: Option<S<Vec<S<String>>>>,
    prefix: Option<S<String>>,
    count: Option<S<i64>>,
    rho: Option<S<f64>>,
    scale: Option<S<f64>>,
    rscales: Option<S<Vec<f64>>>,
    mse: Option<S<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeighting {
    method: S<String>,
    function: Option<S<String>>,
    bounds: Option<S<Vec<f64>>>,
    trim: Option<S<Vec<f64>>>,
    tolerance: Option<S<f64>>,
    max_iterations: Option<S<i64>>,
    margins: S<Vec<S<RawMargin>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMargin {
    variables: S<Vec<S<String>>>,
    population: Option<S<BTreeMap<String, S<f64>>>>,
    targets_file: Option<S<String>>,
}

/// Most calibration cells (combinations of the weighting variables' categories).
const MAX_CALIBRATION_CELLS: usize = 100_000;

/// Most replicate weights a design may have.
const MAX_REPLICATES: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStudy {
    id: S<String>,
    title: S<String>,
    source: S<String>,
    unit: Option<S<String>>,
    published_total: Option<S<i64>>,
    rounding: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrouping {
    column: S<String>,
    levels: S<Vec<S<RawLevel>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    id: S<String>,
    code: S<String>,
    label: S<String>,
    published_size: Option<S<RawWindow>>,
    assumed_size: Option<S<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    phrase: S<String>,
    min: S<i64>,
    max: S<i64>,
    search: Option<S<Vec<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: S<String>,
    text: S<String>,
    label: Option<S<String>>,
    kind: S<String>,
    options: Option<S<Vec<S<RawOption>>>>,
    #[serde(default)]
    missing: Vec<S<String>>,
    analyse: Option<S<bool>>,
    yes: Option<S<String>>,
    /// A multi-response question's answers, one column each (dichotomies).
    answers: Option<S<Vec<S<RawAnswer>>>>,
    /// The code that marks a dichotomy ticked.
    counted: Option<S<String>>,
    /// The codes that mark a dichotomy not ticked (default `["0"]`).
    not_counted: Option<S<Vec<S<String>>>>,
    /// A multi-response question's columns, each holding one answer's code (categories).
    columns: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    nets: Vec<S<RawNet>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    id: S<String>,
    label: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNet {
    id: S<String>,
    label: S<String>,
    codes: S<Vec<S<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    code: S<String>,
    label: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: S<String>,
    label: Option<S<String>>,
    question: S<String>,
    option: S<String>,
    group: S<String>,
    printed: S<String>,
    quote: S<String>,
}

/// Every key any claim kind may use; [`claim_kind`] checks which apply to each kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: S<String>,
    text: S<String>,
    kind: S<String>,
    question: Option<S<String>>,
    option: Option<S<String>>,
    groups: Option<S<Vec<S<String>>>>,
    threshold: Option<S<f64>>,
    check_difference: Option<S<bool>>,
    numerator: Option<S<String>>,
    denominator: Option<S<String>>,
    value: Option<S<f64>>,
    relation: Option<S<String>>,
    question_a: Option<S<String>>,
    option_a: Option<S<String>>,
    question_b: Option<S<String>>,
    option_b: Option<S<String>>,
    items: Option<S<Vec<S<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssumption {
    question: S<String>,
    option: S<String>,
    group: S<String>,
    count: S<i64>,
    why: S<String>,
}

/// Line and column of byte offsets in the codebook text.
struct Text<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Text<'_> {
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    fn invalid<T>(&self, at: &S<T>, key: impl Into<String>, message: String) -> CodebookError {
        let (line, column) = self.position(at.span().start);
        CodebookError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.into(),
            message,
        }
    }
}

/// Most answers of a multi-response question (its test keeps a joint table for every
/// two of them).
const MAX_SET_ANSWERS: usize = 100;

/// A yes-no question derived from another's answers: a net, or one answer of a
/// multi-response question (yes coded `1`, no `0`).
fn derived(
    id: String,
    text: &str,
    display: &str,
    answer: &str,
    analyse: bool,
    source: QuestionSource,
) -> Question {
    Question {
        id,
        text: format!("{text}: {answer}"),
        label: Some(format!("{display}: {answer}")),
        kind: QuestionKind::YesNo,
        options: vec![
            AnswerOption { code: "1".into(), label: "Yes".into() },
            AnswerOption { code: "0".into(), label: "No".into() },
        ],
        missing: Vec::new(),
        analyse,
        source,
    }
}

/// Parses and validates codebook text.
pub(super) fn parse(text: &str, path: &Path) -> Result<Codebook, CodebookError> {
    let src = Text { text, path };
    let raw: RawCodebook = toml::from_str(text).map_err(|e| {
        let (line, column) = src.position(e.span().map_or(0, |s| s.start));
        let mut message = e.message().trim().to_string();
        if message.chars().count() > 300 {
            message = format!("{}...", message.chars().take(300).collect::<String>());
        }
        CodebookError::Parse { path: path.to_path_buf(), line, column, message }
    })?;
    Validator { src: &src, seen_columns: Vec::new() }.codebook(raw, text)
}

struct Validator<'a> {
    src: &'a Text<'a>,
    seen_columns: Vec<ColumnOrigin>,
}

fn non_negative(v: &S<i64>) -> Option<u64> {
    u64::try_from(*v.get_ref()).ok()
}

impl Validator<'_> {
    fn err<T>(&self, at: &S<T>, key: impl Into<String>, message: String) -> CodebookError {
        self.src.invalid(at, key, message)
    }

    /// A non-empty name (id, code, column) with no surrounding spaces.
    fn name(&self, s: &S<String>, key: &str) -> Result<String, CodebookError> {
        let v = s.get_ref();
        if v.is_empty() {
            return Err(self.err(s, key, "is empty; expected a name".into()));
        }
        if v.trim() != v {
            return Err(self.err(
                s,
                key,
                format!("'{}' has surrounding spaces; expected the name without them", echo(v)),
            ));
        }
        if v.chars().any(char::is_control) {
            return Err(self.err(
                s,
                key,
                format!("'{}' holds control characters; expected a plain name", echo(v)),
            ));
        }
        if v.chars().count() > 200 {
            return Err(self.err(s, key, format!("'{}' is longer than 200 characters", echo(v))));
        }
        Ok(v.clone())
    }

    fn column(&mut self, s: &S<String>, key: &str) -> Result<String, CodebookError> {
        let name = self.name(s, key)?;
        if let Some(o) = self.seen_columns.iter().find(|o| o.column == name) {
            return Err(self.err(
                s,
                key,
                format!(
                    "column '{}' is already declared by {} (line {}); expected each column once",
                    echo(&name),
                    o.key,
                    o.line
                ),
            ));
        }
        let (line, _) = self.src.position(s.span().start);
        self.seen_columns.push(ColumnOrigin { column: name.clone(), key: key.into(), line });
        Ok(name)
    }

    fn size(&self, v: &S<i64>, key: &str) -> Result<u64, CodebookError> {
        match non_negative(v) {
            Some(n) if (1..=MAX_PUBLISHED_SIZE).contains(&n) => Ok(n),
            _ => Err(self.err(
                v,
                key,
                format!("{} is not a size from 1 to {MAX_PUBLISHED_SIZE}", v.get_ref()),
            )),
        }
    }

    fn codebook(mut self, raw: RawCodebook, text: &str) -> Result<Codebook, CodebookError> {
        let study = self.study(&raw.study)?;
        let id_column = self.column(&raw.id_column, "id_column")?;
        let grouping_column = self.column(&raw.grouping.get_ref().column, "grouping.column")?;
        let weight_column =
            raw.weight_column.as_ref().map(|c| self.column(c, "weight_column")).transpose()?;
        let wave_column =
            raw.wave_column.as_ref().map(|c| self.column(c, "wave_column")).transpose()?;
        let design = raw.design.as_ref().map(|d| self.design(d)).transpose()?;
        if let (Some(d), None, Some(raw_design)) = (&design, &weight_column, &raw.design)
            && d.replicates.is_some()
        {
            return Err(self.err(
                raw_design,
                "design.replicates",
                "replicate weights without the full-sample weight; expected weight_column".into(),
            ));
        }
        let levels = self.levels(&raw.grouping.get_ref().levels)?;
        let (questions, sets) = self.questions(&raw.questions)?;
        let weighting = match &raw.weighting {
            None => None,
            Some(w) => Some(self.weighting(w, &grouping_column, &levels, &questions)?),
        };
        let mut cb = Codebook {
            study,
            id_column,
            weight_column,
            wave_column,
            design,
            weighting,
            grouping: Grouping { column: grouping_column, levels },
            questions,
            sets,
            figures: Vec::new(),
            claims: Vec::new(),
            assumptions: Vec::new(),
            column_origins: Vec::new(),
            path: self.src.path.to_path_buf(),
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        };
        cb.figures = self.figures(&cb, &raw.figures)?;
        cb.claims = self.claims(&cb, &raw.claims)?;
        cb.assumptions = self.assumptions(&cb, &raw.assumptions)?;
        cb.column_origins = self.seen_columns;
        Ok(cb)
    }

    fn design(&mut self, d: &S<RawDesign>) -> Result<SurveyDesign, CodebookError> {
        let r = d.get_ref();
        let col = |this: &mut Self, c: &Option<S<String>>, key: &str| {
            c.as_ref().map(|c| this.column(c, key)).transpose()
        };
        let strata_column = col(self, &r.strata_column, "design.strata_column")?;
        let cluster_column = col(self, &r.cluster_column, "design.cluster_column")?;
        let fpc_column = col(self, &r.fpc_column, "design.fpc_column")?;
        let lonely_psu = match &r.lonely_psu {
            None => LonelyPsu::Fail,
            Some(v) => LonelyPsu::from_name(v.get_ref()).ok_or_else(|| {
                self.err(
                    v,
                    "design.lonely_psu",
                    format!(
                        "'{}' is not a lonely-PSU option; expected one of {}",
                        echo(v.get_ref()),
                        LonelyPsu::ALL.map(LonelyPsu::name).join(", ")
                    ),
                )
            })?,
        };
        let replicates = match &r.replicates {
            None => None,
            Some(rep) => {
                if let Some(c) = [&r.strata_column, &r.cluster_column, &r.fpc_column]
                    .into_iter()
                    .flatten()
                    .next()
                {
                    return Err(self.err(
                        c,
                        "design",
                        "a design has strata and clusters or replicate weights; expected one of the two (replicate weights carry the strata and clusters)".into(),
                    ));
                }
                Some(self.replicates(rep)?)
            }
        };
        if r.strata_column.is_none() && r.cluster_column.is_none() && replicates.is_none() {
            return Err(self.err(
                d,
                "design",
                "declares neither strata, clusters nor replicate weights; expected strata_column, cluster_column or [design.replicates]".into(),
            ));
        }
        Ok(SurveyDesign { strata_column, cluster_column, fpc_column, lonely_psu, replicates })
    }

    fn weighting(
        &mut self,
        w: &S<RawWeighting>,
        grouping_column: &str,
        levels: &[Level],
        questions: &[Question],
    ) -> Result<Weighting, CodebookError> {
        let r = w.get_ref();
        let key = "weighting";
        let only_calibrate = |this: &Self, present: Option<(usize, &str)>| {
            match present {
            Some((start, name)) => Err(this.src.invalid(
                &S::new(start..start + 1, ()),
                format!("{key}.{name}"),
                "applies to method = \"calibrate\" only; expected it removed, or method = \"calibrate\"".to_string(),
            )),
            None => Ok(()),
        }
        };
        let bound_pair = |this: &Self,
                          v: &S<Vec<f64>>,
                          name: &str|
         -> Result<(f64, f64), CodebookError> {
            match v.get_ref().as_slice() {
                &[lo, hi] if lo.is_finite() && hi.is_finite() && lo <= 1.0 && 1.0 <= hi && lo < hi => {
                    Ok((lo, hi))
                }
                _ => Err(this.err(
                    v,
                    format!("{key}.{name}"),
                    format!(
                        "{:?} is not a pair of bounds on the weights' factor; expected [lower, upper] with lower <= 1 <= upper, lower < upper",
                        v.get_ref()
                    ),
                )),
            }
        };
        let tolerance = match &r.tolerance {
            None => 1e-7,
            Some(t) if t.get_ref().is_finite() && *t.get_ref() > 0.0 && *t.get_ref() < 1.0 => {
                *t.get_ref()
            }
            Some(t) => {
                return Err(self.err(
                    t,
                    format!("{key}.tolerance"),
                    format!(
                        "{} is not a tolerance; expected a number between 0 and 1",
                        t.get_ref()
                    ),
                ));
            }
        };
        let max_iterations = |default: u32| -> Result<u32, CodebookError> {
            match &r.max_iterations {
                None => Ok(default),
                Some(m) => non_negative(m)
                    .filter(|m| (1..=10_000).contains(m))
                    .map(|m| m as u32)
                    .ok_or_else(|| {
                        self.err(
                            m,
                            format!("{key}.max_iterations"),
                            format!(
                                "{} is not an iteration limit; expected 1 to 10000",
                                m.get_ref()
                            ),
                        )
                    }),
            }
        };
        let method = match r.method.get_ref().as_str() {
            m @ ("poststratify" | "rake") => {
                let present = [
                    r.function.as_ref().map(|v| (v.span().start, "function")),
                    r.bounds.as_ref().map(|v| (v.span().start, "bounds")),
                    r.trim.as_ref().map(|v| (v.span().start, "trim")),
                ]
                .into_iter()
                .flatten()
                .next();
                only_calibrate(self, present)?;
                if m == "poststratify" {
                    if r.margins.get_ref().len() != 1 {
                        return Err(self.err(
                            &r.margins,
                            format!("{key}.margins"),
                            format!(
                                "{} margins for post-stratification; expected one (list several variables in it to cross them)",
                                r.margins.get_ref().len()
                            ),
                        ));
                    }
                    Method::PostStratify
                } else {
                    Method::Rake { tolerance, max_iterations: max_iterations(100)? }
                }
            }
            "calibrate" => {
                let function = match r.function.as_ref().map(|f| (f, f.get_ref().as_str())) {
                    None | Some((_, "linear")) => CalibrationFunction::Linear,
                    Some((_, "raking")) => CalibrationFunction::Raking,
                    Some((f, other)) => {
                        return Err(self.err(
                            f,
                            format!("{key}.function"),
                            format!(
                                "'{}' is not a calibration function; expected \"linear\" or \"raking\"",
                                echo(other)
                            ),
                        ));
                    }
                };
                let bounds = match &r.bounds {
                    None => (f64::NEG_INFINITY, f64::INFINITY),
                    Some(b) => bound_pair(self, b, "bounds")?,
                };
                let trim = r.trim.as_ref().map(|t| bound_pair(self, t, "trim")).transpose()?;
                Method::Calibrate {
                    function,
                    bounds,
                    trim,
                    tolerance,
                    max_iterations: max_iterations(50)?,
                }
            }
            other => {
                return Err(self.err(
                    &r.method,
                    format!("{key}.method"),
                    format!(
                        "'{}' is not a weighting method; expected \"poststratify\", \"rake\" or \"calibrate\"",
                        echo(other)
                    ),
                ));
            }
        };
        if r.margins.get_ref().is_empty() {
            return Err(self.err(
                &r.margins,
                format!("{key}.margins"),
                "is empty; expected at least one margin".into(),
            ));
        }
        // The variables, in order of first use, and each margin's variables and targets.
        let mut variables: Vec<WeightingVariable> = Vec::new();
        let mut margin_vars: Vec<Vec<usize>> = Vec::new();
        let mut targets: Vec<Vec<(Vec<String>, f64, usize)>> = Vec::new();
        for (mi, m) in r.margins.get_ref().iter().enumerate() {
            let mkey = format!("{key}.margins[{}]", mi + 1);
            let mr = m.get_ref();
            if mr.variables.get_ref().is_empty() {
                return Err(self.err(
                    &mr.variables,
                    format!("{mkey}.variables"),
                    "is empty; expected one or more variables".into(),
                ));
            }
            let mut vars = Vec::new();
            for (vi, v) in mr.variables.get_ref().iter().enumerate() {
                let vkey = format!("{mkey}.variables[{}]", vi + 1);
                let name = self.name(v, &vkey)?;
                if variables.iter().any(|x| x.name == name) {
                    return Err(self.err(
                        v,
                        vkey,
                        format!("'{}' is already in another margin; expected each variable in one margin (cross them in one margin instead)", echo(&name)),
                    ));
                }
                let (source, codes) = if name == grouping_column {
                    (WeightingSource::Group, levels.iter().map(|l| l.code.clone()).collect())
                } else if let Some(qi) = questions.iter().position(|q| q.id == name) {
                    let q = &questions[qi];
                    if !matches!(q.source, QuestionSource::Column) {
                        return Err(self.err(
                            v,
                            vkey,
                            format!("question '{}' is not read from a column of its own; expected the grouping column, a single-choice question or another column", echo(&name)),
                        ));
                    }
                    (
                        WeightingSource::Question(qi),
                        q.options.iter().map(|o| o.code.clone()).collect(),
                    )
                } else {
                    self.column(v, &vkey)?;
                    (WeightingSource::Column, Vec::new())
                };
                vars.push(variables.len());
                variables.push(WeightingVariable { name, source, codes });
            }
            let rows: Vec<(Vec<String>, f64, usize)> = match (&mr.population, &mr.targets_file) {
                (Some(p), None) => {
                    let mut rows = Vec::new();
                    for (k, v) in p.get_ref() {
                        let parts: Vec<String> = if vars.len() == 1 {
                            vec![k.clone()]
                        } else {
                            k.split(':').map(str::to_string).collect()
                        };
                        if parts.len() != vars.len() {
                            return Err(self.err(
                                v,
                                format!("{mkey}.population"),
                                format!(
                                    "'{}' names {} codes; expected {} codes joined by ':'",
                                    echo(k),
                                    parts.len(),
                                    vars.len()
                                ),
                            ));
                        }
                        rows.push((parts, *v.get_ref(), v.span().start));
                    }
                    rows
                }
                (None, Some(f)) => self.targets_file(f, &mkey, &vars, &variables)?,
                _ => {
                    return Err(self.err(
                        m,
                        mkey,
                        "gives its population neither by population nor by targets_file; expected one of the two".into(),
                    ));
                }
            };
            for (codes, value, at) in &rows {
                let here = S::new(*at..*at + 1, ());
                if !(value.is_finite() && *value >= 0.0) {
                    return Err(self.src.invalid(
                        &here,
                        format!("{mkey}.population"),
                        format!("{value} is not a population; expected a finite number >= 0"),
                    ));
                }
                for (&vi, code) in vars.iter().zip(codes) {
                    let var = &mut variables[vi];
                    if !var.codes.contains(code) {
                        if var.source == WeightingSource::Column {
                            var.codes.push(code.clone());
                        } else {
                            return Err(self.src.invalid(
                                &here,
                                format!("{mkey}.population"),
                                format!(
                                    "'{}' is not a code of '{}'; expected one of {}",
                                    echo(code),
                                    echo(&var.name),
                                    crate::format::name_list(
                                        &var.codes
                                            .iter()
                                            .map(|c| format!("'{c}'"))
                                            .collect::<Vec<_>>(),
                                        20
                                    )
                                ),
                            ));
                        }
                    }
                }
            }
            margin_vars.push(vars);
            targets.push(rows);
        }
        let cells = variables.iter().try_fold(1usize, |n, v| n.checked_mul(v.codes.len().max(1)));
        let cells = match cells {
            Some(n) if n <= MAX_CALIBRATION_CELLS => n,
            _ => {
                return Err(self.err(
                    &r.margins,
                    format!("{key}.margins"),
                    format!("the weighting variables cross into more than {MAX_CALIBRATION_CELLS} cells; expected fewer variables or categories"),
                ));
            }
        };
        // Per variable, per cell, its category.
        let radix: Vec<usize> = variables.iter().map(|v| v.codes.len().max(1)).collect();
        let code_of = |cell: usize, vi: usize| -> usize {
            let below: usize = radix[vi + 1..].iter().product();
            (cell / below) % radix[vi]
        };
        let mut category = Vec::new();
        let mut population = Vec::new();
        let mut names = Vec::new();
        let mut labels = Vec::new();
        for (mi, vars) in margin_vars.iter().enumerate() {
            let sizes: Vec<usize> = vars.iter().map(|&v| radix[v]).collect();
            let count: usize = sizes.iter().product();
            let index =
                |codes: &[usize]| codes.iter().zip(&sizes).fold(0, |acc, (c, s)| acc * s + c);
            category.push(
                (0..cells)
                    .map(|c| index(&vars.iter().map(|&v| code_of(c, v)).collect::<Vec<_>>()))
                    .collect(),
            );
            let mut pop = vec![0.0; count];
            let mut seen = vec![false; count];
            for (codes, value, at) in &targets[mi] {
                let idx: Vec<usize> = vars
                    .iter()
                    .zip(codes)
                    .map(|(&v, code)| {
                        variables[v].codes.iter().position(|c| c == code).unwrap_or(0)
                    })
                    .collect();
                let k = index(&idx);
                if seen[k] {
                    return Err(self.src.invalid(
                        &S::new(*at..*at + 1, ()),
                        format!("{key}.margins[{}].population", mi + 1),
                        format!(
                            "'{}' is given twice; expected each category once",
                            echo(&codes.join(":"))
                        ),
                    ));
                }
                seen[k] = true;
                pop[k] = *value;
            }
            population.push(pop);
            names.push(
                vars.iter().map(|&v| variables[v].name.clone()).collect::<Vec<_>>().join(" x "),
            );
            labels.push(
                (0..count)
                    .map(|k| {
                        let mut rest = k;
                        let mut parts = vec![String::new(); vars.len()];
                        for (j, &v) in vars.iter().enumerate().rev() {
                            parts[j] = variables[v].codes[rest % sizes[j]].clone();
                            rest /= sizes[j];
                        }
                        parts.join(":")
                    })
                    .collect(),
            );
        }
        Ok(Weighting {
            method,
            variables,
            margins: Margins { category, population, names, labels },
        })
    }

    /// A margin's targets from a CSV file (a column per variable, then `population`),
    /// relative to the codebook's folder.
    fn targets_file(
        &self,
        f: &S<String>,
        mkey: &str,
        vars: &[usize],
        variables: &[WeightingVariable],
    ) -> Result<Vec<(Vec<String>, f64, usize)>, CodebookError> {
        let key = format!("{mkey}.targets_file");
        let dir = self.src.path.parent().unwrap_or(Path::new("."));
        let path = dir.join(f.get_ref());
        let fail = |m: String| self.err(f, key.clone(), format!("{}: {m}", path.display()));
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(&path)
            .map_err(|e| fail(format!("cannot read: {}", echo(&e.to_string()))))?;
        let header = rdr
            .headers()
            .map_err(|e| fail(format!("malformed CSV: {}", echo(&e.to_string()))))?
            .clone();
        let want: Vec<&str> =
            vars.iter().map(|&v| variables[v].name.as_str()).chain(["population"]).collect();
        let cols: Vec<usize> = want
            .iter()
            .map(|w| header.iter().position(|h| h == *w))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                fail(format!(
                    "line 1: the header is {}; expected the columns {}",
                    echo(&header.iter().collect::<Vec<_>>().join(",")),
                    want.join(",")
                ))
            })?;
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| {
                fail(format!("line {line}: malformed CSV: {}", echo(&e.to_string())))
            })?;
            let codes: Vec<String> =
                cols[..vars.len()].iter().map(|&c| rec.get(c).unwrap_or("").to_string()).collect();
            let text = rec.get(cols[vars.len()]).unwrap_or("");
            let value: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| fail(format!("line {line}, column population: '{}' is not a population; expected a finite number >= 0", echo(text))))?;
            if let Some((j, _)) = codes.iter().enumerate().find(|(_, c)| c.is_empty()) {
                return Err(fail(format!(
                    "line {line}, column {}: empty code; expected a category code",
                    want[j]
                )));
            }
            rows.push((codes, value, f.span().start));
        }
        if rows.is_empty() {
            return Err(fail("no targets; expected a row per category".into()));
        }
        Ok(rows)
    }

    fn replicates(&mut self, rep: &S<RawReplicates>) -> Result<ReplicateWeights, CodebookError> {
        let r = rep.get_ref();
        let key = "design.replicates";
        let columns: Vec<String> = match (&r.columns, &r.prefix, &r.count) {
            (Some(cols), None, None) => cols
                .get_ref()
                .iter()
                .enumerate()
                .map(|(i, c)| self.column(c, &format!("{key}.columns[{}]", i + 1)))
                .collect::<Result<_, _>>()?,
            (None, Some(prefix), Some(count)) => {
                let n = non_negative(count)
                    .filter(|n| (2..=MAX_REPLICATES as u64).contains(n))
                    .ok_or_else(|| {
                        self.err(
                            count,
                            format!("{key}.count"),
                            format!(
                                "{} replicates; expected 2 to {MAX_REPLICATES}",
                                count.get_ref()
                            ),
                        )
                    })?;
                let p = self.name(prefix, &format!("{key}.prefix"))?;
                (1..=n)
                    .map(|i| {
                        let name = S::new(prefix.span(), format!("{p}{i}"));
                        self.column(&name, &format!("{key}.prefix"))
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => {
                return Err(self.err(
                    rep,
                    key,
                    "names its columns neither by columns nor by prefix and count; expected columns = [...] or prefix and count".into(),
                ));
            }
        };
        if columns.len() < 2 || columns.len() > MAX_REPLICATES {
            return Err(self.err(
                rep,
                key,
                format!("{} replicate columns; expected 2 to {MAX_REPLICATES}", columns.len()),
            ));
        }
        let n = columns.len() as f64;
        let positive = |v: &S<f64>, name: &str| -> Result<f64, CodebookError> {
            let x = *v.get_ref();
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(self.err(v, format!("{key}.{name}"), format!("{x} is not a number > 0")))
            }
        };
        let kind_name = r.kind.get_ref().as_str();
        let kind = match kind_name {
            "JK1" => ReplicateKind::Jk1,
            "JKn" => ReplicateKind::Jkn,
            "BRR" => ReplicateKind::Brr,
            "Fay" => {
                let Some(rho) = &r.rho else {
                    return Err(self.err(
                        rep,
                        key,
                        "type \"Fay\" without rho; expected rho, Fay's factor, between 0 and 1"
                            .into(),
                    ));
                };
                let x = *rho.get_ref();
                if !(x > 0.0 && x < 1.0) {
                    return Err(self.err(
                        rho,
                        format!("{key}.rho"),
                        format!("{x} is not between 0 and 1 (exclusive)"),
                    ));
                }
                ReplicateKind::Fay { rho: x }
            }
            "bootstrap" => ReplicateKind::Bootstrap,
            "successive-difference" | "SDR" => ReplicateKind::Sdr,
            "other" => ReplicateKind::Other,
            other => {
                return Err(self.err(
                    &r.kind,
                    format!("{key}.type"),
                    format!(
                        "'{}' is not a replicate type; expected one of JK1, JKn, BRR, Fay, bootstrap, successive-difference, other",
                        echo(other)
                    ),
                ));
            }
        };
        if let (Some(rho), false) = (&r.rho, matches!(kind, ReplicateKind::Fay { .. })) {
            return Err(self.err(
                rho,
                format!("{key}.rho"),
                format!(
                    "rho is Fay's factor; expected it only with type \"Fay\", not \"{kind_name}\""
                ),
            ));
        }
        // R's scales: fixed for BRR, Fay and SDR; defaults for the others.
        let fixed = match kind {
            ReplicateKind::Brr => Some(1.0 / n),
            ReplicateKind::Fay { rho } => Some(1.0 / (n * (1.0 - rho) * (1.0 - rho))),
            ReplicateKind::Sdr => Some(4.0 / n),
            _ => None,
        };
        let scale = match (&r.scale, fixed) {
            (Some(v), Some(_)) => {
                return Err(self.err(
                    v,
                    format!("{key}.scale"),
                    format!("type \"{kind_name}\" fixes its scale; expected no scale"),
                ));
            }
            (Some(v), None) => positive(v, "scale")?,
            (None, Some(f)) => f,
            (None, None) => match kind {
                ReplicateKind::Jk1 => (n - 1.0) / n,
                ReplicateKind::Bootstrap => 1.0 / (n - 1.0),
                _ => 1.0,
            },
        };
        let rscales = match &r.rscales {
            Some(v) => {
                let list = v.get_ref();
                if fixed.is_some() {
                    return Err(self.err(
                        v,
                        format!("{key}.rscales"),
                        format!("type \"{kind_name}\" fixes its rscales; expected none"),
                    ));
                }
                if list.len() != columns.len() {
                    return Err(self.err(
                        v,
                        format!("{key}.rscales"),
                        format!(
                            "{} rscales for {} replicates; expected one per replicate",
                            list.len(),
                            columns.len()
                        ),
                    ));
                }
                if let Some(x) = list.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                    return Err(self.err(
                        v,
                        format!("{key}.rscales"),
                        format!("{x} is not a number >= 0"),
                    ));
                }
                list.clone()
            }
            None if kind == ReplicateKind::Jkn => {
                return Err(self.err(
                    rep,
                    key,
                    "type \"JKn\" without rscales; expected rscales, (n_h - 1) / n_h for each replicate's stratum".into(),
                ));
            }
            None => vec![1.0; columns.len()],
        };
        let mse = r.mse.as_ref().is_some_and(|m| *m.get_ref());
        Ok(ReplicateWeights { kind, columns, scales: ReplicateScales { scale, rscales, mse } })
    }

    fn study(&self, s: &S<RawStudy>) -> Result<Study, CodebookError> {
        let r = s.get_ref();
        let rounding = match &r.rounding {
            None => Rounding::HalfUp,
            Some(v) => Rounding::from_name(v.get_ref()).ok_or_else(|| {
                self.err(
                    v,
                    "study.rounding",
                    format!(
                        "'{}' is not a rounding scheme; expected one of {}",
                        echo(v.get_ref()),
                        Rounding::ALL.map(Rounding::name).join(", ")
                    ),
                )
            })?,
        };
        let published_total = r
            .published_total
            .as_ref()
            .map(|t| self.size(t, "study.published_total"))
            .transpose()?;
        Ok(Study {
            id: self.name(&r.id, "study.id")?,
            title: r.title.get_ref().clone(),
            source: r.source.get_ref().clone(),
            unit: r.unit.as_ref().map_or_else(|| "respondent".into(), |u| u.get_ref().clone()),
            published_total,
            rounding,
        })
    }

    fn levels(&self, raw: &S<Vec<S<RawLevel>>>) -> Result<Vec<Level>, CodebookError> {
        let list = raw.get_ref();
        if list.len() < 2 || list.len() > MAX_OPTIONS {
            return Err(self.err(
                raw,
                "grouping.levels",
                format!("{} levels; expected 2 to {MAX_OPTIONS}", list.len()),
            ));
        }
        let mut levels: Vec<Level> = Vec::new();
        for (i, l) in list.iter().enumerate() {
            let l = l.get_ref();
            let key = |k: &str| format!("grouping.levels[{}].{k}", i + 1);
            let id = self.name(&l.id, &key("id"))?;
            let code = self.name(&l.code, &key("code"))?;
            if id == "all" {
                return Err(self.err(
                    &l.id,
                    key("id"),
                    "'all' is reserved for the whole sample; expected another id".into(),
                ));
            }
            if let Some(other) = levels.iter().find(|o| o.id == id || o.code == code) {
                let what = if other.id == id { "id" } else { "code" };
                let at = if other.id == id { &l.id } else { &l.code };
                return Err(self.err(
                    at,
                    key(what),
                    format!(
                        "{what} '{}' is already used by level '{}'; expected each level's id and code once",
                        echo(at.get_ref()),
                        echo(&other.id)
                    ),
                ));
            }
            let published_size = l
                .published_size
                .as_ref()
                .map(|w| self.window(w, &key("published_size")))
                .transpose()?;
            let assumed_size =
                l.assumed_size.as_ref().map(|s| self.size(s, &key("assumed_size"))).transpose()?;
            levels.push(Level {
                id,
                code,
                label: l.label.get_ref().clone(),
                published_size,
                assumed_size,
            });
        }
        Ok(levels)
    }

    fn window(&self, w: &S<RawWindow>, key: &str) -> Result<SizeWindow, CodebookError> {
        let r = w.get_ref();
        let min = self.size(&r.min, &format!("{key}.min"))?;
        let max = self.size(&r.max, &format!("{key}.max"))?;
        if min > max {
            return Err(self.err(
                &r.max,
                format!("{key}.max"),
                format!("{max} is below min = {min}; expected min <= max"),
            ));
        }
        let search = match &r.search {
            None => (min, max),
            Some(s) => match s.get_ref().as_slice() {
                &[lo, hi] => {
                    let (lo, hi) = (u64::try_from(lo).unwrap_or(0), u64::try_from(hi).unwrap_or(0));
                    if lo == 0 || lo > min || hi < max || hi > MAX_PUBLISHED_SIZE {
                        return Err(self.err(
                            s,
                            format!("{key}.search"),
                            format!(
                                "[{lo}, {hi}] does not contain min..max = {min}..{max} within 1..{MAX_PUBLISHED_SIZE}; expected [LO, HI] with 1 <= LO <= {min} and {max} <= HI"
                            ),
                        ));
                    }
                    (lo, hi)
                }
                other => {
                    return Err(self.err(
                        s,
                        format!("{key}.search"),
                        format!("{} numbers; expected two, [LO, HI]", other.len()),
                    ));
                }
            },
        };
        if search.1 - search.0 + 1 > MAX_SIZE_WINDOW {
            return Err(self.err(
                w,
                key.to_string(),
                format!(
                    "the window {}..{} holds {} sizes; at most {MAX_SIZE_WINDOW} are searched",
                    search.0,
                    search.1,
                    search.1 - search.0 + 1
                ),
            ));
        }
        Ok(SizeWindow { phrase: r.phrase.get_ref().clone(), min, max, search })
    }

    fn questions(
        &mut self,
        raw: &S<Vec<S<RawQuestion>>>,
    ) -> Result<(Vec<Question>, Vec<MultiResponse>), CodebookError> {
        if raw.get_ref().is_empty() || raw.get_ref().len() > MAX_QUESTIONS {
            return Err(self.err(
                raw,
                "questions",
                format!("{} questions; expected 1 to {MAX_QUESTIONS}", raw.get_ref().len()),
            ));
        }
        let mut out = Vec::new();
        let mut sets = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        for (i, q) in raw.get_ref().iter().enumerate() {
            let q = q.get_ref();
            let key = |k: &str| format!("questions[{}].{k}", i + 1);
            if q.kind.get_ref() == "multi-response" {
                self.multi_response(q, i, &mut out, &mut sets, &mut ids)?;
                continue;
            }
            self.only_multi_response(q, &key)?;
            let id = self.column(&q.id, &key("id"))?;
            self.unique(&mut ids, &id, &q.id, &key("id"))?;
            let kind = match q.kind.get_ref().as_str() {
                "single-choice" => QuestionKind::SingleChoice,
                "yes-no" => QuestionKind::YesNo,
                other => {
                    return Err(self.err(
                        &q.kind,
                        key("kind"),
                        format!(
                            "'{}' is not a question kind; expected single-choice, yes-no or multi-response",
                            echo(other)
                        ),
                    ));
                }
            };
            let Some(raw_options) = &q.options else {
                return Err(self.err(
                    &q.kind,
                    key("options"),
                    format!("a {} question needs options", q.kind.get_ref()),
                ));
            };
            let n = raw_options.get_ref().len();
            let (lo, hi) = if kind == QuestionKind::YesNo { (2, 2) } else { (2, MAX_OPTIONS) };
            if n < lo || n > hi {
                return Err(self.err(
                    raw_options,
                    key("options"),
                    format!(
                        "{n} options; a {} question needs {}",
                        q.kind.get_ref(),
                        if lo == hi {
                            "exactly 2 (yes and no; `yes` names the yes code)".to_string()
                        } else {
                            format!("2 to {hi}")
                        }
                    ),
                ));
            }
            let missing = self.codes(&q.missing, &key("missing"), "missing code")?;
            let mut options: Vec<AnswerOption> = Vec::new();
            for o in raw_options.get_ref() {
                let o = o.get_ref();
                let code = self.name(&o.code, &key("options.code"))?;
                if options.iter().any(|x| x.code == code) {
                    return Err(self.err(
                        &o.code,
                        key("options.code"),
                        format!("option code '{}' is listed twice", echo(&code)),
                    ));
                }
                if missing.contains(&code) {
                    return Err(self.err(
                        &o.code,
                        key("options.code"),
                        format!(
                            "option code '{}' is also a missing code; expected it in one list only",
                            echo(&code)
                        ),
                    ));
                }
                options.push(AnswerOption { code, label: o.label.get_ref().clone() });
            }
            // The yes answer of a yes-no question is named, never taken from the order:
            // `yes = "CODE"`, or else the one option labelled "Yes". It comes first.
            match (&q.yes, kind) {
                (Some(y), QuestionKind::SingleChoice) => {
                    return Err(self.err(
                        y,
                        key("yes"),
                        "applies to yes-no questions only; a single-choice question has no yes answer".into(),
                    ));
                }
                (Some(y), QuestionKind::YesNo) => {
                    let Some(at) = options.iter().position(|o| &o.code == y.get_ref()) else {
                        return Err(self.err(
                            y,
                            key("yes"),
                            format!(
                                "'{}' is not an option code; expected one of '{}', '{}'",
                                echo(y.get_ref()),
                                echo(&options[0].code),
                                echo(&options[1].code)
                            ),
                        ));
                    };
                    options.swap(0, at);
                }
                (None, QuestionKind::YesNo) => {
                    let labelled: Vec<usize> = (0..options.len())
                        .filter(|&i| options[i].label.trim().eq_ignore_ascii_case("yes"))
                        .collect();
                    match labelled[..] {
                        [at] => options.swap(0, at),
                        _ => {
                            return Err(self.err(
                                raw_options,
                                key("options"),
                                format!(
                                    "a yes-no question names its yes answer: add yes = \"{}\" (or \"{}\"), or label one option \"Yes\"",
                                    echo(&options[0].code),
                                    echo(&options[1].code)
                                ),
                            ));
                        }
                    }
                }
                (None, QuestionKind::SingleChoice) => {}
            }
            let analyse = q.analyse.as_ref().is_none_or(|a| *a.get_ref());
            let question = Question {
                id,
                text: q.text.get_ref().clone(),
                label: q.label.as_ref().map(|l| l.get_ref().clone()),
                kind,
                options,
                missing,
                analyse,
                source: QuestionSource::Column,
            };
            let qi = out.len();
            let codes: Vec<String> = question.options.iter().map(|o| o.code.clone()).collect();
            let nets = self.nets(q, &key, &codes, kind == QuestionKind::SingleChoice)?;
            let (text, display) = (question.text.clone(), question.display_label().to_string());
            out.push(question);
            for (net, at, options) in nets {
                let id = self.unique(&mut ids, &net.0, at, &key("nets.id"))?;
                out.push(derived(
                    id,
                    &text,
                    &display,
                    &net.1,
                    analyse,
                    QuestionSource::Net { question: qi, options },
                ));
            }
        }
        Ok((out, sets))
    }

    /// A list of codes (named `what` in messages), each a name, none twice.
    fn codes(
        &self,
        list: &[S<String>],
        key: &str,
        what: &str,
    ) -> Result<Vec<String>, CodebookError> {
        let mut out: Vec<String> = Vec::new();
        for m in list {
            let code = self.name(m, key)?;
            if out.contains(&code) {
                return Err(self.err(m, key, format!("{what} '{}' is listed twice", echo(&code))));
            }
            out.push(code);
        }
        Ok(out)
    }

    /// `id`, refused when a question or multi-response question already has it.
    fn unique(
        &self,
        ids: &mut Vec<String>,
        id: &str,
        at: &S<String>,
        key: &str,
    ) -> Result<String, CodebookError> {
        if ids.iter().any(|i| i == id) {
            return Err(self.err(
                at,
                key,
                format!("question id '{}' is already used; expected each id once", echo(id)),
            ));
        }
        ids.push(id.to_string());
        Ok(id.to_string())
    }

    /// Refuses the keys of a multi-response question on any other kind.
    fn only_multi_response(
        &self,
        q: &RawQuestion,
        key: &dyn Fn(&str) -> String,
    ) -> Result<(), CodebookError> {
        let keys: [(&str, Option<std::ops::Range<usize>>); 4] = [
            ("answers", q.answers.as_ref().map(|a| a.span())),
            ("counted", q.counted.as_ref().map(|a| a.span())),
            ("not_counted", q.not_counted.as_ref().map(|a| a.span())),
            ("columns", q.columns.as_ref().map(|a| a.span())),
        ];
        if let Some((name, Some(span))) = keys.into_iter().find(|(_, s)| s.is_some()) {
            let at = S::new(span, ());
            return Err(self.err(
                &at,
                key(name),
                format!(
                    "applies to multi-response questions only; this one is {}",
                    q.kind.get_ref()
                ),
            ));
        }
        Ok(())
    }

    /// A question's nets: each net's (id, label), where its id is, and the indices of
    /// the codes it counts among `codes`; `allowed` false refuses any.
    #[allow(clippy::type_complexity)]
    fn nets<'q>(
        &self,
        q: &'q RawQuestion,
        key: &dyn Fn(&str) -> String,
        codes: &[String],
        allowed: bool,
    ) -> Result<Vec<((String, String), &'q S<String>, Vec<usize>)>, CodebookError> {
        let mut out = Vec::new();
        for n in &q.nets {
            let n = n.get_ref();
            if !allowed {
                return Err(self.err(
                    &n.id,
                    key("nets"),
                    "a net counts several answers as one; a yes-no question has one answer to report".into(),
                ));
            }
            let id = self.name(&n.id, &key("nets.id"))?;
            let mut picked: Vec<usize> = Vec::new();
            for c in n.codes.get_ref() {
                let Some(at) = codes.iter().position(|x| x == c.get_ref()) else {
                    return Err(self.err(
                        c,
                        key("nets.codes"),
                        format!(
                            "'{}' is not one of the question's answers; expected one of {}",
                            echo(c.get_ref()),
                            crate::format::name_list(
                                &codes.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>(),
                                20
                            )
                        ),
                    ));
                };
                if picked.contains(&at) {
                    return Err(self.err(
                        c,
                        key("nets.codes"),
                        format!("'{}' is listed twice", echo(c.get_ref())),
                    ));
                }
                picked.push(at);
            }
            if picked.len() < 2 {
                return Err(self.err(
                    &n.codes,
                    key("nets.codes"),
                    format!("{} code(s); a net counts 2 or more answers as one", picked.len()),
                ));
            }
            picked.sort_unstable();
            out.push(((id, n.label.get_ref().clone()), &n.id, picked));
        }
        Ok(out)
    }

    /// A multi-response question: its set, and one yes-no question per answer (and per
    /// net) appended to `out`.
    fn multi_response(
        &mut self,
        q: &RawQuestion,
        i: usize,
        out: &mut Vec<Question>,
        sets: &mut Vec<MultiResponse>,
        ids: &mut Vec<String>,
    ) -> Result<(), CodebookError> {
        let key = |k: &str| format!("questions[{}].{k}", i + 1);
        let id = self.name(&q.id, &key("id"))?;
        let id = self.unique(ids, &id, &q.id, &key("id"))?;
        if let Some(y) = &q.yes {
            return Err(self.err(
                y,
                key("yes"),
                "applies to yes-no questions only; each answer of a multi-response question is ticked or not".into(),
            ));
        }
        let missing = self.codes(&q.missing, &key("missing"), "missing code")?;
        let clash = |me: &Self, at: &S<String>, k: &str, code: &str| {
            if missing.iter().any(|m| m == code) {
                Err(me.err(
                    at,
                    key(k),
                    format!(
                        "'{}' is also a missing code; expected it in one list only",
                        echo(code)
                    ),
                ))
            } else {
                Ok(())
            }
        };
        // (id, label) of each answer, and the set's columns and coding.
        let (answers, columns, coding): (Vec<(String, String)>, Vec<String>, Coding) = match (
            &q.answers, &q.columns,
        ) {
            (Some(list), None) => {
                if let Some(o) = &q.options {
                    return Err(self.err(
                            o,
                            key("options"),
                            "a multi-response question with answers (one column each) takes counted, not options".into(),
                        ));
                }
                let Some(counted) = &q.counted else {
                    return Err(self.err(
                            list,
                            key("counted"),
                            "a multi-response question with answers names the code that marks one ticked: add counted = \"1\"".into(),
                        ));
                };
                let counted_code = self.name(counted, &key("counted"))?;
                clash(self, counted, "counted", &counted_code)?;
                let not_counted = match &q.not_counted {
                    None => vec!["0".to_string()],
                    Some(list) => {
                        let codes = self.codes(list.get_ref(), &key("not_counted"), "code")?;
                        for (c, code) in list.get_ref().iter().zip(&codes) {
                            clash(self, c, "not_counted", code)?;
                            if *code == counted_code {
                                return Err(self.err(
                                    c,
                                    key("not_counted"),
                                    format!("'{}' is also the counted code", echo(code)),
                                ));
                            }
                        }
                        codes
                    }
                };
                let mut answers = Vec::new();
                let mut columns = Vec::new();
                for a in list.get_ref() {
                    let a = a.get_ref();
                    let column = self.column(&a.id, &key("answers.id"))?;
                    columns.push(column.clone());
                    answers.push((column, a.label.get_ref().clone()));
                }
                (answers, columns, Coding::Dichotomies { counted: counted_code, not_counted })
            }
            (None, Some(list)) => {
                let spans = [
                    ("counted", q.counted.as_ref().map(|v| v.span())),
                    ("not_counted", q.not_counted.as_ref().map(|v| v.span())),
                ];
                if let Some((k, Some(span))) = spans.into_iter().find(|(_, s)| s.is_some()) {
                    return Err(self.err(
                        &S::new(span, ()),
                        key(k),
                        "applies to a multi-response question with answers (one column each); one with columns takes options".into(),
                    ));
                }
                let Some(options) = &q.options else {
                    return Err(self.err(
                            list,
                            key("options"),
                            "a multi-response question with columns lists the answers' codes as options".into(),
                        ));
                };
                let mut columns = Vec::new();
                for c in list.get_ref() {
                    columns.push(self.column(c, &key("columns"))?);
                }
                let mut answers: Vec<(String, String)> = Vec::new();
                for o in options.get_ref() {
                    let o = o.get_ref();
                    let code = self.name(&o.code, &key("options.code"))?;
                    clash(self, &o.code, "options.code", &code)?;
                    if answers.iter().any(|(c, _)| *c == code) {
                        return Err(self.err(
                            &o.code,
                            key("options.code"),
                            format!("option code '{}' is listed twice", echo(&code)),
                        ));
                    }
                    answers.push((code, o.label.get_ref().clone()));
                }
                let codes = answers.iter().map(|(c, _)| c.clone()).collect();
                (answers, columns, Coding::Categories { codes })
            }
            (Some(a), Some(_)) => {
                return Err(self.err(
                        a,
                        key("answers"),
                        "takes answers (one column per answer) or columns (each holding one answer's code), not both".into(),
                    ));
            }
            (None, None) => {
                return Err(self.err(
                        &q.kind,
                        key("answers"),
                        "a multi-response question needs answers (one column per answer, with counted) or columns and options".into(),
                    ));
            }
        };
        if !(2..=MAX_SET_ANSWERS).contains(&answers.len()) {
            return Err(self.err(
                &q.kind,
                key(if matches!(coding, Coding::Dichotomies { .. }) {
                    "answers"
                } else {
                    "options"
                }),
                format!(
                    "{} answers; a multi-response question needs 2 to {MAX_SET_ANSWERS}",
                    answers.len()
                ),
            ));
        }
        let set = sets.len();
        let analyse = q.analyse.as_ref().is_none_or(|a| *a.get_ref());
        let text = q.text.get_ref().clone();
        let label = q.label.as_ref().map(|l| l.get_ref().clone());
        let display = label.clone().unwrap_or_else(|| text.clone());
        let mut questions = Vec::new();
        for (j, (code, answer_label)) in answers.iter().enumerate() {
            let qid = match coding {
                Coding::Dichotomies { .. } => code.clone(),
                Coding::Categories { .. } => format!("{id}_{code}"),
            };
            let qid = self.unique(ids, &qid, &q.id, &key("id"))?;
            questions.push(out.len());
            out.push(derived(
                qid,
                &text,
                &display,
                answer_label,
                analyse,
                QuestionSource::Answer { set, answer: j },
            ));
        }
        let codes: Vec<String> = answers.iter().map(|(c, _)| c.clone()).collect();
        for (net, at, picked) in self.nets(q, &key, &codes, true)? {
            let nid = self.unique(ids, &net.0, at, &key("nets.id"))?;
            out.push(derived(
                nid,
                &text,
                &display,
                &net.1,
                analyse,
                QuestionSource::SetNet { set, answers: picked },
            ));
        }
        sets.push(MultiResponse { id, text, label, columns, coding, missing, questions });
        Ok(())
    }

    fn question_ref(
        &self,
        cb: &Codebook,
        q: &S<String>,
        key: String,
    ) -> Result<usize, CodebookError> {
        cb.question_index(q.get_ref()).ok_or_else(|| {
            self.err(
                q,
                key,
                format!(
                    "no question '{}'; expected one of {}",
                    echo(q.get_ref()),
                    crate::format::name_list(
                        &cb.questions.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
                        10
                    )
                ),
            )
        })
    }

    fn item(
        &self,
        cb: &Codebook,
        q: &S<String>,
        o: &S<String>,
        key: &str,
        option_key: &str,
    ) -> Result<ItemRef, CodebookError> {
        let question = self.question_ref(
            cb,
            q,
            format!("{key}.{}", option_key.replace("option", "question")),
        )?;
        let qq = &cb.questions[question];
        let option = qq.option_index(o.get_ref()).ok_or_else(|| {
            self.err(
                o,
                format!("{key}.{option_key}"),
                format!(
                    "'{}' is not an answer code of '{}'; expected one of {}",
                    echo(o.get_ref()),
                    echo(&qq.id),
                    crate::format::name_list(
                        &qq.options.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
                        10
                    )
                ),
            )
        })?;
        Ok(ItemRef { question, option })
    }

    fn group(&self, cb: &Codebook, g: &S<String>, key: String) -> Result<GroupRef, CodebookError> {
        if g.get_ref() == "all" {
            return Ok(GroupRef::All);
        }
        cb.level_index(g.get_ref()).map(GroupRef::Level).ok_or_else(|| {
            self.err(
                g,
                key,
                format!(
                    "no group '{}'; expected 'all' or one of {}",
                    echo(g.get_ref()),
                    crate::format::name_list(
                        &cb.grouping.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
                        10
                    )
                ),
            )
        })
    }

    fn level_ref(&self, cb: &Codebook, g: &S<String>, key: String) -> Result<usize, CodebookError> {
        match self.group(cb, g, key.clone())? {
            GroupRef::Level(i) => Ok(i),
            GroupRef::All => Err(self.err(
                g,
                key,
                "'all' is not a level here; expected a level of the grouping variable".into(),
            )),
        }
    }

    fn figures(
        &self,
        cb: &Codebook,
        raw: &[S<RawFigure>],
    ) -> Result<Vec<PublishedFigure>, CodebookError> {
        let mut out: Vec<PublishedFigure> = Vec::new();
        for f in raw {
            let r = f.get_ref();
            let id = self.name(&r.id, "figures.id")?;
            let key = format!("figures.{id}");
            if out.iter().any(|o| o.id == id) {
                return Err(self.err(
                    &r.id,
                    format!("{key}.id"),
                    format!("figure id '{}' is used twice", echo(&id)),
                ));
            }
            let item = self.item(cb, &r.question, &r.option, &key, "option")?;
            let group = self.group(cb, &r.group, format!("{key}.group"))?;
            let printed: Figure =
                r.printed.get_ref().parse().map_err(|e: crate::consistency::FigureError| {
                    self.err(&r.printed, format!("{key}.printed"), e.to_string())
                })?;
            if let Some(twin) = out.iter().find(|o| o.item == item && o.group == group) {
                return Err(self.err(
                    f,
                    key,
                    format!(
                        "figure '{}' gives the same answer and group as figure '{}'; expected one figure per answer and group",
                        echo(&id),
                        echo(&twin.id)
                    ),
                ));
            }
            out.push(PublishedFigure {
                label: r.label.as_ref().map_or_else(|| id.clone(), |l| l.get_ref().clone()),
                id,
                item,
                group,
                printed,
                quote: r.quote.get_ref().clone(),
            });
        }
        Ok(out)
    }

    fn claims(&self, cb: &Codebook, raw: &[S<RawClaim>]) -> Result<Vec<Claim>, CodebookError> {
        let mut out: Vec<Claim> = Vec::new();
        for c in raw {
            let r = c.get_ref();
            let id = self.name(&r.id, "claims.id")?;
            if out.iter().any(|o| o.id == id) {
                return Err(self.err(
                    &r.id,
                    "claims.id",
                    format!("claim id '{}' is used twice", echo(&id)),
                ));
            }
            let kind = self.claim_kind(cb, c, &format!("claims.{id}"))?;
            out.push(Claim { id, text: r.text.get_ref().clone(), kind });
        }
        Ok(out)
    }

    fn claim_kind(
        &self,
        cb: &Codebook,
        c: &S<RawClaim>,
        key: &str,
    ) -> Result<ClaimKind, CodebookError> {
        let r = c.get_ref();
        let kind = r.kind.get_ref().as_str();
        // The keys each kind takes (besides id, text and kind).
        let allowed: &[&str] = match kind {
            "majority" => &["question", "option", "groups", "threshold", "check_difference"],
            "ratio" => &["question", "option", "numerator", "denominator", "value", "relation"],
            "groups-differ" => &["question", "option", "groups"],
            "paired" => &["question_a", "option_a", "question_b", "option_b", "groups"],
            "differ" => &["items"],
            other => {
                return Err(self.err(
                    &r.kind,
                    format!("{key}.kind"),
                    format!(
                        "'{}' is not a claim kind; expected majority, ratio, groups-differ, paired or differ",
                        echo(other)
                    ),
                ));
            }
        };
        let present: [(&str, Option<std::ops::Range<usize>>); 14] = [
            ("question", r.question.as_ref().map(Spanned::span)),
            ("option", r.option.as_ref().map(Spanned::span)),
            ("groups", r.groups.as_ref().map(Spanned::span)),
            ("threshold", r.threshold.as_ref().map(Spanned::span)),
            ("check_difference", r.check_difference.as_ref().map(Spanned::span)),
            ("numerator", r.numerator.as_ref().map(Spanned::span)),
            ("denominator", r.denominator.as_ref().map(Spanned::span)),
            ("value", r.value.as_ref().map(Spanned::span)),
            ("relation", r.relation.as_ref().map(Spanned::span)),
            ("question_a", r.question_a.as_ref().map(Spanned::span)),
            ("option_a", r.option_a.as_ref().map(Spanned::span)),
            ("question_b", r.question_b.as_ref().map(Spanned::span)),
            ("option_b", r.option_b.as_ref().map(Spanned::span)),
            ("items", r.items.as_ref().map(Spanned::span)),
        ];
        for (name, span) in &present {
            if let Some(span) = span
                && !allowed.contains(name)
            {
                return Err(self.err(
                    &Spanned::new(span.clone(), ()),
                    format!("{key}.{name}"),
                    format!(
                        "key '{name}' does not apply to a {kind} claim; expected only {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        fn need<'r, T>(
            v: &'r Option<S<T>>,
            name: &str,
            c: &S<RawClaim>,
            key: &str,
            me: &Validator<'_>,
            kind: &str,
        ) -> Result<&'r S<T>, CodebookError> {
            v.as_ref().ok_or_else(|| {
                me.err(c, format!("{key}.{name}"), format!("a {kind} claim needs the key '{name}'"))
            })
        }
        let groups = |me: &Validator<'_>| -> Result<Vec<GroupRef>, CodebookError> {
            let g = need(&r.groups, "groups", c, key, me, kind)?;
            if g.get_ref().is_empty() {
                return Err(me.err(
                    g,
                    format!("{key}.groups"),
                    "is empty; expected at least one group".into(),
                ));
            }
            let mut out: Vec<GroupRef> = Vec::new();
            for x in g.get_ref() {
                let gr = me.group(cb, x, format!("{key}.groups"))?;
                if out.contains(&gr) {
                    return Err(me.err(
                        x,
                        format!("{key}.groups"),
                        format!("group '{}' is listed twice", echo(x.get_ref())),
                    ));
                }
                out.push(gr);
            }
            Ok(out)
        };
        let item = |me: &Validator<'_>| -> Result<ItemRef, CodebookError> {
            let q = need(&r.question, "question", c, key, me, kind)?;
            let o = need(&r.option, "option", c, key, me, kind)?;
            me.item(cb, q, o, key, "option")
        };
        match kind {
            "majority" => {
                let t = need(&r.threshold, "threshold", c, key, self, kind)?;
                let threshold = *t.get_ref();
                if !(threshold > 0.0 && threshold < 1.0) {
                    return Err(self.err(
                        t,
                        format!("{key}.threshold"),
                        format!("{threshold} is not a share strictly between 0 and 1 (e.g. 0.5)"),
                    ));
                }
                Ok(ClaimKind::Majority {
                    item: item(self)?,
                    groups: groups(self)?,
                    threshold,
                    check_difference: r.check_difference.as_ref().is_some_and(|b| *b.get_ref()),
                })
            }
            "ratio" => {
                let v = need(&r.value, "value", c, key, self, kind)?;
                let value = *v.get_ref();
                if !(value.is_finite() && value > 0.0 && value <= 1e9) {
                    return Err(self.err(v, format!("{key}.value"), format!("{value} is not a factor above 0 (e.g. 3.0 for three times), at most 1e9")));
                }
                let rel = need(&r.relation, "relation", c, key, self, kind)?;
                let relation = match rel.get_ref().as_str() {
                    "more-than" => RatioRelation::MoreThan,
                    "about" => RatioRelation::About,
                    other => {
                        return Err(self.err(
                            rel,
                            format!("{key}.relation"),
                            format!(
                                "'{}' is not a relation; expected more-than or about",
                                echo(other)
                            ),
                        ));
                    }
                };
                let num = need(&r.numerator, "numerator", c, key, self, kind)?;
                let den = need(&r.denominator, "denominator", c, key, self, kind)?;
                let numerator = self.group(cb, num, format!("{key}.numerator"))?;
                let denominator = self.group(cb, den, format!("{key}.denominator"))?;
                if numerator == denominator {
                    return Err(self.err(
                        den,
                        format!("{key}.denominator"),
                        "is the numerator's group; expected two different groups".into(),
                    ));
                }
                Ok(ClaimKind::Ratio { item: item(self)?, numerator, denominator, value, relation })
            }
            "groups-differ" => {
                let g = need(&r.groups, "groups", c, key, self, kind)?;
                let mut levels: Vec<usize> = Vec::new();
                for x in g.get_ref() {
                    let l = self.level_ref(cb, x, format!("{key}.groups"))?;
                    if levels.contains(&l) {
                        return Err(self.err(
                            x,
                            format!("{key}.groups"),
                            format!("group '{}' is listed twice", echo(x.get_ref())),
                        ));
                    }
                    levels.push(l);
                }
                if levels.len() < 2 {
                    return Err(self.err(
                        g,
                        format!("{key}.groups"),
                        format!("{} group(s); expected at least two to compare", levels.len()),
                    ));
                }
                Ok(ClaimKind::GroupsDiffer { item: item(self)?, groups: levels })
            }
            "paired" => {
                let qa = need(&r.question_a, "question_a", c, key, self, kind)?;
                let oa = need(&r.option_a, "option_a", c, key, self, kind)?;
                let qb = need(&r.question_b, "question_b", c, key, self, kind)?;
                let ob = need(&r.option_b, "option_b", c, key, self, kind)?;
                let a = self.item(cb, qa, oa, key, "option_a")?;
                let b = self.item(cb, qb, ob, key, "option_b")?;
                for (item, q, name) in [(a, qa, "question_a"), (b, qb, "question_b")] {
                    if cb.questions[item.question].kind != QuestionKind::YesNo {
                        return Err(self.err(
                            q,
                            format!("{key}.{name}"),
                            format!("'{}' is a single-choice question; a paired claim compares two yes-no questions", echo(q.get_ref())),
                        ));
                    }
                }
                if a.question == b.question {
                    return Err(self.err(
                        qb,
                        format!("{key}.question_b"),
                        "is question_a; expected two different questions".into(),
                    ));
                }
                Ok(ClaimKind::Paired { a, b, groups: groups(self)? })
            }
            _ => {
                let list = need(&r.items, "items", c, key, self, kind)?;
                if cb.grouping.levels.len() != 2 {
                    return Err(self.err(
                        list,
                        format!("{key}.items"),
                        format!(
                            "a differ claim compares two groups; the grouping has {}",
                            cb.grouping.levels.len()
                        ),
                    ));
                }
                if list.get_ref().is_empty() {
                    return Err(self.err(
                        list,
                        format!("{key}.items"),
                        "is empty; expected 'question:option' items".into(),
                    ));
                }
                let mut items: Vec<ItemRef> = Vec::new();
                for s in list.get_ref() {
                    let Some((q, o)) = s.get_ref().split_once(':') else {
                        return Err(self.err(
                            s,
                            format!("{key}.items"),
                            format!(
                                "'{}' is not 'question:option' (e.g. main_use:1)",
                                echo(s.get_ref())
                            ),
                        ));
                    };
                    let spanned = |v: &str| Spanned::new(s.span(), v.to_string());
                    let it = self.item(cb, &spanned(q), &spanned(o), key, "items")?;
                    if items.contains(&it) {
                        return Err(self.err(
                            s,
                            format!("{key}.items"),
                            format!("'{}' is listed twice", echo(s.get_ref())),
                        ));
                    }
                    items.push(it);
                }
                Ok(ClaimKind::Differ { items })
            }
        }
    }

    fn assumptions(
        &self,
        cb: &Codebook,
        raw: &[S<RawAssumption>],
    ) -> Result<Vec<AssumedCount>, CodebookError> {
        let mut out: Vec<AssumedCount> = Vec::new();
        for (i, a) in raw.iter().enumerate() {
            let r = a.get_ref();
            let key = format!("assumptions[{}]", i + 1);
            let item = self.item(cb, &r.question, &r.option, &key, "option")?;
            let group = self.level_ref(cb, &r.group, format!("{key}.group"))?;
            let count =
                non_negative(&r.count).filter(|&c| c <= MAX_PUBLISHED_SIZE).ok_or_else(|| {
                    self.err(
                        &r.count,
                        format!("{key}.count"),
                        format!(
                            "{} is not a count from 0 to {MAX_PUBLISHED_SIZE}",
                            r.count.get_ref()
                        ),
                    )
                })?;
            if out.iter().any(|o| o.item == item && o.group == group) {
                return Err(self.err(
                    a,
                    key,
                    "assumes a count for the same answer and group twice".into(),
                ));
            }
            out.push(AssumedCount { item, group, count, why: r.why.get_ref().clone() });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
id_column = "id"
[study]
id = "s"
title = "t"
source = "src"
[grouping]
column = "g"
levels = [{ id = "a", code = "1", label = "A" }, { id = "b", code = "2", label = "B" }]
[[questions]]
id = "q"
text = "q?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
"#;

    fn error(extra: &str) -> String {
        let text = format!("{BASE}{extra}");
        match parse(&text, Path::new("cb.toml")) {
            Ok(_) => panic!("accepted: {extra}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_base_codebook_is_valid() {
        let cb = parse(BASE, Path::new("cb.toml")).unwrap();
        assert_eq!(cb.questions[0].id, "q");
        assert_eq!(cb.rounding(), Rounding::HalfUp);
        assert_eq!(cb.column_origin("g").unwrap().line, 8);
    }

    #[test]
    fn claims_are_validated_with_their_position() {
        let claim = |body: &str| format!("[[claims]]\nid = \"C\"\ntext = \"t\"\n{body}\n");
        let e = error(&claim(
            "kind = \"majority\"\nquestion = \"q\"\noption = \"1\"\ngroups = [\"a\"]\nthreshold = 1.5",
        ));
        assert_eq!(
            e,
            "cb.toml: line 22, column 13: claims.C.threshold: 1.5 is not a share strictly between 0 and 1 (e.g. 0.5)"
        );
        let e = error(&claim(
            "kind = \"majority\"\nquestion = \"q\"\noption = \"1\"\ngroups = [\"a\"]\nthreshold = nan",
        ));
        assert!(e.contains("NaN is not a share"), "{e}");
        let e = error(&claim(
            "kind = \"majority\"\nquestion = \"nope\"\noption = \"1\"\ngroups = [\"a\"]\nthreshold = 0.5",
        ));
        assert!(
            e.contains("line 19, column 12") && e.contains("no question 'nope'; expected one of q"),
            "{e}"
        );
        let e = error(&claim("kind = \"differ\"\nitems = [\"q1\"]"));
        assert!(e.contains("'q1' is not 'question:option'"), "{e}");
        let e = error(&claim(
            "kind = \"majority\"\nquestion = \"q\"\noption = \"1\"\ngroups = [\"a\"]\nthreshold = 0.5\nvalue = 3.0",
        ));
        assert!(e.contains("key 'value' does not apply to a majority claim"), "{e}");
        let e = error(&claim(
            "kind = \"majority\"\nquestion = \"q\"\noption = \"1\"\ngroups = [\"a\"]\nthreshhold = 0.5",
        ));
        assert!(e.contains("unknown field `threshhold`"), "{e}");
        let e = error(&claim(
            "kind = \"ratio\"\nquestion = \"q\"\noption = \"1\"\nnumerator = \"a\"\ndenominator = \"zz\"\nvalue = 3.0\nrelation = \"more-than\"",
        ));
        assert!(e.contains("no group 'zz'; expected 'all' or one of a, b"), "{e}");
    }

    #[test]
    fn the_yes_answer_is_named_not_taken_from_the_order() {
        // "No" listed first: the key (or the label) still makes "1" the yes answer.
        let reversed = r#"options = [{ code = "0", label = "No" }, { code = "1", label = "Yes" }]"#;
        let plain = r#"options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]"#;
        let cb = parse(&BASE.replace(plain, reversed), Path::new("cb.toml")).unwrap();
        assert_eq!(cb.questions[0].options[0].code, "1");
        let keyed = r#"yes = "a"
options = [{ code = "d", label = "Disagree" }, { code = "a", label = "Agree" }]"#;
        let cb = parse(&BASE.replace(plain, keyed), Path::new("cb.toml")).unwrap();
        assert_eq!(cb.questions[0].options[0].label, "Agree");
        let unnamed =
            r#"options = [{ code = "d", label = "Disagree" }, { code = "a", label = "Agree" }]"#;
        let e = parse(&BASE.replace(plain, unnamed), Path::new("cb.toml")).unwrap_err().to_string();
        assert!(
            e.contains("a yes-no question names its yes answer: add yes = \"d\" (or \"a\"), or label one option \"Yes\""),
            "{e}"
        );
        let wrong = format!("yes = \"7\"\n{plain}");
        let e = parse(&BASE.replace(plain, &wrong), Path::new("cb.toml")).unwrap_err().to_string();
        assert!(
            e.contains("questions[1].yes: '7' is not an option code; expected one of '1', '0'"),
            "{e}"
        );
    }

    #[test]
    fn windows_and_sizes_are_bounded() {
        let text = BASE.replace(
            "{ id = \"a\", code = \"1\", label = \"A\" }",
            "{ id = \"a\", code = \"1\", label = \"A\", published_size = { phrase = \"p\", min = 60, max = 50 } }",
        );
        let e = parse(&text, Path::new("cb.toml")).unwrap_err().to_string();
        assert!(e.contains("50 is below min = 60"), "{e}");
        let text = BASE.replace(
            "{ id = \"a\", code = \"1\", label = \"A\" }",
            "{ id = \"a\", code = \"1\", label = \"A\", published_size = { phrase = \"p\", min = 50, max = 60, search = [1, 1000000] } }",
        );
        let e = parse(&text, Path::new("cb.toml")).unwrap_err().to_string();
        assert!(e.contains("at most 1000 are searched"), "{e}");
    }
}
