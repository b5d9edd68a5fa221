//! Java calls: method invocations, `new` (with the builders and wrappers it stands for), argument lists and the call site.

use super::*;
use crate::source::Field;

impl<'a> Lowerer<'a> {
    pub(super) fn call_args(&mut self, arglist: Node, scope: ScopeId) -> Vec<Arg> {
        named_children(arglist)
            .into_iter()
            .filter(|a| !Self::is_trivia(a.kind()))
            .map(|a| Arg {
                name: None,
                value: self.expr(a, scope, false),
            })
            .collect()
    }

    pub(super) fn new_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(ty) = node.field("type") else {
            return Expr::unknown(sp);
        };
        let callee = self.type_expr(ty);
        let args = node
            .field("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        // new StringBuilder(s): the string it starts with.
        if matches!(callee.dotted().as_deref(), Some("StringBuilder" | "StringBuffer")) && args.len() <= 1 {
            let start = args.into_iter().next().map(|a| a.value);
            return start.unwrap_or_else(|| Expr::new(ExprKind::Str(String::new().into()), sp));
        }
        // new URI(u) / new URL(u): the address itself.
        if matches!(
            callee.dotted().as_deref(),
            Some("URI" | "URL" | "java.net.URI" | "java.net.URL")
        ) && args.len() == 1
        {
            return frame::first_arg(args, sp);
        }
        // An anonymous class body: lower its methods.
        for c in named_children(node) {
            if c.kind() == "class_body" {
                let cs = self
                    .f
                    .facts
                    .add_scope(ScopeKind::Class, String::new(), scope, self.span(c));
                self.members.classes.push(self.body_names("", Some(c)));
                self.members.locals.push(HashSet::new());
                self.block(c, cs, None);
                self.members.locals.pop();
                self.members.classes.pop();
            }
        }
        self.call_site(callee, args, true, sp, scope, receiver)
    }

    /// A type as a callee: `OAuthToken.Builder` → Member(OAuthToken, Builder);
    /// generic arguments dropped.
    pub(super) fn type_expr(&self, ty: Node) -> Expr {
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
                    e = Expr::new(ExprKind::Member(Box::new(e), self.text(*r).into()), sp);
                }
                e
            }
            _ => Expr::new(ExprKind::Name(self.text(ty).to_string().into()), sp),
        }
    }

    pub(super) fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(name) = node.field("name").map(|n| self.text(n).to_string()) else {
            return Expr::unknown(sp);
        };
        let ns = node.field("name").map(|n| self.span(n)).unwrap_or(sp);
        let callee = match node.field("object") {
            // The callee's receiver chain is part of this call's chain.
            Some(o) => {
                let obj = self.expr(o, scope, true);
                Expr::new(ExprKind::Member(Box::new(obj), name.as_str().into()), ns)
            }
            None => self.name_ref(&name, ns, true),
        };
        let args = node
            .field("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        let dotted = callee.dotted();
        match (dotted.as_deref(), args.len()) {
            // System.getenv("X"), System.getenv().get("X"), ….getOrDefault("X", d)
            (Some("System.getenv" | "java.lang.System.getenv"), 1) => {
                if let Some(read) = self.env_read_by(&args[0].value, None, sp) {
                    return read;
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
                    return Expr::new(ExprKind::Env(crate::config::config_read_name(key).into()), sp);
                }
            }
            (Some("String.format"), n) if n >= 1 => {
                // String.format(Locale.ROOT, fmt, …)
                let skip = frame::format_context(&args, "Locale");
                let t = args[skip].value.clone();
                return crate::template::fill(FormatStyle::Printf, t, args[skip + 1..].to_vec(), sp);
            }
            (Some("String.valueOf" | "Objects.toString" | "URI.create" | "java.net.URI.create"), 1) => {
                return frame::first_arg(args, sp);
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
                return frame::alt(None, alts, sp);
            }
            _ => {}
        }
        if let ExprKind::Member(obj, m) = &callee.kind {
            match (&**m, args.len()) {
                // "…".formatted(a, b) / "a".concat(b)
                ("formatted", _) => {
                    return crate::template::fill(FormatStyle::Printf, (**obj).clone(), args, sp);
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
                    return Expr::new(ExprKind::Test(ops.into()), sp);
                }
                // new StringBuilder(a).append(b) / uri.resolve(path): string building.
                ("append" | "resolve", 1) if is_string_building(obj) => {
                    let mut parts = match &obj.kind {
                        ExprKind::Concat(p) => p.to_vec(),
                        _ => vec![(**obj).clone()],
                    };
                    parts.push(args[0].value.clone());
                    return Expr::new(ExprKind::Concat(parts.into()), sp);
                }
                ("concat", 1) => {
                    let parts = vec![(**obj).clone(), args[0].value.clone()];
                    return Expr::new(ExprKind::Concat(parts.into()), sp);
                }
                // System.getenv().get("X") / .getOrDefault("X", d)
                ("get" | "getOrDefault", 1 | 2) if is_call_to(obj, "System.getenv") => {
                    if let Some(name) = args[0].value.as_str() {
                        let default = args.get(1).map(|d| d.value.clone());
                        return self.env_read(name.to_string(), default, sp);
                    }
                }
                // Optional.ofNullable(x).orElse(d): x or d.
                ("orElse", 1) => {
                    if let ExprKind::Call(inner) = &obj.kind {
                        if inner.callee.dotted().as_deref() == Some("Optional.ofNullable") && inner.args.len() == 1 {
                            return frame::either(inner.args[0].value.clone(), args[0].value.clone(), sp);
                        }
                    }
                }
                _ => {}
            }
        }
        self.call_site(callee, args, false, sp, scope, receiver)
    }
}

/// An expression that is being built into a string (or a URI): a literal,
/// a concatenation, or a value lowered from a builder such as `URI.create`.
pub(super) fn is_string_building(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Str(_) | ExprKind::Concat(_) | ExprKind::Name(_) | ExprKind::Member(..)
    )
}

/// Is `e` a call of `path` without arguments?
pub(super) fn is_call_to(e: &Expr, path: &str) -> bool {
    matches!(&e.kind, ExprKind::Call(c) if c.args.is_empty() && c.callee.dotted().as_deref() == Some(path))
}
