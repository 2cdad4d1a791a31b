//! The HTTP side: site files from the current snapshot, the search API, the live-reload stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use futures_util::stream::Stream;

use serde::Deserialize;

use super::{Live, LiveEvent};
use crate::search::SearchRequest;

/// No inline script or style, nothing from elsewhere, no framing.
/// The site's policy ([`crate::render::CONTENT_SECURITY_POLICY`]) plus what only a header can say.
static CONTENT_SECURITY_POLICY: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    let policy = format!(
        "{}; frame-ancestors 'none'",
        crate::render::CONTENT_SECURITY_POLICY
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

/// The longest request target and header section served; longer ones get 414 and 431 from here,
/// with the security headers (hyper's own refusals only start far above these).
const MAX_URI_BYTES: usize = 8 * 1024;
const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Searches run at most this many at a time; the others wait their turn, holding no memory.
const SEARCHES_AT_ONCE: usize = 4;
/// The longest query searched.
const MAX_QUERY_CHARS: usize = 512;

pub fn router(live: Arc<Live>, hosts: Arc<AllowedHosts>) -> Router {
    Router::new()
        .route("/api/search", get(search))
        .route("/__guidebook/events", get(events))
        .route("/__guidebook/status", get(status))
        .route(
            "/__guidebook/live.js",
            get(|| async { asset(LIVE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/__guidebook/live.css",
            get(|| async { asset(LIVE_CSS, "text/css; charset=utf-8") }),
        )
        .fallback(file)
        .layer(axum::middleware::from_fn(move |request, next| {
            guard(hosts.clone(), request, next)
        }))
        .layer(axum::middleware::map_response(add_security_headers))
        .with_state(live)
}

/// Refuses, before any handler runs: requests for a host name this server is not (DNS
/// rebinding: a page of evil.example whose name now points at 127.0.0.1 must not read the
/// drafts), and request targets or header sections above the limits.
async fn guard(
    hosts: Arc<AllowedHosts>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return (StatusCode::URI_TOO_LONG, "request target too long").into_response();
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large",
        )
            .into_response();
    }
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}"));
    if let Some(host) = host
        && !hosts.allows(host)
    {
        let body = format!(
            "this server does not answer for the host `{host}`; start it with \
             `--allow-host {}` if that name is yours",
            host_name(host)
        );
        return (StatusCode::MISDIRECTED_REQUEST, body).into_response();
    }
    next.run(request).await
}

/// The names and addresses requests may be addressed to (the `Host` header).
#[derive(Debug)]
pub struct AllowedHosts {
    bind: std::net::IpAddr,
    names: Vec<String>,
    /// For an unspecified bind: which addresses were found to be this machine's (a socket
    /// bound once per address, not once per request).
    own: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, bool>>,
}

impl AllowedHosts {
    pub fn new(bind: std::net::IpAddr, extra: &[String]) -> Self {
        Self {
            bind,
            names: extra.iter().map(|n| n.to_ascii_lowercase()).collect(),
            own: Default::default(),
        }
    }

    /// `localhost` (and `*.localhost`, which always resolves to loopback), `--allow-host`
    /// names, and IP addresses: the bound one, or for an unspecified bind (0.0.0.0, ::) any
    /// address of this machine. Other names are refused, whatever they resolve to.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") || self.names.contains(&name) {
            return true;
        }
        let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
        else {
            return false;
        };
        if self.bind.is_unspecified() {
            // An address is this machine's when a socket can be bound to it.
            ip.is_loopback() || self.is_own(ip)
        } else {
            ip == self.bind
        }
    }
}

impl AllowedHosts {
    /// Whether `ip` is an address of this machine: a socket can be bound to it. Remembered for
    /// the first 256 addresses asked about, so a flood of made-up ones cannot grow the memo.
    fn is_own(&self, ip: std::net::IpAddr) -> bool {
        let mut own = match self.own.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(&known) = own.get(&ip) {
            return known;
        }
        let found = std::net::UdpSocket::bind((ip, 0)).is_ok();
        if own.len() < 256 {
            own.insert(ip, found);
        }
        found
    }
}

