//! Many repositories: `scan --repos-from`, `inventory --repos-from` and
//! `merge` of the JSON results of separate scans (a CI matrix), as a
//! platform team sees them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A production call with `env:ZOHO_REFRESH_TOKEN` (repository a), the same
/// variable with the sandbox (b), and a repository with a token of its own
/// used with both (c: OT001 at sync.py:12).
const PROD: &str = "import os\nimport requests\n\nTOKEN = os.environ[\"ZOHO_REFRESH_TOKEN\"]\n\n\ndef leads():\n    return requests.get(\"https://www.zohoapis.com/crm/v8/Leads\", headers={\"Authorization\": f\"Zoho-oauthtoken {TOKEN}\"})\n";
const SANDBOX: &str = "import os\nimport requests\n\nTOKEN = os.environ[\"ZOHO_REFRESH_TOKEN\"]\n\n\ndef leads():\n    return requests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", headers={\"Authorization\": f\"Zoho-oauthtoken {TOKEN}\"})\n";
const BOTH: &str = "import os\nimport requests\n\nTOKEN = os.environ[\"ZOHO_TOKEN\"]\n\n\ndef prod():\n    return requests.get(\"https://www.zohoapis.com/crm/v8/Leads\", headers={\"Authorization\": f\"Zoho-oauthtoken {TOKEN}\"})\n\n\ndef sandbox():\n    return requests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", headers={\"Authorization\": f\"Zoho-oauthtoken {TOKEN}\"})\n";

/// Three repositories in a temporary directory (outside any git work tree)
/// and a list naming them, with a comment and a blank line.
fn repos() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("a/app.py", PROD);
    write("b/jobs/export.py", SANDBOX);
    write("c/sync.py", BOTH);
    write("list", "# the audit\na\n\nb/\nc\n");
    dir
}

fn orgtoken(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir)
        .env_remove("FORCE_COLOR")
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes each repository's JSON as its CI job would (`--repository`).
fn ci_jobs(dir: &Path, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            let file = format!("{n}.json");
            let out = orgtoken(dir, &["scan", n, "--format", "json", "--repository", n, "-o", &file]);
            assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
            file
        })
        .collect()
}

fn token<'a>(inv: &'a Value, name: &str) -> &'a Value {
    inv["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["token"] == name)
        .unwrap_or_else(|| panic!("no {name} in {inv:#}"))
}

