//! Unit tests of the java front-end.

use super::*;

use crate::frontend::testing::{assert_has, assert_has_all, calls, guarded_assigns as assigns, imports, scope, show};

#[test]
fn constants_fields_and_env_reads() {
    let f = lower(
        "class C extends Base implements I {\n\
         static final String TOKEN = System.getenv(\"ZOHO_TOKEN\");\n\
         private final String base = System.getenv().getOrDefault(\"ZOHO_BASE\", \"https://www.zohoapis.com\");\n\
         String url(String path) { String base = \"x\"; return this.base + path + TOKEN + base; }\n\
         }\n",
    );
    assert_eq!(f.env_reads, vec!["ZOHO_TOKEN", "ZOHO_BASE"]);
    assert_eq!(f.scopes[1].kind, ScopeKind::Class);
    assert_eq!(f.scopes[1].bases, vec!["Base", "I"]);
    assert_eq!(f.scopes[2].params, vec!["path"]);
    assert_has_all(
        &assigns(&f),
        &[
            "C@0 = func#1",
            "this.TOKEN@1 = env:ZOHO_TOKEN",
            "this.base@1 = alt(env:ZOHO_BASE | \"https://www.zohoapis.com\")",
        ],
    );
    // A local shadows the field; `this.base` and the bare constant are fields.
    assert_eq!(f.returns.len(), 1);
    assert_eq!(
        show(&f.returns[0].value),
        "concat(concat(concat(this.base, path), this.TOKEN), base)"
    );
}

#[test]
fn builder_chains_new_calls_and_imports() {
    let f = lower(
        "import com.zoho.crm.api.dc.USDataCenter;\n\
         import static com.acme.Config.TOKEN;\n\
         import java.util.*;\n\
         class C { void f(Token tok) throws Exception {\n\
         new Initializer.Builder().environment(USDataCenter.SANDBOX).token(tok).switchUser();\n\
         HttpRequest r = HttpRequest.newBuilder().uri(URI.create(\"https://www.zohoapis.com\")).header(\"Authorization\", \"Zoho-oauthtoken \" + TOKEN).build();\n\
         } }\n",
    );
    let imports = imports(&f);
    assert_eq!(
        imports,
        vec![
            (
                "USDataCenter".into(),
                "com.zoho.crm.api.dc".into(),
                Some("USDataCenter".into())
            ),
            ("TOKEN".into(), "com.acme.Config".into(), Some("TOKEN".into())),
            // A wildcard import: the whole package, no name bound.
            ("*".into(), "java.util".into(), None),
        ]
    );
    let c = calls(&f);
    assert_eq!(
        c,
        vec![
            "new Initializer.Builder().environment(USDataCenter.SANDBOX).token(tok).switchUser()",
            "HttpRequest.newBuilder().uri(\"https://www.zohoapis.com\").header(\"Authorization\", concat(\"Zoho-oauthtoken \", TOKEN)).build()",
        ]
    );
    assert!(f.calls[0].statement);
    assert!(!f.calls[1].statement);
}

#[test]
fn bare_methods_are_this_calls_and_outer_fields_are_qualified() {
    let f = lower(
        "class Outer { static final String T = \"t\";\n\
         String base() { return \"u\"; }\n\
         void g() { send(base(), T); }\n\
         static class Inner { void h() { use(T); } } }\n",
    );
    let c = calls(&f);
    assert_has(&c, "send(this.base(), this.T)");
    let f = lower(
        "class J { String u(String m) { return new StringBuilder(BASE).append(\"/crm/\").append(m).toString(); } }",
    );
    assert_eq!(show(&f.returns[0].value), "concat(BASE, \"/crm/\", m)");
    let f = lower("class J { String u() { return \"\"\"\n    https://www.zohoapis.com/crm\n    \"\"\"; } }");
    assert!(
        show(&f.returns[0].value).contains("https://www.zohoapis.com/crm"),
        "{}",
        show(&f.returns[0].value)
    );
    let f = lower("class J { URI u() { return URI.create(BASE).resolve(\"/crm/v8\"); } }");
    assert_eq!(show(&f.returns[0].value), "concat(BASE, \"/crm/v8\")");
    let f = lower("class J { String d(JSONObject json) { return json.getString(\"api_domain\").trim(); } }");
    assert_eq!(show(&f.returns[0].value), "json[\"api_domain\"]");
    let f = lower("class J { boolean d(String e) { return \"sandbox\".equals(e) || Objects.equals(e, X); } }");
    assert_eq!(show(&f.returns[0].value), "test(test(\"sandbox\", e), test(e, X))");
    assert_has(&c, "use(Outer.T)");
}

#[test]
fn inherited_members_are_this_members() {
    let f = lower(
        "import static a.B.IMPORTED;\n\
         class C extends Base { void f(String local) { send(token, TOKEN, IMPORTED, Helper, local, base()); } }\n\
         class D { void g() { send(token); } }\n",
    );
    assert_has_all(
        &calls(&f),
        &[
            "this.send(this.token, this.TOKEN, IMPORTED, Helper, local, this.base())",
            "send(token)",
        ],
    );
}

#[test]
fn map_literals_are_dicts() {
    let f = lower(
        "class C { static final Map<String, String> H = Map.of(\"production\", \"a\", \"sandbox\", B);\n\
         static final Map<String, String> T = Map.ofEntries(Map.entry(\"x\", System.getenv(\"X\"))); }\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "this.H@1 = {\"production\": \"a\", \"sandbox\": B}",
            "this.T@1 = {\"x\": env:X}",
        ],
    );
    let f = lower(
        "class C { void f() { Map<String, String> m = new HashMap<>(); m.put(\"apiBaseUrl\", U); m.put(k, v); } }",
    );
    let a = assigns(&f);
    assert_has(&a, "m[\"apiBaseUrl\"]@2 = U");
    assert_eq!(calls(&f), vec!["new HashMap()", "m.put(k, v)"]);
}

#[test]
fn enum_constants_take_their_first_argument() {
    let f = lower(
        "enum Host { PROD(\"https://www.zohoapis.com\"), SANDBOX(\"https://sandbox.zohoapis.com\");\n\
         final String url; Host(String url) { this.url = url; } }\n",
    );
    assert_has_all(
        &assigns(&f),
        &["this.SANDBOX@1 = \"https://sandbox.zohoapis.com\"", "this.url@2 = url"],
    );
}

#[test]
fn configuration_properties_fields_and_setters_are_config_reads() {
    let f = lower(
        "@ConfigurationProperties(prefix = \"acme.zoho\")\n\
         class ZohoProperties {\n\
         static final String NAME = \"zoho\";\n\
         private String apiHost = \"https://www.zohoapis.com\";\n\
         private boolean sandbox;\n\
         public void setSandbox(boolean value) { this.sandbox = value; }\n\
         }\n\
         @ConfigurationProperties(\"acme.crm\") record CrmProperties(String refreshToken) {}\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "this.NAME@1 = \"zoho\"",
            "this.apiHost@1 = alt(env:config:acme.zoho.apihost | \"https://www.zohoapis.com\")",
            "this.sandbox@1 = env:config:acme.zoho.sandbox",
            "value@2 = env:config:acme.zoho.sandbox",
            "refreshToken@4 = env:config:acme.crm.refreshtoken",
            "this.refreshToken@4 = refreshToken",
        ],
    );
    assert_eq!(f.scopes[scope(&f, "setSandbox")].params, vec![""]);
}
