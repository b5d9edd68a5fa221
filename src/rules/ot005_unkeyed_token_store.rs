//! OT005 unkeyed-token-store: tokens persisted keyed by user (or client)
//! only — a legacy zcrmsdk config's user row, a token table without an org,
//! environment or api_domain column, a cache keyed by email — while more
//! than one environment is used: by the bindings of the store's own token
//! when it is known (a legacy config), else by the bindings of the store's
//! project: the deepest directory above the store that holds any binding (the
//! whole tree for one project; its own service in a monorepo, where another
//! service's environments are not this table's). Each environment's token
//! then overwrites, or is read as, the others'.

use std::collections::BTreeMap;

use super::{env_names, level, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::{Finding, Related};
use crate::model::{Binding, Loc, OrgAlt, TokenIdentity, TokenStore, TokenStoreKind};

const ID: &str = "OT005";

/// One place per environment kind (the first binding that uses it).
type Uses = BTreeMap<EnvKind, (Environment, Loc)>;

fn uses<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Uses {
    let mut by_kind = Uses::new();
    for b in bindings {
        for env in b.api_environments() {
            if let Some(k) = env.kind {
                by_kind.entry(k).or_insert((env, b.at));
            }
        }
    }
    by_kind
}

/// The orgs named with a store's tokens, one place each, when they are
/// several: two fixed org ids (or settings), or an org that varies at run
/// time (a loop, a lookup, a parameter).
fn several_orgs<'a>(orgs: impl Iterator<Item = &'a OrgAlt>) -> Vec<&'a OrgAlt> {
    let mut seen: Vec<&OrgAlt> = Vec::new();
    let mut varies = false;
    for o in orgs {
        varies |= o.varies();
        if !seen.iter().any(|s| s.org == o.org) {
            seen.push(o);
        }
    }
    if varies || seen.len() >= 2 {
        seen.sort_by_key(|o| o.origin);
        seen
    } else {
        Vec::new()
    }
}

/// The orgs of some bindings and of the tokens minted where `minted` says.
fn org_uses<'a>(
    ctx: &'a RuleCtx,
    bindings: impl Iterator<Item = &'a Binding>,
    minted: impl Fn(&TokenIdentity, &OrgAlt) -> bool,
) -> Vec<&'a OrgAlt> {
    let minted_orgs = ctx
        .model
        .minted_orgs
        .iter()
        .filter(|(id, o)| minted(id, o))
        .map(|(_, o)| o);
    several_orgs(bindings.flat_map(|b| b.orgs.iter()).chain(minted_orgs))
}

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    let paths = &ctx.model.paths;
    // Where environments are used: the bindings that have one, with their paths.
    let placed: Vec<(&str, &Binding)> = bindings
        .iter()
        .filter(|b| !b.api_environments().is_empty())
        .map(|b| (paths.get(b.at.file).map_or("", String::as_str), b))
        .collect();
    let found: Vec<(Vec<EnvKind>, Finding)> = ctx
        .model
        .token_stores
        .iter()
        .filter(|s| !s.keyed)
        .filter_map(|s| {
            let (by_kind, project, orgs) = match &s.token {
                Some(id) => {
                    let mine = || bindings.iter().filter(|b| b.tokens.iter().any(|t| &t.identity == id));
                    (uses(mine()), None, org_uses(ctx, mine(), |m, _| m == id))
                }
                None => {
                    let path = paths.get(s.at.file).map_or("", String::as_str);
                    let (dir, by_kind) = project_uses(&placed, path);
                    let under = |f: usize| paths.get(f).is_some_and(|p| p.starts_with(dir));
                    let orgs = org_uses(ctx, bindings.iter().filter(|b| under(b.at.file)), |_, o| {
                        under(o.origin.file)
                    });
                    (by_kind, Some(dir), orgs)
                }
            };
            let mut f = if by_kind.len() >= 2 {
                finding(s, &by_kind, project)
            } else if !orgs.is_empty() {
                org_finding(s, &orgs, project)
            } else {
                return None;
            };
            add_switches(ctx, s, &mut f);
            Some((own_switch(bindings, s), f))
        })
        .collect();
    one_per_copy(found)
}

/// The places that switch environments while every token they use is read
/// from this store (the switch OT002 leaves to this result): related, so
/// the reviewer sees what the stored token fails to follow.
fn add_switches(ctx: &RuleCtx, s: &TokenStore, f: &mut Finding) {
    let model = ctx.model;
    for b in &model.bindings {
        let mut kinds: Vec<EnvKind> = b.api_environments().iter().filter_map(|e| e.kind).collect();
        kinds.sort();
        kinds.dedup();
        let from_here = |id: &TokenIdentity| model.stored_tokens.iter().any(|(i, at)| i == id && *at == s.at);
        if kinds.len() < 2 || b.tokens.is_empty() || !b.tokens.iter().all(|t| from_here(&t.identity)) {
            continue;
        }
        let root = super::ot002_runtime_switch::switch_root(b);
        if !f.related.iter().any(|r| r.loc.loc() == root) {
            f.related.push(Related {
                loc: root.into(),
                message: "the environment is chosen here; the stored token does not follow it".into(),
            });
        }
    }
}

