//! Shell words as parts: unquoting, literal merging, and splitting across expansions (option syntax read through `$VAR`).

use super::*;

/// The header name the catalog knows for tokens (`Authorization`).
pub(super) fn catalog_header_name() -> String {
    crate::catalog::catalog()
        .header_names()
        .first()
        .cloned()
        .unwrap_or_default()
}

/// An unquoted word's text with backslash escapes removed.
pub(super) fn unquote_word(t: &str) -> String {
    if !t.contains('\\') {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(o) => out.push(o),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Inside double quotes only `\$`, `` \` ``, `\"`, `\\` and a newline are escapes.
pub(super) fn unescape_dquoted(t: &str) -> String {
    if !t.contains('\\') {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('$' | '`' | '"' | '\\') => out.push(chars.next().unwrap_or('\\')),
                Some('\n') => {
                    chars.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One expression for parts: a string, the single part, or a `Concat`.
pub(super) fn concat(parts: Parts, span: Span) -> Expr {
    match parts.len() {
        0 => Expr::new(ExprKind::Str(String::new().into()), span),
        1 => parts.into_iter().next().unwrap_or_else(|| Expr::unknown(span)),
        _ => Expr::new(ExprKind::Concat(parts.into()), span),
    }
}

pub(super) fn whole_span(parts: &Parts) -> Option<Span> {
    let first = parts.first()?;
    let last = parts.last()?;
    Some(Span {
        start: first.span.start,
        end: last.span.end,
    })
}

/// A literal's sub-span: exact when the literal is written as is (no
/// quotes or escapes in between), else the whole literal.
pub(super) fn sub_span(lit: &Expr, from: usize, to: usize, lines: &LineIndex) -> Span {
    let s = lit.as_str().unwrap_or("");
    if lit.span.bytes().len() == s.len() {
        lines.span(lit.span.start_byte() + from, lit.span.start_byte() + to)
    } else {
        lit.span
    }
}

pub(super) fn merge_literals(parts: Parts, lines: &LineIndex) -> Parts {
    let mut out: Parts = Vec::with_capacity(parts.len());
    for p in parts {
        if let (Some(prev), Some(s)) = (out.last_mut(), p.as_str()) {
            if let Some(ps) = prev.as_str() {
                let joined = format!("{ps}{s}");
                let span = if prev.span.end == p.span.start
                    && prev.span.bytes().len() == ps.len()
                    && p.span.bytes().len() == s.len()
                {
                    lines.span(prev.span.start_byte(), p.span.end_byte())
                } else {
                    Span {
                        start: prev.span.start,
                        end: p.span.end,
                    }
                };
                *prev = Expr::new(ExprKind::Str(joined.into()), span);
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// (part index, byte offset) of the first `ch` in a literal part.
pub(super) fn first_literal_pos(parts: &Parts, ch: char) -> Option<(usize, usize)> {
    parts
        .iter()
        .enumerate()
        .find_map(|(i, p)| p.as_str().and_then(|s| s.find(ch)).map(|o| (i, o)))
}

/// Splits at the first literal `ch`: (before, after).
pub(super) fn split_at_char(parts: &Parts, ch: char, lines: &LineIndex) -> Option<(Parts, Parts)> {
    let (i, o) = first_literal_pos(parts, ch)?;
    let lit = &parts[i];
    let s = lit.as_str().unwrap_or("");
    let mut before: Parts = parts[..i].to_vec();
    if o > 0 {
        before.push(Expr::new(
            ExprKind::Str(s[..o].to_string().into()),
            sub_span(lit, 0, o, lines),
        ));
    }
    let mut after: Parts = Vec::new();
    let rest = o + ch.len_utf8();
    if rest < s.len() {
        after.push(Expr::new(
            ExprKind::Str(s[rest..].to_string().into()),
            sub_span(lit, rest, s.len(), lines),
        ));
    }
    after.extend(parts[i + 1..].iter().cloned());
    Some((before, after))
}

pub(super) fn split_all(parts: &Parts, ch: char, lines: &LineIndex) -> Vec<Parts> {
    let mut out = Vec::new();
    let mut rest = parts.clone();
    while let Some((a, b)) = split_at_char(&rest, ch, lines) {
        out.push(a);
        rest = b;
    }
    out.push(rest);
    out.retain(|p| !p.is_empty());
    out
}

/// Drops the first `n` bytes of the leading literal (`-H…` → `…`).
pub(super) fn drop_prefix(parts: &Parts, n: usize, lines: &LineIndex) -> Parts {
    let mut out = parts.clone();
    if let Some(first) = out.first() {
        if let Some(s) = first.as_str() {
            let n = n.min(s.len());
            if n == s.len() {
                out.remove(0);
            } else {
                let sp = sub_span(first, n, s.len(), lines);
                out[0] = Expr::new(ExprKind::Str(s[n..].to_string().into()), sp);
            }
        }
    }
    out
}

pub(super) fn strip_leading(parts: Parts, ch: char, lines: &LineIndex) -> Parts {
    match parts.first().and_then(|p| p.as_str()) {
        Some(s) if s.starts_with(ch) => drop_prefix(&parts, ch.len_utf8(), lines),
        _ => parts,
    }
}

/// Trims blanks around a header name or value.
pub(super) fn trim_parts(mut parts: Parts) -> Parts {
    if let Some(first) = parts.first_mut() {
        if let Some(s) = first.as_str() {
            let t = s.trim_start().to_string();
            first.kind = ExprKind::Str(t.into());
        }
    }
    if let Some(last) = parts.last_mut() {
        if let Some(s) = last.as_str() {
            let t = s.trim_end().to_string();
            last.kind = ExprKind::Str(t.into());
        }
    }
    parts.retain(|p| p.as_str() != Some(""));
    parts
}
