//! Linking: resolves the facts of every file into values, and finds the
//! bindings (DESIGN §3 step 5).
//!
//! Values are sets of alternatives ([`Val`]): a ternary, an `if`, a map
//! lookup by a run-time key all yield several. Names resolve flow-
//! insensitively within their scope chain, then through imports to other
//! files; `self.x`/`this.x` resolve to the class's field assignments; calls
//! to functions defined in the repository are seen through their summaries
//! (their returns, and the bindings they make with their parameters).
//!
//! This module knows languages only through the fact model and Zoho only
//! through the catalog. It never prints and never reads files.
//!
//! The passes, one file each, all methods of the one [`Linker`] and its
//! caches (this file holds the value types, the linker and its limits):
//! - `index.rs` — per-file lookup tables, built once per file;
//! - `imports.rs` — resolve imports: the file a module path names;
//! - `names.rs` — resolve names: the assignments that reach a name;
//! - `classes.rs` — resolve classes: fields and members through a family;
//! - `eval.rs` — evaluate values: an expression to its alternatives;
//! - `calls.rs` — summarise calls: returns under the caller's arguments;
//! - `memo.rs` — a summary (and a helper's locals) computed once per
//!   argument values, reused only where it would come out the same;
//! - `bind.rs` — bind endpoints: endpoints, tokens and orgs in a call;
//! - `bindings.rs` — the bindings of the repository, one per request site,
//!   SDK initialisation and helper call (the entry point, [`Linker::bindings`]);
//! - `org.rs`, `store.rs`, `profiles.rs` — orgs, token stores and profiles;
//! - `syntax.rs` — method chains, receivers and import paths.
//!
//! Keying (whether a pair is chosen by one key) and root places (where a
//! result is reported) are read from the bindings by `crate::rules`.

mod bind;
mod bindings;
mod calls;
mod classes;
mod eval;
mod imports;
mod index;
mod memo;
mod names;
mod org;
mod profiles;
mod store;
mod syntax;

pub use bind::Ingredients;
pub use syntax::{chain_calls, import_candidates};

use eval::{merge_spread, rekey, set_field};
use index::{FileIndex, Names};
use syntax::{candidate_paths, directory_package};

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;

use crate::catalog::{catalog, DcId};
use crate::facts::*;
use crate::model::*;

/// A parsed file as the linker sees it.
pub struct SourceFile {
    /// Path relative to the scan's `PathBase`, `/`-separated.
    pub path: String,
    /// `None` for files that are scanned as text only (OT006).
    pub lang: Option<Lang>,
    /// Shared by the copies of one file (the scan lowers each content once).
    pub facts: std::sync::Arc<FileFacts>,
}

/// Alternatives beyond this count are dropped (a value is a small set).
const MAX_ALTS: usize = 32;
/// Nesting of name resolution / calls beyond this yields Unknown. Every
/// name, member, index and part of a concatenation is one level, so a chain
/// of eight ordinary hops (a request's URL built from a record read from a
/// query on a connection) already takes 24: at 24, one real repository in
/// two got a note on ordinary scripts; at 48 the 63 of `realworld/` keep
/// the same findings and eight notes, on chains that really are long.
const MAX_EVAL_DEPTH: usize = 48;
/// How many nested function summaries a value may go through (a helper
/// calling a helper): real clients build a host through
/// `call()→get_url()→base_url()→region_tld()→host()`. Deeper chains are cut
/// with a note at the place (the memo keeps repeated summaries cheap, and
/// the fuel bounds any call site).
const MAX_SUMMARY_DEPTH: usize = 12;
/// Evaluation steps one call site may take: a pathological call graph costs
/// a note, never a hang.
const FUEL_PER_CALL_SITE: u32 = 200_000;

/// A class's bases and subclasses (transitively).
type Family = (Vec<ScopeRef>, Vec<ScopeRef>);

/// Why the analysis of a place was cut short (each costs the user a note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The call site ran out of its evaluation steps.
    Steps,
    /// A bug: the call site's analysis panicked.
    Crash,
    /// The file's linking ran past the per-file time budget.
    Time,
    /// The file's linking ran past the per-file work budget.
    Work,
    /// An evaluation nested deeper than `MAX_EVAL_DEPTH`, or a value built
    /// through more than `MAX_SUMMARY_DEPTH` nested helper calls (the
    /// deeper part is taken as unknown).
    Depth,
}

