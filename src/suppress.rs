//! Inline suppressions: `orgtoken: ignore[OT001] reason` in a comment on a
//! finding's line or the line above, `orgtoken: ignore-file[OT006]` anywhere
//! in a file, `ignore` without brackets for every rule.
//!
//! Markers are found in any comment syntax the scanned files use (`#`, `//`,
//! `/* */`, `<!-- -->`, `;`, `--`): a marker counts when a comment leader
//! comes before it on its line. This module never reads files: the scan
//! hands it each analysed file's text, the filter stage (`crate::filter`) applies the markers to findings.

use crate::facts::FileId;

const KEYWORD: &str = "orgtoken:";
const LEADERS: &[&str] = &["#", "//", "/*", "<!--", ";", "--", "*"];

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub file: FileId,
    /// 1-based line of the comment.
    pub line: u32,
    /// `ignore-file`: covers the whole file.
    pub file_level: bool,
    /// The comment is alone on its line, so it also covers the next line
    /// (a trailing comment belongs to its own line only).
    pub own_line: bool,
    /// Rule ids, upper case; empty means every rule.
    pub rules: Vec<String>,
    /// The justification written after the marker (secrets masked).
    pub reason: String,
}

impl Marker {
    /// Does this marker cover a finding of `rule` at `line`?
    pub fn covers(&self, rule: &str, line: u32) -> bool {
        self.covers_span(rule, line, line)
    }

    /// Does this marker cover a finding of `rule` whose span runs from line
    /// `first` to `last`? A marker on any line of the span does (a call
    /// spread over lines takes its comment on the closing line as well), and
    /// one alone on the line above the first.
    pub fn covers_span(&self, rule: &str, first: u32, last: u32) -> bool {
        let on_span = (first..=last.max(first)).contains(&self.line);
        (self.file_level || on_span || (self.own_line && self.line + 1 == first))
            && (self.rules.is_empty() || self.rules.iter().any(|r| r == rule))
    }

    /// The marker as a user wrote it, for messages.
    pub fn describe(&self) -> String {
        let kind = if self.file_level { "ignore-file" } else { "ignore" };
        if self.rules.is_empty() {
            format!("orgtoken: {kind}")
        } else {
            format!("orgtoken: {kind}[{}]", self.rules.join(","))
        }
    }
}

/// A parsed marker: `ignore-file`, the rule ids, the reason, and whether
/// the comment is alone on its line.
pub struct Parsed {
    pub file_level: bool,
    pub rules: Vec<String>,
    pub reason: String,
    pub own_line: bool,
}

/// Parses the marker of one line, if it has one after a comment leader.
pub fn parse_line(line: &str) -> Option<Parsed> {
    let at = line.find(KEYWORD)?;
    let before = line[..at].trim_end();
    let leader = LEADERS.iter().find(|l| before.ends_with(**l))?;
    let leader_at = before.len() - leader.len();
    // `x = "# orgtoken: ignore"`: a string literal, not a comment.
    if in_string(line, leader_at) {
        return None;
    }
    let own_line = before[..leader_at].trim().is_empty();
    let rest = line[at + KEYWORD.len()..].trim_start();
    let (file_level, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (false, r)
    } else {
        return None;
    };
    // `ignored`, `ignore_this`: not our marker.
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    let (rules, rest) = match rest.strip_prefix('[') {
        Some(r) => {
            let close = r.find(']')?;
            let rules: Vec<String> = r[..close]
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_uppercase())
                .collect();
            (rules, &r[close + 1..])
        }
        None => (Vec::new(), rest),
    };
    let mut reason = rest.trim();
    for closer in ["-->", "*/"] {
        reason = reason.strip_suffix(closer).unwrap_or(reason).trim_end();
    }
    let reason = reason.trim_start_matches([':', '-', '—']).trim();
    Some(Parsed {
        file_level,
        rules,
        reason: crate::redact::mask(reason, &[]),
        own_line,
    })
}

/// Is byte `pos` of `line` inside a string literal? A quote (`"`, `'`,
/// `` ` ``) opens a string only when it is closed later on the line (a Rust
/// lifetime `&'a`, an apostrophe, are no strings); a comment that starts
/// before `pos` (`#`, `//`, `/*`, `<!--`) ends the question: what follows is
/// comment. A one-line approximation: strings spanning lines are not seen.
fn in_string(line: &str, pos: usize) -> bool {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < pos {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => {
                if [&b"#"[..], b"//", b"/*", b"<!--"].iter().any(|l| b[i..].starts_with(l)) {
                    return false;
                }
                if matches!(c, b'"' | b'\'' | b'`') && b[i + 1..].contains(&c) {
                    quote = Some(c);
                }
            }
        }
        i += 1;
    }
    quote.is_some()
}

