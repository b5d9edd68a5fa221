//! A deterministic synthetic monorepo for orgtoken's benchmarks.
//!
//! Layout: `services/`, `libs/`, `web/`, `infra/`, `db/`, `scripts/`,
//! `config/`, `deploy/k8s/`, `.github/workflows/`, `docs/`, plus vendored
//! trees (`node_modules/`, `vendor/`, skipped by orgtoken by default), a
//! non-vendored `third_party/`, minified bundles, a big `package-lock.json`,
//! generated protobuf code, binary files and a few git-ignored files.
//!
//! Zoho usages are the repository's own fixtures (`fixtures/<case>/`),
//! instantiated in place: every instance gets fresh token literals and
//! per-instance env-var and constant names (so instances do not link to one
//! another) and, in code files, filler code appended after the fixture's
//! lines (so line numbers and findings are those of the fixture). The
//! expected finding count per rule is then the sum of the instances'
//! `EXPECTED` files.
//!
//! Same options → byte-identical tree: one ChaCha stream per file, seeded
//! from the seed and the file's index; no clock, no hash-map order.

mod filler;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;
use serde_json::{json, Value};

pub use filler::Kind;

/// orgtoken's default `--max-file-size` (5M): larger files are skipped.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Options {
    pub files: usize,
    pub zoho_share: f64,
    pub seed: u64,
    /// Total size; default 15 KB per file.
    pub size_mb: Option<f64>,
    pub fixtures: PathBuf,
    /// Monorepo mode: files per service (`--files-per-service`).
    pub files_per_service: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            files: 1000,
            zoho_share: 0.005,
            seed: 1,
            size_mb: None,
            fixtures: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
            files_per_service: 80,
        }
    }
}

/// One `fixtures/<case>/` directory.
#[derive(Debug)]
pub struct Fixture {
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub expected: BTreeMap<String, usize>,
    pub notes: usize,
}

fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let t = e.file_type()?;
        if t.is_dir() {
            read_tree(root, &p, out)?;
        } else if t.is_file() {
            let rel = p
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            if rel != "EXPECTED" {
                out.push((rel, fs::read(&p)?));
            }
        }
    }
    Ok(())
}

/// Fixtures whose copies, each in its own directory, link to one another
/// (class, struct and module names, Postman variables and Java
/// constants are resolved repository-wide), so that N copies do not give N
/// times the fixture's findings. Measured with orgtoken at b7de26d on
/// corpora of ~5 and ~16 copies per fixture; left out so the expectation
/// stays exact.
pub const CROSS_LINKING: &[&str] = &[
    // Their token is the legacy SDK's stored row of one user e-mail, which
    // copies do not rename: every copy's token is one identity, minted at
    // one copy's accounts host and used at every copy's API host (found at
    // 64c34b7 on the 20,000-file 20 % tree, seed 1, and mono-200, seed 41).
    "php-legacy-accounts-url-default-api",
    "py-legacy-accounts-url-default-api",
    // Its global `ACCESS_TOKEN`, set in a function, is the same shell name
    // in every copy: in a 200-service monorepo two more OT001 appear where
    // copies' scripts meet (same trees; not yet narrowed down).
    "sh-global-from-function",
    // Its Ruby helper is named `fetch`: another copy's JS `fetch(…)` calls
    // (host-through-five-helpers') resolve to it repository-wide and give its
    // `url` parameter a run-time host, so a pinned request beside it is one
    // more OT001 (found at d4d9bc4, a 6-service monorepo, seed 9).
    "rb-net-http-helper-block",
    "cfg-postman-environments",
    // Its Spring profiles merge with java-spring-value-profiles' copies.
    "cfg-spring-profiles",
    "java-imported-constants",
    "neg-jvm-single-environment",
    "neg-legacy-single-environment",
    "neg-ot005-legacy-one-env-per-store",
    "neg-subclass-own-token",
    "php-autoloaded-config-class",
    // `config('zoho.…')` reads whichever copy's config/zoho.php.
    "php-laravel-config",
    "php-subclass-sandbox-client",
    "py-class-client-flag",
    "rb-class-client-flag",
    "rs-client-struct-flag",
    // Measured with orgtoken at 6b4484e on a 20,000-file corpus (8-10
    // copies each; one copy alone gives the fixture's findings): function,
    // class and constant names, legacy SDK configs, .NET and Spring
    // configuration keys and Serverless stages resolve repository-wide, so
    // the copies' values meet and a result is lost (or, for the stages, one
    // more is found).
    "cs-iconfiguration-appsettings",
    "cs-namespace-constants",
    "java-spring-value-profiles",
    "ot005-legacy-second-base-url",
    "php-legacy-sandbox-flag",
    "prof-serverless-stages",
    "py-helper-summary",
    "py-legacy-sandbox-flag-flip",
    "py-token-function",
    "py-token-manager-instance",
    "py-token-provider-function",
    "rb-legacy-sandbox-flag",
    // Viper reads configuration keys (`zoho.api_domain`) that other copies'
    // appsettings.json and application.yml set, repository-wide (found at
    // 3728a4b: one more OT002 on a 600-file tree).
    "go-settings-libraries-switch",
    "neg-go-settings-libraries-keyed",
    // Its PHP and Ruby token models meet an ORM fixture's copy placed in the
    // same service (a model named `ZohoToken`): their stored tokens read as
    // one store's and the OT002 it defers to OT005 comes back (two more
    // OT002 on a 600-file tree once the fixture set grew, at 1ca1661).
    "ot005-model-store-read-php-ruby",
    // A legacy config that names no user reads the SDK's default user's row
    // (`store:zcrm_default_user`), one identity repository-wide: the copies'
    // configs are one store, whose OT005 is reported once for all copies.
    "legacy-config-without-user-switch",
    "neg-legacy-config-without-user-keyed",
    // Its token service's response (`requests.get(…).json()["access_token"]`)
    // is a record of the same kind (`import:requests[*]`) as another
    // fixture's token response that keeps its api_domain, when a copy of one
    // lands in the same service as the other's: then its pinned US request
    // is OT001 (one more on a 6-service monorepo at 4950fee, once the
    // fixture set grew and moved it beside neg-multi-dc-done-right).
    "neg-py-headers-dict-other-function",
    // Not cross-linking, but not a template either: the code appended to its
    // files makes its single-line bundle ordinary code, analysed in full.
    "text-only-bundles",
];

