//! Unit tests of the shell front-end.

use super::lower;
use crate::facts::*;
use crate::frontend::testing::scope;

fn assign<'f>(f: &'f FileFacts, name: &str) -> &'f Assign {
    f.assigns
        .iter()
        .find(|a| matches!(&a.target.kind, ExprKind::Name(n) if n == name))
        .unwrap_or_else(|| panic!("no assignment to {name}"))
}

fn call_args(f: &FileFacts, i: usize) -> &[Arg] {
    match &f.calls[i].expr.kind {
        ExprKind::Call(c) => &c.args,
        k => panic!("not a call: {k:?}"),
    }
}

fn dict_keys(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::Dict(pairs) => pairs
            .iter()
            .filter_map(|(k, _)| k.as_str().map(str::to_string))
            .collect(),
        k => panic!("not a dict: {k:?}"),
    }
}

#[test]
fn variables_defaults_and_env_reads() {
    let f = lower("export TOKEN=\"${ZOHO_TOKEN:-none}\"\nBASE=${BASE:-https://www.zohoapis.com}\nURL=\"$BASE/crm/v8/${MODULE}\"\n");
    match &assign(&f, "TOKEN").value.kind {
        ExprKind::Alt { cond: None, alts } => {
            assert!(matches!(&alts[0].kind, ExprKind::Env(n) if n == "ZOHO_TOKEN"));
            assert_eq!(alts[1].as_str(), Some("none"));
        }
        k => panic!("{k:?}"),
    }
    // `BASE=${BASE:-…}`: nothing assigned BASE before, so it is the env var.
    match &assign(&f, "BASE").value.kind {
        ExprKind::Alt { alts, .. } => assert!(matches!(&alts[0].kind, ExprKind::Env(n) if n == "BASE")),
        k => panic!("{k:?}"),
    }
    match &assign(&f, "URL").value.kind {
        ExprKind::Concat(parts) => {
            assert!(matches!(&parts[0].kind, ExprKind::Name(n) if n == "BASE"));
            assert_eq!(parts[1].as_str(), Some("/crm/v8/"));
            assert!(matches!(&parts[2].kind, ExprKind::Env(n) if n == "MODULE"));
        }
        k => panic!("{k:?}"),
    }
    let mut reads = f.env_reads.clone();
    reads.sort();
    assert_eq!(reads, ["BASE", "MODULE", "ZOHO_TOKEN"]);
}

#[test]
fn curl_lowers_url_headers_and_form_fields() {
    let f = lower(
        "curl -sS -X POST -H \"Authorization: Zoho-oauthtoken $T\" --header='Accept: json' \\\n  https://accounts.zoho.eu/oauth/v2/token -d \"grant_type=refresh_token&refresh_token=$RT\" --data-urlencode client_id=x\n",
    );
    assert_eq!(f.calls.len(), 1);
    let args = call_args(&f, 0);
    assert_eq!(args[0].name, None);
    assert_eq!(args[0].value.as_str(), Some("https://accounts.zoho.eu/oauth/v2/token"));
    let headers = args.iter().find(|a| a.name.as_deref() == Some("headers")).unwrap();
    assert_eq!(dict_keys(&headers.value), ["Authorization", "Accept"]);
    if let ExprKind::Dict(pairs) = &headers.value.kind {
        match &pairs[0].1.kind {
            ExprKind::Concat(p) => {
                assert_eq!(p[0].as_str(), Some("Zoho-oauthtoken "));
                assert!(matches!(&p[1].kind, ExprKind::Env(n) if n == "T"));
            }
            k => panic!("{k:?}"),
        }
    }
    let data = args.iter().find(|a| a.name.as_deref() == Some("data")).unwrap();
    assert_eq!(dict_keys(&data.value), ["grant_type", "refresh_token", "client_id"]);
}

