//! Human output: miette code frames, a label at the binding, labels at the
//! token origin and the colliding bindings, and the fix as help.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity};

use super::RenderOptions;
use crate::catalog::Level;
use crate::finding::Finding;
use crate::scan::{ScanResult, ShownFile};

#[derive(Debug)]
struct Diag {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

fn source(file: &ShownFile) -> NamedSource<String> {
    NamedSource::new(&file.path, file.text.clone())
}

fn to_diag(f: &Finding, files: &[ShownFile]) -> Diag {
    let file = &files[f.primary.file];
    let span = f.primary.span;
    // A file that changed during the scan has no text to show: no labels.
    let fits = |file: &ShownFile, s: crate::facts::Span| s.end <= file.text.len() && s.start <= s.end;
    let mut labels = Vec::new();
    if fits(file, span) {
        labels.push(LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            (span.start, span.end - span.start),
        ));
    }
    let mut related = Vec::new();
    for r in &f.related {
        let s = r.loc.span;
        if r.loc.file == f.primary.file {
            if (s.start, s.end) != (span.start, span.end) && fits(file, s) {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    (s.start, s.end - s.start),
                ));
            }
        } else {
            let other = &files[r.loc.file];
            related.push(Diag {
                code: String::new(),
                message: format!("{}:{}: {}", other.path, s.line, r.message),
                severity: Severity::Advice,
                help: None,
                source: source(other),
                labels: if fits(other, s) {
                    vec![LabeledSpan::new_with_span(
                        Some(r.message.clone()),
                        (s.start, s.end - s.start),
                    )]
                } else {
                    Vec::new()
                },
                related: Vec::new(),
            });
        }
    }
    Diag {
        code: format!(
            "{} {} · {}:{}:{}",
            f.rule,
            crate::catalog::catalog()
                .rule(f.rule)
                .map(|r| r.name.as_str())
                .unwrap_or(""),
            file.path,
            span.line,
            span.col
        ),
        message: f.message.clone(),
        severity: match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Advice,
        },
        help: Some(format!("{} (orgtoken explain {})", f.help, f.rule)),
        source: source(file),
        labels,
        related,
    }
}

pub fn render(result: &ScanResult, opts: &RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for f in &result.findings {
        let d = to_diag(f, &result.files);
        let mut one = String::new();
        if handler.render_report(&mut one, &d).is_ok() {
            // miette heads each related location with its severity
            // ("Advice: "): the location's own line says what it is.
            out.push_str(&one.replace("\nAdvice: \n", "\n"));
        } else {
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                result.files[f.primary.file].path, f.primary.span.line, f.primary.span.col, f.rule, f.message
            ));
        }
        out.push('\n');
    }
    out.push_str(&super::human_tail(result, opts, "note: "));
    out
}
