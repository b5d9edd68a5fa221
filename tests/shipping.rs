//! The GitHub Action's scan step and the pre-commit hooks, run as CI and
//! pre-commit would run them.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

mod common;

fn load(file: &str) -> Yaml {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn step<'a>(action: &'a Yaml, name: &str) -> &'a Yaml {
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

/// Runs the action's `Scan` step in `dir` with the built binary, as the
/// runner would (bash, inputs as env vars); returns (outputs file, stdout).
fn run_scan_step(dir: &Path, args: &str) -> (String, String) {
    let action = load("action.yml");
    let scan = step(&action, "Scan");
    assert_eq!(scan["shell"].as_str(), Some("bash"));
    let script = scan["run"].as_str().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".cargo/bin")).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("orgtoken"),
        home.path().join(".cargo/bin/orgtoken"),
    )
    .unwrap();
    let outputs = home.path().join("github_output");
    let out = std::process::Command::new("bash")
        .arg("-e")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("HOME", home.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("ORGTOKEN_PATHS", ".")
        .env("ORGTOKEN_ARGS", args)
        .env("ORGTOKEN_FAIL_ON", "")
        .env("ORGTOKEN_LOG_FORMAT", "github")
        .env("ORGTOKEN_SARIF", home.path().join("o.sarif"))
        .output()
        .unwrap();
    assert!(out.status.success(), "the scan step itself never fails");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.path().join("o.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    (
        std::fs::read_to_string(outputs).unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn the_action_scans_annotates_writes_sarif_and_passes_the_exit_code_on() {
    let fixtures = common::fixtures_copy();
    let (outputs, log) = run_scan_step(&fixtures.join("py-shared-env-token"), "");
    assert_eq!(outputs.trim(), "exit-code=1");
    assert!(log.starts_with("::error file=app.py,line=16,"), "{log}");
    let (outputs, _) = run_scan_step(&fixtures.join("py-shared-env-token"), "--fail-on never");
    assert_eq!(outputs.trim(), "exit-code=0");
    let (outputs, _) = run_scan_step(&fixtures.join("neg-keyed-map"), "");
    assert_eq!(outputs.trim(), "exit-code=0");

    let action = load("action.yml");
    let upload = step(&action, "Upload SARIF");
    assert_eq!(upload["uses"].as_str(), Some("github/codeql-action/upload-sarif@v3"));
    assert!(upload["if"].as_str().unwrap().contains("always()"));
    let install = step(&action, "Install orgtoken");
    assert!(install["run"]
        .as_str()
        .unwrap()
        .contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
}

#[test]
fn pre_commit_hooks_run_the_whole_tree() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().unwrap();
    assert!(!hooks.is_empty());
    for h in hooks {
        assert_eq!(h["language"].as_str(), Some("rust"));
        assert_eq!(
            h["pass_filenames"].as_bool(),
            Some(false),
            "cross-file links need the whole tree"
        );
        let entry = h["entry"].as_str().unwrap();
        assert!(entry.starts_with("orgtoken scan"), "{entry}");
        // The entry's arguments are ones the CLI accepts.
        let mut args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        args.push("--help");
        let out = assert_cmd::Command::cargo_bin("orgtoken")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{entry}");
    }
}

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The release binary users build first: no debug info, stripped, thin LTO
/// (a 124 MB binary with `debug = 1` is 31 MB), and the README says how long
/// that first build takes.
#[test]
fn the_release_profile_ships_a_small_binary_and_the_readme_says_how_long_it_builds() {
    let cargo: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let release = &cargo["profile"]["release"];
    assert_eq!(release.get("debug").and_then(|d| d.as_bool()), Some(false));
    assert_eq!(release.get("strip").and_then(|d| d.as_bool()), Some(true));
    assert_eq!(release.get("lto").and_then(|d| d.as_str()), Some("thin"));
    let readme = read("README.md");
    let top = &readme[..readme.find("\n## ").unwrap()];
    assert!(top.contains("cargo run --release -- scan examples/demo"));
    assert!(top.contains("The first `cargo run --release` compiles"), "{top}");
    assert!(top.contains("minutes"), "{top}");
}

/// `.ci/run` builds the debug profile once for the README's test command and
/// the corpus generator (one cargo invocation), checks formatting before any
/// build, and builds the release binary once, after the tests.
#[test]
fn ci_builds_each_profile_once() {
    let ci = read(".ci/run");
    let commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.contains("cargo "))
        .collect();
    let pos = |needle: &str| {
        let hits: Vec<usize> = commands
            .iter()
            .enumerate()
            .filter(|(_, c)| c.contains(needle))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(hits.len(), 1, "`{needle}` once in .ci/run: {commands:?}");
        hits[0]
    };
    let fmt = pos("cargo fmt --all -- --check");
    let clippy = pos("cargo clippy");
    let test = pos("cargo test --locked --workspace");
    let release = pos("cargo build --locked --release");
    assert!(fmt < clippy && clippy < test && test < release, "{commands:?}");
    // The fuzz targets never rot: CI compiles every one of them.
    let fuzz = pos("cargo check --locked --manifest-path fuzz/Cargo.toml --bins");
    assert!(test < fuzz && fuzz < release, "{commands:?}");
    assert!(
        !ci.contains("-p gen-corpus"),
        "the generator's tests share the workspace invocation"
    );
}
