//! The catalog (`rules/zoho-crm.toml`) held against what it was checked
//! against (`rules/sdk-datacenters.toml`): the official SDKs' own
//! data-center tables at pinned commits and Zoho's documented lists of data
//! centers. A data center or a host that an SDK or a page knows, and that the
//! catalog does not (or knows in another data center or environment), fails
//! this test. `orgtoken rules --format json` must list every data center with
//! its hosts.

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use orgtoken::catalog::{catalog, Catalog, EnvKind, HostKind};
use serde::Deserialize;

mod common;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("readable")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reference {
    checked: String,
    sdk: Vec<Sdk>,
    documentation: Vec<Page>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sdk {
    language: String,
    repo: String,
    package: String,
    version: String,
    commit: String,
    path: String,
    /// SDK data-center code (US, EU, …) → its hosts.
    dc: BTreeMap<String, SdkDc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdkDc {
    production: String,
    sandbox: String,
    developer: String,
    accounts: String,
    file_upload: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    title: String,
    url: String,
    #[serde(default)]
    accounts: BTreeMap<String, String>,
    #[serde(default)]
    api: BTreeMap<String, String>,
}

fn reference() -> Reference {
    toml::from_str(&read("rules/sdk-datacenters.toml")).expect("rules/sdk-datacenters.toml parses")
}

/// What the catalog must say of one host.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Api(EnvKind),
    Accounts,
    DcOnly,
}

/// Every way `cat` disagrees with `reference`: one line per data center it
/// lacks, per host it does not know, or knows in another data center, kind
/// or environment.
fn disagreements(cat: &Catalog, reference: &Reference) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |source: &str, code: &str, host: &str, want: Want| {
        let Some(dc) = cat.data_centers.iter().position(|d| d.id.eq_ignore_ascii_case(code)) else {
            out.push(format!("{source}: data center {code} is not in the catalog"));
            return;
        };
        let found = cat.find_hosts(&format!("https://{host}/"));
        let Some(m) = found
            .iter()
            .find(|m| m.start == "https://".len() && m.end == "https://".len() + host.len())
        else {
            out.push(format!("{source}: {code} host `{host}` is not in the catalog"));
            return;
        };
        let got_dc = &cat.data_centers[m.info.env.dc as usize].id;
        let got = match (m.info.kind, m.info.env.kind) {
            (HostKind::Api | HostKind::Legacy, Some(k)) => Some(Want::Api(k)),
            (HostKind::Accounts, None) => Some(Want::Accounts),
            (HostKind::DcOnly, None) => Some(Want::DcOnly),
            _ => None,
        };
        if m.info.env.dc as usize != dc || got != Some(want) {
            out.push(format!(
                "{source}: {code} host `{host}` is {want:?} in {code}, the catalog has it as {got:?} in {got_dc}"
            ));
        }
    };
    for sdk in &reference.sdk {
        let source = format!("{} SDK {} ({})", sdk.language, sdk.version, sdk.repo);
        for (code, h) in &sdk.dc {
            check(&source, code, &h.production, Want::Api(EnvKind::Production));
            check(&source, code, &h.sandbox, Want::Api(EnvKind::Sandbox));
            check(&source, code, &h.developer, Want::Api(EnvKind::Developer));
            check(&source, code, &h.accounts, Want::Accounts);
            check(&source, code, &h.file_upload, Want::DcOnly);
        }
    }
    for page in &reference.documentation {
        for (code, host) in &page.accounts {
            check(&page.url, code, host, Want::Accounts);
        }
        for (code, host) in &page.api {
            check(&page.url, code, host, Want::Api(EnvKind::Production));
        }
    }
    // The SDKs name their classes after the data center: `USDataCenter`.
    for sdk in &reference.sdk {
        for code in sdk.dc.keys() {
            let class = format!("{code}DataCenter");
            if !cat.data_centers.iter().any(|d| d.sdk_class == class) {
                out.push(format!(
                    "{} SDK: class {class} names no catalog data center",
                    sdk.language
                ));
            }
        }
    }
    out
}

