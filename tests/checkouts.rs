//! Same repository, same output, wherever it is checked out: one tree copied
//! to two absolute folders and scanned by absolute path, by relative path and
//! as `.` from inside gives byte-identical JSON, SARIF, baselines and
//! inventories; a baseline written by any run hides every finding in every
//! other; a baseline written with absolute paths (an older orgtoken) still
//! matches, with a note.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;
use common::git;

/// A small repository of its own: a token minted in one file and used in
/// another (an identity named after its file), a shared env token, a shared
/// `.env` literal, each in a subdirectory.
fn plant(dir: &Path) {
    for name in [
        "js-minted-in-other-dc",
        "py-shared-env-token",
        "cfg-dotenv-shared-literal",
    ] {
        common::copy_tree(&common::fixture(name), &dir.join(name));
    }
}

/// Two checkouts of the same tree at different depths in different folders.
fn two_checkouts() -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("home/alice/app");
    let b = tmp.path().join("runner/work/app/app");
    plant(&a);
    plant(&b);
    (tmp, vec![a, b])
}

/// The three ways of naming a checkout: (working directory, path argument).
fn spellings(repo: &Path, elsewhere: &Path) -> Vec<(PathBuf, PathBuf)> {
    vec![
        (elsewhere.to_path_buf(), repo.to_path_buf()),
        (
            repo.parent().unwrap().to_path_buf(),
            PathBuf::from(repo.file_name().unwrap()),
        ),
        (repo.to_path_buf(), PathBuf::from(".")),
    ]
}

