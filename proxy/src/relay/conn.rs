//! The connection to the mail server, and reads from it into buffers of their own.

use std::io::IoSlice;

use axum::body::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::{READ_CHUNK_MAX, READ_CHUNK_MIN};

/// The connection to the mail server.
pub(super) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    pub(super) async fn read_buf(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read_buf(buf).await,
            Conn::Tls(s) => s.read_buf(buf).await,
        }
    }

    /// Writes all of `parts`, in order, with as few system calls as the socket allows.
    pub(super) async fn write_all(&mut self, parts: &[Bytes]) -> std::io::Result<()> {
        let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let mut rest = &mut slices[..];
        while rest.first().is_some_and(|s| s.is_empty()) {
            rest = &mut rest[1..];
        }
        while !rest.is_empty() {
            let n = match self {
                Conn::Plain(s) => s.write_vectored(rest).await?,
                Conn::Tls(s) => s.write_vectored(rest).await?,
            };
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut rest, n);
        }
        if let Conn::Tls(s) = self {
            s.flush().await?;
        }
        Ok(())
    }
}

/// Reads the server's next bytes into a buffer of their own (handed to the WebSocket without a
/// copy). The buffer exists only while connected, so idle sessions stay small; it starts at
/// [`READ_CHUNK_MIN`] and doubles up to [`READ_CHUNK_MAX`] each time a read fills it.
pub(super) async fn read_conn(
    conn: &mut Option<Conn>,
    buf: &mut Vec<u8>,
    chunk: &mut usize,
) -> std::io::Result<Vec<u8>> {
    match conn {
        Some(c) => {
            *chunk = (*chunk).clamp(READ_CHUNK_MIN, READ_CHUNK_MAX);
            if buf.capacity() == 0 {
                *buf = Vec::with_capacity(*chunk);
            }
            let room = buf.capacity() - buf.len();
            let n = c.read_buf(buf).await?;
            if n == room && *chunk < READ_CHUNK_MAX {
                *chunk *= 2;
            }
            Ok(std::mem::take(buf))
        }
        None => std::future::pending().await,
    }
}

/// What a socket error means, in words a person can act on (never the OS's text or number).
pub(crate) fn socket_error_words(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => {
            "the connection was refused: nothing listens on that port, or a firewall rejects it"
        }
        ErrorKind::ConnectionReset => "the server reset the connection",
        ErrorKind::ConnectionAborted => "the connection was aborted",
        ErrorKind::BrokenPipe => "the server had already closed the connection",
        ErrorKind::TimedOut => "the network did not answer in time",
        ErrorKind::HostUnreachable => "there is no route to that host",
        ErrorKind::NetworkUnreachable => "that network is unreachable from here",
        ErrorKind::AddrNotAvailable => "no local address can reach that address",
        ErrorKind::PermissionDenied => "this machine does not allow that connection",
        _ => "the connection failed",
    }
}

#[cfg(test)]
mod words_tests {
    use super::socket_error_words;

    #[test]
    fn socket_errors_are_said_without_os_text() {
        let refused = std::io::Error::from_raw_os_error(111);
        let words = socket_error_words(&refused);
        assert!(words.contains("refused"), "{words}");
        assert!(!words.contains("os error"), "{words}");
        let other = std::io::Error::other("library detail");
        assert_eq!(socket_error_words(&other), "the connection failed");
    }
}
