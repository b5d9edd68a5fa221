//! JavaScript / TypeScript front-end: tree-sitter-javascript and
//! tree-sitter-typescript (TS and TSX dialects) → facts.
//!
//! Lowers module/class/function scopes (declarations, function and arrow
//! expressions, methods, class fields), declarations with destructuring,
//! assignments, returns, `if`/`switch` guards, ES imports, `require`, exports,
//! calls and `new`, template literals, `||`/`??` defaults, ternaries and
//! `process.env` / `import.meta.env` / `Deno.env.get` reads. TypeScript type
//! syntax is skipped; JSX is only walked for the calls inside it.

use crate::source::Field;
use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::two_fields;

pub fn lower(lang: Lang, path: &str, text: &str) -> FileFacts {
    let language = super::grammar(lang, path).unwrap_or_else(|| tree_sitter_javascript::LANGUAGE.into());
    frame::lower(language, text, |f| Lowerer { f })
}

struct Lowerer<'a> {
    f: Frame<'a>,
}

/// Named children without comments.
fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).filter(|n| !is_comment(n.kind())).collect()
}

const COMMENTS: &[&str] = &["comment", "html_comment"];

fn is_comment(kind: &str) -> bool {
    COMMENTS.contains(&kind)
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

/// Env-object paths: `process.env`, `import.meta.env`, `Bun.env`.
fn is_env_path(e: &Expr) -> bool {
    matches!(
        e.dotted().as_deref(),
        Some("process.env" | "globalThis.process.env" | "import.meta.env" | "Bun.env")
    )
}

fn is_env_object(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::EnvObject)
}

/// Calls that validate the environment and return it, typed
/// (`z.object({…}).parse(process.env)`, envalid's `cleanEnv(process.env,
/// spec)`, `envsafe`): by the callee's last name, when the env object is
/// one of the arguments.
const ENV_VALIDATORS: &[&str] = &["parse", "parseAsync", "cleanEnv", "envsafe", "strictEnv"];

/// A parameter's type that is NestJS's `ConfigService` (`: ConfigService`,
/// `: ConfigService<Env, true>`), through which the environment is read.
fn is_config_service(annotation: &str) -> bool {
    let t = annotation.trim_start_matches(':').trim();
    let name = t.split('<').next().unwrap_or(t).trim();
    matches!(name.rsplit('.').next(), Some("ConfigService" | "TypedConfigService"))
}

/// `@t3-oss/env`'s `createEnv({server, client, runtimeEnv})`: the settings
/// are the `runtimeEnv` given (by default the process environment).
const CREATE_ENV: &str = "createEnv";
const RUNTIME_ENV_KEYS: &[&str] = &["runtimeEnv", "experimental__runtimeEnv"];

impl<'a> Lowerer<'a> {
    /// `enum Host { Prod = "https://…", Sandbox = "https://…" }` → a dict
    /// assigned to `Host`, so `Host.Sandbox` resolves like an object member.
    fn enum_decl(&mut self, node: Node, scope: ScopeId) {
        let Some((name, body)) = two_fields(node, "name", "body") else {
            return;
        };
        let mut pairs = Vec::new();
        for m in named_children(body) {
            if m.kind() != "enum_assignment" {
                continue;
            }
            let Some((k, v)) = two_fields(m, "name", "value") else {
                continue;
            };
            let key = match self.key_name(k) {
                Some(key) => Expr::new(ExprKind::Str(key.into()), self.span(k)),
                None => continue,
            };
            let value = self.expr(v, scope, false);
            pairs.push((key, value));
        }
        let sp = self.span(node);
        let target = Expr::new(ExprKind::Name(self.text(name).to_string().into()), self.span(name));
        self.push_assign(scope, target, Expr::new(ExprKind::Dict(pairs.into()), sp), None, sp);
    }

