#![no_main]
//! The whole-file pipeline on 1–3 files: walk → prefilter → front-ends →
//! link → rules → filter → every reporter and the baseline file. Input:
//! chunks separated by a 0xFF byte (never part of UTF-8 text); each chunk's
//! first byte picks a file name (and so a front-end and dialect), the rest is
//! the file's bytes. Asserts no panic (the fuzzer's panic hook aborts even
//! where the scan catches a front-end panic) and that no token-shaped literal
//! of the input appears in any rendered output.

use libfuzzer_sys::fuzz_target;
use orgtoken::catalog::catalog;
use orgtoken::facts::Lang;
use orgtoken::filter::{self, FilterOptions};
use orgtoken::report::{self, inventory::InventoryFormat, Format, RenderOptions};
use orgtoken::scan::{self, ScanOptions};

const LANGS: [Lang; 17] = [
    Lang::Python,
    Lang::JavaScript,
    Lang::TypeScript,
    Lang::Rust,
    Lang::Java,
    Lang::CSharp,
    Lang::Php,
    Lang::Ruby,
    Lang::Go,
    Lang::Shell,
    Lang::Sql,
    Lang::Dotenv,
    Lang::Yaml,
    Lang::Json,
    Lang::Toml,
    Lang::Ini,
    Lang::Hcl,
];

/// A line naming Zoho in the file's comment syntax, so the prefilter keeps
/// the file when the fuzzed text does not mention Zoho itself.
fn trigger(lang: Lang) -> &'static str {
    match lang {
        Lang::JavaScript | Lang::TypeScript | Lang::Rust | Lang::Java | Lang::CSharp | Lang::Go => "// zoho\n",
        Lang::Php => "zoho\n",
        Lang::Sql => "-- zoho\n",
        Lang::Json => "",
        Lang::Ini => "; zoho\n",
        _ => "# zoho\n",
    }
}

fn all_paths() -> Vec<(Lang, &'static str)> {
    LANGS
        .iter()
        .flat_map(|&l| orgtoken_fuzz::paths(l).iter().map(move |&p| (l, p)))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let paths = all_paths();
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    let mut used = Vec::new();
    for chunk in data.split(|&b| b == 0xFF).take(3) {
        let Some((&first, rest)) = chunk.split_first() else { continue };
        let (lang, name) = paths[first as usize % paths.len()];
        if used.contains(&name) {
            continue;
        }
        used.push(name);
        let mut bytes = rest.to_vec();
        if !rest.to_ascii_lowercase().windows(4).any(|w| w == b"zoho") {
            bytes.splice(0..0, trigger(lang).bytes());
        }
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        inputs.push(bytes);
    }
    if inputs.is_empty() {
        return;
    }
    let opts = ScanOptions {
        roots: vec![dir.path().to_path_buf()],
        excludes: Vec::new(),
        no_ignore: true,
        include_vendored: true,
        max_file_size: 1 << 20,
        threads: 1,
        // No wall-clock budget: a slow input is libFuzzer's timeout to
        // report, and the same input must always give the same run.
        file_timeout: None,
        ..Default::default()
    };
    let mut result = scan::scan(&opts).expect("scan of a readable tempdir");
    filter::apply(
        &mut result,
        &FilterOptions {
            report_unused_suppressions: true,
            baseline: None,
            project: None,
            selection: None,
            changed: None,
        },
    );
    let mut outputs: Vec<String> = Vec::new();
    for statistics in [false, true] {
        let ro = RenderOptions {
            color: statistics,
            width: 100,
            quiet: false,
            statistics,
            drop_suppressed: !statistics,
        };
        for &f in Format::all() {
            outputs.push(report::render(f, &result, &ro));
        }
    }
    for &f in InventoryFormat::all() {
        outputs.push(report::inventory::render(f, &result));
    }
    outputs.push(report::statistics(&result));
    outputs.push(report::summary_line(&result));
    let baseline_json = orgtoken::baseline::to_json(&orgtoken::baseline::of(&result));
    outputs.push(baseline_json.clone());
    let baseline = orgtoken::baseline::parse(&baseline_json).expect("our own baseline file parses");
    filter::apply(
        &mut result,
        &FilterOptions {
            report_unused_suppressions: false,
            baseline: Some((baseline, "baseline.json".into())),
            project: None,
            selection: None,
            changed: None,
        },
    );
    outputs.push(report::render(Format::Json, &result, &RenderOptions {
        color: false,
        width: 100,
        quiet: false,
        statistics: false,
        drop_suppressed: false,
    }));

    // Redaction: no token-shaped literal of the input in any output.
    for input in &inputs {
        let Ok(text) = std::str::from_utf8(input) else { continue };
        for m in catalog().token_literals(text) {
            for out in &outputs {
                assert!(!out.contains(m.as_str()), "token literal leaked into an output:\n{out}");
            }
        }
    }
});
