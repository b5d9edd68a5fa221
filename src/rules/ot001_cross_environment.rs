//! OT001 cross-environment-token: one token identity bound to Environments
//! that differ in environment (production/sandbox/developer), and SDK
//! switches to another environment that pass no token.

use std::collections::{BTreeMap, BTreeSet};

use super::{at_binding, describe, env_names, finding, hosts_written, related_for, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::Finding;
use crate::model::{Binding, BindingKind, Loc, Target, TokenIdentity};

const ID: &str = "OT001";

/// A binding with exactly one API environment and no run-time host.
fn fixed_env(b: &Binding) -> Option<Environment> {
    if !hosts_written(b) {
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
    // One result per root cause: a token's home environment (production
    // when it has one) stays quiet; each other environment it reaches is
    // reported once, at its first binding, with the rest as related places.
    for (id, members) in &groups {
        let kinds: BTreeSet<EnvKind> = members.iter().filter_map(|(_, e)| e.kind).collect();
        if kinds.len() < 2 {
            continue;
        }
        let home = if kinds.contains(&EnvKind::Production) {
            EnvKind::Production
        } else {
            *kinds.iter().next().expect("two kinds")
        };
        for kind in kinds.iter().filter(|k| **k != home) {
            let mut here: Vec<(usize, Environment)> =
                members.iter().copied().filter(|(_, e)| e.kind == Some(*kind)).collect();
            here.sort_by_key(|(i, _)| bindings[*i].at);
            let Some(&(first, env)) = here.first() else { continue };
            let b = &bindings[first];
            let mut others: Vec<(Loc, String)> = here[1..]
                .iter()
                .filter(|(j, _)| bindings[*j].at != b.at)
                .map(|(j, e)| (bindings[*j].at, format!("the same token is used with {e} here too")))
                .collect();
            others.sort();
            others.dedup_by(|a, b| a.0 == b.0);
            let mut elsewhere: Vec<(Loc, String)> = members
                .iter()
                .filter(|(j, e)| e.kind != Some(*kind) && bindings[*j].at != b.at)
                .map(|(j, e)| (bindings[*j].at, format!("the same token is used with {e} here")))
                .collect();
            elsewhere.sort();
            elsewhere.dedup_by(|a, b| a.0 == b.0);
            // The other environments first: they are what makes this one break.
            elsewhere.extend(others);
            let other_envs: Vec<Environment> = members.iter().map(|(_, e)| *e).filter(|e| e.kind != env.kind).collect();
            let origin = b.tokens.iter().find(|t| &t.identity == *id).map(|t| t.origin);
            let mut all: Vec<Environment> = vec![env];
            all.extend(other_envs.iter().copied());
            out.push(Finding {
                message: format!(
                    "token `{id}` is used with {env} here and with {} elsewhere; a token is valid in one environment only",
                    env_names(&other_envs).join(", ")
                ),
                label: format!("{} sends `{id}` to {env}", describe(b.kind)),
                help: "mint one token per environment and select it with the environment (e.g. ZOHO_PROD_REFRESH_TOKEN / ZOHO_SANDBOX_REFRESH_TOKEN)".into(),
                ..at_binding(ID, b, id.to_string(), origin, &elsewhere, env_names(&all))
            });
        }
    }
    // SDK switch without a token: the SDK reuses the previous one. The SDK
    // initialisations and switches that carry a token, per environment kind,
    // in binding order: each switch reads the first few of the other kinds
    // (linear in the bindings, however many switches there are).
    let mut carrying: BTreeMap<Option<EnvKind>, Vec<(usize, Environment)>> = BTreeMap::new();
    for (i, o) in bindings.iter().enumerate() {
        if matches!(o.kind, BindingKind::SdkInit | BindingKind::SdkSwitch) && !o.tokens.is_empty() {
            if let Some(e) = fixed_env(o) {
                carrying.entry(e.kind).or_default().push((i, e));
            }
        }
    }
    for b in bindings
        .iter()
        .filter(|b| b.kind == BindingKind::SdkSwitch && b.tokens.is_empty())
    {
        let Some(env) = fixed_env(b) else { continue };
        let mut previous: Vec<(usize, Environment)> = carrying
            .iter()
            .filter(|(k, _)| **k != env.kind)
            .flat_map(|(_, v)| v.iter().take(super::MAX_SITES).copied())
            .collect();
        previous.sort_by_key(|(i, _)| *i);
        previous.truncate(super::MAX_SITES);
        let previous: Vec<(&Binding, Environment)> = previous.into_iter().map(|(i, e)| (&bindings[i], e)).collect();
        let Some(&(first, prev_env)) = previous.first() else {
            continue;
        };
        let id = first.identities().first().map(|i| i.to_string()).unwrap_or_default();
        let others: Vec<(Loc, String)> = previous
            .iter()
            .map(|(o, e)| (o.at, format!("the SDK was initialised with `{id}` for {e} here")))
            .collect();
        out.push(Finding {
            message: format!(
                "SDK switch to {env} passes no token, so the SDK reuses the previous token (`{id}`, minted for {prev_env})"
            ),
            label: format!("switch to {env} without a token"),
            help: "pass the token minted for this environment: switch_user(environment=…, token=…) / .token(…) before .switchUser()".into(),
            ..at_binding(ID, b, id.clone(), None, &others, env_names(&[env, prev_env]))
        });
    }
    out.extend(pinned_beside_stored_domain(ctx));
    let reported: BTreeSet<Loc> = out.iter().map(|f| f.primary.loc()).collect();
    out.extend(
        keyed_token_at_pinned_host(ctx)
            .into_iter()
            .filter(|f| !reported.contains(&f.primary.loc())),
    );
    let reported: BTreeSet<Loc> = out.iter().map(|f| f.primary.loc()).collect();
    out.extend(
        pinned_beside_switch(ctx)
            .into_iter()
            .filter(|f| !reported.contains(&f.primary.loc())),
    );
    out
}

/// A request that pins one environment's host with a token that another
/// request of the same file sends to a host chosen at run time among
/// environments (the token not chosen with it): in a deployment where the
/// choice takes the other environment, the token that works there is sent
/// here too. Reported at the pinned request (the switch is its own OT002),
/// with the switch as a related place.
fn pinned_beside_switch(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    // (file, token identity) → (the environment kinds a switch chooses among, its binding)
    let mut switched: BTreeMap<(_, &TokenIdentity), (BTreeSet<EnvKind>, Loc)> = BTreeMap::new();
    for b in bindings {
        let selected: BTreeSet<&str> = b.endpoints.iter().filter_map(|e| e.selector.as_deref()).collect();
        let kinds: BTreeSet<EnvKind> = b
            .endpoints
            .iter()
            .filter(|e| !e.token_endpoint && e.selector.is_some())
            .filter_map(|e| match e.target {
                Target::Env(env) => env.kind,
                _ => None,
            })
            .collect();
        // A helper's request whose host each of its calls chooses (a
        // literal flag per call) is no switch: its calls are judged.
        if kinds.len() < 2 || super::judged_at_callers(ctx.model, b, &selected) {
            continue;
        }
        for t in &b.tokens {
            // A token chosen by the switch's key follows it.
            if t.selector.as_deref().is_some_and(|s| selected.contains(s)) {
                continue;
            }
            let entry = switched
                .entry((b.at.file, &t.identity))
                .or_insert_with(|| (BTreeSet::new(), b.at));
            entry.0.extend(kinds.iter().copied());
        }
    }
    let mut out = Vec::new();
    for b in bindings {
        let Some(env) = fixed_env(b) else { continue };
        if b.endpoints.iter().any(|e| e.selector.is_some()) || b.tokens.iter().any(|t| t.selector.is_some()) {
            continue;
        }
        let ids = b.identities();
        let Some((id, (kinds, switch_at))) = ids.iter().find_map(|i| switched.get(&(b.at.file, *i)).map(|s| (*i, s)))
        else {
            continue;
        };
        if !kinds.iter().any(|k| Some(*k) != env.kind) || !kinds.contains(&env.kind.unwrap_or(EnvKind::Production)) {
            continue;
        }
        let origin = b.tokens.iter().find(|t| &t.identity == id).map(|t| t.origin);
        out.push(pinned_finding(
            b,
            (env, kinds),
            (id.to_string(), origin),
            (*switch_at, "here the host for the same token is chosen at run time"),
            [
                format!("token `{id}` is sent to a host chosen at run time elsewhere in this file, but this request pins {env}: where that choice takes another environment, its token is sent here"),
                format!("{} pins {env} beside a run-time host choice", describe(b.kind)),
                "choose this request's host with the same key as the other requests (and the token with it)".into(),
            ],
        ));
    }
    out
}

/// A token chosen by the key that chooses the host at another request
/// (`TOKEN = SANDBOX_TOKEN if SANDBOX else PROD_TOKEN`, keyed with `HOST`
/// there) sent to a pinned host: whichever branch the key takes, one of the
/// tokens meets an environment it was not paired with. Reported at the
/// request that pins the host, with the keyed request as a related place.
fn keyed_token_at_pinned_host(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    // selector → (its token identities, the environment kinds it chooses, the binding)
    let mut keyed: BTreeMap<&str, (BTreeSet<&TokenIdentity>, BTreeSet<EnvKind>, Loc)> = BTreeMap::new();
    for b in bindings {
        for t in &b.tokens {
            let Some(s) = t.selector.as_deref() else { continue };
            let kinds: BTreeSet<EnvKind> = b
                .endpoints
                .iter()
                .filter(|e| e.chosen_by(Some(s)))
                .filter_map(|e| match e.target {
                    Target::Env(env) => env.kind,
                    _ => None,
                })
                .collect();
            if kinds.len() < 2 {
                continue;
            }
            let entry = keyed
                .entry(s)
                .or_insert_with(|| (BTreeSet::new(), BTreeSet::new(), b.at));
            entry.0.insert(&t.identity);
            entry.1.extend(kinds);
        }
    }
    let mut out = Vec::new();
    for b in bindings {
        let Some(env) = fixed_env(b) else { continue };
        if b.endpoints.iter().any(|e| e.selector.is_some()) {
            continue;
        }
        let Some(sel) = b.tokens.first().and_then(|t| t.selector.as_deref()) else {
            continue;
        };
        let ids = b.identities();
        if ids.len() < 2 || b.tokens.iter().any(|t| t.selector.as_deref() != Some(sel)) {
            continue;
        }
        let Some((keyed_ids, kinds, keyed_at)) = keyed.get(sel) else {
            continue;
        };
        if !ids.iter().all(|i| keyed_ids.contains(i)) || !kinds.iter().any(|k| Some(*k) != env.kind) {
            continue;
        }
        let id = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        let origin = b.tokens.first().map(|t| t.origin);
        out.push(pinned_finding(
            b,
            (env, kinds),
            (id.clone(), origin),
            (*keyed_at, "here the same key chooses the host with the token"),
            [
                format!("token `{id}` is chosen at run time with the environment, but this request pins {env}: in the other environment its token is sent here"),
                format!("{} pins {env} for an environment's token", describe(b.kind)),
                "send the request to the host chosen with the token (the same key), or use the production token here".into(),
            ],
        ));
    }
    out
}

/// The OT001 of a request `b` pinning `env` for token `id` (from `origin`)
/// that elsewhere meets the environments `kinds` a run-time choice takes,
/// at `choice`: its message, label and help.
fn pinned_finding(
    b: &Binding,
    (env, kinds): (Environment, &BTreeSet<EnvKind>),
    (id, origin): (String, Option<Loc>),
    choice: (Loc, &str),
    [message, label, help]: [String; 3],
) -> Finding {
    let others = [(choice.0, choice.1.to_string())];
    let mut all = vec![env];
    all.extend(
        kinds
            .iter()
            .filter(|k| Some(**k) != env.kind)
            .map(|k| Environment { kind: Some(*k), ..env }),
    );
    Finding {
        message,
        label,
        help,
        ..at_binding(ID, b, id, origin, &others, env_names(&all))
    }
}

/// The project of the file at `path`: the deepest directory above it that
/// holds a file of `placed`, else its own directory (`""`, the whole tree,
/// only for a file at the root). A record kind read in one service of
/// a monorepo says nothing of another service's records.
fn project_of<'p>(placed: &[&str], path: &'p str) -> &'p str {
    // The top-level directory of a deeper file is a project only when
    // nothing below it is (a tree of services, of fixtures).
    let top = path.find('/').map(|i| &path[..=i]);
    let own = path.rfind('/').map_or("", |i| &path[..=i]);
    path.rmatch_indices('/')
        .map(|(i, _)| &path[..=i])
        .filter(|dir| Some(*dir) != top || *dir == own)
        .find(|dir| placed.iter().any(|p| p.starts_with(dir)))
        .unwrap_or(own)
}

