//! Pass "resolve classes": a class's fields and members through its
//! family (ancestors and descendants, across files of one package), and the
//! instance a value was created as.
//!
//! Reads: the class scopes of the facts. Writes: the class-family caches.

use super::*;

impl<'r> Linker<'r> {
    pub(super) fn enclosing_class(&self, file: FileId, scope: ScopeId) -> Option<ScopeId> {
        self.index[file].class_of[scope]
    }

    /// `self.m` / `this.m`: a method of the enclosing class, or every value
    /// its methods assign to the field (their parameters stay opaque).
    pub(super) fn class_field(&self, file: FileId, scope: ScopeId, m: &str, span: Span) -> Vec<Val> {
        match self.enclosing_class(file, scope) {
            Some(class) => self.class_member(file, class, m, span),
            None => vec![val(VKind::Other, file, span)],
        }
    }

    /// `this.m` read in a method: what the method itself assigned to the
    /// field before the read (`this.base = …; this.base = rewrite(this.base)`
    /// reads the first value in the second), else the class's field. Only
    /// in a class without bases or subclasses, where no other class's
    /// value can take the field's place.
    pub(super) fn this_field(&self, file: FileId, scope: ScopeId, m: &str, span: Span) -> Vec<Val> {
        let key = format!("this.{m}");
        let facts = self.facts(file);
        let own = self.index[file].targets(&self.names, scope, &key);
        let earlier = own.is_some_and(|v| v.iter().any(|&i| facts.assigns[i].span.end <= span.start));
        let alone = || {
            self.enclosing_class(file, scope).is_some_and(|c| {
                self.index[file].method(&self.names, c, m).is_none()
                    && self.class_family(file, c).0.is_empty()
                    && self.class_family(file, c).1.is_empty()
            })
        };
        if earlier && alone() {
            if let Some(vs) = self
                .reaching(file, scope, &key, span)
                .and_then(|idx| self.assigned_at(file, &idx, None))
            {
                let class = self.enclosing_class(file, scope).unwrap_or(0);
                return self.unknown_as_symbol(vs, file, class, m);
            }
        }
        self.class_field(file, scope, m, span)
    }

