//! JUnit XML: one test suite per file with findings, one failing test case
//! per finding; a clean scan is one passing test case. A test case is
//! named by rule, file and the finding's line-independent fingerprint, so
//! lines inserted above a finding do not make it a new test (the place is
//! in the failure message).

use crate::catalog::Level;
use crate::scan::ScanResult;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Control characters are not allowed in XML 1.0; they and bidi
    // overrides are shown as escapes, as in the other human formats.
    for c in super::visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub fn write(result: &ScanResult, out: &mut super::Out) {
    let total = result.findings.len();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"orgtoken\" tests=\"{}\" failures=\"{total}\">\n",
        total.max(1)
    ));
    if result.findings.is_empty() {
        out.push_str("  <testsuite name=\"orgtoken\" tests=\"1\" failures=\"0\">\n    <testcase name=\"no findings\" classname=\"orgtoken\"/>\n  </testsuite>\n");
    }
    // Findings are sorted by file: one suite per run of the same file,
    // written as it is met.
    let path_of = |f: &crate::finding::Finding| &result.files[f.primary.file].path;
    let mut rest = &result.findings[..];
    while let Some(first) = rest.first() {
        let path = path_of(first);
        let n = rest.iter().take_while(|f| path_of(f) == path).count();
        let (suite, tail) = rest.split_at(n);
        rest = tail;
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\">\n",
            xml(path)
        ));
        for f in suite {
            let s = f.primary.pos;
            out.push_str(&format!(
                "    <testcase name=\"{rule} {path} {fingerprint}\" classname=\"{path}\">\n      <failure type=\"{rule}\" message=\"{msg}\">{level}: {path}:{line}:{col}: {rule} {msg}\n{help}</failure>\n    </testcase>\n",
                rule = f.rule,
                path = xml(path),
                line = s.line,
                col = s.col,
                msg = xml(&f.message),
                level = if f.level == Level::Error { "error" } else { f.level.name() },
                help = xml(&f.help),
                fingerprint = xml(&f.fingerprint),
            ));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
}
