//! The HTTP clients of the command line (curl, wget, HTTPie): their options, read into a call's arguments.

use super::*;

impl<'a> Lowerer<'a> {
    /// A client's command line as call arguments: URLs positional,
    /// `headers` and `data` dicts.
    pub(super) fn client_args(&mut self, client: Client, args: &[Node], scope: ScopeId) -> Vec<Arg> {
        let mut got = Collected::default();
        let mut pending: Option<Opt> = None;
        let mut httpie_url_seen = false;
        let mut options_done = false;
        for a in args {
            let parts = self.parts(*a, scope);
            if let Some(opt) = pending.take() {
                self.apply(opt, parts, &mut got);
                continue;
            }
            let lead = parts.first().and_then(|p| p.as_str()).unwrap_or("");
            if !options_done && lead == "--" && parts.len() == 1 {
                options_done = true;
                continue;
            }
            if !options_done && lead.starts_with("--") {
                // --name or --name=value
                let (name, inline) = match lead[2..].split_once('=') {
                    Some((n, _)) => (n.to_string(), true),
                    None => (lead[2..].to_string(), false),
                };
                let opt = match client {
                    Client::Curl => curl_long(&name),
                    Client::Wget => wget_long(&name),
                    Client::Httpie => httpie_long(&name),
                };
                if opt == Opt::Flag {
                    continue;
                }
                if inline {
                    let value = split_at_char(&parts, '=', &self.f.lines)
                        .map(|(_, v)| v)
                        .unwrap_or_default();
                    self.apply(opt, value, &mut got);
                } else {
                    pending = Some(opt);
                }
                continue;
            }
            if !options_done && lead.starts_with('-') && lead.len() > 1 {
                // A cluster of short flags; the last may take a value, inline or next.
                let letters: Vec<(usize, char)> = lead.char_indices().skip(1).collect();
                for (i, ch) in letters {
                    let opt = match client {
                        Client::Curl => curl_short(ch),
                        Client::Wget => wget_short(ch),
                        Client::Httpie => httpie_short(ch),
                    };
                    if opt == Opt::Flag {
                        continue;
                    }
                    let rest_at = i + ch.len_utf8();
                    if rest_at < lead.len() || parts.len() > 1 {
                        let value = drop_prefix(&parts, rest_at, &self.f.lines);
                        self.apply(opt, value, &mut got);
                    } else {
                        pending = Some(opt);
                    }
                    break;
                }
                continue;
            }
            match client {
                Client::Httpie => {
                    let is_method = parts.len() == 1
                        && !lead.is_empty()
                        && lead.chars().all(|c| c.is_ascii_uppercase())
                        && !httpie_url_seen;
                    if is_method {
                        continue;
                    }
                    if !httpie_url_seen {
                        httpie_url_seen = true;
                        got.urls.push(concat(parts, self.span(*a)));
                        continue;
                    }
                    // Request items: Header:Value, field=value, field:=json, param==value.
                    let eq = first_literal_pos(&parts, '=');
                    let colon = first_literal_pos(&parts, ':');
                    match (colon, eq) {
                        (Some(c), e) if e.is_none_or(|e| c < e) => {
                            if let Some((k, v)) = split_at_char(&parts, ':', &self.f.lines) {
                                got.headers.push((concat(k, self.span(*a)), concat(v, self.span(*a))));
                            }
                        }
                        (_, Some(_)) => {
                            if let Some((k, v)) = split_at_char(&parts, '=', &self.f.lines) {
                                let v = strip_leading(v, '=', &self.f.lines);
                                got.data.push((concat(k, self.span(*a)), concat(v, self.span(*a))));
                            }
                        }
                        _ => {}
                    }
                }
                _ => got.urls.push(concat(parts, self.span(*a))),
            }
        }
        // httpie `-A bearer -a TOKEN`: the Authorization header it sends.
        if let (true, Some(auth)) = (got.bearer, got.auth.take()) {
            self.apply(Opt::Bearer, auth, &mut got);
        }
        let Collected {
            urls, headers, data, ..
        } = got;
        let mut out: Vec<Arg> = urls.into_iter().map(|u| Arg { name: None, value: u }).collect();
        let whole = args
            .first()
            .map(|f| {
                self.f.lines.span(
                    f.start_byte(),
                    args.last().map(|l| l.end_byte()).unwrap_or(f.end_byte()),
                )
            })
            .unwrap_or_default();
        if !headers.is_empty() {
            out.push(Arg {
                name: Some("headers".into()),
                value: Expr::new(ExprKind::Dict(headers.into()), whole),
            });
        }
        if !data.is_empty() {
            out.push(Arg {
                name: Some("data".into()),
                value: Expr::new(ExprKind::Dict(data.into()), whole),
            });
        }
        out
    }

