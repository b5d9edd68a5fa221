//! PHP calls: argument lists, method and function calls (cURL, Guzzle, SDK builders, `define`, `getenv`, includes) and the call site.

use super::*;
use crate::source::Field;

impl<'a> Lowerer<'a> {
    pub(super) fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let Some(list) = node
            .field("arguments")
            .or_else(|| named_children(node).into_iter().find(|c| c.kind() == "arguments"))
        else {
            return args;
        };
        for a in named_children(list) {
            let name = a.field("name").map(|n| self.text(n).to_string());
            let value_node = named_children(a).into_iter().rfind(|c| Some(*c) != a.field("name"));
            let value = match (a.kind(), value_node) {
                ("argument", Some(v)) => self.expr(v, scope, false),
                ("argument", None) => continue,
                _ => self.expr(a, scope, false),
            };
            args.push(Arg {
                name: name.map(Into::into),
                value,
            });
        }
        args
    }

    pub(super) fn method_call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let obj = node.field("object").or_else(|| node.field("scope"));
        let name = node.field("name");
        let (Some(o), Some(n)) = (obj, name) else {
            return self.other(node, scope);
        };
        // A response's body (PSR-7 `getBody()`/`getContents()`, Laravel's
        // `json()`) is read, not requested: a member of the response, whose
        // call (`get_leads(false, $t)->getBody()`) is a call site of its own.
        let no_args = node.field("arguments").is_none_or(|a| named_children(a).is_empty());
        if no_args && matches!(self.text(n), "getBody" | "getContents" | "json") {
            let o = self.expr(o, scope, receiver);
            return Expr::new(ExprKind::Member(Box::new(o), self.text(n).into()), sp);
        }
        // The receiver chain is part of this call's chain.
        let o = self.expr(o, scope, true);
        // `$client->$method(...)`: a call on the receiver whose name is only
        // known at run time.
        let callee = Expr::new(ExprKind::Member(Box::new(o), self.text(n).into()), self.span(n));
        let mut args = self.call_args(node, scope);
        // Laravel `Http::withToken($t, 'Zoho-oauthtoken')` sets the
        // Authorization header to "<type> <token>" (type `Bearer` by default).
        if callee.last_name() == Some("withToken") && !args.is_empty() {
            let at = args[0].value.span;
            let scheme = args
                .get(1)
                .map(|a| a.value.clone())
                .unwrap_or_else(|| Expr::new(ExprKind::Str("Bearer".into()), at));
            let value = Expr::new(
                ExprKind::Concat(vec![scheme, Expr::new(ExprKind::Str(" ".into()), at), args[0].value.clone()].into()),
                at,
            );
            let header = Expr::new(ExprKind::Str("Authorization".into()), at);
            args = vec![Arg {
                name: None,
                value: Expr::new(ExprKind::Dict(vec![(header, value)].into()), at),
            }];
        }
        self.call_site(callee, args, false, sp, scope, receiver)
    }

    pub(super) fn function_call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(func) = node.field("function") else {
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
                if let Some(read) = args.first().and_then(|a| self.env_read_by(&a.value, arg(1), sp)) {
                    return read;
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
                            self.push_import(0, local.clone(), format!("config/{file}.php"), None, sp);
                        }
                        let at = args[0].value.span;
                        let mut e = Expr::new(ExprKind::Name(local.into()), at);
                        for seg in segs {
                            e = Expr::new(ExprKind::Member(Box::new(e), seg.into()), at);
                        }
                        return frame::or_default(e, arg(1), sp);
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
                if let Some(t) = arg(0) {
                    let mut rest: Vec<Expr> = args.iter().skip(1).map(|a| a.value.clone()).collect();
                    if fname == "vsprintf" {
                        if let Some(ExprKind::List(items)) = rest.first().map(|r| r.kind.clone()) {
                            rest = items.into_vec();
                        }
                    }
                    return crate::template::fill(FormatStyle::Printf, t, crate::template::positional(rest), sp);
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
                    return self.call_site(member, args, false, sp, scope, receiver);
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
                            args: Vec::new().into(),
                            is_new: false,
                        })),
                        sp,
                    );
                }
            }
            "implode" | "join" if args.len() == 2 => {
                if let (Some(glue), Some(ExprKind::List(items))) = (arg(0), arg(1).map(|a| a.kind)) {
                    let mut parts = Vec::new();
                    for (i, it) in items.iter().enumerate() {
                        if i > 0 {
                            parts.push(glue.clone());
                        }
                        parts.push(it.clone());
                    }
                    return Expr::new(ExprKind::Concat(parts.into()), sp);
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
                return self.call_site(callee, args, false, sp, scope, receiver);
            }
            // curl_exec($ch): a call on the configured handle with its URL.
            "curl_exec" => {
                if let Some((h, key)) = arg(0).and_then(|h| h.dotted().map(|k| (h, k))) {
                    let at = self.handle_scope(&key, scope);
                    let url = self.curl_urls.get(&(at, key)).cloned();
                    let member = Expr::new(ExprKind::Member(Box::new(h), "curl_exec".into()), callee.span);
                    let args = url.map(|value| vec![Arg { name: None, value }]).unwrap_or_default();
                    return self.call_site(member, args, false, sp, scope, receiver);
                }
            }
            _ => {}
        }
        self.call_site(callee, args, false, sp, scope, receiver)
    }
}

/// The path of `require __DIR__ . '/config.php'` / `require 'config.php'`,
/// relative to the requiring file.
pub(super) fn include_path(e: &Expr) -> Option<String> {
    let s: String = match &e.kind {
        ExprKind::Str(s) => s.clone().into(),
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
pub(super) fn header_lines(v: Expr) -> Expr {
    let ExprKind::List(items) = &v.kind else {
        return v;
    };
    let mut pairs = Vec::new();
    for it in items {
        let (head, rest): (Option<&str>, Vec<Expr>) = match &it.kind {
            ExprKind::Str(s) => (Some(s.as_ref()), Vec::new()),
            ExprKind::Concat(parts) => (
                parts.first().and_then(|p| p.as_str()),
                parts.get(1..).map(<[Expr]>::to_vec).unwrap_or_default(),
            ),
            _ => (None, Vec::new()),
        };
        match head.and_then(|h| h.split_once(':')) {
            Some((name, value)) if !name.trim().is_empty() && !name.contains(' ') => {
                let key = Expr::new(ExprKind::Str(name.trim().to_string().into()), it.span);
                let mut parts = vec![Expr::new(ExprKind::Str(value.trim_start().to_string().into()), it.span)];
                parts.extend(rest);
                let value = if parts.len() == 1 {
                    parts.pop().unwrap_or_else(|| Expr::unknown(it.span))
                } else {
                    Expr::new(ExprKind::Concat(parts.into()), it.span)
                };
                pairs.push((key, value));
            }
            _ => pairs.push((Expr::new(ExprKind::Number, it.span), it.clone())),
        }
    }
    Expr::new(ExprKind::Dict(pairs.into()), v.span)
}
