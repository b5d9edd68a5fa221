//! Reads a parsed config document as what it is and lowers it into profiles:
//! GitHub Actions workflows (workflow → job → step, `env:` inherited
//! downward, `${{ secrets.X }}` scoped by the job's GitHub environment),
//! GitLab CI (`variables:`, jobs, `extends:`, hidden template jobs), compose
//! files (services, `environment:` in list and map forms, `env_file:`),
//! Kubernetes manifests (container `env:`, `secretKeyRef`), Postman
//! environments, per-profile settings files (`application-<p>.yml`,
//! `appsettings.<p>.json`, `config/<p>.json`, Helm `values-<p>.yaml`), and
//! generic config, where every mapping holding settings is a profile that
//! inherits its enclosing mapping.

use super::{dir_of, file_name, value_expr, Entry, Interp, Node, NodeKind};
use crate::facts::{Arg, Call, CallSite, Expr, ExprKind, FileFacts, Parent, ParentRef, Profile, Setting, Span};
use crate::source::Nesting;

/// Profiles one file may hold (a huge data file is not a config file).
const MAX_PROFILES: usize = 20_000;
/// Words in a file name that mark a template rather than a deployment.
const TEMPLATE_MARKERS: &[&str] = &["example", "sample", "template", "dist", "tmpl"];
/// Top-level GitLab CI keys that are not jobs.
const GITLAB_KEYWORDS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages",
];

pub(crate) fn is_template_name(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .any(|part| TEMPLATE_MARKERS.contains(&part))
}

/// The files a per-profile settings file overrides, from the profile
/// systems (`rules/profiles.toml`): `application-x.yml` → `application.yml`,
/// `appsettings.X.json` → `appsettings.json`, `config/x.json` →
/// `config/default.json`, `values-x.yaml` → `values.yaml`.
pub(crate) fn file_parents(path: &str) -> Vec<Parent> {
    super::systems::classify(path, None)
        .map(|p| p.parents)
        .unwrap_or_default()
        .into_iter()
        .map(|f| Parent {
            target: ParentRef::File(f),
            span: None,
        })
        .collect()
}

struct Lowering<'a> {
    path: &'a str,
    template: bool,
    nesting: Nesting,
    out: Vec<Profile>,
    truncated: bool,
    /// Values name the env vars that supply them.
    env_names: bool,
}

pub(super) fn lower(path: &str, docs: &[Node], interp: Interp, facts: &mut FileFacts) {
    let name = file_name(path);
    let lower_name = name.to_ascii_lowercase();
    // `package.json` and lock files describe packages, not deployments.
    if matches!(
        lower_name.as_str(),
        "package.json" | "package-lock.json" | "composer.json" | "composer.lock" | "tsconfig.json"
    ) {
        return;
    }
    let mut l = Lowering {
        path,
        template: is_template_name(name),
        nesting: Nesting::new(),
        out: Vec::new(),
        truncated: false,
        env_names: false,
    };
    let is_yaml = matches!(interp, Interp::Shell);
    for doc in docs {
        if path.contains(".github/workflows/") && is_yaml {
            l.github(doc);
        } else if is_yaml && (lower_name.ends_with(".gitlab-ci.yml") || lower_name.ends_with(".gitlab-ci.yaml")) {
            l.gitlab(doc);
        } else if is_yaml && is_compose(&lower_name, doc) {
            l.compose(doc);
        } else if is_yaml && matches!(lower_name.as_str(), "serverless.yml" | "serverless.yaml") && l.serverless(doc) {
        } else if is_yaml
            && matches!(
                lower_name.as_str(),
                "kustomization.yaml" | "kustomization.yml" | "kustomization"
            )
        {
            l.kustomization(doc);
        } else if doc.get("apiVersion").is_some() && doc.get("kind").is_some() {
            l.kubernetes(doc);
        } else if lower_name.ends_with(".postman_environment.json") || doc.get("_postman_variable_scope").is_some() {
            l.postman_environment(doc);
        } else if lower_name.ends_with(".postman_collection.json")
            || doc.get("info").and_then(|i| i.get("_postman_id")).is_some()
        {
            l.postman_collection(doc, &mut facts.calls);
        } else if let Some(sel) = super::systems::selector(path) {
            l.launch_profiles(doc, sel);
        } else if let Some(sys) = super::systems::classify(path, Some(doc)).filter(|p| p.whole) {
            l.env_names = sys.env_names;
            l.profile_file(doc, docs.len() > 1);
        } else if lower_name.ends_with(".postman_globals.json") {
            l.profile_file(doc, docs.len() > 1);
        } else {
            // Generic config: `${VAR}` / `${a.b:default}` placeholders.
            l.sections(doc, String::new(), None, doc.span, 0, Interp::Placeholder);
        }
    }
    if l.truncated {
        facts.notes.push(format!(
            "more than {MAX_PROFILES} config sections; only the first ones were analysed"
        ));
    }
    facts.profiles.extend(l.out);
}

