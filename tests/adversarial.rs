//! Hostile input (DESIGN §7, docs/robustness.md): each case runs the real
//! binary under a wall-clock guard beside a known positive, and checks the
//! exit code, the note naming the file, and that the positive's findings are
//! still exact. Large inputs are generated here, never committed.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{fixture, notes, places};

/// Generous: a hang fails the test, slowness does not.
const GUARD: Duration = Duration::from_secs(300);

/// Starts orgtoken in `dir`, its output piped.
fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("orgtoken"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("orgtoken starts")
}

/// Runs orgtoken in `dir`, killing it and failing when it outlives `limit`.
fn run_guarded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    finish_guarded(spawn(dir, args), args, limit)
}

/// Waits for a started orgtoken, killing it and failing when it outlives
/// `limit`.
fn finish_guarded(mut child: std::process::Child, args: &[&str], limit: Duration) -> Output {
    // Drain the pipes on threads so a large report cannot block the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("orgtoken {args:?} did not finish within {limit:?} (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// A JSON scan: the document and the exit code (never a panic's 101).
fn scan_json(dir: &Path, extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = run_guarded(dir, &args, GUARD);
    let code = out.status.code().expect("exited, not killed by a signal");
    assert_ne!(code, 101, "panic: {}", String::from_utf8_lossy(&out.stderr));
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (doc, code)
}

/// `RULE path:line` of each finding, sorted.
fn findings(doc: &Value) -> Vec<String> {
    let mut v = places(doc, "findings");
    v.sort();
    v
}

fn has_note(doc: &Value, path: &str, text: &str) -> bool {
    notes(doc)
        .iter()
        .any(|n| n.starts_with(&format!("{path}: ")) && n.contains(text))
}

/// A known positive beside the hostile input: `good/app.py` (one OT001, at
/// the sandbox call).
fn plant_positive(dir: &Path) {
    std::fs::create_dir_all(dir.join("good")).unwrap();
    std::fs::copy(fixture("py-shared-env-token/app.py"), dir.join("good/app.py")).unwrap();
}

/// The positive with a token of its own (`ZOHO_ACCESS_TOKEN_<tag>`): a copy
/// that is its own root cause, so that it is reported beside the others.
fn positive_with_own_token(tag: &str) -> String {
    std::fs::read_to_string(fixture("py-shared-env-token/app.py"))
        .unwrap()
        .replace("ZOHO_ACCESS_TOKEN", &format!("ZOHO_ACCESS_TOKEN_{tag}"))
}

const POSITIVE: [&str; 1] = ["OT001 good/app.py:16"];

fn assert_positive_exact(doc: &Value) {
    let good: Vec<String> = findings(doc).into_iter().filter(|f| f.contains(" good/")).collect();
    assert_eq!(good, POSITIVE, "the real findings beside the hostile input");
}

#[test]
fn binary_files_with_a_text_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("nul.py"), b"import zoho\x00\x00\x00\x01").unwrap();
    std::fs::write(d.join("nul.json"), b"{\"zoho\": \"\x00\"}").unwrap();
    std::fs::write(d.join(".env.local"), b"ZOHO_API_DOMAIN=https://www.zohoapis.com\x00\n").unwrap();
    // Binary without a trigger, or not named like code: counted, no note.
    std::fs::write(d.join("quiet.py"), b"\x00\x01\x02").unwrap();
    std::fs::write(d.join("image.png"), b"\x89PNG\x00zoho").unwrap();
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    for p in ["nul.py", "nul.json", ".env.local"] {
        assert!(has_note(&doc, p, "contains NUL bytes"), "{p}: {:?}", notes(&doc));
    }
    assert_eq!(notes(&doc).len(), 3, "{:?}", notes(&doc));
    assert_eq!(doc["summary"]["skipped"]["binary"], 5);
    assert_positive_exact(&doc);
}

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut b = vec![0xff, 0xfe];
    b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    b
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded() {
    // PowerShell 5 `>` writes UTF-16LE: the .env pair still shares its token.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(
        d.join(".env.production"),
        utf16le_with_bom("ZOHO_API_DOMAIN=https://www.zohoapis.com\r\nZOHO_REFRESH_TOKEN=${SHARED}\r\n"),
    )
    .unwrap();
    std::fs::write(
        d.join(".env.sandbox"),
        utf16le_with_bom("ZOHO_API_DOMAIN=https://sandbox.zohoapis.com\r\nZOHO_REFRESH_TOKEN=${SHARED}\r\n"),
    )
    .unwrap();
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [
            "OT001 good/app.py:16",
            "OT003 .env.production:2",
            "OT003 .env.sandbox:2"
        ]
    );
    assert!(notes(&doc).is_empty(), "{:?}", notes(&doc));
}

#[test]
fn invalid_utf8_is_a_note_and_latin1_properties_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("latin1.py"), b"import zoho\n# caf\xe9\nx = 1\n").unwrap();
    std::fs::write(d.join("app.yml"), b"zoho:\n  name: \xff\xfe\n").unwrap();
    // java.util.Properties files are ISO-8859-1: the Spring profiles fixture
    // with a Latin-1 comment gives the fixture's findings.
    let res = d.join("src/main/resources");
    std::fs::create_dir_all(&res).unwrap();
    for e in std::fs::read_dir(fixture("cfg-spring-profiles/src/main/resources")).unwrap() {
        let p = e.unwrap().path();
        let mut bytes = std::fs::read(&p).unwrap();
        bytes.extend_from_slice(b"# r\xe9sum\xe9 \xa9 ACME\n");
        std::fs::write(res.join(p.file_name().unwrap()), bytes).unwrap();
    }
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert!(
        has_note(&doc, "latin1.py", "not valid UTF-8 (first bad byte on line 2"),
        "{:?}",
        notes(&doc)
    );
    assert!(has_note(&doc, "app.yml", "not valid UTF-8"), "{:?}", notes(&doc));
    assert_eq!(notes(&doc).len(), 2, "{:?}", notes(&doc));
    assert_eq!(
        findings(&doc),
        [
            "OT001 good/app.py:16",
            "OT003 src/main/resources/application-sandbox.properties:1",
        ]
    );
}

/// A single-line minified bundle of `bytes` that mentions Zoho at its end.
fn minified_js(bytes: usize) -> Vec<u8> {
    let chunk = b"var a=function(b){return b.map(function(c){return c+1})};";
    let mut v = Vec::with_capacity(bytes + 64);
    while v.len() < bytes {
        v.extend_from_slice(chunk);
    }
    v.extend_from_slice(b"var u=\"https://www.zohoapis.com/crm/v2\";");
    v
}

