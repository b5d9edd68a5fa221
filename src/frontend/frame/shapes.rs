//! The expression shapes every front-end builds the same way, written once:
//! calls and their call sites, alternatives, members, env reads, and what a
//! binary or compound-assignment operator makes (each language gives only its
//! operator table, [`Operators`]). Pure functions over the fact model; the
//! syn front-end (Rust) uses them too.

use std::collections::HashMap;
use std::sync::Arc;

use crate::facts::{Arg, Assign, Call, CallSite, Expr, ExprKind, FileFacts, ScopeId, ScopeKind, Span};

/// A call expression.
pub(crate) fn call(callee: Expr, mut args: Vec<Arg>, is_new: bool, span: Span) -> Expr {
    // Kept until linking is done: no spare capacity.
    args.shrink_to_fit();
    Expr::new(
        ExprKind::Call(Arc::new(Call {
            callee,
            args: args.into(),
            is_new,
        })),
        span,
    )
}

/// A struct literal of a type the file declares, outside that type's own
/// functions (`&Client{Host: h}`, `Client { host, token }`): a
/// construction of the type with its fields as named arguments (not a
/// request: no call site).
pub(crate) fn struct_literal(ty: &str, pairs: Vec<(Expr, Expr)>, span: Span) -> Expr {
    let callee = Expr::new(ExprKind::Name(ty.to_string().into()), span);
    let args = pairs
        .into_iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?.to_string();
            Some(Arg {
                name: Some(name.into()),
                value: v,
            })
        })
        .collect();
    call(callee, args, true, span)
}

/// A call, recorded as a chain head unless it is the `receiver` of a longer
/// chain (then the outermost call of the chain is the one recorded).
pub(crate) fn call_site(
    facts: &mut FileFacts,
    scope: ScopeId,
    callee: Expr,
    args: Vec<Arg>,
    is_new: bool,
    span: Span,
    receiver: bool,
) -> Expr {
    let e = call(callee, args, is_new, span);
    if !receiver {
        facts.calls.push(CallSite {
            scope,
            expr: e.clone(),
            statement: false,
        });
    }
    e
}

/// The class scope `name` at the top of the file, made and bound to its
/// name on first use (a Go struct and its methods, a Rust struct and its
/// `impl`s are one class).
pub(crate) fn class_object(
    facts: &mut FileFacts,
    classes: &mut HashMap<String, ScopeId>,
    name: &str,
    span: Span,
) -> ScopeId {
    if let Some(&s) = classes.get(name) {
        return s;
    }
    let s = facts.add_scope(ScopeKind::Class, name.to_string(), 0, span);
    classes.insert(name.to_string(), s);
    let value = Expr::new(ExprKind::Func(s), span);
    push_assign(facts, 0, self::name(name, span), value, None, span);
    s
}

/// Records `target = value` (under `guard`).
pub(crate) fn push_assign(
    facts: &mut FileFacts,
    scope: ScopeId,
    target: Expr,
    value: Expr,
    guard: Option<&Expr>,
    span: Span,
) {
    facts.assigns.push(Assign {
        scope,
        target,
        value,
        guard: guard.cloned().map(Box::new),
        span,
    });
}

/// The first argument's value: what a wrapper (`String.valueOf(x)`,
/// `URI(x)`) stands for.
pub(crate) fn first_arg(args: Vec<Arg>, span: Span) -> Expr {
    args.into_iter()
        .next()
        .map(|a| a.value)
        .unwrap_or_else(|| Expr::unknown(span))
}

/// One of `alts`, chosen by `cond` when the choice is written (a ternary, a
/// `match`), else by the run-time value (`a || b`, `a ?? b`, a default).
pub(crate) fn alt(cond: Option<Expr>, alts: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Alt {
            cond: cond.map(Box::new),
            alts: alts.into(),
        },
        span,
    )
}

/// `a`, or else `b`.
pub(crate) fn either(a: Expr, b: Expr, span: Span) -> Expr {
    alt(None, vec![a, b], span)
}