    pub(super) fn apply(&self, opt: Opt, parts: Parts, got: &mut Collected) {
        let Some(sp) = whole_span(&parts) else { return };
        match opt {
            Opt::Header => {
                match split_at_char(&parts, ':', &self.f.lines) {
                    Some((k, v)) => {
                        let k = trim_parts(k);
                        let v = trim_parts(v);
                        got.headers.push((concat(k, sp), concat(v, sp)));
                    }
                    // `-H "$AUTH"`: a whole header line held in a variable.
                    None => got.headers.push((Expr::unknown(sp), concat(parts, sp))),
                }
            }
            Opt::Form => {
                // `@file` reads the body from a file: nothing to see.
                if parts
                    .first()
                    .and_then(|p| p.as_str())
                    .is_some_and(|s| s.starts_with('@'))
                {
                    return;
                }
                for field in split_all(&parts, '&', &self.f.lines) {
                    if let Some((k, v)) = split_at_char(&field, '=', &self.f.lines) {
                        got.data.push((concat(k, sp), concat(v, sp)));
                    }
                }
            }
            Opt::Url => got.urls.push(concat(parts, sp)),
            Opt::Bearer => {
                // The header the option stands for.
                let scheme = Expr::new(ExprKind::Str("Bearer ".into()), sp);
                let mut v = vec![scheme];
                v.extend(parts);
                let header = catalog_header_name();
                got.headers.push((
                    Expr::new(ExprKind::Str(header.into()), sp),
                    Expr::new(ExprKind::Concat(v.into()), sp),
                ));
            }
            Opt::Auth => got.auth = Some(parts),
            Opt::AuthType => got.bearer = parts.first().and_then(|p| p.as_str()) == Some("bearer"),
            Opt::Skip | Opt::Flag => {}
        }
    }
}

/// The HTTP clients whose command lines are lowered into calls.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Client {
    Curl,
    Wget,
    Httpie,
}

pub(super) fn client_for(name: &str) -> Option<Client> {
    match name.rsplit('/').next().unwrap_or(name) {
        "curl" => Some(Client::Curl),
        "wget" => Some(Client::Wget),
        "http" | "https" | "xh" | "xhs" => Some(Client::Httpie),
        _ => None,
    }
}

/// What a client option does with its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Opt {
    Header,
    /// `k=v&k2=v2` form fields.
    Form,
    Url,
    Bearer,
    /// httpie's `--auth` value and `--auth-type` (a token with `bearer`).
    Auth,
    AuthType,
    /// Takes a value that carries neither endpoint nor token.
    Skip,
    /// A flag without a value.
    Flag,
}

pub(super) fn curl_long(name: &str) -> Opt {
    match name {
        "header" | "proxy-header" => Opt::Header,
        "data" | "data-raw" | "data-binary" | "data-urlencode" | "data-ascii" | "form" | "form-string" => Opt::Form,
        "url" => Opt::Url,
        "oauth2-bearer" => Opt::Bearer,
        "request" | "user" | "output" | "user-agent" | "referer" | "cookie" | "cookie-jar" | "max-time"
        | "connect-timeout" | "write-out" | "retry" | "retry-delay" | "retry-max-time" | "proxy" | "upload-file"
        | "cacert" | "capath" | "cert" | "key" | "config" | "range" | "limit-rate" | "resolve" | "interface"
        | "json" | "trace" | "trace-ascii" | "dump-header" | "stderr" | "continue-at" | "max-filesize"
        | "max-redirs" | "speed-limit" | "speed-time" | "local-port" | "dns-servers" | "connect-to" | "aws-sigv4"
        | "variable" | "expand-url" | "url-query" | "netrc-file" | "ciphers" | "proxy-user" | "socks5"
        | "socks5-hostname" | "unix-socket" | "output-dir" | "create-file-mode" => Opt::Skip,
        _ => Opt::Flag,
    }
}

pub(super) fn curl_short(c: char) -> Opt {
    match c {
        'H' => Opt::Header,
        'd' | 'F' => Opt::Form,
        'X' | 'u' | 'o' | 'A' | 'e' | 'b' | 'c' | 'm' | 'w' | 'x' | 'T' | 'K' | 'r' | 'Y' | 'y' | 'z' | 'C' | 'D'
        | 'E' | 'P' | 'Q' | 't' | 'U' => Opt::Skip,
        _ => Opt::Flag,
    }
}

pub(super) fn wget_long(name: &str) -> Opt {
    match name {
        "header" => Opt::Header,
        "post-data" | "body-data" => Opt::Form,
        "output-document" | "output-file" | "append-output" | "user" | "password" | "http-user" | "http-password"
        | "user-agent" | "referer" | "tries" | "timeout" | "method" | "load-cookies" | "save-cookies"
        | "directory-prefix" | "input-file" | "post-file" | "body-file" | "ca-certificate" | "certificate"
        | "private-key" | "wait" | "limit-rate" => Opt::Skip,
        _ => Opt::Flag,
    }
}

pub(super) fn wget_short(c: char) -> Opt {
    match c {
        'O' | 'o' | 'a' | 'U' | 't' | 'T' | 'P' | 'i' | 'w' | 'e' | 'B' => Opt::Skip,
        _ => Opt::Flag,
    }
}

pub(super) fn httpie_long(name: &str) -> Opt {
    match name {
        "auth" => Opt::Auth,
        "auth-type" => Opt::AuthType,
        "bearer" => Opt::Bearer,
        "output" | "session" | "session-read-only" | "verify" | "cert" | "cert-key" | "timeout" | "proxy" | "print"
        | "pretty" | "style" | "format-options" | "max-redirects" | "ssl" | "ciphers" | "default-scheme"
        | "boundary" | "raw" | "response-charset" | "response-mime" | "unsorted" | "max-headers" => Opt::Skip,
        _ => Opt::Flag,
    }
}

pub(super) fn httpie_short(c: char) -> Opt {
    match c {
        'a' => Opt::Auth,
        'A' => Opt::AuthType,
        'o' | 'p' | 's' => Opt::Skip,
        _ => Opt::Flag,
    }
}

/// What a client's command line says, option by option.
#[derive(Default)]
pub(super) struct Collected {
    urls: Vec<Expr>,
    headers: Vec<(Expr, Expr)>,
    data: Vec<(Expr, Expr)>,
    auth: Option<Parts>,
    bearer: bool,
}
