//! Human output: miette code frames, a label at the binding, labels at the
//! token origin and the colliding bindings, and the fix as help.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, Severity,
    SourceCode, SourceSpan, SpanContents,
};

use super::{visible, RenderOptions};
use crate::catalog::Level;
use crate::finding::Finding;
use crate::scan::{ScanResult, ShownFile};

#[derive(Debug)]
struct Diag {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Frame,
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

/// Longest line a code frame shows, in characters: a longer line (a
/// minified bundle, a long `.env` value) is cut to a window around its first
/// label. miette cannot lay out a label past column 65,535 (it panics), and
/// a whole megabyte line in a terminal helps nobody.
const MAX_LINE_CHARS: usize = 160;
/// Characters kept before the label in a cut line.
const BEFORE_LABEL: usize = 40;
const ELLIPSIS: &str = "…";

/// What a code frame shows of a file: its lines, each cut to
/// [`MAX_LINE_CHARS`] (line numbers stay those of the file) and made
/// visible (`super::visible`, tabs kept), with the frame's spans mapped
/// into it.
#[derive(Debug)]
struct Excerpt {
    text: String,
    /// The spans given to [`Excerpt::new`], as `(offset, length)` in `text`.
    spans: Vec<(usize, usize)>,
    /// `(offset in text, the file's 0-based column in characters)` of each
    /// span's start.
    columns: Vec<(usize, usize)>,
}

impl Excerpt {
    /// `spans`: the byte ranges the frame labels (within `text`).
    fn new(text: &str, spans: &[(usize, usize)]) -> Excerpt {
        let mut out = String::new();
        let mut mapped = vec![(0, 0); spans.len()];
        let mut columns = Vec::with_capacity(spans.len());
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let next = start + raw.len();
            let end = start + raw.trim_end_matches(['\n', '\r']).len();
            let (a, b) = window(text, start, end, spans);
            if a > start {
                out.push_str(ELLIPSIS);
            }
            let new_a = out.len();
            // A position of the file inside this line, in the excerpt.
            let at = |p: usize| new_a + super::visible_code(&text[a..p.clamp(a, b)]).len();
            for (i, &(s, e)) in spans.iter().enumerate() {
                if (start..next).contains(&s) {
                    mapped[i].0 = at(s);
                    columns.push((at(s), text[start..s.clamp(start, end)].chars().count()));
                }
                if (start..next).contains(&e) || (e == text.len() && next == text.len()) {
                    mapped[i].1 = at(e);
                }
            }
            out.push_str(&super::visible_code(&text[a..b]));
            if b < end {
                out.push_str(ELLIPSIS);
            }
            if raw.ends_with('\n') {
                out.push('\n');
            }
            start = next;
        }
        let spans = mapped.into_iter().map(|(s, e)| (s, e.max(s) - s)).collect();
        Excerpt {
            text: out,
            spans,
            columns,
        }
    }

    /// The file's (0-based, in characters) column of a span's start.
    fn column(&self, q: usize) -> usize {
        self.columns.iter().find(|(o, _)| *o == q).map_or(0, |(_, c)| *c)
    }
}

/// The bytes `a..b` a frame shows of the line `start..end`: all of it when
/// short, else [`MAX_LINE_CHARS`] characters from a little before the first
/// label that starts (or ends) on it.
fn window(text: &str, start: usize, end: usize, spans: &[(usize, usize)]) -> (usize, usize) {
    let line = &text[start..end];
    if line.len() <= MAX_LINE_CHARS || line.chars().count() <= MAX_LINE_CHARS {
        return (start, end);
    }
    let on_line = |p: usize| (start..=end).contains(&p).then_some(p);
    let anchor = spans
        .iter()
        .filter_map(|&(s, _)| on_line(s))
        .min()
        .or_else(|| spans.iter().filter_map(|&(_, e)| on_line(e)).min())
        .unwrap_or(start);
    let a = line[..anchor - start]
        .char_indices()
        .rev()
        .nth(BEFORE_LABEL - 1)
        .map_or(start, |(i, _)| start + i);
    let b = text[a..end]
        .char_indices()
        .nth(MAX_LINE_CHARS)
        .map_or(end, |(i, _)| a + i);
    (a, b)
}

/// The spans a frame labels in `file`, inside its text (a file that changed
/// during the scan has no text to show: no labels).
fn fits(file: &ShownFile, s: crate::facts::Span) -> bool {
    s.end <= file.text.len() && s.start <= s.end
}

/// An excerpt as miette reads it: the frame's header names the position
/// in the file, not in the (cut) excerpt.
#[derive(Debug)]
struct Frame {
    name: String,
    excerpt: Excerpt,
}

