//! `orgtoken scan --add-noqa`: writes a suppression comment above each
//! reported finding, in the file's own comment syntax, with a placeholder
//! for the justification:
//!
//! ```python
//! # orgtoken: ignore[OT001] TODO: say why this is safe
//! requests.get("https://sandbox.zohoapis.com/crm/v8/Leads", headers=HEADERS)
//! ```
//!
//! Idempotent: the comments suppress the findings, so a second run finds
//! nothing to add; a suppression comment already alone on the line above is
//! extended with the new rule ids (a second comment would push it out of
//! reach). A line is left alone, with a reason, where a comment cannot go
//! or would change the program: inside a multi-line string, heredoc or YAML
//! block scalar (the file's own parser tells), after a line continuation
//! (`\`), below a shebang, in JSON (no comments), or in a file that is no
//! longer what was scanned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::facts::Lang;
use crate::frontend::{self, lang_for_path, lang_for_shebang};
use crate::scan::ScanResult;

/// The justification placeholder a reviewer replaces.
pub const PLACEHOLDER: &str = "TODO: say why this is safe";

/// One file's edits: the rules to suppress per 1-based line.
#[derive(Debug, Default)]
struct FileEdits {
    path: String,
    lines: BTreeMap<u32, BTreeSet<&'static str>>,
}

/// What `--add-noqa` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Comments written or extended.
    pub added: usize,
    /// Files changed.
    pub files: usize,
    /// `path:line: OT001: why not`, for each finding left without a comment.
    pub skipped: Vec<String>,
    /// Files that could not be written (an error).
    pub errors: Vec<String>,
}

/// How a comment is written in a file: the leader and, for block-only
/// syntaxes, the closer.
fn comment_syntax(lang: Option<Lang>, path: &str) -> Option<(&'static str, &'static str)> {
    match lang {
        Some(
            Lang::Python | Lang::Ruby | Lang::Shell | Lang::Dotenv | Lang::Yaml | Lang::Toml | Lang::Ini | Lang::Hcl,
        ) => Some(("#", "")),
        Some(Lang::JavaScript | Lang::TypeScript | Lang::Rust | Lang::Java | Lang::Php | Lang::CSharp | Lang::Go) => {
            Some(("//", ""))
        }
        Some(Lang::Sql) => Some(("--", "")),
        Some(Lang::Json) => None,
        None => {
            let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
            // `env.example`, `prod.env.sample`: dotenv files by another name.
            if name.starts_with("env.") || name.contains(".env.") || name.ends_with(".env") {
                return Some(("#", ""));
            }
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_string())?;
            match ext.as_str() {
                "md" | "markdown" | "html" | "htm" | "xml" | "csproj" | "config" | "vue" | "svelte" => {
                    Some(("<!--", " -->"))
                }
                "txt" | "cfg" | "r" | "pl" | "ps1" | "dockerfile" | "mk" => Some(("#", "")),
                "kt" | "kts" | "swift" | "scala" | "c" | "h" | "cpp" | "hpp" | "dart" | "gradle" => Some(("//", "")),
                _ => None,
            }
        }
    }
}

/// Is `lines[i]` inside a fenced code block of a Markdown file? Then the
/// fence's info string (`env`, `python`; empty when there is none).
fn markdown_fence(lines: &[String], i: usize) -> Option<String> {
    let mut open: Option<(String, String)> = None;
    for l in &lines[..i] {
        let t = l.trim_start_matches(' ');
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if marker.len() < 3 || l.len() - t.len() > 3 {
            continue;
        }
        match &open {
            Some((m, _)) if marker.starts_with(m.as_str()) && t[marker.len()..].trim().is_empty() => open = None,
            Some(_) => {}
            None => {
                let info = t[marker.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                open = Some((marker, info));
            }
        }
    }
    open.map(|(_, info)| info)
}

/// The comment syntax of a fenced block's language (`env`, `bash`, `py`).
fn fence_syntax(info: &str) -> Option<(&'static str, &'static str)> {
    let alias = match info {
        "env" | "dotenv" | "shell" | "console" => "sh",
        "python" => "py",
        "javascript" | "node" => "js",
        "typescript" => "ts",
        "ruby" => "rb",
        "csharp" | "c#" => "cs",
        "golang" => "go",
        "rust" => "rs",
        other => other,
    };
    let path = format!("block.{alias}");
    comment_syntax(lang_for_path(&path), &path).filter(|(_, close)| close.is_empty())
}

/// Byte offset of the start of each line.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Is byte `offset` (a line start) inside a string-like node of the
/// file's syntax tree: a multi-line string, template, heredoc or text
/// block that begins on an earlier line? `None` when there is no parser
/// for the language (or it fails): the caller cannot tell.
fn inside_string(lang: Lang, path: &str, text: &str, offset: usize) -> Option<bool> {
    if lang == Lang::Rust {
        return inside_rust_literal(text, offset);
    }
    if lang == Lang::Yaml {
        return Some(inside_yaml_block_scalar(text, offset));
    }
    let language = frontend::grammar(lang, path)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).ok()?;
    let tree = parser.parse(text, None)?;
    let mut node = tree.root_node().descendant_for_byte_range(offset, offset);
    while let Some(n) = node {
        let kind = n.kind();
        let stringy = ["string", "heredoc", "nowdoc", "text_block", "template"]
            .iter()
            .any(|k| kind.contains(k));
        if stringy && n.start_byte() < offset && n.end_byte() > offset {
            return Some(true);
        }
        node = n.parent();
    }
    Some(false)
}

