//! Python front-end: tree-sitter-python → facts.
//!
//! Lowers module/class/function scopes, assignments (plain, augmented,
//! tuple, `with … as`, `for … in`), returns, `if` guards, imports, calls with
//! keyword arguments, f-strings, `%`/`.format()` string building, ternaries,
//! `or` defaults and `os.environ` / `os.getenv` reads.

use crate::source::Field;
use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;

/// Settings libraries' env readers (django-environ, python-decouple).
const ENV_SETTINGS_READERS: &[&str] = &[
    "env",
    "env.str",
    "env.url",
    "env.get_value",
    "env.bool",
    "env.int",
    "env.float",
    "env.list",
    "env.json",
    "environ.Env",
    "config",
    "decouple.config",
];

/// Base classes of settings read from the environment (pydantic-settings,
/// pydantic v1): each annotated field is an env read.
const SETTINGS_BASES: &[&str] = &["BaseSettings"];

/// The name Django's settings object is imported as (`from django.conf
/// import settings`).
const DJANGO_SETTINGS: &str = "settings";

/// A read of a Django setting: the value the settings modules (profiles)
/// give it, as any configuration key is read.
fn django_setting(name: &str, default: Option<Expr>, sp: Span) -> Expr {
    frame::or_default(
        Expr::new(ExprKind::Env(crate::config::config_read_name(name).into()), sp),
        default,
        sp,
    )
}

pub fn lower(text: &str) -> FileFacts {
    frame::lower(tree_sitter_python::LANGUAGE.into(), text, |f| Lowerer { f })
}

struct Lowerer<'a> {
    f: Frame<'a>,
}

use crate::source::{named_children, two_fields};

