//! An article's text as sentences of tokens: the layer every reading rule works on.
//!
//! Typography is folded first (curly quotes to straight, dashes to one en dash, the
//! ellipsis character to three dots, non-breaking spaces to spaces). Paragraphs are
//! separated by blank lines; each line is split into sentences at `.`, `!`, `?` (or
//! `...`) followed by a space and a capital, a digit, a parenthesis or a quote, except
//! after a short abbreviation (`e.g.`, `vs.`, `Mr.`). A list marker at the start of a
//! line (`1.`, `2)`, `–`, `-`, `•`) is dropped, so that "1. Most people ..." reads as
//! "Most people ...", and its number is not a figure.

use serde::Serialize;

/// One sentence of the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sentence {
    /// Line of the text it starts on (1-based).
    pub line: usize,
    /// Paragraph (0-based, blank-line separated).
    pub paragraph: usize,
    /// The sentence, typography folded.
    pub text: String,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (with inner `'`, `-`, `/`).
    Word,
    /// Digits (with grouping commas and a decimal point), maybe ending in `%` or `x`.
    Number,
    /// One punctuation character.
    Punct,
}

/// A token and where it is in its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Its kind.
    pub kind: TokenKind,
    /// The text as written.
    pub text: String,
    /// Lower case.
    pub lower: String,
    /// Byte offset of its start in the sentence.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
}

impl Token {
    /// Whether this is the word `w` (lower case).
    pub fn is(&self, w: &str) -> bool {
        self.lower == w
    }

    /// Whether this is one of the words.
    pub fn is_any(&self, ws: &[&str]) -> bool {
        ws.contains(&self.lower.as_str())
    }

    /// Whether this is punctuation (any of `chars`).
    pub fn is_punct(&self, chars: &str) -> bool {
        self.kind == TokenKind::Punct && chars.contains(self.text.as_str())
    }

    /// A percentage: a number ending in `%`.
    pub fn is_percent(&self) -> bool {
        self.kind == TokenKind::Number && self.text.ends_with('%')
    }
}

/// Folds typography so that rules match one spelling.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('\u{2013}'),
            '\u{2026}' => out.push_str("..."),
            '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\t' => out.push(' '),
            '\r' => {}
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "no"];

/// Drops a list marker at the start of a line.
fn strip_marker(line: &str) -> &str {
    let t = line.trim_start();
    let t = t.strip_prefix('(').map_or(t, str::trim_start);
    for dash in ['\u{2013}', '-', '\u{2022}', '*'] {
        if let Some(rest) = t.strip_prefix(dash)
            && rest.starts_with(' ')
        {
            return rest.trim_start();
        }
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &t[digits..];
        if let Some(after) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))
            && after.starts_with(' ')
        {
            return after.trim_start();
        }
    }
    t
}

/// The article's sentences, in order.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let folded = fold(text);
    let mut out = Vec::new();
    let mut paragraph = 0;
    let mut in_paragraph = false;
    for (i, raw) in folded.lines().enumerate() {
        let line = strip_marker(raw).trim();
        if line.is_empty() {
            if in_paragraph {
                paragraph += 1;
                in_paragraph = false;
            }
            continue;
        }
        in_paragraph = true;
        for s in split_line(line) {
            out.push(Sentence { line: i + 1, paragraph, text: s });
        }
    }
    out
}

