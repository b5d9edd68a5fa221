//! No secret from the fixtures appears in any output (DESIGN §7): every
//! format of `scan` (with `--statistics`), every format of `inventory`, the
//! baseline file, and everything on stderr, for the whole `fixtures/` tree
//! and for each fixture directory that holds a secret.
//!
//! The secrets are found in the fixtures' raw text independently of the
//! pipeline: token-shaped literals by the catalog's shape, and literal values
//! written in credential-named slots (`client_secret = "…"`, `password:`,
//! `Authorization: "Zoho-oauthtoken …"`, `?authtoken=…`).

use std::path::{Path, PathBuf};
use std::process::Output;

use orgtoken::catalog::catalog;

mod common;
use common::run_in;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "EXPECTED") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Literal values in credential-named slots, by a line-level oracle that
/// shares nothing with the front-ends: `NAME = "value"`, `"name": "value"`,
/// `name: value`, `NAME=value`, and header values after a known scheme.
fn named_secrets(text: &str) -> Vec<String> {
    let c = catalog();
    // A quoted value closed right after it, or an unquoted one ending the line.
    let assign = regex::Regex::new(
        r#"["']?([A-Za-z_][\w.-]*)["']?\s*(?:=>|=|:)\s*(?:["'`]([^"'`\s]+)["'`]|([^"'`\s,}{)(]+)\s*$)"#,
    )
    .unwrap();
    let query = regex::Regex::new(r"[?&]([A-Za-z_]+)=([A-Za-z0-9._-]{8,})").unwrap();
    let scheme = regex::Regex::new(r#"(?:Zoho-oauthtoken|Bearer) ([A-Za-z0-9._-]{8,})["'`]"#).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        for cap in assign.captures_iter(line) {
            let key = cap[1].rsplit(['.', ':', '/']).next().unwrap().replace('-', "_");
            let value = cap.get(2).or(cap.get(3)).unwrap().as_str();
            if value.len() >= 8
                && c.is_secret_name(&key)
                && !c.is_placeholder(value)
                && c.find_hosts(value).is_empty()
                && !value.contains('$')
                && !value.contains("://")
                // A name, not a value: `token: ZOHO_REFRESH_TOKEN`, `token = os.environ`.
                && !value.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_' || ch.is_ascii_digit())
                && !value.contains('.')
                && !value.contains('[')
            {
                out.push(value.to_string());
            }
        }
        for cap in query.captures_iter(line) {
            if c.is_secret_name(&cap[1]) && !c.is_placeholder(&cap[2]) {
                out.push(cap[2].to_string());
            }
        }
        for cap in scheme.captures_iter(line) {
            if !c.is_placeholder(&cap[1]) {
                out.push(cap[1].to_string());
            }
        }
    }
    out
}

/// Every secret of one file: token-shaped literals (whole, and their
/// distinctive second half) and named credential values.
fn secrets_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in catalog().token_literal.find_iter(text) {
        out.push(m.as_str().to_string());
        out.push(m.as_str()[38..].to_string());
    }
    out.extend(named_secrets(text));
    out
}

fn secrets_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = files_under(dir)
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|t| secrets_of(&t))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn leaks<'a>(text: &str, secrets: &'a [String]) -> Vec<&'a str> {
    secrets
        .iter()
        .map(String::as_str)
        .filter(|s| text.contains(s))
        .collect()
}

/// Everything a user sees from one tree: stdout and stderr of every format
/// and subcommand, plus the baseline file.
fn every_output(dir: &Path) -> Vec<(String, String)> {
    let tmp = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    let mut record = |what: String, o: Output| {
        assert_ne!(o.status.code(), Some(101), "{what}: panic");
        outs.push((
            what,
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ));
    };
    for format in ["human", "concise", "github", "json", "sarif", "junit"] {
        for extra in [
            &["--statistics"][..],
            &["--include-vendored", "--report-unused-suppressions"][..],
        ] {
            let mut args = vec!["scan", "--format", format];
            args.extend_from_slice(extra);
            args.push(".");
            record(format!("scan {args:?}"), run_in(dir, &args));
        }
    }
    for format in ["human", "json", "markdown"] {
        record(
            format!("inventory --format {format}"),
            run_in(dir, &["inventory", "--format", format, "."]),
        );
    }
    let base = tmp.path().join("baseline.json");
    let arg = format!("--write-baseline={}", base.display());
    let o = run_in(dir, &["scan", &arg, "."]);
    record("scan --write-baseline (stdout/stderr)".into(), o);
    let written = std::fs::read_to_string(&base).unwrap_or_default();
    outs.push(("the baseline file".into(), written));
    outs
}

#[test]
fn the_oracle_finds_secrets_of_every_kind() {
    // Negative control: the secrets exist in the raw fixtures, of both kinds,
    // and the leak check flags raw text that holds them.
    let all = secrets_under(&fixtures());
    let shaped = all.iter().filter(|s| s.starts_with("1000.")).count();
    let named: Vec<&String> = all.iter().filter(|s| !s.starts_with("1000.")).collect();
    assert!(shaped >= 10, "{all:?}");
    for known in [
        "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d",
        "opaqueLegacyTokenQ7vX2mK9pL",
        "hunter2-Xk92mQ-db",
        "apikeyR5tY7uI9oP1aS3",
        "opaqueInlineTokenW3rT8yU1",
        "prodClientSecretM4nB6vC8xZ",
        "yamlSandboxSecretA2sD4fG6",
        "5f3c9a7e21b84d06a9e4c3b2f1d0e8a7",
    ] {
        assert!(named.iter().any(|s| *s == known), "{known} not found: {named:?}");
    }
    let raw = std::fs::read_to_string(fixtures().join("redact-credentials-in-frames/app.py")).unwrap();
    assert!(leaks(&raw, &all).len() >= 4);
}

#[test]
fn no_secret_appears_in_any_output_of_the_whole_tree() {
    let secrets = secrets_under(&fixtures());
    let outputs = every_output(&fixtures());
    for (what, text) in &outputs {
        let found = leaks(text, &secrets);
        assert!(found.is_empty(), "{what} leaks {found:?}");
    }
    // The outputs really show code: redacted frames are there to be checked.
    let human = &outputs[0].1;
    assert!(human.contains("ZOHO_CLIENT_SECRET=****"), "{human}");
    let frames = &every_output(&fixtures().join("redact-credentials-in-frames"))[0].1;
    assert!(frames.contains("CLIENT_SECRET = \"****"), "{frames}");
    assert!(frames.contains("Zoho-oauthtoken ****"), "{frames}");
}

#[test]
fn no_secret_appears_in_any_output_of_each_fixture() {
    // Each fixture directory (fixtures/SHAPES.md is no fixture).
    for dir in std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
    {
        let secrets = secrets_under(&dir);
        if secrets.is_empty() {
            continue;
        }
        for format in ["human", "json"] {
            let o = run_in(&dir, &["scan", "--format", format, "--statistics", "."]);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            let found = leaks(&text, &secrets);
            assert!(found.is_empty(), "{} --format {format} leaks {found:?}", dir.display());
        }
    }
}