impl<'a> Lowerer<'a> {
    fn with_item(&mut self, item: Node, scope: ScopeId, guard: Option<&Expr>) {
        let Some(value) = item.field("value") else {
            return;
        };
        if value.kind() == "as_pattern" {
            let kids = named_children(value);
            if let Some(src) = kids.first() {
                let v = self.expr_top(*src, scope, false);
                if let Some(alias) = value.field("alias") {
                    let target = named_children(alias).first().copied().unwrap_or(alias);
                    let sp = self.span(value);
                    self.bind_target(target, v, scope, guard, sp);
                }
            }
        } else {
            self.expr_top(value, scope, true);
        }
    }

    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let Some(left) = node.field("left") else {
            return;
        };
        let Some(right) = node.field("right") else {
            return; // annotation only: `x: int`
        };
        let sp = self.span(node);
        if right.kind() == "assignment" {
            // a = b = value
            self.assignment(right, scope, guard);
            if let Some(inner) = right.field("left") {
                let v = self.expr(inner, scope, false);
                self.bind_target(left, v, scope, guard, sp);
            }
            return;
        }
        let mut value = self.expr_top(right, scope, false);
        if node.kind() == "augmented_assignment" {
            let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
            if op == "+=" {
                let current = self.expr(left, scope, false);
                let vs = value.span;
                value = Expr::new(ExprKind::Concat(vec![current, value].into()), vs);
            } else {
                value = Expr::unknown(value.span);
            }
        }
        self.bind_target(left, value, scope, guard, sp);
    }

    fn bind_target(&mut self, target: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        match target.kind() {
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                let targets = named_children(target);
                for (i, t) in targets.iter().enumerate() {
                    self.bind_target(*t, value.element(i, targets.len()), scope, guard, span);
                }
            }
            _ => {
                let t = self.expr(target, scope, false);
                self.push_assign(scope, t, value, guard, span);
            }
        }
    }

    fn function(&mut self, node: Node, parent: ScopeId) {
        let scope = self.declare_function(node, parent);
        if let Some(body) = node.field("body") {
            self.block(body, scope, None);
        }
    }

    fn class(&mut self, node: Node, parent: ScopeId) {
        let mut bases = Vec::new();
        if let Some(supers) = node.field("superclasses") {
            for b in named_children(supers) {
                if matches!(b.kind(), "identifier" | "attribute") {
                    let text = self.text(b);
                    bases.push(text.rsplit('.').next().unwrap_or(text).trim().to_string());
                }
            }
        }
        let settings = bases.iter().any(|b| SETTINGS_BASES.contains(&b.as_str()));
        let scope = self.declare_class(node, self.field_text(node, "name"), parent, bases);
        let Some(body) = node.field("body") else {
            return;
        };
        if !settings {
            self.block(body, scope, None);
            return;
        }
        let prefix = self.env_prefix(body);
        for s in self.statements(body) {
            if !self.settings_field(s, scope, &prefix) {
                self.stmt(s, scope, None);
            }
        }
    }

    /// A pydantic-settings class's `env_prefix` (`model_config =
    /// SettingsConfigDict(env_prefix="ZOHO_")`, or `class Config:
    /// env_prefix = "ZOHO_"`).
    fn env_prefix(&self, body: Node) -> String {
        let mut found = String::new();
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "keyword_argument" || n.kind() == "assignment" {
                let (k, v) = match n.kind() {
                    "keyword_argument" => (n.field("name"), n.field("value")),
                    _ => (n.field("left"), n.field("right")),
                };
                if let (Some(k), Some(v)) = (k, v) {
                    if self.text(k) == "env_prefix" && v.kind() == "string" {
                        found = self.text(v).trim_matches(['"', '\'']).to_string();
                    }
                }
            }
            // The class body, `model_config = …(…)` and an inner `class Config`.
            if matches!(
                n.kind(),
                "block" | "expression_statement" | "assignment" | "call" | "argument_list" | "class_definition"
            ) {
                stack.extend(named_children(n));
            }
        }
        found
    }

    /// A field of a pydantic-settings class (`zoho_token: str =
    /// Field(alias="ZOHO_TOKEN")`, `zoho_dc: str = "us"`): a read of its env
    /// var, by alias or by `env_prefix` + name, with its default. False
    /// for any other statement.
    fn settings_field(&mut self, stmt: Node, scope: ScopeId, prefix: &str) -> bool {
        let Some(a) = named_children(stmt)
            .first()
            .copied()
            .filter(|a| a.kind() == "assignment")
        else {
            return false;
        };
        let (Some(left), Some(_)) = (a.field("left"), a.field("type")) else {
            return false;
        };
        if left.kind() != "identifier" || self.text(left) == "model_config" {
            return false;
        }
        let field = self.text(left).to_string();
        let value = a.field("right").map(|r| self.expr_top(r, scope, false));
        let (alias, default) = match value.as_ref().map(|v| &v.kind) {
            Some(ExprKind::Call(call))
                if matches!(call.callee.dotted().as_deref(), Some("Field" | "pydantic.Field")) =>
            {
                let named = |k: &str| call.args.iter().find(|x| x.name.as_deref() == Some(k));
                let alias = ["validation_alias", "alias", "env"]
                    .iter()
                    .find_map(|k| named(k).and_then(|x| x.value.as_str()).map(str::to_string));
                let default = named("default")
                    .or_else(|| call.args.first().filter(|x| x.name.is_none()))
                    .map(|x| x.value.clone())
                    .filter(|d| !matches!(d.kind, ExprKind::Unknown));
                (alias, default)
            }
            _ => (None, value),
        };
        let name = alias.unwrap_or_else(|| format!("{prefix}{field}").to_ascii_uppercase());
        let sp = self.span(a);
        let read = self.env_read(name, default, sp);
        let target = Expr::new(ExprKind::Name(field.into()), self.span(left));
        self.push_assign(scope, target, read, None, sp);
        true
    }

    /// An imported name and the local name it binds: `a as b` → (a, b).
    fn imported_name(&self, n: Node) -> (String, String) {
        if n.kind() != "aliased_import" {
            return (self.text(n).to_string(), self.text(n).to_string());
        }
        let m = n.field("name").map(|x| self.text(x)).unwrap_or("");
        let a = n.field("alias").map(|x| self.text(x)).unwrap_or(m);
        (m.to_string(), a.to_string())
    }

    fn import(&mut self, node: Node, scope: ScopeId) {
        let sp = self.span(node);
        let mut c = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut c).collect();
        for n in names {
            // `import a.b` binds `a`; member access a.b.X is resolved via the module path.
            let (module, local) = self.imported_name(n);
            self.push_import(scope, local, module, None, sp);
        }
    }

    fn import_from(&mut self, node: Node, scope: ScopeId) {
        let sp = self.span(node);
        let module = node
            .field("module_name")
            .map(|m| self.text(m).to_string())
            .unwrap_or_default();
        // `from .base import *`: a star import (settings modules inherit it).
        let mut w = node.walk();
        if node.named_children(&mut w).any(|n| n.kind() == "wildcard_import") {
            self.push_import(scope, "*".into(), module.clone(), Some("*".into()), sp);
        }
        let mut c = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut c).collect();
        for n in names {
            let (name, local) = self.imported_name(n);
            self.push_import(scope, local, module.clone(), Some(name), sp);
        }
    }

    fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(func) = node.field("function") else {
            return Expr::unknown(sp);
        };
        // The callee's receiver chain is part of this call's chain.
        let callee = self.expr(func, scope, true);
        let mut args = Vec::new();
        if let Some(arglist) = node.field("arguments") {
            for a in named_children(arglist) {
                match a.kind() {
                    "keyword_argument" => {
                        let name = a.field("name").map(|n| self.text(n).to_string());
                        if let Some(v) = a.field("value") {
                            let value = self.expr(v, scope, false);
                            args.push(Arg {
                                name: name.map(Into::into),
                                value,
                            });
                        }
                    }
                    "comment" => {}
                    "list_splat" | "dictionary_splat" => {
                        if let Some(inner) = named_children(a).first() {
                            args.push(self.positional_arg(*inner, scope));
                        }
                    }
                    _ => {
                        args.push(self.positional_arg(a, scope));
                    }
                }
            }
        }
        let dotted = callee.dotted();
        // Environment reads.
        if let Some(d) = dotted.as_deref() {
            // django-environ `env("X")` / `env.str("X")` and python-decouple
            // `config("X")`, when they read an env-var-shaped name.
            let settings_reader = ENV_SETTINGS_READERS.contains(&d)
                && args
                    .first()
                    .and_then(|a| a.value.as_str())
                    .is_some_and(crate::config::is_setting_name);
            // `getattr(settings, "ZOHO_BASE_URL", default)`.
            if d == "getattr"
                && args
                    .first()
                    .is_some_and(|a| matches!(&a.value.kind, ExprKind::Name(n) if &**n == DJANGO_SETTINGS))
            {
                if let Some(name) = args
                    .get(1)
                    .and_then(|a| a.value.as_str())
                    .filter(|n| crate::config::is_setting_name(n))
                {
                    let default = args.get(2).map(|d| d.value.clone());
                    return django_setting(name, default, sp);
                }
            }
            if settings_reader
                || matches!(
                    d,
                    "os.getenv" | "getenv" | "os.environ.get" | "environ.get" | "os.environ.setdefault"
                )
            {
                let default = args.get(1).map(|d| d.value.clone());
                if let Some(read) = args.first().and_then(|a| self.env_read_by(&a.value, default, sp)) {
                    return read;
                }
            }
        }
        // "…".format(a, b) → string building.
        if let ExprKind::Member(obj, m) = &callee.kind {
            if &**m == "format" {
                return crate::template::fill(FormatStyle::Python, (**obj).clone(), args, sp);
            }
        }
        self.call_site(callee, args, false, sp, scope, receiver)
    }
}

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    /// `binary_operator` and `boolean_operator`.
    const ENV_OBJECTS: &'static [&'static str] = &["os.environ", "environ"];

    const OPERATORS: frame::Operators = frame::Operators::new(&["+"], &["or"], &["and"]).with_percent_format();

    /// f-strings.
    const INTERPOLATION: frame::Interpolation = frame::Interpolation {
        strings: &["string"],
        literal: &["string_content", "escape_sequence"],
        hole: "interpolation",
        inner: |c| c.field("expression"),
        lower_rest: false,
    };

    fn params(&mut self, params: Node, scope: ScopeId) {
        let in_class = self.f.facts.scopes[scope]
            .parent
            .is_some_and(|p| self.f.facts.scopes[p].kind == ScopeKind::Class);
        let mut names = Vec::new();
        for p in named_children(params) {
            let name_node = match p.kind() {
                "identifier" => Some(p),
                "default_parameter" | "typed_default_parameter" => p.field("name"),
                "typed_parameter" => named_children(p).into_iter().find(|c| c.kind() == "identifier"),
                _ => None,
            };
            if let Some(n) = name_node {
                names.push(self.text(n).to_string());
            }
            // `**kwargs`: the keywords no other parameter names, as one dict.
            if p.kind() == "dictionary_splat_pattern" {
                if let Some(n) = named_children(p).into_iter().find(|c| c.kind() == "identifier") {
                    self.f.facts.scopes[scope].kwrest = Some(self.text(n).to_string());
                }
            }
            if let Some(v) = p.field("value") {
                // Defaults are alternatives of the parameter.
                let value = self.expr_top(v, scope, false);
                if let Some(n) = name_node {
                    let name = self.text(n).to_string();
                    let sp = self.span(p);
                    self.push_assign(
                        scope,
                        Expr::new(ExprKind::Name(name.into()), self.span(n)),
                        value,
                        None,
                        sp,
                    );
                }
            }
        }
        if in_class && names.first().is_some_and(|n| n == "self" || n == "cls") {
            names.remove(0);
        }
        self.f.facts.scopes[scope].params = names;
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => self.expression_statement(node, scope, guard),
            "function_definition" => self.function(node, scope),
            "class_definition" => self.class(node, scope),
            "decorated_definition" => {
                if let Some(d) = node.field("definition") {
                    let first = self.f.facts.scopes.len();
                    self.stmt(d, scope, guard);
                    // `@property` / `@cached_property`: reading the member
                    // calls the method.
                    let property = named_children(node).iter().any(|c| {
                        c.kind() == "decorator"
                            && matches!(
                                self.text(*c).trim_start_matches('@').trim(),
                                "property" | "cached_property" | "functools.cached_property"
                            )
                    });
                    if property && d.kind() == "function_definition" {
                        if let Some(s) = self.f.facts.scopes.get_mut(first) {
                            s.getter = true;
                        }
                    }
                }
            }
            "return_statement" => {
                let value = named_children(node).first().copied();
                self.return_stmt(node, value, scope, guard);
            }
            "if_statement" => {
                let cond = self.condition(node, scope);
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.field("consequence") {
                    self.block(b, scope, g);
                }
                let mut c = node.walk();
                for alt in node.children_by_field_name("alternative", &mut c) {
                    match alt.kind() {
                        "elif_clause" => {
                            let ec = alt.field("condition").map(|c| self.expr_top(c, scope, false));
                            if let Some(b) = alt.field("consequence") {
                                self.block(b, scope, ec.as_ref().or(g));
                            }
                        }
                        _ => {
                            if let Some(b) = alt.field("body") {
                                self.block(b, scope, g);
                            }
                        }
                    }
                }
            }
            "for_statement" => {
                if let Some((left, right)) = two_fields(node, "left", "right") {
                    let iter = self.expr_top(right, scope, false);
                    let sp = self.span(node);
                    let value = frame::any_element(iter, sp, self.span(right));
                    self.bind_target(left, value, scope, guard, sp);
                }
                for f in ["body", "alternative"] {
                    if let Some(b) = node.field(f) {
                        self.stmt(b, scope, guard);
                    }
                }
            }
            "with_statement" => {
                for child in named_children(node) {
                    if child.kind() == "with_clause" {
                        for item in named_children(child) {
                            self.with_item(item, scope, guard);
                        }
                    } else {
                        self.stmt(child, scope, guard);
                    }
                }
            }
            "import_statement" => self.import(node, scope),
            "import_from_statement" => self.import_from(node, scope),
            "block" | "else_clause" | "finally_clause" | "except_clause" | "while_statement" | "try_statement"
            | "match_statement" | "case_clause" | "elif_clause" | "module" => {
                if node.kind() == "while_statement" {
                    if let Some(c) = node.field("condition") {
                        self.expr_top(c, scope, false);
                    }
                }
                for child in named_children(node) {
                    self.stmt(child, scope, guard);
                }
            }
            "global_statement" | "nonlocal_statement" | "pass_statement" | "comment" | "break_statement"
            | "continue_statement" => {}
            _ => {
                // Expressions in odd statement positions (asserts, raise, del…):
                // lower them so their calls are seen.
                if node.is_named() {
                    self.mixed_children(node, scope, guard, |k| k.ends_with("statement") || k == "block");
                }
            }
        }
    }

    fn expr_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "assignment" | "augmented_assignment" => self.assignment(node, scope, guard),
            _ => {
                self.expr_top(node, scope, true);
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => match self.text(node) {
                "self" | "cls" => ExprKind::This,
                t => ExprKind::Name(t.to_string().into()),
            },
            "string" => return self.interpolated_string(node, scope),
            "concatenated_string" => return self.adjacent_strings(node, scope, Self::interpolated_string),
            // Django's `settings.ZOHO_BASE_URL`: a setting the deployment's
            // settings module gives, read like an env var.
            "attribute" => {
                let obj = node.field("object").map(|o| self.text(o));
                let name = self.field_text(node, "attribute");
                if obj == Some(DJANGO_SETTINGS) && crate::config::is_setting_name(&name) {
                    return django_setting(&name, None, sp);
                }
                // `import acme.crm.hosts` then `acme.crm.hosts.BASE`: a member
                // of the module that dotted import names.
                if let Some(o) = obj.filter(|o| o.contains('.') && self.f.facts.imports.iter().any(|i| i.local == *o)) {
                    let on = node.field("object").map_or(sp, |n| self.span(n));
                    return frame::member(frame::name(o, on), name, sp);
                }
                return self.member_fields(node, scope, receiver, "object", "attribute");
            }
            "subscript" => {
                let value = node.field("value");
                let sub = node.field("subscript");
                match (value, sub) {
                    (Some(v), Some(s)) => self.subscript(v, s, scope, receiver),
                    _ => ExprKind::Unknown,
                }
            }
            "call" => return self.call(node, scope, receiver),
            "binary_operator" | "boolean_operator" => return self.binary(node, scope),
            "conditional_expression" => {
                let kids = named_children(node);
                if kids.len() == 3 {
                    let a = self.expr(kids[0], scope, false);
                    let c = self.expr(kids[1], scope, false);
                    let b = self.expr(kids[2], scope, false);
                    ExprKind::Alt {
                        cond: Some(Box::new(c)),
                        alts: vec![a, b].into(),
                    }
                } else {
                    ExprKind::Unknown
                }
            }
            "comparison_operator" | "not_operator" => {
                let kids = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                ExprKind::Test(kids)
            }
            "parenthesized_expression" | "await" | "expression_list" if named_children(node).len() == 1 => {
                let inner = named_children(node)[0];
                return self.expr(inner, scope, receiver);
            }
            "tuple" | "list" | "set" | "expression_list" => return self.list_items(node, scope),
            "dictionary" => {
                let mut pairs = Vec::new();
                for p in named_children(node) {
                    if p.kind() == "pair" {
                        if let Some((k, v)) = two_fields(p, "key", "value") {
                            let k = self.expr(k, scope, false);
                            let v = self.expr(v, scope, false);
                            pairs.push((k, v));
                        }
                    } else if p.kind() == "dictionary_splat" {
                        if let Some(inner) = named_children(p).first() {
                            let v = self.expr(*inner, scope, false);
                            pairs.push((Expr::unknown(v.span), v));
                        }
                    }
                }
                ExprKind::Dict(pairs.into())
            }
            "lambda" => {
                let fscope = self.f.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
                if let Some(p) = node.field("parameters") {
                    self.params(p, fscope);
                }
                if let Some(body) = node.field("body") {
                    let value = self.expr(body, fscope, false);
                    self.push_return(fscope, value, None);
                }
                ExprKind::Func(fscope)
            }
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "none" => ExprKind::Null,
            "integer" | "float" => ExprKind::Number,
            // (x := value)
            "named_expression" => match two_fields(node, "name", "value") {
                Some((n, v)) => {
                    let ve = self.expr(v, scope, false);
                    self.bind_target(n, ve.clone(), scope, None, sp);
                    return ve;
                }
                None => ExprKind::Unknown,
            },
            // Generators, comprehensions, unary ops…: still lower children so
            // calls inside them are recorded.
            _ => return self.unmodelled(node, scope),
        };
        Expr::new(kind, sp)
    }
}