/// Splits one line into sentences.
fn split_line(line: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i;
            while j + 1 < chars.len() && matches!(chars[j + 1].1, '.' | '!' | '?') {
                j += 1;
            }
            let end = chars.get(j + 1).map_or(line.len(), |&(b, _)| b);
            let next = chars[j + 1..].iter().find(|(_, c)| *c != ' ').map(|&(_, c)| c);
            let spaced = chars.get(j + 1).is_none_or(|&(_, c)| c == ' ');
            let word_before: String = line[start..at]
                .rsplit(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("")
                .to_lowercase();
            let abbreviation = c == '.' && j == i && ABBREVIATIONS.contains(&word_before.as_str());
            let opens = next.is_none_or(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '(' | '"' | '\u{2013}')
            });
            if spaced && opens && !abbreviation {
                let s = line[start..end].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = end;
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    let rest = line[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// The tokens of a sentence.
pub fn tokens(sentence: &str) -> Vec<Token> {
    let bytes = sentence.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let push = |out: &mut Vec<Token>, kind, start: usize, end: usize| {
        let text = sentence[start..end].to_string();
        out.push(Token { kind, lower: text.to_lowercase(), text, start, end });
    };
    while i < sentence.len() {
        let c = sentence[i..].chars().next().unwrap_or(' ');
        let len = c.len_utf8();
        if c.is_whitespace() {
            i += len;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() {
                let b = bytes[i];
                let digit_follows = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if b.is_ascii_digit() || ((b == b',' || b == b'.') && digit_follows) {
                    i += 1;
                } else {
                    break;
                }
            }
            let factor = matches!(bytes.get(i), Some(b'x' | b'X'))
                && !bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
            if bytes.get(i) == Some(&b'%') || factor {
                i += 1;
            }
            push(&mut out, TokenKind::Number, start, i);
        } else if c.is_alphabetic() {
            let start = i;
            while i < sentence.len() {
                let d = sentence[i..].chars().next().unwrap_or(' ');
                let inner = matches!(d, '\'' | '-' | '/')
                    && sentence[i + 1..].chars().next().is_some_and(char::is_alphabetic);
                if d.is_alphabetic() || inner {
                    i += d.len_utf8();
                } else {
                    break;
                }
            }
            push(&mut out, TokenKind::Word, start, i);
        } else {
            push(&mut out, TokenKind::Punct, i, i + len);
            i += len;
        }
    }
    out
}

/// Words that carry no content for matching a claim to a question.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "from", "with", "by", "is",
    "are", "was", "were", "be", "been", "will", "would", "can", "could", "do", "does", "did",
    "don't", "have", "has", "had", "it", "its", "they", "them", "their", "they've", "we", "our",
    "you", "your", "i", "my", "me", "he", "she", "his", "her", "this", "that", "these", "those",
    "who", "which", "what", "as", "than", "not", "no", "if", "so", "some", "any", "all", "more",
    "less", "most", "very", "also", "there", "such", "one", "ones", "way", "ways", "want", "even",
];

/// The stem a word is matched by: its first five letters, lower case (so "recruiters",
/// "recruiter" and "recruitment" meet, as do "invite" and "invitation").
pub fn stem(word: &str) -> String {
    word.to_lowercase().chars().filter(|c| c.is_alphabetic()).take(5).collect()
}

/// The content stems of some tokens (stop words and numbers left out).
pub fn content_stems(tokens: &[Token]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tokens {
        if t.kind == TokenKind::Word && !t.is_any(STOP_WORDS) && t.lower.len() > 2 {
            let s = stem(&t.lower);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Number words that make a sentence numeric ("one" only in "one in N", which holds
/// a digit or another number word anyway).
pub const NUMBER_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "half",
    "halves", "twice", "thrice", "third", "thirds", "quarter", "dozen",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_ends_not_at_decimals_or_abbreviations() {
        let s = sentences(
            "Title line\n\nWe asked 12.5% of them, e.g. Mr. Smith. Then more... (Yes!) done.\n– 8% wrote.\n1. Most people play.",
        );
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Title line",
                "We asked 12.5% of them, e.g. Mr. Smith.",
                "Then more...",
                "(Yes!) done.",
                "8% wrote.",
                "Most people play."
            ]
        );
        assert_eq!((s[0].paragraph, s[1].paragraph, s[5].paragraph), (0, 1, 1));
        assert_eq!((s[1].line, s[4].line, s[5].line), (3, 4, 5));
    }

    #[test]
    fn tokens_keep_percentages_factors_and_grouped_digits() {
        let t = tokens("Less than 1% of 1,000 non-recruiters, 12.5% and 50x (they're).");
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Less",
                "than",
                "1%",
                "of",
                "1,000",
                "non-recruiters",
                ",",
                "12.5%",
                "and",
                "50x",
                "(",
                "they're",
                ")",
                "."
            ]
        );
        assert!(t[2].is_percent() && !t[4].is_percent());
    }

    #[test]
    fn typography_is_folded() {
        assert_eq!(
            fold("they\u{2019}ve \u{201C}met\u{201D} \u{2014} now\u{2026}"),
            "they've \"met\" \u{2013} now..."
        );
    }
}
