//! A codebook drafted from a responses file (`invitestat init`): each column read once,
//! its distinct values counted (up to [`MAX_DISTINCT`]), and classified with the
//! evidence written beside it in the draft:
//!
//! | column | when | in the draft |
//! |---|---|---|
//! | id | `--id`, else the first column whose values are all distinct and non-empty (one named like "id" first) | `id_column` |
//! | weight | `--weight`, else a column named `weight`, `weights`, `wt` or `w` whose values are all positive numbers | `weight_column` |
//! | group | `--group`, else the first categorical column with 2 to 10 values | `[grouping]`, one level per value |
//! | categorical | 2 to [`MAX_CATEGORIES`] distinct values, some repeated | a question: yes-no when the two values are 1/0, yes/no, y/n or true/false (the first of each pair is yes), else single-choice |
//! | numeric | more than [`MAX_CATEGORIES`] distinct numbers | left out, with its range |
//! | free text | more than [`MAX_CATEGORIES`] distinct values, not numbers | left out |
//! | id-like | every value distinct | left out |
//! | constant or empty | fewer than two values | left out |
//!
//! Left-out columns are ignored by `analyze` (and listed in its summary), so the draft
//! runs unchanged on the file it was drafted from. Empty cells are missing answers.
//! Option labels are the codes: the draft says to edit them.
//!
//! An SPSS or Stata file's dictionary ([`Dictionary`]) adds what the file says: the
//! variable labels are the question texts, the value labels the options' and levels'
//! labels (labelled codes first, a labelled code nobody chose named in a comment), the
//! declared missing codes the `missing` key (and left out of the distinct values), the
//! weight variable the weight, and each multiple-response set a multi-response question
//! (dichotomies counted at the set's value, every other value seen not counted; or
//! categories, every value seen an answer).

use super::convert::{ColumnInfo, Dictionary, ResponseSet};
use super::loader::LoadOptions;
use crate::format::{echo, toml_comment, toml_string};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Distinct values remembered per column; past it a column is numeric, free text or
/// id-like.
pub const MAX_DISTINCT: usize = 1_000;

/// Most distinct values of a column drafted as a question.
pub const MAX_CATEGORIES: usize = 20;

/// Why a file could not be drafted from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The file could not be read.
    #[error("{}: {cause}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("{}: line {line}: {message}", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// The line (header = 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A column asked for, or one the codebook needs, is not there or does not fit.
    #[error("{}: {message}", file.display())]
    Column {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Columns the user names instead of letting `init` choose.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The grouping column.
    pub group: Option<String>,
    /// The weight column.
    pub weight: Option<String>,
    /// The id column.
    pub id: Option<String>,
    /// How the file is read (its delimiter).
    pub load: LoadOptions,
}

/// What one column holds.
#[derive(Debug, Clone, Default)]
struct Profile {
    /// Distinct non-empty values and their counts (complete unless `overflow`).
    counts: HashMap<String, u64>,
    /// First-seen order of the distinct values.
    order: Vec<String>,
    overflow: bool,
    empty: u64,
    numeric: bool,
    positive: bool,
    min: f64,
    max: f64,
    longest: usize,
    /// Codes the file declares missing, as seen, with their counts (not in `counts`).
    declared: Vec<(String, u64)>,
}

impl Profile {
    fn new() -> Self {
        Profile {
            numeric: true,
            positive: true,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Self::default()
        }
    }

