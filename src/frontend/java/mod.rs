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
        names.settings = self.settings_prefix(node);
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
            None => Expr::new(ExprKind::Str(self.text(n).to_string().into()), ns),
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
            let value = match is_field {
                true if self.annotation(node, "Value").is_some() => value.or_else(|| self.value_annotation(node)),
                // A field of a `@ConfigurationProperties` class: its key, the
                // initialiser its default.
                true if !self.is_static(node) => match self.settings_key(&name) {
                    Some(key) => Some(self.settings_read(&key, value, ns)),
                    None => value,
                },
                _ => value,
            };
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
        let a = self.annotation(node, "Value")?;
        let raw = self.annotation_string(a, "value")?;
        let key = crate::config::placeholder_key(&raw)?.to_string();
        Some(self.settings_read(&key, None, self.span(a)))
    }

    /// Spring's `@ConfigurationProperties(prefix = "zoho")` (or `("zoho")`)
    /// on a class: the section its fields are bound from.
    fn settings_prefix(&self, node: Node) -> Option<String> {
        let a = self.annotation(node, "ConfigurationProperties")?;
        Some(
            self.annotation_string(a, "prefix")
                .or_else(|| self.annotation_string(a, "value"))
                .unwrap_or_default(),
        )
    }

    /// A `static` declaration (a constant, not a bound property).
    fn is_static(&self, node: Node) -> bool {
        named_children(node)
            .into_iter()
            .find(|c| c.kind() == "modifiers")
            .is_some_and(|m| {
                (0..m.child_count())
                    .filter_map(|i| m.child(i))
                    .any(|c| c.kind() == "static")
            })
    }

    /// The annotation `name` among a declaration's modifiers.
    fn annotation<'t>(&self, node: Node<'t>, name: &str) -> Option<Node<'t>> {
        let modifiers = named_children(node).into_iter().find(|c| c.kind() == "modifiers")?;
        named_children(modifiers).into_iter().find(|a| {
            matches!(a.kind(), "annotation" | "marker_annotation")
                && a.field("name")
                    .map(|n| self.text(n).rsplit('.').next().unwrap_or_default() == name)
                    == Some(true)
        })
    }

    /// An annotation's string element `key` (`@A(key = "x")`); `value` is
    /// also the one written without a key (`@A("x")`).
    fn annotation_string(&self, a: Node, key: &str) -> Option<String> {
        let args = a.field("arguments")?;
        named_children(args).into_iter().find_map(|c| match c.kind() {
            "string_literal" if key == "value" => Some(self.string_value(c)),
            "element_value_pair" if c.field("key").map(|k| self.text(k)) == Some(key) => c
                .field("value")
                .filter(|v| v.kind() == "string_literal")
                .map(|v| self.string_value(v)),
            _ => None,
        })
    }

    /// A read of configuration key `key` (`default` when it is unset).
    fn settings_read(&mut self, key: &str, default: Option<Expr>, sp: Span) -> Expr {
        self.f.facts.env_reads.push(key.to_string());
        frame::or_default(
            Expr::new(ExprKind::Env(crate::config::config_read_name(key).into()), sp),
            default,
            sp,
        )
    }

    /// The configuration key of `name` in the innermost class when the
    /// framework binds that class's fields from a section
    /// ([`ClassNames::settings`]).
    fn settings_key(&self, name: &str) -> Option<String> {
        let prefix = self.members.classes.last()?.settings.as_deref()?;
        Some(match prefix {
            "" => name.to_string(),
            p => format!("{p}.{name}"),
        })
    }

    /// The key a parameter of function `scope` is bound from in a
    /// `@ConfigurationProperties` class: a constructor's (or record's)
    /// parameter by its name, a setter's `setApiHost(String v)` by the
    /// property it sets.
    fn settings_param(&self, scope: ScopeId, name: &str, count: usize) -> Option<String> {
        let function = self.f.facts.scopes[scope].name.as_str();
        let property = match function.strip_prefix("set") {
            _ if function == "constructor" => name.to_string(),
            Some(p) if count == 1 && p.starts_with(|c: char| c.is_ascii_uppercase()) => {
                let mut c = p.chars();
                c.next().map(|f| f.to_ascii_lowercase()).into_iter().chain(c).collect()
            }
            _ => return None,
        };
        self.settings_key(&property)
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
    /// from `a.b.C`. A wildcard import (`import a.b.*;`) binds no name: it is
    /// a whole-module import of `a.b` (local `*`), whose classes the second
    /// pass looks for by the types the file uses.
    fn import(&mut self, node: Node, scope: ScopeId) {
        let Some(path) = named_children(node)
            .into_iter()
            .find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
        else {
            return;
        };
        let full = self.text(path);
        if named_children(node).iter().any(|c| c.kind() == "asterisk") {
            let module: String = full.chars().filter(|c| !c.is_whitespace()).collect();
            self.push_import(scope, "*".into(), module, None, self.span(node));
            return;
        }
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
