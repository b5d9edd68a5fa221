//! Discovery and prefilter (DESIGN §3 steps 1–2).
//!
//! Walks the roots with the `ignore` crate's parallel walker (.gitignore,
//! .ignore, excludes, vendored paths), reads each file once, skips binaries
//! and files over the size limit (counted, never silent), and runs one
//! multi-literal search for the catalog's triggers. It does not parse.
//!
//! What is walked is what the repository holds: inside a git work tree,
//! every file git tracks (read from the index) even when a `.gitignore`
//! matches it, and the untracked files the ignore rules let through;
//! outside one, `.gitignore` files mean nothing (as for git and ripgrep).
//! A root below a work tree's root is linked against the whole work tree
//! and reports what touches it (see [`Focus`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::catalog::catalog;

/// The project file's name (`crate::project` reads it; the walk names the
/// ones it meets that are not in effect).
pub const PROJECT_FILE: &str = ".orgtoken.toml";

/// Directories that hold other people's code (vendored dependencies).
const VENDORED_DIRS: &[&str] = &[
    "**/node_modules/**",
    "**/site-packages/**",
    "**/vendor/**",
    "**/bower_components/**",
    "**/.venv/**",
    "**/venv/**",
    "**/__pycache__/**",
    "**/.tox/**",
];

#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub no_ignore: bool,
    pub include_vendored: bool,
    pub max_file_size: u64,
    pub threads: usize,
    /// Time one file's analysis may take before it is abandoned with a note.
    pub file_timeout: Option<std::time::Duration>,
    /// Globs of orgtoken's own files (project file, baselines): never
    /// scanned, and not counted as excluded.
    pub own_files: Vec<String>,
    /// The project file in effect (absolute), if any: other `.orgtoken.toml`
    /// files met in the tree are named in notes as not applied.
    pub project_file: Option<PathBuf>,
    /// `--isolated`: every project file is ignored by request, without notes.
    pub isolated: bool,
}

/// A file found by the walk.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// Path as shown to the user: relative to the `PathBase`, `/`-separated.
    pub display: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Skipped {
    pub binary: usize,
    pub too_large: usize,
    pub excluded_vendored: usize,
}

impl std::ops::AddAssign for Skipped {
    fn add_assign(&mut self, other: Skipped) {
        self.binary += other.binary;
        self.too_large += other.too_large;
        self.excluded_vendored += other.excluded_vendored;
    }
}

pub struct Walk {
    pub files: Vec<Candidate>,
    /// Problems met while walking (unreadable directories, FIFOs and other
    /// special files, an unreadable git index), and project files that are
    /// not applied.
    pub errors: Vec<(String, String)>,
    pub skipped_vendored: usize,
    /// Files and directories an exclude pattern (`--exclude`, `exclude` in
    /// the project file) dropped, and those patterns.
    pub excluded: usize,
    pub excluded_by: BTreeSet<String>,
    /// orgtoken's own files met (see `WalkOptions::own_files`).
    pub own_skipped: usize,
    /// Entries that cost a note (special files, walker errors).
    pub problems: usize,
    /// What every display path is relative to.
    pub base: PathBase,
    /// Set when the roots lie below the root of their git work tree.
    pub focus: Option<Focus>,
}

/// A scan of a file or folder inside a git work tree, below its root:
/// the whole work tree is walked and linked (the file's imports, the config
/// it reads), and the results are those that touch the named roots.
#[derive(Debug, Clone)]
pub struct Focus {
    /// The roots as display paths (relative to the path base).
    pub roots: Vec<String>,
    /// The work trees linked, as display paths (`.` for the path base).
    pub work_trees: Vec<String>,
}

impl Focus {
    /// Whether a display path lies in (or is) one of the named roots.
    pub fn holds(&self, shown: &str) -> bool {
        self.roots.iter().any(|r| {
            r == "."
                || shown == r
                || (shown.len() > r.len() && shown.starts_with(r.as_str()) && shown.as_bytes()[r.len()] == b'/')
        })
    }
}

/// Exclude patterns, each glob remembering the pattern it came from.
struct Excludes {
    set: GlobSet,
    /// Per glob in `set`: the index of its pattern.
    origin: Vec<usize>,
    patterns: Vec<String>,
}

