//! Go front-end: tree-sitter-go → facts.
//!
//! Lowers `const`/`var` declarations and blocks, functions (parameters,
//! returns), struct types as classes (a method's receiver `c.token` is
//! `self.token`; a function building `&T{..}` or `T{..}` of a struct of this
//! file is its constructor and assigns the fields), `:=` and `=` with their
//! `if`/`switch` guards (a `switch` case is selected by the switch value),
//! imports, calls and method chains, `fmt.Sprintf` and `+` string building,
//! raw strings, composite literals (maps, `http.Header{…}`), `json:"…"` tags
//! (a field is read by its serialised name), `os.Getenv` /
//! `os.LookupEnv` reads, and decoders that fill their argument
//! (`json.Unmarshal(data, &cfg)`: `cfg = <the load>` when `data` is a whole
//! file's text, `rules/config-loads.toml`).

use crate::source::Field;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::{two_fields, unescape};

pub fn lower(text: &str) -> FileFacts {
    frame::lower(tree_sitter_go::LANGUAGE.into(), text, |f| Lowerer {
        f,
        types: Types::default(),
        receiver: None,
        locals: HashSet::new(),
        bound: HashMap::new(),
    })
}

struct Lowerer<'a> {
    f: Frame<'a>,
    types: Types,
    /// The receiver's name inside a method body.
    receiver: Option<String>,
    /// Names declared in the function being lowered (parameters, `:=`,
    /// `var`): `x = v` to any other name sets the package-level `x`.
    locals: HashSet<String>,
    /// The value last assigned to each local name, as lowered: a call that
    /// fills its argument reads its text from it ([`Lowerer::filled`]).
    bound: HashMap<String, Expr>,
}

/// The file's struct types, declared before anything uses them.
#[derive(Default)]
struct Types {
    /// Struct type name → its class scope.
    classes: HashMap<String, ScopeId>,
    /// Field name → its `json:"…"` name, for fields tagged alike everywhere.
    tags: HashMap<String, Option<String>>,
    /// Fields read from the environment by their tags (`envconfig:"ZOHO_TOKEN"`,
    /// `env:"ZOHO_TOKEN"`): the field as members name it, and the env var.
    env_tags: Vec<(String, String)>,
}

/// Libraries that decode the environment into a struct by its fields' tags
/// (`envconfig.Process(prefix, &cfg)`, caarlos0/env's `env.Parse(&cfg)`),
/// and the tag each reads.
const ENV_DECODERS: &[(&str, &str)] = &[
    ("envconfig.Process", "envconfig"),
    ("envconfig.MustProcess", "envconfig"),
    ("env.Parse", "env"),
    ("env.ParseWithOptions", "env"),
];

/// viper's typed getters (`viper.GetString("zoho.token")`): configuration
/// reads by key.
const VIPER: &str = "viper.Get";

use crate::source::named_children_no_comments as named_children;

/// The name a struct tag gives for `key` (`json:"name,omitempty"` → `name`).
fn tag_name(tag: &str, key: &str) -> Option<String> {
    let body = match tag.strip_prefix('`') {
        Some(raw) => raw.trim_end_matches('`').to_string(),
        None => unescape(tag.trim_matches('"')),
    };
    let start = format!("{key}:\"");
    // The key at a tag's start or after a space (`env` is not `envconfig`'s tail).
    let i = body
        .match_indices(&start)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || body.as_bytes()[i - 1] == b' ')?;
    let rest = &body[i + start.len()..];
    let name = rest[..rest.find('"')?].split(',').next()?.to_string();
    (!name.is_empty() && name != "-").then_some(name)
}

fn json_tag(tag: &str) -> Option<String> {
    tag_name(tag, "json")
}

impl<'a> Lowerer<'a> {
    /// Struct types become classes before anything uses them (methods and
    /// constructors may come first in the file).
    fn declare_types(&mut self, root: Node) {
        for decl in named_children(root) {
            if decl.kind() != "type_declaration" {
                continue;
            }
            for spec in named_children(decl) {
                let Some((name, ty)) = two_fields(spec, "name", "type") else {
                    continue;
                };
                if ty.kind() != "struct_type" {
                    continue;
                }
                let n = self.text(name).to_string();
                self.class_scope(&n, self.span(spec));
                self.field_tags(ty);
            }
        }
        self.inline_struct_tags(root);
    }

