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
    /// Evaluation depths checked against `MAX_EVAL_DEPTH`.
    depth: Bounds,
    /// Summary chain lengths checked against `MAX_SUMMARY_DEPTH`.
    chain: Bounds,
    /// Assignments, summaries and objects looked up in the cycle guards
    /// (an assignment as two 32-bit numbers, [`AssignRef`]: the largest of
    /// these lists).
    assigns: Vec<AssignRef>,
    summaries: Vec<ScopeRef>,
    objects: Vec<(FileId, String)>,
}

/// An assignment (its file, its index among the file's assignments) as
/// the cycle guard of assignments holds it.
pub(super) type AssignRef = (u32, u32);

/// The checks of one limit a computation made: the largest value that was
/// not cut and the smallest that was.
#[derive(Default, Clone, Copy)]
struct Bounds {
    ok: Option<usize>,
    cut: Option<usize>,
}

impl Bounds {
    fn note(&mut self, n: usize, cut: bool) {
        if cut {
            self.cut = Some(self.cut.map_or(n, |c| c.min(n)));
        } else {
            self.ok = self.ok.max(Some(n));
        }
    }

    /// Adds `other`, whose values are relative to `base`.
    fn absorb(&mut self, other: Bounds, base: usize) {
        if let Some(n) = other.ok {
            self.note(n + base, false);
        }
        if let Some(n) = other.cut {
            self.note(n + base, true);
        }
    }

    /// These values relative to `base`.
    fn relative_to(self, base: usize) -> Bounds {
        Bounds {
            ok: self.ok.map(|n| n - base),
            cut: self.cut.map(|n| n - base),
        }
    }

    /// Would every check come out the same started at `base` (`cuts`: is a
    /// value cut)?
    fn same_at(self, base: usize, cuts: impl Fn(usize) -> bool) -> bool {
        self.ok.is_none_or(|n| !cuts(base + n)) && self.cut.is_none_or(|n| cuts(base + n))
    }
}

impl Consulted {
    /// Adds `other`, whose depths are relative to `depth` and chain lengths
    /// to `chain`.
    fn absorb(&mut self, other: &Consulted, depth: usize, chain: usize) {
        self.depth.absorb(other.depth, depth);
        self.chain.absorb(other.chain, chain);
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
    assign_hits: Vec<AssignRef>,
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
    /// Boxed: an entry is ~240 bytes, and a table has empty slots.
    entries: HashMap<MemoKey, Box<Entry>>,
    /// Argument values → their number (from 1).
    args: HashMap<Args, u32>,
    /// What argument values mean → the number of the run (from 1).
    runs: HashMap<String, u32>,
}

/// What a value means, whatever place it is read at, written to `out`
/// (with the key that chose it): an env var, a literal, a symbol; anything
/// else is named by its place.
fn meaning(v: &Val, out: &mut String, depth: usize) {
    use std::fmt::Write;
    match &v.kind {
        VKind::Env(n) => {
            let _ = write!(out, "env:{n}");
        }
        VKind::Sym(s, _) => {
            let _ = write!(out, "sym:{s}");
        }
        VKind::Bool(b) => {
            let _ = write!(out, "bool:{b}");
        }
        VKind::Str(pieces) if depth < 4 => {
            out.push_str("str:");
            for p in pieces {
                match p {
                    super::Piece::Lit(t, _) => out.push_str(t),
                    super::Piece::Hole(h) => {
                        out.push('{');
                        meaning(h, out, depth + 1);
                        out.push('}');
                    }
                }
            }
        }
        _ => {
            let _ = write!(out, "{:?}@{:?}", std::mem::discriminant(&v.kind), v.at);
        }
    }
    if let Some(sel) = v.sel() {
        let _ = write!(out, "/{sel}");
    }
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
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.depth.note(depth, cut);
        }
    }

    /// Records a summary-chain length check.
    pub(super) fn memo_chain(&self, len: usize, cut: bool) {
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.chain.note(len, cut);
        }
    }

    /// Records a look-up in the recursion guard of summaries.
    pub(super) fn memo_summary(&self, func: ScopeRef) {
        if let Some(f) = self.memo.borrow_mut().frames.last_mut() {
            f.seen.summaries.push(func);
        }
    }

    /// Records a look-up in the cycle guard of assignments.
    pub(super) fn memo_assign(&self, a: AssignRef) {
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
        if !s.depth.same_at(depth, |d| d > MAX_EVAL_DEPTH) || !s.chain.same_at(chain, |c| c >= MAX_SUMMARY_DEPTH) {
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
        if s.depth.cut.is_some() || s.chain.cut.is_some() {
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
        let mut seen = f.seen;
        seen.depth = seen.depth.relative_to(f.depth);
        seen.chain = seen.chain.relative_to(f.chain);
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
        m.entries.insert(key, Box::new(entry));
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

    /// The run of a function given these argument values (0 for none):
    /// values that mean the same wherever they are written (one env var
    /// read twice, one literal, one symbol) are one run, which takes one
    /// return; a value of no known meaning is its own.
    pub(super) fn run_id(&self, p: &Params) -> u32 {
        if p.vars.is_empty() {
            return 0;
        }
        let mut args: Vec<(&String, &Vec<Val>)> = p.vars.iter().collect();
        args.sort_by(|a, b| a.0.cmp(b.0));
        let mut key = String::new();
        for (name, vs) in args {
            key.push_str(name);
            key.push('=');
            for v in vs {
                meaning(v, &mut key, 0);
                key.push('|');
            }
            key.push(';');
        }
        let mut m = self.memo.borrow_mut();
        let next = m.runs.len() as u32 + 1;
        *m.runs.entry(key).or_insert(next)
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
            facts: crate::frontend::lower(Lang::Python, path, text).into(),
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
