//! How shell statements lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::Field;

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    fn lower_root(&mut self, root: Node) {
        self.collect_names(root);
        self.stmt(root, 0, None);
    }

    /// A shell expression is a word.
    fn expr_inner(&mut self, node: Node, scope: ScopeId, _receiver: bool) -> Expr {
        self.word(node, scope)
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "variable_assignment" => {
                // In a function, a variable not declared local is the
                // script's global: uses outside the function see it too.
                if let Some(i) = self.assignment(node, scope, scope, guard) {
                    let global = match &self.f.facts.assigns[i].target.kind {
                        ExprKind::Name(n) => scope != 0 && !self.locals.contains(&(scope, n.clone().into())),
                        _ => false,
                    };
                    if global {
                        let mut copy = self.f.facts.assigns[i].clone();
                        copy.scope = 0;
                        self.f.facts.assigns.push(copy);
                    }
                }
            }
            "variable_assignments" => {
                for a in named_children(node) {
                    self.stmt(a, scope, guard);
                }
            }
            "declaration_command" => {
                // `local`/`declare`/`typeset` inside a function make a local;
                // `export`/`readonly` (and any at top level) a global.
                let keyword = node.child(0).map(|k| self.text(k)).unwrap_or("");
                let target_scope = if matches!(keyword, "local" | "declare" | "typeset") {
                    scope
                } else {
                    0
                };
                for a in named_children(node) {
                    let name = match a.kind() {
                        "variable_assignment" => a.field("name"),
                        "variable_name" => Some(a),
                        _ => None,
                    };
                    if let (Some(n), true) = (name, target_scope != 0) {
                        self.locals.insert((scope, self.text(n).to_string()));
                    }
                    if a.kind() == "variable_assignment" {
                        self.assignment(a, scope, target_scope, guard);
                    }
                }
            }
            "command" => {
                let value = self.command(node, scope, guard, true);
                // What a function prints is what `$(f …)` gives: its output.
                let prints = node
                    .field("name")
                    .is_some_and(|n| matches!(self.text(n), "echo" | "printf"));
                if let Some(v) = value.filter(|_| prints && self.f.facts.scopes[scope].kind == ScopeKind::Function) {
                    self.push_return(scope, v, guard);
                }
            }
            "function_definition" => self.function(node, scope),
            "if_statement" => self.if_statement(node, scope, guard),
            "case_statement" => {
                let value = node
                    .field("value")
                    .map(|v| self.word(v, scope))
                    .unwrap_or_else(|| Expr::unknown(self.span(node)));
                for item in named_children(node) {
                    if item.kind() != "case_item" {
                        continue;
                    }
                    let mut body = Vec::new();
                    let mut patterns = vec![value.clone()];
                    for (field, k) in fielded_children(item) {
                        if !k.is_named() {
                            continue;
                        }
                        if field == Some("value") {
                            patterns.push(self.word(k, scope));
                        } else {
                            body.push(k);
                        }
                    }
                    let g = Expr::new(ExprKind::Test(patterns.into()), self.span(item));
                    self.stmts(&body, scope, Some(&g));
                }
            }
            "for_statement" => {
                let mut values = Vec::new();
                let mut var = None;
                let mut body = None;
                for (field, k) in fielded_children(node) {
                    match field {
                        Some("variable") => var = Some(k),
                        Some("value") => values.push(self.word(k, scope)),
                        Some("body") => body = Some(k),
                        _ => {}
                    }
                }
                if let Some(v) = var {
                    let sp = self.span(node);
                    // One run-time pick among the listed words (like `for x in list`).
                    let list = Expr::new(ExprKind::List(values.into()), sp);
                    let value = frame::any_element(list, sp, sp);
                    let target = Expr::new(ExprKind::Name(self.text(v).to_string().into()), self.span(v));
                    self.push_assign(scope, target, value, guard, sp);
                }
                if let Some(b) = body {
                    self.stmt(b, scope, guard);
                }
            }
            "while_statement" | "until_statement" => {
                for (field, k) in fielded_children(node) {
                    if !k.is_named() {
                        continue;
                    }
                    match field {
                        Some("condition") => {
                            self.condition(k, scope, guard);
                        }
                        _ => self.stmt(k, scope, guard),
                    }
                }
            }
            "redirected_statement" => {
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "pipeline" => {
                for c in named_children(node) {
                    self.stmt(c, scope, guard);
                }
            }
            "test_command" => {
                self.condition(node, scope, guard);
            }
            "comment" | "heredoc_body" | "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {}
            // program, compound_statement, subshell, do_group, list,
            // negated_command, else/elif clauses reached directly…
            _ => {
                for c in named_children(node) {
                    self.stmt(c, scope, guard);
                }
            }
        }
    }
}