    /// The tags of struct types written in place (`var out struct {
    /// AccessToken string `json:"access_token"` }` before `Decode(&out)`,
    /// a type declared inside a function): a field is read by its
    /// serialised name there too.
    fn inline_struct_tags(&mut self, root: Node) {
        let top_level = |n: Node| {
            n.parent()
                .filter(|spec| spec.kind() == "type_spec")
                .and_then(|spec| spec.parent())
                .and_then(|decl| decl.parent())
                .is_some_and(|p| p.id() == root.id())
        };
        let mut structs = Vec::new();
        let mut cursor = root.walk();
        'walk: loop {
            let node = cursor.node();
            if node.kind() == "struct_type" && !top_level(node) {
                structs.push(node);
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        for s in structs {
            self.field_tags(s);
        }
    }

    fn field_tags(&mut self, struct_type: Node) {
        for list in named_children(struct_type) {
            for field in named_children(list) {
                if field.kind() != "field_declaration" {
                    continue;
                }
                let raw = field.field("tag").map(|t| self.text(t).to_string());
                let tag = raw.as_deref().and_then(json_tag);
                let mut c = field.walk();
                let names: Vec<String> = field
                    .children_by_field_name("name", &mut c)
                    .map(|n| self.text(n).to_string())
                    .collect();
                for (_, key) in ENV_DECODERS {
                    if let Some(var) = raw.as_deref().and_then(|r| tag_name(r, key)) {
                        for n in &names {
                            let member = tag.clone().unwrap_or_else(|| n.clone());
                            self.types.env_tags.push((member, format!("{key}\0{var}")));
                        }
                    }
                }
                for n in names {
                    let e = self.types.tags.entry(n).or_insert(tag.clone());
                    if *e != tag {
                        *e = None;
                    }
                }
            }
        }
    }

    /// The environment decoded into a struct by its fields' tags
    /// ([`ENV_DECODERS`]): a record of env reads, one per tagged field,
    /// each named by the prefix given (`envconfig.Process("zoho", &cfg)`
    /// reads `ZOHO_TOKEN` for `envconfig:"TOKEN"`).
    fn env_decoded(&mut self, callee: &Expr, args: &[Arg], sp: Span) -> Option<Expr> {
        let dotted = callee.dotted()?;
        let (_, key) = ENV_DECODERS.iter().find(|(f, _)| *f == dotted)?;
        let prefix = match *key {
            "envconfig" => args.first().and_then(|a| a.value.as_str()).unwrap_or(""),
            _ => "",
        }
        .to_ascii_uppercase();
        let fields: Vec<(String, String)> = self
            .types
            .env_tags
            .iter()
            .filter_map(|(m, t)| {
                t.strip_prefix(key)
                    .and_then(|v| v.strip_prefix('\0'))
                    .map(|v| (m.clone(), v.to_string()))
            })
            .collect();
        let mut pairs = Vec::new();
        for (member, var) in fields {
            let name = if prefix.is_empty() {
                var
            } else {
                format!("{prefix}_{var}")
            };
            let read = self.env_read(name, None, sp);
            pairs.push((Expr::new(ExprKind::Str(member.into()), sp), read));
        }
        (!pairs.is_empty()).then(|| Expr::new(ExprKind::Dict(pairs.into()), sp))
    }

    /// What a call that fills its argument at `n` (`json.Unmarshal(data,
    /// &cfg)`, `rules/config-loads.toml`) writes there: the call without
    /// that argument when it loads a whole file, its text read from a local
    /// name bound to the file's read (`data, err := os.ReadFile(p)`), so
    /// the linker sees the load; else the data it decodes.
    fn filled(&self, callee: &Expr, args: &[Arg], n: usize, sp: Span) -> Option<Expr> {
        let mut rest = args.to_vec();
        rest.remove(n);
        let mut call = Call {
            callee: callee.clone(),
            args: rest.into(),
            is_new: false,
        };
        let text = crate::loads::parsed_text_mut(&mut call)?;
        let data = text.clone();
        if let ExprKind::Name(name) = &text.kind {
            if let Some(bound) = self.bound.get(&**name) {
                *text = bound.clone();
            }
        }
        if crate::loads::is_whole_file_load(Lang::Go, &call) {
            return Some(Expr::new(ExprKind::Call(Arc::new(call)), sp));
        }
        Some(data)
    }

    fn class_scope(&mut self, name: &str, span: Span) -> ScopeId {
        frame::class_object(&mut self.f.facts, &mut self.types.classes, name, span)
    }

    // ------------------------------------------------------------------
    // Statements
    // ------------------------------------------------------------------

    fn imports(&mut self, node: Node, scope: ScopeId) {
        let sp = self.span(node);
        let mut specs = Vec::new();
        for c in named_children(node) {
            match c.kind() {
                "import_spec" => specs.push(c),
                "import_spec_list" => specs.extend(named_children(c).into_iter().filter(|s| s.kind() == "import_spec")),
                _ => {}
            }
        }
        for s in specs {
            let Some(path) = s.field("path") else {
                continue;
            };
            let module = self.string(path).as_str().unwrap_or("").to_string();
            let local = match s.field("name") {
                Some(n) => self.text(n).to_string(),
                None => module.rsplit('/').next().unwrap_or(&module).to_string(),
            };
            if local == "_" || local == "." {
                continue;
            }
            self.push_import(scope, local, module, None, sp);
        }
    }

    /// `const A, B = x, y` / `var c = NewClient(…)`.
    fn spec(&mut self, spec: Node, scope: ScopeId, guard: Option<&Expr>) {
        let mut c = spec.walk();
        let names: Vec<Node> = spec
            .children_by_field_name("name", &mut c)
            .filter(|n| n.kind() == "identifier")
            .collect();
        if self.f.facts.scopes[scope].kind == ScopeKind::Function {
            for n in &names {
                self.locals.insert(self.text(*n).to_string());
            }
        }
        let Some(values) = spec.field("value") else {
            return;
        };
        let values = named_children(values);
        let sp = self.span(spec);
        self.pair(&names, &values, scope, guard, sp, Mode::Declare);
    }

    /// `a, b := x, y` / `x.f = v` / `s += t`.
    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let Some((left, right)) = two_fields(node, "left", "right") else {
            return;
        };
        let op = match node.field("operator") {
            Some(o) => self.text(o),
            None if node.kind() == "short_var_declaration" => ":=",
            None => "=",
        };
        let sp = self.span(node);
        let targets = named_children(left);
        let values = named_children(right);
        match op {
            ":=" => self.pair(&targets, &values, scope, guard, sp, Mode::Declare),
            "=" => self.pair(&targets, &values, scope, guard, sp, Mode::Assign),
            "+=" => self.pair(&targets, &values, scope, guard, sp, Mode::Add),
            _ => {
                for v in values {
                    self.expr(v, scope, false);
                }
            }
        }
    }

