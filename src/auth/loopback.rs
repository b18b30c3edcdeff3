//! The one-shot loopback HTTP listener that receives the OAuth callback (RFC 8252 §7.3).
//!
//! Hand-rolled on purpose: it answers exactly one kind of request, and an HTTP server framework
//! in the core library would be far more surface than that needs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use url::Url;

use super::AuthError;

/// Connections read at once. The browser opens one or two (the page, a favicon); past a handful,
/// further connections wait in the kernel's queue until a slot frees, so a local process flooding
/// the port costs no memory and cannot push the real callback out.
const MAX_CONNECTIONS: usize = 8;

/// How long a connection may take to send its request: a browser sends it at once.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

pub(crate) struct Loopback {
    listener: TcpListener,
    path: String,
    pub redirect_uri: Url,
    /// Callbacks read so far, kept across [`Loopback::next_callback`] calls: a request still
    /// being read when one callback was turned away is not lost.
    tx: mpsc::Sender<Callback>,
    rx: tokio::sync::Mutex<mpsc::Receiver<Callback>>,
    slots: Arc<Semaphore>,
}

/// A request that reached the callback path; answer it with [`Callback::respond`].
pub(crate) struct Callback {
    pub params: HashMap<String, String>,
    stream: TcpStream,
}

impl Loopback {
    /// Listen on `127.0.0.1:0`, or on the host and port of a configured loopback `redirect_uri`.
    pub async fn bind(configured: Option<&Url>) -> Result<Self, AuthError> {
        let (host, port, path) = match configured {
            Some(u) if u.scheme() != "http" || !matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost")) => {
                return Err(AuthError::BadRedirect(u.to_string()));
            }
            Some(u) => {
                let host = u.host_str().unwrap_or("127.0.0.1").trim_matches(['[', ']']).to_owned();
                (host, u.port().unwrap_or(0), u.path().to_owned())
            }
            None => ("127.0.0.1".to_owned(), 0, "/callback".to_owned()),
        };
        let addr = format!("{host}:{port}");
        let listener = TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|source| AuthError::Listener { addr: addr.clone(), source })?;
        let local = listener.local_addr().map_err(|source| AuthError::Listener { addr, source })?;
        let mut redirect_uri = match configured {
            Some(u) => u.clone(),
            None => Url::parse("http://127.0.0.1/callback").expect("static url"),
        };
        redirect_uri.set_port(Some(local.port())).expect("http urls take ports");
        let (tx, rx) = mpsc::channel(MAX_CONNECTIONS);
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        Ok(Self { listener, path, redirect_uri, tx, rx: tokio::sync::Mutex::new(rx), slots })
    }

    /// Wait for the browser to hit the callback path. Other paths (favicon, probes) get a 404 and
    /// the wait goes on; a connection that never sends a request does not block others.
    pub async fn next_callback(&self) -> Callback {
        let mut rx = self.rx.lock().await;
        loop {
            let next = async {
                let slot = Arc::clone(&self.slots).acquire_owned().await;
                (slot, self.listener.accept().await)
            };
            tokio::select! {
                (slot, accepted) = next => {
                    if let (Ok(slot), Ok((stream, _))) = (slot, accepted) {
                        tokio::spawn(read_request(stream, self.path.clone(), self.tx.clone(), slot));
                    }
                }
                Some(cb) = rx.recv() => return cb,
            }
        }
    }
}

async fn read_request(mut stream: TcpStream, path: String, tx: mpsc::Sender<Callback>, _slot: OwnedSemaphorePermit) {
    let mut buf = Vec::with_capacity(1024);
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        true
    })
    .await;
    if read != Ok(true) {
        return;
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head.lines().next().and_then(|l| l.strip_prefix("GET ")).and_then(|l| l.split(' ').next());
    let url = target.and_then(|t| Url::parse(&format!("http://127.0.0.1{t}")).ok());
    match url {
        Some(u) if u.path() == path => {
            let params = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            let _ = tx.send(Callback { params, stream }).await;
        }
        _ => {
            let _ = write_response(&mut stream, "404 Not Found", "Not found").await;
        }
    }
}

impl Callback {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// Answer the browser with a small readable page, then close the connection.
    pub async fn respond(mut self, ok: bool, message: &str) {
        let (status, title) = if ok {
            ("200 OK", "Connected — you can close this tab")
        } else {
            ("400 Bad Request", "Hardcover Sync could not connect")
        };
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hardcover Sync</title>\
             <style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5}}</style>\
             </head><body><h1>{}</h1><p>{}</p></body></html>",
            escape(title),
            escape(message)
        );
        let _ = write_response(&mut self.stream, status, &html).await;
    }
}

async fn write_response(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// The page shows server-provided text (`error_description`): never let it become markup.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
