//! `--format markdown`: a scan report for a pull-request comment or a
//! GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`): the summary line,
//! counts per rule, a table of the places, and the inventory's graph of
//! tokens and environments (Mermaid, which GitHub renders).

use std::collections::BTreeMap;

use super::inventory::{cell, markdown_graph};
use crate::catalog::catalog;
use crate::inventory::by_token;
use crate::scan::ScanResult;

/// Rows of the table of places; the rest are counted (a job summary holds
/// at most 1 MiB, and nobody reads further).
const MAX_ROWS: usize = 100;

pub fn write(result: &ScanResult, out: &mut super::Out) {
    out.push_str("## orgtoken\n\n");
    out.push_str(&format!("{}\n\n", cell(&super::summary_line(result))));
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &result.findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    if !by_rule.is_empty() {
        out.push_str("| rule | level | results |\n|---|---|---:|\n");
        for (rule, n) in &by_rule {
            let (name, level) = catalog()
                .rule(rule)
                .map(|r| (r.name.as_str(), r.level.name()))
                .unwrap_or(("", ""));
            out.push_str(&format!("| {rule} {name} | {level} | {n} |\n"));
        }
        out.push_str("\n### Results\n\n| where | rule | level | message |\n|---|---|---|---|\n");
        for f in result.findings.iter().take(MAX_ROWS) {
            let s = f.primary.pos;
            out.push_str(&format!(
                "| `{}:{}:{}` | {} | {} | {} |\n",
                cell(&result.files[f.primary.file].path),
                s.line,
                s.col,
                f.rule,
                f.level.name(),
                cell(&f.message)
            ));
        }
        if result.findings.len() > MAX_ROWS {
            out.push_str(&format!(
                "\n… and {} more (see the annotations or code scanning).\n",
                result.findings.len() - MAX_ROWS
            ));
        }
        out.push('\n');
    }
    let tokens = by_token(&result.bindings);
    let graph = markdown_graph(&tokens, &result.bindings);
    if !graph.is_empty() {
        out.push_str("### Tokens and environments\n\n");
        out.push_str(&graph);
    }
}
