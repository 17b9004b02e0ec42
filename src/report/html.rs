//! The self-contained HTML report (minijinja template, inline SVG charts, no external
//! resources) and its Markdown twin.

use super::StudyReport;
use crate::plot::Chart;
use serde::Serialize;

const TEMPLATE: &str = include_str!("../../templates/report.html");

use crate::format::{p_value_or_undefined as p_text, points, points_interval, share as pct};

fn interval(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => crate::format::share_interval(lo, hi),
        _ => "undefined".into(),
    }
}

#[derive(Serialize)]
struct ChartView {
    id: String,
    title: String,
    subtitle: String,
    alt: String,
    svg: String,
}

/// The methods table: what each method is and what it matches.
fn methods(r: &StudyReport) -> Vec<(String, String, String)> {
    let o = &r.analysis.options;
    let ci_ref = match o.ci_method.name() {
        "wilson" => {
            "R prop.test(correct = FALSE); statsmodels proportion_confint(method=\"wilson\")"
        }
        "clopper-pearson" => "R binom.test; statsmodels proportion_confint(method=\"beta\")",
        "jeffreys" => "DescTools BinomCI(\"jeffreys\")",
        "agresti-coull" => "statsmodels proportion_confint(method=\"agresti_coull\")",
        "wilson-cc" => "R prop.test(); scipy proportion_ci(method=\"wilsoncc\")",
        "mid-p" => "PropCIs midPci",
        _ => "statsmodels proportion_confint(method=\"normal\")",
    };
    let test_ref = match o.test.name() {
        "fisher" => "R fisher.test; scipy fisher_exact",
        "barnard" => "scipy barnard_exact (groups as columns)",
        "boschloo" => "scipy boschloo_exact (groups as columns)",
        "z" | "chi2" => "R prop.test(correct = FALSE); statsmodels proportions_ztest",
        "chi2-yates" => "R chisq.test()",
        "g" => "scipy chi2_contingency(lambda_=\"log-likelihood\")",
        _ => "statsmodels test_proportions_2indep",
    };
    vec![
        ("Share in a group".into(), format!("{} interval", o.ci_method.name()), ci_ref.into()),
        (
            "Difference between groups".into(),
            format!("{} interval", o.difference_method.name()),
            "statsmodels confint_proportions_2indep(method=\"newcomb\"); DescTools BinomDiffCI".into(),
        ),
        ("Test of equal shares".into(), format!("{} test, two-sided", o.test.name()), test_ref.into()),
        ("Multiplicity".into(), format!("{} across all comparisons of the questionnaire", o.adjustment.name()), "R p.adjust".into()),
        ("\"Majority\" claims".into(), "exact binomial test, one-sided against 50%".into(), "R binom.test(alternative = \"greater\")".into()),
        ("Ratio claims".into(), "risk ratio with Koopman score interval".into(), "statsmodels confint_proportions_2indep(compare=\"ratio\", method=\"score\", correction=False)".into()),
        ("Within-respondent claims".into(), "exact McNemar test over every joint table with the observed margins (Frechet bounds)".into(), "R binom.test on the discordant pairs; exact2x2 mcnemar.exact".into()),
        ("More than two groups".into(), "Pearson chi-square and exact Fisher-Freeman-Halton test".into(), "R chisq.test, fisher.test (r x c)".into()),
        ("Exact group intervals in charts of more than two groups".into(), "Clopper-Pearson".into(), "R binom.test".into()),
        ("Published figures".into(), "exact interval semantics of the printed, rounded value".into(), "scrutiny GRIM (percent = TRUE), in integer arithmetic".into()),
    ]
}

/// The template environment of every HTML report: HTML escaping, with bidirectional
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

