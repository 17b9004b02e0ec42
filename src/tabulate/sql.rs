//! The SQL query that computes a codebook's count table inside an engine (DuckDB,
//! Spark SQL, PostgreSQL, BigQuery), so that only the counts leave it: its result is the
//! long-format count file [`super::counts_file::read_counts`] reads, and `merge` analyses.
//!
//! The query reads every column as text, trimmed, with an empty cell as no answer, and
//! derives nets and the answers of multi-response questions as the loader does. What
//! the loader refuses is not dropped: an unknown group or answer code reaches the
//! result as it is (or, for a column of a derived answer, as `unknown code ...`), and a
//! missing, negative or non-numeric weight makes its sums `NaN`, so `merge` refuses the
//! file naming the line (as it refuses an empty stratum or cluster code, and an fpc that
//! differs within a stratum, which the query makes `NaN`).

use crate::codebook::{Codebook, Coding, Source};
use std::fmt::Write as _;

/// An SQL engine's spelling of identifiers, strings and types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB.
    DuckDb,
    /// Spark SQL (and Databricks).
    Spark,
    /// PostgreSQL.
    Postgres,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 4] =
        [Dialect::DuckDb, Dialect::Spark, Dialect::Postgres, Dialect::BigQuery];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
            Dialect::BigQuery => "bigquery",
        }
    }

    /// The dialect of a name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// A quoted identifier.
    fn ident(self, name: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::BigQuery => {
                format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
            }
        }
    }

    /// A string literal.
    fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            Dialect::Spark | Dialect::BigQuery => {
                format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
    }

    fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark | Dialect::BigQuery => "STRING",
        }
    }

    fn double_type(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "DOUBLE",
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::BigQuery => "FLOAT64",
        }
    }

    /// How the engine is told to read every column of a CSV file as text.
    fn reading_note(self) -> &'static str {
        match self {
            Dialect::DuckDb => "read_csv('responses.csv', all_varchar = true)",
            Dialect::Spark => "spark.read.csv(path, header=True) (inferSchema off: text)",
            Dialect::Postgres => "a table whose columns are TEXT",
            Dialect::BigQuery => "a table loaded with every column as STRING",
        }
    }
}

/// A codebook the query cannot be written for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    /// Why.
    pub message: String,
}

