//! One report for every analysis: a study or a new wave (`analyze`), merged counts
//! (`merge`) and several waves compared (`waves`) all become a [`Report`], written by
//! the one writer here:
//! - the CSV files (serde, from the result rows: [`csv`]), `results.json` (the whole
//!   report), `summary.txt`;
//! - `report.html` and `report.md`, both rendered from one [`document::Document`], so
//!   the Markdown carries every table the HTML has; sections appear when they apply
//!   (published figures, claims and consistency only when the codebook has them, the
//!   reconstruction only for reconstructed data);
//! - the charts as PNG and SVG;
//! - what `invitestat check` prints about an article's reading ([`check`]).
//!
//! Files are written through [`output::ReportDir`]: into a staging folder beside the
//! target, swapped into place only when all of them are complete, so a failed or
//! interrupted run never leaves a half-written report (and an earlier report survives).

pub mod check;
pub mod csv;
pub mod document;
pub mod escape;
pub mod findings;
pub mod html;
pub mod markdown;
pub mod output;
mod summary;

use crate::analysis::AnalysisResults;
use crate::analysis::waves::WavesResults;
use crate::claims::ClaimVerdict;
use crate::codebook::Codebook;
use crate::data::LoadSummary;
use crate::data::reconstruct::Reconstruction;
use crate::plot::{Chart, PlotError};
use output::{OutputError, ReportDir};
use serde::Serialize;

/// A problem writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or folder could not be written, or writing there was refused.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The HTML template or a CSV table failed (a bug).
    #[error("rendering the report: {0}")]
    Template(String),
}

/// Which outputs a report writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// The CSV tables (results.csv, comparisons.csv, waves.csv, claims.csv, ...).
    pub csv: bool,
    /// results.json
    pub json: bool,
    /// report.html (with inline SVG charts)
    pub html: bool,
    /// report.md
    pub md: bool,
    /// charts/*.png
    pub png: bool,
    /// charts/*.svg
    pub svg: bool,
}

impl Formats {
    /// Every output.
    pub const ALL: Formats =
        Formats { csv: true, json: true, html: true, md: true, png: true, svg: true };

    /// Parses a comma-separated list (`csv,json,html,md,png,svg` or `all`).
    ///
    /// # Errors
    /// The unknown name.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f =
            Formats { csv: false, json: false, html: false, md: false, png: false, svg: false };
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "all" => f = Formats::ALL,
                "csv" => f.csv = true,
                "json" => f.json = true,
                "html" => f.html = true,
                "md" => f.md = true,
                "png" => f.png = true,
                "svg" => f.svg = true,
                other => {
                    return Err(format!(
                        "unknown format '{}' (expected csv, json, html, md, png, svg or all)",
                        crate::format::echo(other)
                    ));
                }
            }
        }
        if f == (Formats {
            csv: false,
            json: false,
            html: false,
            md: false,
            png: false,
            svg: false,
        }) {
            return Err("no format given (expected csv, json, html, md, png, svg or all)".into());
        }
        Ok(f)
    }

    /// Whether any output needs the charts.
    fn charts(self) -> bool {
        self.html || self.md || self.png || self.svg
    }
}

/// Everything a report shows: the load, the analysis of one data set or the comparison
/// of several waves, the claims, and the reconstruction the data came from.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Study id.
    pub study: String,
    /// Study title.
    pub title: String,
    /// Software version.
    pub version: String,
    /// What was read, used and excluded (for waves: all waves together).
    pub load: LoadSummary,
    /// The analysis of one data set (a study, a new wave, merged counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<AnalysisResults>,
    /// The comparison of several waves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waves: Option<WavesResults>,
    /// Claim verdicts.
    pub claims: Vec<ClaimVerdict>,
    /// The reconstruction the data came from, when they are reconstructed.
    pub reconstruction: Option<Reconstruction>,
    /// The codebook the data were read with.
    #[serde(skip)]
    pub codebook: Codebook,
}

impl Report {
    /// `results.json`: the whole report.
    pub fn json(&self) -> String {
        // Plain data: serialising it cannot fail, and non-finite numbers become null.
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        escape::json(&text).into_owned() + "\n"
    }

    /// The terminal summary: what was read, the warnings, the published figures and
    /// claims, the significant changes of waves.
    pub fn summary(&self) -> String {
        escape::visible_bidi(&summary::summary(self)).into_owned()
    }

