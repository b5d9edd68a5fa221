//! Linking: resolves the facts of every file into values, and finds the
//! bindings (DESIGN §3 step 5).
//!
//! Values are sets of alternatives ([`Val`]): a ternary, an `if`, a map
//! lookup by a run-time key all yield several. Names resolve flow-
//! insensitively within their scope chain, then through imports to other
//! files; `self.x`/`this.x` resolve to the class's field assignments; calls
//! to functions defined in the repository are seen through one step (their
//! returns, and the bindings they make with their parameters).
//!
//! This module knows languages only through the fact model and Zoho only
//! through the catalog. It never prints and never reads files.
//!
//! `mod.rs` evaluates values; `index.rs` holds the per-file lookup tables;
//! `bind.rs` finds endpoints and tokens in calls and turns them into
//! bindings; `syntax.rs` reads call chains and import paths.

mod bind;
mod index;
mod org;
mod profiles;
mod store;
mod syntax;

pub use bind::Ingredients;
pub use syntax::{chain_calls, import_candidates};

use index::{key_of, FileIndex};
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
    pub facts: FileFacts,
}

/// Alternatives beyond this count are dropped (a value is a small set).
const MAX_ALTS: usize = 32;
/// Nesting of name resolution / calls beyond this yields Unknown.
const MAX_EVAL_DEPTH: usize = 24;
/// How many nested function summaries a value may go through (a helper
/// calling a helper).
const MAX_SUMMARY_DEPTH: usize = 3;
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
    /// An evaluation nested deeper than `MAX_EVAL_DEPTH` (the deeper part
    /// is taken as unknown).
    Depth,
}

/// Nesting of name resolution / calls beyond which a value is unknown
/// (shown in the note that says so).
pub const EVAL_DEPTH_LIMIT: usize = MAX_EVAL_DEPTH;

/// A statement the linker turns into bindings.
#[derive(Clone, Copy)]
enum Site<'f> {
    Call(&'f CallSite),
    Assign(&'f Assign),
}

#[derive(Debug, Clone)]
pub struct Val {
    pub kind: VKind,
    pub at: Loc,
    pub sel: Option<Rc<str>>,
    /// Where the run-time choice that `sel` names is made: the ternary, the
    /// `if` around an assignment, the map lookup. The root place of a switch.
    pub switch: Option<Loc>,
    pub via_param: bool,
}

impl Val {
    /// Takes `from`'s selector (and the place of its switch) unless this
    /// value is already selected.
    fn inherit_sel(&mut self, from: &Val) {
        if self.sel.is_none() {
            self.sel = from.sel.clone();
            self.switch = from.switch;
        }
    }
}

#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text and where it is written.
    Lit(String, Loc),
    Hole(Box<Val>),
}

#[derive(Debug, Clone)]
pub enum VKind {
    Str(Vec<Piece>),
    Env(String),
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
    Minted(Option<DcId>, Rc<str>),
    /// An instance of a class defined in the repository.
    Instance(FileId, ScopeId),
    Bool(bool),
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymKind {
    Symbol,
    Param,
    /// A secret held outside the repository (`secret:X`, `k8s-secret:a/b`).
    Secret,
}

pub struct Linker<'r> {
    pub files: &'r [SourceFile],
    stack: RefCell<Vec<(FileId, usize)>>,
    /// Functions whose returns are being evaluated (recursion guard).
    in_progress: RefCell<Vec<ScopeRef>>,
    fuel: std::cell::Cell<u32>,
    starved: std::cell::Cell<bool>,
    /// Set when an evaluation was cut at `MAX_EVAL_DEPTH`.
    too_deep: std::cell::Cell<bool>,
    /// Time the linking of one file may take (`--file-timeout`).
    time_budget: Option<std::time::Duration>,
    depth: std::cell::Cell<usize>,
    name_cache: Cache<(FileId, ScopeId, String), Vec<Val>>,
    field_cache: Cache<(FileId, ScopeId, String), Vec<Val>>,
    /// The classes a bare class name means in a file ([`Linker::nearest_classes`]).
    nearest_cache: Cache<(FileId, String), Rc<Vec<ScopeRef>>>,
    /// Bases and subclasses of a class (found by name, nearest first).
    family_cache: Cache<ScopeRef, Rc<Family>>,
    /// Values of a set of reaching assignments (`x = f(x)` chains under
    /// branches would otherwise be evaluated once per path).
    reaching_cache: Cache<(FileId, Vec<usize>), Option<Vec<Val>>>,
    /// Returns of functions that do not depend on their parameters.
    return_cache: Cache<(FileId, ScopeId), Vec<Val>>,
    /// Calls inside a function that carry a token or an endpoint on their own
    /// (the only ones a call site can complete into a binding).
    template_cache: Cache<(FileId, ScopeId), Rc<Vec<usize>>>,
    /// What configuring statements give an object (root key, function or class).
    configured_cache: Cache<(FileId, String, ScopeId), Rc<Ingredients>>,
    /// Objects whose configuration is being gathered (recursion guard).
    configuring: RefCell<Vec<(FileId, String)>>,
    index: Vec<FileIndex>,
    /// Path → file.
    by_path: HashMap<&'r str, FileId>,
    /// Class name → the classes of that name; base name → its subclasses.
    classes_by_name: HashMap<&'r str, Vec<ScopeRef>>,
    subclasses: HashMap<&'r str, Vec<ScopeRef>>,
    /// Every `/`-boundary suffix of every path → the file with the shortest path.
    by_suffix: HashMap<&'r str, FileId>,
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
    /// Minted tokens and the orgs their token requests name (`soid`).
    minted_orgs: RefCell<Vec<(TokenIdentity, OrgAlt)>>,
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
    calls_by_name: std::cell::OnceCell<HashMap<&'r str, Vec<(FileId, usize)>>>,
}

type Params = HashMap<String, Vec<Val>>;
/// The orgs a function's callers pass as one parameter (`None`: no caller).
type CallerOrgs = Option<Rc<Vec<OrgAlt>>>;
type Cache<K, V> = RefCell<HashMap<K, V>>;
/// A scope in a file: a class or a function.
type ScopeRef = (FileId, ScopeId);