/// The host part of a `Host` header value (`[::1]:3000` -> `[::1]`, `a.org:80` -> `a.org`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}

/// The headers every response carries, the router's and hyper's own error responses alike
/// (see `conn`).
pub(super) fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY.clone(),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in security_headers() {
        headers.insert(name, value);
    }
    response
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn search(
    State(live): State<Arc<Live>>,
    Query(mut request): Query<SearchRequest>,
) -> Response {
    static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(SEARCHES_AT_ONCE);
    if request.q.chars().count() > MAX_QUERY_CHARS {
        request.q = request.q.chars().take(MAX_QUERY_CHARS).collect();
    }
    let Ok(_turn) = RUNNING.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let snapshot = live.current();
    let Some(index) = &snapshot.index else {
        let body = serde_json::json!({ "error": "search is disabled for this site" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    };
    let index = index.clone();
    let (boost, limit) = (snapshot.title_boost, snapshot.default_limit);
    let answer = tokio::task::spawn_blocking(move || index.search(&request, boost, limit)).await;
    match answer {
        Ok(Ok(response)) => Json(response).into_response(),
        Ok(Err(err)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(serde_json::json!({ "error": err.to_string() })),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn status(State(live): State<Arc<Live>>) -> Response {
    let snapshot = live.current();
    Json(serde_json::json!({ "generation": snapshot.generation, "errors": *snapshot.errors }))
        .into_response()
}

/// Server-sent events: `hello` (current build and errors) on connect, then `reload` after each
/// good build and `errors` after each failed one.
/// The page an event stream was opened from, and the build its file came from.
#[derive(Deserialize)]
struct OpenPage {
    path: Option<String>,
    generation: Option<u64>,
}

async fn events(
    State(live): State<Arc<Live>>,
    Query(page): Query<OpenPage>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let snapshot = live.current();
    // Stale when the page's file was rebuilt since it was loaded (a fast rebuild leaves the
    // files of other pages, and their build numbers, as they were).
    let stale = match (page.path.as_deref().and_then(site_path), page.generation) {
        // The "building" page, opened before the first build was in.
        (_, Some(0)) => !snapshot.before_first_build() && snapshot.errors.is_empty(),
        (Some(path), Some(generation)) => snapshot
            .files
            .get(&path)
            .is_some_and(|asset| asset.generation != generation),
        _ => false,
    };
    let hello = Event::default().event("hello").data(
        serde_json::json!({ "generation": snapshot.generation, "errors": *snapshot.errors, "stale": stale })
            .to_string(),
    );
    let receiver = live.subscribe();
    let updates = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(LiveEvent::Reload(generation)) => {
                    let event = Event::default()
                        .event("reload")
                        .data(generation.to_string());
                    return Some((Ok(event), receiver));
                }
                Ok(LiveEvent::Errors(errors)) => {
                    let event = Event::default()
                        .event("errors")
                        .data(serde_json::to_string(&*errors).unwrap_or_default());
                    return Some((Ok(event), receiver));
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(hello) }),
        updates,
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// A file of the current snapshot, with ETag and conditional GET; the site's 404 page otherwise.
async fn file(
    State(live): State<Arc<Live>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let snapshot = live.current();
    if snapshot.before_first_build() {
        return building();
    }
    let Some(path) = site_path(uri.path()) else {
        return not_found(&snapshot);
    };
    let asset = match (snapshot.files.get(&path), snapshot.deferred.get(&path)) {
        (Some(asset), _) => Some(asset.clone()),
        // Made on this first request, off the async workers (it can take a second).
        (None, Some(deferred)) => {
            let deferred = deferred.clone();
            let made = tokio::task::spawn_blocking(move || {
                deferred.get().cloned().map_err(str::to_string)
            })
            .await
            .unwrap_or_else(|_| Err(format!("making {path} panicked")));
            match made {
                Ok(asset) => Some(asset),
                Err(why) => return server_error(&why),
            }
        }
        (None, None) => None,
    };
    let Some(asset) = asset else {
        // `/frameworks/x` -> `/frameworks/x/` when that folder has an index page.
        if !path.is_empty() && snapshot.has_file(&format!("{path}/index.html")) {
            // Built from the checked path: `//evil.example/x` must not become a
            // protocol-relative redirect to another site.
            let location = format!("/{path}/");
            return (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return not_found(&snapshot);
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    let common = [
        (header::ETAG, asset.etag.clone()),
        (header::CACHE_CONTROL, "no-cache".to_string()),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(header::CONTENT_TYPE, asset.content_type.clone())],
        asset.bytes.clone(),
    )
        .into_response()
}

/// What every page is until the first build is in (at 10,000 guidelines it takes seconds): a
/// page that says so, which the live-reload client reloads as soon as the build is published,
/// or over which it shows the build's errors.
fn building() -> Response {
    const PAGE: &str = concat!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Building the site…</title>",
        "<script src=\"/__guidebook/live.js\" data-generation=\"0\" defer></script>",
        "</head><body><main><h1>Building the site…</h1>",
        "<p>This page reloads by itself as soon as the first complete build is in.</p>",
        "</main></body></html>"
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::RETRY_AFTER, "1"),
        ],
        PAGE,
    )
        .into_response()
}

/// A file of the site that could not be made: said in plain text, never a silent 404.
fn server_error(why: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why.to_string(),
    )
        .into_response()
}

fn not_found(snapshot: &super::Snapshot) -> Response {
    match snapshot.files.get("404.html") {
        Some(page) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, page.content_type.clone())],
            page.bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The snapshot key for a request path, or `None` for anything that tries to leave the site:
/// `..` or `.` segments (also percent-encoded), backslashes, NUL, invalid UTF-8.
pub fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return None,
            s if s.contains('%')
                && percent_decode(s)
                    .is_some_and(|d| d.contains("..") || d.contains('/') || d.contains('\\')) =>
            {
                return None;
            }
            s => segments.push(s),
        }
    }
    let mut path = segments.join("/");
    if decoded.ends_with('/') || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::{AllowedHosts, site_path};

    /// Before the first build is in, every page is a "building" page that reloads itself (the
    /// live client) and says it is not ready (503): never an empty 404.
    #[test]
    fn pages_say_the_site_is_being_built_until_the_first_build() {
        use axum::extract::State;
        use axum::http::{HeaderMap, Method, StatusCode, Uri};
        let live = super::Live::new(super::super::Snapshot::empty());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        for path in ["/", "/guidelines/sd-1.html"] {
            let response = runtime.block_on(super::file(
                State(live.clone()),
                Method::GET,
                Uri::from_static(path),
                HeaderMap::new(),
            ));
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
            let body = runtime
                .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
                .expect("body");
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains("Building the site"), "{body}");
            assert!(body.contains(r#"src="/__guidebook/live.js" data-generation="0""#));
        }
    }

    #[test]
    fn an_unspecified_bind_answers_for_this_machine_only() {
        let hosts = AllowedHosts::new("0.0.0.0".parse().expect("ip"), &["docs.internal".into()]);
        for ok in [
            "localhost:3000",
            "127.0.0.1:3000",
            "0.0.0.0:3000",
            "Docs.Internal:3000",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        // 203.0.113.0/24 is reserved for documentation: no machine has it.
        for refused in [
            "evil.example",
            "203.0.113.9:3000",
            "203.0.113.9",
            "[2001:db8::1]:3000",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
            assert!(!hosts.allows(refused), "{refused} (remembered)");
        }
    }

    #[test]
    fn paths_map_to_snapshot_keys() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/guidelines/sd-1.html").as_deref(),
            Some("guidelines/sd-1.html")
        );
        assert_eq!(
            site_path("/frameworks/x/").as_deref(),
            Some("frameworks/x/index.html")
        );
        assert_eq!(site_path("/a%20b.html").as_deref(), Some("a b.html"));
    }

    #[test]
    fn traversal_is_refused() {
        for raw in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/%252e%252e/etc/passwd",
            "/..%5c..%5cwindows",
            "/a/..\\b",
            "/./index.html",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(site_path(raw), None, "{raw}");
        }
    }
}
