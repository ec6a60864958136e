//! Serving HTTP on a listener: hyper's connection builder with timeouts, so that no client
//! can hold a connection (or shutdown) forever, and a graceful shutdown with a deadline.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request},
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::{Layer, ServiceExt, util::MapRequestLayer};

use crate::middleware::trim_trailing_slash;

/// How the server treats slow and idle clients and how long it drains at shutdown.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// A request head (and, on a keep-alive connection, the wait for the next one) must
    /// arrive within this; then the connection is closed.
    pub header_timeout: Duration,
    /// After the shutdown signal, in-flight requests get this long; then the server returns.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains in-flight requests
/// for at most [`ServeOptions::shutdown_grace`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ServeOptions::default()).await
}

/// [`serve`] with explicit options.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> std::io::Result<()> {
    // Trailing slashes are trimmed before routing, so this wraps the router from outside.
    let app = MapRequestLayer::new(trim_trailing_slash).layer(router);
    // HTTP/1.1 only: detecting HTTP/2 first (hyper-util's auto builder) waits for a client's
    // first bytes with no timeout, so silent connections would be held forever.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        // Above the API's own JSON answers for long URIs and header blocks (see
        // `middleware::limit_head`), so clients see those.
        .max_buf_size(256 * 1024);
    // Shutdown tells every connection to finish its request and close (`stop`); each holds a
    // `done` sender, so the receiver ends when the last connection has.
    let (stop, stopping) = tokio::sync::watch::channel(());
    let (done, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors (EMFILE) and the like: back off instead of
                    // spinning; connections already open keep being served.
                    tracing::warn!(error = %e, "accept failed; retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        stream.set_nodelay(true).ok();
        let service = app
            .clone()
            .map_request(move |req: Request<Incoming>| with_peer(req, remote));
        let (builder, mut stopping, done) = (builder.clone(), stopping.clone(), done.clone());
        tokio::spawn(async move {
            let conn = builder
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .with_upgrades();
            tokio::pin!(conn);
            let ended = tokio::select! {
                ended = conn.as_mut() => ended,
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(done);
        });
    }
    drop(listener);
    stop.send(()).ok();
    drop(done);
    tokio::select! {
        _ = all_done.recv() => tracing::info!("all connections drained"),
        _ = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!(grace = ?options.shutdown_grace, "connections still open at the shutdown deadline; closing them");
        }
    }
    Ok(())
}

fn with_peer(req: Request<Incoming>, remote: SocketAddr) -> Request {
    let mut req = req.map(Body::new);
    req.extensions_mut().insert(ConnectInfo(remote));
    req
}