    fn add(&mut self, value: &str, info: Option<&ColumnInfo>) {
        let v = value.trim();
        if v.is_empty() {
            self.empty += 1;
            return;
        }
        if info.is_some_and(|c| c.is_missing(v)) {
            match self.declared.iter_mut().find(|(c, _)| c == v) {
                Some(d) => d.1 += 1,
                None => self.declared.push((v.to_string(), 1)),
            }
            return;
        }
        self.longest = self.longest.max(v.chars().count());
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => {
                self.min = self.min.min(x);
                self.max = self.max.max(x);
                self.positive &= x > 0.0;
            }
            _ => {
                self.numeric = false;
                self.positive = false;
            }
        }
        if let Some(n) = self.counts.get_mut(v) {
            *n += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(v.to_string(), 1);
            self.order.push(v.to_string());
        } else {
            self.overflow = true;
        }
    }

    fn distinct(&self) -> usize {
        self.counts.len()
    }

    fn all_distinct(&self, rows: u64) -> bool {
        !self.overflow && self.empty == 0 && self.distinct() as u64 == rows && rows > 1
            || self.overflow && self.counts.values().all(|&n| n == 1) && self.empty == 0
    }

    fn categorical(&self) -> bool {
        !self.overflow && (2..=MAX_CATEGORIES).contains(&self.distinct())
    }

    /// The values in the order a reader expects: numbers ascending, else first seen.
    fn values(&self) -> Vec<String> {
        let mut v = self.order.clone();
        if self.numeric {
            v.sort_by(|a, b| {
                a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0))
            });
        }
        v
    }

    fn evidence(&self, rows: u64) -> String {
        let distinct = if self.overflow && self.counts.values().all(|&n| n == 1) {
            format!("more than {MAX_DISTINCT} distinct values, the first {MAX_DISTINCT} each once")
        } else if self.overflow {
            format!("more than {MAX_DISTINCT} distinct values")
        } else {
            format!("{} distinct value(s)", self.distinct())
        };
        let empty = if self.empty > 0 { format!(", {} empty", self.empty) } else { String::new() };
        let declared: u64 = self.declared.iter().map(|d| d.1).sum();
        let empty = if declared > 0 {
            format!("{empty}, {declared} with a code the file declares missing")
        } else {
            empty
        };
        let range = if self.numeric && self.min.is_finite() {
            format!(", numbers {} to {}", self.min, self.max)
        } else {
            String::new()
        };
        format!("{distinct} in {rows} rows{empty}{range}")
    }
}

/// The yes code of two values that read as yes and no, if they do.
fn yes_of(values: &[String]) -> Option<String> {
    let pairs = [("1", "0"), ("yes", "no"), ("y", "n"), ("true", "false")];
    let lower: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
    pairs.iter().find_map(|(y, n)| {
        (lower.len() == 2 && lower.contains(&y.to_string()) && lower.contains(&n.to_string()))
            .then(|| values[lower.iter().position(|v| v == y).unwrap_or(0)].clone())
    })
}

