//! PHP front-end: tree-sitter-php → facts.
//!
//! Lowers namespace/class/interface/trait/enum/function/method scopes
//! (`extends` as bases), class constants, enum cases, properties and promoted
//! constructor parameters (`$this->x`, `self::X`, `static::X`), `const` and
//! `define()`, assignments (`.=` and `??=` included), returns, `if`/`elseif`/
//! `switch` guards, `match` (the subject selects the arm), `foreach`,
//! closures and arrow functions, calls with named arguments, `new`,
//! interpolated strings and heredocs, `.` concatenation, `sprintf`,
//! `str_replace`, `implode`, `array_merge`, ternaries, `??`/`?:` defaults,
//! arrays as dicts, `use … as` aliases, `require`/`include` as whole-file
//! imports, `getenv()` / `env()` / `$_ENV[…]` / `$_SERVER[…]` reads, and
//! Laravel `config('a.b')` as key `b` of the array `config/a.php` returns.
//!
//! A curl handle is lowered as a configured object: `curl_setopt($ch, OPT,
//! v)` is an assignment to `ch.OPT` (header lines `"Name: value"` become a
//! dict), and `curl_exec($ch)` is a call on `ch` that passes the URL the
//! handle was given, so the linker sees it like `session.get(url)` on a
//! session configured by statements. Laravel's `withToken($t, $type)` is the
//! Authorization header; a response's `getBody()`/`json()` and
//! `json_decode(…)` are the response's data.

use std::collections::HashMap;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::unescape;

pub fn lower(text: &str) -> FileFacts {
    frame::lower(
        tree_sitter_php::LANGUAGE_PHP.into(),
        text,
        |f| Lowerer {
            f,
            curl_urls: HashMap::new(),
            aliases: HashMap::new(),
        },
        |l, root| l.block(root, 0, None),
    )
}

struct Lowerer<'a> {
    f: Frame<'a>,
    /// (scope, curl handle) → the URL it was given (`curl_init($url)`,
    /// `CURLOPT_URL`), passed to its `curl_exec`.
    curl_urls: HashMap<(ScopeId, String), Expr>,
    /// `use A\B\USDataCenter as US;`: `US` → `USDataCenter`.
    aliases: HashMap<String, String>,
}

/// Named children without comments.
use crate::source::named_children_no_comments as named_children;

/// The last segment of a (qualified) name: `\Foo\Bar` → `Bar`.
fn last_segment(s: &str) -> &str {
    s.rsplit('\\').next().unwrap_or(s).trim()
}

fn call_expr(callee: Expr, args: Vec<Arg>, is_new: bool, span: Span) -> Expr {
    Expr::new(ExprKind::Call(std::sync::Arc::new(Call { callee, args, is_new })), span)
}

