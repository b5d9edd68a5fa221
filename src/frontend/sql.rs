//! SQL front-end (sqlparser): schemas and migrations → the tables they
//! create or alter ([`TableDef`]), for the token-store analysis (OT005).
//!
//! The file is tokenized once and split into statements at `;` tokens, so a
//! statement the parser does not understand costs that statement (and a
//! note), never the rest of the file. Each statement is tried with a few
//! dialects (generic, MySQL, PostgreSQL, SQLite): migrations are written in
//! all of them. Nothing here knows which tables hold tokens: that is the
//! catalog's `[token_store]`, read by the linker.

use sqlparser::ast::{AlterTableOperation, ObjectName, ObjectNamePart, Statement};
use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::LineIndex;
use crate::facts::*;

pub fn lower(text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    let mut facts = FileFacts::new_module(lines.span(0, text.len()));
    let offsets = Offsets::new(text);
    let tokens = match Tokenizer::new(&GenericDialect {}, text).tokenize_with_location() {
        Ok(t) => t,
        Err(e) => {
            facts.parse_error_line = Some((e.location.line as u32).max(1));
            return facts;
        }
    };
    let dialects: [&dyn Dialect; 4] = [
        &GenericDialect {},
        &MySqlDialect {},
        &PostgreSqlDialect {},
        &SQLiteDialect {},
    ];
    for chunk in statements(tokens) {
        let start_line = chunk.first().map(|t| t.span.start.line as u32).unwrap_or(1);
        let parsed = dialects.iter().find_map(|d| {
            let mut p = Parser::new(*d).with_tokens_with_locations(chunk.clone());
            // The whole statement, not a prefix of it.
            p.parse_statement().ok().filter(|_| p.peek_token().token == Token::EOF)
        });
        match parsed {
            Some(stmt) => table_of(&stmt, &lines, &offsets, &mut facts),
            None => {
                if facts.parse_error_line.is_none() {
                    facts.parse_error_line = Some(start_line.max(1));
                }
            }
        }
    }
    facts
}

/// The statements of a token stream that can define a table (`CREATE …`,
/// `ALTER …`): split at `;`, blanks and comments dropped. The others (a
/// dump's 50,000 `INSERT`s) are skipped unparsed and unkept.
fn statements(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let defines = |s: &[TokenWithSpan]| {
        matches!(s.first().map(|t| &t.token), Some(Token::Word(w))
            if w.value.eq_ignore_ascii_case("create") || w.value.eq_ignore_ascii_case("alter"))
    };
    let mut out = Vec::new();
    let mut cur: Vec<TokenWithSpan> = Vec::new();
    let mut skip = false;
    for t in tokens {
        match t.token {
            Token::SemiColon => {
                if !cur.is_empty() && !skip {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
                skip = false;
            }
            Token::Whitespace(_) => {}
            _ if skip => {}
            _ => {
                cur.push(t);
                if cur.len() == 1 && !defines(&cur) {
                    skip = true;
                }
            }
        }
    }
    if !cur.is_empty() && !skip {
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

/// (line, column) in code points, as the tokenizer counts → byte offsets.
struct Offsets<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Offsets { text, starts }
    }

    fn byte(&self, loc: Location) -> Option<usize> {
        let line_start = *self.starts.get((loc.line as usize).checked_sub(1)?)?;
        let line_end = self.starts.get(loc.line as usize).copied().unwrap_or(self.text.len());
        let line = &self.text[line_start..line_end];
        let col = (loc.column as usize).saturating_sub(1);
        let within = line.char_indices().nth(col).map(|(b, _)| b).unwrap_or(line.len());
        Some(line_start + within)
    }
}

#[cfg(test)]
mod tests {
    use super::lower;

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
        assert_eq!((t.span.line, t.span.col), (2, 40));
        assert_eq!(t.span.end - t.span.start, "`oauthtokens`".len());
        assert!(f.tables[1].alter);
        assert_eq!(f.tables[1].columns, ["api_domain"]);
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
}
