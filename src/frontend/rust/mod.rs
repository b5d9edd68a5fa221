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

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use super::frame;
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
            l.facts.parse_error_line = Some(l.lines.line(l.sp(e.span())));
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
            l.facts.parse_error_line = Some(l.lines.line(l.sp(e.span())));
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
    "as_bool",
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
        frame::push_assign(&mut self.facts, scope, target, value, guard, span);
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
        frame::class_object(&mut self.facts, &mut self.classes, name, span)
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
        let t = Expr::new(ExprKind::Name(ident.to_string().into()), self.span_of(ident));
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
        frame::bind_function(&mut self.facts, parent, name, name_span, scope, sp);
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
            guard: guard.cloned().map(Box::new),
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
                let v = Expr::new(ExprKind::Concat(vec![cur, add].into()), sp);
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
                frame::alt(Some(cond), alts, sp)
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
                // A test of the scrutinee, not a boolean choice between two
                // branches in order (`match flag { false => a, true => b }`).
                let cond = Expr::new(ExprKind::Test(vec![scrutinee].into()), sp);
                frame::alt(Some(cond), alts, sp)
            }
            syn::Expr::Block(b) => self.block(&b.block, scope, guard).unwrap_or_else(|| Expr::unknown(sp)),
            syn::Expr::Unsafe(b) => self.block(&b.block, scope, guard).unwrap_or_else(|| Expr::unknown(sp)),
            syn::Expr::ForLoop(f) => {
                let iter = self.expr(&f.expr, scope, false);
                let v = frame::any_element(iter, sp, sp);
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
                let t = Expr::new(ExprKind::Name(p.ident.to_string().into()), self.span_of(&p.ident));
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
            // `let Settings { token, host: base, .. } = f()`: each field read.
            syn::Pat::Struct(p) => {
                for fp in &p.fields {
                    let syn::Member::Named(field) = &fp.member else {
                        continue;
                    };
                    let v = Expr::new(
                        ExprKind::Member(Box::new(value.clone()), field.to_string().into()),
                        value.span,
                    );
                    self.bind_pat(&fp.pat, v, scope, guard, span);
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------
    // Expressions
    // ------------------------------------------------------------------

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
        Span { end: other.end, ..self }
    }
}

mod expr;
mod macros;
use macros::parse_lazy_statics;

#[cfg(test)]
mod tests;