/// The fixtures usable as templates, sorted by name. Fixtures that need a
/// project file, and those in [`CROSS_LINKING`], are left out.
pub fn load_fixtures(dir: &Path) -> io::Result<Vec<Fixture>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("EXPECTED").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let root = dir.join(&name);
        let mut files = Vec::new();
        read_tree(&root, &root, &mut files)?;
        if files.is_empty()
            || files.iter().any(|(p, _)| p.ends_with(".orgtoken.toml"))
            || CROSS_LINKING.contains(&name.as_str())
        {
            continue;
        }
        let mut expected = BTreeMap::new();
        let mut notes = 0;
        for line in fs::read_to_string(root.join("EXPECTED"))?.lines() {
            let line = line.trim();
            if line.starts_with("note ") {
                notes += 1;
            } else if let Some(rule) = line.split_whitespace().next().filter(|r| r.starts_with("OT")) {
                *expected.entry(rule.to_string()).or_insert(0) += 1;
            }
        }
        out.push(Fixture {
            name,
            files,
            expected,
            notes,
        });
    }
    Ok(out)
}

/// Rewrites one fixture file for instance `tag`: fresh token literals (the
/// same literal within an instance stays the same), `UPPER_SNAKE` names
/// prefixed with the tag (`ZOHO_X_TOKEN` keeps its `ZOHO_` head).
/// Token literals the catalog lists as documentation examples stay as they are.
pub struct Renamer {
    token: Regex,
    upper: Regex,
    keep_tokens: Vec<String>,
}

impl Default for Renamer {
    fn default() -> Self {
        Renamer::new("")
    }
}

const KEEP_UPPER: &[&str] = &[
    "CURLOPT_",
    "ZOHOCRMSDK",
    "NODE_ENV",
    "RAILS_ENV",
    "APP_ENV",
    "ASPNETCORE_",
    // SDK header names (`UploadFileHeader.X_CRM_ORG`).
    "X_CRM_ORG",
];

