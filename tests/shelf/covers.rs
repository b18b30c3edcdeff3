//! Covers are downloaded once, kept on disk and shown offline; bad URLs and bodies are refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use hardcover_sync::shelf::{self, CoverHosts, cached_cover, covers::MAX_COVER_BYTES};
use hardcover_sync::store::library::CachedBook;
use hardcover_sync_emulators::hardcover::covers::cover_png;
use hardcover_sync_emulators::server::RunningServer;
use url::Url;

use super::connected_app;
use crate::support::hardcover;

#[tokio::test]
async fn a_cover_is_downloaded_once_and_works_offline() {
    let hc = hardcover(40).await;
    let (_sb, app) = connected_app(&hc).await;
    let row = shelf::books(&app, shelf::ShelfRef::Status(3)).await.unwrap().into_iter().next().unwrap();
    assert!(
        row.cover_url.as_deref().is_some_and(|u| u.starts_with(&hc.base_url())),
        "seeded covers are served by the emulator"
    );

    let path = shelf::cover_path(&app, row.book_id).await.unwrap().expect("a book with a cover URL must get a file");
    assert!(path.starts_with(app.paths.covers_dir()), "covers must be kept in the covers folder");
    assert_eq!(std::fs::read(&path).unwrap(), cover_png(row.book_id), "the file must hold the served image bytes");

    hc.stop().await;
    let again = shelf::cover_path(&app, row.book_id).await.unwrap();
    assert_eq!(again, Some(path), "with Hardcover gone, the cover must come from disk");
}

fn book(id: i64, cover: &str) -> CachedBook {
    CachedBook {
        id,
        title: format!("Cover test {id}"),
        subtitle: None,
        slug: None,
        authors: vec![],
        cover_url: Some(cover.to_owned()),
        pages: None,
        release_year: None,
    }
}

#[tokio::test]
async fn second_call_makes_no_request_and_bad_covers_are_refused() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new()
        .route(
            "/ok.png",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { cover_png(7) }
            }),
        )
        .route("/huge.png", get(|| async { vec![0x89u8; MAX_COVER_BYTES + 1] }))
        .route("/page.png", get(|| async { "<!doctype html><p>gone</p>" }));
    let server = RunningServer::serve(router, 0).await.unwrap();
    let base = server.base_url();

    let store = hardcover_sync::store::Store::open_in_memory().unwrap();
    store
        .upsert_books(&[
            book(1, &format!("{base}/ok.png")),
            book(2, &format!("{base}/huge.png")),
            book(3, &format!("{base}/page.png")),
            book(4, "file:///etc/passwd"),
            book(5, "http://127.0.0.1:9/nothing-listens-here.png"),
        ])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The server stands in for the configured Hardcover API: its origin may serve covers.
    let hosts = CoverHosts::new(&Url::parse(&format!("{base}/v1/graphql")).unwrap());

    let first = cached_cover(&store, dir.path(), 1, &hosts).await.unwrap().unwrap();
    let second = cached_cover(&store, dir.path(), 1, &hosts).await.unwrap().unwrap();
    assert_eq!(first, second, "the same cover must map to the same file");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a cached cover must not be fetched again");

    let err = cached_cover(&store, dir.path(), 2, &hosts).await.unwrap_err();
    assert!(err.to_string().contains("larger than"), "an oversized cover must be refused: {err}");
    let err = cached_cover(&store, dir.path(), 3, &hosts).await.unwrap_err();
    assert!(err.to_string().contains("not a JPEG"), "a non-image body must not be kept as a cover: {err}");
    assert_eq!(
        cached_cover(&store, dir.path(), 4, &hosts).await.unwrap(),
        None,
        "a non-http(s) cover URL must never be fetched"
    );
    let unreachable = CoverHosts::new(&Url::parse("http://127.0.0.1:9/v1/graphql").unwrap());
    let err = cached_cover(&store, dir.path(), 5, &unreachable).await.unwrap_err();
    assert_eq!(
        err.code(),
        hardcover_sync::error::ErrorCode::Offline,
        "an unreachable cover host must read as offline: {err}"
    );

    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 1, "only the one good cover may be on disk, no partial files: {files:?}");
}

#[tokio::test]
async fn covers_come_only_from_hardcovers_image_hosts_never_from_the_local_network() {
    // A service on this machine that a hostile cover URL would point at.
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new().route(
        "/{*path}",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { cover_png(9) }
        }),
    );
    let local = RunningServer::serve(router, 0).await.unwrap();
    let port = local.base_url().rsplit(':').next().unwrap().to_owned();
    let store = hardcover_sync::store::Store::open_in_memory().unwrap();
    let hostile = [
        format!("http://127.0.0.1:{port}/admin.png"),
        format!("http://localhost:{port}/admin.png"),
        format!("http://[::1]:{port}/admin.png"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://192.168.1.1/cover.png".to_owned(),
        "https://evil.example/cover.png".to_owned(),
    ];
    let books: Vec<CachedBook> = hostile.iter().enumerate().map(|(i, u)| book(i as i64 + 1, u)).collect();
    store.upsert_books(&books).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Configured for the real Hardcover: nothing local is an allowed origin.
    let hosts = CoverHosts::new(&Url::parse("https://api.hardcover.app/v1/graphql").unwrap());
    for (i, u) in hostile.iter().enumerate() {
        let got = cached_cover(&store, dir.path(), i as i64 + 1, &hosts).await.unwrap();
        assert_eq!(got, None, "a cover at {u} must not be downloaded: the book shows without one");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request may reach a local service through a cover URL");
    assert_eq!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0), 0, "nothing is written");
}