fn is_compose(lower_name: &str, doc: &Node) -> bool {
    if lower_name.starts_with("docker-compose")
        || lower_name.starts_with("compose.")
        || lower_name.starts_with("compose-")
    {
        return true;
    }
    doc.get("services").is_some_and(|s| {
        s.entries().iter().any(|e| {
            ["image", "build", "environment", "env_file"]
                .iter()
                .any(|k| e.value.get(k).is_some())
        })
    })
}

/// The value of a scalar (or null, as empty) node.
fn scalar_text(n: &Node) -> Option<&str> {
    match &n.kind {
        NodeKind::Scalar(s) => Some(s),
        NodeKind::Null => Some(""),
        _ => None,
    }
}

/// A span from the key to the end of the value when it is on the same line.
fn entry_span(e: &Entry) -> Span {
    let v = e.value.span;
    if e.on_key_line {
        Span {
            end: v.end,
            ..e.key_span
        }
    } else {
        e.key_span
    }
}

impl Lowering<'_> {
    fn push(&mut self, p: Profile) -> Option<usize> {
        if self.out.len() >= MAX_PROFILES {
            self.truncated = true;
            return None;
        }
        self.out.push(p);
        Some(self.out.len() - 1)
    }

    fn profile(&self, name: String, span: Span, parents: Vec<Parent>) -> Profile {
        Profile {
            name,
            span,
            parents,
            settings: Vec::new(),
            template: self.template,
        }
    }

    fn setting(key: &str, e: &Entry, interp: Interp, scope: Option<&str>, env: bool) -> Option<Setting> {
        let text = scalar_text(&e.value)?;
        Some(Setting {
            key: key.to_string(),
            value: value_expr(text, e.value.span, interp, scope),
            span: entry_span(e),
            env,
            via: e.via.or(e.value.via),
        })
    }

    /// `KEY: value` entries of a map as settings.
    fn map_settings(map: &Node, interp: Interp, scope: Option<&str>, env: bool) -> Vec<Setting> {
        map.entries()
            .iter()
            .filter_map(|e| Self::setting(&e.key, e, interp, scope, env))
            .collect()
    }

    // --- GitHub Actions -------------------------------------------------

    fn github(&mut self, doc: &Node) {
        let wf_span = doc.entry("env").map(|e| e.key_span).unwrap_or(doc.span);
        let mut wf = self.profile("workflow".into(), wf_span, Vec::new());
        if let Some(env) = doc.get("env") {
            wf.settings = Self::map_settings(env, Interp::GitHub, None, true);
        }
        let Some(wf_idx) = self.push(wf) else { return };
        let Some(jobs) = doc.get("jobs") else { return };
        for job in jobs.entries() {
            // Secrets of a job that names a GitHub environment are that
            // environment's secrets.
            let scope: Option<String> = job.value.get("environment").and_then(|e| match &e.kind {
                NodeKind::Scalar(s) => Some(s.clone()),
                NodeKind::Map(_) => e.get("name").and_then(|n| n.scalar()).map(str::to_string),
                _ => None,
            });
            let scope = scope.map(|s| {
                if s.contains("${{") {
                    format!("{}@{}", s.trim(), job.key)
                } else {
                    s
                }
            });
            let mut p = self.profile(
                format!("jobs.{}", job.key),
                job.key_span,
                vec![Parent {
                    target: ParentRef::Local(wf_idx),
                    span: None,
                }],
            );
            // Workflow-level secrets resolve in the job's environment.
            if scope.is_some() {
                if let Some(env) = doc.get("env") {
                    for e in env.entries() {
                        if e.value.scalar().is_some_and(|s| s.contains("secrets.")) {
                            if let Some(mut s) = Self::setting(&e.key, e, Interp::GitHub, scope.as_deref(), true) {
                                s.via = Some(job.key_span);
                                p.settings.push(s);
                            }
                        }
                    }
                }
            }
            for (section, env) in [("env", true), ("with", false), ("secrets", false)] {
                if let Some(m) = job.value.get(section) {
                    p.settings
                        .extend(Self::map_settings(m, Interp::GitHub, scope.as_deref(), env));
                }
            }
            let Some(job_idx) = self.push(p) else { return };
            let Some(steps) = job.value.get("steps") else { continue };
            for (i, step) in steps.items().iter().enumerate() {
                let mut settings = Vec::new();
                for (section, env) in [("env", true), ("with", false)] {
                    if let Some(m) = step.get(section) {
                        settings.extend(Self::map_settings(m, Interp::GitHub, scope.as_deref(), env));
                    }
                }
                if settings.is_empty() {
                    continue;
                }
                let label = step
                    .get("id")
                    .or_else(|| step.get("name"))
                    .and_then(|n| n.scalar())
                    .map(|s| format!("jobs.{}.steps.{s}", job.key))
                    .unwrap_or_else(|| format!("jobs.{}.steps[{i}]", job.key));
                let mut p = self.profile(
                    label,
                    step.span,
                    vec![Parent {
                        target: ParentRef::Local(job_idx),
                        span: None,
                    }],
                );
                p.settings = settings;
                if self.push(p).is_none() {
                    return;
                }
            }
        }
    }

    // --- GitLab CI --------------------------------------------------------

    fn gitlab_variables(vars: &Node) -> Vec<Setting> {
        vars.entries()
            .iter()
            .filter_map(|e| {
                // `KEY: {value: …, description: …}`
                if let Some(v) = e.value.entry("value") {
                    let mut s = Self::setting(&e.key, v, Interp::Shell, None, true)?;
                    s.span = entry_span(e);
                    return Some(s);
                }
                Self::setting(&e.key, e, Interp::Shell, None, true)
            })
            .collect()
    }

    fn gitlab(&mut self, doc: &Node) {
        let mut global = self.profile(
            "variables".into(),
            doc.entry("variables").map(|e| e.key_span).unwrap_or(doc.span),
            Vec::new(),
        );
        if let Some(v) = doc.get("variables") {
            global.settings = Self::gitlab_variables(v);
        }
        let Some(g) = self.push(global) else { return };
        for job in doc.entries() {
            if GITLAB_KEYWORDS.contains(&job.key.as_str()) || !job.value.is_map() {
                continue;
            }
            let mut parents = vec![Parent {
                target: ParentRef::Local(g),
                span: None,
            }];
            if let Some(ext) = job.value.entry("extends") {
                let names: Vec<&str> = match &ext.value.kind {
                    NodeKind::Scalar(s) => vec![s.as_str()],
                    NodeKind::Seq(v) => v.iter().filter_map(|n| n.scalar()).collect(),
                    _ => Vec::new(),
                };
                for n in names {
                    parents.push(Parent {
                        target: ParentRef::Named(n.to_string()),
                        span: Some(entry_span(ext)),
                    });
                }
            }
            let mut p = self.profile(job.key.clone(), job.key_span, parents);
            p.template = self.template || job.key.starts_with('.');
            if let Some(v) = job.value.get("variables") {
                p.settings = Self::gitlab_variables(v);
            }
            if self.push(p).is_none() {
                return;
            }
        }
    }

    // --- compose ----------------------------------------------------------

    fn compose(&mut self, doc: &Node) {
        let Some(services) = doc.get("services") else { return };
        let dir = dir_of(self.path);
        for svc in services.entries() {
            let mut parents = Vec::new();
            if let Some(ef) = svc.value.entry("env_file") {
                let files: Vec<&Node> = match &ef.value.kind {
                    NodeKind::Seq(v) => v.iter().collect(),
                    _ => vec![&ef.value],
                };
                for f in files {
                    let p = f.scalar().or_else(|| f.get("path").and_then(|p| p.scalar()));
                    if let Some(p) = p {
                        parents.push(Parent {
                            target: ParentRef::File(normalize(&format!("{dir}{p}"))),
                            span: Some(f.span),
                        });
                    }
                }
            }
            let mut p = self.profile(format!("services.{}", svc.key), svc.key_span, parents);
            if let Some(env) = svc.value.get("environment") {
                match &env.kind {
                    NodeKind::Map(_) => p.settings = Self::map_settings(env, Interp::Shell, None, true),
                    NodeKind::Seq(items) => {
                        for it in items {
                            let Some(s) = it.scalar() else { continue };
                            let (k, value) = match s.split_once('=') {
                                Some((k, v)) => (k.trim(), value_expr(v, it.span, Interp::Shell, None)),
                                // `- KEY`: passed through from the shell.
                                None => (s.trim(), Expr::new(ExprKind::Env(s.trim().to_string().into()), it.span)),
                            };
                            p.settings.push(Setting {
                                key: k.to_string(),
                                value,
                                span: it.span,
                                env: true,
                                via: it.via,
                            });
                        }
                    }
                    _ => {}
                }
            }
            if self.push(p).is_none() {
                return;
            }
        }
    }

    // --- Kubernetes -------------------------------------------------------

    fn kubernetes(&mut self, doc: &Node) {
        let kind = doc.get("kind").and_then(|k| k.scalar()).unwrap_or("").to_string();
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| n.scalar())
            .unwrap_or("")
            .to_string();
        if matches!(kind.as_str(), "ConfigMap" | "Secret") {
            let mut p = self.profile(format!("{kind}/{name}"), doc.span, Vec::new());
            for section in ["data", "stringData"] {
                if let Some(d) = doc.get(section) {
                    p.settings.extend(Self::map_settings(d, Interp::None, None, false));
                }
            }
            self.push(p);
            return;
        }
        let mut containers = Vec::new();
        find_containers(doc, 0, &self.nesting, &mut containers);
        for c in containers {
            let cname = c.get("name").and_then(|n| n.scalar()).unwrap_or("container");
            let mut p = self.profile(format!("{kind}/{name}/{cname}"), c.span, Vec::new());
            for item in c.get("env").map(Node::items).unwrap_or(&[]) {
                let Some(key) = item.get("name").and_then(|n| n.scalar()) else {
                    continue;
                };
                let value = if let Some(v) = item.get("value") {
                    value_expr(scalar_text(v).unwrap_or(""), v.span, Interp::Shell, None)
                } else if let Some(r) = item
                    .get("valueFrom")
                    .and_then(|v| v.get("secretKeyRef").or_else(|| v.get("configMapKeyRef")))
                {
                    let secret = r.get("name").and_then(|n| n.scalar()).unwrap_or("");
                    let key = r.get("key").and_then(|n| n.scalar()).unwrap_or("");
                    let what = if item.get("valueFrom").and_then(|v| v.get("secretKeyRef")).is_some() {
                        "k8s-secret"
                    } else {
                        "k8s-configmap"
                    };
                    Expr::new(ExprKind::Secret(format!("{what}:{secret}/{key}").into()), r.span)
                } else {
                    Expr::unknown(item.span)
                };
                p.settings.push(Setting {
                    key: key.to_string(),
                    value,
                    span: item.span,
                    env: true,
                    via: item.via,
                });
            }
            if self.push(p).is_none() {
                return;
            }
        }
    }

    // --- Postman ----------------------------------------------------------

    fn postman_environment(&mut self, doc: &Node) {
        let name = doc
            .get("name")
            .and_then(|n| n.scalar())
            .map(str::to_string)
            .unwrap_or_else(|| file_name(self.path).to_string());
        let span = doc.entry("name").map(|e| e.key_span).unwrap_or(doc.span);
        let mut p = self.profile(name, span, Vec::new());
        p.settings = postman_settings(doc.get("values"));
        self.push(p);
    }

    /// A collection: its variables are a profile, each request a call whose
    /// URL and headers (and the nearest `auth`) read Postman variables.
    fn postman_collection(&mut self, doc: &Node, calls: &mut Vec<CallSite>) {
        let span = doc.entry("variable").map(|e| e.key_span).unwrap_or(doc.span);
        let mut p = self.profile("collection".into(), span, Vec::new());
        p.settings = postman_settings(doc.get("variable"));
        self.push(p);
        self.postman_items(doc, doc.get("auth"), 0, calls);
    }

    fn postman_items<'n>(&self, n: &'n Node, auth: Option<&'n Node>, depth: usize, calls: &mut Vec<CallSite>) {
        if self.nesting.too_deep(depth) || calls.len() > MAX_PROFILES {
            return;
        }
        for it in n.get("item").map(Node::items).unwrap_or(&[]) {
            let Some(req) = it.get("request") else {
                // A folder: its auth applies to its requests.
                self.postman_items(it, it.get("auth").or(auth), depth + 1, calls);
                continue;
            };
            let url = req
                .get("url")
                .and_then(|u| u.scalar().or_else(|| u.get("raw").and_then(|r| r.scalar())));
            let Some(url) = url else { continue };
            let url_node = req.get("url").expect("checked above");
            let mut args = vec![Arg {
                name: Some("url".into()),
                value: namespace_postman(value_expr(url, url_node.span, Interp::Postman, None)),
            }];
            let mut headers = Vec::new();
            for h in req.get("header").map(Node::items).unwrap_or(&[]) {
                if h.get("disabled").and_then(|d| d.scalar()) == Some("true") {
                    continue;
                }
                if let (Some(k), Some(v)) = (h.get("key").and_then(|k| k.scalar()), h.get("value")) {
                    let value =
                        namespace_postman(value_expr(scalar_text(v).unwrap_or(""), v.span, Interp::Postman, None));
                    headers.push((Expr::new(ExprKind::Str(k.to_string().into()), h.span), value));
                }
            }
            if !headers.is_empty() {
                args.push(Arg {
                    name: Some("headers".into()),
                    value: Expr::new(ExprKind::Dict(headers.into()), req.span),
                });
            }
            // `auth: {type: bearer, bearer: [{key: token, value: "{{t}}"}]}`
            if let Some(a) = req.get("auth").or(auth) {
                let kind = a.get("type").and_then(|t| t.scalar()).unwrap_or("");
                for kv in a.get(kind).map(Node::items).unwrap_or(&[]) {
                    if let (Some(k), Some(v)) = (kv.get("key").and_then(|k| k.scalar()), kv.get("value")) {
                        args.push(Arg {
                            name: Some(k.to_string().into()),
                            value: namespace_postman(value_expr(
                                scalar_text(v).unwrap_or(""),
                                v.span,
                                Interp::Postman,
                                None,
                            )),
                        });
                    }
                }
            }
            let span = it.entry("request").map(|e| e.key_span).unwrap_or(req.span);
            let call = Call {
                callee: Expr::new(ExprKind::Name("request".into()), span),
                args: args.into(),
                is_new: false,
            };
            calls.push(CallSite {
                scope: 0,
                expr: Expr::new(ExprKind::Call(std::sync::Arc::new(call)), span),
                statement: false,
            });
        }
    }

    // --- Serverless Framework ------------------------------------------------

    /// Serverless stages: `provider.environment` values that pick a
    /// `custom` entry by the stage (`${self:custom.${sls:stage}.apiDomain}`)
    /// make one profile per stage found there, each introduced at its
    /// `custom.<stage>` key. False when no value depends on the stage.
    fn serverless(&mut self, doc: &Node) -> bool {
        let Some(env) = doc.get("provider").and_then(|p| p.get("environment")) else {
            return false;
        };
        let entries: Vec<(&Entry, String)> = env
            .entries()
            .iter()
            .filter_map(|e| e.value.scalar().map(|t| (e, stage_marked(t))))
            .collect();
        // Stage name → the key that introduces it.
        let mut stages: Vec<(String, Span)> = Vec::new();
        for (_, text) in &entries {
            let mut rest = text.as_str();
            while let Some(pos) = rest.find("${self:custom.") {
                let inner = &rest[pos + 7..];
                let end = inner.find('}').unwrap_or(inner.len());
                let path = &inner[..end];
                if let Some((before, _)) = path.split_once(STAGE) {
                    let map = dotted(doc, before.trim_end_matches('.'));
                    for e in map.map(Node::entries).unwrap_or(&[]) {
                        if (e.value.is_map() || e.value.scalar().is_some()) && !stages.iter().any(|(n, _)| n == &e.key)
                        {
                            stages.push((e.key.clone(), e.key_span));
                        }
                    }
                }
                rest = &inner[end..];
            }
        }
        if stages.is_empty() {
            return false;
        }
        for (stage, span) in stages {
            let mut p = self.profile(format!("stages.{stage}"), span, Vec::new());
            for (e, text) in &entries {
                let resolved = resolve_self(doc, &text.replace(STAGE, &stage));
                p.settings.push(Setting {
                    key: e.key.clone(),
                    value: serverless_value(&resolved, e.value.span),
                    span: entry_span(e),
                    env: true,
                    via: Some(span),
                });
            }
            if self.push(p).is_none() {
                break;
            }
        }
        true
    }

    // --- Kustomize -------------------------------------------------------------

    /// A kustomization is one profile: it inherits the kustomizations of
    /// the directories it lists under `resources:` (an overlay its base),
    /// then its generators' env files; generator `literals:` are its env vars.
    fn kustomization(&mut self, doc: &Node) {
        let dir = dir_of(self.path);
        let mut parents = Vec::new();
        for key in ["resources", "bases", "components"] {
            for item in doc.get(key).map(Node::items).unwrap_or(&[]) {
                let Some(r) = item.scalar() else { continue };
                let lower = r.to_ascii_lowercase();
                // Files are manifests; a directory (or `../base`) holds a kustomization.
                if lower.contains("://") || [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e)) {
                    continue;
                }
                for name in ["kustomization.yaml", "kustomization.yml"] {
                    parents.push(Parent {
                        target: ParentRef::File(normalize(&format!("{dir}{r}/{name}"))),
                        span: Some(item.span),
                    });
                }
            }
        }
        let mut settings = Vec::new();
        for key in ["configMapGenerator", "secretGenerator"] {
            for g in doc.get(key).map(Node::items).unwrap_or(&[]) {
                let envs = g.get("envs").map(Node::items).unwrap_or(&[]);
                let files: Vec<&Node> = envs.iter().chain(g.get("env")).collect();
                for f in files {
                    if let Some(p) = f.scalar() {
                        parents.push(Parent {
                            target: ParentRef::File(normalize(&format!("{dir}{p}"))),
                            span: Some(f.span),
                        });
                    }
                }
                for lit in g.get("literals").map(Node::items).unwrap_or(&[]) {
                    let Some((k, v)) = lit.scalar().and_then(|t| t.split_once('=')) else {
                        continue;
                    };
                    settings.push(Setting {
                        key: k.trim().to_string(),
                        value: value_expr(v.trim(), lit.span, Interp::None, None),
                        span: lit.span,
                        env: true,
                        via: None,
                    });
                }
            }
        }
        let span = doc.entries().first().map(|e| e.key_span).unwrap_or(doc.span);
        let mut p = self.profile(file_name(self.path).to_string(), span, parents);
        p.settings = settings;
        self.push(p);
    }

    // --- launch profiles (launchSettings.json) --------------------------------

    /// Each launch profile: its env vars, inheriting the files its selector
    /// var names (`ASPNETCORE_ENVIRONMENT: Sandbox` → `appsettings.json`,
    /// `appsettings.Sandbox.json`).
    fn launch_profiles(&mut self, doc: &Node, sel: &super::systems::SelectorDef) {
        let Some(profiles) = doc.get(&sel.profiles) else { return };
        for lp in profiles.entries() {
            let env = lp.value.get(&sel.env);
            let selected = env.and_then(|m| {
                sel.select
                    .iter()
                    .find_map(|k| m.get(k).and_then(|v| v.scalar()))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            });
            // Unset, the framework runs its production settings.
            let parents = sel
                .parents_for(self.path, selected.unwrap_or("Production"))
                .into_iter()
                .map(|f| Parent {
                    target: ParentRef::File(f),
                    span: None,
                })
                .collect();
            let mut p = self.profile(format!("{}.{}", sel.profiles, lp.key), lp.key_span, parents);
            for e in env.map(Node::entries).unwrap_or(&[]) {
                let config_key = sel.separator.as_deref().filter(|s| e.key.contains(*s));
                let key = match config_key {
                    Some(s) => e.key.replace(s, "."),
                    None => e.key.clone(),
                };
                if let Some(s) = Self::setting(&key, e, Interp::None, None, config_key.is_none()) {
                    p.settings.push(s);
                }
            }
            if self.push(p).is_none() {
                return;
            }
        }
    }

    // --- whole-file profiles -------------------------------------------------

    fn profile_file(&mut self, doc: &Node, multi: bool) {
        let name = file_name(self.path).to_string();
        // Spring multi-document YAML: a document per profile.
        let spring_profile = ["spring.config.activate.on-profile", "spring.profiles"]
            .iter()
            .find_map(|k| dotted(doc, k).and_then(|n| n.scalar()).map(str::to_string));
        let (pname, parents) = match spring_profile {
            Some(sp) if multi => (
                format!("{name}#{sp}"),
                vec![Parent {
                    target: ParentRef::Local(0),
                    span: None,
                }],
            ),
            _ if multi && !self.out.is_empty() => (format!("{name}#{}", self.out.len()), Vec::new()),
            _ => (name, file_parents(self.path)),
        };
        // A document's profile is introduced where it is named.
        let named = ["spring.config.activate.on-profile", "spring.profiles"]
            .iter()
            .find_map(|k| dotted_entry(doc, k))
            .filter(|_| multi)
            .map(|e| e.key_span);
        let span = named
            .or_else(|| doc.entries().first().map(|e| e.key_span))
            .unwrap_or(doc.span);
        let mut p = self.profile(pname, span, parents);
        let mut settings = Vec::new();
        self.flatten(doc, String::new(), 0, &mut settings);
        p.settings = settings;
        self.push(p);
    }

    fn flatten(&self, n: &Node, prefix: String, depth: usize, out: &mut Vec<Setting>) {
        if self.nesting.too_deep(depth) || out.len() > super::MAX_SETTINGS {
            return;
        }
        for e in n.entries() {
            let key = if prefix.is_empty() {
                e.key.clone()
            } else {
                format!("{prefix}.{}", e.key)
            };
            // node-config: `key: ENV_NAME` or `key: {__name: ENV_NAME, __format: json}`.
            let named = match (&e.value.kind, self.env_names) {
                (NodeKind::Map(_), true) => e.value.get("__name").and_then(|n| n.scalar()),
                (NodeKind::Scalar(s), true) => Some(s.as_str()),
                _ => None,
            };
            if let Some(name) = named.map(str::trim).filter(|n| !n.is_empty()) {
                out.push(Setting {
                    key,
                    value: Expr::new(ExprKind::Env(name.to_string().into()), e.value.span),
                    span: entry_span(e),
                    env: false,
                    via: e.via.or(e.value.via),
                });
                continue;
            }
            match &e.value.kind {
                NodeKind::Map(_) => self.flatten(&e.value, key, depth + 1, out),
                _ => {
                    if let Some(s) = Self::setting(&key, e, Interp::Placeholder, None, false) {
                        out.push(s);
                    }
                }
            }
        }
    }

    // --- generic config -----------------------------------------------------

    /// Every mapping with settings is a profile inheriting the nearest
    /// enclosing one; the root is always one (named after the file).
    fn sections(&mut self, n: &Node, name: String, parent: Option<usize>, header: Span, depth: usize, interp: Interp) {
        if self.nesting.too_deep(depth) || self.truncated {
            return;
        }
        match &n.kind {
            NodeKind::Map(entries) => {
                let settings: Vec<Setting> = entries
                    .iter()
                    .filter(|e| !matches!(e.value.kind, NodeKind::Map(_) | NodeKind::Seq(_)))
                    .filter_map(|e| Self::setting(&e.key, e, interp, None, false))
                    .collect();
                let me = if !settings.is_empty() || parent.is_none() {
                    let pname = if name.is_empty() {
                        file_name(self.path).to_string()
                    } else {
                        name.clone()
                    };
                    let parents = match parent {
                        Some(p) => vec![Parent {
                            target: ParentRef::Local(p),
                            span: n.via,
                        }],
                        None => Vec::new(),
                    };
                    let mut p = self.profile(pname, header, parents);
                    p.settings = settings;
                    self.push(p).or(parent)
                } else {
                    parent
                };
                for e in entries {
                    if matches!(e.value.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                        let child = if name.is_empty() {
                            e.key.clone()
                        } else {
                            format!("{name}.{}", e.key)
                        };
                        self.sections(&e.value, child, me, e.key_span, depth + 1, interp);
                    }
                }
            }
            NodeKind::Seq(items) => {
                for (i, it) in items.iter().enumerate() {
                    self.sections(it, format!("{name}[{i}]"), parent, it.span, depth + 1, interp);
                }
            }
            _ => {}
        }
    }
}

