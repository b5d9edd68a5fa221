//! OT004 cross-datacenter-token: one token identity definitely bound to
//! Environments in different data centers, or minted at one data center's
//! accounts server and used at another's API.

use std::collections::{BTreeMap, BTreeSet};

use super::{at_binding, describe, env_names, hosts_written, RuleCtx};
use crate::catalog::{catalog, DcId, Environment};
use crate::finding::Finding;
use crate::model::{Binding, Loc, Model, Target, TokenIdentity};

const ID: &str = "OT004";

/// The single data center of a binding with no run-time host choice.
fn fixed_dc(b: &Binding) -> Option<(DcId, Environment)> {
    if !hosts_written(b) {
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
    let mut groups: BTreeMap<&TokenIdentity, Vec<(usize, DcId, Environment)>> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        let Some((dc, env)) = fixed_dc(b) else { continue };
        for id in b.identities() {
            groups.entry(id).or_default().push((i, dc, env));
        }
    }
    // One result per root cause: a token's home data center (the first in
    // catalog order) stays quiet; each other data center it reaches is
    // reported once, at its first binding, with the rest as related places.
    let mut reported = BTreeSet::new();
    for (id, members) in &groups {
        let dcs: BTreeSet<DcId> = members.iter().map(|m| m.1).collect();
        // A minted token's own data center is known: checked precisely below.
        if dcs.len() < 2 || matches!(id, TokenIdentity::Minted(_)) {
            continue;
        }
        for i in members.iter().map(|m| m.0) {
            reported.insert(i);
        }
        let home = *dcs.iter().next().expect("two data centers");
        for dc in dcs.iter().filter(|d| **d != home) {
            let mut here: Vec<&(usize, DcId, Environment)> = members.iter().filter(|m| m.1 == *dc).collect();
            here.sort_by_key(|m| bindings[m.0].at);
            let Some(&&(first, _, env)) = here.first() else {
                continue;
            };
            let b = &bindings[first];
            let mut others: Vec<(Loc, String)> = members
                .iter()
                .filter(|m| bindings[m.0].at != b.at)
                .map(|m| {
                    let also = if m.1 == *dc { " too" } else { "" };
                    (
                        bindings[m.0].at,
                        format!("the same token is used in data center {} here{also}", dc_name(m.1)),
                    )
                })
                .collect();
            // The other data centers first: they are what makes this one break.
            others.sort_by_key(|(loc, msg)| (msg.ends_with(" too"), *loc));
            others.dedup_by(|a, b| a.0 == b.0);
            let other_envs: Vec<Environment> = members.iter().filter(|m| m.1 != *dc).map(|m| m.2).collect();
            let origin = b.tokens.iter().find(|t| &t.identity == *id).map(|t| t.origin);
            let mut all = vec![env];
            all.extend(other_envs.iter().copied());
            out.push(Finding {
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
                help: "mint one token per data center, at that data center's accounts server".into(),
                ..at_binding(ID, b, id.to_string(), origin, &others, env_names(&all))
            });
        }
    }
    // Minted at one DC's accounts server, used at another DC's API: one
    // result per token and pair of data centers, at its first use.
    let mut minted_causes: BTreeMap<(String, DcId, Vec<String>), usize> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        if reported.contains(&i) {
            continue;
        }
        for t in &b.tokens {
            let Some(minted) = t.minted_dc else { continue };
            if minted_keyed(ctx.model, b, t, minted) {
                continue;
            }
            // A token read from a record that supplies the API host too
            // meets that record's hosts only.
            let own = record_hosts(ctx.model, b, t);
            let wrong: Vec<Environment> = if own.is_empty() {
                b.api_environments()
            } else {
                own.iter()
                    .filter_map(|e| match e.target {
                        Target::Env(env) if env.kind.is_some() => Some(env),
                        _ => None,
                    })
                    .collect()
            };
            let wrong: Vec<Environment> = wrong.into_iter().filter(|e| e.dc != minted).collect();
            let Some(env) = wrong.first().copied() else {
                continue;
            };
            let dcs: Vec<String> = wrong
                .iter()
                .map(|e| dc_name(e.dc))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let key = (t.identity.to_string(), minted, dcs.clone());
            if let Some(&k) = minted_causes.get(&key) {
                super::add_related_site(&mut out[k], b, "uses the same token in the same data center");
                break;
            }
            minted_causes.insert(key, out.len());
            // The root place of a token minted at one fixed accounts server:
            // where a host of another data center is chosen at run time (the
            // setter's ternary, the map lookup). A token whose accounts server
            // is itself chosen at run time (alternatives minted in several
            // data centers) meets the other choice's host at the request:
            // that is where the two choices must become one.
            let accounts_chosen = b
                .tokens
                .iter()
                .any(|u| u.identity == t.identity && u.minted_dc.is_some_and(|dc| dc != minted));
            if let Some(fixed) = accounts_chosen.then(|| fixed_api_host(b)).flatten() {
                out.push(chosen_accounts_fixed_api(b, t, fixed));
                break;
            }
            let root = if accounts_chosen {
                b.at
            } else {
                b.endpoints
                    .iter()
                    .filter(|e| {
                        !e.token_endpoint
                            && matches!(e.target, Target::Env(env) if env.kind.is_some() && env.dc != minted)
                    })
                    // The innermost choice: an outer one that only adds a
                    // path to the same hosts took its key's place.
                    .filter_map(|e| e.inner_switch.or(e.switch))
                    // A choice made inside the request is the request's own.
                    .filter(|s| !inside(*s, b.at))
                    .min()
                    .unwrap_or(b.at)
            };
            let found = Finding {
                message: format!(
                    "token `{}` is minted at the {} accounts server but used at the {} API",
                    t.identity,
                    dc_name(minted),
                    dcs.join(" / ")
                ),
                label: format!(
                    "{} uses {} token in {}",
                    describe(b.kind),
                    with_article(&dc_name(minted)),
                    env
                ),
                help:
                    "refresh at the accounts server of the token's data center and call the api_domain returned with it"
                        .into(),
                ..at_binding(ID, b, t.identity.to_string(), Some(t.origin), &[], env_names(&wrong))
            };
            out.push(super::at_root(found, root, b));
            break;
        }
    }
    out.extend(accounts_chosen(bindings, &reported));
    out
}

