//! What a scan covers (issue 15, section 2): inside a git work tree every
//! tracked file, even one `.gitignore` matches; outside one, `.gitignore`
//! means nothing; the same findings however the root is spelled; a single
//! file linked against its repository (or a note that it was looked at
//! alone); a nested `.orgtoken.toml` named as not applied; an empty walk is
//! a warning and exit 2.

use std::path::Path;

mod common;
use common::{git, notes, places, run_in};

/// A token-shaped literal: OT006 on line 1 wherever it is written.
const TOKEN_LINE: &str = "T = '1000.5d2e8a1f3c4b6d7e9f0a1b2c3d4e5f60.7a8b9c0d1e2f3a4b5c6d7e8f90a1b2c3'  # zoho\n";

/// `scan --format json` in `dir`: (findings as `RULE path:line`, notes, exit code).
fn scan_json(dir: &Path, args: &[&str]) -> (Vec<String>, Vec<String>, i32) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend(args);
    let o = run_in(dir, &all);
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (places(&doc, "findings"), notes(&doc), o.status.code().unwrap())
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn commit_all(dir: &Path) {
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "init"]);
}

#[test]
fn a_tracked_file_that_gitignore_matches_is_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join(".gitignore"), "private/\n*.txt\nnode_modules/\n");
    // Committed vendored code, ignored or not: still skipped as vendored,
    // and counted once.
    write(&d.join("node_modules/pkg/index.js"), "// zoho\n");
    write(&d.join("vendor/lib.py"), TOKEN_LINE);
    write(&d.join("private/test_credentials.txt"), TOKEN_LINE);
    write(&d.join("notes.txt"), TOKEN_LINE);
    write(&d.join("app.py"), TOKEN_LINE);
    commit_all(d);
    // Committed although ignored (`git add -f`), as real repositories do.
    git(
        d,
        &[
            "add",
            "-f",
            "private/test_credentials.txt",
            "notes.txt",
            "node_modules/pkg/index.js",
        ],
    );
    git(d, &["commit", "-q", "-m", "forced"]);
    // Untracked and ignored: not part of the repository, not scanned.
    write(&d.join("private/local.txt"), TOKEN_LINE);
    write(&d.join("scratch.txt"), TOKEN_LINE);
    let (found, _, code) = scan_json(d, &["."]);
    assert_eq!(
        found,
        vec![
            "OT006 app.py:1",
            "OT006 notes.txt:1",
            "OT006 private/test_credentials.txt:1"
        ]
    );
    assert_eq!(code, 1);
    let o = run_in(d, &["scan", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["skipped"]["vendored"], 2, "{}", doc["summary"]);
    // The same from a sub-directory named as the root.
    let (found, _, _) = scan_json(d, &["private"]);
    assert_eq!(found, vec!["OT006 private/test_credentials.txt:1"]);
    // --no-ignore: every file, tracked or not.
    let (found, _, _) = scan_json(d, &["--no-ignore", "."]);
    assert_eq!(found.len(), 5, "{found:?}");
    let (found, _, _) = scan_json(d, &["--no-ignore", "--include-vendored", "."]);
    assert_eq!(found.len(), 6, "{found:?}");
    // `.ignore` files are for search tools: they still drop tracked files;
    // --exclude drops them too.
    write(&d.join(".ignore"), "notes.txt\n");
    let (found, _, _) = scan_json(d, &["--exclude", "private", "."]);
    assert_eq!(found, vec!["OT006 app.py:1"]);
}

#[test]
fn a_repository_without_an_index_yet_scans_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("app.py"), TOKEN_LINE);
    git(d, &["init", "-q"]);
    let (found, notes, _) = scan_json(d, &["."]);
    assert_eq!(found, vec!["OT006 app.py:1"]);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn outside_a_git_work_tree_gitignore_files_do_not_apply() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join(".gitignore"), "ignored.py\n");
    write(&d.join("ignored.py"), TOKEN_LINE);
    write(&d.join(".ignore"), "skipped.py\n");
    write(&d.join("skipped.py"), TOKEN_LINE);
    let (found, _, _) = scan_json(d, &["."]);
    assert_eq!(
        found,
        vec!["OT006 ignored.py:1"],
        "as git and rg: .gitignore needs git, .ignore does not"
    );
}

