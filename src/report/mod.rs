//! Reporters: one small file per output format. They read findings, notes
//! and redacted texts only; they never analyse.

pub mod human;
pub mod json;
pub mod sarif;

use crate::catalog::Level;
use crate::finding::Finding;
use crate::scan::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with labels and a fix (miette).
    Human,
    /// A versioned JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other viewers.
    Sarif,
}

pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    /// Human format: findings only, no notes or summary line.
    pub quiet: bool,
}

pub fn render(format: Format, result: &ScanResult, opts: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(result, opts),
        Format::Json => json::render(result),
        Format::Sarif => sarif::render(result),
    }
}

pub fn count(findings: &[Finding], level: Level) -> usize {
    findings.iter().filter(|f| f.level == level).count()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing summary line of a scan.
pub fn summary_line(result: &ScanResult) -> String {
    let s = &result.stats;
    let e = count(&result.findings, Level::Error);
    let w = count(&result.findings, Level::Warning);
    let mut skipped = Vec::new();
    if s.skipped.binary > 0 {
        skipped.push(format!("{} binary", s.skipped.binary));
    }
    if s.skipped.too_large > 0 {
        skipped.push(format!("{} over the size limit", s.skipped.too_large));
    }
    if s.skipped.excluded_vendored > 0 {
        skipped.push(format!("{} vendored", s.skipped.excluded_vendored));
    }
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped {}", skipped.join(", "))
    };
    let notes = if result.notes.is_empty() {
        String::new()
    } else {
        format!("; {}", plural(result.notes.len(), "note"))
    };
    format!(
        "orgtoken: {}, {} in {} analysed ({} walked{skipped}){notes}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(s.files_analysed, "file"),
        s.files_walked,
    )
}
