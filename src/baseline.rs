//! The baseline: a JSON file listing accepted findings, so a team adopts
//! orgtoken without fixing everything first (`--write-baseline FILE`, then
//! `--baseline FILE`).
//!
//! Entries are keyed by rule, path and token identity (redacted, line
//! numbers dropped) plus the line-independent fingerprint or the binding's
//! site (the fingerprint without the environments): inserting lines above a
//! finding keeps it matched, and so does a new environment used with the
//! same token elsewhere. No secret is ever written.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::{Finding, Suppressed, SuppressionKind};
use crate::scan::{stable_token, ScanResult};

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
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
}

impl Entry {
    fn of(result: &ScanResult, f: &Finding) -> Entry {
        let file = &result.files[f.primary.file];
        let token = stable_token(f.token.as_deref().unwrap_or(""));
        let text = file.text.get(f.primary.span.start..f.primary.span.end).unwrap_or("");
        let normalised = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut h = Sha256::new();
        for part in [f.rule, &token, &file.path, &normalised] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        Entry {
            rule: f.rule.to_string(),
            path: file.path.clone(),
            token,
            fingerprint: f.fingerprint.clone(),
            site: h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// The same accepted finding: same rule, path and token, and the same
    /// fingerprint or the same site.
    fn matches(&self, other: &Entry) -> bool {
        self.rule == other.rule
            && self.path == other.path
            && self.token == other.token
            && (self.fingerprint == other.fingerprint || (!self.site.is_empty() && self.site == other.site))
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

/// Moves findings the baseline lists into `result.filtered.suppressed` and
/// lists the entries nothing matched any more as stale.
pub fn apply(result: &mut ScanResult, baseline: &Baseline, name: &str) {
    let mut matched = vec![false; baseline.entries.len()];
    let findings = std::mem::take(&mut result.findings);
    for f in findings {
        let e = Entry::of(result, &f);
        let mut hit = false;
        for (i, b) in baseline.entries.iter().enumerate() {
            if b.matches(&e) {
                matched[i] = true;
                hit = true;
            }
        }
        if hit {
            result.filtered.suppressed.push(Suppressed {
                finding: f,
                kind: SuppressionKind::External,
                justification: format!("accepted in the baseline {name}"),
            });
        } else {
            result.findings.push(f);
        }
    }
    // An entry whose finding is now suppressed inline is not stale.
    for s in &result.filtered.suppressed {
        let e = Entry::of(result, &s.finding);
        for (i, b) in baseline.entries.iter().enumerate() {
            if b.matches(&e) {
                matched[i] = true;
            }
        }
    }
    result.filtered.stale_baseline = baseline
        .entries
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| e.describe())
        .collect();
}
