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

pub fn router(live: Arc<Live>) -> Router {
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
        .layer(axum::middleware::map_response(security_headers))
        .with_state(live)
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY.clone(),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
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

async fn search(State(live): State<Arc<Live>>, Query(request): Query<SearchRequest>) -> Response {
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
    let Some(path) = site_path(uri.path()) else {
        return not_found(&snapshot);
    };
    let asset = match (snapshot.files.get(&path), snapshot.deferred.get(&path)) {
        (Some(asset), _) => Some(asset.clone()),
        // Made on this first request, off the async workers (it can take a second).
        (None, Some(deferred)) => {
            let deferred = deferred.clone();
            tokio::task::spawn_blocking(move || deferred.get().cloned())
                .await
                .ok()
                .flatten()
        }
        (None, None) => None,
    };
    let Some(asset) = asset else {
        // `/frameworks/x` -> `/frameworks/x/` when that folder has an index page.
        if !path.is_empty() && snapshot.has_file(&format!("{path}/index.html")) {
            let location = format!("{}/", uri.path());
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
    use super::site_path;

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
