//! Rules: pure functions from the linked model to findings (DESIGN §4).
//!
//! One file per rule. Rules never read files and never print; they see the
//! model only.

mod ot001_cross_environment;
mod ot002_runtime_switch;
mod ot003_shared_token_across_profiles;
mod ot004_cross_datacenter;
mod ot005_unkeyed_token_store;
mod ot006_hardcoded_token;
mod ot007_cross_org_token;

use std::collections::BTreeSet;

use crate::catalog::{catalog, Environment, Level};
use crate::finding::{Finding, Related};
use crate::model::{Binding, BindingKind, Loc, Model, Target, TokenIdentity};

/// What a rule may look at: the linked model, nothing else.
pub struct RuleCtx<'a> {
    pub model: &'a Model,
}

/// Runs every rule; the result is sorted and free of duplicates.
pub fn run(ctx: &RuleCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(ot001_cross_environment::check(ctx));
    out.extend(ot002_runtime_switch::check(ctx));
    out.extend(ot003_shared_token_across_profiles::check(ctx));
    out.extend(ot004_cross_datacenter::check(ctx));
    out.extend(ot005_unkeyed_token_store::check(ctx));
    out.extend(ot006_hardcoded_token::check(ctx));
    out.extend(ot007_cross_org_token::check(ctx));
    // One result per breaking binding, the most precise cause first: a token
    // minted in another data center (OT004) explains more than the
    // environment difference (OT001), which covers a mere data-center
    // difference of the same token (OT004).
    let minted: BTreeSet<Loc> = out
        .iter()
        .filter(|f| f.rule == "OT004" && f.token.as_deref().is_some_and(|t| t.starts_with("minted:")))
        .map(|f| f.primary.loc())
        .collect();
    out.retain(|f| !(f.rule == "OT001" && minted.contains(&f.primary.loc())));
    let ot001: BTreeSet<Loc> = out
        .iter()
        .filter(|f| f.rule == "OT001")
        .map(|f| f.primary.loc())
        .collect();
    out.retain(|f| !(f.rule == "OT004" && ot001.contains(&f.primary.loc()) && !minted.contains(&f.primary.loc())));
    // One result per rule and root place: the strictest, when several
    // tokens meet one switch.
    out.sort_by(|a, b| {
        (a.primary, a.rule, std::cmp::Reverse(a.level), &a.message).cmp(&(
            b.primary,
            b.rule,
            std::cmp::Reverse(b.level),
            &b.message,
        ))
    });
    let mut merged: Vec<Finding> = Vec::with_capacity(out.len());
    for f in out {
        match merged.last_mut() {
            Some(kept) if kept.primary == f.primary && kept.rule == f.rule => {
                // Another token at the same switch: its places are related.
                for r in f.related {
                    if kept.related.len() >= 3 * MAX_SITES {
                        break;
                    }
                    if r.loc != kept.primary && !kept.related.iter().any(|k| k.loc == r.loc) {
                        kept.related.push(r);
                    }
                }
            }
            _ => merged.push(f),
        }
    }
    merged
}

/// Whether binding `b`, a helper's own request whose host is chosen by
/// `selectors`, is judged at the calls of that helper instead: each call is a
/// binding of its own, with the values it passes (`get(True, …)` beside
/// `get(False, …)` is judged at the calls, not as a run-time switch in
/// `get`). True when the calls choose the pair (every selector is a
/// parameter of the function whose parameters the tokens are), or when every
/// call binds the keys. A helper's call that another helper's callers reach
/// through (`leads(sandbox, tok)` calling `call(sandbox, tok, path)`) is no
/// caller of its own: those callers are, and judge it too. Uncalled, the
/// helper is the place.
pub(crate) fn judged_at_callers(model: &Model, b: &Binding, selectors: &BTreeSet<&str>) -> bool {
    let helper = |h: &&Binding| h.kind == BindingKind::Helper;
    let callers: Vec<&Binding> = model
        .bindings
        .iter()
        .filter(|h| helper(h) && h.via.contains(&b.at))
        .filter(|h| {
            !model
                .bindings
                .iter()
                .any(|o| helper(&o) && o.via[..o.via.len().saturating_sub(1)].contains(&h.at))
        })
        .collect();
    if selectors.is_empty() || callers.is_empty() {
        return false;
    }
    let bound_by_callers = callers.iter().all(|h| {
        h.endpoints
            .iter()
            .all(|e| e.selector.as_deref().is_none_or(|k| !selectors.contains(k)))
    });
    bound_by_callers || selectors.iter().all(|s| params_of_token_owner(s, b))
}

