//! YAML through `yaml-rust2`'s event parser: anchors, aliases and `<<`
//! merge keys are expanded here (each expanded node remembers the alias or
//! merge line that brought it in), under a node budget so an alias bomb
//! costs a note. Multi-document streams give one tree per document.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{Entry, Node, NodeKind, MAX_NODES};

/// Scalar bytes that cost as much of the expansion budget as one node.
const SCALAR_BYTES_PER_NODE: usize = 64;
use crate::facts::{FileFacts, Span};
use crate::source::LineIndex;

pub(super) fn parse(text: &str, lines: &LineIndex, facts: &mut FileFacts) -> Vec<Node> {
    let mut b = Builder {
        text,
        lines,
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        stack: Vec::new(),
        docs: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        bomb: false,
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut b, true) {
        facts.parse_error_line = Some(e.marker().line().max(1) as u32);
        // Keep what was read: close the open containers.
        while !b.stack.is_empty() {
            let end = b.lines.span(text.len(), text.len());
            b.close(end);
        }
    }
    if b.bomb {
        facts.notes.push(format!(
            "YAML aliases expand to more than {MAX_NODES} nodes or {} MB of text (an alias bomb?); the rest of the expansion was skipped",
            (MAX_NODES * SCALAR_BYTES_PER_NODE) >> 20
        ));
    }
    b.docs
}

/// A mapping or sequence being built: where it starts, its anchor, the
/// nodes it holds so far (its size, for the alias budget) and its items.
struct Frame {
    start: Span,
    anchor: usize,
    size: usize,
    open: Open,
}

enum Open {
    Map {
        entries: Vec<Entry>,
        merged: Vec<Entry>,
        key: Option<(String, Span, bool)>,
    },
    Seq(Vec<Node>),
}

struct Builder<'a> {
    text: &'a str,
    lines: &'a LineIndex<'a>,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    bomb: bool,
}

impl Builder<'_> {
    /// Byte offset of a marker (1-based line, 0-based column in chars).
    fn offset(&self, m: &Marker) -> usize {
        let line = m.line().max(1) - 1;
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(m.col())
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }

    /// The empty span at a mark (where a collection starts or ends).
    fn span_at(&self, m: &Marker) -> Span {
        let at = self.offset(m);
        self.lines.span(at, at)
    }

    fn scalar_span(&self, m: &Marker, value: &str, style: TScalarStyle) -> Span {
        let start = self.offset(m);
        let line_end = self.text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.text.len());
        let len = match style {
            TScalarStyle::Plain if !value.contains('\n') => value.len(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted if !value.contains('\n') => value.len() + 2,
            _ => line_end - start,
        };
        let mut end = (start + len).min(line_end);
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        self.lines.span(start, end)
    }

    fn add(&mut self, node: Node, size: usize) {
        let Some(frame) = self.stack.last_mut() else {
            self.docs.push(node);
            return;
        };
        frame.size += size;
        match &mut frame.open {
            Open::Seq(items) => items.push(node),
            Open::Map { entries, merged, key } => {
                match key.take() {
                    None => {
                        let (k, plain) = match &node.kind {
                            NodeKind::Scalar(v) => (v.clone(), true),
                            _ => (String::new(), false),
                        };
                        *key = Some((k, node.span, plain));
                    }
                    Some((k, key_span, plain)) => {
                        if plain && k == "<<" {
                            // Merge keys: the mapping (or mappings) whose keys
                            // this one inherits; explicit keys win.
                            let sources: Vec<&Node> = match &node.kind {
                                NodeKind::Map(_) => vec![&node],
                                NodeKind::Seq(v) => v.iter().collect(),
                                _ => Vec::new(),
                            };
                            for src in sources.into_iter().rev() {
                                for e in src.entries() {
                                    let mut e = e.clone();
                                    e.via = Some(key_span);
                                    merged.push(e);
                                }
                            }
                        } else {
                            entries.push(Entry {
                                key: k,
                                key_span,
                                value: node,
                                via: None,
                                on_key_line: false,
                            });
                        }
                    }
                }
            }
        }
    }

    fn open(&mut self, mark: &Marker, anchor: usize, open: Open) {
        self.nodes += 1;
        let start = self.span_at(mark);
        self.stack.push(Frame {
            start,
            anchor,
            size: 0,
            open,
        });
    }

    fn close(&mut self, end: Span) {
        let Some(frame) = self.stack.pop() else { return };
        let kind = match frame.open {
            Open::Map { entries, merged, .. } => {
                let mut all: Vec<Entry> = merged
                    .into_iter()
                    .filter(|m| !entries.iter().any(|e| e.key == m.key))
                    .collect();
                all.extend(entries);
                NodeKind::Map(all)
            }
            Open::Seq(items) => NodeKind::Seq(items),
        };
        let node = Node {
            kind,
            span: join(frame.start, end),
            via: None,
        };
        let size = frame.size + 1;
        if frame.anchor > 0 {
            self.anchors.insert(frame.anchor, (node.clone(), size));
        }
        self.add(node, size);
    }
}

