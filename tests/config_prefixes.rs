//! Every prefix of every config fixture lowers without a panic (truncated
//! and half-written files are common in real trees).

use std::path::Path;

#[test]
fn every_prefix_of_every_config_fixture_lowers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut stack = vec![root];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let path = p.to_string_lossy().replace('\\', "/");
            let Some(lang) = orgtoken::frontend::lang_for_path(&path) else {
                continue;
            };
            if !lang.is_config() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            files += 1;
            let cuts: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            for &i in &cuts {
                let _ = orgtoken::frontend::lower(lang, &path, &text[..i]);
            }
        }
    }
    assert!(files >= 30, "expected the config fixtures, found {files}");
}
