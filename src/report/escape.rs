//! Text from a codebook or a data file made safe for each output, so that no label can
//! be turned against the reader of a report:
//! - Markdown: characters that start markup or raw HTML are backslash-escaped, so a
//!   label holding `<script>` is shown, not run, wherever the Markdown is rendered;
//! - CSV: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//!   prefixed with `'` (OWASP's advice against formula injection), so a spreadsheet
//!   shows it as text instead of evaluating it; numbers are left as they are;
//! - everywhere (HTML, SVG, Markdown, CSV): bidirectional formatting characters, which
//!   can make text display in another order than it is stored, are replaced by a
//!   visible `\u{...}` escape; in JSON by the JSON escape `\uXXXX` ([`json`]), so that
//!   the document stays valid and a JSON reader gets the label back as it was.
//!
//! HTML is escaped by the template engine (with the same bidi rule, see
//! [`super::html`]); SVG text by the chart backend.

pub use crate::format::visible_bidi;
use std::borrow::Cow;

/// A JSON document with every bidirectional formatting character written as the JSON
/// escape `\uXXXX` (all of them are in the Basic Multilingual Plane, and serde_json
/// writes them raw).
pub fn json(document: &str) -> Cow<'_, str> {
    if !document.chars().any(crate::format::is_bidi_control) {
        return Cow::Borrowed(document);
    }
    let mut out = String::with_capacity(document.len() + 16);
    for c in document.chars() {
        if crate::format::is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` for a Markdown paragraph or table cell: line breaks become spaces and every
/// character that can start markup (emphasis, links, code, tables, raw HTML) is
/// backslash-escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible_bidi(text).chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A CSV cell that a spreadsheet will not evaluate: text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`; a number is left alone.
pub fn spreadsheet(cell: &str) -> Cow<'_, str> {
    let cell = visible_bidi(cell);
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() { Cow::Owned(format!("'{cell}")) } else { cell }
}

/// A CSV document of `rows` (serde) with every cell through [`spreadsheet`].
pub fn csv_of<T: serde::Serialize>(rows: &[T]) -> Result<String, csv::Error> {
    let mut plain = csv::WriterBuilder::new().has_headers(true).from_writer(Vec::new());
    for r in rows {
        plain.serialize(r)?;
    }
    let bytes = plain.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let mut out = CsvText::new();
    for record in reader.records() {
        out.record(record?.iter())?;
    }
    Ok(out.finish())
}

/// A CSV document written record by record, every cell through [`spreadsheet`].
pub struct CsvText(csv::Writer<Vec<u8>>);

impl Default for CsvText {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvText {
    /// An empty document (LF line ends).
    pub fn new() -> Self {
        CsvText(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new()),
        )
    }

    /// Adds a record.
    ///
    /// # Errors
    /// The csv writer's (none in memory).
    pub fn record<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // A number that is not finite never reaches a cell as "NaN" or "inf".
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| match c.as_ref() {
                "NaN" | "inf" | "-inf" => String::new(),
                c => spreadsheet(c).into_owned(),
            })
            .collect();
        self.0.write_record(&cells)
    }

    /// The document.
    pub fn finish(self) -> String {
        let bytes = self.0.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_labels_are_neutralised() {
        assert_eq!(spreadsheet("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet("+cmd"), "'+cmd");
        assert_eq!(spreadsheet("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet("\tx"), "'\tx");
        assert_eq!(spreadsheet("-0.31"), "-0.31");
        assert_eq!(spreadsheet("-inf"), "-inf");
        assert_eq!(spreadsheet("Yes"), "Yes");
        assert_eq!(markdown("<script>alert(1)</script>"), "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(markdown("a | b\nc"), "a \\| b c");
        assert_eq!(visible_bidi("abc\u{202E}def"), "abc\\u{202e}def");
        let doc = serde_json::to_string(&"a\u{202E}b").unwrap();
        let escaped = json(&doc);
        assert_eq!(escaped, "\"a\\u202eb\"");
        assert_eq!(serde_json::from_str::<String>(&escaped).unwrap(), "a\u{202E}b");
        assert_eq!(markdown("x\u{2066}y"), "x\\\\u{2066}y");
    }
}
