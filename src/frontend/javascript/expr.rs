//! JavaScript expressions: names and literals, members, operators, arrays and objects, template strings, calls.

use super::*;
use crate::source::two_fields;
use crate::source::Field;

impl<'a> Lowerer<'a> {
    /// Names, literals and keywords.
    pub(super) fn leaf(&self, node: Node) -> Option<Expr> {
        let kind = match node.kind() {
            "identifier" | "shorthand_property_identifier" | "shorthand_property_identifier_pattern" => {
                match self.text(node) {
                    "undefined" => ExprKind::Null,
                    t => ExprKind::Name(t.to_string().into()),
                }
            }
            "this" => ExprKind::This,
            "string" => ExprKind::Str(self.string_value(node).into()),
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
    pub(super) fn other_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in named_children(node) {
            if c.kind() == "statement_block" {
                self.stmt(c, scope, None);
            } else {
                self.expr(c, scope, false);
            }
        }
        Expr::unknown(self.span(node))
    }

    pub(super) fn member_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let obj = node.field("object");
        let prop = node.field("property").map(|a| self.text(a).to_string());
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

    pub(super) fn subscript_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some((o, i)) = two_fields(node, "object", "index") else {
            return Expr::unknown(sp);
        };
        let o = self.expr(o, scope, receiver);
        let i = self.expr(i, scope, false);
        let kind = match i.as_str() {
            Some(name) if is_env_object(&o) => {
                let name = name.to_string();
                self.f.facts.env_reads.push(name.clone());
                ExprKind::Env(name.into())
            }
            _ => ExprKind::Index(Box::new(o), Box::new(i)),
        };
        Expr::new(kind, sp)
    }

    pub(super) fn unary_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
        let Some(a) = node.field("argument") else {
            return Expr::unknown(sp);
        };
        let ae = self.expr(a, scope, false);
        if op == "!" {
            Expr::new(ExprKind::Test(vec![ae].into()), sp)
        } else {
            Expr::unknown(sp)
        }
    }

    /// `await x`, `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x`: the value is `x`.
    pub(super) fn wrapped_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        match named_children(node).into_iter().find(|c| !is_type_node(c.kind())) {
            Some(inner) => self.expr(inner, scope, receiver),
            None => Expr::unknown(self.span(node)),
        }
    }

    /// (a, b): every part is evaluated, the last is the value.
    pub(super) fn sequence_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let mut last = None;
        for c in named_children(node) {
            last = Some(self.expr(c, scope, false));
        }
        last.unwrap_or_else(|| Expr::unknown(self.span(node)))
    }

    pub(super) fn array_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut items = Vec::new();
        for c in named_children(node) {
            items.push(self.expr(c, scope, false));
        }
        Expr::new(ExprKind::List(items.into()), sp)
    }

    pub(super) fn object(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut pairs = Vec::new();
        for p in named_children(node) {
            if let Some(pair) = self.object_entry(p, scope) {
                pairs.push(pair);
            }
        }
        Expr::new(ExprKind::Dict(pairs.into()), sp)
    }

    /// One entry of an object literal: (key, value).
    pub(super) fn object_entry(&mut self, p: Node, scope: ScopeId) -> Option<(Expr, Expr)> {
        let ps = self.span(p);
        match p.kind() {
            "pair" => {
                let k = p.field("key")?;
                let v = p.field("value")?;
                let (ke, hint) = match self.key_name(k) {
                    Some(name) => (Expr::new(ExprKind::Str(name.clone().into()), self.span(k)), name),
                    // [computed]: value
                    None => (self.computed_key(k, scope), String::new()),
                };
                let ve = self.value(v, scope, &hint);
                Some((ke, ve))
            }
            "shorthand_property_identifier" => {
                let name = self.text(p).to_string();
                Some((
                    Expr::new(ExprKind::Str(name.clone().into()), ps),
                    Expr::new(ExprKind::Name(name.into()), ps),
                ))
            }
            "spread_element" => {
                let inner = *named_children(p).first()?;
                let v = self.expr(inner, scope, false);
                Some((Expr::unknown(ps), v))
            }
            "method_definition" => {
                let name = p.field("name");
                let key = match name.and_then(|n| self.key_name(n)) {
                    Some(k) => Expr::new(ExprKind::Str(k.into()), name.map(|n| self.span(n)).unwrap_or(ps)),
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
    pub(super) fn computed_key(&mut self, k: Node, scope: ScopeId) -> Expr {
        match named_children(k).first() {
            Some(inner) => self.expr(*inner, scope, false),
            None => Expr::unknown(self.span(k)),
        }
    }

    pub(super) fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let Some(arglist) = node.field("arguments") else {
            return args;
        };
        if arglist.kind() == "template_string" {
            // tag`…`
            let value = self.interpolated_string(arglist, scope);
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

    pub(super) fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let is_new = node.kind() == "new_expression";
        let field = if is_new { "constructor" } else { "function" };
        let Some(func) = node.field(field) else {
            return Expr::unknown(sp);
        };
        // The callee's receiver chain is part of this call's chain.
        let callee = match func.kind() {
            "import" | "super" => Expr::new(ExprKind::Name(self.text(func).to_string().into()), self.span(func)),
            _ => self.expr(func, scope, true),
        };
        let args = self.call_args(node, scope);
        // Deno.env.get("X")
        if !is_new && callee.dotted().as_deref() == Some("Deno.env.get") {
            if let Some(name) = args.first().and_then(|a| a.value.as_str()) {
                return self.env_read(name.to_string(), None, sp);
            }
        }
        if !is_new {
            if let Some(settings) = Self::env_settings(&callee, &args, sp) {
                return settings;
            }
        }
        // Node's util.format("https://%s.zohoapis.com", env): string building.
        // A bare `format` may be any function (date-fns): only with a literal template.
        let formats = match callee.dotted().as_deref() {
            Some("util.format") => !args.is_empty(),
            Some("format") => args.first().is_some_and(|a| a.value.as_str().is_some()),
            _ => false,
        };
        if !is_new && formats {
            let t = args[0].value.clone();
            return crate::template::fill(FormatStyle::Printf, t, args[1..].to_vec(), sp);
        }
        self.call_site(callee, args, is_new, sp, scope, receiver)
    }
}
