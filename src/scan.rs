//! The pipeline (DESIGN §3): walk → prefilter → front-ends (parallel) →
//! link → rules → fingerprints. Returns findings, notes and the redacted
//! texts the reporters may show. Never prints.

use std::collections::{BTreeSet, HashMap};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalog::catalog;
use crate::facts::{FileFacts, Lang, Span};
use crate::finding::{Filtered, Finding, Note};
use crate::frontend;
use crate::link::{import_candidates, Cut, Linker, SourceFile};
use crate::model::{literal_hash, Loc, Model};
use crate::rules::{self, RuleCtx};
use crate::walk::{self, Candidate, NamePrefilter, Prefilter, Skipped, WalkOptions};

pub type ScanOptions = WalkOptions;

/// A file whose text reporters may show, already redacted.
pub struct ShownFile {
    pub path: String,
    /// Empty for files no finding points into.
    pub text: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub files_walked: usize,
    pub files_analysed: usize,
    pub skipped: Skipped,
}

pub struct ScanResult {
    pub files: Vec<ShownFile>,
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    pub stats: Stats,
    /// Filled by the filter stage (`crate::filter`), empty after the scan.
    pub filtered: Filtered,
    /// Suppression comments in the analysed files (`crate::suppress`).
    pub markers: Vec<crate::suppress::Marker>,
    /// Every binding of the linked model, for `orgtoken inventory`.
    pub bindings: Vec<crate::inventory::BindingInfo>,
    /// What every path in the result is relative to.
    pub base: walk::PathBase,
    /// Set when no file was read (every file excluded, none under the
    /// roots, every one over the size limit): why. No clean pass.
    pub nothing_scanned: Option<String>,
}

/// What reading one file gave.
enum Read {
    /// Text with a trigger, analysed as soon as read: the texts of a tree's
    /// Zoho files are never all in memory at once.
    Hit(Box<Analysed>),
    /// Text without a trigger: kept only as a second-pass candidate.
    Miss,
    /// Counted; with a note when the file is named like code or config and
    /// mentions Zoho.
    Binary(Option<String>),
    /// Counted; with a note when the file mentions Zoho.
    TooLarge(Option<String>),
    Invalid(String),
}

/// Bytes at the start of a file that decide whether it is binary.
const HEAD: usize = 8192;

/// Reads up to `buf.len()` bytes from the start of `f`: fewer only at the end.
fn read_head(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read as _;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The rest of a file, unless it has grown past the size limit since it was
/// measured (a log being written): then `None`, as for a file too large.
fn read_whole(f: &mut std::fs::File, len: u64, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(len.min(max) as usize);
    f.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// The first pass over one file. The prefilter reads it as a stream, so a
/// file without a trigger (nearly all of a tree) costs no more memory than a
/// block, and a binary file stops at its first block unless it is named like
/// code or config. Only a file with a trigger is read whole, and analysed.
fn read(c: &Candidate, opts: &ScanOptions, pre: &Prefilter, lowerings: &Lowerings) -> Read {
    use std::io::{Read as _, Seek as _};
    // `metadata` does not open the file: opening a FIFO would block.
    let m = match std::fs::metadata(&c.path) {
        Ok(m) => m,
        Err(e) => return Read::Invalid(cannot_read(&e)),
    };
    if !m.is_file() {
        let kind = walk::special_kind(m.file_type()).unwrap_or("special file");
        return Read::Invalid(format!("not a regular file ({kind}); skipped"));
    }
    if m.len() > opts.max_file_size {
        return Read::TooLarge(too_large_note(c, m.len(), opts.max_file_size, pre));
    }
    let mut f = match std::fs::File::open(&c.path) {
        Ok(f) => f,
        Err(e) => return Read::Invalid(cannot_read(&e)),
    };
    let mut head = [0u8; HEAD];
    let n = match read_head(&mut f, &mut head) {
        Ok(n) => n,
        Err(e) => return Read::Invalid(cannot_read(&e)),
    };
    let head = &head[..n];
    let utf16 = matches!(head, [0xff, 0xfe, ..] | [0xfe, 0xff, ..]);
    // UTF-16 is decoded before the test: its bytes do not hold the literals.
    if !utf16 {
        if walk::is_binary(head) {
            let named_like_text = frontend::lang_for_path(&c.display).is_some();
            let mentions_zoho = named_like_text && pre.matches_reader(head.chain(&mut f)).unwrap_or(false);
            return Read::Binary(mentions_zoho.then(|| {
                "contains NUL bytes (binary, or an encoding other than UTF-8 and UTF-16) and mentions Zoho; skipped"
                    .to_string()
            }));
        }
        match pre.matches_reader(head.chain(&mut f)) {
            Ok(true) => {}
            Ok(false) => return Read::Miss,
            Err(e) => return Read::Invalid(cannot_read(&e)),
        }
    }
    let bytes = match f
        .rewind()
        .and_then(|()| read_whole(&mut f, m.len(), opts.max_file_size))
    {
        Ok(Some(b)) => b,
        Ok(None) => return Read::TooLarge(Some("grew larger than --max-file-size during the scan; skipped".into())),
        Err(e) => return Read::Invalid(cannot_read(&e)),
    };
    match decode(&c.display, bytes) {
        Ok(text) if pre.matches(text.as_bytes()) => Read::Hit(Box::new(analyse(
            c.display.clone(),
            c.path.clone(),
            text,
            opts.file_timeout,
            lowerings,
        ))),
        Ok(_) => Read::Miss,
        Err(note) => Read::Invalid(note),
    }
}

/// A text file's bytes as analysed text, or the note saying why not: UTF-8;
/// UTF-16 with a byte-order mark (what Windows tools write); `.properties`
/// files in ISO-8859-1 (their encoding by definition). A UTF-8 byte-order
/// mark is dropped, as editors show no column for it. The same bytes always
/// give the same text: snippets are read again through here.
fn decode(display: &str, bytes: Vec<u8>) -> Result<String, String> {
    let mut s = match utf16_with_bom(&bytes) {
        Some(Some(t)) => t,
        Some(None) => return Err("UTF-16 with invalid surrogates; skipped".into()),
        None => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) if display.to_ascii_lowercase().ends_with(".properties") => {
                e.into_bytes().iter().map(|&b| b as char).collect()
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
                return Err(format!(
                    "not valid UTF-8 (first bad byte on line {line}, offset {at}); skipped: save it as UTF-8 to have it analysed"
                ));
            }
        },
    };
    if s.starts_with('\u{feff}') {
        s.drain(..3);
    }
    Ok(s)
}

