//! Every output format as a user sees it (insta snapshots), the exit code of
//! each, several outputs from one run, and `--statistics`.

use std::path::Path;

mod common;
use common::{fixture, run_in};

fn stdout(dir: &Path, args: &[&str]) -> String {
    String::from_utf8(run_in(dir, args).stdout).unwrap()
}

#[test]
fn concise_with_statistics() {
    insta::assert_snapshot!(stdout(
        &fixture("py-shared-env-token"),
        &["scan", "--format", "concise", "--statistics", "."]
    ));
}

#[test]
fn github_workflow_commands() {
    insta::assert_snapshot!(stdout(
        &fixture("py-env-switch-warning"),
        &["scan", "--format", "github", "."]
    ));
}

#[test]
fn junit_with_findings_and_clean() {
    insta::assert_snapshot!(stdout(
        &fixture("py-shared-env-token"),
        &["scan", "--format", "junit", "."]
    ));
    insta::assert_snapshot!(stdout(&fixture("neg-keyed-map"), &["scan", "--format", "junit", "."]));
}

/// Test case names do not carry line numbers: lines inserted above the
/// findings leave every name as it was (CI systems track tests by name).
#[test]
fn junit_test_names_survive_line_moves() {
    let names = |dir: &Path| -> Vec<String> {
        let xml = stdout(dir, &["scan", "--format", "junit", "."]);
        let re = regex::Regex::new(r#"<testcase name="([^"]*)""#).unwrap();
        let mut v: Vec<String> = re.captures_iter(&xml).map(|c| c[1].to_string()).collect();
        v.sort();
        v
    };
    let tmp = tempfile::tempdir().unwrap();
    for f in ["app.py", "sync.js", "seed.py"] {
        std::fs::copy(fixture("suppress-inline").join(f), tmp.path().join(f)).unwrap();
    }
    let app = tmp.path().join("sync.js");
    let before = names(tmp.path());
    assert_eq!(before.len(), 1);
    assert!(!before[0].contains(':'), "{before:?}");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, format!("// moved\n\n\n{text}")).unwrap();
    assert_eq!(names(tmp.path()), before);
    let xml = stdout(tmp.path(), &["scan", "--format", "junit", "."]);
    assert!(
        xml.contains("error: sync.js:11:9: OT001"),
        "the place is in the message: {xml}"
    );
}

#[test]
fn every_format_has_the_same_exit_code() {
    for format in ["human", "json", "sarif", "concise", "github", "junit"] {
        for (dir, code) in [
            ("py-shared-env-token", 1),
            ("neg-keyed-map", 0),
            ("py-env-switch-warning", 0),
        ] {
            let out = run_in(&fixture(dir), &["scan", "--format", format, "."]);
            assert_eq!(out.status.code(), Some(code), "{format} on {dir}");
        }
        let out = run_in(
            &fixture("py-env-switch-warning"),
            &["scan", "--fail-on", "warning", "--format", format, "."],
        );
        assert_eq!(out.status.code(), Some(1), "{format} --fail-on warning");
    }
}

#[test]
fn github_annotates_at_most_ten_per_level_then_sums_up() {
    let all = fixture("");
    let s = stdout(&all, &["scan", "--format", "github", "."]);
    let errors = s.lines().filter(|l| l.starts_with("::error ")).count();
    let warnings = s.lines().filter(|l| l.starts_with("::warning ")).count();
    assert_eq!(errors, 10, "{s}");
    assert!(warnings <= 10);
    let json: serde_json::Value =
        serde_json::from_slice(&run_in(&all, &["scan", "--format", "json", "."]).stdout).unwrap();
    let total = json["findings"].as_array().unwrap().len();
    let rest = total - errors - warnings;
    assert!(rest > 0);
    assert!(
        s.contains(&format!(
            "::notice title=orgtoken::{rest} more finding(s) not annotated"
        )),
        "{s}"
    );
    // The rest are still in the log, one line each.
    let plain = s
        .lines()
        .filter(|l| !l.starts_with("::") && l.contains(": OT00"))
        .count();
    assert_eq!(plain, rest);
}

#[test]
fn several_outputs_from_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("results.sarif");
    let json = tmp.path().join("out.json");
    let junit = tmp.path().join("junit.xml");
    let out = run_in(
        &fixture("py-shared-env-token"),
        &[
            "scan",
            "--format",
            "concise",
            "--output",
            &format!("sarif={}", sarif.display()),
            "--output",
            &format!("json={}", json.display()),
            "-o",
            &format!("junit={}", junit.display()),
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let log = String::from_utf8(out.stdout).unwrap();
    assert!(log.starts_with("app.py:16:12: OT001 "), "{log}");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    assert!(std::fs::read_to_string(&junit).unwrap().contains("failures=\"1\""));
    // The plain form still writes the main format to a file.
    let main = tmp.path().join("main.json");
    let out = run_in(
        &fixture("py-shared-env-token"),
        &["scan", "--format", "json", "--output", main.to_str().unwrap(), "."],
    );
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&main).unwrap().contains("\"findings\""));
}

