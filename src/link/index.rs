//! Per-file lookup tables for the linker, built once per file so that
//! resolution never scans a file's facts linearly.

use rustc_hash::FxHashMap as HashMap;

use super::syntax::{configures, sets_header};
use crate::facts::*;

/// The names the indexes are keyed by, one copy each for the whole scan
/// (a key is a number: no index holds a string of its own).
#[derive(Default)]
pub(super) struct Names {
    ids: HashMap<Box<str>, u32>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.into(), id);
        id
    }

    /// The number of a name some index holds (`None`: no index holds it).
    pub(super) fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
}

/// A multimap from keys to lists of fact indexes, the lists stored end to
/// end in one vector (in the order they were added).
pub(super) struct Multi<K> {
    spans: HashMap<K, (u32, u32)>,
    items: Vec<usize>,
}

impl<K: std::hash::Hash + Eq + Copy> Multi<K> {
    fn build(pairs: Vec<(K, usize)>) -> Self {
        let mut lists: HashMap<K, Vec<usize>> = HashMap::default();
        let mut order = Vec::new();
        for (k, i) in pairs {
            let l = lists.entry(k).or_default();
            if l.is_empty() {
                order.push(k);
            }
            l.push(i);
        }
        let mut spans = HashMap::default();
        spans.reserve(order.len());
        let mut items = Vec::with_capacity(lists.values().map(Vec::len).sum());
        for k in order {
            let l = &lists[&k];
            spans.insert(k, (items.len() as u32, l.len() as u32));
            items.extend_from_slice(l);
        }
        Multi { spans, items }
    }

    fn get(&self, k: &K) -> Option<&[usize]> {
        let &(at, n) = self.spans.get(k)?;
        Some(&self.items[at as usize..(at + n) as usize])
    }
}

/// A list of fact indexes per scope, stored end to end (empty: none).
pub(super) struct PerScope {
    starts: Vec<u32>,
    items: Vec<usize>,
}

impl PerScope {
    /// `pairs` in the order items are listed within a scope.
    fn build(n: usize, pairs: impl Iterator<Item = (ScopeId, usize)> + Clone) -> Self {
        let mut starts = vec![0u32; n + 1];
        for (s, _) in pairs.clone() {
            starts[s + 1] += 1;
        }
        for s in 0..n {
            starts[s + 1] += starts[s];
        }
        let mut fill: Vec<u32> = starts[..n].to_vec();
        let mut items = vec![0; starts[n] as usize];
        for (s, i) in pairs {
            items[fill[s] as usize] = i;
            fill[s] += 1;
        }
        PerScope { starts, items }
    }