fn val(kind: VKind, file: FileId, span: Span) -> Val {
    Val {
        kind,
        at: Loc { file, span },
        sel: None,
        switch: None,
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
        let mut by_suffix: HashMap<&str, FileId> = HashMap::default();
        for (i, f) in files.iter().enumerate() {
            let p = f.path.as_str();
            let starts = std::iter::once(0).chain(p.match_indices('/').map(|(j, _)| j + 1));
            for st in starts {
                let e = by_suffix.entry(&p[st..]).or_insert(i);
                if (files[*e].path.len(), *e) > (p.len(), i) {
                    *e = i;
                }
            }
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
        for (fid, f) in files.iter().enumerate() {
            for (sid, sc) in f.facts.scopes.iter().enumerate() {
                if sc.kind == ScopeKind::Class && !sc.name.is_empty() {
                    classes_by_name.entry(sc.name.as_str()).or_default().push((fid, sid));
                    for b in &sc.bases {
                        subclasses.entry(b.as_str()).or_default().push((fid, sid));
                    }
                }
            }
        }
        let mut linker = Linker {
            files,
            classes_by_name,
            subclasses,
            stack: RefCell::new(Vec::new()),
            in_progress: RefCell::new(Vec::new()),
            fuel: std::cell::Cell::new(FUEL_PER_CALL_SITE),
            starved: std::cell::Cell::new(false),
            too_deep: std::cell::Cell::new(false),
            time_budget: None,
            depth: std::cell::Cell::new(0),
            name_cache: RefCell::new(HashMap::default()),
            field_cache: RefCell::new(HashMap::default()),
            family_cache: RefCell::new(HashMap::default()),
            nearest_cache: RefCell::new(HashMap::default()),
            reaching_cache: RefCell::new(HashMap::default()),
            return_cache: RefCell::new(HashMap::default()),
            template_cache: RefCell::new(HashMap::default()),
            configured_cache: RefCell::new(HashMap::default()),
            configuring: RefCell::new(Vec::new()),
            index: files.iter().map(|f| FileIndex::build(&f.facts)).collect(),
            by_path,
            by_suffix,
            profiles: profiles::ProfileTable::default(),
            env_cache: RefCell::new(HashMap::default()),
            env_origin: RefCell::new(HashMap::default()),
            token_env: RefCell::new(Default::default()),
            legacy_stores: RefCell::new(Vec::new()),
            minted_orgs: RefCell::new(Vec::new()),
            sdk_org_sites: RefCell::new(Vec::new()),
            param_orgs: RefCell::new(HashMap::default()),
            by_dir,
            module_cache: RefCell::new(HashMap::default()),
            calls_by_name: std::cell::OnceCell::new(),
        };
        linker.profiles = profiles::ProfileTable::build(&linker);
        linker
    }

    /// Evaluation state a panic may have left half-updated.
    fn reset_after_panic(&self) {
        self.depth.set(0);
        self.stack.borrow_mut().clear();
        self.in_progress.borrow_mut().clear();
    }

    fn facts(&self, file: FileId) -> &'r FileFacts {
        &self.files[file].facts
    }

    fn sym(&self, file: FileId, scope: ScopeId, name: &str) -> Rc<str> {
        let f = &self.files[file];
        let sp = f.facts.scope_path(scope);
        if sp.is_empty() {
            format!("{}::{name}", f.path).into()
        } else {
            format!("{}::{sp}.{name}", f.path).into()
        }
    }

    // ----------------------------------------------------------------------
    // Evaluation
    // ----------------------------------------------------------------------

    pub fn eval(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Vec<Val> {
        if self.depth.get() > MAX_EVAL_DEPTH {
            self.too_deep.set(true);
            return vec![val(VKind::Other, file, e.span)];
        }
        let fuel = self.fuel.get();
        if fuel == 0 || crate::budget::expired() {
            self.starved.set(true);
            return vec![val(VKind::Other, file, e.span)];
        }
        self.fuel.set(fuel - 1);
        self.depth.set(self.depth.get() + 1);
        let mut r = self.eval_inner(file, scope, e, params);
        self.depth.set(self.depth.get() - 1);
        r.truncate(MAX_ALTS);
        r
    }

    fn eval_inner(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Vec<Val> {
        let c = catalog();
        let one = |k: VKind| vec![val(k, file, e.span)];
        match &e.kind {
            ExprKind::Str(s) => one(VKind::Str(vec![Piece::Lit(s.clone(), Loc { file, span: e.span })])),
            ExprKind::Concat(parts) => self.concat(file, scope, parts, e.span, params),
            ExprKind::Name(n) => self.resolve_name(file, scope, n, e.span, params),
            ExprKind::This => one(VKind::Other),
            ExprKind::Env(n) => self
                .env_alternatives(n, file, e.span)
                .unwrap_or_else(|| one(VKind::Env(n.clone()))),
            ExprKind::Secret(s) => one(VKind::Sym(s.as_str().into(), SymKind::Secret)),
            ExprKind::Member(obj, m) => {
                if let Some(env) = c.sdk_environment_path(obj, m) {
                    return one(VKind::Sdk(env));
                }
                if c.is_api_domain_key(m) {
                    // `this.apiDomain` set from a literal or the deployment's
                    // settings is a host like any other, not the domain that
                    // came with the token.
                    // …unless the class also overwrites it with a token
                    // response's api_domain: then it follows the token.
                    if matches!(obj.kind, ExprKind::This) {
                        let all = self.class_field(file, scope, m, e.span);
                        let vs: Vec<Val> = all
                            .iter()
                            .filter(|v| matches!(v.kind, VKind::Str(_) | VKind::Env(_)))
                            .cloned()
                            .collect();
                        if !vs.is_empty() && !all.iter().any(|v| matches!(v.kind, VKind::Derived)) {
                            return vs;
                        }
                    }
                    return one(VKind::Derived);
                }
                if matches!(obj.kind, ExprKind::This) {
                    let vs = self.class_field(file, scope, m, e.span);
                    // A field the class overwrites with the api_domain of a
                    // token response follows the token; its literal is only
                    // the value before the first refresh.
                    if vs.iter().any(|v| matches!(v.kind, VKind::Derived)) {
                        return one(VKind::Derived);
                    }
                    return vs;
                }
                let objs = self.eval(file, scope, obj, params);
                let mut out = Vec::new();
                for o in objs {
                    push_alts(&mut out, self.member(file, &o, m, e.span));
                }
                out
            }
            ExprKind::Index(obj, key) => {
                let keys = self.eval(file, scope, key, params);
                if keys.iter().any(|k| matches!(&k.kind, VKind::Str(p) if p.len() == 1 && matches!(p[0], Piece::Lit(ref s, _) if c.is_api_domain_key(s))))
                {
                    return one(VKind::Derived);
                }
                let objs = self.eval(file, scope, obj, params);
                let mut out = Vec::new();
                for o in &objs {
                    for k in &keys {
                        push_alts(&mut out, self.index(file, o, k, e.span));
                    }
                }
                out
            }
            ExprKind::Call(call) => self.eval_call(file, scope, e, call, params),
            ExprKind::Dict(pairs) => {
                let mut fields = Vec::new();
                for (k, v) in pairs {
                    let key = match &k.kind {
                        ExprKind::Str(s) => Some(s.clone()),
                        ExprKind::Name(n) if self.files[file].lang != Some(Lang::Python) => Some(n.clone()),
                        _ => None,
                    };
                    let vs = self.eval(file, scope, v, params);
                    match key {
                        // `{**base, …}` / `{...base, …}`: the base's fields, inlined.
                        None if matches!(k.kind, ExprKind::Unknown) => merge_spread(&mut fields, vs),
                        _ => set_field(&mut fields, key, vs),
                    }
                }
                one(VKind::Dict(Rc::new(fields)))
            }
            ExprKind::List(items) => {
                let elems = items.iter().map(|i| self.eval(file, scope, i, params)).collect();
                one(VKind::List(Rc::new(elems)))
            }
            ExprKind::Elem(obj, i) => {
                let mut out = Vec::new();
                for o in self.eval(file, scope, obj, params) {
                    let vs = match &o.kind {
                        VKind::List(items) => items.get(*i).cloned().unwrap_or_default(),
                        VKind::Sym(s, k) => vec![val(VKind::Sym(format!("{s}[{i}]").into(), *k), file, e.span)],
                        // A call whose results are not modelled: its first
                        // result is the object (`req, err := http.NewRequest(…)`).
                        _ if *i == 0 => vec![o.clone()],
                        _ => Vec::new(),
                    };
                    push_alts(
                        &mut out,
                        vs.into_iter()
                            .map(|mut v| {
                                v.inherit_sel(&o);
                                v
                            })
                            .collect(),
                    );
                }
                if out.is_empty() {
                    return one(VKind::Other);
                }
                out
            }
            ExprKind::Alt { cond, alts } => {
                let sel: Option<Rc<str>> = match (cond, alts.first().map(|a| &a.kind)) {
                    (Some(c), _) => Some(
                        self.selector(file, scope, c, params)
                            .unwrap_or_else(|| format!("cond@{}:{}", self.files[file].path, c.span.line).into()),
                    ),
                    // `os.environ.get("ZOHO_DC", "us")`, `process.env.X || "us"`:
                    // the default is chosen by the variable being unset.
                    (None, Some(ExprKind::Env(n))) => Some(format!("env:{n}").into()),
                    (None, _) => None,
                };
                let mut out = Vec::new();
                for a in alts {
                    let mut vs = self.eval(file, scope, a, params);
                    if let Some(s) = &sel {
                        for v in &mut vs {
                            v.sel = Some(s.clone());
                            v.switch = Some(Loc { file, span: e.span });
                        }
                    }
                    push_alts(&mut out, vs);
                }
                out
            }
            ExprKind::Func(s) => one(VKind::Func(file, *s)),
            // A test's value is derived from its first operand with an identity
            // (`os.environ.get("SANDBOX") == "1"` comes from env:SANDBOX).
            ExprKind::Test(ops) => {
                for o in ops {
                    let vs = self.eval(file, scope, o, params);
                    if let Some(v) = vs
                        .into_iter()
                        .find(|v| matches!(v.kind, VKind::Env(_) | VKind::Sym(..)))
                    {
                        return vec![v];
                    }
                }
                one(VKind::Other)
            }
            ExprKind::Bool(b) => one(VKind::Bool(*b)),
            ExprKind::Number | ExprKind::Null | ExprKind::Unknown => one(VKind::Other),
        }
    }

    fn concat(&self, file: FileId, scope: ScopeId, parts: &[Expr], span: Span, params: Option<&Params>) -> Vec<Val> {
        // Cartesian product of the parts' alternatives, capped; each string
        // keeps the first selector among its parts.
        let mut acc = vec![val(VKind::Str(Vec::new()), file, span)];
        for p in parts {
            let vs = self.eval(file, scope, p, params);
            let mut next = Vec::new();
            for a in &acc {
                let VKind::Str(pieces) = &a.kind else { continue };
                for v in &vs {
                    if next.len() >= MAX_ALTS {
                        break;
                    }
                    let mut np = pieces.clone();
                    match &v.kind {
                        VKind::Str(ps) => np.extend(ps.iter().cloned()),
                        _ => np.push(Piece::Hole(Box::new(v.clone()))),
                    }
                    let mut n = a.clone();
                    n.kind = VKind::Str(np);
                    n.inherit_sel(v);
                    n.via_param |= v.via_param;
                    next.push(n);
                }
            }
            acc = next;
        }
        acc
    }

    /// One of several assignments/returns: the `if` around it is what selects it.
    fn select_by_guard(
        &self,
        file: FileId,
        scope: ScopeId,
        guard: Option<&Expr>,
        params: Option<&Params>,
        vs: &mut [Val],
    ) {
        let Some(g) = guard else {
            return;
        };
        let sel = self.selector(file, scope, g, params);
        for v in vs.iter_mut() {
            if v.sel.is_none() && sel.is_some() {
                v.sel = sel.clone();
                v.switch = Some(Loc { file, span: g.span });
            }
        }
    }

    /// The identity of the key that selects among alternatives.
    fn selector(&self, file: FileId, scope: ScopeId, cond: &Expr, params: Option<&Params>) -> Option<Rc<str>> {
        match &cond.kind {
            ExprKind::Test(ops) => ops.iter().find_map(|o| self.selector(file, scope, o, params)),
            ExprKind::Str(_) | ExprKind::Number | ExprKind::Bool(_) | ExprKind::Null => None,
            _ => {
                let vs = self.eval(file, scope, cond, params);
                vs.iter().find_map(|v| self.identity_key(v))
            }
        }
    }

    /// A string key naming where a value comes from (env var, symbol).
    fn identity_key(&self, v: &Val) -> Option<Rc<str>> {
        match &v.kind {
            VKind::Env(n) => Some(format!("env:{n}").into()),
            VKind::Sym(s, _) => Some(s.clone()),
            VKind::Str(p) if p.len() == 1 => match &p[0] {
                Piece::Hole(h) => self.identity_key(h),
                Piece::Lit(..) => v.sel.clone(),
            },
            _ => v.sel.clone(),
        }
    }

    fn resolve_name(&self, file: FileId, scope: ScopeId, name: &str, span: Span, params: Option<&Params>) -> Vec<Val> {
        if let Some(p) = params.and_then(|p| p.get(name)) {
            return p
                .iter()
                .cloned()
                .map(|mut v| {
                    v.via_param = true;
                    v
                })
                .collect();
        }
        let key = (file, scope, name.to_string());
        // Several assignments in the use's own scope: the answer depends on
        // where the use is (see `reaching`), so it is not cached.
        let positional = self.index[file]
            .by_target
            .get(&key_of(scope, name))
            .is_some_and(|v| v.len() > 1);
        if params.is_none() && !positional {
            if let Some(v) = self.name_cache.borrow().get(&key) {
                return v.clone();
            }
        }
        let r = self.resolve_name_uncached(file, scope, name, span, params);
        let r = self.with_keyed_items(file, scope, name, r, params);
        if params.is_none() && !positional {
            // Cached even when computed inside a cycle: a value cut by the
            // cycle guard is a smaller set of alternatives, never a wrong one.
            self.name_cache.borrow_mut().insert(key, r.clone());
        }
        r
    }

    /// `cfg = {}` / `new HashMap<>()`, then `cfg["k"] = v` / `cfg.put("k", v)`:
    /// the items a function sets by literal key are fields of the map.
    fn with_keyed_items(
        &self,
        file: FileId,
        scope: ScopeId,
        name: &str,
        mut vals: Vec<Val>,
        params: Option<&Params>,
    ) -> Vec<Val> {
        let ix = &self.index[file];
        let Some(idx) = ix.rooted_assigns.get(name) else {
            return vals;
        };
        let guard = (file, format!("{name}#items{}", ix.func_of[scope]));
        if self.configuring.borrow().contains(&guard) {
            return vals;
        }
        self.configuring.borrow_mut().push(guard);
        let facts = self.facts(file);
        let mut items: Vec<(Option<String>, Vec<Val>)> = Vec::new();
        for &i in idx {
            let a = &facts.assigns[i];
            let ExprKind::Index(o, k) = &a.target.kind else {
                continue;
            };
            let own = matches!(&o.kind, ExprKind::Name(n) if n == name);
            if !own || ix.func_of[a.scope] != ix.func_of[scope] {
                continue;
            }
            if let Some(k) = k.as_str() {
                let vs = self.eval(file, a.scope, &a.value, params);
                set_field(&mut items, Some(k.to_string()), vs);
            }
        }
        self.configuring.borrow_mut().pop();
        if items.is_empty() {
            return vals;
        }
        let mut built = Vec::new();
        for v in vals.iter_mut() {
            let mut fields = match &v.kind {
                VKind::Dict(f) => (**f).clone(),
                VKind::Sym(..) | VKind::Other => Vec::new(),
                _ => continue,
            };
            for (k, vs) in &items {
                set_field(&mut fields, k.clone(), vs.clone());
            }
            let dict = VKind::Dict(Rc::new(fields));
            if matches!(v.kind, VKind::Dict(_)) {
                v.kind = dict;
            } else {
                // An opaque map (`new HashMap<>()`) keeps its identity beside its items.
                let mut d = v.clone();
                d.kind = dict;
                built.push(d);
            }
        }
        push_alts(&mut vals, built);
        vals
    }

    fn resolve_name_uncached(
        &self,
        file: FileId,
        scope: ScopeId,
        name: &str,
        span: Span,
        params: Option<&Params>,
    ) -> Vec<Val> {
        let facts = self.facts(file);
        let mut s = Some(scope);
        let mut first = true;
        while let Some(sc) = s {
            let sdef = &facts.scopes[sc];
            // Class bodies are not visible from their methods.
            if first || sdef.kind != ScopeKind::Class {
                let vals = if first {
                    self.reaching(file, sc, name, span)
                        .and_then(|idx| self.assigned_at(file, &idx, params))
                } else {
                    self.assigned(file, sc, name, params)
                };
                let is_param = sdef.params.iter().any(|p| p == name);
                if is_param {
                    let mut out = vals.unwrap_or_default();
                    let mut v = val(VKind::Sym(self.sym(file, sc, name), SymKind::Param), file, span);
                    v.sel = None;
                    out.insert(0, v);
                    return out;
                }
                if let Some(vals) = vals {
                    return vals
                        .into_iter()
                        .map(|mut v| {
                            if matches!(v.kind, VKind::Other) {
                                v.kind = VKind::Sym(self.sym(file, sc, name), SymKind::Symbol);
                            }
                            v
                        })
                        .collect();
                }
                if let Some(imp) = facts.imports.iter().find(|i| i.local == name && (i.scope == sc)) {
                    return self.resolve_import(file, imp, span);
                }
            }
            first = false;
            s = sdef.parent;
        }
        if let Some(imp) = facts.imports.iter().find(|i| i.local == name) {
            return self.resolve_import(file, imp, span);
        }
        if let Some(vs) = self.sibling_name(file, name, span) {
            return vs;
        }
        // Whole-file imports (`require`, `require_relative`): a name the
        // required file defines at its top level.
        for imp in facts.imports.iter().filter(|i| i.local == "*") {
            if let Some(fid) = self.resolve_module(file, &imp.module) {
                if fid != file && self.index[fid].by_target.contains_key(&(0, name.to_string())) {
                    return self.module_member(fid, name, span);
                }
            }
        }
        // Languages that autoload classes by name (PHP, Ruby): the one
        // repository class of that name.
        if matches!(self.files[file].lang, Some(Lang::Php | Lang::Ruby)) {
            if let Some(&[(f, c)]) = self.classes_by_name.get(name).map(Vec::as_slice) {
                return vec![val(VKind::Func(f, c), file, span)];
            }
        }
        if let Some(class) = self.visible_class(file, name) {
            return vec![val(VKind::Func(class.0, class.1), file, span)];
        }
        vec![val(
            VKind::Sym(format!("{}::{name}", self.files[file].path).into(), SymKind::Symbol),
            file,
            span,
        )]
    }

    /// A top-level name of another file of the same package, where a
    /// package is a directory (Go).
    fn sibling_name(&self, file: FileId, name: &str, span: Span) -> Option<Vec<Val>> {
        let f = &self.files[file];
        if !f.lang.is_some_and(directory_package) {
            return None;
        }
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let key = key_of(0, name);
        let sibling = self
            .by_dir
            .get(dir)?
            .iter()
            .copied()
            .find(|&s| s != file && self.files[s].lang == f.lang && self.index[s].by_target.contains_key(&key))?;
        Some(self.resolve_name(sibling, 0, name, span, None))
    }

    /// Java and C# see the classes of their package/namespace without an
    /// import: a free name that is a top-level class of another file of the
    /// same language (the nearest by directory when several share the name).
    fn visible_class(&self, file: FileId, name: &str) -> Option<ScopeRef> {
        let lang = self.files[file].lang?;
        if !matches!(lang, Lang::Java | Lang::CSharp) {
            return None;
        }
        let dir = |f: FileId| self.files[f].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let here = dir(file);
        self.classes_by_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&(f, s)| {
                f != file
                    && self.files[f].lang == Some(lang)
                    && self.facts(f).scopes[s]
                        .parent
                        .is_some_and(|p| self.facts(f).scopes[p].kind == ScopeKind::Module)
            })
            .min_by_key(|&(f, s)| (dir(f) != here, self.files[f].path.len(), f, s))
    }

    /// The assignments to `name` in `scope` that can reach a use at `at`:
    /// the last unconditional one that completes before the use, and the
    /// conditional ones after it. A use before every assignment (a loop, a
    /// closure) sees them all.
    fn reaching(&self, file: FileId, scope: ScopeId, name: &str, at: Span) -> Option<Vec<usize>> {
        let all = self.index[file].by_target.get(&key_of(scope, name))?;
        let facts = self.facts(file);
        let mut before: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| facts.assigns[i].span.end <= at.start)
            .collect();
        if before.is_empty() {
            return Some(all.clone());
        }
        before.sort_by_key(|&i| facts.assigns[i].span.start);
        match before.iter().rposition(|&i| facts.assigns[i].guard.is_none()) {
            Some(k) => Some(before[k..].to_vec()),
            None => Some(before),
        }
    }

    /// Values assigned in `scope` to the target with this key; None when none.
    fn assigned(&self, file: FileId, scope: ScopeId, key: &str, params: Option<&Params>) -> Option<Vec<Val>> {
        let idx = self.index[file].by_target.get(&(scope, key.to_string()))?;
        self.assigned_at(file, idx, params)
    }

    /// Values of these assignments (alternatives, each with its `if` selector).
    fn assigned_at(&self, file: FileId, idx: &[usize], params: Option<&Params>) -> Option<Vec<Val>> {
        if idx.is_empty() {
            return None;
        }
        if params.is_some() {
            return self.assigned_at_uncached(file, idx, params);
        }
        let key = (file, idx.to_vec());
        if let Some(v) = self.reaching_cache.borrow().get(&key) {
            return v.clone();
        }
        let r = self.assigned_at_uncached(file, idx, None);
        // A value computed after the budget ran out may be cut short: not kept.
        if !self.starved.get() {
            self.reaching_cache.borrow_mut().insert(key, r.clone());
        }
        r
    }

    fn assigned_at_uncached(&self, file: FileId, idx: &[usize], params: Option<&Params>) -> Option<Vec<Val>> {
        let facts = self.facts(file);
        let many = idx.len() > 1;
        let mut out = Vec::new();
        for &i in idx {
            if self.stack.borrow().contains(&(file, i)) {
                continue;
            }
            self.stack.borrow_mut().push((file, i));
            let a = &facts.assigns[i];
            let mut vs = self.eval(file, a.scope, &a.value, params);
            if many {
                self.select_by_guard(file, a.scope, a.guard.as_ref(), params, &mut vs);
            }
            self.stack.borrow_mut().pop();
            push_alts(&mut out, vs);
        }
        Some(out)
    }

    fn enclosing_class(&self, file: FileId, scope: ScopeId) -> Option<ScopeId> {
        self.index[file].class_of[scope]
    }

    /// `self.m` / `this.m`: a method of the enclosing class, or every value
    /// its methods assign to the field (their parameters stay opaque).
    fn class_field(&self, file: FileId, scope: ScopeId, m: &str, span: Span) -> Vec<Val> {
        match self.enclosing_class(file, scope) {
            Some(class) => self.class_member(file, class, m, span),
            None => vec![val(VKind::Other, file, span)],
        }
    }

    /// Member `m` of a class: a method (of the class or a base), or the
    /// values the class family assigns to the field.
    fn class_member(&self, file: FileId, class: ScopeId, m: &str, span: Span) -> Vec<Val> {
        let family = self.class_family(file, class);
        let (ancestors, descendants) = (&family.0, &family.1);
        let parts = self.package_parts(file, class);
        // A method of the class (in any of its files) or of a base class.
        for &(f, c) in std::iter::once(&(file, class))
            .chain(parts.iter())
            .chain(ancestors.iter())
        {
            if let Some(&fs) = self.index[f].methods.get(&(c, m.to_string())) {
                return vec![val(VKind::Func(f, fs), file, span)];
            }
        }
        let key = (file, class, m.to_string());
        if let Some(v) = self.field_cache.borrow().get(&key) {
            return v.clone();
        }
        let sym = self.sym(file, class, m);
        // The field as this class, its bases and its subclasses set it: a
        // method may run on an instance of any of them, and the instance's
        // class is what selects among their values.
        let family: Vec<ScopeRef> = std::iter::once((file, class))
            .chain(parts.iter().copied())
            .chain(ancestors.iter().copied())
            .chain(descendants.iter().copied())
            .collect();
        let mut per_class = Vec::new();
        for &(f, c) in &family {
            let Some(idx) = self.index[f].fields.get(&(c, m.to_string())) else {
                continue;
            };
            per_class.push(((f, c), self.assigned_at(f, idx, None).unwrap_or_default()));
        }
        // Classes whose values differ in their text (not only in the
        // values of their holes) are what chooses among them: the class
        // is the selector even where a part inside is chosen by something
        // else (`f"https://sandbox.zohoapis.{dc}"` in a subclass beside
        // `f"https://www.zohoapis.{dc}"`: the class picks the environment,
        // `dc` only the data center).
        let templates: std::collections::BTreeSet<Vec<String>> = per_class
            .iter()
            .map(|(_, vs)| {
                vs.iter()
                    .filter_map(|v| match &v.kind {
                        VKind::Str(p) => Some(probe_text(p)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let class_decides = templates.len() > 1;
        let mut out = Vec::new();
        for ((f, c), mut vs) in per_class {
            if !descendants.is_empty() || !ancestors.is_empty() {
                let by_class: Rc<str> = format!("class:{}", self.sym(f, c, "")).trim_end_matches("::").into();
                for v in &mut vs {
                    if v.sel.is_none() || class_decides {
                        v.sel = Some(by_class.clone());
                        v.switch = Some(v.at);
                    }
                }
            }
            push_alts(&mut out, vs);
        }
        let out: Vec<Val> = if out.is_empty() {
            vec![val(VKind::Sym(sym, SymKind::Symbol), file, span)]
        } else {
            out.into_iter()
                .map(|mut v| {
                    if matches!(v.kind, VKind::Other) {
                        v.kind = VKind::Sym(sym.clone(), SymKind::Symbol);
                    }
                    v
                })
                .collect()
        };
        self.field_cache.borrow_mut().insert(key, out.clone());
        out
    }

    /// The same type declared by other files of its package (Go: a struct
    /// in one file, its methods and constructor in others).
    fn package_parts(&self, file: FileId, class: ScopeId) -> Vec<ScopeRef> {
        let f = &self.files[file];
        if !f.lang.is_some_and(directory_package) {
            return Vec::new();
        }
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let name = f.facts.scopes[class].name.as_str();
        self.classes_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&(g, _)| {
                g != file
                    && self.files[g].lang == f.lang
                    && self.files[g].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir
            })
            .collect()
    }

    /// Values read from an instance: what came from the constructor's
    /// parameters belongs to this instance (two instances built with different
    /// tokens stay apart).
    fn for_instance(&self, inst: &Val, vs: Vec<Val>) -> Vec<Val> {
        let at = format!("@{}:{}", self.files[inst.at.file].path, inst.at.span.line);
        vs.into_iter().map(|v| rekey(v, &at, 0)).collect()
    }

    /// The classes a bare class name written in `from` means: the one class
    /// of that name, or, when several services of a monorepo each define
    /// one, those nearest to `from` (same file, then the longest shared
    /// directory path).
    fn nearest_classes(&self, from: FileId, name: &str) -> Rc<Vec<ScopeRef>> {
        let all = self.classes_by_name.get(name).map(Vec::as_slice).unwrap_or(&[]);
        if all.len() <= 1 {
            return Rc::new(all.to_vec());
        }
        let key = (from, name.to_string());
        if let Some(v) = self.nearest_cache.borrow().get(&key) {
            return v.clone();
        }
        let here = &self.files[from].path;
        let nearness = |f: FileId| {
            if f == from {
                return usize::MAX;
            }
            let there = &self.files[f].path;
            let here_dirs = here.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            let there_dirs = there.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            here_dirs.zip(there_dirs).take_while(|(a, b)| a == b).count()
        };
        let near: Vec<usize> = all.iter().map(|&(f, _)| nearness(f)).collect();
        let best = near.iter().copied().max().unwrap_or(0);
        let v: Rc<Vec<ScopeRef>> = Rc::new(
            all.iter()
                .zip(&near)
                .filter(|(_, &n)| n == best)
                .map(|(&c, _)| c)
                .collect(),
        );
        self.nearest_cache.borrow_mut().insert(key, v.clone());
        v
    }

    /// The base classes (transitively) and the subclasses (transitively) of a
    /// class, found by name: a base name means its nearest classes, and a
    /// subclass belongs to the family only if this class is nearest to it.
    fn class_family(&self, file: FileId, class: ScopeId) -> Rc<Family> {
        if let Some(f) = self.family_cache.borrow().get(&(file, class)) {
            return f.clone();
        }
        let f = Rc::new(self.class_family_uncached(file, class));
        self.family_cache.borrow_mut().insert((file, class), f.clone());
        f
    }

    fn class_family_uncached(&self, file: FileId, class: ScopeId) -> Family {
        const MAX_FAMILY: usize = 16;
        let mut ancestors: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            for base in &self.facts(f).scopes[c].bases {
                for &bc in self.nearest_classes(f, base).iter() {
                    if bc != (file, class) && !ancestors.contains(&bc) && ancestors.len() < MAX_FAMILY {
                        ancestors.push(bc);
                        todo.push(bc);
                    }
                }
            }
        }
        let mut descendants: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            let name = self.facts(f).scopes[c].name.as_str();
            for &sub in self.subclasses.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                if sub != (file, class)
                    && self.nearest_classes(sub.0, name).contains(&(f, c))
                    && !descendants.contains(&sub)
                    && !ancestors.contains(&sub)
                    && descendants.len() < MAX_FAMILY
                {
                    descendants.push(sub);
                    todo.push(sub);
                }
            }
        }
        (ancestors, descendants)
    }

    fn member(&self, file: FileId, o: &Val, m: &str, span: Span) -> Vec<Val> {
        let c = catalog();
        let keep = |k: VKind| {
            vec![Val {
                kind: k,
                at: Loc { file, span },
                sel: o.sel.clone(),
                switch: o.switch,
                via_param: o.via_param,
            }]
        };
        match &o.kind {
            VKind::Module(fid) => self.module_member(*fid, m, span),
            // `client.get_token` / `client.base` on an instance of a repository class.
            // Values that come from the constructor's parameters belong to this
            // instance: two instances built with different tokens stay apart.
            VKind::Instance(f, c) => self.for_instance(o, self.class_member(*f, *c, m, span)),
            // `Host.SANDBOX` on a class used as an enum: its class attribute.
            VKind::Func(f, s) if self.facts(*f).scopes[*s].kind == ScopeKind::Class => {
                match self.index[*f].fields.get(&(*s, m.to_string())) {
                    Some(idx) => self.assigned_at(*f, idx, None).unwrap_or_default(),
                    None => keep(VKind::Other),
                }
            }
            // `Host.SANDBOX.value` (Python enums) is the string itself.
            VKind::Str(_) if m == "value" => vec![o.clone()],
            VKind::Dict(fields) => {
                let vs: Vec<Val> = fields
                    .iter()
                    .filter(|(k, _)| k.as_deref() == Some(m))
                    .flat_map(|(_, v)| v.iter().cloned())
                    // A record chosen by a key: its fields are chosen by it.
                    .map(|mut v| {
                        v.inherit_sel(o);
                        v
                    })
                    .collect();
                if vs.is_empty() {
                    keep(VKind::Other)
                } else {
                    vs
                }
            }
            VKind::Carrier(ing) if c.is_token_key(m) => match ing.token_endpoint_dc() {
                Some(dc) => {
                    let id: Rc<str> = format!("{}:{}", self.files[o.at.file].path, o.at.span.line).into();
                    // A minted token comes from its token request: the place
                    // its identity names (`minted:refresh.py:9`), not the
                    // read of the response's field.
                    let keep = |k: VKind| {
                        let mut v = keep(k);
                        v[0].at = o.at;
                        v
                    };
                    self.note_minted_orgs(&id, ing);
                    // Minted at an accounts server chosen at run time
                    // (`HOSTS[dc]["accounts"]`): one alternative per data
                    // center and key, each selected by the key that chose its
                    // server (the default of `get("DC") or "au"` is one of
                    // its own, chosen by no key).
                    let mut by_dc: Vec<Val> = Vec::new();
                    for e in ing.endpoints.iter().filter(|e| e.token_endpoint) {
                        let Target::Env(env) = e.target else { continue };
                        let sel = e.selector.as_deref();
                        if by_dc.iter().any(|v| {
                            matches!(v.kind, VKind::Minted(Some(d), _) if d == env.dc) && v.sel.as_deref() == sel
                        }) {
                            continue;
                        }
                        let mut v = keep(VKind::Minted(Some(env.dc), id.clone())).remove(0);
                        if let Some(sel) = &e.selector {
                            v.sel = Some(sel.as_str().into());
                            v.switch = e.switch;
                        }
                        by_dc.push(v);
                    }
                    if by_dc.len() > 1 {
                        return by_dc;
                    }
                    // Minted from credentials chosen at run time (a refresh
                    // token per subclass, per profile): one token per
                    // credential, chosen by what chose the credential.
                    let mut creds: Vec<&crate::model::TokenAlt> = Vec::new();
                    for t in &ing.tokens {
                        if !creds.iter().any(|k| k.identity == t.identity) {
                            creds.push(t);
                        }
                    }
                    if creds.len() > 1 && creds.iter().all(|t| t.selector.is_some()) {
                        return creds
                            .into_iter()
                            .map(|t| {
                                let mut v = keep(VKind::Minted(dc, format!("{id}<{}>", t.identity).into())).remove(0);
                                v.sel = t.selector.as_deref().map(Rc::from);
                                v.switch = Some(t.origin);
                                v
                            })
                            .collect();
                    }
                    keep(VKind::Minted(dc, id))
                }
                // One response's token: its identity is where the call is.
                None => keep(VKind::Sym(
                    format!("{}:{}::{m}", self.files[o.at.file].path, o.at.span.line).into(),
                    SymKind::Symbol,
                )),
            },
            // A token response seen through its wrapper (`res.data`, `res.body`)
            // is still the token response.
            VKind::Carrier(ing) if ing.token_endpoint_dc().is_some() => vec![o.clone()],
            // Data read from any other response or client is not the client.
            VKind::Carrier(_) => keep(VKind::Other),
            VKind::Sym(s, k) => keep(VKind::Sym(format!("{s}.{m}").into(), *k)),
            VKind::Sdk(_) => vec![o.clone()],
            _ => keep(VKind::Other),
        }
    }

    fn index(&self, file: FileId, o: &Val, k: &Val, span: Span) -> Vec<Val> {
        let lit_key = match &k.kind {
            VKind::Str(p) if p.len() == 1 => match &p[0] {
                Piece::Lit(s, _) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        };
        if let Some(kk) = lit_key {
            let mut vs = self.member(file, o, kk, span);
            for v in &mut vs {
                v.inherit_sel(k);
            }
            return vs;
        }
        // A run-time key: every value of the map is an alternative.
        let sel = self
            .identity_key(k)
            .or_else(|| Some(format!("key@{}:{}", self.files[file].path, span.line).into()));
        let all: Vec<Val> = match &o.kind {
            VKind::Dict(fields) => fields.iter().flat_map(|(_, v)| v.iter().cloned()).collect(),
            VKind::List(items) => items.iter().flatten().cloned().collect(),
            VKind::Sym(s, kind) => vec![val(VKind::Sym(format!("{s}[*]").into(), *kind), file, span)],
            _ => vec![val(VKind::Other, file, span)],
        };
        all.into_iter()
            .map(|mut v| {
                v.sel = sel.clone();
                v.switch = Some(Loc { file, span });
                v.via_param |= o.via_param || k.via_param;
                v
            })
            .collect()
    }

    fn module_member(&self, fid: FileId, m: &str, span: Span) -> Vec<Val> {
        let facts = self.facts(fid);
        // CommonJS: exports.X / module.exports.X / module.exports = {X}.
        for k in [format!("exports.{m}"), format!("module.exports.{m}")] {
            if let Some(vs) = self.assigned(fid, 0, &k, None) {
                return vs;
            }
        }
        if let Some(vs) = self.assigned(fid, 0, "module.exports", None) {
            let mut out = Vec::new();
            for v in vs {
                push_alts(&mut out, self.member(fid, &v, m, span));
            }
            if out.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                return out;
            }
        }
        // A file that returns a value (a PHP config file returning an array):
        // its members.
        if let Some(rets) = self.index[fid].returns_of.get(&0) {
            let mut out = Vec::new();
            for &i in rets {
                for v in self.eval(fid, 0, &facts.returns[i].value, None) {
                    push_alts(&mut out, self.member(fid, &v, m, span));
                }
            }
            if out.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                return out;
            }
        }
        if self.index[fid].by_target.contains_key(&(0, m.to_string()))
            || facts.imports.iter().any(|i| i.scope == 0 && i.local == m)
        {
            return self.resolve_name(fid, 0, m, span, None);
        }
        // A submodule: `from pkg import mod`.
        vec![val(
            VKind::Sym(format!("{}::{m}", self.files[fid].path).into(), SymKind::Symbol),
            fid,
            span,
        )]
    }

    fn resolve_import(&self, file: FileId, imp: &Import, span: Span) -> Vec<Val> {
        if self.files[file].lang == Some(Lang::Java) {
            if let Some(vs) = self.resolve_java_import(file, imp, span) {
                return vs;
            }
        }
        let target = self.resolve_module(file, &imp.module);
        match (target, &imp.name) {
            (Some(fid), None) => vec![val(VKind::Module(fid), file, span)],
            (Some(fid), Some(n)) => {
                if let Some(sub) = self.resolve_module(file, &format!("{}.{n}", imp.module)) {
                    if matches!(self.files[file].lang, Some(Lang::Python | Lang::Rust)) {
                        return vec![val(VKind::Module(sub), file, span)];
                    }
                }
                if n == "default" {
                    for k in ["module.exports", "default"] {
                        if let Some(vs) = self.assigned(fid, 0, k, None) {
                            return vs;
                        }
                    }
                }
                self.module_member(fid, n, span)
            }
            (None, name) => {
                let id = match name {
                    Some(n) => format!("import:{}.{n}", imp.module),
                    None => format!("import:{}", imp.module),
                };
                vec![val(VKind::Sym(id.into(), SymKind::Symbol), file, span)]
            }
        }
    }

    /// `import a.b.C;` names the class C of `a/b/C.java`; `import static
    /// a.b.C.X;` its member X.
    fn resolve_java_import(&self, file: FileId, imp: &Import, span: Span) -> Option<Vec<Val>> {
        let n = imp.name.as_deref()?;
        if let Some(fid) = self.resolve_module(file, &format!("{}.{n}", imp.module)) {
            return Some(self.resolve_name(fid, 0, n, span, None));
        }
        let fid = self.resolve_module(file, &imp.module)?;
        let class = imp.module.rsplit('.').next().unwrap_or(&imp.module);
        let mut out = Vec::new();
        for v in self.resolve_name(fid, 0, class, span, None) {
            push_alts(&mut out, self.member(file, &v, n, span));
        }
        Some(out)
    }

    /// Finds the repository file an import names.
    pub fn resolve_module(&self, from: FileId, module: &str) -> Option<FileId> {
        let from_path: &'r str = &self.files[from].path;
        let dir = from_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let lang = self.files[from].lang?;
        let key = (dir, lang, module.to_string());
        if let Some(r) = self.module_cache.borrow().get(&key) {
            return *r;
        }
        let r = self.resolve_module_uncached(dir, lang, module);
        self.module_cache.borrow_mut().insert(key, r);
        r
    }

    fn resolve_module_uncached(&self, dir: &str, lang: Lang, module: &str) -> Option<FileId> {
        candidate_paths(lang, dir, module)
            .iter()
            .find_map(|p| self.by_path.get(p.as_str()).copied())
            .or_else(|| {
                if lang == Lang::Php && !module.starts_with('.') {
                    return self.by_suffix.get(module).copied();
                }
                // Absolute Python module or Java class: the shortest file
                // whose path ends with it.
                if !matches!(lang, Lang::Python | Lang::Java) || module.starts_with('.') {
                    return None;
                }
                let rel = module.replace('.', "/");
                let ends = if lang == Lang::Java {
                    vec![format!("{rel}.java")]
                } else {
                    vec![format!("{rel}.py"), format!("{rel}/__init__.py")]
                };
                ends.iter()
                    .filter_map(|e| self.by_suffix.get(e.as_str()).copied())
                    .min_by_key(|&i| (self.files[i].path.len(), i))
            })
    }

    fn eval_call(&self, file: FileId, scope: ScopeId, e: &Expr, call: &Call, params: Option<&Params>) -> Vec<Val> {
        let c = catalog();
        let one = |k: VKind| vec![val(k, file, e.span)];
        let callee = &call.callee;
        // SDK environment constructors: USDataCenter.SANDBOX().
        if let ExprKind::Member(obj, m) = &callee.kind {
            if let Some(env) = c.sdk_environment_path(obj, m) {
                return one(VKind::Sdk(env));
            }
            match m.as_str() {
                // dict.get(key[, default]) / map.get(key) — not an HTTP `get(url, …)`.
                "get"
                    if !call.args.is_empty()
                        && call.args.len() <= 2
                        && call.args.iter().all(|a| a.name.is_none())
                        && !self.is_url_like(file, scope, &call.args[0].value, params) =>
                {
                    let mut out = self.eval(
                        file,
                        scope,
                        &Expr::new(
                            ExprKind::Index(obj.clone(), Box::new(call.args[0].value.clone())),
                            e.span,
                        ),
                        params,
                    );
                    if let Some(d) = call.args.get(1) {
                        push_alts(&mut out, self.eval(file, scope, &d.value, params));
                    }
                    return out;
                }
                "replace" | "replaceAll" | "sub" if call.args.len() >= 2 => {
                    let (from, to) = (call.args[0].value.as_str(), call.args[1].value.as_str());
                    if let (Some(from), Some(to)) = (from, to) {
                        let recv = self.eval(file, scope, obj, params);
                        return recv
                            .into_iter()
                            .map(|mut v| {
                                if let VKind::Str(ps) = &mut v.kind {
                                    for p in ps.iter_mut() {
                                        if let Piece::Lit(s, _) = p {
                                            *s = s.replacen(from, to, 1);
                                        }
                                    }
                                }
                                v.at = Loc { file, span: e.span };
                                v
                            })
                            .collect();
                    }
                }
                "strip" | "rstrip" | "lstrip" | "lower" | "upper" | "trim" | "trimEnd" | "trimStart" | "toString"
                | "toLowerCase" | "toUpperCase" | "json" | "rstrip_slash" | "decode" | "encode" => {
                    return self.eval(file, scope, obj, params);
                }
                _ => {}
            }
        }
        // URL joining: urljoin(base, path), new URL(path, base), path.join(a, b).
        if let Some(d) = callee.dotted() {
            let last = d.rsplit('.').next().unwrap_or("");
            if matches!(last, "urljoin" | "join" | "resolve")
                && matches!(
                    d.as_str(),
                    "urljoin"
                        | "parse.urljoin"
                        | "urllib.parse.urljoin"
                        | "path.join"
                        | "posixpath.join"
                        | "url.resolve"
                )
            {
                let parts: Vec<Expr> = call.args.iter().map(|a| a.value.clone()).collect();
                return self.concat(file, scope, &parts, e.span, params);
            }
            if call.is_new && last == "URL" && !call.args.is_empty() {
                let mut parts: Vec<Expr> = call.args.iter().map(|a| a.value.clone()).collect();
                parts.reverse();
                return self.concat(file, scope, &parts, e.span, params);
            }
        }
        // Dict building: dict(base, k=v) (Python), Object.assign({}, base, {k: v}) (JS).
        if let Some(d) = callee.dotted() {
            if (d == "dict" && self.files[file].lang == Some(Lang::Python)) || d == "Object.assign" {
                let mut fields = Vec::new();
                for a in &call.args {
                    let vs = self.eval(file, scope, &a.value, params);
                    match &a.name {
                        Some(n) => set_field(&mut fields, Some(n.clone()), vs),
                        None => merge_spread(&mut fields, vs),
                    }
                }
                return one(VKind::Dict(Rc::new(fields)));
            }
        }
        // Token objects: OAuthToken(refresh_token=…), new OAuthBuilder()…refreshToken(rt).build().
        if let Some(ids) = self.token_object(file, scope, e, params) {
            return one(VKind::TokenObj(ids));
        }
        // Functions defined in the repository: their returns.
        let callee_vals = match &callee.kind {
            ExprKind::Name(_) | ExprKind::Member(..) => self.eval(file, scope, callee, params),
            _ => Vec::new(),
        };
        if let Some((ffile, fscope)) = callee_vals.iter().find_map(|v| match v.kind {
            VKind::Func(f, s) => Some((f, s)),
            _ => None,
        }) {
            if self.facts(ffile).scopes[fscope].kind == ScopeKind::Function {
                let mut out = self.returns(file, scope, ffile, fscope, call, params);
                // A method called on an instance: its values are that instance's.
                if let ExprKind::Member(obj, _) = &callee.kind {
                    if let Some(inst) = self
                        .eval(file, scope, obj, params)
                        .into_iter()
                        .find(|v| matches!(v.kind, VKind::Instance(..)))
                    {
                        out = self.for_instance(&inst, out);
                    }
                }
                if out.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                    return out;
                }
            }
        }
        // `res.body()` / `res.json()` on a token response is that token response.
        if call.args.is_empty() && matches!(callee.kind, ExprKind::Member(..)) {
            if let Some(t) = callee_vals
                .iter()
                .find(|v| matches!(&v.kind, VKind::Carrier(c) if c.token_endpoint_dc().is_some()))
            {
                return vec![t.clone()];
            }
        }
        // Anything else: a value that carries the call's endpoints and tokens.
        let ing = self.ingredients(file, scope, e, params);
        if ing.endpoints.is_empty() && ing.tokens.is_empty() {
            // `TokenManager(...)`: an instance whose methods and fields resolve.
            if let Some((f, c)) = callee_vals.iter().find_map(|v| match v.kind {
                VKind::Func(f, s) if self.facts(f).scopes[s].kind == ScopeKind::Class => Some((f, s)),
                _ => None,
            }) {
                return one(VKind::Instance(f, c));
            }
            // `get_token()`: every call without arguments to the same function
            // gives the same value, wherever it is made.
            if call.args.is_empty() {
                if let Some(VKind::Sym(s, _)) = callee_vals.first().map(|v| &v.kind) {
                    return one(VKind::Sym(format!("{s}()").into(), SymKind::Symbol));
                }
            }
            return one(VKind::Other);
        }
        let mut v = val(VKind::Carrier(Rc::new(ing)), file, e.span);
        v.via_param = false;
        vec![v]
    }

    /// A value that looks like a URL or a path (an HTTP call's first argument).
    fn is_url_like(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> bool {
        self.eval(file, scope, e, params).iter().any(|v| match &v.kind {
            VKind::Str(pieces) => {
                let t = probe_text(pieces);
                t.contains("://") || t.starts_with('/') || !catalog().find_hosts(&t).is_empty()
            }
            _ => false,
        })
    }

    /// What a call to a repository function returns (one step of summaries).
    fn returns(
        &self,
        file: FileId,
        scope: ScopeId,
        ffile: FileId,
        fscope: ScopeId,
        call: &Call,
        params: Option<&Params>,
    ) -> Vec<Val> {
        let ix = &self.index[ffile];
        if !ix.returns_of.contains_key(&fscope) {
            return Vec::new();
        }
        let dependent = ix.param_dependent[fscope];
        if !dependent {
            if let Some(v) = self.return_cache.borrow().get(&(ffile, fscope)) {
                return v.clone();
            }
        }
        // A recursive call adds nothing the outer evaluation does not see, and
        // summaries go MAX_SUMMARY_DEPTH calls deep, no further.
        let in_progress = self.in_progress.borrow();
        if in_progress.contains(&(ffile, fscope)) {
            return Vec::new();
        }
        // Past the depth, the call's value is unknown — never nothing: a
        // string built around it keeps its known parts.
        if in_progress.len() >= MAX_SUMMARY_DEPTH {
            return vec![val(VKind::Other, file, call.callee.span)];
        }
        drop(in_progress);
        let p = if dependent {
            self.bind_params(file, scope, ffile, fscope, call, params)
        } else {
            Params::default()
        };
        self.in_progress.borrow_mut().push((ffile, fscope));
        let out = self.returns_with(ffile, fscope, &p);
        self.in_progress.borrow_mut().pop();
        if !dependent {
            self.return_cache.borrow_mut().insert((ffile, fscope), out.clone());
        }
        out
    }

    /// The returns of a function evaluated with its parameters bound to `p`.
    fn returns_with(&self, ffile: FileId, fscope: ScopeId, p: &Params) -> Vec<Val> {
        let rets = &self.index[ffile].returns_of[&fscope];
        let mut out = Vec::new();
        let many = rets.len() > 1;
        for &i in rets {
            let r = &self.facts(ffile).returns[i];
            let mut vs = self.eval(ffile, fscope, &r.value, Some(p));
            if many {
                self.select_by_guard(ffile, fscope, r.guard.as_ref(), Some(p), &mut vs);
            }
            push_alts(&mut out, vs);
        }
        out
    }

    fn bind_params(
        &self,
        file: FileId,
        scope: ScopeId,
        ffile: FileId,
        fscope: ScopeId,
        call: &Call,
        params: Option<&Params>,
    ) -> Params {
        let names = &self.facts(ffile).scopes[fscope].params;
        let mut p = Params::default();
        let mut pos = 0;
        for a in &call.args {
            let target = match &a.name {
                Some(n) => Some(n.clone()),
                None => {
                    let n = names.get(pos).cloned();
                    pos += 1;
                    n
                }
            };
            if let Some(t) = target {
                if names.contains(&t) {
                    p.insert(t, self.eval(file, scope, &a.value, params));
                }
            }
        }
        p
    }

    /// The identity values of an SDK token construction, if `e` is one.
    fn token_object(&self, file: FileId, scope: ScopeId, e: &Expr, params: Option<&Params>) -> Option<Vec<Val>> {
        let c = catalog();
        let chain = chain_calls(e);
        let root_is_token_class = chain.iter().any(|call| {
            let name = call.callee.last_name().unwrap_or("");
            // `new OAuthToken.Builder()`: a builder nested in a token class.
            let nested = matches!(&call.callee.kind, ExprKind::Member(o, _)
                if call.is_new && o.last_name().is_some_and(|n| c.is_token_class(n)));
            c.is_token_class(name) || nested
        });
        if !root_is_token_class {
            return None;
        }
        let mut ids = Vec::new();
        for call in &chain {
            let method = call.callee.last_name().unwrap_or("");
            let is_ctor = c.is_token_class(method);
            let mut position = 0;
            for a in &call.args {
                let named = a.name.as_deref().is_some_and(|n| c.is_token_identity_param(n));
                let builder = !is_ctor && a.name.is_none() && c.is_token_identity_param(method);
                let positional = is_ctor && a.name.is_none() && c.is_token_identity_position(position);
                if a.name.is_none() {
                    position += 1;
                }
                if named || builder || positional {
                    ids.extend(self.eval(file, scope, &a.value, params));
                }
            }
        }
        Some(ids)
    }
}

