//! The HTTP plumbing every source shares: one client, URLs under the configured base, and status
//! and transport failures turned into [`SourceError`]s that name the source.
//!
//! URLs in errors lose their query string: Kavita's authenticate call carries the API key there.

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode, header::HeaderMap};
use url::Url;

use super::model::SourceError;
use super::parse::ParseError;

pub(crate) struct Http {
    pub name: String,
    base: Url,
    client: reqwest::Client,
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
        let client = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| SourceError::Other { source_name: name.into(), detail: format!("HTTP client: {e}") })?;
        Ok(Self { name: name.into(), base: base.clone(), client })
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

    /// Send and read the body, whatever the status. Only transport failures are errors here.
    pub async fn fetch(&self, rb: RequestBuilder) -> Result<Reply, SourceError> {
        let req = rb.build().map_err(|e| self.other(format!("cannot build request: {}", e.without_url())))?;
        let url = public_url(req.url());
        let resp = self.client.execute(req).await.map_err(|e| self.transport(&url, e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(|e| self.transport(&url, e))?.to_vec();
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
        let detail = if e.is_timeout() {
            "timed out".to_owned()
        } else if e.is_connect() {
            "connection refused or host not found".to_owned()
        } else {
            // Without the URL: it may carry a key in its query; ours is already redacted.
            e.without_url().to_string()
        };
        SourceError::Unreachable { source_name: self.name.clone(), url: url.into(), detail }
    }
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

    #[test]
    fn urls_keep_the_base_path_and_drop_queries_in_errors() {
        let http = Http::new("abs", &Url::parse("http://h:1/abs/").unwrap()).unwrap();
        assert_eq!(http.url("/api/me").as_str(), "http://h:1/abs/api/me", "a base path must be kept");
        let u = Url::parse("http://h/api/Plugin/authenticate?apiKey=SECRET").unwrap();
        assert!(!public_url(&u).contains("SECRET"), "an api key in a query must never reach an error message");
    }
}