/// The token key a token identity reads from a record (`…account.accessToken`
/// → `accessToken`), if it is one.
fn record_key(id: &TokenIdentity) -> Option<&str> {
    match id {
        TokenIdentity::Symbol(s) | TokenIdentity::Param(s) => {
            let tail = s.rsplit("::").next().unwrap_or(s);
            tail.rsplit_once('.').map(|(_, k)| k).filter(|k| !k.is_empty())
        }
        _ => None,
    }
}

/// A request that pins an API host for a token read from a record of the
/// kind that keeps the API domain returned with its token (the code reads
/// `account.apiDomain` beside `account.accessToken` elsewhere): the record
/// may have been connected in any environment or data center, and the pinned
/// host is only one of them. Reported at the pinned host (where the reviewer
/// puts the record's domain instead), one result per host literal.
fn pinned_beside_stored_domain(ctx: &RuleCtx) -> Vec<Finding> {
    let records = &ctx.model.domain_records;
    let mut causes: BTreeMap<Loc, Finding> = BTreeMap::new();
    if records.is_empty() {
        return Vec::new();
    }
    let paths = &ctx.model.paths;
    // The paths of the files that hold a binding (one that follows the
    // token's own domain too: a service that does it right is a project).
    let placed: Vec<&str> = ctx
        .model
        .bindings
        .iter()
        .filter_map(|b| paths.get(b.at.file).map(String::as_str))
        .collect();
    for b in &ctx.model.bindings {
        if b.derived || b.kind != BindingKind::Call && b.kind != BindingKind::Helper {
            continue;
        }
        let Some(env) = fixed_env(b) else { continue };
        if b.endpoints.iter().any(|e| e.selector.is_some() || e.token_endpoint) {
            continue;
        }
        let path = |f: usize| paths.get(f).map_or("", String::as_str);
        let Some((token, domain_at)) = b.tokens.iter().find_map(|t| {
            let k = record_key(&t.identity)?;
            records
                .iter()
                .find(|(r, at)| r == k && path(b.at.file).starts_with(project_of(&placed, path(at.file))))
                .map(|(_, at)| (t, *at))
        }) else {
            continue;
        };
        let host = b
            .endpoints
            .iter()
            .filter(|e| matches!(e.target, Target::Env(x) if x.kind.is_some()))
            .map(|e| e.origin)
            .min()
            .unwrap_or(b.at);
        if let Some(kept) = causes.get_mut(&host) {
            super::add_related_site(kept, b, "sends the token to the pinned host");
            continue;
        }
        let id = &token.identity;
        // The token's origin first (the code flow starts there), then the
        // request that sends it, then where such a record's domain is used.
        let mut related = related_for(b, Some(token.origin), &[]);
        if host != b.at {
            related.push(crate::finding::Related {
                loc: b.at.into(),
                message: format!("{} sends the token to the pinned host", describe(b.kind)),
            });
        }
        related.push(crate::finding::Related {
            loc: domain_at.into(),
            message: "such a record's own API domain is read here".into(),
        });
        let f = Finding {
            message: format!(
                "token `{id}` is read from a record that keeps the API domain returned with it, but this request pins {env}; a record connected in another environment or data center breaks here"
            ),
            label: format!("{env} is pinned for the record's token"),
            help: "send the request to the API domain stored with the token (the record's api_domain), as the other requests do".into(),
            related,
            token: Some(id.to_string()),
            environments: env_names(&[env]),
            ..finding(ID, host)
        };
        causes.insert(host, f);
    }
    causes.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::project_of;

    #[test]
    fn a_record_in_a_project_without_requests_stays_in_its_own_directory() {
        let placed = ["services/a/api/deals.js", "services/b/lib/leads.js"];
        // A service with requests is the project of the records below it.
        assert_eq!(project_of(&placed, "services/a/store/accounts.js"), "services/a/");
        // A service without requests does not reach its neighbours through
        // the top-level directory they share.
        assert_eq!(project_of(&placed, "services/c/accounts.js"), "services/c/");
        // A file directly in the top-level directory has it as its project.
        assert_eq!(project_of(&placed, "services/accounts.js"), "services/");
        assert_eq!(project_of(&placed, "accounts.js"), "");
    }
}
