//! Many repositories at once: `orgtoken scan --repos-from FILE`, `orgtoken
//! inventory --repos-from FILE` and `orgtoken merge FILE…` (the JSON results
//! of a CI matrix, one job per repository).
//!
//! Each repository is scanned (or was scanned, by its own job) alone, with
//! its own path base, project file and baseline; this module only puts the
//! results side by side, in the order the list (or the command line) gives:
//!
//! - JSON: one document whose findings, suppressed findings and notes each
//!   carry their `repository`, paths staying relative to that repository;
//!   `repositories[]` holds each one's summary.
//! - SARIF: one `run` per repository, each with its own `%SRCROOT%` and its
//!   own category (`automationDetails.id` = `orgtoken/<repository>/`): code
//!   scanning no longer combines runs that share a tool and a category.
//! - human, concise, github, junit, markdown: one result whose paths are
//!   prefixed with the repository (`org/a/app.py`).
//! - the inventory: one per token identity. An env var, a CI or Kubernetes
//!   secret or a literal (by hash) is one identity across repositories; an
//!   identity named by a place in a repository (`minted:`, `sym:`, `param:`,
//!   `import:`, a store, an SDK switch without a token) stays in it.
//!
//! A repository's result is read back from the scan's JSON (`parse_result`)
//! into the same [`ScanResult`] the reporters read, without file texts: no
//! code frames, and SARIF leaves out `primaryLocationLineHash` (its
//! `orgtoken/v1` fingerprint does not depend on the text).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::catalog::{catalog, Level};
use crate::facts::{Pos, Span};
use crate::finding::{Filtered, Finding, LeftOut, Note, Place, Related, Suppressed, SuppressionKind};
use crate::inventory::{by_token, BindingInfo, NO_TOKEN};
use crate::report::inventory::InventoryFormat;
use crate::report::{self, Format, Out, RenderOptions};
use crate::scan::{ScanResult, ShownFile, Stats};

/// One repository's result.
pub struct Repo {
    /// As listed (`--repos-from`) or as recorded (`--repository`), else the
    /// merged file's name without `.json`.
    pub name: String,
    pub result: ScanResult,
    /// Read back from JSON: no file texts.
    pub from_json: bool,
    /// The result holds the repository's bindings (a scan, or JSON written
    /// with `--repository`): the inventory can be made.
    pub has_inventory: bool,
    /// Where the listed path lies below the repository's path base
    /// (`services/crm` when a directory inside a git work tree is listed;
    /// its paths are relative to the work tree's root): left out of the
    /// paths shown after the repository's name. Empty otherwise.
    pub within: String,
}

impl Repo {
    /// A path of this repository's result as people read it beside the
    /// other repositories': `<name>/<path below the listed directory>`.
    pub fn shown(&self, path: &str) -> String {
        let below = if self.within.is_empty() {
            path
        } else if path == self.within {
            ""
        } else {
            path.strip_prefix(&self.within)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(path)
        };
        prefixed(&self.name, below)
    }
}

/// The entries of a `--repos-from` list: one path per line, surrounding
/// blanks trimmed, blank lines and `#` comments skipped.
pub fn read_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// A repository's name from its listed path: without trailing slashes.
pub fn name_of_path(path: &str) -> String {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        path.to_string()
    } else {
        t.to_string()
    }
}

/// `path` shown inside repository `repo`.
fn prefixed(repo: &str, path: &str) -> String {
    if path.is_empty() || path == "." {
        repo.to_string()
    } else if repo == "." || path.starts_with('/') {
        path.to_string()
    } else {
        format!("{repo}/{path}")
    }
}

/// Whether a token identity means the same token in every repository: a
/// deployment setting (env var, CI or Kubernetes secret) by name, or a
/// literal by hash. Identities named by a place stay in their repository.
pub fn shared_identity(token: &str) -> bool {
    ["env:", "literal:", "secret:", "k8s-secret:"]
        .iter()
        .any(|p| token.starts_with(p))
}

// ---------------------------------------------------------------------
// Scan output
// ---------------------------------------------------------------------

/// Whether any repository has a finding at or above its threshold.
pub fn failing(repos: &[(&Repo, Option<Level>)]) -> bool {
    repos
        .iter()
        .any(|(r, t)| t.is_some_and(|t| r.result.findings.iter().any(|f| f.level >= t)))
}

/// Writes the repositories' results in one report of `format` into `out`
/// (which masks token shapes). JSON and SARIF are written a repository at
/// a time; the formats read by people over one combined result.
pub fn write(format: Format, repos: &[Repo], opts: &RenderOptions, out: &mut Out) {
    match format {
        Format::Json => json(repos, out),
        Format::Sarif => sarif(repos, opts.drop_suppressed, out),
        // Results read back from JSON have no text to frame: their places
        // are listed as lines.
        Format::Human if repos.iter().any(|r| r.from_json) => {
            out.push_str(&with_summary(human_without_frames(&combined(repos), opts), repos))
        }
        _ => out.push_str(&with_summary(report::render(format, &combined(repos), opts), repos)),
    }
}