/// `obj.name`.
pub(crate) fn member(obj: Expr, name: impl Into<String>, span: Span) -> Expr {
    Expr::new(ExprKind::Member(Box::new(obj), name.into().into()), span)
}

/// `this.name`, both at `span`.
pub(crate) fn this_member(name: impl Into<String>, span: Span) -> Expr {
    member(Expr::new(ExprKind::This, span), name, span)
}

/// An element of `iter` picked at run time (a loop variable over it, one of
/// listed words): `iter[?]`, the unknown key at `key_at`.
pub(crate) fn any_element(iter: Expr, key_at: Span, span: Span) -> Expr {
    Expr::new(ExprKind::Index(Box::new(iter), Box::new(Expr::unknown(key_at))), span)
}

/// The guard of a `switch` section: its subject equal to one of its
/// `labels` (none for `default`).
pub(crate) fn case_guard(subject: Option<&Expr>, labels: Vec<Expr>, span: Span) -> Option<Expr> {
    if labels.is_empty() {
        return None;
    }
    let mut ops: Vec<Expr> = subject.into_iter().cloned().collect();
    ops.extend(labels);
    Some(Expr::new(ExprKind::Test(ops.into()), span))
}

/// A bare name.
pub(crate) fn name(n: impl Into<String>, span: Span) -> Expr {
    Expr::new(ExprKind::Name(n.into().into()), span)
}

/// A string literal built from `parts`: with interpolations a
/// concatenation, else the one string its literal parts make.
pub(crate) fn interpolated(parts: Vec<Expr>, has_interp: bool, span: Span) -> Expr {
    if !has_interp {
        let s: String = parts.iter().filter_map(|p| p.as_str()).collect();
        return Expr::new(ExprKind::Str(s.into()), span);
    }
    Expr::new(ExprKind::Concat(parts.into()), span)
}

/// A read of env var `name` (recorded for the second pass), or `default`
/// when it is unset.
pub(crate) fn env_read(facts: &mut FileFacts, name: String, default: Option<Expr>, span: Span) -> Expr {
    facts.env_reads.push(name.clone());
    or_default(Expr::new(ExprKind::Env(name.into()), span), default, span)
}

/// A read of the env var `name` names: a literal, a constant holding it, or
/// a ternary of those (`getenv(sandbox ? "ZOHO_SANDBOX_TOKEN" :
/// PROD_TOKEN_VAR)`), which is the process environment indexed by that
/// choice, so that each variable keeps the key that chose it. `None` for any
/// other name.
pub(crate) fn env_read_by(facts: &mut FileFacts, name: &Expr, default: Option<Expr>, span: Span) -> Option<Expr> {
    match &name.kind {
        ExprKind::Str(n) => Some(env_read(facts, n.clone().into(), default, span)),
        ExprKind::Alt { cond: Some(_), alts } if alts.iter().all(names_env_var) => {
            facts
                .env_reads
                .extend(alts.iter().filter_map(|a| a.as_str()).map(str::to_string));
            Some(indexed_env(name, default, span))
        }
        // A constant that holds the name (`getenv(TOKEN_VAR)`,
        // `getenv(self::TOKEN_VAR)`): the process environment indexed by
        // it, which the linker reads as the env var the constant names.
        _ if names_env_var(name) => Some(indexed_env(name, default, span)),
        _ => None,
    }
}

/// A literal, a constant (`TOKEN_VAR`, `self::TOKEN_VAR`), an item of a
/// constant table (`TARGETS[env]["token_var"]`, `TARGETS.fetch(env)[:token_var]`,
/// `TARGETS.get(env).get("tokenVar")`) or a field of an entry of a named
/// table (`targets[env].TokenVar`): what can name an env var in a ternary
/// or on its own.
fn names_env_var(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Str(_) => true,
        ExprKind::Name(n) => is_constant_name(n),
        ExprKind::Member(o, n) => is_constant_name(n) || is_table_entry(o),
        _ => lookup(e).is_some_and(|(o, k)| {
            !matches!(o.kind, ExprKind::Str(_)) && (names_env_var(o) || k.as_str().is_some() && is_table_entry(o))
        }),
    }
}

