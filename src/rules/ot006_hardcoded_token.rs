//! OT006 hardcoded-token: a Zoho token literal committed in a file with Zoho
//! context. The value is never part of the finding.

use super::{finding, RuleCtx};
use crate::finding::Finding;

const ID: &str = "OT006";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    ctx.model
        .token_literals
        .iter()
        .map(|(loc, hash)| Finding {
            message: format!(
                "a Zoho OAuth token (literal:sha256:{hash}) is committed here; revoke it and load it from a secret"
            ),
            label: "token literal (redacted)".into(),
            help: "revoke this token, mint a new one and read it from an environment variable or a secret store".into(),
            token: Some(format!("literal:sha256:{hash}")),
            ..finding(ID, *loc)
        })
        .collect()
}
