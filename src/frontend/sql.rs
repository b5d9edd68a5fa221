//! SQL front-end (sqlparser): schemas and migrations → the tables they
//! create or alter ([`TableDef`]), for the token-store analysis (OT005).
//!
//! The file is split into statements at `;` (outside strings and comments)
//! and only those that can define a table are tokenized and parsed, so a
//! statement the parser does not understand costs that statement (and a
//! note), never the rest of the file, and a dump's rows cost no tokens. Each statement is tried with a few
//! dialects (generic, MySQL, PostgreSQL, SQLite): migrations are written in
//! all of them. Nothing here knows which tables hold tokens: that is the
//! catalog's `[token_store]`, read by the linker.

use sqlparser::ast::{AlterTableOperation, ObjectName, ObjectNamePart, Statement};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::facts::*;
use crate::source::LineIndex;

pub fn lower(text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::new_module(lines.span(0, text.len()));
    let dialects: [&dyn Dialect; 4] = [
        &GenericDialect {},
        &MySqlDialect {},
        &PostgreSqlDialect {},
        &SQLiteDialect {},
    ];
    // Only statements that can define a table are tokenized: a dump's
    // 50,000 `INSERT`s cost a scan of their bytes, not their tokens.
    for (base, chunk) in defining_statements(text) {
        let first_line = lines.position(base).0;
        let at_line = |l: u64| first_line + (l as u32).max(1) - 1;
        let tokens = match Tokenizer::new(&GenericDialect {}, chunk).tokenize_with_location() {
            Ok(t) => t,
            Err(e) => {
                facts.parse_error_line.get_or_insert(at_line(e.location.line));
                continue;
            }
        };
        let offsets = Offsets::new(chunk, base);
        for stmt in statements(tokens) {
            let start_line = at_line(stmt.first().map(|t| t.span.start.line).unwrap_or(1));
            let parsed = dialects.iter().find_map(|d| {
                let mut p = Parser::new(*d).with_tokens_with_locations(stmt.clone());
                // The whole statement, not a prefix of it.
                p.parse_statement().ok().filter(|_| p.peek_token().token == Token::EOF)
            });
            match parsed {
                Some(stmt) => table_of(&stmt, &lines, &offsets, &mut facts),
                None => {
                    facts.parse_error_line.get_or_insert(start_line);
                }
            }
        }
    }
    facts
}

/// The statements of a text that start with `CREATE` or `ALTER`, each with
/// its byte offset: split at `;` outside strings, quoted names, comments
/// and dollar-quoted bodies. A split the tokenizer would not make costs a
/// syntax-error note for that statement, nothing more.
fn defining_statements<'t>(text: &'t str) -> Vec<(usize, &'t str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |from: usize, to: usize, out: &mut Vec<(usize, &'t str)>| {
        let chunk = &text[from..to];
        if defines(chunk) {
            out.push((from, chunk));
        }
    };
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() {
                    // `\'` (MySQL) and `''` (standard) escape the quote.
                    let escaped = (b[i] == b'\\' && q == b'\'') || (b[i] == q && b.get(i + 1) == Some(&q));
                    if escaped {
                        i += 2;
                    } else if b[i] == q {
                        break;
                    } else {
                        i += 1;
                    }
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |j| i + 2 + j + 2);
            }
            b'$' => {
                // `$$ … $$`, `$body$ … $body$`.
                let tag_len = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                if b.get(i + 1 + tag_len) == Some(&b'$') {
                    let tag = &text[i..i + tag_len + 2];
                    let body = i + tag.len();
                    i = text[body..].find(tag).map_or(b.len(), |j| body + j + tag.len());
                } else {
                    i += 1;
                }
            }
            b';' => {
                push(start, i, &mut out);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        push(start, b.len(), &mut out);
    }
    out
}

/// Does a statement define a table: `CREATE [OR REPLACE] [TEMPORARY …]
/// TABLE`, `ALTER TABLE` (after blanks and comments)? Other statements
/// (`ALTER SCHEMA … SET`, `CREATE FUNCTION`) hold no table, so a dialect
/// the parser does not know there costs nothing, not even a note.
fn defines(chunk: &str) -> bool {
    let mut rest = chunk;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find('\n').map_or("", |j| &r[j..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |j| &r[j + 2..]);
        } else {
            break;
        }
    }
    const MODIFIERS: &[&str] = &[
        "or",
        "replace",
        "global",
        "local",
        "temp",
        "temporary",
        "unlogged",
        "virtual",
        "ignore",
    ];
    let mut words = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase);
    matches!(words.next().as_deref(), Some("create" | "alter"))
        && words
            .find(|w| !MODIFIERS.contains(&w.as_str()))
            .is_some_and(|w| w == "table")
}

