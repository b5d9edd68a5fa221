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

/// Runs one `run:` step of the action with bash as the runner would (inputs
/// as env vars, `$GITHUB_OUTPUT` a file); returns (exit status, outputs
/// file, stdout).
fn run_step(name: &str, dir: &Path, env: &[(&str, &std::ffi::OsStr)]) -> (std::process::ExitStatus, String, String) {
    let action = load("action.yml");
    let s = step(&action, name);
    assert_eq!(s["shell"].as_str(), Some("bash"));
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-e")
        .arg("-c")
        .arg(s["run"].as_str().unwrap())
        .current_dir(dir)
        .env("GITHUB_OUTPUT", out_file.path())
        .env_remove("GITHUB_ACTION_REPOSITORY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status,
        std::fs::read_to_string(out_file.path()).unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// `key=value` lines of a `$GITHUB_OUTPUT` file.
fn outputs(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs the action's `Scan` step in `dir` with the built binary, as the
/// runner would (bash, inputs as env vars); returns (outputs file, stdout,
/// the SARIF, the job summary file's text).
fn run_scan_step(dir: &Path, args: &str) -> (String, String, serde_json::Value, Option<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let sarif_path = tmp.path().join("o.sarif");
    let bin = assert_cmd::cargo::cargo_bin("orgtoken");
    let (status, outputs, log) = run_step(
        "Scan",
        dir,
        &[
            ("ORGTOKEN_BIN", bin.as_os_str()),
            ("RUNNER_TEMP", tmp.path().as_os_str()),
            ("ORGTOKEN_PATHS", ".".as_ref()),
            ("ORGTOKEN_ARGS", args.as_ref()),
            ("ORGTOKEN_FAIL_ON", "".as_ref()),
            ("ORGTOKEN_LOG_FORMAT", "github".as_ref()),
            ("ORGTOKEN_SARIF", sarif_path.as_os_str()),
            ("ORGTOKEN_UPLOAD_SUPPRESSED", "false".as_ref()),
            ("ORGTOKEN_JOB_SUMMARY", "true".as_ref()),
        ],
    );
    assert!(status.success(), "the scan step itself never fails: {log}");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let summary = std::fs::read_to_string(tmp.path().join("orgtoken-summary.md")).ok();
    (outputs, log, sarif, summary)
}

#[test]
fn the_action_scans_annotates_writes_sarif_and_passes_the_exit_code_on() {
    let fixtures = common::fixtures_copy();
    let (outputs, log, _, _) = run_scan_step(&fixtures.join("py-shared-env-token"), "");
    assert_eq!(outputs.trim(), "exit-code=1");
    assert!(log.starts_with("::error file=app.py,line=16,"), "{log}");
    let (outputs, _, _, _) = run_scan_step(&fixtures.join("py-shared-env-token"), "--fail-on never");
    assert_eq!(outputs.trim(), "exit-code=0");
    let (outputs, _, _, _) = run_scan_step(&fixtures.join("neg-keyed-map"), "");
    assert_eq!(outputs.trim(), "exit-code=0");

    let action = load("action.yml");
    let upload = step(&action, "Upload SARIF");
    assert_eq!(upload["uses"].as_str(), Some("github/codeql-action/upload-sarif@v4"));
    assert!(upload["if"].as_str().unwrap().contains("always()"));
}

/// Suppressed results stay out of the uploaded SARIF (code scanning would
/// show them as open alerts), and the job summary has the counts per rule,
/// the places and the graph.
#[test]
fn the_action_uploads_only_unsuppressed_results_and_writes_a_job_summary() {
    let fixtures = common::fixtures_copy();
    let dir = fixtures.join("suppress-inline");
    let (_, _, sarif, summary) = run_scan_step(&dir, "");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
    let summary = summary.expect("the scan step writes the summary");
    assert!(summary.starts_with("## orgtoken\n"), "{summary}");
    assert!(
        summary.contains("| OT001 cross-environment-token | error | 1 |"),
        "{summary}"
    );
    assert!(summary.contains("| `sync.js:8:9` | OT001 | error |"), "{summary}");
    assert!(summary.contains("```mermaid\nflowchart LR\n"), "{summary}");

    // The summary step appends to $GITHUB_STEP_SUMMARY (other steps write there too).
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("orgtoken-summary.md"), &summary).unwrap();
    let step_summary = tmp.path().join("step_summary.md");
    std::fs::write(&step_summary, "# earlier step\n").unwrap();
    let (status, _, _) = run_step(
        "Job summary",
        &dir,
        &[
            ("RUNNER_TEMP", tmp.path().as_os_str()),
            ("GITHUB_STEP_SUMMARY", step_summary.as_os_str()),
        ],
    );
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(&step_summary).unwrap(),
        format!("# earlier step\n{summary}")
    );
}

fn meta(runner_os: &str, arch: &str, release_url: &str, home: &Path) -> std::collections::BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (status, out, log) = run_step(
        "Resolve orgtoken",
        root,
        &[
            ("GITHUB_ACTION_PATH", root.as_os_str()),
            ("RUNNER_OS", runner_os.as_ref()),
            ("RUNNER_ARCH", arch.as_ref()),
            ("ORGTOKEN_VERSION", "".as_ref()),
            ("ORGTOKEN_RELEASE_URL", release_url.as_ref()),
            ("HOME", home.as_os_str()),
        ],
    );
    assert!(status.success(), "{log}");
    outputs(&out)
}

