//! Unit tests of the javascript front-end.

use super::*;

fn js(src: &str) -> FileFacts {
    with_lines(lower(Lang::JavaScript, "a.js", src), src)
}

fn ts(src: &str) -> FileFacts {
    with_lines(lower(Lang::TypeScript, "a.ts", src), src)
}

use crate::frontend::testing::{assert_has, assert_has_all, assigns, calls, imports, scope, show, with_lines};

#[test]
fn template_url_and_env() {
    let f = js("const token = process.env.ZOHO_TOKEN || 'dev';\n\
                const url = `https://www.zohoapis.${tld}/crm/v2/${mod}`;\n\
                const a = process.env['ZOHO_DC'];\n\
                const b = import.meta.env.VITE_ZOHO;\n\
                const c = Deno.env.get('DENO_TOKEN');\n");
    let a = assigns(&f);
    assert_eq!(
        a[..5],
        [
            "token@0 = alt(env:ZOHO_TOKEN | \"dev\")",
            "url@0 = concat(\"https://www.zohoapis.\", tld, \"/crm/v2/\", mod)",
            "a@0 = env:ZOHO_DC",
            "b@0 = env:VITE_ZOHO",
            "c@0 = env:DENO_TOKEN",
        ]
    );
    assert_eq!(f.env_reads, vec!["ZOHO_TOKEN", "ZOHO_DC", "VITE_ZOHO", "DENO_TOKEN"]);
    assert!(
        f.calls.is_empty(),
        "Deno.env.get is an env read, not a call: {:?}",
        calls(&f)
    );
    assert_eq!(f.parse_error_line, None);
}

#[test]
fn builder_chain_is_one_call_site() {
    let f = js("async function init(env, tok) {\n\
                  (await new ZOHOCRMSDK.InitializeBuilder()).environment(env).token(tok).initialize();\n\
                }\n");
    assert_eq!(f.calls.len(), 1, "{:?}", calls(&f));
    let c = &f.calls[0];
    assert_eq!(
        show(&c.expr),
        "new ZOHOCRMSDK.InitializeBuilder().environment(env).token(tok).initialize()"
    );
    assert!(c.statement);
    assert_eq!(c.scope, 1);
    assert_eq!(f.scopes[1].name, "init");
    assert_eq!(f.scopes[1].params, vec!["env", "tok"]);
    let ExprKind::Call(call) = &c.expr.kind else { panic!() };
    assert_eq!(call.callee.last_name(), Some("initialize"));
    // Span of the outermost call: the whole chain.
    assert_eq!(f.pos(c.expr.span).line, 2);
    assert_eq!(f.pos(c.expr.span).col, 1);
}

#[test]
fn axios_call_with_headers_dict() {
    let f = js("axios.get(url, { headers: { Authorization: `Zoho-oauthtoken ${token}` } });");
    assert_eq!(f.calls.len(), 1);
    let ExprKind::Call(call) = &f.calls[0].expr.kind else {
        panic!()
    };
    assert!(!call.is_new);
    assert_eq!(call.callee.dotted().as_deref(), Some("axios.get"));
    assert_eq!(call.args.len(), 2);
    assert!(matches!(call.args[1].value.kind, ExprKind::Dict(_)));
    assert_eq!(
        show(&call.args[1].value),
        "{\"headers\": {\"Authorization\": concat(\"Zoho-oauthtoken \", token)}}"
    );
}

#[test]
fn es_imports_and_require() {
    let f = js("import Sdk from 'zcrmsdk';\n\
                import { A as B, C } from './m.js';\n\
                import * as M from \"./ns\";\n\
                import './side-effect';\n\
                const cfg = require('./config');\n\
                const { X, Y: Z, W = 1 } = require('./x');\n\
                const tok = require('./t').token;\n\
                const dyn = await import('./d');\n");
    assert_eq!(
        imports(&f),
        vec![
            ("Sdk".into(), "zcrmsdk".into(), Some("default".into())),
            ("B".into(), "./m.js".into(), Some("A".into())),
            ("C".into(), "./m.js".into(), Some("C".into())),
            ("M".into(), "./ns".into(), None),
            ("cfg".into(), "./config".into(), None),
            ("X".into(), "./x".into(), Some("X".into())),
            ("Z".into(), "./x".into(), Some("Y".into())),
            ("W".into(), "./x".into(), Some("W".into())),
            ("tok".into(), "./t".into(), Some("token".into())),
            ("dyn".into(), "./d".into(), None),
        ]
    );
    assert!(f.calls.is_empty(), "{:?}", calls(&f));
    assert!(f.assigns.is_empty(), "{:?}", assigns(&f));
}