impl Excludes {
    fn new(patterns: &[String]) -> Result<Excludes, String> {
        let mut b = GlobSetBuilder::new();
        let mut origin = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            for g in globs_of(p)? {
                b.add(g);
                origin.push(i);
            }
        }
        Ok(Excludes {
            set: b.build().map_err(|e| e.to_string())?,
            origin,
            patterns: patterns.to_vec(),
        })
    }

    /// The first pattern matching the display path or the walked path.
    fn matching(&self, display: &str, path: &Path) -> Option<&str> {
        if !self.set.is_match(display) && !self.set.is_match(path) {
            return None;
        }
        let mut hits = self.set.matches(display);
        hits.extend(self.set.matches(path));
        hits.iter()
            .map(|&g| self.origin[g])
            .min()
            .map(|i| self.patterns[i].as_str())
    }
}

/// The globs one exclude pattern stands for.
fn globs_of(p: &str) -> Result<Vec<Glob>, String> {
    if p.trim().is_empty() {
        return Err(
            "an exclude pattern is empty (`--exclude ''`, or `\"\"` in `exclude` of .orgtoken.toml); name a glob such as `tests/**`"
                .into(),
        );
    }
    let mut out = vec![Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?];
    // `--exclude tests` also excludes what is under tests/.
    if !p.ends_with("/**") {
        if let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/'))) {
            out.push(g);
        }
    }
    if !p.starts_with("**/") && !p.starts_with('/') {
        if let Ok(g) = Glob::new(&format!("**/{p}")) {
            out.push(g);
        }
    }
    Ok(out)
}

fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        for g in globs_of(p)? {
            b.add(g);
        }
    }
    b.build().map_err(|e| e.to_string())
}

/// The one directory every path in every output is named relative to: the
/// root of the git work tree that holds the scan roots, else the scan root
/// (a file's directory; for several roots, their deepest common directory).
/// Neither the working directory nor the spelling of the roots changes it,
/// so one repository gives the same paths, token identities, fingerprints
/// and baseline entries wherever it is checked out and however it is named.
#[derive(Debug, Clone, Default)]
pub struct PathBase {
    /// Absolute and canonical.
    pub dir: PathBuf,
    /// Each root as given, with its display form (relative to `dir`).
    roots: Vec<(PathBuf, String)>,
}

impl PathBase {
    pub fn of(roots: &[PathBuf]) -> PathBase {
        let canonical: Vec<PathBuf> = roots.iter().map(|r| absolute(r)).collect();
        let dirs: Vec<PathBuf> = canonical
            .iter()
            .map(|c| {
                if c.is_dir() {
                    c.clone()
                } else {
                    c.parent().map_or_else(|| c.clone(), Path::to_path_buf)
                }
            })
            .collect();
        let common = dirs
            .iter()
            .skip(1)
            .fold(dirs.first().cloned().unwrap_or_default(), |acc, d| {
                acc.ancestors()
                    .find(|a| d.starts_with(a))
                    .map_or_else(PathBuf::new, Path::to_path_buf)
            });
        let dir = work_tree_of(&common).unwrap_or(common);
        let roots = roots
            .iter()
            .zip(&canonical)
            .map(|(given, c)| (given.clone(), show_relative(c.strip_prefix(&dir).unwrap_or(c))))
            .collect();
        PathBase { dir, roots }
    }

    /// The display form of a path the walk found under one of the roots (as
    /// the walker spells it: the root as given, then the rest).
    pub fn show_walked(&self, path: &Path) -> String {
        let root = self
            .roots
            .iter()
            .filter(|(given, _)| path.starts_with(given))
            .max_by_key(|(given, _)| given.as_os_str().len());
        match root {
            Some((given, shown)) => {
                let rest = path.strip_prefix(given).unwrap_or(path);
                if rest.as_os_str().is_empty() {
                    shown.clone()
                } else if shown == "." {
                    show_relative(rest)
                } else {
                    format!("{shown}/{}", show_relative(rest))
                }
            }
            None => self.show(path),
        }
    }

    /// The display form of any path (relative to the working directory or
    /// absolute), such as a baseline or config file named on the command line.
    pub fn show(&self, path: &Path) -> String {
        let abs = absolute(path);
        show_relative(abs.strip_prefix(&self.dir).unwrap_or(&abs))
    }

    /// The file a display path names.
    pub fn resolve(&self, shown: &str) -> PathBuf {
        absolute(&self.dir.join(shown))
    }
}

