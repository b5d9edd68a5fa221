//! The `orgtoken` command: parses arguments, calls the library, maps the
//! outcome to an exit code (0 clean, 1 findings, 2 usage or config error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use orgtoken::baseline;
use orgtoken::catalog::{catalog, Level};
use orgtoken::filter::{self, FilterOptions};
use orgtoken::project::{self, FailOn, Project};
use orgtoken::report::inventory::InventoryFormat;
use orgtoken::report::{self, Format, RenderOptions};
use orgtoken::scan::{self, ScanOptions};
use orgtoken::select::{Selection, Selectors};

mod multirepo_cli;

#[derive(Parser)]
#[command(
    name = "orgtoken",
    version,
    about = "Finds where one Zoho CRM OAuth token meets more than one environment or data center",
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or configuration error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (default: the current directory).
    Scan(ScanArgs),
    /// List the rules.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Print the prefilter's trigger literals, one per line (matched
        /// ASCII-case-insensitively); used by bench/run.sh.
        #[arg(long, hide = true)]
        triggers: bool,
    },
    /// Every token identity, the environments it is bound to and where: the
    /// migration plan (how many org-specific tokens to mint).
    Inventory(InventoryArgs),
    /// Combine the JSON results of separate scans (a CI matrix, one job per
    /// repository: `orgtoken scan --format json --repository NAME`) into
    /// one report in any format, or with --inventory one inventory.
    Merge(multirepo_cli::MergeArgs),
    /// Print a rule's documentation, e.g. `orgtoken explain OT001`.
    Explain {
        /// Rule id (OT001…OT007) or name (cross-environment-token).
        rule: String,
    },
    /// Print a shell completion script, e.g. `orgtoken completions bash >
    /// ~/.local/share/bash-completion/completions/orgtoken`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output, or with --dir write
    /// one page per command (orgtoken.1, orgtoken-scan.1, …) there.
    Man {
        /// Write orgtoken.1 and a page per subcommand into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// When to colour the report on standard output.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// When standard output is a terminal, unless NO_COLOR is set (FORCE_COLOR
    /// colours a pipe too).
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// The choice made: `--color always|never` beats the environment; with
    /// `auto`, a non-empty `NO_COLOR` turns colour off, then a non-empty
    /// `FORCE_COLOR` other than `0` or `false` turns it on, else a terminal
    /// does.
    fn resolve(self, to_tty: bool, no_color: Option<&str>, force_color: Option<&str>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if no_color.is_some_and(|v| !v.is_empty()) {
                    false
                } else if let Some(f) = force_color.filter(|v| !v.is_empty()) {
                    !(f == "0" || f.eq_ignore_ascii_case("false"))
                } else {
                    to_tty
                }
            }
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Output format [default: human].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of standard output; FORMAT=FILE
    /// (repeatable) writes another format beside it, e.g.
    /// `--output sarif=results.sarif --output json=out.json`. `-` is
    /// standard output: `--output sarif=-` prints SARIF there.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    output: Vec<String>,
    /// Print counts per rule and per environment before the summary line.
    #[arg(long)]
    statistics: bool,
    /// Leave suppressed results (inline or baseline) out of SARIF output:
    /// GitHub code scanning would list them as open alerts.
    #[arg(long)]
    sarif_drop_suppressed: bool,
    /// Report `orgtoken: ignore` comments that suppress nothing (as notes).
    #[arg(long)]
    report_unused_suppressions: bool,
    /// Hide the findings listed in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Report only results whose binding is in a file changed since the
    /// merge base of REV and HEAD (git diff plus untracked files); the whole
    /// tree is still analysed.
    #[arg(long, value_name = "REV", conflicts_with = "write_baseline")]
    changed_since: Option<String>,
    /// Write every reported finding to a baseline FILE, then exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Insert an `orgtoken: ignore[RULE] TODO: say why this is safe`
    /// comment above each reported finding (in the file's comment syntax),
    /// then exit 0; lines where a comment cannot go are listed.
    #[arg(long, conflicts_with_all = ["write_baseline", "output"])]
    add_noqa: bool,
    /// Exit 1 when a finding at or above this level is reported
    /// [default: `fail-on` in .orgtoken.toml, else error].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    tree: TreeArgs,
    /// Print only findings (no notes or summary line).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Report only these rules: ids, id prefixes, names or ALL,
    /// comma-separated or repeated (e.g. `--select OT001,OT006`,
    /// `--select OT00`) [default: ALL but `off` rules in .orgtoken.toml].
    #[arg(long, value_name = "RULES")]
    select: Vec<String>,
    /// Report these rules too, on top of --select or the default.
    #[arg(long, value_name = "RULES")]
    extend_select: Vec<String>,
    /// Do not report these rules (a more specific --select or
    /// --extend-select wins: `--ignore OT00 --extend-select OT006`).
    #[arg(long, value_name = "RULES")]
    ignore: Vec<String>,
    /// Colour the report on standard output: auto (a terminal, unless
    /// NO_COLOR is set; FORCE_COLOR forces it), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Record NAME as the repository in JSON output, with the bindings
    /// `orgtoken merge --inventory` needs (one CI job per repository).
    #[arg(long, value_name = "NAME", conflicts_with = "repos_from")]
    repository: Option<String>,
}

