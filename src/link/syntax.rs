//! Reading syntax the linker needs: method chains, receivers, configuring
//! calls, and the files an import can name.

use std::collections::BTreeSet;

use crate::catalog::catalog;
use crate::facts::*;

/// The calls of a method chain, outermost first: `a.b(x).c(y)` → [c(y), b(x)].
pub fn chain_calls(e: &Expr) -> Vec<&Call> {
    let mut out = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Call(c) => {
                out.push(c.as_ref());
                match &c.callee.kind {
                    ExprKind::Member(o, _) => cur = o,
                    _ => break,
                }
            }
            ExprKind::Member(o, _) | ExprKind::Index(o, _) => cur = o,
            _ => break,
        }
    }
    out
}

/// The receiver at the root of a callee chain: `s.headers.update` → `s`;
/// `this.client.get` → `this.client`.
pub(super) fn receiver_root(callee: &Expr) -> Option<&Expr> {
    match &callee.kind {
        ExprKind::Member(o, _) => {
            let mut cur = o.as_ref();
            loop {
                match &cur.kind {
                    ExprKind::Member(inner, _) if !matches!(inner.kind, ExprKind::This) => cur = inner,
                    ExprKind::Index(inner, _) => cur = inner,
                    _ => return Some(cur),
                }
            }
        }
        _ => None,
    }
}

/// A call on a field of its receiver (`s.headers.update(...)`) configures
/// the receiver; a call on the receiver itself (`s.get(url)`,
/// `this.client.get(url)`) uses it.
pub(super) fn configures(callee: &Expr) -> bool {
    let ExprKind::Member(o, _) = &callee.kind else {
        return false;
    };
    match &o.kind {
        ExprKind::Member(inner, _) => !matches!(inner.kind, ExprKind::This),
        ExprKind::Index(..) => true,
        _ => false,
    }
}

/// A call that sets a header by name on its receiver:
/// `headers.set("Authorization", v)` configures `headers`.
pub(super) fn sets_header(call: &Call) -> bool {
    call.args.len() == 2
        && call.args[0].name.is_none()
        && call.args[0].value.as_str().is_some_and(|h| catalog().is_header_name(h))
}

/// What a value stands for where it is written: the slot of an assignment
/// target, an argument or a key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Any,
    Token,
    /// An Authorization header value: a scheme prefix, or the token itself.
    Header,
    Environment,
    /// An org id: the `X-CRM-ORG` header, an SDK org parameter, `soid`.
    Org,
}

/// The slot a configuring assignment fills: `x.headers["Authorization"] = v`.
pub(super) fn target_slot(t: &Expr) -> Slot {
    let c = catalog();
    match &t.kind {
        ExprKind::Index(_, k) => match k.as_str() {
            Some(k) if c.is_header_name(k) => Slot::Header,
            Some(k) if c.is_token_slot_name(k) => Slot::Token,
            Some(k) if c.org.is_org_key(k) => Slot::Org,
            _ => Slot::Any,
        },
        ExprKind::Member(_, m) if c.is_token_key(m) || c.is_token_param(m) => Slot::Token,
        ExprKind::Member(_, m) if c.is_header_name(m) => Slot::Header,
        _ => Slot::Any,
    }
}

/// Candidate repository paths for an import written in `dir`.
pub(super) fn candidate_paths(lang: Lang, dir: &str, module: &str) -> Vec<String> {
    match lang {
        Lang::Python => python_paths(dir, module),
        Lang::JavaScript | Lang::TypeScript if module.starts_with('.') => script_paths(dir, module),
        Lang::Rust => rust_paths(dir, module),
        // `require_relative 'config'`, `require __DIR__ . '/config.php'`.
        Lang::Php | Lang::Ruby if module.starts_with('.') => {
            let p = join_path(dir, module);
            if lang == Lang::Ruby && !p.ends_with(".rb") {
                vec![format!("{p}.rb")]
            } else {
                vec![p]
            }
        }
        _ => Vec::new(),
    }
}

