use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use orgtoken::walk::Prefilter;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;

fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out);
    out
}

fn opts(files: usize, share: f64, seed: u64) -> Options {
    Options {
        files,
        zoho_share: share,
        seed,
        size_mb: Some(files as f64 * 0.004),
        ..Options::default()
    }
}

#[test]
fn same_options_give_the_same_bytes_and_another_seed_does_not() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let ma = generate(&opts(400, 0.1, 7), a.path()).unwrap();
    let mb = generate(&opts(400, 0.1, 7), b.path()).unwrap();
    generate(&opts(400, 0.1, 8), c.path()).unwrap();
    assert_eq!(ma, mb);
    let (ta, tb, tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert!(ta == tb, "two runs with the same options differ");
    assert!(ta != tc, "another seed gives the same tree");
}

#[test]
fn counts_and_share_are_honoured() {
    let fixtures = load_fixtures(&Options::default().fixtures).unwrap();
    let biggest = fixtures.iter().map(|f| f.files.len()).max().unwrap();
    for (files, share) in [(500, 0.0), (500, 0.2), (1000, 0.005)] {
        let d = tempfile::tempdir().unwrap();
        let m = generate(&opts(files, share, 3), d.path()).unwrap();
        let t = tree(d.path());
        assert!(t.contains_key(".corpus.json"));
        assert_eq!(t.len() - 1, files, "file count for {files} files");
        assert_eq!(m["files"], files);
        let target = (files as f64 * share).round() as usize;
        let zoho = m["zoho_files"].as_u64().unwrap() as usize;
        assert!(
            zoho >= target && zoho < target + biggest.max(1),
            "{zoho} Zoho files for a target of {target}"
        );
        let zoho_paths = t.keys().filter(|p| p.contains("/integrations/crm_")).count();
        assert_eq!(zoho_paths, zoho);
        let total: usize = m["expected_findings"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap() as usize)
            .sum();
        assert_eq!(total, m["expected_findings_total"].as_u64().unwrap() as usize);
        if share == 0.0 {
            assert_eq!(total, 0);
        } else {
            assert!(total > 0, "a Zoho share gives expected findings");
        }
        let bytes: u64 = t
            .iter()
            .filter(|(p, _)| *p != ".corpus.json")
            .map(|(_, b)| b.len() as u64)
            .sum();
        assert_eq!(m["bytes"], bytes);
    }
}

#[test]
fn ordinary_files_hold_no_trigger() {
    let pre = Prefilter::from_catalog();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let names = filler::Names::new(&mut rng, 1000);
    for kind in Kind::all() {
        for _ in 0..20 {
            let text = filler::file(kind, &mut rng, &names, 6000);
            assert!(
                !pre.matches(text.as_bytes()),
                "{kind:?} filler holds a trigger:\n{text}"
            );
        }
    }
    assert!(!pre.matches(filler::minified_js(&mut rng, 200_000, false).as_bytes()));
    assert!(pre.matches(filler::minified_js(&mut rng, 2_000, true).as_bytes()));
    assert!(!pre.matches(filler::package_lock(&mut rng, 200_000).as_bytes()));
    assert!(!pre.matches(filler::protobuf_py(&mut rng, 100_000).as_bytes()));
    assert!(!pre.matches(filler::protobuf_go(&mut rng, 100_000).as_bytes()));
}

#[test]
fn instances_get_their_own_tokens_and_names() {
    let r = Renamer::default();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let src = "T = \"1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef\"\nos.environ[\"ZOHO_REFRESH_TOKEN\"]\nCRM_TOKEN\nCURLOPT_URL\n";
    let (mut t1, mut t2) = (BTreeMap::new(), BTreeMap::new());
    let a = r.rewrite(src, "QAAA", &mut t1, &mut rng);
    let b = r.rewrite(src, "QBAA", &mut t2, &mut rng);
    assert!(
        a.contains("ZOHO_QAAA_REFRESH_TOKEN") && a.contains("QAAA_CRM_TOKEN") && a.contains("CURLOPT_URL"),
        "{a}"
    );
    assert!(!a.contains("0123456789abcdef0123456789abcdef"), "{a}");
    assert_ne!(t1.values().next(), t2.values().next());
    assert_ne!(a, b);
    assert_eq!(instance_tag(0), "QAAA");
    assert_ne!(instance_tag(26 * 26 * 26), instance_tag(0));
}