    /// throw, ERROR nodes, odd positions: lower children so their calls are seen.
    fn other_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if !node.is_named() {
            return;
        }
        self.mixed_children(node, scope, guard, |k| {
            k.ends_with("statement") || k.ends_with("declaration") || k == "statement_block"
        });
    }

    fn for_in_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if let Some((left, right)) = two_fields(node, "left", "right") {
            let iter = self.expr_top(right, scope, false);
            let sp = self.span(node);
            let of = node.field("operator").is_some_and(|o| self.text(o) == "of");
            let value = if of {
                frame::any_element(iter, sp, self.span(right))
            } else {
                // `for (k in obj)`: k is a key, not a value.
                Expr::unknown(self.span(right))
            };
            self.bind_target(left, value, scope, guard, sp);
        }
        if let Some(b) = node.field("body") {
            self.stmt(b, scope, guard);
        }
    }

    fn for_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if let Some(init) = node.field("initializer") {
            match init.kind() {
                "lexical_declaration" | "variable_declaration" | "empty_statement" => self.stmt(init, scope, guard),
                _ => self.expr_stmt(init, scope, guard),
            }
        }
        for f in ["condition", "increment"] {
            if let Some(c) = node.field(f) {
                if c.kind() == "expression_statement" {
                    self.stmt(c, scope, guard);
                } else if c.is_named() && c.kind() != "empty_statement" {
                    self.expr_stmt(c, scope, guard);
                }
            }
        }
        if let Some(b) = node.field("body") {
            self.stmt(b, scope, guard);
        }
    }

    fn switch_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let (value, cases) = self.switch_parts(node, "value", scope);
        for case in cases {
            // `case V:` selects its body when `value === V`.
            let label = case.field("value").map(|v| self.expr_top(v, scope, false));
            let g = frame::case_guard(value.as_ref(), label.into_iter().collect(), self.span(case));
            let g = g.as_ref().or(guard);
            let mut c = case.walk();
            let stmts: Vec<Node> = case.children_by_field_name("body", &mut c).collect();
            for s in stmts {
                self.stmt(s, scope, g);
            }
        }
    }

    /// `const name = value`, destructuring and `require`.
    fn declarator(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let Some(value) = node.field("value") else {
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
        let Some((left, right)) = two_fields(node, "left", "right") else {
            return Expr::unknown(sp);
        };
        if right.kind() == "assignment_expression" {
            // a = b = value
            let v = self.assignment(right, scope, guard);
            if let Some(inner) = right.field("left") {
                let iv = self.expr(inner, scope, false);
                self.bind_target(left, iv, scope, guard, sp);
            }
            return v;
        }
        let hint = match left.kind() {
            "identifier" => self.text(left),
            "member_expression" => left.field("property").map(|p| self.text(p)).unwrap_or(""),
            _ => "",
        };
        let mut value = self.value(right, scope, hint);
        if node.kind() == "augmented_assignment_expression" {
            let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
            // Only the compounds the frame models read the target.
            let ops = Self::OPERATORS;
            value = if ops.append.contains(&op) || ops.or_assign.contains(&op) {
                let current = self.expr(left, scope, false);
                self.compound(op, &current, value)
            } else {
                Expr::unknown(value.span)
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
                            let Some(left) = p.field("left") else {
                                continue;
                            };
                            let v = match left.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    let name = self.text(left).to_string();
                                    self.member(value.clone(), name, value.span)
                                }
                                _ => Expr::unknown(value.span),
                            };
                            let v = self.with_default(v, p.field("right"), scope);
                            self.bind_target(left, v, scope, guard, span);
                        }
                        "pair_pattern" => {
                            let Some((key, val)) = two_fields(p, "key", "value") else {
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
                            Expr::new(ExprKind::List(items[i..].to_vec().into()), value.span)
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
                let Some(left) = target.field("left") else {
                    return;
                };
                let v = self.with_default(value, target.field("right"), scope);
                self.bind_target(left, v, scope, guard, span);
            }
            "rest_pattern" => {
                if let Some(inner) = named_children(target).first() {
                    self.bind_target(*inner, value, scope, guard, span);
                }
            }
            "shorthand_property_identifier_pattern" => {
                let t = Expr::new(ExprKind::Name(self.text(target).to_string().into()), self.span(target));
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
                frame::either(value, de, sp)
            }
            None => value,
        }
    }

    /// `obj.name`, as an env read when `obj` is an env object.
    fn member(&mut self, obj: Expr, name: String, span: Span) -> Expr {
        if is_env_object(&obj) {
            self.f.facts.env_reads.push(name.clone());
            return Expr::new(ExprKind::Env(name.into()), span);
        }
        let m = Expr::new(ExprKind::Member(Box::new(obj), name.into()), span);
        if is_env_path(&m) {
            return Expr::new(ExprKind::EnvObject, span);
        }
        m
    }

    /// A settings library's view of the environment, by the callee and its
    /// arguments: the process environment validated (`schema.parse(process.env)`,
    /// `cleanEnv(process.env, …)`), `createEnv`'s `runtimeEnv`, and
    /// `schema.safeParse(process.env)` (its `data`).
    fn env_settings(callee: &Expr, args: &[Arg], sp: Span) -> Option<Expr> {
        let last = match &callee.kind {
            ExprKind::Name(n) => n.as_ref(),
            ExprKind::Member(_, n) => n,
            _ => return None,
        };
        let env_arg = args.iter().any(|a| is_env_object(&a.value));
        if last == CREATE_ENV {
            let runtime = args.first().and_then(|a| match &a.value.kind {
                ExprKind::Dict(pairs) => pairs
                    .iter()
                    .find(|(k, _)| k.as_str().is_some_and(|k| RUNTIME_ENV_KEYS.contains(&k)))
                    .map(|(_, v)| v.clone()),
                _ => None,
            });
            return Some(runtime.unwrap_or_else(|| Expr::new(ExprKind::EnvObject, sp)));
        }
        if !env_arg {
            return None;
        }
        if ENV_VALIDATORS.contains(&last) {
            return Some(Expr::new(ExprKind::EnvObject, sp));
        }
        (last == "safeParse").then(|| {
            let data = Expr::new(ExprKind::Str("data".into()), sp);
            Expr::new(
                ExprKind::Dict(vec![(data, Expr::new(ExprKind::EnvObject, sp))].into()),
                sp,
            )
        })
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
        let own = node.field("name").map(|n| self.name_text(n)).unwrap_or_default();
        let name = if own.is_empty() { fallback_name.to_string() } else { own };
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        if let Some(params) = node.field("parameters") {
            self.params(params, scope);
        } else if let Some(p) = node.field("parameter") {
            // x => …
            self.f.facts.scopes[scope].params = vec![self.text(p).to_string()];
        }
        if declare && !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        // An arrow function's expression body is returned.
        self.function_body(node, scope, "statement_block", false);
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
        let own = self.field_text(node, "name");
        let name = if own.is_empty() { fallback_name.to_string() } else { own };
        let sp = self.span(node);
        // `extends mixin(Base)`: calls in the heritage belong to the parent scope.
        let mut bases = Vec::new();
        for c in named_children(node) {
            if c.kind() == "class_heritage" {
                for h in named_children(c) {
                    let v = if h.kind() == "extends_clause" {
                        h.field("value")
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
            self.bind_scope(parent, name, scope, sp);
        }
        let Some(body) = node.field("body") else {
            return scope;
        };
        for m in named_children(body) {
            match m.kind() {
                "method_definition" => {
                    let f = self.function(m, scope, "", true);
                    // `get baseUrl() { … }`: reading `this.baseUrl` calls it.
                    let mut c = m.walk();
                    if m.children(&mut c).any(|k| k.kind() == "get") {
                        self.f.facts.scopes[f].getter = true;
                    }
                }
                "field_definition" | "public_field_definition" => {
                    let key = m.field("property").or_else(|| m.field("name"));
                    let (Some(key), Some(v)) = (key, m.field("value")) else {
                        continue;
                    };
                    let ms = self.span(m);
                    let target = match self.key_name(key) {
                        Some(k) => {
                            let ks = self.span(key);
                            Expr::new(ExprKind::Member(Box::new(Expr::new(ExprKind::This, ks)), k.into()), ks)
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
        self.string_of(
            node,
            &["string_fragment", "escape_sequence", "html_character_reference"],
        )
    }
}

mod expr;
mod imports;
mod lowering;

#[cfg(test)]
mod tests;