/// Nesting of name resolution / calls beyond which a value is unknown
/// (shown in the note that says so).
pub const EVAL_DEPTH_LIMIT: usize = MAX_EVAL_DEPTH;
/// Nested helper calls a value is followed through (same note).
pub const HELPER_DEPTH_LIMIT: usize = MAX_SUMMARY_DEPTH;

/// A statement the linker turns into bindings.
#[derive(Clone, Copy)]
enum Site<'f> {
    Call(&'f CallSite),
    Assign(&'f Assign),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub kind: VKind,
    pub at: Loc,
    /// The run-time choice that selected this value, if any: rare, so
    /// shared behind one pointer (every cache holds `Val`s). Never
    /// `Some` of an empty choice, so that equal values compare equal.
    choice: Option<Rc<Choice>>,
    pub via_param: bool,
}

// Every cache holds `Val`s: keep them small (64 bytes on 64-bit targets).
const _: () = assert!(std::mem::size_of::<Val>() <= 64);

/// The key that chose a value ([`Val::sel`]), where that choice is made
/// ([`Val::switch`]) and the choice inside it ([`Val::inner`]).
#[derive(Debug, Clone, PartialEq, Default)]
struct Choice {
    sel: Option<Rc<str>>,
    /// Where the run-time choice that `sel` names is made: the ternary, the
    /// `if` around an assignment, the map lookup. The root place of a switch.
    switch: Option<Loc>,
    /// A choice made inside the one `sel` names, which that outer choice
    /// took the place of (the sandbox ternary inside a match arm over data
    /// centers): what picks among the values of one arm.
    inner: Option<Box<InnerChoice>>,
    /// The return that gave this value (or the record it was read from),
    /// of a function with several returns: values given by two different
    /// returns of one function came from different runs of it, so they
    /// never meet. Travels with the value through every read, string and
    /// lookup made of it, whatever key chose it.
    branch: Option<Branch>,
}

/// The key of an inner choice ([`Val::inner`]) and where it is made.
#[derive(Debug, Clone, PartialEq)]
pub struct InnerChoice {
    pub sel: Rc<str>,
    pub switch: Option<Loc>,
}

impl Val {
    /// The key of the run-time choice that selected this value.
    pub fn sel(&self) -> Option<&Rc<str>> {
        self.choice.as_ref().and_then(|c| c.sel.as_ref())
    }

    pub fn sel_str(&self) -> Option<&str> {
        self.sel().map(|s| &**s)
    }

    /// Where the choice [`Val::sel`] names is made.
    pub fn switch(&self) -> Option<Loc> {
        self.choice.as_ref().and_then(|c| c.switch)
    }

    /// A choice inside the one [`Val::sel`] names.
    pub fn inner(&self) -> Option<&InnerChoice> {
        self.choice.as_ref().and_then(|c| c.inner.as_deref())
    }

    /// The return of a function with several returns that gave this value.
    pub fn branch(&self) -> Option<Branch> {
        self.choice.as_ref().and_then(|c| c.branch)
    }

    /// Given by the return at `at`, unless an inner function's return gave
    /// it already.
    fn returned_at(&mut self, at: Branch) {
        if self.branch().is_none() {
            self.edit_choice(|c| c.branch = Some(at));
        }
    }

    /// Made of `from`: the return that gave `from` gave this value too.
    fn branch_of(&mut self, from: &Val) {
        if let (None, Some(b)) = (self.branch(), from.branch()) {
            self.edit_choice(|c| c.branch = Some(b));
        }
    }

    /// Changes the choice, keeping it `None` when it is empty.
    fn edit_choice(&mut self, f: impl FnOnce(&mut Choice)) {
        let mut c = self.choice.take().map(Rc::unwrap_or_clone).unwrap_or_default();
        f(&mut c);
        if c.sel.is_some() || c.switch.is_some() || c.inner.is_some() || c.branch.is_some() {
            self.choice = Some(Rc::new(c));
        }
    }

    pub fn set_sel(&mut self, sel: Option<Rc<str>>) {
        if sel.is_some() || self.choice.is_some() {
            self.edit_choice(|c| c.sel = sel);
        }
    }

    pub fn set_switch(&mut self, switch: Option<Loc>) {
        if switch.is_some() || self.choice.is_some() {
            self.edit_choice(|c| c.switch = switch);
        }
    }

    /// Selected by `sel` at `switch` (the inner choice unchanged).
    pub fn set_choice(&mut self, sel: Option<Rc<str>>, switch: Option<Loc>) {
        if sel.is_some() || switch.is_some() || self.choice.is_some() {
            self.edit_choice(|c| {
                c.sel = sel;
                c.switch = switch;
            });
        }
    }

    /// Takes `from`'s whole choice (key, switch, inner choice).
    fn choice_of(&mut self, from: &Val) {
        self.choice = from.choice.clone();
    }

    /// Takes `from`'s selector (and the place of its switch) unless this
    /// value is already selected.
    fn inherit_sel(&mut self, from: &Val) {
        if self.sel().is_none() {
            let own = self.branch();
            self.choice_of(from);
            if let Some(b) = own {
                self.edit_choice(|c| c.branch = Some(b));
            }
        } else {
            self.branch_of(from);
        }
    }

    /// This value chosen by `sel` at `switch`. Another key that already
    /// chose it (inside this choice's arm) is kept as `inner`.
    fn chosen_by(&mut self, sel: Rc<str>, switch: Loc) {
        self.edit_choice(|c| {
            if c.inner.is_none() && c.sel.as_ref().is_some_and(|s| *s != sel) {
                c.inner = c.sel.take().map(|sel| Box::new(InnerChoice { sel, switch: c.switch }));
            }
            c.sel = Some(sel);
            c.switch = Some(switch);
        });
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Literal text and where it is written.
    Lit(String, Loc),
    Hole(Box<Val>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum VKind {
    Str(Vec<Piece>),
    Env(String),
    /// The process environment, or a settings object validated from it
    /// ([`ExprKind::EnvObject`]): its members are env reads.
    EnvObject,
    /// An opaque value with an identity (an unresolved name, a parameter…).
    Sym(Rc<str>, SymKind),
    /// An SDK environment object.
    Sdk(crate::catalog::Environment),
    /// An SDK token object; its identity comes from these values.
    TokenObj(Vec<Val>),
    Dict(Rc<Vec<(Option<String>, Vec<Val>)>>),
    /// A list or tuple: each element's alternatives, in order.
    List(Rc<Vec<Vec<Val>>>),
    /// The result of a call (or a configured object) that carries what its
    /// arguments held: endpoints and tokens.
    Carrier(Rc<Ingredients>),
    Func(FileId, ScopeId),
    Module(FileId),
    /// The API domain that came with a token (`api_domain`): keyed.
    Derived,
    /// The API domain that came with a token, rewritten into another
    /// environment (`api_domain.replace("www", "sandbox")`): behind a
    /// run-time choice, the token meets an environment it was not minted
    /// for.
    Moved(crate::catalog::EnvKind),
    Minted(Option<DcId>, Rc<str>),
    /// Rows read from a repository ORM model that stores tokens
    /// (`ZohoToken.objects.latest("timestamp")`): its token fields are
    /// store reads.
    Stored(FileId, ScopeId),
    /// An instance of a class defined in the repository, with what its
    /// constructor kept of the arguments it was built with, if known.
    Instance(FileId, ScopeId, Option<Fields>),
    Bool(bool),
    Other,
}

/// The fields a constructor call fills from its arguments, sorted by key
/// (`this.host` → the values the call passes in).
pub type Fields = Rc<Vec<(String, Vec<Val>)>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymKind {
    Symbol,
    Param,
    /// A secret held outside the repository (`secret:X`, `k8s-secret:a/b`).
    Secret,
}

/// A module's dict (its file, its name) → the statement calls of other files
/// that fill it (the importing file, the call's index).
type ImportedUpdates = HashMap<(FileId, Box<str>), Vec<(FileId, usize)>>;

/// The run-time state (guards, budgets, caches) starts empty: `new` fills
/// only the tables built from the files.
#[derive(Default)]
pub struct Linker<'r> {
    pub files: &'r [SourceFile],
    /// Assignments being evaluated (cycle guard).
    stack: RefCell<Vec<memo::AssignRef>>,
    /// Functions whose returns are being evaluated (recursion guard).
    in_progress: RefCell<Vec<ScopeRef>>,
    /// Fields of built instances being evaluated (recursion guard: a write
    /// that reads the field it writes gives the class-wide values).
    fields_in_progress: RefCell<Vec<(ScopeRef, Box<str>)>>,
    fuel: std::cell::Cell<u32>,
    starved: std::cell::Cell<bool>,
    /// Set when an evaluation was cut at `MAX_EVAL_DEPTH`.
    too_deep: std::cell::Cell<bool>,
    /// Set when the current site's analysis met a token or an endpoint: a
    /// depth cut there may hide a finding and costs a note; elsewhere it
    /// cannot, and stays quiet.
    touched: std::cell::Cell<bool>,
    /// Time the linking of one file may take (`--file-timeout`).
    time_budget: Option<std::time::Duration>,
    depth: std::cell::Cell<usize>,
    /// Keyed by the name's number ([`Linker::key_id`]): no string per entry,
    /// and none made for each look-up. The largest cache: file and scope as
    /// 32-bit numbers and the values as a boxed slice (32 bytes an entry,
    /// not 48).
    name_cache: Cache<(u32, u32, u32), Box<[Val]>>,
    /// The file being linked, and the name-cache keys of its functions'
    /// and classes' names made while it is ([`Linker::between_files`]).
    linking: std::cell::Cell<u32>,
    local_names: RefCell<Vec<(u32, u32, u32)>>,
    field_cache: Cache<(FileId, ScopeId, u32), Vec<Val>>,
    /// The classes a bare class name means in a file ([`Linker::nearest_classes`]).
    nearest_cache: Cache<(FileId, u32), Rc<Vec<ScopeRef>>>,
    /// The names the caches above are keyed by, one copy each.
    key_ids: RefCell<HashMap<Box<str>, u32>>,
    /// Bases and subclasses of a class (found by name, nearest first).
    family_cache: Cache<ScopeRef, Rc<Family>>,
    /// Values of a set of reaching assignments (`x = f(x)` chains under
    /// branches would otherwise be evaluated once per path).
    /// (32-bit numbers, boxed slices: one of the largest caches.)
    reaching_cache: Cache<(u32, Box<[u32]>), Vals>,
    /// Returns of functions that do not depend on their parameters.
    return_cache: Cache<(FileId, ScopeId), Vec<Val>>,
    /// Calls inside a function that carry a token or an endpoint on their own
    /// (the only ones a call site can complete into a binding).
    template_cache: Cache<(FileId, ScopeId), Rc<Vec<usize>>>,
    /// What configuring statements give an object (file, root key as
    /// [`Linker::key_id`], function or class); `None`: nothing.
    configured_cache: Cache<(u32, u32, u32), Option<Rc<Ingredients>>>,
    /// Objects whose configuration is being gathered (recursion guard).
    configuring: RefCell<Vec<(FileId, String)>>,
    /// Per file; copies of one file share theirs.
    index: Vec<Rc<FileIndex>>,
    /// The names the per-file indexes are keyed by.
    names: Names,
    /// Path → file.
    by_path: HashMap<&'r str, FileId>,
    /// Class name → the classes of that name; base name → its subclasses.
    classes_by_name: HashMap<&'r str, Vec<ScopeRef>>,
    /// Class name → where a framework binds it to a configuration section
    /// (the file and the index of its [`crate::facts::SettingsClass`]).
    settings_classes: HashMap<&'r str, Vec<(FileId, usize)>>,
    subclasses: HashMap<&'r str, Vec<ScopeRef>>,
    /// A file's name (its path's last part) → the files of that name.
    by_file_name: HashMap<&'r str, Vec<FileId>>,
    /// Profiles of config files, with their effective settings.
    profiles: profiles::ProfileTable,
    /// The profiles' values of each env var / config key code reads.
    env_cache: Cache<String, Option<Rc<Vec<Option<Val>>>>>,
    /// Where a profile's value of an env var was read into code: value → name.
    env_origin: RefCell<HashMap<Loc, String>>,
    /// Env vars whose values code uses as a token (so profiles setting them
    /// hold a token even when the name does not say so).
    token_env: RefCell<std::collections::HashSet<String>>,
    /// Legacy configs met while finding bindings (their stored user rows).
    legacy_stores: RefCell<Vec<TokenStore>>,
    /// Set while the arguments of a call on a legacy SDK class are scanned
    /// (`ZCRMRestClient.initialize(config)`): a dict given there is a legacy
    /// config even when it names no user.
    legacy_call: std::cell::Cell<bool>,
    /// Minted tokens and the orgs their token requests name (`soid`).
    minted_orgs: RefCell<Vec<(TokenIdentity, OrgAlt)>>,
    /// Token identities read from a token store (or minted from such a
    /// read) → the store's place ([`Linker::note_stored`]).
    stored_tokens: RefCell<Vec<(TokenIdentity, Loc)>>,
    /// Keys that are fields of a record the program read (`cfg.api_base`
    /// of `cfg = json.load(f)`) → that record's key ([`Linker::records`]).
    record_fields: RefCell<HashMap<Rc<str>, Rc<str>>>,
    /// The classes that are ORM models of token tables, with the store each
    /// reads ([`Linker::token_model`]); built on first use.
    token_models: std::cell::OnceCell<HashMap<(FileId, ScopeId), Loc>>,
    /// A module's name (its file, the name) → the statement calls of other
    /// files that import it by name and fill it from a value
    /// (`from settings import CONFIG; CONFIG.update(json.load(f))`: the
    /// importing file and the call's index); built on first use.
    imported_updates: std::cell::OnceCell<ImportedUpdates>,
    /// SDK calls that select an org, bound after the SDK's initialisations.
    sdk_org_sites: RefCell<Vec<(Loc, Vec<OrgAlt>)>>,
    /// The orgs the callers of a function pass as one of its parameters.
    param_orgs: Cache<(FileId, ScopeId, String), CallerOrgs>,
    /// Directory → its files (for languages whose package is a directory).
    by_dir: HashMap<&'r str, Vec<FileId>>,
    /// The file an import names, per importing directory and language:
    /// [`Linker::resolve_module`] is a pure function of them, asked again
    /// for every use of an imported name.
    module_cache: Cache<(&'r str, Lang, String), Option<FileId>>,
    /// A callee's last name → the call sites (file, index in its calls, in
    /// file and call order) whose call chain has a call of that name; built
    /// on first use (`org::caller_orgs`), so that finding a function's
    /// callers looks at the calls of its name, not every call.
    /// 32-bit numbers, no spare capacity: one entry per call in the scan.
    calls_by_name: std::cell::OnceCell<HashMap<&'r str, Sites>>,
    /// A getter's name → the class methods of that name that reading the
    /// member calls (`Scope::getter`); built on first use.
    getters_by_name: std::cell::OnceCell<HashMap<&'r str, Vec<ScopeRef>>>,
    /// Function summaries per argument values ([`memo`]).
    memo: RefCell<memo::Memo>,
    /// Symbol names made so far, one copy each ([`Linker::intern`]).
    symbols: RefCell<rustc_hash::FxHashSet<Rc<str>>>,
    /// How many symbol names were held at the last look ([`Linker::intern`]).
    symbols_kept: std::cell::Cell<usize>,
}

/// The values bound to a function's parameters for one call.
#[derive(Default)]
pub struct Params {
    vars: HashMap<String, Vec<Val>>,
    /// The number [`memo`] gives these values (0: not asked yet).
    id: std::cell::Cell<u32>,
}

impl Params {
    fn get(&self, name: &str) -> Option<&Vec<Val>> {
        self.vars.get(name)
    }

    fn insert(&mut self, name: String, vs: Vec<Val>) {
        self.vars.insert(name, vs);
    }

    fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// An instance's constructed fields, as the parameters of its methods.
    fn of_fields(fields: &Fields) -> Params {
        let mut p = Params::default();
        for (k, vs) in fields.iter() {
            p.insert(k.clone(), vs.clone());
        }
        p
    }
}

/// Where a name or a call is evaluated: the file, the scope, and the
/// values of the parameters of the function being summarised (`None`
/// outside a summary).
#[derive(Clone, Copy)]
pub(super) struct Cx<'p> {
    file: FileId,
    scope: ScopeId,
    params: Option<&'p Params>,
}

impl<'p> Cx<'p> {
    fn new(file: FileId, scope: ScopeId, params: Option<&'p Params>) -> Self {
        Cx { file, scope, params }
    }

    /// A file's module level, outside any summary.
    fn module(file: FileId) -> Self {
        Cx::new(file, 0, None)
    }

    /// The same file and parameters, in another scope.
    fn within(self, scope: ScopeId) -> Self {
        Cx { scope, ..self }
    }
}

/// The orgs a function's callers pass as one parameter (`None`: no caller).
type CallerOrgs = Option<Rc<Vec<OrgAlt>>>;
/// Values kept by a cache (`None`: no value).
type Vals = Option<Box<[Val]>>;
/// Call sites: (file, index in its calls).
type Sites = Box<[(u32, u32)]>;
type Cache<K, V> = RefCell<HashMap<K, V>>;
/// A scope in a file: a class or a function.
type ScopeRef = (FileId, ScopeId);

fn val(kind: VKind, file: FileId, span: Span) -> Val {
    Val {
        kind,
        at: Loc { file, span },
        choice: None,
        via_param: false,
    }
}

fn push_alts(out: &mut Vec<Val>, vs: Vec<Val>) {
    for v in vs {
        if out.len() >= MAX_ALTS {
            break;
        }
        out.push(v);
    }
}

/// The flattened text of a string value with `\u{1}` for holes.
fn probe_text(pieces: &[Piece]) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Lit(l, _) => s.push_str(l),
            Piece::Hole(_) => s.push('\u{1}'),
        }
    }
    s
}

