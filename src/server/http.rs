//! HTTP plumbing shared by every handler, kept apart from the routes so the
//! handlers need not import the router: JSON responses and bodies, the
//! middleware every response passes through (JSON errors, CORS, admin
//! auth, the JSON content type of posts).

use super::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// A JSON response from text that already is JSON.
pub fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}

/// Declared bodies over the limit up to this size are read and dropped
/// before the 413 is sent (see [`read_body`]).
const DRAIN_OVER_LIMIT: u64 = 8 << 20;

/// Reads the whole body, refusing more than `limit` bytes (413) and a body
/// that does not arrive within the body timeout (408).
pub async fn read_body(limit: usize, req: Request) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "request body is larger than the limit of {limit} bytes; send less per request"
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        // Read and drop a body that is not far over the limit before
        // answering: closing a connection with unread bytes sends a reset,
        // which can make the client lose the answer. Bigger ones are
        // answered at once (the connection then closes).
        if n <= DRAIN_OVER_LIMIT {
            use futures_util::StreamExt;
            let mut data = req.into_body().into_data_stream();
            while let Some(Ok(_)) = data.next().await {}
        }
        return Err(too_large());
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            if super::conn::is_body_timeout(&e) {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body did not arrive in time; send it again",
                )
            } else {
                too_large()
            }
        })
}

/// Parses a body as JSON, with the parser's line and column on failure.
pub fn parse_json(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "request body is empty; expected JSON",
        ));
    }
    // Keys given twice are refused, as in every file prefkit reads.
    serde_json::from_slice::<prefkit::json::Strict>(body)
        .map(|s| s.0)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))
}

/// Turns every error response that is not already JSON (unknown paths,
/// wrong methods, bad query strings) into `{"error": "..."}`.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let message = match status {
        StatusCode::NOT_FOUND => format!("not found: {path}"),
        StatusCode::METHOD_NOT_ALLOWED => format!("method {method} is not allowed on {path}"),
        StatusCode::PAYLOAD_TOO_LARGE => "request body is too large".to_string(),
        s if s.is_server_error() => "internal error".to_string(),
        s => format!(
            "bad request: {}",
            s.canonical_reason().unwrap_or("refused").to_lowercase()
        ),
    };
    ApiError::new(status, message).into_response()
}

/// Posts must say `Content-Type: application/json` (parameters such as
/// `; charset=utf-8` allowed). A browser sends `text/plain`, form and
/// multipart posts to another site without asking first (no CORS
/// preflight), so accepting them would let any page store annotations.
pub async fn require_json(req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if given.as_deref().is_some_and(is_json_type) {
        return next.run(req).await;
    }
    let got = match given {
        Some(t) => format!("got \"{}\"", t.chars().take(100).collect::<String>()),
        None => "got none".to_string(),
    };
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("send the body as JSON with `Content-Type: application/json` ({got})"),
    )
    .into_response()
}

/// `application/json`, in any case, with or without parameters.
fn is_json_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Requester endpoints need `Authorization: Bearer <token>` (the scheme in
/// any case; the event stream also takes `?token=`, percent-encoded, since
/// a browser `EventSource` cannot set headers).
pub async fn require_admin(State(token): State<Arc<str>>, req: Request, next: Next) -> Response {
    let query_token = if req.uri().path().ends_with("/events") {
        req.uri().query().and_then(|q| query_value(q, "token"))
    } else {
        None
    };
    let given = bearer_token(req.headers()).or(query_token);
    match given {
        Some(t) if same(t.as_bytes(), token.as_bytes()) => next.run(req).await,
        Some(_) => {
            ApiError::new(StatusCode::UNAUTHORIZED, "the admin token is wrong").into_response()
        }
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this endpoint needs the admin token: send `Authorization: Bearer <token>`",
        )
        .into_response(),
    }
}

/// The token of `Authorization: Bearer TOKEN` (the scheme is case-blind,
/// RFC 9110 section 11.1).
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The percent-decoded value of `key` in a query string. `+` stays `+`:
/// tokens are sent with `encodeURIComponent`, which encodes a space as
/// `%20`, and a token may well contain a `+`.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .map(percent_decode)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who may call from another site (`--cors-origin`).
///
/// The annotator's side (the public endpoints and the static files: the
/// page, its scripts and the wasm module, which a host page's `<script
/// type=module>` can only load with CORS) answers any origin unless
/// origins are named, then only those. The requester's side (task upload,
/// report, export, events) answers only origins named explicitly: `*`
/// does not open it, so a page elsewhere cannot use a token it got hold
/// of from a requester's browser.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    named: Vec<HeaderValue>,
    any: bool,
}

impl Cors {
    pub fn new(origins: &[String]) -> Cors {
        let any = origins.is_empty() || origins.iter().any(|o| o.trim() == "*");
        let named = origins
            .iter()
            .map(|o| o.trim().trim_end_matches('/'))
            .filter(|o| *o != "*" && !o.is_empty())
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        Cors { named, any }
    }

