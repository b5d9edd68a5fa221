//! Conventions users bring from ruff, ripgrep and semgrep: rule selection
//! on the command line, `--color` with NO_COLOR / FORCE_COLOR, a file list
//! from `--files-from`, shell completions and the manual page.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{notes, places};

fn bin() -> Command {
    let mut c = Command::cargo_bin("orgtoken").expect("binary builds");
    // The tests' own environment must not colour or uncolour anything.
    c.env_remove("NO_COLOR").env_remove("FORCE_COLOR");
    c
}

/// A fixture copied outside this repository (paths relative to it).
fn fixture(name: &str) -> PathBuf {
    common::fixtures_copy().join(name)
}

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = bin()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap())
}

fn rules_of(doc: &Value) -> Vec<String> {
    let mut r: Vec<String> = places(doc, "findings")
        .iter()
        .map(|p| p.split(' ').next().unwrap().to_string())
        .collect();
    r.sort();
    r.dedup();
    r
}

#[test]
fn select_ignore_and_extend_select_choose_the_rules_that_report() {
    let dir = fixture("cfg-dotenv-shared-literal");
    let (all, code) = json(&dir, &["."]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&all), ["OT002", "OT003", "OT006"]);
    assert_eq!(all["summary"]["not_selected"], 0);

    let (doc, code) = json(&dir, &["--select", "OT006", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&doc, "findings"),
        ["OT006 .env.production:3", "OT006 .env.sandbox:2"]
    );
    assert_eq!(doc["summary"]["not_selected"], 3);

    // Comma lists, names, prefixes, ALL, any case.
    for args in [
        &["--select", "ot002,hardcoded-token"][..],
        &["--select", "OT002", "--select", "OT006"],
        &["--select", "OT00", "--ignore", "OT003"],
        &["--ignore", "shared-token-across-profiles"],
        &["--select", "all", "--ignore", "OT001,OT003"],
    ] {
        let mut a = args.to_vec();
        a.push(".");
        assert_eq!(rules_of(&json(&dir, &a).0), ["OT002", "OT006"], "{args:?}");
    }
    // A more specific selector wins over --ignore of a prefix.
    let (doc, _) = json(&dir, &["--ignore", "OT00", "--extend-select", "OT003", "."]);
    assert_eq!(rules_of(&doc), ["OT003"]);
    // Nothing selected: a clean run, and the summary line says why.
    let out = bin()
        .current_dir(&dir)
        .args(["scan", "--format", "concise", "--ignore", "ALL", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "orgtoken: 0 errors, 0 warnings in 3 files analysed (4 walked); 5 of rules not selected\n"
    );
}

#[test]
fn the_command_line_selection_meets_the_project_files_off_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let src = fixture("cfg-dotenv-shared-literal");
    for f in [".env.production", ".env.sandbox", "sync.py"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    std::fs::write(
        tmp.path().join(".orgtoken.toml"),
        "[rules]\nOT006 = \"off\"\nOT002 = \"warning\"\n",
    )
    .unwrap();
    let (doc, _) = json(tmp.path(), &["."]);
    assert_eq!(rules_of(&doc), ["OT002", "OT003"]);
    assert_eq!(doc["summary"]["off_by_config"], 2);
    // `ALL` is less specific than the file's `off OT006`; naming OT006 is not.
    let (doc, _) = json(tmp.path(), &["--select", "ALL", "."]);
    assert_eq!(rules_of(&doc), ["OT002", "OT003"]);
    let (doc, _) = json(tmp.path(), &["--extend-select", "OT006", "."]);
    assert_eq!(rules_of(&doc), ["OT002", "OT003", "OT006"]);
    assert_eq!(doc["summary"]["off_by_config"], 0);
    // The file's levels still apply to selected rules.
    let (doc, code) = json(tmp.path(), &["--select", "OT002", "."]);
    assert_eq!(places(&doc, "findings"), ["OT002 .env.sandbox:1"]);
    assert_eq!(doc["findings"][0]["level"], "warning");
    assert_eq!(code, 0, "a warning does not fail the default --fail-on error");
    assert_eq!(doc["summary"]["not_selected"], 2);
    assert_eq!(doc["summary"]["off_by_config"], 2);
}

