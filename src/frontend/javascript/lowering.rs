//! How JavaScript's and TypeScript's statements and expressions lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::Field;

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    const OPERATORS: frame::Operators = frame::Operators::new(
        &["+"],
        &["||", "??"],
        &["&&", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "instanceof", "in"],
    )
    .with_compound(&["+="], &["||=", "??="]);

    /// Template literals: parts and substitutions → Concat (Str when static).
    const INTERPOLATION: frame::Interpolation = frame::Interpolation {
        strings: &["template_string"],
        literal: &["string_fragment", "escape_sequence"],
        hole: "template_substitution",
        inner: |c| crate::source::named_children(c).first().copied(),
        lower_rest: false,
    };

    const COMMENTS: &'static [&'static str] = COMMENTS;

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for p in named_children(params) {
            // TS wraps each parameter: required_parameter / optional_parameter.
            let (pattern, default, ts_property) = match p.kind() {
                "required_parameter" | "optional_parameter" => {
                    let pat = p.field("pattern").or_else(|| p.field("name"));
                    let prop = named_children(p)
                        .iter()
                        .any(|c| matches!(c.kind(), "accessibility_modifier" | "override_modifier"))
                        || p.children(&mut p.walk()).any(|c| c.kind() == "readonly");
                    (pat, p.field("value"), prop)
                }
                "assignment_pattern" => (p.field("left"), p.field("right"), false),
                _ => (Some(p), None, false),
            };
            let Some(pattern) = pattern else { continue };
            match pattern.kind() {
                "this" => continue,
                "identifier" => {
                    let name = self.text(pattern).to_string();
                    let sp = self.span(p);
                    // NestJS's `ConfigService` (injected by its type): the
                    // environment, read by `config.get("ZOHO_TOKEN")`, whatever
                    // the caller passes (its position keeps a name of its own).
                    if p.field("type").is_some_and(|t| is_config_service(self.text(t))) {
                        names.push(format!("#arg{}", names.len()));
                        let target = Expr::new(ExprKind::Name(name.clone().into()), self.span(pattern));
                        self.push_assign(scope, target, Expr::new(ExprKind::EnvObject, sp), None, sp);
                    } else {
                        names.push(name.clone());
                        types.resize(names.len() - 1, String::new());
                        types.push(self.declared_type(p));
                    }
                    if let Some(d) = default {
                        // Defaults are alternatives of the parameter.
                        let value = self.value(d, scope, &name);
                        let target = Expr::new(ExprKind::Name(name.clone().into()), self.span(pattern));
                        self.push_assign(scope, target, value, None, sp);
                    }
                    if ts_property {
                        // constructor(private token: string) → this.token = token
                        let ps = self.span(pattern);
                        let target = Expr::new(
                            ExprKind::Member(Box::new(Expr::new(ExprKind::This, ps)), name.as_str().into()),
                            ps,
                        );
                        let value = Expr::new(ExprKind::Name(name.into()), ps);
                        self.push_assign(scope, target, value, None, sp);
                    }
                }
                "object_pattern" | "array_pattern" => {
                    // A destructured parameter gets a synthetic name (`#arg<position>`)
                    // so positions are kept and its parts can be bound from it.
                    let name = format!("#arg{}", names.len());
                    names.push(name.clone());
                    let sp = self.span(p);
                    let mut value = Expr::new(ExprKind::Name(name.clone().into()), self.span(pattern));
                    if let Some(d) = default {
                        let de = self.expr_top(d, scope, false);
                        let target = Expr::new(ExprKind::Name(name.into()), self.span(pattern));
                        self.push_assign(scope, target.clone(), de, None, sp);
                        value = target;
                    }
                    self.bind_target(pattern, value, scope, None, sp);
                }
                // `...rest` and anything else: no positional name.
                _ => {}
            }
        }
        self.set_params(scope, names, types);
    }

    // One small method per statement kind (see `expr_inner` on frame sizes).
    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => self.expression_statement(node, scope, guard),
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
            "return_statement" => {
                let value = named_children(node).first().copied();
                self.return_stmt(node, value, scope, guard);
            }
            // `else if` is an if_statement inside the else_clause: it computes
            // its own guard.
            "if_statement" => self.if_else_with(node, scope, guard, true),
            "for_in_statement" => self.for_in_stmt(node, scope, guard),
            "for_statement" => self.for_stmt(node, scope, guard),
            "while_statement" | "do_statement" | "with_statement" => {
                for f in ["condition", "object"] {
                    if let Some(c) = node.field(f) {
                        self.expr_top(c, scope, false);
                    }
                }
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "try_statement" => {
                for f in ["body", "handler", "finalizer"] {
                    if let Some(b) = node.field(f) {
                        self.stmt(b, scope, guard);
                    }
                }
            }
            // TypeScript namespaces: their members are lowered in place.
            "catch_clause" | "finally_clause" | "class_static_block" | "labeled_statement" | "internal_module"
            | "module" => {
                if let Some(b) = node.field("body") {
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
    /// The expression of an expression statement (or a `for` header part).
    fn expr_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                self.assignment(node, scope, guard);
            }
            "sequence_expression" => {
                for c in named_children(node) {
                    self.expr_stmt(c, scope, guard);
                }
            }
            _ => {
                self.expr_top(node, scope, true);
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        match node.kind() {
            "template_string" => self.interpolated_string(node, scope),
            "member_expression" => self.member_expr(node, scope, receiver),
            "subscript_expression" => self.subscript_expr(node, scope, receiver),
            "call_expression" | "new_expression" => self.call(node, scope, receiver),
            "binary_expression" => self.binary(node, scope),
            "unary_expression" => self.unary_expr(node, scope),
            "ternary_expression" => self.ternary(node, scope),
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
