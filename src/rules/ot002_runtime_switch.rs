//! OT002 runtime-environment-switch: an endpoint chosen at run time among
//! several environments while the token is not selected by the same key.
//! A data-center-only switch with a definite token is OT004 (reported here,
//! where the switch is known).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use super::{describe, env_names, related_for, RuleCtx};
use crate::catalog::{EnvKind, Environment, Level};
use crate::finding::Finding;
use crate::model::{deployment_key, profile_key, Binding, EndpointAlt, Loc, Model, Target, TokenIdentity};

/// What makes two results one: rule, token identity, environments, root
/// place — or, for a switch on one deployment-wide key, that key in that file.
type Cause = (&'static str, Option<String>, Vec<String>, Root);

/// Where a cause enters: a place, or a key that has one value for the whole
/// deployment (an env var, the profiles, a global constant) read again in
/// the same file: each read is a copy of the one choice, and the token
/// keyed by it once fixes them all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Root {
    Place(Loc),
    Key(usize, Vec<String>),
}

/// One result per root cause: the bindings that switch among the same
/// environments with the same token at the same switch are one finding, at
/// the switch (where the second environment enters), with each request site
/// as a related location.
pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let mut causes: BTreeMap<Cause, Finding> = BTreeMap::new();
    for b in &ctx.model.bindings {
        let Some((f, root)) = check_binding(b, ctx.model) else {
            continue;
        };
        let key = (f.rule, f.token.clone(), f.environments.clone(), cause_root(b, root));
        match causes.entry(key) {
            Entry::Vacant(e) => {
                e.insert(super::at_root(f, root, b));
            }
            Entry::Occupied(mut e) => super::add_site(e.get_mut(), &f, b),
        }
    }
    causes.into_values().collect()
}

/// The root of a binding's cause: its switch's place, or the switch's key
/// when every key that chooses the endpoint is deployment-wide.
fn cause_root(b: &Binding, root: Loc) -> Root {
    let mut keys: Vec<String> = b.endpoints.iter().filter_map(|e| e.selector.clone()).collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() && keys.iter().all(|k| deployment_wide(k)) {
        Root::Key(root.file, keys)
    } else {
        Root::Place(root)
    }
}