/// One report as a string, masked as every report is.
pub fn render(format: Format, repos: &[Repo], opts: &RenderOptions) -> String {
    to_string(|out| write(format, repos, opts, out))
}

fn to_string(write: impl FnOnce(&mut Out)) -> String {
    let mut bytes = Vec::new();
    let mut out = Out::new(&mut bytes);
    write(&mut out);
    out.finish().expect("writing to memory");
    String::from_utf8(bytes).expect("reports are UTF-8")
}

/// Options for the machine formats rendered per repository.
fn machine_opts(drop_suppressed: bool) -> RenderOptions {
    RenderOptions {
        color: false,
        width: 100,
        quiet: false,
        statistics: false,
        drop_suppressed,
    }
}

/// A report read by people ends with the summary line over every
/// repository (it counts them), where it ends with the combined one.
fn with_summary(mut out: String, repos: &[Repo]) -> String {
    let plain = format!("{}\n", report::summary_line(&combined_counts(repos)));
    if out.ends_with(&plain) {
        out.truncate(out.len() - plain.len());
        out.push_str(&summary_line(repos));
        out.push('\n');
    }
    out
}

/// The counts of every repository (what the summary line reads), without
/// copying texts.
fn combined_counts(repos: &[Repo]) -> ScanResult {
    let mut out = empty_result();
    for repo in repos {
        let r = &repo.result;
        out.findings.extend(r.findings.iter().cloned());
        out.filtered.suppressed.extend(r.filtered.suppressed.iter().cloned());
        out.filtered
            .stale_baseline
            .extend(r.filtered.stale_baseline.iter().cloned());
        out.filtered.left_out += r.filtered.left_out;
        out.notes.extend(r.notes.iter().cloned());
        out.stats.files_walked += r.stats.files_walked;
        out.stats.files_analysed += r.stats.files_analysed;
        out.stats.skipped += r.stats.skipped;
    }
    out
}

/// The human report without code frames: each finding's place, label,
/// related places and fix on lines of their own.
fn human_without_frames(result: &ScanResult, opts: &RenderOptions) -> String {
    use crate::report::visible;
    let mut out = String::new();
    let at = |l: Place| format!("{}:{}:{}", result.files[l.file].path, l.pos.line, l.pos.col);
    for f in &result.findings {
        let name = catalog().rule(f.rule).map(|r| r.name.as_str()).unwrap_or("");
        out.push_str(&visible(&format!(
            "{} {name} · {} ({})",
            f.rule,
            at(f.primary),
            f.level.name()
        )));
        out.push('\n');
        out.push_str(&format!("  × {}\n", visible(&f.message)));
        if !f.label.is_empty() {
            out.push_str(&format!("  {}: {}\n", visible(&at(f.primary)), visible(&f.label)));
        }
        for r in &f.related {
            out.push_str(&format!("  {}: {}\n", visible(&at(r.loc)), visible(&r.message)));
        }
        if !f.help.is_empty() {
            out.push_str(&format!("  help: {} (orgtoken explain {})\n", visible(&f.help), f.rule));
        }
        out.push('\n');
    }
    out.push_str(&report::human_tail(result, opts, "note: ", visible));
    out
}

/// The closing summary line over every repository.
pub fn summary_line(repos: &[Repo]) -> String {
    let n = repos.len();
    let r = if n == 1 { "repository" } else { "repositories" };
    let line = report::summary_line(&combined_counts(repos));
    let rest = line.strip_prefix("orgtoken: ").unwrap_or(&line);
    format!("orgtoken: {n} {r}, {rest}")
}

/// `--statistics` over every repository.
pub fn statistics(repos: &[Repo]) -> String {
    report::statistics(&combined_counts(repos))
}

/// One result holding every repository's, paths prefixed with the
/// repository: what the formats read by people show.
pub fn combined(repos: &[Repo]) -> ScanResult {
    let mut out = empty_result();
    for repo in repos {
        let r = &repo.result;
        let offset = out.files.len();
        out.files.extend(r.files.iter().map(|f| ShownFile {
            path: repo.shown(&f.path),
            text: f.text.clone(),
        }));
        let shift = |f: &Finding| {
            let mut f = f.clone();
            f.primary.file += offset;
            for rel in &mut f.related {
                rel.loc.file += offset;
            }
            f
        };
        out.findings.extend(r.findings.iter().map(shift));
        out.filtered
            .suppressed
            .extend(r.filtered.suppressed.iter().map(|s| Suppressed {
                finding: shift(&s.finding),
                kind: s.kind,
                justification: s.justification.clone(),
            }));
        out.filtered
            .stale_baseline
            .extend(r.filtered.stale_baseline.iter().map(|e| format!("{}: {e}", repo.name)));
        out.filtered.left_out += r.filtered.left_out;
        out.notes.extend(r.notes.iter().map(|n| Note {
            path: repo.shown(&n.path),
            message: n.message.clone(),
        }));
        out.stats.files_walked += r.stats.files_walked;
        out.stats.files_analysed += r.stats.files_analysed;
        out.stats.skipped += r.stats.skipped;
    }
    out.bindings = merged_bindings(repos);
    out
}

