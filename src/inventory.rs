//! The inventory (`orgtoken inventory`): every token identity, the
//! Environments it is bound to, and every binding — the migration plan a
//! team needs to decide how many org-specific tokens to mint.
//!
//! Built from the linked model's bindings by the scan; identities are the
//! redacted strings findings use, never a token value.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::catalog;
use crate::model::{Binding, BindingKind, Model, Target, TokenIdentity};

/// The kind of a call that only requests a token.
pub const TOKEN_REQUEST: &str = "token-request";

/// One binding, as the inventory shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BindingInfo {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub kind: &'static str,
    /// A token request (`kind` is [`TOKEN_REQUEST`]): its `environments`
    /// are where it mints, not where its token is used.
    pub mints: bool,
    /// Token identities, redacted (`env:ZOHO_TOKEN`, `literal:sha256:…`).
    pub tokens: Vec<String>,
    /// Environments of the endpoint, e.g. `US production`.
    pub environments: Vec<String>,
    /// The orgs the binding selects (`X-CRM-ORG`), as written: an id, a
    /// setting (`env:ORG_ID`), a parameter.
    pub orgs: Vec<String>,
}

/// A token identity with its Environments and bindings.
#[derive(Debug, Clone)]
pub struct TokenEntry {
    pub token: String,
    pub environments: Vec<String>,
    /// The orgs its bindings select.
    pub orgs: Vec<String>,
    /// Indices into the bindings list.
    pub bindings: Vec<usize>,
}

fn kind_name(k: BindingKind) -> &'static str {
    match k {
        BindingKind::Call => "call",
        BindingKind::SdkInit => "sdk-init",
        BindingKind::SdkSwitch => "sdk-switch",
        BindingKind::Helper => "helper",
        BindingKind::Profile => "profile",
        BindingKind::SdkCall => "sdk-call",
    }
}

/// A token request: every endpoint is an accounts server's token endpoint.
fn is_token_request(b: &Binding) -> bool {
    !b.endpoints.is_empty() && b.endpoints.iter().all(|e| e.token_endpoint)
}

/// The one credential each token request mints from (`minted:app.py:8` →
/// `env:ZOHO_REFRESH_TOKEN`): the access tokens it mints are that
/// credential's, one identity for the migration plan.
fn minted_from(model: &Model, paths: &[String]) -> BTreeMap<String, String> {
    let mut by_place: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for b in model.bindings.iter().filter(|b| is_token_request(b)) {
        let place = TokenIdentity::Minted(format!("{}:{}", paths[b.at.file], model.pos(b.at).line)).to_string();
        by_place
            .entry(place)
            .or_default()
            .extend(b.identities().iter().map(|t| t.to_string()));
    }
    by_place
        .into_iter()
        .filter_map(|(place, ids)| {
            let mut ids = ids.into_iter();
            match (ids.next(), ids.next()) {
                (Some(one), None) if one != place => Some((place, one)),
                _ => None,
            }
        })
        .collect()
}

/// The inventory's view of the model's bindings, sorted by place. A token
/// request is not a use of an environment (it has none: its kind is
/// `token-request`), and an access token it mints is listed as the
/// credential it was minted from.
pub fn bindings_of(model: &Model, paths: &[String]) -> Vec<BindingInfo> {
    let minted = minted_from(model, paths);
    let mut out: Vec<BindingInfo> = model
        .bindings
        .iter()
        .map(|b| {
            let request = is_token_request(b);
            let mut environments: Vec<String> = b
                .endpoints
                .iter()
                .filter(|e| e.token_endpoint == request)
                .map(|e| match e.target {
                    // Where a token request mints: its accounts server.
                    Target::Env(env) if request => format!("{} accounts", catalog().data_centers[env.dc as usize].name),
                    _ if request => "accounts server chosen at run time".to_string(),
                    Target::Env(env) => env.to_string(),
                    Target::AnyEnv(Some(dc)) => format!(
                        "{} (environment chosen at run time)",
                        catalog().data_centers[dc as usize].name
                    ),
                    Target::AnyEnv(None) => "environment chosen at run time".to_string(),
                    Target::AnyDc(kind) => format!("{} (data center chosen at run time)", kind.name()),
                })
                .collect();
            environments.sort();
            environments.dedup();
            let mut orgs: Vec<String> = b.orgs.iter().map(|o| o.org.short()).collect();
            orgs.sort();
            orgs.dedup();
            let at = model.pos(b.at);
            BindingInfo {
                path: paths[b.at.file].clone(),
                line: at.line,
                column: at.col,
                kind: if request && b.kind == BindingKind::Call {
                    TOKEN_REQUEST
                } else {
                    kind_name(b.kind)
                },
                mints: request,
                tokens: {
                    let mut tokens: Vec<String> = b
                        .identities()
                        .iter()
                        .map(|t| {
                            let t = t.to_string();
                            minted.get(&t).cloned().unwrap_or(t)
                        })
                        .collect();
                    tokens.sort();
                    tokens.dedup();
                    tokens
                },
                environments,
                orgs,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The pseudo-identity of bindings that pass no token.
pub const NO_TOKEN: &str = "(no token passed: the previous one is reused)";

/// Groups bindings by token identity, identities sorted.
pub fn by_token(bindings: &[BindingInfo]) -> Vec<TokenEntry> {
    type Entry<'b> = (BTreeSet<&'b str>, BTreeSet<&'b str>, Vec<usize>);
    let mut map: BTreeMap<&str, Entry> = BTreeMap::new();
    for (i, b) in bindings.iter().enumerate() {
        // An SDK switch without a token reuses the previous one: list it too.
        let tokens: Vec<&str> = if b.tokens.is_empty() {
            vec![NO_TOKEN]
        } else {
            b.tokens.iter().map(String::as_str).collect()
        };
        for t in tokens {
            let e = map.entry(t).or_default();
            // A token request's accounts server is not an environment the
            // token is used in.
            if !b.mints {
                e.0.extend(b.environments.iter().map(String::as_str));
            }
            e.1.extend(b.orgs.iter().map(String::as_str));
            e.2.push(i);
        }
    }
    map.into_iter()
        .map(|(token, (envs, orgs, bindings))| TokenEntry {
            token: token.to_string(),
            environments: envs.into_iter().map(str::to_string).collect(),
            orgs: orgs.into_iter().map(str::to_string).collect(),
            bindings,
        })
        .collect()
}