impl Renamer {
    /// `catalog`: the text of `rules/zoho-crm.toml` (its example tokens are kept).
    pub fn new(catalog: &str) -> Self {
        let token = Regex::new(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}").expect("valid");
        let keep_tokens = token.find_iter(catalog).map(|m| m.as_str().to_string()).collect();
        Renamer {
            token,
            upper: Regex::new(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b").expect("valid"),
            keep_tokens,
        }
    }

    pub fn rewrite(
        &self,
        text: &str,
        tag: &str,
        tokens: &mut BTreeMap<String, String>,
        rng: &mut ChaCha8Rng,
    ) -> String {
        let t = self.token.replace_all(text, |c: &regex::Captures| {
            if self.keep_tokens.iter().any(|k| k == &c[0]) {
                return c[0].to_string();
            }
            tokens
                .entry(c[0].to_string())
                .or_insert_with(|| format!("1000.{}.{}", hex(rng, 32), hex(rng, 32)))
                .clone()
        });
        self.upper
            .replace_all(&t, |c: &regex::Captures| {
                let name = &c[0];
                if KEEP_UPPER.iter().any(|k| name.starts_with(k)) {
                    name.to_string()
                } else if let Some(rest) = name.strip_prefix("ZOHO_") {
                    format!("ZOHO_{tag}_{rest}")
                } else {
                    format!("{tag}_{name}")
                }
            })
            .into_owned()
    }
}

pub fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    const H: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| H[rng.random_range(0..16)] as char).collect()
}

/// `QAAA`, `QBAA`, …: letters only (never a number or a hex run), and never
/// an environment word such as `DEV` or `EU` on its own.
fn instance_tag(i: usize) -> String {
    let mut n = i;
    let mut s = String::from("Q");
    loop {
        s.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 && s.len() >= 4 {
            return s;
        }
    }
}

/// What the generator wrote, for the manifest.
#[derive(Default)]
struct Tally {
    files: usize,
    bytes: u64,
    by_kind: BTreeMap<&'static str, (usize, u64)>,
    zoho_files: usize,
    zoho_bytes: u64,
    instances: BTreeMap<String, usize>,
    /// (directory, fixture) of every instance, in generation order.
    placed: Vec<(String, String)>,
    expected: BTreeMap<String, usize>,
    expected_notes: usize,
}

struct Writer<'a> {
    out: &'a Path,
    tally: Tally,
}

impl Writer<'_> {
    fn write(&mut self, rel: &str, bytes: &[u8], kind: &'static str) -> io::Result<()> {
        let p = self.out.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d)?;
        }
        if p.exists() {
            return Err(io::Error::other(format!("generator bug: `{rel}` written twice")));
        }
        fs::write(&p, bytes)?;
        self.tally.files += 1;
        self.tally.bytes += bytes.len() as u64;
        let k = self.tally.by_kind.entry(kind).or_insert((0, 0));
        k.0 += 1;
        k.1 += bytes.len() as u64;
        Ok(())
    }
}

fn file_rng(seed: u64, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index)
}

/// Size factor with mean ≈ 1: many small files, a few large ones.
fn size_factor(rng: &mut ChaCha8Rng) -> f64 {
    const F: &[f64] = &[0.12, 0.25, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.2, 2.8];
    F[rng.random_range(0..F.len())]
}

