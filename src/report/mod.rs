//! Reporters: one small file per output format. They read findings, notes
//! and redacted texts only; they never analyse.

pub mod concise;
pub mod github;
pub mod graph;
pub mod human;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod out;
pub mod sarif;

use std::collections::BTreeMap;

use crate::catalog::{catalog, Level};
use crate::finding::{Finding, SuppressionKind};
use crate::scan::ScanResult;
pub use out::Out;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with labels and a fix (miette).
    Human,
    /// A versioned JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other viewers.
    Sarif,
    /// One line per finding: `path:line:col: OT001 message`.
    Concise,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
    /// Markdown for a job summary or a pull-request comment: counts per
    /// rule, the places, the graph of tokens and environments.
    Markdown,
}

impl Format {
    /// Formats read by people: they carry notes, statistics and the summary
    /// line themselves; machine formats put the summary on stderr.
    pub fn is_human(self) -> bool {
        matches!(self, Format::Human | Format::Concise | Format::Github)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Concise => "concise",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }

    /// Every format, in declaration order.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::all()
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    /// Human formats: findings only, no notes or summary line.
    pub quiet: bool,
    /// Human formats: counts per rule and per environment before the summary.
    pub statistics: bool,
    /// SARIF: leave suppressed results out (`--sarif-drop-suppressed`;
    /// code scanning would show them as open alerts).
    pub drop_suppressed: bool,
}

/// Writes one report into `out` (which masks token shapes as it goes).
pub fn write(format: Format, result: &ScanResult, opts: &RenderOptions, out: &mut Out) {
    match format {
        Format::Human => human::write(result, opts, out),
        Format::Json => json::write(result, out),
        Format::Sarif => sarif::write(result, opts.drop_suppressed, out),
        Format::Concise => concise::write(result, opts, out),
        Format::Github => github::write(result, opts, out),
        Format::Junit => junit::write(result, out),
        Format::Markdown => markdown::write(result, out),
    }
}

/// One report as a string, masked as every report is (tests, fuzzing).
pub fn render(format: Format, result: &ScanResult, opts: &RenderOptions) -> String {
    let mut bytes = Vec::new();
    let mut out = Out::new(&mut bytes);
    write(format, result, opts, &mut out);
    out.finish().expect("writing to memory");
    String::from_utf8(bytes).expect("reports are UTF-8")
}

/// The byte offsets of a text's line starts.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()))
        .collect()
}

