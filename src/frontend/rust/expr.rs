//! Rust expressions: literals, paths, calls and method calls (env reads, pass-through and default methods), struct literals.

use super::*;

impl Lowerer<'_> {
    pub(super) fn expr(&mut self, e: &syn::Expr, scope: ScopeId, receiver: bool) -> Expr {
        match self.guarded(|l| l.expr_inner(e, scope, receiver)) {
            Some(x) => x,
            None => Expr::unknown(self.span_of(e)),
        }
    }

    pub(super) fn expr_inner(&mut self, e: &syn::Expr, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(e);
        let kind = match e {
            syn::Expr::Lit(l) => return self.lit(&l.lit),
            syn::Expr::Path(p) => return self.path(&p.path, sp),
            syn::Expr::Field(f) => {
                let o = self.expr(&f.base, scope, receiver);
                match &f.member {
                    syn::Member::Named(id) => ExprKind::Member(Box::new(o), id.to_string().into()),
                    syn::Member::Unnamed(ix) => {
                        ExprKind::Index(Box::new(o), Box::new(Expr::new(ExprKind::Number, self.span_of(ix))))
                    }
                }
            }
            syn::Expr::Index(i) => {
                let o = self.expr(&i.expr, scope, receiver);
                let k = self.expr(&i.index, scope, false);
                ExprKind::Index(Box::new(o), Box::new(k))
            }
            syn::Expr::Paren(p) => return self.expr(&p.expr, scope, receiver),
            syn::Expr::Group(g) => return self.expr(&g.expr, scope, receiver),
            syn::Expr::Reference(r) => return self.expr(&r.expr, scope, receiver),
            syn::Expr::Try(t) => return self.expr(&t.expr, scope, receiver),
            syn::Expr::Await(a) => return self.expr(&a.base, scope, receiver),
            syn::Expr::Cast(c) => return self.expr(&c.expr, scope, receiver),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Deref(_) => return self.expr(&u.expr, scope, receiver),
                _ => ExprKind::Test(vec![self.expr(&u.expr, scope, false)].into()),
            },
            syn::Expr::Binary(b) => {
                let l = self.expr(&b.left, scope, false);
                let r = self.expr(&b.right, scope, false);
                match b.op {
                    syn::BinOp::Add(_) => ExprKind::Concat(vec![l, r].into()),
                    _ => ExprKind::Test(vec![l, r].into()),
                }
            }
            syn::Expr::Call(c) => return self.call(c, scope, receiver),
            syn::Expr::MethodCall(m) => return self.method_call(m, scope, receiver),
            syn::Expr::Macro(m) => return self.macro_call(&m.mac, scope, receiver),
            syn::Expr::Tuple(t) => ExprKind::List(t.elems.iter().map(|x| self.expr(x, scope, false)).collect()),
            syn::Expr::Array(a) => ExprKind::List(a.elems.iter().map(|x| self.expr(x, scope, false)).collect()),
            syn::Expr::Struct(s) => return self.struct_lit(s, scope),
            syn::Expr::Closure(c) => {
                let fscope = self.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
                let mut names = Vec::new();
                for p in &c.inputs {
                    pat_names(p, &mut names);
                }
                self.facts.scopes[fscope].params = names;
                let v = self.expr_top(&c.body, fscope, None);
                self.facts.returns.push(Return {
                    scope: fscope,
                    value: v,
                    guard: None,
                });
                ExprKind::Func(fscope)
            }
            syn::Expr::If(_)
            | syn::Expr::Match(_)
            | syn::Expr::Block(_)
            | syn::Expr::Unsafe(_)
            | syn::Expr::ForLoop(_)
            | syn::Expr::While(_)
            | syn::Expr::Loop(_) => return self.expr_top(e, scope, None),
            syn::Expr::Async(a) => return self.block(&a.block, scope, None).unwrap_or_else(|| Expr::unknown(sp)),
            syn::Expr::Return(r) => {
                self.ret(r, scope, None);
                ExprKind::Unknown
            }
            syn::Expr::Assign(a) => {
                let v = self.expr(&a.right, scope, false);
                self.bind_target(&a.left, v, scope, None, sp);
                ExprKind::Unknown
            }
            syn::Expr::Let(l) => {
                let v = self.expr(&l.expr, scope, false);
                self.bind_pat(&l.pat, v.clone(), scope, None, sp);
                return v;
            }
            syn::Expr::Range(r) => {
                for x in [&r.start, &r.end].into_iter().flatten() {
                    self.expr(x, scope, false);
                }
                ExprKind::Unknown
            }
            syn::Expr::Repeat(r) => {
                self.expr(&r.expr, scope, false);
                ExprKind::Unknown
            }
            syn::Expr::Break(b) => {
                if let Some(x) = &b.expr {
                    self.expr(x, scope, false);
                }
                ExprKind::Unknown
            }
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    pub(super) fn lit(&mut self, lit: &syn::Lit) -> Expr {
        let sp = self.span_of(lit);
        let kind = match lit {
            syn::Lit::Str(s) => ExprKind::Str(s.value().into()),
            syn::Lit::ByteStr(b) => ExprKind::Str(String::from_utf8_lossy(&b.value()).into_owned().into()),
            syn::Lit::CStr(c) => ExprKind::Str(c.value().to_string_lossy().into_owned().into()),
            syn::Lit::Bool(b) => ExprKind::Bool(b.value),
            syn::Lit::Int(_) | syn::Lit::Float(_) => ExprKind::Number,
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    /// `a::b::C` → `a.b.C`; `self`/`Self` → this; `header::AUTHORIZATION` →
    /// the header's name.
    pub(super) fn path(&mut self, path: &syn::Path, sp: Span) -> Expr {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(last) = segs.last() else {
            return Expr::unknown(sp);
        };
        let from_header_module = segs.len() >= 2 && segs[segs.len() - 2] == "header";
        if (from_header_module || (segs.len() == 1 && self.header_consts.contains(last)))
            && last.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        {
            return Expr::new(ExprKind::Str(header_name(last).into()), sp);
        }
        let mut segs = segs;
        // `self::X`, and `config::X` of a module declared in this file: names
        // of this file (its inline modules share its scope).
        while segs.len() >= 2 && (segs[0] == "self" || self.inline_mods.contains(&segs[0])) {
            segs.remove(0);
        }
        // `crate::config::X`: member `X` of the module file, imported here.
        if segs.len() >= 3 && matches!(segs[0].as_str(), "crate" | "super") {
            let n = segs.len() - 1;
            let module = segs[..n].join("::");
            if self.path_imports.insert(module.clone()) {
                self.facts.imports.push(Import {
                    scope: 0,
                    local: module.clone(),
                    module: module.clone(),
                    name: None,
                    span: sp,
                });
            }
            let m = Expr::new(ExprKind::Name(module.into()), sp);
            return Expr::new(ExprKind::Member(Box::new(m), segs[n].as_str().into()), sp);
        }
        let mut e: Option<Expr> = None;
        for s in segs {
            e = Some(match e {
                None => match s.as_str() {
                    "self" | "Self" => Expr::new(ExprKind::This, sp),
                    "None" => Expr::new(ExprKind::Null, sp),
                    _ => Expr::new(ExprKind::Name(s.into()), sp),
                },
                Some(o) => Expr::new(ExprKind::Member(Box::new(o), s.into()), sp),
            });
        }
        e.unwrap_or_else(|| Expr::unknown(sp))
    }

    pub(super) fn args(&mut self, args: &Punctuated<syn::Expr, syn::Token![,]>, scope: ScopeId) -> Vec<Arg> {
        args.iter()
            .map(|a| Arg {
                name: None,
                value: self.expr(a, scope, false),
            })
            .collect()
    }

    pub(super) fn push_call(&mut self, callee: Expr, args: Vec<Arg>, sp: Span, scope: ScopeId, receiver: bool) -> Expr {
        frame::call_site(&mut self.facts, scope, callee, args, false, sp, receiver)
    }

    pub(super) fn call(&mut self, c: &syn::ExprCall, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(c);
        let callee = self.expr(&c.func, scope, true);
        let args = self.args(&c.args, scope);
        let dotted = callee.dotted().unwrap_or_default();
        // The path as imported: `use std::env::var as getenv; getenv("X")`.
        let dotted = match dotted.split_once('.') {
            _ if !self.uses.contains_key(dotted.split('.').next().unwrap_or("")) => dotted,
            Some((head, rest)) => format!("{}.{rest}", self.uses[head]),
            None => self.uses[&dotted].clone(),
        };
        if is_env_read(&dotted) {
            if let Some(read) = args
                .first()
                .and_then(|a| crate::frontend::frame::env_read_by(&mut self.facts, &a.value, None, sp))
            {
                return read;
            }
        }
        // Wrappers and conversions that keep the value: Some(x), Ok(x),
        // String::from(x), HeaderValue::from_str(x), Url::parse(x), Box::new(x).
        let last2: Vec<&str> = dotted.rsplit('.').take(2).collect();
        let keeps = match last2.as_slice() {
            ["Some" | "Ok", ..] => true,
            [f, ty] => {
                matches!(
                    *ty,
                    "String" | "HeaderValue" | "Url" | "Box" | "Arc" | "Rc" | "Cow" | "Lazy" | "LazyLock" | "LazyCell"
                ) && matches!(*f, "from" | "from_str" | "from_static" | "parse" | "new" | "try_from")
            }
            _ => false,
        };
        // `HashMap::from([("us", …), ("eu", …)])`: a map literal.
        if let (["from" | "from_iter", "HashMap" | "BTreeMap" | "IndexMap"], [arg]) = (last2.as_slice(), &args[..]) {
            if let ExprKind::List(items) = &arg.value.kind {
                let pairs: Option<Vec<(Expr, Expr)>> = items
                    .iter()
                    .map(|it| match &it.kind {
                        ExprKind::List(kv) if kv.len() == 2 => Some((kv[0].clone(), kv[1].clone())),
                        _ => None,
                    })
                    .collect();
                if let Some(pairs) = pairs {
                    return Expr::new(ExprKind::Dict(pairs.into()), sp);
                }
            }
        }
        if keeps && args.len() == 1 {
            // `Lazy::new(|| value)`: the closure's value.
            if let Some(syn::Expr::Closure(cl)) = c.args.first() {
                if cl.inputs.is_empty() {
                    return self.expr_top(&cl.body, scope, None);
                }
            }
            return frame::first_arg(args, sp);
        }
        self.push_call(callee, args, sp, scope, receiver)
    }

    pub(super) fn method_call(&mut self, m: &syn::ExprMethodCall, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(m);
        let method = m.method.to_string();
        if PASS_METHODS.contains(&method.as_str()) {
            for a in &m.args {
                self.expr(a, scope, false);
            }
            return self.expr(&m.receiver, scope, receiver);
        }
        if DEFAULT_METHODS.contains(&method.as_str()) && m.args.len() == 1 {
            let r = self.expr(&m.receiver, scope, false);
            let d = match &m.args[0] {
                syn::Expr::Closure(c) => self.expr_top(&c.body, scope, None),
                a => self.expr(a, scope, false),
            };
            return frame::either(r, d, sp);
        }
        let recv = self.expr(&m.receiver, scope, true);
        let callee = Expr::new(ExprKind::Member(Box::new(recv), method.into()), sp);
        let args = self.args(&m.args, scope);
        self.push_call(callee, args, sp, scope, receiver)
    }

    /// `Name { a: x, b }` → a dict of fields; `Self { .. }` / `Name { .. }`
    /// inside the struct's `impl` also assigns the fields. A struct update
    /// (`Name { a: x, ..base }`) is a merge: `base`'s fields, then these.
    pub(super) fn struct_lit(&mut self, s: &syn::ExprStruct, scope: ScopeId) -> Expr {
        let sp = self.span_of(s);
        let ty = s.path.segments.last().map(|x| x.ident.to_string()).unwrap_or_default();
        let own_class = self
            .enclosing_class(scope)
            .filter(|&c| ty == "Self" || self.facts.scopes[c].name == ty)
            .is_some();
        let mut pairs = Vec::new();
        // `Name { a: x, ..base }`: the fields not written come from `base`,
        // so the spread goes first and the written fields override it.
        if let Some(rest) = &s.rest {
            let v = self.expr(rest, scope, false);
            pairs.push((Expr::unknown(v.span), v));
        }
        for f in &s.fields {
            let syn::Member::Named(id) = &f.member else { continue };
            let v = self.expr(&f.expr, scope, false);
            let name = id.to_string();
            let ksp = self.span_of(id);
            if own_class && self.facts.scopes[scope].kind == ScopeKind::Function {
                let t = Expr::new(
                    ExprKind::Member(Box::new(Expr::new(ExprKind::This, ksp)), name.as_str().into()),
                    ksp,
                );
                self.assign(scope, t, v.clone(), None, self.span_of(f));
            }
            pairs.push((Expr::new(ExprKind::Str(name.into()), ksp), v));
        }
        if s.rest.is_none() && !own_class && self.classes.contains_key(&ty) {
            return crate::frontend::frame::struct_literal(&ty, pairs, sp);
        }
        Expr::new(ExprKind::Dict(pairs.into()), sp)
    }
}