#[test]
fn the_catalog_knows_every_data_center_and_host_of_the_sdks_and_the_docs() {
    let r = reference();
    let problems = disagreements(catalog(), &r);
    assert!(
        problems.is_empty(),
        "the catalog disagrees with rules/sdk-datacenters.toml:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_reference_is_pinned_and_complete() {
    let r = reference();
    assert_eq!(r.checked.len(), 10, "checked is a YYYY-MM-DD date");
    let languages: Vec<&str> = r.sdk.iter().map(|s| s.language.as_str()).collect();
    for lang in [
        "python",
        "java",
        "nodejs",
        "typescript",
        "php",
        "csharp",
        "ruby",
        "scala",
    ] {
        assert!(languages.contains(&lang), "no {lang} SDK recorded");
    }
    for sdk in &r.sdk {
        assert!(
            sdk.commit.len() == 40 && sdk.commit.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}: commit is not a full hash",
            sdk.language
        );
        assert!(sdk.repo.starts_with("zoho/") && !sdk.package.is_empty() && !sdk.version.is_empty());
        assert!(
            sdk.path.ends_with('/'),
            "{}: path is the DataCenter classes' folder",
            sdk.language
        );
        // Every SDK of this generation knows these eight.
        for code in ["US", "EU", "IN", "AU", "JP", "CN", "CA", "SA"] {
            assert!(sdk.dc.contains_key(code), "{}: no {code}", sdk.language);
        }
    }
    for page in &r.documentation {
        assert!(page.url.starts_with("https://") && !page.title.is_empty());
        assert!(
            !page.accounts.is_empty() || !page.api.is_empty(),
            "{} lists nothing",
            page.url
        );
    }
}

/// The check fails the build when the catalog lacks a data center or a
/// host that the reference knows.
#[test]
fn a_missing_data_center_or_host_is_caught() {
    let toml = read("rules/zoho-crm.toml");
    let rules = read("rules/rules.toml");
    let r = reference();
    // Without the UK entry: accounts.zoho.uk (Zoho Accounts' list) is unknown.
    let start = toml.find("[[data_center]]\nid = \"uk\"").expect("a UK entry");
    let end = start + toml[start + 1..].find("\n[[data_center]]").expect("an entry after UK") + 1;
    let without_uk = format!("{}{}", &toml[..start], &toml[end..]);
    let cat = Catalog::load(&without_uk, &rules).expect("loads");
    let p = disagreements(&cat, &r);
    assert!(
        p.iter().any(|l| l.contains("data center UK is not in the catalog")),
        "{p:?}"
    );
    // Without the SA upload host that every SDK uses.
    let without_files = toml.replacen(", \"files.zoho.sa\"", "", 1);
    assert_ne!(without_files, toml);
    let cat = Catalog::load(&without_files, &rules).expect("loads");
    let p = disagreements(&cat, &r);
    assert!(
        p.iter()
            .any(|l| l.contains("SA host `files.zoho.sa` is not in the catalog")),
        "{p:?}"
    );
    // A sandbox host filed under production.
    let moved = toml.replacen(
        "api.production = [\"www.zohoapis.eu\", \"zohoapis.eu\"]\napi.sandbox = [\"sandbox.zohoapis.eu\"]",
        "api.production = [\"www.zohoapis.eu\", \"zohoapis.eu\", \"sandbox.zohoapis.eu\"]\napi.sandbox = []",
        1,
    );
    assert_ne!(moved, toml);
    let cat = Catalog::load(&moved, &rules).expect("loads");
    let p = disagreements(&cat, &r);
    assert!(
        p.iter().any(|l| l.contains("`sandbox.zohoapis.eu` is Api(Sandbox)")),
        "{p:?}"
    );
}

/// Each entry names where it was checked and when; an unknown source tag is
/// a load error.
#[test]
fn every_data_center_names_its_sources_and_date() {
    for dc in &catalog().data_centers {
        assert!(!dc.sources.is_empty() && dc.checked.len() == 10, "{}", dc.id);
        for s in &dc.sources {
            assert!(catalog().sources.contains_key(s), "{}: source {s}", dc.id);
        }
    }
    let toml = read("rules/zoho-crm.toml").replacen("sources = [\"sdk\",", "sources = [\"nowhere\",", 1);
    let e = Catalog::load(&toml, &read("rules/rules.toml"))
        .err()
        .expect("an error")
        .to_string();
    assert!(e.contains("source `nowhere` is not in [sources]"), "{e}");
}

/// Every data center Zoho serves today (2026-12-03), UK and UAE included.
#[test]
fn the_catalog_has_every_data_center_zoho_serves() {
    let ids: Vec<&str> = catalog().data_centers.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk", "ae"]);
}

