//! JavaScript / TypeScript front-end (placeholder until written).
use super::LineIndex;
use crate::facts::{FileFacts, Lang};

pub fn lower(_lang: Lang, _path: &str, text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    FileFacts::new_module(lines.span(0, text.len()))
}
