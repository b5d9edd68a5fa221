//! How C#'s statements and expressions lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::two_fields;
use crate::source::Field;

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    const OPERATORS: frame::Operators =
        frame::Operators::new(&["+"], &["??"], frame::C_TESTS).with_compound(&["+="], &["??="]);

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        let mut types = Vec::new();
        for p in named_children(params) {
            if p.kind() != "parameter" {
                continue;
            }
            let Some(n) = p.field("name") else {
                continue;
            };
            let name = self.text(n).to_string();
            // A default value is an alternative of the parameter.
            let default = named_children(p).into_iter().rfind(|c| {
                c.id() != n.id() && !Self::is_trivia(c.kind()) && Some(c.id()) != p.field("type").map(|t| t.id())
            });
            if let Some(d) = default {
                let value = self.value(d, scope);
                let sp = self.span(p);
                self.push_assign(
                    scope,
                    Expr::new(ExprKind::Name(name.clone().into()), self.span(n)),
                    value,
                    None,
                    sp,
                );
            }
            self.members.declare_local(&name);
            // `IOptions<ZohoOptions> options`: an instance of the options class,
            // read through `options.Value`.
            let wrapped = p.field("type").and_then(|t| self.options_wrapped(t));
            if wrapped.is_some() {
                self.members.wrappers.insert(name.clone());
            }
            names.push(name);
            types.push(wrapped.unwrap_or_else(|| self.declared_type(p)));
        }
        self.set_params(scope, names, types);
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let kind = node.kind();
        match kind {
            "expression_statement" => self.expression_statement(node, scope, guard),
            "local_declaration_statement" | "field_declaration" | "event_field_declaration" => {
                let is_field = kind != "local_declaration_statement";
                for c in named_children(node) {
                    if c.kind() == "variable_declaration" {
                        self.variables(c, scope, guard, is_field);
                    }
                }
            }
            "variable_declaration" => self.variables(node, scope, guard, false),
            "property_declaration" => self.property(node, scope),
            k if Self::is_type_declaration(k) => {
                self.class(node, scope);
            }
            "method_declaration"
            | "constructor_declaration"
            | "local_function_statement"
            | "operator_declaration"
            | "destructor_declaration" => {
                self.function(node, scope);
            }
            "return_statement" | "yield_statement" | "throw_statement" => {
                let value = named_children(node).into_iter().find(|c| !Self::is_trivia(c.kind()));
                let value = match value {
                    Some(v) => self.expr_top(v, scope, false),
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                if kind != "throw_statement" {
                    self.push_return(scope, value, guard);
                }
            }
            "if_statement" => self.if_else(node, scope, guard),
            "foreach_statement" => {
                if let Some((l, r)) = two_fields(node, "left", "right") {
                    let iter = self.expr_top(r, scope, false);
                    let sp = self.span(node);
                    let value = frame::any_element(iter, sp, self.span(r));
                    if l.kind() == "identifier" {
                        let name = self.text(l).to_string();
                        self.members.declare_local(&name);
                        self.push_assign(
                            scope,
                            Expr::new(ExprKind::Name(name.into()), self.span(l)),
                            value,
                            guard,
                            sp,
                        );
                    }
                }
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_statement" => self.switch_stmt(node, scope, guard),
            "using_directive" => self.using(node, scope),
            "catch_clause" => self.catch_clause(node, scope, guard, "catch_declaration"),
            "compilation_unit"
            | "namespace_declaration"
            | "file_scoped_namespace_declaration"
            | "declaration_list"
            | "block"
            | "try_statement"
            | "finally_clause"
            | "catch_filter_clause"
            | "using_statement"
            | "fixed_statement"
            | "lock_statement"
            | "checked_statement"
            | "unsafe_statement"
            | "labeled_statement"
            | "while_statement"
            | "do_statement"
            | "for_statement"
            | "global_statement"
            | "arrow_expression_clause" => {
                for child in named_children(node) {
                    if matches!(
                        kind,
                        "while_statement" | "do_statement" | "for_statement" | "lock_statement" | "using_statement"
                    ) && child.kind() != "block"
                        && child.kind() != "variable_declaration"
                        && !child.kind().ends_with("statement")
                    {
                        // Headers: conditions, updates, locked objects.
                        self.expr_top(child, scope, false);
                    } else {
                        self.stmt(child, scope, guard);
                    }
                }
            }
            "comment"
            | "break_statement"
            | "continue_statement"
            | "empty_statement"
            | "goto_statement"
            | "extern_alias_directive"
            | "attribute_list"
            | "modifier"
            | "identifier"
            | "qualified_name"
            | "parameter_list"
            | "base_list"
            | "type_parameter_list"
            | "type_parameter_constraints_clause"
            | "accessor_list"
            | "enum_member_declaration_list"
            | "delegate_declaration"
            | "indexer_declaration"
            | "event_declaration" => {}
            _ => {
                if node.is_named() {
                    self.expr_top(node, scope, false);
                }
            }
        }
    }

    // One small method per kind of expression: in debug builds one big
    // `match` would give every recursion level the frame of all its arms.
    fn expr_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if node.kind() == "assignment_expression" {
            self.assignment(node, scope, guard);
        } else {
            self.expr_top(node, scope, true);
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => return self.name_ref(self.text(node), sp, false),
            "this" | "base" | "this_expression" | "base_expression" => ExprKind::This,
            "string_literal" | "verbatim_string_literal" | "raw_string_literal" => {
                ExprKind::Str(self.string_value(node).into())
            }
            "interpolated_string_expression" => return self.interpolated(node, scope),
            "boolean_literal" => ExprKind::Bool(self.text(node) == "true"),
            "null_literal" => ExprKind::Null,
            "integer_literal" | "real_literal" => ExprKind::Number,
            "member_access_expression" => return self.member_access(node, scope, receiver),
            "element_access_expression" => return self.element_access(node, scope, receiver),
            "conditional_access_expression" => return self.conditional_access(node, scope, receiver),
            "invocation_expression" => return self.call(node, scope, receiver),
            "object_creation_expression" | "implicit_object_creation_expression" => {
                return self.new_expr(node, scope, receiver)
            }
            "binary_expression" => return self.binary(node, scope),
            "conditional_expression" => return self.ternary(node, scope),
            "parenthesized_expression"
            | "cast_expression"
            | "await_expression"
            | "postfix_unary_expression"
            | "checked_expression"
            | "ref_expression"
            | "argument"
            | "constant_pattern"
            | "case_switch_label"
                if node.kind() != "postfix_unary_expression" || !self.text(node).ends_with("++") =>
            {
                return self.wrapped(node, scope, receiver);
            }
            "assignment_expression" => return self.assignment(node, scope, None),
            // `return (token, host);`
            "tuple_expression" => {
                let items = named_children(node)
                    .into_iter()
                    .filter(|c| !Self::is_trivia(c.kind()))
                    .map(
                        |a| match named_children(a).into_iter().rfind(|c| !Self::is_trivia(c.kind())) {
                            Some(v) if a.kind() == "argument" => self.expr(v, scope, false),
                            _ => self.expr(a, scope, false),
                        },
                    )
                    .collect();
                ExprKind::List(items)
            }
            "prefix_unary_expression" | "is_pattern_expression" | "is_expression" => {
                let ops = named_children(node)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("pattern") && !c.kind().ends_with("type"))
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                ExprKind::Test(ops)
            }
            "initializer_expression" | "collection_expression" => return self.list(node, scope),
            "array_creation_expression" | "implicit_array_creation_expression" => {
                match named_children(node)
                    .into_iter()
                    .find(|c| c.kind() == "initializer_expression")
                {
                    Some(i) => return self.list(i, scope),
                    None => ExprKind::Unknown,
                }
            }
            "lambda_expression" | "anonymous_method_expression" => return self.lambda(node, scope),
            "switch_expression" => return self.switch_expr(node, scope),
            "predefined_type" | "generic_name" | "qualified_name" | "alias_qualified_name" => {
                let t = self.text(node);
                ExprKind::Name(t.split('<').next().unwrap_or(t).to_string().into())
            }
            "typeof_expression" | "sizeof_expression" | "default_expression" | "nameof_expression" => ExprKind::Unknown,
            _ => self.unknown_with_children(node, scope),
        };
        Expr::new(kind, sp)
    }
}
