//! `orgtoken inventory` output: a table for people, JSON for scripts,
//! Markdown to paste into a ticket (with the graph), Mermaid and Graphviz
//! for the picture (`super::graph`). Reads the scan's bindings only.

use serde_json::json;

use super::graph::Graph;
use super::visible;

use crate::finding::Note;
use crate::inventory::{by_token, BindingInfo, TokenEntry};
use crate::scan::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryFormat {
    Human,
    Json,
    Markdown,
    /// A Mermaid flowchart: tokens, environments by data center, places.
    Mermaid,
    /// The same graph for Graphviz (`dot -Tsvg`).
    Dot,
}

impl InventoryFormat {
    /// Every inventory format, in declaration order.
    pub fn all() -> &'static [InventoryFormat] {
        <InventoryFormat as clap::ValueEnum>::value_variants()
    }
}

fn summary(tokens: &[TokenEntry], bindings: &[BindingInfo]) -> String {
    let multi = tokens.iter().filter(|t| t.environments.len() > 1).count();
    let tok = if tokens.len() == 1 { "identity" } else { "identities" };
    let bind = if bindings.len() == 1 { "binding" } else { "bindings" };
    format!(
        "{} token {tok}, {} {bind}; {multi} bound to more than one environment (each needs one org-specific token per environment)",
        tokens.len(),
        bindings.len()
    )
}

pub fn render(format: InventoryFormat, result: &ScanResult) -> String {
    let bindings = &result.bindings;
    let tokens = by_token(bindings);
    match format {
        InventoryFormat::Human => human(&tokens, bindings, &result.notes),
        InventoryFormat::Markdown => markdown(&tokens, bindings, &result.notes),
        InventoryFormat::Mermaid => Graph::of(&tokens, bindings).mermaid(),
        InventoryFormat::Dot => Graph::of(&tokens, bindings).dot(),
        InventoryFormat::Json => {
            let doc = json!({
                "version": 1,
                "tool": {"name": "orgtoken", "version": env!("CARGO_PKG_VERSION")},
                "tokens": tokens.iter().map(|t| json!({
                    "token": t.token,
                    "environments": t.environments,
                    "orgs": t.orgs,
                    "bindings": t.bindings.iter().map(|&i| {
                        let b = &bindings[i];
                        json!({"path": b.path, "line": b.line, "column": b.column, "kind": b.kind, "environments": b.environments, "orgs": b.orgs, "mints": b.mints})
                    }).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "notes": result.notes,
                "summary": {
                    "notes": result.notes.len(),
                    "tokens": tokens.len(),
                    "bindings": bindings.len(),
                    "multi_environment_tokens": tokens.iter().filter(|t| t.environments.len() > 1).count(),
                },
            });
            let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
            s.push('\n');
            s
        }
    }
}

/// A note as one line: the files the inventory could not (fully) read are
/// places it may be missing.
fn note_line(n: &Note) -> String {
    if n.path.is_empty() {
        n.message.clone()
    } else {
        format!("{}: {}", n.path, n.message)
    }
}

fn human(tokens: &[TokenEntry], bindings: &[BindingInfo], notes: &[Note]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push_str(&format!("{}\n", visible(&t.token)));
        out.push_str(&format!("  environments: {}\n", visible(&t.environments.join(", "))));
        if !t.orgs.is_empty() {
            out.push_str(&format!("  orgs: {}\n", visible(&t.orgs.join(", "))));
        }
        let rows: Vec<(String, &BindingInfo)> = t
            .bindings
            .iter()
            .map(|&i| {
                let b = &bindings[i];
                (visible(&format!("{}:{}:{}", b.path, b.line, b.column)), b)
            })
            .collect();
        binding_rows(&mut out, rows);
    }
    for n in notes {
        out.push_str(&format!("note: {}\n", visible(&note_line(n))));
    }
    out.push_str(&format!("orgtoken inventory: {}\n", summary(tokens, bindings)));
    out
}

/// Text in a Markdown table cell: controls escaped, `|` and backticks
/// defused.
pub fn cell(s: &str) -> String {
    visible(s).replace('|', "\\|").replace('`', "'")
}

/// Identities in the graph the Markdown embeds: more make a picture nobody
/// reads (and GitHub renders Mermaid up to a size): past this, only the
/// identities bound to more than one environment are drawn.
const MARKDOWN_GRAPH_TOKENS: usize = 40;

/// The human inventory's rows of one token's bindings: place (already
/// made visible), kind and environments, places and kinds padded to one
/// width, and a blank line after them.
pub fn binding_rows(out: &mut String, rows: Vec<(String, &BindingInfo)>) {
    let w = rows.iter().map(|(p, _)| p.chars().count()).max().unwrap_or(0);
    let k = rows.iter().map(|(_, b)| b.kind.len()).max().unwrap_or(0).max(10);
    for (place, b) in rows {
        let row = format!("  {place:<w$}  {:<k$}  {}", b.kind, visible(&b.environments.join(", ")));
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out.push('\n');
}

/// The Mermaid graph in a fenced block (GitHub renders it in issues, pull
/// requests and job summaries).
pub fn markdown_graph(tokens: &[TokenEntry], bindings: &[BindingInfo]) -> String {
    if tokens.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let shown: Vec<TokenEntry> = if tokens.len() > MARKDOWN_GRAPH_TOKENS {
        let multi: Vec<TokenEntry> = tokens.iter().filter(|t| t.environments.len() > 1).cloned().collect();
        out.push_str(&format!(
            "The graph shows the {} identities bound to more than one environment (of {}; `orgtoken inventory --format mermaid` draws all).\n\n",
            multi.len(),
            tokens.len()
        ));
        multi
    } else {
        tokens.to_vec()
    };
    if shown.is_empty() {
        return out;
    }
    out.push_str("```mermaid\n");
    out.push_str(&Graph::of(&shown, bindings).mermaid());
    out.push_str("```\n\n");
    out
}

fn markdown(tokens: &[TokenEntry], bindings: &[BindingInfo], notes: &[Note]) -> String {
    let mut out = String::from("## Zoho CRM token inventory\n\n");
    out.push_str(&format!("{}.\n\n", summary(tokens, bindings)));
    out.push_str(&markdown_graph(tokens, bindings));
    out.push_str("| token | environments | bindings |\n|---|---|---|\n");
    for t in tokens {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            cell(&t.token),
            cell(&t.environments.join(", ")),
            t.bindings.len()
        ));
    }
    for t in tokens {
        out.push_str(&format!("\n### `{}`\n\n", cell(&t.token)));
        if !t.orgs.is_empty() {
            out.push_str(&format!("Orgs: {}\n\n", cell(&t.orgs.join(", "))));
        }
        out.push_str("| where | kind | environments |\n|---|---|---|\n");
        for &i in &t.bindings {
            let b = &bindings[i];
            out.push_str(&format!(
                "| `{}:{}:{}` | {} | {} |\n",
                cell(&b.path),
                b.line,
                b.column,
                b.kind,
                cell(&b.environments.join(", "))
            ));
        }
    }
    if !notes.is_empty() {
        out.push_str("\n### Notes\n\nFiles orgtoken could not fully analyse: bindings there may be missing.\n\n");
        for n in notes {
            out.push_str(&format!("- {}\n", cell(&note_line(n))));
        }
    }
    out
}
