//! `--changed-since REV`: the files changed since a git revision (committed,
//! staged or not, plus untracked files), for fast pull-request checks. The
//! whole tree is still analysed, so cross-file links hold; only results
//! whose binding lies in a changed file are reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scan::ScanResult;

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The absolute paths changed since `rev` in the repository holding `root`.
pub fn changed_since(rev: &str, root: &Path) -> Result<BTreeSet<PathBuf>, String> {
    let root = absolute(root);
    let dir = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or(root)
    } else {
        root
    };
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?.trim_end_matches(['\n', '\r']));
    let mut names = git(&top, &["diff", "--name-only", "-z", rev, "--"])?;
    names.push_str(&git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?);
    Ok(names
        .split('\0')
        .filter(|n| !n.is_empty())
        .map(|n| absolute(&top.join(n)))
        .collect())
}

/// Keeps the findings that touch a changed file: their root place, or one
/// of their related places (a request site a change adds to a known root
/// cause, the token's origin).
pub fn apply(result: &mut ScanResult, changed: &BTreeSet<PathBuf>) {
    let files = &result.files;
    let base = &result.base;
    let before = result.findings.len();
    let touched = |file: usize| changed.contains(&base.resolve(&files[file].path));
    result
        .findings
        .retain(|f| touched(f.primary.file) || f.related.iter().any(|r| touched(r.loc.file)));
    result.filtered.outside_changes += before - result.findings.len();
}
