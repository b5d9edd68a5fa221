//! Each front-end (`orgtoken::frontend::lower`) on one representative
//! Zoho-using file, throughput in bytes. The file is built from the
//! repository's fixtures: for languages where files can be joined (Python,
//! JS/TS, Ruby, shell, SQL, dotenv, INI, YAML documents) every fixture file
//! of that language, one after the other; for the others the largest
//! fixture file of that language.

use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use orgtoken::facts::Lang;
use orgtoken::frontend::{lang_for_path, lower};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("fixtures are readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// (name, path for the dialect, text) per front-end.
fn samples() -> Vec<(&'static str, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut all = Vec::new();
    files(&root, &mut all);
    let langs: &[(&str, Lang, &str, Option<&str>)] = &[
        ("python", Lang::Python, "x.py", Some("\n")),
        ("javascript", Lang::JavaScript, "x.js", Some(";\n")),
        ("typescript", Lang::TypeScript, "x.ts", Some(";\n")),
        ("java", Lang::Java, "X.java", None),
        ("csharp", Lang::CSharp, "X.cs", None),
        ("php", Lang::Php, "x.php", None),
        ("ruby", Lang::Ruby, "x.rb", Some("\n")),
        ("go", Lang::Go, "x.go", None),
        ("rust", Lang::Rust, "x.rs", None),
        ("shell", Lang::Shell, "x.sh", Some("\n")),
        ("sql", Lang::Sql, "x.sql", Some(";\n")),
        ("dotenv", Lang::Dotenv, ".env", Some("\n")),
        ("yaml", Lang::Yaml, "x.yml", Some("\n---\n")),
        ("json", Lang::Json, "x.json", None),
        ("toml", Lang::Toml, "x.toml", None),
        ("ini", Lang::Ini, "x.properties", Some("\n")),
        ("hcl", Lang::Hcl, "x.tfvars", None),
    ];
    let mut out = Vec::new();
    for &(name, lang, path, joiner) in langs {
        let texts: Vec<(String, String)> = all
            .iter()
            .filter(|p| !p.to_string_lossy().contains("syntax-error") && !p.to_string_lossy().contains("bad-input"))
            .filter_map(|p| {
                let display = p.to_string_lossy().replace('\\', "/");
                let l = lang_for_path(&display)?;
                let same =
                    l == lang && (lang != Lang::Ini || display.ends_with(".properties") || display.ends_with(".ini"));
                same.then(|| Some((display, fs::read_to_string(p).ok()?)))?
            })
            .collect();
        assert!(!texts.is_empty(), "no fixture file for {name}");
        let text = match joiner {
            Some(j) => texts.iter().map(|t| t.1.as_str()).collect::<Vec<_>>().join(j),
            None => texts.iter().max_by_key(|t| t.1.len()).expect("not empty").1.clone(),
        };
        let path = if joiner.is_none() {
            texts.iter().max_by_key(|t| t.1.len()).expect("not empty").0.clone()
        } else {
            path.to_string()
        };
        out.push((name, path, text));
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("frontend");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, path, text) in samples() {
        let lang = lang_for_path(&path).expect("a known extension");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| lower(lang, black_box(&path), black_box(&text))));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
