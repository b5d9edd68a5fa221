//! Framework profile systems (`rules/profiles.toml`): which configuration
//! files are profiles, the profile a file is, and the files it overrides
//! (`application-sandbox.yml` → `application.yml`, `config/sandbox.json` →
//! `config/default.json`, `.env.sandbox` → `.env`). Data, read once; the
//! config front-ends ask [`classify`] about each path.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use super::{dir_of, Node, NodeKind};

const PROFILES_TOML: &str = include_str!("../../rules/profiles.toml");

#[derive(Deserialize)]
struct File {
    system: Vec<SystemDef>,
    #[serde(default)]
    selector: Vec<SelectorDef>,
    #[serde(default)]
    module: Vec<ModuleDef>,
}

/// Settings written as code (Django settings modules, Rails environments).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModuleDef {
    #[cfg_attr(not(test), allow(dead_code))]
    name: String,
    /// The front-end's name: `python`, `ruby`.
    pub lang: String,
    #[serde(default)]
    pub upper_names: bool,
    pub member_root: Option<String>,
    #[serde(default)]
    pub star_imports: bool,
    files: Vec<FileDef>,
}

/// A file whose entries are launch profiles selecting a profile by an env
/// var (`launchSettings.json`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelectorDef {
    #[cfg_attr(not(test), allow(dead_code))]
    name: String,
    path: String,
    /// The map of launch profiles.
    pub profiles: String,
    /// The map of env vars inside each launch profile.
    pub env: String,
    /// Env vars whose value names the selected profile.
    pub select: Vec<String>,
    parents: Vec<String>,
    /// A key holding this is a configuration key (`A__B` is `A.B`).
    pub separator: Option<String>,
}

impl SelectorDef {
    /// The files a launch profile selecting `profile` inherits, for the
    /// file at `path`.
    pub fn parents_for(&self, path: &str, profile: &str) -> Vec<String> {
        let base = &path[..path.len() - self.path.len()];
        self.parents
            .iter()
            .map(|t| format!("{base}{}", t.replace("{profile}", profile)))
            .collect()
    }
}

#[derive(Deserialize)]
struct SystemDef {
    name: String,
    ext: Vec<String>,
    files: Vec<FileDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    path: String,
    #[serde(default)]
    parents: Vec<String>,
    #[serde(default)]
    whole: bool,
    #[serde(default)]
    env_names: bool,
    #[serde(default)]
    when_keys: Vec<String>,
    #[serde(default)]
    key_prefix: Option<String>,
}

struct Pattern {
    system: usize,
    re: Regex,
    def: FileDef,
}

struct Systems {
    selectors: Vec<SelectorDef>,
    /// Settings modules, each with its file patterns.
    modules: Vec<(ModuleDef, Vec<Regex>)>,
    names: Vec<String>,
    exts: Vec<Vec<String>>,
    patterns: Vec<Pattern>,
}

/// What the profile systems say about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileFile {
    /// The system's name, as the README lists it.
    pub system: &'static str,
    /// Read whole, as one profile with dotted keys.
    pub whole: bool,
    /// Values name the env vars that supply them.
    pub env_names: bool,
    /// The files this one overrides, earliest first.
    pub parents: Vec<String>,
    /// Keys starting with this, then `<profile>.`, belong to that profile
    /// (Quarkus `%sandbox.zoho.url`).
    pub key_prefix: Option<String>,
}

/// A `{…}` template as a regex over the end of a path.
fn pattern_regex(path: &str, exts: &[String]) -> Result<Regex, String> {
    let mut re = String::from("(?i)(?:^|/)");
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        re.push_str(&regex::escape(&rest[..open]));
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("`{path}`: unclosed `{{`"))?
            + open;
        match &rest[open + 1..close] {
            "profile" => re.push_str("(?P<profile>[^/]+?)"),
            "name" => re.push_str("(?P<name>[^/]+?)"),
            "ext" => {
                let alts: Vec<String> = exts.iter().map(|e| regex::escape(e)).collect();
                re.push_str(&format!("(?:{})", alts.join("|")));
            }
            other => return Err(format!("`{path}`: unknown placeholder `{{{other}}}`")),
        }
        rest = &rest[close + 1..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Regex::new(&re).map_err(|e| format!("`{path}`: {e}"))
}

fn load(text: &str) -> Result<Systems, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut modules = Vec::new();
    for m in file.module {
        let res = m
            .files
            .iter()
            .map(|f| pattern_regex(&f.path, &[]))
            .collect::<Result<Vec<_>, _>>()?;
        modules.push((m, res));
    }
    let mut s = Systems {
        selectors: file.selector,
        modules,
        names: Vec::new(),
        exts: Vec::new(),
        patterns: Vec::new(),
    };
    for (i, sys) in file.system.into_iter().enumerate() {
        for def in sys.files {
            let re = pattern_regex(&def.path, &sys.ext)?;
            s.patterns.push(Pattern { system: i, re, def });
        }
        s.names.push(sys.name);
        s.exts.push(sys.ext);
    }
    Ok(s)
}

fn systems() -> &'static Systems {
    static SYSTEMS: OnceLock<Systems> = OnceLock::new();
    SYSTEMS.get_or_init(|| load(PROFILES_TOML).expect("embedded rules/profiles.toml is valid"))
}

