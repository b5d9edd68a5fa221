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
fn inventory_never_shows_a_token_value() {
    let all = fixture("");
    let re = regex::Regex::new(r"[0-9a-f]{32}").unwrap();
    for format in ["human", "json", "markdown"] {
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
    };
    for name in ["human", "json", "sarif", "concise", "github", "junit"] {
        let out = report::render(Format::from_name(name).unwrap(), &result, &ropts);
        assert!(out.contains("OT001"), "{name}: {out}");
        assert!(!out.contains("Failed to read"), "{name}: {out}");
    }
}
