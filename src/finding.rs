//! A finding: what a rule reports, kept apart from how it is rendered.
//!
//! Reporters read findings and the redacted file texts only.

use serde::Serialize;

use crate::catalog::Level;
use crate::facts::{FileId, Pos, Span};
use crate::model::Loc;

/// A place a finding shows: the model's place ([`Loc`]) and where it sits
/// as a reader counts, filled in once the rules have run ([`Place::pos`]
/// is zero until then).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub file: FileId,
    pub span: Span,
    pub pos: Pos,
}

impl From<Loc> for Place {
    fn from(l: Loc) -> Place {
        Place {
            file: l.file,
            span: l.span,
            pos: Pos::default(),
        }
    }
}

impl Place {
    /// The model's place.
    pub fn loc(&self) -> Loc {
        Loc {
            file: self.file,
            span: self.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Related {
    pub loc: Place,
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
    pub primary: Place,
    pub related: Vec<Related>,
    /// The fix, one line.
    pub help: String,
    /// The token identity, redacted (`env:ZOHO_TOKEN`, `literal:sha256:…`).
    pub token: Option<String>,
    /// Environments involved, e.g. `US production`.
    pub environments: Vec<String>,
    /// Line-independent fingerprint, filled in by the scan: rule, token
    /// identity, path, environments, the binding's normalised text, and the
    /// finding's occurrence among findings equal in all of these (so two
    /// identical bindings get two fingerprints).
    pub fingerprint: String,
    /// The fingerprint without the environments (same occurrence index),
    /// filled in by the scan: the baseline's fallback key.
    pub site: String,
}

/// A file that could not be (fully) analysed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub path: String,
    pub message: String,
}

impl Note {
    pub fn new(path: &str, message: String) -> Self {
        Note {
            path: path.to_string(),
            message,
        }
    }
}

/// How a suppressed finding was hidden (SARIF `suppressions[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// An `orgtoken: ignore[…]` comment in the source.
    InSource,
    /// An entry of the `--baseline` file.
    External,
}

/// A finding hidden by a suppression: kept for SARIF, counted in summaries,
/// never shown by human formats nor counted for the exit code.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub kind: SuppressionKind,
    /// The reason written in the comment, or the baseline file's name.
    pub justification: String,
}

/// What the filter stage (suppressions, baseline, config, changed files) did.
#[derive(Debug, Default, Clone)]
pub struct Filtered {
    pub suppressed: Vec<Suppressed>,
    /// Baseline entries no current finding matches, described for the user.
    pub stale_baseline: Vec<String>,
    pub left_out: LeftOut,
}

/// Findings left out before reporting, counted by why (never shown, never
/// in SARIF).
#[derive(Debug, Default, Clone, Copy)]
pub struct LeftOut {
    /// Their binding is outside the changed files.
    pub outside_changes: usize,
    /// `.orgtoken.toml` turned them off (`off` rules, `[[ignore]]`, `include`).
    pub by_config: usize,
    /// Their rules are not selected on the command line (`--select`,
    /// `--ignore`).
    pub not_selected: usize,
}

impl std::ops::AddAssign for LeftOut {
    fn add_assign(&mut self, other: LeftOut) {
        self.outside_changes += other.outside_changes;
        self.by_config += other.by_config;
        self.not_selected += other.not_selected;
    }
}

impl Filtered {
    pub fn count(&self, kind: SuppressionKind) -> usize {
        self.suppressed.iter().filter(|s| s.kind == kind).count()
    }
}
