//! INI files (`[section]`, `key = value`, `;`/`#` comments) and Java
//! `.properties` (`a.b.c=value`, `key: value`, `#`/`!` comments, `\`
//! continuations, `${…}` placeholders).
//!
//! A `.properties` file is one profile (Spring's `application-<name>.properties`
//! inherits `application.properties`); an INI file has a root profile for
//! the keys before any section and one profile per section, inheriting it.

use super::{dialect, file_name, value_expr, Interp};
use crate::facts::{FileFacts, Parent, ParentRef, Profile, Setting};
use crate::source::LineIndex;

pub(super) fn lower(path: &str, text: &str, lines: &LineIndex, facts: &mut FileFacts) {
    let name = file_name(path);
    let properties = name.to_ascii_lowercase().ends_with(".properties");
    let interp = Interp::Placeholder;
    let system = super::systems::classify(path, None);
    let key_prefix = system.as_ref().and_then(|s| s.key_prefix.as_deref());
    let mut root = Profile {
        name: name.to_string(),
        span: lines.span(0, text.find('\n').unwrap_or(text.len())),
        parents: dialect::file_parents(path),
        settings: Vec::new(),
        template: dialect::is_template_name(name),
    };
    let mut sections: Vec<Profile> = Vec::new();
    // INI: the indentation of the last key; a line indented deeper
    // continues its value (Python's `configparser`, `pytest.ini`'s
    // `addopts =` and one option per line).
    let mut key_indent: Option<usize> = None;
    let mut offset = 0;
    while offset < text.len() {
        let mut line_end = text[offset..].find('\n').map(|i| offset + i).unwrap_or(text.len());
        let line = text[offset..line_end].trim_end_matches('\r');
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let start = offset + lead;
        if trimmed.is_empty() || trimmed.starts_with(['#', ';', '!']) {
            offset = line_end + 1;
            continue;
        }
        if !properties && key_indent.is_some_and(|k| lead > k) {
            offset = line_end + 1;
            continue;
        }
        key_indent = None;
        if !properties && trimmed.starts_with('[') {
            match trimmed.find(']') {
                Some(close) => {
                    let sname = trimmed[1..close].trim().to_string();
                    sections.push(Profile {
                        name: sname,
                        span: lines.span(start, start + close + 1),
                        parents: vec![Parent {
                            target: ParentRef::Local(0),
                            span: None,
                        }],
                        settings: Vec::new(),
                        template: false,
                    });
                }
                None => {
                    if facts.parse_error_line.is_none() {
                        facts.parse_error_line = Some(lines.position(offset).0);
                    }
                }
            }
            offset = line_end + 1;
            continue;
        }
        // The separator: the first `=` or `:`; in `.properties` also
        // whitespace, whichever comes first (`key value=x` sets `key`), and
        // whitespace then `=` or `:` is one separator (`key = value`).
        // A `.properties` line without one is a key with an empty value
        // (the Zoho SDKs' `[crm]` header line among them), not an error.
        let sep = if properties {
            Some(
                trimmed
                    .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
                    .unwrap_or(trimmed.len()),
            )
        } else {
            trimmed.find(['=', ':'])
        };
        let Some(sep) = sep else {
            if facts.parse_error_line.is_none() {
                facts.parse_error_line = Some(lines.position(offset).0);
            }
            offset = line_end + 1;
            continue;
        };
        let key = trimmed[..sep].trim().to_string();
        // A whitespace separator may be a multi-byte character (U+00A0).
        let sep_char = trimmed[sep..].chars().next().unwrap_or('=');
        let mut after = (sep + sep_char.len_utf8()).min(trimmed.len());
        if sep_char.is_whitespace() {
            let rest = trimmed[after..].trim_start();
            if rest.starts_with(['=', ':']) {
                after = trimmed.len() - rest.len() + 1;
            }
        }
        let vstart_rel = after + (trimmed[after..].len() - trimmed[after..].trim_start().len());
        let mut value = String::new();
        let mut vstart = start + vstart_rel;
        let mut piece = &text[vstart.min(line_end)..line_end];
        // `.properties` continuation lines end with a backslash.
        loop {
            let p = piece.trim_end_matches('\r');
            if properties && p.ends_with('\\') && line_end < text.len() {
                value.push_str(&p[..p.len() - 1]);
                let next_start = line_end + 1;
                line_end = text[next_start..]
                    .find('\n')
                    .map(|i| next_start + i)
                    .unwrap_or(text.len());
                let l = &text[next_start..line_end];
                piece = l.trim_start();
                continue;
            }
            let mut v = p;
            if !properties {
                // INI: an inline `;`/` #` comment.
                if let Some(c) = v.find(" ;").or_else(|| v.find(" #")) {
                    v = &v[..c];
                }
            }
            value.push_str(v.trim_end());
            break;
        }
        let mut v = value.as_str();
        if !properties
            && v.len() >= 2
            && (v.starts_with('"') && v.ends_with('"') || v.starts_with('\'') && v.ends_with('\''))
        {
            v = &v[1..v.len() - 1];
            vstart += 1;
        }
        let vend = (vstart + v.len()).min(line_end).max(vstart.min(line_end));
        let vspan = lines.span(vstart.min(line_end), vend);
        let setting = Setting {
            key,
            value: value_expr(v, vspan, interp, None),
            // A CRLF line's setting ends before its `\r`.
            span: lines.span(start, line_end - usize::from(text[..line_end].ends_with('\r'))),
            env: false,
            via: None,
        };
        // Quarkus `%sandbox.zoho.url=…`: the key of profile `sandbox`.
        let prefixed = key_prefix
            .filter(|_| properties)
            .and_then(|p| setting.key.strip_prefix(p))
            .and_then(|rest| rest.split_once('.'))
            .filter(|(names, key)| !names.is_empty() && !key.is_empty())
            .map(|(names, key)| (names.to_string(), key.to_string()));
        if let Some((names, key)) = prefixed {
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let i = match sections.iter().position(|p| p.name == name) {
                    Some(i) => i,
                    None => {
                        sections.push(Profile {
                            name: name.to_string(),
                            span: setting.span,
                            parents: vec![Parent {
                                target: ParentRef::Local(0),
                                span: None,
                            }],
                            settings: Vec::new(),
                            template: root.template,
                        });
                        sections.len() - 1
                    }
                };
                let mut s = setting.clone();
                s.key = key.clone();
                sections[i].settings.push(s);
            }
            offset = line_end + 1;
            continue;
        }
        match sections.last_mut() {
            Some(s) => s.settings.push(setting),
            None => root.settings.push(setting),
        }
        key_indent = Some(lead);
        offset = line_end + 1;
    }
    facts.profiles.push(root);
    facts.profiles.extend(sections);
}

