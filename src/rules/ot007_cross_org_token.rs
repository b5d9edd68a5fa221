//! OT007 cross-org-token: one token identity used with two or more orgs of
//! one environment. A token is minted for one org (DESIGN §2); the org of a
//! request is the `X-CRM-ORG` header (or the SDK's parameter for it), the
//! org of a client-credentials token is its `soid`.
//!
//! Two shapes, one result per root cause:
//! - the org is chosen at run time (a loop over org ids, a map lookup, a
//!   ternary, a parameter) while the token is not chosen by the same key:
//!   reported at the choice, with the request sites as related places;
//! - the same token is used with different fixed orgs (two literals, two
//!   settings, a `soid` and another header): the token's home org (the one
//!   it was minted for, else the first one it is used with) stays quiet, and
//!   each other org is reported once, at its first binding.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use super::{at_binding, describe, RuleCtx};
use crate::finding::Finding;
use crate::model::{Binding, BindingKind, Loc, OrgAlt, OrgRef, TokenIdentity};

const ID: &str = "OT007";
const HELP: &str = "mint one token per org (one refresh token per org, or client credentials with soid=ZohoCRM.<org id>) and choose it with the org id";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    let mut causes: BTreeMap<(Option<String>, Loc), Finding> = BTreeMap::new();
    for b in bindings {
        let Some((f, root)) = runtime_switch(ctx, b) else {
            continue;
        };
        match causes.entry((f.token.clone(), root)) {
            Entry::Vacant(e) => {
                e.insert(super::at_root(f, root, b));
            }
            Entry::Occupied(mut e) => super::add_related_site(e.get_mut(), b, "uses the org chosen there"),
        }
    }
    let reported: BTreeSet<Loc> = causes
        .values()
        .flat_map(|f| std::iter::once(f.primary.loc()).chain(f.related.iter().map(|r| r.loc.loc())))
        .collect();
    let mut out: Vec<Finding> = causes.into_values().collect();
    out.extend(fixed_orgs(ctx, &reported));
    out
}

/// Every key that chooses the org also chooses the token, or both are
/// supplied together (a parameter pair, the deployment's settings, a token
/// minted for an org chosen at run time: `soid=ZohoCRM.<org id>` per call).
fn keyed(ctx: &RuleCtx, b: &Binding, varying: &[&OrgAlt]) -> bool {
    let minted_per_org = b
        .tokens
        .iter()
        .any(|t| minted_orgs_of(ctx, &t.identity).any(OrgAlt::varies));
    if minted_per_org {
        return true;
    }
    let token_selectors: BTreeSet<&str> = b.tokens.iter().filter_map(|t| t.selector.as_deref()).collect();
    let token_param = b.tokens.iter().any(|t| matches!(t.identity, TokenIdentity::Param(_)));
    let deployment_token = b.tokens.iter().all(|t| t.identity.is_deployment());
    varying.iter().all(|o| {
        let by_key = o.selector.as_deref().is_some_and(|s| token_selectors.contains(s));
        let by_param = match &o.org {
            OrgRef::Param(p) => token_param || token_selectors.contains(p.as_str()),
            _ => false,
        };
        let deployment = deployment_token && o.selector.as_deref().is_some_and(crate::model::deployment_key);
        by_key || (o.selector.is_none() && by_param) || deployment
    })
}

/// An org chosen at run time with one token: the finding and its root
/// place (the loop, the lookup, the ternary; the binding for a parameter).
fn runtime_switch(ctx: &RuleCtx, b: &Binding) -> Option<(Finding, Loc)> {
    if b.tokens.is_empty() || b.kind == BindingKind::Profile {
        return None;
    }
    let varying: Vec<&OrgAlt> = b.orgs.iter().filter(|o| o.varies()).collect();
    let distinct: BTreeSet<&OrgRef> = varying.iter().map(|o| &o.org).collect();
    if distinct.is_empty() || (distinct.len() < 2 && distinct.iter().all(|o| matches!(o, OrgRef::Id(_)))) {
        return None;
    }
    if keyed(ctx, b, &varying) {
        return None;
    }
    let ids: Vec<String> = b.identities().iter().map(|i| i.to_string()).collect();
    let id = ids.join(", ");
    let names = org_names(distinct.iter().copied());
    let root = varying.iter().filter_map(|o| o.switch).min().unwrap_or(b.at);
    let others: Vec<(Loc, String)> = varying
        .iter()
        .filter(|o| o.origin != root && o.origin != b.at)
        .map(|o| (o.origin, format!("{} is one alternative", o.org)))
        .collect();
    let mut others_dedup: Vec<(Loc, String)> = Vec::new();
    for o in others {
        if !others_dedup.iter().any(|x| x.0 == o.0) {
            others_dedup.push(o);
        }
    }
    let token_origin = b.tokens.first().map(|t| t.origin);
    Some((
        Finding {
            message: format!(
                "the org is chosen at run time among {}, but token `{id}` is not chosen with it; a token is minted for one org",
                names.join(" / ")
            ),
            label: format!("{} switches org with one token", describe(b.kind)),
            help: HELP.into(),
            ..at_binding(ID, b, id, token_origin, &others_dedup, names)
        },
        root,
    ))
}