#[test]
fn exports_and_reexports() {
    let f = js("export const BASE = 'https://accounts.zoho.eu';\n\
                export default { token: TOKEN };\n\
                export { a as b };\n\
                export { t as token } from './t';\n\
                module.exports = { base: BASE };\n\
                exports.X = 1;\n\
                module.exports.Y = 'y';\n");
    assert_eq!(
        assigns(&f),
        vec![
            "BASE@0 = \"https://accounts.zoho.eu\"",
            "default@0 = {\"token\": TOKEN}",
            "b@0 = a",
            "module.exports@0 = {\"base\": BASE}",
            "exports.X@0 = num",
            "module.exports.Y@0 = \"y\"",
        ]
    );
    assert_eq!(imports(&f), vec![("token".into(), "./t".into(), Some("t".into()))]);
}

#[test]
fn export_default_function() {
    let f = js("export default function makeClient(t) { return new Client(t); }\n");
    assert_eq!(f.scopes[1].name, "makeClient");
    assert_eq!(assigns(&f), vec!["makeClient@0 = func#1", "default@0 = makeClient"]);
    assert_eq!(f.returns.len(), 1);
    assert_eq!(f.returns[0].scope, 1);
    assert_eq!(show(&f.returns[0].value), "new Client(t)");
    assert_eq!(f.calls.len(), 1);
}

#[test]
fn destructuring() {
    let f = js("const { a, b: c, d = 'x', ...rest } = obj;\n\
                const { ZOHO_TOKEN, ZOHO_DC: dc = 'com' } = process.env;\n\
                const [p, , q] = ['1', '2', '3'];\n");
    assert_eq!(
        assigns(&f),
        vec![
            "a@0 = obj.a",
            "c@0 = obj.b",
            "d@0 = alt(obj.d | \"x\")",
            "rest@0 = obj",
            "ZOHO_TOKEN@0 = env:ZOHO_TOKEN",
            "dc@0 = alt(env:ZOHO_DC | \"com\")",
            "p@0 = \"1\"",
            "q@0 = \"3\"",
        ]
    );
}

#[test]
fn class_fields_methods_and_this() {
    let f = js("class Api extends Base {\n\
                  base = 'https://www.zohoapis.com';\n\
                  static region = 'us';\n\
                  constructor(token, dc = 'eu') {\n\
                    super(token);\n\
                    this.token = token;\n\
                  }\n\
                  get(path) { return fetch(`${this.base}${path}`, { headers: { Authorization: this.token } }); }\n\
                }\n");
    let class = f.scopes.iter().position(|s| s.kind == ScopeKind::Class).unwrap();
    assert_eq!(f.scopes[class].name, "Api");
    let ctor = scope(&f, "constructor");
    assert_eq!(f.scopes[ctor].parent, Some(class));
    assert_eq!(f.scopes[ctor].params, vec!["token", "dc"]);
    let get = scope(&f, "get");
    assert_eq!(f.scopes[get].parent, Some(class));
    assert_has_all(
        &assigns(&f),
        &[
            &format!("Api@0 = func#{class}"),
            &format!("this.base@{class} = \"https://www.zohoapis.com\""),
            &format!("this.region@{class} = \"us\""),
            &format!("dc@{ctor} = \"eu\""),
            &format!("this.token@{ctor} = token"),
            &format!("constructor@{class} = func#{ctor}"),
        ],
    );
    let c = calls(&f);
    assert_has(
        &c,
        "fetch(concat(this.base, path), {\"headers\": {\"Authorization\": this.token}})",
    );
    assert_eq!(f.returns.len(), 1);
    assert_eq!(f.returns[0].scope, get);
}

