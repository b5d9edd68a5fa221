//! What reporters must never show, besides token-shaped literals (found in
//! the text by the catalog's shape) and the literals the linker took as
//! token identities: every literal a file gives to a credential-named slot
//! (`client_secret = "…"`, `LEGACY_TOKEN: …`, `password=`, an
//! `Authorization` header value). Such lines sit beside the bindings that
//! code frames show. Reads facts only; the masking is `scan::redact`.

use std::sync::OnceLock;

use regex::Regex;

use crate::catalog::catalog;
use crate::facts::{Expr, ExprKind, FileFacts};

/// Byte spans of literal values in credential-named slots.
pub fn named_secret_spans(facts: &FileFacts) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for a in &facts.assigns {
        if let Some(name) = slot_name(&a.target) {
            secret_value(name, &a.value, &mut out);
        }
        walk(&a.value, &mut out);
    }
    for r in &facts.returns {
        walk(&r.value, &mut out);
    }
    for c in &facts.calls {
        walk(&c.expr, &mut out);
    }
    for p in &facts.profiles {
        for s in &p.settings {
            secret_value(&crate::config::key_name(&s.key), &s.value, &mut out);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The name a value is stored under: `x`, `obj.x`, `obj["x"]`.
fn slot_name(target: &Expr) -> Option<&str> {
    match &target.kind {
        ExprKind::Name(n) | ExprKind::Member(_, n) => Some(n),
        ExprKind::Index(_, k) => match &k.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn secret_value(name: &str, value: &Expr, out: &mut Vec<(usize, usize)>) {
    let c = catalog();
    if !c.is_secret_name(name) {
        return;
    }
    match &value.kind {
        ExprKind::Str(s) if !c.is_placeholder(s) && c.find_hosts(s).is_empty() => {
            out.push((value.span.start, value.span.end));
        }
        // `"Zoho-oauthtoken " + "…"`, an `or` default: each literal part.
        ExprKind::Concat(parts) | ExprKind::Alt { alts: parts, .. } => {
            for p in parts {
                secret_value(name, p, out);
            }
        }
        _ => {}
    }
}

/// Dict entries and keyword arguments anywhere inside an expression.
fn walk(e: &Expr, out: &mut Vec<(usize, usize)>) {
    match &e.kind {
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                if let ExprKind::Str(name) = &k.kind {
                    secret_value(name, v, out);
                }
                walk(v, out);
            }
        }
        ExprKind::Call(call) => {
            walk(&call.callee, out);
            for a in &call.args {
                if let Some(name) = &a.name {
                    secret_value(name, &a.value, out);
                }
                walk(&a.value, out);
            }
        }
        ExprKind::Concat(v) | ExprKind::List(v) | ExprKind::Test(v) => v.iter().for_each(|x| walk(x, out)),
        ExprKind::Alt { cond, alts } => {
            cond.iter().for_each(|x| walk(x, out));
            alts.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Member(x, _) => walk(x, out),
        ExprKind::Index(x, k) => {
            walk(x, out);
            walk(k, out);
        }
        _ => {}
    }
}

/// Credentials in URL query strings and form bodies, wherever they are
/// written: `?authtoken=…` (the legacy API's token), `&refresh_token=…`.
/// A URL is one literal, so no slot names it.
pub fn query_secret_spans(text: &str) -> Vec<(usize, usize)> {
    static PARAM: OnceLock<Regex> = OnceLock::new();
    let re = PARAM.get_or_init(|| Regex::new(r"[?&;]([A-Za-z][\w.-]*)=([^&\s\x22'`#<>;]+)").expect("valid pattern"));
    let c = catalog();
    re.captures_iter(text)
        .filter(|cap| c.is_secret_name(&cap[1]) && !c.is_placeholder(&cap[2]))
        .map(|cap| {
            let v = cap.get(2).expect("group 2 always takes part");
            (v.start(), v.end())
        })
        .collect()
}

/// The last pass over everything orgtoken writes (reports, the inventory,
/// the baseline, error messages): token-shaped values masked wherever they
/// are, whatever surrounds them (a file name, a note quoting a comment, an
/// identity named after a key). Same length, ASCII only: JSON and SARIF
/// stay valid and byte offsets unchanged.
pub fn mask_output(s: String) -> String {
    if !catalog().token_mask.is_match(&s) {
        return s;
    }
    crate::scan::redact(&s, &[])
}
