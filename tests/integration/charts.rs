//! Charts: structure of the SVG, PNG files that are real and not blank, determinism,
//! and a self-contained HTML report.

use invitestat::analysis::AnalysisOptions;
use invitestat::report::Formats;
use invitestat::study::run_bundled;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn findings_and_difference_charts_show_every_item_with_values_and_significance() {
    let report =
        run_bundled(&root().join("data/executives-online"), AnalysisOptions::default()).unwrap();
    let charts = report.charts();
    let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["findings", "answers-main_use", "differences", "claims", "bases-recruiters"]);
    let findings = charts[0].svg().unwrap();
    for label in ["Accept invitations from strangers", "Only accept people they know"] {
        assert!(findings.contains(label), "findings lacks {label}");
    }
    // plotters writes each text on a line of its own.
    for value in ["87%", "63%", "6%", "21%", "Recruiters (n = 54-55)", "Non-recruiters (n = 345)"] {
        assert!(findings.contains(&format!("\n{value}\n")), "findings lacks {value}");
    }
    assert!(findings.contains("Source: executives-online") && findings.contains("seed 20141001"));
    // A single-choice question gets a chart of its own: every answer, every group.
    let answers = charts[1].svg().unwrap();
    for text in
        ["Main use of LinkedIn", "To hire or recruit", "\n0.6%\n", "\n40%\n", "Recruiters (n = 53)"]
    {
        assert!(answers.contains(text), "answers-main_use lacks {text:?}");
    }
    let diffs = charts[2].svg().unwrap();
    // Significant rows carry a star in the label (not colour alone); F7 does not.
    assert!(diffs.contains("Accept invitations from strangers *"));
    assert!(diffs.contains("\nIgnore invitations not accepted\n"));
    assert!(diffs.contains("+24, p = 0.001"));
    let claims = charts[3].svg().unwrap();
    for c in ["C1", "C7", "cannot be reproduced"] {
        assert!(claims.contains(c), "claims chart lacks {c}");
    }
    for c in &charts {
        assert!(c.alt.len() > 80, "{} has no real alt text", c.id);
        assert!(c.svg().unwrap() == c.svg().unwrap(), "{} is not deterministic", c.id);
    }
}

#[test]
fn png_charts_are_real_images_and_the_html_is_self_contained() {
    let report =
        run_bundled(&root().join("data/october-experiment"), AnalysisOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("october");
    report.save(&out, Formats::ALL).unwrap();
    let png = std::fs::read(out.join("charts/findings.png")).unwrap();
    let chart = report.charts().into_iter().find(|c| c.id == "findings").unwrap();
    assert_eq!(png_size(&png), chart.size());
    assert!(png.len() > 10_000, "a blank PNG compresses to almost nothing");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(!html.contains("{{") && !html.contains("{%"));
    for external in ["src=\"http", "href=\"http", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(external), "report.html refers to {external}");
    }
    assert!(html.contains("Anglo-Saxon (n = 10)") && html.contains(r#"viewBox="0 0 1000"#));
    assert!(html.contains("is a reconstruction") || html.contains("are a reconstruction"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("![") && md.contains("charts/findings.png"));
    // --format limits the outputs.
    let only = dir.path().join("only-csv");
    report.save(&only, Formats::parse("csv").unwrap()).unwrap();
    assert!(
        only.join("results.csv").exists()
            && !only.join("report.html").exists()
            && !only.join("charts").exists()
    );
}

#[test]
fn labels_with_markup_are_escaped_in_the_html() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("data/executives-online");
    let text = std::fs::read_to_string(src.join("codebook.toml")).unwrap().replace(
        r#"label = "Ignore invitations not accepted""#,
        r#"label = "Ignore <b>invitations</b> & 'spam'""#,
    );
    let cb_path = dir.path().join("codebook.toml");
    std::fs::write(&cb_path, text).unwrap();
    let codebook = invitestat::codebook::Codebook::from_path(&cb_path).unwrap();
    let report = invitestat::study::analyse_file(
        &src.join("responses.csv"),
        &codebook,
        &invitestat::study::Options::default(),
    )
    .unwrap();
    let out = dir.path().join("r");
    report.save(&out, Formats::parse("html").unwrap()).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<b>invitations</b>"), "unescaped label");
    assert!(
        html.contains("&lt;b&gt;invitations&lt;&#x2f;b&gt;")
            || html.contains("&lt;b&gt;invitations&lt;/b&gt;"),
        "label not escaped"
    );
}