/// Rust: a literal (raw strings included) that spans the line start.
fn inside_rust_literal(text: &str, offset: usize) -> Option<bool> {
    let stream: proc_macro2::TokenStream = text.parse().ok()?;
    let line = text[..offset].matches('\n').count() + 1;
    fn walk(stream: proc_macro2::TokenStream, line: usize) -> bool {
        stream.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), line),
            proc_macro2::TokenTree::Literal(l) => {
                let s = l.span();
                s.start().line < line && s.end().line >= line
            }
            _ => false,
        })
    }
    Some(walk(stream, line))
}

/// YAML: the line is part of a block scalar (`run: |`, `key: >-`): the
/// nearest line above that is less indented ends with a block indicator.
fn inside_yaml_block_scalar(text: &str, offset: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let line = text[offset..].lines().next().unwrap_or("");
    if line.trim().is_empty() {
        return false;
    }
    let own = indent(line);
    let parent = text[..offset]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && indent(l) < own);
    parent.is_some_and(|p| {
        let code = p.split(" #").next().unwrap_or(p).trim_end();
        let last = code
            .rsplit(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap_or("");
        last.starts_with(['|', '>']) && last[1..].chars().all(|c| matches!(c, '-' | '+') || c.is_ascii_digit())
    })
}

/// The comment for `rules` at `indent`.
fn comment(indent: &str, syntax: (&str, &str), rules: &BTreeSet<&str>) -> String {
    let ids: Vec<&str> = rules.iter().copied().collect();
    format!(
        "{indent}{} orgtoken: ignore[{}] {PLACEHOLDER}{}",
        syntax.0,
        ids.join(","),
        syntax.1
    )
}

/// Adds `rules` to the marker alone on `line` (a line-level marker with a
/// rule list), if it is one; the new line.
fn extend_marker(line: &str, rules: &BTreeSet<&str>) -> Option<String> {
    let p = crate::suppress::parse_line(line)?;
    if !p.own_line || p.file_level || p.rules.is_empty() {
        return None;
    }
    let at = line.find("orgtoken:")?;
    let open = at + line[at..].find('[')?;
    let close = open + line[open..].find(']')?;
    let mut all: BTreeSet<String> = p.rules.into_iter().collect();
    all.extend(rules.iter().map(|r| r.to_string()));
    let ids: Vec<String> = all.into_iter().collect();
    Some(format!("{}[{}]{}", &line[..open], ids.join(","), &line[close + 1..]))
}

