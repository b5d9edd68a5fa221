//! Pass "resolve names": what a name means at a place — the assignments
//! that reach it in its scope chain, the keyed items of a collection, a
//! sibling file's top-level name, a visible class.
//!
//! Reads: the per-file index ([`FileIndex`]). Writes: the name caches.

use super::*;

impl<'r> Linker<'r> {
    pub(super) fn resolve_name(&self, cx: Cx, name: &str, span: Span) -> Vec<Val> {
        let Cx { file, scope, params } = cx;
        if let Some(p) = params.and_then(|p| p.get(name)) {
            return p
                .iter()
                .cloned()
                .map(|mut v| {
                    v.via_param = true;
                    v
                })
                .collect();
        }
        // Several assignments in the use's own scope: the answer depends on
        // where the use is (see `reaching`), so it is not cached.
        let positional = self.index[file]
            .targets(&self.names, scope, name)
            .is_some_and(|v| v.len() > 1);
        let key = (params.is_none() && !positional).then(|| (file as u32, scope as u32, self.key_id(name)));
        if let Some(key) = &key {
            if let Some(v) = self.name_cache.borrow().get(key) {
                return v.to_vec();
            }
        }
        let r = self
            .in_scope_chain(cx, name, span)
            .unwrap_or_else(|| self.beyond_scopes(file, name, span));
        let r = self.with_keyed_items(cx, name, r);
        let r = self.with_record_updates(cx, name, r);
        if let Some(key) = key {
            // Cached even when computed inside a cycle: a value cut by the
            // cycle guard is a smaller set of alternatives, never a wrong one.
            if key.0 == self.linking.get() && key.1 != 0 {
                self.local_names.borrow_mut().push(key);
            }
            self.name_cache.borrow_mut().insert(key, r.as_slice().into());
        }
        r
    }

    /// `cfg = {}` / `new HashMap<>()`, then `cfg["k"] = v` / `cfg.put("k", v)`:
    /// the items a function sets by literal key are fields of the map. An
    /// instance of a repository class, then `c.base_url = v` (Go's
    /// `c := &Client{}; c.BaseURL = …`): the fields the function sets are
    /// that instance's, as if its construction had filled them.
    pub(super) fn with_keyed_items(&self, cx: Cx, name: &str, mut vals: Vec<Val>) -> Vec<Val> {
        let Cx { file, scope, params } = cx;
        let ix = &self.index[file];
        let Some(idx) = ix.rooted_assigns(&self.names, name) else {
            return vals;
        };
        let guard = (file, format!("{name}#items{}", ix.func_of[scope]));
        if !self.enter_object(guard) {
            return vals;
        }
        let facts = self.facts(file);
        let mut items: Vec<(Option<String>, Vec<Val>)> = Vec::new();
        let mut members: Vec<(Option<String>, Vec<Val>)> = Vec::new();
        let instances = vals.iter().any(|v| {
            matches!(&v.kind, VKind::Instance(..)) || matches!(&v.kind, VKind::Carrier(ing) if ing.class.is_some())
        });
        for &i in idx {
            let a = &facts.assigns[i];
            let (o, k, into) = match &a.target.kind {
                ExprKind::Index(o, k) => (o, k.as_str(), &mut items),
                ExprKind::Member(o, m) if instances => (o, Some(&**m), &mut members),
                _ => continue,
            };
            let own = matches!(&o.kind, ExprKind::Name(n) if &**n == name);
            if !own || ix.func_of[a.scope] != ix.func_of[scope] {
                continue;
            }
            if let Some(k) = k {
                let vs = self.eval(file, a.scope, &a.value, params);
                let items = into;
                match items.iter_mut().find(|(key, _)| key.as_deref() == Some(k)) {
                    // Set again under an `if`: one more alternative, the
                    // earlier value stays possible.
                    Some((_, old)) if a.guard.is_some() => push_alts(old, vs),
                    _ => set_field(items, Some(k.to_string()), vs),
                }
            }
        }
        self.leave_object();
        if !members.is_empty() {
            for v in vals.iter_mut() {
                with_fields_set(v, &members);
            }
        }
        with_items(vals, &items)
    }

