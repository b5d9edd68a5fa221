//! What reporters must never show, besides token-shaped literals (found in
//! the text by the catalog's shape) and the literals the linker took as
//! token identities: every literal a file gives to a credential-named slot
//! (`client_secret = "…"`, `LEGACY_TOKEN: …`, `password=`, an
//! `Authorization` header value). Such lines sit beside the bindings that
//! code frames show. Reads facts only; [`mask`] does the masking.

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
        ExprKind::Name(n) => Some(n),
        ExprKind::Member(_, n) => Some(n),
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
            out.push((value.span.start_byte(), value.span.end_byte()));
        }
        // `"Zoho-oauthtoken " + "…"`, an `or` default, Go's
        // `url.Values{"client_secret": {"…"}}`: each literal part.
        ExprKind::Concat(parts) | ExprKind::List(parts) => {
            for p in parts {
                secret_value(name, p, out);
            }
        }
        ExprKind::Alt { alts, .. } => {
            for p in alts {
                secret_value(name, p, out);
            }
        }
        _ => {}
    }
}

/// A name and a value side by side: `("client_secret", "…")` tuples,
/// `os.environ.setdefault("ZOHO_CLIENT_SECRET", "…")`, `put("token", "…")`.
fn pairs(items: &[&Expr], out: &mut Vec<(usize, usize)>) {
    for w in items.windows(2) {
        if let ExprKind::Str(name) = &w[0].kind {
            secret_value(name, w[1], out);
        }
    }
}

/// The literal parts of a string the analysis joins (`"1000.ab" + "cd…"`,
/// Python's `"…" "…"`) when the joined text is token-shaped: each part
/// alone is not.
fn split_token(parts: &[Expr], out: &mut Vec<(usize, usize)>) {
    fn strs<'e>(e: &'e Expr, acc: &mut Vec<&'e Expr>) {
        match &e.kind {
            ExprKind::Str(_) => acc.push(e),
            ExprKind::Concat(v) => v.iter().for_each(|x| strs(x, acc)),
            _ => {}
        }
    }
    let mut lits = Vec::new();
    parts.iter().for_each(|p| strs(p, &mut lits));
    let joined: String = lits
        .iter()
        .filter_map(|e| match &e.kind {
            ExprKind::Str(s) => Some(s.as_ref()),
            _ => None,
        })
        .collect();
    if lits.len() > 1 && catalog().token_mask.is_match(&joined) {
        out.extend(lits.iter().map(|e| (e.span.start_byte(), e.span.end_byte())));
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
            let positional: Vec<&Expr> = call
                .args
                .iter()
                .filter(|a| a.name.is_none())
                .map(|a| &a.value)
                .collect();
            pairs(&positional, out);
        }
        ExprKind::List(v) => {
            pairs(&v.iter().collect::<Vec<_>>(), out);
            v.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Concat(v) => {
            split_token(v, out);
            v.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Test(v) => v.iter().for_each(|x| walk(x, out)),
        ExprKind::Format { template, args, .. } => {
            walk(template, out);
            args.iter().for_each(|a| walk(&a.value, out));
        }
        ExprKind::Alt { cond, alts } => {
            cond.iter().for_each(|x| walk(x, out));
            alts.iter().for_each(|x| walk(x, out));
        }
        ExprKind::Member(x, _) | ExprKind::Elem(x, _) => walk(x, out),
        ExprKind::Index(x, k) => {
            walk(x, out);
            walk(k, out);
        }
        _ => {}
    }
}

