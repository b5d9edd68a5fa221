//! Memoised function summaries: what a repository function returns for one
//! set of argument values, computed once and reused wherever the same
//! arguments reach it again (the Zoho Python SDK's request helpers are
//! summarised once per argument shape instead of once per use of every
//! local that holds their result).
//!
//! Reuse never changes a value. An evaluation depends on more than its
//! arguments: the evaluation depth (values nested past `MAX_EVAL_DEPTH`
//! are cut), the chain of summaries in progress (recursion guard,
//! `MAX_SUMMARY_DEPTH`), the assignments and objects being evaluated (the
//! cycle guards), and the step budget. A computation records, in a
//! [`Frame`], every one of those it consulted; an entry is reused only
//! where each consultation would come out the same (the same depth cuts,
//! the same guard hits and misses), and reuse charges the steps the
//! computation took, so budgets run out exactly where they did before.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::{Hash, Hasher};

use super::{Linker, Params, ScopeRef, VKind, Val, MAX_EVAL_DEPTH, MAX_SUMMARY_DEPTH};
use crate::facts::FileId;

/// What a computation consulted, in absolute terms while it runs and
/// relative to its start once stored.
#[derive(Default, Clone)]
struct Consulted {
    /// Deepest evaluation depth that was not cut, and the shallowest that was.
    depth_ok: Option<usize>,
    depth_cut: Option<usize>,
    /// Longest summary chain that was not cut, and the shortest that was.
    chain_ok: Option<usize>,
    chain_cut: Option<usize>,
    /// Assignments, summaries and objects looked up in the cycle guards.
    assigns: Vec<(FileId, usize)>,
    summaries: Vec<ScopeRef>,
    objects: Vec<(FileId, String)>,
}

fn max_opt(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    a.max(b)
}

fn min_opt(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Consulted {
    /// Adds `other`, whose depths are relative to `depth` and chain lengths
    /// to `chain`.
    fn absorb(&mut self, other: &Consulted, depth: usize, chain: usize) {
        self.depth_ok = max_opt(self.depth_ok, other.depth_ok.map(|d| d + depth));
        self.depth_cut = min_opt(self.depth_cut, other.depth_cut.map(|d| d + depth));
        self.chain_ok = max_opt(self.chain_ok, other.chain_ok.map(|d| d + chain));
        self.chain_cut = min_opt(self.chain_cut, other.chain_cut.map(|d| d + chain));
        self.assigns.extend_from_slice(&other.assigns);
        self.summaries.extend_from_slice(&other.summaries);
        self.objects.extend(other.objects.iter().cloned());
    }
}

/// One computation being recorded.
struct Frame {
    depth: usize,
    chain: usize,
    fuel: u32,
    seen: Consulted,
}

/// A stored summary and what it consulted (relative to its start).
struct Entry {
    vals: Vec<Val>,
    seen: Consulted,
    /// The guard entries that were in the guards when it was computed, among
    /// those it consulted.
    assign_hits: Vec<(FileId, usize)>,
    summary_hits: Vec<ScopeRef>,
    object_hits: Vec<(FileId, String)>,
    /// Evaluation steps it took.
    cost: u32,
}

/// What a stored computation is: a function's returns, or the values of a
/// set of assignments, under the argument values numbered by
/// [`Linker::params_id`].
#[derive(PartialEq, Eq, Hash)]
pub(super) enum MemoKey {
    Summary(ScopeRef, u32),
    Assigned(FileId, Vec<usize>, u32),
}

/// Argument values, sorted by name.
#[derive(PartialEq)]
struct Args(Vec<(String, Vec<Val>)>);

impl Eq for Args {}

/// A shallow hash (equality decides): the names, and each value's kind and
/// place.
impl Hash for Args {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for (k, vs) in &self.0 {
            k.hash(h);
            vs.len().hash(h);
            for v in vs {
                std::mem::discriminant(&v.kind).hash(h);
                v.at.hash(h);
                if let VKind::Sym(s, _) = &v.kind {
                    s.hash(h);
                }
            }
        }
    }
}

#[derive(Default)]
pub(super) struct Memo {
    frames: Vec<Frame>,
    entries: HashMap<MemoKey, Entry>,
    /// Argument values → their number (from 1).
    args: HashMap<Args, u32>,
}

/// The members of `guard` that `consulted` names.
fn hits<T: Eq + Hash + Clone>(guard: &[T], consulted: &[T]) -> Vec<T> {
    if guard.is_empty() || consulted.is_empty() {
        return Vec::new();
    }
    let set: HashSet<&T> = consulted.iter().collect();
    guard.iter().filter(|g| set.contains(g)).cloned().collect()
}