impl<'r> Linker<'r> {
    /// Sets the time the linking of one file may take (None: no limit).
    pub fn with_time_budget(mut self, budget: Option<std::time::Duration>) -> Self {
        self.time_budget = budget;
        self
    }

    pub fn new(files: &'r [SourceFile]) -> Self {
        let by_path = files.iter().enumerate().map(|(i, f)| (f.path.as_str(), i)).collect();
        let mut by_file_name: HashMap<&str, Vec<FileId>> = HashMap::default();
        for (i, f) in files.iter().enumerate() {
            let name = f.path.rsplit_once('/').map_or(f.path.as_str(), |(_, n)| n);
            by_file_name.entry(name).or_default().push(i);
        }
        let mut by_dir: HashMap<&str, Vec<FileId>> = HashMap::default();
        for (i, f) in files.iter().enumerate() {
            if f.lang.is_some_and(directory_package) {
                let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                by_dir.entry(dir).or_default().push(i);
            }
        }
        let mut classes_by_name: HashMap<&str, Vec<ScopeRef>> = HashMap::default();
        let mut subclasses: HashMap<&str, Vec<ScopeRef>> = HashMap::default();
        let mut settings_classes: HashMap<&str, Vec<(FileId, usize)>> = HashMap::default();
        for (fid, f) in files.iter().enumerate() {
            for (i, b) in f.facts.settings_classes.iter().enumerate() {
                settings_classes.entry(b.class.as_str()).or_default().push((fid, i));
            }
            for (sid, sc) in f.facts.scopes.iter().enumerate() {
                if sc.kind == ScopeKind::Class && !sc.name.is_empty() {
                    classes_by_name.entry(sc.name.as_str()).or_default().push((fid, sid));
                    for b in &sc.bases {
                        subclasses.entry(b.as_str()).or_default().push((fid, sid));
                    }
                }
            }
        }
        let mut names = Names::default();
        // Copies of one file share their facts, and so their index (it is a
        // function of the facts and of the names met before, which the
        // first copy already brought in).
        let mut built: HashMap<*const FileFacts, Rc<FileIndex>> = HashMap::default();
        let index = files
            .iter()
            .map(|f| {
                let ix = built.entry(std::sync::Arc::as_ptr(&f.facts));
                Rc::clone(ix.or_insert_with(|| Rc::new(FileIndex::build(&f.facts, &mut names))))
            })
            .collect();
        let mut linker = Linker {
            files,
            index,
            names,
            by_path,
            by_file_name,
            by_dir,
            classes_by_name,
            settings_classes,
            subclasses,
            fuel: std::cell::Cell::new(FUEL_PER_CALL_SITE),
            ..Default::default()
        };
        linker.profiles = profiles::ProfileTable::build(&linker);
        linker
    }

