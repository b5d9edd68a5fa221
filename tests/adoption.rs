//! Adoption controls as a user meets them: inline suppressions, the
//! baseline, `.orgtoken.toml`, `--changed-since`.

use std::path::Path;

use serde_json::Value;

mod common;
use common::{fixture, git, places, run_in};

fn json_in(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let out = run_in(dir, &a);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, out.status.code().unwrap())
}

/// `py-shared-env-token` with a developer call added, in a scratch
/// directory: one token in three environments, two root causes (OT001 at
/// the sandbox call, line 16, and at the developer call, line 20).
fn two_env_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let app = std::fs::read_to_string(fixture("py-shared-env-token").join("app.py")).unwrap();
    std::fs::write(
        tmp.path().join("app.py"),
        format!("{app}\n\ndef developer_leads():\n    return requests.get(\"https://developer.zohoapis.com/crm/v8/Leads\", headers=HEADERS)\n"),
    )
    .unwrap();
    tmp
}

#[test]
fn inline_suppressions_are_hidden_counted_and_kept_in_sarif() {
    let dir = fixture("suppress-inline");
    let (doc, code) = json_in(&dir, &["."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 sync.js:8"]);
    assert_eq!(
        places(&doc, "suppressed"),
        ["OT001 app.py:16", "OT006 seed.py:3", "OT001 sync.js:9"]
    );
    assert_eq!(
        doc["suppressed"][0]["suppression"]["justification"],
        "read-only job, split tracked in CRM-142"
    );
    assert_eq!(doc["summary"]["suppressed_inline"], 3);

    let out = run_in(&dir, &["scan", "--format", "sarif", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "suppressed results stay in SARIF");
    let suppressed: Vec<&Value> = results.iter().filter(|r| r["suppressions"].is_array()).collect();
    assert_eq!(suppressed.len(), 3);
    assert!(suppressed.iter().all(|r| r["suppressions"][0]["kind"] == "inSource"));

    // Human formats hide them and say how many.
    let out = run_in(&dir, &["scan", "--format", "concise", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(!s.contains("app.py:16:") && !s.contains("seed.py"), "{s}");
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

#[test]
fn baseline_round_trip() {
    let tmp = two_env_repo();
    let d = tmp.path();
    let out = run_in(d, &["scan", "--write-baseline", "baseline.json", "."]);
    assert_eq!(out.status.code(), Some(0), "writing a baseline accepts the findings");
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 2 baseline entries to baseline.json"));
    let written = std::fs::read_to_string(d.join("baseline.json")).unwrap();
    let b: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(b["version"], 1);
    assert_eq!(b["entries"].as_array().unwrap().len(), 2);
    assert_eq!(b["entries"][0]["token"], "env:ZOHO_ACCESS_TOKEN");
    assert_eq!(b["entries"][0]["path"], "app.py");

    // Lines inserted above the findings: still hidden.
    let app = d.join("app.py");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, format!("# header\n# added\n\n{text}")).unwrap();
    let (doc, code) = json_in(d, &["--baseline", "baseline.json", "."]);
    assert_eq!(code, 0);
    assert!(doc["findings"].as_array().unwrap().is_empty());
    assert_eq!(doc["summary"]["suppressed_baseline"], 2);
    assert_eq!(places(&doc, "suppressed"), ["OT001 app.py:19", "OT001 app.py:23"]);
    let out = run_in(d, &["scan", "--format", "sarif", "--baseline", "baseline.json", "."]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(r["suppressions"][0]["kind"], "external");
    }

    // A new finding is reported; the accepted ones stay hidden.
    std::fs::write(
        d.join("new.py"),
        "import os, requests\nT = os.environ['ZOHO_REFRESH_TOKEN']\nH = {'Authorization': 'Zoho-oauthtoken ' + T}\nrequests.get('https://www.zohoapis.eu/crm/v8/Leads', headers=H)\nrequests.get('https://developer.zohoapis.eu/crm/v8/Leads', headers=H)\n",
    )
    .unwrap();
    let (doc, code) = json_in(d, &["--baseline", "baseline.json", "."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 new.py:5"]);
    assert_eq!(doc["summary"]["suppressed_baseline"], 2);

    // The accepted token used in another data center elsewhere: the new root
    // cause is reported, the accepted ones stay hidden although their
    // messages (and fingerprints) now name one more environment.
    std::fs::remove_file(d.join("new.py")).unwrap();
    std::fs::write(
        d.join("eu.py"),
        "import os, requests\nT = os.environ['ZOHO_ACCESS_TOKEN']\nrequests.get('https://www.zohoapis.eu/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n",
    )
    .unwrap();
    let (doc, _) = json_in(d, &["--baseline", "baseline.json", "."]);
    assert_eq!(places(&doc, "findings"), ["OT004 eu.py:3"]);
    assert_eq!(doc["summary"]["suppressed_baseline"], 2);
    assert!(doc["summary"]["stale_baseline"].as_array().unwrap().is_empty());
    std::fs::remove_file(d.join("eu.py")).unwrap();

    // A fixed finding leaves a stale entry, listed by the summary.
    std::fs::remove_file(&app).unwrap();
    std::fs::write(d.join("main.py"), "print('the code that stayed')\n").unwrap();
    let out = run_in(d, &["scan", "--baseline", "baseline.json", "."]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("0 hidden by the baseline, 2 stale baseline entries"), "{s}");
    assert!(
        s.contains("note: stale baseline entry (no finding matches it any more): OT001 app.py env:ZOHO_ACCESS_TOKEN ("),
        "{s}"
    );
}

#[test]
fn bad_baselines_exit_2() {
    let tmp = two_env_repo();
    let d = tmp.path();
    std::fs::write(
        d.join("b.json"),
        "{\"version\": 9, \"tool\": \"orgtoken\", \"entries\": []}",
    )
    .unwrap();
    let out = run_in(d, &["scan", "--baseline", "b.json", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline version 9 is not supported"));
    std::fs::write(d.join("b.json"), "not json").unwrap();
    assert_eq!(run_in(d, &["scan", "--baseline", "b.json", "."]).status.code(), Some(2));
    assert_eq!(
        run_in(d, &["scan", "--baseline", "missing.json", "."]).status.code(),
        Some(2)
    );
}

/// A repository with a proxy host and a custom token name, known only
/// through `.orgtoken.toml`.
fn proxy_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir_all(d.join("src/jobs")).unwrap();
    std::fs::write(
        d.join("src/jobs/a.py"),
        "import os, requests\nT = os.environ[\"CRM_BLOB\"]\nrequests.get(\"https://www.zohoapis.com/crm/v8/Leads\", params={\"crm_blob\": T})\nrequests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", params={\"crm_blob\": T})\n",
    )
    .unwrap();
    std::fs::write(
        d.join("src/b.py"),
        "import os, requests\nH = {\"Authorization\": \"Zoho-oauthtoken \" + os.environ[\"ZOHO_ACCESS_TOKEN\"]}\nrequests.get(\"https://www.zohoapis.eu/crm/v8/Leads\", headers=H)\nrequests.get(\"https://zoho-sandbox.internal.example/crm/v8/Leads\", headers=H)\n",
    )
    .unwrap();
    tmp
}

const PROXY_CONFIG: &str = "extra-token-names = [\"crm_blob\"]\nextra-hosts = { \"zoho-sandbox.internal.example\" = { dc = \"eu\", environment = \"sandbox\" } }\n";

#[test]
fn project_file_adds_hosts_and_token_names_and_is_found_walking_up() {
    let tmp = proxy_repo();
    let d = tmp.path();
    let (doc, code) = json_in(d, &["."]);
    assert_eq!(code, 0, "without the project file nothing is known");
    assert!(doc["findings"].as_array().unwrap().is_empty());
    std::fs::write(d.join(".orgtoken.toml"), PROXY_CONFIG).unwrap();
    let (doc, code) = json_in(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 src/b.py:4", "OT001 src/jobs/a.py:4"]);
    assert_eq!(
        doc["findings"][0]["environments"],
        serde_json::json!(["EU production", "EU sandbox"])
    );
    // Found from a subdirectory too (walking up from the scan root); outside
    // a git work tree, paths are relative to the scan root.
    let (doc, _) = json_in(&d.join("src"), &["jobs"]);
    assert_eq!(places(&doc, "findings"), ["OT001 a.py:4"]);
    // --isolated ignores it; --config names another one.
    let (doc, _) = json_in(d, &["--isolated", "."]);
    assert!(doc["findings"].as_array().unwrap().is_empty());
    std::fs::write(d.join("other.toml"), "extra-token-names = [\"crm_blob\"]\n").unwrap();
    let (doc, _) = json_in(d, &["--config", "other.toml", "."]);
    assert_eq!(places(&doc, "findings"), ["OT001 src/jobs/a.py:4"]);
}

#[test]
fn project_file_sets_levels_ignores_includes_and_fail_on() {
    let tmp = proxy_repo();
    let d = tmp.path();
    let write = |extra: &str| std::fs::write(d.join(".orgtoken.toml"), format!("{PROXY_CONFIG}{extra}\n")).unwrap();
    write("[rules]\nOT001 = \"warning\"");
    let (doc, code) = json_in(d, &["."]);
    assert_eq!(code, 0, "warnings do not fail at the default threshold");
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["level"] == "warning"));
    assert_eq!(json_in(d, &["--fail-on", "warning", "."]).1, 1);
    write("fail-on = \"warning\"\n[rules]\nOT001 = \"warning\"");
    assert_eq!(json_in(d, &["."]).1, 1, "fail-on from the project file");
    assert_eq!(json_in(d, &["--fail-on", "never", "."]).1, 0, "the flag wins");
    write("[rules]\nOT001 = \"off\"");
    let (doc, code) = json_in(d, &["."]);
    assert_eq!((doc["findings"].as_array().unwrap().len(), code), (0, 0));
    assert_eq!(doc["summary"]["off_by_config"], 2);
    write("[[ignore]]\npath = \"src/jobs\"\nrules = [\"OT001\"]");
    let (doc, _) = json_in(d, &["."]);
    assert_eq!(places(&doc, "findings"), ["OT001 src/b.py:4"]);
    write("include = [\"src/jobs/**\"]");
    let (doc, _) = json_in(d, &["."]);
    assert_eq!(places(&doc, "findings"), ["OT001 src/jobs/a.py:4"]);
    write("exclude = [\"src/jobs\"]");
    let (doc, _) = json_in(d, &["."]);
    assert_eq!(places(&doc, "findings"), ["OT001 src/b.py:4"]);
    let out = run_in(d, &["scan", "."]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(1 walked)"),
        "the project file is not scanned"
    );
}

#[test]
fn project_file_errors_name_the_key_and_exit_2() {
    let tmp = proxy_repo();
    let d = tmp.path();
    for (text, wanted) in [
        ("colour = \"red\"\n", "unknown field `colour`"),
        ("[[ignore]]\npaht = \"x\"\n", "unknown field `paht`"),
        ("[rules]\nOT009 = \"off\"\n", "rules: unknown rule `OT009`"),
        ("[rules]\nOT001 = \"loud\"\n", "unknown variant `loud`"),
        ("fail-on = \"sometimes\"\n", "unknown variant `sometimes`"),
        (
            "[extra-hosts]\n\"proxy.example\" = { dc = \"mars\", environment = \"sandbox\" }\n",
            "unknown data center `mars`",
        ),
        (
            "[extra-hosts]\n\"proxy.example\" = { dc = \"us\", env = \"sandbox\" }\n",
            "unknown field `env`",
        ),
        ("include = [\"a[\"]\n", "invalid glob"),
    ] {
        std::fs::write(d.join(".orgtoken.toml"), text).unwrap();
        let out = run_in(d, &["scan", "."]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(".orgtoken.toml") && err.contains(wanted), "{text}: {err}");
    }
    let out = run_in(d, &["scan", "--config", "nope.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
}

/// `lib/sync.js` from `js-fetch-two-envs` with a token of its own: a root
/// cause of its own (OT001 at lib/sync.js:8).
fn plant_sync(d: &Path) {
    std::fs::create_dir_all(d.join("lib")).unwrap();
    let sync = std::fs::read_to_string(fixture("js-fetch-two-envs").join("sync.js")).unwrap();
    std::fs::write(
        d.join("lib/sync.js"),
        sync.replace("ZOHO_ACCESS_TOKEN", "ZOHO_SYNC_TOKEN"),
    )
    .unwrap();
}

#[test]
fn changed_since_reports_only_results_in_changed_files() {
    let tmp = two_env_repo();
    let d = tmp.path();
    plant_sync(d);
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    let (doc, code) = json_in(d, &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 0, "nothing changed");
    assert_eq!(doc["summary"]["outside_changes"], 3);
    // A modified file and an untracked one are reported; the others are not.
    let sync = d.join("lib/sync.js");
    let text = std::fs::read_to_string(&sync).unwrap();
    std::fs::write(&sync, format!("// touched\n{text}")).unwrap();
    let new = "import os, requests\nT = os.environ['ZOHO_NEW_TOKEN']\nH = {'Authorization': 'Zoho-oauthtoken ' + T}\nrequests.get('https://www.zohoapis.com/crm/v8/Leads', headers=H)\nrequests.get('https://developer.zohoapis.com/crm/v8/Leads', headers=H)\n";
    std::fs::write(d.join("new.py"), new).unwrap();
    let (doc, code) = json_in(d, &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 lib/sync.js:9", "OT001 new.py:5"]);
    assert_eq!(doc["summary"]["outside_changes"], 2);
    // A change that adds a request site to a known root cause touches that
    // result (a related place), so it is reported with it.
    std::fs::write(d.join("new.py"), new.replace("ZOHO_NEW_TOKEN", "ZOHO_ACCESS_TOKEN")).unwrap();
    let (doc, _) = json_in(d, &["--changed-since", "HEAD", "."]);
    assert!(
        places(&doc, "findings").contains(&"OT001 app.py:20".to_string()),
        "{doc}"
    );
    // Scanning from a subdirectory: paths are relative to the work tree's
    // root, as git names them.
    let (doc, _) = json_in(&d.join("lib"), &["--changed-since", "HEAD", "."]);
    assert_eq!(places(&doc, "findings"), ["OT001 lib/sync.js:9"]);
    let out = run_in(d, &["scan", "--changed-since", "no-such-rev", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--changed-since no-such-rev"));
}

/// Every exit code with what the user reads on stderr, pinned in one snapshot.
#[test]
fn exit_codes_and_error_messages() {
    let tmp = two_env_repo();
    let d = tmp.path();
    std::fs::write(d.join("other.toml"), "[rules]\nOT001 = \"warning\"\nverbose = true\n").unwrap();
    std::fs::write(
        d.join("v9.json"),
        "{\"version\": 9, \"tool\": \"orgtoken\", \"entries\": []}",
    )
    .unwrap();
    let mut report = String::new();
    for args in [
        &["scan", "--format", "concise", "--quiet", "."][..],
        &["scan", "--format", "concise", "--quiet", "--fail-on", "never", "."][..],
        &[
            "scan",
            "--format",
            "json",
            "--quiet",
            "--isolated",
            "--config",
            "other.toml",
            ".",
        ][..],
        &["scan", "--config", "other.toml", "."][..],
        &["scan", "--baseline", "v9.json", "."][..],
        &["scan", "--output", "a.txt", "--output", "b.txt", "."][..],
        &["scan", "--write-baseline", "b.json", "--changed-since", "HEAD", "."][..],
        &["scan", "--write-baseline", "b.json", "."][..],
        &["scan", "--baseline", "b.json", "--format", "concise", "."][..],
    ] {
        let out = run_in(d, args);
        let stderr = String::from_utf8_lossy(&out.stderr).replace(&d.display().to_string(), "<tmp>");
        // clap's usage block is long: keep its first line.
        let stderr = stderr.lines().take(2).collect::<Vec<_>>().join("\n");
        report.push_str(&format!(
            "$ orgtoken {}\nexit {}\n{}\n{}\n",
            args.join(" "),
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).trim_end(),
            stderr.trim_end()
        ));
    }
    insta::assert_snapshot!(report);
}

/// Two identical findings are two baseline entries; a third copy of the same
/// line is a new finding, reported under `--baseline` (fingerprints carry an
/// occurrence index, and each entry hides one finding). Moving the lines
/// keeps them all accepted. (The same committed token on identical lines: a
/// result each, since each is a copy to remove.)
#[test]
fn baseline_tells_identical_bindings_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let head = "import requests\nAPI = 'https://www.zohoapis.com/crm/v8/Leads'\n";
    let copy = "requests.get(API, headers={'Authorization': 'Zoho-oauthtoken 1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210'})\n";
    std::fs::write(d.join("sync.py"), format!("{head}{copy}{copy}")).unwrap();
    let (doc, _) = json_in(d, &["."]);
    assert_eq!(places(&doc, "findings"), ["OT006 sync.py:3", "OT006 sync.py:4"]);
    let fps: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), 2, "every finding has a fingerprint of its own");
    let out = run_in(d, &["scan", "--write-baseline", "baseline.json", "."]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("wrote 2 baseline entries"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Moved down by a header: both still accepted.
    std::fs::write(d.join("sync.py"), format!("# header\n\n{head}{copy}{copy}")).unwrap();
    let (doc, code) = json_in(d, &["--baseline", "baseline.json", "."]);
    assert_eq!((code, places(&doc, "findings")), (0, vec![]));
    assert_eq!(doc["summary"]["suppressed_baseline"], 2);

    // A third copy: reported, the accepted two stay hidden.
    std::fs::write(d.join("sync.py"), format!("# header\n\n{head}{copy}{copy}{copy}")).unwrap();
    let (doc, code) = json_in(d, &["--baseline", "baseline.json", "."]);
    assert_eq!(
        (code, places(&doc, "findings")),
        (1, vec!["OT006 sync.py:7".to_string()])
    );
    assert_eq!(doc["summary"]["suppressed_baseline"], 2);
    assert!(doc["summary"]["stale_baseline"].as_array().unwrap().is_empty());
}

/// Notes with no path (run-wide), by message.
fn run_notes(doc: &Value) -> Vec<String> {
    doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["path"] == "")
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect()
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A branch behind main: `--changed-since main` compares with the merge
/// base, so a file only main changed since is not the pull request's.
#[test]
fn changed_since_compares_with_the_merge_base() {
    let tmp = two_env_repo();
    let d = tmp.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    let base = git_out(d, &["rev-parse", "HEAD"]);
    // The pull request adds one file on its branch.
    git(d, &["checkout", "-q", "-b", "feature"]);
    plant_sync(d);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    // Meanwhile main edits app.py.
    git(d, &["checkout", "-q", "main"]);
    let app = d.join("app.py");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, format!("# edited on main\n{text}")).unwrap();
    git(d, &["commit", "-q", "-am", "main moves on"]);
    git(d, &["checkout", "-q", "feature"]);

    let (doc, code) = json_in(d, &["--changed-since", "main", "."]);
    assert_eq!(code, 1);
    assert_eq!(places(&doc, "findings"), ["OT001 lib/sync.js:8"]);
    assert_eq!(
        doc["summary"]["outside_changes"], 2,
        "app.py is not the branch's change"
    );
    assert_eq!(
        run_notes(&doc),
        [format!(
            "--changed-since main: compared with commit {}, the merge base of main and HEAD",
            &base[..12]
        )]
    );
}

/// `--changed-since` is a revision, checked as git checks one: a value git
/// would read as an option is refused (exit 2) and never reaches git.
#[test]
fn changed_since_refuses_values_git_would_read_as_options() {
    let tmp = two_env_repo();
    let d = tmp.path();
    git(d, &["init", "-q"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    for value in ["--output=pwned.txt", "--output", "-p", "HEAD --output=pwned.txt"] {
        let out = run_in(d, &["scan", &format!("--changed-since={value}"), "."]);
        assert_eq!(out.status.code(), Some(2), "{value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a commit of this repository"), "{value}: {err}");
        assert!(!d.join("pwned.txt").exists(), "{value}: git wrote a file");
    }
}

/// The commands of `.pre-commit-hooks.yaml`, with orgtoken's path.
fn hook_commands() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let hooks = docs[0].as_vec().expect("a list of hooks");
    assert_eq!(hooks.len(), 2);
    hooks
        .iter()
        .map(|h| {
            let id = h["id"].as_str().unwrap().to_string();
            let words: Vec<String> = h["entry"]
                .as_str()
                .unwrap()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            assert_eq!(words[0], "orgtoken");
            (id, words[1..].to_vec())
        })
        .collect()
}

/// Both pre-commit hooks work before the first commit and on a detached
/// HEAD (as pre-commit runs them: from the repository root, no file names).
#[test]
fn pre_commit_hooks_work_without_commits_and_on_a_detached_head() {
    let tmp = two_env_repo();
    let d = tmp.path();
    git(d, &["init", "-q"]);
    git(d, &["add", "app.py"]);
    let run_hooks = |d: &Path| -> Vec<(String, Option<i32>, String)> {
        hook_commands()
            .into_iter()
            .map(|(id, args)| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = run_in(d, &args);
                (id, out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
            })
            .collect()
    };
    // No commit yet: every file is new, so both hooks report app.py.
    for (id, code, stdout) in run_hooks(d) {
        assert_eq!(code, Some(1), "{id}: {stdout}");
        assert!(
            stdout.contains("app.py:16:12: OT001") && stdout.contains("app.py:20:12: OT001"),
            "{id}: {stdout}"
        );
    }
    git(d, &["commit", "-q", "-m", "init"]);
    git(d, &["checkout", "-q", "--detach"]);
    // Detached and clean: the changed-files hook has nothing to report.
    let results = run_hooks(d);
    assert_eq!(results[0].1, Some(1), "{}: {}", results[0].0, results[0].2);
    assert_eq!(results[1].1, Some(0), "{}: {}", results[1].0, results[1].2);
    // Detached with a new file: the changed-files hook reports it.
    std::fs::write(
        d.join("new.py"),
        "import os, requests\nT = os.environ['ZOHO_NEW_TOKEN']\nH = {'Authorization': 'Zoho-oauthtoken ' + T}\nrequests.get('https://www.zohoapis.com/crm/v8/Leads', headers=H)\nrequests.get('https://developer.zohoapis.com/crm/v8/Leads', headers=H)\n",
    )
    .unwrap();
    let results = run_hooks(d);
    assert_eq!(results[1].1, Some(1));
    assert!(results[1].2.contains("new.py:5:1: OT001"), "{}", results[1].2);
    assert!(!results[1].2.contains("app.py"), "{}", results[1].2);
}