#[test]
fn a_50_mb_minified_file_is_skipped_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("bundle.min.js"), minified_js(50 << 20)).unwrap();
    // Over the limit without a trigger: counted only.
    std::fs::write(d.join("other.min.js"), vec![b'x'; 6 << 20]).unwrap();
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["skipped"]["too_large"], 2);
    assert_eq!(
        notes(&doc),
        ["bundle.min.js: mentions Zoho but is larger than --max-file-size (50.0 MiB > 5.0 MiB); skipped: raise the limit to analyse it"]
    );
    assert_positive_exact(&doc);
    // The human summary counts it too.
    let out = run_guarded(d, &["scan", "."], GUARD);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("note: bundle.min.js: mentions Zoho"), "{s}");
    assert!(s.contains("skipped 2 over the size limit"), "{s}");
}

#[test]
fn a_large_minified_file_under_a_raised_limit_finishes() {
    // 50 MB in release builds; unoptimised builds parse about 10× slower, so
    // they check the same shape at 2 MB (`ORGTOKEN_FULL_SIZE=1` forces 50 MB).
    let full = !cfg!(debug_assertions) || std::env::var_os("ORGTOKEN_FULL_SIZE").is_some();
    let size = if full { 50 << 20 } else { 2 << 20 };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("bundle.min.js"), minified_js(size)).unwrap();
    let guard = if full { Duration::from_secs(600) } else { GUARD };
    let out = run_guarded(d, &["scan", "--format", "json", "--max-file-size", "100M", "."], guard);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_positive_exact(&doc);
    // Either analysed, or abandoned with a note naming it.
    let analysed = doc["summary"]["files_analysed"] == 2;
    assert!(analysed || has_note(&doc, "bundle.min.js", ""), "{:?}", notes(&doc));
}

#[test]
fn ten_thousand_deep_code_and_config() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let n = 10_000;
    let open = |s: &str| s.repeat(n);
    let files = [
        ("deep_parens.py", format!("x = {}'zoho'{}\n", open("("), open(")"))),
        (
            "deep_lists.py",
            format!("import zoho\ny = {}{}\n", open("["), open("]")),
        ),
        // One level per line: a single 30 KB line would be taken as minified.
        ("deep_dicts.py", format!("z = {}'zoho'{}\n", open("{'a':\n"), open("}"))),
        ("deep_calls.py", format!("f = {}'zoho'{}\n", open("g("), open(")"))),
        ("deep_binop.py", format!("s = ('zoho'{})\n", open(" +\n'a'"))),
        ("deep.js", format!("var x = {}'zoho'{};\n", open("("), open(")"))),
        (
            "deep_objects.js",
            format!("var z = {}'zoho'{};\n", open("{a:\n"), open("}")),
        ),
        (
            "deep_calls.ts",
            format!("const f = {}'zoho'{};\n", open("g("), open(")")),
        ),
        (
            "deep_objects.json",
            format!("{{\"zoho\": {}1{}}}\n", open("{\"a\": "), open("}")),
        ),
        ("deep_flow.yaml", format!("zoho: {}1{}\n", open("{a: "), open("}"))),
        // Block indentation grows quadratically: 1,000 levels is 1 MB.
        (
            "deep_block.yaml",
            format!(
                "zoho:\n{}",
                (1..=1000)
                    .map(|i| format!("{}k:\n", "  ".repeat(i)))
                    .collect::<String>()
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(d.join(name), text).unwrap();
    }
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_positive_exact(&doc);
    assert_eq!(findings(&doc).len(), POSITIVE.len(), "{:?}", findings(&doc));
    for (name, _) in &files {
        if *name == "deep_block.yaml" {
            continue; // within the parser's and lowering's limits: no note due
        }
        assert!(
            has_note(&doc, name, "nesting too deep") || has_note(&doc, name, "syntax error"),
            "{name}: {:?}",
            notes(&doc)
        );
    }
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_are_not_followed() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    symlink("b", d.join("a")).unwrap();
    symlink("a", d.join("b")).unwrap();
    symlink("..", d.join("good/up")).unwrap();
    symlink("missing.py", d.join("dangling.py")).unwrap();
    symlink("good/app.py", d.join("alias.py")).unwrap();
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    // Links are not followed (as git and ripgrep): no duplicate, no note.
    assert_eq!(findings(&doc), POSITIVE);
    assert!(notes(&doc).is_empty(), "{:?}", notes(&doc));
    // A root the user names is followed; a looping or dangling one exits 2.
    let out = run_guarded(d, &["scan", "--format", "concise", "alias.py"], GUARD);
    assert_eq!(out.status.code(), Some(1));
    for (root, why) in [
        ("a", "too many levels of symbolic links"),
        ("dangling.py", "no such file"),
    ] {
        let out = run_guarded(d, &["scan", root], GUARD);
        assert_eq!(out.status.code(), Some(2), "{root}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("cannot read path `{root}`: {why}")), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let made = Command::new("mkfifo").arg(d.join("pipe.py")).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: FIFO case skipped");
        return;
    }
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(notes(&doc), ["pipe.py: not a regular file (FIFO); skipped"]);
    assert_positive_exact(&doc);
    // Named as a root, too.
    let out = run_guarded(d, &["scan", "--format", "concise", "pipe.py"], GUARD);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("note: pipe.py: not a regular file (FIFO); skipped"));
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_cost_a_note() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("secret.py"), "import zoho\n").unwrap();
    std::fs::create_dir(d.join("locked")).unwrap();
    std::fs::write(d.join("locked/inner.py"), "import zoho\n").unwrap();
    std::fs::set_permissions(d.join("secret.py"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let denied = std::fs::read(d.join("secret.py")).is_err();
    let (doc, code) = scan_json(d, &[]);
    // Restore so the temporary directory can be removed.
    std::fs::set_permissions(d.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 1);
    assert_positive_exact(&doc);
    if !denied {
        eprintln!("running as root (chmod 000 does not deny reads): permission notes not checked");
        return;
    }
    assert!(
        has_note(&doc, "secret.py", "cannot read: permission denied; skipped"),
        "{:?}",
        notes(&doc)
    );
    assert!(has_note(&doc, "locked", "ermission denied"), "{:?}", notes(&doc));
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_are_reported_in_every_format() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    // Two names that differ only in their invalid byte are two files.
    std::fs::write(d.join(OsStr::from_bytes(b"bad\xff.py")), positive_with_own_token("FF")).unwrap();
    std::fs::write(d.join(OsStr::from_bytes(b"bad\xfe.py")), positive_with_own_token("FE")).unwrap();
    let (doc, exit) = scan_json(d, &[]);
    assert_eq!(exit, 1);
    // Shown as the bytes say (issue 16 item 7): two names, two paths.
    let shown = "bad\\xff.py";
    assert_eq!(
        findings(&doc),
        ["OT001 bad\\xfe.py:16", "OT001 bad\\xff.py:16", "OT001 good/app.py:16",]
    );
    let out = run_guarded(d, &["scan", "--format", "sarif", "."], GUARD);
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF stays valid JSON");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
    for format in ["human", "concise", "github", "junit"] {
        let out = run_guarded(d, &["scan", "--format", format, "."], GUARD);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let s = String::from_utf8(out.stdout).expect("valid UTF-8 output");
        assert!(s.contains(shown), "{format}: {s}");
    }
    let out = run_guarded(d, &["inventory", "--format", "json", "."], GUARD);
    let inv: Value = serde_json::from_slice(&out.stdout).expect("inventory JSON stays valid");
    let paths: Vec<&str> = inv["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["bindings"].as_array().unwrap())
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&shown), "{paths:?}");
}

