//! The ruby front-end (tree-sitter): not implemented yet; the file is
//! scanned as text only (token literals, OT006).

use crate::facts::FileFacts;

pub fn lower(text: &str) -> FileFacts {
    let (facts, _tree) = super::parse(&tree_sitter_ruby::LANGUAGE.into(), text);
    facts
}
