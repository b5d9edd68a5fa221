//! Ruby front-end: tree-sitter-ruby → facts.
//!
//! Lowers class and module scopes (`<` bases; a module's constants are its
//! fields, so `Mod::X` resolves across files), method scopes (keyword,
//! optional and splat parameters), constants (read from a method, they
//! resolve through the enclosing class or module that defines them),
//! instance variables (`@x` is `this.x`), assignments (`||=`, `+=`),
//! explicit and implicit (last-expression) returns, `if`/`unless`/`elsif`/
//! `case`/modifier guards (and `if`/`case` used as values), blocks as
//! functions, calls with keyword arguments (`key:` and `=>` hashes),
//! `X.new(…)` as `new X(…)`, interpolated strings, `+`/`%`/`format` string
//! building, `sub`/`gsub`, ternaries, `||` defaults, `Hash#fetch`/`dig`/
//! `merge`, `URI(…)`/`URI.parse`/`URI.join`, `JSON.parse`, `require_relative`
//! as whole-file imports, and `ENV[…]` / `ENV.fetch(…)` reads.
//!
//! Local variables are told from method calls as Ruby does (assigned before
//! in the method): a bare identifier that is no local is a call on `self`, and
//! a reader method used as a receiver (`connection.get(…)`) is read as a
//! value. A call without arguments, parentheses or block on another object
//! (`uri.host`, `response.api_domain`) is a member read. Library forms:
//! Faraday's `request :authorization` middleware is the Authorization header;
//! an HTTParty class's `base_uri` and `headers` go with its requests.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::unescape;

pub fn lower(text: &str) -> FileFacts {
    frame::lower(
        tree_sitter_ruby::LANGUAGE.into(),
        text,
        |f| Lowerer {
            f,
            lexical: Vec::new(),
            locals: HashMap::new(),
            http_defaults: HashMap::new(),
            lowered: HashSet::new(),
            attrs: HashMap::new(),
        },
        |l, root| l.body(root, 0, None, false),
    )
}

struct Lowerer<'a> {
    f: Frame<'a>,
    /// The enclosing classes and modules, innermost last: name, scope and
    /// the constants assigned in their bodies (a constant read resolves
    /// through the innermost one that defines it).
    lexical: Vec<(String, ScopeId, HashSet<String>)>,
    /// Local variables (parameters and assigned names) per scope: any other
    /// bare identifier is a method call on `self`.
    locals: HashMap<ScopeId, HashSet<String>>,
    /// Classes that `include HTTParty`: their `base_uri` and `headers`,
    /// which every `get`/`post`/… of the class sends.
    http_defaults: HashMap<ScopeId, (Option<Expr>, Option<Expr>)>,
    /// Class-body DSL calls already lowered into `http_defaults`.
    lowered: HashSet<usize>,
    /// Per class: the names of its `attr_reader`/`attr_accessor` fields.
    attrs: HashMap<ScopeId, HashSet<String>>,
}

/// Named children without comments.
use crate::source::named_children_no_comments as named_children;

fn call_expr(callee: Expr, args: Vec<Arg>, is_new: bool, span: Span) -> Expr {
    Expr::new(ExprKind::Call(std::sync::Arc::new(Call { callee, args, is_new })), span)
}

/// Statement kinds whose value is not an expression value.
fn is_control(kind: &str) -> bool {
    matches!(
        kind,
        "if" | "unless"
            | "case"
            | "while"
            | "until"
            | "for"
            | "begin"
            | "method"
            | "singleton_method"
            | "class"
            | "module"
            | "singleton_class"
            | "return"
            | "if_modifier"
            | "unless_modifier"
            | "while_modifier"
            | "until_modifier"
    )
}

impl<'a> Lowerer<'a> {
    /// A statement list; with `returns`, its last expression is the value
    /// the enclosing method returns.
    fn body(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, returns: bool) {
        let kids: Vec<Node> = named_children(node)
            .into_iter()
            .filter(|k| !matches!(k.kind(), "rescue" | "ensure" | "else" | "empty_statement"))
            .collect();
        let n = kids.len();
        for (i, child) in kids.into_iter().enumerate() {
            self.statement(child, scope, guard, returns && i + 1 == n);
        }
        // `begin … rescue … else … ensure … end` clauses.
        for child in named_children(node) {
            if matches!(child.kind(), "rescue" | "ensure" | "else") {
                self.body(child, scope, guard, false);
            }
        }
    }