#[test]
fn files_removed_during_the_scan_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let doomed = d.join("doomed");
    // Files and whole directories vanish: reads and the walk itself fail.
    let (dirs, per_dir) = (30, 100);
    for k in 0..dirs {
        let sub = doomed.join(format!("d{k}"));
        std::fs::create_dir_all(&sub).unwrap();
        for i in 0..per_dir {
            std::fs::write(
                sub.join(format!("f{i}.py")),
                format!("import zoho\nURL_{i} = 'https://www.zohoapis.com/crm/v8/Leads'\n"),
            )
            .unwrap();
        }
    }
    let args = ["scan", "--format", "json", "-j", "2", "."];
    let child = spawn(d, &args);
    // Delete while the scan runs, in reverse walk order to meet the readers.
    for k in (0..dirs).rev() {
        let sub = doomed.join(format!("d{k}"));
        if k % 2 == 0 {
            std::fs::remove_dir_all(&sub).ok();
        } else {
            for i in (0..per_dir).rev() {
                std::fs::remove_file(sub.join(format!("f{i}.py"))).ok();
            }
        }
    }
    // The report can outgrow a pipe's buffer: the output is drained while
    // the scan runs.
    let out = finish_guarded(child, &args, GUARD);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_positive_exact(&doc);
    for n in notes(&doc) {
        assert!(
            n.starts_with("doomed/") && n.contains("removed during the scan?"),
            "unexpected note: {n}"
        );
    }
}

/// CRLF + BOM twins of LF fixtures: the same findings at the same lines and
/// columns, the same fingerprints, and no stray `\r` in any snippet.
#[test]
fn crlf_and_bom_files_report_like_their_lf_twins() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        "py-shared-env-token",
        "js-fetch-two-envs",
        "cfg-dotenv-shared-literal",
        "cfg-yaml-anchor-merge",
        "cfg-postman-environments",
        "cfg-toml-sections",
        "cfg-ini-sections",
        "cfg-github-shared-secret",
        "java-http-two-envs",
        "go-two-envs",
        "cs-httpclient-two-envs",
        "php-guzzle-shared-token",
        "rb-net-http-shared-token",
        "rs-reqwest-two-envs",
        "sh-curl-two-envs",
    ];
    for case in cases {
        let lf = fixture(case);
        let twin = tmp.path().join(case);
        let mut stack = vec![lf.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                let to = twin.join(p.strip_prefix(&lf).unwrap());
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                let text = std::fs::read_to_string(&p).unwrap();
                let mut f = std::fs::File::create(&to).unwrap();
                if p.file_name().unwrap() != "EXPECTED" {
                    f.write_all("\u{feff}".as_bytes()).unwrap();
                }
                f.write_all(text.replace('\n', "\r\n").as_bytes()).unwrap();
            }
        }
        for format in ["json", "sarif", "concise"] {
            let a = run_guarded(&lf, &["scan", "--format", format, "."], GUARD);
            let b = run_guarded(&twin, &["scan", "--format", format, "."], GUARD);
            assert!(!a.stdout.is_empty());
            assert_eq!(
                String::from_utf8_lossy(&a.stdout),
                String::from_utf8_lossy(&b.stdout),
                "{case} --format {format}"
            );
        }
        let human = run_guarded(&twin, &["scan", "--format", "human", "."], GUARD);
        let s = String::from_utf8(human.stdout).unwrap();
        assert!(s.contains("OT0"), "{case}: {s}");
        assert!(!s.contains('\r'), "{case}: a stray carriage return in a snippet");
        assert!(!s.contains('\u{feff}'), "{case}: a byte-order mark in a snippet");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn control_characters_in_file_names_cannot_inject_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(
        d.join("nl\n::error file=evil.py::injected.py"),
        positive_with_own_token("NL"),
    )
    .unwrap();
    std::fs::write(d.join("esc\u{1b}[31mred.py"), positive_with_own_token("ESC")).unwrap();
    std::fs::write(d.join("bin\n::warning file=x::pwned.py"), b"import zoho\x00").unwrap();
    for format in ["github", "concise", "human", "junit", "sarif", "json"] {
        let out = run_guarded(d, &["scan", "--format", format, "."], GUARD);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(!s.contains('\u{1b}'), "{format}: a raw escape sequence");
        for line in s.lines() {
            assert!(
                !line.starts_with("::error file=evil") && !line.starts_with("::warning file=x"),
                "{format}: injected line {line:?}"
            );
        }
    }
    let (doc, _) = scan_json(d, &[]);
    assert!(findings(&doc).contains(&"OT001 nl\\n::error file=evil.py::injected.py:16".to_string()));
    assert!(has_note(&doc, "bin\\n::warning file=x::pwned.py", "contains NUL bytes"));
}

// ---------------------------------------------------------------------------
// Issue 16: unbreakable on hostile input.
// ---------------------------------------------------------------------------

/// A real-looking token literal (not a documented sample, not low entropy).
const TOKEN: &str = "1000.5f3c9a7e21b84d06a9e4c3b2f1d0e8a7.9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e";

