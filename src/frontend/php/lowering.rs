//! How PHP's statements and expressions lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::two_fields;
use crate::source::Field;

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    const OPERATORS: frame::Operators = frame::Operators::new(
        &["."],
        &["??", "||", "or"],
        &[
            "==",
            "===",
            "!=",
            "!==",
            "<>",
            "&&",
            "and",
            "<",
            ">",
            "<=",
            ">=",
            "instanceof",
        ],
    )
    .with_compound(&[".="], &["??="]);

    const ENV_OBJECTS: &'static [&'static str] = &["_ENV", "_SERVER"];

    const COMMENTS: &'static [&'static str] = &["comment"];

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        for p in named_children(params) {
            let Some(n) = p.field("name") else {
                continue;
            };
            let name = self.var_name(n);
            names.push(name.clone());
            if let Some(v) = p.field("default_value") {
                // Defaults are alternatives of the parameter.
                let value = self.expr_top(v, scope, false);
                let target = Expr::new(ExprKind::Name(name.clone().into()), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
            if p.kind() == "property_promotion_parameter" {
                // __construct(private string $token): $this->token = $token.
                let this = Expr::new(ExprKind::This, self.span(n));
                let target = Expr::new(ExprKind::Member(Box::new(this), name.as_str().into()), self.span(n));
                let value = Expr::new(ExprKind::Name(name.into()), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => self.expression_statement(node, scope, guard),
            "function_definition" | "method_declaration" => {
                self.function(node, scope);
            }
            "class_declaration" | "interface_declaration" | "trait_declaration" | "enum_declaration" => {
                self.class(node, scope)
            }
            "const_declaration" => {
                for el in named_children(node) {
                    if el.kind() != "const_element" {
                        continue;
                    }
                    let kids = named_children(el);
                    if let (Some(n), Some(v)) = (kids.first(), kids.get(1)) {
                        let value = self.expr_top(*v, scope, false);
                        let name = self.text(*n).to_string();
                        let target = Expr::new(ExprKind::Name(name.into()), self.span(*n));
                        self.push_assign(scope, target, value, guard, self.span(el));
                    }
                }
            }
            "property_declaration" => {
                for el in named_children(node) {
                    if el.kind() != "property_element" {
                        continue;
                    }
                    let Some((n, v)) = two_fields(el, "name", "default_value") else {
                        continue;
                    };
                    let value = self.expr_top(v, scope, false);
                    let target = Expr::new(ExprKind::Name(self.var_name(n).into()), self.span(n));
                    self.push_assign(scope, target, value, None, self.span(el));
                }
            }
            "return_statement" => {
                let value = match named_children(node).first() {
                    Some(v) => self.expr_top(*v, scope, false),
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                self.push_return(scope, value, guard);
            }
            "if_statement" | "else_if_clause" => {
                let cond = self.condition(node, scope);
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, g);
                }
                let mut c = node.walk();
                let alts: Vec<Node> = node.children_by_field_name("alternative", &mut c).collect();
                for alt in alts {
                    self.stmt(alt, scope, g);
                }
            }
            "else_clause" => {
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_statement" => {
                let cond = self.condition(node, scope);
                if let Some(body) = node.field("body") {
                    for case in named_children(body) {
                        let value = case.field("value").map(|v| self.expr(v, scope, false));
                        // `default:` is selected by the subject too.
                        let g = match (&cond, value) {
                            (Some(c), Some(v)) => {
                                let sp = c.span;
                                Some(Expr::new(ExprKind::Test(vec![c.clone(), v].into()), sp))
                            }
                            (Some(c), None) => Some(Expr::new(ExprKind::Test(vec![c.clone()].into()), c.span)),
                            _ => guard.cloned(),
                        };
                        for s in named_children(case) {
                            if Some(s) != case.field("value") {
                                self.stmt(s, scope, g.as_ref());
                            }
                        }
                    }
                }
            }
            "foreach_statement" => {
                let kids = named_children(node);
                if let Some(iter) = kids.first() {
                    let it = self.expr_top(*iter, scope, false);
                    let sp = self.span(node);
                    let value = frame::any_element(it, sp, sp);
                    if let Some(target) = kids.get(1) {
                        let t = match target.kind() {
                            "pair" => named_children(*target).last().copied(),
                            _ => Some(*target),
                        };
                        if let Some(t) = t {
                            self.bind_target(t, value, scope, guard, sp);
                        }
                    }
                }
                if let Some(b) = node.field("body") {
                    self.stmt(b, scope, guard);
                } else if let Some(b) = kids.last() {
                    if kids.len() > 2 {
                        self.stmt(*b, scope, guard);
                    }
                }
            }
            "namespace_use_declaration" => self.use_decl(node),
            // `use SomeTrait;` in a class body: the trait's methods and
            // fields are the class's, as a base class's are.
            "use_declaration" => {
                if self.f.facts.scopes[scope].kind == ScopeKind::Class {
                    for t in named_children(node) {
                        if matches!(t.kind(), "name" | "qualified_name") {
                            let base = last_segment(self.text(t)).to_string();
                            self.f.facts.scopes[scope].bases.push(base);
                        }
                    }
                }
            }
            "enum_case" => {
                if let Some((n, v)) = two_fields(node, "name", "value") {
                    let value = self.expr_top(v, scope, false);
                    let target = Expr::new(ExprKind::Name(self.text(n).to_string().into()), self.span(n));
                    self.push_assign(scope, target, value, None, self.span(node));
                }
            }
            "comment" | "php_tag" | "text" | "text_interpolation" | "global_declaration" | "break_statement"
            | "continue_statement" | "empty_statement" | "namespace_name" | "name" | "declare_statement" => {}
            "program"
            | "compound_statement"
            | "colon_block"
            | "declaration_list"
            | "namespace_definition"
            | "try_statement"
            | "catch_clause"
            | "finally_clause"
            | "while_statement"
            | "do_statement"
            | "for_statement"
            | "echo_statement"
            | "unset_statement" => {
                for child in named_children(node) {
                    let k = child.kind();
                    if k.ends_with("statement")
                        || k.ends_with("_clause")
                        || k.ends_with("declaration")
                        || k.ends_with("definition")
                        || matches!(k, "compound_statement" | "colon_block" | "declaration_list")
                    {
                        self.stmt(child, scope, guard);
                    } else {
                        self.expr_stmt(child, scope, guard);
                    }
                }
            }
            _ => self.mixed_children(node, scope, guard, |k| k.ends_with("statement")),
        }
    }

    /// An expression in statement position.
    fn expr_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" | "reference_assignment_expression" => {
                self.assignment(node, scope, guard);
            }
            "function_call_expression" if self.curl_statement(node, scope, guard) => {}
            "function_call_expression" if self.define(node, scope) => {}
            _ => {
                self.expr_top(node, scope, true);
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "variable_name" => match self.var_name(node).as_str() {
                "this" => ExprKind::This,
                n => ExprKind::Name(n.to_string().into()),
            },
            "name" | "qualified_name" | "relative_name" => {
                let t = last_segment(self.text(node));
                let t = self.aliases.get(t).map(String::as_str).unwrap_or(t);
                match t.to_ascii_lowercase().as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => ExprKind::Name(t.to_string().into()),
                }
            }
            "relative_scope" => match self.text(node) {
                "self" | "static" => ExprKind::This,
                t => ExprKind::Name(t.to_string().into()),
            },
            "string" => {
                let raw: String = named_children(node)
                    .into_iter()
                    .map(|c| self.text(c))
                    .collect::<Vec<_>>()
                    .join("");
                ExprKind::Str(raw.replace("\\'", "'").replace("\\\\", "\\").into())
            }
            "encapsed_string" | "heredoc" | "heredoc_body" | "nowdoc" | "nowdoc_body" => {
                return self.interpolated(node, scope);
            }
            "boolean" => ExprKind::Bool(self.text(node).eq_ignore_ascii_case("true")),
            "null" => ExprKind::Null,
            "integer" | "float" => ExprKind::Number,
            "parenthesized_expression" | "cast_expression" | "error_suppression_expression" | "by_ref" => {
                match named_children(node).last() {
                    Some(inner) => return self.expr(*inner, scope, receiver),
                    None => ExprKind::Unknown,
                }
            }
            "assignment_expression" | "augmented_assignment_expression" | "reference_assignment_expression" => {
                return self.assignment(node, scope, None);
            }
            "binary_expression" => return self.binary(node, scope),
            "conditional_expression" if node.field("body").is_some() => return self.ternary_with(node, scope, "body"),
            // `$a ?: $b`
            "conditional_expression" => match (node.field("condition"), node.field("alternative")) {
                (Some(c), Some(a)) => {
                    let c = self.expr(c, scope, false);
                    let a = self.expr(a, scope, false);
                    return frame::either(c, a, sp);
                }
                _ => ExprKind::Unknown,
            },
            "unary_op_expression" => {
                let kids: Vec<Expr> = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                if self.text(node).trim_start().starts_with('!') {
                    ExprKind::Test(kids.into())
                } else {
                    ExprKind::Unknown
                }
            }
            "member_access_expression" | "nullsafe_member_access_expression" => {
                let obj = node.field("object");
                let name = node.field("name");
                match (obj, name) {
                    (Some(o), Some(n)) if n.kind() == "name" => {
                        let o = self.expr(o, scope, receiver);
                        ExprKind::Member(Box::new(o), self.text(n).into())
                    }
                    (Some(o), _) => {
                        self.expr(o, scope, false);
                        ExprKind::Unknown
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "class_constant_access_expression" | "scoped_property_access_expression" => {
                let kids = named_children(node);
                let scope_node = node.field("scope").or(kids.first().copied());
                let name_node = node.field("name").or(kids.last().copied());
                match (scope_node, name_node) {
                    (Some(s), Some(n)) if s != n => {
                        let m = self.var_name(n);
                        if m == "class" {
                            // `USDataCenter::class`: the class's name, a
                            // string that `$class::SANDBOX()` calls through.
                            ExprKind::Str(self.text(s).trim_start_matches('\\').to_string().into())
                        } else {
                            let o = self.expr(s, scope, receiver);
                            ExprKind::Member(Box::new(o), m.into())
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "subscript_expression" => {
                let kids = named_children(node);
                match (kids.first(), kids.get(1)) {
                    (Some(o), Some(k)) => self.subscript(*o, *k, scope, receiver),
                    _ => ExprKind::Unknown,
                }
            }
            "function_call_expression" => return self.function_call(node, scope, receiver),
            "member_call_expression" | "nullsafe_member_call_expression" | "scoped_call_expression" => {
                return self.method_call(node, scope, receiver)
            }
            "object_creation_expression" => {
                let kids = named_children(node);
                let Some(class) = kids.first() else {
                    return Expr::unknown(sp);
                };
                // `new self(...)` / `new static(...)` in a factory method
                // (`public static function create(): self`) builds the
                // enclosing class, as `new Client(...)` does.
                let callee = match class.kind() {
                    "name" if matches!(self.text(*class).to_ascii_lowercase().as_str(), "self" | "static") => {
                        match self.enclosing_class(scope) {
                            Some(name) => Expr::new(ExprKind::Name(name.into()), self.span(*class)),
                            None => return self.other(node, scope),
                        }
                    }
                    "name" | "qualified_name" | "relative_name" | "variable_name" => self.expr(*class, scope, true),
                    _ => return self.other(node, scope),
                };
                let args = self.call_args(node, scope);
                return self.call_site(callee, args, true, sp, scope, receiver);
            }
            "array_creation_expression" => self.array(node, scope),
            // match ($x) { a, b => v, default => w }: the subject selects the arm.
            "match_expression" => {
                let cond = self.condition(node, scope);
                let mut alts = Vec::new();
                if let Some(body) = node.field("body") {
                    for arm in named_children(body) {
                        if let Some(c) = arm.field("conditional_expressions") {
                            self.other(c, scope);
                        }
                        if let Some(r) = arm.field("return_expression") {
                            alts.push(self.expr(r, scope, false));
                        }
                    }
                }
                ExprKind::Alt {
                    cond: cond.map(Box::new),
                    alts: alts.into(),
                }
            }
            "anonymous_function" | "arrow_function" => {
                let fscope = self.function(node, scope);
                ExprKind::Func(fscope)
            }
            "include_expression" | "include_once_expression" | "require_expression" | "require_once_expression" => {
                // Its names become visible here, and its value is what the
                // file returns (`$config = require 'config.php';`).
                if let Some(arg) = named_children(node).first() {
                    let e = self.expr(*arg, scope, false);
                    if let Some(path) = include_path(&e) {
                        let local = format!("require:{path}");
                        for l in ["*".to_string(), local.clone()] {
                            self.push_import(scope, l, path.clone(), None, sp);
                        }
                        return Expr::new(ExprKind::Name(local.into()), sp);
                    }
                }
                ExprKind::Unknown
            }
            _ => return self.other(node, scope),
        };
        Expr::new(kind, sp)
    }
}