/// The text with the comments for `lines` inserted (or merged), and the
/// lines left alone with why. Pure: no file access.
fn edit(
    text: &str,
    lang: Option<Lang>,
    path: &str,
    lines: &BTreeMap<u32, BTreeSet<&'static str>>,
) -> (String, usize, Vec<(u32, String)>) {
    let mut skipped = Vec::new();
    let Some(syntax) = comment_syntax(lang, path) else {
        let why = if lang == Some(Lang::Json) {
            "JSON has no comments; use `[[ignore]]` in .orgtoken.toml or a baseline"
        } else {
            "no known comment syntax for this file; use `[[ignore]]` in .orgtoken.toml or a baseline"
        };
        return (
            text.to_string(),
            0,
            lines.keys().map(|&l| (l, why.to_string())).collect(),
        );
    };
    let starts = line_starts(text);
    let mut out: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let crlf = text.contains("\r\n");
    let mut added = 0;
    // Bottom-up, so earlier line numbers stay valid.
    for (&line, rules) in lines.iter().rev() {
        let i = line as usize - 1;
        let Some(current) = out.get(i).cloned() else {
            skipped.push((line, "the file has fewer lines than when it was scanned".into()));
            continue;
        };
        if i > 0 {
            let prev = out[i - 1].trim_end_matches(['\n', '\r']).to_string();
            if let Some(merged) = extend_marker(&prev, rules) {
                let ending = &out[i - 1][prev.len()..];
                out[i - 1] = format!("{merged}{ending}");
                added += 1;
                continue;
            }
            if prev.ends_with('\\') {
                skipped.push((line, "the line above continues onto it (`\\`)".into()));
                continue;
            }
        }
        if i == 0 && current.starts_with("#!") {
            skipped.push((line, "a comment cannot go above the shebang line".into()));
            continue;
        }
        let inside = lang.and_then(|l| inside_string(l, path, text, starts[i]));
        if inside == Some(true) {
            skipped.push((
                line,
                "the line is inside a multi-line string or heredoc: a comment there would change it".into(),
            ));
            continue;
        }
        let markdown = matches!(
            path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).as_deref(),
            Some("md" | "markdown")
        );
        let syntax = match markdown.then(|| markdown_fence(&out, i)).flatten() {
            None => syntax,
            // In a code block the comment is the block's language's.
            Some(info) => match fence_syntax(&info) {
                Some(s) => s,
                None => {
                    skipped.push((
                        line,
                        "the line is in a Markdown code block of no known comment syntax".into(),
                    ));
                    continue;
                }
            },
        };
        let indent: String = current.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let nl = if crlf { "\r\n" } else { "\n" };
        out.insert(i, format!("{}{nl}", comment(&indent, syntax, rules)));
        added += 1;
    }
    skipped.reverse();
    (out.concat(), added, skipped)
}