/// A multi-response question drafted from a file's multiple-response set: a set of
/// dichotomies counted at its counted value (every other value seen not counted), or a
/// set of categories with every value seen as an answer; the columns' missing codes.
fn draft_set(
    set: &ResponseSet,
    names: &[String],
    profiles: &[Profile],
    info: &[Option<&ColumnInfo>],
) -> String {
    let cols: Vec<usize> =
        set.columns.iter().filter_map(|c| names.iter().position(|n| n == c)).collect();
    let mut t = String::from("\n[[questions]]\n");
    let id = if names.contains(&set.name) { format!("{}_set", set.name) } else { set.name.clone() };
    let kind = if set.counted.is_some() { "dichotomies" } else { "categories" };
    t += &toml_comment(&format!(
        "${}: the file's multiple-response set of {} columns ({kind}): multi-response",
        set.name,
        cols.len()
    ));
    let text = if set.label.is_empty() { set.name.clone() } else { set.label.clone() };
    let _ = writeln!(
        t,
        "id = {}\ntext = {}\nkind = \"multi-response\"",
        toml_string(&id),
        toml_string(&text)
    );
    let mut seen: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for &c in &cols {
        for v in labelled_first(profiles[c].values(), info[c]) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        for m in declared_missing(&profiles[c], info[c]) {
            if !missing.contains(&m) {
                missing.push(m);
            }
        }
    }
    let quoted = |v: &[String]| v.iter().map(|c| toml_string(c)).collect::<Vec<_>>().join(", ");
    match &set.counted {
        Some(counted) => {
            let not: Vec<String> = seen.iter().filter(|v| *v != counted).cloned().collect();
            let _ = writeln!(t, "counted = {}", toml_string(counted));
            if not != ["0"] {
                let _ = writeln!(t, "not_counted = [{}]", quoted(&not));
            }
            let answers: Vec<String> = cols
                .iter()
                .map(|&c| {
                    let label =
                        info[c].and_then(|i| i.label.clone()).unwrap_or_else(|| names[c].clone());
                    format!(
                        "  {{ id = {}, label = {} }},",
                        toml_string(&names[c]),
                        toml_string(&label)
                    )
                })
                .collect();
            let _ = writeln!(t, "answers = [\n{}\n]", answers.join("\n"));
        }
        None => {
            let columns: Vec<String> = cols.iter().map(|&c| names[c].clone()).collect();
            let _ = writeln!(t, "columns = [{}]", quoted(&columns));
            let options: Vec<String> = seen
                .iter()
                .map(|v| {
                    let label =
                        cols.iter().find_map(|&c| info[c].and_then(|i| i.label_of(v))).unwrap_or(v);
                    format!("{{ code = {}, label = {} }}", toml_string(v), toml_string(label))
                })
                .collect();
            let _ = writeln!(t, "options = [{}]", options.join(", "));
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(t, "missing = [{}]", quoted(&missing));
    }
    t
}

/// The yes code of two values labelled yes and no (any case), if they are.
fn yes_by_label(values: &[String], labels: &[Option<String>]) -> Option<String> {
    let lower: Vec<String> =
        labels.iter().map(|l| l.as_deref().unwrap_or("").trim().to_lowercase()).collect();
    (values.len() == 2 && lower.contains(&"yes".to_string()) && lower.contains(&"no".to_string()))
        .then(|| values[lower.iter().position(|l| l == "yes").unwrap_or(0)].clone())
}

/// The values seen, those with a value label first in the file's label order.
fn labelled_first(values: Vec<String>, info: Option<&ColumnInfo>) -> Vec<String> {
    let Some(c) = info else { return values };
    let mut out: Vec<String> = c
        .values
        .iter()
        .map(|(code, _)| code.clone())
        .filter(|code| values.contains(code))
        .collect();
    out.extend(values.into_iter().filter(|v| c.label_of(v).is_none()));
    out
}

/// The codes a question's draft declares missing: the file's discrete missing codes,
/// and the codes seen inside its missing range.
fn declared_missing(p: &Profile, info: Option<&ColumnInfo>) -> Vec<String> {
    let Some(c) = info else { return Vec::new() };
    let mut out: Vec<String> = c.missing.clone();
    out.extend(
        p.declared.iter().map(|(code, _)| code.clone()).filter(|code| !c.missing.contains(code)),
    );
    out
}

fn id_of(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() || s == "all" { format!("level-{s}") } else { s }
}

/// Drafts a codebook for the responses file at `path` (CSV, or a workbook with the
/// `excel` feature): its TOML text, commented.
///
/// # Errors
/// [`InitError`] for an unreadable or malformed file, a named column it lacks, or a file
/// with no column that can be the id or the grouping.
///
/// # Examples
/// ```
/// use invitestat::Codebook;
/// use invitestat::data::init::{InitOptions, draft_codebook};
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/two-groups-example"));
/// let toml = draft_codebook(&dir.join("responses.csv"), &InitOptions::default())?;
/// let codebook = Codebook::from_toml(&toml, std::path::Path::new("codebook.toml"))?;
/// assert_eq!(codebook.id_column, "respondent_id");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn draft_codebook(path: &Path, options: &InitOptions) -> Result<String, InitError> {
    let refused = |e: super::LoadError| InitError::Column {
        file: path.to_path_buf(),
        message: e.to_string().trim_start_matches(&format!("{}: ", path.display())).to_string(),
    };
    match super::convert::open(path).map_err(refused)? {
        Some(c) => draft_from(&c.csv, path, c.dictionary.as_ref(), options),
        None => draft_from(path, path, None, options),
    }
}