/// `rel` (`/`-separated, with `.` and `..`) taken from the directory `d`.
fn join_path(d: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if d.is_empty() {
        Vec::new()
    } else {
        d.split('/').collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `import a.b` / `from ..a import b`: a module file or a package.
fn python_paths(dir: &str, module: &str) -> Vec<String> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = module[dots..].replace('.', "/");
    let base = if dots == 0 {
        String::new()
    } else {
        let mut d = dir.to_string();
        for _ in 1..dots {
            d = d.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or_default();
        }
        d
    };
    let p = join_path(&base, &rest);
    vec![format!("{p}.py"), format!("{p}/__init__.py")]
}

/// A relative JavaScript/TypeScript import: the file as written, with each
/// extension, or a directory's index.
fn script_paths(dir: &str, module: &str) -> Vec<String> {
    let p = join_path(dir, module);
    let mut v = vec![p.clone()];
    for ext in ["js", "ts", "mjs", "cjs", "jsx", "tsx", "mts", "cts"] {
        v.push(format!("{p}.{ext}"));
    }
    for ext in ["js", "ts", "mjs", "cjs", "jsx", "tsx"] {
        v.push(format!("{p}/index.{ext}"));
    }
    // `./x.js` written for a TS source `./x.ts`.
    if let Some(stem) = p.strip_suffix(".js") {
        v.push(format!("{stem}.ts"));
        v.push(format!("{stem}.tsx"));
    }
    v
}

/// `crate::a::b` from the crate root (the `src` directory above),
/// `super::a` from the parent module, `self::a` / `a` from here.
fn rust_paths(dir: &str, module: &str) -> Vec<String> {
    let segs: Vec<&str> = module.split("::").collect();
    let (bases, rest): (Vec<String>, &[&str]) = match segs.first() {
        Some(&"crate") => {
            let mut root = dir;
            while !root.is_empty() && root.rsplit('/').next() != Some("src") {
                root = root.rsplit_once('/').map(|(a, _)| a).unwrap_or("");
            }
            let root = if root.is_empty() { dir } else { root };
            (vec![root.to_string()], &segs[1..])
        }
        Some(&"super") => (vec![dir.to_string(), join_path(dir, "..")], &segs[1..]),
        Some(&"self") => (vec![dir.to_string()], &segs[1..]),
        _ => (vec![dir.to_string()], &segs[..]),
    };
    if rest.is_empty() {
        return Vec::new();
    }
    let rel = rest.join("/");
    bases
        .iter()
        .flat_map(|b| {
            let p = join_path(b, &rel);
            [format!("{p}.rs"), format!("{p}/mod.rs")]
        })
        .collect()
}

/// Languages whose package is a directory: a file sees the top-level names
/// of the other files beside it.
pub(super) fn directory_package(lang: Lang) -> bool {
    matches!(lang, Lang::Go)
}

/// Import targets of a file that the walk should also parse (second pass).
pub fn import_candidates(lang: Lang, path: &str, facts: &FileFacts) -> Vec<String> {
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut out = BTreeSet::new();
    for imp in &facts.imports {
        for p in candidate_paths(lang, dir, &imp.module) {
            out.insert(p);
        }
        if let Some(n) = &imp.name {
            for p in candidate_paths(lang, dir, &format!("{}.{n}", imp.module)) {
                out.insert(p);
            }
        }
        if lang == Lang::Php && !imp.module.starts_with('.') {
            // A path from the project root (Laravel's `config/zoho.php`).
            out.insert(format!("*{}", imp.module));
        }
        if lang == Lang::Java {
            // A class (`import a.b.C;`) or a static member's class (`import static a.b.C.X;`).
            let rel = imp.module.replace('.', "/");
            out.insert(format!("*{rel}.java"));
            if let Some(n) = &imp.name {
                out.insert(format!("*{rel}/{n}.java"));
            }
        }
        if lang == Lang::Python && !imp.module.starts_with('.') {
            // Absolute module: matched by suffix later.
            out.insert(format!("*{}.py", imp.module.replace('.', "/")));
            out.insert(format!("*{}/__init__.py", imp.module.replace('.', "/")));
        }
    }
    if lang == Lang::Java {
        // A class of the same package needs no import, nor one of a package
        // imported whole (`import a.b.*;`): the types a parameter is
        // declared with (`leads(JraCfg cfg)`) and those built with `new`,
        // each in its own file beside this one or in that package.
        let packages: Vec<String> = facts
            .imports
            .iter()
            .filter(|i| i.local == "*")
            .map(|i| i.module.replace('.', "/"))
            .collect();
        let built = facts.calls.iter().filter_map(|c| match &c.expr.kind {
            ExprKind::Call(call) if call.is_new => match &call.callee.kind {
                ExprKind::Name(n) => Some(n.as_ref()),
                _ => None,
            },
            _ => None,
        });
        let declared = facts
            .scopes
            .iter()
            .flat_map(|s| s.param_types.iter().map(String::as_str));
        for t in declared.chain(built) {
            if t.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.insert(join_path(dir, &format!("{t}.java")));
                out.extend(packages.iter().map(|p| format!("*{p}/{t}.java")));
            }
        }
    }
    out.into_iter().collect()
}