    /// The 1-based line and column where a span of a file starts (the
    /// names made of a place: `cond@path:line`).
    fn position(&self, file: FileId, span: Span) -> (u32, u32) {
        self.files[file].facts.lines.position(span.start_byte())
    }

    /// The 1-based line where a span of a file starts.
    fn line(&self, file: FileId, span: Span) -> u32 {
        self.position(file, span).0
    }

    /// Between two files: lets go of what linking one file filled and the
    /// next ones would not read back. The per-file caches (reaching
    /// assignments, fields, families, configured objects, callers' orgs,
    /// env values) are dropped, and so are the
    /// names the file's own functions and classes resolved while it was
    /// linked, unless another file calls them by name (their names may
    /// then be resolved again from there, and computing them again could
    /// run out of a budget the cached answer did not). Module-level names,
    /// which every file that imports them reads, the function summaries,
    /// the returns, the helpers' request calls (templates), the resolved
    /// modules and the nearest classes stay: they are what later files
    /// reuse. Compared byte for byte with every cache kept: the whole
    /// fixture tree, the generated trees, the Zoho Python SDK and the 63
    /// real-world checkouts give the same output. Linking is serial, so
    /// what is kept does not depend on `-j`.
    pub(super) fn between_files(&self) {
        self.field_cache.borrow_mut().clear();
        self.family_cache.borrow_mut().clear();
        self.reaching_cache.borrow_mut().clear();
        self.configured_cache.borrow_mut().clear();
        self.env_cache.borrow_mut().clear();
        self.param_orgs.borrow_mut().clear();
        let file = self.linking.get() as FileId;
        let mut names = self.name_cache.borrow_mut();
        let mut kept: Vec<(u32, bool)> = Vec::new();
        for k in self.local_names.borrow_mut().drain(..) {
            let keep = match kept.iter().find(|(s, _)| *s == k.1) {
                Some(&(_, keep)) => keep,
                None => {
                    let keep = self.called_from_elsewhere(file, k.1 as ScopeId);
                    kept.push((k.1, keep));
                    keep
                }
            };
            if !keep {
                names.remove(&k);
            }
        }
    }