/// Whether selector `s` is a parameter of the function whose parameters
/// every token of `b` is (`app.py::fetch.sandbox` beside token
/// `app.py::fetch.token`).
fn params_of_token_owner(s: &str, b: &Binding) -> bool {
    let owner = |id: &str| id.rsplit_once('.').map(|(f, _)| f.to_string());
    let Some(func) = owner(s) else {
        return false;
    };
    !b.tokens.is_empty()
        && b.tokens
            .iter()
            .all(|t| matches!(&t.identity, TokenIdentity::Param(p) if owner(p).as_deref() == Some(func.as_str())))
}

pub(crate) fn level(rule: &str) -> Level {
    catalog().rule(rule).map(|r| r.level).unwrap_or(Level::Error)
}

pub(crate) fn env_names(envs: &[Environment]) -> Vec<String> {
    let mut v: Vec<String> = envs.iter().map(|e| e.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// A binding whose hosts are all written, none built at run time: the ones
/// OT001 and OT004 compare. Profiles are OT003's.
pub(crate) fn hosts_written(b: &Binding) -> bool {
    b.kind != BindingKind::Profile && b.endpoints.iter().all(|e| matches!(e.target, Target::Env(_)))
}

pub(crate) fn describe(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::Call => "this call",
        BindingKind::SdkInit => "this SDK initialisation",
        BindingKind::SdkSwitch => "this SDK switch",
        BindingKind::Helper => "this helper call",
        BindingKind::Profile => "this profile",
        BindingKind::SdkCall => "this SDK call",
    }
}

/// Request sites listed under one root cause, at most (the rest are left out
/// of the related locations; the result itself stands for all of them).
pub(crate) const MAX_SITES: usize = 10;

/// A result of `rule` at `primary`, at the rule's level, with nothing said
/// yet: the rule fills in its message, label and help, the scan its
/// fingerprints.
pub(crate) fn finding(rule: &'static str, primary: Loc) -> Finding {
    Finding {
        rule,
        level: level(rule),
        message: String::new(),
        label: String::new(),
        primary: primary.into(),
        related: Vec::new(),
        help: String::new(),
        token: None,
        environments: Vec::new(),
        fingerprint: String::new(),
        site: String::new(),
    }
}

/// A result of `rule` at binding `b` about `token`: where the token comes
/// from and `others` as related places (see [`related_for`]), and the
/// environments involved.
pub(crate) fn at_binding(
    rule: &'static str,
    b: &Binding,
    token: String,
    origin: Option<Loc>,
    others: &[(Loc, String)],
    environments: Vec<String>,
) -> Finding {
    Finding {
        related: related_for(b, origin, others),
        token: Some(token),
        environments,
        ..finding(rule, b.at)
    }
}

/// `f`, found at binding `b`, moved to its root place: the binding becomes
/// the first related location (a request site), and an alternative written
/// at the root itself is not listed again.
pub(crate) fn at_root(mut f: Finding, root: Loc, b: &Binding) -> Finding {
    if root == b.at {
        return f;
    }
    f.related.retain(|r| r.loc.loc() != root);
    f.related.push(Related {
        loc: b.at.into(),
        message: format!("{} uses the endpoint chosen there", describe(b.kind)),
    });
    f.label = "the second environment enters here".into();
    f.primary = root.into();
    f
}

/// Another binding with the same root cause as `cause`: one more related
/// request site, and the stricter level.
pub(crate) fn add_site(cause: &mut Finding, other: &Finding, b: &Binding) {
    cause.level = cause.level.max(other.level);
    add_related_site(cause, b, "uses the endpoint chosen there");
}

/// `b` as a related place of `cause` ("this call {what}"), once, and at
/// most `MAX_SITES` of them.
pub(crate) fn add_related_site(cause: &mut Finding, b: &Binding, what: &str) {
    if b.at == cause.primary.loc() || cause.related.iter().any(|r| r.loc.loc() == b.at) {
        return;
    }
    let message = format!("{} {what}", describe(b.kind));
    if cause.related.iter().filter(|r| r.message == message).count() < MAX_SITES {
        cause.related.push(Related {
            loc: b.at.into(),
            message,
        });
    }
}

/// Related locations shared by the binding rules: where the token comes
/// from, the helper's inner call, then `others` (capped).
pub(crate) fn related_for(b: &Binding, token_origin: Option<Loc>, others: &[(Loc, String)]) -> Vec<Related> {
    let mut rel = Vec::new();
    if let Some(o) = token_origin {
        // Not when the origin lies inside the binding (a token on its line).
        let inside = o.file == b.at.file && o.span.start >= b.at.span.start && o.span.end <= b.at.span.end;
        if !inside {
            rel.push(Related {
                loc: o.into(),
                message: "the token comes from here".into(),
            });
        }
    }
    for v in &b.via {
        rel.push(Related {
            loc: (*v).into(),
            message: "the helper sends the request here".into(),
        });
    }
    for (loc, msg) in others.iter().take(MAX_SITES) {
        rel.push(Related {
            loc: (*loc).into(),
            message: msg.clone(),
        });
    }
    rel
}
