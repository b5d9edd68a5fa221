//! Ordinary code and configuration unrelated to Zoho: plausible classes,
//! functions and HTTP calls to other APIs, with words close to orgtoken's
//! triggers (zone, zohar, horizon, oauth, sandbox, refresh_token) but never a
//! trigger itself (checked by a test against orgtoken's prefilter).

use std::fmt::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const WORDS: &[&str] = &[
    "order",
    "invoice",
    "customer",
    "payment",
    "shipment",
    "ledger",
    "report",
    "account",
    "cart",
    "catalog",
    "profile",
    "session",
    "audit",
    "billing",
    "coupon",
    "refund",
    "warehouse",
    "parcel",
    "route",
    "tenant",
    "user",
    "team",
    "project",
    "ticket",
    "search",
    "metric",
    "event",
    "webhook",
    "export",
    "import",
    "price",
    "tax",
    "zone",
    "horizon",
    "zohar",
    "ozone",
    "timezone",
    "oauth",
    "sandbox",
    "staging",
    "region",
    "quota",
    "cache",
    "queue",
    "worker",
    "notify",
    "mailer",
    "upload",
    "image",
    "thumbnail",
    "feed",
    "rating",
    "review",
];
const VERBS: &[&str] = &[
    "get", "load", "fetch", "build", "sync", "push", "update", "create", "delete", "render", "resolve", "parse",
    "validate", "apply", "compute", "refresh", "retry", "flush", "merge", "split", "encode", "decode",
];
/// Other providers' APIs (never Zoho's).
const HOSTS: &[&str] = &[
    "https://api.stripe.com/v1",
    "https://api.github.com",
    "https://hooks.slack.com/services",
    "https://api.sendgrid.com/v3",
    "https://graph.microsoft.com/v1.0",
    "https://oauth2.googleapis.com",
    "https://api.hubapi.com/crm/v3",
    "https://login.salesforce.com/services/oauth2",
    "https://api.twilio.com/2010-04-01",
    "https://api.horizon-logistics.io/v2",
    "https://zone.example.net/api",
    "https://sandbox.paypal.com/v2",
];

pub struct Names {
    services: Vec<String>,
    apps: Vec<String>,
}

