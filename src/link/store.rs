//! Token stores (DESIGN §4, OT005): where the repository persists tokens and
//! what a stored token is found by.
//!
//! Three kinds: legacy zcrmsdk configs (recorded by `bind.rs` when it meets
//! one), token tables of the SQL schemas (`FileFacts::tables`), and caches
//! in code — an item assignment `cache[key] = token` or a write call
//! `r.set(key, token)` (method names from the catalog's `[token_store]`)
//! whose value is a token. A store is keyed when its key mentions an org,
//! an environment or the api_domain; it is user-keyed when its key names a
//! user or a client only. A cache whose key names neither is not reported.

use rustc_hash::FxHashMap as HashMap;

use super::{Linker, Piece, VKind, Val, FUEL_PER_CALL_SITE};
use crate::catalog::catalog;
use crate::facts::*;
use crate::model::*;

impl Linker<'_> {
    /// Every token store in the repository, sorted. Call after
    /// [`Linker::bindings`]: the legacy configs are the ones it met.
    pub fn token_stores(&self) -> Vec<TokenStore> {
        let mut out = self.legacy_stores.borrow().clone();
        self.table_stores(&mut out);
        self.cache_stores(&mut out);
        out.sort();
        out.dedup();
        out
    }

    /// Token tables; a table's columns are those of every `CREATE TABLE`
    /// and `ALTER TABLE … ADD COLUMN` of that name in its own directory, or
    /// in a directory above or below it (`db/schema.sql` and
    /// `db/migrations/002_add_org.sql`): in a monorepo, another service's
    /// table of the same name is another table.
    fn table_stores(&self, out: &mut Vec<TokenStore>) {
        let names = &catalog().token_store;
        let dir = |fid: FileId| crate::config::dir_of(&self.files[fid].path);
        let related = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a);
        let mut defs: HashMap<String, Vec<(FileId, &TableDef)>> = HashMap::default();
        for (fid, f) in self.files.iter().enumerate() {
            for t in f.facts.tables.iter().filter(|t| names.is_table(&t.name)) {
                defs.entry(t.name.to_ascii_lowercase()).or_default().push((fid, t));
            }
        }
        for (fid, f) in self.files.iter().enumerate() {
            for t in f.facts.tables.iter().filter(|t| !t.alter && names.is_table(&t.name)) {
                let mut cols: Vec<&str> = Vec::new();
                for (other, d) in defs.get(&t.name.to_ascii_lowercase()).into_iter().flatten() {
                    if related(dir(fid), dir(*other)) {
                        for c in &d.columns {
                            if !cols.contains(&c.as_str()) {
                                cols.push(c);
                            }
                        }
                    }
                }
                out.push(TokenStore {
                    at: Loc {
                        file: fid,
                        span: t.span,
                    },
                    kind: TokenStoreKind::Table(t.name.clone()),
                    key: cols
                        .iter()
                        .filter(|c| names.is_user_column(c))
                        .map(|c| c.to_string())
                        .collect(),
                    keyed: cols.iter().any(|c| names.is_key_column(c)),
                    token: None,
                });
            }
        }
    }

    /// `cache[key] = token` and `store.set(key, token)`.
    fn cache_stores(&self, out: &mut Vec<TokenStore>) {
        let names = &catalog().token_store;
        for (fid, f) in self.files.iter().enumerate() {
            for a in &f.facts.assigns {
                if let ExprKind::Index(_, key) = &a.target.kind {
                    self.cache_write(fid, a.scope, std::slice::from_ref(key.as_ref()), &a.value, a.span, out);
                }
            }
            for cs in &f.facts.calls {
                let ExprKind::Call(call) = &cs.expr.kind else { continue };
                let ExprKind::Member(_, m) = &call.callee.kind else {
                    continue;
                };
                if !names.is_write_method(m) || call.args.len() < 2 {
                    continue;
                }
                let Some((value, key)) = call.args.split_last() else {
                    continue;
                };
                let key: Vec<Expr> = key.iter().map(|a| a.value.clone()).collect();
                self.cache_write(fid, cs.scope, &key, &value.value, cs.expr.span, out);
            }
        }
    }

    fn cache_write(
        &self,
        file: FileId,
        scope: ScopeId,
        key: &[Expr],
        value: &Expr,
        at: Span,
        out: &mut Vec<TokenStore>,
    ) {
        let names = &catalog().token_store;
        self.fuel.set(FUEL_PER_CALL_SITE);
        if !self.eval(file, scope, value, None).iter().any(|v| holds_token(v, 0)) {
            return;
        }
        let mut found: Vec<String> = Vec::new();
        let mut derived = false;
        for k in key {
            syntactic_names(k, &mut found, 0);
            for v in self.eval(file, scope, k, None) {
                value_names(&v, &mut found, &mut derived, 0);
            }
        }
        let keyed = derived || found.iter().any(|n| names.is_key_column(n));
        let mut user: Vec<String> = found.into_iter().filter(|n| names.is_user_column(n)).collect();
        user.sort();
        user.dedup();
        if user.is_empty() && !keyed {
            return;
        }
        out.push(TokenStore {
            at: Loc { file, span: at },
            kind: TokenStoreKind::Cache,
            key: user,
            keyed,
            token: None,
        });
    }
}

/// The last identifier of a symbol identity: `app.py::login.access_token` → `access_token`.
fn last_segment(s: &str) -> &str {
    s.rsplit(['.', ':']).next().unwrap_or(s)
}

/// A value that is a token: a token-named env var or symbol, a token
/// literal, an SDK token object, a minted token or a token response.
fn holds_token(v: &Val, depth: usize) -> bool {
    let c = catalog();
    if depth > 4 {
        return false;
    }
    match &v.kind {
        VKind::Env(n) => c.is_token_name(n),
        VKind::Sym(s, _) => c.is_token_slot_name(last_segment(s)),
        VKind::Minted(..) | VKind::TokenObj(_) => true,
        VKind::Carrier(ing) => ing.token_endpoint_dc().is_some(),
        VKind::Str(pieces) if pieces.len() == 1 => match &pieces[0] {
            Piece::Lit(s, _) => c.is_token_literal(s),
            Piece::Hole(h) => holds_token(h, depth + 1),
        },
        _ => false,
    }
}

/// Names a key is written with: `cache[user.email]` → `email`.
fn syntactic_names(e: &Expr, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    match &e.kind {
        ExprKind::Name(n) | ExprKind::Member(_, n) | ExprKind::Env(n) => out.push(n.clone()),
        ExprKind::Index(_, k) => {
            if let Some(s) = k.as_str() {
                out.push(s.to_string());
            }
        }
        ExprKind::Concat(parts) | ExprKind::List(parts) => {
            for p in parts {
                syntactic_names(p, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Names a key's value comes from (variables it was built from), and
/// whether it holds the api_domain that came with a token.
fn value_names(v: &Val, out: &mut Vec<String>, derived: &mut bool, depth: usize) {
    if depth > 6 {
        return;
    }
    match &v.kind {
        VKind::Env(n) => out.push(n.clone()),
        VKind::Sym(s, _) => out.push(last_segment(s).to_string()),
        VKind::Derived | VKind::Moved(_) => *derived = true,
        VKind::Str(pieces) => {
            for p in pieces {
                if let Piece::Hole(h) = p {
                    value_names(h, out, derived, depth + 1);
                }
            }
        }
        VKind::List(items) => {
            for i in items.iter().flatten() {
                value_names(i, out, derived, depth + 1);
            }
        }
        _ => {}
    }
}
