//! JavaScript / TypeScript front-end: tree-sitter-javascript and
//! tree-sitter-typescript (TS and TSX dialects) → facts.
//!
//! Lowers module/class/function scopes (declarations, function and arrow
//! expressions, methods, class fields), declarations with destructuring,
//! assignments, returns, `if`/`switch` guards, ES imports, `require`, exports,
//! calls and `new`, template literals, `||`/`??` defaults, ternaries and
//! `process.env` / `import.meta.env` / `Deno.env.get` reads. TypeScript type
//! syntax is skipped; JSX is only walked for the calls inside it.

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::unescape;

pub fn lower(lang: Lang, path: &str, text: &str) -> FileFacts {
    let language = super::grammar(lang, path).unwrap_or_else(|| tree_sitter_javascript::LANGUAGE.into());
    frame::lower(language, text, |f| Lowerer { f }, |l, root| l.block(root, 0, None))
}

struct Lowerer<'a> {
    f: Frame<'a>,
}

/// Named children without comments.
fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).filter(|n| !is_comment(n.kind())).collect()
}

fn is_comment(kind: &str) -> bool {
    matches!(kind, "comment" | "html_comment")
}

/// TypeScript type syntax: never lowered.
fn is_type_node(kind: &str) -> bool {
    kind.ends_with("_type")
        || matches!(
            kind,
            "type_annotation"
                | "type_arguments"
                | "type_parameters"
                | "type_identifier"
                | "predefined_type"
                | "type_predicate_annotation"
                | "asserts_annotation"
                | "implements_clause"
                | "accessibility_modifier"
                | "override_modifier"
        )
}

/// Function-valued expressions that take the name of what they are bound to.
fn is_function_value(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function" | "function_expression" | "function" | "generator_function" | "class"
    )
}

/// Env-object paths: `process.env.X`, `import.meta.env.X`, `Bun.env.X`.
fn is_env_object(e: &Expr) -> bool {
    matches!(
        e.dotted().as_deref(),
        Some("process.env" | "globalThis.process.env" | "import.meta.env" | "Bun.env")
    )
}

impl<'a> Lowerer<'a> {
    /// `enum Host { Prod = "https://…", Sandbox = "https://…" }` → a dict
    /// assigned to `Host`, so `Host.Sandbox` resolves like an object member.
    fn enum_decl(&mut self, node: Node, scope: ScopeId) {
        let (Some(name), Some(body)) = (node.child_by_field_name("name"), node.child_by_field_name("body")) else {
            return;
        };
        let mut pairs = Vec::new();
        for m in named_children(body) {
            if m.kind() != "enum_assignment" {
                continue;
            }
            let (Some(k), Some(v)) = (m.child_by_field_name("name"), m.child_by_field_name("value")) else {
                continue;
            };
            let key = match self.key_name(k) {
                Some(key) => Expr::new(ExprKind::Str(key), self.span(k)),
                None => continue,
            };
            let value = self.expr(v, scope, false);
            pairs.push((key, value));
        }
        let sp = self.span(node);
        let target = Expr::new(ExprKind::Name(self.text(name).to_string()), self.span(name));
        self.push_assign(scope, target, Expr::new(ExprKind::Dict(pairs), sp), None, sp);
    }