/// Postman `[{key, value, enabled}]` variables (environment `values`,
/// collection `variable`) as settings; disabled ones are left out.
fn postman_settings(list: Option<&Node>) -> Vec<Setting> {
    let mut out = Vec::new();
    for v in list.map(Node::items).unwrap_or(&[]) {
        if v.get("enabled").and_then(|e| e.scalar()) == Some("false") {
            continue;
        }
        let (Some(key), Some(val)) = (v.get("key").and_then(|k| k.scalar()), v.entry("value")) else {
            continue;
        };
        if let Some(mut s) = Lowering::setting(&postman_var(key), val, Interp::Postman, None, true) {
            s.span = v.span;
            s.value = namespace_postman(s.value);
            out.push(s);
        }
    }
    out
}

/// Postman variables live in their own namespace beside process env vars:
/// `{{token}}` is `postman:token`.
fn postman_var(name: &str) -> String {
    format!("postman:{name}")
}

fn namespace_postman(e: Expr) -> Expr {
    let kind = match e.kind {
        ExprKind::Env(n) => ExprKind::Env(postman_var(&n).into()),
        ExprKind::Concat(parts) => ExprKind::Concat(parts.into_vec().into_iter().map(namespace_postman).collect()),
        ExprKind::Alt { cond, alts } => ExprKind::Alt {
            cond,
            alts: alts.into_iter().map(namespace_postman).collect(),
        },
        k => k,
    };
    Expr { kind, span: e.span }
}

