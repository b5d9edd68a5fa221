//! String templates filled with arguments at run time: printf (`%s`,
//! `%<name>s`), Python's `str.format` (`{}`, `{name}`) and .NET's composite
//! format (`{0}`). A front-end lowers a template it can read into string
//! building at once ([`fill`]); a template held in a variable or chosen at
//! run time (`(A if s else B) % dc`, Ruby `format(url, region:)`) becomes
//! [`ExprKind::Format`], which the linker fills for each literal the
//! template can be ([`expand`]).

use crate::facts::{Arg, Expr, ExprKind, Span};

pub use crate::facts::FormatStyle as Style;

/// `template` filled with `args`, at `span`: string building when the
/// template is a literal, else a [`ExprKind::Format`] for the linker.
pub(crate) fn fill(style: Style, template: Expr, args: Vec<Arg>, span: Span) -> Expr {
    if template.as_str().is_some() {
        return Expr::new(expand(style, &template, &args), span);
    }
    let kind = ExprKind::Format {
        style,
        template: Box::new(template),
        args: args.into(),
    };
    Expr::new(kind, span)
}

/// A literal template filled with `args`, as string building (`Concat`).
pub fn expand(style: Style, template: &Expr, args: &[Arg]) -> ExprKind {
    let t = template.as_str().unwrap_or("");
    match style {
        Style::Printf => printf(t, template.span, args),
        Style::Python => python(t, template.span, args),
        Style::Composite => composite(t, template.span, args),
    }
}

/// Positional arguments.
pub(crate) fn positional(values: Vec<Expr>) -> Vec<Arg> {
    values.into_iter().map(|value| Arg { name: None, value }).collect()
}

/// A printf-style template filled with its arguments, as string building:
/// `fmt.Sprintf`, `String.format`, PHP `sprintf`, Python and Ruby `%`, Ruby
/// `format`, Node's `util.format`. `%%` is a percent sign, `%n` a newline;
/// a named reference (`%<env>s`, `%{env}`, `%(env)s`) takes the keyword
/// argument of that name, or that key of a dict argument; any other
/// conversion (`%s`, `%-10d`, `%.2f`) takes the next positional argument.
fn printf(t: &str, span: Span, args: &[Arg]) -> ExprKind {
    let mut positional = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value);
    let named = |name: &str| -> Expr {
        let keyword = args
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .map(|a| a.value.clone());
        let from_dict = || {
            args.iter().find_map(|a| match &a.value.kind {
                ExprKind::Dict(pairs) => pairs
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(name))
                    .map(|(_, v)| v.clone()),
                _ => None,
            })
        };
        keyword.or_else(from_dict).unwrap_or_else(|| Expr::unknown(span))
    };
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = t;
    while let Some(i) = rest.find('%') {
        lit.push_str(&rest[..i]);
        let spec = &rest[i + 1..];
        let close = |open: char, close: char| {
            spec.strip_prefix(open)
                .and_then(|r| r.find(close).map(|j| (r[..j].to_string(), j + 2)))
        };
        let (value, used) = if spec.starts_with('%') {
            lit.push('%');
            (None, 1)
        } else if spec.starts_with('n') && !spec.starts_with("n%") {
            lit.push('\n');
            (None, 1)
        } else if let Some((name, len)) = close('<', '>').or_else(|| close('(', ')')) {
            // `%<env>s` / `%(env)s`: the conversion letter follows the name.
            let verb = spec[len..]
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(len, |k| len + k + 1);
            (Some(named(&name)), verb)
        } else if let Some((name, len)) = close('{', '}') {
            (Some(named(&name)), len)
        } else {
            let verb = spec.find(|c: char| c.is_ascii_alphabetic()).map_or(0, |k| k + 1);
            (
                Some(positional.next().cloned().unwrap_or_else(|| Expr::unknown(span))),
                verb,
            )
        };
        if let Some(v) = value {
            parts.push(Expr::new(ExprKind::Str(std::mem::take(&mut lit).into()), span));
            parts.push(v);
        }
        rest = &spec[used.min(spec.len())..];
    }
    lit.push_str(rest);
    parts.push(Expr::new(ExprKind::Str(lit.into()), span));
    ExprKind::Concat(parts.into())
}