/// A result with nothing in it.
pub fn empty_result() -> ScanResult {
    ScanResult {
        files: Vec::new(),
        findings: Vec::new(),
        notes: Vec::new(),
        stats: Stats::default(),
        filtered: Filtered::default(),
        markers: Vec::new(),
        bindings: Vec::new(),
        base: crate::walk::PathBase::default(),
        nothing_scanned: None,
    }
}

/// A JSON object with its keys in order (findings are written so).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        other => other,
    }
}

/// One repository's scan JSON as a value.
fn repo_doc(repo: &Repo) -> Value {
    let text = report::render(Format::Json, &repo.result, &machine_opts(false));
    serde_json::from_str(&text).expect("the JSON reporter writes JSON")
}

/// The JSON document of several repositories (docs/json-output.md),
/// written a repository at a time.
pub fn json(repos: &[Repo], out: &mut Out) {
    let mut notes = Vec::new();
    let mut summaries = Vec::new();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, u64> = BTreeMap::new();
    let mut stale: Vec<Value> = Vec::new();
    const COUNTS: [&str; 10] = [
        "errors",
        "warnings",
        "notes",
        "suppressed_inline",
        "suppressed_baseline",
        "outside_changes",
        "off_by_config",
        "not_selected",
        "files_walked",
        "files_analysed",
    ];
    for repo in repos {
        let summary = repo_doc(repo)["summary"].take();
        for n in &repo.result.notes {
            notes.push(json!({"repository": repo.name, "path": n.path, "message": n.message}));
        }
        for k in COUNTS {
            *totals.entry(k).or_default() += summary[k].as_u64().unwrap_or(0);
        }
        for k in ["binary", "too_large", "vendored"] {
            *skipped.entry(k).or_default() += summary["skipped"][k].as_u64().unwrap_or(0);
        }
        for e in summary["stale_baseline"].as_array().into_iter().flatten() {
            stale.push(json!(format!("{}: {}", repo.name, e.as_str().unwrap_or(""))));
        }
        summaries.push(json!({"repository": repo.name, "summary": summary}));
    }
    let mut summary = Map::new();
    for k in COUNTS {
        summary.insert(k.into(), json!(totals.get(k).copied().unwrap_or(0)));
        if k == "suppressed_baseline" {
            summary.insert("stale_baseline".into(), Value::Array(std::mem::take(&mut stale)));
        }
    }
    summary.insert("skipped".into(), json!(skipped));
    summary.insert("repositories".into(), json!(repos.len()));
    let doc = json!({
        "version": report::json::SCHEMA_VERSION,
        "tool": {"name": "orgtoken", "version": env!("CARGO_PKG_VERSION")},
        "repositories": summaries,
        "findings": [],
        "suppressed": [],
        "notes": notes,
        "summary": summary,
    });
    // Each array is written a repository at a time, each item tagged with
    // its repository.
    report::pretty_with_arrays(&doc, &["findings", "suppressed"], out, |key, out| {
        let items = repos.iter().flat_map(|repo| {
            let mut doc = repo_doc(repo);
            let items = match doc[key].take() {
                Value::Array(a) => a,
                _ => Vec::new(),
            };
            items.into_iter().map(move |mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.insert("repository".into(), json!(repo.name));
                }
                sorted(v)
            })
        });
        report::pretty_array(out, items, 2);
    });
    out.push('\n');
}

/// A single repository's scan JSON with what `orgtoken merge` needs beside
/// it: the repository's name (`--repository`) and its bindings (for
/// `merge --inventory`).
pub fn write_with_repository(result: &ScanResult, name: &str, out: &mut Out) {
    let rendered = report::render(Format::Json, result, &machine_opts(false));
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(&rendered) else {
        out.push_str(&rendered);
        return;
    };
    let mut doc_out = Map::new();
    for (k, v) in doc {
        let after_tool = k == "tool";
        doc_out.insert(k, v);
        if after_tool {
            doc_out.insert("repository".into(), json!(name));
        }
    }
    doc_out.insert(
        "bindings".into(),
        Value::Array(result.bindings.iter().map(binding_json).collect()),
    );
    out.push_str(&serde_json::to_string_pretty(&Value::Object(doc_out)).expect("serialisable"));
    out.push('\n');
}

fn binding_json(b: &BindingInfo) -> Value {
    json!({
        "path": b.path, "line": b.line, "column": b.column, "kind": b.kind,
        "tokens": b.tokens, "environments": b.environments, "orgs": b.orgs, "mints": b.mints,
    })
}