    fn statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, last: bool) {
        if self.f.too_deep() || self.lowered.contains(&node.start_byte()) {
            return;
        }
        self.f.depth += 1;
        self.statement_inner(node, scope, guard, last);
        self.f.depth -= 1;
    }

    /// Lowers an assignment and returns its value.
    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        self.declare(left, scope);
        let mut value = match right.kind() {
            "assignment" | "operator_assignment" => self.assignment(right, scope, guard),
            _ => self.expr_top(right, scope, false),
        };
        if node.kind() == "operator_assignment" {
            let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
            let current = self.expr(left, scope, false);
            let vs = value.span;
            value = match op {
                "+=" | "<<" => Expr::new(ExprKind::Concat(vec![current, value]), vs),
                "||=" => Expr::new(
                    ExprKind::Alt {
                        cond: None,
                        alts: vec![current, value],
                    },
                    vs,
                ),
                _ => Expr::unknown(vs),
            };
        }
        match left.kind() {
            // `token, host = bootstrap` / `a, b = x, y`.
            "left_assignment_list" => {
                let targets = named_children(left);
                for (i, t) in targets.iter().copied().enumerate() {
                    let v = match t.kind() {
                        "rest_assignment" => Expr::unknown(value.span),
                        _ => value.element(i, targets.len()),
                    };
                    let t = self.expr(t, scope, true);
                    self.push_assign(scope, t, v, guard, sp);
                }
            }
            _ => {
                let t = self.expr(left, scope, true);
                self.push_assign(scope, t, value.clone(), guard, sp);
            }
        }
        value
    }

    /// Records the local variables an assignment target introduces.
    fn declare(&mut self, target: Node, scope: ScopeId) {
        match target.kind() {
            "identifier" => {
                let n = self.text(target).to_string();
                self.locals.entry(scope).or_default().insert(n);
            }
            "left_assignment_list" | "destructured_left_assignment" | "rest_assignment" => {
                for t in named_children(target) {
                    self.declare(t, scope);
                }
            }
            _ => {}
        }
    }

    /// Is `name` a local variable visible in `scope` (blocks see the locals
    /// of their method; a method sees only its own)?
    fn is_local(&self, name: &str, scope: ScopeId) -> bool {
        let mut s = Some(scope);
        while let Some(sc) = s {
            if self.locals.get(&sc).is_some_and(|l| l.contains(name)) {
                return true;
            }
            let def = &self.f.facts.scopes[sc];
            if def.kind != ScopeKind::Function || !def.name.is_empty() {
                return false;
            }
            s = def.parent;
        }
        false
    }

    /// A bare identifier that is not a local: a call without arguments, on
    /// `self` inside a class (never a chain head: it binds nothing by itself).
    fn self_call(&self, name: String, scope: ScopeId, sp: Span, receiver: bool) -> Expr {
        let in_class = self.f.facts.scopes[scope].kind == ScopeKind::Function && !self.lexical.is_empty();
        // `attr_reader :token` then `token`: the field.
        let class = self.lexical.last().map(|l| l.1);
        if in_class && class.is_some_and(|c| self.attrs.get(&c).is_some_and(|a| a.contains(&name))) {
            return Expr::new(ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), name), sp);
        }
        let callee = if in_class {
            Expr::new(ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), name), sp)
        } else {
            Expr::new(ExprKind::Name(name), sp)
        };
        value_receiver(call_expr(callee, Vec::new(), false, sp), receiver)
    }

    fn method(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let scope = self.function_scope(node, &name, parent);
        if !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        if let Some(body) = node.child_by_field_name("body") {
            match body.kind() {
                "body_statement" => self.body(body, scope, None, true),
                // def x = expr
                _ => self.statement(body, scope, None, true),
            }
        }
        scope
    }

    fn class(&mut self, node: Node, parent: ScopeId) {
        let name = node
            .child_by_field_name("name")
            .map(|n| last_segment(self.text(n)).to_string())
            .unwrap_or_default();
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Class, name.clone(), parent, sp);
        if let Some(sup) = node.child_by_field_name("superclass") {
            if let Some(b) = named_children(sup).first() {
                let base = last_segment(self.text(*b)).to_string();
                self.f.facts.scopes[scope].bases.push(base);
            }
        }
        if !name.is_empty() {
            self.push_assign(
                parent,
                Expr::new(ExprKind::Name(name.clone()), sp),
                Expr::new(ExprKind::Func(scope), sp),
                None,
                sp,
            );
        }
        if let Some(body) = node.child_by_field_name("body") {
            let mut consts = HashSet::new();
            for s in named_children(body) {
                if s.kind() == "assignment" {
                    if let Some(l) = s.child_by_field_name("left").filter(|l| l.kind() == "constant") {
                        consts.insert(self.text(l).to_string());
                    }
                }
            }
            let mut attrs = HashSet::new();
            for s in named_children(body) {
                // `include Mod`: the module's methods are the class's, as a
                // base class's are.
                let is_mixin = s.kind() == "call"
                    && s.child_by_field_name("receiver").is_none()
                    && s.child_by_field_name("method")
                        .is_some_and(|m| matches!(self.text(m), "include" | "extend" | "prepend"));
                if let Some(args) = s.child_by_field_name("arguments").filter(|_| is_mixin) {
                    for a in named_children(args) {
                        if matches!(a.kind(), "constant" | "scope_resolution") {
                            let base = last_segment(self.text(a)).to_string();
                            self.f.facts.scopes[scope].bases.push(base);
                        }
                    }
                }
                let is_attr = s.kind() == "call"
                    && s.child_by_field_name("receiver").is_none()
                    && s.child_by_field_name("method")
                        .is_some_and(|m| matches!(self.text(m), "attr_reader" | "attr_accessor"));
                if let Some(args) = s.child_by_field_name("arguments").filter(|_| is_attr) {
                    for a in named_children(args) {
                        attrs.insert(self.text(a).trim_start_matches(':').to_string());
                    }
                }
            }
            self.attrs.insert(scope, attrs);
            self.lexical.push((name, scope, consts));
            self.http_defaults(body, scope);
            self.body(body, scope, None, false);
            self.lexical.pop();
        }
    }

    /// HTTParty's class-level `base_uri "…"` and `headers "Authorization" => …`
    /// in a class that includes it.
    fn http_defaults(&mut self, body: Node, scope: ScopeId) {
        let dsl = |l: &Self, n: Node, name: &str| {
            n.kind() == "call"
                && n.child_by_field_name("receiver").is_none()
                && n.child_by_field_name("method").is_some_and(|m| l.text(m) == name)
                && n.child_by_field_name("arguments").is_some()
        };
        let kids = named_children(body);
        let includes = kids.iter().any(|&k| {
            dsl(self, k, "include")
                && k.child_by_field_name("arguments")
                    .is_some_and(|a| named_children(a).iter().any(|c| self.text(*c) == "HTTParty"))
        });
        if !includes {
            return;
        }
        let (mut base, mut headers) = (None, None);
        for k in kids {
            if dsl(self, k, "base_uri") {
                base = self.call_args(k, scope).into_iter().next().map(|a| a.value);
                self.lowered.insert(k.start_byte());
            } else if dsl(self, k, "headers") {
                headers = self.call_args(k, scope).into_iter().next().map(|a| a.value);
                self.lowered.insert(k.start_byte());
            }
        }
        self.http_defaults.insert(scope, (base, headers));
    }

    /// A constant read: through the innermost enclosing class or module
    /// that defines it (`this.X` from its own methods, `Mod.X` from nested
    /// classes), else a plain name.
    fn constant(&self, n: String, scope: ScopeId, sp: Span) -> ExprKind {
        let innermost = self.lexical.len().saturating_sub(1);
        for (i, (name, cscope, consts)) in self.lexical.iter().enumerate().rev() {
            if !consts.contains(&n) {
                continue;
            }
            if *cscope == scope || name.is_empty() {
                return ExprKind::Name(n);
            }
            let owner = if i == innermost {
                Expr::new(ExprKind::This, sp)
            } else {
                Expr::new(ExprKind::Name(name.clone()), sp)
            };
            return ExprKind::Member(Box::new(owner), n);
        }
        ExprKind::Name(n)
    }

    /// Anything not modelled: its children are still lowered so that calls
    /// inside it are seen.
    fn other(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in named_children(node) {
            self.expr(c, scope, false);
        }
        Expr::unknown(self.span(node))
    }

    /// A block or lambda: a function scope whose last expression is returned.
    fn block_fn(&mut self, node: Node, scope: ScopeId) -> ScopeId {
        let sp = self.span(node);
        let fscope = self.f.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
        if let Some(p) = node.child_by_field_name("parameters") {
            self.params(p, fscope);
        }
        if let Some(b) = node.child_by_field_name("body") {
            self.body(b, fscope, None, true);
        }
        fscope
    }

    fn pairs(&mut self, items: Vec<Node>, scope: ScopeId) -> Vec<(Expr, Expr)> {
        let mut out = Vec::new();
        for p in items {
            match p.kind() {
                "pair" => {
                    if let (Some(k), Some(v)) = (p.child_by_field_name("key"), p.child_by_field_name("value")) {
                        let k = self.expr(k, scope, false);
                        let v = self.expr(v, scope, false);
                        out.push((k, v));
                    }
                }
                "hash_splat_argument" => {
                    if let Some(inner) = named_children(p).first() {
                        let v = self.expr(*inner, scope, false);
                        out.push((Expr::unknown(v.span), v));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn binary(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
        let le = self.expr(l, scope, false);
        let re = self.expr(r, scope, false);
        let kind = match op {
            "+" => ExprKind::Concat(vec![le, re]),
            "%" if le.as_str().is_some() => {
                let args = match re.kind {
                    ExprKind::List(items) => items,
                    _ => vec![re],
                };
                super::printf(&le, &super::positional(args))
            }
            "||" | "or" => ExprKind::Alt {
                cond: None,
                alts: vec![le, re],
            },
            "&&" | "and" | "==" | "!=" | "===" | "=~" | "!~" | "<" | ">" | "<=" | ">=" => ExprKind::Test(vec![le, re]),
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    fn string(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        if !matches!(node.kind(), "string" | "delimited_symbol") {
            return self.expr(node, scope, false);
        }
        let mut parts: Vec<Expr> = Vec::new();
        let mut has_interp = false;
        for c in named_children(node) {
            match c.kind() {
                "string_content" | "escape_sequence" => {
                    let s = unescape(self.text(c));
                    parts.push(Expr::new(ExprKind::Str(s), self.span(c)));
                }
                "interpolation" => {
                    has_interp = true;
                    let inner = named_children(c);
                    match inner.last() {
                        Some(e) if inner.len() == 1 => {
                            let e = self.expr(*e, scope, false);
                            parts.push(e);
                        }
                        _ => parts.push(self.other(c, scope)),
                    }
                }
                _ => {}
            }
        }
        if !has_interp {
            let s: String = parts.iter().filter_map(|p| p.as_str()).collect();
            return Expr::new(ExprKind::Str(s), sp);
        }
        Expr::new(ExprKind::Concat(parts), sp)
    }

    fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let mut hash: Vec<Node> = Vec::new();
        if let Some(list) = node.child_by_field_name("arguments") {
            for a in named_children(list) {
                match a.kind() {
                    "pair" => {
                        let key = a.child_by_field_name("key");
                        match key.filter(|k| k.kind() == "hash_key_symbol") {
                            Some(k) => {
                                let name = Some(self.text(k).to_string());
                                if let Some(v) = a.child_by_field_name("value") {
                                    let value = self.expr(v, scope, false);
                                    args.push(Arg { name, value });
                                }
                            }
                            // `"Authorization" => …` pairs: one trailing hash.
                            None => hash.push(a),
                        }
                    }
                    "hash_splat_argument" => hash.push(a),
                    "block_argument" => {}
                    "splat_argument" => {
                        if let Some(inner) = named_children(a).first() {
                            let value = self.expr(*inner, scope, false);
                            args.push(Arg { name: None, value });
                        }
                    }
                    _ => {
                        let value = self.expr(a, scope, false);
                        args.push(Arg { name: None, value });
                    }
                }
            }
        }
        if !hash.is_empty() {
            let sp = self.span(hash[0]);
            let pairs = self.pairs(hash, scope);
            args.push(Arg {
                name: None,
                value: Expr::new(ExprKind::Dict(pairs), sp),
            });
        }
        if let Some(b) = node.child_by_field_name("block") {
            let f = self.block_fn(b, scope);
            args.push(Arg {
                name: None,
                value: Expr::new(ExprKind::Func(f), self.span(b)),
            });
        }
        args
    }

    fn push_call(
        &mut self,
        callee: Expr,
        args: Vec<Arg>,
        is_new: bool,
        sp: Span,
        scope: ScopeId,
        receiver: bool,
    ) -> Expr {
        let e = call_expr(callee, args, is_new, sp);
        if !receiver {
            self.f.facts.calls.push(CallSite {
                scope,
                expr: e.clone(),
                statement: false,
            });
        }
        e
    }

    /// `self.class.get(path)` / `Api.get(path)` / `get(path)` in a class
    /// that includes HTTParty: the request goes to `base_uri + path` with the
    /// class's headers.
    fn with_http_defaults(&self, recv: Option<&Expr>, method: &str, mut args: Vec<Arg>) -> Vec<Arg> {
        if !matches!(method, "get" | "post" | "put" | "patch" | "delete" | "head") {
            return args;
        }
        let Some((class_name, class_scope, _)) = self.lexical.last() else {
            return args;
        };
        let Some((base, headers)) = self.http_defaults.get(class_scope) else {
            return args;
        };
        let on_class = match recv.map(|r| &r.kind) {
            None => true,
            Some(ExprKind::Name(n)) => n == class_name,
            Some(ExprKind::Call(c)) => {
                matches!(&c.callee.kind, ExprKind::Member(o, m) if m == "class" && matches!(o.kind, ExprKind::This))
            }
            _ => false,
        };
        if !on_class {
            return args;
        }
        if let (Some(b), Some(first)) = (base, args.first_mut()) {
            if first.name.is_none() {
                let sp = first.value.span;
                first.value = Expr::new(ExprKind::Concat(vec![b.clone(), first.value.clone()]), sp);
            }
        }
        if let Some(h) = headers {
            args.push(Arg {
                name: Some("headers".into()),
                value: h.clone(),
            });
        }
        args
    }

    fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(method_node) = node.child_by_field_name("method") else {
            return self.other(node, scope);
        };
        let method = self.text(method_node).to_string();
        let recv_node = node.child_by_field_name("receiver");
        let has_args = node.child_by_field_name("arguments").is_some();
        let has_block = node.child_by_field_name("block").is_some();
        let recv = recv_node.map(|r| self.expr(r, scope, true));
        // `obj.attr`: a member read.
        if !has_args && !has_block {
            if let Some(o) = recv {
                if method == "new" {
                    return self.push_call(o, Vec::new(), true, sp, scope, receiver);
                }
                // Copies and conversions that keep the value.
                if matches!(
                    method.as_str(),
                    "freeze" | "dup" | "clone" | "to_s" | "to_str" | "strip" | "chomp" | "downcase" | "upcase" | "to_h"
                ) {
                    return o;
                }
                if matches!(o.kind, ExprKind::This) {
                    let class = self.lexical.last().map(|l| l.1);
                    if class.is_some_and(|c| self.attrs.get(&c).is_some_and(|a| a.contains(&method))) {
                        return Expr::new(ExprKind::Member(Box::new(o), method), sp);
                    }
                    // `self.class` is the class, not a value read from it.
                    let value = receiver && method != "class";
                    let call = call_expr(
                        Expr::new(ExprKind::Member(Box::new(o), method), sp),
                        Vec::new(),
                        false,
                        sp,
                    );
                    return value_receiver(call, value);
                }
                return Expr::new(ExprKind::Member(Box::new(o), method), sp);
            }
            return match recv_node {
                None if !self.is_local(&method, scope) => self.self_call(method, scope, sp, receiver),
                _ => Expr::new(ExprKind::Name(method), sp),
            };
        }
        let args = self.call_args(node, scope);
        let dotted = recv.as_ref().and_then(|r| r.dotted());
        let first_str = args.first().and_then(|a| a.value.as_str()).map(str::to_string);
        match (dotted.as_deref(), method.as_str()) {
            (None, "require_relative") => {
                if let Some(path) = first_str {
                    let module = if path.starts_with('.') {
                        path
                    } else {
                        format!("./{path}")
                    };
                    self.f.facts.imports.push(Import {
                        scope,
                        local: "*".into(),
                        module,
                        name: None,
                        span: sp,
                    });
                }
                return Expr::unknown(sp);
            }
            (Some("ENV"), "fetch" | "[]") => {
                if let Some(name) = first_str {
                    self.f.facts.env_reads.push(name.clone());
                    let env = Expr::new(ExprKind::Env(name), sp);
                    return match args.get(1) {
                        Some(default) => Expr::new(
                            ExprKind::Alt {
                                cond: None,
                                alts: vec![env, default.value.clone()],
                            },
                            sp,
                        ),
                        None => env,
                    };
                }
            }
            // JSON.parse(response.body) is the response's data.
            (Some("JSON"), "parse") if !args.is_empty() => {
                return args
                    .into_iter()
                    .next()
                    .map(|a| a.value)
                    .unwrap_or_else(|| Expr::unknown(sp));
            }
            (None, "URI") | (Some("URI"), "parse") if args.len() == 1 => {
                return args
                    .into_iter()
                    .next()
                    .map(|a| a.value)
                    .unwrap_or_else(|| Expr::unknown(sp));
            }
            // hash.fetch(key[, default]) / hash.dig(k1, k2): lookups.
            (_, "fetch" | "dig") if recv.is_some() && !args.is_empty() && args.iter().all(|a| a.name.is_none()) => {
                let mut e = recv.unwrap_or_else(|| Expr::unknown(sp));
                let mut args = args.into_iter().map(|a| a.value);
                let mut default = None;
                if method == "fetch" {
                    if let Some(k) = args.next() {
                        e = Expr::new(ExprKind::Index(Box::new(e), Box::new(k)), sp);
                    }
                    default = args.next().filter(|d| !matches!(d.kind, ExprKind::Func(_)));
                } else {
                    for k in args {
                        e = Expr::new(ExprKind::Index(Box::new(e), Box::new(k)), sp);
                    }
                }
                return match default {
                    Some(d) => Expr::new(
                        ExprKind::Alt {
                            cond: None,
                            alts: vec![e, d],
                        },
                        sp,
                    ),
                    None => e,
                };
            }
            // base.merge(extra): a dict with both, later keys winning.
            (_, "merge" | "merge!") if recv.is_some() => {
                let mut pairs = vec![];
                if let Some(o) = recv {
                    pairs.push((Expr::unknown(o.span), o));
                }
                for a in args {
                    pairs.push((Expr::unknown(a.value.span), a.value));
                }
                return Expr::new(ExprKind::Dict(pairs), sp);
            }
            (Some("URI"), "join") => {
                return Expr::new(ExprKind::Concat(args.into_iter().map(|a| a.value).collect()), sp);
            }
            (None | Some("Kernel"), "format" | "sprintf")
                if args.first().is_some_and(|a| a.value.as_str().is_some()) =>
            {
                return Expr::new(super::printf(&args[0].value, &args[1..]), sp);
            }
            _ => {}
        }
        // Faraday's `f.request :authorization, 'Zoho-oauthtoken', token`
        // sets the header: `f.headers["Authorization"] = "<scheme> <token>"`.
        if let (Some(o), "request", Some("authorization")) = (&recv, method.as_str(), first_str.as_deref()) {
            if let (Some(scheme), Some(token)) = (args.get(1), args.get(2)) {
                let at = scheme.value.span;
                let value = Expr::new(
                    ExprKind::Concat(vec![
                        scheme.value.clone(),
                        Expr::new(ExprKind::Str(" ".into()), at),
                        token.value.clone(),
                    ]),
                    at,
                );
                let headers = Expr::new(ExprKind::Member(Box::new(o.clone()), "headers".into()), sp);
                let key = Expr::new(ExprKind::Str("Authorization".into()), at);
                let target = Expr::new(ExprKind::Index(Box::new(headers), Box::new(key)), sp);
                self.push_assign(scope, target, value, None, sp);
                return Expr::unknown(sp);
            }
        }
        let args = self.with_http_defaults(recv.as_ref(), &method, args);
        let callee_span = self.span(method_node);
        match recv {
            Some(o) if method == "new" => self.push_call(o, args, true, sp, scope, receiver),
            Some(o) => {
                let m = if method == "gsub" {
                    "replaceAll".to_string()
                } else {
                    method
                };
                let callee = Expr::new(ExprKind::Member(Box::new(o), m), callee_span);
                self.push_call(callee, args, false, sp, scope, receiver)
            }
            None => {
                let callee = Expr::new(ExprKind::Name(method), callee_span);
                self.push_call(callee, args, false, sp, scope, receiver)
            }
        }
    }
}

/// A reader method called on `self` and used as a receiver (`client.get(…)`
/// with `def client = @client ||= Faraday.new(…)`): its value is the
/// receiver, so it is wrapped as a one-alternative value instead of
/// extending the receiver's call chain.
fn value_receiver(call: Expr, receiver: bool) -> Expr {
    if !receiver {
        return call;
    }
    let sp = call.span;
    Expr::new(
        ExprKind::Alt {
            cond: None,
            alts: vec![call],
        },
        sp,
    )
}

/// The last segment of a constant path: `Base::Thing` → `Thing`.
fn last_segment(s: &str) -> &str {
    s.rsplit("::").next().unwrap_or(s).trim()
}

impl Lowerer<'_> {
    fn statement_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, last: bool) {
        match node.kind() {
            "method" | "singleton_method" => {
                self.method(node, scope);
            }
            "class" | "module" => self.class(node, scope),
            "singleton_class" => {
                if let Some(b) = node.child_by_field_name("body") {
                    self.body(b, scope, None, false);
                }
            }
            "assignment" | "operator_assignment" => {
                let v = self.assignment(node, scope, guard);
                if last {
                    self.push_return(scope, v, guard);
                }
            }
            "return" => {
                let value = match named_children(node).first() {
                    Some(args) => {
                        let vals = named_children(*args);
                        match vals.first() {
                            Some(v) => self.expr(*v, scope, false),
                            None => Expr::new(ExprKind::Null, self.span(node)),
                        }
                    }
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                self.push_return(scope, value, guard);
            }
            "if" | "unless" | "elsif" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr_top(c, scope, false));
                let cond = match (node.kind(), cond) {
                    ("unless", Some(c)) => {
                        let sp = c.span;
                        Some(Expr::new(ExprKind::Test(vec![c]), sp))
                    }
                    (_, c) => c,
                };
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.child_by_field_name("consequence") {
                    self.body(b, scope, g, last);
                }
                if let Some(alt) = node.child_by_field_name("alternative") {
                    match alt.kind() {
                        "elsif" => self.statement(alt, scope, g, last),
                        _ => self.body(alt, scope, g, last),
                    }
                }
            }
            "if_modifier" | "unless_modifier" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr_top(c, scope, false));
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.child_by_field_name("body") {
                    self.statement(b, scope, g, false);
                }
            }
            "case" => {
                let value = node
                    .child_by_field_name("value")
                    .map(|v| self.expr_top(v, scope, false));
                for clause in named_children(node) {
                    match clause.kind() {
                        "when" => {
                            let mut c = clause.walk();
                            let pats: Vec<Node> = clause.children_by_field_name("pattern", &mut c).collect();
                            let mut ops: Vec<Expr> = value.iter().cloned().collect();
                            for p in pats {
                                let p = match p.kind() {
                                    "pattern" => named_children(p).first().copied().unwrap_or(p),
                                    _ => p,
                                };
                                let e = self.expr(p, scope, false);
                                ops.push(e);
                            }
                            let sp = self.span(clause);
                            let g = Expr::new(ExprKind::Test(ops), sp);
                            if let Some(b) = clause.child_by_field_name("body") {
                                self.body(b, scope, Some(&g), last);
                            }
                        }
                        "else" => self.body(clause, scope, guard, last),
                        _ => {}
                    }
                }
            }
            "while" | "until" | "for" | "while_modifier" | "until_modifier" => {
                if let Some(p) = node.child_by_field_name("pattern") {
                    self.declare(p, scope);
                }
                for f in ["condition", "value"] {
                    if let Some(c) = node.child_by_field_name(f) {
                        self.expr_top(c, scope, false);
                    }
                }
                if let Some(b) = node.child_by_field_name("body") {
                    match b.kind() {
                        "do" | "body_statement" => self.body(b, scope, guard, false),
                        _ => self.statement(b, scope, guard, false),
                    }
                }
            }
            "begin" | "body_statement" | "then" | "else" | "do" | "parenthesized_statements" | "block_body" => {
                self.body(node, scope, guard, last)
            }
            "comment" | "empty_statement" | "heredoc_body" | "__END__" | "uninterpreted" => {}
            _ => {
                let e = self.expr_top(node, scope, true);
                if last {
                    self.push_return(scope, e, guard);
                }
            }
        }
    }
}