/// Where a Serverless value names the stage.
const STAGE: &str = "@stage@";

/// A Serverless value with its stage variables (`${sls:stage}`,
/// `${opt:stage, 'dev'}`, `${self:provider.stage}`) written [`STAGE`].
fn stage_marked(text: &str) -> String {
    let mut out = text.to_string();
    for v in ["${sls:stage}", "${self:provider.stage}", "${opt:stage}"] {
        out = out.replace(v, STAGE);
    }
    while let Some(pos) = out.find("${opt:stage,") {
        match out[pos..].find('}') {
            Some(end) => out.replace_range(pos..pos + end + 1, STAGE),
            None => break,
        }
    }
    out
}

/// `${self:custom.a.b}` replaced by the scalar at `custom.a.b` (a few rounds).
fn resolve_self(doc: &Node, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..4 {
        let Some(pos) = out.find("${self:") else { break };
        let Some(end) = out[pos..].find('}').map(|e| pos + e) else {
            break;
        };
        let path = out[pos + 7..end].to_string();
        let value = dotted(doc, &path).and_then(|n| n.scalar()).unwrap_or("").to_string();
        out.replace_range(pos..=end, &value);
    }
    out
}

/// A resolved Serverless value: text, `${ssm:…}` / `${aws:…}` parameters
/// (one secret each), `${env:X}` env reads.
fn serverless_value(text: &str, span: Span) -> Expr {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("${") {
        if pos > 0 {
            parts.push(Expr::new(ExprKind::Str(rest[..pos].to_string().into()), span));
        }
        let Some(end) = rest[pos..].find('}').map(|e| pos + e) else {
            rest = &rest[pos..];
            break;
        };
        let inner = rest[pos + 2..end].trim();
        let e = match inner.split_once(':') {
            Some(("env", n)) => ExprKind::Env(n.split(',').next().unwrap_or("").trim().to_string().into()),
            Some((kind @ ("ssm" | "aws" | "secretsmanager" | "s3"), r)) => {
                ExprKind::Secret(format!("{kind}:{}", r.split(',').next().unwrap_or("").trim()).into())
            }
            _ => ExprKind::Unknown,
        };
        parts.push(Expr::new(e, span));
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Expr::new(ExprKind::Str(rest.to_string().into()), span));
    }
    match parts.len() {
        0 => Expr::new(ExprKind::Str(String::new().into()), span),
        1 => parts.pop().expect("one part"),
        _ => Expr::new(ExprKind::Concat(parts.into()), span),
    }
}