    /// throw, ERROR nodes, odd positions: lower children so their calls are seen.
    fn other_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if !node.is_named() {
            return;
        }
        for child in named_children(node) {
            let k = child.kind();
            if k.ends_with("statement") || k.ends_with("declaration") || k == "statement_block" {
                self.stmt(child, scope, guard);
            } else {
                self.expr_top(child, scope, false);
            }
        }
    }

    fn return_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let value = match named_children(node).first() {
            Some(v) => self.expr_top(*v, scope, false),
            None => Expr::new(ExprKind::Null, self.span(node)),
        };
        self.push_return(scope, value, guard);
    }

    fn if_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let cond = node
            .child_by_field_name("condition")
            .map(|c| self.expr_top(c, scope, false));
        let g = cond.as_ref().or(guard);
        if let Some(b) = node.child_by_field_name("consequence") {
            self.stmt(b, scope, g);
        }
        if let Some(alt) = node.child_by_field_name("alternative") {
            // `else if` is an if_statement inside the else_clause: it
            // computes its own guard.
            self.block(alt, scope, g);
        }
    }

    fn for_in_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) {
            let iter = self.expr_top(right, scope, false);
            let sp = self.span(node);
            let of = node
                .child_by_field_name("operator")
                .is_some_and(|o| self.text(o) == "of");
            let value = if of {
                Expr::new(
                    ExprKind::Index(Box::new(iter), Box::new(Expr::unknown(sp))),
                    self.span(right),
                )
            } else {
                // `for (k in obj)`: k is a key, not a value.
                Expr::unknown(self.span(right))
            };
            self.bind_target(left, value, scope, guard, sp);
        }
        if let Some(b) = node.child_by_field_name("body") {
            self.stmt(b, scope, guard);
        }
    }

    fn for_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if let Some(init) = node.child_by_field_name("initializer") {
            match init.kind() {
                "lexical_declaration" | "variable_declaration" | "empty_statement" => self.stmt(init, scope, guard),
                _ => self.expr_statement(init, scope, guard),
            }
        }
        for f in ["condition", "increment"] {
            if let Some(c) = node.child_by_field_name(f) {
                if c.kind() == "expression_statement" {
                    self.stmt(c, scope, guard);
                } else if c.is_named() && c.kind() != "empty_statement" {
                    self.expr_statement(c, scope, guard);
                }
            }
        }
        if let Some(b) = node.child_by_field_name("body") {
            self.stmt(b, scope, guard);
        }
    }

    fn switch_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let value = node
            .child_by_field_name("value")
            .map(|v| self.expr_top(v, scope, false));
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        for case in named_children(body) {
            // `case V:` selects its body when `value === V`.
            let g = match case.child_by_field_name("value") {
                Some(v) => {
                    let ve = self.expr_top(v, scope, false);
                    let sp = self.span(case);
                    let mut operands = Vec::new();
                    if let Some(sv) = &value {
                        operands.push(sv.clone());
                    }
                    operands.push(ve);
                    Some(Expr::new(ExprKind::Test(operands), sp))
                }
                None => None,
            };
            let g = g.as_ref().or(guard);
            let mut c = case.walk();
            let stmts: Vec<Node> = case.children_by_field_name("body", &mut c).collect();
            for s in stmts {
                self.stmt(s, scope, g);
            }
        }
    }

    /// The expression of an expression statement (or a `for` header part).
    fn expr_statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                self.assignment(node, scope, guard);
            }
            "sequence_expression" => {
                for c in named_children(node) {
                    self.expr_statement(c, scope, guard);
                }
            }
            _ => {
                self.expr_top(node, scope, true);
            }
        }
    }

    /// `const name = value`, destructuring and `require`.
    fn declarator(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let Some(value) = node.child_by_field_name("value") else {
            return;
        };
        let sp = self.span(node);
        if let Some((module, member)) = self.require_source(value) {
            self.bind_import(name, module, member, scope, sp);
            return;
        }
        let hint = if name.kind() == "identifier" {
            self.text(name)
        } else {
            ""
        };
        let v = self.value(value, scope, hint);
        self.bind_target(name, v, scope, guard, sp);
    }

    /// `require('m')`, `require('m').X`, `await import('m')` → (module, member).
    fn require_source(&self, node: Node) -> Option<(String, Option<String>)> {
        let mut n = node;
        let mut member = None;
        loop {
            match n.kind() {
                "await_expression"
                | "parenthesized_expression"
                | "non_null_expression"
                | "as_expression"
                | "satisfies_expression" => {
                    n = *named_children(n).first()?;
                }
                "member_expression" if member.is_none() => {
                    let prop = n.child_by_field_name("property")?;
                    member = Some(self.text(prop).to_string());
                    n = n.child_by_field_name("object")?;
                }
                "call_expression" => break,
                _ => return None,
            }
        }
        let func = n.child_by_field_name("function")?;
        let is_require = (func.kind() == "identifier" && self.text(func) == "require") || func.kind() == "import";
        if !is_require {
            return None;
        }
        let args = n.child_by_field_name("arguments")?;
        let first = *named_children(args).first()?;
        if first.kind() != "string" {
            return None;
        }
        Some((self.string_value(first), member))
    }

    /// Binds the names of a `require` / dynamic-import declaration.
    fn bind_import(&mut self, target: Node, module: String, member: Option<String>, scope: ScopeId, span: Span) {
        match target.kind() {
            "identifier" => {
                let local = self.text(target).to_string();
                self.f.facts.imports.push(Import {
                    scope,
                    local,
                    module,
                    name: member,
                    span,
                });
            }
            "object_pattern" if member.is_none() => {
                for p in named_children(target) {
                    let (name, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let t = self.text(p).to_string();
                            (t.clone(), t)
                        }
                        "object_assignment_pattern" => match p.child_by_field_name("left") {
                            Some(l) if l.kind() == "shorthand_property_identifier_pattern" => {
                                let t = self.text(l).to_string();
                                (t.clone(), t)
                            }
                            _ => continue,
                        },
                        "pair_pattern" => {
                            let key = p.child_by_field_name("key").and_then(|k| self.key_name(k));
                            let val = p.child_by_field_name("value").and_then(|v| match v.kind() {
                                "identifier" => Some(v),
                                "assignment_pattern" => {
                                    v.child_by_field_name("left").filter(|l| l.kind() == "identifier")
                                }
                                _ => None,
                            });
                            match (key, val) {
                                (Some(k), Some(v)) => (k, self.text(v).to_string()),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    self.f.facts.imports.push(Import {
                        scope,
                        local,
                        module: module.clone(),
                        name: Some(name),
                        span,
                    });
                }
            }
            _ => {}
        }
    }

    /// A static property key: `a`, `'a'`, `1`, `#a`.
    fn key_name(&self, key: Node) -> Option<String> {
        match key.kind() {
            "property_identifier"
            | "private_property_identifier"
            | "identifier"
            | "number"
            | "shorthand_property_identifier_pattern"
            | "shorthand_property_identifier" => Some(self.text(key).to_string()),
            "string" => Some(self.string_value(key)),
            _ => None,
        }
    }

    /// Lowers `left = right` / `left += right`; returns the assigned value.
    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        if self.f.too_deep() {
            return Expr::unknown(self.span(node));
        }
        self.f.depth += 1;
        let e = self.assignment_inner(node, scope, guard);
        self.f.depth -= 1;
        e
    }

    fn assignment_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        if right.kind() == "assignment_expression" {
            // a = b = value
            let v = self.assignment(right, scope, guard);
            if let Some(inner) = right.child_by_field_name("left") {
                let iv = self.expr(inner, scope, false);
                self.bind_target(left, iv, scope, guard, sp);
            }
            return v;
        }
        let hint = match left.kind() {
            "identifier" => self.text(left),
            "member_expression" => left.child_by_field_name("property").map(|p| self.text(p)).unwrap_or(""),
            _ => "",
        };
        let mut value = self.value(right, scope, hint);
        if node.kind() == "augmented_assignment_expression" {
            let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
            let vs = value.span;
            value = match op {
                "+=" => {
                    let current = self.expr(left, scope, false);
                    Expr::new(ExprKind::Concat(vec![current, value]), vs)
                }
                "||=" | "??=" => {
                    let current = self.expr(left, scope, false);
                    Expr::new(
                        ExprKind::Alt {
                            cond: None,
                            alts: vec![current, value],
                        },
                        vs,
                    )
                }
                _ => Expr::unknown(vs),
            };
        }
        self.bind_target(left, value.clone(), scope, guard, sp);
        value
    }

    /// Binds a target or destructuring pattern to `value`.
    fn bind_target(&mut self, target: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        if self.f.too_deep() {
            return;
        }
        self.f.depth += 1;
        self.bind_target_inner(target, value, scope, guard, span);
        self.f.depth -= 1;
    }

    fn bind_target_inner(&mut self, target: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        match target.kind() {
            "object_pattern" => {
                for p in named_children(target) {
                    match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text(p).to_string();
                            let v = self.member(value.clone(), name, value.span);
                            self.bind_target(p, v, scope, guard, span);
                        }
                        "object_assignment_pattern" => {
                            // { a = default }
                            let Some(left) = p.child_by_field_name("left") else {
                                continue;
                            };
                            let v = match left.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    let name = self.text(left).to_string();
                                    self.member(value.clone(), name, value.span)
                                }
                                _ => Expr::unknown(value.span),
                            };
                            let v = self.with_default(v, p.child_by_field_name("right"), scope);
                            self.bind_target(left, v, scope, guard, span);
                        }
                        "pair_pattern" => {
                            let (Some(key), Some(val)) = (p.child_by_field_name("key"), p.child_by_field_name("value"))
                            else {
                                continue;
                            };
                            let v = match self.key_name(key) {
                                Some(k) => self.member(value.clone(), k, value.span),
                                None => {
                                    // { [expr]: x }
                                    let ke = match named_children(key).first() {
                                        Some(k) => self.expr(*k, scope, false),
                                        None => Expr::unknown(self.span(key)),
                                    };
                                    Expr::new(ExprKind::Index(Box::new(value.clone()), Box::new(ke)), value.span)
                                }
                            };
                            self.bind_target(val, v, scope, guard, span);
                        }
                        "rest_pattern" => {
                            // { ...rest }: the rest of the object; its members are the object's.
                            if let Some(inner) = named_children(p).first() {
                                self.bind_target(*inner, value.clone(), scope, guard, span);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let items = match &value.kind {
                    ExprKind::List(items) => Some(items.clone()),
                    _ => None,
                };
                // Holes are bare commas: count them to keep positions.
                let mut i = 0;
                let mut c = target.walk();
                let kids: Vec<Node> = target.children(&mut c).collect();
                for k in kids {
                    if k.kind() == "," {
                        i += 1;
                        continue;
                    }
                    if !k.is_named() || is_comment(k.kind()) {
                        continue;
                    }
                    let v = match (&items, k.kind()) {
                        (Some(items), "rest_pattern") if i <= items.len() => {
                            Expr::new(ExprKind::List(items[i..].to_vec()), value.span)
                        }
                        (Some(items), _) => items.get(i).cloned().unwrap_or_else(|| Expr::unknown(value.span)),
                        (None, "rest_pattern") => Expr::unknown(value.span),
                        (None, _) => Expr::new(ExprKind::Elem(Box::new(value.clone()), i), value.span),
                    };
                    self.bind_target(k, v, scope, guard, span);
                }
            }
            "assignment_pattern" => {
                // x = default (nested in a pattern)
                let Some(left) = target.child_by_field_name("left") else {
                    return;
                };
                let v = self.with_default(value, target.child_by_field_name("right"), scope);
                self.bind_target(left, v, scope, guard, span);
            }
            "rest_pattern" => {
                if let Some(inner) = named_children(target).first() {
                    self.bind_target(*inner, value, scope, guard, span);
                }
            }
            "shorthand_property_identifier_pattern" => {
                let t = Expr::new(ExprKind::Name(self.text(target).to_string()), self.span(target));
                self.push_assign(scope, t, value, guard, span);
            }
            _ => {
                let t = self.expr(target, scope, false);
                self.push_assign(scope, t, value, guard, span);
            }
        }
    }

    /// `value` or, when a default is given, `value ?? default`.
    fn with_default(&mut self, value: Expr, default: Option<Node>, scope: ScopeId) -> Expr {
        match default {
            Some(d) => {
                let de = self.expr(d, scope, false);
                let sp = value.span;
                Expr::new(
                    ExprKind::Alt {
                        cond: None,
                        alts: vec![value, de],
                    },
                    sp,
                )
            }
            None => value,
        }
    }

    /// `obj.name`, as an env read when `obj` is an env object.
    fn member(&mut self, obj: Expr, name: String, span: Span) -> Expr {
        if is_env_object(&obj) {
            self.f.facts.env_reads.push(name.clone());
            return Expr::new(ExprKind::Env(name), span);
        }
        Expr::new(ExprKind::Member(Box::new(obj), name), span)
    }

    /// A value bound to a name: function and class expressions take `name`
    /// as their scope name when they have none of their own.
    fn value(&mut self, node: Node, scope: ScopeId, name: &str) -> Expr {
        if !is_function_value(node.kind()) {
            return self.expr_top(node, scope, false);
        }
        if self.f.too_deep() {
            return Expr::unknown(self.span(node));
        }
        self.f.depth += 1;
        let sp = self.span(node);
        let s = if node.kind() == "class" {
            self.class(node, scope, name, false)
        } else {
            self.function(node, scope, name, false)
        };
        self.f.depth -= 1;
        Expr::new(ExprKind::Func(s), sp)
    }

    /// Functions, arrows and methods. `declare` adds `name = Func` in the parent.
    fn function(&mut self, node: Node, parent: ScopeId, fallback_name: &str, declare: bool) -> ScopeId {
        let own = node
            .child_by_field_name("name")
            .map(|n| self.name_text(n))
            .unwrap_or_default();
        let name = if own.is_empty() { fallback_name.to_string() } else { own };
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        if let Some(params) = node.child_by_field_name("parameters") {
            self.params(params, scope);
        } else if let Some(p) = node.child_by_field_name("parameter") {
            // x => …
            self.f.facts.scopes[scope].params = vec![self.text(p).to_string()];
        }
        if declare && !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        if let Some(body) = node.child_by_field_name("body") {
            if body.kind() == "statement_block" {
                self.block(body, scope, None);
            } else {
                // Arrow function with an expression body.
                let value = self.expr_top(body, scope, false);
                self.push_return(scope, value, None);
            }
        }
        scope
    }

    /// A declaration or method name: identifiers as written, string keys unquoted.
    fn name_text(&self, node: Node) -> String {
        match node.kind() {
            "string" => self.string_value(node),
            _ => self.text(node).to_string(),
        }
    }

    /// Classes. `declare` adds `name = Func(class)` in the parent.
    fn class(&mut self, node: Node, parent: ScopeId, fallback_name: &str, declare: bool) -> ScopeId {
        let own = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let name = if own.is_empty() { fallback_name.to_string() } else { own };
        let sp = self.span(node);
        // `extends mixin(Base)`: calls in the heritage belong to the parent scope.
        let mut bases = Vec::new();
        for c in named_children(node) {
            if c.kind() == "class_heritage" {
                for h in named_children(c) {
                    let v = if h.kind() == "extends_clause" {
                        h.child_by_field_name("value")
                    } else {
                        Some(h)
                    };
                    if let Some(v) = v.filter(|v| !is_type_node(v.kind())) {
                        let base = self.expr_top(v, parent, false);
                        if let Some(last) = base.last_name() {
                            bases.push(last.to_string());
                        }
                    }
                }
            }
        }
        let scope = self.f.facts.add_scope(ScopeKind::Class, name.clone(), parent, sp);
        self.f.facts.scopes[scope].bases = bases;
        if declare && !name.is_empty() {
            self.push_assign(
                parent,
                Expr::new(ExprKind::Name(name), sp),
                Expr::new(ExprKind::Func(scope), sp),
                None,
                sp,
            );
        }
        let Some(body) = node.child_by_field_name("body") else {
            return scope;
        };
        for m in named_children(body) {
            match m.kind() {
                "method_definition" => {
                    self.function(m, scope, "", true);
                }
                "field_definition" | "public_field_definition" => {
                    let key = m
                        .child_by_field_name("property")
                        .or_else(|| m.child_by_field_name("name"));
                    let (Some(key), Some(v)) = (key, m.child_by_field_name("value")) else {
                        continue;
                    };
                    let ms = self.span(m);
                    let target = match self.key_name(key) {
                        Some(k) => {
                            let ks = self.span(key);
                            Expr::new(ExprKind::Member(Box::new(Expr::new(ExprKind::This, ks)), k), ks)
                        }
                        None => Expr::unknown(self.span(key)),
                    };
                    let hint = target.last_name().unwrap_or("").to_string();
                    let value = self.value(v, scope, &hint);
                    self.push_assign(scope, target, value, None, ms);
                }
                "class_static_block" => self.stmt(m, scope, None),
                "decorator" => {
                    for d in named_children(m) {
                        self.expr_top(d, parent, false);
                    }
                }
                _ => {}
            }
        }
        scope
    }

    /// The unescaped content of a string literal node.
    fn string_value(&self, node: Node) -> String {
        let mut out = String::new();
        for c in named_children(node) {
            match c.kind() {
                "string_fragment" | "escape_sequence" | "html_character_reference" => {
                    out.push_str(&unescape(self.text(c)))
                }
                _ => {}
            }
        }
        out
    }

    fn import(&mut self, node: Node, scope: ScopeId) {
        let sp = self.span(node);
        let Some(source) = node.child_by_field_name("source") else {
            // TS `import x = require('m')`.
            for c in named_children(node) {
                if c.kind() == "import_require_clause" {
                    let src = c.child_by_field_name("source").map(|s| self.string_value(s));
                    let id = named_children(c).into_iter().find(|n| n.kind() == "identifier");
                    if let (Some(module), Some(id)) = (src, id) {
                        self.f.facts.imports.push(Import {
                            scope,
                            local: self.text(id).to_string(),
                            module,
                            name: None,
                            span: sp,
                        });
                    }
                }
            }
            return;
        };
        let module = self.string_value(source);
        for clause in named_children(node) {
            match clause.kind() {
                "import_clause" => {
                    for part in named_children(clause) {
                        match part.kind() {
                            "identifier" => self.push_import(scope, self.text(part), &module, Some("default"), sp),
                            "namespace_import" => {
                                if let Some(id) = named_children(part).first() {
                                    self.push_import(scope, self.text(*id), &module, None, sp);
                                }
                            }
                            "named_imports" => {
                                for spec in named_children(part) {
                                    if spec.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(n) = spec.child_by_field_name("name") else {
                                        continue;
                                    };
                                    let name = self.name_text(n);
                                    let local = match spec.child_by_field_name("alias") {
                                        Some(a) => self.text(a).to_string(),
                                        None => name.clone(),
                                    };
                                    self.push_import(scope, &local, &module, Some(&name), sp);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_require_clause" => {
                    if let Some(id) = named_children(clause).into_iter().find(|n| n.kind() == "identifier") {
                        self.push_import(scope, self.text(id), &module, None, sp);
                    }
                }
                _ => {}
            }
        }
    }

    fn push_import(&mut self, scope: ScopeId, local: &str, module: &str, name: Option<&str>, span: Span) {
        self.f.facts.imports.push(Import {
            scope,
            local: local.to_string(),
            module: module.to_string(),
            name: name.map(str::to_string),
            span,
        });
    }

    fn export(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let sp = self.span(node);
        let mut c = node.walk();
        let is_default = node.children(&mut c).any(|k| k.kind() == "default");
        if let Some(decl) = node.child_by_field_name("declaration") {
            self.stmt(decl, scope, guard);
            if is_default {
                // export default function foo() {} → default = foo
                if let Some(n) = decl.child_by_field_name("name") {
                    let target = Expr::new(ExprKind::Name("default".into()), sp);
                    let value = Expr::new(ExprKind::Name(self.text(n).to_string()), self.span(n));
                    self.push_assign(scope, target, value, guard, sp);
                }
            }
            return;
        }
        if let Some(v) = node.child_by_field_name("value") {
            let value = self.value(v, scope, "default");
            let target = Expr::new(ExprKind::Name("default".into()), sp);
            self.push_assign(scope, target, value, guard, sp);
            return;
        }
        let source = node.child_by_field_name("source").map(|s| self.string_value(s));
        for child in named_children(node) {
            match child.kind() {
                "export_clause" => {
                    for spec in named_children(child) {
                        let Some(n) = spec.child_by_field_name("name") else {
                            continue;
                        };
                        let name = self.name_text(n);
                        let alias = spec.child_by_field_name("alias").map(|a| self.name_text(a));
                        match &source {
                            // export { A as B } from 'm': a re-export is an import.
                            Some(m) => {
                                let local = alias.unwrap_or_else(|| name.clone());
                                self.push_import(scope, &local, m, Some(&name), sp);
                            }
                            None => {
                                if let Some(a) = alias.filter(|a| *a != name) {
                                    let target = Expr::new(ExprKind::Name(a), self.span(spec));
                                    let value = Expr::new(ExprKind::Name(name), self.span(n));
                                    self.push_assign(scope, target, value, guard, sp);
                                }
                            }
                        }
                    }
                }
                "namespace_export" => {
                    // export * as ns from 'm'
                    if let (Some(m), Some(id)) = (&source, named_children(child).first()) {
                        let local = self.name_text(*id);
                        self.push_import(scope, &local, m, None, sp);
                    }
                }
                k if k == "string" || is_type_node(k) => {}
                _ => {
                    // TS `export = value`.
                    let value = self.expr_top(child, scope, false);
                    let module = Expr::new(ExprKind::Name("module".into()), sp);
                    let target = Expr::new(ExprKind::Member(Box::new(module), "exports".into()), sp);
                    self.push_assign(scope, target, value, guard, sp);
                }
            }
        }
    }

    /// Names, literals and keywords.
    fn leaf(&self, node: Node) -> Option<Expr> {
        let kind = match node.kind() {
            "identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern" => {
                match self.text(node) {
                    "undefined" => ExprKind::Null,
                    t => ExprKind::Name(t.to_string()),
                }
            }
            "this" => ExprKind::This,
            "string" => ExprKind::Str(self.string_value(node)),
            "meta_property" => match self.text(node) {
                "import.meta" => ExprKind::Member(
                    Box::new(Expr::new(ExprKind::Name("import".into()), self.span(node))),
                    "meta".into(),
                ),
                _ => ExprKind::Unknown,
            },
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "null" | "undefined" => ExprKind::Null,
            "number" => ExprKind::Number,
            _ => return None,
        };
        Some(Expr::new(kind, self.span(node)))
    }

    /// JSX, spread, yield, update expressions, ERROR nodes…: still lower
    /// children so calls inside them are recorded.
    fn other_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in named_children(node) {
            if c.kind() == "statement_block" {
                self.stmt(c, scope, None);
            } else {
                self.expr(c, scope, false);
            }
        }
        Expr::unknown(self.span(node))
    }

    fn member_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let obj = node.child_by_field_name("object");
        let prop = node.child_by_field_name("property").map(|a| self.text(a).to_string());
        let (Some(o), Some(p)) = (obj, prop) else {
            return Expr::unknown(sp);
        };
        let o = if o.kind() == "import" {
            Expr::new(ExprKind::Name("import".into()), self.span(o))
        } else {
            self.expr(o, scope, receiver)
        };
        self.member(o, p, sp)
    }

    fn subscript_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let (Some(o), Some(i)) = (node.child_by_field_name("object"), node.child_by_field_name("index")) else {
            return Expr::unknown(sp);
        };
        let o = self.expr(o, scope, receiver);
        let i = self.expr(i, scope, false);
        let kind = match i.as_str() {
            Some(name) if is_env_object(&o) => {
                let name = name.to_string();
                self.f.facts.env_reads.push(name.clone());
                ExprKind::Env(name)
            }
            _ => ExprKind::Index(Box::new(o), Box::new(i)),
        };
        Expr::new(kind, sp)
    }

    fn binary_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
        let le = self.expr(l, scope, false);
        let re = self.expr(r, scope, false);
        let kind = match op {
            "+" => ExprKind::Concat(vec![le, re]),
            "||" | "??" => ExprKind::Alt {
                cond: None,
                alts: vec![le, re],
            },
            "&&" | "==" | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=" | "instanceof" | "in" => {
                ExprKind::Test(vec![le, re])
            }
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    fn unary_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
        let Some(a) = node.child_by_field_name("argument") else {
            return Expr::unknown(sp);
        };
        let ae = self.expr(a, scope, false);
        if op == "!" {
            Expr::new(ExprKind::Test(vec![ae]), sp)
        } else {
            Expr::unknown(sp)
        }
    }

    fn ternary_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let c = node.child_by_field_name("condition");
        let a = node.child_by_field_name("consequence");
        let b = node.child_by_field_name("alternative");
        let (Some(c), Some(a), Some(b)) = (c, a, b) else {
            return Expr::unknown(sp);
        };
        let c = self.expr(c, scope, false);
        let a = self.expr(a, scope, false);
        let b = self.expr(b, scope, false);
        Expr::new(
            ExprKind::Alt {
                cond: Some(Box::new(c)),
                alts: vec![a, b],
            },
            sp,
        )
    }

    /// `await x`, `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x`: the value is `x`.
    fn wrapped_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        match named_children(node).into_iter().find(|c| !is_type_node(c.kind())) {
            Some(inner) => self.expr(inner, scope, receiver),
            None => Expr::unknown(self.span(node)),
        }
    }

    /// (a, b): every part is evaluated, the last is the value.
    fn sequence_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let mut last = None;
        for c in named_children(node) {
            last = Some(self.expr(c, scope, false));
        }
        last.unwrap_or_else(|| Expr::unknown(self.span(node)))
    }

    fn array_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut items = Vec::new();
        for c in named_children(node) {
            items.push(self.expr(c, scope, false));
        }
        Expr::new(ExprKind::List(items), sp)
    }

    fn object(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut pairs = Vec::new();
        for p in named_children(node) {
            if let Some(pair) = self.object_entry(p, scope) {
                pairs.push(pair);
            }
        }
        Expr::new(ExprKind::Dict(pairs), sp)
    }

    /// One entry of an object literal: (key, value).
    fn object_entry(&mut self, p: Node, scope: ScopeId) -> Option<(Expr, Expr)> {
        let ps = self.span(p);
        match p.kind() {
            "pair" => {
                let k = p.child_by_field_name("key")?;
                let v = p.child_by_field_name("value")?;
                let (ke, hint) = match self.key_name(k) {
                    Some(name) => (Expr::new(ExprKind::Str(name.clone()), self.span(k)), name),
                    // [computed]: value
                    None => (self.computed_key(k, scope), String::new()),
                };
                let ve = self.value(v, scope, &hint);
                Some((ke, ve))
            }
            "shorthand_property_identifier" => {
                let name = self.text(p).to_string();
                Some((
                    Expr::new(ExprKind::Str(name.clone()), ps),
                    Expr::new(ExprKind::Name(name), ps),
                ))
            }
            "spread_element" => {
                let inner = *named_children(p).first()?;
                let v = self.expr(inner, scope, false);
                Some((Expr::unknown(ps), v))
            }
            "method_definition" => {
                let name = p.child_by_field_name("name");
                let key = match name.and_then(|n| self.key_name(n)) {
                    Some(k) => Expr::new(ExprKind::Str(k), name.map(|n| self.span(n)).unwrap_or(ps)),
                    None => Expr::unknown(ps),
                };
                let s = self.function(p, scope, "", false);
                Some((key, Expr::new(ExprKind::Func(s), ps)))
            }
            _ => {
                self.expr(p, scope, false);
                None
            }
        }
    }

    /// The expression of a `[computed]` key.
    fn computed_key(&mut self, k: Node, scope: ScopeId) -> Expr {
        match named_children(k).first() {
            Some(inner) => self.expr(*inner, scope, false),
            None => Expr::unknown(self.span(k)),
        }
    }

    /// Template literal: parts and substitutions → Concat (Str when static).
    fn template(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut parts: Vec<Expr> = Vec::new();
        let mut has_subst = false;
        for c in named_children(node) {
            match c.kind() {
                "string_fragment" | "escape_sequence" => {
                    let s = unescape(self.text(c));
                    parts.push(Expr::new(ExprKind::Str(s), self.span(c)));
                }
                "template_substitution" => {
                    has_subst = true;
                    match named_children(c).first() {
                        Some(e) => {
                            let e = self.expr(*e, scope, false);
                            parts.push(e);
                        }
                        None => parts.push(Expr::unknown(self.span(c))),
                    }
                }
                _ => {}
            }
        }
        if !has_subst {
            let s: String = parts.iter().filter_map(|p| p.as_str()).collect();
            return Expr::new(ExprKind::Str(s), sp);
        }
        Expr::new(ExprKind::Concat(parts), sp)
    }

    fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let Some(arglist) = node.child_by_field_name("arguments") else {
            return args;
        };
        if arglist.kind() == "template_string" {
            // tag`…`
            let value = self.template(arglist, scope);
            args.push(Arg { name: None, value });
            return args;
        }
        for a in named_children(arglist) {
            let value = match a.kind() {
                "spread_element" => match named_children(a).first() {
                    Some(inner) => self.expr(*inner, scope, false),
                    None => continue,
                },
                _ => self.expr(a, scope, false),
            };
            args.push(Arg { name: None, value });
        }
        args
    }

    fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let is_new = node.kind() == "new_expression";
        let field = if is_new { "constructor" } else { "function" };
        let Some(func) = node.child_by_field_name(field) else {
            return Expr::unknown(sp);
        };
        // The callee's receiver chain is part of this call's chain.
        let callee = match func.kind() {
            "import" | "super" => Expr::new(ExprKind::Name(self.text(func).to_string()), self.span(func)),
            _ => self.expr(func, scope, true),
        };
        let args = self.call_args(node, scope);
        // Deno.env.get("X")
        if !is_new && callee.dotted().as_deref() == Some("Deno.env.get") {
            if let Some(name) = args.first().and_then(|a| a.value.as_str()) {
                let name = name.to_string();
                self.f.facts.env_reads.push(name.clone());
                return Expr::new(ExprKind::Env(name), sp);
            }
        }
        // Node's util.format("https://%s.zohoapis.com", env): string building.
        let formats = matches!(callee.dotted().as_deref(), Some("util.format" | "format"));
        if !is_new && formats && args.first().is_some_and(|a| a.value.as_str().is_some()) {
            return Expr::new(super::printf(&args[0].value, &args[1..]), sp);
        }
        let e = Expr::new(ExprKind::Call(std::sync::Arc::new(Call { callee, args, is_new })), sp);
        if !receiver {
            self.f.facts.calls.push(CallSite {
                scope,
                expr: e.clone(),
                statement: false,
            });
        }
        e
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
            // TS wraps each parameter: required_parameter / optional_parameter.
            let (pattern, default, ts_property) = match p.kind() {
                "required_parameter" | "optional_parameter" => {
                    let pat = p
                        .child_by_field_name("pattern")
                        .or_else(|| p.child_by_field_name("name"));
                    let prop = named_children(p)
                        .iter()
                        .any(|c| matches!(c.kind(), "accessibility_modifier" | "override_modifier"))
                        || p.children(&mut p.walk()).any(|c| c.kind() == "readonly");
                    (pat, p.child_by_field_name("value"), prop)
                }
                "assignment_pattern" => (p.child_by_field_name("left"), p.child_by_field_name("right"), false),
                _ => (Some(p), None, false),
            };
            let Some(pattern) = pattern else { continue };
            match pattern.kind() {
                "this" => continue,
                "identifier" => {
                    let name = self.text(pattern).to_string();
                    names.push(name.clone());
                    let sp = self.span(p);
                    if let Some(d) = default {
                        // Defaults are alternatives of the parameter.
                        let value = self.value(d, scope, &name);
                        let target = Expr::new(ExprKind::Name(name.clone()), self.span(pattern));
                        self.push_assign(scope, target, value, None, sp);
                    }
                    if ts_property {
                        // constructor(private token: string) → this.token = token
                        let ps = self.span(pattern);
                        let target = Expr::new(
                            ExprKind::Member(Box::new(Expr::new(ExprKind::This, ps)), name.clone()),
                            ps,
                        );
                        let value = Expr::new(ExprKind::Name(name), ps);
                        self.push_assign(scope, target, value, None, sp);
                    }
                }
                "object_pattern" | "array_pattern" => {
                    // A destructured parameter gets a synthetic name (`#arg<position>`)
                    // so positions are kept and its parts can be bound from it.
                    let name = format!("#arg{}", names.len());
                    names.push(name.clone());
                    let sp = self.span(p);
                    let mut value = Expr::new(ExprKind::Name(name.clone()), self.span(pattern));
                    if let Some(d) = default {
                        let de = self.expr_top(d, scope, false);
                        let target = Expr::new(ExprKind::Name(name), self.span(pattern));
                        self.push_assign(scope, target.clone(), de, None, sp);
                        value = target;
                    }
                    self.bind_target(pattern, value, scope, None, sp);
                }
                // `...rest` and anything else: no positional name.
                _ => {}
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    /// Statements without comments.
    fn statements<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        named_children(node)
    }

    // One small method per statement kind (see `expr_inner` on frame sizes).
    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => {
                for child in named_children(node) {
                    self.expr_statement(child, scope, guard);
                }
            }
            "lexical_declaration" | "variable_declaration" | "using_declaration" => {
                for d in named_children(node) {
                    if d.kind() == "variable_declarator" {
                        self.declarator(d, scope, guard);
                    }
                }
            }
            "function_declaration" | "generator_function_declaration" => {
                self.function(node, scope, "", true);
            }
            "class_declaration" | "abstract_class_declaration" => {
                self.class(node, scope, "", true);
            }
            "return_statement" => self.return_stmt(node, scope, guard),
            "if_statement" => self.if_stmt(node, scope, guard),
            "for_in_statement" => self.for_in_stmt(node, scope, guard),
            "for_statement" => self.for_stmt(node, scope, guard),
            "while_statement" | "do_statement" | "with_statement" => {
                for f in ["condition", "object"] {
                    if let Some(c) = node.child_by_field_name(f) {
                        self.expr_top(c, scope, false);
                    }
                }
                if let Some(b) = node.child_by_field_name("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "try_statement" => {
                for f in ["body", "handler", "finalizer"] {
                    if let Some(b) = node.child_by_field_name(f) {
                        self.stmt(b, scope, guard);
                    }
                }
            }
            // TypeScript namespaces: their members are lowered in place.
            "catch_clause" | "finally_clause" | "class_static_block" | "labeled_statement" | "internal_module"
            | "module" => {
                if let Some(b) = node.child_by_field_name("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_statement" => self.switch_stmt(node, scope, guard),
            "import_statement" => self.import(node, scope),
            "enum_declaration" => self.enum_decl(node, scope),
            "export_statement" => self.export(node, scope, guard),
            "program" | "statement_block" | "else_clause" => self.block(node, scope, guard),
            "comment"
            | "html_comment"
            | "empty_statement"
            | "break_statement"
            | "continue_statement"
            | "debugger_statement"
            | "hash_bang_line"
            | "interface_declaration"
            | "type_alias_declaration"
            | "ambient_declaration"
            | "import_alias"
            | "function_signature"
            | "abstract_method_signature"
            | "method_signature"
            | "index_signature" => {}
            _ => self.other_stmt(node, scope, guard),
        }
    }

    // Each kind of expression is lowered by its own small method: in debug
    // builds one big `match` would give every recursion level the stack frame
    // of all its arms at once.
    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        match node.kind() {
            "template_string" => self.template(node, scope),
            "member_expression" => self.member_expr(node, scope, receiver),
            "subscript_expression" => self.subscript_expr(node, scope, receiver),
            "call_expression" | "new_expression" => self.call(node, scope, receiver),
            "binary_expression" => self.binary_expr(node, scope),
            "unary_expression" => self.unary_expr(node, scope),
            "ternary_expression" => self.ternary_expr(node, scope),
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => self.wrapped_expr(node, scope, receiver),
            "sequence_expression" => self.sequence_expr(node, scope),
            "assignment_expression" | "augmented_assignment_expression" => self.assignment(node, scope, None),
            "array" => self.array_expr(node, scope),
            "object" => self.object(node, scope),
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let s = self.function(node, scope, "", false);
                Expr::new(ExprKind::Func(s), self.span(node))
            }
            "class" => {
                let s = self.class(node, scope, "", false);
                Expr::new(ExprKind::Func(s), self.span(node))
            }
            k if is_type_node(k) || is_comment(k) => Expr::unknown(self.span(node)),
            _ => match self.leaf(node) {
                Some(e) => e,
                None => self.other_expr(node, scope),
            },
        }
    }
}

#[cfg(test)]
mod tests;
