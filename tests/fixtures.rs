//! Every fixture under fixtures/ states its exact expected findings in
//! EXPECTED; this test checks them both ways (every expected finding is
//! reported, nothing else is) and the exit code that follows from them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    // A fixture without EXPECTED would be a fixture nobody checks.
    for d in &dirs {
        assert!(d.join("EXPECTED").is_file(), "{} has no EXPECTED", d.display());
    }
    dirs
}

fn expected(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join("EXPECTED"))
        .expect("EXPECTED is readable")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The findings of a fixture scanned as `.` from inside a copy of it (outside
/// any git work tree: the fixture is its own path base).
fn actual(dir: &Path) -> (BTreeSet<String>, i32) {
    let copy = common::fixture(&dir.file_name().unwrap().to_string_lossy());
    actual_from(&copy, Path::new("."), "")
}

/// The findings of `orgtoken scan target` run in `cwd`, with `prefix` taken
/// off the paths it reports.
fn actual_from(cwd: &Path, target: &Path, prefix: &str) -> (BTreeSet<String>, i32) {
    let dir = cwd.join(target);
    let out = Command::cargo_bin("orgtoken")
        .expect("binary builds")
        .current_dir(cwd)
        .args(["scan", "--format", "json"])
        .arg(target)
        .output()
        .expect("orgtoken runs");
    let path = |v: &serde_json::Value| {
        let p = v.as_str().unwrap();
        if p.is_empty() {
            return String::new();
        }
        p.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{p} is not under {prefix}"))
            .to_string()
    };
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: output is not JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let mut set = BTreeSet::new();
    for f in doc["findings"].as_array().expect("findings array") {
        set.insert(format!(
            "{} {} {}:{}",
            f["rule"].as_str().unwrap(),
            f["level"].as_str().unwrap(),
            path(&f["path"]),
            f["line"]
        ));
    }
    for n in doc["notes"].as_array().expect("notes array") {
        // A fixture scanned inside this repository's work tree is a folder
        // below its root: a note says what was linked (tests/scope.rs).
        if n["message"]
            .as_str()
            .unwrap()
            .starts_with("cross-file links were resolved among")
        {
            continue;
        }
        set.insert(format!("note {}", path(&n["path"])));
    }
    (set, out.status.code().expect("exit code"))
}

#[test]
fn at_least_25_fixtures_with_positives_and_negatives() {
    let all = fixtures();
    assert!(all.len() >= 25, "only {} fixtures", all.len());
    let negatives = all.iter().filter(|d| expected(d).is_empty()).count();
    assert!(negatives >= 8, "only {negatives} negative fixtures");
    for rule in ["OT001", "OT002", "OT004", "OT005", "OT006"] {
        assert!(
            all.iter().any(|d| expected(d).iter().any(|l| l.starts_with(rule))),
            "no fixture expects {rule}"
        );
    }
}

#[test]
fn every_fixture_reports_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let want = expected(&dir);
        let (got, code) = actual(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!("{name}:\n  missing: {missing:?}\n  unexpected: {extra:?}"));
        }
        let want_code = if want.iter().any(|l| l.contains(" error ")) {
            1
        } else {
            0
        };
        if code != want_code {
            failures.push(format!("{name}: exit code {code}, expected {want_code}"));
        }
    }
    assert!(failures.is_empty(), "fixture mismatches:\n{}", failures.join("\n"));
}

/// CI runs `orgtoken scan "$GITHUB_WORKSPACE"`: a tree named by its absolute
/// path, from another directory, gives the same findings (paths that files
/// name each other by, like compose `env_file:`, once lost their leading `/`).
#[test]
fn every_fixture_reports_the_same_when_named_by_absolute_path() {
    // Any directory: the working directory never changes the paths shown.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    // Paths are relative to the git work tree holding the scan, when there is
    // one (this repository's, unless it was unpacked from an archive).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("manifest dir");
    let work_tree = manifest.ancestors().find(|a| a.join(".git").exists());
    let mut failures = Vec::new();
    for dir in fixtures() {
        let abs = dir.canonicalize().expect("fixture path");
        let prefix = match work_tree {
            Some(top) => format!("{}/", abs.strip_prefix(top).unwrap().display()),
            None => String::new(),
        };
        let (want, want_code) = actual(&dir);
        let (got, code) = actual_from(elsewhere.path(), &abs, &prefix);
        if got != want || code != want_code {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            failures.push(format!(
                "{name}:
  relative: {want:?} (exit {want_code})
  absolute: {got:?} (exit {code})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "absolute-path mismatches:\n{}",
        failures.join("\n")
    );
}
