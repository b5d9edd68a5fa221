//! Adoption controls as a user meets them: inline suppressions, the
//! baseline, `.orgtoken.toml`, `--changed-since`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn json_in(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let out = run_in(dir, &a);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap())
}

fn places(doc: &Value, key: &str) -> Vec<String> {
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

/// The OT001 pair of `py-shared-env-token`, in a scratch directory.
fn two_env_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("py-shared-env-token").join("app.py"), tmp.path().join("app.py")).unwrap();
    tmp
}

#[test]
fn inline_suppressions_are_hidden_counted_and_kept_in_sarif() {
    let dir = fixture("suppress-inline");
    let (doc, code) = json_in(&dir, &["."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 app.py:16", "OT001 sync.js:8"]);
    assert_eq!(
        places(&doc, "suppressed"),
        ["OT001 app.py:12", "OT006 seed.py:3", "OT001 sync.js:5"]
    );
    assert_eq!(
        doc["suppressed"][0]["suppression"]["justification"],
        "read-only job, split tracked in CRM-142"
    );
    assert_eq!(doc["summary"]["suppressed_inline"], 3);

    let out = run_in(&dir, &["scan", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "suppressed results stay in SARIF");
    let suppressed: Vec<&Value> = results.iter().filter(|r| r["suppressions"].is_array()).collect();
    assert_eq!(suppressed.len(), 3);
    assert!(suppressed.iter().all(|r| r["suppressions"][0]["kind"] == "inSource"));

    // Human formats hide them and say how many.
    let out = run_in(&dir, &["scan", "--format", "concise", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(!s.contains("app.py:12:") && !s.contains("seed.py"), "{s}");
    assert!(s.contains("; 3 suppressed inline;"), "{s}");
}

#[test]
fn unknown_rules_always_and_unused_suppressions_on_request() {
    let dir = fixture("suppress-inline");
    let (doc, _) = json_in(&dir, &["."]);
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("unknown rule `OT999`"), "{notes:?}");
    let (doc, _) = json_in(&dir, &["--report-unused-suppressions", "."]);
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"line 7: unused suppression `orgtoken: ignore[OT006,OT999]`"),
        "{notes:?}"
    );
    assert_eq!(notes.len(), 2, "used markers are not reported: {notes:?}");
}

#[test]
fn suppressed_findings_do_not_fail_the_run() {
    let tmp = two_env_repo();
    let app = tmp.path().join("app.py");
    let text = std::fs::read_to_string(&app).unwrap();
    assert_eq!(json_in(tmp.path(), &["."]).1, 1);
    std::fs::write(&app, format!("# orgtoken: ignore-file migration planned\n{text}")).unwrap();
    let (doc, code) = json_in(tmp.path(), &["."]);
    assert_eq!(code, 0);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["summary"]["suppressed_inline"], 2);
}
