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

use crate::source::Field;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::two_fields;

pub fn lower(text: &str) -> FileFacts {
    frame::lower(tree_sitter_ruby::LANGUAGE.into(), text, |f| Lowerer {
        f,
        lexical: Vec::new(),
        locals: HashMap::new(),
        http_defaults: HashMap::new(),
        lowered: HashSet::new(),
        attrs: HashMap::new(),
        statement_call: false,
    })
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
    /// The call being lowered is a statement whose value nothing uses:
    /// `client.leads` there calls the method (it is no attribute read).
    statement_call: bool,
}

/// Named children without comments.
use crate::source::named_children_no_comments as named_children;

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
        let Some((left, right)) = two_fields(node, "left", "right") else {
            return Expr::unknown(sp);
        };
        self.declare(left, scope);
        let value = match right.kind() {
            "assignment" | "operator_assignment" => self.assignment(right, scope, guard),
            _ => self.expr_top(right, scope, false),
        };
        let value = self.compound_value(node, left, scope, value, "operator_assignment");
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
            return Expr::new(
                ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), name.into()),
                sp,
            );
        }
        let callee = if in_class {
            Expr::new(
                ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), name.into()),
                sp,
            )
        } else {
            Expr::new(ExprKind::Name(name.into()), sp)
        };
        value_receiver(frame::call(callee, Vec::new(), false, sp), receiver)
    }

    fn method(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let scope = self.declare_function(node, parent);
        // `obj.base_url` calls a method without parameters.
        let no_params = node.field("parameters").is_none_or(|p| named_children(p).is_empty());
        self.f.facts.scopes[scope].getter = no_params;
        if let Some(body) = node.field("body") {
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
            .field("name")
            .map(|n| last_segment(self.text(n)).to_string())
            .unwrap_or_default();
        let bases = node
            .field("superclass")
            .and_then(|sup| {
                named_children(sup)
                    .first()
                    .map(|b| last_segment(self.text(*b)).to_string())
            })
            .into_iter()
            .collect();
        let scope = self.declare_class(node, name.clone(), parent, bases);
        if let Some(body) = node.field("body") {
            let mut consts = HashSet::new();
            for s in named_children(body) {
                if s.kind() == "assignment" {
                    if let Some(l) = s.field("left").filter(|l| l.kind() == "constant") {
                        consts.insert(self.text(l).to_string());
                    }
                }
            }
            let mut attrs = HashSet::new();
            for s in named_children(body) {
                // `include Mod`: the module's methods are the class's, as a
                // base class's are.
                let is_mixin = s.kind() == "call"
                    && s.field("receiver").is_none()
                    && s.field("method")
                        .is_some_and(|m| matches!(self.text(m), "include" | "extend" | "prepend"));
                if let Some(args) = s.field("arguments").filter(|_| is_mixin) {
                    for a in named_children(args) {
                        if matches!(a.kind(), "constant" | "scope_resolution") {
                            let base = last_segment(self.text(a)).to_string();
                            self.f.facts.scopes[scope].bases.push(base);
                        }
                    }
                }
                let is_attr = s.kind() == "call"
                    && s.field("receiver").is_none()
                    && s.field("method")
                        .is_some_and(|m| matches!(self.text(m), "attr_reader" | "attr_accessor"));
                if let Some(args) = s.field("arguments").filter(|_| is_attr) {
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
                && n.field("receiver").is_none()
                && n.field("method").is_some_and(|m| l.text(m) == name)
                && n.field("arguments").is_some()
        };
        let kids = named_children(body);
        let includes = kids.iter().any(|&k| {
            dsl(self, k, "include")
                && k.field("arguments")
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
                return ExprKind::Name(n.into());
            }
            let owner = if i == innermost {
                Expr::new(ExprKind::This, sp)
            } else {
                Expr::new(ExprKind::Name(name.clone().into()), sp)
            };
            return ExprKind::Member(Box::new(owner), n.into());
        }
        ExprKind::Name(n.into())
    }

    /// A block or lambda: a function scope whose last expression is returned.
    fn block_fn(&mut self, node: Node, scope: ScopeId) -> ScopeId {
        let sp = self.span(node);
        let fscope = self.f.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
        if let Some(p) = node.field("parameters") {
            self.params(p, fscope);
        }
        if let Some(b) = node.field("body") {
            self.body(b, fscope, None, true);
        }
        fscope
    }

    fn pairs(&mut self, items: Vec<Node>, scope: ScopeId) -> Vec<(Expr, Expr)> {
        let mut out = Vec::new();
        for p in items {
            match p.kind() {
                "pair" => {
                    if let Some((k, v)) = two_fields(p, "key", "value") {
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
}

mod calls;
mod lowering;
use calls::{last_segment, value_receiver};

#[cfg(test)]
mod tests;
