//! The Markdown report: the same [`Document`] as the HTML, every table as a Markdown
//! table and every chart as a link to its PNG, every text through
//! [`super::escape::markdown`].

use super::document::{Block, Document};
use super::escape::markdown as m;
use std::fmt::Write as _;

/// Renders the Markdown report.
pub fn render(doc: &Document) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", m(&doc.title));
    for line in &doc.lede {
        let _ = writeln!(md, "{}  ", m(line));
    }
    let _ = writeln!(md);
    for n in &doc.notices {
        let _ = writeln!(md, "> **{}** {}", m(&n.title), m(&n.text));
        for item in &n.items {
            let _ = writeln!(md, "> - {}", m(item));
        }
        let _ = writeln!(md);
    }
    for s in &doc.sections {
        let _ = writeln!(md, "## {}\n", m(&s.title));
        for b in &s.blocks {
            match b {
                Block::Heading { text } => {
                    let _ = writeln!(md, "### {}\n", m(text));
                }
                Block::Paragraph { text } => {
                    let _ = writeln!(md, "{}\n", m(text));
                }
                Block::List { items } => {
                    for item in items {
                        let _ = writeln!(md, "- {}", m(item));
                    }
                    let _ = writeln!(md);
                }
                Block::Table(t) => {
                    let head: Vec<String> = t.columns.iter().map(|c| m(&c.title)).collect();
                    let _ = writeln!(md, "| {} |", head.join(" | "));
                    let rule: Vec<&str> =
                        t.columns.iter().map(|c| if c.numeric { "---:" } else { "---" }).collect();
                    let _ = writeln!(md, "|{}|", rule.join("|"));
                    for row in &t.rows {
                        let cells: Vec<String> = row.iter().map(|c| m(&c.text)).collect();
                        let _ = writeln!(md, "| {} |", cells.join(" | "));
                    }
                    let _ = writeln!(md);
                }
                Block::Chart(c) => {
                    let _ = writeln!(
                        md,
                        "**Figure {}. {}.** {}.\n",
                        c.number,
                        m(&c.title),
                        m(&c.subtitle)
                    );
                    // The image when a file of it is written; its text alternative otherwise.
                    match c.png_file.as_ref().or(c.svg_file.as_ref()) {
                        Some(file) => {
                            let _ = writeln!(md, "![{}]({file})\n", m(&c.alt));
                        }
                        None => {
                            let _ = writeln!(md, "{}\n", m(&c.alt));
                        }
                    }
                }
            }
        }
    }
    md
}