/// The note for a file that could not be read.
fn cannot_read(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "cannot read: no such file (removed during the scan?); skipped".into()
    } else {
        format!("cannot read: {}; skipped", walk::io_reason(e))
    }
}

/// A file over the size limit is streamed through the prefilter (bounded
/// memory, binary files stop at their first block): the user is told about
/// the ones that mention Zoho, the others are only counted.
fn too_large_note(c: &Candidate, len: u64, max: u64, pre: &Prefilter) -> Option<String> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(&c.path).ok()?;
    let mut head = [0u8; HEAD];
    let n = read_head(&mut f, &mut head).ok()?;
    let head = &head[..n];
    if walk::is_binary(head) {
        return None;
    }
    let hit = pre.matches_reader(head.chain(f)).ok()?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    hit.then(|| {
        format!(
            "mentions Zoho but is larger than --max-file-size ({:.1} MiB > {:.1} MiB); skipped: raise the limit to analyse it",
            mib(len),
            mib(max)
        )
    })
}

/// The text of a UTF-16 file that starts with a byte-order mark: `None` when
/// there is no such mark, `Some(None)` when the text is not valid UTF-16.
fn utf16_with_bom(bytes: &[u8]) -> Option<Option<String>> {
    let le = match bytes {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    Some(char::decode_utf16(units).collect::<Result<String, _>>().ok())
}

/// The SHA-256 of an analysed text: the key of its lowering (copies of one
/// text are lowered once), and, its first 8 bytes, the digest that the
/// file read again for its snippets must still have.
fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A digest of an analysed text: the file is read again only for the
/// snippets of findings, and must not have changed in between.
fn digest(text: &str) -> u64 {
    digest_of(&sha256(text))
}

fn digest_of(sha: &[u8; 32]) -> u64 {
    u64::from_le_bytes(sha[..8].try_into().expect("8 bytes"))
}

/// One analysed file. Its text is not kept (on Zoho-dense trees it would
/// double the memory): what is needed of it is taken here, and the files
/// that findings point into are read again for their snippets.
struct Analysed {
    path: String,
    fs_path: PathBuf,
    lang: Option<Lang>,
    /// Shared by every file with the same text, language and path key.
    lowered: Arc<Lowered>,
}

/// What a text gave: its facts and what else is taken of it. A function of
/// the text, the language and what the lowering reads of the path
/// ([`frontend::path_key`]), so copies of a file share one.
struct Lowered {
    digest: u64,
    facts: Arc<FileFacts>,
    note: Option<String>,
    /// Suppression comments (their `file` is set once files are numbered).
    markers: Vec<crate::suppress::Marker>,
    /// Token-shaped literals (OT006): where, and the literal's hash.
    literals: Vec<(Span, String)>,
}

/// The text's SHA-256, its language, and what its lowering reads of its path.
type LowerKey = ([u8; 32], Option<Lang>, String);

/// The lowerings of one scan, by [`LowerKey`]: a tree holding copies of the
/// same files (vendored SDK versions, generated clients) lowers each content
/// once, and the copies share the facts. Whichever copy is lowered first,
/// the result is the same (the key holds everything the lowering reads), so
/// output does not depend on the thread count; a copy met while its content
/// is being lowered waits for that lowering (nothing inside a lowering runs
/// on the pool, so the wait cannot deadlock).
#[derive(Default)]
struct Lowerings {
    map: std::sync::Mutex<HashMap<LowerKey, Arc<OnceLock<Arc<Lowered>>>>>,
}

impl Lowerings {
    fn get(&self, key: LowerKey, lower: impl FnOnce() -> Lowered) -> Arc<Lowered> {
        let cell = Arc::clone(
            self.map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key)
                .or_default(),
        );
        Arc::clone(cell.get_or_init(|| Arc::new(lower())))
    }
}

