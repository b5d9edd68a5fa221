//! The fact model: what every front-end lowers a file into.
//!
//! A front-end turns one file's syntax tree into [`FileFacts`]: scopes,
//! assignments, returns, call sites and imports, each carrying small [`Expr`]
//! trees. Expressions are *syntax*, not values: resolving a name, following an
//! import or evaluating a string is the linker's job (`link/`). Nothing here
//! knows about Zoho; provider knowledge lives in the catalog.
//!
//! Front-ends must not print, and must not read other files.

use serde::Serialize;
pub use thin_vec::ThinVec;

/// A region of a file: byte offsets, `start`..`end`, 32 bits (every
/// expression and value carries a span: 8 bytes). Lines and columns are
/// computed only for the places a report shows ([`Pos`], through the file's
/// [`Lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: offset(start),
            end: offset(end),
        }
    }
    /// The byte offset where the span starts.
    pub fn start_byte(&self) -> usize {
        self.start as usize
    }
    /// The byte offset where the span ends (exclusive).
    pub fn end_byte(&self) -> usize {
        self.end as usize
    }
    /// The span's bytes in its file's text.
    pub fn bytes(&self) -> std::ops::Range<usize> {
        self.start_byte()..self.end_byte()
    }
    /// From this span's start to `other`'s end.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end.max(self.start),
        }
    }
}

/// Where a span sits as a reader counts: lines and columns are 1-based;
/// columns count Unicode scalar values (SARIF `unicodeCodePoints`);
/// `end_col` is exclusive. All zero: no place in the file (a note about the
/// whole file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

/// A file's lines, kept with its facts: the lines and columns of the
/// spans a report shows are computed from it, not stored in every span.
/// Maps byte offsets to 1-based lines and Unicode-scalar columns in
/// O(log n): ASCII lines by subtraction; a line with other characters keeps
/// its text and the code points before every [`CHECKPOINT`] bytes of it (a
/// 5 MB minified line stays cheap).
#[derive(Debug, Default, Clone)]
pub struct Lines {
    starts: Box<[u32]>,
    len: u32,
    /// The lines that are not ASCII, by index, sorted.
    wide: Box<[WideLine]>,
}

#[derive(Debug, Clone)]
struct WideLine {
    index: u32,
    text: Box<str>,
    /// Code points before each multiple of [`CHECKPOINT`] bytes (rounded
    /// down to a character boundary).
    counted: Box<[u32]>,
}

const CHECKPOINT: usize = 1024;

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0u32];
        starts.extend(text.match_indices('\n').map(|(i, _)| offset(i + 1)));
        let mut wide = Vec::new();
        for (i, &st) in starts.iter().enumerate() {
            let st = st as usize;
            let end = starts.get(i + 1).map_or(text.len(), |&e| e as usize);
            let line = &text[st..end];
            if line.is_ascii() {
                continue;
            }
            let counted = (0..line.len().div_ceil(CHECKPOINT))
                .scan((0, 0), |(at, count), k| {
                    let b = floor_char_boundary(line, k * CHECKPOINT);
                    *count += line[*at..b].chars().count();
                    *at = b;
                    Some(*count as u32)
                })
                .collect();
            wide.push(WideLine {
                index: i as u32,
                text: line.into(),
                counted,
            });
        }
        Lines {
            starts: starts.into(),
            len: offset(text.len()),
            wide: wide.into(),
        }
    }

    /// (line, column) of a byte offset, both 1-based.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.len as usize);
        let line = self.starts.partition_point(|&s| s as usize <= offset).max(1) - 1;
        let start = self.starts.get(line).map_or(0, |&s| s as usize);
        let within = offset - start;
        let col = match self.wide.binary_search_by_key(&(line as u32), |w| w.index) {
            Ok(k) => {
                let w = &self.wide[k];
                // The last checkpoint at or before `within` (an offset at the
                // end of a last line as long as a multiple of CHECKPOINT has
                // none past it).
                let c = (within / CHECKPOINT).min(w.counted.len().saturating_sub(1));
                let from = floor_char_boundary(&w.text, c * CHECKPOINT);
                let to = floor_char_boundary(&w.text, within);
                let before = w.counted.get(c).map_or(0, |&n| n as usize);
                before + w.text[from..to.max(from)].chars().count() + (within - to.max(from))
            }
            Err(_) => within,
        };
        (line as u32 + 1, col as u32 + 1)
    }

    /// Where a span sits, as a report shows it.
    pub fn pos(&self, span: Span) -> Pos {
        let (line, col) = self.position(span.start_byte());
        let (end_line, end_col) = self.position(span.end_byte());
        Pos {
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// No lines yet (the default: a file whose lines were not counted).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        self.position(offset).0
    }

    /// The byte offset where line `line` (1-based) starts, if the file has it.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        let i = (line as usize).checked_sub(1)?;
        self.starts.get(i).map(|&s| s as usize)
    }
}

