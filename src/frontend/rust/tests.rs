//! Unit tests of the rust front-end.

use super::*;

use crate::frontend::testing::{assert_has, assert_has_all, assigns, calls, class, imports, scope, show, with_lines};

fn lower(src: &str) -> FileFacts {
    with_lines(super::lower(src), src)
}

#[test]
fn constants_env_reads_and_string_building() {
    let f = lower(
        "const A: &str = r#\"https://www.zohoapis.com\"#;\n\
         static B: &str = concat!(\"https://\", \"sandbox.zohoapis.com\");\n\
         fn f(m: &str) {\n\
             let t = std::env::var(\"ZOHO_TOKEN\").unwrap_or_else(|_| \"dev\".into());\n\
             let u = format!(\"{A}/crm/{}/{{x}}\", m);\n\
             let e = option_env!(\"BUILD_TOKEN\");\n\
             let d = dotenvy::var(\"ZOHO_DC\")?;\n\
         }\n",
    );
    let a = assigns(&f);
    assert_eq!(
        a[..7],
        [
            "A@0 = \"https://www.zohoapis.com\"",
            "B@0 = concat(\"https://\", \"sandbox.zohoapis.com\")",
            "f@0 = func#1",
            "t@1 = alt(env:ZOHO_TOKEN | \"dev\")",
            "u@1 = concat(\"\", A, \"/crm/\", m, \"/{x}\")",
            "e@1 = env:BUILD_TOKEN",
            "d@1 = env:ZOHO_DC",
        ]
    );
    assert_eq!(f.env_reads, vec!["ZOHO_TOKEN", "BUILD_TOKEN", "ZOHO_DC"]);
    assert_eq!(f.scopes[1].params, vec!["m"]);
    assert!(f.calls.is_empty(), "{:?}", calls(&f));
    assert_eq!(f.parse_error_line, None);
}

#[test]
fn struct_and_impl_are_one_class() {
    let f = lower(
        "struct Client { base: String, token: String }\n\
         impl Client {\n\
             const PROD: &'static str = \"https://www.zohoapis.eu\";\n\
             fn new(token: String) -> Self { Self { base: Self::PROD.to_string(), token } }\n\
             fn get(&self, path: &str) { self.http.get(format!(\"{}{}\", self.base, path)).bearer_auth(&self.token).send(); }\n\
         }\n",
    );
    let class = class(&f, "Client");
    let new = scope(&f, "new");
    let get = scope(&f, "get");
    assert_eq!(f.scopes[new].parent, Some(class));
    assert_eq!(f.scopes[get].parent, Some(class));
    assert_eq!(f.scopes[get].params, vec!["path"], "self is not a parameter");
    assert_has_all(
        &assigns(&f),
        &[
            &format!("Client@0 = func#{class}"),
            &format!("PROD@{class} = \"https://www.zohoapis.eu\""),
            &format!("this.base@{new} = this.PROD"),
            &format!("this.token@{new} = token"),
        ],
    );
    let returns: Vec<String> = f.returns.iter().map(|r| show(&r.value)).collect();
    assert_has(&returns, "{\"base\": this.PROD, \"token\": token}");
    assert_eq!(
        calls(&f),
        vec!["this.http.get(concat(\"\", this.base, \"\", path, \"\")).bearer_auth(this.token).send()"]
    );
    assert!(f.calls[0].statement);
}

#[test]
fn if_and_match_are_alternatives() {
    let f = lower(
        "fn pick(sandbox: bool, env: Env) {\n\
             let base = if sandbox { SANDBOX } else { PROD };\n\
             let (host, token) = match env {\n\
                 Env::Sandbox => (\"https://sandbox.zohoapis.com\", env!(\"SB\")),\n\
                 _ => (\"https://www.zohoapis.com\", env!(\"PR\")),\n\
             };\n\
             if sandbox { url = SANDBOX; }\n\
         }\n",
    );
    let a = assigns(&f);
    assert_eq!(
        a[1..5],
        [
            "base@1 = alt(sandbox ? SANDBOX | PROD)",
            // A match tests its scrutinee (not a two-branch boolean choice).
            "host@1 = alt(test(env) ? \"https://sandbox.zohoapis.com\" | \"https://www.zohoapis.com\")",
            "token@1 = alt(test(env) ? env:SB | env:PR)",
            "url@1 = SANDBOX",
        ]
    );
    let guarded = f.assigns.iter().find(|x| show(&x.target) == "url").unwrap();
    assert_eq!(guarded.guard.as_deref().map(show).as_deref(), Some("sandbox"));
    let f = lower("fn t() { let token = match std::env::var(\"T\") { Ok(t) => t, Err(_) => DEV.into() }; }\n");
    let a = assigns(&f);
    assert_eq!(a[1..3], ["t@1 = env:T", "token@1 = alt(test(env:T) ? t | DEV)",]);
}