    /// A module's dict with literal defaults that a statement elsewhere in the file
    /// fills from a record the program reads at run time
    /// (`CONFIG.update(json.load(f))`, `Object.assign(cfg, require(p))`):
    /// after it, each field is what the deployment's file says, or the
    /// default. The dict is then also a configuration record of its own,
    /// `config:<path>::<name>`, spread after its defaults; reading one of its
    /// fields gives the record's key beside the default (see `member`), and
    /// every such key is known to be a field of that one record
    /// ([`Linker::records`]). An update from a dict the code spells out is
    /// left to the literal fields, as before.
    pub(super) fn with_record_updates(&self, cx: Cx, name: &str, mut vals: Vec<Val>) -> Vec<Val> {
        let Cx { file, scope, .. } = cx;
        let ix = &self.index[file];
        // The file's own updates, then those of files importing the dict.
        let own = ix.record_updates(&self.names, name).unwrap_or_default();
        let imported = self.imported_updates(file, name);
        if own.is_empty() && imported.is_empty() {
            return vals;
        }
        if !vals.iter().any(|v| matches!(v.kind, VKind::Dict(_))) {
            return vals;
        }
        // A module's dict (a local of the reading function is another).
        let f = ix.func_of[scope];
        if ix.targets(&self.names, 0, name).is_none() || f != 0 && ix.targets(&self.names, f, name).is_some() {
            return vals;
        }
        let guard = (file, format!("{name}#updates"));
        if !self.enter_object(guard) {
            return vals;
        }
        let updates = own
            .iter()
            .map(|&i| (file, i, name))
            .chain(imported.iter().map(|(g, i, l)| (*g, *i, &**l)));
        let mut at = None;
        for (g, i, local) in updates {
            let gx = &self.index[g];
            let cs = &self.facts(g).calls[i];
            let f = gx.func_of[cs.scope];
            // The function's own dict of that name is another object.
            if f != 0 && gx.targets(&self.names, f, local).is_some() {
                continue;
            }
            let ExprKind::Call(call) = &cs.expr.kind else { continue };
            let Some((_, src)) = super::index::update_source(call) else {
                continue;
            };
            let vs = self.eval(g, cs.scope, src, None);
            if !vs.iter().any(|v| matches!(v.kind, VKind::Dict(_))) {
                at.get_or_insert(Loc {
                    file: g,
                    span: cs.expr.span,
                });
            }
        }
        self.leave_object();
        if let Some(at) = at {
            self.spread_record(file, name, at, &mut vals);
        }
        vals
    }

    /// The statement calls of other files that fill module `file`'s dict
    /// `name`, imported by name (`from settings import CONFIG` then
    /// `CONFIG.update(json.load(f))`): the importing file, the call and the
    /// name it is known by there.
    fn imported_updates(&self, file: FileId, name: &str) -> Vec<(FileId, usize, Rc<str>)> {
        let table = self.imported_updates.get_or_init(|| {
            let mut table = ImportedUpdates::default();
            for (g, f) in self.files.iter().enumerate() {
                for imp in f.facts.imports.iter().filter(|i| i.scope == 0) {
                    let Some(n) = &imp.name else { continue };
                    let Some(calls) = self.index[g].record_updates(&self.names, &imp.local) else {
                        continue;
                    };
                    let Some(home) = self.resolve_module(g, &imp.module).filter(|&h| h != g) else {
                        continue;
                    };
                    table
                        .entry((home, n.as_str().into()))
                        .or_default()
                        .extend(calls.iter().map(|&i| (g, i)));
                }
            }
            table
        });
        let Some(calls) = table.get(&(file, Box::from(name))) else {
            return Vec::new();
        };
        calls
            .iter()
            .map(|&(g, i)| {
                let local = self
                    .facts(g)
                    .imports
                    .iter()
                    .find(|imp| imp.scope == 0 && imp.name.as_deref() == Some(name));
                (g, i, local.map_or(name, |imp| imp.local.as_str()).into())
            })
            .collect()
    }