/// The one data center a binding's requests go to, whatever chooses among
/// its hosts (a default beside a data-center parameter, a pinned host, a
/// class choice whose every arm is the same host): that data center and
/// where its first host is written.
fn fixed_api_host(b: &Binding) -> Option<(DcId, Loc)> {
    let mut api = b.endpoints.iter().filter(|e| !e.token_endpoint);
    let first = api.next()?;
    let Target::Env(env) = first.target else { return None };
    api.all(|e| matches!(e.target, Target::Env(x) if x.dc == env.dc))
        .then_some((env.dc, first.origin))
}

/// A token whose accounts server is chosen at run time (a data-center
/// parameter, a setting) used at an API host written once: every choice
/// but that host's data center breaks. One result, at the fixed host: the
/// place to choose it by the same key.
fn chosen_accounts_fixed_api(b: &Binding, t: &crate::model::TokenAlt, (dc, at): (DcId, Loc)) -> Finding {
    let minted: BTreeSet<DcId> = b
        .tokens
        .iter()
        .filter(|u| u.identity == t.identity)
        .filter_map(|u| u.minted_dc)
        .collect();
    let minted: Vec<String> = minted.into_iter().map(dc_name).collect();
    fixed_api_warning(
        b,
        t,
        format!("an accounts server chosen at run time ({})", minted.join(" / ")),
        dc,
        at,
        "the API host is fixed here; the accounts server is chosen at run time",
    )
}

/// The warning of a token minted at an accounts server chosen at run time
/// (`accounts`, as the message says it) and always used at data center
/// `dc`'s API, at `root`: whether it breaks is the run-time choice's.
fn fixed_api_warning(
    b: &Binding,
    t: &crate::model::TokenAlt,
    accounts: String,
    dc: DcId,
    root: Loc,
    label: &str,
) -> Finding {
    let found = Finding {
        level: crate::catalog::Level::Warning,
        message: format!(
            "token `{}` is minted at {accounts} but always used at the {} API",
            t.identity,
            dc_name(dc)
        ),
        help: "choose the API host by the same key as the accounts server (or call the api_domain returned with the token)"
            .into(),
        ..at_binding(ID, b, t.identity.to_string(), Some(t.origin), &[], env_names(&b.api_environments()))
    };
    let mut f = super::at_root(found, root, b);
    f.label = label.into();
    f
}

/// Minted at an accounts server the deployment's settings name, in any data
/// center, but used at one data center's API that nothing chooses (a legacy
/// SDK's default host): every deployment outside that data center breaks.
/// One result per configuration place; a warning, as the deployment's
/// setting decides whether it breaks.
fn accounts_chosen(bindings: &[Binding], reported: &BTreeSet<usize>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for (i, b) in bindings.iter().enumerate() {
        if reported.contains(&i) {
            continue;
        }
        let Some((t, at)) = b.tokens.iter().find_map(|t| t.accounts_chosen_at.map(|at| (t, at))) else {
            continue;
        };
        let api: Vec<&crate::model::EndpointAlt> = b.endpoints.iter().filter(|e| !e.token_endpoint).collect();
        let envs = b.api_environments();
        let fixed = !api.is_empty()
            && api
                .iter()
                .all(|e| e.selector.is_none() && matches!(e.target, Target::Env(_)));
        let [env] = envs.as_slice() else { continue };
        if !fixed || out.iter().any(|f| f.primary.loc() == at) {
            continue;
        }
        let mut f = fixed_api_warning(
            b,
            t,
            "the accounts server the deployment's settings name (any data center)".into(),
            env.dc,
            at,
            "the accounts server is chosen here, the API host is not",
        );
        f.help = "configure the API host of the same data center as the accounts server (or use the api_domain returned with the token)".into();
        out.push(f);
    }
    out
}

