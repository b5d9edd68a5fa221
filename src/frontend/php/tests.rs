//! Unit tests of the php front-end.

use super::*;

use crate::frontend::testing::{
    assert_has, assert_has_all, class, guarded_assigns as assigns, returns, scope, statement_calls as calls,
};

#[test]
fn constants_env_reads_and_strings() {
    let f = lower(
        "<?php\n\
         define('ZOHO_TOKEN', getenv('ZOHO_ACCESS_TOKEN'));\n\
         const BASE = \"https://www.zohoapis.\" . 'com';\n\
         $a = $_ENV['ZOHO_DC'] ?? env('ZOHO_REGION', 'us');\n\
         $b = \"Zoho-oauthtoken $t {$this->token}\\n\";\n\
         $c = sprintf('https://%s.zohoapis.com/crm/%s', $env, $v);\n\
         $d = $flag ? BASE : str_replace('www', 'sandbox', BASE);\n\
         $e = <<<EOT\n\
         https://$host/crm\n\
         EOT;\n\
         $u .= '/Leads';\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "ZOHO_TOKEN@0 = env:ZOHO_ACCESS_TOKEN",
            "BASE@0 = concat(\"https://www.zohoapis.\", \"com\")",
            "a@0 = alt(env:ZOHO_DC | alt(env:ZOHO_REGION | \"us\"))",
            "b@0 = concat(\"Zoho-oauthtoken \", t, \" \", this.token, \"\\n\")",
            "c@0 = concat(\"https://\", env, \".zohoapis.com/crm/\", v, \"\")",
            "d@0 = alt(flag ? BASE | BASE.replace(\"www\", \"sandbox\"))",
            "e@0 = concat(\"https://\", host, \"/crm\")",
            "u@0 = concat(u, \"/Leads\")",
        ],
    );
    let mut env = f.env_reads.clone();
    env.sort();
    assert_eq!(env, ["ZOHO_ACCESS_TOKEN", "ZOHO_DC", "ZOHO_REGION"]);
    assert_eq!(f.parse_error_line, None);
}

#[test]
fn classes_constants_properties_and_methods() {
    let f = lower(
        "<?php\n\
         namespace App;\n\
         class Client extends \\Base\\Http {\n\
           use ZohoAuth;\n\
           const HOST = 'https://sandbox.zohoapis.com';\n\
           private $token = 'x';\n\
           public function __construct(private string $secret, $base = null) { $this->token = $base; }\n\
           public function get($p) { return $this->client->get(self::HOST . $p, static::OPTS); }\n\
         }\n\
         function helper(int $a, ...$rest): string { return Client::HOST . $a; }\n",
    );
    let class = class(&f, "Client");
    assert_eq!(f.scopes[class].bases, ["Http", "ZohoAuth"]);
    let ctor = scope(&f, "__construct");
    assert_eq!(f.scopes[ctor].params, ["secret", "base"]);
    assert_eq!(f.scopes[ctor].parent, Some(class));
    assert_eq!(f.scopes[scope(&f, "helper")].params, ["a", "rest"]);
    assert_has_all(
        &assigns(&f),
        &[
            &format!("HOST@{class} = \"https://sandbox.zohoapis.com\""),
            &format!("token@{class} = \"x\""),
            &format!("this.secret@{ctor} = secret"),
            &format!("base@{ctor} = null"),
            &format!("this.token@{ctor} = base"),
            &format!("Client@0 = func#{class}"),
        ],
    );
    assert_has_all(
        &returns(&f),
        &[
            "get: this.client.get(concat(this.HOST, p), this.OPTS)",
            "helper: concat(Client.HOST, a)",
        ],
    );
    // The chain head is the call, its receiver chain is not a call site.
    assert_eq!(calls(&f), ["this.client.get(concat(this.HOST, p), this.OPTS)"]);
}

