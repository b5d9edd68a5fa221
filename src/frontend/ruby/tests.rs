//! Unit tests of the ruby front-end.

use super::*;
use crate::frontend::testing::{
    self, assert_has_all, class, guarded_assigns as assigns, returns, scope, statement_calls as calls,
};

#[test]
fn constants_env_reads_and_strings() {
    let f = lower(
        "BASE = ENV.fetch(\"ZOHO_BASE\", \"https://www.zohoapis.com\")\n\
         TOKEN = ENV[\"ZOHO_ACCESS_TOKEN\"] || 'dev'\n\
         h = \"Zoho-oauthtoken #{TOKEN}\"\n\
         u = format(\"https://%s.zohoapis.%s\", env, tld)\n\
         v = \"https://%s.zohoapis.com\" % [env]\n\
         w = BASE.sub(\"www\", \"sandbox\")\n\
         x = URI.join(BASE, \"/crm/v8\")\n\
         y = URI(\"https://www.zohoapis.eu\")\n\
         y ||= 'a'\n\
         s = :sandbox\n\
         z = HOSTS.fetch(env, 'x')\n\
         cfg = {}\n\
         q = cfg.dig(:zoho, 'token')\n",
    );
    let a = assigns(&f);
    assert_has_all(
        &a,
        &[
            "BASE@0 = alt(env:ZOHO_BASE | \"https://www.zohoapis.com\")",
            "TOKEN@0 = alt(env:ZOHO_ACCESS_TOKEN | \"dev\")",
            "h@0 = concat(\"Zoho-oauthtoken \", TOKEN)",
            "u@0 = concat(\"https://\", env(), \".zohoapis.\", tld(), \"\")",
            "v@0 = concat(\"https://\", env(), \".zohoapis.com\")",
            "w@0 = BASE.sub(\"www\", \"sandbox\")",
            "x@0 = concat(BASE, \"/crm/v8\")",
            "y@0 = \"https://www.zohoapis.eu\"",
            "y@0 = alt(y | \"a\")",
            "s@0 = \"sandbox\"",
            "z@0 = alt(HOSTS[env()] | \"x\")",
            "q@0 = cfg[\"zoho\"][\"token\"]",
        ],
    );
    let mut env = f.env_reads.clone();
    env.sort();
    assert_eq!(env, ["ZOHO_ACCESS_TOKEN", "ZOHO_BASE"]);
    assert_eq!(f.parse_error_line, None);
}

#[test]
fn classes_ivars_constants_and_implicit_returns() {
    let f = lower(
        "module Crm\n\
           SANDBOX = 'https://sandbox.zohoapis.eu'\n\
           class Client < Base::Http\n\
             include Zoho::Auth\n\
             HOST = 'https://sandbox.zohoapis.com'\n\
             def initialize(token:, base: nil)\n\
               @token = token\n\
             end\n\
             def url(path)\n\
               HOST + path + SANDBOX\n\
             end\n\
             def headers\n\
               if @token\n\
                 { \"Authorization\" => \"Zoho-oauthtoken #{@token}\", accept: 'json' }\n\
               else\n\
                 auth\n\
               end\n\
             end\n\
             attr_reader :token, :base\n\
             def auth = { key: token, base: self.base }\n\
             def self.build = new(token: 'x')\n\
           end\n\
         end\n",
    );
    let class = class(&f, "Client");
    assert_eq!(f.scopes[class].bases, ["Http", "Auth"]);
    // A module is a scope like a class: its constants are its fields.
    assert_eq!(f.scopes[class].parent, Some(testing::class(&f, "Crm")));
    let init = scope(&f, "initialize");
    assert_eq!(f.scopes[init].params, ["token", "base"]);
    assert_has_all(
        &assigns(&f),
        &[
            &format!("HOST@{class} = \"https://sandbox.zohoapis.com\""),
            &format!("this.token@{init} = token"),
            &format!("base@{init} = null"),
        ],
    );
    let r = returns(&f);
    // A class constant read from a method resolves through the class.
    assert_has_all(&r, &[
        "url: concat(concat(this.HOST, path), Crm.SANDBOX)",
        "headers: {\"Authorization\": concat(\"Zoho-oauthtoken \", this.token), \"accept\": \"json\"} if this.token",
        // A bare identifier that is no local is a method call on self.
        "headers: this.auth() if this.token",
        "build: new(token: \"x\")",
        // attr_reader fields read bare or through self.
        "auth: {\"key\": this.token, \"base\": this.base}",
    ]);
}