fn analyse(path: String, fs_path: PathBuf, text: String, budget: Option<Duration>, lowerings: &Lowerings) -> Analysed {
    let lang = frontend::lang_for_path(&path).or_else(|| frontend::lang_for_shebang(&path, &text));
    let sha = sha256(&text);
    let key = (
        sha,
        lang,
        lang.map(|l| frontend::path_key(l, &path)).unwrap_or_default(),
    );
    let lowered = lowerings.get(key, || lower_text(&path, lang, &text, digest_of(&sha), budget));
    Analysed {
        path,
        fs_path,
        lang,
        lowered,
    }
}

/// Lowers one text (read at `path`, in `lang`): only what
/// [`frontend::path_key`] keeps of the path may matter here.
fn lower_text(path: &str, lang: Option<Lang>, text: &str, digest: u64, budget: Option<Duration>) -> Lowered {
    let minified = lang.and_then(|l| frontend::minified(l, path, text));
    let (facts, note) = match (lang, minified) {
        (Some(_), Some(why)) => (
            FileFacts::new_module(Span::default()),
            Some(format!("{why}: scanned for token literals only")),
        ),
        (Some(l), None) => {
            crate::source::take_nesting_cut();
            let r = panic::catch_unwind(AssertUnwindSafe(|| {
                crate::budget::run(budget, || frontend::lower(l, path, text))
            }));
            let cut = crate::source::take_nesting_cut();
            match r {
                Ok((_, Some(crate::budget::Spent::Work))) => (
                    FileFacts::new_module(Span::default()),
                    Some(
                        "analysis ran past the per-file work budget; abandoned (the same on every machine: split the file, or raise --work-budget)"
                            .to_string(),
                    ),
                ),
                Ok((_, Some(crate::budget::Spent::Time))) => (
                    FileFacts::new_module(Span::default()),
                    Some(format!(
                        "analysis took longer than the per-file budget of {}; abandoned (raise it with --file-timeout)",
                        show_duration(budget.unwrap_or_default())
                    )),
                ),
                Ok((f, None)) => {
                    let mut notes: Vec<String> = f
                        .parse_error_line
                        .map(|line| format!("syntax error near line {line}; analysed what the parser could recover"))
                        .into_iter()
                        .collect();
                    if cut {
                        notes.push(format!(
                            "nesting too deep (over {} levels or the stack budget); the deeper parts were not analysed",
                            crate::source::MAX_DEPTH
                        ));
                    }
                    notes.extend(f.notes.iter().cloned());
                    let note = (!notes.is_empty()).then(|| notes.join("; "));
                    (f, note)
                }
                Err(_) => (
                    FileFacts::new_module(Span::default()),
                    Some("internal error while analysing this file (a bug: please report it); skipped".into()),
                ),
            }
        }
        (None, _) => (FileFacts::new_module(Span::default()), None),
    };
    let literals = catalog()
        .token_literals(text)
        .map(|m| (Span::new(m.start(), m.end()), literal_hash(m.as_str())))
        .collect();
    let mut facts = facts;
    if facts.lines.is_empty() {
        facts.lines = Arc::new(crate::facts::Lines::new(text));
    }
    Lowered {
        markers: crate::suppress::markers(0, text),
        literals,
        digest,
        facts: Arc::new(facts),
        note,
    }
}

