//! The reference KOReader sync server's error answers, in words a person can act on.
//!
//! Its statuses do not mean what they mean elsewhere: a 403 is a request body it refused (a bug
//! on our side, never a password problem), a 412 an Accept header it did not get, a 402 a
//! registration refused. Each comes with a JSON `{code, message}`.

use serde::Deserialize;

use super::super::http::{Http, Reply};
use super::super::model::SourceError;

/// The `{code, message}` the server answers errors with.
#[derive(Debug, Deserialize)]
struct ServerError {
    code: Option<u32>,
    message: Option<String>,
}

pub(super) fn is_html(reply: &Reply) -> bool {
    let ct = reply.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    ct.starts_with("text/html") || reply.body.trim_ascii_start().starts_with(b"<")
}

/// Turn a non-2xx answer into the error that says what to fix.
pub(super) fn check(http: &Http, reply: Reply) -> Result<Reply, SourceError> {
    let status = reply.status.as_u16();
    if (200..300).contains(&status) {
        return Ok(reply);
    }
    let e: Option<ServerError> = serde_json::from_slice(&reply.body).ok();
    let code = e.as_ref().and_then(|e| e.code);
    let said = e.and_then(|e| e.message).map(|m| format!(": \"{m}\"")).unwrap_or_default();
    let other = |detail: String| Err(SourceError::Other { source_name: http.name.clone(), detail });
    match (status, code) {
        (401, _) => Err(SourceError::Unauthorized { source_name: http.name.clone(), status }),
        (403, Some(c @ (2003 | 2004))) => other(format!(
            "the server refused the request body (HTTP 403, code {c}{said}). This is a bug in Hardcover Sync, not a \
             password problem: please report it"
        )),
        (412, _) => other(format!(
            "this is not a KOReader sync server, or a proxy in front of it strips the Accept header (HTTP 412{})",
            code.map(|c| format!(", code {c}")).unwrap_or_default()
        )),
        (402, Some(2002)) => other("this username is already registered on the server: pick another one".into()),
        (402, Some(2005)) => other(
            "the server does not accept new registrations: ask its admin for an account, or use an existing one".into(),
        ),
        (404, _) if is_html(&reply) => other(format!(
            "there is no KOReader sync server at {} (HTTP 404 with a web page): check the url, including any path \
             a reverse proxy serves it under",
            reply.url
        )),
        _ => http.check(reply),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

    use super::*;

    fn answer(status: u16, content_type: &str, body: &str) -> String {
        let http = Http::new("koreader", &url::Url::parse("http://nas.local:7200/").unwrap()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        let reply = Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
            url: "http://nas.local:7200/users/auth".into(),
        };
        let err = check(&http, reply).err().expect("an error status is an error");
        let message = err.to_string();
        assert!(message.starts_with("koreader: "), "the message names the source: {message}");
        message
    }

    #[test]
    fn unauthorized_says_check_the_password() {
        let m = answer(401, "application/json", r#"{"code":2001,"message":"Unauthorized"}"#);
        assert!(m.contains("credentials") && m.contains("password"), "a 401 is a wrong username or password: {m}");
    }

    #[test]
    fn refused_body_is_a_bug_report_never_a_password_problem() {
        for code in [2003, 2004] {
            let m = answer(403, "application/json", &format!(r#"{{"code":{code},"message":"Invalid request"}}"#));
            assert!(m.contains("refused the request body") && m.contains("report"), "a 403 {code} is our bug: {m}");
            assert!(m.contains("not a password problem"), "a 403 {code} must not send the user to their password: {m}");
        }
    }

    #[test]
    fn precondition_failed_is_not_a_kosync_server_or_a_proxy_stripping_accept() {
        let m = answer(412, "application/json", r#"{"code":100,"message":"Accept header not set."}"#);
        assert!(m.contains("not a KOReader sync server") && m.contains("Accept header"), "{m}");
    }

    #[test]
    fn username_taken_is_a_registration_message() {
        let m = answer(402, "application/json", r#"{"code":2002,"message":"Username is already registered."}"#);
        assert!(m.contains("already registered"), "{m}");
    }

    #[test]
    fn registration_disabled_is_a_registration_message() {
        let m = answer(402, "application/json", r#"{"code":2005,"message":"User registration is disabled."}"#);
        assert!(m.contains("does not accept new registrations") && m.contains("admin"), "{m}");
    }

    #[test]
    fn html_not_found_is_no_kosync_server_at_this_url() {
        let m = answer(404, "text/html", "<html><head><title>404 Not Found</title></head></html>");
        assert!(m.contains("no KOReader sync server at") && m.contains("check the url"), "{m}");
    }
}
