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

use crate::source::Field;
use std::collections::HashMap;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::{two_fields, unescape};

pub fn lower(text: &str) -> FileFacts {
    frame::lower(tree_sitter_php::LANGUAGE_PHP.into(), text, |f| Lowerer {
        f,
        curl_urls: HashMap::new(),
        aliases: HashMap::new(),
    })
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

impl<'a> Lowerer<'a> {
    /// `$name` → `name`.
    fn var_name(&self, node: Node) -> String {
        self.text(node).trim_start_matches('$').to_string()
    }

    /// Lowers an assignment and returns its value.
    fn assignment(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        let sp = self.span(node);
        let Some((left, right)) = two_fields(node, "left", "right") else {
            return Expr::unknown(sp);
        };
        let value = match right.kind() {
            "assignment_expression" | "augmented_assignment_expression" => self.assignment(right, scope, guard),
            _ => self.expr_top(right, scope, false),
        };
        let value = self.compound_value(node, left, scope, value, "augmented_assignment_expression");
        self.bind_target(left, value.clone(), scope, guard, sp);
        value
    }

    fn bind_target(&mut self, target: Node, value: Expr, scope: ScopeId, guard: Option<&Expr>, span: Span) {
        match target.kind() {
            // `[$a, $b] = f()`, `list($a, $b) = f()`, `['token' => $t] = f()`.
            "list_literal" | "array_creation_expression" => {
                let items = destructured_items(target);
                let n = items.len();
                for (i, item) in items.into_iter().enumerate() {
                    let Some((key, t)) = item else { continue };
                    let v = match key {
                        Some(k) => {
                            let key = self.expr(k, scope, false);
                            Expr::new(ExprKind::Index(Box::new(value.clone()), Box::new(key)), value.span)
                        }
                        None => value.element(i, n),
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

    /// The name of the class a scope is in (`self` / `static` there).
    fn enclosing_class(&self, scope: ScopeId) -> Option<String> {
        let mut s = Some(scope);
        while let Some(sc) = s {
            let sc = &self.f.facts.scopes[sc];
            if sc.kind == ScopeKind::Class {
                return Some(sc.name.clone()).filter(|n| !n.is_empty());
            }
            s = sc.parent;
        }
        None
    }

    /// Is the call's first argument one of these node kinds?
    fn first_arg_is(&self, call: Node, kinds: &[&str]) -> bool {
        call.field("arguments")
            .and_then(|l| named_children(l).into_iter().next())
            .and_then(|a| named_children(a).into_iter().last())
            .is_some_and(|v| kinds.contains(&v.kind()))
    }

    /// `define('NAME', value)`: a module-level constant.
    fn define(&mut self, node: Node, scope: ScopeId) -> bool {
        let Some(f) = node.field("function") else {
            return false;
        };
        if !self.text(f).eq_ignore_ascii_case("define") || !self.first_arg_is(node, &["string", "encapsed_string"]) {
            return false;
        }
        let args = self.call_args(node, scope);
        let (Some(name), Some(value)) = (args.first().and_then(|a| a.value.as_str()), args.get(1)) else {
            return false;
        };
        let target = Expr::new(ExprKind::Name(name.to_string().into()), args[0].value.span);
        let sp = self.span(node);
        self.push_assign(0, target, value.value.clone(), None, sp);
        true
    }

    /// `curl_setopt($ch, OPT, v)` / `curl_setopt_array($ch, [OPT => v])`:
    /// assignments that configure the handle.
    fn curl_statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> bool {
        let Some(f) = node.field("function") else {
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
            opts = pairs.into_vec();
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
            let target = Expr::new(ExprKind::Member(Box::new(handle.clone()), opt.into()), k.span);
            self.push_assign(scope, target, value, guard, sp);
        }
        true
    }

    fn function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let scope = self.declare_function(node, parent);
        // fn($x) => expr: the expression is returned.
        self.function_body(node, scope, "compound_statement", false);
        scope
    }

    fn class(&mut self, node: Node, parent: ScopeId) {
        let mut bases = Vec::new();
        for c in named_children(node) {
            if c.kind() == "base_clause" {
                bases.extend(
                    named_children(c)
                        .iter()
                        .map(|b| last_segment(self.text(*b)).to_string()),
                );
            }
        }
        let scope = self.declare_class(node, self.field_text(node, "name"), parent, bases);
        if let Some(body) = node.field("body") {
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
            let (Some(full), Some(alias)) = (named_children(clause).first().copied(), clause.field("alias")) else {
                continue;
            };
            let class = last_segment(self.text(full)).to_string();
            self.aliases.insert(self.text(alias).to_string(), class);
        }
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
                    parts.push(Expr::new(ExprKind::Str(s.into()), self.span(c)));
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
                        Some(n) => parts.push(Expr::new(ExprKind::Name(self.text(n).to_string().into()), self.span(c))),
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
            return Expr::new(ExprKind::Str(s.into()), sp);
        }
        Expr::new(ExprKind::Concat(parts.into()), sp)
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
                // `[...$base, ...$extra]`: the spread arrays' entries, merged
                // (a dict as soon as one element is spread).
                let spread = v.kind() == "variadic_unpacking";
                let inner = if spread {
                    named_children(*v).first().copied().unwrap_or(*v)
                } else {
                    *v
                };
                keyed |= spread;
                let v = self.expr(inner, scope, false);
                let key = if spread {
                    Expr::unknown(v.span)
                } else {
                    Expr::new(ExprKind::Number, v.span)
                };
                pairs.push((key, v));
            }
        }
        if keyed {
            ExprKind::Dict(pairs.into())
        } else {
            ExprKind::List(pairs.into_iter().map(|(_, v)| v).collect())
        }
    }
}

mod calls;
mod lowering;
use calls::{header_lines, include_path};

#[cfg(test)]
mod tests;

/// The items of a destructuring target, in order: each its key (`'token'
/// => $t`) or none (positional), and its target; `None` for a slot left
/// empty (`[, $b]`). The grammar gives an array's items as
/// `array_element_initializer` nodes, a `list(...)`'s as flat children
/// around `=>` and `,`.
fn destructured_items(target: Node<'_>) -> Vec<Option<(Option<Node<'_>>, Node<'_>)>> {
    let mut out = Vec::new();
    let mut group: Vec<Node> = Vec::new();
    let mut keyed = false;
    fn item<'t>(group: &[Node<'t>], keyed: bool) -> Option<(Option<Node<'t>>, Node<'t>)> {
        match group {
            [] => None,
            [el] if el.kind() == "array_element_initializer" => {
                let kids = named_children(*el);
                match kids.as_slice() {
                    [k, .., t] => Some((Some(*k), *t)),
                    [t] => Some((None, *t)),
                    [] => None,
                }
            }
            [k, .., t] if keyed => Some((Some(*k), *t)),
            [.., t] => Some((None, *t)),
        }
    }
    let mut c = target.walk();
    for k in target.children(&mut c) {
        match k.kind() {
            "," => {
                out.push(item(&group, keyed));
                group.clear();
                keyed = false;
            }
            "=>" => keyed = true,
            "comment" => {}
            _ if k.is_named() => group.push(k),
            _ => {}
        }
    }
    if !group.is_empty() {
        out.push(item(&group, keyed));
    }
    out
}
