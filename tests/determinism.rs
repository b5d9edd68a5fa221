//! Same input, byte-identical output (DESIGN §7): the whole `fixtures/` tree
//! and a generated tree full of notes, scanned with `-j 1`, `-j 3` and twice
//! with `-j 8`, in every format and every inventory format, stderr and the
//! baseline file included.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// stdout, stderr and (for `--write-baseline`) the file, of one run.
fn run(dir: &Path, args: &[&str], threads: &str, baseline: &Path) -> Vec<u8> {
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if a[0] == "scan" && a.iter().any(|s| s == "--write-baseline") {
        a.push(baseline.display().to_string());
    }
    a.extend(["-j".to_string(), threads.to_string(), ".".to_string()]);
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(dir)
        .args(&a)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(101), "{a:?}: panic");
    let mut all = out.stdout;
    all.extend_from_slice(b"\n--- stderr ---\n");
    all.extend(out.stderr);
    if let Ok(b) = std::fs::read(baseline) {
        all.extend_from_slice(b"\n--- baseline ---\n");
        all.extend(b);
        std::fs::remove_file(baseline).unwrap();
    }
    all
}

fn check_tree(dir: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["human", "concise", "github", "json", "sarif", "junit"] {
        runs.push(vec![
            "scan",
            "--format",
            format,
            "--statistics",
            "--report-unused-suppressions",
        ]);
    }
    for format in ["human", "json", "markdown"] {
        runs.push(vec!["inventory", "--format", format]);
    }
    runs.push(vec!["scan", "--format", "json", "--write-baseline"]);
    for args in runs {
        let one = run(dir, &args, "1", &baseline);
        assert!(one.len() > 40, "{args:?}: empty output");
        for threads in ["3", "8", "8"] {
            let other = run(dir, &args, threads, &baseline);
            if one != other {
                let (a, b) = (String::from_utf8_lossy(&one), String::from_utf8_lossy(&other));
                let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                panic!(
                    "{args:?}: -j 1 and -j {threads} differ at line {}:\n-j 1: {}\n-j {threads}: {}",
                    line + 1,
                    a.lines().nth(line).unwrap_or(""),
                    b.lines().nth(line).unwrap_or("")
                );
            }
        }
    }
}

#[test]
fn the_fixture_tree_is_byte_identical_across_thread_counts() {
    check_tree(&fixtures());
}

#[test]
fn a_tree_full_of_notes_is_byte_identical_across_thread_counts() {
    // Many files finishing in any order: findings across files, syntax
    // errors, invalid UTF-8, NUL bytes, oversized files, cut nesting.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let app = std::fs::read_to_string(fixtures().join("py-shared-env-token/app.py")).unwrap();
    for i in 0..60 {
        let sub = d.join(format!("pkg{}", i % 7));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("app{i}.py")), &app).unwrap();
        std::fs::write(sub.join(format!("broken{i}.py")), format!("import zoho\ndef f{i}(:\n")).unwrap();
        std::fs::write(sub.join(format!("latin{i}.js")), b"// zoho caf\xe9\n").unwrap();
        std::fs::write(sub.join(format!("blob{i}.json")), b"{\"zoho\": \"\x00\"}").unwrap();
        std::fs::write(
            sub.join(format!(".env.p{i}")),
            format!(
                "ZOHO_API_DOMAIN=https://{}.zohoapis.com\nZOHO_REFRESH_TOKEN=${{SHARED}}\n",
                if i % 2 == 0 { "www" } else { "sandbox" }
            ),
        )
        .unwrap();
    }
    std::fs::write(
        d.join("deep.py"),
        format!("x = {}'zoho'{}\n", "(".repeat(500), ")".repeat(500)),
    )
    .unwrap();
    std::fs::write(d.join("big.js"), format!("// zoho\n{}", "x;".repeat(3 << 20))).unwrap();
    check_tree(d);
}