#[test]
fn calls_keywords_hashes_and_blocks() {
    let f = lower(
        "t = ENV['T']\nurl = b = uri = res = nil\n\
         conn = Faraday.new(url: BASE, headers: { \"Authorization\" => \"Zoho-oauthtoken #{t}\" }) do |c|\n\
           c.headers[\"X\"] = 'y'\n\
         end\n\
         conn.get('/crm/v8/Leads')\n\
         HTTParty.post(url, body: b, \"Authorization\" => t)\n\
         req = Net::HTTP::Get.new(uri)\n\
         req[\"Authorization\"] = \"Zoho-oauthtoken \" + t\n\
         ZOHOCRMSDK::Initializer.switch_user(environment: ZOHOCRMSDK::DC::USDataCenter::SANDBOX)\n\
         tok = ZOHOCRMSDK::Authenticator::OAuthToken.new(refresh_token: ENV['RT'])\n\
         x = res.api_domain\n\
         d = JSON.parse(res.body)\n\
         Faraday.new(url: u) { |f| f.request :authorization, 'Zoho-oauthtoken', t }\n",
    );
    let c = calls(&f);
    assert_eq!(
        c,
        [
            "new Faraday(url: BASE, headers: {\"Authorization\": concat(\"Zoho-oauthtoken \", t)}, func#1)",
            "conn.get(\"/crm/v8/Leads\");",
            "HTTParty.post(url, body: b, {\"Authorization\": t});",
            "new Net.HTTP.Get(uri)",
            "ZOHOCRMSDK.Initializer.switch_user(environment: ZOHOCRMSDK.DC.USDataCenter.SANDBOX);",
            "new ZOHOCRMSDK.Authenticator.OAuthToken(refresh_token: env:RT)",
            "new Faraday(url: u(), func#2);",
        ],
    );
    assert_has_all(
        &assigns(&f),
        &[
            "c.headers[\"X\"]@1 = \"y\"",
            "req[\"Authorization\"]@0 = concat(\"Zoho-oauthtoken \", t)",
            "x@0 = res.api_domain",
            "d@0 = res.body",
            "f.headers[\"Authorization\"]@2 = concat(\"Zoho-oauthtoken\", \" \", t)",
        ],
    );
    assert_eq!(f.scopes[1].params, ["c"]);
}

#[test]
fn httparty_class_defaults_go_with_its_requests() {
    let f = lower(
        "class Api\n\
           include HTTParty\n\
           base_uri 'https://www.zohoapis.com'\n\
           headers 'Authorization' => token_header\n\
           def leads = self.class.get('/Leads')\n\
           def self.deals = get('/Deals')\n\
           def other = client.get('/x')\n\
         end\n",
    );
    let c = calls(&f);
    assert_has_all(
        &c,
        &[
            "this.class().get(concat(\"https://www.zohoapis.com\", \"/Leads\"), headers: {\"Authorization\": token_header()});",
            "get(concat(\"https://www.zohoapis.com\", \"/Deals\"), headers: {\"Authorization\": token_header()});",
            "alt(this.client()).get(\"/x\");",
        ],
    );
    // The class-body DSL calls are not lowered again as calls.
    assert!(!c.iter().any(|x| x.starts_with("base_uri")), "{c:#?}");
}

#[test]
fn guards_case_unless_and_modifiers() {
    let f = lower(
        "def base(env)\n\
           case env\n\
           when :sandbox then 'https://sandbox.zohoapis.com'\n\
           else 'https://www.zohoapis.com'\n\
           end\n\
         end\n\
         h = 'https://developer.zohoapis.com' if dev\n\
         unless prod\n\
           h = 'https://sandbox.zohoapis.com'\n\
         end\n\
         h = flag ? A : B\n\
         k = if sandbox then 'https://sandbox.zohoapis.com' else 'https://www.zohoapis.com' end\n",
    );
    let r = returns(&f);
    assert_has_all(
        &r,
        &[
            "base: \"https://sandbox.zohoapis.com\" if test(env, \"sandbox\")",
            "base: \"https://www.zohoapis.com\"",
        ],
    );
    assert_has_all(
        &assigns(&f),
        &[
            "h@0 = \"https://developer.zohoapis.com\" if dev()",
            "h@0 = \"https://sandbox.zohoapis.com\" if test(prod())",
            "h@0 = alt(flag() ? A | B)",
            "k@0 = alt(sandbox() ? \"https://sandbox.zohoapis.com\" | \"https://www.zohoapis.com\")",
        ],
    );
    assert!(f.returns.iter().all(|r| f.scopes[r.scope].name == "base"));
}

#[test]
fn require_relative_is_an_import() {
    let f = lower("require_relative 'config/zoho'\nrequire 'faraday'\n");
    let i: Vec<(String, String)> = f.imports.iter().map(|i| (i.local.clone(), i.module.clone())).collect();
    assert_eq!(i, [("*".to_string(), "./config/zoho".to_string())]);
}

#[test]
fn methods_without_parameters_are_getters() {
    let f = lower(
        "class Settings\n\
           def api_root\n\
             sandbox ? SANDBOX : LIVE\n\
           end\n\
           def endpoint(path)\n\
             \"#{api_root}/#{path}\"\n\
           end\n\
         end\n",
    );
    let getter = |name: &str| f.scopes.iter().find(|s| s.name == name).map(|s| s.getter);
    assert_eq!(getter("api_root"), Some(true));
    assert_eq!(getter("endpoint"), Some(false));
}

#[test]
fn keyword_rest_parameter_is_named() {
    let f = lower(
        "def request(path, sandbox: false, **opts)\n\
           opts[:token]\n\
         end\n\
         def plain(path, *rest)\n\
         end\n",
    );
    let s = |name: &str| f.scopes.iter().find(|s| s.name == name).unwrap();
    assert_eq!(s("request").params, ["path", "sandbox", "opts"]);
    assert_eq!(s("request").kwrest.as_deref(), Some("opts"));
    assert_eq!(s("plain").kwrest, None);
}
