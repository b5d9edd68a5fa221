//! OT003 shared-token-across-profiles: two profiles (config sections,
//! `.env.*` files, CI jobs, compose services, Postman environments) that
//! target different Environments with the same token identity; and one
//! profile holding one token beside endpoints of several environments.
//! Profiles that inherit one definition of the token are one root cause:
//! its home (the profile defining it, else the production one) stays
//! quiet, and each profile that brings another environment is reported.

use std::collections::{BTreeMap, BTreeSet};

use super::{at_binding, env_names, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::Finding;
use crate::model::{Binding, BindingKind, Loc, TokenIdentity};

const ID: &str = "OT003";
/// Other profiles named in a message (and related locations): the rest
/// are counted.
const MAX_NAMED: usize = 5;

/// The Environments a profile targets: its API environments, or its
/// data-center-only hosts when it names no API host.
fn targets(b: &Binding) -> Vec<Environment> {
    let api = b.api_environments();
    if api.is_empty() {
        b.environments()
    } else {
        api
    }
}

/// Is `x` one of `set`'s environments? A data-center-only place (an
/// accounts server, a local API beside it) serves every environment of its
/// data center, so it neither differs from nor adds to them.
fn covers(set: &BTreeSet<Environment>, x: &Environment) -> bool {
    set.contains(x)
        || set
            .iter()
            .any(|e| e.dc == x.dc && (x.kind.is_none() || e.kind.is_none()))
}

/// Where `b`'s token `id` is defined.
fn origin(b: &Binding, id: &TokenIdentity) -> Option<Loc> {
    b.tokens.iter().find(|t| &t.identity == id).map(|t| t.origin)
}

/// The member of a family (members sharing the token defined at `origin`)
/// that is the token's home: the profile that defines it, else the first
/// production profile, else the first profile.
fn home(bindings: &[Binding], members: &[(usize, Vec<Environment>)], origin: Loc, family: &[usize]) -> usize {
    let defines = |k: &usize| {
        let at = bindings[members[*k].0].at;
        at.file == origin.file && at.span.start <= origin.span.start && origin.span.end <= at.span.end
    };
    let production = |k: &usize| members[*k].1.iter().any(|e| e.kind == Some(EnvKind::Production));
    let first = |pred: &dyn Fn(&usize) -> bool| {
        family
            .iter()
            .filter(|k| pred(k))
            .min_by_key(|k| bindings[members[**k].0].at)
            .copied()
    };
    first(&defines)
        .or_else(|| first(&production))
        .or_else(|| first(&|_| true))
        .expect("a family has members")
}

fn name(b: &Binding) -> &str {
    b.profile.as_deref().unwrap_or("?")
}

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    let profiles: Vec<usize> = (0..bindings.len())
        .filter(|&i| bindings[i].kind == BindingKind::Profile)
        .collect();
    let mut out = Vec::new();
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    // One profile, one token, several environments.
    for &i in &profiles {
        let b = &bindings[i];
        let envs = targets(b);
        let ids = b.identities();
        if envs.len() >= 2 && ids.len() == 1 {
            let id = ids[0].to_string();
            let others: Vec<(Loc, String)> = b
                .endpoints
                .iter()
                .filter(|e| e.origin != b.at)
                .map(|e| (e.origin, "an endpoint of this profile".to_string()))
                .collect();
            reported.insert(i);
            out.push(Finding {
                message: format!(
                    "profile `{}` holds one token, `{id}`, beside endpoints for {}; a token is valid in one environment only",
                    name(b),
                    env_names(&envs).join(", ")
                ),
                label: format!("`{id}` is set for {} environments", envs.len()),
                help: "give each environment its own token setting (e.g. ZOHO_SANDBOX_REFRESH_TOKEN beside the sandbox URL)"
                    .into(),
                ..at_binding(ID, b, id, b.tokens.first().map(|t| t.origin), &others, env_names(&envs))
            });
        }
    }
    // Profiles sharing a token identity across environments.
    let mut groups: BTreeMap<&TokenIdentity, Vec<(usize, Vec<Environment>)>> = BTreeMap::new();
    for &i in &profiles {
        let b = &bindings[i];
        let envs = targets(b);
        if envs.is_empty() {
            continue;
        }
        for id in b.identities() {
            groups.entry(id).or_default().push((i, envs.clone()));
        }
    }
    for (id, members) in &groups {
        let all: BTreeSet<Environment> = members.iter().flat_map(|(_, e)| e.iter().copied()).collect();
        if all.len() < 2 {
            continue;
        }
        // Members bucketed by the environments they target: a member's
        // others are read off the few buckets, so a group of n profiles
        // costs O(n × buckets), not O(n²) (6,000 INI sections sharing one
        // token took 12.8 s, 2.6 GB and wrote 386 MB of JSON).
        let mut buckets: BTreeMap<BTreeSet<Environment>, Vec<usize>> = BTreeMap::new();
        for (k, (_, envs)) in members.iter().enumerate() {
            buckets.entry(envs.iter().copied().collect()).or_default().push(k);
        }
        // Where each member's token is defined: profiles that inherit one
        // definition are one family, and the family's home (the profile
        // defining it, else its production profile) stays quiet.
        let origins: Vec<Option<Loc>> = members.iter().map(|(i, _)| origin(&bindings[*i], id)).collect();
        let mut families: BTreeMap<Loc, Vec<usize>> = BTreeMap::new();
        for (k, o) in origins.iter().enumerate() {
            if let Some(o) = o {
                families.entry(*o).or_default().push(k);
            }
        }
        let homes: BTreeMap<Loc, usize> = families
            .iter()
            .filter(|(_, fam)| fam.len() > 1)
            .map(|(o, fam)| (*o, home(bindings, members, *o, fam)))
            .collect();
        // The distinct definitions in each bucket (two are enough to know).
        let bucket_origins: BTreeMap<&BTreeSet<Environment>, BTreeSet<Option<Loc>>> = buckets
            .iter()
            .map(|(set, ks)| {
                let mut distinct = BTreeSet::new();
                for &k in ks {
                    distinct.insert(origins[k]);
                    if distinct.len() > 1 {
                        break;
                    }
                }
                (set, distinct)
            })
            .collect();
        for (k, (i, envs)) in members.iter().enumerate() {
            let b = &bindings[*i];
            let here: BTreeSet<Environment> = envs.iter().copied().collect();
            let elsewhere: Vec<(&BTreeSet<Environment>, &Vec<usize>)> = buckets
                .iter()
                .filter(|(set, _)| set.iter().any(|x| !covers(&here, x)))
                .collect();
            let count: usize = elsewhere.iter().map(|(_, m)| m.len()).sum();
            if count == 0 {
                continue;
            }
            if let Some(&h) = origins[k].as_ref().and_then(|o| homes.get(o)) {
                let only_family = elsewhere.iter().all(|(set, _)| {
                    bucket_origins
                        .get(set)
                        .is_some_and(|os| os.iter().all(|o| *o == origins[k]))
                });
                let home_envs: BTreeSet<Environment> = members[h].1.iter().copied().collect();
                if only_family && (h == k || here.iter().all(|x| covers(&home_envs, x))) {
                    continue;
                }
            }
            if !reported.insert(*i) {
                continue;
            }
            // The first few others, in member order.
            let mut shown: Vec<usize> = elsewhere
                .iter()
                .flat_map(|(_, m)| m.iter().take(MAX_NAMED).copied())
                .collect();
            shown.sort_unstable();
            shown.truncate(MAX_NAMED);
            let others: Vec<(Loc, String)> = shown
                .iter()
                .map(|&k| {
                    let (j, e) = &members[k];
                    (
                        bindings[*j].at,
                        format!(
                            "profile `{}` uses the same token for {}",
                            name(&bindings[*j]),
                            env_names(e).join(", ")
                        ),
                    )
                })
                .collect();
            let other_envs: Vec<Environment> = elsewhere
                .iter()
                .flat_map(|(set, _)| set.iter().copied())
                .filter(|e| !covers(&here, e))
                .collect();
            let other_names: Vec<String> = shown
                .iter()
                .map(|&k| name(&bindings[members[k].0]).to_string())
                .collect();
            let more = count - shown.len();
            let listed = if more > 0 {
                format!("{}` and {more} more", other_names.join("`, `"))
            } else {
                other_names.join("`, `")
            };
            let origin = origin(b, id);
            let mut all_envs = envs.clone();
            all_envs.extend(other_envs.iter().copied());
            let plural = count > 1;
            out.push(Finding {
                message: format!(
                    "profile `{}` uses token `{id}` for {}, and profile{} `{listed}{} use{} it for {}; a token is valid in one environment only",
                    name(b),
                    env_names(envs).join(", "),
                    if plural { "s" } else { "" },
                    if more > 0 { "" } else { "`" },
                    if plural { "" } else { "s" },
                    env_names(&other_envs).join(", ")
                ),
                label: format!("`{id}` is shared with another environment's profile"),
                help: "give each profile its own token (its own secret or env var), minted in that profile's environment"
                    .into(),
                ..at_binding(ID, b, id.to_string(), origin, &others, env_names(&all_envs))
            });
        }
    }
    out
}
