//! C# front-end: tree-sitter-c-sharp → facts.
//!
//! Lowers namespaces, classes, structs, records and interfaces (with their
//! base list), enums; fields, `const` and `static readonly` constants and
//! properties (initialisers and `=> expr` bodies) as class fields, so
//! `this.X`, a bare `X` and `Config.X` all find them; methods, constructors
//! and local functions with parameters (and defaults) and returns; locals
//! with the `if` guard they sit under; ternaries, `??`, `switch` statements
//! and expressions; string concatenation, `$"…"` interpolation, verbatim and
//! raw strings, `string.Format` / `String.Concat`;
//! `Environment.GetEnvironmentVariable("X")` as an env read; `new` calls with
//! named arguments and object initialisers (`new HttpClient { BaseAddress =
//! … }` as named arguments); `new Uri(u)` as the address it wraps and
//! `new AuthenticationHeaderValue(scheme, token)` as the header value it
//! stands for; method chains as call chains; `using` directives as imports.
//!
//! A bare identifier that names a field or property of an enclosing class
//! (and is not shadowed by a local or parameter) is lowered as `this.x`, a
//! bare call of one of its methods as `this.M(…)`.

use crate::source::Field;
use std::collections::HashSet;

use tree_sitter::Node;

use super::frame::{self, Lowering};
use crate::facts::*;
use crate::source::{two_fields, unescape};

pub fn lower(text: &str) -> FileFacts {
    members::lower::<CSharp>(tree_sitter_c_sharp::LANGUAGE.into(), text)
}

/// C#'s grammar (see [`MemberLowerer`]).
enum CSharp {}

type Lowerer<'a> = MemberLowerer<'a, CSharp>;

use super::members::{self, ClassNames, MemberLowerer, MemberLowering};
use crate::source::named_children;

impl<'a> MemberLowering<'a> for Lowerer<'a> {
    const TRIVIA: &'static [&'static str] = &[
        "comment",
        "attribute_list",
        "modifier",
        "preproc_if",
        "preproc_region",
        "preproc_endregion",
    ];
    const ENUM_MEMBER: &'static str = "enum_member_declaration";
    const MORE_TYPE_DECLARATIONS: &'static [&'static str] = &["struct_declaration"];

    const BASE_LISTS: &'static [&'static str] = &["base_list"];

    fn base_names(&self, list: Node, bases: &mut Vec<String>) {
        for b in named_children(list) {
            let t = match b.kind() {
                "generic_name" => named_children(b).first().map(|f| self.text(*f)).unwrap_or(""),
                "primary_constructor_base_type" => b
                    .field("type")
                    .or_else(|| named_children(b).first().copied())
                    .map(|f| self.text(f))
                    .unwrap_or(""),
                _ => self.text(b),
            };
            let t = t.split('<').next().unwrap_or(t);
            let last = t.rsplit('.').next().unwrap_or(t).trim();
            if !last.is_empty() {
                bases.push(last.to_string());
            }
        }
    }

    /// The field, property and method names a type body declares.
    fn class_names(&self, name: &str, node: Node) -> ClassNames {
        let mut names = ClassNames::new(name);
        if let Some(params) = node
            .field("parameters")
            .or_else(|| named_children(node).into_iter().find(|c| c.kind() == "parameter_list"))
        {
            // record R(string Token) / primary constructors: members.
            for p in named_children(params) {
                self.add_name(p, &mut names.fields);
            }
        }
        let Some(body) = node.field("body") else {
            return names;
        };
        self.add_member_names(named_children(body), &mut names);
        names
    }

    const FIELD_DECLARATIONS: &'static [&'static str] = &["field_declaration", "event_field_declaration"];
    const NAMED_FIELDS: &'static [&'static str] = &["property_declaration", "enum_member_declaration"];

    /// The declarators of the declaration's `variable_declaration`.
    fn declarators<'t>(&self, decl: Node<'t>) -> Vec<Node<'t>> {
        named_children(decl)
            .into_iter()
            .filter(|v| v.kind() == "variable_declaration")
            .flat_map(named_children)
            .collect()
    }

    /// `Sandbox = 2`: the member's value, or its name.
    fn enum_member(&mut self, node: Node, scope: ScopeId) {
        let Some(n) = node.field("name") else {
            return;
        };
        let ns = self.span(n);
        let value = match node.field("value") {
            Some(v) => self.expr_top(v, scope, false),
            None => Expr::new(ExprKind::Str(self.text(n).to_string().into()), ns),
        };
        let target = frame::this_member(self.text(n), ns);
        let sp = self.span(node);
        self.push_assign(scope, target, value, None, sp);
    }

    /// A capitalised name.
    fn looks_like_type(name: &str) -> bool {
        name.chars().next().is_some_and(char::is_uppercase)
    }

    fn lambda_params(&mut self, p: Node, fscope: ScopeId) -> Vec<String> {
        match p.kind() {
            "parameter_list" => {
                self.params(p, fscope);
                self.f.facts.scopes[fscope].params.clone()
            }
            _ => vec![self.text(p).to_string()],
        }
    }
}

