//! OT004 cross-datacenter-token: one token identity definitely bound to
//! Environments in different data centers, or minted at one data center's
//! accounts server and used at another's API.

use std::collections::{BTreeMap, BTreeSet};

use super::{describe, env_names, level, related_for, RuleCtx};
use crate::catalog::{catalog, DcId, Environment};
use crate::finding::Finding;
use crate::model::{Binding, Loc, Target, TokenIdentity};

const ID: &str = "OT004";

/// The single data center of a binding with no run-time host choice.
fn fixed_dc(b: &Binding) -> Option<(DcId, Environment)> {
    // Profiles are OT003's.
    if b.kind == crate::model::BindingKind::Profile {
        return None;
    }
    if b.endpoints.iter().any(|e| matches!(e.target, Target::AnyEnv(_))) {
        return None;
    }
    let envs = b.environments();
    let dcs: BTreeSet<DcId> = envs.iter().map(|e| e.dc).collect();
    match dcs.len() {
        1 => envs
            .iter()
            .find(|e| e.kind.is_some())
            .or(envs.first())
            .map(|e| (e.dc, *e)),
        _ => None,
    }
}

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    let bindings = &ctx.model.bindings;
    let dc_name = |dc: DcId| catalog().data_centers[dc as usize].name.clone();
    let mut groups: BTreeMap<&TokenIdentity, Vec<(usize, DcId, Environment)>> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        let Some((dc, env)) = fixed_dc(b) else { continue };
        for id in b.identities() {
            groups.entry(id).or_default().push((i, dc, env));
        }
    }
    let mut reported = BTreeSet::new();
    for (id, members) in &groups {
        let dcs: BTreeSet<DcId> = members.iter().map(|m| m.1).collect();
        // A minted token's own data center is known: checked precisely below.
        if dcs.len() < 2 || matches!(id, TokenIdentity::Minted(_)) {
            continue;
        }
        // Members bucketed by data center: a member's others are read off
        // the other buckets (O(n × data centers), not O(n²)).
        let mut buckets: BTreeMap<DcId, (Vec<usize>, BTreeSet<Environment>)> = BTreeMap::new();
        for (k, m) in members.iter().enumerate() {
            let bucket = buckets.entry(m.1).or_default();
            bucket.0.push(k);
            bucket.1.insert(m.2);
        }
        for (i, dc, env) in members {
            if !reported.insert(*i) {
                continue;
            }
            let b = &bindings[*i];
            let elsewhere: Vec<&(Vec<usize>, BTreeSet<Environment>)> =
                buckets.iter().filter(|(d, _)| *d != dc).map(|(_, v)| v).collect();
            // The first few, in member order (`related_for` shows five).
            let mut shown: Vec<usize> = elsewhere.iter().flat_map(|(m, _)| m.iter().take(5).copied()).collect();
            shown.sort_unstable();
            shown.truncate(5);
            let others: Vec<(Loc, String)> = shown
                .iter()
                .map(|&k| {
                    let m = &members[k];
                    (
                        bindings[m.0].at,
                        format!("the same token is used in data center {} here", dc_name(m.1)),
                    )
                })
                .collect();
            let other_envs: Vec<Environment> = elsewhere.iter().flat_map(|(_, envs)| envs.iter().copied()).collect();
            let origin = b.tokens.iter().find(|t| &t.identity == *id).map(|t| t.origin);
            let mut all = vec![*env];
            all.extend(other_envs.iter().copied());
            out.push(Finding {
                rule: ID,
                level: level(ID),
                message: format!(
                    "token `{id}` is used in data center {} here and in {} elsewhere; tokens never cross data centers",
                    dc_name(*dc),
                    other_envs
                        .iter()
                        .map(|e| dc_name(e.dc))
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                label: format!("{} uses `{id}` in data center {}", describe(b.kind), dc_name(*dc)),
                primary: b.at,
                related: related_for(b, origin, &others),
                help: "mint one token per data center, at that data center's accounts server".into(),
                token: Some(id.to_string()),
                environments: env_names(&all),
                fingerprint: String::new(),
            });
        }
    }
    // Minted at one DC's accounts server, used at another DC's API.
    for (i, b) in bindings.iter().enumerate() {
        if reported.contains(&i) {
            continue;
        }
        for t in &b.tokens {
            let Some(minted) = t.minted_dc else { continue };
            let wrong: Vec<Environment> = b.api_environments().into_iter().filter(|e| e.dc != minted).collect();
            let Some(env) = wrong.first().copied() else {
                continue;
            };
            let dcs: Vec<String> = wrong
                .iter()
                .map(|e| dc_name(e.dc))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            out.push(Finding {
                rule: ID,
                level: level(ID),
                message: format!(
                    "token `{}` is minted at the {} accounts server but used at the {} API",
                    t.identity,
                    dc_name(minted),
                    dcs.join(" / ")
                ),
                label: format!("{} uses a {} token in {}", describe(b.kind), dc_name(minted), env),
                primary: b.at,
                related: related_for(b, Some(t.origin), &[]),
                help:
                    "refresh at the accounts server of the token's data center and call the api_domain returned with it"
                        .into(),
                token: Some(t.identity.to_string()),
                environments: env_names(&wrong),
                fingerprint: String::new(),
            });
            break;
        }
    }
    out
}
