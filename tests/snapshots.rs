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