/// Renders the HTML report with the given charts (and their SVG text).
///
/// # Errors
/// A template error (a bug: the template is compiled in and tested).
pub fn render(r: &StudyReport, charts: &[(Chart, String)]) -> Result<String, minijinja::Error> {
    let a = &r.analysis;
    let cb = &r.codebook;
    let level = crate::format::level(a.options.level.value());
    let group_sizes =
        a.respondents.iter().map(|(g, n)| format!("{g} {n}")).collect::<Vec<_>>().join(", ");
    let mut findings: Vec<String> = Vec::new();
    let mut sorted: Vec<_> = a.comparisons.iter().filter(|c| c.significant).collect();
    sorted.sort_by(|x, y| y.difference.abs().total_cmp(&x.difference.abs()));
    for c in sorted.iter().take(5) {
        findings.push(format!(
            "{} ({}): {} {} vs {} {}, a difference of {:+.1} points ({level} interval {:+.1} to {:+.1}; adjusted p = {}).",
            c.question,
            c.option_label,
            c.group_a,
            pct(c.estimate_a),
            c.group_b,
            pct(c.estimate_b),
            100.0 * c.difference,
            100.0 * c.ci_lower,
            100.0 * c.ci_upper,
            p_text(c.p_adjusted)
        ));
    }
    let not_sig = a.comparisons.iter().filter(|c| !c.significant).count();
    if not_sig > 0 {
        findings.push(format!(
            "{not_sig} of {} group comparisons are not significant after {} adjustment.",
            a.comparisons.len(),
            a.options.adjustment.name()
        ));
    }
    for g in &a.group_tests {
        if let Some(p) = g.exact_p_value {
            findings.push(format!(
                "{} across {}: {} (exact p = {}).",
                g.question,
                g.groups.join(", "),
                g.counts.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(" vs "),
                p_text(Some(p))
            ));
        }
    }
    for c in &r.claims {
        findings.push(format!("Claim {}: {}.", c.id, c.verdict.name()));
    }
    let reproduced = a.figures.iter().filter(|f| f.reproduced).count();
    if !a.figures.is_empty() {
        findings.push(format!(
            "{reproduced} of {} published figures are reproduced by the data after rounding.",
            a.figures.len()
        ));
    }
    let claims: Vec<_> = r
        .claims
        .iter()
        .map(|c| {
            minijinja::context! {
                id => c.id.as_str(), text => c.text.as_str(), verdict => c.verdict.name(),
                verdict_class => c.verdict.name().replace(' ', "-"), summary => c.summary.as_str(),
            }
        })
        .collect();
    let results: Vec<_> = a
        .results
        .iter()
        .map(|x| {
            minijinja::context! {
                question => x.question.as_str(), option_label => x.option_label.as_str(), group => x.group.as_str(),
                successes => x.successes, n => x.n, missing => x.missing,
                estimate => x.estimate.map_or("undefined".into(), |e| format!("{}{}", pct(e), if x.small_base { " \u{2020}" } else { "" })),
                interval => interval(x.ci_lower, x.ci_upper),
            }
        })
        .collect();
    let comparisons: Vec<_> = a
        .comparisons
        .iter()
        .map(|c| {
            minijinja::context! {
                question => c.question.as_str(), option_label => c.option_label.as_str(),
                groups => format!("{} - {}", c.group_a, c.group_b),
                difference => points(c.difference),
                interval => points_interval(c.ci_lower, c.ci_upper),
                p => p_text(c.p_value), p_adjusted => p_text(c.p_adjusted),
                significant => if c.significant { "yes" } else { "no" },
            }
        })
        .collect();
    let group_tests: Vec<_> = a
        .group_tests
        .iter()
        .map(|g| {
            minijinja::context! {
                question => format!("{} = {}", g.question, g.option), groups => g.groups.join(", "),
                counts => g.counts.iter().map(|(k, n)| format!("{k}/{n}")).collect::<Vec<_>>().join(", "),
                chi2_p => p_text(g.chi2_p_value), exact_p => p_text(g.exact_p_value),
                rao_scott_p => p_text(g.rao_scott_p_value),
                letters => g.groups.iter().zip(&g.letters).enumerate()
                    .map(|(j, (name, l))| format!("{} {name}: {}", crate::stats::contingency::group_letter(j), if l.is_empty() { "-" } else { l }))
                    .collect::<Vec<_>>().join("; "),
                note => g.note.as_str(),
            }
        })
        .collect();
    let figures: Vec<_> = a
        .figures
        .iter()
        .map(|f| {
            minijinja::context! {
                label => f.label.as_str(), group => f.group.as_str(), printed => f.printed.as_str(),
                data => format!("{}/{} = {}", f.successes, f.n, f.estimate.map_or("undefined".into(), pct)),
                reproduced => if f.reproduced { "yes" } else { "no" },
                consistent => if f.consistent_counts.is_empty() { "none".to_string() } else {
                    f.consistent_counts.iter().map(u64::to_string).collect::<Vec<_>>().join(", ") },
            }
        })
        .collect();
    let bases: Vec<String> = a
        .base_recovery
        .iter()
        .map(|b| {
            let fits = |r: crate::consistency::Rounding| {
                let ns: Vec<String> = b.fits.iter().filter(|f| f.rounding == r && f.fits).map(|f| f.n.to_string()).collect();
                if ns.is_empty() { "none".to_string() } else { ns.join(", ") }
            };
            let missing: Vec<String> = b
                .fits
                .iter()
                .filter(|f| f.rounding == cb.rounding() && f.n >= b.allowed.0 && f.n <= b.allowed.1)
                .map(|f| format!("{}: {}", f.n, f.missing_needed.map_or("impossible".into(), |m| m.to_string())))
                .collect();
            let chance = b
                .expected_chance_hits
                .iter()
                .find(|(r, _)| *r == cb.rounding())
                .map_or(0.0, |(_, c)| *c);
            format!(
                "\"{}\" {} is read as {} to {}. Sizes in {}..{} at which all of the group's published figures are reachable on one base: {} under half-up, {} under half-down, {} under half-even, {} under up-or-down, {} under ceiling, {} under floor. Random figures of the same precision would fit about {:.1} sizes in this window by chance, so a fit is weak evidence; the absence of any fit in the stated range is the robust finding. Missing answers needed to reach every figure ({}): {}.",
                b.phrase,
                b.group,
                b.allowed.0,
                b.allowed.1,
                b.fits.iter().map(|f| f.n).min().unwrap_or(0),
                b.fits.iter().map(|f| f.n).max().unwrap_or(0),
                fits(crate::consistency::Rounding::HalfUp),
                fits(crate::consistency::Rounding::HalfDown),
                fits(crate::consistency::Rounding::HalfEven),
                fits(crate::consistency::Rounding::UpOrDown),
                fits(crate::consistency::Rounding::Ceiling),
                fits(crate::consistency::Rounding::Floor),
                chance,
                cb.rounding(),
                missing.join("; ")
            )
        })
        .collect();
    let figure_comparisons: Vec<_> = a
        .figure_comparisons
        .iter()
        .filter_map(|c| {
            let rg = c.range.as_ref()?;
            Some(minijinja::context! {
                label => c.label.as_str(),
                printed => format!("{} of {} vs {} of {}", c.first.0, c.first.1, c.second.0, c.second.1),
                combinations => rg.combinations,
                difference => format!("{} pts", points_interval(rg.difference.0, rg.difference.1)),
                interval => format!("{} pts", points_interval(rg.interval.0, rg.interval.1)),
                p => format!("{} to {}", p_text(Some(rg.p_value.0)), p_text(Some(rg.p_value.1))),
            })
        })
        .collect();
    let views: Vec<ChartView> = charts
        .iter()
        .map(|(c, svg)| ChartView {
            id: c.id.clone(),
            title: c.title.clone(),
            subtitle: c.subtitle.clone(),
            alt: c.alt.clone(),
            svg: responsive(svg),
        })
        .collect();
    let reconstruction = r.reconstruction.as_ref().map(|rec| {
        minijinja::context! {
            total_rule => rec.total_rule.as_str(),
            groups => rec.groups.iter().map(|g| minijinja::context! { group => g.group.as_str(), size => g.size, rule => g.rule.as_str() }).collect::<Vec<_>>(),
            questions => rec.questions.iter().map(|q| minijinja::context! {
                question => q.question.as_str(), group => q.group.as_str(), base => q.base, missing => q.missing,
                counts => q.counts.iter().map(u64::to_string).collect::<Vec<_>>().join(" / "), rule => q.rule.as_str(),
            }).collect::<Vec<_>>(),
        }
    });
    let dependent: Vec<String> =
        r.claims.iter().filter(|c| c.depends_on_reconstruction).map(|c| c.id.clone()).collect();
    let depends = if dependent.is_empty() {
        "no claim verdict changes with the reconstruction's choices.".to_string()
    } else {
        format!(
            "the verdicts of {} change with choices the published figures leave open.",
            dependent.join(", ")
        )
    };
    let question_tests: Vec<_> = a
        .question_tests
        .iter()
        .map(|q| {
            minijinja::context! {
                question => q.question.as_str(),
                table => q.table.iter().map(|r| r.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")).collect::<Vec<_>>().join("; "),
                chi2_p => p_text(q.chi2_p_value), exact_p => p_text(q.exact_p_value),
                rao_scott_p => p_text(q.rao_scott_p_value),
                note => q.note.as_str(),
            }
        })
        .collect();
    let weighted: Vec<_> = a
        .weighted
        .iter()
        .map(|w| {
            minijinja::context! {
                question => w.question.as_str(), option => w.option.as_str(), group => w.group.as_str(), n => w.n,
                effective_n => format!("{:.1}", w.effective_n), deff_kish => format!("{:.3}", w.deff_kish),
                deff_replace => w.deff_replace.map_or("undefined".to_string(), |d| format!("{d:.3}")),
                estimate => pct(w.estimate), se => format!("{:.4}", w.se),
                interval => format!("{} to {}{}", pct(w.ci_lower), pct(w.ci_upper), if w.boundary { " (exact one-sided bound: share is 0 or 1)" } else { "" }),
            }
        })
        .collect();
    let weighted_comparisons: Vec<_> = a
        .weighted_comparisons
        .iter()
        .map(|c| {
            minijinja::context! {
                question => c.question.as_str(), option => c.option.as_str(),
                difference => points(c.difference),
                wald => points_interval(c.wald_lower, c.wald_upper),
                newcombe => points_interval(c.newcombe_effective_lower, c.newcombe_effective_upper),
                p => p_text(Some(c.p_value)), rao_scott => p_text(c.rao_scott_p_value),
            }
        })
        .collect();
    let mut env = environment();
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(minijinja::context! {
        title => cb.study.title.as_str(),
        style => include_str!("../../templates/style.css"),
        source => cb.study.source.as_str(),
        version => r.version.as_str(),
        load => minijinja::value::Serde(&r.load),
        min_base => a.options.min_base,
        suppressed => a.suppressed.iter().map(|c| format!("{} in {}: {}", c.question, c.group, c.reason)).collect::<Vec<_>>(),
        group_sizes => group_sizes,
        seed => r.reconstruction.as_ref().map(|x| x.seed),
        reconstructed => r.reconstruction.is_some(),
        rounding => cb.rounding().name(),
        findings => findings,
        claims => claims,
        charts => minijinja::value::Serde(&views),
        results => results,
        comparisons => comparisons,
        group_tests => group_tests,
        weighted_tests => a.question_tests.iter().any(|q| q.rao_scott_p_value.is_some())
            || a.group_tests.iter().any(|g| g.rao_scott_p_value.is_some()),
        question_tests => question_tests,
        weighted => weighted,
        weighted_comparisons => weighted_comparisons,
        figures => figures,
        bases => bases,
        figure_comparisons => figure_comparisons,
        reconstruction => reconstruction,
        depends => depends,
        methods => methods(r),
        level => level,
        ci_method => a.options.ci_method.name(),
        difference_method => a.options.difference_method.name(),
        test => a.options.test.name(),
        adjustment => a.options.adjustment.name(),
        codebook_file => cb.path.display().to_string(),
        codebook_sha256 => cb.sha256.as_str(),
    })
}

/// Adds a `viewBox` so an inline SVG scales with the page.
pub fn responsive(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else { return svg.to_string() };
    let attr = |name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let i = svg[start..].find(&key)? + start + key.len();
        let j = svg[i..].find('"')? + i;
        Some(svg[i..j].to_string())
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) if !svg.contains("viewBox") => {
            svg.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1)
        }
        _ => svg.to_string(),
    }
}

