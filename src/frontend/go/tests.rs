//! Unit tests of the go front-end.

use super::*;

use crate::frontend::testing::{assert_has, assert_has_all, assigns, calls, class, scope, show};

#[test]
fn declarations_env_reads_and_string_building() {
    let f = lower(
        "package p\n\
         import (\n\t\"os\"\n\tz \"example.com/zoho/config\"\n)\n\
         const (\n\tA = `https://www.zohoapis.com`\n\tB, C = \"x\\ty\", 1\n)\n\
         var tok = os.Getenv(\"ZOHO_TOKEN\")\n\
         func f(env, tld string) {\n\
             u := fmt.Sprintf(\"https://%s.zohoapis.%s/100%%\", env, tld)\n\
             v, ok := os.LookupEnv(\"ZOHO_DC\")\n\
             u += \"/crm\"\n\
             _ = strings.ReplaceAll(A, \"www\", \"sandbox\")\n\
         }\n",
    );
    let a = assigns(&f);
    assert_eq!(
        a[..9],
        [
            "A@0 = \"https://www.zohoapis.com\"",
            "B@0 = \"x\\ty\"",
            "C@0 = num",
            "tok@0 = env:ZOHO_TOKEN",
            "f@0 = func#1",
            "u@1 = concat(\"https://\", env, \".zohoapis.\", tld, \"/100%\")",
            "v@1 = env:ZOHO_DC",
            "ok@1 = ?",
            "u@1 = concat(u, \"/crm\")",
        ]
    );
    assert_eq!(f.scopes[1].params, vec!["env", "tld"]);
    assert_eq!(f.env_reads, vec!["ZOHO_TOKEN", "ZOHO_DC"]);
    let imports: Vec<(String, String)> = f.imports.iter().map(|i| (i.local.clone(), i.module.clone())).collect();
    assert_eq!(
        imports,
        vec![
            ("os".into(), "os".into()),
            ("z".into(), "example.com/zoho/config".into())
        ]
    );
    assert_eq!(f.parse_error_line, None);
}

#[test]
fn structs_methods_and_constructors() {
    let f = lower(
        "package p\n\
         func (c *Client) Get(path string) (*http.Response, error) {\n\
             req, _ := http.NewRequest(\"GET\", c.base+path, nil)\n\
             req.Header.Set(\"Authorization\", \"Zoho-oauthtoken \"+c.token)\n\
             return c.http.Do(req)\n\
         }\n\
         type Client struct {\n\tbase, token string\n\thttp *http.Client\n}\n\
         func NewClient(token string) *Client {\n\
             return &Client{base: \"https://www.zohoapis.eu\", token: token}\n\
         }\n",
    );
    let class = class(&f, "Client");
    let get = scope(&f, "Get");
    let ctor = scope(&f, "NewClient");
    assert_eq!(f.scopes[get].parent, Some(class));
    assert_eq!(
        f.scopes[ctor].parent,
        Some(class),
        "a constructor belongs to its struct"
    );
    assert_eq!(f.scopes[get].params, vec!["path"]);
    assert_has_all(
        &assigns(&f),
        &[
            &format!("this.base@{ctor} = \"https://www.zohoapis.eu\""),
            &format!("this.token@{ctor} = token"),
            &format!("NewClient@0 = func#{ctor}"),
            &format!("req@{get} = http.NewRequest(\"GET\", concat(this.base, path), null).0"),
        ],
    );
    assert_eq!(
        calls(&f),
        vec![
            "http.NewRequest(\"GET\", concat(this.base, path), null)",
            "req.Header.Set(\"Authorization\", concat(\"Zoho-oauthtoken \", this.token))",
            "this.http.Do(req)",
        ]
    );
    assert!(f.calls[1].statement);
    assert!(!f.calls[2].statement);
    let r: Vec<String> = f.returns.iter().map(|r| show(&r.value)).collect();
    assert_eq!(r[0], "this.http.Do(req)");
}

#[test]
fn guards_of_if_and_switch() {
    let f = lower(
        "package p\n\
         func pick(env string, sandbox bool) {\n\
             base := P\n\
             if sandbox {\n\t\tbase = S\n\t} else if dev {\n\t\tbase = D\n\t}\n\
             switch env {\n\
             case \"sandbox\":\n\t\thost, tok = S, os.Getenv(\"SB\")\n\
             default:\n\t\thost = P\n\
             }\n\
             switch {\n\
             case sandbox:\n\t\tx = S\n\
             }\n\
         }\n",
    );
    let g: Vec<(String, Option<String>)> = f
        .assigns
        .iter()
        .skip(1)
        .map(|a| {
            (
                format!("{} = {}", show(&a.target), show(&a.value)),
                a.guard.as_deref().map(show),
            )
        })
        .collect();
    let want = [
        ("base = P", None),
        ("base = S", Some("sandbox")),
        ("base = D", Some("dev")),
        ("host = S", Some("env")),
        ("tok = env:SB", Some("env")),
        ("host = P", Some("env")),
        ("x = S", Some("sandbox")),
    ];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(a, g)| (a.to_string(), g.map(str::to_string)))
        .collect();
    assert_eq!(g, want);
}

