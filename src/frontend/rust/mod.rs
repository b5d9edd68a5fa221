//! Rust front-end: `syn` (full AST) → facts.
//!
//! Lowers `const`/`static` items, `fn`s, structs with their `impl` blocks
//! (a struct is a class, its `impl` functions its methods, `Self { .. }`
//! literals assign its fields), `let` bindings (tuple patterns included),
//! `if`/`match` as value alternatives (a `match` is a ternary on its
//! scrutinee), `use` items, method chains, `format!`/`concat!`, string
//! literals (raw ones too), `std::env::var`/`env!`/`option_env!`/`dotenvy::var`
//! reads, `HeaderMap::insert` statements (item assignments) and the `http`
//! crate's header-name constants. Macro bodies that are not expressions are
//! scanned for string literals. A file syn cannot parse gets its first error
//! line and is lowered item by item where the token stream allows, and
//! scanned for literals elsewhere.
//!
//! Spans come from `proc-macro2`'s span locations (byte ranges into the
//! file); its per-thread source map is cleared around every file so memory
//! does not grow over a scan.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use crate::facts::*;
use crate::source::{LineIndex, Nesting};

pub fn lower(text: &str) -> FileFacts {
    proc_macro2::extra::invalidate_current_thread_spans();
    let facts = lower_file(text);
    proc_macro2::extra::invalidate_current_thread_spans();
    facts
}

fn lower_file(text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    let facts = FileFacts::new_module(lines.span(0, text.len()));
    // syn skips a BOM and a shebang line itself, which would shift every
    // byte offset; do it here, keeping offsets.
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut src = text[base..].to_string();
    if src.starts_with("#!") && !src.starts_with("#![") {
        let end = src.find('\n').unwrap_or(src.len());
        src.replace_range(..end, &" ".repeat(end));
    }
    let mut l = Lowerer {
        lines,
        base,
        facts,
        depth: 0,
        nesting: Nesting::new(),
        classes: HashMap::new(),
        header_consts: HashSet::new(),
        uses: HashMap::new(),
        inline_mods: HashSet::new(),
        path_imports: HashSet::new(),
    };
    let ts = match TokenStream::from_str(&src) {
        Ok(ts) => ts,
        Err(e) => {
            l.facts.parse_error_line = Some(l.sp(e.span()).line);
            l.recover_lines(&src);
            return l.facts;
        }
    };
    // syn recurses without a limit: a file nested too deep for it is lowered
    // item by item, the deep items only scanned for literals.
    if too_deep(&ts) {
        crate::source::mark_nesting_cut();
        l.recover_items(ts);
        return l.facts;
    }
    match syn::parse2::<syn::File>(ts.clone()) {
        Ok(file) => {
            l.collect_uses(&file.items);
            for item in &file.items {
                l.item(item, 0);
            }
        }
        Err(e) => {
            l.facts.parse_error_line = Some(l.sp(e.span()).line);
            l.recover_items(ts);
        }
    }
    l.facts
}

/// Group nesting (and runs of operator tokens, as in `!!!!x`) beyond what
/// syn's recursive descent may be given.
const MAX_TOKEN_DEPTH: usize = 100;

/// Operators in one statement or list element: a longer binary or method
/// chain is a tree deeper than syn (and its span joining) may walk.
const MAX_CHAIN: usize = 1000;

fn too_deep(ts: &TokenStream) -> bool {
    // Per open group: its token iterator, the current run of operator tokens
    // and the operators since the last `;` or `,`.
    let mut stack = vec![(ts.clone().into_iter(), 0usize, 0usize)];
    while let Some((top, run, chain)) = stack.last_mut() {
        match top.next() {
            Some(TokenTree::Group(g)) => {
                *run = 0;
                if stack.len() >= MAX_TOKEN_DEPTH {
                    return true;
                }
                stack.push((g.stream().into_iter(), 0, 0));
            }
            Some(TokenTree::Punct(p)) => {
                if matches!(p.as_char(), ';' | ',') {
                    *chain = 0;
                    *run = 0;
                    continue;
                }
                *run += 1;
                *chain += 1;
                if *run > 2 * MAX_TOKEN_DEPTH || *chain > MAX_CHAIN {
                    return true;
                }
            }
            Some(_) => *run = 0,
            None => {
                stack.pop();
            }
        }
    }
    false
}

struct Lowerer<'a> {
    lines: LineIndex<'a>,
    /// Bytes skipped before the text syn saw (a BOM).
    base: usize,
    facts: FileFacts,
    depth: usize,
    nesting: Nesting,
    /// Struct name → its class scope (a struct and its `impl` blocks share one).
    classes: HashMap<String, ScopeId>,
    /// Names imported from an `http`-style `header` module (`AUTHORIZATION`).
    header_consts: HashSet<String>,
    /// Local name → the dotted path it imports (`var` → `std.env.var`).
    uses: HashMap<String, String>,
    /// Modules declared inline in this file (`mod config { … }`).
    inline_mods: HashSet<String>,
    /// Module paths written inline (`crate::config::X`), imported once.
    path_imports: HashSet<String>,
}

