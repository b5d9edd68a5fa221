//! Per-file lookup tables for the linker, built once per file so that
//! resolution never scans a file's facts linearly.

use rustc_hash::FxHashMap as HashMap;

use super::syntax::{configures, sets_header};
use crate::facts::*;

/// Per-file lookup tables, built once, so that resolution never scans a
/// file's facts linearly.
pub(super) struct FileIndex {
    /// (scope, target key) → assignments. Keys: `name`, `this.name`, dotted paths.
    pub(super) by_target: HashMap<(ScopeId, String), Vec<usize>>,
    /// (class, member) → assignments to `self.member` in its methods, and class attributes.
    pub(super) fields: HashMap<(ScopeId, String), Vec<usize>>,
    /// (class, name) → method scope.
    pub(super) methods: HashMap<(ScopeId, String), ScopeId>,
    /// Root key (`name`, `this.name`) → assignments to a member or item of it.
    pub(super) rooted_assigns: HashMap<String, Vec<usize>>,
    /// Root key → statement calls that configure it (`s.headers.update(...)`).
    pub(super) config_calls: HashMap<String, Vec<usize>>,
    pub(super) class_of: Vec<Option<ScopeId>>,
    pub(super) func_of: Vec<ScopeId>,
    /// Scope → its returns / its chain-head calls.
    pub(super) returns_of: HashMap<ScopeId, Vec<usize>>,
    pub(super) calls_of: HashMap<ScopeId, Vec<usize>>,
    /// Named function → the anonymous functions (blocks, callbacks) defined
    /// inline in it, at any depth.
    pub(super) inline_fns: HashMap<ScopeId, Vec<ScopeId>>,
    /// Functions whose returns or local assignments mention a parameter: only
    /// these need evaluating per call site.
    pub(super) param_dependent: Vec<bool>,
}

/// Does `e` mention one of `names`?
fn mentions(e: &Expr, names: &[String]) -> bool {
    match &e.kind {
        ExprKind::Name(n) => names.contains(n),
        ExprKind::Concat(parts) | ExprKind::List(parts) | ExprKind::Test(parts) => {
            parts.iter().any(|p| mentions(p, names))
        }
        ExprKind::Member(o, _) | ExprKind::Elem(o, _) => mentions(o, names),
        ExprKind::Index(o, k) => mentions(o, names) || mentions(k, names),
        ExprKind::Call(c) => mentions(&c.callee, names) || c.args.iter().any(|a| mentions(&a.value, names)),
        ExprKind::Format { template, args, .. } => {
            mentions(template, names) || args.iter().any(|a| mentions(&a.value, names))
        }
        ExprKind::Dict(pairs) => pairs.iter().any(|(k, v)| mentions(k, names) || mentions(v, names)),
        ExprKind::Alt { cond, alts } => {
            cond.as_ref().is_some_and(|c| mentions(c, names)) || alts.iter().any(|a| mentions(a, names))
        }
        _ => false,
    }
}