/// `10s`, `250ms`: how a budget is shown in notes.
pub fn show_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Runs a scan. `Err` is a usage problem (bad glob, missing root).
pub fn scan(opts: &ScanOptions) -> Result<ScanResult, String> {
    // A root the user names must be readable: a directory whose entries
    // cannot be listed, or a file that cannot be opened, is no clean scan.
    // (A FIFO or socket root is not opened: it costs a note, as in a tree.)
    for r in &opts.roots {
        let readable = std::fs::metadata(r).and_then(|m| {
            if m.is_dir() {
                std::fs::read_dir(r).map(drop)
            } else if m.is_file() {
                std::fs::File::open(r).map(drop)
            } else {
                Ok(())
            }
        });
        if let Err(e) = readable {
            return Err(format!("cannot read path `{}`: {}", r.display(), walk::io_reason(&e)));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .stack_size(16 * 1024 * 1024)
        .build()
        .map_err(|e| e.to_string())?;
    pool.install(|| scan_in_pool(opts))
}

/// The stages, in order: walk, read and prefilter (lowering the files with
/// a trigger as soon as they are read), the second pass (files the first
/// pass imports or whose env vars it reads), numbering, link, rules, and
/// the redacted texts reporters may show.
fn scan_in_pool(opts: &ScanOptions) -> Result<ScanResult, String> {
    let walked = walk::walk(opts)?;
    let base = walked.base.clone();
    let focus = walked.focus.clone();
    let walked_in_focus = walked
        .files
        .iter()
        .filter(|c| focus.as_ref().is_none_or(|f| f.holds(&c.display)))
        .count();
    // Entries that cost a note (a FIFO, an unreadable directory) were met:
    // the pass is not silent.
    let mut nothing_scanned = (walked_in_focus == 0 && walked.problems == 0).then(|| empty_walk_reason(opts, &walked));
    crate::memory::release_freed();
    let mut stats = Stats {
        files_walked: walked.files.len(),
        ..Default::default()
    };
    stats.skipped.excluded_vendored = walked.skipped_vendored;
    let mut notes: Vec<Note> = walked.errors.iter().map(|(p, m)| Note::new(p, m.clone())).collect();

    let lowerings = Lowerings::default();
    let first = first_pass(opts, walked.files, focus.as_ref(), &lowerings, &mut stats, &mut notes);
    if nothing_scanned.is_none() && walked_in_focus > 0 && first.too_large_in_focus == walked_in_focus {
        nothing_scanned = Some(format!(
            "every file ({walked_in_focus}) is larger than --max-file-size ({} bytes)",
            opts.max_file_size
        ));
    }
    crate::memory::release_freed();
    let mut analysed = first.analysed;
    let second = second_pass(opts, &analysed, first.misses, &lowerings);
    drop(lowerings);
    analysed.extend(second);
    crate::memory::release_freed();
    analysed.sort_by(|a, b| a.path.cmp(&b.path));
    stats.files_analysed = analysed.len();

    let Numbered {
        mut markers,
        mut model,
        origins,
        sources,
    } = number(analysed, &mut notes);
    link(opts, &sources, &mut model, &mut notes);
    model.paths = sources.iter().map(|s| s.path.clone()).collect();
    model.lines = sources.iter().map(|s| s.facts.lines.clone()).collect();
    let mut bindings = crate::inventory::bindings_of(&model, &model.paths);
    let mut findings = rules::run(&RuleCtx { model: &model });
    locate(&mut findings, &model);
    let files = shown_files(&model, sources, &findings, &origins, &mut notes);

    fingerprint_all(&mut findings, &model.paths, &files);
    if let Some(f) = &focus {
        narrow_to_focus(f, &files, &mut findings, &mut notes, &mut markers, &mut bindings);
    }
    notes.sort();
    notes.dedup();
    Ok(ScanResult {
        files,
        findings,
        notes,
        stats,
        filtered: Filtered::default(),
        markers,
        bindings,
        base,
        nothing_scanned,
    })
}

/// What the first pass kept: the analysed files with a trigger, the code
/// files without one (second-pass candidates), and how many files in focus
/// were over the size limit.
struct FirstPass {
    analysed: Vec<Analysed>,
    misses: Vec<Candidate>,
    too_large_in_focus: usize,
}

/// Stage "read, prefilter, lower": every walked file is read once, in
/// parallel; a file with a trigger is lowered as soon as it is read. The
/// walk's list is consumed here: only the second pass's candidates outlive
/// it (on a large tree the list is tens of MB).
fn first_pass(
    opts: &ScanOptions,
    files: Vec<Candidate>,
    focus: Option<&walk::Focus>,
    lowerings: &Lowerings,
    stats: &mut Stats,
    notes: &mut Vec<Note>,
) -> FirstPass {
    let pre = Prefilter::from_catalog();
    let reads: Vec<Read> = files.par_iter().map(|c| read(c, opts, &pre, lowerings)).collect();
    let mut out = FirstPass {
        analysed: Vec::new(),
        misses: Vec::new(),
        too_large_in_focus: 0,
    };
    for (c, r) in files.into_iter().zip(reads) {
        if matches!(r, Read::TooLarge(_)) && focus.is_none_or(|f| f.holds(&c.display)) {
            out.too_large_in_focus += 1;
        }
        match r {
            Read::Hit(a) => out.analysed.push(*a),
            Read::Miss => {
                if frontend::lang_for_path(&c.display).is_some() {
                    out.misses.push(c);
                }
            }
            Read::Binary(note) => {
                stats.skipped.binary += 1;
                notes.extend(note.map(|message| Note::new(&c.display, message)));
            }
            Read::TooLarge(note) => {
                stats.skipped.too_large += 1;
                notes.extend(note.map(|message| Note::new(&c.display, message)));
            }
            Read::Invalid(m) => notes.push(Note::new(&c.display, m)),
        }
    }
    out
}

/// Stage "second pass": code files without a trigger that first-pass files
/// import, or that read the env vars first-pass files read, or that name
/// the settings classes first-pass files bind. Each candidate
/// is read once: wanted by path, or by the env vars it reads.
fn second_pass(
    opts: &ScanOptions,
    analysed: &[Analysed],
    misses: Vec<Candidate>,
    lowerings: &Lowerings,
) -> Vec<Analysed> {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut env_names: BTreeSet<String> = BTreeSet::new();
    for a in analysed {
        if let Some(l) = a.lang {
            wanted.extend(import_candidates(l, &a.path, &a.lowered.facts));
            // Only env vars shaped like a token pull other files in: a file
            // that never mentions Zoho matters only if it holds the token
            // (a `PORT` or `DATABASE_URL` read would pull in the whole tree).
            env_names.extend(
                a.lowered
                    .facts
                    .env_reads
                    .iter()
                    .filter(|n| catalog().is_token_slot_name(n) || catalog().is_api_domain_key(n))
                    .cloned(),
            );
            env_names.extend(configured_env_names(&a.lowered.facts));
            // A class bound to a configuration section (`Configure<CrmOptions>(…)`):
            // the files that declare and read it, by its name.
            env_names.extend(a.lowered.facts.settings_classes.iter().map(|b| b.class.clone()));
        }
    }
    let env_pre = (!env_names.is_empty()).then(|| NamePrefilter::new(&env_names.iter().collect::<Vec<_>>()));
    // `*a/b.py` wants any path ending in `/a/b.py` (an absolute Python module).
    let wanted_suffixes: BTreeSet<&str> = wanted.iter().filter_map(|w| w.strip_prefix('*')).collect();
    let is_wanted = |display: &str| {
        wanted.contains(display)
            || std::iter::once(0)
                .chain(display.match_indices('/').map(|(j, _)| j + 1))
                .any(|st| wanted_suffixes.contains(&display[st..]))
    };
    misses
        .into_par_iter()
        .filter_map(|c| {
            let by_path = is_wanted(&c.display);
            if !by_path && env_pre.is_none() {
                return None;
            }
            let bytes = read_whole(&mut std::fs::File::open(&c.path).ok()?, 0, opts.max_file_size).ok()??;
            // The name search runs on the bytes: only a file it pulls in is
            // decoded (validating every miss as UTF-8 would cost a pass).
            if !by_path && !env_pre.as_ref().is_some_and(|p| p.matches(&bytes)) {
                return None;
            }
            let text = decode(&c.display, bytes).ok()?;
            Some(analyse(
                c.display.clone(),
                c.path.clone(),
                text,
                opts.file_timeout,
                lowerings,
            ))
        })
        .collect()
}

/// The analysed files, numbered (a file's id is its place in path order).
struct Numbered {
    /// Suppression comments of every analysed file.
    markers: Vec<crate::suppress::Marker>,
    /// The model with its token literals (OT006); bindings come from `link`.
    model: Model,
    /// Where each file was read from and the digest of its text.
    origins: Vec<(PathBuf, u64)>,
    sources: Vec<SourceFile>,
}

/// Stage "number": gives each analysed file its id, moves its facts to the
/// linker's sources and its suppression comments and token literals to the
/// model, and keeps its lowering note.
fn number(analysed: Vec<Analysed>, notes: &mut Vec<Note>) -> Numbered {
    let mut out = Numbered {
        markers: Vec::new(),
        model: Model::default(),
        origins: Vec::with_capacity(analysed.len()),
        sources: Vec::with_capacity(analysed.len()),
    };
    for (fid, a) in analysed.into_iter().enumerate() {
        let l = &a.lowered;
        if let Some(n) = &l.note {
            notes.push(Note::new(&a.path, n.clone()));
        }
        out.markers.extend(
            l.markers
                .iter()
                .map(|m| crate::suppress::Marker { file: fid, ..m.clone() }),
        );
        for (span, hash) in &l.literals {
            out.model
                .token_literals
                .push((Loc { file: fid, span: *span }, hash.clone()));
        }
        out.origins.push((a.fs_path, l.digest));
        out.sources.push(SourceFile {
            path: a.path,
            lang: a.lang,
            facts: Arc::clone(&l.facts),
        });
    }
    out
}

/// Stage "link": the bindings, token stores and minted orgs of the model,
/// with a note for every place the analysis was cut short. A panic in the
/// linker costs the bindings and a note, never the scan.
fn link(opts: &ScanOptions, sources: &[SourceFile], model: &mut Model, notes: &mut Vec<Note>) {
    let linked = panic::catch_unwind(AssertUnwindSafe(|| {
        let linker = Linker::new(sources).with_time_budget(opts.file_timeout);
        let (bindings, cuts) = linker.bindings();
        let linked = Model {
            records: linker.records(&bindings),
            token_stores: linker.token_stores(),
            minted_orgs: linker.minted_orgs(),
            stored_tokens: linker.stored_tokens(),
            domain_records: linker.domain_records(),
            bindings,
            ..Model::default()
        };
        (linked, cuts)
    }));
    let Ok((linked, cuts)) = linked else {
        notes.push(Note::new(
            "",
            "internal error while linking (a bug: please report it); bindings skipped".into(),
        ));
        return;
    };
    // What the earlier stages put in the model stays; the linker adds the rest.
    *model = Model {
        token_literals: std::mem::take(&mut model.token_literals),
        paths: std::mem::take(&mut model.paths),
        ..linked
    };
    cut_notes(opts, sources, cuts, notes);
}

/// Fills in where the findings' places sit as a reader counts.
fn locate(findings: &mut [Finding], model: &Model) {
    for f in findings {
        for p in std::iter::once(&mut f.primary).chain(f.related.iter_mut().map(|r| &mut r.loc)) {
            p.pos = model.pos(p.loc());
        }
    }
}

/// One note per place the linker cut its analysis short; depth cuts, common
/// in one deeply nested file, make one note per file, naming the first
/// place and counting the others.
fn cut_notes(opts: &ScanOptions, sources: &[SourceFile], cuts: Vec<(Loc, Cut)>, notes: &mut Vec<Note>) {
    // Depth and step cuts, common in one large or deeply nested file, are
    // counted per file: one note naming the first place.
    let mut grouped: std::collections::BTreeMap<(usize, bool), Vec<u32>> = Default::default();
    for (loc, cut) in &cuts {
        if matches!(cut, Cut::Depth | Cut::Steps) {
            grouped
                .entry((loc.file, *cut == Cut::Depth))
                .or_default()
                .push(sources[loc.file].facts.lines.line_of(loc.span.start_byte()));
        }
    }
    for ((file, deep), mut lines) in grouped {
        lines.sort_unstable();
        lines.dedup();
        let first = lines[0];
        let message = match (deep, lines.len() - 1) {
            (true, others) => format!(
                "values at line {first}{} nest deeper than {} evaluation levels or {} nested helper calls; the deeper parts were not analysed, findings there may be incomplete",
                others_text(others, "place"),
                crate::link::EVAL_DEPTH_LIMIT,
                crate::link::HELPER_DEPTH_LIMIT
            ),
            (false, 0) => format!("analysis of the call at line {first} ran out of its budget; findings for it may be incomplete"),
            (false, others) => format!(
                "analysis of the calls at line {first}{} ran out of their budget; findings for them may be incomplete",
                others_text(others, "line")
            ),
        };
        notes.push(Note::new(&sources[file].path, message));
    }
    for (loc, cut) in cuts {
        let line = sources[loc.file].facts.lines.line_of(loc.span.start_byte());
        let message = match cut {
            Cut::Depth | Cut::Steps => continue,
            Cut::Crash => format!(
                "internal error while analysing the call at line {line} (a bug: please report it); that call was skipped"
            ),
            Cut::Time => format!(
                "linking took longer than the per-file budget of {}; the rest of this file was skipped (raise it with --file-timeout)",
                show_duration(opts.file_timeout.unwrap_or_default())
            ),
            Cut::Work => "linking ran past the per-file work budget; the rest of this file was skipped (the same on every machine: raise it with --work-budget)".to_string(),
        };
        notes.push(Note::new(&sources[loc.file].path, message));
    }
}

/// ` and 3 other places` (empty for none).
fn others_text(n: usize, what: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" and 1 other {what}"),
        n => format!(" and {n} other {what}s"),
    }
}

