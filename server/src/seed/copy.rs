//! Rows in PostgreSQL's COPY text format, and sending them.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

#[derive(Default)]
pub struct CopyBuf {
    buf: Vec<u8>,
    fields: usize,
}

impl CopyBuf {
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    fn sep(&mut self) {
        if self.fields > 0 {
            self.buf.push(b'\t');
        }
        self.fields += 1;
    }

    /// Ends the row.
    pub fn end(&mut self) {
        self.buf.push(b'\n');
        self.fields = 0;
    }

    pub fn s(&mut self, v: &str) -> &mut Self {
        self.sep();
        for b in v.bytes() {
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

    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    pub fn opt(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.s(v),
            None => self.null(),
        }
    }

    pub fn i(&mut self, v: i64) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(v.to_string().as_bytes());
        self
    }

    pub fn opt_i(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.i(v),
            None => self.null(),
        }
    }

    pub fn b(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf.push(if v { b't' } else { b'f' });
        self
    }

    pub fn opt_b(&mut self, v: Option<bool>) -> &mut Self {
        match v {
            Some(v) => self.b(v),
            None => self.null(),
        }
    }

    pub fn d(&mut self, v: Date) -> &mut Self {
        self.sep();
        self.buf.extend_from_slice(v.to_string().as_bytes());
        self
    }

    pub fn opt_d(&mut self, v: Option<Date>) -> &mut Self {
        match v {
            Some(v) => self.d(v),
            None => self.null(),
        }
    }

    pub fn ts(&mut self, v: OffsetDateTime) -> &mut Self {
        self.sep();
        let s = format!(
            "{} {:02}:{:02}:{:02}+00",
            v.date(),
            v.hour(),
            v.minute(),
            v.second()
        );
        self.buf.extend_from_slice(s.as_bytes());
        self
    }
}

/// Sends the buffer with `COPY <target> FROM STDIN` and empties it.
pub async fn copy(conn: &mut PgConnection, target: &str, buf: &mut CopyBuf) -> anyhow::Result<()> {
    if buf.buf.is_empty() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(&format!("COPY {target} FROM STDIN")).await?;
    for chunk in buf.buf.chunks(1 << 20) {
        copy.send(chunk).await?;
    }
    copy.finish().await?;
    buf.buf.clear();
    buf.fields = 0;
    Ok(())
}
