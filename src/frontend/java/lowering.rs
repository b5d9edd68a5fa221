//! How Java's statements and expressions lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::two_fields;
use crate::source::Field;

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    const OPERATORS: frame::Operators = frame::Operators::new(&["+"], &[], frame::C_TESTS).with_compound(&["+="], &[]);

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        let mut types = Vec::new();
        let formal = |p: &Node| matches!(p.kind(), "formal_parameter" | "spread_parameter" | "receiver_parameter");
        let count = named_children(params).iter().filter(|p| formal(p)).count();
        for p in named_children(params) {
            if !formal(&p) {
                continue;
            }
            let n = p.field("name").or_else(|| {
                named_children(p)
                    .into_iter()
                    .find(|c| c.kind() == "variable_declarator")
                    .and_then(|d| d.field("name"))
            });
            if let Some(n) = n {
                let name = self.text(n).to_string();
                self.members.declare_local(&name);
                // `@Value("${zoho.token}") String token`: the parameter holds
                // that configuration key.
                // So is a constructor's or setter's parameter in a
                // `@ConfigurationProperties` class.
                let settings = self
                    .settings_param(scope, &name, count)
                    .map(|key| self.settings_read(&key, None, self.span(n)));
                if let Some(read) = self.value_annotation(p).or(settings) {
                    let ns = self.span(n);
                    self.push_assign(
                        scope,
                        Expr::new(ExprKind::Name(name.clone().into()), ns),
                        read,
                        None,
                        ns,
                    );
                    // Spring supplies it, not the caller: keep its position
                    // but not its name, so it is not also a parameter.
                    names.push(String::new());
                    types.push(String::new());
                    continue;
                }
                names.push(name);
                types.push(self.declared_type(p));
            }
        }
        self.set_params(scope, names, types);
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => self.expression_statement(node, scope, guard),
            "local_variable_declaration" | "field_declaration" | "constant_declaration" => {
                self.declaration(node, scope, guard)
            }
            k if Self::is_type_declaration(k) => {
                self.class(node, scope);
            }
            "method_declaration" | "constructor_declaration" | "compact_constructor_declaration" => {
                self.function(node, scope);
            }
            "return_statement" | "yield_statement" => {
                let value = match named_children(node).into_iter().find(|c| !Self::is_trivia(c.kind())) {
                    Some(v) => self.expr_top(v, scope, false),
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                self.push_return(scope, value, guard);
            }
            "if_statement" => self.if_else(node, scope, guard),
            "enhanced_for_statement" => {
                if let Some((n, v)) = two_fields(node, "name", "value") {
                    let iter = self.expr_top(v, scope, false);
                    let sp = self.span(node);
                    let value = frame::any_element(iter, sp, self.span(v));
                    self.bind_local(n, value, scope, guard, sp);
                }
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_expression" => {
                self.switch(node, scope, guard);
            }
            "import_declaration" => self.import(node, scope),
            "catch_clause" => self.catch_clause(node, scope, guard, "catch_formal_parameter"),
            "resource_specification" => {
                for r in named_children(node) {
                    if let Some((n, v)) = two_fields(r, "name", "value") {
                        let value = self.expr_top(v, scope, false);
                        let sp = self.span(r);
                        self.bind_local(n, value, scope, guard, sp);
                    } else if !Self::is_trivia(r.kind()) {
                        self.expr_top(r, scope, false);
                    }
                }
            }
            "static_initializer"
            | "block"
            | "constructor_body"
            | "program"
            | "class_body"
            | "interface_body"
            | "enum_body"
            | "enum_body_declarations"
            | "try_statement"
            | "try_with_resources_statement"
            | "finally_clause"
            | "labeled_statement"
            | "synchronized_statement"
            | "while_statement"
            | "do_statement"
            | "for_statement"
            | "switch_block"
            | "switch_block_statement_group"
            | "switch_rule" => {
                for child in named_children(node) {
                    self.stmt(child, scope, guard);
                }
            }
            "package_declaration"
            | "module_declaration"
            | "line_comment"
            | "block_comment"
            | "break_statement"
            | "continue_statement"
            | "empty_statement"
            | "modifiers"
            | "marker_annotation"
            | "annotation"
            | "identifier"
            | "type_identifier"
            | "scoped_identifier"
            | "formal_parameters"
            | "superclass"
            | "super_interfaces"
            | "type_parameters"
            | "explicit_constructor_invocation" => {
                if node.kind() == "explicit_constructor_invocation" {
                    // this(...) / super(...): lower the arguments for their calls.
                    if let Some(args) = node.field("arguments") {
                        self.call_args(args, scope);
                    }
                }
            }
            _ => {
                // An expression in statement position (throw, assert, a `for`
                // header part, …): lower it so its calls are seen.
                if node.kind().ends_with("expression") || node.kind() == "method_invocation" {
                    self.expr_top(node, scope, false);
                } else {
                    for child in named_children(node) {
                        self.stmt(child, scope, guard);
                    }
                }
            }
        }
    }

    // One small method per kind of expression: in debug builds one big
    // `match` would give every recursion level the frame of all its arms.
    fn expr_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match self.map_put(node, scope) {
            // config.put("apiBaseUrl", v) is config["apiBaseUrl"] = v.
            Some((target, value)) => {
                let sp = self.span(node);
                self.push_assign(scope, target, value, guard, sp);
            }
            None if node.kind() == "assignment_expression" => {
                self.assignment(node, scope, guard);
            }
            None => {
                self.expr_top(node, scope, true);
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => return self.name_ref(self.text(node), sp, false),
            "this" | "super" => ExprKind::This,
            "string_literal" => ExprKind::Str(self.string_value(node).into()),
            "character_literal" => ExprKind::Unknown,
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "null_literal" => ExprKind::Null,
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "hex_floating_point_literal" => ExprKind::Number,
            "field_access" => {
                // `com.acme.crm.Hosts.BASE`: the class by its simple name.
                if let Some((o, f)) = two_fields(node, "object", "field") {
                    if let Some(class) = self.qualified_class(o) {
                        return frame::member(frame::name(class, self.span(o)), self.text(f), self.span(node));
                    }
                }
                return self.member_fields(node, scope, receiver, "object", "field");
            }
            "array_access" => return self.index_fields(node, scope, receiver, "array", "index"),
            "method_invocation" => return self.call(node, scope, receiver),
            "object_creation_expression" => return self.new_expr(node, scope, receiver),
            "binary_expression" => return self.binary(node, scope),
            "ternary_expression" => return self.ternary(node, scope),
            "parenthesized_expression" | "cast_expression" => {
                return self.wrapped(node, scope, receiver);
            }
            "assignment_expression" => return self.assignment(node, scope, None),
            "unary_expression" => {
                let ops = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                ExprKind::Test(ops)
            }
            "instanceof_expression" => {
                let ops = node
                    .field("left")
                    .map(|l| vec![self.expr(l, scope, false)])
                    .unwrap_or_default();
                ExprKind::Test(ops.into())
            }
            "array_creation_expression" => match node.field("value") {
                Some(v) => return self.list(v, scope),
                None => ExprKind::Unknown,
            },
            "array_initializer" => return self.list(node, scope),
            "lambda_expression" => return self.lambda(node, scope),
            "switch_expression" => {
                let alts = self.switch(node, scope, None);
                if alts.is_empty() {
                    ExprKind::Unknown
                } else {
                    let cond = node.field("condition").map(|c| Box::new(self.expr(c, scope, false)));
                    ExprKind::Alt {
                        cond,
                        alts: alts.into(),
                    }
                }
            }
            "class_literal" | "method_reference" => ExprKind::Unknown,
            _ => self.unknown_with_children(node, scope),
        };
        Expr::new(kind, sp)
    }
}

impl Lowerer<'_> {
    /// A local the statement declares and binds (`for (var t : tokens)`,
    /// `try (var c = open())`): declared in the function, assigned `value`.
    fn bind_local(&mut self, name: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        let text = self.text(name).to_string();
        self.members.declare_local(&text);
        let target = Expr::new(ExprKind::Name(text.into()), self.span(name));
        self.push_assign(scope, target, value, guard, span);
    }
}