/// `path` made absolute and canonical where it exists (symbolic links and
/// `..` resolved), else joined to the working directory.
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|c| c.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// The root of the git work tree holding `dir` (the nearest ancestor with a
/// `.git` directory or file, as git itself finds it).
fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// The display form of a relative path: forward slashes, no leading `./`,
/// control characters escaped (`\n`, `\u{1b}`), `.` when empty.
fn show_relative(rel: &Path) -> String {
    // A newline or an escape sequence in a file name must not start a line
    // of its own (a GitHub workflow command) or drive the terminal.
    let s = escape_name(rel);
    let s = s.trim_start_matches("./").to_string();
    if s.is_empty() {
        ".".into()
    } else if s.starts_with(':') {
        // `::error file=…`: a line that starts with the path (concise
        // output, logs) must not read as a GitHub workflow command.
        format!("./{s}")
    } else {
        s
    }
}

/// What a scan walks and what it reports on (see [`scope`]).
struct Scope {
    walk_roots: Vec<PathBuf>,
    /// Files named inside a git work tree, linked against the whole work
    /// tree (with the other named roots, when there are).
    focus: Vec<PathBuf>,
    /// Files named outside any git work tree: looked at alone.
    alone: Vec<PathBuf>,
    /// Directories named below the root of their git work tree: linked
    /// among their own files.
    below: Vec<PathBuf>,
}

/// A file named inside a git work tree is linked against the whole work
/// tree (its imports, the configuration it reads): the walk covers the
/// work tree, and the scan reports the results that touch the named roots.
/// A directory is linked among its own files (the scan root is the project
/// root; one service of a monorepo is not linked with the others). The
/// named roots stay roots of the walk, so a file named on the command line
/// is scanned even when an ignore rule matches it.
fn scope(roots: &[PathBuf]) -> Scope {
    let mut walk_roots: Vec<PathBuf> = Vec::new();
    let mut scope = Scope {
        walk_roots: Vec::new(),
        focus: Vec::new(),
        alone: Vec::new(),
        below: Vec::new(),
    };
    for r in roots {
        let abs = absolute(r);
        let is_dir = abs.is_dir();
        let dir = if is_dir {
            abs.clone()
        } else {
            abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
        };
        match work_tree_of(&dir) {
            Some(wt) if is_dir && wt != abs => scope.below.push(r.clone()),
            Some(_) if is_dir => {}
            Some(wt) => {
                scope.focus.push(r.clone());
                if !walk_roots.contains(&wt) {
                    walk_roots.push(wt);
                }
            }
            None if abs.is_file() => scope.alone.push(r.clone()),
            None => {}
        }
    }
    if scope.focus.is_empty() {
        scope.walk_roots = roots.to_vec();
        return scope;
    }
    // Every named root is in focus when one is: `scan app app/x.py`
    // reports on `app` too.
    scope.focus = roots.to_vec();
    scope.below.clear();
    walk_roots.extend(roots.iter().cloned());
    scope.walk_roots = walk_roots;
    scope
}

/// The files git tracks in the work tree at `wt` (from its index), as
/// display paths (see [`PathBase`]). Symbolic links, submodules and the
/// directories of a sparse index are not files.
fn tracked_files(wt: &Path, base: &PathBase) -> Result<Vec<String>, String> {
    use gix::index::entry::Mode;
    let repo = gix::open_opts(wt, gix::open::Options::isolated()).map_err(|e| e.to_string())?;
    if std::fs::symlink_metadata(repo.index_path()).is_err() {
        // A repository where nothing was ever added has no index yet.
        return Ok(Vec::new());
    }
    let index = repo.open_index().map_err(|e| e.to_string())?;
    let prefix = wt.strip_prefix(&base.dir).unwrap_or(Path::new(""));
    Ok(index
        .entries()
        .iter()
        .filter(|e| matches!(e.mode, Mode::FILE | Mode::FILE_EXECUTABLE))
        .map(|e| show_relative(&prefix.join(path_of_bytes(e.path(&index)))))
        .collect())
}

/// A path stored as bytes (git's index), as the file system names it.
fn path_of_bytes(b: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

/// What the walkers collect.
#[derive(Default)]
struct Collected {
    files: Vec<Candidate>,
    errors: Vec<(String, String)>,
    vendored: usize,
    excluded: usize,
    excluded_by: BTreeSet<String>,
    own: usize,
    problems: usize,
    /// Display paths skipped as orgtoken's own, excluded or vendored.
    skipped: Vec<String>,
}

impl Collected {
    fn absorb(&mut self, other: Collected) {
        self.files.extend(other.files);
        self.errors.extend(other.errors);
        self.vendored += other.vendored;
        self.excluded += other.excluded;
        self.excluded_by.extend(other.excluded_by);
        self.own += other.own;
        self.problems += other.problems;
    }
}

/// What one walk decides per entry: orgtoken's own files, excludes and
/// vendored directories are skipped (and counted); regular files become
/// candidates; special files and walker errors cost a note.
struct Walker<'o> {
    opts: &'o WalkOptions,
    base: std::sync::Arc<PathBase>,
    roots: Vec<PathBuf>,
    excludes: Excludes,
    own: GlobSet,
    vendored: GlobSet,
}

