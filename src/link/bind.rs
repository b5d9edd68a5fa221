//! Pass "bind endpoints": the endpoints, tokens and orgs a call carries —
//! in its arguments, its receiver chain and the configuration its receiver
//! was given — gathered into [`Ingredients`]. `bindings.rs` decides which
//! calls are bindings and builds them from these.
//!
//! Reads: values (`eval.rs`) and the catalog. Writes: nothing but the
//! ingredients it returns (and the configured-receiver cache).

use std::rc::Rc;

use super::eval::literal_text;
use super::index::root_key;
use super::syntax::{chain_calls, receiver_root, target_slot, Slot};
use super::{probe_text, val, Cx, Fields, Linker, Params, Piece, SymKind, VKind, Val};
use crate::catalog::{catalog, DcId, EnvKind, HostKind};
use crate::facts::*;
use crate::model::literal_hash;
use crate::model::*;

/// A legacy config's sandbox flag: its value when written, the key that
/// chooses it at run time, where it is.
type LegacyFlag = (Option<bool>, Option<String>, Loc);

/// Endpoints and tokens found in a call's arguments and receiver chain.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Ingredients {
    pub endpoints: Vec<EndpointAlt>,
    pub tokens: Vec<TokenAlt>,
    /// How many of each came from the call's own arguments.
    pub own_endpoints: usize,
    pub own_tokens: usize,
    /// Endpoints/tokens that came in through a parameter substitution.
    pub via_param: bool,
    pub sdk: Option<BindingKind>,
    /// The orgs the request selects (`X-CRM-ORG`) or a token request mints
    /// for (`soid`).
    pub orgs: Vec<OrgAlt>,
    /// The org came through an SDK parameter: the call uses the token the
    /// SDK was initialised with.
    pub sdk_org: bool,
    /// A host is the API domain that came with the token.
    pub derived: bool,
    /// The repository class the call constructs, when its arguments carry
    /// endpoints or tokens (`Auth(token_url, refresh_token)`): its methods
    /// are still what the object's method calls run.
    pub class: Option<(FileId, ScopeId)>,
    /// What that class's constructor kept of the arguments.
    pub fields: Option<Fields>,
    /// The credentials of a token request handed to this call, which sends
    /// or parses it (`http.send(req)`, `JsonDocument.Parse(body)`): what the
    /// token response was minted from. Not the call's own tokens (it binds
    /// none), but what tells its tokens apart (`REFRESH_TOKENS.get(env)`).
    pub credentials: Vec<TokenAlt>,
}

impl Ingredients {
    pub(super) fn token_endpoint_dc(&self) -> Option<Option<DcId>> {
        self.endpoints
            .iter()
            .find(|e| e.token_endpoint)
            .map(|e| match e.target {
                Target::Env(env) => Some(env.dc),
                Target::AnyEnv(dc) => dc,
                Target::AnyDc(_) => None,
            })
    }
}

