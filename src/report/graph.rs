//! The inventory as a picture (`inventory --format mermaid|dot`, and the
//! Mermaid graph the Markdown inventory embeds): one node per token
//! identity, one per environment grouped by data center, and an edge from
//! a token to each environment it is bound to, labelled with the places.
//!
//! Node ids are generated (`t0`, `e0`, `dc0`), never taken from names;
//! every label is escaped for its syntax, so a path or a variable name
//! cannot add nodes, links or markup. Labels are the inventory's redacted
//! identities: no token value. Order is the inventory's: identities, then
//! environments, sorted; places in file order.

use std::collections::BTreeMap;

use super::visible;
use crate::catalog::catalog;
use crate::inventory::{BindingInfo, TokenEntry};

/// Places listed on one edge; the rest are counted (`+3 more`).
const MAX_PLACES: usize = 3;

/// The graph: tokens, environments (with their data center), edges.
pub struct Graph {
    tokens: Vec<(String, bool)>,
    /// Data centers in catalog order, each with its environments' indices.
    clusters: Vec<(String, Vec<usize>)>,
    /// Environment labels; those of no known data center are outside any
    /// cluster.
    environments: Vec<String>,
    /// (token index, environment index, edge label).
    edges: Vec<(usize, usize, String)>,
}

/// The data center an environment label belongs to (`US production` →
/// `US`), by the catalog's data-center names.
fn data_center(environment: &str) -> Option<String> {
    catalog()
        .data_centers
        .iter()
        .map(|dc| dc.name.as_str())
        .filter(|name| environment.strip_prefix(name).is_some_and(|rest| rest.starts_with(' ')))
        .max_by_key(|name| name.len())
        .map(str::to_string)
}

impl Graph {
    pub fn of(tokens: &[TokenEntry], bindings: &[BindingInfo]) -> Graph {
        let mut env_index: BTreeMap<&str, usize> = BTreeMap::new();
        for t in tokens {
            for e in &t.environments {
                env_index.insert(e, 0);
            }
        }
        let environments: Vec<String> = env_index.keys().map(|e| e.to_string()).collect();
        for (i, e) in env_index.values_mut().enumerate() {
            *e = i;
        }
        let mut clusters: Vec<(String, Vec<usize>)> = Vec::new();
        for dc in &catalog().data_centers {
            let members: Vec<usize> = environments
                .iter()
                .enumerate()
                .filter(|(_, e)| data_center(e).as_deref() == Some(dc.name.as_str()))
                .map(|(i, _)| i)
                .collect();
            if !members.is_empty() {
                clusters.push((dc.name.clone(), members));
            }
        }
        let mut edges = Vec::new();
        for (ti, t) in tokens.iter().enumerate() {
            for env in &t.environments {
                let places: Vec<String> = t
                    .bindings
                    .iter()
                    .map(|&b| &bindings[b])
                    .filter(|b| b.environments.contains(env))
                    .map(|b| format!("{}:{}", b.path, b.line))
                    .collect();
                let mut label = places.iter().take(MAX_PLACES).cloned().collect::<Vec<_>>().join(", ");
                if places.len() > MAX_PLACES {
                    label.push_str(&format!(" +{} more", places.len() - MAX_PLACES));
                }
                edges.push((ti, env_index[env.as_str()], label));
            }
        }
        Graph {
            tokens: tokens
                .iter()
                .map(|t| (t.token.clone(), t.environments.len() > 1))
                .collect(),
            clusters,
            environments,
            edges,
        }
    }

    fn clustered(&self, env: usize) -> bool {
        self.clusters.iter().any(|(_, m)| m.contains(&env))
    }

