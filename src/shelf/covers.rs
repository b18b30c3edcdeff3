//! Book covers kept on disk, so the shelf browser shows them offline and fetches each only once.
//!
//! A cover is stored under a hash of its URL (`<sha256>.<ext>`): finding it again needs no
//! database and no network, and a book whose cover URL changes simply gets a new file.
//! Only URLs on Hardcover's image hosts are fetched ([`CoverHosts`]), with a timeout and a size
//! cap, and only image bytes are kept (an HTML error page served with status 200 is not a cover).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use sha2::{Digest, Sha256};
use url::Url;

use crate::app::App;
use crate::store::Store;

use super::cache;
use super::cover_hosts::CoverHosts;
use super::error::ShelfError;

/// Larger than any real cover (Hardcover's are a few hundred KB) and small enough to refuse junk.
pub const MAX_COVER_BYTES: usize = 5 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(20);
const EXTENSIONS: [&str; 4] = ["jpg", "png", "webp", "gif"];

/// The local file holding the book's cover, downloading it the first time. `None` when the book
/// has no cover, or its URL is not on one of Hardcover's image hosts.
pub async fn cover_path(app: &App, book_id: i64) -> Result<Option<PathBuf>, ShelfError> {
    let hosts = CoverHosts::new(&app.config.scrobbling.hardcover.api_url);
    cached_cover(app.store(), &app.paths.covers_dir(), book_id, &hosts).await
}

/// [`cover_path`] over a store, a covers folder and the hosts covers may come from.
pub async fn cached_cover(
    store: &Store,
    dir: &Path,
    book_id: i64,
    hosts: &CoverHosts,
) -> Result<Option<PathBuf>, ShelfError> {
    let row = cache::library_row(store, book_id)?
        .ok_or_else(|| ShelfError::NotFound(format!("book {book_id} is not in the local library")))?;
    let url = row.edition.as_ref().and_then(|e| e.cover_url.clone()).or(row.book.cover_url);
    let Some(url) = url.and_then(|u| Url::parse(&u).ok()).filter(|u| matches!(u.scheme(), "http" | "https")) else {
        return Ok(None);
    };
    if !hosts.allows(&url) {
        // Shown as "no cover": the book is fine, its cover is just not fetched.
        tracing::warn!(
            book_id,
            "not downloading a cover from {}: not one of Hardcover's image hosts",
            url.origin().ascii_serialization()
        );
        return Ok(None);
    }
    let key = hex(&Sha256::digest(url.as_str().as_bytes()));
    if let Some(found) = EXTENSIONS.iter().map(|ext| dir.join(format!("{key}.{ext}"))).find(|p| p.is_file()) {
        return Ok(Some(found));
    }
    if !hosts.resolves_publicly(&url).await {
        tracing::warn!(
            book_id,
            "not downloading a cover from {}: the name points into the local network",
            url.origin().ascii_serialization()
        );
        return Ok(None);
    }
    let bytes = download(&url).await?;
    let ext = image_extension(&bytes).ok_or_else(|| ShelfError::Cover {
        url: url.to_string(),
        reason: "the answer is not a JPEG, PNG, WebP or GIF image".into(),
        offline: false,
    })?;
    let path = dir.join(format!("{key}.{ext}"));
    write_atomically(dir, &path, &bytes)?;
    Ok(Some(path))
}

fn client() -> Result<&'static reqwest::Client, ShelfError> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let c = reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(TIMEOUT)
        // A redirect may only lead to another of Hardcover's image hosts.
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if CoverHosts::hardcover_only().allows(attempt.url()) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .build()
        .map_err(|e| ShelfError::Internal(format!("cannot make an HTTP client for covers: {e}")))?;
    Ok(CLIENT.get_or_init(|| c))
}

async fn download(url: &Url) -> Result<Vec<u8>, ShelfError> {
    let fail = |reason: String, offline: bool| ShelfError::Cover { url: url.to_string(), reason, offline };
    let transport = |e: reqwest::Error| {
        let offline = e.is_connect() || e.is_timeout();
        fail(if e.is_timeout() { "no answer in time".into() } else { e.to_string() }, offline)
    };
    let mut resp = client()?.get(url.clone()).send().await.map_err(transport)?;
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP {}", resp.status().as_u16()), false));
    }
    let too_big = || fail(format!("larger than {} MB", MAX_COVER_BYTES / (1024 * 1024)), false);
    if resp.content_length().is_some_and(|n| n > MAX_COVER_BYTES as u64) {
        return Err(too_big());
    }
    // Counted while reading: a missing or lying Content-Length must not fill the disk.
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_COVER_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn image_extension(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("webp")
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

/// Write beside the target and rename, so a crash or a concurrent reader never sees half a file.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), ShelfError> {
    let io = |what: &str, e: std::io::Error| ShelfError::Internal(format!("cannot {what} in {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(|e| io("create the covers folder", e))?;
    let tmp = path.with_extension(format!("part{}", rand::random::<u32>()));
    std::fs::write(&tmp, bytes).map_err(|e| io("write a cover", e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("store a cover", e)
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_image_bytes_count_as_covers() {
        assert_eq!(image_extension(&[0xff, 0xd8, 0xff, 0xe0, 0, 0]), Some("jpg"));
        assert_eq!(image_extension(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(image_extension(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(image_extension(b"GIF89a.."), Some("gif"));
        assert_eq!(image_extension(b"<!doctype html><p>not found</p>"), None, "an HTML page is not a cover");
        assert_eq!(image_extension(b""), None, "an empty body is not a cover");
    }
}