/// The settings module `path` is for a front-end `lang`, and the files it
/// overrides.
pub(crate) fn module(lang: &str, path: &str) -> Option<(&'static ModuleDef, Vec<String>)> {
    for (m, res) in &systems().modules {
        if m.lang != lang {
            continue;
        }
        for (def, re) in m.files.iter().zip(res) {
            let Some(c) = re.captures(path) else { continue };
            let whole = c.get(0).expect("match");
            let start = whole.start() + usize::from(path[whole.start()..].starts_with('/'));
            let parents = def.parents.iter().map(|t| format!("{}{t}", &path[..start])).collect();
            return Some((m, parents));
        }
    }
    None
}

/// The selector file `path` is, if any (matched on its last segments, ASCII
/// case ignored).
pub(crate) fn selector(path: &str) -> Option<&'static SelectorDef> {
    systems().selectors.iter().find(|s| {
        path.len() >= s.path.len()
            && path[path.len() - s.path.len()..].eq_ignore_ascii_case(&s.path)
            && (path.len() == s.path.len() || path.as_bytes()[path.len() - s.path.len() - 1] == b'/')
    })
}

/// Does `doc` have one of `keys` as a top-level section?
fn has_section(doc: Option<&Node>, keys: &[String]) -> bool {
    doc.is_some_and(|d| {
        d.entries()
            .iter()
            .any(|e| matches!(e.value.kind, NodeKind::Map(_)) && keys.iter().any(|k| k == &e.key))
    })
}

/// The profile system `path` belongs to, if any (`doc`, when parsed,
/// decides the entries that look at its sections).
pub(crate) fn classify(path: &str, doc: Option<&Node>) -> Option<ProfileFile> {
    let s = systems();
    for p in &s.patterns {
        let Some(m) = p.re.captures(path) else { continue };
        if !p.def.when_keys.is_empty() && !has_section(doc, &p.def.when_keys) {
            continue;
        }
        let whole = m.get(0).expect("match");
        // The directory the pattern starts in.
        let start = whole.start() + usize::from(path[whole.start()..].starts_with('/'));
        let base = &path[..start];
        let fill = |t: &str| {
            let mut t = t.to_string();
            for key in ["profile", "name"] {
                if let Some(v) = m.name(key) {
                    t = t.replace(&format!("{{{key}}}"), v.as_str());
                }
            }
            t
        };
        let mut parents = Vec::new();
        for t in &p.def.parents {
            let t = fill(t);
            if t.contains("{ext}") {
                for e in &s.exts[p.system] {
                    parents.push(format!("{base}{}", t.replace("{ext}", e)));
                }
            } else {
                parents.push(format!("{base}{t}"));
            }
        }
        parents.retain(|q| q != path);
        debug_assert!(base.is_empty() || base.ends_with('/') || dir_of(path).is_empty());
        return Some(ProfileFile {
            system: s.names[p.system].as_str(),
            whole: p.def.whole,
            env_names: p.def.env_names,
            parents,
            key_prefix: p.def.key_prefix.clone(),
        });
    }
    None
}

/// The profile systems, as the README lists them.
#[cfg(test)]
fn names() -> Vec<&'static str> {
    let s = systems();
    s.names
        .iter()
        .chain(s.selectors.iter().map(|x| &x.name))
        .chain(s.modules.iter().map(|(m, _)| &m.name))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_systems_load_and_the_readme_lists_them() {
        assert!(load(PROFILES_TOML).is_ok());
        let readme = include_str!("../../README.md");
        for name in names() {
            assert!(
                readme.contains(&format!("| {name} |")),
                "README's profile systems table has no row `{name}`"
            );
        }
    }

    #[test]
    fn parents_by_system() {
        let p = classify("svc/src/main/resources/application-sandbox.yml", None).unwrap();
        assert_eq!(
            p.parents,
            vec![
                "svc/src/main/resources/application.properties",
                "svc/src/main/resources/application.yml",
                "svc/src/main/resources/application.yaml"
            ]
        );
        let p = classify("config/local-sandbox.yml", None).unwrap();
        assert_eq!(p.system, "node-config");
        assert!(p.parents.contains(&"config/sandbox.json".to_string()));
        let p = classify("app/config/packages/sandbox/zoho.yaml", None).unwrap();
        assert_eq!(
            p.parents,
            vec!["app/config/packages/zoho.yaml", "app/config/packages/zoho.yml"]
        );
        assert_eq!(classify(".env.sandbox.local", None).unwrap().parents[2], ".env.sandbox");
        assert_eq!(classify(".env", None).unwrap().parents, Vec::<String>::new());
        assert!(classify("src/main.rs", None).is_none());
        assert!(classify("web/my-application.yml", None).is_none());
        let sel = selector("Api/Properties/launchSettings.json").unwrap();
        assert_eq!(
            sel.parents_for("Api/Properties/launchSettings.json", "Sandbox"),
            vec!["Api/appsettings.json", "Api/appsettings.Sandbox.json"]
        );
        assert!(selector("Api/MyProperties/launchSettings.json").is_none());
        let (m, parents) = module("ruby", "app/config/environments/staging.rb").unwrap();
        assert_eq!(m.member_root.as_deref(), Some("config"));
        assert_eq!(parents, vec!["app/config/application.rb"]);
        assert!(module("python", "crm/settings/base.py").unwrap().0.star_imports);
        assert!(module("python", "crm/views.py").is_none());
    }

    #[test]
    fn bad_templates_are_errors() {
        assert!(pattern_regex("a-{nope}.yml", &[]).is_err());
        assert!(pattern_regex("a-{profile.yml", &[]).is_err());
    }
}