/// Stage "show": reporters see the redacted text of the files findings
/// point into; the others are empty. A file whose text changed since it was
/// analysed is shown without source lines, with a note.
fn shown_files(
    model: &Model,
    sources: Vec<SourceFile>,
    findings: &[Finding],
    origins: &[(PathBuf, u64)],
    notes: &mut Vec<Note>,
) -> Vec<ShownFile> {
    let paths = &model.paths;
    let shown: BTreeSet<usize> = findings
        .iter()
        .flat_map(|f| std::iter::once(f.primary.file).chain(f.related.iter().map(|r| r.loc.file)))
        .collect();
    let secret_spans = secret_spans(model, &sources, &shown);
    drop(sources);
    let texts: Vec<Option<String>> = origins
        .par_iter()
        .enumerate()
        .map(|(fid, (fs_path, want))| {
            if !shown.contains(&fid) {
                return Some(String::new());
            }
            let text = std::fs::read(fs_path).ok().and_then(|b| decode(&paths[fid], b).ok())?;
            if digest(&text) != *want {
                return None;
            }
            let mut spans = secret_spans.get(&fid).cloned().unwrap_or_default();
            spans.extend(crate::redact::query_secret_spans(&text));
            Some(crate::redact::mask(&text, &spans))
        })
        .collect();
    let mut files: Vec<ShownFile> = Vec::with_capacity(paths.len());
    for (p, t) in paths.iter().zip(texts) {
        if t.is_none() {
            notes.push(Note::new(
                p,
                "changed or removed during the scan; its findings are shown without source lines".into(),
            ));
        }
        files.push(ShownFile {
            path: p.clone(),
            text: t.unwrap_or_default(),
        });
    }
    files
}