/// Drafts from the CSV at `source`, naming `path` (the file the user gave).
fn draft_from(
    source: &Path,
    path: &Path,
    dictionary: Option<&Dictionary>,
    options: &InitOptions,
) -> Result<String, InitError> {
    let file = std::fs::File::open(source)
        .map_err(|cause| InitError::Io { file: path.to_path_buf(), cause })?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(options.load.delimiter)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let csv_error = |e: csv::Error| InitError::Csv {
        file: path.to_path_buf(),
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let names: Vec<String> = rdr
        .headers()
        .map_err(csv_error)?
        .iter()
        .enumerate()
        .map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}') } else { h }.to_string())
        .collect();
    let column_err = |message: String| InitError::Column { file: path.to_path_buf(), message };
    if names.iter().all(String::is_empty) {
        return Err(column_err("no header; expected a first line naming the columns".into()));
    }
    let mut profiles: Vec<Profile> = names.iter().map(|_| Profile::new()).collect();
    let info: Vec<Option<&ColumnInfo>> = names
        .iter()
        .map(|n| dictionary.and_then(|d| d.columns.iter().find(|c| c.name == *n)))
        .collect();
    let mut rows = 0u64;
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_error)? {
        rows += 1;
        for ((p, v), c) in profiles.iter_mut().zip(record.iter()).zip(&info) {
            p.add(v, *c);
        }
    }
    let label_of =
        |i: usize, code: &str| info[i].and_then(|c| c.label_of(code)).map(str::to_string);
    if rows == 0 {
        return Err(column_err(
            "no data rows after the header; expected at least one respondent".into(),
        ));
    }
    let find = |name: &str, what: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            column_err(format!(
                "no column '{}' for {what}; the file has the columns {}",
                echo(name),
                crate::format::name_list(&names, 20)
            ))
        })
    };
    let id = match &options.id {
        Some(n) => find(n, "--id")?,
        None => {
            let distinct: Vec<usize> =
                (0..names.len()).filter(|&i| profiles[i].all_distinct(rows)).collect();
            *distinct
                .iter()
                .find(|&&i| names[i].to_lowercase().contains("id"))
                .or(distinct.first())
                .ok_or_else(|| {
                    column_err("no column has a distinct, non-empty value in every row to be the respondent id; add one, or name it with --id".into())
                })?
        }
    };
    let weight = match &options.weight {
        Some(n) => {
            let i = find(n, "--weight")?;
            if !profiles[i].positive || profiles[i].empty > 0 {
                return Err(column_err(format!(
                    "--weight {}: not a positive number in every row ({})",
                    echo(n),
                    profiles[i].evidence(rows)
                )));
            }
            Some(i)
        }
        None => (0..names.len()).find(|&i| {
            i != id
                && (["weight", "weights", "wt", "w"].contains(&names[i].to_lowercase().as_str())
                    || dictionary.and_then(|d| d.weight.as_deref()) == Some(names[i].as_str()))
                && profiles[i].positive
                && profiles[i].empty == 0
        }),
    };
    let group = match &options.group {
        Some(n) => {
            let i = find(n, "--group")?;
            if !profiles[i].categorical() {
                return Err(column_err(format!(
                    "--group {}: a grouping needs 2 to {MAX_CATEGORIES} values ({})",
                    echo(n),
                    profiles[i].evidence(rows)
                )));
            }
            i
        }
        None => (0..names.len())
            .find(|&i| {
                i != id
                    && Some(i) != weight
                    && profiles[i].categorical()
                    && profiles[i].distinct() <= 10
            })
            .ok_or_else(|| {
                column_err(
                    "no column has 2 to 10 values to compare groups by; name one with --group"
                        .into(),
                )
            })?,
    };

    let mut t = String::new();
    t += &toml_comment(&format!(
        "Codebook drafted by `invitestat init` from {}: {rows} rows,",
        path.display()
    ));
    t += "# each column's evidence above it. Edit the labels (they are the codes), the\n";
    t += "# question texts and the missing codes, then run `invitestat analyze` with it.\n\n";
    t += &toml_comment(&format!(
        "{}: {} (the respondent id)",
        names[id],
        profiles[id].evidence(rows)
    ));
    let _ = writeln!(t, "id_column = {}", toml_string(&names[id]));
    if let Some(w) = weight {
        t += &toml_comment(&format!("{}: {} (the weight)", names[w], profiles[w].evidence(rows)));
        let _ = writeln!(t, "weight_column = {}", toml_string(&names[w]));
    }
    let stem = path.file_stem().map_or("survey".into(), |s| s.to_string_lossy().into_owned());
    let _ = writeln!(
        t,
        "\n[study]\nid = {}\ntitle = {}\nsource = {}\nunit = \"respondent\"\n",
        toml_string(&id_of(&stem)),
        toml_string(&stem),
        toml_string(&path.display().to_string())
    );
    t += "[grouping]\n";
    t += &toml_comment(&format!(
        "{}: {} (the groups compared)",
        names[group],
        profiles[group].evidence(rows)
    ));
    let _ = writeln!(t, "column = {}", toml_string(&names[group]));
    let mut level_ids: Vec<String> = Vec::new();
    for v in labelled_first(profiles[group].values(), info[group]) {
        let mut lid = id_of(&label_of(group, &v).unwrap_or_else(|| v.clone()));
        while level_ids.contains(&lid) {
            lid.push('x');
        }
        level_ids.push(lid.clone());
        let _ = writeln!(
            t,
            "\n[[grouping.levels]]\nid = {}\ncode = {}\nlabel = {}",
            toml_string(&lid),
            toml_string(&v),
            toml_string(&label_of(group, &v).unwrap_or_else(|| v.clone()))
        );
    }
    let mut left_out: Vec<String> = Vec::new();
    let mut questions = 0;
    // The file's multiple-response sets whose columns are all there (and none the id,
    // the grouping or the weight): each drafted once, where its first column is.
    let mut set_of: Vec<Option<usize>> = vec![None; names.len()];
    let sets: Vec<&ResponseSet> = dictionary.map(|d| d.sets.iter().collect()).unwrap_or_default();
    for (si, set) in sets.iter().enumerate() {
        let cols: Option<Vec<usize>> =
            set.columns.iter().map(|c| names.iter().position(|n| n == c)).collect();
        match cols {
            Some(cols)
                if cols.len() >= 2
                    && cols.iter().all(|&c| {
                        c != id
                            && c != group
                            && Some(c) != weight
                            && set_of[c].is_none()
                            && !profiles[c].overflow
                    }) =>
            {
                for c in cols {
                    set_of[c] = Some(si);
                }
            }
            _ => left_out.push(toml_comment(&format!(
                "multiple-response set ${}: not drafted (a column is missing, is the id, grouping or weight, is in another set, or holds more than {MAX_DISTINCT} values)",
                set.name
            ))),
        }
    }
    let mut sets_done = vec![false; sets.len()];
    for (i, name) in names.iter().enumerate() {
        if i == id || i == group || Some(i) == weight {
            continue;
        }
        if let Some(si) = set_of[i] {
            if !sets_done[si] {
                sets_done[si] = true;
                t += &draft_set(sets[si], &names, &profiles, &info);
                questions += 1;
            }
            continue;
        }
        let p = &profiles[i];
        let evidence = p.evidence(rows);
        let why = if p.distinct() < 2 && !p.overflow {
            Some("fewer than two values: nothing to compare")
        } else if p.all_distinct(rows) {
            Some("id-like: every value distinct")
        } else if !p.categorical() && p.numeric {
            Some("numeric: more distinct values than a categorical question has")
        } else if !p.categorical() {
            Some(if p.longest > 30 {
                "free text"
            } else {
                "too many distinct values for a categorical question"
            })
        } else {
            None
        };
        if let Some(why) = why {
            left_out.push(toml_comment(&format!("{name}: {evidence}: left out ({why})")));
            continue;
        }
        let values = labelled_first(p.values(), info[i]);
        let labels: Vec<Option<String>> = values.iter().map(|v| label_of(i, v)).collect();
        let yes = yes_of(&values).or_else(|| yes_by_label(&values, &labels));
        let kind = if yes.is_some() { "yes-no" } else { "single-choice" };
        t += "\n[[questions]]\n";
        t += &toml_comment(&format!("{name}: {evidence}: {kind}"));
        if let Some(c) = info[i] {
            let unseen: Vec<String> = c
                .values
                .iter()
                .filter(|(code, _)| !values.contains(code) && !c.is_missing(code))
                .map(|(code, label)| format!("{code} ({label})"))
                .collect();
            if !unseen.is_empty() {
                t += &toml_comment(&format!("labelled but not seen: {}", unseen.join(", ")));
            }
        }
        let text = info[i].and_then(|c| c.label.clone()).unwrap_or_else(|| name.clone());
        let _ = writeln!(
            t,
            "id = {}\ntext = {}\nkind = \"{kind}\"",
            toml_string(name),
            toml_string(&text)
        );
        if let Some(y) = &yes {
            let _ = writeln!(t, "yes = {}", toml_string(y));
        }
        let options: Vec<String> = values
            .iter()
            .zip(&labels)
            .map(|(v, l)| {
                let label = match (&yes, l) {
                    (_, Some(l)) => l.clone(),
                    (Some(y), None) if v == y => "Yes".to_string(),
                    (Some(_), None) => "No".to_string(),
                    (None, None) => v.clone(),
                };
                format!("{{ code = {}, label = {} }}", toml_string(v), toml_string(&label))
            })
            .collect();
        let _ = writeln!(t, "options = [{}]", options.join(", "));
        let missing = declared_missing(p, info[i]);
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| toml_string(m)).collect();
            let _ = writeln!(t, "missing = [{}]", list.join(", "));
        }
        questions += 1;
    }
    if questions == 0 {
        return Err(column_err(format!(
            "no column besides the id and the grouping holds a categorical answer (2 to {MAX_CATEGORIES} values); the columns: {}",
            crate::format::name_list(&names, 20)
        )));
    }
    if !left_out.is_empty() {
        t += "\n# Columns left out (analyze ignores them and lists them in its summary):\n";
        for l in left_out {
            t += &l;
        }
    }
    Ok(t)
}