/// Stage "walk": the candidate files under the roots, in display-path
/// order, with what was skipped and why. Two walks: the `ignore` walk of the
/// roots, then (inside git work trees) the tracked files the ignore rules
/// dropped.
pub fn walk(opts: &WalkOptions) -> Result<Walk, String> {
    let mut vendored_patterns: Vec<String> = VENDORED_DIRS.iter().map(|s| s.to_string()).collect();
    vendored_patterns.extend(catalog().vendored_globs.iter().cloned());
    let Scope {
        walk_roots: roots,
        focus: focus_roots,
        alone,
        below,
    } = scope(&opts.roots);
    let base = std::sync::Arc::new(PathBase::of(&roots));
    let focus = (!focus_roots.is_empty()).then(|| Focus {
        roots: focus_roots.iter().map(|r| base.show(r)).collect(),
        work_trees: Vec::new(),
    });
    if roots.is_empty() {
        return Ok(Walk {
            files: Vec::new(),
            errors: Vec::new(),
            skipped_vendored: 0,
            excluded: 0,
            excluded_by: BTreeSet::new(),
            own_skipped: 0,
            problems: 0,
            base: (*base).clone(),
            focus,
        });
    }
    let walker = Walker {
        opts,
        excludes: Excludes::new(&opts.excludes)?,
        own: globset(&opts.own_files)?,
        vendored: globset(&vendored_patterns)?,
        base: base.clone(),
        roots,
    };
    let mut collected = Collected {
        errors: scope_notes(&base, &alone, &below),
        ..Collected::default()
    };
    let first = Mutex::new(collected);
    let mut b = walker.builder(!opts.no_ignore);
    b.filter_entry(|e| e.file_name() != ".git");
    b.build_parallel().run(|| Box::new(|e| walker.visit(&first, e)));
    collected = first.into_inner().expect("walk threads are done");
    let mut work_trees: Vec<PathBuf> = Vec::new();
    if !opts.no_ignore {
        work_trees = work_trees_of(&walker.roots);
        walker.tracked_but_ignored(&work_trees, &mut collected);
    }
    let Collected {
        mut files,
        mut errors,
        vendored,
        excluded,
        excluded_by,
        own: own_skipped,
        problems,
        skipped: _,
    } = collected;
    files.sort_by(|a, b| a.display.cmp(&b.display));
    // Overlapping roots (and the two walks) find a file twice; two names
    // that differ only in bytes that are not UTF-8 share a display name but
    // are two files.
    files.dedup_by(|a, b| a.display == b.display && (a.path.to_str().is_some() || a.path == b.path));
    errors.sort();
    errors.dedup();
    let focus = focus.map(|mut f| {
        f.work_trees = work_trees.iter().map(|w| base.show(w)).collect();
        if f.work_trees.is_empty() {
            f.work_trees.push(".".into());
        }
        f
    });
    Ok(Walk {
        files,
        errors,
        skipped_vendored: vendored,
        excluded,
        excluded_by,
        own_skipped,
        problems,
        base: (*base).clone(),
        focus,
    })
}

/// Notes on what is linked: a file looked at alone, a directory below its
/// work tree's root.
fn scope_notes(base: &PathBase, alone: &[PathBuf], below: &[PathBuf]) -> Vec<(String, String)> {
    let mut notes: Vec<(String, String)> = alone
        .iter()
        .map(|r| {
            (
                base.show_walked(r),
                "not inside a git work tree: looked at this file alone; its imports and the configuration it reads were not linked (scan its directory to link them)"
                    .to_string(),
            )
        })
        .collect();
    for r in below {
        let abs = absolute(r);
        let wt = work_tree_of(&abs).map_or_else(|| ".".to_string(), |w| base.show(&w));
        notes.push((
            base.show_walked(r),
            format!(
                "cross-file links were resolved among the files under this directory (the scan root), not the whole git work tree at `{wt}`: scan `{wt}` to link its imports and configuration outside it"
            ),
        ));
    }
    notes
}