/// The query computing `codebook`'s count table from table `table` (any `FROM` item:
/// a name, or for DuckDB `read_csv('wave.csv', all_varchar = true)`), in `dialect`:
/// rows `question,option,group,count,weight_sum,weight_sq_sum` with the respondents per
/// group (question and option `*`), each question's answers and missing answers (an
/// empty option), and the joint tables of paired claims and of every two answers of a
/// multi-response question (question `A&B`, option `1&0`), exactly as
/// `invitestat tabulate` counts them. Under a `[design]` of strata, clusters and an fpc,
/// the respondents' and answers' rows are per stratum and cluster, with the columns
/// `positive,stratum,cluster,fpc` (respondents of positive weight, the codes, and on the
/// respondents' rows the stratum's fpc): the totals the design's variance needs.
///
/// # Errors
/// [`SqlError`] for a codebook with a `[weighting]` or replicate weights: the long
/// format carries no calibration or replicate totals.
///
/// # Examples
/// ```
/// use invitestat::codebook::Codebook;
/// use invitestat::tabulate::sql::{Dialect, count_query};
/// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online"));
/// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
/// let sql = count_query(&codebook, Dialect::DuckDb, "responses")?;
/// assert!(sql.contains("UNION ALL"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn count_query(codebook: &Codebook, dialect: Dialect, table: &str) -> Result<String, SqlError> {
    let refused = if codebook.weighting.is_some() {
        Some("[weighting]: the long-format count table carries no calibration totals")
    } else if codebook.design.as_ref().is_some_and(|d| d.replicates.is_some()) {
        Some(
            "design with replicate weights: the long-format count table carries no replicate totals",
        )
    } else {
        None
    };
    if let Some(what) = refused {
        return Err(SqlError {
            message: format!(
                "the codebook declares a {what}; count the file with invitestat tabulate"
            ),
        });
    }
    let design = codebook.design.as_ref();
    let strata = design.and_then(|d| d.strata_column.as_deref());
    let clusters = design.and_then(|d| d.cluster_column.as_deref());
    let fpc = design.and_then(|d| d.fpc_column.as_deref());
    let q = |name: &str| dialect.ident(name);
    let s = |text: &str| dialect.string(text);
    let list = |codes: &[&str]| codes.iter().map(|c| s(c)).collect::<Vec<_>>().join(", ");
    // The columns read, each once, as trimmed text with an empty cell as NULL: c0, c1...
    let mut columns: Vec<&str> = vec![codebook.grouping.column.as_str()];
    if let Some(w) = &codebook.weight_column {
        columns.push(w);
    }
    columns.extend(strata.into_iter().chain(clusters).chain(fpc));
    for question in &codebook.questions {
        if matches!(question.source, Source::Column) {
            columns.push(&question.id);
        }
    }
    for set in &codebook.sets {
        columns.extend(set.columns.iter().map(String::as_str));
    }
    let mut seen = Vec::new();
    columns.retain(|c| {
        let new = !seen.contains(c);
        seen.push(*c);
        new
    });
    let c = |name: &str| format!("c{}", columns.iter().position(|x| *x == name).unwrap_or(0));
    let text = dialect.text_type();
    let double = dialect.double_type();

    // Each question's answer (its option code) or NULL when missing.
    let column_answer = |qi: usize| {
        let question = &codebook.questions[qi];
        let col = c(&question.id);
        let missing: Vec<&str> = question.missing.iter().map(String::as_str).collect();
        if missing.is_empty() {
            col
        } else {
            format!("CASE WHEN {col} IN ({}) THEN NULL ELSE {col} END", list(&missing))
        }
    };
    let unknown = |message: &str, col: &str| format!("CONCAT({}, {col})", s(message));
    let answer = |qi: usize| -> String {
        let question = &codebook.questions[qi];
        let yes = question.options.first().map_or("1", |o| o.code.as_str());
        let no = question.options.get(1).map_or("0", |o| o.code.as_str());
        match &question.source {
            Source::Column => column_answer(qi),
            Source::Net { question: base, options } => {
                let codes: Vec<&str> = options
                    .iter()
                    .filter_map(|&o| codebook.questions[*base].options.get(o))
                    .map(|o| o.code.as_str())
                    .collect();
                let base = column_answer(*base);
                format!(
                    "CASE WHEN ({base}) IS NULL THEN NULL WHEN ({base}) IN ({}) THEN {} ELSE {} END",
                    list(&codes),
                    s(yes),
                    s(no)
                )
            }
            Source::Answer { set, .. } | Source::SetNet { set, .. } => {
                let set_def = &codebook.sets[*set];
                let missing: Vec<&str> = set_def.missing.iter().map(String::as_str).collect();
                let cols: Vec<String> = set_def.columns.iter().map(|x| c(x)).collect();
                let not_missing = |col: &str| {
                    if missing.is_empty() {
                        format!("{col} IS NOT NULL")
                    } else {
                        format!("{col} IS NOT NULL AND {col} NOT IN ({})", list(&missing))
                    }
                };
                let answered =
                    cols.iter().map(|x| format!("({})", not_missing(x))).collect::<Vec<_>>();
                let answered = answered.join(" OR ");
                // The codes the set allows, and whether its answer `j` is ticked.
                let allowed: Vec<&str> = match &set_def.coding {
                    Coding::Dichotomies { counted, not_counted } => {
                        std::iter::once(counted).chain(not_counted).map(String::as_str).collect()
                    }
                    Coding::Categories { codes } => codes.iter().map(String::as_str).collect(),
                };
                let ticked = |j: usize| match &set_def.coding {
                    Coding::Dichotomies { counted, .. } => {
                        cols.get(j).map_or("FALSE".into(), |x| format!("{x} = {}", s(counted)))
                    }
                    Coding::Categories { codes } => {
                        let code = codes.get(j).map_or("''".into(), |x| s(x));
                        let any: Vec<String> =
                            cols.iter().map(|x| format!("{x} = {code}")).collect();
                        format!("({})", any.join(" OR "))
                    }
                };
                let answers: Vec<usize> = match &question.source {
                    Source::Answer { answer, .. } => vec![*answer],
                    Source::SetNet { answers, .. } => answers.clone(),
                    _ => Vec::new(),
                };
                let any_ticked =
                    answers.iter().map(|&j| format!("({})", ticked(j))).collect::<Vec<_>>();
                let mut allowed_all = allowed.clone();
                allowed_all.extend(missing.iter().copied());
                let mut out = String::from("CASE");
                for col in &cols {
                    let _ = write!(
                        out,
                        " WHEN {col} IS NOT NULL AND {col} NOT IN ({}) THEN {}",
                        list(&allowed_all),
                        unknown(&format!("unknown code in {}: ", set_def.id), col)
                    );
                }
                let _ = write!(
                    out,
                    " WHEN NOT ({answered}) THEN NULL WHEN {} THEN {} ELSE {} END",
                    any_ticked.join(" OR "),
                    s(yes),
                    s(no)
                );
                out
            }
        }
    };

    let mut sql = String::new();
    let _ = writeln!(
        sql,
        "-- invitestat count table for study '{}' (codebook SHA-256 {}), {} dialect.",
        codebook.study.id.replace('\n', " "),
        codebook.sha256,
        dialect.name()
    );
    let _ = writeln!(
        sql,
        "-- Read every column as text, e.g. {}; write the result as CSV or Parquet",
        dialect.reading_note()
    );
    let _ = writeln!(sql, "-- and analyse it with: invitestat merge RESULT --codebook CODEBOOK.");
    let _ = writeln!(sql, "WITH c AS (\n  SELECT");
    let cells: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, name)| format!("    NULLIF(TRIM(CAST({} AS {text})), '') AS c{i}", q(name)))
        .collect();
    let _ = writeln!(sql, "{}", cells.join(",\n"));
    let _ = writeln!(sql, "  FROM {table}\n),\nr AS (\n  SELECT");
    let group = c(&codebook.grouping.column);
    let weight = match &codebook.weight_column {
        // Rows without a group are excluded before their weight is read, as in the loader.
        Some(w) => {
            let w = c(w);
            format!(
                "CASE WHEN {group} IS NULL THEN CAST(0 AS {double}) WHEN CAST({w} AS {double}) >= 0 THEN CAST({w} AS {double}) ELSE CAST('NaN' AS {double}) END"
            )
        }
        None => format!("CAST(1 AS {double})"),
    };
    let mut derived = vec![format!("    {group} AS g"), format!("    {weight} AS w")];
    if design.is_some() {
        // The design's columns: stratum, cluster (codes) and fpc (a number).
        let code = |column: Option<&str>| column.map_or(format!("CAST(NULL AS {text})"), &c);
        derived.push(format!("    {} AS s", code(strata)));
        derived.push(format!("    {} AS k", code(clusters)));
        derived.push(format!(
            "    {} AS f",
            fpc.map_or(format!("CAST(NULL AS {double})"), |x| format!(
                "CAST({} AS {double})",
                c(x)
            ))
        ));
    }
    for qi in 0..codebook.questions.len() {
        derived.push(format!("    {} AS a{qi}", answer(qi)));
    }
    let _ = writeln!(sql, "{}", derived.join(",\n"));
    let _ = writeln!(sql, "  FROM c\n)");
    // With a design, every row also gives the respondents of positive weight and its
    // stratum and cluster; the respondents' rows give the stratum's fpc (NaN when it
    // varies within the stratum or is missing, which merge refuses).
    let nan = format!("CAST('NaN' AS {double})");
    let no_fpc = format!("CAST(NULL AS {double})");
    let positive = "SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END)";
    let (design_sums, design_keys, pair_design) = if design.is_some() {
        (
            format!(", {positive}, COALESCE(s, ''), COALESCE(k, ''), {no_fpc}"),
            ", 8, 9",
            format!(", {positive}, '', '', {no_fpc}"),
        )
    } else {
        (String::new(), "", String::new())
    };
    let respondents_design = if design.is_some() {
        let fpc_value = if fpc.is_some() {
            format!("CASE WHEN COUNT(f) = COUNT(*) AND MIN(f) = MAX(f) THEN MIN(f) ELSE {nan} END")
        } else {
            no_fpc.clone()
        };
        format!(
            ", {positive} AS {}, COALESCE(s, '') AS {}, COALESCE(k, '') AS {}, {fpc_value} AS {}",
            q("positive"),
            q("stratum"),
            q("cluster"),
            q("fpc")
        )
    } else {
        String::new()
    };
    let sums = "COUNT(*), SUM(w), SUM(w * w)";
    let _ = writeln!(
        sql,
        "SELECT '*' AS {}, '*' AS {}, COALESCE(g, '') AS {}, COUNT(*) AS {}, SUM(w) AS {}, SUM(w * w) AS {}{respondents_design} FROM r GROUP BY 3{design_keys}",
        q("question"),
        q("option"),
        q("group"),
        q("count"),
        q("weight_sum"),
        q("weight_sq_sum")
    );
    for (qi, question) in codebook.questions.iter().enumerate() {
        let _ = writeln!(
            sql,
            "UNION ALL SELECT {}, COALESCE(a{qi}, ''), COALESCE(g, ''), {sums}{design_sums} FROM r WHERE g IS NOT NULL GROUP BY 2, 3{design_keys}",
            s(&question.id)
        );
    }
    for (a, b) in codebook.paired_questions() {
        let flag = |qi: usize| {
            let first = codebook.questions[qi].options.first().map_or("", |o| o.code.as_str());
            format!("CASE WHEN a{qi} = {} THEN '1' ELSE '0' END", s(first))
        };
        let name = format!("{}&{}", codebook.questions[a].id, codebook.questions[b].id);
        let _ = writeln!(
            sql,
            "UNION ALL SELECT {}, CONCAT({}, '&', {}), COALESCE(g, ''), {sums}{pair_design} FROM r WHERE g IS NOT NULL AND a{a} IS NOT NULL AND a{b} IS NOT NULL GROUP BY 2, 3",
            s(&name),
            flag(a),
            flag(b)
        );
    }
    Ok(sql)
}
