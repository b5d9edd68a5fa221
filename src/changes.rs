//! `--changed-since REV`: the files changed since a git revision (committed,
//! staged or not, plus untracked files), for fast pull-request checks. The
//! whole tree is still analysed, so cross-file links hold; only results
//! whose binding lies in a changed file are reported. The revision is
//! checked with `git rev-parse --verify --end-of-options` and compared
//! through its merge base with `HEAD`, as a pull request's diff is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scan::ScanResult;
use crate::walk::absolute;

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

/// The files changed since a revision, and which commit they were compared
/// with (for a note).
#[derive(Debug, Clone)]
pub struct Changes {
    /// Absolute paths.
    pub files: BTreeSet<PathBuf>,
    /// One sentence: `--changed-since REV: compared with …`.
    pub note: String,
}

/// A revision the user named, checked as git checks one: the commit it
/// names, by `git rev-parse --verify --end-of-options REV^{commit}`. A value
/// that git would read as an option (`--output=x`) names no commit.
fn resolve(top: &Path, rev: &str) -> Option<String> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains('\0') {
        return None;
    }
    let spec = format!("{rev}^{{commit}}");
    let out = git(top, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec]).ok()?;
    let hash = out.trim();
    (!hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash.to_string())
}

/// The absolute paths changed since the merge base of `rev` and `HEAD` (as
/// a pull request's diff), plus staged, unstaged and untracked files, in the
/// repository holding `root`. In a repository without commits, `HEAD`
/// names no commit yet and every file counts as changed.
pub fn changed_since(rev: &str, root: &Path) -> Result<Changes, String> {
    let root = absolute(root);
    let dir = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or(root)
    } else {
        root
    };
    let top = PathBuf::from(git(&dir, &["rev-parse", "--show-toplevel"])?.trim_end_matches(['\n', '\r']));
    let head = resolve(&top, "HEAD");
    let (mut names, note) = match (resolve(&top, rev), &head) {
        (Some(commit), Some(head)) => {
            let base = git(&top, &["merge-base", "--end-of-options", &commit, head])
                .map_err(|_| format!("`{rev}` and HEAD have no common ancestor"))?;
            let base = base.trim().to_string();
            let short = &base[..base.len().min(12)];
            let note = if base == commit {
                format!("--changed-since {rev}: compared with commit {short}")
            } else {
                format!("--changed-since {rev}: compared with commit {short}, the merge base of {rev} and HEAD")
            };
            let names = git(&top, &["diff", "--name-only", "-z", "--end-of-options", &base, "--"])?;
            (names, note)
        }
        // No commit yet: `HEAD` (what the pre-commit hook names) is empty.
        (None, None) if matches!(rev, "HEAD" | "@") => {
            let names = git(&top, &["ls-files", "-z"])?;
            let note =
                format!("--changed-since {rev}: the repository has no commits yet; every file counts as changed");
            (names, note)
        }
        (None, _) => {
            return Err(format!(
                "`{rev}` is not a commit of this repository (git rev-parse --verify)"
            ))
        }
        (Some(_), None) => return Err("HEAD names no commit yet; commit once, or name HEAD".to_string()),
    };
    names.push_str(&git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?);
    let files = names
        .split('\0')
        .filter(|n| !n.is_empty())
        .map(|n| absolute(&top.join(n)))
        .collect();
    Ok(Changes { files, note })
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
    result.filtered.left_out.outside_changes += before - result.findings.len();
}
