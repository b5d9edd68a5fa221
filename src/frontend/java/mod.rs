//! Java front-end: tree-sitter-java → facts.
//!
//! Lowers classes (with their superclass and interfaces as bases), enums,
//! records and interfaces; fields and `static final` constants (as class
//! fields, so `this.x`, a bare `x` and `Config.X` all find them); methods
//! and constructors with their parameters and returns; locals with the `if`
//! guard they sit under; ternaries, `switch` cases and `if` alternatives;
//! string concatenation, `String.format`, `.formatted`, `.concat`, text
//! blocks; `System.getenv("X")` as an env read; `new` calls (a nested
//! `new OAuthToken.Builder()` keeps its outer class in the callee path) and
//! method chains as call chains; `URI.create(u)` / `new URI(u)` / `new URL(u)`
//! as the string they wrap; imports (single-type and static).
//!
//! A bare identifier that names a field of an enclosing class (and is not
//! shadowed by a local or parameter) is lowered as `this.x`, a bare call of
//! one of its methods as `this.m(…)`: Java leaves `this.` implicit where the
//! other languages write it.

use crate::source::Field;
use std::collections::HashSet;

use tree_sitter::Node;

use super::frame::{self, Lowering};
use crate::facts::*;

pub fn lower(text: &str) -> FileFacts {
    members::lower::<Java>(tree_sitter_java::LANGUAGE.into(), text)
}

/// Java's grammar (see [`MemberLowerer`]).
enum Java {}

type Lowerer<'a> = MemberLowerer<'a, Java>;

use super::members::{self, ClassNames, MemberLowerer, MemberLowering};
use crate::source::named_children;

impl<'a> MemberLowering<'a> for Lowerer<'a> {
    const TRIVIA: &'static [&'static str] = &["line_comment", "block_comment"];
    const ENUM_MEMBER: &'static str = "enum_constant";
    const MORE_TYPE_DECLARATIONS: &'static [&'static str] = &["annotation_type_declaration"];

    const BASE_LISTS: &'static [&'static str] = &["superclass", "super_interfaces", "extends_interfaces"];
    const FIELD_DECLARATIONS: &'static [&'static str] = &["field_declaration", "constant_declaration"];
    const NAMED_FIELDS: &'static [&'static str] = &["enum_constant"];

    fn declarators<'t>(&self, decl: Node<'t>) -> Vec<Node<'t>> {
        let mut c = decl.walk();
        decl.children_by_field_name("declarator", &mut c).collect()
    }

    /// The last segment of each type named under `node` (generic arguments excluded).
    fn base_names(&self, node: Node, out: &mut Vec<String>) {
        for c in named_children(node) {
            match c.kind() {
                "type_identifier" => out.push(self.text(c).to_string()),
                "scoped_type_identifier" => {
                    let t = self.text(c);
                    out.push(t.rsplit('.').next().unwrap_or(t).trim().to_string());
                }
                "generic_type" => {
                    if let Some(first) = named_children(c).first() {
                        let t = self.text(*first);
                        out.push(t.rsplit('.').next().unwrap_or(t).trim().to_string());
                    }
                }
                "type_list" => self.base_names(c, out),
                _ => {}
            }
        }
    }

    /// The class body's names; a record's components are fields too.
    fn class_names(&self, name: &str, node: Node) -> ClassNames {
        let mut names = self.body_names(name, node.field("body"));
        if node.kind() == "record_declaration" {
            if let Some(params) = node.field("parameters") {
                for p in named_children(params) {
                    self.add_name(p, &mut names.fields);
                }
            }
        }
        names
    }

    /// `SANDBOX("https://sandbox.zohoapis.com")`: the constant's value is its
    /// first constructor argument (the usual one-field enum of hosts).
    fn enum_member(&mut self, node: Node, scope: ScopeId) {
        let Some(n) = node.field("name") else {
            return;
        };
        let args = node
            .field("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        let ns = self.span(n);
        let value = match args.into_iter().next() {
            Some(a) => a.value,
            None => Expr::new(ExprKind::Str(self.text(n).to_string()), ns),
        };
        let target = Expr::new(
            ExprKind::Member(Box::new(Expr::new(ExprKind::This, ns)), self.text(n).into()),
            ns,
        );
        let sp = self.span(node);
        self.push_assign(scope, target, value, None, sp);
        if let Some(body) = node.field("body") {
            self.block(body, scope, None);
        }
    }

    /// A capitalised name with lower case in it (not a constant).
    fn looks_like_type(name: &str) -> bool {
        name.chars().next().is_some_and(char::is_uppercase) && name.chars().any(|ch| ch.is_lowercase())
    }

    fn lambda_params(&mut self, p: Node, fscope: ScopeId) -> Vec<String> {
        match p.kind() {
            "identifier" => vec![self.text(p).to_string()],
            "formal_parameters" => {
                self.params(p, fscope);
                self.f.facts.scopes[fscope].params.clone()
            }
            _ => named_children(p)
                .into_iter()
                .filter(|c| c.kind() == "identifier")
                .map(|c| self.text(c).to_string())
                .collect(),
        }
    }
}

