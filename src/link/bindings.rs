//! The bindings of the repository (DESIGN §2 Binding): one per request
//! site, SDK initialisation, configured client and helper call, found by
//! walking every call site and assignment of every file under the per-call
//! fuel and the per-file time budget. `bind.rs` says what a call carries;
//! this file says which calls are bindings and builds them.
//!
//! Reads: the facts of every file and the other passes. Writes: nothing but
//! its result (the bindings and the places the analysis was cut short).

use super::bind::Ingredients;
use super::index::root_key;
use super::syntax::{configures, receiver_root, target_slot, Slot};
use super::*;

impl<'r> Linker<'r> {
    /// Every binding in the repository, and where the analysis was cut
    /// short ([`Cut`]): a call site that ran out of its step budget or hit a
    /// bug (a panic costs that call site only), or a file whose linking ran
    /// past the per-file time budget (its remaining statements are skipped).
    pub fn bindings(&self) -> (Vec<Binding>, Vec<(Loc, Cut)>) {
        let mut out = Vec::new();
        let mut cuts = Vec::new();
        for (fid, f) in self.files.iter().enumerate() {
            self.linking.set(fid as u32);
            let sites = f
                .facts
                .calls
                .iter()
                .map(|cs| (cs.expr.span, Site::Call(cs)))
                .chain(f.facts.assigns.iter().map(|a| (a.span, Site::Assign(a))));
            let ((), late) = crate::budget::run(self.time_budget, || {
                for (span, site) in sites {
                    if crate::budget::expired() {
                        break;
                    }
                    self.fuel.set(FUEL_PER_CALL_SITE);
                    self.starved.set(false);
                    self.too_deep.set(false);
                    self.touched.set(false);
                    let at = Loc { file: fid, span };
                    let b = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match site {
                        Site::Call(cs) => self.binding_at(fid, cs),
                        Site::Assign(a) => self.assign_binding(fid, a),
                    }));
                    match b {
                        Ok(b) => {
                            if self.starved.get() && !crate::budget::expired() {
                                cuts.push((at, Cut::Steps));
                            } else if self.too_deep.get() && (b.is_some() || self.touched.get()) {
                                cuts.push((at, Cut::Depth));
                            }
                            out.extend(b);
                        }
                        Err(_) => {
                            self.reset_after_panic();
                            cuts.push((at, Cut::Crash));
                        }
                    }
                }
            });
            self.between_files();
            if let Some(spent) = late {
                let at = Loc {
                    file: fid,
                    span: Span::default(),
                };
                cuts.push((
                    at,
                    match spent {
                        crate::budget::Spent::Work => Cut::Work,
                        crate::budget::Spent::Time => Cut::Time,
                    },
                ));
            }
        }
        let sdk = self.sdk_org_bindings(&out);
        out.extend(sdk);
        out.extend(self.profile_bindings());
        (out, cuts)
    }

    /// `client.DefaultRequestHeaders.Authorization = …` /
    /// `req.headers["Authorization"] = …`: putting a token into the header
    /// of an object that talks to an endpoint binds them, as the configuring
    /// call `s.headers.update({...})` does.
    pub(super) fn assign_binding(&self, fid: FileId, a: &Assign) -> Option<Binding> {
        if !matches!(a.target.kind, ExprKind::Member(..) | ExprKind::Index(..))
            || target_slot(&a.target) != Slot::Header
        {
            return None;
        }
        // Configuring a request that a later call sends: reported there.
        if self.passed_along(fid, a.scope, &a.target) {
            return None;
        }
        let root = receiver_root(&a.target)?;
        let key = root_key(root)?;
        let mut ing = Ingredients::default();
        for v in &self.eval(fid, a.scope, &a.value, None) {
            self.scan(v, Slot::Header, &mut ing, 0);
        }
        self.touch(&ing);
        if ing.tokens.is_empty() {
            return None;
        }
        ing.own_tokens = ing.tokens.len();
        if !matches!(root.kind, ExprKind::Call(_)) {
            for v in &self.eval(fid, a.scope, root, None) {
                if let VKind::Carrier(carried) = &v.kind {
                    self.merge_carried(&mut ing, carried, v.via_param);
                }
            }
        }
        self.configured(Cx::new(fid, a.scope, None), &key, &a.value, &mut ing);
        if ing.endpoints.is_empty() {
            return None;
        }
        self.resolve_param_orgs(&mut ing.orgs);
        let at = Loc {
            file: fid,
            span: a.span,
        };
        Some(make_binding(at, BindingKind::Call, &ing, Vec::new()))
    }

    pub(super) fn binding_at(&self, fid: FileId, cs: &CallSite) -> Option<Binding> {
        // A statement that configures an object later passed to a call
        // (`req.Header.Set(…)` … `client.Do(req)`) is not where it is used:
        // the call that sends it is.
        if let ExprKind::Call(call) = &cs.expr.kind {
            if cs.statement && configures(&call.callee) && self.passed_along(fid, cs.scope, &call.callee) {
                return None;
            }
        }
        let mut ing = self.ingredients(fid, cs.scope, &cs.expr, None);
        self.resolve_param_orgs(&mut ing.orgs);
        let own = ing.own_endpoints + ing.own_tokens > 0;
        let at = Loc {
            file: fid,
            span: cs.expr.span,
        };
        let sdk_switch_without_token = ing.sdk == Some(BindingKind::SdkSwitch) && ing.own_tokens == 0;
        if own && !ing.endpoints.is_empty() && (!ing.tokens.is_empty() || sdk_switch_without_token) {
            let kind = ing.sdk.unwrap_or(BindingKind::Call);
            return Some(make_binding(at, kind, &ing, Vec::new()));
        }
        // An SDK call that selects an org: bound to the SDK's token once
        // every initialisation is known.
        if ing.sdk_org && !ing.orgs.is_empty() && ing.tokens.is_empty() && ing.sdk.is_none() {
            self.sdk_org_sites.borrow_mut().push((at, ing.orgs.clone()));
            return None;
        }
        // One step of function summaries: a helper that makes the binding
        // with what this call passes in.
        self.helper_binding(fid, cs)
    }

    /// A statement that sends a configured request along
    /// (`http.DefaultClient.Do(req)`, `req` built by a call) uses its
    /// receiver's package or object; it configures nothing. (Passing
    /// configured data, as in `s.headers.update(h)`, does configure.)
    pub(super) fn sends_configured(&self, file: FileId, cs: &CallSite) -> bool {
        let ix = &self.index[file];
        let ExprKind::Call(call) = &cs.expr.kind else {
            return false;
        };
        let facts = self.facts(file);
        // Read syntactically: evaluating here would recurse into the
        // configuration being computed.
        let built_by_call = |n: &str| {
            [cs.scope, ix.func_of[cs.scope]].iter().any(|&s| {
                ix.targets(&self.names, s, n)
                    .is_some_and(|v| v.iter().any(|&i| facts.assigns[i].value.is_call_result()))
            })
        };
        call.args.iter().any(|a| {
            matches!(&a.value.kind, ExprKind::Name(n)
                if (ix.config_calls(&self.names, n).is_some() || ix.rooted_assigns(&self.names, n).is_some()) && built_by_call(n))
        })
    }

    /// Is the object a configuring call works on passed as an argument to a
    /// call of the same scope?
    pub(super) fn passed_along(&self, fid: FileId, scope: ScopeId, callee: &Expr) -> bool {
        let Some(ExprKind::Name(root)) = receiver_root(callee).map(|r| &r.kind) else {
            return false;
        };
        let facts = self.facts(fid);
        let calls = self.index[fid].calls_of.get(scope);
        calls.iter().any(|&i| {
            chain_calls(&facts.calls[i].expr).iter().any(|c| {
                c.args
                    .iter()
                    .any(|a| matches!(&a.value.kind, ExprKind::Name(n) if n == root))
            })
        })
    }

    /// The calls of a function that hold a token or an endpoint by themselves.
    pub(super) fn templates(&self, ffile: FileId, fscope: ScopeId) -> Rc<Vec<usize>> {
        if let Some(t) = self.template_cache.borrow().get(&(ffile, fscope)) {
            return t.clone();
        }
        // The function's own calls and those of the blocks and callbacks it
        // defines inline (`Net::HTTP.start(…) { |http| http.request(req) }`).
        let ix = &self.index[ffile];
        let mut calls = ix.calls_of.get(fscope).to_vec();
        for &s in ix.inline_fns.get(fscope) {
            calls.extend(ix.calls_of.get(s));
        }
        let t: Rc<Vec<usize>> = Rc::new(
            calls
                .into_iter()
                .filter(|&ci| {
                    let inner = &self.facts(ffile).calls[ci];
                    // A statement configuring a request that a later call
                    // sends (`req.Header.Set(…)` … `client.Do(req)`): that
                    // call is the request, as [`Self::binding_at`] says.
                    if let ExprKind::Call(call) = &inner.expr.kind {
                        if inner.statement
                            && configures(&call.callee)
                            && self.passed_along(ffile, inner.scope, &call.callee)
                        {
                            return false;
                        }
                    }
                    let ing = self.ingredients(ffile, inner.scope, &inner.expr, None);
                    !ing.endpoints.is_empty() || !ing.tokens.is_empty()
                })
                .collect(),
        );
        self.template_cache.borrow_mut().insert((ffile, fscope), t.clone());
        t
    }

    /// The call of a repository function that makes a binding with what
    /// the call passes in: the call itself, else the helper call heading its
    /// chain (`get_leads(False, token).json()`, `fetchLeads(false,
    /// token).then(…)`), as a bare call of it would be.
    pub(super) fn helper_binding(&self, fid: FileId, cs: &CallSite) -> Option<Binding> {
        let calls = chain_calls(&cs.expr);
        let (outer, inner) = calls.split_first()?;
        if let Some(b) = self.helper_call_binding(fid, cs, outer) {
            return Some(b);
        }
        let head = inner.last().filter(|c| matches!(c.callee.kind, ExprKind::Name(_)))?;
        // Of the file's own language: `fetch(url).then(…)` is the global
        // `fetch`, not a function of that name in another language.
        let callee_vals = self.eval_callee(fid, cs.scope, &head.callee, None);
        let (ffile, _) = self.called_function(&callee_vals)?;
        if self.files[ffile].lang != self.files[fid].lang {
            return None;
        }
        self.helper_call_binding(fid, cs, head)
    }

    fn helper_call_binding(&self, fid: FileId, cs: &CallSite, call: &Call) -> Option<Binding> {
        let (ing, via) = self.helper_ingredients(Cx::new(fid, cs.scope, None), call, cs.expr.span, 0)?;
        let at = Loc {
            file: fid,
            span: cs.expr.span,
        };
        Some(make_binding(at, BindingKind::Helper, &ing, via))
    }

    /// What a call (at `site`) of a repository helper binds with what it
    /// passes in: the first of the helper's requests that gets an endpoint
    /// and a token so, else what a call of another helper that passes this
    /// one's parameters on binds (`leads(true, tok)` → `call(sandbox, tok,
    /// path)`), up to [`NESTED_HELPERS`] helpers deep; with the sites on the
    /// way to the request (the helpers' own bindings there are then bound
    /// by their callers).
    fn helper_ingredients(&self, cx: Cx, call: &Call, site: Span, depth: usize) -> Option<(Ingredients, Vec<Loc>)> {
        if !matches!(call.callee.kind, ExprKind::Name(_) | ExprKind::Member(..)) {
            return None;
        }
        let callee_vals = self.eval_callee(cx.file, cx.scope, &call.callee, cx.params);
        let (ffile, fscope) = self.called_function(&callee_vals)?;
        // A helper's own call of a global name (`fetch(url)`) is the
        // language's, not a function of that name in another language.
        if depth > 0 && self.files[ffile].lang != self.files[cx.file].lang {
            return None;
        }
        let templates = self.templates(ffile, fscope);
        let mut passing = if depth + 1 < NESTED_HELPERS {
            self.passing_calls(ffile, fscope, &templates)
        } else {
            Vec::new()
        };
        if templates.is_empty() && passing.is_empty() {
            return None;
        }
        let p = self.bind_params(cx, (ffile, fscope), call);
        if p.is_empty() {
            return None;
        }
        // A call passing the receiver's fields on (`fetch(&self.target)`)
        // passes parameters only when the receiver's fields are bound.
        if !p.vars.keys().any(|k| k.starts_with("this.")) {
            let facts = self.facts(ffile);
            let params = &facts.scopes[fscope].params;
            passing.retain(|&ci| passes(&facts.calls[ci].expr, |e| super::index::mentions(e, params)));
        }
        let endpoints_via = |ing: &Ingredients| {
            ing.endpoints
                .iter()
                .any(|e| e.origin.file == cx.file && e.origin.span.start >= site.start && e.origin.span.end <= site.end)
                || ing.via_param
        };
        // Only the receiver's constructed fields bound: a request the method
        // makes with a host and a token of its own is its own binding (the
        // class is where it is judged); the fields fill what it lacks, or
        // choose what it switches on (a field the constructor computed from
        // its flag: `self.target = target_for(sandbox)`).
        let only_fields = p.vars.keys().all(|k| k.starts_with("this."));
        for &ci in templates.iter() {
            let inner = &self.facts(ffile).calls[ci];
            let ing = self.ingredients(ffile, inner.scope, &inner.expr, Some(&p));
            if ing.endpoints.is_empty() || ing.tokens.is_empty() {
                continue;
            }
            if only_fields {
                let own = self.ingredients(ffile, inner.scope, &inner.expr, None);
                if !own.endpoints.is_empty() && !own.tokens.is_empty() && !chosen_by_fields(&own, &ing) {
                    continue;
                }
            }
            if !endpoints_via(&ing) {
                continue;
            }
            let via = vec![Loc {
                file: ffile,
                span: inner.expr.span,
            }];
            return Some((ing, via));
        }
        for ci in passing {
            let inner = &self.facts(ffile).calls[ci];
            let ExprKind::Call(next) = &inner.expr.kind else {
                continue;
            };
            let Some((ing, mut via)) =
                self.helper_ingredients(Cx::new(ffile, inner.scope, Some(&p)), next, inner.expr.span, depth + 1)
            else {
                continue;
            };
            if endpoints_via(&ing) {
                via.insert(
                    0,
                    Loc {
                        file: ffile,
                        span: inner.expr.span,
                    },
                );
                return Some((ing, via));
            }
        }
        None
    }

    /// The calls of a function, besides its requests (`templates`), that
    /// pass its parameters on to another function; a method's calls that
    /// pass its receiver's fields on (`fetch(&self.http, &self.target,
    /// "Leads")`), the parameters of its instance's construction, too.
    fn passing_calls(&self, ffile: FileId, fscope: ScopeId, templates: &[usize]) -> Vec<usize> {
        let facts = self.facts(ffile);
        let params = &facts.scopes[fscope].params;
        let method = self.enclosing_class(ffile, fscope).is_some();
        if params.is_empty() && !method {
            return Vec::new();
        }
        let passed = |e: &Expr| super::index::mentions(e, params) || (method && super::index::reads_this(e));
        self.index[ffile]
            .calls_of
            .get(fscope)
            .iter()
            .copied()
            .filter(|ci| !templates.contains(ci))
            .filter(|&ci| passes(&facts.calls[ci].expr, passed))
            .collect()
    }
}