#[test]
fn arrow_functions_and_returns() {
    let f = js("const getClient = (token) => new Client({ token });\n\
                const h = async function () { return 1; };\n\
                items.map(x => fetch(x));\n");
    assert_eq!(f.scopes[1].name, "getClient");
    assert_eq!(f.scopes[1].params, vec!["token"]);
    assert_eq!(f.scopes[2].name, "h");
    assert_eq!(f.scopes[3].params, vec!["x"]);
    let a = assigns(&f);
    assert_eq!(a, vec!["getClient@0 = func#1", "h@0 = func#2"]);
    assert_eq!(show(&f.returns[0].value), "new Client({\"token\": token})");
    assert_eq!(f.returns[0].scope, 1);
    let c = calls(&f);
    assert_eq!(
        c,
        vec!["new Client({\"token\": token})", "fetch(x)", "items.map(func#3)"]
    );
    assert!(f.calls[2].statement);
    assert!(!f.calls[0].statement);
}

#[test]
fn guards_loops_switch_and_ops() {
    let f = js("let url;\n\
                if (env === 'production') { url = 'https://accounts.zoho.com'; } else url = 'https://accounts.zoho.eu';\n\
                for (const dc of DCS) { connect(dc); }\n\
                switch (region) { case 'eu': host = 'zoho.eu'; break; default: host = 'zoho.com'; }\n\
                let s = 'a'; s += b;\n\
                const t = flag ? 'x' : 'y';\n\
                const n = !ok;\n\
                const k = a && b;\n\
                const v = cfg?.token ?? null;\n");
    let a = assigns(&f);
    assert_eq!(
        a,
        vec![
            "url@0 = \"https://accounts.zoho.com\"",
            "url@0 = \"https://accounts.zoho.eu\"",
            "dc@0 = DCS[?]",
            "host@0 = \"zoho.eu\"",
            "host@0 = \"zoho.com\"",
            "s@0 = \"a\"",
            "s@0 = concat(s, b)",
            "t@0 = alt(flag ? \"x\" | \"y\")",
            "n@0 = test(ok)",
            "k@0 = test(a, b)",
            "v@0 = alt(cfg.token | null)",
        ]
    );
    assert_eq!(show(f.assigns[0].guard.as_ref().unwrap()), "test(env, \"production\")");
    assert_eq!(show(f.assigns[1].guard.as_ref().unwrap()), "test(env, \"production\")");
    assert_eq!(show(f.assigns[3].guard.as_ref().unwrap()), "test(region, \"eu\")");
    assert!(f.assigns[4].guard.is_none());
    assert_eq!(calls(&f), vec!["connect(dc)"]);
}

#[test]
fn nested_calls_everywhere_are_seen() {
    let f = js("try { a(); } catch (e) { b(); } finally { c(); }\n\
                while (d()) { e(); }\n\
                do { f(); } while (g());\n\
                label: for (let i = h(); i < 3; i++) { j(); }\n\
                throw k();\n\
                x = [l(), ...m()];\n\
                const o = { ...n(), p() { return q(); } };\n\
                function r() { return s(t()); }\n");
    let mut c = calls(&f);
    c.sort();
    let expected: Vec<String> = [
        "a()", "b()", "c()", "d()", "e()", "f()", "g()", "h()", "j()", "k()", "l()", "m()", "n()", "q()", "s(t())",
        "t()",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(c, expected);
}

#[test]
fn comments_produce_nothing() {
    let f = js("// token = 'x'\n/* fetch(url) */\nfoo(/* c */ a, // d\n b);\n");
    assert_eq!(calls(&f), vec!["foo(a, b)"]);
    assert!(f.assigns.is_empty());
}

#[test]
fn typescript_types_are_skipped() {
    let f = ts("import type { Cfg } from './cfg';\n\
                interface Opts { token: string }\n\
                type Region = 'eu' | 'us';\n\
                enum Dc { EU = 'eu' }\n\
                declare const X: string;\n\
                export class Client {\n\
                  private base: string = 'https://www.zohoapis.eu';\n\
                  constructor(private readonly token: string, public dc?: string) {}\n\
                  async get<T>(path: string): Promise<T> {\n\
                    const r = await fetch(`${this.base}${path}` as string, { headers: { Authorization: this.token! } });\n\
                    return (await r.json()) as T;\n\
                  }\n\
                }\n\
                const tok = <string>process.env.ZOHO_TOKEN;\n\
                const n = cfg satisfies Cfg;\n\
                function f(this: Window, { token, env = 'prod' }: Opts, x = 2) {}\n");
    assert_eq!(f.parse_error_line, None);
    assert_eq!(imports(&f), vec![("Cfg".into(), "./cfg".into(), Some("Cfg".into()))]);
    let class = scope(&f, "Client");
    let ctor = scope(&f, "constructor");
    let get = scope(&f, "get");
    assert_eq!(f.scopes[ctor].params, vec!["token", "dc"]);
    assert_eq!(f.scopes[get].params, vec!["path"]);
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            &format!("this.base@{class} = \"https://www.zohoapis.eu\""),
            &format!("this.token@{ctor} = token"),
            &format!("this.dc@{ctor} = dc"),
            "tok@0 = env:ZOHO_TOKEN",
            "n@0 = cfg",
        ],
    );
    let func = scope(&f, "f");
    assert_eq!(f.scopes[func].params, vec!["#arg0", "x"]);
    assert_has_all(
        &a,
        &[
            &format!("token@{func} = #arg0.token"),
            &format!("env@{func} = alt(#arg0.env | \"prod\")"),
        ],
    );
    assert_has_all(
        &calls(&f),
        &[
            "fetch(concat(this.base, path), {\"headers\": {\"Authorization\": this.token}})",
            "r.json()",
        ],
    );
    // Enums are run-time values (a dict); interfaces and types are not.
    assert_has(&a, "Dc@0 = {\"EU\": \"eu\"}");
    assert!(!a.iter().any(|s| s.starts_with("X@")), "{a:?}");
}

