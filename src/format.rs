//! How values are printed: numbers in reports (p-values, shares, percentage points,
//! intervals, confidence levels), and user input echoed in messages, bounded and made
//! visible. Every output (summary, HTML, Markdown, charts, claim texts) prints through
//! these, so a share or a p-value reads the same everywhere.
//!
//! A message quotes what it refuses ("got '1.5'"), but input can be hostile or huge: a
//! 10 MB field, control characters, right-to-left overrides that reorder the rest of a
//! terminal line. [`echo`] quotes at most [`MAX_ECHO_CHARS`] characters, shows control
//! and bidirectional formatting characters as `\u{...}` escapes, and says how long the
//! value was when it was cut.

/// A p-value as reports print it: four decimals, or three significant digits in
/// scientific notation below 1e-4 (`0.0123`, `1.70e-5`); `0` for a p-value of 0 (an
/// infinite statistic, or one below the smallest double).
///
/// # Examples
/// ```
/// use invitestat::format::p_value;
/// assert_eq!(p_value(0.012345), "0.0123");
/// assert_eq!(p_value(0.000017011), "1.70e-5");
/// ```
pub fn p_value(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// As [`p_value`], with `undefined` for a test that does not exist for the data.
pub fn p_value_or_undefined(p: Option<f64>) -> String {
    p.map_or_else(|| "undefined".to_string(), p_value)
}

/// A p-value for the calculator's tables: six decimals, four significant digits in
/// scientific notation below 1e-4, and `10^x` from its logarithm once it underflows.
pub fn p_value_precise(p: f64, log10: f64) -> String {
    if p == 0.0 && log10.is_finite() {
        format!("10^{log10:.1}")
    } else if p < 1e-4 {
        format!("{p:.4e}")
    } else {
        format!("{p:.6}")
    }
}

/// A share as a percentage with one decimal (`0.8727` is `87.3%`).
pub fn share(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A share as a whole percentage, for chart labels (`87%`).
pub fn share_rounded(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// An interval of shares (`75.8% to 93.5%`).
pub fn share_interval(lower: f64, upper: f64) -> String {
    format!("{} to {}", share(lower), share(upper))
}

/// A difference of shares in percentage points, signed (`+23.7 pts`).
pub fn points(v: f64) -> String {
    format!("{:+.1} pts", 100.0 * v)
}

/// An interval of differences in percentage points (`+11.8 to +32.0`).
pub fn points_interval(lower: f64, upper: f64) -> String {
    format!("{:+.1} to {:+.1}", 100.0 * lower, 100.0 * upper)
}

/// A significance threshold as written in a rule ("p < 0.05"): up to four decimals,
/// trailing zeros dropped, scientific below 1e-4.
pub fn alpha(a: f64) -> String {
    if a < 1e-4 {
        format!("{a:.2e}")
    } else {
        let t = format!("{a:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A test statistic or its degrees of freedom, two decimals (`30.84`), as R MRCV and
/// `summary()` print them.
pub fn statistic(v: f64) -> String {
    format!("{v:.2}")
}

/// Degrees of freedom: a whole number as one (`28`), otherwise two decimals.
pub fn degrees_of_freedom(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// Significance letters per group: each group's own letter and the letters of the
/// groups it is significantly higher than (`A: BC; B: none; C: none`).
pub fn letters(own: &[String], higher_than: &[String]) -> String {
    own.iter()
        .zip(higher_than)
        .map(|(own, l)| format!("{own}: {}", if l.is_empty() { "none" } else { l }))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A design effect, three decimals (`1.234`).
pub fn design_effect(v: f64) -> String {
    format!("{v:.3}")
}

/// A weighting factor (calibrated weight over base weight), four decimals (`1.0625`).
pub fn factor(v: f64) -> String {
    format!("{v:.4}")
}

/// An effective sample size, one decimal (`312.5`).
pub fn effective_n(v: f64) -> String {
    format!("{v:.1}")
}

/// A confidence level as a percentage: `95%`, `99%`, `97.5%`.
pub fn level(level: f64) -> String {
    let pct = 100.0 * level;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{:.0}%", pct.round())
    } else {
        let text = format!("{pct:.4}");
        format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Characters of a value quoted in a message before it is cut.
pub const MAX_ECHO_CHARS: usize = 60;

/// Whether `c` is a bidirectional formatting character (embeddings, overrides,
/// isolates and marks), which can make text display in another order than it is stored.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every bidirectional formatting character shown as `\u{...}` (for every
/// output: reports, charts, tables).
pub fn visible_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_bidi_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if is_bidi_control(c) {
                    format!("\\u{{{:x}}}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// `text` cut to `max` characters (with "...") for a chart, where long labels would
/// overrun; tables keep the full text.
pub fn fit(text: &str, max: usize) -> String {
    let text = visible_bidi(text);
    if text.chars().count() <= max {
        return text.into_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{}...", cut.trim_end())
}

/// A chart's label for an answer (`question: answer`) cut to `max` characters: the
/// answer after the last ": " kept whole when it fits, the question cut before it
/// (`Reasons to accept an...: To grow my network`); otherwise as [`fit`].
///
/// # Examples
/// ```
/// use invitestat::format::fit_answer;
/// let label = "Reasons to accept an invitation: To grow my network";
/// assert_eq!(fit_answer(label, 44), "Reasons to accept an...: To grow my network");
/// assert_eq!(fit_answer("Short: label", 44), "Short: label");
/// ```
pub fn fit_answer(text: &str, max: usize) -> String {
    let whole = visible_bidi(text);
    if whole.chars().count() <= max {
        return whole.into_owned();
    }
    match whole.rsplit_once(": ") {
        Some((question, answer)) if answer.chars().count() + 12 <= max => {
            // The question cut at a word boundary, with "..." in the room left.
            let room = max - answer.chars().count() - 5;
            let head: String = question.chars().take(room).collect();
            let head = match head.rfind(' ') {
                Some(at) if at > 0 => &head[..at],
                _ => head.as_str(),
            };
            format!("{}...: {answer}", head.trim_end())
        }
        _ => fit(&whole, max),
    }
}

/// `value` as a message quotes it: control and bidirectional formatting characters
/// escaped, cut after [`MAX_ECHO_CHARS`] characters with the full length in bytes.
///
/// # Examples
/// ```
/// use invitestat::format::echo;
/// assert_eq!(echo("1.5"), "1.5");
/// assert_eq!(echo("a\tb"), "a\\u{9}b");
/// let long = "x".repeat(1000);
/// assert_eq!(echo(&long), format!("{}... (1000 bytes)", "x".repeat(60)));
/// ```
pub fn echo(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX_ECHO_CHARS {
            out.push_str(&format!("... ({} bytes)", value.len()));
            return out;
        }
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// As [`echo`] for bytes that may not be UTF-8: invalid bytes are shown as `\xNN`.
pub fn echo_bytes(bytes: &[u8]) -> String {
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02X}"));
        }
        if text.len() > 4 * MAX_ECHO_CHARS {
            break;
        }
    }
    let shown = echo(&text);
    if text.len() < bytes.len() && !shown.ends_with(" bytes)") {
        format!("{shown}... ({} bytes)", bytes.len())
    } else if text.len() < bytes.len() {
        // Cut by `echo`: report the length of the original bytes.
        let cut = shown.rfind("... (").map_or(shown.len(), |i| i);
        format!("{}... ({} bytes)", &shown[..cut], bytes.len())
    } else {
        shown
    }
}

/// A list of names for a message: at most `limit` of them, then how many more.
pub fn name_list<S: AsRef<str>>(names: &[S], limit: usize) -> String {
    let shown: Vec<String> = names.iter().take(limit).map(|n| echo(n.as_ref())).collect();
    if names.len() > limit {
        format!("{} and {} more", shown.join(", "), names.len() - limit)
    } else {
        shown.join(", ")
    }
}

/// How a wave is named in text: "wave 2" for a numeric label, the label itself
/// otherwise ("wave-2", "2024 spring").
pub fn wave(label: &str) -> String {
    if !label.is_empty() && label.chars().all(|c| c.is_ascii_digit()) {
        format!("wave {label}")
    } else {
        label.to_string()
    }
}

/// `text` with its first letter in upper case (a table's first cell).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// `text` as a TOML basic string: quotes and backslashes escaped, control and
/// bidirectional characters as `\uXXXX`, so that a drafted codebook stays one valid
/// line per value whatever the source held.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` as one TOML comment line (`# text`, newline-terminated): control and
/// bidirectional characters become spaces, so no value can end the comment early.
pub fn toml_comment(text: &str) -> String {
    let one: String =
        text.chars().map(|c| if c.is_control() || is_bidi_control(c) { ' ' } else { c }).collect();
    format!("# {}\n", one.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_stay_one_valid_line() {
        assert_eq!(toml_comment("x\ny\u{202E}z"), "# x y z\n");
        assert_eq!(toml_string("a \"b\" \\ c\nd\u{202E}"), "\"a \\\"b\\\" \\\\ c\\nd\\u202E\"");
    }

    #[test]
    fn numbers_print_one_way() {
        assert_eq!(level(0.95), "95%");
        assert_eq!(level(0.975), "97.5%");
        assert_eq!(level(0.999), "99.9%");
        assert_eq!(share(0.87272727), "87.3%");
        assert_eq!(points(0.2372549), "+23.7 pts");
        assert_eq!(points_interval(-0.0703, 0.1646), "-7.0 to +16.5");
        assert_eq!(p_value_precise(0.0, -14995.55), "10^-14995.5");
        assert_eq!(p_value_or_undefined(None), "undefined");
    }

    #[test]
    fn hostile_values_are_bounded_and_visible() {
        assert_eq!(echo("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(echo_bytes(b"caf\xE9"), "caf\\xE9");
        let big = vec![b'a'; 10_000_000];
        let shown = echo_bytes(&big);
        assert!(shown.len() < 100, "{shown}");
        assert!(shown.ends_with("(10000000 bytes)"), "{shown}");
        assert_eq!(name_list(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn waves_and_first_letters_read_as_words() {
        assert_eq!(wave("2"), "wave 2");
        assert_eq!(wave("wave-2"), "wave-2");
        assert_eq!(wave(""), "");
        assert_eq!(capitalised("wave 2"), "Wave 2");
        assert_eq!(capitalised(""), "");
    }
}