/// The version, the release asset and the cache key come from the action's
/// own files and the runner, never from `hashFiles` outside the workspace.
#[test]
fn the_action_resolves_its_release_and_cache_key_from_its_own_files() {
    let home = tempfile::tempdir().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let linux = meta("Linux", "X64", "", home.path());
    assert_eq!(linux["version"], version);
    assert_eq!(linux["target"], "x86_64-unknown-linux-gnu");
    let repo = env!("CARGO_PKG_REPOSITORY");
    assert_eq!(
        linux["url"],
        format!("{repo}/releases/download/v{version}/orgtoken-x86_64-unknown-linux-gnu.tar.gz")
    );
    assert!(
        linux["key"].starts_with(&format!("orgtoken-Linux-X64-v{version}-")),
        "{}",
        linux["key"]
    );
    assert_eq!(
        linux["bin"],
        format!("{}/.orgtoken/bin/orgtoken", home.path().display())
    );
    let mac = meta("macOS", "ARM64", "", home.path());
    assert_eq!(mac["target"], "aarch64-apple-darwin");
    assert_ne!(mac["key"], linux["key"]);
    assert_eq!(
        meta("Linux", "ARM64", "", home.path())["target"],
        "aarch64-unknown-linux-gnu"
    );
    assert_eq!(meta("macOS", "X64", "", home.path())["target"], "x86_64-apple-darwin");
    assert_eq!(meta("Windows", "X64", "", home.path())["target"], "");
    // The same sources, the same key.
    assert_eq!(meta("Linux", "X64", "", home.path())["key"], linux["key"]);

    let action = read("action.yml");
    assert!(
        !action.contains("hashFiles(format("),
        "hashFiles cannot read the action's path"
    );
    assert!(
        !action.contains("action_ref"),
        "github.action_ref is empty in composite actions"
    );
    // Every target the action asks for is one the release workflow builds.
    let release = load(".github/workflows/release.yml");
    let built: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
    ] {
        assert!(built.contains(&target), "{target}");
        assert!(action.contains(&format!(") target={target} ;;")), "{target}");
    }
    let package = release["jobs"]["build"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Package and checksum"))
        .unwrap();
    let script = package["run"].as_str().unwrap();
    assert!(
        script.contains("asset=\"orgtoken-${{ matrix.target }}.tar.gz\""),
        "{script}"
    );
    assert!(script.contains("> \"$asset.sha256\""), "{script}");
    assert_eq!(release["on"]["push"]["tags"][0].as_str(), Some("v*"));
    assert_eq!(release["permissions"]["contents"].as_str(), Some("write"));
}