/// Suffixes parameter and minted-token identities inside `v` with an
/// instance's creation site.
fn rekey(mut v: Val, at: &str, depth: usize) -> Val {
    if depth > 6 {
        return v;
    }
    v.kind = match v.kind {
        VKind::Sym(s, SymKind::Param) => VKind::Sym(format!("{s}{at}").into(), SymKind::Param),
        VKind::Minted(dc, s) => VKind::Minted(dc, format!("{s}{at}").into()),
        VKind::Str(pieces) => VKind::Str(
            pieces
                .into_iter()
                .map(|p| match p {
                    Piece::Hole(h) => Piece::Hole(Box::new(rekey(*h, at, depth + 1))),
                    lit => lit,
                })
                .collect(),
        ),
        VKind::Dict(fields) => VKind::Dict(Rc::new(
            fields
                .iter()
                .map(|(k, vs)| (k.clone(), vs.iter().cloned().map(|x| rekey(x, at, depth + 1)).collect()))
                .collect(),
        )),
        VKind::List(items) => VKind::List(Rc::new(
            items
                .iter()
                .map(|vs| vs.iter().cloned().map(|x| rekey(x, at, depth + 1)).collect())
                .collect(),
        )),
        VKind::TokenObj(ids) => VKind::TokenObj(ids.into_iter().map(|x| rekey(x, at, depth + 1)).collect()),
        other => other,
    };
    v
}

/// Sets a dict field; a later value for the same key replaces the earlier one.
fn set_field(fields: &mut Vec<(Option<String>, Vec<Val>)>, key: Option<String>, vs: Vec<Val>) {
    match fields.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
        Some(f) => f.1 = vs,
        None => fields.push((key, vs)),
    }
}

/// Inlines the fields of the dicts among `vs`; anything else stays an
/// unnamed field.
fn merge_spread(fields: &mut Vec<(Option<String>, Vec<Val>)>, vs: Vec<Val>) {
    for v in vs {
        match &v.kind {
            VKind::Dict(inner) => {
                for (k, iv) in inner.iter() {
                    set_field(fields, k.clone(), iv.clone());
                }
            }
            _ => fields.push((None, vec![v])),
        }
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
            facts: crate::frontend::lower(Lang::Python, path, text),
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
}