/// Writes the comments for every reported finding of `result`.
pub fn add(result: &ScanResult) -> Outcome {
    let mut by_file: BTreeMap<usize, FileEdits> = BTreeMap::new();
    for f in &result.findings {
        let e = by_file.entry(f.primary.file).or_insert_with(|| FileEdits {
            path: result.files[f.primary.file].path.clone(),
            ..Default::default()
        });
        e.lines.entry(f.primary.pos.line).or_default().insert(f.rule);
    }
    let mut outcome = Outcome::default();
    for (file, e) in by_file {
        let skip_all = |outcome: &mut Outcome, why: &str| {
            for (line, rules) in &e.lines {
                for r in rules {
                    outcome.skipped.push(format!("{}:{line}: {r}: {why}", e.path));
                }
            }
        };
        let abs: PathBuf = result.base.dir.join(&e.path);
        let Ok(bytes) = std::fs::read(&abs) else {
            skip_all(&mut outcome, "cannot read the file any more");
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            skip_all(&mut outcome, "the file is not UTF-8; add the comment by hand");
            continue;
        };
        if text.lines().count() != result.files[file].text.lines().count() {
            skip_all(&mut outcome, "the file changed since it was scanned");
            continue;
        }
        let lang = lang_for_path(&e.path).or_else(|| lang_for_shebang(&e.path, &text));
        let (new, added, skipped) = edit(&text, lang, &e.path, &e.lines);
        for (line, why) in skipped {
            for r in &e.lines[&line] {
                outcome.skipped.push(format!("{}:{line}: {r}: {why}", e.path));
            }
        }
        if added == 0 {
            continue;
        }
        match std::fs::write(&abs, new) {
            Ok(()) => {
                outcome.added += added;
                outcome.files += 1;
            }
            Err(err) => outcome
                .errors
                .push(format!("cannot write `{}`: {}", e.path, crate::walk::io_reason(&err))),
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, path: &str, lines: &[(u32, &[&'static str])]) -> (String, Vec<(u32, String)>) {
        let map = lines.iter().map(|(l, r)| (*l, r.iter().copied().collect())).collect();
        let (out, _, skipped) = edit(text, lang_for_path(path), path, &map);
        (out, skipped)
    }

    #[test]
    fn comment_syntax_per_language_and_indentation() {
        let (out, _) = run("def f():\n    call(T)\n", "a.py", &[(2, &["OT001"])]);
        assert_eq!(
            out,
            "def f():\n    # orgtoken: ignore[OT001] TODO: say why this is safe\n    call(T)\n"
        );
        let (out, _) = run("x;\n\tfetch(u);\n", "a.ts", &[(2, &["OT001", "OT004"])]);
        assert_eq!(
            out,
            "x;\n\t// orgtoken: ignore[OT001,OT004] TODO: say why this is safe\n\tfetch(u);\n"
        );
        let (out, _) = run("CREATE TABLE oauthtokens (u text);\n", "s.sql", &[(1, &["OT005"])]);
        assert!(out.starts_with("-- orgtoken: ignore[OT005]"), "{out}");
        let (out, _) = run("<a>\r\n<b/>\r\n", "app.config", &[(2, &["OT006"])]);
        assert_eq!(
            out,
            "<a>\r\n<!-- orgtoken: ignore[OT006] TODO: say why this is safe -->\r\n<b/>\r\n"
        );
        let (out, skipped) = run("{\"a\": 1}\n", "p.json", &[(1, &["OT006"])]);
        assert_eq!(out, "{\"a\": 1}\n");
        assert!(skipped[0].1.starts_with("JSON has no comments"));
    }

    #[test]
    fn an_own_line_marker_above_is_extended_not_pushed_away() {
        let text = "  # orgtoken: ignore[OT006] test data\n  T = '1000.x'\n";
        let (out, _) = run(text, "a.py", &[(2, &["OT001"])]);
        assert_eq!(out, "  # orgtoken: ignore[OT001,OT006] test data\n  T = '1000.x'\n");
    }

    #[test]
    fn strings_heredocs_block_scalars_and_continuations_are_left_alone() {
        let py = "X = \"\"\"\nhttps://sandbox.zohoapis.com\n\"\"\"\ncall(X)\n";
        let (out, skipped) = run(py, "a.py", &[(2, &["OT002"]), (4, &["OT001"])]);
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert_eq!(skipped[0].0, 2);
        assert!(
            out.contains("# orgtoken: ignore[OT001]") && !out.contains("ignore[OT002]"),
            "{out}"
        );

        let js = "const q = `\n${host}/crm`;\nfetch(q);\n";
        let (_, skipped) = run(js, "a.js", &[(2, &["OT002"])]);
        assert_eq!(skipped.len(), 1);

        let sh = "cat <<EOF\ncurl https://www.zohoapis.com\nEOF\ncurl -H x \\\n  https://sandbox.zohoapis.com\n";
        let (out, skipped) = run(sh, "a.sh", &[(2, &["OT001"]), (5, &["OT001"])]);
        assert_eq!(out, sh);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(skipped[1].1.contains("continues"), "{skipped:?}");

        let rs = "const Q: &str = r#\"\nhttps://sandbox.zohoapis.com\n\"#;\nfn main() {}\n";
        let (_, skipped) = run(rs, "a.rs", &[(2, &["OT002"])]);
        assert_eq!(skipped.len(), 1);

        let yaml = "jobs:\n  a:\n    run: |\n      curl https://sandbox.zohoapis.com\n    env:\n      T: x\n";
        let (out, skipped) = run(yaml, "ci.yml", &[(4, &["OT001"]), (6, &["OT003"])]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, 4);
        assert!(out.contains("    env:\n      # orgtoken: ignore[OT003]"), "{out}");

        let md = "# Setup\n\n```env\nZOHO_REFRESH_TOKEN=x\n```\n\nT = x\n\n```\nT = y\n```\n";
        let (out, skipped) = run(md, "README.md", &[(4, &["OT006"]), (7, &["OT006"]), (10, &["OT006"])]);
        assert_eq!(
            out,
            "# Setup\n\n```env\n# orgtoken: ignore[OT006] TODO: say why this is safe\nZOHO_REFRESH_TOKEN=x\n```\n\n<!-- orgtoken: ignore[OT006] TODO: say why this is safe -->\nT = x\n\n```\nT = y\n```\n"
        );
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, 10);
        let (out, _) = run("A=1\nZOHO_REFRESH_TOKEN=x\n", "config/env.example", &[(2, &["OT006"])]);
        assert!(out.contains("\n# orgtoken: ignore[OT006]"), "{out}");

        let (out, skipped) = run("#!/bin/sh\n", "a.sh", &[(1, &["OT006"])]);
        assert_eq!(out, "#!/bin/sh\n");
        assert_eq!(skipped.len(), 1);
    }
}
