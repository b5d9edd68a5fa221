//! The provider catalog: hosts, SDK names, token shapes and rule help, loaded
//! from the TOML files under `rules/` (embedded at build time).
//!
//! This module turns that data into fast matchers (host classification,
//! token-literal search, prefilter triggers). It holds no provider facts of
//! its own: every Zoho-specific string comes from `rules/*.toml`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};

const CATALOG_TOML: &str = include_str!("../rules/zoho-crm.toml");
const RULES_TOML: &str = include_str!("../rules/rules.toml");

/// Rule help, one Markdown file per rule.
const RULE_DOCS: &[(&str, &str)] = &[
    ("OT001", include_str!("../rules/docs/OT001.md")),
    ("OT002", include_str!("../rules/docs/OT002.md")),
    ("OT003", include_str!("../rules/docs/OT003.md")),
    ("OT004", include_str!("../rules/docs/OT004.md")),
    ("OT005", include_str!("../rules/docs/OT005.md")),
    ("OT006", include_str!("../rules/docs/OT006.md")),
    ("OT007", include_str!("../rules/docs/OT007.md")),
];

/// Production / sandbox / developer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvKind {
    Production,
    Sandbox,
    Developer,
}

impl EnvKind {
    pub fn name(self) -> &'static str {
        match self {
            EnvKind::Production => "production",
            EnvKind::Sandbox => "sandbox",
            EnvKind::Developer => "developer",
        }
    }
}

/// Index into [`Catalog::data_centers`].
pub type DcId = u8;

/// An Environment (DESIGN §2): a data center and, for API hosts, an
/// environment. `kind == None` is a DC-only host (accounts, content, upload):
/// it serves every environment of its data center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Environment {
    pub dc: DcId,
    pub kind: Option<EnvKind>,
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dc = &catalog().data_centers[self.dc as usize].name;
        match self.kind {
            Some(k) => write!(f, "{dc} {}", k.name()),
            None => write!(f, "{dc} (any environment)"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    Api,
    Legacy,
    Accounts,
    DcOnly,
}

#[derive(Debug, Clone, Copy)]
pub struct HostInfo {
    pub env: Environment,
    pub kind: HostKind,
}

/// One host found in a string.
#[derive(Debug, Clone)]
pub struct HostMatch {
    pub info: HostInfo,
    /// Byte range of the host in the searched text.
    pub start: usize,
    pub end: usize,
    /// The URL path right after the host, up to the next hole.
    pub path: String,
}

#[derive(Debug, Deserialize)]
struct RawCatalog {
    /// Describes the file; the code reads nothing from it yet.
    #[serde(rename = "provider")]
    _provider: RawProvider,
    prefilter: RawPrefilter,
    /// Source tag → what it is (a URL, a file), for `data_center.sources`.
    sources: BTreeMap<String, String>,
    data_center: Vec<RawDc>,
    templates: RawTemplates,
    paths: RawPaths,
    tokens: RawTokens,
    legacy: Legacy,
    token_store: TokenStoreNames,
    org: OrgNames,
    sdk: RawSdk,
}

/// Where code names the org of a request or of a token (`[org]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OrgNames {
    /// Request headers that select the org (`X-CRM-ORG`), any case.
    pub header_names: Vec<String>,
    /// SDK parameters and header constants for that header.
    pub sdk_params: Vec<String>,
    /// SDK operations classes whose first constructor argument is the org.
    pub sdk_operations: Vec<String>,
    /// Token-request parameters that mint for one org (`soid`).
    pub token_params: Vec<String>,
    /// Prefixes of their values (`ZohoCRM.`), cut off, any case.
    pub value_prefixes: Vec<String>,
    /// Token-store keys that name an org.
    pub store_keys: Vec<String>,
    /// Sample org ids (after the prefix is cut), any case.
    pub placeholders: Vec<String>,
    /// Parts that make an org id a sample (`xxxxxx`, `your-org-id`), lower case.
    pub placeholder_fragments: Vec<String>,
}

impl OrgNames {
    /// A request header that selects the org.
    pub fn is_header(&self, name: &str) -> bool {
        self.header_names.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))
    }
    /// A key, keyword argument or header constant whose value is an org:
    /// the header, an SDK parameter, a token-request parameter.
    pub fn is_org_key(&self, name: &str) -> bool {
        self.is_header(name) || self.is_sdk_param(name) || self.token_params.iter().any(|p| p == name)
    }
    pub fn is_sdk_param(&self, name: &str) -> bool {
        self.sdk_params.iter().any(|p| p == name)
    }
    pub fn is_sdk_operations(&self, class: &str) -> bool {
        self.sdk_operations.iter().any(|p| p == class)
    }
    /// The length of a leading `X-CRM-ORG:` in a header line.
    pub fn header_line_len(&self, s: &str) -> Option<usize> {
        header_line_len(&self.header_names, s)
    }
    /// Where a token-request parameter's value starts in a query or form
    /// string (`…&soid=`): the byte after the `=`, when `s` has one.
    pub fn token_param_value(&self, s: &str) -> Option<usize> {
        self.token_params.iter().find_map(|p| {
            let needle = format!("{p}=");
            s.match_indices(&needle)
                .find(|(i, _)| *i == 0 || s.as_bytes()[i - 1] == b'&' || s.as_bytes()[i - 1] == b'?')
                .map(|(i, _)| i + needle.len())
        })
    }
    /// An org id as written, with its service prefix cut: `ZohoCRM.123` →
    /// `123`; `None` for a sample.
    pub fn org_id<'s>(&self, s: &'s str) -> Option<&'s str> {
        let mut v = s.trim();
        for p in &self.value_prefixes {
            if v.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)) {
                v = &v[p.len()..];
            }
        }
        let v = v.split('&').next().unwrap_or("").trim();
        let lower = v.to_ascii_lowercase();
        let sample = self.placeholders.iter().any(|p| p.eq_ignore_ascii_case(v))
            || self.placeholder_fragments.iter().any(|f| lower.contains(f.as_str()));
        (!sample).then_some(v)
    }
}

