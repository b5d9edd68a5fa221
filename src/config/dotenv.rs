//! `.env`, `.env.*`, `*.env`, `.dev.vars`, `.envrc`: dotenv syntax
//! (`KEY=value`, `export KEY=value`, quotes, `${VAR}` references, comments).
//!
//! Each file is one profile; `.env` is the base that `.env.<name>`
//! overrides, and `.env.<name>.local` overrides `.env.<name>`.

use super::{file_name, value_expr, Interp};
use crate::facts::{FileFacts, Profile, Setting};
use crate::source::LineIndex;

/// Names that mark a template rather than a deployment.
const TEMPLATE_MARKERS: &[&str] = &["example", "sample", "template", "dist", "tmpl", "defaults"];

pub(super) fn lower(path: &str, text: &str, lines: &LineIndex, facts: &mut FileFacts) {
    let name = file_name(path);
    let lower_name = name.to_ascii_lowercase();
    let template = lower_name
        .split(['.', '-', '_'])
        .any(|part| TEMPLATE_MARKERS.contains(&part));
    let parents = super::dialect::file_parents(path);
    let mut settings = Vec::new();
    let mut offset = 0;
    let bytes_len = text.len();
    while offset < bytes_len {
        let line_end = text[offset..].find('\n').map(|i| offset + i).unwrap_or(bytes_len);
        let line = &text[offset..line_end];
        let mut next = line_end + 1;
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            offset = next;
            continue;
        }
        let body = trimmed.strip_prefix("export ").map(str::trim_start).unwrap_or(trimmed);
        let body_start = offset + lead + (trimmed.len() - body.len());
        let Some(eq) = separator(body) else {
            // `.envrc` is a shell script: lines that are not assignments
            // (`source_up`, `dotenv`) are not errors there.
            if !lower_name.ends_with(".envrc") && facts.parse_error_line.is_none() {
                facts.parse_error_line = Some(lines.position(offset).0);
            }
            offset = next;
            continue;
        };
        let key = body[..eq].trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            if !lower_name.ends_with(".envrc") && facts.parse_error_line.is_none() {
                facts.parse_error_line = Some(lines.position(offset).0);
            }
            offset = next;
            continue;
        }
        let raw_start = body_start + eq + 1;
        let raw = &text[raw_start..line_end];
        let ws = raw.len() - raw.trim_start().len();
        let vstart = raw_start + ws;
        let (value, vend, interp) = match text[vstart..].chars().next() {
            Some(q @ ('"' | '\'' | '`')) => {
                // Quoted values may span lines.
                match find_close(&text[vstart + 1..], q) {
                    Some(close) => {
                        let inner = &text[vstart + 1..vstart + 1 + close];
                        let end = vstart + 1 + close + 1;
                        next = text[end..].find('\n').map(|i| end + i + 1).unwrap_or(bytes_len);
                        let value = if q == '"' {
                            crate::source::unescape(inner)
                        } else {
                            inner.to_string()
                        };
                        let interp = if q == '\'' { Interp::None } else { Interp::Shell };
                        (value, end, interp)
                    }
                    None => {
                        if facts.parse_error_line.is_none() {
                            facts.parse_error_line = Some(lines.position(offset).0);
                        }
                        (raw.trim().trim_start_matches(q).to_string(), line_end, Interp::Shell)
                    }
                }
            }
            _ => {
                // Unquoted: a ` #` starts a comment.
                let v = &text[vstart..line_end];
                let cut = v.find(" #").or_else(|| v.find("\t#")).unwrap_or(v.len());
                let v = v[..cut].trim_end();
                (v.to_string(), vstart + v.len(), Interp::Shell)
            }
        };
        let span = lines.span(body_start, vend.max(body_start));
        let vspan = lines.span(vstart, vend.max(vstart));
        settings.push(Setting {
            key: key.to_string(),
            value: value_expr(&value, vspan, interp, None),
            span,
            env: true,
            via: None,
        });
        offset = next;
    }
    facts.profiles.push(Profile {
        name: name.to_string(),
        span: lines.span(0, text.find('\n').unwrap_or(text.len())),
        parents,
        settings,
        template,
    });
}

/// The offset of the closing quote `q` in `s` (backslash escapes skipped
/// in double quotes).
fn find_close(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' && q == '"' {
            escaped = true;
            continue;
        }
        if c == q {
            return Some(i);
        }
    }
    None
}

/// The `=` of `KEY=value`, or the `:` of `KEY: value`, which Node's and
/// Ruby's dotenv read as the same assignment.
fn separator(body: &str) -> Option<usize> {
    let i = body.find(['=', ':'])?;
    (body.as_bytes()[i] == b'=' || body[i + 1..].starts_with([' ', '\t'])).then_some(i)
}

#[cfg(test)]
mod tests {
    use crate::config::testing::assert_lowers;

    /// Keys, values and lines; templates, errors and the files a profile overrides.
    #[test]
    fn dotenv_files_lower_into_profiles() {
        assert_lowers(&[
            (
                "app/.env.sandbox",
                "# comment\nexport A=1\nB = \"x y\" \nC='${NOT}' # c\nD=plain # comment\n\nE=\"multi\nline\"\nF=${A}/x\n",
                &[
                    ".env.sandbox@1 < File(\"app/.env\") < File(\"app/.env.local\")",
                    "  A = \"1\"@2",
                    "  B = \"x y\"@3",
                    "  C = \"${NOT}\"@4",
                    "  D = \"plain\"@5",
                    "  E = \"multi\\nline\"@7",
                    "  F = env:A+\"/x\"@9",
                ],
            ),
            // A template, and a line that is no assignment.
            (
                ".env.example",
                "A=\nthis is not an assignment\nB=2\n",
                &[
                    "parse error@2",
                    ".env.example@1 template < File(\".env\") < File(\".env.local\")",
                    "  A = \"\"@1",
                    "  B = \"2\"@3",
                ],
            ),
            // `.env`, `.env.local`, then `.env.production`: the last overrides.
            (
                ".env.production.local",
                "A=1\n",
                &[
                    ".env.production.local@1 < File(\".env\") < File(\".env.local\") < File(\".env.production\")",
                    "  A = \"1\"@1",
                ],
            ),
            (
                "x/.envrc",
                "source_up\nexport A=1\n",
                &[
                    ".envrc@1",
                    "  A = \"1\"@2",
                ],
            ),
        ]);
    }

    /// Node's and Ruby's dotenv read `KEY: value` as `KEY=value`; a colon
    /// inside a key (no blank after it) is no separator.
    #[test]
    fn colon_assignments_as_node_and_ruby_dotenv_read_them() {
        assert_lowers(&[
            (
                ".env.example",
                "ZOHO_CLIENT_ID: 1000.X\nZOHO_URL=https://a:b\nZOHO_DC:\teu\n",
                &[
                    ".env.example@1 template < File(\".env\") < File(\".env.local\")",
                    "  ZOHO_CLIENT_ID = \"1000.X\"@1",
                    "  ZOHO_URL = \"https://a:b\"@2",
                    "  ZOHO_DC = \"eu\"@3",
                ],
            ),
            (".env", "a:b=c\n", &["parse error@1", ".env@1"]),
        ]);
    }
}
