//! The codebook reference (`docs/codebook.md`) and its JSON Schema
//! (`docs/codebook.schema.json`): every shipped codebook and the reference's example
//! satisfy the schema and the parser alike, what the parser refuses as an unknown key the
//! schema refuses too, and every error the reference quotes is a tested bad-input
//! message.

use invitestat::Codebook;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/codebook.schema.json")).unwrap(),
    )
    .unwrap()
}

/// The JSON Schema keywords the codebook's schema uses, checked: `type`, `enum`,
/// `properties`, `required`, `additionalProperties: false`, `items`, `minItems`,
/// `maxItems`, `minLength`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`. Problems are pushed as "path: what".
fn validate(v: &Value, s: &Value, at: &str, problems: &mut Vec<String>) {
    let known = [
        "$schema",
        "$id",
        "title",
        "description",
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ];
    for k in s.as_object().unwrap().keys() {
        assert!(
            known.contains(&k.as_str()),
            "the schema uses '{k}', which this check does not read"
        );
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            other => panic!("type {other}"),
        };
        if !ok {
            problems.push(format!("{at}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        problems.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let Some(n) = v.as_f64() {
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        if bound("minimum").is_some_and(|m| n < m)
            || bound("maximum").is_some_and(|m| n > m)
            || bound("exclusiveMinimum").is_some_and(|m| n <= m)
            || bound("exclusiveMaximum").is_some_and(|m| n >= m)
        {
            problems.push(format!("{at}: {n} is out of range"));
        }
    }
    if let (Some(text), Some(min)) = (v.as_str(), s.get("minLength").and_then(Value::as_u64))
        && (text.chars().count() as u64) < min
    {
        problems.push(format!("{at}: shorter than {min}"));
    }
    if let Some(items) = v.as_array() {
        let len = items.len() as u64;
        if s.get("minItems").and_then(Value::as_u64).is_some_and(|m| len < m)
            || s.get("maxItems").and_then(Value::as_u64).is_some_and(|m| len > m)
        {
            problems.push(format!("{at}: {len} items"));
        }
        if let Some(item) = s.get("items") {
            for (i, x) in items.iter().enumerate() {
                validate(x, item, &format!("{at}[{i}]"), problems);
            }
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                problems.push(format!("{at}: missing required key {r}"));
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => validate(x, sub, &format!("{at}.{k}"), problems),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{at}: unknown key {k}"));
                }
                None => {}
            }
        }
    }
}

fn problems(toml_text: &str) -> Vec<String> {
    let v: Value = toml::from_str(toml_text).expect("TOML");
    let mut out = Vec::new();
    validate(&v, &schema(), "codebook", &mut out);
    out
}

/// Every codebook the repository ships: the bundled studies and examples, the
/// bad-input fixtures' codebook, and the reference's example.
fn shipped() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("data")).unwrap() {
        let path = entry.unwrap().path().join("codebook.toml");
        if path.exists() {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    let bad: Value =
        toml::from_str(&std::fs::read_to_string(root().join("tests/bad-input.toml")).unwrap())
            .unwrap();
    for name in ["codebook.toml", "waves.toml"] {
        let text = bad["fixtures"][name].as_str().unwrap().to_string();
        out.push((format!("tests/bad-input.toml: {name}"), text));
    }
    let reference = std::fs::read_to_string(root().join("docs/codebook.md")).unwrap();
    let example = reference.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    out.push(("docs/codebook.md example".into(), example.to_string()));
    out
}

#[test]
fn every_shipped_codebook_satisfies_the_schema_and_the_parser() {
    let all = shipped();
    assert!(all.len() >= 8, "{} codebooks", all.len());
    for (name, text) in all {
        let p = problems(&text);
        assert!(p.is_empty(), "{name}: {p:#?}");
        Codebook::from_toml(&text, Path::new(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn what_the_parser_refuses_as_unknown_the_schema_refuses() {
    let (_, base) = shipped().into_iter().find(|(n, _)| n.ends_with("example")).unwrap();
    for (edit, key) in [
        ("id_column = \"respondent_id\"", "colour = \"red\"\nid_column = \"respondent_id\""),
        ("kind = \"yes-no\"", "kind = \"yes-no\"\nscale = 5"),
        ("threshold = 0.5", "threshold = 0.5\nthreshhold = 0.5"),
        ("unit = \"respondent\"", "unit = \"respondent\"\nyear = 2014"),
    ] {
        let text = base.replacen(edit, key, 1);
        assert!(Codebook::from_toml(&text, Path::new("t.toml")).is_err(), "{key}");
        assert!(!problems(&text).is_empty(), "the schema accepts {key}");
    }
    // And types: a size that is text, a kind that does not exist.
    let text = base.replacen("published_total = 400", "published_total = \"400\"", 1);
    assert!(problems(&text).iter().any(|p| p.contains("published_total")));
    let text = base.replacen("kind = \"yes-no\"", "kind = \"multiple\"", 1);
    assert!(problems(&text).iter().any(|p| p.contains("kind")));
}

#[test]
fn every_error_the_reference_quotes_is_a_tested_bad_input_message() {
    let reference = std::fs::read_to_string(root().join("docs/codebook.md")).unwrap();
    let table = reference.split("| misuse | error |").nth(1).unwrap();
    let cases: Value =
        toml::from_str(&std::fs::read_to_string(root().join("tests/bad-input.toml")).unwrap())
            .unwrap();
    let messages: Vec<&str> =
        cases["case"].as_array().unwrap().iter().map(|c| c["message"].as_str().unwrap()).collect();
    let mut quoted = 0;
    for row in table.lines().filter(|l| l.contains("| `` ")) {
        let error = row.split("| `` ").nth(1).unwrap().trim_end_matches(" `` |");
        assert!(
            messages.iter().any(|m| m.contains(error)),
            "docs/codebook.md quotes an error no bad-input case prints: {error}"
        );
        quoted += 1;
    }
    assert!(quoted >= 25, "{quoted} errors quoted");
}