/// Methods that hand their receiver's value through (`Result`/`Option`
/// plumbing and string conversions).
const PASS_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "clone",
    "to_string",
    "to_owned",
    "as_str",
    "as_ref",
    "as_deref",
    "into",
    "ok",
    "borrow",
    "unwrap_or_default",
    "context",
    "with_context",
    "to_vec",
];

/// Methods whose argument is the value when the receiver has none.
const DEFAULT_METHODS: &[&str] = &["unwrap_or", "unwrap_or_else", "or", "or_else"];

/// Paths whose call reads an env var by name.
fn is_env_read(dotted: &str) -> bool {
    let d = dotted.strip_prefix("std.").unwrap_or(dotted);
    matches!(
        d,
        "env.var" | "env.var_os" | "dotenvy.var" | "dotenv.var" | "dotenvy.dotenv_var" | "envy.var"
    )
}

/// `http::header::CONTENT_TYPE` → `content-type`.
fn header_name(constant: &str) -> String {
    constant.to_ascii_lowercase().replace('_', "-")
}

impl Lowerer<'_> {
    fn sp(&self, s: proc_macro2::Span) -> Span {
        let r = s.byte_range();
        self.lines.span(r.start + self.base, r.end + self.base)
    }

    fn span_of<T: Spanned>(&self, node: &T) -> Span {
        self.sp(node.span())
    }

    fn guarded<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> Option<R> {
        if self.nesting.too_deep(self.depth) {
            return None;
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        Some(r)
    }

    fn assign(&mut self, scope: ScopeId, target: Expr, value: Expr, guard: Option<&Expr>, span: Span) {
        self.facts.assigns.push(Assign {
            scope,
            target,
            value,
            guard: guard.cloned(),
            span,
        });
    }

    // ------------------------------------------------------------------
    // Items
    // ------------------------------------------------------------------

    /// Names the file imports from a `header` module, before lowering uses them.
    fn collect_uses(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Use(u) => {
                    let mut out = Vec::new();
                    use_tree(&u.tree, &mut Vec::new(), &mut out);
                    for (local, module, name) in out {
                        if module.rsplit("::").next() == Some("header") && name.is_some() {
                            self.header_consts.insert(local.clone());
                        }
                        let full = match &name {
                            Some(n) => format!("{module}::{n}"),
                            None => module,
                        };
                        self.uses.insert(local, full.replace("::", "."));
                    }
                }
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.inline_mods.insert(m.ident.to_string());
                        self.collect_uses(items);
                    }
                }
                _ => {}
            }
        }
    }

    fn class_scope(&mut self, name: &str, span: Span) -> ScopeId {
        if let Some(&s) = self.classes.get(name) {
            return s;
        }
        let s = self.facts.add_scope(ScopeKind::Class, name.to_string(), 0, span);
        self.classes.insert(name.to_string(), s);
        self.assign(
            0,
            Expr::new(ExprKind::Name(name.to_string()), span),
            Expr::new(ExprKind::Func(s), span),
            None,
            span,
        );
        s
    }

    fn item(&mut self, item: &syn::Item, scope: ScopeId) {
        self.guarded(|l| l.item_inner(item, scope));
    }

    fn item_inner(&mut self, item: &syn::Item, scope: ScopeId) {
        match item {
            syn::Item::Const(c) => self.constant(&c.ident, &c.expr, scope, self.span_of(c)),
            syn::Item::Static(s) => self.constant(&s.ident, &s.expr, scope, self.span_of(s)),
            syn::Item::Fn(f) => {
                self.function(&f.sig, &f.block, scope);
            }
            syn::Item::Struct(s) => {
                let sp = self.span_of(s);
                self.class_scope(&s.ident.to_string(), sp);
            }
            syn::Item::Impl(i) => {
                let syn::Type::Path(tp) = i.self_ty.as_ref() else {
                    return;
                };
                let Some(last) = tp.path.segments.last() else {
                    return;
                };
                let sp = self.span_of(i);
                let class = self.class_scope(&last.ident.to_string(), sp);
                for ii in &i.items {
                    match ii {
                        syn::ImplItem::Const(c) => self.constant(&c.ident, &c.expr, class, self.span_of(c)),
                        syn::ImplItem::Fn(f) => {
                            self.function(&f.sig, &f.block, class);
                        }
                        syn::ImplItem::Macro(m) => {
                            self.macro_call(&m.mac, class, false);
                        }
                        _ => {}
                    }
                }
            }
            syn::Item::Use(u) => {
                let mut out = Vec::new();
                use_tree(&u.tree, &mut Vec::new(), &mut out);
                let sp = self.span_of(u);
                for (local, module, name) in out {
                    self.facts.imports.push(Import {
                        scope,
                        local,
                        module,
                        name,
                        span: sp,
                    });
                }
            }
            syn::Item::Mod(m) => match &m.content {
                Some((_, items)) => {
                    for i in items {
                        self.item(i, scope);
                    }
                }
                // `mod zoho;`: the module file, named `zoho` here.
                None => {
                    let name = m.ident.to_string();
                    let sp = self.span_of(m);
                    self.facts.imports.push(Import {
                        scope,
                        local: name.clone(),
                        module: format!("self::{name}"),
                        name: None,
                        span: sp,
                    });
                }
            },
            syn::Item::Macro(m) => {
                if m.mac.path.segments.last().is_some_and(|s| s.ident == "lazy_static") {
                    if let Ok(statics) = m.mac.parse_body_with(parse_lazy_statics) {
                        for (ident, expr) in &statics {
                            let sp = self.span_of(ident).join_to(self.span_of(expr));
                            self.constant(ident, expr, scope, sp);
                        }
                        return;
                    }
                }
                let e = self.macro_call(&m.mac, scope, false);
                self.facts.mark_statement(e.span);
            }
            syn::Item::Trait(t) => {
                for ti in &t.items {
                    if let syn::TraitItem::Fn(f) = ti {
                        if let Some(b) = &f.default {
                            self.function(&f.sig, b, scope);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn constant(&mut self, ident: &syn::Ident, value: &syn::Expr, scope: ScopeId, span: Span) {
        let v = self.expr(value, scope, false);
        let t = Expr::new(ExprKind::Name(ident.to_string()), self.span_of(ident));
        self.assign(scope, t, v, None, span);
    }

    fn function(&mut self, sig: &syn::Signature, block: &syn::Block, parent: ScopeId) -> ScopeId {
        let name = sig.ident.to_string();
        let sp = self.sp(sig.fn_token.span).join_to(self.span_of(block));
        let scope = self.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        let mut params = Vec::new();
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                let mut names = Vec::new();
                pat_names(&pt.pat, &mut names);
                params.extend(names);
            }
        }
        self.facts.scopes[scope].params = params;
        let name_span = self.span_of(&sig.ident);
        self.assign(
            parent,
            Expr::new(ExprKind::Name(name), name_span),
            Expr::new(ExprKind::Func(scope), sp),
            None,
            sp,
        );
        let tail = self.block(block, scope, None);
        if let Some(v) = tail {
            self.facts.returns.push(Return {
                scope,
                value: v,
                guard: None,
            });
        }
        scope
    }

    // ------------------------------------------------------------------
    // Statements
    // ------------------------------------------------------------------

    /// Lowers a block's statements; its tail expression is its value.
    fn block(&mut self, block: &syn::Block, scope: ScopeId, guard: Option<&Expr>) -> Option<Expr> {
        self.stmts(&block.stmts, scope, guard)
    }

    fn stmts(&mut self, stmts: &[syn::Stmt], scope: ScopeId, guard: Option<&Expr>) -> Option<Expr> {
        let mut tail = None;
        for (i, s) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            let r = self.guarded(|l| l.stmt(s, scope, guard, last)).flatten();
            if last {
                tail = r;
            }
        }
        tail
    }

    /// One statement; returns the value of a tail expression.
    fn stmt(&mut self, s: &syn::Stmt, scope: ScopeId, guard: Option<&Expr>, last: bool) -> Option<Expr> {
        match s {
            syn::Stmt::Local(local) => {
                let sp = self.span_of(local);
                if let Some(init) = &local.init {
                    let v = self.expr(&init.expr, scope, false);
                    if let Some((_, d)) = &init.diverge {
                        self.expr(d, scope, false);
                    }
                    self.bind_pat(&local.pat, v, scope, guard, sp);
                }
                None
            }
            syn::Stmt::Item(item) => {
                self.item(item, scope);
                None
            }
            syn::Stmt::Expr(e, semi) => {
                if semi.is_none() && last {
                    return Some(self.value_stmt(e, scope, guard));
                }
                self.expr_stmt(e, scope, guard);
                None
            }
            syn::Stmt::Macro(m) => {
                let e = self.macro_call(&m.mac, scope, false);
                self.facts.mark_statement(e.span);
                None
            }
        }
    }

    /// A tail expression: its value, with `if`/`match` statements in it lowered.
    fn value_stmt(&mut self, e: &syn::Expr, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        match e {
            syn::Expr::Return(r) => {
                self.ret(r, scope, guard);
                Expr::unknown(self.span_of(e))
            }
            _ => self.expr_top(e, scope, guard),
        }
    }

    fn ret(&mut self, r: &syn::ExprReturn, scope: ScopeId, guard: Option<&Expr>) {
        let value = match &r.expr {
            Some(v) => self.expr(v, scope, false),
            None => Expr::new(ExprKind::Null, self.span_of(r)),
        };
        self.facts.returns.push(Return {
            scope,
            value,
            guard: guard.cloned(),
        });
    }

    /// An expression statement: assignments, control flow with guards,
    /// and calls whose value is discarded.
    fn expr_stmt(&mut self, e: &syn::Expr, scope: ScopeId, guard: Option<&Expr>) {
        match e {
            syn::Expr::Assign(a) => {
                let sp = self.span_of(a);
                let v = self.expr(&a.right, scope, false);
                self.bind_target(&a.left, v, scope, guard, sp);
            }
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::AddAssign(_)) => {
                let sp = self.span_of(b);
                let cur = self.expr(&b.left, scope, false);
                let add = self.expr(&b.right, scope, false);
                let v = Expr::new(ExprKind::Concat(vec![cur, add]), sp);
                self.bind_target(&b.left, v, scope, guard, sp);
            }
            syn::Expr::Return(r) => self.ret(r, scope, guard),
            syn::Expr::MethodCall(m) if m.method == "insert" && m.args.len() == 2 => {
                // `headers.insert(AUTHORIZATION, v)`: an item assignment.
                let sp = self.span_of(m);
                let obj = self.expr(&m.receiver, scope, false);
                let k = self.expr(&m.args[0], scope, false);
                let v = self.expr(&m.args[1], scope, false);
                let t = Expr::new(ExprKind::Index(Box::new(obj), Box::new(k)), sp);
                self.assign(scope, t, v, guard, sp);
            }
            _ => {
                let v = self.expr_top(e, scope, guard);
                self.facts.mark_statement(v.span);
            }
        }
    }

    /// An expression at statement level: `if`/`match`/blocks/loops lower their
    /// statements with guards; the value of an `if`/`match` is its alternatives.
    fn expr_top(&mut self, e: &syn::Expr, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span_of(e);
        match e {
            syn::Expr::If(i) => {
                let cond = self.cond(&i.cond, scope);
                let a = self.block(&i.then_branch, scope, Some(&cond));
                let mut alts = vec![a.unwrap_or_else(|| Expr::unknown(sp))];
                if let Some((_, els)) = &i.else_branch {
                    alts.push(self.expr_top(els, scope, Some(&cond)));
                }
                Expr::new(
                    ExprKind::Alt {
                        cond: Some(Box::new(cond)),
                        alts,
                    },
                    sp,
                )
            }
            syn::Expr::Match(m) => {
                let scrutinee = self.expr(&m.expr, scope, false);
                let mut alts = Vec::new();
                for arm in &m.arms {
                    // `Ok(t) => t`: the names an arm binds hold the scrutinee.
                    if !matches!(&arm.pat, syn::Pat::Ident(i) if !i.ident.to_string().starts_with(char::is_lowercase)) {
                        let psp = self.span_of(&arm.pat);
                        self.bind_pat(&arm.pat, scrutinee.clone(), scope, None, psp);
                    }
                    if let Some((_, g)) = &arm.guard {
                        self.expr(g, scope, false);
                    }
                    alts.push(self.expr_top(&arm.body, scope, Some(&scrutinee)));
                }
                Expr::new(
                    ExprKind::Alt {
                        cond: Some(Box::new(scrutinee)),
                        alts,
                    },
                    sp,
                )
            }
            syn::Expr::Block(b) => self.block(&b.block, scope, guard).unwrap_or_else(|| Expr::unknown(sp)),
            syn::Expr::Unsafe(b) => self.block(&b.block, scope, guard).unwrap_or_else(|| Expr::unknown(sp)),
            syn::Expr::ForLoop(f) => {
                let iter = self.expr(&f.expr, scope, false);
                let v = Expr::new(ExprKind::Index(Box::new(iter), Box::new(Expr::unknown(sp))), sp);
                self.bind_pat(&f.pat, v, scope, guard, sp);
                self.block(&f.body, scope, guard);
                Expr::unknown(sp)
            }
            syn::Expr::While(w) => {
                self.cond(&w.cond, scope);
                self.block(&w.body, scope, guard);
                Expr::unknown(sp)
            }
            syn::Expr::Loop(lp) => {
                self.block(&lp.body, scope, guard);
                Expr::unknown(sp)
            }
            syn::Expr::Assign(_) | syn::Expr::Return(_) => {
                self.expr_stmt(e, scope, guard);
                Expr::unknown(sp)
            }
            _ => self.expr(e, scope, false),
        }
    }

    /// An `if` condition; `if let P = v` binds `P` to `v` and selects by `v`.
    fn cond(&mut self, c: &syn::Expr, scope: ScopeId) -> Expr {
        match c {
            syn::Expr::Let(l) => {
                let v = self.expr(&l.expr, scope, false);
                let sp = self.span_of(l);
                self.bind_pat(&l.pat, v.clone(), scope, None, sp);
                v
            }
            _ => self.expr(c, scope, false),
        }
    }

    fn bind_target(&mut self, target: &syn::Expr, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        if let syn::Expr::Tuple(t) = target {
            let n = t.elems.len();
            for (i, el) in t.elems.iter().enumerate() {
                let v = value.element(i, n);
                self.bind_target(el, v, scope, guard, span);
            }
            return;
        }
        let t = self.expr(target, scope, true);
        self.assign(scope, t, value, guard, span);
    }

    fn bind_pat(&mut self, pat: &syn::Pat, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        match pat {
            syn::Pat::Ident(p) => {
                let t = Expr::new(ExprKind::Name(p.ident.to_string()), self.span_of(&p.ident));
                self.assign(scope, t, value, guard, span);
            }
            syn::Pat::Type(p) => self.bind_pat(&p.pat, value, scope, guard, span),
            syn::Pat::Reference(p) => self.bind_pat(&p.pat, value, scope, guard, span),
            syn::Pat::Paren(p) => self.bind_pat(&p.pat, value, scope, guard, span),
            syn::Pat::Tuple(t) => {
                let n = t.elems.len();
                for (i, el) in t.elems.iter().enumerate() {
                    let v = value.element(i, n);
                    self.bind_pat(el, v, scope, guard, span);
                }
            }
            // `Some(x)` / `Ok(x)`: the wrapped value.
            syn::Pat::TupleStruct(t) if t.elems.len() == 1 => {
                self.bind_pat(&t.elems[0], value, scope, guard, span);
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------
    // Expressions
    // ------------------------------------------------------------------

    fn expr(&mut self, e: &syn::Expr, scope: ScopeId, receiver: bool) -> Expr {
        match self.guarded(|l| l.expr_inner(e, scope, receiver)) {
            Some(x) => x,
            None => Expr::unknown(self.span_of(e)),
        }
    }

    fn expr_inner(&mut self, e: &syn::Expr, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(e);
        let kind = match e {
            syn::Expr::Lit(l) => return self.lit(&l.lit),
            syn::Expr::Path(p) => return self.path(&p.path, sp),
            syn::Expr::Field(f) => {
                let o = self.expr(&f.base, scope, receiver);
                match &f.member {
                    syn::Member::Named(id) => ExprKind::Member(Box::new(o), id.to_string()),
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
                _ => ExprKind::Test(vec![self.expr(&u.expr, scope, false)]),
            },
            syn::Expr::Binary(b) => {
                let l = self.expr(&b.left, scope, false);
                let r = self.expr(&b.right, scope, false);
                match b.op {
                    syn::BinOp::Add(_) => ExprKind::Concat(vec![l, r]),
                    _ => ExprKind::Test(vec![l, r]),
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

    fn lit(&mut self, lit: &syn::Lit) -> Expr {
        let sp = self.span_of(lit);
        let kind = match lit {
            syn::Lit::Str(s) => ExprKind::Str(s.value()),
            syn::Lit::ByteStr(b) => ExprKind::Str(String::from_utf8_lossy(&b.value()).into_owned()),
            syn::Lit::CStr(c) => ExprKind::Str(c.value().to_string_lossy().into_owned()),
            syn::Lit::Bool(b) => ExprKind::Bool(b.value),
            syn::Lit::Int(_) | syn::Lit::Float(_) => ExprKind::Number,
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    /// `a::b::C` → `a.b.C`; `self`/`Self` → this; `header::AUTHORIZATION` →
    /// the header's name.
    fn path(&mut self, path: &syn::Path, sp: Span) -> Expr {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(last) = segs.last() else {
            return Expr::unknown(sp);
        };
        let from_header_module = segs.len() >= 2 && segs[segs.len() - 2] == "header";
        if (from_header_module || (segs.len() == 1 && self.header_consts.contains(last)))
            && last.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        {
            return Expr::new(ExprKind::Str(header_name(last)), sp);
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
            let m = Expr::new(ExprKind::Name(module), sp);
            return Expr::new(ExprKind::Member(Box::new(m), segs[n].clone()), sp);
        }
        let mut e: Option<Expr> = None;
        for s in segs {
            e = Some(match e {
                None => match s.as_str() {
                    "self" | "Self" => Expr::new(ExprKind::This, sp),
                    "None" => Expr::new(ExprKind::Null, sp),
                    _ => Expr::new(ExprKind::Name(s), sp),
                },
                Some(o) => Expr::new(ExprKind::Member(Box::new(o), s), sp),
            });
        }
        e.unwrap_or_else(|| Expr::unknown(sp))
    }

    fn args(&mut self, args: &Punctuated<syn::Expr, syn::Token![,]>, scope: ScopeId) -> Vec<Arg> {
        args.iter()
            .map(|a| Arg {
                name: None,
                value: self.expr(a, scope, false),
            })
            .collect()
    }

    fn push_call(&mut self, callee: Expr, args: Vec<Arg>, sp: Span, scope: ScopeId, receiver: bool) -> Expr {
        let e = Expr::new(
            ExprKind::Call(Arc::new(Call {
                callee,
                args,
                is_new: false,
            })),
            sp,
        );
        if !receiver {
            self.facts.calls.push(CallSite {
                scope,
                expr: e.clone(),
                statement: false,
            });
        }
        e
    }

    fn call(&mut self, c: &syn::ExprCall, scope: ScopeId, receiver: bool) -> Expr {
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
            if let Some(name) = args.first().and_then(|a| a.value.as_str()) {
                self.facts.env_reads.push(name.to_string());
                return Expr::new(ExprKind::Env(name.to_string()), sp);
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
        if keeps && args.len() == 1 {
            // `Lazy::new(|| value)`: the closure's value.
            if let Some(syn::Expr::Closure(cl)) = c.args.first() {
                if cl.inputs.is_empty() {
                    return self.expr_top(&cl.body, scope, None);
                }
            }
            return args
                .into_iter()
                .next()
                .map(|a| a.value)
                .unwrap_or_else(|| Expr::unknown(sp));
        }
        self.push_call(callee, args, sp, scope, receiver)
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall, scope: ScopeId, receiver: bool) -> Expr {
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
            return Expr::new(
                ExprKind::Alt {
                    cond: None,
                    alts: vec![r, d],
                },
                sp,
            );
        }
        let recv = self.expr(&m.receiver, scope, true);
        let callee = Expr::new(ExprKind::Member(Box::new(recv), method), sp);
        let args = self.args(&m.args, scope);
        self.push_call(callee, args, sp, scope, receiver)
    }

    /// `Name { a: x, b }` → a dict of fields; `Self { .. }` / `Name { .. }`
    /// inside the struct's `impl` also assigns the fields.
    fn struct_lit(&mut self, s: &syn::ExprStruct, scope: ScopeId) -> Expr {
        let sp = self.span_of(s);
        let ty = s.path.segments.last().map(|x| x.ident.to_string()).unwrap_or_default();
        let own_class = self
            .enclosing_class(scope)
            .filter(|&c| ty == "Self" || self.facts.scopes[c].name == ty)
            .is_some();
        let mut pairs = Vec::new();
        for f in &s.fields {
            let syn::Member::Named(id) = &f.member else { continue };
            let v = self.expr(&f.expr, scope, false);
            let name = id.to_string();
            let ksp = self.span_of(id);
            if own_class && self.facts.scopes[scope].kind == ScopeKind::Function {
                let t = Expr::new(
                    ExprKind::Member(Box::new(Expr::new(ExprKind::This, ksp)), name.clone()),
                    ksp,
                );
                self.assign(scope, t, v.clone(), None, self.span_of(f));
            }
            pairs.push((Expr::new(ExprKind::Str(name), ksp), v));
        }
        if let Some(rest) = &s.rest {
            let v = self.expr(rest, scope, false);
            pairs.push((Expr::unknown(v.span), v));
        }
        Expr::new(ExprKind::Dict(pairs), sp)
    }

    fn enclosing_class(&self, mut scope: ScopeId) -> Option<ScopeId> {
        loop {
            let s = &self.facts.scopes[scope];
            if s.kind == ScopeKind::Class {
                return Some(scope);
            }
            scope = s.parent?;
        }
    }

    // ------------------------------------------------------------------
    // Macros
    // ------------------------------------------------------------------

    fn macro_call(&mut self, mac: &syn::Macro, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(mac);
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let parsed = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        let Ok(items) = parsed else {
            return self.literal_call(mac.tokens.clone(), Some(sp), scope, receiver);
        };
        let items: Vec<&syn::Expr> = items.iter().collect();
        match name.as_str() {
            "env" | "option_env" => {
                if let Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                })) = items.first()
                {
                    let n = s.value();
                    self.facts.env_reads.push(n.clone());
                    return Expr::new(ExprKind::Env(n), sp);
                }
                Expr::unknown(sp)
            }
            "concat" => {
                let parts = items.iter().map(|x| self.expr(x, scope, false)).collect();
                Expr::new(ExprKind::Concat(parts), sp)
            }
            "vec" => {
                let parts = items.iter().map(|x| self.expr(x, scope, false)).collect();
                Expr::new(ExprKind::List(parts), sp)
            }
            "format" | "format_args" => self.format(&items, scope, sp),
            _ => {
                let args = items
                    .iter()
                    .map(|x| Arg {
                        name: None,
                        value: self.expr(x, scope, false),
                    })
                    .collect();
                let callee = Expr::new(ExprKind::Name(format!("{name}!")), sp);
                self.push_call(callee, args, sp, scope, receiver)
            }
        }
    }

    /// `format!("{}/crm/{m}", base, m = module)` → Concat.
    fn format(&mut self, items: &[&syn::Expr], scope: ScopeId, sp: Span) -> Expr {
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(t), ..
        })) = items.first()
        else {
            return Expr::unknown(sp);
        };
        let tsp = self.span_of(t);
        let template = t.value();
        let mut positional = Vec::new();
        let mut named: Vec<(String, Expr)> = Vec::new();
        for x in &items[1..] {
            match x {
                syn::Expr::Assign(a) => {
                    let v = self.expr(&a.right, scope, false);
                    if let syn::Expr::Path(p) = a.left.as_ref() {
                        if let Some(id) = p.path.get_ident() {
                            named.push((id.to_string(), v));
                        }
                    }
                }
                _ => positional.push(self.expr(x, scope, false)),
            }
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut next = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        field.push(d);
                    }
                    let arg = field.split(':').next().unwrap_or("").trim().to_string();
                    parts.push(Expr::new(ExprKind::Str(std::mem::take(&mut lit)), tsp));
                    let v = if arg.is_empty() {
                        next += 1;
                        positional.get(next - 1).cloned()
                    } else if let Ok(i) = arg.parse::<usize>() {
                        positional.get(i).cloned()
                    } else {
                        named
                            .iter()
                            .find(|(n, _)| *n == arg)
                            .map(|(_, v)| v.clone())
                            .or_else(|| Some(Expr::new(ExprKind::Name(arg.clone()), tsp)))
                    };
                    parts.push(v.unwrap_or_else(|| Expr::unknown(tsp)));
                }
                _ => lit.push(c),
            }
        }
        if parts.is_empty() {
            return Expr::new(ExprKind::Str(lit), sp);
        }
        parts.push(Expr::new(ExprKind::Str(lit), tsp));
        Expr::new(ExprKind::Concat(parts), sp)
    }

    /// Tokens syn cannot read as expressions: a call of their string literals,
    /// one per `;`-separated statement, so hosts and headers in them count.
    fn literal_call(&mut self, tokens: TokenStream, sp: Option<Span>, scope: ScopeId, receiver: bool) -> Expr {
        let mut segments: Vec<Vec<Expr>> = vec![Vec::new()];
        self.collect_literals(tokens, &mut segments);
        let segments: Vec<Vec<Expr>> = segments.into_iter().filter(|s| !s.is_empty()).collect();
        let one = segments.len() == 1;
        let mut first = None;
        for seg in segments {
            // Without a node around them, the literals' own extent is the call.
            let own = seg[0].span.join_to(seg[seg.len() - 1].span);
            let at = match sp {
                Some(s) if one => s,
                _ => own,
            };
            let args = seg.into_iter().map(|value| Arg { name: None, value }).collect();
            let e = self.push_call(Expr::unknown(at), args, at, scope, receiver);
            first.get_or_insert(e);
        }
        first.unwrap_or_else(|| Expr::unknown(sp.unwrap_or_default()))
    }

    fn collect_literals(&mut self, tokens: TokenStream, segments: &mut Vec<Vec<Expr>>) {
        if self.nesting.too_deep(self.depth) {
            return;
        }
        self.depth += 1;
        for tt in tokens {
            match tt {
                TokenTree::Literal(l) => {
                    if let syn::Lit::Str(s) = syn::Lit::new(l) {
                        let e = Expr::new(ExprKind::Str(s.value()), self.span_of(&s));
                        if let Some(last) = segments.last_mut() {
                            last.push(e);
                        }
                    }
                }
                TokenTree::Punct(p) if p.as_char() == ';' => segments.push(Vec::new()),
                TokenTree::Group(g) => {
                    if g.delimiter() == Delimiter::Brace {
                        segments.push(Vec::new());
                    }
                    self.collect_literals(g.stream(), segments);
                    if g.delimiter() == Delimiter::Brace {
                        segments.push(Vec::new());
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
    }

    // ------------------------------------------------------------------
    // Recovery
    // ------------------------------------------------------------------

    /// A file syn rejects: each top-level item that parses is lowered; the
    /// statements of the others are lowered where they parse, else scanned
    /// for literals.
    fn recover_items(&mut self, ts: TokenStream) {
        let chunks = split_items(ts);
        let items: Vec<Result<syn::Item, TokenStream>> = chunks
            .into_iter()
            .map(|c| {
                if too_deep(&c) {
                    return Err(c);
                }
                syn::parse2::<syn::Item>(c.clone()).map_err(|_| c)
            })
            .collect();
        let good: Vec<syn::Item> = items.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        self.collect_uses(&good);
        for r in items {
            match r {
                Ok(item) => self.item(&item, 0),
                Err(chunk) => self.recover_chunk(chunk, 0),
            }
        }
    }

    fn recover_chunk(&mut self, chunk: TokenStream, scope: ScopeId) {
        if self.nesting.too_deep(self.depth) {
            return;
        }
        self.depth += 1;
        let mut outside = TokenStream::new();
        for tt in chunk {
            match tt {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    for piece in split_items(g.stream()) {
                        let parsed = if too_deep(&piece) {
                            None
                        } else {
                            syn::parse::Parser::parse2(syn::Block::parse_within, piece.clone()).ok()
                        };
                        match parsed {
                            Some(stmts) => {
                                self.stmts(&stmts, scope, None);
                            }
                            None => self.recover_chunk(piece, scope),
                        }
                    }
                }
                other => outside.extend([other]),
            }
        }
        self.literal_call(outside, None, scope, false);
        self.depth -= 1;
    }

    /// A file that does not even lex (unbalanced delimiters): the literals of
    /// each line that lexes.
    fn recover_lines(&mut self, src: &str) {
        let mut offset = 0;
        for line in src.split_inclusive('\n') {
            proc_macro2::extra::invalidate_current_thread_spans();
            if let Ok(ts) = TokenStream::from_str(line) {
                let saved = self.base;
                self.base += offset;
                self.literal_call(ts, None, 0, false);
                self.base = saved;
            }
            offset += line.len();
        }
    }
}

/// The body of `lazy_static! { [pub] static ref NAME: T = value; … }`.
fn parse_lazy_statics(input: syn::parse::ParseStream) -> syn::Result<Vec<(syn::Ident, syn::Expr)>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Visibility>()?;
        input.parse::<syn::Token![static]>()?;
        input.parse::<syn::Token![ref]>()?;
        let ident: syn::Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        input.parse::<syn::Type>()?;
        input.parse::<syn::Token![=]>()?;
        let expr: syn::Expr = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        out.push((ident, expr));
    }
    Ok(out)
}

/// Splits a token stream into item- or statement-sized chunks: after a `;`,
/// and after a `{ … }` group not followed by something that continues the
/// expression.
fn split_items(ts: TokenStream) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut chunks = Vec::new();
    let mut cur = TokenStream::new();
    for (i, t) in tokens.iter().enumerate() {
        cur.extend([t.clone()]);
        let end = match t {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                !matches!(
                    tokens.get(i + 1),
                    Some(TokenTree::Punct(p)) if matches!(p.as_char(), ';' | '.' | ',' | '?')
                ) && !matches!(tokens.get(i + 1), Some(TokenTree::Ident(id)) if id == "else")
            }
            _ => false,
        };
        if end {
            chunks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks
}

/// Element `i` of `n` of a tuple value; an `if`/`match` of tuples gives
/// the alternatives of element `i` (`let (host, token) = match env { … }`).
fn pat_names(p: &syn::Pat, out: &mut Vec<String>) {
    match p {
        syn::Pat::Ident(i) => {
            let n = i.ident.to_string();
            if n != "self" {
                out.push(n);
            }
        }
        syn::Pat::Type(t) => pat_names(&t.pat, out),
        syn::Pat::Reference(r) => pat_names(&r.pat, out),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|e| pat_names(e, out)),
        _ => out.push(String::new()),
    }
}

/// Flattens a `use` tree into (local name, module path, imported name).
fn use_tree(t: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, String, Option<String>)>) {
    match t {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((last.clone(), prefix.join("::"), None));
                }
            } else {
                out.push((name.clone(), prefix.join("::"), Some(name)));
            }
        }
        syn::UseTree::Rename(r) => {
            let name = r.ident.to_string();
            let local = r.rename.to_string();
            if name == "self" {
                out.push((local, prefix.join("::"), None));
            } else {
                out.push((local, prefix.join("::"), Some(name)));
            }
        }
        syn::UseTree::Group(g) => {
            for i in &g.items {
                use_tree(i, prefix, out);
            }
        }
        syn::UseTree::Glob(_) => {}
    }
}

trait JoinTo {
    fn join_to(self, other: Span) -> Span;
}

impl JoinTo for Span {
    fn join_to(self, other: Span) -> Span {
        Span {
            end: other.end,
            end_line: other.end_line,
            end_col: other.end_col,
            ..self
        }
    }
}

#[cfg(test)]
mod tests;
