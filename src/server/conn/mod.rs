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
//!
//! Here: the listener and the accept loop, and each connection's loop
//! against its deadline. The phases are tracked in [`watch`], the request
//! body's deadline is [`body`], and the cap is fitted to the process's
//! open-file limit in [`open_files`].

mod body;
mod open_files;
mod watch;

pub use body::is_body_timeout;
pub use open_files::fit_open_file_limit;

use axum::Router;
use body::TimeoutBody;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;
use watch::{Busy, Watch, Watched};

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