#[test]
fn guards_arrays_and_closures() {
    let f = lower(
        "<?php\n\
         if ($env == 'sandbox') { $base = 'https://sandbox.zohoapis.com'; }\n\
         elseif ($dev) { $base = 'https://developer.zohoapis.com'; }\n\
         else { $base = 'https://www.zohoapis.com'; }\n\
         switch ($mode) { case 'eu': $tld = 'eu'; break; default: $tld = 'com'; }\n\
         $opts = ['base_uri' => $base, 'headers' => ['Authorization' => 'Zoho-oauthtoken ' . $t], 7];\n\
         $list = array($a, $b);\n\
         foreach ($tokens as $name => $tok) { send($tok); }\n\
         $f = fn($x) => $x . '/crm';\n\
         $m = match ($dc) { 'eu', 'EU' => 'https://www.zohoapis.eu', default => $us };\n",
    );
    let a = assigns(&f);
    assert_has_all(&a, &[
        "base@0 = \"https://sandbox.zohoapis.com\" if test(env, \"sandbox\")",
        "base@0 = \"https://developer.zohoapis.com\" if dev",
        "base@0 = \"https://www.zohoapis.com\" if test(env, \"sandbox\")",
        "tld@0 = \"eu\" if test(mode, \"eu\")",
        "tld@0 = \"com\" if test(mode)",
        "opts@0 = {\"base_uri\": base, \"headers\": {\"Authorization\": concat(\"Zoho-oauthtoken \", t)}, num: num}",
        "list@0 = [a, b]",
        "m@0 = alt(dc ? \"https://www.zohoapis.eu\" | us)",
        "tok@0 = tokens[?]",
    ]);
    assert_has(&calls(&f), "send(tok);");
    let r = returns(&f);
    assert_has(&r, ": concat(x, \"/crm\")");
}

#[test]
fn guzzle_and_sdk_chains() {
    let f = lower(
        "<?php\n\
         $client = new \\GuzzleHttp\\Client(['base_uri' => 'https://www.zohoapis.com']);\n\
         $client->get('/crm/v8/Leads', ['headers' => $h]);\n\
         $token = (new OAuthBuilder())->clientId($id)->refreshToken(getenv('RT'))->build();\n\
         (new InitializeBuilder())->environment(USDataCenter::SANDBOX())->token($token)->initialize();\n\
         Initializer::removeUserConfiguration($token);\n\
         Http::withToken($t, 'Zoho-oauthtoken')->get($url);\n\
         $data = json_decode($res->getBody(), true);\n",
    );
    let c = calls(&f);
    assert_eq!(
        c,
        [
            "new Client({\"base_uri\": \"https://www.zohoapis.com\"})",
            "client.get(\"/crm/v8/Leads\", {\"headers\": h});",
            "new OAuthBuilder().clientId(id).refreshToken(env:RT).build()",
            "USDataCenter.SANDBOX()",
            "new InitializeBuilder().environment(USDataCenter.SANDBOX()).token(token).initialize();",
            "Initializer.removeUserConfiguration(token);",
            "Http.withToken({\"Authorization\": concat(\"Zoho-oauthtoken\", \" \", t)}).get(url);",
        ]
    );
    assert_has(&assigns(&f), "data@0 = res.getBody");
}

#[test]
fn use_aliases_and_enum_cases() {
    let f = lower(
        "<?php\n\
         use com\\zoho\\crm\\api\\dc\\USDataCenter as US, Foo\\Bar;\n\
         enum Host: string { case Sandbox = 'https://sandbox.zohoapis.com'; }\n\
         $env = US::SANDBOX();\n\
         $h = Host::Sandbox->value;\n",
    );
    assert_has_all(
        &assigns(&f),
        &[
            "env@0 = USDataCenter.SANDBOX()",
            "Sandbox@1 = \"https://sandbox.zohoapis.com\"",
            "h@0 = Host.Sandbox.value",
        ],
    );
    assert!(f.imports.is_empty());
}

