//! Rust macros: `format!` and friends as string building, literal-only calls, `lazy_static!`, and the recovery of items syn cannot parse.

use super::*;

impl Lowerer<'_> {
    pub(super) fn macro_call(&mut self, mac: &syn::Macro, scope: ScopeId, receiver: bool) -> Expr {
        let sp = self.span_of(mac);
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let parsed = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        let Ok(items) = parsed else {
            return self.literal_call(mac.tokens.clone(), Some(sp), scope, receiver);
        };
        let items: Vec<&syn::Expr> = items.iter().collect();
        match name.as_str() {
            "env" | "option_env" => {
                if let Some(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                })) = items.first()
                {
                    let n = s.value();
                    self.facts.env_reads.push(n.clone());
                    return Expr::new(ExprKind::Env(n.into()), sp);
                }
                Expr::unknown(sp)
            }
            "concat" => {
                let parts = items.iter().map(|x| self.expr(x, scope, false)).collect();
                Expr::new(ExprKind::Concat(parts), sp)
            }
            "vec" => {
                let parts = items.iter().map(|x| self.expr(x, scope, false)).collect();
                Expr::new(ExprKind::List(parts), sp)
            }
            "format" | "format_args" => self.format(&items, scope, sp),
            _ => {
                let args = items
                    .iter()
                    .map(|x| Arg {
                        name: None,
                        value: self.expr(x, scope, false),
                    })
                    .collect();
                let callee = Expr::new(ExprKind::Name(format!("{name}!").into()), sp);
                self.push_call(callee, args, sp, scope, receiver)
            }
        }
    }

    /// `format!("{}/crm/{m}", base, m = module)` → Concat.
    pub(super) fn format(&mut self, items: &[&syn::Expr], scope: ScopeId, sp: Span) -> Expr {
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(t), ..
        })) = items.first()
        else {
            return Expr::unknown(sp);
        };
        let tsp = self.span_of(t);
        let template = t.value();
        let mut positional = Vec::new();
        let mut named: Vec<(String, Expr)> = Vec::new();
        for x in &items[1..] {
            match x {
                syn::Expr::Assign(a) => {
                    let v = self.expr(&a.right, scope, false);
                    if let syn::Expr::Path(p) = a.left.as_ref() {
                        if let Some(id) = p.path.get_ident() {
                            named.push((id.to_string(), v));
                        }
                    }
                }
                _ => positional.push(self.expr(x, scope, false)),
            }
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut next = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        field.push(d);
                    }
                    let arg = field.split(':').next().unwrap_or("").trim().to_string();
                    parts.push(Expr::new(ExprKind::Str(std::mem::take(&mut lit).into()), tsp));
                    let v = if arg.is_empty() {
                        next += 1;
                        positional.get(next - 1).cloned()
                    } else if let Ok(i) = arg.parse::<usize>() {
                        positional.get(i).cloned()
                    } else {
                        named
                            .iter()
                            .find(|(n, _)| *n == arg)
                            .map(|(_, v)| v.clone())
                            .or_else(|| Some(Expr::new(ExprKind::Name(arg.clone().into()), tsp)))
                    };
                    parts.push(v.unwrap_or_else(|| Expr::unknown(tsp)));
                }
                _ => lit.push(c),
            }
        }
        if parts.is_empty() {
            return Expr::new(ExprKind::Str(lit.into()), sp);
        }
        parts.push(Expr::new(ExprKind::Str(lit.into()), tsp));
        Expr::new(ExprKind::Concat(parts.into()), sp)
    }

    /// Tokens syn cannot read as expressions: a call of their string literals,
    /// one per `;`-separated statement, so hosts and headers in them count.
    pub(super) fn literal_call(
        &mut self,
        tokens: TokenStream,
        sp: Option<Span>,
        scope: ScopeId,
        receiver: bool,
    ) -> Expr {
        let mut segments: Vec<Vec<Expr>> = vec![Vec::new()];
        self.collect_literals(tokens, &mut segments);
        let segments: Vec<Vec<Expr>> = segments.into_iter().filter(|s| !s.is_empty()).collect();
        let one = segments.len() == 1;
        let mut first = None;
        for seg in segments {
            // Without a node around them, the literals' own extent is the call.
            let own = seg[0].span.join_to(seg[seg.len() - 1].span);
            let at = match sp {
                Some(s) if one => s,
                _ => own,
            };
            let args = seg.into_iter().map(|value| Arg { name: None, value }).collect();
            let e = self.push_call(Expr::unknown(at), args, at, scope, receiver);
            first.get_or_insert(e);
        }
        first.unwrap_or_else(|| Expr::unknown(sp.unwrap_or_default()))
    }

    pub(super) fn collect_literals(&mut self, tokens: TokenStream, segments: &mut Vec<Vec<Expr>>) {
        if self.nesting.too_deep(self.depth) {
            return;
        }
        self.depth += 1;
        for tt in tokens {
            match tt {
                TokenTree::Literal(l) => {
                    if let syn::Lit::Str(s) = syn::Lit::new(l) {
                        let e = Expr::new(ExprKind::Str(s.value().into()), self.span_of(&s));
                        if let Some(last) = segments.last_mut() {
                            last.push(e);
                        }
                    }
                }
                TokenTree::Punct(p) if p.as_char() == ';' => segments.push(Vec::new()),
                TokenTree::Group(g) => {
                    if g.delimiter() == Delimiter::Brace {
                        segments.push(Vec::new());
                    }
                    self.collect_literals(g.stream(), segments);
                    if g.delimiter() == Delimiter::Brace {
                        segments.push(Vec::new());
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
    }

    // ------------------------------------------------------------------
    // Recovery
    // ------------------------------------------------------------------

    /// A file syn rejects: each top-level item that parses is lowered; the
    /// statements of the others are lowered where they parse, else scanned
    /// for literals.
    pub(super) fn recover_items(&mut self, ts: TokenStream) {
        let chunks = split_items(ts);
        let items: Vec<Result<syn::Item, TokenStream>> = chunks
            .into_iter()
            .map(|c| {
                if too_deep(&c) {
                    return Err(c);
                }
                syn::parse2::<syn::Item>(c.clone()).map_err(|_| c)
            })
            .collect();
        let good: Vec<syn::Item> = items.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        self.collect_uses(&good);
        for r in items {
            match r {
                Ok(item) => self.item(&item, 0),
                Err(chunk) => self.recover_chunk(chunk, 0),
            }
        }
    }

    pub(super) fn recover_chunk(&mut self, chunk: TokenStream, scope: ScopeId) {
        if self.nesting.too_deep(self.depth) {
            return;
        }
        self.depth += 1;
        let mut outside = TokenStream::new();
        for tt in chunk {
            match tt {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    for piece in split_items(g.stream()) {
                        let parsed = if too_deep(&piece) {
                            None
                        } else {
                            syn::parse::Parser::parse2(syn::Block::parse_within, piece.clone()).ok()
                        };
                        match parsed {
                            Some(stmts) => {
                                self.stmts(&stmts, scope, None);
                            }
                            None => self.recover_chunk(piece, scope),
                        }
                    }
                }
                other => outside.extend([other]),
            }
        }
        self.literal_call(outside, None, scope, false);
        self.depth -= 1;
    }

    /// A file that does not even lex (unbalanced delimiters): the literals of
    /// each line that lexes.
    pub(super) fn recover_lines(&mut self, src: &str) {
        let mut offset = 0;
        for line in src.split_inclusive('\n') {
            proc_macro2::extra::invalidate_current_thread_spans();
            if let Ok(ts) = TokenStream::from_str(line) {
                let saved = self.base;
                self.base += offset;
                self.literal_call(ts, None, 0, false);
                self.base = saved;
            }
            offset += line.len();
        }
    }
}

/// The body of `lazy_static! { [pub] static ref NAME: T = value; … }`.
pub(super) fn parse_lazy_statics(input: syn::parse::ParseStream) -> syn::Result<Vec<(syn::Ident, syn::Expr)>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Visibility>()?;
        input.parse::<syn::Token![static]>()?;
        input.parse::<syn::Token![ref]>()?;
        let ident: syn::Ident = input.parse()?;
        input.parse::<syn::Token![:]>()?;
        input.parse::<syn::Type>()?;
        input.parse::<syn::Token![=]>()?;
        let expr: syn::Expr = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        out.push((ident, expr));
    }
    Ok(out)
}

/// Splits a token stream into item- or statement-sized chunks: after a `;`,
/// and after a `{ … }` group not followed by something that continues the
/// expression.
pub(super) fn split_items(ts: TokenStream) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = ts.into_iter().collect();
    let mut chunks = Vec::new();
    let mut cur = TokenStream::new();
    for (i, t) in tokens.iter().enumerate() {
        cur.extend([t.clone()]);
        let end = match t {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                !matches!(
                    tokens.get(i + 1),
                    Some(TokenTree::Punct(p)) if matches!(p.as_char(), ';' | '.' | ',' | '?')
                ) && !matches!(tokens.get(i + 1), Some(TokenTree::Ident(id)) if id == "else")
            }
            _ => false,
        };
        if end {
            chunks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks
}