/// A key with one value for the whole deployment: an env var, the profiles
/// that set it, a module-level constant (`path::NAME`, no scope inside).
fn deployment_wide(key: &str) -> bool {
    if deployment_key(key) {
        return true;
    }
    match key.rsplit_once("::") {
        Some((path, name)) => {
            !path.contains(':') && !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// Where the second environment enters a binding's switch: the choice (the
/// ternary, the `if`, the map lookup) of the first alternative that is not
/// the home environment (production when there is one), else that
/// alternative's host; when every alternative is one environment built at
/// run time, the choice that builds it.
fn root_place(b: &Binding, api: &[&EndpointAlt]) -> Loc {
    let home = api
        .iter()
        .map(|e| e.target)
        .find(|t| {
            matches!(t, Target::Env(env) if env.kind == Some(EnvKind::Production))
                || *t == Target::AnyDc(EnvKind::Production)
        })
        .or_else(|| api.iter().map(|e| e.target).min());
    // A host whose data center is built at run time is the home
    // environment in any data center.
    let at_home = |t: Target| {
        Some(t) == home
            || match (t, home) {
                (Target::AnyDc(k), Some(Target::Env(h))) | (Target::Env(h), Some(Target::AnyDc(k))) => {
                    h.kind == Some(k)
                }
                _ => false,
            }
    };
    api.iter()
        .filter(|e| !at_home(e.target))
        .min_by_key(|e| (e.switch.unwrap_or(e.origin), e.origin))
        .map(|e| e.switch.unwrap_or(e.origin))
        // One environment built at run time: the choice that builds it.
        .or_else(|| api.iter().filter_map(|e| e.switch).min())
        .unwrap_or(b.at)
}

/// Where the second environment enters a binding that switches among
/// several (its API alternatives' choice, as [`root_place`] says).
pub(super) fn switch_root(b: &Binding) -> Loc {
    let api: Vec<&EndpointAlt> = b.endpoints.iter().filter(|e| !e.token_endpoint).collect();
    root_place(b, &api)
}

fn check_binding(b: &Binding, model: &Model) -> Option<(Finding, Loc)> {
    // Profiles are OT003's.
    if b.tokens.is_empty() || b.kind == crate::model::BindingKind::Profile {
        return None;
    }
    // Every token read from a store that keeps one token whatever the
    // environment: the store is the root cause (OT005's, where the
    // environments it meets are listed), not this switch.
    if b.tokens.iter().all(|t| unkeyed_store(model, &t.identity)) {
        return None;
    }
    let api: Vec<&crate::model::EndpointAlt> = b
        .endpoints
        .iter()
        .filter(|e| {
            matches!(e.target, Target::AnyEnv(_) | Target::AnyDc(_))
                || matches!(e.target, Target::Env(env) if env.kind.is_some())
        })
        .collect();
    let targets: BTreeSet<Target> = api.iter().map(|e| e.target).collect();
    let templated = targets.iter().any(|t| matches!(t, Target::AnyEnv(_)));
    if targets.len() < 2 && !templated {
        return None;
    }
    let envs: Vec<Environment> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Env(e) => Some(*e),
            Target::AnyEnv(_) | Target::AnyDc(_) => None,
        })
        .collect();
    // Environments whose data center is built at run time.
    let dc_templated: BTreeSet<EnvKind> = targets
        .iter()
        .filter_map(|t| match t {
            Target::AnyDc(kind) => Some(*kind),
            _ => None,
        })
        .collect();
    let kinds: BTreeSet<_> = envs
        .iter()
        .filter_map(|e| e.kind)
        .chain(dc_templated.iter().copied())
        .collect();
    let dcs: BTreeSet<_> = envs.iter().map(|e| e.dc).collect();
    let selectors: BTreeSet<&str> = api.iter().filter_map(|e| e.selector.as_deref()).collect();
    // Keyed: every key that chooses the endpoint also chooses the token, and
    // the branches hold different tokens.
    let token_selectors: BTreeSet<&str> = b.tokens.iter().filter_map(|t| t.selector.as_deref()).collect();
    let distinct_tokens = b.identities().len() > 1;
    if !selectors.is_empty() && selectors.is_subset(&token_selectors) && distinct_tokens {
        return None;
    }
    // A helper given both the token and the flag (`fetch(token, sandbox)`)
    // that the repository calls: its callers choose the pair, and each call
    // is a binding of its own (judged there). Uncalled, it is the place.
    // So is a helper given the flag only (`get(sandbox, path)` with its own
    // token) when every call of it binds the key (`super::judged_at_callers`).
    if super::judged_at_callers(model, b, &selectors) {
        return None;
    }
    // Keyed inside a data-center choice: the key that picks the environment
    // in every arm (`match (dc) { … => sandbox ? A::SANDBOX() : A::PRODUCTION() }`)
    // also picks the token, and the deployment supplies each token, so the
    // outer key only moves between data centers (which such deployments
    // already mint per data center: not reported, as below).
    if let Some(k) = environment_key(&api) {
        if distinct_tokens
            && token_selectors.contains(k)
            && api
                .iter()
                .all(|e| e.inner_selector.as_deref().or(e.selector.as_deref()) == Some(k))
            && b.tokens.iter().all(|t| t.identity.is_deployment())
        {
            return None;
        }
    }
    // Chosen by the deployment: an env var, or the profiles that set it;
    // so is every choice made inside those (a sandbox flag in a match arm).
    let deployment_switch = !selectors.is_empty()
        && selectors
            .iter()
            .copied()
            .chain(api.iter().filter_map(|e| e.inner_selector.as_deref()))
            .all(deployment_key);
    // The deployment supplies the token, unless every profile that chooses
    // the endpoint gives it one and the same token. A parameter beside the
    // deployment's token (`$code ?? config('zoho.token')`) is supplied at
    // run time by the caller: nothing here hard-codes it either.
    let covered = selectors.is_subset(&token_selectors);
    let supplied = b.tokens.iter().any(|t| t.identity.is_deployment());
    let deployment_token =
        b.tokens.iter().all(|t| {
            t.identity.is_deployment()
                || (supplied && matches!(t.identity, TokenIdentity::Param(_)))
                || t.selector.as_deref().is_some_and(profile_key)
        }) && !(covered && !distinct_tokens && b.tokens.iter().all(|t| t.selector.as_deref().is_some_and(profile_key)));
    let ids: Vec<String> = b.identities().iter().map(|i| i.to_string()).collect();
    let id = ids.join(", ");
    // Each alternative once, where it is written.
    let mut others: Vec<(Loc, String)> = Vec::new();
    let mut shown: BTreeSet<Target> = BTreeSet::new();
    let definite: BTreeSet<EnvKind> = envs.iter().filter_map(|e| e.kind).collect();
    for e in &api {
        if matches!(e.target, Target::AnyDc(k) if definite.contains(&k)) {
            continue;
        }
        if e.origin != b.at && shown.insert(e.target) {
            let what = match e.target {
                Target::Env(env) => format!("{env} is one alternative"),
                Target::AnyEnv(_) => "the host is built from a variable here".to_string(),
                Target::AnyDc(kind) => format!("{} is one alternative", any_dc_name(kind)),
            };
            others.push((e.origin, what));
        }
    }
    let token_origin = b.tokens.first().map(|t| t.origin);
    // The environments involved; one whose data center is built at run time
    // is named only when no definite data center names it already.
    let mut environments = env_names(&envs);
    environments.extend(dc_templated.difference(&definite).map(|k| any_dc_name(*k)));
    let mut names = environments.clone();
    if templated {
        names.push("an environment built at run time".to_string());
    }
    let env_list = names.join(" / ");
    let root = root_place(b, &api);
    if kinds.len() >= 2 || templated {
        let level = if deployment_switch && deployment_token {
            Level::Warning
        } else {
            Level::Error
        };
        let selector = environment_key(&api)
            .and_then(describe_selector)
            .or_else(|| selectors.iter().find_map(|s| describe_selector(s)))
            .unwrap_or_default();
        return Some((Finding {
            rule: "OT002",
            level,
            message: format!(
                "the endpoint is chosen at run time{selector} among {env_list}, but token `{id}` is not chosen with it"
            ),
            label: format!("{} switches environment with one token", describe(b.kind)),
            primary: b.at.into(),
            related: related_for(b, token_origin, &others),
            help:
                "select the token with the same key as the environment, or use the api_domain returned with the token"
                    .into(),
            token: Some(id),
            environments,
            fingerprint: String::new(),
            site: String::new(),
        }, root));
    }
    // A data-center-only switch: only a definite token is a finding.
    if dcs.len() >= 2 && b.tokens.iter().any(|t| t.identity.is_definite()) {
        return Some((
            Finding {
                rule: "OT004",
                level: super::level("OT004"),
                message: format!(
                "the data center is chosen at run time among {env_list}, but token `{id}` is the same in every branch"
            ),
                label: format!("{} switches data center with one token", describe(b.kind)),
                primary: b.at.into(),
                related: related_for(b, token_origin, &others),
                help: "mint one token per data center and select it with the data center".into(),
                token: Some(id),
                environments,
                fingerprint: String::new(),
                site: String::new(),
            },
            root,
        ));
    }
    None
}

/// Whether a token is read from (or minted from a read of) a token store
/// that is not keyed by org, environment or api_domain.
pub(super) fn unkeyed_store(model: &Model, id: &TokenIdentity) -> bool {
    model
        .stored_tokens
        .iter()
        .filter(|(i, _)| i == id)
        .any(|(_, at)| model.token_stores.iter().any(|s| s.at == *at && !s.keyed))
}

/// The key that chooses the environment (production, sandbox…) when an
/// outer choice took its place: two alternatives of one data center and
/// different environments behind the same key and switch (one match arm
/// over data centers) are told apart by the choice inside that arm.
fn environment_key<'a>(api: &[&'a EndpointAlt]) -> Option<&'a str> {
    let mut keys: Vec<&str> = Vec::new();
    for a in api {
        for b in api {
            let (Target::Env(x), Target::Env(y)) = (a.target, b.target) else {
                continue;
            };
            if x.dc == y.dc && x.kind != y.kind && a.selector == b.selector && a.switch == b.switch {
                keys.extend(a.inner_selector.as_deref());
            }
        }
    }
    keys.into_iter().min()
}

/// How a selector reads in a message: `env:ZOHO_ENV` → ` by env var `ZOHO_ENV``,
/// `app.py::Client.__init__.sandbox` → ` by `Client.__init__.sandbox``;
/// anonymous keys (a loop, a literal condition) are not named.
fn describe_selector(s: &str) -> Option<String> {
    if let Some(key) = s.strip_prefix("env:config:") {
        return Some(format!(" by setting `{key}`"));
    }
    if let Some(name) = s.strip_prefix("env:") {
        return Some(format!(" by env var `{name}`"));
    }
    if profile_key(s) {
        return Some(" by the deployment's settings (the profiles that set its variable)".to_string());
    }
    if s.starts_with("key@") || s.starts_with("cond@") {
        return None;
    }
    if s.starts_with("class:") {
        return Some(" by the instance's class".to_string());
    }
    let short = s.rsplit("::").next().unwrap_or(s);
    Some(format!(" by `{short}`"))
}

/// An environment in a data center chosen at run time, as messages say it.
fn any_dc_name(kind: EnvKind) -> String {
    format!("{} (data center chosen at run time)", kind.name())
}