    /// The one repository class parameter `name` of function `sc` is
    /// declared with, nearest to `file` (none for an untyped parameter or
    /// a type the repository does not define).
    fn param_class(&self, file: FileId, sc: ScopeId, name: &str) -> Option<ScopeRef> {
        let sdef = &self.facts(file).scopes[sc];
        let i = sdef.params.iter().position(|p| p == name)?;
        let ty = sdef.param_types.get(i).filter(|t| !t.is_empty())?;
        match self.nearest_classes(file, ty).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// A name as its scope chain gives it: the assignments that reach it in
    /// its own scope, a parameter, an enclosing scope's assignments or
    /// import, a Ruby class's method; None when no scope has it.
    fn in_scope_chain(&self, cx: Cx, name: &str, span: Span) -> Option<Vec<Val>> {
        let Cx { file, scope, params } = cx;
        let facts = self.facts(file);
        let mut s = Some(scope);
        let mut first = true;
        while let Some(sc) = s {
            let sdef = &facts.scopes[sc];
            // Class bodies are not visible from their methods.
            if first || sdef.kind != ScopeKind::Class {
                let (reaching, vals) = if first {
                    let reaching = self.reaching(file, sc, name, span);
                    let vals = reaching.as_ref().and_then(|idx| self.assigned_at(file, idx, params));
                    (reaching, vals)
                } else {
                    (None, self.assigned(cx.within(sc), name))
                };
                let is_param = sdef.params.iter().any(|p| p == name);
                if is_param {
                    let key = self.sym(file, sc, name);
                    let mut out = vals.unwrap_or_default();
                    // The default is what a caller that passes nothing gets:
                    // chosen by the parameter, like the caller's value.
                    for d in out.iter_mut().filter(|d| d.sel().is_none()) {
                        d.set_sel(Some(key.clone()));
                    }
                    let mut v = val(VKind::Sym(key, SymKind::Param), file, span);
                    v.set_sel(None);
                    // `ZohoConfig config`: whatever the caller passes is an
                    // instance of that repository class (its methods and
                    // fields resolve, its constructor's parameters stay open).
                    if let Some(class) = self.param_class(file, sc, name) {
                        v.kind = VKind::Instance(class.0, class.1, None);
                    }
                    out.insert(0, v);
                    return Some(out);
                }
                if let Some(vals) = vals {
                    // `dc = load_setting("ZOHO_DC", "au")` in two functions:
                    // one key, the setting the call reads, not two locals;
                    // it chooses every value the call gives (its default too).
                    // A read the analysis already names (`settings.region`
                    // of a parameter) keeps that name as the key.
                    // Values different returns gave (a record per source)
                    // are each read by its own source's setting.
                    if let Some((key, at)) = reaching.as_deref().and_then(|idx| self.settings_call_key(file, idx)) {
                        let named = |branch: Option<Branch>| {
                            vals.iter().find_map(|v| match &v.kind {
                                VKind::Sym(..) | VKind::Env(_) if v.branch() == branch => self.identity_key(v),
                                _ => None,
                            })
                        };
                        let keys: Vec<Option<Rc<str>>> = vals.iter().map(|v| named(v.branch())).collect();
                        let key = named(None)
                            .or_else(|| {
                                vals.iter().find_map(|v| match &v.kind {
                                    VKind::Sym(..) | VKind::Env(_) => self.identity_key(v),
                                    _ => None,
                                })
                            })
                            .unwrap_or(key);
                        return Some(
                            vals.into_iter()
                                .zip(keys)
                                .map(|(mut v, own)| {
                                    let key = match own {
                                        Some(k) if v.branch().is_some() => k,
                                        _ => key.clone(),
                                    };
                                    match v.kind {
                                        VKind::Other => v.kind = VKind::Sym(key.clone(), SymKind::Symbol),
                                        VKind::Sym(..) | VKind::Env(_) => {}
                                        _ => v.chosen_by(key.clone(), at),
                                    }
                                    v
                                })
                                .collect(),
                        );
                    }
                    return Some(self.unknown_as_symbol(vals, file, sc, name));
                }
                if let Some(imp) = facts.imports.iter().find(|i| i.local == name && (i.scope == sc)) {
                    return Some(self.resolve_import(file, imp, span));
                }
            }
            // Java and C#: a type nested in an enclosing class is seen by
            // its simple name (`record Cfg(…)` in the class, `new Cfg(…)` in
            // its methods).
            if !first
                && sdef.kind == ScopeKind::Class
                && matches!(self.files[file].lang, Some(Lang::Java | Lang::CSharp))
            {
                let nested =
                    |(_, n): &(usize, &Scope)| n.kind == ScopeKind::Class && n.parent == Some(sc) && n.name == name;
                if let Some((c, _)) = facts.scopes.iter().enumerate().find(nested) {
                    return Some(vec![val(VKind::Func(file, c), file, span)]);
                }
            }
            // Ruby: a bare call inside a class is a call on `self`
            // (`build_url(uri)`): a method of the class or its bases.
            if sdef.kind == ScopeKind::Class && self.files[file].lang == Some(Lang::Ruby) {
                if let Some((f, m)) = self.class_method(file, sc, name) {
                    return Some(vec![val(VKind::Func(f, m), file, span)]);
                }
            }
            first = false;
            s = sdef.parent;
        }
        None
    }

    /// A name no enclosing scope has: a file-level import, a sibling file's
    /// top-level name, a whole-file import's, an autoloaded or visible
    /// class, else a symbol of this file.
    fn beyond_scopes(&self, file: FileId, name: &str, span: Span) -> Vec<Val> {
        let facts = self.facts(file);
        if let Some(imp) = facts.imports.iter().find(|i| i.local == name) {
            return self.resolve_import(file, imp, span);
        }
        if let Some(vs) = self.sibling_name(file, name, span) {
            return vs;
        }
        // Whole-file imports (`require`, `require_relative`): a name the
        // required file defines at its top level.
        for imp in facts.imports.iter().filter(|i| i.local == "*") {
            if let Some(fid) = self.resolve_module(file, &imp.module) {
                if fid != file && self.index[fid].targets(&self.names, 0, name).is_some() {
                    return self.module_member(file, fid, name, span);
                }
            }
        }
        // Languages that autoload classes by name (PHP, Ruby): the one
        // repository class of that name nearest the file (a monorepo's
        // services may each hold a class of that name).
        if matches!(self.files[file].lang, Some(Lang::Php | Lang::Ruby)) {
            if let [(f, c)] = self.nearest_classes(file, name).as_slice() {
                return vec![val(VKind::Func(*f, *c), file, span)];
            }
        }
        if let Some(class) = self.visible_class(file, name) {
            return vec![val(VKind::Func(class.0, class.1), file, span)];
        }
        vec![val(
            VKind::Sym(
                self.intern(&format!("{}::{name}", self.files[file].path)),
                SymKind::Symbol,
            ),
            file,
            span,
        )]
    }

    /// A top-level name of another file of the same package, where a
    /// package is a directory (Go).
    pub(super) fn sibling_name(&self, file: FileId, name: &str, span: Span) -> Option<Vec<Val>> {
        let f = &self.files[file];
        if !f.lang.is_some_and(directory_package) {
            return None;
        }
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let sibling = self.by_dir.get(dir)?.iter().copied().find(|&s| {
            s != file && self.files[s].lang == f.lang && self.index[s].targets(&self.names, 0, name).is_some()
        })?;
        Some(at_use(
            file,
            sibling,
            span,
            self.resolve_name(Cx::module(sibling), name, span),
        ))
    }

    /// Java and C# see the classes of their package/namespace without an
    /// import: a free name that is a top-level class of another file of the
    /// same language (the nearest by directory when several share the name).
    pub(super) fn visible_class(&self, file: FileId, name: &str) -> Option<ScopeRef> {
        let lang = self.files[file].lang?;
        if !matches!(lang, Lang::Java | Lang::CSharp) {
            return None;
        }
        let dir = |f: FileId| self.files[f].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let here = dir(file);
        self.classes_by_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&(f, s)| {
                f != file
                    && self.files[f].lang == Some(lang)
                    && self.facts(f).scopes[s]
                        .parent
                        .is_some_and(|p| self.facts(f).scopes[p].kind == ScopeKind::Module)
            })
            .min_by_key(|&(f, s)| {
                (
                    std::cmp::Reverse(classes::common_dirs(here, dir(f))),
                    self.files[f].path.len(),
                    f,
                    s,
                )
            })
    }