/// The largest character boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte offset as a span holds it (offsets past 4 GiB, which no file read
/// whole reaches, are capped).
pub fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Index of a file in the scan (see `link::Repo::files`).
pub type FileId = usize;
/// Index of a scope in [`FileFacts::scopes`]; 0 is the module.
pub type ScopeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Rust,
    Java,
    Php,
    CSharp,
    Go,
    Ruby,
    Shell,
    /// `.env` files and their relatives (dotenv syntax).
    Dotenv,
    Yaml,
    Json,
    Toml,
    /// INI files and Java `.properties`.
    Ini,
    /// SQL schemas and migrations (tables only).
    Sql,
    /// Terraform: `*.tfvars`, and `variable` defaults in `*.tf`.
    Hcl,
}

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Rust => "rust",
            Lang::Java => "java",
            Lang::Php => "php",
            Lang::CSharp => "csharp",
            Lang::Go => "go",
            Lang::Ruby => "ruby",
            Lang::Shell => "shell",
            Lang::Dotenv => "dotenv",
            Lang::Yaml => "yaml",
            Lang::Json => "json",
            Lang::Toml => "toml",
            Lang::Ini => "ini",
            Lang::Hcl => "hcl",
            Lang::Sql => "sql",
        }
    }

    /// A configuration format (lowered into profiles, not code facts).
    pub fn is_config(self) -> bool {
        matches!(
            self,
            Lang::Dotenv | Lang::Yaml | Lang::Json | Lang::Toml | Lang::Ini | Lang::Hcl
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    /// Function or class name; empty for the module and anonymous functions.
    pub name: String,
    pub parent: Option<ScopeId>,
    /// Parameter names, in order (functions only; `self`/`this` excluded).
    pub params: Vec<String>,
    /// The declared type of each parameter, as far as the front-end knows
    /// it: the class name only (`ZohoConfig` for `final com.x.ZohoConfig
    /// config`, `List<X>` → `List`); empty when none is written. Shorter
    /// than `params` when the tail has none.
    pub param_types: Vec<String>,
    /// The keyword-rest parameter (Ruby `**opts`, Python `**kwargs`): the
    /// keyword arguments no other parameter takes, as one dict. In Ruby it
    /// is also the last of `params` (a trailing hash binds to it); in
    /// Python it is not (positional arguments never reach it).
    pub kwrest: Option<String>,
    /// Base classes as written, last segment only (`class A(base.B)` → `B`).
    pub bases: Vec<String>,
    /// A method that reading the member calls (Python `@property`, a Ruby
    /// method without parameters: `obj.base_url` is `obj.base_url()`).
    pub getter: bool,
    pub span: Span,
}

/// A member's name (`obj.name`): text behind one pointer, so that a member
/// read fits an [`Expr`] of four words. Reads, compares, hashes, sorts and
/// prints as the `str` it holds.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(Box<Box<str>>);

impl std::ops::Deref for Ident {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Ident {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Ident {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Ident {
    fn from(s: &str) -> Self {
        Ident(Box::new(s.into()))
    }
}

impl From<String> for Ident {
    fn from(s: String) -> Self {
        Ident(Box::new(s.into_boxed_str()))
    }
}

impl From<Box<str>> for Ident {
    fn from(s: Box<str>) -> Self {
        Ident(Box::new(s))
    }
}

impl PartialEq<str> for Ident {
    fn eq(&self, other: &str) -> bool {
        **self.0 == *other
    }
}

impl PartialEq<&str> for Ident {
    fn eq(&self, other: &&str) -> bool {
        **self.0 == **other
    }
}

impl std::fmt::Debug for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self.0, f)
    }
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self.0, f)
    }
}

