//! OT001 cross-environment-token: one token identity bound to Environments
//! that differ in environment (production/sandbox/developer), and SDK
//! switches to another environment that pass no token.

use std::collections::{BTreeMap, BTreeSet};

use super::{describe, env_names, level, related_for, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::Finding;
use crate::model::{Binding, BindingKind, Loc, Target, TokenIdentity};

const ID: &str = "OT001";

/// A binding with exactly one API environment and no run-time host.
fn fixed_env(b: &Binding) -> Option<Environment> {
    // Profiles are OT003's.
    if b.kind == BindingKind::Profile {
        return None;
    }
    if b.endpoints.iter().any(|e| matches!(e.target, Target::AnyEnv(_))) {
        return None;
    }
    let envs = b.api_environments();
    match envs.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    let bindings = &ctx.model.bindings;
    // token identity → (binding index, environment)
    let mut groups: BTreeMap<&TokenIdentity, Vec<(usize, Environment)>> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        let Some(env) = fixed_env(b) else { continue };
        for id in b.identities() {
            groups.entry(id).or_default().push((i, env));
        }
    }
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    for (id, members) in &groups {
        let kinds: BTreeSet<EnvKind> = members.iter().filter_map(|(_, e)| e.kind).collect();
        if kinds.len() < 2 {
            continue;
        }
        // Members bucketed by environment kind: a member's others are read
        // off the other buckets (O(n × kinds), not O(n²)).
        let mut buckets: BTreeMap<Option<EnvKind>, (Vec<usize>, BTreeSet<Environment>)> = BTreeMap::new();
        for (k, (_, e)) in members.iter().enumerate() {
            let bucket = buckets.entry(e.kind).or_default();
            bucket.0.push(k);
            bucket.1.insert(*e);
        }
        for (i, env) in members {
            if !reported.insert(*i) {
                continue;
            }
            let b = &bindings[*i];
            let elsewhere: Vec<&(Vec<usize>, BTreeSet<Environment>)> = buckets
                .iter()
                .filter(|(kind, _)| **kind != env.kind)
                .map(|(_, v)| v)
                .collect();
            // The first few, in member order (`related_for` shows five).
            let mut shown: Vec<usize> = elsewhere
                .iter()
                .flat_map(|(m, _)| {
                    m.iter()
                        .filter(|&&k| bindings[members[k].0].at != b.at)
                        .take(5)
                        .copied()
                })
                .collect();
            shown.sort_unstable();
            shown.truncate(5);
            let others: Vec<(Loc, String)> = shown
                .iter()
                .map(|&k| {
                    let (j, e) = &members[k];
                    (bindings[*j].at, format!("the same token is used with {e} here"))
                })
                .collect();
            let other_envs: Vec<Environment> = elsewhere.iter().flat_map(|(_, envs)| envs.iter().copied()).collect();
            let origin = b.tokens.iter().find(|t| &t.identity == *id).map(|t| t.origin);
            let mut all: Vec<Environment> = vec![*env];
            all.extend(other_envs.iter().copied());
            out.push(Finding {
                rule: ID,
                level: level(ID),
                message: format!(
                    "token `{id}` is used with {env} here and with {} elsewhere; a token is valid in one environment only",
                    env_names(&other_envs).join(", ")
                ),
                label: format!("{} sends `{id}` to {env}", describe(b.kind)),
                primary: b.at,
                related: related_for(b, origin, &others),
                help: "mint one token per environment and select it with the environment (e.g. ZOHO_PROD_REFRESH_TOKEN / ZOHO_SANDBOX_REFRESH_TOKEN)".into(),
                token: Some(id.to_string()),
                environments: env_names(&all),
                fingerprint: String::new(),
            });
        }
    }
    // SDK switch without a token: the SDK reuses the previous one.
    for b in bindings
        .iter()
        .filter(|b| b.kind == BindingKind::SdkSwitch && b.tokens.is_empty())
    {
        let Some(env) = fixed_env(b) else { continue };
        let previous: Vec<&Binding> = bindings
            .iter()
            .filter(|o| matches!(o.kind, BindingKind::SdkInit | BindingKind::SdkSwitch) && !o.tokens.is_empty())
            .filter(|o| fixed_env(o).is_some_and(|e| e.kind != env.kind))
            .collect();
        let Some(first) = previous.first() else { continue };
        let prev_env = fixed_env(first).expect("filtered above");
        let id = first.identities().first().map(|i| i.to_string()).unwrap_or_default();
        let others: Vec<(Loc, String)> = previous
            .iter()
            .map(|o| {
                (
                    o.at,
                    format!(
                        "the SDK was initialised with `{id}` for {} here",
                        fixed_env(o).expect("filtered")
                    ),
                )
            })
            .collect();
        out.push(Finding {
            rule: ID,
            level: level(ID),
            message: format!(
                "SDK switch to {env} passes no token, so the SDK reuses the previous token (`{id}`, minted for {prev_env})"
            ),
            label: format!("switch to {env} without a token"),
            primary: b.at,
            related: related_for(b, None, &others),
            help: "pass the token minted for this environment: switch_user(environment=…, token=…) / .token(…) before .switchUser()".into(),
            token: Some(id.clone()),
            environments: env_names(&[env, prev_env]),
            fingerprint: String::new(),
        });
    }
    out
}
