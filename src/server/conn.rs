//! Accepting and running connections, with the limits `axum::serve` does
//! not have: a cap on open connections, and timeouts for reading a
//! request's header, for reading its body, and for a kept-alive
//! connection that sits idle between requests.
//!
//! Each connection moves between three phases, watched by its own task:
//! waiting for a header (from the accept, or from the first byte after an
//! idle spell: `header_timeout`), busy (a request is being answered: no
//! connection timeout, so a report that takes long or an event stream
//! that stays open is never cut; the body has its own deadline), and idle
//! (the answer is sent, no byte of the next request yet: `idle_timeout`).
//! A connection past its deadline is closed without an answer.

use axum::body::{Body, Bytes};
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// The connection limits of `prefkit serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the accept (or the first byte after an idle spell) to the end
    /// of the request header.
    pub header_timeout: Duration,
    /// From the end of the header to the end of the body.
    pub body_timeout: Duration,
    /// A kept-alive connection with no request under way.
    pub idle_timeout: Duration,
    /// Connections open at once; more wait in the listen queue.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// Connections the kernel may hold for us while every slot is taken
/// (capped by the system, `net.core.somaxconn` on Linux). Tokio's default
/// of 128 overflows quickly once the cap is reached, and an overflowing
/// queue drops or refuses new connections instead of letting them wait.
const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `addr` (`host:port`; the first address that works).
pub async fn bind(addr: &str) -> io::Result<TcpListener> {
    let mut last = None;
    for at in tokio::net::lookup_host(addr).await? {
        let socket = if at.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(at).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address")))
}

/// Accepts connections for ever (the caller stops it). Over the cap, the
/// next connection is accepted only when one closes: until then it waits
/// in the kernel's listen queue, holding no file descriptor here.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return; // never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait a little
                // rather than spin; connections closing will free some.
                eprintln!("prefkit serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Small JSON answers: do not let Nagle's algorithm hold them back.
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, app.clone(), limits, permit));
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection until it ends or misses a deadline.
async fn connection(stream: TcpStream, app: Router, limits: Limits, _slot: OwnedSemaphorePermit) {
    let watch = Arc::new(Watch::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        watch: watch.clone(),
    });
    let on_request = watch.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let busy = on_request.start_request();
        let app = app.clone();
        let deadline = Instant::now() + limits.body_timeout;
        async move {
            let req = req.map(|body| TimeoutBody {
                inner: body,
                deadline,
                sleep: None,
            });
            let res = match app.oneshot(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(res.map(|body| Busy { body, _busy: busy }))
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .without_shutdown();
    tokio::pin!(conn);
    loop {
        let deadline = watch.deadline(&limits);
        let changed = watch.changed.notified();
        tokio::select! {
            ended = conn.as_mut() => {
                if let Ok(parts) = ended {
                    linger(parts.io.into_inner().inner).await;
                }
                return;
            }
            _ = changed => continue,
            _ = sleep_until(deadline) => {
                if watch.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    return; // dropping the connection closes the socket
                }
            }
        }
    }
}

/// Closes a connection the way that lets the client read the answer:
/// our side first, then what the client still sends is read and dropped
/// for a moment. Closing with unread bytes (the rest of a body refused
/// with 413) would send a reset, and the client could lose the answer and
/// take a refusal for a network error.
async fn linger(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const LINGER: Duration = Duration::from_secs(2);
    const MAX_DRAINED: usize = 4 << 20;
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut buf = [0u8; 16 * 1024];
        let mut drained = 0;
        while drained < MAX_DRAINED {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

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
struct Watch {
    state: Mutex<(Phase, Instant)>,
    /// Whether the phase is `Idle`, read on every socket read without the lock.
    idle: AtomicBool,
    changed: Notify,
}

impl Watch {
    fn new() -> Watch {
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

    fn start_request(self: &Arc<Self>) -> InFlight {
        self.update(|p| match p {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
        InFlight(self.clone())
    }

    fn deadline(&self, limits: &Limits) -> Option<Instant> {
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
struct InFlight(Arc<Watch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|p| match p {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle,
        });
    }
}

/// The socket, telling the watch when bytes arrive.
struct Watched {
    inner: TcpStream,
    watch: Arc<Watch>,
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
struct Busy {
    body: Body,
    _busy: InFlight,
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

/// The error of a request body that missed its deadline.
#[derive(Debug)]
pub struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// Whether reading a body failed because it missed its deadline.
pub fn is_body_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut at = Some(e);
    while let Some(e) = at {
        if e.is::<BodyTimeout>() {
            return true;
        }
        at = e.source();
    }
    false
}

/// A request body that fails with [`BodyTimeout`] once its deadline has
/// passed. The deadline counts only while someone waits for the body: an
/// event stream or a GET without a body never meets it.
struct TimeoutBody {
    inner: Incoming,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl http_body::Body for TimeoutBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Fits the connection cap in the process's open-file limit, raising the
/// soft limit up to the hard one if needed. Returns the cap to use and,
/// when it had to be lowered, a warning.
pub fn fit_open_file_limit(wanted: usize) -> (usize, Option<String>) {
    // Listener, database files, readers, standard streams, with room to spare.
    const RESERVE: usize = 64;
    let Some(available) = raise_open_file_limit((wanted + RESERVE) as u64) else {
        return (wanted, None);
    };
    let fits = (available as usize).saturating_sub(RESERVE).max(1);
    if fits >= wanted {
        return (wanted, None);
    }
    let warning = format!(
        "the open-file limit ({available}) leaves room for {fits} connections, not {wanted}: \
         --max-connections is lowered to {fits} (raise the limit with `ulimit -n`)"
    );
    (fits, Some(warning))
}

/// Raises the soft open-file limit towards `needed` (up to the hard
/// limit); returns the soft limit now in force.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` everywhere
fn raise_open_file_limit(needed: u64) -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read or write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        let needed = needed as libc::rlim_t;
        if limit.rlim_cur == libc::RLIM_INFINITY || limit.rlim_cur >= needed {
            return Some(u64::MAX);
        }
        let raised = libc::rlimit {
            rlim_cur: if limit.rlim_max == libc::RLIM_INFINITY {
                needed
            } else {
                needed.min(limit.rlim_max)
            },
            rlim_max: limit.rlim_max,
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
            limit = raised;
        }
    }
    Some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn raise_open_file_limit(_needed: u64) -> Option<u64> {
    None
}
