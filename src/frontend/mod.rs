//! Front-ends: one per input kind, each lowering a syntax tree into the fact
//! model ([`crate::facts`]).
//!
//! The language table lives here, in one place: which extensions map to which
//! front-end. Front-ends are pure functions of one file's text: no printing,
//! no file system, no global state. Deep nesting is cut at [`MAX_DEPTH`] so
//! a pathological file costs a truncated analysis, never a stack overflow
//! (and a note: the cut is recorded in a thread-local flag the scan reads).

pub mod csharp;
mod frame;
pub mod go;
pub mod java;
pub mod javascript;
mod members;
pub mod php;
pub mod python;
#[cfg(test)]
mod robustness;
pub mod ruby;
pub mod rust;
pub mod shell;
pub mod sql;

use crate::facts::{FileFacts, Lang};

/// Lock files whose extension would otherwise name a config front-end.
const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "packages.lock.json",
];

/// The front-end for a path, by file name and extension.
pub fn lang_for_path(path: &str) -> Option<Lang> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower_name = name.to_ascii_lowercase();
    if lower_name == ".env" || lower_name.starts_with(".env.") || lower_name == ".envrc" || lower_name == ".dev.vars" {
        return Some(Lang::Dotenv);
    }
    // Dependency lock files are generated and hold no configuration: text
    // only (their size would make them the slowest files of a scan).
    if LOCK_FILES.contains(&lower_name.as_str()) {
        return None;
    }
    let ext = lower_name.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "py" | "pyw" | "pyi" => Some(Lang::Python),
        "js" | "mjs" | "cjs" | "jsx" => Some(Lang::JavaScript),
        "ts" | "mts" | "cts" | "tsx" => Some(Lang::TypeScript),
        "rs" => Some(Lang::Rust),
        "java" => Some(Lang::Java),
        "php" => Some(Lang::Php),
        "cs" => Some(Lang::CSharp),
        "go" => Some(Lang::Go),
        "rb" | "rake" => Some(Lang::Ruby),
        "sh" | "bash" | "zsh" => Some(Lang::Shell),
        "env" => Some(Lang::Dotenv),
        "yaml" | "yml" => Some(Lang::Yaml),
        "json" => Some(Lang::Json),
        "toml" => Some(Lang::Toml),
        "tfvars" | "tf" => Some(Lang::Hcl),
        "ini" | "cfg" | "conf" | "properties" => Some(Lang::Ini),
        "sql" => Some(Lang::Sql),
        _ => None,
    }
}

/// The tree-sitter grammar of a language's front-end (`None`: the front-end
/// has another parser). JavaScript and TypeScript pick theirs by extension
/// (`.tsx` is TSX).
pub fn grammar(lang: Lang, path: &str) -> Option<tree_sitter::Language> {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    Some(match lang {
        Lang::Python => tree_sitter_python::LANGUAGE.into(),
        Lang::JavaScript | Lang::TypeScript => match ext.as_str() {
            "tsx" => tree_sitter_typescript::LANGUAGE_TSX.into(),
            "ts" | "mts" | "cts" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            "js" | "jsx" | "mjs" | "cjs" => tree_sitter_javascript::LANGUAGE.into(),
            _ if lang == Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            _ => tree_sitter_javascript::LANGUAGE.into(),
        },
        Lang::Java => tree_sitter_java::LANGUAGE.into(),
        Lang::Php => tree_sitter_php::LANGUAGE_PHP.into(),
        Lang::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
        Lang::Go => tree_sitter_go::LANGUAGE.into(),
        Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
        Lang::Shell => tree_sitter_bash::LANGUAGE.into(),
        _ => return None,
    })
}

/// Code files larger than this are checked for minification.
const MINIFIED_MIN_BYTES: usize = 32 * 1024;
/// Average line length (bytes) above which code is minified or generated:
/// hand-written code averages well under 100.
const MINIFIED_AVG_LINE: usize = 300;

