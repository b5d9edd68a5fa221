//! Unit tests of the csharp front-end.

use super::*;

use crate::frontend::testing::{assert_has, calls, guarded_assigns as assigns, imports, show};

#[test]
fn constants_properties_and_env_reads() {
    let f = lower(
        "namespace A.B {\n\
         public class C : Base, IThing {\n\
         private const string Base = \"https://www.zohoapis.eu\";\n\
         private static readonly string Token = Environment.GetEnvironmentVariable(\"ZOHO_TOKEN\") ?? \"none\";\n\
         public string Url => $\"{Base}/crm/v8\";\n\
         public string Key { get; } = \"k\";\n\
         string M(string path, string Base = \"x\") => Base + path + Token;\n\
         } }\n",
    );
    assert_eq!(f.env_reads, vec!["ZOHO_TOKEN"]);
    assert_eq!(f.scopes[1].bases, vec!["Base", "IThing"]);
    let a = assigns(&f);
    assert_has(&a, "C@0 = func#1");
    assert_has(&a, "this.Base@1 = \"https://www.zohoapis.eu\"");
    assert_has(&a, "this.Token@1 = alt(env:ZOHO_TOKEN | \"none\")");
    assert_has(&a, "this.Url@1 = concat(this.Base, \"/crm/v8\")");
    assert_has(&a, "this.Key@1 = \"k\"");
    let p = lower("class P { string _t; string Tok { get { return _t ?? \"x\"; } set { _t = value; } } }");
    let pa = assigns(&p);
    assert_has(&pa, "this.Tok@2 = alt(this._t | \"x\")");
    assert_has(&pa, "this._t@3 = value");
    // A parameter shadows the constant of the same name.
    assert_has(&a, "Base@2 = \"x\"");
    assert_eq!(f.scopes[2].params, vec!["path", "Base"]);
    assert_eq!(show(&f.returns[0].value), "concat(concat(Base, path), this.Token)");
}

#[test]
fn guards_ternaries_switches_and_formats() {
    let f = lower(
        "class C { void F(bool sandbox, string mode) {\n\
         var env = sandbox ? USDataCenter.SANDBOX : USDataCenter.PRODUCTION;\n\
         string host;\n\
         if (sandbox) { host = \"sandbox\"; } else host = \"www\";\n\
         var u = string.Format(\"https://{0}.zohoapis.{1}/crm\", host, \"eu\");\n\
         var v = $@\"https://{host}.zohoapis.com\";\n\
         var w = mode switch { \"dev\" => \"developer\", _ => \"www\" };\n\
         switch (mode) { case \"s\": host = \"sandbox\"; break; }\n\
         } }\n",
    );
    let a = assigns(&f);
    assert_has(
        &a,
        "env@2 = alt(sandbox ? USDataCenter.SANDBOX | USDataCenter.PRODUCTION)",
    );
    assert_has(&a, "host@2 = \"sandbox\" if sandbox");
    assert_has(&a, "host@2 = \"www\" if sandbox");
    assert_has(&a, "u@2 = concat(\"https://\", host, \".zohoapis.\", \"eu\", \"/crm\")");
    assert_has(&a, "v@2 = concat(\"https://\", host, \".zohoapis.com\")");
    assert_has(&a, "w@2 = alt(mode ? \"developer\" | \"www\")");
    assert_has(&a, "host@2 = \"sandbox\" if test(mode, \"s\")");
}

#[test]
fn builders_clients_and_aliases() {
    let f = lower(
        "using System;\n\
         using SDKInitializer = Com.Zoho.Crm.API.Initializer;\n\
         class C {\n\
         private readonly HttpClient _client = new HttpClient { BaseAddress = new Uri(\"https://www.zohoapis.com\") };\n\
         void F(IToken tok, string token) {\n\
         new SDKInitializer.Builder().Environment(USDataCenter.SANDBOX).Token(tok).SwitchUser();\n\
         _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Zoho-oauthtoken\", token);\n\
         _client.DefaultRequestHeaders.Add(\"Authorization\", \"Zoho-oauthtoken \" + token);\n\
         } }\n",
    );
    let imports = imports(&f);
    assert_eq!(
        imports,
        vec![(
            "SDKInitializer".into(),
            "Com.Zoho.Crm.API".into(),
            Some("Initializer".into())
        )]
    );
    let a = assigns(&f);
    assert_has(
        &a,
        "this._client@1 = new HttpClient(BaseAddress: \"https://www.zohoapis.com\")",
    );
    assert_has(
        &a,
        "this._client.DefaultRequestHeaders.Authorization@2 = concat(\"Zoho-oauthtoken \", token)",
    );
    let c = calls(&f);
    assert_has(
        &c,
        "new SDKInitializer.Builder().Environment(USDataCenter.SANDBOX).Token(tok).SwitchUser()",
    );
    assert_has(
        &c,
        "this._client.DefaultRequestHeaders.Add(\"Authorization\", concat(\"Zoho-oauthtoken \", token))",
    );
    assert!(f.calls.iter().filter(|c| c.statement).count() == 2);
}

#[test]
fn bare_methods_named_arguments_and_indexers() {
    let f = lower(
        "class C { string Base() => \"u\";\n\
         void G(IConfiguration config) { Send(Base(), token: config[\"Zoho:Token\"]); }\n\
         static string Q = Outer.X; }\n",
    );
    let c = calls(&f);
    assert_has(&c, "Send(this.Base(), token: env:config:zoho.token)");
    let f = lower("class J { string D(JsonDocument doc) => doc.RootElement.GetProperty(\"api_domain\").GetString(); }");
    assert_eq!(show(&f.returns[0].value), "doc.RootElement[\"api_domain\"]");
    let f = lower(
        "class J { bool D(string e) => string.Equals(e, \"sandbox\", StringComparison.Ordinal) || e.Equals(X); }",
    );
    assert_eq!(show(&f.returns[0].value), "test(test(e, \"sandbox\"), test(e, X))");
}

#[test]
fn inherited_members_are_this_members() {
    let f = lower(
        "class C : Base { void F(string local) { Send(_token, Token, local, GetBase()); } }\n\
         class D { void G() { Send(_token, GetBase()); } }\n",
    );
    let c = calls(&f);
    assert_has(&c, "this.Send(this._token, Token, local, this.GetBase())");
    assert_has(&c, "Send(_token, GetBase())");
}

#[test]
fn dictionary_initialisers_are_dicts() {
    let f = lower(
        "class C { static readonly Dictionary<string, string> H = new Dictionary<string, string> { [\"production\"] = \"a\", [\"sandbox\"] = \"b\" };\n\
         static readonly Dictionary<string, string> T = new() { { \"x\", Environment.GetEnvironmentVariable(\"X\") } }; }\n",
    );
    let a = assigns(&f);
    assert_has(&a, "this.H@1 = {\"production\": \"a\", \"sandbox\": \"b\"}");
    assert_has(&a, "this.T@1 = {\"x\": env:X}");
}
