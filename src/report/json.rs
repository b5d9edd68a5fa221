//! JSON output, schema version 1 (documented in docs/json-output.md).

use serde_json::{json, Value};

use super::count;
use crate::catalog::{catalog, Level};
use crate::finding::Place;
use crate::finding::{Finding, SuppressionKind};
use crate::scan::ScanResult;

pub const SCHEMA_VERSION: u32 = 1;

fn loc(result: &ScanResult, l: Place) -> Value {
    json!({
        "path": result.files[l.file].path,
        "line": l.pos.line,
        "column": l.pos.col,
        "end_line": l.pos.end_line,
        "end_column": l.pos.end_col,
    })
}

fn finding(result: &ScanResult, f: &Finding) -> Value {
    let mut v = loc(result, f.primary);
    let o = v.as_object_mut().expect("object");
    o.insert("rule".into(), json!(f.rule));
    o.insert("name".into(), json!(catalog().rule(f.rule).map(|r| r.name.clone())));
    o.insert("level".into(), json!(f.level.name()));
    o.insert("message".into(), json!(f.message));
    o.insert("label".into(), json!(f.label));
    o.insert("token".into(), json!(f.token));
    o.insert("environments".into(), json!(f.environments));
    o.insert("help".into(), json!(f.help));
    o.insert("fingerprint".into(), json!(f.fingerprint));
    o.insert(
        "related".into(),
        Value::Array(
            f.related
                .iter()
                .map(|r| {
                    let mut v = loc(result, r.loc);
                    v.as_object_mut()
                        .expect("object")
                        .insert("message".into(), json!(r.message));
                    v
                })
                .collect(),
        ),
    );
    // Stable key order for readers who diff.
    let sorted: serde_json::Map<String, Value> = {
        let mut m: Vec<(String, Value)> = o.clone().into_iter().collect();
        m.sort_by(|a, b| a.0.cmp(&b.0));
        m.into_iter().collect()
    };
    Value::Object(sorted)
}

pub fn write(result: &ScanResult, out: &mut super::Out) {
    let flt = &result.filtered;
    let s = &result.stats;
    let doc = json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "orgtoken", "version": env!("CARGO_PKG_VERSION")},
        "findings": [],
        "suppressed": [],
        "notes": result.notes,
        "summary": {
            "errors": count(&result.findings, Level::Error),
            "warnings": count(&result.findings, Level::Warning),
            "notes": result.notes.len(),
            "suppressed_inline": flt.count(SuppressionKind::InSource),
            "suppressed_baseline": flt.count(SuppressionKind::External),
            "stale_baseline": flt.stale_baseline,
            "outside_changes": flt.left_out.outside_changes,
            "off_by_config": flt.left_out.by_config,
            "not_selected": flt.left_out.not_selected,
            "files_walked": s.files_walked,
            "files_analysed": s.files_analysed,
            "skipped": {
                "binary": s.skipped.binary,
                "too_large": s.skipped.too_large,
                "vendored": s.skipped.excluded_vendored,
            },
        },
    });
    // Findings are rendered one at a time into the document's text.
    super::pretty_with_arrays(&doc, &["findings", "suppressed"], out, |key, out| {
        if key == "findings" {
            super::pretty_array(out, result.findings.iter().map(|f| finding(result, f)), 2);
        } else {
            let suppressed = result.filtered.suppressed.iter().map(|s| {
                let mut v = finding(result, &s.finding);
                let kind = match s.kind {
                    SuppressionKind::InSource => "inline",
                    SuppressionKind::External => "baseline",
                };
                v["suppression"] = json!({"kind": kind, "justification": s.justification});
                v
            });
            super::pretty_array(out, suppressed, 2);
        }
    });
    out.push('\n');
}
