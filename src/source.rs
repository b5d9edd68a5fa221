//! Source text at the bottom of the house: what every front-end and every
//! config parser needs to read one file's text — the line index (byte
//! offsets to lines and columns, spans), the nesting guard that cuts deep
//! nesting, string unescaping, and the tree-sitter plumbing shared by the
//! grammars (parse with the time budget, children, first syntax error).
//! It knows nothing of Zoho, facts beyond a span, or any one language.

use crate::facts::{FileFacts, Lines, Pos, Span};

/// Expression nesting beyond this is lowered as `Unknown`.
pub const MAX_DEPTH: usize = 200;

/// Stack bytes a lowering may use. Besides [`MAX_DEPTH`], this bounds
/// recursion by the stack really used: unoptimized builds have large frames
/// and threads other than the scan's workers may have small (2 MiB) stacks.
const STACK_BUDGET: usize = 1 << 20;

/// The nesting guard both front-ends use: too deep is past [`MAX_DEPTH`] or
/// past [`STACK_BUDGET`] bytes of stack since lowering started.
pub struct Nesting {
    stack_base: usize,
}

impl Nesting {
    pub fn new() -> Self {
        Nesting {
            stack_base: stack_position(),
        }
    }

    /// Also true once the file's time budget is spent ([`crate::budget`]): the
    /// lowering then cuts every remaining node short.
    pub fn too_deep(&self, depth: usize) -> bool {
        let cut = depth > MAX_DEPTH || stack_position().abs_diff(self.stack_base) > STACK_BUDGET;
        if cut {
            NESTING_CUT.set(true);
        }
        cut || crate::budget::expired()
    }
}

thread_local! {
    /// Whether a lowering on this thread cut deep nesting since the last
    /// [`take_nesting_cut`]: the scan turns it into a note for the file.
    static NESTING_CUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether nesting was cut since the last call (and resets the flag).
pub fn take_nesting_cut() -> bool {
    NESTING_CUT.replace(false)
}

/// Records a cut made by a guard of its own (syn's token depth).
pub fn mark_nesting_cut() {
    NESTING_CUT.set(true);
}

impl Default for Nesting {
    fn default() -> Self {
        Self::new()
    }
}

/// An address on the current stack frame.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A node's child in a field, found by the field's id. Tree-sitter's
/// `child_by_field_name` compares the name with the grammar's field names
/// on every call; here the id of a (grammar, name) pair is looked up once
/// per thread and kept.
pub(crate) trait Field<'t> {
    fn field(&self, name: &'static str) -> Option<tree_sitter::Node<'t>>;
}

impl<'t> Field<'t> for tree_sitter::Node<'t> {
    #[inline]
    fn field(&self, name: &'static str) -> Option<tree_sitter::Node<'t>> {
        self.child_by_field_id(field_id(&self.language(), name)?)
    }
}

/// Per grammar, the ids of the field names asked for (0: no such field),
/// keyed by the name's address and length (a `&'static str` never changes).
type FieldIds = Vec<(tree_sitter::Language, rustc_hash::FxHashMap<(usize, usize), u16>)>;

thread_local! {
    static FIELD_IDS: std::cell::RefCell<FieldIds> = const { std::cell::RefCell::new(Vec::new()) };
}

fn field_id(language: &tree_sitter::Language, name: &'static str) -> Option<u16> {
    let key = (name.as_ptr() as usize, name.len());
    let id = FIELD_IDS.with_borrow_mut(|grammars| {
        let i = match grammars.iter().position(|(l, _)| l == language) {
            Some(i) => i,
            None => {
                grammars.push((language.clone(), Default::default()));
                grammars.len() - 1
            }
        };
        *grammars[i]
            .1
            .entry(key)
            .or_insert_with(|| language.field_id_for_name(name).map_or(0, |id| id.get()))
    });
    (id != 0).then_some(id)
}

/// The named children of a node.
pub(crate) fn named_children<'t>(node: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect()
}

/// The children of a node in fields `a` and `b`, when it has both.
pub(crate) fn two_fields<'t>(
    node: tree_sitter::Node<'t>,
    a: &'static str,
    b: &'static str,
) -> Option<(tree_sitter::Node<'t>, tree_sitter::Node<'t>)> {
    Some((node.field(a)?, node.field(b)?))
}

/// The named children of a node, comments left out.
pub(crate) fn named_children_no_comments<'t>(node: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let mut c = node.walk();
    node.named_children(&mut c).filter(|n| n.kind() != "comment").collect()
}

/// Parses `text` with a grammar: the module's facts (with the first syntax
/// error's line) and the tree, or the empty facts alone when the grammar
/// cannot be loaded or the parse is cancelled.
pub fn parse(language: &tree_sitter::Language, text: &str) -> (FileFacts, Option<tree_sitter::Tree>) {
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::new_module(lines.span(0, text.len()));
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(language).is_err() {
        return (facts, None);
    }
    let bytes = text.as_bytes();
    let mut read = |at: usize, _: tree_sitter::Point| bytes.get(at..).unwrap_or_default();
    let mut cancel = |_: &tree_sitter::ParseState| crate::budget::expired();
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut cancel);
    let tree = parser.parse_with_options(&mut read, None, Some(options));
    if let Some(t) = &tree {
        facts.parse_error_line = first_error_line(t.root_node());
    }
    (facts, tree)
}

/// A file's [`Lines`] with its text, while it is lowered.
pub struct LineIndex<'a> {
    text: &'a str,
    pub lines: Lines,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex {
            text,
            lines: Lines::new(text),
        }
    }

    /// (line, column) of a byte offset, both 1-based.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        self.lines.position(offset)
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(start, end)
    }

    pub fn node_span(&self, node: tree_sitter::Node) -> Span {
        self.span(node.start_byte(), node.end_byte())
    }

    /// Where a span sits, as a report shows it.
    pub fn pos(&self, span: Span) -> Pos {
        self.lines.pos(span)
    }

    /// The 1-based line where a span starts.
    pub fn line(&self, span: Span) -> u32 {
        self.lines.line_of(span.start_byte())
    }

    /// The text of line `line` (1-based), without its newline.
    pub fn line_text(&self, line: u32) -> &'a str {
        let Some(s) = self.lines.line_start(line) else {
            return "";
        };
        let e = self.lines.line_start(line + 1).unwrap_or(self.text.len());
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
            // `\uXXXX` (JSON, JS, Python): the code point, when it is one.
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push('u'),
                }
            }
            Some('\n') => {}
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn columns_count_code_points() {
        let text = "ab\nnom = 'é'; r = x\n€€€x\n";
        let li = LineIndex::new(text);
        assert_eq!(li.position(0), (1, 1));
        assert_eq!(li.position(3), (2, 1));
        let r = text.find("r =").unwrap();
        assert_eq!(li.position(r), (2, 12));
        let x = text.rfind('x').unwrap();
        assert_eq!(li.position(x), (3, 4));
        assert_eq!(li.position(text.len()), (4, 1));
    }

    #[test]
    fn long_non_ascii_lines_use_checkpoints() {
        let line: String = "é".repeat(5000) + "x";
        let li = LineIndex::new(&line);
        let x = line.find('x').unwrap();
        assert_eq!(li.position(x), (1, 5001));
        assert_eq!(li.position(2 * 2500), (1, 2501));
    }
}