    /// Whether a function or class enclosing `scope` (itself included) is
    /// named by a call in another file: its names may be resolved again
    /// from there.
    fn called_from_elsewhere(&self, file: FileId, scope: ScopeId) -> bool {
        let scopes = &self.facts(file).scopes;
        let mut at = Some(scope);
        while let Some(s) = at {
            let sc = &scopes[s];
            if !sc.name.is_empty() && self.calls_named(&sc.name).any(|(f, _)| f != file) {
                return true;
            }
            at = sc.parent;
        }
        false
    }

    /// Evaluation state a panic may have left half-updated.
    fn reset_after_panic(&self) {
        self.depth.set(0);
        self.stack.borrow_mut().clear();
        self.in_progress.borrow_mut().clear();
        self.fields_in_progress.borrow_mut().clear();
        self.memo_reset();
    }

    fn facts(&self, file: FileId) -> &'r FileFacts {
        &self.files[file].facts
    }

    fn sym(&self, file: FileId, scope: ScopeId, name: &str) -> Rc<str> {
        let f = &self.files[file];
        let sp = f.facts.scope_path(scope);
        if sp.is_empty() {
            self.intern(&format!("{}::{name}", f.path))
        } else {
            self.intern(&format!("{}::{sp}.{name}", f.path))
        }
    }

    /// The number of a name in the caches' keys (the same name, the same
    /// number, for the whole scan).
    fn key_id(&self, name: &str) -> u32 {
        let mut ids = self.key_ids.borrow_mut();
        if let Some(&id) = ids.get(name) {
            return id;
        }
        let id = ids.len() as u32;
        ids.insert(name.into(), id);
        id
    }

    /// The records the bindings' keys are fields of: (field key, record
    /// key), sorted; one configuration supplies every field of a record.
    pub fn records(&self, bindings: &[Binding]) -> Vec<(String, String)> {
        let fields = self.record_fields.borrow();
        let mut out: Vec<(String, String)> = bindings
            .iter()
            .flat_map(|b| {
                let ends = b.endpoints.iter().flat_map(|e| [&e.selector, &e.inner_selector]);
                ends.chain(b.tokens.iter().map(|t| &t.selector)).flatten()
            })
            .filter_map(|k| fields.get(k.as_str()).map(|r| (k.clone(), r.to_string())))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// One shared copy of a symbol name: the same symbols are made again
    /// and again (every use of a parameter or an unresolved name), and the
    /// values the caches hold keep them. A name no value holds any more is
    /// let go once the table has grown by a quarter since the last look
    /// (a quarter of them, at the end of a scan): made again, it is the
    /// same text.
    fn intern(&self, s: &str) -> Rc<str> {
        let mut syms = self.symbols.borrow_mut();
        if let Some(r) = syms.get(s) {
            return r.clone();
        }
        if syms.len() >= self.symbols_kept.get().max(4096) * 5 / 4 {
            syms.retain(|s| Rc::strong_count(s) > 1);
            self.symbols_kept.set(syms.len());
        }
        let r: Rc<str> = s.into();
        syms.insert(r.clone());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn python(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            lang: Some(Lang::Python),
            facts: crate::frontend::lower(Lang::Python, path, text).into(),
        }
    }

    const TWO_ENVS: &str = "import os, requests\n\
        T = os.environ['ZOHO_TOKEN']\n\
        requests.get('https://www.zohoapis.com/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n\
        requests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n";

    #[test]
    fn a_file_past_its_time_budget_is_cut_with_a_note() {
        let files = [python("a.py", TWO_ENVS), python("b.py", TWO_ENVS)];
        let (bindings, cuts) = Linker::new(&files).bindings();
        assert_eq!(bindings.len(), 4, "both calls of both files bind");
        assert!(cuts.is_empty());

        let (bindings, cuts) = Linker::new(&files).with_time_budget(Some(Duration::ZERO)).bindings();
        let timed: Vec<FileId> = cuts
            .iter()
            .filter(|(_, c)| *c == Cut::Time)
            .map(|(l, _)| l.file)
            .collect();
        assert_eq!(timed, vec![0, 1], "one note per file, none per call");
        assert_eq!(cuts.len(), 2);
        assert!(bindings.len() < 4);
    }

    /// The names a file's own functions resolved are let go once it is
    /// linked, unless another file calls that function (its names may be
    /// read again from there); the findings are the same either way.
    #[test]
    fn a_linked_files_locals_are_let_go_unless_called_from_elsewhere() {
        let helper = "import os, requests\n\
            T = os.environ['ZOHO_TOKEN']\n\
            def shared():\n    host = 'https://www.zohoapis.com'\n    \
            return requests.get(host + '/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n\
            def private():\n    base = 'https://sandbox.zohoapis.com'\n    \
            return requests.get(base + '/crm/v8/Leads', headers={'Authorization': 'Zoho-oauthtoken ' + T})\n";
        let caller = "from a import shared\nx = shared()\n";
        let files = [python("a.py", helper), python("b.py", caller)];
        let linker = Linker::new(&files);
        let (bindings, _) = linker.bindings();
        assert_eq!(bindings.len(), 2, "both requests of a.py bind");
        let scope_of = |name: &str| files[0].facts.scopes.iter().position(|s| s.name == name).unwrap() as u32;
        let cached: Vec<u32> = linker
            .name_cache
            .borrow()
            .keys()
            .filter(|k| k.0 == 0 && k.1 != 0)
            .map(|k| k.1)
            .collect();
        assert!(
            cached.contains(&scope_of("shared")),
            "b.py calls shared: its names stay"
        );
        assert!(
            !cached.contains(&scope_of("private")),
            "nothing else calls private: let go"
        );
    }
}