/// Every marker in one file's text.
pub fn markers(file: FileId, text: &str) -> Vec<Marker> {
    if !text.contains(KEYWORD) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let p = parse_line(l)?;
            Some(Marker {
                file,
                line: i as u32 + 1,
                file_level: p.file_level,
                own_line: p.own_line,
                rules: p.rules,
                reason: p.reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Option<(bool, Vec<String>, String)> {
        parse_line(line).map(|p| (p.file_level, p.rules, p.reason))
    }

    #[test]
    fn every_comment_syntax() {
        let one = |rules: &[&str], reason: &str| {
            Some((false, rules.iter().map(|s| s.to_string()).collect(), reason.to_string()))
        };
        assert_eq!(
            parsed("x = 1  # orgtoken: ignore[OT001] migrating in Q3"),
            one(&["OT001"], "migrating in Q3")
        );
        assert_eq!(
            parsed("call(); // orgtoken: ignore[OT001, ot002]"),
            one(&["OT001", "OT002"], "")
        );
        assert_eq!(
            parsed("/* orgtoken: ignore[OT002] legacy job */"),
            one(&["OT002"], "legacy job")
        );
        assert_eq!(
            parsed("<!-- orgtoken: ignore -- docs sample -->"),
            one(&[], "docs sample")
        );
        assert_eq!(parsed("; orgtoken: ignore[OT003]"), one(&["OT003"], ""));
        assert_eq!(
            parsed("-- orgtoken: ignore[OT006]: test data"),
            one(&["OT006"], "test data")
        );
        assert_eq!(
            parsed(" * orgtoken: ignore[OT001] inside a block comment"),
            one(&["OT001"], "inside a block comment")
        );
        assert_eq!(parsed("#orgtoken:ignore[OT001]"), one(&["OT001"], ""));
        assert_eq!(
            parsed("# orgtoken: ignore-file[OT006] fixtures"),
            Some((true, vec!["OT006".into()], "fixtures".into()))
        );
    }

    #[test]
    fn not_a_marker() {
        assert_eq!(parsed("x = 'orgtoken: ignore[OT001]'"), None, "no comment leader");
        assert_eq!(parsed("# orgtoken: ignored"), None);
        assert_eq!(parsed("# orgtoken: check this"), None);
        assert_eq!(parsed("# orgtoken: ignore[OT001"), None, "unclosed bracket");
        // A leader inside a string literal is no comment.
        assert_eq!(parsed("x = \"# orgtoken: ignore[OT001]\""), None);
        assert_eq!(parsed("call(`// orgtoken: ignore`, t)"), None);
        assert_eq!(parsed("s = 'a \\' # orgtoken: ignore'"), None, "an escaped quote");
    }

    #[test]
    fn markers_after_strings_and_apostrophes_still_count() {
        assert!(parsed("url = \"https://x#y\"  # orgtoken: ignore[OT001] ok").is_some());
        assert!(parsed("fn f(x: &'static str) { // orgtoken: ignore[OT001]").is_some());
        assert!(parsed("# don't panic # orgtoken: ignore[OT001]").is_some());
        assert!(parsed("x = 'a' + \"b\"  // orgtoken: ignore").is_some());
    }

    #[test]
    fn secrets_in_reasons_are_masked() {
        let (_, _, reason) = parsed(
            "# orgtoken: ignore[OT006] was 1000.5d2e8a1f3c4b6d7e9f0a1b2c3d4e5f60.7a8b9c0d1e2f3a4b5c6d7e8f90a1b2c3",
        )
        .unwrap();
        assert!(!reason.contains("5d2e8a1f"), "{reason}");
        assert!(reason.starts_with("was 1000."));
    }

    #[test]
    fn yaml_env_and_shell_files() {
        let yaml = "jobs:\n  sync:\n    # orgtoken: ignore[OT003] one org for both jobs\n    env:\n      ZOHO_REFRESH_TOKEN: ${{ secrets.ZOHO }}\n      API: https://sandbox.zohoapis.com  # orgtoken: ignore\n";
        let m = markers(3, yaml);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].file, m[0].line, m[0].rules.clone()),
            (3, 3, vec!["OT003".to_string()])
        );
        assert!(m[0].covers("OT003", 4) && m[0].covers("OT003", 3) && !m[0].covers("OT003", 5));
        assert!(!m[0].covers("OT001", 4));
        assert!(m[0].own_line && !m[1].own_line);
        assert!(
            m[1].covers("OT001", 6) && !m[1].covers("OT006", 7),
            "a trailing comment covers its line only"
        );

        let env = "# orgtoken: ignore-file[OT006] sample values\nZOHO_REFRESH_TOKEN=1000.aaaa\nZOHO_API=https://www.zohoapis.com # orgtoken: ignore[OT001]\n";
        let m = markers(0, env);
        assert_eq!(m.len(), 2);
        assert!(m[0].file_level && m[0].covers("OT006", 200) && !m[0].covers("OT001", 2));
        assert_eq!(m[1].line, 3);

        let sh = "#!/bin/sh\ncurl -H \"Authorization: Zoho-oauthtoken $T\" https://sandbox.zohoapis.com/crm/v8/Leads # orgtoken: ignore[OT001] sandbox smoke test\n";
        let m = markers(1, sh);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].reason, "sandbox smoke test");
        assert!(m[0].covers("OT001", 2) && !m[0].covers("OT001", 3) && !m[0].covers("OT001", 1));
        let m = markers(1, "  # orgtoken: ignore[OT001]\n  -- orgtoken: ignore\n");
        assert!(m.iter().all(|m| m.own_line));
        assert!(m[0].covers("OT001", 2) && m[1].covers("OT002", 3));
        // Any line of a multi-line span; not the line after it.
        let m = markers(1, "a\nb\nc  # orgtoken: ignore[OT001]\n");
        assert!(m[0].covers_span("OT001", 1, 3) && m[0].covers_span("OT001", 3, 4));
        assert!(!m[0].covers_span("OT001", 1, 2) && !m[0].covers_span("OT001", 4, 9));
    }
}
