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

/// This repository's `fixtures/`, copied once per test process into a
/// directory outside any git work tree, so that each scanned fixture is its
/// own path base (paths in outputs are relative to the git work tree that
/// holds a scan, and the originals sit in this repository's).
pub fn fixtures_copy() -> &'static std::path::Path {
    static COPY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let tmp = tempfile::Builder::new()
            .prefix("orgtoken-fixtures-")
            .tempdir()
            .expect("temp dir")
            .keep();
        copy_tree(&src, &tmp);
        tmp
    })
}

/// One fixture, copied (see `fixtures_copy`).
pub fn fixture(name: &str) -> std::path::PathBuf {
    fixtures_copy().join(name)
}

/// Copies a directory tree (files and directories; fixtures hold nothing else).
pub fn copy_tree(src: &std::path::Path, dst: &std::path::Path) {
    std::fs::create_dir_all(dst).expect("create dir");
    for e in std::fs::read_dir(src).expect("read fixture dir") {
        let e = e.expect("dir entry");
        let to = dst.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy file");
        }
    }
}

/// Runs git in `dir` with a throwaway identity and fixed dates (the same
/// tree committed in two checkouts is the same commit); panics when it fails.
pub fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// Runs orgtoken with `args` in `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// The `path` of each finding of a JSON report, in report order.
pub fn finding_paths(doc: &Value) -> Vec<&str> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}
