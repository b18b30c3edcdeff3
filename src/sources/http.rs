//! The HTTP plumbing every source shares: one client, URLs under the configured base, and status
//! and transport failures turned into [`SourceError`]s that name the source and say what to fix.
//!
//! URLs in errors lose their query string: Kavita's authenticate call carries the API key there.
//! A hostile or broken server cannot stall or flood a sync: bodies are read as a stream and cut at
//! [`MAX_BODY`], the whole exchange has a deadline, and redirects to another host are not followed
//! (credentials in custom headers such as `X-API-Key` would go along).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, LOCATION};
use reqwest::{RequestBuilder, StatusCode, redirect};
use url::Url;

use super::model::SourceError;
use super::parse::ParseError;

/// The largest answer a source may send; no reading server's page comes near it.
pub(crate) const MAX_BODY: usize = 32 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// For the whole exchange, body included: a server that trickles bytes is cut off here.
const TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct Http {
    pub name: String,
    base: Url,
    client: reqwest::Client,
    timeout: Duration,
}

/// A response whose body has been read.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: String,
}

impl Http {
    pub fn new(name: &str, base: &Url) -> Result<Self, SourceError> {
        Self::with_timeouts(name, base, CONNECT_TIMEOUT, TIMEOUT)
    }

    pub fn with_timeouts(name: &str, base: &Url, connect: Duration, total: Duration) -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .connect_timeout(connect)
            .timeout(total)
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| SourceError::Other { source_name: name.into(), detail: format!("HTTP client: {e}") })?;
        Ok(Self { name: name.into(), base: base.clone(), client, timeout: total })
    }

    /// `path` (starting with `/`) under the configured base, which may itself have a path
    /// (a server behind a reverse proxy at `/abs/`).
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.client.patch(self.url(path))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.client.put(self.url(path))
    }

    /// Send and read the body, whatever the status. Only transport failures (and an answer
    /// past [`MAX_BODY`]) are errors here.
    pub async fn fetch(&self, rb: RequestBuilder) -> Result<Reply, SourceError> {
        let req = rb.build().map_err(|e| self.other(format!("cannot build request: {}", e.without_url())))?;
        let url = public_url(req.url());
        let mut resp = self.client.execute(req).await.map_err(|e| self.transport(&url, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let too_large = || {
            self.bad(&url, format!("the answer is larger than {} MiB; stopped reading it", MAX_BODY / (1024 * 1024)))
        };
        if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(&url, e))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply { status, headers, body, url })
    }

    /// Send, and turn a non-2xx status into an error.
    pub async fn send(&self, rb: RequestBuilder) -> Result<Reply, SourceError> {
        let reply = self.fetch(rb).await?;
        self.check(reply)
    }

    pub fn check(&self, reply: Reply) -> Result<Reply, SourceError> {
        match reply.status.as_u16() {
            200..=299 => Ok(reply),
            300..=399 => {
                let to = reply.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("elsewhere");
                let to = Url::parse(to).map_or_else(|_| to.to_owned(), |u| public_url(&u));
                Err(self.other(format!(
                    "{} redirects to {to}, another server; not followed so the credentials stay with the \
                     configured one. If that is the right server, put its address in the url",
                    reply.url
                )))
            }
            status @ (401 | 403) => Err(SourceError::Unauthorized { source_name: self.name.clone(), status }),
            status => Err(SourceError::Http { source_name: self.name.clone(), url: reply.url, status }),
        }
    }

    /// Run a pure parser over a reply's body, naming the source and URL when it fails.
    pub fn parse<T>(
        &self,
        reply: &Reply,
        parser: impl FnOnce(&[u8]) -> Result<T, ParseError>,
    ) -> Result<T, SourceError> {
        parser(&reply.body).map_err(|e| self.bad(&reply.url, e.to_string()))
    }

    pub fn bad(&self, url: &str, detail: String) -> SourceError {
        SourceError::BadResponse { source_name: self.name.clone(), url: url.into(), detail }
    }

    pub fn other(&self, detail: String) -> SourceError {
        SourceError::Other { source_name: self.name.clone(), detail }
    }

    fn transport(&self, url: &str, e: reqwest::Error) -> SourceError {
        let parsed = Url::parse(url).ok();
        let host = parsed.as_ref().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| "the server".into());
        let port = parsed.as_ref().and_then(Url::port_or_known_default).map_or_else(String::new, |p| p.to_string());
        // The whole chain, lowercased: reqwest wraps hyper, which wraps the resolver, io and TLS.
        let mut chain = String::new();
        let mut cur: Option<&dyn std::error::Error> = Some(&e);
        let mut refused = false;
        let mut root = String::new();
        while let Some(err) = cur {
            root = err.to_string();
            chain.push_str(&err.to_string().to_ascii_lowercase());
            chain.push(' ');
            refused |= err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
            cur = err.source();
        }
        let detail = if e.is_timeout() {
            format!(
                "{host} did not answer within {} s: the server may be down, overloaded, or a firewall drops the connection",
                self.timeout.as_secs()
            )
        } else if chain.contains("dns error")
            || chain.contains("failed to lookup address")
            || chain.contains("name or service not known")
        {
            format!("the host name {host} is not known: check its spelling, or use the server's IP address")
        } else if refused || chain.contains("connection refused") {
            format!(
                "nothing answers on port {port} of {host} (connection refused): is the server running, and is the port right?"
            )
        } else if chain.contains("certificate")
            || chain.contains("tls")
            || chain.contains("ssl")
            || chain.contains("corrupt message")
            || chain.contains("invalidcontenttype")
        {
            format!(
                "the secure (https) connection to {host} failed ({}): if the server speaks plain http, use http://; \
                 otherwise give it a valid certificate",
                root
            )
        } else {
            // Without the URL: it may carry a key in its query; ours is already redacted.
            format!("{}; check the url in the config and that the server is running", e.without_url())
        };
        SourceError::Unreachable { source_name: self.name.clone(), url: url.into(), detail }
    }
}

