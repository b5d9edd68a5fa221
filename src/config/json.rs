//! JSON through tree-sitter-json: a real parser that recovers from errors
//! and gives spans. Nesting past the shared depth guard is cut.

use super::{Entry, Node, NodeKind};
use crate::facts::{FileFacts, Span};
use crate::source::{self, LineIndex, Nesting};

pub(super) fn parse(text: &str, facts: &mut FileFacts) -> Option<Node> {
    let (f, tree) = source::parse(&tree_sitter_json::LANGUAGE.into(), text);
    facts.parse_error_line = f.parse_error_line;
    let tree = tree?;
    let lines = LineIndex::new(text);
    let cx = Cx {
        text,
        lines: &lines,
        nesting: Nesting::new(),
    };
    let root = tree.root_node();
    let mut cursor = root.walk();
    let first = root.named_children(&mut cursor).find(|n| !n.is_extra())?;
    Some(cx.node(first, 0))
}

struct Cx<'a> {
    text: &'a str,
    lines: &'a LineIndex<'a>,
    nesting: Nesting,
}

impl Cx<'_> {
    fn span(&self, n: tree_sitter::Node) -> Span {
        self.lines.span(n.start_byte(), n.end_byte())
    }

    fn string(&self, n: tree_sitter::Node) -> String {
        let raw = &self.text[n.start_byte()..n.end_byte()];
        let inner = raw.strip_prefix('"').unwrap_or(raw);
        let inner = inner.strip_suffix('"').unwrap_or(inner);
        source::unescape(inner)
    }

    fn node(&self, n: tree_sitter::Node, depth: usize) -> Node {
        let span = self.span(n);
        if self.nesting.too_deep(depth) {
            return Node {
                kind: NodeKind::Null,
                span,
                via: None,
            };
        }
        let kind = match n.kind() {
            "object" => {
                let mut entries = Vec::new();
                let mut c = n.walk();
                for pair in n.named_children(&mut c).filter(|p| p.kind() == "pair") {
                    let Some((k, v)) = source::two_fields(pair, "key", "value") else {
                        continue;
                    };
                    let key = if k.kind() == "string" {
                        self.string(k)
                    } else {
                        self.text[k.start_byte()..k.end_byte()].to_string()
                    };
                    entries.push(Entry {
                        key,
                        key_span: self.span(k),
                        value: self.node(v, depth + 1),
                        via: None,
                        on_key_line: false,
                    });
                }
                NodeKind::Map(entries)
            }
            "array" => {
                let mut c = n.walk();
                let items = n
                    .named_children(&mut c)
                    .filter(|x| !x.is_extra())
                    .map(|x| self.node(x, depth + 1))
                    .collect();
                NodeKind::Seq(items)
            }
            "string" => NodeKind::Scalar(self.string(n)),
            "number" | "true" | "false" => NodeKind::Scalar(self.text[n.start_byte()..n.end_byte()].to_string()),
            _ => NodeKind::Null,
        };
        Node { kind, span, via: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Option<Node>, FileFacts) {
        let mut f = FileFacts::default();
        let n = parse(text, &mut f);
        f.lines = std::sync::Arc::new(crate::facts::Lines::new(text));
        (n, f)
    }

    #[test]
    fn objects_arrays_spans() {
        let (n, f) = parse_text("{\n  \"a\": {\"b\": \"x\\u0041\"},\n  \"l\": [1, true]\n}\n");
        assert!(f.parse_error_line.is_none());
        let n = n.unwrap();
        let b = n.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.scalar(), Some("xA"));
        assert_eq!(f.line(b.span), 2);
        assert_eq!(n.get("l").unwrap().items().len(), 2);
    }

    #[test]
    fn deep_nesting_and_errors() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (n, _) = parse_text(&deep);
        assert!(n.is_some());
        let (_, f) = parse_text("{\"a\": 1,, \"b\": 2}");
        assert!(f.parse_error_line.is_some());
    }
}
