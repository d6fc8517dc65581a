//! Request guards that apply to every route.

use app::api::ssr::{SessionUser, USER_KEY};
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Refuses a request that changes anything when the browser says it came from another site.
/// Leptos server functions have no CSRF protection of their own; this is it.
pub async fn same_origin(
    State(public_origin): State<Option<String>>,
    req: Request,
    next: Next,
) -> Response {
    if is_safe(req.method()) || is_same_site(req.headers(), public_origin.as_deref()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response()
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

fn is_same_site(h: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(site) = h.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin") | Ok("none")) {
            return false;
        }
    }
    match h.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("null")) {
        None => true,
        Some(origin) => match public_origin {
            Some(p) => origin.eq_ignore_ascii_case(p),
            None => {
                let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
                let bare = origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"))
                    .unwrap_or("");
                !host.is_empty() && bare.eq_ignore_ascii_case(host)
            }
        },
    }
}

/// Files and health: no session is read for them.
fn is_asset(path: &str) -> bool {
    matches!(path, "/health" | "/favicon.svg" | "/robots.txt") || path.starts_with("/pkg/")
}

/// Paths anyone may reach: the sign-in screen, its assets, and health.
fn is_public(path: &str) -> bool {
    // The live stream answers a signed-out browser itself (`live::ended`).
    matches!(path, "/sign-in" | "/api/sign_in_notice" | "/api/me" | crate::live::PATH) || is_asset(path)
}

/// What a user signed in with a temporary password may reach: the password change, and
/// signing out (the page's header asks who is signed in).
fn while_changing_password(path: &str) -> bool {
    matches!(path, "/change-password" | "/api/account/password_form" | "/api/account/change_password" | "/sign-out")
}

/// Anything else, before the temporary password is changed: a page goes to the change; any
/// other request is refused (403), whatever URL was typed.
fn change_password_first(req: &Request) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) && !req.uri().path().starts_with("/api/") {
        return Redirect::to("/change-password").into_response();
    }
    let body = serde_json::to_string(&AppError::Forbidden("Change your temporary password before you do anything else.".into())).unwrap_or_default();
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Whether a session that began at `signed_in_at` has outlived `lifetime_seconds`.
fn outlived(signed_in_at: Option<i64>, now: i64, lifetime_seconds: i64) -> bool {
    signed_in_at.is_none_or(|t| now - t >= lifetime_seconds || now < t - 300)
}

/// Every page but sign-in needs a session: a page request is sent to sign in and brought
/// back afterwards; any other request gets 401. A session ends after its absolute lifetime
/// (`lifetime_seconds` from sign-in) however busy it has been, as well as when idle.
pub async fn require_sign_in(State(lifetime_seconds): State<i64>, session: Session, req: Request, next: Next) -> Response {
    if is_asset(req.uri().path()) {
        return next.run(req).await;
    }
    let user = session.get::<SessionUser>(USER_KEY).await.ok().flatten();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let user = match user {
        Some(u) if outlived(u.signed_in_at, now, lifetime_seconds) => {
            let _ = session.flush().await;
            None
        }
        u => u,
    };
    let path = req.uri().path();
    if is_public(path) {
        return next.run(req).await;
    }
    if let Some(u) = user {
        touch(&session).await;
        if u.must_change_password && !while_changing_password(path) {
            return change_password_first(&req);
        }
        return next.run(req).await;
    }
    if matches!(*req.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/") {
        let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = if wanted == "/" {
            "/sign-in".to_string()
        } else {
            format!("/sign-in?next={}", urlencode(wanted))
        };
        return Redirect::to(&target).into_response();
    }
    let body = serde_json::to_string(&AppError::SignInRequired).unwrap_or_default();
    (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The session key holding when the session was last written for activity (Unix seconds).
const TOUCHED_KEY: &str = "touched";
/// Activity pushes the idle timeout back, which means writing the session. Once a minute is
/// enough for a 30-minute timeout, and spares a database write on every other request.
const TOUCH_EVERY_SECONDS: i64 = 60;

fn touch_due(last: Option<i64>, now: i64) -> bool {
    last.is_none_or(|t| now - t >= TOUCH_EVERY_SECONDS || now < t)
}

/// Marks the session changed (so it is saved with a new expiry) when it is due.
async fn touch(session: &Session) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if touch_due(session.get::<i64>(TOUCHED_KEY).await.ok().flatten(), now) {
        let _ = session.insert(TOUCHED_KEY, now).await;
    }
}

/// The Content-Security-Policy of a page: its own scripts and WebAssembly, and the inline
/// hydration scripts Leptos marks with this response's `nonce`; nothing from elsewhere, and
/// never inside another site's frame.
pub fn page_policy(nonce: &str) -> String {
    // `cargo leptos watch` reloads the page over a WebSocket on its own port. Read once: the
    // environment is read under a process-wide lock, and this runs for every page.
    static RELOAD: std::sync::OnceLock<&str> = std::sync::OnceLock::new();
    let reload = *RELOAD.get_or_init(|| if std::env::var_os("LEPTOS_WATCH").is_some() { " ws:" } else { "" });
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// This request's CSP nonce: made here, given to Leptos for its inline scripts (see
/// `startup::router`), and named in the page's policy. Both ends are ours, so a page can never
/// go out with scripts marked for one nonce under a policy naming another.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn new() -> Self {
        Self(format!("{:032x}", rand::random::<u128>()))
    }
}