fn org_names<'a>(orgs: impl Iterator<Item = &'a OrgRef>) -> Vec<String> {
    let mut v: Vec<String> = orgs.map(|o| o.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// Two fixed orgs of one kind (two ids, two settings) are two orgs; an id
/// and a setting may be the same org.
fn same_kind(a: &OrgRef, b: &OrgRef) -> bool {
    matches!(
        (a, b),
        (OrgRef::Id(_), OrgRef::Id(_)) | (OrgRef::Named(_), OrgRef::Named(_))
    )
}

/// The org a minted token was minted for (its `soid`), by identity: an
/// instance's copy of a minted token carries the creation site after `@`.
fn minted_org<'m>(ctx: &'m RuleCtx, id: &'m TokenIdentity) -> Option<&'m OrgAlt> {
    minted_orgs_of(ctx, id).find(|o| !o.varies())
}

/// Every org the token requests that minted `id` name.
fn minted_orgs_of<'m>(ctx: &'m RuleCtx, id: &'m TokenIdentity) -> impl Iterator<Item = &'m OrgAlt> + 'm {
    let s = match id {
        TokenIdentity::Minted(s) => Some(s.as_str()),
        _ => None,
    };
    ctx.model.minted_orgs.iter().filter_map(move |(m, o)| match (m, s) {
        (TokenIdentity::Minted(base), Some(s))
            if s == base || s.strip_prefix(base.as_str()).is_some_and(|r| r.starts_with('@')) =>
        {
            Some(o)
        }
        _ => None,
    })
}

/// One token used with different fixed orgs across its bindings.
fn fixed_orgs(ctx: &RuleCtx, reported: &BTreeSet<Loc>) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    let mut groups: BTreeMap<&TokenIdentity, Vec<(usize, &OrgAlt)>> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        // Profiles are OT003's; a helper reported inside is not reported at its callers.
        if b.kind == BindingKind::Profile || reported.contains(&b.at) || b.via.iter().any(|v| reported.contains(v)) {
            continue;
        }
        for o in b.orgs.iter().filter(|o| !o.varies() && o.org != OrgRef::Unknown) {
            for id in b.identities() {
                if !matches!(id, TokenIdentity::Param(_)) {
                    groups.entry(id).or_default().push((i, o));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (id, mut members) in groups {
        members.sort_by_key(|(i, o)| (bindings[*i].at, o.origin));
        let minted = minted_org(ctx, id);
        let kinds: Vec<&OrgRef> = members
            .iter()
            .map(|(_, o)| &o.org)
            .chain(minted.map(|m| &m.org))
            .collect();
        let mut reported_orgs: BTreeSet<&OrgRef> = BTreeSet::new();
        for (i, o) in &members {
            // The home org of this kind: the minted one, else the first used.
            let home = minted
                .map(|m| &m.org)
                .filter(|m| same_kind(m, &o.org))
                .or_else(|| members.iter().map(|(_, x)| &x.org).find(|x| same_kind(x, &o.org)));
            if home == Some(&o.org) || !reported_orgs.insert(&o.org) {
                continue;
            }
            let Some(home) = home else { continue };
            let b = &bindings[*i];
            let mut elsewhere: Vec<(Loc, String)> = Vec::new();
            if let Some(m) = minted.filter(|m| &m.org == home) {
                elsewhere.push((m.origin, format!("the token is minted for {} here", m.org)));
            }
            for (j, x) in &members {
                let at = bindings[*j].at;
                if at != b.at && same_kind(&x.org, &o.org) && !elsewhere.iter().any(|e| e.0 == at) {
                    let what = if x.org == o.org { "here too" } else { "here" };
                    elsewhere.push((at, format!("the same token is used with {} {what}", x.org)));
                }
            }
            let others: Vec<&OrgRef> = kinds
                .iter()
                .copied()
                .filter(|k| same_kind(k, &o.org) && *k != &o.org)
                .collect();
            let mut all = vec![o.org.to_string()];
            all.extend(org_names(others.iter().copied()));
            all.sort();
            all.dedup();
            let origin = b.tokens.iter().find(|t| &t.identity == id).map(|t| t.origin);
            let minted_note = if minted.is_some_and(|m| &m.org == home) {
                " (it was minted for that org)"
            } else {
                ""
            };
            out.push(Finding {
                message: format!(
                    "token `{id}` is used with {} here and with {} elsewhere{minted_note}; a token is minted for one org",
                    o.org,
                    org_names(others.iter().copied()).join(", ")
                ),
                label: format!("{} sends `{id}` to {}", describe(b.kind), o.org),
                help: HELP.into(),
                ..at_binding(ID, b, id.to_string(), origin, &elsewhere, all)
            });
        }
    }
    out
}
