//! JavaScript modules: `import`, `require` (and what it binds), `export`.

use super::*;
use crate::source::Field;

impl<'a> Lowerer<'a> {
    /// `require('m')`, `require('m').X`, `await import('m')` → (module, member).
    pub(super) fn require_source(&self, node: Node) -> Option<(String, Option<String>)> {
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
                    let prop = n.field("property")?;
                    member = Some(self.text(prop).to_string());
                    n = n.field("object")?;
                }
                "call_expression" => break,
                _ => return None,
            }
        }
        let func = n.field("function")?;
        let is_require = (func.kind() == "identifier" && self.text(func) == "require") || func.kind() == "import";
        if !is_require {
            return None;
        }
        let args = n.field("arguments")?;
        let first = *named_children(args).first()?;
        if first.kind() != "string" {
            return None;
        }
        Some((self.string_value(first), member))
    }

    /// Binds the names of a `require` / dynamic-import declaration.
    pub(super) fn bind_import(
        &mut self,
        target: Node,
        module: String,
        member: Option<String>,
        scope: ScopeId,
        span: Span,
    ) {
        match target.kind() {
            "identifier" => {
                let local = self.text(target).to_string();
                self.push_import(scope, local, module, member, span);
            }
            "object_pattern" if member.is_none() => {
                for p in named_children(target) {
                    let (name, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let t = self.text(p).to_string();
                            (t.clone(), t)
                        }
                        "object_assignment_pattern" => match p.field("left") {
                            Some(l) if l.kind() == "shorthand_property_identifier_pattern" => {
                                let t = self.text(l).to_string();
                                (t.clone(), t)
                            }
                            _ => continue,
                        },
                        "pair_pattern" => {
                            let key = p.field("key").and_then(|k| self.key_name(k));
                            let val = p.field("value").and_then(|v| match v.kind() {
                                "identifier" => Some(v),
                                "assignment_pattern" => v.field("left").filter(|l| l.kind() == "identifier"),
                                _ => None,
                            });
                            match (key, val) {
                                (Some(k), Some(v)) => (k, self.text(v).to_string()),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    self.push_import(scope, local, module.clone(), Some(name), span);
                }
            }
            _ => {}
        }
    }

    pub(super) fn import(&mut self, node: Node, scope: ScopeId) {
        let sp = self.span(node);
        let Some(source) = node.field("source") else {
            // TS `import x = require('m')`.
            for c in named_children(node) {
                if c.kind() == "import_require_clause" {
                    let src = c.field("source").map(|s| self.string_value(s));
                    let id = named_children(c).into_iter().find(|n| n.kind() == "identifier");
                    if let (Some(module), Some(id)) = (src, id) {
                        self.push_import(scope, self.text(id).to_string(), module, None, sp);
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
                            "identifier" => self.push_import(
                                scope,
                                self.text(part).to_string(),
                                module.clone(),
                                Some("default".into()),
                                sp,
                            ),
                            "namespace_import" => {
                                if let Some(id) = named_children(part).first() {
                                    self.push_import(scope, self.text(*id).to_string(), module.clone(), None, sp);
                                }
                            }
                            "named_imports" => {
                                for spec in named_children(part) {
                                    if spec.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(n) = spec.field("name") else {
                                        continue;
                                    };
                                    let name = self.name_text(n);
                                    let local = match spec.field("alias") {
                                        Some(a) => self.text(a).to_string(),
                                        None => name.clone(),
                                    };
                                    self.push_import(scope, local, module.clone(), Some(name), sp);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_require_clause" => {
                    if let Some(id) = named_children(clause).into_iter().find(|n| n.kind() == "identifier") {
                        self.push_import(scope, self.text(id).to_string(), module.clone(), None, sp);
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn export(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let sp = self.span(node);
        let mut c = node.walk();
        let is_default = node.children(&mut c).any(|k| k.kind() == "default");
        if let Some(decl) = node.field("declaration") {
            self.stmt(decl, scope, guard);
            if is_default {
                // export default function foo() {} → default = foo
                if let Some(n) = decl.field("name") {
                    let target = Expr::new(ExprKind::Name("default".into()), sp);
                    let value = Expr::new(ExprKind::Name(self.text(n).to_string().into()), self.span(n));
                    self.push_assign(scope, target, value, guard, sp);
                }
            }
            return;
        }
        if let Some(v) = node.field("value") {
            let value = self.value(v, scope, "default");
            let target = Expr::new(ExprKind::Name("default".into()), sp);
            self.push_assign(scope, target, value, guard, sp);
            return;
        }
        let source = node.field("source").map(|s| self.string_value(s));
        for child in named_children(node) {
            match child.kind() {
                "export_clause" => {
                    for spec in named_children(child) {
                        let Some(n) = spec.field("name") else {
                            continue;
                        };
                        let name = self.name_text(n);
                        let alias = spec.field("alias").map(|a| self.name_text(a));
                        match &source {
                            // export { A as B } from 'm': a re-export is an import.
                            Some(m) => {
                                let local = alias.unwrap_or_else(|| name.clone());
                                self.push_import(scope, local, m.to_string(), Some(name), sp);
                            }
                            None => {
                                if let Some(a) = alias.filter(|a| *a != name) {
                                    let target = Expr::new(ExprKind::Name(a.into()), self.span(spec));
                                    let value = Expr::new(ExprKind::Name(name.into()), self.span(n));
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
                        self.push_import(scope, local, m.to_string(), None, sp);
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
}