#[test]
fn tsx_parses_with_tsx_grammar() {
    let src = "export const App = ({ token }: Props) => {\n\
                 const data = useQuery(() => fetch(url, { headers: { Authorization: token } }));\n\
                 return <div className={cx('a')} onClick={() => save(data as any)}>{render(data)}</div>;\n\
               };\n";
    let f = lower(Lang::TypeScript, "App.tsx", src);
    assert_eq!(f.parse_error_line, None);
    let mut c = calls(&f);
    c.sort();
    assert!(c.iter().any(|s| s.starts_with("fetch(url")), "{c:?}");
    assert_has_all(&c, &["cx(\"a\")", "save(data)", "render(data)"]);
    // The TS grammar cannot parse JSX.
    let g = lower(Lang::TypeScript, "App.ts", src);
    assert!(g.parse_error_line.is_some());
}

#[test]
fn jsx_in_js() {
    let f = lower(
        Lang::JavaScript,
        "a.jsx",
        "const x = <A b={f(1)}><C {...g()} />{h()}</A>;",
    );
    assert_eq!(f.parse_error_line, None);
    let mut c = calls(&f);
    c.sort();
    assert_eq!(c, vec!["f(num)", "g()", "h()"]);
}

#[test]
fn syntax_error_sets_line() {
    let f = js("const a = 1;\nconst b = ;\nfoo();\n");
    assert_eq!(f.parse_error_line, Some(2));
    assert_has(&calls(&f), "foo()");
}

#[test]
fn deep_calls() {
    let deep_calls = format!("{}1{}", "g(".repeat(300), ")".repeat(300));
    let f = js(&deep_calls);
    assert!(!f.calls.is_empty());
}

#[test]
fn deep_fns() {
    let deep_fns = format!("{}{}", "function a() {".repeat(300), "}".repeat(300));
    let f = js(&deep_fns);
    assert!(f.scopes.len() > 10);
}

#[test]
fn deep_arrays() {
    let deep_arrays = format!("x = {}1{};", "[".repeat(300), "]".repeat(300));
    js(&deep_arrays);
}

#[test]
fn deep_objects() {
    let deep_objects = format!("x = {}1{};", "{a: ".repeat(300), "}".repeat(300));
    js(&deep_objects);
}

#[test]
fn deep_pattern() {
    let deep_pattern = format!("const {}x{} = y;", "[".repeat(300), "]".repeat(300));
    js(&deep_pattern);
}

#[test]
fn long_chain() {
    let long_chain = format!("b{};", ".m()".repeat(2000));
    let f = js(&long_chain);
    assert_eq!(f.calls.len(), 1);
}

#[test]
fn spans_are_one_based_unicode_columns() {
    let f = js("const é = 'ü'; go(é);\n");
    let c = f.pos(f.calls[0].expr.span);
    assert_eq!((c.line, c.col, c.end_col), (1, 16, 21));
}