    /// A Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        self.render(&MERMAID)
    }

    /// A Graphviz digraph.
    pub fn dot(&self) -> String {
        self.render(&DOT)
    }

    /// The graph in `syntax`: tokens, clusters of environments per data
    /// center, the other environments, then the edges.
    fn render(&self, syntax: &Syntax) -> String {
        let text = syntax.text;
        let mut out = String::from(syntax.head);
        for (i, (t, multi)) in self.tokens.iter().enumerate() {
            out.push_str(&(syntax.token)(i, &text(t), *multi));
        }
        for (c, (name, members)) in self.clusters.iter().enumerate() {
            out.push_str(&(syntax.cluster)(c, &text(name)));
            for &e in members {
                out.push_str(&format!("  {}", (syntax.environment)(e, &text(&self.environments[e]))));
            }
            out.push_str(syntax.cluster_end);
        }
        for (e, name) in self.environments.iter().enumerate() {
            if !self.clustered(e) {
                out.push_str(&(syntax.environment)(e, &text(name)));
            }
        }
        for (t, e, label) in &self.edges {
            out.push_str(&(syntax.edge)(*t, *e, &text(label)));
        }
        out.push_str((syntax.tail)(self.tokens.iter().any(|(_, multi)| *multi)));
        out
    }
}

/// How a graph language writes each part, given escaped labels.
struct Syntax {
    head: &'static str,
    /// A token node (`multi`: it reaches more than one environment).
    token: fn(usize, &str, bool) -> String,
    cluster: fn(usize, &str) -> String,
    cluster_end: &'static str,
    environment: fn(usize, &str) -> String,
    edge: fn(usize, usize, &str) -> String,
    /// The end, given whether any token is `multi`.
    tail: fn(bool) -> &'static str,
    /// A label's text, escaped.
    text: fn(&str) -> String,
}

const MERMAID: Syntax = Syntax {
    head: "flowchart LR\n",
    token: |i, t, multi| format!("  t{i}([\"{t}\"]){}\n", if multi { ":::multi" } else { "" }),
    cluster: |c, name| format!("  subgraph dc{c}[\"{name}\"]\n"),
    cluster_end: "  end\n",
    environment: |e, name| format!("  e{e}[\"{name}\"]\n"),
    edge: |t, e, label| format!("  t{t} -->|\"{label}\"| e{e}\n"),
    tail: |multi| {
        if multi {
            "  classDef multi stroke:#d00,stroke-width:3px\n"
        } else {
            ""
        }
    },
    text: mermaid_text,
};

const DOT: Syntax = Syntax {
    head: "digraph orgtoken_inventory {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    token: |i, t, multi| {
        let style = if multi { ", color=\"#dd0000\", penwidth=3" } else { "" };
        format!("  t{i} [label=\"{t}\", shape=ellipse{style}];\n")
    },
    cluster: |c, name| format!("  subgraph cluster_dc{c} {{\n    label=\"{name}\";\n"),
    cluster_end: "  }\n",
    environment: |e, name| format!("  e{e} [label=\"{name}\"];\n"),
    edge: |t, e, label| format!("  t{t} -> e{e} [label=\"{label}\"];\n"),
    tail: |_| "}\n",
    text: dot_text,
};

/// Text inside a quoted Mermaid label: control characters escaped as the
/// other outputs do, then every character Mermaid or an HTML label would
/// read as syntax written as an entity code (`#quot;`, `#35;`): a quote
/// would close the label (and what follows become nodes and links), `<`
/// and `&` be markup, a backtick a Markdown string or the end of the
/// Markdown fence around the graph.
fn mermaid_text(s: &str) -> String {
    let mut out = String::new();
    for c in visible(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text inside a quoted DOT string: `"` and `\` escaped (so no escape
/// sequence of the label language, `\N`, `\G`, is read from a name).
fn dot_text(s: &str) -> String {
    visible(s).replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_inject_syntax() {
        let hostile = "x\"]) --> evil[\"pwn` ``` <b>#quot;|a|&";
        let m = mermaid_text(hostile);
        for bad in ["\"", "`", "<", ">", "|", "&"] {
            assert!(!m.contains(bad), "{bad} in {m}");
        }
        assert!(m.contains("#35;quot;"), "an entity in the input stays text: {m}");
        assert_eq!(dot_text("a\"b\\N"), "a\\\"b\\\\N");
        assert_eq!(mermaid_text("line\nbreak"), "line\\nbreak");
    }

    #[test]
    fn environments_group_by_data_center() {
        assert_eq!(data_center("US production").as_deref(), Some("US"));
        assert_eq!(data_center("AE sandbox").as_deref(), Some("AE"));
        assert_eq!(
            data_center("EU (environment chosen at run time)").as_deref(),
            Some("EU")
        );
        assert_eq!(data_center("environment chosen at run time"), None);
    }
}
