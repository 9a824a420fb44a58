//! Where each connection is (waiting for a header, busy, idle) and since
//! when: the socket reports arriving bytes, each request marks the
//! connection busy until its response body is sent.

use super::Limits;
use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request header.
    Header,
    /// Answering this many requests.
    Busy(usize),
    /// Answered; no byte of the next request yet.
    Idle,
}

/// Where one connection is, and since when.
pub(super) struct Watch {
    state: Mutex<(Phase, Instant)>,
    /// Whether the phase is `Idle`, read on every socket read without the lock.
    idle: AtomicBool,
    pub(super) changed: Notify,
}

impl Watch {
    pub(super) fn new() -> Watch {
        Watch {
            state: Mutex::new((Phase::Header, Instant::now())),
            idle: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    fn set(&self, phase: Phase) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let started = if state.0 == phase {
            state.1
        } else {
            Instant::now()
        };
        *state = (phase, started);
        self.idle.store(phase == Phase::Idle, Ordering::Relaxed);
        drop(state);
        self.changed.notify_one();
    }

    fn update(&self, f: impl FnOnce(Phase) -> Phase) {
        let phase = self.state.lock().unwrap_or_else(|e| e.into_inner()).0;
        self.set(f(phase));
    }

    /// Bytes arrived: after an idle spell, they start a new header.
    fn on_bytes(&self) {
        if self.idle.load(Ordering::Relaxed) {
            self.update(|p| if p == Phase::Idle { Phase::Header } else { p });
        }
    }

    pub(super) fn start_request(self: &Arc<Self>) -> InFlight {
        self.update(|p| match p {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
        InFlight(self.clone())
    }

    pub(super) fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let (phase, since) = *self.state.lock().unwrap_or_else(|e| e.into_inner());
        match phase {
            Phase::Header => Some(since + limits.header_timeout),
            Phase::Idle => Some(since + limits.idle_timeout),
            Phase::Busy(_) => None,
        }
    }
}

/// A request being answered: until its response body is sent (or
/// dropped), the connection is busy.
pub(super) struct InFlight(Arc<Watch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|p| match p {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle,
        });
    }
}

/// The socket, telling the watch when bytes arrive.
pub(super) struct Watched {
    pub(super) inner: TcpStream,
    pub(super) watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.on_bytes();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A response body that keeps its connection busy until it is done.
pub(super) struct Busy {
    pub(super) body: Body,
    pub(super) _busy: InFlight,
}

impl http_body::Body for Busy {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
