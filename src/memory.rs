//! Peak memory between the scan's phases.
//!
//! The binary allocates with mimalloc (`main.rs`), which keeps freed pages
//! for reuse. The walk, the first pass and the second pass each free most of
//! what they allocated (the walker's state, file buffers, syntax trees)
//! before the next phase builds its own, so the pages are handed back at
//! each boundary, on every thread of the pool: otherwise the freed memory of
//! one phase stays resident under the next one's peak. A few calls per scan,
//! where purging on every free would cost a tenth of the scan's time.

/// Returns the freed pages of every thread of the current rayon pool, and of
/// the calling thread, to the OS. Without mimalloc as the global allocator
/// this has nothing to do.
pub fn release_freed() {
    // SAFETY: `mi_collect` only walks the calling thread's own heap.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Called first in `main`: no transparent huge pages for this process.
/// mimalloc asks for them for its arenas; with them, each partly used 2 MiB
/// region is resident in full, which on a large tree is a sixth of the peak
/// (about 192 → 160 MB on the large corpus) for no measurable speed. (The
/// allocator's own option for this is read before `main` runs.)
pub fn configure() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of
    // this process; on a kernel without it, it fails and nothing changes.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