fn join(a: Span, b: Span) -> Span {
    a.to(b)
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(anchor, _) => self.open(
                &mark,
                anchor,
                Open::Map {
                    entries: Vec::new(),
                    merged: Vec::new(),
                    key: None,
                },
            ),
            Event::SequenceStart(anchor, _) => self.open(&mark, anchor, Open::Seq(Vec::new())),
            Event::MappingEnd | Event::SequenceEnd => self.close(self.span_at(&mark)),
            Event::Scalar(value, style, anchor, _) => {
                // A scalar costs its bytes too: a 1 MB string aliased 2,000
                // times is a bomb of bytes, not of nodes (2 GB).
                let size = 1 + value.len() / SCALAR_BYTES_PER_NODE;
                self.nodes += size;
                let span = self.scalar_span(&mark, &value, style);
                let null =
                    style == TScalarStyle::Plain && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL");
                let node = Node {
                    kind: if null { NodeKind::Null } else { NodeKind::Scalar(value) },
                    span,
                    via: None,
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.add(node, size);
            }
            Event::Alias(id) => {
                let at = self.offset(&mark);
                let span = self.lines.span(at, (at + 1).min(self.text.len()));
                let (mut node, size) = match self.anchors.get(&id) {
                    Some((n, size)) if !self.bomb && self.nodes + size <= MAX_NODES => (n.clone(), *size),
                    // Past the budget (a bomb), or an alias to no anchor: null.
                    found => {
                        self.bomb |= found.is_some();
                        (
                            Node {
                                kind: NodeKind::Null,
                                span,
                                via: None,
                            },
                            1,
                        )
                    }
                };
                self.nodes += size;
                node.via = Some(span);
                self.add(node, size);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Vec<Node>, FileFacts) {
        let lines = LineIndex::new(text);
        let mut f = FileFacts::new_module(lines.span(0, text.len()));
        let docs = parse(text, &lines, &mut f);
        f.lines = std::sync::Arc::new(lines.lines);
        (docs, f)
    }

    #[test]
    fn spans_anchors_and_merge_keys() {
        let (docs, f) = parse_text(
            "base: &b\n  token: t1\n  url: u1\nsandbox:\n  <<: *b\n  url: u2\nalias: *b\nlist:\n  - \"q\"\n",
        );
        assert!(f.parse_error_line.is_none());
        let d = &docs[0];
        let sandbox = d.get("sandbox").unwrap();
        assert_eq!(sandbox.get("url").unwrap().scalar(), Some("u2"));
        let tok = sandbox.entry("token").unwrap();
        assert_eq!(tok.value.scalar(), Some("t1"));
        assert_eq!(f.line(tok.key_span), 2, "the definition's line");
        assert_eq!(f.line(tok.via.unwrap()), 5, "the merge key's line");
        let alias = d.get("alias").unwrap();
        assert_eq!(f.line(alias.via.unwrap()), 7);
        assert_eq!(f.line(alias.get("token").unwrap().span), 2);
        let q = &d.get("list").unwrap().items()[0];
        let q = f.pos(q.span);
        assert_eq!((q.line, q.col, q.end_col), (9, 5, 8));
    }

    #[test]
    fn multi_documents_and_errors() {
        let (docs, _) = parse_text("a: 1\n---\nb: 2\n");
        assert_eq!(docs.len(), 2);
        let (docs, f) = parse_text("a: 1\nb: [1, 2\nc: 3\n");
        assert!(f.parse_error_line.is_some());
        assert!(!docs.is_empty());
    }

    #[test]
    fn alias_bomb_is_cut_short() {
        let mut y = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            y.push_str(&format!(
                "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = n;
        }
        let (_, f) = parse_text(&y);
        assert!(f.notes.iter().any(|n| n.contains("alias bomb")));
    }
}