#[cfg(test)]
mod tests {
    use crate::config::testing::assert_lowers;

    /// INI sections and `.properties` files.
    #[test]
    fn ini_and_properties_files_lower_into_profiles() {
        assert_lowers(&[
            // INI: the file, then a profile per section.
            (
                "zoho.ini",
                "token = 1\n[sandbox]\napi = \"https://sandbox.zohoapis.com\" ; c\n[production]\napi: x\n",
                &[
                    "zoho.ini@1",
                    "  token = \"1\"@1",
                    "sandbox@2 < Local(0)",
                    "  api = \"https://sandbox.zohoapis.com\"@3",
                    "production@4 < Local(0)",
                    "  api = \"x\"@5",
                ],
            ),
            // Comments, placeholders, continued lines; the profile file's parents.
            (
                "src/main/resources/application-sandbox.properties",
                "! c\nzoho.api-domain=https://sandbox.zohoapis.com\nzoho.token=${ZOHO_TOKEN}\nlong=a\\\n  b\n",
                &[
                    "application-sandbox.properties@1 < File(\"src/main/resources/application.properties\") < File(\"src/main/resources/application.yml\") < File(\"src/main/resources/application.yaml\")",
                    "  zoho.api-domain = \"https://sandbox.zohoapis.com\"@2",
                    "  zoho.token = env:ZOHO_TOKEN@3",
                    "  long = \"ab\"@4",
                ],
            ),
            // Found by `cargo fuzz` (target `ini`): a U+00A0 separator once split a char.
            (
                "application-sandbox.properties",
                "a\u{a0}b\nzoho.region\u{a0} sandbox\n",
                &[
                    "application-sandbox.properties@1 < File(\"application.properties\") < File(\"application.yml\") < File(\"application.yaml\")",
                    "  a = \"b\"@1",
                    "  zoho.region = \"sandbox\"@2",
                ],
            ),
            // Java's `Properties.load`: whitespace ends a key like `=` and `:`;
            // whitespace then `=` or `:` is one separator.
            (
                "application.properties",
                "zoho.url https://www.zohoapis.com/crm?a=b\nzoho.dc = eu\nzoho.env\t: sandbox\nk\t=\tv\nhost:port=1\n",
                &[
                    "application.properties@1",
                    "  zoho.url = \"https://www.zohoapis.com/crm?a=b\"@1",
                    "  zoho.dc = \"eu\"@2",
                    "  zoho.env = \"sandbox\"@3",
                    "  k = \"v\"@4",
                    "  host = \"port=1\"@5",
                ],
            ),
        ]);
    }

    /// INI: a line indented deeper than the key above continues its value
    /// (Python's `configparser`, `pytest.ini`'s one option per line).
    /// `.properties`: a line without separator is a key with an empty value,
    /// as Java's `Properties.load` reads it (the SDKs' `[crm]` first line).
    #[test]
    fn continuation_lines_and_bare_keys_are_no_errors() {
        assert_lowers(&[
            (
                "pytest.ini",
                "[pytest]\naddopts =\n    -v\n    --color=yes\ntestpaths = tests\n[git]\n\turl = https://www.zohoapis.com\n\tdc = eu\n",
                &[
                    "pytest.ini@1",
                    "pytest@1 < Local(0)",
                    "  addopts = \"\"@2",
                    "  testpaths = \"tests\"@5",
                    "git@6 < Local(0)",
                    "  url = \"https://www.zohoapis.com\"@7",
                    "  dc = \"eu\"@8",
                ],
            ),
            (
                "resources/configuration.properties",
                "[crm]\r\napi.url=www.zohoapis.eu",
                &[
                    "configuration.properties@1",
                    "  [crm] = \"\"@1",
                    "  api.url = \"www.zohoapis.eu\"@2",
                ],
            ),
            ("flag.properties", "flag", &["flag.properties@1", "  flag = \"\"@1"]),
        ]);
    }
}
