//! The filter stage (DESIGN §3 step 7), between the rules and the reporters:
//! the project file's rule settings, inline suppressions, then the baseline,
//! then `--changed-since`. Hidden
//! findings are moved, never lost: reporters count them and SARIF keeps them
//! with `suppressions`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::baseline::Baseline;
use crate::project::Project;
use crate::scan::ScanResult;

#[derive(Debug, Default)]
pub struct FilterOptions {
    /// `--report-unused-suppressions`.
    pub report_unused_suppressions: bool,
    /// `--baseline FILE`: the parsed file and the name to show.
    pub baseline: Option<(Baseline, String)>,
    /// The project file: rule levels, `off` rules, per-path ignores, `include`.
    pub project: Option<Project>,
    /// `--changed-since`: the changed files (absolute paths).
    pub changed: Option<BTreeSet<PathBuf>>,
}

pub fn apply(result: &mut ScanResult, opts: &FilterOptions) {
    if let Some(p) = &opts.project {
        p.apply(result);
    }
    crate::suppress::apply(result, opts.report_unused_suppressions);
    if let Some((b, name)) = &opts.baseline {
        crate::baseline::apply(result, b, name);
    }
    if let Some(changed) = &opts.changed {
        crate::changes::apply(result, changed);
    }
}
