//! Pass "resolve classes": a class's fields and members through its
//! family (ancestors and descendants, across files of one package), and the
//! instance a value was created as.
//!
//! Reads: the class scopes of the facts. Writes: the class-family caches.

use super::index::mentions;
use super::*;

/// The names constructors have (PHP, Python, JS/TS, Ruby); Java, C# and old
/// PHP name them after their class.
const CONSTRUCTORS: &[&str] = &["__construct", "__init__", "constructor", "initialize"];

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
    /// value can take the field's place. Read (not called), `this.m` is the
    /// field where the class writes one of that name beside a method of it
    /// (a Java record's component and its accessor, a getter named as its
    /// field).
    pub(super) fn this_field(&self, file: FileId, scope: ScopeId, m: &str, span: Span, read: bool) -> Vec<Val> {
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
        match self.enclosing_class(file, scope) {
            Some(class) if read && self.writes_field(file, class, m) => self.class_field_values(file, class, m, span),
            _ => self.class_field(file, scope, m, span),
        }
    }

    /// The class writes a field `m` (`this.m = …`, a class attribute), not
    /// only a method of that name.
    fn writes_field(&self, file: FileId, class: ScopeId, m: &str) -> bool {
        let facts = self.facts(file);
        self.index[file]
            .fields(&self.names, class, m)
            .is_some_and(|idx| idx.iter().any(|&i| !is_method_binding(facts, i, m)))
    }

    /// Member `m` of a class: a method (of the class or a base), or the
    /// values the class family assigns to the field.
    pub(super) fn class_member(&self, file: FileId, class: ScopeId, m: &str, span: Span) -> Vec<Val> {
        // A method of the class (in any of its files) or of a base class.
        if let Some((f, fs)) = self.class_method(file, class, m) {
            return vec![val(VKind::Func(f, fs), file, span)];
        }
        self.class_field_values(file, class, m, span)
    }

    /// The values the class family assigns to field `m` (its methods of
    /// that name left out).
    fn class_field_values(&self, file: FileId, class: ScopeId, m: &str, span: Span) -> Vec<Val> {
        let family = self.class_family(file, class);
        let (ancestors, descendants) = (&family.0, &family.1);
        let key = (file, class, self.key_id(m));
        if let Some(v) = self.field_cache.borrow().get(&key) {
            return v.clone();
        }
        let sym = self.sym(file, class, m);
        // The field as this class, its bases and its subclasses set it: a
        // method may run on an instance of any of them, and the instance's
        // class is what selects among their values.
        let mut per_class = Vec::new();
        for (f, c) in self.whole_family(file, class) {
            let Some(idx) = self.index[f].fields(&self.names, c, m) else {
                continue;
            };
            let facts = self.facts(f);
            let idx: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| !is_method_binding(facts, i, m))
                .collect();
            if idx.is_empty() {
                continue;
            }
            let vs = self.field_values(f, &idx);
            per_class.push(((f, c), super::names::with_items(vs, &self.class_map_items(f, c, m))));
        }
        let family_wide = !descendants.is_empty() || !ancestors.is_empty();
        let out = if family_wide {
            self.chosen_by_class(per_class)
        } else {
            let mut out = Vec::new();
            for (_, vs) in per_class {
                push_alts(&mut out, vs);
            }
            out
        };
        let out: Vec<Val> = if out.is_empty() {
            vec![val(VKind::Sym(sym, SymKind::Symbol), file, span)]
        } else {
            super::names::named(out, || sym.clone())
        };
        self.field_cache.borrow_mut().insert(key, out.clone());
        out
    }

    /// The items the class sets by literal key on its field `m`, a map
    /// (`this.hosts["eu"] = …`, Java's `static { HOSTS.put("eu", …); }`):
    /// the map's fields wherever the class reads it.
    fn class_map_items(&self, file: FileId, class: ScopeId, m: &str) -> Vec<(Option<String>, Vec<Val>)> {
        let ix = &self.index[file];
        let facts = self.facts(file);
        let mut items: Vec<(Option<String>, Vec<Val>)> = Vec::new();
        let Some(idx) = ix.rooted_assigns(&self.names, &format!("this.{m}")) else {
            return items;
        };
        for &i in idx {
            let a = &facts.assigns[i];
            let ExprKind::Index(o, k) = &a.target.kind else {
                continue;
            };
            let own = matches!(&o.kind, ExprKind::Member(t, f) if matches!(t.kind, ExprKind::This) && **f == *m);
            let Some(k) = k.as_str().filter(|_| own && ix.class_of[a.scope] == Some(class)) else {
                continue;
            };
            let vs = self.eval(file, a.scope, &a.value, None);
            match items.iter_mut().find(|(key, _)| key.as_deref() == Some(k)) {
                Some((_, old)) if a.guard.is_some() => push_alts(old, vs),
                _ => set_field(&mut items, Some(k.to_string()), vs),
            }
        }
        items
    }

    /// The values each class of a family gives (a field, an overridden
    /// method's returns), as alternatives chosen by the instance's class.
    /// Classes whose values differ in their text (not only in the values of
    /// their holes) are what chooses among them: the class is the selector
    /// even where a part inside is chosen by something else
    /// (`f"https://sandbox.zohoapis.{dc}"` in a subclass beside
    /// `f"https://www.zohoapis.{dc}"`: the class picks the environment, `dc`
    /// only the data center); otherwise the key that chose a value stays
    /// (`ZOHO_DC` picks the data center of either class).
    pub(super) fn chosen_by_class(&self, per_class: Vec<(ScopeRef, Vec<Val>)>) -> Vec<Val> {
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
            let by_class: Rc<str> = format!("class:{}", self.sym(f, c, "")).trim_end_matches("::").into();
            for v in &mut vs {
                if v.sel().is_none() || class_decides {
                    let at = v.at;
                    v.chosen_by(by_class.clone(), at);
                }
            }
            push_alts(&mut out, vs);
        }
        out
    }

    /// The hosts that methods of the class family set the field `m` to
    /// without a token response: a method other than a
    /// constructor that writes the field, none of whose writes to it is the
    /// api_domain that came with a token (`setEuDomain()` choosing between
    /// two hosts). Such a method overrides the token's own domain whenever
    /// it is called, so its hosts are not merely the value before the first
    /// refresh (the declaration's and the constructor's are).
    pub(super) fn field_overrides(&self, file: FileId, scope: ScopeId, m: &str) -> Vec<Val> {
        let Some(class) = self.enclosing_class(file, scope) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (f, c) in self.whole_family(file, class) {
            let Some(idx) = self.index[f].fields(&self.names, c, m) else {
                continue;
            };
            let facts = self.facts(f);
            let class_name = facts.scopes[c].name.as_str();
            // The writes of each method, in the order of the methods.
            let mut by_method: Vec<(ScopeId, Vec<usize>)> = Vec::new();
            for &i in idx {
                let func = self.index[f].func_of[facts.assigns[i].scope];
                let name = facts.scopes[func].name.as_str();
                if func == 0 || name == class_name || CONSTRUCTORS.contains(&name) {
                    continue;
                }
                match by_method.iter_mut().find(|(g, _)| *g == func) {
                    Some((_, v)) => v.push(i),
                    None => by_method.push((func, vec![i])),
                }
            }
            for (_, writes) in by_method {
                let vs: Vec<Val> = writes
                    .iter()
                    .flat_map(|&i| self.assigned_at(f, &[i], None).unwrap_or_default())
                    .collect();
                if vs.iter().any(|v| matches!(v.kind, VKind::Derived | VKind::Moved(_))) {
                    continue;
                }
                out.extend(
                    vs.into_iter()
                        .filter(|v| matches!(v.kind, VKind::Str(_) | VKind::Env(_))),
                );
            }
        }
        out
    }

    /// The class, its parts in other files of its package, its bases and
    /// its subclasses: every class whose code may run on an instance of it.
    fn whole_family(&self, file: FileId, class: ScopeId) -> Vec<ScopeRef> {
        let family = self.class_family(file, class);
        std::iter::once((file, class))
            .chain(self.package_parts(file, class))
            .chain(family.0.iter().copied())
            .chain(family.1.iter().copied())
            .collect()
    }

    /// A method of the class or of a base class, by name (a bare call
    /// inside a Ruby class: `build_url(uri)` is `self.build_url(uri)`).
    pub(super) fn class_method(&self, file: FileId, class: ScopeId, m: &str) -> Option<ScopeRef> {
        let family = self.class_family(file, class);
        let parts = self.package_parts(file, class);
        std::iter::once(&(file, class))
            .chain(parts.iter())
            .chain(family.0.iter())
            .find_map(|&(f, c)| self.index[f].method(&self.names, c, m).map(|fs| (f, fs)))
    }

    /// Members read as values: a getter among them (`Scope::getter`) is
    /// called, and its returns are the value (those of an instance's
    /// getter belong to that instance). A getter whose returns are unknown
    /// stays the method.
    pub(super) fn call_getters(&self, vs: Vec<Val>, inst: Option<&Val>, fields: Option<Fields>) -> Vec<Val> {
        if !vs.iter().any(|v| self.getter_of(v).is_some()) {
            return vs;
        }
        let mut out = Vec::new();
        for v in vs {
            match self.getter_of(&v) {
                Some((f, s)) => {
                    let rets = self.getter_returns(f, s, v.at.span, fields.as_ref());
                    if rets.iter().all(|r| matches!(r.kind, VKind::Other)) {
                        push_alts(&mut out, vec![v]);
                        continue;
                    }
                    let rets = match inst {
                        Some(i) if matches!(i.kind, VKind::Instance(..)) => self.for_instance(i, rets),
                        _ => rets,
                    };
                    push_alts(&mut out, rets);
                }
                None => push_alts(&mut out, vec![v]),
            }
        }
        out
    }

    fn getter_of(&self, v: &Val) -> Option<ScopeRef> {
        let VKind::Func(f, s) = v.kind else { return None };
        let sc = &self.facts(f).scopes[s];
        (sc.getter && sc.kind == ScopeKind::Function).then_some((f, s))
    }

    /// What a getter returns (it takes no arguments).
    fn getter_returns(&self, f: FileId, s: ScopeId, span: Span, fields: Option<&Fields>) -> Vec<Val> {
        let name = self.facts(f).scopes[s].name.clone();
        let callee = Expr::new(
            ExprKind::Member(Box::new(Expr::new(ExprKind::This, span)), name.into()),
            span,
        );
        let call = Call {
            callee,
            args: Vec::new().into(),
            is_new: false,
        };
        let p = fields.map(Params::of_fields);
        self.returns(Cx::new(f, s, p.as_ref()), (f, s), &call)
    }

    /// `config.base_url` on a value of no known class (a constructor's
    /// parameter): the one getter of that name among the repository's
    /// classes in the file's language nearest to the file, called; None
    /// when there is no such getter or more than one, or when the getter's
    /// returns are unknown.
    pub(super) fn getter_by_name(&self, file: FileId, m: &str, span: Span) -> Option<Vec<Val>> {
        let by = self.getters_by_name.get_or_init(|| {
            let mut by: HashMap<&str, Vec<ScopeRef>> = HashMap::default();
            for (fid, f) in self.files.iter().enumerate() {
                for (sid, sc) in f.facts.scopes.iter().enumerate() {
                    let in_class = sc.parent.is_some_and(|p| f.facts.scopes[p].kind == ScopeKind::Class);
                    if sc.getter && sc.kind == ScopeKind::Function && in_class && !sc.name.is_empty() {
                        by.entry(sc.name.as_str()).or_default().push((fid, sid));
                    }
                }
            }
            by
        });
        // Among the getters of that name in the file's language and the
        // file's top-level directory (a tree of services or projects: never
        // another one's), those nearest to the reading file: exactly one.
        let lang = self.files[file].lang;
        let dirs = |f: FileId| {
            let p = &self.files[f].path;
            p.rsplit_once('/')
                .map(|(d, _)| d)
                .unwrap_or("")
                .split('/')
                .collect::<Vec<_>>()
        };
        let here = dirs(file);
        let near = |f: FileId| here.iter().zip(dirs(f)).take_while(|(a, b)| **a == *b).count();
        let top = |f: FileId| self.files[f].path.split_once('/').map(|(t, _)| t);
        let found: Vec<ScopeRef> = by
            .get(m)?
            .iter()
            .copied()
            .filter(|&(f, _)| self.files[f].lang == lang && top(f) == top(file))
            .collect();
        let best = found.iter().map(|&(f, _)| near(f)).max()?;
        let mut nearest = found.into_iter().filter(|&(f, _)| near(f) == best);
        let (f, s) = nearest.next()?;
        if nearest.next().is_some() {
            return None;
        }
        let rets = self.getter_returns(f, s, span, None);
        (!rets.iter().all(|r| matches!(r.kind, VKind::Other))).then_some(rets)
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
                ExprKind::Name(n) if f != 0 && facts.scopes[f].params.iter().any(|p| **p == **n) => {
                    Some((f, n.as_ref()))
                }
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
        let on_this =
            |call: &Call| matches!(&call.callee.kind, ExprKind::Member(o, _) if matches!(o.kind, ExprKind::This));
        let own = |cf: FileId, cs: &CallSite, call: &Call| {
            cf == file && self.index[file].class_of[cs.scope] == class && on_this(call)
        };
        // `$this->name(…)` in another class calls that class's method; any
        // other receiver may be an instance of this class.
        let outside = self.calls_named(name).any(|(cf, ci)| {
            let cs = &self.files[cf].facts.calls[ci];
            chain_calls(&cs.expr)
                .iter()
                .any(|call| call.callee.last_name() == Some(name) && !on_this(call))
        });
        if name.is_empty() || outside || !self.enter_object((file, format!("{param}#setter{method}"))) {
            return None;
        }
        let mut out = Vec::new();
        for (cf, ci) in self.calls_named(name) {
            let cs = &self.files[cf].facts.calls[ci];
            for call in chain_calls(&cs.expr) {
                if call.callee.last_name() == Some(name) && own(cf, cs, call) {
                    let p = self.bind_params(Cx::new(file, cs.scope, None), (file, method), call);
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

    /// The constructor of a class (or of the nearest base that has one).
    fn constructor(&self, file: FileId, class: ScopeId) -> Option<ScopeRef> {
        let name = self.facts(file).scopes[class].name.as_str();
        CONSTRUCTORS
            .iter()
            .copied()
            .chain([name])
            .find_map(|n| self.class_method(file, class, n))
    }

    /// Can an instance of `class` hold fields its construction filled from
    /// arguments: its constructor keeps some, or it is a struct (Go, Rust)
    /// that a literal or a function of its own fills.
    pub(super) fn built_with_arguments(&self, file: FileId, class: ScopeId) -> bool {
        if self.files[file].lang.is_some_and(directory_package) || self.files[file].lang == Some(Lang::Rust) {
            return true;
        }
        self.constructor(file, class)
            .is_some_and(|(cf, cs)| !self.index[cf].param_fields.get(cs).is_empty())
    }

    /// What a constructor call of `class` (`Client(host, token)`, made at
    /// `cx`) keeps of its arguments: each field the constructor assigns from
    /// one of its parameters, evaluated with the parameters bound to the
    /// call's arguments. None when it keeps nothing the call passes.
    pub(super) fn constructed_fields(&self, cx: Cx, (file, class): ScopeRef, call: &Call) -> Option<Fields> {
        if call.args.is_empty() {
            return None;
        }
        match self.constructor(file, class) {
            Some(ctor) => self.fields_kept(cx, ctor, call),
            // A struct literal (`&Client{Host: h}`, `Client { host, token }`):
            // each named field is its value.
            None if call.is_new && call.args.iter().all(|a| a.name.is_some()) => {
                let mut fields: Vec<(String, Vec<Val>)> = call
                    .args
                    .iter()
                    .map(|a| {
                        let name = a.name.as_deref().unwrap_or_default();
                        (
                            format!("this.{name}"),
                            self.eval(cx.file, cx.scope, &a.value, cx.params),
                        )
                    })
                    .collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Some(Rc::new(fields))
            }
            None => None,
        }
    }

    /// What function `(cf, cs)` called as `call` at `cx` keeps of its
    /// arguments in the fields of `this` (a constructor, or a function that
    /// builds its struct: Go's `NewClient`, Rust's `Client::new`).
    pub(super) fn fields_kept(&self, cx: Cx, (cf, cs): ScopeRef, call: &Call) -> Option<Fields> {
        let writes = self.index[cf].param_fields.get(cs);
        if writes.is_empty() {
            return None;
        }
        // Only the arguments the kept fields read are evaluated.
        let facts = self.facts(cf);
        let needed: Vec<String> = facts.scopes[cs]
            .params
            .iter()
            .filter(|n| {
                let n = std::slice::from_ref(*n);
                writes.iter().any(|&i| {
                    let a = &facts.assigns[i];
                    mentions(&a.value, n) || a.guard.as_deref().is_some_and(|g| mentions(g, n))
                })
            })
            .cloned()
            .collect();
        let p = self.bind_params_with(cx, (cf, cs), call, None, Some(&needed));
        if p.is_empty() {
            return None;
        }
        let ix = &self.index[cf];
        let class = ix.class_of[cs];
        let mut fields: Vec<(String, Vec<Val>)> = Vec::new();
        for &i in writes {
            let a = &facts.assigns[i];
            let ExprKind::Member(_, m) = &a.target.kind else {
                continue;
            };
            let key = format!("this.{m}");
            if fields.iter().any(|(k, _)| *k == key) {
                continue;
            }
            let mine: Vec<usize> = writes
                .iter()
                .copied()
                .filter(|&j| matches!(&facts.assigns[j].target.kind, ExprKind::Member(_, n) if n == m))
                .collect();
            let mut vs = Vec::new();
            for &j in &mine {
                let a = &facts.assigns[j];
                let mut these = self.eval(cf, a.scope, &a.value, Some(&p));
                self.select_by_guard(cf, a.scope, a.guard.as_deref(), Some(&p), &mut these);
                push_alts(&mut vs, these);
            }
            // The field's other values: those other methods write (a
            // refreshed token), and, where the constructor writes it only
            // under a condition, its default (`BASE_URL` unless `region`
            // is not "com").
            let always = mine
                .iter()
                .any(|&j| facts.assigns[j].guard.is_none() && facts.assigns[j].scope == cs);
            let others: Vec<usize> = class
                .and_then(|c| ix.fields(&self.names, c, m))
                .unwrap_or(&[])
                .iter()
                .copied()
                .filter(|j| !mine.contains(j))
                .filter(|&j| !always || !matches!(ix.func_of[facts.assigns[j].scope], f if f == cs || f == 0))
                .collect();
            if !others.is_empty() {
                push_alts(&mut vs, self.field_values(cf, &others));
            }
            // A field the call fills with nothing known tells the methods
            // nothing the class does not: left to the class.
            if vs.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                fields.push((key, vs));
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        (!fields.is_empty()).then(|| Rc::new(fields))
    }

    /// Values read from an instance: what came from the constructor's
    /// parameters belongs to this instance (two instances built with different
    /// tokens stay apart).
    pub(super) fn for_instance(&self, inst: &Val, vs: Vec<Val>) -> Vec<Val> {
        let at = format!(
            "@{}:{}",
            self.files[inst.at.file].path,
            self.line(inst.at.file, inst.at.span)
        );
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
        let key = (from, self.key_id(name));
        if let Some(v) = self.nearest_cache.borrow().get(&key) {
            return v.clone();
        }
        let dir = |f: FileId| self.files[f].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let here = dir(from);
        let nearness = |f: FileId| {
            if f == from {
                return usize::MAX;
            }
            common_dirs(here, dir(f))
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

/// How many leading directories two directory paths share
/// (`a/b/c`, `a/b/d` → 2; the top level `` with itself → 1): what
/// comparing their `/`-separated parts one by one gives, in one pass over
/// the bytes.
pub(super) fn common_dirs(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let ends = |s: &[u8]| s.get(p).is_none_or(|&c| c == b'/');
    a[..p].iter().filter(|&&c| c == b'/').count() + usize::from(ends(a) && ends(b))
}

/// Assignment `i` binds the class's method `m` to its name (`def m` /
/// `String m() {…}` declared in the class body).
fn is_method_binding(facts: &FileFacts, i: usize, m: &str) -> bool {
    matches!(facts.assigns[i].value.kind, ExprKind::Func(s) if facts.scopes[s].name == m && facts.scopes[s].parent == Some(facts.assigns[i].scope))
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_dirs_counts_the_shared_parts() {
        let by_parts = |a: &str, b: &str| a.split('/').zip(b.split('/')).take_while(|(x, y)| x == y).count();
        let dirs = ["", "a", "ab", "a/b", "a/bc", "a/b/c", "a/b/d", "b/a", "a/b/c/d"];
        for a in dirs {
            for b in dirs {
                assert_eq!(super::common_dirs(a, b), by_parts(a, b), "{a:?} {b:?}");
            }
        }
    }
}