/// SARIF with one run per repository, written a repository at a time.
pub fn sarif(repos: &[Repo], drop_suppressed: bool, out: &mut Out) {
    let runs = repos.iter().filter_map(|repo| {
        let text = report::render(Format::Sarif, &repo.result, &machine_opts(drop_suppressed));
        let mut doc: Value = serde_json::from_str(&text).expect("the SARIF reporter writes JSON");
        let mut run = doc["runs"].as_array_mut().and_then(|r| r.pop())?;
        run["automationDetails"] = json!({"id": format!("orgtoken/{}/", repo.name)});
        run["properties"] = json!({"repository": repo.name});
        run["originalUriBaseIds"] = json!({"%SRCROOT%": {"description": {"text": format!(
            "The root of repository `{}` (its git work tree's root, else the scanned directory).",
            repo.name
        )}}});
        if repo.from_json {
            // No text to hash: the line-independent fingerprint stays.
            for r in run["results"].as_array_mut().into_iter().flatten() {
                if let Some(p) = r["partialFingerprints"].as_object_mut() {
                    p.remove("primaryLocationLineHash");
                }
            }
        }
        Some(sorted(run))
    });
    let doc = json!({"$schema": report::sarif::SCHEMA, "version": "2.1.0", "runs": []});
    let mut runs = Some(runs);
    report::pretty_with_arrays(&doc, &["runs"], out, |_, out| {
        if let Some(r) = runs.take() {
            report::pretty_array(out, r, 2);
        }
    });
    out.push('\n');
}

// ---------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------

/// A token identity in the merged inventory.
struct MergedToken {
    token: String,
    /// Set for an identity that stays in its repository.
    repository: Option<String>,
    environments: BTreeSet<String>,
    orgs: BTreeSet<String>,
    /// Per repository (in list order): its environments and orgs.
    per_repo: Vec<(String, BTreeSet<String>, BTreeSet<String>)>,
    /// (repository, binding, its path as people read it).
    bindings: Vec<(String, BindingInfo, String)>,
}

fn merged_tokens(repos: &[Repo]) -> Vec<MergedToken> {
    // Key: the identity, and the repository's index for identities that
    // stay in it; shared identities sort before scoped ones of the same name.
    let mut map: BTreeMap<(String, Option<usize>), MergedToken> = BTreeMap::new();
    for (ri, repo) in repos.iter().enumerate() {
        let bindings = &repo.result.bindings;
        for entry in by_token(bindings) {
            let shared = entry.token != NO_TOKEN && shared_identity(&entry.token);
            let key = (entry.token.clone(), (!shared).then_some(ri));
            let t = map.entry(key).or_insert_with(|| MergedToken {
                token: entry.token.clone(),
                repository: (!shared).then(|| repo.name.clone()),
                environments: BTreeSet::new(),
                orgs: BTreeSet::new(),
                per_repo: Vec::new(),
                bindings: Vec::new(),
            });
            t.environments.extend(entry.environments.iter().cloned());
            t.orgs.extend(entry.orgs.iter().cloned());
            t.per_repo.push((
                repo.name.clone(),
                entry.environments.iter().cloned().collect(),
                entry.orgs.iter().cloned().collect(),
            ));
            t.bindings.extend(
                entry
                    .bindings
                    .iter()
                    .map(|&i| (repo.name.clone(), bindings[i].clone(), repo.shown(&bindings[i].path))),
            );
        }
    }
    map.into_values().collect()
}

/// The label of an identity in the merged views read by people.
fn token_label(t: &MergedToken) -> String {
    match &t.repository {
        Some(r) => format!("{} (in {r})", t.token),
        None => t.token.clone(),
    }
}

