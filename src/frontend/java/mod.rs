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

use std::collections::HashSet;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::unescape;

pub fn lower(text: &str) -> FileFacts {
    frame::lower(
        tree_sitter_java::LANGUAGE.into(),
        text,
        |f| Lowerer {
            f,
            members: Members::default(),
        },
        |l, root| l.block(root, 0, None),
    )
}

struct Lowerer<'a> {
    f: Frame<'a>,
    members: Members,
}

use super::members::{ClassNames, Members};
use crate::source::named_children;

fn is_comment(kind: &str) -> bool {
    matches!(kind, "line_comment" | "block_comment")
}

impl<'a> Lowerer<'a> {
    /// `x` as written in a method (see [`Members::name_ref`]); a name that
    /// looks like a type is never an inherited field.
    fn name_ref(&self, name: &str, span: Span, method: bool) -> Expr {
        let imported = self.f.facts.imports.iter().any(|i| i.local == name);
        let looks_like_type =
            name.chars().next().is_some_and(char::is_uppercase) && name.chars().any(|ch| ch.is_lowercase());
        self.members.name_ref(name, span, method, imported, looks_like_type)
    }

    /// `switch (v) { case A -> …; case B: … }`: each case body is guarded by
    /// `v == label`; a switch used as a value is an alternative of its arms.
    fn switch(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Vec<Expr> {
        let subject = node
            .child_by_field_name("condition")
            .map(|c| self.expr_top(c, scope, false));
        let mut values = Vec::new();
        let Some(body) = node.child_by_field_name("body") else {
            return values;
        };
        for case in named_children(body) {
            let kids = named_children(case);
            let mut labels = Vec::new();
            for k in &kids {
                if k.kind() == "switch_label" {
                    for l in named_children(*k) {
                        labels.push(self.expr(l, scope, false));
                    }
                }
            }
            let g = if labels.is_empty() {
                None
            } else {
                let mut ops: Vec<Expr> = subject.iter().cloned().collect();
                ops.extend(labels);
                Some(Expr::new(ExprKind::Test(ops), self.span(case)))
            };
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
        if node.kind() != "method_invocation" || node.child_by_field_name("name").map(|n| self.text(n)) != Some("put") {
            return None;
        }
        let object = node.child_by_field_name("object")?;
        let args: Vec<Node> = node
            .child_by_field_name("arguments")
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| !is_comment(a.kind()))
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
            let Some(n) = d.child_by_field_name("name") else {
                continue;
            };
            let name = self.text(n).to_string();
            let value = d.child_by_field_name("value").map(|v| {
                if v.kind() == "array_initializer" {
                    self.list(v, scope)
                } else {
                    self.expr_top(v, scope, false)
                }
            });
            let ns = self.span(n);
            let value = value.or_else(|| if is_field { self.value_annotation(node) } else { None });
            let target = if is_field {
                Expr::new(ExprKind::Member(Box::new(Expr::new(ExprKind::This, ns)), name), ns)
            } else {
                self.members.declare_local(&name);
                Expr::new(ExprKind::Name(name), ns)
            };
            if let Some(value) = value {
                let sp = self.span(d);
                self.push_assign(scope, target, value, guard, sp);
            }
        }
    }

    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let mut value = self.expr_top(right, scope, false);
        let op = node
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("=");
        let target = self.expr(left, scope, false);
        match op {
            "=" => {}
            "+=" => {
                let vs = value.span;
                value = Expr::new(ExprKind::Concat(vec![target.clone(), value]), vs);
            }
            _ => value = Expr::unknown(value.span),
        }
        self.push_assign(scope, target, value.clone(), guard, sp);
        value
    }

    fn function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = match node.kind() {
            "method_declaration" => node
                .child_by_field_name("name")
                .map(|n| self.text(n).to_string())
                .unwrap_or_default(),
            _ => "constructor".to_string(),
        };
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        self.members.locals.push(HashSet::new());
        if let Some(params) = node.child_by_field_name("parameters") {
            self.params(params, scope);
        }
        if node.kind() == "method_declaration" && !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        if let Some(body) = node.child_by_field_name("body") {
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
            if a.kind() != "annotation" || a.child_by_field_name("name").map(|n| self.text(n)) != Some("Value") {
                continue;
            }
            let args = a.child_by_field_name("arguments")?;
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
    fn class_names(&self, name: &str, body: Option<Node>) -> ClassNames {
        let mut names = ClassNames {
            name: name.to_string(),
            inherits: false,
            fields: HashSet::new(),
            methods: HashSet::new(),
        };
        let Some(body) = body else { return names };
        let mut members = named_children(body);
        if let Some(decls) = members.iter().position(|m| m.kind() == "enum_body_declarations") {
            let inner = named_children(members[decls]);
            members.extend(inner);
        }
        for m in members {
            match m.kind() {
                "field_declaration" | "constant_declaration" => {
                    let mut c = m.walk();
                    for d in m.children_by_field_name("declarator", &mut c) {
                        if let Some(n) = d.child_by_field_name("name") {
                            names.fields.insert(self.text(n).to_string());
                        }
                    }
                }
                "enum_constant" => {
                    if let Some(n) = m.child_by_field_name("name") {
                        names.fields.insert(self.text(n).to_string());
                    }
                }
                "method_declaration" => {
                    if let Some(n) = m.child_by_field_name("name") {
                        names.methods.insert(self.text(n).to_string());
                    }
                }
                _ => {}
            }
        }
        names
    }

    fn class(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Class, name.clone(), parent, sp);
        let mut bases = Vec::new();
        for c in named_children(node) {
            if matches!(c.kind(), "superclass" | "super_interfaces" | "extends_interfaces") {
                self.type_names(c, &mut bases);
            }
        }
        self.f.facts.scopes[scope].bases = bases;
        if !name.is_empty() {
            self.push_assign(
                parent,
                Expr::new(ExprKind::Name(name.clone()), sp),
                Expr::new(ExprKind::Func(scope), sp),
                None,
                sp,
            );
        }
        let body = node.child_by_field_name("body");
        let mut names = self.class_names(&name, body);
        names.inherits = !self.f.facts.scopes[scope].bases.is_empty();
        self.members.classes.push(names);
        // Field initialisers see fields, not the locals of an enclosing method.
        self.members.locals.push(HashSet::new());
        if node.kind() == "record_declaration" {
            // record R(String token) → a field per component.
            if let Some(params) = node.child_by_field_name("parameters") {
                for p in named_children(params) {
                    if let Some(n) = p.child_by_field_name("name") {
                        let f = self.text(n).to_string();
                        if let Some(c) = self.members.classes.last_mut() {
                            c.fields.insert(f);
                        }
                    }
                }
            }
        }
        if let Some(body) = body {
            for m in named_children(body) {
                if m.kind() == "enum_constant" {
                    self.enum_constant(m, scope);
                } else {
                    self.stmt(m, scope, None);
                }
            }
        }
        self.members.locals.pop();
        self.members.classes.pop();
        scope
    }

    /// `SANDBOX("https://sandbox.zohoapis.com")`: the constant's value is its
    /// first constructor argument (the usual one-field enum of hosts).
    fn enum_constant(&mut self, node: Node, scope: ScopeId) {
        let Some(n) = node.child_by_field_name("name") else {
            return;
        };
        let args = node
            .child_by_field_name("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        let ns = self.span(n);
        let value = match args.into_iter().next() {
            Some(a) => a.value,
            None => Expr::new(ExprKind::Str(self.text(n).to_string()), ns),
        };
        let target = Expr::new(
            ExprKind::Member(Box::new(Expr::new(ExprKind::This, ns)), self.text(n).to_string()),
            ns,
        );
        let sp = self.span(node);
        self.push_assign(scope, target, value, None, sp);
        if let Some(body) = node.child_by_field_name("body") {
            self.block(body, scope, None);
        }
    }

    /// The last segment of each type named under `node` (generic arguments excluded).
    fn type_names(&self, node: Node, out: &mut Vec<String>) {
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
                "type_list" => self.type_names(c, out),
                _ => {}
            }
        }
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
        self.f.facts.imports.push(Import {
            scope,
            local: name.trim().to_string(),
            module,
            name: Some(name.trim().to_string()),
            span: self.span(node),
        });
    }

    fn list(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let items = named_children(node)
            .into_iter()
            .filter(|c| !is_comment(c.kind()))
            .map(|c| {
                if c.kind() == "array_initializer" {
                    self.list(c, scope)
                } else {
                    self.expr(c, scope, false)
                }
            })
            .collect();
        Expr::new(ExprKind::List(items), sp)
    }

    fn field_access(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let (Some(o), Some(f)) = (node.child_by_field_name("object"), node.child_by_field_name("field")) else {
            return Expr::unknown(sp);
        };
        let obj = self.expr(o, scope, receiver);
        Expr::new(ExprKind::Member(Box::new(obj), self.text(f).to_string()), sp)
    }

    fn array_access(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let (Some(a), Some(i)) = (node.child_by_field_name("array"), node.child_by_field_name("index")) else {
            return Expr::unknown(sp);
        };
        let a = self.expr(a, scope, receiver);
        let i = self.expr(i, scope, false);
        Expr::new(ExprKind::Index(Box::new(a), Box::new(i)), sp)
    }

    fn binary(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
        let le = self.expr(l, scope, false);
        let re = self.expr(r, scope, false);
        let kind = match op {
            "+" => ExprKind::Concat(vec![le, re]),
            "==" | "!=" | "&&" | "||" | "<" | ">" | "<=" | ">=" => ExprKind::Test(vec![le, re]),
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    fn ternary(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let c = node.child_by_field_name("condition");
        let a = node.child_by_field_name("consequence");
        let b = node.child_by_field_name("alternative");
        let (Some(c), Some(a), Some(b)) = (c, a, b) else {
            return Expr::unknown(sp);
        };
        let c = self.expr(c, scope, false);
        let a = self.expr(a, scope, false);
        let b = self.expr(b, scope, false);
        Expr::new(
            ExprKind::Alt {
                cond: Some(Box::new(c)),
                alts: vec![a, b],
            },
            sp,
        )
    }

    fn lambda(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let fscope = self.f.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
        // A lambda sees the locals around it.
        let outer = self.members.locals.last().cloned().unwrap_or_default();
        self.members.locals.push(outer);
        let mut names = Vec::new();
        if let Some(p) = node.child_by_field_name("parameters") {
            match p.kind() {
                "identifier" => names.push(self.text(p).to_string()),
                "formal_parameters" => {
                    self.params(p, fscope);
                    names = self.f.facts.scopes[fscope].params.clone();
                }
                _ => {
                    for c in named_children(p) {
                        if c.kind() == "identifier" {
                            names.push(self.text(c).to_string());
                        }
                    }
                }
            }
        }
        for n in &names {
            self.members.declare_local(n);
        }
        self.f.facts.scopes[fscope].params = names;
        if let Some(body) = node.child_by_field_name("body") {
            if body.kind() == "block" {
                self.block(body, fscope, None);
            } else {
                // `h -> h.set(…)`: the body is also the lambda's statement.
                let value = self.expr_top(body, fscope, true);
                self.push_return(fscope, value, None);
            }
        }
        self.members.locals.pop();
        Expr::new(ExprKind::Func(fscope), sp)
    }

    /// The unescaped content of a string literal or text block.
    fn string_value(&self, node: Node) -> String {
        let mut out = String::new();
        for c in named_children(node) {
            match c.kind() {
                "string_fragment" | "escape_sequence" | "multiline_string_fragment" => {
                    out.push_str(&unescape(self.text(c)))
                }
                _ => {}
            }
        }
        out
    }

    fn call_args(&mut self, arglist: Node, scope: ScopeId) -> Vec<Arg> {
        named_children(arglist)
            .into_iter()
            .filter(|a| !is_comment(a.kind()))
            .map(|a| Arg {
                name: None,
                value: self.expr(a, scope, false),
            })
            .collect()
    }

    fn new_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(ty) = node.child_by_field_name("type") else {
            return Expr::unknown(sp);
        };
        let callee = self.type_expr(ty);
        let args = node
            .child_by_field_name("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        // new StringBuilder(s): the string it starts with.
        if matches!(callee.dotted().as_deref(), Some("StringBuilder" | "StringBuffer")) && args.len() <= 1 {
            let start = args.into_iter().next().map(|a| a.value);
            return start.unwrap_or_else(|| Expr::new(ExprKind::Str(String::new()), sp));
        }
        // new URI(u) / new URL(u): the address itself.
        if matches!(
            callee.dotted().as_deref(),
            Some("URI" | "URL" | "java.net.URI" | "java.net.URL")
        ) && args.len() == 1
        {
            return args
                .into_iter()
                .next()
                .map(|a| a.value)
                .unwrap_or_else(|| Expr::unknown(sp));
        }
        // An anonymous class body: lower its methods.
        for c in named_children(node) {
            if c.kind() == "class_body" {
                let cs = self
                    .f
                    .facts
                    .add_scope(ScopeKind::Class, String::new(), scope, self.span(c));
                self.members.classes.push(self.class_names("", Some(c)));
                self.members.locals.push(HashSet::new());
                self.block(c, cs, None);
                self.members.locals.pop();
                self.members.classes.pop();
            }
        }
        self.finish_call(callee, args, true, sp, scope, receiver)
    }

    /// A type as a callee: `OAuthToken.Builder` → Member(OAuthToken, Builder);
    /// generic arguments dropped.
    fn type_expr(&self, ty: Node) -> Expr {
        let sp = self.span(ty);
        match ty.kind() {
            "generic_type" => match named_children(ty).first() {
                Some(first) => self.type_expr(*first),
                None => Expr::unknown(sp),
            },
            "scoped_type_identifier" => {
                let kids: Vec<Node> = named_children(ty)
                    .into_iter()
                    .filter(|c| !matches!(c.kind(), "annotation" | "marker_annotation"))
                    .collect();
                let Some((first, rest)) = kids.split_first() else {
                    return Expr::unknown(sp);
                };
                let mut e = self.type_expr(*first);
                for r in rest {
                    e = Expr::new(ExprKind::Member(Box::new(e), self.text(*r).to_string()), sp);
                }
                e
            }
            _ => Expr::new(ExprKind::Name(self.text(ty).to_string()), sp),
        }
    }

    fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(name) = node.child_by_field_name("name").map(|n| self.text(n).to_string()) else {
            return Expr::unknown(sp);
        };
        let ns = node.child_by_field_name("name").map(|n| self.span(n)).unwrap_or(sp);
        let callee = match node.child_by_field_name("object") {
            // The callee's receiver chain is part of this call's chain.
            Some(o) => {
                let obj = self.expr(o, scope, true);
                Expr::new(ExprKind::Member(Box::new(obj), name.clone()), ns)
            }
            None => self.name_ref(&name, ns, true),
        };
        let args = node
            .child_by_field_name("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        let dotted = callee.dotted();
        match (dotted.as_deref(), args.len()) {
            // System.getenv("X"), System.getenv().get("X"), ….getOrDefault("X", d)
            (Some("System.getenv" | "java.lang.System.getenv"), 1) => {
                if let Some(e) = self.env_read(&args[0].value, sp) {
                    return e;
                }
            }
            // Spring `environment.getProperty("zoho.token")`: a configuration key.
            (Some(d), 1 | 2)
                if d.ends_with(".getProperty")
                    && d.rsplit('.')
                        .nth(1)
                        .is_some_and(|r| r.to_ascii_lowercase().contains("env")) =>
            {
                if let Some(key) = args[0].value.as_str() {
                    self.f.facts.env_reads.push(key.to_string());
                    return Expr::new(ExprKind::Env(crate::config::config_read_name(key)), sp);
                }
            }
            (Some("String.format"), n) if n >= 1 => {
                // String.format(Locale.ROOT, fmt, …)
                let skip = usize::from(args[0].value.as_str().is_none() && n >= 2);
                if args[skip].value.as_str().is_some() {
                    return Expr::new(super::printf(&args[skip].value, &args[skip + 1..]), sp);
                }
            }
            (Some("String.valueOf" | "Objects.toString" | "URI.create" | "java.net.URI.create"), 1) => {
                return args
                    .into_iter()
                    .next()
                    .map(|a| a.value)
                    .unwrap_or_else(|| Expr::unknown(sp));
            }
            // Map.of("production", a, "sandbox", b): a keyed map.
            (Some("Map.of" | "java.util.Map.of"), n) if n >= 2 && n % 2 == 0 => {
                let pairs = args
                    .chunks(2)
                    .map(|kv| (kv[0].value.clone(), kv[1].value.clone()))
                    .collect();
                return Expr::new(ExprKind::Dict(pairs), sp);
            }
            (Some("Map.ofEntries" | "java.util.Map.ofEntries"), _) => {
                let pairs = args
                    .iter()
                    .filter_map(|a| match &a.value.kind {
                        ExprKind::Call(c) if c.args.len() == 2 && c.callee.last_name() == Some("entry") => {
                            Some((c.args[0].value.clone(), c.args[1].value.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                return Expr::new(ExprKind::Dict(pairs), sp);
            }
            (Some("Objects.equals"), 2) => {
                let ops = args.into_iter().map(|a| a.value).collect();
                return Expr::new(ExprKind::Test(ops), sp);
            }
            (Some("Objects.requireNonNullElse"), 2) => {
                let alts = args.into_iter().map(|a| a.value).collect();
                return Expr::new(ExprKind::Alt { cond: None, alts }, sp);
            }
            _ => {}
        }
        if let ExprKind::Member(obj, m) = &callee.kind {
            match (m.as_str(), args.len()) {
                // "…".formatted(a, b) / "a".concat(b)
                ("formatted", _) if obj.as_str().is_some() => {
                    return Expr::new(super::printf(obj, &args), sp);
                }
                // JSON reads (org.json, Jackson, Gson): json.getString("api_domain")
                // is the item "api_domain"; .asText() / .getAsString() is the value.
                ("getString" | "optString" | "path", 1) if args[0].value.as_str().is_some() => {
                    let kind = ExprKind::Index(obj.clone(), Box::new(args[0].value.clone()));
                    return Expr::new(kind, sp);
                }
                ("asText" | "getAsString" | "textValue" | "toString" | "trim" | "strip", 0) => {
                    return (**obj).clone();
                }
                // "sandbox".equals(env): a test of both operands.
                ("equals" | "equalsIgnoreCase" | "contentEquals", 1) => {
                    let ops = vec![(**obj).clone(), args[0].value.clone()];
                    return Expr::new(ExprKind::Test(ops), sp);
                }
                // new StringBuilder(a).append(b) / uri.resolve(path): string building.
                ("append" | "resolve", 1) if is_string_building(obj) => {
                    let mut parts = match &obj.kind {
                        ExprKind::Concat(p) => p.clone(),
                        _ => vec![(**obj).clone()],
                    };
                    parts.push(args[0].value.clone());
                    return Expr::new(ExprKind::Concat(parts), sp);
                }
                ("concat", 1) => {
                    let parts = vec![(**obj).clone(), args[0].value.clone()];
                    return Expr::new(ExprKind::Concat(parts), sp);
                }
                // System.getenv().get("X") / .getOrDefault("X", d)
                ("get" | "getOrDefault", 1 | 2) if is_call_to(obj, "System.getenv") => {
                    if let Some(e) = self.env_read(&args[0].value, sp) {
                        let mut alts = vec![e];
                        alts.extend(args.get(1).map(|d| d.value.clone()));
                        if alts.len() == 1 {
                            return alts.remove(0);
                        }
                        return Expr::new(ExprKind::Alt { cond: None, alts }, sp);
                    }
                }
                // Optional.ofNullable(x).orElse(d): x or d.
                ("orElse", 1) => {
                    if let ExprKind::Call(inner) = &obj.kind {
                        if inner.callee.dotted().as_deref() == Some("Optional.ofNullable") && inner.args.len() == 1 {
                            let alts = vec![inner.args[0].value.clone(), args[0].value.clone()];
                            return Expr::new(ExprKind::Alt { cond: None, alts }, sp);
                        }
                    }
                }
                _ => {}
            }
        }
        self.finish_call(callee, args, false, sp, scope, receiver)
    }

    fn env_read(&mut self, name: &Expr, span: Span) -> Option<Expr> {
        let name = name.as_str()?.to_string();
        self.f.facts.env_reads.push(name.clone());
        Some(Expr::new(ExprKind::Env(name), span))
    }

    fn finish_call(
        &mut self,
        callee: Expr,
        args: Vec<Arg>,
        is_new: bool,
        sp: Span,
        scope: ScopeId,
        receiver: bool,
    ) -> Expr {
        let e = Expr::new(ExprKind::Call(std::sync::Arc::new(Call { callee, args, is_new })), sp);
        if !receiver {
            self.f.facts.calls.push(CallSite {
                scope,
                expr: e.clone(),
                statement: false,
            });
        }
        e
    }
}

/// An expression that is being built into a string (or a URI): a literal,
/// a concatenation, or a value lowered from a builder such as `URI.create`.
fn is_string_building(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Str(_) | ExprKind::Concat(_) | ExprKind::Name(_) | ExprKind::Member(..)
    )
}

/// Is `e` a call of `path` without arguments?
fn is_call_to(e: &Expr, path: &str) -> bool {
    matches!(&e.kind, ExprKind::Call(c) if c.args.is_empty() && c.callee.dotted().as_deref() == Some(path))
}

impl<'a> Lowering<'a> for Lowerer<'a> {
    fn frame(&self) -> &Frame<'a> {
        &self.f
    }

    fn frame_mut(&mut self) -> &mut Frame<'a> {
        &mut self.f
    }

    fn params(&mut self, params: Node, scope: ScopeId) {
        let mut names = Vec::new();
        for p in named_children(params) {
            if !matches!(p.kind(), "formal_parameter" | "spread_parameter" | "receiver_parameter") {
                continue;
            }
            let n = p.child_by_field_name("name").or_else(|| {
                named_children(p)
                    .into_iter()
                    .find(|c| c.kind() == "variable_declarator")
                    .and_then(|d| d.child_by_field_name("name"))
            });
            if let Some(n) = n {
                let name = self.text(n).to_string();
                self.members.declare_local(&name);
                // `@Value("${zoho.token}") String token`: the parameter holds
                // that configuration key.
                if let Some(read) = self.value_annotation(p) {
                    let ns = self.span(n);
                    self.push_assign(scope, Expr::new(ExprKind::Name(name.clone()), ns), read, None, ns);
                    // Spring supplies it, not the caller: keep its position
                    // but not its name, so it is not also a parameter.
                    names.push(String::new());
                    continue;
                }
                names.push(name);
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => {
                for child in named_children(node) {
                    if child.kind() == "assignment_expression" {
                        self.assignment(child, scope, guard);
                    } else if let Some((target, value)) = self.map_put(child, scope) {
                        // config.put("apiBaseUrl", v) is config["apiBaseUrl"] = v.
                        let sp = self.span(child);
                        self.push_assign(scope, target, value, guard, sp);
                    } else {
                        self.expr_top(child, scope, true);
                    }
                }
            }
            "local_variable_declaration" | "field_declaration" | "constant_declaration" => {
                self.declaration(node, scope, guard)
            }
            "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "record_declaration"
            | "annotation_type_declaration" => {
                self.class(node, scope);
            }
            "method_declaration" | "constructor_declaration" | "compact_constructor_declaration" => {
                self.function(node, scope);
            }
            "return_statement" | "yield_statement" => {
                let value = match named_children(node).into_iter().find(|c| !is_comment(c.kind())) {
                    Some(v) => self.expr_top(v, scope, false),
                    None => Expr::new(ExprKind::Null, self.span(node)),
                };
                self.push_return(scope, value, guard);
            }
            "if_statement" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr_top(c, scope, false));
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.child_by_field_name("consequence") {
                    self.stmt(b, scope, g);
                }
                if let Some(b) = node.child_by_field_name("alternative") {
                    self.stmt(b, scope, g);
                }
            }
            "enhanced_for_statement" => {
                if let (Some(n), Some(v)) = (node.child_by_field_name("name"), node.child_by_field_name("value")) {
                    let iter = self.expr_top(v, scope, false);
                    let name = self.text(n).to_string();
                    self.members.declare_local(&name);
                    let sp = self.span(node);
                    let value = Expr::new(
                        ExprKind::Index(Box::new(iter), Box::new(Expr::unknown(sp))),
                        self.span(v),
                    );
                    self.push_assign(scope, Expr::new(ExprKind::Name(name), self.span(n)), value, guard, sp);
                }
                if let Some(b) = node.child_by_field_name("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_expression" => {
                self.switch(node, scope, guard);
            }
            "import_declaration" => self.import(node, scope),
            "catch_clause" => {
                for c in named_children(node) {
                    if c.kind() == "catch_formal_parameter" {
                        if let Some(n) = c.child_by_field_name("name") {
                            let name = self.text(n).to_string();
                            self.members.declare_local(&name);
                        }
                    } else {
                        self.stmt(c, scope, guard);
                    }
                }
            }
            "resource_specification" => {
                for r in named_children(node) {
                    if let (Some(n), Some(v)) = (r.child_by_field_name("name"), r.child_by_field_name("value")) {
                        let value = self.expr_top(v, scope, false);
                        let name = self.text(n).to_string();
                        self.members.declare_local(&name);
                        let sp = self.span(r);
                        self.push_assign(scope, Expr::new(ExprKind::Name(name), self.span(n)), value, guard, sp);
                    } else if !is_comment(r.kind()) {
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
                    if let Some(args) = node.child_by_field_name("arguments") {
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
    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => return self.name_ref(self.text(node), sp, false),
            "this" | "super" => ExprKind::This,
            "string_literal" => ExprKind::Str(self.string_value(node)),
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
            "field_access" => return self.field_access(node, scope, receiver),
            "array_access" => return self.array_access(node, scope, receiver),
            "method_invocation" => return self.call(node, scope, receiver),
            "object_creation_expression" => return self.new_expr(node, scope, receiver),
            "binary_expression" => return self.binary(node, scope),
            "ternary_expression" => return self.ternary(node, scope),
            "parenthesized_expression" | "cast_expression" => {
                let inner = node
                    .child_by_field_name("value")
                    .or_else(|| named_children(node).into_iter().rfind(|c| !is_comment(c.kind())));
                return match inner {
                    Some(i) => self.expr(i, scope, receiver),
                    None => Expr::unknown(sp),
                };
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
                    .child_by_field_name("left")
                    .map(|l| vec![self.expr(l, scope, false)])
                    .unwrap_or_default();
                ExprKind::Test(ops)
            }
            "array_creation_expression" => match node.child_by_field_name("value") {
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
                    let cond = node
                        .child_by_field_name("condition")
                        .map(|c| Box::new(self.expr(c, scope, false)));
                    ExprKind::Alt { cond, alts }
                }
            }
            "class_literal" | "method_reference" => ExprKind::Unknown,
            _ => {
                for c in named_children(node) {
                    if !is_comment(c.kind()) {
                        self.expr(c, scope, false);
                    }
                }
                ExprKind::Unknown
            }
        };
        Expr::new(kind, sp)
    }
}

#[cfg(test)]
mod tests;
