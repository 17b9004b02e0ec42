//! The self-contained HTML report: the [`Document`] through one minijinja template
//! (inline SVG charts, no scripts, fonts or remote resources; it opens offline).

use super::document::Document;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// The template environment of every HTML page: HTML escaping, with bidirectional
/// formatting characters made visible (see [`super::escape`]).
pub fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_formatter(|out, state, value| {
        if let Some(text) = value.as_str()
            && text.chars().any(crate::format::is_bidi_control)
        {
            let shown = minijinja::Value::from(super::escape::visible_bidi(text).into_owned());
            return minijinja::escape_formatter(out, state, &shown);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env
}

/// Renders the HTML report.
///
/// # Errors
/// A template error (a bug: the template is compiled in and tested).
pub fn render(doc: &Document) -> Result<String, minijinja::Error> {
    let mut env = environment();
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(minijinja::context! {
        doc => minijinja::value::Serde(doc),
        style => include_str!("../../templates/style.css"),
    })
}