    /// The `Access-Control-Allow-Origin` value for `origin` on a public
    /// or a requester endpoint, if it is allowed.
    fn grant(&self, origin: &HeaderValue, public: bool) -> Option<HeaderValue> {
        if self.named.iter().any(|o| o.as_bytes() == origin.as_bytes()) {
            Some(origin.clone())
        } else if public && self.any {
            Some(HeaderValue::from_static("*"))
        } else {
            None
        }
    }
}

/// Headers a page may send to the public endpoints (`X-Prefkit-Sig`: the
/// signature of a signed annotator link).
const PUBLIC_HEADERS: &str = "content-type, x-prefkit-sig";
/// Headers the requester's dashboard sends.
const ADMIN_HEADERS: &str = "content-type, authorization, last-event-id";

/// Whether `method path` is on the annotator's side: the public API
/// endpoints and every static file. Every other `/api/` endpoint is the
/// requester's, so a new endpoint is closed to other sites until it is
/// listed here.
pub fn is_public(method: &Method, path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api") else {
        return true; // static files
    };
    let parts: Vec<&str> = rest.split('/').skip(1).collect();
    if method == Method::POST {
        return parts == ["annotations"];
    }
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    matches!(
        parts.as_slice(),
        ["health"] | ["tasks"] | ["tasks", _] | ["tasks", _, "batch"]
    )
}

/// The CORS middleware: answers preflights itself and adds the grant to
/// the responses of allowed cross-origin requests.
pub async fn cors(State(cors): State<Arc<Cors>>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return next.run(req).await; // same origin or not a browser
    };
    let preflight_method = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| Method::from_bytes(m.as_bytes()).ok());
    if req.method() == Method::OPTIONS {
        if let Some(method) = preflight_method {
            let public = is_public(&method, req.uri().path());
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.insert(
                header::VARY,
                HeaderValue::from_static(
                    "origin, access-control-request-method, access-control-request-headers",
                ),
            );
            if let Some(grant) = cors.grant(&origin, public) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, grant);
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static(if public {
                        PUBLIC_HEADERS
                    } else {
                        ADMIN_HEADERS
                    }),
                );
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("3600"),
                );
            }
            return res;
        }
    }
    let public = is_public(req.method(), req.uri().path());
    let mut res = next.run(req).await;
    if let Some(grant) = cors.grant(&origin, public) {
        let h = res.headers_mut();
        if grant != "*" {
            h.append(header::VARY, HeaderValue::from_static("origin"));
        }
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, grant);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_with_parameters_and_any_case_are_json() {
        assert!(is_json_type("application/json"));
        assert!(is_json_type("Application/JSON; charset=utf-8"));
        assert!(is_json_type(" application/json ;charset=UTF-8"));
        assert!(!is_json_type("text/plain"));
        assert!(!is_json_type("application/x-www-form-urlencoded"));
        assert!(!is_json_type("application/jsonp"));
        assert!(!is_json_type(""));
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let mut h = HeaderMap::new();
        for value in ["Bearer abc", "bearer abc", "BEARER  abc ", "bEaReR abc"] {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            assert_eq!(bearer_token(&h).as_deref(), Some("abc"), "{value}");
        }
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearerabc"));
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn the_query_token_is_percent_decoded_and_a_plus_stays() {
        assert_eq!(
            query_value("a=1&token=x%2By%2F%3D", "token").unwrap(),
            "x+y/="
        );
        assert_eq!(query_value("token=a+b", "token").unwrap(), "a+b");
        assert_eq!(query_value("token=bad%zz", "token").unwrap(), "bad%zz");
        assert_eq!(query_value("tokens=1", "token"), None);
    }

    #[test]
    fn only_the_listed_annotator_endpoints_and_static_files_are_public() {
        assert!(is_public(&Method::GET, "/api/health"));
        assert!(is_public(&Method::GET, "/api/tasks"));
        assert!(is_public(&Method::GET, "/api/tasks/t1"));
        assert!(is_public(&Method::GET, "/api/tasks/t1/batch"));
        assert!(is_public(&Method::POST, "/api/annotations"));
        assert!(is_public(&Method::GET, "/pkg/prefkit_bg.wasm"));
        assert!(!is_public(&Method::POST, "/api/tasks"));
        assert!(!is_public(&Method::GET, "/api/tasks/t1/report"));
        assert!(!is_public(&Method::GET, "/api/tasks/t1/annotations.jsonl"));
        assert!(!is_public(&Method::GET, "/api/tasks/t1/events"));
        assert!(!is_public(&Method::GET, "/api/tasks/t1/something-new"));
    }

    #[test]
    fn a_star_opens_the_public_side_only() {
        let origin = HeaderValue::from_static("https://a.example");
        let star = Cors::new(&["*".to_string()]);
        assert_eq!(star.grant(&origin, true).unwrap(), "*");
        assert!(star.grant(&origin, false).is_none());
        let named = Cors::new(&["https://a.example/".to_string()]);
        assert_eq!(named.grant(&origin, false).unwrap(), "https://a.example");
        let other = HeaderValue::from_static("https://b.example");
        assert!(named.grant(&other, true).is_none());
        assert_eq!(Cors::new(&[]).grant(&other, true).unwrap(), "*");
    }
}
