//! The filter stage (DESIGN §3 step 7), between the rules and the reporters:
//! inline suppressions, then the baseline, then `--changed-since`. Hidden
//! findings are moved, never lost: reporters count them and SARIF keeps them
//! with `suppressions`.

use crate::scan::ScanResult;

#[derive(Debug, Default, Clone)]
pub struct FilterOptions {
    /// `--report-unused-suppressions`.
    pub report_unused_suppressions: bool,
}

pub fn apply(result: &mut ScanResult, opts: &FilterOptions) {
    crate::suppress::apply(result, opts.report_unused_suppressions);
}