/// Why a code file is not lowered: it is a minified bundle (`*.min.js`, or
/// lines far longer than anyone writes). Such files are build output that
/// repeats the source; parsing them costs seconds and memory per megabyte,
/// so they are scanned for token literals only. Config files never are.
pub fn minified(lang: Lang, path: &str, text: &str) -> Option<String> {
    if lang.is_config() {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.contains(".min.") {
        return Some("minified (`.min.` file)".into());
    }
    if text.len() < MINIFIED_MIN_BYTES {
        return None;
    }
    let lines = text.lines().count().max(1);
    let avg = text.len() / lines;
    (avg > MINIFIED_AVG_LINE).then(|| format!("minified or generated (average line {avg} bytes)"))
}

/// The front-end for a file without an extension, by its `#!` line:
/// `#!/bin/sh`, `#!/usr/bin/env bash`, `#!/bin/zsh -e` are shell scripts.
pub fn lang_for_shebang(path: &str, text: &str) -> Option<Lang> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.trim_start_matches('.').contains('.') {
        return None;
    }
    let first = text.lines().next()?.strip_prefix("#!")?;
    let mut words = first.split_whitespace();
    let mut prog = words.next()?.rsplit('/').next()?;
    if prog == "env" {
        prog = words.find(|w| !w.starts_with('-'))?;
    }
    matches!(prog, "sh" | "bash" | "zsh" | "dash" | "ksh").then_some(Lang::Shell)
}