    fn pair(&mut self, targets: &[Node], values: &[Node], scope: ScopeId, guard: Option<&Expr>, sp: Span, mode: Mode) {
        let lowered: Vec<Expr> = values.iter().map(|v| self.expr(*v, scope, false)).collect();
        for (i, t) in targets.iter().enumerate() {
            let name = self.text(*t);
            if name == "_" {
                continue;
            }
            let in_function = self.f.facts.scopes[scope].kind == ScopeKind::Function;
            let is_name = t.kind() == "identifier";
            if mode == Mode::Declare && is_name && in_function {
                self.locals.insert(name.to_string());
            }
            // `token = os.Getenv(…)` in `init()` sets the package's `token`.
            let target_scope = if mode != Mode::Declare
                && is_name
                && in_function
                && !self.locals.contains(name)
                && self.receiver.as_deref() != Some(name)
            {
                0
            } else {
                scope
            };
            // `v, err := f()`: each target gets its element of the results.
            let value = if lowered.len() == targets.len() {
                lowered[i].clone()
            } else if lowered.len() == 1 {
                lowered[0].element(i, targets.len())
            } else {
                Expr::unknown(sp)
            };
            let target = self.expr(*t, scope, true);
            if is_name && in_function && target_scope == scope {
                self.bound.insert(name.to_string(), value.clone());
            }
            let value = if mode == Mode::Add {
                let cur = target.clone();
                Expr::new(ExprKind::Concat(vec![cur, value].into()), sp)
            } else {
                value
            };
            self.push_assign(target_scope, target, value, guard, sp);
        }
    }

