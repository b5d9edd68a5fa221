//! OT005 unkeyed-token-store: tokens persisted keyed by user (or client)
//! only — a legacy zcrmsdk config's user row, a token table without an org,
//! environment or api_domain column, a cache keyed by email — while more
//! than one environment is used: by the bindings of the store's own token
//! when it is known (a legacy config), else by the repository's bindings.
//! Each environment's token then overwrites, or is read as, the others'.

use std::collections::BTreeMap;

use super::{env_names, level, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::{Finding, Related};
use crate::model::{Binding, Loc, TokenStore, TokenStoreKind};

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

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    let bindings = &ctx.model.bindings;
    let repo = uses(bindings.iter());
    ctx.model
        .token_stores
        .iter()
        .filter(|s| !s.keyed)
        .filter_map(|s| {
            let by_kind = match &s.token {
                Some(id) => uses(bindings.iter().filter(|b| b.tokens.iter().any(|t| &t.identity == id))),
                None => repo.clone(),
            };
            (by_kind.len() >= 2).then(|| finding(s, &by_kind))
        })
        .collect()
}

fn finding(s: &TokenStore, by_kind: &Uses) -> Finding {
    let envs: Vec<Environment> = by_kind.values().map(|(e, _)| *e).collect();
    let env_list = env_names(&envs).join(" and ");
    let key = if s.key.is_empty() {
        "a key without org, environment or api_domain".to_string()
    } else {
        s.key.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    };
    let (what, label, scope) = match &s.kind {
        TokenStoreKind::LegacyConfig => (
            "the legacy SDK persists this user's token".to_string(),
            "the stored token row is keyed by this user only",
            "this token is used with",
        ),
        TokenStoreKind::Table(name) => (
            format!("table `{name}` stores tokens"),
            "token table without an org, environment or api_domain column",
            "this repository uses",
        ),
        TokenStoreKind::Cache => (
            "this cache stores a token".to_string(),
            "cache key without an org, environment or api_domain",
            "this repository uses",
        ),
    };
    let related = by_kind
        .values()
        .filter(|(_, at)| *at != s.at)
        .take(5)
        .map(|(env, at)| Related {
            loc: *at,
            message: format!("{env} is used here"),
        })
        .collect();
    Finding {
        rule: ID,
        level: level(ID),
        message: format!(
            "{what} keyed by {key} only, while {scope} {env_list}; each environment's token overwrites or is read as the other's"
        ),
        label: label.into(),
        primary: s.at,
        related,
        help: "key the token store by org id or api_domain (store the token response's api_domain with the token and look rows up by it), one row per environment".into(),
        token: s.token.as_ref().map(|t| t.to_string()),
        environments: env_names(&envs),
        fingerprint: String::new(),
    }
}