/// The entry of `a.b.c`, through nested maps or as a literal dotted key.
fn dotted_entry<'a>(n: &'a Node, path: &str) -> Option<&'a Entry> {
    if let Some(e) = n.entry(path) {
        return Some(e);
    }
    let (head, rest) = path.split_once('.')?;
    dotted_entry(n.get(head)?, rest)
}

/// `a.b.c` looked up through nested maps, or as a literal dotted key.
fn dotted<'a>(n: &'a Node, path: &str) -> Option<&'a Node> {
    if let Some(v) = n.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    dotted(n.get(head)?, rest)
}

fn find_containers<'a>(n: &'a Node, depth: usize, nesting: &Nesting, out: &mut Vec<&'a Node>) {
    if nesting.too_deep(depth) {
        return;
    }
    for e in n.entries() {
        if matches!(e.key.as_str(), "containers" | "initContainers") {
            out.extend(e.value.items().iter().filter(|c| c.is_map()));
        } else if e.value.is_map() {
            find_containers(&e.value, depth + 1, nesting, out);
        }
    }
}

/// `a/./b/../c` → `a/c`. An absolute path stays absolute (a scan of
/// `/abs/dir` shows its files as `/abs/dir/…`), and a `..` above the start
/// stays (`a/../../x` is `../x`, not `x`: another file).
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if p.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::assert_lowers;

    #[test]
    fn normalize_keeps_absolute_paths_and_parents_above_the_start() {
        for (path, want) in [
            ("a/./b/../c", "a/c"),
            ("/abs/dir/./prod.env", "/abs/dir/prod.env"),
            ("svc/../../shared.env", "../shared.env"),
            ("./x", "x"),
        ] {
            assert_eq!(super::normalize(path), want);
        }
    }

    /// Each dialect's profiles, parents and settings.
    #[test]
    fn dialects_lower_into_profiles() {
        assert_lowers(&[
            // GitHub Actions: the workflow, its jobs and steps; secrets per environment.
            (
                ".github/workflows/deploy.yml",
                "env:\n  A: 1\njobs:\n  sb:\n    environment: sandbox\n    env:\n      T: ${{ secrets.ZOHO }}\n    steps:\n      - run: x\n        env:\n          B: 2\n  prod:\n    env:\n      T: ${{ secrets.ZOHO }}\n",
                &[
                    "workflow@1",
                    "  A = \"1\"@2",
                    "jobs.sb@4 < Local(0)",
                    "  T = secret:sandbox/ZOHO@7",
                    "jobs.sb.steps[0]@9 < Local(1)",
                    "  B = \"2\"@11",
                    "jobs.prod@12 < Local(0)",
                    "  T = secret:ZOHO@14",
                ],
            ),
            // GitLab CI: `extends:` and hidden jobs (templates).
            (
                ".gitlab-ci.yml",
                "variables:\n  T: $ZOHO_TOKEN\n.base:\n  variables:\n    D: x\nsb:\n  extends: .base\n  variables:\n    D: y\nstages: [a]\n",
                &[
                    "variables@1",
                    "  T = env:ZOHO_TOKEN@2",
                    ".base@3 template < Local(0)",
                    "  D = \"x\"@5",
                    "sb@6 < Local(0) < Named(\".base\")@7",
                    "  D = \"y\"@9",
                ],
            ),
            // Compose services: `env_file:` and `environment:` as a list.
            (
                "deploy/docker-compose.yml",
                "services:\n  a:\n    env_file: ../.env.sandbox\n    environment:\n      - T=${TOKEN}\n      - PASS\n  b:\n    environment:\n      T: x\n",
                &[
                    "services.a@2 < File(\".env.sandbox\")@3",
                    "  T = env:TOKEN@5",
                    "  PASS = env:PASS@6",
                    "services.b@7",
                    "  T = \"x\"@9",
                ],
            ),
            // Kubernetes: a container's env, secret references.
            (
                "k8s/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: crm\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: T\n              valueFrom:\n                secretKeyRef: {name: zoho, key: token}\n            - name: D\n              value: https://www.zohoapis.com\n",
                &[
                    "Deployment/crm/app@9",
                    "  T = k8s-secret:zoho/token@11",
                    "  D = \"https://www.zohoapis.com\"@14",
                ],
            ),
            // Serverless: a profile per stage of `custom`.
            (
                "svc/serverless.yml",
                "provider:\n  environment:\n    D: ${self:custom.${opt:stage, 'dev'}.d}\n    T: ${ssm:/t/${sls:stage}}\ncustom:\n  dev:\n    d: x\n  prod:\n    d: y\n",
                &[
                    "stages.dev@6",
                    "  D = \"x\"@3",
                    "  T = ssm:/t/dev@4",
                    "stages.prod@8",
                    "  D = \"y\"@3",
                    "  T = ssm:/t/prod@4",
                ],
            ),
            // Kustomize overlays: resources and env files are parents.
            (
                "k/overlays/sb/kustomization.yaml",
                "resources:\n  - ../../base\n  - svc.yaml\nconfigMapGenerator:\n  - name: c\n    envs: [sb.env]\n    literals: [A=b]\n",
                &[
                    "kustomization.yaml@1 < File(\"k/base/kustomization.yaml\")@2 < File(\"k/base/kustomization.yml\")@2 < File(\"k/overlays/sb/sb.env\")@6",
                    "  A = \"b\"@7",
                ],
            ),
            // Generic sections and files; launch and Postman environments.
            (
                "zoho.toml",
                "[zoho]\ntoken = \"t\"\n[zoho.sandbox]\napi = \"s\"\n[zoho.prod]\napi = \"p\"\n",
                &[
                    "zoho.toml@1",
                    "zoho@1 < Local(0)",
                    "  token = \"t\"@2",
                    "zoho.sandbox@3 < Local(1)",
                    "  api = \"s\"@4",
                    "zoho.prod@5 < Local(1)",
                    "  api = \"p\"@6",
                ],
            ),
            (
                "src/appsettings.Development.json",
                "{\"Zoho\": {\"Token\": \"t\"}}",
                &[
                    "appsettings.Development.json@1 < File(\"src/appsettings.json\")",
                    "  Zoho.Token = \"t\"@1",
                ],
            ),
            (
                "package.json",
                "{\"zoho\": {\"a\": \"b\"}}",
                &[],
            ),
            (
                "pm/sb.postman_environment.json",
                "{\"name\": \"Sandbox\", \"values\": [{\"key\": \"t\", \"value\": \"x\", \"enabled\": true}]}",
                &[
                    "Sandbox@1",
                    "  postman:t = \"x\"@1",
                ],
            ),
        ]);
    }
}