#[cfg(test)]
mod tests {
    use super::lower;

    #[test]
    fn keyword_rest_parameters() {
        let f = lower("def request(path, *args, token=None, **kwargs):\n    pass\n\ndef plain(a, *args):\n    pass\n");
        let s = |name: &str| f.scopes.iter().find(|s| s.name == name).unwrap();
        assert_eq!(s("request").kwrest.as_deref(), Some("kwargs"));
        assert_eq!(s("request").params, ["path", "token"]);
        assert_eq!(s("plain").kwrest, None);
    }

    #[test]
    fn properties_are_getters() {
        let f = lower(
            "class Api:\n    @property\n    def api_url(self):\n        return 'x'\n\n    @staticmethod\n    def plain():\n        return 'y'\n\n    def method(self):\n        return 'z'\n",
        );
        let getter = |name: &str| f.scopes.iter().find(|s| s.name == name).map(|s| s.getter);
        assert_eq!(getter("api_url"), Some(true));
        assert_eq!(getter("plain"), Some(false));
        assert_eq!(getter("method"), Some(false));
    }

    #[test]
    fn django_settings_are_configuration_reads() {
        use crate::facts::ExprKind;
        let f = lower(
            "from django.conf import settings
A = settings.ZOHO_BASE_URL
B = getattr(settings, 'ZOHO_API', 'x')
C = settings.debug
D = other.ZOHO_BASE_URL
",
        );
        let value = |name: &str| {
            let a = f
                .assigns
                .iter()
                .find(|a| a.target.last_name() == Some(name))
                .expect(name);
            match &a.value.kind {
                ExprKind::Env(n) => format!("read {n}"),
                ExprKind::Alt { alts, .. } => match &alts[0].kind {
                    ExprKind::Env(n) => format!("read {n} or default"),
                    _ => "other".into(),
                },
                _ => "other".into(),
            }
        };
        assert_eq!(value("A"), "read config:zohobaseurl");
        assert_eq!(value("B"), "read config:zohoapi or default");
        assert_eq!(value("C"), "other");
        assert_eq!(value("D"), "other");
        // Not env vars: the prefilter's second pass looks for those.
        assert!(f.env_reads.is_empty());
    }
}
