//! Rows in PostgreSQL's `COPY … FROM STDIN` text format: tab-separated fields, one row per
//! line, `\N` for NULL, and backslash escapes for the four characters that would break it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value as Json;
use uuid::Uuid;

/// A buffer of encoded rows, sent to the server in one `COPY`.
#[derive(Debug, Default)]
pub struct CopyText {
    buf: Vec<u8>,
    row_started: bool,
}

impl CopyText {
    /// The encoded bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    fn separate(&mut self) {
        if self.row_started {
            self.buf.push(b'\t');
        }
        self.row_started = true;
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"\\N");
    }

    /// A text field, escaped.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.separate();
        for b in s.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    /// A UUID field, or NULL.
    pub fn uuid(&mut self, id: Option<Uuid>) -> &mut Self {
        self.separate();
        match id {
            Some(id) => self.buf.extend_from_slice(
                id.hyphenated()
                    .encode_lower(&mut Uuid::encode_buffer())
                    .as_bytes(),
            ),
            None => self.null(),
        }
        self
    }

    /// A timestamp field (UTC, microseconds), or NULL.
    pub fn ts(&mut self, at: Option<DateTime<Utc>>) -> &mut Self {
        self.separate();
        match at {
            Some(at) => self
                .buf
                .extend_from_slice(at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes()),
            None => self.null(),
        }
        self
    }

    /// An integer field.
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.separate();
        self.buf.extend_from_slice(v.to_string().as_bytes());
        self
    }

    /// A boolean field.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.separate();
        self.buf.push(if v { b't' } else { b'f' });
        self
    }

    /// A JSON field (escaped like text), or NULL.
    pub fn json(&mut self, v: Option<&Json>) -> &mut Self {
        match v {
            Some(v) => self.text(&v.to_string()),
            None => {
                self.separate();
                self.null();
                self
            }
        }
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.row_started = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_break_a_row_and_marks_nulls() {
        let mut rows = CopyText::default();
        rows.text("a\tb\\c\nd\re")
            .uuid(None)
            .bool(true)
            .json(Some(&serde_json::json!(["x\ty"])))
            .ts(None);
        rows.end_row();
        assert_eq!(
            std::str::from_utf8(rows.bytes()).unwrap(),
            "a\\tb\\\\c\\nd\\re\t\\N\tt\t[\"x\\\\ty\"]\t\\N\n"
        );
    }
}