fn run(cwd: &Path, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `scan` with JSON and SARIF as files under `out`, and (without
/// `--changed-since`, which a baseline cannot be written with) once more
/// writing a baseline; returns (json, sarif, baseline, exit code).
fn scan_outputs(cwd: &Path, target: &Path, out: &Path, extra: &[&str]) -> (String, String, String, i32) {
    std::fs::create_dir_all(out).unwrap();
    let json = out.join("out.json");
    let sarif = out.join("out.sarif");
    let base = out.join("baseline.json");
    let args = |flags: Vec<String>| {
        let mut a: Vec<std::ffi::OsString> = vec!["scan".into(), "--quiet".into()];
        a.extend(extra.iter().map(Into::into));
        a.extend(flags.into_iter().map(Into::into));
        a.push(target.into());
        a
    };
    let scan = args(vec![
        "--output".into(),
        format!("json={}", json.display()),
        "--output".into(),
        format!("sarif={}", sarif.display()),
    ]);
    let o = run(cwd, &scan.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let baseline = if extra.contains(&"--changed-since") {
        String::new()
    } else {
        let write = args(vec!["--write-baseline".into(), base.display().to_string()]);
        run(cwd, &write.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
        read(&base)
    };
    (read(&json), read(&sarif), baseline, o.status.code().unwrap())
}

#[test]
fn every_checkout_and_spelling_gives_byte_identical_outputs() {
    let (tmp, repos) = two_checkouts();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let outs = tmp.path().join("outs");
    let mut runs = Vec::new();
    for repo in &repos {
        for (cwd, target) in spellings(repo, &elsewhere) {
            let out = outs.join(runs.len().to_string());
            runs.push(((cwd.clone(), target.clone()), scan_outputs(&cwd, &target, &out, &[])));
        }
    }
    assert_eq!(runs.len(), 6);
    let (_, first) = &runs[0];
    assert_eq!(first.3, 1, "the tree has findings");
    let doc: serde_json::Value = serde_json::from_str(&first.0).unwrap();
    assert!(doc["findings"].as_array().unwrap().len() >= 3);
    for needle in [
        tmp.path().to_string_lossy().to_string(),
        "alice".into(),
        "runner".into(),
    ] {
        for text in [&first.0, &first.1, &first.2] {
            assert!(
                !text.contains(&needle),
                "an absolute path leaks into an output: {needle}"
            );
        }
    }
    assert!(
        first.0.contains("minted:js-minted-in-other-dc/token.js:4"),
        "{}",
        first.0
    );
    for ((cwd, target), r) in &runs[1..] {
        let what = format!("run in {} on {}", cwd.display(), target.display());
        assert_eq!(r.0, first.0, "JSON differs: {what}");
        assert_eq!(r.1, first.1, "SARIF differs: {what}");
        assert_eq!(r.2, first.2, "baseline differs: {what}");
    }
    // A baseline written by any run hides every finding in every other run.
    let baseline = outs.join("0/baseline.json");
    for repo in &repos {
        for (cwd, target) in spellings(repo, &elsewhere) {
            let o = run(
                &cwd,
                &[
                    "scan".as_ref(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    "--baseline".as_ref(),
                    baseline.as_os_str(),
                    target.as_os_str(),
                ],
            );
            let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(o.status.code(), Some(0), "{} on {}", cwd.display(), target.display());
            assert!(doc["findings"].as_array().unwrap().is_empty());
            assert_eq!(
                doc["summary"]["stale_baseline"],
                serde_json::json!([]),
                "{}",
                doc["summary"]
            );
        }
    }
}

#[test]
fn inventories_are_byte_identical_across_checkouts() {
    let (tmp, repos) = two_checkouts();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for format in ["human", "json", "markdown"] {
        let mut seen: Vec<String> = Vec::new();
        for repo in &repos {
            for (cwd, target) in spellings(repo, &elsewhere) {
                let o = run(
                    &cwd,
                    &[
                        "inventory".as_ref(),
                        "--format".as_ref(),
                        format.as_ref(),
                        target.as_os_str(),
                    ],
                );
                let text = String::from_utf8(o.stdout).unwrap();
                assert!(!text.contains("alice") && !text.contains("runner"), "{format}: {text}");
                seen.push(text);
            }
        }
        assert!(seen[0].contains("js-minted-in-other-dc/"), "{format}: {}", seen[0]);
        assert!(seen.iter().all(|s| s == &seen[0]), "{format} inventories differ");
    }
}

#[test]
fn changed_since_is_byte_identical_across_checkouts() {
    let (tmp, repos) = two_checkouts();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    for repo in &repos {
        git(repo, &["init", "-q"]);
        git(repo, &["add", "."]);
        git(repo, &["commit", "-q", "-m", "init"]);
        let f = repo.join("py-shared-env-token/app.py");
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, format!("# touched\n{text}")).unwrap();
    }
    let outs = tmp.path().join("outs");
    let mut runs = Vec::new();
    for repo in &repos {
        for (cwd, target) in spellings(repo, &elsewhere) {
            let out = outs.join(runs.len().to_string());
            runs.push(scan_outputs(&cwd, &target, &out, &["--changed-since", "HEAD"]));
        }
    }
    let doc: serde_json::Value = serde_json::from_str(&runs[0].0).unwrap();
    let paths = common::finding_paths(&doc);
    assert!(
        !paths.is_empty() && paths.iter().all(|p| *p == "py-shared-env-token/app.py"),
        "{paths:?}"
    );
    for r in &runs[1..] {
        assert_eq!(r.0, runs[0].0);
        assert_eq!(r.1, runs[0].1);
        assert_eq!(r.2, runs[0].2);
    }
}

/// Baselines written before the path base named files by absolute path:
/// they still hide their findings, with a note to write them again.
#[test]
fn a_baseline_with_absolute_paths_still_matches_with_a_note() {
    let (tmp, repos) = two_checkouts();
    let out = tmp.path().join("out");
    let (_, _, baseline, code) = scan_outputs(&repos[0], Path::new("."), &out, &[]);
    assert_eq!(code, 1);
    // What an older orgtoken wrote when run as `orgtoken scan /old/checkout`.
    let old_root = "/home/runner/work/old/checkout/";
    let mut doc: serde_json::Value = serde_json::from_str(&baseline).unwrap();
    for e in doc["entries"].as_array_mut().unwrap() {
        let path = e["path"].as_str().unwrap().to_string();
        e["path"] = format!("{old_root}{path}").into();
        let token = e["token"]
            .as_str()
            .unwrap()
            .replace("minted:", &format!("minted:{old_root}"));
        e["token"] = token.into();
        e["fingerprint"] = "0000000000000000".into();
        e["site"] = "0000000000000000".into();
    }
    let legacy = out.join("legacy.json");
    std::fs::write(&legacy, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let o = run(
        &repos[1],
        &[
            "scan".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--baseline".as_ref(),
            legacy.as_os_str(),
            ".".as_ref(),
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{doc}");
    assert_eq!(doc["summary"]["stale_baseline"], serde_json::json!([]));
    let notes = common::notes(&doc);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("absolute path") && n.contains("--write-baseline")),
        "{notes:?}"
    );
}
