//! TOML through `toml_edit`, which keeps the span of every key and value.

use super::{Entry, Node, NodeKind};
use crate::facts::{FileFacts, Span};
use crate::source::{LineIndex, Nesting};
use toml_edit::{Document, Item, Key, Table, Value};

pub(super) fn parse(text: &str, lines: &LineIndex, facts: &mut FileFacts) -> Option<Node> {
    match Document::parse(text) {
        Ok(doc) => {
            let cx = Cx {
                lines,
                nesting: Nesting::new(),
            };
            let root = doc.as_item().as_table()?;
            Some(cx.table(root, lines.span(0, 0), 0))
        }
        Err(e) => {
            let at = e.span().map(|r| r.start).unwrap_or(0);
            facts.parse_error_line = Some(lines.position(at).0);
            None
        }
    }
}

struct Cx<'a> {
    lines: &'a LineIndex<'a>,
    nesting: Nesting,
}

impl Cx<'_> {
    fn span(&self, r: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
        r.map(|r| self.lines.span(r.start, r.end)).unwrap_or(fallback)
    }

    fn key_span(&self, k: Option<&Key>, fallback: Span) -> Span {
        self.span(k.and_then(|k| k.span()), fallback)
    }

    fn null(span: Span) -> Node {
        Node {
            kind: NodeKind::Null,
            span,
            via: None,
        }
    }

    fn table(&self, t: &Table, fallback: Span, depth: usize) -> Node {
        let span = self.span(t.span(), fallback);
        if self.nesting.too_deep(depth) {
            return Self::null(span);
        }
        let mut entries = Vec::new();
        for (k, item) in t.iter() {
            let key_span = self.key_span(t.key(k), span);
            let value = self.item(item, key_span, depth + 1);
            entries.push(Entry {
                key: k.to_string(),
                key_span,
                value,
                via: None,
                on_key_line: false,
            });
        }
        // Explicit `[a.b]` tables carry the header's span as their key span.
        Node {
            kind: NodeKind::Map(entries),
            span,
            via: None,
        }
    }

    fn item(&self, item: &Item, key_span: Span, depth: usize) -> Node {
        match item {
            Item::Value(v) => self.value(v, key_span, depth),
            Item::Table(t) => self.table(t, key_span, depth),
            Item::ArrayOfTables(a) => {
                let items = a.iter().map(|t| self.table(t, key_span, depth + 1)).collect();
                Node {
                    kind: NodeKind::Seq(items),
                    span: self.span(a.span(), key_span),
                    via: None,
                }
            }
            Item::None => Self::null(key_span),
        }
    }

    fn value(&self, v: &Value, fallback: Span, depth: usize) -> Node {
        let span = self.span(v.span(), fallback);
        if self.nesting.too_deep(depth) {
            return Self::null(span);
        }
        let kind = match v {
            Value::String(s) => NodeKind::Scalar(s.value().clone()),
            Value::Integer(i) => NodeKind::Scalar(i.value().to_string()),
            Value::Float(f) => NodeKind::Scalar(f.value().to_string()),
            Value::Boolean(b) => NodeKind::Scalar(b.value().to_string()),
            Value::Datetime(d) => NodeKind::Scalar(d.value().to_string()),
            Value::Array(a) => NodeKind::Seq(a.iter().map(|x| self.value(x, span, depth + 1)).collect()),
            Value::InlineTable(t) => {
                let mut entries = Vec::new();
                for (k, x) in t.iter() {
                    let key_span = self.key_span(t.key(k), span);
                    entries.push(Entry {
                        key: k.to_string(),
                        key_span,
                        value: self.value(x, key_span, depth + 1),
                        via: None,
                        on_key_line: false,
                    });
                }
                NodeKind::Map(entries)
            }
        };
        Node { kind, span, via: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Option<Node>, FileFacts) {
        let mut f = FileFacts::default();
        let lines = LineIndex::new(text);
        let n = parse(text, &lines, &mut f);
        f.lines = std::sync::Arc::new(lines.lines);
        (n, f)
    }

    #[test]
    fn tables_and_spans() {
        let (n, f) = parse_text("[zoho]\ntoken = \"t\"\n[profiles.sandbox]\napi = \"https://sandbox.zohoapis.com\"\n");
        let n = n.unwrap();
        let api = n.get("profiles").unwrap().get("sandbox").unwrap().get("api").unwrap();
        assert_eq!(api.scalar(), Some("https://sandbox.zohoapis.com"));
        assert_eq!(f.line(api.span), 4);
        let e = n.get("zoho").unwrap().entry("token").unwrap();
        assert_eq!(f.line(e.key_span), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let (n, f) = parse_text("a = 1\nb = = 2\n");
        assert!(n.is_none());
        assert_eq!(f.parse_error_line, Some(2));
    }
}