impl Linker<'_> {
    // ----------------------------------------------------------------------
    // Ingredients and bindings
    // ----------------------------------------------------------------------

    /// Endpoints and tokens in the arguments of a call's chain (its own).
    fn own_ingredients(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Ingredients {
        let c = catalog();
        let mut ing = Ingredients::default();
        let chain = chain_calls(e);
        for call in &chain {
            let method = call.callee.last_name().unwrap_or("");
            if c.is_switch_method(method) {
                ing.sdk = Some(BindingKind::SdkSwitch);
            } else if c.is_init_method(method) && ing.sdk.is_none() {
                ing.sdk = Some(BindingKind::SdkInit);
            }
            let method_slot = if c.is_token_param(method) || c.is_auth_method(method) {
                Slot::Token
            } else if c.is_environment_param(method) {
                Slot::Environment
            } else if c.org.is_sdk_param(method) {
                Slot::Org
            } else {
                Slot::Any
            };
            if c.is_token_class(method) {
                continue;
            }
            // `new BusinessHoursOperations(xCrmOrg)`: the SDK's org header.
            let operations = c.org.is_sdk_operations(method);
            let legacy_call = on_legacy_class(&call.callee);
            ing.sdk_org |= method_slot == Slot::Org || operations;
            for (i, a) in call.args.iter().enumerate() {
                let slot = match a.name.as_deref() {
                    Some(n) if c.is_token_slot_name(n) => Slot::Token,
                    Some(n) if c.is_environment_param(n) => Slot::Environment,
                    Some(n) if c.is_header_name(n) => Slot::Header,
                    Some(n) if c.org.is_org_key(n) => {
                        ing.sdk_org |= c.org.is_sdk_param(n);
                        Slot::Org
                    }
                    None if operations && i == 0 => Slot::Org,
                    _ => method_slot,
                };
                // A header set by name: req.set_header("Authorization", value),
                // headers.add("X-CRM-ORG", org), HeaderMap.add(Header.X_CRM_ORG, org).
                if call.args.len() == 2 && a.name.is_none() && i == 1 {
                    let first = &call.args[0].value;
                    let by_name = match first.as_str() {
                        Some(h) if c.is_header_name(h) => Some(Slot::Header),
                        Some(h) if c.org.is_header(h) => Some(Slot::Org),
                        _ => None,
                    };
                    let sdk_header = by_name.is_none() && sdk_org_constant(first);
                    if let Some(slot) = by_name.or(sdk_header.then_some(Slot::Org)) {
                        ing.sdk_org |= sdk_header;
                        let vs = self.eval(file, scope, &a.value, params);
                        for v in &vs {
                            self.scan(v, slot, &mut ing, 0);
                        }
                        continue;
                    }
                }
                let vs = self.eval(file, scope, &a.value, params);
                let outer = self.legacy_call.replace(legacy_call);
                for v in &vs {
                    self.scan(v, slot, &mut ing, 0);
                }
                self.legacy_call.set(outer);
                if let ExprKind::Name(n) = &a.value.kind {
                    self.argument_configuration(Cx::new(file, scope, params), n, a.value.span, e, &vs, &mut ing);
                }
            }
        }
        ing.own_endpoints = ing.endpoints.len();
        ing.own_tokens = ing.tokens.len();
        ing
    }

    /// Endpoints and tokens in a call's arguments, receiver chain and receiver.
    pub fn ingredients(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Ingredients {
        let mut ing = self.own_ingredients(file, scope, e, params);
        let chain = chain_calls(e);
        // The receiver: a configured client/session carries its endpoint and
        // token. SDK calls carry nothing: the SDK's own state is modelled by
        // the switch rule.
        if ing.sdk.is_some() {
            self.touch(&ing);
            return ing;
        }
        if let Some(Some(root)) = chain.last().map(|c| receiver_root(&c.callee)) {
            if !matches!(root.kind, ExprKind::Call(_)) {
                let vs = self.eval(file, scope, root, params);
                for v in &vs {
                    if let VKind::Carrier(carried) = &v.kind {
                        self.merge_carried(&mut ing, carried, v.via_param);
                    }
                }
                if let Some(k) = root_key(root) {
                    self.configured(Cx::new(file, scope, params), &k, e, &mut ing);
                }
            }
        }
        self.touch(&ing);
        ing
    }

    /// Notes that the current site's analysis met a token or an endpoint.
    pub(super) fn touch(&self, ing: &Ingredients) {
        if !ing.tokens.is_empty() || !ing.endpoints.is_empty() {
            self.touched.set(true);
        }
    }

    /// What a local passed as an argument carries from the statements that
    /// configure it — the one place every language's idiom goes through:
    /// 1. the statements since its last assignment before this call
    ///    (`req.Header.Set(…)` then `client.Do(req)`; a request variable
    ///    reused for the next request starts afresh);
    /// 2. else, for a request object built by a call or an options dict
    ///    (`http.request(req)` after `req["Authorization"] = …` in a block,
    ///    `$client->get($url, $options)`), what it was built with and every
    ///    statement of its home function;
    /// 3. else only the tokens configured into it elsewhere (an object
    ///    configured with an endpoint is a client, not data:
    ///    `new HttpEntity<>(headers)`).
    fn argument_configuration(&self, cx: Cx, name: &str, at: Span, call: &Expr, vs: &[Val], ing: &mut Ingredients) {
        let Cx { file, scope, .. } = cx;
        let carried = |sub: &mut Ingredients| {
            for v in vs {
                if let VKind::Carrier(c) = &v.kind {
                    self.merge_carried(sub, c, v.via_param);
                }
            }
        };
        let mut sub = Ingredients::default();
        self.configured_before(cx, name, at, &mut sub);
        if !sub.endpoints.is_empty() || !sub.tokens.is_empty() {
            carried(&mut sub);
            self.merge_carried(ing, &sub, false);
            return;
        }
        if ing.sdk.is_none() {
            let ix = &self.index[file];
            let facts = self.facts(file);
            // Its home is this function, or the module for a global: the
            // `headers["Authorization"] = …` of another function's own
            // `headers` configures nothing here.
            // A block or closure inside the function (`{ |http| http.request(req) }`)
            // sees the function's own, and so on outwards.
            let rooted = ix.rooted_assigns(&self.names, name).unwrap_or(&[]);
            let in_func = |f: usize| {
                rooted
                    .iter()
                    .copied()
                    .find(|&i| ix.func_of[facts.assigns[i].scope] == f)
            };
            let home_assign = std::iter::successors(Some(scope), |&sc| facts.scopes[ix.func_of[sc]].parent)
                .find_map(|sc| in_func(ix.func_of[sc]));
            if let Some(first) = home_assign {
                let home = facts.assigns[first].scope;
                let built_by_call = ix
                    .targets(&self.names, home, name)
                    .is_some_and(|v| v.iter().any(|&i| facts.assigns[i].value.is_call_result()));
                if built_by_call || vs.iter().any(|v| matches!(v.kind, VKind::Carrier(_) | VKind::Dict(_))) {
                    carried(ing);
                    self.configured(cx.within(home), name, call, ing);
                    return;
                }
            }
        }
        self.configured_arg(cx, name, call, ing);
    }

    pub(super) fn merge_carried(&self, ing: &mut Ingredients, carried: &Ingredients, via_param: bool) {
        // A token-endpoint response carries nothing into later calls.
        if carried.token_endpoint_dc().is_some() {
            return;
        }
        for ep in &carried.endpoints {
            ing.endpoints.push(ep.clone());
        }
        for t in &carried.tokens {
            ing.tokens.push(t.clone());
        }
        ing.orgs.extend(carried.orgs.iter().cloned());
        ing.derived |= carried.derived;
        ing.via_param |= via_param || carried.via_param;
    }

    /// Ingredients an object got from statements that configure it:
    /// `s.headers.update({...})`, `s.headers["Authorization"] = …`,
    /// `self.session.headers = …`. `key` is the object's root key (`s`,
    /// `this.session`); a name is configured within its function (or at
    /// module level), a field within its class.
    pub(super) fn configured(&self, cx: Cx, key: &str, current: &Expr, ing: &mut Ingredients) {
        let Cx { file, scope, params } = cx;
        let ix = &self.index[file];
        let is_field = key.starts_with("this.");
        let group = if is_field {
            ix.class_of[scope].unwrap_or(0)
        } else {
            ix.func_of[scope]
        };
        let params = if is_field { None } else { params };
        if params.is_none() {
            let cache_key = (file as u32, self.key_id(key), group as u32);
            let cached = self.configured_cache.borrow().get(&cache_key).cloned();
            let all = match cached {
                Some(c) => c,
                None => {
                    let mut all = Ingredients::default();
                    self.configured_uncached(Cx::new(file, scope, None), key, None, &mut all);
                    // Most objects are configured with nothing: no copy each.
                    let all = (all != Ingredients::default()).then(|| Rc::new(all));
                    self.configured_cache.borrow_mut().insert(cache_key, all.clone());
                    all
                }
            };
            if let Some(all) = all {
                self.merge_carried(ing, &all, false);
            }
        } else {
            self.configured_uncached(cx, key, Some(current), ing);
        }
    }

    /// The configuration of a local passed as an argument: only its tokens
    /// (an object configured with an endpoint is a client, not data).
    fn configured_arg(&self, cx: Cx, name: &str, current: &Expr, ing: &mut Ingredients) {
        let file = cx.file;
        let ix = &self.index[file];
        if ix.config_calls(&self.names, name).is_none() && ix.rooted_assigns(&self.names, name).is_none() {
            return;
        }
        if !self.enter_object((file, name.to_string())) {
            return;
        }
        let mut sub = Ingredients::default();
        self.configured(cx, name, current, &mut sub);
        self.leave_object();
        if sub.endpoints.is_empty() {
            ing.tokens.extend(sub.tokens);
            ing.via_param |= sub.via_param;
        }
    }

    fn configured_uncached(&self, cx: Cx, key: &str, current: Option<&Expr>, ing: &mut Ingredients) {
        let Cx { file, scope, params } = cx;
        let ix = &self.index[file];
        let is_field = key.starts_with("this.");
        let visible = |s: ScopeId| {
            if is_field {
                ix.class_of[s] == ix.class_of[scope]
            } else {
                ix.func_of[s] == 0 || ix.func_of[s] == ix.func_of[scope]
            }
        };
        // The call being looked at is not its own configuration.
        let keep = |s: ScopeId, sp: Span| visible(s) && current.is_none_or(|c| sp != c.span);
        self.configure_from(file, key, params, ing, keep, true);
    }

    /// What the statements between an object's last assignment and `at`
    /// give it (`req.Header.Set(…)` before `client.Do(req)`; a request
    /// variable reused for the next request starts afresh).
    fn configured_before(&self, cx: Cx, key: &str, at: Span, ing: &mut Ingredients) {
        let Cx { file, scope, params } = cx;
        let facts = self.facts(file);
        let ix = &self.index[file];
        let lo = ix
            .targets(&self.names, scope, key)
            .into_iter()
            .flatten()
            .map(|&i| facts.assigns[i].span)
            .filter(|s| s.end <= at.start)
            .map(|s| s.start)
            .max()
            .unwrap_or(0);
        let between = |s: ScopeId, sp: Span| ix.func_of[s] == ix.func_of[scope] && sp.start >= lo && sp.end <= at.start;
        self.configure_from(file, key, params, ing, between, false);
    }

    /// Scans into `ing` the assignments to `key` and the configuring calls
    /// on it at the places `keep` admits (by scope and span). A configuring
    /// call that sends its own request is no configuration; with
    /// `complete_apart`, neither is one that carries both an endpoint and a
    /// token.
    fn configure_from(
        &self,
        file: FileId,
        key: &str,
        params: Option<&Params>,
        ing: &mut Ingredients,
        keep: impl Fn(ScopeId, Span) -> bool,
        complete_apart: bool,
    ) {
        let facts = self.facts(file);
        let ix = &self.index[file];
        for &i in ix.rooted_assigns(&self.names, key).unwrap_or(&[]) {
            let a = &facts.assigns[i];
            if !keep(a.scope, a.span) {
                continue;
            }
            let vs = self.eval(file, a.scope, &a.value, params);
            let slot = target_slot(&a.target);
            for v in &vs {
                self.scan(v, slot, ing, 0);
            }
        }
        for &i in ix.config_calls(&self.names, key).unwrap_or(&[]) {
            let cs = &facts.calls[i];
            if !keep(cs.scope, cs.expr.span) || self.sends_configured(file, cs) {
                continue;
            }
            let sub = self.own_ingredients(file, cs.scope, &cs.expr, params);
            if complete_apart && !sub.endpoints.is_empty() && !sub.tokens.is_empty() {
                continue;
            }
            self.merge_carried(ing, &sub, false);
        }
    }

    /// Finds endpoints and tokens inside a value.
    pub(super) fn scan(&self, v: &Val, slot: Slot, ing: &mut Ingredients, depth: usize) {
        if depth > 6 {
            return;
        }
        if slot == Slot::Org {
            self.org_from(v, ing, depth);
            return;
        }
        match &v.kind {
            VKind::Str(pieces) => {
                if slot == Slot::Token {
                    self.token_from(v, ing);
                    return;
                }
                // An org header line or a token request's org parameter:
                // "X-CRM-ORG: " + org, "…&soid=ZohoCRM." + org.
                if self.org_in_pieces(v, pieces, ing, depth) {
                    return;
                }
                // Header schemes: "Zoho-oauthtoken " + token.
                let prefix_done = self.header_token(v, pieces, slot, ing);
                if slot == Slot::Header && !prefix_done {
                    self.token_from(v, ing);
                    return;
                }
                self.endpoint_from(v, pieces, ing);
            }
            VKind::Sdk(env) => ing
                .endpoints
                .push(endpoint_of(v, Target::Env(*env), v.at, v.sel_str(), false)),
            VKind::TokenObj(ids) => {
                for id in ids {
                    let mut id = id.clone();
                    id.inherit_sel(v);
                    self.token_from(&id, ing);
                }
            }
            VKind::Env(_) | VKind::Sym(..) | VKind::Minted(..) => {
                if matches!(slot, Slot::Token | Slot::Header) {
                    self.token_from(v, ing);
                }
            }
            VKind::Dict(fields) => self.scan_dict(v, fields, ing, depth),
            // Pairs named by literal keys (`.form(&[("refresh_token", t), …])`,
            // a form or query as tuples): the fields of a dict.
            VKind::List(items) if !items.is_empty() && items.iter().all(|x| named_pair(x).is_some()) => {
                let fields: Vec<(Option<String>, Vec<Val>)> = items
                    .iter()
                    .filter_map(|x| named_pair(x))
                    .map(|(k, vs)| (Some(k.to_string()), vs.to_vec()))
                    .collect();
                self.scan_dict(v, &fields, ing, depth);
            }
            VKind::List(items) => {
                for x in items.iter().flatten() {
                    self.scan(x, slot, ing, depth + 1);
                }
            }
            // A call's result passed along as data (a response body) carries
            // nothing; in a token slot it carries its token.
            VKind::Carrier(carried) => {
                // An object built by a call that holds a token but talks to no
                // endpoint (`new Headers({...})`, `dict(auth, ...)`) is auth data.
                if matches!(slot, Slot::Token | Slot::Header) || carried.endpoints.is_empty() {
                    ing.tokens.extend(carried.tokens.iter().cloned());
                } else if slot == Slot::Any {
                    // A token request handed to the call that sends or parses
                    // it (`http.send(req)`, `new JSONObject(res.body())`): the
                    // result is that token response.
                    ing.endpoints
                        .extend(carried.endpoints.iter().filter(|e| e.token_endpoint).cloned());
                    if carried.token_endpoint_dc().is_some() {
                        ing.credentials
                            .extend(carried.tokens.iter().chain(&carried.credentials).cloned());
                    }
                }
            }
            // A callback passed as an argument that configures its own argument:
            // `api.interceptors.request.use(cfg => { cfg.headers.Authorization = … })`.
            VKind::Func(f, fscope) if depth == 0 && slot == Slot::Any => self.scan_callback(*f, *fscope, ing),
            // The token's own domain moved into another environment by a
            // run-time choice: that choice switches the environment of the
            // token's requests (without a choice the rewrite is the
            // deployment's one environment).
            VKind::Moved(_) if v.sel().is_some() && slot == Slot::Any => {
                ing.endpoints
                    .push(endpoint_of(v, Target::AnyEnv(None), v.at, v.sel_str(), false))
            }
            // The token's own domain as one alternative of a run-time choice
            // (`if sandbox { SANDBOX_HOST } else { self.api_domain }`): the
            // production host of the token's data center, which that choice
            // leaves for the other alternatives while the token stays.
            VKind::Derived if v.sel().is_some() && slot == Slot::Any => {
                ing.derived = true;
                let target = Target::AnyDc(EnvKind::Production);
                ing.endpoints.push(endpoint_of(v, target, v.at, v.sel_str(), false))
            }
            VKind::Derived | VKind::Moved(_) => ing.derived |= slot == Slot::Any,
            VKind::Func(..)
            | VKind::Module(_)
            | VKind::Instance(..)
            | VKind::Stored(..)
            | VKind::EnvObject
            | VKind::Bool(_)
            | VKind::Other => {}
        }
        if v.via_param {
            ing.via_param = true;
        }
    }

    /// A header scheme in a string ("Zoho-oauthtoken " + token, a whole
    /// "Authorization: …" line) or a query-string token (`?access_token=…`):
    /// the token that follows. Returns whether a scheme was found.
    fn header_token(&self, v: &Val, pieces: &[Piece], slot: Slot, ing: &mut Ingredients) -> bool {
        let c = catalog();
        let mut prefix_done = false;
        for (i, p) in pieces.iter().enumerate() {
            if let Piece::Lit(s, at) = p {
                let mut generic = slot == Slot::Header;
                let mut lead = s.len() - s.trim_start().len();
                // A whole header line: "Authorization: Zoho-oauthtoken …"
                // (a shell variable passed to `curl -H`, pycurl, PHP curl).
                if let Some(h) = c.header_line_len(&s[lead..]) {
                    lead += h;
                    generic = true;
                }
                if let Some(n) = c.header_prefix_len(&s[lead..], generic) {
                    prefix_done = true;
                    // The token is what follows the scheme.
                    let mut rest: Vec<Piece> = Vec::new();
                    let tail = &s[lead + n..];
                    if !tail.trim().is_empty() {
                        rest.push(Piece::Lit(tail.trim().to_string(), *at));
                    }
                    rest.extend(pieces[i + 1..].iter().cloned());
                    let token = match rest.iter().find(|q| matches!(q, Piece::Hole(_))) {
                        Some(Piece::Hole(h)) => {
                            let mut h = (**h).clone();
                            h.inherit_sel(v);
                            h
                        }
                        _ => {
                            let (text, at) = literal_text(&rest).unwrap_or((String::new(), v.at));
                            Val {
                                kind: VKind::Str(vec![Piece::Lit(text, at)]),
                                at,
                                choice: v.choice.clone(),
                                via_param: v.via_param,
                            }
                        }
                    };
                    self.token_from(&token, ing);
                    break;
                }
                // Query-string tokens: ?access_token=… / &authtoken=…
                if let Some(pos) = s.rfind(['?', '&']) {
                    let key = s[pos + 1..].trim_end_matches('=');
                    if s.ends_with('=') && c.is_token_key(key) {
                        if let Some(Piece::Hole(h)) = pieces.get(i + 1) {
                            self.token_from(h, ing);
                        }
                    }
                }
            }
        }
        prefix_done
    }

    /// The fields of a dict, each in the slot its key names; a legacy
    /// zcrmsdk config's base URL is that config's.
    fn scan_dict(&self, v: &Val, fields: &[(Option<String>, Vec<Val>)], ing: &mut Ingredients, depth: usize) {
        let legacy = self.legacy_config(fields, v.at, depth == 0 && self.legacy_call.get(), ing);
        let c = catalog();
        for (k, vs) in fields.iter() {
            if legacy
                && k.as_deref()
                    .is_some_and(|k| c.legacy.base_url_keys.iter().any(|b| b == k))
            {
                continue;
            }
            let sub = match k.as_deref() {
                Some(k) if c.is_header_name(k) => Slot::Header,
                Some(k) if c.is_token_slot_name(k) => Slot::Token,
                Some(k) if c.is_environment_param(k) => Slot::Environment,
                Some(k) if c.org.is_org_key(k) => Slot::Org,
                _ => Slot::Any,
            };
            for x in vs {
                let mut x = x.clone();
                x.inherit_sel(v);
                self.scan(&x, sub, ing, depth + 1);
            }
        }
    }

    /// A legacy zcrmsdk config (`{"apiBaseUrl": …, "sandbox": "true",
    /// "currentUserEmail": …}`): its environment is the base URL switched by
    /// the sandbox flag, its token the stored row of that user (one row per
    /// store the config can name; [`Linker::legacy_user`]). Returns whether
    /// `fields` is one (its base URL is then handled here).
    fn legacy_config(
        &self,
        fields: &[(Option<String>, Vec<Val>)],
        at: Loc,
        sdk_call: bool,
        ing: &mut Ingredients,
    ) -> bool {
        let legacy = &catalog().legacy;
        let field = |keys: &[String]| config_field(fields, keys);
        let Some((user_key, user_at, users)) = self.legacy_user(fields, at, sdk_call) else {
            return false;
        };
        // The base URL's environments (the SDK default when none is set).
        let mut base = Ingredients::default();
        for v in field(&legacy.base_url_keys).map(Vec::as_slice).unwrap_or(&[]) {
            self.scan(v, Slot::Any, &mut base, 1);
        }
        let default_api = base.endpoints.is_empty();
        if default_api {
            let default = val(
                VKind::Str(vec![Piece::Lit(legacy.default_base.clone(), user_at)]),
                user_at.file,
                user_at.span,
            );
            self.scan(&default, Slot::Any, &mut base, 1);
        }
        // The sandbox flag rewrites www → sandbox; unknown flags are a switch.
        let flags = self.legacy_flags(field(&legacy.sandbox_flags), user_at);
        legacy_endpoints(&base, &flags, ing);
        // The SDK persists this user's token, keyed by the user alone: one
        // row per store the config names at run time.
        // A store chosen at run time is keyed by that choice, not by the
        // user alone (OT002 says whether the choice follows the environment's).
        // A user chosen at run time (`sandbox ? "ops-sandbox@…" : "ops@…"`)
        // has one row per user, each chosen by that key.
        let mut rows: Vec<(TokenIdentity, Option<String>)> = Vec::new();
        for (user_id, user_sel) in &users {
            for (identity, store_sel) in self.legacy_rows(user_id, field(&legacy.store_keys)) {
                let row = (identity, store_sel.or_else(|| user_sel.clone()));
                if !rows.contains(&row) {
                    rows.push(row);
                }
            }
        }
        for (identity, _) in &rows {
            self.legacy_store(TokenStore {
                at: user_at,
                kind: TokenStoreKind::LegacyConfig,
                // No user key: the row is keyed by no key of the config at all.
                key: user_key.iter().cloned().collect(),
                keyed: rows.len() > 1,
                token: Some(identity.clone()),
            });
        }
        // The accounts server the config names is where the SDK refreshes
        // this user's token: one alternative per data center it can be.
        let accounts_set = field(&legacy.accounts_keys).map(Vec::as_slice).unwrap_or(&[]);
        let mut minted = self.minted_at(accounts_set);
        // An accounts server that is only a deployment setting (no data
        // center written), beside the SDK's default API host: whichever data
        // center the deployment names, the requests go to the default one.
        let chosen = minted.is_empty()
            && default_api
            && field(&legacy.base_url_keys).is_none()
            && !accounts_set.is_empty()
            && accounts_set
                .iter()
                .all(|v| matches!(v.kind, VKind::Env(_) | VKind::Sym(..)) && self.identity_key(v).is_some());
        if minted.is_empty() {
            minted.push((None, None));
        }
        for (identity, store_sel) in &rows {
            for (minted_dc, selector) in &minted {
                ing.tokens.push(TokenAlt {
                    identity: identity.clone(),
                    origin: user_at,
                    selector: selector.clone().or_else(|| store_sel.clone()),
                    minted_dc: *minted_dc,
                    accounts_chosen_at: chosen.then_some(at),
                    branch: None,
                });
            }
        }
        true
    }

    /// The rows a legacy config's user has: one, or one per store a
    /// run-time choice names (`token_persistence_path` chosen by the
    /// sandbox flag), each with the key that chose it.
    fn legacy_rows(&self, user_id: &str, stores: Option<&Vec<Val>>) -> Vec<(TokenIdentity, Option<String>)> {
        let one = || vec![(TokenIdentity::Symbol(format!("store:{user_id}")), None)];
        let Some(stores) = stores.filter(|vs| vs.len() > 1 && vs.iter().all(|v| v.sel().is_some())) else {
            return one();
        };
        let mut rows: Vec<(TokenIdentity, Option<String>)> = Vec::new();
        for v in stores {
            let VKind::Str(pieces) = &v.kind else { return one() };
            let Some((path, _)) = literal_text(pieces) else {
                return one();
            };
            let row = (
                TokenIdentity::Symbol(format!("store:{user_id}@{path}")),
                v.sel_str().map(str::to_string),
            );
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        rows
    }

    /// A legacy config's user: its key, where it is, and the rows' users,
    /// each with the key that chose it (`None`: not a legacy config, or a
    /// sample user). A user chosen at run time among several (each
    /// alternative chosen by a key) is one user per alternative; otherwise
    /// the first. A config that names no user but an environment, given to a
    /// legacy SDK class (`sdk_call`), is the SDK's current user's.
    fn legacy_user(&self, fields: &[(Option<String>, Vec<Val>)], at: Loc, sdk_call: bool) -> Option<LegacyUser> {
        let legacy = &catalog().legacy;
        let field = |keys: &[String]| config_field(fields, keys);
        let user_of = |user: &Val| match &user.kind {
            VKind::Str(p) if p.len() == 1 => match &p[0] {
                // "xxxxx", "" and the like are samples: no stored row to share.
                Piece::Lit(s, _) if !is_sample_user(s) => Some(s.trim().to_ascii_lowercase()),
                _ => None,
            },
            _ => self.identity_key(user).map(|k| k.to_string()),
        };
        match field(&legacy.user_keys).filter(|v| !v.is_empty()) {
            Some(users) => {
                let user_key = fields
                    .iter()
                    .find_map(|(k, _)| k.as_deref().filter(|k| legacy.user_keys.iter().any(|x| x == k)))
                    .map(str::to_string);
                let first = &users[0];
                let chosen = users.len() > 1 && users.iter().all(|u| u.sel().is_some());
                let ids = if chosen {
                    let mut ids: Vec<(String, Option<String>)> = Vec::new();
                    for u in users {
                        let id = (user_of(u)?, u.sel_str().map(str::to_string));
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    ids
                } else {
                    vec![(user_of(first)?, None)]
                };
                Some((user_key, first.at, ids))
            }
            // No user, given to the SDK with an environment: its current user's row.
            None if sdk_call && (field(&legacy.sandbox_flags).is_some() || field(&legacy.base_url_keys).is_some()) => {
                Some((None, at, vec![(legacy.default_user.clone(), None)]))
            }
            // No user and no environment: not a legacy config.
            None => None,
        }
    }

    /// Records the token store of a legacy config, once.
    fn legacy_store(&self, store: TokenStore) {
        let mut stores = self.legacy_stores.borrow_mut();
        if !stores.contains(&store) {
            stores.push(store);
        }
    }

    /// A legacy config's sandbox flags: (known value, the key of one known
    /// only at run time, where it is); none written is production.
    fn legacy_flags(&self, flags: Option<&Vec<Val>>, user_at: Loc) -> Vec<LegacyFlag> {
        let legacy = &catalog().legacy;
        match flags {
            None => vec![(Some(false), None, user_at)],
            Some(vs) => vs
                .iter()
                .map(|f| {
                    let known = match &f.kind {
                        VKind::Bool(b) => Some(*b),
                        VKind::Str(p) if p.len() == 1 => match &p[0] {
                            Piece::Lit(s, _) => Some(legacy.truthy.iter().any(|t| t == s.trim())),
                            Piece::Hole(_) => None,
                        },
                        _ => None,
                    };
                    (known, self.identity_key(f).map(|k| k.to_string()), f.at)
                })
                .collect(),
        }
    }

    /// The data centers of the accounts servers a legacy config names (the
    /// SDK refreshes its user's token there), with the key choosing each.
    fn minted_at(&self, accounts_set: &[Val]) -> Vec<(Option<DcId>, Option<String>)> {
        let mut accounts = Ingredients::default();
        for v in accounts_set {
            self.scan(v, Slot::Any, &mut accounts, 1);
        }
        let mut minted: Vec<(Option<DcId>, Option<String>)> = accounts
            .endpoints
            .iter()
            .filter_map(|e| match e.target {
                Target::Env(env) => Some((Some(env.dc), e.selector.clone())),
                _ => None,
            })
            .collect();
        minted.sort();
        minted.dedup();
        minted
    }

    /// Tokens and endpoints a callback writes into its parameters.
    fn scan_callback(&self, file: FileId, fscope: ScopeId, ing: &mut Ingredients) {
        let facts = self.facts(file);
        let ix = &self.index[file];
        if facts.scopes[fscope].kind != ScopeKind::Function {
            return;
        }
        for p in &facts.scopes[fscope].params {
            for &i in ix.rooted_assigns(&self.names, p).unwrap_or(&[]) {
                let a = &facts.assigns[i];
                if ix.func_of[a.scope] != fscope {
                    continue;
                }
                let vs = self.eval(file, a.scope, &a.value, None);
                let slot = target_slot(&a.target);
                for v in &vs {
                    self.scan(v, slot, ing, 1);
                }
            }
            // `h -> h.set("Authorization", …)`: calls that configure the parameter.
            if !self.enter_object((file, format!("{p}#callback{fscope}"))) {
                continue;
            }
            for &i in ix.config_calls(&self.names, p).unwrap_or(&[]) {
                let cs = &facts.calls[i];
                if ix.func_of[cs.scope] == fscope {
                    let sub = self.own_ingredients(file, cs.scope, &cs.expr, None);
                    self.merge_carried(ing, &sub, false);
                }
            }
            self.leave_object();
        }
    }

    fn endpoint_from(&self, v: &Val, pieces: &[Piece], ing: &mut Ingredients) {
        let c = catalog();
        let text = probe_text(pieces);
        let sel = v.sel_str().map(str::to_string);
        let hosts = c.find_hosts(&text);
        let origin = self.literal_origin(v, pieces, hosts.first().map(|h| h.start).unwrap_or(0));
        for h in &hosts {
            if h.info.kind == HostKind::Api && c.is_other_product_path(&h.path) {
                continue;
            }
            let token_endpoint = h.info.kind == HostKind::Accounts && c.is_token_endpoint_path(&h.path);
            ing.endpoints.push(endpoint_of(
                v,
                Target::Env(h.info.env),
                origin,
                sel.as_deref(),
                token_endpoint,
            ));
        }
        if hosts.is_empty() {
            // The environment built at run time (the hole's key selects
            // it), or only the data center.
            let hole_key = || {
                pieces.iter().find_map(|p| match p {
                    Piece::Hole(h) => self.identity_key(h),
                    Piece::Lit(..) => None,
                })
            };
            let templated = c
                .env_template_dc(&text)
                .map(|dc| {
                    (
                        Target::AnyEnv(dc),
                        sel.clone().or(hole_key().as_deref().map(str::to_string)),
                    )
                })
                .or_else(|| c.dc_template_env(&text).map(|kind| (Target::AnyDc(kind), sel.clone())));
            // `accounts.zoho.{region}/oauth/v2/token`: minted in the data
            // center the hole's value picks (no environment: accounts servers
            // serve them all). The key is that value's own, as for a map
            // looked up by it (`API_HOSTS[region]`); whatever chose the value
            // among others (the record it was read from) only says when.
            if templated.is_none() && c.is_accounts_dc_template(&text) {
                if let Some(key) = hole_key().as_deref().map(str::to_string).or_else(|| sel.clone()) {
                    let target = Target::AnyDc(EnvKind::Production);
                    ing.endpoints.push(endpoint_of(v, target, origin, Some(&key), true));
                }
            }
            if let Some((target, selector)) = templated {
                ing.endpoints
                    .push(endpoint_of(v, target, origin, selector.as_deref(), false));
            }
        }
        // A host held in a variable inside the string: "{BASE}/crm/v8".
        for p in pieces {
            if let Piece::Hole(h) = p {
                if let VKind::Carrier(_) | VKind::Sdk(_) | VKind::Moved(_) | VKind::Derived = h.kind {
                    self.scan(h, Slot::Any, ing, 1);
                }
                ing.derived |= matches!(h.kind, VKind::Derived | VKind::Moved(_));
            }
        }
        if v.via_param && !hosts.is_empty() {
            ing.via_param = true;
        }
    }

    /// Where the literal holding byte `offset` of the probe text is written.
    fn literal_origin(&self, v: &Val, pieces: &[Piece], offset: usize) -> Loc {
        let mut pos = 0;
        for p in pieces {
            let len = match p {
                Piece::Lit(t, _) => t.len(),
                Piece::Hole(_) => 1,
            };
            if offset < pos + len {
                if let Piece::Lit(_, at) = p {
                    return *at;
                }
            }
            pos += len;
        }
        v.at
    }

    pub(super) fn token_from(&self, v: &Val, ing: &mut Ingredients) {
        let c = catalog();
        if let Some(n) = self.env_origin.borrow().get(&v.at) {
            self.token_env.borrow_mut().insert(n.clone());
        }
        if let VKind::Env(n) = &v.kind {
            self.token_env.borrow_mut().insert(n.clone());
        }
        let identity = match &v.kind {
            VKind::Env(n) => TokenIdentity::Env(n.clone()),
            VKind::Sym(s, SymKind::Symbol) => TokenIdentity::Symbol(s.to_string()),
            VKind::Sym(s, SymKind::Param) => TokenIdentity::Param(s.to_string()),
            VKind::Sym(s, SymKind::Secret) => TokenIdentity::Secret(s.to_string()),
            VKind::Minted(_, s) => TokenIdentity::Minted(s.to_string()),
            VKind::Str(pieces) => {
                if pieces.len() == 1 {
                    match &pieces[0] {
                        Piece::Lit(s, at) => {
                            // Zoho tokens have one shape; any other literal in a
                            // token slot is a sample or a mock, never an identity.
                            if !c.is_token_literal(s) {
                                return;
                            }
                            ing.tokens.push(TokenAlt {
                                identity: TokenIdentity::Literal(literal_hash(s.trim())),
                                origin: *at,
                                selector: v.sel_str().map(str::to_string),
                                minted_dc: None,
                                accounts_chosen_at: None,
                                branch: v.branch(),
                            });
                            return;
                        }
                        Piece::Hole(h) => return self.token_from(h, ing),
                    }
                } else {
                    // "Zoho-oauthtoken " handled by scan; a built string: its holes.
                    if let Some(Piece::Hole(h)) = pieces.iter().find(|p| matches!(p, Piece::Hole(_))) {
                        return self.token_from(h, ing);
                    }
                    return;
                }
            }
            VKind::TokenObj(ids) => {
                for id in ids {
                    self.token_from(id, ing);
                }
                return;
            }
            VKind::Carrier(carried) => {
                self.merge_carried(ing, carried, v.via_param);
                return;
            }
            _ => return,
        };
        let minted_dc = match &v.kind {
            VKind::Minted(dc, _) => *dc,
            _ => None,
        };
        if v.via_param {
            ing.via_param = true;
        }
        ing.tokens.push(TokenAlt {
            identity,
            origin: v.at,
            selector: v.sel_str().map(str::to_string),
            minted_dc,
            accounts_chosen_at: None,
            branch: v.branch(),
        });
    }
}

/// An SDK header constant for the org header, as `HeaderMap.add`'s first
/// argument: `UploadFileHeader.X_CRM_ORG`, PHP `UploadFileHeader::XCrmOrg()`.
/// An element of a list that is a pair whose first item is one literal
/// string (`("refresh_token", t)`): that name and the second item.
fn named_pair(alts: &[Val]) -> Option<(&str, &[Val])> {
    let [pair] = alts else { return None };
    let VKind::List(items) = &pair.kind else { return None };
    let [key, value] = items.as_slice() else { return None };
    let [k] = key.as_slice() else { return None };
    match &k.kind {
        VKind::Str(pieces) => match pieces.as_slice() {
            [Piece::Lit(name, _)] => Some((name.as_str(), value.as_slice())),
            _ => None,
        },
        _ => None,
    }
}

fn sdk_org_constant(e: &Expr) -> bool {
    let org = &catalog().org;
    match &e.kind {
        ExprKind::Member(..) => e.last_name().is_some_and(|m| org.is_sdk_param(m)),
        ExprKind::Call(c) => c.args.is_empty() && c.callee.last_name().is_some_and(|m| org.is_sdk_param(m)),
        _ => false,
    }
}

fn is_sample_user(s: &str) -> bool {
    let t = s.trim();
    t.len() < 3
        || t.chars()
            .all(|c| !c.is_ascii_alphanumeric() || c.eq_ignore_ascii_case(&'x'))
}

/// A call on a legacy SDK class (`ZCRMRestClient.initialize`,
/// `ZCRMRestClient::initialize`, `ZCRMSDK::RestClient::ZCRMRestClient.init`).
fn on_legacy_class(callee: &Expr) -> bool {
    let classes = &catalog().legacy.sdk_classes;
    let ExprKind::Member(o, _) = &callee.kind else {
        return false;
    };
    let mut cur: &Expr = o;
    loop {
        match &cur.kind {
            ExprKind::Name(n) => return classes.iter().any(|c| **c == **n),
            ExprKind::Member(o, m) => {
                if classes.iter().any(|c| **c == **m) {
                    return true;
                }
                cur = o;
            }
            _ => return false,
        }
    }
}

/// The endpoint `v` designates: `target` at `origin`, selected by
/// `selector`, chosen where `v`'s run-time choices are made.
fn endpoint_of(v: &Val, target: Target, origin: Loc, selector: Option<&str>, token_endpoint: bool) -> EndpointAlt {
    EndpointAlt {
        target,
        origin,
        selector: selector.map(str::to_string),
        switch: v.switch(),
        inner_selector: v.inner().map(|i| i.sel.to_string()),
        inner_switch: v.inner().and_then(|i| i.switch),
        token_endpoint,
        branch: v.branch(),
    }
}

/// A legacy config's user key, where the user is written, and its users,
/// each with the key that chose it.
type LegacyUser = (Option<String>, Loc, Vec<(String, Option<String>)>);

/// A legacy config's endpoints: each base URL's environment rewritten
/// `www` → `sandbox` by each flag; a flag known only at run time is the
/// switch between the two.
fn legacy_endpoints(base: &Ingredients, flags: &[LegacyFlag], ing: &mut Ingredients) {
    for e in &base.endpoints {
        let Target::Env(env) = e.target else {
            ing.endpoints.push(e.clone());
            continue;
        };
        for (flag, key, at) in flags {
            let kinds: &[crate::catalog::EnvKind] = match flag {
                Some(true) => &[crate::catalog::EnvKind::Sandbox],
                Some(false) => &[crate::catalog::EnvKind::Production],
                None => &[crate::catalog::EnvKind::Production, crate::catalog::EnvKind::Sandbox],
            };
            for &k in kinds {
                let kind = if env.kind == Some(crate::catalog::EnvKind::Production) {
                    Some(k)
                } else {
                    env.kind
                };
                ing.endpoints.push(EndpointAlt {
                    target: Target::Env(crate::catalog::Environment { dc: env.dc, kind }),
                    origin: if *flag == Some(true) { *at } else { e.origin },
                    // A flag chosen at run time (`"true" if sandbox else
                    // "false"`) is chosen by its key, known or not.
                    selector: if flag.is_none() {
                        key.clone()
                    } else {
                        key.clone().or_else(|| e.selector.clone())
                    },
                    // A flag only known at run time is the switch.
                    switch: if flag.is_none() { Some(*at) } else { e.switch },
                    inner_selector: e.inner_selector.clone(),
                    inner_switch: e.inner_switch,
                    token_endpoint: false,
                    branch: e.branch,
                });
            }
        }
    }
}

/// The values of the first of `keys` a legacy config's fields set.
fn config_field<'f>(fields: &'f [(Option<String>, Vec<Val>)], keys: &[String]) -> Option<&'f Vec<Val>> {
    fields
        .iter()
        .find(|(k, _)| k.as_deref().is_some_and(|k| keys.iter().any(|x| x == k)))
        .map(|(_, v)| v)
}