/// The git work trees the roots lie in, each once, in the roots' order.
fn work_trees_of(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut work_trees: Vec<PathBuf> = Vec::new();
    for r in roots {
        let abs = absolute(r);
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map_or(abs.clone(), Path::to_path_buf)
        };
        if let Some(wt) = work_tree_of(&dir) {
            if !work_trees.contains(&wt) {
                work_trees.push(wt);
            }
        }
    }
    work_trees
}

impl Walker<'_> {
    fn builder(&self, ignore_files: bool) -> WalkBuilder {
        let (first, rest) = self.roots.split_first().expect("walked roots are not empty");
        let mut b = WalkBuilder::new(first);
        for r in rest {
            b.add(r);
        }
        b.hidden(false)
            .git_ignore(ignore_files)
            .git_global(ignore_files)
            .git_exclude(ignore_files)
            .ignore(!self.opts.no_ignore)
            .parents(!self.opts.no_ignore)
            // `.gitignore` files apply inside a git work tree only.
            .require_git(true)
            .follow_links(false)
            .threads(self.opts.threads);
        b
    }

    fn visit(&self, collected: &Mutex<Collected>, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let lock = || collected.lock().expect("no panics while locked");
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = error_path(&err).map_or(String::new(), |p| self.base.show_walked(p));
                let mut out = lock();
                out.problems += 1;
                out.errors.push((path, walk_error_message(&err)));
                return WalkState::Continue;
            }
        };
        let path = e.path();
        let display = self.base.show_walked(path);
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        let skip = if is_dir { WalkState::Skip } else { WalkState::Continue };
        if self.own.is_match(&display) || self.own.is_match(path) {
            let mut out = lock();
            out.skipped.push(display.clone());
            if !is_dir {
                out.own += 1;
            }
            drop(out);
            if !is_dir && e.file_name() == PROJECT_FILE {
                if let Some(note) = project_file_note(self.opts, &self.base, &display) {
                    lock().errors.push((display, note));
                }
            }
            return skip;
        }
        if let Some(p) = self.excludes.matching(&display, path) {
            let mut out = lock();
            out.skipped.push(display.clone());
            out.excluded += 1;
            if !out.excluded_by.contains(p) {
                out.excluded_by.insert(p.to_string());
            }
            return skip;
        }
        if !self.opts.include_vendored
            && e.depth() > 0
            && (self.vendored.is_match(&display) || self.vendored.is_match(path))
        {
            let mut out = lock();
            out.skipped.push(display);
            out.vendored += 1;
            return skip;
        }
        if e.file_type().is_some_and(|t| t.is_file()) {
            lock().files.push(Candidate {
                path: path.to_path_buf(),
                display,
            });
        } else if let Some(kind) = e.file_type().and_then(special_kind) {
            // Never opened: reading a FIFO blocks until a writer comes.
            let mut out = lock();
            out.problems += 1;
            out.errors
                .push((display, format!("not a regular file ({kind}); skipped")));
        }
        WalkState::Continue
    }

    /// Second walk: the tracked files the ignore rules of git dropped
    /// (`.ignore` files, for search tools only, still apply). Only the
    /// tracked files the first walk missed are looked for: in most
    /// repositories none, and the second walk is skipped.
    fn tracked_but_ignored(&self, work_trees: &[PathBuf], collected: &mut Collected) {
        let base = &self.base;
        let mut tracked: BTreeSet<String> = BTreeSet::new();
        for wt in work_trees {
            match tracked_files(wt, base) {
                Ok(files) => tracked.extend(files),
                Err(e) => collected.errors.push((
                    base.show(wt),
                    format!(
                        "cannot read the git index ({}); tracked files that .gitignore matches were not scanned",
                        escape_controls(&e)
                    ),
                )),
            }
        }
        let walked: std::collections::HashSet<&str> = collected.files.iter().map(|f| f.display.as_str()).collect();
        let skipped: std::collections::HashSet<&str> = collected.skipped.iter().map(String::as_str).collect();
        // Skipped by the first walk for another reason than an ignore file
        // (excluded, vendored): skipped again, and counted once.
        let skipped_by_first =
            |f: &str| skipped.contains(f) || f.match_indices('/').any(|(i, _)| skipped.contains(&f[..i]));
        let shown_roots: Vec<String> = self.roots.iter().map(|r| base.show_walked(r)).collect();
        let under_a_root = |f: &str| {
            shown_roots
                .iter()
                .any(|r| r == "." || f == r || f.strip_prefix(r.as_str()).is_some_and(|rest| rest.starts_with('/')))
        };
        let missed: std::collections::HashSet<String> = tracked
            .into_iter()
            .filter(|f| !walked.contains(f.as_str()) && under_a_root(f) && !skipped_by_first(f))
            .collect();
        if missed.is_empty() {
            return;
        }
        let dirs: std::collections::HashSet<String> = missed
            .iter()
            .flat_map(|f| f.match_indices('/').map(move |(i, _)| f[..i].to_string()))
            .collect();
        let (base2, missed, dirs) = (base.clone(), std::sync::Arc::new(missed), std::sync::Arc::new(dirs));
        let mut b = self.builder(false);
        b.filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if e.depth() == 0 {
                return true;
            }
            let shown = base2.show_walked(e.path());
            if e.file_type().is_some_and(|t| t.is_dir()) {
                dirs.contains(&shown)
            } else {
                missed.contains(&shown)
            }
        });
        // What it meets, the first walk never reached: counted here.
        let second = Mutex::new(Collected::default());
        b.build_parallel().run(|| Box::new(|e| self.visit(&second, e)));
        collected.absorb(second.into_inner().expect("walk threads are done"));
    }
}

