//! The command-line side of many repositories (`scan --repos-from`,
//! `inventory --repos-from`, `merge`): reads the list or the files, scans
//! each repository as `scan` would scan it alone, and writes the reports
//! `orgtoken::multirepo` renders. Part of the binary: it reuses `main`'s
//! argument types and output plumbing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use orgtoken::catalog::{Extension, Level};
use orgtoken::filter::{self, FilterOptions};
use orgtoken::finding::Note;
use orgtoken::multirepo::{self, Repo};
use orgtoken::project::FailOn;
use orgtoken::report::inventory::InventoryFormat;
use orgtoken::report::{Format, RenderOptions};
use orgtoken::scan::{self, ScanOptions};
use orgtoken::select::{Selection, Selectors};

use super::{
    emit, error, find_project, nothing_scanned, parse_outputs, ColorChoice, Dest, InventoryArgs, Outputs, Progress,
    ScanArgs, TreeArgs,
};

#[derive(clap::Args)]
pub struct MergeArgs {
    /// JSON results of `orgtoken scan --format json` (one per repository;
    /// `--repository NAME` records the name, else the file's path without
    /// `.json` names it), reported in the order given.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format: a scan format (human, json, sarif, concise, github,
    /// junit, markdown; default human), or with --inventory an inventory
    /// format (human, json, markdown, mermaid, dot).
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Write the report to FILE; FORMAT=FILE (repeatable) writes another
    /// format beside it, as for `scan`.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    output: Vec<String>,
    /// Write the merged inventory (every token identity, the repositories
    /// and environments it reaches) instead of the findings.
    #[arg(long)]
    inventory: bool,
    /// Exit 1 when a finding at or above this level is in any result.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Print counts per rule and per environment before the summary line.
    #[arg(long)]
    statistics: bool,
    /// Leave suppressed results out of SARIF output.
    #[arg(long)]
    sarif_drop_suppressed: bool,
    /// Print only findings (no notes or summary line).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Colour the report on standard output: auto, always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// One listed repository, before its scan.
struct Planned {
    name: String,
    /// As listed.
    path: PathBuf,
    opts: ScanOptions,
    /// Notes of its own: the baseline it did not find, the `--changed-since`
    /// comparison.
    notes: Vec<Note>,
    filter: FilterOptions,
    /// The level at which it fails (`--fail-on`, else its project file's).
    threshold: Option<Level>,
}

fn threshold(f: FailOn) -> Option<Level> {
    match f {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Never => None,
    }
}

/// A repository that could not be scanned, and why.
type RepoError = (String, String);

/// The `--repos-from` list: every repository's name in order, and the
/// entries, each checked to exist. A missing one is an error naming it
/// (returned apart: the others are still scanned).
#[allow(clippy::type_complexity)]
fn read_repos(tree: &TreeArgs) -> Result<(Vec<String>, Vec<(String, PathBuf)>, Vec<RepoError>), String> {
    let from = tree.repos_from.as_ref().expect("called with --repos-from");
    let bytes = orgtoken::walk::read_list_file("--repos-from", from)?;
    let text = String::from_utf8(bytes).map_err(|_| format!("--repos-from `{}`: not UTF-8", from.display()))?;
    let entries = multirepo::read_list(&text);
    if entries.is_empty() {
        return Err(format!("--repos-from `{}` lists no repository", from.display()));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut order = Vec::new();
    let mut repos = Vec::new();
    let mut errors = Vec::new();
    for e in entries {
        let name = multirepo::name_of_path(&e);
        if !seen.insert(name.clone()) {
            return Err(format!("--repos-from `{}` lists `{name}` twice", from.display()));
        }
        order.push(name.clone());
        let path = PathBuf::from(&e);
        if std::fs::symlink_metadata(&path).is_err() {
            errors.push((
                name,
                format!("listed in --repos-from `{}` but does not exist", from.display()),
            ));
            continue;
        }
        repos.push((name, path));
    }
    Ok((order, repos, errors))
}

/// Reads each listed repository's project file, extends the catalog with
/// all of them (it is one per process), and prepares each scan as `scan`
/// alone would. Errors that belong to one repository are returned apart.
fn plan(
    tree: &TreeArgs,
    repos: Vec<(String, PathBuf)>,
    scan_args: Option<&ScanArgs>,
) -> Result<(Vec<Planned>, Vec<RepoError>), String> {
    let mut errors = Vec::new();
    let mut found = Vec::new();
    let mut ext = Extension::default();
    let mut host_from: Vec<PathBuf> = Vec::new();
    for (name, path) in repos {
        match find_project(tree.config.as_ref(), tree.isolated, std::slice::from_ref(&path)) {
            Ok(p) => {
                if let Some(p) = &p {
                    let e = p.extension();
                    for h in e.hosts {
                        // One catalog per process: a host two project files
                        // map differently cannot be both.
                        if let Some((other, from)) = ext.hosts.iter().zip(&host_from).find(|(o, _)| o.0 == h.0) {
                            if *other != h {
                                return Err(format!(
                                    "extra host `{}` is mapped differently by `{}` and `{}`; with --repos-from every listed repository's extra hosts apply to all of them: scan these repositories apart",
                                    h.0,
                                    from.display(),
                                    p.path.display()
                                ));
                            }
                            continue;
                        }
                        ext.hosts.push(h);
                        host_from.push(p.path.clone());
                    }
                    for t in e.token_names {
                        if !ext.token_names.contains(&t) {
                            ext.token_names.push(t);
                        }
                    }
                }
                found.push((name, path, p));
            }
            Err(e) => errors.push((name, e)),
        }
    }
    if !ext.hosts.is_empty() || !ext.token_names.is_empty() {
        orgtoken::catalog::install(&ext).map_err(|e| format!("the repositories' project files: {e}"))?;
    }
    orgtoken::budget::set_work_limit(tree.work_budget);
    let selectors = scan_args.map(|a| Selectors {
        select: (!a.select.is_empty()).then(|| a.select.clone()),
        extend_select: a.extend_select.clone(),
        ignore: a.ignore.clone(),
    });
    // An unknown selector is a usage error before anything is scanned.
    if let Some(s) = &selectors {
        Selection::resolve(s, None)?;
    }
    if let Some(b) = scan_args.and_then(|a| a.baseline.as_ref()).filter(|b| b.is_absolute()) {
        return Err(format!(
            "--baseline `{}`: with --repos-from, name the baseline's path inside each repository",
            b.display()
        ));
    }
    let mut planned = Vec::new();
    for (name, path, mut project) in found {
        let mut one = || -> Result<Planned, String> {
            if let Some(p) = project.as_mut() {
                p.check_rule_ids()?;
            }
            let mut ours = Vec::new();
            let mut baseline = None;
            let mut notes = Vec::new();
            if let Some(b) = scan_args.and_then(|a| a.baseline.as_ref()) {
                let at = path.join(b);
                let base = orgtoken::walk::PathBase::of(std::slice::from_ref(&path));
                ours.push(globset::escape(&base.show(&at)));
                if at.exists() {
                    let parsed = orgtoken::project::read_user_file(&at)
                        .and_then(|t| orgtoken::baseline::parse(&t))
                        .map_err(|e| format!("baseline `{}`: {e}", at.display()))?;
                    baseline = Some((parsed, at.display().to_string()));
                } else {
                    notes.push(Note {
                        path: String::new(),
                        message: format!("no baseline `{}` in this repository; scanned without one", b.display()),
                    });
                }
            }
            let changed = match scan_args.and_then(|a| a.changed_since.as_ref()) {
                Some(rev) => {
                    let c = orgtoken::changes::changed_since(rev, &path)
                        .map_err(|e| format!("--changed-since {rev}: {e}"))?;
                    notes.push(Note {
                        path: String::new(),
                        message: c.note,
                    });
                    Some(c.files)
                }
                None => None,
            };
            let selection = match &selectors {
                Some(s) => Some(Selection::resolve(s, project.as_ref().map(|p| &p.config.rules))?),
                None => None,
            };
            let fail_on = scan_args
                .and_then(|a| a.fail_on)
                .or(project.as_ref().and_then(|p| p.config.fail_on))
                .unwrap_or(FailOn::Error);
            let opts = tree.options(vec![path.clone()], project.as_ref(), ours);
            Ok(Planned {
                name: name.clone(),
                path: path.clone(),
                opts,
                notes,
                filter: FilterOptions {
                    report_unused_suppressions: scan_args.is_some_and(|a| a.report_unused_suppressions),
                    baseline,
                    project: project.clone(),
                    selection,
                    changed,
                },
                threshold: threshold(fail_on),
            })
        };
        match one() {
            Ok(p) => planned.push(p),
            Err(e) => errors.push((name, e)),
        }
    }
    Ok((planned, errors))
}

/// Scans every planned repository, `threads` workers in all: as many
/// repositories at once as there are threads (at most), each with its
/// share. Results come back in the list's order, whatever finished first.
fn scan_all(planned: &mut [Planned], threads: usize) -> Vec<Result<scan::ScanResult, String>> {
    let n = planned.len();
    if n == 0 {
        return Vec::new();
    }
    let workers = threads.clamp(1, n);
    let each = (threads / workers).max(1);
    for p in planned.iter_mut() {
        p.opts.threads = each;
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<scan::ScanResult, String>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let planned = &*planned;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let r = std::panic::catch_unwind(|| scan::scan(&planned[i].opts))
                    .unwrap_or_else(|_| Err("internal error during the scan (a bug: please report it)".into()));
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err("not scanned".into()))
        })
        .collect()
}