    fn function(&mut self, node: Node, parent: ScopeId) {
        let name = self.field_text(node, "name");
        // A function returning a struct of this file is its constructor.
        let owner = node
            .field("result")
            .map(|r| self.text(r).trim_start_matches(['(', '*']).trim().to_string())
            .and_then(|r| {
                let first = r.split([',', ')', ' ']).next().unwrap_or("").trim_start_matches('*');
                self.types.classes.get(first).copied()
            });
        let sp = self.span(node);
        let scope = self
            .f
            .facts
            .add_scope(ScopeKind::Function, name.clone(), owner.unwrap_or(parent), sp);
        self.bind_function(node, name, parent, scope);
        self.body(node, scope);
    }

    fn method(&mut self, node: Node) {
        let sp = self.span(node);
        let mut receiver = None;
        let mut class = None;
        if let Some(recv) = node.field("receiver") {
            if let Some(p) = named_children(recv)
                .into_iter()
                .find(|p| p.kind() == "parameter_declaration")
            {
                receiver = p.field("name").map(|n| self.text(n).to_string());
                if let Some(t) = p.field("type") {
                    let ty = self.text(t).trim_start_matches('*');
                    let ty = ty.split('[').next().unwrap_or(ty).trim().to_string();
                    class = Some(self.class_scope(&ty, sp));
                }
            }
        }
        let name = self.field_text(node, "name");
        let parent = class.unwrap_or(0);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        self.bind_function(node, name, parent, scope);
        let saved = std::mem::replace(&mut self.receiver, receiver);
        self.body(node, scope);
        self.receiver = saved;
    }

    /// Parameters and body of a function, method or function literal.
    fn body(&mut self, node: Node, scope: ScopeId) {
        // A function literal also sees its enclosing function's names.
        let saved = self.locals.clone();
        let saved_bound = self.bound.clone();
        if let Some(params) = node.field("parameters") {
            let mut names = Vec::new();
            for p in named_children(params) {
                let mut c = p.walk();
                let ns: Vec<String> = p
                    .children_by_field_name("name", &mut c)
                    .map(|n| self.text(n).to_string())
                    .collect();
                if ns.is_empty() {
                    names.push(String::new());
                }
                names.extend(ns);
            }
            self.locals.extend(names.iter().cloned());
            self.f.facts.scopes[scope].params = names;
        }
        if let Some(r) = self.receiver.clone() {
            self.locals.insert(r);
        }
        if let Some(b) = node.field("body") {
            self.block(b, scope, None);
        }
        self.locals = saved;
        self.bound = saved_bound;
    }

    // ------------------------------------------------------------------
    // Expressions
    // ------------------------------------------------------------------

    fn string(&mut self, node: Node) -> Expr {
        let sp = self.span(node);
        let raw = self.text(node);
        let s = if node.kind() == "raw_string_literal" {
            raw.trim_start_matches('`').trim_end_matches('`').replace('\r', "")
        } else {
            let body = raw.strip_prefix('"').unwrap_or(raw);
            unescape(body.strip_suffix('"').unwrap_or(body))
        };
        Expr::new(ExprKind::Str(s.into()), sp)
    }

    /// `T{a: x}` / `&T{…}` / `map[string]string{"k": v}` / `[]string{…}`.
    fn composite(&mut self, node: Node, scope: ScopeId) -> Expr {
        let ty = node.field("type").map(|t| self.text(t).to_string()).unwrap_or_default();
        // A literal of a struct of this file inside one of its constructors or
        // methods assigns the fields.
        let owner = self
            .types
            .classes
            .get(&ty)
            .copied()
            .filter(|&c| self.enclosing_class(scope) == Some(c));
        let sp = self.span(node);
        let Some(b) = node.field("body") else {
            return Expr::unknown(sp);
        };
        let e = self.literal_value(b, scope, owner);
        // `&Client{Host: h, Token: t}` of a struct of this file, elsewhere:
        // an instance built with those fields.
        let struct_of_file = owner.is_none() && self.types.classes.contains_key(&ty);
        match e.kind {
            ExprKind::Dict(pairs) if struct_of_file => frame::struct_literal(&ty, pairs.into_vec(), sp),
            // `c := &Client{}`, its fields set afterwards (`c.BaseURL = …`).
            ExprKind::List(items) if struct_of_file && items.is_empty() => frame::struct_literal(&ty, Vec::new(), sp),
            kind => Expr::new(kind, sp),
        }
    }

