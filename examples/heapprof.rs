//! A scan under the system allocator, for heap profiles: heaptrack sees
//! malloc, not mimalloc (the `orgtoken` binary's allocator). Options close
//! to `orgtoken scan -j 2 --isolated` (no time budget, `.corpus.json` left
//! out); prints only counts. See `bench/README.md`:
//!
//!     cargo build --example heapprof
//!     heaptrack target/debug/examples/heapprof TREE
fn main() {
    let roots: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let opts = orgtoken::scan::ScanOptions {
        roots: orgtoken::scan::roots_or_default(roots),
        max_file_size: 5 << 20,
        threads: 2,
        file_timeout: None,
        isolated: true,
        own_files: vec![".corpus.json".into()],
        ..Default::default()
    };
    match orgtoken::scan::scan(&opts) {
        Ok(r) => eprintln!("{} findings, {} notes", r.findings.len(), r.notes.len()),
        Err(e) => eprintln!("error: {e}"),
    }
}