/// Headers on every response. Pages and server-function answers hold personal data (and
/// searches put names and passport numbers in URLs): never cached, never sent as a referrer
/// to another site, never framed. `hsts` when the site is served over HTTPS.
pub async fn security_headers(State(hsts): State<bool>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Every page: its own scripts, WebAssembly, and inline scripts carrying this nonce. A PDF
    // gets no policy: Chromium shows it in a viewer a policy would block.
    if content_type.starts_with("text/html") {
        if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce.0)) {
            h.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    let personal = content_type.starts_with("text/html") || content_type.starts_with("application/json") || content_type.is_empty();
    if personal && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_site_rules() {
        let host = ("host", "127.0.0.1:3000");
        assert!(is_same_site(&headers(&[host]), None));
        assert!(is_same_site(&headers(&[host, ("origin", "http://127.0.0.1:3000")]), None));
        assert!(is_same_site(&headers(&[host, ("sec-fetch-site", "same-origin")]), None));
        assert!(!is_same_site(&headers(&[host, ("origin", "http://evil.example")]), None));
        assert!(!is_same_site(&headers(&[host, ("origin", "null")]), None));
        assert!(!is_same_site(&headers(&[host, ("sec-fetch-site", "cross-site")]), None));
        assert!(!is_same_site(&headers(&[host, ("sec-fetch-site", "same-site")]), None));
        assert!(is_same_site(
            &headers(&[host, ("origin", "https://sms.example")]),
            Some("https://sms.example")
        ));
    }

    #[test]
    fn activity_writes_the_session_once_a_minute() {
        assert!(touch_due(None, 1_000));
        assert!(!touch_due(Some(1_000), 1_000));
        assert!(!touch_due(Some(1_000), 1_059));
        assert!(touch_due(Some(1_000), 1_060));
        assert!(touch_due(Some(1_000), 900), "a clock that went back");
    }

    #[test]
    fn a_session_ends_at_its_absolute_lifetime() {
        let twelve_hours = 12 * 3600;
        assert!(!outlived(Some(1_000), 1_000, twelve_hours));
        assert!(!outlived(Some(1_000), 1_000 + twelve_hours - 1, twelve_hours));
        assert!(outlived(Some(1_000), 1_000 + twelve_hours, twelve_hours));
        assert!(outlived(None, 1_000, twelve_hours), "a session from before the rule");
        assert!(outlived(Some(10_000), 1_000, twelve_hours), "signed in far in the future");
    }

    #[test]
    fn encodes_next() {
        assert_eq!(urlencode("/view-cos?q=a b&x=1"), "/view-cos%3Fq%3Da%20b%26x%3D1");
    }
}

/// A request that has not been answered within `limit` gets the busy page (503, Retry-After)
/// instead of a connection left hanging; what it was doing is dropped (a transaction not yet
/// committed rolls back).
pub async fn time_limit(State(limit): State<std::time::Duration>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(%path, "request timed out after {limit:?}");
            busy()
        }
    }
}

/// "The service is busy", as a plain page with 503 and Retry-After: for the answers made
/// outside Leptos's pages (time limit, file routes); pages and server functions say the same
/// through `AppError::Busy`.
pub fn busy() -> Response {
    let body = "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>The service is busy - Sponsorship Management System</title></head>\
        <body><main><h1>The service is busy</h1><p>The service is busy. Try again in a moment.</p>\
        <p>Nothing has been changed.</p></main></body></html>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, HeaderValue::from_static(app::error::RETRY_AFTER_SECONDS)),
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}
