//! Concise output: one line per finding, `path:line:col: OT001 message`,
//! for editors, grep and quick CI logs.

use super::RenderOptions;
use crate::scan::ScanResult;

pub fn render(result: &ScanResult, opts: &RenderOptions) -> String {
    let mut out = String::new();
    for f in &result.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}\n",
            result.files[f.primary.file].path, f.primary.span.line, f.primary.span.col, f.rule, f.message
        ));
    }
    out.push_str(&super::human_tail(result, opts, "note: "));
    out
}