/// A release as the release workflow lays it out, served from the disk.
fn fake_release(dir: &Path, target: &str, tamper: bool) {
    let v = dir.join(format!("v{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&v).unwrap();
    let stage = tempfile::tempdir().unwrap();
    std::fs::copy(assert_cmd::cargo::cargo_bin("orgtoken"), stage.path().join("orgtoken")).unwrap();
    let asset = format!("orgtoken-{target}.tar.gz");
    let ok = std::process::Command::new("tar")
        .arg("-C")
        .arg(stage.path())
        .arg("-czf")
        .arg(v.join(&asset))
        .arg("orgtoken")
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = std::process::Command::new("sha256sum")
        .arg(&asset)
        .current_dir(&v)
        .output()
        .unwrap();
    let mut text = String::from_utf8(sum.stdout).unwrap();
    if tamper {
        text.replace_range(0..1, if text.starts_with('0') { "1" } else { "0" });
    }
    std::fs::write(v.join(format!("{asset}.sha256")), text).unwrap();
}

fn download(url: &str, install: &str, home: &Path) -> (std::process::ExitStatus, String, String) {
    run_step(
        "Download the release binary",
        home,
        &[
            ("ORGTOKEN_URL", url.as_ref()),
            ("ORGTOKEN_INSTALL", install.as_ref()),
            ("HOME", home.as_os_str()),
        ],
    )
}

/// No source build when there is a release: the binary is downloaded and
/// its checksum checked; a missing or tampered asset falls back to the
/// source build (or fails with `install: release`).
#[test]
fn the_action_installs_the_checksummed_release_binary_or_falls_back() {
    let rel = tempfile::tempdir().unwrap();
    let base = format!("file://{}", rel.path().display());
    let home = tempfile::tempdir().unwrap();
    let m = meta("Linux", "X64", &base, home.path());
    fake_release(rel.path(), "x86_64-unknown-linux-gnu", false);
    let (status, out, log) = download(&m["url"], "auto", home.path());
    assert!(status.success(), "{log}");
    assert_eq!(outputs(&out)["ok"], "true", "{log}");
    let installed = std::process::Command::new(&m["bin"]).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&installed.stdout).starts_with("orgtoken "));

    let home = tempfile::tempdir().unwrap();
    fake_release(rel.path(), "x86_64-unknown-linux-gnu", true);
    let (status, out, log) = download(&m["url"], "auto", home.path());
    assert!(status.success(), "{log}");
    assert_eq!(outputs(&out)["ok"], "false");
    assert!(
        log.contains("checksum mismatch") && log.contains("building from source instead"),
        "{log}"
    );
    assert!(
        !home.path().join(".orgtoken/bin/orgtoken").exists(),
        "an unverified binary is never unpacked"
    );
    let (status, _, _) = download(&m["url"], "release", home.path());
    assert!(!status.success(), "`install: release` fails instead of building");

    let missing = meta("Linux", "ARM64", &base, home.path());
    let (status, out, log) = download(&missing["url"], "auto", home.path());
    assert!(status.success());
    assert_eq!(outputs(&out)["ok"], "false");
    assert!(log.contains("no release binary at"), "{log}");

    // The fallback steps run exactly when the download did not succeed.
    let action = load("action.yml");
    for name in ["Cache the source build", "Rust toolchain", "Build orgtoken from source"] {
        assert!(
            step(&action, name)["if"]
                .as_str()
                .unwrap()
                .contains("steps.download.outputs.ok != 'true'"),
            "{name}"
        );
    }
    assert!(step(&action, "Build orgtoken from source")["run"]
        .as_str()
        .unwrap()
        .contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\" --root \"$HOME/.orgtoken\""));
}

/// docs/ci.md documents the permissions the action needs.
#[test]
fn the_ci_docs_name_the_actions_permissions() {
    let docs = read("docs/ci.md");
    for p in ["contents: read", "security-events: write", "actions: read"] {
        assert!(docs.contains(p), "{p}");
    }
    assert!(docs.contains("upload-sarif@v4") && !docs.contains("upload-sarif@v3"));
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
