//! Ruby calls: arguments (keywords, hashes, blocks), HTTParty class defaults, method calls and the call site.

use super::*;
use crate::source::Field;

/// Rails' credentials (`config/credentials/production.yml.enc`) and the
/// older secrets: settings the deployment supplies.
const RAILS_CREDENTIALS: &[&str] = &["Rails.application.credentials", "Rails.application.secrets"];

impl<'a> Lowerer<'a> {
    pub(super) fn call_args(&mut self, node: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        let mut hash: Vec<Node> = Vec::new();
        if let Some(list) = node.field("arguments") {
            for a in named_children(list) {
                match a.kind() {
                    "pair" => {
                        let key = a.field("key");
                        match key.filter(|k| k.kind() == "hash_key_symbol") {
                            Some(k) => {
                                let name = Some(self.text(k).to_string());
                                if let Some(v) = a.field("value") {
                                    let value = self.expr(v, scope, false);
                                    args.push(Arg {
                                        name: name.map(Into::into),
                                        value,
                                    });
                                }
                            }
                            // `"Authorization" => …` pairs: one trailing hash.
                            None => hash.push(a),
                        }
                    }
                    "hash_splat_argument" => hash.push(a),
                    "block_argument" => {}
                    "splat_argument" => {
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
        if !hash.is_empty() {
            let sp = self.span(hash[0]);
            let pairs = self.pairs(hash, scope);
            args.push(Arg {
                name: None,
                value: Expr::new(ExprKind::Dict(pairs.into()), sp),
            });
        }
        if let Some(b) = node.field("block") {
            let f = self.block_fn(b, scope);
            args.push(Arg {
                name: None,
                value: Expr::new(ExprKind::Func(f), self.span(b)),
            });
        }
        args
    }

    /// `self.class.get(path)` / `Api.get(path)` / `get(path)` in a class
    /// that includes HTTParty: the request goes to `base_uri + path` with the
    /// class's headers.
    pub(super) fn with_http_defaults(&self, recv: Option<&Expr>, method: &str, mut args: Vec<Arg>) -> Vec<Arg> {
        if !matches!(method, "get" | "post" | "put" | "patch" | "delete" | "head") {
            return args;
        }
        let Some((class_name, class_scope, _)) = self.lexical.last() else {
            return args;
        };
        let Some((base, headers)) = self.http_defaults.get(class_scope) else {
            return args;
        };
        let on_class = match recv.map(|r| &r.kind) {
            None => true,
            Some(ExprKind::Name(n)) => **n == **class_name,
            Some(ExprKind::Call(c)) => {
                matches!(&c.callee.kind, ExprKind::Member(o, m) if &**m == "class" && matches!(o.kind, ExprKind::This))
            }
            _ => false,
        };
        if !on_class {
            return args;
        }
        if let (Some(b), Some(first)) = (base, args.first_mut()) {
            if first.name.is_none() {
                let sp = first.value.span;
                first.value = Expr::new(ExprKind::Concat(vec![b.clone(), first.value.clone()].into()), sp);
            }
        }
        if let Some(h) = headers {
            args.push(Arg {
                name: Some("headers".into()),
                value: h.clone(),
            });
        }
        args
    }

    pub(super) fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let statement = std::mem::take(&mut self.statement_call);
        let Some(method_node) = node.field("method") else {
            return self.unmodelled(node, scope);
        };
        let method = self.text(method_node).to_string();
        let recv_node = node.field("receiver");
        let has_args = node.field("arguments").is_some();
        let has_block = node.field("block").is_some();
        // `obj.attr` on a call (`http.request(req).body`) ends the chain
        // there: the call is the chain's head unless this read is itself a
        // receiver.
        let plain_read = !has_args && !has_block && method != "new";
        let recv = recv_node.map(|r| self.expr(r, scope, receiver || !plain_read));
        // `obj.attr`: a member read.
        if !has_args && !has_block {
            if let Some(o) = recv {
                if method == "new" {
                    return self.call_site(o, Vec::new(), true, sp, scope, receiver);
                }
                if statement && !matches!(o.kind, ExprKind::This) {
                    let callee = Expr::new(ExprKind::Member(Box::new(o), method.into()), self.span(method_node));
                    return self.call_site(callee, Vec::new(), false, sp, scope, receiver);
                }
                // Copies and conversions that keep the value.
                if matches!(
                    method.as_str(),
                    "freeze"
                        | "dup"
                        | "clone"
                        | "to_s"
                        | "to_str"
                        | "to_sym"
                        | "strip"
                        | "chomp"
                        | "downcase"
                        | "upcase"
                        | "to_h"
                ) {
                    return o;
                }
                if matches!(o.kind, ExprKind::This) {
                    let class = self.lexical.last().map(|l| l.1);
                    if class.is_some_and(|c| self.attrs.get(&c).is_some_and(|a| a.contains(&method))) {
                        return Expr::new(ExprKind::Member(Box::new(o), method.into()), sp);
                    }
                    // `self.class` is the class, not a value read from it.
                    let value = receiver && method != "class";
                    let call = frame::call(
                        Expr::new(ExprKind::Member(Box::new(o), method.into()), sp),
                        Vec::new(),
                        false,
                        sp,
                    );
                    return value_receiver(call, value);
                }
                let m = Expr::new(ExprKind::Member(Box::new(o), method.into()), sp);
                // Rails' encrypted credentials, one file per environment:
                // a deployment's settings, read by key below them.
                if m.dotted().is_some_and(|d| RAILS_CREDENTIALS.contains(&d.as_str())) {
                    return Expr::new(ExprKind::Env(crate::config::config_read_name("credentials").into()), sp);
                }
                return m;
            }
            return match recv_node {
                None if !self.is_local(&method, scope) => self.self_call(method, scope, sp, receiver),
                _ => Expr::new(ExprKind::Name(method.into()), sp),
            };
        }
        let args = self.call_args(node, scope);
        let dotted = recv.as_ref().and_then(|r| r.dotted());
        let first_str = args.first().and_then(|a| a.value.as_str()).map(str::to_string);
        match (dotted.as_deref(), method.as_str()) {
            (None, "require_relative") => {
                if let Some(path) = first_str {
                    let module = if path.starts_with('.') {
                        path
                    } else {
                        format!("./{path}")
                    };
                    self.push_import(scope, "*".into(), module, None, sp);
                }
                return Expr::unknown(sp);
            }
            (Some("ENV"), "fetch" | "[]") => {
                let default = args.get(1).map(|d| d.value.clone());
                if let Some(read) = args.first().and_then(|a| self.env_read_by(&a.value, default, sp)) {
                    return read;
                }
            }
            // JSON.parse(response.body) is the response's data;
            // JSON.parse(File.read(p)) stays a call, a whole-file load.
            (Some("JSON"), "parse") if !args.is_empty() && !whole_file_load(recv.as_ref(), &method, &args, sp) => {
                return frame::first_arg(args, sp);
            }
            (None, "URI") | (Some("URI"), "parse") if args.len() == 1 => {
                return frame::first_arg(args, sp);
            }
            // hash.fetch(key[, default]) / hash.dig(k1, k2): lookups.
            (_, "fetch" | "dig") if recv.is_some() && !args.is_empty() && args.iter().all(|a| a.name.is_none()) => {
                let mut e = recv.unwrap_or_else(|| Expr::unknown(sp));
                let mut args = args.into_iter().map(|a| a.value);
                let mut default = None;
                if method == "fetch" {
                    if let Some(k) = args.next() {
                        e = Expr::new(ExprKind::Index(Box::new(e), Box::new(k)), sp);
                    }
                    default = args.next().filter(|d| !matches!(d.kind, ExprKind::Func(_)));
                } else {
                    for k in args {
                        e = Expr::new(ExprKind::Index(Box::new(e), Box::new(k)), sp);
                    }
                }
                return frame::or_default(e, default, sp);
            }
            // base.merge(extra): a dict with both, later keys winning.
            (_, "merge" | "merge!") if recv.is_some() => {
                // `CONFIG.merge!(JSON.parse(File.read(p)))` fills the hash
                // in place: a call site as well, which the linker reads as
                // an update of that hash (as Python's `CONFIG.update(…)`).
                if method == "merge!" && args.len() == 1 && args[0].name.is_none() {
                    if let Some(o) = recv.clone().filter(|o| matches!(o.kind, ExprKind::Name(_))) {
                        let callee = Expr::new(ExprKind::Member(Box::new(o), "merge!".into()), sp);
                        self.call_site(callee, args.clone(), false, sp, scope, receiver);
                    }
                }
                let mut pairs = vec![];
                if let Some(o) = recv {
                    pairs.push((Expr::unknown(o.span), o));
                }
                for a in args {
                    // `merge(host: h)`: a keyword is a symbol key.
                    let key = match a.name {
                        Some(n) => Expr::new(ExprKind::Str(n), a.value.span),
                        None => Expr::unknown(a.value.span),
                    };
                    pairs.push((key, a.value));
                }
                return Expr::new(ExprKind::Dict(pairs.into()), sp);
            }
            (Some("URI"), "join") => {
                return Expr::new(ExprKind::Concat(args.into_iter().map(|a| a.value).collect()), sp);
            }
            (None | Some("Kernel"), "format" | "sprintf") if !args.is_empty() => {
                let t = args[0].value.clone();
                return crate::template::fill(FormatStyle::Printf, t, args[1..].to_vec(), sp);
            }
            _ => {}
        }
        // Faraday's `f.request :authorization, 'Zoho-oauthtoken', token`
        // sets the header: `f.headers["Authorization"] = "<scheme> <token>"`.
        if let (Some(o), "request", Some("authorization")) = (&recv, method.as_str(), first_str.as_deref()) {
            if let (Some(scheme), Some(token)) = (args.get(1), args.get(2)) {
                let at = scheme.value.span;
                let value = Expr::new(
                    ExprKind::Concat(
                        vec![
                            scheme.value.clone(),
                            Expr::new(ExprKind::Str(" ".into()), at),
                            token.value.clone(),
                        ]
                        .into(),
                    ),
                    at,
                );
                let headers = Expr::new(ExprKind::Member(Box::new(o.clone()), "headers".into()), sp);
                let key = Expr::new(ExprKind::Str("Authorization".into()), at);
                let target = Expr::new(ExprKind::Index(Box::new(headers), Box::new(key)), sp);
                self.push_assign(scope, target, value, None, sp);
                return Expr::unknown(sp);
            }
        }
        let args = self.with_http_defaults(recv.as_ref(), &method, args);
        let callee_span = self.span(method_node);
        match recv {
            Some(o) if method == "new" => self.call_site(o, args, true, sp, scope, receiver),
            Some(o) => {
                let m = if method == "gsub" {
                    "replaceAll".to_string()
                } else {
                    method
                };
                let callee = Expr::new(ExprKind::Member(Box::new(o), m.into()), callee_span);
                self.call_site(callee, args, false, sp, scope, receiver)
            }
            None => {
                let callee = Expr::new(ExprKind::Name(method.into()), callee_span);
                self.call_site(callee, args, false, sp, scope, receiver)
            }
        }
    }
}

/// A reader method called on `self` and used as a receiver (`client.get(…)`
/// with `def client = @client ||= Faraday.new(…)`): its value is the
/// receiver, so it is wrapped as a one-alternative value instead of
/// extending the receiver's call chain.
pub(super) fn value_receiver(call: Expr, receiver: bool) -> Expr {
    if !receiver {
        return call;
    }
    let sp = call.span;
    Expr::new(
        ExprKind::Alt {
            cond: None,
            alts: vec![call].into(),
        },
        sp,
    )
}

/// `recv.method(args)` reads and parses a whole configuration file
/// (`crate::loads`).
fn whole_file_load(recv: Option<&Expr>, method: &str, args: &[Arg], sp: Span) -> bool {
    let Some(o) = recv else { return false };
    let call = Call {
        callee: Expr::new(ExprKind::Member(Box::new(o.clone()), method.into()), sp),
        args: args.into(),
        is_new: false,
    };
    crate::loads::is_whole_file_load(Lang::Ruby, &call)
}

/// The last segment of a constant path: `Base::Thing` → `Thing`.
pub(super) fn last_segment(s: &str) -> &str {
    s.rsplit("::").next().unwrap_or(s).trim()
}
