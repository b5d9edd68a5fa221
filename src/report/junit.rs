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

pub fn render(result: &ScanResult) -> String {
    // Findings are sorted by file, so suites come out grouped and ordered.
    let mut suites: Vec<(String, Vec<String>)> = Vec::new();
    for f in &result.findings {
        let path = &result.files[f.primary.file].path;
        let s = f.primary.span;
        let case = format!(
            "    <testcase name=\"{rule} {path} {fingerprint}\" classname=\"{path}\">\n      <failure type=\"{rule}\" message=\"{msg}\">{level}: {path}:{line}:{col}: {rule} {msg}\n{help}</failure>\n    </testcase>\n",
            rule = f.rule,
            path = xml(path),
            line = s.line,
            col = s.col,
            msg = xml(&f.message),
            level = if f.level == Level::Error { "error" } else { f.level.name() },
            help = xml(&f.help),
            fingerprint = xml(&f.fingerprint),
        );
        match suites.last_mut() {
            Some((p, cases)) if p == path => cases.push(case),
            _ => suites.push((path.clone(), vec![case])),
        }
    }
    let total = result.findings.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"orgtoken\" tests=\"{}\" failures=\"{total}\">\n",
        total.max(1)
    ));
    if suites.is_empty() {
        out.push_str("  <testsuite name=\"orgtoken\" tests=\"1\" failures=\"0\">\n    <testcase name=\"no findings\" classname=\"orgtoken\"/>\n  </testsuite>\n");
    }
    for (path, cases) in &suites {
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\">\n",
            xml(path),
            n = cases.len()
        ));
        for c in cases {
            out.push_str(c);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