    fn literal_value(&mut self, node: Node, scope: ScopeId, owner: Option<ScopeId>) -> Expr {
        let sp = self.span(node);
        let mut pairs = Vec::new();
        let mut items = Vec::new();
        for el in named_children(node) {
            match el.kind() {
                "keyed_element" => {
                    let Some((k, v)) = two_fields(el, "key", "value") else {
                        continue;
                    };
                    let inner = named_children(k).first().copied().unwrap_or(k);
                    let key = if inner.kind() == "identifier" {
                        let name = self.text(inner).to_string();
                        let name = match self.types.tags.get(&name) {
                            Some(Some(tag)) => tag.clone(),
                            _ => name,
                        };
                        Expr::new(ExprKind::Str(name.into()), self.span(inner))
                    } else {
                        self.expr(k, scope, false)
                    };
                    let value = self.expr(v, scope, false);
                    if let (Some(_), Some(field)) = (owner, key.as_str()) {
                        if self.f.facts.scopes[scope].kind == ScopeKind::Function {
                            let ksp = key.span;
                            let t = Expr::new(
                                ExprKind::Member(Box::new(Expr::new(ExprKind::This, ksp)), field.into()),
                                ksp,
                            );
                            let esp = self.span(el);
                            self.push_assign(scope, t, value.clone(), None, esp);
                        }
                    }
                    pairs.push((key, value));
                }
                _ => items.push(self.expr(el, scope, false)),
            }
        }
        if pairs.is_empty() {
            return Expr::new(ExprKind::List(items.into()), sp);
        }
        Expr::new(ExprKind::Dict(pairs.into()), sp)
    }

    fn enclosing_class(&self, mut scope: ScopeId) -> Option<ScopeId> {
        loop {
            let s = &self.f.facts.scopes[scope];
            if s.kind == ScopeKind::Class {
                return Some(scope);
            }
            scope = s.parent?;
        }
    }

    fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(func) = node.field("function") else {
            return Expr::unknown(sp);
        };
        let callee = self.expr(func, scope, true);
        let mut args: Vec<Arg> = Vec::new();
        // `&v` arguments: the call may write into `v`.
        let mut out_args: Vec<Option<Expr>> = Vec::new();
        if let Some(list) = node.field("arguments") {
            for a in named_children(list) {
                let inner = if a.kind() == "variadic_argument" {
                    named_children(a).first().copied().unwrap_or(a)
                } else {
                    a
                };
                let value = self.expr(inner, scope, false);
                let by_ref =
                    inner.kind() == "unary_expression" && inner.field("operator").map(|o| self.text(o)) == Some("&");
                out_args.push(by_ref.then(|| value.clone()));
                args.push(Arg { name: None, value });
            }
        }
        // Decoding into `&v` gives `v` the decoded data:
        // `json.Unmarshal(body, &v)`, `json.NewDecoder(r).Decode(&v)`.
        match crate::loads::filled_argument(Lang::Go, &callee) {
            Some(n) => {
                // `&cfg`, or `cfg` already a pointer.
                if let Some(target) = args.get(n).map(|a| a.value.clone()) {
                    let value = self.filled(&callee, &args, n, sp);
                    if let (Some(value), ExprKind::Name(_) | ExprKind::Member(..)) = (value, &target.kind) {
                        self.push_assign(scope, target, value, None, sp);
                    }
                }
            }
            None => {
                if let (Some(data), Some(Some(target))) = (self.env_decoded(&callee, &args, sp), out_args.last()) {
                    if matches!(target.kind, ExprKind::Name(_) | ExprKind::Member(..)) {
                        self.push_assign(scope, target.clone(), data, None, sp);
                    }
                }
            }
        }
        let dotted = callee.dotted().unwrap_or_default();
        if dotted.starts_with(VIPER) {
            if let Some(key) = args.first().and_then(|a| a.value.as_str()) {
                let name = if crate::config::is_setting_name(key) {
                    key.to_string()
                } else {
                    crate::config::config_read_name(key)
                };
                return self.env_read(name, None, sp);
            }
        }
        match dotted.as_str() {
            "os.Getenv" | "os.LookupEnv" | "syscall.Getenv" => {
                if let Some(read) = args.first().and_then(|a| self.env_read_by(&a.value, None, sp)) {
                    return read;
                }
            }
            "fmt.Sprintf" | "fmt.Errorf" => {
                if let Some(t) = args.first() {
                    let t = t.value.clone();
                    return crate::template::fill(FormatStyle::Printf, t, args[1..].to_vec(), sp);
                }
            }
            // Conversions that keep the text.
            "strings.TrimSpace" | "strings.TrimSuffix" | "strings.TrimRight" | "strings.ToLower" | "string" => {
                if let Some(a) = args.first() {
                    return a.value.clone();
                }
            }
            // strings.Replace(s, old, new, n) is s.replace(old, new).
            "strings.Replace" | "strings.ReplaceAll" if args.len() >= 3 => {
                let s = args[0].value.clone();
                let callee = Expr::new(ExprKind::Member(Box::new(s), "replace".into()), sp);
                let call = Call {
                    callee,
                    args: args[1..3].to_vec().into(),
                    is_new: false,
                };
                return Expr::new(ExprKind::Call(Arc::new(call)), sp);
            }
            _ => {}
        }
        self.call_site(callee, args, false, sp, scope, receiver)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `:=` and `var`: a new name in this scope.
    Declare,
    Assign,
    /// `+=`.
    Add,
}