/// What [`lower`] and [`minified`] read of a file's path, besides the
/// language: two files of one language with the same text and the same key
/// lower to the same facts (a scan lowers such copies once). The whole path
/// for configuration files (dialects and profile systems read directory and
/// file names) and settings modules written as code; the extension for
/// JavaScript and TypeScript (the grammar); whether the name says `.min.`;
/// nothing else.
pub fn path_key(lang: Lang, path: &str) -> String {
    let module = match lang {
        Lang::Python => crate::config::modules::is_module("python", path),
        Lang::Ruby => crate::config::modules::is_module("ruby", path),
        _ => false,
    };
    if lang.is_config() || module {
        return path.to_string();
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let min = if name.contains(".min.") { "min:" } else { "" };
    match lang {
        Lang::JavaScript | Lang::TypeScript => {
            format!("{min}{}", name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default())
        }
        _ => min.to_string(),
    }
}

/// Lowers one file. `path` selects the dialect (TSX vs TS).
pub fn lower(lang: Lang, path: &str, text: &str) -> FileFacts {
    let mut facts = lower_lang(lang, path, text);
    // Settings written as code (Django settings, Rails environments).
    match lang {
        Lang::Python => crate::config::modules::lower("python", path, &mut facts),
        Lang::Ruby => crate::config::modules::lower("ruby", path, &mut facts),
        _ => {}
    }
    facts.shrink_to_fit();
    if facts.lines.is_empty() {
        facts.lines = std::sync::Arc::new(crate::facts::Lines::new(text));
    }
    facts
}

fn lower_lang(lang: Lang, path: &str, text: &str) -> FileFacts {
    match lang {
        Lang::Python => python::lower(text),
        Lang::JavaScript | Lang::TypeScript => javascript::lower(lang, path, text),
        Lang::Rust => rust::lower(text),
        Lang::Java => java::lower(text),
        Lang::Php => php::lower(text),
        Lang::CSharp => csharp::lower(text),
        Lang::Go => go::lower(text),
        Lang::Ruby => ruby::lower(text),
        Lang::Shell => shell::lower(text),
        Lang::Sql => sql::lower(text),
        Lang::Dotenv | Lang::Yaml | Lang::Json | Lang::Toml | Lang::Ini | Lang::Hcl => {
            crate::config::lower(lang, path, text)
        }
    }
}

/// Helpers shared by the front-ends' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::facts::{Expr, ExprKind, FileFacts, ScopeKind};

    /// `f` with the lines of its text (the scan sets them; a front-end's
    /// own `lower` does not).
    pub fn with_lines(mut f: FileFacts, text: &str) -> FileFacts {
        f.lines = std::sync::Arc::new(crate::facts::Lines::new(text));
        f
    }

    /// The assignments, as `target@scope = value`.
    pub fn assigns(f: &FileFacts) -> Vec<String> {
        f.assigns
            .iter()
            .map(|a| format!("{}@{} = {}", show(&a.target), a.scope, show(&a.value)))
            .collect()
    }

    /// The assignments with their guards, as `target@scope = value if guard`.
    pub fn guarded_assigns(f: &FileFacts) -> Vec<String> {
        f.assigns
            .iter()
            .map(|a| {
                let g = a.guard.as_ref().map(|g| format!(" if {}", show(g))).unwrap_or_default();
                format!("{}@{} = {}{g}", show(&a.target), a.scope, show(&a.value))
            })
            .collect()
    }

    /// The chain-head calls.
    pub fn calls(f: &FileFacts) -> Vec<String> {
        f.calls.iter().map(|c| show(&c.expr)).collect()
    }

    /// The chain-head calls, statements marked with `;`.
    pub fn statement_calls(f: &FileFacts) -> Vec<String> {
        f.calls
            .iter()
            .map(|c| format!("{}{}", show(&c.expr), if c.statement { ";" } else { "" }))
            .collect()
    }

    /// The returns with their guards, as `function: value if guard`.
    pub fn returns(f: &FileFacts) -> Vec<String> {
        f.returns
            .iter()
            .map(|r| {
                let g = r.guard.as_ref().map(|g| format!(" if {}", show(g))).unwrap_or_default();
                format!("{}: {}{g}", f.scopes[r.scope].name, show(&r.value))
            })
            .collect()
    }

    /// Calls `f` with prefixes of every fixture file ending in `.ext`.
    pub fn each_truncation(ext: &str, mut f: impl FnMut(&str)) {
        let mut todo = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        let mut seen = 0;
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    todo.push(p);
                    continue;
                }
                if p.extension().is_none_or(|x| x != ext) {
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let step = (text.len() / 50).max(1);
                for i in (0..=text.len()).step_by(step).filter(|&i| text.is_char_boundary(i)) {
                    f(&text[..i]);
                }
                seen += 1;
            }
        }
        assert!(seen > 5, "fixtures with .{ext} found: {seen}");
    }

    /// The imports, as (local, module, name).
    pub fn imports(f: &FileFacts) -> Vec<(String, String, Option<String>)> {
        f.imports
            .iter()
            .map(|i| (i.local.clone(), i.module.clone(), i.name.clone()))
            .collect()
    }

    /// The first scope named `name`.
    #[track_caller]
    pub fn scope(f: &FileFacts, name: &str) -> usize {
        f.scopes
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no scope {name}"))
    }

    /// The class named `name`.
    #[track_caller]
    pub fn class(f: &FileFacts, name: &str) -> usize {
        f.scopes
            .iter()
            .position(|s| s.kind == ScopeKind::Class && s.name == name)
            .unwrap_or_else(|| panic!("no class {name}"))
    }

    /// Whether `want` is in `list`.
    pub fn has(list: &[String], want: &str) -> bool {
        list.iter().any(|s| s == want)
    }

    /// Asserts that `want` is in `list` (showing the list when not).
    #[track_caller]
    pub fn assert_has(list: &[String], want: &str) {
        assert!(has(list, want), "missing {want} in {list:#?}");
    }

    /// Asserts that every one of `want` is in `list` (showing the ones
    /// missing and the list when not).
    #[track_caller]
    pub fn assert_has_all(list: &[String], want: &[&str]) {
        let missing: Vec<&str> = want.iter().copied().filter(|w| !has(list, w)).collect();
        assert!(missing.is_empty(), "missing {missing:#?} in {list:#?}");
    }

    /// Runs `f` on a thread with `stack` bytes of stack and returns what
    /// it returns (a stack overflow fails the test).
    pub fn on_stack<T: Send + 'static>(stack: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no overflow")
    }

    /// A compact rendering of an expression for assertions.
    pub fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Concat(p) => format!("concat({})", p.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Name(n) => n.clone().into(),
            ExprKind::This => "this".into(),
            ExprKind::Member(o, m) => format!("{}.{m}", show(o)),
            ExprKind::Index(o, i) => format!("{}[{}]", show(o), show(i)),
            ExprKind::Elem(o, i) => format!("{}.{i}", show(o)),
            ExprKind::Call(c) => format!(
                "{}{}({})",
                if c.is_new { "new " } else { "" },
                show(&c.callee),
                c.args
                    .iter()
                    .map(|a| match &a.name {
                        Some(n) => format!("{n}: {}", show(&a.value)),
                        None => show(&a.value),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Dict(p) => format!(
                "{{{}}}",
                p.iter()
                    .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::List(i) => format!("[{}]", i.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Alt { cond, alts } => format!(
                "alt({}{})",
                cond.as_ref().map(|c| format!("{} ? ", show(c))).unwrap_or_default(),
                alts.iter().map(show).collect::<Vec<_>>().join(" | ")
            ),
            ExprKind::Test(o) => format!("test({})", o.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Env(n) => format!("env:{n}"),
            ExprKind::EnvObject => "env:*".into(),
            ExprKind::Secret(n) => n.clone().into(),
            ExprKind::Func(s) => format!("func#{s}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Number => "num".into(),
            ExprKind::Null => "null".into(),
            ExprKind::Format { style, template, args } => format!(
                "format[{style:?}]({}{})",
                show(template),
                args.iter().map(|a| format!(", {}", show(&a.value))).collect::<String>()
            ),
            ExprKind::Unknown => "?".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shebang_names_shell_scripts_without_extension() {
        use super::lang_for_shebang;
        use crate::facts::Lang;
        assert_eq!(lang_for_shebang("bin/deploy", "#!/bin/sh\necho"), Some(Lang::Shell));
        assert_eq!(
            lang_for_shebang("deploy", "#!/usr/bin/env -S bash -e\n"),
            Some(Lang::Shell)
        );
        assert_eq!(lang_for_shebang("deploy", "#!/usr/bin/env python3\n"), None);
        assert_eq!(lang_for_shebang("notes.txt", "#!/bin/sh\n"), None);
        assert_eq!(lang_for_shebang("run", "echo hi\n"), None);
    }

    /// `path_key` holds all that the lowering reads of a path: every fixture
    /// file lowered where it is and where a copy of it would be (another
    /// directory, another name of its kind) gives the same facts whenever
    /// the keys are the same; settings modules and config files keep their
    /// whole path, JavaScript and TypeScript their dialect.
    #[test]
    fn copies_with_one_path_key_lower_alike() {
        use super::{lang_for_path, lower, minified, path_key};
        use crate::facts::Lang;
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    files(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut all = Vec::new();
        files(&root, &mut all);
        all.sort();
        let mut shared = 0;
        for p in all {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            let Some(lang) = lang_for_path(&rel) else { continue };
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let name = rel.rsplit('/').next().unwrap();
            let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
            for other in [format!("copy/of/{rel}"), name.to_string(), format!("x/other.{ext}")] {
                if lang_for_path(&other) != Some(lang) || path_key(lang, &other) != path_key(lang, &rel) {
                    continue;
                }
                shared += 1;
                assert_eq!(
                    minified(lang, &rel, &text),
                    minified(lang, &other, &text),
                    "{rel} / {other}"
                );
                let (a, b) = (lower(lang, &rel, &text), lower(lang, &other, &text));
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "{rel} lowers unlike {other}");
            }
        }
        assert!(shared > 100, "only {shared} copies compared");
        assert_eq!(path_key(Lang::Python, "settings/sandbox.py"), "settings/sandbox.py");
        assert_eq!(path_key(Lang::TypeScript, "a/b.TSX"), "tsx");
        assert_eq!(path_key(Lang::JavaScript, "a/b.min.js"), "min:js");
        assert_eq!(path_key(Lang::Python, "a/b.py"), "");
        assert_eq!(path_key(Lang::Yaml, "a/b.yml"), "a/b.yml");
    }
}
