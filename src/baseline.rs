//! The baseline: a JSON file listing accepted findings, so a team adopts
//! orgtoken without fixing everything first (`--write-baseline FILE`, then
//! `--baseline FILE`).
//!
//! Entries are keyed by the line-independent fingerprint plus rule, path and
//! token identity (redacted identities, line numbers dropped): inserting
//! lines above a finding keeps it matched. No secret is ever written.

use serde::{Deserialize, Serialize};

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
}

impl Entry {
    fn of(result: &ScanResult, f: &Finding) -> Entry {
        Entry {
            rule: f.rule.to_string(),
            path: result.files[f.primary.file].path.clone(),
            token: stable_token(f.token.as_deref().unwrap_or("")),
            fingerprint: f.fingerprint.clone(),
        }
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
    let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
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
            if *b == e {
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
            if *b == e {
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
