//! The Rust front-end (syn): not implemented yet; the file is scanned as
//! text only (token literals, OT006).

use crate::facts::FileFacts;

pub fn lower(text: &str) -> FileFacts {
    let lines = super::LineIndex::new(text);
    FileFacts::new_module(lines.span(0, text.len()))
}