/// A syntactic expression. `span` covers the whole expression.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

// The facts of every analysed file are kept until linking is done, and
// they are mostly expressions: keep them small (32 bytes on 64-bit
// targets: no variant holds more than two words, the span two offsets;
// text is a `Box<str>`, a sequence that is never grown again a boxed or
// thin slice, a member's name a thin [`Ident`]).
const _: () = assert!(std::mem::size_of::<Expr>() <= 32);

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A string literal, already unescaped.
    Str(Box<str>),
    /// String building: `a + b`, f-strings, template literals, `%`/`format`
    /// are lowered to this when the parts are known.
    Concat(Box<[Expr]>),
    Name(Box<str>),
    /// `self` / `this`.
    This,
    Member(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    /// Shared: the same call is held by its call site and by the expression
    /// around it.
    Call(std::sync::Arc<Call>),
    /// Dict / object literal: (key, value). Keys that are not plain strings
    /// are kept as expressions.
    Dict(Box<[(Expr, Expr)]>),
    List(Box<[Expr]>),
    /// Element `i` of a tuple, list or multiple return, as destructuring
    /// reads it: `a, b = f()` assigns `Elem(f(), 0)` to `a`. Object
    /// destructuring (`const {token} = f()`) is a `Member` read instead.
    Elem(Box<Expr>, usize),
    /// One of several values chosen at run time: a ternary (`cond` set) or
    /// `a or b` / `a ?? b` (no condition).
    Alt {
        cond: Option<Box<Expr>>,
        alts: ThinVec<Expr>,
    },
    /// A comparison or boolean test; only its operands matter (selector keys).
    Test(Box<[Expr]>),
    /// A read of a process environment variable with a static name (in a
    /// config file: a `${VAR}` / `$VAR` / `{{var}}` reference).
    Env(Box<str>),
    /// The process environment as a whole (`process.env`), or a settings
    /// object validated from it (`schema.parse(process.env)`,
    /// `cleanEnv(process.env, …)`, a NestJS `ConfigService`): each of its
    /// members is a read of the env var of that name.
    EnvObject,
    /// A secret held outside the repository (`${{ secrets.X }}`, a k8s
    /// `secretKeyRef`): its identity, e.g. `secret:ZOHO_TOKEN`.
    Secret(Box<str>),
    /// A function value defined in this file (lambda, arrow function, `def`).
    Func(ScopeId),
    Bool(bool),
    Number,
    Null,
    /// A template filled with arguments where the template is not a
    /// literal (a variable, a ternary of literals): filled by the linker
    /// for each literal it can be (`crate::template`).
    Format {
        style: FormatStyle,
        template: Box<Expr>,
        args: ThinVec<Arg>,
    },
    /// Anything the analysis does not model.
    Unknown,
}

/// The syntax of a template's references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatStyle {
    /// `%s`, `%<name>s`, `%(name)s`, `%{name}`.
    Printf,
    /// Python's `str.format`: `{}`, `{0}`, `{name}`.
    Python,
    /// .NET composite formatting: `{0}`, `{1,10:x}`.
    Composite,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub callee: Expr,
    pub args: Box<[Arg]>,
    /// `new X(...)`.
    pub is_new: bool,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// Keyword argument name (`token=`), `None` for positional ones.
    pub name: Option<Box<str>>,
    pub value: Expr,
}

