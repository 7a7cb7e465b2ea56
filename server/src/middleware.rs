//! Request-wide concerns: CSRF for cookie sessions, session renewal, the request span.
use app::ssr::error::AppError;
use app::ssr::session::{cookie, session_cookie, SESSION_COOKIE};
use app::ssr::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Cookies ride along on any request a browser makes, so a state change authenticated by cookie
/// must come from our own pages: its Origin (or Referer) must be ours. Bearer tokens are never sent
/// implicitly and need no such check. A foreign Origin is refused even without a cookie (login CSRF).
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.headers().contains_key(header::AUTHORIZATION) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let has_cookie = cookie(headers, SESSION_COOKIE).is_some();
    let verdict = match source {
        Some(src) => same_origin(src, headers, state.settings.public_url.as_deref()),
        None => !has_cookie,
    };
    if verdict {
        next.run(req).await
    } else {
        tracing::warn!(
            origin = %app::ssr::loggable(source.unwrap_or("-")),
            path = %app::ssr::loggable(req.uri().path()),
            "refused: cross-site request (CSRF)"
        );
        AppError::Forbidden(
            "cross-site request refused: the Origin header does not match this site".into(),
        )
        .into_response()
    }
}

/// `src` is an Origin (`scheme://host[:port]`) or a Referer URL; it must name this site.
fn same_origin(src: &str, headers: &axum::http::HeaderMap, public_url: Option<&str>) -> bool {
    let authority = |url: &str| {
        url.split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or("").to_ascii_lowercase())
    };
    let Some(src) = authority(src) else {
        return false;
    };
    if let Some(public) = public_url.and_then(authority) {
        if src == public {
            return true;
        }
    }
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| host.eq_ignore_ascii_case(&src))
}

/// Sliding sessions for the browser: a cookie past half its life comes back renewed, until the
/// session's maximum age. The token version is carried over, so sign-out still ends it.
pub async fn renew_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE);
    let mut res = next.run(req).await;
    let already_set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.starts_with(SESSION_COOKIE)));
    if already_set || !res.status().is_success() {
        return res;
    }
    if let Some(fresh) = token
        .and_then(|t| state.keys.verify(&t))
        .and_then(|claims| app::ssr::service::account::renewed_token(&state, &claims))
    {
        if let Ok(v) = session_cookie(&state, &fresh).parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Headers every answer carries: no content sniffing, no framing, no referrer to other sites;
/// and a Content-Security-Policy on HTML that has none of its own (exports, error pages), which
/// allows no script at all.
/// Problem details (`application/problem+json`) in the request's language: the cookie's, else
/// `Accept-Language`'s.
pub async fn problem_language(req: Request, next: Next) -> Response {
    let lang = app::request_lang(req.headers());
    app::ssr::error::PROBLEM_LANG
        .scope(lang, next.run(req))
        .await
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    use axum::http::HeaderValue;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                 font-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    res
}

pub fn request_span(req: &Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let path = app::ssr::loggable(req.uri().path());
    tracing::info_span!("request", id = %app::ssr::loggable(id), method = %req.method(), path = %path)
}

/// A plain HTML form posted to a server function (before the wasm has loaded, or in a browser
/// without it): a refusal goes back to the page the form is on, with the reason in the address
/// (`__path`, `__err`, the framework's own encoding), where that form shows it. (The framework
/// answers a refusal with its error status and the text alone, which a browser shows as a bare
/// page; a success it already sends back to the page, without an earlier reason.) Scripts and
/// the REST API are left alone.
pub async fn plain_form_answers(req: Request, next: Next) -> Response {
    use base64::Engine;
    let path = req.uri().path().to_string();
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let plain = req.method() == Method::POST
        && path.starts_with("/api/")
        && !path.starts_with("/api/v1/")
        && accepts_html;
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(page_of);
    let res = next.run(req).await;
    let (true, Some(back)) = (plain, back) else {
        return res;
    };
    let status = res.status();
    if status.is_client_error() || status.is_server_error() {
        // A server function's error is short text ("Kind|message"); anything larger is not one.
        let body = axum::body::to_bytes(res.into_body(), 16 * 1024)
            .await
            .unwrap_or_default();
        let err = base64::engine::general_purpose::URL_SAFE.encode(&body);
        let sep = if back.contains('?') { '&' } else { '?' };
        let to = format!("{back}{sep}__path={}&__err={err}", url_escape(&path));
        return see_other(&to);
    }
    res
}

/// The path and query of a same-site page address, without an earlier refusal in it.
fn page_of(referer: &str) -> Option<String> {
    let url = url::Url::parse(referer).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "__path" && k != "__err")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // `//host/x` would read as another site in a Location header.
    let mut page = match url.path() {
        p if p.starts_with("//") => "/".to_string(),
        p => p.to_string(),
    };
    if !kept.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        page = format!("{page}?{query}");
    }
    Some(page)
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn see_other(to: &str) -> Response {
    match axum::http::HeaderValue::from_str(to) {
        Ok(v) => (axum::http::StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => axum::http::StatusCode::BAD_REQUEST.into_response(),
    }
}
