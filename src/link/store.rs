//! Token stores (DESIGN §4, OT005): where the repository persists tokens and
//! what a stored token is found by.
//!
//! Three kinds: legacy zcrmsdk configs (recorded by `bind.rs` when it meets
//! one), token tables (the SQL schemas' `FileFacts::tables`, and ORM model
//! classes read off the scopes and class-level fields), and caches
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

    /// Records that keep the API domain returned with their token: token
    /// key names (`accessToken`) that some function reads from one record
    /// together with an api_domain key (`account.apiDomain` beside
    /// `account.accessToken`, `const {apiDomain, accessToken} = load()`),
    /// with the first place each file does so, sorted. A token read from such
    /// a record belongs to whatever environment the record was connected
    /// in; a request that pins a host for it pins one of them.
    pub fn domain_records(&self) -> Vec<(String, Loc)> {
        let c = catalog();
        let mut out: Vec<(String, Loc)> = Vec::new();
        for (fid, f) in self.files.iter().enumerate() {
            if f.lang.is_none_or(|l| l.is_config()) {
                continue;
            }
            let ix = &self.index[fid];
            // (function, receiver) → (api_domain read at, token keys read)
            let mut reads: HashMap<(ScopeId, String), (Option<Span>, Vec<String>)> = HashMap::default();
            let mut note = |scope: ScopeId, e: &Expr| {
                record_reads(
                    e,
                    &mut |recv, key, span| {
                        let entry = reads.entry((ix.func_of[scope], recv)).or_default();
                        if c.is_api_domain_key(key) {
                            entry.0 = Some(entry.0.map_or(span, |s: Span| s.min(span)));
                        } else if c.is_token_key(key) && !entry.1.iter().any(|k| k == key) {
                            entry.1.push(key.to_string());
                        }
                    },
                    0,
                );
            };
            for a in &f.facts.assigns {
                note(a.scope, &a.value);
            }
            for cs in &f.facts.calls {
                note(cs.scope, &cs.expr);
            }
            for r in &f.facts.returns {
                note(r.scope, &r.value);
            }
            for ((_, _), (domain, keys)) in reads {
                let Some(span) = domain else { continue };
                for k in keys {
                    out.push((k, Loc { file: fid, span }));
                }
            }
        }
        // One place per key and file.
        out.sort();
        out.dedup_by(|a, b| a.0 == b.0 && a.1.file == b.1.file);
        out
    }

    /// Token tables (SQL schemas, and ORM models: [`model_tables`]); a
    /// table's columns are those of every `CREATE TABLE`
    /// and `ALTER TABLE … ADD COLUMN` of that name in its own directory, or
    /// in a directory above or below it (`db/schema.sql` and
    /// `db/migrations/002_add_org.sql`): in a monorepo, another service's
    /// table of the same name is another table.
    fn table_stores(&self, out: &mut Vec<TokenStore>) {
        let names = &catalog().token_store;
        let dir = |fid: FileId| crate::config::dir_of(&self.files[fid].path);
        let related = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a);
        let mut defs: HashMap<String, Vec<(FileId, &TableDef)>> = HashMap::default();
        // A table of any name whose columns hold a token is a token table
        // too (`CREATE TABLE crm_credentials (…, refresh_token text)`).
        let token_table = is_token_table;
        // Tables written in code: ORM models and migrations' schema builders.
        let models: Vec<Vec<TableDef>> = self
            .files
            .iter()
            .map(|f| {
                let mut ts: Vec<TableDef> = model_tables(&f.facts).into_iter().map(|(_, t)| t).collect();
                ts.extend(schema_tables(&f.facts));
                ts
            })
            .collect();
        let tables = |fid: FileId| self.files[fid].facts.tables.iter().chain(&models[fid]);
        // Every definition of a table counts towards its columns: a later
        // migration that adds `api_domain` to a token table holds no token
        // column itself.
        for fid in 0..self.files.len() {
            for t in tables(fid) {
                defs.entry(t.name.to_ascii_lowercase()).or_default().push((fid, t));
            }
        }
        for fid in 0..self.files.len() {
            for t in tables(fid).filter(|t| !t.alter && token_table(t)) {
                let same = defs.get(&t.name.to_ascii_lowercase()).into_iter().flatten();
                // One table, one store: at its first creation (a migration
                // before the `db/schema.rb` or `schema.sql` it generates).
                let first = same
                    .clone()
                    .find(|(other, d)| !d.alter && token_table(d) && related(dir(fid), dir(*other)));
                if first.is_some_and(|(other, d)| (*other, d.span.start) != (fid, t.span.start)) {
                    continue;
                }
                let mut cols: Vec<&str> = Vec::new();
                for (other, d) in same {
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
        ExprKind::Name(n) | ExprKind::Env(n) => out.push(n.clone().into()),
        ExprKind::Member(_, n) => out.push(n.to_string()),
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
        ExprKind::Format { args, .. } => {
            for a in args {
                syntactic_names(&a.value, out, depth + 1);
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

/// Calls `f(receiver, key, span)` for every member or literal-key item read
/// in `e` (`a.b`, `a["b"]`, `f().b`): the receiver named by its variable, or
/// by where it is written (a destructured call's members share its span).
fn record_reads(e: &Expr, f: &mut impl FnMut(String, &str, Span), depth: usize) {
    if depth > 48 {
        return;
    }
    let receiver = |o: &Expr| match &o.kind {
        ExprKind::Name(n) => format!("name:{n}"),
        _ => format!("at:{}-{}", o.span.start, o.span.end),
    };
    match &e.kind {
        ExprKind::Member(o, m) => {
            f(receiver(o), m, e.span);
            record_reads(o, f, depth + 1);
        }
        ExprKind::Index(o, k) => {
            if let Some(key) = k.as_str() {
                f(receiver(o), key, e.span);
            }
            record_reads(o, f, depth + 1);
            record_reads(k, f, depth + 1);
        }
        ExprKind::Concat(parts) | ExprKind::List(parts) | ExprKind::Test(parts) => {
            for p in parts {
                record_reads(p, f, depth + 1);
            }
        }
        ExprKind::Elem(o, _) => record_reads(o, f, depth + 1),
        ExprKind::Call(c) => {
            record_reads(&c.callee, f, depth + 1);
            for a in &c.args {
                record_reads(&a.value, f, depth + 1);
            }
        }
        ExprKind::Dict(pairs) => {
            for (k, v) in pairs {
                record_reads(k, f, depth + 1);
                record_reads(v, f, depth + 1);
            }
        }
        ExprKind::Alt { cond, alts } => {
            if let Some(c) = cond {
                record_reads(c, f, depth + 1);
            }
            for a in alts {
                record_reads(a, f, depth + 1);
            }
        }
        _ => {}
    }
}

/// A table that stores tokens: named as token tables are, or, of any name,
/// with a column that holds a token (`CREATE TABLE crm_credentials (…,
/// refresh_token text)`).
fn is_token_table(t: &TableDef) -> bool {
    let names = &catalog().token_store;
    names.is_table(&t.name) || t.columns.iter().any(|c| names.is_token_column(c))
}

impl Linker<'_> {
    /// The token store an ORM model class reads and writes, when it is a
    /// token table: its own fields hold a token (`class ZohoToken(models.Model):
    /// refresh_token = …`), or the table it maps to by name (`$table` /
    /// `__tablename__` / `self.table_name`, else the convention:
    /// `ZohoToken` → `zoho_tokens`) is one a migration or schema creates.
    /// Rows read through it (`ZohoToken.objects.latest()`,
    /// `ZohoToken::latest()->first()`) are store reads.
    pub(super) fn token_model(&self, file: FileId, class: ScopeId) -> Option<Loc> {
        self.token_models
            .get_or_init(|| {
                // Token tables created by name (SQL, schema builders), first
                // definition first.
                let mut by_name: HashMap<String, Loc> = HashMap::default();
                for (fid, f) in self.files.iter().enumerate() {
                    for t in f.facts.tables.iter().cloned().chain(schema_tables(&f.facts)) {
                        if !t.alter && is_token_table(&t) {
                            by_name.entry(t.name.to_ascii_lowercase()).or_insert(Loc {
                                file: fid,
                                span: t.span,
                            });
                        }
                    }
                }
                let mut map = HashMap::default();
                for (fid, f) in self.files.iter().enumerate() {
                    for (sid, t) in model_tables(&f.facts) {
                        let store = if is_token_table(&t) {
                            Some(Loc {
                                file: fid,
                                span: t.span,
                            })
                        } else {
                            by_name.get(&mapped_table(&f.facts, sid).to_ascii_lowercase()).copied()
                        };
                        if let Some(store) = store {
                            map.insert((fid, sid), store);
                        }
                    }
                }
                map
            })
            .get(&(file, class))
            .copied()
    }

    /// Notes that tokens of `id` are read from the token store at `store`.
    pub(super) fn note_stored(&self, id: TokenIdentity, store: Loc) {
        let mut s = self.stored_tokens.borrow_mut();
        if !s.iter().any(|(i, l)| *i == id && *l == store) {
            s.push((id, store));
        }
    }

    /// The store a token identity is read from, if any.
    pub(super) fn stored_at(&self, id: &TokenIdentity) -> Option<Loc> {
        self.stored_tokens
            .borrow()
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, l)| *l)
    }

    /// Tokens read from a token store, and tokens minted from such a read,
    /// with the store's place, sorted.
    pub fn stored_tokens(&self) -> Vec<(TokenIdentity, Loc)> {
        let mut v = self.stored_tokens.borrow().clone();
        v.sort();
        v
    }
}

/// The table an ORM model class maps to: named by a class-level
/// `__tablename__` / `table` / `table_name` string, else by the convention
/// of Rails and Laravel (the class name in snake case, plural).
fn mapped_table(facts: &FileFacts, class: ScopeId) -> String {
    let named = facts.assigns.iter().filter(|a| a.scope == class).find_map(|a| {
        let target = a.target.last_name()?;
        let name = matches!(target, "__tablename__" | "table" | "table_name" | "self.table_name");
        name.then(|| a.value.as_str()).flatten()
    });
    if let Some(n) = named {
        return n.to_string();
    }
    conventional_table(&facts.scopes[class].name)
}

/// `ZohoToken` → `zoho_tokens`, `OauthEntry` → `oauth_entries`,
/// `ZohoAuthPass` → `zoho_auth_passes`.
fn conventional_table(class: &str) -> String {
    let mut snake = String::new();
    for (i, ch) in class.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.extend(ch.to_lowercase());
    }
    if let Some(stem) = snake
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if snake.ends_with(['s', 'x', 'z']) || snake.ends_with("ch") || snake.ends_with("sh") {
        format!("{snake}es")
    } else {
        format!("{snake}s")
    }
}

/// The ORM models of a file as tables: a class whose base is an ORM model
/// (`class ZohoToken(models.Model)`), named as written, with its
/// class-level fields as columns (`access_token = models.TextField()`).
fn model_tables(facts: &FileFacts) -> Vec<(ScopeId, TableDef)> {
    let names = &catalog().token_store;
    let classes = || {
        facts
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, sc)| sc.kind == ScopeKind::Class)
    };
    // A declarative base of the file's own (`class Base(DeclarativeBase)`)
    // is an ORM base too, and so on down.
    let mut bases: Vec<&str> = Vec::new();
    let on_orm_base = |sc: &Scope, bases: &[&str]| {
        sc.bases
            .iter()
            .any(|b| names.is_orm_base(b) || bases.contains(&b.as_str()))
    };
    loop {
        let before = bases.len();
        for (_, sc) in classes() {
            if on_orm_base(sc, &bases) && !bases.contains(&sc.name.as_str()) {
                bases.push(&sc.name);
            }
        }
        if bases.len() == before {
            break;
        }
    }
    let mut out = Vec::new();
    for (sid, sc) in classes().filter(|(_, sc)| on_orm_base(sc, &bases)) {
        let columns = facts
            .assigns
            .iter()
            .filter(|a| a.scope == sid)
            .filter_map(|a| match &a.target.kind {
                ExprKind::Name(n) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        out.push((
            sid,
            TableDef {
                name: sc.name.clone(),
                columns,
                alter: false,
                span: sc.span,
            },
        ));
    }
    out
}

/// Tables a migration's schema builder creates or changes, named by the
/// builder call's first argument, each column by the first string argument
/// of a call written inside it: Laravel `Schema::create('oauthtokens',
/// function (Blueprint $table) { $table->text('refresh_token'); })`, Rails
/// `create_table :zoho_tokens do |t| t.text :refresh_token end`, Knex
/// `knex.schema.createTable('zoho_tokens', (t) => { t.text('refresh_token') })`
/// (catalog `[token_store].schema_creates` / `schema_alters`).
fn schema_tables(facts: &FileFacts) -> Vec<TableDef> {
    let names = &catalog().token_store;
    let mut out = Vec::new();
    for cs in &facts.calls {
        let ExprKind::Call(call) = &cs.expr.kind else { continue };
        let Some(builder) = call.callee.dotted() else { continue };
        let alter = names.is_schema_alter(&builder);
        if !alter && !names.is_schema_create(&builder) {
            continue;
        }
        let Some(first) = call.args.first() else { continue };
        let Some(table) = first.value.as_str() else { continue };
        let outer = cs.expr.span;
        let inside = |s: Span| s.start >= outer.start && s.end <= outer.end && s != outer;
        let mut columns: Vec<String> = Vec::new();
        for other in facts.calls.iter().filter(|o| inside(o.expr.span)) {
            each_call(&other.expr, &mut |c| {
                if let Some(col) = c.args.first().and_then(|a| a.value.as_str()) {
                    if !columns.iter().any(|k| k == col) {
                        columns.push(col.to_string());
                    }
                }
            });
        }
        out.push(TableDef {
            name: table.rsplit('.').next().unwrap_or(table).to_string(),
            columns,
            alter,
            span: first.value.span,
        });
    }
    out
}

/// Every call in a call's receiver chain (`$table->string('a')->nullable()`:
/// `nullable()` and `string('a')`).
fn each_call(e: &Expr, f: &mut impl FnMut(&Call)) {
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Call(c) => {
                f(c);
                cur = &c.callee;
            }
            ExprKind::Member(o, _) => cur = o,
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::conventional_table;

    #[test]
    fn models_map_to_their_conventional_tables() {
        assert_eq!(conventional_table("ZohoToken"), "zoho_tokens");
        assert_eq!(conventional_table("OauthEntry"), "oauth_entries");
        assert_eq!(conventional_table("ZohoAuthPass"), "zoho_auth_passes");
        assert_eq!(conventional_table("CrmKey"), "crm_keys");
    }
}
