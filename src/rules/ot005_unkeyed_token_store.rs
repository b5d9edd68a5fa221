//! OT005 unkeyed-token-store: tokens persisted keyed by user (or client)
//! only — a legacy zcrmsdk config's user row, a token table without an org,
//! environment or api_domain column — while the repository's bindings span
//! more than one environment. Each environment's token then overwrites, or
//! is read as, the others'.

use std::collections::BTreeMap;

use super::{env_names, level, RuleCtx};
use crate::catalog::{EnvKind, Environment};
use crate::finding::{Finding, Related};
use crate::model::{Loc, TokenStore, TokenStoreKind};

const ID: &str = "OT005";

pub fn check(ctx: &RuleCtx) -> Vec<Finding> {
    // One place per environment kind the repository uses (the first binding).
    let mut by_kind: BTreeMap<EnvKind, (Environment, Loc)> = BTreeMap::new();
    for b in &ctx.model.bindings {
        for env in b.api_environments() {
            if let Some(k) = env.kind {
                by_kind.entry(k).or_insert((env, b.at));
            }
        }
    }
    if by_kind.len() < 2 {
        return Vec::new();
    }
    let envs: Vec<Environment> = by_kind.values().map(|(e, _)| *e).collect();
    let env_list = env_names(&envs).join(" and ");
    ctx.model
        .token_stores
        .iter()
        .filter(|s| !s.keyed)
        .map(|s| finding(s, &env_list, &envs, &by_kind))
        .collect()
}

fn finding(
    s: &TokenStore,
    env_list: &str,
    envs: &[Environment],
    by_kind: &BTreeMap<EnvKind, (Environment, Loc)>,
) -> Finding {
    let key = if s.key.is_empty() {
        "a key without org, environment or api_domain".to_string()
    } else {
        s.key.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    };
    let (what, label) = match &s.kind {
        TokenStoreKind::LegacyConfig => (
            "the legacy SDK persists this user's token".to_string(),
            "the stored token row is keyed by this user only".to_string(),
        ),
        TokenStoreKind::Table(name) => (
            format!("table `{name}` stores tokens"),
            "token table without an org, environment or api_domain column".to_string(),
        ),
        TokenStoreKind::Cache => (
            "this cache stores a token".to_string(),
            "cache key without an org, environment or api_domain".to_string(),
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
            "{what} keyed by {key} only, while this repository uses {env_list}; each environment's token overwrites or is read as the other's"
        ),
        label,
        primary: s.at,
        related,
        help: "key the token store by org id or api_domain (store the token response's api_domain with the token and look rows up by it), one row per environment".into(),
        token: None,
        environments: env_names(envs),
        fingerprint: String::new(),
    }
}