fn mono_opts(per: usize, share: f64, seed: u64) -> Options {
    Options {
        files_per_service: per,
        zoho_share: share,
        seed,
        size_mb: Some(per as f64 * 0.004),
        ..Options::default()
    }
}

#[test]
fn a_monorepo_is_deterministic_and_a_prefix_of_a_larger_one() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let ma = generate_monorepo(&mono_opts(30, 0.2, 4), 3, a.path()).unwrap();
    let mb = generate_monorepo(&mono_opts(30, 0.2, 4), 3, b.path()).unwrap();
    let mc = generate_monorepo(&mono_opts(30, 0.2, 4), 5, c.path()).unwrap();
    assert_eq!(ma, mb);
    let (ta, tb, mut tc) = (tree(a.path()), tree(b.path()), tree(c.path()));
    assert!(ta == tb, "two runs with the same options differ");
    // Every file of the 3-service tree is in the 5-service tree, same bytes.
    for (p, bytes) in ta.iter().filter(|(p, _)| *p != ".corpus.json") {
        assert_eq!(tc.remove(p).as_ref(), Some(bytes), "{p} differs in the larger monorepo");
    }
    // The rest is two more services, nothing outside `services/<name>/`.
    let more: std::collections::BTreeSet<&str> = tc
        .keys()
        .filter(|p| *p != ".corpus.json")
        .map(|p| {
            assert!(p.starts_with("services/"), "{p}");
            p.split('/').nth(1).unwrap()
        })
        .collect();
    assert_eq!(more.len(), 2, "{more:?}");
    for (m, services) in [(&ma, 3), (&mc, 5)] {
        assert_eq!(m["services"], services);
        // Two root files, then `files_per_service` per service.
        assert_eq!(m["files"], 2 + 30 * services);
        let zoho = m["zoho_files"].as_u64().unwrap() as usize;
        assert!(zoho >= 6 * services, "{zoho} Zoho files");
        assert!(m["expected_findings_total"].as_u64().unwrap() > 0);
    }
}

/// What a scan found, in full (findings with their fingerprints and
/// related places, notes, counts): equal iff the outputs are.
fn scan_all(root: &Path, threads: usize) -> (String, BTreeMap<String, usize>) {
    let opts = orgtoken::scan::ScanOptions {
        roots: vec![root.to_path_buf()],
        excludes: vec![".corpus.json".into()],
        max_file_size: 5 << 20,
        threads,
        file_timeout: None,
        ..Default::default()
    };
    let mut r = orgtoken::scan::scan(&opts).unwrap();
    // Inline suppressions (the `suppress-*` fixtures), as `orgtoken scan` applies them.
    orgtoken::filter::apply(&mut r, &orgtoken::filter::FilterOptions::default());
    let mut per_rule = BTreeMap::new();
    for f in &r.findings {
        *per_rule.entry(f.rule.to_string()).or_insert(0) += 1;
    }
    (
        format!("{:#?}\n{:#?}\n{:#?}\n{:#?}", r.findings, r.notes, r.stats, r.filtered),
        per_rule,
    )
}

/// The linker's optimisations must not change a finding: on generated trees
/// (the default layout and the monorepo layout, 20 % Zoho), one thread and
/// two give the same results, and the results are exactly the manifest's
/// expectation (the fixtures' `EXPECTED`, summed over their copies).
#[test]
fn generated_trees_give_the_manifest_findings_with_any_thread_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ma = generate(&opts(600, 0.2, 9), a.path()).unwrap();
    let mb = generate_monorepo(&mono_opts(40, 0.2, 9), 6, b.path()).unwrap();
    for (dir, m) in [(a.path(), ma), (b.path(), mb)] {
        let (one, per_rule) = scan_all(dir, 1);
        let (two, _) = scan_all(dir, 2);
        assert!(one == two, "-j 1 and -j 2 differ on {}", dir.display());
        let expected: BTreeMap<String, usize> = m["expected_findings"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize))
            .collect();
        assert_eq!(per_rule, expected, "findings per rule against the manifest");
    }
}
