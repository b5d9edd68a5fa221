//! Unit tests of the shell front-end.

use super::lower;
use crate::facts::*;
use crate::frontend::testing::{assert_has_all, assigns, calls, scope, show};

/// The value assigned to `name` (its first assignment), as `show` writes it.
fn assigned(f: &FileFacts, name: &str) -> String {
    f.assigns
        .iter()
        .find(|a| matches!(&a.target.kind, ExprKind::Name(n) if &**n == name))
        .map(|a| show(&a.value))
        .unwrap_or_else(|| panic!("no assignment to {name}"))
}

#[test]
fn variables_defaults_and_env_reads() {
    let f = lower("export TOKEN=\"${ZOHO_TOKEN:-none}\"\nBASE=${BASE:-https://www.zohoapis.com}\nURL=\"$BASE/crm/v8/${MODULE}\"\n");
    assert_eq!(assigned(&f, "TOKEN"), "alt(env:ZOHO_TOKEN | \"none\")");
    // `BASE=${BASE:-…}`: nothing assigned BASE before, so it is the env var.
    assert_eq!(assigned(&f, "BASE"), "alt(env:BASE | \"https://www.zohoapis.com\")");
    assert_eq!(assigned(&f, "URL"), "concat(BASE, \"/crm/v8/\", env:MODULE)");
    let mut reads = f.env_reads.clone();
    reads.sort();
    assert_eq!(reads, ["BASE", "MODULE", "ZOHO_TOKEN"]);
}

#[test]
fn curl_lowers_url_headers_and_form_fields() {
    let f = lower(
        "curl -sS -X POST -H \"Authorization: Zoho-oauthtoken $T\" --header='Accept: json' \\\n  https://accounts.zoho.eu/oauth/v2/token -d \"grant_type=refresh_token&refresh_token=$RT\" --data-urlencode client_id=x\n",
    );
    assert_eq!(
        calls(&f),
        ["curl(\"https://accounts.zoho.eu/oauth/v2/token\", headers: {\"Authorization\": concat(\"Zoho-oauthtoken \", env:T), \"Accept\": \"json\"}, data: {\"grant_type\": \"refresh_token\", \"refresh_token\": env:RT, \"client_id\": \"x\"})"]
    );
}

#[test]
fn httpie_and_wget_forms() {
    let f = lower(
        "http -A bearer -a \"$T\" POST https://www.zohoapis.com/crm/v8/Leads X-Id:1 name=x\nwget --post-data=\"refresh_token=$RT\" -O - https://accounts.zoho.com/oauth/v2/token\n",
    );
    assert_eq!(
        calls(&f),
        [
            "http(\"https://www.zohoapis.com/crm/v8/Leads\", headers: {\"X-Id\": \"1\", \"Authorization\": concat(\"Bearer \", env:T)}, data: {\"name\": \"x\"})",
            "wget(\"https://accounts.zoho.com/oauth/v2/token\", data: {\"refresh_token\": env:RT})",
        ]
    );
}

#[test]
fn if_and_case_guard_assignments() {
    let f =
        lower("if [ \"$ENV\" = sandbox ]; then\n  H=a\nelse\n  H=b\nfi\ncase \"$E\" in\n  dev) K=c ;;\nesac\nZ=1\n");
    let guards: Vec<bool> = f.assigns.iter().map(|a| a.guard.is_some()).collect();
    assert_eq!(guards, [true, true, true, false]);
    assert_eq!(
        f.assigns[0].guard.as_deref().map(show).as_deref(),
        Some("test(env:ENV, \"sandbox\")")
    );
}

#[test]
fn jq_reads_a_field_of_the_response() {
    let f = lower("AT=$(curl -s https://accounts.zoho.com/oauth/v2/token | jq -r '.access_token')\n");
    assert_eq!(
        assigned(&f, "AT"),
        "curl(\"https://accounts.zoho.com/oauth/v2/token\").access_token"
    );
    assert_eq!(f.calls.len(), 1);
}

#[test]
fn functions_take_positional_parameters() {
    let f = lower("get() { local url=\"$1\"; curl \"$url\"; }\nget https://www.zohoapis.com/crm/v8/Leads\n");
    let fs = scope(&f, "get");
    assert_eq!(f.scopes[fs].params[0], "1");
    assert_has_all(&assigns(&f), &[&format!("url@{fs} = 1"), &format!("get@0 = func#{fs}")]);
    // The curl inside and the call of the function.
    assert_eq!(
        calls(&f),
        ["curl(url)", "get(\"https://www.zohoapis.com/crm/v8/Leads\")"]
    );
}

#[test]
fn function_assignments_are_global_unless_local() {
    let f = lower("f() {\n  local a\n  a=1\n  b=2\n}\n");
    let fs = scope(&f, "f");
    let scopes = |n: &str| -> Vec<ScopeId> {
        f.assigns
            .iter()
            .filter(|a| matches!(&a.target.kind, ExprKind::Name(x) if &**x == n))
            .map(|a| a.scope)
            .collect()
    };
    assert_eq!(scopes("a"), [fs]);
    assert_eq!(scopes("b"), [fs, 0]);
}

#[test]
fn replace_expansion_is_a_rewrite() {
    let f = lower("B=https://www.zohoapis.com\nS=${B/www/sandbox}\n");
    assert_eq!(assigned(&f, "S"), "B.replace(\"www\", \"sandbox\")");
}

#[test]
fn printf_fills_its_format() {
    let f = lower(
        "U=$(printf 'https://%s.zohoapis.%s/crm' \"$SUB\" eu)\nprintf -v V -- '%s/Leads' \"$U\"\nW=$(echo \"$U\" x)\n",
    );
    assert_eq!(
        assigned(&f, "U"),
        "concat(\"https://\", env:SUB, \".zohoapis.\", \"eu\", \"/crm\")"
    );
    assert_eq!(assigned(&f, "V"), "concat(\"\", U, \"/Leads\")");
    assert_eq!(assigned(&f, "W"), "U");
}

#[test]
fn what_a_function_prints_is_its_value() {
    let f = lower("h() {\n  if [ \"$1\" = sandbox ]; then\n    echo \"https://sandbox.zohoapis.com\"\n  else\n    printf '%s' \"https://www.zohoapis.com\"\n  fi\n}\necho top\n");
    let returns: Vec<(String, bool)> = f.returns.iter().map(|r| (show(&r.value), r.guard.is_some())).collect();
    assert_eq!(
        returns,
        [
            ("\"https://sandbox.zohoapis.com\"".to_string(), true),
            ("concat(\"\", \"https://www.zohoapis.com\", \"\")".to_string(), true)
        ]
    );
}
