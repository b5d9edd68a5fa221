//! Each JSON document orgtoken writes validates against the schema docs/
//! publishes for it: the inventory, the baseline and `rules --format json`
//! (the scan's JSON: tests/cli.rs). Each schema also rejects a broken
//! document, so a schema that accepts anything fails here.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn validator(file: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(file);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn json_of(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn inventory_json_validates_against_its_schema() {
    let v = validator("orgtoken-inventory-v1.schema.json");
    let fixtures = common::fixtures_copy();
    let doc = json_of(fixtures, &["inventory", "--format", "json", "."]);
    assert!(doc["tokens"].as_array().unwrap().len() > 20);
    assert!(!doc["notes"].as_array().unwrap().is_empty());
    assert_valid(&v, &doc, "the fixtures' inventory");
    // A tree with nothing of Zoho in it: an inventory without tokens.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("README.md"), "nothing to see\n").unwrap();
    assert_valid(
        &v,
        &json_of(empty.path(), &["inventory", "--format", "json", "."]),
        "empty",
    );
    let mut broken = doc.clone();
    broken["tokens"][0]["bindings"][0]["kind"] = "teleport".into();
    assert!(!v.is_valid(&broken));
}

#[test]
fn baseline_validates_against_its_schema() {
    let v = validator("orgtoken-baseline-v1.schema.json");
    let fixtures = common::fixtures_copy();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("baseline.json");
    Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(fixtures)
        .args(["scan", "-q", "--write-baseline"])
        .arg(&file)
        .arg(".")
        .assert()
        .success();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(doc["entries"].as_array().unwrap().len() > 50);
    assert_valid(&v, &doc, "the fixtures' baseline");
    let mut broken = doc.clone();
    broken["entries"][0]["fingerprint"] = "not-hex".into();
    assert!(!v.is_valid(&broken));
}

#[test]
fn rules_json_validates_against_its_schema() {
    let v = validator("orgtoken-rules-v1.schema.json");
    let doc = json_of(Path::new("."), &["rules", "--format", "json"]);
    assert_valid(&v, &doc, "rules --format json");
    assert_eq!(doc["rules"].as_array().unwrap().len(), 7);
    let mut broken = doc.clone();
    broken["rules"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&broken));
}
