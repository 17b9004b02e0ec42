//! How values are printed: user input echoed in messages, bounded and made visible.
//!
//! A message quotes what it refuses ("got '1.5'"), but input can be hostile or huge: a
//! 10 MB field, control characters, right-to-left overrides that reorder the rest of a
//! terminal line. [`echo`] quotes at most [`MAX_ECHO_CHARS`] characters, shows control
//! and bidirectional formatting characters as `\u{...}` escapes, and says how long the
//! value was when it was cut.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
