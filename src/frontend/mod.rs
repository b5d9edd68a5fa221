//! Front-ends: one per input kind, each lowering a syntax tree into the fact
//! model ([`crate::facts`]).
//!
//! The language table lives here, in one place: which extensions map to which
//! front-end. Front-ends are pure functions of one file's text: no printing,
//! no file system, no global state. Deep nesting is cut at [`MAX_DEPTH`] so
//! a pathological file costs a truncated analysis, never a stack overflow.

pub mod javascript;
pub mod python;

use crate::facts::{FileFacts, Lang, Span};

/// Expression nesting beyond this is lowered as `Unknown`.
pub const MAX_DEPTH: usize = 200;

/// The front-end for a path, by extension.
pub fn lang_for_path(path: &str) -> Option<Lang> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match ext.as_str() {
        "py" | "pyw" | "pyi" => Some(Lang::Python),
        "js" | "mjs" | "cjs" | "jsx" => Some(Lang::JavaScript),
        "ts" | "mts" | "cts" | "tsx" => Some(Lang::TypeScript),
        _ => None,
    }
}

/// Lowers one file. `path` selects the dialect (TSX vs TS).
pub fn lower(lang: Lang, path: &str, text: &str) -> FileFacts {
    match lang {
        Lang::Python => python::lower(text),
        Lang::JavaScript | Lang::TypeScript => javascript::lower(lang, path, text),
    }
}

/// Maps byte offsets to 1-based lines and Unicode-scalar columns.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// (line, column) of a byte offset, both 1-based.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line as u32 + 1, col as u32 + 1)
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        let (line, col) = self.position(start);
        let (end_line, end_col) = self.position(end);
        Span {
            start,
            end,
            line,
            col,
            end_line,
            end_col,
        }
    }

    pub fn node_span(&self, node: tree_sitter::Node) -> Span {
        self.span(node.start_byte(), node.end_byte())
    }

    /// The text of line `line` (1-based), without its newline.
    pub fn line_text(&self, line: u32) -> &'a str {
        let i = (line as usize).saturating_sub(1);
        let Some(&s) = self.starts.get(i) else { return "" };
        let e = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        self.text[s..e].trim_end_matches(['\n', '\r'])
    }
}

/// The first line of an `ERROR`/`MISSING` node, if the tree has one.
pub fn first_error_line(root: tree_sitter::Node) -> Option<u32> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_position().row as u32 + 1);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Some(root.start_position().row as u32 + 1);
            }
        }
    }
}

/// Unescapes the common backslash escapes of a string literal body.
pub fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}