impl<'a> Lowerer<'a> {
    /// A body: a block, or `=> expr` returning `expr`.
    fn body(&mut self, body: Node, scope: ScopeId) {
        if body.kind() != "arrow_expression_clause" {
            return self.block(body, scope, None);
        }
        if let Some(e) = named_children(body).first() {
            let value = self.expr_top(*e, scope, false);
            self.push_return(scope, value, None);
        }
    }

    /// `switch (v) { case A: … }`: each section is guarded by `v == label`.
    fn switch_stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let (subject, sections) = self.switch_parts(node, "value", scope);
        for section in sections {
            let kids = named_children(section);
            let mut labels = Vec::new();
            for k in &kids {
                if matches!(k.kind(), "constant_pattern" | "case_switch_label") {
                    labels.push(self.expr(*k, scope, false));
                }
            }
            let g = frame::case_guard(subject.as_ref(), labels, self.span(section));
            let g = g.as_ref().or(guard);
            for k in kids {
                if k.kind().ends_with("statement") || k.kind() == "block" {
                    self.stmt(k, scope, g);
                }
            }
        }
    }

    /// `T a = x, b = y;` as locals or fields (fields become `this.a`).
    fn variables(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, is_field: bool) {
        let wrapped = node.field("type").and_then(|t| self.options_wrapped(t)).is_some();
        for d in named_children(node) {
            if d.kind() != "variable_declarator" {
                continue;
            }
            let Some(n) = d.field("name") else {
                // `var (token, host) = Bootstrap();`
                let tuple = named_children(d).into_iter().find(|c| c.kind() == "tuple_pattern");
                let value = named_children(d)
                    .into_iter()
                    .rfind(|c| {
                        !matches!(c.kind(), "bracketed_argument_list" | "tuple_pattern") && !Self::is_trivia(c.kind())
                    })
                    .map(|v| self.value(v, scope));
                if let (Some(t), Some(v)) = (tuple, value) {
                    let sp = self.span(d);
                    self.destructure(t, v, scope, guard, sp);
                }
                continue;
            };
            let name = self.text(n).to_string();
            if wrapped {
                self.members.wrappers.insert(name.clone());
            }
            let value = named_children(d)
                .into_iter()
                .rfind(|c| c.id() != n.id() && !matches!(c.kind(), "bracketed_argument_list" | "tuple_pattern"))
                .map(|v| self.value(v, scope));
            let ns = self.span(n);
            let sp = self.span(d);
            self.declare_var(scope, is_field, name, ns, value, guard, sp);
        }
    }

    /// A tuple pattern or tuple of targets (`(token, host)`, `var (a, _)`,
    /// `(string t, string h)`), each bound to its element of `value`.
    fn destructure(&mut self, targets: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        let elems: Vec<Node> = named_children(targets)
            .into_iter()
            .filter(|c| !Self::is_trivia(c.kind()))
            .collect();
        for (i, el) in elems.iter().enumerate() {
            let v = value.element(i, elems.len());
            let el = match el.kind() {
                "argument" => named_children(*el)
                    .into_iter()
                    .rfind(|c| !Self::is_trivia(c.kind()))
                    .unwrap_or(*el),
                _ => *el,
            };
            match el.kind() {
                "tuple_pattern" | "tuple_expression" => self.destructure(el, v, scope, guard, span),
                "identifier" => {
                    let name = self.text(el).to_string();
                    self.members.declare_local(&name);
                    let t = Expr::new(ExprKind::Name(name.into()), self.span(el));
                    self.push_assign(scope, t, v, guard, span);
                }
                "declaration_expression" => {
                    if let Some(n) = el.field("name") {
                        let name = self.text(n).to_string();
                        self.members.declare_local(&name);
                        let t = Expr::new(ExprKind::Name(name.into()), self.span(n));
                        self.push_assign(scope, t, v, guard, span);
                    }
                }
                _ => {
                    let t = self.expr(el, scope, false);
                    self.push_assign(scope, t, v, guard, span);
                }
            }
        }
    }

    /// An initialiser: `= x` or a bare expression.
    fn value(&mut self, node: Node, scope: ScopeId) -> Expr {
        match node.kind() {
            "equals_value_clause" => match named_children(node).into_iter().find(|c| !Self::is_trivia(c.kind())) {
                Some(v) => self.expr_top(v, scope, false),
                None => Expr::unknown(self.span(node)),
            },
            "initializer_expression" => self.list(node, scope),
            _ => self.expr_top(node, scope, false),
        }
    }

    /// `public string Token { get; } = x;` and `public string Url => x;` as
    /// class fields; accessor bodies as getters.
    fn property(&mut self, node: Node, scope: ScopeId) {
        let Some(n) = node.field("name") else {
            return;
        };
        let name = self.text(n).to_string();
        let ns = self.span(n);
        let sp = self.span(node);
        if let Some(v) = node.field("value") {
            let value = match v.kind() {
                "arrow_expression_clause" => match named_children(v).first() {
                    Some(e) => self.expr_top(*e, scope, false),
                    None => Expr::unknown(self.span(v)),
                },
                _ => self.value(v, scope),
            };
            let target = frame::this_member(&name, ns);
            self.push_assign(scope, target, value, None, sp);
        }
        if let Some(accessors) = node.field("accessors") {
            for a in named_children(accessors) {
                let is_get = a.field("name").is_some_and(|k| self.text(k) == "get");
                let Some(body) = a.field("body") else {
                    continue;
                };
                let fs = self
                    .f
                    .facts
                    .add_scope(ScopeKind::Function, String::new(), scope, self.span(a));
                self.members.locals.push(HashSet::from(["value".to_string()]));
                let before = self.f.facts.returns.len();
                self.body(body, fs);
                self.members.locals.pop();
                if is_get {
                    // The getter's returns are the property's values.
                    let rets: Vec<Expr> = self.f.facts.returns[before..]
                        .iter()
                        .filter(|r| r.scope == fs)
                        .map(|r| r.value.clone())
                        .collect();
                    for value in rets {
                        let target = frame::this_member(&name, ns);
                        self.push_assign(fs, target, value, None, sp);
                    }
                }
            }
        }
    }

    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let Some((left, op, value)) = self.assignment_parts(node, scope) else {
            return Expr::unknown(sp);
        };
        // `(token, host) = Bootstrap();` / `var (a, b) = …` as an expression.
        let tuple = match left.kind() {
            "tuple_expression" => Some(left),
            "declaration_expression" => named_children(left).into_iter().find(|c| c.kind() == "tuple_pattern"),
            _ => None,
        };
        if let (Some(t), "=") = (tuple, op) {
            self.destructure(t, value.clone(), scope, guard, sp);
            return value;
        }
        self.store(left, op, value, scope, guard, sp)
    }

    fn function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = match node.kind() {
            "method_declaration" | "local_function_statement" => self.field_text(node, "name"),
            "constructor_declaration" => "constructor".to_string(),
            _ => String::new(),
        };
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        // A local function sees the locals around it.
        let outer = if node.kind() == "local_function_statement" {
            self.members.locals.last().cloned().unwrap_or_default()
        } else {
            HashSet::new()
        };
        self.members.locals.push(outer);
        if let Some(params) = node.field("parameters") {
            self.params(params, scope);
        }
        if !name.is_empty() && node.kind() != "constructor_declaration" {
            if node.kind() == "local_function_statement" {
                self.members.declare_local(&name);
            }
            self.bind_function(node, name, parent, scope);
        }
        for c in named_children(node) {
            if c.kind() == "constructor_initializer" {
                for a in named_children(c) {
                    if a.kind() == "argument_list" {
                        self.call_args(a, scope);
                    }
                }
            }
        }
        if let Some(body) = node.field("body") {
            self.body(body, scope);
        }
        self.members.locals.pop();
        scope
    }

    /// `using A.B;` binds nothing by name (a namespace); `using X = A.B.C;`
    /// binds X to C of `A.B`; `using static A.B.C;` binds nothing.
    fn using(&mut self, node: Node, scope: ScopeId) {
        let Some(alias) = node.field("name") else {
            return;
        };
        let Some(target) = named_children(node)
            .into_iter()
            .find(|c| c.id() != alias.id() && matches!(c.kind(), "qualified_name" | "identifier" | "generic_name"))
        else {
            return;
        };
        let full: String = self.text(target).chars().filter(|c| !c.is_whitespace()).collect();
        let (module, name) = full.rsplit_once('.').unwrap_or(("", full.as_str()));
        self.push_import(
            scope,
            self.text(alias).to_string(),
            module.to_string(),
            Some(name.to_string()),
            self.span(node),
        );
    }

    fn list(&mut self, node: Node, scope: ScopeId) -> Expr {
        self.list_of(node, scope, "")
    }

    /// The member name of `a.B` / `a.B<T>`.
    fn member_name(&self, n: Node) -> String {
        match n.kind() {
            "generic_name" => named_children(n)
                .first()
                .map(|f| self.text(*f).to_string())
                .unwrap_or_default(),
            _ => self.text(n).to_string(),
        }
    }

    fn member_access(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some((o, n)) = two_fields(node, "expression", "name") else {
            return Expr::unknown(sp);
        };
        // `Acme.Crm.Hosts.Sandbox`: the class by its simple name.
        let obj = match self.qualified_class(o) {
            Some(class) => frame::name(class, self.span(o)),
            None => self.expr(o, scope, receiver),
        };
        let member = self.member_name(n);
        // `options.Value` on an `IOptions<ZohoOptions>`: the options object.
        if matches!(member.as_str(), "Value" | "CurrentValue")
            && obj.last_name().is_some_and(|r| self.members.wrappers.contains(r))
        {
            return obj;
        }
        Expr::new(ExprKind::Member(Box::new(obj), member.into()), sp)
    }

    /// `IOptions<ZohoOptions>` (also `IOptionsSnapshot`, `IOptionsMonitor`):
    /// the options class it wraps.
    pub(super) fn options_wrapped(&self, ty: Node) -> Option<String> {
        let ty = match ty.kind() {
            "qualified_name" => ty.field("name")?,
            _ => ty,
        };
        if ty.kind() != "generic_name"
            || !matches!(
                self.member_name(ty).as_str(),
                "IOptions" | "IOptionsSnapshot" | "IOptionsMonitor"
            )
        {
            return None;
        }
        self.type_argument(ty)
    }

    fn element_access(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some((o, s)) = two_fields(node, "expression", "subscript") else {
            return Expr::unknown(sp);
        };
        let obj = self.expr(o, scope, receiver);
        let key = match named_children(s).into_iter().find(|c| c.kind() == "argument") {
            Some(a) => self.expr(a, scope, false),
            None => Expr::unknown(self.span(s)),
        };
        // `configuration["Zoho:Token"]` on an IConfiguration (named so):
        // a configuration key, linked to `appsettings*.json`.
        if let (Some(k), Some(root)) = (key.as_str(), obj.last_name()) {
            if root.to_ascii_lowercase().contains("config") {
                self.f.facts.env_reads.push(k.to_string());
                return Expr::new(ExprKind::Env(crate::config::config_read_name(k).into()), sp);
            }
        }
        Expr::new(ExprKind::Index(Box::new(obj), Box::new(key)), sp)
    }

    /// `a?.B` is `a.B` for the analysis.
    fn conditional_access(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(c) = node.field("condition") else {
            return Expr::unknown(sp);
        };
        let obj = self.expr(c, scope, receiver);
        let binding = named_children(node)
            .into_iter()
            .find(|k| matches!(k.kind(), "member_binding_expression" | "element_binding_expression"));
        match binding {
            Some(b) if b.kind() == "member_binding_expression" => match b.field("name") {
                Some(n) => Expr::new(ExprKind::Member(Box::new(obj), self.member_name(n).into()), sp),
                None => obj,
            },
            Some(b) => {
                let key = match named_children(b)
                    .into_iter()
                    .flat_map(named_children)
                    .find(|c| c.kind() == "argument")
                {
                    Some(a) => self.expr(a, scope, false),
                    None => Expr::unknown(self.span(b)),
                };
                Expr::new(ExprKind::Index(Box::new(obj), Box::new(key)), sp)
            }
            None => obj,
        }
    }

    /// `mode switch { "dev" => a, _ => b }`: an alternative chosen by `mode`.
    fn switch_expr(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let kids = named_children(node);
        let Some(subject) = kids.first() else {
            return Expr::unknown(sp);
        };
        let cond = self.expr(*subject, scope, false);
        let mut alts = Vec::new();
        for arm in kids.iter().filter(|k| k.kind() == "switch_expression_arm") {
            if let Some(v) = named_children(*arm).into_iter().rfind(|c| !Self::is_trivia(c.kind())) {
                alts.push(self.expr(v, scope, false));
            }
        }
        if alts.is_empty() {
            return Expr::unknown(sp);
        }
        frame::alt(Some(cond), alts, sp)
    }

    /// The content of a regular, verbatim (`@"…"`) or raw (`"""…"""`) string.
    fn string_value(&self, node: Node) -> String {
        match node.kind() {
            "verbatim_string_literal" => {
                let t = self.text(node);
                let inner = t.strip_prefix('@').unwrap_or(t);
                let inner = inner.strip_prefix('"').unwrap_or(inner);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                inner.replace("\"\"", "\"")
            }
            _ => {
                let mut out = String::new();
                for c in named_children(node) {
                    match c.kind() {
                        "string_literal_content" | "raw_string_content" => out.push_str(self.text(c)),
                        "escape_sequence" => out.push_str(&unescape(self.text(c))),
                        _ => {}
                    }
                }
                out
            }
        }
    }

    /// `$"https://{host}.zohoapis.com"` → Concat (Str when static).
    fn interpolated(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let verbatim = self.text(node).starts_with("$@") || self.text(node).starts_with("@$");
        let mut parts: Vec<Expr> = Vec::new();
        let mut has_interp = false;
        for c in named_children(node) {
            match c.kind() {
                "string_content" => {
                    let t = self.text(c);
                    let s = if verbatim { t.to_string() } else { unescape(t) };
                    parts.push(Expr::new(
                        ExprKind::Str(s.replace("{{", "{").replace("}}", "}").into()),
                        self.span(c),
                    ));
                }
                "escape_sequence" => {
                    parts.push(Expr::new(ExprKind::Str(unescape(self.text(c)).into()), self.span(c)));
                }
                "interpolation" => {
                    has_interp = true;
                    let inner = named_children(c).into_iter().find(|k| {
                        !matches!(
                            k.kind(),
                            "interpolation_brace" | "interpolation_format_clause" | "interpolation_alignment_clause"
                        )
                    });
                    match inner {
                        Some(e) => {
                            let e = self.expr(e, scope, false);
                            parts.push(e);
                        }
                        None => parts.push(Expr::unknown(self.span(c))),
                    }
                }
                _ => {}
            }
        }
        frame::interpolated(parts, has_interp, sp)
    }
}

mod calls;
mod lowering;

#[cfg(test)]
mod tests;
