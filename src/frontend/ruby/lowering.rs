//! How Ruby's statements and expressions lower: the grammar's side of the frame (`Lowering`).

use super::*;
use crate::source::Field;

impl Lowerer<'_> {
    pub(super) fn statement_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, last: bool) {
        match node.kind() {
            "method" | "singleton_method" => {
                self.method(node, scope);
            }
            "class" | "module" => self.class(node, scope),
            "singleton_class" => {
                if let Some(b) = node.field("body") {
                    self.body(b, scope, None, false);
                }
            }
            "assignment" | "operator_assignment" => {
                let v = self.assignment(node, scope, guard);
                if last {
                    self.push_return(scope, v, guard);
                }
            }
            "return" => {
                let value = match named_children(node).first() {
                    Some(args) => {
                        let vals = named_children(*args);
                        match vals.first() {
                            Some(v) => self.expr(*v, scope, false),
                            None => Expr::new(ExprKind::Null, self.span(node)),
                        }
                    }
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                self.push_return(scope, value, guard);
            }
            "if" | "unless" | "elsif" => {
                let cond = self.condition(node, scope);
                let cond = match (node.kind(), cond) {
                    ("unless", Some(c)) => {
                        let sp = c.span;
                        Some(Expr::new(ExprKind::Test(vec![c].into()), sp))
                    }
                    (_, c) => c,
                };
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.field("consequence") {
                    self.body(b, scope, g, last);
                }
                if let Some(alt) = node.field("alternative") {
                    match alt.kind() {
                        "elsif" => self.statement(alt, scope, g, last),
                        _ => self.body(alt, scope, g, last),
                    }
                }
            }
            "if_modifier" | "unless_modifier" => {
                let cond = self.condition(node, scope);
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.field("body") {
                    self.statement(b, scope, g, false);
                }
            }
            "case" => {
                let value = self.lowered_field(node, "value", scope);
                for clause in named_children(node) {
                    match clause.kind() {
                        "when" => {
                            let mut c = clause.walk();
                            let pats: Vec<Node> = clause.children_by_field_name("pattern", &mut c).collect();
                            let mut ops: Vec<Expr> = value.iter().cloned().collect();
                            for p in pats {
                                let p = match p.kind() {
                                    "pattern" => named_children(p).first().copied().unwrap_or(p),
                                    _ => p,
                                };
                                let e = self.expr(p, scope, false);
                                ops.push(e);
                            }
                            let sp = self.span(clause);
                            let g = Expr::new(ExprKind::Test(ops.into()), sp);
                            if let Some(b) = clause.field("body") {
                                self.body(b, scope, Some(&g), last);
                            }
                        }
                        "else" => self.body(clause, scope, guard, last),
                        _ => {}
                    }
                }
            }
            "while" | "until" | "for" | "while_modifier" | "until_modifier" => {
                if let Some(p) = node.field("pattern") {
                    self.declare(p, scope);
                }
                for f in ["condition", "value"] {
                    if let Some(c) = node.field(f) {
                        self.expr_top(c, scope, false);
                    }
                }
                if let Some(b) = node.field("body") {
                    match b.kind() {
                        "do" | "body_statement" => self.body(b, scope, guard, false),
                        _ => self.statement(b, scope, guard, false),
                    }
                }
            }
            "begin" | "body_statement" | "then" | "else" | "do" | "parenthesized_statements" | "block_body" => {
                self.body(node, scope, guard, last)
            }
            "comment" | "empty_statement" | "heredoc_body" | "__END__" | "uninterpreted" => {}
            _ => {
                // `client.leads` whose value nothing uses (not a method's
                // last statement, which is its value): a call.
                let in_method = self.f.facts.scopes[scope].kind == ScopeKind::Function;
                self.statement_call = node.kind() == "call" && !(last && in_method);
                let e = self.expr_top(node, scope, true);
                self.statement_call = false;
                if last {
                    self.push_return(scope, e, guard);
                }
            }
        }
    }
}

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    fn lower_root(&mut self, root: Node) {
        self.body(root, 0, None, false);
    }

    const OPERATORS: frame::Operators = frame::Operators::new(
        &["+"],
        &["||", "or"],
        &["&&", "and", "==", "!=", "===", "=~", "!~", "<", ">", "<=", ">="],
    )
    .with_compound(&["+=", "<<"], &["||="])
    .with_percent_format();

    const ENV_OBJECTS: &'static [&'static str] = &["ENV"];

    /// `"…#{x}…"` and `:"…"`; a hole holds one statement.
    const INTERPOLATION: frame::Interpolation = frame::Interpolation {
        strings: &["string", "delimited_symbol"],
        literal: &["string_content", "escape_sequence"],
        hole: "interpolation",
        inner: |c| {
            Some(crate::source::named_children_no_comments(c))
                .filter(|k| k.len() == 1)
                .and_then(|k| k.last().copied())
        },
        lower_rest: true,
    };

    const COMMENTS: &'static [&'static str] = &["comment"];

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        for p in named_children(params) {
            let name_node = match p.kind() {
                "identifier" => Some(p),
                _ => p.field("name"),
            };
            let Some(n) = name_node else { continue };
            let name = self.text(n).to_string();
            names.push(name.clone());
            if p.kind() == "hash_splat_parameter" {
                self.f.facts.scopes[scope].kwrest = Some(name.clone());
            }
            self.locals.entry(scope).or_default().insert(name.clone());
            if let Some(v) = p.field("value") {
                // Defaults are alternatives of the parameter.
                let value = self.expr_top(v, scope, false);
                let target = Expr::new(ExprKind::Name(name.into()), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        self.statement_inner(node, scope, guard, false);
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => {
                let n = self.text(node).to_string();
                if self.is_local(&n, scope) {
                    ExprKind::Name(n.into())
                } else {
                    return self.self_call(n, scope, sp, receiver);
                }
            }
            "global_variable" => ExprKind::Name(self.text(node).to_string().into()),
            "constant" => {
                let n = self.text(node).to_string();
                self.constant(n, scope, sp)
            }
            "instance_variable" | "class_variable" => {
                let n = self.text(node).trim_start_matches('@').to_string();
                ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), n.into())
            }
            "self" => ExprKind::This,
            "nil" => ExprKind::Null,
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "integer" | "float" | "rational" | "complex" => ExprKind::Number,
            "string" | "delimited_symbol" => return self.interpolated_string(node, scope),
            "chained_string" => return self.adjacent_strings(node, scope, Self::interpolated_string),
            "simple_symbol" | "hash_key_symbol" => {
                ExprKind::Str(self.text(node).trim_start_matches(':').to_string().into())
            }
            "scope_resolution" if node.field("scope").is_some() => {
                return self.member_fields(node, scope, receiver, "scope", "name")
            }
            // `::Foo`
            "scope_resolution" => match node.field("name") {
                Some(n) => ExprKind::Name(self.text(n).to_string().into()),
                None => ExprKind::Unknown,
            },
            "parenthesized_statements" | "parenthesized_expression" => {
                let kids = named_children(node);
                match kids.last() {
                    Some(inner) if kids.len() == 1 => return self.expr(*inner, scope, receiver),
                    _ => return self.unmodelled(node, scope),
                }
            }
            "assignment" | "operator_assignment" => return self.assignment(node, scope, None),
            "conditional" => return self.ternary(node, scope),
            "binary" => return self.binary(node, scope),
            "unary" => {
                let kids: Vec<Expr> = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
                if op == "!" || op == "not" {
                    ExprKind::Test(kids.into())
                } else {
                    ExprKind::Unknown
                }
            }
            "rescue_modifier" => match two_fields(node, "body", "handler") {
                Some((b, h)) => ExprKind::Alt {
                    cond: None,
                    alts: vec![self.expr(b, scope, false), self.expr(h, scope, false)].into(),
                },
                None => ExprKind::Unknown,
            },
            "array" => return self.list_items(node, scope),
            "hash" => ExprKind::Dict(self.pairs(named_children(node), scope).into()),
            "element_reference" => {
                let obj = node.field("object");
                let idx: Vec<Node> = named_children(node).into_iter().filter(|c| Some(*c) != obj).collect();
                match (obj, idx.first()) {
                    (Some(o), Some(k)) => self.subscript(o, *k, scope, receiver),
                    _ => ExprKind::Unknown,
                }
            }
            "call" => return self.call(node, scope, receiver),
            "lambda" | "block" | "do_block" => {
                let fscope = self.block_fn(node, scope);
                ExprKind::Func(fscope)
            }
            "if" | "unless" | "case" | "begin" => {
                // An `if` used as a value: its branches' values are alternatives.
                let start = self.f.facts.returns.len();
                self.statement(node, scope, None, true);
                let (mine, nested): (Vec<Return>, Vec<Return>) =
                    self.f.facts.returns.drain(start..).partition(|r| r.scope == scope);
                self.f.facts.returns.extend(nested);
                // The branches' condition selects among their values.
                let cond = mine.iter().find_map(|r| r.guard.clone());
                let alts: Vec<Expr> = mine.into_iter().map(|r| r.value).collect();
                ExprKind::Alt {
                    cond,
                    alts: alts.into(),
                }
            }
            k if is_control(k) => {
                self.statement(node, scope, None, false);
                ExprKind::Unknown
            }
            _ => return self.unmodelled(node, scope),
        };
        Expr::new(kind, sp)
    }
}