/// A small repository: `app/` holds a cross-file switch (code reading
/// CRM_BASE, set to sandbox in `.env.sandbox` and production in a
/// workflow) and a shared env token.
fn plant_app(root: &Path) {
    common::copy_tree(&common::fixture("cfg-env-links-code"), &root.join("app"));
    common::copy_tree(&common::fixture("py-shared-env-token"), &root.join("app/py"));
    for e in ["app/EXPECTED", "app/py/EXPECTED"] {
        std::fs::remove_file(root.join(e)).unwrap();
    }
}

/// `scan app`, `scan ./app/`, `scan /abs/app`, and `scan .` from `app/`:
/// the JSON reports, which must be byte-identical.
fn four_spellings(root: &Path) -> Vec<String> {
    let app = root.join("app");
    let abs = app.to_str().unwrap().to_string();
    let runs: Vec<(&Path, &str)> = vec![(root, "app"), (root, "./app/"), (root, abs.as_str()), (&app, ".")];
    runs.into_iter()
        .map(|(cwd, target)| {
            let o = run_in(cwd, &["scan", "--format", "json", target]);
            assert_eq!(o.status.code(), Some(1), "{target} in {}", cwd.display());
            String::from_utf8(o.stdout).unwrap()
        })
        .collect()
}

#[test]
fn four_spellings_of_a_sub_folder_give_the_same_findings() {
    // Outside git: paths relative to the scan root.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("plain");
    plant_app(&root);
    let outs = four_spellings(&root);
    let doc: serde_json::Value = serde_json::from_str(&outs[0]).unwrap();
    assert_eq!(
        places(&doc, "findings"),
        vec!["OT002 .env.sandbox:1", "OT001 py/app.py:16"]
    );
    assert!(notes(&doc).is_empty(), "{:?}", notes(&doc));
    for o in &outs[1..] {
        assert_eq!(o, &outs[0]);
    }
    // Inside git: paths relative to the work tree's root; links among the
    // files under `app`, said in a note.
    let root = tmp.path().join("repo");
    plant_app(&root);
    // Outside `app`: a profile that would link with it if the whole
    // repository were the project.
    write(
        &root.join("other/.env.production"),
        "CRM_BASE=https://www.zohoapis.eu\n",
    );
    commit_all(&root);
    let outs = four_spellings(&root);
    let doc: serde_json::Value = serde_json::from_str(&outs[0]).unwrap();
    assert_eq!(
        places(&doc, "findings"),
        vec!["OT002 app/.env.sandbox:1", "OT001 app/py/app.py:16"]
    );
    assert_eq!(
        notes(&doc),
        vec![
            "app: cross-file links were resolved among the files under this directory (the scan root), not the whole git work tree at `.`: scan `.` to link its imports and configuration outside it"
        ]
    );
    for o in &outs[1..] {
        assert_eq!(o, &outs[0]);
    }
}

#[test]
fn a_single_file_is_linked_against_its_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    common::copy_tree(&common::fixture("cfg-env-links-code"), &root);
    std::fs::remove_file(root.join("EXPECTED")).unwrap();
    write(&root.join("lib/other.py"), TOKEN_LINE);
    commit_all(&root);
    // The code file alone never names Zoho: its endpoint comes from the
    // env files and the workflow that set CRM_BASE.
    let want = vec!["OT002 .env.sandbox:1".to_string()];
    let note = "`app/crm.py` linked against the whole git work tree at `.` (imports, configuration and env files outside it); shown: the results that touch it; 1 result elsewhere in it is not shown";
    for (cwd, target) in [(root.clone(), "app/crm.py"), (root.join("app"), "crm.py")] {
        let (found, notes, code) = scan_json(&cwd, &[target]);
        assert_eq!(found, want, "{target}");
        assert_eq!(notes, vec![format!(": {note}")]);
        assert_eq!(code, 0, "a warning");
    }
    // Outside git, the file alone, said in a note.
    let plain = tmp.path().join("plain");
    common::copy_tree(&common::fixture("cfg-env-links-code"), &plain);
    let (found, notes, code) = scan_json(&plain, &["app/crm.py"]);
    assert!(found.is_empty());
    assert_eq!(
        notes,
        vec![
            "crm.py: not inside a git work tree: looked at this file alone; its imports and the configuration it reads were not linked (scan its directory to link them)"
        ]
    );
    assert_eq!(code, 0);
}