/// Generates the tree into `out` and writes `out/.corpus.json`.
pub fn generate(opts: &Options, out: &Path) -> io::Result<Value> {
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::other(format!("`{}` exists and is not empty", out.display())));
    }
    fs::create_dir_all(out)?;
    let fixtures = load_fixtures(&opts.fixtures)
        .map_err(|e| io::Error::other(format!("cannot read fixtures in `{}`: {e}", opts.fixtures.display())))?;
    let n = opts.files.max(20);
    let total_bytes = opts.size_mb.map(|m| m * 1024.0 * 1024.0).unwrap_or(n as f64 * 15_000.0);
    let mut w = Writer {
        out,
        tally: Tally::default(),
    };
    let mut master = ChaCha8Rng::seed_from_u64(opts.seed);
    let names = filler::Names::new(&mut master, n);
    let mut index: u64 = 0;
    let mut next_rng = || {
        index += 1;
        file_rng(opts.seed, index)
    };

    // Fixed parts: counts scale with the number of files.
    let n_big = (n / 1000).max(3);
    let n_binary = (n / 400).max(2);
    let n_vendored = n * 4 / 100;
    let n_third_party = n / 100;
    let n_ignored = (n / 500).max(1);
    let big_budget = total_bytes * 0.2;

    // 1. Big generated files: bundles, a lock file, protobuf code.
    w.write(
        ".gitignore",
        b"*.log\n/tmp/\n__pycache__/\n.venv/\n.coverage\n",
        "config",
    )?;
    for i in 0..n_big {
        let mut rng = next_rng();
        let size = (big_budget / n_big as f64 * size_factor(&mut rng) * 1.0) as usize;
        let (rel, text, kind) = match i % 4 {
            0 | 2 => {
                // One bundle in five carries a vendored Zoho widget banner.
                let banner = opts.zoho_share > 0.0 && i % 5 == 0;
                (
                    format!(
                        "web/{}/dist/{}.{}.min.js",
                        names.pick(&mut rng, names.apps()),
                        names.word(&mut rng),
                        hex(&mut rng, 8)
                    ),
                    filler::minified_js(&mut rng, size, banner),
                    "minified",
                )
            }
            1 => (
                match names.apps().get(i / 4) {
                    Some(app) => format!("web/{app}/package-lock.json"),
                    None => format!(
                        "web/{}/packages/{}{i}/package-lock.json",
                        names.pick(&mut rng, names.apps()),
                        names.word(&mut rng)
                    ),
                },
                filler::package_lock(&mut rng, size),
                "lockfile",
            ),
            _ => {
                if i % 8 == 3 {
                    (
                        format!("libs/proto/gen/go/{}.pb.go", names.word(&mut rng) + &i.to_string()),
                        filler::protobuf_go(&mut rng, size),
                        "generated",
                    )
                } else {
                    (
                        format!("libs/proto/gen/python/{}{i}_pb2.py", names.word(&mut rng)),
                        filler::protobuf_py(&mut rng, size),
                        "generated",
                    )
                }
            }
        };
        w.write(&rel, text.as_bytes(), kind)?;
    }
    // 2. Binary files, some with text-ish names.
    for i in 0..n_binary {
        let mut rng = next_rng();
        let (rel, magic): (String, &[u8]) = match i % 3 {
            0 => (
                format!(
                    "web/{}/public/img/{}{i}.png",
                    names.pick(&mut rng, names.apps()),
                    names.word(&mut rng)
                ),
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            ),
            1 => (
                format!("libs/native/lib{}{i}.so", names.word(&mut rng)),
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
            ),
            _ => (
                format!("db/seeds/{}{i}.json", names.word(&mut rng)),
                b"\x1f\x8b\x08\0\0\0\0\0",
            ),
        };
        let len = rng.random_range(4_000..120_000);
        let mut bytes = magic.to_vec();
        bytes.extend((0..len).map(|_| rng.random::<u8>()));
        w.write(&rel, &bytes, "binary")?;
    }
    // 3. Git-ignored files (both tools must skip them).
    for i in 0..n_ignored {
        let mut rng = next_rng();
        let text = filler::log_file(&mut rng, 20_000);
        w.write(&format!("tmp/run-{i}.log"), text.as_bytes(), "ignored")?;
    }

    // 4. Zoho files: fixture instances.
    let fixed = w.tally.files;
    let zoho_target = ((n as f64) * opts.zoho_share).round() as usize;
    // Configuration files are kept small (see `filler::file`): 1.35 makes
    // up for them, so the tree's size stays close to the budget.
    let avg = 1.35 * ((total_bytes - big_budget - w.tally.bytes as f64).max(n as f64 * 500.0)) / (n - fixed) as f64;
    let mut instancer = Instancer::new(&fixtures, &opts.fixtures);
    while w.tally.zoho_files < zoho_target && !fixtures.is_empty() {
        let mut rng = next_rng();
        instancer.place(&mut w, &mut master, &mut rng, &names, avg, |rng, tag| {
            format!(
                "services/{}/integrations/crm_{}",
                names.pick(rng, names.services()),
                tag.to_ascii_lowercase()
            )
        })?;
    }

    // 5. Vendored and third-party trees, then ordinary files up to N.
    for i in 0..n_vendored {
        let mut rng = next_rng();
        let size = (avg * size_factor(&mut rng)) as usize;
        let (rel, kind) = match i % 3 {
            0 => (
                format!(
                    "web/{}/node_modules/{}/lib/{}{i}.js",
                    names.pick(&mut rng, names.apps()),
                    names.word(&mut rng),
                    names.word(&mut rng)
                ),
                Kind::JavaScript,
            ),
            1 => (
                format!(
                    "services/{}/vendor/github.com/{}/{}/{}{i}.go",
                    names.pick(&mut rng, names.services()),
                    names.word(&mut rng),
                    names.word(&mut rng),
                    names.word(&mut rng)
                ),
                Kind::Go,
            ),
            _ => (
                format!(
                    "services/{}/.venv/lib/python3.12/site-packages/{}/{}{i}.py",
                    names.pick(&mut rng, names.services()),
                    names.word(&mut rng),
                    names.word(&mut rng)
                ),
                Kind::Python,
            ),
        };
        let text = filler::file(kind, &mut rng, &names, size);
        w.write(&rel, text.as_bytes(), "vendored")?;
    }
    for i in 0..n_third_party {
        let mut rng = next_rng();
        let size = (avg * size_factor(&mut rng)) as usize;
        let rel = format!(
            "third_party/{}/src/{}{i}.js",
            names.word(&mut rng),
            names.word(&mut rng)
        );
        let text = filler::file(Kind::JavaScript, &mut rng, &names, size);
        w.write(&rel, text.as_bytes(), "third_party")?;
    }
    let mut i = 0usize;
    while w.tally.files < n {
        let mut rng = next_rng();
        let kind = Kind::pick(&mut rng);
        let size = (avg * size_factor(&mut rng)) as usize;
        let rel = filler::path_for(kind, &mut rng, &names, i);
        let text = filler::file(kind, &mut rng, &names, size);
        w.write(&rel, text.as_bytes(), "filler")?;
        i += 1;
    }

    write_manifest(opts, out, &w.tally, json!({}))
}