/// Secrets to redact, per file: token-shaped literals, literals in token
/// slots, and (in the files shown, whose code frames show the lines around
/// a binding) credentials in slots named like one.
fn secret_spans(model: &Model, sources: &[SourceFile], shown: &BTreeSet<usize>) -> HashMap<usize, Vec<(usize, usize)>> {
    let mut spans: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for (loc, _) in &model.token_literals {
        spans
            .entry(loc.file)
            .or_default()
            .push((loc.span.start_byte(), loc.span.end_byte()));
    }
    for b in &model.bindings {
        for t in &b.tokens {
            if matches!(t.identity, crate::model::TokenIdentity::Literal(_)) {
                spans
                    .entry(t.origin.file)
                    .or_default()
                    .push((t.origin.span.start_byte(), t.origin.span.end_byte()));
            }
        }
    }
    for &fid in shown {
        spans
            .entry(fid)
            .or_default()
            .extend(crate::redact::named_secret_spans(&sources[fid].facts));
    }
    spans
}

/// A scan of roots below their git work tree's root linked the whole work
/// tree: it reports the results that touch the named roots (their root
/// place or a related place, as `--changed-since` does), their notes and
/// bindings, and says so in a note. Fingerprints were taken before, so they
/// are those of a scan of the whole tree.
fn narrow_to_focus(
    focus: &walk::Focus,
    files: &[ShownFile],
    findings: &mut Vec<Finding>,
    notes: &mut Vec<Note>,
    markers: &mut Vec<crate::suppress::Marker>,
    bindings: &mut Vec<crate::inventory::BindingInfo>,
) {
    let held = |file: usize| focus.holds(&files[file].path);
    let before = findings.len();
    findings.retain(|f| held(f.primary.file) || f.related.iter().any(|r| held(r.loc.file)));
    let elsewhere = before - findings.len();
    notes.retain(|n| n.path.is_empty() || focus.holds(&n.path));
    markers.retain(|m| held(m.file));
    bindings.retain(|b| focus.holds(&b.path));
    let trees: Vec<String> = focus.work_trees.iter().map(|w| format!("`{w}`")).collect();
    let roots: Vec<String> = focus.roots.iter().map(|r| format!("`{r}`")).collect();
    let elsewhere = match elsewhere {
        0 => String::new(),
        1 => "; 1 result elsewhere in it is not shown".to_string(),
        n => format!("; {n} results elsewhere in it are not shown"),
    };
    notes.push(Note {
        path: String::new(),
        message: format!(
            "{} linked against the whole git work tree at {} (imports, configuration and env files outside it); shown: the results that touch {}{elsewhere}",
            roots.join(", "),
            trees.join(", "),
            if roots.len() == 1 { "it" } else { "them" },
        ),
    });
}