    /// The footer every chart carries: the source, the data and the bases.
    pub fn chart_footer(&self) -> String {
        let data = match (&self.reconstruction, &self.waves) {
            (Some(r), _) => format!("reconstructed respondent data, seed {}", r.seed),
            (None, Some(w)) => format!("respondent data, {} waves", w.waves.len()),
            (None, None) => format!("respondent data from {}", self.load.file),
        };
        let bases = match &self.analysis {
            Some(a) => a
                .respondents
                .iter()
                .zip(&self.codebook.grouping.levels)
                .map(|((_, n), l)| format!("{} {n}", l.label))
                .collect::<Vec<_>>()
                .join(", "),
            None => self
                .waves
                .iter()
                .flat_map(|w| &w.waves)
                .map(|w| format!("{} n = {}", crate::format::wave(&w.label), w.table.total()))
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("Source: {}: {data}; base: {bases}", self.codebook.study.id)
    }

    /// The report's charts.
    pub fn charts(&self) -> Vec<Chart> {
        let footer = self.chart_footer();
        let mut out = Vec::new();
        if let Some(a) = &self.analysis {
            out.extend(crate::plot::charts(&self.codebook, a, &self.claims, &footer));
        }
        if let Some(w) = &self.waves {
            out.extend(crate::plot::waves::charts(&self.codebook, w, &footer));
        }
        out
    }

    /// Writes the report to `target` (a new or empty folder, or an earlier report) and
    /// swaps it into place: [`Report::write`] into a fresh [`ReportDir`], then its
    /// commit.
    ///
    /// # Errors
    /// [`ReportError`] naming the file.
    ///
    /// # Examples
    /// ```
    /// use invitestat::Codebook;
    /// use invitestat::report::Formats;
    /// use invitestat::study::{Options, analyse_file};
    /// let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/executives-online"));
    /// let codebook = Codebook::from_path(&dir.join("codebook.toml"))?;
    /// let report = analyse_file(&dir.join("responses.csv"), &codebook, &Options::default())?;
    /// let out = tempfile::tempdir()?;
    /// report.save(&out.path().join("report"), Formats::parse("csv,md")?)?;
    /// assert!(out.path().join("report/results.csv").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, target: &std::path::Path, formats: Formats) -> Result<(), ReportError> {
        let mut dir = ReportDir::create(target, &[], false)?;
        self.write(&mut dir, formats)?;
        Ok(dir.commit()?)
    }

