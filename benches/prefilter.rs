//! The prefilter (`orgtoken::walk::Prefilter`, the catalog's trigger
//! literals, ASCII-case-insensitive) on a 100 KB ordinary file: a miss, a
//! hit at the end (the whole file is searched) and a hit at the start.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use orgtoken::walk::{is_binary, Prefilter};

/// About 100 KB of ordinary Python: HTTP calls to other APIs, words close to
/// the triggers (zone, horizon, oauth, sandbox) but none of them.
fn ordinary(size: usize) -> String {
    let mut s = String::from("import requests\n\n");
    let mut i = 0;
    while s.len() < size {
        s.push_str(&format!(
            "def fetch_order_{i}(session, zone=\"UTC\"):\n    \"\"\"Refreshes the oauth token of the sandbox horizon {i}.\"\"\"\n    r = session.get(\"https://api.stripe.com/v1/orders/{i}\", timeout=10)\n    r.raise_for_status()\n    return {{\"id\": {i}, \"zone\": zone, \"data\": r.json()}}\n\n\n"
        ));
        i += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let pre = Prefilter::from_catalog();
    let miss = ordinary(100_000);
    let hit_end = format!("{miss}BASE = \"https://www.zohoapis.com/crm/v8\"\n");
    let hit_start = format!("BASE = \"https://www.zohoapis.com/crm/v8\"\n{miss}");
    assert!(!pre.matches(miss.as_bytes()), "the ordinary file holds a trigger");
    assert!(pre.matches(hit_end.as_bytes()) && pre.matches(hit_start.as_bytes()));

    let mut g = c.benchmark_group("prefilter");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, text) in [
        ("miss_100k", &miss),
        ("hit_at_end_100k", &hit_end),
        ("hit_at_start_100k", &hit_start),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| pre.matches(black_box(text.as_bytes()))));
    }
    g.throughput(Throughput::Bytes(miss.len().min(8192) as u64));
    g.bench_function("is_binary_8k", |b| b.iter(|| is_binary(black_box(miss.as_bytes()))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