/// A credential for a custom header (`X-API-Key`, `x-auth-key`): marked sensitive so it is kept
/// out of debug output and HTTP/2 header compression tables.
pub(crate) fn secret_header(value: &str) -> HeaderValue {
    let mut v = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""));
    v.set_sensitive(true);
    v
}

/// Follow redirects on the same scheme, host and port only (at most 10). reqwest drops
/// `Authorization` on a cross-host redirect, but not `X-API-Key` or `x-auth-key`.
fn same_origin_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().cloned();
        let same = first.is_some_and(|f| {
            f.scheme() == attempt.url().scheme()
                && f.host_str() == attempt.url().host_str()
                && f.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if attempt.previous().len() > 10 {
            attempt.error("more than 10 redirects")
        } else if same {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The URL without its query (which may hold an API key) or credentials.
fn public_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A server on loopback that reads the request, sends `head`, then `chunk` every `every`
    /// forever (or nothing more when `chunk` is empty).
    async fn serve(head: &'static str, chunk: Vec<u8>, every: Duration) -> Url {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let chunk = chunk.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = sock.read(&mut buf).await;
                    if sock.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    loop {
                        if !chunk.is_empty() && sock.write_all(&chunk).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(every).await;
                    }
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn an_endless_answer_is_cut_at_the_cap() {
        let url =
            serve("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", vec![b' '; 1 << 20], Duration::ZERO)
                .await;
        let http = Http::with_timeouts("abs", &url, Duration::from_secs(5), Duration::from_secs(30)).unwrap();
        let started = std::time::Instant::now();
        let err = http.fetch(http.get("/api/me")).await.err().expect("an endless body must not be read to the end");
        let m = err.to_string();
        assert!(m.starts_with("abs: ") && m.contains("larger than 32 MiB"), "the cap is named with the source: {m}");
        assert!(started.elapsed() < Duration::from_secs(30), "stopped at the cap, not at the deadline");
    }

    #[tokio::test]
    async fn a_trickling_server_is_cut_off_at_the_deadline() {
        let url = serve(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n",
            b"[".to_vec(),
            Duration::from_millis(50),
        )
        .await;
        let http = Http::with_timeouts("komga", &url, Duration::from_secs(5), Duration::from_millis(600)).unwrap();
        let started = std::time::Instant::now();
        let m = http
            .fetch(http.get("/api/v1/books/list"))
            .await
            .err()
            .expect("a server that never finishes fails")
            .to_string();
        assert!(started.elapsed() < Duration::from_secs(5), "the deadline holds for a trickling body");
        assert!(m.contains("did not answer within"), "a timeout is called one: {m}");
    }

    #[tokio::test]
    async fn a_silent_server_times_out_with_a_plain_message() {
        let url = serve("", Vec::new(), Duration::from_secs(3600)).await;
        let http = Http::with_timeouts("kavita", &url, Duration::from_secs(5), Duration::from_millis(300)).unwrap();
        let m = http.fetch(http.get("/api/series/volumes")).await.err().expect("no answer is an error").to_string();
        assert!(m.starts_with("kavita: cannot reach") && m.contains("did not answer within"), "{m}");
    }

    #[test]
    fn credential_headers_are_sensitive() {
        assert!(secret_header("key").is_sensitive(), "a custom credential header is marked sensitive");
    }

    #[test]
    fn urls_keep_the_base_path_and_drop_queries_in_errors() {
        let http = Http::new("abs", &Url::parse("http://h:1/abs/").unwrap()).unwrap();
        assert_eq!(http.url("/api/me").as_str(), "http://h:1/abs/api/me", "a base path must be kept");
        let u = Url::parse("http://h/api/Plugin/authenticate?apiKey=SECRET").unwrap();
        assert!(!public_url(&u).contains("SECRET"), "an api key in a query must never reach an error message");
    }
}