/// Why a walk found nothing to read, for the warning.
fn empty_walk_reason(opts: &ScanOptions, walked: &walk::Walk) -> String {
    let roots: Vec<String> = match &walked.focus {
        Some(f) => f.roots.clone(),
        None => opts.roots.iter().map(|r| r.display().to_string()).collect(),
    };
    let roots = roots.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ");
    let mut why = Vec::new();
    if walked.excluded > 0 {
        let pats: Vec<String> = walked.excluded_by.iter().map(|p| format!("`{p}`")).collect();
        why.push(format!(
            "excluded by {} {} (--exclude, or `exclude` in .orgtoken.toml)",
            if pats.len() == 1 { "the pattern" } else { "the patterns" },
            pats.join(", ")
        ));
    }
    if walked.skipped_vendored > 0 {
        why.push("in vendored directories (--include-vendored scans them)".to_string());
    }
    if why.is_empty() && walked.own_skipped > 0 && !any_file_under(&opts.roots, &opts.own_files) {
        return format!("{roots} holds no files but orgtoken's own (the project file, baselines)");
    }
    if why.is_empty() {
        if any_file_under(&opts.roots, &[]) {
            why.push("matched by .gitignore or .ignore rules (--no-ignore scans them)".to_string());
        } else {
            return format!("{roots} holds no files");
        }
    }
    format!("every file under {roots} is {}", why.join(", or "))
}

/// Whether a root holds any file at all, whatever the ignore rules say,
/// besides those named by `own` (file names or globs).
fn any_file_under(roots: &[PathBuf], own: &[String]) -> bool {
    let own: Vec<globset::GlobMatcher> = own
        .iter()
        .filter_map(|g| globset::Glob::new(&format!("**/{}", g.trim_start_matches("**/"))).ok())
        .map(|g| g.compile_matcher())
        .collect();
    roots.iter().any(|r| {
        ignore::WalkBuilder::new(r)
            .standard_filters(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build()
            .flatten()
            .any(|e| e.file_type().is_some_and(|t| t.is_file()) && !own.iter().any(|m| m.is_match(e.path())))
    })
}

/// Env vars a config file sets to a token or an endpoint: code that reads
/// them is linked to the file even when it never mentions Zoho.
fn configured_env_names(facts: &FileFacts) -> Vec<String> {
    let c = catalog();
    let mut out = Vec::new();
    for p in &facts.profiles {
        for s in &p.settings {
            let mut text = String::new();
            collect_text(&s.value, &mut text);
            let last = crate::config::key_name(&s.key);
            if !(c.is_token_slot_name(&last) || !c.find_hosts(&text).is_empty() || c.is_token_literal(text.trim())) {
                continue;
            }
            if s.env {
                out.push(s.key.clone());
            } else if s.key.contains('.') && s.key.len() >= 6 {
                // A configuration key as code reads it: `zoho.api-domain`
                // (Spring), `Zoho:ApiDomain` (.NET).
                out.push(s.key.clone());
                out.push(s.key.replace('.', ":"));
            }
        }
    }
    out
}

fn collect_text(e: &crate::facts::Expr, out: &mut String) {
    use crate::facts::ExprKind;
    match &e.kind {
        ExprKind::Str(s) => out.push_str(s),
        ExprKind::Concat(parts) => parts.iter().for_each(|p| collect_text(p, out)),
        ExprKind::Alt { alts, .. } => alts.iter().for_each(|p| collect_text(p, out)),
        _ => {}
    }
}

/// A token identity without line numbers: identities of minted tokens name
/// the line of their token call, which moves when lines are inserted.
pub fn stable_token(token: &str) -> String {
    token
        .split(':')
        .filter(|part| !part.chars().all(|c| c.is_ascii_digit()) || part.is_empty())
        .collect::<Vec<_>>()
        .join(":")
}

/// Line-independent fingerprints (see [`Finding::fingerprint`] and
/// [`Finding::site`]). Findings equal in every part are told apart by their
/// occurrence index in file order, so a new copy of an accepted binding gets
/// a fingerprint of its own; the first occurrence keeps the plain hash
/// (baselines written before the index existed still match it).
fn fingerprint_all(findings: &mut [Finding], paths: &[String], files: &[ShownFile]) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].primary.file, findings[i].primary.span.start, i));
    let mut seen_fp: HashMap<String, usize> = HashMap::default();
    let mut seen_site: HashMap<String, usize> = HashMap::default();
    for i in order {
        let f = &findings[i];
        let text = files
            .get(f.primary.file)
            .and_then(|sf| sf.text.get(f.primary.span.bytes()))
            .unwrap_or("");
        let normalised: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let token = stable_token(f.token.as_deref().unwrap_or(""));
        let envs = f.environments.join(",");
        let path = &paths[f.primary.file];
        let fp = short_hash(&[f.rule, &token, path, &envs, &normalised]);
        let site = short_hash(&[f.rule, &token, path, &normalised]);
        let with_index = |seen: &mut HashMap<String, usize>, h: String| {
            let n = seen.entry(h.clone()).or_insert(0);
            let out = if *n == 0 {
                h.clone()
            } else {
                short_hash(&[&h, &n.to_string()])
            };
            *n += 1;
            out
        };
        let fp = with_index(&mut seen_fp, fp);
        let site = with_index(&mut seen_site, site);
        findings[i].fingerprint = fp;
        findings[i].site = site;
    }
}

