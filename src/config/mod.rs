//! Configuration front-ends: `.env`, YAML, JSON, TOML, INI/`.properties`.
//!
//! Each format is parsed by a real parser into a small document tree
//! ([`Node`]: maps, sequences, scalars, with spans; YAML aliases and merge
//! keys already expanded and marked with the line that brought them in).
//! `dialect.rs` then reads the tree as what the file is — a GitHub Actions
//! workflow, a GitLab CI file, a compose file, a k8s manifest, a Postman
//! environment, a per-profile settings file, or generic config — and lowers
//! it into [`Profile`]s of the fact model. Like the code front-ends, these
//! are pure functions of one file's text.

mod dialect;
mod dotenv;
mod hcl;
mod ini;
mod json;
pub(crate) mod modules;
pub(crate) mod systems;
mod toml;
mod yaml;

use crate::facts::{Expr, ExprKind, FileFacts, Lang, Span};
use crate::source::LineIndex;

/// Nodes a YAML document may expand to through aliases before expansion
/// stops (a "billion laughs" costs a note, not the memory).
const MAX_NODES: usize = 200_000;
/// Settings one file may hold; the rest are dropped with a note.
const MAX_SETTINGS: usize = 100_000;
/// Config files past this size are data, not settings: they are scanned as
/// text only (token literals), with a note, so a 20 MB export costs little.
const MAX_CONFIG_BYTES: usize = 2 * 1024 * 1024;

/// A parsed configuration document.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// The alias or merge key that brought this node here, if any.
    pub via: Option<Span>,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Map(Vec<Entry>),
    Seq(Vec<Node>),
    /// A scalar's text; `quoted` scalars are always strings.
    Scalar(String),
    Null,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
    /// Brought in by a YAML merge key (`<<: *base`) at this place.
    pub via: Option<Span>,
    /// The value starts on the key's line ([`on_key_lines`]).
    pub on_key_line: bool,
}

/// Marks the entries whose value starts on their key's line (a setting's
/// span then runs from the key to the value's end).
fn on_key_lines(nodes: &mut [Node], lines: &crate::facts::Lines) {
    for n in nodes {
        match &mut n.kind {
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    e.on_key_line = e.value.span.start >= e.key_span.start
                        && lines.line_of(e.value.span.start_byte()) == lines.line_of(e.key_span.start_byte());
                    on_key_lines(std::slice::from_mut(&mut e.value), lines);
                }
            }
            NodeKind::Seq(items) => on_key_lines(items, lines),
            _ => {}
        }
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            NodeKind::Map(es) => es.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Map(es) => es,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(v) => v,
            _ => &[],
        }
    }
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }
}

/// The reference syntax inside a config value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interp {
    /// Plain text.
    None,
    /// `$VAR`, `${VAR}`, `${VAR:-default}` (dotenv, compose, GitLab CI).
    Shell,
    /// `${{ secrets.X }}`, `${{ env.X }}`, `${{ vars.X }}` (GitHub Actions).
    GitHub,
    /// `{{var}}` (Postman).
    Postman,
    /// `${a.b}` / `${A:default}` (Spring, .NET-style placeholders).
    Placeholder,
}

/// Lowers a scalar value into an expression: a string, or a `Concat` of
/// strings and references.
pub(crate) fn value_expr(text: &str, span: Span, interp: Interp, secret_scope: Option<&str>) -> Expr {
    let mut parts: Vec<Expr> = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    let flush = |lit: &mut String, parts: &mut Vec<Expr>| {
        if !lit.is_empty() {
            parts.push(Expr::new(ExprKind::Str(std::mem::take(lit).into()), span));
        }
    };
    while !rest.is_empty() {
        let found = match interp {
            Interp::None => None,
            Interp::Shell => earliest(shell_ref(rest, span), framework_ref(rest, span)),
            Interp::GitHub => github_ref(rest, span, secret_scope),
            Interp::Postman => braces_ref(rest, "{{", "}}", span),
            Interp::Placeholder => earliest(braces_ref(rest, "${", "}", span), framework_ref(rest, span)),
        };
        match found {
            Some((pos, len, e)) => {
                lit.push_str(&rest[..pos]);
                flush(&mut lit, &mut parts);
                parts.push(e);
                rest = &rest[pos + len..];
            }
            None => {
                lit.push_str(rest);
                break;
            }
        }
    }
    flush(&mut lit, &mut parts);
    match parts.len() {
        0 => Expr::new(ExprKind::Str(String::new().into()), span),
        1 => parts.pop().expect("one part"),
        _ => Expr::new(ExprKind::Concat(parts.into()), span),
    }
}

type Found = Option<(usize, usize, Expr)>;