#[test]
fn bad_output_arguments_exit_2() {
    let d = fixture("py-shared-env-token");
    let out = run_in(&d, &["scan", "--output", "a.txt", "--output", "b.txt", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only one output without a format"));
    let out = run_in(&d, &["scan", "--output", "sarif=", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn inventory_in_every_format() {
    let d = fixture("py-shared-env-token");
    insta::assert_snapshot!(stdout(&d, &["inventory"]));
    let sdk = fixture("py-sdk-switch-without-token");
    insta::assert_snapshot!(stdout(&sdk, &["inventory", "--format", "markdown"]));
    insta::assert_snapshot!(stdout(&sdk, &["inventory", "--format", "json", "."]));
    let out = run_in(&d, &["inventory", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(0), "the inventory is a report, not a gate");
}

#[test]
fn inventory_as_a_graph() {
    let d = fixture("py-shared-env-token");
    insta::assert_snapshot!(stdout(&d, &["inventory", "--format", "mermaid"]));
    insta::assert_snapshot!(stdout(&d, &["inventory", "--format", "dot"]));
    // The Markdown inventory embeds the Mermaid graph in a fence.
    let md = stdout(&d, &["inventory", "--format", "markdown"]);
    let mermaid = stdout(&d, &["inventory", "--format", "mermaid"]);
    assert!(md.contains(&format!("```mermaid\n{mermaid}```\n")), "{md}");
    // Each data center is a cluster of its environments.
    let all = stdout(&fixture(""), &["inventory", "--format", "mermaid", "."]);
    for dc in ["US", "EU", "IN", "AU", "JP", "CN"] {
        assert!(all.contains(&format!("[\"{dc}\"]\n")), "{dc}");
    }
    assert!(
        all.lines()
            .any(|l| l.starts_with("    e") && l.ends_with("[\"US (environment chosen at run time)\"]")),
        "{all}"
    );
    let dot = stdout(&fixture(""), &["inventory", "--format", "dot", "."]);
    assert!(dot.starts_with("digraph orgtoken_inventory {\n") && dot.ends_with("}\n"));
    assert_eq!(dot.matches(" -> ").count(), all.matches(" -->|").count());
}

#[test]
fn graph_labels_cannot_inject_nodes_or_markup() {
    let tmp = tempfile::tempdir().unwrap();
    let evil = tmp.path().join("x\"]) --> pwn[\"`<b>|");
    std::fs::create_dir(&evil).unwrap();
    std::fs::copy(fixture("py-shared-env-token").join("app.py"), evil.join("app.py")).unwrap();
    let mermaid = stdout(tmp.path(), &["inventory", "--format", "mermaid", "."]);
    // Two edges, each one line with exactly its two quotes; nothing else.
    let edges: Vec<&str> = mermaid.lines().filter(|l| l.contains("-->")).collect();
    assert_eq!(edges.len(), 2, "{mermaid}");
    for e in &edges {
        assert_eq!(e.matches('"').count(), 2, "{e}");
        assert!(
            !e.contains('`') && !e.contains('<') && e.matches('|').count() == 2,
            "{e}"
        );
        assert!(
            e.contains("x#quot;]) --#gt; pwn[#quot;#96;#lt;b#gt;#124;/app.py:"),
            "{e}"
        );
    }
    assert!(!mermaid.contains("pwn[\""));
    let dot = stdout(tmp.path(), &["inventory", "--format", "dot", "."]);
    assert!(dot.contains("label=\"x\\\"]) --> pwn[\\\"`<b>|/app.py:"), "{dot}");
    let md = stdout(tmp.path(), &["inventory", "--format", "markdown", "."]);
    assert_eq!(md.matches("```").count(), 2, "one fence, opened and closed: {md}");
}

#[test]
fn inventory_never_shows_a_token_value() {
    let all = fixture("");
    let re = regex::Regex::new(r"[0-9a-f]{32}").unwrap();
    for format in ["human", "json", "markdown", "mermaid", "dot"] {
        let s = stdout(&all, &["inventory", "--format", format, "."]);
        assert!(!re.is_match(&s), "{format}");
        assert!(s.contains("literal:sha256:"), "{format}: literals are named by hash");
    }
}

#[test]
fn new_formats_are_deterministic() {
    let all = fixture("");
    for args in [
        &["scan", "--format", "concise", "--statistics"][..],
        &["scan", "--format", "github"][..],
        &["scan", "--format", "junit"][..],
        &["inventory", "--format", "markdown"][..],
        &["inventory", "--format", "json"][..],
        &["inventory", "--format", "mermaid"][..],
        &["inventory", "--format", "dot"][..],
    ] {
        let mut a = args.to_vec();
        a.extend(["-j", "1", "."]);
        let one = run_in(&all, &a).stdout;
        a[args.len() + 1] = "4";
        assert_eq!(one, run_in(&all, &a).stdout, "{args:?}");
        assert!(!one.is_empty());
    }
}

#[test]
fn no_token_literal_appears_in_the_new_formats() {
    let re = regex::Regex::new(r"1000\.[0-9a-f]{32}\.([0-9a-f]{32})").unwrap();
    let mut secrets = Vec::new();
    let mut stack = vec![fixture("")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                secrets.extend(re.captures_iter(&t).map(|c| c[1].to_string()));
            }
        }
    }
    assert!(secrets.len() >= 3);
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("b.json");
    let base_arg = format!("--write-baseline={}", base.display());
    for args in [
        &["scan", "--format", "concise"][..],
        &["scan", "--format", "github"][..],
        &["scan", "--format", "junit"][..],
        &["inventory"][..],
        &["scan", &base_arg][..],
    ] {
        let mut a = args.to_vec();
        a.push(".");
        let out = run_in(&fixture(""), &a);
        let mut text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Ok(b) = std::fs::read_to_string(&base) {
            text.push_str(&b);
        }
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{args:?} leaks part of a token");
        }
    }
    assert!(std::fs::read_to_string(&base).unwrap().contains("literal:sha256:"));
}

/// A file that changed between its analysis and the report has no text to
/// show: every format still renders its findings (no snippet, no panic).
#[test]
fn findings_in_a_file_without_text_still_render() {
    use orgtoken::report::{self, Format, RenderOptions};
    let dir = fixture("py-shared-env-token");
    let opts = orgtoken::scan::ScanOptions {
        roots: vec![dir.clone()],
        excludes: vec!["EXPECTED".into()],
        no_ignore: false,
        include_vendored: false,
        max_file_size: 5 << 20,
        threads: 1,
        file_timeout: None,
        ..Default::default()
    };
    let mut result = orgtoken::scan::scan(&opts).unwrap();
    assert!(!result.findings.is_empty());
    for f in &mut result.files {
        f.text.clear();
    }
    let ropts = RenderOptions {
        color: false,
        width: 100,
        quiet: false,
        statistics: true,
        drop_suppressed: false,
    };
    for name in ["human", "json", "sarif", "concise", "github", "junit"] {
        let out = report::render(Format::from_name(name).unwrap(), &result, &ropts);
        assert!(out.contains("OT001"), "{name}: {out}");
        assert!(!out.contains("Failed to read"), "{name}: {out}");
    }
}

#[test]
fn the_readme_shows_the_demos_graph_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = stdout(root, &["inventory", "--format", "mermaid", "examples/demo"]);
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{graph}```\n")),
        "update the README's picture:\n{graph}"
    );
}

/// The job summary the GitHub Action writes (`--format markdown`): the
/// summary line, counts per rule, the places, the graph.
#[test]
fn markdown_report_for_job_summaries() {
    let d = fixture("suppress-inline");
    insta::assert_snapshot!(stdout(&d, &["scan", "--format", "markdown", "."]));
    let clean = stdout(&fixture("neg-keyed-map"), &["scan", "--format", "markdown", "."]);
    assert!(
        clean.starts_with("## orgtoken\n\norgtoken: 0 errors, 0 warnings"),
        "{clean}"
    );
    assert!(!clean.contains("| rule |"), "{clean}");
    // The markdown report is one of the --output formats.
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let out = run_in(
        &d,
        &[
            "scan",
            "--format",
            "github",
            "--output",
            &format!("markdown={}", summary.display()),
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        stdout(&d, &["scan", "--format", "markdown", "."])
    );
}

#[test]
fn sarif_drop_suppressed_leaves_suppressed_results_out() {
    let d = fixture("suppress-inline");
    let sarif = |args: &[&str]| -> serde_json::Value {
        let mut a = vec!["scan", "--format", "sarif"];
        a.extend_from_slice(args);
        a.push(".");
        serde_json::from_slice(&run_in(&d, &a).stdout).unwrap()
    };
    let results = |doc: &serde_json::Value| doc["runs"][0]["results"].as_array().unwrap().clone();
    let kept = results(&sarif(&[]));
    assert_eq!(kept.iter().filter(|r| r.get("suppressions").is_some()).count(), 3);
    let dropped = results(&sarif(&["--sarif-drop-suppressed"]));
    assert_eq!(dropped.len(), kept.len() - 3);
    assert!(dropped.iter().all(|r| r.get("suppressions").is_none()));
    // Rules and fingerprints of what is left are unchanged.
    let unsuppressed: Vec<&serde_json::Value> = kept.iter().filter(|r| r.get("suppressions").is_none()).collect();
    assert_eq!(dropped.iter().collect::<Vec<_>>(), unsuppressed);
}
