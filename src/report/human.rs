//! Human output: miette code frames, a label at the binding, labels at the
//! token origin and the colliding bindings, and the fix as help.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, Severity,
    SourceCode, SourceSpan, SpanContents,
};

use super::{visible, RenderOptions};
use crate::catalog::Level;
use crate::finding::{Finding, Place};
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
/// Related places in the binding's file at most this many lines away are
/// labelled in the binding's frame.
const NEAR_LINES: u32 = 30;

/// What a code frame shows of a file: the lines from one before its first
/// label to one after its last (what miette shows), each cut to
/// [`MAX_LINE_CHARS`] and made visible (`super::visible`, tabs kept), with
/// the frame's spans mapped into it. Only those lines are copied, so a
/// frame costs what it shows, not the file's size (20,000 findings in one
/// file took minutes when each frame held the whole file); labels far from
/// the primary one get frames of their own (`to_diag`).
#[derive(Debug)]
struct Excerpt {
    text: String,
    /// The file's (0-based) line the excerpt starts at.
    first_line: usize,
    /// The spans given to [`Excerpt::new`], as `(offset, length)` in `text`.
    spans: Vec<(usize, usize)>,
    /// `(offset in text, the file's 0-based column in characters)` of each
    /// span's start.
    columns: Vec<(usize, usize)>,
}

impl Excerpt {
    /// `starts`: the byte offsets of the file's line starts; `spans`: the
    /// places the frame labels (within `text`).
    fn new(text: &str, starts: &[usize], spans: &[Place]) -> Excerpt {
        let line_of = |p: usize| starts.partition_point(|&s| s <= p).saturating_sub(1);
        let last = starts.len().saturating_sub(1);
        let lo = spans
            .iter()
            .map(|s| line_of(s.span.start_byte()))
            .min()
            .unwrap_or(0)
            .saturating_sub(1);
        let hi = spans
            .iter()
            .map(|s| line_of(s.span.end_byte()) + 1)
            .max()
            .unwrap_or(0)
            .min(last);
        let ranges: Vec<(usize, usize)> = spans.iter().map(|s| (s.span.start_byte(), s.span.end_byte())).collect();
        let mut out = String::new();
        let mut mapped = vec![(0, 0); spans.len()];
        let mut columns = Vec::with_capacity(spans.len());
        for i in lo..=hi {
            let start = starts[i];
            let next = starts.get(i + 1).copied().unwrap_or(text.len());
            let end = start + text[start..next].trim_end_matches(['\n', '\r']).len();
            let (a, b) = window(text, start, end, &ranges);
            if a > start {
                out.push_str(ELLIPSIS);
            }
            let new_a = out.len();
            // A position of the file inside this line, in the excerpt (a
            // span that is not on a character boundary, a bug elsewhere,
            // is moved back to one rather than panic).
            let at = |p: usize| new_a + super::visible_code(&text[a..floor(text, p.clamp(a, b))]).len();
            for (k, s) in spans.iter().enumerate() {
                let (from, to) = (s.span.start_byte(), s.span.end_byte());
                if (start..next).contains(&from) {
                    mapped[k].0 = at(from);
                    columns.push((at(from), s.pos.col.saturating_sub(1) as usize));
                }
                if (start..next).contains(&to) || (to == text.len() && next == text.len()) {
                    mapped[k].1 = at(to);
                }
            }
            out.push_str(&super::visible_code(&text[a..b]));
            if b < end {
                out.push_str(ELLIPSIS);
            }
            if text[end..next].ends_with('\n') {
                out.push('\n');
            }
        }
        let spans = mapped.into_iter().map(|(s, e)| (s, e.max(s) - s)).collect();
        Excerpt {
            text: out,
            first_line: lo,
            spans,
            columns,
        }
    }

    /// The file's (0-based, in characters) column of a span's start.
    fn column(&self, q: usize) -> usize {
        self.columns.iter().find(|(o, _)| *o == q).map_or(0, |(_, c)| *c)
    }
}

/// The byte offsets of a text's line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()))
        .collect()
}

/// The bytes `a..b` a frame shows of the line `start..end`: all of it when
/// short, else [`MAX_LINE_CHARS`] characters from a little before the first
/// label that starts (or ends) on it.
fn window(text: &str, start: usize, end: usize, spans: &[(usize, usize)]) -> (usize, usize) {
    let line = &text[start..end];
    if line.len() <= MAX_LINE_CHARS || line.chars().nth(MAX_LINE_CHARS).is_none() {
        return (start, end);
    }
    let on_line = |p: usize| (start..=end).contains(&p).then_some(p);
    let anchor = spans
        .iter()
        .filter_map(|&(s, _)| on_line(s))
        .min()
        .or_else(|| spans.iter().filter_map(|&(_, e)| on_line(e)).min())
        .unwrap_or(start);
    let anchor = floor(text, anchor);
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

/// `p`, or the character boundary before it.
fn floor(text: &str, mut p: usize) -> usize {
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

/// The spans a frame labels in `file`, inside its text (a file that changed
/// during the scan has no text to show: no labels).
fn fits(file: &ShownFile, s: Place) -> bool {
    s.span.end_byte() <= file.text.len() && s.span.start <= s.span.end
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
        // Lines are numbered as the file's. miette's `line_count` counts the
        // lines up to the end of the read (it merges two labels' contexts by
        // it): counted as in the file too.
        let x = &self.excerpt;
        let c = x.text.as_str().read_span(span, before, after)?;
        // The header reads the primary label without context: its column
        // is the file's. Context reads start at a line start: left as is.
        let column = if before == 0 && after == 0 {
            x.column(span.offset())
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + x.first_line,
            column,
            c.line_count() + x.first_line,
        )))
    }
}

