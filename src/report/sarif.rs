//! SARIF 2.1.0 output for GitHub code scanning: rules with help, results
//! with one primary location (the binding), related locations, and stable
//! fingerprints. Columns are Unicode code points; `endColumn` is exclusive.

use std::collections::HashMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::catalog::catalog;
use crate::finding::Place;
use crate::finding::{Finding, SuppressionKind};
use crate::scan::ScanResult;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Paths are relative to the scan's path base, `%SRCROOT%` (the git work
/// tree's root, which is what code scanning resolves against); a path that
/// is still absolute (several roots with no common directory) keeps a
/// `file://` URI.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({"uri": format!("file://{}", uri(path))})
    } else {
        json!({"uri": uri(path), "uriBaseId": "%SRCROOT%"})
    }
}

fn physical(result: &ScanResult, l: Place) -> Value {
    json!({
        "artifactLocation": artifact(&result.files[l.file].path),
        "region": {
            "startLine": l.pos.line,
            "startColumn": l.pos.col,
            "endLine": l.pos.end_line,
            "endColumn": l.pos.end_col,
        }
    })
}

/// A relative URI: `/`-separated, percent-encoding what is not allowed.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rules() -> Vec<Value> {
    catalog()
        .rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.short},
                "fullDescription": {"text": r.full},
                "helpUri": r.help_uri(),
                "help": {"text": r.help_text, "markdown": r.help_markdown},
                "defaultConfiguration": {"level": r.level.name()},
                "properties": {
                    "tags": r.tags,
                    "precision": r.precision,
                },
            });
            // Only security findings: GitHub lists rules with a severity
            // as security alerts.
            if let Some(sev) = &r.security_severity {
                v["properties"]["security-severity"] = json!(sev);
            }
            v
        })
        .collect()
}

/// The SARIF document; `drop_suppressed` leaves suppressed results out
/// (they are kept, with `suppressions`, otherwise).
pub fn write(result: &ScanResult, drop_suppressed: bool, out: &mut super::Out) {
    let mut seen_lines: HashMap<(usize, String), usize> = HashMap::new();
    // Suppressed findings are results too, marked with `suppressions`.
    let mut all: Vec<(&Finding, Option<(SuppressionKind, &str)>)> = result.findings.iter().map(|f| (f, None)).collect();
    if !drop_suppressed {
        all.extend(
            result
                .filtered
                .suppressed
                .iter()
                .map(|s| (&s.finding, Some((s.kind, s.justification.as_str())))),
        );
    }
    all.sort_by(|a, b| (a.0.primary, a.0.rule).cmp(&(b.0.primary, b.0.rule)));
    // Each file's line starts, once (a line looked up from the start of the
    // file per result made 20,000 results in one file quadratic).
    let mut starts: Vec<Option<Vec<usize>>> = (0..result.files.len()).map(|_| None).collect();
    let results = all.into_iter().map(|(f, suppression)| {
        let file = &result.files[f.primary.file];
        let st = starts[f.primary.file].get_or_insert_with(|| super::line_starts(&file.text));
        let line = (f.primary.pos.line as usize).wrapping_sub(1);
        let line_text = st
            .get(line)
            .map(|&a| {
                let b = st.get(line + 1).copied().unwrap_or(file.text.len());
                &file.text[a..b]
            })
            .unwrap_or("")
            .trim();
        let line_hash: String = Sha256::digest(line_text.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let n = seen_lines.entry((f.primary.file, line_hash.clone())).or_insert(0);
        *n += 1;
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical(result, r.loc),
                    "message": {"text": r.message},
                })
            })
            .collect();
        let mut message = f.message.clone();
        for (i, r) in f.related.iter().enumerate() {
            message.push_str(&format!(" [{}]({})", related_label(&r.message), i + 1));
        }
        let mut v = json!({
            "ruleId": f.rule,
            "ruleIndex": catalog().rule_index(f.rule),
            "level": f.level.name(),
            "message": {"text": message},
            "locations": [{"physicalLocation": physical(result, f.primary)}],
            "partialFingerprints": {
                "primaryLocationLineHash": format!("{line_hash}:{n}"),
                "orgtoken/v1": f.fingerprint,
            },
            "properties": {
                "token": f.token,
                "environments": f.environments,
            },
        });
        if !related.is_empty() {
            v["relatedLocations"] = Value::Array(related);
        }
        if let Some(flow) = code_flow(result, f) {
            v["codeFlows"] = json!([flow]);
        }
        if let Some((kind, justification)) = suppression {
            let kind = match kind {
                SuppressionKind::InSource => "inSource",
                SuppressionKind::External => "external",
            };
            let mut s = json!({"kind": kind, "status": "accepted"});
            if !justification.is_empty() {
                s["justification"] = json!(justification);
            }
            v["suppressions"] = json!([s]);
        }
        v
    });
    let mut results = Some(results);
    let notifications: Vec<Value> = result
        .notes
        .iter()
        .map(|n| {
            let mut v = json!({"level": "warning", "message": {"text": n.message}});
            if !n.path.is_empty() {
                v["locations"] = json!([{"physicalLocation": {"artifactLocation": artifact(&n.path)}}]);
            }
            v
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "orgtoken",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules(),
            }},
            "automationDetails": {"id": "orgtoken/"},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the git work tree holding the scanned paths, else the scanned directory."}}},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": [],
        }],
    });
    super::pretty_with_arrays(&doc, &["results"], out, |_, out| {
        if let Some(r) = results.take() {
            super::pretty_array(out, r, 6);
        }
    });
    out.push('\n');
}

/// Related-location messages of the steps a token takes to the binding
/// (written by `rules::related_for`).
const TOKEN_ORIGIN: &str = "the token comes from here";
const HELPER_STEP: &str = "the helper sends the request here";

/// A thread flow from the token's origin through the helper's inner call to
/// the binding, when the token comes from another place.
fn code_flow(result: &ScanResult, f: &Finding) -> Option<Value> {
    let origin = f.related.iter().find(|r| r.message == TOKEN_ORIGIN)?;
    let mut steps = vec![(origin.loc, origin.message.as_str())];
    steps.extend(
        f.related
            .iter()
            .filter(|r| r.message == HELPER_STEP)
            .map(|r| (r.loc, r.message.as_str())),
    );
    steps.push((f.primary, f.label.as_str()));
    let locations: Vec<Value> = steps
        .iter()
        .enumerate()
        .map(|(i, (loc, msg))| {
            json!({
                "location": {"physicalLocation": physical(result, *loc), "message": {"text": msg}},
                "executionOrder": i + 1,
            })
        })
        .collect();
    Some(json!({
        "message": {"text": format!("how {} reaches this binding", f.token.as_deref().unwrap_or("the token"))},
        "threadFlows": [{"locations": locations}],
    }))
}

fn related_label(msg: &str) -> &str {
    msg.split(';').next().unwrap_or(msg)
}