/// Scans the planned repositories: their results (filtered as `scan`
/// filters one) with each one's fail level; errors apart.
fn scan_planned(
    mut planned: Vec<Planned>,
    tree: &TreeArgs,
    scan_args: Option<&ScanArgs>,
    errors: &mut Vec<RepoError>,
) -> Vec<(Repo, Option<Level>)> {
    let threads = tree
        .threads
        .unwrap_or_else(scan::default_threads)
        .clamp(1, 4 * scan::default_threads());
    let progress = Progress::start();
    let results = scan_all(&mut planned, threads);
    progress.done();
    let mut out = Vec::new();
    for (p, r) in planned.into_iter().zip(results) {
        let mut result = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push((p.name, e));
                continue;
            }
        };
        if let Some(why) = &result.nothing_scanned {
            nothing_scanned(&format!("repository `{}`: {why}", p.name));
            errors.push((p.name, format!("nothing was scanned: {why}")));
            continue;
        }
        result.notes.extend(p.notes);
        result.notes.sort();
        if scan_args.is_some() {
            filter::apply(&mut result, &p.filter);
        }
        let within = |listed: &Path, base: &Path| {
            std::fs::canonicalize(listed)
                .ok()
                .and_then(|l| l.strip_prefix(base).ok().map(Path::to_path_buf))
                .map(|rel| {
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default()
        };
        let within = within(&p.path, &result.base.dir);
        out.push((
            Repo {
                name: p.name,
                result,
                from_json: false,
                has_inventory: true,
                within,
            },
            p.threshold,
        ));
    }
    out
}