fn is_statement(kind: &str) -> bool {
    kind.ends_with("_statement")
        || kind.ends_with("_declaration")
        || matches!(kind, "block" | "statement_list" | "expression_case" | "default_case")
}

impl<'a> Lowering<'a> for Lowerer<'a> {
    frame::frame_in_f!();

    fn lower_root(&mut self, root: Node) {
        self.declare_types(root);
        self.block(root, 0, None);
    }

    /// `+` builds strings; every other operator is a test.
    const OPERATORS: frame::Operators = frame::Operators::new(&["+"], &[], &[]).with_other_tests();

    const COMMENTS: &'static [&'static str] = &["comment"];

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "package_clause"
            | "comment"
            | "type_declaration"
            | "inc_statement"
            | "dec_statement"
            | "break_statement"
            | "continue_statement"
            | "goto_statement"
            | "fallthrough_statement"
            | "empty_statement" => {}
            "import_declaration" => self.imports(node, scope),
            "const_declaration" | "var_declaration" | "var_spec_list" => {
                for spec in named_children(node) {
                    match spec.kind() {
                        "const_spec" | "var_spec" => self.spec(spec, scope, guard),
                        "var_spec_list" => self.stmt(spec, scope, guard),
                        _ => {}
                    }
                }
            }
            "function_declaration" => self.function(node, scope),
            "method_declaration" => self.method(node),
            "short_var_declaration" | "assignment_statement" => self.assignment(node, scope, guard),
            "expression_statement" => self.expression_statement(node, scope, guard),
            "return_statement" => {
                // `return tok, nil`: a multiple return is a list, read back
                // by `t, err := f()` element by element.
                let value = named_children(node).first().copied();
                self.return_stmt(node, value, scope, guard);
            }
            "if_statement" => {
                if let Some(init) = node.field("initializer") {
                    self.stmt(init, scope, guard);
                }
                let cond = self.condition(node, scope);
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.field("consequence") {
                    self.block(b, scope, g);
                }
                if let Some(alt) = node.field("alternative") {
                    if alt.kind() == "if_statement" {
                        self.stmt(alt, scope, g);
                    } else {
                        self.block(alt, scope, g);
                    }
                }
            }
            "expression_switch_statement" => {
                if let Some(init) = node.field("initializer") {
                    self.stmt(init, scope, guard);
                }
                let value = node.field("value").map(|v| self.expr(v, scope, false));
                for case in named_children(node) {
                    match case.kind() {
                        "expression_case" => {
                            let values = case.field("value").map(|v| self.expr(v, scope, false));
                            // `switch env { case … }` is selected by env; a bare
                            // `switch { case cond: … }` by each case's condition.
                            let g = value.clone().or(values);
                            for child in named_children(case) {
                                if child.kind() == "statement_list" {
                                    self.block(child, scope, g.as_ref().or(guard));
                                }
                            }
                        }
                        "default_case" => {
                            for child in named_children(case) {
                                self.block(child, scope, value.as_ref().or(guard));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "for_statement" => {
                for child in named_children(node) {
                    match child.kind() {
                        "range_clause" => {
                            if let Some((left, right)) = two_fields(child, "left", "right") {
                                let iter = self.expr(right, scope, false);
                                let sp = self.span(child);
                                let v = frame::any_element(iter, sp, sp);
                                let targets = named_children(left);
                                // `for _, v := range xs`: the value is the second name.
                                for t in &targets {
                                    self.locals.insert(self.text(*t).to_string());
                                }
                                if let Some(t) = targets.get(if targets.len() > 1 { 1 } else { 0 }) {
                                    let t = self.expr(*t, scope, true);
                                    self.push_assign(scope, t, v, guard, sp);
                                }
                            }
                        }
                        "block" => self.block(child, scope, guard),
                        _ => self.stmt(child, scope, guard),
                    }
                }
            }
            "block"
            | "statement_list"
            | "source_file"
            | "labeled_statement"
            | "defer_statement"
            | "go_statement"
            | "type_switch_statement"
            | "select_statement"
            | "type_case"
            | "communication_case"
            | "default_case"
            | "for_clause" => {
                for child in named_children(node) {
                    if is_statement(child.kind()) {
                        self.stmt(child, scope, guard);
                    } else {
                        self.expr(child, scope, false);
                    }
                }
            }
            _ => {
                if node.is_named() {
                    self.mixed_children(node, scope, guard, is_statement);
                }
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "identifier" => {
                let t = self.text(node);
                if self.receiver.as_deref() == Some(t) {
                    ExprKind::This
                } else {
                    ExprKind::Name(t.to_string().into())
                }
            }
            "interpreted_string_literal" | "raw_string_literal" => return self.string(node),
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "nil" => ExprKind::Null,
            "int_literal" | "float_literal" | "imaginary_literal" | "rune_literal" | "iota" => ExprKind::Number,
            "selector_expression" => {
                let obj = node.field("operand");
                let field = node.field("field").map(|f| self.text(f).to_string());
                match (obj, field) {
                    (Some(o), Some(f)) => {
                        let o = self.expr(o, scope, receiver);
                        let f = match self.types.tags.get(&f) {
                            Some(Some(tag)) => tag.clone(),
                            _ => f,
                        };
                        ExprKind::Member(Box::new(o), f.into())
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "index_expression" => return self.index_fields(node, scope, receiver, "operand", "index"),
            "call_expression" => return self.call(node, scope, receiver),
            "binary_expression" => return self.binary(node, scope),
            "unary_expression" => {
                let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
                let Some(o) = node.field("operand") else {
                    return Expr::unknown(sp);
                };
                match op {
                    "&" | "*" => return self.expr(o, scope, receiver),
                    _ => ExprKind::Test(vec![self.expr(o, scope, false)].into()),
                }
            }
            "parenthesized_expression" | "expression_list" | "literal_element" if named_children(node).len() == 1 => {
                return self.expr(named_children(node)[0], scope, receiver);
            }
            "type_assertion_expression" => match node.field("operand") {
                Some(o) => return self.expr(o, scope, receiver),
                None => ExprKind::Unknown,
            },
            "composite_literal" => return self.composite(node, scope),
            "literal_value" => return self.literal_value(node, scope, None),
            "func_literal" => {
                let fscope = self.f.facts.add_scope(ScopeKind::Function, String::new(), scope, sp);
                self.body(node, fscope);
                ExprKind::Func(fscope)
            }
            "expression_list" => return self.list_items(node, scope),
            _ => return self.unmodelled(node, scope),
        };
        Expr::new(kind, sp)
    }
}

#[cfg(test)]
mod tests;
