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
    // Shutdown tells every connection to finish its request and close (`stop`); those still
    // open at the deadline are aborted.
    let (stop, stopping) = tokio::sync::watch::channel(());
    let mut connections = tokio::task::JoinSet::new();
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
        // Forget connections that have ended.
        while connections.try_join_next().is_some() {}
        let (builder, mut stopping) = (builder.clone(), stopping.clone());
        connections.spawn(async move {
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
        });
    }
    drop(listener);
    stop.send(()).ok();
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(options.shutdown_grace, drained)
        .await
        .is_ok()
    {
        tracing::info!("all connections drained");
    } else {
        tracing::warn!(grace = ?options.shutdown_grace, open = connections.len(), "connections still open at the shutdown deadline; closing them");
        connections.abort_all();
    }
    Ok(())
}

fn with_peer(req: Request<Incoming>, remote: SocketAddr) -> Request {
    let mut req = req.map(Body::new);
    req.extensions_mut().insert(ConnectInfo(remote));
    req
}