/// The note for a project file met in the tree that is not the one in
/// effect (only one is read: see `crate::project`).
fn project_file_note(opts: &WalkOptions, base: &PathBase, shown: &str) -> Option<String> {
    if opts.isolated {
        return None;
    }
    let abs = base.resolve(shown);
    match &opts.project_file {
        Some(p) if absolute(p) == abs => None,
        Some(p) => Some(format!(
            "not applied: one project file is read, and it is `{}`; move these settings there, or scan this directory on its own",
            base.show(p)
        )),
        None => Some(
            "not applied: only a project file at or above the scanned path is read; scan this directory on its own to apply it"
                .to_string(),
        ),
    }
}

/// The path a walker error is about, under its depth and line wrappers.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// A walker error as a note: a file or directory that vanished while the
/// tree was walked reads like one that vanished before its read.
fn walk_error_message(err: &ignore::Error) -> String {
    if err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return "no such file or directory (removed during the scan?); skipped".into();
    }
    escape_controls(&err.to_string())
}

/// A path's bytes as text, escaped for display (see [`PathBase`]).
fn escape_name(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            let valid = chunk.valid();
            if valid.contains('\\') {
                out.push_str(&escape_controls(&valid.replace('\\', "\\\\")));
            } else {
                out.push_str(&escape_controls(valid));
            }
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        escape_controls(&p.to_string_lossy().replace('\\', "/"))
    }
}

/// Characters that must never reach a terminal or a log as they are:
/// control characters (C0, DEL, C1), bidi controls (U+061C, U+200E/F,
/// U+202A–U+202E, U+2066–U+2069: they reorder what a reviewer sees) and the
/// line/paragraph separators U+2028/U+2029.
pub fn is_hostile_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// `s` with hostile characters ([`is_hostile_char`]) escaped (`\n`,
/// `\u{1b}`, `\u{202e}`): file names and messages are shown on lines of
/// their own.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_hostile_char) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// What a directory entry is when it is neither a file, a directory nor a
/// symbolic link (links are not followed: their targets inside the tree are
/// walked under their own path, as git and ripgrep do).
pub fn special_kind(t: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("FIFO");
        }
        if t.is_socket() {
            return Some("socket");
        }
        if t.is_block_device() || t.is_char_device() {
            return Some("device");
        }
    }
    (!t.is_file() && !t.is_dir() && !t.is_symlink()).then_some("special file")
}

