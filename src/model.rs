//! The linked model that rules read: bindings of token identities to
//! Environments, with the locations that explain them.
//!
//! Built by `link/` from the facts of every file; read by `rules/`. Holds
//! no syntax and no file text.

use std::fmt;

use crate::catalog::{DcId, Environment};
use crate::facts::{FileId, Span};

/// The identity of a literal secret: the first 12 hex digits of its SHA-256.
pub fn literal_hash(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A place in a scanned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// What makes two token uses "the same token" (DESIGN §2). Never holds a
/// secret: literals are represented by a hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenIdentity {
    /// A process environment variable.
    Env(String),
    /// A literal, by the first 12 hex digits of its SHA-256.
    Literal(String),
    /// A program symbol: `path::Scope.name`, or an unresolved import.
    Symbol(String),
    /// A function parameter (`path::func.param`); differs per call site.
    Param(String),
    /// A token minted by a token-endpoint call at this place.
    Minted(String),
    /// A secret held outside the repository: `secret:NAME` (CI),
    /// `secret:<environment>/NAME` (a GitHub environment's secret),
    /// `k8s-secret:name/key`.
    Secret(String),
}

impl TokenIdentity {
    /// Comes from the deployment's settings (env vars), so each deployment
    /// may supply its own token.
    pub fn is_deployment(&self) -> bool {
        matches!(self, TokenIdentity::Env(_) | TokenIdentity::Secret(_))
    }
    /// Definitely one value wherever it is used (a literal or a constant).
    pub fn is_definite(&self) -> bool {
        matches!(self, TokenIdentity::Literal(_))
    }
}

impl fmt::Display for TokenIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenIdentity::Env(n) => write!(f, "env:{n}"),
            TokenIdentity::Literal(h) => write!(f, "literal:sha256:{h}"),
            TokenIdentity::Symbol(s) if s.starts_with("import:") || s.starts_with("store:") => f.write_str(s),
            TokenIdentity::Symbol(s) => write!(f, "sym:{s}"),
            TokenIdentity::Param(s) => write!(f, "param:{s}"),
            TokenIdentity::Minted(s) => write!(f, "minted:{s}"),
            TokenIdentity::Secret(s) => f.write_str(s),
        }
    }
}

/// A return of a function with several returns (a settings loader
/// returning one record per source), as the value it gave remembers it: two
/// values given by different returns of one run of a function never meet.
/// Runs with the same argument values take the same return; runs with
/// different ones (`zohoEndpoints(dc)` beside `zohoEndpoints(apiDc)`) are
/// different runs, whose values do meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Branch {
    /// The function.
    pub func: Loc,
    /// The returned expression.
    pub ret: Loc,
    /// The run: the number of what its argument values mean, where a guard
    /// of the function reads a parameter (else 0: every run takes the same
    /// return); one env var read at two places is one run.
    pub run: u32,
}

/// The keys that choose alternatives (`EndpointAlt::selector`,
/// `TokenAlt::selector`) say where the choice comes from. One that the
/// deployment supplies — an env var or a configuration key (`env:X`,
/// `env:config:zoho.sandbox`: settings libraries, Spring/.NET settings,
/// a configuration record read from a file at run time), or the profiles
/// that set one (`profile:…`) — can be set per deployment beside the
/// token: a switch on it is OT002 at warning level. Rules ask these
/// functions, never the spelling.
pub fn deployment_key(sel: &str) -> bool {
    sel.starts_with("env:") || profile_key(sel)
}

/// A key that is the deployment profiles setting one variable.
pub fn profile_key(sel: &str) -> bool {
    sel.starts_with("profile:")
}

/// One alternative of an endpoint at a binding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EndpointAlt {
    pub target: Target,
    /// Where the host literal or SDK constant is.
    pub origin: Loc,
    /// The key that selects this alternative at run time, if any.
    pub selector: Option<String>,
    /// Where that run-time choice is made (the ternary, the `if`, the map
    /// lookup, the subclass's assignment), if known.
    pub switch: Option<Loc>,
    /// The key of a choice made inside that one (the sandbox ternary inside
    /// a match arm over data centers), which `selector` took the place of.
    pub inner_selector: Option<String>,
    /// Where that inner choice is made.
    pub inner_switch: Option<Loc>,
    /// The endpoint is an accounts server's token endpoint (a refresh/exchange).
    pub token_endpoint: bool,
    /// The return that gave the endpoint's value, of a function with several
    /// returns (a settings loader returning one record per source): values
    /// of two different returns never meet.
    pub branch: Option<Branch>,
}