#[test]
fn rules_json_lists_every_data_center_with_its_hosts() {
    let out = Command::cargo_bin("orgtoken")
        .expect("binary builds")
        .args(["rules", "--format", "json"])
        .output()
        .expect("orgtoken runs");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["rules"].as_array().expect("rules").len(), 7);
    // The org selectors (`[org]`), as the catalog file writes them.
    let raw: toml::Value = toml::from_str(&read("rules/zoho-crm.toml")).unwrap();
    for key in [
        "header_names",
        "sdk_params",
        "sdk_operations",
        "token_params",
        "store_keys",
    ] {
        let want: Vec<&str> = raw["org"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let got: Vec<&str> = doc["org_selectors"][key]
            .as_array()
            .unwrap_or_else(|| panic!("org_selectors.{key}"))
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "org_selectors.{key}");
    }
    let dcs = doc["data_centers"].as_array().expect("data_centers");
    // Every entry of rules/zoho-crm.toml, read here on its own.
    let raw: toml::Value = toml::from_str(&read("rules/zoho-crm.toml")).unwrap();
    let entries = raw["data_center"].as_array().unwrap();
    assert_eq!(dcs.len(), entries.len());
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let toml_strings = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    for (json, entry) in dcs.iter().zip(entries) {
        let id = entry["id"].as_str().unwrap();
        assert_eq!(json["id"], id);
        for env in ["production", "sandbox", "developer"] {
            assert_eq!(
                strings(&json["api"][env]),
                toml_strings(&entry["api"][env]),
                "{id} api {env}"
            );
            assert_eq!(
                strings(&json["legacy"][env]),
                toml_strings(&entry["legacy"][env]),
                "{id} legacy {env}"
            );
        }
        assert_eq!(strings(&json["accounts"]), toml_strings(&entry["accounts"]), "{id}");
        assert_eq!(strings(&json["dc_only"]), toml_strings(&entry["dc_only"]), "{id}");
        assert_eq!(strings(&json["sources"]), toml_strings(&entry["sources"]), "{id}");
        assert_eq!(json["checked"], entry["checked"].as_str().unwrap());
    }
    // The two data centers of issue 21, as a user reads them.
    let uk = dcs.iter().find(|d| d["id"] == "uk").expect("uk");
    assert_eq!(strings(&uk["api"]["production"]), ["www.zohoapis.uk", "zohoapis.uk"]);
    assert_eq!(strings(&uk["api"]["sandbox"]), ["sandbox.zohoapis.uk"]);
    assert_eq!(strings(&uk["api"]["developer"]), ["developer.zohoapis.uk"]);
    assert_eq!(strings(&uk["accounts"]), ["accounts.zoho.uk"]);
    let ae = dcs.iter().find(|d| d["id"] == "ae").expect("ae");
    assert_eq!(strings(&ae["api"]["production"]), ["www.zohoapis.ae", "zohoapis.ae"]);
    assert_eq!(strings(&ae["accounts"]), ["accounts.zoho.ae"]);
    // Source tags resolve to what they name.
    for tag in strings(&uk["sources"]) {
        assert!(doc["sources"][&tag].is_string(), "{tag}");
    }
}

/// `[extra-hosts]` maps a proxy to one of the new data centers: one token
/// through the UK proxy and to the UAE API is OT004 at both calls.
#[test]
fn extra_hosts_alias_a_new_data_center() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join(".orgtoken.toml"),
        "[extra-hosts]\n\"zoho-uk.proxy.example\" = { dc = \"uk\", environment = \"production\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("push.sh"),
        "TOKEN=\"$ZOHO_ACCESS_TOKEN\"\n\
         curl -H \"Authorization: Zoho-oauthtoken $TOKEN\" https://zoho-uk.proxy.example/crm/v8/Leads\n\
         curl -H \"Authorization: Zoho-oauthtoken $TOKEN\" https://www.zohoapis.ae/crm/v8/Leads\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("orgtoken")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .args(extra)
            .arg(".")
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), common::places(&doc, "findings"))
    };
    assert_eq!(run(&[]), (Some(1), vec!["OT004 push.sh:3".to_string()]));
    // Without the project file the proxy is unknown: nothing to report.
    assert_eq!(run(&["--isolated"]), (Some(0), vec![]));
}

/// The org selectors the catalog knows (issue 19): the `X-CRM-ORG` header in
/// any case, the SDKs' parameters for it, the client-credentials `soid`, and
/// the org keys of token stores (every one of them also makes a store keyed).
#[test]
fn the_catalog_knows_the_org_selectors() {
    let org = &catalog().org;
    assert!(org.is_header("X-CRM-ORG") && org.is_header("x-crm-org"));
    for p in ["x_crm_org", "xCrmOrg", "X_CRM_ORG"] {
        assert!(org.is_sdk_param(p), "{p}");
    }
    assert!(org.is_org_key("soid"));
    assert_eq!(org.org_id("ZohoCRM.20093451"), Some("20093451"));
    assert_eq!(org.org_id("zohocrm.20093451"), Some("20093451"));
    assert_eq!(org.org_id("ZohoCRM."), None);
    assert_eq!(org.org_id("xxxxxx"), None);
    assert_eq!(org.org_id("YOUR_ORG_ID"), None);
    for k in ["org_id", "zgid", "soid", "organization_id"] {
        assert!(org.store_keys.iter().any(|s| s == k), "{k}");
        assert!(catalog().token_store.is_key_column(k), "{k} keys a token store");
    }
}