/// An I/O error as a note says it: `permission denied`, without the
/// `(os error 13)` tail.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => &s[..i],
        None => &s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The bytes of a list file named on the command line (`-`: standard
/// input), or the usage error `flag` `path`: reason.
pub fn read_list_file(flag: &str, from: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    let read = if from.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(from).and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    read.map_err(|e| format!("{flag} `{}`: {}", from.display(), io_reason(&e)))?;
    Ok(bytes)
}

/// The prefilter: one multi-literal, ASCII-case-insensitive search. The text
/// is lower-cased a block at a time and searched for the lower-cased
/// literals case-sensitively: that search runs on SIMD (Teddy), where a
/// case-insensitive automaton would walk every byte.
pub struct Prefilter {
    /// None: no literals, nothing matches.
    ac: Option<AhoCorasick>,
    /// The longest literal: the overlap kept between blocks.
    longest: usize,
}

/// Bytes lower-cased and searched at a time.
const BLOCK: usize = 64 * 1024;

thread_local! {
    static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Prefilter {
    pub fn from_catalog() -> Self {
        Self::new(&catalog().triggers)
    }

    pub fn new<S: AsRef<[u8]>>(literals: &[S]) -> Self {
        let lowered: Vec<Vec<u8>> = literals.iter().map(|l| l.as_ref().to_ascii_lowercase()).collect();
        let ac = (!lowered.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(&lowered)
                .expect("trigger literals are plain strings")
        });
        let longest = lowered.iter().map(Vec::len).max().unwrap_or(0);
        Prefilter { ac, longest }
    }

    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.matches_reader(bytes).unwrap_or(false)
    }

    /// The same test over a stream, in bounded memory (for files too large
    /// to read whole): blocks overlap by the longest literal, so a match
    /// across a block boundary is found.
    pub fn matches_reader<R: std::io::Read>(&self, mut reader: R) -> std::io::Result<bool> {
        let Some(ac) = &self.ac else {
            return Ok(false);
        };
        let keep = self.longest.saturating_sub(1);
        LOWER.with(|cell| {
            let mut buf = cell.borrow_mut();
            buf.resize(BLOCK + keep, 0);
            let mut filled = 0;
            loop {
                let n = match reader.read(&mut buf[filled..]) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                let start = filled;
                filled += n;
                buf[start..filled].make_ascii_lowercase();
                if n == 0 || filled == buf.len() {
                    if ac.is_match(&buf[..filled]) {
                        return Ok(true);
                    }
                    if n == 0 {
                        return Ok(false);
                    }
                    buf.copy_within(filled - keep.., 0);
                    filled = keep;
                }
            }
        })
    }
}

/// The second pass's test: does a text name one of these identifiers (env
/// var or config key names) as a whole word, case-sensitively? `TOKEN` must
/// not pull in every file that says "token", nor `ENV` every `.env`.
///
/// A scan can collect hundreds of names, and an automaton over that many
/// patterns walks every byte of every file. So the search is for anchors,
/// each name's last few bytes (`_TOKEN`, `DOMAIN`): few enough distinct ones
/// for the SIMD searcher, and each anchor found is checked against the names
/// that end with it.
pub struct NamePrefilter {
    anchors: AhoCorasick,
    /// Per anchor (by pattern id): the anchor and the names ending with it.
    groups: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
}

/// Distinct anchors the SIMD searcher handles well.
const ANCHORS_MAX: usize = 64;

impl NamePrefilter {
    pub fn new<S: AsRef<[u8]>>(names: &[S]) -> Self {
        let names: BTreeSet<&[u8]> = names.iter().map(AsRef::as_ref).filter(|n| !n.is_empty()).collect();
        // The longest suffix length that keeps the anchors few; the shortest
        // tried when none does (still correct, only slower).
        let groups_of = |k: usize| {
            let mut g: BTreeMap<&[u8], Vec<Vec<u8>>> = BTreeMap::new();
            for n in &names {
                g.entry(&n[n.len().saturating_sub(k)..]).or_default().push(n.to_vec());
            }
            g
        };
        let groups = (3..=8)
            .rev()
            .map(groups_of)
            .find(|g| g.len() <= ANCHORS_MAX)
            .unwrap_or_else(|| groups_of(3));
        let groups: Vec<(Vec<u8>, Vec<Vec<u8>>)> = groups.into_iter().map(|(a, ns)| (a.to_vec(), ns)).collect();
        let anchors = AhoCorasickBuilder::new()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(groups.iter().map(|(a, _)| a))
            .expect("names are plain strings");
        NamePrefilter { anchors, groups }
    }

    pub fn matches(&self, bytes: &[u8]) -> bool {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let whole = |start: usize, end: usize| {
            !start.checked_sub(1).is_some_and(|i| word(bytes[i])) && !bytes.get(end).copied().is_some_and(word)
        };
        // Every position where some anchor starts is visited: the search
        // resumes one byte after each, and all anchors there are checked.
        let mut at = 0;
        while let Some(m) = self.anchors.find(aho_corasick::Input::new(bytes).span(at..bytes.len())) {
            let s = m.start();
            for (anchor, names) in &self.groups {
                if !bytes[s..].starts_with(anchor) {
                    continue;
                }
                let end = s + anchor.len();
                for n in names {
                    if end >= n.len() && &bytes[end - n.len()..end] == n.as_slice() && whole(end - n.len(), end) {
                        return true;
                    }
                }
            }
            at = s + 1;
        }
        false
    }
}

