//! Discovery and prefilter (DESIGN §3 steps 1–2).
//!
//! Walks the roots with the `ignore` crate's parallel walker (.gitignore,
//! .ignore, excludes, vendored paths), reads each file once, skips binaries
//! and files over the size limit (counted, never silent), and runs one
//! multi-literal search for the catalog's triggers. It does not parse.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::catalog::catalog;

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

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub no_ignore: bool,
    pub include_vendored: bool,
    pub max_file_size: u64,
    pub threads: usize,
    /// Time one file's analysis may take before it is abandoned with a note.
    pub file_timeout: Option<std::time::Duration>,
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

pub struct Walk {
    pub files: Vec<Candidate>,
    /// Problems met while walking (unreadable directories, FIFOs and other
    /// special files).
    pub errors: Vec<(String, String)>,
    pub skipped_vendored: usize,
    /// What every display path is relative to.
    pub base: PathBase,
}

fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?;
        b.add(g);
        // `--exclude tests` also excludes what is under tests/.
        if !p.ends_with("/**") {
            if let Ok(g) = Glob::new(&format!("{}/**", p.trim_end_matches('/'))) {
                b.add(g);
            }
        }
        if !p.starts_with("**/") && !p.starts_with('/') {
            if let Ok(g) = Glob::new(&format!("**/{p}")) {
                b.add(g);
            }
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
#[derive(Debug, Clone)]
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

pub fn walk(opts: &WalkOptions) -> Result<Walk, String> {
    let excludes = globset(&opts.excludes)?;
    let mut vendored_patterns: Vec<String> = VENDORED_DIRS.iter().map(|s| s.to_string()).collect();
    vendored_patterns.extend(catalog().vendored_globs.iter().cloned());
    let vendored = globset(&vendored_patterns)?;
    let base = PathBase::of(&opts.roots);
    let Some((first, rest)) = opts.roots.split_first() else {
        return Ok(Walk {
            files: Vec::new(),
            errors: Vec::new(),
            skipped_vendored: 0,
            base,
        });
    };
    let mut b = WalkBuilder::new(first);
    for r in rest {
        b.add(r);
    }
    b.hidden(false)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let vendored_count = Mutex::new(0usize);
    b.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) => {
                    let path = e.path();
                    let display = base.show_walked(path);
                    let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                    if excludes.is_match(&display) || excludes.is_match(path) {
                        return if is_dir { WalkState::Skip } else { WalkState::Continue };
                    }
                    if !opts.include_vendored
                        && e.depth() > 0
                        && (vendored.is_match(&display) || vendored.is_match(path))
                    {
                        *vendored_count.lock().expect("no panics while locked") += 1;
                        return if is_dir { WalkState::Skip } else { WalkState::Continue };
                    }
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        files.lock().expect("no panics while locked").push(Candidate {
                            path: path.to_path_buf(),
                            display,
                        });
                    } else if let Some(kind) = e.file_type().and_then(special_kind) {
                        // Never opened: reading a FIFO blocks until a writer comes.
                        errors
                            .lock()
                            .expect("no panics while locked")
                            .push((display, format!("not a regular file ({kind}); skipped")));
                    }
                }
                Err(err) => {
                    let path = error_path(&err).map_or(String::new(), |p| base.show_walked(p));
                    errors
                        .lock()
                        .expect("no panics while locked")
                        .push((path, walk_error_message(&err)));
                }
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("walk threads are done");
    files.sort_by(|a, b| a.display.cmp(&b.display));
    // Overlapping roots find a file twice; two names that differ only in
    // bytes that are not UTF-8 share a display name but are two files.
    files.dedup_by(|a, b| a.display == b.display && (a.path.to_str().is_some() || a.path == b.path));
    let mut errors = errors.into_inner().expect("walk threads are done");
    errors.sort();
    Ok(Walk {
        files,
        errors,
        skipped_vendored: vendored_count.into_inner().expect("walk threads are done"),
        base,
    })
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
mod name_prefilter_tests {
    use super::NamePrefilter;

    #[test]
    fn names_match_as_whole_case_sensitive_words() {
        let p = NamePrefilter::new(&["TOKEN", "CRM_TOKEN", "zoho.api-domain"]);
        assert!(p.matches(b"t = os.environ['CRM_TOKEN']"));
        assert!(p.matches(b"echo $TOKEN"));
        assert!(p.matches(b"@Value(\"${zoho.api-domain}\")"));
        assert!(p.matches(b"TOKEN"));
        // Overlapping names: `CRM_TOKEN` holds `TOKEN` at a non-boundary;
        // a dotted name that is not a word here holds one that is.
        assert!(p.matches(b"x CRM_TOKEN"));
        assert!(p.matches(b"xzoho.api-domain TOKEN"));
        let dotted = NamePrefilter::new(&["A.TOKEN", "TOKEN"]);
        assert!(dotted.matches(b"xA.TOKEN"), "the shorter name after the dot");
        for miss in [
            &b"# the token expires"[..],
            b"ACCESS_TOKEN",
            b"TOKENS",
            b"my_TOKEN_x",
            b"Token",
            b"zoho.api-domains",
        ] {
            assert!(!p.matches(miss), "{}", String::from_utf8_lossy(miss));
        }
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
}

#[cfg(test)]
mod prefilter_tests {
    use super::{Prefilter, BLOCK};

    #[test]
    fn literals_match_in_any_ascii_case() {
        let p = Prefilter::new(&["zoho", "OAuthToken", "a.b"]);
        assert!(p.matches(b"import ZohoCRM"));
        assert!(p.matches(b"new oauthtoken()"));
        assert!(p.matches(b"x a.b y"));
        assert!(!p.matches(b"axb, oauth token, zoh o"));
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