    pub(super) fn get(&self, s: ScopeId) -> &[usize] {
        match (self.starts.get(s), self.starts.get(s + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// (scope or class, name) → fact indexes.
type ScopedNames = Multi<(u32, u32)>;

/// Per-file lookup tables, built once, so that resolution never scans a
/// file's facts linearly. Keys that are names are numbers of [`Names`].
pub(super) struct FileIndex {
    /// (scope, target key) → assignments. Keys: `name`, `this.name`, dotted paths.
    by_target: ScopedNames,
    /// (class, member) → assignments to `self.member` in its methods, and class attributes.
    fields: ScopedNames,
    /// (class, name) → method scope.
    methods: HashMap<(u32, u32), u32>,
    /// Root key (`name`, `this.name`) → assignments to a member or item of it.
    rooted_assigns: Multi<u32>,
    /// Root key → statement calls that configure it (`s.headers.update(...)`).
    config_calls: Multi<u32>,
    /// Name → statement calls that fill that dict from a record the program
    /// reads (`CONFIG.update(json.load(f))`, `Object.assign(cfg, require(p))`).
    record_updates: Multi<u32>,
    pub(super) class_of: Vec<Option<ScopeId>>,
    pub(super) func_of: Vec<ScopeId>,
    /// Scope → its returns / its chain-head calls.
    pub(super) returns_of: PerScope,
    pub(super) calls_of: PerScope,
    /// Named function → the anonymous functions (blocks, callbacks) defined
    /// inline in it, at any depth.
    pub(super) inline_fns: PerScope,
    /// Functions whose returns or local assignments mention a parameter: only
    /// these need evaluating per call site.
    pub(super) param_dependent: Vec<bool>,
    /// Function → its assignments to a field (`this.host = host`) from an
    /// expression, or under a condition, that reads one of its parameters:
    /// what a constructor keeps of its arguments.
    pub(super) param_fields: PerScope,
}

impl FileIndex {
    /// The assignments in `scope` to the target with this key.
    pub(super) fn targets(&self, names: &Names, scope: ScopeId, key: &str) -> Option<&[usize]> {
        self.by_target.get(&(scope as u32, names.get(key)?))
    }

    /// The assignments to member `m` of `class` (fields and class attributes).
    pub(super) fn fields(&self, names: &Names, class: ScopeId, m: &str) -> Option<&[usize]> {
        self.fields.get(&(class as u32, names.get(m)?))
    }

    /// The method `m` of `class`.
    pub(super) fn method(&self, names: &Names, class: ScopeId, m: &str) -> Option<ScopeId> {
        self.methods.get(&(class as u32, names.get(m)?)).map(|&s| s as ScopeId)
    }

    /// Assignments to a member or item of the object with this root key.
    pub(super) fn rooted_assigns(&self, names: &Names, key: &str) -> Option<&[usize]> {
        self.rooted_assigns.get(&names.get(key)?)
    }

    /// Statement calls that configure the object with this root key.
    pub(super) fn config_calls(&self, names: &Names, key: &str) -> Option<&[usize]> {
        self.config_calls.get(&names.get(key)?)
    }

    /// Statement calls that fill the dict `name` from another value, with
    /// that value ([`update_source`]).
    pub(super) fn record_updates(&self, names: &Names, name: &str) -> Option<&[usize]> {
        self.record_updates.get(&names.get(name)?)
    }
}

/// Does `e` mention one of `names`?
pub(super) fn mentions(e: &Expr, names: &[String]) -> bool {
    reads(
        e,
        &|k| matches!(k, ExprKind::Name(n) if names.iter().any(|x| **x == **n)),
    )
}

/// Whether `e` reads the receiver (`self.target`, `&self.http`).
pub(super) fn reads_this(e: &Expr) -> bool {
    reads(e, &|k| matches!(k, ExprKind::This))
}

/// Whether a leaf of `e` that `leaf` accepts is read, through members,
/// indexing, calls, strings and choices.
fn reads(e: &Expr, leaf: &dyn Fn(&ExprKind) -> bool) -> bool {
    let r = |x: &Expr| reads(x, leaf);
    match &e.kind {
        k if leaf(k) => true,
        ExprKind::Concat(parts) | ExprKind::List(parts) | ExprKind::Test(parts) => parts.iter().any(r),
        ExprKind::Member(o, _) | ExprKind::Elem(o, _) => r(o),
        ExprKind::Index(o, k) => r(o) || r(k),
        ExprKind::Call(c) => r(&c.callee) || c.args.iter().any(|a| r(&a.value)),
        ExprKind::Format { template, args, .. } => r(template) || args.iter().any(|a| r(&a.value)),
        ExprKind::Dict(pairs) => pairs.iter().any(|(k, v)| r(k) || r(v)),
        ExprKind::Alt { cond, alts } => cond.as_deref().is_some_and(r) || alts.iter().any(r),
        _ => false,
    }
}

impl FileIndex {
    /// One file's tables, a table at a time (names are interned in the same
    /// order on every run: assignments, methods, configuring calls).
    pub(super) fn build(facts: &FileFacts, names: &mut Names) -> Self {
        let n = facts.scopes.len();
        let (class_of, func_of) = enclosing(facts);
        let (by_target, fields, rooted_assigns) = assignment_tables(facts, &class_of, names);
        let methods = class_methods(facts, names);
        let config_calls = configuring_calls(facts, names);
        let record_updates = Multi::build(
            facts
                .calls
                .iter()
                .enumerate()
                .filter(|(_, cs)| cs.statement)
                .filter_map(|(i, cs)| {
                    let ExprKind::Call(call) = &cs.expr.kind else {
                        return None;
                    };
                    let (target, _) = update_source(call)?;
                    Some((names.intern(target), i))
                })
                .collect(),
        );
        FileIndex {
            inline_fns: PerScope::build(n, inline_fns(facts).into_iter()),
            by_target,
            fields,
            methods,
            rooted_assigns,
            config_calls,
            record_updates,
            param_dependent: param_dependent(facts, &func_of),
            param_fields: PerScope::build(n, param_fields(facts, &func_of).into_iter()),
            class_of,
            func_of,
            returns_of: PerScope::build(n, facts.returns.iter().enumerate().map(|(i, r)| (r.scope, i))),
            calls_of: PerScope::build(n, facts.calls.iter().enumerate().map(|(i, c)| (c.scope, i))),
        }
    }
}

/// Each scope's enclosing class and enclosing function (0: the module).
fn enclosing(facts: &FileFacts) -> (Vec<Option<ScopeId>>, Vec<ScopeId>) {
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
    (class_of, func_of)
}

/// The assignments by (scope, target key), by (class, field) and by the
/// root key of the object whose member or item they set.
fn assignment_tables(
    facts: &FileFacts,
    class_of: &[Option<ScopeId>],
    names: &mut Names,
) -> (ScopedNames, ScopedNames, Multi<u32>) {
    let mut by_target = Vec::new();
    let mut fields = Vec::new();
    let mut rooted_assigns = Vec::new();
    for (i, a) in facts.assigns.iter().enumerate() {
        if let Some(k) = target_key(&a.target) {
            by_target.push(((a.scope as u32, names.intern(&k)), i));
        }
        match &a.target.kind {
            ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => {
                if let Some(c) = class_of[a.scope] {
                    fields.push(((c as u32, names.intern(m)), i));
                }
            }
            ExprKind::Name(m) if facts.scopes[a.scope].kind == ScopeKind::Class => {
                fields.push(((a.scope as u32, names.intern(m)), i));
            }
            _ => {}
        }
        if let ExprKind::Member(o, _) | ExprKind::Index(o, _) = &a.target.kind {
            if let Some(k) = root_key(o) {
                rooted_assigns.push((names.intern(&k), i));
            }
        }
    }
    (
        Multi::build(by_target),
        Multi::build(fields),
        Multi::build(rooted_assigns),
    )
}

/// (class, name) → the first method of that name.
fn class_methods(facts: &FileFacts, names: &mut Names) -> HashMap<(u32, u32), u32> {
    let mut methods = HashMap::default();
    for (i, sc) in facts.scopes.iter().enumerate() {
        if let (ScopeKind::Function, Some(p)) = (sc.kind, sc.parent) {
            if facts.scopes[p].kind == ScopeKind::Class && !sc.name.is_empty() {
                methods.entry((p as u32, names.intern(&sc.name))).or_insert(i as u32);
            }
        }
    }
    methods.shrink_to_fit();
    methods
}

/// Statement calls that configure an object (`s.headers.update(...)`), by
/// the object's root key.
fn configuring_calls(facts: &FileFacts, names: &mut Names) -> Multi<u32> {
    let mut config_calls = Vec::new();
    for (i, cs) in facts.calls.iter().enumerate() {
        if !cs.statement {
            continue;
        }
        if let ExprKind::Call(call) = &cs.expr.kind {
            if let ExprKind::Member(o, _) = &call.callee.kind {
                if configures(&call.callee) || sets_header(call) {
                    if let Some(k) = root_key(o) {
                        config_calls.push((names.intern(&k), i));
                    }
                }
            }
        }
    }
    Multi::build(config_calls)
}

/// A statement call that fills a dict named by a plain name from one other
/// value: `name.update(x)` (Python), `Object.assign(name, x)` (JS),
/// `name.merge!(x)` (Ruby): the
/// name and the expression of `x`.
pub(super) fn update_source(call: &crate::facts::Call) -> Option<(&str, &Expr)> {
    fn plain(e: &Expr) -> Option<&str> {
        match &e.kind {
            ExprKind::Name(n) => Some(n.as_ref()),
            _ => None,
        }
    }
    match (&call.callee.kind, &*call.args) {
        (ExprKind::Member(o, m), [a]) if matches!(&**m, "update" | "merge!") && a.name.is_none() => {
            Some((plain(o)?, &a.value))
        }
        (_, [t, a]) if call.callee.dotted().as_deref() == Some("Object.assign") && a.name.is_none() => {
            Some((plain(&t.value)?, &a.value))
        }
        _ => None,
    }
}

/// Functions whose returns or local assignments mention a parameter.
fn param_dependent(facts: &FileFacts, func_of: &[ScopeId]) -> Vec<bool> {
    let mut param_dependent = vec![false; facts.scopes.len()];
    for r in &facts.returns {
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
    param_dependent
}

/// (function, assignment to a field of `this` from one of its parameters,
/// or under a condition on one).
fn param_fields(facts: &FileFacts, func_of: &[ScopeId]) -> Vec<(ScopeId, usize)> {
    let mut out = Vec::new();
    for (i, a) in facts.assigns.iter().enumerate() {
        let f = func_of[a.scope];
        let to_field = matches!(&a.target.kind, ExprKind::Member(o, _) if matches!(o.kind, ExprKind::This));
        let params = &facts.scopes[f].params;
        let by_param = mentions(&a.value, params) || a.guard.as_ref().is_some_and(|g| mentions(g, params));
        if f != 0 && to_field && by_param {
            out.push((f, i));
        }
    }
    out
}

/// (named function, anonymous function defined inline in it at any depth).
fn inline_fns(facts: &FileFacts) -> Vec<(ScopeId, ScopeId)> {
    let anonymous = |i: usize| facts.scopes[i].kind == ScopeKind::Function && facts.scopes[i].name.is_empty();
    let mut inline = Vec::new();
    for i in 0..facts.scopes.len() {
        if !anonymous(i) {
            continue;
        }
        let mut p = facts.scopes[i].parent;
        while let Some(q) = p.filter(|&q| anonymous(q)) {
            p = facts.scopes[q].parent;
        }
        if let Some(f) = p.filter(|&f| facts.scopes[f].kind == ScopeKind::Function) {
            inline.push((f, i));
        }
    }
    inline
}

/// The lookup key of an assignment target.
pub(super) fn target_key(t: &Expr) -> Option<String> {
    match &t.kind {
        ExprKind::Name(n) => Some(n.clone().into()),
        ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => Some(format!("this.{m}")),
        ExprKind::Member(..) => t.dotted(),
        _ => None,
    }
}

/// The object a member/item chain hangs off: `s.headers` → `s`,
/// `self.session.headers` → `this.session`.
pub(super) fn root_key(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone().into()),
        ExprKind::Member(o, m) if matches!(o.kind, ExprKind::This) => Some(format!("this.{m}")),
        ExprKind::Member(o, _) | ExprKind::Index(o, _) => root_key(o),
        _ => None,
    }
}