    /// The assignments to `name` in `scope` that can reach a use at `at`:
    /// the last unconditional one that completes before the use, and the
    /// conditional ones after it. A use before every assignment (a loop, a
    /// closure) sees them all.
    pub(super) fn reaching(&self, file: FileId, scope: ScopeId, name: &str, at: Span) -> Option<Vec<usize>> {
        let all = self.index[file].targets(&self.names, scope, name)?;
        let facts = self.facts(file);
        let mut before: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| facts.assigns[i].span.end <= at.start)
            .collect();
        if before.is_empty() {
            return Some(all.to_vec());
        }
        before.sort_by_key(|&i| facts.assigns[i].span.start);
        match before.iter().rposition(|&i| facts.assigns[i].guard.is_none()) {
            Some(k) => Some(before[k..].to_vec()),
            None => Some(before),
        }
    }

    /// Values assigned in `scope` to the target with this key; None when none.
    pub(super) fn assigned(&self, cx: Cx, key: &str) -> Option<Vec<Val>> {
        let idx = self.index[cx.file].targets(&self.names, cx.scope, key)?;
        self.assigned_at(cx.file, idx, cx.params)
    }

    /// The key of a value read by a call with literal arguments only, the
    /// strings among them settings' names (`load_env_var("ZOHO_DC", "au")`,
    /// `env_vars.get("ZOHO_REGION")`): every such call reads the same
    /// setting, wherever it is written in the file.
    fn settings_call_key(&self, file: FileId, idx: &[usize]) -> Option<(Rc<str>, Loc)> {
        let [i] = idx else { return None };
        let value = &self.facts(file).assigns[*i].value;
        let a_scope = self.facts(file).assigns[*i].scope;
        let ExprKind::Call(call) = &value.kind else {
            return None;
        };
        let callee = call.callee.dotted()?;
        // An object of the instance (`self.config.get("region")` in two
        // properties) is the same object in every method: any field name
        // reads the same value. Elsewhere only a setting's name does.
        let class = callee
            .starts_with("this.")
            .then(|| self.index[file].class_of[a_scope])
            .flatten();
        let mut args = Vec::new();
        for a in &call.args {
            match &a.value.kind {
                // A setting's name (never a value that could be a secret:
                // the key may be named in a message); the default beside it
                // is not part of the key.
                ExprKind::Str(s)
                    if s.len() <= 48
                        && (crate::config::is_setting_name(s) || (class.is_some() && is_field_name(s))) =>
                {
                    args.push(format!("{s:?}"))
                }
                ExprKind::Str(_) | ExprKind::Number | ExprKind::Bool(_) | ExprKind::Null => args.push("_".into()),
                _ => return None,
            }
        }
        if !args.iter().any(|a| a.starts_with('"')) {
            return None;
        }
        let key = match class {
            Some(c) => format!("{}({})", self.sym(file, c, &callee), args.join(", ")),
            None => format!("{}::{callee}({})", self.files[file].path, args.join(", ")),
        };
        let key = self.intern(&key);
        Some((key, Loc { file, span: value.span }))
    }

    /// `vs`, where an unknown value stands for the symbol `name` of `scope`
    /// (a key the alternatives it selects are told apart by).
    /// A whole-file load's record bound to the name is the record named by
    /// it ([`named`]).
    pub(super) fn unknown_as_symbol(&self, vs: Vec<Val>, file: FileId, scope: ScopeId, name: &str) -> Vec<Val> {
        named(vs, || self.sym(file, scope, name))
    }

    /// Values of these assignments (alternatives, each with its `if` selector).
    pub(super) fn assigned_at(&self, file: FileId, idx: &[usize], params: Option<&Params>) -> Option<Vec<Val>> {
        if idx.is_empty() {
            return None;
        }
        if let Some(p) = params {
            // The same assignments under the same argument values (a local
            // of a helper read several times): evaluated once.
            let key = memo::MemoKey::Assigned(file, idx.to_vec(), self.params_id(p));
            if let Some(r) = self.memo_get(&key) {
                return Some(r);
            }
            self.memo_begin();
            let r = self.assigned_at_uncached(file, idx, params);
            self.memo_end(Some(key), r.as_deref().unwrap_or(&[]));
            return r;
        }
        let key = (file as u32, idx.iter().map(|&i| i as u32).collect::<Box<[u32]>>());
        if let Some(v) = self.reaching_cache.borrow().get(&key) {
            return v.as_deref().map(<[Val]>::to_vec);
        }
        let r = self.assigned_at_uncached(file, idx, None);
        // A value computed after the budget ran out may be cut short: not kept.
        if !self.starved.get() {
            self.reaching_cache
                .borrow_mut()
                .insert(key, r.as_deref().map(Box::from));
        }
        r
    }

    pub(super) fn assigned_at_uncached(
        &self,
        file: FileId,
        idx: &[usize],
        params: Option<&Params>,
    ) -> Option<Vec<Val>> {
        let facts = self.facts(file);
        let many = idx.len() > 1;
        let mut out = Vec::new();
        for &i in idx {
            let at = (file as u32, i as u32);
            self.memo_assign(at);
            if self.stack.borrow().contains(&at) {
                continue;
            }
            self.stack.borrow_mut().push(at);
            let a = &facts.assigns[i];
            // The guard of the assignment after this one (in the same scope).
            let next_guard = || {
                idx.iter()
                    .map(|&j| &facts.assigns[j])
                    .filter(|b| b.scope == a.scope && b.span.start > a.span.end)
                    .min_by_key(|b| b.span.start)
                    .and_then(|b| b.guard.as_deref())
            };
            // `token = None` (or `null`) before an `if` that fills it: a
            // placeholder, not a value of its own.
            if many && a.guard.is_none() && matches!(a.value.kind, ExprKind::Null) && next_guard().is_some() {
                self.stack.borrow_mut().pop();
                continue;
            }
            let mut vs = self.eval(file, a.scope, &a.value, params);
            self.merged_record(file, a, &mut vs);
            if many {
                // A default overridden under a condition (`token = prod`
                // then `if sandbox: token = sb`) is the value unless that
                // condition holds: it is chosen by the same key. Only values
                // a key can tell apart (not an unknown or a flag) take it.
                let guard = a.guard.as_deref().or_else(|| {
                    vs.iter()
                        .any(|v| v.sel().is_none() && !matches!(v.kind, VKind::Other | VKind::Bool(_)))
                        .then(next_guard)
                        .flatten()
                });
                self.select_by_guard(file, a.scope, guard, params, &mut vs);
            }
            self.stack.borrow_mut().pop();
            push_alts(&mut out, vs);
        }
        Some(out)
    }
}

