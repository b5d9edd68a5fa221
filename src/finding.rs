//! A finding: what a rule reports, kept apart from how it is rendered.
//!
//! Reporters read findings and the redacted file texts only.

use serde::Serialize;

use crate::catalog::Level;
use crate::model::Loc;

#[derive(Debug, Clone)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    /// One sentence naming the token identity (never its value), the
    /// Environment here and the others.
    pub message: String,
    /// The label at the primary span.
    pub label: String,
    pub primary: Loc,
    pub related: Vec<Related>,
    /// The fix, one line.
    pub help: String,
    /// The token identity, redacted (`env:ZOHO_TOKEN`, `literal:sha256:…`).
    pub token: Option<String>,
    /// Environments involved, e.g. `US production`.
    pub environments: Vec<String>,
    /// Line-independent fingerprint, filled in by the scan.
    pub fingerprint: String,
}

/// A file that could not be (fully) analysed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub path: String,
    pub message: String,
}
