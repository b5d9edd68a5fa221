//! Terraform through `hcl-edit` (spans kept, nesting bounded by its
//! parser): `*.tfvars` attributes, and the `default` of each `variable`
//! block of a `*.tf` file (what the tfvars files override).

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{BlockLabel, Body};
use hcl_edit::Span as _;

use super::{Entry, Node, NodeKind};
use crate::facts::{FileFacts, Span};
use crate::source::{LineIndex, Nesting};

pub(super) fn parse(path: &str, text: &str, lines: &LineIndex, facts: &mut FileFacts) -> Option<Node> {
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            facts.parse_error_line = Some(e.location().line() as u32);
            return None;
        }
    };
    let cx = Cx {
        text,
        lines,
        nesting: Nesting::new(),
    };
    let root = lines.span(0, 0);
    let entries = if path.to_ascii_lowercase().ends_with(".tf") {
        cx.variable_defaults(&body)
    } else {
        cx.attributes(&body, 0)
    };
    Some(Node {
        kind: NodeKind::Map(entries),
        span: root,
        via: None,
    })
}

struct Cx<'a> {
    text: &'a str,
    lines: &'a LineIndex<'a>,
    nesting: Nesting,
}

impl Cx<'_> {
    fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        let r = r.unwrap_or(0..0);
        self.lines
            .span(r.start.min(self.text.len()), r.end.min(self.text.len()))
    }

    fn attributes(&self, body: &Body, depth: usize) -> Vec<Entry> {
        body.attributes()
            .map(|a| {
                let key_span = self.span(a.key.span());
                Entry {
                    key: a.key.as_str().to_string(),
                    key_span,
                    value: self.expr(&a.value, depth + 1),
                    via: None,
                    on_key_line: false,
                }
            })
            .collect()
    }

    /// `variable "zoho_api_domain" { default = "…" }` → `zoho_api_domain: …`.
    fn variable_defaults(&self, body: &Body) -> Vec<Entry> {
        body.blocks()
            .filter(|b| b.ident.as_str() == "variable")
            .filter_map(|b| {
                let name = match b.labels.first()? {
                    BlockLabel::String(s) => s.as_str().to_string(),
                    BlockLabel::Ident(i) => i.as_str().to_string(),
                };
                let default = b.body.get_attribute("default")?;
                Some(Entry {
                    key: name,
                    key_span: self.span(b.labels.first().and_then(|l| l.span())),
                    value: self.expr(&default.value, 1),
                    via: None,
                    on_key_line: false,
                })
            })
            .collect()
    }

    fn expr(&self, e: &Expression, depth: usize) -> Node {
        let span = self.span(e.span());
        if self.nesting.too_deep(depth) {
            return Node {
                kind: NodeKind::Null,
                span,
                via: None,
            };
        }
        let kind = match e {
            Expression::String(s) => NodeKind::Scalar(s.as_str().to_string()),
            // `"https://${var.host}/crm"`: the source text, whose `${…}`
            // references the dialect reads as placeholders.
            Expression::StringTemplate(_) => {
                let raw = self.text.get(span.bytes()).unwrap_or("");
                NodeKind::Scalar(raw.trim_matches('"').to_string())
            }
            Expression::Bool(b) => NodeKind::Scalar(b.value().to_string()),
            Expression::Number(n) => NodeKind::Scalar(n.value().to_string()),
            Expression::Object(o) => NodeKind::Map(
                o.iter()
                    .filter_map(|(k, v)| {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                            ObjectKey::Expression(_) => return None,
                        };
                        let key_span = self.span(k.span());
                        Some(Entry {
                            key,
                            key_span,
                            value: self.expr(v.expr(), depth + 1),
                            via: None,
                            on_key_line: false,
                        })
                    })
                    .collect(),
            ),
            Expression::Array(a) => NodeKind::Seq(a.iter().map(|x| self.expr(x, depth + 1)).collect()),
            _ => NodeKind::Null,
        };
        Node { kind, span, via: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(path: &str, text: &str) -> (Option<Node>, FileFacts) {
        let lines = LineIndex::new(text);
        let mut f = FileFacts::default();
        let n = parse(path, text, &lines, &mut f);
        f.lines = std::sync::Arc::new(lines.lines);
        (n, f)
    }

    #[test]
    fn tfvars_and_variable_defaults() {
        let (n, f) = parse_text(
            "envs/sandbox.tfvars",
            "zoho_api_domain = \"https://sandbox.zohoapis.com\"\nzoho = {\n  token = \"${var.t}\"\n}\n",
        );
        assert!(f.parse_error_line.is_none());
        let n = n.unwrap();
        let d = n.get("zoho_api_domain").unwrap();
        assert_eq!(d.scalar(), Some("https://sandbox.zohoapis.com"));
        assert_eq!(f.line(d.span), 1);
        assert_eq!(n.get("zoho").unwrap().get("token").unwrap().scalar(), Some("${var.t}"));
        let (n, _) = parse_text(
            "variables.tf",
            "variable \"zoho_refresh_token\" {\n  type = string\n  default = \"x\"\n}\nresource \"a\" \"b\" {}\n",
        );
        let n = n.unwrap();
        assert_eq!(n.get("zoho_refresh_token").unwrap().scalar(), Some("x"));
        assert_eq!(n.entries().len(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let (n, f) = parse_text("a.tfvars", "a = \"x\"\nb = = 1\n");
        assert!(n.is_none());
        assert_eq!(f.parse_error_line, Some(2));
    }
}