impl Linker<'_> {
    /// `$config = array_merge($config, json_decode(file_get_contents($p), true))`:
    /// a dict merged into itself from a value that is no dict the code
    /// spells out (a record the program reads at run time) is a
    /// configuration record of its own, as `CONFIG.update(json.load(f))`
    /// makes it ([`Linker::with_record_updates`]).
    fn merged_record(&self, file: FileId, a: &crate::facts::Assign, vs: &mut [Val]) {
        let (ExprKind::Name(n), ExprKind::Dict(pairs)) = (&a.target.kind, &a.value.kind) else {
            return;
        };
        let spreads = || {
            pairs
                .iter()
                .filter(|(k, _)| matches!(k.kind, ExprKind::Unknown))
                .map(|(_, v)| v)
        };
        if !spreads().any(|v| matches!(&v.kind, ExprKind::Name(m) if m == n)) {
            return;
        }
        let read = spreads()
            .filter(|v| !matches!(&v.kind, ExprKind::Name(m) if m == n))
            .find(|v| {
                let got = self.eval(file, a.scope, v, None);
                !got.iter().any(|g| matches!(g.kind, VKind::Dict(_)))
            });
        if let Some(read) = read {
            self.spread_record(file, n, Loc { file, span: read.span }, vs);
        }
    }

    /// The record a whole-file load read at `span` gives
    /// (`json.load(fh)`: `config:<path>::@<line>`); bound to a name, the
    /// record is named by it ([`Linker::unknown_as_symbol`]).
    pub(super) fn loaded_record(&self, file: FileId, span: Span) -> Val {
        let key = format!("config:{}::@{}", self.files[file].path, self.line(file, span));
        val(VKind::Env(key), file, span)
    }

    /// The key of field `m` of the configuration record (or record field)
    /// `n`, known to be a field of `n`'s record ([`Linker::records`]): the
    /// fields of a section of a loaded file (`cfg["zoho"]["sandbox"]`) are
    /// the file's, one record.
    pub(super) fn record_field(&self, n: &str, m: &str) -> String {
        let key = format!("{n}.{m}");
        let own = self.intern(&format!("env:{n}"));
        let field = self.intern(&format!("env:{key}"));
        let mut fields = self.record_fields.borrow_mut();
        let record = fields.get(&own).cloned().unwrap_or(own);
        fields.entry(field).or_insert(record);
        key
    }

    /// Spreads the configuration record `config:<path>::<name>` of module
    /// `file`'s dict (read at `at`, in that file or one importing the dict)
    /// after the fields of the dicts among `vs`: each field may be what the
    /// deployment's record says ([`records_after`](super::eval::records_after)).
    fn spread_record(&self, file: FileId, name: &str, at: Loc, vs: &mut [Val]) {
        let rest = val(
            VKind::Env(format!("config:{}::{name}", self.files[file].path)),
            at.file,
            at.span,
        );
        for v in vs.iter_mut() {
            if let VKind::Dict(f) = &v.kind {
                let mut fields = (**f).clone();
                fields.push((None, vec![rest.clone()]));
                v.kind = VKind::Dict(Rc::new(fields));
            }
        }
    }
}

