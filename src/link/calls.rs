//! Pass "summarise calls": the value of a call to a function defined in the
//! repository — its returns under the caller's arguments, bound parameters,
//! and the token objects a call builds.
//!
//! Reads: the function scopes and their returns. Writes: the return
//! summaries cache, under the per-call-site fuel.

use super::eval::{built_fields, this_fields};
use super::*;

/// A call being evaluated: where, the whole expression and its call, and
/// the parameter values of the function being summarised.
#[derive(Clone, Copy)]
struct CallAt<'a> {
    file: FileId,
    scope: ScopeId,
    e: &'a Expr,
    call: &'a Call,
    params: Option<&'a Params>,
}

impl<'a> CallAt<'a> {
    fn parts(self) -> (FileId, ScopeId, &'a Expr, &'a Call, Option<&'a Params>) {
        (self.file, self.scope, self.e, self.call, self.params)
    }
}

impl<'r> Linker<'r> {
    /// Each list among `lists` joined with `glue`: its items with the glue
    /// between them, as string building.
    fn join_lists(&self, glue: &[Val], lists: Vec<Val>, span: Span, file: FileId) -> Vec<Val> {
        let mut out = Vec::new();
        for l in lists {
            let VKind::List(items) = &l.kind else { continue };
            let mut parts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    parts.push(glue.to_vec());
                }
                parts.push(item.clone());
            }
            let mut vs = eval::concat_vals(parts, file, span);
            for v in &mut vs {
                v.inherit_sel(&l);
            }
            push_alts(&mut out, vs);
        }
        out
    }

    /// The value of a call, through named stages in order: a method of the
    /// value it is called on, a library call the linker knows, an SDK token
    /// object, a repository function's returns, else a value that carries
    /// the call's endpoints and tokens.
    pub(super) fn eval_call(
        &self,
        file: FileId,
        scope: ScopeId,
        e: &Expr,
        call: &Call,
        params: Option<&Params>,
    ) -> Vec<Val> {
        let at = CallAt {
            file,
            scope,
            e,
            call,
            params,
        };
        // `json.load(fh)`, `JSON.parse(fs.readFileSync(p))`: the record the
        // file holds, a configuration the deployment supplies.
        if self.files[file]
            .lang
            .is_some_and(|l| crate::loads::is_whole_file_load(l, call))
        {
            return vec![self.loaded_record(file, e.span)];
        }
        if let Some(out) = self.eval_method(at) {
            return out;
        }
        if let Some(out) = self.library_call(at) {
            return out;
        }
        // Token objects: OAuthToken(refresh_token=…), new OAuthBuilder()…refreshToken(rt).build().
        if let Some(ids) = self.token_object(Cx::new(file, scope, params), e) {
            return vec![val(VKind::TokenObj(ids), file, e.span)];
        }
        let callee = &call.callee;
        let callee_vals = match &callee.kind {
            ExprKind::Name(_) | ExprKind::Member(..) => self.eval_callee(file, scope, callee, params),
            // `getattr(USDataCenter, name)()`: an SDK environment's
            // constructor, called, is that environment.
            ExprKind::Call(_) => {
                let vs = self.eval(file, scope, callee, params);
                if !vs.is_empty() && vs.iter().all(|v| matches!(v.kind, VKind::Sdk(_))) {
                    return vs;
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        if let Some(out) = self.repository_call(at, &callee_vals) {
            return out;
        }
        // `res.body()` / `res.json()` on a token response is that token response.
        if call.args.is_empty() && matches!(callee.kind, ExprKind::Member(..)) {
            if let Some(t) = callee_vals
                .iter()
                .find(|v| matches!(&v.kind, VKind::Carrier(c) if c.token_endpoint_dc().is_some()))
            {
                return vec![t.clone()];
            }
        }
        self.carrier_call(at, &callee_vals)
    }

    /// A method of the value it is called on: an SDK environment constructor
    /// (`USDataCenter.SANDBOX()`), a map's `get`, a string's `replace` and
    /// the string methods that keep the value.
    fn eval_method(&self, at: CallAt) -> Option<Vec<Val>> {
        let (file, scope, e, call, params) = at.parts();
        let ExprKind::Member(obj, m) = &call.callee.kind else {
            return None;
        };
        if let Some(env) = catalog().sdk_environment_path(obj, m) {
            return Some(vec![val(VKind::Sdk(env), file, e.span)]);
        }
        if let Some(envs) = self.sdk_class_member(file, scope, obj, m, e.span, params) {
            return Some(envs);
        }
        match &**m {
            // dict.get(key[, default]) / map.get(key) — not an HTTP `get(url, …)`;
            // NestJS's `config.getOrThrow(key)` alike.
            "get" | "getOrThrow"
                if !call.args.is_empty()
                    && call.args.len() <= 2
                    && call.args.iter().all(|a| a.name.is_none())
                    && !self.is_url_like(file, scope, &call.args[0].value, params) =>
            {
                Some(self.map_get(at, obj))
            }
            "replace" | "replaceAll" | "sub" if call.args.len() >= 2 => {
                let (from, to) = (call.args[0].value.as_str()?, call.args[1].value.as_str()?);
                Some(self.replaced(at, obj, from, to))
            }
            "strip" | "rstrip" | "lstrip" | "lower" | "upper" | "trim" | "trimEnd" | "trimStart" | "toString"
            | "toLowerCase" | "toUpperCase" | "json" | "rstrip_slash" | "decode" | "encode" => {
                Some(self.eval(file, scope, obj, params))
            }
            _ => None,
        }
    }

    /// `getattr(o, name)`: `o.name` for each literal name; a name known
    /// only at run time, on an SDK data-center class, is each of its
    /// environments, chosen by that name's key at the call.
    fn getattr(&self, at: CallAt) -> Vec<Val> {
        let (file, scope, e, call, params) = at.parts();
        let objs = self.eval(file, scope, &call.args[0].value, params);
        let mut out = Vec::new();
        for n in self.eval(file, scope, &call.args[1].value, params) {
            let name = match &n.kind {
                VKind::Str(p) => eval::literal_text(p).map(|(s, _)| s),
                _ => None,
            };
            for o in &objs {
                let mut envs: Vec<Val> = match &name {
                    Some(m) => eval::sdk_environment_of(o, m, file, e.span).into_iter().collect(),
                    None => catalog()
                        .sdk_env_members()
                        .filter_map(|m| eval::sdk_environment_of(o, m, file, e.span))
                        .collect(),
                };
                for v in &mut envs {
                    if name.is_none() {
                        if let Some(k) = self.identity_key(&n) {
                            v.chosen_by(k, Loc { file, span: e.span });
                        }
                    } else {
                        v.inherit_sel(&n);
                    }
                }
                push_alts(&mut out, envs);
            }
        }
        out
    }

    /// `map.get(key[, default])`: the item, or the default chosen by the key
    /// being unset.
    fn map_get(&self, at: CallAt, obj: &Expr) -> Vec<Val> {
        let (file, scope, e, call, params) = at.parts();
        let item = Expr::new(
            ExprKind::Index(Box::new(obj.clone()), Box::new(call.args[0].value.clone())),
            e.span,
        );
        // A record the code wrote (`{"region": r, …}`, `cfg.get("auth",
        // {})`) gives its field if it has it, else the default only: never
        // an unknown value, nor the default beside a field it always has.
        let mut default_read = true;
        let mut out = match (call.args.get(1), call.args[0].value.as_str()) {
            (Some(_), Some(k)) if !catalog().is_api_domain_key(k) => {
                let key = val(
                    VKind::Str(vec![Piece::Lit(k.to_string(), Loc { file, span: e.span })]),
                    file,
                    e.span,
                );
                let mut out = Vec::new();
                default_read = false;
                for o in self.eval(file, scope, obj, params) {
                    if let VKind::Dict(fields) = &o.kind {
                        let has = |p: &dyn Fn(&str) -> bool| fields.iter().all(|(f, _)| f.as_deref().is_some_and(p));
                        if has(&|f| f != k) {
                            default_read = true;
                            continue;
                        }
                        if !has(&|_| true) {
                            default_read = true;
                        }
                    } else {
                        default_read = true;
                    }
                    push_alts(&mut out, self.index(file, &o, &key, e.span));
                }
                out
            }
            _ => self.eval(file, scope, &item, params),
        };
        if let Some(d) = call.args.get(1).filter(|_| default_read) {
            // The default is chosen by the key being unset: by what the read
            // is chosen by (`cfg.get("region", "eu")` beside
            // `cfg.get("region")`).
            let key = out.iter().find_map(|v| self.identity_key(v));
            let ds = self.eval(file, scope, &d.value, params);
            let at = Loc { file, span: e.span };
            // A map looked up by a key chosen among values given by several
            // returns (`HOSTS.get(cfg["region"], …)`, a record per source):
            // the default is each one's when it misses, chosen by its key.
            let by_key = self.lookup_keys(Cx::new(file, scope, params), &call.args[0].value);
            if by_key.len() > 1 {
                for (k, branch) in by_key {
                    for mut v in ds.iter().cloned() {
                        if v.sel().is_none() {
                            v.set_choice(Some(k.clone()), Some(at));
                        }
                        if let Some(b) = branch {
                            v.returned_at(b);
                        }
                        push_alts(&mut out, vec![v]);
                    }
                }
                return out;
            }
            let mut ds = ds;
            if let Some(k) = key {
                for v in ds.iter_mut().filter(|v| v.sel().is_none()) {
                    v.set_choice(Some(k.clone()), Some(at));
                }
            }
            push_alts(&mut out, ds);
        }
        out
    }

    /// The keys of a map lookup by a run-time value that returns of a
    /// function gave: each key and its return.
    fn lookup_keys(&self, cx: Cx, key: &Expr) -> Vec<(Rc<str>, Option<Branch>)> {
        if key.as_str().is_some() {
            return Vec::new();
        }
        let mut out: Vec<(Rc<str>, Option<Branch>)> = Vec::new();
        for v in self.eval(cx.file, cx.scope, key, cx.params) {
            let Some(k) = self.identity_key(&v) else { continue };
            if v.branch().is_some() && !out.iter().any(|(o, b)| *o == k && *b == v.branch()) {
                out.push((k, v.branch()));
            }
        }
        out
    }

    /// `s.replace(from, to)` with literal `from` and `to`: `www` → `sandbox`
    /// on the domain that came with the token moves it into another
    /// environment.
    fn replaced(&self, at: CallAt, obj: &Expr, from: &str, to: &str) -> Vec<Val> {
        let (file, scope, e, _, params) = at.parts();
        let c = catalog();
        let moved = match (c.api_prefix_env(from), c.api_prefix_env(to)) {
            (Some(a), Some(b)) if a != b => Some((a, b)),
            _ => None,
        };
        self.eval(file, scope, obj, params)
            .into_iter()
            .map(|mut v| {
                match &mut v.kind {
                    VKind::Str(ps) => {
                        for p in ps.iter_mut() {
                            if let Piece::Lit(s, _) = p {
                                *s = s.replacen(from, to, 1);
                            }
                        }
                    }
                    VKind::Derived => {
                        if let Some((_, b)) = moved {
                            v.kind = VKind::Moved(b);
                        }
                    }
                    VKind::Moved(k) => {
                        if let Some((_, b)) = moved.filter(|(a, _)| *a == *k) {
                            *k = b;
                        }
                    }
                    _ => {}
                }
                v.at = Loc { file, span: e.span };
                v
            })
            .collect()
    }

    /// Library calls the linker knows by name: URL joining, a list joined
    /// with a glue string, Python's URL split and join, dict building.
    fn library_call(&self, at: CallAt) -> Option<Vec<Val>> {
        let (file, scope, e, call, params) = at.parts();
        let d = call.callee.dotted()?;
        let last = d.rsplit('.').next().unwrap_or("");
        let lang = self.files[file].lang;
        let arg = |i: usize| self.eval(file, scope, &call.args[i].value, params);
        // URL joining: urljoin(base, path), new URL(path, base), path.join(a, b).
        if matches!(last, "urljoin" | "join" | "resolve")
            && matches!(
                d.as_str(),
                "urljoin" | "parse.urljoin" | "urllib.parse.urljoin" | "path.join" | "posixpath.join" | "url.resolve"
            )
        {
            let parts: Vec<Expr> = call.args.iter().map(|a| a.value.clone()).collect();
            return Some(self.concat(file, scope, &parts, e.span, params));
        }
        if call.is_new && last == "URL" && !call.args.is_empty() {
            let mut parts: Vec<Expr> = call.args.iter().map(|a| a.value.clone()).collect();
            parts.reverse();
            return Some(self.concat(file, scope, &parts, e.span, params));
        }
        // A list joined with a glue string, the list held in a variable
        // (`$parts = [$base, 'crm', $v]; implode('/', $parts)`); a list
        // written in the call is string building already.
        if matches!(d.as_str(), "implode" | "join") && call.args.len() == 2 && lang == Some(Lang::Php) {
            let joined = self.join_lists(&arg(0), arg(1), e.span, file);
            if !joined.is_empty() {
                return Some(joined);
            }
        }
        // Python's URL split and join: `scheme, netloc, *_ = urlsplit(u)`
        // gives the parts, `urlunsplit((scheme, netloc, *_))` glues them
        // back (a host rebuilt around a changed netloc).
        let python = lang == Some(Lang::Python);
        if python && matches!(last, "urlsplit" | "urlparse") && call.args.len() == 1 {
            return Some(arg(0).into_iter().map(|v| url_parts(v, file, e.span)).collect());
        }
        if python && matches!(last, "urlunsplit" | "urlunparse") && call.args.len() == 1 {
            let mut out = Vec::new();
            for v in arg(0) {
                push_alts(&mut out, self.url_joined(file, &v, e.span));
            }
            return Some(out);
        }
        // `getattr(USDataCenter, name)`: the member of that name; a name
        // known only at run time is any environment of an SDK class.
        if python && d == "getattr" && call.args.len() == 2 {
            return Some(self.getattr(at));
        }
        // `MappingProxyType(d)`: a read-only view of the dict.
        if python && matches!(d.as_str(), "MappingProxyType" | "types.MappingProxyType") && call.args.len() == 1 {
            return Some(arg(0));
        }
        // Dict building: dict(base, k=v) (Python), Object.assign({}, base, {k: v}) (JS).
        if (d == "dict" && python) || d == "Object.assign" {
            let mut fields = Vec::new();
            for a in &call.args {
                let vs = self.eval(file, scope, &a.value, params);
                match &a.name {
                    Some(n) => set_field(&mut fields, Some(n.to_string()), vs),
                    None => merge_spread(&mut fields, vs),
                }
            }
            return Some(vec![val(VKind::Dict(Rc::new(fields)), file, e.span)]);
        }
        None
    }

    /// A call to a function defined in the repository: its returns (a
    /// method called on an instance: that instance's), unless they say
    /// nothing.
    fn repository_call(&self, at: CallAt, callee_vals: &[Val]) -> Option<Vec<Val>> {
        let (file, scope, _, call, params) = at.parts();
        let (ffile, fscope) = self.called_function(callee_vals)?;
        let mut out = self.returns(Cx::new(file, scope, params), (ffile, fscope), call);
        // `self.base_url()` in a class whose subclasses override it: the
        // instance's class chooses which method runs.
        if let ExprKind::Member(obj, m) = &call.callee.kind {
            if matches!(obj.kind, ExprKind::This) {
                self.with_overrides_of(Cx::new(file, scope, params), (ffile, fscope), m, call, &mut out);
            }
        }
        // A function that builds a struct of its class from its parameters
        // (Go's `NewClient(host, token)`, Rust's `Client::new(host, token)`):
        // an instance of the class with those fields.
        if out.iter().any(|v| matches!(v.kind, VKind::Dict(_))) {
            if let Some(class) = self.enclosing_class(ffile, fscope) {
                if let Some(fields) = self.fields_kept(Cx::new(file, scope, params), (ffile, fscope), call) {
                    out = vec![val(VKind::Instance(ffile, class, Some(fields)), file, call.callee.span)];
                }
            }
        }
        // A method called on an instance: its values are that instance's.
        if let ExprKind::Member(obj, _) = &call.callee.kind {
            if let Some(inst) = self
                .eval(file, scope, obj, params)
                .into_iter()
                .find(|v| matches!(v.kind, VKind::Instance(..)))
            {
                out = self.for_instance(&inst, out);
            }
        }
        out.iter().any(|v| !matches!(v.kind, VKind::Other)).then_some(out)
    }

    /// `out`, the returns of method `(ffile, fscope)` called as `this.m()`
    /// in `cx`, with those of the overrides of `m` in the subclasses of
    /// the calling class, each chosen by its class (none: unchanged).
    fn with_overrides_of(&self, cx: Cx, (ffile, fscope): ScopeRef, m: &str, call: &Call, out: &mut Vec<Val>) {
        let Some(class) = self.enclosing_class(cx.file, cx.scope) else {
            return;
        };
        let overrides: Vec<(ScopeRef, ScopeRef)> = self
            .class_family(cx.file, class)
            .1
            .iter()
            .filter_map(|&(f, c)| Some(((f, self.index[f].method(&self.names, c, m)?), (f, c))))
            .filter(|(func, _)| *func != (ffile, fscope))
            .collect();
        if overrides.is_empty() {
            return;
        }
        let own = self.facts(ffile).scopes[fscope]
            .parent
            .map(|c| (ffile, c))
            .unwrap_or((ffile, 0));
        let mut per_class = vec![(own, std::mem::take(out))];
        for (func, owner) in overrides {
            per_class.push((owner, self.returns(cx, func, call)));
        }
        *out = self.chosen_by_class(per_class);
    }

    /// The repository function a call calls: the first function or class
    /// among the callee's values, when it is a function.
    pub(super) fn called_function(&self, callee_vals: &[Val]) -> Option<(FileId, ScopeId)> {
        let (f, s) = callee_vals.iter().find_map(|v| match v.kind {
            VKind::Func(f, s) => Some((f, s)),
            _ => None,
        })?;
        (self.facts(f).scopes[s].kind == ScopeKind::Function).then_some((f, s))
    }

    /// Any other call: a value that carries the call's endpoints and tokens;
    /// carrying none, an instance of the repository class it constructs, the
    /// one value of a call without arguments, or nothing known.
    fn carrier_call(&self, at: CallAt, callee_vals: &[Val]) -> Vec<Val> {
        let (file, scope, e, call, params) = at.parts();
        let one = |k: VKind| vec![val(k, file, e.span)];
        let class = callee_vals.iter().find_map(|v| match v.kind {
            VKind::Func(f, s) if self.facts(f).scopes[s].kind == ScopeKind::Class => Some((f, s)),
            _ => None,
        });
        // A query method called on stored rows (`objects.latest("timestamp")`),
        // or a query of a token table's model (`session.query(ZohoToken)`,
        // `session.execute(select(ZohoToken))`): its rows.
        if let Some(stored) = callee_vals.iter().find(|v| matches!(v.kind, VKind::Stored(..))) {
            return one(stored.kind.clone());
        }
        let mut ing = self.ingredients(file, scope, e, params);
        // What the constructor keeps of the arguments (`self.host = host`):
        // this instance's fields.
        let fields = class.and_then(|c| self.constructed_fields(Cx::new(file, scope, params), c, call));
        if ing.endpoints.is_empty() && ing.tokens.is_empty() {
            if let Some(rows) = self.orm_query(at) {
                return one(rows);
            }
            // `TokenManager(...)`: an instance whose methods and fields resolve.
            if let Some((f, c)) = class {
                return one(VKind::Instance(f, c, fields));
            }
            // `get_token()`: every call without arguments to the same function
            // gives the same value, wherever it is made.
            if call.args.is_empty() {
                if let Some(VKind::Sym(s, _)) = callee_vals.first().map(|v| &v.kind) {
                    return one(VKind::Sym(format!("{s}()").into(), SymKind::Symbol));
                }
            }
            return one(VKind::Other);
        }
        ing.class = class;
        ing.fields = fields;
        let mut v = val(VKind::Carrier(Rc::new(ing)), file, e.span);
        v.via_param = false;
        vec![v]
    }

    /// The rows an ORM query call reads (`session.query(ZohoToken)`) when
    /// its callee is a query (catalog `[token_store].orm_queries`) and an
    /// argument is a token table's model or rows of one.
    fn orm_query(&self, at: CallAt) -> Option<VKind> {
        let (file, scope, _, call, params) = at.parts();
        let name = call.callee.last_name()?;
        if !catalog().token_store.is_orm_query(name) {
            return None;
        }
        call.args.iter().find_map(|a| {
            self.eval(file, scope, &a.value, params)
                .into_iter()
                .find_map(|v| match v.kind {
                    VKind::Func(f, s) if self.token_model(f, s).is_some() => Some(VKind::Stored(f, s)),
                    VKind::Stored(..) => Some(v.kind),
                    _ => None,
                })
        })
    }

    /// A value that looks like a URL or a path (an HTTP call's first argument).
    pub(super) fn is_url_like(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> bool {
        self.eval(file, scope, e, params).iter().any(|v| match &v.kind {
            VKind::Str(pieces) => {
                let t = probe_text(pieces);
                t.contains("://") || t.starts_with('/') || !catalog().find_hosts(&t).is_empty()
            }
            _ => false,
        })
    }

    /// What a call to a repository function returns (one step of summaries).
    pub(super) fn returns(&self, cx: Cx, (ffile, fscope): ScopeRef, call: &Call) -> Vec<Val> {
        let ix = &self.index[ffile];
        if ix.returns_of.get(fscope).is_empty() {
            return Vec::new();
        }
        // A method of an instance built with arguments reads what its
        // constructor kept of them.
        let this = self.receiver_fields(cx, (ffile, fscope), call);
        let dependent = ix.param_dependent[fscope] || this.is_some();
        if !dependent {
            if let Some(v) = self.return_cache.borrow().get(&(ffile, fscope)) {
                return v.clone();
            }
        }
        // A recursive call adds nothing the outer evaluation does not see, and
        // summaries go MAX_SUMMARY_DEPTH calls deep, no further.
        self.memo_summary((ffile, fscope));
        let in_progress = self.in_progress.borrow();
        if in_progress.contains(&(ffile, fscope)) {
            return Vec::new();
        }
        // Past the depth, the call's value is unknown — never nothing: a
        // string built around it keeps its known parts.
        let chain = in_progress.len();
        drop(in_progress);
        self.memo_chain(chain, chain >= MAX_SUMMARY_DEPTH);
        if chain >= MAX_SUMMARY_DEPTH {
            self.too_deep.set(true);
            return vec![val(VKind::Other, cx.file, call.callee.span)];
        }
        let p = if dependent {
            self.bind_params_with(cx, (ffile, fscope), call, this.as_ref(), None)
        } else {
            Params::default()
        };
        // The same arguments again (the helper's result held in a local
        // read several times): the summary already made.
        let key = dependent.then(|| memo::MemoKey::Summary((ffile, fscope), self.params_id(&p)));
        if let Some(out) = key.as_ref().and_then(|k| self.memo_get(k)) {
            return out;
        }
        self.memo_begin();
        self.in_progress.borrow_mut().push((ffile, fscope));
        let out = self.returns_with(ffile, fscope, &p);
        self.in_progress.borrow_mut().pop();
        self.memo_end(key, &out);
        if !dependent {
            self.return_cache.borrow_mut().insert((ffile, fscope), out.clone());
        }
        out
    }

    /// The returns of a function evaluated with its parameters bound to `p`.
    pub(super) fn returns_with(&self, ffile: FileId, fscope: ScopeId, p: &Params) -> Vec<Val> {
        let rets = self.index[ffile].returns_of.get(fscope);
        let mut out = Vec::new();
        let many = rets.len() > 1;
        // `if sandbox { return … }` where the caller passes a literal flag:
        // with `false` that return is not taken; with `true` it is, and the
        // unguarded returns after it are not reached.
        let facts = self.facts(ffile);
        let flag = |i: usize| {
            let g = facts.returns[i].guard.as_deref()?;
            self.literal_flag(g, Some(p))
        };
        let taken_at = if many {
            rets.iter()
                .filter(|&&i| flag(i) == Some(true))
                .map(|&i| facts.returns[i].value.span.start)
                .min()
        } else {
            None
        };
        // Which return a run takes depends on its arguments only where a
        // guard reads a parameter (`switch dc { case "eu": return … }`):
        // then runs given different arguments take different returns. A
        // choice made by anything else (`if os.environ.get(…)`) is the same
        // in every run.
        let params = &facts.scopes[fscope].params;
        let run = if many
            && rets.iter().any(|&i| {
                facts.returns[i]
                    .guard
                    .as_deref()
                    .is_some_and(|g| index::mentions(g, params))
            }) {
            self.run_id(p)
        } else {
            0
        };
        for &i in rets {
            let r = &facts.returns[i];
            if many && flag(i) == Some(false) {
                continue;
            }
            if taken_at.is_some_and(|t| r.guard.is_none() && r.value.span.start > t) {
                continue;
            }
            let mut vs = self.eval(ffile, fscope, &r.value, Some(p));
            if many {
                // The return after an early `if sandbox { return … }` on a
                // parameter is taken when `sandbox` does not hold: chosen by
                // the caller's same key (unless the caller passed a literal
                // for it: then it is the one taken). A guard on anything else
                // (a settings loader's `if os.environ.get(…)`) stays one
                // run's choice of return (`Branch`).
                let guard = r.guard.as_deref().or_else(|| {
                    let before = rets
                        .iter()
                        .copied()
                        .filter(|&j| facts.returns[j].value.span.end < r.value.span.start)
                        .max_by_key(|&j| facts.returns[j].value.span.start)?;
                    let g = facts.returns[before].guard.as_deref()?;
                    (flag(before).is_none() && index::mentions(g, params)).then_some(g)
                });
                self.select_by_guard(ffile, fscope, guard, Some(p), &mut vs);
                // A return chosen by a parameter (`switch ($dc) { case 'eu':
                // return [...]; … }`) is chosen by each call's argument: two
                // calls with different keys get different returns that meet
                // (the argument's key tells them apart). Other returns are
                // one run's.
                let by_param = guard.is_some_and(|g| index::mentions(g, params));
                if by_param {
                    push_alts(&mut out, vs);
                    continue;
                }
                let at = Branch {
                    func: Loc {
                        file: ffile,
                        span: self.facts(ffile).scopes[fscope].span,
                    },
                    ret: Loc {
                        file: ffile,
                        span: r.value.span,
                    },
                    run,
                };
                for v in &mut vs {
                    v.returned_at(at);
                }
            }
            push_alts(&mut out, vs);
        }
        out
    }

    /// The parameters of function `(ffile, fscope)` bound to the arguments
    /// of `call`, evaluated at `cx`.
    pub(super) fn bind_params(&self, cx: Cx, func: ScopeRef, call: &Call) -> Params {
        let this = self.receiver_fields(cx, func, call);
        self.bind_params_with(cx, func, call, this.as_ref(), None)
    }

    /// What a method called on `obj` (`obj.m(…)`, `self.m(…)`) reads of the
    /// fields a constructor filled from its arguments, when `obj` is an
    /// instance built with arguments (its alternatives' fields together,
    /// each chosen by what chose the instance).
    fn receiver_fields(&self, cx: Cx, (ffile, fscope): ScopeRef, call: &Call) -> Option<Fields> {
        let ExprKind::Member(obj, _) = &call.callee.kind else {
            return None;
        };
        // Only a method of a class that can be built with arguments.
        let class = self.enclosing_class(ffile, fscope)?;
        if !self.built_with_arguments(ffile, class) {
            return None;
        }
        if matches!(obj.kind, ExprKind::This) {
            return cx.params.and_then(this_fields);
        }
        let mut fields: Vec<(String, Vec<Val>)> = Vec::new();
        for o in self.eval(cx.file, cx.scope, obj, cx.params) {
            for (k, vs) in built_fields(&o).iter().flat_map(|f| f.iter()) {
                let vs: Vec<Val> = vs
                    .iter()
                    .map(|v| {
                        let mut v = v.clone();
                        v.inherit_sel(&o);
                        v
                    })
                    .collect();
                match fields.iter_mut().find(|(f, _)| f == k) {
                    Some((_, old)) => push_alts(old, vs),
                    None => fields.push((k.clone(), vs)),
                }
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        (!fields.is_empty()).then(|| Rc::new(fields))
    }

    /// [`Self::bind_params`], with the receiver's constructed fields; with
    /// `only`, the arguments of those parameters alone are evaluated.
    pub(super) fn bind_params_with(
        &self,
        cx: Cx,
        (ffile, fscope): ScopeRef,
        call: &Call,
        this: Option<&Fields>,
        only: Option<&[String]>,
    ) -> Params {
        let scope = &self.facts(ffile).scopes[fscope];
        let names = &scope.params;
        let mut p = Params::default();
        let mut pos = 0;
        // Keywords no parameter names go to the keyword-rest parameter
        // (`def request(path, **opts)` called with `sandbox: true`), as one
        // dict beside what a trailing hash (`**h`) gave it.
        let kwrest = scope.kwrest.as_ref().filter(|k| only.is_none_or(|o| o.contains(k)));
        let mut rest: Vec<(Option<String>, Vec<Val>)> = Vec::new();
        for a in &call.args {
            let target = match &a.name {
                Some(n) => Some(n.to_string()),
                None => {
                    let n = names.get(pos).cloned();
                    pos += 1;
                    n
                }
            };
            if let Some(t) = target {
                if names.contains(&t) && only.is_none_or(|o| o.contains(&t)) {
                    p.insert(t, self.eval(cx.file, cx.scope, &a.value, cx.params));
                } else if kwrest.is_some() && a.name.is_some() {
                    let vs = self.eval(cx.file, cx.scope, &a.value, cx.params);
                    eval::set_field(&mut rest, Some(t), vs);
                }
            }
        }
        if let Some(k) = kwrest.filter(|_| !rest.is_empty()) {
            let mut fields = Vec::new();
            if let Some(given) = p.get(k) {
                eval::merge_spread(&mut fields, given.clone());
            }
            for (key, vs) in rest {
                eval::set_field(&mut fields, key, vs);
            }
            let span = call.callee.span;
            p.insert(k.clone(), vec![val(VKind::Dict(Rc::new(fields)), cx.file, span)]);
        }
        // A parameter the call leaves out takes its literal default
        // (`sandbox=False`): that value, chosen by nothing at this call.
        if !p.is_empty() {
            let facts = self.facts(ffile);
            let left_out: Vec<&String> = names.iter().filter(|n| p.get(n).is_none()).collect();
            for name in left_out {
                let Some(&[i]) = self.index[ffile].targets(&self.names, fscope, name) else {
                    continue;
                };
                let value = &facts.assigns[i].value;
                if matches!(
                    value.kind,
                    ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Null | ExprKind::Number
                ) {
                    p.insert(name.clone(), self.eval(ffile, fscope, value, None));
                }
            }
        }
        for (k, vs) in this.iter().flat_map(|f| f.iter()) {
            p.insert(k.clone(), vs.clone());
        }
        p
    }

    /// The identity values of an SDK token construction, if `e` is one.
    pub(super) fn token_object(&self, cx: Cx, e: &Expr) -> Option<Vec<Val>> {
        let c = catalog();
        let chain = chain_calls(e);
        let root_is_token_class = chain.iter().any(|call| {
            let name = call.callee.last_name().unwrap_or("");
            // `new OAuthToken.Builder()`: a builder nested in a token class.
            let nested = matches!(&call.callee.kind, ExprKind::Member(o, _)
                if call.is_new && o.last_name().is_some_and(|n| c.is_token_class(n)));
            c.is_token_class(name) || nested
        });
        if !root_is_token_class {
            return None;
        }
        let mut ids = Vec::new();
        for call in &chain {
            let method = call.callee.last_name().unwrap_or("");
            let is_ctor = c.is_token_class(method);
            let mut position = 0;
            for a in &call.args {
                let named = a.name.as_deref().is_some_and(|n| c.is_token_identity_param(n));
                let builder = !is_ctor && a.name.is_none() && c.is_token_identity_param(method);
                let positional = is_ctor && a.name.is_none() && c.is_token_identity_position(position);
                if a.name.is_none() {
                    position += 1;
                }
                if named || builder || positional {
                    ids.extend(self.eval(cx.file, cx.scope, &a.value, cx.params));
                }
            }
        }
        Some(ids)
    }
}

impl<'r> Linker<'r> {
    /// `urlunsplit((scheme, netloc, path, …))`: `scheme://netloc` and the
    /// path when it is known text.
    fn url_joined(&self, file: FileId, v: &Val, span: Span) -> Vec<Val> {
        let VKind::List(items) = &v.kind else {
            return vec![val(VKind::Other, file, span)];
        };
        let sep = val(
            VKind::Str(vec![Piece::Lit("://".into(), Loc { file, span })]),
            file,
            span,
        );
        let empty = || vec![val(VKind::Str(Vec::new()), file, span)];
        let scheme = items.first().cloned().unwrap_or_else(empty);
        let netloc = items.get(1).cloned().unwrap_or_else(empty);
        let path: Vec<Val> = items
            .get(2)
            .map(|p| p.iter().filter(|x| matches!(x.kind, VKind::Str(_))).cloned().collect())
            .filter(|p: &Vec<Val>| !p.is_empty())
            .unwrap_or_else(empty);
        let mut acc = eval::concat_vals([scheme, vec![sep], netloc, path], file, span);
        for a in &mut acc {
            a.inherit_sel(v);
        }
        acc
    }
}

/// `urlsplit(u)` of a URL string: the list (scheme, netloc, path, query,
/// fragment), split in its first literal's `://` and the next `/`; any
/// other value is kept (its first element is itself).
fn url_parts(v: Val, file: FileId, span: Span) -> Val {
    let VKind::Str(pieces) = &v.kind else { return v };
    let Some(Piece::Lit(first, loc)) = pieces.first() else {
        return v;
    };
    let Some((scheme, rest)) = first.split_once("://") else {
        return v;
    };
    let mut netloc = Vec::new();
    let mut path = Vec::new();
    let mut in_path = false;
    let rest = std::iter::once(Piece::Lit(rest.to_string(), *loc)).chain(pieces[1..].iter().cloned());
    for p in rest {
        match p {
            Piece::Lit(s, l) if !in_path => match s.find('/') {
                Some(i) => {
                    in_path = true;
                    if i > 0 {
                        netloc.push(Piece::Lit(s[..i].to_string(), l));
                    }
                    path.push(Piece::Lit(s[i..].to_string(), l));
                }
                None if s.is_empty() => {}
                None => netloc.push(Piece::Lit(s, l)),
            },
            p if in_path => path.push(p),
            p => netloc.push(p),
        }
    }
    let part = |pieces: Vec<Piece>| {
        let mut x = v.clone();
        x.kind = VKind::Str(pieces);
        vec![x]
    };
    let mut out = v.clone();
    out.at = Loc { file, span };
    out.kind = VKind::List(Rc::new(vec![
        part(vec![Piece::Lit(scheme.to_string(), *loc)]),
        part(netloc),
        part(path),
        part(Vec::new()),
        part(Vec::new()),
    ]));
    out
}