#[test]
fn an_unknown_rule_selector_is_a_usage_error_before_scanning() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.sarif");
    for (flag, value) in [
        ("--select", "OT9"),
        ("--ignore", "E501"),
        ("--extend-select", "OT001,nope"),
    ] {
        bin()
            .current_dir(fixture("py-shared-env-token"))
            .args(["scan", flag, value, "--output"])
            .arg(&out)
            .arg(".")
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("error: {flag} `")))
            .stderr(predicate::str::contains("no rule id, name or id prefix matches"));
        assert!(!out.exists(), "nothing is written");
    }
}

fn human(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut c = bin();
    c.current_dir(fixture("py-shared-env-token"))
        .arg("scan")
        .args(args)
        .arg(".");
    for (k, v) in env {
        c.env(k, v);
    }
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

#[test]
fn color_follows_the_flag_then_no_color_then_force_color() {
    let colored = |s: &str| s.contains("\x1b[");
    // A pipe: plain by default.
    assert!(!colored(&human(&[], &[])));
    assert!(colored(&human(&[], &["--color", "always"])));
    assert!(colored(&human(&[("FORCE_COLOR", "1")], &[])));
    assert!(colored(&human(&[("FORCE_COLOR", "1")], &["--color", "auto"])));
    assert!(!colored(&human(&[("FORCE_COLOR", "0")], &[])));
    assert!(!colored(&human(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[])));
    assert!(!colored(&human(&[("FORCE_COLOR", "1")], &["--color", "never"])));
    assert!(colored(&human(&[("NO_COLOR", "1")], &["--color", "always"])));
    // An empty NO_COLOR is unset (no-color.org).
    assert!(colored(&human(&[("NO_COLOR", ""), ("FORCE_COLOR", "1")], &[])));
    // Machine formats and files never carry colour.
    let concise = human(&[], &["--color", "always", "--format", "concise"]);
    assert!(!colored(&concise), "{concise}");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.txt");
    bin()
        .current_dir(fixture("py-shared-env-token"))
        .args(["scan", "--color", "always", "--output"])
        .arg(&file)
        .arg(".")
        .assert()
        .code(1);
    assert!(!colored(&std::fs::read_to_string(&file).unwrap()));
    bin()
        .args(["scan", "--color", "sometimes", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'sometimes'"));
}

#[test]
fn files_from_reads_a_path_list_from_stdin_or_a_file() {
    let fixtures = common::fixtures_copy();
    let list = "py-shared-env-token/app.py\n\nneg-keyed-map\r\nno/such/file.py\n";
    let out = bin()
        .current_dir(fixtures)
        .args(["scan", "--format", "json", "--files-from", "-"])
        .write_stdin(list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(places(&doc, "findings"), ["OT001 py-shared-env-token/app.py:16"]);
    // Outside a git work tree a listed file is looked at alone, and says so.
    assert_eq!(
        notes(&doc),
        [
            "no/such/file.py: listed by --files-from but does not exist; skipped",
            "py-shared-env-token/app.py: not inside a git work tree: looked at this file alone; its imports and the configuration it reads were not linked (scan its directory to link them)"
        ]
    );
    assert!(doc["summary"]["files_walked"].as_u64().unwrap() >= 2);

    // NUL-separated (`git diff -z --name-only`), from a file; a name with a
    // newline survives.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("odd\nname")).unwrap();
    std::fs::copy(
        fixtures.join("py-shared-env-token/app.py"),
        tmp.path().join("odd\nname/app.py"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("list"), b"odd\nname/app.py\0").unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["scan", "--format", "json", "-0", "--files-from", "list"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1, "{doc}");
    // One file given: paths are relative to its directory.
    assert_eq!(doc["findings"][0]["path"], "app.py");

    // An empty list scans nothing (not the current directory).
    bin()
        .current_dir(fixtures.join("py-shared-env-token"))
        .args(["scan", "--format", "concise", "--files-from", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("orgtoken: 0 errors, 0 warnings in 0 files analysed (0 walked)\n");
    // The inventory reads lists too.
    bin()
        .current_dir(fixtures)
        .args(["inventory", "--files-from", "-"])
        .write_stdin("py-shared-env-token/app.py\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("env:ZOHO_ACCESS_TOKEN"));
    bin()
        .args(["scan", "--files-from", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--files-from `/definitely/not/here`"));
    bin()
        .args(["scan", "-0", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--files-from"));
}

#[test]
fn completions_for_every_shell_and_the_manual_page() {
    for (shell, marker) in [
        ("bash", "_orgtoken()"),
        ("zsh", "#compdef orgtoken"),
        ("fish", "complete -c orgtoken"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[orgtoken]"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains(marker), "{shell}: {}", &s[..s.len().min(300)]);
        assert!(s.contains("extend-select") && s.contains("files-from"), "{shell}");
    }
    bin().args(["completions", "tcsh"]).assert().code(2);

    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH orgtoken 1"), "{}", &page[..200]);
    assert!(
        page.contains(".SH SUBCOMMANDS") && page.contains("orgtoken\\-scan(1)"),
        "{page}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    bin().args(["man", "--dir"]).arg(&dir).assert().success();
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(
        pages.contains(&"orgtoken.1".to_string()) && pages.contains(&"orgtoken-scan.1".to_string()),
        "{pages:?}"
    );
    let scan = std::fs::read_to_string(dir.join("orgtoken-scan.1")).unwrap();
    assert!(scan.contains("\\-\\-select") && scan.contains("\\-\\-color"), "{scan}");
}

#[test]
fn quiet_silences_write_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    bin()
        .current_dir(fixture("py-shared-env-token"))
        .args(["scan", "-q", "--format", "concise", "--write-baseline"])
        .arg(tmp.path().join("b.json"))
        .arg(".")
        .assert()
        .success()
        .stderr("");
    assert!(tmp.path().join("b.json").is_file());
}

#[test]
fn add_noqa_inserts_justified_suppressions_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = common::fixtures_copy();
    for name in [
        "py-shared-env-token",
        "cfg-github-shared-secret",
        "sh-hardcoded-token",
        "cfg-postman-environments",
    ] {
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(fixtures.join(name))
            .arg(tmp.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let app = tmp.path().join("py-shared-env-token/app.py");
    let before = std::fs::read_to_string(&app).unwrap();
    let (doc, _) = json(tmp.path(), &["."]);
    let reported = doc["findings"].as_array().unwrap().len();

    let out = bin()
        .current_dir(tmp.path())
        .args(["scan", "--add-noqa", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.stdout.is_empty());
    // The Python call gets a comment above it, indented like it.
    let after = std::fs::read_to_string(&app).unwrap();
    let lines: Vec<&str> = before.lines().collect();
    let mut expected: Vec<&str> = lines.clone();
    expected.insert(15, "    # orgtoken: ignore[OT001] TODO: say why this is safe");
    assert_eq!(after, format!("{}\n", expected.join("\n")));
    // JSON and a continued shell line are left alone, and said so.
    assert!(
        stderr.contains("Production.postman_environment.json:6: OT003: JSON has no comments"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sh-hardcoded-token/refresh.sh:4: OT006: the line above continues onto it"),
        "{stderr}"
    );
    let left = stderr.lines().filter(|l| l.starts_with("note: ")).count();
    assert!(
        stderr.contains("; replace `TODO: say why this is safe` with the reason"),
        "{stderr}"
    );

    // What was annotated is suppressed now, with the placeholder as reason.
    let (doc, _) = json(tmp.path(), &["."]);
    assert_eq!(doc["findings"].as_array().unwrap().len(), left);
    let suppressed = doc["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), reported - left);
    assert!(suppressed
        .iter()
        .all(|s| s["suppression"]["justification"] == "TODO: say why this is safe"));

    // Idempotent: a second run adds nothing and changes no byte.
    let snapshot = |p: &Path| {
        let mut v = Vec::new();
        for e in walk(p) {
            v.push((e.clone(), std::fs::read(&e).unwrap()));
        }
        v
    };
    let first = snapshot(tmp.path());
    let out = bin()
        .current_dir(tmp.path())
        .args(["scan", "--add-noqa", "."])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("added 0 suppression comments in 0 files"));
    assert_eq!(first, snapshot(tmp.path()));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
