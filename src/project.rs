//! The project file `.orgtoken.toml`, found by walking up from the first
//! scan root (`--config FILE` overrides, `--isolated` ignores it).
//!
//! ```toml
//! include = ["src/**"]              # report only results under these paths
//! exclude = ["tests/fixtures/**"]   # do not read these paths (like --exclude)
//! fail-on = "warning"               # error | warning | never
//! extra-token-names = ["CRM_SECRET_BLOB"]
//!
//! [rules]
//! OT002 = "warning"                 # error | warning | off
//!
//! [[ignore]]
//! path = "scripts/**"
//! rules = ["OT006"]                 # no rules = every rule
//!
//! [extra-hosts]
//! "zoho-sandbox.internal.example" = { dc = "us", environment = "sandbox" }
//! ```
//!
//! Unknown keys are errors that name the key. Globs are relative to the
//! directory of the file. This module reads the file and applies its
//! filters to findings; the catalog extension is installed by `main`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::catalog::{catalog, EnvKind, Extension, Level};
use crate::scan::ScanResult;
use crate::walk::PathBase;

pub const FILE_NAME: &str = crate::walk::PROJECT_FILE;

/// The exit threshold (`--fail-on`, `fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    Error,
    Warning,
    Off,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub path: String,
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraHost {
    pub dc: String,
    pub environment: Option<EnvKind>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<IgnoreEntry>,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSetting>,
    pub fail_on: Option<FailOn>,
    #[serde(default)]
    pub extra_hosts: BTreeMap<String, ExtraHost>,
    #[serde(default)]
    pub extra_token_names: Vec<String>,
}

/// A loaded project file.
#[derive(Debug, Clone)]
pub struct Project {
    pub path: PathBuf,
    /// The directory globs are relative to.
    pub dir: PathBuf,
    pub config: ProjectConfig,
}

/// Largest project or baseline file read, in bytes: real ones are a few KB.
pub const MAX_USER_FILE: u64 = 4 << 20;

/// Longest piece of a user file quoted in an error, in characters.
const MAX_QUOTE: usize = 80;

/// Text from a project or baseline file as an error may quote it: token
/// shapes and credential parameters masked, hostile characters escaped, at
/// most [`MAX_QUOTE`] characters (the file may be anything: a 10 MB line,
/// a secret).
pub fn quote(s: &str) -> String {
    let spans = crate::redact::query_secret_spans(s);
    let masked = crate::redact::mask(s, &spans);
    let cut: String = masked.chars().take(MAX_QUOTE).collect();
    let more = if cut.len() < masked.len() { "…" } else { "" };
    format!("{}{more}", crate::walk::escape_controls(&cut))
}

/// Reads a project or baseline file the user (or the repository under
/// audit: its content is untrusted) names. Refused: a symbolic link (the
/// file or a directory on its way) that leads out of the repository holding
/// it (the nearest directory above with a `.git`, else the link's
/// directory), anything but a regular file (a FIFO would block, a device
/// never end), files under `/proc`, `/sys`, `/dev`, and files larger than
/// [`MAX_USER_FILE`] (read through a bounded reader: a file that grows
/// while read is cut too). Errors say why, never quote the content; the
/// caller names the file.
pub fn read_user_file(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let abs = std::path::absolute(path).map_err(|e| crate::walk::io_reason(&e))?;
    let canon = std::fs::canonicalize(&abs).map_err(|e| crate::walk::io_reason(&e))?;
    let linked = abs
        .ancestors()
        .any(|a| std::fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink()));
    if linked {
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let top = dir.ancestors().find(|a| a.join(".git").exists()).unwrap_or(dir);
        let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
        if !canon.starts_with(&top) {
            return Err(format!(
                "a symbolic link to `{}`, outside the repository `{}`; refused",
                crate::walk::escape_controls(&canon.display().to_string()),
                crate::walk::escape_controls(&top.display().to_string())
            ));
        }
    }
    if ["/proc", "/sys", "/dev"].iter().any(|p| canon.starts_with(p)) {
        return Err(format!(
            "`{}` is a system file, not a configuration file; refused",
            crate::walk::escape_controls(&canon.display().to_string())
        ));
    }
    // `metadata` does not open the file: opening a FIFO would block.
    let m = std::fs::metadata(&canon).map_err(|e| crate::walk::io_reason(&e))?;
    if !m.is_file() {
        let kind = crate::walk::special_kind(m.file_type()).unwrap_or("a directory");
        return Err(format!("not a regular file ({kind}); refused"));
    }
    let too_large = || format!("larger than {} MiB; refused", MAX_USER_FILE >> 20);
    if m.len() > MAX_USER_FILE {
        return Err(too_large());
    }
    let f = std::fs::File::open(&canon).map_err(|e| crate::walk::io_reason(&e))?;
    let mut bytes = Vec::with_capacity(m.len() as usize);
    f.take(MAX_USER_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::walk::io_reason(&e))?;
    if bytes.len() as u64 > MAX_USER_FILE {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("not valid UTF-8 (offset {at})")
    })
}