/// Runs orgtoken in `dir` with `args`: exit code (never a panic's 101),
/// stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run_guarded(dir, args, GUARD);
    let code = out.status.code().expect("exited, not killed by a signal");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(code, 101, "orgtoken {args:?} panicked: {stderr}");
    (code, String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

#[test]
fn a_label_past_column_65536_is_drawn_and_every_output_is_written() {
    // Item 1: a token in a minified bundle, 70,000 columns into its line.
    let tmp = tempfile::tempdir().unwrap();
    let d = &tmp.path().join("repo");
    plant_positive(d);
    let pad = "y".repeat(70_000);
    std::fs::write(
        d.join("bundle.js"),
        format!("var x='{pad}';var zoho_token='{TOKEN}';fetch('https://www.zohoapis.com/crm/v2')\n"),
    )
    .unwrap();
    let (code, human, err) = run(
        d,
        &[
            "scan",
            "--output",
            "sarif=../out.sarif",
            "--output",
            "json=../out.json",
            "--write-baseline",
            "../b.json",
            ".",
        ],
    );
    assert_eq!(code, 0, "--write-baseline exits 0: {err}");
    for f in ["out.sarif", "out.json", "b.json"] {
        assert!(tmp.path().join(f).is_file(), "{f} was not written: {err}");
    }
    let (code, human2, err) = run(d, &["scan", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(human, human2);
    // The frame names the real column, and cuts the line around the label:
    // the report stays small, the padding is not printed whole.
    assert!(human.contains("OT006 hardcoded-token · bundle.js:1:70026"), "{human}");
    assert!(human.contains("╭─[bundle.js:1:70026]"), "{human}");
    assert!(human.contains("…yyyy"), "{human}");
    assert!(human.len() < 20_000, "{} bytes of human output", human.len());
    assert!(!human.contains(&TOKEN[5..]), "token printed");
    for format in ["concise", "github", "junit", "sarif", "json"] {
        let (code, _, err) = run(d, &["scan", "--format", format, "."]);
        assert_eq!(code, 1, "{format}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn one_failing_output_costs_only_that_output() {
    // Item 7: the first output cannot be written; the others still are.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let (code, _, err) = run(
        d,
        &[
            "scan",
            "--output",
            // Checked before the scan (its directory exists), full when written.
            "json=/dev/full",
            "--output",
            "sarif=out.sarif",
            "--output",
            "out.txt",
            "--write-baseline",
            "b.json",
            ".",
        ],
    );
    assert_eq!(code, 2, "a lost output is an error: {err}");
    assert!(err.contains("error: cannot write `/dev/full`"), "{err}");
    for f in ["out.sarif", "out.txt", "b.json"] {
        assert!(d.join(f).is_file(), "{f} was not written: {err}");
    }
    let sarif: Value = serde_json::from_slice(&std::fs::read(d.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), POSITIVE.len());
}

#[test]
fn an_unknown_output_format_is_rejected_before_the_scan() {
    // Item 7: `--output bogus=x` wrote a file named `bogus=x`.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let (code, out, err) = run(d, &["scan", "--output", "bogus=x", "--output", "json=out.json", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format `bogus`"), "{err}");
    assert!(!err.contains("orgtoken: "), "no summary: nothing was scanned: {err}");
    assert!(out.is_empty());
    assert!(!d.join("bogus=x").exists() && !d.join("out.json").exists());
    // A file name with `=` is still possible.
    let (code, _, err) = run(d, &["scan", "--output", "./odd=name.txt", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(d.join("odd=name.txt").is_file());
}

/// Characters that must never reach a terminal or a CI log raw.
const HOSTILE: [char; 5] = ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{8}'];

#[cfg(target_os = "linux")]
#[test]
fn control_and_bidi_characters_are_shown_escaped_in_every_line() {
    // Item 4: ESC, BEL, backspace and bidi overrides from file names, env
    // var names (messages), suppression comments (notes) and source lines
    // (code frames); a newline in a message past GitHub's annotation cap.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let app = std::fs::read_to_string(fixture("py-shared-env-token/app.py")).unwrap();
    // 12 copies, each with a token of its own: 12 errors, past the cap of
    // 10 annotations per level.
    for i in 0..12 {
        let evil = app.replace(
            "ZOHO_ACCESS_TOKEN",
            &format!("ZOHO_\u{202e}\u{1b}[2J\u{7}\u{8}TOKEN\\n::error file=x.py::pwned\\n\u{2066}{i}"),
        );
        std::fs::write(d.join(format!("evil{i}.py")), &evil).unwrap();
    }
    std::fs::write(d.join("rtl\u{202e}yp.py"), positive_with_own_token("RTL")).unwrap();
    std::fs::write(
        d.join("note.py"),
        "import zoho\n# orgtoken: ignore[OT0\u{1b}[31m\u{202e}9] x\nx = '\u{1b}]0;title\u{7}'\n",
    )
    .unwrap();
    for format in ["human", "concise", "github", "junit"] {
        let (code, out, err) = run(d, &["scan", "--format", format, "."]);
        assert_eq!(code, 1, "{format}: {err}");
        for c in HOSTILE {
            assert!(!out.contains(c), "{format}: raw {:?} in\n{out}", c);
            assert!(!err.contains(c), "{format}: raw {:?} on stderr", c);
        }
        for line in out.lines() {
            let ours = ["::error file=", "::warning file=", "::notice title=orgtoken::"];
            assert!(
                !line.trim_start().starts_with("::") || ours.iter().any(|o| line.starts_with(o)),
                "{format}: injected command {line:?}"
            );
        }
        if format == "github" {
            assert!(
                out.contains("%E2%80%AE%1B[2J%07%08TOKEN%0A::error file=x.py::pwned"),
                "{out}"
            );
            assert!(out.contains("error: evil"), "the lines past the cap: {out}");
        } else {
            assert!(
                out.contains("\\u{202e}\\u{1b}[2J\\u{7}\\u{8}TOKEN\\n::error"),
                "{format}: {out}"
            );
            assert!(out.contains("rtl\\u{202e}yp.py"), "{format}: {out}");
        }
        if format == "human" || format == "concise" {
            assert!(out.contains("OT0\\u{1b}[31M\\u{202e}9"), "{format}: the note: {out}");
        }
    }
    for format in ["human", "markdown"] {
        let (_, out, _) = run(d, &["inventory", "--format", format, "."]);
        for c in HOSTILE {
            assert!(!out.contains(c), "inventory {format}: raw {:?} in\n{out}", c);
        }
        assert!(out.contains("\\u{202e}"), "inventory {format}: {out}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn file_names_are_shown_as_their_bytes_say() {
    // Item 7: a backslash is no separator on Linux, and bytes that are not
    // UTF-8 are shown as such: different names never look alike.
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("a")).unwrap();
    // Each with a token of its own: a root cause, so a result, each.
    std::fs::write(d.join("a/b.py"), positive_with_own_token("A")).unwrap();
    std::fs::write(d.join("a\\b.py"), positive_with_own_token("B")).unwrap();
    std::fs::write(d.join(OsStr::from_bytes(b"n\xff.py")), positive_with_own_token("FF")).unwrap();
    std::fs::write(d.join(OsStr::from_bytes(b"n\xfe.py")), positive_with_own_token("FE")).unwrap();
    std::fs::write(d.join("::warning::x.py"), positive_with_own_token("W")).unwrap();
    let (doc, _) = scan_json(d, &[]);
    let paths: std::collections::BTreeSet<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let want: std::collections::BTreeSet<String> =
        ["./::warning::x.py", "a/b.py", "a\\\\b.py", "n\\xfe.py", "n\\xff.py"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    assert_eq!(paths, want);
    let (_, concise, _) = run(d, &["scan", "--format", "concise", "."]);
    assert!(concise.lines().all(|l| !l.starts_with("::")), "{concise}");
}

/// Runs `scan` in `dir` expecting a refusal: exit 2, quickly, with a short
/// message that quotes nothing it should not.
fn refused(dir: &Path, args: &[&str], why: &str) -> String {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    all.push(".");
    let out = run_guarded(dir, &all, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(why), "{args:?}: {err}");
    assert!(err.len() < 600, "{args:?}: {} bytes of error", err.len());
    for leak in ["root:", "PATH=", &TOKEN[5..21]] {
        assert!(!err.contains(leak), "{args:?} quotes `{leak}`: {err}");
    }
    err
}

#[cfg(target_os = "linux")]
#[test]
fn config_and_baseline_files_are_never_followed_out_or_read_unbounded() {
    // Item 3: the repository under audit controls `.orgtoken.toml` and
    // usually the baseline file too.
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let cfg = d.join(".orgtoken.toml");
    let reset = || {
        std::fs::remove_file(&cfg).ok();
        std::fs::remove_file(d.join("base.json")).ok();
    };
    for (target, why) in [
        ("/etc/passwd", "outside the repository"),
        ("/proc/self/environ", "outside the repository"),
    ] {
        reset();
        symlink(target, &cfg).unwrap();
        refused(d, &[], why);
        symlink(target, d.join("base.json")).unwrap();
        refused(d, &["--isolated", "--baseline", "base.json"], why);
    }
    // A link inside the repository is fine.
    reset();
    std::fs::create_dir_all(d.join("conf")).unwrap();
    std::fs::write(d.join("conf/orgtoken.toml"), "fail-on = \"never\"\n").unwrap();
    symlink("conf/orgtoken.toml", &cfg).unwrap();
    assert_eq!(
        run(d, &["scan", "--format", "concise", "."]).0,
        0,
        "fail-on = never read through the link"
    );
    // Special files: never opened, never read forever.
    reset();
    refused(d, &["--isolated", "--baseline", "/dev/zero"], "system file");
    if Command::new("mkfifo").arg(&cfg).status().is_ok_and(|s| s.success()) {
        refused(d, &[], "not a regular file (FIFO)");
        reset();
        Command::new("mkfifo").arg(d.join("base.json")).status().unwrap();
        refused(
            d,
            &["--isolated", "--baseline", "base.json"],
            "not a regular file (FIFO)",
        );
    }
    // Sizes: a sparse 1 GB file and a 10 MB line are refused unread.
    reset();
    std::fs::File::create(&cfg).unwrap().set_len(1 << 30).unwrap();
    refused(d, &[], "larger than 4 MiB");
    std::fs::write(&cfg, format!("include = [\"{}\"]\n", "x".repeat(10 << 20))).unwrap();
    refused(d, &[], "larger than 4 MiB");
    // Under the limit, an error quotes one short masked line.
    let line = format!("include = \"{TOKEN}{}\n", "a".repeat(3 << 20));
    std::fs::write(&cfg, line).unwrap();
    let err = refused(d, &[], ".orgtoken.toml:1:");
    assert!(err.contains("1000.*****"), "{err}");
    reset();
    std::fs::write(
        d.join("base.json"),
        format!("{{\"version\": \"{TOKEN}\", \"tool\": \"orgtoken\", \"entries\": []}}"),
    )
    .unwrap();
    refused(d, &["--isolated", "--baseline", "base.json"], "invalid type");
}

#[test]
fn wrong_or_silent_outcomes_are_told() {
    // Item 7.
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    // Rule names stand for ids, in any case; one rule set twice is an error.
    std::fs::write(d.join(".orgtoken.toml"), "[rules]\nCross-Environment-Token = \"off\"\n").unwrap();
    let (code, out, err) = run(d, &["scan", "--format", "concise", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 turned off in .orgtoken.toml"), "{out}");
    std::fs::write(
        d.join(".orgtoken.toml"),
        "[rules]\nOT001 = \"off\"\not001 = \"error\"\n",
    )
    .unwrap();
    let (code, _, err) = run(d, &["scan", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("rules: `OT001` is set twice (as `ot001` too)"), "{err}");
    std::fs::write(d.join(".orgtoken.toml"), "[rules]\not009 = \"off\"\n").unwrap();
    let (code, _, err) = run(d, &["scan", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `ot009`"), "{err}");
    std::fs::remove_file(d.join(".orgtoken.toml")).unwrap();

    // A suppression marker inside a string literal is no comment.
    let strung = positive_with_own_token("STR").replace(
        "return requests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", headers=HEADERS)",
        "return requests.get(\"https://sandbox.zohoapis.com/crm/v8/Leads\", headers=HEADERS, params={\"q\": \"# orgtoken: ignore\"})",
    );
    std::fs::create_dir_all(d.join("strung")).unwrap();
    std::fs::write(d.join("strung/app.py"), strung).unwrap();
    let (doc, _) = scan_json(d, &[]);
    let strung: Vec<String> = findings(&doc).into_iter().filter(|f| f.contains("strung/")).collect();
    assert_eq!(strung, ["OT001 strung/app.py:16"]);
    assert_eq!(doc["summary"]["suppressed_inline"], 0);

    // Evaluation depth cut: a note, in the scan and in the inventory.
    let mut chain = vec![
        "import os, requests".to_string(),
        "TOKEN = os.environ['ZOHO_ACCESS_TOKEN']".to_string(),
        "a0 = 'https://www.zohoapis.com/crm/v8/Leads'".to_string(),
    ];
    // Twice as many steps as the limit allows: the request is cut.
    let steps = 2 * orgtoken::link::EVAL_DEPTH_LIMIT;
    chain.extend((1..steps).map(|i| format!("a{i} = a{}", i - 1)));
    chain.push(format!(
        "requests.get(a{}, headers={{'Authorization': 'Zoho-oauthtoken ' + TOKEN}})",
        steps - 1
    ));
    std::fs::write(d.join("chain.py"), chain.join("\n") + "\n").unwrap();
    let (doc, _) = scan_json(d, &[]);
    let deep = format!(
        "values at line {} nest deeper than {} evaluation levels",
        chain.len(),
        orgtoken::link::EVAL_DEPTH_LIMIT
    );
    let deep = deep.as_str();
    assert!(has_note(&doc, "chain.py", deep), "{:?}", notes(&doc));
    let (_, inv, _) = run(d, &["inventory", "."]);
    assert!(inv.contains(&format!("note: chain.py: {deep}")), "{inv}");
    let (_, inv, _) = run(d, &["inventory", "--format", "json", "."]);
    let inv: Value = serde_json::from_str(&inv).unwrap();
    assert!(notes(&inv).iter().any(|n| n.contains(deep)), "{inv}");
    let (_, inv, _) = run(d, &["inventory", "--format", "markdown", "."]);
    assert!(inv.contains("### Notes") && inv.contains(deep), "{inv}");

    // A host built through more nested helpers than are followed: the
    // request gets the same note (the helpers below the limit are fine:
    // fixture `host-through-five-helpers`).
    let helpers = orgtoken::link::HELPER_DEPTH_LIMIT + 2;
    let mut nested = vec![
        "import os, requests".to_string(),
        "TOKEN = os.environ['ZOHO_ACCESS_TOKEN']".to_string(),
        "def h0(sandbox):".to_string(),
        "    return 'https://sandbox.zohoapis.com' if sandbox else 'https://www.zohoapis.com'".to_string(),
    ];
    for i in 1..helpers {
        nested.push(format!("def h{i}(sandbox):"));
        nested.push(format!("    return h{}(sandbox)", i - 1));
    }
    nested.push(format!(
        "requests.get(h{}(os.environ.get('SANDBOX')) + '/crm/v8/Leads', headers={{'Authorization': 'Zoho-oauthtoken ' + TOKEN}})",
        helpers - 1
    ));
    std::fs::write(d.join("helpers.py"), nested.join("\n") + "\n").unwrap();
    let (doc, _) = scan_json(d, &[]);
    let cut = format!(
        "values at line {} nest deeper than {} evaluation levels or {} nested helper calls",
        nested.len(),
        orgtoken::link::EVAL_DEPTH_LIMIT,
        orgtoken::link::HELPER_DEPTH_LIMIT
    );
    assert!(has_note(&doc, "helpers.py", &cut), "{:?}", notes(&doc));
    assert!(
        !findings(&doc).iter().any(|f| f.contains("helpers.py")),
        "{:?}",
        findings(&doc)
    );

    // …but a long chain that meets no token and no endpoint cannot hide a
    // finding: no note (real repositories got one per ordinary script).
    let mut quiet = vec![
        "import os, requests".to_string(),
        "TOKEN = os.environ['ZOHO_ACCESS_TOKEN']".to_string(),
        "requests.get('https://www.zohoapis.com/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + TOKEN})"
            .to_string(),
        "b0 = 'report.csv'".to_string(),
    ];
    quiet.extend((1..steps).map(|i| format!("b{i} = b{}", i - 1)));
    quiet.push(format!("print(b{})", steps - 1));
    std::fs::write(d.join("quiet_chain.py"), quiet.join("\n") + "\n").unwrap();
    let (doc, _) = scan_json(d, &[]);
    assert!(has_note(&doc, "chain.py", deep), "{:?}", notes(&doc));
    assert!(
        !notes(&doc).iter().any(|n| n.contains("quiet_chain.py")),
        "{:?}",
        notes(&doc)
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_root_exits_2() {
    // Item 7: it exited 0 with a note, as if the tree were clean.
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::set_permissions(d.join("good"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let denied = std::fs::read_dir(d.join("good")).is_err();
    let out = run_guarded(d, &["scan", "good"], GUARD);
    let file = run_guarded(d, &["scan", "good/app.py"], GUARD);
    std::fs::set_permissions(d.join("good"), std::fs::Permissions::from_mode(0o755)).unwrap();
    if !denied {
        eprintln!("running as root (chmod 000 does not deny reads): unreadable root not checked");
        return;
    }
    for o in [out, file] {
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read path `good"));
    }
}

/// A token-shaped value of its own for each shape: `1000.<32 hex>.<32 hex>`
/// from a seed (distinct digits, so never a low-entropy sample).
fn token(seed: u64) -> (String, String, String) {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut hex = |n: usize| -> String {
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from_digit(((x >> 33) % 16) as u32, 16).unwrap()
            })
            .collect()
    };
    let (a, b) = (hex(32), hex(32));
    (format!("1000.{a}.{b}"), a, b)
}

/// One hostile shape: a file (name, text) and the secrets it holds, which
/// no output may contain (compared case-insensitively).
struct Shape {
    what: &'static str,
    name: String,
    text: String,
    secrets: Vec<String>,
}

/// A file whose shape line sits right after an OT006 finding, so code
/// frames show it (the finding's context line).
fn framed(what: &'static str, name: &str, lead: &str, line: &str, secrets: Vec<String>) -> Shape {
    // The token line in the file's own syntax, so the file still parses.
    let tok = match name.rsplit('.').next() {
        Some("json") => format!("\"x\": \"{TOKEN}\","),
        Some("yml") => format!("x: {TOKEN}"),
        Some("xml") => format!("<x>{TOKEN}</x>"),
        _ => format!("x = '{TOKEN}'"),
    };
    Shape {
        what,
        name: name.to_string(),
        text: format!("{lead}\n{tok}\n{line}\n"),
        secrets,
    }
}

fn shapes() -> Vec<Shape> {
    let mut v = Vec::new();
    let t = |i: u64| token(i);
    let (k, a, b) = t(1);
    v.push(framed(
        "plain .env value",
        ".env.a",
        "# zoho",
        &format!("ZOHO_REFRESH_TOKEN={k}"),
        vec![a, b],
    ));
    let (k, a, b) = t(2);
    v.push(framed(
        "word characters before",
        "b.py",
        "# zoho",
        &format!("y = 'tok{k}'"),
        vec![a, b],
    ));
    let (k, a, b) = t(3);
    v.push(framed(
        "word characters after",
        "c.py",
        "# zoho",
        &format!("y = '{k}xyz'"),
        vec![a, b],
    ));
    let (k, a, b) = t(4);
    v.push(framed(
        "escaped newline before",
        "d.py",
        "# zoho",
        &format!("y = 'line\\n{k}'"),
        vec![a, b],
    ));
    let (k, a, b) = t(5);
    v.push(framed(
        "upper-case hex",
        "e.py",
        "# zoho",
        &format!("y = '{}'", k.to_uppercase()),
        vec![a, b],
    ));
    let (k, a, b) = t(6);
    v.push(framed(
        "URL-encoded quotes",
        "f.py",
        "# zoho",
        &format!("q = 'x=%22{k}%22'"),
        vec![a, b],
    ));
    let (_, a, b) = t(7);
    v.push(framed(
        "URL-encoded dots",
        "g.py",
        "# zoho",
        &format!("q = '1000%2E{a}%2E{b}'"),
        vec![a, b],
    ));
    let (_, a, b) = t(8);
    v.push(framed(
        "JSON-escaped dots",
        "h.json",
        "{\"zoho\": 1,",
        &format!("\"k\": \"1000\\u002e{a}\\u002e{b}\"}}"),
        vec![a, b],
    ));
    let (k, a, b) = t(9);
    v.push(framed(
        "underscore before",
        "i.py",
        "# zoho",
        &format!("y = '_{k}_'"),
        vec![a, b],
    ));
    let (k, a, b) = t(10);
    v.push(Shape {
        what: "file name",
        name: format!("tok{k}.py"),
        text: format!("# zoho\nx = '{TOKEN}'\n"),
        secrets: vec![a, b],
    });
    let (k, a, b) = t(11);
    v.push(Shape {
        what: "directory name",
        name: format!("{k}/app.py"),
        text: format!("# zoho\nx = '{TOKEN}'\n"),
        secrets: vec![a, b],
    });
    let (k, a, b) = t(12);
    v.push(Shape {
        what: "suppression justification",
        name: "j.py".into(),
        text: format!("# zoho\nx = '{TOKEN}'  # orgtoken: ignore[OT006] rotated, was tok{k}\n"),
        secrets: vec![a, b],
    });
    let (k, a, b) = t(13);
    v.push(framed(
        "unknown rule in a suppression (a note)",
        "k.py",
        "# zoho",
        &format!("# orgtoken: ignore[{k}]"),
        vec![a, b],
    ));
    let (k, a, b) = t(14);
    v.push(Shape {
        what: "env var named like a token (identity, inventory)",
        name: "l.py".into(),
        text: format!(
            "import os, requests\nT = os.environ['{k}']\nrequests.get('https://www.zohoapis.com/crm/v8/Leads', headers={{'Authorization': 'Zoho-oauthtoken ' + T}})\nrequests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers={{'Authorization': 'Zoho-oauthtoken ' + T}})\n"
        ),
        secrets: vec![a, b],
    });
    let (k, a, b) = t(15);
    v.push(framed(
        "dict key",
        "m.py",
        "# zoho",
        &format!("d = {{'{k}': 1}}"),
        vec![a, b],
    ));
    let (_, a, b) = t(16);
    v.push(framed(
        "split by +",
        "n.py",
        "# zoho",
        &format!("y = '1000.{}' + '{}.{b}'", &a[..16], &a[16..]),
        vec![a[..16].to_string(), a[16..].to_string(), b],
    ));
    let (_, a, b) = t(17);
    v.push(framed(
        "Python implicit concatenation",
        "o.py",
        "# zoho",
        &format!("y = ('1000.{a}' '.{b}')"),
        vec![a, b],
    ));
    let (k, a, b) = t(18);
    v.push(framed(
        "query parameter",
        "p.py",
        "# zoho",
        &format!("u = 'https://www.zohoapis.com/crm?authtoken={k}'"),
        vec![a, b],
    ));
    let (k, a, b) = t(19);
    v.push(framed(
        "YAML value",
        "q.yml",
        "zoho: 1",
        &format!("refresh_token: {k}"),
        vec![a, b],
    ));
    let (k, a, b) = t(20);
    v.push(framed(
        "comment",
        "r.py",
        "# zoho",
        &format!("# old token: {k}"),
        vec![a, b],
    ));
    let (k, a, b) = t(21);
    v.push(framed(
        "XML element",
        "s.xml",
        "<zoho>",
        &format!("<token>{k}</token></zoho>"),
        vec![a, b],
    ));
    let (k, a, b) = t(22);
    v.push(framed(
        "tab and CR around",
        "u.py",
        "# zoho",
        &format!("y = '\t{k}\r'"),
        vec![a, b],
    ));
    // Credentials that are not token-shaped, known by their name or role.
    let s = |i: u32| format!("Sx{i}q9Vw7ReT4yU2iO0p");
    v.push(framed(
        "first form parameter",
        "v.py",
        "# zoho",
        &format!("body = 'refresh_token={}&grant_type=refresh_token'", s(1)),
        vec![s(1)],
    ));
    v.push(framed(
        "setdefault",
        "w.py",
        "import os  # zoho",
        &format!("os.environ.setdefault('ZOHO_CLIENT_SECRET', '{}')", s(2)),
        vec![s(2)],
    ));
    v.push(framed(
        "tuple",
        "x.py",
        "# zoho",
        &format!("pairs = [('client_secret', '{}')]", s(3)),
        vec![s(3)],
    ));
    v.push(Shape {
        what: "Go url.Values",
        name: "y.go".into(),
        text: format!(
            "package main // zoho\nvar x = \"{TOKEN}\"\nvar form = url.Values{{\"client_secret\": {{\"{}\"}}}}\n",
            s(4)
        ),
        secrets: vec![s(4)],
    });
    v.push(framed(
        "URL userinfo",
        "z.py",
        "# zoho",
        &format!("u = 'https://crm-user:{}@www.zohoapis.com/crm/v8/Leads'", s(5)),
        vec![s(5)],
    ));
    v.push(Shape {
        what: "heredoc",
        name: "aa.sh".into(),
        text: format!("# zoho\nx='{TOKEN}'\ncat > creds <<EOF\nclient_secret={}\nEOF\n", s(6)),
        secrets: vec![s(6)],
    });
    v.push(framed(
        "client_secret in JSON",
        "ab.json",
        "{\"zoho\": 1,",
        &format!("\"client_secret\": \"{}\"}}", s(7)),
        vec![s(7)],
    ));
    v.push(framed(
        "client_secret in YAML",
        "ac.yml",
        "zoho: 1",
        &format!("client_secret: {}", s(8)),
        vec![s(8)],
    ));
    v.push(framed(
        "Authorization header value",
        "ad.py",
        "# zoho",
        &format!("h = {{'Authorization': 'Zoho-oauthtoken {}'}}", s(9)),
        vec![s(9)],
    ));
    v.push(framed(
        "password query parameter",
        "ae.py",
        "# zoho",
        &format!("u = 'https://x.example/?password={}'", s(10)),
        vec![s(10)],
    ));
    v
}

#[test]
fn no_token_shape_or_credential_appears_in_any_output() {
    // Item 2: a table of hostile shapes, each asserted absent from every
    // scan format (with --statistics), every inventory format, the baseline
    // file and stderr.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let d = &root.join("repo");
    plant_positive(d);
    let shapes = shapes();
    assert!(shapes.len() >= 30);
    for s in &shapes {
        let p = d.join(&s.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &s.text).unwrap();
    }
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["human", "concise", "github", "json", "sarif", "junit"] {
        let (code, out, err) = run(d, &["scan", "--statistics", "--format", format, "."]);
        assert_eq!(code, 1, "{format}: {err}");
        outputs.push((format!("scan --format {format}"), out + &err));
    }
    let (_, out, err) = run(d, &["scan", "--write-baseline", "../b.json", "."]);
    outputs.push((
        "baseline".into(),
        std::fs::read_to_string(root.join("b.json")).unwrap() + &out + &err,
    ));
    for format in ["human", "json", "markdown"] {
        let (_, out, err) = run(d, &["inventory", "--format", format, "."]);
        outputs.push((format!("inventory --format {format}"), out + &err));
    }
    let mut leaks = Vec::new();
    for s in &shapes {
        for secret in &s.secrets {
            for (which, out) in &outputs {
                if out.to_lowercase().contains(&secret.to_lowercase()) {
                    leaks.push(format!("{}: `{secret}` in {which}", s.what));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    // The shapes were really shown: the frames are there, masked.
    let human = &outputs[0].1;
    assert!(human.contains("tok1000.****"), "{human}");
}

/// An INI file of `n` sections alternating production and sandbox, each
/// with the same token setting.
fn ini_sections(n: usize, literal: bool) -> String {
    (0..n)
        .map(|i| {
            let host = if i % 2 == 0 { "www" } else { "sandbox" };
            let token = if literal { TOKEN } else { "${ZT}" };
            format!("[s{i}]\napi_domain=https://{host}.zohoapis.com\nrefresh_token={token}\n")
        })
        .collect()
}

#[test]
fn thousands_of_profiles_sharing_a_token_stay_linear() {
    // Item 5: OT003 over 6,000 sections took 12.8 s, 2.6 GB and wrote
    // 425 MB of JSON (each finding named every other section); 20,000 did
    // not finish. Human frames copied the whole file per finding, SARIF
    // looked each line up from the file's start: minutes.
    // The sizes in release builds; a third of them in test builds,
    // which run about ten times slower (`ORGTOKEN_FULL_SIZE=1` forces them).
    let full = !cfg!(debug_assertions) || std::env::var_os("ORGTOKEN_FULL_SIZE").is_some();
    let (a, b) = if full { (6_000, 20_000) } else { (2_000, 6_000) };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    std::fs::write(d.join("sites.ini"), ini_sections(a, true)).unwrap();
    std::fs::create_dir(d.join("more")).unwrap();
    std::fs::write(d.join("more/sites.ini"), ini_sections(b, false)).unwrap();
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 240 } else { 30 });
    let started = Instant::now();
    let out = run_guarded(d, &["scan", "--format", "json", "."], limit);
    let json_time = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = doc["findings"].as_array().unwrap();
    let ot003 = all.iter().filter(|f| f["rule"] == "OT003").count();
    assert_eq!(ot003, a + b, "one finding per section");
    // Each message names a few other sections and counts the rest.
    let longest = all.iter().map(|f| f["message"].as_str().unwrap().len()).max().unwrap();
    assert!(longest < 600, "a message of {longest} bytes");
    let sample = all.iter().find(|f| f["path"] == "more/sites.ini").unwrap()["message"]
        .as_str()
        .unwrap();
    assert!(
        sample.contains(&format!("and {} more use it for", b / 2 - 5)),
        "{sample}"
    );
    let per = out.stdout.len() / all.len();
    assert!(per < 4_000, "{per} bytes of JSON per finding");
    for format in ["human", "sarif"] {
        let started = Instant::now();
        let out = run_guarded(d, &["scan", "--format", format, "."], limit);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let per = out.stdout.len() / all.len();
        assert!(per < 6_000, "{format}: {per} bytes per finding");
        // Linear: no format costs much more than the JSON report.
        let t = started.elapsed();
        assert!(
            t < json_time * 8 + Duration::from_secs(5),
            "{format}: {t:?} against {json_time:?} for JSON"
        );
    }
}

#[test]
fn thousands_of_sdk_switches_without_a_token_stay_linear() {
    // Item 5: each SDK switch without a token looked at every SDK
    // initialisation in the repository (quadratic), and named them all.
    // Now one pass over the initialisations; each finding names at most ten.
    let n = if cfg!(debug_assertions) { 1_500 } else { 6_000 };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let mut rb = String::from("require \"ZOHOCRMSDK8_0\"\n");
    for i in 0..n {
        rb.push_str(&format!(
            "def init{i}\n  token = ZOHOCRMSDK::Authenticator::OAuthToken.new(client_id: ENV[\"ZOHO_CLIENT_ID\"], refresh_token: ENV[\"ZOHO_PROD_REFRESH_TOKEN\"])\n  ZOHOCRMSDK::Initializer.initialize(environment: ZOHOCRMSDK::DC::USDataCenter::PRODUCTION, token: token)\nend\ndef sw{i}\n  ZOHOCRMSDK::Initializer.switch_user(environment: ZOHOCRMSDK::DC::USDataCenter::SANDBOX)\nend\n"
        ));
    }
    std::fs::write(d.join("init.rb"), rb).unwrap();
    let out = run_guarded(d, &["scan", "--format", "json", "."], GUARD);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_positive_exact(&doc);
    let switches: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "init.rb")
        .collect();
    assert_eq!(switches.len(), n, "one finding per switch");
    for f in &switches {
        assert_eq!(f["rule"], "OT001");
        let line = f["line"].as_u64().unwrap();
        assert_eq!(line % 7, 0, "at a switch_user line: {line}");
        // The first initialisations, in order, and no more than ten.
        let related: Vec<u64> = f["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert_eq!(related, (0..10).map(|k| 4 + 7 * k).collect::<Vec<u64>>(), "{f}");
    }
}

#[test]
fn budgets_count_work_so_output_does_not_depend_on_the_machine() {
    // Item 6: near the time budget, findings changed with -j; the work
    // budget cuts the same file at the same place whatever the machine or
    // -j, and -j is capped at four threads per core (-j 1000 took 26 s).
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let mut big = String::from("import os\nimport zcrmsdk\n");
    for i in 0..3_000 {
        big.push_str(&format!(
            "def f{i}(a, b):\n    x = a + b * {i}\n    return {{'k': x, 'u': 'https://www.zohoapis.com/crm/v8/m{i}'}}\n"
        ));
    }
    for k in 0..4 {
        std::fs::write(d.join(format!("big{k}.py")), &big).unwrap();
    }
    let mut outputs = Vec::new();
    for j in ["1", "2", "64", "1000"] {
        let started = Instant::now();
        let (code, out, err) = run(d, &["scan", "--format", "json", "--work-budget", "20000", "-j", j, "."]);
        assert_eq!(code, 1, "-j {j}: {err}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "-j {j}: {:?}",
            started.elapsed()
        );
        outputs.push(out);
    }
    assert!(outputs.iter().all(|o| o == &outputs[0]), "the same bytes with every -j");
    let doc: Value = serde_json::from_str(&outputs[0]).unwrap();
    for k in 0..4 {
        assert!(
            has_note(&doc, &format!("big{k}.py"), "ran past the per-file work budget"),
            "{:?}",
            notes(&doc)
        );
    }
    assert_positive_exact(&doc);
}

#[test]
fn a_yaml_alias_bomb_of_bytes_costs_a_note() {
    // Item 5: a 1 MB string aliased 2,000 times grew the process to 2 GB,
    // silently (the expansion budget counted nodes, not bytes).
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    plant_positive(d);
    let mut bomb = format!("zoho:\n  big: &b \"{}\"\n  list:\n", "x".repeat(1 << 20));
    bomb.push_str(&"    - *b\n".repeat(2_000));
    std::fs::write(d.join("bomb.yml"), bomb).unwrap();
    let (doc, code) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert!(has_note(&doc, "bomb.yml", "(an alias bomb?)"), "{:?}", notes(&doc));
    assert_positive_exact(&doc);
}