fn dc_name(dc: DcId) -> String {
    catalog().data_centers[dc as usize].name.clone()
}

/// `inner` lies within `outer`'s span.
fn inside(inner: Loc, outer: Loc) -> bool {
    inner.file == outer.file && inner.span.start >= outer.span.start && inner.span.end <= outer.span.end
}

/// Minted at an accounts server chosen by the same key as the API host
/// (`HOSTS[dc]["accounts"]` and `HOSTS[dc]["api"]`): each data center's token
/// goes to its own API. Every API host of another data center than `t`'s is
/// chosen by `t`'s key, or the token has an alternative of that data center
/// chosen the same way: by the same key, or, for the default that no key
/// chose (the `"au"` of `os.environ.get("ZOHO_DC") or "au"`), by none.
fn minted_keyed(model: &Model, b: &Binding, t: &crate::model::TokenAlt, minted: DcId) -> bool {
    // The API hosts this token can meet: not those given by another return
    // of the function that gave the token (another source's record).
    let api = || b.endpoints.iter().filter(|e| !e.token_endpoint && e.meets(t.branch));
    let in_dc = |e: &crate::model::EndpointAlt, dc: DcId| matches!(e.target, Target::Env(env) if env.dc == dc);
    // The accounts server and every API host were chosen by one key (a
    // parameter whose value both are derived from): one data center at run
    // time, whichever it is. An API host read from a record that supplies
    // a token too (`cfg.get("api_base", …)` beside `cfg.get("token_url",
    // …)`) meets that record's token only: keyed for any other token, and
    // for the record's own when they share a data center.
    let by_record = |e: &crate::model::EndpointAlt| {
        let Some(sel) = e.selector.as_deref() else { return false };
        let mut theirs = b
            .tokens
            .iter()
            .filter(|u| u.identity == t.identity && u.selector.as_deref().is_some_and(|s| same_record(model, s, sel)));
        match theirs.next() {
            None => false,
            // The record's own token, in the host's data center or not.
            Some(_) if t.selector.as_deref().is_some_and(|s| same_record(model, s, sel)) => in_dc(e, minted),
            // Another record's token never meets this host.
            Some(_) => true,
        }
    };
    if t.selector.is_some()
        && api().next().is_some()
        && api().all(|e| e.chosen_by(t.selector.as_deref()) || by_record(e))
    {
        return true;
    }
    // A token read from such a record is used with that record's API host.
    let own = record_hosts(model, b, t);
    if !own.is_empty() && own.iter().all(|e| in_dc(e, minted)) {
        return true;
    }
    // The token's own data center is among the API hosts: written, or
    // built at run time (`www.zohoapis.{region}`).
    let api_built = b
        .endpoints
        .iter()
        .any(|e| !e.token_endpoint && matches!(e.target, Target::AnyDc(_)));
    if !api_built && !b.api_environments().iter().any(|e| e.dc == minted) {
        return false;
    }
    let alternative_in = |dc: DcId, selector: Option<&str>| {
        b.tokens
            .iter()
            .any(|u| u.identity == t.identity && u.minted_dc == Some(dc) && u.selector.as_deref() == selector)
    };
    api()
        .filter_map(|e| match e.target {
            Target::Env(env) if env.kind.is_some() && env.dc != minted => Some((env.dc, e)),
            _ => None,
        })
        .all(|(dc, e)| match &e.selector {
            Some(sel) => {
                // Chosen by the token's key, or by another key the token
                // follows too, minted in that host's data center (the
                // alternatives of one setting: a parameter's default or the
                // env var that replaces it).
                e.chosen_by(t.selector.as_deref()) || alternative_in(dc, Some(sel)) || by_record(e)
            }
            None => t.selector.is_some() && alternative_in(dc, None),
        })
}

/// `a US`, `an EU`: the article for a data center's initials, as they are
/// read aloud (letter by letter).
fn with_article(initials: &str) -> String {
    let vowel_sound = initials.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X']);
    format!("{} {initials}", if vowel_sound { "an" } else { "a" })
}

/// The API hosts read from the record `t` is read from (its key and theirs
/// fields of one record).
fn record_hosts<'a>(model: &Model, b: &'a Binding, t: &crate::model::TokenAlt) -> Vec<&'a crate::model::EndpointAlt> {
    let Some(sel) = t.selector.as_deref() else {
        return Vec::new();
    };
    b.endpoints
        .iter()
        .filter(|e| !e.token_endpoint && e.selector.as_deref().is_some_and(|s| same_record(model, s, sel)))
        .collect()
}

/// Two keys that are fields of one record the program read
/// (`app.py::Client._load.cfg.api_base` and `….cfg.token_url`): one
/// configuration supplies both.
fn same_record(model: &Model, a: &str, b: &str) -> bool {
    let record = |k: &str| {
        model
            .records
            .binary_search_by(|(f, _)| f.as_str().cmp(k))
            .ok()
            .map(|i| model.records[i].1.as_str())
    };
    record(a).is_some() && record(a) == record(b)
}
