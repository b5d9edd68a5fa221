//! The per-file budgets: a file whose analysis takes more than its budget
//! is abandoned with a note instead of holding up the scan.
//!
//! Two budgets, checked at the same places. The **work budget** counts
//! those checks (nodes lowered, parser steps, evaluation steps): the same
//! file is cut at the same place on every machine and with any `-j`, so the
//! output never depends on the machine. The **time budget**
//! (`--file-timeout`) is the safety net behind it, for work that is slow
//! without being much (an expensive step): what it cuts depends on the
//! machine's speed and load, and its note says so.
//!
//! The deadline is per thread (each worker lowers one file at a time).
//! Front-ends need not know about it: [`crate::source::Nesting::too_deep`]
//! and the tree-sitter parse ask [`expired`], so once the budget is spent
//! every remaining node is cut short and the lowering returns at once. The
//! linker asks it too, per file, between and inside call sites.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static EXPIRED: Cell<Option<Spent>> = const { Cell::new(None) };
    static TICKS: Cell<u64> = const { Cell::new(0) };
}

/// Which budget a piece of work ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The work budget: deterministic.
    Work,
    /// The wall-clock safety net: depends on the machine.
    Time,
}

/// Checks one file's analysis (or its linking) may make: ten times what a
/// 2 MB Python file of 20,000 functions takes (about 400,000; 1.2 s in a
/// release build on a loaded 2-core machine), twice what a 10 MB one takes
/// (7 s). Files under the default `--max-file-size` never reach it; a
/// pathological one is cut here, the same way everywhere, long before the
/// time budget's safety net (`--file-timeout`, 30 s).
pub const DEFAULT_WORK: u64 = 4_000_000;

static WORK_LIMIT: AtomicU64 = AtomicU64::new(DEFAULT_WORK);

/// Sets the work budget of every later [`run`] (`0`: none). Process-wide:
/// set once by `main` before the scan.
pub fn set_work_limit(units: u64) {
    WORK_LIMIT.store(units, Ordering::Relaxed);
}

/// The clock is read once per this many checks.
const CHECK_EVERY: u64 = 64;

/// Restores the enclosing budget, also when the work panics.
struct Restore {
    deadline: Option<Instant>,
    expired: Option<Spent>,
    ticks: u64,
}

impl Drop for Restore {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.deadline));
        EXPIRED.with(|e| e.set(self.expired));
        TICKS.with(|t| t.set(self.ticks));
    }
}

/// Runs `work` with a fresh work budget and `limit` from now (None: no time
/// limit). Returns its result and which budget cut it short: [`expired`]
/// said so while it ran (work that finished late without asking is
/// complete and kept).
pub fn run<T>(limit: Option<Duration>, work: impl FnOnce() -> T) -> (T, Option<Spent>) {
    let _restore = Restore {
        deadline: DEADLINE.with(Cell::get),
        expired: EXPIRED.with(Cell::get),
        ticks: TICKS.with(Cell::get),
    };
    DEADLINE.with(|d| d.set(limit.map(|l| Instant::now() + l)));
    EXPIRED.with(|e| e.set(None));
    TICKS.with(|t| t.set(0));
    let out = work();
    (out, EXPIRED.with(Cell::get))
}

/// Spends `units` of work at once, as `units` calls of [`expired`] that all
/// answer false would: false (nothing spent) when the budget is spent
/// already or would run out within them. For work done once and reused.
pub fn charge(units: u64) -> bool {
    if EXPIRED.with(Cell::get).is_some() {
        return false;
    }
    let ticks = TICKS.with(Cell::get);
    let work = WORK_LIMIT.load(Ordering::Relaxed);
    if work > 0 && ticks + units > work {
        return false;
    }
    TICKS.with(|t| t.set(ticks + units));
    true
}

/// True once the current budget is spent. Cheap enough to call per node:
/// each call is one unit of work.
pub fn expired() -> bool {
    if EXPIRED.with(Cell::get).is_some() {
        return true;
    }
    let tick = TICKS.with(|t| {
        let n = t.get() + 1;
        t.set(n);
        n
    });
    let work = WORK_LIMIT.load(Ordering::Relaxed);
    if work > 0 && tick > work {
        EXPIRED.with(|e| e.set(Some(Spent::Work)));
        return true;
    }
    // The first check reads the clock.
    if tick % CHECK_EVERY != 1 {
        return false;
    }
    let Some(deadline) = DEADLINE.with(Cell::get) else {
        return false;
    };
    let over = Instant::now() >= deadline;
    if over {
        EXPIRED.with(|e| e.set(Some(Spent::Time)));
    }
    over
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_expires() {
        let (n, late) = run(None, || (0..10_000).filter(|_| expired()).count());
        assert_eq!((n, late), (0, None));
    }

    #[test]
    fn a_spent_budget_is_seen_and_reported() {
        let ((), late) = run(Some(Duration::ZERO), || {
            assert!(expired(), "the first check reads the clock");
            assert!(expired(), "stays expired");
        });
        assert_eq!(late, Some(Spent::Time));
        let ((), late) = run(Some(Duration::ZERO), || {});
        assert_eq!(late, None, "work that never asked was not cut");
    }

    #[test]
    fn nested_runs_restore_the_outer_budget() {
        let ((), outer) = run(None, || {
            let ((), inner) = run(Some(Duration::ZERO), || while !expired() {});
            assert_eq!(inner, Some(Spent::Time));
            assert!(!expired(), "the outer run has no limit");
        });
        assert_eq!(outer, None);
    }
}
