//! Unit tests of the csharp front-end.

use super::*;

use crate::frontend::testing::{assert_has, assert_has_all, calls, guarded_assigns as assigns, imports, show};

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
    assert_has_all(
        &a,
        &[
            "C@0 = func#1",
            "this.Base@1 = \"https://www.zohoapis.eu\"",
            "this.Token@1 = alt(env:ZOHO_TOKEN | \"none\")",
            "this.Url@1 = concat(this.Base, \"/crm/v8\")",
            "this.Key@1 = \"k\"",
        ],
    );
    let p = lower("class P { string _t; string Tok { get { return _t ?? \"x\"; } set { _t = value; } } }");
    let pa = assigns(&p);
    assert_has_all(&pa, &["this.Tok@2 = alt(this._t | \"x\")", "this._t@3 = value"]);
    // A parameter shadows the constant of the same name.
    assert_has(&a, "Base@2 = \"x\"");
    assert_eq!(f.scopes[2].params, vec!["path", "Base"]);
    assert_eq!(show(&f.returns[0].value), "concat(concat(Base, path), this.Token)");
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
    assert_has_all(
        &assigns(&f),
        &[
            "this._client@1 = new HttpClient(BaseAddress: \"https://www.zohoapis.com\")",
            "this._client.DefaultRequestHeaders.Authorization@2 = concat(\"Zoho-oauthtoken \", token)",
        ],
    );
    let c = calls(&f);
    assert_has_all(
        &c,
        &[
            "new SDKInitializer.Builder().Environment(USDataCenter.SANDBOX).Token(tok).SwitchUser()",
            "this._client.DefaultRequestHeaders.Add(\"Authorization\", concat(\"Zoho-oauthtoken \", token))",
        ],
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
    assert_has_all(
        &calls(&f),
        &[
            "this.Send(this._token, Token, local, this.GetBase())",
            "Send(_token, GetBase())",
        ],
    );
}

#[test]
fn dictionary_initialisers_are_dicts() {
    let f = lower(
        "class C { static readonly Dictionary<string, string> H = new Dictionary<string, string> { [\"production\"] = \"a\", [\"sandbox\"] = \"b\" };\n\
         static readonly Dictionary<string, string> T = new() { { \"x\", Environment.GetEnvironmentVariable(\"X\") } }; }\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "this.H@1 = {\"production\": \"a\", \"sandbox\": \"b\"}",
            "this.T@1 = {\"x\": env:X}",
        ],
    );
}

#[test]
fn options_classes_bound_to_sections() {
    let f = lower(
        "builder.Services.Configure<ZohoOptions>(builder.Configuration.GetSection(\"Acme:Zoho\"));\n\
         services.AddOptions<CrmSettings>().BindConfiguration(CrmSettings.Section);\n\
         var deals = configuration.GetSection(\"Deals\").Get<DealsOptions>();\n\
         class Leads {\n\
         private readonly IOptions<ZohoOptions> _options;\n\
         Leads(IOptionsMonitor<CrmSettings> crm) { _options = null; Send(_options.Value.ApiHost, crm.CurrentValue.Token); }\n\
         }\n",
    );
    let bound: Vec<(String, String)> = f
        .settings_classes
        .iter()
        .map(|b| (b.class.clone(), show(&b.section)))
        .collect();
    assert_eq!(
        bound,
        vec![
            ("ZohoOptions".to_string(), "\"acme.zoho\"".to_string()),
            ("CrmSettings".to_string(), "CrmSettings.Section".to_string()),
        ]
    );
    assert_has(&assigns(&f), "deals@0 = env:config:deals");
    assert_has(&calls(&f), "Send(this._options.ApiHost, crm.Token)");
    let ctor = f.scopes.iter().position(|s| s.params == ["crm"]).unwrap();
    assert_eq!(f.scopes[ctor].param_types, vec!["CrmSettings"]);
}