#[test]
fn a_nested_project_file_is_named_as_not_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(&d.join("svc/.orgtoken.toml"), "[rules]\nOT006 = \"off\"\n");
    write(&d.join("svc/app.py"), TOKEN_LINE);
    let (found, notes, _) = scan_json(d, &["."]);
    assert_eq!(found, vec!["OT006 svc/app.py:1"]);
    assert_eq!(
        notes,
        vec![
            "svc/.orgtoken.toml: not applied: only a project file at or above the scanned path is read; scan this directory on its own to apply it"
        ]
    );
    // With a project file at the root, that one applies.
    write(&d.join(".orgtoken.toml"), "fail-on = \"warning\"\n");
    let (found, notes, _) = scan_json(d, &["."]);
    assert_eq!(found, vec!["OT006 svc/app.py:1"]);
    assert_eq!(
        notes,
        vec![
            "svc/.orgtoken.toml: not applied: one project file is read, and it is `.orgtoken.toml`; move these settings there, or scan this directory on its own"
        ]
    );
    // Scanned on its own, the sub-tree's file applies; --isolated: no note.
    let (found, notes, code) = scan_json(d, &["svc"]);
    assert!(found.is_empty() && notes.is_empty(), "{found:?} {notes:?}");
    assert_eq!(code, 0);
    let (found, notes, _) = scan_json(d, &["--isolated", "."]);
    assert_eq!(found.len(), 1);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn an_empty_walk_is_a_warning_naming_the_reason_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("tree");
    write(&d.join("app.py"), TOKEN_LINE);
    write(&d.join("node_modules/pkg/index.js"), "// zoho\n");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let own = tmp.path().join("own");
    write(&own.join(".orgtoken.toml"), "fail-on = \"warning\"\n");
    let cases: Vec<(&Path, Vec<&str>, &str)> = vec![
        (
            &d,
            vec!["--exclude", "*", "."],
            "warning: nothing was scanned: every file under `.` is excluded by the pattern `*` (--exclude, or `exclude` in .orgtoken.toml)\n",
        ),
        (
            &d,
            vec!["--exclude", "", "."],
            "error: an exclude pattern is empty (`--exclude ''`, or `\"\"` in `exclude` of .orgtoken.toml); name a glob such as `tests/**`\n",
        ),
        (
            &d,
            vec!["--max-file-size", "0", "."],
            "warning: nothing was scanned: every file (1) is larger than --max-file-size (0 bytes)\n",
        ),
        (&empty, vec!["."], "warning: nothing was scanned: `.` holds no files\n"),
        (
            &own,
            vec!["."],
            "warning: nothing was scanned: `.` holds no files but orgtoken's own (the project file, baselines)\n",
        ),
        (
            &d,
            vec!["--exclude", "app.py", "app.py"],
            "warning: nothing was scanned: every file under `app.py` is excluded by the pattern `app.py` (--exclude, or `exclude` in .orgtoken.toml)\n",
        ),
    ];
    for (cwd, args, want) in cases {
        for cmd in ["scan", "inventory"] {
            let mut all = vec![cmd];
            all.extend(&args);
            let o = run_in(cwd, &all);
            assert_eq!(String::from_utf8_lossy(&o.stderr), want, "{cmd} {args:?}");
            assert_eq!(o.status.code(), Some(2), "{cmd} {args:?}");
            assert!(o.stdout.is_empty(), "no report: {args:?}");
        }
    }
    // Every file ignored, in a git work tree.
    git(&d, &["init", "-q"]);
    write(&d.join(".git/info/exclude"), "*\n");
    let o = run_in(&d, &["scan", "."]);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "warning: nothing was scanned: every file under `.` is matched by .gitignore or .ignore rules (--no-ignore scans them)\n"
    );
    assert_eq!(o.status.code(), Some(2));
    // A tree of binary files was read: a clean pass.
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("logo.png"), [0u8, 1, 2, 3]).unwrap();
    assert_eq!(run_in(&bin, &["scan", "."]).status.code(), Some(0));
}