/// `targets[env]`, `self.targets[env]`, `targets.get(env)`: the entry of a
/// table held in a variable or field, chosen by a key.
fn is_table_entry(e: &Expr) -> bool {
    lookup(e).is_some_and(|(t, _)| matches!(t.kind, ExprKind::Name(_) | ExprKind::Member(..)))
}

/// The table and key of a lookup: `o[k]`, or `o.get(k)` / `o.get(k, d)`
/// (a map's getter, as the linker reads it).
fn lookup(e: &Expr) -> Option<(&Expr, &Expr)> {
    match &e.kind {
        ExprKind::Index(o, k) => Some((o, k)),
        ExprKind::Call(c) => match (&c.callee.kind, &*c.args) {
            (ExprKind::Member(o, m), [k] | [k, _]) if &**m == "get" && c.args.iter().all(|a| a.name.is_none()) => {
                Some((o, &k.value))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The process environment indexed by `name` (`process.env[name]`).
fn indexed_env(name: &Expr, default: Option<Expr>, span: Span) -> Expr {
    let env = Expr::new(ExprKind::EnvObject, span);
    let read = Expr::new(ExprKind::Index(Box::new(env), Box::new(name.clone())), span);
    or_default(read, default, span)
}

/// `TOKEN_VAR`, `ZOHO_ENV2`: a name written as a constant.
fn is_constant_name(n: &str) -> bool {
    n.len() > 1
        && n.starts_with(|c: char| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The class a declared type names: `com.acme.ZohoConfig` → `ZohoConfig`,
/// `Map<String, X>` → `Map`, `ZohoConfig?` / `ZohoConfig[]` / `: ZohoConfig`
/// → `ZohoConfig`; empty for anything else (a union, a function type).
pub(crate) fn type_class(written: &str) -> String {
    let t = written.trim().trim_start_matches(':').trim();
    let t = t.split('<').next().unwrap_or("").trim_end_matches(['?', '[', ']', ' ']);
    let last = t.rsplit(['.', ':', '\\']).next().unwrap_or("");
    if last.chars().next().is_some_and(char::is_alphabetic) && last.chars().all(|c| c.is_alphanumeric() || c == '_') {
        last.to_string()
    } else {
        String::new()
    }
}

/// `e`, or `default` when there is one and `e` is unset.
pub(crate) fn or_default(e: Expr, default: Option<Expr>, span: Span) -> Expr {
    match default {
        Some(d) => either(e, d, span),
        None => e,
    }
}

/// Binds `name` (written at `name_span`) in `parent` to the function or
/// class `scope` declared at `span`.
pub(crate) fn bind_function(
    facts: &mut FileFacts,
    parent: ScopeId,
    name: String,
    name_span: Span,
    scope: ScopeId,
    span: Span,
) {
    let value = Expr::new(ExprKind::Func(scope), span);
    push_assign(facts, parent, self::name(name, name_span), value, None, span);
}

/// How many leading arguments of a format call are its context, not its
/// template: `String.format(Locale.ROOT, fmt, …)`, `string.Format(
/// CultureInfo.InvariantCulture, fmt, …)` — a first argument that is no
/// literal, before a literal or naming a type called like `context`.
pub(crate) fn format_context(args: &[Arg], context: &str) -> usize {
    let names_context = |e: &Expr| e.dotted().is_some_and(|d| d.contains(context));
    usize::from(
        args.len() >= 2
            && args[0].value.as_str().is_none()
            && (args[1].value.as_str().is_some() || names_context(&args[0].value)),
    )
}

/// An expression that may hold text (what `%` formats when it is a
/// template): not a number, a boolean, null or a collection.
fn is_text(e: &Expr) -> bool {
    !matches!(
        e.kind,
        ExprKind::Number | ExprKind::Bool(_) | ExprKind::Null | ExprKind::Dict(_) | ExprKind::List(_)
    )
}

/// How a grammar writes a string with interpolations (f-strings, `#{}`,
/// template literals): which node kinds are the string, which children are
/// text, which are holes, and where a hole's expression is.
pub(crate) struct Interpolation {
    /// The node kinds that are such strings.
    pub strings: &'static [&'static str],
    /// Children that are text (unescaped).
    pub literal: &'static [&'static str],
    /// The kind of a hole.
    pub hole: &'static str,
    /// The expression inside a hole, if it has one.
    pub inner: fn(tree_sitter::Node) -> Option<tree_sitter::Node>,
    /// A hole without one is unknown, its children lowered (calls in them
    /// still counted) when set.
    pub lower_rest: bool,
}

/// What a language's binary operators make: the facts know strings being
/// built, values chosen at run time and tests, nothing of arithmetic.
pub(crate) struct Operators {
    /// String building: `+`, PHP's `.`.
    pub concat: &'static [&'static str],
    /// `a || b`, `a ?? b`, `a or b`: either operand.
    pub either: &'static [&'static str],
    /// Comparisons and `&&`: a test of both operands.
    pub test: &'static [&'static str],
    /// Any other operator is a test too (Go), instead of unknown.
    pub other_is_test: bool,
    /// `"…%s…" % args` with a literal on the left is printf (Python, Ruby).
    pub percent_format: bool,
    /// Compound assignments that append to the target.
    pub append: &'static [&'static str],
    /// Compound assignments that keep the target when it is set.
    pub or_assign: &'static [&'static str],
}