/// The statements of a token stream: split at `;`, blanks and comments
/// dropped, empty statements skipped.
fn statements(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let mut out = Vec::new();
    let mut cur: Vec<TokenWithSpan> = Vec::new();
    for t in tokens {
        match t.token {
            Token::SemiColon => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            Token::Whitespace(_) => {}
            _ => cur.push(t),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn table_of(stmt: &Statement, lines: &LineIndex, offsets: &Offsets, facts: &mut FileFacts) {
    let (name, columns, alter) = match stmt {
        Statement::CreateTable(ct) => (
            &ct.name,
            ct.columns.iter().map(|c| c.name.value.clone()).collect(),
            false,
        ),
        Statement::AlterTable(at) => {
            let cols: Vec<String> = at
                .operations
                .iter()
                .filter_map(|op| match op {
                    AlterTableOperation::AddColumn { column_def, .. } => Some(column_def.name.value.clone()),
                    _ => None,
                })
                .collect();
            if cols.is_empty() {
                return;
            }
            (&at.name, cols, true)
        }
        _ => return,
    };
    let Some((table, span)) = last_part(name, lines, offsets) else {
        return;
    };
    facts.tables.push(TableDef {
        name: table,
        columns,
        alter,
        span,
    });
}

/// The last identifier of a qualified name and its span.
fn last_part(name: &ObjectName, lines: &LineIndex, offsets: &Offsets) -> Option<(String, Span)> {
    let ident = name.0.iter().rev().find_map(|p| match p {
        ObjectNamePart::Identifier(i) => Some(i),
        _ => None,
    })?;
    let start = offsets.byte(ident.span.start)?;
    let end = offsets.byte(ident.span.end).unwrap_or(start).max(start);
    Some((ident.value.clone(), lines.span(start, end)))
}

/// (line, column) in code points, as the tokenizer counts in one
/// statement's text → byte offsets in the file (`base`: where it starts).
struct Offsets<'a> {
    text: &'a str,
    base: usize,
    starts: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Offsets { text, base, starts }
    }

    fn byte(&self, loc: Location) -> Option<usize> {
        let line_start = *self.starts.get((loc.line as usize).checked_sub(1)?)?;
        let line_end = self.starts.get(loc.line as usize).copied().unwrap_or(self.text.len());
        let line = &self.text[line_start..line_end];
        let col = (loc.column as usize).saturating_sub(1);
        let within = line.char_indices().nth(col).map(|(b, _)| b).unwrap_or(line.len());
        Some(self.base + line_start + within)
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::FileFacts;

    fn lower(src: &str) -> FileFacts {
        crate::frontend::testing::with_lines(super::lower(src), src)
    }

    #[test]
    fn create_and_alter_tables_with_their_columns() {
        let f = lower(
            "-- legacy zcrmsdk store\nCREATE TABLE IF NOT EXISTS `zohooauth`.`oauthtokens` (\n  `useridentifier` varchar(100) NOT NULL,\n  `accesstoken` varchar(100),\n  expirytime bigint,\n  PRIMARY KEY (useridentifier)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\nALTER TABLE oauthtokens ADD COLUMN api_domain varchar(255);\nINSERT INTO t VALUES (1);\n",
        );
        assert_eq!(f.parse_error_line, None);
        assert_eq!(f.tables.len(), 2);
        let t = &f.tables[0];
        assert_eq!(t.name, "oauthtokens");
        assert_eq!(t.columns, ["useridentifier", "accesstoken", "expirytime"]);
        assert!(!t.alter);
        assert_eq!((f.pos(t.span).line, f.pos(t.span).col), (2, 40));
        assert_eq!(t.span.bytes().len(), "`oauthtokens`".len());
        assert!(f.tables[1].alter);
        assert_eq!(f.tables[1].columns, ["api_domain"]);
    }

    #[test]
    fn rows_are_skipped_and_semicolons_in_strings_comments_and_bodies_do_not_split() {
        let f = lower(
            "INSERT INTO t VALUES ('a;b', \"c;d\", 'it''s;');\n-- note; here\n/* x; y */\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nINSERT INTO t VALUES ('x');\n  CREATE TABLE oauthtokens (useridentifier varchar(100), refreshtoken text);\n",
        );
        let names: Vec<&str> = f.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["oauthtokens"]);
        assert_eq!((f.pos(f.tables[0].span).line, f.pos(f.tables[0].span).col), (6, 16));
        assert_eq!(f.tables[0].columns, ["useridentifier", "refreshtoken"]);
    }

    #[test]
    fn a_bad_statement_costs_that_statement_only() {
        let f = lower(
            "CREATE TABLE a (x int);\nCREATE TABLE WHERE oops;\nCREATE TABLE oauthtoken (user_mail varchar(255));\n",
        );
        assert_eq!(f.parse_error_line, Some(2));
        let names: Vec<&str> = f.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "oauthtoken"]);
        // An unterminated string stops the tokenizer: a note, no crash.
        let f = lower("CREATE TABLE a (x varchar(1) DEFAULT 'oops);\n");
        assert!(f.parse_error_line.is_some());
        let deep = format!("SELECT {}1{};", "(".repeat(5000), ")".repeat(5000));
        let _ = lower(&deep);
    }

    #[test]
    fn statements_that_define_no_table_are_not_parsed() {
        // PostgreSQL-flavoured or invalid statements beside the tables: no
        // note, and the tables of every spelling are read.
        let f = lower(
            "ALTER SCHEMA s SET row_security = on;\nCREATE SCHEMA s\nGO;\nCREATE OR REPLACE FUNCTION f() RETURNS trigger AS 'x' LANGUAGE plpgsql WEIRD;\nCREATE TEMPORARY TABLE a (x int);\ncreate unlogged table b (y int);\nALTER TABLE ONLY b ADD COLUMN z int;\n",
        );
        assert_eq!(f.parse_error_line, None);
        let names: Vec<&str> = f.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "b"]);
    }
}