/// Prints the errors (the empty walks were warned about already).
fn report_errors(errors: &[RepoError]) {
    for (name, e) in errors.iter().filter(|(_, e)| !e.starts_with("nothing was scanned: ")) {
        error(&format!("repository `{name}`: {e}; not scanned"));
    }
}

/// The results in the list's order, each repository that could not be
/// scanned in its place with a note saying why (a JSON reader sees it).
fn in_order(order: &[String], results: Vec<(Repo, Option<Level>)>, errors: &[RepoError]) -> Vec<(Repo, Option<Level>)> {
    let mut by_name: std::collections::HashMap<String, (Repo, Option<Level>)> =
        results.into_iter().map(|r| (r.0.name.clone(), r)).collect();
    order
        .iter()
        .map(|name| {
            by_name.remove(name).unwrap_or_else(|| {
                let mut result = multirepo::empty_result();
                for (_, e) in errors.iter().filter(|(n, _)| n == name) {
                    result.notes.push(Note {
                        path: String::new(),
                        message: if e.starts_with("nothing was scanned: ") {
                            e.clone()
                        } else {
                            format!("not scanned: {e}")
                        },
                    });
                }
                let repo = Repo {
                    name: name.clone(),
                    result,
                    from_json: false,
                    has_inventory: true,
                    within: String::new(),
                };
                (repo, None)
            })
        })
        .collect()
}

