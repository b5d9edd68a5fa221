//! C# calls: invocations, `new` with named arguments and object or dictionary initialisers, `string.Format` templates and the call site.

use super::*;
use crate::source::Field;

impl<'a> Lowerer<'a> {
    pub(super) fn call_args(&mut self, arglist: Node, scope: ScopeId) -> Vec<Arg> {
        let mut args = Vec::new();
        for a in named_children(arglist) {
            if a.kind() != "argument" {
                continue;
            }
            let name = a.field("name").map(|n| self.text(n).to_string());
            let Some(v) = named_children(a)
                .into_iter()
                .rfind(|c| Some(c.id()) != a.field("name").map(|n| n.id()) && !Self::is_trivia(c.kind()))
            else {
                continue;
            };
            let value = self.expr(v, scope, false);
            args.push(Arg {
                name: name.map(Into::into),
                value,
            });
        }
        args
    }

    pub(super) fn new_expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let callee = match node.field("type") {
            Some(ty) => self.type_expr(ty),
            // `new() { … }`: the declared type is not at hand.
            None => Expr::unknown(sp),
        };
        let arglist = node
            .field("arguments")
            .or_else(|| named_children(node).into_iter().find(|c| c.kind() == "argument_list"));
        let mut args = arglist.map(|a| self.call_args(a, scope)).unwrap_or_default();
        let type_name = callee.last_name().unwrap_or("").to_string();
        // new Uri(u) / new Uri(base, relative): the address itself.
        if type_name == "Uri" && (1..=2).contains(&args.len()) {
            let parts: Vec<Expr> = args.into_iter().map(|a| a.value).collect();
            return match parts.len() {
                1 => parts.into_iter().next().unwrap_or_else(|| Expr::unknown(sp)),
                _ => Expr::new(ExprKind::Concat(parts.into()), sp),
            };
        }
        // new AuthenticationHeaderValue("Zoho-oauthtoken", token): the header
        // value "Zoho-oauthtoken <token>".
        if type_name == "AuthenticationHeaderValue" && args.len() == 2 {
            let mut it = args.into_iter().map(|a| a.value);
            let (scheme, param) = (it.next(), it.next());
            if let (Some(scheme), Some(param)) = (scheme, param) {
                let scheme = match scheme.as_str() {
                    Some(s) => Expr::new(ExprKind::Str(format!("{s} ").into()), scheme.span),
                    None => Expr::new(
                        ExprKind::Concat(
                            vec![scheme.clone(), Expr::new(ExprKind::Str(" ".into()), scheme.span)].into(),
                        ),
                        scheme.span,
                    ),
                };
                return Expr::new(ExprKind::Concat(vec![scheme, param].into()), sp);
            }
            return Expr::unknown(sp);
        }
        // new HttpClient { BaseAddress = … }: the initialiser's members are
        // named arguments; a collection initialiser is one list argument.
        let init = node.field("initializer").or_else(|| {
            named_children(node)
                .into_iter()
                .find(|c| c.kind() == "initializer_expression")
        });
        if let Some(init) = init {
            if let Some(dict) = self.dictionary(init, scope) {
                return dict;
            }
            let members = named_children(init);
            if members.iter().all(|m| m.kind() == "assignment_expression") && !members.is_empty() {
                for m in members {
                    let Some((l, r)) = two_fields(m, "left", "right") else {
                        continue;
                    };
                    let name = match l.kind() {
                        "identifier" => Some(self.text(l).to_string()),
                        _ => None,
                    };
                    let value = if r.kind() == "initializer_expression" {
                        self.list(r, scope)
                    } else {
                        self.expr(r, scope, false)
                    };
                    args.push(Arg {
                        name: name.map(Into::into),
                        value,
                    });
                }
            } else {
                let value = self.list(init, scope);
                args.push(Arg { name: None, value });
            }
        }
        self.call_site(callee, args, true, sp, scope, receiver)
    }

    /// A dictionary initialiser, `{ ["a"] = x }` or `{ { "a", x } }`, as a Dict.
    pub(super) fn dictionary(&mut self, init: Node, scope: ScopeId) -> Option<Expr> {
        let members: Vec<Node> = named_children(init)
            .into_iter()
            .filter(|m| !Self::is_trivia(m.kind()))
            .collect();
        let indexed = |m: &Node| {
            m.kind() == "assignment_expression"
                && m.field("left")
                    .is_some_and(|l| l.kind() == "element_binding_expression")
        };
        let paired = |m: &Node| m.kind() == "initializer_expression" && named_children(*m).len() == 2;
        if members.is_empty() || !(members.iter().all(indexed) || members.iter().all(paired)) {
            return None;
        }
        let mut pairs = Vec::new();
        for m in members {
            let (k, v) = if m.kind() == "assignment_expression" {
                let key = m
                    .field("left")
                    .and_then(|l| named_children(l).into_iter().find(|c| c.kind() == "argument"));
                (key, m.field("right"))
            } else {
                let kv = named_children(m);
                (kv.first().copied(), kv.get(1).copied())
            };
            let (Some(k), Some(v)) = (k, v) else { continue };
            let k = self.expr(k, scope, false);
            let v = self.expr(v, scope, false);
            pairs.push((k, v));
        }
        Some(Expr::new(ExprKind::Dict(pairs.into()), self.span(init)))
    }

    /// A type as a callee: `Initializer.Builder` → Member(Initializer,
    /// Builder); generic arguments dropped.
    pub(super) fn type_expr(&self, ty: Node) -> Expr {
        let sp = self.span(ty);
        match ty.kind() {
            "qualified_name" => {
                let q = ty.field("qualifier");
                let n = ty.field("name");
                match (q, n) {
                    (Some(q), Some(n)) => {
                        let obj = self.type_expr(q);
                        Expr::new(ExprKind::Member(Box::new(obj), self.member_name(n).into()), sp)
                    }
                    _ => Expr::new(ExprKind::Name(self.text(ty).to_string().into()), sp),
                }
            }
            "generic_name" => Expr::new(ExprKind::Name(self.member_name(ty).into()), sp),
            _ => Expr::new(ExprKind::Name(self.text(ty).to_string().into()), sp),
        }
    }

    /// The class the Options pattern binds to a configuration section and
    /// that section's name: `services.Configure<ZohoOptions>(config.GetSection("Zoho"))`,
    /// `services.AddOptions<ZohoOptions>().Bind(config.GetSection("Zoho"))`,
    /// `….BindConfiguration("Zoho")`.
    fn options_binding(&self, func: Node, callee: &Expr, args: &[Arg]) -> Option<(String, Expr)> {
        let ExprKind::Member(_, m) = &callee.kind else {
            return None;
        };
        let [arg] = args else { return None };
        let class = match &**m {
            "Configure" => self.type_argument(func)?,
            "Bind" | "BindConfiguration" => {
                let inner = func
                    .field("expression")
                    .filter(|e| e.kind() == "invocation_expression")?;
                let f = inner.field("function")?;
                let name = f.field("name").unwrap_or(f);
                if self.member_name(name) != "AddOptions" {
                    return None;
                }
                self.type_argument(f)?
            }
            _ => return None,
        };
        let section = match (&**m, &arg.value.kind) {
            ("BindConfiguration", _) => arg.value.clone(),
            (_, ExprKind::Env(n)) => Expr::new(
                ExprKind::Str(n.strip_prefix("config:")?.to_string().into()),
                arg.value.span,
            ),
            (_, ExprKind::Call(c)) => match (&c.callee.kind, &*c.args) {
                (ExprKind::Member(_, g), [name]) if matches!(&**g, "GetSection" | "GetRequiredSection") => {
                    name.value.clone()
                }
                _ => return None,
            },
            _ => return None,
        };
        Some((class, section))
    }

    /// The first type argument of a generic callee (`Configure<ZohoOptions>`).
    pub(super) fn type_argument(&self, func: Node) -> Option<String> {
        let generic = match func.kind() {
            "generic_name" => func,
            _ => func.field("name").filter(|n| n.kind() == "generic_name")?,
        };
        let list = named_children(generic)
            .into_iter()
            .find(|c| c.kind() == "type_argument_list")?;
        let first = named_children(list).into_iter().next()?;
        let class = frame::type_class(self.text(first));
        (!class.is_empty()).then_some(class)
    }

    pub(super) fn call(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span(node);
        let Some(func) = node.field("function") else {
            return Expr::unknown(sp);
        };
        // The callee's receiver chain is part of this call's chain.
        let callee = match func.kind() {
            "identifier" => self.name_ref(self.text(func), self.span(func), true),
            "generic_name" => self.name_ref(&self.member_name(func), self.span(func), true),
            _ => self.expr(func, scope, true),
        };
        let args = node
            .field("arguments")
            .map(|a| self.call_args(a, scope))
            .unwrap_or_default();
        match (callee.dotted().as_deref(), args.len()) {
            (Some("Environment.GetEnvironmentVariable" | "System.Environment.GetEnvironmentVariable"), 1 | 2) => {
                if let Some(read) = self.env_read_by(&args[0].value, None, sp) {
                    return read;
                }
            }
            (Some("string.Format" | "String.Format"), n) if n >= 1 => {
                // string.Format(CultureInfo.InvariantCulture, fmt, …)
                let skip = frame::format_context(&args, "Culture");
                let t = args[skip].value.clone();
                return crate::template::fill(FormatStyle::Composite, t, args[skip + 1..].to_vec(), sp);
            }
            (Some("string.Equals" | "String.Equals"), 2 | 3) => {
                let ops = args.into_iter().take(2).map(|a| a.value).collect();
                return Expr::new(ExprKind::Test(ops), sp);
            }
            (Some("string.Concat" | "String.Concat"), _) => {
                let parts = args.into_iter().map(|a| a.value).collect();
                return Expr::new(ExprKind::Concat(parts), sp);
            }
            _ => {}
        }
        if let Some(bound) = self.options_binding(func, &callee, &args) {
            self.f.facts.settings_classes.push(SettingsClass {
                class: bound.0,
                section: bound.1,
                scope,
            });
        }
        if let ExprKind::Member(obj, m) = &callee.kind {
            match (&**m, args.len()) {
                // `configuration.GetSection("Zoho")` on an IConfiguration
                // (named so): the section, whose keys are read below it.
                ("GetSection" | "GetRequiredSection", 1)
                    if obj
                        .last_name()
                        .is_some_and(|r| r.to_ascii_lowercase().contains("config")) =>
                {
                    if let Some(k) = args[0].value.as_str() {
                        self.f.facts.env_reads.push(k.to_string());
                        return Expr::new(ExprKind::Env(crate::config::config_read_name(k).into()), sp);
                    }
                }
                // `section.Get<ZohoOptions>()`: the section's keys as an object.
                ("Get", 0) if matches!(&obj.kind, ExprKind::Env(n) if n.starts_with("config:")) => {
                    return (**obj).clone();
                }
                // JSON reads (System.Text.Json, Newtonsoft): GetProperty("api_domain")
                // is the item "api_domain"; .GetString() / .GetValue<T>() / .ToString() is the value.
                ("GetProperty" | "Value" | "GetValue" | "SelectToken", 1) if args[0].value.as_str().is_some() => {
                    let kind = ExprKind::Index(obj.clone(), Box::new(args[0].value.clone()));
                    return Expr::new(kind, sp);
                }
                ("GetString" | "GetBoolean" | "GetValue" | "ToString" | "Trim" | "TrimEnd", 0) => {
                    return (**obj).clone()
                }
                // "sandbox".Equals(env): a test of both operands.
                ("Equals", 1 | 2) => {
                    let ops = vec![(**obj).clone(), args[0].value.clone()];
                    return Expr::new(ExprKind::Test(ops.into()), sp);
                }
                _ => {}
            }
        }
        // `Resolve(flag, out var host)`: the call writes `host` with what
        // the method assigns to its parameter at that position.
        let outs: Vec<(usize, String)> = node
            .field("arguments")
            .map(|list| {
                named_children(list)
                    .into_iter()
                    .filter(|a| a.kind() == "argument")
                    .enumerate()
                    .filter_map(|(i, a)| {
                        let text = self.text(a);
                        if !(text.starts_with("out ") || text.starts_with("ref ")) {
                            return None;
                        }
                        let var = named_children(a).into_iter().last()?;
                        let name = match var.kind() {
                            "declaration_expression" => var.field("name").map(|n| self.text(n).to_string())?,
                            "identifier" => self.text(var).to_string(),
                            _ => return None,
                        };
                        Some((i, name))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let e = self.call_site(callee, args, false, sp, scope, receiver);
        for (i, name) in outs {
            let target = Expr::new(ExprKind::Name(name.into()), sp);
            let value = Expr::out_argument(e.clone(), i, sp);
            self.push_assign(scope, target, value, None, sp);
        }
        e
    }
}