impl Operators {
    /// A table without compound assignments.
    pub const fn new(
        concat: &'static [&'static str],
        either: &'static [&'static str],
        test: &'static [&'static str],
    ) -> Self {
        Operators {
            concat,
            either,
            test,
            other_is_test: false,
            percent_format: false,
            append: &[],
            or_assign: &[],
        }
    }

    /// With compound assignments that append and that keep a set target.
    pub const fn with_compound(self, append: &'static [&'static str], or_assign: &'static [&'static str]) -> Self {
        Operators {
            append,
            or_assign,
            ..self
        }
    }

    /// With `"…%s…" % args` as printf.
    pub const fn with_percent_format(self) -> Self {
        Operators {
            percent_format: true,
            ..self
        }
    }

    /// With any other operator a test.
    pub const fn with_other_tests(self) -> Self {
        Operators {
            other_is_test: true,
            ..self
        }
    }

    /// The expression `l op r` makes (`op` as written, lower-cased).
    pub fn apply(&self, op: &str, l: Expr, r: Expr) -> ExprKind {
        if self.concat.contains(&op) {
            ExprKind::Concat(vec![l, r].into())
        } else if self.percent_format && op == "%" && is_text(&l) {
            let args = match r.kind {
                ExprKind::List(items) => items,
                _ => vec![r].into(),
            };
            let span = l.span;
            crate::template::fill(
                crate::template::Style::Printf,
                l,
                crate::template::positional(args.into()),
                span,
            )
            .kind
        } else if self.either.contains(&op) {
            ExprKind::Alt {
                cond: None,
                alts: vec![l, r].into(),
            }
        } else if self.test.contains(&op) || self.other_is_test {
            ExprKind::Test(vec![l, r].into())
        } else {
            ExprKind::Unknown
        }
    }
}

/// The comparisons and `&&`/`||` of the C family (C#, Java).
pub(crate) const C_TESTS: &[&str] = &["==", "!=", "&&", "||", "<", ">", "<=", ">="];

impl Operators {
    /// The value `target op value` stores: `=` the value, an append
    /// (`+=`, `.=`, Ruby's `<<`) the target extended by it, a default (`??=`,
    /// `||=`) the target or it; any other operator an unknown value.
    pub fn compound(&self, op: &str, target: &Expr, value: Expr) -> Expr {
        let vs = value.span;
        if op == "=" {
            value
        } else if self.append.contains(&op) {
            Expr::new(ExprKind::Concat(vec![target.clone(), value].into()), vs)
        } else if self.or_assign.contains(&op) {
            either(target.clone(), value, vs)
        } else {
            Expr::unknown(vs)
        }
    }
}