/// Values made for a name of module `fid` read at `span` of `file` (a
/// symbol, an env var read through the module's settings object) are placed
/// where they are read: the span is that file's, not the module's.
pub(super) fn at_use(file: FileId, fid: FileId, span: Span, mut vs: Vec<Val>) -> Vec<Val> {
    if file != fid {
        for v in &mut vs {
            if v.at == (Loc { file: fid, span }) {
                v.at.file = file;
            }
        }
    }
    vs
}

/// The values a name or field `sym` holds: an unknown one is the symbol
/// itself; a whole-file load's record (`config:<path>::@<line>`,
/// [`Linker::loaded_record`]) is the record named by it,
/// `config:<path>::SETTINGS`, `config:<path>::Client.settings`, and so is
/// an unknown value held beside it (`cfg = json.loads(s)` in another
/// branch, a field's declaration): one variable, one record.
pub(super) fn named(vs: Vec<Val>, sym: impl Fn() -> Rc<str>) -> Vec<Val> {
    let record = vs.iter().any(is_loaded).then(|| format!("config:{}", sym()));
    vs.into_iter()
        .map(|mut v| {
            match (&v.kind, &record) {
                (VKind::Other, None) => v.kind = VKind::Sym(sym(), SymKind::Symbol),
                (VKind::Other, Some(r)) => v.kind = VKind::Env(r.clone()),
                (_, Some(r)) if is_loaded(&v) => v.kind = VKind::Env(r.clone()),
                _ => {}
            }
            v
        })
        .collect()
}