impl SourceCode for Frame {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.excerpt.text.as_str().read_span(span, before, after)?;
        // The header reads the primary label without context: its column
        // is the file's. Context reads start at a line start: left as is.
        let column = if before == 0 && after == 0 {
            self.excerpt.column(span.offset())
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        )))
    }
}

fn source(file: &ShownFile, spans: &[crate::facts::Span]) -> Frame {
    let ranges: Vec<(usize, usize)> = spans.iter().map(|s| (s.start, s.end)).collect();
    Frame {
        name: visible(&file.path),
        excerpt: Excerpt::new(&file.text, &ranges),
    }
}

fn to_diag(f: &Finding, files: &[ShownFile]) -> Diag {
    let file = &files[f.primary.file];
    let span = f.primary.span;
    // The labels on the primary file: the binding, and related places in it.
    let mut here: Vec<(crate::facts::Span, String, bool)> = Vec::new();
    if fits(file, span) {
        here.push((span, f.label.clone(), true));
    }
    let mut related = Vec::new();
    for r in &f.related {
        let s = r.loc.span;
        if r.loc.file == f.primary.file {
            if (s.start, s.end) != (span.start, span.end) && fits(file, s) {
                here.push((s, r.message.clone(), false));
            }
        } else {
            let other = &files[r.loc.file];
            let spans: Vec<crate::facts::Span> = fits(other, s).then_some(s).into_iter().collect();
            let src = source(other, &spans);
            let labels = src
                .excerpt
                .spans
                .iter()
                .map(|&s| LabeledSpan::new_with_span(Some(visible(&r.message)), s))
                .collect();
            related.push(Diag {
                code: String::new(),
                message: visible(&format!("{}:{}: {}", other.path, s.line, r.message)),
                severity: Severity::Advice,
                help: None,
                source: src,
                labels,
                related: Vec::new(),
            });
        }
    }
    let spans: Vec<crate::facts::Span> = here.iter().map(|(s, _, _)| *s).collect();
    let src = source(file, &spans);
    let excerpt = &src.excerpt;
    let labels = here
        .into_iter()
        .zip(&excerpt.spans)
        .map(|((_, text, primary), &s)| {
            if primary {
                LabeledSpan::new_primary_with_span(Some(visible(&text)), s)
            } else {
                LabeledSpan::new_with_span(Some(visible(&text)), s)
            }
        })
        .collect();
    Diag {
        code: visible(&format!(
            "{} {} · {}:{}:{}",
            f.rule,
            crate::catalog::catalog()
                .rule(f.rule)
                .map(|r| r.name.as_str())
                .unwrap_or(""),
            file.path,
            span.line,
            span.col
        )),
        message: visible(&f.message),
        severity: match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Advice,
        },
        help: Some(visible(&format!("{} (orgtoken explain {})", f.help, f.rule))),
        source: src,
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
        // A frame that cannot be drawn (a bug in us or in miette) costs
        // that frame alone: the finding is still listed, on one line.
        let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut frame = String::new();
            handler
                .render_report(&mut frame, &to_diag(f, &result.files))
                .ok()
                .map(|()| frame)
        }));
        if let Ok(Some(frame)) = frame {
            out.push_str(&frame);
        } else {
            out.push_str(&super::concise::line(result, f));
        }
        out.push('\n');
    }
    out.push_str(&super::human_tail(result, opts, "note: ", visible));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_frames_show_hostile_characters_escaped_and_keep_tabs() {
        let text = "\tx = '\u{1b}[2J\u{202e}' + TOKEN\n";
        let start = text.find("TOKEN").unwrap();
        let x = Excerpt::new(text, &[(start, start + 5)]);
        assert_eq!(x.text, "\tx = '\\u{1b}[2J\\u{202e}' + TOKEN\n");
        let (at, len) = x.spans[0];
        assert_eq!(&x.text[at..at + len], "TOKEN");
        assert_eq!(x.column(at), 15, "the file's column, in its characters");
    }

    #[test]
    fn long_lines_are_cut_around_the_label_at_character_boundaries() {
        let text = format!("short\n{}TOKEN{}\nend", "é".repeat(70_000), "ü".repeat(500));
        let start = text.find("TOKEN").unwrap();
        let x = Excerpt::new(&text, &[(start, start + 5)]);
        let (at, len) = x.spans[0];
        assert_eq!(&x.text[at..at + len], "TOKEN");
        // The file's column (0-based, in characters), not the excerpt's.
        assert_eq!(x.column(at), 70_000);
        let lines: Vec<&str> = x.text.lines().collect();
        assert_eq!(lines[0], "short");
        assert_eq!(lines[2], "end");
        assert!(lines[1].starts_with('…') && lines[1].ends_with('…'));
        assert_eq!(lines[1].chars().count(), MAX_LINE_CHARS + 2);
    }
}