/// `orgtoken scan --repos-from FILE`.
pub fn scan(args: ScanArgs) -> ExitCode {
    let outputs = match parse_outputs(args.format, &args.output) {
        Ok(o) => o,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    if args.write_baseline.is_some() || args.add_noqa {
        error("--write-baseline and --add-noqa work on one repository at a time, not with --repos-from");
        return ExitCode::from(2);
    }
    let (order, repos, mut errors) = match read_repos(&args.tree) {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let (planned, plan_errors) = match plan(&args.tree, repos, Some(&args)) {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    errors.extend(plan_errors);
    let results = scan_planned(planned, &args.tree, Some(&args), &mut errors);
    let results = in_order(&order, results, &errors);
    let (repos, thresholds): (Vec<Repo>, Vec<Option<Level>>) = results.into_iter().unzip();
    let failed = write_reports(
        &repos,
        &outputs,
        args.color,
        file_options(args.quiet, args.statistics, args.sarif_drop_suppressed),
    );
    report_errors(&errors);
    let pairs: Vec<(&Repo, Option<Level>)> = repos.iter().zip(thresholds).collect();
    exit(failed || !errors.is_empty(), multirepo::failing(&pairs))
}

fn exit(failed: bool, failing: bool) -> ExitCode {
    ExitCode::from(if failed {
        2
    } else if failing {
        1
    } else {
        0
    })
}

/// Writes a report of every repository (see `main::emit`: a panic or a
/// write error costs this output alone; token shapes masked as it goes).
fn emit_report(dest: &Dest, format: Format, repos: &[Repo], opts: &RenderOptions) -> bool {
    emit(dest, &format!("{} output", format.name()), |out| {
        multirepo::write(format, repos, opts, out)
    })
}

/// Writes every output as `scan` does; `true` when one failed.
/// Render options for files (never coloured; `write_reports` colours the
/// report on a terminal).
fn file_options(quiet: bool, statistics: bool, drop_suppressed: bool) -> RenderOptions {
    RenderOptions {
        color: false,
        width: 100,
        quiet,
        statistics,
        drop_suppressed,
    }
}

fn write_reports(repos: &[Repo], outputs: &Outputs, color: ColorChoice, base: RenderOptions) -> bool {
    let to_tty = std::io::stdout().is_terminal();
    let env = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
    let color = outputs.main == Dest::Stdout
        && color.resolve(to_tty, env("NO_COLOR").as_deref(), env("FORCE_COLOR").as_deref());
    let opts = RenderOptions { color, ..base };
    let file_opts = RenderOptions { color: false, ..opts };
    let mut failed = false;
    for (format, dest) in &outputs.extra {
        failed |= !emit_report(dest, *format, repos, &file_opts);
    }
    let main_format = outputs.format;
    let summary_on_stderr = match &outputs.main {
        Dest::File(_) => {
            failed |= !emit_report(&outputs.main, main_format, repos, &file_opts);
            true
        }
        Dest::Stdout => {
            failed |= !emit_report(&outputs.main, main_format, repos, &opts);
            !main_format.is_human()
        }
    };
    if summary_on_stderr && !opts.quiet {
        if opts.statistics && !(main_format.is_human() && outputs.main == Dest::Stdout) {
            eprint!("{}", orgtoken::redact::mask_output(multirepo::statistics(repos)));
        }
        eprintln!("{}", orgtoken::redact::mask_output(multirepo::summary_line(repos)));
    }
    failed
}

/// `orgtoken inventory --repos-from FILE`.
pub fn inventory(args: InventoryArgs) -> ExitCode {
    let (order, repos, mut errors) = match read_repos(&args.tree) {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    let (planned, plan_errors) = match plan(&args.tree, repos, None) {
        Ok(x) => x,
        Err(e) => {
            error(&e);
            return ExitCode::from(2);
        }
    };
    errors.extend(plan_errors);
    let results = scan_planned(planned, &args.tree, None, &mut errors);
    let results = in_order(&order, results, &errors);
    let repos: Vec<Repo> = results.into_iter().map(|(r, _)| r).collect();
    let failed = !write_inventory(&repos, args.format, args.output.as_deref());
    report_errors(&errors);
    exit(failed || !errors.is_empty(), false)
}

/// Writes the merged inventory; `false` when it could not be.
fn write_inventory(repos: &[Repo], format: InventoryFormat, output: Option<&Path>) -> bool {
    let dest = output.map_or(Dest::Stdout, |p| Dest::File(p.to_path_buf()));
    emit(&dest, "inventory", |out| {
        out.push_str(&multirepo::inventory(format, repos))
    })
}

/// `orgtoken merge FILE…`.
pub fn merge(args: MergeArgs) -> ExitCode {
    let inventory_format = if args.inventory {
        if args.output.len() > 1 || args.output.iter().any(|o| o.contains('=')) {
            error("`merge --inventory` writes one inventory: give --output one FILE");
            return ExitCode::from(2);
        }
        let name = args.format.as_deref().unwrap_or("human");
        match <InventoryFormat as clap::ValueEnum>::from_str(name, true) {
            Ok(f) => Some(f),
            Err(_) => {
                error(&format!(
                    "`--format {name}`: unknown inventory format (one of human, json, markdown, mermaid, dot)"
                ));
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let outputs = if inventory_format.is_some() {
        None
    } else {
        let format = match args.format.as_deref().map(|n| (n, Format::from_name(n))) {
            None => None,
            Some((_, Some(f))) => Some(f),
            Some((n, None)) => {
                let known: Vec<&str> = Format::all().iter().map(|f| f.name()).collect();
                error(&format!("`--format {n}`: unknown format (one of {})", known.join(", ")));
                return ExitCode::from(2);
            }
        };
        match parse_outputs(format, &args.output) {
            Ok(o) => Some(o),
            Err(e) => {
                error(&e);
                return ExitCode::from(2);
            }
        }
    };
    let mut repos: Vec<Repo> = Vec::new();
    for file in &args.files {
        let shown = file.display().to_string();
        let text = match std::fs::read(file) {
            Ok(b) => match String::from_utf8(b) {
                Ok(t) => t,
                Err(_) => {
                    error(&format!("`{shown}`: not UTF-8, so not an orgtoken JSON result"));
                    return ExitCode::from(2);
                }
            },
            Err(e) => {
                error(&format!("`{shown}`: {}", orgtoken::walk::io_reason(&e)));
                return ExitCode::from(2);
            }
        };
        let repo = match multirepo::parse_result(&text, &multirepo::name_of_file(&shown)) {
            Ok(r) => r,
            Err(e) => {
                error(&format!("`{shown}`: {e}"));
                return ExitCode::from(2);
            }
        };
        if let Some(other) = repos.iter().position(|r| r.name == repo.name) {
            error(&format!(
                "`{shown}` and `{}` are both results of repository `{}`",
                args.files[other].display(),
                repo.name
            ));
            return ExitCode::from(2);
        }
        if args.inventory && !repo.has_inventory {
            error(&format!(
                "`{shown}` holds no bindings: write it with `orgtoken scan --format json --repository NAME` for `merge --inventory`"
            ));
            return ExitCode::from(2);
        }
        repos.push(repo);
    }
    if let Some(format) = inventory_format {
        let output = args.output.first().map(PathBuf::from);
        let ok = write_inventory(&repos, format, output.as_deref());
        return exit(!ok, false);
    }
    let outputs = outputs.expect("set without --inventory");
    let failed = write_reports(
        &repos,
        &outputs,
        args.color,
        file_options(args.quiet, args.statistics, args.sarif_drop_suppressed),
    );
    let t = threshold(args.fail_on);
    let pairs: Vec<(&Repo, Option<Level>)> = repos.iter().map(|r| (r, t)).collect();
    exit(failed, multirepo::failing(&pairs))
}