impl EndpointAlt {
    /// Chosen by `key`, directly or inside another choice (the data center
    /// `ZOHO_DC` picks in whichever class the instance is).
    pub fn chosen_by(&self, key: Option<&str>) -> bool {
        key.is_some() && (self.selector.as_deref() == key || self.inner_selector.as_deref() == key)
    }

    /// Can meet a value given by the return `branch`: not when each was
    /// given by a different return of one run of a function.
    pub fn meets(&self, branch: Option<Branch>) -> bool {
        !matches!((self.branch, branch), (Some(a), Some(b)) if a.func == b.func && a.run == b.run && a.ret != b.ret)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A definite Environment (or DC-only host when `kind` is None).
    Env(Environment),
    /// A host whose environment is built at run time (`{env}.zohoapis.com`).
    AnyEnv(Option<DcId>),
    /// A host whose environment is written and whose data center is built
    /// at run time (`sandbox.zohoapis.{tld}`).
    AnyDc(crate::catalog::EnvKind),
}

/// One alternative of the token at a binding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenAlt {
    pub identity: TokenIdentity,
    pub origin: Loc,
    pub selector: Option<String>,
    /// The accounts server's data center where this token was minted.
    pub minted_dc: Option<DcId>,
    /// Minted at an accounts server the deployment's settings name (any
    /// data center), configured at this place (a legacy SDK config whose
    /// `accounts_url` is a setting).
    pub accounts_chosen_at: Option<Loc>,
    /// The return that gave the token's value (as [`EndpointAlt::branch`]).
    pub branch: Option<Branch>,
}

/// Which org a request goes to, or a token was minted for (DESIGN §2: the
/// org is part of the Environment where the code names one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgRef {
    /// An org id written in the repository (`"20093451"`, `ZohoCRM.20093451`
    /// without its prefix).
    Id(String),
    /// An org id that comes from one named place: an env var (`env:ORG_ID`),
    /// a symbol, a config key. One value per deployment.
    Named(String),
    /// A function parameter (`param:path::func.org`): each call passes its own.
    Param(String),
    /// Chosen at run time with no identity of its own (an element of a list
    /// read from elsewhere); only meaningful with a selector.
    Unknown,
}

impl fmt::Display for OrgRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgRef::Id(s) => write!(f, "org {s}"),
            OrgRef::Named(s) => write!(f, "the org in `{s}`"),
            OrgRef::Param(s) => write!(f, "the org passed as `{}`", s.rsplit("::").next().unwrap_or(s)),
            OrgRef::Unknown => f.write_str("an org chosen at run time"),
        }
    }
}

impl OrgRef {
    /// How the inventory lists it: the id, the setting, the parameter.
    pub fn short(&self) -> String {
        match self {
            OrgRef::Id(s) | OrgRef::Named(s) => s.clone(),
            OrgRef::Param(s) => format!("param:{s}"),
            OrgRef::Unknown => "(chosen at run time)".to_string(),
        }
    }
}

/// One alternative of the org at a binding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrgAlt {
    pub org: OrgRef,
    /// Where the org id (or the value it comes from) is written.
    pub origin: Loc,
    /// The key that selects this alternative at run time (a loop, a map
    /// lookup, a ternary), if any.
    pub selector: Option<String>,
    /// Where that run-time choice is made.
    pub switch: Option<Loc>,
}