#[test]
fn curl_handle_is_a_configured_object() {
    let f = lower(
        "<?php\n\
         function go($t) {\n\
           $ch = curl_init();\n\
           curl_setopt($ch, CURLOPT_URL, 'https://www.zohoapis.com/crm/v8/Leads');\n\
           curl_setopt_array($ch, [CURLOPT_HTTPHEADER => [\"Authorization: Zoho-oauthtoken $t\", 'Accept: */*']]);\n\
           return curl_exec($ch);\n\
         }\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "ch.CURLOPT_URL@1 = \"https://www.zohoapis.com/crm/v8/Leads\"",
            "ch.CURLOPT_HTTPHEADER@1 = {\"Authorization\": concat(\"Zoho-oauthtoken \", t), \"Accept\": \"*/*\"}",
        ],
    );
    // curl_setopt is configuration, not a call site; curl_exec carries the URL.
    assert_eq!(
        calls(&f),
        ["curl_init()", "ch.curl_exec(\"https://www.zohoapis.com/crm/v8/Leads\")"]
    );
}

#[test]
fn curl_handle_in_a_field() {
    let f = lower(
        "<?php\n\
         class Api {\n\
           public function __construct() {\n\
             $this->ch = curl_init('https://www.zohoapis.com/crm/v8/Leads');\n\
             curl_setopt($this->ch, CURLOPT_HTTPHEADER, ['Authorization: Zoho-oauthtoken ' . TOKEN]);\n\
           }\n\
           public function run() { return curl_exec($this->ch); }\n\
         }\n",
    );
    let a = assigns(&f);
    assert_has(
        &a,
        "this.ch.CURLOPT_HTTPHEADER@2 = {\"Authorization\": concat(\"Zoho-oauthtoken \", TOKEN)}",
    );
    assert_has(
        &calls(&f),
        "this.ch.curl_exec(\"https://www.zohoapis.com/crm/v8/Leads\")",
    );
}

#[test]
fn requires_are_imports() {
    let f = lower(
        "<?php\nrequire_once __DIR__ . '/config/zoho.php';\ninclude 'lib.php';\n\
         $cfg = (require 'settings.php')['token'];\n",
    );
    let i: Vec<String> = f.imports.iter().map(|i| format!("{} {}", i.local, i.module)).collect();
    assert_eq!(
        i,
        [
            "* ./config/zoho.php",
            "require:./config/zoho.php ./config/zoho.php",
            "* ./lib.php",
            "require:./lib.php ./lib.php",
            "* ./settings.php",
            "require:./settings.php ./settings.php",
        ]
    );
    assert_has(&assigns(&f), "cfg@0 = require:./settings.php[\"token\"]");
}

#[test]
fn keyed_destructuring_reads_each_key() {
    let f = lower("<?php\n['token' => $t, 'host' => $h] = f();\nlist('host' => $b, 'token' => $a) = f();\n[$x, $y] = g();\n[, $b] = h();\n");
    assert_eq!(
        crate::frontend::testing::assigns(&f),
        [
            "t@0 = f()[\"token\"]",
            "h@0 = f()[\"host\"]",
            "b@0 = f()[\"host\"]",
            "a@0 = f()[\"token\"]",
            "x@0 = g().0",
            "y@0 = g().1",
            "b@0 = h().1",
        ]
    );
}

#[test]
fn new_self_and_static_build_the_enclosing_class() {
    let f = lower(
        "<?php\n\
         namespace Vendor\\Zoho;\n\
         final class Client {\n\
           public static function create($h, $t): self { return new self($h, $t); }\n\
           public static function make($h, $t): static { return new static($h, $t); }\n\
         }\n\
         $c = new \\Vendor\\Zoho\\Client($h, $t);\n\
         $d = \\Vendor\\Zoho\\Client::create($h, $t);\n\
         $e = new namespace\\Client($h, $t);\n",
    );
    assert_has_all(&returns(&f), &["create: new Client(h, t)", "make: new Client(h, t)"]);
    assert_has_all(
        &assigns(&f),
        &[
            "c@0 = new Client(h, t)",
            "d@0 = Client.create(h, t)",
            "e@0 = new Client(h, t)",
        ],
    );
}