/// A "still scanning" line on stderr, only when stderr is a terminal and the
/// scan takes more than two seconds; erased when the scan ends.
struct Progress(Option<(mpsc::Sender<()>, thread::JoinHandle<()>)>);

impl Progress {
    fn start() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let (tx, rx) = mpsc::channel::<()>();
        let handle = thread::spawn(move || {
            if rx.recv_timeout(Duration::from_secs(2)) == Err(mpsc::RecvTimeoutError::Timeout) {
                eprint!("orgtoken: scanning…");
                let _ = rx.recv();
                eprint!("\r\x1b[2K");
            }
        });
        Progress(Some((tx, handle)))
    }

    fn done(self) {
        if let Some((tx, handle)) = self.0 {
            drop(tx);
            let _ = handle.join();
        }
    }
}

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dest {
    Stdout,
    File(PathBuf),
}

/// The main report (its format and destination) and the extra
/// `FORMAT=FILE` reports.
struct Outputs {
    format: Format,
    main: Dest,
    extra: Vec<(Format, Dest)>,
}

/// Reads `--format` and every `--output` value, and checks them before
/// anything is scanned: known formats only, `-` for standard output (at most
/// one report there), no file written twice, and an existing directory for
/// each file.
fn parse_outputs(format: Option<Format>, values: &[String]) -> Result<Outputs, String> {
    let dest = |p: &str| {
        if p == "-" {
            Dest::Stdout
        } else {
            Dest::File(PathBuf::from(p))
        }
    };
    let mut main: Option<Dest> = None;
    let mut extra: Vec<(Format, Dest)> = Vec::new();
    for v in values {
        if let Some((name, path)) = v.split_once('=') {
            if let Some(f) = Format::from_name(name) {
                if path.is_empty() {
                    return Err(format!("`--output {v}`: the file name is missing"));
                }
                extra.push((f, dest(path)));
                continue;
            }
            let word = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if word {
                let known: Vec<&str> = Format::all().iter().map(|f| f.name()).collect();
                return Err(format!(
                    "`--output {v}`: unknown format `{name}` (one of {}); write `./{v}` for a file whose name has `=`",
                    known.join(", ")
                ));
            }
        }
        if v.is_empty() {
            return Err("`--output` needs a file name, `FORMAT=FILE`, or `-` for standard output".into());
        }
        if main.is_some() {
            return Err(format!(
                "`--output {v}`: only one output without a format; write FORMAT=FILE for the others"
            ));
        }
        main = Some(dest(v));
    }
    let main = main.unwrap_or(Dest::Stdout);
    let on_stdout: Vec<Format> = extra
        .iter()
        .filter(|(_, d)| *d == Dest::Stdout)
        .map(|(f, _)| *f)
        .collect();
    if on_stdout.len() > 1 {
        return Err("only one report can go to standard output (`-`); give the others a file".into());
    }
    let mut format = format;
    if let (Some(f), Dest::Stdout) = (on_stdout.first(), &main) {
        // `--output sarif=-`: the report on standard output is that format.
        match format {
            Some(g) if g != *f => {
                return Err(format!(
                    "`--output {}=-` and `--format {}` would both write to standard output; give one of them a file",
                    f.name(),
                    g.name()
                ))
            }
            _ => format = Some(*f),
        }
        extra.retain(|(_, d)| *d != Dest::Stdout);
    }
    let mut files: Vec<&PathBuf> = Vec::new();
    for d in std::iter::once(&main).chain(extra.iter().map(|(_, d)| d)) {
        let Dest::File(p) = d else { continue };
        if files.contains(&p) {
            return Err(format!("`{}` is named by two --output values", p.display()));
        }
        files.push(p);
        if p.is_dir() {
            return Err(format!("--output `{}` is a directory", p.display()));
        }
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(format!(
                "--output `{}`: the directory `{}` does not exist",
                p.display(),
                parent.display()
            ));
        }
    }
    Ok(Outputs {
        format: format.unwrap_or(Format::Human),
        main,
        extra,
    })
}

