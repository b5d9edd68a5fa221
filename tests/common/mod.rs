//! Readers of orgtoken's JSON report shared by the integration tests.
// Each test crate uses some of these.
#![allow(dead_code)]

use serde_json::Value;

/// `RULE path:line` of each entry of `doc[key]` (`findings`, `suppressed`),
/// in report order.
pub fn places(doc: &Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

/// `path: message` of each note, in report order.
pub fn notes(doc: &Value) -> Vec<String> {
    doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}: {}", n["path"].as_str().unwrap(), n["message"].as_str().unwrap()))
        .collect()
}