impl<'a> Lowerer<'a> {
    /// `$name` → `name`.
    fn var_name(&self, node: Node) -> String {
        self.text(node).trim_start_matches('$').to_string()
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

    /// Lowers an assignment and returns its value.
    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let (Some(left), Some(right)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let mut value = match right.kind() {
            "assignment_expression" | "augmented_assignment_expression" => self.assignment(right, scope, guard),
            _ => self.expr_top(right, scope, false),
        };
        if node.kind() == "augmented_assignment_expression" {
            let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
            let current = self.expr(left, scope, false);
            let vs = value.span;
            value = match op {
                ".=" => Expr::new(ExprKind::Concat(vec![current, value]), vs),
                "??=" => Expr::new(
                    ExprKind::Alt {
                        cond: None,
                        alts: vec![current, value],
                    },
                    vs,
                ),
                _ => Expr::unknown(vs),
            };
        }
        self.bind_target(left, value.clone(), scope, guard, sp);
        value
    }

    fn bind_target(&mut self, target: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        match target.kind() {
            // `[$a, $b] = f()`, `list($a, $b) = f()`, `['token' => $t] = f()`.
            "list_literal" | "array_creation_expression" => {
                let els = named_children(target);
                for (i, el) in els.iter().enumerate() {
                    let kids = named_children(*el);
                    let t = kids.last().copied().unwrap_or(*el);
                    let v = if kids.len() >= 2 {
                        let key = self.expr(kids[0], scope, false);
                        Expr::new(ExprKind::Index(Box::new(value.clone()), Box::new(key)), value.span)
                    } else {
                        value.element(i, els.len())
                    };
                    self.bind_target(t, v, scope, guard, span);
                }
            }
            "by_ref" => {
                if let Some(inner) = named_children(target).first() {
                    self.bind_target(*inner, value, scope, guard, span);
                }
            }
            _ => {
                let t = self.expr(target, scope, true);
                // A curl handle (re)created: its URL is what `curl_init` gives.
                if let (Some(key), ExprKind::Call(c)) = (t.dotted(), &value.kind) {
                    if c.callee.dotted().as_deref() == Some("curl_init") {
                        let at = self.handle_scope(&key, scope);
                        match c.args.first() {
                            Some(a) => {
                                self.curl_urls.insert((at, key), a.value.clone());
                            }
                            None => {
                                self.curl_urls.remove(&(at, key));
                            }
                        }
                    }
                }
                self.push_assign(scope, t, value, guard, span);
            }
        }
    }

    /// Where a curl handle's URL is remembered: its function for a local,
    /// its class for a field (`$this->ch` set up in the constructor).
    fn handle_scope(&self, key: &str, scope: ScopeId) -> ScopeId {
        if !key.starts_with("this.") {
            return scope;
        }
        let mut s = Some(scope);
        while let Some(sc) = s {
            if self.f.facts.scopes[sc].kind == ScopeKind::Class {
                return sc;
            }
            s = self.f.facts.scopes[sc].parent;
        }
        scope
    }

    /// Is the call's first argument one of these node kinds?
    fn first_arg_is(&self, call: Node, kinds: &[&str]) -> bool {
        call.child_by_field_name("arguments")
            .and_then(|l| named_children(l).into_iter().next())
            .and_then(|a| named_children(a).into_iter().last())
            .is_some_and(|v| kinds.contains(&v.kind()))
    }

    /// `define('NAME', value)`: a module-level constant.
    fn define(&mut self, node: Node, scope: ScopeId) -> bool {
        let Some(f) = node.child_by_field_name("function") else {
            return false;
        };
        if !self.text(f).eq_ignore_ascii_case("define") || !self.first_arg_is(node, &["string", "encapsed_string"]) {
            return false;
        }
        let args = self.call_args(node, scope);
        let (Some(name), Some(value)) = (args.first().and_then(|a| a.value.as_str()), args.get(1)) else {
            return false;
        };
        let target = Expr::new(ExprKind::Name(name.to_string()), args[0].value.span);
        let sp = self.span(node);
        self.push_assign(0, target, value.value.clone(), None, sp);
        true
    }

    /// `curl_setopt($ch, OPT, v)` / `curl_setopt_array($ch, [OPT => v])`:
    /// assignments that configure the handle.
    fn curl_statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> bool {
        let Some(f) = node.child_by_field_name("function") else {
            return false;
        };
        let fname = last_segment(self.text(f));
        if fname != "curl_setopt" && fname != "curl_setopt_array" {
            return false;
        }
        if !self.first_arg_is(node, &["variable_name", "member_access_expression"]) {
            return false;
        }
        let args = self.call_args(node, scope);
        let Some(handle) = args.first().map(|a| a.value.clone()) else {
            return false;
        };
        let Some(key) = handle.dotted() else {
            return false;
        };
        let sp = self.span(node);
        let mut opts: Vec<(Expr, Expr)> = Vec::new();
        if fname == "curl_setopt" {
            if let (Some(k), Some(v)) = (args.get(1), args.get(2)) {
                opts.push((k.value.clone(), v.value.clone()));
            }
        } else if let Some(ExprKind::Dict(pairs)) = args.get(1).map(|a| a.value.kind.clone()) {
            opts = pairs;
        }
        for (k, v) in opts {
            let Some(opt) = k.last_name().map(str::to_string) else {
                continue;
            };
            let value = header_lines(v);
            if opt.ends_with("_URL") {
                let at = self.handle_scope(&key, scope);
                self.curl_urls.insert((at, key.clone()), value.clone());
            }
            let target = Expr::new(ExprKind::Member(Box::new(handle.clone()), opt), k.span);
            self.push_assign(scope, target, value, guard, sp);
        }
        true
    }

    fn function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let scope = self.function_scope(node, &name, parent);
        if !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        if let Some(body) = node.child_by_field_name("body") {
            if body.kind() == "compound_statement" {
                self.block(body, scope, None);
            } else {
                // fn($x) => expr
                let value = self.expr_top(body, scope, false);
                self.push_return(scope, value, None);
            }
        }
        scope
    }