/// Each shown file's line starts, computed once per report.
struct Lines<'f> {
    files: &'f [ShownFile],
    starts: Vec<Option<Vec<usize>>>,
}

impl<'f> Lines<'f> {
    fn new(files: &'f [ShownFile]) -> Self {
        Lines {
            files,
            starts: (0..files.len()).map(|_| None).collect(),
        }
    }

    fn source(&mut self, file: usize, spans: &[Place]) -> Frame {
        let f = &self.files[file];
        let starts = self.starts[file].get_or_insert_with(|| line_starts(&f.text));
        Frame {
            name: visible(&f.path),
            excerpt: Excerpt::new(&f.text, starts, spans),
        }
    }
}

fn to_diag(f: &Finding, files: &[ShownFile], lines: &mut Lines) -> Diag {
    let file = &files[f.primary.file];
    let span = f.primary;
    // The labels on the primary file: the binding, and related places in it.
    let mut here: Vec<(Place, String, bool)> = Vec::new();
    if fits(file, span) {
        here.push((span, f.label.clone(), true));
    }
    let mut related = Vec::new();
    for r in &f.related {
        let s = r.loc;
        let same_file = r.loc.file == f.primary.file;
        if same_file && s.span == span.span {
            continue;
        }
        // A place near the binding is labelled in its frame; one farther
        // away gets a frame of its own (a frame shows every line between
        // its labels).
        if same_file && s.pos.line.abs_diff(span.pos.line) <= NEAR_LINES {
            if fits(file, s) {
                here.push((s, r.message.clone(), false));
            }
        } else {
            let other = &files[r.loc.file];
            let spans: Vec<Place> = fits(other, s).then_some(s).into_iter().collect();
            let src = lines.source(r.loc.file, &spans);
            let labels = src
                .excerpt
                .spans
                .iter()
                .map(|&s| LabeledSpan::new_with_span(Some(visible(&r.message)), s))
                .collect();
            related.push(Diag {
                code: String::new(),
                message: visible(&format!("{}:{}: {}", other.path, s.pos.line, r.message)),
                severity: Severity::Advice,
                help: None,
                source: src,
                labels,
                related: Vec::new(),
            });
        }
    }
    let spans: Vec<Place> = here.iter().map(|(s, _, _)| *s).collect();
    let src = lines.source(f.primary.file, &spans);
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
            span.pos.line,
            span.pos.col
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

pub fn write(result: &ScanResult, opts: &RenderOptions, out: &mut super::Out) {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1);
    let mut lines = Lines::new(&result.files);
    for f in &result.findings {
        // A frame that cannot be drawn (a bug in us or in miette) costs
        // that frame alone: the finding is still listed, on one line.
        let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut frame = String::new();
            handler
                .render_report(&mut frame, &to_diag(f, &result.files, &mut lines))
                .ok()
                .map(|()| frame)
        }));
        if let Ok(Some(frame)) = frame {
            // miette heads each related location with its severity
            // ("Advice: "): the location's own line says what it is.
            out.push_str(&frame.replace("\nAdvice: \n", "\n"));
        } else {
            out.push_str(&super::concise::line(result, f));
        }
        out.push('\n');
    }
    out.push_str(&super::human_tail(result, opts, "note: ", visible));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, col: u32) -> Place {
        Place {
            file: 0,
            span: crate::facts::Span::new(start, start + 5),
            pos: crate::facts::Pos {
                col,
                ..Default::default()
            },
        }
    }

    #[test]
    fn only_the_lines_around_labels_are_copied() {
        let text: String = (1..=1000).map(|i| format!("line {i}\n")).collect();
        let at = text.find("line 500\n").unwrap();
        let x = Excerpt::new(&text, &line_starts(&text), &[span(at, 1)]);
        assert_eq!(x.text, "line 499\nline 500\nline 501\n");
        assert_eq!(x.first_line, 498);
        let c = Frame {
            name: "f".into(),
            excerpt: x,
        };
        let read = c.read_span(&SourceSpan::new(9.into(), 4), 1, 1).unwrap();
        assert_eq!(read.line(), 498, "numbered as the file's lines (0-based)");
    }

    #[test]
    fn code_frames_show_hostile_characters_escaped_and_keep_tabs() {
        let text = "\tx = '\u{1b}[2J\u{202e}' + TOKEN\n";
        let start = text.find("TOKEN").unwrap();
        let x = Excerpt::new(text, &line_starts(text), &[span(start, 16)]);
        assert_eq!(x.text, "\tx = '\\u{1b}[2J\\u{202e}' + TOKEN\n");
        let (at, len) = x.spans[0];
        assert_eq!(&x.text[at..at + len], "TOKEN");
        assert_eq!(x.column(at), 15, "the file's column, in its characters");
    }

    #[test]
    fn long_lines_are_cut_around_the_label_at_character_boundaries() {
        let text = format!("short\n{}TOKEN{}\nend", "é".repeat(70_000), "ü".repeat(500));
        let start = text.find("TOKEN").unwrap();
        let x = Excerpt::new(&text, &line_starts(&text), &[span(start, 70_001)]);
        let (at, len) = x.spans[0];
        assert_eq!(&x.text[at..at + len], "TOKEN");
        // The file's column (0-based, in characters), not the excerpt's.
        assert_eq!(x.column(at), 70_000);
        let lines: Vec<&str> = x.text.lines().collect();
        assert_eq!(x.first_line, 0);
        assert_eq!(lines[0], "short");
        assert_eq!(lines[2], "end");
        assert!(lines[1].starts_with('…') && lines[1].ends_with('…'));
        assert_eq!(lines[1].chars().count(), MAX_LINE_CHARS + 2);
    }
}