/// The environments the store's own configuration switches among (the
/// bindings whose call holds the store's user key), when they are several.
fn own_switch(bindings: &[Binding], s: &TokenStore) -> Vec<EnvKind> {
    let mut kinds: Vec<EnvKind> = bindings
        .iter()
        .filter(|b| b.at.file == s.at.file && b.at.span.start <= s.at.span.start && s.at.span.end <= b.at.span.end)
        .flat_map(|b| b.api_environments())
        .filter_map(|e| e.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    if kinds.len() < 2 {
        kinds.clear();
    }
    kinds
}

/// One result per copied setup: configurations in one file that name the
/// same stored row and each switch among the same environments (one setup
/// pasted into two jobs) are one root cause, reported at the first, the
/// copies related. Configurations fixed to different environments stay
/// apart: each is where its environment enters.
fn one_per_copy(found: Vec<(Vec<EnvKind>, Finding)>) -> Vec<Finding> {
    let mut out: Vec<(Vec<EnvKind>, Finding)> = Vec::new();
    for (switch, f) in found {
        let same = out.iter_mut().find(|(w, k)| {
            !switch.is_empty()
                && *w == switch
                && f.token.is_some()
                && k.token == f.token
                && k.primary.file == f.primary.file
                && k.message == f.message
        });
        match same {
            Some((_, kept)) => {
                if !kept.related.iter().any(|r| r.loc == f.primary) {
                    kept.related.push(Related {
                        loc: f.primary,
                        message: "a copy of this setup stores the same row here".into(),
                    });
                }
            }
            None => out.push((switch, f)),
        }
    }
    out.into_iter().map(|(_, f)| f).collect()
}

/// The environments used in the project of the file at `path`: by the
/// bindings under the deepest directory above it that holds any of `placed`
/// (bindings with an environment, by path). Also the directory (`""`: the
/// whole tree).
fn project_uses<'p>(placed: &[(&str, &Binding)], path: &'p str) -> (&'p str, Uses) {
    // Directories above the file, deepest first, each with its trailing `/`.
    let dirs = path.rmatch_indices('/').map(|(i, _)| &path[..=i]).chain([""]);
    for dir in dirs {
        let under: Vec<&Binding> = placed
            .iter()
            .filter(|(p, _)| p.starts_with(dir))
            .map(|(_, b)| *b)
            .collect();
        if !under.is_empty() {
            // A directory that holds every binding is the whole tree.
            let dir = if under.len() == placed.len() { "" } else { dir };
            return (dir, uses(under.into_iter()));
        }
    }
    ("", Uses::new())
}

/// A user-keyed store while several orgs are named with its tokens.
fn org_finding(s: &TokenStore, orgs: &[&OrgAlt], project: Option<&str>) -> Finding {
    let mut names: Vec<String> = orgs.iter().map(|o| o.org.to_string()).collect();
    names.dedup();
    let scope = match project {
        None => "this token is used with".to_string(),
        Some("") => "this repository names".to_string(),
        Some(dir) => format!("the code under `{dir}` names"),
    };
    let (what, label, key) = describe_store(s);
    let related = orgs
        .iter()
        .filter(|o| o.origin != s.at)
        .take(5)
        .map(|o| Related {
            loc: o.switch.unwrap_or(o.origin).into(),
            message: format!("{} is named here", o.org),
        })
        .collect();
    Finding {
        rule: ID,
        level: level(ID),
        message: format!(
            "{what} {key}, while {scope} several orgs ({}); each org's token overwrites or is read as the other's",
            names.join(", ")
        ),
        label: label.into(),
        primary: s.at.into(),
        related,
        help: "key the token store by org id (and api_domain), one row per org and environment".into(),
        token: s.token.as_ref().map(|t| t.to_string()),
        environments: names,
        fingerprint: String::new(),
        site: String::new(),
    }
}

/// What a store is, its label, and what its key lacks, as messages say it.
fn describe_store(s: &TokenStore) -> (String, &'static str, String) {
    let key = if s.key.is_empty() {
        "with no org, environment or api_domain in its key".to_string()
    } else {
        let cols: Vec<String> = s.key.iter().map(|k| format!("`{k}`")).collect();
        format!("keyed by {} only", cols.join(", "))
    };
    let (what, label) = match &s.kind {
        TokenStoreKind::LegacyConfig => (
            "the legacy SDK persists this user's token".to_string(),
            "the stored token row is keyed by this user only",
        ),
        TokenStoreKind::Table(name) => (
            format!("table `{name}` stores tokens"),
            "token table without an org, environment or api_domain column",
        ),
        TokenStoreKind::Cache => (
            "this cache stores a token".to_string(),
            "cache key without an org, environment or api_domain",
        ),
    };
    (what, label, key)
}

/// `project`: the directory whose environments count, for a store whose
/// token is not known.
fn finding(s: &TokenStore, by_kind: &Uses, project: Option<&str>) -> Finding {
    let envs: Vec<Environment> = by_kind.values().map(|(e, _)| *e).collect();
    let env_list = env_names(&envs).join(" and ");
    let (what, label, key) = describe_store(s);
    let scope = match project {
        None => "this token is used with".to_string(),
        Some("") => "this repository uses".to_string(),
        Some(dir) => format!("the code under `{dir}` uses"),
    };
    let related = by_kind
        .values()
        .filter(|(_, at)| *at != s.at)
        .take(5)
        .map(|(env, at)| Related {
            loc: (*at).into(),
            message: format!("{env} is used here"),
        })
        .collect();
    Finding {
        rule: ID,
        level: level(ID),
        message: format!(
            "{what} {key}, while {scope} {env_list}; each environment's token overwrites or is read as the other's"
        ),
        label: label.into(),
        primary: s.at.into(),
        related,
        help: "key the token store by org id or api_domain (store the token response's api_domain with the token and look rows up by it), one row per environment".into(),
        token: s.token.as_ref().map(|t| t.to_string()),
        environments: env_names(&envs),
        fingerprint: String::new(),
        site: String::new(),
    }
}
