//! The filter stage (DESIGN §3 step 7), between the rules and the reporters:
//! the project file's rule settings, rule selection, inline suppressions, then the baseline,
//! then `--changed-since`. Hidden
//! findings are moved, never lost: reporters count them and SARIF keeps them
//! with `suppressions`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::baseline::Baseline;
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
    crate::suppress::apply(result, opts.report_unused_suppressions);
    if let Some((b, name)) = &opts.baseline {
        crate::baseline::apply(result, b, name);
    }
    if let Some(changed) = &opts.changed {
        crate::changes::apply(result, changed);
    }
}