/// The nearest `.orgtoken.toml` at or above `root`.
pub fn discover(root: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(root).ok()?;
    let start = if abs.is_file() {
        abs.parent()?.to_path_buf()
    } else {
        abs
    };
    // Anything by that name: a link out of the repository or a FIFO is
    // refused by `read_user_file` (exit 2), never followed or opened.
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir()))
}

impl Project {
    /// Reads and checks a project file. Errors name the file and the key.
    pub fn load(path: &Path) -> Result<Project, String> {
        let shown = crate::walk::escape_controls(&path.display().to_string());
        let text = read_user_file(path).map_err(|e| format!("{shown}: {e}"))?;
        let config: ProjectConfig = toml::from_str(&text).map_err(|e| {
            // `path:line:col: message`, with the offending line when it helps.
            match e.span() {
                Some(span) => {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                    let src = text.lines().nth(line - 1).unwrap_or("").trim();
                    format!("{shown}:{line}:{col}: {} (in `{}`)", quote(e.message()), quote(src))
                }
                None => format!("{shown}: {}", quote(e.message())),
            }
        })?;
        let abs = std::fs::canonicalize(path).map_err(|e| format!("{shown}: {e}"))?;
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let p = Project {
            path: path.to_path_buf(),
            dir,
            config,
        };
        p.globs(&p.config.include)
            .map_err(|e| format!("{shown}: include: {e}"))?;
        for i in &p.config.ignore {
            p.globs(std::slice::from_ref(&i.path))
                .map_err(|e| format!("{shown}: ignore: {e}"))?;
        }
        Ok(p)
    }

    /// The catalog extension this file asks for.
    pub fn extension(&self) -> Extension {
        Extension {
            hosts: self
                .config
                .extra_hosts
                .iter()
                .map(|(h, e)| (h.clone(), e.dc.clone(), e.environment))
                .collect(),
            token_names: self.config.extra_token_names.clone(),
        }
    }

    /// Rule ids must exist: checked once the catalog is installed. Ids are
    /// case-insensitive and a rule's name stands for its id (`ot001`,
    /// `cross-environment-token`); they are stored as ids, and a rule set
    /// twice under two spellings is an error, not a silent pick.
    pub fn check_rule_ids(&mut self) -> Result<(), String> {
        let shown = self.path.display().to_string();
        let canonical = |id: &str, key: &str| -> Result<String, String> {
            catalog()
                .rules
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id))
                .map(|r| r.id.clone())
                .ok_or_else(|| format!("{shown}: {key}: unknown rule `{id}` (`orgtoken rules` lists them)"))
        };
        let mut rules = BTreeMap::new();
        for (id, setting) in &self.config.rules {
            let canon = canonical(id, "rules")?;
            if rules.insert(canon.clone(), *setting).is_some() {
                return Err(format!("{shown}: rules: `{canon}` is set twice (as `{id}` too)"));
            }
        }
        self.config.rules = rules;
        for i in &mut self.config.ignore {
            for r in &mut i.rules {
                *r = canonical(r, "ignore.rules")?;
            }
        }
        Ok(())
    }

    fn globs(&self, patterns: &[String]) -> Result<GlobSet, String> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            b.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
            // A directory covers what is under it.
            if let Ok(g) = Glob::new(&format!("{p}/**")) {
                b.add(g);
            }
        }
        b.build().map_err(|e| e.to_string())
    }

    /// A scan path relative to this file's directory (as the globs are).
    fn relative(&self, shown: &str, base: &PathBase) -> String {
        let abs = base.dir.join(shown);
        match abs.strip_prefix(&self.dir) {
            Ok(r) => r.to_string_lossy().replace('\\', "/"),
            Err(_) => shown.to_string(),
        }
    }

    /// Rule levels, per-path ignores and `include` (`off` rules are rule
    /// selection's, `crate::select`): findings they remove are dropped (configuration, not suppression) and counted.
    pub fn apply(&self, result: &mut ScanResult) {
        let include = self.globs(&self.config.include).unwrap_or_default();
        let ignores: Vec<(GlobSet, &Vec<String>)> = self
            .config
            .ignore
            .iter()
            .filter_map(|i| Some((self.globs(std::slice::from_ref(&i.path)).ok()?, &i.rules)))
            .collect();
        let setting = |rule: &str| {
            self.config
                .rules
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(rule))
                .map(|(_, v)| *v)
        };
        let files = &result.files;
        let before = result.findings.len();
        result.findings.retain_mut(|f| {
            let rel = self.relative(&files[f.primary.file].path, &result.base);
            if !self.config.include.is_empty() && !include.is_match(&rel) {
                return false;
            }
            if ignores.iter().any(|(g, rules)| {
                g.is_match(&rel) && (rules.is_empty() || rules.iter().any(|r| r.eq_ignore_ascii_case(f.rule)))
            }) {
                return false;
            }
            // `off` rules are left to rule selection (`crate::select`).
            match setting(f.rule) {
                Some(RuleSetting::Off) | None => true,
                Some(RuleSetting::Error) => {
                    f.level = Level::Error;
                    true
                }
                Some(RuleSetting::Warning) => {
                    f.level = Level::Warning;
                    true
                }
            }
        });
        result.filtered.left_out.by_config += before - result.findings.len();
    }
}