    /// Writes every requested file into a report folder being staged (see
    /// [`output::ReportDir`]); the caller commits it.
    ///
    /// # Errors
    /// [`ReportError`] naming the file.
    pub fn write(&self, dir: &mut ReportDir, formats: Formats) -> Result<(), ReportError> {
        let mut files: Vec<(String, String)> = Vec::new();
        if formats.csv {
            files.extend(csv::files(self).map_err(|e| ReportError::Template(e.to_string()))?);
        }
        if formats.json {
            files.push(("results.json".into(), self.json()));
        }
        files.push(("summary.txt".into(), self.summary()));
        let charts = if formats.charts() { self.charts() } else { Vec::new() };
        let mut drawn = Vec::new();
        for c in charts {
            let svg = c.svg()?;
            drawn.push((c, svg));
        }
        if formats.svg {
            for (c, svg) in &drawn {
                files.push((format!("charts/{}.svg", c.id), svg.clone()));
            }
        }
        if formats.html || formats.md {
            let doc = document::build(self, &drawn, formats);
            if formats.html {
                let page =
                    html::render(&doc).map_err(|e| ReportError::Template(format!("{e:#}")))?;
                files.push(("report.html".into(), page));
            }
            if formats.md {
                files.push(("report.md".into(), markdown::render(&doc)));
            }
        }
        for (name, text) in &files {
            dir.write(name, text.as_bytes())?;
        }
        if formats.png {
            for (c, _) in &drawn {
                dir.write_with(&format!("charts/{}.png", c.id), |path| c.write_png(path))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisOptions, analyse};
    use crate::claims::{Evidence, judge};
    use crate::data::Response;
    use crate::tabulate::CountTable;
    use std::path::Path;

    const CODEBOOK: &str = r#"id_column = "id"
[study]
id = "t"
title = "A survey"
source = "Somewhere"
[grouping]
column = "g"
levels = [{ id = "grp_alpha", code = "1", label = "Group A" }, { id = "grp_beta", code = "2", label = "Group B" }, { id = "grp_gamma", code = "3", label = "Group C" }]
[[questions]]
id = "q_tea"
label = "Likes tea"
text = "Tea?"
kind = "yes-no"
options = [{ code = "1", label = "Yes" }, { code = "0", label = "No" }]
[[questions]]
id = "q_drink"
label = "Drink"
text = "Which drink?"
kind = "single-choice"
options = [{ code = "1", label = "Tea" }, { code = "2", label = "Coffee" }, { code = "3", label = "Water" }]
"#;

    /// A report of three groups, no figures and no claims.
    fn report() -> Report {
        let codebook = Codebook::from_toml(CODEBOOK, Path::new("t.toml")).unwrap();
        let mut table = CountTable::new(&codebook, &[]);
        for i in 0..120usize {
            let group = i % 3;
            let tea = usize::from(i % (group + 2) != 0);
            table.add(&Response {
                group,
                weight: 1.0,
                wave: None,
                answers: vec![Some(tea), Some(i % 3)],
                design: Default::default(),
                row: 0,
                id: 0,
            });
        }
        let analysis = analyse(&codebook, &table, AnalysisOptions::default());
        let claims = judge(&codebook, &table, &analysis, Evidence::DataOnly);
        Report {
            study: "t".into(),
            title: "A survey".into(),
            version: "0".into(),
            load: LoadSummary {
                file: "t.csv".into(),
                rows_read: 120,
                rows_used: 120,
                ..LoadSummary::default()
            },
            analysis: Some(analysis),
            waves: None,
            claims,
            reconstruction: None,
            codebook,
        }
    }

    #[test]
    fn formats_parse_lists_and_refuse_unknown_or_empty_ones() {
        assert_eq!(Formats::parse("all").unwrap(), Formats::ALL);
        let f = Formats::parse("csv, md").unwrap();
        assert!(f.csv && f.md && !f.html && !f.png && !f.svg && !f.json);
        assert!(Formats::parse("csv,pdf").unwrap_err().contains("unknown format 'pdf'"));
        assert!(Formats::parse(" , ").unwrap_err().contains("no format given"));
    }

    #[test]
    fn a_survey_without_figures_gets_no_reproduction_sections_and_a_chart_per_question() {
        let r = report();
        let charts = r.charts();
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["findings", "answers-q_drink"]);
        let files: Vec<String> = csv::files(&r).unwrap().into_iter().map(|(f, _)| f).collect();
        for absent in
            ["figures.csv", "claims.csv", "consistency.csv", "bases.csv", "suppressed.csv"]
        {
            assert!(!files.iter().any(|f| f == absent), "{absent} written without rows");
        }
        assert!(
            files.iter().any(|f| f == "results.csv")
                && files.iter().any(|f| f == "group_tests.csv")
        );
        let drawn: Vec<(Chart, String)> = charts
            .into_iter()
            .map(|c| {
                let svg = c.svg().unwrap();
                (c, svg)
            })
            .collect();
        let doc = document::build(&r, &drawn, Formats::ALL);
        let sections: Vec<&str> = doc.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(sections, ["findings", "charts", "data", "methods", "limitations", "software"]);
        // The Markdown has every table the HTML has, and both speak in labels.
        let html = html::render(&doc).unwrap();
        let md = markdown::render(&doc);
        let md_tables = md.lines().filter(|l| l.starts_with("|---")).count();
        assert_eq!(html.matches("<table>").count(), md_tables);
        for text in ["Group A", "Likes tea", "Coffee"] {
            assert!(html.contains(text) && md.contains(text), "{text}");
        }
        assert!(!md.contains("Reproduced") && !md.contains("reconstruct"));
        // Ids stay in CSV and JSON: no group id, and no question id outside a chart's
        // file name or anchor, reaches a reader.
        for doc in [&html, &md] {
            assert!(!doc.contains("grp_"), "a group id in a report");
            assert!(!doc.contains("q_tea"), "a question id in a report");
            // (chart file names and anchors: answers-q_drink)
            assert_eq!(doc.matches("q_drink").count(), doc.matches("answers-q_drink").count());
        }
    }

    #[test]
    fn the_footer_names_the_data_and_every_base_by_label() {
        assert_eq!(
            report().chart_footer(),
            "Source: t: respondent data from t.csv; base: Group A 40, Group B 40, Group C 40"
        );
    }
}
