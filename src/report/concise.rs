//! Concise output: one line per finding, `path:line:col: OT001 message`,
//! for editors, grep and quick CI logs.

use super::{visible, RenderOptions};
use crate::finding::Finding;
use crate::scan::ScanResult;

/// One finding on one line, made visible (no control character, no bidi
/// override can start a line or hide text).
pub fn line(result: &ScanResult, f: &Finding) -> String {
    let s = f.primary.pos;
    let text = format!(
        "{}:{}:{}: {} {}",
        result.files[f.primary.file].path, s.line, s.col, f.rule, f.message
    );
    format!("{}\n", visible(&text))
}

pub fn write(result: &ScanResult, opts: &RenderOptions, out: &mut super::Out) {
    for f in &result.findings {
        out.push_str(&line(result, f));
    }
    out.push_str(&super::human_tail(result, opts, "note: ", visible));
}
