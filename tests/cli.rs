//! The command as a user runs it: exit codes, formats, bad input,
//! determinism and redaction.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

mod common;
use common::{notes, places};

fn bin() -> Command {
    Command::cargo_bin("orgtoken").expect("binary builds")
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    bin().current_dir(dir).args(args).output().expect("orgtoken runs")
}

#[test]
fn rules_lists_every_rule() {
    bin()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("OT001  cross-environment-token"))
        .stdout(predicate::str::contains("OT006  hardcoded-token"));
}

#[test]
fn explain_prints_help_and_rejects_unknown_rules() {
    bin()
        .args(["explain", "ot002"])
        .assert()
        .success()
        .stdout(predicate::str::contains("# OT002 runtime-environment-switch"))
        .stdout(predicate::str::contains("## Good"));
    bin()
        .args(["explain", "OT999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule"));
}

#[test]
fn usage_errors_and_missing_roots_exit_2() {
    bin().args(["scan", "--format", "yaml"]).assert().code(2);
    bin()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read path"));
    bin()
        .args(["scan", "--exclude", "a[", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid glob"));
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = fixtures_dir().join("py-env-switch-warning");
    // Only a warning: clean at the default threshold, failing at `warning`.
    assert_eq!(run_in(&dir, &["scan", "."]).status.code(), Some(0));
    assert_eq!(
        run_in(&dir, &["scan", "--fail-on", "warning", "."]).status.code(),
        Some(1)
    );
    let dir = fixtures_dir().join("py-shared-env-token");
    assert_eq!(run_in(&dir, &["scan", "."]).status.code(), Some(1));
    assert_eq!(
        run_in(&dir, &["scan", "--fail-on", "never", "."]).status.code(),
        Some(0)
    );
    let dir = fixtures_dir().join("neg-keyed-map");
    assert_eq!(
        run_in(&dir, &["scan", "--fail-on", "warning", "."]).status.code(),
        Some(0)
    );
}

#[test]
fn human_output_has_code_frames_labels_help_and_summary() {
    let out = run_in(&fixtures_dir().join("py-shared-env-token"), &["scan", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("OT001"), "{s}");
    assert!(
        s.contains("this call sends `env:ZOHO_ACCESS_TOKEN` to US sandbox"),
        "{s}"
    );
    assert!(s.contains("the token comes from here"), "{s}");
    assert!(s.contains("help: mint one token per environment"), "{s}");
    assert!(
        s.contains("orgtoken: 1 error, 0 warnings in 1 file analysed (2 walked)"),
        "{s}"
    );
    assert!(!s.contains('\u{1b}'), "no colours when stdout is not a terminal");
}

#[test]
fn output_file_and_summary_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("r.sarif");
    let out = run_in(
        &fixtures_dir().join("py-shared-env-token"),
        &["scan", "--format", "sarif", "--output", out_file.to_str().unwrap(), "."],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("orgtoken: 1 error"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn two_runs_are_byte_identical_in_every_format() {
    for format in ["human", "json", "sarif"] {
        let a = run_in(&fixtures_dir(), &["scan", "--format", format, "-j", "1", "."]);
        let b = run_in(&fixtures_dir(), &["scan", "--format", format, "-j", "4", "."]);
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
        assert!(!a.stdout.is_empty());
    }
}

/// Every token-shaped literal written in any fixture.
fn fixture_token_literals() -> Vec<String> {
    let re = regex::Regex::new(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}").unwrap();
    let mut found = Vec::new();
    let mut stack = vec![fixtures_dir()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                found.extend(re.find_iter(&t).map(|m| m.as_str().to_string()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_token_literal_appears_in_any_output() {
    let secrets = fixture_token_literals();
    assert!(secrets.len() >= 3, "fixtures should hold real-looking tokens to redact");
    for format in ["human", "json", "sarif"] {
        for extra in [&[][..], &["--include-vendored"][..]] {
            let mut args = vec!["scan", "--format", format];
            args.extend_from_slice(extra);
            args.push(".");
            let out = run_in(&fixtures_dir(), &args);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "{format} output leaks a token");
                // Not even the distinctive second half.
                assert!(!text.contains(&s[38..]), "{format} output leaks part of a token");
            }
        }
    }
}

#[test]
fn bad_input_costs_a_note_not_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("good.py"),
        "import os, requests\nT = os.environ['ZOHO_ACCESS_TOKEN']\nH = {'Authorization': 'Zoho-oauthtoken ' + T}\nrequests.get('https://www.zohoapis.com/crm/v8/Leads', headers=H)\nrequests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers=H)\n",
    )
    .unwrap();
    // Binary with a trigger, invalid UTF-8 with a trigger, a syntax error.
    std::fs::write(d.join("blob.py"), b"zoho\x00\x01\x02binary").unwrap();
    std::fs::write(d.join("latin1.py"), b"# zoho caf\xe9\nx = 1\n").unwrap();
    std::fs::write(d.join("broken.py"), "import zoho\ndef f(:\n").unwrap();
    // Deeply nested expression.
    let deep = format!("x = {}'zoho'{}\n", "(".repeat(5000), ")".repeat(5000));
    std::fs::write(d.join("deep.py"), deep).unwrap();
    let out = run_in(d, &["scan", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = notes(&doc);
    assert!(
        notes.iter().any(|n| n.starts_with("latin1.py: not valid UTF-8")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("broken.py: syntax error near line 2")),
        "{notes:?}"
    );
    assert_eq!(doc["summary"]["skipped"]["binary"], 1);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        1,
        "the good file is still analysed"
    );
}

#[test]
fn size_limit_and_excludes_are_reported_in_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("big.py"), format!("# zoho\n{}", "x = 1\n".repeat(2000))).unwrap();
    std::fs::create_dir_all(d.join("node_modules/pkg")).unwrap();
    std::fs::write(d.join("node_modules/pkg/index.js"), "// zoho").unwrap();
    // A file that is read: the walk is not empty (see tests/scope.rs).
    std::fs::write(d.join("small.py"), "print(1)\n").unwrap();
    let out = run_in(d, &["scan", "--max-file-size", "1K", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("skipped 1 over the size limit, 1 vendored"), "{s}");
    let out = run_in(d, &["scan", "--exclude", "big.py", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["files_walked"], 1);
}

#[test]
fn gitignored_files_are_skipped_but_dotfiles_are_scanned() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // `.gitignore` applies in a git work tree only (as for git and rg).
    common::git(d, &["init", "-q"]);
    std::fs::write(d.join(".gitignore"), "ignored.py\n").unwrap();
    let code = "T = '1000.5d2e8a1f3c4b6d7e9f0a1b2c3d4e5f60.7a8b9c0d1e2f3a4b5c6d7e8f90a1b2c3'  # zoho\n";
    std::fs::write(d.join("ignored.py"), code).unwrap();
    std::fs::create_dir_all(d.join(".github")).unwrap();
    std::fs::write(d.join(".github/notes.py"), code).unwrap();
    let out = run_in(d, &["scan", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(common::finding_paths(&doc), vec![".github/notes.py"]);
    let out = run_in(d, &["scan", "--no-ignore", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn a_pathological_call_graph_finishes() {
    // Thirty functions, each calling the previous one twice with its parameter:
    // evaluation is bounded by depth and fuel, never exponential.
    let tmp = tempfile::tempdir().unwrap();
    let mut src =
        String::from("import os, requests\nT = os.environ['ZOHO_TOKEN']\ndef f0(x):\n    return x + '/crm/v8/Leads'\n");
    for i in 1..=30 {
        src.push_str(&format!(
            "def f{i}(x):\n    return f{p}(x) + f{p}(x + '/') if x else f{p}(x)\n",
            p = i - 1
        ));
    }
    src.push_str("requests.get(f30('https://www.zohoapis.com'), headers={'Authorization': 'Zoho-oauthtoken ' + T})\n");
    src.push_str(
        "requests.get(f30('https://sandbox.zohoapis.com'), headers={'Authorization': 'Zoho-oauthtoken ' + T})\n",
    );
    std::fs::write(tmp.path().join("p.py"), src).unwrap();
    let out = run_in(tmp.path(), &["scan", "--format", "json", "."]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["summary"]["files_analysed"] == 1);
}

#[test]
fn a_file_over_its_time_budget_is_abandoned_with_a_note() {
    // A 2 MB file takes seconds to analyse in a test build; the budget is
    // 50 ms. It is abandoned with a note, and the small file beside it keeps
    // its findings.
    let tmp = tempfile::tempdir().unwrap();
    let mut big = String::from("import os\nimport zcrmsdk\n");
    for i in 0..20_000 {
        big.push_str(&format!(
            "def f{i}(a, b):\n    x = a + b * {i}\n    return {{'k': x, 'u': 'https://www.zohoapis.com/crm/v8/m{i}'}}\n"
        ));
    }
    std::fs::write(tmp.path().join("big.py"), big).unwrap();
    std::fs::write(
        tmp.path().join("small.py"),
        "import os, requests\nT = os.environ['ZOHO_TOKEN']\n\
         requests.get('https://www.zohoapis.com/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n\
         requests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n",
    )
    .unwrap();
    let out = run_in(tmp.path(), &["scan", "--format", "json", "--file-timeout", "50ms", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = notes(&doc);
    assert_eq!(
        notes,
        ["big.py: analysis took longer than the per-file budget of 50ms; abandoned (raise it with --file-timeout)"]
    );
    let found: Vec<String> = places(&doc, "findings");
    assert_eq!(found, ["OT001 small.py:4"]);

    // Without a limit the file is analysed whole; a bad value is a usage error.
    let out = run_in(
        tmp.path(),
        &["scan", "--format", "json", "--file-timeout", "0", "big.py"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        common::notes(&doc),
        ["big.py: not inside a git work tree: looked at this file alone; its imports and the configuration it reads were not linked (scan its directory to link them)"]
    );
    bin().args(["scan", "--file-timeout", "soon"]).assert().code(2);
}

#[test]
fn quiet_keeps_findings_and_drops_notes_and_summary() {
    let out = run_in(&fixtures_dir().join("py-syntax-error"), &["scan", "--quiet", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("OT001"), "{s}");
    assert!(!s.contains("note:") && !s.contains("orgtoken: "), "{s}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn fingerprints_survive_line_shifts() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/crm");
    std::fs::create_dir_all(tmp.path().join("crm")).unwrap();
    for f in ["settings.py", "client.py"] {
        std::fs::copy(demo.join(f), tmp.path().join("crm").join(f)).unwrap();
    }
    let prints = |dir: &Path| -> Vec<(String, String)> {
        let out = run_in(dir, &["scan", "--format", "json", "."]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut v: Vec<(String, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = prints(tmp.path());
    assert!(before.len() >= 3);
    let client = tmp.path().join("crm/client.py");
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, format!("# a new header comment\n\n\n{text}")).unwrap();
    assert_eq!(before, prints(tmp.path()));
}

#[test]
fn json_output_validates_against_its_documented_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/orgtoken-output-v1.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for dir in ["fixtures", "fixtures/py-syntax-error", "fixtures/neg-keyed-map"] {
        let out = run_in(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            &["scan", "--format", "json", "."],
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
    }
    // The schema really constrains: an unknown level is rejected.
    let out = run_in(
        &fixtures_dir().join("py-shared-env-token"),
        &["scan", "--format", "json", "."],
    );
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&doc));
}

#[test]
fn hostile_config_files_cost_a_note_not_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A finding that must survive beside the hostile files.
    std::fs::write(
        d.join(".env.sandbox"),
        "ZOHO_API_DOMAIN=https://sandbox.zohoapis.com\nZOHO_REFRESH_TOKEN=${SHARED}\n",
    )
    .unwrap();
    std::fs::write(
        d.join(".env.production"),
        "ZOHO_API_DOMAIN=https://www.zohoapis.com\nZOHO_REFRESH_TOKEN=${SHARED}\n",
    )
    .unwrap();
    // A YAML alias bomb ("billion laughs").
    let mut bomb = String::from("zoho: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{n}: &{n} [{refs}]\n"));
        prev = n.to_string();
    }
    std::fs::write(d.join("bomb.yml"), bomb).unwrap();
    // 10,000-deep JSON and YAML.
    let deep_json = format!("{{\"zoho\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    std::fs::write(d.join("deep.json"), deep_json).unwrap();
    let deep_yaml = format!("zoho: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    std::fs::write(d.join("deep.yaml"), deep_yaml).unwrap();
    // A 20 MB JSON file (read with a raised size limit).
    let mut big = String::from("{\"zoho\": [\n");
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("  {\"api_domain\": \"https://www.zohoapis.com\", \"id\": 12345678, \"name\": \"lead\"},\n");
    }
    big.push_str("  {}\n]}\n");
    std::fs::write(d.join("big.json"), big).unwrap();
    // Invalid UTF-8 in a .env.
    std::fs::write(
        d.join(".env.local"),
        b"ZOHO_API_DOMAIN=https://www.zohoapis.com\nX=\xff\n",
    )
    .unwrap();
    let out = run_in(d, &["scan", "--format", "json", "--max-file-size", "64M", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = notes(&doc);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("bomb.yml: ") && n.contains("alias bomb")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with("big.json: config file larger than")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with(".env.local: not valid UTF-8")),
        "{notes:?}"
    );
    let rules: Vec<String> = places(&doc, "findings");
    assert_eq!(rules, vec!["OT003 .env.production:2", "OT003 .env.sandbox:2"]);
}

/// `-` is standard output for `--output`, also with a format: SARIF on
/// stdout, no file named `-`.
#[test]
fn output_dash_is_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures_dir().join("py-shared-env-token").join("app.py"),
        tmp.path().join("app.py"),
    )
    .unwrap();
    let out = run_in(tmp.path(), &["scan", "--output", "sarif=-", "."]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF on stdout");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(!tmp.path().join("-").exists(), "a file named `-`");
    // Beside a main report written to a file.
    let out = run_in(
        tmp.path(),
        &["scan", "--output", "report.txt", "--output", "json=-", "."],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(places(&doc, "findings"), ["OT001 app.py:16"]);
    assert!(std::fs::read_to_string(tmp.path().join("report.txt"))
        .unwrap()
        .contains("OT001 cross-environment-token"));
    let out = run_in(tmp.path(), &["scan", "--format", "concise", "--output", "-", "."]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("app.py:16:12: OT001"));
    assert!(!tmp.path().join("-").exists());
}

/// Bad `--output` values stop the run before anything is scanned: exit 2,
/// the error alone on stderr, nothing on stdout, no file written.
#[test]
fn invalid_outputs_are_refused_before_scanning() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures_dir().join("py-shared-env-token").join("app.py"),
        tmp.path().join("app.py"),
    )
    .unwrap();
    for (args, says) in [
        (&["--output", "bogus=x"][..], "unknown format `bogus`"),
        (&["--output", "sarif="][..], "the file name is missing"),
        (&["--output", "sarif=no/such/dir/out.sarif"][..], "does not exist"),
        (
            &["--output", "sarif=-", "--output", "json=-"][..],
            "only one report can go to standard output",
        ),
        (
            &["--format", "json", "--output", "sarif=-"][..],
            "would both write to standard output",
        ),
        (
            &["--output", "a.json", "--output", "b.json"][..],
            "only one output without a format",
        ),
        (
            &["--output", "json=same.out", "--output", "sarif=same.out"][..],
            "named by two --output values",
        ),
        (&["--output", "."][..], "is a directory"),
    ] {
        let mut a = vec!["scan", "--format", "concise"];
        if args.contains(&"--format") {
            a.truncate(1);
        }
        a.extend_from_slice(args);
        a.push(".");
        let out = run_in(tmp.path(), &a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(says), "{args:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: the error alone, no scan summary: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing scanned");
    }
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["app.py"], "no report file was written");
}

/// Related locations in other files read as what they are, without
/// miette's "Advice: " severity label.
#[test]
fn human_output_has_no_advice_label() {
    let out = run_in(&fixtures_dir().join("py-helper-summary"), &["scan", "."]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("☞"), "a related location in another file: {s}");
    assert!(!s.contains("Advice"), "{s}");
}

/// `orgtoken inventory` lists the orgs each token is sent to (issue 19).
#[test]
fn inventory_lists_the_orgs_of_each_token() {
    let dir = fixtures_dir().join("py-org-loop-one-token");
    let out = run_in(&dir, &["inventory", "--format", "json", "."]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["token"], "env:ZOHO_ACCESS_TOKEN");
    assert_eq!(tokens[0]["orgs"], serde_json::json!(["20093451", "20093452"]));
    let human = run_in(&dir, &["inventory", "."]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("  orgs: 20093451, 20093452\n"), "{text}");
}

/// The inventory follows one credential (issue 13 §3): the access tokens a
/// token request mints from a refresh token are that refresh token's, and
/// the token request is where it mints, not an environment it is used in.
#[test]
fn inventory_lists_minted_tokens_under_their_refresh_token() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("app.py"),
        "import os\nimport requests\n\n\ndef access_token():\n    r = requests.post(\"https://accounts.zoho.com/oauth/v2/token\", data={\n        \"grant_type\": \"refresh_token\",\n        \"refresh_token\": os.environ[\"ZOHO_REFRESH_TOKEN\"],\n    })\n    return r.json()[\"access_token\"]\n\n\ndef leads():\n    return requests.get(\"https://www.zohoapis.com/crm/v6/Leads\", headers={\"Authorization\": \"Zoho-oauthtoken \" + access_token()})\n\n\ndef sandbox_leads():\n    return requests.get(\"https://sandbox.zohoapis.com/crm/v6/Leads\", headers={\"Authorization\": \"Zoho-oauthtoken \" + access_token()})\n",
    )
    .unwrap();
    let out = run_in(tmp.path(), &["inventory", "--format", "json", "."]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tokens = doc["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{doc}");
    assert_eq!(tokens[0]["token"], "env:ZOHO_REFRESH_TOKEN");
    assert_eq!(
        tokens[0]["environments"],
        serde_json::json!(["US production", "US sandbox"])
    );
    let rows = tokens[0]["bindings"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["kind"], "token-request");
    assert_eq!(rows[0]["line"], 6);
    assert_eq!(rows[0]["environments"], serde_json::json!(["US accounts"]));
    assert_eq!(doc["summary"]["multi_environment_tokens"], 1);
}
