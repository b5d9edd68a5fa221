//! The filter stage (DESIGN §3 step 7), between the rules and the reporters:
//! the project file's rule settings, rule selection, inline suppressions, then the baseline,
//! then `--changed-since`. Hidden
//! findings are moved, never lost: reporters count them and SARIF keeps them
//! with `suppressions`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::catalog::catalog;
use crate::finding::{Note, Suppressed, SuppressionKind};
use crate::project::Project;
use crate::scan::ScanResult;
use crate::select::{Selection, Selectors};

#[derive(Debug, Default)]
pub struct FilterOptions {
    /// `--report-unused-suppressions`.
    pub report_unused_suppressions: bool,
    /// `--baseline FILE`: the parsed file and the name to show.
    pub baseline: Option<(Baseline, String)>,
    /// The project file: rule levels, `off` rules, per-path ignores, `include`.
    pub project: Option<Project>,
    /// The rules that report (`--select`, `--ignore`, `off` rules); `None`:
    /// every rule the project file does not turn off.
    pub selection: Option<Selection>,
    /// `--changed-since`: the changed files (absolute paths).
    pub changed: Option<BTreeSet<PathBuf>>,
}

pub fn apply(result: &mut ScanResult, opts: &FilterOptions) {
    if let Some(p) = &opts.project {
        p.apply(result);
    }
    match &opts.selection {
        Some(s) => s.apply(result),
        None => {
            let rules = opts.project.as_ref().map(|p| &p.config.rules);
            // Without command-line selectors nothing can be unknown.
            if let Ok(s) = Selection::resolve(&Selectors::default(), rules) {
                s.apply(result);
            }
        }
    }
    suppress_in_source(result, opts.report_unused_suppressions);
    if let Some((b, name)) = &opts.baseline {
        crate::baseline::apply(result, b, name);
    }
    if let Some(changed) = &opts.changed {
        crate::changes::apply(result, changed);
    }
}

/// Moves the findings a marker covers into `result.filtered.suppressed`;
/// reports unknown rule ids (always) and unused markers (when asked) as notes.
fn suppress_in_source(result: &mut ScanResult, report_unused: bool) {
    let markers = std::mem::take(&mut result.markers);
    let mut used = vec![false; markers.len()];
    let findings = std::mem::take(&mut result.findings);
    for f in findings {
        let hit = markers.iter().position(|m| {
            m.file == f.primary.file && m.covers_span(f.rule, f.primary.pos.line, f.primary.pos.end_line)
        });
        match hit {
            Some(i) => {
                used[i] = true;
                let justification = markers[i].reason.clone();
                result.filtered.suppressed.push(Suppressed {
                    finding: f,
                    kind: SuppressionKind::InSource,
                    justification,
                });
            }
            None => result.findings.push(f),
        }
    }
    for (m, used) in markers.iter().zip(&used) {
        let path = result.files[m.file].path.clone();
        for r in m.rules.iter().filter(|r| catalog().rule(r).is_none()) {
            result.notes.push(Note {
                path: path.clone(),
                message: format!(
                    "line {}: `{}` names unknown rule `{r}` (`orgtoken rules` lists them)",
                    m.line,
                    m.describe()
                ),
            });
        }
        if report_unused && !used {
            result.notes.push(Note {
                path,
                message: format!("line {}: unused suppression `{}`", m.line, m.describe()),
            });
        }
    }
    result.notes.sort();
    result.notes.dedup();
    result.markers = markers;
}
