//! Where log lines go: standard output, as text or JSON, written from a thread of its own. Every
//! line is one line: control characters in what a client sent (a forged newline, terminal escape
//! codes) are escaped before they are written, in both formats.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// Logs to standard output from a thread of its own, so a request never waits for the write
/// (one access-log line per request cost a third of the cheapest requests' throughput). Lines are
/// never dropped: when the queue is full, writers wait. Keep the guard until exit: it flushes.
pub fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stdout());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // No colours: their escape codes would be escaped like a client's.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(OneLine(writer));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    guard
}

/// A writer of log lines that escapes every control character but the line's final newline
/// (the formatter writes each event whole, with one call).
#[derive(Debug, Clone)]
pub struct OneLine<W>(pub W);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for OneLine<M> {
    type Writer = OneLine<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        OneLine(self.0.make_writer())
    }
}

impl<W: Write> Write for OneLine<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&escaped(bytes))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `bytes` with every character [`needs_escape`] names written as `\uXXXX` (all are in the
/// first 64 Ki code points; the same escape is valid inside a JSON string), but for one final
/// newline.
fn escaped(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (text.as_ref(), ""),
    };
    if !body.chars().any(needs_escape) {
        return bytes.to_vec();
    }
    let mut out = String::with_capacity(body.len() + 16);
    for c in body.chars() {
        if needs_escape(c) {
            // Writing to a String cannot fail.
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push_str(newline);
    out.into_bytes()
}

/// Control characters, the line and paragraph separators, and the invisible format characters
/// that change how a line is shown: bidirectional overrides, embeddings and isolates (a path can
/// be made to display reversed), zero-width characters and the byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_stays_one_line_whatever_a_client_wrote_into_it() {
        let line = "WARN error=x\n2026-12-07 INFO forged line \u{1b}[31mred\u{0}\u{2028}\n";
        let written = String::from_utf8(escaped(line.as_bytes())).expect("text");
        assert_eq!(written.matches('\n').count(), 1);
        assert!(written.ends_with('\n'));
        assert!(!written.contains('\u{1b}') && !written.contains('\0'));
        assert!(
            written.contains(r"\u000a2026-12-07 INFO forged"),
            "{written}"
        );
        assert_eq!(escaped(b"plain words\n"), b"plain words\n");
    }

    #[test]
    fn a_reference_cannot_be_shown_reversed_or_with_hidden_characters() {
        let line = "INFO path=/team/reports/LD-2026-000001\u{202E}1000\u{2066}\u{200B}\u{FEFF}\n";
        let written = String::from_utf8(escaped(line.as_bytes())).expect("text");
        assert_eq!(
            written,
            "INFO path=/team/reports/LD-2026-000001\\u202e1000\\u2066\\u200b\\ufeff\n"
        );
        // Inside a JSON string the escape is JSON's own, and reads back as the character.
        let json = r#"{"path":"/x\u202Ey"}"#;
        let json = String::from_utf8(escaped(
            format!("{}\n", json.replace(r"\u202E", "\u{202E}")).as_bytes(),
        ))
        .expect("text");
        let value: serde_json::Value = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(value["path"], "/x\u{202E}y");
        // Letters of other scripts are words, not tricks.
        assert_eq!(
            escaped("Zoë Ł 名前\n".as_bytes()),
            "Zoë Ł 名前\n".as_bytes()
        );
    }
}