    /// Member `m` of a class: a method (of the class or a base), or the
    /// values the class family assigns to the field.
    pub(super) fn class_member(&self, file: FileId, class: ScopeId, m: &str, span: Span) -> Vec<Val> {
        let family = self.class_family(file, class);
        let (ancestors, descendants) = (&family.0, &family.1);
        let parts = self.package_parts(file, class);
        // A method of the class (in any of its files) or of a base class.
        for &(f, c) in std::iter::once(&(file, class))
            .chain(parts.iter())
            .chain(ancestors.iter())
        {
            if let Some(fs) = self.index[f].method(&self.names, c, m) {
                return vec![val(VKind::Func(f, fs), file, span)];
            }
        }
        let key = (file, class, m.to_string());
        if let Some(v) = self.field_cache.borrow().get(&key) {
            return v.clone();
        }
        let sym = self.sym(file, class, m);
        // The field as this class, its bases and its subclasses set it: a
        // method may run on an instance of any of them, and the instance's
        // class is what selects among their values.
        let family: Vec<ScopeRef> = std::iter::once((file, class))
            .chain(parts.iter().copied())
            .chain(ancestors.iter().copied())
            .chain(descendants.iter().copied())
            .collect();
        let mut per_class = Vec::new();
        for &(f, c) in &family {
            let Some(idx) = self.index[f].fields(&self.names, c, m) else {
                continue;
            };
            per_class.push(((f, c), self.field_values(f, idx)));
        }
        // Classes whose values differ in their text (not only in the
        // values of their holes) are what chooses among them: the class
        // is the selector even where a part inside is chosen by something
        // else (`f"https://sandbox.zohoapis.{dc}"` in a subclass beside
        // `f"https://www.zohoapis.{dc}"`: the class picks the environment,
        // `dc` only the data center).
        let templates: std::collections::BTreeSet<Vec<String>> = per_class
            .iter()
            .map(|(_, vs)| {
                vs.iter()
                    .filter_map(|v| match &v.kind {
                        VKind::Str(p) => Some(probe_text(p)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let class_decides = templates.len() > 1;
        let mut out = Vec::new();
        for ((f, c), mut vs) in per_class {
            if !descendants.is_empty() || !ancestors.is_empty() {
                let by_class: Rc<str> = format!("class:{}", self.sym(f, c, "")).trim_end_matches("::").into();
                for v in &mut vs {
                    if v.sel.is_none() || class_decides {
                        v.sel = Some(by_class.clone());
                        v.switch = Some(v.at);
                    }
                }
            }
            push_alts(&mut out, vs);
        }
        let out: Vec<Val> = if out.is_empty() {
            vec![val(VKind::Sym(sym, SymKind::Symbol), file, span)]
        } else {
            out.into_iter()
                .map(|mut v| {
                    if matches!(v.kind, VKind::Other) {
                        v.kind = VKind::Sym(sym.clone(), SymKind::Symbol);
                    }
                    v
                })
                .collect()
        };
        self.field_cache.borrow_mut().insert(key, out.clone());
        out
    }

    /// The values of a class's assignments to one field. A setter's
    /// parameter (`function setAuth($auth) { $this->auth = $auth; }`) is what
    /// the class's own methods pass it (`$this->setAuth(new Auth($id))`).
    fn field_values(&self, file: FileId, idx: &[usize]) -> Vec<Val> {
        let facts = self.facts(file);
        let ix = &self.index[file];
        let setter_param = |i: usize| {
            let a = &facts.assigns[i];
            let f = ix.func_of[a.scope];
            match &a.value.kind {
                ExprKind::Name(n) if f != 0 && facts.scopes[f].params.contains(n) => Some((f, n.as_str())),
                _ => None,
            }
        };
        let mut plain = Vec::new();
        let mut out = Vec::new();
        for &i in idx {
            let Some((f, param)) = setter_param(i) else {
                plain.push(i);
                continue;
            };
            match self.passed_by_own_methods(file, f, param) {
                Some(vs) => push_alts(&mut out, vs),
                None => plain.push(i),
            }
        }
        if !plain.is_empty() {
            let vs = self.assigned_at(file, &plain, None).unwrap_or_default();
            push_alts(&mut out, vs);
        }
        out
    }

    /// What the methods of `method`'s own class pass as its `param`
    /// (`$this->method(…)` calls in the file); None when none calls it so,
    /// or when a method of that name is called on anything but `this` (a
    /// public setter: its callers choose the value at run time).
    fn passed_by_own_methods(&self, file: FileId, method: ScopeId, param: &str) -> Option<Vec<Val>> {
        let facts = self.facts(file);
        let name = facts.scopes[method].name.as_str();
        let class = self.index[file].class_of[method];
        let sites = self.calls_by_name().get(name).map(Vec::as_slice).unwrap_or_default();
        let on_this =
            |call: &Call| matches!(&call.callee.kind, ExprKind::Member(o, _) if matches!(o.kind, ExprKind::This));
        let own = |cf: FileId, cs: &CallSite, call: &Call| {
            cf == file && self.index[file].class_of[cs.scope] == class && on_this(call)
        };
        // `$this->name(…)` in another class calls that class's method; any
        // other receiver may be an instance of this class.
        let outside = sites.iter().any(|&(cf, ci)| {
            let cs = &self.files[cf].facts.calls[ci];
            chain_calls(&cs.expr)
                .iter()
                .any(|call| call.callee.last_name() == Some(name) && !on_this(call))
        });
        if name.is_empty() || outside || !self.enter_object((file, format!("{param}#setter{method}"))) {
            return None;
        }
        let mut out = Vec::new();
        for &(cf, ci) in sites {
            let cs = &self.files[cf].facts.calls[ci];
            for call in chain_calls(&cs.expr) {
                if call.callee.last_name() == Some(name) && own(cf, cs, call) {
                    let p = self.bind_params(file, cs.scope, file, method, call, None);
                    push_alts(&mut out, p.get(param).cloned().unwrap_or_default());
                }
            }
        }
        self.leave_object();
        (!out.is_empty()).then_some(out)
    }

    /// The same type declared by other files of its package (Go: a struct
    /// in one file, its methods and constructor in others).
    pub(super) fn package_parts(&self, file: FileId, class: ScopeId) -> Vec<ScopeRef> {
        let f = &self.files[file];
        if !f.lang.is_some_and(directory_package) {
            return Vec::new();
        }
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let name = f.facts.scopes[class].name.as_str();
        self.classes_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&(g, _)| {
                g != file
                    && self.files[g].lang == f.lang
                    && self.files[g].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir
            })
            .collect()
    }

    /// Values read from an instance: what came from the constructor's
    /// parameters belongs to this instance (two instances built with different
    /// tokens stay apart).
    pub(super) fn for_instance(&self, inst: &Val, vs: Vec<Val>) -> Vec<Val> {
        let at = format!("@{}:{}", self.files[inst.at.file].path, inst.at.span.line);
        vs.into_iter().map(|v| rekey(v, &at, 0)).collect()
    }

    /// The classes a bare class name written in `from` means: the one class
    /// of that name, or, when several services of a monorepo each define
    /// one, those nearest to `from` (same file, then the longest shared
    /// directory path).
    pub(super) fn nearest_classes(&self, from: FileId, name: &str) -> Rc<Vec<ScopeRef>> {
        let all = self.classes_by_name.get(name).map(Vec::as_slice).unwrap_or(&[]);
        if all.len() <= 1 {
            return Rc::new(all.to_vec());
        }
        let key = (from, name.to_string());
        if let Some(v) = self.nearest_cache.borrow().get(&key) {
            return v.clone();
        }
        let here = &self.files[from].path;
        let nearness = |f: FileId| {
            if f == from {
                return usize::MAX;
            }
            let there = &self.files[f].path;
            let here_dirs = here.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            let there_dirs = there.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            here_dirs.zip(there_dirs).take_while(|(a, b)| a == b).count()
        };
        let near: Vec<usize> = all.iter().map(|&(f, _)| nearness(f)).collect();
        let best = near.iter().copied().max().unwrap_or(0);
        let v: Rc<Vec<ScopeRef>> = Rc::new(
            all.iter()
                .zip(&near)
                .filter(|(_, &n)| n == best)
                .map(|(&c, _)| c)
                .collect(),
        );
        self.nearest_cache.borrow_mut().insert(key, v.clone());
        v
    }

    /// The base classes (transitively) and the subclasses (transitively) of a
    /// class, found by name: a base name means its nearest classes, and a
    /// subclass belongs to the family only if this class is nearest to it.
    pub(super) fn class_family(&self, file: FileId, class: ScopeId) -> Rc<Family> {
        if let Some(f) = self.family_cache.borrow().get(&(file, class)) {
            return f.clone();
        }
        let f = Rc::new(self.class_family_uncached(file, class));
        self.family_cache.borrow_mut().insert((file, class), f.clone());
        f
    }

    pub(super) fn class_family_uncached(&self, file: FileId, class: ScopeId) -> Family {
        const MAX_FAMILY: usize = 16;
        let mut ancestors: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            for base in &self.facts(f).scopes[c].bases {
                for &bc in self.nearest_classes(f, base).iter() {
                    if bc != (file, class) && !ancestors.contains(&bc) && ancestors.len() < MAX_FAMILY {
                        ancestors.push(bc);
                        todo.push(bc);
                    }
                }
            }
        }
        let mut descendants: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            let name = self.facts(f).scopes[c].name.as_str();
            for &sub in self.subclasses.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                if sub != (file, class)
                    && self.nearest_classes(sub.0, name).contains(&(f, c))
                    && !descendants.contains(&sub)
                    && !ancestors.contains(&sub)
                    && descendants.len() < MAX_FAMILY
                {
                    descendants.push(sub);
                    todo.push(sub);
                }
            }
        }
        (ancestors, descendants)
    }
}
