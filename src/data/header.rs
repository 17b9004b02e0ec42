//! Matching a responses file's header to the codebook's columns, and saying what is
//! wrong when it does not match: the closest names the file has, which codebook key
//! declared a missing column, and a delimiter other than a comma.

use crate::codebook::Codebook;
use crate::format::{echo, name_list};

/// Delimiters recognised in a header that did not split on the expected one.
pub const OTHER_DELIMITERS: [(u8, &str); 4] =
    [(b';', "semicolon"), (b'\t', "tab"), (b'|', "vertical bar"), (b',', "comma")];

/// Levenshtein distance on characters, case-insensitively (names differ most often by
/// case, a typo or a missing letter).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The names among `present` closest to `wanted` (at most three, within a third of its
/// length in edits).
pub fn closest<'a>(wanted: &str, present: &[&'a str]) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> =
        present.iter().map(|p| (distance(wanted, p), *p)).filter(|(d, _)| *d <= limit).collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, p)| p).collect()
}

/// The message for codebook columns the header lacks: each with the codebook key and
/// line that declared it and the closest names the file has, then the file's columns,
/// and a hint when the header looks split by another delimiter.
pub fn missing_columns(
    codebook: &Codebook,
    missing: &[&str],
    names: &[String],
    raw_header: &[u8],
    delimiter: u8,
) -> String {
    let present: Vec<&str> = names.iter().map(String::as_str).collect();
    let codebook_file = codebook.path.display();
    let mut parts: Vec<String> = missing
        .iter()
        .take(10)
        .map(|m| {
            let origin = codebook.column_origin(m).map_or(String::new(), |o| {
                format!(" (declared by {} on line {} of {codebook_file})", o.key, o.line)
            });
            let near = closest(m, &present);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!(
                    "; did you mean {}?",
                    near.iter().map(|n| format!("'{}'", echo(n))).collect::<Vec<_>>().join(" or ")
                )
            };
            format!("no column '{}'{origin}{hint}", echo(m))
        })
        .collect();
    if missing.len() > 10 {
        parts.push(format!("and {} more missing columns", missing.len() - 10));
    }
    let mut message = format!(
        "{}; the file has the columns {}; if the codebook is wrong, correct it in {codebook_file}",
        parts.join("; "),
        name_list(&present, 20)
    );
    if let Some(name) = other_delimiter(codebook, raw_header, delimiter) {
        message = format!(
            "the header looks {name}-separated, not split by '{}': pass --delimiter to read it ({})",
            echo(&char::from(delimiter).to_string()),
            message
        );
    }
    message
}

/// The name of another delimiter that splits the header into more of the codebook's
/// columns than `delimiter` does.
fn other_delimiter(codebook: &Codebook, raw_header: &[u8], delimiter: u8) -> Option<&'static str> {
    let expected = codebook.columns();
    let found = |d: u8| {
        raw_header
            .split(|b| *b == d)
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_matches('"')
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .filter(|f| expected.contains(&f.as_str()))
            .count()
    };
    let base = found(delimiter);
    OTHER_DELIMITERS
        .iter()
        .filter(|(d, _)| *d != delimiter)
        .map(|(d, name)| (found(*d), *name))
        .filter(|(n, _)| *n > base && *n >= 2)
        .max_by_key(|(n, _)| *n)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        assert_eq!(distance("recruiter", "recrutier"), 2);
        assert_eq!(
            closest("recrutier", &["respondent_id", "recruiter", "main_use"]),
            ["recruiter"]
        );
        assert_eq!(closest("Weight", &["weight", "wave"]), ["weight"]);
        assert!(closest("x", &["respondent_id"]).is_empty());
    }
}