/// The Markdown report: the same sections as tables, with links to the PNG charts.
/// Every text from the codebook or the data goes through [`super::escape::markdown`].
pub fn markdown(r: &StudyReport, charts: &[Chart]) -> String {
    use super::escape::markdown as m;
    use std::fmt::Write as _;
    let a = &r.analysis;
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", m(&r.codebook.study.title));
    let _ = writeln!(md, "{}\n", m(&r.codebook.study.source));
    if let Some(rec) = &r.reconstruction {
        let _ = writeln!(
            md,
            "**The respondent data are a reconstruction consistent with the published figures, not the original data** (seed {}).\n",
            rec.seed
        );
    }
    if !r.load.warnings.is_empty() {
        let _ = writeln!(md, "## Warnings\n");
        for w in &r.load.warnings {
            let _ = writeln!(md, "- {}", m(w));
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "## Claims\n\n| Claim | Verdict | The numbers behind it |\n|---|---|---|");
    for c in &r.claims {
        let _ = writeln!(md, "| {} | {} | {} |", m(&c.id), c.verdict.name(), m(&c.summary));
    }
    let _ = writeln!(md, "\n## Charts\n");
    for (i, c) in charts.iter().enumerate() {
        let _ = writeln!(
            md,
            "**Figure {}. {}.** {}.\n\n![{}](charts/{}.png)\n",
            i + 1,
            m(&c.title),
            m(&c.subtitle),
            m(&c.alt),
            c.id
        );
    }
    let _ = writeln!(
        md,
        "## Published figures\n\n| Figure | Group | Printed | Data | Reproduced |\n|---|---|---|---|---|"
    );
    for f in &a.figures {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {}/{} = {} | {} |",
            m(&f.label),
            m(&f.group),
            m(&f.printed),
            f.successes,
            f.n,
            f.estimate.map_or("undefined".into(), pct),
            if f.reproduced { "yes" } else { "no" }
        );
    }
    if !a.comparisons.is_empty() {
        let _ = writeln!(
            md,
            "\n## Comparisons\n\n| Question | Answer | Groups | Difference | Interval | p (adjusted) |\n|---|---|---|---|---|---|"
        );
        for c in &a.comparisons {
            let _ = writeln!(
                md,
                "| {} | {} | {} - {} | {:+.1} pts | {:+.1} to {:+.1} | {} ({}) |",
                m(&c.question),
                m(&c.option_label),
                m(&c.group_a),
                m(&c.group_b),
                100.0 * c.difference,
                100.0 * c.ci_lower,
                100.0 * c.ci_upper,
                p_text(c.p_value),
                p_text(c.p_adjusted)
            );
        }
    }
    let _ = writeln!(
        md,
        "\n## Software and inputs\n\ninvitestat {}; responses {} (SHA-256 {}); codebook {} (SHA-256 {}).",
        r.version,
        m(&r.load.file),
        r.load.sha256,
        m(&r.codebook.path.display().to_string()),
        r.codebook.sha256
    );
    md
}