    fn class(&mut self, node: Node, parent: ScopeId) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Class, name.clone(), parent, sp);
        for c in named_children(node) {
            if c.kind() == "base_clause" {
                for b in named_children(c) {
                    let base = last_segment(self.text(b)).to_string();
                    self.f.facts.scopes[scope].bases.push(base);
                }
            }
        }
        if !name.is_empty() {
            self.push_assign(
                parent,
                Expr::new(ExprKind::Name(name), sp),
                Expr::new(ExprKind::Func(scope), sp),
                None,
                sp,
            );
        }
        if let Some(body) = node.child_by_field_name("body") {
            self.block(body, scope, None);
        }
    }

    /// `use A\B\C as D;`: `D` names the class `C` (classes are recognised
    /// by name; namespaces are not modelled).
    fn use_decl(&mut self, node: Node) {
        for clause in named_children(node) {
            if clause.kind() != "namespace_use_clause" {
                continue;
            }
            let (Some(full), Some(alias)) = (
                named_children(clause).first().copied(),
                clause.child_by_field_name("alias"),
            ) else {
                continue;
            };
            let class = last_segment(self.text(full)).to_string();
            self.aliases.insert(self.text(alias).to_string(), class);
        }
    }

    /// Anything not modelled: its children are still lowered so that calls
    /// inside it are seen.
    fn other(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in named_children(node) {
            if c.kind().ends_with("statement") {
                self.stmt(c, scope, None);
            } else {
                self.expr(c, scope, false);
            }
        }
        Expr::unknown(self.span(node))
    }

    fn binary(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) else {
            return Expr::unknown(sp);
        };
        let op = node
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("")
            .to_ascii_lowercase();
        let le = self.expr(l, scope, false);
        let re = self.expr(r, scope, false);
        let kind = match op.as_str() {
            "." => ExprKind::Concat(vec![le, re]),
            "??" | "||" | "or" => ExprKind::Alt {
                cond: None,
                alts: vec![le, re],
            },
            "==" | "===" | "!=" | "!==" | "<>" | "&&" | "and" | "<" | ">" | "<=" | ">=" | "instanceof" => {
                ExprKind::Test(vec![le, re])
            }
            _ => ExprKind::Unknown,
        };
        Expr::new(kind, sp)
    }

    /// `"… $x {$y->z} …"` and heredocs → Concat (or Str without holes).
    fn interpolated(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let mut parts: Vec<Expr> = Vec::new();
        let mut has_hole = false;
        for c in named_children(node) {
            match c.kind() {
                "string_content" | "string_value" | "escape_sequence" => {
                    let s = if node.kind().starts_with("nowdoc") {
                        self.text(c).to_string()
                    } else {
                        unescape(self.text(c))
                    };
                    parts.push(Expr::new(ExprKind::Str(s), self.span(c)));
                }
                "heredoc_body" | "nowdoc_body" => {
                    let e = self.interpolated(c, scope);
                    match e.kind {
                        ExprKind::Concat(inner) => {
                            has_hole = true;
                            parts.extend(inner);
                        }
                        _ => parts.push(e),
                    }
                }
                "heredoc_start" | "heredoc_end" => {}
                "dynamic_variable_name" => {
                    has_hole = true;
                    let inner = named_children(c).into_iter().find(|x| x.kind() == "name");
                    match inner {
                        Some(n) => parts.push(Expr::new(ExprKind::Name(self.text(n).to_string()), self.span(c))),
                        None => parts.push(Expr::unknown(self.span(c))),
                    }
                }
                _ => {
                    has_hole = true;
                    let e = self.expr(c, scope, false);
                    parts.push(e);
                }
            }
        }
        if !has_hole {
            let s: String = parts.iter().filter_map(|p| p.as_str()).collect();
            return Expr::new(ExprKind::Str(s), sp);
        }
        Expr::new(ExprKind::Concat(parts), sp)
    }

    fn array(&mut self, node: Node, scope: ScopeId) -> ExprKind {
        let mut pairs: Vec<(Expr, Expr)> = Vec::new();
        let mut keyed = false;
        for el in named_children(node) {
            if el.kind() != "array_element_initializer" {
                continue;
            }
            let kids = named_children(el);
            if kids.len() >= 2 {
                keyed = true;
                let k = self.expr(kids[0], scope, false);
                let v = self.expr(kids[kids.len() - 1], scope, false);
                pairs.push((k, v));
            } else if let Some(v) = kids.first() {
                let spread = self.text(el).trim_start().starts_with("...");
                let v = self.expr(*v, scope, false);
                let key = if spread {
                    Expr::unknown(v.span)
                } else {
                    Expr::new(ExprKind::Number, v.span)
                };
                pairs.push((key, v));
            }
        }
        if keyed {
            ExprKind::Dict(pairs)
        } else {
            ExprKind::List(pairs.into_iter().map(|(_, v)| v).collect())
        }
    }

    fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let Some(list) = node
            .child_by_field_name("arguments")
            .or_else(|| named_children(node).into_iter().find(|c| c.kind() == "arguments"))
        else {
            return args;
        };
        for a in named_children(list) {
            let name = a.child_by_field_name("name").map(|n| self.text(n).to_string());
            let value_node = named_children(a)
                .into_iter()
                .rfind(|c| Some(*c) != a.child_by_field_name("name"));
            let value = match (a.kind(), value_node) {
                ("argument", Some(v)) => self.expr(v, scope, false),
                ("argument", None) => continue,
                _ => self.expr(a, scope, false),
            };
            args.push(Arg { name, value });
        }
        args
    }

    fn push_call(
        &mut self,
        callee: Expr,
        args: Vec<Arg>,
        is_new: bool,
        sp: Span,
        scope: ScopeId,
        receiver: bool,
    ) -> Expr {
        let e = call_expr(callee, args, is_new, sp);
        if !receiver {
            self.f.facts.calls.push(CallSite {
                scope,
                expr: e.clone(),
                statement: false,
            });
        }
        e
    }

    fn method_call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let obj = node
            .child_by_field_name("object")
            .or_else(|| node.child_by_field_name("scope"));
        let name = node.child_by_field_name("name");
        let (Some(o), Some(n)) = (obj, name) else {
            return self.other(node, scope);
        };
        // The receiver chain is part of this call's chain.
        let o = self.expr(o, scope, true);
        // `$client->$method(...)`: a call on the receiver whose name is only
        // known at run time.
        let callee = Expr::new(ExprKind::Member(Box::new(o), self.text(n).to_string()), self.span(n));
        let mut args = self.call_args(node, scope);
        // A response's body (PSR-7 `getBody()`/`getContents()`, Laravel's
        // `json()`) is read, not requested: a member of the response.
        if args.is_empty() && matches!(callee.last_name(), Some("getBody" | "getContents" | "json")) {
            if let ExprKind::Member(o, m) = callee.kind {
                return Expr::new(ExprKind::Member(o, m), sp);
            }
        }
        // Laravel `Http::withToken($t, 'Zoho-oauthtoken')` sets the
        // Authorization header to "<type> <token>" (type `Bearer` by default).
        if callee.last_name() == Some("withToken") && !args.is_empty() {
            let at = args[0].value.span;
            let scheme = args
                .get(1)
                .map(|a| a.value.clone())
                .unwrap_or_else(|| Expr::new(ExprKind::Str("Bearer".into()), at));
            let value = Expr::new(
                ExprKind::Concat(vec![
                    scheme,
                    Expr::new(ExprKind::Str(" ".into()), at),
                    args[0].value.clone(),
                ]),
                at,
            );
            let header = Expr::new(ExprKind::Str("Authorization".into()), at);
            args = vec![Arg {
                name: None,
                value: Expr::new(ExprKind::Dict(vec![(header, value)]), at),
            }];
        }
        self.push_call(callee, args, false, sp, scope, receiver)
    }

    fn function_call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(func) = node.child_by_field_name("function") else {
            return Expr::unknown(sp);
        };
        let callee = self.expr(func, scope, true);
        let args = self.call_args(node, scope);
        let fname = match &callee.kind {
            ExprKind::Name(n) => n.to_ascii_lowercase(),
            _ => String::new(),
        };
        let arg = |i: usize| args.get(i).map(|a| a.value.clone());
        match fname.as_str() {
            // Environment reads; Laravel's env() takes a default.
            "getenv" | "env" => {
                if let Some(name) = args.first().and_then(|a| a.value.as_str()) {
                    let name = name.to_string();
                    self.f.facts.env_reads.push(name.clone());
                    let env = Expr::new(ExprKind::Env(name), sp);
                    return match arg(1) {
                        Some(default) => Expr::new(
                            ExprKind::Alt {
                                cond: None,
                                alts: vec![env, default],
                            },
                            sp,
                        ),
                        None => env,
                    };
                }
            }
            // Laravel `config('zoho.token')`: key `token` of the array that
            // `config/zoho.php` returns.
            "config" if callee.dotted().as_deref() == Some("config") => {
                if let Some(key) = args.first().and_then(|a| a.value.as_str()) {
                    let mut segs = key.split('.');
                    let file = segs.next().unwrap_or("");
                    if !file.is_empty() && !file.contains(['/', '\\']) {
                        let local = format!("config:{file}");
                        if !self.f.facts.imports.iter().any(|i| i.local == local) {
                            self.f.facts.imports.push(Import {
                                scope: 0,
                                local: local.clone(),
                                module: format!("config/{file}.php"),
                                name: None,
                                span: sp,
                            });
                        }
                        let at = args[0].value.span;
                        let mut e = Expr::new(ExprKind::Name(local), at);
                        for seg in segs {
                            e = Expr::new(ExprKind::Member(Box::new(e), seg.to_string()), at);
                        }
                        return match arg(1) {
                            Some(default) => Expr::new(
                                ExprKind::Alt {
                                    cond: None,
                                    alts: vec![e, default],
                                },
                                sp,
                            ),
                            None => e,
                        };
                    }
                }
            }
            // array_merge($base, [...]): a dict with both, later keys winning.
            "array_merge" | "array_replace" => {
                let pairs = args
                    .iter()
                    .map(|a| (Expr::unknown(a.value.span), a.value.clone()))
                    .collect();
                return Expr::new(ExprKind::Dict(pairs), sp);
            }
            "sprintf" | "vsprintf" => {
                if let Some(t) = arg(0).filter(|t| t.as_str().is_some()) {
                    let mut rest: Vec<Expr> = args.iter().skip(1).map(|a| a.value.clone()).collect();
                    if fname == "vsprintf" {
                        if let Some(ExprKind::List(items)) = rest.first().map(|r| r.kind.clone()) {
                            rest = items;
                        }
                    }
                    return Expr::new(super::printf(&t, &super::positional(rest)), sp);
                }
            }
            // str_replace('www', 'sandbox', $url) is $url.replace('www', 'sandbox').
            "str_replace" | "preg_replace" if args.len() >= 3 => {
                if let (Some(from), Some(to), Some(subject)) = (arg(0), arg(1), arg(2)) {
                    let member = Expr::new(ExprKind::Member(Box::new(subject), "replace".into()), callee.span);
                    let args = vec![
                        Arg {
                            name: None,
                            value: from,
                        },
                        Arg { name: None, value: to },
                    ];
                    return self.push_call(member, args, false, sp, scope, receiver);
                }
            }
            // Filters and copies that keep the value.
            // json_decode($response) is the response's data.
            "json_decode" if !args.is_empty() => {
                if let Some(v) = arg(0) {
                    return v;
                }
            }
            "array_filter" | "array_values" if args.len() == 1 => {
                if let Some(v) = arg(0) {
                    return v;
                }
            }
            "trim" | "rtrim" | "ltrim" | "strtolower" | "strtoupper" | "strval" | "urldecode" => {
                if let Some(subject) = arg(0) {
                    return Expr::new(
                        ExprKind::Call(std::sync::Arc::new(Call {
                            callee: Expr::new(ExprKind::Member(Box::new(subject), "strip".into()), callee.span),
                            args: Vec::new(),
                            is_new: false,
                        })),
                        sp,
                    );
                }
            }
            "implode" | "join" if args.len() == 2 => {
                if let (Some(glue), Some(ExprKind::List(items))) = (arg(0), arg(1).map(|a| a.kind)) {
                    let mut parts = Vec::new();
                    for (i, it) in items.into_iter().enumerate() {
                        if i > 0 {
                            parts.push(glue.clone());
                        }
                        parts.push(it);
                    }
                    return Expr::new(ExprKind::Concat(parts), sp);
                }
            }
            // Closing or inspecting a curl handle sends nothing.
            "curl_close" | "curl_getinfo" | "curl_error" | "curl_errno" | "curl_reset" => {
                let args = args
                    .into_iter()
                    .map(|a| Arg {
                        name: a.name,
                        value: Expr::unknown(a.value.span),
                    })
                    .collect();
                return self.push_call(callee, args, false, sp, scope, receiver);
            }
            // curl_exec($ch): a call on the configured handle with its URL.
            "curl_exec" => {
                if let Some((h, key)) = arg(0).and_then(|h| h.dotted().map(|k| (h, k))) {
                    let at = self.handle_scope(&key, scope);
                    let url = self.curl_urls.get(&(at, key)).cloned();
                    let member = Expr::new(ExprKind::Member(Box::new(h), "curl_exec".into()), callee.span);
                    let args = url.map(|value| vec![Arg { name: None, value }]).unwrap_or_default();
                    return self.push_call(member, args, false, sp, scope, receiver);
                }
            }
            _ => {}
        }
        self.push_call(callee, args, false, sp, scope, receiver)
    }
}