#[test]
fn the_merged_inventory_lists_every_repository_and_environment_a_shared_token_reaches() {
    let dir = repos();
    let out = orgtoken(dir.path(), &["inventory", "--repos-from", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inv = json(&out);
    assert_eq!(inv["repositories"], serde_json::json!(["a", "b", "c"]));
    let shared = token(&inv, "env:ZOHO_REFRESH_TOKEN");
    assert_eq!(
        shared["environments"],
        serde_json::json!(["US production", "US sandbox"])
    );
    assert!(
        shared.get("repository").is_none(),
        "an env var is one identity across repositories"
    );
    assert_eq!(
        shared["repositories"],
        serde_json::json!([
            {"repository": "a", "environments": ["US production"], "orgs": []},
            {"repository": "b", "environments": ["US sandbox"], "orgs": []},
        ])
    );
    let places: Vec<String> = shared["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{} {}:{}",
                b["repository"].as_str().unwrap(),
                b["path"].as_str().unwrap(),
                b["line"]
            )
        })
        .collect();
    assert_eq!(places, ["a app.py:8", "b jobs/export.py:8"]);
    assert_eq!(inv["summary"]["multi_repository_tokens"], 1);
    assert_eq!(inv["summary"]["repositories"], 3);

    // The table says the same to a person.
    let out = orgtoken(dir.path(), &["inventory", "--repos-from", "list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("env:ZOHO_REFRESH_TOKEN\n  environments: US production, US sandbox\n  repositories: a (US production); b (US sandbox)\n  a/app.py:8:12          call        US production\n  b/jobs/export.py:8:12  call        US sandbox\n"),
        "{text}"
    );
}

#[test]
fn an_identity_named_by_a_place_stays_in_its_repository() {
    let dir = repos();
    // The same module in two repositories: `sym:` identities name a place.
    let mint = "import requests\n\n\ndef token():\n    r = requests.post(\"https://accounts.zoho.com/oauth/v2/token\", data={\"refresh_token\": \"x\", \"grant_type\": \"refresh_token\"})\n    return r.json()[\"access_token\"]\n\n\ndef leads():\n    return requests.get(\"https://www.zohoapis.com/crm/v8/Leads\", headers={\"Authorization\": f\"Zoho-oauthtoken {token()}\"})\n";
    for r in ["m1", "m2"] {
        std::fs::create_dir_all(dir.path().join(r)).unwrap();
        std::fs::write(dir.path().join(r).join("client.py"), mint).unwrap();
    }
    std::fs::write(dir.path().join("list2"), "m1\nm2\n").unwrap();
    let out = orgtoken(dir.path(), &["inventory", "--repos-from", "list2", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inv = json(&out);
    let tokens = inv["tokens"].as_array().unwrap();
    assert!(!tokens.is_empty(), "{inv:#}");
    for t in tokens {
        let name = t["token"].as_str().unwrap();
        assert!(!name.starts_with("env:") && !name.starts_with("literal:"), "{inv:#}");
        assert_eq!(
            t["repositories"].as_array().unwrap().len(),
            1,
            "{name} stays in one repository: {inv:#}"
        );
        assert!(t["repository"].is_string(), "{inv:#}");
    }
    assert_eq!(inv["summary"]["multi_repository_tokens"], 0);
}

/// A multi-repository JSON document's findings of one repository, as that
/// repository's own scan writes them (without the `repository` key).
fn of_repository(doc: &Value, key: &str, name: &str) -> Vec<Value> {
    doc[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["repository"] == name)
        .map(|f| {
            let mut f = f.clone();
            f.as_object_mut().unwrap().remove("repository");
            f
        })
        .collect()
}

#[test]
fn each_repository_gets_the_findings_it_gets_scanned_alone() {
    let dir = repos();
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    for name in ["a", "b", "c"] {
        let alone = orgtoken(dir.path(), &["scan", name, "--format", "json"]);
        let alone = json(&alone);
        assert_eq!(
            of_repository(&doc, "findings", name),
            *alone["findings"].as_array().unwrap(),
            "{name}"
        );
        let summary = doc["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["repository"] == name)
            .unwrap();
        assert_eq!(summary["summary"], alone["summary"], "{name}");
    }
    // The only finding: c's, its path relative to c.
    let f = &doc["findings"][0];
    assert_eq!(
        (f["repository"].as_str(), f["path"].as_str(), &f["line"]),
        (Some("c"), Some("sync.py"), &serde_json::json!(12))
    );
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["repositories"], 3);
    // People read paths prefixed with the repository.
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--format", "concise"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("c/sync.py:12:12: OT001 "), "{text}");
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--color", "never"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("OT001 cross-environment-token · c/sync.py:12:12"),
        "{text}"
    );
    assert!(
        text.ends_with("\norgtoken: 3 repositories, 1 error, 0 warnings in 3 files analysed (3 walked)\n"),
        "{text}"
    );
}

#[test]
fn each_repository_has_its_own_project_file() {
    let dir = repos();
    // d is c with OT001 turned off in its own .orgtoken.toml: c still reports.
    std::fs::create_dir_all(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("d/sync.py"), BOTH).unwrap();
    std::fs::write(dir.path().join("d/.orgtoken.toml"), "[rules]\nOT001 = \"off\"\n").unwrap();
    std::fs::write(dir.path().join("list2"), "d\nc\n").unwrap();
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list2", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let places: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["repository"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect();
    assert_eq!(places, ["c sync.py:12"]);
    assert_eq!(doc["repositories"][0]["summary"]["off_by_config"], 1);
    // d alone passes, and so does the list of d alone.
    std::fs::write(dir.path().join("list3"), "d\n").unwrap();
    assert_eq!(orgtoken(dir.path(), &["scan", "d"]).status.code(), Some(0));
    assert_eq!(
        orgtoken(dir.path(), &["scan", "--repos-from", "list3"]).status.code(),
        Some(0)
    );
}

#[test]
fn merging_the_ci_jobs_results_equals_scanning_the_list() {
    let dir = repos();
    let files = ci_jobs(dir.path(), &["a", "b", "c"]);
    let mut merge: Vec<&str> = vec!["merge", "--format", "json"];
    merge.extend(files.iter().map(String::as_str));
    let merged = orgtoken(dir.path(), &merge);
    let listed = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--format", "json"]);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert_eq!(listed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout),
        String::from_utf8_lossy(&listed.stdout)
    );

    let mut merge: Vec<&str> = vec!["merge", "--inventory", "--format", "json"];
    merge.extend(files.iter().map(String::as_str));
    let merged = orgtoken(dir.path(), &merge);
    let listed = orgtoken(dir.path(), &["inventory", "--repos-from", "list", "--format", "json"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout),
        String::from_utf8_lossy(&listed.stdout)
    );

    // A job's JSON records its repository; the merged human report names
    // each place with it, without code frames (the JSON holds no text).
    let a: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    assert_eq!(a["repository"], "a");
    let out = orgtoken(dir.path(), &["merge", "a.json", "c.json", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("OT001 cross-environment-token · c/sync.py:12:12 (error)\n"),
        "{text}"
    );
    assert!(text.contains("  c/sync.py:4:9: the token comes from here\n"), "{text}");
    // --fail-on never: exit 0.
    let out = orgtoken(dir.path(), &["merge", "a.json", "c.json", "--fail-on", "never", "-q"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_result_without_a_recorded_repository_is_named_by_its_file() {
    let dir = repos();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let out = orgtoken(dir.path(), &["scan", "c", "--format", "json", "-o", "out/org-c.json"]);
    assert_eq!(out.status.code(), Some(1));
    let out = orgtoken(dir.path(), &["merge", "--format", "json", "out/org-c.json"]);
    assert_eq!(json(&out)["findings"][0]["repository"], "out/org-c");
    // Without bindings there is no inventory to merge: exit 2, naming it.
    let out = orgtoken(dir.path(), &["merge", "--inventory", "out/org-c.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`out/org-c.json` holds no bindings"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let dir = repos();
    for args in [
        vec!["scan", "--repos-from", "list", "--format", "json"],
        vec!["scan", "--repos-from", "list", "--format", "sarif"],
        vec!["scan", "--repos-from", "list", "--color", "never"],
        vec!["inventory", "--repos-from", "list", "--format", "json"],
        vec!["inventory", "--repos-from", "list", "--format", "markdown"],
    ] {
        let run = |j: &str| {
            let mut a = args.clone();
            a.extend(["-j", j]);
            orgtoken(dir.path(), &a)
        };
        let one = run("1");
        for j in ["2", "8"] {
            let many = run(j);
            assert_eq!(one.status.code(), many.status.code(), "{args:?} -j {j}");
            assert!(one.stdout == many.stdout, "{args:?}: -j 1 and -j {j} differ");
        }
    }
}

#[test]
fn sarif_has_one_run_per_repository_and_validates() {
    let dir = repos();
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let runs = doc["runs"].as_array().unwrap();
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["orgtoken/a/", "orgtoken/b/", "orgtoken/c/"]);
    assert_eq!(
        runs[2]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "sync.py"
    );
    assert!(runs[2]["results"][0]["partialFingerprints"]["primaryLocationLineHash"].is_string());
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let merged = {
        let files = ci_jobs(dir.path(), &["a", "c"]);
        let out = orgtoken(dir.path(), &["merge", "--format", "sarif", &files[0], &files[1]]);
        json(&out)
    };
    // Read back from JSON there is no line to hash: the line-independent
    // fingerprint stays.
    let p = &merged["runs"][1]["results"][0]["partialFingerprints"];
    assert!(
        p.get("primaryLocationLineHash").is_none() && p["orgtoken/v1"].is_string(),
        "{p}"
    );
    for d in [&doc, &merged] {
        let errors: Vec<String> = validator
            .iter_errors(d)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn json_documents_validate_against_their_schemas() {
    let dir = repos();
    let load = |f: &str| -> jsonschema::Validator {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs").join(f);
        jsonschema::validator_for(&serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).unwrap()
    };
    let output = load("orgtoken-output-v1.schema.json");
    let inventory = load("orgtoken-inventory-v1.schema.json");
    ci_jobs(dir.path(), &["c"]);
    let single: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("c.json")).unwrap()).unwrap();
    let multi = json(&orgtoken(
        dir.path(),
        &["scan", "--repos-from", "list", "--format", "json"],
    ));
    let inv = json(&orgtoken(
        dir.path(),
        &["inventory", "--repos-from", "list", "--format", "json"],
    ));
    for (v, d, what) in [
        (&output, &single, "--repository"),
        (&output, &multi, "--repos-from"),
        (&inventory, &inv, "inventory"),
    ] {
        let errors: Vec<String> = v
            .iter_errors(d)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }
}

#[test]
fn malformed_merge_input_exits_2_naming_the_file() {
    let dir = repos();
    ci_jobs(dir.path(), &["a"]);
    let cases: [(&str, &str, &str); 5] = [
        ("broken.json", "{\"version\": 1,", "`broken.json`: not JSON"),
        ("other.json", "{\"version\": 1, \"tool\": {\"name\": \"x\"}}", "`other.json`: not an orgtoken scan result"),
        (
            "future.json",
            "{\"version\": 2, \"tool\": {\"name\": \"orgtoken\", \"version\": \"9.0.0\"}, \"findings\": [], \"notes\": [], \"summary\": {}}",
            "`future.json`: JSON output version 2; this orgtoken reads version 1",
        ),
        (
            "bad-finding.json",
            "{\"version\": 1, \"tool\": {\"name\": \"orgtoken\", \"version\": \"0.1.0\"}, \"findings\": [{\"rule\": \"OT001\", \"level\": \"loud\"}], \"notes\": [], \"summary\": {}}",
            "`bad-finding.json`: findings[0]: `level` is not error, warning or note",
        ),
        ("binary.json", "\u{0}\u{1}\u{2}", "`binary.json`: not JSON"),
    ];
    for (file, text, message) in cases {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = orgtoken(dir.path(), &["merge", "a.json", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(stderr(&out).contains(message), "{file}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{file}: no report from bad input");
    }
    let out = orgtoken(dir.path(), &["merge", "a.json", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`missing.json`"), "{}", stderr(&out));
    let out = orgtoken(dir.path(), &["merge", "a.json", "a.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("both results of repository `a`"),
        "{}",
        stderr(&out)
    );
    // An inventory is not a scan result.
    let inv = orgtoken(dir.path(), &["inventory", "a", "--format", "json"]);
    std::fs::write(dir.path().join("inv.json"), inv.stdout).unwrap();
    let out = orgtoken(dir.path(), &["merge", "inv.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`inv.json`: an inventory"), "{}", stderr(&out));
}

#[test]
fn a_listed_path_that_does_not_exist_is_an_error_and_the_others_are_reported() {
    let dir = repos();
    std::fs::write(dir.path().join("list2"), "a\ngone\nc\n").unwrap();
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list2", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "an error beats findings");
    assert!(
        stderr(&out)
            .contains("error: repository `gone`: listed in --repos-from `list2` but does not exist; not scanned"),
        "{}",
        stderr(&out)
    );
    let doc = json(&out);
    assert_eq!(doc["findings"][0]["repository"], "c");
    assert_eq!(doc["notes"][0]["repository"], "gone");
    assert_eq!(doc["repositories"][1]["repository"], "gone");
    // The inventory too.
    let out = orgtoken(dir.path(), &["inventory", "--repos-from", "list2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("note: gone: not scanned"));
}

#[test]
fn the_list_is_checked_before_anything_is_scanned() {
    let dir = repos();
    std::fs::write(dir.path().join("empty"), "# nothing\n\n").unwrap();
    std::fs::write(dir.path().join("twice"), "a\na/\n").unwrap();
    for (list, message) in [
        ("empty", "lists no repository"),
        ("twice", "lists `a` twice"),
        ("no-such-list", "--repos-from `no-such-list`"),
    ] {
        let out = orgtoken(dir.path(), &["scan", "--repos-from", list]);
        assert_eq!(out.status.code(), Some(2), "{list}");
        assert!(stderr(&out).contains(message), "{list}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // Standard input works as a list.
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--repos-from", "-", "--format", "concise", "-q"])
        .write_stdin("c\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("c/sync.py:12:12: OT001"));
    // Paths are not arguments besides a list.
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "a"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn no_token_reaches_any_merged_output() {
    let dir = repos();
    let literal = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210";
    std::fs::write(
        dir.path().join("a/settings.py"),
        format!("import requests\nTOKEN = \"{literal}\"\nrequests.get(\"https://www.zohoapis.com/crm/v8/Leads\", headers={{\"Authorization\": f\"Zoho-oauthtoken {{TOKEN}}\"}})\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b/settings.py"),
        format!("import requests\nTOKEN = \"{literal}\"\nrequests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", headers={{\"Authorization\": f\"Zoho-oauthtoken {{TOKEN}}\"}})\n"),
    )
    .unwrap();
    let files = ci_jobs(dir.path(), &["a", "b"]);
    std::fs::write(dir.path().join("list2"), "a\nb\n").unwrap();
    let mut outputs = Vec::new();
    for f in ["human", "json", "sarif", "concise", "github", "junit", "markdown"] {
        outputs.push(orgtoken(
            dir.path(),
            &["scan", "--repos-from", "list2", "--format", f, "--color", "always"],
        ));
        outputs.push(orgtoken(dir.path(), &["merge", "--format", f, &files[0], &files[1]]));
    }
    for f in ["human", "json", "markdown", "mermaid", "dot"] {
        outputs.push(orgtoken(
            dir.path(),
            &["inventory", "--repos-from", "list2", "--format", f],
        ));
        outputs.push(orgtoken(
            dir.path(),
            &["merge", "--inventory", "--format", f, &files[0], &files[1]],
        ));
    }
    for o in &outputs {
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(o));
        assert!(!all.contains("0123456789abcdef0123456789abcdef"), "{all}");
    }
    for f in &files {
        assert!(!std::fs::read_to_string(dir.path().join(f))
            .unwrap()
            .contains("0123456789abcdef0123"));
    }
    // The literal is one identity across the two repositories, by hash.
    let inv = json(&orgtoken(
        dir.path(),
        &["inventory", "--repos-from", "list2", "--format", "json"],
    ));
    let lit = inv["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["token"].as_str().unwrap().starts_with("literal:sha256:"))
        .expect("the literal's identity");
    assert_eq!(lit["environments"], serde_json::json!(["US production", "US sandbox"]));
    assert_eq!(lit["repositories"].as_array().unwrap().len(), 2);
}

#[test]
fn a_baseline_is_read_inside_each_repository() {
    let dir = repos();
    let out = orgtoken(
        dir.path(),
        &["scan", "c", "--write-baseline", "c/orgtoken-baseline.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = orgtoken(
        dir.path(),
        &[
            "scan",
            "--repos-from",
            "list",
            "--baseline",
            "orgtoken-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "c's finding is in its baseline: {}",
        stderr(&out)
    );
    let doc = json(&out);
    assert_eq!(doc["findings"], serde_json::json!([]));
    assert_eq!(doc["suppressed"][0]["repository"], "c");
    assert_eq!(doc["summary"]["suppressed_baseline"], 1);
    let notes: Vec<String> = doc["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n["repository"].as_str().unwrap(),
                n["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            "a: no baseline `orgtoken-baseline.json` in this repository; scanned without one",
            "b: no baseline `orgtoken-baseline.json` in this repository; scanned without one",
        ]
    );
    // The baseline file is no part of the code under audit, as for one scan.
    assert_eq!(doc["repositories"][2]["summary"]["files_walked"], 1);
    // An absolute baseline would apply one repository's entries to all.
    let abs = dir.path().join("c/orgtoken-baseline.json");
    let out = orgtoken(
        dir.path(),
        &["scan", "--repos-from", "list", "--baseline", abs.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("name the baseline's path inside each repository"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn project_files_that_map_one_host_differently_cannot_share_a_run() {
    let dir = repos();
    let proxy = |dc: &str, env: &str| {
        format!("[extra-hosts]\n\"zoho.internal.example\" = {{ dc = \"{dc}\", environment = \"{env}\" }}\n")
    };
    std::fs::write(dir.path().join("a/.orgtoken.toml"), proxy("us", "sandbox")).unwrap();
    std::fs::write(dir.path().join("b/.orgtoken.toml"), proxy("us", "sandbox")).unwrap();
    // The same mapping twice is one extension.
    let out = orgtoken(dir.path(), &["inventory", "--repos-from", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(dir.path().join("b/.orgtoken.toml"), proxy("eu", "production")).unwrap();
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("extra host `zoho.internal.example` is mapped differently"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_listed_directory_inside_a_work_tree_keeps_its_paths_and_shows_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let mono = dir.path().join("mono");
    std::fs::create_dir_all(mono.join("services/crm")).unwrap();
    std::fs::write(mono.join("services/crm/sync.py"), BOTH).unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(&mono)
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.email=t@example.com",
        "-c",
        "user.name=t",
        "commit",
        "-qm",
        "init",
    ]);
    std::fs::write(dir.path().join("list"), "mono/services/crm\n").unwrap();
    // JSON: relative to the work tree's root, as `scan mono/services/crm` writes it.
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "--format", "json"]);
    let alone = json(&orgtoken(
        dir.path(),
        &["scan", "mono/services/crm", "--format", "json"],
    ));
    assert_eq!(json(&out)["findings"][0]["path"], "services/crm/sync.py");
    assert_eq!(
        of_repository(&json(&out), "findings", "mono/services/crm"),
        *alone["findings"].as_array().unwrap()
    );
    // People read the listed directory once.
    let out = orgtoken(
        dir.path(),
        &["scan", "--repos-from", "list", "--format", "concise", "-q"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("mono/services/crm/sync.py:12:12: OT001 token `env:ZOHO_TOKEN` is used with US sandbox here and with US production elsewhere; a token is valid in one environment only")
    );
}

#[test]
fn each_repository_fails_at_its_own_level() {
    let dir = repos();
    // c's findings do not fail c, and so not the run; the command line wins.
    std::fs::write(dir.path().join("c/.orgtoken.toml"), "fail-on = \"never\"\n").unwrap();
    assert_eq!(orgtoken(dir.path(), &["scan", "c"]).status.code(), Some(0));
    let out = orgtoken(dir.path(), &["scan", "--repos-from", "list", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("c/sync.py:12:12"),
        "still reported"
    );
    let out = orgtoken(
        dir.path(),
        &["scan", "--repos-from", "list", "-q", "--fail-on", "error"],
    );
    assert_eq!(out.status.code(), Some(1));
}