impl Names {
    pub fn new(rng: &mut ChaCha8Rng, files: usize) -> Self {
        let services = (0..(files / 80).max(4))
            .map(|i| {
                format!(
                    "{}-{}{}",
                    pick(rng, WORDS),
                    pick(rng, &["svc", "api", "worker", "gateway", "service"]),
                    i
                )
            })
            .collect();
        let apps = (0..(files / 2500).max(2))
            .map(|i| format!("{}-app{i}", pick(rng, WORDS)))
            .collect();
        Names { services, apps }
    }
    pub fn services(&self) -> &[String] {
        &self.services
    }
    pub fn apps(&self) -> &[String] {
        &self.apps
    }
    pub fn pick<'a>(&self, rng: &mut ChaCha8Rng, from: &'a [String]) -> &'a str {
        &from[rng.random_range(0..from.len())]
    }
    pub fn word(&self, rng: &mut ChaCha8Rng) -> String {
        pick(rng, WORDS).to_string()
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, from: &[&'a str]) -> &'a str {
    from[rng.random_range(0..from.len())]
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// A random identifier pieces: (snake, Camel, camel) of `verb_noun_noun`.
fn ident(rng: &mut ChaCha8Rng) -> (String, String, String) {
    let (v, a, b) = (pick(rng, VERBS), pick(rng, WORDS), pick(rng, WORDS));
    let n: u16 = rng.random_range(0..1000);
    (
        format!("{v}_{a}_{b}{n}"),
        format!("{}{}{}{n}", cap(v), cap(a), cap(b)),
        format!("{v}{}{}{n}", cap(a), cap(b)),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Python,
    JavaScript,
    TypeScript,
    Java,
    CSharp,
    Php,
    Ruby,
    Go,
    Rust,
    Shell,
    Sql,
    Dotenv,
    Workflow,
    GitlabCi,
    Compose,
    K8s,
    Yaml,
    Postman,
    AppSettings,
    Json,
    Toml,
    Ini,
    Properties,
    Tfvars,
    Markdown,
}

/// Weighted mix of ordinary files (code first, configuration next).
const MIX: &[(Kind, u32)] = &[
    (Kind::Python, 14),
    (Kind::JavaScript, 10),
    (Kind::TypeScript, 12),
    (Kind::Java, 9),
    (Kind::CSharp, 6),
    (Kind::Php, 5),
    (Kind::Ruby, 5),
    (Kind::Go, 8),
    (Kind::Rust, 4),
    (Kind::Shell, 3),
    (Kind::Sql, 3),
    (Kind::Dotenv, 2),
    (Kind::Workflow, 1),
    (Kind::GitlabCi, 1),
    (Kind::Compose, 1),
    (Kind::K8s, 3),
    (Kind::Yaml, 3),
    (Kind::Postman, 1),
    (Kind::AppSettings, 1),
    (Kind::Json, 3),
    (Kind::Toml, 1),
    (Kind::Ini, 1),
    (Kind::Properties, 1),
    (Kind::Tfvars, 1),
    (Kind::Markdown, 3),
];

impl Kind {
    pub fn pick(rng: &mut ChaCha8Rng) -> Kind {
        let total: u32 = MIX.iter().map(|m| m.1).sum();
        let mut x = rng.random_range(0..total);
        for (k, w) in MIX {
            if x < *w {
                return *k;
            }
            x -= w;
        }
        unreachable!("weights cover the range")
    }

    pub fn is_code(self) -> bool {
        matches!(
            self,
            Kind::Python
                | Kind::JavaScript
                | Kind::TypeScript
                | Kind::Java
                | Kind::CSharp
                | Kind::Php
                | Kind::Ruby
                | Kind::Go
                | Kind::Rust
                | Kind::Shell
        )
    }

    /// The code kind of a fixture file, by extension.
    pub fn for_path(path: &str) -> Option<Kind> {
        let ext = path.rsplit_once('.')?.1;
        Some(match ext {
            "py" => Kind::Python,
            "js" | "mjs" | "cjs" | "jsx" => Kind::JavaScript,
            "ts" | "tsx" => Kind::TypeScript,
            "java" => Kind::Java,
            "cs" => Kind::CSharp,
            "php" => Kind::Php,
            "rb" => Kind::Ruby,
            "go" => Kind::Go,
            "rs" => Kind::Rust,
            "sh" => Kind::Shell,
            _ => return None,
        })
    }

    pub fn all() -> impl Iterator<Item = Kind> {
        MIX.iter().map(|m| m.0)
    }
}

/// Where an ordinary file of `kind` goes; `i` keeps paths unique.
pub fn path_for(kind: Kind, rng: &mut ChaCha8Rng, names: &Names, i: usize) -> String {
    let svc = names.pick(rng, names.services());
    let app = names.pick(rng, names.apps());
    let (snake, camel, _) = ident(rng);
    let w = pick(rng, WORDS);
    let lib = names.pick(rng, names.services());
    match kind {
        Kind::Python => match i % 3 {
            0 => format!("services/{svc}/app/{w}/{snake}_{i}.py"),
            1 => format!("libs/py-{w}/src/{w}/{snake}_{i}.py"),
            _ => format!("services/{svc}/tests/test_{snake}_{i}.py"),
        },
        Kind::JavaScript => format!("web/{app}/src/{w}/{camel}{i}.js"),
        Kind::TypeScript => match i % 2 {
            0 => format!("web/{app}/src/components/{camel}{i}.tsx"),
            _ => format!("libs/ts-{w}/src/{camel}{i}.ts"),
        },
        Kind::Java => format!("services/{svc}/src/main/java/com/acme/{w}/{camel}{i}.java"),
        Kind::CSharp => format!("services/{svc}/src/Acme.{}/{camel}{i}.cs", cap(w)),
        Kind::Php => format!("services/{svc}/app/Http/{}/{camel}{i}.php", cap(w)),
        Kind::Ruby => format!("services/{svc}/app/models/{snake}_{i}.rb"),
        Kind::Go => format!("services/{svc}/internal/{w}/{snake}_{i}.go"),
        Kind::Rust => format!("libs/rs-{w}/src/{snake}_{i}.rs"),
        Kind::Shell => format!("scripts/{w}/{snake}_{i}.sh"),
        Kind::Sql => format!("db/migrations/{:05}_{snake}.sql", i),
        Kind::Dotenv => format!(
            "services/{lib}/config/{i}/.env.{}",
            pick(rng, &["example", "test", "local", "ci"])
        ),
        Kind::Workflow => format!(".github/workflows/{snake}-{i}.yml"),
        Kind::GitlabCi => format!("services/{svc}/ci/{i}/.gitlab-ci.yml"),
        Kind::Compose => format!("deploy/compose/{w}-{i}/docker-compose.yml"),
        Kind::K8s => format!("deploy/k8s/{svc}/{snake}-{i}.yaml"),
        Kind::Yaml => format!("config/{svc}/{snake}_{i}.yaml"),
        Kind::Postman => format!("docs/postman/{camel}{i}.postman_collection.json"),
        Kind::AppSettings => format!("services/{svc}/src/Acme.{}{i}/appsettings.json", cap(w)),
        Kind::Json => format!("config/{svc}/{snake}_{i}.json"),
        Kind::Toml => format!("config/{svc}/{snake}_{i}.toml"),
        Kind::Ini => format!("config/{svc}/{snake}_{i}.ini"),
        Kind::Properties => format!("services/{svc}/src/main/resources/{snake}_{i}.properties"),
        Kind::Tfvars => format!("infra/terraform/{w}/{snake}_{i}.tfvars"),
        Kind::Markdown => format!("docs/{w}/{snake}_{i}.md"),
    }
}

/// Where an ordinary file of `kind` goes inside the monorepo service `svc`
/// (`services/<svc>/…`, nothing outside it); `i` keeps paths unique.
pub fn service_path(kind: Kind, rng: &mut ChaCha8Rng, svc: &str, i: usize) -> String {
    let (snake, camel, _) = ident(rng);
    let w = pick(rng, WORDS);
    let rel = match kind {
        Kind::Python => match i % 3 {
            0 | 1 => format!("app/{w}/{snake}_{i}.py"),
            _ => format!("tests/test_{snake}_{i}.py"),
        },
        Kind::JavaScript => format!("src/{w}/{camel}{i}.js"),
        Kind::TypeScript => format!("src/{w}/{camel}{i}.ts"),
        Kind::Java => format!("src/main/java/com/acme/{w}/{camel}{i}.java"),
        Kind::CSharp => format!("src/Acme.{}/{camel}{i}.cs", cap(w)),
        Kind::Php => format!("app/Http/{}/{camel}{i}.php", cap(w)),
        Kind::Ruby => format!("app/models/{snake}_{i}.rb"),
        Kind::Go => format!("internal/{w}/{snake}_{i}.go"),
        Kind::Rust => format!("src/{w}/{snake}_{i}.rs"),
        Kind::Shell => format!("scripts/{snake}_{i}.sh"),
        Kind::Sql => format!("db/migrations/{i:05}_{snake}.sql"),
        Kind::Dotenv => format!("config/{i}/.env.{}", pick(rng, &["example", "test", "local", "ci"])),
        Kind::Workflow | Kind::GitlabCi => format!("ci/{i}/.gitlab-ci.yml"),
        Kind::Compose => format!("deploy/{w}-{i}/docker-compose.yml"),
        Kind::K8s => format!("deploy/k8s/{snake}-{i}.yaml"),
        Kind::Yaml => format!("config/{snake}_{i}.yaml"),
        Kind::Postman => format!("docs/postman/{camel}{i}.postman_collection.json"),
        Kind::AppSettings => format!("src/Acme.{}{i}/appsettings.json", cap(w)),
        Kind::Json => format!("config/{snake}_{i}.json"),
        Kind::Toml => format!("config/{snake}_{i}.toml"),
        Kind::Ini => format!("config/{snake}_{i}.ini"),
        Kind::Properties => format!("src/main/resources/{snake}_{i}.properties"),
        Kind::Tfvars => format!("infra/{snake}_{i}.tfvars"),
        Kind::Markdown => format!("docs/{snake}_{i}.md"),
    };
    // GitLab CI files keep their kind's content; a workflow's content in a
    // `.gitlab-ci.yml` would be another dialect, so `Workflow` is written as
    // GitLab CI by the caller (`service_kind`).
    format!("services/{svc}/{rel}")
}

/// The kind actually written at [`service_path`]'s path for `kind`.
pub fn service_kind(kind: Kind) -> Kind {
    if kind == Kind::Workflow {
        Kind::GitlabCi
    } else {
        kind
    }
}

/// A monorepo service's name: a word, a role and its index (unique).
pub fn service_name(rng: &mut ChaCha8Rng, i: usize) -> String {
    format!(
        "{}-{}{i:03}",
        pick(rng, WORDS),
        pick(rng, &["svc", "api", "worker", "gateway", "service"])
    )
}

/// The code kinds a monorepo service can be written in (its main language).
pub const SERVICE_LANGUAGES: &[Kind] = &[
    Kind::Python,
    Kind::JavaScript,
    Kind::TypeScript,
    Kind::Java,
    Kind::CSharp,
    Kind::Php,
    Kind::Ruby,
    Kind::Go,
    Kind::Rust,
];

/// A service's build manifest for its main language (no trigger in it).
pub fn service_manifest(kind: Kind, svc: &str) -> (String, String) {
    let (file, text) = match kind {
        Kind::Python => ("pyproject.toml", format!("[project]\nname = \"{svc}\"\nversion = \"0.1.0\"\ndependencies = [\"requests>=2.31\"]\n")),
        Kind::JavaScript | Kind::TypeScript => (
            "package.json",
            format!("{{\n  \"name\": \"@acme/{svc}\",\n  \"version\": \"0.1.0\",\n  \"private\": true,\n  \"dependencies\": {{ \"axios\": \"^1.7.0\" }}\n}}\n"),
        ),
        Kind::Java => (
            "pom.xml",
            format!("<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n  <artifactId>{svc}</artifactId>\n  <version>0.1.0</version>\n</project>\n"),
        ),
        Kind::CSharp => ("Service.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n".to_string()),
        Kind::Php => ("composer.json", format!("{{\n  \"name\": \"acme/{svc}\",\n  \"require\": {{ \"guzzlehttp/guzzle\": \"^7.8\" }}\n}}\n")),
        Kind::Ruby => ("Gemfile", "source \"https://rubygems.org\"\n\ngem \"faraday\", \"~> 2.9\"\n".to_string()),
        Kind::Go => ("go.mod", format!("module github.com/acme/{svc}\n\ngo 1.22\n")),
        _ => ("Cargo.toml", format!("[package]\nname = \"{svc}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")),
    };
    (format!("services/{svc}/{file}"), text)
}

/// A whole ordinary file of about `size` bytes (configuration files are
/// kept smaller, as they are in real repositories).
pub fn file(kind: Kind, rng: &mut ChaCha8Rng, names: &Names, size: usize) -> String {
    let mut s = String::new();
    let size = if kind.is_code() || kind == Kind::Sql || kind == Kind::Markdown {
        size
    } else {
        (size / 4).clamp(300, 40_000)
    };
    header(kind, rng, &mut s);
    while s.len() < size {
        block(kind, rng, names, &mut s);
    }
    footer(kind, &mut s);
    s
}

/// Appends ordinary code after a fixture's lines (line numbers unchanged).
pub fn append_code(kind: Kind, rng: &mut ChaCha8Rng, names: &Names, text: &mut String, size: usize) {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if kind == Kind::Php && text.trim_end().ends_with("?>") {
        text.push_str("<?php\n");
    }
    text.push('\n');
    let target = text.len() + size;
    while text.len() < target {
        block(kind, rng, names, text);
    }
}

fn header(kind: Kind, rng: &mut ChaCha8Rng, s: &mut String) {
    let w = pick(rng, WORDS);
    match kind {
        Kind::Python => s.push_str("\"\"\"Service helpers.\"\"\"\nimport json\nimport logging\n\nimport requests\n\nlog = logging.getLogger(__name__)\n\n"),
        Kind::JavaScript => s.push_str("'use strict';\nconst axios = require('axios');\n\n"),
        Kind::TypeScript => s.push_str("import axios from \"axios\";\n\nexport type Json = Record<string, unknown>;\n\n"),
        Kind::Java => { let _ = write!(s, "package com.acme.{w};\n\nimport java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\nimport java.util.List;\nimport java.util.Map;\n\n"); }
        Kind::CSharp => { let _ = write!(s, "using System.Net.Http;\nusing System.Threading.Tasks;\n\nnamespace Acme.{};\n\n", cap(w)); }
        Kind::Php => { let _ = write!(s, "<?php\n\nnamespace App\\{};\n\nuse GuzzleHttp\\Client;\n\n", cap(w)); }
        Kind::Ruby => s.push_str("# frozen_string_literal: true\n\nrequire \"net/http\"\nrequire \"json\"\n\n"),
        Kind::Go => { let _ = write!(s, "package {w}\n\nimport (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"net/http\"\n)\n\n"); }
        Kind::Rust => s.push_str("use std::collections::BTreeMap;\n\nuse serde::{Deserialize, Serialize};\n\n"),
        Kind::Shell => s.push_str("#!/usr/bin/env bash\nset -euo pipefail\n\n"),
        Kind::Sql => s.push_str("-- migration\nBEGIN;\n\n"),
        Kind::Workflow => { let _ = write!(s, "name: {w}\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n"); }
        Kind::GitlabCi => s.push_str("stages: [build, test, deploy]\nvariables:\n  DOCKER_DRIVER: overlay2\n"),
        Kind::Compose => s.push_str("services:\n"),
        Kind::K8s => {}
        Kind::Postman => { let _ = write!(s, "{{\n  \"info\": {{ \"name\": \"{w}\", \"schema\": \"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\" }},\n  \"item\": [\n"); }
        Kind::AppSettings => s.push_str("{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } },\n  \"Services\": {\n"),
        Kind::Json => s.push_str("{\n  \"version\": 3,\n  \"entries\": [\n"),
        Kind::Markdown => { let _ = write!(s, "# {}\n\n", cap(w)); }
        Kind::Dotenv | Kind::Yaml | Kind::Toml | Kind::Ini | Kind::Properties | Kind::Tfvars => {}
    }
}

fn footer(kind: Kind, s: &mut String) {
    match kind {
        Kind::Sql => s.push_str("COMMIT;\n"),
        Kind::Postman | Kind::Json => s.push_str("    {}\n  ]\n}\n"),
        Kind::AppSettings => s.push_str("    \"_\": {}\n  }\n}\n"),
        _ => {}
    }
}

fn block(kind: Kind, rng: &mut ChaCha8Rng, _names: &Names, s: &mut String) {
    let (snake, camel, lower) = ident(rng);
    let (snake2, camel2, lower2) = ident(rng);
    let host = pick(rng, HOSTS);
    let w = pick(rng, WORDS);
    let n: u32 = rng.random_range(1..500);
    let up = snake.to_ascii_uppercase();
    let _ = match kind {
        Kind::Python => match n % 3 {
            0 => write!(s, "class {camel}:\n    \"\"\"Keeps {w} records in sync with the {w} API.\"\"\"\n\n    def __init__(self, session, base_url=\"{host}\"):\n        self.session = session\n        self.base_url = base_url\n        self.retries = {n}\n\n    def {snake2}(self, item_id):\n        resp = self.session.get(f\"{{self.base_url}}/{w}s/{{item_id}}\", timeout=10)\n        resp.raise_for_status()\n        data = resp.json()\n        if data.get(\"status\") == \"sandbox\":\n            log.info(\"skipping sandbox {w} %s\", item_id)\n            return None\n        return {{k: v for k, v in data.items() if not k.startswith(\"_\")}}\n\n\n"),
            1 => write!(s, "def {snake}(records, zone=\"UTC\"):\n    out = []\n    for r in records:\n        if r.get(\"{w}\") is None:\n            continue\n        out.append({{\"id\": r[\"id\"], \"{w}\": r[\"{w}\"], \"timezone\": zone, \"n\": {n}}})\n    return sorted(out, key=lambda r: r[\"id\"])\n\n\n"),
            _ => write!(s, "def {snake}(client_id, client_secret, refresh_token):\n    \"\"\"Refreshes an OAuth access token for the {w} integration.\"\"\"\n    resp = requests.post(\"{host}/token\", data={{\n        \"grant_type\": \"refresh_token\",\n        \"client_id\": client_id,\n        \"client_secret\": client_secret,\n        \"refresh_token\": refresh_token,\n    }}, timeout=15)\n    return resp.json()[\"access_token\"]\n\n\n"),
        },
        Kind::JavaScript | Kind::TypeScript => {
            let ty = if kind == Kind::TypeScript { ": string" } else { "" };
            let ret = if kind == Kind::TypeScript { ": Promise<Json>" } else { "" };
            match n % 3 {
                0 => write!(s, "export async function {lower}(id{ty}){ret} {{\n  const res = await axios.get(`{host}/{w}s/${{id}}`, {{\n    headers: {{ Accept: \"application/json\" }},\n    timeout: {n}0,\n  }});\n  if (res.status !== 200) {{\n    throw new Error(`{w} ${{id}}: ${{res.status}}`);\n  }}\n  return res.data;\n}}\n\n"),
                1 => write!(s, "export class {camel} {{\n  constructor(baseUrl{ty} = \"{host}\") {{\n    this.baseUrl = baseUrl;\n    this.cache = new Map();\n  }}\n\n  async {lower2}(key{ty}) {{\n    if (this.cache.has(key)) return this.cache.get(key);\n    const res = await fetch(`${{this.baseUrl}}/{w}/${{key}}`);\n    const body = await res.json();\n    this.cache.set(key, body);\n    return body;\n  }}\n}}\n\n"),
                _ => write!(s, "const {up} = {{\n  zone: \"eu-west-{n}\",\n  horizon: {n},\n  sandbox: false,\n  endpoint: \"{host}\",\n}};\n\nexport function {lower}(items{ty}) {{\n  return items.filter((x) => x.{w} !== undefined).map((x) => ({{ ...x, zone: {up}.zone }}));\n}}\n\n"),
            }
        }
        Kind::Java => write!(s, "final class {camel} {{\n    private static final String BASE_URL = \"{host}\";\n    private final HttpClient http = HttpClient.newHttpClient();\n\n    List<String> {lower2}(Map<String, String> params) throws Exception {{\n        var req = HttpRequest.newBuilder(URI.create(BASE_URL + \"/{w}s?limit={n}\"))\n            .header(\"Accept\", \"application/json\")\n            .build();\n        var body = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();\n        return List.of(body.split(\",\"));\n    }}\n\n    int {lower}(int zone) {{\n        return zone * {n} % 97;\n    }}\n}}\n\n"),
        Kind::CSharp => write!(s, "public sealed class {camel}\n{{\n    private static readonly HttpClient Http = new() {{ BaseAddress = new System.Uri(\"{host}/\") }};\n\n    public async Task<string> {camel2}Async(string id)\n    {{\n        var res = await Http.GetAsync($\"{w}s/{{id}}\");\n        res.EnsureSuccessStatusCode();\n        return await res.Content.ReadAsStringAsync();\n    }}\n\n    public int Horizon => {n};\n}}\n\n"),
        Kind::Php => write!(s, "final class {camel}\n{{\n    private Client $http;\n\n    public function __construct()\n    {{\n        $this->http = new Client(['base_uri' => '{host}/', 'timeout' => {n}]);\n    }}\n\n    public function {lower2}(string $id): array\n    {{\n        $res = $this->http->get('{w}s/' . $id, ['headers' => ['Accept' => 'application/json']]);\n        return json_decode((string) $res->getBody(), true);\n    }}\n}}\n\n"),
        Kind::Ruby => write!(s, "class {camel}\n  BASE = \"{host}\"\n\n  def initialize(zone: \"UTC\")\n    @zone = zone\n  end\n\n  def {snake2}(id)\n    uri = URI(\"#{{BASE}}/{w}s/#{{id}}\")\n    res = Net::HTTP.get_response(uri)\n    raise \"{w} #{{id}}: #{{res.code}}\" unless res.is_a?(Net::HTTPSuccess)\n\n    JSON.parse(res.body).merge(\"zone\" => @zone, \"n\" => {n})\n  end\nend\n\n"),
        Kind::Go => write!(s, "// {camel} reads {w} records.\ntype {camel} struct {{\n\tBaseURL string\n\tClient  *http.Client\n}}\n\nfunc (c *{camel}) {camel2}(id string) (map[string]any, error) {{\n\tres, err := c.Client.Get(fmt.Sprintf(\"%s/{w}s/%s?n={n}\", c.BaseURL, id))\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\tdefer res.Body.Close()\n\tvar out map[string]any\n\treturn out, json.NewDecoder(res.Body).Decode(&out)\n}}\n\nfunc New{camel}() *{camel} {{\n\treturn &{camel}{{BaseURL: \"{host}\", Client: http.DefaultClient}}\n}}\n\n"),
        Kind::Rust => write!(s, "#[derive(Debug, Clone, Serialize, Deserialize)]\npub struct {camel} {{\n    pub id: u64,\n    pub {w}: String,\n    pub zone: Option<String>,\n}}\n\npub fn {snake2}(items: &[{camel}]) -> BTreeMap<u64, String> {{\n    items\n        .iter()\n        .filter(|i| i.zone.is_some())\n        .map(|i| (i.id * {n}, format!(\"{host}/{{}}\", i.{w})))\n        .collect()\n}}\n\n"),
        Kind::Shell => write!(s, "{snake}() {{\n  local id=\"$1\"\n  curl -fsS -H \"Accept: application/json\" \"{host}/{w}s/${{id}}\" \\\n    | jq -r '.{w} // empty'\n}}\n\n{up}_RETRIES={n}\nfor i in $(seq 1 \"${up}_RETRIES\"); do\n  {snake} \"$i\" || sleep 1\ndone\n\n"),
        Kind::Sql => write!(s, "CREATE TABLE IF NOT EXISTS {snake} (\n    id BIGSERIAL PRIMARY KEY,\n    {w}_id BIGINT NOT NULL,\n    zone TEXT NOT NULL DEFAULT 'UTC',\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\nCREATE INDEX IF NOT EXISTS {snake}_{w}_idx ON {snake} ({w}_id);\nINSERT INTO {snake} ({w}_id, zone) VALUES ({n}, 'Europe/Paris');\n\n"),
        Kind::Dotenv => write!(s, "{up}_URL={host}\n{up}_TIMEOUT={n}\n{up}_ZONE=eu-west-1\n"),
        Kind::Workflow => write!(s, "  {snake}:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n      - uses: actions/checkout@v4\n      - run: make {w} N={n}\n        env:\n          {up}_URL: {host}\n          GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}\n"),
        Kind::GitlabCi => write!(s, "{snake}:\n  stage: test\n  image: python:3.12\n  script:\n    - pip install -r requirements.txt\n    - pytest -k {w} -n {n}\n  variables:\n    {up}_URL: \"{host}\"\n"),
        Kind::Compose => write!(s, "  {snake2}:\n    image: acme/{w}:{n}\n    environment:\n      - {up}_URL={host}\n      - TZ=UTC\n    ports:\n      - \"{}:8080\"\n", 8000 + n),
        Kind::K8s => write!(s, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {}\nspec:\n  replicas: {}\n  template:\n    spec:\n      containers:\n        - name: {w}\n          image: acme/{w}:{n}\n          env:\n            - name: {up}_URL\n              value: \"{host}\"\n", snake.replace('_', "-"), n % 5 + 1),
        Kind::Yaml => write!(s, "{snake}:\n  url: {host}\n  zone: eu-west-{n}\n  retries: {}\n  sandbox: false\n", n % 7),
        Kind::Postman => writeln!(s, "    {{ \"name\": \"{camel}\", \"request\": {{ \"method\": \"GET\", \"url\": \"{host}/{w}s/{n}\", \"header\": [{{ \"key\": \"Accept\", \"value\": \"application/json\" }}] }} }},"),
        Kind::AppSettings => writeln!(s, "    \"{camel}\": {{ \"BaseUrl\": \"{host}\", \"TimeoutSeconds\": {n} }},"),
        Kind::Json => writeln!(s, "    {{ \"name\": \"{lower}\", \"url\": \"{host}\", \"zone\": \"eu-{n}\", \"enabled\": true }},"),
        Kind::Toml => write!(s, "[{snake}]\nurl = \"{host}\"\nretries = {n}\nzone = \"UTC\"\n\n"),
        Kind::Ini => write!(s, "[{snake}]\nurl = {host}\nretries = {n}\n\n"),
        Kind::Properties => write!(s, "{}.url={host}\n{}.timeout={n}\n", lower.replace('_', "."), lower2),
        Kind::Tfvars => write!(s, "{snake}_url = \"{host}\"\n{snake2}_count = {n}\n"),
        Kind::Markdown => write!(s, "## {camel}\n\nThe {w} service calls `{host}` with an OAuth token from the vault; sandbox and staging use their own. Horizon: {n} days.\n\n```bash\ncurl {host}/{w}s/{n}\n```\n\n"),
    };
    let _ = (snake2, camel2, lower2);
}

/// A single-line bundle of about `size` bytes.
pub fn minified_js(rng: &mut ChaCha8Rng, size: usize, zoho_banner: bool) -> String {
    let mut s = String::with_capacity(size + 256);
    if zoho_banner {
        s.push_str("/*! crm-widget 2.4.1 | bundles the Zoho CRM embed script (MIT) */");
    }
    s.push_str(
        "!function(e,t){\"object\"==typeof exports?module.exports=t():e.App=t()}(this,function(){\"use strict\";",
    );
    let mut i = 0u32;
    while s.len() < size {
        let a = pick(rng, WORDS);
        let n: u32 = rng.random_range(0..10_000);
        let _ = write!(
            s,
            "var {a}{i}=function(n,r){{return n&&n.{a}?n.map(function(o){{return o*{n}+r}}):\"{}\"+r}},",
            pick(rng, HOSTS)
        );
        let _ = write!(s, "f{i}=[{n},{},\"{a}\",!0,null];", n / 3);
        i += 1;
    }
    s.push_str("return{}});");
    s
}

/// A package-lock.json of about `size` bytes.
pub fn package_lock(rng: &mut ChaCha8Rng, size: usize) -> String {
    let mut s = String::from("{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n");
    let mut i = 0;
    while s.len() < size {
        let name = format!("{}-{}{i}", pick(rng, WORDS), pick(rng, VERBS));
        let ver = format!(
            "{}.{}.{}",
            rng.random_range(0..9),
            rng.random_range(0..30),
            rng.random_range(0..20)
        );
        let integrity: String = (0..64).map(|_| (b'A' + rng.random_range(0..26)) as char).collect();
        let _ = write!(
            s,
            "    \"node_modules/{name}\": {{\n      \"version\": \"{ver}\",\n      \"resolved\": \"https://registry.npmjs.org/{name}/-/{name}-{ver}.tgz\",\n      \"integrity\": \"sha512-{integrity}==\",\n      \"dev\": {}\n    }},\n",
            i % 3 == 0
        );
        i += 1;
    }
    s.push_str("    \"\": {}\n  }\n}\n");
    s
}

pub fn protobuf_py(rng: &mut ChaCha8Rng, size: usize) -> String {
    let mut s = String::from("# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\nfrom google.protobuf import descriptor as _descriptor\nfrom google.protobuf import descriptor_pool as _descriptor_pool\nfrom google.protobuf.internal import builder as _builder\n\n");
    let mut i = 0;
    while s.len() < size {
        let bytes: String = (0..96)
            .map(|_| format!("\\x{:02x}", rng.random_range(1..255u8)))
            .collect();
        let _ = write!(s, "DESCRIPTOR_{i} = _descriptor_pool.Default().AddSerializedFile(b'{bytes}')\n_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR_{i}, globals())\n");
        i += 1;
    }
    s
}

pub fn protobuf_go(rng: &mut ChaCha8Rng, size: usize) -> String {
    let mut s = String::from("// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage pb\n\nimport (\n\tprotoreflect \"google.golang.org/protobuf/reflect/protoreflect\"\n\tprotoimpl \"google.golang.org/protobuf/runtime/protoimpl\"\n)\n\n");
    let mut i = 0;
    while s.len() < size {
        let (_, camel, lower) = ident(rng);
        let _ = write!(s, "type {camel}Msg{i} struct {{\n\tstate         protoimpl.MessageState\n\tsizeCache     protoimpl.SizeCache\n\tunknownFields protoimpl.UnknownFields\n\n\tId   string `protobuf:\"bytes,1,opt,name=id,proto3\" json:\"id,omitempty\"`\n\tZone string `protobuf:\"bytes,2,opt,name=zone,proto3\" json:\"zone,omitempty\"`\n}}\n\nfunc (x *{camel}Msg{i}) Get{camel}() string {{\n\tif x != nil {{\n\t\treturn x.Id\n\t}}\n\treturn \"\"\n}}\n\nfunc (x *{camel}Msg{i}) ProtoReflect() protoreflect.Message {{ _ = \"{lower}\"; return nil }}\n\n");
        i += 1;
    }
    s
}

pub fn log_file(rng: &mut ChaCha8Rng, size: usize) -> String {
    let mut s = String::new();
    while s.len() < size {
        let _ = writeln!(
            s,
            "2026-01-0{}T10:00:00Z INFO zoho sync {} ok",
            rng.random_range(1..9),
            pick(rng, WORDS)
        );
    }
    s
}