/// Legacy zcrmsdk configuration keys (catalog §6).
#[derive(Debug, Clone, Deserialize)]
pub struct Legacy {
    /// The older SDKs' class names (prefilter triggers).
    pub sdk_classes: Vec<String>,
    pub base_url_keys: Vec<String>,
    pub sandbox_flags: Vec<String>,
    pub user_keys: Vec<String>,
    /// The user whose row the SDK persists when its configuration names
    /// none (the SDK's current or default user: one row per store).
    pub default_user: String,
    /// The keys that name where the SDK persists its rows: a store chosen
    /// at run time is one store per choice.
    pub store_keys: Vec<String>,
    pub default_base: String,
    /// The keys that name the accounts server the SDK mints its token at.
    pub accounts_keys: Vec<String>,
    pub truthy: Vec<String>,
}

/// Token-store tables and their key columns (catalog §5).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenStoreNames {
    pub tables: Vec<String>,
    pub user_columns: Vec<String>,
    pub key_columns: Vec<String>,
    /// Methods that write a cache entry: `r.set(key, value)`.
    pub write_methods: Vec<String>,
    /// Base classes of ORM models (`models.Model`, `db.Model`,
    /// `ApplicationRecord`), last segment: a model is a table.
    pub orm_bases: Vec<String>,
    /// Columns that hold a token: a table with one stores tokens, whatever
    /// its name.
    pub token_columns: Vec<String>,
    /// Calls that query an ORM model given as an argument
    /// (`session.query(ZohoToken)`, `select(ZohoToken)`): their rows.
    pub orm_queries: Vec<String>,
    /// Migration schema builders that create a table (`Schema.create`,
    /// `create_table`, `schema.createTable`) or change one (`Schema.table`),
    /// as dotted callee tails: the table is the first argument.
    pub schema_creates: Vec<String>,
    pub schema_alters: Vec<String>,
}

impl TokenStoreNames {
    fn has(list: &[String], name: &str) -> bool {
        list.iter().any(|x| x.eq_ignore_ascii_case(name))
    }
    pub fn is_table(&self, name: &str) -> bool {
        Self::has(&self.tables, name)
    }
    pub fn is_user_column(&self, name: &str) -> bool {
        Self::has(&self.user_columns, name)
    }
    pub fn is_key_column(&self, name: &str) -> bool {
        Self::has(&self.key_columns, name)
    }
    pub fn is_orm_base(&self, name: &str) -> bool {
        self.orm_bases.iter().any(|b| b == name)
    }
    pub fn is_token_column(&self, name: &str) -> bool {
        Self::has(&self.token_columns, name)
    }
    /// `builder` (a dotted callee, `knex.schema.createTable`) ends with one
    /// of `tails` at a `.` boundary.
    fn builder_in(tails: &[String], builder: &str) -> bool {
        tails.iter().any(|t| {
            builder == t || (builder.ends_with(t.as_str()) && builder[..builder.len() - t.len()].ends_with('.'))
        })
    }
    pub fn is_schema_create(&self, builder: &str) -> bool {
        Self::builder_in(&self.schema_creates, builder)
    }
    pub fn is_schema_alter(&self, builder: &str) -> bool {
        Self::builder_in(&self.schema_alters, builder)
    }
    pub fn is_orm_query(&self, name: &str) -> bool {
        self.orm_queries.iter().any(|m| m == name)
    }
    pub fn is_write_method(&self, name: &str) -> bool {
        self.write_methods.iter().any(|m| m == name)
    }
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct RawProvider {
    id: String,
    name: String,
    environments: Vec<EnvKind>,
}

#[derive(Debug, Deserialize)]
struct RawPrefilter {
    literals: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDc {
    id: String,
    name: String,
    sdk_prefix: String,
    /// Tags of `[sources]` this entry was checked against.
    sources: Vec<String>,
    /// The date it was checked (YYYY-MM-DD).
    checked: String,
    /// Hosts of this entry that no Zoho page and no official SDK names.
    #[serde(default)]
    unverified: Vec<String>,
    api: BTreeMap<EnvKind, Vec<String>>,
    legacy: BTreeMap<EnvKind, Vec<String>>,
    accounts: Vec<String>,
    dc_only: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawTemplates {
    env_variable_suffix: String,
    api_domain_root: String,
    accounts_domain_root: String,
}

#[derive(Debug, Deserialize)]
struct RawPaths {
    token_endpoint: Vec<String>,
    other_products: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawTokens {
    header_prefixes: Vec<String>,
    header_prefixes_generic: Vec<String>,
    header_names: Vec<String>,
    /// HTTP-client methods whose argument is the token (`bearer_auth(t)`).
    #[serde(default)]
    auth_methods: Vec<String>,
    keys: Vec<String>,
    name_shape: String,
    #[serde(default)]
    secret_name_shape: Option<String>,
    api_domain_keys: Vec<String>,
    literal: String,
    /// Defaults to `literal`.
    #[serde(default)]
    mask: Option<String>,
    placeholders: Vec<String>,
    placeholder_chars: String,
}

#[derive(Debug, Deserialize)]
struct RawSdk {
    dc_class_suffix: String,
    environment_members: BTreeMap<String, EnvKind>,
    init_methods: Vec<String>,
    switch_methods: Vec<String>,
    environment_params: Vec<String>,
    token_params: Vec<String>,
    token_classes: Vec<String>,
    token_identity_params: Vec<String>,
    #[serde(default)]
    token_identity_positions: Vec<usize>,
    vendored_globs: Vec<String>,
    languages: BTreeMap<String, SdkLanguage>,
}

/// How one language writes the SDK (packages, environment syntax, init,
/// switch and token forms). Front-ends of later languages read this.
#[derive(Debug, Clone, Deserialize)]
pub struct SdkLanguage {
    pub packages: Vec<String>,
    pub environment_syntax: EnvironmentSyntax,
    pub init: String,
    pub switch: String,
    pub token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentSyntax {
    Call,
    Field,
    StaticCall,
    Constant,
    ObjectCall,
}

#[derive(Debug, Deserialize)]
struct RawRules {
    rule: Vec<RuleMeta>,
}

/// Rule metadata from `rules/rules.toml` plus its help from `rules/docs/`.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub level: Level,
    pub short: String,
    pub full: String,
    pub precision: String,
    /// Only on security findings (GitHub lists those as security alerts).
    pub security_severity: Option<String>,
    pub tags: Vec<String>,
    /// False for rules whose analysis is not built yet (they never fire).
    #[serde(default = "active_by_default")]
    pub active: bool,
    #[serde(skip)]
    pub help_markdown: String,
    /// `help_markdown` as plain text (SARIF `help.text`).
    #[serde(skip)]
    pub help_text: String,
}

impl RuleMeta {
    /// The rule's documentation page in the repository (`repository` in
    /// Cargo.toml).
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/rules/docs/{}.md",
            env!("CARGO_PKG_REPOSITORY").trim_end_matches('/'),
            self.id
        )
    }
}

/// Markdown as plain text, for readers that show text as is (SARIF
/// `help.text`): headings lose their `#`, code blocks are indented four
/// spaces without their fences, `**strong**`, `` `code` `` and
/// `[text](url)` become `strong`, `code` and `text (url)`.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(h) = line.strip_prefix('#') {
            out.push_str(h.trim_start_matches('#').trim());
        } else {
            out.push_str(&inline_plain(line));
        }
        out.push('\n');
    }
    out
}