/// A file is binary when its first 8 KiB hold a NUL byte (as git and ripgrep do).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod prefilter_tests {
    use super::{NamePrefilter, Prefilter, BLOCK};

    /// `matches` holds for each of `hits` and for none of `misses`.
    fn check(matches: impl Fn(&[u8]) -> bool, hits: &[&str], misses: &[&str]) {
        for hit in hits {
            assert!(matches(hit.as_bytes()), "{hit}");
        }
        for miss in misses {
            assert!(!matches(miss.as_bytes()), "{miss}");
        }
    }

    #[test]
    fn names_match_as_whole_case_sensitive_words() {
        let p = NamePrefilter::new(&["TOKEN", "CRM_TOKEN", "zoho.api-domain"]);
        check(
            |t| p.matches(t),
            &[
                "t = os.environ['CRM_TOKEN']",
                "echo $TOKEN",
                "@Value(\"${zoho.api-domain}\")",
                "TOKEN",
                // Overlapping names: `CRM_TOKEN` holds `TOKEN` at a non-boundary;
                // a dotted name that is not a word here holds one that is.
                "x CRM_TOKEN",
                "xzoho.api-domain TOKEN",
            ],
            &[
                "# the token expires",
                "ACCESS_TOKEN",
                "TOKENS",
                "my_TOKEN_x",
                "Token",
                "zoho.api-domains",
            ],
        );
        let dotted = NamePrefilter::new(&["A.TOKEN", "TOKEN"]);
        assert!(dotted.matches(b"xA.TOKEN"), "the shorter name after the dot");
    }

    /// Brute force: some name occurs as a whole word.
    fn oracle(names: &[String], text: &[u8]) -> bool {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        names.iter().any(|n| {
            let n = n.as_bytes();
            (0..=text.len().saturating_sub(n.len())).any(|s| {
                text[s..].starts_with(n)
                    && !s.checked_sub(1).is_some_and(|i| word(text[i]))
                    && !text.get(s + n.len()).copied().is_some_and(word)
            })
        })
    }

    #[test]
    fn hundreds_of_names_match_as_the_brute_force_does() {
        // Many names with few distinct endings (the anchors' SIMD search),
        // and many short, all-different names (more anchors than that).
        let few_endings: Vec<String> = (0..400)
            .map(|i| format!("ZOHO_Q{i}_{}", ["REFRESH_TOKEN", "API_DOMAIN", "TOKEN"][i % 3]))
            .collect();
        let all_different: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
        for names in [&few_endings, &all_different] {
            let p = NamePrefilter::new(names);
            let mut texts: Vec<Vec<u8>> = vec![b"nothing here, not even a TOKEN".to_vec()];
            for n in names.iter().step_by(37) {
                texts.push(format!("x = env['{n}']").into_bytes());
                texts.push(format!("x = env['{n}X']").into_bytes());
                texts.push(format!("x = env['A{n}']").into_bytes());
                texts.push(n.as_bytes().to_vec());
                texts.push(n.as_bytes()[1..].to_vec());
                texts.push(format!("{} {n}_ {n}", &n[..n.len() - 1]).into_bytes());
            }
            for t in &texts {
                assert_eq!(p.matches(t), oracle(names, t), "{}", String::from_utf8_lossy(t));
            }
            assert!(texts.iter().any(|t| p.matches(t)) && texts.iter().any(|t| !p.matches(t)));
        }
    }

    #[test]
    fn literals_match_in_any_ascii_case() {
        let p = Prefilter::new(&["zoho", "OAuthToken", "a.b"]);
        check(
            |t| p.matches(t),
            &["import ZohoCRM", "new oauthtoken()", "x a.b y"],
            &["axb, oauth token, zoh o"],
        );
        assert!(!Prefilter::new::<&str>(&[]).matches(b"zoho"));
    }

    #[test]
    fn a_stream_finds_a_literal_across_block_boundaries() {
        let p = Prefilter::new(&["zoho", "OAuthToken"]);
        for at in [0, BLOCK - 5, BLOCK - 1, BLOCK, 2 * BLOCK + 3] {
            let mut text = vec![b'x'; 3 * BLOCK];
            text[at..at + 10].copy_from_slice(b"OAUTHTOKEN");
            assert!(p.matches_reader(&text[..]).unwrap(), "at {at}");
        }
        assert!(!p.matches_reader(&vec![b'x'; 3 * BLOCK][..]).unwrap());
    }
}