/// Writes `out/.corpus.json` from what was written; `extra` adds keys.
fn write_manifest(opts: &Options, out: &Path, t: &Tally, extra: Value) -> io::Result<Value> {
    let kinds: BTreeMap<&str, Value> = t
        .by_kind
        .iter()
        .map(|(k, (f, b))| (*k, json!({"files": f, "bytes": b})))
        .collect();
    let mut manifest = json!({
        "generator": "gen-corpus",
        "seed": opts.seed,
        "files": t.files,
        "bytes": t.bytes,
        "zoho_share": opts.zoho_share,
        "zoho_files": t.zoho_files,
        "zoho_bytes": t.zoho_bytes,
        "fixture_instances": t.instances.values().sum::<usize>(),
        "instances_per_fixture": t.instances,
        "kinds": kinds,
        "expected_findings": t.expected,
        "expected_findings_total": t.expected.values().sum::<usize>(),
        "expected_notes_at_least": t.expected_notes,
        "expected_exact": true,
        "instances": t.placed.iter().map(|(d, f)| json!([d, f])).collect::<Vec<_>>(),
    });
    if let (Some(m), Value::Object(e)) = (manifest.as_object_mut(), extra) {
        m.extend(e);
    }
    fs::write(
        out.join(".corpus.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    Ok(manifest)
}

/// Places fixture instances: a seeded shuffle of the fixtures per round,
/// one instance tag per instance (in order), so that a run of placements
/// depends only on the placements before it.
struct Instancer<'a> {
    fixtures: &'a [Fixture],
    renamer: Renamer,
    order: Vec<usize>,
    inst: usize,
}

impl<'a> Instancer<'a> {
    fn new(fixtures: &'a [Fixture], dir: &Path) -> Self {
        let catalog = fs::read_to_string(dir.join("../rules/zoho-crm.toml")).unwrap_or_default();
        Instancer {
            fixtures,
            renamer: Renamer::new(&catalog),
            order: (0..fixtures.len()).collect(),
            inst: 0,
        }
    }

    /// Writes the next instance into the directory `dir(rng, tag)` gives;
    /// `avg`: the mean size of the ordinary code appended to its code files.
    fn place(
        &mut self,
        w: &mut Writer,
        master: &mut ChaCha8Rng,
        rng: &mut ChaCha8Rng,
        names: &filler::Names,
        avg: f64,
        dir: impl FnOnce(&mut ChaCha8Rng, &str) -> String,
    ) -> io::Result<()> {
        let round_pos = self.inst % self.fixtures.len();
        if round_pos == 0 {
            // A fresh seeded shuffle per round.
            for i in (1..self.order.len()).rev() {
                self.order.swap(i, master.random_range(0..=i));
            }
            // The first instance of a tree is one with findings, so that
            // even a tiny Zoho share (5 files) is a tree with something to
            // find, whatever the share of quiet fixtures.
            if self.inst == 0 {
                if let Some(k) = self.order.iter().position(|&i| !self.fixtures[i].expected.is_empty()) {
                    self.order.swap(0, k);
                }
            }
        }
        let fx = &self.fixtures[self.order[round_pos]];
        let tag = instance_tag(self.inst);
        let base = dir(rng, &tag);
        let mut tokens = BTreeMap::new();
        let appendable = !fx.name.contains("syntax-error") && !fx.name.contains("bad-input");
        for (rel, bytes) in &fx.files {
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => {
                    let mut t = self.renamer.rewrite(t, &tag, &mut tokens, rng);
                    if appendable {
                        if let Some(kind) = Kind::for_path(rel).filter(|k| k.is_code()) {
                            let size = (avg * size_factor(rng)) as usize;
                            filler::append_code(kind, rng, names, &mut t, size);
                        }
                    }
                    t.into_bytes()
                }
                Err(_) => bytes.clone(),
            };
            w.tally.zoho_files += 1;
            w.tally.zoho_bytes += text.len() as u64;
            w.write(&format!("{base}/{rel}"), &text, "zoho")?;
        }
        *w.tally.instances.entry(fx.name.clone()).or_insert(0) += 1;
        w.tally.placed.push((base, fx.name.clone()));
        for (rule, c) in &fx.expected {
            *w.tally.expected.entry(rule.clone()).or_insert(0) += c;
        }
        w.tally.expected_notes += fx.notes;
        self.inst += 1;
        Ok(())
    }
}

