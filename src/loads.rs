//! Whole-file configuration loads (`json.load(fh)`, `YAML.load_file(p)`,
//! `JSON.parse(fs.readFileSync(p))`): which calls give the record a file
//! read at run time holds. The calls of each language are data,
//! `rules/config-loads.toml`.
//!
//! Reads: a call's syntax. Writes: nothing.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::facts::{Call, Expr, ExprKind, Lang};

const LOADS_TOML: &str = include_str!("../rules/config-loads.toml");

/// One language's table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    loads: Vec<String>,
    parses: Vec<String>,
    reads: Vec<String>,
    /// Calls that write the record into their argument at this position.
    #[serde(default)]
    fills: HashMap<String, usize>,
}

fn tables() -> &'static HashMap<String, Table> {
    static TABLES: OnceLock<HashMap<String, Table>> = OnceLock::new();
    TABLES.get_or_init(|| toml::from_str(LOADS_TOML).expect("rules/config-loads.toml"))
}

fn table(lang: Lang) -> Option<&'static Table> {
    let name = match lang {
        Lang::Python => "python",
        Lang::JavaScript | Lang::TypeScript => "javascript",
        Lang::Ruby => "ruby",
        Lang::Java => "java",
        Lang::CSharp => "csharp",
        Lang::Go => "go",
        Lang::Rust => "rust",
        Lang::Php => "php",
        Lang::Shell => "shell",
        _ => return None,
    };
    tables().get(name)
}

/// The callee as the table spells it: `a.b`, `open().read`; None for
/// anything else.
fn spelled(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.to_string()),
        ExprKind::Member(o, m) => spelled(o).map(|p| format!("{p}.{m}")),
        ExprKind::Call(c) => spelled(&c.callee).map(|p| format!("{p}()")),
        _ => None,
    }
}

/// `callee` is one of `calls` (`*.m`: `m` on any one receiver).
fn listed(calls: &[String], callee: &Expr) -> bool {
    let Some(s) = spelled(callee) else {
        return false;
    };
    let last = match &callee.kind {
        ExprKind::Member(_, m) => Some(&**m),
        _ => None,
    };
    calls.iter().any(|c| match c.strip_prefix("*.") {
        Some(m) => last == Some(m),
        None => *c == s,
    })
}

/// The position of the argument `callee` writes a file's record into
/// (`json.Unmarshal(data, &cfg)`: 1), if it is a call that fills one.
pub fn filled_argument(lang: Lang, callee: &Expr) -> Option<usize> {
    let t = table(lang)?;
    t.fills
        .iter()
        .find(|(c, _)| listed(std::slice::from_ref(*c), callee))
        .map(|(_, i)| *i)
}

/// The text a parse reads: its first argument, or, called with none on a
/// decoder built in place (`json.NewDecoder(f).Decode()`), the decoder's.
fn parsed_text(call: &Call) -> Option<&Expr> {
    match (call.args.first(), &call.callee.kind) {
        (Some(a), _) => Some(&a.value),
        (None, ExprKind::Member(o, _)) => match &o.kind {
            ExprKind::Call(decoder) => decoder.args.first().map(|a| &a.value),
            _ => None,
        },
        _ => None,
    }
}

/// The text a parse reads ([`parsed_text`]), to replace it.
pub fn parsed_text_mut(call: &mut Call) -> Option<&mut Expr> {
    if !call.args.is_empty() {
        return call.args.first_mut().map(|a| &mut a.value);
    }
    match &mut call.callee.kind {
        ExprKind::Member(o, _) => match &mut o.kind {
            ExprKind::Call(decoder) => std::sync::Arc::make_mut(decoder).args.first_mut().map(|a| &mut a.value),
            _ => None,
        },
        _ => None,
    }
}

/// `call` reads and parses a whole file (in `lang`): its value is the
/// record that file holds.
pub fn is_whole_file_load(lang: Lang, call: &Call) -> bool {
    let Some(t) = table(lang) else {
        return false;
    };
    if listed(&t.loads, &call.callee) {
        return true;
    }
    if !listed(&t.parses, &call.callee) {
        return false;
    }
    let text = parsed_text(call).map(|e| match &e.kind {
        // The first of a call's results (`data, err := os.ReadFile(p)`).
        ExprKind::Elem(inner, 0) => &**inner,
        _ => e,
    });
    match text.map(|e| &e.kind) {
        Some(ExprKind::Call(inner)) => listed(&t.reads, &inner.callee) || is_whole_file_load(lang, inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_known_languages() {
        let known = [
            "python",
            "javascript",
            "ruby",
            "java",
            "csharp",
            "go",
            "rust",
            "php",
            "shell",
        ];
        for name in tables().keys() {
            assert!(known.contains(&name.as_str()), "unknown language {name}");
        }
    }
}
