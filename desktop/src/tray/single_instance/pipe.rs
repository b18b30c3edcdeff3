//! Windows: the first instance creates a per-user named pipe with `first_pipe_instance`, which
//! Windows refuses to a second creator; a later launch connects to it and writes its request.
//! (A named mutex would guard as well, but could not carry the request; the pipe does both, with
//! tokio's safe API.)

use std::io::ErrorKind;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions};

use super::{Claim, OnRequest, Request};

/// The task answering later launches: aborting it gives the name up.
pub type Held = tokio::task::JoinHandle<()>;

/// One name per user: two people signed in to one PC each get their own tray.
fn pipe_name() -> String {
    let user = std::env::var("USERNAME").unwrap_or_default();
    let user: String = user.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!(r"\\.\pipe\dev.hardcoversync.desktop.{user}")
}

/// Windows' answer when every instance of the pipe is serving another client.
const ERROR_PIPE_BUSY: i32 = 231;

pub async fn claim(request: Request, on_request: OnRequest) -> Claim {
    let name = pipe_name();
    // Ask first: Wine does not refuse a second `first_pipe_instance`, Windows does; asking first
    // works on both, and the flag still closes the race of two launches at the same moment.
    match ClientOptions::new().open(&name) {
        Ok(client) => {
            send(client, request).await;
            return Claim::Second;
        }
        Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) => {
            hand_over(&name, request).await;
            return Claim::Second;
        }
        Err(_) => {}
    }
    match ServerOptions::new().first_pipe_instance(true).create(&name) {
        Ok(first) => Claim::First(tokio::spawn(serve(name, first, on_request))),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            hand_over(&name, request).await;
            Claim::Second
        }
        Err(e) => Claim::Unavailable(e.to_string()),
    }
}

/// Answer each later launch in turn, for as long as the tray runs.
async fn serve(name: String, mut server: NamedPipeServer, on_request: OnRequest) {
    loop {
        if let Err(e) = server.connect().await {
            tracing::warn!("single instance pipe: {e}");
        } else {
            let mut line = String::new();
            // One short line; a client that sends nothing in time is dropped.
            let mut reader = BufReader::new(&mut server);
            match tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await {
                Ok(Ok(_)) => match Request::from_word(&line) {
                    Some(r) => on_request(r),
                    None => tracing::warn!("single instance pipe: ignored an unknown request"),
                },
                _ => tracing::warn!("single instance pipe: a launch connected but said nothing"),
            }
        }
        // A pipe instance serves one client: make the next before letting this one go.
        server = match ServerOptions::new().create(&name) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("single instance pipe: cannot keep answering later launches: {e}");
                return;
            }
        };
    }
}

async fn send(mut client: NamedPipeClient, request: Request) {
    if let Err(e) = client.write_all(format!("{}\n", request.word()).as_bytes()).await {
        tracing::warn!("Hardcover Sync is already running but did not take the request: {e}");
    }
}

async fn hand_over(name: &str, request: Request) {
    // The first instance may be between two clients: retry briefly while its pipe is busy.
    for _ in 0..50 {
        match ClientOptions::new().open(name) {
            Ok(client) => return send(client, request).await,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    tracing::warn!("Hardcover Sync is already running but did not answer");
}