impl FileIndex {
    pub(super) fn build(facts: &FileFacts) -> Self {
        let n = facts.scopes.len();
        let mut class_of = vec![None; n];
        let mut func_of = vec![0; n];
        for i in 0..n {
            let sc = &facts.scopes[i];
            let parent = sc.parent;
            class_of[i] = if sc.kind == ScopeKind::Class {
                Some(i)
            } else {
                parent.and_then(|p| class_of[p])
            };
            func_of[i] = if sc.kind == ScopeKind::Function {
                i
            } else {
                parent.map(|p| func_of[p]).unwrap_or(0)
            };
        }
        let mut by_target: HashMap<(ScopeId, String), Vec<usize>> = HashMap::default();
        let mut fields: HashMap<(ScopeId, String), Vec<usize>> = HashMap::default();
        let mut rooted_assigns: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, a) in facts.assigns.iter().enumerate() {
            if let Some(k) = target_key(&a.target) {
                by_target.entry((a.scope, k)).or_default().push(i);
            }
            match &a.target.kind {
                ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => {
                    if let Some(c) = class_of[a.scope] {
                        fields.entry((c, m.clone())).or_default().push(i);
                    }
                }
                ExprKind::Name(m) if facts.scopes[a.scope].kind == ScopeKind::Class => {
                    fields.entry((a.scope, m.clone())).or_default().push(i);
                }
                _ => {}
            }
            if let ExprKind::Member(o, _) | ExprKind::Index(o, _) = &a.target.kind {
                if let Some(k) = root_key(o) {
                    rooted_assigns.entry(k).or_default().push(i);
                }
            }
        }
        let mut methods = HashMap::default();
        for (i, sc) in facts.scopes.iter().enumerate() {
            if let (ScopeKind::Function, Some(p)) = (sc.kind, sc.parent) {
                if facts.scopes[p].kind == ScopeKind::Class && !sc.name.is_empty() {
                    methods.entry((p, sc.name.clone())).or_insert(i);
                }
            }
        }
        let mut config_calls: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, cs) in facts.calls.iter().enumerate() {
            if !cs.statement {
                continue;
            }
            if let ExprKind::Call(call) = &cs.expr.kind {
                if let ExprKind::Member(o, _) = &call.callee.kind {
                    if configures(&call.callee) || sets_header(call) {
                        if let Some(k) = root_key(o) {
                            config_calls.entry(k).or_default().push(i);
                        }
                    }
                }
            }
        }
        let mut returns_of: HashMap<ScopeId, Vec<usize>> = HashMap::default();
        let mut param_dependent = vec![false; n];
        for (i, r) in facts.returns.iter().enumerate() {
            returns_of.entry(r.scope).or_default().push(i);
            let ps = &facts.scopes[r.scope].params;
            if mentions(&r.value, ps) || r.guard.as_ref().is_some_and(|g| mentions(g, ps)) {
                param_dependent[r.scope] = true;
            }
        }
        for a in &facts.assigns {
            let f = func_of[a.scope];
            if f != 0 && mentions(&a.value, &facts.scopes[f].params) {
                param_dependent[f] = true;
            }
        }
        let mut calls_of: HashMap<ScopeId, Vec<usize>> = HashMap::default();
        for (i, c) in facts.calls.iter().enumerate() {
            calls_of.entry(c.scope).or_default().push(i);
        }
        let mut inline_fns: HashMap<ScopeId, Vec<ScopeId>> = HashMap::default();
        let anonymous = |i: usize| facts.scopes[i].kind == ScopeKind::Function && facts.scopes[i].name.is_empty();
        for i in 0..n {
            if !anonymous(i) {
                continue;
            }
            let mut p = facts.scopes[i].parent;
            while let Some(q) = p.filter(|&q| anonymous(q)) {
                p = facts.scopes[q].parent;
            }
            if let Some(f) = p.filter(|&f| facts.scopes[f].kind == ScopeKind::Function) {
                inline_fns.entry(f).or_default().push(i);
            }
        }
        FileIndex {
            inline_fns,
            by_target,
            fields,
            methods,
            rooted_assigns,
            config_calls,
            class_of,
            func_of,
            returns_of,
            calls_of,
            param_dependent,
        }
    }
}

pub(super) fn key_of(scope: ScopeId, name: &str) -> (ScopeId, String) {
    (scope, name.to_string())
}

/// The lookup key of an assignment target.
pub(super) fn target_key(t: &Expr) -> Option<String> {
    match &t.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => Some(format!("this.{m}")),
        ExprKind::Member(..) => t.dotted(),
        _ => None,
    }
}

/// The object a member/item chain hangs off: `s.headers` → `s`,
/// `self.session.headers` → `this.session`.
pub(super) fn root_key(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => Some(format!("this.{m}")),
        ExprKind::Member(o, _) | ExprKind::Index(o, _) => root_key(o),
        _ => None,
    }
}