/// Would the guard answer every consultation as it did: are the consulted
/// members of `guard` exactly `was`?
fn same_hits<T: Eq + Hash>(guard: &[T], consulted: &[T], was: &[T]) -> bool {
    if guard.is_empty() {
        return was.is_empty();
    }
    if consulted.is_empty() {
        return true;
    }
    let set: HashSet<&T> = consulted.iter().collect();
    let now: Vec<&T> = guard.iter().filter(|g| set.contains(g)).collect();
    now.len() == was.len() && now.iter().zip(was).all(|(a, b)| *a == b)
}

fn dedup<T: Ord>(v: &mut Vec<T>) {
    v.sort_unstable();
    v.dedup();
}

impl Linker<'_> {
    /// Records an evaluation-depth check (`cut`: the value was cut there).
    pub(super) fn memo_depth(&self, depth: usize, cut: bool) {
        let mut m = self.memo.borrow_mut();
        if let Some(f) = m.frames.last_mut() {
            if cut {
                f.seen.depth_cut = min_opt(f.seen.depth_cut, Some(depth));
            } else {
                f.seen.depth_ok = max_opt(f.seen.depth_ok, Some(depth));
            }
        }
    }

    /// Records a summary-chain length check.
    pub(super) fn memo_chain(&self, len: usize, cut: bool) {
        let mut m = self.memo.borrow_mut();
        if let Some(f) = m.frames.last_mut() {
            if cut {
                f.seen.chain_cut = min_opt(f.seen.chain_cut, Some(len));
            } else {
                f.seen.chain_ok = max_opt(f.seen.chain_ok, Some(len));
            }
        }
    }

    /// Records a look-up in the recursion guard of summaries.
    pub(super) fn memo_summary(&self, func: ScopeRef) {
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.summaries.push(func);
        }
    }

    /// Records a look-up in the cycle guard of assignments.
    pub(super) fn memo_assign(&self, a: (FileId, usize)) {
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.assigns.push(a);
        }
    }

    /// Enters the cycle guard of objects being configured: false (and
    /// nothing entered) when `key` is already being configured.
    pub(super) fn enter_object(&self, key: (FileId, String)) -> bool {
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.objects.push(key.clone());
        }
        let mut c = self.configuring.borrow_mut();
        if c.contains(&key) {
            return false;
        }
        c.push(key);
        true
    }

    pub(super) fn leave_object(&self) {
        self.configuring.borrow_mut().pop();
    }

    /// A stored summary that evaluating again here would give unchanged,
    /// with its effects on the budgets and on the computations recording
    /// around it.
    pub(super) fn memo_get(&self, key: &MemoKey) -> Option<Vec<Val>> {
        #[cfg(test)]
        if tests::OFF.with(std::cell::Cell::get) {
            return None;
        }
        let depth = self.depth.get();
        let chain = self.in_progress.borrow().len();
        let mut m = self.memo.borrow_mut();
        let e = m.entries.get(key)?;
        let s = &e.seen;
        if s.depth_ok.is_some_and(|d| depth + d > MAX_EVAL_DEPTH)
            || s.depth_cut.is_some_and(|d| depth + d <= MAX_EVAL_DEPTH)
            || s.chain_ok.is_some_and(|d| chain + d >= MAX_SUMMARY_DEPTH)
            || s.chain_cut.is_some_and(|d| chain + d < MAX_SUMMARY_DEPTH)
        {
            return None;
        }
        if !same_hits(&self.stack.borrow(), &s.assigns, &e.assign_hits)
            || !same_hits(&self.in_progress.borrow(), &s.summaries, &e.summary_hits)
            || !same_hits(&self.configuring.borrow(), &s.objects, &e.object_hits)
        {
            return None;
        }
        let fuel = self.fuel.get();
        if e.cost > fuel || !crate::budget::charge(u64::from(e.cost)) {
            return None;
        }
        self.fuel.set(fuel - e.cost);
        if s.depth_cut.is_some() {
            self.too_deep.set(true);
        }
        #[cfg(test)]
        tests::REUSED.with(|r| r.set(r.get() + 1));
        let vals = e.vals.clone();
        let seen = e.seen.clone();
        if let Some(f) = m.frames.last_mut() {
            f.seen.absorb(&seen, depth, chain);
        }
        Some(vals)
    }

    /// Starts recording a computation.
    pub(super) fn memo_begin(&self) {
        let frame = Frame {
            depth: self.depth.get(),
            chain: self.in_progress.borrow().len(),
            fuel: self.fuel.get(),
            seen: Consulted::default(),
        };
        self.memo.borrow_mut().frames.push(frame);
    }

    /// Ends the computation `memo_begin` started; stores its value under
    /// `key` unless the step budget ran out during it.
    pub(super) fn memo_end(&self, key: Option<MemoKey>, vals: &[Val]) {
        let mut m = self.memo.borrow_mut();
        let Some(mut f) = m.frames.pop() else {
            return;
        };
        dedup(&mut f.seen.assigns);
        dedup(&mut f.seen.summaries);
        dedup(&mut f.seen.objects);
        if let Some(parent) = m.frames.last_mut() {
            parent.seen.absorb(&f.seen, 0, 0);
        }
        let Some(key) = key else {
            return;
        };
        if self.starved.get() {
            return;
        }
        let rel = |d: Option<usize>, base: usize| d.map(|d| d - base);
        let seen = Consulted {
            depth_ok: rel(f.seen.depth_ok, f.depth),
            depth_cut: rel(f.seen.depth_cut, f.depth),
            chain_ok: rel(f.seen.chain_ok, f.chain),
            chain_cut: rel(f.seen.chain_cut, f.chain),
            assigns: f.seen.assigns,
            summaries: f.seen.summaries,
            objects: f.seen.objects,
        };
        let mut seen = seen;
        seen.assigns.shrink_to_fit();
        seen.summaries.shrink_to_fit();
        seen.objects.shrink_to_fit();
        let entry = Entry {
            assign_hits: hits(&self.stack.borrow(), &seen.assigns),
            summary_hits: hits(&self.in_progress.borrow(), &seen.summaries),
            object_hits: hits(&self.configuring.borrow(), &seen.objects),
            vals: vals.to_vec(),
            seen,
            cost: f.fuel - self.fuel.get(),
        };
        m.entries.insert(key, entry);
    }

    /// The number of these argument values: equal values, equal numbers.
    pub(super) fn params_id(&self, p: &Params) -> u32 {
        if p.id.get() == 0 {
            let mut args: Vec<(String, Vec<Val>)> = p.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            args.sort_by(|a, b| a.0.cmp(&b.0));
            let mut m = self.memo.borrow_mut();
            let next = m.args.len() as u32 + 1;
            p.id.set(*m.args.entry(Args(args)).or_insert(next));
        }
        p.id.get()
    }

    /// Drops the computations being recorded (after a panic).
    pub(super) fn memo_reset(&self) {
        self.memo.borrow_mut().frames.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Linker, SourceFile};
    use crate::facts::Lang;
    use std::cell::Cell;

    thread_local! {
        /// Memoisation switched off (to compare against).
        pub(super) static OFF: Cell<bool> = const { Cell::new(false) };
        /// Stored values reused.
        pub(super) static REUSED: Cell<u64> = const { Cell::new(0) };
    }

    fn python(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            lang: Some(Lang::Python),
            facts: crate::frontend::lower(Lang::Python, path, text),
        }
    }

    /// Helpers whose summaries are made at a shallow depth and outside any
    /// cycle, then asked for again at every depth up to past the limit
    /// (where computing them again cuts them) and inside a cycle of
    /// assignments (where the cycle guard skips one of the assignments they
    /// read).
    fn repository() -> Vec<SourceFile> {
        let auth = "headers={'Authorization': 'Zoho-oauthtoken ' + T}";
        let mut text = format!(
            "import os, requests\n\
             T = os.environ['ZOHO_TOKEN']\n\
             DC = 'com'\n\
             P = '/crm/v8/Leads'\n\
             HOST = 'https://www.zohoapis.'\n\
             def host(dc):\n    return HOST + dc\n\
             def url(dc, path):\n    base = host(dc)\n    if path:\n        base = base + path\n    return base\n\
             def sandbox(x):\n    return x or 'https://sandbox.zohoapis.'\n\
             requests.get(url(DC, P), {auth})\n\
             requests.get(host(DC), {auth})\n\
             HOST = sandbox(host(DC))\n\
             requests.get(HOST, {auth})\n"
        );
        for n in 1..=26 {
            text.push_str(&format!("a{n}_0 = url(DC, P)\n"));
            for i in 1..n {
                text.push_str(&format!("a{n}_{i} = a{n}_{}\n", i - 1));
            }
            text.push_str(&format!("requests.get(a{n}_{}, {auth})\n", n - 1));
        }
        vec![python("helpers.py", &text)]
    }

    #[test]
    fn reused_summaries_give_what_computing_them_again_gives() {
        let files = repository();
        let off = {
            OFF.with(|o| o.set(true));
            let r = Linker::new(&files).bindings();
            OFF.with(|o| o.set(false));
            r
        };
        REUSED.with(|r| r.set(0));
        let on = Linker::new(&files).bindings();
        assert!(REUSED.with(Cell::get) > 0, "the helpers' summaries are reused");
        assert!(!off.0.is_empty(), "the requests bind");
        assert_eq!(format!("{on:?}"), format!("{off:?}"));
    }
}