#[test]
fn header_maps_and_header_constants() {
    let f = lower(
        "use reqwest::header::{HeaderMap, AUTHORIZATION};\n\
         fn c(t: &str) {\n\
             let mut h = HeaderMap::new();\n\
             h.insert(AUTHORIZATION, HeaderValue::from_str(&format!(\"Zoho-oauthtoken {t}\")).unwrap());\n\
             h.insert(http::header::CONTENT_TYPE, \"application/json\".parse().unwrap());\n\
             let c = reqwest::Client::builder().default_headers(h).build()?;\n\
         }\n",
    );
    let a = assigns(&f);
    assert_has(&a, "h[\"authorization\"]@1 = concat(\"Zoho-oauthtoken \", t, \"\")");
    assert!(a.iter().any(|x| x.starts_with("h[\"content-type\"]@1")), "{a:?}");
    assert_has(&calls(&f), "reqwest.Client.builder().default_headers(h).build()");
    let imports = imports(&f);
    assert_eq!(
        imports,
        vec![
            ("HeaderMap".into(), "reqwest::header".into(), Some("HeaderMap".into())),
            (
                "AUTHORIZATION".into(),
                "reqwest::header".into(),
                Some("AUTHORIZATION".into())
            ),
        ]
    );
}

#[test]
fn imported_env_functions_and_lazy_statics() {
    let f = lower(
        "use std::env::var as getenv;\n\
         use once_cell::sync::Lazy;\n\
         lazy_static! {\n    pub static ref TOKEN: String = getenv(\"ZOHO_TOKEN\").unwrap();\n}\n\
         static BASE: Lazy<String> = Lazy::new(|| dotenvy::var(\"ZOHO_BASE\").unwrap());\n",
    );
    let a = assigns(&f);
    assert_eq!(a, vec!["TOKEN@0 = env:ZOHO_TOKEN", "BASE@0 = env:ZOHO_BASE"]);
    assert_eq!(f.line(f.assigns[0].span), 4);
}

#[test]
fn module_paths_written_inline() {
    let f = lower(
        "mod hosts { pub const EU: &str = \"https://www.zohoapis.eu\"; }\n\
         fn f() { get(hosts::EU, self::hosts::EU, crate::config::TOKEN, crate::config::token()); }\n",
    );
    assert_eq!(
        calls(&f),
        vec![
            "crate::config.token()",
            "get(EU, EU, crate::config.TOKEN, crate::config.token())"
        ]
    );
    let imports = imports(&f);
    assert_eq!(imports, vec![("crate::config".into(), "crate::config".into(), None)]);
}

#[test]
fn uses_flatten_with_renames_and_self() {
    let f = lower("use crate::config::{self, API_BASE as BASE, nested::TOKEN};\n");
    let imports = imports(&f);
    assert_eq!(
        imports,
        vec![
            ("config".into(), "crate::config".into(), None),
            ("BASE".into(), "crate::config".into(), Some("API_BASE".into())),
            ("TOKEN".into(), "crate::config::nested".into(), Some("TOKEN".into())),
        ]
    );
}

#[test]
fn macro_bodies_that_are_not_expressions_give_their_literals() {
    let f = lower(
        "fn f() {\n\
             let v = json!({\"url\": \"https://www.zohoapis.com\", \"h\": \"Zoho-oauthtoken x\"});\n\
             my_log!(target: \"a\"; \"b\");\n\
         }\n",
    );
    let c = calls(&f);
    assert_eq!(
        c[0],
        "json!(\"url\", \"https://www.zohoapis.com\", \"h\", \"Zoho-oauthtoken x\")".replace("json!", "?")
    );
    assert_eq!(c[1..], ["?(\"a\")".to_string(), "?(\"b\")".to_string()]);
    assert_eq!(f.line(f.calls[1].expr.span), 3);
}