impl OrgAlt {
    /// The org varies at run time at this place: chosen by a key, or a
    /// parameter each caller fills in.
    pub fn varies(&self) -> bool {
        self.selector.is_some() || matches!(self.org, OrgRef::Param(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BindingKind {
    /// A call that carries the token to the endpoint (HTTP, client method).
    Call,
    /// An SDK initialize.
    SdkInit,
    /// An SDK switch to another user/environment.
    SdkSwitch,
    /// A call to a helper function that adds the token/endpoint inside.
    Helper,
    /// A config profile (section, `.env.*` file, CI job…) that sets both.
    Profile,
    /// An SDK call that selects an org (`new BusinessHoursOperations(xCrmOrg)`)
    /// with the token the SDK was initialised with.
    SdkCall,
}

/// A place where a token and an endpoint are used together (DESIGN §2).
#[derive(Debug, Clone)]
pub struct Binding {
    pub at: Loc,
    pub kind: BindingKind,
    pub endpoints: Vec<EndpointAlt>,
    pub tokens: Vec<TokenAlt>,
    /// Other places that explain the binding (the helper's inner call).
    pub via: Vec<Loc>,
    /// The profile's name (`path#section`), for profile bindings.
    pub profile: Option<String>,
    /// The orgs the request selects (`X-CRM-ORG`), when the code names one.
    pub orgs: Vec<OrgAlt>,
    /// One of the request's hosts is the API domain that came with the
    /// token (keyed).
    pub derived: bool,
}

impl Binding {
    /// The definite Environments of this binding (DC-only hosts included).
    pub fn environments(&self) -> Vec<Environment> {
        let mut v: Vec<Environment> = self
            .endpoints
            .iter()
            .filter_map(|e| match e.target {
                Target::Env(env) => Some(env),
                Target::AnyEnv(_) | Target::AnyDc(_) => None,
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The API environments (DC-only hosts left out).
    pub fn api_environments(&self) -> Vec<Environment> {
        self.environments().into_iter().filter(|e| e.kind.is_some()).collect()
    }

    /// The identities of the token, sorted and unique.
    pub fn identities(&self) -> Vec<&TokenIdentity> {
        let mut v: Vec<&TokenIdentity> = self.tokens.iter().map(|t| &t.identity).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What kind of place persists tokens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenStoreKind {
    /// A legacy zcrmsdk config: the SDK persists the row of its user key.
    LegacyConfig,
    /// A database table (`CREATE TABLE oauthtokens …`), by name.
    Table(String),
    /// A cache in code: `cache[email] = token`, `redis.set(key, token)`.
    Cache,
}

/// A place where tokens are persisted, and what a stored token is found by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenStore {
    /// The table name, or the user key's value in a legacy config.
    pub at: Loc,
    pub kind: TokenStoreKind,
    /// The key as written: the user key of a legacy config, the user or
    /// client columns of a table (empty when it names none).
    pub key: Vec<String>,
    /// The key includes an org, an environment or the api_domain: each
    /// environment's token has its own row.
    pub keyed: bool,
    /// The identity of the token it holds, when one is known (a legacy
    /// config's user row): the store mixes environments only if the
    /// bindings of that token do.
    pub token: Option<TokenIdentity>,
}

/// The whole linked model.
#[derive(Debug, Default)]
pub struct Model {
    pub bindings: Vec<Binding>,
    /// Token stores (legacy configs, token tables), sorted.
    pub token_stores: Vec<TokenStore>,
    /// Token literals found by shape (OT006), with their hash.
    pub token_literals: Vec<(Loc, String)>,
    /// The org each minted token was minted for (`soid=ZohoCRM.<org id>`).
    pub minted_orgs: Vec<(TokenIdentity, OrgAlt)>,
    /// Tokens read from a token store (`ZohoToken.objects.latest().refresh_token`),
    /// and tokens minted from such a read, with the store's place
    /// ([`TokenStore::at`]), sorted.
    pub stored_tokens: Vec<(TokenIdentity, Loc)>,
    /// Keys that are fields of one record the program read, with that
    /// record's key (`app.py::Client.load.cfg.api_base` → `…cfg`), sorted:
    /// one configuration supplies all of a record's fields together.
    pub records: Vec<(String, String)>,
    /// Token key names read from records that keep the API domain returned
    /// with their token, with the first place each file reads the domain
    /// beside it.
    pub domain_records: Vec<(String, Loc)>,
    /// The analysed files' paths (as shown, `/`-separated), by [`FileId`]:
    /// where a place sits in the tree (which project of a monorepo).
    pub paths: Vec<String>,
    /// The analysed files' lines, by [`FileId`]: where a place sits as a
    /// reader counts ([`Model::pos`]).
    pub lines: Vec<std::sync::Arc<crate::facts::Lines>>,
}

impl Model {
    /// Where a place sits as a reader counts (lines and columns).
    pub fn pos(&self, loc: Loc) -> crate::facts::Pos {
        self.lines.get(loc.file).map(|l| l.pos(loc.span)).unwrap_or_default()
    }
}
