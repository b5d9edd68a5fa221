//! GitHub Actions workflow commands: one `::error`/`::warning` annotation per
//! finding, shown on the pull request's diff.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step; the
//! rest are printed as plain log lines and counted in one `::notice`.

use super::RenderOptions;
use crate::catalog::{catalog, Level};
use crate::scan::ScanResult;

/// Per-step annotation cap of GitHub Actions, per level.
const CAP: usize = 10;

/// Escapes text for a GitHub Actions log line: the runner decodes `%25`,
/// `%0D` and `%0A` in a command's message; every other hostile character
/// (ESC, BEL, other controls, bidi overrides: `walk::is_hostile_char`) is
/// percent-encoded too, so it is shown as text (`%1B`, `%E2%80%AE`), never
/// acted on. Applied to every line this format prints: annotations, the
/// plain lines past the annotation cap, notes.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || crate::walk::is_hostile_char(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes a command's property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(result: &ScanResult, opts: &RenderOptions, out: &mut super::Out) {
    // The first CAP findings of each level become annotations; the rest
    // follow as plain log lines, written in a second pass.
    let (mut errors, mut warnings, mut notices) = (0usize, 0usize, 0usize);
    let mut annotated = vec![false; result.findings.len()];
    for (k, f) in result.findings.iter().enumerate() {
        let (command, n) = match f.level {
            Level::Error => ("error", &mut errors),
            Level::Warning => ("warning", &mut warnings),
            Level::Note => ("notice", &mut notices),
        };
        if *n >= CAP {
            continue;
        }
        *n += 1;
        annotated[k] = true;
        let path = &result.files[f.primary.file].path;
        let s = f.primary.pos;
        let name = catalog().rule(f.rule).map(|r| r.name.as_str()).unwrap_or("");
        // GitHub takes columns only for an annotation on one line.
        let cols = if s.line == s.end_line {
            format!(",col={},endColumn={}", s.col, s.end_col)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "::{command} file={},line={},endLine={}{cols},title={}::{}\n",
            escape_property(path),
            s.line,
            s.end_line,
            escape_property(&format!("{} {name}", f.rule)),
            escape_data(&format!("{}\n{} (orgtoken explain {})", f.message, f.help, f.rule)),
        ));
    }
    let mut rest = 0;
    for (f, _) in result.findings.iter().zip(&annotated).filter(|(_, a)| !**a) {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let path = &result.files[f.primary.file].path;
        let s = f.primary.pos;
        // A plain log line: it starts with the level, so a path cannot make
        // it a command.
        out.push_str(&escape_data(&format!(
            "{command}: {path}:{}:{}: {} {}",
            s.line, s.col, f.rule, f.message
        )));
        out.push('\n');
        rest += 1;
    }
    if rest > 0 {
        out.push_str(&format!(
            "::notice title=orgtoken::{}\n",
            escape_data(&format!(
                "{rest} more finding(s) not annotated (GitHub shows at most {CAP} errors and {CAP} warnings per step); they are listed in the log above"
            ))
        ));
    }
    out.push_str(&super::human_tail(result, opts, "note: ", escape_data));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_data("a\u{1b}[31m\u{7}\u{202e}b"), "a%1B[31m%07%E2%80%AEb");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