#[derive(clap::Args)]
struct InventoryArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Human)]
    format: InventoryFormat,
    /// Write the inventory to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    tree: TreeArgs,
}

/// What to walk and how: shared by `scan` and `inventory`.
#[derive(clap::Args)]
struct TreeArgs {
    /// Files or directories to scan.
    paths: Vec<PathBuf>,
    /// Scan the paths listed in FILE (`-`: standard input), one per line,
    /// besides any given as arguments; listed paths that do not exist are
    /// skipped with a note (`git diff --name-only` lists deleted files).
    #[arg(long, value_name = "FILE")]
    files_from: Option<PathBuf>,
    /// With --files-from: the paths are separated by NUL bytes
    /// (`git diff -z --name-only`, `find -print0`), not lines.
    #[arg(long, short = '0', requires = "files_from")]
    null: bool,
    /// Listed paths that do not exist (set by `read_files_from`).
    #[arg(skip)]
    missing: Vec<String>,
    /// Scan each repository listed in FILE (`-`: standard input; one path
    /// per line, `#` comments) on its own, as if scanned alone, and report
    /// them together: results per repository, one merged inventory. A
    /// listed path that does not exist is an error (exit 2); the others
    /// are still scanned and reported.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "files_from"])]
    repos_from: Option<PathBuf>,
    /// Read this project file instead of the nearest .orgtoken.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every .orgtoken.toml.
    #[arg(long)]
    isolated: bool,
    /// Skip paths matching GLOB (repeatable), e.g. --exclude 'tests/**'.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Do not honour .gitignore / .ignore files (in a git work tree, tracked
    /// files are scanned either way; outside one, .gitignore never applies).
    #[arg(long)]
    no_ignore: bool,
    /// Also scan vendored directories (node_modules, site-packages, vendor…).
    #[arg(long)]
    include_vendored: bool,
    /// Skip files larger than this (bytes; K, M, G suffixes accepted).
    #[arg(long, value_name = "SIZE", default_value = "5M", value_parser = parse_size)]
    max_file_size: u64,
    /// Safety net behind --work-budget: abandon a file whose analysis takes
    /// longer than this, with a note (seconds, or with a unit: 500ms, 30s,
    /// 2m; 0 for no limit). What it cuts depends on the machine.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    file_timeout: std::time::Duration,
    /// Abandon a file whose analysis (or linking) takes more than UNITS
    /// steps, with a note: deterministic, unlike --file-timeout (0 for no
    /// limit).
    #[arg(long, value_name = "UNITS", default_value_t = orgtoken::budget::DEFAULT_WORK)]
    work_budget: u64,
    /// Worker threads (default: available cores; at most four per core).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

impl TreeArgs {
    /// Adds the paths `--files-from` lists to the arguments. Paths that do
    /// not exist are kept aside for a note; an empty list scans nothing.
    fn read_files_from(&mut self) -> Result<(), String> {
        let Some(from) = &self.files_from else {
            return Ok(());
        };
        let bytes = orgtoken::walk::read_list_file("--files-from", from)?;
        let sep = if self.null { b'\0' } else { b'\n' };
        for item in bytes.split(|&b| b == sep) {
            let item = if self.null {
                item
            } else {
                item.strip_suffix(b"\r").unwrap_or(item)
            };
            if item.is_empty() || (!self.null && item.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let path = path_of_bytes(item);
            if std::fs::symlink_metadata(&path).is_ok() {
                self.paths.push(path);
            } else {
                self.missing.push(path.display().to_string());
            }
        }
        Ok(())
    }

    /// The roots to scan: the arguments (and listed paths), else the current
    /// directory unless `--files-from` was given (an empty list scans nothing).
    fn roots(&self) -> Vec<PathBuf> {
        if self.files_from.is_some() {
            self.paths.clone()
        } else {
            scan::roots_or_default(self.paths.clone())
        }
    }

    /// `--files-from` listed no file that exists: nothing to scan is the
    /// request itself (a pull request that changed no file), not an empty walk.
    fn empty_list(&self) -> bool {
        self.files_from.is_some() && self.paths.is_empty()
    }

    /// A note per listed path that does not exist.
    fn note_missing(&self, result: &mut scan::ScanResult) {
        for m in &self.missing {
            result.notes.push(orgtoken::finding::Note {
                path: orgtoken::walk::escape_controls(m),
                message: "listed by --files-from but does not exist; skipped".into(),
            });
        }
        result.notes.sort();
    }

    /// The project file (unless `--isolated`) and the walk options, with
    /// `extra_excludes` (files of ours that are no part of the code under
    /// audit) left out of the walk.
    fn prepare(&self, extra_excludes: Vec<String>) -> Result<(Option<Project>, ScanOptions), String> {
        let roots = self.roots();
        let project = load_project(self.config.as_ref(), self.isolated, &roots)?;
        let opts = self.options(roots, project.as_ref(), extra_excludes);
        orgtoken::budget::set_work_limit(self.work_budget);
        Ok((project, opts))
    }

    /// The walk options for `roots` under `project`.
    fn options(&self, roots: Vec<PathBuf>, project: Option<&Project>, extra_excludes: Vec<String>) -> ScanOptions {
        let mut excludes = self.exclude.clone();
        let mut own_files = vec![project::FILE_NAME.to_string()];
        own_files.extend(extra_excludes);
        if let Some(p) = project {
            excludes.extend(p.config.exclude.iter().cloned());
        }
        ScanOptions {
            roots,
            excludes,
            no_ignore: self.no_ignore,
            include_vendored: self.include_vendored,
            max_file_size: self.max_file_size,
            file_timeout: (!self.file_timeout.is_zero()).then_some(self.file_timeout),
            // More threads than cores only cost (each has a 16 MB stack and
            // its own heap): `-j 1000` took 26 s where `-j 2` took 0.2 s.
            threads: self
                .threads
                .unwrap_or_else(scan::default_threads)
                .clamp(1, 4 * scan::default_threads()),
            own_files,
            project_file: project.map(|p| p.path.clone()),
            isolated: self.isolated,
        }
    }
}

/// A path from a `--files-from` list, byte for byte where the platform allows.
fn path_of_bytes(b: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}` (e.g. 10s, 500ms, 2m)"))?;
    let ms = match unit.trim() {
        "" | "s" => n.checked_mul(1000),
        "ms" => Some(n),
        "m" => n.checked_mul(60_000),
        _ => None,
    }
    .ok_or_else(|| format!("invalid duration `{s}` (e.g. 10s, 500ms, 2m)"))?;
    Ok(std::time::Duration::from_millis(ms))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let m = match t[i..].to_ascii_lowercase().as_str() {
                "k" | "kb" | "kib" => 1024,
                "m" | "mb" | "mib" => 1024 * 1024,
                "g" | "gb" | "gib" => 1024 * 1024 * 1024,
                "b" => 1,
                u => return Err(format!("unknown size unit `{u}` (use K, M or G)")),
            };
            (&t[..i], m)
        }
        None => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("`{s}` is not a size (e.g. 5M, 512K, 1048576)"))
}

/// mimalloc: allocation-heavy analysis (facts are many small trees) spends
/// far less time in the allocator than with the system one.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    orgtoken::memory::configure();
    // Panics are caught where they happen (per file, per call, per output)
    // and reported as notes or errors. The default hook would print the
    // payload, which can quote the input (a slice error quotes the text
    // around it, a token with it): only the place is printed.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("orgtoken: internal error{at} (a bug: please report it)");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Rules { triggers: true, .. } => {
            for t in &catalog().triggers {
                println!("{t}");
            }
            ExitCode::SUCCESS
        }
        Command::Rules { format, .. } => {
            print_rules(format);
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match catalog()
            .rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(&rule) || r.name.eq_ignore_ascii_case(&rule))
        {
            Some(r) => {
                print!("{}", r.help_markdown);
                ExitCode::SUCCESS
            }
            None => {
                error(&format!("unknown rule `{rule}`; `orgtoken rules` lists them"));
                ExitCode::from(2)
            }
        },
        Command::Scan(args) if args.tree.repos_from.is_some() => multirepo_cli::scan(args),
        Command::Scan(args) => run_scan(args),
        Command::Inventory(args) if args.tree.repos_from.is_some() => multirepo_cli::inventory(args),
        Command::Inventory(args) => run_inventory(args),
        Command::Merge(args) => multirepo_cli::merge(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "orgtoken", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man { dir } => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let written = match &dir {
                Some(d) => std::fs::create_dir_all(d).and_then(|()| clap_mangen::generate_to(cmd, d)),
                None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
            };
            match written {
                Ok(()) => ExitCode::SUCCESS,
                // `orgtoken man | head`: the reader has what it wanted.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    let at = dir.map(|d| format!(" to `{}`", d.display())).unwrap_or_default();
                    error(&format!("cannot write the manual page{at}: {e}"));
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn print_rules(format: RulesFormat) {
    let c = catalog();
    match format {
        RulesFormat::Text => {
            for r in &c.rules {
                let note = if r.active { "" } else { " (not active yet)" };
                println!("{}  {:<30} {:<8} {}{note}", r.id, r.name, r.level.name(), r.short);
            }
            println!("\nData centers (every host: `orgtoken rules --format json`):");
            for dc in &c.data_centers {
                let api: Vec<&str> = dc.api.values().flatten().map(String::as_str).collect();
                println!(
                    "{:<4} {:<4} {}  accounts: {}",
                    dc.id,
                    dc.name,
                    api.join(" "),
                    dc.accounts.join(" ")
                );
            }
        }
        RulesFormat::Json => {
            let v: Vec<serde_json::Value> = c
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "name": r.name, "level": r.level.name(), "active": r.active,
                        "short": r.short, "full": r.full, "help": r.help_markdown,
                        "help_uri": r.help_uri(), "tags": r.tags,
                        "security_severity": r.security_severity,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "rules": v,
                "data_centers": c.data_centers,
                "org_selectors": c.org,
                "sources": c.sources,
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("serialisable"));
        }
    }
}

/// The project file in effect for `roots`, read but not applied.
fn find_project(config: Option<&PathBuf>, isolated: bool, roots: &[PathBuf]) -> Result<Option<Project>, String> {
    if isolated {
        return Ok(None);
    }
    let first = roots.first().map_or(Path::new("."), PathBuf::as_path);
    let Some(path) = config.cloned().or_else(|| project::discover(first)) else {
        return Ok(None);
    };
    Project::load(&path).map(Some)
}

/// The project file in effect, with the catalog extended as it asks.
fn load_project(config: Option<&PathBuf>, isolated: bool, roots: &[PathBuf]) -> Result<Option<Project>, String> {
    let Some(mut p) = find_project(config, isolated, roots)? else {
        return Ok(None);
    };
    let path = p.path.clone();
    let ext = p.extension();
    if !ext.hosts.is_empty() || !ext.token_names.is_empty() {
        orgtoken::catalog::install(&ext).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    p.check_rule_ids()?;
    Ok(Some(p))
}

/// Scans the tree with a progress line, and notes the named files that are
/// missing. An error, or a walk that found nothing to scan, is exit 2.
fn scan_tree(tree: &mut TreeArgs, opts: &scan::ScanOptions) -> Result<scan::ScanResult, ExitCode> {
    let progress = Progress::start();
    let result = scan::scan(opts);
    progress.done();
    let mut result = result.map_err(|e| {
        error(&e);
        ExitCode::from(2)
    })?;
    tree.note_missing(&mut result);
    if let Some(why) = result.nothing_scanned.as_ref().filter(|_| !tree.empty_list()) {
        nothing_scanned(why);
        return Err(ExitCode::from(2));
    }
    Ok(result)
}

fn run_inventory(mut args: InventoryArgs) -> ExitCode {
    let prepared = args.tree.read_files_from().and_then(|()| args.tree.prepare(Vec::new()));
    let (_, opts) = match prepared {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let result = match scan_tree(&mut args.tree, &opts) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let dest = match &args.output {
        Some(path) => Dest::File(path.clone()),
        None => Dest::Stdout,
    };
    if !emit(&dest, "inventory", |out| {
        out.push_str(&report::inventory::render(args.format, &result))
    }) {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Prints an error on stderr, with token shapes masked and hostile
/// characters escaped (it may quote a path or an argument).
fn error(message: &str) {
    eprintln!(
        "error: {}",
        orgtoken::redact::mask_output(orgtoken::walk::escape_controls(message))
    );
}

/// An empty walk is no clean pass: a warning that names the reason (exit 2,
/// no report written).
fn nothing_scanned(why: &str) {
    eprintln!(
        "warning: nothing was scanned: {}",
        orgtoken::redact::mask_output(orgtoken::walk::escape_controls(why))
    );
}

/// Writes one output to its destination as it is rendered, through
/// [`report::Out`] (token shapes masked last, whatever put them there). A
/// panic in the reporter or a write error costs this output alone: a
/// message, `false`, and no partial file left behind.
fn emit(dest: &Dest, what: &str, write: impl FnOnce(&mut report::Out)) -> bool {
    let run = |sink: &mut dyn Write| -> Result<(), String> {
        let mut out = report::Out::new(sink);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(&mut out))).map_err(|_| {
            format!(
                "internal error while rendering the {what} (a bug: please report it); the other outputs were written"
            )
        })?;
        match out.finish() {
            // A reader that stopped early (`| head`) is no failure.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
            _ => Ok(()),
        }
    };
    let outcome = match dest {
        Dest::Stdout => run(&mut std::io::stdout().lock()),
        Dest::File(path) => std::fs::File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|mut file| {
                run(&mut file).inspect_err(|_| {
                    // Half a report reads as a whole one: a regular file is
                    // removed (a device or a pipe is left alone).
                    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
                        let _ = std::fs::remove_file(path);
                    }
                })
            })
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
    };
    match outcome {
        Ok(()) => true,
        Err(e) => {
            error(&e);
            false
        }
    }
}

/// [`emit`] for one scan report.
fn emit_report(dest: &Dest, format: Format, result: &scan::ScanResult, opts: &RenderOptions) -> bool {
    emit(dest, &format!("{} output", format.name()), |out| {
        report::write(format, result, opts, out)
    })
}

/// `--add-noqa`: writes the comments, says what it did and what it could not.
fn add_noqa(result: &scan::ScanResult, quiet: bool) -> ExitCode {
    let outcome = orgtoken::noqa::add(result);
    for s in &outcome.skipped {
        eprintln!(
            "note: {}",
            orgtoken::redact::mask_output(orgtoken::walk::escape_controls(s))
        );
    }
    for e in &outcome.errors {
        error(e);
    }
    if !quiet {
        let comments = if outcome.added == 1 { "comment" } else { "comments" };
        let files = if outcome.files == 1 { "file" } else { "files" };
        let left = if outcome.skipped.is_empty() {
            String::new()
        } else {
            format!("; {} left without one (see the notes)", outcome.skipped.len())
        };
        eprintln!(
            "orgtoken: added {} suppression {comments} in {} {files}{left}; replace `{}` with the reason",
            outcome.added,
            outcome.files,
            orgtoken::noqa::PLACEHOLDER
        );
    }
    ExitCode::from(if outcome.errors.is_empty() { 0 } else { 2 })
}

/// What `scan` needs before it walks: every argument, file and revision it
/// names, checked. Any error here costs no scan and writes nothing.
struct Prepared {
    outputs: Outputs,
    project: Option<project::Project>,
    opts: scan::ScanOptions,
    filter: FilterOptions,
    changed: Option<orgtoken::changes::Changes>,
}

fn prepare_scan(args: &mut ScanArgs) -> Result<Prepared, String> {
    args.tree.read_files_from()?;
    // The baseline names hosts and token identities but is no part of the
    // code under audit.
    let base = orgtoken::walk::PathBase::of(&args.tree.roots());
    let ours = [&args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .map(|p| globset::escape(&base.show(p)))
        .collect();
    // Every report destination is checked before anything is scanned: a bad
    // `--output` costs no scan and writes nothing.
    let outputs = parse_outputs(args.format, &args.output)?;
    let (project, opts) = args.tree.prepare(ours)?;
    let selectors = Selectors {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    let selection = Selection::resolve(&selectors, project.as_ref().map(|p| &p.config.rules))?;
    let baseline = match &args.baseline {
        Some(p) => Some((
            project::read_user_file(p)
                .and_then(|t| baseline::parse(&t))
                .map_err(|e| format!("baseline `{}`: {e}", p.display()))?,
            p.display().to_string(),
        )),
        None => None,
    };
    let changed = match &args.changed_since {
        Some(rev) => Some(
            orgtoken::changes::changed_since(rev, opts.roots.first().map_or(Path::new("."), PathBuf::as_path))
                .map_err(|e| format!("--changed-since {rev}: {e}"))?,
        ),
        None => None,
    };
    let filter = FilterOptions {
        report_unused_suppressions: args.report_unused_suppressions,
        baseline,
        project: project.clone(),
        selection: Some(selection),
        changed: None,
    };
    Ok(Prepared {
        outputs,
        project,
        opts,
        filter,
        changed,
    })
}

fn run_scan(mut args: ScanArgs) -> ExitCode {
    let Prepared {
        outputs,
        project,
        opts,
        mut filter,
        changed,
    } = match prepare_scan(&mut args) {
        Ok(p) => p,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let mut result = match scan_tree(&mut args.tree, &opts) {
        Ok(r) => r,
        Err(code) => return code,
    };
    filter.changed = changed.map(|c| {
        result.notes.push(orgtoken::finding::Note::new("", c.note));
        result.notes.sort();
        c.files
    });
    filter::apply(&mut result, &filter);
    if args.add_noqa {
        return add_noqa(&result, args.quiet);
    }
    let mut failed = !emit_outputs(&args, &outputs, &result);
    if let Some(path) = &args.write_baseline {
        let b = baseline::of(&result);
        if !emit(&Dest::File(path.clone()), "baseline", |out| {
            out.push_str(&baseline::to_json(&b))
        }) {
            failed = true;
        } else if !args.quiet {
            eprintln!(
                "orgtoken: wrote {} baseline entries to {}",
                b.entries.len(),
                path.display()
            );
        }
        return ExitCode::from(if failed { 2 } else { 0 });
    }
    if failed {
        return ExitCode::from(2);
    }
    let fail_on = args
        .fail_on
        .or(project.as_ref().and_then(|p| p.config.fail_on))
        .unwrap_or(FailOn::Error);
    let threshold = match fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| result.findings.iter().any(|f| f.level >= t));
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes every report of a scan, and the summary line on stderr; whether
/// all of them were written. Each output stands alone: one that cannot be
/// rendered or written costs that output (with a message), never the
/// others.
fn emit_outputs(args: &ScanArgs, outputs: &Outputs, result: &scan::ScanResult) -> bool {
    let to_tty = std::io::stdout().is_terminal();
    let env = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
    let color = outputs.main == Dest::Stdout
        && args
            .color
            .resolve(to_tty, env("NO_COLOR").as_deref(), env("FORCE_COLOR").as_deref());
    let opts = RenderOptions {
        color,
        width: 100,
        quiet: args.quiet,
        statistics: args.statistics,
        drop_suppressed: args.sarif_drop_suppressed,
    };
    let file_opts = RenderOptions { color: false, ..opts };
    // `--repository`: the JSON records it, with the bindings `merge` needs.
    let emit_report =
        |dest: &Dest, format: Format, result: &scan::ScanResult, opts: &RenderOptions| match &args.repository {
            Some(name) if format == Format::Json => emit(dest, "json output", |out| {
                orgtoken::multirepo::write_with_repository(result, name, out)
            }),
            _ => emit_report(dest, format, result, opts),
        };
    let mut ok = true;
    for (format, dest) in &outputs.extra {
        ok &= emit_report(dest, *format, result, &file_opts);
    }
    let main_format = outputs.format;
    let to_file = matches!(outputs.main, Dest::File(_));
    ok &= emit_report(
        &outputs.main,
        main_format,
        result,
        if to_file { &file_opts } else { &opts },
    );
    // A human report on stdout ends with its own summary.
    if !args.quiet && (to_file || !main_format.is_human()) {
        if args.statistics && !main_format.is_human() {
            eprint!("{}", report::statistics(result));
        }
        eprintln!("{}", report::summary_line(result));
    }
    ok
}
