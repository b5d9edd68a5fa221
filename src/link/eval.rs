//! Pass "evaluate values": turns an expression of the fact model into the
//! set of values it can take ([`Val`] alternatives), through concatenation,
//! guards and selectors, members and indexing of the values it meets.
//!
//! Reads: the file facts and the other passes (names, classes, imports,
//! calls). Writes: the evaluation caches of the [`Linker`].

use super::*;

impl<'r> Linker<'r> {
    pub fn eval(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Vec<Val> {
        self.guarded(file, e, || self.eval_inner(file, scope, e, params))
    }

    /// One evaluation step under the depth limit and the fuel.
    fn guarded(&self, file: FileId, e: &Expr, f: impl FnOnce() -> Vec<Val>) -> Vec<Val> {
        let depth = self.depth.get();
        self.memo_depth(depth, depth > MAX_EVAL_DEPTH);
        if depth > MAX_EVAL_DEPTH {
            self.too_deep.set(true);
            return vec![val(VKind::Other, file, e.span)];
        }
        let fuel = self.fuel.get();
        if fuel == 0 || crate::budget::expired() {
            self.starved.set(true);
            return vec![val(VKind::Other, file, e.span)];
        }
        self.fuel.set(fuel - 1);
        self.depth.set(self.depth.get() + 1);
        let mut r = f();
        self.depth.set(self.depth.get() - 1);
        r.truncate(MAX_ALTS);
        r
    }

    pub(super) fn eval_inner(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Vec<Val> {
        let c = catalog();
        let one = |k: VKind| vec![val(k, file, e.span)];
        match &e.kind {
            ExprKind::Str(s) => one(VKind::Str(vec![Piece::Lit(
                s.clone().into(),
                Loc { file, span: e.span },
            )])),
            ExprKind::Concat(parts) => self.concat(file, scope, parts, e.span, params),
            ExprKind::Format { style, template, args } => {
                let vs = self.format(file, scope, *style, template, args, e.span, params);
                if vs.is_empty() {
                    return one(VKind::Other);
                }
                vs
            }
            ExprKind::Name(n) => self.resolve_name(Cx::new(file, scope, params), n, e.span),
            ExprKind::This => one(VKind::Other),
            ExprKind::Env(n) => self
                .env_alternatives(n, file, e.span)
                .unwrap_or_else(|| one(VKind::Env(n.clone().into()))),
            ExprKind::EnvObject => one(VKind::EnvObject),
            ExprKind::Secret(s) => one(VKind::Sym(s.as_ref().into(), SymKind::Secret)),
            ExprKind::Member(obj, m) => self.eval_member(file, scope, e, obj, m, params, true),
            ExprKind::Index(obj, key) => {
                let keys = self.eval(file, scope, key, params);
                let objs = self.eval(file, scope, obj, params);
                if let Some(k) = keys.iter().find(|k| matches!(&k.kind, VKind::Str(p) if p.len() == 1 && matches!(p[0], Piece::Lit(ref s, _) if c.is_api_domain_key(s))))
                {
                    return self.api_domain_of(file, &objs, |o| self.index(file, o, k, e.span), e.span);
                }
                let mut out = Vec::new();
                for o in &objs {
                    for k in &keys {
                        push_alts(&mut out, self.index(file, o, k, e.span));
                    }
                }
                out
            }
            ExprKind::Call(call) => self.eval_call(file, scope, e, call, params),
            ExprKind::Dict(pairs) => {
                let mut fields = Vec::new();
                for (k, v) in pairs {
                    let key = match &k.kind {
                        ExprKind::Str(s) => Some(s.to_string()),
                        ExprKind::Name(n) if self.files[file].lang != Some(Lang::Python) => Some(n.to_string()),
                        _ => None,
                    };
                    let vs = self.eval(file, scope, v, params);
                    match key {
                        // `{**base, …}` / `{...base, …}`: the base's fields, inlined.
                        None if matches!(k.kind, ExprKind::Unknown) => merge_spread(&mut fields, vs),
                        _ => set_field(&mut fields, key, vs),
                    }
                }
                one(VKind::Dict(Rc::new(fields)))
            }
            ExprKind::List(items) => {
                let elems = items.iter().map(|i| self.eval(file, scope, i, params)).collect();
                one(VKind::List(Rc::new(elems)))
            }
            ExprKind::Elem(obj, i) => self.eval_elem(Loc { file, span: e.span }, scope, obj, *i, params),
            ExprKind::Alt { cond, alts } => {
                self.eval_alt(Loc { file, span: e.span }, scope, cond.as_deref(), alts, params)
            }
            ExprKind::Func(s) => one(VKind::Func(file, *s)),
            // A test's value is derived from its first operand with an identity
            // (`os.environ.get("SANDBOX") == "1"` comes from env:SANDBOX).
            ExprKind::Test(ops) => {
                for o in ops {
                    let vs = self.eval(file, scope, o, params);
                    if let Some(v) = vs
                        .into_iter()
                        .find(|v| matches!(v.kind, VKind::Env(_) | VKind::Sym(..)))
                    {
                        return vec![v];
                    }
                }
                one(VKind::Other)
            }
            ExprKind::Bool(b) => one(VKind::Bool(*b)),
            ExprKind::Number | ExprKind::Null | ExprKind::Unknown => one(VKind::Other),
        }
    }

    /// `a, b = f()`'s `i`-th target: the item of a positional list, of a
    /// symbol, or the object itself for the first result of a call.
    fn eval_elem(&self, at: Loc, scope: ScopeId, obj: &Expr, i: usize, params: Option<&Params>) -> Vec<Val> {
        let file = at.file;
        let mut out = Vec::new();
        for o in self.eval(file, scope, obj, params) {
            let vs = match &o.kind {
                VKind::List(items) => items.get(i).cloned().unwrap_or_default(),
                VKind::Sym(s, k) => vec![val(VKind::Sym(format!("{s}[{i}]").into(), *k), file, at.span)],
                // A call whose results are not modelled: its first
                // result is the object (`req, err := http.NewRequest(…)`).
                _ if i == 0 => vec![o.clone()],
                _ => Vec::new(),
            };
            push_alts(
                &mut out,
                vs.into_iter()
                    .map(|mut v| {
                        // The tuple's choice is the outer one; an item's own
                        // (the default of `os.getenv("X", "")`) is inside it.
                        match (o.sel(), o.switch()) {
                            (Some(s), Some(sw)) if v.sel().is_some() => v.chosen_by(s.clone(), sw),
                            _ => v.inherit_sel(&o),
                        }
                        v
                    })
                    .collect(),
            );
        }
        if out.is_empty() {
            return vec![val(VKind::Other, file, at.span)];
        }
        out
    }

    /// Alternatives (a ternary, `a or b`, a guarded choice): each selected
    /// by the key of the condition, or by an env var left unset.
    fn eval_alt(
        &self,
        at: Loc,
        scope: ScopeId,
        cond: Option<&Expr>,
        alts: &[Expr],
        params: Option<&Params>,
    ) -> Vec<Val> {
        let file = at.file;
        // `host = A if sandbox else B` in a helper its caller calls with a
        // literal flag (`fetch(token, True)`): that caller's branch only.
        if let (Some(c), [then, other]) = (cond, alts) {
            if let Some(b) = self.literal_flag(c, params) {
                return self.eval(file, scope, if b { then } else { other }, params);
            }
        }
        let sel: Option<Rc<str>> = match (cond, alts.first().map(|a| &a.kind)) {
            (Some(c), _) => Some(
                self.selector(file, scope, c, params)
                    .unwrap_or_else(|| format!("cond@{}:{}", self.files[file].path, self.line(file, c.span)).into()),
            ),
            // `os.environ.get("ZOHO_DC", "us")`, `process.env.X || "us"`:
            // the default is chosen by the variable being unset.
            (None, Some(ExprKind::Env(n))) => Some(format!("env:{n}").into()),
            (None, _) => None,
        };
        let evaluated: Vec<Vec<Val>> = alts.iter().map(|a| self.eval(file, scope, a, params)).collect();
        // `settings.get("DC") or "us"`: the default is chosen by the
        // setting the first operand reads (its identity, from the values
        // already computed: operands are evaluated once). Not a cache beside
        // its computation (`self::$env ?: f()`).
        let reads_setting = alts.first().is_some_and(|a| match &a.kind {
            ExprKind::Call(c) => c.args.iter().any(|x| matches!(x.value.kind, ExprKind::Str(_))),
            ExprKind::Index(_, k) => matches!(k.kind, ExprKind::Str(_)),
            _ => false,
        });
        let sel = sel.or_else(|| {
            let first = evaluated.first().filter(|_| reads_setting)?;
            first.iter().find_map(|v| match &v.kind {
                VKind::Sym(s, _) => Some(s.clone()),
                _ => None,
            })
        });
        let mut out = Vec::new();
        for mut vs in evaluated {
            if let Some(s) = &sel {
                for v in &mut vs {
                    v.chosen_by(s.clone(), at);
                }
            }
            push_alts(&mut out, vs);
        }
        out
    }

    /// `obj.m` read as a value; with `getters`, a getter it names is called
    /// (not for a callee: `obj.m(…)` calls the method itself).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn eval_member(
        &self,
        file: FileId,
        scope: ScopeId,
        e: &Expr,
        obj: &Expr,
        m: &str,
        params: Option<&Params>,
        getters: bool,
    ) -> Vec<Val> {
        let c = catalog();
        let one = |k: VKind| vec![val(k, file, e.span)];
        // What a call wrote into its `out` argument (C#): the callee's
        // assignments to that parameter, with the call's arguments bound.
        if let (Some(pos), ExprKind::Call(call)) = (Expr::out_argument_position(m), &obj.kind) {
            return self
                .out_argument(Cx::new(file, scope, params), call, pos)
                .unwrap_or_else(|| one(VKind::Other));
        }
        // `self.host` in a method of an instance built with arguments: what
        // its constructor kept of them.
        if matches!(obj.kind, ExprKind::This) {
            if let Some(vs) = params.and_then(|p| p.get(&format!("this.{m}"))) {
                let mut vs = vs.clone();
                for v in &mut vs {
                    v.via_param = true;
                }
                return vs;
            }
            // Another field of that instance (`self._access_token`, which
            // `_refresh` writes from the instance's `BASE_URL`): its writes
            // read the same instance.
            if let Some(vs) = params.and_then(|p| self.field_of_built(file, scope, m, p)) {
                return vs;
            }
        }
        if let Some(env) = c.sdk_environment_path(obj, m) {
            return one(VKind::Sdk(env));
        }
        if let Some(envs) = self.sdk_class_member(file, scope, obj, m, e.span, params) {
            return envs;
        }
        if c.is_api_domain_key(m) {
            // `this.apiDomain` set from a literal or the deployment's
            // settings is a host like any other, not the domain that
            // came with the token.
            // …unless the class also overwrites it with a token
            // response's api_domain: then it follows the token.
            if matches!(obj.kind, ExprKind::This) {
                let all = self.this_field(file, scope, m, e.span, getters);
                // Called, `self.api_domain()` is the class's method of that
                // name (a Rust getter beside its field).
                if all.iter().any(|v| matches!(v.kind, VKind::Func(..))) {
                    return all;
                }
                if let Some(hosts) = own_hosts(&all) {
                    return hosts;
                }
                if let Some(d) = derived_only(&all) {
                    return self.with_overrides(file, scope, m, d, &all);
                }
                return one(VKind::Derived);
            }
            let objs = self.eval(file, scope, obj, params);
            return self.api_domain_of(file, &objs, |o| self.member(file, o, m, e.span), e.span);
        }
        if matches!(obj.kind, ExprKind::This) {
            let vs = self.this_field(file, scope, m, e.span, getters);
            let vs = if getters {
                self.call_getters(vs, None, params.and_then(this_fields))
            } else {
                vs
            };
            // A field the class overwrites with the api_domain of a
            // token response follows the token; its literal is only
            // the value before the first refresh.
            return match derived_only(&vs) {
                Some(d) => self.with_overrides(file, scope, m, d, &vs),
                None => vs,
            };
        }
        let objs = self.eval(file, scope, obj, params);
        let mut out = Vec::new();
        for o in objs {
            // Called, `cfg.host()` is the method even where a field has its
            // name (a Java record's accessor, a getter named as its field).
            let method = match &o.kind {
                VKind::Instance(f, c, _) if !getters => self.class_method(*f, *c, m).map(|_| (*f, *c)),
                VKind::Carrier(ing) if !getters => ing.class.filter(|&(f, c)| self.class_method(f, c, m).is_some()),
                _ => None,
            };
            let vs = match method {
                Some((f, c)) => self.for_instance(&o, self.class_member(f, c, m, e.span)),
                None => self.member(file, &o, m, e.span),
            };
            let vs = match &o.kind {
                _ if !getters => vs,
                VKind::Instance(..) | VKind::Carrier(_) => {
                    let fields = built_fields(&o);
                    self.call_getters(vs, Some(&o), fields)
                }
                VKind::Func(..) => self.call_getters(vs, None, None),
                // A member of a value of no known class: the one getter
                // of that name, if the repository has one.
                VKind::Sym(_, SymKind::Param | SymKind::Symbol)
                    if vs.iter().all(|v| matches!(v.kind, VKind::Sym(..))) =>
                {
                    match self.getter_by_name(file, m, e.span) {
                        Some(rets) => rets,
                        None => vs,
                    }
                }
                _ => vs,
            };
            push_alts(&mut out, vs);
        }
        out
    }

    /// What `call` (made at `cx`) writes into its argument at `position`
    /// (C# `out`): the called function's assignments to that parameter.
    fn out_argument(&self, cx: Cx, call: &Call, position: usize) -> Option<Vec<Val>> {
        let callee = self.eval_callee(cx.file, cx.scope, &call.callee, cx.params);
        let (ffile, fscope) = self.called_function(&callee)?;
        let facts = self.facts(ffile);
        let name = facts.scopes[fscope].params.get(position)?;
        let p = self.bind_params(cx, (ffile, fscope), call);
        let ix = &self.index[ffile];
        let mut out = Vec::new();
        for a in facts.assigns.iter().filter(|a| ix.func_of[a.scope] == fscope) {
            if matches!(&a.target.kind, ExprKind::Name(n) if **n == **name) {
                push_alts(&mut out, self.eval(ffile, a.scope, &a.value, Some(&p)));
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Field `m` of the instance a method runs on, when the method's
    /// parameters bind that instance's constructed fields: the values the
    /// class's writes to it give on that instance (none: not such a field).
    fn field_of_built(&self, file: FileId, scope: ScopeId, m: &str, p: &Params) -> Option<Vec<Val>> {
        let this = this_fields(p)?;
        let class = self.enclosing_class(file, scope)?;
        let writes = self.index[file].fields(&self.names, class, m)?;
        let facts = self.facts(file);
        // The method's own earlier write, a field read inside its own
        // writes: as the class has it.
        let func = self.index[file].func_of[scope];
        if writes
            .iter()
            .any(|&i| self.index[file].func_of[facts.assigns[i].scope] == func)
        {
            return None;
        }
        let key = ((file, class), Box::<str>::from(m));
        if self.fields_in_progress.borrow().contains(&key) {
            return None;
        }
        self.fields_in_progress.borrow_mut().push(key);
        let own = Params::of_fields(&this);
        let mut out = Vec::new();
        for &i in writes {
            let a = &facts.assigns[i];
            push_alts(&mut out, self.eval(file, a.scope, &a.value, Some(&own)));
        }
        self.fields_in_progress.borrow_mut().pop();
        Some(out)
    }

    /// `obj.api_domain` / `obj["api_domain"]` (`read` reads it on one
    /// object): the domain that came with the token, unless the object is
    /// one the code fills itself with hosts (a literal, a ternary of
    /// literals, the deployment's setting) and never with a token
    /// response's domain — then those hosts, like any other.
    fn api_domain_of(&self, file: FileId, objs: &[Val], read: impl Fn(&Val) -> Vec<Val>, span: Span) -> Vec<Val> {
        let mut out = Vec::new();
        for o in objs {
            let vs = own_hosts(&read(o)).unwrap_or_else(|| vec![val(VKind::Derived, file, span)]);
            push_alts(&mut out, vs);
        }
        if out.is_empty() {
            out.push(val(VKind::Derived, file, span));
        }
        out
    }

    /// A callee: a member is the method itself, not what a getter returns.
    pub(super) fn eval_callee(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Vec<Val> {
        let ExprKind::Member(obj, m) = &e.kind else {
            return self.eval(file, scope, e, params);
        };
        self.guarded(file, e, || self.eval_member(file, scope, e, obj, m, params, false))
    }

    pub(super) fn concat(
        &self,
        file: FileId,
        scope: ScopeId,
        parts: &[Expr],
        span: Span,
        params: Option<&Params>,
    ) -> Vec<Val> {
        concat_vals(parts.iter().map(|p| self.eval(file, scope, p, params)), file, span)
    }
}

/// String building over the parts' values (each part evaluated when it is
/// reached): the Cartesian product of their alternatives, capped; each
/// string keeps the first selector among its parts.
pub(super) fn concat_vals(parts: impl IntoIterator<Item = Vec<Val>>, file: FileId, span: Span) -> Vec<Val> {
    let mut acc = vec![val(VKind::Str(Vec::new()), file, span)];
    for vs in parts {
        let mut next = Vec::new();
        for a in &acc {
            let VKind::Str(pieces) = &a.kind else { continue };
            for v in &vs {
                if next.len() >= MAX_ALTS {
                    break;
                }
                let mut np = pieces.clone();
                match &v.kind {
                    VKind::Str(ps) => np.extend(ps.iter().cloned()),
                    _ => np.push(Piece::Hole(Box::new(v.clone()))),
                }
                let mut n = a.clone();
                n.kind = VKind::Str(np);
                n.inherit_sel(v);
                n.via_param |= v.via_param;
                next.push(n);
            }
        }
        acc = next;
    }
    acc
}

impl<'r> Linker<'r> {
    /// A template filled at run time: each literal the template can be,
    /// filled with the arguments; the literal keeps the place it is written
    /// and the key that chose it. A template that is no literal is unknown.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn format(
        &self,
        file: FileId,
        scope: ScopeId,
        style: FormatStyle,
        template: &Expr,
        args: &[Arg],
        span: Span,
        params: Option<&Params>,
    ) -> Vec<Val> {
        let here = Loc {
            file,
            span: template.span,
        };
        let mut out = Vec::new();
        for t in self.eval(file, scope, template, params) {
            let literal = match &t.kind {
                VKind::Str(pieces) => literal_text(pieces),
                _ => None,
            };
            let Some((text, at)) = literal else {
                push_alts(&mut out, vec![val(VKind::Other, file, span)]);
                continue;
            };
            let text = Expr::new(ExprKind::Str(text.into()), template.span);
            let filled = Expr::new(crate::template::expand(style, &text, args), span);
            let mut vs = self.eval(file, scope, &filled, params);
            for v in &mut vs {
                if let VKind::Str(pieces) = &mut v.kind {
                    for p in pieces {
                        match p {
                            Piece::Lit(_, loc) if *loc == here => *loc = at,
                            _ => {}
                        }
                    }
                }
                v.inherit_sel(&t);
                v.via_param |= t.via_param;
            }
            push_alts(&mut out, vs);
        }
        out
    }

    /// One of several assignments/returns: the `if` around it is what selects it.
    pub(super) fn select_by_guard(
        &self,
        file: FileId,
        scope: ScopeId,
        guard: Option<&Expr>,
        params: Option<&Params>,
        vs: &mut [Val],
    ) {
        let Some(g) = guard else {
            return;
        };
        let sel = self.selector(file, scope, g, params);
        for v in vs.iter_mut() {
            if v.sel().is_none() && sel.is_some() {
                v.set_choice(sel.clone(), Some(Loc { file, span: g.span }));
            }
        }
    }

    /// A ternary's condition that is a parameter the caller passed a
    /// boolean literal for: that literal.
    pub(super) fn literal_flag(&self, cond: &Expr, params: Option<&Params>) -> Option<bool> {
        let (n, key) = match &cond.kind {
            ExprKind::Name(n) => (n, None),
            // `opts[:sandbox]` of a dict parameter the caller built with
            // literal keys (`request(path, sandbox: true)`): a key left out
            // is nil.
            ExprKind::Index(obj, k) => match (&obj.kind, &k.kind) {
                (ExprKind::Name(n), ExprKind::Str(k)) => (n, Some(k.as_ref())),
                _ => return None,
            },
            // `kwargs.get("sandbox")`: the same read, a key left out None.
            ExprKind::Call(c) if c.args.len() == 1 && c.args[0].name.is_none() => {
                match (&c.callee.kind, &c.args[0].value.kind) {
                    (ExprKind::Member(obj, m), ExprKind::Str(k)) if &**m == "get" => match &obj.kind {
                        ExprKind::Name(n) => (n, Some(k.as_ref())),
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            _ => return None,
        };
        let vs = params?.get(n)?;
        let flag = |v: &Val| match (&v.kind, key) {
            (VKind::Bool(b), None) => Some(*b),
            // A record filled from a file after the literal default may set it.
            (VKind::Dict(fields), Some(k)) if records_after(fields, k).next().is_some() => None,
            (VKind::Dict(fields), Some(k)) => match fields.iter().find(|(f, _)| f.as_deref() == Some(k)) {
                Some((_, vs)) => match vs.as_slice() {
                    [Val {
                        kind: VKind::Bool(b), ..
                    }] => Some(*b),
                    _ => None,
                },
                None if fields.iter().all(|(f, _)| f.is_some()) => Some(false),
                None => None,
            },
            _ => None,
        };
        let first = flag(vs.first()?)?;
        vs.iter().all(|v| flag(v) == Some(first)).then_some(first)
    }

    /// The identity of the key that selects among alternatives.
    pub(super) fn selector(
        &self,
        file: FileId,
        scope: ScopeId,
        cond: &Expr,
        params: Option<&Params>,
    ) -> Option<Rc<str>> {
        match &cond.kind {
            ExprKind::Test(ops) => ops.iter().find_map(|o| self.selector(file, scope, o, params)),
            ExprKind::Str(_) | ExprKind::Number | ExprKind::Bool(_) | ExprKind::Null => None,
            _ => {
                let vs = self.eval(file, scope, cond, params);
                // An argument of no known origin (`f(env::var("X").is_ok())`)
                // is the same key wherever the helper tests it: its place.
                vs.iter()
                    .find_map(|v| self.identity_key(v))
                    .or_else(|| {
                        // A test of an env var made by a method of it or
                        // on it (`env::var("X").is_ok()`,
                        // `"sandbox".equals(getenv("X"))`): chosen by it.
                        let ExprKind::Call(c) = &cond.kind else { return None };
                        let ExprKind::Member(obj, _) = &c.callee.kind else {
                            return None;
                        };
                        std::iter::once(&**obj)
                            .chain(c.args.iter().map(|a| &a.value))
                            .find_map(|x| self.selector(file, scope, x, params))
                            .filter(|k| k.starts_with("env:"))
                    })
                    .or_else(|| {
                        let v = vs.iter().find(|v| v.via_param)?;
                        let (line, col) = self.position(v.at.file, v.at.span);
                        Some(format!("cond@{}:{}:{}", self.files[v.at.file].path, line, col).into())
                    })
            }
        }
    }

    /// A string key naming where a value comes from (env var, symbol).
    pub(super) fn identity_key(&self, v: &Val) -> Option<Rc<str>> {
        match &v.kind {
            VKind::Env(n) => Some(format!("env:{n}").into()),
            VKind::Sym(s, _) => Some(s.clone()),
            VKind::Str(p) if p.len() == 1 => match &p[0] {
                Piece::Hole(h) => self.identity_key(h),
                Piece::Lit(..) => v.sel().cloned(),
            },
            _ => v.sel().cloned(),
        }
    }

    /// `dc.SANDBOX` / `$dcClass::SANDBOX()` where `dc` holds an SDK
    /// data-center class chosen at run time (an alias, a dict of classes,
    /// PHP's `USDataCenter::class`): that class's environment, chosen by
    /// the key that chose the class.
    pub(super) fn sdk_class_member(
        &self,
        file: FileId,
        scope: ScopeId,
        obj: &Expr,
        m: &str,
        span: Span,
        params: Option<&Params>,
    ) -> Option<Vec<Val>> {
        let c = catalog();
        if !c.sdk_env_members().any(|x| x == m) {
            return None;
        }
        let objs = self.eval(file, scope, obj, params);
        let envs: Vec<Val> = objs
            .iter()
            .filter_map(|o| sdk_environment_of(o, m, file, span))
            .collect();
        (!envs.is_empty()).then_some(envs)
    }

    /// `options.ApiHost` on an instance of a class a framework fills from a
    /// configuration section ([`crate::facts::SettingsClass`]): the key
    /// below that section, as the profiles set it (the class's own
    /// initialiser is the default when no profile sets it).
    fn bound_setting(&self, file: FileId, o: &Val, f: FileId, c: ScopeId, m: &str, span: Span) -> Option<Vec<Val>> {
        let name = self.facts(f).scopes[c].name.as_str();
        let bound = self.settings_classes.get(name)?;
        let mut out = Vec::new();
        for &(bf, i) in bound {
            let b = &self.facts(bf).settings_classes[i];
            for v in self.eval(bf, b.scope, &b.section, None) {
                let VKind::Str(pieces) = &v.kind else { continue };
                let Some((section, _)) = literal_text(pieces) else {
                    continue;
                };
                let mut read = o.clone();
                read.kind = VKind::Env(crate::config::config_read_name(&section));
                push_alts(&mut out, self.member(file, &read, m, span));
            }
        }
        if out.is_empty() {
            return None;
        }
        if !out.iter().any(|v| matches!(v.kind, VKind::Str(_))) {
            let initial = self.class_member(f, c, m, span).into_iter();
            push_alts(&mut out, initial.filter(|v| matches!(v.kind, VKind::Str(_))).collect());
        }
        Some(out)
    }

    pub(super) fn member(&self, file: FileId, o: &Val, m: &str, span: Span) -> Vec<Val> {
        let c = catalog();
        let keep = |k: VKind| {
            vec![Val {
                kind: k,
                at: Loc { file, span },
                choice: o.choice.clone(),
                via_param: o.via_param,
            }]
        };
        match &o.kind {
            VKind::Module(fid) => self.module_member(file, *fid, m, span),
            // `env.ZOHO_TOKEN` on the process environment or a settings
            // object validated from it: that env var, as the profiles set it.
            VKind::EnvObject => self
                .env_alternatives(m, file, span)
                .unwrap_or_else(|| keep(VKind::Env(m.to_string()))),
            // `cfg["sandbox"]` of `cfg = json.load(f)`: a field of a
            // configuration record, that record's key.
            VKind::Env(n) if is_record(n) => keep(VKind::Env(self.record_field(n, m))),
            // `config('zohocrm')['sandbox']`: a key of a configuration read
            // is the configuration key below it.
            VKind::Env(n) if n.starts_with("config:") => {
                let key = crate::config::config_read_name(&format!("{}.{m}", &n["config:".len()..]));
                self.env_alternatives(&key, file, span)
                    .unwrap_or_else(|| keep(VKind::Env(key)))
            }
            // `client.get_token` / `client.base` on an instance of a repository class.
            // Values that come from the constructor's parameters belong to this
            // instance: two instances built with different tokens stay apart.
            VKind::Instance(f, c, _) => match field_of(o, m) {
                Some(vs) => vs,
                None => match self.bound_setting(file, o, *f, *c, m, span) {
                    Some(vs) => vs,
                    None => self.for_instance(o, self.class_member(*f, *c, m, span)),
                },
            },
            // `Host.SANDBOX` on a class used as an enum: its class attribute.
            VKind::Func(f, s) if self.facts(*f).scopes[*s].kind == ScopeKind::Class => {
                match self.index[*f].fields(&self.names, *s, m) {
                    Some(idx) => self.assigned_at(*f, idx, None).unwrap_or_default(),
                    // `ZohoToken.objects`, `ZohoToken.query`, `ZohoToken.last`
                    // on a token table's model: its rows.
                    None if self.token_model(*f, *s).is_some() && self.class_method(*f, *s, m).is_none() => {
                        keep(VKind::Stored(*f, *s))
                    }
                    // `Configuration.base_url`: a class method (read as a
                    // value, a getter of the class is called).
                    None => match self.class_method(*f, *s, m) {
                        Some((mf, ms)) => keep(VKind::Func(mf, ms)),
                        None => keep(VKind::Other),
                    },
                }
            }
            // A token column of stored rows (`row.refresh_token`): one
            // identity per model and column, read from that store.
            VKind::Stored(f, s) if c.is_token_key(m) => {
                let sym = self.intern(&format!(
                    "{}::{}.{m}",
                    self.files[*f].path,
                    self.facts(*f).scopes[*s].name
                ));
                if let Some(store) = self.token_model(*f, *s) {
                    self.note_stored(TokenIdentity::Symbol(sym.to_string()), store);
                }
                keep(VKind::Sym(sym, SymKind::Symbol))
            }
            // A query on stored rows (`.latest("timestamp")`, `.filter(…)`)
            // is still those rows.
            VKind::Stored(..) => keep(o.kind.clone()),
            // `Host.SANDBOX.value` (Python enums) is the string itself.
            VKind::Str(_) if m == "value" => vec![o.clone()],
            VKind::Dict(fields) => {
                let mut vs: Vec<Val> = fields
                    .iter()
                    .filter(|(k, _)| k.as_deref() == Some(m))
                    .flat_map(|(_, v)| v.iter().cloned())
                    // A record chosen by a key: its fields are chosen by it.
                    .map(|mut v| {
                        v.inherit_sel(o);
                        v
                    })
                    .collect();
                // A configuration record spread after the field (a dict
                // filled from a file the program reads): its key of that
                // name, a field of that one record.
                for r in records_after(fields, m) {
                    if let VKind::Env(n) = &r.kind {
                        vs.push(Val {
                            kind: VKind::Env(self.record_field(n, m)),
                            ..r.clone()
                        });
                    }
                }
                if vs.is_empty() {
                    keep(VKind::Other)
                } else {
                    vs
                }
            }
            // A field its constructor filled from the arguments.
            VKind::Carrier(_) if field_of(o, m).is_some() => field_of(o, m).unwrap_or_default(),
            // A method of the repository class that built the object.
            VKind::Carrier(ing) if ing.class.is_some_and(|(f, k)| self.class_method(f, k, m).is_some()) => {
                let (f, k) = ing.class.unwrap_or_default();
                match self.class_method(f, k, m) {
                    Some((mf, ms)) => vec![val(VKind::Func(mf, ms), file, span)],
                    None => keep(VKind::Other),
                }
            }
            VKind::Carrier(ing) if c.is_token_key(m) => match ing.token_endpoint_dc() {
                Some(dc) => self.minted(o, ing, dc),
                // One response's token: its identity is where the call is.
                None => keep(VKind::Sym(
                    format!(
                        "{}:{}::{m}",
                        self.files[o.at.file].path,
                        self.line(o.at.file, o.at.span)
                    )
                    .into(),
                    SymKind::Symbol,
                )),
            },
            // A token response seen through its wrapper (`res.data`, `res.body`)
            // is still the token response.
            VKind::Carrier(ing) if ing.token_endpoint_dc().is_some() => vec![o.clone()],
            // Data read from any other response or client is not the client.
            VKind::Carrier(_) => keep(VKind::Other),
            VKind::Sym(s, k) => {
                let field = self.intern(&format!("{s}.{m}"));
                // A field of a record read at run time (not a parameter's).
                if *k == SymKind::Symbol {
                    self.record_fields
                        .borrow_mut()
                        .entry(field.clone())
                        .or_insert_with(|| s.clone());
                }
                keep(VKind::Sym(field, *k))
            }
            VKind::Sdk(_) => vec![o.clone()],
            _ => keep(VKind::Other),
        }
    }

    /// A token read from a token response: minted at the response's accounts
    /// server (`dc`), one alternative per data center or per credential a
    /// run-time choice picks; its place is the token request.
    fn minted(&self, o: &Val, ing: &Ingredients, dc: Option<DcId>) -> Vec<Val> {
        let id: Rc<str> = format!("{}:{}", self.files[o.at.file].path, self.line(o.at.file, o.at.span)).into();
        // A minted token comes from its token request: the place its
        // identity names (`minted:refresh.py:9`), not the read of the
        // response's field.
        let keep = |k: VKind| Val { kind: k, ..o.clone() };
        self.note_minted_orgs(&id, ing);
        // Minted from a credential read from a token store: the store's too.
        if let Some(store) = ing
            .tokens
            .iter()
            .chain(&ing.credentials)
            .find_map(|t| self.stored_at(&t.identity))
        {
            self.note_stored(TokenIdentity::Minted(id.to_string()), store);
        }
        // Minted at an accounts server chosen at run time
        // (`HOSTS[dc]["accounts"]`): one alternative per data center and
        // key, each selected by the key that chose its server (the default
        // of `get("DC") or "au"` is one of its own, chosen by no key).
        // An accounts server whose data center is built from a key
        // (`accounts.zoho.{region}`) mints in whichever data center the key
        // picks: one alternative per data center, each chosen by that key.
        let mut by_dc: Vec<Val> = Vec::new();
        let mut templated = false;
        for e in ing.endpoints.iter().filter(|e| e.token_endpoint) {
            let dcs = match e.target {
                Target::Env(env) => vec![env.dc],
                Target::AnyDc(_) | Target::AnyEnv(None) if e.selector.is_some() => {
                    templated = true;
                    (0..catalog().data_centers.len() as DcId).collect()
                }
                _ => continue,
            };
            let sel = e.selector.as_deref();
            for dc in dcs {
                if by_dc.iter().any(|v| {
                    matches!(v.kind, VKind::Minted(Some(d), _) if d == dc)
                        && v.sel_str() == sel
                        && v.branch() == e.branch
                }) {
                    continue;
                }
                let mut v = keep(VKind::Minted(Some(dc), id.clone()));
                if let Some(sel) = &e.selector {
                    v.set_choice(Some(sel.as_str().into()), e.switch);
                }
                if let Some(b) = e.branch {
                    v.returned_at(b);
                }
                by_dc.push(v);
            }
        }
        // Minted from credentials chosen at run time (a refresh token per
        // subclass, per profile): one token per credential, chosen by what
        // chose the credential (also where the accounts server's data
        // center is a template: the credentials tell the tokens apart).
        let mut creds: Vec<&crate::model::TokenAlt> = Vec::new();
        for t in ing.tokens.iter().chain(&ing.credentials) {
            if !creds.iter().any(|k| k.identity == t.identity) {
                creds.push(t);
            }
        }
        let per_credential = creds.len() > 1 && creds.iter().all(|t| t.selector.is_some());
        // Credentials tell the tokens apart where only the key that builds
        // the server does (a subclass per region; the default of that key
        // is one of its values); beside a server written out under another
        // key (a record's own `token_url`), each token's data center does.
        let template_keys: Vec<Option<&str>> = ing
            .endpoints
            .iter()
            .filter(|e| e.token_endpoint && !matches!(e.target, Target::Env(_)))
            .map(|e| e.selector.as_deref())
            .collect();
        let written = ing.endpoints.iter().any(|e| {
            e.token_endpoint && matches!(e.target, Target::Env(_)) && !template_keys.contains(&e.selector.as_deref())
        });
        // The accounts server and the credential chosen by one key (a
        // record per environment holding both: `match ($env) { 'eu' =>
        // [accounts, refresh_token], … }`, a `case` setting both): a token
        // per credential in each of the key's data centers, each chosen as
        // its accounts server was. One credential chosen by no key beside
        // the others is that choice's default (the `else` of a `case`).
        let cred_keys: std::collections::BTreeSet<&str> = creds.iter().filter_map(|t| t.selector.as_deref()).collect();
        let defaults = creds.iter().filter(|t| t.selector.is_none()).count();
        let one_key = creds.len() > 1
            && defaults <= 1
            && cred_keys.len() == 1
            && by_dc.len() > 1
            && by_dc.iter().all(|v| v.sel_str().is_none_or(|k| cred_keys.contains(k)))
            && by_dc.iter().any(|v| v.sel().is_some())
            // Records given by different returns of one run (a settings
            // loader) are told apart by their return, below.
            && by_dc.iter().all(|v| v.branch().is_none());
        if one_key {
            let mut out = Vec::new();
            for t in &creds {
                for v in &by_dc {
                    let VKind::Minted(d, _) = v.kind else { continue };
                    let mut m = v.clone();
                    m.kind = VKind::Minted(d, format!("{id}<{}>", t.identity).into());
                    out.push(m);
                }
            }
            return out;
        }
        // Minted in each return of a function that gives a record (an
        // accounts server and a refresh token per environment): each
        // return's token is minted from that return's own credential.
        if by_dc.len() > 1 {
            let given: Vec<&crate::model::TokenAlt> = ing.tokens.iter().chain(&ing.credentials).collect();
            let credential_of = |b: Option<crate::model::Branch>| {
                let mut theirs = given.iter().filter(|t| b.is_some() && t.branch == b);
                let first = theirs.next()?;
                theirs.all(|t| t.identity == first.identity).then_some(&first.identity)
            };
            let distinct: std::collections::BTreeSet<_> =
                by_dc.iter().filter_map(|v| credential_of(v.branch())).collect();
            if distinct.len() > 1 && by_dc.iter().all(|v| credential_of(v.branch()).is_some()) {
                for v in &mut by_dc {
                    if let (VKind::Minted(dc, _), Some(cred)) = (&v.kind, credential_of(v.branch())) {
                        v.kind = VKind::Minted(*dc, format!("{id}<{cred}>").into());
                    }
                }
            }
        }
        if by_dc.len() > 1 && !(templated && !written && per_credential) {
            return by_dc;
        }
        if per_credential {
            return creds
                .into_iter()
                .map(|t| {
                    let mut v = keep(VKind::Minted(dc, format!("{id}<{}>", t.identity).into()));
                    v.set_choice(t.selector.as_deref().map(Rc::from), Some(t.origin));
                    v
                })
                .collect();
        }
        // One data center written, chosen by a key (the `"eu"` default of
        // `cfg.get("region", "eu")` in `accounts.zoho.{region}`): the key's
        // other values mint elsewhere, so the token is chosen by that key.
        if by_dc.iter().any(|v| v.sel().is_some()) {
            return by_dc;
        }
        vec![keep(VKind::Minted(dc, id))]
    }

    pub(super) fn index(&self, file: FileId, o: &Val, k: &Val, span: Span) -> Vec<Val> {
        let lit_key = match &k.kind {
            VKind::Str(p) if p.len() == 1 => match &p[0] {
                Piece::Lit(s, _) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        };
        if let Some(kk) = lit_key {
            let mut vs = self.member(file, o, kk, span);
            for v in &mut vs {
                v.inherit_sel(k);
            }
            return vs;
        }
        // A run-time key: every value of the map is an alternative.
        let sel = self
            .identity_key(k)
            .or_else(|| Some(format!("key@{}:{}", self.files[file].path, self.line(file, span)).into()));
        let all: Vec<Val> = match &o.kind {
            VKind::Dict(fields) => fields.iter().flat_map(|(_, v)| v.iter().cloned()).collect(),
            VKind::List(items) => items.iter().flatten().cloned().collect(),
            VKind::Sym(s, kind) => vec![val(VKind::Sym(format!("{s}[*]").into(), *kind), file, span)],
            _ => vec![val(VKind::Other, file, span)],
        };
        all.into_iter()
            .map(|mut v| {
                if let Some(s) = &sel {
                    v.chosen_by(s.clone(), Loc { file, span });
                }
                // Looked up in a map by a value one return gave, or in a
                // map one return gave: that return's.
                v.branch_of(k);
                v.branch_of(o);
                v.via_param |= o.via_param || k.via_param;
                v
            })
            .collect()
    }
}

impl<'r> Linker<'r> {
    /// `derived`, the token's own domain a field follows, and the hosts
    /// among `all` that a method of the class sets the field to without a
    /// token response (`field_overrides`): those replace the token's domain
    /// whenever that method is called.
    fn with_overrides(&self, file: FileId, scope: ScopeId, m: &str, mut derived: Vec<Val>, all: &[Val]) -> Vec<Val> {
        let overrides = self.field_overrides(file, scope, m);
        if overrides.is_empty() {
            return derived;
        }
        // The same host written by the constructor is a different value: its
        // place, key or choice differ.
        let kept = all
            .iter()
            .filter(|v| {
                matches!(v.kind, VKind::Str(_) | VKind::Env(_))
                    && overrides
                        .iter()
                        .any(|o| o.at == v.at && o.sel() == v.sel() && o.switch() == v.switch())
            })
            .cloned()
            .collect();
        push_alts(&mut derived, kept);
        derived
    }
}

/// The api_domain that came with a token, as read, or rewritten into
/// another environment.
/// The hosts a field holds when the code fills it itself (literals, the
/// deployment's settings) and never with a token response's api_domain;
/// `None` when it holds none or follows the token.
fn own_hosts(all: &[Val]) -> Option<Vec<Val>> {
    let hosts: Vec<Val> = all
        .iter()
        .filter(|v| matches!(v.kind, VKind::Str(_) | VKind::Env(_)))
        .cloned()
        .collect();
    (!hosts.is_empty() && !all.iter().any(is_derived)).then_some(hosts)
}

fn is_derived(v: &Val) -> bool {
    matches!(v.kind, VKind::Derived | VKind::Moved(_))
}

/// A value that follows the token wherever the token's api_domain is among
/// its alternatives (its literals are only the value before the first
/// token response): those alternatives, rewrites included; None when it
/// has none.
fn derived_only(vs: &[Val]) -> Option<Vec<Val>> {
    if !vs.iter().any(is_derived) {
        return None;
    }
    let mut out: Vec<Val> = Vec::new();
    for v in vs.iter().filter(|v| is_derived(v)) {
        // One plain api_domain is enough; each rewrite keeps its choice.
        if matches!(v.kind, VKind::Derived) && out.iter().any(|o| matches!(o.kind, VKind::Derived)) {
            continue;
        }
        let mut v = v.clone();
        if matches!(v.kind, VKind::Derived) {
            // Whatever chose it, it is the token's own domain.
            v.set_choice(None, None);
        }
        out.push(v);
    }
    Some(out)
}

/// Suffixes parameter and minted-token identities inside `v` with an
/// instance's creation site.
/// Field `m` of an instance's constructed fields, each value chosen by
/// what chose the instance.
fn field_of(o: &Val, m: &str) -> Option<Vec<Val>> {
    let fields = built_fields(o)?;
    let i = fields
        .binary_search_by(|(k, _)| k.strip_prefix("this.").unwrap_or(k).cmp(m))
        .ok()?;
    let mut vs = fields[i].1.clone();
    for v in &mut vs {
        v.inherit_sel(o);
    }
    Some(vs)
}

/// The constructed fields of an instance or of the object a constructor
/// call carries.
pub(super) fn built_fields(v: &Val) -> Option<Fields> {
    match &v.kind {
        VKind::Instance(_, _, f) => f.clone(),
        VKind::Carrier(ing) => ing.fields.clone(),
        _ => None,
    }
}

/// The constructed fields bound in a method's parameters (`this.host`).
pub(super) fn this_fields(p: &Params) -> Option<Fields> {
    let mut fields: Vec<(String, Vec<Val>)> = p
        .vars
        .iter()
        .filter(|(k, _)| k.starts_with("this."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    (!fields.is_empty()).then(|| Rc::new(fields))
}

pub(super) fn rekey(mut v: Val, at: &str, depth: usize) -> Val {
    if depth > 6 {
        return v;
    }
    v.kind = match v.kind {
        VKind::Sym(s, SymKind::Param) => VKind::Sym(format!("{s}{at}").into(), SymKind::Param),
        VKind::Minted(dc, s) => VKind::Minted(dc, format!("{s}{at}").into()),
        VKind::Str(pieces) => VKind::Str(
            pieces
                .into_iter()
                .map(|p| match p {
                    Piece::Hole(h) => Piece::Hole(Box::new(rekey(*h, at, depth + 1))),
                    lit => lit,
                })
                .collect(),
        ),
        VKind::Dict(fields) => VKind::Dict(Rc::new(
            fields
                .iter()
                .map(|(k, vs)| (k.clone(), vs.iter().cloned().map(|x| rekey(x, at, depth + 1)).collect()))
                .collect(),
        )),
        VKind::List(items) => VKind::List(Rc::new(
            items
                .iter()
                .map(|vs| vs.iter().cloned().map(|x| rekey(x, at, depth + 1)).collect())
                .collect(),
        )),
        VKind::TokenObj(ids) => VKind::TokenObj(ids.into_iter().map(|x| rekey(x, at, depth + 1)).collect()),
        other => other,
    };
    v
}

/// Sets a dict field; a later value for the same key replaces the earlier one.
pub(super) fn set_field(fields: &mut Vec<(Option<String>, Vec<Val>)>, key: Option<String>, vs: Vec<Val>) {
    match fields.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
        Some(f) => f.1 = vs,
        None => fields.push((key, vs)),
    }
}

/// The configuration records a dict's fields were filled from after its
/// field `m` was set (`CONFIG.update(json.load(f))`: `config:<path>::CONFIG`,
/// see `Linker::with_record_updates`): each may give `m` a value of its own.
pub(super) fn records_after<'a>(fields: &'a [(Option<String>, Vec<Val>)], m: &str) -> impl Iterator<Item = &'a Val> {
    let named = fields.iter().position(|(k, _)| k.as_deref() == Some(m));
    fields
        .iter()
        .skip(named.map_or(0, |i| i + 1))
        .filter(|(k, _)| k.is_none())
        .flat_map(|(_, vs)| vs.iter())
        .filter(|v| matches!(&v.kind, VKind::Env(n) if is_record(n)))
}

/// `config:<path>::<name>`: a configuration record the program reads at run
/// time (a file loaded whole, a dict filled from one), or a field of one.
pub(super) fn is_record(key: &str) -> bool {
    key.starts_with("config:") && key.contains("::")
}

/// Inlines the fields of the dicts among `vs`, and those an instance's
/// constructor filled (a Rust `..base` of a struct built with its fields, a
/// JS `{...client}`), each chosen by what chose the instance; anything else
/// stays an unnamed field.
pub(super) fn merge_spread(fields: &mut Vec<(Option<String>, Vec<Val>)>, vs: Vec<Val>) {
    for v in vs {
        match (&v.kind, built_fields(&v)) {
            (VKind::Dict(inner), _) => {
                for (k, iv) in inner.iter() {
                    set_field(fields, k.clone(), iv.clone());
                }
            }
            (_, Some(built)) => {
                for (k, iv) in built.iter() {
                    let mut iv = iv.clone();
                    for x in &mut iv {
                        x.inherit_sel(&v);
                    }
                    set_field(fields, Some(k.strip_prefix("this.").unwrap_or(k).to_string()), iv);
                }
            }
            _ => fields.push((None, vec![v])),
        }
    }
}

/// The text of a string value made of literals only, and where its first
/// literal is written.
pub(super) fn literal_text(pieces: &[Piece]) -> Option<(String, Loc)> {
    let mut text = String::new();
    let mut at = None;
    for p in pieces {
        let Piece::Lit(s, loc) = p else { return None };
        text.push_str(s);
        at.get_or_insert(*loc);
    }
    Some((text, at?))
}

/// The environment `m` of the SDK data-center class `o` holds (an imported
/// class, or its name as a string), chosen as `o` was.
pub(super) fn sdk_environment_of(o: &Val, m: &str, file: FileId, span: Span) -> Option<Val> {
    let c = catalog();
    let class = match &o.kind {
        VKind::Sym(s, _) => c.sdk_dc_class(s)?,
        VKind::Str(p) if p.len() == 1 => match &p[0] {
            Piece::Lit(s, _) => c.sdk_dc_class(s)?,
            Piece::Hole(_) => return None,
        },
        _ => return None,
    };
    let env = c.sdk_environment(class, m)?;
    let mut v = val(VKind::Sdk(env), file, span);
    v.choice_of(o);
    Some(v)
}