#[test]
fn parse_errors_keep_the_items_around_them() {
    let src = "const A: &str = \"https://www.zohoapis.com\";\n\
               fn broken() { let = 5; call(\"https://sandbox.zohoapis.com\"); }\n\
               fn fine() { get(A); }\n";
    let f = lower(src);
    assert_eq!(f.parse_error_line, Some(2));
    let a = assigns(&f);
    assert_has(&a, "A@0 = \"https://www.zohoapis.com\"");
    let c = calls(&f);
    assert_has_all(&c, &["call(\"https://sandbox.zohoapis.com\")", "get(A)"]);
    // Unbalanced delimiters: the literals of each line that lexes.
    let f = lower("fn f() {\n    let u = \"https://www.zohoapis.com\";\n");
    assert_eq!(f.parse_error_line, Some(1));
    assert_eq!(calls(&f), vec!["?(\"https://www.zohoapis.com\")"]);
    assert_eq!(f.pos(f.calls[0].expr.span).line, 2);
    assert_eq!(f.pos(f.calls[0].expr.span).col, 13);
}

#[test]
fn spans_are_byte_offsets_and_code_point_columns() {
    let src = "\u{feff}#!/usr/bin/env run-cargo-script\n// é é\nconst É: &str = \"zoho\"; const B: &str = \"x\";\n";
    for _ in 0..2 {
        let f = lower(src);
        assert_eq!(f.parse_error_line, None);
        let b = f.assigns.iter().find(|a| show(&a.target) == "B").unwrap();
        assert_eq!(&src[b.value.span.bytes()], "\"x\"");
        let p = f.pos(b.value.span);
        assert_eq!((p.line, p.col), (3, 41));
        assert_eq!((p.end_line, p.end_col), (3, 44));
    }
}

#[test]
fn degenerate_inputs() {
    for src in [
        "",
        "\u{feff}",
        "#!",
        "// only a comment\n",
        "#![allow(dead_code)]\n",
        "\"",
        "r#\"",
        "fn",
        "}{",
    ] {
        let f = lower(src);
        assert!(f.assigns.is_empty(), "{src:?}");
    }
    assert_eq!(lower("#![allow(dead_code)]\nconst A: &str = \"a\";\n").assigns.len(), 1);
    assert_eq!(lower("}{").parse_error_line, Some(1));
}

#[test]
fn struct_patterns_read_each_field() {
    let f = lower("fn g() {\n    let S { token, host: base, .. } = s();\n    let (a, S { token: t }) = p();\n}\n");
    assert_has_all(
        &assigns(&f),
        &["token@1 = s().token", "base@1 = s().host", "t@1 = p().1.token"],
    );
}

#[test]
fn struct_update_is_the_base_then_the_fields_written() {
    let f = lower(
        "struct Target { base: &'static str, token: String }\n\
         fn f(live: Target) { let copy = Target { base: \"https://sandbox.zohoapis.com\", ..live }; }\n",
    );
    // The spread first: a field written in the literal overrides the base's.
    assert_has(
        &assigns(&f),
        "copy@2 = {?: live, \"base\": \"https://sandbox.zohoapis.com\"}",
    );
}

#[test]
fn map_literals_built_from_pairs() {
    let f = lower(
        "static HOSTS: LazyLock<HashMap<&str, HashMap<&str, &str>>> = LazyLock::new(|| {\n\
             HashMap::from([(\"us\", HashMap::from([(\"api\", \"https://www.zohoapis.com\")])), (\"eu\", BTreeMap::from([(\"api\", \"https://www.zohoapis.eu\")]))])\n\
         });\n\
         static NOT_PAIRS: Lazy<HashMap<&str, &str>> = Lazy::new(|| HashMap::from(pairs()));\n",
    );
    assert_eq!(
        assigns(&f),
        vec![
            "HOSTS@0 = {\"us\": {\"api\": \"https://www.zohoapis.com\"}, \"eu\": {\"api\": \"https://www.zohoapis.eu\"}}",
            "NOT_PAIRS@0 = HashMap.from(pairs())",
        ]
    );
}