/// Every repository's bindings with paths prefixed and the identities that
/// stay in a repository named with it: grouping them by token gives the
/// merged inventory.
fn merged_bindings(repos: &[Repo]) -> Vec<BindingInfo> {
    let mut out = Vec::new();
    for repo in repos {
        for b in &repo.result.bindings {
            let mut b = b.clone();
            b.path = repo.shown(&b.path);
            for t in &mut b.tokens {
                if !shared_identity(t) {
                    *t = format!("{t} (in {})", repo.name);
                }
            }
            if b.tokens.is_empty() {
                b.tokens.push(format!("{NO_TOKEN} (in {})", repo.name));
            }
            out.push(b);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The merged inventory in `format` (not yet masked).
pub fn inventory(format: InventoryFormat, repos: &[Repo]) -> String {
    let tokens = merged_tokens(repos);
    match format {
        InventoryFormat::Json => inventory_json(&tokens, repos),
        InventoryFormat::Human => inventory_human(&tokens, repos),
        _ => {
            let mut r = combined(repos);
            r.findings.clear();
            report::inventory::render(format, &r)
        }
    }
}

fn inventory_json(tokens: &[MergedToken], repos: &[Repo]) -> String {
    let token_values: Vec<Value> = tokens
        .iter()
        .map(|t| {
            let mut v = json!({
                "token": t.token,
                "environments": t.environments,
                "orgs": t.orgs,
                "repositories": t.per_repo.iter()
                    .map(|(r, e, o)| json!({"repository": r, "environments": e, "orgs": o}))
                    .collect::<Vec<_>>(),
                "bindings": t.bindings.iter()
                    .map(|(r, b, _)| json!({"repository": r, "path": b.path, "line": b.line, "column": b.column,
                                            "kind": b.kind, "environments": b.environments, "orgs": b.orgs}))
                    .collect::<Vec<_>>(),
            });
            if let Some(r) = &t.repository {
                v["repository"] = json!(r);
            }
            v
        })
        .collect();
    let notes: Vec<Value> = repos
        .iter()
        .flat_map(|r| {
            r.result
                .notes
                .iter()
                .map(|n| json!({"repository": r.name, "path": n.path, "message": n.message}))
        })
        .collect();
    let bindings: usize = tokens.iter().map(|t| t.bindings.len()).sum();
    let doc = json!({
        "version": 1,
        "tool": {"name": "orgtoken", "version": env!("CARGO_PKG_VERSION")},
        "repositories": repos.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        "tokens": token_values,
        "notes": notes,
        "summary": {
            "notes": notes.len(),
            "tokens": tokens.len(),
            "bindings": bindings,
            "multi_environment_tokens": tokens.iter().filter(|t| t.environments.len() > 1).count(),
            "repositories": repos.len(),
            "multi_repository_tokens": tokens.iter().filter(|t| t.per_repo.len() > 1).count(),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
    s.push('\n');
    s
}

fn inventory_human(tokens: &[MergedToken], repos: &[Repo]) -> String {
    use crate::report::visible;
    let mut out = String::new();
    for t in tokens {
        out.push_str(&format!("{}\n", visible(&token_label(t))));
        let envs: Vec<&str> = t.environments.iter().map(String::as_str).collect();
        out.push_str(&format!("  environments: {}\n", visible(&envs.join(", "))));
        if !t.orgs.is_empty() {
            let orgs: Vec<&str> = t.orgs.iter().map(String::as_str).collect();
            out.push_str(&format!("  orgs: {}\n", visible(&orgs.join(", "))));
        }
        let reach: Vec<String> = t
            .per_repo
            .iter()
            .map(|(r, e, _)| {
                let e: Vec<&str> = e.iter().map(String::as_str).collect();
                format!("{r} ({})", e.join(", "))
            })
            .collect();
        out.push_str(&format!("  repositories: {}\n", visible(&reach.join("; "))));
        let rows: Vec<(String, &BindingInfo)> = t
            .bindings
            .iter()
            .map(|(_, b, shown)| (visible(&format!("{shown}:{}:{}", b.line, b.column)), b))
            .collect();
        crate::report::inventory::binding_rows(&mut out, rows);
    }
    for r in repos {
        for n in &r.result.notes {
            let text = if n.path.is_empty() {
                format!("{}: {}", r.name, n.message)
            } else {
                format!("{}: {}", r.shown(&n.path), n.message)
            };
            out.push_str(&format!("note: {}\n", visible(&text)));
        }
    }
    let bindings: usize = tokens.iter().map(|t| t.bindings.len()).sum();
    let multi_env = tokens.iter().filter(|t| t.environments.len() > 1).count();
    let multi_repo = tokens.iter().filter(|t| t.per_repo.len() > 1).count();
    out.push_str(&format!(
        "orgtoken inventory: {} token {} and {} {} in {} {}; {multi_env} bound to more than one environment, {multi_repo} reaching more than one repository\n",
        tokens.len(),
        if tokens.len() == 1 { "identity" } else { "identities" },
        bindings,
        if bindings == 1 { "binding" } else { "bindings" },
        repos.len(),
        if repos.len() == 1 { "repository" } else { "repositories" },
    ));
    out
}

// ---------------------------------------------------------------------
// Reading results back (`orgtoken merge`)
// ---------------------------------------------------------------------

/// A repository's result from the JSON `orgtoken scan --format json`
/// wrote; `default_name` when the document records no repository. The
/// error says what is wrong (the caller names the file).
pub fn parse_result(text: &str, default_name: &str) -> Result<Repo, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let o = doc
        .as_object()
        .ok_or("not an orgtoken scan result (not a JSON object)")?;
    if o.get("tool").and_then(|t| t["name"].as_str()) != Some("orgtoken") {
        return Err("not an orgtoken scan result (no `tool.name: orgtoken`)".into());
    }
    match o.get("version").and_then(Value::as_u64) {
        Some(v) if u64::from(report::json::SCHEMA_VERSION) == v => {}
        Some(v) => {
            return Err(format!(
                "JSON output version {v}; this orgtoken reads version {}",
                report::json::SCHEMA_VERSION
            ))
        }
        None => return Err("not an orgtoken scan result (no `version`)".into()),
    }
    if o.contains_key("repositories") {
        return Err(
            "a result of several repositories (`--repos-from` or `merge`); merge the per-repository results".into(),
        );
    }
    if o.contains_key("tokens") {
        return Err(
            "an inventory, not a scan result; merge the JSON of `orgtoken scan --format json --repository NAME`".into(),
        );
    }
    let name = match o.get("repository") {
        None => default_name.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err("`repository` is not a non-empty string".into()),
    };
    let mut files = Files::default();
    let findings = array(o, "findings")?
        .iter()
        .enumerate()
        .map(|(i, f)| finding(f, &mut files).map_err(|e| format!("findings[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let suppressed = match o.get("suppressed") {
        None => Vec::new(),
        Some(_) => array(o, "suppressed")?
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let at = |e: String| format!("suppressed[{i}]: {e}");
                let finding = finding(f, &mut files).map_err(at)?;
                let s = &f["suppression"];
                let kind = match s["kind"].as_str() {
                    Some("inline") => SuppressionKind::InSource,
                    Some("baseline") => SuppressionKind::External,
                    _ => return Err(at("`suppression.kind` is not `inline` or `baseline`".into())),
                };
                Ok(Suppressed {
                    finding,
                    kind,
                    justification: s["justification"].as_str().unwrap_or("").to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let notes = array(o, "notes")?
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Ok(Note {
                path: string(n, "path").map_err(|e| format!("notes[{i}]: {e}"))?,
                message: string(n, "message").map_err(|e| format!("notes[{i}]: {e}"))?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let summary = o
        .get("summary")
        .filter(|s| s.is_object())
        .ok_or("no `summary` object")?;
    let count = |k: &str| summary[k].as_u64().unwrap_or(0) as usize;
    let stats = Stats {
        files_walked: count("files_walked"),
        files_analysed: count("files_analysed"),
        skipped: crate::walk::Skipped {
            binary: summary["skipped"]["binary"].as_u64().unwrap_or(0) as usize,
            too_large: summary["skipped"]["too_large"].as_u64().unwrap_or(0) as usize,
            excluded_vendored: summary["skipped"]["vendored"].as_u64().unwrap_or(0) as usize,
        },
    };
    let filtered = Filtered {
        suppressed,
        stale_baseline: summary["stale_baseline"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
        left_out: LeftOut {
            outside_changes: count("outside_changes"),
            by_config: count("off_by_config"),
            not_selected: count("not_selected"),
        },
    };
    let has_inventory = o.contains_key("bindings");
    let bindings = match o.get("bindings") {
        None => Vec::new(),
        Some(_) => array(o, "bindings")?
            .iter()
            .enumerate()
            .map(|(i, b)| binding(b).map_err(|e| format!("bindings[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?,
    };
    // Files in path order, as a scan numbers them.
    let (order, shown) = files.finish();
    let renumber = |f: &mut Finding| {
        f.primary.file = order[f.primary.file];
        for r in &mut f.related {
            r.loc.file = order[r.loc.file];
        }
    };
    let mut findings = findings;
    findings.iter_mut().for_each(renumber);
    let mut filtered = filtered;
    filtered.suppressed.iter_mut().for_each(|s| renumber(&mut s.finding));
    let mut result = empty_result();
    result.files = shown;
    result.findings = findings;
    result.notes = notes;
    result.stats = stats;
    result.filtered = filtered;
    result.bindings = bindings;
    Ok(Repo {
        name,
        result,
        from_json: true,
        has_inventory,
        within: String::new(),
    })
}

/// The paths findings point into, numbered as met, then in path order.
#[derive(Default)]
struct Files {
    ids: BTreeMap<String, usize>,
}

impl Files {
    fn id(&mut self, path: String) -> usize {
        let n = self.ids.len();
        *self.ids.entry(path).or_insert(n)
    }

    /// The new id of each id given, and the files in path order.
    fn finish(self) -> (Vec<usize>, Vec<ShownFile>) {
        let mut order = vec![0; self.ids.len()];
        let mut shown = Vec::with_capacity(self.ids.len());
        for (new, (path, old)) in self.ids.into_iter().enumerate() {
            order[old] = new;
            shown.push(ShownFile {
                path,
                text: String::new(),
            });
        }
        (order, shown)
    }
}

fn array<'a>(o: &'a Map<String, Value>, key: &str) -> Result<&'a Vec<Value>, String> {
    o.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("no `{key}` array"))
}

fn string(v: &Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{key}` is not a string"))
}

fn number(v: &Value, key: &str) -> Result<u32, String> {
    v[key]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| format!("`{key}` is not a line or column number"))
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, String> {
    match &v[key] {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("`{key}` holds a non-string"))
            })
            .collect(),
        _ => Err(format!("`{key}` is not an array")),
    }
}

/// A location; its byte offsets are unknown (no text), so no frame labels it.
fn loc(v: &Value, files: &mut Files) -> Result<Place, String> {
    let path = string(v, "path")?;
    let pos = Pos {
        line: number(v, "line")?,
        col: number(v, "column")?,
        end_line: number(v, "end_line")?,
        end_col: number(v, "end_column")?,
    };
    Ok(Place {
        file: files.id(path),
        span: Span {
            start: u32::MAX,
            end: u32::MAX,
        },
        pos,
    })
}

fn finding(v: &Value, files: &mut Files) -> Result<Finding, String> {
    let rule_id = string(v, "rule")?;
    let rule: &'static str = catalog()
        .rules
        .iter()
        .find(|r| r.id == rule_id)
        .map(|r| r.id.as_str())
        .ok_or_else(|| format!("unknown rule `{}`", crate::project::quote(&rule_id)))?;
    let level = match v["level"].as_str() {
        Some("error") => Level::Error,
        Some("warning") => Level::Warning,
        Some("note") => Level::Note,
        _ => return Err("`level` is not error, warning or note".into()),
    };
    let primary = loc(v, files)?;
    let related = match &v["related"] {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .iter()
            .map(|r| {
                Ok(Related {
                    loc: loc(r, files)?,
                    message: string(r, "message")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?,
        _ => return Err("`related` is not an array".into()),
    };
    let token = match &v["token"] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        _ => return Err("`token` is not a string".into()),
    };
    Ok(Finding {
        rule,
        level,
        message: string(v, "message")?,
        label: v["label"].as_str().unwrap_or("").to_string(),
        primary,
        related,
        help: v["help"].as_str().unwrap_or("").to_string(),
        token,
        environments: strings(v, "environments")?,
        fingerprint: string(v, "fingerprint")?,
        site: String::new(),
    })
}

const BINDING_KINDS: [&str; 7] = [
    "call",
    "sdk-init",
    "sdk-switch",
    "helper",
    "profile",
    "sdk-call",
    crate::inventory::TOKEN_REQUEST,
];

fn binding(v: &Value) -> Result<BindingInfo, String> {
    let kind = v["kind"].as_str().unwrap_or("");
    let kind = BINDING_KINDS
        .iter()
        .find(|k| **k == kind)
        .ok_or_else(|| format!("unknown binding kind `{}`", crate::project::quote(kind)))?;
    Ok(BindingInfo {
        path: string(v, "path")?,
        line: number(v, "line")?,
        column: number(v, "column")?,
        kind,
        tokens: strings(v, "tokens")?,
        environments: strings(v, "environments")?,
        orgs: strings(v, "orgs")?,
        // Written since token requests were told apart; absent before.
        mints: v["mints"].as_bool().unwrap_or(false),
    })
}

/// The repository name of a merged file that records none: its path as
/// given, without `.json`.
pub fn name_of_file(path: &str) -> String {
    let p = path.strip_suffix(".json").unwrap_or(path);
    name_of_path(p.strip_prefix("./").unwrap_or(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_skips_blanks_and_comments() {
        let l = read_list("# repos\n\n a \r\nb/\n  # not this\n/abs/c\n");
        assert_eq!(l, vec!["a", "b/", "/abs/c"]);
        assert_eq!(name_of_path("b/"), "b");
        assert_eq!(name_of_path("/"), "/");
        assert_eq!(name_of_file("./out/org-a.json"), "out/org-a");
    }

    #[test]
    fn identities_named_by_a_place_stay_in_their_repository() {
        assert!(shared_identity("env:ZOHO_TOKEN"));
        assert!(shared_identity("literal:sha256:0123456789ab"));
        assert!(shared_identity("secret:ZOHO_TOKEN"));
        assert!(!shared_identity("minted:lib/auth.js:4"));
        assert!(!shared_identity("sym:app.py::TOKEN"));
        assert!(!shared_identity("import:config.TOKEN"));
    }

    #[test]
    fn broken_documents_are_refused_with_a_reason() {
        let err = |t: &str| match parse_result(t, "x") {
            Err(e) => e,
            Ok(_) => panic!("accepted: {t}"),
        };
        assert!(err("[").starts_with("not JSON"));
        assert!(err("{}").contains("not an orgtoken scan result"));
        let v2 = r#"{"version": 2, "tool": {"name": "orgtoken", "version": "9"}, "findings": [], "notes": [], "summary": {}}"#;
        assert!(err(v2).contains("version 2"));
        let bad = r#"{"version": 1, "tool": {"name": "orgtoken", "version": "9"}, "findings": [{"rule": "OT999"}], "notes": [], "summary": {}}"#;
        assert!(err(bad).contains("findings[0]"));
    }

    /// A document as `scan --format json --repository NAME` writes it.
    const DOC: &str = r#"{
  "bindings": [
    {"column": 12, "environments": ["US production"], "kind": "call", "line": 8, "orgs": [], "path": "sync.py", "tokens": ["env:ZOHO_TOKEN"]},
    {"column": 1, "environments": ["US sandbox"], "kind": "sdk-switch", "line": 3, "orgs": ["1"], "path": "b.py", "tokens": []}
  ],
  "findings": [
    {"column": 12, "end_column": 124, "end_line": 12, "environments": ["US production", "US sandbox"], "fingerprint": "f5e8516fd480adce",
     "help": "mint one token per environment", "label": "this call sends it to US sandbox", "level": "error", "line": 12,
     "message": "token `env:ZOHO_TOKEN` is used with US sandbox here", "name": "cross-environment-token", "path": "sync.py",
     "related": [{"column": 9, "end_column": 33, "end_line": 4, "line": 4, "message": "the token comes from here", "path": "cfg.py"}],
     "rule": "OT001", "token": "env:ZOHO_TOKEN"}
  ],
  "notes": [{"message": "syntax error", "path": "broken.py"}],
  "repository": "org/c",
  "summary": {"errors": 1, "files_analysed": 1, "files_walked": 1, "not_selected": 0, "notes": 1, "off_by_config": 0, "outside_changes": 0,
              "skipped": {"binary": 0, "too_large": 0, "vendored": 0}, "stale_baseline": ["OT001 a.py env:X (0123456789abcdef)"],
              "suppressed_baseline": 0, "suppressed_inline": 1, "warnings": 0},
  "suppressed": [
    {"column": 1, "end_column": 5, "end_line": 2, "environments": ["US sandbox"], "fingerprint": "0123456789abcdef", "help": "", "label": "",
     "level": "warning", "line": 2, "message": "m", "name": "runtime-environment-switch", "path": "a.py", "related": [], "rule": "OT002",
     "suppression": {"justification": "read-only", "kind": "inline"}, "token": null}
  ],
  "tool": {"name": "orgtoken", "version": "0.1.0"},
  "version": 1
}"#;

    fn render_all(repo: Repo) {
        let repos = [repo];
        let opts = RenderOptions {
            color: false,
            width: 100,
            quiet: false,
            statistics: true,
            drop_suppressed: false,
        };
        for f in Format::all() {
            let _ = render(*f, &repos, &opts);
        }
        for f in InventoryFormat::all() {
            let _ = inventory(*f, &repos);
        }
        let _ = summary_line(&repos);
    }

    #[test]
    fn a_result_reads_back_into_what_its_scan_reported() {
        let repo = parse_result(DOC, "unused").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(repo.name, "org/c");
        assert!(repo.from_json && repo.has_inventory);
        let r = &repo.result;
        let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.py", "cfg.py", "sync.py"], "files in path order");
        assert_eq!(r.findings[0].rule, "OT001");
        assert_eq!(r.files[r.findings[0].primary.file].path, "sync.py");
        assert_eq!(r.files[r.findings[0].related[0].loc.file].path, "cfg.py");
        assert_eq!(r.filtered.count(SuppressionKind::InSource), 1);
        assert_eq!(r.filtered.suppressed[0].finding.token, None);
        assert_eq!(r.bindings.len(), 2);
        // The JSON it renders is the document's, plus the repository.
        let again = repo_doc(&repo);
        let original: Value = serde_json::from_str(DOC).unwrap();
        for key in ["findings", "suppressed", "notes", "summary"] {
            assert_eq!(again[key], original[key], "{key}");
        }
        render_all(repo);
    }

    #[test]
    fn no_damaged_document_panics_or_renders_garbage() {
        // Every truncation, and every scalar replaced by each other type:
        // an error, or a result every format renders.
        for n in 0..DOC.len() {
            if DOC.is_char_boundary(n) {
                if let Ok(r) = parse_result(&DOC[..n], "x") {
                    render_all(r);
                }
            }
        }
        let original: Value = serde_json::from_str(DOC).unwrap();
        let mut pointers = Vec::new();
        fn walk(v: &Value, at: String, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, format!("{at}/{k}"), out)),
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| walk(v, format!("{at}/{i}"), out)),
                _ => {}
            }
            out.push(at);
        }
        walk(&original, String::new(), &mut pointers);
        let replacements = [
            json!(null),
            json!(0),
            json!(-1),
            json!(4294967296u64),
            json!(""),
            json!("\u{202e}x"),
            json!([]),
            json!({}),
        ];
        for p in pointers.iter().filter(|p| !p.is_empty()) {
            for r in &replacements {
                let mut doc = original.clone();
                *doc.pointer_mut(p).unwrap() = r.clone();
                if let Ok(repo) = parse_result(&doc.to_string(), "x") {
                    for f in repo
                        .result
                        .findings
                        .iter()
                        .chain(repo.result.filtered.suppressed.iter().map(|s| &s.finding))
                    {
                        assert!(f.primary.pos.line >= 1 && f.primary.pos.col >= 1, "{p} = {r}");
                    }
                    render_all(repo);
                }
            }
        }
    }
}