impl<'a> Lowering<'a> for Lowerer<'a> {
    fn frame(&self) -> &Frame<'a> {
        &self.f
    }

    fn frame_mut(&mut self) -> &mut Frame<'a> {
        &mut self.f
    }

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        for p in named_children(params) {
            let name_node = match p.kind() {
                "identifier" => Some(p),
                _ => p.child_by_field_name("name"),
            };
            let Some(n) = name_node else { continue };
            let name = self.text(n).to_string();
            names.push(name.clone());
            self.locals.entry(scope).or_default().insert(name.clone());
            if let Some(v) = p.child_by_field_name("value") {
                // Defaults are alternatives of the parameter.
                let value = self.expr_top(v, scope, false);
                let target = Expr::new(ExprKind::Name(name), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    /// Statements without comments.
    fn statements<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        named_children(node)
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        self.statement_inner(node, scope, guard, false);
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => {
                let n = self.text(node).to_string();
                if self.is_local(&n, scope) {
                    ExprKind::Name(n)
                } else {
                    return self.self_call(n, scope, sp, receiver);
                }
            }
            "global_variable" => ExprKind::Name(self.text(node).to_string()),
            "constant" => {
                let n = self.text(node).to_string();
                self.constant(n, scope, sp)
            }
            "instance_variable" | "class_variable" => {
                let n = self.text(node).trim_start_matches('@').to_string();
                ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), n)
            }
            "self" => ExprKind::This,
            "nil" => ExprKind::Null,
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "integer" | "float" | "rational" | "complex" => ExprKind::Number,
            "string" => return self.string(node, scope),
            "chained_string" => {
                let parts = named_children(node)
                    .into_iter()
                    .map(|c| self.string(c, scope))
                    .collect();
                ExprKind::Concat(parts)
            }
            "simple_symbol" | "hash_key_symbol" => ExprKind::Str(self.text(node).trim_start_matches(':').to_string()),
            "delimited_symbol" => {
                let s = self.string(node, scope);
                return s;
            }
            "scope_resolution" => {
                let s = node.child_by_field_name("scope");
                let n = node.child_by_field_name("name").map(|n| self.text(n).to_string());
                match (s, n) {
                    (Some(s), Some(n)) => {
                        let o = self.expr(s, scope, receiver);
                        ExprKind::Member(Box::new(o), n)
                    }
                    // `::Foo`
                    (None, Some(n)) => ExprKind::Name(n),
                    _ => ExprKind::Unknown,
                }
            }
            "parenthesized_statements" | "parenthesized_expression" => {
                let kids = named_children(node);
                match kids.last() {
                    Some(inner) if kids.len() == 1 => return self.expr(*inner, scope, receiver),
                    _ => return self.other(node, scope),
                }
            }
            "assignment" | "operator_assignment" => return self.assignment(node, scope, None),
            "conditional" => {
                let c = node.child_by_field_name("condition");
                let a = node.child_by_field_name("consequence");
                let b = node.child_by_field_name("alternative");
                match (c, a, b) {
                    (Some(c), Some(a), Some(b)) => {
                        let c = self.expr(c, scope, false);
                        let a = self.expr(a, scope, false);
                        let b = self.expr(b, scope, false);
                        ExprKind::Alt {
                            cond: Some(Box::new(c)),
                            alts: vec![a, b],
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "binary" => return self.binary(node, scope),
            "unary" => {
                let kids: Vec<Expr> = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
                if op == "!" || op == "not" {
                    ExprKind::Test(kids)
                } else {
                    ExprKind::Unknown
                }
            }
            "rescue_modifier" => {
                let b = node.child_by_field_name("body");
                let h = node.child_by_field_name("handler");
                match (b, h) {
                    (Some(b), Some(h)) => {
                        let b = self.expr(b, scope, false);
                        let h = self.expr(h, scope, false);
                        ExprKind::Alt {
                            cond: None,
                            alts: vec![b, h],
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "array" => ExprKind::List(
                named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect(),
            ),
            "hash" => ExprKind::Dict(self.pairs(named_children(node), scope)),
            "element_reference" => {
                let obj = node.child_by_field_name("object");
                let idx: Vec<Node> = named_children(node).into_iter().filter(|c| Some(*c) != obj).collect();
                match (obj, idx.first()) {
                    (Some(o), Some(k)) => {
                        let o = self.expr(o, scope, receiver);
                        let k = self.expr(*k, scope, false);
                        match (&o.kind, k.as_str()) {
                            (ExprKind::Name(n), Some(var)) if n == "ENV" => {
                                self.f.facts.env_reads.push(var.to_string());
                                ExprKind::Env(var.to_string())
                            }
                            _ => ExprKind::Index(Box::new(o), Box::new(k)),
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "call" => return self.call(node, scope, receiver),
            "lambda" | "block" | "do_block" => {
                let fscope = self.block_fn(node, scope);
                ExprKind::Func(fscope)
            }
            "if" | "unless" | "case" | "begin" => {
                // An `if` used as a value: its branches' values are alternatives.
                let start = self.f.facts.returns.len();
                self.statement(node, scope, None, true);
                let (mine, nested): (Vec<Return>, Vec<Return>) =
                    self.f.facts.returns.drain(start..).partition(|r| r.scope == scope);
                self.f.facts.returns.extend(nested);
                // The branches' condition selects among their values.
                let cond = mine.iter().find_map(|r| r.guard.clone()).map(Box::new);
                let alts: Vec<Expr> = mine.into_iter().map(|r| r.value).collect();
                ExprKind::Alt { cond, alts }
            }
            k if is_control(k) => {
                self.statement(node, scope, None, false);
                ExprKind::Unknown
            }
            _ => return self.other(node, scope),
        };
        Expr::new(kind, sp)
    }
}

#[cfg(test)]
mod tests;