/// The record of a whole-file load not yet named.
fn is_loaded(v: &Val) -> bool {
    let VKind::Env(key) = &v.kind else { return false };
    key.starts_with("config:")
        && key
            .rsplit_once("::@")
            .is_some_and(|(_, line)| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()))
}

/// `region`, `api_domain`: a field of a record.
fn is_field_name(s: &str) -> bool {
    s.len() <= 48
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An instance (or the object a constructor call carries) with fields set
/// after its construction: each replaces the field the construction gave.
fn with_fields_set(v: &mut Val, set: &[(Option<String>, Vec<Val>)]) {
    let merged = |old: Option<&Fields>| -> Fields {
        let mut fields: Vec<(String, Vec<Val>)> = old.map(|f| (**f).clone()).unwrap_or_default();
        for (k, vs) in set {
            let Some(k) = k else { continue };
            let key = format!("this.{k}");
            match fields.iter_mut().find(|(f, _)| *f == key) {
                Some((_, old)) => *old = vs.clone(),
                None => fields.push((key, vs.clone())),
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Rc::new(fields)
    };
    match &mut v.kind {
        VKind::Instance(_, _, fields) => *fields = Some(merged(fields.as_ref())),
        VKind::Carrier(ing) if ing.class.is_some() => {
            let mut ing2 = (**ing).clone();
            ing2.fields = Some(merged(ing.fields.as_ref()));
            *ing = Rc::new(ing2);
        }
        _ => {}
    }
}

/// A map's values with the items set on it by literal key (`cfg["k"] = v`,
/// `HOSTS.put("eu", …)`).
pub(super) fn with_items(mut vals: Vec<Val>, items: &[(Option<String>, Vec<Val>)]) -> Vec<Val> {
    if items.is_empty() {
        return vals;
    }
    let mut built = Vec::new();
    for v in vals.iter_mut() {
        let mut fields = match &v.kind {
            VKind::Dict(f) => (**f).clone(),
            VKind::Sym(..) | VKind::Other => Vec::new(),
            _ => continue,
        };
        for (k, vs) in items {
            set_field(&mut fields, k.clone(), vs.clone());
        }
        let dict = VKind::Dict(Rc::new(fields));
        if matches!(v.kind, VKind::Dict(_)) {
            v.kind = dict;
        } else {
            // An opaque map (`new HashMap<>()`) keeps its identity beside its items.
            let mut d = v.clone();
            d.kind = dict;
            built.push(d);
        }
    }
    push_alts(&mut vals, built);
    vals
}