#[test]
fn composite_literals_chains_and_json_tags() {
    let f = lower(
        "package p\n\
         type TokenResponse struct {\n\tAccessToken string `json:\"access_token\"`\n\tAPIDomain string `json:\"api_domain,omitempty\"`\n}\n\
         func f(t TokenResponse) {\n\
             h := http.Header{\"Authorization\": {\"Zoho-oauthtoken \" + t.AccessToken}}\n\
             hosts := map[string]string{\"sandbox\": t.APIDomain}\n\
             c := resty.New().SetBaseURL(hosts[\"sandbox\"]).SetAuthToken(t.AccessToken)\n\
         }\n",
    );
    let a = assigns(&f);
    assert!(
        a.iter()
            .any(|x| x.ends_with("= {\"Authorization\": [concat(\"Zoho-oauthtoken \", t.access_token)]}")),
        "{a:?}"
    );
    assert!(a.iter().any(|x| x.ends_with("= {\"sandbox\": t.api_domain}")), "{a:?}");
    assert_eq!(
        calls(&f),
        vec!["resty.New().SetBaseURL(hosts[\"sandbox\"]).SetAuthToken(t.access_token)"]
    );
}

#[test]
fn json_tags_of_struct_types_written_in_place() {
    let f = lower(
        "package p\n\
         func f(resp *http.Response) string {\n\
             var out struct {\n\t\tAccessToken string `json:\"access_token\"`\n\t}\n\
             json.NewDecoder(resp.Body).Decode(&out)\n\
             type reply struct {\n\t\tAPIDomain string `json:\"api_domain\"`\n\t}\n\
             h := out.AccessToken\n\
             d := reply{}.APIDomain\n\
             return h + d\n\
         }\n",
    );
    let a = assigns(&f);
    assert!(a.iter().any(|x| x.ends_with("= out.access_token")), "{a:?}");
    assert!(a.iter().any(|x| x.ends_with(".api_domain")), "{a:?}");
}

#[test]
fn assignments_to_package_variables() {
    let f = lower(
        "package p\n\
         var token string\n\
         func init() {\n\
             token = os.Getenv(\"ZOHO_TOKEN\")\n\
             base := \"a\"\n\
             base = \"b\"\n\
             var x string\n\
             x = \"c\"\n\
             func() { base = \"d\" }()\n\
         }\n",
    );
    let a = assigns(&f);
    assert_eq!(
        a,
        vec![
            "init@0 = func#1",
            "token@0 = env:ZOHO_TOKEN",
            "base@1 = \"a\"",
            "base@1 = \"b\"",
            "x@1 = \"c\"",
            "base@2 = \"d\"",
        ]
    );
}

#[test]
fn decoding_into_a_variable_assigns_it() {
    let f = lower(
        "package p\n\
         func f(resp *http.Response, raw []byte) {\n\
             var tok T\n\
             if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {\n\t\treturn\n\t}\n\
             json.Unmarshal(raw, &cfg)\n\
         }\n",
    );
    let a = assigns(&f);
    assert_has(&a, "tok@1 = resp.Body");
    assert!(
        a.contains(&"cfg@0 = raw".to_string()) || a.contains(&"cfg@1 = raw".to_string()),
        "{a:?}"
    );
}

#[test]
fn degenerate_inputs() {
    for src in ["", "package", "package p\n", "\"", "`", "func (", "}{"] {
        let f = lower(src);
        assert!(f.assigns.is_empty(), "{src:?}");
    }
    assert!(lower("}{").parse_error_line.is_some());
}

#[test]
fn empty_struct_literal_is_a_construction() {
    let f = lower(
        "package p\n\
         type Client struct {\n\tBaseURL string\n}\n\
         func f() {\n\
             c := &Client{}\n\
             c.BaseURL = \"https://sandbox.zohoapis.com\"\n\
         }\n",
    );
    let a = assigns(&f);
    assert!(a.iter().any(|x| x == "c@2 = new Client()"), "{a:?}");
}

#[test]
fn decoding_a_whole_file_into_a_variable_loads_it() {
    let f = lower(
        "package p\n\
         func f(p string, body []byte) {\n\
             data, _ := os.ReadFile(p)\n\
             json.Unmarshal(data, &cfg)\n\
             fh, _ := os.Open(p)\n\
             json.NewDecoder(fh).Decode(&s)\n\
             json.Unmarshal(body, tok)\n\
         }\n",
    );
    let a = assigns(&f);
    assert!(
        a.iter().any(|x| x.contains("cfg@") && x.contains("json.Unmarshal(")),
        "{a:?}"
    );
    assert!(a.iter().any(|x| x.contains("s@") && x.contains(".Decode()")), "{a:?}");
    // Not a file's text: the data decoded.
    assert!(a.iter().any(|x| x.contains("tok@") && x.ends_with("= body")), "{a:?}");
}
