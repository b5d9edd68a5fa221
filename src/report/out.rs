//! The one door every report leaves through: reporters push text into an
//! [`Out`], which masks token shapes line by line and streams the masked
//! lines to the destination (a file, standard output, a test's buffer).
//!
//! A report is never held whole: a 20,000-finding SARIF document is written
//! in chunks of about [`CHUNK`] bytes, cut at line ends. Token shapes hold no
//! line break, so masking each complete line masks the whole report exactly
//! as masking it at once would.

use std::fmt;
use std::io::{self, Write};

use crate::redact::mask_output;

/// Bytes gathered before complete lines are masked and written.
const CHUNK: usize = 64 * 1024;

pub struct Out<'w> {
    buf: String,
    sink: &'w mut dyn Write,
    /// The first write error; later text is dropped, `finish` returns it.
    err: Option<io::Error>,
}

impl<'w> Out<'w> {
    pub fn new(sink: &'w mut dyn Write) -> Self {
        Out {
            buf: String::with_capacity(CHUNK + CHUNK / 4),
            sink,
            err: None,
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.buf.push_str(s);
        // Only a push that brings a line end can complete a line: a long
        // line without one is gathered, not searched again on every push.
        if self.buf.len() >= CHUNK && s.contains('\n') {
            self.drain(false);
        }
    }

    pub fn push(&mut self, c: char) {
        self.buf.push(c);
        if c == '\n' && self.buf.len() >= CHUNK {
            self.drain(false);
        }
    }

    /// Masks and writes the complete lines gathered (`all`: everything).
    fn drain(&mut self, all: bool) {
        let cut = if all {
            self.buf.len()
        } else {
            match self.buf.rfind('\n') {
                Some(i) => i + 1,
                None => return,
            }
        };
        let chunk = self.buf[..cut].to_string();
        self.buf.drain(..cut);
        if self.err.is_none() {
            if let Err(e) = self.sink.write_all(mask_output(chunk).as_bytes()) {
                self.err = Some(e);
            }
        }
    }

    /// Writes what is left and flushes; the first write error, if any.
    pub fn finish(mut self) -> io::Result<()> {
        self.drain(true);
        match self.err.take() {
            Some(e) => Err(e),
            None => self.sink.flush(),
        }
    }
}

impl fmt::Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210";

    #[test]
    fn tokens_are_masked_across_chunk_boundaries_and_pieces() {
        let mut sink = Vec::new();
        let mut out = Out::new(&mut sink);
        // Lines long enough to cross several chunks, each token pushed in
        // pieces that straddle the point where a chunk would be cut.
        for i in 0..5_000 {
            out.push_str(&format!("line {i} "));
            out.push_str(&TOKEN[..10]);
            out.push_str(&TOKEN[10..]);
            out.push_str(" end\n");
        }
        out.push_str(TOKEN);
        out.finish().unwrap();
        let text = String::from_utf8(sink).unwrap();
        assert!(!text.contains(&TOKEN[5..]), "a token left unmasked");
        assert_eq!(text.matches("1000.****").count(), 5_001);
        assert_eq!(text.lines().count(), 5_001);
        assert!(text.starts_with("line 0 1000.****"));
    }

    #[test]
    fn text_after_the_last_line_end_of_a_push_is_kept_once() {
        let mut sink = Vec::new();
        let mut out = Out::new(&mut sink);
        let mut expected = String::new();
        for i in 0..20_000 {
            let piece = format!("a{i}\nb{i} ");
            out.push_str(&piece);
            expected.push_str(&piece);
        }
        out.finish().unwrap();
        assert_eq!(String::from_utf8(sink).unwrap(), expected);
    }

    #[test]
    fn a_write_error_is_returned_once_and_later_text_dropped() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut full = Full;
        let mut out = Out::new(&mut full);
        for _ in 0..10_000 {
            out.push_str("0123456789abcdef\n");
        }
        assert_eq!(out.finish().unwrap_err().to_string(), "disk full");
    }
}
