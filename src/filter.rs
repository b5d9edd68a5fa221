//! The filter stage (DESIGN §3 step 7), between the rules and the reporters:
//! inline suppressions, then the baseline, then `--changed-since`. Hidden
//! findings are moved, never lost: reporters count them and SARIF keeps them
//! with `suppressions`.

use crate::baseline::Baseline;
use crate::scan::ScanResult;

#[derive(Debug, Default)]
pub struct FilterOptions {
    /// `--report-unused-suppressions`.
    pub report_unused_suppressions: bool,
    /// `--baseline FILE`: the parsed file and the name to show.
    pub baseline: Option<(Baseline, String)>,
}

pub fn apply(result: &mut ScanResult, opts: &FilterOptions) {
    crate::suppress::apply(result, opts.report_unused_suppressions);
    if let Some((b, name)) = &opts.baseline {
        crate::baseline::apply(result, b, name);
    }
}
