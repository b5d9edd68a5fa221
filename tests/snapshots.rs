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