/// `"https://{}.zohoapis.{tld}".format(env, tld=tld)` → Concat.
fn python(t: &str, span: Span, args: &[Arg]) -> ExprKind {
    let mut parts = Vec::new();
    let mut positional = args.iter().filter(|a| a.name.is_none());
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        if rest[i + 1..].starts_with('{') {
            parts.push(Expr::new(ExprKind::Str(rest[..=i].to_string().into()), span));
            rest = &rest[i + 2..];
            continue;
        }
        let Some(j) = rest[i..].find('}') else { break };
        parts.push(Expr::new(ExprKind::Str(rest[..i].to_string().into()), span));
        let field = rest[i + 1..i + j].split([':', '!']).next().unwrap_or("");
        let value = if field.is_empty() || field.chars().all(|c| c.is_ascii_digit()) {
            positional.next().map(|a| a.value.clone())
        } else {
            args.iter()
                .find(|a| a.name.as_deref() == Some(field))
                .map(|a| a.value.clone())
        };
        parts.push(value.unwrap_or_else(|| Expr::unknown(span)));
        rest = &rest[i + j + 1..];
    }
    parts.push(Expr::new(ExprKind::Str(rest.to_string().into()), span));
    ExprKind::Concat(parts.into())
}

/// `string.Format("https://{0}.zohoapis.{1}", env, tld)` → Concat.
fn composite(t: &str, span: Span, args: &[Arg]) -> ExprKind {
    let args: Vec<&Expr> = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value).collect();
    let mut parts = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find(['{', '}']) {
        let brace = rest.as_bytes()[i];
        if rest[i + 1..].starts_with(brace as char) {
            parts.push(Expr::new(ExprKind::Str(rest[..=i].to_string().into()), span));
            rest = &rest[i + 2..];
            continue;
        }
        if brace == b'}' {
            parts.push(Expr::new(ExprKind::Str(rest[..=i].to_string().into()), span));
            rest = &rest[i + 1..];
            continue;
        }
        let Some(j) = rest[i..].find('}') else { break };
        parts.push(Expr::new(ExprKind::Str(rest[..i].to_string().into()), span));
        let field = rest[i + 1..i + j].split([':', ',']).next().unwrap_or("").trim();
        let value = field
            .parse::<usize>()
            .ok()
            .and_then(|k| args.get(k).map(|a| (*a).clone()));
        parts.push(value.unwrap_or_else(|| Expr::unknown(span)));
        rest = &rest[i + j + 1..];
    }
    parts.push(Expr::new(ExprKind::Str(rest.to_string().into()), span));
    ExprKind::Concat(parts.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_fills_positional_named_and_dict_references() {
        use crate::frontend::testing::show;
        let sp = Span::default();
        let s = |t: &str| Expr::new(ExprKind::Str(t.into()), sp);
        let n = |t: &str| Expr::new(ExprKind::Name(t.into()), sp);
        let kw = |k: &str, v: Expr| Arg {
            name: Some(k.into()),
            value: v,
        };
        let show_kind = |k: ExprKind| show(&Expr::new(k, sp));
        assert_eq!(
            show_kind(expand(
                Style::Printf,
                &s("https://%s.zohoapis.%-3s/100%%"),
                &positional(vec![n("env"), n("tld")])
            )),
            "concat(\"https://\", env, \".zohoapis.\", tld, \"/100%\")"
        );
        assert_eq!(
            show_kind(expand(
                Style::Printf,
                &s("https://%<sub>s.zohoapis.%{tld}"),
                &[kw("tld", n("t")), kw("sub", n("s"))]
            )),
            "concat(\"https://\", s, \".zohoapis.\", t, \"\")"
        );
        let dict = Expr::new(ExprKind::Dict(vec![(s("env"), n("e"))].into()), sp);
        assert_eq!(
            show_kind(expand(
                Style::Printf,
                &s("https://%(env)s.zohoapis.com"),
                &positional(vec![dict])
            )),
            "concat(\"https://\", e, \".zohoapis.com\")"
        );
        // A missing argument is unknown, never a shifted one.
        assert_eq!(
            show_kind(expand(Style::Printf, &s("%s-%s"), &positional(vec![n("a")]))),
            "concat(\"\", a, \"-\", ?, \"\")"
        );
    }
}