/// Credentials found in the text itself, wherever they are written: URL
/// query strings and form bodies (`?authtoken=…`, the legacy API's token;
/// `"refresh_token=…&…"`; a heredoc's `client_secret=…` line), literal
/// name/value pairs (`setdefault("ZOHO_CLIENT_SECRET", "…")`), and the
/// password of a URL's userinfo. A URL is one literal, so no slot names it.
pub fn query_secret_spans(text: &str) -> Vec<(usize, usize)> {
    static PARAM: OnceLock<Regex> = OnceLock::new();
    static USERINFO: OnceLock<Regex> = OnceLock::new();
    // After `?`, `&`, `;`, an opening quote or at a line start (a form body
    // `"refresh_token=…&…"`, a heredoc line `client_secret=…`).
    let re = PARAM.get_or_init(|| {
        Regex::new(r"(?m)(?:^|[?&;\x22'`])([A-Za-z][\w.-]*)=([^&\s\x22'`#<>;]+)").expect("valid pattern")
    });
    let c = catalog();
    let mut out: Vec<(usize, usize)> = re
        .captures_iter(text)
        .filter(|cap| c.is_secret_name(&cap[1]) && !c.is_placeholder(&cap[2]) && !cap[2].starts_with('$'))
        .map(|cap| {
            let v = cap.get(2).expect("group 2 always takes part");
            (v.start(), v.end())
        })
        .collect();
    // A name and a value side by side in any call or tuple, written as
    // literals: `setdefault("ZOHO_CLIENT_SECRET", "…")`, `("token", "…")`
    // (also when no fact holds them: a bare statement).
    static PAIR: OnceLock<Regex> = OnceLock::new();
    let pair = PAIR.get_or_init(|| {
        Regex::new(r#"\(\s*["'`]([A-Za-z_][\w.-]*)["'`]\s*,\s*["'`]([^"'`\s]+)["'`]"#).expect("valid pattern")
    });
    out.extend(
        pair.captures_iter(text)
            .filter(|cap| c.is_secret_name(&cap[1]) && !c.is_placeholder(&cap[2]) && c.find_hosts(&cap[2]).is_empty())
            .filter_map(|cap| cap.get(2))
            .map(|v| (v.start(), v.end())),
    );
    // The password of a URL's userinfo: `https://user:secret@host`.
    let userinfo = USERINFO.get_or_init(|| {
        Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@\x22'`]+:([^@/\s\x22'`]+)@").expect("valid pattern")
    });
    out.extend(
        userinfo
            .captures_iter(text)
            .filter_map(|cap| cap.get(1))
            .filter(|v| !c.is_placeholder(v.as_str()) && !v.as_str().starts_with('$'))
            .map(|v| (v.start(), v.end())),
    );
    out
}

/// The last pass over everything orgtoken writes (reports, the inventory,
/// the baseline, error messages): token-shaped values masked wherever they
/// are, whatever surrounds them (a file name, a note quoting a comment, an
/// identity named after a key). Same length, ASCII only: JSON and SARIF
/// stay valid and byte offsets unchanged.
pub fn mask_output(s: String) -> String {
    let found: Vec<(usize, usize)> = catalog()
        .token_mask
        .find_iter(&s)
        .map(|m| (m.start(), m.end()))
        .collect();
    if found.is_empty() {
        return s;
    }
    // In place: a report can be tens of MB.
    let mut bytes = s.into_bytes();
    for (start, end) in found {
        for b in &mut bytes[start + 5..end] {
            if b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_' {
                *b = b'*';
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII: still UTF-8.
    String::from_utf8(bytes).expect("ASCII replaced by ASCII")
}

/// Replaces secrets with `*` of the same byte length (spans stay valid).
/// Token-shaped literals keep their `1000.` prefix so readers see what it was.
pub fn mask(text: &str, spans: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut mask = |s: usize, e: usize, keep: usize| {
        for b in bytes.iter_mut().take(e.min(text.len())).skip(s + keep) {
            if b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_' {
                *b = b'*';
            }
        }
    };
    for m in catalog().token_mask.find_iter(text) {
        mask(m.start(), m.end(), 5);
    }
    for &(s, e) in spans {
        // Only the string body of a literal: keep quotes and prefixes.
        if e > s && e <= text.len() && !catalog().token_literal.is_match(&text[s..e]) {
            let slice = &text[s..e];
            let inner_start = slice.find(['"', '\'', '`']).map(|i| s + i + 1).unwrap_or(s);
            // `Zoho-oauthtoken …`, `Bearer …`: the scheme is no secret.
            let c = catalog();
            let scheme = c
                .header_prefixes
                .iter()
                .chain(&c.header_prefixes_generic)
                .find(|p| text.get(inner_start..).is_some_and(|t| t.starts_with(p.as_str())))
                .map_or(0, |p| p.len());
            mask(inner_start, e, scheme);
        }
    }
    // Masking only touches ASCII bytes, so the result is valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}