/// Whether call `e` passes an argument that `passed` accepts.
fn passes(e: &Expr, passed: impl Fn(&Expr) -> bool) -> bool {
    match &e.kind {
        ExprKind::Call(c) => c.args.iter().any(|a| passed(&a.value)),
        _ => false,
    }
}

/// Whether the receiver's fields choose what a method's own request
/// switches on: a key that chooses its endpoint alone (a parameter of the
/// constructor) chooses none of it once the fields are bound.
fn chosen_by_fields(own: &Ingredients, bound: &Ingredients) -> bool {
    own.endpoints
        .iter()
        .filter_map(|e| e.selector.as_deref())
        .any(|k| bound.endpoints.iter().all(|e| e.selector.as_deref() != Some(k)))
}

/// How many helpers deep a call's parameters are followed to the request
/// they reach (the call's own helper counted). Two: a helper and the one it
/// passes its parameters to. Four cost the Zoho Python SDK half again its
/// CPU time and 34 MB for the same output (every SDK method passes its
/// parameters on).
const NESTED_HELPERS: usize = 2;

pub(super) fn make_binding(at: Loc, kind: BindingKind, ing: &Ingredients, via: Vec<Loc>) -> Binding {
    let mut endpoints = ing.endpoints.clone();
    endpoints.sort();
    endpoints.dedup();
    let mut tokens = ing.tokens.clone();
    tokens.sort();
    // One per identity, key and data center of minting: the alternatives of a
    // token minted per data center are kept apart.
    tokens.dedup_by(|a, b| a.identity == b.identity && a.selector == b.selector && a.minted_dc == b.minted_dc);
    let mut orgs = ing.orgs.clone();
    orgs.sort();
    orgs.dedup();
    Binding {
        at,
        kind,
        endpoints,
        tokens,
        via,
        profile: None,
        orgs,
        derived: ing.derived,
    }
}