/// The monorepo mode (`--monorepo N`): N services side by side under
/// `services/<name>/`, each a project of its own (a build manifest, a main
/// language, its configuration) with `files_per_service` files, a share P of
/// them Zoho fixture instances under `services/<name>/integrations/`.
/// Nothing is shared between services but a few root files, and service i
/// depends only on the seed, i and the services before it: the tree of N
/// services is a prefix of the tree of M > N services (same files, same
/// bytes), so growth from 50 to 200 services measures scaling alone.
pub fn generate_monorepo(opts: &Options, services: usize, out: &Path) -> io::Result<Value> {
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::other(format!("`{}` exists and is not empty", out.display())));
    }
    fs::create_dir_all(out)?;
    let fixtures = load_fixtures(&opts.fixtures)
        .map_err(|e| io::Error::other(format!("cannot read fixtures in `{}`: {e}", opts.fixtures.display())))?;
    let per = opts.files_per_service.max(10);
    let per_file = opts
        .size_mb
        .map(|m| m * 1024.0 * 1024.0 / per as f64)
        .unwrap_or(15_000.0);
    // Configuration files are kept small (see `filler::file`).
    let avg = 1.35 * per_file;
    let mut w = Writer {
        out,
        tally: Tally::default(),
    };
    // The instancer's shuffles draw from `master`, and only from it.
    let mut master = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x6D6F_6E6F);
    let mut names_rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let names = filler::Names::new(&mut names_rng, 1000);
    let mut instancer = Instancer::new(&fixtures, &opts.fixtures);

    w.write(
        ".gitignore",
        b"*.log\n/tmp/\n__pycache__/\n.venv/\nnode_modules/\ntarget/\n",
        "config",
    )?;
    w.write(
        "README.md",
        b"# Monorepo\n\nOne directory per service under `services/`; each builds and deploys on its own.\n",
        "config",
    )?;
    let zoho_target = ((per as f64) * opts.zoho_share).round() as usize;
    for s in 0..services {
        // Service s: its own streams (name and layout; then one per file).
        let stream = |j: u64| file_rng(opts.seed, ((s as u64 + 1) << 32) | j);
        let mut rng = stream(0);
        let svc = filler::service_name(&mut rng, s);
        let lang = filler::SERVICE_LANGUAGES[rng.random_range(0..filler::SERVICE_LANGUAGES.len())];
        let start = w.tally.files;
        let (rel, text) = filler::service_manifest(lang, &svc);
        w.write(&rel, text.as_bytes(), "manifest")?;
        let zoho_start = w.tally.zoho_files;
        let mut j = 1u64;
        while w.tally.zoho_files - zoho_start < zoho_target && !fixtures.is_empty() {
            let mut rng = stream(j);
            j += 1;
            instancer.place(&mut w, &mut master, &mut rng, &names, avg, |_, tag| {
                format!("services/{svc}/integrations/crm_{}", tag.to_ascii_lowercase())
            })?;
        }
        let mut i = 0usize;
        while w.tally.files - start < per {
            let mut rng = stream(j);
            j += 1;
            // Two files in three in the service's language.
            let kind = if rng.random_range(0..3) < 2 {
                lang
            } else {
                Kind::pick(&mut rng)
            };
            let size = (avg * size_factor(&mut rng)) as usize;
            let rel = filler::service_path(kind, &mut rng, &svc, i);
            let text = filler::file(filler::service_kind(kind), &mut rng, &names, size);
            w.write(&rel, text.as_bytes(), "filler")?;
            i += 1;
        }
    }
    write_manifest(
        opts,
        out,
        &w.tally,
        json!({"services": services, "files_per_service": per}),
    )
}

#[cfg(test)]
mod tests;