/// The path of `require __DIR__ . '/config.php'` / `require 'config.php'`,
/// relative to the requiring file.
fn include_path(e: &Expr) -> Option<String> {
    let s: String = match &e.kind {
        ExprKind::Str(s) => s.clone(),
        ExprKind::Concat(parts) => parts.iter().filter_map(|p| p.as_str()).collect(),
        _ => return None,
    };
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(if s.starts_with('/') || s.starts_with('.') {
        format!(
            ".{}",
            if s.starts_with('/') {
                s.to_string()
            } else {
                s[1..].to_string()
            }
        )
    } else {
        format!("./{s}")
    })
}

/// Header lines `["Authorization: Zoho-oauthtoken $t"]` → a dict of headers.
fn header_lines(v: Expr) -> Expr {
    let ExprKind::List(items) = &v.kind else {
        return v;
    };
    let mut pairs = Vec::new();
    for it in items {
        let (head, rest): (Option<&str>, Vec<Expr>) = match &it.kind {
            ExprKind::Str(s) => (Some(s.as_str()), Vec::new()),
            ExprKind::Concat(parts) => (
                parts.first().and_then(|p| p.as_str()),
                parts.get(1..).map(<[Expr]>::to_vec).unwrap_or_default(),
            ),
            _ => (None, Vec::new()),
        };
        match head.and_then(|h| h.split_once(':')) {
            Some((name, value)) if !name.trim().is_empty() && !name.contains(' ') => {
                let key = Expr::new(ExprKind::Str(name.trim().to_string()), it.span);
                let mut parts = vec![Expr::new(ExprKind::Str(value.trim_start().to_string()), it.span)];
                parts.extend(rest);
                let value = if parts.len() == 1 {
                    parts.pop().unwrap_or_else(|| Expr::unknown(it.span))
                } else {
                    Expr::new(ExprKind::Concat(parts), it.span)
                };
                pairs.push((key, value));
            }
            _ => pairs.push((Expr::new(ExprKind::Number, it.span), it.clone())),
        }
    }
    Expr::new(ExprKind::Dict(pairs), v.span)
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
            let Some(n) = p.child_by_field_name("name") else {
                continue;
            };
            let name = self.var_name(n);
            names.push(name.clone());
            if let Some(v) = p.child_by_field_name("default_value") {
                // Defaults are alternatives of the parameter.
                let value = self.expr_top(v, scope, false);
                let target = Expr::new(ExprKind::Name(name.clone()), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
            if p.kind() == "property_promotion_parameter" {
                // __construct(private string $token): $this->token = $token.
                let this = Expr::new(ExprKind::This, self.span(n));
                let target = Expr::new(ExprKind::Member(Box::new(this), name.clone()), self.span(n));
                let value = Expr::new(ExprKind::Name(name), self.span(n));
                self.push_assign(scope, target, value, None, self.span(p));
            }
        }
        self.f.facts.scopes[scope].params = names;
    }

    /// Statements without comments.
    fn statements<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        named_children(node)
    }

    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        match node.kind() {
            "expression_statement" => {
                for child in named_children(node) {
                    self.expr_stmt(child, scope, guard);
                }
            }
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
                        let target = Expr::new(ExprKind::Name(name), self.span(*n));
                        self.push_assign(scope, target, value, guard, self.span(el));
                    }
                }
            }
            "property_declaration" => {
                for el in named_children(node) {
                    if el.kind() != "property_element" {
                        continue;
                    }
                    let (Some(n), Some(v)) = (el.child_by_field_name("name"), el.child_by_field_name("default_value"))
                    else {
                        continue;
                    };
                    let value = self.expr_top(v, scope, false);
                    let target = Expr::new(ExprKind::Name(self.var_name(n)), self.span(n));
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
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr_top(c, scope, false));
                let g = cond.as_ref().or(guard);
                if let Some(b) = node.child_by_field_name("body") {
                    self.stmt(b, scope, g);
                }
                let mut c = node.walk();
                let alts: Vec<Node> = node.children_by_field_name("alternative", &mut c).collect();
                for alt in alts {
                    self.stmt(alt, scope, g);
                }
            }
            "else_clause" => {
                if let Some(b) = node.child_by_field_name("body") {
                    self.stmt(b, scope, guard);
                }
            }
            "switch_statement" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr_top(c, scope, false));
                if let Some(body) = node.child_by_field_name("body") {
                    for case in named_children(body) {
                        let value = case.child_by_field_name("value").map(|v| self.expr(v, scope, false));
                        // `default:` is selected by the subject too.
                        let g = match (&cond, value) {
                            (Some(c), Some(v)) => {
                                let sp = c.span;
                                Some(Expr::new(ExprKind::Test(vec![c.clone(), v]), sp))
                            }
                            (Some(c), None) => Some(Expr::new(ExprKind::Test(vec![c.clone()]), c.span)),
                            _ => guard.cloned(),
                        };
                        for s in named_children(case) {
                            if Some(s) != case.child_by_field_name("value") {
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
                    let value = Expr::new(ExprKind::Index(Box::new(it), Box::new(Expr::unknown(sp))), sp);
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
                if let Some(b) = node.child_by_field_name("body") {
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
                if let (Some(n), Some(v)) = (node.child_by_field_name("name"), node.child_by_field_name("value")) {
                    let value = self.expr_top(v, scope, false);
                    let target = Expr::new(ExprKind::Name(self.text(n).to_string()), self.span(n));
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
            _ => {
                for child in named_children(node) {
                    if child.kind().ends_with("statement") {
                        self.stmt(child, scope, guard);
                    } else {
                        self.expr_top(child, scope, false);
                    }
                }
            }
        }
    }

    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let kind = match node.kind() {
            "variable_name" => match self.var_name(node).as_str() {
                "this" => ExprKind::This,
                n => ExprKind::Name(n.to_string()),
            },
            "name" | "qualified_name" => {
                let t = last_segment(self.text(node));
                let t = self.aliases.get(t).map(String::as_str).unwrap_or(t);
                match t.to_ascii_lowercase().as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => ExprKind::Name(t.to_string()),
                }
            }
            "relative_scope" => match self.text(node) {
                "self" | "static" => ExprKind::This,
                t => ExprKind::Name(t.to_string()),
            },
            "string" => {
                let raw: String = named_children(node)
                    .into_iter()
                    .map(|c| self.text(c))
                    .collect::<Vec<_>>()
                    .join("");
                ExprKind::Str(raw.replace("\\'", "'").replace("\\\\", "\\"))
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
            "conditional_expression" => {
                let cond = node.child_by_field_name("condition");
                let body = node.child_by_field_name("body");
                let alt = node.child_by_field_name("alternative");
                match (cond, body, alt) {
                    (Some(c), Some(b), Some(a)) => {
                        let c = self.expr(c, scope, false);
                        let b = self.expr(b, scope, false);
                        let a = self.expr(a, scope, false);
                        ExprKind::Alt {
                            cond: Some(Box::new(c)),
                            alts: vec![b, a],
                        }
                    }
                    // `$a ?: $b`
                    (Some(c), None, Some(a)) => {
                        let c = self.expr(c, scope, false);
                        let a = self.expr(a, scope, false);
                        ExprKind::Alt {
                            cond: None,
                            alts: vec![c, a],
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "unary_op_expression" => {
                let kids: Vec<Expr> = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c, scope, false))
                    .collect();
                if self.text(node).trim_start().starts_with('!') {
                    ExprKind::Test(kids)
                } else {
                    ExprKind::Unknown
                }
            }
            "member_access_expression" | "nullsafe_member_access_expression" => {
                let obj = node.child_by_field_name("object");
                let name = node.child_by_field_name("name");
                match (obj, name) {
                    (Some(o), Some(n)) if n.kind() == "name" => {
                        let o = self.expr(o, scope, receiver);
                        ExprKind::Member(Box::new(o), self.text(n).to_string())
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
                let scope_node = node.child_by_field_name("scope").or(kids.first().copied());
                let name_node = node.child_by_field_name("name").or(kids.last().copied());
                match (scope_node, name_node) {
                    (Some(s), Some(n)) if s != n => {
                        let m = self.var_name(n);
                        if m == "class" {
                            ExprKind::Unknown
                        } else {
                            let o = self.expr(s, scope, receiver);
                            ExprKind::Member(Box::new(o), m)
                        }
                    }
                    _ => ExprKind::Unknown,
                }
            }
            "subscript_expression" => {
                let kids = named_children(node);
                match (kids.first(), kids.get(1)) {
                    (Some(o), Some(k)) => {
                        let o = self.expr(*o, scope, receiver);
                        let k = self.expr(*k, scope, false);
                        match (&o.kind, k.as_str()) {
                            (ExprKind::Name(n), Some(var)) if n == "_ENV" || n == "_SERVER" => {
                                self.f.facts.env_reads.push(var.to_string());
                                ExprKind::Env(var.to_string())
                            }
                            _ => ExprKind::Index(Box::new(o), Box::new(k)),
                        }
                    }
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
                if !matches!(class.kind(), "name" | "qualified_name" | "variable_name") {
                    return self.other(node, scope);
                }
                let callee = self.expr(*class, scope, true);
                let args = self.call_args(node, scope);
                return self.push_call(callee, args, true, sp, scope, receiver);
            }
            "array_creation_expression" => self.array(node, scope),
            // match ($x) { a, b => v, default => w }: the subject selects the arm.
            "match_expression" => {
                let cond = node
                    .child_by_field_name("condition")
                    .map(|c| self.expr(c, scope, false));
                let mut alts = Vec::new();
                if let Some(body) = node.child_by_field_name("body") {
                    for arm in named_children(body) {
                        if let Some(c) = arm.child_by_field_name("conditional_expressions") {
                            self.other(c, scope);
                        }
                        if let Some(r) = arm.child_by_field_name("return_expression") {
                            alts.push(self.expr(r, scope, false));
                        }
                    }
                }
                ExprKind::Alt {
                    cond: cond.map(Box::new),
                    alts,
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
                            self.f.facts.imports.push(Import {
                                scope,
                                local: l,
                                module: path.clone(),
                                name: None,
                                span: sp,
                            });
                        }
                        return Expr::new(ExprKind::Name(local), sp);
                    }
                }
                ExprKind::Unknown
            }
            _ => return self.other(node, scope),
        };
        Expr::new(kind, sp)
    }
}

#[cfg(test)]
mod tests;
