//! Connection-level faults: reset, close without a response, garbage then close — things an
//! HTTP response cannot express, done to the TCP socket itself.
//!
//! The server wraps every accepted socket in [`FaultIo`] (below TLS, so garbage is garbage on
//! the wire) and puts the socket's [`ConnectionHandle`] in each request's extensions. A rule's
//! middleware *arms* the handle and returns a placeholder response; the next time hyper touches
//! the socket — to write that response, or to read — `FaultIo` performs the fault instead and
//! fails the I/O, so hyper drops the connection. For a reset, `SO_LINGER` is set to zero first,
//! which makes that drop a RST. On HTTP/2 the fault takes the whole connection down, as a real
//! network fault would.
//!
//! The handle also carries the server's "shutting down" signal, so a `hang` lasts until
//! shutdown rather than past the drain timeout.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::Bytes;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::util::MapRequest;
use tower::ServiceExt;

/// What to do to the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionFault {
    Reset,
    Close,
    Garbage(Bytes),
}

/// One accepted connection, as the middleware sees it.
#[derive(Clone)]
pub struct ConnectionHandle(Arc<Shared>);

struct Shared {
    /// Checked on every I/O call; the mutex is taken only once it is set.
    armed: AtomicBool,
    fault: Mutex<Option<ConnectionFault>>,
    closing: watch::Receiver<bool>,
}

impl ConnectionHandle {
    /// `closing` turns `true` when the server starts shutting down.
    pub fn new(closing: watch::Receiver<bool>) -> Self {
        Self(Arc::new(Shared { armed: AtomicBool::new(false), fault: Mutex::new(None), closing }))
    }

    /// The next I/O on this connection performs `fault` instead.
    pub fn arm(&self, fault: ConnectionFault) {
        *self.0.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(fault);
        self.0.armed.store(true, Ordering::Release);
    }

    /// Resolves once the server is shutting down.
    pub async fn closing(&self) {
        let mut closing = self.0.closing.clone();
        // An error means the server is gone: that is shutdown too.
        let _ = closing.wait_for(|c| *c).await;
    }

    fn take(&self) -> Option<ConnectionFault> {
        if !self.0.armed.load(Ordering::Acquire) {
            return None;
        }
        self.0.fault.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl std::fmt::Debug for ConnectionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionHandle").field("armed", &self.0.armed.load(Ordering::Relaxed)).finish()
    }
}

/// The router with every request carrying this connection's handle.
pub fn with_handle(router: Router, handle: ConnectionHandle) -> MapRequest<Router, impl FnMut(Request<Incoming>) -> Request<Incoming> + Clone> {
    router.map_request(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        request
    })
}

/// A TCP stream that performs its handle's fault on the first I/O after it is armed.
pub struct FaultIo {
    inner: TcpStream,
    handle: ConnectionHandle,
    state: State,
}

enum State {
    Normal,
    /// Writing garbage; then shut down.
    Garbage(Bytes),
    ShuttingDown,
    Done,
}

impl FaultIo {
    pub fn new(inner: TcpStream, handle: ConnectionHandle) -> Self {
        Self { inner, handle, state: State::Normal }
    }

    /// `Ready(error)` once the fault is done; every later call fails the same way.
    fn poll_fault(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            match &mut self.state {
                State::Normal => match self.handle.take() {
                    None => return Poll::Ready(io::Error::other("fault state lost")),
                    Some(ConnectionFault::Reset) => {
                        // A zero linger never blocks: the close that follows sends RST at once.
                        let _ = self.inner.set_zero_linger();
                        self.state = State::Done;
                        return Poll::Ready(io::ErrorKind::ConnectionReset.into());
                    }
                    Some(ConnectionFault::Close) => {
                        self.discard_unread();
                        self.state = State::ShuttingDown;
                    }
                    Some(ConnectionFault::Garbage(bytes)) => {
                        self.discard_unread();
                        self.state = State::Garbage(bytes);
                    }
                },
                State::Garbage(bytes) => {
                    if bytes.is_empty() {
                        self.state = State::ShuttingDown;
                        continue;
                    }
                    match Pin::new(&mut self.inner).poll_write(cx, bytes) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Ok(n)) => {
                            let _ = bytes.split_to(n.min(bytes.len()));
                        }
                        Poll::Ready(Err(_)) => self.state = State::ShuttingDown,
                    }
                }
                State::ShuttingDown => {
                    if Pin::new(&mut self.inner).poll_shutdown(cx).is_pending() {
                        return Poll::Pending;
                    }
                    self.state = State::Done;
                }
                State::Done => return Poll::Ready(io::ErrorKind::ConnectionAborted.into()),
            }
        }
    }

    /// Reads whatever the client already sent, so closing sends FIN rather than RST (Linux
    /// resets a socket closed with unread data).
    fn discard_unread(&mut self) {
        let mut scratch = [0u8; 4096];
        while matches!(self.inner.try_read(&mut scratch), Ok(n) if n > 0) {}
    }

    fn faulted(&self) -> bool {
        !matches!(self.state, State::Normal) || self.handle.0.armed.load(Ordering::Acquire)
    }
}

impl AsyncRead for FaultIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.faulted() {
            return this.poll_fault(cx).map(Err);
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.faulted() {
            return this.poll_fault(cx).map(Err);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.faulted() {
            return this.poll_fault(cx).map(Err);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.faulted() {
            return this.poll_fault(cx).map(Err);
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.faulted() {
            return this.poll_fault(cx).map(Err);
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
