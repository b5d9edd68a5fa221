//! The baseline: a JSON file listing accepted findings, so a team adopts
//! orgtoken without fixing everything first (`--write-baseline FILE`, then
//! `--baseline FILE`).
//!
//! Entries are keyed by rule, path and token identity (redacted, line
//! numbers dropped) plus the line-independent fingerprint or the binding's
//! site (the fingerprint without the environments): inserting lines above a
//! finding keeps it matched, and so does a new environment used with the
//! same token elsewhere. Fingerprints carry an occurrence index among equal
//! findings (`scan::fingerprint_all`), and each entry hides one finding: a
//! new copy of an accepted binding is reported. No secret is ever written.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Suppressed, SuppressionKind};
use crate::scan::{stable_token, ScanResult};

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub token: String,
    pub fingerprint: String,
    /// The binding's place without the environments (rule, token, path and
    /// normalised binding text): a new environment used with an accepted
    /// token elsewhere changes the fingerprint but not this.
    #[serde(default)]
    pub site: String,
    /// Written with absolute paths (by an older orgtoken, or from another
    /// checkout): its fingerprints hash those paths, so it matches by rule,
    /// path and token alone once the old root is taken off.
    #[serde(skip)]
    pub legacy: bool,
}

impl Entry {
    fn of(result: &ScanResult, f: &Finding) -> Entry {
        let file = &result.files[f.primary.file];
        Entry {
            rule: f.rule.to_string(),
            path: file.path.clone(),
            token: stable_token(f.token.as_deref().unwrap_or("")),
            fingerprint: f.fingerprint.clone(),
            site: f.site.clone(),
            legacy: false,
        }
    }

    fn same_finding(&self, other: &Entry) -> bool {
        self.rule == other.rule && self.path == other.path && self.token == other.token
    }

    fn describe(&self) -> String {
        let token = if self.token.is_empty() { "-" } else { &self.token };
        format!("{} {} {token} ({})", self.rule, self.path, self.fingerprint)
    }
}

/// The baseline of a result: its reported findings and those the current
/// baseline hides (inline-suppressed findings keep their comment instead).
pub fn of(result: &ScanResult) -> Baseline {
    let mut entries: Vec<Entry> = result
        .findings
        .iter()
        .chain(
            result
                .filtered
                .suppressed
                .iter()
                .filter(|s| s.kind == SuppressionKind::External)
                .map(|s| &s.finding),
        )
        .map(|f| Entry::of(result, f))
        .collect();
    entries.sort();
    entries.dedup();
    Baseline {
        version: VERSION,
        tool: "orgtoken".into(),
        entries,
    }
}

pub fn to_json(b: &Baseline) -> String {
    let mut s = serde_json::to_string_pretty(b).expect("serialisable");
    s.push('\n');
    s
}

pub fn parse(text: &str) -> Result<Baseline, String> {
    // serde quotes the offending value: masked and cut, it may be anything.
    let b: Baseline = serde_json::from_str(text).map_err(|e| crate::project::quote(&e.to_string()))?;
    if b.version != VERSION {
        return Err(format!(
            "baseline version {} is not supported (this orgtoken writes version {VERSION}); write it again with --write-baseline",
            b.version
        ));
    }
    Ok(b)
}

/// Entries named by absolute path (`/home/ci/app/lib/auth.js`, and token
/// identities such as `minted:/home/ci/app/lib/auth.js:4`), made relative
/// again: the old root is what is left of an entry's path once a file of this
/// scan is taken off its end. Returns whether there were any.
fn relocate_absolute(baseline: &mut Baseline, result: &ScanResult) -> bool {
    let is_absolute =
        |p: &str| p.starts_with('/') || p.as_bytes().get(1..3) == Some(b":\\") || p.as_bytes().get(1..3) == Some(b":/");
    let mut any = false;
    for e in baseline.entries.iter_mut().filter(|e| is_absolute(&e.path)) {
        any = true;
        let root = result.files.iter().find_map(|f| {
            let cut = e.path.strip_suffix(f.path.as_str())?;
            (cut.ends_with('/') || cut.ends_with('\\')).then(|| cut.to_string())
        });
        if let Some(root) = root {
            e.path = e.path[root.len()..].to_string();
            e.token = e.token.replace(&root, "");
        }
        e.legacy = true;
    }
    any
}

/// Moves findings the baseline lists into `result.filtered.suppressed` and
/// lists the entries nothing matched any more as stale. Each entry hides at
/// most one finding: same rule, path and token, and the same fingerprint (or,
/// for the entries left after that, the same site: an accepted binding whose
/// token is now used with one more environment elsewhere).
pub fn apply(result: &mut ScanResult, baseline: &Baseline, name: &str) {
    let mut baseline = baseline.clone();
    if relocate_absolute(&mut baseline, result) {
        result.notes.push(crate::finding::Note {
            path: name.to_string(),
            message: "the baseline names files by absolute path (written by an older orgtoken or in another \
                      checkout): its entries are matched by rule, path and token only; write it again with \
                      --write-baseline"
                .into(),
        });
    }
    let baseline = &baseline;
    let mut used = vec![false; baseline.entries.len()];
    let findings = std::mem::take(&mut result.findings);
    let keys: Vec<Entry> = findings.iter().map(|f| Entry::of(result, f)).collect();
    // Inline-suppressed findings keep the entries they match from going stale.
    let inline: Vec<Entry> = result
        .filtered
        .suppressed
        .iter()
        .map(|s| Entry::of(result, &s.finding))
        .collect();
    let all: Vec<&Entry> = keys.iter().chain(&inline).collect();
    let mut hit = vec![false; all.len()];
    let passes: [fn(&Entry, &Entry) -> bool; 3] = [
        |b, e| b.fingerprint == e.fingerprint,
        |b, e| !b.site.is_empty() && b.site == e.site,
        // Absolute-path entries: their fingerprints hash the old root.
        |b, _| b.legacy,
    ];
    for same in passes {
        for (k, e) in all.iter().enumerate() {
            if hit[k] {
                continue;
            }
            if let Some(i) = (0..baseline.entries.len())
                .find(|&i| !used[i] && baseline.entries[i].same_finding(e) && same(&baseline.entries[i], e))
            {
                used[i] = true;
                hit[k] = true;
            }
        }
    }
    for (k, f) in findings.into_iter().enumerate() {
        if hit[k] {
            result.filtered.suppressed.push(Suppressed {
                finding: f,
                kind: SuppressionKind::External,
                justification: format!("accepted in the baseline {name}"),
            });
        } else {
            result.findings.push(f);
        }
    }
    result.filtered.stale_baseline = baseline
        .entries
        .iter()
        .zip(&used)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| e.describe())
        .collect();
}