/// `target = value`. `guard` is the condition of the innermost `if` around
/// the assignment (flow-insensitive analysis keeps it as the selector of this
/// alternative).
#[derive(Debug, Clone)]
pub struct Assign {
    pub scope: ScopeId,
    pub target: Expr,
    pub value: Expr,
    pub guard: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Return {
    pub scope: ScopeId,
    pub value: Expr,
    pub guard: Option<Box<Expr>>,
}

/// A call expression that heads its chain (it is not the receiver of another
/// call): the candidate for a binding.
#[derive(Debug, Clone)]
pub struct CallSite {
    pub scope: ScopeId,
    pub expr: Expr,
    /// The call's value is discarded (an expression statement): a method call
    /// on an object then configures that object (`s.headers.update(...)`).
    pub statement: bool,
}

/// An import: `local` names the binding in this file; `module` is the source
/// as written (`config`, `.settings`, `./config.js`); `name` is the imported
/// member, `None` for the module object itself. `local` is `*` for a
/// whole-file import whose top-level names become visible (PHP `require`,
/// Ruby `require_relative`).
#[derive(Debug, Clone)]
pub struct Import {
    pub scope: ScopeId,
    pub local: String,
    pub module: String,
    pub name: Option<String>,
    pub span: Span,
}

/// A table a schema creates or alters (`CREATE TABLE`, `ALTER TABLE … ADD
/// COLUMN`): its name and the columns that statement names, unquoted.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The last part of the (possibly qualified) name: `db.oauthtokens` → `oauthtokens`.
    pub name: String,
    pub columns: Vec<String>,
    /// `ALTER TABLE`: adds to a table created elsewhere.
    pub alter: bool,
    /// The table name as written.
    pub span: Span,
}

/// Everything one front-end learnt about one file.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub scopes: Vec<Scope>,
    pub assigns: Vec<Assign>,
    pub returns: Vec<Return>,
    pub calls: Vec<CallSite>,
    pub imports: Vec<Import>,
    /// Names of env vars read anywhere in the file (for the prefilter's
    /// second pass and for linking).
    pub env_reads: Vec<String>,
    /// Tables created or altered (SQL schemas and migrations).
    pub tables: Vec<TableDef>,
    /// First line with a syntax error, if the parser had to recover.
    pub parse_error_line: Option<u32>,
    /// Profiles of a configuration file (empty for code).
    pub profiles: Vec<Profile>,
    /// Classes the framework fills from a configuration section.
    pub settings_classes: Vec<SettingsClass>,
    /// Other problems worth a note (an alias bomb cut short, …).
    pub notes: Vec<String>,
    /// The file's lines (set by the scan once the file is lowered): where
    /// the spans of what is reported sit.
    pub lines: std::sync::Arc<Lines>,
}

/// A class whose instances the framework fills from a configuration
/// section (.NET `services.Configure<ZohoOptions>(config.GetSection("Zoho"))`,
/// `AddOptions<ZohoOptions>().BindConfiguration("Zoho")`): a member read on
/// any instance of it is a read of the key below the section.
#[derive(Debug, Clone)]
pub struct SettingsClass {
    /// The class, by its simple name.
    pub class: String,
    /// The section's name (a literal, or a constant naming it), evaluated in
    /// `scope`.
    pub section: Expr,
    pub scope: ScopeId,
}

/// A group of settings meant for one deployment (DESIGN §2): a `.env.<name>`
/// file, a section of a config file, a CI job, a compose service, a k8s
/// container, a Postman environment.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Unique within the file: `jobs.deploy`, `zoho.sandbox`, the file name.
    pub name: String,
    /// Where the profile is introduced (its key, or the file's first line).
    pub span: Span,
    /// Profiles whose settings this one inherits; its own settings override
    /// them, later parents override earlier ones.
    pub parents: Vec<Parent>,
    pub settings: Vec<Setting>,
    /// A template, not a deployment: `.env.example`, a GitLab hidden job.
    pub template: bool,
}

