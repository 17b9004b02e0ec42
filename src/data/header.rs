//! Matching a responses file's header to the codebook's columns, and saying what is
//! wrong when it does not match: the closest names the file has, which codebook key
//! declared a missing column, and a delimiter other than a comma.

use crate::codebook::Codebook;
use crate::format::{echo, name_list};

/// Delimiters recognised in a header that did not split on the expected one.
pub const OTHER_DELIMITERS: [(u8, &str); 4] =
    [(b';', "semicolon"), (b'\t', "tab"), (b'|', "vertical bar"), (b',', "comma")];

/// Edit distance on characters, case-insensitively, counting a swap of two neighbours
/// as one edit (optimal string alignment): names differ most often by case, a typo, a
/// missing letter or two letters swapped.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The names among `present` closest to `wanted` (at most three): within a third of its
/// length in edits, or holding it, held by it, or holding its letters in order ("grp"
/// and "group").
pub fn closest<'a>(wanted: &str, present: &[&'a str]) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    let lower = wanted.to_lowercase();
    let related = |p: &str| {
        let p = p.to_lowercase();
        p.contains(&lower) || lower.contains(&p) || subsequence(&lower, &p)
    };
    let mut scored: Vec<(usize, &str)> = present
        .iter()
        .map(|p| (distance(wanted, p), *p))
        .filter(|(d, p)| *d <= limit || (p.chars().count() >= 2 && related(p)))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, p)| p).collect()
}

/// Whether the letters of the shorter of `a` and `b` appear, in order, in the longer
/// ("grp" in "group").
fn subsequence(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut chars = long.chars();
    short.len() >= 3 && short.chars().all(|c| chars.any(|l| l == c))
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
    if let Some((d, name)) = other_delimiter(codebook, raw_header, delimiter) {
        return format!(
            "the header is split by '{}' ({name}), not by '{}'; expected the codebook's columns {}: pass --delimiter '{}' to read the file",
            echo(&char::from(d).to_string()),
            echo(&char::from(delimiter).to_string()),
            name_list(&codebook.columns(), 20),
            if d == b'\t' { "tab".to_string() } else { char::from(d).to_string() }
        );
    }
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
    format!(
        "{}; the file has the columns {}; if the codebook is wrong, correct it in {codebook_file}",
        parts.join("; "),
        name_list(&present, 20)
    )
}

/// The name of another delimiter that splits the header into more of the codebook's
/// columns than `delimiter` does.
fn other_delimiter(
    codebook: &Codebook,
    raw_header: &[u8],
    delimiter: u8,
) -> Option<(u8, &'static str)> {
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
        .map(|(d, name)| (found(*d), *d, *name))
        .filter(|(n, _, _)| *n > base && *n >= 2)
        .max_by_key(|(n, _, _)| *n)
        .map(|(_, d, name)| (d, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names() {
        assert_eq!(distance("recruiter", "recrutier"), 1);
        assert_eq!(distance("gpr", "grp"), 1);
        assert_eq!(
            closest("recrutier", &["respondent_id", "recruiter", "main_use"]),
            ["recruiter"]
        );
        assert_eq!(closest("Weight", &["weight", "wave"]), ["weight"]);
        assert!(closest("x", &["respondent_id"]).is_empty());
    }
}
