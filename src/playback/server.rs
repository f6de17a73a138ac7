//! The loopback HTTP server that hands cut clips to the webview (WebKitGTK
//! plays `<video>` from plain HTTP only).
//!
//! Bound to 127.0.0.1 on a port the system picks; every request must carry
//! the session's secret as its first path segment (`/SECRET/clip/ID.mp4`),
//! which the window gets over IPC: anything else is refused with 403. Only
//! clips of the [`ClipCache`] are served: a request names a clip id, never
//! a path, and the cache checks the id is 32 hex digits before looking.
//! Byte ranges are answered by tower-http's `ServeFile` (206 with
//! `Content-Range`, 416 when they cannot be met).

use super::ClipCache;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// A running media server; dropping it stops it.
pub struct MediaServer {
    addr: SocketAddr,
    secret: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Served {
    clips: Arc<ClipCache>,
    secret: blake3::Hash,
    /// Origins allowed to read the clips' pixels (the app's own), for
    /// `crossorigin` video.
    origins: Vec<String>,
}

impl MediaServer {
    /// Serves `clips` to requests carrying a new secret, from its own
    /// thread. `origins`: the web origins whose pages may read the pictures
    /// (`Access-Control-Allow-Origin`), the app's own.
    pub fn start(clips: Arc<ClipCache>, origins: Vec<String>) -> std::io::Result<Self> {
        let secret = new_secret()?;
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let served = Arc::new(Served {
            clips,
            secret: blake3::hash(secret.as_bytes()),
            origins,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("media-server")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("media-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        tracing::error!("media server: cannot listen");
                        return;
                    };
                    let app = Router::new()
                        .route("/{secret}/clip/{file}", get(clip))
                        .fallback(refused)
                        .with_state(served);
                    let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                        let _ = stopped.await;
                    });
                    if let Err(e) = serving.await {
                        tracing::error!("media server stopped: {e}");
                    }
                });
            })?;
        Ok(Self {
            addr,
            secret,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/SECRET`: what the window prefixes to
    /// `/clip/ID.mp4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/{}", self.addr, self.secret)
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// 32 random bytes, hex.
fn new_secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Served {
    /// Compares in constant time (hashes compare so).
    fn admits(&self, secret: &str) -> bool {
        blake3::hash(secret.as_bytes()) == self.secret
    }

    /// Lets the app's own pages read the pictures (a `crossorigin` video).
    fn allow_origin(&self, origin: Option<&HeaderValue>, response: &mut Response) {
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        let allowed = origin.filter(|o| self.origins.iter().any(|a| a.as_bytes() == o.as_bytes()));
        if let Some(origin) = allowed {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        }
    }
}

async fn clip(
    State(served): State<Arc<Served>>,
    Path((secret, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    if !served.admits(&secret) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let found = file
        .strip_suffix(".mp4")
        .and_then(|id| served.clips.file(id));
    let Some(path) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let origin = request.headers().get(header::ORIGIN).cloned();
    // ServeFile answers ranges and names the type from the extension.
    let mut response = match ServeFile::new(&path).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    served.allow_origin(origin.as_ref(), &mut response);
    // A clip's id names what it holds: it never changes.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    response
}

/// Anything but a clip: refused.
async fn refused() -> StatusCode {
    StatusCode::FORBIDDEN
}