#[derive(Debug, Clone)]
pub struct Parent {
    pub target: ParentRef,
    /// The line that brings the parent in (`extends:`, `env_file:`), if any.
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentRef {
    /// A profile of this file, by index.
    Local(usize),
    /// A profile of this file, by name (resolved by the linker).
    Named(String),
    /// Every profile named like the file of another file, by path relative
    /// to the scan (`.env` for `.env.sandbox`, an `env_file:`).
    File(String),
}

/// One setting of a profile: `KEY=value`, `key: value`.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The key: an env var name, or a dotted path inside the profile.
    pub key: String,
    /// The value as syntax: `Str`, `Concat` with `Env`/`Secret` references,
    /// `Unknown`.
    pub value: Expr,
    /// The whole entry.
    pub span: Span,
    /// Sets a process environment variable (dotenv, CI `env:`, compose,
    /// k8s) that code may read.
    pub env: bool,
    /// The YAML alias / merge key that brought this setting in, if any.
    pub via: Option<Span>,
}

impl FileFacts {
    pub fn new_module(span: Span) -> Self {
        FileFacts {
            scopes: vec![Scope {
                kind: ScopeKind::Module,
                name: String::new(),
                parent: None,
                params: Vec::new(),
                param_types: Vec::new(),
                kwrest: None,
                bases: Vec::new(),
                getter: false,
                span,
            }],
            ..Default::default()
        }
    }

    /// Where a span of this file sits as a reader counts (once its lines
    /// are set).
    pub fn pos(&self, span: Span) -> Pos {
        self.lines.pos(span)
    }

    /// The 1-based line where a span of this file starts.
    pub fn line(&self, span: Span) -> u32 {
        self.lines.line_of(span.start_byte())
    }

    pub fn add_scope(&mut self, kind: ScopeKind, name: String, parent: ScopeId, span: Span) -> ScopeId {
        self.scopes.push(Scope {
            kind,
            name,
            parent: Some(parent),
            params: Vec::new(),
            param_types: Vec::new(),
            kwrest: None,
            bases: Vec::new(),
            getter: false,
            span,
        });
        self.scopes.len() - 1
    }

    /// Gives back the spare capacity of the fact lists: the facts of every
    /// analysed file are kept until linking is done, and lists grown by
    /// pushing hold up to twice what they need.
    pub fn shrink_to_fit(&mut self) {
        self.scopes.shrink_to_fit();
        for s in &mut self.scopes {
            s.params.shrink_to_fit();
            s.bases.shrink_to_fit();
        }
        self.assigns.shrink_to_fit();
        self.returns.shrink_to_fit();
        self.calls.shrink_to_fit();
        self.imports.shrink_to_fit();
        self.env_reads.shrink_to_fit();
        self.tables.shrink_to_fit();
        self.profiles.shrink_to_fit();
        for p in &mut self.profiles {
            p.settings.shrink_to_fit();
        }
        self.notes.shrink_to_fit();
    }

    /// Marks the call whose span is `span` (the last one lowered, if it is
    /// the statement's expression) as an expression statement.
    pub fn mark_statement(&mut self, span: Span) {
        if let Some(last) = self.calls.last_mut() {
            if last.expr.span == span {
                last.statement = true;
            }
        }
    }