fn inline_plain(line: &str) -> String {
    let s = line.replace("**", "").replace('`', "");
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after
            .find("](")
            .and_then(|close| after[close + 2..].find(')').map(|end| (close, close + 2 + end)));
        match link {
            Some((close, end)) => {
                out.push_str(&rest[..open]);
                out.push_str(&format!("{} ({})", &after[..close], &after[close + 2..end]));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn active_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One data center of the catalog, with every host that designates it.
#[derive(Debug, Clone, Serialize)]
pub struct DataCenter {
    pub id: String,
    pub name: String,
    /// The official SDKs' class for it (`USDataCenter`).
    pub sdk_class: String,
    /// API hosts per environment.
    pub api: BTreeMap<EnvKind, Vec<String>>,
    /// Older API hosts and CRM web hosts per environment.
    pub legacy: BTreeMap<EnvKind, Vec<String>>,
    /// Accounts (OAuth) servers: every environment of the data center.
    pub accounts: Vec<String>,
    /// Content, download and upload hosts: every environment.
    pub dc_only: Vec<String>,
    /// Tags of [`Catalog::sources`] this entry was checked against.
    pub sources: Vec<String>,
    pub checked: String,
    /// Hosts that no Zoho page and no official SDK names.
    pub unverified: Vec<String>,
}

impl DataCenter {
    /// Every host of this data center, API hosts first.
    pub fn hosts(&self) -> impl Iterator<Item = &String> {
        self.api
            .values()
            .chain(self.legacy.values())
            .flatten()
            .chain(&self.accounts)
            .chain(&self.dc_only)
    }
}

/// The loaded catalog with its matchers.
pub struct Catalog {
    pub data_centers: Vec<DataCenter>,
    /// Source tag → the page or file it names (`[sources]`).
    pub sources: BTreeMap<String, String>,
    hosts: Vec<HostInfo>,
    host_matcher: AhoCorasick,
    pub env_variable_suffix: String,
    pub api_domain_root: String,
    pub accounts_domain_root: String,
    pub token_endpoint_paths: Vec<String>,
    pub other_product_paths: Vec<String>,
    pub header_prefixes: Vec<String>,
    pub header_prefixes_generic: Vec<String>,
    header_names: Vec<String>,
    auth_methods: HashSet<String>,
    token_keys: HashSet<String>,
    token_name_shape: Regex,
    secret_name_shape: Option<Regex>,
    api_domain_keys: HashSet<String>,
    pub token_literal: Regex,
    /// What reporters mask wherever it appears (`tokens.mask`).
    pub token_mask: Regex,
    placeholders: HashSet<String>,
    placeholder_chars: String,
    /// `USDataCenter` → DC.
    sdk_dc_classes: BTreeMap<String, DcId>,
    sdk_env_members: BTreeMap<String, EnvKind>,
    dc_class_suffix: String,
    init_methods: HashSet<String>,
    switch_methods: HashSet<String>,
    pub environment_params: Vec<String>,
    token_params: HashSet<String>,
    token_classes: HashSet<String>,
    token_identity_params: HashSet<String>,
    token_identity_positions: Vec<usize>,
    pub vendored_globs: Vec<String>,
    pub legacy: Legacy,
    pub token_store: TokenStoreNames,
    /// Org selectors (`[org]`).
    pub org: OrgNames,
    /// Per-language SDK forms, by language name.
    pub sdk_languages: BTreeMap<String, SdkLanguage>,
    pub triggers: Vec<String>,
    pub rules: Vec<RuleMeta>,
    /// Token names a project adds (`extra-token-names`), lower case.
    extra_token_names: HashSet<String>,
}

/// What a project's `.orgtoken.toml` adds to the embedded catalog.
#[derive(Debug, Default, Clone)]
pub struct Extension {
    /// `(host, data center id, environment)`; no environment is a DC-only host.
    pub hosts: Vec<(String, String, Option<EnvKind>)>,
    /// Env-var and config-key names whose value is a token.
    pub token_names: Vec<String>,
}

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// Extends the catalog for this process. Call it once, before the scan
/// (before anything calls [`catalog`]).
pub fn install(ext: &Extension) -> Result<(), String> {
    let c = Catalog::load_with(CATALOG_TOML, RULES_TOML, ext).map_err(|e| e.to_string())?;
    CATALOG
        .set(c)
        .map_err(|_| "the catalog was already in use before the project's extension was installed".to_string())
}

/// The embedded catalog. Loading it cannot fail at run time: a test checks
/// that the embedded files parse.
pub fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| Catalog::load(CATALOG_TOML, RULES_TOML).expect("embedded catalog is valid"))
}

/// A data-center entry names its sources and date, and marks as unverified
/// only hosts it has.
fn check_dc_entry(dc: &DataCenter, sources: &BTreeMap<String, String>) -> anyhow::Result<()> {
    if dc.sources.is_empty() {
        anyhow::bail!("data center `{}`: `sources` is empty", dc.id);
    }
    if let Some(s) = dc.sources.iter().find(|s| !sources.contains_key(*s)) {
        anyhow::bail!("data center `{}`: source `{s}` is not in [sources]", dc.id);
    }
    let date = dc.checked.as_bytes();
    let is_date = date.len() == 10
        && date.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !is_date {
        anyhow::bail!("data center `{}`: `checked` is not a YYYY-MM-DD date", dc.id);
    }
    if let Some(h) = dc.unverified.iter().find(|h| !dc.hosts().any(|x| x == *h)) {
        anyhow::bail!("data center `{}`: unverified host `{h}` is none of its hosts", dc.id);
    }
    Ok(())
}

/// The length of a leading `Name:` (one of `names`, any case, its colon and
/// the blanks after it) in a header line.
fn header_line_len(names: &[String], s: &str) -> Option<usize> {
    names.iter().find_map(|h| {
        let name = s.get(..h.len()).filter(|n| n.eq_ignore_ascii_case(h))?;
        let rest = s[name.len()..].trim_start_matches([' ', '\t']).strip_prefix(':')?;
        let value = rest.trim_start_matches([' ', '\t']);
        Some(s.len() - value.len())
    })
}

fn set(v: &[String]) -> HashSet<String> {
    v.iter().cloned().collect()
}

impl Catalog {
    pub fn load(catalog_toml: &str, rules_toml: &str) -> anyhow::Result<Catalog> {
        Self::load_with(catalog_toml, rules_toml, &Extension::default())
    }

    pub fn load_with(catalog_toml: &str, rules_toml: &str, ext: &Extension) -> anyhow::Result<Catalog> {
        let raw: RawCatalog = toml::from_str(catalog_toml)?;
        let rules: RawRules = toml::from_str(rules_toml)?;
        let mut data_centers = Vec::new();
        let mut hosts = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut sdk_dc_classes = BTreeMap::new();
        for (i, dc) in raw.data_center.iter().enumerate() {
            let id = i as DcId;
            let entry = DataCenter {
                id: dc.id.clone(),
                name: dc.name.clone(),
                sdk_class: format!("{}{}", dc.sdk_prefix, raw.sdk.dc_class_suffix),
                api: dc.api.clone(),
                legacy: dc.legacy.clone(),
                accounts: dc.accounts.clone(),
                dc_only: dc.dc_only.clone(),
                sources: dc.sources.clone(),
                checked: dc.checked.clone(),
                unverified: dc.unverified.clone(),
            };
            check_dc_entry(&entry, &raw.sources)?;
            data_centers.push(entry);
            sdk_dc_classes.insert(format!("{}{}", dc.sdk_prefix, raw.sdk.dc_class_suffix), id);
            let mut add = |list: &[String], kind: Option<EnvKind>, hk: HostKind| {
                for h in list {
                    patterns.push(h.to_ascii_lowercase());
                    hosts.push(HostInfo {
                        env: Environment { dc: id, kind },
                        kind: hk,
                    });
                }
            };
            for (k, list) in &dc.api {
                add(list, Some(*k), HostKind::Api);
            }
            for (k, list) in &dc.legacy {
                add(list, Some(*k), HostKind::Legacy);
            }
            add(&dc.accounts, None, HostKind::Accounts);
            add(&dc.dc_only, None, HostKind::DcOnly);
        }
        for (host, dc, kind) in &ext.hosts {
            let id = raw
                .data_center
                .iter()
                .position(|d| d.id.eq_ignore_ascii_case(dc))
                .ok_or_else(|| {
                    let known: Vec<&str> = raw.data_center.iter().map(|d| d.id.as_str()).collect();
                    anyhow::anyhow!(
                        "extra host `{host}`: unknown data center `{dc}` (one of {})",
                        known.join(", ")
                    )
                })?;
            if host.is_empty() || host.contains(['/', ':', ' ']) {
                anyhow::bail!("extra host `{host}`: write a bare host name, e.g. `zoho-sandbox.internal.example`");
            }
            patterns.push(host.to_ascii_lowercase());
            hosts.push(HostInfo {
                env: Environment {
                    dc: id as DcId,
                    kind: *kind,
                },
                kind: if kind.is_some() {
                    HostKind::Api
                } else {
                    HostKind::DcOnly
                },
            });
        }
        let host_matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        let mut rule_list = rules.rule;
        for r in &mut rule_list {
            r.help_markdown = RULE_DOCS
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, d)| d.to_string())
                .ok_or_else(|| anyhow::anyhow!("no help text for rule {}", r.id))?;
            r.help_text = plain_text(&r.help_markdown);
        }
        let mut triggers: Vec<String> = raw.prefilter.literals.clone();
        triggers.extend(sdk_dc_classes.keys().cloned());
        triggers.extend(raw.sdk.token_classes.iter().cloned());
        triggers.extend(raw.legacy.sdk_classes.iter().cloned());
        // Imports of an SDK package (`require('zcrmsdk')`).
        triggers.extend(raw.sdk.languages.values().flat_map(|l| l.packages.iter().cloned()));
        triggers.extend(raw.tokens.header_prefixes.iter().map(|p| p.trim().to_string()));
        // A schema creating a token table may not say "zoho" anywhere.
        triggers.extend(raw.token_store.tables.iter().cloned());
        triggers.extend(raw.org.header_names.iter().cloned());
        triggers.extend(ext.hosts.iter().map(|h| h.0.clone()));
        triggers.extend(ext.token_names.iter().cloned());
        triggers.sort();
        triggers.dedup();
        // A store keyed by an org key holds one token per org.
        let mut token_store = raw.token_store;
        for k in &raw.org.store_keys {
            if !token_store.is_key_column(k) {
                token_store.key_columns.push(k.clone());
            }
        }
        Ok(Catalog {
            data_centers,
            sources: raw.sources,
            hosts,
            host_matcher,
            env_variable_suffix: raw.templates.env_variable_suffix,
            api_domain_root: raw.templates.api_domain_root,
            accounts_domain_root: raw.templates.accounts_domain_root,
            token_endpoint_paths: raw.paths.token_endpoint,
            other_product_paths: raw.paths.other_products,
            header_prefixes: raw.tokens.header_prefixes,
            header_prefixes_generic: raw.tokens.header_prefixes_generic,
            header_names: raw.tokens.header_names,
            auth_methods: set(&raw.tokens.auth_methods),
            token_keys: set(&raw.tokens.keys),
            token_name_shape: Regex::new(&raw.tokens.name_shape)?,
            secret_name_shape: raw.tokens.secret_name_shape.as_deref().map(Regex::new).transpose()?,
            api_domain_keys: set(&raw.tokens.api_domain_keys),
            token_literal: Regex::new(&raw.tokens.literal)?,
            token_mask: Regex::new(raw.tokens.mask.as_deref().unwrap_or(&raw.tokens.literal))?,
            placeholders: raw
                .tokens
                .placeholders
                .iter()
                .flat_map(|p| {
                    let lower = p.to_ascii_lowercase();
                    let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                    [lower, squashed]
                })
                .collect(),
            placeholder_chars: raw.tokens.placeholder_chars,
            sdk_dc_classes,
            sdk_env_members: raw.sdk.environment_members,
            dc_class_suffix: raw.sdk.dc_class_suffix,
            init_methods: set(&raw.sdk.init_methods),
            switch_methods: set(&raw.sdk.switch_methods),
            environment_params: raw.sdk.environment_params,
            token_params: set(&raw.sdk.token_params),
            token_classes: set(&raw.sdk.token_classes),
            token_identity_params: set(&raw.sdk.token_identity_params),
            token_identity_positions: raw.sdk.token_identity_positions,
            vendored_globs: raw.sdk.vendored_globs,
            sdk_languages: raw.sdk.languages,
            legacy: raw.legacy,
            token_store,
            org: raw.org,
            triggers,
            rules: rule_list,
            extra_token_names: ext.token_names.iter().map(|n| n.to_ascii_lowercase()).collect(),
        })
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn rule_index(&self, id: &str) -> usize {
        self.rules.iter().position(|r| r.id == id).unwrap_or(0)
    }

    /// Every catalog host in `text`, with a host boundary on both sides.
    /// `\u{1}` in `text` marks a run-time hole and counts as a boundary.
    pub fn find_hosts(&self, text: &str) -> Vec<HostMatch> {
        let bytes = text.as_bytes();
        let is_host_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let mut out = Vec::new();
        for m in self.host_matcher.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if s > 0 && (is_host_char(bytes[s - 1]) || bytes[s - 1] == b'.') {
                continue;
            }
            if e < bytes.len() {
                let b = bytes[e];
                if is_host_char(b) || (b == b'.' && bytes.get(e + 1).is_some_and(|c| c.is_ascii_alphanumeric())) {
                    continue;
                }
            }
            let rest = &text[e..];
            let path_end = rest.find(['\u{1}', '?', '#', ' ', '"', '\'']).unwrap_or(rest.len());
            let path = rest[..path_end]
                .trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())
                .to_string();
            out.push(HostMatch {
                info: self.hosts[m.pattern().as_usize()],
                start: s,
                end: e,
                path,
            });
        }
        out
    }

    /// A host whose environment is built at run time: a hole right before
    /// `.zohoapis.` (`"https://" + env + ".zohoapis.com"`). Returns the DC
    /// when the rest of the host names one.
    pub fn env_template_dc(&self, text: &str) -> Option<Option<DcId>> {
        let needle = format!("\u{1}{}", self.env_variable_suffix);
        let pos = text.find(&needle)?;
        let after = &text[pos + 1..];
        // Reuse the host table: "www" + after names the production host.
        let probe = format!("www{after}");
        let dc = self
            .find_hosts(&probe)
            .into_iter()
            .find(|m| m.start == 0)
            .map(|m| m.info.env.dc);
        Some(dc)
    }

    /// A host whose data center is built at run time: `zohoapis.` followed by a hole.
    pub fn dc_template_env(&self, text: &str) -> Option<EnvKind> {
        let needle = format!("{}\u{1}", self.api_domain_root);
        let pos = text.find(&needle)?;
        let before = &text[..pos];
        let prefix = before.rsplit(['/', '\u{1}', '"', '\'']).next().unwrap_or("");
        // "sandbox." + "zohoapis.com" names the environment of the prefix.
        let probe = format!("{prefix}{}com", self.api_domain_root);
        self.find_hosts(&probe).first().and_then(|m| m.info.env.kind)
    }

    /// A token endpoint on an accounts server whose data center is built at
    /// run time (`accounts.zoho.{region}/oauth/v2/token`, the hole as
    /// `\u{1}`).
    pub fn is_accounts_dc_template(&self, text: &str) -> bool {
        let needle = format!("{}\u{1}", self.accounts_domain_root);
        text.find(&needle).is_some_and(|pos| {
            let rest = &text[pos + needle.len()..];
            rest.find('/').is_some_and(|i| self.is_token_endpoint_path(&rest[i..]))
        })
    }

    /// The environment an API host prefix names (`www` → production,
    /// `sandbox` → sandbox), as a `www` → `sandbox` rewrite uses it.
    pub fn api_prefix_env(&self, prefix: &str) -> Option<EnvKind> {
        let p = prefix.rsplit("//").next().unwrap_or(prefix).trim_matches('.');
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        let probe = format!("{p}.{}com", self.api_domain_root);
        self.find_hosts(&probe)
            .into_iter()
            .find(|m| m.start == 0 && m.end == probe.len())
            .and_then(|m| m.info.env.kind)
    }

    pub fn is_token_endpoint_path(&self, path: &str) -> bool {
        self.token_endpoint_paths.iter().any(|p| path.starts_with(p.as_str()))
    }

    pub fn is_other_product_path(&self, path: &str) -> bool {
        self.other_product_paths.iter().any(|p| path.starts_with(p.as_str()))
    }

    /// The header names that carry a token (`Authorization`).
    pub fn header_names(&self) -> &[String] {
        &self.header_names
    }

    pub fn is_header_name(&self, key: &str) -> bool {
        self.header_names.iter().any(|h| h.eq_ignore_ascii_case(key))
    }

    /// A client method that sets the Authorization header from its argument.
    pub fn is_auth_method(&self, name: &str) -> bool {
        self.auth_methods.contains(name)
    }

    pub fn is_token_key(&self, key: &str) -> bool {
        self.token_keys.contains(key) || self.is_extra_token_name(key)
    }

    fn is_extra_token_name(&self, name: &str) -> bool {
        !self.extra_token_names.is_empty() && self.extra_token_names.contains(&name.to_ascii_lowercase())
    }

    /// A key, keyword or parameter name whose value is a token.
    pub fn is_token_slot_name(&self, name: &str) -> bool {
        self.is_token_key(name) || self.is_token_param(name) || self.is_token_name(name)
    }

    /// Env-var / config-key names shaped like a token (`ZOHO_REFRESH_TOKEN`).
    pub fn is_token_name(&self, name: &str) -> bool {
        self.token_name_shape.is_match(name) || self.is_extra_token_name(name)
    }

    /// Names whose literal value is a credential (tokens, secrets,
    /// passwords, API keys): reporters never show such a value.
    pub fn is_secret_name(&self, name: &str) -> bool {
        self.is_token_slot_name(name) || self.secret_name_shape.as_ref().is_some_and(|r| r.is_match(name))
    }

    pub fn is_api_domain_key(&self, key: &str) -> bool {
        self.api_domain_keys.contains(key)
    }

    /// Placeholder token values: never a token identity.
    pub fn is_placeholder(&self, value: &str) -> bool {
        let v = value.trim();
        if v.is_empty() || v.len() < 8 {
            return true;
        }
        let lower = v.to_ascii_lowercase();
        // "refresh_token", "REFRESH Token", "refreshToken" are one placeholder.
        let squashed: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if self.placeholders.contains(&lower) || self.placeholders.contains(&squashed) {
            return true;
        }
        // References, not values: `<%= ENV[...] %>`, `${X}`, `{{x}}`, Symfony `%env(X)%`.
        if lower.starts_with('<') && lower.ends_with('>')
            || lower.starts_with("${")
            || lower.starts_with("{{")
            || lower.starts_with("%env(")
        {
            return true;
        }
        if lower.contains("your") || lower.contains("xxxx") || lower.contains("****") || lower.contains("example") {
            return true;
        }
        if let Some(rest) = v.strip_prefix("1000.") {
            if rest.chars().all(|c| self.placeholder_chars.contains(c)) {
                return true;
            }
            // Low-entropy hex ("1000.0000…", "1000.aaaa…") is a sample, not a token.
            let distinct: HashSet<char> = rest.chars().filter(|c| *c != '.').collect();
            if distinct.len() < 6 {
                return true;
            }
        }
        false
    }

    /// `USDataCenter.SANDBOX` → the Environment, for a dotted SDK path whose
    /// last two segments are a DC class and an environment member.
    pub fn sdk_environment(&self, class: &str, member: &str) -> Option<Environment> {
        let dc = *self.sdk_dc_classes.get(class)?;
        let kind = *self.sdk_env_members.get(member)?;
        Some(Environment { dc, kind: Some(kind) })
    }

    /// The SDK environment members (`PRODUCTION`, `SANDBOX`, …).
    pub fn sdk_env_members(&self) -> impl Iterator<Item = &str> {
        self.sdk_env_members.keys().map(String::as_str)
    }

    /// The data-center class a class name or path ends with
    /// (`USDataCenter`, `com\zoho\crm\api\dc\EUDataCenter`,
    /// `zohocrmsdk…dc.USDataCenter`), held as a value.
    pub fn sdk_dc_class<'a>(&self, path: &'a str) -> Option<&'a str> {
        let last = path.rsplit(['.', '\\', ':', '/']).next()?;
        self.sdk_dc_classes.contains_key(last).then_some(last)
    }

    /// An SDK environment written as a member path: `...USDataCenter.SANDBOX`
    /// or the browser SDK's `DataCenter.US.SANDBOX`.
    pub fn sdk_environment_path(&self, object: &crate::facts::Expr, member: &str) -> Option<Environment> {
        use crate::facts::ExprKind;
        let last = object.last_name()?;
        if let Some(env) = self.sdk_environment(last, member) {
            return Some(env);
        }
        match &object.kind {
            ExprKind::Member(parent, dc) if parent.last_name() == Some(self.dc_class_suffix.as_str()) => {
                self.sdk_environment(&format!("{dc}{}", self.dc_class_suffix), member)
            }
            _ => None,
        }
    }

    pub fn is_init_method(&self, name: &str) -> bool {
        self.init_methods.contains(name)
    }
    pub fn is_switch_method(&self, name: &str) -> bool {
        self.switch_methods.contains(name)
    }
    pub fn is_environment_param(&self, name: &str) -> bool {
        self.environment_params.iter().any(|p| p == name)
    }
    pub fn is_token_param(&self, name: &str) -> bool {
        self.token_params.contains(name)
    }
    pub fn is_token_class(&self, name: &str) -> bool {
        self.token_classes.contains(name)
    }
    pub fn is_token_identity_param(&self, name: &str) -> bool {
        self.token_identity_params.contains(name)
    }
    /// A positional argument of a token constructor that is its identity
    /// (`new OAuthToken(id, secret, token, TokenType::REFRESH)`).
    pub fn is_token_identity_position(&self, index: usize) -> bool {
        self.token_identity_positions.contains(&index)
    }

    /// The length of a leading `Authorization:` (a token header's name, its
    /// colon and the blanks after it) in a header line.
    pub fn header_line_len(&self, s: &str) -> Option<usize> {
        header_line_len(&self.header_names, s)
    }

    /// The header value with a token scheme stripped: `"Zoho-oauthtoken "` → true.
    pub fn header_prefix_len(&self, s: &str, generic: bool) -> Option<usize> {
        let lists: &[&Vec<String>] = if generic {
            &[&self.header_prefixes, &self.header_prefixes_generic]
        } else {
            &[&self.header_prefixes]
        };
        for l in lists {
            for p in l.iter() {
                if s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)) {
                    return Some(p.len());
                }
                if s.eq_ignore_ascii_case(p.trim_end()) {
                    return Some(s.len());
                }
            }
        }
        None
    }

    /// `s` is exactly one real-looking token (by shape, not a placeholder).
    pub fn is_token_literal(&self, s: &str) -> bool {
        let t = s.trim();
        self.token_literal
            .find(t)
            .is_some_and(|m| m.start() == 0 && m.end() == t.len())
            && !self.is_placeholder(t)
    }

    /// Every token literal (by shape) in `text`, placeholders excluded.
    pub fn token_literals<'a>(&'a self, text: &'a str) -> impl Iterator<Item = regex::Match<'a>> + 'a {
        self.token_literal
            .find_iter(text)
            .filter(|m| !self.is_placeholder(m.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file is never skipped for lack of a trigger the analysis knows: every
    /// SDK name of the catalog (DC classes, token classes, the older SDKs'
    /// classes, packages) is found by the prefilter's case-insensitive search.
    #[test]
    fn every_sdk_name_is_a_prefilter_trigger() {
        let c = catalog();
        let triggers: Vec<String> = c.triggers.iter().map(|t| t.to_ascii_lowercase()).collect();
        let found = |name: &str| {
            let n = name.to_ascii_lowercase();
            triggers.iter().any(|t| n.contains(t.as_str()))
        };
        let mut names: Vec<&str> = c.token_classes.iter().map(String::as_str).collect();
        names.extend(c.legacy.sdk_classes.iter().map(String::as_str));
        names.extend(
            c.sdk_languages
                .values()
                .flat_map(|l| l.packages.iter().map(String::as_str)),
        );
        names.extend(c.sdk_dc_classes.keys().map(String::as_str));
        assert!(names.contains(&"ZCRMRestClient") && names.contains(&"zcrmsdk"));
        let missing: Vec<&&str> = names.iter().filter(|n| !found(n)).collect();
        assert!(missing.is_empty(), "SDK names no trigger finds: {missing:?}");
    }

    #[test]
    fn embedded_catalog_loads_and_every_rule_has_help() {
        let c = catalog();
        assert_eq!(c.rules.len(), 7);
        assert!(c.rules.iter().all(|r| r.help_markdown.contains("## Bad")));
        assert!(c.data_centers.len() >= 8);
    }

    #[test]
    fn header_prefixes_never_split_a_character() {
        let c = catalog();
        // Found on a real repository: Hebrew text where a prefix's length
        // falls inside a character.
        assert_eq!(c.header_prefix_len("בן-גוריון 12", true), None);
        assert_eq!(c.header_line_len("בן-גוריון: x"), None);
        assert_eq!(c.header_prefix_len("Zoho-oauthtoken abc", false), Some(16));
    }

    #[test]
    fn a_project_extension_adds_hosts_and_token_names() {
        let ext = Extension {
            hosts: vec![(
                "zoho-sandbox.internal.example".into(),
                "eu".into(),
                Some(EnvKind::Sandbox),
            )],
            token_names: vec!["CRM_SECRET_BLOB".into()],
        };
        let c = Catalog::load_with(CATALOG_TOML, RULES_TOML, &ext).unwrap();
        let m = c.find_hosts("https://zoho-sandbox.internal.example/crm/v8/Leads");
        assert_eq!(m.len(), 1);
        assert_eq!(c.data_centers[m[0].info.env.dc as usize].id, "eu");
        assert_eq!(m[0].info.env.kind, Some(EnvKind::Sandbox));
        assert!(c.triggers.iter().any(|t| t == "zoho-sandbox.internal.example"));
        assert!(c.is_token_name("crm_secret_blob") && c.is_token_key("CRM_SECRET_BLOB"));
        assert!(!catalog().is_token_name("CRM_SECRET_BLOB"));
        let bad = Extension {
            hosts: vec![("proxy.example".into(), "mars".into(), None)],
            token_names: vec![],
        };
        let e = Catalog::load_with(CATALOG_TOML, RULES_TOML, &bad)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("unknown data center `mars`"), "{e}");
    }

    #[test]
    fn every_sdk_language_has_its_forms() {
        let c = catalog();
        for lang in [
            "python",
            "javascript",
            "java",
            "php",
            "csharp",
            "ruby",
            "scala",
            "browser",
        ] {
            let l = c
                .sdk_languages
                .get(lang)
                .unwrap_or_else(|| panic!("no SDK entry for {lang}"));
            assert!(
                !l.packages.is_empty() && !l.init.is_empty() && !l.token.is_empty(),
                "{lang}"
            );
        }
        assert_eq!(c.sdk_languages["php"].environment_syntax, EnvironmentSyntax::StaticCall);
        assert_eq!(c.sdk_languages["java"].environment_syntax, EnvironmentSyntax::Field);
    }

    #[test]
    fn sdk_environments_in_every_member_form() {
        use crate::facts::{Expr, ExprKind, Span};
        let name = |n: &str| Expr::new(ExprKind::Name(n.into()), Span::default());
        let member = |o: Expr, m: &str| Expr::new(ExprKind::Member(Box::new(o), m.into()), Span::default());
        let c = catalog();
        let env = c
            .sdk_environment_path(&member(name("ZOHOCRMSDK"), "EUDataCenter"), "SANDBOX")
            .unwrap();
        assert_eq!(
            (c.data_centers[env.dc as usize].id.as_str(), env.kind),
            ("eu", Some(EnvKind::Sandbox))
        );
        let env = c
            .sdk_environment_path(&member(name("DataCenter"), "JP"), "DEVELOPER")
            .unwrap();
        assert_eq!(
            (c.data_centers[env.dc as usize].id.as_str(), env.kind),
            ("jp", Some(EnvKind::Developer))
        );
        assert!(c.sdk_environment_path(&member(name("Foo"), "US"), "SANDBOX").is_none());
    }

    #[test]
    fn classifies_hosts_with_boundaries() {
        let c = catalog();
        let m = c.find_hosts("https://sandbox.zohoapis.com.au/crm/v8/Leads");
        assert_eq!(m.len(), 1);
        assert_eq!(c.data_centers[m[0].info.env.dc as usize].id, "au");
        assert_eq!(m[0].info.env.kind, Some(EnvKind::Sandbox));
        assert_eq!(m[0].path, "/crm/v8/Leads");
        assert!(c.find_hosts("https://notzohoapis.com").is_empty());
        assert!(c.find_hosts("https://www.zohoapis.community").is_empty());
        let m = c.find_hosts("https://content.zohoapis.eu/x");
        assert_eq!(m[0].info.env.kind, None);
    }

    #[test]
    fn templates_and_placeholders() {
        let c = catalog();
        assert!(c.env_template_dc("https://\u{1}.zohoapis.eu/crm").is_some());
        assert_eq!(
            c.dc_template_env("https://sandbox.zohoapis.\u{1}/crm"),
            Some(EnvKind::Sandbox)
        );
        assert_eq!(c.header_line_len("authorization:  Zoho-oauthtoken x"), Some(16));
        assert_eq!(c.header_line_len("Authorization-X: y"), None);
        assert!(c.is_placeholder("1000.xxxxxxxx.yyyy"));
        assert!(c.is_placeholder("your_refresh_token"));
        assert!(c.is_placeholder("refreshToken"));
        assert!(c.is_placeholder("REFRESH Token"));
        assert!(c.is_placeholder("clientSecret"));
        assert!(!c.is_placeholder("1000.3f9c1e0b7a5d4c2e8f6a9b0c1d2e3f4a.0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
    }
}