fn earliest(a: Found, b: Found) -> Found {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The first env read a framework writes inside a config value: Rails ERB
/// (`<%= ENV["X"] %>`, `<%= ENV.fetch("X") %>`, `<%= ENV.fetch("X", "d") %>`)
/// or a Symfony parameter (`%env(X)%`, `%env(string:X)%`). Other ERB is an
/// unknown value.
fn framework_ref(s: &str, span: Span) -> Found {
    let erb = s.find("<%=").and_then(|pos| {
        let close = s[pos..].find("%>")? + pos;
        let inner = s[pos + 3..close].trim();
        let name = inner
            .strip_prefix("ENV[")
            .and_then(|r| r.split_once(']'))
            .map(|(n, _)| n)
            .or_else(|| {
                inner
                    .strip_prefix("ENV.fetch(")
                    .map(|r| r.split([',', ')']).next().unwrap_or(""))
            })
            .map(|n| n.trim().trim_matches(['"', '\'', ':']));
        let e = match name.filter(|n| is_env_name(n)) {
            Some(n) => Expr::new(ExprKind::Env(n.to_string().into()), span),
            None => Expr::unknown(span),
        };
        Some((pos, close + 2 - pos, e))
    });
    let symfony = s.find("%env(").and_then(|pos| {
        let close = s[pos..].find(")%")? + pos;
        // Processors come first: `%env(resolve:string:X)%` reads X.
        let name = s[pos + 5..close].rsplit(':').next().unwrap_or("").trim();
        let e = if is_env_name(name) {
            Expr::new(ExprKind::Env(name.to_string().into()), span)
        } else {
            Expr::unknown(span)
        };
        Some((pos, close + 2 - pos, e))
    });
    earliest(erb, symfony)
}

fn is_env_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The first `$VAR` / `${VAR}` / `${VAR:-default}` in `s`: (offset, length, expr).
fn shell_ref(s: &str, span: Span) -> Option<(usize, usize, Expr)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(off) = s[i..].find('$') {
        let pos = i + off;
        let next = bytes.get(pos + 1).copied();
        match next {
            // `$$` is an escaped dollar (compose).
            Some(b'$') => {
                i = pos + 2;
                continue;
            }
            Some(b'{') => {
                let close = s[pos..].find('}')? + pos;
                let inner = &s[pos + 2..close];
                let name_len = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let name = &inner[..name_len];
                if name.is_empty() {
                    i = close + 1;
                    continue;
                }
                let env = Expr::new(ExprKind::Env(name.to_string().into()), span);
                let rest = &inner[name_len..];
                // `${VAR:-default}` / `${VAR-default}`: the env var or the default.
                let default = rest
                    .strip_prefix(":-")
                    .or_else(|| rest.strip_prefix('-'))
                    .or_else(|| rest.strip_prefix(":="))
                    .filter(|d| !d.is_empty());
                let e = match default {
                    Some(d) => Expr::new(
                        ExprKind::Alt {
                            cond: None,
                            alts: vec![env, value_expr(d, span, Interp::Shell, None)].into(),
                        },
                        span,
                    ),
                    None => env,
                };
                return Some((pos, close + 1 - pos, e));
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let name_len = s[pos + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(s.len() - pos - 1);
                let name = &s[pos + 1..pos + 1 + name_len];
                return Some((
                    pos,
                    name_len + 1,
                    Expr::new(ExprKind::Env(name.to_string().into()), span),
                ));
            }
            _ => i = pos + 1,
        }
    }
    None
}

/// `${{ secrets.X }}` → the secret (scoped by the job's GitHub environment,
/// whose secrets are separate), `${{ env.X }}` → the env var; other
/// expressions are unknown values.
fn github_ref(s: &str, span: Span, secret_scope: Option<&str>) -> Option<(usize, usize, Expr)> {
    let pos = s.find("${{")?;
    let close = s[pos..].find("}}")? + pos;
    let inner = s[pos + 3..close].trim();
    let ident = |p: &str| {
        inner
            .strip_prefix(p)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map(str::to_string)
    };
    let e = if let Some(n) = ident("secrets.") {
        let id = match secret_scope {
            Some(scope) => format!("secret:{scope}/{n}"),
            None => format!("secret:{n}"),
        };
        Expr::new(ExprKind::Secret(id.into()), span)
    } else if let Some(n) = ident("env.") {
        Expr::new(ExprKind::Env(n.into()), span)
    } else {
        Expr::unknown(span)
    };
    Some((pos, close + 2 - pos, e))
}

/// `{{name}}` / `${name}` / `${name:default}` → a reference to `name`.
fn braces_ref(s: &str, open: &str, close: &str, span: Span) -> Option<(usize, usize, Expr)> {
    let pos = s.find(open)?;
    let end = s[pos + open.len()..].find(close)? + pos + open.len();
    let inner = s[pos + open.len()..end].trim();
    let (name, default) = match inner.split_once(':') {
        Some((n, d)) if open == "${" => (n.trim(), Some(d)),
        _ => (inner, None),
    };
    if name.is_empty() {
        return Some((pos, end + close.len() - pos, Expr::unknown(span)));
    }
    let r = Expr::new(ExprKind::Env(name.to_string().into()), span);
    let e = match default {
        Some(d) => Expr::new(
            ExprKind::Alt {
                cond: None,
                alts: vec![r, Expr::new(ExprKind::Str(d.to_string().into()), span)].into(),
            },
            span,
        ),
        None => r,
    };
    Some((pos, end + close.len() - pos, e))
}

/// `ZOHO_BASE_URL`: a setting's name as env vars, `.env` files and Django
/// settings modules spell it (upper case, digits, `_`).
pub fn is_setting_name(n: &str) -> bool {
    n.starts_with(|c: char| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The name under which code reads a configuration key (Spring
/// `@Value("${zoho.api-domain}")`, .NET `configuration["Zoho:ApiDomain"]`):
/// an `Env` read in the `config:` namespace, with the key normalised the
/// way those frameworks bind keys (case, `-`, `_` ignored; `:` and `__`
/// are `.`), so `zoho.api-domain`, `zoho.apiDomain` and `Zoho:ApiDomain`
/// meet.
pub fn config_read_name(key: &str) -> String {
    let k = key.replace("__", ".").replace(':', ".");
    let k: String = k
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    format!("config:{k}")
}

/// The last segment of a settings key, as token and endpoint names are
/// matched: `zoho.refresh-token` → `refresh_token`, `Zoho:RefreshToken` →
/// `RefreshToken`.
pub fn key_name(key: &str) -> String {
    key.rsplit(['.', ':', '/']).next().unwrap_or(key).replace('-', "_")
}

/// The key of a Spring placeholder: `${zoho.token}` / `${zoho.token:default}`.
pub fn placeholder_key(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("${")?.strip_suffix('}')?;
    let key = inner.split(':').next()?.trim();
    (!key.is_empty()).then_some(key)
}

/// The file name part of a path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory part of a path, with a trailing `/` (empty at the root).
pub(crate) fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// Lowers one configuration file into profiles.
pub fn lower(lang: Lang, path: &str, text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::new_module(lines.span(0, text.len()));
    lower_into(lang, path, text, &lines, &mut facts);
    facts.lines = std::sync::Arc::new(lines.lines);
    facts
}

fn lower_into(lang: Lang, path: &str, text: &str, lines: &LineIndex, facts: &mut FileFacts) {
    if text.len() > MAX_CONFIG_BYTES {
        facts.notes.push(format!(
            "config file larger than {} MiB: scanned for token literals only",
            MAX_CONFIG_BYTES >> 20
        ));
        return;
    }
    match lang {
        Lang::Dotenv => dotenv::lower(path, text, lines, facts),
        Lang::Ini => ini::lower(path, text, lines, facts),
        Lang::Yaml => {
            let mut docs = yaml::parse(text, lines, facts);
            on_key_lines(&mut docs, &lines.lines);
            dialect::lower(path, &docs, Interp::Shell, facts);
        }
        Lang::Json => {
            if let Some(mut doc) = json::parse(text, facts) {
                on_key_lines(std::slice::from_mut(&mut doc), &lines.lines);
                dialect::lower(path, std::slice::from_ref(&doc), Interp::None, facts);
            }
        }
        Lang::Hcl => {
            if let Some(mut doc) = hcl::parse(path, text, lines, facts) {
                on_key_lines(std::slice::from_mut(&mut doc), &lines.lines);
                dialect::lower(path, std::slice::from_ref(&doc), Interp::Placeholder, facts);
            }
        }
        Lang::Toml => {
            if let Some(mut doc) = toml::parse(text, lines, facts) {
                on_key_lines(std::slice::from_mut(&mut doc), &lines.lines);
                dialect::lower(path, std::slice::from_ref(&doc), Interp::None, facts);
            }
        }
        _ => {}
    }
    let total: usize = facts.profiles.iter().map(|p| p.settings.len()).sum();
    if total > MAX_SETTINGS {
        let mut left = MAX_SETTINGS;
        for p in &mut facts.profiles {
            let keep = p.settings.len().min(left);
            p.settings.truncate(keep);
            left -= keep;
        }
        facts.notes.push(format!(
            "more than {MAX_SETTINGS} settings; only the first ones were analysed"
        ));
    }
}

/// Helpers of the configuration front-ends' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::facts::{Expr, ExprKind, FileFacts};

    /// The facts of a configuration file, its format chosen by its path as
    /// a scan chooses it.
    pub fn lower(path: &str, text: &str) -> FileFacts {
        let lang = crate::frontend::lang_for_path(path).expect("a configuration file");
        super::lower(lang, path, text)
    }

    /// The profiles, as the unit tests' tables write them: a line per
    /// profile (`name@line`, `template`, each parent as `< target@line`),
    /// a line per setting under it (`  key = value@line`), and
    /// `parse error@line` first when the file has one.
    pub fn describe(f: &FileFacts) -> Vec<String> {
        let mut out: Vec<String> = f.parse_error_line.iter().map(|l| format!("parse error@{l}")).collect();
        for p in &f.profiles {
            let mut head = format!("{}@{}", p.name, f.line(p.span));
            if p.template {
                head.push_str(" template");
            }
            for parent in &p.parents {
                head.push_str(&format!(" < {:?}", parent.target));
                if let Some(at) = parent.span {
                    head.push_str(&format!("@{}", f.line(at)));
                }
            }
            out.push(head);
            for s in &p.settings {
                out.push(format!("  {} = {}@{}", s.key, show(&s.value), f.line(s.span)));
            }
        }
        out
    }

    /// Asserts that each file (path, text) lowers to the profiles described.
    #[track_caller]
    pub fn assert_lowers(cases: &[(&str, &str, &[&str])]) {
        for &(path, text, want) in cases {
            assert_eq!(describe(&lower(path, text)), want, "{path}");
        }
    }

    /// A value: `"text"`, `env:X`, a secret's id, `a+b`, `(a|b)`, `?`.
    pub fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Env(n) => format!("env:{n}"),
            ExprKind::Secret(n) => n.clone().into(),
            ExprKind::Concat(p) => p.iter().map(show).collect::<Vec<_>>().join("+"),
            ExprKind::Alt { alts, .. } => format!("({})", alts.iter().map(show).collect::<Vec<_>>().join("|")),
            ExprKind::Unknown => "?".into(),
            other => format!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::show;
    use super::*;

    /// How a config value is read, per interpolation syntax: input, syntax,
    /// the profile it is read in, and the value as `show` writes it.
    #[rustfmt::skip]
    const VALUES: &[(&str, Interp, Option<&str>, &str)] = &[
        // Shell and dotenv references, with defaults; `$$` and a lone `$` are text.
        ("https://${HOST}/crm/$VER", Interp::Shell, None, "\"https://\"+env:HOST+\"/crm/\"+env:VER"),
        ("${D:-www.zohoapis.com}", Interp::Shell, None, "(env:D|\"www.zohoapis.com\")"),
        ("a$$b", Interp::Shell, None, "\"a$$b\""),
        ("cost: 5$", Interp::Shell, None, "\"cost: 5$\""),
        // GitHub expressions: secrets (per environment), env, and vars (unknown).
        ("${{ secrets.ZOHO_TOKEN }}", Interp::GitHub, None, "secret:ZOHO_TOKEN"),
        ("${{ secrets.ZOHO_TOKEN }}", Interp::GitHub, Some("sandbox"), "secret:sandbox/ZOHO_TOKEN"),
        ("${{ env.A }}", Interp::GitHub, None, "env:A"),
        ("https://${{ vars.HOST }}/x", Interp::GitHub, None, "\"https://\"+?+\"/x\""),
        // ERB env reads in Rails YAML, Symfony `%env()%`.
        ("<%= ENV[\"ZOHO_T\"] %>", Interp::Shell, None, "env:ZOHO_T"),
        ("<%= ENV.fetch('D', 'x') %>/crm", Interp::Shell, None, "env:D+\"/crm\""),
        ("<%= Rails.env %>", Interp::Shell, None, "?"),
        ("%env(resolve:ZOHO_T)%", Interp::Placeholder, None, "env:ZOHO_T"),
        ("100%", Interp::Placeholder, None, "\"100%\""),
        // Postman variables, Spring placeholders with defaults.
        ("{{base}}/crm", Interp::Postman, None, "env:base+\"/crm\""),
        ("${zoho.url:https://x}", Interp::Placeholder, None, "(env:zoho.url|\"https://x\")"),
    ];

    #[test]
    fn references_in_values() {
        for &(input, interp, profile, want) in VALUES {
            let got = show(&value_expr(input, Span::default(), interp, profile));
            assert_eq!(got, want, "{input:?} read as {interp:?} in {profile:?}");
        }
    }
}
