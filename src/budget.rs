//! The per-file time budget: a file whose analysis takes longer than the
//! budget is abandoned with a note instead of holding up the scan.
//!
//! The deadline is per thread (each worker lowers one file at a time).
//! Front-ends need not know about it: [`crate::frontend::Nesting::too_deep`]
//! and the tree-sitter parse ask [`expired`], so once the budget is spent
//! every remaining node is cut short and the lowering returns at once. The
//! linker asks it too, per file, between and inside call sites.

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static EXPIRED: Cell<bool> = const { Cell::new(false) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// The clock is read once per this many checks.
const CHECK_EVERY: u32 = 64;

/// Restores the enclosing budget, also when the work panics.
struct Restore {
    deadline: Option<Instant>,
    expired: bool,
}

impl Drop for Restore {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.deadline));
        EXPIRED.with(|e| e.set(self.expired));
    }
}

/// Runs `work` with `limit` from now (None: no limit). Returns its result and
/// whether the work was cut short: [`expired`] said so while it ran (work
/// that finished late without asking is complete and kept).
pub fn run<T>(limit: Option<Duration>, work: impl FnOnce() -> T) -> (T, bool) {
    let _restore = Restore {
        deadline: DEADLINE.with(Cell::get),
        expired: EXPIRED.with(Cell::get),
    };
    DEADLINE.with(|d| d.set(limit.map(|l| Instant::now() + l)));
    EXPIRED.with(|e| e.set(false));
    // The first check reads the clock.
    TICKS.with(|t| t.set(CHECK_EVERY - 1));
    let out = work();
    (out, EXPIRED.with(Cell::get))
}

/// True once the current budget is spent. Cheap enough to call per node.
pub fn expired() -> bool {
    if EXPIRED.with(Cell::get) {
        return true;
    }
    let Some(deadline) = DEADLINE.with(Cell::get) else {
        return false;
    };
    let tick = TICKS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n
    });
    if tick % CHECK_EVERY != 0 {
        return false;
    }
    let over = Instant::now() >= deadline;
    if over {
        EXPIRED.with(|e| e.set(true));
    }
    over
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_expires() {
        let (n, late) = run(None, || (0..10_000).filter(|_| expired()).count());
        assert_eq!((n, late), (0, false));
    }

    #[test]
    fn a_spent_budget_is_seen_and_reported() {
        let ((), late) = run(Some(Duration::ZERO), || {
            assert!(expired(), "the first check reads the clock");
            assert!(expired(), "stays expired");
        });
        assert!(late);
        let ((), late) = run(Some(Duration::ZERO), || {});
        assert!(!late, "work that never asked was not cut");
    }

    #[test]
    fn nested_runs_restore_the_outer_budget() {
        let ((), outer) = run(None, || {
            let ((), inner) = run(Some(Duration::ZERO), || while !expired() {});
            assert!(inner);
            assert!(!expired(), "the outer run has no limit");
        });
        assert!(!outer);
    }
}
