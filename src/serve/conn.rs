//! The connection loop: hyper's HTTP/1 server on each accepted socket, with one addition. The
//! responses hyper writes on its own, for requests it refuses before the router sees them (a
//! request target above 64 KiB, more than 100 headers, a line it cannot parse: 400, 414, 431...),
//! get the same security headers as every response of the router.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let io = TokioIo::new(SecureErrors::new(stream));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // A client that trickles its request head (slowloris) is cut off.
                .header_read_timeout(Duration::from_secs(15))
                .serve_connection(io, service)
                .await;
        });
    }
}

/// A socket whose writes are passed through, except a response head without a
/// Content-Security-Policy (only hyper's own error responses lack one: the router adds it to all
/// of its own), which gets the security headers inserted after its status line.
struct SecureErrors<S> {
    inner: S,
    /// The rest of a patched response, still to be written.
    pending: Vec<u8>,
}

impl<S> SecureErrors<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<S: AsyncWrite + Unpin> SecureErrors<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SecureErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SecureErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        match with_security_headers(buf) {
            Some(patched) => {
                self.pending = patched;
                // The caller's bytes are taken; what the socket did not accept yet goes out on
                // the next write or flush.
                let _ = self.poll_pending(cx)?;
                Poll::Ready(Ok(buf.len()))
            }
            None => Pin::new(&mut self.inner).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// Not vectored, so hyper writes each response head as one buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// The statuses hyper answers with on its own, before the router sees a request.
const HYPER_STATUSES: [&[u8]; 8] = [
    b"400 ", b"408 ", b"413 ", b"414 ", b"431 ", b"500 ", b"501 ", b"505 ",
];

/// `buf` with the security headers after its status line, when it starts with a whole response
/// head of a status hyper sends on its own and has no Content-Security-Policy.
fn with_security_headers(buf: &[u8]) -> Option<Vec<u8>> {
    let status = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    if !HYPER_STATUSES.iter().any(|code| status.starts_with(code)) {
        return None;
    }
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    if head.contains("\r\ncontent-security-policy:") {
        return None;
    }
    let status_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let mut patched = Vec::with_capacity(buf.len() + 512);
    patched.extend_from_slice(&buf[..status_end + 2]);
    for (name, value) in super::http::security_headers() {
        patched.extend_from_slice(name.as_str().as_bytes());
        patched.extend_from_slice(b": ");
        patched.extend_from_slice(value.as_bytes());
        patched.extend_from_slice(b"\r\n");
    }
    patched.extend_from_slice(&buf[status_end + 2..]);
    Some(patched)
}

#[cfg(test)]
mod tests {
    use super::with_security_headers;

    #[test]
    fn bare_error_heads_get_the_headers_and_others_pass() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        let patched =
            String::from_utf8(with_security_headers(bare).expect("patched")).expect("utf-8");
        assert!(patched.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(patched.contains("\r\ncontent-security-policy: default-src 'self'"));
        assert!(patched.ends_with("content-length: 0\r\n\r\n"));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-security-policy: x\r\n\r\nbody";
        assert_eq!(with_security_headers(ours), None);
        let body_like = b"HTTP/1.1 200 OK\r\nx: y\r\n\r\n";
        assert_eq!(with_security_headers(body_like), None);
        assert_eq!(with_security_headers(b"<html>HTTP/1.1 400\r\n\r\n"), None);
        assert_eq!(with_security_headers(b"HTTP/1.1 400 Bad"), None);
    }
}
