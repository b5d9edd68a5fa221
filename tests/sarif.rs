//! SARIF output validates against the official 2.1.0 schema and meets
//! GitHub code scanning's ingestion rules.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn sarif_of(dir: &str) -> Value {
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

fn schema() -> jsonschema::Validator {
    let text = include_str!("data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(text).unwrap();
    jsonschema::validator_for(&schema).expect("the official schema compiles")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = schema();
    for dir in ["fixtures", "fixtures/neg-keyed-map", "fixtures/py-syntax-error"] {
        let doc = sarif_of(dir);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
    }
}

#[test]
fn a_broken_document_fails_validation() {
    // The validator really checks: a result without a message is rejected.
    let mut doc = sarif_of("fixtures/py-shared-env-token");
    doc["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    assert!(!schema().is_valid(&doc));
}

#[test]
fn sarif_meets_github_ingestion_rules() {
    let doc = sarif_of("fixtures");
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    assert!(run["automationDetails"]["id"]
        .as_str()
        .unwrap()
        .starts_with("orgtoken/"));
    let driver = &run["tool"]["driver"];
    assert!(driver["semanticVersion"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 7);
    for r in rules {
        for key in ["shortDescription", "fullDescription"] {
            assert!(!r[key]["text"].as_str().unwrap().is_empty());
        }
        // help.text is plain text; the markdown is in help.markdown only.
        let text = r["help"]["text"].as_str().unwrap();
        let markdown = r["help"]["markdown"].as_str().unwrap();
        assert!(markdown.contains("## Bad") && markdown.contains("```"), "{markdown}");
        assert!(text.contains("\nBad\n"), "{text}");
        for mark in ["```", "## ", "**", "`"] {
            assert!(!text.contains(mark), "`{mark}` in help.text: {text}");
        }
        // helpUri: the rule's page under the repository Cargo.toml names.
        assert_eq!(
            r["helpUri"].as_str().unwrap(),
            format!(
                "{}/blob/main/rules/docs/{}.md",
                env!("CARGO_PKG_REPOSITORY"),
                r["id"].as_str().unwrap()
            )
        );
        let doc_page =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/docs/{}.md", r["id"].as_str().unwrap()));
        assert!(doc_page.is_file(), "{}", doc_page.display());
        assert!(r["defaultConfiguration"]["level"].is_string());
        assert!(r["properties"]["precision"].is_string());
        // Only the hard-coded token rule is a security finding.
        let tags = r["properties"]["tags"].as_array().unwrap();
        let security = r["id"] == "OT006";
        assert_eq!(tags.iter().any(|t| t == "security"), security, "{}", r["id"]);
        match r["properties"].get("security-severity") {
            Some(sev) => {
                assert!(security, "security-severity on correctness rule {}", r["id"]);
                let sev: f64 = sev.as_str().unwrap().parse().unwrap();
                assert!((0.0..=10.0).contains(&sev));
            }
            None => assert!(!security, "no security-severity on {}", r["id"]),
        }
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 10);
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert_eq!(res["locations"].as_array().unwrap().len(), 1);
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.starts_with("./"),
            "{uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(res["partialFingerprints"]["primaryLocationLineHash"].is_string());
        assert!(res["partialFingerprints"]["orgtoken/v1"].is_string());
        // Every related location is linked from the message.
        if let Some(rel) = res["relatedLocations"].as_array() {
            let msg = res["message"]["text"].as_str().unwrap();
            for r in rel {
                assert!(msg.contains(&format!("]({})", r["id"])), "{msg}");
            }
        }
    }
    // A token that comes from elsewhere gets a code flow: origin first,
    // the binding (the primary location) last.
    let flows: Vec<&Value> = results.iter().filter(|r| r["codeFlows"].is_array()).collect();
    assert!(flows.len() > 10);
    for r in flows {
        let steps = r["codeFlows"][0]["threadFlows"][0]["locations"].as_array().unwrap();
        assert!(steps.len() >= 2);
        assert_eq!(
            steps[0]["location"]["physicalLocation"],
            r["relatedLocations"][0]["physicalLocation"]
        );
        assert_eq!(
            steps.last().unwrap()["location"]["physicalLocation"],
            r["locations"][0]["physicalLocation"]
        );
    }
    // Unparseable files become tool execution notifications.
    let doc = sarif_of("fixtures/py-syntax-error");
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let syntax: Vec<&Value> = notes
        .iter()
        .filter(|n| n["message"]["text"].as_str().unwrap().contains("syntax error"))
        .collect();
    assert_eq!(syntax.len(), 1, "{notes:?}");
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn columns_count_code_points_on_non_ascii_lines() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("ünï.py"),
        "import os, requests\nH = {'Authorization': 'Zoho-oauthtoken ' + os.environ['ZOHO_TOKEN']}\nrequests.get('https://www.zohoapis.com/crm/v8/Leads', headers=H)\nnom = 'é'; r = requests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers=H)\n",
    )
    .unwrap();
    let out = Command::cargo_bin("orgtoken")
        .unwrap()
        .current_dir(tmp.path())
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let res = &doc["runs"][0]["results"][0];
    let region = &res["locations"][0]["physicalLocation"]["region"];
    // `nom = 'é'; r = ` is 15 code points (16 bytes): the call starts at column 16.
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 16);
    assert_eq!(
        region["endColumn"],
        16 + "requests.get('https://sandbox.zohoapis.com/crm/v8/Leads', headers=H)".len() as u64
    );
    let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, "%C3%BCn%C3%AF.py");
}