/// A JSON array as `serde_json::to_string_pretty` writes it at `indent`
/// spaces (its items one level deeper), rendered one item at a time into
/// `out`: a report with 20,000 findings never holds them all as `Value`s.
pub fn pretty_array(out: &mut Out, items: impl Iterator<Item = serde_json::Value>, indent: usize) {
    let pad = " ".repeat(indent + 2);
    out.push('[');
    let mut first = true;
    for item in items {
        out.push_str(if first { "\n" } else { ",\n" });
        first = false;
        // JSON strings hold no raw newline: every line is structure.
        let text = serde_json::to_string_pretty(&item).expect("serialisable");
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    if !first {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
    }
    out.push(']');
}

/// A pretty JSON document whose empty arrays `"key": []` (one per key) are
/// filled by `fill(key, out)` as the text is written: large arrays go
/// straight into the output, one item at a time.
pub fn pretty_with_arrays(doc: &serde_json::Value, keys: &[&str], out: &mut Out, mut fill: impl FnMut(&str, &mut Out)) {
    let text = serde_json::to_string_pretty(doc).expect("serialisable");
    let mut at: Vec<(usize, &str)> = keys
        .iter()
        .filter_map(|k| text.find(&format!("\"{k}\": []")).map(|i| (i, *k)))
        .collect();
    at.sort_unstable();
    let mut from = 0;
    for (i, key) in at {
        let head = format!("\"{key}\": ");
        out.push_str(&text[from..i + head.len()]);
        fill(key, out);
        from = i + head.len() + 2;
    }
    out.push_str(&text[from..]);
}

/// The path a location points into.
pub fn path_of(result: &ScanResult, f: &Finding) -> String {
    result.files[f.primary.file].path.clone()
}

/// Text made visible for the human formats (human, concise, the inventory
/// table): control characters (newlines included), bidi controls (U+202E
/// and kin: they reorder what a reviewer sees) and line separators are shown
/// as escapes (`\n`, `\u{1b}`, `\u{202e}`), so nothing from the input can
/// start a line, drive the terminal or hide text.
pub fn visible(s: &str) -> String {
    crate::walk::escape_controls(s)
}

/// [`visible`] for source lines in code frames: tabs are kept.
pub fn visible_code(s: &str) -> String {
    if !s.chars().any(crate::walk::is_hostile_char) {
        return s.to_string();
    }
    s.split('\t').map(visible).collect::<Vec<_>>().join("\t")
}

/// Notes (unless quiet), statistics (if asked) and the summary line: the
/// tail every human format ends with, each line escaped by `escape`.
pub fn human_tail(result: &ScanResult, opts: &RenderOptions, note_prefix: &str, escape: fn(&str) -> String) -> String {
    let mut out = String::new();
    if opts.quiet {
        return out;
    }
    for n in &result.notes {
        let text = if n.path.is_empty() {
            n.message.clone()
        } else {
            format!("{}: {}", n.path, n.message)
        };
        out.push_str(&format!("{note_prefix}{}\n", escape(&text)));
    }
    for e in &result.filtered.stale_baseline {
        out.push_str(&format!(
            "{note_prefix}{}\n",
            escape(&format!("stale baseline entry (no finding matches it any more): {e}"))
        ));
    }
    if opts.statistics {
        out.push_str(&statistics(result));
    }
    out.push_str(&summary_line(result));
    out.push('\n');
    out
}

/// `--statistics`: reported findings per rule and per Environment.
pub fn statistics(result: &ScanResult) -> String {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_env: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &result.findings {
        *by_rule.entry(f.rule).or_default() += 1;
        for e in &f.environments {
            *by_env.entry(e.as_str()).or_default() += 1;
        }
    }
    let mut out = String::from("findings per rule:\n");
    if by_rule.is_empty() {
        out.push_str("  (none)\n");
    }
    for (rule, n) in &by_rule {
        let name = catalog().rule(rule).map(|r| r.name.as_str()).unwrap_or("");
        out.push_str(&format!("  {n:>5}  {rule} {name}\n"));
    }
    out.push_str("findings per environment:\n");
    if by_env.is_empty() {
        out.push_str("  (none)\n");
    }
    for (env, n) in &by_env {
        out.push_str(&format!("  {n:>5}  {env}\n"));
    }
    out
}

pub fn count(findings: &[Finding], level: Level) -> usize {
    findings.iter().filter(|f| f.level == level).count()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `"{n} {what}"` for each count that is not zero, in order.
fn nonzero(counts: &[(usize, &str)]) -> Vec<String> {
    counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect()
}

/// The closing summary line of a scan.
pub fn summary_line(result: &ScanResult) -> String {
    let s = &result.stats;
    let e = count(&result.findings, Level::Error);
    let w = count(&result.findings, Level::Warning);
    let skipped = nonzero(&[
        (s.skipped.binary, "binary"),
        (s.skipped.too_large, "over the size limit"),
        (s.skipped.excluded_vendored, "vendored"),
    ]);
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!("; skipped {}", skipped.join(", "))
    };
    let notes = if result.notes.is_empty() {
        String::new()
    } else {
        format!("; {}", plural(result.notes.len(), "note"))
    };
    let flt = &result.filtered;
    let mut hidden = Vec::new();
    let inline = flt.count(SuppressionKind::InSource);
    if inline > 0 {
        hidden.push(format!("{inline} suppressed inline"));
    }
    let baseline = flt.count(SuppressionKind::External);
    if baseline > 0 || !flt.stale_baseline.is_empty() {
        hidden.push(format!("{baseline} hidden by the baseline"));
    }
    if !flt.stale_baseline.is_empty() {
        hidden.push(plural(flt.stale_baseline.len(), "stale baseline entry").replace("entrys", "entries"));
    }
    let left_out = &flt.left_out;
    hidden.extend(nonzero(&[
        (left_out.by_config, "turned off in .orgtoken.toml"),
        (left_out.not_selected, "of rules not selected"),
        (left_out.outside_changes, "outside the changed files"),
    ]));
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!("; {}", hidden.join(", "))
    };
    format!(
        "orgtoken: {}, {} in {} analysed ({} walked{skipped}){hidden}{notes}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(s.files_analysed, "file"),
        s.files_walked,
    )
}