/// The first 8 bytes of the SHA-256 of `parts` (each followed by a NUL), in hex.
fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Default thread count: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

pub fn roots_or_default(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_of_one_file_cut_by_a_budget_make_one_note() {
        let sources: Vec<SourceFile> = ["a.py", "b.py"]
            .iter()
            .map(|p| SourceFile {
                path: p.to_string(),
                lang: Some(Lang::Python),
                // 50 empty lines: line n starts at offset n - 1.
                facts: Arc::new(crate::frontend::testing::with_lines(
                    FileFacts::default(),
                    &"\n".repeat(50),
                )),
            })
            .collect();
        let at = |file: usize, line: u32| Loc {
            file,
            span: Span::new(line as usize - 1, line as usize - 1),
        };
        let cuts = vec![
            (at(0, 30), Cut::Steps),
            (at(0, 12), Cut::Steps),
            (at(0, 30), Cut::Steps),
            (at(0, 44), Cut::Steps),
            (at(1, 7), Cut::Steps),
            (at(1, 9), Cut::Depth),
        ];
        let mut notes = Vec::new();
        cut_notes(&ScanOptions::default(), &sources, cuts, &mut notes);
        notes.sort();
        let said: Vec<(&str, &str)> = notes.iter().map(|n| (n.path.as_str(), n.message.as_str())).collect();
        assert_eq!(
            said,
            [
                ("a.py", "analysis of the calls at line 12 and 2 other lines ran out of their budget; findings for them may be incomplete"),
                ("b.py", "analysis of the call at line 7 ran out of its budget; findings for it may be incomplete"),
                ("b.py", "values at line 9 nest deeper than 48 evaluation levels or 12 nested helper calls; the deeper parts were not analysed, findings there may be incomplete"),
            ]
        );
    }

    #[test]
    fn a_file_read_whole_stops_past_the_size_limit() {
        // A file that grew after the walk measured it is not read unbounded.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log.txt");
        std::fs::write(&p, b"0123456789").unwrap();
        let whole = |max| read_whole(&mut std::fs::File::open(&p).unwrap(), 4, max).unwrap();
        assert_eq!(whole(10).as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(whole(9), None);
    }

    #[test]
    fn copies_of_a_text_are_lowered_once_unless_their_paths_matter() {
        let lowerings = Lowerings::default();
        let at = |path: &str, text: &str| {
            analyse(path.into(), path.into(), text.into(), None, &lowerings)
                .lowered
                .facts
                .clone()
        };
        let code = "import os\nTOKEN = os.environ['ZOHO_TOKEN']\n";
        let (a, b) = (at("v1/crm/api.py", code), at("v2/crm/api.py", code));
        assert!(Arc::ptr_eq(&a, &b), "copies share their facts");
        assert!(!Arc::ptr_eq(&a, &at("v1/crm/other.py", "x = 1\n")), "another text");
        // What the lowering reads of the path is part of the key: a Django
        // settings module, a config file, the TypeScript dialect.
        assert!(!Arc::ptr_eq(&a, &at("v1/settings.py", code)));
        let yml = "env:\n  ZOHO_TOKEN: x\n";
        assert!(!Arc::ptr_eq(
            &at("a/.github/workflows/ci.yml", yml),
            &at("b/.github/workflows/ci.yml", yml)
        ));
        let ts = "const a = <T>(x: T) => x;\n";
        assert!(!Arc::ptr_eq(&at("a/x.ts", ts), &at("a/x.tsx", ts)));
        assert!(Arc::ptr_eq(&at("a/x.ts", ts), &at("b/y.ts", ts)));
    }

    #[test]
    fn a_file_removed_before_it_is_read_is_a_note() {
        let c = Candidate {
            path: PathBuf::from("/nonexistent/orgtoken-test/gone.py"),
            display: "gone.py".into(),
        };
        let opts = ScanOptions {
            roots: Vec::new(),
            excludes: Vec::new(),
            no_ignore: false,
            include_vendored: false,
            max_file_size: 1 << 20,
            threads: 1,
            file_timeout: None,
            ..Default::default()
        };
        match read(&c, &opts, &Prefilter::from_catalog(), &Lowerings::default()) {
            Read::Invalid(m) => assert_eq!(m, "cannot read: no such file (removed during the scan?); skipped"),
            _ => panic!("a missing file is a note"),
        }
    }
}