    /// The scope path used in symbol identities: `Class.method`.
    pub fn scope_path(&self, mut scope: ScopeId) -> String {
        let mut parts = Vec::new();
        while let Some(s) = self.scopes.get(scope) {
            if !s.name.is_empty() {
                parts.push(s.name.as_str());
            }
            match s.parent {
                Some(p) => scope = p,
                None => break,
            }
        }
        parts.reverse();
        parts.join(".")
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
    /// Element `i` of `n` targets destructuring this value: the literal's
    /// item when the value is a list or tuple of `n` items (`a, b = x, y`),
    /// else an `Elem` read for the linker (`a, b = f()`).
    pub fn element(&self, i: usize, n: usize) -> Expr {
        match &self.kind {
            ExprKind::List(items) if items.len() == n => items[i].clone(),
            // `(a, b) = if c { (x, y) } else { (z, w) }`: element-wise.
            ExprKind::Alt { cond, alts } => Expr::new(
                ExprKind::Alt {
                    cond: cond.clone(),
                    alts: alts.iter().map(|a| a.element(i, n)).collect(),
                },
                self.span,
            ),
            // A single value read as a pair (`v, ok := os.LookupEnv(…)`):
            // the value, then flags.
            ExprKind::Str(_)
            | ExprKind::Concat(_)
            | ExprKind::Format { .. }
            | ExprKind::Env(_)
            | ExprKind::Secret(_)
                if i == 0 =>
            {
                self.clone()
            }
            ExprKind::Str(_)
            | ExprKind::Concat(_)
            | ExprKind::Format { .. }
            | ExprKind::Env(_)
            | ExprKind::Secret(_) => Expr::unknown(self.span),
            _ => Expr::new(ExprKind::Elem(Box::new(self.clone()), i), self.span),
        }
    }
    /// What call `call` wrote into its argument at `position` (C# `out` /
    /// `ref`): a member read of the call under a name no source can spell.
    pub fn out_argument(call: Expr, position: usize, span: Span) -> Self {
        Expr::new(
            ExprKind::Member(Box::new(call), format!("\u{1}out{position}").into()),
            span,
        )
    }

    /// The position an [`Expr::out_argument`] member name reads.
    pub fn out_argument_position(member: &str) -> Option<usize> {
        member.strip_prefix("\u{1}out")?.parse().ok()
    }

    pub fn unknown(span: Span) -> Self {
        Expr::new(ExprKind::Unknown, span)
    }
    /// The value of a call, or one of its results (`req, err := http.NewRequest(…)`).
    pub fn is_call_result(&self) -> bool {
        match &self.kind {
            ExprKind::Call(_) => true,
            ExprKind::Elem(inner, _) => inner.is_call_result(),
            _ => false,
        }
    }
    /// The plain string content, if this is a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The trailing member/method name: `a.b.c` → `c`, `f` → `f`.
    pub fn last_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            ExprKind::Member(_, m) => Some(m),
            _ => None,
        }
    }
    /// Dotted path of a name/member chain: `Initializer.switch_user`.
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone().into()),
            ExprKind::This => Some("this".into()),
            ExprKind::Member(o, m) => o.dotted().map(|p| format!("{p}.{m}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, Span};

    /// Line and column of every offset, counted the slow way: lines split
    /// at `\n`, columns in code points (an offset inside a character
    /// counts the bytes past its start).
    fn naive(text: &str, offset: usize) -> (u32, u32) {
        let before = &text[..floor(text, offset)];
        let line = before.matches('\n').count() as u32 + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[start..floor(text, offset)].chars().count() + (offset - floor(text, offset));
        (line, col as u32 + 1)
    }

    fn floor(s: &str, mut i: usize) -> usize {
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    #[test]
    fn positions_count_lines_and_code_points() {
        let long_wide: String = "é".repeat(1024); // 2,048 bytes: two checkpoints exactly
        let texts = [
            String::new(),
            "a\nbc\n".to_string(),
            "const é = 'ü'; go(é);\n\nx".to_string(),
            format!("a\n{long_wide}"),
            format!("{long_wide}\n{long_wide}x\n"),
            format!("z{}", "日本".repeat(700)),
        ];
        for text in &texts {
            let lines = Lines::new(text);
            for offset in 0..=text.len() {
                assert_eq!(
                    lines.position(offset),
                    naive(text, offset),
                    "offset {offset} of a {}-byte text",
                    text.len()
                );
            }
            let p = lines.pos(Span::new(0, text.len()));
            assert_eq!((p.line, p.col), (1, 1));
            assert_eq!((p.end_line, p.end_col), naive(text, text.len()));
        }
    }
}