impl<'a> Lowerer<'a> {
    /// `switch (v) { case A -> …; case B: … }`: each case body is guarded by
    /// `v == label`; a switch used as a value is an alternative of its arms.
    fn switch(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Vec<Expr> {
        let (subject, cases) = self.switch_parts(node, "condition", scope);
        let mut values = Vec::new();
        for case in cases {
            let kids = named_children(case);
            let mut labels = Vec::new();
            for k in &kids {
                if k.kind() == "switch_label" {
                    for l in named_children(*k) {
                        labels.push(self.expr(l, scope, false));
                    }
                }
            }
            let g = frame::case_guard(subject.as_ref(), labels, self.span(case));
            let g = g.as_ref().or(guard);
            for k in kids {
                match k.kind() {
                    "switch_label" => {}
                    "expression_statement" if case.kind() == "switch_rule" => match named_children(k).first() {
                        Some(e) if e.kind() == "assignment_expression" => {
                            let v = self.assignment(*e, scope, g);
                            values.push(v);
                        }
                        Some(e) => values.push(self.expr_top(*e, scope, true)),
                        None => {}
                    },
                    kind if case.kind() == "switch_rule"
                        && (kind.ends_with("expression")
                            || kind.ends_with("literal")
                            || kind == "identifier"
                            || kind == "method_invocation"
                            || kind == "field_access") =>
                    {
                        values.push(self.expr_top(k, scope, false));
                    }
                    _ => self.stmt(k, scope, g),
                }
            }
        }
        values
    }

    /// `m.put("key", v)` as a statement: the item it sets.
    fn map_put(&mut self, node: Node, scope: ScopeId) -> Option<(Expr, Expr)> {
        if node.kind() != "method_invocation" || node.field("name").map(|n| self.text(n)) != Some("put") {
            return None;
        }
        let object = node.field("object")?;
        let args: Vec<Node> = node
            .field("arguments")
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| !Self::is_trivia(a.kind()))
            .collect();
        if args.len() != 2 || args[0].kind() != "string_literal" {
            return None;
        }
        let obj = self.expr(object, scope, true);
        let key = self.expr(args[0], scope, false);
        let value = self.expr(args[1], scope, false);
        let sp = self.span(node);
        Some((Expr::new(ExprKind::Index(Box::new(obj), Box::new(key)), sp), value))
    }

    /// Locals, fields and interface constants. Fields become `this.x`.
    fn declaration(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let is_field = node.kind() != "local_variable_declaration";
        let mut c = node.walk();
        let decls: Vec<Node> = node.children_by_field_name("declarator", &mut c).collect();
        for d in decls {
            let Some(n) = d.field("name") else {
                continue;
            };
            let name = self.text(n).to_string();
            let value = d.field("value").map(|v| {
                if v.kind() == "array_initializer" {
                    self.list(v, scope)
                } else {
                    self.expr_top(v, scope, false)
                }
            });
            let ns = self.span(n);
            let value = value.or_else(|| if is_field { self.value_annotation(node) } else { None });
            let sp = self.span(d);
            self.declare_var(scope, is_field, name, ns, value, guard, sp);
        }
    }

    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let Some((left, op, value)) = self.assignment_parts(node, scope) else {
            return Expr::unknown(sp);
        };
        self.store(left, op, value, scope, guard, sp)
    }

    fn function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = match node.kind() {
            "method_declaration" => self.field_text(node, "name"),
            _ => "constructor".to_string(),
        };
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        self.members.locals.push(HashSet::new());
        if let Some(params) = node.field("parameters") {
            self.params(params, scope);
        }
        if node.kind() == "method_declaration" && !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        if let Some(body) = node.field("body") {
            self.block(body, scope, None);
        }
        self.members.locals.pop();
        scope
    }

    /// Spring's `@Value("${a.b}")` on a field or parameter: a read of
    /// configuration key `a.b` (linked to `application*.properties|yml`).
    fn value_annotation(&mut self, node: Node) -> Option<Expr> {
        let modifiers = named_children(node).into_iter().find(|c| c.kind() == "modifiers")?;
        for a in named_children(modifiers) {
            if a.kind() != "annotation" || a.field("name").map(|n| self.text(n)) != Some("Value") {
                continue;
            }
            let args = a.field("arguments")?;
            let lit = named_children(args)
                .into_iter()
                .find(|c| c.kind() == "string_literal")?;
            let raw = self.string_value(lit);
            let key = crate::config::placeholder_key(&raw)?;
            let name = crate::config::config_read_name(key);
            self.f.facts.env_reads.push(key.to_string());
            return Some(Expr::new(ExprKind::Env(name), self.span(a)));
        }
        None
    }

    /// The field and method names a class body declares.
    fn body_names(&self, name: &str, body: Option<Node>) -> ClassNames {
        let mut names = ClassNames::new(name);
        let Some(body) = body else { return names };
        let mut members = named_children(body);
        if let Some(decls) = members.iter().position(|m| m.kind() == "enum_body_declarations") {
            let inner = named_children(members[decls]);
            members.extend(inner);
        }
        self.add_member_names(members, &mut names);
        names
    }

    /// `import a.b.C;` → C from module `a.b`; `import static a.b.C.X;` → X
    /// from `a.b.C`. Wildcard imports bind no name.
    fn import(&mut self, node: Node, scope: ScopeId) {
        if named_children(node).iter().any(|c| c.kind() == "asterisk") {
            return;
        }
        let Some(path) = named_children(node)
            .into_iter()
            .find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
        else {
            return;
        };
        let full = self.text(path);
        let Some((module, name)) = full.rsplit_once('.') else {
            return;
        };
        let module: String = module.chars().filter(|c| !c.is_whitespace()).collect();
        self.push_import(
            scope,
            name.trim().to_string(),
            module,
            Some(name.trim().to_string()),
            self.span(node),
        );
    }

    fn list(&mut self, node: Node, scope: ScopeId) -> Expr {
        self.list_of(node, scope, "array_initializer")
    }

    /// The unescaped content of a string literal or text block.
    fn string_value(&self, node: Node) -> String {
        self.string_of(
            node,
            &["string_fragment", "escape_sequence", "multiline_string_fragment"],
        )
    }
}

mod calls;
mod lowering;

#[cfg(test)]
mod tests;
