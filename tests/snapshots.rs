//! What a user sees, pinned: the human and SARIF renderings of a few
//! fixtures. Review changes with `cargo insta review`.

use assert_cmd::Command;

mod common;

fn render(dir: &str, format: &str) -> String {
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(common::fixture(dir))
        .args(["scan", "--format", format, "."])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_shared_env_token() {
    insta::assert_snapshot!(render("py-shared-env-token", "human"));
}

#[test]
fn human_helper_across_files() {
    insta::assert_snapshot!(render("py-helper-summary", "human"));
}

#[test]
fn human_sdk_switch_without_token() {
    insta::assert_snapshot!(render("py-sdk-switch-without-token", "human"));
}

#[test]
fn human_ternary_and_redacted_literal() {
    insta::assert_snapshot!(render("py-ternary-constant-token", "human"));
}

#[test]
fn sarif_ternary_and_redacted_literal() {
    insta::assert_snapshot!(render("py-ternary-constant-token", "sarif"));
}

#[test]
fn json_minted_in_other_dc() {
    insta::assert_snapshot!(render("py-minted-in-other-dc", "json"));
}

/// The whole fixture tree, pinned byte for byte (results with their related
/// places, fingerprints and notes): a refactor of the front-ends, the linker
/// or the rules that changes any output fails here, even where every
/// fixture's expected findings still hold.
#[test]
fn the_whole_fixture_tree_in_json() {
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(common::fixture(""))
        .args(["scan", "--format", "json", "-j", "2", "."])
        .output()
        .unwrap();
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str("\n--- stderr ---\n");
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    insta::assert_snapshot!(text);
}

/// Every place a result shows, primary or related, lies inside its file:
/// its line exists and its columns are on that line (a value read through
/// a module once carried the reading file's span under the module's path).
#[test]
fn every_place_shown_is_inside_its_file() {
    let root = common::fixture("");
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(&root)
        .args(["scan", "--format", "json", "-j", "2", "."])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut checked = 0;
    for f in doc["findings"].as_array().unwrap() {
        let related = f["related"].as_array().cloned().unwrap_or_default();
        for place in std::iter::once(f).chain(related.iter()) {
            let path = place["path"].as_str().unwrap();
            let text = std::fs::read_to_string(root.join(path)).unwrap();
            let lines: Vec<&str> = text.split('\n').collect();
            let n = |k: &str| place[k].as_u64().unwrap() as usize;
            for (line, col) in [(n("line"), n("column")), (n("end_line"), n("end_column"))] {
                let width = lines.get(line.wrapping_sub(1)).map(|l| l.chars().count());
                assert!(
                    width.is_some_and(|w| col >= 1 && col <= w + 1),
                    "{path}:{line}:{col} is not in the file ({} lines; that line {width:?} wide): {place}",
                    lines.len()
                );
            }
            assert!(
                (n("line"), n("column")) <= (n("end_line"), n("end_column")),
                "{path}: {place}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} places checked");
}