#[test]
fn httpie_and_wget_forms() {
    let f = lower(
        "http -A bearer -a \"$T\" POST https://www.zohoapis.com/crm/v8/Leads X-Id:1 name=x\nwget --post-data=\"refresh_token=$RT\" -O - https://accounts.zoho.com/oauth/v2/token\n",
    );
    assert_eq!(f.calls.len(), 2);
    let args = call_args(&f, 0);
    assert_eq!(args[0].value.as_str(), Some("https://www.zohoapis.com/crm/v8/Leads"));
    let headers = args.iter().find(|a| a.name.as_deref() == Some("headers")).unwrap();
    assert_eq!(dict_keys(&headers.value), ["X-Id", "Authorization"]);
    let data = args.iter().find(|a| a.name.as_deref() == Some("data")).unwrap();
    assert_eq!(dict_keys(&data.value), ["name"]);
    let args = call_args(&f, 1);
    assert_eq!(args[0].value.as_str(), Some("https://accounts.zoho.com/oauth/v2/token"));
    let data = args.iter().find(|a| a.name.as_deref() == Some("data")).unwrap();
    assert_eq!(dict_keys(&data.value), ["refresh_token"]);
}

#[test]
fn if_and_case_guard_assignments() {
    let f =
        lower("if [ \"$ENV\" = sandbox ]; then\n  H=a\nelse\n  H=b\nfi\ncase \"$E\" in\n  dev) K=c ;;\nesac\nZ=1\n");
    let guards: Vec<bool> = f.assigns.iter().map(|a| a.guard.is_some()).collect();
    assert_eq!(guards, [true, true, true, false]);
    match &f.assigns[0].guard.as_ref().unwrap().kind {
        ExprKind::Test(ops) => assert!(matches!(&ops[0].kind, ExprKind::Env(n) if n == "ENV")),
        k => panic!("{k:?}"),
    }
}

#[test]
fn jq_reads_a_field_of_the_response() {
    let f = lower("AT=$(curl -s https://accounts.zoho.com/oauth/v2/token | jq -r '.access_token')\n");
    match &assign(&f, "AT").value.kind {
        ExprKind::Member(obj, field) => {
            assert_eq!(field, "access_token");
            assert!(matches!(obj.kind, ExprKind::Call(_)));
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(f.calls.len(), 1);
}

#[test]
fn functions_take_positional_parameters() {
    let f = lower("get() { local url=\"$1\"; curl \"$url\"; }\nget https://www.zohoapis.com/crm/v8/Leads\n");
    let fs = scope(&f, "get");
    assert_eq!(f.scopes[fs].params[0], "1");
    assert_eq!(assign(&f, "url").scope, fs);
    assert!(matches!(assign(&f, "get").value.kind, ExprKind::Func(s) if s == fs));
    // The curl inside and the call of the function.
    assert_eq!(f.calls.len(), 2);
    assert!(matches!(&f.calls[1].expr.kind, ExprKind::Call(c) if c.callee.last_name() == Some("get")));
}

#[test]
fn function_assignments_are_global_unless_local() {
    let f = lower("f() {\n  local a\n  a=1\n  b=2\n}\n");
    let fs = scope(&f, "f");
    let scopes = |n: &str| -> Vec<ScopeId> {
        f.assigns
            .iter()
            .filter(|a| matches!(&a.target.kind, ExprKind::Name(x) if x == n))
            .map(|a| a.scope)
            .collect()
    };
    assert_eq!(scopes("a"), [fs]);
    assert_eq!(scopes("b"), [fs, 0]);
}

#[test]
fn replace_expansion_is_a_rewrite() {
    let f = lower("B=https://www.zohoapis.com\nS=${B/www/sandbox}\n");
    match &assign(&f, "S").value.kind {
        ExprKind::Call(c) => {
            assert_eq!(c.callee.last_name(), Some("replace"));
            assert_eq!(c.args[1].value.as_str(), Some("sandbox"));
        }
        k => panic!("{k:?}"),
    }
}
